/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --limit, --iosched, --procsched, --oom-score-adj: the parsers against
 * tables of good and bad values, and limits_apply() for real in forked
 * children (as root, and as nobody), read back from /proc and the
 * kernel's own getters, also through recipe_launch() and exec.
 */
#include "resources.h"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "rlimits.h"

#define INF LIMITS_INFINITY
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define CAP_SYS_RESOURCE_NR 24

/* ------------------------------------------------------------ parsing */

struct good_limit {
	const char *arg;
	int resource;
	uint64_t soft, hard;
};

static const struct good_limit good_limits[] = {
	{ "nofile=1024", RLIMIT_NOFILE, 1024, 1024 },
	{ "nofile=1024:65536", RLIMIT_NOFILE, 1024, 65536 },
	{ "NOFILE=10", RLIMIT_NOFILE, 10, 10 },
	{ "nofile=0", RLIMIT_NOFILE, 0, 0 },
	{ "core=unlimited", RLIMIT_CORE, INF, INF },
	{ "core=0:unlimited", RLIMIT_CORE, 0, INF },
	{ "fsize=infinity", RLIMIT_FSIZE, INF, INF },
	{ "as=1G", RLIMIT_AS, 1ULL << 30, 1ULL << 30 },
	{ "stack=8M:16m", RLIMIT_STACK, 8ULL << 20, 16ULL << 20 },
	{ "memlock=64K", RLIMIT_MEMLOCK, 65536, 65536 },
	{ "memlock=64k:1g", RLIMIT_MEMLOCK, 65536, 1ULL << 30 },
	{ "msgqueue=819200", RLIMIT_MSGQUEUE, 819200, 819200 },
	{ "rss=2G", RLIMIT_RSS, 2ULL << 30, 2ULL << 30 },
	{ "data=0K", RLIMIT_DATA, 0, 0 },
	{ "as=9223372036854775807", RLIMIT_AS, INT64_MAX, INT64_MAX },
	{ "as=8589934591G", RLIMIT_AS, 8589934591ULL << 30,
	  8589934591ULL << 30 },
	{ "cpu=3600", RLIMIT_CPU, 3600, 3600 },
	{ "rttime=1000000:unlimited", RLIMIT_RTTIME, 1000000, INF },
	{ "nproc=512", RLIMIT_NPROC, 512, 512 },
	{ "locks=10", RLIMIT_LOCKS, 10, 10 },
	{ "sigpending=100:200", RLIMIT_SIGPENDING, 100, 200 },
	{ "nice=0", RLIMIT_NICE, 0, 0 },
	{ "nice=40", RLIMIT_NICE, 40, 40 },
	{ "nice=-10", RLIMIT_NICE, 30, 30 },
	{ "nice=-20", RLIMIT_NICE, 40, 40 },
	{ "nice=+19", RLIMIT_NICE, 1, 1 },
	{ "nice=-0", RLIMIT_NICE, 20, 20 },
	{ "nice=+0:-5", RLIMIT_NICE, 20, 25 },
	{ "rtprio=99", RLIMIT_RTPRIO, 99, 99 },
	{ "rtprio=0:50", RLIMIT_RTPRIO, 0, 50 },
	{ "rtprio=unlimited", RLIMIT_RTPRIO, INF, INF },
};

static void test_limit_good(void **state)
{
	struct limits_plan p;
	const char *why;
	size_t i;
	int res;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good_limits); i++) {
		const struct good_limit *g = &good_limits[i];

		limits_plan_init(&p);
		why = NULL;
		if (limits_parse_limit(&p, g->arg, &why) != 0)
			fail_msg("'%s' refused: %s", g->arg, why);
		for (res = 0; res < LIMITS_NRES; res++)
			assert_int_equal(p.rlim[res].set, res == g->resource);
		if (p.rlim[g->resource].soft != g->soft ||
		    p.rlim[g->resource].hard != g->hard)
			fail_msg("'%s': %llu:%llu", g->arg,
				 (unsigned long long)p.rlim[g->resource].soft,
				 (unsigned long long)p.rlim[g->resource].hard);
		assert_false(limits_plan_empty(&p));
	}
}

struct bad_value {
	const char *arg;
	int err;
};

