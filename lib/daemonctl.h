/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * daemonctl.h - run programs as detached daemons and control them through
 * flock-ed pidfiles and signals.
 *
 * Conventions, for every function below:
 *  - a negative errno value is returned on failure (-EEXIST, -EINVAL, ...),
 *    zero (or a documented non-negative value) on success;
 *  - nothing here prints, exits or aborts: diagnostics go to an optional log
 *    callback, and the caller decides what to tell the user;
 *  - there is no global state: every call works on what it is given, so
 *    distinct handles may be used from distinct threads;
 *  - every descriptor the library opens is close-on-exec, except the pidfile
 *    lock that a daemon started by dctl_spawn_start() inherits.
 */
#ifndef DAEMONCTL_H
#define DAEMONCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define DCTL_EXPORT __attribute__((visibility("default")))
#else
#define DCTL_EXPORT
#endif

/* Longest path the status record carries (exe); longer ones are cut. */
#define DCTL_PATH_MAX 4096
/* A pidfile larger than this is malformed (SPEC 2). */
#define DCTL_PIDFILE_MAX 64
/* A UUID in its 36-character text form, plus the NUL. */
#define DCTL_UUID_LEN 37

/* ---------------------------------------------------------------- logging */

/* Levels are syslog's (LOG_ERR .. LOG_DEBUG). */
enum dctl_log_level {
	DCTL_LOG_ERR = 3,
	DCTL_LOG_WARNING = 4,
	DCTL_LOG_NOTICE = 5,
	DCTL_LOG_INFO = 6,
	DCTL_LOG_DEBUG = 7,
};

typedef void (*dctl_log_fn)(void *userdata, int level, const char *msg);

/* ---------------------------------------------------------------- pidfile */

/* Why a pidfile's content was refused by the strict reader (SPEC 2). */
enum dctl_pid_fault {
	DCTL_PID_OK = 0,
	DCTL_PID_EMPTY,		/* no bytes at all */
	DCTL_PID_NOT_NUMBER,	/* does not start with a digit */
	DCTL_PID_ZERO_OR_ONE,	/* 0 or 1: never a daemon */
	DCTL_PID_OUT_OF_RANGE,	/* above pid_max, or overflows */
	DCTL_PID_TRAILING,	/* anything after the digits but one newline */
	DCTL_PID_TOO_LARGE,	/* file longer than DCTL_PIDFILE_MAX bytes */
	DCTL_PID_NUL,		/* a NUL byte */
};

/* A short English phrase for a fault, e.g. "empty file". Never NULL. */
DCTL_EXPORT const char *dctl_pid_fault_str(enum dctl_pid_fault fault);

/*
 * Parse pidfile content. pid_max <= 0 means: read /proc/sys/kernel/pid_max.
 * Returns 0 and *pid, or -EBADMSG with *fault set (fault may be NULL).
 */
DCTL_EXPORT int dctl_pid_parse(const char *buf, size_t len, pid_t pid_max,
			       pid_t *pid, enum dctl_pid_fault *fault);

/*
 * Read a pidfile strictly, without following a final symlink and without
 * blocking. Returns 0 and *pid; -ENOENT; -ELOOP (symlink); -EISDIR;
 * -ENXIO (FIFO, socket, device: not a regular file); -EBADMSG with *fault
 * (malformed content); or another -errno from open/read.
 */
DCTL_EXPORT int dctl_pidfile_read(const char *path, pid_t *pid,
				  enum dctl_pid_fault *fault);

/* An open, exclusively locked pidfile. */
struct dctl_pidfile;

/*
 * Create or open PATH (mode for a new file, e.g. 0644), refusing symlinks
 * and non-regular files without blocking, take an exclusive flock without
 * waiting, and confirm that the path still names the locked inode (retrying
 * if it was replaced). The file is truncated only once the lock is held.
 *
 * On contention returns -EEXIST and, if holder is not NULL, the PID the
 * holder wrote (0 when it wrote none in time). The descriptor is
 * close-on-exec; see dctl_pidfile_fileno() to hand it to a daemon.
 */
DCTL_EXPORT int dctl_pidfile_open(const char *path, mode_t mode,
				  struct dctl_pidfile **pfp, pid_t *holder);

/* Replace the content with "PID\n". */
DCTL_EXPORT int dctl_pidfile_write(struct dctl_pidfile *pf, pid_t pid);

