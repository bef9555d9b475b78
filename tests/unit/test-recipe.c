/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The recipe's pieces, each run in a forked child that reports by its exit
 * status (0: as expected, else the number of the failed check). */
#include "unit.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "daemonctl.h"
#include "recipe.h"

/* Run fn in a child; return its exit status (or 100 + signal). */
static int in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		return 100 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int child_signals(void *arg)
{
	struct sigaction sa;
	sigset_t set;

	(void)arg;
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (recipe_reset_signals())
		return 1;
	sigaction(SIGHUP, NULL, &sa);
	if (sa.sa_handler != SIG_DFL)
		return 2;
	sigaction(SIGINT, NULL, &sa);
	if (sa.sa_handler != SIG_DFL)
		return 3;
	sigprocmask(SIG_SETMASK, NULL, &set);
	if (sigismember(&set, SIGUSR1) || sigismember(&set, SIGTERM))
		return 4;
	return 0;
}

static void test_reset_signals(void **state)
{
	(void)state;
	assert_int_equal(in_child(child_signals, NULL), 0);
}

static int child_close(void *arg)
{
	int fd[6], keep[2], i;

	(void)arg;
	for (i = 0; i < 6; i++)
		if ((fd[i] = open("/dev/null", O_RDONLY)) < 3)
			return 1;
	keep[0] = fd[4];	/* unsorted on purpose */
	keep[1] = fd[1];
	if (recipe_close_fds(keep, 2))
		return 2;
	for (i = 0; i < 6; i++) {
		bool open_now = fcntl(fd[i], F_GETFD) >= 0;

		if (open_now != (i == 1 || i == 4))
			return 10 + i;
	}
	/* 0-2 are never touched. */
	if (fcntl(2, F_GETFD) < 0)
		return 3;
	return 0;
}

static void test_close_fds(void **state)
{
	(void)state;
	assert_int_equal(in_child(child_close, NULL), 0);
}

struct apply_case {
	char dir[256];
	char out[300];
};

static int child_apply(void *arg)
{
	struct apply_case *c = arg;
	struct recipe r;
	enum recipe_step step = RECIPE_STEP_NONE;
	char cwd[256];
	int out, lock, extra, pipe_fd[2];
	mode_t old;
	struct stat st;

	/* A hostile state: stdin closed (so the lock may land on 0), an
	 * odd umask, an extra descriptor. */
	close(0);
	lock = open(c->out, O_RDWR | O_CLOEXEC);	/* lands on 0 */
	out = open(c->out, O_WRONLY | O_APPEND | O_CLOEXEC);
	extra = open("/dev/null", O_RDONLY);
	if (lock != 0 || out < 0 || extra < 0 || pipe2(pipe_fd, O_CLOEXEC))
		return 1;
	umask(077);
	recipe_init(&r);
	r.stdout_fd = out;
	r.stderr_fd = out;
	r.keep_fd = lock;
	r.keep_cloexec[r.n_keep_cloexec++] = pipe_fd[1];
	r.chdir_path = c->dir;
	r.umask = 027;
	if (recipe_apply(&r, &step))
		return 2;
	if (r.keep_fd < 3 || fcntl(r.keep_fd, F_GETFD) != 0)
		return 3;	/* moved out of 0-2, inheritable */
	if (fcntl(r.keep_cloexec[0], F_GETFD) != FD_CLOEXEC)
		return 4;	/* kept, still close-on-exec */
	if (fcntl(extra, F_GETFD) >= 0 && extra != r.keep_fd &&
	    extra != r.keep_cloexec[0])
		return 5;	/* closed */
	if (fstat(0, &st) || !S_ISCHR(st.st_mode))
		return 6;	/* stdin is /dev/null */
	if (write(1, "out\n", 4) != 4 || write(2, "err\n", 4) != 4)
		return 7;
	if (!getcwd(cwd, sizeof(cwd)) || strcmp(cwd, c->dir))
		return 8;
	old = umask(0);
	if (old != 027)
		return 9;
	/* The lock descriptor still names the file. */
	if (pwrite(r.keep_fd, "x", 1, 100) != 1)
		return 10;
	return step == RECIPE_STEP_NONE ? 0 : 11;
}

