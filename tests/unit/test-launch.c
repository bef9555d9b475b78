/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Creating a daemon (launch_fork, launch_clone) and the report pipe: the
 * daemon is a grandchild in a session of its own, its PID and failures
 * arrive in order, and a clone()d launch suspends the caller until the
 * daemon has exec'd.
 */
#include "unit.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "daemonctl.h"
#include "creds.h"
#include "launch.h"

/*
 * Reap the middle child (exit 0) and read the report pipe to EOF: the
 * daemon's PID, and the session it reported from (LAUNCH_MSG_READY, sent
 * by the test's own daemon code), which it must not lead.
 */
static void collect_reports(pid_t middle, int rd, pid_t *daemon, pid_t *sid)
{
	struct launch_msg m;
	int status, r;

	assert_int_equal(waitpid(middle, &status, 0), middle);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	while ((r = launch_report_read(rd, &m)) > 0) {
		assert_true(m.kind != LAUNCH_MSG_FAIL);
		if (m.kind == LAUNCH_MSG_PID)
			*daemon = m.pid;
		if (m.kind == LAUNCH_MSG_READY) {
			*sid = m.pid;
			assert_int_equal(m.step, 0);	/* not a leader */
		}
	}
	assert_int_equal(r, 0);
}

static void test_detach(void **state)
{
	struct launch_msg mine = { .kind = LAUNCH_MSG_READY };
	pid_t middle, daemon = 0, sid = 0;
	int fds[2];

	(void)state;
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	middle = launch_fork(fds[1]);
	if (middle == 0) {
		/* In the daemon: tell the test our session. */
		mine.pid = getsid(0);
		mine.step = getpid() == getsid(0);
		launch_report_write(fds[1], &mine);
		_exit(0);
	}
	assert_true(middle > 0);
	close(fds[1]);
	collect_reports(middle, fds[0], &daemon, &sid);
	close(fds[0]);
	assert_true(daemon > 1);
	assert_int_equal(sid, middle);	/* the session the middle made */
	assert_true(sid != getsid(0));
}

/* What a launched daemon runs: report its session, wait, exec. */
struct launch_arg {
	int report_fd;
	unsigned delay_ms;		/* before exec: the caller must wait */
	const struct creds *user;	/* switched to, if set */
};

static int launched(void *p)
{
	const struct launch_arg *a = p;
	struct launch_msg mine = { .kind = LAUNCH_MSG_READY };
	struct timespec ts = { a->delay_ms / 1000,
			       (long)(a->delay_ms % 1000) * 1000000L };
	char *const argv[] = { "sleep", "30", NULL };
	struct recipe r;

	mine.pid = getsid(0);
	mine.step = getpid() == getsid(0);
	launch_report_write(a->report_fd, &mine);
	nanosleep(&ts, NULL);
	recipe_init(&r);
	r.keep_cloexec[r.n_keep_cloexec++] = a->report_fd;
	r.user = a->user;
	if (recipe_apply(&r, NULL) < 0)
		return 3;
	execve("/bin/sleep", argv, environ);
	return 4;
}

/* Launch, check session and report; return the daemon's PID (alive). */
static pid_t launch_and_check(struct launch_arg *a)
{
	struct pollfd pfd;
	sigset_t before, after;
	pid_t middle, daemon = 0, sid = 0;
	int fds[2];
	struct timespec t0, t1;
	long ms;

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	a->report_fd = fds[1];
	/* Whole, as glibc fills only the kernel's part of a sigset_t. */
	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	sigprocmask(SIG_SETMASK, NULL, &before);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	middle = launch_clone(fds[1], launched, a, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sigprocmask(SIG_SETMASK, NULL, &after);
	assert_true(middle > 0);
	close(fds[1]);
	/* Our signal mask is back as it was. */
	assert_memory_equal(&before, &after, sizeof(before));
	/* It returned only once the daemon had exec'd: the report pipe is
	 * at EOF already, not merely readable. */
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= (long)a->delay_ms);
	/* The middle child is exiting (it releases us on the way out). */
	collect_reports(middle, fds[0], &daemon, &sid);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_true(pfd.revents & POLLHUP);
	close(fds[0]);
	assert_true(daemon > 1);
	assert_int_equal(sid, middle);
	assert_true(sid != getsid(0));
	return daemon;
}

