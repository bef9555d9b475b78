/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The caller's children, and what a failed start leaves of its own among
 * them: the daemon killed through its pidfd (or by PID while it is our
 * unreaped child), an accepted MAINPID= process, and whatever they forked,
 * reparented to us as subreaper, swept up in rounds. Nothing the caller
 * had before the start is ever touched.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "proc.h"
#include "spawn.h"
#include "util.h"

/* Append pid to a growing array. 0 or -ENOMEM. */
static int pids_push(pid_t **v, size_t *n, size_t *cap, pid_t pid)
{
	pid_t *more;

	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		more = realloc(*v, *cap * sizeof(*more));
		if (!more)
			return -ENOMEM;
		*v = more;
	}
	(*v)[(*n)++] = pid;
	return 0;
}

/*
 * The children of one of our threads, from /proc/self/task/TID/children
 * (the kernel's own list: no look at other processes). -ENOENT where the
 * kernel does not provide it.
 */
static int task_children(const char *tid, pid_t **v, size_t *n, size_t *cap)
{
	char path[sizeof("/proc/self/task//children") + NAME_MAX];
	long pid;
	FILE *f;
	int r = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%s/children", tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (r == 0 && fscanf(f, "%ld", &pid) == 1)
		if (pid > 1)
			r = pids_push(v, n, cap, (pid_t)pid);
	fclose(f);
	return r;
}

static int children_from_tasks(pid_t **v, size_t *n, size_t *cap)
{
	struct dirent *d;
	DIR *dir = opendir("/proc/self/task");
	int r = 0;

	if (!dir)
		return -errno;
	while (r == 0 && (d = readdir(dir)))
		if (d->d_name[0] != '.')
			r = task_children(d->d_name, v, n, cap);
	closedir(dir);
	return r;
}

/* Without the children files: every process whose parent we are. */
static int children_from_scan(pid_t **v, size_t *n, size_t *cap)
{
	struct proc_stat ps;
	struct dirent *d;
	pid_t self = getpid(), pid;
	DIR *dir = opendir("/proc");
	int r = 0;

	if (!dir)
		return -errno;
	while (r == 0 && (d = readdir(dir))) {
		pid = (pid_t)atoi(d->d_name);
		if (pid > 1 && proc_read_stat(pid, &ps) == 0 && ps.ppid == self)
			r = pids_push(v, n, cap, pid);
	}
	closedir(dir);
	return r;
}

/* Our children now, in *v (malloc'd, *n of them). 0 or -errno. */
static int list_children(pid_t **v, size_t *n)
{
	size_t cap = 0;
	int r;

	*v = NULL;
	*n = 0;
	r = children_from_tasks(v, n, &cap);
	if (r == -ENOENT) {
		*n = 0;
		r = children_from_scan(v, n, &cap);
	}
	if (r < 0) {
		free(*v);
		*v = NULL;
		*n = 0;
	}
	return r;
}

/*
 * Note the caller's own children, before we fork: a failed start sweeps up
 * what it left behind (sweep_children()) and must never touch these.
 */
void children_record(struct spawn *s)
{
	int r = list_children(&s->mine, &s->n_mine);

	/* Not fatal: the start-time boundary (start_ticks) still keeps the
	 * caller's earlier children out of the sweep. */
	if (r < 0)
		spawn_log(s, DCTL_LOG_WARNING,
			  "cannot list our children: %s (going on without)",
			  spawn_errstr(s, -r));
}

/*
 * The boot-time clock in clock ticks, as /proc/PID/stat counts a process's
 * start: every process this start creates began at or after this value.
 */
