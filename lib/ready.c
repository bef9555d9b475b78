/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * When a start counts as done: at exec (nothing to do here), after --wait
 * milliseconds alive, at sd_notify READY=1 from the daemon (or the main PID
 * it names with MAINPID=), or, with --forking, once the first process
 * exited 0 and the pidfile names a live process. Meanwhile the daemon is
 * our child (we are its subreaper), so that its exit status or signal can
 * be reported.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "pidfile.h"
#include "proc.h"
#include "spawn.h"
#include "status.h"
#include "util.h"

void ready_set_subreaper(struct spawn *s)
{
	/* Without it the daemon goes to init when the middle child exits,
	 * and its exit status during startup would be lost to us. */
	if (prctl(PR_GET_CHILD_SUBREAPER, &s->prev_subreaper) < 0)
		s->prev_subreaper = 0;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == 0)
		s->subreaper = true;
	else
		spawn_log(s, DCTL_LOG_WARNING,
			  "cannot become a subreaper: %s (startup exit status will be unknown)",
			  spawn_errstr(s, errno));
}

void ready_restore_subreaper(struct spawn *s)
{
	if (s->subreaper && !s->prev_subreaper)
		prctl(PR_SET_CHILD_SUBREAPER, 0);
	s->subreaper = false;
}


/* Reap the watched process (it has exited). 0 or -errno. */
static int reap_watched(struct spawn *s, siginfo_t *si)
{
	int r;

	memset(si, 0, sizeof(*si));
	do
		r = waitid(P_PID, (id_t)s->daemon, si, WEXITED);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	s->reaped = true;
	return 0;
}

/* Describe how the watched process ended; reaps it. Returns -ECHILD. */
static int report_death(struct spawn *s, const char *when)
{
	const char *name;
	siginfo_t si;

	if (reap_watched(s, &si) < 0)
		return spawn_fail(s, DCTL_STAGE_STARTUP, ECHILD, "%s exited %s",
				  s->program, when);
	if (si.si_code == CLD_EXITED) {
		s->res->exit_status = si.si_status;
		return spawn_fail(s, DCTL_STAGE_STARTUP, ECHILD,
				  "%s exited with status %d %s", s->program,
				  si.si_status, when);
	}
	s->res->term_signal = si.si_status;
	name = dctl_signal_name(si.si_status);
	if (name)
		return spawn_fail(s, DCTL_STAGE_STARTUP, ECHILD,
				  "%s killed by signal %s %s", s->program, name,
				  when);
	return spawn_fail(s, DCTL_STAGE_STARTUP, ECHILD,
			  "%s killed by signal %d %s", s->program, si.si_status,
			  when);
}

/* How often the wait without a pidfd looks at the daemon. */
#define NO_PIDFD_SLICE_MS 50

/*
 * Has the caller's cancel descriptor become readable? It waits up to ms
 * for it (0: just look); without one it never says yes.
 */
static bool cancelled(const struct spawn *s, int ms)
{
	struct pollfd p = { .fd = s->o->cancel_fd, .events = POLLIN };

	if (p.fd < 0)
		return false;
	return poll(&p, 1, ms) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR));
}

/* The start was called off while it waited for what. Returns -EINTR. */
static int cancel_fail(struct spawn *s, enum dctl_spawn_stage stage,
		       const char *what)
{
	spawn_log(s, DCTL_LOG_DEBUG, "cancelled while waiting for %s", what);
	return spawn_fail(s, stage, EINTR,
			  "start of %s cancelled while waiting for %s: stopped",
			  s->program, what);
}

/* Without a pidfd: the bounded poll of the PID, in slices, each ended
 * by a look at the cancel descriptor. */
static int wait_exit_slices(struct spawn *s, struct util_deadline d)
{
	int r, slice;

	for (;;) {
		slice = util_deadline_left(d, NO_PIDFD_SLICE_MS);
		if (slice < 0)
			slice = NO_PIDFD_SLICE_MS;
		/* Safe: the process is our unreaped child, its PID cannot
		 * be reused. */
		r = proc_wait_exit(-1, s->daemon, slice);
		if (r != -ETIMEDOUT)
			return r < 0 ? r : 1;
		if (cancelled(s, 0))
			return -EINTR;
		if (util_deadline_passed(d))
			return 0;
	}
}

