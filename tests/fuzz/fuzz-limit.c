/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The four option parsers of limits.c (--limit, --iosched, --procsched,
 * --oom-score-adj), each given every input, against reference readings
 * written here from the grammar in rlimits.h: a text is accepted exactly
 * when the reference accepts it, with the same values; a refused one
 * leaves the plan as it was, says why, and is -EINVAL or -ERANGE. Nothing
 * is applied: the fuzzer's own limits stay as they are.
 */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "rlimits.h"
#include "fuzz.h"

#define INF LIMITS_INFINITY

enum kind { BYTES, COUNT, NICE, RTPRIO };

static const struct { const char *name; int res; enum kind kind; } names[] = {
	{ "as", RLIMIT_AS, BYTES }, { "core", RLIMIT_CORE, BYTES },
	{ "cpu", RLIMIT_CPU, COUNT }, { "data", RLIMIT_DATA, BYTES },
	{ "fsize", RLIMIT_FSIZE, BYTES }, { "locks", RLIMIT_LOCKS, COUNT },
	{ "memlock", RLIMIT_MEMLOCK, BYTES },
	{ "msgqueue", RLIMIT_MSGQUEUE, BYTES }, { "nice", RLIMIT_NICE, NICE },
	{ "nofile", RLIMIT_NOFILE, COUNT }, { "nproc", RLIMIT_NPROC, COUNT },
	{ "rss", RLIMIT_RSS, BYTES }, { "rtprio", RLIMIT_RTPRIO, RTPRIO },
	{ "rttime", RLIMIT_RTTIME, COUNT },
	{ "sigpending", RLIMIT_SIGPENDING, COUNT },
	{ "stack", RLIMIT_STACK, BYTES },
};

/* Digits without a superfluous leading zero, as a wide number (so that
 * overflow shows as a value too large, not as wrapped). */
static bool ref_number(const char *s, size_t len, unsigned __int128 *v)
{
	size_t i;

	if (len == 0 || len > 30 || (s[0] == '0' && len > 1))
		return false;
	*v = 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}

static bool ref_value(enum kind kind, const char *s, size_t len,
		      uint64_t *out)
{
	unsigned __int128 v, mult = 1;
	char last = len ? s[len - 1] : 0;

	if ((len == 9 && !memcmp(s, "unlimited", 9)) ||
	    (len == 8 && !memcmp(s, "infinity", 8))) {
		*out = INF;
		return true;
	}
	if (kind == NICE && len > 0 && (s[0] == '-' || s[0] == '+')) {
		if (!ref_number(s + 1, len - 1, &v))
			return false;
		if (s[0] == '-' ? v > 20 : v > 19)
			return false;
		*out = s[0] == '-' ? 20 + (uint64_t)v : 20 - (uint64_t)v;
		return true;
	}
	if (kind == BYTES && len > 1 && strchr("kKmMgG", last) && last) {
		mult = last == 'k' || last == 'K' ? 1024 :
		       last == 'm' || last == 'M' ? 1024 * 1024 :
						    1024 * 1024 * 1024;
		len--;
	}
	if (!ref_number(s, len, &v))
		return false;
	v *= mult;
	if (v > INT64_MAX || (kind == NICE && v > 40) || (kind == RTPRIO && v > 99))
		return false;
	*out = (uint64_t)v;
	return true;
}

/* NAME=SOFT[:HARD] into *res and *rl, or false. */
static bool ref_limit(const char *text, int *res, struct limits_rlimit *rl)
{
	const char *eq = strchr(text, '='), *v, *colon;
	size_t i, nlen;

	if (!eq)
		return false;
	nlen = (size_t)(eq - text);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == nlen &&
		    !strncasecmp(names[i].name, text, nlen))
			break;
	if (i == sizeof(names) / sizeof(names[0]))
		return false;
	*res = names[i].res;
	v = eq + 1;
	colon = strchr(v, ':');
	if (!ref_value(names[i].kind, v, colon ? (size_t)(colon - v) : strlen(v),
		       &rl->soft))
		return false;
	rl->hard = rl->soft;
	if (colon && !ref_value(names[i].kind, colon + 1, strlen(colon + 1),
				&rl->hard))
		return false;
	if (rl->soft > rl->hard)
		return false;
	return !(*res == RLIMIT_NOFILE && rl->hard == INF);
}

/* One digit 0..7 at most; an absent level takes the default. */
static bool ref_iosched(const char *text, int *ioprio)
{
	static const struct { const char *name; int class; } classes[] = {
		{ "idle", 3 }, { "best-effort", 2 }, { "real-time", 1 },
		{ "realtime", 1 },
	};
	const char *colon = strchr(text, ':');
	size_t len = colon ? (size_t)(colon - text) : strlen(text), i;
	int level;

	for (i = 0; i < 4; i++)
		if (strlen(classes[i].name) == len &&
		    !strncmp(classes[i].name, text, len))
			break;
	if (i == 4)
		return false;
	level = classes[i].class == 3 ? 0 : 4;
	if (colon) {
		if (strlen(colon + 1) != 1 || colon[1] < '0' || colon[1] > '7')
			return false;
		level = colon[1] - '0';
	}
	*ioprio = classes[i].class << 13 | level;
	return true;
}

