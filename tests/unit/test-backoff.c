/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The respawn policy: option values, stable runs, the doubling delay, the
 * give-up window, and how a run's end is named. Times are handed in, so
 * every case is exact arithmetic and nothing sleeps. */
#include "unit.h"

#include "supervise.h"
#include "util.h"

#define MS 1000000LL
#define S 1000000000LL

static const struct sv_exit exit1 = { SV_EXIT_CODE, 1 };
static const struct sv_exit exit0 = { SV_EXIT_CODE, 0 };
static const struct sv_exit segv = { SV_EXIT_SIGNAL, SIGSEGV };
static const struct sv_exit enoent = { SV_EXIT_LAUNCH, ENOENT };

static void test_defaults(void **state)
{
	struct backoff_cfg c;

	(void)state;
	backoff_cfg_init(&c);
	assert_int_equal(c.policy, SV_RESPAWN_ALWAYS);
	assert_true(c.stable_ns == 10 * S);
	assert_true(c.delay_ns == 100 * MS);
	assert_true(c.delay_max_ns == 30 * S);
	assert_int_equal(c.limit_n, 0);
	assert_false(c.stable_from_ready);
	assert_int_equal(backoff_cfg_check(&c), 0);
}

static void test_cfg_refused(void **state)
{
	struct backoff_cfg c;

	(void)state;
	assert_int_equal(backoff_cfg_check(NULL), -EINVAL);

	backoff_cfg_init(&c);
	c.delay_max_ns = c.delay_ns - 1;	/* max below delay */
	assert_int_equal(backoff_cfg_check(&c), -EINVAL);

	backoff_cfg_init(&c);
	c.delay_ns = -1;
	c.delay_max_ns = -1;
	assert_int_equal(backoff_cfg_check(&c), -EINVAL);

	backoff_cfg_init(&c);
	c.stable_ns = -1;
	assert_int_equal(backoff_cfg_check(&c), -EINVAL);

	backoff_cfg_init(&c);
	c.limit_n = 5;				/* no window */
	assert_int_equal(backoff_cfg_check(&c), -EINVAL);
	c.limit_window_ns = 1;
	assert_int_equal(backoff_cfg_check(&c), 0);
	c.limit_n = SV_LIMIT_MAX + 1;
	assert_int_equal(backoff_cfg_check(&c), -EINVAL);

	backoff_cfg_init(&c);
	c.policy = SV_RESPAWN_NONE;
	assert_int_equal(backoff_cfg_check(&c), -EINVAL);

	/* Zero delays are a choice (restart at once, always), not an error. */
	backoff_cfg_init(&c);
	c.delay_ns = c.delay_max_ns = c.stable_ns = 0;
	assert_int_equal(backoff_cfg_check(&c), 0);
}

static void test_parse_policy(void **state)
{
	const char *bad[] = { "", "Always", "ALWAYS", "on_failure", "never",
			      "always ", " always", "on-failure=1", "1" };
	enum sv_respawn p = SV_RESPAWN_NONE;
	size_t i;

	(void)state;
	assert_int_equal(backoff_parse_policy(NULL, &p), 0);
	assert_int_equal(p, SV_RESPAWN_ALWAYS);
	p = SV_RESPAWN_NONE;
	assert_int_equal(backoff_parse_policy("always", &p), 0);
	assert_int_equal(p, SV_RESPAWN_ALWAYS);
	assert_int_equal(backoff_parse_policy("on-failure", &p), 0);
	assert_int_equal(p, SV_RESPAWN_ON_FAILURE);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = SV_RESPAWN_NONE;
		if (backoff_parse_policy(bad[i], &p) != -EINVAL ||
		    p != SV_RESPAWN_NONE)
			fail_msg("policy '%s' accepted", bad[i]);
	}
}