/*
 * Wait until the watched process exits or ms pass (ms < 0: forever), or
 * the caller's cancel descriptor becomes readable. Returns 1 if it
 * exited, 0 if still alive, -EINTR if cancelled, -errno.
 */
static int wait_exit(struct spawn *s, long long ms)
{
	struct util_deadline d = util_deadline_in(ms);
	struct pollfd p[2] = {
		{ .fd = s->pidfd, .events = POLLIN },
		{ .fd = s->o->cancel_fd, .events = POLLIN },
	};
	int r;

	if (s->pidfd < 0)
		return wait_exit_slices(s, d);
	for (;;) {
		r = poll(p, p[1].fd >= 0 ? 2 : 1, util_deadline_left(d, INT_MAX));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		/* An exit and a cancel at once: the exit is what happened. */
		if (p[0].revents & (POLLIN | POLLHUP))
			return 1;
		if (p[0].revents & POLLNVAL)
			return -EBADF;
		if (r > 0)
			return -EINTR;
		return 0;
	}
}

static int watch_alive(struct spawn *s, unsigned ms)
{
	int r = wait_exit(s, ms);

	if (r == -EINTR)
		return cancel_fail(s, DCTL_STAGE_STARTUP, "the --wait time");
	if (r < 0)
		return spawn_fail(s, DCTL_STAGE_STARTUP, -r, "cannot watch pid %d: %s",
				  (int)s->daemon, spawn_errstr(s, -r));
	if (r == 1)
		return report_death(s, "during startup");
	return 0;
}

/* ------------------------------------------------------------ readiness */

/* Take one accepted notification into account. 1: ready, 0: go on. */
static int take_notification(struct spawn *s, const struct notify_msg *m,
			     long long *deadline, pid_t *mainpid)
{
	if (m->has_status) {
		spawn_log(s, DCTL_LOG_INFO, "status: %s", m->status);
		spawn_set_detail(s->res, "%s", m->status);
	}
	if (m->has_mainpid)
		*mainpid = m->mainpid;
	if (m->has_extend) {
		long long until = util_now_ms() +
				  (long long)(m->extend_usec / 1000);

		if (until > *deadline)
			*deadline = until;
	}
	/* The daemon's own errno goes to res->error; the return value says
	 * only that the daemon gave up, so that ERRNO=17 is not taken for
	 * -EEXIST, "already running". */
	if (m->has_errno) {
		spawn_fail(s, DCTL_STAGE_READY, m->err,
			   "daemon reported failure: ERRNO=%d (%s)", m->err,
			   spawn_errstr(s, m->err));
		return -ECANCELED;
	}
	return m->ready ? 1 : 0;
}

static int drain_notifications(struct spawn *s, long long *deadline,
			       pid_t *mainpid)
{
	struct notify_msg m;
	pid_t sender;
	int r;

	for (;;) {
		memset(&m, 0, sizeof(m));
		r = notify_recv(s->ns.fd, &sender, &m);
		if (r == -EAGAIN)
			return 0;
		if (r == -EBADMSG) {
			spawn_log(s, DCTL_LOG_WARNING,
				  "ignoring a malformed notification from pid %d",
				  (int)sender);
			continue;
		}
		if (r < 0)
			return spawn_fail(s, DCTL_STAGE_READY, -r,
					  "notification socket: %s", spawn_errstr(s, -r));
		/* Only the daemon (or the main PID it named) speaks for it. */
		if (sender != s->daemon && (*mainpid <= 0 || sender != *mainpid)) {
			spawn_log(s, DCTL_LOG_DEBUG,
				  "ignoring a notification from pid %d",
				  (int)sender);
			continue;
		}
		r = take_notification(s, &m, deadline, mainpid);
		if (r)
			return r;
	}
}

/*
 * Is the watched process still the one we mean, so that a PID compared
 * with its number cannot be a reused one? Our unreaped child (alive or a
 * zombie) is; another process only while its pidfd shows it running.
 */
