/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stop a daemon along a schedule (SPEC 3 daemon-stop).
 *
 * The probe decides whether the pidfile is live (the one rule, shared with
 * status and start). Then the process is pinned with a pidfd and checked
 * again through /proc *after* the pidfd exists: if it is still the process
 * the probe saw (same start time, not exited), the pidfd refers to it, and
 * every signal goes through the pidfd, so a PID recycled meanwhile is never
 * hit. The wait is poll(2) on the pidfd, which wakes at exit, zombie or
 * not. Only where pidfds do not exist (ENOSYS) do we fall back to kill(2)
 * and proc_wait_exit()'s bounded poll.
 */
#include <errno.h>
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
#include "stop.h"
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

struct stopper {
	const struct dctl_stop_opts *o;
	struct dctl_stop_result *res;
	struct dctl_schedule sched;
	char sched_text[512];
	pid_t pid;		/* the first target, for messages */
	pid_t pgrp;		/* the daemon's group, with process_group */
	struct target *t;	/* what to stop: the pidfile's daemon, or */
	size_t n;		/* the processes a scan found */
	struct target single;
	long long sent_ms;	/* when the first signal went out */
};

#define slog(sp, level, ...) \
	util_log((sp)->o->log, (sp)->o->log_data, (level), __VA_ARGS__)

void dctl_stop_opts_init(struct dctl_stop_opts *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof(*o));
	o->sig = SIGTERM;
	o->match.uid = (uid_t)-1;
}

static bool match_given(const struct dctl_match *m)
{
	return m->exe || m->uid != (uid_t)-1 || m->instance;
}

bool stop_trusts(const struct dctl_status *st, bool confirmed)
{
	return st->trusted || confirmed;
}

/*
 * The schedule to follow. A caller's schedule must be one the grammar can
 * express: formatting it and parsing the text back must give it again.
 * That one rule rejects unknown signals, negative timeouts, a misplaced
 * "forever" and a loop without a wait, exactly as dctl_schedule_parse().
 */
static int stop_schedule_setup(struct stopper *sp)
{
	const struct dctl_stop_opts *o = sp->o;
	struct dctl_schedule back;
	int sig = o->sig ? o->sig : SIGTERM;
	int n;

	if (!dctl_signal_name(sig))
		return -EINVAL;
	if (o->schedule.n == 0)
		dctl_schedule_default(sig, &sp->sched);
	else
		sp->sched = o->schedule;
	n = dctl_schedule_format(&sp->sched, sp->sched_text,
				 sizeof(sp->sched_text));
	if (n < 0 || (size_t)n >= sizeof(sp->sched_text))
		return -EINVAL;
	if (dctl_schedule_parse(sp->sched_text, sig, &back) < 0 ||
	    back.n != sp->sched.n ||
	    memcmp(back.step, sp->sched.step,
		   back.n * sizeof(back.step[0])) != 0)
		return -EINVAL;
	return 0;
}

/* Probe the pidfile: is there a live daemon we may signal? */
static int stop_resolve(struct stopper *sp)
{
	char eb[64];
	const struct dctl_stop_opts *o = sp->o;
	struct dctl_status *st = &sp->res->status;
	int r;

	r = dctl_probe(o->pidfile, DCTL_PROBE_DETAILS, st);
	if (r < 0)
		return r;
	switch (st->state) {
	case DCTL_STATE_NOT_RUNNING:
		slog(sp, DCTL_LOG_INFO, "%s: no pidfile, nothing to stop",
		     o->pidfile);
		return -ESRCH;
	case DCTL_STATE_DEAD:
		slog(sp, DCTL_LOG_INFO, "%s: stale pidfile (%s), nothing sent",
		     o->pidfile, st->reason[0] ? st->reason : "not running");
		return -ESRCH;
	case DCTL_STATE_UNKNOWN:
		slog(sp, DCTL_LOG_INFO, "%s: %s", o->pidfile,
		     st->reason[0] ? st->reason :
		     util_strerror(-st->error, eb, sizeof(eb)));
		return st->error < 0 ? st->error : -EIO;
	case DCTL_STATE_RUNNING:
		break;
	default:
		return -EIO;
	}
	/* Safety rule 1, whatever the probe said. */
	if (st->pid < 2)
		return -EBADMSG;
	if (match_given(&o->match) && !dctl_status_match(st, &o->match)) {
		slog(sp, DCTL_LOG_INFO, "%s: pid %d does not match (%s), nothing sent",
		     o->pidfile, (int)st->pid, st->reason);
		return -ESRCH;
	}
	/* A pidfile others could write needs --exec or --user. */
	if (!stop_trusts(st, o->match.exe || o->match.uid != (uid_t)-1)) {
		slog(sp, DCTL_LOG_INFO,
		     "%s: not trusted (a non-root user could have written it); refusing without an --exec or --user match",
		     o->pidfile);
		return -EPERM;
	}
	sp->pid = st->pid;
	sp->res->pid = st->pid;
	sp->single.pid = st->pid;
	sp->single.start_ticks = st->start_ticks;
	return 0;
}

