/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The JSON writer, checked by a strict JSON reader written here:
 *  - format_json_escape() of any bytes is one valid JSON string (only
 *    printable ASCII, well-formed UTF-8 and escapes) that decodes back to
 *    exactly those bytes, reading a lone \udcXX as the byte XX (the
 *    surrogateescape convention format.h documents); well-formed UTF-8
 *    input needs no such escape. Short buffers get a NUL-terminated prefix
 *    and the full length, as snprintf does.
 *  - dctl_status_json() of a record built from the same bytes is one JSON
 *    object with daemon-status --json's keys, in order, whose strings decode back to the
 *    name, pidfile, exe and instance given.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

#include "daemonctl.h"
#include "format.h"
#include "status.h"
#include "fuzz.h"

/* ------------------------------------------------ a strict JSON reader */

struct reader {
	const unsigned char *p, *end;
};

static int hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The 4 hex digits after "\u"; -1 if they are not. */
static long read_hex4(struct reader *r)
{
	long v = 0;
	int i, d;

	if (r->end - r->p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		d = hex_digit(r->p[i]);
		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	r->p += 4;
	return v;
}

static size_t put_utf8(unsigned char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * A \uXXXX escape (the "\u" already read) into out: a code point, a
 * surrogate pair, or a lone \udc80..\udcff standing for one raw byte
 * (counted in *raw). Returns the bytes written, 0 if malformed.
 */
static size_t read_unicode(struct reader *r, unsigned char *out, size_t *raw)
{
	long u = read_hex4(r), lo;

	if (u < 0)
		return 0;
	if (u >= 0xd800 && u <= 0xdbff) {
		if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
			return 0;
		r->p += 2;
		lo = read_hex4(r);
		if (lo < 0xdc00 || lo > 0xdfff)
			return 0;
		return put_utf8(out, 0x10000 +
				     ((unsigned long)(u - 0xd800) << 10) +
				     (unsigned long)(lo - 0xdc00));
	}
	if (u >= 0xdc00 && u <= 0xdfff) {
		if (u < 0xdc80 || u > 0xdcff)
			return 0;
		out[0] = (unsigned char)(u & 0xff);
		(*raw)++;
		return 1;
	}
	return put_utf8(out, (unsigned long)u);
}

/* One escape after the backslash; returns the bytes written, 0: bad. */
static size_t read_escape(struct reader *r, unsigned char *out, size_t *raw)
{
	static const char from[] = "\"\\/bfnrt";
	static const char to[] = "\"\\/\b\f\n\r\t";
	const char *at;

	if (r->p == r->end)
		return 0;
	if (*r->p == 'u') {
		r->p++;
		return read_unicode(r, out, raw);
	}
	at = memchr(from, *r->p, sizeof(from) - 1);
	if (!at)
		return 0;
	r->p++;
	out[0] = (unsigned char)to[at - from];
	return 1;
}

/*
 * A JSON string into out (room for as many bytes as the text has), its
 * length in *len. Also refuses what the writer promises never to emit:
 * raw control characters, DEL, malformed UTF-8.
 */
static bool read_string(struct reader *r, unsigned char *out, size_t *len,
			size_t *raw)
{
	size_t n = 0, k;

	*raw = 0;
	if (r->p == r->end || *r->p != '"')
		return false;
	r->p++;
	while (r->p < r->end && *r->p != '"') {
		if (*r->p == '\\') {
			r->p++;
			k = read_escape(r, out + n, raw);
			if (!k)
				return false;
			n += k;
			continue;
		}
		if (*r->p < 0x20 || *r->p == 0x7f)
			return false;
		k = fuzz_utf8_seq(r->p, (size_t)(r->end - r->p));
		if (!k)
			return false;
		memcpy(out + n, r->p, k);
		n += k;
		r->p += k;
	}
	if (r->p == r->end)
		return false;
	r->p++;
	*len = n;
	return true;
}

static bool read_word(struct reader *r, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return false;
	r->p += n;
	return true;
}

/* -?(0|[1-9][0-9]*): the writer prints integers only. */
static bool read_integer(struct reader *r, long long *v)
{
	bool neg = read_word(r, "-");
	long long x = 0;

	if (r->p == r->end || *r->p < '0' || *r->p > '9')
		return false;
	if (*r->p == '0' && r->end - r->p > 1 && r->p[1] >= '0' &&
	    r->p[1] <= '9')
		return false;
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		if (x > (LLONG_MAX - 9) / 10)
			return false;
		x = x * 10 + (*r->p++ - '0');
	}
	*v = neg ? -x : x;
	return true;
}

/* ---------------------------------------------------- the escaper */

static void check_escape(const char *s, size_t n)
{
	unsigned char *back;
	char *out, small[12];
	struct reader r;
	size_t blen, raw, cut;
	int len;

	len = format_json_escape(s, n, NULL, 0);
	FUZZ_CHECK(len >= 2);
	out = malloc((size_t)len + 1);
	back = malloc((size_t)len);
	FUZZ_CHECK(out && back);
	FUZZ_CHECK(format_json_escape(s, n, out, (size_t)len + 1) == len);
	FUZZ_CHECK(strlen(out) == (size_t)len);

	r.p = (const unsigned char *)out;
	r.end = r.p + len;
	FUZZ_CHECK(read_string(&r, back, &blen, &raw));
	FUZZ_CHECK(r.p == r.end);
	FUZZ_CHECK(blen == n && memcmp(back, s, n) == 0);
	/* Raw-byte escapes only where the input was not UTF-8. */
	FUZZ_CHECK(raw == 0 ||
		   !fuzz_utf8_valid((const unsigned char *)s, n));
	if (fuzz_utf8_valid((const unsigned char *)s, n))
		FUZZ_CHECK(raw == 0);

	for (cut = 1; cut <= sizeof(small); cut++) {
		FUZZ_CHECK(format_json_escape(s, n, small, cut) == len);
		FUZZ_CHECK(strlen(small) == ((size_t)len < cut ? (size_t)len
							       : cut - 1));
		FUZZ_CHECK(memcmp(small, out, strlen(small)) == 0);
	}
	free(back);
	free(out);
}

/* ------------------------------------------------ the status object */

/* A record from the input: flags from byte 0, texts split at NULs. */
static void make_record(const char *s, size_t n, struct dctl_status *st,
			const char **name, const char **pidfile)
{
	static const enum dctl_state states[] = {
		DCTL_STATE_RUNNING, DCTL_STATE_DEAD,
		DCTL_STATE_NOT_RUNNING, DCTL_STATE_UNKNOWN,
	};
	static const pid_t pids[] = { 0, -1, 1234, INT_MAX };
	static const uid_t uids[] = { (uid_t)-1, 0, 4242424, 65534 };
	static const int errors[] = { 0, -EBADMSG, -ELOOP, -EACCES };
	unsigned flags = n ? (unsigned char)s[0] : 0;
	const char *end = s + n, *texts[5] = { "", "", "", "", "" };
	const char *p = s;
	size_t i;

	for (i = 0; i < 5 && p < end; i++) {
		texts[i] = p;
		p = memchr(p, '\0', (size_t)(end - p));
		if (!p)
			break;
		p++;
	}
	memset(st, 0, sizeof(*st));
	st->state = states[flags & 3];
	st->locked = flags & 4;
	st->pid = pids[flags >> 3 & 3];
	st->started = flags & 32 ? 1700000000 : 0;
	st->uid = uids[flags >> 6 & 3];
	st->error = errors[(flags >> 3) & 3];
	st->fault = (enum dctl_pid_fault)(flags % 9);
	st->trusted = flags & 1;
	/* Texts of any length; the instance is what fits its field. */
	st->exe = *texts[2] ? (char *)texts[2] : NULL;
	snprintf(st->instance, sizeof(st->instance), "%s", texts[3]);
	st->reason = *texts[4] ? (char *)texts[4] : NULL;
	*name = texts[0];
	*pidfile = texts[1];
}

/* A string value equal to want (NULL or "": the value is null). */
static void expect_text(struct reader *r, const char *key, const char *want,
			size_t want_len, unsigned char *scratch)
{
	size_t len, raw;

	FUZZ_CHECK(read_string(r, scratch, &len, &raw));
	FUZZ_CHECK(len == strlen(key) && memcmp(scratch, key, len) == 0);
	FUZZ_CHECK(read_word(r, ":"));
	if (!want || !want_len) {
		FUZZ_CHECK(read_word(r, "null"));
	} else {
		FUZZ_CHECK(read_string(r, scratch, &len, &raw));
		FUZZ_CHECK(len == want_len && memcmp(scratch, want, len) == 0);
	}
}

/* A key, then null, a string, an integer or a boolean as allowed. */
static void expect_any(struct reader *r, const char *key, bool str, bool num,
		       unsigned char *scratch)
{
	size_t len, raw;
	long long v;

	FUZZ_CHECK(read_string(r, scratch, &len, &raw));
	FUZZ_CHECK(len == strlen(key) && memcmp(scratch, key, len) == 0);
	FUZZ_CHECK(read_word(r, ":"));
	if (read_word(r, "null"))
		return;
	if (str)
		FUZZ_CHECK(read_string(r, scratch, &len, &raw));
	else if (num)
		FUZZ_CHECK(read_integer(r, &v) && v >= 0);
	else
		FUZZ_CHECK(read_word(r, "true") || read_word(r, "false"));
}

/* daemon-status's words for the states. */
static const char *state_word(enum dctl_state state)
{
	switch (state) {
	case DCTL_STATE_RUNNING:
		return "running";
	case DCTL_STATE_DEAD:
		return "dead";
	case DCTL_STATE_NOT_RUNNING:
		return "not-running";
	default:
		return "unknown";
	}
}

static void check_object(const struct dctl_status *st, const char *name,
			 const char *pidfile, const char *out, size_t len)
{
	bool run = st->state == DCTL_STATE_RUNNING;
	unsigned char *scratch = malloc(len);
	struct reader r = { (const unsigned char *)out,
			    (const unsigned char *)out + len };
	long long pid;

	FUZZ_CHECK(scratch != NULL);
	FUZZ_CHECK(read_word(&r, "{"));
	expect_text(&r, "name", name, strlen(name), scratch);
	FUZZ_CHECK(read_word(&r, ","));
	expect_text(&r, "pidfile", pidfile, strlen(pidfile), scratch);
	FUZZ_CHECK(read_word(&r, ",\"pid\":"));
	if (st->pid > 0)
		FUZZ_CHECK(read_integer(&r, &pid) && pid == st->pid);
	else
		FUZZ_CHECK(read_word(&r, "null"));
	FUZZ_CHECK(read_word(&r, ","));
	expect_text(&r, "state", state_word(st->state),
		    strlen(state_word(st->state)), scratch);
	FUZZ_CHECK(read_word(&r, st->locked ? ",\"locked\":true"
					    : ",\"locked\":false"));
	FUZZ_CHECK(read_word(&r, ","));
	expect_any(&r, "started", true, false, scratch);
	FUZZ_CHECK(read_word(&r, ","));
	expect_any(&r, "uptime", false, true, scratch);
	FUZZ_CHECK(read_word(&r, ","));
	expect_text(&r, "instance", run ? st->instance : NULL,
		    strnlen(st->instance, sizeof(st->instance)), scratch);
	FUZZ_CHECK(read_word(&r, ","));
	expect_text(&r, "exe", run ? st->exe : NULL,
		    st->exe ? strlen(st->exe) : 0, scratch);
	FUZZ_CHECK(read_word(&r, ","));
	expect_any(&r, "user", true, false, scratch);
	FUZZ_CHECK(read_word(&r, ","));
	expect_any(&r, "reason", true, false, scratch);
	FUZZ_CHECK(read_word(&r, ","));
	expect_any(&r, "supervisor", false, true, scratch);
	FUZZ_CHECK(read_word(&r, ","));
	expect_any(&r, "restarts", false, true, scratch);
	FUZZ_CHECK(read_word(&r, ","));
	expect_any(&r, "last_exit", true, false, scratch);
	FUZZ_CHECK(read_word(&r, "}"));
	FUZZ_CHECK(r.p == r.end);
	free(scratch);
}

/* The texts must be C strings: s gets a NUL after its n bytes. */
static void check_status(const char *data, size_t n)
{
	struct dctl_status *st = malloc(sizeof(*st));
	char *s = malloc(n + 1), *out;
	const char *name, *pidfile;
	int len;

	FUZZ_CHECK(st && s);
	memcpy(s, data, n);
	s[n] = '\0';
	make_record(s, n, st, &name, &pidfile);
	len = dctl_status_json(st, name, pidfile, 1700000100, NULL, 0);
	FUZZ_CHECK(len > 0);
	out = malloc((size_t)len + 1);
	FUZZ_CHECK(out != NULL);
	FUZZ_CHECK(dctl_status_json(st, name, pidfile, 1700000100, out,
				    (size_t)len + 1) == len);
	FUZZ_CHECK(strlen(out) == (size_t)len);
	check_object(st, name, pidfile, out, (size_t)len);
	free(out);
	free(s);
	free(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly size bytes, so that ASan sees any read past them. */
	char *s = malloc(size ? size : 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	check_escape(s, size);
	check_status(s, size);
	free(s);
	return 0;
}
