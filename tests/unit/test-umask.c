/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dctl_umask_parse(): daemon-start's -k, read by the library. */
#include "unit.h"

#include "daemonctl.h"

static void expect(const char *text, mode_t want)
{
	mode_t m = 01000;

	assert_int_equal(dctl_umask_parse(text, &m), 0);
	assert_int_equal(m, want);
}

static void refused(const char *text)
{
	mode_t m = 01000;

	assert_int_equal(dctl_umask_parse(text, &m), -EINVAL);
	assert_int_equal(m, 01000);
}

static void test_umask_parse(void **state)
{
	(void)state;
	expect("0", 0);
	expect("22", 022);
	expect("022", 022);
	expect("0027", 027);
	expect("777", 0777);
	refused("");
	refused("8");
	refused("1000");
	refused("00000");		/* five digits */
	refused("-22");
	refused("+22");
	refused(" 22");
	refused("22 ");
	refused("0o22");
	refused("0x1");
	refused(NULL);
	assert_int_equal(dctl_umask_parse("022", NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_umask_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
