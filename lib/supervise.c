/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The supervisor's event loop (see supervise.h for the design and the
 * protocol with daemon-stop). Everything it does is a reaction to one of
 * the descriptors in its poll(2): while the program runs nothing is armed
 * but the program's pidfd, so a healthy daemon costs no wake-up at all.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "pidfile.h"
#include "proc.h"
#include "supervise.h"
#include "util.h"

#define NO_END (-1)

struct watch {
	int fd;
	short events;
	supervise_watch_fn fn;
	void *data;
};

struct supervisor {
	struct supervise_cfg cfg;
	const struct supervise_ops *ops;
	void *ctx;
	struct backoff bo;
	struct svstate st;
	pid_t pid;		/* the current run; 0 while none */
	pid_t zombie;		/* the last run, ended but not reaped yet */
	int pidfd;
	int sigfd;
	int timerfd;
	bool in_backoff;
	bool reap_pending;	/* a SIGCHLD was read, not yet acted on */
	bool stopping;
	unsigned stop_flags;
	int end;		/* a supervise_end once decided, else NO_END */
	size_t n_watch;
	struct watch watch[SUPERVISE_WATCH_MAX];
};

#define svlog(sv, level, ...) \
	util_log((sv)->cfg.log, (sv)->cfg.log_data, (level), __VA_ARGS__)

/* -------------------------------------------------------- requests */

int sv_request(enum sv_op op, int sig, unsigned flags)
{
	return (int)((unsigned)op | ((unsigned)sig & 0xffu) << 8 |
		     (flags & 0xffu) << 16);
}

int sv_request_decode(int value, enum sv_op *op, int *sig, unsigned *flags)
{
	unsigned v = (unsigned)value;
	unsigned o = v & 0xffu, s = (v >> 8) & 0xffu, f = v >> 16;

	if ((o != SV_OP_STOP && o != SV_OP_FORWARD) || !dctl_signal_name((int)s) ||
	    (f & ~(unsigned)(SV_F_GROUP | SV_F_KEEP_PIDFILE)))
		return -EINVAL;
	*op = (enum sv_op)o;
	*sig = (int)s;
	*flags = f;
	return 0;
}

/* ------------------------------------------------------ the record */

/* Publish the state. A record that cannot be written is worth a warning,
 * never the end of supervision. */
static void record(struct supervisor *sv)
{
	char ebuf[128];
	int r;

	sv->st.restarts = sv->bo.restarts;
	if (!sv->cfg.state_path)
		return;
	r = svstate_write(sv->cfg.state_path, &sv->st);
	if (r < 0)
		svlog(sv, DCTL_LOG_WARNING, "cannot write %s: %s",
		      sv->cfg.state_path, util_strerror(-r, ebuf, sizeof(ebuf)));
}

static void unrecord(struct supervisor *sv)
{
	if (sv->cfg.state_path)
		svstate_remove(sv->cfg.state_path);
}

/* ------------------------------------------------------ setting up */

int supervise_new(struct supervisor **out, const struct supervise_cfg *cfg,
		  const struct supervise_ops *ops, void *ctx)
{
	struct supervisor *sv;
	struct proc_stat ps;
	int r;

	if (!out || !cfg || !ops || !ops->launch)
		return -EINVAL;
	sv = calloc(1, sizeof(*sv));
	if (!sv)
		return -ENOMEM;
	sv->cfg = *cfg;
	sv->ops = ops;
	sv->ctx = ctx;
	sv->pidfd = sv->sigfd = -1;
	sv->end = NO_END;
	r = backoff_init(&sv->bo, &cfg->backoff);
	if (r < 0)
		goto fail;
	sv->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (sv->timerfd < 0) {
		r = -errno;
		goto fail;
	}
	sv->st.supervisor = getpid();
	if ((r = proc_read_stat(sv->st.supervisor, &ps)) < 0)
		goto fail;
	sv->st.supervisor_ticks = ps.start_ticks;
	sv->st.limit_n = cfg->backoff.limit_n;
	sv->st.limit_window_ns = cfg->backoff.limit_window_ns;
	*out = sv;
	return 0;
fail:
	sv->cfg.pidfile = NULL;	/* not taken over after all */
	supervise_free(sv);
	return r;
}

