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

#include <sys/types.h>

/* Resolved credentials for --chuid (filled by creds_resolve). */
struct creds {
	uid_t uid;
	gid_t gid;
	int ngroups;			/* supplementary groups */
	gid_t *groups;			/* malloc'd; creds_free() */
	char name[256];			/* USER, LOGNAME ("" if only numeric) */
	char home[4096];		/* HOME ("/" if unknown) */
};

/*
 * Parse USER[:GROUP] (names or numeric ids) and resolve it: uid, the
 * user's primary gid (or GROUP's), its supplementary groups (for a known
 * user name), name and home. Returns 0; -ENOENT (unknown user), -ESRCH
 * (unknown group), -EINVAL (empty or malformed), -errno.
 */
int creds_resolve(const char *spec, struct creds *c);
void creds_free(struct creds *c);

/*
 * A numeric id as a user or group database would hold it: decimal digits
 * only, below (uid_t)-1. 0 and *id, or -EINVAL.
 */
int creds_parse_id(const char *text, unsigned long *id);

/*
 * Look a user name up: 0 with c->uid, gid, name and home filled (no
 * groups); -ENOENT if there is no such user; -errno if the database failed.
 */
int creds_lookup_name(const char *name, struct creds *c);

#endif
