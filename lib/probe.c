/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The probe: one rule, in one place, for "is this pidfile live?",
 * asked by start, stop and status alike.
 *
 * It never takes the pidfile's lock, not even for an instant: a concurrent
 * daemon-start doing flock(LOCK_EX | LOCK_NB) would then fail. Whether the
 * lock is held is read from /proc/locks instead, once for any number of
 * pidfiles. And it never signals anything.
 *
 * Nor is it fooled by another tool's start or stop at work on the same
 * pidfile: a look that catches one half done waits, on inotify events and
 * for SETTLE_MS at most, for it to finish, and reports the state after
 * (see "moments of change" below). Where the lock is held with no live
 * daemon behind it, the processes holding it are named.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "pidfile.h"
#include "probe.h"
#include "proc.h"
#include "status.h"
#include "supervise.h"
#include "util.h"

struct lock_key {
	dev_t dev;
	ino_t ino;
};

/* The held flocks of the whole system (struct lock_key), sorted. */
struct lock_table {
	struct util_array keys;
};

#define LOCK_TABLE_INIT { UTIL_ARRAY_INIT(sizeof(struct lock_key)) }

/* What every record of one probe_many call shares. */
struct probe_ctx {
	pid_t pid_max;		/* 0: not read yet (see beyond_pid_max) */
	bool root;		/* apply the trust rules for root */
	int proc_ok;		/* /proc is there to answer; -1: not asked */
	unsigned flags;
};

/* ------------------------------------------------------------ the locks */

int probe_lock_line(const char *line, dev_t *dev, ino_t *ino)
{
	unsigned int major_nr, minor_nr;
	unsigned long long inode;
	char type[16], where[64], extra;
	const char *p;

	p = strchr(line, ':');
	if (!p)
		return -EBADMSG;
	p++;
	p += strspn(p, " ");
	/* "1: -> FLOCK ..." waits for the lock; it does not hold it. */
	if (strncmp(p, "->", 2) == 0)
		return 0;
	if (sscanf(p, "%15s %*s %*s %*d %63s", type, where) != 2)
		return -EBADMSG;
	if (strcmp(type, "FLOCK") != 0)
		return 0;
	/* The kernel prints "%02x:%02x:%lu", or "<none>:0" for no inode. */
	if (sscanf(where, "%x:%x:%llu%c", &major_nr, &minor_nr, &inode,
		   &extra) != 3)
		return where[0] == '<' ? 0 : -EBADMSG;
	*dev = makedev(major_nr, minor_nr);
	*ino = (ino_t)inode;
	return 1;
}

