/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Resource limits, I/O and CPU scheduling, OOM score: parsed before the
 * fork, applied in the daemon with raw system calls (see rlimits.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rlimits.h"
#include "util.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(RLIMIT_RTTIME < LIMITS_NRES, "resource numbers above 15");

/* ioprio_set(2)'s encoding; the kernel ABI, also where <linux/ioprio.h>
 * is too old or missing. */
#define IOPRIO_CLASS_SHIFT	13
#define IOPRIO_CLASS_RT		1
#define IOPRIO_CLASS_BE		2
#define IOPRIO_CLASS_IDLE	3
#define IOPRIO_WHO_PROCESS	1

#define OOM_SCORE_ADJ_MAX	1000

/* How a resource's values are written. */
enum unit {
	UNIT_COUNT,	/* a plain number: descriptors, seconds, ... */
	UNIT_BYTES,	/* a size: K, M, G allowed */
	UNIT_NICE,	/* 0..40, or a signed nice value */
	UNIT_RTPRIO,	/* 0..99 */
};

struct resource {
	const char *name;
	const char *option;	/* for error reports */
	int number;
	enum unit unit;
};

static const struct resource resources[] = {
	{ "as",		"--limit as",		RLIMIT_AS,		UNIT_BYTES },
	{ "core",	"--limit core",		RLIMIT_CORE,		UNIT_BYTES },
	{ "cpu",	"--limit cpu",		RLIMIT_CPU,		UNIT_COUNT },
	{ "data",	"--limit data",		RLIMIT_DATA,		UNIT_BYTES },
	{ "fsize",	"--limit fsize",	RLIMIT_FSIZE,		UNIT_BYTES },
	{ "locks",	"--limit locks",	RLIMIT_LOCKS,		UNIT_COUNT },
	{ "memlock",	"--limit memlock",	RLIMIT_MEMLOCK,		UNIT_BYTES },
	{ "msgqueue",	"--limit msgqueue",	RLIMIT_MSGQUEUE,	UNIT_BYTES },
	{ "nice",	"--limit nice",		RLIMIT_NICE,		UNIT_NICE },
	{ "nofile",	"--limit nofile",	RLIMIT_NOFILE,		UNIT_COUNT },
	{ "nproc",	"--limit nproc",	RLIMIT_NPROC,		UNIT_COUNT },
	{ "rss",	"--limit rss",		RLIMIT_RSS,		UNIT_BYTES },
	{ "rtprio",	"--limit rtprio",	RLIMIT_RTPRIO,		UNIT_RTPRIO },
	{ "rttime",	"--limit rttime",	RLIMIT_RTTIME,		UNIT_COUNT },
	{ "sigpending",	"--limit sigpending",	RLIMIT_SIGPENDING,	UNIT_COUNT },
	{ "stack",	"--limit stack",	RLIMIT_STACK,		UNIT_BYTES },
};

void limits_plan_init(struct limits_plan *p)
{
	memset(p, 0, sizeof(*p));
}

bool limits_plan_empty(const struct limits_plan *p)
{
	size_t i;

	for (i = 0; i < LIMITS_NRES; i++)
		if (p->rlim[i].set)
			return false;
	return !p->set_ioprio && !p->set_sched && !p->set_oom;
}

static const struct resource *find_resource(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(resources); i++)
		if (strlen(resources[i].name) == len &&
		    strncasecmp(resources[i].name, name, len) == 0)
			return &resources[i];
	return NULL;
}

const char *limits_resource_name(int resource)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(resources); i++)
		if (resources[i].number == resource)
			return resources[i].name;
	return NULL;
}

const char *limits_item_str(int item)
{
	size_t i;

	switch (item) {
	case LIMITS_ITEM_IOSCHED:
		return "--iosched";
	case LIMITS_ITEM_PROCSCHED:
		return "--procsched";
	case LIMITS_ITEM_OOM_SCORE_ADJ:
		return "--oom-score-adj";
	}
	for (i = 0; i < ARRAY_SIZE(resources); i++)
		if (item == LIMITS_ITEM_RLIMIT + resources[i].number)
			return resources[i].option;
	return "resource settings";
}

