/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The daemon recipe (APUE 13.3, daemon(7) "SysV daemons"), in one place,
 * used both by dctl_spawn() (daemon-start) and by dctl_daemonize().
 * Internal to the library.
 *
 * How a caller uses it:
 *
 *   1. In the original process, before forking: resolve everything that
 *      may allocate or consult NSS (recipe_resolve_user(), the program
 *      path, the environment), open the output files (before any privilege
 *      drop), lock the pidfile, and create a close-on-exec report pipe
 *      (pipe2(O_CLOEXEC)).
 *   2. pid = recipe_detach(report_write_end):
 *        > 0  original process: pid is the middle child. Close the write
 *             end, waitpid(pid) (it exits at once), then read records with
 *             recipe_report_read() until EOF: RECIPE_MSG_PID names the
 *             daemon, RECIPE_MSG_FAIL says which step failed and errno.
 *             With PR_SET_CHILD_SUBREAPER set beforehand, the daemon is
 *             reparented to the caller when the middle child exits.
 *          0  the daemon (grandchild: not a session leader, no
 *             controlling terminal).
 *        < 0  -errno: the first fork failed, nothing was started.
 *   3. In the daemon: recipe_apply(&r, &step). On failure write a
 *      RECIPE_MSG_FAIL record (recipe_report_fail()) and _exit(127).
 *      On success stdio is in place, everything but 0-2, r.keep_fd and
 *      r.keep_cloexec[] is closed, and the caller goes on (exec, or return
 *      to the program for dctl_daemonize()).
 *
 * recipe_apply() and recipe_detach() only make async-signal-safe calls, so
 * they are safe after fork() in a multithreaded caller.
 * The environment is not the recipe's business: dctl_spawn() passes its own
 * envp to execve(); dctl_daemonize() keeps the program's environment.
 */
#ifndef DCTL_RECIPE_H
#define DCTL_RECIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The steps of the recipe, for error reports. */
enum recipe_step {
	RECIPE_STEP_NONE = 0,
	RECIPE_STEP_FORK,	/* first fork (reported by recipe_detach) */
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
};

/* "setsid", "chdir", "execve", ... Never NULL. */
const char *recipe_step_str(enum recipe_step step);

#define RECIPE_KEEP_MAX 4

/* Resolved credentials for -c/--chuid (filled by recipe_resolve_user). */
struct recipe_user {
	uid_t uid;
	gid_t gid;
	int ngroups;			/* supplementary groups, for setgroups */
	gid_t *groups;			/* malloc'd; recipe_user_free() */
	char name[256];			/* USER, LOGNAME ("" if only numeric) */
	char home[4096];		/* HOME ("/" if unknown) */
};

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
	const struct recipe_user *user;	/* NULL: credentials unchanged */
};

/* Fill r with the defaults: /dev/null stdio, no fds kept, cwd "/", 022. */
void recipe_init(struct recipe *r);

/*
 * Fork, setsid() in the child, fork again (see the top of this file).
 * report_fd >= 0: the middle child writes RECIPE_MSG_PID with the daemon's
 * PID, or RECIPE_MSG_FAIL (RECIPE_STEP_SETSID/FORK2), there.
 * The middle child exits 0 once the daemon is forked, 1 if it failed.
 */
pid_t recipe_detach(int report_fd);

/*
 * The same two forks and report, for a daemon that is going to exec:
 * fn(arg) runs in the daemon (after its PID is reported) and ends in
 * execve() or returns the daemon's exit status (no _exit(): see
 * recipe.c). Neither child copies the caller's memory: both
 * are clone(CLONE_VM | CLONE_VFORK) children on a stack of their own, so
 * the caller is suspended until the daemon is past exec's point of no
 * return (the kernel may still be setting up the program) or has exited,
 * and the middle child is exiting (reap it). fn may only make system calls
 * and touch its own stack: no malloc, no stdio, no glibc wrapper that
 * acts on other threads (recipe_apply() keeps to that). It must not
 * communicate through memory either: under valgrind the children get
 * copies. Returns the middle child's PID or -errno.
 */
pid_t recipe_launch(int report_fd, int (*fn)(void *), void *arg);

/*
 * In the daemon: signals reset, descriptors sorted out, stdio, nice,
 * chroot, chdir, umask, credentials, the kept descriptor made inheritable,
 * in that order. Returns 0, or -errno with *failed the step (failed may be
 * NULL). Async-signal-safe.
 */
int recipe_apply(struct recipe *r, enum recipe_step *failed);

/*
 * The tail of recipe_apply(): nice, chroot, chdir, umask, credentials,
 * with nothing detached and stdio, signals and descriptors left alone.
 * For a program run in the caller's own process. 0 or -errno with *failed.
 */
int recipe_apply_identity(const struct recipe *r, enum recipe_step *failed);

/* The pieces of recipe_apply(), each usable on its own (and tested so). */

/* Every catchable signal to SIG_DFL, then an empty mask. 0 or -errno. */
int recipe_reset_signals(void);

/*
 * Close every descriptor >= 3 except the n in keep[] (any order).
 * close_range(2) where available, else a walk of /proc/self/fd, else a
 * loop up to the descriptor limit. 0 or -errno.
 */
int recipe_close_fds(const int *keep, size_t n);

/*
 * Parse USER[:GROUP] (names or numeric ids) and resolve it: uid, the
 * user's primary gid (or GROUP's), its supplementary groups (for a known
 * user name), name and home. Returns 0; -ENOENT (unknown user), -ESRCH
 * (unknown group), -EINVAL (empty or malformed), -errno.
 * May allocate: call it before forking.
 */
int recipe_resolve_user(const char *spec, struct recipe_user *u);
void recipe_user_free(struct recipe_user *u);

/*
 * Find a program as execvp(3) would: NAME containing '/' is used as is,
 * else each $PATH entry (default "/usr/local/bin:/usr/bin:/bin") is tried.
 * root (NULL: "/") is prefixed to the checks, for a chroot. The result
 * (without the root prefix) goes to buf. Returns 0, -ENOENT (not found),
 * -EACCES (found, but not an executable regular file), -ENAMETOOLONG.
 */
int recipe_find_program(const char *name, const char *root, char *buf,
			size_t size);

/* ------------------------------------------------ the report records */

enum recipe_msg_kind {
	RECIPE_MSG_PID = 1,	/* .pid: the daemon's PID (middle child) */
	RECIPE_MSG_FAIL,	/* .step failed with .err (errno, > 0) */
	RECIPE_MSG_READY,	/* for dctl_daemonize(): startup succeeded */
};

/* Fixed size, well under PIPE_BUF: each write is atomic. */
struct recipe_msg {
	int32_t kind;
	int32_t step;
	int32_t err;
	int32_t pid;
};

/* Write one record (async-signal-safe, retries EINTR). 0 or -errno. */
int recipe_report_write(int fd, const struct recipe_msg *m);

/* recipe_report_write() of { RECIPE_MSG_FAIL, step, err, getpid() }. */
int recipe_report_fail(int fd, enum recipe_step step, int err);

/*
 * Read one record, blocking. Returns 1 (a record in *m), 0 at EOF,
 * -EBADMSG for a short record, -errno.
 */
int recipe_report_read(int fd, struct recipe_msg *m);

#endif
