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
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define DCTL_EXPORT __attribute__((visibility("default")))
#else
#define DCTL_EXPORT
#endif

/* A pidfile larger than this is malformed. */
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

/* Why a pidfile's content was refused by the strict reader. */
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
 * The runtime directory: $DAEMONCTL_RUNDIR, else /run for root, else
 * $XDG_RUNTIME_DIR, else /tmp/daemonctl-UID (created 0700; refused with
 * -EPERM if it is not ours or is group/other-writable). Returns 0 with a
 * malloc'd path in *out (the caller frees it), or -errno.
 */
DCTL_EXPORT int dctl_rundir(char **out);

/*
 * RUNDIR/NAME.pid, malloc'd into *out. NAME must be non-empty, not "." or
 * "..", without '/', of printable characters and at most 250 bytes:
 * -EINVAL otherwise. Other -errno as dctl_rundir().
 */
DCTL_EXPORT int dctl_name_to_pidfile(const char *name, char **out);

/*
 * The name a pidfile is shown under: its last component without ".pid"
 * ("/run/web.pid" -> "web"), or the whole path if it ends in '/'.
 * malloc'd into *out. 0, -EINVAL or -ENOMEM.
 */
DCTL_EXPORT int dctl_pidfile_to_name(const char *path, char **out);

/* The pidfiles of a run directory: an opaque list, sorted by name. */
struct dctl_rundir_list;

/*
 * Every DIR/NAME.pid whose NAME does not start with '.' (the shell's
 * *.pid), sorted by NAME. Returns 0 with a new list in *out; -EINVAL;
 * -errno from reading the directory; -ENOMEM.
 */
DCTL_EXPORT int dctl_rundir_list(const char *dir,
				 struct dctl_rundir_list **out);

/* The number of pidfiles; 0 for NULL. */
DCTL_EXPORT size_t dctl_rundir_list_count(const struct dctl_rundir_list *l);

/* Entry i's NAME and its DIR/NAME.pid (owned by the list); NULL if l is
 * NULL or i is out of range. */
DCTL_EXPORT const char *dctl_rundir_list_get_name(
	const struct dctl_rundir_list *l, size_t i);
DCTL_EXPORT const char *dctl_rundir_list_get_path(
	const struct dctl_rundir_list *l, size_t i);

/* Accepts NULL. */
DCTL_EXPORT void dctl_rundir_list_free(struct dctl_rundir_list *l);

/*
 * A user for --user / -u: a decimal uid as is (as start-stop-daemon reads
 * it), else a user name looked up in the user database. Returns 0 and
 * *uid; -ENOENT for an unknown name; -EINVAL for an empty text or a
 * number out of range; another -errno if the database failed.
 */
DCTL_EXPORT int dctl_user_parse(const char *text, uid_t *uid);

/* -------------------------------------------------------------- probing */

/*
 * Values up to 4 are the LSB status exit codes; RESTARTING (added in
 * 1.1.0: a supervised daemon waiting out a backoff) is reported with 1,
 * as no program runs.
 */
enum dctl_state {
	DCTL_STATE_RUNNING = 0,
	DCTL_STATE_DEAD = 1,		/* stale pidfile */
	DCTL_STATE_NOT_RUNNING = 3,	/* no pidfile */
	DCTL_STATE_UNKNOWN = 4,		/* malformed, unreadable, unsafe */
	DCTL_STATE_RESTARTING = 5,	/* supervised, between two runs */
};

/* The lowercase word of daemon-status --json: "running", "dead", ... */
DCTL_EXPORT const char *dctl_state_str(enum dctl_state state);

/*
 * What one probe found out about one pidfile: an opaque record, made by
 * dctl_probe() or held by a struct dctl_status_list, read through the
 * getters below. Later versions add getters; the record itself never
 * changes shape for a caller, so nothing built against this header breaks.
 *
 * Getters on a NULL record return -EINVAL where the value is a signed
 * number that cannot be negative otherwise (state, pid, the flags, fault),
 * 0 for the other numbers, (uid_t)-1 for the uid and NULL for strings.
 * Strings belong to the record: valid until it is freed (or matched,
 * which may set the reason).
 */
struct dctl_status;

/* Also read exe, owner and instance id of a live process. */
#define DCTL_PROBE_DETAILS	0x1u
/*
 * Look at the lock only where the verdict rests on it. A live process that
 * started before its pidfile was written is running whoever holds the
 * lock; its record then says nothing about the lock
 * (dctl_status_get_locked() returns -ENODATA). The verdict is the same.
 */
