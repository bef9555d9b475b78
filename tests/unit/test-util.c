/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shared helpers: the strict number parser against the inputs strtol
 * lets through, the deadline and retry loop against the monotonic clock,
 * the growable array, the strerror wrapper, the parser of durations in
 * seconds and the nanosecond clock.
 */
#include "unit.h"

#include <limits.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

#include "util.h"

static int num(const char *s, long long min, long long max, unsigned flags,
	       long long *v)
{
	return util_parse_num(s, strlen(s), min, max, NULL, flags, v);
}

static void test_num_strict(void **state)
{
	static const char *const bad[] = {
		"", " 5", "5 ", "+5", "0x10", "5x", "-", "--5", "5-", "1e3",
		"\t7", "٣",
	};
	long long v = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(num(bad[i], -100, 100, 0, &v), -EINVAL);
		assert_int_equal(v, 42);
	}
	assert_int_equal(num("0", 0, 10, 0, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(num("007", 0, 10, 0, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(num("007", 0, 10, UTIL_NUM_NO_LEADING_ZERO, &v),
			 -EINVAL);
	assert_int_equal(num("0", 0, 10, UTIL_NUM_NO_LEADING_ZERO, &v), 0);
	/* A sign only where negative values are allowed. */
	assert_int_equal(num("-5", 0, 10, 0, &v), -EINVAL);
	assert_int_equal(num("-5", -10, 10, 0, &v), 0);
	assert_int_equal(v, -5);
	/* len bounds the text: the rest of the string is not looked at. */
	assert_int_equal(util_parse_num("12junk", 2, 0, 99, NULL, 0, &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(util_parse_num(NULL, 0, 0, 1, NULL, 0, &v), -EINVAL);
	assert_int_equal(util_parse_num("1", 1, 0, 1, NULL, 0, NULL), -EINVAL);
}

static void test_num_range(void **state)
{
	long long v = 42;

	(void)state;
	assert_int_equal(num("11", 0, 10, 0, &v), -ERANGE);
	assert_int_equal(num("-11", -10, 10, 0, &v), -ERANGE);
	assert_int_equal(num("9223372036854775807", 0, LLONG_MAX, 0, &v), 0);
	assert_int_equal(v, LLONG_MAX);
	assert_int_equal(num("9223372036854775808", 0, LLONG_MAX, 0, &v),
			 -ERANGE);
	assert_int_equal(num("-9223372036854775808", LLONG_MIN, 0, 0, &v), 0);
	assert_int_equal(v, LLONG_MIN);
	assert_int_equal(num("-9223372036854775809", LLONG_MIN, 0, 0, &v),
			 -ERANGE);
	assert_int_equal(num("99999999999999999999999", 0, LLONG_MAX, 0, &v),
			 -ERANGE);
	/* Not a number at all wins over too large. */
	assert_int_equal(num("99999999999999999999999x", 0, 10, 0, &v),
			 -EINVAL);
	assert_int_equal(v, LLONG_MIN);
}

static void test_num_suffix(void **state)
{
	static const struct util_suffix ms[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { NULL, 0 },
	};
	long long v;

	(void)state;
	assert_int_equal(util_parse_num("5", 1, 0, LLONG_MAX, ms, 0, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(util_parse_num("5s", 2, 0, LLONG_MAX, ms, 0, &v), 0);
	assert_int_equal(v, 5000);
	assert_int_equal(util_parse_num("2m", 2, 0, LLONG_MAX, ms, 0, &v), 0);
	assert_int_equal(v, 120000);
	assert_int_equal(util_parse_num("5ms", 3, 0, LLONG_MAX, ms, 0, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(util_parse_num("5h", 2, 0, LLONG_MAX, ms, 0, &v),
			 -EINVAL);
	assert_int_equal(util_parse_num("s", 1, 0, LLONG_MAX, ms, 0, &v),
			 -EINVAL);
	assert_int_equal(util_parse_num("5s", 2, 0, 4999, ms, 0, &v), -ERANGE);
	/* The multiplication is checked too. */
	assert_int_equal(util_parse_num("9223372036854776s", 17, 0, LLONG_MAX,
					ms, 0, &v), -ERANGE);
	/* Without a table, a suffix is trailing garbage. */
	assert_int_equal(util_parse_num("5s", 2, 0, LLONG_MAX, NULL, 0, &v),
			 -EINVAL);
}

static void test_digits(void **state)
{
	(void)state;
	assert_int_equal(util_digits(""), 0);
	assert_int_equal(util_digits("x1"), 0);
	assert_int_equal(util_digits("123 4"), 3);
}

static void test_deadline(void **state)
{
	struct util_deadline never = util_deadline_in(-1);
	struct util_deadline past = util_deadline_in(0);
	struct util_deadline soon;
	long long t0;

	(void)state;
	assert_int_equal(util_deadline_left(never, 1000), -1);
	assert_false(util_deadline_passed(never));
	assert_int_equal(util_deadline_left(past, 1000), 0);
	assert_true(util_deadline_passed(past));
	soon = util_deadline_in(3600 * 1000);
	/* Clamped to the cap, for poll(2)'s int. */
	assert_int_equal(util_deadline_left(soon, 500), 500);
	assert_false(util_deadline_passed(soon));

	/* A nap is cut at the deadline, and does at least reach it. */
	t0 = util_now_ms();
	soon = util_deadline_in(30);
	util_nap(60 * 1000, soon);
	assert_true(util_now_ms() - t0 >= 30);
	assert_true(util_deadline_passed(soon));
}

struct counter {
	int calls;
	int succeed_at;
};

static int count_try(void *arg)
{
	struct counter *c = arg;

	return ++c->calls >= c->succeed_at ? 7 : -EAGAIN;
}

static void test_retry(void **state)
{
	struct counter c = { 0, 3 };
	long long t0;

	(void)state;
	assert_int_equal(util_retry(util_deadline_in(60 * 1000), 1, 4,
				    count_try, &c), 7);
	assert_int_equal(c.calls, 3);

	/* Called once even when the deadline is already gone. */
	c.calls = 0;
	c.succeed_at = 1000000;
	assert_int_equal(util_retry(util_deadline_in(0), 1, 1, count_try, &c),
			 -ETIMEDOUT);
	assert_int_equal(c.calls, 1);

	/* It waits until the deadline, not less. */
	c.calls = 0;
	t0 = util_now_ms();
	assert_int_equal(util_retry(util_deadline_in(50), 1, 8, count_try, &c),
			 -ETIMEDOUT);
	assert_true(util_now_ms() - t0 >= 50);
	assert_true(c.calls >= 2);
}

static void test_array(void **state)
{
	struct util_array a = UTIL_ARRAY_INIT(sizeof(long));
	long *slot;
	size_t i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		slot = util_array_push(&a);
		assert_non_null(slot);
		assert_int_equal(*slot, 0);
		*slot = (long)i * 3;
	}
	assert_int_equal(a.n, 1000);
	assert_true(a.cap >= 1000);
	for (i = 0; i < 1000; i++)
		assert_int_equal(*(long *)util_array_at(&a, i), (long)i * 3);
	util_array_free(&a);
	assert_null(a.v);
	assert_int_equal(a.n, 0);
	assert_int_equal(a.elem, sizeof(long));
	/* Reusable after free. */
	assert_non_null(util_array_push(&a));
	util_array_free(&a);
}

static void test_strerror(void **state)
{
	char buf[UTIL_STRERROR_MAX];

	(void)state;
	assert_string_equal(util_strerror(ENOENT, buf, sizeof(buf)),
			    "No such file or directory");
	assert_string_equal(util_strerror(-ENAMETOOLONG, buf, sizeof(buf)),
			    "File name too long");
	assert_non_null(util_strerror(123456, buf, sizeof(buf)));
}

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
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
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
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
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

/* Use 64 KiB of stack below the caller; the deepest byte's address. */
static __attribute__((noinline)) uintptr_t go_deep(void)
{
	volatile char buf[64 * 1024];
	size_t i;

	for (i = 0; i < sizeof(buf); i += 512)
		buf[i] = 1;
	return (uintptr_t)&buf[0];
}

static bool resident(uintptr_t addr)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	unsigned char v = 0;

	assert_int_equal(mincore((void *)(addr & ~(page - 1)), page, &v), 0);
	return v & 1;
}

static void test_stack_trim(void **state)
{
	uintptr_t deep;
	size_t done;

	(void)state;
	deep = go_deep();
	assert_true(resident(deep));
	done = util_stack_trim();
	/* Under valgrind the program runs on a stack of valgrind's. */
	if (done == 0)
		skip();
	assert_true(done >= 60 * 1024);
	assert_false(resident(deep));
	/* The pages come back, zeroed, when the stack grows there again. */
	assert_int_equal(go_deep(), deep);
	assert_true(resident(deep));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_num_strict),
		cmocka_unit_test(test_num_range),
		cmocka_unit_test(test_num_suffix),
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_retry),
		cmocka_unit_test(test_array),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_seconds_valid),
		cmocka_unit_test(test_seconds_refused),
		cmocka_unit_test(test_now_ns),
		cmocka_unit_test(test_stack_trim),
	};

	alarm(60);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
