/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Supervision: the respawn policy and backoff (backoff.c), the state record
 * that status reads (svstate.c) and the supervisor's event loop
 * (supervise.c). Internal to the library.
 *
 * One supervisor process per supervised daemon. It holds the pidfile lock
 * from the first start to the end of supervision, is the parent of every
 * run of the program, and sleeps in one poll(2) on:
 *  - a pidfd of the current program (its exit is the only event of a
 *    healthy daemon's life: no timer is armed while the program runs);
 *  - a signalfd for the requests of daemon-stop, for SIGTERM/SIGINT/SIGHUP
 *    from anyone else, and for SIGCHLD of the program's orphans, which
 *    the supervisor (a subreaper) adopts and reaps;
 *  - a timerfd, armed only while it waits out a backoff delay;
 *  - the descriptors the log keeper registers (supervise_watch()).
 *
 * Ending supervision, as daemon-stop does it (race-free):
 *  1. Find the supervisor: the pidfile is live (locked) and its state
 *     record names a supervisor PID and start time; open a pidfd on that
 *     PID and check, after it is open, that the process still has that
 *     start time and holds the pidfile's lock through one of its
 *     descriptors. Only then may it be signalled.
 *  2. Send it SV_SIGNAL through the pidfd, queued (SI_QUEUE) with the
 *     value sv_request(SV_OP_STOP, SIG, flags). The supervisor handles
 *     signals before anything else in a wake-up, and looks for a pending
 *     request again right before each launch: once the request is queued,
 *     no new run of the program is started. It forwards SIG to the
 *     program if one runs (its own unreaped child, so the PID cannot have
 *     been reused), or, in a backoff, removes the pidfile and exits 0 at
 *     once.
 *  3. Wait on the supervisor's pidfd, for each wait of the schedule; for
 *     each further signal of the schedule send sv_request(SV_OP_FORWARD,
 *     SIG, flags). The supervisor exits right after it reaped the program
 *     and removed the pidfile (unless SV_F_KEEP_PIDFILE), so its exit
 *     means both are gone. Requests are real-time signals, so two stops
 *     racing each other queue, and none is lost.
 *  4. Should the supervisor vanish some other way (killed) while the
 *     pidfile is still live, the program is no longer supervised and the
 *     rest of the schedule goes to it directly, as for any daemon.
 * daemon-stop --no-wait --signal SIG sends sv_request(SV_OP_FORWARD, SIG):
 * the current program gets SIG and supervision goes on. A plain SIGTERM or
 * SIGINT to the supervisor (kill(1), a shutdown's killall5) means
 * SV_OP_STOP with SIGTERM; a plain SIGHUP is forwarded to the program.
 *
 * If the supervisor itself is killed (SIGKILL, the OOM killer), the
 * program is left running: a crash of the supervisor must not take a
 * service down. It keeps its inherited descriptor of the pidfile, so the
 * lock stays held and the pidfile stays live and names it; the state
 * record still names the dead supervisor, so status sees that its PID or
 * start time no longer match and reports the daemon as running
 * unsupervised. Killed during a backoff, when no program runs, the lock
 * goes with it and status reports the pidfile as dead.
 *
 * Wiring (with daemon-start): the supervisor is forked, detached, before
 * the first start and makes that start itself (the ordinary start, every
 * failure reported back to daemon-start, which exits with it); so it takes
 * the pidfile lock itself, is the program's parent from the first run on,
 * and /proc/locks names it as the lock's taker. Only a start that
 * succeeded is handed to supervise_adopt().
 *
 * During a backoff no program runs: the pidfile then names the supervisor
 * itself, so that "kill $(cat PIDFILE)" ends supervision instead of
 * hitting a PID that may have been reused, and pgrep -F finds a live
 * process holding the lock.
 */
#ifndef DCTL_SUPERVISE_H
#define DCTL_SUPERVISE_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemonctl.h"

/* ------------------------------------------------------------ the policy */

enum sv_respawn {
	SV_RESPAWN_NONE = 0,
	SV_RESPAWN_ALWAYS,
	SV_RESPAWN_ON_FAILURE,	/* not after exit 0 */
};

#define SV_STABLE_DEFAULT_NS	(10 * 1000000000LL)
#define SV_DELAY_DEFAULT_NS	(100 * 1000000LL)
#define SV_DELAY_MAX_DEFAULT_NS	(30 * 1000000000LL)
/* The most restarts a --respawn-limit window may count (one time each). */
#define SV_LIMIT_MAX 1000

struct backoff_cfg {
	enum sv_respawn policy;
	int64_t stable_ns;	/* a run this long is stable */
	int64_t delay_ns;	/* first delay after an unstable run */
	int64_t delay_max_ns;	/* the doubling stops here */
	unsigned limit_n;	/* give up after this many restarts... */
	int64_t limit_window_ns; /* ...within this window; 0 restarts: never */
	bool stable_from_ready;	/* count a run from its READY=1 */
};

/* The defaults: always, 10 s stable, 0.1 s doubling to 30 s, no limit. */
void backoff_cfg_init(struct backoff_cfg *c);

/*
 * A whole configuration is consistent: a policy, no negative duration, a
 * maximum no smaller than the first delay, and a limit with a window.
 * 0 or -EINVAL.
 */
int backoff_cfg_check(const struct backoff_cfg *c);

/* --respawn's value: NULL (no value) or "always", "on-failure". */
int backoff_parse_policy(const char *text, enum sv_respawn *policy);

/* --respawn-limit N/SECONDS: N in 1..SV_LIMIT_MAX, SECONDS above 0. */
int backoff_parse_limit(const char *text, unsigned *n, int64_t *window_ns);

/* How a run ended. */
enum sv_exit_kind {
	SV_EXIT_NONE = 0,	/* no run has ended yet */
	SV_EXIT_CODE,		/* exited; value is the status */
	SV_EXIT_SIGNAL,		/* killed; value is the signal */
	SV_EXIT_LAUNCH,		/* a restart failed; value is the errno */
};

struct sv_exit {
	enum sv_exit_kind kind;
	int value;
};

/* From waitid()'s result. */
void sv_exit_from_siginfo(struct sv_exit *e, const siginfo_t *si);

/* Did the run fail (anything but exit 0)? */
bool sv_exit_failed(const struct sv_exit *e);

/*
 * "exit 1", "signal SEGV", "signal 40", "start failed: No such file or
 * directory", "none". Like snprintf.
 */
int sv_exit_format(const struct sv_exit *e, char *buf, size_t size);

struct backoff {
	struct backoff_cfg cfg;
	int64_t next_delay_ns;	/* for the next unstable run */
	int64_t started_ns;	/* the current run's start... */
	int64_t ready_ns;	/* ...and READY=1 (-1: not yet) */
	unsigned restarts;	/* since supervision began */
	int64_t *ring;		/* the times of the last limit_n restarts */
	size_t ring_next, ring_used;
};

/* 0 or -EINVAL (backoff_cfg_check) / -ENOMEM. */
int backoff_init(struct backoff *b, const struct backoff_cfg *cfg);
void backoff_free(struct backoff *b);

/* A run began at now: the first start (restart false) or a restart. */
void backoff_started(struct backoff *b, int64_t now, bool restart);

/* The run reported READY=1 at now (only the first report counts). */
void backoff_ready(struct backoff *b, int64_t now);

enum backoff_verdict {
	BACKOFF_END,		/* exit 0 under on-failure: supervision ends */
	BACKOFF_NOW,		/* restart at once (after a stable run) */
	BACKOFF_LATER,		/* restart after *delay_ns */
	BACKOFF_GIVE_UP,	/* the limit would be passed */
};

/*
 * The run ended at now, as e says: what next. A failed launch is never a
 * stable run. With a limit of N restarts in W, the restart would be the
 * N+1th within W of its own time: give up then.
 */
enum backoff_verdict backoff_exited(struct backoff *b, int64_t now,
				    const struct sv_exit *e,
				    int64_t *delay_ns);

/* -------------------------------------------------------- the state record */

/*
 * PIDFILE.state, beside the pidfile, written by the supervisor only (the
 * lock makes it the only one), replaced whole through rename(2) at each
 * event (start, exit, restart, stop request, giving up) and never between
 * them, so a reader always sees one whole record and never has to wake the
 * supervisor. The name does not end in ".pid", so a run directory listing
 * does not take it for a daemon. Text, one "key value" line each:
 *
 *	daemonctl-state 1
 *	state restarting		running, restarting, stopping, failed
 *	supervisor 812 4711		PID and start time (clock ticks)
 *	pid 0				the program; 0 while none runs
 *	restarts 3
 *	last exit 1			exit N, signal N, launch ERRNO, none
 *	next 1234567890123		CLOCK_MONOTONIC ns of the next try
 *	limit 5 60000000000		--respawn-limit, with failed
 *
 * A reader refuses a record without the first line or with a malformed
 * known key, and skips keys it does not know (a later version's).
 */
enum svstate_kind {
	SVSTATE_RUNNING = 0,
	SVSTATE_RESTARTING,	/* in a backoff */
	SVSTATE_STOPPING,	/* asked to stop, the program not gone yet */
	SVSTATE_FAILED,		/* gave up; the supervisor has ended */
};

struct svstate {
	enum svstate_kind state;
	pid_t supervisor;
	unsigned long long supervisor_ticks;
	pid_t pid;
	unsigned restarts;
	struct sv_exit last;
	int64_t next_ns;
	unsigned limit_n;
	int64_t limit_window_ns;
};

/* The largest record svstate_parse() reads. */
#define SVSTATE_MAX 1024

/* "running", "restarting", "stopping", "failed", or NULL. */
const char *svstate_kind_str(enum svstate_kind k);

/* PIDFILE.state into buf. 0 or -ENAMETOOLONG. */
int svstate_path(const char *pidfile, char *buf, size_t size);

/* The same, malloc'd; NULL if out of memory. */
char *svstate_path_new(const char *pidfile);

/* The record's text. Like snprintf. */
int svstate_format(const struct svstate *s, char *buf, size_t size);

/* Parse a record. 0 or -EBADMSG. */
int svstate_parse(const char *buf, size_t len, struct svstate *s);

/*
 * Replace the record at path: write PATH.new (created exclusively, no
 * symlink followed), then rename it over path. 0 or -errno.
 */
int svstate_write(const char *path, const struct svstate *s);

/*
 * Read the record at path, refusing what is not a regular file. *owner
 * (may be NULL) gets its owner, for the caller's trust rules. 0, -ENOENT,
 * -EBADMSG, or another -errno.
 */
int svstate_read(const char *path, struct svstate *s, uid_t *owner);

/* Remove the record (and a PATH.new left over). 0 or -errno but ENOENT. */
int svstate_remove(const char *path);

/*
 * Is the supervisor the record names still that process: alive, not a
 * zombie, with the start time recorded? 1 yes, 0 no (gone, or its PID now
 * names another process), -errno if /proc could not tell. A caller about
 * to signal it opens a pidfd first and asks again afterwards.
 */
int svstate_supervisor_alive(const struct svstate *s);

/*
 * What status says in parentheses after the state word, e.g.
 * "last: exit 1, next try in 0.4s, 3 restarts" for restarting and
 * "gave up after 5 restarts in 60 s; last: exit 1" for failed; for
 * running, ", 3 restarts" or "" to go after the uptime. now_ns is
 * CLOCK_MONOTONIC. Like snprintf.
 */
int svstate_describe(const struct svstate *s, int64_t now_ns, char *buf,
		     size_t size);

/* ----------------------------------------------------- talking to it */

/* The signal that carries daemon-stop's requests (queued: none lost). */
#define SV_SIGNAL (SIGRTMIN + 4)

enum sv_op {
	SV_OP_STOP = 1,		/* end supervision, forward the signal */
	SV_OP_FORWARD = 2,	/* forward the signal, supervise on */
};

#define SV_F_GROUP		0x1	/* to the program's process group */
#define SV_F_KEEP_PIDFILE	0x2	/* leave the pidfile when it ends */

/* The value queued with SV_SIGNAL; sv_request_decode() is its inverse. */
int sv_request(enum sv_op op, int sig, unsigned flags);

/* 0 and the fields, or -EINVAL for a value no sv_request() made. */
int sv_request_decode(int value, enum sv_op *op, int *sig, unsigned *flags);

/* ------------------------------------------------------------ the loop */

struct supervisor;

struct supervise_ops {
	/*
	 * Start the program again, with the whole recipe; the new run
	 * writes its PID into the pidfile before exec. On success *pid is
	 * the program (a child of the calling process) and *pidfd a pidfd
	 * on it (close-on-exec; -1 where the kernel has none). -errno on
	 * failure, with nothing left running.
	 */
	int (*launch)(void *ctx, pid_t *pid, int *pidfd);
	/*
	 * The rest are optional (NULL), for a log keeper in the same loop,
	 * whose descriptors and timer change from one wake-up to the next
	 * (which supervise_watch()'s fixed entries cannot say).
	 *
	 * pollfds fills up to SUPERVISE_IO_MAX slots (fd -1: unused) and
	 * returns how many; timeout says in milliseconds when dispatch
	 * must run even if nothing is ready (-1: never, so an idle keeper
	 * costs no wake-up); dispatch runs after every wake-up with the
	 * slots as poll(2) returned them (a negative return ends the loop).
	 */
	int (*pollfds)(void *ctx, struct pollfd *pfd);
	int (*timeout)(void *ctx);
	int (*dispatch)(void *ctx, const struct pollfd *pfd, int n);
	/* The current run was reaped: before any restart. */
	void (*ended)(void *ctx);
	/* Supervision ends: before the state record and pidfile go, so
	 * that no new start can begin while the last lines are written. */
	void (*finishing)(void *ctx);
};

/* The most slots ops->pollfds may fill. */
#define SUPERVISE_IO_MAX 8

struct supervise_cfg {
	struct backoff_cfg backoff;
	const char *state_path;		/* NULL: keep no state record */
	struct dctl_pidfile *pidfile;	/* NULL: none (tests); taken over */
	/* One run only: its exit ends supervision (SUPERVISE_DONE), as it
	 * does when a log keeper runs without --respawn. */
	bool once;
	dctl_log_fn log;
	void *log_data;
};

/* Why supervise_run() returned (>= 0), or -errno. */
enum supervise_end {
	SUPERVISE_STOPPED = 0,	/* asked to stop, the program is gone */
	SUPERVISE_DONE,		/* on-failure and the program exited 0 */
	SUPERVISE_GAVE_UP,	/* the restart limit was reached */
};

/* 0 or -errno. ops and ctx must outlive the supervisor. */
int supervise_new(struct supervisor **out, const struct supervise_cfg *cfg,
		  const struct supervise_ops *ops, void *ctx);

/*
 * The first run, started by the ordinary start: its PID and pidfd (taken
 * over; -1 if none) and when it started (CLOCK_MONOTONIC ns).
 */
int supervise_adopt(struct supervisor *sv, pid_t pid, int pidfd,
		    int64_t started_ns);

/* The current run reported READY=1 (a watch callback calls this). */
void supervise_ready(struct supervisor *sv);

/*
 * A descriptor to poll in the same loop (the log keeper's pipes and
 * sockets): fn(data, fd, revents) runs when it is ready; a negative return
 * ends the loop with that error. The descriptor stays the caller's. At
 * most SUPERVISE_WATCH_MAX of them.
 * 0, -EINVAL or -ENOSPC.
 */
#define SUPERVISE_WATCH_MAX 8
typedef int (*supervise_watch_fn)(void *data, int fd, short revents);
int supervise_watch(struct supervisor *sv, int fd, short events,
		    supervise_watch_fn fn, void *data);

/* Stop polling fd (which stays open: it is the caller's). 0 or -ENOENT. */
int supervise_unwatch(struct supervisor *sv, int fd);

/*
 * Run the loop until supervision ends. Blocks SIGTERM, SIGINT, SIGHUP,
 * SIGCHLD and SV_SIGNAL in the calling thread to read them from a
 * signalfd, and leaves them blocked (the launch's recipe empties the mask
 * again for the program); reaps every child that exits: meant for a
 * process that does nothing else. Returns a supervise_end, or -errno if
 * the loop itself failed; then the program, if any, is left running, and
 * the state record names this (soon dead) process, which status reports.
 */
int supervise_run(struct supervisor *sv);

/* The locked pidfile the supervisor holds (NULL once it let it go), for
 * the launch, whose run writes its PID through it. */
struct dctl_pidfile *supervise_pidfile(const struct supervisor *sv);

/* The state as the record would say it (for tests and the caller). */
const struct svstate *supervise_state(const struct supervisor *sv);

/* Free; closes what the supervisor still holds. Accepts NULL. */
void supervise_free(struct supervisor *sv);

#endif
