/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dctl_daemonize(): each case forks a "caller" child that daemonizes, so
 * the test process itself is never detached. The daemon left behind is
 * checked from /proc, and every daemon is killed by PID at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <syslog.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "daemonctl.h"
#include "util.h"

enum act {
	ACT_READY,		/* log, report ready, wait to be killed */
	ACT_FAIL,		/* report failed(ENOENT), exit */
	ACT_DIE,		/* exit without a word */
	ACT_DIE_WITH_CHILD,	/* fork a child holding the pipe, then die */
	ACT_READY_LATE,		/* report ready after the caller is gone */
	ACT_SYSLOG,		/* look for its syslog socket, log, ready */
};

struct outcome {
	int r;
	int status;
};

static char dir[64];
static char logpath[128], pidpath[128], gopath[128];
#define MAX_DAEMONS 16
static pid_t daemons[MAX_DAEMONS];
static size_t n_daemons;

static void track(pid_t pid)
{
	assert_true(pid > 1);
	assert_true(n_daemons < MAX_DAEMONS);
	daemons[n_daemons++] = pid;
}

/* A process that exists and is not a zombie. */
static bool alive(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (util_read_small(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
		return false;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

static void wait_gone(pid_t pid)
{
	int i;

	for (i = 0; i < 600 && alive(pid); i++)
		usleep(50000);
	assert_false(alive(pid));
}

/* The options objects of a case, freed by the teardown. */
static struct dctl_daemonize_opts *opts[8];
static size_t n_opts;

static struct dctl_daemonize_opts *new_opts(void)
{
	struct dctl_daemonize_opts *o;

	assert_true(n_opts < sizeof(opts) / sizeof(opts[0]));
	assert_int_equal(dctl_daemonize_opts_new(&o), 0);
	opts[n_opts++] = o;
	return o;
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/dctl-td.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(logpath, sizeof(logpath), "%s/out.log", dir);
	snprintf(pidpath, sizeof(pidpath), "%s/d.pid", dir);
	snprintf(gopath, sizeof(gopath), "%s/go", dir);
	return 0;
}

/* Kill every daemon a case started, by PID, and clean the directory. */
static int teardown(void **state)
{
	char cmd[128];
	size_t i;

	(void)state;
	for (i = 0; i < n_daemons; i++)
		if (daemons[i] > 1)
			kill(daemons[i], SIGKILL);
	n_daemons = 0;
	for (i = 0; i < n_opts; i++)
		dctl_daemonize_opts_free(opts[i]);
	n_opts = 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * The daemon's sockets above 2, before it has called syslog() once:
 * how many, and how many of them are close-on-exec.
 */
static void count_sockets(int *n, int *cloexec)
{
	char path[64], target[64];
	struct dirent *e;
	ssize_t len;
	DIR *d;
	int fd;

	*n = *cloexec = 0;
	d = opendir("/proc/self/fd");
	if (!d)
		return;
	while ((e = readdir(d))) {
		fd = atoi(e->d_name);
		if (fd <= 2 || fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (strncmp(target, "socket:", 7) != 0)
			continue;
		(*n)++;
		if (fcntl(fd, F_GETFD) & FD_CLOEXEC)
			(*cloexec)++;
	}
	closedir(d);
}

static void daemon_body(struct dctl_daemon *d, enum act act)
{
	int n, cloexec;

	pid_t c;
	int r;

	printf("daemon %d\n", (int)getpid());
	fflush(stdout);
	fprintf(stderr, "stderr works\n");
	alarm(60);	/* never outlive a crashed test by long */
	switch (act) {
	case ACT_READY:
		r = dctl_daemon_ready(d);
		/* The caller may return before we do: say when we did. */
		printf("ready returned %d\n", r);
		fflush(stdout);
		break;
	case ACT_FAIL:
		dctl_daemon_failed(d, ENOENT);
		_exit(0);
	case ACT_DIE:
		_exit(3);
	case ACT_DIE_WITH_CHILD:
		c = fork();
		if (c == 0) {
			alarm(120);
			pause();
			_exit(0);
		}
		printf("child %d\n", (int)c);
		fflush(stdout);
		_exit(3);
	case ACT_SYSLOG:
		count_sockets(&n, &cloexec);
		printf("sockets %d cloexec %d\n", n, cloexec);
		fflush(stdout);
		syslog(LOG_INFO, "hello from %d", (int)getpid());
		dctl_daemon_ready(d);
		break;
	case ACT_READY_LATE:
		/* The test kills the caller once it sees our PID, then says
		 * go: the report comes after the caller is gone, however
		 * slow the machine. */
		while (access(gopath, F_OK) < 0)
			usleep(10000);
		r = dctl_daemon_ready(d);
		printf("after ready %d\n", r);
		fflush(stdout);
		break;
	}
	for (;;)
		pause();
}

/* What a hostile caller looks like: odd umask, cwd, signals, fds. */
static void be_hostile(void)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	sigset_t set;

	umask(077);
	if (chdir(dir) < 0)
		_exit(90);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGRTMIN + 1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* Inheritable descriptors that the daemon must not keep. */
	open("/dev/null", O_RDONLY);
	open("/dev/null", O_RDONLY);
}

/*
 * In a caller: a /dev of its own (a private mount namespace, a tmpfs with
 * only null in it) where /dev/log is the test's socket sock, and a syslog
 * connection of the caller's own to it, which the daemon must not keep.
 */
static void private_dev_log(int sock)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	strcpy(a.sun_path, "/dev/log");
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("dctl-dev", "/dev", "tmpfs", 0, "mode=0755,size=64k") < 0 ||
	    mknod("/dev/null", S_IFCHR | 0666, makedev(1, 3)) < 0 ||
	    chmod("/dev/null", 0666) < 0 ||
	    bind(sock, (struct sockaddr *)&a, sizeof(a)) < 0)
		_exit(92);
	openlog("caller", LOG_NDELAY, LOG_USER);
}

static int log_sock = -1;	/* ACT_SYSLOG's /dev/log */

/*
 * Fork a caller that daemonizes with o and report what dctl_daemonize()
 * returned to it. *caller gets its PID (for ACT_READY_LATE).
 */
static pid_t start_caller(const struct dctl_daemonize_opts *o, enum act act,
			  bool hostile, int *rd)
{
	struct dctl_daemon *d = NULL;
	struct outcome out;
	int p[2];
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(30);
		close(p[0]);
		if (hostile)
			be_hostile();
		if (act == ACT_SYSLOG)
			private_dev_log(log_sock);
		out.status = -1;
		out.r = dctl_daemonize(o, &d, &out.status);
		if (out.r == 0)
			daemon_body(d, act);
		if (write(p[1], &out, sizeof(out)) != sizeof(out))
			_exit(91);
		_exit(0);
	}
	close(p[1]);
	*rd = p[0];
	return pid;
}

static struct outcome finish_caller(pid_t pid, int rd)
{
	struct pollfd pfd = { .fd = rd, .events = POLLIN };
	struct outcome out = { .r = 999, .status = 999 };
	int st;

	assert_int_equal(poll(&pfd, 1, 10000), 1);
	assert_int_equal(read(rd, &out, sizeof(out)), sizeof(out));
	close(rd);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return out;
}

static struct outcome run_caller(const struct dctl_daemonize_opts *o,
				 enum act act, bool hostile)
{
	int rd;
	pid_t pid = start_caller(o, act, hostile, &rd);

	return finish_caller(pid, rd);
}

/* "daemon PID" (or "child PID") from the log: 0 if not there yet. */
static pid_t pid_in_log(const char *word)
{
	char buf[4096], *p;
	long v;

	if (util_read_small(AT_FDCWD, logpath, buf, sizeof(buf)) <= 0)
		return 0;
	p = strstr(buf, word);
	if (!p)
		return 0;
	v = strtol(p + strlen(word), NULL, 10);
	return v > 1 ? (pid_t)v : 0;
}

/* The daemon's PID, once its first line is in the log (up to 30 s). */
static pid_t wait_daemon_pid(void)
{
	pid_t pid = 0;
	int i;

	for (i = 0; i < 3000 && !(pid = pid_in_log("daemon ")); i++)
		usleep(10000);
	return pid;
}

/* Wait (up to 30 s) for text to appear in the log. */
static bool wait_log(const char *text)
{
	char buf[4096];
	int i;

	for (i = 0; i < 3000; i++) {
		if (util_read_small(AT_FDCWD, logpath, buf, sizeof(buf)) > 0 &&
		    strstr(buf, text))
			return true;
		usleep(10000);
	}
	return false;
}

static pid_t read_pidfile(void)
{
	char buf[64], want[32];
	pid_t pid;

	assert_true(util_read_small(AT_FDCWD, pidpath, buf, sizeof(buf)) > 0);
	pid = (pid_t)atoi(buf);
	assert_true(pid > 1);
	/* Exactly "PID\n". */
	snprintf(want, sizeof(want), "%d\n", (int)pid);
	assert_string_equal(buf, want);
	return pid;
}

static void proc_line(pid_t pid, const char *key, char *val, size_t size)
{
	char path[64], buf[4096], *p, *e;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	assert_true(util_read_small(AT_FDCWD, path, buf, sizeof(buf)) > 0);
	p = strstr(buf, key);
	assert_non_null(p);
	p += strlen(key);
	while (*p == ' ' || *p == '\t')
		p++;
	e = strchr(p, '\n');
	assert_non_null(e);
	assert_true((size_t)(e - p) < size);
	memcpy(val, p, (size_t)(e - p));
	val[e - p] = '\0';
}

static void fd_target(pid_t pid, const char *fd, char *buf, size_t size)
{
	char path[320];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid, fd);
	n = readlink(path, buf, size - 1);
	assert_true(n > 0);
	buf[n] = '\0';
}

