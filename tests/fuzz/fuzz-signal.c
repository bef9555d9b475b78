/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dctl_signal_parse() against a reference built from the C library's own
 * signal abbreviations (sigabbrev_np), and dctl_signal_name() round trips:
 * every signal accepted is in 1..31 or SIGRTMIN..SIGRTMAX, has a name, and
 * its name, "SIG"+name and its number all parse back to it.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "daemonctl.h"
#include "fuzz.h"

static bool ref_valid(long sig)
{
	return (sig >= 1 && sig <= 31) || (sig >= SIGRTMIN && sig <= SIGRTMAX);
}

/* Digits only, no leading zero, no sign; saturates above 1000000. */
static bool ref_number(const char *s, long *v)
{
	size_t i, n = strlen(s);

	if (n == 0 || (s[0] == '0' && n > 1))
		return false;
	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (*v < 1000000)
			*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* "RTMIN", "RTMIN+k", "RTMAX", "RTMAX-k", case-insensitively, k >= 1. */
static bool ref_rt(const char *s, int *sig)
{
	long k = 0, v;
	int dir;

	if (strncasecmp(s, "RTMIN", 5) == 0)
		dir = 1;
	else if (strncasecmp(s, "RTMAX", 5) == 0)
		dir = -1;
	else
		return false;
	if (s[5]) {
		if (s[5] != (dir > 0 ? '+' : '-') || !ref_number(s + 6, &k) ||
		    k == 0)
			return false;
	}
	v = dir > 0 ? SIGRTMIN + k : SIGRTMAX - k;
	if (v < SIGRTMIN || v > SIGRTMAX)
		return false;
	*sig = (int)v;
	return true;
}

static bool ref_name(const char *s, int *sig)
{
	const char *abbrev;
	int i;

	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	/* glibc calls 29 POLL; IO is its other name. */
	if (strcasecmp(s, "IO") == 0 || strcasecmp(s, "POLL") == 0) {
		*sig = SIGIO;
		return true;
	}
	for (i = 1; i <= 31; i++) {
		abbrev = sigabbrev_np(i);
		if (abbrev && strcasecmp(s, abbrev) == 0) {
			*sig = i;
			return true;
		}
	}
	return ref_rt(s, sig);
}

static bool ref_parse(const char *s, int *sig)
{
	long v;

	if (s[0] >= '0' && s[0] <= '9') {
		if (!ref_number(s, &v) || !ref_valid(v))
			return false;
		*sig = (int)v;
		return true;
	}
	return s[0] && ref_name(s, sig);
}

/* What every valid signal must satisfy, checked once. */
static void check_names(void)
{
	char text[32];
	const char *name;
	int sig, got;

	for (sig = -2; sig <= SIGRTMAX + 2; sig++) {
		name = dctl_signal_name(sig);
		FUZZ_CHECK((name != NULL) == ref_valid(sig));
		if (!name)
			continue;
		FUZZ_CHECK(dctl_signal_parse(name, &got) == 0 && got == sig);
		snprintf(text, sizeof(text), "SIG%s", name);
		FUZZ_CHECK(dctl_signal_parse(text, &got) == 0 && got == sig);
		snprintf(text, sizeof(text), "%d", sig);
		FUZZ_CHECK(dctl_signal_parse(text, &got) == 0 && got == sig);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool names_checked;
	char *text = malloc(size + 1);
	int sig = -1, want = -1, r;
	bool ok;

	if (!text)
		return 0;
	if (!names_checked) {
		check_names();
		names_checked = true;
	}
	memcpy(text, data, size);
	text[size] = '\0';

	r = dctl_signal_parse(text, &sig);
	ok = ref_parse(text, &want);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	FUZZ_CHECK((r == 0) == ok);
	if (r == 0) {
		FUZZ_CHECK(sig == want);
		FUZZ_CHECK(ref_valid(sig));
		FUZZ_CHECK(dctl_signal_name(sig) != NULL);
	} else {
		FUZZ_CHECK(sig == -1);
	}
	free(text);
	return 0;
}
