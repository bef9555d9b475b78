/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One process's facts, read from /proc/PID only, and the pidfd calls that
 * let a caller signal and wait for exactly the process it looked at.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

/* /proc/PID/stat is a few hundred bytes; field 22 comes early. */
#define STAT_BUF 1024
/* /proc/PID/status is about 1.5 KiB; Uid: is in its first half. */
#define STATUS_BUF 4096
/* Stop looking for the instance id after this much of the environment. */
#define ENVIRON_SCAN_MAX (1024 * 1024)
#define ENVIRON_CHUNK 4096
#define INSTANCE_KEY "DAEMON_INSTANCE_ID="
#define UUID_TEXT_LEN 36
/* How many of a process's descriptors a lock search looks at. */
#define FD_SCAN_MAX 4096
/* The fallback wait naps this long at first, doubling up to the cap. */
#define NAP_FIRST_MS 1
#define NAP_MAX_MS 20

#define NSEC_PER_SEC 1000000000LL

static void proc_path(char *buf, size_t size, pid_t pid, const char *entry)
{
	snprintf(buf, size, "/proc/%d/%s", (int)pid, entry);
}

/* A process that vanished between open and read says ESRCH or nothing. */
static int gone_as_esrch(int err)
{
	return err == -ENOENT ? -ESRCH : err;
}

/* Parse one signed decimal field after its space, up to the next one. */
static int next_field(char **p, long long *v)
{
	char *s = *p;
	size_t len;

	while (*s == ' ')
		s++;
	len = strcspn(s, " \n");
	if (util_parse_num(s, len, LLONG_MIN, LLONG_MAX, NULL, 0, v) < 0)
		return -EBADMSG;
	*p = s + len;
	return 0;
}

/*
 * Fields 3 .. 22, starting right after the ')' that closes the command
 * name. Fields 4 .. 21 are signed in the kernel's output (tpgid may be -1,
 * priority negative), field 22 is the unsigned start time.
 */
static int parse_after_comm(char *p, struct proc_stat *ps)
{
	long long v;
	int field;

	if (p[0] != ' ' || p[1] == '\0' || p[2] != ' ')
		return -EBADMSG;
	ps->state = p[1];
	p += 2;
	for (field = 4; field <= 21; field++) {
		if (next_field(&p, &v) < 0)
			return -EBADMSG;
		if (field == 4)
			ps->ppid = (pid_t)v;
		else if (field == 5)
			ps->pgrp = (pid_t)v;
		else if (field == 6)
			ps->session = (pid_t)v;
		else if (field == 9)
			ps->flags = (unsigned long)v;
	}
	while (*p == ' ')
		p++;
	if (util_parse_num(p, strcspn(p, " \n"), 0, LLONG_MAX, NULL, 0, &v) < 0)
		return -EBADMSG;
	ps->start_ticks = (unsigned long long)v;
	return 0;
}

/* The name between "(" and the last ")": at most 15 bytes, as the kernel
 * keeps it; a longer span cannot come from the kernel, so it is cut. */
static void copy_comm(struct proc_stat *ps, const char *from, const char *to)
{
	size_t len = (size_t)(to - from);

	if (len > PROC_COMM_MAX)
		len = PROC_COMM_MAX;
	memcpy(ps->comm, from, len);
	ps->comm[len] = '\0';
}

/*
 * /proc/PID/stat into buf, and in *close_paren the ')' that ends the
 * command name (the name may hold ')' itself: only the last one closes
 * it). 0, -ESRCH if there is no such process, -EBADMSG if there is none.
 */
static int read_stat_text(pid_t pid, char *buf, size_t size,
			  char **close_paren)
{
	char path[48];
	ssize_t n;

	proc_path(path, sizeof(path), pid, "stat");
	n = util_read_proc(AT_FDCWD, path, buf, size);
	if (n < 0)
		return gone_as_esrch((int)n);
	if (n == 0)
		return -ESRCH;
	*close_paren = strrchr(buf, ')');
	return *close_paren ? 0 : -EBADMSG;
}

