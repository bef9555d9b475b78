/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Creating a daemon, and the report pipe that tells its caller how that
 * went. Internal to the library.
 *
 * How a caller uses it:
 *
 *   1. In the original process, before forking: resolve everything that
 *      may allocate or consult NSS (creds_resolve(), the program path, the
 *      environment), open the output files (before any privilege drop),
 *      lock the pidfile, and create a close-on-exec report pipe
 *      (pipe2(O_CLOEXEC)).
 *   2. Fork the daemon, with launch_fork() for a program that goes on
 *      running its own code (dctl_daemonize()), or launch_clone() for one
 *      that is going to exec (dctl_spawn_start()). The middle child exits
 *      at once: reap it, then read records with launch_report_read()
 *      until EOF: LAUNCH_MSG_PID names the daemon, LAUNCH_MSG_FAIL says
 *      which step failed and errno. With PR_SET_CHILD_SUBREAPER set
 *      beforehand, the daemon is reparented to the caller when the middle
 *      child exits.
 *   3. In the daemon: recipe_apply() (recipe.h). On failure write a
 *      LAUNCH_MSG_FAIL record (launch_report_fail()) and end with 127.
 *
 * The daemon is a grandchild: not a session leader, no controlling
 * terminal. Everything the children run here is async-signal-safe.
 */
#ifndef DCTL_LAUNCH_H
#define DCTL_LAUNCH_H

#include <stdint.h>
#include <sys/types.h>

#include "recipe.h"

/*
 * Fork, setsid() in the child, fork again. Returns the middle child's PID
 * in the original process, 0 in the daemon, -errno if the first fork
 * failed (nothing was started). report_fd >= 0: the middle child writes
 * LAUNCH_MSG_FAIL (RECIPE_STEP_SETSID/FORK2) there, the daemon its
 * LAUNCH_MSG_PID. The middle child exits 0 once the daemon is forked, 1
 * if it failed.
 */
pid_t launch_fork(int report_fd);

/*
 * The same two forks and report, for a daemon that is going to exec:
 * fn(arg) runs in the daemon (after its PID is reported) and ends in
 * execve() or returns the daemon's exit status (no _exit(): see
 * launch.c). Neither child copies the caller's memory: both
 * are clone(CLONE_VM | CLONE_VFORK) children on a stack of their own, so
 * the caller is suspended until the daemon is past exec's point of no
 * return (the kernel may still be setting up the program) or has exited,
 * and the middle child is exiting (reap it). fn may only make system calls
 * and touch its own stack: no malloc, no stdio, no glibc wrapper that
 * acts on other threads (recipe_apply() keeps to that). It must not
 * communicate through memory either: under valgrind the children get
 * copies. Returns the middle child's PID or -errno.
 *
 * stacks NULL: the children's stacks are mapped for this launch only.
 * Else *stacks keeps them from one launch to the next (NULL at first),
 * their pages given back after each; launch_stacks_free() unmaps them.
 */
pid_t launch_clone(int report_fd, int (*fn)(void *), void *arg,
		   void **stacks);
void launch_stacks_free(void *stacks);

/* ------------------------------------------------ the report records */

enum launch_msg_kind {
	LAUNCH_MSG_PID = 1,	/* .pid: the daemon's PID */
	LAUNCH_MSG_FAIL,	/* .step failed with .err (errno, > 0) */
	LAUNCH_MSG_READY,	/* for dctl_daemonize(): startup succeeded */
};

/* Fixed size, well under PIPE_BUF: each write is atomic. */
struct launch_msg {
	int32_t kind;
	int32_t step;
	int32_t err;
	int32_t pid;
	int32_t item;		/* the recipe's .item for LIMITS and CAPS */
};

/* Write one record (async-signal-safe, retries EINTR). 0 or -errno. */
int launch_report_write(int fd, const struct launch_msg *m);

/* launch_report_write() of { LAUNCH_MSG_FAIL, step, err, getpid() }. */
int launch_report_fail(int fd, enum recipe_step step, int err);

/* The same, naming the item of a step that has several. */
int launch_report_fail_item(int fd, enum recipe_step step, int item,
			    int err);

/*
 * Read one record, blocking. Returns 1 (a record in *m), 0 at EOF,
 * -EBADMSG for a short record, -errno.
 */
int launch_report_read(int fd, struct launch_msg *m);

#endif