/* ------------------------------------------------------------ values */

static int fail(const char **why, const char *text, int err)
{
	*why = text;
	return err;
}

static bool is_word(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && strncmp(s, word, len) == 0;
}

/* An unsigned number of len bytes at s, at most max: the one parser's
 * rules (no sign, blanks or leading zero), with the given suffixes. */
static int parse_unsigned(const char *s, size_t len, long long max,
			  const struct util_suffix *suffixes, uint64_t *v)
{
	long long n;
	int r;

	r = util_parse_num(s, len, 0, max, suffixes, UTIL_NUM_NO_LEADING_ZERO,
			   &n);
	if (r == 0)
		*v = (uint64_t)n;
	return r;
}

/* Sizes in powers of 1024, either case. */
static const struct util_suffix size_suffixes[] = {
	{ "K", 1LL << 10 }, { "k", 1LL << 10 },
	{ "M", 1LL << 20 }, { "m", 1LL << 20 },
	{ "G", 1LL << 30 }, { "g", 1LL << 30 },
	{ NULL, 0 },
};

/* A number with an optional K, M or G. Up to 2^63 - 1 bytes: more than
 * any machine has, and what a long long holds. */
static int parse_size(const char *s, size_t len, uint64_t *v,
		      const char **why)
{
	int r;

	r = parse_unsigned(s, len, LLONG_MAX, size_suffixes, v);
	if (r == -ERANGE)
		return fail(why, "too large", r);
	if (r < 0)
		return fail(why, "not a number, size or 'unlimited'", r);
	return 0;
}

/* "+N" or "-N": a nice value (-20..19) as the raw limit 20 - nice. */
static int parse_nice(const char *s, size_t len, uint64_t *v,
		      const char **why)
{
	long long n;
	int r;

	if (s[0] == '+' || s[0] == '-') {
		/* The parser takes no '+': skip it, and take no '-' then. */
		r = s[0] == '+' ? util_parse_num(s + 1, len - 1, 0, 19, NULL,
						 UTIL_NUM_NO_LEADING_ZERO, &n)
				: util_parse_num(s, len, -20, 0, NULL,
						 UTIL_NUM_NO_LEADING_ZERO, &n);
		if (r == -ERANGE)
			return fail(why, "a nice value is -20..19", r);
		if (r < 0)
			return fail(why, "not a number", r);
		*v = (uint64_t)(20 - n);
		return 0;
	}
	r = parse_unsigned(s, len, 40, NULL, v);
	if (r == -ERANGE)
		return fail(why, "the raw nice limit is 0..40 (or a signed nice value)", r);
	if (r < 0)
		return fail(why, "not a number", r);
	return 0;
}

/* One value of a limit, of len bytes at s. */
static int parse_value(const struct resource *res, const char *s,
		       size_t len, uint64_t *v, const char **why)
{
	int r;

	if (is_word(s, len, "unlimited") || is_word(s, len, "infinity")) {
		*v = LIMITS_INFINITY;
		return 0;
	}
	switch (res->unit) {
	case UNIT_BYTES:
		return parse_size(s, len, v, why);
	case UNIT_NICE:
		if (len == 0)
			break;
		return parse_nice(s, len, v, why);
	case UNIT_RTPRIO:
		r = parse_unsigned(s, len, 99, NULL, v);
		if (r == -ERANGE)
			return fail(why, "a real-time priority limit is 0..99", r);
		if (r == 0)
			return 0;
		break;
	case UNIT_COUNT:
		r = parse_unsigned(s, len, LLONG_MAX, NULL, v);
		if (r == -ERANGE)
			return fail(why, "too large", r);
		if (r == 0)
			return 0;
		if (parse_unsigned(s, len, LLONG_MAX, size_suffixes, v) !=
		    -EINVAL)
			return fail(why, "a size suffix fits only a limit in bytes",
				    -EINVAL);
		break;
	}
	return fail(why, "not a number or 'unlimited'", -EINVAL);
}