int proc_read_stat(pid_t pid, struct proc_stat *ps)
{
	char buf[STAT_BUF];
	char *close_paren;
	long long v;
	size_t len;
	int r;

	if (pid <= 0 || !ps)
		return -EINVAL;
	r = read_stat_text(pid, buf, sizeof(buf), &close_paren);
	if (r < 0)
		return r;
	len = util_digits(buf);
	if (util_parse_num(buf, len, 1, INT_MAX, NULL, 0, &v) < 0 || v != pid ||
	    strncmp(buf + len, " (", 2) != 0)
		return -EBADMSG;
	memset(ps, 0, sizeof(*ps));
	ps->pid = pid;
	copy_comm(ps, buf + len + 2, close_paren);
	return parse_after_comm(close_paren + 1, ps);
}

static bool state_is_gone(char state)
{
	return state == 'Z' || state == 'X' || state == 'x';
}

bool proc_alive(pid_t pid)
{
	struct proc_stat ps;

	if (proc_read_stat(pid, &ps) < 0)
		return false;
	return !state_is_gone(ps.state);
}

static long long ts_ns(const struct timespec *ts)
{
	return (long long)ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

struct timespec proc_start_time(unsigned long long start_ticks)
{
	struct timespec real, boot, r;
	long long boot_epoch_ns, after_boot_ns;
	long hz = sysconf(_SC_CLK_TCK);

	if (hz <= 0)
		hz = 100;
	/*
	 * The kernel counts start times on the boot-time clock (suspend
	 * included), so the boot instant in wall-clock terms is the
	 * difference of the two clocks, read back to back.
	 */
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	boot_epoch_ns = ts_ns(&real) - ts_ns(&boot);
	after_boot_ns = (long long)(start_ticks / (unsigned long long)hz) *
			NSEC_PER_SEC +
			(long long)(start_ticks % (unsigned long long)hz) *
			NSEC_PER_SEC / hz;
	after_boot_ns += boot_epoch_ns;
	r.tv_sec = (time_t)(after_boot_ns / NSEC_PER_SEC);
	r.tv_nsec = (long)(after_boot_ns % NSEC_PER_SEC);
	if (r.tv_nsec < 0) {
		r.tv_nsec += NSEC_PER_SEC;
		r.tv_sec--;
	}
	return r;
}

bool proc_started_before(unsigned long long start_ticks,
			 const struct timespec *mtime)
{
	struct timespec started = proc_start_time(start_ticks);

	return ts_ns(&started) <= ts_ns(mtime) + PROC_START_SLACK_NS;
}

bool proc_is_unlocked_writer(pid_t pid, const struct timespec *mtime)
{
	struct proc_stat ps;

	if (proc_read_stat(pid, &ps) < 0 || state_is_gone(ps.state))
		return false;
	return proc_started_before(ps.start_ticks, mtime);
}

int proc_exe(pid_t pid, char *buf, size_t size)
{
	char path[48];
	ssize_t n;

	if (pid <= 0 || !buf || size < 2)
		return -EINVAL;
	buf[0] = '\0';
	proc_path(path, sizeof(path), pid, "exe");
	n = readlink(path, buf, size - 1);
	if (n < 0)
		return -errno;
	if ((size_t)n >= size - 1) {
		/* Possibly cut: a partial path would only mislead a match. */
		buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	buf[n] = '\0';
	return 0;
}

/* One of the four ids of a "Uid:" line of /proc/PID/status (0: real). */
static int status_uid(pid_t pid, int which, uid_t *uid)
{
	char path[48], buf[STATUS_BUF];
	long long v;
	size_t len;
	char *line;
	ssize_t n;
	int i;

	if (pid <= 0 || !uid)
		return -EINVAL;
	proc_path(path, sizeof(path), pid, "status");
	n = util_read_small(AT_FDCWD, path, buf, sizeof(buf));
	if (n < 0)
		return gone_as_esrch((int)n);
	line = strstr(buf, "\nUid:");
	if (!line)
		return n == 0 ? -ESRCH : -EBADMSG;
	/* "Uid:\treal\teffective\tsaved\tfs". */
	line += strlen("\nUid:");
	for (i = 0;; i++) {
		line += strspn(line, "\t ");
		len = util_digits(line);
		if (util_parse_num(line, len, 0, UINT32_MAX, NULL, 0, &v) < 0 ||
		    (line[len] != '\t' && line[len] != ' ' && line[len] != '\n'))
			return -EBADMSG;
		if (i == which)
			break;
		line += len;
	}
	*uid = (uid_t)v;
	return 0;
}

int proc_uid(pid_t pid, uid_t *uid)
{
	return status_uid(pid, 0, uid);
}

int proc_euid(pid_t pid, uid_t *uid)
{
	return status_uid(pid, 1, uid);
}

/*
 * A streaming search for the first DAEMON_INSTANCE_ID= entry in a
 * NUL-separated environment, so that the environment is never held in
 * memory whole and an entry split across two reads is still found.
 */
struct env_scan {
	size_t pos;		/* bytes of the current entry seen so far */
	bool candidate;		/* the entry still starts with the key */
	bool found;
	size_t vlen;
	char value[UUID_TEXT_LEN + 2];	/* one spare to detect overlong */
};

static void env_scan_byte(struct env_scan *s, char c)
{
	size_t klen = sizeof(INSTANCE_KEY) - 1;

	if (c == '\0') {
		if (s->candidate && s->pos >= klen)
			s->found = true;
		s->pos = 0;
		s->candidate = true;
		if (!s->found)
			s->vlen = 0;
		return;
	}
	if (s->candidate && s->pos < klen)
		s->candidate = c == INSTANCE_KEY[s->pos];
	else if (s->candidate && s->vlen < sizeof(s->value) - 1)
		s->value[s->vlen++] = c;
	s->pos++;
}

/*
 * Scan an environ file for the key. -EAGAIN if it is empty: that is what
 * the kernel shows while the process is inside execve() (its new memory
 * is in place, its new environment not yet), and also for a process
 * started with no environment at all; env_unwritten() tells them apart.
 */
static int env_scan_fd(int fd, struct env_scan *s)
{
	char chunk[ENVIRON_CHUNK];
	size_t total = 0;
	ssize_t n, i;

	while (!s->found && total < ENVIRON_SCAN_MAX) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0 && total == 0)
			return -EAGAIN;
		if (n == 0) {
			/* The last entry need not end with a NUL. */
			env_scan_byte(s, '\0');
			break;
		}
		for (i = 0; i < n && !s->found; i++)
			env_scan_byte(s, chunk[i]);
		total += (size_t)n;
	}
	return 0;
}

