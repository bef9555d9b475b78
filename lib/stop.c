/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stop a daemon along a schedule, as daemon-stop(1) does.
 *
 * The probe decides whether the pidfile is live (the one rule, shared with
 * status and start). Then the process is pinned with a pidfd and checked
 * again through /proc *after* the pidfd exists: if it is still the process
 * the probe saw (same start time, not exited), the pidfd refers to it, and
 * every signal goes through the pidfd, so a PID recycled meanwhile is never
 * hit. The wait is poll(2) on the pidfd, which wakes at exit, zombie or
 * not. Only where pidfds do not exist (ENOSYS) do we fall back to kill(2)
 * and proc_wait_exit()'s bounded poll.
 *
 * A supervised daemon is stopped through its supervisor, pinned the same
 * way (a pidfd, then the state record, its start time and its hold on the
 * pidfile's lock checked): the first signal goes as a request to end
 * supervision, so no restart can follow whatever the program does, the
 * later ones of the schedule as requests to forward them, and the wait is
 * for the supervisor, which exits only once the program is reaped and the
 * pidfile removed. See supervise.h for the protocol.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "daemonctl.h"
#include "proc.h"
#include "schedule.h"
#include "status.h"
#include "supervise.h"
#include "util.h"

/* The longest wait handed to proc_wait_exit() at once (one day). */
#define WAIT_CHUNK_MS (24 * 3600 * 1000)

struct dctl_stop {
	/* What the caller set. */
	char *pidfile;
	int sig;
	struct dctl_schedule sched;	/* the default for sig, unless set */
	bool sched_set;
	bool no_wait;			/* send the first signal, return */
	bool process_group;		/* signal the daemon's group */
	bool keep_pidfile;
	bool test;			/* decide, send nothing */
	struct dctl_match *match;	/* NULL: no condition */
	dctl_log_fn log;
	void *log_data;

	/* What the last run found and did. */
	struct dctl_status *status;	/* the probe it acted on */
	char sched_text[512];
	pid_t pid;
	int last_signal;
	pid_t pgrp;		/* the daemon's group, with process_group */
	int pidfd;		/* -1: no pidfds, kill(2) fallback */
	int svfd;		/* the supervisor's pidfd, or -1 */
	bool asked_stop;	/* the supervisor has the stop request */
	long long sent_ms;	/* when the first signal went out */
};

/* Internal: dctl_stop_run() with the pidfd path selectable, for the tests. */
int stop_run(struct dctl_stop *sp, bool use_pidfd);

#define slog(sp, level, ...) \
	util_log((sp)->log, (sp)->log_data, (level), __VA_ARGS__)

int dctl_stop_new(struct dctl_stop **out, const char *pidfile)
{
	struct dctl_stop *sp;

	if (!out || !pidfile || !*pidfile)
		return -EINVAL;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	sp->pidfile = strdup(pidfile);
	if (!sp->pidfile) {
		free(sp);
		return -ENOMEM;
	}
	sp->sig = SIGTERM;
	schedule_default(&sp->sched, sp->sig);
	sp->pidfd = -1;
	sp->svfd = -1;
	*out = sp;
	return 0;
}

void dctl_stop_free(struct dctl_stop *sp)
{
	if (!sp)
		return;
	dctl_status_free(sp->status);
	dctl_match_free(sp->match);
	free(sp->pidfile);
	free(sp);
}

int dctl_stop_set_signal(struct dctl_stop *sp, int sig)
{
	if (!sp || !dctl_signal_name(sig))
		return -EINVAL;
	sp->sig = sig;
	if (!sp->sched_set)
		schedule_default(&sp->sched, sig);
	return 0;
}

int dctl_stop_set_schedule(struct dctl_stop *sp,
			   const struct dctl_schedule *sched)
{
	if (!sp)
		return -EINVAL;
	sp->sched_set = sched != NULL;
	if (sched)
		sp->sched = *sched;
	else
		schedule_default(&sp->sched, sp->sig);
	return 0;
}

int dctl_stop_set_no_wait(struct dctl_stop *sp, bool no_wait)
{
	if (!sp)
		return -EINVAL;
	sp->no_wait = no_wait;
	return 0;
}

int dctl_stop_set_process_group(struct dctl_stop *sp, bool on)
{
	if (!sp)
		return -EINVAL;
	sp->process_group = on;
	return 0;
}

int dctl_stop_set_keep_pidfile(struct dctl_stop *sp, bool keep)
{
	if (!sp)
		return -EINVAL;
	sp->keep_pidfile = keep;
	return 0;
}

int dctl_stop_set_test(struct dctl_stop *sp, bool test)
{
	if (!sp)
		return -EINVAL;
	sp->test = test;
	return 0;
}

int dctl_stop_set_match(struct dctl_stop *sp, const struct dctl_match *m)
{
	struct dctl_match *copy = NULL;
	int r;

	if (!sp)
		return -EINVAL;
	if (m && (r = match_dup(m, &copy)) < 0)
		return r;
	dctl_match_free(sp->match);
	sp->match = copy;
	return 0;
}

int dctl_stop_set_log(struct dctl_stop *sp, dctl_log_fn fn, void *userdata)
{
	if (!sp)
		return -EINVAL;
	sp->log = fn;
	sp->log_data = userdata;
	return 0;
}

pid_t dctl_stop_get_pid(const struct dctl_stop *sp)
{
	return sp ? sp->pid : -EINVAL;
}

int dctl_stop_get_last_signal(const struct dctl_stop *sp)
{
	return sp ? sp->last_signal : -EINVAL;
}

const struct dctl_status *dctl_stop_get_status(const struct dctl_stop *sp)
{
	return sp ? sp->status : NULL;
}

const struct dctl_schedule *dctl_stop_get_schedule(const struct dctl_stop *sp)
{
	return sp ? &sp->sched : NULL;
}

static int stop_untrusted(struct dctl_stop *sp)
{
	slog(sp, DCTL_LOG_INFO,
	     "%s: not trusted (a non-root user could have written it); refusing without an --exec or --user match",
	     sp->pidfile);
	return -EPERM;
}

/* Probe the pidfile: is there a live daemon we may signal? */
static int stop_resolve(struct dctl_stop *sp)
{
	char eb[UTIL_STRERROR_MAX];
	struct dctl_status *st;
	int r;

	r = dctl_probe(sp->pidfile, DCTL_PROBE_DETAILS, &sp->status);
	if (r < 0)
		return r;
	st = sp->status;
	switch (st->state) {
	case DCTL_STATE_NOT_RUNNING:
		slog(sp, DCTL_LOG_INFO, "%s: no pidfile, nothing to stop",
		     sp->pidfile);
		return -ESRCH;
	case DCTL_STATE_DEAD:
		slog(sp, DCTL_LOG_INFO, "%s: stale pidfile (%s), nothing sent",
		     sp->pidfile, st->reason ? st->reason : "not running");
		return -ESRCH;
	case DCTL_STATE_UNKNOWN:
		slog(sp, DCTL_LOG_INFO, "%s: %s", sp->pidfile,
		     st->reason ? st->reason :
		     util_strerror(st->error, eb, sizeof(eb)));
		return st->error < 0 ? st->error : -EIO;
	case DCTL_STATE_RUNNING:
		break;
	case DCTL_STATE_RESTARTING:
		/* No program runs: the supervisor, which the pidfile names, is
		 * all there is to stop, and no match is about it. */
		if (st->pid < 2 || st->supervisor != st->pid)
			return -EBADMSG;
		if (!st->trusted)
			return stop_untrusted(sp);
		sp->pid = st->pid;
		return 0;
	default:
		return -EIO;
	}
	/* Safety rule 1, whatever the probe said. */
	if (st->pid < 2)
		return -EBADMSG;
	if (match_any(sp->match) && dctl_status_match(st, sp->match) != 1) {
		slog(sp, DCTL_LOG_INFO, "%s: pid %d does not match (%s), nothing sent",
		     sp->pidfile, (int)st->pid, st->reason);
		return -ESRCH;
	}
	/* A pidfile others could write needs the process named by exe or uid. */
	if (!st->trusted && !match_names_process(sp->match))
		return stop_untrusted(sp);
	sp->pid = st->pid;
	return 0;
}

/*
 * Is PID still the process the probe saw, and not exited? (If the probe
 * could not read its start time, liveness is all we can check.)
 */
static int stop_same_process(struct dctl_stop *sp, struct proc_stat *ps)
{
	unsigned long long want = sp->status->start_ticks;
	int r;

	r = proc_read_stat(sp->pid, ps);
	if (r < 0)
		return r == -ESRCH ? -ESRCH : r;
	if (want && ps->start_ticks != want)
		return -ESRCH;
	if (ps->state == 'Z' || ps->state == 'X' || ps->state == 'x')
		return -ESRCH;
	return 0;
}

/* With --process-group: the group to signal, never 0, 1 or ours. */
static int stop_group_check(struct dctl_stop *sp, const struct proc_stat *ps)
{
	if (ps->pgrp < 2) {
		slog(sp, DCTL_LOG_INFO, "pid %d has process group %d: refusing to signal it",
		     (int)sp->pid, (int)ps->pgrp);
		return -EPERM;
	}
	/*
	 * A detached daemon has a session of its own. A group in our
	 * session could be the shell or job that runs us: never signal it.
	 */
	if (ps->pgrp == getpgrp() || ps->session == getsid(0)) {
		slog(sp, DCTL_LOG_INFO, "pid %d shares our session, so its process group %d may hold our caller: refusing to signal it",
		     (int)sp->pid, (int)ps->pgrp);
		return -EPERM;
	}
	if (sp->pgrp && ps->pgrp != sp->pgrp)
		return -ESRCH;
	sp->pgrp = ps->pgrp;
	return 0;
}

/* Pin the process: pidfd first, then confirm it is the one probed. */
static int stop_pin(struct dctl_stop *sp, bool use_pidfd)
{
	struct proc_stat ps;
	int r;

	sp->pidfd = -1;
	if (use_pidfd) {
		r = proc_pidfd_open(sp->pid);
		if (r >= 0)
			sp->pidfd = r;
		else if (r != -ENOSYS)
			return r;
	}
	if (sp->pidfd < 0)
		slog(sp, DCTL_LOG_DEBUG, "no pidfd: signals through kill(2), a bounded poll for the exit");
	r = stop_same_process(sp, &ps);
	if (r < 0)
		return r;
	if (sp->process_group)
		return stop_group_check(sp, &ps);
	return 0;
}

/*
 * A signal of the schedule as a request to the supervisor: the first one
 * ends supervision (with --no-wait, none does), the later ones are
 * forwarded to the program.
 */
static int stop_ask_supervisor(struct dctl_stop *sp, int sig)
{
	unsigned flags = (sp->process_group ? SV_F_GROUP : 0) |
			 (sp->keep_pidfile ? SV_F_KEEP_PIDFILE : 0);
	enum sv_op op = sp->no_wait || sp->asked_stop ? SV_OP_FORWARD :
			SV_OP_STOP;
	int r;

	r = proc_pidfd_sigqueue(sp->svfd, SV_SIGNAL, sv_request(op, sig, flags));
	if (r < 0)
		return r;
	sp->asked_stop |= op == SV_OP_STOP;
	sp->last_signal = sig;
	if (!sp->sent_ms)
		sp->sent_ms = util_now_ms();
	return 0;
}

static int stop_send(struct dctl_stop *sp, int sig)
{
	struct proc_stat ps;
	int r;

	if (sp->svfd >= 0)
		return stop_ask_supervisor(sp, sig);

	/*
	 * Without a pidfd (and for a group, which has none) look again just
	 * before sending, to keep the PID-reuse window as small as it gets.
	 */
	if (sp->pidfd < 0 || sp->process_group) {
		r = stop_same_process(sp, &ps);
		if (r < 0)
			return r;
		if (sp->process_group) {
			r = stop_group_check(sp, &ps);
			if (r < 0)
				return r;
		}
	}
	if (sp->process_group)
		r = kill(-sp->pgrp, sig) < 0 ? -errno : 0;
	else if (sp->pidfd >= 0)
		r = proc_pidfd_signal(sp->pidfd, sig);
	else
		r = kill(sp->pid, sig) < 0 ? -errno : 0;
	if (r < 0)
		return r;
	sp->last_signal = sig;
	if (!sp->sent_ms)
		sp->sent_ms = util_now_ms();
	return 0;
}

/* Wait up to secs for the daemon to exit: 0 exited, -ETIMEDOUT, -errno. */
static int stop_wait(struct dctl_stop *sp, int secs)
{
	struct util_deadline d = util_deadline_in((long long)secs * 1000);
	int r;
	/* A supervisor exits once the program is gone: wait for it. */
	int fd = sp->svfd >= 0 ? sp->svfd : sp->pidfd;
	pid_t pid = sp->svfd >= 0 ? sp->status->supervisor : sp->pid;

	do
		r = proc_wait_exit(fd, pid, util_deadline_left(d, WAIT_CHUNK_MS));
	while (r == -ETIMEDOUT && !util_deadline_passed(d));
	return r;
}

static void log_sent(struct dctl_stop *sp, size_t i, int sig)
{
	const struct schedule_step *next = i + 1 < sp->sched.n ?
		&sp->sched.step[i + 1] : NULL;
	char whom[48];

	if (sp->process_group)
		snprintf(whom, sizeof(whom), "process group %d", (int)sp->pgrp);
	else
		snprintf(whom, sizeof(whom), "%d", (int)sp->pid);
	if (next && next->kind == DCTL_STEP_TIMEOUT && !sp->no_wait)
		slog(sp, DCTL_LOG_INFO, "sent %s to %s, waiting up to %d s",
		     dctl_signal_name(sig), whom, next->value);
	else
		slog(sp, DCTL_LOG_INFO, "sent %s to %s", dctl_signal_name(sig),
		     whom);
}

/* One step: 0 go on, 1 the daemon is gone, -errno. */
static int stop_step(struct dctl_stop *sp, size_t i)
{
	char eb[UTIL_STRERROR_MAX];
	const struct schedule_step *st = &sp->sched.step[i];
	int r;

	switch (st->kind) {
	case DCTL_STEP_SIGNAL:
		r = stop_send(sp, st->value);
		if (r == -ESRCH)
			return 1;
		if (r < 0) {
			slog(sp, DCTL_LOG_INFO, "cannot send %s to %d: %s",
			     dctl_signal_name(st->value), (int)sp->pid,
			     util_strerror(-r, eb, sizeof(eb)));
			return r;
		}
		log_sent(sp, i, st->value);
		return 0;
	case DCTL_STEP_TIMEOUT:
		if (i == 0 || sp->sched.step[i - 1].kind != DCTL_STEP_SIGNAL)
			slog(sp, DCTL_LOG_INFO, "waiting up to %d s for %d to exit",
			     st->value, (int)sp->pid);
		r = stop_wait(sp, st->value);
		if (r == 0)
			return 1;
		if (r != -ETIMEDOUT)
			return r;
		slog(sp, DCTL_LOG_INFO, "%d still running after %d s",
		     (int)sp->pid, st->value);
		return 0;
	case DCTL_STEP_FOREVER:
		return 0;
	}
	return -EINVAL;
}

/* Run the schedule: 0 the daemon is gone, -ETIMEDOUT, -errno. */
static int stop_follow(struct dctl_stop *sp)
{
	size_t i, forever = sp->sched.n;
	int r;

	for (i = 0;; i++) {
		if (i == sp->sched.n) {
			/* "forever" repeats what follows it. */
			if (forever == sp->sched.n)
				break;
			i = forever + 1;
		}
		if (sp->sched.step[i].kind == DCTL_STEP_FOREVER)
			forever = i;
		r = stop_step(sp, i);
		if (r < 0)
			return r;
		if (r == 1)
			return 0;
	}
	/* The schedule may end in a signal: has that already worked? */
	if (sp->svfd >= 0)
		r = proc_wait_exit(sp->svfd, sp->status->supervisor, 0);
	else
		r = proc_wait_exit(sp->pidfd, sp->pid, 0);
	return r == 0 ? 0 : -ETIMEDOUT;
}

/* The index of the schedule's first signal (what --no-wait sends). */
static int first_signal(const struct dctl_stop *sp, size_t *at)
{
	size_t i;

	for (i = 0; i < sp->sched.n; i++) {
		if (sp->sched.step[i].kind == DCTL_STEP_SIGNAL) {
			*at = i;
			return sp->sched.step[i].value;
		}
	}
	return 0;
}

/* --no-wait: the first signal of the schedule, and no more. */
static int stop_signal_once(struct dctl_stop *sp)
{
	char eb[UTIL_STRERROR_MAX];
	size_t i = 0;
	int sig = first_signal(sp, &i);
	int r;

	if (!sig)
		return -EINVAL;
	r = stop_send(sp, sig);
	if (r < 0) {
		slog(sp, DCTL_LOG_INFO, "cannot send %s to %d: %s",
		     dctl_signal_name(sig), (int)sp->pid,
		     util_strerror(-r, eb, sizeof(eb)));
		return r;
	}
	log_sent(sp, i, sig);
	return 0;
}

static void stop_test_report(struct dctl_stop *sp)
{
	size_t i = 0;
	int sig = first_signal(sp, &i);

	if (sp->no_wait)
		slog(sp, DCTL_LOG_INFO, "would send %s to %s%d and not wait",
		     sig ? dctl_signal_name(sig) : "nothing",
		     sp->process_group ? "the process group of " : "",
		     (int)sp->pid);
	else
		slog(sp, DCTL_LOG_INFO, "would stop %s%d along %s",
		     sp->process_group ? "the process group of " : "",
		     (int)sp->pid, sp->sched_text);
}

/*
 * The daemon is gone: remove its pidfile, but only if the path still
 * names the file the probe looked at, and that file still names this PID
 * (a new instance may have started meanwhile). Failures are not fatal.
 */
/* How long to retry removing a pidfile whose dead daemon's lock is still
 * held: a probe looking at its descriptors as it exits holds them for
 * moments, and the lock goes with them. */
#define REMOVE_RETRY_MS 50
#define REMOVE_NAP_MS 2

struct stale_removal {
	const char *path;
	pid_t pid;
};

static int remove_stale_once(void *arg)
{
	const struct stale_removal *w = arg;
	int r = dctl_pidfile_remove_stale(w->path, w->pid);

	return r == -EBUSY ? -EAGAIN : r;
}

static int remove_stale_soon(const char *path, pid_t pid)
{
	struct stale_removal w = { path, pid };
	int r;

	r = util_retry(util_deadline_in(REMOVE_RETRY_MS), REMOVE_NAP_MS,
		       REMOVE_NAP_MS, remove_stale_once, &w);
	return r == -ETIMEDOUT ? -EBUSY : r;
}

/* The record of a supervisor that is gone, once its daemon is too. */
static void stop_forget_record(struct dctl_stop *sp)
{
	char path[PATH_MAX];

	if (svstate_path(sp->pidfile, path, sizeof(path)) == 0)
		svstate_remove(path);
}

static void stop_remove_pidfile(struct dctl_stop *sp)
{
	char eb[UTIL_STRERROR_MAX];
	const struct dctl_status *st = sp->status;
	struct stat now;
	int r;

	if (lstat(sp->pidfile, &now) < 0 || now.st_dev != st->dev ||
	    now.st_ino != st->ino) {
		slog(sp, DCTL_LOG_DEBUG, "%s: replaced or removed meanwhile, left alone",
		     sp->pidfile);
		return;
	}
	r = remove_stale_soon(sp->pidfile, sp->pid);
	if (r == 0 && st->supervised)
		stop_forget_record(sp);
	if (r == 0)
		slog(sp, DCTL_LOG_DEBUG, "removed %s", sp->pidfile);
	else if (r == -EBUSY || r == -ENOENT)
		slog(sp, DCTL_LOG_DEBUG, "%s: locked or rewritten by another process, left alone",
		     sp->pidfile);
	else
		slog(sp, DCTL_LOG_WARNING, "%s: cannot remove: %s",
		     sp->pidfile, util_strerror(-r, eb, sizeof(eb)));
}

/*
 * Pin the supervisor the probe found: a pidfd first, then the record read
 * again must name it with its start time, and it must hold the pidfile's
 * lock. 0 (sp->svfd set), -ESRCH if it is gone or is not that process,
 * -errno (-ENOSYS: no pidfds, where a request cannot be pinned).
 */
static int stop_pin_supervisor(struct dctl_stop *sp)
{
	const struct dctl_status *st = sp->status;
	char path[PATH_MAX];
	struct svstate rec;
	uid_t owner;
	int fd, r;

	fd = proc_pidfd_open(st->supervisor);
	if (fd < 0)
		return fd;
	r = svstate_path(sp->pidfile, path, sizeof(path));
	if (!r)
		r = svstate_read(path, &rec, &owner);
	if (!r && (rec.supervisor != st->supervisor ||
		   (geteuid() == 0 && owner != 0) ||
		   svstate_supervisor_alive(&rec) != 1 ||
		   proc_holds_flock(rec.supervisor, st->dev, st->ino) != 1))
		r = -ESRCH;
	if (r < 0) {
		close(fd);
		return r == -ENOENT || r == -EBADMSG ? -ESRCH : r;
	}
	sp->svfd = fd;
	return 0;
}

/*
 * The supervisor is gone. If it went by itself (killed) and left the
 * program running, the program is now an unsupervised daemon: probe it
 * afresh, for the plain stop to take over. true if there is one.
 */
static bool stop_program_left(struct dctl_stop *sp)
{
	struct dctl_status *st;

	if (dctl_probe(sp->pidfile, DCTL_PROBE_DETAILS, &st) < 0)
		return false;
	if (st->state != DCTL_STATE_RUNNING || st->supervisor || st->pid < 2) {
		dctl_status_free(st);
		return false;
	}
	slog(sp, DCTL_LOG_INFO, "supervisor %d is gone, pid %d still runs: stopping it directly",
	     (int)sp->status->supervisor, (int)st->pid);
	dctl_status_free(sp->status);
	sp->status = st;
	sp->pid = st->pid;
	return true;
}

static int stop_supervised(struct dctl_stop *sp)
{
	int r;

	if (sp->no_wait)
		return stop_signal_once(sp);
	r = stop_follow(sp);
	if (r == -ETIMEDOUT)
		slog(sp, DCTL_LOG_INFO, "supervisor %d still running at the end of %s",
		     (int)sp->status->supervisor, sp->sched_text);
	else if (r == 0 && sp->sent_ms)
		slog(sp, DCTL_LOG_INFO, "%d and its supervisor gone %.3f s after the first signal",
		     (int)sp->pid,
		     (double)(util_now_ms() - sp->sent_ms) / 1000);
	return r;
}

static int stop_plain(struct dctl_stop *sp, bool use_pidfd)
{
	int r;

	r = stop_pin(sp, use_pidfd);
	if (r < 0) {
		if (r == -ESRCH)
			slog(sp, DCTL_LOG_INFO, "%d exited before it was signalled, nothing sent",
			     (int)sp->pid);
		return r;
	}
	if (sp->no_wait)
		return stop_signal_once(sp);
	r = stop_follow(sp);
	if (r == -ETIMEDOUT) {
		slog(sp, DCTL_LOG_INFO, "%d still running at the end of %s, pidfile kept",
		     (int)sp->pid, sp->sched_text);
		return r;
	}
	if (r < 0)
		return r;
	if (sp->sent_ms)
		slog(sp, DCTL_LOG_INFO, "%d exited %.3f s after the first signal",
		     (int)sp->pid, (double)(util_now_ms() - sp->sent_ms) / 1000);
	if (!sp->keep_pidfile)
		stop_remove_pidfile(sp);
	return 0;
}

static int stop_act(struct dctl_stop *sp, bool use_pidfd)
{
	bool restarting = sp->status->state == DCTL_STATE_RESTARTING;
	int r;

	if (sp->status->supervisor < 2 || !use_pidfd)
		return restarting ? -ESRCH : stop_plain(sp, use_pidfd);
	r = stop_pin_supervisor(sp);
	if (r == 0) {
		r = stop_supervised(sp);
		close(sp->svfd);
		sp->svfd = -1;
		if (r != 0 || sp->no_wait || !stop_program_left(sp))
			return r;
		sp->asked_stop = false;
		sp->last_signal = 0;
		sp->sent_ms = 0;
	} else if (r != -ESRCH && r != -ENOSYS) {
		return r;
	} else if (restarting) {
		slog(sp, DCTL_LOG_INFO, "supervisor %d is gone, nothing to stop",
		     (int)sp->pid);
		return -ESRCH;
	}
	return stop_plain(sp, use_pidfd);
}

/* Forget what an earlier run found. */
static void stop_reset(struct dctl_stop *sp)
{
	dctl_status_free(sp->status);
	sp->status = NULL;
	sp->pid = 0;
	sp->last_signal = 0;
	sp->pgrp = 0;
	sp->pidfd = -1;
	sp->svfd = -1;
	sp->asked_stop = false;
	sp->sent_ms = 0;
}

/*
 * What the settings allow. no_wait sends one signal and a schedule is a
 * plan for waiting, so asking for both says two things at once.
 */
static int stop_check(struct dctl_stop *sp)
{
	size_t first;
	int n;

	if (sp->no_wait && sp->sched_set)
		return -EINVAL;
	if (sp->no_wait && !first_signal(sp, &first))
		return -EINVAL;
	n = dctl_schedule_format(&sp->sched, sp->sched_text,
				 sizeof(sp->sched_text));
	if (n < 0 || (size_t)n >= sizeof(sp->sched_text))
		return -EINVAL;
	return 0;
}

int stop_run(struct dctl_stop *sp, bool use_pidfd)
{
	int r;

	if (!sp)
		return -EINVAL;
	stop_reset(sp);
	r = stop_check(sp);
	if (r < 0)
		return r;
	r = stop_resolve(sp);
	if (r < 0)
		return r;
	if (sp->test) {
		stop_test_report(sp);
		return 0;
	}
	r = stop_act(sp, use_pidfd);
	if (sp->pidfd >= 0)
		close(sp->pidfd);
	sp->pidfd = -1;
	return r;
}

int dctl_stop_run(struct dctl_stop *sp)
{
	return stop_run(sp, true);
}