static int parse_pair(const struct resource *res, const char *s,
		      struct limits_rlimit *out, const char **why)
{
	const char *colon = strchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : strlen(s);
	int r;

	if (len == 0)
		return fail(why, "no soft limit given", -EINVAL);
	if ((r = parse_value(res, s, len, &out->soft, why)))
		return r;
	out->hard = out->soft;
	if (!colon)
		return 0;
	if (!colon[1])
		return fail(why, "no hard limit after ':'", -EINVAL);
	if ((r = parse_value(res, colon + 1, strlen(colon + 1), &out->hard,
			     why)))
		return r;
	if (out->soft > out->hard)
		return fail(why, "the soft limit is above the hard limit",
			    -EINVAL);
	return 0;
}

int limits_parse_limit(struct limits_plan *p, const char *arg,
		       const char **why)
{
	const struct resource *res;
	struct limits_rlimit rl = { .set = true };
	const char *eq;
	int r;

	if (!arg || !*arg)
		return fail(why, "empty: NAME=SOFT[:HARD] wanted", -EINVAL);
	eq = strchr(arg, '=');
	if (!eq)
		return fail(why, "NAME=SOFT[:HARD] wanted", -EINVAL);
	res = find_resource(arg, (size_t)(eq - arg));
	if (!res)
		return fail(why, "unknown resource (see --help for the names)",
			    -EINVAL);
	if ((r = parse_pair(res, eq + 1, &rl, why)))
		return r;
	/* The kernel refuses an infinite descriptor limit (fs.nr_open). */
	if (res->number == RLIMIT_NOFILE && rl.hard == LIMITS_INFINITY)
		return fail(why, "the descriptor limit cannot be unlimited",
			    -ERANGE);
	p->rlim[res->number] = rl;
	return 0;
}

/* ---------------------------------------------------- scheduling, OOM */

/* NAME[:NUMBER]: the name's length; *num NULL when no ':' follows. */
static size_t split_colon(const char *arg, const char **num)
{
	const char *colon = strchr(arg, ':');

	*num = colon ? colon + 1 : NULL;
	return colon ? (size_t)(colon - arg) : strlen(arg);
}

int limits_parse_iosched(struct limits_plan *p, const char *arg,
			 const char **why)
{
	const char *num;
	uint64_t level;
	size_t len;
	int class, r;

	if (!arg || !*arg)
		return fail(why, "empty: CLASS[:LEVEL] wanted", -EINVAL);
	len = split_colon(arg, &num);
	if (is_word(arg, len, "idle"))
		class = IOPRIO_CLASS_IDLE;
	else if (is_word(arg, len, "best-effort"))
		class = IOPRIO_CLASS_BE;
	else if (is_word(arg, len, "real-time") || is_word(arg, len, "realtime"))
		class = IOPRIO_CLASS_RT;
	else
		return fail(why, "unknown class: idle, best-effort or real-time wanted",
			    -EINVAL);
	level = class == IOPRIO_CLASS_IDLE ? 0 : 4;
	if (num) {
		r = parse_unsigned(num, strlen(num), 7, NULL, &level);
		if (r == -ERANGE)
			return fail(why, "the level is 0..7", r);
		if (r < 0)
			return fail(why, "the level is not a number", r);
	}
	p->set_ioprio = true;
	p->ioprio = class << IOPRIO_CLASS_SHIFT | (int)level;
	return 0;
}