/* The daemon's descriptors: 0-2 as expected, and at most one more. */
static int count_fds(pid_t pid, char *extra, size_t size)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	assert_non_null(d);
	extra[0] = '\0';
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		if (atoi(e->d_name) > 2)
			fd_target(pid, e->d_name, extra, size);
	}
	closedir(d);
	return n;
}

static void test_ready_hostile_caller(void **state)
{
	struct dctl_daemonize_opts *o;
	struct outcome out;
	char val[256], stat[512], buf[4096] = "", *p;
	int sid, tty, ppid, fd;
	char st;
	pid_t pid;

	(void)state;
	o = new_opts();
	assert_int_equal(dctl_daemonize_opts_set_stdout(o, logpath), 0);
	assert_int_equal(dctl_daemonize_opts_set_stderr(o, logpath), 0);
	assert_int_equal(dctl_daemonize_opts_set_pidfile(o, pidpath), 0);
	out = run_caller(o, ACT_READY, true);
	assert_int_equal(out.r, 1);
	assert_int_equal(out.status, 0);

	pid = read_pidfile();
	track(pid);
	assert_true(alive(pid));
	assert_int_equal(pid_in_log("daemon "), pid);
	assert_true(wait_log("ready returned 0\n"));
	assert_true(util_read_small(AT_FDCWD, logpath, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "stderr works\n"));

	/* Its own session, but not its leader: no terminal, ever. */
	snprintf(val, sizeof(val), "/proc/%d/stat", (int)pid);
	assert_true(util_read_small(AT_FDCWD, val, stat, sizeof(stat)) > 0);
	p = strrchr(stat, ')');
	assert_non_null(p);
	assert_int_equal(sscanf(p + 2, "%c %d %*d %d %d", &st, &ppid, &sid,
				&tty), 4);
	assert_int_not_equal(sid, pid);
	assert_int_not_equal(sid, getsid(0));
	assert_int_equal(tty, 0);
	assert_int_not_equal(ppid, getpid());

	fd_target(pid, "../cwd", val, sizeof(val));
	assert_string_equal(val, "/");
	proc_line(pid, "Umask:", val, sizeof(val));
	assert_string_equal(val, "0022");
	/* Even glibc's own 32 and 33, which GNU make leaves ignored. */
	proc_line(pid, "SigIgn:", val, sizeof(val));
	assert_string_equal(val, "0000000000000000");
	proc_line(pid, "SigBlk:", val, sizeof(val));
	assert_string_equal(val, "0000000000000000");

	fd_target(pid, "0", val, sizeof(val));
	assert_string_equal(val, "/dev/null");
	fd_target(pid, "1", val, sizeof(val));
	assert_string_equal(val, logpath);
	fd_target(pid, "2", val, sizeof(val));
	assert_string_equal(val, logpath);
	/* 0-2 and the pidfile lock, nothing of the caller's. */
	assert_int_equal(count_fds(pid, val, sizeof(val)), 4);
	assert_string_equal(val, pidpath);

	/* The lock is held, by the daemon. */
	fd = open(pidpath, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	close(fd);

	/* TERM was blocked in the caller, not in the daemon. */
	assert_int_equal(kill(pid, SIGTERM), 0);
	wait_gone(pid);
}

static void test_ready_options(void **state)
{
	struct dctl_daemonize_opts *o;
	struct outcome out;
	char val[256], extra[256];
	pid_t pid;

	(void)state;
	o = new_opts();
	assert_int_equal(dctl_daemonize_opts_set_stdout(o, logpath), 0);
	assert_int_equal(dctl_daemonize_opts_set_chdir(o, dir), 0);
	assert_int_equal(dctl_daemonize_opts_set_umask(o, 027), 0);
	out = run_caller(o, ACT_READY, false);
	assert_int_equal(out.r, 1);
	assert_int_equal(out.status, 0);
	pid = wait_daemon_pid();
	track(pid);
	fd_target(pid, "../cwd", val, sizeof(val));
	assert_string_equal(val, dir);
	proc_line(pid, "Umask:", val, sizeof(val));
	assert_string_equal(val, "0027");
	assert_true(wait_log("ready returned 0\n"));
	fd_target(pid, "2", val, sizeof(val));
	assert_string_equal(val, "/dev/null");
	assert_int_equal(count_fds(pid, extra, sizeof(extra)), 3);
	kill(pid, SIGKILL);
	wait_gone(pid);
}

static void assert_no_pidfile(void)
{
	struct stat sb;

	assert_int_equal(lstat(pidpath, &sb), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_failed(void **state)
{
	struct dctl_daemonize_opts *o;
	struct outcome out;
	pid_t pid;

	(void)state;
	o = new_opts();
	assert_int_equal(dctl_daemonize_opts_set_stdout(o, logpath), 0);
	assert_int_equal(dctl_daemonize_opts_set_pidfile(o, pidpath), 0);
	out = run_caller(o, ACT_FAIL, false);
	assert_int_equal(out.r, 1);
	assert_int_equal(out.status, 1);
	pid = pid_in_log("daemon ");
	track(pid);
	wait_gone(pid);
	assert_no_pidfile();
}

static void test_died(void **state)
{
	struct dctl_daemonize_opts *o;
	struct outcome out;
	pid_t pid;

	(void)state;
	o = new_opts();
	assert_int_equal(dctl_daemonize_opts_set_stdout(o, logpath), 0);
	assert_int_equal(dctl_daemonize_opts_set_pidfile(o, pidpath), 0);
	out = run_caller(o, ACT_DIE, false);
	assert_int_equal(out.r, 1);
	assert_int_not_equal(out.status, 0);
	pid = pid_in_log("daemon ");
	track(pid);
	wait_gone(pid);
	assert_no_pidfile();
}

/* A child of the daemon keeps the report pipe open: the caller must
 * still learn at once that the daemon itself died. */
static void test_died_child_holds_pipe(void **state)
{
	struct dctl_daemonize_opts *o;
	struct outcome out;
	long long t0;
	pid_t child;

	(void)state;
	o = new_opts();
	assert_int_equal(dctl_daemonize_opts_set_stdout(o, logpath), 0);
	t0 = util_now_ms();
	out = run_caller(o, ACT_DIE_WITH_CHILD, false);
	/* Not by waiting out the child (two minutes). */
	assert_true(util_now_ms() - t0 < 60000);
	assert_int_equal(out.r, 1);
	assert_int_not_equal(out.status, 0);
	child = pid_in_log("child ");
	track(child);
	assert_true(alive(child));
	kill(child, SIGKILL);
	wait_gone(child);
}

/* The caller is killed before the daemon reports: no SIGPIPE death. */
static void test_caller_gone(void **state)
{
	struct dctl_daemonize_opts *o;
	char buf[4096];
	pid_t caller, pid = 0;
	int rd, st;

	(void)state;
	o = new_opts();
	assert_int_equal(dctl_daemonize_opts_set_stdout(o, logpath), 0);
	caller = start_caller(o, ACT_READY_LATE, false, &rd);
	pid = wait_daemon_pid();
	assert_true(pid > 1);
	track(pid);
	kill(caller, SIGKILL);
	assert_int_equal(waitpid(caller, &st, 0), caller);
	close(rd);
	close(open(gopath, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	assert_true(wait_log("after ready"));
	util_read_small(AT_FDCWD, logpath, buf, sizeof(buf));
	assert_non_null(strstr(buf, "after ready -32\n"));	/* -EPIPE */
	assert_true(alive(pid));
	kill(pid, SIGKILL);
	wait_gone(pid);
}

static void test_pidfile_contention(void **state)
{
	struct dctl_daemonize_opts *o;
	struct outcome out;
	char buf[64];
	int fd;

	(void)state;
	fd = open(pidpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "4242\n", 5), 5);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);

	o = new_opts();
	assert_int_equal(dctl_daemonize_opts_set_stdout(o, logpath), 0);
	assert_int_equal(dctl_daemonize_opts_set_pidfile(o, pidpath), 0);
	out = run_caller(o, ACT_READY, false);
	assert_int_equal(out.r, -EEXIST);
	/* Nothing was forked, the holder's pidfile is intact. */
	assert_int_equal(pid_in_log("daemon "), 0);
	assert_true(util_read_small(AT_FDCWD, pidpath, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "4242\n");
	close(fd);
}

static void test_setup_failures(void **state)
{
	struct dctl_daemonize_opts *o;
	struct outcome out;
	struct stat sb;

	(void)state;
	/* A step of the recipe fails in the child: -errno, nothing left. */
	o = new_opts();
	assert_int_equal(dctl_daemonize_opts_set_stdout(o, logpath), 0);
	assert_int_equal(dctl_daemonize_opts_set_pidfile(o, pidpath), 0);
	assert_int_equal(dctl_daemonize_opts_set_chdir(o, "/nonexistent-dctl-dir"), 0);
	out = run_caller(o, ACT_READY, false);
	assert_int_equal(out.r, -ENOENT);
	assert_int_equal(pid_in_log("daemon "), 0);
	assert_no_pidfile();

	/* An output file that cannot be opened: before any fork. */
	o = new_opts();
	assert_int_equal(dctl_daemonize_opts_set_stdout(o, "/nonexistent-dctl-dir/out.log"), 0);
	assert_int_equal(dctl_daemonize_opts_set_pidfile(o, pidpath), 0);
	out = run_caller(o, ACT_READY, false);
	assert_int_equal(out.r, -ENOENT);
	assert_no_pidfile();

	/* A pidfile that is a directory. */
	o = new_opts();
	assert_int_equal(dctl_daemonize_opts_set_pidfile(o, dir), 0);
	out = run_caller(o, ACT_READY, false);
	assert_int_equal(out.r, -EISDIR);
	assert_int_equal(lstat(dir, &sb), 0);

	assert_int_equal(dctl_daemonize(o, NULL, &out.status), -EINVAL);
	assert_int_equal(dctl_daemonize(o, (struct dctl_daemon **)&sb, NULL),
			 -EINVAL);
	assert_int_equal(dctl_daemon_ready(NULL), -EINVAL);
	assert_int_equal(dctl_daemon_failed(NULL, EIO), -EINVAL);
	assert_null(dctl_daemon_take_pidfile(NULL));
}

/*
 * Can this process have a mount namespace whose mounts stay its own (root,
 * unconfined, and not in a chroot: there "/" is no mount point, its mounts
 * cannot be made private, and a /dev mounted for the test could show on
 * the host)?
 */
static bool can_have_private_mounts(void)
{
	int st;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(unshare(CLONE_NEWNS) == 0 &&
		      mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 ?
		      0 : 1);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/*
 * Syslog opened for the daemon: connected before its first syslog() call
 * (LOG_NDELAY), close-on-exec, the caller's own connection not kept, and
 * the message arrives with the ident, the daemon's PID and the facility.
 */
static void test_syslog(void **state)
{
	struct pollfd pfd = { .events = POLLIN };
	struct dctl_daemonize_opts *o;
	char msg[512], want[128], *p;
	struct outcome out;
	ssize_t n;
	pid_t pid;

	(void)state;
	if (!can_have_private_mounts())
		skip();
	log_sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(log_sock >= 0);
	o = new_opts();
	assert_int_equal(dctl_daemonize_opts_set_stdout(o, logpath), 0);
	assert_int_equal(dctl_daemonize_opts_set_syslog(o, "dctl-test",
							LOG_LOCAL5), 0);
	out = run_caller(o, ACT_SYSLOG, false);
	assert_int_equal(out.r, 1);
	assert_int_equal(out.status, 0);
	pid = pid_in_log("daemon ");
	track(pid);
	assert_true(wait_log("sockets 1 cloexec 1\n"));

	pfd.fd = log_sock;
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	n = recv(log_sock, msg, sizeof(msg) - 1, 0);
	assert_true(n > 0);
	msg[n] = '\0';
	/* "<PRI>Mmm dd hh:mm:ss dctl-test[PID]: hello from PID" */
	snprintf(want, sizeof(want), "<%d>", LOG_LOCAL5 | LOG_INFO);
	assert_memory_equal(msg, want, strlen(want));
	snprintf(want, sizeof(want), " dctl-test[%d]: hello from %d",
		 (int)pid, (int)pid);
	p = strstr(msg, want);
	assert_non_null(p);
	assert_int_equal(strlen(p), strlen(want));
	close(log_sock);
	log_sock = -1;
	kill(pid, SIGKILL);
	wait_gone(pid);
}

/* The options object: NULL and bad values refused, and nothing changed. */
static void test_opts_refused(void **state)
{
	struct dctl_daemonize_opts *o;
	struct outcome out;
	struct stat sb;
	char extra[256];
	pid_t pid;

	(void)state;
	assert_int_equal(dctl_daemonize_opts_new(NULL), -EINVAL);
	assert_int_equal(dctl_daemonize_opts_set_stdin(NULL, "/dev/null"),
			 -EINVAL);
	assert_int_equal(dctl_daemonize_opts_set_stdout(NULL, logpath), -EINVAL);
	assert_int_equal(dctl_daemonize_opts_set_stderr(NULL, logpath), -EINVAL);
	assert_int_equal(dctl_daemonize_opts_set_pidfile(NULL, pidpath),
			 -EINVAL);
	assert_int_equal(dctl_daemonize_opts_set_chdir(NULL, "/"), -EINVAL);
	assert_int_equal(dctl_daemonize_opts_set_umask(NULL, 022), -EINVAL);
	assert_int_equal(dctl_daemonize_opts_set_syslog(NULL, "x", LOG_DAEMON),
			 -EINVAL);
	dctl_daemonize_opts_free(NULL);

	o = new_opts();
	assert_int_equal(dctl_daemonize_opts_set_umask(o, 01000), -EINVAL);
	assert_int_equal(dctl_daemonize_opts_set_pidfile(o, ""), -EINVAL);
	/* Not a facility: a priority mixed in, a negative, past local7. */
	assert_int_equal(dctl_daemonize_opts_set_syslog(o, "", LOG_DAEMON),
			 -EINVAL);
	assert_int_equal(dctl_daemonize_opts_set_syslog(o, "x",
							LOG_DAEMON | LOG_ERR),
			 -EINVAL);
	assert_int_equal(dctl_daemonize_opts_set_syslog(o, "x", -1), -EINVAL);
	assert_int_equal(dctl_daemonize_opts_set_syslog(o, "x",
							LOG_LOCAL7 + 8),
			 -EINVAL);
	assert_int_equal(dctl_daemonize_opts_set_syslog(o, "x", LOG_LOCAL7), 0);
	assert_int_equal(dctl_daemonize_opts_set_syslog(o, "x", LOG_KERN), 0);
	/* Off again: the daemon below must have no socket. */
	assert_int_equal(dctl_daemonize_opts_set_syslog(o, NULL, -1), 0);
	assert_int_equal(dctl_daemonize_opts_set_stdout(o, logpath), 0);
	assert_int_equal(dctl_daemonize_opts_set_pidfile(o, pidpath), 0);
	/* Back to none: the daemon then runs without a pidfile. */
	assert_int_equal(dctl_daemonize_opts_set_pidfile(o, NULL), 0);
	out = run_caller(o, ACT_READY, false);
	assert_int_equal(out.r, 1);
	assert_int_equal(out.status, 0);
	pid = wait_daemon_pid();
	track(pid);
	assert_true(pid > 1);
	/* The report's pipe is closed once ready() has returned. */
	assert_true(wait_log("ready returned 0\n"));
	assert_int_equal(lstat(pidpath, &sb), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(count_fds(pid, extra, sizeof(extra)), 3);
	kill(pid, SIGKILL);
	wait_gone(pid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ready_hostile_caller,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ready_options, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_died, setup, teardown),
		cmocka_unit_test_setup_teardown(test_died_child_holds_pipe,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_caller_gone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pidfile_contention, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_setup_failures, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_syslog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_opts_refused, setup,
						teardown),
	};

	alarm(120);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
