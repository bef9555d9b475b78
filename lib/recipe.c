/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The daemon recipe, the steps the daemon takes on itself before it runs
 * its program: signals, descriptors, stdio, nice, chroot, cwd, umask,
 * credentials. All of it runs in the child, after the fork (launch.c), so
 * all of it is async-signal-safe: plain system calls, no malloc, no stdio,
 * no NSS; what needs those (the user lookup in creds.c, the program lookup
 * in execpath.c) runs in the caller before the fork. A launch_clone()
 * child shares the caller's memory until exec: nothing here touches more
 * than its own stack.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "recipe.h"
#include "util.h"

static const char *const step_names[] = {
	[RECIPE_STEP_NONE] = "none",
	[RECIPE_STEP_FORK] = "fork",
	[RECIPE_STEP_SETSID] = "setsid",
	[RECIPE_STEP_FORK2] = "second fork",
	[RECIPE_STEP_SIGNALS] = "resetting signals",
	[RECIPE_STEP_FDS] = "closing descriptors",
	[RECIPE_STEP_STDIO] = "redirecting stdio",
	[RECIPE_STEP_NICE] = "nice",
	[RECIPE_STEP_CHROOT] = "chroot",
	[RECIPE_STEP_CHDIR] = "chdir",
	[RECIPE_STEP_UMASK] = "umask",
	[RECIPE_STEP_SETGROUPS] = "setgroups",
	[RECIPE_STEP_SETGID] = "setgid",
	[RECIPE_STEP_SETUID] = "setuid",
	[RECIPE_STEP_KEEP_FD] = "keeping the pidfile lock",
	[RECIPE_STEP_PIDFILE] = "writing the pidfile",
	[RECIPE_STEP_EXEC] = "exec",
	[RECIPE_STEP_READY] = "startup",
	[RECIPE_STEP_LIMITS] = "resource limits and scheduling",
	[RECIPE_STEP_CAPS] = "capabilities",
};

const char *recipe_step_str(enum recipe_step step)
{
	if ((unsigned)step >= sizeof(step_names) / sizeof(step_names[0]))
		return "unknown step";
	return step_names[step];
}

void recipe_init(struct recipe *r)
{
	memset(r, 0, sizeof(*r));
	r->stdin_fd = -1;
	r->stdout_fd = -1;
	r->stderr_fd = -1;
	r->keep_fd = -1;
	r->umask = 022;
}

/* ------------------------------------------------------------- signals */

/*
 * One signal back to SIG_DFL, asked of the kernel directly, never through
 * the C library: glibc refuses its reserved real-time signals (32 and 33),
 * which a caller can still leave ignored across exec, and a sanitizer's or
 * an LD_PRELOAD shim's sigaction() keeps a table of handlers in memory
 * that a launch_clone() child shares with its caller. SIG_DFL is 0, so
 * a zeroed kernel sigaction means it on every Linux ABI, whatever the
 * order of the fields.
 */
static int reset_default(int sig)
{
#ifdef SYS_rt_sigaction
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned long mask[2];
	} ksa;

	memset(&ksa, 0, sizeof(ksa));
	if (syscall(SYS_rt_sigaction, sig, &ksa, NULL, NSIG / 8) < 0)
		return -errno;
	return 0;
#else
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	if (sigaction(sig, &sa, NULL) < 0 && errno != EINVAL)
		return -errno;
	return 0;
#endif
}

/*
 * The hex mask after "KEY:\t" in a /proc status text, its low 64 bits
 * (signals 1..64; an architecture with more prints more digits first).
 * False if absent or not a whole line of hex digits.
 */
static bool status_mask(const char *text, const char *key, uint64_t *mask)
{
	const char *p = strstr(text, key);
	uint64_t v = 0;
	int digits = 0;
	char c;

	if (!p)
		return false;
	for (p += strlen(key); *p == ' ' || *p == '\t'; p++)
		;
	for (; (c = *p) != '\0'; p++, digits++) {
		if (c >= '0' && c <= '9')
			v = v << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint64_t)(c - 'a' + 10);
		else
			break;
	}
	if (digits == 0 || *p != '\n')
		return false;
	*mask = v;
	return true;
}

/*
 * The signals that are ignored or caught (bit n-1 for signal n), from
 * /proc/self/status: the only ones that need a reset. Read with plain
 * system calls, as this runs between fork and exec. All signals when it
 * cannot be read.
 */
uint64_t recipe_disposed_signals(void)
{
	char buf[4096];
	uint64_t ign, cgt;

	if (util_read_small(AT_FDCWD, "/proc/self/status", buf,
			    sizeof(buf)) <= 0 ||
	    !status_mask(buf, "\nSigIgn:", &ign) ||
	    !status_mask(buf, "\nSigCgt:", &cgt))
		return ~(uint64_t)0;
	return ign | cgt;
}

