/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a daemon is given of the machine's resources (limits.c): resource
 * limits (--limit), the I/O scheduling class (--iosched), the CPU
 * scheduling policy (--procsched) and the OOM killer's score adjustment
 * (--oom-score-adj). Internal to the library.
 *
 * (Not "limits.h": the library's directory is on the include path, and
 * that name would hide the C library's <limits.h> from every module.)
 *
 * How the daemon recipe uses it:
 *
 *   1. Before forking: limits_plan_init(), then one limits_parse_*() call
 *      per option, in the order given (a later --limit of the same
 *      resource replaces an earlier one). A malformed value or unknown
 *      name is refused here, with a reason in *why.
 *   2. In the daemon, after the descriptors are sorted out and before the
 *      niceness, chroot and credentials: limits_apply(). Before the nice
 *      step, so that a raised "nice" limit lets an unprivileged daemon
 *      lower its niceness; before chroot, because the OOM score is set
 *      through /proc; before the user switch, because only root may raise
 *      a hard limit (root can so give a daemon more than its user could
 *      take) or choose a real-time policy.
 */
#ifndef DCTL_RLIMITS_H
#define DCTL_RLIMITS_H

#include <stdbool.h>
#include <stdint.h>

/* The Linux resource numbers (RLIMIT_CPU 0 .. RLIMIT_RTTIME 15). */
#define LIMITS_NRES 16

/* A limit with this value is RLIM_INFINITY ("unlimited"). */
#define LIMITS_INFINITY UINT64_MAX

struct limits_rlimit {
	bool set;
	uint64_t soft;
	uint64_t hard;
};

struct limits_plan {
	struct limits_rlimit rlim[LIMITS_NRES];	/* by RLIMIT_* number */
	bool set_ioprio;
	int ioprio;			/* class << 13 | level, ioprio_set(2) */
	bool set_sched;
	int sched_policy;		/* SCHED_OTHER, SCHED_FIFO, ... */
	int sched_priority;
	bool set_oom;
	int oom_score_adj;		/* -1000..1000 */
};

/* Nothing to change. */
void limits_plan_init(struct limits_plan *p);

/* Does the plan change anything at all? */
bool limits_plan_empty(const struct limits_plan *p);

/*
 * The option parsers. Each returns 0, or -EINVAL (malformed, or an
 * unknown name) or -ERANGE (a number out of range) with *why set to a
 * static text saying what is wrong; the plan is left as it was then.
 *
 * --limit NAME=SOFT[:HARD]: NAME as in prlimit(1), either case; a value
 * is a decimal number, "unlimited" (or "infinity"), or for a resource
 * counted in bytes a number with K, M or G (powers of 1024, either case),
 * up to 2^63 - 1 (more than any machine has to limit).
 * One value sets both limits, as systemd's LimitNAME= does. "nice" also
 * takes a nice value with its sign ("-10" is the raw limit 30), as
 * systemd's LimitNICE= does; "rtprio" is 0..99.
 */
int limits_parse_limit(struct limits_plan *p, const char *arg,
		       const char **why);

/* --iosched CLASS[:LEVEL]: idle, best-effort, real-time (or realtime);
 * LEVEL 0..7, default 4 (0 for idle, where the kernel ignores it). */
int limits_parse_iosched(struct limits_plan *p, const char *arg,
			 const char **why);

/* --procsched POLICY[:PRIORITY]: other, fifo, rr, batch, idle; PRIORITY
 * within the policy's range (1..99 for fifo and rr, 0 for the others),
 * default the lowest. */
int limits_parse_procsched(struct limits_plan *p, const char *arg,
			   const char **why);

/* --oom-score-adj N: -1000..1000. */
int limits_parse_oom_score_adj(struct limits_plan *p, const char *arg,
			       const char **why);

/* ---------------------------------------------------- in the daemon */

/* What limits_apply() was doing when it failed. */
enum limits_item {
	LIMITS_ITEM_NONE = 0,
	LIMITS_ITEM_IOSCHED,
	LIMITS_ITEM_PROCSCHED,
	LIMITS_ITEM_OOM_SCORE_ADJ,
	LIMITS_ITEM_RLIMIT = 0x100,	/* + the RLIMIT_* number */
};

/*
 * Apply the plan to the calling process: the OOM score, the limits (in
 * resource order), the I/O class, the CPU policy. Raw system calls and
 * open/write/close only: async-signal-safe, and safe in a child that
 * shares its parent's memory. Returns 0, or -errno with *failed the item
 * (failed may be NULL).
 */
int limits_apply(const struct limits_plan *p, int *failed);

/* "--limit nofile", "--iosched", ... for an item; never NULL. */
const char *limits_item_str(int item);

/* "nofile" for RLIMIT_NOFILE; NULL for a number that names none. */
const char *limits_resource_name(int resource);

#endif
