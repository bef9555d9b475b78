/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * notify_parse() (the sd_notify datagram parser) against a reference
 * reading of the same rules, from two starting records. A refused datagram
 * leaves the record untouched; an accepted one keeps every field in range
 * (MAINPID >= 2 and <= pid_max, ERRNO in 1..4095) and STATUS printable,
 * NUL-terminated, a prefix of what was sent, cut only at a character
 * boundary when the text was UTF-8.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "daemonctl.h"
#include "notify.h"
#include "util.h"
#include "fuzz.h"

static bool is_word(const char *s, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(s, word, len) == 0;
}

/* Digits only, no leading zero, at most max. */
static bool ref_decimal(const char *s, size_t len, unsigned long long max,
			unsigned long long *out)
{
	unsigned __int128 v = 0;
	size_t i;

	if (len == 0 || (s[0] == '0' && len > 1))
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > max)
			return false;
	}
	*out = (unsigned long long)v;
	return true;
}

/* One assignment; STATUS is only remembered here, checked by the caller. */
static bool ref_line(const char *l, size_t len, struct notify_msg *m,
		     const char **status, size_t *status_len, pid_t pid_max)
{
	const char *eq = memchr(l, '=', len), *v;
	unsigned long long n;
	size_t k, vl;

	if (!eq || eq == l)
		return false;
	k = (size_t)(eq - l);
	v = eq + 1;
	vl = len - k - 1;
	if (is_word(l, k, "READY") || is_word(l, k, "STOPPING")) {
		if (!is_word(v, vl, "1"))
			return false;
		if (l[0] == 'R')
			m->ready = true;
		else
			m->stopping = true;
	} else if (is_word(l, k, "STATUS")) {
		*status = v;
		*status_len = vl;
		m->has_status = true;
	} else if (is_word(l, k, "ERRNO")) {
		if (!ref_decimal(v, vl, 4095, &n) || n == 0)
			return false;
		m->err = (int)n;
		m->has_errno = true;
	} else if (is_word(l, k, "MAINPID")) {
		if (!ref_decimal(v, vl, (unsigned long long)pid_max, &n) ||
		    n < 2)
			return false;
		m->mainpid = (pid_t)n;
		m->has_mainpid = true;
	} else if (is_word(l, k, "EXTEND_TIMEOUT_USEC")) {
		if (!ref_decimal(v, vl, ULLONG_MAX, &n))
			return false;
		m->extend_usec = n;
		m->has_extend = true;
	}
	return true;
}

/* The whole datagram; *status points into buf (NULL: no STATUS=). */
static bool ref_parse(const char *buf, size_t len, struct notify_msg *m,
		      const char **status, size_t *status_len, pid_t pid_max)
{
	size_t start = 0, i;

	*status = NULL;
	if (len > NOTIFY_DATAGRAM_MAX || memchr(buf, '\0', len))
		return false;
	for (i = 0; i <= len; i++) {
		if (i < len && buf[i] != '\n')
			continue;
		if (i > start && !ref_line(buf + start, i - start, m, status,
					   status_len, pid_max))
			return false;
		start = i + 1;
	}
	return true;
}

static void check_status(const struct notify_msg *m, const char *sent,
			 size_t sent_len)
{
	const size_t room = sizeof(m->status) - 1;
	size_t n = strnlen(m->status, sizeof(m->status)), i;
	bool utf8 = fuzz_utf8_valid((const unsigned char *)sent, sent_len);
	unsigned char c, want;

	FUZZ_CHECK(n <= room);
	FUZZ_CHECK(n <= sent_len);
	/* Cut only when it did not fit; text by less than one character. */
	FUZZ_CHECK(n == sent_len || sent_len > room);
	FUZZ_CHECK(!utf8 || n == sent_len || n + 3 >= room);
	for (i = 0; i < n; i++) {
		c = (unsigned char)m->status[i];
		want = (unsigned char)sent[i];
		FUZZ_CHECK(c >= 0x20 && c != 0x7f);
		FUZZ_CHECK(c == want || (c == '?' && (want < 0x20 ||
						      want == 0x7f)));
	}
	FUZZ_CHECK(!utf8 ||
		   fuzz_utf8_valid((const unsigned char *)m->status, n));
}

static void check_one(const char *buf, size_t len,
		      const struct notify_msg *init, pid_t pid_max)
{
	struct notify_msg m = *init, want = *init;
	const char *status;
	size_t status_len = 0;
	bool ok;
	int r;

	r = notify_parse(buf, len, &m);
	ok = ref_parse(buf, len, &want, &status, &status_len, pid_max);
	FUZZ_CHECK(r == 0 || r == -EBADMSG);
	FUZZ_CHECK((r == 0) == ok);
	if (r < 0) {
		FUZZ_CHECK(memcmp(&m, init, sizeof(m)) == 0);
		return;
	}
	FUZZ_CHECK(m.ready == want.ready && m.stopping == want.stopping);
	FUZZ_CHECK(m.has_errno == want.has_errno && m.err == want.err);
	FUZZ_CHECK(m.has_mainpid == want.has_mainpid &&
		   m.mainpid == want.mainpid);
	FUZZ_CHECK(m.has_extend == want.has_extend &&
		   m.extend_usec == want.extend_usec);
	FUZZ_CHECK(m.has_status == want.has_status);
	FUZZ_CHECK(!m.has_errno || (m.err > 0 && m.err <= 4095));
	FUZZ_CHECK(!m.has_mainpid || (m.mainpid >= 2 && m.mainpid <= pid_max));
	if (status)
		check_status(&m, status, status_len);
	else
		FUZZ_CHECK(memcmp(m.status, init->status,
				  sizeof(m.status)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pid_t pid_max;
	struct notify_msg fresh, earlier;
	char *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	if (!pid_max)
		pid_max = util_pid_max();
	memcpy(buf, data, size);

	memset(&fresh, 0, sizeof(fresh));
	check_one(buf, size, &fresh, pid_max);

	/* What an earlier datagram left, which this one must only update. */
	memset(&earlier, 0, sizeof(earlier));
	earlier.ready = true;
	earlier.has_errno = true;
	earlier.err = 5;
	earlier.has_mainpid = true;
	earlier.mainpid = 1234;
	earlier.has_status = true;
	strcpy(earlier.status, "loading");
	earlier.has_extend = true;
	earlier.extend_usec = 42;
	check_one(buf, size, &earlier, pid_max);
	free(buf);
	return 0;
}
