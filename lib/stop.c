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
 *
 * The same run can instead stop the processes a scan found (dctl_scan):
 * each is pinned and confirmed the same way, every signal of the schedule
 * goes to each one still alive, and a wait ends when the last has gone.
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
#include "scan.h"
#include "schedule.h"
#include "status.h"
#include "supervise.h"
#include "util.h"

/* The longest wait handed to proc_wait_exit() at once (one day). */
#define WAIT_CHUNK_MS (24 * 3600 * 1000)

/* One process to stop, pinned by a pidfd once stop_pin() ran. */
struct target {
	pid_t pid;
	unsigned long long start_ticks;	/* 0: unknown, liveness only */
	int pidfd;			/* -1: no pidfds, kill(2) fallback */
	bool gone;
};

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
	struct target *set;		/* a scan's processes, instead of */
	size_t n_set;			/* the pidfile's daemon */
	dctl_log_fn log;
	void *log_data;

	/* What the last run found and did. */
	struct dctl_status *status;	/* the probe it acted on */
	char sched_text[512];
	pid_t pid;		/* the first target, for messages */
	int last_signal;
	pid_t pgrp;		/* the daemon's group, with process_group */
	struct target *t;	/* what this run stops: &single or set */
	size_t n;
	struct target single;	/* the pidfile's daemon */
	bool via_supervisor;	/* single is the daemon's supervisor */
	bool asked_stop;	/* ...which has the request to stop */
	long long sent_ms;	/* when the first signal went out */

	/*
	 * --process-group for a daemon that is gone while other processes
	 * (its children) still hold its lock: those are what is stopped,
	 * through their group; pid is the first of them.
	 */
	bool holders;
	struct target hold[PROC_HOLDERS_MAX];
};

/* Internal: dctl_stop_run() with the pidfd path selectable, for the tests. */
int stop_run(struct dctl_stop *sp, bool use_pidfd);

#define slog(sp, level, ...) \
	util_log((sp)->log, (sp)->log_data, (level), __VA_ARGS__)

int dctl_stop_new(struct dctl_stop **out, const char *pidfile)
{
	struct dctl_stop *sp;

	/* No pidfile: the processes will come from dctl_stop_set_scan(). */
	if (!out || (pidfile && !*pidfile))
		return -EINVAL;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	if (util_set_string(&sp->pidfile, pidfile) < 0) {
		free(sp);
		return -ENOMEM;
	}
	sp->sig = SIGTERM;
	schedule_default(&sp->sched, sp->sig);
	sp->single.pidfd = -1;
	*out = sp;
	return 0;
}

void dctl_stop_free(struct dctl_stop *sp)
{
	if (!sp)
		return;
	dctl_status_free(sp->status);
	dctl_match_free(sp->match);
	free(sp->set);
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

int dctl_stop_set_scan(struct dctl_stop *sp, const struct dctl_scan *sc)
{
	struct target *v = NULL;
	size_t i, n;

	if (!sp || sp->pidfile)
		return -EINVAL;
	n = sc ? dctl_scan_get_count(sc) : 0;
	if (n && !(v = calloc(n, sizeof(*v))))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct scan_proc *p = scan_result(sc, i);

		v[i].pid = p->pid;
		v[i].start_ticks = p->start_ticks;
		v[i].pidfd = -1;
	}
	free(sp->set);
	sp->set = v;
	sp->n_set = n;
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

static int holders_take(struct dctl_stop *sp);

static int stop_untrusted(struct dctl_stop *sp)
{
	slog(sp, DCTL_LOG_INFO,
	     "%s: not trusted (a non-root user could have written it); refusing without an --exec or --user match",
	     sp->pidfile);
	return -EPERM;
}

static void stop_target(struct dctl_stop *sp, const struct dctl_status *st)
{
	sp->pid = st->pid;
	sp->single = (struct target){
		.pid = st->pid, .start_ticks = st->start_ticks, .pidfd = -1,
	};
	sp->t = &sp->single;
	sp->n = 1;
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
		if (st->n_holders && sp->process_group)
			return holders_take(sp);
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
		stop_target(sp, st);
		return 0;
	default:
		return -EIO;
	}
	/* Safety rule 1, whatever the probe said. */
	if (st->pid < 2)
		return -EBADMSG;
	/* Running, but /proc will not show it to us: we may not signal it
	 * either, and must not call it gone. */
	if (st->hidden) {
		sp->pid = st->pid;
		slog(sp, DCTL_LOG_INFO, "%s: %s, nothing sent", sp->pidfile,
		     st->reason);
		return -EPERM;
	}
	if (match_any(sp->match) && dctl_status_match(st, sp->match) != 1) {
		slog(sp, DCTL_LOG_INFO, "%s: pid %d does not match (%s), nothing sent",
		     sp->pidfile, (int)st->pid, st->reason);
		return -ESRCH;
	}
	/* A pidfile others could write needs the process named by exe or uid. */
	if (!st->trusted && !match_names_process(sp->match))
		return stop_untrusted(sp);
	stop_target(sp, st);
	return 0;
}

