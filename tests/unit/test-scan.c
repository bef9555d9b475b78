/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scan: real processes, each started by the test and ended by its PID: a
 * copy of a binary run from a scratch directory (and then replaced, as an
 * upgrade replaces it), processes renamed with prctl(PR_SET_NAME), one
 * that switched to another user, a zombie, and the test itself; then the
 * public struct dctl_scan over the same processes and a pidfile.
 */
#include "unit.h"

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>

#include "daemonctl.h"
#include "proc.h"
#include "scan.h"

#define DEADLINE_MS 10000
#define NOBODY 65534

struct fx {
	char *dir;
	char prog[PATH_MAX];	/* a copy of sleep(1) */
	pid_t kids[4];
	size_t nkids;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap(void)
{
	struct timespec ts = { 0, 2000000 };

	nanosleep(&ts, NULL);
}

static int copy_file(const char *from, const char *to)
{
	char *cmd;
	int r;

	if (asprintf(&cmd, "cp '%s' '%s'", from, to) < 0)
		return -1;
	r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = unit_tmpdir();
	assert_non_null(f->dir);
	snprintf(f->prog, sizeof(f->prog), "%s/dctl-scan-prog", f->dir);
	assert_int_equal(copy_file("/bin/sleep", f->prog), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < f->nkids; i++)
		end_child(f->kids[i]);
	unit_rmtree(f->dir);
	free(f);
	return 0;
}

static pid_t keep(struct fx *f, pid_t pid)
{
	assert_true(pid > 0);
	assert_true(f->nkids < sizeof(f->kids) / sizeof(f->kids[0]));
	f->kids[f->nkids++] = pid;
	return pid;
}

/* Run PATH 1000 (sleep) and wait until the exec has happened. */
static pid_t run_prog(struct fx *f, const char *path)
{
	char exe[48];
	struct stat want, have;
	long long deadline = now_ms() + DEADLINE_MS;
	pid_t pid;

	assert_int_equal(stat(path, &want), 0);
	pid = fork();
	if (pid == 0) {
		execl(path, "sleep", "1000", (char *)NULL);
		_exit(127);
	}
	keep(f, pid);
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	while (stat(exe, &have) < 0 || have.st_ino != want.st_ino) {
		assert_true(now_ms() < deadline);
		nap();
	}
	return pid;
}

/*
 * A child that renames itself (and switches to uid if uid is not -1),
 * says so through a pipe, then waits to be killed (or exits, for a
 * zombie).
 */
static pid_t run_named(struct fx *f, const char *name, uid_t uid, bool exit_now)
{
	int p[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (prctl(PR_SET_NAME, name, 0, 0, 0) < 0)
			_exit(1);
		if (uid != (uid_t)-1 && setresuid(uid, uid, uid) < 0)
			_exit(1);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		if (exit_now)
			_exit(0);
		for (;;)
			pause();
	}
	keep(f, pid);
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

/* A process name no other process on the machine has. */
static void unique_name(char *buf, size_t size, const char *tag)
{
	snprintf(buf, size, "%s%d", tag, (int)getpid() % 100000);
}

static bool found(const struct scan_proc *v, size_t n, pid_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].pid == pid)
			return true;
	return false;
}

/* scan_find() must return exactly the PIDs given (nwant of them). */
static void expect_exactly(const struct scan_match *m, const pid_t *want,
			   size_t nwant)
{
	struct scan_proc *v = NULL;
	struct proc_stat ps;
	size_t n = 0, i;

	assert_int_equal(scan_find(m, &v, &n), 0);
	assert_int_equal(n, nwant);
	for (i = 0; i < nwant; i++) {
		assert_true(found(v, n, want[i]));
		assert_int_equal(proc_read_stat(want[i], &ps), 0);
		for (size_t j = 0; j < n; j++)
			if (v[j].pid == want[i])
				assert_true(v[j].start_ticks == ps.start_ticks);
	}
	free(v);
}

