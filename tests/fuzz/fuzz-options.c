/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tools' number options against a reference reading:
 *  - cli_parse_long() with the ranges the tools use (--nicelevel -20..19,
 *    --wait, --timeout, --user) and the extremes of a long: digits with a
 *    '-' only where negatives are allowed, nothing else, in range;
 *  - dctl_umask_parse(), the library's reading of daemon-start's --umask:
 *    1 to 4 octal digits, at most 0777.
 * A value cli_parse_long() refuses prints one line naming the option
 * (captured here); the library prints nothing, refused or not.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>

#include "cli.h"
#include "daemonctl.h"
#include "fuzz.h"

/* The messages cli_error() prints, captured. */
static char *msg;
static size_t msg_len;

static void capture_stderr(void)
{
	static bool done;

	if (done)
		return;
	stderr = open_memstream(&msg, &msg_len);
	FUZZ_CHECK(stderr != NULL);
	done = true;
}

/* What was printed since the last call: one line naming opt, or nothing. */
static void check_message(bool printed, const char *opt, const char *arg)
{
	fflush(stderr);
	if (!printed) {
		FUZZ_CHECK(msg_len == 0);
		return;
	}
	FUZZ_CHECK(msg_len > 0 && msg[msg_len - 1] == '\n');
	/* cli.c cuts a line at 1024 bytes: a huge value hides the option. */
	if (strlen(arg) < 512)
		FUZZ_CHECK(memmem(msg, msg_len, opt, strlen(opt)) != NULL);
	/* One line, unless the value itself brought a newline. */
	if (!strchr(arg, '\n'))
		FUZZ_CHECK(memchr(msg, '\n', msg_len) == msg + msg_len - 1);
	rewind(stderr);
	msg_len = 0;
	fflush(stderr);
}

/* -?[0-9]+ within [min, max], the '-' only if min < 0. */
static bool ref_long(const char *s, long min, long max, long *out)
{
	__int128 v = 0;
	bool neg = false;

	if (*s == '-' && min < 0) {
		neg = true;
		s++;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v <= (__int128)LONG_MAX + 1)
			v = v * 10 + (*s - '0');
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return false;
	*out = (long)v;
	return true;
}

static bool ref_umask(const char *s, mode_t *out)
{
	size_t n = strlen(s), i;
	unsigned v = 0;

	if (n == 0 || n > 4)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '7')
			return false;
		v = v * 8 + (unsigned)(s[i] - '0');
	}
	if (v > 0777)
		return false;
	*out = (mode_t)v;
	return true;
}

static void check_long(const char *arg, long min, long max)
{
	long v = 12345, want = 0;
	bool ok = ref_long(arg, min, max, &want);
	int r;

	r = cli_parse_long("--opt", arg, min, max, &v);
	FUZZ_CHECK(r == 0 || r == -1);
	FUZZ_CHECK((r == 0) == ok);
	if (r == 0)
		FUZZ_CHECK(v == want && v >= min && v <= max);
	else
		FUZZ_CHECK(v == 12345);
	check_message(r != 0, "--opt", arg);
}

static void check_umask(const char *arg)
{
	mode_t m = 01000, want = 0;
	bool ok = ref_umask(arg, &want);
	int r;

	r = dctl_umask_parse(arg, &m);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	FUZZ_CHECK((r == 0) == ok);
	if (r == 0)
		FUZZ_CHECK(m == want && m <= 0777);
	else
		FUZZ_CHECK(m == 01000);
	check_message(false, "--umask", arg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long ranges[][2] = {
		{ -20, 19 }, { 0, 86400000 }, { 1, 86400 },
		{ 0, (long)UINT32_MAX - 1 }, { LONG_MIN, LONG_MAX },
		{ 0, LONG_MAX }, { -1, 0 },
	};
	char *arg = malloc(size + 1);
	size_t i;

	if (!arg)
		return 0;
	capture_stderr();
	memcpy(arg, data, size);
	arg[size] = '\0';
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		check_long(arg, ranges[i][0], ranges[i][1]);
	check_umask(arg);
	free(arg);
	return 0;
}
