/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The small shared helpers: the one parser of durations in seconds. */
#include <time.h>

#include "unit.h"

#include "util.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void test_seconds_valid(void **state)
{
	const struct {
		const char *text;
		int64_t ns;
	} cases[] = {
		{ "0", 0 }, { "10", 10000000000LL }, { "0.25", 250000000LL },
		{ "0.1", 100000000LL }, { "1.5", 1500000000LL },
		{ "30", 30000000000LL }, { "0.000000001", 1 },
		{ "2.000000000", 2000000000LL }, { "0.0", 0 },
		{ "1000000000", 1000000000LL * 1000000000LL },
		{ "999999999.999999999", 999999999999999999LL },
	};
	int64_t ns;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ns = -1;
		if (util_parse_seconds(cases[i].text, &ns) != 0 ||
		    ns != cases[i].ns)
			fail_msg("'%s': got %lld, want %lld", cases[i].text,
				 (long long)ns, (long long)cases[i].ns);
	}
}

static void test_seconds_refused(void **state)
{
	const struct {
		const char *text;
		int want;
	} cases[] = {
		{ "", -EINVAL }, { "-1", -EINVAL }, { "-0.5", -EINVAL },
		{ "+1", -EINVAL }, { " 1", -EINVAL }, { "1 ", -EINVAL },
		{ ".5", -EINVAL }, { "5.", -EINVAL }, { ".", -EINVAL },
		{ "05", -EINVAL }, { "00.5", -EINVAL }, { "1e3", -EINVAL },
		{ "1s", -EINVAL }, { "0x10", -EINVAL }, { "1,5", -EINVAL },
		{ "1.5.2", -EINVAL }, { "0.0000000001", -EINVAL },
		{ "inf", -EINVAL }, { "nan", -EINVAL }, { "1\n", -EINVAL },
		{ "1000000000.000000001", -ERANGE },
		{ "1000000001", -ERANGE }, { "99999999999", -ERANGE },
		{ "99999999999999999999999999", -ERANGE },
	};
	int64_t ns;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ns = 42;
		if (util_parse_seconds(cases[i].text, &ns) != cases[i].want ||
		    ns != 42)
			fail_msg("'%s': not refused with %d", cases[i].text,
				 cases[i].want);
	}
	assert_int_equal(util_parse_seconds(NULL, &ns), -EINVAL);
	assert_int_equal(util_parse_seconds("1", NULL), -EINVAL);
}

/* The clock goes forward and is the one poll(2) and timerfds use. */
static void test_now_ns(void **state)
{
	struct timespec ts;
	int64_t a, b, c;

	(void)state;
	a = util_now_ns();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	b = (int64_t)ts.tv_sec * UTIL_NS_PER_SEC + ts.tv_nsec;
	c = util_now_ns();
	assert_true(a <= b && b <= c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seconds_valid),
		cmocka_unit_test(test_seconds_refused),
		cmocka_unit_test(test_now_ns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