/*
 * Is the target still the process that was found, and not exited? (If its
 * start time was not known, liveness is all we can check.)
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
static int stop_group_check(struct stopper *sp, const struct proc_stat *ps)
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

/* Pin one process: pidfd first, then confirm it is the one found. */
static int pin_one(struct stopper *sp, struct target *t, bool use_pidfd)
{
	struct proc_stat ps;
	int r;

	t->pidfd = -1;
	if (use_pidfd) {
		r = proc_pidfd_open(t->pid);
		if (r >= 0)
			t->pidfd = r;
		else if (r != -ENOSYS && r != -ESRCH)
			return r;
	}
	if (t->pidfd < 0)
		slog(sp, DCTL_LOG_DEBUG, "no pidfd for %d: signals through kill(2), a bounded poll for the exit",
		     (int)t->pid);
	r = stop_same_process(t, &ps);
	if (r < 0)
		return r;
	if (sp->o->process_group)
		return stop_group_check(sp, &ps);
	return 0;
}

/* Pin every target; those already gone are marked so. -ESRCH: all gone. */
static int stop_pin(struct stopper *sp, bool use_pidfd)
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

static size_t alive_count(const struct stopper *sp)
{
	size_t i, alive = 0;

	for (i = 0; i < sp->n; i++)
		alive += !sp->t[i].gone;
	return alive;
}

static int stop_send(struct stopper *sp, struct target *t, int sig)
{
	struct proc_stat ps;
	int r;

	/*
	 * Without a pidfd (and for a group, which has none) look again just
	 * before sending, to keep the PID-reuse window as small as it gets.
	 */
	if (t->pidfd < 0 || sp->o->process_group) {
		r = stop_same_process(t, &ps);
		if (r < 0)
			return r;
		if (sp->o->process_group) {
			r = stop_group_check(sp, &ps);
			if (r < 0)
				return r;
		}
	}
	if (sp->o->process_group)
		r = kill(-sp->pgrp, sig) < 0 ? -errno : 0;
	else if (t->pidfd >= 0)
		r = proc_pidfd_signal(t->pidfd, sig);
	else
		r = kill(t->pid, sig) < 0 ? -errno : 0;
	if (r < 0)
		return r;
	sp->res->last_signal = sig;
	if (!sp->sent_ms)
		sp->sent_ms = util_now_ms();
	return 0;
}

/* Send sig to every target still alive: 0, 1 all are gone, -errno. */
static int stop_send_all(struct stopper *sp, int sig)
{
	char eb[64];
	size_t i;
	int r;

	for (i = 0; i < sp->n; i++) {
		struct target *t = &sp->t[i];

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
	}
	return alive_count(sp) ? 0 : 1;
}

/* Wait for one target until the deadline: 0 exited, -ETIMEDOUT, -errno. */
static int wait_one(struct target *t, long long deadline)
{
	long long left;
	int r;

	do {
		left = deadline - util_now_ms();
		if (left < 0)
			left = 0;
		if (left > WAIT_CHUNK_MS)
			left = WAIT_CHUNK_MS;
		r = proc_wait_exit(t->pidfd, t->pid, (int)left);
	} while (r == -ETIMEDOUT && util_now_ms() < deadline);
	return r;
}