static const struct bad_value bad_limits[] = {
	{ "", -EINVAL }, { "nofile", -EINVAL }, { "=5", -EINVAL },
	{ "nofiles=5", -EINVAL }, { "no file=5", -EINVAL },
	{ "nofile=", -EINVAL }, { "nofile=:5", -EINVAL },
	{ "nofile=5:", -EINVAL }, { "nofile=5:6:7", -EINVAL },
	{ "nofile=-1", -EINVAL }, { "nofile=+1", -EINVAL },
	{ "nofile= 5", -EINVAL }, { "nofile=5 ", -EINVAL },
	{ " nofile=5", -EINVAL }, { "nofile=0x10", -EINVAL },
	{ "nofile=010", -EINVAL }, { "nofile=1.5", -EINVAL },
	{ "nofile=1K", -EINVAL }, { "cpu=1M", -EINVAL },
	{ "nproc=2g", -EINVAL }, { "nofile=UNLIMITED", -EINVAL },
	{ "nofile=unlimited", -ERANGE }, { "nofile=1:unlimited", -ERANGE },
	{ "nofile=5:4", -EINVAL }, { "core=unlimited:5", -EINVAL },
	{ "as=1T", -EINVAL }, { "as=K", -EINVAL }, { "as=1KB", -EINVAL },
	{ "as=18446744073709551615", -ERANGE },
	{ "as=9223372036854775808", -ERANGE }, { "as=8589934592G", -ERANGE },
	{ "as=99999999999999999999", -ERANGE },
	{ "as=17179869184G", -ERANGE }, { "cpu=18446744073709551615", -ERANGE },
	{ "nice=41", -ERANGE }, { "nice=-21", -ERANGE },
	{ "nice=+20", -ERANGE }, { "nice=+", -EINVAL }, { "nice=-", -EINVAL },
	{ "nice=1K", -EINVAL }, { "nice=--1", -EINVAL },
	{ "rtprio=100", -ERANGE }, { "rtprio=-1", -EINVAL },
};

/* Every malformed value is refused with a reason, the plan untouched. */
static void test_limit_bad(void **state)
{
	struct limits_plan p, before;
	const char *why;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad_limits); i++) {
		limits_plan_init(&p);
		assert_int_equal(limits_parse_limit(&p, "core=7", &why), 0);
		before = p;
		why = NULL;
		r = limits_parse_limit(&p, bad_limits[i].arg, &why);
		if (r != bad_limits[i].err)
			fail_msg("'%s': %d, not %d", bad_limits[i].arg, r,
				 bad_limits[i].err);
		assert_non_null(why);
		assert_memory_equal(&p, &before, sizeof(p));
	}
	assert_int_equal(limits_parse_limit(&p, NULL, &why), -EINVAL);
}

/* A later --limit of a resource replaces the earlier; others stay. */
static void test_limit_repeated(void **state)
{
	struct limits_plan p;
	const char *why;

	(void)state;
	limits_plan_init(&p);
	assert_true(limits_plan_empty(&p));
	assert_int_equal(limits_parse_limit(&p, "nofile=10:20", &why), 0);
	assert_int_equal(limits_parse_limit(&p, "core=0", &why), 0);
	assert_int_equal(limits_parse_limit(&p, "nofile=30", &why), 0);
	assert_true(p.rlim[RLIMIT_NOFILE].soft == 30 &&
		    p.rlim[RLIMIT_NOFILE].hard == 30);
	assert_true(p.rlim[RLIMIT_CORE].set && p.rlim[RLIMIT_CORE].hard == 0);
}

