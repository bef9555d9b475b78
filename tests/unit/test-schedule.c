/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Signal names and numbers; the --retry schedule grammar. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "daemonctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct sig_case {
	const char *text;
	int want;		/* 0: must be refused */
};

static void test_signal_valid(void **state)
{
	const struct sig_case cases[] = {
		{ "TERM", SIGTERM }, { "SIGTERM", SIGTERM },
		{ "term", SIGTERM }, { "sigterm", SIGTERM },
		{ "SigTerm", SIGTERM }, { "15", SIGTERM }, { "1", SIGHUP },
		{ "9", SIGKILL }, { "KILL", SIGKILL }, { "HUP", SIGHUP },
		{ "SIGHUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
		{ "USR1", SIGUSR1 }, { "usr2", SIGUSR2 }, { "ALRM", SIGALRM },
		{ "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
		{ "WINCH", SIGWINCH }, { "IO", SIGIO }, { "POLL", SIGIO },
		{ "SIGPOLL", SIGIO }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
		{ "STKFLT", 16 }, { "31", 31 }, { "VTALRM", SIGVTALRM },
		{ "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ }, { "PROF", SIGPROF },
		{ "URG", SIGURG }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
		{ "TSTP", SIGTSTP }, { "PIPE", SIGPIPE }, { "SEGV", SIGSEGV },
		{ "BUS", SIGBUS }, { "FPE", SIGFPE }, { "ILL", SIGILL },
		{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	};
	size_t i;
	int sig;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		sig = -1;
		if (dctl_signal_parse(cases[i].text, &sig) != 0 ||
		    sig != cases[i].want)
			fail_msg("'%s': got %d, want %d", cases[i].text, sig,
				 cases[i].want);
	}
}

static void test_signal_realtime(void **state)
{
	char buf[32];
	int sig;

	(void)state;
	assert_int_equal(dctl_signal_parse("RTMIN", &sig), 0);
	assert_int_equal(sig, SIGRTMIN);
	assert_int_equal(dctl_signal_parse("SIGRTMIN+1", &sig), 0);
	assert_int_equal(sig, SIGRTMIN + 1);
	assert_int_equal(dctl_signal_parse("rtmax", &sig), 0);
	assert_int_equal(sig, SIGRTMAX);
	assert_int_equal(dctl_signal_parse("RTMAX-2", &sig), 0);
	assert_int_equal(sig, SIGRTMAX - 2);
	snprintf(buf, sizeof(buf), "%d", SIGRTMAX);
	assert_int_equal(dctl_signal_parse(buf, &sig), 0);
	assert_int_equal(sig, SIGRTMAX);
	snprintf(buf, sizeof(buf), "RTMIN+%d", SIGRTMAX - SIGRTMIN);
	assert_int_equal(dctl_signal_parse(buf, &sig), 0);
	assert_int_equal(sig, SIGRTMAX);
}

static void test_signal_invalid(void **state)
{
	const char *bad[] = {
		"", "0", "+15", "0x1", " 15", "15 ", "-5", "-15", "-TERM",
		"9999", "65", "32", "33", "015", "00", "SIG", "SIGSIGTERM",
		"NOSUCHSIG", "TERMX", "TER", "SIGTERM ", "RTMIN+", "RTMIN+0",
		"RTMIN+31", "RTMAX-31", "RTMIN-1", "RTMAX+1", "RTMIN+01",
		"RTMIN+x", "RTMID", "99999999999999999999999", "1e1", "1.0",
		"SIG15", "TERM\n", "\xff",
	};
	char buf[32];
	size_t i;
	int sig;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		sig = 12345;
		if (dctl_signal_parse(bad[i], &sig) != -EINVAL || sig != 12345)
			fail_msg("'%s' was not refused (sig %d)", bad[i], sig);
	}
	snprintf(buf, sizeof(buf), "%d", SIGRTMAX + 1);
	assert_int_equal(dctl_signal_parse(buf, &sig), -EINVAL);
	assert_int_equal(dctl_signal_parse(NULL, &sig), -EINVAL);
	assert_int_equal(dctl_signal_parse("TERM", NULL), -EINVAL);
}

static void test_signal_name(void **state)
{
	(void)state;
	assert_string_equal(dctl_signal_name(SIGTERM), "TERM");
	assert_string_equal(dctl_signal_name(SIGKILL), "KILL");
	assert_string_equal(dctl_signal_name(SIGHUP), "HUP");
	assert_string_equal(dctl_signal_name(SIGIO), "IO");
	assert_string_equal(dctl_signal_name(SIGRTMIN), "RTMIN");
	assert_string_equal(dctl_signal_name(SIGRTMIN + 1), "RTMIN+1");
	assert_string_equal(dctl_signal_name(SIGRTMAX), "RTMAX");
	assert_string_equal(dctl_signal_name(SIGRTMAX - 1), "RTMAX-1");
	assert_null(dctl_signal_name(0));
	assert_null(dctl_signal_name(-1));
	assert_null(dctl_signal_name(32));
	assert_null(dctl_signal_name(SIGRTMAX + 1));
}

/* Every signal that parses has a name, and the name parses back to it. */
static void test_signal_round_trip(void **state)
{
	char num[16];
	const char *name;
	int s, sig, named = 0;

	(void)state;
	for (s = -2; s <= SIGRTMAX + 2; s++) {
		snprintf(num, sizeof(num), "%d", s);
		name = dctl_signal_name(s);
		if (dctl_signal_parse(num, &sig) != 0) {
			if (name)
				fail_msg("%d has name %s but no number", s,
					 name);
			continue;
		}
		assert_int_equal(sig, s);
		if (!name)
			fail_msg("signal %d has no name", s);
		assert_int_equal(dctl_signal_parse(name, &sig), 0);
		assert_int_equal(sig, s);
		named++;
	}
	assert_int_equal(named, 31 + SIGRTMAX - SIGRTMIN + 1);
}

/* ---------------------------------------------------------- schedules */

struct sched_case {
	const char *text;
	const char *want;	/* formatted; NULL: refused with err */
	int err;
};

static void assert_same_steps(const struct dctl_schedule *a,
			      const struct dctl_schedule *b)
{
	enum dctl_step_kind ka, kb;
	int va, vb;
	size_t i;

	assert_int_equal(dctl_schedule_get_count(a), dctl_schedule_get_count(b));
	for (i = 0; i < dctl_schedule_get_count(a); i++) {
		assert_int_equal(dctl_schedule_get_step(a, i, &ka, &va), 0);
		assert_int_equal(dctl_schedule_get_step(b, i, &kb, &vb), 0);
		assert_int_equal(ka, kb);
		assert_int_equal(va, vb);
	}
}

static void test_schedule_table(void **state)
{
	const struct sched_case cases[] = {
		{ "TERM/30/KILL/5", "TERM/30/KILL/5", 0 },
		{ "SIGTERM/30/SIGKILL/5", "TERM/30/KILL/5", 0 },
		{ "-TERM/30/-KILL/5", "TERM/30/KILL/5", 0 },
		{ "-HUP/5/forever/KILL/5", "HUP/5/forever/KILL/5", 0 },
		{ "forever/TERM/5", "forever/TERM/5", 0 },
		{ "TERM/forever/5", "TERM/forever/5", 0 },
		{ "usr1/1/usr2/2", "USR1/1/USR2/2", 0 },
		{ "TERM/030", "TERM/30", 0 },
		{ "TERM/0", "TERM/0", 0 },
		{ "TERM/KILL", "TERM/KILL", 0 },
		{ "5/KILL/5", "5/KILL/5", 0 },
		{ "TERM/2147483647", "TERM/2147483647", 0 },
		{ "RTMIN+1/5", "RTMIN+1/5", 0 },
		{ "7", "TERM/7/KILL/7", 0 },
		{ "0", "TERM/0/KILL/0", 0 },
		{ "", NULL, -EINVAL },
		{ "TERM/x", NULL, -EINVAL },
		{ "TERM/-5", "TERM/TRAP", 0 },
		{ "-5/5", "TRAP/5", 0 },
		{ "-15/30/-9/5", "TERM/30/KILL/5", 0 },
		{ "-0/5", NULL, -EINVAL },
		{ "-99/5", NULL, -EINVAL },
		{ "-015/5", NULL, -EINVAL },
		{ "NOSUCHSIG/5", NULL, -EINVAL },
		{ "/5", NULL, -EINVAL },
		{ "TERM/", NULL, -EINVAL },
		{ "TERM//5", NULL, -EINVAL },
		{ "/", NULL, -EINVAL },
		{ "TERM", NULL, -EINVAL },
		{ "forever", NULL, -EINVAL },
		{ "x", NULL, -EINVAL },
		{ "-", NULL, -EINVAL },
		{ "-/5", NULL, -EINVAL },
		{ "--TERM/5", NULL, -EINVAL },
		{ "TERM/5/forever", NULL, -EINVAL },
		{ "-HUP/5/forever", NULL, -EINVAL },
		{ "TERM/forever/5/forever/5", NULL, -EINVAL },
		{ "TERM/5/forever/KILL", NULL, -EINVAL },
		{ "TERM/forever/KILL/0", NULL, -EINVAL },
		{ "TERM/forever/KILL/0/0", NULL, -EINVAL },
		{ "TERM/forever/KILL/0/1", "TERM/forever/KILL/0/1", 0 },
		{ "TERM/5x", NULL, -EINVAL },
		{ "TERM/5.5", NULL, -EINVAL },
		{ "TERM/ 5", NULL, -EINVAL },
		{ "TERM /5", NULL, -EINVAL },
		{ "TERM/+5", NULL, -EINVAL },
		{ "TERM/0x5", NULL, -EINVAL },
		{ "0x1/5", NULL, -EINVAL },
		{ "TERM/Forever/5", NULL, -EINVAL },
		{ "9999/KILL/5", "9999/KILL/5", 0 },
		{ "TERM/2147483648", NULL, -ERANGE },
		{ "TERM/99999999999999999999999999", NULL, -ERANGE },
		{ "99999999999", NULL, -ERANGE },
		{ "-5", NULL, -EINVAL },
		{ "SIGRTMIN+99/5", NULL, -EINVAL },
		{ "TERM/5\n", NULL, -EINVAL },
	};
	struct dctl_schedule *s, *again, *untouched = (void *)&cases;
	char out[256];
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		s = untouched;
		r = dctl_schedule_parse(cases[i].text, SIGTERM, &s);
		if (!cases[i].want) {
			if (r != cases[i].err || s != untouched)
				fail_msg("'%s': got %d, want %d", cases[i].text,
					 r, cases[i].err);
			continue;
		}
		if (r != 0)
			fail_msg("'%s' refused: %d", cases[i].text, r);
		assert_int_equal(dctl_schedule_format(s, out, sizeof(out)),
				 (int)strlen(cases[i].want));
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("'%s' formats as '%s', want '%s'",
				 cases[i].text, out, cases[i].want);
		/* Round trip: what we print parses back to the same steps. */
		assert_int_equal(dctl_schedule_parse(out, SIGTERM, &again), 0);
		assert_same_steps(again, s);
		dctl_schedule_free(again);
		dctl_schedule_free(s);
	}
}

static void assert_step(const struct dctl_schedule *s, size_t i,
			enum dctl_step_kind kind, int value)
{
	enum dctl_step_kind k;
	int v;

	assert_int_equal(dctl_schedule_get_step(s, i, &k, &v), 0);
	assert_int_equal(k, kind);
	assert_int_equal(v, value);
}

static void test_schedule_steps(void **state)
{
	struct dctl_schedule *s;

	(void)state;
	assert_int_equal(dctl_schedule_parse("-HUP/5/forever/KILL/5", 0, &s),
			 0);
	assert_int_equal(dctl_schedule_get_count(s), 5);
	assert_step(s, 0, DCTL_STEP_SIGNAL, SIGHUP);
	assert_step(s, 1, DCTL_STEP_TIMEOUT, 5);
	assert_step(s, 2, DCTL_STEP_FOREVER, 0);
	assert_step(s, 3, DCTL_STEP_SIGNAL, SIGKILL);
	assert_step(s, 4, DCTL_STEP_TIMEOUT, 5);
	/* Past the end, and either output optional. */
	assert_int_equal(dctl_schedule_get_step(s, 5, NULL, NULL), -EINVAL);
	assert_int_equal(dctl_schedule_get_step(s, 4, NULL, NULL), 0);
	dctl_schedule_free(s);
}

static void format_is(const struct dctl_schedule *s, const char *want)
{
	char out[64];

	assert_int_equal(dctl_schedule_format(s, out, sizeof(out)),
			 (int)strlen(want));
	assert_string_equal(out, want);
}

/* A bare timeout uses the given signal; the default schedule too. */
static void test_schedule_bare_and_default(void **state)
{
	struct dctl_schedule *s = NULL;

	(void)state;
	assert_int_equal(dctl_schedule_parse("10", SIGINT, &s), 0);
	format_is(s, "INT/10/KILL/10");
	dctl_schedule_free(s);
	assert_int_equal(dctl_schedule_parse("10", 0, &s), 0);
	format_is(s, "TERM/10/KILL/10");
	dctl_schedule_free(s);
	s = NULL;
	assert_int_equal(dctl_schedule_parse("10", 32, &s), -EINVAL);
	assert_int_equal(dctl_schedule_parse("10", 9999, &s), -EINVAL);
	assert_int_equal(dctl_schedule_parse(NULL, SIGTERM, &s), -EINVAL);
	assert_null(s);

	assert_int_equal(dctl_schedule_default(0, &s), 0);
	format_is(s, "TERM/30/KILL/5");
	dctl_schedule_free(s);
	assert_int_equal(dctl_schedule_default(SIGHUP, &s), 0);
	format_is(s, "HUP/30/KILL/5");
	dctl_schedule_free(s);
	s = NULL;
	assert_int_equal(dctl_schedule_default(32, &s), -EINVAL);
	assert_null(s);
}

static void test_schedule_too_long(void **state)
{
	enum { MAX_ITEMS = 32 };
	char text[MAX_ITEMS * 8 + 16] = "";
	struct dctl_schedule *s;
	int i;

	(void)state;
	for (i = 0; i < MAX_ITEMS; i++)
		strcat(text, i ? "/1" : "TERM");
	assert_int_equal(dctl_schedule_parse(text, 0, &s), 0);
	assert_int_equal(dctl_schedule_get_count(s), MAX_ITEMS);
	dctl_schedule_free(s);
	strcat(text, "/1");
	assert_int_equal(dctl_schedule_parse(text, 0, &s), -ERANGE);
}

/* snprintf's contract: the needed length, truncated but terminated. */
static void test_schedule_format_truncates(void **state)
{
	struct dctl_schedule *s;
	char small[6];

	(void)state;
	assert_int_equal(dctl_schedule_default(SIGTERM, &s), 0);
	assert_int_equal(dctl_schedule_format(s, NULL, 0), 14);
	memset(small, 'x', sizeof(small));
	assert_int_equal(dctl_schedule_format(s, small, sizeof(small)), 14);
	assert_string_equal(small, "TERM/");
	assert_int_equal(dctl_schedule_format(s, NULL, 5), -EINVAL);
	dctl_schedule_free(s);
}

/* NULL objects: -EINVAL or nothing, never a crash. */
static void test_schedule_null(void **state)
{
	struct dctl_schedule *s = NULL;
	char out[8];

	(void)state;
	assert_int_equal(dctl_schedule_parse("TERM/5", 0, NULL), -EINVAL);
	assert_int_equal(dctl_schedule_default(0, NULL), -EINVAL);
	assert_int_equal(dctl_schedule_format(NULL, out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(dctl_schedule_get_count(NULL), 0);
	assert_int_equal(dctl_schedule_get_step(NULL, 0, NULL, NULL), -EINVAL);
	dctl_schedule_free(NULL);
	assert_null(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal_valid),
		cmocka_unit_test(test_signal_realtime),
		cmocka_unit_test(test_signal_invalid),
		cmocka_unit_test(test_signal_name),
		cmocka_unit_test(test_signal_round_trip),
		cmocka_unit_test(test_schedule_table),
		cmocka_unit_test(test_schedule_steps),
		cmocka_unit_test(test_schedule_bare_and_default),
		cmocka_unit_test(test_schedule_too_long),
		cmocka_unit_test(test_schedule_format_truncates),
		cmocka_unit_test(test_schedule_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
