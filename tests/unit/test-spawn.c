/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dctl_spawn_start() with real processes: what a library user relies on
 * (the return value, the getters, the pidfile's bytes and lock, the
 * daemon's state in /proc), that a failure leaves nothing behind, and that
 * the object refuses NULL and bad values without crashing.
 *
 * Every process a test starts runs a program from the test's own mkdtemp
 * directory (a symlink to sleep, a script, a python3 script), so its
 * cmdline names that directory: that is how the test counts its processes
 * and, in the teardown, how it makes sure a PID is still one of its own
 * before it kills it. Each test runs under alarm() as a last bound; every
 * wait inside the tests has a deadline of its own.
 */
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "daemonctl.h"

#define MAX_PIDS 8
#define MAX_OBJS 48
#define TEST_ALARM_S 30
#define SLEEP_ARG "300"
#define PYTHON "/usr/bin/python3"

struct fixture {
	char *dir;			/* mkdtemp: unique on the machine */
	char marker[PATH_MAX];		/* dir + "/": in all our cmdlines */
	char sleeper[PATH_MAX];		/* dir/sleeper -> sleep(1) */
	char pidfile[PATH_MAX];
	char *sleep_argv[3];
	pid_t pids[MAX_PIDS];		/* daemons started, for teardown */
	int n_pids;
	struct dctl_spawn *objs[MAX_OBJS];	/* freed by the teardown */
	int n_objs;
};

/* ------------------------------------------------------------ helpers */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read up to size - 1 bytes (NULs kept), NUL-terminate. Length or -1. */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

static bool cmdline_has(pid_t pid, const char *marker)
{
	char path[64], buf[4096];
	ssize_t n, i;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	n = slurp(path, buf, sizeof(buf));
	if (n <= 0)
		return false;		/* gone, or a zombie */
	for (i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	return strstr(buf, marker) != NULL;
}

/* Live processes whose command line names our directory. */
static int count_marked(const char *marker)
{
	struct dirent *d;
	DIR *dir = opendir("/proc");
	int n = 0;
	pid_t pid;

	assert_non_null(dir);
	while ((d = readdir(dir))) {
		pid = (pid_t)atoi(d->d_name);
		if (pid > 0 && cmdline_has(pid, marker))
			n++;
	}
	closedir(dir);
	return n;
}

struct pstat {
	char state;
	int ppid, pgrp, sid, tty;
};

static int read_pstat(pid_t pid, struct pstat *ps)
{
	char path[64], buf[1024], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (slurp(path, buf, sizeof(buf)) <= 0)
		return -1;
	/* The command name may hold spaces and parentheses: skip to the
	 * last ')'. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d %d %d %d", &ps->state, &ps->ppid,
			 &ps->pgrp, &ps->sid, &ps->tty) != 5)
		return -1;
	return 0;
}

static bool alive(pid_t pid)
{
	struct pstat ps;

	return read_pstat(pid, &ps) == 0 && ps.state != 'Z' &&
	       ps.state != 'X';
}

static int fd_count(void)
{
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(dir);
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

static int subreaper(void)
{
	int v = -1;

	assert_int_equal(prctl(PR_GET_CHILD_SUBREAPER, &v), 0);
	return v;
}

/* True when this process has no child at all, not even a zombie. */
static bool no_children(void)
{
	errno = 0;
	return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

static void track(struct fixture *f, pid_t pid)
{
	if (pid > 1 && f->n_pids < MAX_PIDS)
		f->pids[f->n_pids++] = pid;
}

/*
 * Kill one of our daemons, only if its cmdline still names our directory
 * (so a reused PID is never signalled), and wait, bounded, until it is
 * reaped (our child) or a zombie / gone (init's).
 */
static void end_process(const struct fixture *f, pid_t pid)
{
	long long end = now_ms() + 10000;
	pid_t r;

	if (pid <= 1 || !cmdline_has(pid, f->marker))
		return;
	kill(pid, SIGKILL);
	while (now_ms() < end) {
		r = waitpid(pid, NULL, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD && !alive(pid)))
			return;
		usleep(10000);
	}
	fprintf(stderr, "# pid %d did not end\n", (int)pid);
}

/* Anything else still running from our directory (a bug's leftover). */
static void end_marked(const struct fixture *f)
{
	struct dirent *d;
	DIR *dir = opendir("/proc");
	pid_t pid;

	if (!dir)
		return;
	while ((d = readdir(dir))) {
		pid = (pid_t)atoi(d->d_name);
		if (pid > 1 && cmdline_has(pid, f->marker))
			end_process(f, pid);
	}
	closedir(dir);
}

/* Reap every child, waiting at most ms. 0, or -1 if one is still alive. */
static int reap_all_within(long long ms)
{
	long long end = now_ms() + ms;
	pid_t r;

	for (;;) {
		r = waitpid(-1, NULL, WNOHANG);
		if (r < 0 && errno == ECHILD)
			return 0;
		if (r > 0)
			continue;
		if (now_ms() >= end)
			return -1;
		usleep(10000);
	}
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* dir/name into buf (PATH_MAX). */
static char *in_dir(const struct fixture *f, const char *name, char *buf)
{
	snprintf(buf, PATH_MAX, "%s/%s", f->dir, name);
	return buf;
}

/* ---------------------------------------------------------- fixture */

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->dir = unit_tmpdir();
	if (!f->dir) {
		free(f);
		return -1;
	}
	snprintf(f->marker, sizeof(f->marker), "%s/", f->dir);
	in_dir(f, "sleeper", f->sleeper);
	in_dir(f, "pid", f->pidfile);
	if (symlink("/bin/sleep", f->sleeper) < 0) {
		unit_rmtree(f->dir);
		free(f);
		return -1;
	}
	f->sleep_argv[0] = f->sleeper;
	f->sleep_argv[1] = (char *)SLEEP_ARG;
	f->sleep_argv[2] = NULL;
	*state = f;
	alarm(TEST_ALARM_S);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int i;

	alarm(0);
	for (i = 0; i < f->n_pids; i++)
		end_process(f, f->pids[i]);
	end_marked(f);
	reap_all_within(10000);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	for (i = 0; i < f->n_objs; i++)
		dctl_spawn_free(f->objs[i]);
	unit_rmtree(f->dir);
	free(f);
	return 0;
}

/* A start of our sleeper on f->pidfile, freed by the teardown. */
static struct dctl_spawn *sleeper(struct fixture *f)
{
	struct dctl_spawn *s;

	assert_true(f->n_objs < MAX_OBJS);
	assert_int_equal(dctl_spawn_new(&s, f->pidfile), 0);
	f->objs[f->n_objs++] = s;
	assert_int_equal(dctl_spawn_set_program(s, f->sleeper, f->sleep_argv),
			 0);
	return s;
}

/* ------------------------------------------------------------ checks */

/* The pidfile holds exactly "PID\n". */
static void check_pidfile(const char *path, pid_t pid)
{
	char buf[64], want[32];

	snprintf(want, sizeof(want), "%d\n", (int)pid);
	assert_true(slurp(path, buf, sizeof(buf)) >= 0);
	assert_string_equal(buf, want);
}

static void check_no_file(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

/* /proc/locks lists a write lock on the file's inode (hex major:minor). */
static bool lock_listed(const struct stat *st)
{
	char line[256], mode[16];
	unsigned maj, min;
	unsigned long ino;
	bool found = false;
	FILE *fp = fopen("/proc/locks", "re");

	assert_non_null(fp);
	while (!found && fgets(line, sizeof(line), fp)) {
		if (strstr(line, "->"))		/* a blocked waiter */
			continue;
		if (sscanf(line, "%*d: %*s %*s %15s %*d %x:%x:%lu", mode, &maj,
			   &min, &ino) != 4)
			continue;
		found = !strcmp(mode, "WRITE") && maj == major(st->st_dev) &&
			min == minor(st->st_dev) && ino == st->st_ino;
	}
	fclose(fp);
	return found;
}

/* The daemon itself holds the lock: one of its descriptors is the file,
 * and its fdinfo shows a write lock. */
static bool held_by(pid_t pid, const struct stat *st)
{
	char path[PATH_MAX], info[4096];
	struct stat fst;
	struct dirent *d;
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!found && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid,
			 d->d_name);
		if (stat(path, &fst) < 0 || fst.st_ino != st->st_ino ||
		    fst.st_dev != st->st_dev)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid,
			 d->d_name);
		found = slurp(path, info, sizeof(info)) > 0 &&
			strstr(info, "lock:") && strstr(info, "WRITE");
	}
	closedir(dir);
	return found;
}

static void check_locked(const char *pidfile, pid_t pid)
{
	struct stat st;
	int fd;

	assert_int_equal(stat(pidfile, &st), 0);
	assert_true(lock_listed(&st));
	assert_true(held_by(pid, &st));
	/* What another starter sees: the lock cannot be taken. */
	fd = open(pidfile, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	close(fd);
}

/* A 36-character lowercase version-4 UUID. */
static void check_uuid(const char *id)
{
	size_t i;

	assert_int_equal(strlen(id), 36);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(id[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", id[i]));
	}
	assert_int_equal(id[14], '4');			/* version 4: random */
	assert_non_null(strchr("89ab", id[19]));	/* RFC 4122 variant */
}

/* How many NAME= entries the process's environment has; the value of the
 * last one goes to val (size PATH_MAX) if not NULL. */
static int env_count(pid_t pid, const char *name, char *val)
{
	char path[64], *buf, *p;
	size_t len = strlen(name);
	ssize_t n;
	int count = 0;

	buf = malloc(1 << 20);
	assert_non_null(buf);
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	n = slurp(path, buf, 1 << 20);
	assert_true(n > 0);
	for (p = buf; p < buf + n; p += strlen(p) + 1) {
		if (strncmp(p, name, len) || p[len] != '=')
			continue;
		count++;
		if (val)
			snprintf(val, PATH_MAX, "%s", p + len + 1);
	}
	free(buf);
	return count;
}

/* A started daemon: alive, runs our program, not a session leader, no
 * terminal, and our child exactly when the start watched it. */
static void check_daemon(const struct fixture *f, pid_t pid, bool our_child)
{
	struct pstat ps;

	assert_true(pid > 1);
	assert_true(alive(pid));
	assert_true(cmdline_has(pid, f->marker));
	assert_int_equal(read_pstat(pid, &ps), 0);
	if (our_child)
		assert_int_equal(ps.ppid, getpid());
	else
		assert_int_not_equal(ps.ppid, getpid());
	assert_int_not_equal(ps.sid, pid);
	assert_int_not_equal(ps.sid, getsid(0));
	assert_int_equal(ps.tty, 0);
}

/* A failure: nothing of ours is left, and no pidfile. */
static void check_nothing_left(const struct fixture *f,
			       const struct dctl_spawn *s)
{
	assert_int_equal(dctl_spawn_get_pid(s), 0);
	assert_true(dctl_spawn_get_detail(s)[0] != '\0');
	check_no_file(f->pidfile);
	assert_int_equal(count_marked(f->marker), 0);
}

/* -------------------------------------------------------------- tests */

static void test_start(void **state)
{
	struct fixture *f = *state;
	char val[PATH_MAX];
	struct dctl_spawn *s;
	int fds = fd_count(), sr = subreaper(), r;

	s = sleeper(f);
	assert_int_equal(dctl_spawn_add_env(s, "DCTL_SPAWN_TEST=yes"), 0);
	/* Stale values in the caller's environment must not reach it. */
	setenv("DAEMON_INSTANCE_ID", "stale", 1);
	setenv("NOTIFY_SOCKET", "/nonexistent/socket", 1);
	r = dctl_spawn_start(s);
	unsetenv("DAEMON_INSTANCE_ID");
	unsetenv("NOTIFY_SOCKET");
	track(f, dctl_spawn_get_pid(s));

	assert_int_equal(r, 0);
	check_daemon(f, dctl_spawn_get_pid(s), false);
	check_pidfile(f->pidfile, dctl_spawn_get_pid(s));
	check_locked(f->pidfile, dctl_spawn_get_pid(s));
	check_uuid(dctl_spawn_get_instance(s));
	assert_int_equal(env_count(dctl_spawn_get_pid(s), "DAEMON_INSTANCE_ID", val), 1);
	assert_string_equal(val, dctl_spawn_get_instance(s));
	assert_int_equal(env_count(dctl_spawn_get_pid(s), "NOTIFY_SOCKET", NULL), 0);
	assert_int_equal(env_count(dctl_spawn_get_pid(s), "DCTL_SPAWN_TEST", val), 1);
	assert_string_equal(val, "yes");
	assert_int_equal(dctl_spawn_get_exit_status(s), -1);
	assert_int_equal(dctl_spawn_get_term_signal(s), 0);
	assert_int_equal(count_marked(f->marker), 1);
	assert_int_equal(fd_count(), fds);
	assert_int_equal(subreaper(), sr);
}

static void test_two_instances(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;
	char other[PATH_MAX], val[PATH_MAX], first[DCTL_UUID_LEN];
	pid_t a, b;

	/* One object, started twice: the second start has results of its
	 * own, which replace the first's. */
	s = sleeper(f);
	assert_int_equal(dctl_spawn_start(s), 0);
	a = dctl_spawn_get_pid(s);
	track(f, a);
	snprintf(first, sizeof(first), "%s", dctl_spawn_get_instance(s));
	assert_int_equal(dctl_spawn_set_pidfile(s, in_dir(f, "pid2", other)), 0);
	assert_int_equal(dctl_spawn_start(s), 0);
	b = dctl_spawn_get_pid(s);
	track(f, b);

	assert_int_not_equal(a, b);
	check_uuid(first);
	check_uuid(dctl_spawn_get_instance(s));
	assert_string_not_equal(first, dctl_spawn_get_instance(s));
	assert_int_equal(env_count(b, "DAEMON_INSTANCE_ID", val), 1);
	assert_string_equal(val, dctl_spawn_get_instance(s));
	check_pidfile(f->pidfile, a);
	check_pidfile(other, b);
}

/*
 * dctl_spawn() returns only once the program's environment is in place,
 * so a status or daemon-stop --instance right after it finds the id: the
 * kernel fills it in a moment after the exec status pipe reaches EOF,
 * which once lost this race in a third of tight-loop starts.
 */
static void test_environment_ready_on_return(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;
	char pidfile[PATH_MAX], name[32], val[PATH_MAX];
	int i;

	for (i = 0; i < 40; i++) {
		s = sleeper(f);
		snprintf(name, sizeof(name), "env%d.pid", i);
		assert_int_equal(dctl_spawn_set_pidfile(s,
							in_dir(f, name, pidfile)),
				 0);
		assert_int_equal(dctl_spawn_start(s), 0);
		assert_int_equal(env_count(dctl_spawn_get_pid(s), "DAEMON_INSTANCE_ID", val),
				 1);
		assert_string_equal(val, dctl_spawn_get_instance(s));
		assert_true(cmdline_has(dctl_spawn_get_pid(s), f->marker));
		end_process(f, dctl_spawn_get_pid(s));
	}
}

static void test_already_running(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;
	pid_t first;
	int fds;

	s = sleeper(f);
	assert_int_equal(dctl_spawn_start(s), 0);
	first = dctl_spawn_get_pid(s);
	track(f, first);
	fds = fd_count();

	/* The same object again (and a second one below): already running. */
	assert_int_equal(dctl_spawn_start(s), -EEXIST);
	track(f, dctl_spawn_get_pid(s));
	assert_int_equal(dctl_spawn_get_pid(s), first);
	assert_int_equal(dctl_spawn_get_stage(s), DCTL_STAGE_PIDFILE);
	assert_int_equal(count_marked(f->marker), 1);
	/* The running daemon's file is untouched and still its own. */
	check_pidfile(f->pidfile, first);
	check_locked(f->pidfile, first);
	assert_int_equal(fd_count(), fds);

	/* The watched path says the same, and starts nothing either. */
	s = sleeper(f);
	assert_int_equal(dctl_spawn_set_wait_ms(s, 200), 0);
	assert_int_equal(dctl_spawn_start(s), -EEXIST);
	assert_int_equal(dctl_spawn_get_pid(s), first);
	assert_true(no_children());

	/* So does test mode. */
	assert_int_equal(dctl_spawn_set_wait_ms(s, 0), 0);
	assert_int_equal(dctl_spawn_set_test(s, true), 0);
	assert_int_equal(dctl_spawn_start(s), -EEXIST);
	assert_int_equal(dctl_spawn_get_pid(s), first);
	assert_int_equal(count_marked(f->marker), 1);
	check_pidfile(f->pidfile, first);
	assert_int_equal(fd_count(), fds);
}

/* Run a start that must fail before forking, with err. We are a subreaper
 * meanwhile, so anything it forked would show up as our child. */
static void expect_invalid(const struct fixture *f, struct dctl_spawn *s,
			   int err)
{
	int fds = fd_count();

	assert_int_equal(dctl_spawn_start(s), -err);
	assert_int_equal(dctl_spawn_get_stage(s), DCTL_STAGE_VALIDATE);
	assert_int_equal(dctl_spawn_get_error(s), err);
	check_nothing_left(f, s);
	assert_true(no_children());
	assert_int_equal(fd_count(), fds);
	assert_int_equal(subreaper(), 1);
}

static void set_program(struct dctl_spawn *s, const char *path)
{
	assert_int_equal(dctl_spawn_set_program(s, path, NULL), 0);
}

/* What only the start can find: the file system and the user database. */
static void test_invalid(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], file[PATH_MAX];
	struct dctl_spawn *s;

	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	in_dir(f, "plain", file);
	write_file(file, "#!/bin/sh\nexit 0\n", 0644);

	s = sleeper(f);
	set_program(s, in_dir(f, "missing", path));
	expect_invalid(f, s, ENOENT);
	assert_non_null(strstr(dctl_spawn_get_detail(s), "program not found: "));
	assert_non_null(strstr(dctl_spawn_get_detail(s), path));
	set_program(s, "dctl-no-such-program-in-path");
	expect_invalid(f, s, ENOENT);
	set_program(s, file);			/* not executable */
	expect_invalid(f, s, EACCES);
	set_program(s, f->dir);			/* a directory */
	expect_invalid(f, s, EACCES);

	s = sleeper(f);
	assert_int_equal(dctl_spawn_set_chdir(s, in_dir(f, "nodir", path)), 0);
	expect_invalid(f, s, ENOENT);
	assert_int_equal(dctl_spawn_set_chdir(s, file), 0);
	expect_invalid(f, s, ENOTDIR);

	s = sleeper(f);
	assert_int_equal(dctl_spawn_set_chroot(s, in_dir(f, "noroot", path)), 0);
	expect_invalid(f, s, ENOENT);

	s = sleeper(f);
	assert_int_equal(dctl_spawn_set_user(s, "dctl-no-such-user"), 0);
	expect_invalid(f, s, geteuid() == 0 ? ENOENT : EPERM);

	s = sleeper(f);
	assert_int_equal(dctl_spawn_set_stdout(s,
					       in_dir(f, "nodir/out.log", path)),
			 0);
	expect_invalid(f, s, ENOENT);

	/* Required, and not given yet. */
	assert_int_equal(dctl_spawn_new(&s, NULL), 0);
	f->objs[f->n_objs++] = s;
	set_program(s, f->sleeper);
	expect_invalid(f, s, EINVAL);
	assert_string_equal(dctl_spawn_get_detail(s), "no pidfile given");
	assert_int_equal(dctl_spawn_new(&s, f->pidfile), 0);
	f->objs[f->n_objs++] = s;
	expect_invalid(f, s, EINVAL);
	assert_string_equal(dctl_spawn_get_detail(s), "no program given");
}

/*
 * A value refused by its setter: -EINVAL and the reason, and the setting
 * as it was, so that the start that follows is the one without it.
 */
static void expect_refused(struct dctl_spawn *s, int r, const char *detail)
{
	assert_int_equal(r, -EINVAL);
	assert_int_equal(dctl_spawn_get_stage(s), DCTL_STAGE_VALIDATE);
	assert_int_equal(dctl_spawn_get_error(s), EINVAL);
	assert_string_equal(dctl_spawn_get_detail(s), detail);
}

static void test_refused(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s = sleeper(f);
	char val[PATH_MAX];

	expect_refused(s, dctl_spawn_add_env(s, "NOEQUALS"),
		       "invalid environment entry 'NOEQUALS': NAME=VALUE wanted");
	expect_refused(s, dctl_spawn_add_env(s, "1X=y"),
		       "invalid environment entry '1X=y': NAME=VALUE wanted");
	expect_refused(s, dctl_spawn_add_env(s, "=y"),
		       "invalid environment entry '=y': NAME=VALUE wanted");
	expect_refused(s, dctl_spawn_add_env(s, "DAEMON_INSTANCE_ID=x"),
		       "invalid environment entry 'DAEMON_INSTANCE_ID=x': DAEMON_INSTANCE_ID is set by daemon-start");
	expect_refused(s, dctl_spawn_add_env(s, "NOTIFY_SOCKET=/s"),
		       "invalid environment entry 'NOTIFY_SOCKET=/s': NOTIFY_SOCKET is set by daemon-start");
	expect_refused(s, dctl_spawn_set_nice(s, 20),
		       "nice level 20 out of range -20..19");
	expect_refused(s, dctl_spawn_set_nice(s, -21),
		       "nice level -21 out of range -20..19");
	expect_refused(s, dctl_spawn_set_umask(s, 01000),
		       "umask 01000 out of range 0..0777");
	expect_refused(s, dctl_spawn_set_ready(s, (enum dctl_ready)42),
		       "unknown readiness mode 42");
	expect_refused(s, dctl_spawn_set_chroot(s, "relative/dir"),
		       "chroot directory relative/dir: must be absolute");
	expect_refused(s, dctl_spawn_set_program(s, "", NULL),
		       "no program given");
	expect_refused(s, dctl_spawn_set_program(s, NULL, f->sleep_argv),
		       "no program given");
	expect_refused(s, dctl_spawn_set_pidfile(s, ""), "no pidfile given");
	expect_refused(s, dctl_spawn_set_pidfile(s, NULL), "no pidfile given");
	assert_int_equal(dctl_spawn_add_env(s, NULL), -EINVAL);

	/* None of them stuck: a plain start of the sleeper, on f->pidfile,
	 * with the default niceness and no forged variable. */
	assert_int_equal(dctl_spawn_start(s), 0);
	track(f, dctl_spawn_get_pid(s));
	assert_string_equal(dctl_spawn_get_detail(s), "");
	assert_int_equal(dctl_spawn_get_stage(s), DCTL_STAGE_NONE);
	assert_int_equal(dctl_spawn_get_error(s), 0);
	check_daemon(f, dctl_spawn_get_pid(s), false);
	check_pidfile(f->pidfile, dctl_spawn_get_pid(s));
	assert_int_equal(env_count(dctl_spawn_get_pid(s), "NOEQUALS", NULL), 0);
	assert_int_equal(env_count(dctl_spawn_get_pid(s), "DAEMON_INSTANCE_ID",
				   val), 1);
	assert_string_equal(val, dctl_spawn_get_instance(s));
}

/* A NULL object: -EINVAL (or NULL) from every call, and no crash. */
static void test_null(void **state)
{
	struct dctl_spawn *s = (struct dctl_spawn *)1;
	char *argv[] = { "x", NULL };

	(void)state;
	assert_int_equal(dctl_spawn_new(NULL, "/x.pid"), -EINVAL);
	assert_int_equal(dctl_spawn_new(&s, ""), -EINVAL);
	assert_null(s);
	s = NULL;
	assert_int_equal(dctl_spawn_start(s), -EINVAL);
	assert_int_equal(dctl_spawn_set_pidfile(s, "/x.pid"), -EINVAL);
	assert_int_equal(dctl_spawn_set_program(s, "/bin/true", argv), -EINVAL);
	assert_int_equal(dctl_spawn_set_chdir(s, "/"), -EINVAL);
	assert_int_equal(dctl_spawn_set_umask(s, 022), -EINVAL);
	assert_int_equal(dctl_spawn_set_stdout(s, "/dev/null"), -EINVAL);
	assert_int_equal(dctl_spawn_set_stderr(s, "/dev/null"), -EINVAL);
	assert_int_equal(dctl_spawn_add_env(s, "A=b"), -EINVAL);
	assert_int_equal(dctl_spawn_set_user(s, "root"), -EINVAL);
	assert_int_equal(dctl_spawn_set_chroot(s, "/"), -EINVAL);
	assert_int_equal(dctl_spawn_set_nice(s, 1), -EINVAL);
	assert_int_equal(dctl_spawn_set_ready(s, DCTL_READY_NOTIFY), -EINVAL);
	assert_int_equal(dctl_spawn_set_wait_ms(s, 1), -EINVAL);
	assert_int_equal(dctl_spawn_set_timeout_ms(s, 1), -EINVAL);
	assert_int_equal(dctl_spawn_set_test(s, true), -EINVAL);
	assert_int_equal(dctl_spawn_set_log(s, NULL, NULL), -EINVAL);
	assert_int_equal(dctl_spawn_get_pid(s), -EINVAL);
	assert_null(dctl_spawn_get_instance(s));
	assert_int_equal(dctl_spawn_get_stage(s), DCTL_STAGE_NONE);
	assert_int_equal(dctl_spawn_get_error(s), -EINVAL);
	assert_int_equal(dctl_spawn_get_exit_status(s), -EINVAL);
	assert_int_equal(dctl_spawn_get_term_signal(s), -EINVAL);
	assert_null(dctl_spawn_get_detail(s));
	dctl_spawn_free(s);
	assert_string_equal(dctl_spawn_stage_str(DCTL_STAGE_EXEC), "exec");
	assert_string_equal(dctl_spawn_stage_str((enum dctl_spawn_stage)99),
			    "unknown");
}

/* The results of a new object, before any start. */
static void test_fresh_object(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s = sleeper(f);

	assert_int_equal(dctl_spawn_get_pid(s), 0);
	assert_string_equal(dctl_spawn_get_instance(s), "");
	assert_int_equal(dctl_spawn_get_stage(s), DCTL_STAGE_NONE);
	assert_int_equal(dctl_spawn_get_error(s), 0);
	assert_int_equal(dctl_spawn_get_exit_status(s), -1);
	assert_int_equal(dctl_spawn_get_term_signal(s), 0);
	assert_string_equal(dctl_spawn_get_detail(s), "");
}

/*
 * Every string and vector is copied when it is set: the caller's own,
 * overwritten and freed before the start, change nothing.
 */
static void test_copies(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;
	char *pidfile = strdup(f->pidfile), *prog = strdup(f->sleeper);
	char *env = strdup("DCTL_COPIED=yes"), *logp, val[PATH_MAX];
	char **argv = calloc(3, sizeof(char *));
	char log[PATH_MAX], buf[64];
	pid_t pid;

	assert_non_null(pidfile);
	assert_non_null(prog);
	assert_non_null(env);
	assert_non_null(argv);
	in_dir(f, "out.log", log);
	logp = strdup(log);
	assert_non_null(logp);
	argv[0] = strdup(f->sleeper);
	argv[1] = strdup(SLEEP_ARG);
	assert_int_equal(dctl_spawn_new(&s, pidfile), 0);
	f->objs[f->n_objs++] = s;
	assert_int_equal(dctl_spawn_set_program(s, prog, argv), 0);
	assert_int_equal(dctl_spawn_add_env(s, env), 0);
	assert_int_equal(dctl_spawn_set_stdout(s, logp), 0);
	memset(pidfile, 'x', strlen(pidfile));
	memset(prog, 'x', strlen(prog));
	memset(env, 'x', strlen(env));
	memset(logp, 'x', strlen(logp));
	memset(argv[1], 'x', strlen(argv[1]));
	free(pidfile);
	free(prog);
	free(env);
	free(logp);
	free(argv[0]);
	free(argv[1]);
	free(argv);

	assert_int_equal(dctl_spawn_start(s), 0);
	pid = dctl_spawn_get_pid(s);
	track(f, pid);
	check_daemon(f, pid, false);
	check_pidfile(f->pidfile, pid);
	assert_int_equal(env_count(pid, "DCTL_COPIED", val), 1);
	assert_string_equal(val, "yes");
	snprintf(val, sizeof(val), "/proc/%d/cmdline", (int)pid);
	assert_int_equal(slurp(val, buf, sizeof(buf)),
			 (ssize_t)(strlen(f->sleeper) + sizeof(SLEEP_ARG) + 1));
	assert_string_equal(buf + strlen(f->sleeper) + 1, SLEEP_ARG);
	assert_int_equal(access(log, F_OK), 0);
}

static void make_noexec_script(const struct fixture *f, char *path)
{
	in_dir(f, "nointerp", path);
	write_file(path, "#!/nonexistent/interpreter\nexit 0\n", 0755);
}

/* The program passes the checks, but execve() fails in the daemon. */
static void test_exec_fails(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;
	char script[PATH_MAX];
	int fds = fd_count(), sr = subreaper();

	make_noexec_script(f, script);
	s = sleeper(f);
	assert_int_equal(dctl_spawn_set_program(s, script, NULL), 0);
	assert_int_equal(dctl_spawn_start(s), -ENOENT);
	assert_int_equal(dctl_spawn_get_stage(s), DCTL_STAGE_EXEC);
	assert_int_equal(dctl_spawn_get_error(s), ENOENT);
	check_nothing_left(f, s);
	assert_int_equal(fd_count(), fds);
	assert_int_equal(subreaper(), sr);
}

/* The same, watched (--wait): the failed process is reaped by the call. */
static void test_exec_fails_watched(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;
	char script[PATH_MAX];
	int fds = fd_count();
	long long t0;

	make_noexec_script(f, script);
	s = sleeper(f);
	assert_int_equal(dctl_spawn_set_program(s, script, NULL), 0);
	assert_int_equal(dctl_spawn_set_wait_ms(s, 60000), 0);
	t0 = now_ms();
	assert_int_equal(dctl_spawn_start(s), -ENOENT);
	/* An exec failure is known when it happens: not by waiting out
	 * wait_ms (a minute: far beyond any slowness of a loaded machine). */
	assert_true(now_ms() - t0 < 30000);
	assert_int_equal(dctl_spawn_get_stage(s), DCTL_STAGE_EXEC);
	check_nothing_left(f, s);
	assert_true(no_children());
	assert_int_equal(fd_count(), fds);
	assert_int_equal(subreaper(), 0);
}

/* A plain start from a caller that is a subreaper itself: the failed
 * daemon becomes our child, and it must end on its own. */
static void test_exec_fails_subreaper_caller(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;
	char script[PATH_MAX];

	make_noexec_script(f, script);
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	s = sleeper(f);
	assert_int_equal(dctl_spawn_set_program(s, script, NULL), 0);
	assert_int_equal(dctl_spawn_start(s), -ENOENT);
	check_nothing_left(f, s);
	assert_int_equal(reap_all_within(10000), 0);
	assert_int_equal(subreaper(), 1);
}

/* Start script (written to dir/name) with wait_ms; expect -ECHILD. */
static struct dctl_spawn *expect_death(struct fixture *f, const char *name,
				       const char *text)
{
	struct dctl_spawn *s;
	char script[PATH_MAX];
	int fds = fd_count();
	long long t0;

	in_dir(f, name, script);
	write_file(script, text, 0755);
	s = sleeper(f);
	assert_int_equal(dctl_spawn_set_program(s, script, NULL), 0);
	assert_int_equal(dctl_spawn_set_wait_ms(s, 60000), 0);
	t0 = now_ms();
	assert_int_equal(dctl_spawn_start(s), -ECHILD);
	/* Seen when it happens, not when wait_ms (a minute) runs out. */
	assert_true(now_ms() - t0 < 30000);
	assert_int_equal(dctl_spawn_get_stage(s), DCTL_STAGE_STARTUP);
	assert_int_equal(dctl_spawn_get_error(s), ECHILD);
	check_nothing_left(f, s);
	assert_true(no_children());
	assert_int_equal(fd_count(), fds);
	assert_int_equal(subreaper(), 0);
	return s;
}

static void test_startup_exit(void **state)
{
	struct dctl_spawn *s;

	s = expect_death(*state, "exit3", "#!/bin/sh\nexit 3\n");
	assert_int_equal(dctl_spawn_get_exit_status(s), 3);
	assert_int_equal(dctl_spawn_get_term_signal(s), 0);
}

static void test_startup_signal(void **state)
{
	struct dctl_spawn *s;

	s = expect_death(*state, "segv", "#!/bin/sh\nkill -SEGV $$\nsleep 5\n");
	assert_int_equal(dctl_spawn_get_term_signal(s), SIGSEGV);
	assert_int_equal(dctl_spawn_get_exit_status(s), -1);
}

/* It forks a process of its own and then dies: that one goes too. */
static void test_startup_exit_leaves_no_child(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;
	char text[PATH_MAX + 64];

	snprintf(text, sizeof(text), "#!/bin/sh\n%s %s &\nexit 4\n",
		 f->sleeper, SLEEP_ARG);
	s = expect_death(f, "forks", text);
	assert_int_equal(dctl_spawn_get_exit_status(s), 4);
}

/*
 * A child the caller forked just before the call is not one the failed
 * start left behind: it must be left alive and unreaped (dctl_spawn(3)).
 * A start-time test cannot tell the two apart within a clock tick; the
 * daemon's session and the list of the caller's children can.
 */
static void test_caller_child_spared(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;
	char script[PATH_MAX];
	long long end;
	pid_t mine;

	in_dir(f, "exit3", script);
	write_file(script, "#!/bin/sh\nexit 3\n", 0755);
	s = sleeper(f);
	assert_int_equal(dctl_spawn_set_program(s, script, NULL), 0);
	assert_int_equal(dctl_spawn_set_wait_ms(s, 5000), 0);
	mine = fork();
	if (mine == 0) {
		execv(f->sleeper, f->sleep_argv);
		_exit(127);
	}
	assert_true(mine > 0);
	track(f, mine);
	/* Until its exec it is a copy of us, whose command line the
	 * teardown would not take for ours: it would be left running. */
	end = now_ms() + 10000;
	while (!cmdline_has(mine, f->marker) && now_ms() < end)
		usleep(1000);
	assert_true(cmdline_has(mine, f->marker));
	assert_int_equal(dctl_spawn_start(s), -ECHILD);
	/* Ours, alive and unreaped. */
	assert_int_equal(waitpid(mine, NULL, WNOHANG), 0);
}

static void test_wait_success(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;
	int fds = fd_count(), r;
	long long t0;

	s = sleeper(f);
	assert_int_equal(dctl_spawn_set_wait_ms(s, 200), 0);
	t0 = now_ms();
	r = dctl_spawn_start(s);
	track(f, dctl_spawn_get_pid(s));
	assert_int_equal(r, 0);
	assert_true(now_ms() - t0 >= 190);
	/* Watched, it stays our child (dctl_spawn(3), NOTES). */
	check_daemon(f, dctl_spawn_get_pid(s), true);
	check_pidfile(f->pidfile, dctl_spawn_get_pid(s));
	check_locked(f->pidfile, dctl_spawn_get_pid(s));
	assert_int_equal(fd_count(), fds);
	assert_int_equal(subreaper(), 0);
}

/* A python3 program that sends its first argument on $NOTIFY_SOCKET (or,
 * with "child", has a forked child send READY=1), then sleeps. */
static const char notify_py[] =
	"import os, socket, sys, time\n"
	"addr = os.environ['NOTIFY_SOCKET']\n"
	"if addr.startswith('@'):\n"
	"    addr = '\\0' + addr[1:]\n"
	"def send(msg):\n"
	"    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
	"    s.sendto(msg.encode(), addr)\n"
	"    s.close()\n"
	"if sys.argv[1] == 'child':\n"
	"    if os.fork() == 0:\n"
	"        send('READY=1')\n"
	"        time.sleep(300)\n"
	"        os._exit(0)\n"
	"else:\n"
	"    send(sys.argv[1])\n"
	"time.sleep(300)\n";

static int notify_start(struct fixture *f, const char *say, unsigned timeout,
			struct dctl_spawn **sp)
{
	struct dctl_spawn *s;
	char script[PATH_MAX];
	char *argv[] = { PYTHON, "-I", script, (char *)say, NULL };
	int r;

	if (access(PYTHON, X_OK) < 0)
		skip();
	in_dir(f, "notify.py", script);
	write_file(script, notify_py, 0644);
	s = sleeper(f);
	assert_int_equal(dctl_spawn_set_program(s, PYTHON, argv), 0);
	assert_int_equal(dctl_spawn_set_ready(s, DCTL_READY_NOTIFY), 0);
	assert_int_equal(dctl_spawn_set_timeout_ms(s, timeout), 0);
	r = dctl_spawn_start(s);
	track(f, dctl_spawn_get_pid(s));
	*sp = s;
	return r;
}

static void test_notify_ready(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;
	char val[PATH_MAX];
	int fds = fd_count();

	assert_int_equal(notify_start(f, "READY=1", 10000, &s), 0);
	check_daemon(f, dctl_spawn_get_pid(s), true);
	check_pidfile(f->pidfile, dctl_spawn_get_pid(s));
	check_locked(f->pidfile, dctl_spawn_get_pid(s));
	assert_int_equal(env_count(dctl_spawn_get_pid(s), "NOTIFY_SOCKET", val), 1);
	assert_true(val[0] != '\0');
	/* The socket was the call's own: gone once it returned. */
	if (val[0] == '/')
		check_no_file(val);
	assert_int_equal(fd_count(), fds);
	assert_int_equal(subreaper(), 0);
}

static void test_notify_errno(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;
	int fds = fd_count();

	assert_int_equal(notify_start(f, "ERRNO=5", 10000, &s), -ECANCELED);
	assert_int_equal(dctl_spawn_get_stage(s), DCTL_STAGE_READY);
	assert_int_equal(dctl_spawn_get_error(s), 5);
	check_nothing_left(f, s);
	assert_true(no_children());
	assert_int_equal(fd_count(), fds);
	assert_int_equal(subreaper(), 0);
}

/* ERRNO=17 is the daemon's EEXIST, not "already running" (-EEXIST). */
static void test_notify_errno_eexist(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;

	assert_int_equal(notify_start(f, "ERRNO=17", 10000, &s), -ECANCELED);
	assert_int_equal(dctl_spawn_get_stage(s), DCTL_STAGE_READY);
	assert_int_equal(dctl_spawn_get_error(s), EEXIST);
	check_nothing_left(f, s);
	assert_true(no_children());
}

/* Silent (only a child of it says READY=1, which does not count): a
 * timeout, on time, and both processes killed. */
static void test_notify_timeout(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;
	int fds = fd_count();
	long long t0 = now_ms(), took;

	assert_int_equal(notify_start(f, "child", 1000, &s), -ETIMEDOUT);
	took = now_ms() - t0;
	/* Not before the timeout; the upper bound only catches a hang. */
	assert_true(took >= 990 && took < 30000);
	assert_int_equal(dctl_spawn_get_stage(s), DCTL_STAGE_READY);
	check_nothing_left(f, s);
	assert_true(no_children());
	assert_int_equal(fd_count(), fds);
	assert_int_equal(subreaper(), 0);
}

static void test_notify_timeout_sleeper(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;
	long long t0, took;
	int r;

	s = sleeper(f);
	assert_int_equal(dctl_spawn_set_ready(s, DCTL_READY_NOTIFY), 0);
	assert_int_equal(dctl_spawn_set_timeout_ms(s, 300), 0);
	t0 = now_ms();
	r = dctl_spawn_start(s);
	took = now_ms() - t0;
	track(f, dctl_spawn_get_pid(s));
	assert_int_equal(r, -ETIMEDOUT);
	assert_true(took >= 290 && took < 30000);
	/* Not "after 0 s". */
	assert_string_equal(dctl_spawn_get_detail(s), "not ready after 300 ms");
	check_nothing_left(f, s);
	assert_true(no_children());
}

/*
 * A cancel descriptor that becomes readable while the start waits ends
 * it: -EINTR, the program gone, no pidfile. One already readable cancels
 * at once; an unset one (-1) changes nothing; below -1 is refused.
 */
static void cancel_while(struct fixture *f, enum dctl_ready ready,
			 unsigned wait_ms, enum dctl_spawn_stage stage)
{
	struct dctl_spawn *s;
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	s = sleeper(f);
	assert_int_equal(dctl_spawn_set_ready(s, ready), 0);
	assert_int_equal(dctl_spawn_set_wait_ms(s, wait_ms), 0);
	assert_int_equal(dctl_spawn_set_timeout_ms(s, 30000), 0);
	assert_int_equal(dctl_spawn_set_cancel_fd(s, p[0]), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(dctl_spawn_start(s), -EINTR);
	track(f, dctl_spawn_get_pid(s));
	assert_int_equal(dctl_spawn_get_stage(s), stage);
	assert_int_equal(dctl_spawn_get_error(s), EINTR);
	assert_non_null(strstr(dctl_spawn_get_detail(s), "cancelled while waiting for"));
	check_nothing_left(f, s);
	assert_true(no_children());
	close(p[0]);
	close(p[1]);
}

static void test_cancel_fd(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;

	s = sleeper(f);
	assert_int_equal(dctl_spawn_set_cancel_fd(s, -2), -EINVAL);
	assert_int_equal(dctl_spawn_set_cancel_fd(NULL, 0), -EINVAL);
	assert_int_equal(dctl_spawn_set_cancel_fd(s, -1), 0);
	cancel_while(f, DCTL_READY_NOTIFY, 0, DCTL_STAGE_READY);
	cancel_while(f, DCTL_READY_EXEC, 30000, DCTL_STAGE_STARTUP);
	cancel_while(f, DCTL_READY_FORKING, 0, DCTL_STAGE_READY);
}

/* The longest timeout a caller can ask for is a timeout, not a poll()
 * argument out of range. */
static void test_notify_huge_timeout(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;

	assert_int_equal(notify_start(f, "READY=1", UINT_MAX, &s), 0);
	check_daemon(f, dctl_spawn_get_pid(s), true);
	check_pidfile(f->pidfile, dctl_spawn_get_pid(s));
}

static void test_test_mode(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;
	int fds = fd_count(), r;

	s = sleeper(f);
	assert_int_equal(dctl_spawn_set_test(s, true), 0);
	assert_int_equal(dctl_spawn_set_wait_ms(s, 200), 0);
	r = dctl_spawn_start(s);
	track(f, dctl_spawn_get_pid(s));
	assert_int_equal(r, 0);
	assert_int_equal(dctl_spawn_get_pid(s), 0);
	check_no_file(f->pidfile);
	assert_int_equal(count_marked(f->marker), 0);
	assert_true(no_children());
	assert_int_equal(fd_count(), fds);

	/* A failure is still found. */
	assert_int_equal(dctl_spawn_set_chdir(s, f->sleeper), 0);
	assert_int_equal(dctl_spawn_start(s), -ENOTDIR);
	assert_int_equal(dctl_spawn_get_stage(s), DCTL_STAGE_VALIDATE);
}

/* A caller that is a subreaper already stays one, on both paths. */
static void test_subreaper_kept(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;
	char other[PATH_MAX];
	int r;

	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	s = sleeper(f);
	assert_int_equal(dctl_spawn_set_wait_ms(s, 100), 0);
	r = dctl_spawn_start(s);
	track(f, dctl_spawn_get_pid(s));
	assert_int_equal(r, 0);
	assert_int_equal(subreaper(), 1);

	assert_int_equal(dctl_spawn_set_wait_ms(s, 0), 0);
	assert_int_equal(dctl_spawn_set_pidfile(s, in_dir(f, "pid2", other)), 0);
	r = dctl_spawn_start(s);
	track(f, dctl_spawn_get_pid(s));
	assert_int_equal(r, 0);
	/* Plain, but we are a subreaper: the daemon came to us. */
	check_daemon(f, dctl_spawn_get_pid(s), true);
	assert_int_equal(subreaper(), 1);
}

/* ------------------------------------------------- a program in place */

/* Wait, bounded, until pid has exec'd f's sleeper (its cmdline says so). */
static void wait_exec(const struct fixture *f, pid_t pid)
{
	long long end = now_ms() + 10000;

	while (!cmdline_has(pid, f->marker) ||
	       env_count(pid, "DAEMON_INSTANCE_ID", NULL) == 0) {
		assert_true(now_ms() < end);
		usleep(2000);
	}
}

static void test_exec_in_place(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s = sleeper(f);
	char path[64], buf[4096];
	pid_t pid;

	assert_int_equal(dctl_spawn_set_umask(s, 027), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dctl_spawn_exec(s);
		_exit(99);
	}
	track(f, pid);
	wait_exec(f, pid);
	/* The same process, still ours and in our session: not detached. */
	assert_int_equal(getsid(pid), getsid(0));
	assert_int_equal(waitpid(pid, NULL, WNOHANG), 0);
	/* Its PID in the pidfile, whose lock it holds through exec. */
	check_pidfile(f->pidfile, pid);
	check_locked(f->pidfile, pid);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	assert_true(slurp(path, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "\nUmask:\t0027\n"));
	/* A second in-place start of the same pidfile finds it running and
	 * returns, in the caller. */
	assert_int_equal(dctl_spawn_exec(s), -EEXIST);
	assert_int_equal(dctl_spawn_get_pid(s), pid);
	assert_int_equal(dctl_spawn_get_stage(s), DCTL_STAGE_PIDFILE);
	check_pidfile(f->pidfile, pid);
}

static void test_exec_refused(void **state)
{
	struct fixture *f = *state;
	struct dctl_spawn *s;
	char missing[PATH_MAX];

	assert_int_equal(dctl_spawn_exec(NULL), -EINVAL);
	/* No pidfile is needed; test mode only checks. */
	assert_int_equal(dctl_spawn_new(&s, NULL), 0);
	f->objs[f->n_objs++] = s;
	assert_int_equal(dctl_spawn_set_program(s, f->sleeper, f->sleep_argv), 0);
	assert_int_equal(dctl_spawn_set_test(s, true), 0);
	assert_int_equal(dctl_spawn_exec(s), 0);
	/* Nothing can watch a program that replaced its caller. */
	assert_int_equal(dctl_spawn_set_wait_ms(s, 100), 0);
	assert_int_equal(dctl_spawn_exec(s), -EINVAL);
	assert_int_equal(dctl_spawn_get_stage(s), DCTL_STAGE_VALIDATE);
	assert_int_equal(dctl_spawn_set_wait_ms(s, 0), 0);
	assert_int_equal(dctl_spawn_set_ready(s, DCTL_READY_NOTIFY), 0);
	assert_int_equal(dctl_spawn_exec(s), -EINVAL);
	assert_int_equal(dctl_spawn_set_ready(s, DCTL_READY_EXEC), 0);
	/* The checks of a start, with the same words. */
	in_dir(f, "missing", missing);
	assert_int_equal(dctl_spawn_set_program(s, missing, NULL), 0);
	assert_int_equal(dctl_spawn_set_test(s, false), 0);
	assert_int_equal(dctl_spawn_exec(s), -ENOENT);
	assert_int_equal(dctl_spawn_get_stage(s), DCTL_STAGE_VALIDATE);
	assert_non_null(strstr(dctl_spawn_get_detail(s), "program not found"));
	assert_int_equal(dctl_spawn_set_program(s, f->sleeper, NULL), 0);
	assert_int_equal(dctl_spawn_set_chdir(s, missing), 0);
	assert_int_equal(dctl_spawn_exec(s), -ENOENT);
	assert_non_null(strstr(dctl_spawn_get_detail(s), missing));
	check_no_file(f->pidfile);
}

#define SPAWN_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SPAWN_TEST(test_start),
		SPAWN_TEST(test_two_instances),
		SPAWN_TEST(test_environment_ready_on_return),
		SPAWN_TEST(test_already_running),
		SPAWN_TEST(test_invalid),
		SPAWN_TEST(test_refused),
		SPAWN_TEST(test_null),
		SPAWN_TEST(test_fresh_object),
		SPAWN_TEST(test_copies),
		SPAWN_TEST(test_exec_fails),
		SPAWN_TEST(test_exec_fails_watched),
		SPAWN_TEST(test_exec_fails_subreaper_caller),
		SPAWN_TEST(test_startup_exit),
		SPAWN_TEST(test_startup_signal),
		SPAWN_TEST(test_startup_exit_leaves_no_child),
		SPAWN_TEST(test_caller_child_spared),
		SPAWN_TEST(test_wait_success),
		SPAWN_TEST(test_notify_ready),
		SPAWN_TEST(test_notify_errno),
		SPAWN_TEST(test_notify_errno_eexist),
		SPAWN_TEST(test_notify_timeout),
		SPAWN_TEST(test_notify_timeout_sleeper),
		SPAWN_TEST(test_cancel_fd),
		SPAWN_TEST(test_notify_huge_timeout),
		SPAWN_TEST(test_test_mode),
		SPAWN_TEST(test_subreaper_kept),
		SPAWN_TEST(test_exec_in_place),
		SPAWN_TEST(test_exec_refused),
	};
	struct rlimit no_core = { 0, 0 };

	/* The SIGSEGV case must not leave a core file in the daemon's
	 * cwd (/); the limit is inherited. */
	setrlimit(RLIMIT_CORE, &no_core);
	return cmocka_run_group_tests_name("spawn", tests, NULL, NULL);
}
