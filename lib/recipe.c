/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The daemon recipe: sessions, forks, signals, descriptors, stdio, nice,
 * chroot, cwd, umask, credentials. Everything that runs after fork() here is
 * async-signal-safe (plain system calls, no malloc, no stdio, no NSS);
 * what needs those (user lookup, program lookup) runs before the fork.
 * recipe_launch() goes further: its children share the caller's memory
 * until exec, so that a start copies no page tables and its daemon's exec
 * tears none down; what they run must touch nothing but their own stacks.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemonctl.h"
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

/* ------------------------------------------------------------- reports */

int recipe_report_write(int fd, const struct recipe_msg *m)
{
	ssize_t n;

	do
		n = write(fd, m, sizeof(*m));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* A pipe write this small is atomic: a short one means trouble. */
	return n == (ssize_t)sizeof(*m) ? 0 : -EIO;
}

int recipe_report_fail(int fd, enum recipe_step step, int err)
{
	struct recipe_msg m = {
		.kind = RECIPE_MSG_FAIL,
		.step = step,
		.err = err,
		.pid = getpid(),
	};

	return recipe_report_write(fd, &m);
}

int recipe_report_read(int fd, struct recipe_msg *m)
{
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(*m)) {
		n = read(fd, (char *)m + got, sizeof(*m) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return got == 0 ? 0 : -EBADMSG;
		got += (size_t)n;
	}
	return 1;
}

/* -------------------------------------------------------------- detach */

pid_t recipe_detach(int report_fd)
{
	struct recipe_msg m = { .kind = RECIPE_MSG_PID };
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		return pid;

	/* The middle child: a new session, without a terminal... */
	if (setsid() < 0) {
		if (report_fd >= 0)
			recipe_report_fail(report_fd, RECIPE_STEP_SETSID, errno);
		_exit(1);
	}
	/* ...and a second fork, so the daemon is not the session leader
	 * and can never acquire a controlling terminal by opening one. */
	pid = fork();
	if (pid < 0) {
		if (report_fd >= 0)
			recipe_report_fail(report_fd, RECIPE_STEP_FORK2, errno);
		_exit(1);
	}
	if (pid > 0)
		_exit(0);

	/* The daemon names itself first, so its PID precedes any failure. */
	m.pid = getpid();
	if (report_fd >= 0)
		recipe_report_write(report_fd, &m);
	return 0;
}

/* -------------------------------------------------------------- launch */

/* Each child's stack; a guard page at its low end. Ample for the recipe
 * (two 4 KiB buffers deep at most), also under the sanitizers. */
#define LAUNCH_STACK	(128 * 1024)

struct launch {
	int report_fd;
	int (*fn)(void *);
	void *arg;
	char *daemon_stack;	/* top of the daemon's stack */
};

/*
 * The children end by returning: clone() then exits with the value. No
 * _exit(), as a noreturn call on a stack of our own makes AddressSanitizer
 * warn, on the caller's stderr.
 */
static int launch_daemon(void *p)
{
	const struct launch *l = p;
	struct recipe_msg m = { .kind = RECIPE_MSG_PID };

	m.pid = getpid();
	if (l->report_fd >= 0)
		recipe_report_write(l->report_fd, &m);
	return l->fn(l->arg);
}

static int launch_middle(void *p)
{
	const struct launch *l = p;

	if (setsid() < 0) {
		if (l->report_fd >= 0)
			recipe_report_fail(l->report_fd, RECIPE_STEP_SETSID,
					   errno);
		return 1;
	}
	/* Returns once the daemon has exec'd or exited (CLONE_VFORK), so
	 * that our exit releases the caller only then. */
	if (clone(launch_daemon, l->daemon_stack,
		  CLONE_VM | CLONE_VFORK | SIGCHLD, p) < 0) {
		if (l->report_fd >= 0)
			recipe_report_fail(l->report_fd, RECIPE_STEP_FORK2,
					   errno);
		return 1;
	}
	return 0;
}

