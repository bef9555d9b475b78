/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dctl_pid_parse() against an independent reading of the pidfile grammar
 * (at most 64 bytes of ^[0-9]+\n?$, no NUL, 2..pid_max), for several
 * pid_max values. Both the verdict and the fault named must agree.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "daemonctl.h"
#include "util.h"
#include "fuzz.h"

/* The same grammar, read a different way: shape first, then the value. */
static int ref_parse(const char *buf, size_t len, pid_t pid_max, pid_t *pid,
		     enum dctl_pid_fault *fault)
{
	size_t digits = 0, first, i;
	unsigned long long v = 0;

	*fault = DCTL_PID_OK;
	if (len > DCTL_PIDFILE_MAX)
		*fault = DCTL_PID_TOO_LARGE;
	else if (len == 0)
		*fault = DCTL_PID_EMPTY;
	else if (memchr(buf, '\0', len))
		*fault = DCTL_PID_NUL;
	if (*fault != DCTL_PID_OK)
		return -1;

	while (digits < len && buf[digits] >= '0' && buf[digits] <= '9')
		digits++;
	if (digits == 0) {
		*fault = DCTL_PID_NOT_NUMBER;
		return -1;
	}
	if (len - digits > 1 || (len - digits == 1 && buf[digits] != '\n')) {
		*fault = DCTL_PID_TRAILING;
		return -1;
	}

	/* Leading zeros do not count; more than 10 digits left is > INT_MAX. */
	for (first = 0; first + 1 < digits && buf[first] == '0'; first++)
		;
	if (digits - first > 10) {
		*fault = DCTL_PID_OUT_OF_RANGE;
		return -1;
	}
	for (i = first; i < digits; i++)
		v = v * 10 + (unsigned long long)(buf[i] - '0');
	if (v < 2)
		*fault = DCTL_PID_ZERO_OR_ONE;
	else if (v > (unsigned long long)pid_max)
		*fault = DCTL_PID_OUT_OF_RANGE;
	if (*fault != DCTL_PID_OK)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

static void check_one(const char *buf, size_t len, pid_t pid_max)
{
	enum dctl_pid_fault fault = (enum dctl_pid_fault)-1, want_fault;
	pid_t pid = -7, want_pid = -7, pid2 = -7;
	int r, want, r2;

	r = dctl_pid_parse(buf, len, pid_max, &pid, &fault);
	want = ref_parse(buf, len, pid_max, &want_pid, &want_fault);

	if (r == 0) {
		FUZZ_CHECK(want == 0);
		FUZZ_CHECK(fault == DCTL_PID_OK);
		FUZZ_CHECK(pid >= 2 && pid <= pid_max);
		FUZZ_CHECK(pid == want_pid);
	} else {
		FUZZ_CHECK(r == -EBADMSG);
		FUZZ_CHECK(want != 0);
		FUZZ_CHECK(fault != DCTL_PID_OK);
		FUZZ_CHECK(fault == want_fault);
		FUZZ_CHECK(pid == -7);
	}
	FUZZ_CHECK(dctl_pid_fault_str(fault) != NULL);

	/* Without a fault pointer the verdict is the same. */
	r2 = dctl_pid_parse(buf, len, pid_max, &pid2, NULL);
	FUZZ_CHECK(r2 == r);
	FUZZ_CHECK(r != 0 || pid2 == pid);
}

/* pid_max <= 0 means the running kernel's. */
static void check_default(const char *buf, size_t len, pid_t kernel_max)
{
	pid_t a = 0, b = 0;
	int ra, rb;

	ra = dctl_pid_parse(buf, len, 0, &a, NULL);
	rb = dctl_pid_parse(buf, len, kernel_max, &b, NULL);
	FUZZ_CHECK(ra == rb && a == b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const pid_t maxes[] = { 2, 3, 99, 32768, 4194304, INT_MAX };
	static pid_t kernel_max;
	/* A copy of exactly size bytes, so that ASan sees any over-read. */
	char *buf = malloc(size ? size : 1);
	size_t i;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++)
		check_one(buf, size, maxes[i]);
	if (!kernel_max)
		kernel_max = util_pid_max();
	check_one(buf, size, kernel_max);
	check_default(buf, size, kernel_max);
	free(buf);
	return 0;
}
