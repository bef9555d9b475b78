/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PATH search and the executable checks made before a start forks. */
#include "unit.h"

#include <fcntl.h>

#include "execpath.h"

static void test_find_program(void **state)
{
	char buf[4096], path[512], cwd[512];
	char *dir = unit_tmpdir();

	(void)state;
	assert_int_equal(execpath_find("sh", NULL, buf, sizeof(buf)), 0);
	assert_true(buf[0] == '/');
	assert_int_equal(access(buf, X_OK), 0);
	assert_int_equal(execpath_find("no-such-program-here", NULL, buf,
					     sizeof(buf)), -ENOENT);
	assert_int_equal(execpath_find("", NULL, buf, sizeof(buf)),
			 -ENOENT);
	snprintf(path, sizeof(path), "%s/plain", dir);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	assert_int_equal(execpath_find(path, NULL, buf, sizeof(buf)),
			 -EACCES);
	assert_int_equal(execpath_find(dir, NULL, buf, sizeof(buf)),
			 -EACCES);
	/* A relative path is made absolute: the daemon runs from "/". */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir("/bin"), 0);
	assert_non_null(getcwd(path, sizeof(path)));
	strcat(path, "/./sh");
	assert_int_equal(execpath_find("./sh", NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, path);
	assert_int_equal(chdir(cwd), 0);
	/* Under a root: found inside it, named without the prefix. */
	assert_int_equal(execpath_find("/sh", "/bin", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sh");
	assert_int_equal(execpath_find("x", NULL, buf, 3), -ENOENT);
	unit_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_program),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
