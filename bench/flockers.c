/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-flockers DIR N
 *
 * Cheap stand-ins for N running daemons, for the status benchmark: forks N
 * children; child I creates DIR/dI.pid (mode 0644), takes an exclusive
 * flock on it, writes its PID and a newline into it (as daemon-start leaves
 * a pidfile) and sleeps. When all N are in place it prints "ready" on
 * stdout. On SIGTERM, SIGINT or SIGHUP it kills its children by PID, reaps
 * them, removes their pidfiles and exits 0. The children also die with it
 * (PR_SET_PDEATHSIG) if it is killed outright.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void holder(const char *path, int ready_fd, pid_t parent)
{
	char buf[32];
	int fd, len;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
		_exit(1);
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0 || ftruncate(fd, 0) < 0)
		_exit(1);
	len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, len) != len || write(ready_fd, "", 1) != 1)
		_exit(1);
	close(ready_fd);
	for (;;)
		pause();
}

static void kill_all(const char *dir, pid_t *kids, long n)
{
	char path[PATH_MAX];
	long i;

	for (i = 0; i < n; i++)
		if (kids[i] > 1)
			kill(kids[i], SIGKILL);
	for (i = 0; i < n; i++) {
		if (kids[i] <= 1)
			continue;
		while (waitpid(kids[i], NULL, 0) < 0 && errno == EINTR)
			;
		snprintf(path, sizeof(path), "%s/d%ld.pid", dir, i);
		unlink(path);
	}
}

int main(int argc, char **argv)
{
	char path[PATH_MAX], c;
	sigset_t set, old;
	pid_t *kids, self = getpid();
	long n, i, got = 0;
	int pfd[2], sig;
	ssize_t r;

	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) < 1 || n > 100000) {
		fprintf(stderr, "usage: bench-flockers DIR N (1..100000)\n");
		return 2;
	}
	kids = calloc(n, sizeof(*kids));
	if (!kids || pipe2(pfd, O_CLOEXEC) < 0) {
		perror("bench-flockers");
		return 1;
	}
	/* Block the stop signals before forking: no window where one is lost. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/d%ld.pid", argv[1], i);
		kids[i] = fork();
		if (kids[i] < 0) {
			perror("bench-flockers: fork");
			kill_all(argv[1], kids, i);
			return 1;
		}
		if (kids[i] == 0) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			close(pfd[0]);
			holder(path, pfd[1], self);
		}
	}
	close(pfd[1]);
	while (got < n) {
		r = read(pfd[0], &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got++;
	}
	if (got < n) {
		fprintf(stderr, "bench-flockers: only %ld of %ld holders started\n",
			got, n);
		kill_all(argv[1], kids, n);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	sigwait(&set, &sig);
	kill_all(argv[1], kids, n);
	return 0;
}