/*
 * Has the kernel yet to write PID's environment? In the middle of an
 * execve() the new memory is in place with its environment's end still
 * 0 (field 51 of stat); a process started with an empty environment has
 * it set. 1 if not yet, 0 if written, or -errno (-ESRCH: gone). A caller
 * that could read the environ file may read these fields too.
 */
static int env_unwritten(pid_t pid)
{
	char buf[2 * STAT_BUF], *p;
	long long v;
	int field, r;

	/* Room for all 52 fields: this one is near the end. */
	r = read_stat_text(pid, buf, sizeof(buf), &p);
	if (r < 0)
		return r;
	for (field = 3; p && field <= 51; field++)
		p = strchr(p + 1, ' ');
	if (!p || next_field(&p, &v) < 0)
		return -EBADMSG;
	return v == 0;
}

/* One look at the environ file: as env_scan_fd(), or -ESRCH if gone. */
static int scan_environ(pid_t pid, struct env_scan *s)
{
	char path[48];
	int fd, r;

	*s = (struct env_scan){ .candidate = true };
	proc_path(path, sizeof(path), pid, "environ");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return gone_as_esrch(-errno);
	r = env_scan_fd(fd, s);
	close(fd);
	return gone_as_esrch(r);
}

/*
 * An empty environ file: -EAGAIN while the kernel has yet to write the
 * environment, else a second look (it may have been written since the
 * first), which finds the instance or says there is none.
 */