/*
 * Every signal back to its default disposition, and none blocked. Only the
 * ignored and caught ones are touched: one system call each instead of one
 * for every signal, which was a measurable part of a start.
 */
static int reset_signals(uint64_t todo)
{
	unsigned char none[NSIG / 8 + 8];
	int sig, e;

	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sig <= 64 && !(todo & (uint64_t)1 << (sig - 1)))
			continue;
		if ((e = reset_default(sig)))
			return e;
	}
	memset(none, 0, sizeof(none));
	if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, none, NULL, NSIG / 8) < 0)
		return -errno;
	return 0;
}

int recipe_reset_signals(void)
{
	return reset_signals(recipe_disposed_signals());
}

/* --------------------------------------------------------- descriptors */

#define KEEP_LIMIT 16

static bool is_kept(int fd, const int *keep, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

/* Sort a small array in place (insertion sort: no allocation). */
static void sort_fds(int *a, size_t n)
{
	size_t i, j;
	int v;

	for (i = 1; i < n; i++) {
		v = a[i];
		for (j = i; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int parse_fd_name(const char *s)
{
	int v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > INT_MAX / 10 - 1)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* The fallback without close_range: read /proc/self/fd with getdents64
 * into a stack buffer (opendir would allocate). */
static int close_walk(const int *keep, size_t n)
{
	char buf[4096];
	struct linux_dirent64 *d;
	long len, off;
	int dir, fd;

	dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -errno;
	for (;;) {
		len = syscall(SYS_getdents64, dir, buf, sizeof(buf));
		if (len < 0) {
			fd = errno;
			close(dir);
			return -fd;
		}
		if (len == 0)
			break;
		for (off = 0; off < len; off += d->d_reclen) {
			d = (struct linux_dirent64 *)(buf + off);
			fd = parse_fd_name(d->d_name);
			if (fd < 3 || fd == dir || is_kept(fd, keep, n))
				continue;
			close(fd);
		}
	}
	close(dir);
	return 0;
}

static int close_loop(const int *keep, size_t n)
{
	struct rlimit rl;
	int fd, max = 65536;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)max)
		max = (int)rl.rlim_cur;
	for (fd = 3; fd < max; fd++)
		if (!is_kept(fd, keep, n))
			close(fd);
	return 0;
}

int recipe_close_fds(const int *keep, size_t n)
{
	int sorted[KEEP_LIMIT];
	unsigned int lo = 3;
	size_t i, m = 0;
	int r;

	if (n > KEEP_LIMIT)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (keep[i] >= 3)
			sorted[m++] = keep[i];
	sort_fds(sorted, m);
#ifdef SYS_close_range
	for (i = 0; i <= m; i++) {
		unsigned int hi = i < m ? (unsigned int)sorted[i] - 1 : ~0U;

		if (i < m && (unsigned int)sorted[i] < lo) {
			lo = (unsigned int)sorted[i] + 1;	/* duplicate */
			continue;
		}
		if (lo <= hi && syscall(SYS_close_range, lo, hi, 0) < 0)
			goto fallback;
		if (i < m)
			lo = (unsigned int)sorted[i] + 1;
	}
	return 0;
fallback:
	if (errno != ENOSYS && errno != EINVAL)
		return -errno;
#endif
	r = close_walk(sorted, m);
	if (r == 0)
		return 0;
	return close_loop(sorted, m);
}

/* Move a descriptor out of 0-2, so stdio can be set up without clobbering
 * it. The copy is close-on-exec; the original is left for dup2/close. */
static int move_up(int *fd)
{
	int nfd;

	if (*fd < 0 || *fd > 2)
		return 0;
	nfd = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
	if (nfd < 0)
		return -errno;
	*fd = nfd;
	return 0;
}

static int move_all_up(struct recipe *r)
{
	size_t i;
	int e;

	if ((e = move_up(&r->stdin_fd)) || (e = move_up(&r->stdout_fd)) ||
	    (e = move_up(&r->stderr_fd)) || (e = move_up(&r->keep_fd)))
		return e;
	for (i = 0; i < r->n_keep_cloexec; i++)
		if ((e = move_up(&r->keep_cloexec[i])))
			return e;
	return 0;
}

/* /dev/null (opened before any chroot) onto every stdio slot not given. */
static int setup_stdio(struct recipe *r)
{
	int src[3] = { r->stdin_fd, r->stdout_fd, r->stderr_fd };
	int null = -1, i, e;

	if (src[0] < 0 || src[1] < 0 || src[2] < 0) {
		null = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
		if (null < 0)
			return -errno;
		if ((e = move_up(&null)))
			return e;
	}
	for (i = 0; i < 3; i++) {
		int fd = src[i] >= 0 ? src[i] : null;

		/* Sources are all >= 3 by now, so no slot is clobbered. */
		if (dup2(fd, i) < 0)
			return -errno;
	}
	return 0;
}

static int close_others(const struct recipe *r)
{
	int keep[RECIPE_KEEP_MAX + 1];
	size_t i, n = 0;

	if (r->keep_fd >= 0)
		keep[n++] = r->keep_fd;
	for (i = 0; i < r->n_keep_cloexec && i < RECIPE_KEEP_MAX; i++)
		keep[n++] = r->keep_cloexec[i];
	return recipe_close_fds(keep, n);
}

/* -------------------------------------------------------------- places */

static int set_places(const struct recipe *r, enum recipe_step *step)
{
	const char *dir = r->chdir_path ? r->chdir_path : "/";

	if (r->chroot_path) {
		*step = RECIPE_STEP_CHROOT;
		if (chroot(r->chroot_path) < 0)
			return -errno;
	}
	/* After chroot, so the directory is looked up inside the new root
	 * (and the old cwd, outside it, is let go of). */
	*step = RECIPE_STEP_CHDIR;
	if (chdir(dir) < 0)
		return -errno;
	*step = RECIPE_STEP_UMASK;
	umask(r->umask & 0777);
	return 0;
}

/*
 * Raw system calls, not glibc's wrappers: those walk the list of threads
 * and take its lock to change every thread's credentials, and in a
 * launch_clone() child that list and lock are the caller's. The 32-bit
 * ids where an ABI has both.
 */
#ifdef SYS_setuid32
#define SYS_SETGROUPS	SYS_setgroups32
#define SYS_SETGID	SYS_setgid32
#define SYS_SETUID	SYS_setuid32
#else
#define SYS_SETGROUPS	SYS_setgroups
#define SYS_SETGID	SYS_setgid
#define SYS_SETUID	SYS_setuid
#endif

/* Supplementary groups, then the gid, then the uid: each later step
 * needs the privilege the earlier ones still had. */
static int set_creds(const struct creds *u, enum recipe_step *step)
{
	*step = RECIPE_STEP_SETGROUPS;
	if (!u->keep_groups &&
	    syscall(SYS_SETGROUPS, (size_t)u->ngroups, u->groups) < 0)
		return -errno;
	*step = RECIPE_STEP_SETGID;
	if (syscall(SYS_SETGID, u->gid) < 0)
		return -errno;
	*step = RECIPE_STEP_SETUID;
	if (syscall(SYS_SETUID, u->uid) < 0)
		return -errno;
	return 0;
}

/* The switch, with the capabilities to keep made to survive it. */
static int set_privileges(struct recipe *r, enum recipe_step *step)
{
	int e;

	*step = RECIPE_STEP_CAPS;
	if (r->caps && (e = caps_apply_before_user(r->caps, &r->item)))
		return e;
	if (r->user && (e = set_creds(r->user, step)))
		return e;
	*step = RECIPE_STEP_CAPS;
	if (r->caps && (e = caps_apply_after_user(r->caps, &r->item)))
		return e;
	return 0;
}

static int set_nice(int inc)
{
	errno = 0;
	if (nice(inc) == -1 && errno)
		return -errno;
	return 0;
}

static int keep_inherited(int fd)
{
	int flags;

	if (fd < 0)
		return 0;
	flags = fcntl(fd, F_GETFD);
	if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

int recipe_apply_identity(struct recipe *r, enum recipe_step *failed)
{
	enum recipe_step dummy, *step = failed ? failed : &dummy;
	int e;

	/* Before nice, so that a raised nice limit counts; before chroot,
	 * for /proc; before the user switch, so that root can grant a hard
	 * limit or a real-time policy the user could not take. */
	*step = RECIPE_STEP_LIMITS;
	if (r->limits && (e = limits_apply(r->limits, &r->item)))
		return e;
	/* Before the privilege drop: only root may lower the niceness. */
	*step = RECIPE_STEP_NICE;
	if (r->set_nice && (e = set_nice(r->nice)))
		return e;
	if ((e = set_places(r, step)))
		return e;
	if ((e = set_privileges(r, step)))
		return e;
	*step = RECIPE_STEP_KEEP_FD;
	if ((e = keep_inherited(r->keep_fd)))
		return e;
	*step = RECIPE_STEP_NONE;
	return 0;
}

int recipe_apply(struct recipe *r, enum recipe_step *failed)
{
	enum recipe_step dummy, *step = failed ? failed : &dummy;
	int e;

	*step = RECIPE_STEP_SIGNALS;
	if ((e = reset_signals(r->signals_known ? r->signals :
			       recipe_disposed_signals())))
		return e;
	*step = RECIPE_STEP_FDS;
	if ((e = move_all_up(r)))
		return e;
	*step = RECIPE_STEP_STDIO;
	if ((e = setup_stdio(r)))
		return e;
	*step = RECIPE_STEP_FDS;
	if ((e = close_others(r)))
		return e;
	return recipe_apply_identity(r, step);
}