/*
 * Wait up to secs for every target to exit: each in turn against the same
 * deadline, which ends when the last one has gone. 0 all exited,
 * -ETIMEDOUT, -errno.
 */
static int stop_wait(struct stopper *sp, int secs)
{
	long long deadline = util_now_ms() + (long long)secs * 1000;
	size_t i;
	int r;

	for (i = 0; i < sp->n; i++) {
		if (sp->t[i].gone)
			continue;
		r = wait_one(&sp->t[i], deadline);
		if (r < 0)
			return r;
		sp->t[i].gone = true;
	}
	return 0;
}

static void log_sent(struct stopper *sp, size_t i, int sig)
{
	const struct dctl_step *next = i + 1 < sp->sched.n ?
		&sp->sched.step[i + 1] : NULL;
	size_t alive = alive_count(sp);
	char whom[64];

	if (sp->o->process_group)
		snprintf(whom, sizeof(whom), "process group %d", (int)sp->pgrp);
	else if (sp->n > 1)
		snprintf(whom, sizeof(whom), "%zu processes", alive);
	else
		snprintf(whom, sizeof(whom), "%d", (int)sp->pid);
	if (next && next->kind == DCTL_STEP_TIMEOUT && !sp->o->no_wait)
		slog(sp, DCTL_LOG_INFO, "sent %s to %s, waiting up to %d s",
		     dctl_signal_name(sig), whom, next->value);
	else
		slog(sp, DCTL_LOG_INFO, "sent %s to %s", dctl_signal_name(sig),
		     whom);
}

/* One step: 0 go on, 1 every target is gone, -errno. */
static int stop_step(struct stopper *sp, size_t i)
{
	const struct dctl_step *st = &sp->sched.step[i];
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
static int stop_follow(struct stopper *sp)
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
		if (!sp->t[i].gone && proc_wait_exit(sp->t[i].pidfd,
						     sp->t[i].pid, 0) != 0)
			return -ETIMEDOUT;
	return 0;
}

/* The index of the schedule's first signal (what --no-wait sends). */
static int first_signal(const struct stopper *sp, size_t *at)
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
static int stop_signal_once(struct stopper *sp)
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