static void test_iosched(void **state)
{
	static const struct { const char *arg; int ioprio; } good[] = {
		{ "idle", 3 << 13 }, { "idle:7", 3 << 13 | 7 },
		{ "best-effort", 2 << 13 | 4 }, { "best-effort:0", 2 << 13 },
		{ "real-time:7", 1 << 13 | 7 }, { "realtime:1", 1 << 13 | 1 },
		{ "real-time", 1 << 13 | 4 },
	};
	static const struct bad_value bad[] = {
		{ "", -EINVAL }, { "best", -EINVAL }, { "Idle", -EINVAL },
		{ "best-effort:", -EINVAL }, { "best-effort:8", -ERANGE },
		{ "best-effort:-1", -EINVAL }, { "real-time:1:2", -EINVAL },
		{ "best-effort: 1", -EINVAL }, { ":4", -EINVAL },
		{ "idle:07", -EINVAL }, { "none", -EINVAL },
	};
	struct limits_plan p;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		limits_plan_init(&p);
		assert_int_equal(limits_parse_iosched(&p, good[i].arg, &why), 0);
		assert_true(p.set_ioprio);
		assert_int_equal(p.ioprio, good[i].ioprio);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		limits_plan_init(&p);
		why = NULL;
		if (limits_parse_iosched(&p, bad[i].arg, &why) != bad[i].err)
			fail_msg("'%s' not refused as expected", bad[i].arg);
		assert_non_null(why);
		assert_false(p.set_ioprio);
	}
}

static void test_procsched(void **state)
{
	static const struct { const char *arg; int policy, prio; } good[] = {
		{ "other", SCHED_OTHER, 0 }, { "other:0", SCHED_OTHER, 0 },
		{ "fifo", SCHED_FIFO, 1 }, { "fifo:99", SCHED_FIFO, 99 },
		{ "rr:50", SCHED_RR, 50 }, { "batch", SCHED_BATCH, 0 },
		{ "idle", SCHED_IDLE, 0 },
	};
	static const struct bad_value bad[] = {
		{ "", -EINVAL }, { "deadline", -EINVAL }, { "FIFO", -EINVAL },
		{ "fifo:0", -ERANGE }, { "fifo:100", -ERANGE },
		{ "other:1", -ERANGE }, { "batch:5", -ERANGE },
		{ "fifo:", -EINVAL }, { "fifo:x", -EINVAL },
		{ "rr:01", -EINVAL }, { "rr:-1", -EINVAL },
		{ "fifo:1:2", -EINVAL },
	};
	struct limits_plan p;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		limits_plan_init(&p);
		assert_int_equal(limits_parse_procsched(&p, good[i].arg, &why),
				 0);
		assert_true(p.set_sched);
		assert_int_equal(p.sched_policy, good[i].policy);
		assert_int_equal(p.sched_priority, good[i].prio);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		limits_plan_init(&p);
		why = NULL;
		if (limits_parse_procsched(&p, bad[i].arg, &why) != bad[i].err)
			fail_msg("'%s' not refused as expected", bad[i].arg);
		assert_non_null(why);
		assert_false(p.set_sched);
	}
}

static void test_oom_score_adj(void **state)
{
	static const struct { const char *arg; int v; } good[] = {
		{ "-1000", -1000 }, { "1000", 1000 }, { "0", 0 },
		{ "-0", 0 }, { "500", 500 }, { "-1", -1 },
	};
	static const struct bad_value bad[] = {
		{ "", -EINVAL }, { "1001", -ERANGE }, { "-1001", -ERANGE },
		{ "+5", -EINVAL }, { "--5", -EINVAL }, { "5x", -EINVAL },
		{ " 5", -EINVAL }, { "-", -EINVAL }, { "0500", -EINVAL },
		{ "99999999999999999999999", -ERANGE },
	};
	struct limits_plan p;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		limits_plan_init(&p);
		assert_int_equal(limits_parse_oom_score_adj(&p, good[i].arg,
							    &why), 0);
		assert_true(p.set_oom);
		assert_int_equal(p.oom_score_adj, good[i].v);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		limits_plan_init(&p);
		why = NULL;
		if (limits_parse_oom_score_adj(&p, bad[i].arg, &why) !=
		    bad[i].err)
			fail_msg("'%s' not refused as expected", bad[i].arg);
		assert_non_null(why);
		assert_false(p.set_oom);
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(limits_item_str(LIMITS_ITEM_RLIMIT + RLIMIT_NOFILE),
			    "--limit nofile");
	assert_string_equal(limits_item_str(LIMITS_ITEM_RLIMIT + RLIMIT_RTTIME),
			    "--limit rttime");
	assert_string_equal(limits_item_str(LIMITS_ITEM_IOSCHED), "--iosched");
	assert_string_equal(limits_item_str(LIMITS_ITEM_PROCSCHED),
			    "--procsched");
	assert_string_equal(limits_item_str(LIMITS_ITEM_OOM_SCORE_ADJ),
			    "--oom-score-adj");
	assert_non_null(limits_item_str(12345));
	assert_string_equal(limits_resource_name(RLIMIT_MEMLOCK), "memlock");
	assert_null(limits_resource_name(LIMITS_NRES));
}

