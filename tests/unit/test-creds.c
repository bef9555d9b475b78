/* SPDX-License-Identifier: GPL-2.0-or-later */
/* USER[:GROUP] for --chuid, resolved against the real user database. */
#include "unit.h"

#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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

/* -g/--group and the GROUP of USER:GROUP: a number as it stands, or a
 * name from the group database. */
static void test_group(void **state)
{
	static const char *const bad[] = {
		"", "4294967295", "99999999999", "-1", "+1", " 1", "1x",
	};
	struct group *gr;
	char name[300];
	gid_t gid;
	size_t i;

	(void)state;
	assert_int_equal(creds_resolve_group("0", &gid), 0);
	assert_int_equal(gid, 0);
	assert_int_equal(creds_resolve_group("4294967294", &gid), 0);
	assert_true(gid == 4294967294u);
	assert_int_equal(creds_resolve_group("12345", &gid), 0);
	assert_int_equal(gid, 12345);
	/* Leading zeros, as --chuid has always read a numeric id. */
	assert_int_equal(creds_resolve_group("007", &gid), 0);
	assert_int_equal(gid, 7);
	gr = getgrgid(0);
	if (gr) {
		snprintf(name, sizeof(name), "%s", gr->gr_name);
		gid = 99;
		assert_int_equal(creds_resolve_group(name, &gid), 0);
		assert_int_equal(gid, 0);
	}
	gr = getgrnam("nogroup");
	if (gr) {
		assert_int_equal(creds_resolve_group("nogroup", &gid), 0);
		assert_int_equal(gid, gr->gr_gid);
	}
	assert_int_equal(creds_resolve_group("no-such-group-here", &gid),
			 -ESRCH);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = creds_resolve_group(bad[i], &gid);

		/* Not all digits: a name (and there is no such group). */
		bool is_name = bad[i][0] && strspn(bad[i], "0123456789") !=
				strlen(bad[i]);

		if (r != (is_name ? -ESRCH : -EINVAL))
			fail_msg("'%s': %d", bad[i], r);
	}
	memset(name, 'g', 299);
	name[299] = '\0';
	assert_int_equal(creds_resolve_group(name, &gid), -EINVAL);
	assert_int_equal(creds_resolve_group(NULL, &gid), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_user),
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test(test_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