void supervise_free(struct supervisor *sv)
{
	int saved = errno;

	if (!sv)
		return;
	if (sv->pidfd >= 0)
		close(sv->pidfd);
	if (sv->sigfd >= 0)
		close(sv->sigfd);
	if (sv->timerfd >= 0)
		close(sv->timerfd);
	dctl_pidfile_close(sv->cfg.pidfile);
	backoff_free(&sv->bo);
	free(sv);
	errno = saved;
}

struct dctl_pidfile *supervise_pidfile(const struct supervisor *sv)
{
	return sv->cfg.pidfile;
}

const struct svstate *supervise_state(const struct supervisor *sv)
{
	return &sv->st;
}

/* The run pid is ours now; pidfd < 0: open one (it is our child, unreaped,
 * so its PID cannot name another process yet). */
static void take_run(struct supervisor *sv, pid_t pid, int pidfd)
{
	sv->pid = pid;
	sv->pidfd = pidfd >= 0 ? pidfd : proc_pidfd_open(pid);
	if (sv->pidfd < 0)
		sv->pidfd = -1;
	sv->st.state = SVSTATE_RUNNING;
	sv->st.pid = pid;
	sv->st.next_ns = 0;
}

int supervise_adopt(struct supervisor *sv, pid_t pid, int pidfd,
		    int64_t started_ns)
{
	if (!sv || pid < 2 || sv->pid)
		return -EINVAL;
	take_run(sv, pid, pidfd);
	backoff_started(&sv->bo, started_ns, false);
	record(sv);
	return 0;
}

void supervise_ready(struct supervisor *sv)
{
	if (sv->pid)
		backoff_ready(&sv->bo, util_now_ns());
}

int supervise_watch(struct supervisor *sv, int fd, short events,
		    supervise_watch_fn fn, void *data)
{
	if (!sv || fd < 0 || !fn)
		return -EINVAL;
	if (sv->n_watch == SUPERVISE_WATCH_MAX)
		return -ENOSPC;
	sv->watch[sv->n_watch++] = (struct watch){ fd, events, fn, data };
	return 0;
}

int supervise_unwatch(struct supervisor *sv, int fd)
{
	size_t i;

	for (i = 0; i < sv->n_watch; i++) {
		if (sv->watch[i].fd != fd)
			continue;
		sv->watch[i] = sv->watch[--sv->n_watch];
		return 0;
	}
	return -ENOENT;
}

/* ----------------------------------------------------- the program */

/* Send sig to the current run (or its process group). */
static void forward(struct supervisor *sv, int sig, unsigned flags)
{
	struct proc_stat ps;
	char ebuf[128];
	int r;

	if (!sv->pid) {
		svlog(sv, DCTL_LOG_DEBUG, "no program runs: %s not sent",
		      dctl_signal_name(sig));
		return;
	}
	if (flags & SV_F_GROUP) {
		/* Our unreaped child: its group is read from the process
		 * itself, never from a file, and is never below 2. */
		r = proc_read_stat(sv->pid, &ps);
		if (r == 0 && ps.pgrp > 1)
			r = kill(-ps.pgrp, sig) < 0 ? -errno : 0;
		else if (r == 0)
			r = -ESRCH;
	} else if (sv->pidfd >= 0) {
		r = proc_pidfd_signal(sv->pidfd, sig);
	} else {
		r = kill(sv->pid, sig) < 0 ? -errno : 0;
	}
	if (r < 0)
		svlog(sv, DCTL_LOG_WARNING, "cannot send %s to pid %d: %s",
		      dctl_signal_name(sig), (int)sv->pid,
		      util_strerror(-r, ebuf, sizeof(ebuf)));
}

static void disarm(struct supervisor *sv)
{
	const struct itimerspec off = { { 0, 0 }, { 0, 0 } };

	timerfd_settime(sv->timerfd, 0, &off, NULL);
	sv->in_backoff = false;
}

/* Supervision is over: the record goes first, while the lock still keeps
 * any new start (whose record it would be) away, then the pidfile. */