#define DCTL_PROBE_LOCK_IF_NEEDED	0x2u

/*
 * Classify one pidfile: running if its lock is held, or if the PID is
 * alive, not a zombie and started no later than the file was written;
 * dead if it names a process that is not; not-running if there is no
 * file; unknown if it cannot be read, is malformed or is not a regular
 * file. Never takes the lock and never signals anything, so it cannot
 * disturb a concurrent start. A pidfile caught in the middle of another
 * start or stop (locked before its PID is written, just created empty,
 * locked by a stop removing it) is looked at again as that work goes on,
 * for up to 2 s, so the answer is the state before or after it. Where the
 * lock is held but no live process it names holds it, the reason names
 * the processes that do. Returns 0 with a new record in *out (free
 * it with dctl_status_free()); -EINVAL for a NULL argument or an unknown
 * flag; -ENOMEM.
 */
DCTL_EXPORT int dctl_probe(const char *path, unsigned flags,
			   struct dctl_status **out);

/* Free a record from dctl_probe(). Accepts NULL; leaves a list's alone. */
DCTL_EXPORT void dctl_status_free(struct dctl_status *st);

/* enum dctl_state (a later version may add values: treat as UNKNOWN). */
DCTL_EXPORT int dctl_status_get_state(const struct dctl_status *st);
/* The PID the file names, 0 when it names none. */
DCTL_EXPORT pid_t dctl_status_get_pid(const struct dctl_status *st);
/*
 * 1 if the pidfile's flock is held by someone, else 0; -ENODATA where
 * DCTL_PROBE_LOCK_IF_NEEDED left the lock unread.
 */
DCTL_EXPORT int dctl_status_get_locked(const struct dctl_status *st);
/* 1 unless root probed a file or directory another user could write. */
DCTL_EXPORT int dctl_status_get_trusted(const struct dctl_status *st);
/* 1 if the PID named is a zombie. */
DCTL_EXPORT int dctl_status_get_zombie(const struct dctl_status *st);
/* The -errno behind UNKNOWN (-EBADMSG: see the fault), else 0. */
DCTL_EXPORT int dctl_status_get_error(const struct dctl_status *st);
/* enum dctl_pid_fault, for error -EBADMSG. */
DCTL_EXPORT int dctl_status_get_fault(const struct dctl_status *st);
/* The pidfile's device and inode, and its mtime in ns since the epoch. */
DCTL_EXPORT uint64_t dctl_status_get_pidfile_dev(const struct dctl_status *st);
DCTL_EXPORT uint64_t dctl_status_get_pidfile_ino(const struct dctl_status *st);
DCTL_EXPORT int64_t dctl_status_get_pidfile_mtime_ns(
	const struct dctl_status *st);
/* When a running process started, epoch seconds; 0: unknown. */
DCTL_EXPORT int64_t dctl_status_get_started(const struct dctl_status *st);
/* Its start time in clock ticks after boot (/proc/PID/stat field 22). */
DCTL_EXPORT uint64_t dctl_status_get_start_ticks(const struct dctl_status *st);
/* With DCTL_PROBE_DETAILS: its real uid, (uid_t)-1 if unknown. */
DCTL_EXPORT uid_t dctl_status_get_uid(const struct dctl_status *st);
/* With DCTL_PROBE_DETAILS: /proc/PID/exe, NULL if unknown. */
DCTL_EXPORT const char *dctl_status_get_exe(const struct dctl_status *st);
/* With DCTL_PROBE_DETAILS: DAEMON_INSTANCE_ID, NULL if none. */
DCTL_EXPORT const char *dctl_status_get_instance(const struct dctl_status *st);
/* Why the record is UNKNOWN or DEAD, in words; NULL if nothing to say. */
DCTL_EXPORT const char *dctl_status_get_reason(const struct dctl_status *st);
/*
 * The processes found holding the pidfile's lock when no live process it
 * names does (a dead daemon's children, say): how many (0 for NULL, or
 * when the lock is the named daemon's own), and the i-th of the first
 * ones kept (0 when i is out of range). The count may pass what is kept.
 */
DCTL_EXPORT size_t dctl_status_get_holder_count(const struct dctl_status *st);
DCTL_EXPORT pid_t dctl_status_get_holder(const struct dctl_status *st,
					 size_t i);

