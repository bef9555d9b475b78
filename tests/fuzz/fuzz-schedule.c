/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dctl_schedule_parse() against a reference reading of the --retry grammar,
 * and its invariants: at most 32 steps, valid signals, timeouts >= 0,
 * "forever" once at most, never last, and followed by a real wait (else
 * stop would spin sending signals); a refused text leaves *out as it was;
 * a parsed schedule formats (dctl_schedule_format) to
 * a text that parses to the identical schedule, and a short buffer gets a
 * NUL-terminated prefix of that text with the full length returned.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "daemonctl.h"
#include "fuzz.h"

/* The reference's own model of a schedule, independent of the library's. */
#define REF_MAX 32

struct ref_step {
	enum dctl_step_kind kind;
	int value;
};

struct ref_schedule {
	size_t n;
	struct ref_step step[REF_MAX];
};

static bool sig_valid(int sig)
{
	return (sig >= 1 && sig <= 31) || (sig >= SIGRTMIN && sig <= SIGRTMAX);
}

/* Digits, leading zeros allowed, value at most INT_MAX. */
static bool ref_timeout(const char *s, size_t len, int *secs)
{
	long long v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
		if (v > INT_MAX)
			return false;
	}
	*secs = (int)v;
	return len > 0;
}

static bool ref_item(const char *s, size_t len, struct ref_step *st)
{
	char name[64];

	if (len == 0)
		return false;
	if (s[0] >= '0' && s[0] <= '9') {
		st->kind = DCTL_STEP_TIMEOUT;
		return ref_timeout(s, len, &st->value);
	}
	if (len == 7 && memcmp(s, "forever", 7) == 0) {
		st->kind = DCTL_STEP_FOREVER;
		st->value = 0;
		return true;
	}
	if (s[0] == '-') {
		s++;
		len--;
	}
	/* A bare number is a timeout, so "-9" can only be signal 9: the
	 * signal parser takes numbers too. */
	if (len == 0 || len >= sizeof(name))
		return false;
	memcpy(name, s, len);
	name[len] = '\0';
	st->kind = DCTL_STEP_SIGNAL;
	return dctl_signal_parse(name, &st->value) == 0;
}

static bool ref_structure(const struct ref_schedule *s)
{
	size_t i, forever = s->n;
	bool waits = false;

	for (i = 0; i < s->n; i++) {
		if (s->step[i].kind != DCTL_STEP_FOREVER)
			continue;
		if (forever < s->n)
			return false;
		forever = i;
	}
	for (i = forever + 1; i < s->n; i++)
		waits |= s->step[i].kind == DCTL_STEP_TIMEOUT &&
			 s->step[i].value > 0;
	return forever == s->n || waits;
}

static bool ref_parse(const char *text, int sig, struct ref_schedule *s)
{
	const char *p = text, *end;
	struct ref_step st;

	s->n = 0;
	if (sig == 0)
		sig = SIGTERM;
	if (!*text || !sig_valid(sig))
		return false;
	if (!strchr(text, '/')) {
		if (!ref_item(text, strlen(text), &st) ||
		    st.kind != DCTL_STEP_TIMEOUT)
			return false;
		s->n = 4;
		s->step[0] = (struct ref_step){ DCTL_STEP_SIGNAL, sig };
		s->step[1] = (struct ref_step){ DCTL_STEP_TIMEOUT, st.value };
		s->step[2] = (struct ref_step){ DCTL_STEP_SIGNAL, SIGKILL };
		s->step[3] = (struct ref_step){ DCTL_STEP_TIMEOUT, st.value };
		return true;
	}
	for (;;) {
		end = strchrnul(p, '/');
		if (s->n == REF_MAX ||
		    !ref_item(p, (size_t)(end - p), &s->step[s->n]))
			return false;
		s->n++;
		if (!*end)
			break;
		p = end + 1;
	}
	return ref_structure(s);
}

