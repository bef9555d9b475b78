/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers shared by the library's modules (not exported). */
#ifndef DCTL_UTIL_H
#define DCTL_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemonctl.h"

/*
 * Read at most size - 1 bytes of a small file (a /proc entry) into buf and
 * NUL-terminate it. dirfd/path as for openat(2). Returns the byte count or
 * -errno.
 */
ssize_t util_read_small(int dirfd, const char *path, char *buf, size_t size);

/*
 * The same for a /proc file the kernel makes in one piece (a process's
 * stat, an fdinfo): a read that leaves the buffer short has it all, so no
 * second read is spent on seeing EOF.
 */
ssize_t util_read_proc(int dirfd, const char *path, char *buf, size_t size);

/*
 * Read an open file from its start, with pread(2), into buf: up to size
 * bytes, or less at EOF. known is the file's size if the caller has just
 * had it from fstat() (-1 if not): once that much has come, the file is
 * whole, and no read is spent on seeing EOF. pread leaves the descriptor's
 * offset alone, which a lock descriptor shared with a daemon needs.
 * Returns the byte count or -errno.
 */
ssize_t util_pread_all(int fd, char *buf, size_t size, off_t known);

/* PID_MAX_LIMIT on 64-bit kernels: the largest pid_max can ever be. */
#define UTIL_PID_CEILING 4194304

/* /proc/sys/kernel/pid_max, or the kernel's ceiling if unreadable. */
pid_t util_pid_max(void);