/* --------------------------------------------------- applying, as root */

/*
 * The soft and hard fields of /proc/self/limits's line for what (its
 * label, e.g. "Max open files"), as the kernel prints them.
 */
static bool proc_limit(const char *text, const char *what, char *soft,
		       char *hard)
{
	const char *at = strstr(text, what);

	return at && sscanf(at + strlen(what), " %31s %31s", soft, hard) == 2;
}

static bool limit_is(const char *what, const char *soft, const char *hard)
{
	char text[4096], s[32], h[32];

	return res_read("/proc/self/limits", text, sizeof(text)) &&
	       proc_limit(text, what, s, h) && strcmp(s, soft) == 0 &&
	       strcmp(h, hard) == 0;
}

static int parse_all(struct limits_plan *p, const char *const *args)
{
	const char *why;

	limits_plan_init(p);
	for (; *args; args++) {
		int r;

		if (!strncmp(*args, "io:", 3))
			r = limits_parse_iosched(p, *args + 3, &why);
		else if (!strncmp(*args, "sched:", 6))
			r = limits_parse_procsched(p, *args + 6, &why);
		else if (!strncmp(*args, "oom:", 4))
			r = limits_parse_oom_score_adj(p, *args + 4, &why);
		else
			r = limits_parse_limit(p, *args, &why);
		if (r)
			return r;
	}
	return 0;
}

static int ioprio_get_self(void)
{
	return (int)syscall(SYS_ioprio_get, 1, 0);
}

static int child_apply_root(void *arg)
{
	static const char *const args[] = {
		"nofile=100:200", "core=0:unlimited", "as=1G",
		"io:best-effort:2", "sched:batch", "oom:500", NULL,
	};
	struct limits_plan p;
	struct rlimit rl;
	char buf[32];
	int failed = -1;

	(void)arg;
	if (parse_all(&p, args))
		return 1;
	if (limits_apply(&p, &failed) || failed != LIMITS_ITEM_NONE)
		return 2;
	if (!limit_is("Max open files", "100", "200"))
		return 3;
	if (!limit_is("Max core file size", "0", "unlimited"))
		return 4;
	if (!limit_is("Max address space", "1073741824", "1073741824"))
		return 5;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur != 100 ||
	    rl.rlim_max != 200)
		return 6;
	if (ioprio_get_self() != (2 << 13 | 2))
		return 7;
	if (sched_getscheduler(0) != SCHED_BATCH)
		return 8;
	if (!res_read("/proc/self/oom_score_adj", buf, sizeof(buf)) ||
	    strcmp(buf, "500\n") != 0)
		return 9;
	return 0;
}

static void test_apply_root(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(res_in_child(child_apply_root, NULL), 0);
}

/*
 * A descriptor limit that leaves no descriptor free is the daemon's to
 * ask for: the OOM score, which needs one to open /proc, must still be
 * set, not fail as if --oom-score-adj were at fault.
 */
static int child_no_free_fd(void *arg)
{
	struct limits_plan p;
	struct rlimit rl;
	char spec[64], buf[32];
	const char *why;
	int lowest, failed = -1;

	(void)arg;
	lowest = dup(0);
	if (lowest < 0 || close(lowest))
		return 1;
	snprintf(spec, sizeof(spec), "nofile=%d:%d", lowest, lowest + 8);
	limits_plan_init(&p);
	if (limits_parse_limit(&p, spec, &why) ||
	    limits_parse_oom_score_adj(&p, "321", &why))
		return 2;
	if (limits_apply(&p, &failed) || failed != LIMITS_ITEM_NONE)
		return 3;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur != (rlim_t)lowest)
		return 4;
	/* Room again, to read the score back. */
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) ||
	    !res_read("/proc/self/oom_score_adj", buf, sizeof(buf)) ||
	    strcmp(buf, "321\n") != 0)
		return 5;
	return 0;
}

static void test_no_free_fd(void **state)
{
	(void)state;
	assert_int_equal(res_in_child(child_no_free_fd, NULL), 0);
}