/* A daemon of ours that is alive and is /bin/sleep (exec'd). */
static void assert_sleeping(pid_t pid)
{
	char path[64], exe[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	assert_non_null(strstr(exe, "sleep"));
}

static void test_launch(void **state)
{
	struct launch_arg a = { .delay_ms = 200 };
	pid_t daemon;

	(void)state;
	daemon = launch_and_check(&a);
	assert_sleeping(daemon);
	kill(daemon, SIGKILL);
}

/* Tells its TID through fds[1], then waits until fds[0] reaches EOF. */
static void *idle_thread(void *p)
{
	const int *fds = p;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	char c;

	if (write(fds[1], &tid, sizeof(tid)) != sizeof(tid))
		return NULL;
	while (read(fds[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static int thread_uid(pid_t tid, uid_t *uid)
{
	char path[64], buf[4096], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strstr(buf, "\nUid:");
	if (!p)
		return -1;
	*uid = (uid_t)strtoul(p + 5, NULL, 10);
	return 0;
}

/*
 * A caller with a second thread: the daemon, which shares the caller's
 * memory until exec, switches to nobody, and only the daemon does; the
 * caller's threads stay root.
 */
static void test_launch_threaded_creds(void **state)
{
	struct creds u;
	struct launch_arg a = { .delay_ms = 0, .user = &u };
	struct stat st;
	pthread_t t;
	pid_t daemon, tid;
	uid_t uid;
	int hold[2], told[2], fds[2];
	char path[64];

	(void)state;
	if (geteuid() != 0 || creds_resolve("nobody", &u) < 0) {
		skip();
		return;
	}
	assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
	assert_int_equal(pipe2(told, O_CLOEXEC), 0);
	fds[0] = hold[0];
	fds[1] = told[1];
	assert_int_equal(pthread_create(&t, NULL, idle_thread, fds), 0);
	assert_int_equal(read(told[0], &tid, sizeof(tid)), sizeof(tid));
	assert_true(tid != getpid());
	daemon = launch_and_check(&a);
	assert_sleeping(daemon);
	snprintf(path, sizeof(path), "/proc/%d", (int)daemon);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, u.uid);
	kill(daemon, SIGKILL);
	/* Every thread of ours is still root. */
	assert_int_equal(thread_uid(getpid(), &uid), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(thread_uid(tid, &uid), 0);
	assert_int_equal(uid, 0);
	close(hold[1]);
	assert_int_equal(pthread_join(t, NULL), 0);
	close(hold[0]);
	close(told[0]);
	close(told[1]);
	creds_free(&u);
}

/* A thread that launches a slow daemon and is cancelled meanwhile. */
struct cancelled {
	struct launch_arg a;
	pid_t middle;
	volatile pid_t cleanup_in;	/* getpid() where the handler ran */
};

static void note_cleanup(void *p)
{
	((struct cancelled *)p)->cleanup_in = getpid();
}

static void *launching_thread(void *p)
{
	struct cancelled *c = p;

	pthread_cleanup_push(note_cleanup, c);
	c->middle = launch_clone(c->a.report_fd, launched, &c->a, NULL);
	for (;;)
		pause();	/* a cancellation point, reached in the caller */
	pthread_cleanup_pop(0);
	return NULL;
}

/*
 * The launched processes share the launching thread's memory, its
 * cancellation state included: a pthread_cancel() that lands while the
 * daemon is being set up must act in the caller afterwards, never run the
 * caller's cleanup handlers inside the daemon.
 */
static void test_launch_cancelled(void **state)
{
	struct cancelled c = { .a = { .delay_ms = 2000 } };
	struct launch_msg m;
	pid_t daemon = 0;
	pthread_t t;
	int fds[2], status;

	(void)state;
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	c.a.report_fd = fds[1];
	assert_int_equal(pthread_create(&t, NULL, launching_thread, &c), 0);
	/* The daemon's first report says it has begun its delay: cancel
	 * then, while the launching thread still waits for it. */
	while (launch_report_read(fds[0], &m) > 0 &&
	       m.kind != LAUNCH_MSG_READY)
		if (m.kind == LAUNCH_MSG_PID)
			daemon = m.pid;
	assert_int_equal(pthread_cancel(t), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(c.cleanup_in, getpid());
	assert_true(c.middle > 0);
	assert_int_equal(waitpid(c.middle, &status, 0), c.middle);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fds[1]);
	while (launch_report_read(fds[0], &m) > 0)
		if (m.kind == LAUNCH_MSG_PID)
			daemon = m.pid;
	close(fds[0]);
	assert_true(daemon > 1);
	assert_sleeping(daemon);
	kill(daemon, SIGKILL);
}

static void test_report_short(void **state)
{
	struct launch_msg m;
	int fds[2];

	(void)state;
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	assert_int_equal(write(fds[1], "abc", 3), 3);
	close(fds[1]);
	assert_int_equal(launch_report_read(fds[0], &m), -EBADMSG);
	close(fds[0]);
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	assert_int_equal(launch_report_fail(fds[1], RECIPE_STEP_EXEC, ENOENT), 0);
	close(fds[1]);
	assert_int_equal(launch_report_read(fds[0], &m), 1);
	assert_int_equal(m.kind, LAUNCH_MSG_FAIL);
	assert_int_equal(m.step, RECIPE_STEP_EXEC);
	assert_int_equal(m.err, ENOENT);
	assert_int_equal(m.pid, getpid());
	assert_int_equal(launch_report_read(fds[0], &m), 0);
	close(fds[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_launch),
		cmocka_unit_test(test_launch_threaded_creds),
		cmocka_unit_test(test_launch_cancelled),
		cmocka_unit_test(test_report_short),
	};

	/* A launch gone wrong hangs (a child on our memory): end the run
	 * instead of CI. */
	alarm(120);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