static int scan_environ_settled(pid_t pid, struct env_scan *s)
{
	int r = scan_environ(pid, s);

	if (r != -EAGAIN)
		return r;
	r = env_unwritten(pid);
	if (r != 0)
		return r == 1 ? -EAGAIN : r;
	r = scan_environ(pid, s);
	return r == -EAGAIN ? 0 : r;
}

int proc_instance(pid_t pid, char *buf, size_t size)
{
	struct env_scan s;
	int r;

	if (pid <= 0 || !buf || size < UUID_TEXT_LEN + 1)
		return -EINVAL;
	buf[0] = '\0';
	r = scan_environ_settled(pid, &s);
	if (r < 0)
		return r;
	if (!s.found)
		return -ENOENT;
	if (!util_uuid_valid(s.value, s.vlen))
		return -EBADMSG;
	memcpy(buf, s.value, UUID_TEXT_LEN);
	buf[UUID_TEXT_LEN] = '\0';
	return 0;
}

/*
 * Does an fdinfo text show a held flock? Its lock lines read
 * "lock:\t1: FLOCK  ADVISORY  WRITE ..." or, for a waiter, "1: -> FLOCK".
 */
static bool fdinfo_has_flock(const char *text)
{
	const char *p = text;

	while ((p = strstr(p, "lock:")) != NULL) {
		p += strlen("lock:");
		p += strspn(p, " \t");
		p += strspn(p, "0123456789");
		if (*p == ':')
			p++;
		p += strspn(p, " \t");
		if (strncmp(p, "FLOCK", 5) == 0)
			return true;
	}
	return false;
}