/* The library's schedule, read through its getters. */
static void read_back(const struct dctl_schedule *s, struct ref_schedule *out)
{
	size_t i;

	out->n = dctl_schedule_get_count(s);
	FUZZ_CHECK(out->n <= REF_MAX);
	for (i = 0; i < out->n; i++)
		FUZZ_CHECK(dctl_schedule_get_step(s, i, &out->step[i].kind,
						  &out->step[i].value) == 0);
	FUZZ_CHECK(dctl_schedule_get_step(s, out->n, NULL, NULL) == -EINVAL);
}

static bool same_schedule(const struct ref_schedule *a,
			  const struct ref_schedule *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->step[i].kind != b->step[i].kind ||
		    a->step[i].value != b->step[i].value)
			return false;
	return true;
}

/* The steps themselves, whatever text they came from. */
static void check_steps(const struct ref_schedule *s)
{
	size_t i, forever = s->n;
	bool loop_waits = false;

	FUZZ_CHECK(s->n >= 1 && s->n <= REF_MAX);
	for (i = 0; i < s->n; i++) {
		const struct ref_step *st = &s->step[i];

		switch (st->kind) {
		case DCTL_STEP_SIGNAL:
			FUZZ_CHECK(sig_valid(st->value));
			break;
		case DCTL_STEP_TIMEOUT:
			FUZZ_CHECK(st->value >= 0);
			if (forever < s->n && st->value > 0)
				loop_waits = true;
			break;
		case DCTL_STEP_FOREVER:
			FUZZ_CHECK(forever == s->n);
			forever = i;
			break;
		default:
			FUZZ_CHECK(!"unknown step kind");
		}
	}
	FUZZ_CHECK(forever == s->n || forever + 1 < s->n);
	/* A loop of zero-second waits would signal as fast as it can. */
	FUZZ_CHECK(forever == s->n || loop_waits);
}

/* Format, parse back, and the snprintf contract on short buffers. */
static void check_format(const struct dctl_schedule *s, int sig)
{
	struct ref_schedule mine, theirs;
	struct dctl_schedule *back = NULL;
	char *text, small[16];
	size_t cut;
	int len, r;

	len = dctl_schedule_format(s, NULL, 0);
	FUZZ_CHECK(len > 0);
	text = malloc((size_t)len + 1);
	FUZZ_CHECK(text != NULL);
	FUZZ_CHECK(dctl_schedule_format(s, text, (size_t)len + 1) == len);
	FUZZ_CHECK(strlen(text) == (size_t)len);

	r = dctl_schedule_parse(text, sig, &back);
	FUZZ_CHECK(r == 0);
	read_back(s, &mine);
	read_back(back, &theirs);
	FUZZ_CHECK(same_schedule(&mine, &theirs));
	dctl_schedule_free(back);

	for (cut = 1; cut <= sizeof(small); cut++) {
		memset(small, 'x', sizeof(small));
		FUZZ_CHECK(dctl_schedule_format(s, small, cut) == len);
		FUZZ_CHECK(memchr(small, '\0', cut) != NULL);
		FUZZ_CHECK(strncmp(small, text, strlen(small)) == 0);
		FUZZ_CHECK(strlen(small) == ((size_t)len < cut ? (size_t)len
							       : cut - 1));
	}
	free(text);
}

static void check_one(const char *text, int sig)
{
	struct dctl_schedule *s, *before = (struct dctl_schedule *)&s;
	struct ref_schedule got, want;
	bool ok;
	int r;

	s = before;
	r = dctl_schedule_parse(text, sig, &s);
	ok = ref_parse(text, sig, &want);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
	FUZZ_CHECK((r == 0) == ok);
	if (r < 0) {
		FUZZ_CHECK(s == before);
		return;
	}
	read_back(s, &got);
	FUZZ_CHECK(same_schedule(&got, &want));
	check_steps(&got);
	check_format(s, sig);
	dctl_schedule_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The --signal values a bare timeout may use; 32 is never valid. */
	static const int sigs[] = { 0, SIGHUP, SIGUSR2, 40, 32, -1 };
	char *text = malloc(size + 1);
	size_t i;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		check_one(text, sigs[i]);
	free(text);
	return 0;
}
