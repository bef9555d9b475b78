/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --name -> pidfile path, and the runtime-directory rules of SPEC 2. */
#include "unit.h"

#include <pwd.h>
#include <sys/stat.h>

#include "daemonctl.h"

static void test_env_override(void **state)
{
	char buf[256];

	(void)state;
	setenv("DAEMONCTL_RUNDIR", "/some/where", 1);
	assert_int_equal(dctl_rundir(buf, sizeof(buf)), 11);
	assert_string_equal(buf, "/some/where");
	assert_true(dctl_name_to_pidfile("web", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "/some/where/web.pid");
	assert_int_equal(dctl_name_to_pidfile("web", buf, 10), -ENAMETOOLONG);
	unsetenv("DAEMONCTL_RUNDIR");
}

static void test_bad_names(void **state)
{
	static const char *const bad[] = {
		"", ".", "..", "a/b", "/abs", "tab\there", "nl\n", "del\x7f",
	};
	char buf[256], longname[300];
	size_t i;

	(void)state;
	setenv("DAEMONCTL_RUNDIR", "/r", 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(dctl_name_to_pidfile(bad[i], buf, sizeof(buf)),
				 -EINVAL);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(dctl_name_to_pidfile(longname, buf, sizeof(buf)),
			 -EINVAL);
	/* Dots and spaces inside a name are fine. */
	assert_true(dctl_name_to_pidfile("my app.v2", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "/r/my app.v2.pid");
	unsetenv("DAEMONCTL_RUNDIR");
}

static void test_root_uses_run(void **state)
{
	char buf[256];

	(void)state;
	if (geteuid() != 0)
		skip();
	unsetenv("DAEMONCTL_RUNDIR");
	assert_int_equal(dctl_rundir(buf, sizeof(buf)), 4);
	assert_string_equal(buf, "/run");
}

/* As an unprivileged user without XDG_RUNTIME_DIR: /tmp/daemonctl-UID is
 * made 0700, and refused once someone else could write to it. Run in a
 * child that drops to nobody. */
static int as_nobody(void)
{
	struct passwd *pw = getpwnam("nobody");
	char buf[256], want[256];
	struct stat st;

	if (!pw || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		return 77;
	unsetenv("DAEMONCTL_RUNDIR");
	unsetenv("XDG_RUNTIME_DIR");
	snprintf(want, sizeof(want), "/tmp/daemonctl-%u", (unsigned)pw->pw_uid);
	if (dctl_rundir(buf, sizeof(buf)) < 0 || strcmp(buf, want) != 0)
		return 2;
	if (stat(want, &st) < 0 || (st.st_mode & 0777) != 0700 ||
	    st.st_uid != pw->pw_uid)
		return 3;
	if (chmod(want, 0777) < 0)
		return 4;
	if (dctl_rundir(buf, sizeof(buf)) != -EPERM)
		return 5;
	if (rmdir(want) < 0)
		return 6;
	setenv("XDG_RUNTIME_DIR", "/xdg", 1);
	if (dctl_rundir(buf, sizeof(buf)) < 0 || strcmp(buf, "/xdg") != 0)
		return 7;
	return 0;
}

static void test_unprivileged_tmp(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(as_nobody());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_not_ours_refused(void **state)
{
	char path[64], buf[256];
	pid_t pid;
	int status;

	(void)state;
	if (geteuid() != 0)
		skip();
	/* A directory planted by root for user "nobody" is not theirs. */
	snprintf(path, sizeof(path), "/tmp/daemonctl-%u", 65534u);
	rmdir(path);
	assert_int_equal(mkdir(path, 0700), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(77);
		unsetenv("DAEMONCTL_RUNDIR");
		unsetenv("XDG_RUNTIME_DIR");
		_exit(dctl_rundir(buf, sizeof(buf)) == -EPERM ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	rmdir(path);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_override),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_root_uses_run),
		cmocka_unit_test(test_unprivileged_tmp),
		cmocka_unit_test(test_not_ours_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
