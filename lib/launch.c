/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Creating the daemon: the two forks (or clones) that put it in a session
 * of its own without a terminal, and the report pipe its caller learns
 * the outcome from. launch_clone()'s children share the caller's memory
 * until exec, so that a start copies no page tables and its daemon's exec
 * tears none down; what they run must touch nothing but their own stacks.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "launch.h"

/* ------------------------------------------------------------- reports */

int launch_report_write(int fd, const struct launch_msg *m)
{
	ssize_t n;

	do
		n = write(fd, m, sizeof(*m));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* A pipe write this small is atomic: a short one means trouble. */
	return n == (ssize_t)sizeof(*m) ? 0 : -EIO;
}

int launch_report_fail(int fd, enum recipe_step step, int err)
{
	struct launch_msg m = {
		.kind = LAUNCH_MSG_FAIL,
		.step = step,
		.err = err,
		.pid = getpid(),
	};

	return launch_report_write(fd, &m);
}

int launch_report_read(int fd, struct launch_msg *m)
{
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(*m)) {
		n = read(fd, (char *)m + got, sizeof(*m) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return got == 0 ? 0 : -EBADMSG;
		got += (size_t)n;
	}
	return 1;
}

/* -------------------------------------------------------------- detach */

pid_t launch_fork(int report_fd)
{
	struct launch_msg m = { .kind = LAUNCH_MSG_PID };
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		return pid;

	/* The middle child: a new session, without a terminal... */
	if (setsid() < 0) {
		if (report_fd >= 0)
			launch_report_fail(report_fd, RECIPE_STEP_SETSID, errno);
		_exit(1);
	}
	/* ...and a second fork, so the daemon is not the session leader
	 * and can never acquire a controlling terminal by opening one. */
	pid = fork();
	if (pid < 0) {
		if (report_fd >= 0)
			launch_report_fail(report_fd, RECIPE_STEP_FORK2, errno);
		_exit(1);
	}
	if (pid > 0)
		_exit(0);

	/* The daemon names itself first, so its PID precedes any failure. */
	m.pid = getpid();
	if (report_fd >= 0)
		launch_report_write(report_fd, &m);
	return 0;
}

/* -------------------------------------------------------------- launch */

/* Each child's stack; a guard page at its low end. Ample for the recipe
 * (two 4 KiB buffers deep at most), also under the sanitizers. */
#define LAUNCH_STACK	(128 * 1024)

struct launch {
	int report_fd;
	int (*fn)(void *);
	void *arg;
	char *daemon_stack;	/* top of the daemon's stack */
};

/*
 * The children end by returning: clone() then exits with the value. No
 * _exit(), as a noreturn call on a stack of our own makes AddressSanitizer
 * warn, on the caller's stderr.
 */
static int launch_daemon(void *p)
{
	const struct launch *l = p;
	struct launch_msg m = { .kind = LAUNCH_MSG_PID };

	m.pid = getpid();
	if (l->report_fd >= 0)
		launch_report_write(l->report_fd, &m);
	return l->fn(l->arg);
}

static int launch_middle(void *p)
{
	const struct launch *l = p;

	if (setsid() < 0) {
		if (l->report_fd >= 0)
			launch_report_fail(l->report_fd, RECIPE_STEP_SETSID,
					   errno);
		return 1;
	}
	/* Returns once the daemon has exec'd or exited (CLONE_VFORK), so
	 * that our exit releases the caller only then. */
	if (clone(launch_daemon, l->daemon_stack,
		  CLONE_VM | CLONE_VFORK | SIGCHLD, p) < 0) {
		if (l->report_fd >= 0)
			launch_report_fail(l->report_fd, RECIPE_STEP_FORK2,
					   errno);
		return 1;
	}
	return 0;
}

/*
 * Block every signal, the C library's own included (a handler must never
 * run in a child on the caller's memory); the daemon's recipe unblocks
 * them once their dispositions are back to default. Raw, because
 * sigprocmask() leaves glibc's internal signals out.
 */
static int block_all(unsigned char *old)
{
	unsigned char all[NSIG / 8 + 8];

	memset(all, 0xff, sizeof(all));
	if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, all, old, NSIG / 8) < 0)
		return -errno;
	return 0;
}

/* Did the middle child die of a signal? It is exiting (it has released
 * us); WNOWAIT leaves it for the caller to reap. */
static bool middle_was_killed(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0)
		if (errno != EINTR)
			return false;
	return si.si_code != CLD_EXITED;
}

pid_t launch_clone(int report_fd, int (*fn)(void *), void *arg)
{
	struct launch l = { .report_fd = report_fd, .fn = fn, .arg = arg };
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char old[NSIG / 8 + 8];
	char *mem;
	pid_t pid;
	int e, cancel;

	/* The children share this thread's cancellation state too: a
	 * pthread_cancel() meanwhile must not unwind the caller's cleanup
	 * handlers inside the daemon. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	mem = mmap(NULL, 2 * LAUNCH_STACK, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (mem == MAP_FAILED) {
		e = -errno;
		pthread_setcancelstate(cancel, NULL);
		return e;
	}
	if (mprotect(mem, page, PROT_NONE) < 0 ||
	    mprotect(mem + LAUNCH_STACK, page, PROT_NONE) < 0) {
		e = -errno;
		goto out;
	}
	/* Stacks grow down on every Linux architecture but PA-RISC. */
	l.daemon_stack = mem + LAUNCH_STACK;
	if ((e = block_all(old)))
		goto out;
	pid = clone(launch_middle, mem + 2 * LAUNCH_STACK,
		    CLONE_VM | CLONE_VFORK | SIGCHLD, &l);
	e = pid < 0 ? -errno : pid;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, old, NULL, NSIG / 8);
	if (pid > 0 && middle_was_killed(pid)) {
		/* A SIGKILL ends the middle's wait early, and the daemon may
		 * still be running on its stack: leave the stacks mapped. */
		pthread_setcancelstate(cancel, NULL);
		return e;
	}
out:
	pthread_setcancelstate(cancel, NULL);
	munmap(mem, 2 * LAUNCH_STACK);
	return e;
}