/* The privileged ones: a real-time I/O class and CPU policy. */
static int child_apply_realtime(void *arg)
{
	static const char *const args[] = {
		"io:real-time:3", "sched:fifo:10", "oom:-500", NULL,
	};
	struct sched_param sp;
	struct limits_plan p;
	char buf[32];
	bool lower_oom = res_have_cap(CAP_SYS_RESOURCE_NR);

	(void)arg;
	if (parse_all(&p, args))
		return 1;
	/* Lowering the OOM score needs CAP_SYS_RESOURCE, which a container
	 * may lack; the rest is checked either way. */
	p.set_oom = lower_oom;
	if (limits_apply(&p, NULL))
		return 2;
	if (ioprio_get_self() != (1 << 13 | 3))
		return 3;
	if (sched_getscheduler(0) != SCHED_FIFO ||
	    sched_getparam(0, &sp) || sp.sched_priority != 10)
		return 4;
	if (lower_oom && (!res_read("/proc/self/oom_score_adj", buf,
				    sizeof(buf)) || strcmp(buf, "-500\n")))
		return 5;
	return 0;
}

static void test_apply_realtime(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(res_in_child(child_apply_realtime, NULL), 0);
}

/*
 * The order the recipe relies on: root raises a hard limit above its
 * own, then switches user; the unprivileged process keeps it.
 */
static int child_raise_then_switch(void *arg)
{
	struct limits_plan p;
	struct rlimit rl;
	char spec[64];
	const char *why;

	(void)arg;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_max < 64)
		return 1;
	snprintf(spec, sizeof(spec), "nofile=32:%llu",
		 (unsigned long long)rl.rlim_max + 64);
	limits_plan_init(&p);
	if (limits_parse_limit(&p, spec, &why))
		return 2;
	if (limits_apply(&p, NULL))
		return 3;
	if (!res_become_nobody())
		return 4;
	snprintf(spec, sizeof(spec), "%llu",
		 (unsigned long long)rl.rlim_max + 64);
	if (!limit_is("Max open files", "32", spec))
		return 5;
	/* And nobody may use the headroom it was given. */
	limits_plan_init(&p);
	snprintf(spec, sizeof(spec), "nofile=%llu",
		 (unsigned long long)rl.rlim_max + 64);
	if (limits_parse_limit(&p, spec, &why) || limits_apply(&p, NULL))
		return 6;
	return 0;
}

static void test_raise_before_switch(void **state)
{
	(void)state;
	if (geteuid() != 0 || !res_have_cap(CAP_SYS_RESOURCE_NR))
		skip();
	assert_int_equal(res_in_child(child_raise_then_switch, NULL), 0);
}

/* ------------------------------------------------ applying, as nobody */

static int child_nobody_lowers(void *arg)
{
	static const char *const args[] = {
		"nofile=64:128", "core=0", "io:idle", "sched:idle", "oom:900",
		NULL,
	};
	struct limits_plan p;
	char buf[32];

	(void)arg;
	if (!res_become_nobody())
		return 1;
	if (parse_all(&p, args))
		return 2;
	if (limits_apply(&p, NULL))
		return 3;
	if (!limit_is("Max open files", "64", "128") ||
	    !limit_is("Max core file size", "0", "0"))
		return 4;
	if (ioprio_get_self() >> 13 != 3)
		return 5;
	if (sched_getscheduler(0) != SCHED_IDLE)
		return 6;
	if (!res_read("/proc/self/oom_score_adj", buf, sizeof(buf)) ||
	    strcmp(buf, "900\n") != 0)
		return 7;
	return 0;
}

static void test_nobody_lowers(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(res_in_child(child_nobody_lowers, NULL), 0);
}

/* What an unprivileged process may not do, each reported as the item
 * that failed, with the kernel's errno; what came before stays done. */