static bool fd_has_flock(pid_t pid, const char *fd)
{
	char path[32 + NAME_MAX], buf[STATUS_BUF];

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid, fd);
	if (util_read_proc(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
		return false;
	return fdinfo_has_flock(buf);
}

/* Does pid's descriptor NAME lead to dev:ino and hold a flock there? */
static bool fd_holds_flock(int dfd, pid_t pid, const char *name, dev_t dev,
			   ino_t ino)
{
	struct stat sb;

	/* stat follows the descriptor to its file; nothing is opened. */
	if (fstatat(dfd, name, &sb, 0) < 0)
		return false;
	return sb.st_dev == dev && sb.st_ino == ino && fd_has_flock(pid, name);
}

static bool is_stdio_name(const char *name)
{
	return name[0] >= '0' && name[0] <= '2' && name[1] == '\0';
}

/*
 * The recipe hands the lock down on the lowest descriptor above stdio,
 * which is 3 unless the starter had more open: one stat settles most
 * probes, without listing the directory. Anything else (the file open
 * twice, say) is left to the walk.
 */
static bool fd3_holds_flock(pid_t pid, dev_t dev, ino_t ino)
{
	struct stat sb;
	char path[48];

	proc_path(path, sizeof(path), pid, "fd/3");
	if (stat(path, &sb) < 0 || sb.st_dev != dev || sb.st_ino != ino)
		return false;
	return fd_has_flock(pid, "3");
}

int proc_environ_ready(pid_t pid)
{
	char path[48], c[2];
	ssize_t n;

	if (pid <= 0)
		return -EINVAL;
	proc_path(path, sizeof(path), pid, "environ");
	/* One byte tells: the buffer keeps room for util's NUL. */
	n = util_read_proc(AT_FDCWD, path, c, sizeof(c));
	return n < 0 ? gone_as_esrch((int)n) : n > 0;
}

/*
 * Call fn(dfd, pid, name, arg) for the descriptors of pid (dfd: its
 * /proc/PID/fd) until fn returns true, and say whether one did. The walk
 * reads with getdents64 into a stack buffer (no opendir: its allocation
 * and extra system calls showed in a status of one daemon). Descriptors
 * 0-2 come last: the recipe hands the lock down above them, so a daemon's
 * stdio is seldom worth a stat. Returns 1, 0, or -errno (-ESRCH: gone).
 */
typedef bool (*fd_visit)(int dfd, pid_t pid, const char *name, void *arg);

static int walk_fds(pid_t pid, fd_visit fn, void *arg)
{
	char buf[4096] __attribute__((aligned(8)));
	char path[48], name[2] = "0";
	struct dirent64 *d;
	unsigned stdio = 0;
	ssize_t len, off;
	int dfd, seen = 0;
	bool done = false;

	proc_path(path, sizeof(path), pid, "fd");
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return gone_as_esrch(-errno);
	while (!done && seen < FD_SCAN_MAX &&
	       (len = getdents64(dfd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < len && !done && seen++ < FD_SCAN_MAX;
		     off += d->d_reclen) {
			d = (struct dirent64 *)(buf + off);
			if (d->d_name[0] == '.')
				continue;
			if (is_stdio_name(d->d_name))
				stdio |= 1u << (d->d_name[0] - '0');
			else
				done = fn(dfd, pid, d->d_name, arg);
		}
	}
	for (; !done && stdio; stdio >>= 1, name[0]++)
		if (stdio & 1)
			done = fn(dfd, pid, name, arg);
	close(dfd);
	return done;
}

struct file_key {
	dev_t dev;
	ino_t ino;
};

static bool visit_holds(int dfd, pid_t pid, const char *name, void *arg)
{
	const struct file_key *k = arg;

	return fd_holds_flock(dfd, pid, name, k->dev, k->ino);
}

int proc_holds_flock(pid_t pid, dev_t dev, ino_t ino)
{
	struct file_key k = { dev, ino };

	if (pid <= 0)
		return -EINVAL;
	if (fd3_holds_flock(pid, dev, ino))
		return 1;
	return walk_fds(pid, visit_holds, &k);
}

struct holder_search {
	struct proc_holders *h;
	size_t n;
};

/* Note pid as a holder of every file that descriptor name locks. */
static bool visit_holders(int dfd, pid_t pid, const char *name, void *arg)
{
	const struct holder_search *hs = arg;
	struct proc_holders *h;
	struct stat sb;
	size_t i;

	if (fstatat(dfd, name, &sb, 0) < 0)
		return false;
	for (i = 0; i < hs->n; i++) {
		h = &hs->h[i];
		if (sb.st_dev != h->dev || sb.st_ino != h->ino)
			continue;
		/* One process, several descriptors: counted once. */
		if (h->n && h->n <= PROC_HOLDERS_MAX &&
		    h->pid[h->n - 1] == pid)
			continue;
		if (!fd_has_flock(pid, name))
			continue;
		if (h->n < PROC_HOLDERS_MAX)
			h->pid[h->n] = pid;
		h->n++;
	}
	return false;
}

/* The PID that a /proc entry's name is, or 0 for another entry. */
static pid_t entry_pid(const char *name)
{
	long long v;

	if (util_parse_num(name, strlen(name), 1, INT_MAX, NULL,
			   UTIL_NUM_NO_LEADING_ZERO, &v) < 0)
		return 0;
	return (pid_t)v;
}

int proc_find_holders(struct proc_holders *h, size_t n)
{
	struct holder_search hs = { h, n };
	char buf[4096] __attribute__((aligned(8)));
	struct dirent64 *d;
	pid_t self = getpid(), pid;
	ssize_t len, off;
	size_t i;
	int dfd;

	for (i = 0; i < n; i++)
		h[i].n = 0;
	if (n == 0)
		return 0;
	dfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	while ((len = getdents64(dfd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < len; off += d->d_reclen) {
			d = (struct dirent64 *)(buf + off);
			pid = entry_pid(d->d_name);
			/* Processes we may not look into are left out. */
			if (pid > 0 && pid != self)
				walk_fds(pid, visit_holders, &hs);
		}
	}
	close(dfd);
	return len < 0 ? -errno : 0;
}

bool proc_hidden(pid_t pid)
{
	struct stat sb;
	char path[48];

	if (pid <= 0)
		return false;
	/* kill(pid, 0) sends nothing; EPERM says the process exists. */
	if (kill(pid, 0) == 0 || errno != EPERM)
		return false;
	proc_path(path, sizeof(path), pid, "stat");
	return stat(path, &sb) < 0;
}

/*
 * Is the process a pidfd reaches the one /proc calls pid? Not where /proc
 * belongs to another PID namespace (unshare --pid without a /proc of its
 * own): there every fact read about pid is some other process's, and
 * trusting them would signal a process nobody checked. The pidfd's fdinfo
 * gives its PID as that /proc numbers it. Kernels whose fdinfo has no
 * "Pid:" line cannot tell us: 0. -ESRCH exited; -EXDEV another namespace.
 */
static int pidfd_matches_proc(int fd, pid_t pid)
{
	char path[48], buf[STATUS_BUF];
	const char *line;
	long long v;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	n = util_read_small(AT_FDCWD, path, buf, sizeof(buf));
	/* No /proc/self: this /proc does not show us, nor our processes. */
	if (n == -ENOENT)
		return -EXDEV;
	if (n < 0)
		return (int)n;
	line = strstr(buf, "\nPid:");
	if (!line)
		return 0;
	line += strlen("\nPid:");
	line += strspn(line, "\t ");
	if (util_parse_num(line, strcspn(line, "\n"), -1, INT_MAX, NULL, 0,
			   &v) < 0)
		return -EBADMSG;
	if (v == -1)
		return -ESRCH;
	return v == pid ? 0 : -EXDEV;
}

int proc_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	long fd;
	int r;

	if (pid <= 0)
		return -EINVAL;
	/* A pidfd is always close-on-exec. */
	fd = syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -errno;
	r = pidfd_matches_proc((int)fd, pid);
	if (r < 0) {
		close((int)fd);
		return r;
	}
	return (int)fd;
#else
	(void)pid;
	return -ENOSYS;
#endif
}

int proc_pidfd_signal(int pidfd, int sig)
{
#ifdef SYS_pidfd_send_signal
	if (pidfd < 0)
		return -EBADF;
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		return -errno;
	return 0;
#else
	(void)pidfd;
	(void)sig;
	return -ENOSYS;
#endif
}

int proc_pidfd_sigqueue(int pidfd, int sig, int value)
{
#ifdef SYS_pidfd_send_signal
	siginfo_t si;

	if (pidfd < 0)
		return -EBADF;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, &si, 0) < 0)
		return -errno;
	return 0;
#else
	(void)pidfd;
	(void)sig;
	(void)value;
	return -ENOSYS;
#endif
}