static int lock_key_cmp(const void *a, const void *b)
{
	const struct lock_key *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

static void locks_free(struct lock_table *t)
{
	util_array_free(&t->keys);
}

/*
 * Read /proc/locks once. Where it cannot be read the table stays empty:
 * every pidfile then falls back to the unlocked rule, which still never
 * calls a stale pidfile live.
 */
static void locks_load(struct lock_table *t)
{
	struct lock_key *key = NULL;
	char *line = NULL;
	size_t size = 0;
	dev_t dev;
	ino_t ino;
	FILE *f;

	locks_free(t);
	f = fopen("/proc/locks", "re");
	if (!f)
		return;
	while (getline(&line, &size, f) > 0) {
		if (probe_lock_line(line, &dev, &ino) != 1)
			continue;
		key = util_array_push(&t->keys);
		if (!key)
			break;
		key->dev = dev;
		key->ino = ino;
	}
	free(line);
	fclose(f);
	if (t->keys.n > 1)
		qsort(t->keys.v, t->keys.n, sizeof(*key), lock_key_cmp);
}

static bool locks_has(const struct lock_table *t, dev_t dev, ino_t ino)
{
	struct lock_key k = { .dev = dev, .ino = ino };

	if (t->keys.n == 0)
		return false;
	return bsearch(&k, t->keys.v, t->keys.n, sizeof(k), lock_key_cmp) !=
	       NULL;
}

/* ------------------------------------------------------------ the file */

#define set_reason status_set_reason

static void set_unknown(struct dctl_status *st, int error)
{
	st->state = DCTL_STATE_UNKNOWN;
	st->error = error;
}

static const char *file_type_name(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "FIFO";
	if (S_ISSOCK(mode))
		return "socket";
	if (S_ISCHR(mode))
		return "character device";
	if (S_ISBLK(mode))
		return "block device";
	return "unknown type";
}

/* Say what is wrong with a pidfile that could not be read. */
static void describe_error(const char *path, int error, struct dctl_status *st)
{
	char msg[UTIL_STRERROR_MAX];
	struct stat sb;
	bool have = lstat(path, &sb) == 0;

	set_unknown(st, error);
	switch (error) {
	case -EBADMSG:
		set_reason(st, "malformed pidfile: %s",
			   dctl_pid_fault_str(st->fault));
		break;
	case -ELOOP:
		set_reason(st, "%s", have && S_ISLNK(sb.st_mode) ?
			   "symbolic link refused" :
			   "too many levels of symbolic links");
		break;
	case -EISDIR:
		set_reason(st, "is a directory");
		break;
	case -ENXIO:
		if (have)
			set_reason(st, "not a regular file (%s)",
				   file_type_name(sb.st_mode));
		else
			set_reason(st, "not a regular file");
		break;
	case -EACCES:
	case -EPERM:
		set_reason(st, "permission denied");
		break;
	default:
		set_reason(st, "cannot read pidfile: %s",
			   util_strerror(error, msg, sizeof(msg)));
		break;
	}
}

/* The directory a path's last component is in (malloc'd), or NULL. */
static char *parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	return strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

/* Can someone other than root replace what this directory holds? */
static bool dir_trusted(const char *path)
{
	char *dir = parent_dir(path);
	struct stat sb;
	int r;

	if (!dir)
		return false;
	r = stat(dir, &sb);
	free(dir);
	if (r < 0)
		return false;
	/* Its owner may rename any entry, sticky bit or not. */
	if (sb.st_uid != 0)
		return false;
	return !(sb.st_mode & (S_IWGRP | S_IWOTH)) || (sb.st_mode & S_ISVTX);
}

/* For root: could a user other than root have written this pidfile? */
static bool file_trusted(const char *path, const struct stat *sb)
{
	if (sb->st_uid != 0 || (sb->st_mode & (S_IWGRP | S_IWOTH)))
		return false;
	return dir_trusted(path);
}

/*
 * Read the pidfile into st: pid, dev/ino/mtime, trust. Leaves st->state
 * final (not-running, unknown) when there is nothing more to look at;
 * otherwise st->error is 0 (a PID) or -EBADMSG (malformed content, whose
 * verdict waits for the lock table: an empty file may be a start in
 * progress).
 */
static void probe_read(const char *path, const struct probe_ctx *ctx,
		       struct dctl_status *st)
{
	struct stat sb;
	pid_t pid = 0;
	int r;

	status_clear(st);
	r = pidfile_read(path, UTIL_PID_CEILING, &pid, &st->fault, &sb);
	if (r == -ENOENT) {
		st->state = DCTL_STATE_NOT_RUNNING;
		return;
	}
	if (r < 0 && r != -EBADMSG) {
		describe_error(path, r, st);
		return;
	}
	st->pid = r == 0 ? pid : 0;
	st->error = r;
	st->dev = sb.st_dev;
	st->ino = sb.st_ino;
	st->mtime = sb.st_mtim;
	if (ctx->root)
		st->trusted = file_trusted(path, &sb);
	/* Provisional, until the lock table and the process are seen. */
	st->state = DCTL_STATE_UNKNOWN;
}

static bool file_was_read(const struct dctl_status *st)
{
	return st->state == DCTL_STATE_UNKNOWN &&
	       (st->error == 0 || st->error == -EBADMSG) && !st->reason;
}

/* ------------------------------------------------------------ the verdict */

/* Up to this many pidfiles, the named processes are asked first. */
#define FEW_PIDFILES 8

/*
 * The lock says someone holds the pidfile, but the file does not name a
 * live process: a start between lock and write, a stop removing a stale
 * file, a daemon whose children inherited the lock, or a stranger's lock.
 * Neither live nor stale.
 */
static void set_locked_doubt(struct dctl_status *st)
{
	st->state = DCTL_STATE_UNKNOWN;
	st->error = -EBUSY;
}

static void read_details(struct dctl_status *st)
{
	char exe[PROC_EXE_MAX];
	uid_t uid;

	if (proc_uid(st->pid, &uid) == 0)
		st->uid = uid;
	/* Out of memory leaves the exe unknown, which a match refuses. */
	if (proc_exe(st->pid, exe, sizeof(exe)) == 0)
		status_set_exe(st, exe);
	proc_instance(st->pid, st->instance, sizeof(st->instance));
}

static void set_running(struct dctl_status *st, const struct proc_stat *ps,
			const struct timespec *started, unsigned flags)
{
	st->state = DCTL_STATE_RUNNING;
	st->error = 0;
	st->started = (int64_t)started->tv_sec;
	st->start_ticks = ps->start_ticks;
	if (flags & DCTL_PROBE_DETAILS)
		read_details(st);
}

static void classify_content(struct dctl_status *st)
{
	if (st->locked && st->fault == DCTL_PID_EMPTY) {
		set_locked_doubt(st);
		set_reason(st, "locked, but no PID written yet "
			   "(a start in progress?)");
		return;
	}
	st->state = DCTL_STATE_UNKNOWN;
	set_reason(st, "malformed pidfile: %s", dctl_pid_fault_str(st->fault));
}

static void classify_gone(struct dctl_status *st, const char *what)
{
	if (st->locked) {
		set_locked_doubt(st);
		set_reason(st, "locked, but process %d %s", (int)st->pid, what);
		return;
	}
	st->state = DCTL_STATE_DEAD;
	st->error = 0;
	set_reason(st, "process %d %s", (int)st->pid, what);
}

/*
 * The PID names a process that /proc hides from us (hidepid=, another
 * user's daemon). It is not dead: with the lock held it is running, as
 * far as anyone may know; without a lock in sight, we cannot tell.
 */
static void classify_hidden(struct dctl_status *st)
{
	st->hidden = true;
	if (st->locked) {
		st->state = DCTL_STATE_RUNNING;
		st->error = 0;
		set_reason(st, "permission denied: /proc hides process %d",
			   (int)st->pid);
		return;
	}
	set_unknown(st, -EACCES);
	set_reason(st, "permission denied: /proc hides process %d and shows "
		   "no lock on the pidfile", (int)st->pid);
}

/*
 * Read in a PID namespace with its own /proc (a container), /proc/locks
 * leaves out a flock whose taker has exited, which is how daemon-start
 * leaves its lock; and read a page at a time, it can skip a line (below).
 * So a lock the table does not show is looked for among the named
 * process's own descriptors, unless that was done already. Looking at
 * another process's descriptors holds a reference to each for an instant,
 * which can delay the release of a lock that process is just dropping;
 * so this is done only for a live process the verdict is about.
 */
static bool named_holds(struct dctl_status *st)
{
	int r;

	if (!st->named_asked) {
		st->named_asked = true;
		st->named_r = proc_holds_flock(st->pid, st->dev, st->ino);
	}
	r = st->named_r;
	/*
	 * Where we may not look (another user's daemon, as non-root), a lock
	 * the table shows is taken at its word: a clock set forward after
	 * boot must not make a running daemon look dead to a monitoring user.
	 */
	return r == 1 || (r < 0 && r != -ESRCH && st->locked);
}

/* Asked only when a /proc read failed: a running daemon costs no look. */
static bool proc_mounted(struct probe_ctx *ctx)
{
	if (ctx->proc_ok < 0)
		ctx->proc_ok = access("/proc/self/stat", R_OK) == 0;
	return ctx->proc_ok;
}

/*
 * The file was parsed against the kernel's ceiling, not pid_max: a PID
 * that names a process is in range, so pid_max is read only for one that
 * names none, to tell "out of range" from "not running".
 */
static bool beyond_pid_max(struct dctl_status *st, struct probe_ctx *ctx)
{
	if (ctx->pid_max <= 0)
		ctx->pid_max = util_pid_max();
	if (st->pid <= ctx->pid_max)
		return false;
	st->error = -EBADMSG;
	st->fault = DCTL_PID_OUT_OF_RANGE;
	st->pid = 0;
	return true;
}

/* The verdict on a live, visible process the file names. */
static void classify_alive(struct dctl_status *st, const struct proc_stat *ps,
			   const struct probe_ctx *ctx)
{
	struct timespec started = proc_start_time(ps->start_ticks);
	bool holds = st->named_asked && st->named_r == 1;

	/*
	 * /proc/locks is made a page at a time, each page from its own walk
	 * of the system's lock list to the line it stopped at: a lock
	 * released meanwhile in the part already read moves every later
	 * line up by one, and one of them is never shown. A line missing is
	 * no proof, then: the named process's descriptors say.
	 */
	if (!st->locked && named_holds(st))
		st->locked = holds = true;
	/*
	 * A file names its writer only if that process was there when the
	 * file was written; a younger one has a reused PID. A held lock does
	 * not prove otherwise, as the holder may be another process (a worker
	 * that inherited the descriptor after the daemon died): then only the
	 * named process holding the lock itself does.
	 */
	if (!proc_started_before(ps->start_ticks, &st->mtime) && !holds &&
	    !named_holds(st)) {
		st->state = DCTL_STATE_DEAD;
		st->error = 0;
		set_reason(st, "process %d started after the pidfile was "
			   "written (PID reused)", (int)st->pid);
		return;
	}
	set_running(st, ps, &started, ctx->flags);
}

static void classify(struct dctl_status *st, const struct lock_table *locks,
		     struct probe_ctx *ctx)
{
	struct proc_stat ps;
	int r;

	st->locked = (st->named_asked && st->named_r == 1) ||
		     locks_has(locks, st->dev, st->ino);
	if (st->error == -EBADMSG) {
		classify_content(st);
		return;
	}
	r = proc_read_stat(st->pid, &ps);
	if (r < 0 && !proc_mounted(ctx)) {
		set_unknown(st, -ENOSYS);
		set_reason(st, "cannot see processes: /proc is not mounted");
		return;
	}
	if (r == -ESRCH && proc_hidden(st->pid)) {
		classify_hidden(st);
		return;
	}
	if (r == -ESRCH && beyond_pid_max(st, ctx)) {
		classify_content(st);
		return;
	}
	if (r == -ESRCH || (r == 0 && (ps.state == 'X' || ps.state == 'x'))) {
		classify_gone(st, "not running");
		return;
	}
	if (r < 0) {
		set_unknown(st, r);
		set_reason(st, "cannot read /proc/%d/stat", (int)st->pid);
		return;
	}
	st->zombie = ps.state == 'Z';
	if (st->zombie) {
		classify_gone(st, "is a zombie");
		return;
	}
	classify_alive(st, &ps, ctx);
}

/*
 * For a few pidfiles, ask the named process's own descriptors first: the
 * daemon holding its lock settles the verdict without /proc/locks, whose
 * read waits in the kernel for an RCU grace period (several milliseconds)
 * unless another reader went just before. Many pidfiles share one read of
 * the table instead. A start racing this look only sees the lock a moment
 * longer, which open-and-lock waits out.
 */
static void ask_named(struct dctl_status *st)
{
	if (st->error != 0)
		return;
	st->named_asked = true;
	st->named_r = proc_holds_flock(st->pid, st->dev, st->ino);
}

/*
 * A live process that started before its pidfile was written is running
 * whoever holds the lock (the rule for a file the daemon wrote itself).
 * Asked with DCTL_PROBE_LOCK_IF_NEEDED, that settles the record without
 * the daemon's fd and fdinfo entries or the lock table: half the /proc
 * reads of a status, and the costliest to open. Anything else (gone, a
 * zombie, younger than the file, hidden) is left to the lock-first path.
 */
static bool running_by_age(struct dctl_status *st,
			   const struct probe_ctx *ctx)
{
	struct timespec started;
	struct proc_stat ps;

	if (!(ctx->flags & DCTL_PROBE_LOCK_IF_NEEDED) || st->error != 0)
		return false;
	if (proc_read_stat(st->pid, &ps) < 0 || ps.state == 'Z' ||
	    ps.state == 'X' || ps.state == 'x')
		return false;
	started = proc_start_time(ps.start_ticks);
	if (!proc_started_before(ps.start_ticks, &st->mtime))
		return false;
	st->lock_unread = true;
	set_running(st, &ps, &started, ctx->flags);
	return true;
}

static bool is_locked_doubt(const struct dctl_status *st)
{
	return st->state == DCTL_STATE_UNKNOWN && st->error == -EBUSY;
}

/*
 * One look at the records marked pending: files first, lock table
 * second. A start truncates only once it holds the lock, so an empty file
 * we read is then seen locked, unless that start is over by then.
 */
static void probe_pass(const char *const *paths, size_t n,
		       struct probe_ctx *ctx, struct dctl_status *st)
{
	struct lock_table locks = LOCK_TABLE_INIT;
	bool need_locks = false;
	size_t i, todo = 0;

	for (i = 0; i < n; i++)
		todo += st[i].pending;
	for (i = 0; i < n; i++) {
		if (!st[i].pending)
			continue;
		probe_read(paths[i], ctx, &st[i]);
		st[i].pending = true;
		if (!file_was_read(&st[i]) || running_by_age(&st[i], ctx))
			continue;
		if (todo <= FEW_PIDFILES)
			ask_named(&st[i]);
		if (st[i].named_r != 1)
			need_locks = true;
	}
	if (need_locks)
		locks_load(&locks);
	for (i = 0; i < n; i++)
		if (st[i].pending && file_was_read(&st[i]))
			classify(&st[i], &locks, ctx);
	locks_free(&locks);
}

/* --------------------------------------------------- moments of change */

/*
 * A probe that catches another tool's start or stop half done (a file
 * locked before its PID is written, an empty file just created, a locked
 * file naming the daemon a stop just ended) waits for that work to end,
 * up to SETTLE_MS, and reports the state after. It waits on inotify
 * events of the file and its directory: each step of a start or stop
 * writes, truncates, creates or unlinks, so each wakes it.
 */
#define SETTLE_MS 2000
/* The kernel reports a close just before it lets go of that file's
 * locks: after one, give the lock that moment. */
#define CLOSE_GRACE_MS 2
/* Without inotify, look this often instead. */
#define SETTLE_NAP_MS 10

#define FILE_EVENTS (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | \
		     IN_DELETE_SELF | IN_MOVE_SELF)
