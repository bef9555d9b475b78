/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Users and groups: USER[:GROUP] resolved to the ids and supplementary
 * groups a daemon is switched to. Everything here may allocate and consult
 * NSS, so it runs in the caller before anything is forked; the switch
 * itself is the recipe's (recipe.c), with plain system calls.
 * Internal to the library.
 */
#ifndef DCTL_CREDS_H
#define DCTL_CREDS_H

#include <stdbool.h>
#include <sys/types.h>

/* The longest user or group name taken, with its NUL. */
#define CREDS_NAME_MAX 256

/* Resolved credentials for --chuid (filled by creds_resolve). */
struct creds {
	uid_t uid;
	gid_t gid;
	int ngroups;			/* supplementary groups */
	gid_t *groups;			/* malloc'd; creds_free() */
	bool keep_groups;		/* leave the supplementary groups be */
	char name[CREDS_NAME_MAX];			/* USER, LOGNAME ("" if only numeric) */
	char *home;			/* HOME ("/" if unknown); malloc'd */
};

/*
 * Parse USER[:GROUP] (names or numeric ids) and resolve it: uid, the
 * user's primary gid (or GROUP's), its supplementary groups (for a known
 * user name), name and home. Returns 0; -ENOENT (unknown user), -ESRCH
 * (unknown group), -EINVAL (empty or malformed), -errno. c is overwritten
 * (free what it held first); on failure it holds nothing to free, on
 * success creds_free() releases it.
 */
int creds_resolve(const char *spec, struct creds *c);
void creds_free(struct creds *c);

/*
 * A numeric id as a user or group database would hold it: decimal digits
 * only (util_parse_num's rules), below (uid_t)-1. 0 and *id, or -EINVAL.
 */
int creds_parse_id(const char *text, unsigned long *id);

/*
 * A group (-g/--group, or the GROUP of USER:GROUP): a number as it stands,
 * else a name looked up in the group database. 0 and *gid; -ESRCH (no
 * such group), -EINVAL (empty, too long, a number out of range), -ENOMEM.
 */
int creds_resolve_group(const char *text, gid_t *gid);

/*
 * Make gid the primary group of resolved credentials (-g/--group with
 * --chuid), the supplementary groups those of the user's name with that
 * group, as USER:GROUP would have given. 0 or -errno.
 */
int creds_set_group(struct creds *c, gid_t gid);

/*
 * Look a user name up: 0 with c->uid, gid, name and home filled (no
 * groups); -ENOENT if there is no such user; -errno if the database failed.
 * c starts zeroed (or freed); creds_free() releases what it gets.
 */
int creds_lookup_name(const char *name, struct creds *c);

#endif