int limits_parse_procsched(struct limits_plan *p, const char *arg,
			   const char **why)
{
	static const struct { const char *name; int policy; } policies[] = {
		{ "other", SCHED_OTHER }, { "fifo", SCHED_FIFO },
		{ "rr", SCHED_RR }, { "batch", SCHED_BATCH },
		{ "idle", SCHED_IDLE },
	};
	const char *num;
	uint64_t prio;
	size_t len, i;
	int lo, hi, r;

	if (!arg || !*arg)
		return fail(why, "empty: POLICY[:PRIORITY] wanted", -EINVAL);
	len = split_colon(arg, &num);
	for (i = 0; i < ARRAY_SIZE(policies); i++)
		if (is_word(arg, len, policies[i].name))
			break;
	if (i == ARRAY_SIZE(policies))
		return fail(why, "unknown policy: other, fifo, rr, batch or idle wanted",
			    -EINVAL);
	lo = sched_get_priority_min(policies[i].policy);
	hi = sched_get_priority_max(policies[i].policy);
	if (lo < 0 || hi < lo)
		return fail(why, "this kernel does not know the policy", -EINVAL);
	prio = (uint64_t)lo;
	if (num) {
		r = parse_unsigned(num, strlen(num), hi, NULL, &prio);
		if (r == -EINVAL)
			return fail(why, "the priority is not a number", r);
		if (r < 0 || prio < (uint64_t)lo)
			return fail(why, hi ? "the priority is out of the policy's range (1..99 for fifo and rr)"
					    : "this policy takes priority 0 only",
				    -ERANGE);
	}
	p->set_sched = true;
	p->sched_policy = policies[i].policy;
	p->sched_priority = (int)prio;
	return 0;
}

int limits_parse_oom_score_adj(struct limits_plan *p, const char *arg,
			       const char **why)
{
	long long v;
	int r;

	if (!arg || !*arg)
		return fail(why, "empty: a number -1000..1000 wanted", -EINVAL);
	r = util_parse_num(arg, strlen(arg), -OOM_SCORE_ADJ_MAX,
			   OOM_SCORE_ADJ_MAX, NULL, UTIL_NUM_NO_LEADING_ZERO, &v);
	if (r == -ERANGE)
		return fail(why, "the adjustment is -1000..1000", r);
	if (r < 0)
		return fail(why, "not a number", r);
	p->set_oom = true;
	p->oom_score_adj = (int)v;
	return 0;
}

/* ------------------------------------------------------ in the daemon */

/* prlimit64(2)'s own structure: 64 bits on every ABI, so "unlimited"
 * and large sizes mean the same on 32-bit systems. */
struct kernel_rlimit64 {
	uint64_t cur;
	uint64_t max;
};

static int set_rlimit(int resource, const struct limits_rlimit *rl)
{
	struct kernel_rlimit64 k = { .cur = rl->soft, .max = rl->hard };

	if (syscall(SYS_prlimit64, 0, resource, &k, NULL) < 0)
		return -errno;
	return 0;
}

static int set_ioprio(int ioprio)
{
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, ioprio) < 0)
		return -errno;
	return 0;
}

static int set_sched(int policy, int priority)
{
	struct sched_param sp = { .sched_priority = priority };

	if (syscall(SYS_sched_setscheduler, 0, policy, &sp) < 0)
		return -errno;
	return 0;
}

static int set_oom_score_adj(int adj)
{
	char buf[UTIL_INT_TEXT];
	size_t len = util_format_int(buf, adj);
	int fd, e;

	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	e = util_write_all(fd, buf, len);
	if (close(fd) < 0 && e == 0 && errno != EINTR)
		e = -errno;
	return e;
}

int limits_apply(const struct limits_plan *p, int *failed)
{
	int dummy, *item = failed ? failed : &dummy;
	int res, e;

	/* Before the limits: it opens a /proc file, which a descriptor
	 * limit the daemon asked for may leave no room for. */
	*item = LIMITS_ITEM_OOM_SCORE_ADJ;
	if (p->set_oom && (e = set_oom_score_adj(p->oom_score_adj)))
		return e;
	/* Then limits: a raised rtprio limit is what lets an unprivileged
	 * daemon choose a real-time policy below. */
	for (res = 0; res < LIMITS_NRES; res++) {
		*item = LIMITS_ITEM_RLIMIT + res;
		if (p->rlim[res].set && (e = set_rlimit(res, &p->rlim[res])))
			return e;
	}
	*item = LIMITS_ITEM_IOSCHED;
	if (p->set_ioprio && (e = set_ioprio(p->ioprio)))
		return e;
	*item = LIMITS_ITEM_PROCSCHED;
	if (p->set_sched && (e = set_sched(p->sched_policy, p->sched_priority)))
		return e;
	*item = LIMITS_ITEM_NONE;
	return 0;
}
