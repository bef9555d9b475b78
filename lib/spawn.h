/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the files of a start share (internal to the library): the object
 * behind struct dctl_spawn, the state of one start, and the entry points
 * of each step. spawn.c strings the steps together:
 *
 *   validate.c   options, directories, program (execpath.c), user (creds.c)
 *   startlock.c  the pidfile lock, or --forking's start lock
 *   outfile.c    the output files, opened before any privilege drop
 *   env.c        the program's environment
 *   launch.c     the daemon created, the recipe applied (recipe.c), exec
 *   resources.c  limits, scheduling, group, capabilities, env files
 *   output.c     syslog, rotation, timestamps: the log keeper's options
 *   ready.c      --wait, sd_notify READY=1, --forking, MAINPID=
 *   children.c   a failed start's processes killed and swept up
 *   respawn.c    --respawn: the supervisor forked, the first start made
 *                in it, the restarts (the loop itself is supervise.c)
 *
 * An option is a field of struct spawn_opts and a setter in spawn.c; the
 * step that uses it reads it through struct spawn's o.
 */
#ifndef DCTL_SPAWN_H
#define DCTL_SPAWN_H

#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "caps.h"
#include "creds.h"
#include "daemonctl.h"
#include "envfile.h"
#include "notify.h"
#include "proc.h"
#include "rlimits.h"
#include "supervise.h"

/* An --env-file, read after the first `after` entries of env. */
struct spawn_env_file {
	char *path;
	size_t after;
};

/* The options of a start, each a copy the object owns. */
struct spawn_opts {
	char *pidfile;
	char *program;			/* as given: path or name */
	char **argv;			/* NULL: { program, NULL } */
	char *chdir_path;		/* NULL: "/" */
	mode_t umask;
	char *stdout_path;		/* NULL: /dev/null */
	char *stderr_path;
	char **env;			/* NAME=VALUE..., NULL-terminated */
	size_t n_env;
	char *user;			/* USER[:GROUP], NULL: unchanged */
	char *chroot_path;
	int nice;
	bool set_nice;
	/* The daemon's resources and privileges: plans the recipe applies
	 * on every launch. */
	struct limits_plan limits;
	struct caps_plan caps;
	char *group;			/* -g/--group, NULL: unchanged */
	struct spawn_env_file *env_files;
	size_t n_env_files;
	bool clear_env;
	/* Output through the log keeper (output.c). */
	bool syslog;
	int syslog_facility;		/* LOG_ value, shifted */
	char *syslog_tag;		/* NULL: the program's base name */
	uint64_t output_max_size;	/* 0: no rotation */
	unsigned int output_keep;
	bool output_keep_set;
	bool timestamps;
	enum dctl_ready ready;
	unsigned int wait_ms;		/* alive this long after exec */
	unsigned int timeout_ms;	/* notify/forking limit; 0: default */
	/* --respawn: the policy (SV_RESPAWN_NONE: none) and its backoff;
	 * respawn_tuned once any of its settings was given. */
	struct backoff_cfg respawn;
	bool respawn_tuned;
	bool test;
	int cancel_fd;			/* readable: give up; -1: none */
	dctl_log_fn log;
	void *log_data;
};

/* What the last start (or refused setting) found. */
struct spawn_result {
	pid_t pid;			/* the daemon, or -EEXIST's holder */
	char instance[DCTL_UUID_LEN];	/* DAEMON_INSTANCE_ID */
	enum dctl_spawn_stage stage;	/* on failure */
	int error;			/* errno of the failed step, or 0 */
	int exit_status;		/* -1 unless it exited */
	int term_signal;		/* 0 unless it was killed */
	char *detail;			/* malloc'd, NULL: "" */
	pid_t supervisor;		/* with --respawn, once started */
};

struct dctl_spawn {
	struct spawn_opts o;
	struct spawn_result res;
};