static void test_parse_limit(void **state)
{
	const struct {
		const char *text;
		int want;
	} bad[] = {
		{ "5", -EINVAL }, { "5/", -EINVAL }, { "/60", -EINVAL },
		{ "0/60", -EINVAL }, { "05/60", -EINVAL }, { "5/0", -EINVAL },
		{ "5/0.0", -EINVAL }, { "5/-1", -EINVAL }, { "-5/60", -EINVAL },
		{ "+5/60", -EINVAL }, { " 5/60", -EINVAL }, { "5 /60", -EINVAL },
		{ "5/60/1", -EINVAL }, { "5/60s", -EINVAL }, { "a/60", -EINVAL },
		{ "5.5/60", -EINVAL }, { "", -EINVAL },
		{ "1001/60", -ERANGE }, { "99999999999999999999/1", -ERANGE },
		{ "5/10000000001", -ERANGE },
	};
	int64_t w = 0;
	unsigned n = 0;
	size_t i;

	(void)state;
	assert_int_equal(backoff_parse_limit("5/60", &n, &w), 0);
	assert_int_equal(n, 5);
	assert_true(w == 60 * S);
	assert_int_equal(backoff_parse_limit("1/0.25", &n, &w), 0);
	assert_int_equal(n, 1);
	assert_true(w == 250 * MS);
	assert_int_equal(backoff_parse_limit("1000/1", &n, &w), 0);
	assert_int_equal(n, 1000);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 7;
		w = 7;
		if (backoff_parse_limit(bad[i].text, &n, &w) != bad[i].want ||
		    n != 7 || w != 7)
			fail_msg("limit '%s' not refused with %d", bad[i].text,
				 bad[i].want);
	}
	assert_int_equal(backoff_parse_limit(NULL, &n, &w), -EINVAL);
}

/* A backoff with the given delays, runs counted from their start. */
static void setup(struct backoff *b, int64_t stable, int64_t delay,
		  int64_t max)
{
	struct backoff_cfg c;

	backoff_cfg_init(&c);
	c.stable_ns = stable;
	c.delay_ns = delay;
	c.delay_max_ns = max;
	assert_int_equal(backoff_init(b, &c), 0);
}

static void test_doubling(void **state)
{
	const int64_t want[] = { 100 * MS, 200 * MS, 400 * MS, 800 * MS,
				 1600 * MS, 3200 * MS, 5 * S, 5 * S, 5 * S };
	struct backoff b;
	int64_t t = 1000 * S, d;
	size_t i;

	(void)state;
	setup(&b, 10 * S, 100 * MS, 5 * S);
	backoff_started(&b, t, false);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		t += 1 * S;	/* each run lives 1 s: unstable */
		assert_int_equal(backoff_exited(&b, t, &exit1, &d),
				 BACKOFF_LATER);
		if (d != want[i])
			fail_msg("run %zu: delay %lld, want %lld", i,
				 (long long)d, (long long)want[i]);
		t += d;
		backoff_started(&b, t, true);
	}
	assert_int_equal(b.restarts, i);
	backoff_free(&b);
}

static void test_stable_resets(void **state)
{
	struct backoff b;
	int64_t t = 5 * S, d;

	(void)state;
	setup(&b, 10 * S, 100 * MS, 30 * S);
	backoff_started(&b, t, false);
	/* Three quick crashes: 0.1, 0.2, 0.4. */
	assert_int_equal(backoff_exited(&b, t + 1, &segv, &d), BACKOFF_LATER);
	assert_true(d == 100 * MS);
	backoff_started(&b, t += d, true);
	assert_int_equal(backoff_exited(&b, t + 1, &segv, &d), BACKOFF_LATER);
	backoff_started(&b, t += d, true);
	assert_int_equal(backoff_exited(&b, t + 1, &segv, &d), BACKOFF_LATER);
	assert_true(d == 400 * MS);
	backoff_started(&b, t += d, true);
	/* Exactly the stable time: stable, at once. */
	t += 10 * S;
	assert_int_equal(backoff_exited(&b, t, &exit1, &d), BACKOFF_NOW);
	assert_true(d == 0);
	backoff_started(&b, t, true);
	/* The next crash starts the doubling from the beginning again. */
	assert_int_equal(backoff_exited(&b, t + 10 * S - 1, &exit1, &d),
			 BACKOFF_LATER);
	assert_true(d == 100 * MS);
	assert_int_equal(b.restarts, 4);
	backoff_free(&b);
}