/*
 * Supervision, as the supervisor's state record says (added in 1.1.0; see
 * daemon-start(1) --respawn). supervisor: its PID while it is alive and
 * supervising, else 0 (also for a daemon left running without one).
 * supervised: 1 if the pidfile belongs to a supervised daemon (even one
 * whose supervisor is gone, or that gave up), else 0. restarts: how many
 * times the program was started again. last_exit: how the last run ended,
 * "exit 1", "signal SEGV", "start failed: ...", or NULL before any ended.
 * next_try_ns: for RESTARTING, nanoseconds from the probe to the next
 * try (0 when due), else -1.
 */
DCTL_EXPORT pid_t dctl_status_get_supervisor(const struct dctl_status *st);
DCTL_EXPORT int dctl_status_get_supervised(const struct dctl_status *st);
DCTL_EXPORT int dctl_status_get_restarts(const struct dctl_status *st);
DCTL_EXPORT const char *dctl_status_get_last_exit(
	const struct dctl_status *st);
DCTL_EXPORT int64_t dctl_status_get_next_try_ns(const struct dctl_status *st);

/* The records of dctl_probe_many(), in the order of the paths. */
struct dctl_status_list;

/*
 * dctl_probe() for n pidfiles at once, sharing one look at the lock table.
 * Returns 0 with a new list in *out (n may be 0); -EINVAL for a NULL
 * argument, a NULL path or an unknown flag; -ENOMEM.
 */
DCTL_EXPORT int dctl_probe_many(const char *const *paths, size_t n,
				unsigned flags,
				struct dctl_status_list **out);

/* The number of records; 0 for NULL. */
DCTL_EXPORT size_t dctl_status_list_count(const struct dctl_status_list *l);

/* Record i, owned by the list; NULL if l is NULL or i is out of range. */
DCTL_EXPORT struct dctl_status *dctl_status_list_get(
	struct dctl_status_list *l, size_t i);

/* Free the list and all its records. Accepts NULL. */
DCTL_EXPORT void dctl_status_list_free(struct dctl_status_list *l);

/*
 * Conditions a live process must satisfy (stop, status -x/-u): all that
 * are set must hold. An opaque object; setters copy what they are given.
 */
struct dctl_match;

/* A match with no condition. 0 or -EINVAL / -ENOMEM. */
DCTL_EXPORT int dctl_match_new(struct dctl_match **out);

/* The process runs this executable (a hard link or bind mount counts, as
 * does the file an upgrade replaced). NULL: any. "" is -EINVAL. */
DCTL_EXPORT int dctl_match_set_exe(struct dctl_match *m, const char *exe);

/* The process's real uid. (uid_t)-1: any. */
DCTL_EXPORT int dctl_match_set_uid(struct dctl_match *m, uid_t uid);

/* Its DAEMON_INSTANCE_ID, a UUID (any case). NULL: any; anything but a
 * UUID's 36 characters is -EINVAL. */
DCTL_EXPORT int dctl_match_set_instance(struct dctl_match *m,
					const char *instance);

/* What is set (NULL / (uid_t)-1: no condition, or m is NULL). */
DCTL_EXPORT const char *dctl_match_get_exe(const struct dctl_match *m);
DCTL_EXPORT uid_t dctl_match_get_uid(const struct dctl_match *m);
DCTL_EXPORT const char *dctl_match_get_instance(const struct dctl_match *m);

/* Accepts NULL. */
DCTL_EXPORT void dctl_match_free(struct dctl_match *m);

/*
 * Apply a match to a record probed with DCTL_PROBE_DETAILS: a running
 * process that fails it becomes DEAD, with the reason said. Returns 1 if
 * the record (still) matches, 0 if not (a record that is not running
 * satisfies no condition), -EINVAL for a NULL argument.
 */
DCTL_EXPORT int dctl_status_match(struct dctl_status *st,
				  const struct dctl_match *m);

/*
 * "NAME: running (pid 1234, up 3h 2m)" and the other lines of
 * daemon-status(1), into buf without a newline. verbose adds lock
 * details. Like snprintf: returns the length it needed (buf may be NULL
 * with size 0), or -EINVAL / -EOVERFLOW.
 */
DCTL_EXPORT int dctl_status_format(const struct dctl_status *st,
				   const char *name, const char *pidfile,
				   bool verbose, char *buf, size_t size);