/* The locked descriptor (still owned by pf). */
DCTL_EXPORT int dctl_pidfile_fileno(const struct dctl_pidfile *pf);

/* The path the pidfile was opened with. */
DCTL_EXPORT const char *dctl_pidfile_path(const struct dctl_pidfile *pf);

/*
 * Free the handle and close our descriptor. The file stays; the lock stays
 * held as long as another descriptor (e.g. a daemon's) shares it.
 * Accepts NULL. Returns 0 or -errno from close.
 */
DCTL_EXPORT int dctl_pidfile_close(struct dctl_pidfile *pf);

/*
 * Unlink the pidfile, but only if its path still names the inode we hold
 * locked, then close as dctl_pidfile_close(). Accepts NULL.
 */
DCTL_EXPORT int dctl_pidfile_remove(struct dctl_pidfile *pf);

/*
 * Remove a pidfile that names the dead process PID: lock it (without
 * waiting), confirm that the path still names that inode and that it still
 * names PID, unlink, unlock. Returns 0; -ENOENT if already gone; -EBUSY if
 * someone holds the lock or it names another PID now (a new instance).
 */
DCTL_EXPORT int dctl_pidfile_remove_stale(const char *path, pid_t pid);

/* ------------------------------------------------------------- run dir */

/*
 * The runtime directory of SPEC 2: $DAEMONCTL_RUNDIR, else /run for root,
 * else $XDG_RUNTIME_DIR, else /tmp/daemonctl-UID (created 0700; refused
 * with -EPERM if it is not ours or is group/other-writable).
 * Returns the length written, or -ENAMETOOLONG and the like.
 */
DCTL_EXPORT int dctl_rundir(char *buf, size_t size);

/*
 * RUNDIR/NAME.pid. NAME must be non-empty, not "." or "..", without '/',
 * and of printable characters: -EINVAL otherwise.
 */
DCTL_EXPORT int dctl_name_to_pidfile(const char *name, char *buf,
				     size_t size);

/*
 * A user for --user / -u: a decimal uid as is (as start-stop-daemon reads
 * it), else a user name looked up in the user database. Returns 0 and
 * *uid; -ENOENT for an unknown name; -EINVAL for an empty text or a
 * number out of range; another -errno if the database failed.
 */
DCTL_EXPORT int dctl_user_parse(const char *text, uid_t *uid);

/* -------------------------------------------------------------- probing */

/* Values are the LSB status exit codes. */
enum dctl_state {
	DCTL_STATE_RUNNING = 0,
	DCTL_STATE_DEAD = 1,		/* stale pidfile */
	DCTL_STATE_NOT_RUNNING = 3,	/* no pidfile */
	DCTL_STATE_UNKNOWN = 4,		/* malformed, unreadable, unsafe */
};

/* The lowercase word of SPEC 3's JSON: "running", "dead", ... */
DCTL_EXPORT const char *dctl_state_str(enum dctl_state state);

struct dctl_status {
	enum dctl_state state;
	pid_t pid;		/* 0 when the file names none */
	bool locked;		/* its flock is held by someone */
	bool trusted;		/* passes SPEC 4.4 (always true for non-root) */
	bool zombie;		/* pid named is a zombie */
	int error;		/* -errno behind UNKNOWN, else 0 */
	enum dctl_pid_fault fault; /* with error == -EBADMSG */
	dev_t dev;		/* of the pidfile */
	ino_t ino;
	struct timespec mtime;	/* of the pidfile */
	time_t started;		/* process start, epoch seconds; 0: unknown */
	unsigned long long start_ticks; /* /proc/PID/stat field 22 */
	/* Filled with DCTL_PROBE_DETAILS, when the process is readable: */
	uid_t uid;		/* (uid_t)-1: unknown */
	char exe[DCTL_PATH_MAX];	/* "": unknown */
	char instance[DCTL_UUID_LEN];	/* DAEMON_INSTANCE_ID, "": unknown */
	char reason[160];	/* why UNKNOWN / DEAD, "" otherwise */
};

/* Also read exe, owner and instance id of a live process. */
#define DCTL_PROBE_DETAILS	0x1u

/*
 * Classify one pidfile (SPEC 2): running if its lock is held, or if the PID
 * is alive, not a zombie and started no later than the file was written;
 * dead if it names a process that is not; not-running if there is no file;
 * unknown if it cannot be read, is malformed or is not a regular file.
 * Never takes the lock and never signals anything, so it cannot disturb a
 * concurrent start. Returns 0 (the state is in *st) or -errno if st could
 * not be filled at all (-EINVAL).
 */
