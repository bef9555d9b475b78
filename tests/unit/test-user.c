/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dctl_user_parse(): --user for stop and status. */
#include "unit.h"

#include "daemonctl.h"

/* --user for stop and status: a uid as is, else a name. */
static void test_user_parse(void **state)
{
	uid_t uid = 12345;

	(void)state;
	assert_int_equal(dctl_user_parse("0", &uid), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(dctl_user_parse("4242", &uid), 0);
	assert_int_equal(uid, 4242);
	assert_int_equal(dctl_user_parse("root", &uid), 0);
	assert_int_equal(uid, 0);
	uid = 12345;
	assert_int_equal(dctl_user_parse("no-such-user-dctl", &uid), -ENOENT);
	assert_int_equal(uid, 12345);
	assert_int_equal(dctl_user_parse("", &uid), -EINVAL);
	assert_int_equal(dctl_user_parse(NULL, &uid), -EINVAL);
	assert_int_equal(dctl_user_parse("4294967295", &uid), -EINVAL);
	assert_int_equal(dctl_user_parse("99999999999999999999", &uid),
			 -EINVAL);
	assert_int_equal(dctl_user_parse("-1", &uid), -ENOENT);
	assert_int_equal(uid, 12345);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
