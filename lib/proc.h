/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One process's facts, read from its own /proc entries only (a scan of all
 * processes is made for one question alone: who holds a lock whose daemon
 * is gone), and pidfd helpers to signal and wait for it without a PID
 * race. Internal to the library.
 */
#ifndef DCTL_PROC_H
#define DCTL_PROC_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

/* The kernel keeps a process name (comm) of at most this many bytes. */
#define PROC_COMM_MAX 15
/* Field 9's flag for a kernel thread (PF_KTHREAD). */
#define PROC_FLAG_KTHREAD 0x00200000UL

struct proc_stat {
	pid_t pid;
	char comm[PROC_COMM_MAX + 1];	/* field 2, without the parentheses */
	char state;			/* 'R', 'S', 'Z', ... (field 3) */
	pid_t ppid;
	pid_t pgrp;
	pid_t session;
	unsigned long flags;		/* field 9, PF_* */
	unsigned long long start_ticks;	/* field 22, clock ticks after boot */
};

/*
 * Parse /proc/PID/stat (the command name may hold spaces and ')').
 * Returns 0, -ESRCH if there is no such process, -EBADMSG if unparsable.
 */
int proc_read_stat(pid_t pid, struct proc_stat *ps);

/* True if PID exists and is neither a zombie nor dead. */
bool proc_alive(pid_t pid);

/*
 * The wall-clock time at which a process with these start ticks started,
 * computed from CLOCK_REALTIME - CLOCK_BOOTTIME (precise to a tick).
 */
struct timespec proc_start_time(unsigned long long start_ticks);

/* The longest /proc/PID/exe kept (the kernel's own limit is one page). */
#define PROC_EXE_MAX 4096

/*
 * readlink /proc/PID/exe (" (deleted)" kept as the kernel says it).
 * -ENAMETOOLONG (and "") rather than a cut path.
 */
int proc_exe(pid_t pid, char *buf, size_t size);

/*
 * Real uid of PID, from the Uid: line of /proc/PID/status (the owner of
 * /proc/PID is the effective uid, and root for a non-dumpable process).
 */
int proc_uid(pid_t pid, uid_t *uid);

/*
 * Effective uid of PID, from the same line: the process's owner, as the
 * owner of the /proc/PID directory says too (the files in it belong to
 * root once a process has switched users and is no longer dumpable).
 */
int proc_euid(pid_t pid, uid_t *uid);

/*
 * DAEMON_INSTANCE_ID from /proc/PID/environ (as the process was started).
 * Returns 0, -ENOENT if it has none, -ESRCH if gone or a zombie,
 * -EBADMSG if its value is not a 36-character UUID, -EACCES if unreadable,
 * -EAGAIN while it is inside execve() and its environment is not written
 * yet (a process started with an empty environment has none: -ENOENT).
 * At most the first MiB of the environment is searched.
 */
int proc_instance(pid_t pid, char *buf, size_t size);

/*
 * Does PID hold a flock on the file dev/ino through one of its own
 * descriptors (/proc/PID/fd and fdinfo)? The probe asks this where
 * /proc/locks is silent: in a PID namespace with its own /proc, a flock
 * whose taker has exited is left out of /proc/locks. Looks at no more
 * than the first 4096 descriptors. Returns 1, 0, -ESRCH, -EACCES.
 */
int proc_holds_flock(pid_t pid, dev_t dev, ino_t ino);

/*
 * The processes that hold a flock on a file through a descriptor of their
 * own (a daemon's children that inherited its lock, a start or stop at
 * work), found by a scan of every /proc/PID/fd we may read: costly, so
 * asked only once the probe has found the lock held with no live daemon
 * behind it. Fill h[i].dev and .ino; .n comes back as the number found
 * (it may pass PROC_HOLDERS_MAX, the most kept in .pid). Our own process
 * is left out. 0 or -errno (from reading /proc itself).
 */
#define PROC_HOLDERS_MAX 8
struct proc_holders {
	dev_t dev;
	ino_t ino;
	size_t n;
	pid_t pid[PROC_HOLDERS_MAX];
};
int proc_find_holders(struct proc_holders *h, size_t n);

/*
 * Does PID name a process that exists but that /proc will not show us
 * (mounted with hidepid=, another user's process)? Such a process is not
 * a dead one: it cannot be told apart from a live daemon.
 */
bool proc_hidden(pid_t pid);

/*
 * Does /proc/PID/environ show anything yet? After exec's point of no
 * return the kernel still has to put the new program's arguments and
 * environment in place; until then both read empty. 1 yes, 0 not yet,
 * -ESRCH gone, other -errno.
 */
int proc_environ_ready(pid_t pid);

/*
 * The one rule for a pidfile that holds no lock: could the process
 * with these start ticks have written a file last modified at mtime? True if
 * it started no later than mtime, with PROC_START_SLACK_NS for the clocks'
 * granularity. A process that started later has a reused PID.
 */
#define PROC_START_SLACK_NS 1000000000LL
bool proc_started_before(unsigned long long start_ticks,
			 const struct timespec *mtime);

/*
 * Does the pidfile (dev, ino, last modified at mtime) name a live daemon
 * that holds no lock: PID alive, not a zombie, and proc_started_before()?
 * Used by open-and-lock so that a start never runs a second copy beside a
 * daemon that wrote its own pidfile or closed its lock descriptor.
 */
bool proc_is_unlocked_writer(pid_t pid, const struct timespec *mtime);

/*
 * pidfd_open(2) with O_CLOEXEC semantics; -ENOSYS where unsupported.
 * -EXDEV where /proc belongs to another PID namespace than ours, so that
 * what it says about pid is not about the process the pidfd reaches.
 */
int proc_pidfd_open(pid_t pid);

/* pidfd_send_signal(2). */
int proc_pidfd_signal(int pidfd, int sig);

/* The same, queued with a value, as sigqueue(3) sends it (SI_QUEUE). */
int proc_pidfd_sigqueue(int pidfd, int sig, int value);

/*
 * Wait until the process has exited (a zombie counts: no reaping needed).
 * pidfd >= 0: poll(2) on it, event-driven. pidfd < 0: the fallback for
 * kernels without pidfds, a bounded kill(pid, 0) + /proc state poll.
 * timeout_ms < 0: forever. Returns 0 exited, -ETIMEDOUT, -errno.
 */
int proc_wait_exit(int pidfd, pid_t pid, int timeout_ms);

#endif