DCTL_EXPORT int dctl_probe(const char *path, unsigned flags,
			   struct dctl_status *st);

/* The same for n pidfiles at once, sharing one look at the lock table. */
DCTL_EXPORT int dctl_probe_many(const char *const *paths, size_t n,
				unsigned flags, struct dctl_status *st);

/* Extra conditions a live process must satisfy (stop, status -x/-u). */
struct dctl_match {
	const char *exe;	/* NULL: any */
	uid_t uid;		/* (uid_t)-1: any */
	const char *instance;	/* NULL: any */
};

/*
 * Apply a match to a probed record (probed with DCTL_PROBE_DETAILS): a
 * running process that fails it becomes DEAD with the reason said.
 * Returns true if the record (still) matches.
 */
DCTL_EXPORT bool dctl_status_match(struct dctl_status *st,
				   const struct dctl_match *m);

/*
 * "NAME: running (pid 1234, up 3h 2m)" and the other lines of SPEC 3,
 * into buf without a newline. verbose adds lock details.
 * Returns the length it needed (like snprintf) or -errno.
 */
DCTL_EXPORT int dctl_status_format(const struct dctl_status *st,
				   const char *name, const char *pidfile,
				   bool verbose, char *buf, size_t size);

/*
 * One JSON object (no newline) with SPEC 3's keys. now is the time uptime
 * is measured against (0: the current time). Returns the length it needed
 * (like snprintf) or -errno.
 */
DCTL_EXPORT int dctl_status_json(const struct dctl_status *st,
				 const char *name, const char *pidfile,
				 time_t now, char *buf, size_t size);

/* ----------------------------------------------- signals and schedules */

/*
 * "TERM", "SIGTERM", "term", "15": *sig. Returns 0 or -EINVAL. Signal 0 and
 * numbers outside 1..SIGRTMAX are refused; so are "+15", "0x1", " 15".
 */
DCTL_EXPORT int dctl_signal_parse(const char *text, int *sig);

/* "TERM" for SIGTERM, "RTMIN+3", or NULL for no such signal. */
DCTL_EXPORT const char *dctl_signal_name(int sig);

enum dctl_step_kind {
	DCTL_STEP_SIGNAL,	/* send .value */
	DCTL_STEP_TIMEOUT,	/* wait up to .value seconds */
	DCTL_STEP_FOREVER,	/* repeat the steps after it is reached */
};

struct dctl_step {
	enum dctl_step_kind kind;
	int value;
};

#define DCTL_SCHEDULE_MAX 32

struct dctl_schedule {
	size_t n;
	struct dctl_step step[DCTL_SCHEDULE_MAX];
};

/*
 * start-stop-daemon's --retry grammar: "TERM/30/KILL/5", "HUP/5/forever/KILL/5",
 * or a bare timeout N meaning SIG/N/KILL/N with sig the default signal.
 * text NULL or "" is refused (-EINVAL); the default schedule is
 * dctl_schedule_default(). Returns 0 or -EINVAL / -ERANGE.
 */
DCTL_EXPORT int dctl_schedule_parse(const char *text, int sig,
				    struct dctl_schedule *s);

/* SIG/30/KILL/5 (SPEC 3's default with SIG the --signal). */
DCTL_EXPORT void dctl_schedule_default(int sig, struct dctl_schedule *s);

/* "TERM/30/KILL/5": like snprintf. */
DCTL_EXPORT int dctl_schedule_format(const struct dctl_schedule *s,
				     char *buf, size_t size);

/* --------------------------------------------------------------- stop */

struct dctl_stop_opts {
	const char *pidfile;
	struct dctl_schedule schedule;	/* n == 0: the default for sig */
	int sig;			/* 0: SIGTERM */
	bool no_wait;			/* send the first signal, return */
	bool process_group;		/* signal the daemon's group */
	bool keep_pidfile;
	bool test;			/* decide, send nothing */
	struct dctl_match match;
	dctl_log_fn log;		/* may be NULL */
	void *log_data;
};

/* Fill o with the defaults (everything off, no match, SIGTERM). */
DCTL_EXPORT void dctl_stop_opts_init(struct dctl_stop_opts *o);

