/* SPDX-License-Identifier: GPL-2.0-or-later */
/* USER[:GROUP] for --chuid, resolved against the real user database. */
#include "unit.h"

#include "creds.h"

static void test_resolve_user(void **state)
{
	struct creds u;

	(void)state;
	assert_int_equal(creds_resolve("root", &u), 0);
	assert_int_equal(u.uid, 0);
	assert_int_equal(u.gid, 0);
	assert_string_equal(u.name, "root");
	assert_true(u.ngroups >= 1);
	creds_free(&u);
	assert_int_equal(creds_resolve("0:0", &u), 0);
	assert_string_equal(u.name, "root");
	creds_free(&u);
	/* A uid nobody has: its own number as gid, no groups. */
	assert_int_equal(creds_resolve("4242424", &u), 0);
	assert_int_equal(u.uid, 4242424);
	assert_int_equal(u.gid, 4242424);
	assert_int_equal(u.ngroups, 0);
	creds_free(&u);
	assert_int_equal(creds_resolve("no-such-user-x", &u), -ENOENT);
	assert_int_equal(creds_resolve("root:no-such-group-x", &u), -ESRCH);
	assert_int_equal(creds_resolve("", &u), -EINVAL);
	assert_int_equal(creds_resolve("root:", &u), -EINVAL);
	assert_int_equal(creds_resolve(":0", &u), -EINVAL);
	assert_int_equal(creds_resolve("99999999999999999999", &u), -EINVAL);
}

static void test_parse_id(void **state)
{
	unsigned long id = 7;

	(void)state;
	assert_int_equal(creds_parse_id("0", &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(creds_parse_id("4294967294", &id), 0);
	assert_int_equal(id, 4294967294UL);
	/* (uid_t)-1 means "no change" to setuid(2): never an id. */
	assert_int_equal(creds_parse_id("4294967295", &id), -EINVAL);
	assert_int_equal(creds_parse_id("", &id), -EINVAL);
	assert_int_equal(creds_parse_id("+1", &id), -EINVAL);
	assert_int_equal(creds_parse_id(" 1", &id), -EINVAL);
	assert_int_equal(creds_parse_id("1x", &id), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_user),
		cmocka_unit_test(test_parse_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