#define DIR_EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)

/* Was the file written in the last SETTLE_MS (or in the future)? */
static bool changed_lately(const struct timespec *mtime)
{
	struct timespec now;
	long long age_ms;

	clock_gettime(CLOCK_REALTIME, &now);
	age_ms = ((long long)now.tv_sec - mtime->tv_sec) * 1000 +
		 (now.tv_nsec - mtime->tv_nsec) / 1000000;
	return age_ms < SETTLE_MS;
}

/* Is the record one of those moments? An empty file that has been empty
 * for a while is no start in progress, but a fault to report at once. */
static bool in_transition(const struct dctl_status *st)
{
	if (is_locked_doubt(st))
		return true;
	return st->state == DCTL_STATE_UNKNOWN && st->error == -EBADMSG &&
	       st->fault == DCTL_PID_EMPTY && changed_lately(&st->mtime);
}

static size_t mark_pending(struct dctl_status *st, size_t n)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++) {
		st[i].pending = in_transition(&st[i]);
		count += st[i].pending;
	}
	return count;
}

static void watch_path(int ifd, const char *path)
{
	char *dir = parent_dir(path);

	/* A file already gone is seen through its directory. */
	inotify_add_watch(ifd, path, FILE_EVENTS | IN_DONT_FOLLOW);
	if (dir)
		inotify_add_watch(ifd, dir, DIR_EVENTS | IN_ONLYDIR);
	free(dir);
}

