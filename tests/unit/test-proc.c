/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proc.c against real processes: children we fork, that exit, linger as
 * zombies, ignore TERM, rename themselves, or exec with an environment.
 * Every child dies with us (PR_SET_PDEATHSIG) and is ended by its PID.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit.h"

#include "proc.h"
#include "util.h"

#define UUID_A "0f8c3b9e-5d1a-4c6e-9b2f-7a1d3e4c5b6a"

/* What a forked child does once it is set up. */
enum child_mode {
	CHILD_PAUSE,		/* wait for a signal */
	CHILD_IGNORE_TERM,	/* ignore SIGTERM, then wait */
	CHILD_ODD_NAME,		/* rename itself "a) (b) Z 7", then wait */
	CHILD_EXIT_ON_EOF,	/* exit 0 when the parent closes the pipe */
};

#define ODD_NAME "a) (b) Z 7"

static void child_body(enum child_mode mode, int ready_fd, int go_fd)
{
	char c = 'r';

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (mode == CHILD_IGNORE_TERM)
		signal(SIGTERM, SIG_IGN);
	if (mode == CHILD_ODD_NAME)
		prctl(PR_SET_NAME, ODD_NAME);
	if (write(ready_fd, &c, 1) != 1)
		_exit(2);
	if (mode == CHILD_EXIT_ON_EOF) {
		while (read(go_fd, &c, 1) > 0)
			;
		_exit(0);
	}
	for (;;)
		pause();
}

/*
 * Fork a child in the given mode and return once it is set up. *go_fd
 * (may be NULL) is the write end that CHILD_EXIT_ON_EOF waits on.
 */
