/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One start at a time for a pidfile: the pidfile's own lock, taken before
 * anything is forked and inherited by the daemon; or, with --forking,
 * where the program writes the pidfile itself, a lock on PIDFILE.lock for
 * the length of the start. Either way, a running instance is found here
 * and reported as such (-EEXIST), and nothing else is.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "proc.h"
#include "spawn.h"
#include "status.h"
#include "util.h"

static int check_running(struct spawn *s)
{
	const char *path = s->o->pidfile;
	struct dctl_status st;

	status_init(&st);
	probe_records(&path, 1, 0, &st);
	status_release(&st);
	if (st.state == DCTL_STATE_RUNNING) {
		s->res->pid = st.pid;
		s->running = true;
		return spawn_fail(s, DCTL_STAGE_PIDFILE, EEXIST,
				  "already running (pid %d, %s)", (int)st.pid,
				  s->o->pidfile);
	}
	/* --forking: a stale file of a dead instance must not be taken
	 * for the new one's. */
	if (!s->o->test && st.state == DCTL_STATE_DEAD && st.pid > 1)
		dctl_pidfile_remove_stale(s->o->pidfile, st.pid);
	return 0;
}

/*
 * Open (creating it 0600) the lock file of a --forking start: a regular
 * file, no symlink followed, and no hang on a FIFO put in its place.
 */
static int open_start_lock(struct spawn *s, const char *path)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
			O_NONBLOCK | O_NOCTTY, 0600);
	if (fd < 0)
		return spawn_fail(s, DCTL_STAGE_PIDFILE, errno, "lock file %s: %s",
				  path, spawn_errstr(s, errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return spawn_fail(s, DCTL_STAGE_PIDFILE, EINVAL,
				  "lock file %s: not a regular file", path);
	}
	s->lock_fd = fd;
	return 0;
}

/*
 * --forking: the program writes its own pidfile, so no lock of ours is on
 * it while the start runs, and two starts would both find nothing running
 * and both start. The whole start window, from the "already running?"
 * check to the end of the readiness wait (release()), is serialized by an
 * exclusive flock on PIDFILE.lock, which is left in place (removing it
 * would let a third start lock a new file beside a waiting one). Starts
 * of other pidfiles do not wait. A start that waited for the lock looks
 * again, and finds the other's daemon.
 */
static int lock_start(struct spawn *s)
{
	char path[PATH_MAX];
	long long deadline;
	int n, r;

	if ((r = check_running(s)))
		return r;
	n = snprintf(path, sizeof(path), "%s.lock", s->o->pidfile);
	if (n < 0 || (size_t)n >= sizeof(path))
		return spawn_fail(s, DCTL_STAGE_PIDFILE, ENAMETOOLONG,
				  "lock file %s.lock: path too long", s->o->pidfile);
	if ((r = open_start_lock(s, path)))
		return r;
	deadline = util_now_ms() + s->timeout_ms;
	while (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return spawn_fail(s, DCTL_STAGE_PIDFILE, errno,
					  "cannot lock %s: %s", path,
					  spawn_errstr(s, errno));
		if (util_now_ms() >= deadline)
			return spawn_fail(s, DCTL_STAGE_PIDFILE, ETIMEDOUT,
					  "another start of %s still runs after %s",
					  s->o->pidfile,
					  spawn_span(s, s->timeout_ms));
		usleep(FORKING_POLL_MS * 1000);
	}
	return check_running(s);
}

/*
 * The lock makes this start the owner of the state record a supervisor of
 * an earlier instance left behind (one that gave up, or was killed): it
 * says nothing true about the daemon starting now.
 */
static void forget_state(const struct spawn *s)
{
	char path[PATH_MAX];

	if (svstate_path(s->o->pidfile, path, sizeof(path)) == 0)
		svstate_remove(path);
}

/*
 * The lock is held, but not by a live process the file names: say by
 * whom (the probe names the holders, a dead daemon's children say), or,
 * if a daemon turned up meanwhile, which.
 */
static int locked_by_others(struct spawn *s)
{
	const char *path = s->o->pidfile;
	struct dctl_status st;
	int r;

	status_init(&st);
	probe_records(&path, 1, 0, &st);
	if ((st.state == DCTL_STATE_RUNNING ||
	     st.state == DCTL_STATE_RESTARTING) && st.pid > 1) {
		s->res->pid = st.pid;
		r = spawn_fail(s, DCTL_STAGE_PIDFILE, EEXIST,
			       "already running (pid %d, %s)", (int)st.pid, path);
	} else if (st.n_holders && st.reason) {
		r = spawn_fail(s, DCTL_STAGE_PIDFILE, EEXIST,
			       "already running? %s: %s", path, st.reason);
	} else {
		r = spawn_fail(s, DCTL_STAGE_PIDFILE, EEXIST,
			       "already running (%s is locked)", path);
	}
	status_release(&st);
	return r;
}

int startlock_take(struct spawn *s)
{
	pid_t holder = 0;
	int r;

	if (s->o->test)
		return check_running(s);
	if (s->o->ready == DCTL_READY_FORKING)
		return lock_start(s);
	r = dctl_pidfile_open(s->o->pidfile, 0644, &s->pf, &holder);
	if (r == -EEXIST) {
		s->res->pid = holder;
		s->running = true;
		if (holder > 0)
			return spawn_fail(s, DCTL_STAGE_PIDFILE, EEXIST,
					  "already running (pid %d, %s)", (int)holder,
					  s->o->pidfile);
		return locked_by_others(s);
	}
	if (r < 0)
		return spawn_fail(s, DCTL_STAGE_PIDFILE, -r, "pidfile %s: %s",
				  s->o->pidfile, spawn_errstr(s, -r));
	forget_state(s);
	return 0;
}

/* --forking failed: remove a pidfile the program wrote if it names a
 * process that is gone now. */
void startlock_forking_cleanup(struct spawn *s)
{
	pid_t pid;

	if (dctl_pidfile_read(s->o->pidfile, &pid, NULL) < 0)
		return;
	if (!proc_alive(pid))
		dctl_pidfile_remove_stale(s->o->pidfile, pid);
}