/*
 * Block every signal, the C library's own included (a handler must never
 * run in a child on the caller's memory); the daemon's recipe unblocks
 * them once their dispositions are back to default. Raw, because
 * sigprocmask() leaves glibc's internal signals out.
 */
static int block_all(unsigned char *old)
{
	unsigned char all[NSIG / 8 + 8];

	memset(all, 0xff, sizeof(all));
	if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, all, old, NSIG / 8) < 0)
		return -errno;
	return 0;
}

/* Did the middle child die of a signal? It is exiting (it has released
 * us); WNOWAIT leaves it for the caller to reap. */
static bool middle_was_killed(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0)
		if (errno != EINTR)
			return false;
	return si.si_code != CLD_EXITED;
}

pid_t recipe_launch(int report_fd, int (*fn)(void *), void *arg)
{
	struct launch l = { .report_fd = report_fd, .fn = fn, .arg = arg };
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char old[NSIG / 8 + 8];
	char *mem;
	pid_t pid;
	int e, cancel;

	/* The children share this thread's cancellation state too: a
	 * pthread_cancel() meanwhile must not unwind the caller's cleanup
	 * handlers inside the daemon. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	mem = mmap(NULL, 2 * LAUNCH_STACK, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (mem == MAP_FAILED) {
		e = -errno;
		pthread_setcancelstate(cancel, NULL);
		return e;
	}
	if (mprotect(mem, page, PROT_NONE) < 0 ||
	    mprotect(mem + LAUNCH_STACK, page, PROT_NONE) < 0) {
		e = -errno;
		goto out;
	}
	/* Stacks grow down on every Linux architecture but PA-RISC. */
	l.daemon_stack = mem + LAUNCH_STACK;
	if ((e = block_all(old)))
		goto out;
	pid = clone(launch_middle, mem + 2 * LAUNCH_STACK,
		    CLONE_VM | CLONE_VFORK | SIGCHLD, &l);
	e = pid < 0 ? -errno : pid;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, old, NULL, NSIG / 8);
	if (pid > 0 && middle_was_killed(pid)) {
		/* A SIGKILL ends the middle's wait early, and the daemon may
		 * still be running on its stack: leave the stacks mapped. */
		pthread_setcancelstate(cancel, NULL);
		return e;
	}
out:
	pthread_setcancelstate(cancel, NULL);
	munmap(mem, 2 * LAUNCH_STACK);
	return e;
}

/* ------------------------------------------------------------- signals */

/*
 * One signal back to SIG_DFL, asked of the kernel directly, never through
 * the C library: glibc refuses its reserved real-time signals (32 and 33),
 * which a caller can still leave ignored across exec, and a sanitizer's or
 * an LD_PRELOAD shim's sigaction() keeps a table of handlers in memory
 * that a recipe_launch() child shares with its caller. SIG_DFL is 0, so
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
static uint64_t disposed_signals(void)
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
int recipe_reset_signals(void)
{
	uint64_t todo = disposed_signals();
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
 * recipe_launch() child that list and lock are the caller's. The 32-bit
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
static int set_creds(const struct recipe_user *u, enum recipe_step *step)
{
	*step = RECIPE_STEP_SETGROUPS;
	if (syscall(SYS_SETGROUPS, (size_t)u->ngroups, u->groups) < 0)
		return -errno;
	*step = RECIPE_STEP_SETGID;
	if (syscall(SYS_SETGID, u->gid) < 0)
		return -errno;
	*step = RECIPE_STEP_SETUID;
	if (syscall(SYS_SETUID, u->uid) < 0)
		return -errno;
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

int recipe_apply_identity(const struct recipe *r, enum recipe_step *failed)
{
	enum recipe_step dummy, *step = failed ? failed : &dummy;
	int e;

	/* Before the privilege drop: only root may lower the niceness. */
	*step = RECIPE_STEP_NICE;
	if (r->set_nice && (e = set_nice(r->nice)))
		return e;
	if ((e = set_places(r, step)))
		return e;
	if (r->user && (e = set_creds(r->user, step)))
		return e;
	*step = RECIPE_STEP_NONE;
	return 0;
}

