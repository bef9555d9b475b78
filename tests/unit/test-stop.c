/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dctl_stop_run() against real children that hold a pidfile lock as a daemon
 * does: one that dies on TERM, one that ignores it, one that replaces or
 * rewrites its pidfile on the way out, one with a process group.
 *
 * The test process never reaps a child before dctl_stop_run() returns, so every
 * exit it sees is a zombie's: that is the "PID 1 reaps late" case.
 * Every child is ended by PID in the teardown; alarm() bounds each test.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "daemonctl.h"

/* Internal: dctl_stop_run() with the pidfd path selectable (lib/stop.c). */
int stop_run(struct dctl_stop *s, bool use_pidfd);

enum behaviour {
	DIES_ON_TERM,		/* handler notes the time, exits */
	IGNORES_TERM,
	COUNTS_HUP,		/* HUP writes a byte to the report pipe */
	REPLACES_PIDFILE,	/* on TERM: renames another file over it */
	REWRITES_PIDFILE,	/* on TERM: writes another PID into it */
	GROUP_LEADER,		/* own session, with a child in its group */
	DIES_ON_THIRD_HUP,	/* ignores TERM, counts HUPs */
};

struct shared {
	long long exit_ns;	/* CLOCK_MONOTONIC at the TERM handler */
	pid_t grandchild;
};

struct fixture {
	char dir[64];
	char path[96];
	pid_t child;
	int report[2];		/* child -> test: ready, HUPs */
	struct shared *sh;
	char log[4096];		/* what the log callback heard */
	struct dctl_stop *stop;	/* the last one stop_for() made */
};

static struct fixture *cur;	/* for the child's signal handlers */

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void on_term_exit(int sig)
{
	(void)sig;
	cur->sh->exit_ns = now_ns();
	_exit(0);
}

static void on_hup(int sig)
{
	(void)sig;
	if (write(cur->report[1], "h", 1) < 0)
		_exit(9);
}

static volatile sig_atomic_t hups;

static void on_hup_count(int sig)
{
	(void)sig;
	if (++hups == 3)
		_exit(0);
}

static void write_pid(int fd, pid_t pid)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);

	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		_exit(8);
}

/* On TERM: put a new pidfile (another inode) naming our parent in place. */
static void on_term_replace(int sig)
{
	char tmp[128];
	int fd;

	(void)sig;
	snprintf(tmp, sizeof(tmp), "%s.new", cur->path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		_exit(7);
	write_pid(fd, getppid());
	close(fd);
	if (rename(tmp, cur->path) < 0)
		_exit(7);
	_exit(0);
}

static int lock_fd = -1;

/* On TERM: the same file now names another process (our parent). */
static void on_term_rewrite(int sig)
{
	(void)sig;
	write_pid(lock_fd, getppid());
	_exit(0);
}

static void child_setup_signals(enum behaviour b)
{
	switch (b) {
	case DIES_ON_TERM:
		signal(SIGTERM, on_term_exit);
		break;
	case IGNORES_TERM:
		signal(SIGTERM, SIG_IGN);
		break;
	case COUNTS_HUP:
		signal(SIGHUP, on_hup);
		break;
	case REPLACES_PIDFILE:
		signal(SIGTERM, on_term_replace);
		break;
	case REWRITES_PIDFILE:
		signal(SIGTERM, on_term_rewrite);
		break;
	case GROUP_LEADER:
		break;
	case DIES_ON_THIRD_HUP:
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, on_hup_count);
		break;
	}
}

/* The daemon: lock, write our PID through the locked fd, report, pause. */
static void child_main(struct fixture *f, enum behaviour b)
{
	pid_t g;

	cur = f;
	close(f->report[0]);
	if (b == GROUP_LEADER) {
		if (setsid() < 0)
			_exit(6);
		g = fork();
		if (g == 0) {
			for (;;)
				pause();
		}
		f->sh->grandchild = g;
	}
	child_setup_signals(b);
	lock_fd = open(f->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) < 0)
		_exit(5);
	write_pid(lock_fd, getpid());
	if (write(f->report[1], "r", 1) != 1)
		_exit(4);
	for (;;)
		pause();
}