unsigned long long children_clock(void)
{
	long hz = sysconf(_SC_CLK_TCK);
	struct timespec ts;

	if (hz <= 0 || clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return 0;
	return (unsigned long long)ts.tv_sec * (unsigned long long)hz +
	       (unsigned long long)ts.tv_nsec * (unsigned long long)hz /
	       1000000000ULL;
}

bool children_was_mine(const struct spawn *s, pid_t pid)
{
	size_t i;

	for (i = 0; i < s->n_mine; i++)
		if (s->mine[i] == pid)
			return true;
	return false;
}

/* How long a process's unwritten environment is waited on (see below). */
#define MIDEXEC_WAIT_MS 2000

/*
 * The process's DAEMON_INSTANCE_ID, once it can be read: a leftover that
 * called setsid() and is now inside execve() has, for a moment, no
 * environment yet, and taking that for "not ours" would leave it running.
 * proc_instance() says when that is so; it is asked again while the
 * process lives, for a bound. A process with an empty environment is
 * answered at once.
 */
static int settled_instance(pid_t pid, char *id, size_t size)
{
	const struct timespec pause = { 0, 1000000 };
	long long end = util_now_ms() + MIDEXEC_WAIT_MS;
	int r;

	while ((r = proc_instance(pid, id, size)) == -EAGAIN &&
	       util_now_ms() < end && proc_alive(pid))
		nanosleep(&pause, NULL);
	return r;
}

/*
 * Is this child of ours (ps: its stat) a process of this start? Those in
 * the daemon's session are (no outside process can join it). One that
 * moved to a session of its own is, if it started after our fork and
 * carries this start's DAEMON_INSTANCE_ID: an orphan of another of the
 * caller's process trees, reparented to us while we are subreaper, is not.
 */
bool children_of_this_start(struct spawn *s, pid_t pid,
			    const struct proc_stat *ps)
{
	char id[DCTL_UUID_LEN];

	if (ps->session == s->sid)
		return true;
	/* The kernel truncates start times to a tick, so can we. */
	if (ps->start_ticks + 1 < s->fork_ticks)
		return false;
	return settled_instance(pid, id, sizeof(id)) == 0 &&
	       strcmp(id, s->res->instance) == 0;
}

/* -------------------------------------------------- a failed start */

/* How long a killed daemon that is not our child may take to go. */
#define KILL_WAIT_MS 2000

/*
 * Reap the watched process through its pidfd if it is our child: never
 * another process that got its PID. 0, or -ECHILD if it is not ours.
 */
static int reap_pidfd(struct spawn *s)
{
	siginfo_t si;
	int r;

	do
		r = waitid(P_PIDFD, (id_t)s->pidfd, &si, WEXITED);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

/*
 * A failed start leaves nothing: the process we watch is killed through
 * its pidfd whenever we have one (so never a reused PID; if that fails,
 * it is gone), else by PID only while /proc shows it our unreaped child
 * (we are its subreaper), whose PID cannot be reused. After
 * switch_to_mainpid() it may be a process that is not our child. Our
 * child is reaped; another process is waited for.
 */
static void kill_daemon(struct spawn *s)
{
	struct proc_stat ps;

	if (s->daemon <= 1 || s->reaped)
		return;
	if (s->pidfd >= 0) {
		if (proc_pidfd_signal(s->pidfd, SIGKILL) < 0)
			return;
		if (reap_pidfd(s) < 0)
			proc_wait_exit(s->pidfd, s->daemon, KILL_WAIT_MS);
	} else {
		if (!s->subreaper || proc_read_stat(s->daemon, &ps) < 0 ||
		    ps.ppid != getpid())
			return;
		kill(s->daemon, SIGKILL);
		spawn_reap(s->daemon, NULL);
	}
	s->reaped = true;
}

/* The MAINPID= process accepted with READY=1, through its pidfd; reaped
 * by sweep_children() if it is our child by now. */
static void kill_main(struct spawn *s)
{
	if (s->main_fd >= 0 &&
	    proc_pidfd_signal(s->main_fd, SIGKILL) == 0)
		proc_wait_exit(s->main_fd, -1, KILL_WAIT_MS);
}

/*
 * Kill and reap the children we gained during this start: processes the
 * program forked before it failed, reparented to us as subreaper, also
 * those that left the daemon's session with setsid(). Only our own
 * unreaped children are signalled, so no PID can have been reused, and
 * only of_this_start() ones: never one the caller had before the start
 * (s->mine), nor any other child of the caller.
 * Killing one reparents its own children to us: hence the rounds.
 */
static void sweep_children(struct spawn *s)
{
	struct proc_stat ps;
	int round, found;
	pid_t *kids;
	size_t n, i;

	if (s->sid <= 1)
		return;
	for (round = 0; round < 16; round++) {
		if (list_children(&kids, &n) < 0)
			return;
		found = 0;
		for (i = 0; i < n; i++) {
			if (children_was_mine(s, kids[i]) ||
			    proc_read_stat(kids[i], &ps) < 0 ||
			    !children_of_this_start(s, kids[i], &ps))
				continue;
			kill(kids[i], SIGKILL);
			spawn_reap(kids[i], NULL);
			found++;
		}
		free(kids);
		if (!found)
			return;
		spawn_log(s, DCTL_LOG_DEBUG, "killed %d leftover process(es)",
			  found);
	}
}

void children_kill_all(struct spawn *s)
{
	kill_main(s);
	kill_daemon(s);
	if (s->subreaper)
		sweep_children(s);
}
