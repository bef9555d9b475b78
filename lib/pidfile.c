/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pidfile core: strict parsing, open-and-lock (lock, then confirm that
 * the path still names the locked inode), write, removal that only ever
 * unlinks the inode it means to.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pidfile.h"
#include "proc.h"
#include "util.h"

/* How often open-and-lock starts over when the file is replaced under it. */
#define OPEN_RETRIES 16
/* How long a loser waits for the lock holder to write its PID. */
#define HOLDER_WAIT_MS 1000
#define HOLDER_POLL_MS 2

struct dctl_pidfile {
	int fd;
	dev_t dev;
	ino_t ino;
	char path[];
};

static const char *const fault_text[] = {
	[DCTL_PID_OK] = "valid",
	[DCTL_PID_EMPTY] = "empty file",
	[DCTL_PID_NOT_NUMBER] = "not a number",
	[DCTL_PID_ZERO_OR_ONE] = "PID 0 or 1 is never a daemon",
	[DCTL_PID_OUT_OF_RANGE] = "PID out of range (above pid_max)",
	[DCTL_PID_TRAILING] = "trailing garbage after the PID",
	[DCTL_PID_TOO_LARGE] = "file larger than 64 bytes",
	[DCTL_PID_NUL] = "NUL byte in file",
};

const char *dctl_pid_fault_str(enum dctl_pid_fault fault)
{
	if ((unsigned)fault >= sizeof(fault_text) / sizeof(fault_text[0]))
		return "unknown fault";
	return fault_text[fault];
}

static int parse_fail(enum dctl_pid_fault *fault, enum dctl_pid_fault f)
{
	if (fault)
		*fault = f;
	return -EBADMSG;
}

int dctl_pid_parse(const char *buf, size_t len, pid_t pid_max, pid_t *pid,
		   enum dctl_pid_fault *fault)
{
	long long v;
	size_t i;
	int r;

	if (!buf || !pid)
		return -EINVAL;
	if (len > DCTL_PIDFILE_MAX)
		return parse_fail(fault, DCTL_PID_TOO_LARGE);
	if (len == 0)
		return parse_fail(fault, DCTL_PID_EMPTY);
	if (memchr(buf, '\0', len))
		return parse_fail(fault, DCTL_PID_NUL);
	if (pid_max <= 0)
		pid_max = util_pid_max();

	/* The file is not NUL-terminated: count the digits within len. */
	for (i = 0; i < len && buf[i] >= '0' && buf[i] <= '9'; i++)
		;
	if (i == 0)
		return parse_fail(fault, DCTL_PID_NOT_NUMBER);
	if (i < len && !(i == len - 1 && buf[i] == '\n'))
		return parse_fail(fault, DCTL_PID_TRAILING);
	r = util_parse_num(buf, i, 0, pid_max, NULL, 0, &v);
	if (r == -ERANGE)
		return parse_fail(fault, DCTL_PID_OUT_OF_RANGE);
	if (r < 0)
		return parse_fail(fault, DCTL_PID_NOT_NUMBER);
	if (v < 2)
		return parse_fail(fault, DCTL_PID_ZERO_OR_ONE);

	*pid = (pid_t)v;
	if (fault)
		*fault = DCTL_PID_OK;
	return 0;
}

static int refuse_type(mode_t mode)
{
	if (S_ISREG(mode))
		return 0;
	if (S_ISLNK(mode))
		return -ELOOP;
	if (S_ISDIR(mode))
		return -EISDIR;
	return -ENXIO;
}

int pidfile_open_regular(const char *path, int flags, mode_t mode,
			 struct stat *st)
{
	struct stat lst;
	int fd, r;

	flags |= O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
	/* A file made here and now is a new empty regular file: nothing to
	 * look at first. */
	if (flags & O_CREAT) {
		fd = open(path, flags | O_EXCL, mode);
		if (fd >= 0)
			goto opened;
		if (errno != EEXIST)
			return -errno;
	}
	/*
	 * Look before opening, so that no device is ever opened (opening
	 * some has side effects); fstat afterwards closes the race.
	 */
	if (lstat(path, &lst) == 0) {
		r = refuse_type(lst.st_mode);
		if (r < 0)
			return r;
	} else if (errno != ENOENT || !(flags & O_CREAT)) {
		return -errno;
	}