static void finish(struct supervisor *sv, enum supervise_end end)
{
	siginfo_t si;

	/* Whoever sees the lock go or waits for our exit counts on the
	 * program being gone by then: not even a zombie of ours. */
	if (sv->zombie > 0)
		while (waitid(P_PID, (id_t)sv->zombie, &si, WEXITED) < 0 &&
		       errno == EINTR)
			;
	sv->zombie = 0;
	disarm(sv);
	if (sv->ops->finishing)
		sv->ops->finishing(sv->ctx);
	sv->end = end;
	if (end == SUPERVISE_GAVE_UP) {
		sv->st.state = SVSTATE_FAILED;
		sv->st.pid = 0;
		record(sv);
		dctl_pidfile_close(sv->cfg.pidfile);
	} else {
		unrecord(sv);
		if (sv->stop_flags & SV_F_KEEP_PIDFILE)
			dctl_pidfile_close(sv->cfg.pidfile);
		else
			dctl_pidfile_remove(sv->cfg.pidfile);
	}
	sv->cfg.pidfile = NULL;
}

static void begin_stop(struct supervisor *sv, int sig, unsigned flags)
{
	sv->stop_flags |= flags & SV_F_KEEP_PIDFILE;
	if (!sv->stopping) {
		sv->stopping = true;
		disarm(sv);
		svlog(sv, DCTL_LOG_INFO, "supervision ends (%s)",
		      dctl_signal_name(sig));
	}
	if (!sv->pid) {
		finish(sv, SUPERVISE_STOPPED);
		return;
	}
	forward(sv, sig, flags);
	sv->st.state = SVSTATE_STOPPING;
	record(sv);
}

static void take_signal(struct supervisor *sv,
			const struct signalfd_siginfo *si)
{
	unsigned flags;
	enum sv_op op;
	int sig;

	if ((int)si->ssi_signo == SV_SIGNAL) {
		/* Only a queued value is a request; a bare kill of this
		 * signal number is no one's. */
		if (si->ssi_code != SI_QUEUE ||
		    sv_request_decode(si->ssi_int, &op, &sig, &flags) < 0) {
			svlog(sv, DCTL_LOG_DEBUG, "ignored a request from pid %u",
			      si->ssi_pid);
			return;
		}
		if (op == SV_OP_STOP)
			begin_stop(sv, sig, flags);
		else
			forward(sv, sig, flags);
		return;
	}
	switch (si->ssi_signo) {
	case SIGTERM:
	case SIGINT:
		begin_stop(sv, SIGTERM, 0);
		break;
	case SIGHUP:
		forward(sv, SIGHUP, 0);
		break;
	default:	/* SIGCHLD: the reaping follows */
		break;
	}
}