static void test_exec_matches_copy_only(void **state)
{
	struct fx *f = *state;
	struct scan_match m;
	pid_t mine, other;

	mine = run_prog(f, f->prog);
	other = run_prog(f, "/bin/sleep");
	scan_match_init(&m);
	assert_int_equal(scan_match_exec(&m, f->prog), 0);
	expect_exactly(&m, &mine, 1);
	assert_int_equal(scan_pid_matches(other, &m, NULL), 0);
	assert_int_equal(scan_pid_matches(mine, &m, NULL), 1);
}

/* An upgrade renames a new binary over the old: the old one keeps running. */
static void test_exec_after_binary_replaced(void **state)
{
	struct fx *f = *state;
	char fresh[PATH_MAX + 8], link[PATH_MAX];
	struct scan_match m;
	pid_t pid;

	pid = run_prog(f, f->prog);
	snprintf(fresh, sizeof(fresh), "%s.new", f->prog);
	assert_int_equal(copy_file("/bin/sleep", fresh), 0);
	assert_int_equal(rename(fresh, f->prog), 0);
	assert_int_equal(proc_exe(pid, link, sizeof(link)), 0);
	assert_non_null(strstr(link, " (deleted)"));

	scan_match_init(&m);
	assert_int_equal(scan_match_exec(&m, f->prog), 0);
	expect_exactly(&m, &pid, 1);

	/* Nothing at the path any more: nothing to compare, no match. */
	assert_int_equal(unlink(f->prog), 0);
	assert_int_equal(scan_pid_matches(pid, &m, NULL), 0);
}

static void test_exec_missing_file(void **state)
{
	struct fx *f = *state;
	char path[PATH_MAX + 8];
	struct scan_match m;

	snprintf(path, sizeof(path), "%s/none", f->dir);
	scan_match_init(&m);
	assert_int_equal(scan_match_exec(&m, path), -ENOENT);
	assert_false(scan_match_given(&m));
	assert_int_equal(scan_match_exec(&m, ""), -EINVAL);
}

static void test_name_whole_comm(void **state)
{
	struct fx *f = *state;
	char name[16], prefix[8];
	struct scan_match m;
	pid_t pid;

	unique_name(name, sizeof(name), "dctlsc");
	pid = run_named(f, name, (uid_t)-1, false);
	scan_match_init(&m);
	m.name = name;
	expect_exactly(&m, &pid, 1);
	/* A prefix of the name is another name. */
	snprintf(prefix, sizeof(prefix), "%.6s", name);
	m.name = prefix;
	assert_int_equal(scan_pid_matches(pid, &m, NULL), 0);
}

/* The kernel keeps 15 bytes of a name; a longer --name matches those. */
static void test_name_longer_than_comm(void **state)
{
	struct fx *f = *state;
	char longname[64];
	struct proc_stat ps;
	struct scan_match m;
	pid_t pid;

	snprintf(longname, sizeof(longname), "dctl%05d-a-very-long-name",
		 (int)getpid() % 100000);
	pid = run_named(f, longname, (uid_t)-1, false);
	assert_int_equal(proc_read_stat(pid, &ps), 0);
	assert_int_equal(strlen(ps.comm), 15);
	assert_memory_equal(ps.comm, longname, 15);
	scan_match_init(&m);
	m.name = longname;
	expect_exactly(&m, &pid, 1);
	longname[14] = 'X';
	assert_int_equal(scan_pid_matches(pid, &m, NULL), 0);
}

/*
 * A process that switched to another user: --user compares its effective
 * uid, which is what start-stop-daemon reads as the owner of /proc/PID,
 * though the files in that directory now belong to root.
 */
