/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The insides of the opaque status record, its list and the match: shared
 * by the probe that fills a record, the match that may turn it DEAD, the
 * writers that render it and stop that acts on it. Internal to the
 * library; unit tests and fuzz targets build records through it.
 */
#ifndef DCTL_STATUS_H
#define DCTL_STATUS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "daemonctl.h"
#include "proc.h"
#include "util.h"

/* "exit 255", "signal SIGRTMIN+10", "start failed: " and an errno text. */
#define STATUS_EXIT_TEXT 160

struct dctl_status {
	enum dctl_state state;
	pid_t pid;		/* 0 when the file names none */
	bool locked;		/* its flock is held by someone */
	bool lock_unread;	/* the verdict did not need to look */
	bool trusted;		/* root's trust rules pass (always, for others) */
	bool zombie;
	bool in_list;		/* owned by a dctl_status_list */
	int error;		/* -errno behind UNKNOWN, else 0 */
	enum dctl_pid_fault fault; /* with error == -EBADMSG */
	dev_t dev;		/* of the pidfile */
	ino_t ino;
	struct timespec mtime;
	int64_t started;	/* process start, epoch seconds; 0: unknown */
	unsigned long long start_ticks;
	uid_t uid;		/* (uid_t)-1: unknown */
	char *exe;		/* NULL: unknown */
	char instance[UTIL_UUID_TEXT];	/* "": none */
	char *reason;		/* NULL: nothing said */
	/* Supervision, from the supervisor's state record (probe.c). */
	bool supervised;	/* a record belongs to this pidfile */
	bool failed;		/* its supervisor gave up */
	pid_t supervisor;	/* alive and supervising; else 0 */
	unsigned restarts;
	char last_exit[STATUS_EXIT_TEXT];	/* "": no run ended yet */
	int64_t next_try_ns;	/* RESTARTING: from the probe; else -1 */

	/* What the probe found about who holds the lock. */
	bool hidden;		/* the process exists, /proc hides it from us */
	bool named_asked;	/* the named process's descriptors were read */
	int named_r;		/* ... and proc_holds_flock() said this */
	bool pending;		/* caught in a moment of change: look again */
	size_t n_holders;	/* holders found by the scan (may pass the max) */
	pid_t holders[PROC_HOLDERS_MAX];
};

struct dctl_status_list {
	struct util_array recs;	/* of struct dctl_status */
};

struct dctl_match {
	char *exe;		/* NULL: any */
	uid_t uid;		/* (uid_t)-1: any */
	char instance[UTIL_UUID_TEXT];	/* "": any */
};

/* An empty record: nothing known, trusted, uid unknown. */
void status_init(struct dctl_status *st);

/* Free the strings the record holds; the numbers stay as they are. */
void status_release(struct dctl_status *st);

/* Free what the record holds and make it empty again (still in its list). */
void status_clear(struct dctl_status *st);

/*
 * Replace the reason. Out of memory leaves none, and the writers then
 * fall back to a reason of their own for the state.
 */
void status_set_reason(struct dctl_status *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Replace exe with a copy of path (NULL: unknown). 0 or -ENOMEM. */
int status_set_exe(struct dctl_status *st, const char *path);

/* Probe n paths into n records made with status_init(). */
int probe_records(const char *const *paths, size_t n, unsigned flags,
		  struct dctl_status *st);

/* Any condition set? */
bool match_any(const struct dctl_match *m);

/*
 * Does the match name the process itself (by executable or owner), which
 * is what makes an untrusted pidfile safe to act on? An instance id does
 * not: whoever could write the file could also copy the id.
 */
bool match_names_process(const struct dctl_match *m);

/* A copy of src into a new match (src NULL: one without conditions). */
int match_dup(const struct dctl_match *src, struct dctl_match **out);

#endif