int recipe_apply(struct recipe *r, enum recipe_step *failed)
{
	enum recipe_step dummy, *step = failed ? failed : &dummy;
	int e;

	*step = RECIPE_STEP_SIGNALS;
	if ((e = recipe_reset_signals()))
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
	if ((e = recipe_apply_identity(r, step)))
		return e;
	*step = RECIPE_STEP_KEEP_FD;
	if ((e = keep_inherited(r->keep_fd)))
		return e;
	*step = RECIPE_STEP_NONE;
	return 0;
}

/* --------------------------------------------------- before the fork */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int parse_id(const char *s, unsigned long *id)
{
	char *end;

	errno = 0;
	*id = strtoul(s, &end, 10);
	if (errno || *end || *id >= (unsigned long)(uid_t)-1)
		return -EINVAL;
	return 0;
}

static size_t nss_bufsize(int which)
{
	long n = sysconf(which);

	return n > 0 ? (size_t)n : 16384;
}

/* getpwnam_r/getpwuid_r with a growing buffer; -ENOENT if no entry. */
static int lookup_user(const char *name, uid_t uid, struct recipe_user *u,
		       bool *found)
{
	size_t size = nss_bufsize(_SC_GETPW_R_SIZE_MAX);
	struct passwd pw, *res = NULL;
	char *buf = NULL, *nbuf;
	int e;

	for (;;) {
		nbuf = realloc(buf, size);
		if (!nbuf) {
			free(buf);
			return -ENOMEM;
		}
		buf = nbuf;
		e = name ? getpwnam_r(name, &pw, buf, size, &res)
			 : getpwuid_r(uid, &pw, buf, size, &res);
		if (e != ERANGE || size > (1u << 20))
			break;
		size *= 2;
	}
	*found = res != NULL;
	if (res) {
		u->uid = pw.pw_uid;
		u->gid = pw.pw_gid;
		snprintf(u->name, sizeof(u->name), "%s", pw.pw_name);
		snprintf(u->home, sizeof(u->home), "%s",
			 pw.pw_dir && *pw.pw_dir ? pw.pw_dir : "/");
	}
	free(buf);
	/* ENOENT and friends from the lookup mean "no such user". */
	if (!res && e && e != ENOENT && e != ESRCH && e != EBADF && e != EPERM)
		return -e;
	return 0;
}

static int lookup_group(const char *name, gid_t *gid)
{
	size_t size = nss_bufsize(_SC_GETGR_R_SIZE_MAX);
	struct group gr, *res = NULL;
	char *buf = NULL, *nbuf;
	int e;

	for (;;) {
		nbuf = realloc(buf, size);
		if (!nbuf) {
			free(buf);
			return -ENOMEM;
		}
		buf = nbuf;
		e = getgrnam_r(name, &gr, buf, size, &res);
		if (e != ERANGE || size > (1u << 20))
			break;
		size *= 2;
	}
	if (res)
		*gid = gr.gr_gid;
	free(buf);
	return res ? 0 : -ESRCH;
}

static int lookup_groups(struct recipe_user *u)
{
	int n = 32;
	gid_t *g = NULL, *ng;

	for (;;) {
		int want = n;

		ng = realloc(g, (size_t)n * sizeof(*g));
		if (!ng) {
			free(g);
			return -ENOMEM;
		}
		g = ng;
		if (getgrouplist(u->name, u->gid, g, &want) >= 0) {
			u->groups = g;
			u->ngroups = want;
			return 0;
		}
		if (want <= n || want > 65536)
			n *= 2;
		else
			n = want;
		if (n > 65536) {
			free(g);
			return -E2BIG;
		}
	}
}

