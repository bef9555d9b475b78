/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --name -> pidfile path and back, the runtime-directory rules, and
 * listing the pidfiles of a directory. */
#include "unit.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>

#include "daemonctl.h"

/* The allocated answer of dctl_rundir(), or NULL with the error in *r. */
static char *rundir(int *r)
{
	char *dir = NULL;

	*r = dctl_rundir(&dir);
	return *r == 0 ? dir : NULL;
}

static char *pidfile_of(const char *name, int *r)
{
	char *path = NULL;

	*r = dctl_name_to_pidfile(name, &path);
	return *r == 0 ? path : NULL;
}

static void test_env_override(void **state)
{
	char *s;
	int r;

	(void)state;
	setenv("DAEMONCTL_RUNDIR", "/some/where", 1);
	s = rundir(&r);
	assert_string_equal(s, "/some/where");
	free(s);
	s = pidfile_of("web", &r);
	assert_string_equal(s, "/some/where/web.pid");
	free(s);
	unsetenv("DAEMONCTL_RUNDIR");
}

/* No fixed buffer anywhere: a directory longer than PATH_MAX comes back
 * whole, and it is the system that refuses it, not a cut. */
static void test_long_dir_whole(void **state)
{
	char dir[5000], want[5010];
	char *s;
	int r;

	(void)state;
	dir[0] = '/';
	memset(dir + 1, 'd', sizeof(dir) - 2);
	dir[sizeof(dir) - 1] = '\0';
	setenv("DAEMONCTL_RUNDIR", dir, 1);
	s = rundir(&r);
	assert_int_equal(r, 0);
	assert_string_equal(s, dir);
	free(s);
	s = pidfile_of("web", &r);
	assert_int_equal(r, 0);
	snprintf(want, sizeof(want), "%s/web.pid", dir);
	assert_string_equal(s, want);
	free(s);
	unsetenv("DAEMONCTL_RUNDIR");
}

static void test_bad_names(void **state)
{
	static const char *const bad[] = {
		"", ".", "..", "a/b", "/abs", "tab\there", "nl\n", "del\x7f",
	};
	char longname[300], *s = NULL;
	size_t i;
	int r;

	(void)state;
	setenv("DAEMONCTL_RUNDIR", "/r", 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(dctl_name_to_pidfile(bad[i], &s), -EINVAL);
		assert_null(s);
	}
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(dctl_name_to_pidfile(longname, &s), -EINVAL);
	/* 250 is the longest name: NAME.pid fits in one component. */
	longname[250] = '\0';
	s = pidfile_of(longname, &r);
	assert_int_equal(r, 0);
	free(s);
	/* Dots and spaces inside a name are fine. */
	s = pidfile_of("my app.v2", &r);
	assert_string_equal(s, "/r/my app.v2.pid");
	free(s);
	unsetenv("DAEMONCTL_RUNDIR");
}

static void test_null_args(void **state)
{
	char *s = NULL;

	(void)state;
	assert_int_equal(dctl_rundir(NULL), -EINVAL);
	assert_int_equal(dctl_name_to_pidfile(NULL, &s), -EINVAL);
	assert_int_equal(dctl_name_to_pidfile("web", NULL), -EINVAL);
	assert_int_equal(dctl_pidfile_to_name(NULL, &s), -EINVAL);
	assert_int_equal(dctl_pidfile_to_name("/run/web.pid", NULL), -EINVAL);
	assert_int_equal(dctl_rundir_list(NULL, NULL), -EINVAL);
	assert_int_equal(dctl_rundir_list("", NULL), -EINVAL);
	assert_int_equal(dctl_rundir_list_count(NULL), 0);
	assert_null(dctl_rundir_list_get_name(NULL, 0));
	assert_null(dctl_rundir_list_get_path(NULL, 0));
	dctl_rundir_list_free(NULL);
	assert_null(s);
}

static void name_is(const char *path, const char *want)
{
	char *name = NULL;

	assert_int_equal(dctl_pidfile_to_name(path, &name), 0);
	assert_string_equal(name, want);
	free(name);
}