static void test_user_effective_uid(void **state)
{
	struct fx *f = *state;
	char name[16], dir[48], status[64];
	struct scan_match m;
	struct stat sb;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	unique_name(name, sizeof(name), "dctlus");
	pid = run_named(f, name, NOBODY, false);
	snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_uid, NOBODY);
	snprintf(status, sizeof(status), "%s/status", dir);
	assert_int_equal(stat(status, &sb), 0);
	assert_int_equal(sb.st_uid, 0);

	scan_match_init(&m);
	m.name = name;
	m.uid = NOBODY;
	expect_exactly(&m, &pid, 1);
	m.uid = 0;
	expect_exactly(&m, NULL, 0);
}

static void test_ppid_and_conditions_anded(void **state)
{
	struct fx *f = *state;
	char name[16];
	struct scan_match m;
	pid_t pid;

	unique_name(name, sizeof(name), "dctlpp");
	pid = run_named(f, name, (uid_t)-1, false);
	scan_match_init(&m);
	m.name = name;
	m.ppid = getpid();
	expect_exactly(&m, &pid, 1);
	/* Every condition must hold: the wrong parent, or the wrong exe. */
	m.ppid = getppid();
	expect_exactly(&m, NULL, 0);
	m.ppid = getpid();
	assert_int_equal(scan_match_exec(&m, f->prog), 0);
	expect_exactly(&m, NULL, 0);
}

static void test_zombie_never_matches(void **state)
{
	struct fx *f = *state;
	long long deadline = now_ms() + DEADLINE_MS;
	char name[16];
	struct proc_stat ps;
	struct scan_match m;
	pid_t pid;

	unique_name(name, sizeof(name), "dctlzo");
	pid = run_named(f, name, (uid_t)-1, true);
	while (proc_read_stat(pid, &ps) == 0 && ps.state != 'Z') {
		assert_true(now_ms() < deadline);
		nap();
	}
	assert_int_equal(ps.state, 'Z');
	scan_match_init(&m);
	m.name = name;
	assert_int_equal(scan_pid_matches(pid, &m, NULL), 0);
	expect_exactly(&m, NULL, 0);
}

/* Neither this process nor the one that started it is ever found. */
static void test_never_self_or_ancestor(void **state)
{
	struct scan_proc *v = NULL;
	struct proc_stat self, parent;
	struct scan_match m;
	size_t n = 0;

	(void)state;
	assert_int_equal(proc_read_stat(getpid(), &self), 0);
	assert_int_equal(proc_read_stat(getppid(), &parent), 0);
	scan_match_init(&m);
	m.name = self.comm;
	assert_int_equal(scan_pid_matches(getpid(), &m, NULL), 1);
	assert_int_equal(scan_find(&m, &v, &n), 0);
	assert_false(found(v, n, getpid()));
	free(v);
	m.name = parent.comm;
	assert_int_equal(scan_find(&m, &v, &n), 0);
	assert_false(found(v, n, getppid()));
	free(v);
}

static void test_pid1_and_kernel_threads(void **state)
{
	struct proc_stat ps;
	struct scan_match m;
	uid_t uid;

	(void)state;
	scan_match_init(&m);
	assert_int_equal(proc_read_stat(1, &ps), 0);
	m.name = ps.comm;
	assert_int_equal(scan_pid_matches(1, &m, NULL), 0);
	assert_int_equal(scan_pid_matches(0, &m, NULL), 0);
	assert_int_equal(scan_pid_matches(-1, &m, NULL), 0);
	/* kthreadd, where this namespace shows it. */
	if (proc_read_stat(2, &ps) == 0 && (ps.flags & PROC_FLAG_KTHREAD)) {
		scan_match_init(&m);
		m.name = ps.comm;
		assert_int_equal(proc_euid(2, &uid), 0);
		m.uid = uid;
		assert_int_equal(scan_pid_matches(2, &m, NULL), 0);
	}
}

static void test_no_condition_refused(void **state)
{
	struct scan_proc *v = (struct scan_proc *)1;
	struct scan_match m;
	size_t n = 7;

	(void)state;
	scan_match_init(&m);
	assert_false(scan_match_given(&m));
	assert_int_equal(scan_find(&m, &v, &n), -EINVAL);
	m.ppid = 0;
	m.uid = (uid_t)-1;
	assert_int_equal(scan_find(NULL, &v, &n), -EINVAL);
}