/*
 * One JSON object (no newline) with daemon-status --json's keys. now is
 * the time uptime is measured against, in epoch seconds (0: the current
 * time). Like snprintf, as dctl_status_format().
 */
DCTL_EXPORT int dctl_status_json(const struct dctl_status *st,
				 const char *name, const char *pidfile,
				 int64_t now, char *buf, size_t size);

/* ----------------------------------------------- signals and schedules */

/*
 * "TERM", "SIGTERM", "term", "15": *sig. Returns 0 or -EINVAL. Signal 0 and
 * numbers outside 1..SIGRTMAX are refused; so are "+15", "0x1", " 15".
 */
DCTL_EXPORT int dctl_signal_parse(const char *text, int *sig);

/* "TERM" for SIGTERM, "RTMIN+3", or NULL for no such signal. */
DCTL_EXPORT const char *dctl_signal_name(int sig);

enum dctl_step_kind {
	DCTL_STEP_SIGNAL,	/* send the value */
	DCTL_STEP_TIMEOUT,	/* wait up to the value, in seconds */
	DCTL_STEP_FOREVER,	/* repeat the steps after it is reached */
};

/* A stop schedule: an opaque, immutable list of steps. */
struct dctl_schedule;

/*
 * start-stop-daemon's --retry grammar: "TERM/30/KILL/5",
 * "HUP/5/forever/KILL/5", or a bare timeout N meaning SIG/N/KILL/N with
 * sig the default signal (0: TERM). Returns 0 with a new schedule in *out;
 * -EINVAL for a text the grammar refuses (NULL and "" included), or an
 * invalid sig; -ERANGE for a timeout above INT_MAX or more than 32 items;
 * -ENOMEM. *out is untouched on failure.
 */
DCTL_EXPORT int dctl_schedule_parse(const char *text, int sig,
				    struct dctl_schedule **out);

/* SIG/30/KILL/5, what daemon-stop follows without --retry (sig 0: TERM). */
DCTL_EXPORT int dctl_schedule_default(int sig, struct dctl_schedule **out);

/* "TERM/30/KILL/5", the grammar's text for s: like snprintf. */
DCTL_EXPORT int dctl_schedule_format(const struct dctl_schedule *s,
				     char *buf, size_t size);

/* The number of steps (0 for NULL). */
DCTL_EXPORT size_t dctl_schedule_get_count(const struct dctl_schedule *s);

/* Step i: its kind and value (either may be NULL). 0 or -EINVAL. */
DCTL_EXPORT int dctl_schedule_get_step(const struct dctl_schedule *s,
				       size_t i, enum dctl_step_kind *kind,
				       int *value);

/* Accepts NULL. */
DCTL_EXPORT void dctl_schedule_free(struct dctl_schedule *s);

/* -------------------------------------------------------------- scan */

/*
 * Finding processes without a pidfile, as start-stop-daemon matches them
 * (added in 1.1): every condition set must hold. Zombies, kernel threads,
 * PID 1 and the caller and its ancestors are never found. An opaque
 * object: set the conditions, run, read the processes found (ascending
 * PIDs), or hand them to dctl_stop_set_scan(). Setters return 0, or
 * -EINVAL for a NULL object or a bad value.
 */
struct dctl_scan;

/* A scan without any condition yet. 0, -EINVAL or -ENOMEM. */
DCTL_EXPORT int dctl_scan_new(struct dctl_scan **out);

/*
 * Processes running this executable: the device and inode of the file at
 * path now (stat(2), symlinks followed), also when the process still runs
 * a binary an upgrade replaced at that path. -errno of stat(2) for a path
 * that cannot be read. NULL: any.
 */
DCTL_EXPORT int dctl_scan_set_exe(struct dctl_scan *sc, const char *path);

/*
 * Processes of this name (copied), the kernel's process name compared
 * whole. Returns 1 when name is longer than the 15 bytes the kernel keeps
 * of a name: its first 15 bytes are compared. NULL: any.
 */
DCTL_EXPORT int dctl_scan_set_name(struct dctl_scan *sc, const char *name);

/* Processes whose effective uid is uid. (uid_t)-1: any. */
DCTL_EXPORT int dctl_scan_set_uid(struct dctl_scan *sc, uid_t uid);

/* Children of ppid. 0: any. */
DCTL_EXPORT int dctl_scan_set_ppid(struct dctl_scan *sc, pid_t ppid);