struct dctl_stop_result {
	pid_t pid;			/* the process concerned, or 0 */
	int last_signal;		/* last signal sent, 0: none */
	struct dctl_status status;	/* the probe it acted on */
};

/*
 * Stop the daemon of o->pidfile along the schedule (SPEC 3 daemon-stop).
 * Returns 0 stopped (or signalled, with no_wait; would, with test);
 * -ESRCH not running / stale / not matching, nothing sent;
 * -ETIMEDOUT still alive when the schedule ran out;
 * -EBADMSG malformed pidfile, -EPERM untrusted or not permitted,
 * other -errno for other trouble. res may be NULL.
 */
DCTL_EXPORT int dctl_stop(const struct dctl_stop_opts *o,
			  struct dctl_stop_result *res);

/* -------------------------------------------------------------- start */

/*
 * How a start is done: the options of one daemon-start go into an opaque
 * struct dctl_spawn, one call starts the program, and getters tell what
 * happened. A new option is a new setter, never a field a caller has
 * compiled in.
 *
 *   struct dctl_spawn *s;
 *   if (dctl_spawn_new(&s, "/run/web.pid") < 0) ...
 *   dctl_spawn_set_program(s, "/usr/bin/web", NULL);
 *   r = dctl_spawn_start(s);
 *   ... dctl_spawn_get_pid(s), dctl_spawn_get_detail(s) ...
 *   dctl_spawn_free(s);
 *
 * The object copies every string and array it is given: the caller may
 * free or reuse its own at once. Strings a getter returns belong to the
 * object and stay valid until the next setter or start on it, or until it
 * is freed. A NULL object, or a value a setter refuses, gives -EINVAL and
 * never a crash; a refused value leaves the setting as it was, and
 * dctl_spawn_get_detail() says what was wrong with it. An object is not
 * for two threads at once.
 */
struct dctl_spawn;

enum dctl_ready {
	DCTL_READY_EXEC = 0,	/* started once exec succeeded */
	DCTL_READY_NOTIFY,	/* wait for sd_notify READY=1 */
	DCTL_READY_FORKING,	/* program detaches and writes the pidfile */
};

/* Where a failed start failed. */
enum dctl_spawn_stage {
	DCTL_STAGE_NONE = 0,
	DCTL_STAGE_VALIDATE,	/* options, program, user, directories */
	DCTL_STAGE_PIDFILE,
	DCTL_STAGE_FORK,
	DCTL_STAGE_SETUP,	/* the recipe in the child (chdir, setuid...) */
	DCTL_STAGE_EXEC,
	DCTL_STAGE_STARTUP,	/* died during startup / --wait */
	DCTL_STAGE_READY,	/* notify / forking readiness */
};

/* "validate", "exec", ...; "unknown" for a value not in the enum. */
DCTL_EXPORT const char *dctl_spawn_stage_str(enum dctl_spawn_stage stage);

/*
 * A new start with the defaults: no program yet, cwd "/", umask 022,
 * output to /dev/null, the caller's environment, credentials unchanged,
 * ready at exec, a 60 s readiness limit. pidfile (copied) may be NULL
 * here and given later with dctl_spawn_set_pidfile(). Returns 0 and *sp,
 * -EINVAL, or -ENOMEM.
 */
DCTL_EXPORT int dctl_spawn_new(struct dctl_spawn **sp, const char *pidfile);

/* Free s and everything it holds (not the daemon!). Accepts NULL. */
DCTL_EXPORT void dctl_spawn_free(struct dctl_spawn *s);

/* The pidfile, locked for the daemon's life. Required; not "". */
DCTL_EXPORT int dctl_spawn_set_pidfile(struct dctl_spawn *s, const char *path);

/*
 * The program: a path, or a name looked up in PATH (in the chroot, with
 * one). argv is its argument vector, NULL-terminated, argv[0] included;
 * NULL (or an empty vector) means { program, NULL }. program must not be
 * NULL or "".
 */
DCTL_EXPORT int dctl_spawn_set_program(struct dctl_spawn *s,
				       const char *program,
				       char *const *argv);

/* The daemon's working directory (inside any chroot); NULL: "/". */
DCTL_EXPORT int dctl_spawn_set_chdir(struct dctl_spawn *s, const char *dir);

/* The daemon's umask, 0 to 0777 (default 022). */
DCTL_EXPORT int dctl_spawn_set_umask(struct dctl_spawn *s, mode_t mask);