/* ------------------------------------------------- the public object */

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_object_refusals(void **state)
{
	struct fx *f = *state;
	struct dctl_scan *sc;
	char path[PATH_MAX];

	assert_int_equal(dctl_scan_new(NULL), -EINVAL);
	assert_int_equal(dctl_scan_new(&sc), 0);
	/* Without a condition a scan would find every process. */
	assert_int_equal(dctl_scan_run(sc), -EINVAL);
	assert_int_equal(dctl_scan_set_exe(sc, ""), -EINVAL);
	snprintf(path, sizeof(path), "%s/missing", f->dir);
	assert_int_equal(dctl_scan_set_exe(sc, path), -ENOENT);
	assert_int_equal(dctl_scan_set_name(sc, ""), -EINVAL);
	assert_int_equal(dctl_scan_set_ppid(sc, -1), -EINVAL);
	assert_int_equal(dctl_scan_set_pid(sc, -2, 0), -EINVAL);
	assert_int_equal(dctl_scan_set_pidfile(sc, ""), -EINVAL);
	assert_int_equal(dctl_scan_run(sc), -EINVAL);
	/* A name longer than the kernel keeps is said so. */
	assert_int_equal(dctl_scan_set_name(sc, "exactly15bytes_"), 0);
	assert_int_equal(dctl_scan_set_name(sc, "sixteen_bytes_ab"), 1);
	/* Never the caller, its parents, PID 1 or below. */
	assert_int_equal(dctl_scan_set_name(sc, NULL), 0);
	assert_int_equal(dctl_scan_set_pid(sc, getpid(), 0), 0);
	assert_int_equal(dctl_scan_run(sc), -EPERM);
	assert_int_equal(dctl_scan_set_pid(sc, getppid(), 0), 0);
	assert_int_equal(dctl_scan_run(sc), -EPERM);
	assert_int_equal(dctl_scan_set_pid(sc, 1, 0), 0);
	assert_int_equal(dctl_scan_run(sc), -EPERM);
	/* A pid and a pidfile say two things at once. */
	snprintf(path, sizeof(path), "%s/x.pid", f->dir);
	assert_int_equal(dctl_scan_set_pidfile(sc, path), 0);
	assert_int_equal(dctl_scan_run(sc), -EINVAL);
	assert_int_equal(dctl_scan_get_count(sc), 0);
	assert_int_equal(dctl_scan_get_pid(sc, 0), 0);
	assert_int_equal(dctl_scan_get_pid(NULL, 0), -EINVAL);
	assert_null(dctl_scan_get_status(NULL));
	dctl_scan_free(sc);
	dctl_scan_free(NULL);
}

static void test_object_pid_and_start_time(void **state)
{
	struct fx *f = *state;
	struct dctl_scan *sc;
	struct proc_stat ps;
	pid_t a = run_prog(f, f->prog), b = run_prog(f, f->prog);

	assert_int_equal(proc_read_stat(a, &ps), 0);
	assert_int_equal(dctl_scan_new(&sc), 0);
	/* Both copies, in PID order, by executable. */
	assert_int_equal(dctl_scan_set_exe(sc, f->prog), 0);
	assert_int_equal(dctl_scan_run(sc), 0);
	assert_int_equal(dctl_scan_get_count(sc), 2);
	assert_int_equal(dctl_scan_get_pid(sc, 0), a < b ? a : b);
	assert_int_equal(dctl_scan_get_pid(sc, 1), a < b ? b : a);
	/* One of them by PID, and only while it has its start time. */
	assert_int_equal(dctl_scan_set_pid(sc, a, ps.start_ticks), 0);
	assert_int_equal(dctl_scan_run(sc), 0);
	assert_int_equal(dctl_scan_get_count(sc), 1);
	assert_int_equal(dctl_scan_get_pid(sc, 0), a);
	assert_int_equal(dctl_scan_set_pid(sc, a, ps.start_ticks + 1), 0);
	assert_int_equal(dctl_scan_run(sc), 0);
	assert_int_equal(dctl_scan_get_count(sc), 0);
	/* The PID and another condition must both hold. */
	assert_int_equal(dctl_scan_set_pid(sc, a, 0), 0);
	assert_int_equal(dctl_scan_set_ppid(sc, getpid() + 1), 0);
	assert_int_equal(dctl_scan_run(sc), 0);
	assert_int_equal(dctl_scan_get_count(sc), 0);
	dctl_scan_free(sc);
}