/*
 * Look at process pid alone (e.g. the one a live pidfile names), and
 * only if it started at start_ticks, in clock ticks after boot
 * (dctl_status_get_start_ticks(); 0: whenever). 0: every process.
 */
DCTL_EXPORT int dctl_scan_set_pid(struct dctl_scan *sc, pid_t pid,
				  uint64_t start_ticks);

/*
 * Look only at the process this pidfile (copied) names, if dctl_probe()
 * finds it running, and started when the probe saw it: no other process
 * is ever looked at. Not with dctl_scan_set_pid(). NULL: no pidfile.
 */
DCTL_EXPORT int dctl_scan_set_pidfile(struct dctl_scan *sc, const char *path);

/*
 * Find the processes, replacing the last run's. Returns 0 (none found is
 * a count of 0); -EINVAL without any condition (it would find
 * everything), or with both a pid and a pidfile; -EPERM when the process
 * to look at is below 2, the caller or one of its ancestors; -EACCES for
 * a pidfile that is not trusted (a user other than root could have
 * written it) unless an executable or uid is set too; -ENOENT when /proc
 * is not mounted; other -errno.
 */
DCTL_EXPORT int dctl_scan_run(struct dctl_scan *sc);

/*
 * The last run's probe of the pidfile (owned by sc, valid until the next
 * run): whether it exists, is stale or unsafe, and why. NULL without one.
 */
DCTL_EXPORT const struct dctl_status *dctl_scan_get_status(
	const struct dctl_scan *sc);

/* How many processes the last run found; 0 for NULL. */
DCTL_EXPORT size_t dctl_scan_get_count(const struct dctl_scan *sc);

/* Process i of the last run (0 if i is out of range, -EINVAL for NULL). */
DCTL_EXPORT pid_t dctl_scan_get_pid(const struct dctl_scan *sc, size_t i);

/* Accepts NULL. */
DCTL_EXPORT void dctl_scan_free(struct dctl_scan *sc);

/* --------------------------------------------------------------- stop */

/*
 * One stop of one daemon (daemon-stop(1)): made for a pidfile, set up
 * with the setters (each returns 0, or -EINVAL for a NULL object or a bad
 * value), run with dctl_stop_run(), read with the getters, freed.
 */
struct dctl_stop;

/*
 * A stop of the daemon of pidfile (copied): SIGTERM, default schedule.
 * Since 1.1 pidfile may be NULL, for a stop of the processes a scan found
 * (dctl_stop_set_scan()).
 */
DCTL_EXPORT int dctl_stop_new(struct dctl_stop **out, const char *pidfile);

/* The first signal, and the one the default schedule starts with. */
DCTL_EXPORT int dctl_stop_set_signal(struct dctl_stop *s, int sig);

/* Follow this schedule (copied); NULL: the default for the signal. */
DCTL_EXPORT int dctl_stop_set_schedule(struct dctl_stop *s,
				       const struct dctl_schedule *sched);

/* Send the first signal and return, without waiting. */
DCTL_EXPORT int dctl_stop_set_no_wait(struct dctl_stop *s, bool no_wait);

/* Signal the daemon's process group (never 0, 1 or the caller's). */
DCTL_EXPORT int dctl_stop_set_process_group(struct dctl_stop *s, bool on);

/* Leave the pidfile in place after the daemon exited. */
DCTL_EXPORT int dctl_stop_set_keep_pidfile(struct dctl_stop *s, bool keep);

/* Decide and say what would be done (to the log), send nothing. */
DCTL_EXPORT int dctl_stop_set_test(struct dctl_stop *s, bool test);

/*
 * Signal only a process that satisfies m (copied; NULL: no condition).
 * For a pidfile that is not trusted, a match by exe or uid is required.
 */
DCTL_EXPORT int dctl_stop_set_match(struct dctl_stop *s,
				    const struct dctl_match *m);

/*
 * Added in 1.1, for a stop made without a pidfile (-EINVAL for one with):
 * stop the processes sc found in its last run (copied, with the start
 * time that pins each one's identity; NULL: none), all along the one
 * schedule: every signal goes to each one still alive, a wait ends when
 * the last has gone. A process that is no longer the one found counts as
 * gone and gets nothing. No match is applied, no pidfile removed, no
 * process group signalled; run returns -ESRCH if none was left.
 */
DCTL_EXPORT int dctl_stop_set_scan(struct dctl_stop *s,
				   const struct dctl_scan *sc);

