/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Rendering a status record for people (one line) and for scripts (one JSON
 * object), and the small writers behind it: a bounded buffer that counts
 * what it would have needed (snprintf's contract), a strict UTF-8 checker
 * and the JSON string escaper. Internal to the library; the fuzz targets
 * and unit tests call these directly.
 */
#ifndef DCTL_FORMAT_H
#define DCTL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "daemonctl.h"

/*
 * A bounded output buffer. len counts every byte appended, also those that
 * did not fit, so that the caller learns the size it needed. Bytes are
 * stored while they fit with one byte to spare for the final NUL.
 */
struct format_buf {
	char *buf;
	size_t size;
	size_t len;
};

void format_buf_init(struct format_buf *b, char *buf, size_t size);
void format_putc(struct format_buf *b, char c);
void format_putn(struct format_buf *b, const char *s, size_t n);
void format_puts(struct format_buf *b, const char *s);
void format_printf(struct format_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * NUL-terminate (at the cut if it did not fit) and return the length
 * needed without the NUL, or -EOVERFLOW if that exceeds INT_MAX.
 */
int format_buf_finish(struct format_buf *b);

/*
 * The length of the well-formed UTF-8 sequence starting at s (1..4), or 0
 * if the bytes there are not one: a stray continuation byte, an overlong
 * form, a surrogate (U+D800..U+DFFF), a value above U+10FFFF, or a
 * sequence cut short by the end (n bytes are available). n must be > 0.
 */
size_t format_utf8_len(const unsigned char *s, size_t n);

/*
 * Append n bytes of s as a JSON string, quotes included. '"' and '\\' are
 * escaped; \b \f \n \r \t use their short forms; other control characters
 * and DEL become \u00XX; well-formed UTF-8 is copied as is. A byte that is
 * not part of well-formed UTF-8 becomes the lone surrogate \uDCXX (0xXX the
 * byte, always >= 0x80), the "surrogateescape" convention of PEP 383:
 * parsers accept it (Python keeps it, so os.fsencode() gives back the exact
 * bytes; jq and most others show U+FFFD), and it cannot collide with any
 * well-formed input because real text never encodes a surrogate.
 */
void format_json_string(struct format_buf *b, const char *s, size_t n);

/*
 * The same as a standalone call: like snprintf, returns the length needed
 * (quotes included, NUL not) or -EOVERFLOW.
 */
int format_json_escape(const char *s, size_t n, char *buf, size_t size);

/*
 * Append text for a terminal line: bytes below 0x20 and DEL as \n, \t, \r
 * or \xXX, a backslash doubled, anything else as is, so that a hostile
 * name cannot break the one-line-per-daemon output.
 */
void format_visible(struct format_buf *b, const char *s);

/*
 * An uptime the way people say it, with the two largest units and a zero
 * second unit left out: "45s", "5m 3s", "5m", "3h 2m", "2d 4h", "2d".
 * Negative values (a clock set back) count as 0.
 */
void format_uptime(struct format_buf *b, long long secs);

/* "2026-11-25T08:49:50Z" (UTC). Returns 0, or -EOVERFLOW for a time that
 * gmtime cannot represent. */
int format_iso8601(int64_t secs, char *buf, size_t size);

/* Room for the short texts the writers make themselves (a user name, a
 * time, a fallback reason); what a record holds is never copied. */
#define FORMAT_TEXT_MAX 256

/* The owner's name from the user database, else the decimal uid. */
void format_user(uid_t uid, char *buf, size_t size);

/*
 * Why a record is UNKNOWN (or DEAD), for the line and for "reason": the
 * probe's own words, else a phrase for the state written into buf.
 */
const char *format_reason(const struct dctl_status *st, char *buf,
			  size_t size);

/* dctl_status_format() with the clock given, for tests. */
int format_status_line(const struct dctl_status *st, const char *name,
		       const char *pidfile, bool verbose, int64_t now,
		       char *buf, size_t size);

#endif