static void test_stable_from_ready(void **state)
{
	struct backoff_cfg c;
	struct backoff b;
	int64_t t = 100 * S, d;

	(void)state;
	backoff_cfg_init(&c);
	c.stable_from_ready = true;
	assert_int_equal(backoff_init(&b, &c), 0);

	/* 20 s alive but never ready: not stable. */
	backoff_started(&b, t, false);
	assert_int_equal(backoff_exited(&b, t + 20 * S, &exit1, &d),
			 BACKOFF_LATER);
	t += 20 * S + d;

	/* Ready after 5 s, gone 7 s later: 7 s of service, not stable. */
	backoff_started(&b, t, true);
	backoff_ready(&b, t + 5 * S);
	assert_int_equal(backoff_exited(&b, t + 12 * S, &exit1, &d),
			 BACKOFF_LATER);
	assert_true(d == 200 * MS);
	t += 12 * S + d;

	/* Ready after 1 s, 11 s of service: stable. A second READY=1 (a
	 * reload) does not move the mark. */
	backoff_started(&b, t, true);
	backoff_ready(&b, t + 1 * S);
	backoff_ready(&b, t + 8 * S);
	assert_int_equal(backoff_exited(&b, t + 12 * S, &exit1, &d),
			 BACKOFF_NOW);
	backoff_free(&b);
}

static void test_policy(void **state)
{
	struct backoff_cfg c;
	struct backoff b;
	int64_t d;

	(void)state;
	backoff_cfg_init(&c);
	c.policy = SV_RESPAWN_ON_FAILURE;
	assert_int_equal(backoff_init(&b, &c), 0);
	backoff_started(&b, 0, false);
	assert_int_equal(backoff_exited(&b, 60 * S, &exit0, &d), BACKOFF_END);
	assert_int_equal(backoff_exited(&b, 60 * S, &exit1, &d), BACKOFF_NOW);
	assert_int_equal(backoff_exited(&b, 60 * S, &segv, &d), BACKOFF_NOW);
	assert_int_equal(backoff_exited(&b, 60 * S, &enoent, &d),
			 BACKOFF_LATER);
	backoff_free(&b);

	backoff_cfg_init(&c);
	assert_int_equal(backoff_init(&b, &c), 0);
	backoff_started(&b, 0, false);
	assert_int_equal(backoff_exited(&b, 60 * S, &exit0, &d), BACKOFF_NOW);
	assert_int_equal(backoff_exited(&b, 1 * S, &exit0, &d), BACKOFF_LATER);
	backoff_free(&b);
}

/* Even with every run called stable, a start that failed waits. */
static void test_launch_failure_never_stable(void **state)
{
	struct backoff b;
	int64_t d;

	(void)state;
	setup(&b, 0, 50 * MS, 1 * S);
	backoff_started(&b, 0, false);
	assert_int_equal(backoff_exited(&b, 0, &exit1, &d), BACKOFF_NOW);
	backoff_started(&b, 0, true);
	assert_int_equal(backoff_exited(&b, 0, &enoent, &d), BACKOFF_LATER);
	assert_true(d == 50 * MS);
	backoff_free(&b);
}

static void limited(struct backoff *b, int64_t stable, int64_t delay,
		    unsigned n, int64_t window)
{
	struct backoff_cfg c;

	backoff_cfg_init(&c);
	c.stable_ns = stable;
	c.delay_ns = delay;
	c.delay_max_ns = delay;
	c.limit_n = n;
	c.limit_window_ns = window;
	assert_int_equal(backoff_init(b, &c), 0);
}