static void test_object_pidfile(void **state)
{
	struct fx *f = *state;
	char path[PATH_MAX], text[32];
	const struct dctl_status *st;
	struct dctl_scan *sc;
	pid_t a = run_prog(f, f->prog), gone;

	snprintf(path, sizeof(path), "%s/d.pid", f->dir);
	snprintf(text, sizeof(text), "%d\n", (int)a);
	write_file(path, text, 0644);
	assert_int_equal(dctl_scan_new(&sc), 0);
	assert_int_equal(dctl_scan_set_pidfile(sc, path), 0);
	assert_int_equal(dctl_scan_run(sc), 0);
	st = dctl_scan_get_status(sc);
	assert_int_equal(dctl_status_get_state(st), DCTL_STATE_RUNNING);
	assert_int_equal(dctl_scan_get_count(sc), 1);
	assert_int_equal(dctl_scan_get_pid(sc, 0), a);
	/* Its process must meet the other conditions too. */
	assert_int_equal(dctl_scan_set_name(sc, "not-its-name"), 0);
	assert_int_equal(dctl_scan_run(sc), 0);
	assert_int_equal(dctl_scan_get_count(sc), 0);
	assert_int_equal(dctl_scan_set_name(sc, NULL), 0);
	/* A file others could write names nothing to root without an
	 * executable or owner to confirm it. */
	if (geteuid() == 0) {
		write_file(path, text, 0666);
		assert_int_equal(dctl_scan_run(sc), -EACCES);
		assert_int_equal(dctl_scan_set_exe(sc, f->prog), 0);
		assert_int_equal(dctl_scan_run(sc), 0);
		assert_int_equal(dctl_scan_get_count(sc), 1);
		assert_int_equal(dctl_scan_set_exe(sc, NULL), 0);
	}
	/* A stale pidfile: nothing found, and the probe says so. */
	gone = fork();
	if (gone == 0)
		_exit(0);
	assert_int_equal(waitpid(gone, NULL, 0), gone);
	snprintf(text, sizeof(text), "%d\n", (int)gone);
	write_file(path, text, 0644);
	assert_int_equal(dctl_scan_run(sc), 0);
	assert_int_equal(dctl_scan_get_count(sc), 0);
	assert_int_equal(dctl_status_get_state(dctl_scan_get_status(sc)),
			 DCTL_STATE_DEAD);
	/* Malformed: nothing, whatever digits it starts with. */
	snprintf(text, sizeof(text), "%d junk\n", (int)a);
	write_file(path, text, 0644);
	assert_int_equal(dctl_scan_run(sc), 0);
	assert_int_equal(dctl_scan_get_count(sc), 0);
	assert_int_equal(dctl_status_get_state(dctl_scan_get_status(sc)),
			 DCTL_STATE_UNKNOWN);
	dctl_scan_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exec_matches_copy_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_after_binary_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_whole_comm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_longer_than_comm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_effective_uid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ppid_and_conditions_anded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zombie_never_matches, setup, teardown),
		cmocka_unit_test(test_never_self_or_ancestor),
		cmocka_unit_test(test_pid1_and_kernel_threads),
		cmocka_unit_test(test_no_condition_refused),
		cmocka_unit_test_setup_teardown(test_object_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_object_pid_and_start_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_object_pidfile, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
