/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A daemon's privileges beyond its uid (caps.c): the capabilities it keeps
 * across the switch to its user (--capabilities), and no_new_privs
 * (--no-new-privs). Internal to the library. (The group of -g/--group
 * is a credential like --chuid's: creds_resolve_group() in creds.h.)
 *
 * How the daemon recipe uses it:
 *
 *   1. Before forking: caps_plan_init(), caps_parse() per --capabilities
 *      (repeated options add up), then caps_check() once the user switch
 *      is known.
 *   2. In the daemon:
 *        caps_apply_before_user()    PR_SET_KEEPCAPS, so that setuid()
 *                                    away from root keeps the permitted set
 *        setgroups, setgid, setuid   (the recipe's own steps)
 *        caps_apply_after_user()     the sets cut down to the plan, the
 *                                    ambient set raised (what survives
 *                                    exec for a program without file
 *                                    capabilities), then no_new_privs
 *      Both after chroot/chdir or before, as suits the recipe: they touch
 *      no file.
 *
 * The bounding set is left alone: it limits what a setuid program or one
 * with file capabilities could gain, and --no-new-privs is the stronger
 * way to rule that out; a service wanting both sets both.
 *
 * The capabilities are set with the capget/capset and prctl system calls
 * themselves, not libcap: its calls allocate (cap_init(), cap_from_text()),
 * which the daemon may not do on memory it shares with the caller until
 * exec, and the names it knows are those of the libcap it was built with,
 * where a table here can be checked against the running kernel.
 */
#ifndef DCTL_CAPS_H
#define DCTL_CAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct caps_plan {
	bool set_caps;		/* --capabilities given */
	uint64_t caps;		/* bit n: capability number n */
	bool no_new_privs;
};

void caps_plan_init(struct caps_plan *p);

/*
 * CAP[,CAP...]: names as in capabilities(7), with or without "cap_",
 * either case ("net_bind_service", "CAP_NET_RAW"). Adds them to the plan.
 * Returns 0 or -EINVAL with *why saying what is wrong (the plan is left
 * as it was).
 */
int caps_parse(struct caps_plan *p, const char *list, const char **why);

/*
 * Before forking: can the plan work? Capabilities need a switch to a
 * user other than root (switching, uid: where --chuid goes), every one
 * must be known to the running kernel, in our bounding set and in our
 * permitted set (else the daemon could not keep it). Returns 0, -EINVAL
 * (no such switch, or a capability unknown to the kernel) or -EPERM,
 * with *why; *cap (may be NULL) the capability concerned, or -1.
 */
int caps_check(const struct caps_plan *p, bool switching, uid_t uid,
	       int *cap, const char **why);

/* "net_bind_service" for 10; NULL for a number with no name here. */
const char *caps_name(int cap);

/* The highest capability the kernel knows (/proc/sys/kernel/cap_last_cap),
 * or the highest this table knows if that cannot be read. */
int caps_last_cap(void);

/* ---------------------------------------------------- in the daemon */

/* What failed, for the report. */
enum caps_item {
	CAPS_ITEM_NONE = 0,
	CAPS_ITEM_KEEPCAPS,		/* PR_SET_KEEPCAPS */
	CAPS_ITEM_CAPSET,		/* the permitted/effective/inheritable sets */
	CAPS_ITEM_NO_NEW_PRIVS,
	CAPS_ITEM_AMBIENT = 0x100,	/* + the capability number */
};

/*
 * Async-signal-safe, raw system calls only. Each returns 0 or -errno with
 * *failed the item (failed may be NULL). Without --capabilities the
 * first does nothing and the second only sets no_new_privs if asked.
 */
int caps_apply_before_user(const struct caps_plan *p, int *failed);
int caps_apply_after_user(const struct caps_plan *p, int *failed);

/* "--capabilities" or "--no-new-privs" for an item; never NULL. */
const char *caps_item_str(int item);

#endif