static void test_limit_gives_up(void **state)
{
	struct backoff b;
	int64_t t = 0, d;
	int i;

	(void)state;
	/* 3 restarts in 10 s allowed; every run stable, restarts at once. */
	limited(&b, 0, 0, 3, 10 * S);
	backoff_started(&b, t, false);
	for (i = 0; i < 3; i++) {
		t += 1 * S;
		assert_int_equal(backoff_exited(&b, t, &exit1, &d), BACKOFF_NOW);
		backoff_started(&b, t, true);
	}
	/* The 4th restart would be at 4 s, the first was at 1 s. */
	assert_int_equal(backoff_exited(&b, t + 1 * S, &exit1, &d),
			 BACKOFF_GIVE_UP);
	assert_int_equal(b.restarts, 3);
	backoff_free(&b);
}

static void test_limit_window_slides(void **state)
{
	struct backoff b;
	int64_t t = 0, d;
	int i;

	(void)state;
	limited(&b, 0, 0, 3, 10 * S);
	backoff_started(&b, t, false);
	/* One restart every 4 s: never 4 within 10 s, never give up. */
	for (i = 0; i < 50; i++) {
		t += 4 * S;
		if (backoff_exited(&b, t, &exit1, &d) != BACKOFF_NOW)
			fail_msg("gave up at restart %d", i + 1);
		backoff_started(&b, t, true);
	}
	/* The last three restarts were at 192, 196 and 200 s. One at 205
	 * is 13 s after 192: allowed. */
	t += 5 * S;
	assert_int_equal(backoff_exited(&b, t, &exit1, &d), BACKOFF_NOW);
	backoff_started(&b, t, true);
	/* One at 205.5 would make 196, 200, 205 and itself: four in the
	 * 10 s ending at 205.5. */
	assert_int_equal(backoff_exited(&b, t + S / 2, &exit1, &d),
			 BACKOFF_GIVE_UP);
	backoff_free(&b);
}

/* A restart exactly one window after the oldest is outside its window. */
static void test_limit_boundary(void **state)
{
	struct backoff b;
	int64_t d;

	(void)state;
	limited(&b, 0, 0, 2, 10 * S);
	backoff_started(&b, 0, false);
	assert_int_equal(backoff_exited(&b, 1 * S, &exit1, &d), BACKOFF_NOW);
	backoff_started(&b, 1 * S, true);
	assert_int_equal(backoff_exited(&b, 2 * S, &exit1, &d), BACKOFF_NOW);
	backoff_started(&b, 2 * S, true);
	assert_int_equal(backoff_exited(&b, 11 * S, &exit1, &d), BACKOFF_NOW);
	backoff_started(&b, 11 * S, true);
	assert_int_equal(backoff_exited(&b, 12 * S - 1, &exit1, &d),
			 BACKOFF_GIVE_UP);
	backoff_free(&b);
}

/* The window is judged at the time the restart would happen, delay
 * included: a long delay can carry the restart out of the window. */
static void test_limit_counts_delay(void **state)
{
	struct backoff b;
	int64_t d;

	(void)state;
	limited(&b, 10 * S, 6 * S, 1, 5 * S);
	backoff_started(&b, 0, false);
	assert_int_equal(backoff_exited(&b, 1 * S, &exit1, &d), BACKOFF_LATER);
	assert_true(d == 6 * S);
	backoff_started(&b, 7 * S, true);
	/* Dies at 8 s; restart planned at 14 s, 7 s after the last one. */
	assert_int_equal(backoff_exited(&b, 8 * S, &exit1, &d), BACKOFF_LATER);
	backoff_free(&b);

	limited(&b, 10 * S, 1 * S, 1, 5 * S);
	backoff_started(&b, 0, false);
	assert_int_equal(backoff_exited(&b, 1 * S, &exit1, &d), BACKOFF_LATER);
	backoff_started(&b, 2 * S, true);
	assert_int_equal(backoff_exited(&b, 3 * S, &exit1, &d),
			 BACKOFF_GIVE_UP);
	backoff_free(&b);
}

