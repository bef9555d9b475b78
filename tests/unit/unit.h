/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the cmocka unit tests share: cmocka's headers in the order it needs,
 * a scratch directory, and a way to run a case inside a private PID
 * namespace so that a bug can only ever reach the test's own processes. */
#ifndef DCTL_UNIT_H
#define DCTL_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A fresh directory under $TMPDIR or /tmp; removed by unit_rmtree(). */
static inline char *unit_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&dir, "%s/dctl-unit.XXXXXX", base) < 0)
		return NULL;
	if (!mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

static inline void unit_rmtree(char *dir)
{
	char *cmd;

	if (!dir)
		return;
	if (asprintf(&cmd, "rm -rf '%s'", dir) >= 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "# could not remove %s\n", dir);
		free(cmd);
	}
	free(dir);
}

/* End a child the test started, by its PID, and reap it. */
static inline void end_child(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* A PID that named a process (our child) a moment ago and names none now. */
static inline pid_t reaped_pid(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

/*
 * Run fn in a child that is PID 1 of a new PID namespace, and return its
 * exit status (0: passed), or 77 when namespaces are not available.
 * fn reports failure by returning non-zero; it must not use cmocka asserts.
 */
static inline int unit_in_pidns(int (*fn)(void *), void *arg)
{
	pid_t outer, inner;
	int status;

	outer = fork();
	if (outer < 0)
		return -1;
	if (outer == 0) {
		if (unshare(CLONE_NEWPID) < 0)
			_exit(77);
		inner = fork();
		if (inner < 0)
			_exit(1);
		if (inner == 0)
			_exit(fn(arg));
		if (waitpid(inner, &status, 0) < 0 || !WIFEXITED(status))
			_exit(1);
		_exit(WEXITSTATUS(status));
	}
	if (waitpid(outer, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#endif