int dctl_user_parse(const char *text, uid_t *uid)
{
	struct recipe_user u;
	unsigned long id;
	bool found;
	int e;

	if (!text || !*text || !uid || strlen(text) >= sizeof(u.name))
		return -EINVAL;
	if (all_digits(text)) {
		if (parse_id(text, &id))
			return -EINVAL;
		*uid = (uid_t)id;
		return 0;
	}
	e = lookup_user(text, 0, &u, &found);
	if (e)
		return e;
	if (!found)
		return -ENOENT;
	*uid = u.uid;
	return 0;
}

int recipe_resolve_user(const char *spec, struct recipe_user *u)
{
	char user[256], *group;
	unsigned long id;
	bool found;
	int e;

	memset(u, 0, sizeof(*u));
	if (!spec || !*spec || strlen(spec) >= sizeof(user))
		return -EINVAL;
	strcpy(user, spec);
	group = strchr(user, ':');
	if (group)
		*group++ = '\0';
	if (!*user || (group && !*group))
		return -EINVAL;

	if (all_digits(user)) {
		if (parse_id(user, &id))
			return -EINVAL;
		e = lookup_user(NULL, (uid_t)id, u, &found);
		if (e)
			return e;
		if (!found) {
			/* A bare numeric uid: its own number as the gid
			 * (never root's group by accident), no groups. */
			u->uid = (uid_t)id;
			u->gid = (gid_t)id;
			strcpy(u->home, "/");
		}
	} else {
		e = lookup_user(user, 0, u, &found);
		if (e)
			return e;
		if (!found)
			return -ENOENT;
	}

	if (group && all_digits(group)) {
		if (parse_id(group, &id))
			return -EINVAL;
		u->gid = (gid_t)id;
	} else if (group && (e = lookup_group(group, &u->gid))) {
		return e;
	}
	if (u->name[0])
		return lookup_groups(u);
	return 0;
}

void recipe_user_free(struct recipe_user *u)
{
	free(u->groups);
	u->groups = NULL;
	u->ngroups = 0;
}

/* 0 if root+path is an executable regular file, -ENOENT / -EACCES. */
static int check_exec(const char *root, const char *path)
{
	char full[PATH_MAX];
	struct stat st;
	int n;

	n = snprintf(full, sizeof(full), "%s%s", root ? root : "", path);
	if (n < 0 || (size_t)n >= sizeof(full))
		return -ENAMETOOLONG;
	if (stat(full, &st) < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	if (access(full, X_OK) < 0)
		return -EACCES;
	return 0;
}

/* dir/name into buf, made absolute (the daemon runs from another cwd). */
static int join(const char *dir, size_t dlen, const char *name, char *buf,
		size_t size)
{
	char cwd[PATH_MAX];
	int n;

	if (dlen == 0 || dir[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd)))
			return -errno;
		if (dlen)
			n = snprintf(buf, size, "%s/%.*s/%s", cwd, (int)dlen,
				     dir, name);
		else
			n = snprintf(buf, size, "%s/%s", cwd, name);
	} else {
		n = snprintf(buf, size, "%.*s/%s", (int)dlen, dir, name);
	}
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int recipe_find_program(const char *name, const char *root, char *buf,
			size_t size)
{
	const char *path, *p, *end;
	int e, best = -ENOENT;

	if (!name || !*name)
		return -ENOENT;
	if (strchr(name, '/')) {
		if (name[0] == '/' || root) {
			if (strlen(name) >= size)
				return -ENAMETOOLONG;
			strcpy(buf, name);
		} else if ((e = join(NULL, 0, name, buf, size))) {
			return e;
		}
		return check_exec(root, buf);
	}
	path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		e = join(p, (size_t)(end - p), name, buf, size);
		if (!e)
			e = check_exec(root, buf);
		if (!e)
			return 0;
		/* Found but not executable beats not found at all. */
		if (e == -EACCES)
			best = e;
		if (!*end)
			break;
	}
	return best;
}