/* Take every pending signal (a SIGCHLD sets reap_pending). 0 or -errno. */
static int take_signals(struct supervisor *sv)
{
	struct signalfd_siginfo si;
	ssize_t n;

	for (;;) {
		n = read(sv->sigfd, &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return -errno;
		if (n != sizeof(si))
			return -EIO;
		if (si.ssi_signo == SIGCHLD)
			sv->reap_pending = true;
		else if (sv->end == NO_END)
			take_signal(sv, &si);
	}
	return 0;
}

static void enter_backoff(struct supervisor *sv, int64_t delay)
{
	struct itimerspec at = { { 0, 0 }, { 0, 0 } };
	int64_t when = util_now_ns() + (delay > 0 ? delay : 1);

	at.it_value.tv_sec = when / UTIL_NS_PER_SEC;
	at.it_value.tv_nsec = when % UTIL_NS_PER_SEC;
	timerfd_settime(sv->timerfd, TFD_TIMER_ABSTIME, &at, NULL);
	sv->in_backoff = true;
	sv->st.state = SVSTATE_RESTARTING;
	sv->st.pid = 0;
	sv->st.next_ns = when;
	/* No program: let the pidfile name a live process that holds its
	 * lock, never a PID that may be reused meanwhile. */
	if (sv->cfg.pidfile)
		dctl_pidfile_write(sv->cfg.pidfile, getpid());
	record(sv);
}

static void decide(struct supervisor *sv, const struct sv_exit *e);

/* Start the next run, unless a stop request came meanwhile. */
static void restart(struct supervisor *sv)
{
	struct sv_exit e = { SV_EXIT_LAUNCH, 0 };
	pid_t pid = 0;
	int pidfd = -1, r;

	/* A request queued before this point must win over the launch. */
	if (take_signals(sv) < 0 || sv->end != NO_END)
		return;
	if (sv->stopping) {
		finish(sv, SUPERVISE_STOPPED);
		return;
	}
	backoff_started(&sv->bo, util_now_ns(), true);
	r = sv->ops->launch(sv->ctx, &pid, &pidfd);
	if (r < 0 || pid < 2) {
		if (pidfd >= 0)
			close(pidfd);
		e.value = r < 0 ? -r : ECHILD;
		decide(sv, &e);
		return;
	}
	take_run(sv, pid, pidfd);
	record(sv);
	svlog(sv, DCTL_LOG_INFO, "restarted as pid %d (%u restarts)",
	      (int)pid, sv->bo.restarts);
	/* The launch went deep: none of that depth stays ours. */
	util_stack_trim();
}

/* A run ended (or a restart failed) as e says: what the policy wants. */
static void decide(struct supervisor *sv, const struct sv_exit *e)
{
	char what[160];
	int64_t delay;

	sv->st.last = *e;
	if (sv->stopping) {
		finish(sv, SUPERVISE_STOPPED);
		return;
	}
	sv_exit_format(e, what, sizeof(what));
	if (sv->cfg.once) {
		svlog(sv, DCTL_LOG_INFO, "program ended (%s)", what);
		finish(sv, SUPERVISE_DONE);
		return;
	}
	switch (backoff_exited(&sv->bo, util_now_ns(), e, &delay)) {
	case BACKOFF_END:
		svlog(sv, DCTL_LOG_INFO, "program ended (%s)", what);
		finish(sv, SUPERVISE_DONE);
		break;
	case BACKOFF_GIVE_UP:
		svlog(sv, DCTL_LOG_ERR, "gave up after %u restarts (%s)",
		      sv->bo.cfg.limit_n, what);
		finish(sv, SUPERVISE_GAVE_UP);
		break;
	case BACKOFF_NOW:
		/* A failed launch goes back through poll(2) even without a
		 * delay, so that requests are seen between tries. */
		if (e->kind == SV_EXIT_LAUNCH)
			enter_backoff(sv, 0);
		else
			restart(sv);
		break;
	case BACKOFF_LATER:
		svlog(sv, DCTL_LOG_NOTICE, "program ended (%s), restart in %lld ms",
		      what, (long long)(delay / 1000000));
		enter_backoff(sv, delay);
		break;
	}
}

/* The current run is over, as si says (reaped, or left a zombie): what
 * next. */
static void run_ended(struct supervisor *sv, const siginfo_t *si,
		      bool reaped)
{
	struct sv_exit e;

	if (sv->pidfd >= 0)
		close(sv->pidfd);
	sv->pidfd = -1;
	sv->pid = 0;
	sv->zombie = reaped ? 0 : si->si_pid;
	if (sv->ops->ended)
		sv->ops->ended(sv->ctx);
	sv_exit_from_siginfo(&e, si);
	decide(sv, &e);
}

/*
 * Has the program exited? Asked through its pidfd, leaving it a zombie:
 * its exit decides the next run, and reaping it, which takes the kernel
 * a while, can wait until that run has started (reap() then takes it like
 * any other child).
 */
static bool program_exited(struct supervisor *sv, siginfo_t *si)
{
	memset(si, 0, sizeof(*si));
	return sv->pidfd >= 0 &&
	       waitid(P_PIDFD, (id_t)sv->pidfd, si,
		      WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       si->si_pid == sv->pid;
}

/*
 * Reap every child that has exited: the program, and whatever orphans of
 * its own were handed to us (a subreaper adopts them). 0 or -errno.
 */
static int reap(struct supervisor *sv)
{
	siginfo_t si;

	sv->reap_pending = false;
	if (sv->end == NO_END && program_exited(sv, &si))
		run_ended(sv, &si, false);
	while (sv->end == NO_END) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG) < 0) {
			if (errno == EINTR)
				continue;
			return errno == ECHILD ? 0 : -errno;
		}
		if (si.si_pid == 0)
			return 0;
		if (si.si_pid == sv->zombie)
			sv->zombie = 0;
		else if (si.si_pid == sv->pid)
			run_ended(sv, &si, true);
	}
	return 0;
}