/*
 * Append the daemon's stdout / stderr to a file, created 0640 if need be;
 * NULL: /dev/null. The same path for both shares one open file.
 */
DCTL_EXPORT int dctl_spawn_set_stdout(struct dctl_spawn *s, const char *path);
DCTL_EXPORT int dctl_spawn_set_stderr(struct dctl_spawn *s, const char *path);

/*
 * Add NAME=VALUE to the daemon's environment (over the caller's; of two
 * entries for one name the later wins). NAME is letters, digits and '_',
 * not starting with a digit; DAEMON_INSTANCE_ID and NOTIFY_SOCKET are the
 * library's to set and are refused.
 */
DCTL_EXPORT int dctl_spawn_add_env(struct dctl_spawn *s, const char *entry);

/*
 * Run as USER[:GROUP] (names or numeric ids, looked up when the start
 * runs, which needs root); NULL: credentials unchanged.
 */
DCTL_EXPORT int dctl_spawn_set_user(struct dctl_spawn *s, const char *spec);

/* chroot(2) to this absolute directory first; NULL: none. */
DCTL_EXPORT int dctl_spawn_set_chroot(struct dctl_spawn *s, const char *dir);

/* Add inc (-20..19) to the daemon's niceness. */
DCTL_EXPORT int dctl_spawn_set_nice(struct dctl_spawn *s, int inc);

/* What "started" means (default DCTL_READY_EXEC). */
DCTL_EXPORT int dctl_spawn_set_ready(struct dctl_spawn *s,
				     enum dctl_ready ready);

/* The daemon must still be alive ms milliseconds after exec; 0: no wait. */
DCTL_EXPORT int dctl_spawn_set_wait_ms(struct dctl_spawn *s, unsigned int ms);

/* The limit for DCTL_READY_NOTIFY and _FORKING; 0: 60 s. */
DCTL_EXPORT int dctl_spawn_set_timeout_ms(struct dctl_spawn *s,
					  unsigned int ms);

/* Validate everything and check for a running instance; start nothing. */
DCTL_EXPORT int dctl_spawn_set_test(struct dctl_spawn *s, bool test);

/* Where the start's diagnostics go; fn NULL: nowhere. */
DCTL_EXPORT int dctl_spawn_set_log(struct dctl_spawn *s, dctl_log_fn fn,
				   void *data);

/*
 * Start the program detached (see daemon-start(1)). Returns 0 started;
 * -EEXIST already running (and nothing else: get_pid() is the holder);
 * -ETIMEDOUT readiness timeout; -ECHILD the program exited or was killed
 * during startup; -ECANCELED the daemon reported failure with ERRNO=,
 * which get_error() returns (stage DCTL_STAGE_READY); another -errno with
 * get_stage() and get_detail() saying where and what; -EINVAL for a NULL
 * s. A failure leaves no pidfile and no process behind.
 * With a --wait, DCTL_READY_NOTIFY or DCTL_READY_FORKING the process is a
 * child subreaper for the call (restored after), so two threads must not
 * make such starts at once, and the daemon stays the caller's child (reap
 * it or ignore SIGCHLD); a plain start has neither effect.
 * A start may be made again with the same object (a retry, another
 * setting): each one replaces the results of the one before.
 */
DCTL_EXPORT int dctl_spawn_start(struct dctl_spawn *s);

/*
 * The results of the last start (-EINVAL, or NULL for a string, when s is
 * NULL). pid: the daemon, the holder after -EEXIST, else 0. instance: its
 * DAEMON_INSTANCE_ID ("" before a start). stage and error: where a failed
 * start failed, and the errno of that step (0 after a success).
 * exit_status: the status it exited with during startup, else -1.
 * term_signal: the signal that killed it during startup, else 0.
 * detail: one line saying what failed ("" if nothing did), or the last
 * STATUS= of a DCTL_READY_NOTIFY daemon.
 */
DCTL_EXPORT pid_t dctl_spawn_get_pid(const struct dctl_spawn *s);
DCTL_EXPORT const char *dctl_spawn_get_instance(const struct dctl_spawn *s);
DCTL_EXPORT enum dctl_spawn_stage dctl_spawn_get_stage(
	const struct dctl_spawn *s);