/* A stop without a pidfile: the processes of dctl_stop_set_scan(). */
static int stop_take_set(struct dctl_stop *sp)
{
	size_t i;

	for (i = 0; i < sp->n_set; i++) {
		/* Safety rule 1, whatever the scan said. */
		if (sp->set[i].pid < 2)
			return -EBADMSG;
		sp->set[i].pidfd = -1;
		sp->set[i].gone = false;
	}
	if (!sp->n_set) {
		slog(sp, DCTL_LOG_INFO, "no process found, nothing to stop");
		return -ESRCH;
	}
	sp->t = sp->set;
	sp->n = sp->n_set;
	sp->pid = sp->set[0].pid;
	return 0;
}

static void close_pidfds(struct dctl_stop *sp)
{
	size_t i;

	for (i = 0; i < sp->n; i++) {
		if (sp->t[i].pidfd >= 0)
			close(sp->t[i].pidfd);
		sp->t[i].pidfd = -1;
	}
}

/*
 * Is the target still the process that was found, and not exited? (If its
 * start time could not be read, liveness is all we can check.)
 */
static int stop_same_process(const struct target *t, struct proc_stat *ps)
{
	int r;

	r = proc_read_stat(t->pid, ps);
	if (r < 0)
		return r == -ESRCH ? -ESRCH : r;
	if (t->start_ticks && ps->start_ticks != t->start_ticks)
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

/* ------------------------------------------------ the lock's holders */

/*
 * The daemon the pidfile names is gone, but the processes the probe found
 * still hold its lock: with --process-group, they are what this stop
 * ends, as targets of their own. All must share one process group (the
 * daemon's, which they inherited); stop_group_check() judges it, and
 * stop_pin() then pins each with a pidfd.
 * Returns 0, or -EPERM / -errno with nothing sent.
 */
static int holders_take(struct dctl_stop *sp)
{
	const struct dctl_status *st = sp->status;
	struct proc_stat ps;
	size_t i, n = st->n_holders < PROC_HOLDERS_MAX ? st->n_holders :
		      PROC_HOLDERS_MAX;
	int r;

	/* Whoever could write the file could also hold its lock. */
	if (!st->trusted) {
		slog(sp, DCTL_LOG_INFO, "%s: not trusted (a non-root user could have written it); refusing to stop the processes holding its lock",
		     sp->pidfile);
		return -EPERM;
	}
	sp->pgrp = 0;
	for (i = 0; i < n; i++) {
		/* Safety rule 1, whatever the probe said. */
		if (st->holders[i] < 2)
			return -EBADMSG;
		sp->pid = st->holders[i];
		r = proc_read_stat(sp->pid, &ps);
		if (r < 0)
			return r;
		/* The first sets the group; another group is refused. */
		r = stop_group_check(sp, &ps);
		if (r == -ESRCH)
			slog(sp, DCTL_LOG_INFO, "%s: the processes holding its lock are in different process groups, nothing sent",
			     sp->pidfile);
		if (r < 0)
			return r == -ESRCH ? -EPERM : r;
		sp->hold[i] = (struct target){
			.pid = st->holders[i], .start_ticks = ps.start_ticks,
			.pidfd = -1,
		};
	}
	sp->holders = true;
	sp->t = sp->hold;
	sp->n = n;
	sp->pid = sp->hold[0].pid;
	slog(sp, DCTL_LOG_INFO, "%s: %s; stopping their process group %d",
	     sp->pidfile, st->reason, (int)sp->pgrp);
	return 0;
}

/* Pin one process: pidfd first, then confirm it is the one found. */
static int pin_one(struct dctl_stop *sp, struct target *t, bool use_pidfd)
{
	struct proc_stat ps;
	int r;

	t->pidfd = -1;
	if (use_pidfd) {
		r = proc_pidfd_open(t->pid);
		if (r >= 0)
			t->pidfd = r;
		else if (r != -ENOSYS)
			return r;
	}
	if (t->pidfd < 0)
		slog(sp, DCTL_LOG_DEBUG, "no pidfd for %d: signals through kill(2), a bounded poll for the exit",
		     (int)t->pid);
	r = stop_same_process(t, &ps);
	if (r < 0)
		return r;
	if (sp->process_group)
		return stop_group_check(sp, &ps);
	return 0;
}

/* Pin every target; those already gone are marked so. -ESRCH: all gone. */
static int stop_pin(struct dctl_stop *sp, bool use_pidfd)
{
	size_t i, alive = 0;
	int r;

	for (i = 0; i < sp->n; i++) {
		r = pin_one(sp, &sp->t[i], use_pidfd);
		if (r == -ESRCH) {
			sp->t[i].gone = true;
			continue;
		}
		if (r < 0)
			return r;
		alive++;
	}
	return alive ? 0 : -ESRCH;
}

static size_t alive_count(const struct dctl_stop *sp)
{
	size_t i, alive = 0;

	for (i = 0; i < sp->n; i++)
		alive += !sp->t[i].gone;
	return alive;
}

/* The PID to name in a message when one target is left. */
static pid_t first_alive(const struct dctl_stop *sp)
{
	size_t i;

	for (i = 0; i < sp->n; i++)
		if (!sp->t[i].gone)
			return sp->t[i].pid;
	return sp->pid;
}

/*
 * A signal of the schedule as a request to the supervisor: the first one
 * ends supervision (with --no-wait, none does), the later ones are
 * forwarded to the program.
 */
static int stop_ask_supervisor(struct dctl_stop *sp, struct target *t,
			       int sig)
{
	unsigned flags = (sp->process_group ? SV_F_GROUP : 0) |
			 (sp->keep_pidfile ? SV_F_KEEP_PIDFILE : 0);
	enum sv_op op = sp->no_wait || sp->asked_stop ? SV_OP_FORWARD :
			SV_OP_STOP;
	int r;

	r = proc_pidfd_sigqueue(t->pidfd, SV_SIGNAL, sv_request(op, sig, flags));
	if (r < 0)
		return r;
	sp->asked_stop |= op == SV_OP_STOP;
	sp->last_signal = sig;
	if (!sp->sent_ms)
		sp->sent_ms = util_now_ms();
	return 0;
}

static int stop_send(struct dctl_stop *sp, struct target *t, int sig)
{
	struct proc_stat ps;
	int r;

	if (sp->via_supervisor)
		return stop_ask_supervisor(sp, t, sig);

	/*
	 * Without a pidfd (and for a group, which has none) look again just
	 * before sending, to keep the PID-reuse window as small as it gets.
	 */
	if (t->pidfd < 0 || sp->process_group) {
		r = stop_same_process(t, &ps);
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
	else if (t->pidfd >= 0)
		r = proc_pidfd_signal(t->pidfd, sig);
	else
		r = kill(t->pid, sig) < 0 ? -errno : 0;
	if (r < 0)
		return r;
	sp->last_signal = sig;
	if (!sp->sent_ms)
		sp->sent_ms = util_now_ms();
	return 0;
}

/* Send sig to every target still alive: 0, 1 all are gone, -errno. */
static int stop_send_all(struct dctl_stop *sp, int sig)
{
	char eb[UTIL_STRERROR_MAX];
	struct target *t;
	size_t i;
	int r;

	for (i = 0; i < sp->n; i++) {
		t = &sp->t[i];
		if (t->gone)
			continue;
		r = stop_send(sp, t, sig);
		if (r == -ESRCH) {
			t->gone = true;
			continue;
		}
		if (r < 0) {
			slog(sp, DCTL_LOG_INFO, "cannot send %s to %d: %s",
			     dctl_signal_name(sig), (int)t->pid,
			     util_strerror(-r, eb, sizeof(eb)));
			return r;
		}
		/* One signal to the group reached every target in it. */
		if (sp->process_group || sp->via_supervisor)
			break;
	}
	return alive_count(sp) ? 0 : 1;
}

/*
 * Wait up to secs for every target to exit: each in turn against the same
 * deadline, which ends when the last one has gone. 0 all exited,
 * -ETIMEDOUT, -errno.
 */
static int stop_wait(struct dctl_stop *sp, int secs)
{
	struct util_deadline d = util_deadline_in((long long)secs * 1000);
	struct target *t;
	size_t i;
	int r;

	for (i = 0; i < sp->n; i++) {
		t = &sp->t[i];
		if (t->gone)
			continue;
		do
			r = proc_wait_exit(t->pidfd, t->pid,
					   util_deadline_left(d, WAIT_CHUNK_MS));
		while (r == -ETIMEDOUT && !util_deadline_passed(d));
		if (r < 0)
			return r;
		t->gone = true;
	}
	return 0;
}

static void log_sent(struct dctl_stop *sp, size_t i, int sig)
{
	const struct schedule_step *next = i + 1 < sp->sched.n ?
		&sp->sched.step[i + 1] : NULL;
	char whom[48];

	if (sp->process_group)
		snprintf(whom, sizeof(whom), "process group %d", (int)sp->pgrp);
	else if (alive_count(sp) > 1)
		snprintf(whom, sizeof(whom), "%zu processes", alive_count(sp));
	else
		snprintf(whom, sizeof(whom), "%d", (int)first_alive(sp));
	if (next && next->kind == DCTL_STEP_TIMEOUT && !sp->no_wait)
		slog(sp, DCTL_LOG_INFO, "sent %s to %s, waiting up to %d s",
		     dctl_signal_name(sig), whom, next->value);
	else
		slog(sp, DCTL_LOG_INFO, "sent %s to %s", dctl_signal_name(sig),
		     whom);
}

/* One step: 0 go on, 1 every target is gone, -errno. */
static int stop_step(struct dctl_stop *sp, size_t i)
{
	const struct schedule_step *st = &sp->sched.step[i];
	int r;

	switch (st->kind) {
	case DCTL_STEP_SIGNAL:
		r = stop_send_all(sp, st->value);
		if (r == 0)
			log_sent(sp, i, st->value);
		return r;
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
	for (i = 0; i < sp->n; i++)
		if (!sp->t[i].gone &&
		    proc_wait_exit(sp->t[i].pidfd, sp->t[i].pid, 0) != 0)
			return -ETIMEDOUT;
	return 0;
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
	size_t i = 0;
	int sig = first_signal(sp, &i);
	int r;

	if (!sig)
		return -EINVAL;
	r = stop_send_all(sp, sig);
	if (r == 1)
		return -ESRCH;
	if (r < 0)
		return r;
	log_sent(sp, i, sig);
	return 0;
}

static void stop_test_report(struct dctl_stop *sp)
{
	size_t i = 0, j;
	int sig = first_signal(sp, &i);

	for (j = 1; j < sp->n; j++)
		slog(sp, DCTL_LOG_INFO, "would stop %d too", (int)sp->t[j].pid);
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

/*
 * Remove the pidfile of the dead process the probe found named in it.
 * Returns 0 (removed, or left to whoever replaced or rewrote it), -EBUSY
 * if its lock is still held, or another -errno (a warning is logged).
 */
static int stop_remove_pidfile(struct dctl_stop *sp)
{
	char eb[UTIL_STRERROR_MAX];
	const struct dctl_status *st = sp->status;
	struct stat now;
	int r;

	if (lstat(sp->pidfile, &now) < 0 || now.st_dev != st->dev ||
	    now.st_ino != st->ino) {
		slog(sp, DCTL_LOG_DEBUG, "%s: replaced or removed meanwhile, left alone",
		     sp->pidfile);
		return 0;
	}
	if (st->pid < 2) {
		slog(sp, DCTL_LOG_INFO, "%s: names no process, left alone",
		     sp->pidfile);
		return 0;
	}
	r = remove_stale_soon(sp->pidfile, st->pid);
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
	return r == -EBUSY ? r : 0;
}

static int stop_follow_logged(struct dctl_stop *sp)
{
	int r = stop_follow(sp);

	if (r == -ETIMEDOUT) {
		slog(sp, DCTL_LOG_INFO, "%d still running at the end of %s%s",
		     (int)sp->pid, sp->sched_text,
		     sp->pidfile ? ", pidfile kept" : "");
		return r;
	}
	if (r < 0)
		return r;
	if (sp->sent_ms)
		slog(sp, DCTL_LOG_INFO, "%d exited %.3f s after the first signal",
		     (int)sp->pid, (double)(util_now_ms() - sp->sent_ms) / 1000);
	return 0;
}

/*
 * The daemon is gone and its pidfile still locked: look again (the probe
 * waits for a start that took it over, and names who holds it). A new
 * instance is left alone. Processes that kept the daemon's lock (its
 * children) are stopped too with --process-group, along the schedule;
 * else -EBUSY, and the status names them.
 */
static int stop_lock_kept(struct dctl_stop *sp, bool use_pidfd)
{
	struct dctl_status *again;
	pid_t named = sp->status->pid;
	int r;

	r = dctl_probe(sp->pidfile, DCTL_PROBE_DETAILS, &again);
	if (r < 0)
		return r;
	if (again->state != DCTL_STATE_UNKNOWN || !again->n_holders ||
	    again->pid != named) {
		dctl_status_free(again);
		return 0;
	}
	dctl_status_free(sp->status);
	sp->status = again;
	if (!sp->process_group) {
		slog(sp, DCTL_LOG_INFO, "%s: %s, pidfile kept", sp->pidfile,
		     again->reason);
		return -EBUSY;
	}
	close_pidfds(sp);
	r = holders_take(sp);
	if (r == 0)
		r = stop_pin(sp, use_pidfd);
	if (r == 0)
		r = stop_follow_logged(sp);
	if (r == 0)
		r = stop_remove_pidfile(sp);
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
	r = stop_follow_logged(sp);
	if (r < 0 || !sp->pidfile || sp->keep_pidfile)
		return r;
	r = stop_remove_pidfile(sp);
	if (r == -EBUSY && !sp->holders)
		r = stop_lock_kept(sp, use_pidfd);
	return r;
}

/*
 * Pin the supervisor the probe found: a pidfd first, then the record read
 * again must name it with its start time, and it must hold the pidfile's
 * lock. It becomes the one target. 0, -ESRCH if it is gone or is not that
 * process, -errno (-ENOSYS: no pidfds, where a request cannot be pinned).
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
	sp->single = (struct target){
		.pid = rec.supervisor, .start_ticks = rec.supervisor_ticks,
		.pidfd = fd,
	};
	sp->t = &sp->single;
	sp->n = 1;
	sp->via_supervisor = true;
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
	     (int)sp->single.pid, (int)st->pid);
	dctl_status_free(sp->status);
	sp->status = st;
	close_pidfds(sp);
	stop_target(sp, st);
	sp->via_supervisor = false;
	sp->asked_stop = false;
	sp->last_signal = 0;
	sp->sent_ms = 0;
	return true;
}

static int stop_supervised(struct dctl_stop *sp)
{
	pid_t program = sp->pid;
	int r;

	if (sp->no_wait)
		return stop_signal_once(sp);
	r = stop_follow(sp);
	if (r == -ETIMEDOUT)
		slog(sp, DCTL_LOG_INFO, "supervisor %d still running at the end of %s",
		     (int)sp->single.pid, sp->sched_text);
	else if (r == 0 && sp->sent_ms)
		slog(sp, DCTL_LOG_INFO, "%d and its supervisor gone %.3f s after the first signal",
		     (int)program,
		     (double)(util_now_ms() - sp->sent_ms) / 1000);
	return r;
}

static int stop_act(struct dctl_stop *sp, bool use_pidfd)
{
	const struct dctl_status *st = sp->status;
	bool restarting = st && st->state == DCTL_STATE_RESTARTING;
	int r;

	if (!st || st->supervisor < 2 || !use_pidfd)
		return restarting ? -ESRCH : stop_plain(sp, use_pidfd);
	r = stop_pin_supervisor(sp);
	if (r == 0) {
		r = stop_supervised(sp);
		if (r != 0 || sp->no_wait || !stop_program_left(sp))
			return r;
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
	sp->t = NULL;
	sp->n = 0;
	sp->single.pidfd = -1;
	sp->via_supervisor = false;
	sp->asked_stop = false;
	sp->sent_ms = 0;
	sp->holders = false;
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
	/* A scan's processes have no pidfile, and no group to signal. */
	if (!sp->pidfile && sp->process_group)
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
	r = sp->pidfile ? stop_resolve(sp) : stop_take_set(sp);
	if (r < 0)
		return r;
	if (sp->test) {
		stop_test_report(sp);
		return 0;
	}
	r = stop_act(sp, use_pidfd);
	close_pidfds(sp);
	return r;
}

int dctl_stop_run(struct dctl_stop *sp)
{
	return stop_run(sp, true);
}