static void stop_test_report(struct stopper *sp)
{
	size_t i = 0;
	int sig = first_signal(sp, &i);

	if (sp->o->no_wait)
		slog(sp, DCTL_LOG_INFO, "would send %s to %s%d and not wait",
		     sig ? dctl_signal_name(sig) : "nothing",
		     sp->o->process_group ? "the process group of " : "",
		     (int)sp->pid);
	else
		slog(sp, DCTL_LOG_INFO, "would stop %s%d along %s",
		     sp->o->process_group ? "the process group of " : "",
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

static int remove_stale_soon(const char *path, pid_t pid)
{
	long long deadline = util_now_ms() + REMOVE_RETRY_MS;
	struct timespec nap = { 0, REMOVE_NAP_MS * 1000000L };
	int r;

	while ((r = dctl_pidfile_remove_stale(path, pid)) == -EBUSY &&
	       util_now_ms() < deadline)
		nanosleep(&nap, NULL);
	return r;
}

static void stop_remove_pidfile(struct stopper *sp)
{
	char eb[64];
	const struct dctl_status *st = &sp->res->status;
	struct stat now;
	int r;

	if (lstat(sp->o->pidfile, &now) < 0 || now.st_dev != st->dev ||
	    now.st_ino != st->ino) {
		slog(sp, DCTL_LOG_DEBUG, "%s: replaced or removed meanwhile, left alone",
		     sp->o->pidfile);
		return;
	}
	r = remove_stale_soon(sp->o->pidfile, sp->pid);
	if (r == 0)
		slog(sp, DCTL_LOG_DEBUG, "removed %s", sp->o->pidfile);
	else if (r == -EBUSY || r == -ENOENT)
		slog(sp, DCTL_LOG_DEBUG, "%s: locked or rewritten by another process, left alone",
		     sp->o->pidfile);
	else
		slog(sp, DCTL_LOG_WARNING, "%s: cannot remove: %s",
		     sp->o->pidfile, util_strerror(-r, eb, sizeof(eb)));
}

static void close_pidfds(struct stopper *sp)
{
	size_t i;

	for (i = 0; i < sp->n; i++)
		if (sp->t[i].pidfd >= 0)
			close(sp->t[i].pidfd);
}

static int stop_act(struct stopper *sp, bool use_pidfd)
{
	int r;

	r = stop_pin(sp, use_pidfd);
	if (r < 0) {
		if (r == -ESRCH)
			slog(sp, DCTL_LOG_INFO, "%d exited before it was signalled, nothing sent",
			     (int)sp->pid);
		return r;
	}
	if (sp->o->no_wait)
		return stop_signal_once(sp);
	r = stop_follow(sp);
	if (r == -ETIMEDOUT) {
		slog(sp, DCTL_LOG_INFO, "%d still running at the end of %s%s",
		     (int)sp->pid, sp->sched_text,
		     sp->o->pidfile ? ", pidfile kept" : "");
		return r;
	}
	if (r < 0)
		return r;
	if (sp->sent_ms)
		slog(sp, DCTL_LOG_INFO, "%d exited %.3f s after the first signal",
		     (int)sp->pid, (double)(util_now_ms() - sp->sent_ms) / 1000);
	if (sp->o->pidfile && !sp->o->keep_pidfile)
		stop_remove_pidfile(sp);
	return 0;
}

/* What both entry points check before they look at any process. */
static int stop_setup(struct stopper *sp, const struct dctl_stop_opts *o,
		      struct dctl_stop_result *res,
		      struct dctl_stop_result *scratch)
{
	size_t first;
	int r;

	sp->o = o;
	sp->res = res ? res : scratch;
	memset(sp->res, 0, sizeof(*sp->res));
	if (!o)
		return -EINVAL;
	r = stop_schedule_setup(sp);
	if (r < 0)
		return r;
	if (o->no_wait && !first_signal(sp, &first))
		return -EINVAL;
	return 0;
}

int stop_run(const struct dctl_stop_opts *o, struct dctl_stop_result *res,
	     bool use_pidfd)
{
	struct dctl_stop_result scratch;
	struct stopper sp = { .single.pidfd = -1 };
	int r;

	r = stop_setup(&sp, o, res, &scratch);
	if (r < 0)
		return r;
	if (!o->pidfile || !*o->pidfile)
		return -EINVAL;
	r = stop_resolve(&sp);
	if (r < 0)
		return r;
	if (o->test) {
		stop_test_report(&sp);
		return 0;
	}
	sp.t = &sp.single;
	sp.n = 1;
	r = stop_act(&sp, use_pidfd);
	close_pidfds(&sp);
	return r;
}

int dctl_stop(const struct dctl_stop_opts *o, struct dctl_stop_result *res)
{
	return stop_run(o, res, true);
}

int stop_procs(const struct dctl_stop_opts *o, const struct scan_proc *p,
	       size_t n, struct dctl_stop_result *res)
{
	struct dctl_stop_result scratch;
	struct stopper sp = { .single.pidfd = -1 };
	size_t i;
	int r;

	r = stop_setup(&sp, o, res, &scratch);
	if (r < 0)
		return r;
	if (!p || n == 0 || o->pidfile || o->process_group)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (p[i].pid < 2)
			return -EINVAL;
	sp.t = calloc(n, sizeof(*sp.t));
	if (!sp.t)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		sp.t[i].pid = p[i].pid;
		sp.t[i].start_ticks = p[i].start_ticks;
		sp.t[i].pidfd = -1;
	}
	sp.n = n;
	sp.pid = p[0].pid;
	sp.res->pid = p[0].pid;
	r = stop_act(&sp, true);
	close_pidfds(&sp);
	free(sp.t);
	return r;
}