static void test_pidfile_to_name(void **state)
{
	(void)state;
	name_is("/run/web.pid", "web");
	name_is("web.pid", "web");
	name_is("/run/a.b.pid", "a.b");
	name_is("/var/run/sshd.lock", "sshd.lock");
	/* ".pid" alone has no NAME in front: it is shown as is. */
	name_is("/run/.pid", ".pid");
	name_is("/run/", "/run/");
	name_is("relative/x.pid", "x");
}

static void touch(const char *dir, const char *file)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static void test_list(void **state)
{
	static const char *const files[] = {
		"web.pid", "db.pid", ".hidden.pid", ".pid", "notes.txt",
		"b.pid.old", "a.pid", "x.PID",
	};
	static const char *const want[] = { "a", "db", "web" };
	struct dctl_rundir_list *l = NULL;
	char *dir = unit_tmpdir(), path[512];
	size_t i;

	(void)state;
	assert_non_null(dir);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		touch(dir, files[i]);
	assert_int_equal(dctl_rundir_list(dir, &l), 0);
	assert_int_equal(dctl_rundir_list_count(l), 3);
	for (i = 0; i < 3; i++) {
		assert_string_equal(dctl_rundir_list_get_name(l, i), want[i]);
		snprintf(path, sizeof(path), "%s/%s.pid", dir, want[i]);
		assert_string_equal(dctl_rundir_list_get_path(l, i), path);
	}
	assert_null(dctl_rundir_list_get_name(l, 3));
	assert_null(dctl_rundir_list_get_path(l, 3));
	dctl_rundir_list_free(l);
	unit_rmtree(dir);
}

static void test_list_errors(void **state)
{
	struct dctl_rundir_list *l = NULL;
	char *dir = unit_tmpdir(), path[512];

	(void)state;
	assert_non_null(dir);
	/* An empty directory is an empty list, not an error. */
	assert_int_equal(dctl_rundir_list(dir, &l), 0);
	assert_int_equal(dctl_rundir_list_count(l), 0);
	dctl_rundir_list_free(l);
	l = NULL;
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(dctl_rundir_list(path, &l), -ENOENT);
	assert_null(l);
	touch(dir, "file");
	snprintf(path, sizeof(path), "%s/file", dir);
	assert_int_equal(dctl_rundir_list(path, &l), -ENOTDIR);
	assert_null(l);
	unit_rmtree(dir);
}

static void test_root_uses_run(void **state)
{
	char *s;
	int r;

	(void)state;
	if (geteuid() != 0)
		skip();
	unsetenv("DAEMONCTL_RUNDIR");
	s = rundir(&r);
	assert_string_equal(s, "/run");
	free(s);
}

/* As an unprivileged user without XDG_RUNTIME_DIR: /tmp/daemonctl-UID is
 * made 0700, and refused once someone else could write to it. Run in a
 * child that drops to nobody. */
static int as_nobody(void)
{
	struct passwd *pw = getpwnam("nobody");
	char *buf = NULL, want[256];
	struct stat st;
	int r;

	if (!pw || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		return 77;
	unsetenv("DAEMONCTL_RUNDIR");
	unsetenv("XDG_RUNTIME_DIR");
	snprintf(want, sizeof(want), "/tmp/daemonctl-%u", (unsigned)pw->pw_uid);
	if (!(buf = rundir(&r)) || strcmp(buf, want) != 0)
		return 2;
	free(buf);
	if (stat(want, &st) < 0 || (st.st_mode & 0777) != 0700 ||
	    st.st_uid != pw->pw_uid)
		return 3;
	if (chmod(want, 0777) < 0)
		return 4;
	if (dctl_rundir(&buf) != -EPERM)
		return 5;
	if (rmdir(want) < 0)
		return 6;
	setenv("XDG_RUNTIME_DIR", "/xdg", 1);
	if (!(buf = rundir(&r)) || strcmp(buf, "/xdg") != 0)
		return 7;
	free(buf);
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
	char path[64], *buf = NULL;
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
		_exit(dctl_rundir(&buf) == -EPERM ? 0 : 1);
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
		cmocka_unit_test(test_long_dir_whole),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_null_args),
		cmocka_unit_test(test_pidfile_to_name),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_errors),
		cmocka_unit_test(test_root_uses_run),
		cmocka_unit_test(test_unprivileged_tmp),
		cmocka_unit_test(test_not_ours_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