static void test_apply(void **state)
{
	struct apply_case c;
	char *dir = unit_tmpdir(), text[256] = "";
	FILE *f;

	(void)state;
	assert_non_null(dir);
	snprintf(c.dir, sizeof(c.dir), "%s", dir);
	snprintf(c.out, sizeof(c.out), "%s/out", dir);
	close(open(c.out, O_WRONLY | O_CREAT, 0600));
	assert_int_equal(in_child(child_apply, &c), 0);
	f = fopen(c.out, "r");
	assert_non_null(f);
	assert_int_equal(fread(text, 1, 8, f), 8);
	fclose(f);
	assert_memory_equal(text, "out\nerr\n", 8);
	unit_rmtree(dir);
}

static int child_apply_fails(void *arg)
{
	struct recipe r;
	enum recipe_step step = RECIPE_STEP_NONE;
	int e;

	recipe_init(&r);
	r.chdir_path = arg;
	e = recipe_apply(&r, &step);
	return e == -ENOENT && step == RECIPE_STEP_CHDIR ? 0 : 1;
}

static void test_apply_reports_step(void **state)
{
	(void)state;
	assert_int_equal(in_child(child_apply_fails, "/no/such/dir/at/all"), 0);
}

/*
 * Reap the middle child (exit 0) and read the report pipe to EOF: the
 * daemon's PID, and the session it reported from (RECIPE_MSG_READY, sent
 * by the test's own daemon code), which it must not lead.
 */
static void collect_reports(pid_t middle, int rd, pid_t *daemon, pid_t *sid)
{
	struct recipe_msg m;
	int status, r;

	assert_int_equal(waitpid(middle, &status, 0), middle);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	while ((r = recipe_report_read(rd, &m)) > 0) {
		assert_true(m.kind != RECIPE_MSG_FAIL);
		if (m.kind == RECIPE_MSG_PID)
			*daemon = m.pid;
		if (m.kind == RECIPE_MSG_READY) {
			*sid = m.pid;
			assert_int_equal(m.step, 0);	/* not a leader */
		}
	}
	assert_int_equal(r, 0);
}