static bool ref_procsched(const char *text, int *policy, int *prio)
{
	static const struct { const char *name; int policy, lo, hi; } p[] = {
		{ "other", SCHED_OTHER, 0, 0 }, { "fifo", SCHED_FIFO, 1, 99 },
		{ "rr", SCHED_RR, 1, 99 }, { "batch", SCHED_BATCH, 0, 0 },
		{ "idle", SCHED_IDLE, 0, 0 },
	};
	const char *colon = strchr(text, ':');
	size_t len = colon ? (size_t)(colon - text) : strlen(text), i;
	unsigned __int128 v;

	for (i = 0; i < 5; i++)
		if (strlen(p[i].name) == len && !strncmp(p[i].name, text, len))
			break;
	if (i == 5)
		return false;
	*policy = p[i].policy;
	*prio = p[i].lo;
	if (!colon)
		return true;
	if (!ref_number(colon + 1, strlen(colon + 1), &v) ||
	    v < (unsigned)p[i].lo || v > (unsigned)p[i].hi)
		return false;
	*prio = (int)v;
	return true;
}

static bool ref_oom(const char *text, int *adj)
{
	bool neg = text[0] == '-';
	unsigned __int128 v;

	if (!ref_number(text + neg, strlen(text + neg), &v) || v > 1000)
		return false;
	*adj = neg ? -(int)v : (int)v;
	return true;
}

/* A plan with something in it already, to see that a refusal keeps it. */
static void start_plan(struct limits_plan *p)
{
	const char *why;

	limits_plan_init(p);
	FUZZ_CHECK(limits_parse_limit(p, "core=1:2", &why) == 0);
	FUZZ_CHECK(limits_parse_procsched(p, "batch", &why) == 0);
}

static void check_refused(int r, const char *why, const struct limits_plan *p,
			  const struct limits_plan *before)
{
	FUZZ_CHECK(r == -EINVAL || r == -ERANGE);
	FUZZ_CHECK(why != NULL && *why);
	FUZZ_CHECK(memcmp(p, before, sizeof(*p)) == 0);
}

static void check_limit(const char *text)
{
	struct limits_plan p, before;
	struct limits_rlimit rl;
	const char *why = NULL;
	bool ok;
	int r, res = -1, i;

	start_plan(&p);
	before = p;
	ok = ref_limit(text, &res, &rl);
	r = limits_parse_limit(&p, text, &why);
	FUZZ_CHECK((r == 0) == ok);
	if (r) {
		check_refused(r, why, &p, &before);
		return;
	}
	for (i = 0; i < LIMITS_NRES; i++) {
		if (i == res)
			continue;
		FUZZ_CHECK(memcmp(&p.rlim[i], &before.rlim[i],
				  sizeof(p.rlim[i])) == 0);
	}
	FUZZ_CHECK(p.rlim[res].set);
	FUZZ_CHECK(p.rlim[res].soft == rl.soft && p.rlim[res].hard == rl.hard);
	FUZZ_CHECK(p.rlim[res].soft <= p.rlim[res].hard);
}

static void check_iosched(const char *text)
{
	struct limits_plan p, before;
	const char *why = NULL;
	int r, ioprio = 0;
	bool ok;

	start_plan(&p);
	before = p;
	ok = ref_iosched(text, &ioprio);
	r = limits_parse_iosched(&p, text, &why);
	FUZZ_CHECK((r == 0) == ok);
	if (r) {
		check_refused(r, why, &p, &before);
		return;
	}
	FUZZ_CHECK(p.set_ioprio && p.ioprio == ioprio);
}

static void check_procsched(const char *text)
{
	struct limits_plan p, before;
	const char *why = NULL;
	int r, policy = 0, prio = 0;
	bool ok;

	start_plan(&p);
	before = p;
	ok = ref_procsched(text, &policy, &prio);
	r = limits_parse_procsched(&p, text, &why);
	FUZZ_CHECK((r == 0) == ok);
	if (r) {
		check_refused(r, why, &p, &before);
		return;
	}
	FUZZ_CHECK(p.set_sched && p.sched_policy == policy &&
		   p.sched_priority == prio);
}

static void check_oom(const char *text)
{
	struct limits_plan p, before;
	const char *why = NULL;
	int r, adj = 0;
	bool ok;

	start_plan(&p);
	before = p;
	ok = ref_oom(text, &adj);
	r = limits_parse_oom_score_adj(&p, text, &why);
	FUZZ_CHECK((r == 0) == ok);
	if (r) {
		check_refused(r, why, &p, &before);
		return;
	}
	FUZZ_CHECK(p.set_oom && p.oom_score_adj == adj);
	FUZZ_CHECK(adj >= -1000 && adj <= 1000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_limit(text);
	check_iosched(text);
	check_procsched(text);
	check_oom(text);
	free(text);
	return 0;
}
