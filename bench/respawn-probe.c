/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The supervised program of bench/supervise, and two small tools it needs.
 *
 *   respawn-probe [CONF]
 *	As a service: the first thing main() does is note CLOCK_MONOTONIC
 *	("start NS PID LIFE") in the log named by CONF (default
 *	./probe.conf, for supervisors that run ./run without arguments);
 *	then it lives LIFE ms, notes the time again ("exit NS PID LIFE") and
 *	_exits 1. While the file named `idle` exists it sleeps instead,
 *	until a signal ends it.
 *	CONF lines: "log PATH", "life MS", "idle PATH".
 *   respawn-probe stoptime PID CMD [ARG...]
 *	Run CMD, wait until it has returned AND PID has exited (pidfd,
 *	event-driven), print the milliseconds that took, and whether PID was
 *	already gone when CMD returned.
 *   respawn-probe waitgone PID MS
 *	Wait up to MS for PID to exit; exit 0 if it did.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void note(const char *log, const char *what, long long t, long life)
{
	char line[96];
	int fd, n;

	n = snprintf(line, sizeof(line), "%s %lld %d %ld\n", what, t,
		     (int)getpid(), life);
	fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) != n)
		n = -1;
	close(fd);
}

struct conf {
	char log[512];
	char idle[512];
	long life_ms;
};

static int read_conf(const char *path, struct conf *c)
{
	char line[600];
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	memset(c, 0, sizeof(*c));
	c->life_ms = 1500;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "log ", 4))
			snprintf(c->log, sizeof(c->log), "%s", line + 4);
		else if (!strncmp(line, "idle ", 5))
			snprintf(c->idle, sizeof(c->idle), "%s", line + 5);
		else if (!strncmp(line, "life ", 5))
			c->life_ms = atol(line + 5);
	}
	fclose(f);
	return c->log[0] ? 0 : -1;
}

static int service(const char *conf_path, long long t0)
{
	struct timespec life;
	struct conf c;

	if (read_conf(conf_path, &c) < 0)
		return 2;
	note(c.log, "start", t0, c.life_ms);
	if (c.idle[0] && access(c.idle, F_OK) == 0)
		for (;;)
			pause();
	life.tv_sec = c.life_ms / 1000;
	life.tv_nsec = (c.life_ms % 1000) * 1000000L;
	nanosleep(&life, NULL);
	note(c.log, "exit", mono_ns(), c.life_ms);
	_exit(1);
}

static int pidfd_of(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* 1 once the process behind pidfd has exited, 0 on timeout. */
static int gone(int pidfd, int ms)
{
	struct pollfd p = { pidfd, POLLIN, 0 };

	return poll(&p, 1, ms) == 1;
}

static int stoptime(pid_t pid, char **cmd)
{
	int pidfd = pidfd_of(pid), status, was_gone;
	long long t0, t1;
	pid_t c;

	if (pidfd < 0) {
		fprintf(stderr, "stoptime: pid %d: %s\n", (int)pid,
			strerror(errno));
		return 2;
	}
	t0 = mono_ns();
	c = fork();
	if (c == 0) {
		/* Its chatter would mix with our one line. */
		dup2(open("/dev/null", O_WRONLY), 1);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	waitpid(c, &status, 0);
	was_gone = gone(pidfd, 0);
	if (!was_gone && !gone(pidfd, 30000)) {
		fprintf(stderr, "stoptime: pid %d still alive\n", (int)pid);
		return 1;
	}
	t1 = mono_ns();
	printf("%.3f %s %d\n", (t1 - t0) / 1e6,
	       was_gone ? "gone-at-return" : "gone-after-return",
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	return 0;
}

int main(int argc, char **argv)
{
	long long t0 = mono_ns();
	struct stat st;

	if (argc >= 4 && !strcmp(argv[1], "stoptime"))
		return stoptime((pid_t)atoi(argv[2]), argv + 3);
	if (argc == 4 && !strcmp(argv[1], "waitgone")) {
		int fd = pidfd_of((pid_t)atoi(argv[2]));

		return fd >= 0 && gone(fd, atoi(argv[3])) ? 0 : 1;
	}
	/* s6-supervise passes the service directory: not a CONF. */
	if (argc > 1 && stat(argv[1], &st) == 0 && S_ISREG(st.st_mode))
		return service(argv[1], t0);
	return service("probe.conf", t0);
}