static int child_nobody_refused(void *arg)
{
	struct limits_plan p;
	struct rlimit rl = { 0, 0 };
	char spec[64];
	const char *why;
	int failed, e;

	(void)arg;
	/* No real-time priority for nobody, whatever we inherited. */
	if (setrlimit(RLIMIT_RTPRIO, &rl) || !res_become_nobody())
		return 1;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 2;

	snprintf(spec, sizeof(spec), "nofile=16:%llu",
		 (unsigned long long)rl.rlim_max + 1);
	limits_plan_init(&p);
	if (limits_parse_limit(&p, spec, &why))
		return 3;
	e = limits_apply(&p, &failed);
	if (e != -EPERM || failed != LIMITS_ITEM_RLIMIT + RLIMIT_NOFILE)
		return 4;

	/* core lowered first (resource order), then fifo refused. */
	limits_plan_init(&p);
	if (limits_parse_limit(&p, "core=0", &why) ||
	    limits_parse_procsched(&p, "fifo:10", &why))
		return 5;
	e = limits_apply(&p, &failed);
	if (e != -EPERM || failed != LIMITS_ITEM_PROCSCHED)
		return 6;
	if (!limit_is("Max core file size", "0", "0") ||
	    sched_getscheduler(0) != SCHED_OTHER)
		return 7;

	limits_plan_init(&p);
	if (limits_parse_iosched(&p, "real-time:0", &why))
		return 8;
	e = limits_apply(&p, &failed);
	if (e != -EPERM || failed != LIMITS_ITEM_IOSCHED)
		return 9;

	/* Our score is 0: going below it takes privilege. */
	limits_plan_init(&p);
	if (limits_parse_oom_score_adj(&p, "-100", &why))
		return 10;
	e = limits_apply(&p, &failed);
	if (e != -EACCES || failed != LIMITS_ITEM_OOM_SCORE_ADJ)
		return 11;
	return 0;
}

static void test_nobody_refused(void **state)
{
	char buf[32];

	(void)state;
	if (geteuid() != 0)
		skip();
	/* The refusal below assumes we start from the default score. */
	assert_true(res_read("/proc/self/oom_score_adj", buf, sizeof(buf)));
	if (strcmp(buf, "0\n") != 0)
		skip();
	assert_int_equal(res_in_child(child_nobody_refused, NULL), 0);
}

/* ------------------------------------------- in a launched daemon */

static int setup_limits(void *arg)
{
	return limits_apply(arg, NULL) ? 1 : 0;
}

/* The way the recipe will run it: in a recipe_launch() child, sharing
 * our memory, then exec; what the program itself sees is read back. */
static int child_launched(void *arg)
{
	static const char *const args[] = {
		"nofile=50:60", "stack=4M:unlimited", "sched:batch", "oom:321",
		NULL,
	};
	static char *const argv[] = {
		"/bin/cat", "/proc/self/limits", "/proc/self/oom_score_adj",
		"/proc/self/sched", NULL,
	};
	struct limits_plan p;
	char out[16384], s[32], h[32];
	const char *policy;

	(void)arg;
	if (parse_all(&p, args))
		return 1;
	if (res_launch(setup_limits, &p, argv, out, sizeof(out)) != 0)
		return 2;
	if (!proc_limit(out, "Max open files", s, h) || strcmp(s, "50") ||
	    strcmp(h, "60"))
		return 3;
	if (!proc_limit(out, "Max stack size", s, h) ||
	    strcmp(s, "4194304") || strcmp(h, "unlimited"))
		return 4;
	if (!strstr(out, "\n321\n"))
		return 5;
	/* /proc/PID/sched: "policy : 3" is SCHED_BATCH. */
	policy = strstr(out, "\npolicy");
	if (!policy || atoi(strchr(policy, ':') + 1) != SCHED_BATCH)
		return 6;
	return 0;
}

static void test_launched(void **state)
{
	(void)state;
	if (access("/bin/cat", X_OK) != 0 ||
	    access("/proc/self/sched", R_OK) != 0)
		skip();
	assert_int_equal(res_in_child(child_launched, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit_good),
		cmocka_unit_test(test_limit_bad),
		cmocka_unit_test(test_limit_repeated),
		cmocka_unit_test(test_iosched),
		cmocka_unit_test(test_procsched),
		cmocka_unit_test(test_oom_score_adj),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_apply_root),
		cmocka_unit_test(test_no_free_fd),
		cmocka_unit_test(test_apply_realtime),
		cmocka_unit_test(test_raise_before_switch),
		cmocka_unit_test(test_nobody_lowers),
		cmocka_unit_test(test_nobody_refused),
		cmocka_unit_test(test_launched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