/* Wait for an event or the deadline; drain what came. */
static void settle_wait(int ifd, struct util_deadline d)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd p = { .fd = ifd, .events = POLLIN };
	const struct inotify_event *ev;
	bool closed = false;
	ssize_t len, off;

	if (ifd < 0) {
		util_nap(SETTLE_NAP_MS, d);
		return;
	}
	if (poll(&p, 1, util_deadline_left(d, INT_MAX)) <= 0)
		return;
	while ((len = read(ifd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < len; off += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(buf + off);
			closed |= (ev->mask & IN_CLOSE_WRITE) != 0;
		}
	}
	if (closed)
		util_nap(CLOSE_GRACE_MS, d);
}

/* ------------------------------------------------------------ holders */

/* Does the lock's holder matter to the verdict (no live daemon behind)? */
static bool wants_holders(const struct dctl_status *st)
{
	return is_locked_doubt(st) ||
	       (st->state == DCTL_STATE_DEAD && !st->hidden);
}

/* " 1235 1236" (and " ..." past what is kept) into a fresh string. */
static char *holders_text(const struct dctl_status *st)
{
	char *text = strdup(""), *more;
	size_t i, kept = st->n_holders < PROC_HOLDERS_MAX ?
			 st->n_holders : PROC_HOLDERS_MAX;

	for (i = 0; text && i < kept; i++) {
		more = util_asprintf("%s%s%d", text, i ? " " : "",
				     (int)st->holders[i]);
		free(text);
		text = more;
	}
	if (text && st->n_holders > kept) {
		more = util_asprintf("%s ...", text);
		free(text);
		text = more;
	}
	return text;
}