static pid_t spawn_child(enum child_mode mode, int *go_fd)
{
	int ready[2], go[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		child_body(mode, ready[1], go[0]);
	}
	close(ready[1]);
	close(go[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	if (go_fd)
		*go_fd = go[1];
	else
		close(go[1]);
	return pid;
}

/* pidfd_open, or skip where the kernel (or valgrind) lacks it. */
static int pidfd_or_skip(pid_t pid)
{
	int fd = proc_pidfd_open(pid);

	if (fd == -ENOSYS) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		skip();
	}
	assert_true(fd >= 0);
	return fd;
}

/* Wait (bounded) until a child shows the given state in /proc. */
static void await_state(pid_t pid, char want)
{
	struct proc_stat ps;
	int i;

	for (i = 0; i < 2000; i++) {
		if (proc_read_stat(pid, &ps) == 0 && ps.state == want)
			return;
		usleep(1000);
	}
	fail_msg("process %d never reached state %c", (int)pid, want);
}

static void test_stat_self(void **unused)
{
	struct proc_stat ps;

	assert_int_equal(proc_read_stat(getpid(), &ps), 0);
	assert_int_equal(ps.pid, getpid());
	assert_int_equal(ps.ppid, getppid());
	assert_int_equal(ps.pgrp, getpgrp());
	assert_int_equal(ps.session, getsid(0));
	assert_int_equal(ps.state, 'R');
	assert_true(ps.start_ticks > 0);
	assert_true(proc_alive(getpid()));
}

static void test_stat_odd_name(void **unused)
{
	char path[64], comm[64];
	struct proc_stat ps;
	pid_t pid;

	pid = spawn_child(CHILD_ODD_NAME, NULL);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	assert_true(util_read_small(AT_FDCWD, path, comm, sizeof(comm)) > 0);
	assert_string_equal(comm, ODD_NAME "\n");

	assert_int_equal(proc_read_stat(pid, &ps), 0);
	assert_int_equal(ps.pid, pid);
	assert_int_equal(ps.ppid, getpid());
	assert_int_equal(ps.pgrp, getpgrp());
	assert_int_equal(ps.session, getsid(0));
	/* The fake " Z " inside the name must not be taken for the state. */
	assert_true(ps.state == 'S' || ps.state == 'R');
	assert_true(proc_alive(pid));
	end_child(pid);
}

static void test_stat_missing(void **unused)
{
	struct proc_stat ps;
	pid_t pid = reaped_pid();

	assert_int_equal(proc_read_stat(pid, &ps), -ESRCH);
	assert_false(proc_alive(pid));
	assert_int_equal(proc_read_stat(0, &ps), -EINVAL);
	assert_int_equal(proc_read_stat(-1, &ps), -EINVAL);
	assert_false(proc_alive(0));
	assert_false(proc_alive(-1));
}

static void test_zombie_wait_pidfd(void **unused)
{
	struct proc_stat ps;
	int go, pidfd;
	pid_t pid;

	pid = spawn_child(CHILD_EXIT_ON_EOF, &go);
	pidfd = pidfd_or_skip(pid);
	assert_true(fcntl(pidfd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(proc_wait_exit(pidfd, pid, 50), -ETIMEDOUT);
	assert_true(proc_alive(pid));

	/* The exit is seen, long before a deadline only a hang would reach
	 * (how soon is bench/'s business). */
	close(go);
	assert_int_equal(proc_wait_exit(pidfd, pid, 60000), 0);

	/* Not reaped: a zombie, which counts as exited. */
	assert_int_equal(proc_read_stat(pid, &ps), 0);
	assert_int_equal(ps.state, 'Z');
	assert_false(proc_alive(pid));
	assert_int_equal(proc_wait_exit(pidfd, pid, 0), 0);

	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(proc_wait_exit(pidfd, pid, 0), 0);
	close(pidfd);
}

static void test_ignores_term(void **unused)
{
	long long t0, took;
	int pidfd;
	pid_t pid;

	pid = spawn_child(CHILD_IGNORE_TERM, NULL);
	pidfd = pidfd_or_skip(pid);
	assert_int_equal(proc_pidfd_signal(pidfd, SIGTERM), 0);

	t0 = util_now_ms();
	assert_int_equal(proc_wait_exit(pidfd, pid, 200), -ETIMEDOUT);
	took = util_now_ms() - t0;
	/* Not before the deadline; the upper bound only catches a hang. */
	assert_true(took >= 190 && took < 30000);
	assert_true(proc_alive(pid));

	assert_int_equal(proc_pidfd_signal(pidfd, SIGKILL), 0);
	assert_int_equal(proc_wait_exit(pidfd, pid, 5000), 0);
	assert_false(proc_alive(pid));
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	/* The pidfd still names the old process: nothing to signal now. */
	assert_int_equal(proc_pidfd_signal(pidfd, SIGTERM), -ESRCH);
	close(pidfd);
}

static void test_wait_fallback(void **unused)
{
	long long t0, took;
	int go;
	pid_t pid;

	pid = spawn_child(CHILD_EXIT_ON_EOF, &go);
	t0 = util_now_ms();
	assert_int_equal(proc_wait_exit(-1, pid, 120), -ETIMEDOUT);
	took = util_now_ms() - t0;
	assert_true(took >= 115 && took < 30000);

	/* Without a pidfd the wait polls, and still sees the exit. */
	close(go);
	assert_int_equal(proc_wait_exit(-1, pid, 60000), 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(proc_wait_exit(-1, pid, 0), 0);

	/* Never a probe of PID 0, 1 or a group. */
	assert_int_equal(proc_wait_exit(-1, 0, 10), -EINVAL);
	assert_int_equal(proc_wait_exit(-1, 1, 10), -EINVAL);
	assert_int_equal(proc_wait_exit(-1, -1, 10), -EINVAL);
}

static void test_pidfd_gone(void **unused)
{
	int r = proc_pidfd_open(reaped_pid());

	if (r == -ENOSYS)
		skip();
	assert_int_equal(r, -ESRCH);
	assert_int_equal(proc_pidfd_open(0), -EINVAL);
	assert_int_equal(proc_pidfd_open(-1), -EINVAL);
	assert_int_equal(proc_pidfd_signal(-1, 0), -EBADF);
}

static long long ts_ms(struct timespec ts)
{
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_start_time(void **unused)
{
	struct timespec now, started;
	struct proc_stat ps;
	pid_t pid;

	pid = spawn_child(CHILD_PAUSE, NULL);
	clock_gettime(CLOCK_REALTIME, &now);
	assert_int_equal(proc_read_stat(pid, &ps), 0);
	started = proc_start_time(ps.start_ticks);
	/* A tick is 10 ms; allow for slow machines. */
	assert_true(llabs(ts_ms(now) - ts_ms(started)) < 2000);
	assert_true(started.tv_nsec >= 0 && started.tv_nsec < 1000000000L);

	/* We started before the child did. */
	assert_int_equal(proc_read_stat(getpid(), &ps), 0);
	assert_true(ts_ms(proc_start_time(ps.start_ticks)) <=
		    ts_ms(started) + 10);
	end_child(pid);
}

/*
 * fork + exec sleep with the given environment; returns once exec has
 * happened (the close-on-exec pipe reads EOF).
 */
static pid_t exec_sleep(char *const *envp)
{
	char *const argv[] = { "sleep", "30", NULL };
	int p[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execve("/bin/sleep", argv, envp);
		c = 'x';
		if (write(p[1], &c, 1) < 0)
			_exit(126);
		_exit(127);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 0);
	close(p[0]);
	return pid;
}

static void test_instance(void **unused)
{
	char *env[] = { "A=1", "DAEMON_INSTANCE_ID=" UUID_A, "Z=2", NULL };
	char buf[DCTL_UUID_LEN];
	pid_t pid;

	pid = exec_sleep(env);
	assert_int_equal(proc_instance(pid, buf, sizeof(buf)), 0);
	assert_string_equal(buf, UUID_A);
	assert_int_equal(proc_instance(pid, buf, 10), -EINVAL);
	end_child(pid);
	assert_true(proc_instance(pid, buf, sizeof(buf)) < 0);
}

static void test_instance_absent_or_bad(void **unused)
{
	char *none[] = { "DAEMON_INSTANCE=" UUID_A, "XDAEMON_INSTANCE_ID=" UUID_A,
			 NULL };
	char *bad[] = { "DAEMON_INSTANCE_ID=not-a-uuid", NULL };
	char *longer[] = { "DAEMON_INSTANCE_ID=" UUID_A "0", NULL };
	char *first[] = { "DAEMON_INSTANCE_ID=" UUID_A,
			  "DAEMON_INSTANCE_ID=nonsense", NULL };
	char *empty[] = { NULL };
	char buf[DCTL_UUID_LEN];
	pid_t pid;

	pid = exec_sleep(none);
	assert_int_equal(proc_instance(pid, buf, sizeof(buf)), -ENOENT);
	assert_string_equal(buf, "");
	end_child(pid);

	pid = exec_sleep(bad);
	assert_int_equal(proc_instance(pid, buf, sizeof(buf)), -EBADMSG);
	end_child(pid);

	pid = exec_sleep(longer);
	assert_int_equal(proc_instance(pid, buf, sizeof(buf)), -EBADMSG);
	end_child(pid);

	/* Like getenv(): the first of two wins. */
	pid = exec_sleep(first);
	assert_int_equal(proc_instance(pid, buf, sizeof(buf)), 0);
	assert_string_equal(buf, UUID_A);
	end_child(pid);

	/* An empty environment has no instance, at once: it is not taken
	 * for one the kernel has yet to write in the middle of an execve(),
	 * which is worth another look (-EAGAIN). */
	pid = exec_sleep(empty);
	assert_int_equal(proc_instance(pid, buf, sizeof(buf)), -ENOENT);
	end_child(pid);
}

/* The entry sits after 200 KiB of other variables, across many reads. */
static void test_instance_big_environment(void **unused)
{
	enum { FILLERS = 200 };
	char *env[FILLERS + 2];
	char buf[DCTL_UUID_LEN];
	char *filler;
	pid_t pid;
	int i;

	for (i = 0; i < FILLERS; i++) {
		/* 1023 bytes each: the key straddles chunk boundaries. */
		filler = malloc(1024);
		assert_non_null(filler);
		snprintf(filler, 1024, "F%03d=", i);
		memset(filler + 5, 'x', 1017);
		filler[1022] = '\0';
		env[i] = filler;
	}
	env[FILLERS] = "DAEMON_INSTANCE_ID=" UUID_A;
	env[FILLERS + 1] = NULL;
	pid = exec_sleep(env);
	assert_int_equal(proc_instance(pid, buf, sizeof(buf)), 0);
	assert_string_equal(buf, UUID_A);
	end_child(pid);
	for (i = 0; i < FILLERS; i++)
		free(env[i]);
}

static void test_zombie_instance(void **unused)
{
	char buf[DCTL_UUID_LEN];
	int go;
	pid_t pid;

	pid = spawn_child(CHILD_EXIT_ON_EOF, &go);
	close(go);
	await_state(pid, 'Z');
	/* A zombie has no environment left to read. */
	assert_int_equal(proc_instance(pid, buf, sizeof(buf)), -ESRCH);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

static void test_exe(void **unused)
{
	char buf[4096], want[4096];
	char *env[] = { NULL };
	ssize_t n;
	pid_t pid;

	n = readlink("/proc/self/exe", want, sizeof(want) - 1);
	assert_true(n > 0);
	want[n] = '\0';
	assert_int_equal(proc_exe(getpid(), buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
	assert_int_equal(proc_exe(getpid(), buf, 4), -ENAMETOOLONG);
	assert_string_equal(buf, "");

	pid = exec_sleep(env);
	assert_non_null(realpath("/bin/sleep", want));
	assert_int_equal(proc_exe(pid, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
	end_child(pid);
	assert_true(proc_exe(pid, buf, sizeof(buf)) < 0);
}

static void test_uid(void **unused)
{
	uid_t uid = 12345;
	int ready[2];
	pid_t pid;
	char c;

	assert_int_equal(proc_uid(getpid(), &uid), 0);
	assert_int_equal(uid, getuid());
	assert_int_equal(proc_uid(reaped_pid(), &uid), -ESRCH);
	if (geteuid() != 0)
		skip();

	/* A real uid differing from the effective one: the real one wins. */
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (setresuid(65534, 65533, 0) < 0)
			_exit(1);
		c = 'r';
		if (write(ready[1], &c, 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	assert_int_equal(proc_uid(pid, &uid), 0);
	assert_int_equal(uid, 65534);
	end_child(pid);
}

static void test_holds_flock(void **unused)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char path[] = "/tmp/test-proc.XXXXXX";
	struct stat sb, other;
	int fd, fd2;

	fd = mkostemp(path, O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	assert_int_equal(stat("/proc/self/exe", &other), 0);

	/* Open but not locked, then POSIX-locked: no flock either way. */
	assert_int_equal(proc_holds_flock(getpid(), sb.st_dev, sb.st_ino), 0);
	assert_int_equal(fcntl(fd, F_SETLK, &fl), 0);
	assert_int_equal(proc_holds_flock(getpid(), sb.st_dev, sb.st_ino), 0);
	fl.l_type = F_UNLCK;
	assert_int_equal(fcntl(fd, F_SETLK, &fl), 0);

	/* A second, unlocked descriptor does not hide the locked one. */
	fd2 = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd2 >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(proc_holds_flock(getpid(), sb.st_dev, sb.st_ino), 1);
	assert_int_equal(proc_holds_flock(getpid(), other.st_dev, other.st_ino),
			 0);
	assert_int_equal(flock(fd, LOCK_UN), 0);
	assert_int_equal(proc_holds_flock(getpid(), sb.st_dev, sb.st_ino), 0);

	assert_int_equal(proc_holds_flock(reaped_pid(), sb.st_dev, sb.st_ino),
			 -ESRCH);
	assert_int_equal(proc_holds_flock(0, sb.st_dev, sb.st_ino), -EINVAL);
	close(fd2);
	close(fd);
	unlink(path);
}

/*
 * A process whose descriptor 3 is the file, unlocked, and whose lock is
 * held through descriptor 1: the quick look at 3 must not end the search,
 * and stdio, looked at last, is still looked at.
 */
static void test_holds_flock_on_stdio(void **unused)
{
	char path[] = "/tmp/test-proc.XXXXXX";
	struct stat sb;
	int fd, ready[2];
	pid_t pid;
	char c;

	fd = mkostemp(path, O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	close(fd);
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The report end out of the way of descriptor 3 first. */
		int w = fcntl(ready[1], F_DUPFD_CLOEXEC, 10);
		int a = open(path, O_RDONLY), b = open(path, O_RDONLY);

		if (w < 0 || a < 0 || b < 0 || dup2(a, 3) != 3 ||
		    flock(b, LOCK_EX | LOCK_NB) < 0 || dup2(b, 1) != 1)
			_exit(1);
		if (a != 3)
			close(a);
		close(b);
		if (write(w, "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	assert_int_equal(proc_holds_flock(pid, sb.st_dev, sb.st_ino), 1);
	end_child(pid);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_self),
		cmocka_unit_test(test_stat_odd_name),
		cmocka_unit_test(test_stat_missing),
		cmocka_unit_test(test_zombie_wait_pidfd),
		cmocka_unit_test(test_ignores_term),
		cmocka_unit_test(test_wait_fallback),
		cmocka_unit_test(test_pidfd_gone),
		cmocka_unit_test(test_start_time),
		cmocka_unit_test(test_instance),
		cmocka_unit_test(test_instance_absent_or_bad),
		cmocka_unit_test(test_instance_big_environment),
		cmocka_unit_test(test_zombie_instance),
		cmocka_unit_test(test_exe),
		cmocka_unit_test(test_uid),
		cmocka_unit_test(test_holds_flock),
		cmocka_unit_test(test_holds_flock_on_stdio),
	};

	/* A hung test ends the run (children die with us) instead of CI. */
	alarm(60);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