static bool daemon_pinned(struct spawn *s)
{
	struct proc_stat ps;

	if (s->pidfd >= 0 && proc_wait_exit(s->pidfd, s->daemon, 0) == -ETIMEDOUT)
		return true;
	return !s->reaped && proc_read_stat(s->daemon, &ps) == 0 &&
	       ps.ppid == getpid();
}

/*
 * Could the process (ps: its stat) be the daemon's? In the daemon's
 * session; or, having called setsid(), the daemon's child, or an orphan
 * of it now ours (we are subreaper) that of_this_start() recognises.
 */
static bool daemons_own(struct spawn *s, pid_t pid, const struct proc_stat *ps)
{
	if (ps->session == s->sid)
		return true;
	if (ps->ppid == s->daemon && daemon_pinned(s))
		return true;
	return s->subreaper && ps->ppid == getpid() &&
	       !children_was_mine(s, pid) && children_of_this_start(s, pid, ps);
}

/*
 * MAINPID= may name only a process of the daemon's own: a daemon must not
 * be able to have a bystander written into the pidfile, or killed when the
 * start fails. The process is pinned with a pidfd first; then /proc must
 * show it alive and daemons_own(), and the pidfd must show it still
 * running, so that what /proc said was about the pinned process and not a
 * reused PID. Returns 0 with the pidfd in *fdp (-1 without pidfd
 * support), or a failure.
 */
static int adopt_mainpid(struct spawn *s, pid_t pid, int *fdp)
{
	struct proc_stat ps;
	int fd;

	fd = proc_pidfd_open(pid);
	if (fd < 0 && fd != -ENOSYS)
		goto not_ours;
	if (proc_read_stat(pid, &ps) < 0 || !daemons_own(s, pid, &ps) ||
	    !proc_alive(pid))
		goto not_ours;
	if (fd >= 0 && proc_wait_exit(fd, pid, 0) != -ETIMEDOUT)
		goto not_ours;
	*fdp = fd < 0 ? -1 : fd;
	return 0;
not_ours:
	if (fd >= 0)
		close(fd);
	return spawn_fail(s, DCTL_STAGE_READY, EPERM,
			  "MAINPID=%d is not a process of the daemon", (int)pid);
}

/*
 * The daemon exited before READY=1. If it named a main PID of its own
 * first, that process is the daemon now (a program that forks and
 * exits); else fail.
 */
static int switch_to_mainpid(struct spawn *s, pid_t mainpid)
{
	int fd, r;

	if (mainpid <= 1 || mainpid == s->daemon)
		return report_death(s, "before it was ready");
	if ((r = adopt_mainpid(s, mainpid, &fd)))
		return r;
	if (s->pf && (r = dctl_pidfile_write(s->pf, mainpid)) < 0) {
		if (fd >= 0)
			close(fd);
		return spawn_fail(s, DCTL_STAGE_PIDFILE, -r,
				  "cannot write pidfile %s: %s",
				  s->o->pidfile, spawn_errstr(s, -r));
	}
	spawn_reap(s->daemon, NULL);
	if (s->pidfd >= 0)
		close(s->pidfd);
	s->pidfd = fd;
	s->daemon = mainpid;
	s->res->pid = mainpid;
	spawn_log(s, DCTL_LOG_DEBUG, "main pid is now %d", (int)mainpid);
	return 0;
}

/* READY=1 came with MAINPID= of another process: that one is the daemon,
 * for the pidfile and the caller. Killed too if the start fails later. */
static int take_mainpid(struct spawn *s, pid_t mainpid)
{
	int r;

	if ((r = adopt_mainpid(s, mainpid, &s->main_fd)))
		return r;
	if (s->pf && (r = dctl_pidfile_write(s->pf, mainpid)) < 0)
		return spawn_fail(s, DCTL_STAGE_PIDFILE, -r,
				  "cannot write pidfile %s: %s",
				  s->o->pidfile, spawn_errstr(s, -r));
	s->res->pid = mainpid;
	return 0;
}