static void test_detach(void **state)
{
	struct recipe_msg mine = { .kind = RECIPE_MSG_READY };
	pid_t middle, daemon = 0, sid = 0;
	int fds[2];

	(void)state;
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	middle = recipe_detach(fds[1]);
	if (middle == 0) {
		/* In the daemon: tell the test our session. */
		mine.pid = getsid(0);
		mine.step = getpid() == getsid(0);
		recipe_report_write(fds[1], &mine);
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
	const struct recipe_user *user;	/* switched to, if set */
};

static int launched(void *p)
{
	const struct launch_arg *a = p;
	struct recipe_msg mine = { .kind = RECIPE_MSG_READY };
	struct timespec ts = { a->delay_ms / 1000,
			       (long)(a->delay_ms % 1000) * 1000000L };
	char *const argv[] = { "sleep", "30", NULL };
	struct recipe r;

	mine.pid = getsid(0);
	mine.step = getpid() == getsid(0);
	recipe_report_write(a->report_fd, &mine);
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
	middle = recipe_launch(fds[1], launched, a);
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
	struct recipe_user u;
	struct launch_arg a = { .delay_ms = 0, .user = &u };
	struct stat st;
	pthread_t t;
	pid_t daemon, tid;
	uid_t uid;
	int hold[2], told[2], fds[2];
	char path[64];

	(void)state;
	if (geteuid() != 0 || recipe_resolve_user("nobody", &u) < 0) {
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
	recipe_user_free(&u);
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
	c->middle = recipe_launch(c->a.report_fd, launched, &c->a);
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
	struct recipe_msg m;
	pid_t daemon = 0;
	pthread_t t;
	int fds[2], status;

	(void)state;
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	c.a.report_fd = fds[1];
	assert_int_equal(pthread_create(&t, NULL, launching_thread, &c), 0);
	/* The daemon's first report says it has begun its delay: cancel
	 * then, while the launching thread still waits for it. */
	while (recipe_report_read(fds[0], &m) > 0 &&
	       m.kind != RECIPE_MSG_READY)
		if (m.kind == RECIPE_MSG_PID)
			daemon = m.pid;
	assert_int_equal(pthread_cancel(t), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(c.cleanup_in, getpid());
	assert_true(c.middle > 0);
	assert_int_equal(waitpid(c.middle, &status, 0), c.middle);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fds[1]);
	while (recipe_report_read(fds[0], &m) > 0)
		if (m.kind == RECIPE_MSG_PID)
			daemon = m.pid;
	close(fds[0]);
	assert_true(daemon > 1);
	assert_sleeping(daemon);
	kill(daemon, SIGKILL);
}

static void test_report_short(void **state)
{
	struct recipe_msg m;
	int fds[2];

	(void)state;
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	assert_int_equal(write(fds[1], "abc", 3), 3);
	close(fds[1]);
	assert_int_equal(recipe_report_read(fds[0], &m), -EBADMSG);
	close(fds[0]);
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	assert_int_equal(recipe_report_fail(fds[1], RECIPE_STEP_EXEC, ENOENT), 0);
	close(fds[1]);
	assert_int_equal(recipe_report_read(fds[0], &m), 1);
	assert_int_equal(m.kind, RECIPE_MSG_FAIL);
	assert_int_equal(m.step, RECIPE_STEP_EXEC);
	assert_int_equal(m.err, ENOENT);
	assert_int_equal(m.pid, getpid());
	assert_int_equal(recipe_report_read(fds[0], &m), 0);
	close(fds[0]);
}

static void test_find_program(void **state)
{
	char buf[4096], path[512], cwd[512];
	char *dir = unit_tmpdir();

	(void)state;
	assert_int_equal(recipe_find_program("sh", NULL, buf, sizeof(buf)), 0);
	assert_true(buf[0] == '/');
	assert_int_equal(access(buf, X_OK), 0);
	assert_int_equal(recipe_find_program("no-such-program-here", NULL, buf,
					     sizeof(buf)), -ENOENT);
	assert_int_equal(recipe_find_program("", NULL, buf, sizeof(buf)),
			 -ENOENT);
	snprintf(path, sizeof(path), "%s/plain", dir);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	assert_int_equal(recipe_find_program(path, NULL, buf, sizeof(buf)),
			 -EACCES);
	assert_int_equal(recipe_find_program(dir, NULL, buf, sizeof(buf)),
			 -EACCES);
	/* A relative path is made absolute: the daemon runs from "/". */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir("/bin"), 0);
	assert_non_null(getcwd(path, sizeof(path)));
	strcat(path, "/./sh");
	assert_int_equal(recipe_find_program("./sh", NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, path);
	assert_int_equal(chdir(cwd), 0);
	/* Under a root: found inside it, named without the prefix. */
	assert_int_equal(recipe_find_program("/sh", "/bin", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sh");
	assert_int_equal(recipe_find_program("x", NULL, buf, 3), -ENOENT);
	unit_rmtree(dir);
}

static void test_resolve_user(void **state)
{
	struct recipe_user u;

	(void)state;
	assert_int_equal(recipe_resolve_user("root", &u), 0);
	assert_int_equal(u.uid, 0);
	assert_int_equal(u.gid, 0);
	assert_string_equal(u.name, "root");
	assert_true(u.ngroups >= 1);
	recipe_user_free(&u);
	assert_int_equal(recipe_resolve_user("0:0", &u), 0);
	assert_string_equal(u.name, "root");
	recipe_user_free(&u);
	/* A uid nobody has: its own number as gid, no groups. */
	assert_int_equal(recipe_resolve_user("4242424", &u), 0);
	assert_int_equal(u.uid, 4242424);
	assert_int_equal(u.gid, 4242424);
	assert_int_equal(u.ngroups, 0);
	recipe_user_free(&u);
	assert_int_equal(recipe_resolve_user("no-such-user-x", &u), -ENOENT);
	assert_int_equal(recipe_resolve_user("root:no-such-group-x", &u), -ESRCH);
	assert_int_equal(recipe_resolve_user("", &u), -EINVAL);
	assert_int_equal(recipe_resolve_user("root:", &u), -EINVAL);
	assert_int_equal(recipe_resolve_user(":0", &u), -EINVAL);
	assert_int_equal(recipe_resolve_user("99999999999999999999", &u), -EINVAL);
}

static void test_step_names(void **state)
{
	(void)state;
	assert_string_equal(recipe_step_str(RECIPE_STEP_CHDIR), "chdir");
	assert_string_equal(recipe_step_str(RECIPE_STEP_EXEC), "exec");
	assert_string_equal(recipe_step_str((enum recipe_step)999),
			    "unknown step");
}

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
		cmocka_unit_test(test_reset_signals),
		cmocka_unit_test(test_close_fds),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_apply_reports_step),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_launch),
		cmocka_unit_test(test_launch_threaded_creds),
		cmocka_unit_test(test_launch_cancelled),
		cmocka_unit_test(test_report_short),
		cmocka_unit_test(test_find_program),
		cmocka_unit_test(test_resolve_user),
		cmocka_unit_test(test_step_names),
	};

	/* A launch gone wrong hangs (a child on our memory): end the run
	 * instead of CI. */
	alarm(120);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