/*
 * Name the holders in the verdict. A dead daemon whose lock others hold
 * (its children, say) is no stale pidfile: a start would find it locked.
 */
static void say_holders(struct dctl_status *st)
{
	const char *who = st->n_holders > 1 ? "processes" : "process";
	char *pids = holders_text(st);

	if (!pids)
		return;
	st->locked = true;
	set_locked_doubt(st);
	if (st->pid <= 0)
		set_reason(st, "locked by %s %s, but no PID is written in it",
			   who, pids);
	else
		set_reason(st, "locked by %s %s, but process %d %s", who, pids,
			   (int)st->pid, st->zombie ? "is a zombie" :
			   proc_alive(st->pid) ? "does not hold it" :
			   "is not running");
	free(pids);
}

static void find_holders(struct dctl_status *st, size_t n)
{
	struct proc_holders *h;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += wants_holders(&st[i]);
	if (k == 0 || !(h = calloc(k, sizeof(*h))))
		return;
	for (i = 0, k = 0; i < n; i++) {
		if (!wants_holders(&st[i]))
			continue;
		h[k].dev = st[i].dev;
		h[k++].ino = st[i].ino;
	}
	if (proc_find_holders(h, k) == 0) {
		for (i = 0, k = 0; i < n; i++) {
			if (!wants_holders(&st[i]))
				continue;
			st[i].n_holders = h[k].n;
			memcpy(st[i].holders, h[k++].pid, sizeof(st[i].holders));
			if (st[i].n_holders)
				say_holders(&st[i]);
		}
	}
	free(h);
}