DCTL_EXPORT int dctl_spawn_get_error(const struct dctl_spawn *s);
DCTL_EXPORT int dctl_spawn_get_exit_status(const struct dctl_spawn *s);
DCTL_EXPORT int dctl_spawn_get_term_signal(const struct dctl_spawn *s);
DCTL_EXPORT const char *dctl_spawn_get_detail(const struct dctl_spawn *s);

/*
 * An octal umask as daemon-start -k takes it: 1 to 4 octal digits, at most
 * 0777, nothing else (no sign, blank or "0o"). Returns 0 and *mask, or
 * -EINVAL (*mask untouched).
 */
DCTL_EXPORT int dctl_umask_parse(const char *text, mode_t *mask);

/* --------------------------------------------------- daemonize oneself */

struct dctl_daemon;

/*
 * The options of dctl_daemonize(), opaque like struct dctl_spawn: strings
 * are copied, a NULL object or a refused value gives -EINVAL.
 */
struct dctl_daemonize_opts;

/* Defaults: stdio on /dev/null, no pidfile, cwd "/", umask 022. */
DCTL_EXPORT int dctl_daemonize_opts_new(struct dctl_daemonize_opts **op);

/* Accepts NULL. */
DCTL_EXPORT void dctl_daemonize_opts_free(struct dctl_daemonize_opts *o);

/*
 * Standard input read from a file, output appended to one (created 0640);
 * NULL: /dev/null.
 */
DCTL_EXPORT int dctl_daemonize_opts_set_stdin(struct dctl_daemonize_opts *o,
					      const char *path);
DCTL_EXPORT int dctl_daemonize_opts_set_stdout(struct dctl_daemonize_opts *o,
					       const char *path);
DCTL_EXPORT int dctl_daemonize_opts_set_stderr(struct dctl_daemonize_opts *o,
					       const char *path);

/* A pidfile, locked before anything is forked; NULL: none. Not "". */
DCTL_EXPORT int dctl_daemonize_opts_set_pidfile(struct dctl_daemonize_opts *o,
						const char *path);

/* The daemon's working directory; NULL: "/". */
DCTL_EXPORT int dctl_daemonize_opts_set_chdir(struct dctl_daemonize_opts *o,
					      const char *dir);

/* The daemon's umask, 0 to 0777 (default 022). */
DCTL_EXPORT int dctl_daemonize_opts_set_umask(struct dctl_daemonize_opts *o,
					      mode_t mask);

/*
 * Detach the calling program; o NULL means the defaults, and o may be
 * freed once this returns (in either process). Returns:
 *  0 in the daemon, with *dp to report its startup through
 *    dctl_daemon_ready() or dctl_daemon_failed();
 *  1 in the original process once the daemon reported (or died), with
 *    *exit_status what it should exit with (0 ready, else non-zero);
 *    the caller should then _exit(*exit_status);
 *  -errno if it could not detach (nothing was forked, or the fork failed).
 *    A step of the recipe that fails in the child (chdir, ...) is
 *    returned the same way: that child has exited, nothing remains.
 */
DCTL_EXPORT int dctl_daemonize(const struct dctl_daemonize_opts *o,
			       struct dctl_daemon **dp, int *exit_status);

/* Tell the original process that startup succeeded; frees d. */
DCTL_EXPORT int dctl_daemon_ready(struct dctl_daemon *d);

/* Tell it that startup failed with errno err (> 0); frees d. */
DCTL_EXPORT int dctl_daemon_failed(struct dctl_daemon *d, int err);

/*
 * Take over the daemon's locked pidfile (NULL if it has none), to keep it
 * for the daemon's life and dctl_pidfile_remove() it on the way out.
 * Call before dctl_daemon_ready(); d then leaves the pidfile alone.
 */
DCTL_EXPORT struct dctl_pidfile *dctl_daemon_take_pidfile(
	struct dctl_daemon *d);

/* ------------------------------------------------------------ sd_notify */

/*
 * Send a state string ("READY=1", "STATUS=...") to $NOTIFY_SOCKET.
 * Returns 1 if sent, 0 if NOTIFY_SOCKET is unset, or -errno.
 */
DCTL_EXPORT int dctl_notify(const char *state);

/* dctl_notify("READY=1"). */
DCTL_EXPORT int dctl_notify_ready(void);

/* ------------------------------------------------------------- version */

/* The package version, e.g. "0.1.0". */
DCTL_EXPORT const char *dctl_version(void);

#ifdef __cplusplus
}
#endif

#endif /* DAEMONCTL_H */
