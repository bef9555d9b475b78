/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-exectime [-n RUNS] [-w WARMUP] [-s SETTLE_MS] PROGRAM \
 *     NAME PIDFILE COMMAND [ARG...] ::: NAME PIDFILE COMMAND [ARG...]
 *
 * Times two commands that each start PROGRAM as a daemon with a pidfile,
 * alternating them run by run (A B A B ...), and prints one line per timed
 * run:  NAME RETURNED_NS RUNNING_NS
 *
 *   RETURNED  from just before posix_spawnp() of COMMAND until waitpid()
 *             reports that it exited with status 0;
 *   RUNNING   from the same point until the daemon is seen really running
 *             PROGRAM: PIDFILE holds a PID and a newline, and readlink of
 *             /proc/PID/exe gives PROGRAM's real path.
 *
 * The check starts once COMMAND has returned, whatever the tool, and is
 * repeated without sleeping until it holds (at most 5 s, then the run
 * fails), so a daemon that exec'd before its starter returned is seen at
 * the first check, and one still on its way is seen within one check (an
 * open, read, close and readlink: a few microseconds) of its exec.
 *
 * After each run the daemon is killed through a pidfd (no PID reuse race),
 * waited for until it has exited, its pidfile removed, and the machine is
 * left idle SETTLE_MS milliseconds (default 5) before the next run. Orphans
 * are not reaped here: run this under bench-reaper, as bench/run does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct tool {
	const char *name;
	const char *pidfile;
	char **argv;
};

static char program[PATH_MAX];

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench-exectime: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The PID in PIDFILE if it is complete (digits, then a newline), else 0. */
static pid_t pidfile_pid(const char *path)
{
	char buf[32];
	ssize_t n;
	long v;
	char *end;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 1 || buf[n - 1] != '\n')
		return 0;
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	if (*end != '\n' || v <= 1 || v > INT_MAX)
		return 0;
	return (pid_t)v;
}

/* The daemon's PID once PIDFILE names a process running PROGRAM, else 0. */
static pid_t running(const char *pidfile)
{
	char link[64], exe[PATH_MAX];
	ssize_t n;
	pid_t pid;

	pid = pidfile_pid(pidfile);
	if (!pid)
		return 0;
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	if (n < 0)
		return 0;
	exe[n] = '\0';
	return strcmp(exe, program) ? 0 : pid;
}

/* Kill the daemon we saw running, wait until it has exited. */
static void end_daemon(pid_t pid, const char *pidfile)
{
	struct pollfd p = { .events = POLLIN };

	p.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (p.fd < 0)
		die("pidfd_open");
	/* Still PROGRAM from our pidfile? Then the pidfd names our daemon. */
	if (running(pidfile) != pid) {
		errno = ESRCH;
		die("the daemon went away by itself");
	}
	if (syscall(SYS_pidfd_send_signal, p.fd, SIGKILL, NULL, 0) < 0)
		die("pidfd_send_signal");
	while (poll(&p, 1, 5000) < 0)
		if (errno != EINTR)
			die("poll");
	close(p.fd);
	unlink(pidfile);
}

static void one_run(const struct tool *t, int report)
{
	long long t0, t1, t2, deadline;
	int status;
	pid_t pid, d;

	unlink(t->pidfile);
	t0 = now_ns();
	errno = posix_spawnp(&pid, t->argv[0], NULL, NULL, t->argv, environ);
	if (errno)
		die(t->argv[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	t1 = now_ns();
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench-exectime: %s failed (status %#x)\n",
			t->argv[0], status);
		exit(1);
	}
	deadline = t1 + 5000000000LL;
	while (!(d = running(t->pidfile))) {
		if (now_ns() > deadline) {
			fprintf(stderr, "bench-exectime: %s: %s never named a "
				"running %s\n", t->name, t->pidfile, program);
			exit(1);
		}
	}
	t2 = now_ns();
	if (report)
		printf("%s %lld %lld\n", t->name, t1 - t0, t2 - t0);
	end_daemon(d, t->pidfile);
}

static void settle(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* NAME PIDFILE COMMAND...: fill T, return the index after its words. */
static int parse_tool(struct tool *t, int argc, char **argv, int i)
{
	if (argc - i < 3) {
		fprintf(stderr, "bench-exectime: NAME PIDFILE COMMAND expected\n");
		exit(2);
	}
	t->name = argv[i];
	t->pidfile = argv[i + 1];
	t->argv = &argv[i + 2];
	for (i += 2; i < argc && strcmp(argv[i], ":::"); i++)
		;
	if (i < argc)
		argv[i++] = NULL;	/* ends the first command's argv */
	return i;
}

int main(int argc, char **argv)
{
	struct tool tools[2];
	long runs = 100, warm = 3, ms = 5, r;
	int opt, i, k;

	while ((opt = getopt(argc, argv, "+n:w:s:")) != -1) {
		switch (opt) {
		case 'n': runs = atol(optarg); break;
		case 'w': warm = atol(optarg); break;
		case 's': ms = atol(optarg); break;
		default: return 2;
		}
	}
	if (optind >= argc || runs < 1 || warm < 0 || ms < 0) {
		fprintf(stderr, "usage: bench-exectime [-n RUNS] [-w WARMUP] "
			"[-s SETTLE_MS] PROGRAM NAME PIDFILE COMMAND... ::: "
			"NAME PIDFILE COMMAND...\n");
		return 2;
	}
	if (!realpath(argv[optind], program))
		die(argv[optind]);
	i = parse_tool(&tools[0], argc, argv, optind + 1);
	i = parse_tool(&tools[1], argc, argv, i);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (r = 0; r < warm + runs; r++) {
		for (k = 0; k < 2; k++) {
			/* Odd rounds put the second tool first. */
			one_run(&tools[(k + r) % 2], r >= warm);
			settle(ms);
		}
	}
	return 0;
}