/*
 * Anything left to look at again? A record can also become a moment of
 * change once its holders are known: a stale file a start has just locked.
 */
static bool needs_look(struct dctl_status *st, size_t n)
{
	if (mark_pending(st, n))
		return true;
	find_holders(st, n);
	return mark_pending(st, n) > 0;
}

static void settle(const char *const *paths, size_t n, struct probe_ctx *ctx,
		   struct dctl_status *st)
{
	struct util_deadline d = util_deadline_in(SETTLE_MS);
	bool armed = false;
	size_t i;
	int ifd = -1;

	/*
	 * Watch first, then look: what happened before the watches were in
	 * place is seen by the look, what happens after wakes the wait.
	 */
	while (needs_look(st, n) && !util_deadline_passed(d)) {
		if (armed)
			settle_wait(ifd, d);
		else
			ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		armed = true;
		for (i = 0; ifd >= 0 && i < n; i++)
			if (st[i].pending)
				watch_path(ifd, paths[i]);
		probe_pass(paths, n, ctx, st);
	}
	if (ifd >= 0)
		close(ifd);
	/* Out of time: say who holds what is still in doubt. */
	if (mark_pending(st, n))
		find_holders(st, n);
	for (i = 0; i < n; i++)
		st[i].pending = false;
}

/* ------------------------------------------------------- supervision */

/*
 * A supervised running daemon, or one whose supervisor went away: what
 * the record says about the supervisor, told against what the pidfile and
 * /proc say now.
 */
static void supervised_running(struct dctl_status *st, const struct svstate *sv,
			       bool alive)
{
	char text[256];
	int64_t now;

	if (!alive) {
		/* The program outlived its supervisor (killed): running, and
		 * nobody restarts it, which the status must say. */
		set_reason(st, "unsupervised: supervisor %d is gone",
			   (int)sv->supervisor);
		return;
	}
	st->supervisor = sv->supervisor;
	if (sv->state != SVSTATE_RESTARTING || st->pid != sv->supervisor)
		return;
	/* In a backoff the pidfile names the supervisor itself. */
	now = util_now_ns();
	st->state = DCTL_STATE_RESTARTING;
	st->next_try_ns = sv->next_ns > now ? sv->next_ns - now : 0;
	svstate_describe(sv, now, text, sizeof(text));
	set_reason(st, "%s", text);
}

