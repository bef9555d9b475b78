/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What test-limits and test-caps share: running a check in a forked child
 * (or in a daemon launched the way dctl_spawn() launches one, then exec'd
 * into a program whose output is captured), reading /proc, knowing our
 * own capabilities, and becoming "nobody".
 */
#ifndef DCTL_TEST_RESOURCES_H
#define DCTL_TEST_RESOURCES_H

#include "unit.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/prctl.h>

#include "launch.h"
#include "util.h"

/* Any check that waits gives up after this: a hang fails, it never blocks
 * the suite. */
#define RES_DEADLINE_MS 20000

/*
 * Run fn in a forked child and return its exit status: 0 when every
 * check passed, else the number of the first that failed (or 100 +
 * the signal that killed it). The child has RES_DEADLINE_MS to finish.
 */
static inline int res_in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		alarm(RES_DEADLINE_MS / 1000);
		_exit(fn(arg));
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		return 100 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* A /proc file of ours into buf; false if it cannot be read. */
static inline bool res_read(const char *path, char *buf, size_t size)
{
	return util_read_small(AT_FDCWD, path, buf, size) > 0;
}

/* The hexadecimal mask after "KEY:\t" in /proc/self/status. */
static inline bool res_status_mask(const char *key, uint64_t *mask)
{
	char buf[4096], *at, *end;
	size_t len = strlen(key);

	if (!res_read("/proc/self/status", buf, sizeof(buf)))
		return false;
	for (at = buf; (at = strstr(at, key)); at++) {
		if ((at == buf || at[-1] == '\n') && at[len] == ':') {
			*mask = strtoull(at + len + 1, &end, 16);
			return end != at + len + 1;
		}
	}
	return false;
}

/* Does this process hold capability cap in its effective set? */
static inline bool res_have_cap(int cap)
{
	uint64_t eff;

	return res_status_mask("CapEff", &eff) && (eff >> cap & 1);
}

/* "nobody" from the user database: our unprivileged user. */
static inline bool res_nobody(uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam("nobody");

	if (!pw || pw->pw_uid == 0)
		return false;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return true;
}

/*
 * In a forked child (one thread): become nobody, no groups, as if nobody
 * had started us. The switch made us undumpable, which hands our /proc
 * files to root; an unprivileged user's own process is dumpable, so that
 * it can write its /proc/self/oom_score_adj.
 */
static inline bool res_become_nobody(void)
{
	uid_t uid;
	gid_t gid;

	return res_nobody(&uid, &gid) && setgroups(0, NULL) == 0 &&
	       setgid(gid) == 0 && setuid(uid) == 0 &&
	       prctl(PR_SET_DUMPABLE, 1UL, 0UL, 0UL, 0UL) == 0;
}

/*
 * A daemon as dctl_spawn() makes one: launch_clone() runs setup(arg) in
 * a child sharing our memory; if that returns 0, the child's stdout
 * becomes a pipe and it execs argv (PATH not searched). The program's
 * output (up to size - 1 bytes, NUL-terminated) lands in out. Returns
 * the daemon's exit status (0 when the program ran and exited 0), 200 +
 * setup's non-zero result, or -1 if launching or waiting failed.
 *
 * Run it in a res_in_child() child: that child becomes the subreaper
 * the daemon is reparented to, so the daemon is reaped here and nothing
 * outlives the test.
 */
struct res_launch {
	int (*setup)(void *);
	void *arg;
	char *const *argv;
	int out_fd;
};

static inline int res_launch_daemon(void *p)
{
	const struct res_launch *l = p;
	char *const envp[] = { "PATH=/usr/bin:/bin", NULL };
	int r;

	r = l->setup(l->arg);
	if (r)
		return 200 + r;
	if (dup2(l->out_fd, 1) < 0)
		return 199;
	execve(l->argv[0], l->argv, envp);
	return 198;
}

static inline ssize_t res_read_until_eof(int fd, char *out, size_t size)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long long end = util_now_ms() + RES_DEADLINE_MS;
	size_t n = 0;
	ssize_t r;

	while (n < size - 1) {
		long long left = end - util_now_ms();

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return -1;
		r = read(fd, out + n, size - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
	return (ssize_t)n;
}

static inline int res_launch(int (*setup)(void *), void *arg,
			     char *const *argv, char *out, size_t size)
{
	struct res_launch l = { .setup = setup, .arg = arg, .argv = argv };
	int pfd[2], status = -1, code = -1;
	pid_t middle, pid;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL) < 0 ||
	    pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	l.out_fd = pfd[1];
	middle = launch_clone(-1, res_launch_daemon, &l, NULL);
	close(pfd[1]);
	if (middle < 0 || waitpid(middle, &status, 0) != middle ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		close(pfd[0]);
		return -1;
	}
	if (res_read_until_eof(pfd[0], out, size) < 0)
		out[0] = '\0';
	close(pfd[0]);
	/* The daemon, reparented to us when the middle child exited. */
	pid = waitpid(-1, &status, 0);
	if (pid > 0 && WIFEXITED(status))
		code = WEXITSTATUS(status);
	return code;
}

#endif