/* Where the stop says what it does (fn NULL: nowhere). */
DCTL_EXPORT int dctl_stop_set_log(struct dctl_stop *s, dctl_log_fn fn,
				  void *userdata);

/*
 * Stop the daemon along the schedule. Returns 0 stopped (or signalled,
 * with no_wait; would, with test); -ESRCH not running / stale / not
 * matching, nothing sent; -ETIMEDOUT still alive when the schedule ran
 * out; -EBADMSG malformed pidfile; -EPERM untrusted or not permitted;
 * -EINVAL a NULL object, or no_wait with a schedule set (waiting is what
 * a schedule is for); other -errno for other trouble. May be run again.
 */
DCTL_EXPORT int dctl_stop_run(struct dctl_stop *s);

/* The process concerned, or 0 (-EINVAL for NULL). */
DCTL_EXPORT pid_t dctl_stop_get_pid(const struct dctl_stop *s);

/* The last signal sent, 0: none (-EINVAL for NULL). */
DCTL_EXPORT int dctl_stop_get_last_signal(const struct dctl_stop *s);

/* The probe of the pidfile the last run acted on (owned by s), or NULL. */
DCTL_EXPORT const struct dctl_status *dctl_stop_get_status(
	const struct dctl_stop *s);

/* The schedule a run follows: the one set, else the default (owned by s). */
DCTL_EXPORT const struct dctl_schedule *dctl_stop_get_schedule(
	const struct dctl_stop *s);

/* Accepts NULL. */
DCTL_EXPORT void dctl_stop_free(struct dctl_stop *s);

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

/*
 * A descriptor that becomes readable when the caller wants the start
 * called off (a signalfd for SIGINT, SIGTERM and SIGHUP, a pipe, an
 * eventfd); -1: none. It is only polled, never read or closed. While the
 * start waits for --wait, READY=1 or a --forking program, its becoming
 * readable ends the program, removes the pidfile and makes
 * dctl_spawn_start() return -EINTR. The library installs no signal
 * handler of its own.
 */
DCTL_EXPORT int dctl_spawn_set_cancel_fd(struct dctl_spawn *s, int fd);

/* Where the start's diagnostics go; fn NULL: nowhere. */
DCTL_EXPORT int dctl_spawn_set_log(struct dctl_spawn *s, dctl_log_fn fn,
				   void *data);

/*
 * The daemon's resources and privileges (added in 1.1.0). Each value is
 * checked when set (-EINVAL, get_detail() naming the option and what is
 * wrong) and applied in every daemon started from s, before exec: the
 * limits and scheduling before the switch to the user, the capabilities
 * kept across it. See daemon-start(1) for the forms of the texts.
 *
 * set_limit: "NAME=SOFT[:HARD]" (nofile, core, nproc, as, data, fsize,
 * memlock, stack, cpu, locks, sigpending, msgqueue, nice, rtprio,
 * rttime, rss; a number, a size with K/M/G for bytes, or "unlimited");
 * a later limit of the same resource replaces the earlier.
 * set_iosched: "CLASS[:LEVEL]" (idle, best-effort, real-time; 0..7);
 * set_procsched: "POLICY[:PRIORITY]" (other, fifo, rr, batch, idle);
 * NULL for either: unchanged. set_oom_score_adj: -1000..1000.
 * set_group: a group name or number, with or without set_user(); NULL:
 * none. set_capabilities: "CAP[,CAP...]" as in capabilities(7), with or
 * without "cap_", kept (ambient) across the switch to set_user()'s user,
 * which must not be root; replaces an earlier list; NULL: none.
 * add_env_file: a file of NAME=VALUE lines (systemd's EnvironmentFile=
 * format), read now to check it and again at every start; with the
 * add_env() entries, a later one wins. set_clear_env: the program gets a
 * default PATH and what these give, not the caller's environment.
 */
DCTL_EXPORT int dctl_spawn_set_limit(struct dctl_spawn *s, const char *spec);
DCTL_EXPORT int dctl_spawn_set_iosched(struct dctl_spawn *s,
				       const char *spec);
DCTL_EXPORT int dctl_spawn_set_procsched(struct dctl_spawn *s,
					 const char *spec);