/* The state of one start, from validation to release. */
struct spawn {
	const struct spawn_opts *o;
	struct spawn_result *res;
	char *program;			/* resolved, inside any chroot */
	char *chdir_buf;		/* a relative --chdir made absolute */
	const char *chdir_path;
	char *default_argv[2];
	char *const *argv;
	struct envfile_env env;		/* env.vars: the program's envp */
	struct creds user;
	bool have_user;			/* --chuid */
	bool have_creds;		/* user switched to: --chuid or -g */
	int out_fd, err_fd;
	struct dctl_pidfile *pf;
	struct notify_sock ns;
	int pipe_rd, pipe_wr;
	bool subreaper;
	int prev_subreaper;
	pid_t daemon;			/* the process we watch, our child */
	pid_t sid;			/* its session: the middle child */
	int main_fd;			/* pidfd of a MAINPID=, or -1 */
	int lock_fd;			/* --forking: the locked PIDFILE.lock */
	bool running;			/* failed as already running */
	pid_t *mine;			/* the caller's children before */
	size_t n_mine;
	unsigned long long fork_ticks;	/* boot-time clock ticks at the fork */
	int pidfd;
	bool reaped;
	bool restart;			/* a supervisor's restart, not a start */
	void *stacks;			/* a supervisor's launches' (launch.h) */
	bool signals_known;		/* a supervisor's dispositions, */
	uint64_t signals;		/* read once (recipe.h) */
	bool keep_ns;			/* the supervisor keeps the socket */
	struct output_keep *keep;	/* the log keepers, for every run */
	unsigned timeout_ms;
	char ebuf[128];			/* spawn_errstr()'s text */
	char span_buf[32];		/* spawn_span()'s text */
};

/* --------------------------------------------------------- spawn.c */