static void test_exit_names(void **state)
{
	const struct sv_exit rt = { SV_EXIT_SIGNAL, 99 };
	const struct sv_exit none = { SV_EXIT_NONE, 0 };
	struct sv_exit e;
	char buf[128];
	siginfo_t si;

	(void)state;
	sv_exit_format(&exit1, buf, sizeof(buf));
	assert_string_equal(buf, "exit 1");
	sv_exit_format(&segv, buf, sizeof(buf));
	assert_string_equal(buf, "signal SEGV");
	sv_exit_format(&rt, buf, sizeof(buf));
	assert_string_equal(buf, "signal 99");
	sv_exit_format(&none, buf, sizeof(buf));
	assert_string_equal(buf, "none");
	sv_exit_format(&enoent, buf, sizeof(buf));
	assert_string_equal(buf, "start failed: No such file or directory");

	assert_false(sv_exit_failed(&exit0));
	assert_true(sv_exit_failed(&exit1));
	assert_true(sv_exit_failed(&segv));
	assert_true(sv_exit_failed(&enoent));
	assert_true(sv_exit_failed(&(struct sv_exit){ SV_EXIT_SIGNAL, 0 }));

	memset(&si, 0, sizeof(si));
	si.si_code = CLD_DUMPED;
	si.si_status = SIGABRT;
	sv_exit_from_siginfo(&e, &si);
	assert_int_equal(e.kind, SV_EXIT_SIGNAL);
	assert_int_equal(e.value, SIGABRT);
	si.si_code = CLD_EXITED;
	si.si_status = 3;
	sv_exit_from_siginfo(&e, &si);
	assert_int_equal(e.kind, SV_EXIT_CODE);
	assert_int_equal(e.value, 3);
}

/* The value daemon-stop queues survives the trip, and nothing else
 * passes for one. */
static void test_requests(void **state)
{
	unsigned flags;
	enum sv_op op;
	int sig, v;

	(void)state;
	v = sv_request(SV_OP_STOP, SIGTERM, SV_F_KEEP_PIDFILE);
	assert_int_equal(sv_request_decode(v, &op, &sig, &flags), 0);
	assert_int_equal(op, SV_OP_STOP);
	assert_int_equal(sig, SIGTERM);
	assert_int_equal(flags, SV_F_KEEP_PIDFILE);
	v = sv_request(SV_OP_FORWARD, SIGRTMAX, SV_F_GROUP);
	assert_int_equal(sv_request_decode(v, &op, &sig, &flags), 0);
	assert_int_equal(op, SV_OP_FORWARD);
	assert_int_equal(sig, SIGRTMAX);
	assert_int_equal(flags, SV_F_GROUP);

	assert_int_equal(sv_request_decode(0, &op, &sig, &flags), -EINVAL);
	assert_int_equal(sv_request_decode(SV_OP_STOP, &op, &sig, &flags),
			 -EINVAL);	/* signal 0 */
	assert_int_equal(sv_request_decode(3 | SIGTERM << 8, &op, &sig, &flags),
			 -EINVAL);	/* no such op */
	assert_int_equal(sv_request_decode(sv_request(SV_OP_STOP, SIGTERM, 0x80),
					   &op, &sig, &flags), -EINVAL);
	assert_int_equal(sv_request_decode(-1, &op, &sig, &flags), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_cfg_refused),
		cmocka_unit_test(test_parse_policy),
		cmocka_unit_test(test_parse_limit),
		cmocka_unit_test(test_doubling),
		cmocka_unit_test(test_stable_resets),
		cmocka_unit_test(test_stable_from_ready),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_launch_failure_never_stable),
		cmocka_unit_test(test_limit_gives_up),
		cmocka_unit_test(test_limit_window_slides),
		cmocka_unit_test(test_limit_boundary),
		cmocka_unit_test(test_limit_counts_delay),
		cmocka_unit_test(test_exit_names),
		cmocka_unit_test(test_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