static void supervised_dead(struct dctl_status *st, const struct svstate *sv)
{
	char text[256];

	if (sv->state == SVSTATE_FAILED) {
		st->failed = true;
		svstate_describe(sv, util_now_ns(), text, sizeof(text));
		set_reason(st, "%s", text);
	} else if (sv->state == SVSTATE_RESTARTING) {
		set_reason(st, "supervisor %d is gone; it was waiting to restart the program",
			   (int)sv->supervisor);
	}
}

/*
 * Read the supervisor's state record beside a live or dead pidfile; an
 * unsupervised daemon has none, which costs one failed open. For root the
 * record counts only if root wrote it, as a pidfile's trust rules go.
 */
static void probe_supervision(const char *path, const struct probe_ctx *ctx,
			      struct dctl_status *st)
{
	char rec[PATH_MAX];
	struct svstate sv;
	uid_t owner;
	int alive;

	if (st->state != DCTL_STATE_RUNNING && st->state != DCTL_STATE_DEAD)
		return;
	if (svstate_path(path, rec, sizeof(rec)) < 0 ||
	    svstate_read(rec, &sv, &owner) < 0)
		return;
	if (ctx->root && owner != 0)
		return;
	st->supervised = true;
	st->restarts = sv.restarts;
	if (sv.last.kind != SV_EXIT_NONE)
		sv_exit_format(&sv.last, st->last_exit, sizeof(st->last_exit));
	if (st->state == DCTL_STATE_DEAD) {
		supervised_dead(st, &sv);
		return;
	}
	/* Where /proc cannot tell (-errno), the record is taken at its word. */
	alive = svstate_supervisor_alive(&sv);
	supervised_running(st, &sv, alive != 0);
}

int probe_records(const char *const *paths, size_t n, unsigned flags,
		  struct dctl_status *st)
{
	struct probe_ctx ctx;
	size_t i;

	ctx.pid_max = 0;
	ctx.root = geteuid() == 0;
	ctx.proc_ok = -1;
	ctx.flags = flags;

	for (i = 0; i < n; i++)
		st[i].pending = true;
	probe_pass(paths, n, &ctx, st);
	settle(paths, n, &ctx, st);
	for (i = 0; i < n; i++)
		probe_supervision(paths[i], &ctx, &st[i]);
	return 0;
}

static bool flags_known(unsigned flags)
{
	return (flags & ~(DCTL_PROBE_DETAILS | DCTL_PROBE_LOCK_IF_NEEDED)) == 0;
}

int dctl_probe_many(const char *const *paths, size_t n, unsigned flags,
		    struct dctl_status_list **out)
{
	struct dctl_status_list *l;
	struct dctl_status *st;
	size_t i;

	if (!out || (n && !paths) || !flags_known(flags))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!paths[i])
			return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->recs = (struct util_array)UTIL_ARRAY_INIT(sizeof(*st));
	for (i = 0; i < n; i++) {
		st = util_array_push(&l->recs);
		if (!st) {
			dctl_status_list_free(l);
			return -ENOMEM;
		}
		status_init(st);
		st->in_list = true;
	}
	probe_records(paths, n, flags, l->recs.v);
	*out = l;
	return 0;
}

int dctl_probe(const char *path, unsigned flags, struct dctl_status **out)
{
	struct dctl_status *st;

	if (!path || !out || !flags_known(flags))
		return -EINVAL;
	st = malloc(sizeof(*st));
	if (!st)
		return -ENOMEM;
	status_init(st);
	probe_records(&path, 1, flags, st);
	*out = st;
	return 0;
}

const char *dctl_state_str(enum dctl_state state)
{
	switch (state) {
	case DCTL_STATE_RUNNING:
		return "running";
	case DCTL_STATE_DEAD:
		return "dead";
	case DCTL_STATE_NOT_RUNNING:
		return "not-running";
	case DCTL_STATE_RESTARTING:
		return "restarting";
	case DCTL_STATE_UNKNOWN:
		break;
	}
	return "unknown";
}