static void timer_fired(struct supervisor *sv)
{
	uint64_t n;

	if (read(sv->timerfd, &n, sizeof(n)) < 0 || !sv->in_backoff)
		return;
	sv->in_backoff = false;
	restart(sv);
}

/* ------------------------------------------------------------ loop */

static int open_signals(struct supervisor *sv)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SV_SIGNAL);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	sv->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return sv->sigfd < 0 ? -errno : 0;
}

enum { FD_SIG, FD_PROGRAM, FD_TIMER, FD_WATCH };

/* The descriptors of this wait: unused slots have fd -1, which poll(2)
 * skips, so each kind keeps its index. */
static nfds_t fill(const struct supervisor *sv, struct pollfd *p)
{
	size_t i;

	p[FD_SIG] = (struct pollfd){ sv->sigfd, POLLIN, 0 };
	p[FD_PROGRAM] = (struct pollfd){ sv->pidfd, POLLIN, 0 };
	p[FD_TIMER] = (struct pollfd){ sv->in_backoff ? sv->timerfd : -1,
				       POLLIN, 0 };
	for (i = 0; i < sv->n_watch; i++)
		p[FD_WATCH + i] = (struct pollfd){ sv->watch[i].fd,
						   sv->watch[i].events, 0 };
	return (nfds_t)(FD_WATCH + sv->n_watch);
}

/* The ops' descriptors after the watches; how many. */
static int fill_io(struct supervisor *sv, struct pollfd *p)
{
	int n;

	if (!sv->ops->pollfds)
		return 0;
	n = sv->ops->pollfds(sv->ctx, p);
	return n < 0 ? 0 : n > SUPERVISE_IO_MAX ? SUPERVISE_IO_MAX : n;
}

static int run_watches(struct supervisor *sv, const struct pollfd *p,
		       nfds_t n)
{
	nfds_t i;
	int r;

	for (i = FD_WATCH; i < n && sv->end == NO_END; i++) {
		if (!p[i].revents)
			continue;
		r = sv->watch[i - FD_WATCH].fn(sv->watch[i - FD_WATCH].data,
					       p[i].fd, p[i].revents);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One wake-up: signals first, so that a stop outranks an exit seen in the
 * same wake-up; then the program, the timer and the watches. */
static int once(struct supervisor *sv)
{
	struct pollfd p[FD_WATCH + SUPERVISE_WATCH_MAX + SUPERVISE_IO_MAX];
	struct pollfd *io;
	int n_io, r;
	nfds_t n;

	/* A SIGCHLD read while restarting: reap before sleeping. */
	if (sv->reap_pending && ((r = reap(sv)) < 0 || sv->end != NO_END))
		return r;
	n = fill(sv, p);
	io = p + n;
	n_io = fill_io(sv, io);
	if (poll(p, n + (nfds_t)n_io,
		 sv->ops->timeout ? sv->ops->timeout(sv->ctx) : -1) < 0)
		return errno == EINTR ? 0 : -errno;
	/* The keeper reads first: lines written just before an exit are
	 * in the pipe when the exit is reaped below. */
	if (sv->ops->dispatch && (r = sv->ops->dispatch(sv->ctx, io, n_io)) < 0)
		return r;
	r = take_signals(sv);
	if (r < 0)
		return r;
	/* Without a pidfd the program's exit is only known by SIGCHLD. */
	if (sv->end == NO_END && (sv->reap_pending || p[FD_PROGRAM].revents))
		r = reap(sv);
	if (r < 0)
		return r;
	if (sv->end == NO_END && p[FD_TIMER].revents)
		timer_fired(sv);
	if (sv->end == NO_END)
		return run_watches(sv, p, n);
	return 0;
}

int supervise_run(struct supervisor *sv)
{
	int r;

	if (!sv || (!sv->pid && sv->end == NO_END))
		return -EINVAL;
	r = open_signals(sv);
	if (r < 0)
		return r;
	/* Nor does the first start's. */
	util_stack_trim();
	/* The first run may have ended before the loop began. */
	r = reap(sv);
	while (r >= 0 && sv->end == NO_END)
		r = once(sv);
	/* The signals stay blocked: a request that comes late (a second
	 * stop racing the first) must not kill the process on its way out. */
	close(sv->sigfd);
	sv->sigfd = -1;
	return r < 0 ? r : sv->end;
}