DCTL_EXPORT int dctl_spawn_set_oom_score_adj(struct dctl_spawn *s, int adj);
DCTL_EXPORT int dctl_spawn_set_no_new_privs(struct dctl_spawn *s, bool on);
DCTL_EXPORT int dctl_spawn_set_group(struct dctl_spawn *s, const char *group);
DCTL_EXPORT int dctl_spawn_set_capabilities(struct dctl_spawn *s,
					    const char *list);
DCTL_EXPORT int dctl_spawn_add_env_file(struct dctl_spawn *s,
					const char *path);
DCTL_EXPORT int dctl_spawn_set_clear_env(struct dctl_spawn *s, bool on);

/*
 * Supervision (added in 1.1.0; daemon-start(1) --respawn). With a policy
 * other than DCTL_RESPAWN_NONE, dctl_spawn_start() forks one resident
 * supervisor, detached, which makes the first start itself (every failure
 * is reported as without supervision, and leaves nothing behind), holds
 * the pidfile's lock from then on and starts the program again, with the
 * whole recipe and a fresh instance id, whenever it exits.
 * set_respawn: ALWAYS, or ON_FAILURE (not after exit 0).
 * set_respawn_stable_ns: a run that lived this long (from READY=1 with
 * DCTL_READY_NOTIFY) is stable and is restarted at once (default 10 s).
 * set_respawn_delay_ns / _delay_max_ns: after an unstable run, the first
 * delay, doubled after each further one up to the maximum (0.1 s, 30 s).
 * set_respawn_limit: give up after n restarts within any window_ns
 * (n 1..1000, window above 0); n 0: never give up (the default).
 * Negative durations are -EINVAL; the combination (the maximum below the
 * delay, a setting without a policy, DCTL_READY_FORKING) is checked by
 * dctl_spawn_start(), which refuses it with -EINVAL and a detail.
 */
enum dctl_respawn {
	DCTL_RESPAWN_NONE = 0,
	DCTL_RESPAWN_ALWAYS = 1,
	DCTL_RESPAWN_ON_FAILURE = 2,
};

DCTL_EXPORT int dctl_spawn_set_respawn(struct dctl_spawn *s,
				       enum dctl_respawn policy);
DCTL_EXPORT int dctl_spawn_set_respawn_stable_ns(struct dctl_spawn *s,
						 int64_t ns);
DCTL_EXPORT int dctl_spawn_set_respawn_delay_ns(struct dctl_spawn *s,
						int64_t ns);
DCTL_EXPORT int dctl_spawn_set_respawn_delay_max_ns(struct dctl_spawn *s,
						    int64_t ns);
DCTL_EXPORT int dctl_spawn_set_respawn_limit(struct dctl_spawn *s,
					     unsigned int n, int64_t window_ns);

/*
 * The texts of daemon-start's options. respawn_parse: NULL (no value),
 * "always" or "on-failure". respawn_seconds_parse: a duration in seconds,
 * decimals allowed ("0.25"; at most nine after the point), no sign, unit
 * or blank. respawn_limit_parse: "N/SECONDS". 0, -EINVAL malformed (the
 * outputs untouched) or -ERANGE out of range.
 */
DCTL_EXPORT int dctl_respawn_parse(const char *text,
				   enum dctl_respawn *policy);
DCTL_EXPORT int dctl_respawn_seconds_parse(const char *text, int64_t *ns);
DCTL_EXPORT int dctl_respawn_limit_parse(const char *text, unsigned int *n,
					 int64_t *window_ns);

/*
 * The program's output through a log keeper (added in 1.1.0): one
 * resident process per daemon that reads the program's stdout and stderr
 * through pipes, and writes each line to syslog or to the output file.
 * Checked when set (-EINVAL, get_detail() naming the daemon-start option)
 * and together at the start (a size needs an output file, ...). See
 * daemon-start(1).
 *
 * set_syslog: the streams that set_stdout()/set_stderr() send to no file
 * go to the local syslog socket, one message per line, stdout at info and
 * stderr at err, under facility (a name, see dctl_syslog_facility_parse();
 * NULL: "daemon"). set_syslog_tag: the tag of those messages (1 to 64
 * printable characters, no blank, ':', '[' or ']'; NULL: the program's
 * base name), followed by the program's PID.
 * set_output_max_size: the output files are rotated to FILE.1 ...
 * before they would pass size ("10M", "512K", "1G", or bytes; K = 1024;
 * NULL: never), keeping set_output_keep() of them (0..1000, default 5).
 * set_timestamps: each line written to a file starts with its time, in
 * ISO 8601 UTC with microseconds.
 */