	fd = open(path, flags, mode);
	if (fd < 0)
		return -errno;
opened:
	if (fstat(fd, st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	r = refuse_type(st->st_mode);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

static int parse_fd(int fd, off_t known, pid_t pid_max, pid_t *pid,
		    enum dctl_pid_fault *fault)
{
	char buf[DCTL_PIDFILE_MAX + 1];
	ssize_t n;

	/* One byte more than a pidfile may hold tells one too long. */
	n = util_pread_all(fd, buf, sizeof(buf), known);
	if (n < 0)
		return (int)n;
	return dctl_pid_parse(buf, (size_t)n, pid_max, pid, fault);
}

int pidfile_read(const char *path, pid_t pid_max, pid_t *pid,
		 enum dctl_pid_fault *fault, struct stat *st)
{
	struct stat tmp;
	int fd, r;

	if (!path || !pid)
		return -EINVAL;
	if (!st)
		st = &tmp;
	fd = pidfile_open_regular(path, O_RDONLY, 0, st);
	if (fd < 0)
		return fd;
	r = parse_fd(fd, st->st_size, pid_max, pid, fault);
	close(fd);
	return r;
}

int dctl_pidfile_read(const char *path, pid_t *pid, enum dctl_pid_fault *fault)
{
	return pidfile_read(path, 0, pid, fault, NULL);
}

/* Does the path still name the inode we have open? */
static bool same_inode(const char *path, dev_t dev, ino_t ino)
{
	struct stat st;

	return lstat(path, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

/*
 * Is the lock held by the daemon the file names? True when that process
 * is alive and holds it through one of its descriptors, or when we cannot
 * look (another user's process): then we take the file at its word.
 */
static bool held_by_named(pid_t pid, const struct stat *st)
{
	int r;

	if (!proc_alive(pid))
		return false;
	r = proc_holds_flock(pid, st->st_dev, st->st_ino);
	return r != 0;
}

/*
 * The lock is held by someone else. Usually that is the running daemon
 * whose PID is in the file; it may also be a start that has not written
 * its PID yet, a stop removing a stale file, or a probe looking at the
 * descriptors of a daemon that is just letting go of it, each holding it
 * for moments. Wait a little for either the daemon's PID or the lock, so
 * a transient holder never makes a start fail. Returns 0 if we got the
 * lock after all, else -EEXIST.
 */
struct holder_wait {
	int fd;
	const struct stat *st;
	pid_t seen;
};

/* 0: the lock is ours after all; -EEXIST: the holder wrote its PID. */
static int holder_settled(void *arg)
{
	struct holder_wait *w = arg;
	pid_t pid = 0;

	if (parse_fd(w->fd, -1, 0, &pid, NULL) == 0 && held_by_named(pid, w->st)) {
		w->seen = pid;
		return -EEXIST;
	}
	if (flock(w->fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	return -EAGAIN;
}

static int wait_for_holder(int fd, const struct stat *st, pid_t *holder)
{
	struct holder_wait w = { .fd = fd, .st = st, .seen = 0 };
	int r;

	r = util_retry(util_deadline_in(HOLDER_WAIT_MS), HOLDER_POLL_MS,
		       HOLDER_POLL_MS, holder_settled, &w);
	if (r == 0)
		return 0;
	if (holder)
		*holder = w.seen;
	return -EEXIST;
}

static int lock_fd(int fd, const struct stat *st, pid_t *holder)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return -errno;
	return wait_for_holder(fd, st, holder);
}

static struct dctl_pidfile *pidfile_new(const char *path, int fd,
					const struct stat *st)
{
	size_t len = strlen(path) + 1;
	struct dctl_pidfile *pf = malloc(sizeof(*pf) + len);

	if (!pf)
		return NULL;
	pf->fd = fd;
	pf->dev = st->st_dev;
	pf->ino = st->st_ino;
	memcpy(pf->path, path, len);
	return pf;
}

/* How long a daemon that let go of its lock may take to finish exiting. */
#define EXITING_WAIT_MS 20

/*
 * -EEXIST if the old content names a live daemon that holds no lock. A
 * daemon that is exiting lets go of its files (and so its lock) a moment
 * before it becomes a zombie: give it that moment before calling it live.
 * st is refreshed first: the file may have been rewritten while we waited
 * for the lock.
 */
struct writer_wait {
	pid_t pid;
	const struct stat *st;
};

static int writer_gone(void *arg)
{
	const struct writer_wait *w = arg;

	return proc_is_unlocked_writer(w->pid, &w->st->st_mtim) ? -EAGAIN : 0;
}

static int unlocked_writer(int fd, struct stat *st, pid_t *holder)
{
	struct writer_wait w = { .st = st };

	if (fstat(fd, st) < 0)
		return -errno;
	if (parse_fd(fd, st->st_size, 0, &w.pid, NULL) < 0 || w.pid == getpid())
		return 0;
	if (util_retry(util_deadline_in(EXITING_WAIT_MS), HOLDER_POLL_MS,
		       HOLDER_POLL_MS, writer_gone, &w) == 0)
		return 0;
	if (holder)
		*holder = w.pid;
	return -EEXIST;
}

/*
 * The file gets exactly the mode asked for: a starter's umask of 077 must not
 * hide the pidfile from the users who run daemon-status. A file that is not
 * ours keeps its mode (the trust rules judge it).
 */
static int set_mode(int fd, struct stat *st, mode_t mode)
{
	if ((st->st_mode & 07777) == (mode & 07777) || st->st_uid != geteuid())
		return 0;
	if (fchmod(fd, mode & 07777) < 0)
		return -errno;
	st->st_mode = (st->st_mode & ~07777u) | (mode & 07777);
	return 0;
}

/* One attempt: 1 locked and verified, 0 replaced under us, < 0 error. */
static int try_open_lock(const char *path, mode_t mode, int *fdp,
			 struct stat *st, pid_t *holder)
{
	int fd, r;

	fd = pidfile_open_regular(path, O_RDWR | O_CREAT, mode, st);
	if (fd < 0)
		return fd;
	r = lock_fd(fd, st, holder);
	if (r < 0)
		goto fail;
	if (!same_inode(path, st->st_dev, st->st_ino)) {
		close(fd);
		return 0;
	}
	/*
	 * Unlocked is not the same as stale: a daemon that wrote the file
	 * itself, or closed the descriptor it inherited, holds no lock.
	 */
	r = unlocked_writer(fd, st, holder);
	if (r < 0)
		goto fail;
	/* Only now, with the lock, may the old content go. */
	if (st->st_size > 0 && ftruncate(fd, 0) < 0) {
		r = -errno;
		goto fail;
	}
	r = set_mode(fd, st, mode);
	if (r < 0)
		goto fail;
	*fdp = fd;
	return 1;
fail:
	close(fd);
	return r;
}

int dctl_pidfile_open(const char *path, mode_t mode, struct dctl_pidfile **pfp,
		      pid_t *holder)
{
	struct dctl_pidfile *pf;
	struct stat st;
	int fd = -1, r = 0, i;

	if (!path || !*path || !pfp)
		return -EINVAL;
	if (holder)
		*holder = 0;
	for (i = 0; i < OPEN_RETRIES; i++) {
		r = try_open_lock(path, mode, &fd, &st, holder);
		if (r != 0)
			break;
	}
	if (r < 0)
		return r;
	if (r == 0)
		return -EAGAIN;
	pf = pidfile_new(path, fd, &st);
	if (!pf) {
		close(fd);
		return -ENOMEM;
	}
	*pfp = pf;
	return 0;
}

/* Decimal digits and a newline, without stdio: safe after fork. */
static size_t format_pid(char *buf, pid_t pid)
{
	size_t n = util_format_int(buf, pid);

	buf[n++] = '\n';
	return n;
}

int pidfile_write_fd(int fd, pid_t pid)
{
	struct stat st;
	char buf[24];
	size_t len;
	ssize_t n;

	if (pid < 2)
		return -EINVAL;
	len = format_pid(buf, pid);
	/* Old content goes first, so that a reader sees either no PID or the
	 * whole new one, never old digits under new ones; an empty file
	 * (a start's new one) costs no truncation. */
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size > 0 && ftruncate(fd, 0) < 0)
		return -errno;
	do {
		n = pwrite(fd, buf, len, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EIO;
}

int dctl_pidfile_write(struct dctl_pidfile *pf, pid_t pid)
{
	if (!pf)
		return -EINVAL;
	return pidfile_write_fd(pf->fd, pid);
}

int dctl_pidfile_fileno(const struct dctl_pidfile *pf)
{
	return pf ? pf->fd : -EINVAL;
}

const char *dctl_pidfile_path(const struct dctl_pidfile *pf)
{
	return pf ? pf->path : NULL;
}

int dctl_pidfile_close(struct dctl_pidfile *pf)
{
	int r = 0;

	if (!pf)
		return 0;
	if (close(pf->fd) < 0)
		r = -errno;
	free(pf);
	return r;
}

int dctl_pidfile_remove(struct dctl_pidfile *pf)
{
	int r = 0;

	if (!pf)
		return 0;
	/* A path that names another inode now belongs to someone else. */
	if (same_inode(pf->path, pf->dev, pf->ino) && unlink(pf->path) < 0)
		r = -errno;
	if (dctl_pidfile_close(pf) < 0 && r == 0)
		r = -EIO;
	return r;
}

int dctl_pidfile_remove_stale(const char *path, pid_t pid)
{
	struct stat st;
	pid_t named = 0;
	int fd, r;

	if (!path || pid < 2)
		return -EINVAL;
	fd = pidfile_open_regular(path, O_RDONLY, 0, &st);
	if (fd < 0)
		return fd;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		r = errno == EWOULDBLOCK ? -EBUSY : -errno;
		goto out;
	}
	if (!same_inode(path, st.st_dev, st.st_ino)) {
		r = -EBUSY;
		goto out;
	}
	/* A new instance may have written its own PID since. */
	if (parse_fd(fd, -1, 0, &named, NULL) < 0 || named != pid) {
		r = -EBUSY;
		goto out;
	}
	r = unlink(path) < 0 ? -errno : 0;
out:
	/* Closing drops the lock; nothing here may clobber r. */
	close(fd);
	return r;
}
