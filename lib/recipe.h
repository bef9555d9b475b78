/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The daemon recipe (APUE 13.3, daemon(7) "SysV daemons"), in one place,
 * used both by dctl_spawn_start() (daemon-start) and by dctl_daemonize():
 * what the daemon does to itself once forked (launch.h), before it execs
 * or returns to its program. Internal to the library.
 *
 * In the daemon: recipe_apply(&r, &step). On success stdio is in place,
 * everything but 0-2, r.keep_fd and r.keep_cloexec[] is closed, and the
 * caller goes on (exec, or return to the program for dctl_daemonize()).
 * recipe_apply() only makes async-signal-safe calls, so it is safe after
 * fork() in a multithreaded caller, and in a launch_clone() child.
 * The environment is not the recipe's business: dctl_spawn_start() passes
 * its own envp to execve(); dctl_daemonize() keeps the program's.
 */
#ifndef DCTL_RECIPE_H
#define DCTL_RECIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "caps.h"
#include "creds.h"
#include "rlimits.h"

/* The steps of the recipe, for error reports. */
enum recipe_step {
	RECIPE_STEP_NONE = 0,
	RECIPE_STEP_FORK,	/* first fork (reported by launch_fork) */
	RECIPE_STEP_SETSID,
	RECIPE_STEP_FORK2,	/* second fork, in the middle child */
	RECIPE_STEP_SIGNALS,	/* dispositions to default, empty mask */
	RECIPE_STEP_FDS,	/* moving descriptors out of 0-2, closing */
	RECIPE_STEP_STDIO,	/* /dev/null, dup2 onto 0, 1, 2 */
	RECIPE_STEP_NICE,
	RECIPE_STEP_CHROOT,
	RECIPE_STEP_CHDIR,
	RECIPE_STEP_UMASK,
	RECIPE_STEP_SETGROUPS,
	RECIPE_STEP_SETGID,
	RECIPE_STEP_SETUID,
	RECIPE_STEP_KEEP_FD,	/* clearing FD_CLOEXEC on the lock */
	RECIPE_STEP_PIDFILE,	/* writing our PID through the lock (spawn) */
	RECIPE_STEP_EXEC,	/* execve (spawn) */
	RECIPE_STEP_READY,	/* free for the caller's own use (daemonize) */
	RECIPE_STEP_LIMITS,	/* limits, scheduling, OOM score (.item says) */
	RECIPE_STEP_CAPS,	/* capabilities, no_new_privs (.item says) */
};

/* "setsid", "chdir", "execve", ... Never NULL. */
const char *recipe_step_str(enum recipe_step step);

#define RECIPE_KEEP_MAX 4

struct recipe {
	/*
	 * Sources of the standard descriptors, opened by the caller (they may
	 * be close-on-exec and any number, even 0-2). -1: /dev/null, opened
	 * by recipe_apply() before any chroot.
	 */
	int stdin_fd;
	int stdout_fd;
	int stderr_fd;
	/*
	 * The one descriptor the program inherits across exec (the pidfile
	 * lock): kept open and its FD_CLOEXEC cleared. -1: none. recipe_apply()
	 * may renumber it (if it was 0-2) and stores the new number here.
	 */
	int keep_fd;
	/*
	 * Descriptors kept open but left close-on-exec (the report pipe).
	 * Renumbered like keep_fd if needed.
	 */
	int keep_cloexec[RECIPE_KEEP_MAX];
	size_t n_keep_cloexec;
	const char *chroot_path;	/* NULL: no chroot */
	const char *chdir_path;		/* NULL: "/" (inside the chroot) */
	mode_t umask;
	bool set_nice;
	int nice;			/* added with nice(2) */
	const struct creds *user;	/* NULL: credentials unchanged */
	const struct limits_plan *limits;	/* NULL: none */
	const struct caps_plan *caps;		/* NULL: none */
	/*
	 * The signals to reset, as recipe_disposed_signals() gives them,
	 * for a caller whose dispositions do not change between launches
	 * (a supervisor, which ignores or catches nothing new once its loop
	 * runs): known false, and the daemon reads them itself.
	 */
	bool signals_known;
	uint64_t signals;
	int item;		/* out: what of LIMITS or CAPS failed */
};

/* Fill r with the defaults: /dev/null stdio, no fds kept, cwd "/", 022. */
void recipe_init(struct recipe *r);

/*
 * In the daemon: signals reset, descriptors sorted out, stdio, limits
 * and scheduling, nice, chroot, chdir, umask, credentials with the
 * capabilities kept around the switch, the kept descriptor made
 * inheritable, in that order. Returns 0, or -errno with *failed the step (failed may be
 * NULL). Async-signal-safe.
 */
int recipe_apply(struct recipe *r, enum recipe_step *failed);

/*
 * The tail of recipe_apply(): nice, chroot, chdir, umask, credentials and
 * the kept descriptor made inheritable, with nothing detached and stdio,
 * signals and other descriptors left alone: for a program run in the
 * caller's own process. 0 or -errno with *failed.
 */
int recipe_apply_identity(struct recipe *r, enum recipe_step *failed);

/* The pieces of recipe_apply(), each usable on its own (and tested so). */

/* Every catchable signal to SIG_DFL, then an empty mask. 0 or -errno. */
int recipe_reset_signals(void);

/*
 * The signals ignored or caught in this process (bit n-1 for signal n,
 * all of them if that cannot be read): the ones a reset must touch.
 */
uint64_t recipe_disposed_signals(void);

/*
 * Close every descriptor >= 3 except the n in keep[] (any order).
 * close_range(2) where available, else a walk of /proc/self/fd, else a
 * loop up to the descriptor limit. 0 or -errno.
 */
int recipe_close_fds(const int *keep, size_t n);

#endif