static int wait_pidfd(int pidfd, int timeout_ms)
{
	struct util_deadline deadline = util_deadline_in(timeout_ms);
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r;

	for (;;) {
		r = poll(&p, 1, util_deadline_left(deadline, INT32_MAX));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		if (p.revents & POLLNVAL)
			return -EBADF;
		/* POLLIN at exit (zombie or not), POLLHUP once reaped. */
		if (p.revents & (POLLIN | POLLHUP))
			return 0;
		return -EIO;
	}
}

/*
 * Without a pidfd: does PID still name a process that has not exited?
 * kill(pid, 0) sends nothing; it answers for our PID namespace even where
 * /proc belongs to another one. A zombie counts as exited.
 */
static bool still_running(pid_t pid)
{
	struct proc_stat ps;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return false;
	if (proc_read_stat(pid, &ps) < 0)
		return true;
	return !state_is_gone(ps.state);
}

static int exited_yet(void *arg)
{
	return still_running(*(const pid_t *)arg) ? -EAGAIN : 0;
}

static int wait_fallback(pid_t pid, int timeout_ms)
{
	if (pid < 2)
		return -EINVAL;
	return util_retry(util_deadline_in(timeout_ms), NAP_FIRST_MS,
			  NAP_MAX_MS, exited_yet, &pid);
}

int proc_wait_exit(int pidfd, pid_t pid, int timeout_ms)
{
	if (pidfd >= 0)
		return wait_pidfd(pidfd, timeout_ms);
	return wait_fallback(pid, timeout_ms);
}