static int await_ready(struct spawn *s)
{
	long long deadline = util_now_ms() + s->timeout_ms, left;
	struct pollfd pfd[3];
	pid_t mainpid = 0;
	nfds_t n;
	int r, wait;

	for (;;) {
		left = deadline - util_now_ms();
		if (left <= 0)
			return spawn_fail(s, DCTL_STAGE_READY, ETIMEDOUT,
					  "not ready after %s", spawn_span(s, s->timeout_ms));
		pfd[0] = (struct pollfd){ .fd = s->ns.fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = s->o->cancel_fd, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = s->pidfd, .events = POLLIN };
		n = s->pidfd >= 0 ? 3 : 2;
		/* EXTEND_TIMEOUT_USEC= may put the deadline far beyond
		 * what poll() can take. Without a pidfd, look at the daemon
		 * every 50 ms. */
		wait = left > INT_MAX ? INT_MAX : (int)left;
		if (n == 2 && wait > 50)
			wait = 50;
		r = poll(pfd, n, wait);
		if (r < 0 && errno != EINTR)
			return spawn_fail(s, DCTL_STAGE_READY, errno, "poll: %s",
					  spawn_errstr(s, errno));
		if (r > 0 && (pfd[0].revents & POLLIN)) {
			r = drain_notifications(s, &deadline, &mainpid);
			if (r)
				break;
		}
		r = wait_exit(s, 0);
		if (r == 1 && (r = switch_to_mainpid(s, mainpid)))
			return r;
		/* A poll with nothing to read leaves the cancel alone: only
		 * a readable cancel descriptor ends the wait. */
		if (r == -EINTR || (pfd[1].revents & (POLLIN | POLLHUP)))
			return cancel_fail(s, DCTL_STAGE_READY, "READY=1");
	}
	if (r < 0)
		return r;
	if (mainpid > 1 && mainpid != s->daemon && (r = take_mainpid(s, mainpid)))
		return r;
	spawn_log(s, DCTL_LOG_DEBUG, "pid %d is ready", (int)s->res->pid);
	return 0;
}

/* --forking: the first process must exit 0, then the pidfile must name a
 * live process (by the probe's rules) within the timeout. */
static int await_forking(struct spawn *s)
{
	long long deadline = util_now_ms() + s->timeout_ms;
	const char *path = s->o->pidfile;
	struct dctl_status st;
	siginfo_t si;
	int r;

	r = wait_exit(s, s->timeout_ms);
	if (r == -EINTR)
		return cancel_fail(s, DCTL_STAGE_READY, "the program to detach");
	if (r < 0)
		return spawn_fail(s, DCTL_STAGE_STARTUP, -r, "cannot watch pid %d: %s",
				  (int)s->daemon, spawn_errstr(s, -r));
	if (r == 0)
		return spawn_fail(s, DCTL_STAGE_READY, ETIMEDOUT,
				  "%s did not detach within %s", s->program,
				  spawn_span(s, s->timeout_ms));
	/* Peek first: only a non-zero status is worth a report. */
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)s->daemon, &si,
		   WEXITED | WNOHANG | WNOWAIT) < 0 ||
	    si.si_code != CLD_EXITED || si.si_status != 0)
		return report_death(s, "while detaching");
	reap_watched(s, &si);
	for (;;) {
		status_init(&st);
		probe_records(&path, 1, 0, &st);
		status_release(&st);
		if (st.state == DCTL_STATE_RUNNING && st.pid > 1 && !st.zombie) {
			s->res->pid = st.pid;
			return 0;
		}
		if (util_now_ms() >= deadline)
			return spawn_fail(s, DCTL_STAGE_READY, ETIMEDOUT,
					  "pidfile %s names no live process after %s",
					  s->o->pidfile,
					  spawn_span(s, s->timeout_ms));
		if (s->o->cancel_fd < 0)
			usleep(FORKING_POLL_MS * 1000);
		else if (cancelled(s, FORKING_POLL_MS))
			return cancel_fail(s, DCTL_STAGE_READY, "the pidfile");
	}
}

int ready_watch(struct spawn *s)
{
	const struct spawn_opts *o = s->o;
	int r;

	s->pidfd = proc_pidfd_open(s->daemon);
	if (o->ready == DCTL_READY_FORKING)
		return await_forking(s);
	if (o->ready == DCTL_READY_NOTIFY && (r = await_ready(s)))
		return r;
	if (o->wait_ms && (r = watch_alive(s, o->wait_ms)))
		return r;
	return 0;
}
