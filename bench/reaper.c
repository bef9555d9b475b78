/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-reaper MODE COMMAND [ARG...]
 *
 * Runs COMMAND as the child of a child subreaper, so that every daemon
 * COMMAND starts (and that detaches by forking) is reparented here rather
 * than to PID 1. MODE says what happens to those orphans when they exit:
 *
 *   prompt  reaped at once (a well-behaved init, or tini/dumb-init);
 *   never   left as zombies until this process exits (a container whose
 *           PID 1 is an application that never calls wait()).
 *
 * Exits with COMMAND's exit status (128+N if it was killed by signal N).
 * SIGINT, SIGTERM and SIGHUP are passed on to COMMAND, so that Ctrl-C or a
 * kill of this PID stops the benchmark it runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t child_pid;

static void forward(int sig)
{
	if (child_pid > 1)
		kill(child_pid, sig);
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/* Reap everything; return when the direct child has been reaped. */
static int reap_all(pid_t child)
{
	int status, code = 1;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			return code;
		if (pid == child)
			break;
	}
	code = exit_code(status);
	/* Orphans that already died are collected; live ones go to PID 1. */
	while (waitpid(-1, &status, WNOHANG) > 0)
		;
	return code;
}

/* Reap only the direct child: orphans stay zombies while we live. */
static int reap_child(pid_t child)
{
	int status;

	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	return exit_code(status);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	int prompt;
	pid_t pid;

	if (argc < 3 || (strcmp(argv[1], "prompt") && strcmp(argv[1], "never"))) {
		fprintf(stderr, "usage: bench-reaper prompt|never COMMAND [ARG...]\n");
		return 2;
	}
	prompt = !strcmp(argv[1], "prompt");
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		perror("bench-reaper: PR_SET_CHILD_SUBREAPER");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	pid = fork();
	if (pid < 0) {
		perror("bench-reaper: fork");
		return 1;
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "bench-reaper: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	child_pid = pid;
	return prompt ? reap_all(pid) : reap_child(pid);
}
