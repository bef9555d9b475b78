/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Finding processes the way start-stop-daemon matches them: by the
 * executable they run, their 15-byte process name, their owner and their
 * parent, every condition given having to hold. Internal to the library.
 */
#ifndef DCTL_SCAN_H
#define DCTL_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct scan_match {
	/* --exec: the executable's device and inode (scan_match_exec). */
	bool exe;
	dev_t exe_dev;
	ino_t exe_ino;
	const char *name;	/* --name; NULL: any */
	uid_t uid;		/* --user (effective uid); (uid_t)-1: any */
	pid_t ppid;		/* --ppid; 0: any */
};

/* One process found, with what pins its identity. */
struct scan_proc {
	pid_t pid;
	unsigned long long start_ticks;	/* /proc/PID/stat field 22 */
};

/* Everything matches: no condition. */
void scan_match_init(struct scan_match *m);

/*
 * --exec PATH: stat(2) the file (following symlinks, as the kernel does
 * when it runs it) and match its device and inode. 0 or -errno.
 */
int scan_match_exec(struct scan_match *m, const char *path);

/* Is any condition set? (A scan without one would match everything.) */
bool scan_match_given(const struct scan_match *m);

/*
 * Does PID satisfy every condition of m? Reads /proc/PID only. Zombies,
 * kernel threads, PID 1 and lower never match. 1 yes (with *ps filled if
 * ps is not NULL), 0 no (or gone), -errno when /proc cannot be read.
 */
int scan_pid_matches(pid_t pid, const struct scan_match *m,
		     struct scan_proc *ps);

/* Is PID below 2, this process, or one of its ancestors? */
bool scan_is_ours(pid_t pid);

/*
 * Every process that matches, except this process and its ancestors (a
 * "--name sh" must never reach the shell running the script). *out is
 * malloc'd (free it), *n entries, ascending PIDs. Refuses a match without
 * any condition (-EINVAL). 0 or -errno (-ENOENT: /proc is not mounted).
 */
int scan_find(const struct scan_match *m, struct scan_proc **out, size_t *n);

struct dctl_scan;

/* Process i (< dctl_scan_get_count()) of the scan's last run. */
const struct scan_proc *scan_result(const struct dctl_scan *sc, size_t i);

#endif