DCTL_EXPORT int dctl_spawn_set_syslog(struct dctl_spawn *s,
				      const char *facility);
DCTL_EXPORT int dctl_spawn_set_syslog_tag(struct dctl_spawn *s,
					  const char *tag);
DCTL_EXPORT int dctl_spawn_set_output_max_size(struct dctl_spawn *s,
					       const char *size);
DCTL_EXPORT int dctl_spawn_set_output_keep(struct dctl_spawn *s,
					   unsigned int n);
DCTL_EXPORT int dctl_spawn_set_timestamps(struct dctl_spawn *s, bool on);

/*
 * Start the program detached (see daemon-start(1)). Returns 0 started;
 * -EEXIST already running (and nothing else: get_pid() is the holder);
 * -ETIMEDOUT readiness timeout; -ECHILD the program exited or was killed
 * during startup; -EINTR the cancel descriptor became readable while the
 * start waited; -ECANCELED the daemon reported failure with ERRNO=,
 * which get_error() returns (stage DCTL_STAGE_READY); another -errno with
 * get_stage() and get_detail() saying where and what; -EINVAL for a NULL
 * s. A failure leaves no pidfile and no process behind.
 * With a --wait, DCTL_READY_NOTIFY or DCTL_READY_FORKING the process is a
 * child subreaper for the call (restored after), so two threads must not
 * make such starts at once, and the daemon stays the caller's child (reap
 * it or ignore SIGCHLD); a plain start has neither effect.
 * A start may be made again with the same object (a retry, another
 * setting): each one replaces the results of the one before.
 * The daemon's environment is read from environ during the call, without
 * copying its strings: nothing (the log callback, another thread) may
 * change the environment until the call returns, a putenv() buffer
 * included.
 */
DCTL_EXPORT int dctl_spawn_start(struct dctl_spawn *s);

/*
 * Added in 1.1: run the program in the calling process itself, as
 * start-stop-daemon does without --background. The checks of
 * dctl_spawn_start() (program, directories, user, environment), then,
 * with a pidfile set, its lock taken and our PID written (-EEXIST if a
 * daemon holds it), then nice, chroot, chdir, umask and the user switch
 * of the daemon recipe, and execve() with the start's environment. Nothing
 * is detached; stdio, signals and other descriptors stay as they are (the
 * pidfile lock is inherited by the program). Only DCTL_READY_EXEC without
 * a wait is possible (-EINVAL otherwise). With test set, returns 0 after
 * the checks. Otherwise it returns only on failure, -errno with get_stage()
 * and get_detail(); credentials and directories may have changed by then,
 * so the caller should only report and exit.
 */
DCTL_EXPORT int dctl_spawn_exec(struct dctl_spawn *s);

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
/* The supervisor of a supervised start that succeeded, else 0 (1.1.0). */
DCTL_EXPORT pid_t dctl_spawn_get_supervisor(const struct dctl_spawn *s);

/*
 * An octal umask as daemon-start -k takes it: 1 to 4 octal digits, at most
 * 0777, nothing else (no sign, blank or "0o"). Returns 0 and *mask, or
 * -EINVAL (*mask untouched).
 */
DCTL_EXPORT int dctl_umask_parse(const char *text, mode_t *mask);

/*
 * A syslog facility by name, as logger(1) and syslog.conf(5) spell it:
 * kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron,
 * authpriv, ftp, local0 .. local7, in any case (added in 1.1.0). Returns
 * 0 and *facility, its LOG_ value of <syslog.h> (LOG_LOCAL3 for
 * "local3"), or -EINVAL (*facility untouched).
 */
DCTL_EXPORT int dctl_syslog_facility_parse(const char *name, int *facility);

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
 * Syslog opened in the daemon (added in 1.1.0): once its descriptors are
 * in place, the daemon calls openlog(ident, LOG_PID | LOG_NDELAY,
 * facility), so that its syslog(3) calls work and the socket is already
 * connected when it drops privileges or enters a chroot. facility is a
 * LOG_ facility of <syslog.h> (LOG_DAEMON, LOG_LOCAL0, ...; see
 * dctl_syslog_facility_parse()); ident is copied and kept for the
 * daemon's life. ident NULL: no openlog (the default). Not "".
 */
DCTL_EXPORT int dctl_daemonize_opts_set_syslog(struct dctl_daemonize_opts *o,
					       const char *ident,
					       int facility);

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