/* Record a failure (stage, errno, one-line detail) and return -err. */
int spawn_fail(struct spawn *s, enum dctl_spawn_stage stage, int err,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A setter's refusal: -EINVAL, and the reason for get_detail(). */
int spawn_refuse(struct dctl_spawn *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Replace res->detail with the text (kept as it was if out of memory). */
void spawn_set_detail(struct spawn_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The text of errno err, thread-safely (strerror() is not), in s->ebuf or
 * static. Every message names one error, so one buffer per start is
 * enough.
 */
#define spawn_errstr(s, err) util_strerror((err), (s)->ebuf, sizeof((s)->ebuf))

/*
 * A duration for a message: "300 ms" below a second (where whole seconds
 * would say "0 s"), else "2 s" or "2.5 s". One per message, like
 * spawn_errstr().
 */
const char *spawn_span(struct spawn *s, unsigned ms);

#define spawn_log(s, level, ...) \
	util_log((s)->o->log, (s)->o->log_data, level, __VA_ARGS__)

/* Does the start watch the daemon after exec (--wait, notify, forking)? */
bool spawn_watches(const struct spawn_opts *o);

/* waitpid(pid), retrying EINTR. 0 or -errno. */
int spawn_reap(pid_t pid, int *status);

/* A setter's refusal: -EINVAL, and the reason for get_detail(). */
int spawn_refuse(struct dctl_spawn *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The steps of a start after validation: lock, output files, environment,
 * launch, readiness. 0 or -errno, with the failure recorded; either way
 * spawn_release() (or, for a supervisor, spawn_release_run()) follows.
 */
int spawn_steps(struct spawn *s);

/*
 * What one run holds (pipes, output files, environment, the notification
 * socket unless keep_ns), released; the pidfile and the user stay.
 */
void spawn_release_run(struct spawn *s);

/* What validation resolved (user, program, directory), freed. */
void spawn_free_resolved(struct spawn *s);

/*
 * The end of a start: a failed one kills what it started and removes the
 * pidfile, a good one closes the caller's copy of it; then everything.
 */
void spawn_release(struct spawn *s, bool failed);

/* Fresh per-run state (no descriptor, no environment) for another run. */
void spawn_reset_run(struct spawn *s);

/* ------------------------------------------------------- respawn.c */

/* The respawn settings, consistent with each other and the start's. */
int respawn_validate(struct spawn *s);

/*
 * A supervised start: fork the supervisor, which makes the first start
 * and reports it; the caller's result is that report. 0 or -errno.
 */
int respawn_start(struct spawn *s);

/* ------------------------------------------------------- validate.c */

/* The options, program, directories and user, before anything is done. */
int validate_start(struct spawn *s);

/* The same but the pidfile, which a program run in place may go without. */
int validate_exec(struct spawn *s);

/* ------------------------------------------------------ startlock.c */

/*
 * Take the pidfile's lock (or, with --forking, the start lock and the
 * stale file's removal); in test mode only see whether it runs.
 */
int startlock_take(struct spawn *s);

/* A failed --forking start: remove a pidfile its program wrote for a
 * process that is gone now. */
void startlock_forking_cleanup(struct spawn *s);

/* How often --forking looks at the pidfile, or the start lock, meanwhile. */
#define FORKING_POLL_MS 10

/* ------------------------------------------------------- outfile.c */

/* Open --stdout / --stderr for the daemon (in test mode: check only). */
int outfile_open_all(struct spawn *s);

/* ----------------------------------------------------------- env.c */

/*
 * Is entry a NAME=VALUE the daemon may be given? 0, or -EINVAL with the
 * reason in res->detail.
 */
int env_check_entry(struct spawn_result *res, const char *entry);

/* s->env: the caller's environment (or, with --clear-env, a default
 * PATH), the -e entries and --env-files in their order, and ours. */
int env_build(struct spawn *s);

/* Can this --env-file be read and used? 0, or -errno with the reason in
 * res->detail. */
int env_check_file(struct spawn_result *res, const char *path);

/* Free a vector of malloc'd strings and the vector (NULL: nothing). */
void env_free(char **v);

/* ----------------------------------------------------- resources.c */

/* -g/--group resolved, --capabilities checked against the user switch. */
int resources_validate(struct spawn *s);

/*
 * A daemon's report that a step of several items failed (limits,
 * capabilities) or that -g/--group's switch did: the failure recorded,
 * naming the option, and true; false for any other step.
 */
bool resources_failed(struct spawn *s, int step, int item, int err);

/* Free what the options of this file own. */
void resources_free(struct spawn_opts *o);

/* -------------------------------------------------------- output.c */

/*
 * Does the program's output go through a log keeper (syslog, rotation,
 * timestamps) rather than straight to its files?
 */
bool output_kept(const struct spawn_opts *o);

/* The log keeper's options checked together, before anything is done. */
int output_validate(struct spawn *s);

/* Free what the options of this file own. */
void output_free(struct spawn_opts *o);

/*
 * The log keepers (NULL s->keep when none is needed, and in test mode):
 * their sinks opened (the file, or the syslog socket: none listening is a
 * start failure) and a pipe for each kept stream, made once, before the
 * first run, so that every run writes into the same channel. 0 or -errno,
 * the failure recorded.
 */
int output_open(struct spawn *s);

/* For a run: a descriptor on the pipe of the program's stdout (err
 * false) or stderr, or -1 if that stream is not kept. -errno on failure. */
int output_run_fd(struct spawn *s, bool err);

/* The keepers in the supervisor's loop (struct supervise_ops). */
int output_pollfds(struct spawn *s, struct pollfd *pfd);
int output_timeout(struct spawn *s);
int output_dispatch(struct spawn *s, const struct pollfd *pfd, int n);
/* A run was reaped / a new run started as pid. */
void output_end_run(struct spawn *s);
void output_set_pid(struct spawn *s, pid_t pid);

/*
 * The end: the pipes' write ends closed, what the program left delivered
 * (for at most drain_ms), the keepers freed. Nothing to do without them.
 */
void output_close(struct spawn *s, int drain_ms);

/* How long the end of supervision, and a failed start, wait for the
 * keeper to write what the program left (the pipes reach EOF at once
 * unless processes it left behind hold them). */
#define SPAWN_DRAIN_MS		5000
#define SPAWN_DRAIN_FAILED_MS	1000

/* -------------------------------------------------------- launch.c */

/* Fork the daemon through the recipe; learn its PID and whether exec
 * succeeded. */
int launch_start(struct spawn *s);

/* The recipe's identity steps in the caller itself, then exec: returns
 * only on failure. */
int launch_exec_here(struct spawn *s);

/* --------------------------------------------------------- ready.c */

/* PR_SET_CHILD_SUBREAPER for a watched start, and back. */
void ready_set_subreaper(struct spawn *s);
void ready_restore_subreaper(struct spawn *s);

/* Watch the daemon until it counts as started, or fail. */
int ready_watch(struct spawn *s);

/* ------------------------------------------------------ children.c */

/* Note the caller's children before the fork, never to be touched. */
void children_record(struct spawn *s);

/* The boot-time clock in the clock ticks of /proc/PID/stat. */
unsigned long long children_clock(void);

/* Was pid a child of the caller's before the start? */
bool children_was_mine(const struct spawn *s, pid_t pid);

/*
 * Is this child of ours (ps: its stat) a process of this start: in the
 * daemon's session, or started since the fork with its instance id?
 */
bool children_of_this_start(struct spawn *s, pid_t pid,
			    const struct proc_stat *ps);

/* A failed start: kill and reap what it started, leave nothing. */
void children_kill_all(struct spawn *s);

#endif