/* Format and pass a message to a log callback; does nothing if fn is NULL. */
void util_log(dctl_log_fn fn, void *data, int level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * A random (version 4, RFC 4122) UUID in lower-case text, 36 characters
 * and a NUL, into buf (at least UTIL_UUID_TEXT bytes). 0 or -errno.
 */
#define UTIL_UUID_TEXT 37
int util_uuid_random(char *buf);

/* Are these len bytes a UUID's text, 8-4-4-4-12 hex digits in any case? */
bool util_uuid_valid(const char *s, size_t len);

/*
 * strerror(err) for err > 0 (a negative err is taken as -err), without
 * strerror's shared static buffer: the text may live in buf, which
 * UTIL_STRERROR_MAX bytes always hold whole. Never NULL.
 */
#define UTIL_STRERROR_MAX 128
const char *util_strerror(int err, char *buf, size_t size);

/* ------------------------------------------------------------- numbers */

/* A unit a number may end in: "ms" with mult 1, "s" with mult 1000, ... */
struct util_suffix {
	const char *name;
	long long mult;		/* > 0 */
};

/* Refuse a leading zero ("07"); "0" itself is fine. */
#define UTIL_NUM_NO_LEADING_ZERO 0x1u

/*
 * The one strict decimal parser: all len bytes of s must be digits, with a
 * '-' in front only when min < 0, then optionally one name of suffixes (a
 * table ended by a NULL name; NULL for none), whose mult the value is
 * multiplied by. No blanks, no '+', no hex, nothing left over: what strtol
 * lets through (" 5", "+5", "5x") is refused. Returns 0 and *out;
 * -EINVAL for something that is not such a number (checked over the whole
 * text first), -ERANGE for a number outside min..max (or beyond long long).
 */
int util_parse_num(const char *s, size_t len, long long min, long long max,
		   const struct util_suffix *suffixes, unsigned flags,
		   long long *out);

/* The length of the run of decimal digits that s starts with. */
size_t util_digits(const char *s);

/*
 * v in decimal into buf (at least UTIL_INT_TEXT bytes), without a NUL;
 * returns the length. Async-signal-safe, for the daemon before exec.
 */
#define UTIL_INT_TEXT 21
size_t util_format_int(char *buf, long long v);

#define UTIL_NS_PER_SEC INT64_C(1000000000)
/* The longest duration util_parse_seconds() accepts: about 31 years. */
#define UTIL_SECONDS_MAX INT64_C(1000000000)

/*
 * A duration in seconds for an option: "10", "0.25", "1.5". Digits, then
 * optionally a point and one to nine more digits (nanoseconds are the
 * finest unit kept, so more digits are refused rather than rounded). No
 * sign, blank, exponent, leading zero ("0.5", not "00.5" or "05"), lone
 * point or unit. Returns 0 with *ns; -EINVAL for anything else; -ERANGE
 * above UTIL_SECONDS_MAX seconds.
 */
int util_parse_seconds(const char *text, int64_t *ns);

/* ------------------------------------------------------------ waiting */

/* The monotonic clock in nanoseconds (the clock of timerfds and poll). */
int64_t util_now_ns(void);

/* The same in milliseconds. */
long long util_now_ms(void);

/*
 * A point in time on the monotonic clock, so that a wait is measured the
 * same however the wall clock is set meanwhile. UTIL_FOREVER: no end.
 */
#define UTIL_FOREVER (-1LL)
struct util_deadline {
	long long end_ms;	/* UTIL_FOREVER: never */
};

/* A deadline timeout_ms from now (timeout_ms < 0: never). */
struct util_deadline util_deadline_in(long long timeout_ms);

/*
 * Milliseconds left, 0 once passed, clamped to cap (for poll(2)'s int);
 * -1 for a deadline that never comes.
 */
int util_deadline_left(struct util_deadline d, int cap);

/* Has it passed? Never true for UTIL_FOREVER. */
bool util_deadline_passed(struct util_deadline d);

/*
 * Sleep ms milliseconds on the monotonic clock, resuming after a signal
 * until they have elapsed, but never past d.
 */
void util_nap(long long ms, struct util_deadline d);

/*
 * The one retry-until-deadline loop: call try(arg) until it returns
 * anything but -EAGAIN, napping nap_ms between calls (doubling up to
 * nap_max_ms, if larger). Returns what try returned last, or -ETIMEDOUT
 * if it still said -EAGAIN when d passed. try is called at least once.
 */
int util_retry(struct util_deadline d, long long nap_ms, long long nap_max_ms,
	       int (*try)(void *arg), void *arg);

/* ------------------------------------------------------------- arrays */

/*
 * The one growable array: n elements of elem bytes at v, room for cap.
 * Zero-initialise with UTIL_ARRAY_INIT(elem).
 */
struct util_array {
	void *v;
	size_t n;
	size_t cap;
	size_t elem;
};

#define UTIL_ARRAY_INIT(size) { .v = NULL, .n = 0, .cap = 0, .elem = (size) }

/*
 * Room for one more element at the end: returns it zeroed and counted in
 * n, or NULL (nothing changed) if memory or size_t ran out.
 */
void *util_array_push(struct util_array *a);

/* Element i (i < n). */
void *util_array_at(const struct util_array *a, size_t i);

/* Free the storage and empty the array (elem is kept). */
void util_array_free(struct util_array *a);

/* ------------------------------------------------------------- strings */

/* A malloc'd printf, or NULL on failure (errno set). */
char *util_asprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Write all of buf, retrying on EINTR and short writes. 0 or -errno. */
int util_write_all(int fd, const void *buf, size_t len);

/* ---------------------------------------------------------------- memory */

/*
 * Give back the main thread's stack pages below the caller's frame: a
 * long-lived process that went deep once (a start, a restart) keeps no
 * copy of that depth. Only for a process that runs no signal handler on
 * that stack and no other thread. Returns how many bytes were given
 * back: 0 off the main stack, or where its bounds cannot be read.
 */
size_t util_stack_trim(void);

/*
 * Replace the string an object owns at *field with a copy of value (NULL:
 * none), freeing the old one: how a setter keeps what it is given.
 * 0 or -ENOMEM (*field unchanged).
 */
int util_set_string(char **field, const char *value);

#endif