static void start_daemon(struct fixture *f, enum behaviour b)
{
	char c;

	f->child = fork();
	assert_true(f->child >= 0);
	if (f->child == 0)
		child_main(f, b);
	assert_int_equal(read(f->report[0], &c, 1), 1);
	assert_int_equal(c, 'r');
	/* The probe wants the file written no earlier than the start. */
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/dctl-stop.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/d.pid", f->dir);
	if (pipe2(f->report, O_CLOEXEC) < 0)
		return -1;
	f->sh = mmap(NULL, sizeof(*f->sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (f->sh == MAP_FAILED)
		return -1;
	memset(f->sh, 0, sizeof(*f->sh));
	f->child = -1;
	alarm(20);
	*state = f;
	return 0;
}

/* End our children by PID and reap them, whatever the test left. */
static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[128];

	if (f->sh->grandchild > 0) {
		kill(f->sh->grandchild, SIGKILL);
		waitpid(f->sh->grandchild, NULL, 0);
	}
	if (f->child > 0) {
		kill(f->child, SIGKILL);
		waitpid(f->child, NULL, 0);
	}
	unlink(f->path);
	snprintf(path, sizeof(path), "%s.new", f->path);
	unlink(path);
	rmdir(f->dir);
	close(f->report[0]);
	close(f->report[1]);
	munmap(f->sh, sizeof(*f->sh));
	dctl_stop_free(f->stop);
	free(f);
	alarm(0);
	return 0;
}

static void log_to_fixture(void *data, int level, const char *msg)
{
	struct fixture *f = data;
	size_t len = strlen(f->log);

	(void)level;
	snprintf(f->log + len, sizeof(f->log) - len, "%s\n", msg);
}

/* A new stop of the fixture's pidfile, logging into it (freed later). */
static struct dctl_stop *stop_for(struct fixture *f, const char *schedule)
{
	struct dctl_schedule *sched;

	dctl_stop_free(f->stop);
	f->stop = NULL;
	assert_int_equal(dctl_stop_new(&f->stop, f->path), 0);
	assert_int_equal(dctl_stop_set_log(f->stop, log_to_fixture, f), 0);
	if (schedule) {
		assert_int_equal(dctl_schedule_parse(schedule, 0, &sched), 0);
		assert_int_equal(dctl_stop_set_schedule(f->stop, sched), 0);
		dctl_schedule_free(sched);
	}
	return f->stop;
}

/* Set one condition of a match on s. */
static void match_exe(struct dctl_stop *s, const char *exe)
{
	struct dctl_match *m;

	assert_int_equal(dctl_match_new(&m), 0);
	assert_int_equal(dctl_match_set_exe(m, exe), 0);
	assert_int_equal(dctl_stop_set_match(s, m), 0);
	dctl_match_free(m);
}

static void match_uid(struct dctl_stop *s, uid_t uid)
{
	struct dctl_match *m;

	assert_int_equal(dctl_match_new(&m), 0);
	assert_int_equal(dctl_match_set_uid(m, uid), 0);
	assert_int_equal(dctl_stop_set_match(s, m), 0);
	dctl_match_free(m);
}

static int stop_state(const struct dctl_stop *s)
{
	return dctl_status_get_state(dctl_stop_get_status(s));
}

/* Exit status of our child, once dctl_stop() said it is gone. */
static int reap(struct fixture *f)
{
	int status;

	assert_int_equal(waitpid(f->child, &status, 0), f->child);
	f->child = -1;
	return status;
}

static bool child_alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void test_new_defaults(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o = stop_for(f, NULL);
	char text[64];

	(void)state;
	/* Nothing run yet: nothing found, nothing sent. */
	assert_int_equal(dctl_stop_get_pid(o), 0);
	assert_int_equal(dctl_stop_get_last_signal(o), 0);
	assert_null(dctl_stop_get_status(o));
	/* The default schedule is the library's, and follows --signal. */
	assert_true(dctl_schedule_format(dctl_stop_get_schedule(o), text,
					 sizeof(text)) > 0);
	assert_string_equal(text, "TERM/30/KILL/5");
	assert_int_equal(dctl_stop_set_signal(o, SIGINT), 0);
	dctl_schedule_format(dctl_stop_get_schedule(o), text, sizeof(text));
	assert_string_equal(text, "INT/30/KILL/5");
	/* A schedule set stays, whatever the signal. */
	o = stop_for(f, "HUP/1");
	assert_int_equal(dctl_stop_set_signal(o, SIGUSR1), 0);
	dctl_schedule_format(dctl_stop_get_schedule(o), text, sizeof(text));
	assert_string_equal(text, "HUP/1");
	assert_int_equal(dctl_stop_set_schedule(o, NULL), 0);
	dctl_schedule_format(dctl_stop_get_schedule(o), text, sizeof(text));
	assert_string_equal(text, "USR1/30/KILL/5");
}

/* Returns once the daemon has exited from TERM, without a KILL; pidfile
 * gone. (How soon after the exit it returns is measured in bench/.) */
static void test_stops_promptly(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o;
	int status;

	start_daemon(f, DIES_ON_TERM);
	o = stop_for(f, NULL);
	assert_int_equal(dctl_stop_run(o), 0);
	assert_true(f->sh->exit_ns > 0);
	assert_int_equal(dctl_stop_get_pid(o), f->child);
	assert_int_equal(dctl_stop_get_last_signal(o), SIGTERM);
	assert_false(exists(f->path));
	status = reap(f);
	assert_true(WIFEXITED(status));
	assert_non_null(strstr(f->log, "sent TERM to "));
	assert_non_null(strstr(f->log, ", waiting up to 30 s"));
}

/* TERM is ignored: KILL after the first timeout. */
static void test_escalates_to_kill(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o;
	long long t0, ms;
	int status;

	start_daemon(f, IGNORES_TERM);
	o = stop_for(f, "TERM/1/KILL/5");
	t0 = now_ns();
	assert_int_equal(dctl_stop_run(o), 0);
	ms = (now_ns() - t0) / 1000000;
	/* KILL after the TERM's 1 s, not before; the upper bound (well short
	 * of the KILL's 5 s plus slack) only tells a missed KILL from load. */
	assert_true(ms >= 1000 && ms < 6000);
	assert_int_equal(dctl_stop_get_last_signal(o), SIGKILL);
	status = reap(f);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	assert_false(exists(f->path));
	assert_non_null(strstr(f->log, "still running after 1 s"));
	assert_non_null(strstr(f->log, "sent KILL to "));
}

/* The schedule runs out: -ETIMEDOUT, the daemon and its pidfile stay. */
static void test_timeout_keeps_pidfile(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o;

	start_daemon(f, IGNORES_TERM);
	o = stop_for(f, "TERM/0/TERM/1");
	assert_int_equal(dctl_stop_run(o), -ETIMEDOUT);
	assert_int_equal(dctl_stop_get_pid(o), f->child);
	assert_true(child_alive(f->child));
	assert_true(exists(f->path));
}

/* forever repeats the part after it until the daemon goes. */
static void test_forever_repeats(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o;
	char *p;
	int sent = 0;

	start_daemon(f, DIES_ON_THIRD_HUP);
	o = stop_for(f, "TERM/0/forever/HUP/1");
	assert_int_equal(dctl_stop_run(o), 0);
	for (p = f->log; (p = strstr(p, "sent HUP")); p++)
		sent++;
	assert_int_equal(sent, 3);
	assert_true(WIFEXITED(reap(f)));
}

/* No pidfd: kill(2) and the bounded poll, same outcome. */
static void test_fallback_without_pidfd(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o;

	start_daemon(f, DIES_ON_TERM);
	o = stop_for(f, "TERM/5/KILL/5");
	assert_int_equal(stop_run(o, false), 0);
	assert_non_null(strstr(f->log, "no pidfd"));
	/* Seen by polling, before TERM's 5 s ran out (no KILL followed). */
	assert_true(f->sh->exit_ns > 0);
	assert_int_equal(dctl_stop_get_last_signal(o), SIGTERM);
	assert_false(exists(f->path));
	assert_true(WIFEXITED(reap(f)));
}

static void test_fallback_escalates(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o;

	start_daemon(f, IGNORES_TERM);
	o = stop_for(f, "TERM/1/KILL/5");
	assert_int_equal(stop_run(o, false), 0);
	assert_int_equal(dctl_stop_get_last_signal(o), SIGKILL);
	assert_int_equal(WTERMSIG(reap(f)), SIGKILL);
}

/* --no-wait: HUP is delivered, we return at once, nothing removed. */
static void test_no_wait(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o;
	char c;

	start_daemon(f, COUNTS_HUP);
	o = stop_for(f, NULL);
	assert_int_equal(dctl_stop_set_signal(o, SIGHUP), 0);
	assert_int_equal(dctl_stop_set_no_wait(o, true), 0);
	assert_int_equal(dctl_stop_run(o), 0);
	assert_int_equal(dctl_stop_get_last_signal(o), SIGHUP);
	assert_int_equal(read(f->report[0], &c, 1), 1);
	assert_int_equal(c, 'h');
	assert_true(child_alive(f->child));
	assert_true(exists(f->path));
}

/* Test mode decides and sends nothing. */
static void test_test_mode_sends_nothing(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o;

	start_daemon(f, DIES_ON_TERM);
	o = stop_for(f, NULL);
	assert_int_equal(dctl_stop_set_test(o, true), 0);
	assert_int_equal(dctl_stop_run(o), 0);
	assert_int_equal(dctl_stop_get_pid(o), f->child);
	assert_int_equal(dctl_stop_get_last_signal(o), 0);
	usleep(100000);
	assert_true(child_alive(f->child));
	assert_int_equal(f->sh->exit_ns, 0);
	assert_true(exists(f->path));
	assert_non_null(strstr(f->log, "would stop"));
}

/* A new file (other inode) at the path on the way out: left alone. */
static void test_replaced_pidfile_kept(void **state)
{
	struct fixture *f = *state;
	char buf[32] = "";
	char want[32];
	int fd;

	start_daemon(f, REPLACES_PIDFILE);
	{
		struct dctl_stop *o;

		o = stop_for(f, NULL);
		assert_int_equal(dctl_stop_run(o), 0);
	}
	assert_true(WIFEXITED(reap(f)));
	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	snprintf(want, sizeof(want), "%d\n", (int)getpid());
	assert_string_equal(buf, want);
}

/* The same file names another PID on the way out: left alone. */
static void test_rewritten_pidfile_kept(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o;
	char buf[32] = "";
	char want[32];
	int fd;

	start_daemon(f, REWRITES_PIDFILE);
	o = stop_for(f, NULL);
	assert_int_equal(dctl_stop_run(o), 0);
	assert_true(WIFEXITED(reap(f)));
	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	snprintf(want, sizeof(want), "%d\n", (int)getpid());
	assert_string_equal(buf, want);
}

static void test_keep_pidfile(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o;

	start_daemon(f, DIES_ON_TERM);
	o = stop_for(f, NULL);
	assert_int_equal(dctl_stop_set_keep_pidfile(o, true), 0);
	assert_int_equal(dctl_stop_run(o), 0);
	assert_true(exists(f->path));
	reap(f);
}

static void test_no_pidfile(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o;

	o = stop_for(f, NULL);
	assert_int_equal(dctl_stop_run(o), -ESRCH);
	assert_int_equal(stop_state(o), DCTL_STATE_NOT_RUNNING);
	assert_int_equal(dctl_stop_get_last_signal(o), 0);
}

/* An exited daemon (a zombie, not reaped) is not running: nothing sent. */
static void test_zombie_is_not_running(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o;
	siginfo_t si;

	start_daemon(f, DIES_ON_TERM);
	kill(f->child, SIGTERM);
	memset(&si, 0, sizeof(si));
	assert_int_equal(waitid(P_PID, f->child, &si, WEXITED | WNOWAIT), 0);
	o = stop_for(f, NULL);
	assert_int_equal(dctl_stop_run(o), -ESRCH);
	assert_int_equal(dctl_stop_get_last_signal(o), 0);
	assert_true(exists(f->path));
	reap(f);
}

/* A process that does not match --exec / --user: nothing sent. */
static void test_mismatch_sends_nothing(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o;

	start_daemon(f, DIES_ON_TERM);
	o = stop_for(f, NULL);
	match_exe(o, "/nonexistent/daemon");
	assert_int_equal(dctl_stop_run(o), -ESRCH);
	assert_int_equal(dctl_stop_get_last_signal(o), 0);
	o = stop_for(f, NULL);
	match_uid(o, getuid() + 1);
	assert_int_equal(dctl_stop_run(o), -ESRCH);
	assert_int_equal(dctl_stop_get_last_signal(o), 0);
	usleep(50000);
	assert_true(child_alive(f->child));
	assert_true(exists(f->path));
	/* A matching uid goes ahead. */
	o = stop_for(f, NULL);
	match_uid(o, getuid());
	assert_int_equal(dctl_stop_run(o), 0);
	reap(f);
}

/* --process-group: the whole group goes; the daemon is what we wait for. */
static void test_process_group(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o;
	int status;

	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	start_daemon(f, GROUP_LEADER);
	assert_true(f->sh->grandchild > 0);
	o = stop_for(f, "TERM/5");
	assert_int_equal(dctl_stop_set_process_group(o, true), 0);
	assert_int_equal(dctl_stop_run(o), 0);
	assert_int_equal(WTERMSIG(reap(f)), SIGTERM);
	/* Orphaned to us (subreaper): it got the group's TERM as well. */
	assert_int_equal(waitpid(f->sh->grandchild, &status, 0),
			 f->sh->grandchild);
	f->sh->grandchild = 0;
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	assert_non_null(strstr(f->log, "to process group "));
}

/* Without --process-group only the daemon is signalled. */
static void test_no_process_group(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o;

	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	start_daemon(f, GROUP_LEADER);
	o = stop_for(f, "TERM/5");
	assert_int_equal(dctl_stop_run(o), 0);
	reap(f);
	usleep(50000);
	assert_int_equal(waitpid(f->sh->grandchild, NULL, WNOHANG), 0);
}

/* A daemon in our own process group and session: the group is refused. */
static void test_own_group_refused(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o;

	start_daemon(f, DIES_ON_TERM);
	o = stop_for(f, NULL);
	assert_int_equal(dctl_stop_set_process_group(o, true), 0);
	assert_int_equal(dctl_stop_run(o), -EPERM);
	assert_int_equal(dctl_stop_get_last_signal(o), 0);
	usleep(50000);
	assert_true(child_alive(f->child));
}

/* Misuse is refused before anything is sent, never a crash. */
static void test_bad_opts(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o = NULL;
	struct dctl_schedule *sched;

	start_daemon(f, DIES_ON_TERM);
	assert_int_equal(dctl_stop_new(&o, ""), -EINVAL);
	assert_int_equal(dctl_stop_new(NULL, f->path), -EINVAL);
	assert_null(o);
	o = stop_for(f, NULL);
	assert_int_equal(dctl_stop_set_signal(o, 32), -EINVAL);
	assert_int_equal(dctl_stop_set_signal(o, 0), -EINVAL);
	assert_int_equal(dctl_stop_set_signal(o, -1), -EINVAL);
	/* --no-wait sends one signal: a schedule with it is refused here,
	 * not only by daemon-stop. */
	assert_int_equal(dctl_schedule_parse("TERM/5", 0, &sched), 0);
	assert_int_equal(dctl_stop_set_schedule(o, sched), 0);
	dctl_schedule_free(sched);
	assert_int_equal(dctl_stop_set_no_wait(o, true), 0);
	assert_int_equal(dctl_stop_run(o), -EINVAL);
	assert_int_equal(dctl_stop_get_last_signal(o), 0);
	assert_null(dctl_stop_get_status(o));
	/* The default schedule with --no-wait is fine (see test_no_wait). */

	/* NULL objects. */
	assert_int_equal(dctl_stop_run(NULL), -EINVAL);
	assert_int_equal(stop_run(NULL, false), -EINVAL);
	assert_int_equal(dctl_stop_set_signal(NULL, SIGTERM), -EINVAL);
	assert_int_equal(dctl_stop_set_schedule(NULL, NULL), -EINVAL);
	assert_int_equal(dctl_stop_set_no_wait(NULL, true), -EINVAL);
	assert_int_equal(dctl_stop_set_process_group(NULL, true), -EINVAL);
	assert_int_equal(dctl_stop_set_keep_pidfile(NULL, true), -EINVAL);
	assert_int_equal(dctl_stop_set_test(NULL, true), -EINVAL);
	assert_int_equal(dctl_stop_set_match(NULL, NULL), -EINVAL);
	assert_int_equal(dctl_stop_set_log(NULL, NULL, NULL), -EINVAL);
	assert_int_equal(dctl_stop_get_pid(NULL), -EINVAL);
	assert_int_equal(dctl_stop_get_last_signal(NULL), -EINVAL);
	assert_null(dctl_stop_get_status(NULL));
	assert_null(dctl_stop_get_schedule(NULL));
	dctl_stop_free(NULL);
	usleep(50000);
	assert_true(child_alive(f->child));
	assert_int_equal(f->sh->exit_ns, 0);
}

/* --instance: dctl_stop_run() itself refuses another instance. */
static void test_instance_mismatch(void **state)
{
	struct fixture *f = *state;
	struct dctl_match *m;
	struct dctl_stop *o;

	start_daemon(f, DIES_ON_TERM);
	o = stop_for(f, NULL);
	assert_int_equal(dctl_match_new(&m), 0);
	assert_int_equal(dctl_match_set_instance(m,
			 "11111111-2222-4333-8444-555555555555"), 0);
	assert_int_equal(dctl_stop_set_match(o, m), 0);
	dctl_match_free(m);
	assert_int_equal(dctl_stop_run(o), -ESRCH);
	assert_int_equal(dctl_stop_get_last_signal(o), 0);
	assert_int_equal(stop_state(o), DCTL_STATE_DEAD);
	assert_non_null(strstr(dctl_status_get_reason(dctl_stop_get_status(o)),
			       "does not match --instance"));
	usleep(50000);
	assert_true(child_alive(f->child));
	assert_int_equal(f->sh->exit_ns, 0);
	assert_true(exists(f->path));
}

/* As root, a pidfile in a directory anyone can write is not trusted. */
static void test_untrusted_needs_match(void **state)
{
	struct fixture *f = *state;
	struct dctl_stop *o;

	if (geteuid() != 0)
		skip();
	assert_int_equal(chmod(f->dir, 0777), 0);
	start_daemon(f, DIES_ON_TERM);
	o = stop_for(f, NULL);
	assert_int_equal(dctl_stop_run(o), -EPERM);
	assert_int_equal(dctl_status_get_trusted(dctl_stop_get_status(o)), 0);
	assert_int_equal(dctl_stop_get_last_signal(o), 0);
	usleep(50000);
	assert_true(child_alive(f->child));
	o = stop_for(f, NULL);
	match_uid(o, 0);
	assert_int_equal(dctl_stop_run(o), 0);
	reap(f);
}

/* A child of ours: ignores TERM or not, then waits until p[0] closes. */
static pid_t plain_child(bool ignore_term, int *hold)
{
	int p[2], q[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		close(q[0]);
		if (ignore_term)
			signal(SIGTERM, SIG_IGN);
		if (write(q[1], "r", 1) != 1)
			_exit(1);
		/* Ends when the test closes its end, or by a signal. */
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[0]);
	close(q[1]);
	assert_int_equal(read(q[0], &c, 1), 1);
	close(q[0]);
	*hold = p[1];
	return pid;
}

/* Our children, found as a scan finds them (by parent). */
static struct dctl_scan *scan_children(size_t want)
{
	struct dctl_scan *sc;

	assert_int_equal(dctl_scan_new(&sc), 0);
	assert_int_equal(dctl_scan_set_ppid(sc, getpid()), 0);
	assert_int_equal(dctl_scan_run(sc), 0);
	assert_int_equal(dctl_scan_get_count(sc), want);
	return sc;
}

static void test_scan_set_one_schedule(void **state)
{
	struct fixture *f = *state;
	struct dctl_schedule *sched;
	struct dctl_scan *sc;
	struct dctl_stop *o;
	char want[64];
	int ha, hb, status;
	pid_t a = plain_child(false, &ha), b = plain_child(true, &hb);

	sc = scan_children(2);
	assert_int_equal(dctl_stop_new(&o, NULL), 0);
	assert_int_equal(dctl_stop_set_log(o, log_to_fixture, f), 0);
	assert_int_equal(dctl_schedule_parse("TERM/1/KILL/15", 0, &sched), 0);
	assert_int_equal(dctl_stop_set_schedule(o, sched), 0);
	dctl_schedule_free(sched);
	assert_int_equal(dctl_stop_set_scan(o, sc), 0);
	dctl_scan_free(sc);
	/* Neither is reaped before the run returns: zombies count as gone. */
	assert_int_equal(dctl_stop_run(o), 0);
	assert_int_equal(dctl_stop_get_last_signal(o), SIGKILL);
	assert_int_equal(dctl_stop_get_pid(o), a < b ? a : b);
	assert_null(dctl_stop_get_status(o));
	assert_non_null(strstr(f->log, "sent TERM to 2 processes"));
	snprintf(want, sizeof(want), "sent KILL to %d,", (int)b);
	assert_non_null(strstr(f->log, want));
	assert_int_equal(waitpid(a, &status, 0), a);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	assert_int_equal(waitpid(b, &status, 0), b);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(ha);
	close(hb);
	dctl_stop_free(o);
}

static void test_scan_set_refusals(void **state)
{
	struct fixture *f = *state;
	struct dctl_scan *sc;
	struct dctl_stop *o;
	int h, status;
	pid_t a = plain_child(false, &h);

	sc = scan_children(1);
	/* A stop made for a pidfile takes no scan. */
	assert_int_equal(dctl_stop_set_scan(stop_for(f, NULL), sc), -EINVAL);
	assert_int_equal(dctl_stop_new(&o, NULL), 0);
	assert_int_equal(dctl_stop_set_scan(NULL, sc), -EINVAL);
	/* Nothing set: nothing to stop. */
	assert_int_equal(dctl_stop_run(o), -ESRCH);
	assert_int_equal(dctl_stop_set_scan(o, sc), 0);
	/* There is no group to signal without a pidfile's daemon. */
	assert_int_equal(dctl_stop_set_process_group(o, true), 0);
	assert_int_equal(dctl_stop_run(o), -EINVAL);
	assert_int_equal(dctl_stop_set_process_group(o, false), 0);
	/* Exited since the scan (a zombie now): gone, nothing sent. */
	close(h);
	assert_int_equal(waitid(P_PID, (id_t)a, &(siginfo_t){ 0 },
				WEXITED | WNOWAIT), 0);
	assert_int_equal(dctl_stop_run(o), -ESRCH);
	assert_int_equal(dctl_stop_get_last_signal(o), 0);
	assert_int_equal(waitpid(a, &status, 0), a);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	dctl_scan_free(sc);
	dctl_stop_free(o);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_new_defaults),
		T(test_stops_promptly),
		T(test_escalates_to_kill),
		T(test_timeout_keeps_pidfile),
		T(test_forever_repeats),
		T(test_fallback_without_pidfd),
		T(test_fallback_escalates),
		T(test_no_wait),
		T(test_test_mode_sends_nothing),
		T(test_replaced_pidfile_kept),
		T(test_rewritten_pidfile_kept),
		T(test_keep_pidfile),
		T(test_no_pidfile),
		T(test_zombie_is_not_running),
		T(test_mismatch_sends_nothing),
		T(test_process_group),
		T(test_no_process_group),
		T(test_own_group_refused),
		T(test_bad_opts),
		T(test_scan_set_one_schedule),
		T(test_scan_set_refusals),
		T(test_instance_mismatch),
		T(test_untrusted_needs_match),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
