/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * User and group lookup for --chuid, in the caller before the fork: the
 * passwd and group entries, the supplementary groups. One loop grows the
 * buffer every reentrant NSS call wants.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "creds.h"
#include "util.h"

/* Past this, a database that keeps answering ERANGE is not believed. */
#define NSS_BUF_MAX (1u << 20)

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

int creds_parse_id(const char *text, unsigned long *id)
{
	long long v;

	/* (uid_t)-1 means "no change" to setuid() and setgid(): never an id. */
	if (util_parse_num(text, strlen(text), 0, (long long)(uid_t)-2, NULL,
			   0, &v) < 0)
		return -EINVAL;
	*id = (unsigned long)v;
	return 0;
}

/*
 * One reentrant lookup: call(arg, buf, size) makes the get*_r call and
 * copies what it needs out of buf, which lives only for the call. The
 * buffer starts at the size sysconf(which) suggests and doubles while the
 * call says ERANGE. Returns what the last call returned, or ENOMEM.
 */
static int nss_call(int which, int (*call)(void *arg, char *buf, size_t size),
		    void *arg)
{
	long hint = sysconf(which);
	size_t size = hint > 0 ? (size_t)hint : 16384;
	char *buf = NULL, *nbuf;
	int e;

	for (;;) {
		nbuf = realloc(buf, size);
		if (!nbuf) {
			free(buf);
			return ENOMEM;
		}
		buf = nbuf;
		e = call(arg, buf, size);
		if (e != ERANGE || size > NSS_BUF_MAX)
			break;
		size *= 2;
	}
	free(buf);
	return e;
}

struct pw_query {
	const char *name;		/* NULL: by uid */
	uid_t uid;
	struct creds *c;
	bool found;
};

static int pw_call(void *arg, char *buf, size_t size)
{
	struct pw_query *q = arg;
	struct passwd pw, *res = NULL;
	int e;

	e = q->name ? getpwnam_r(q->name, &pw, buf, size, &res)
		    : getpwuid_r(q->uid, &pw, buf, size, &res);
	q->found = false;
	if (res) {
		q->c->uid = pw.pw_uid;
		q->c->gid = pw.pw_gid;
		snprintf(q->c->name, sizeof(q->c->name), "%s", pw.pw_name);
		free(q->c->home);
		q->c->home = strdup(pw.pw_dir && *pw.pw_dir ? pw.pw_dir : "/");
		if (!q->c->home)
			return ENOMEM;
		q->found = true;
	}
	return e;
}

/* getpwnam_r/getpwuid_r into c; *found says whether there was an entry. */
static int lookup_user(const char *name, uid_t uid, struct creds *c,
		       bool *found)
{
	struct pw_query q = { .name = name, .uid = uid, .c = c };
	int e;

	e = nss_call(_SC_GETPW_R_SIZE_MAX, pw_call, &q);
	*found = q.found;
	if (e == ENOMEM && !q.found)
		return -ENOMEM;
	/* ENOENT and friends from the lookup mean "no such user". */
	if (!q.found && e && e != ENOENT && e != ESRCH && e != EBADF &&
	    e != EPERM)
		return -e;
	return 0;
}

struct gr_query {
	const char *name;
	gid_t gid;
	bool found;
};

static int gr_call(void *arg, char *buf, size_t size)
{
	struct gr_query *q = arg;
	struct group gr, *res = NULL;
	int e;

	e = getgrnam_r(q->name, &gr, buf, size, &res);
	q->found = res != NULL;
	if (res)
		q->gid = gr.gr_gid;
	return e;
}

static int lookup_group(const char *name, gid_t *gid)
{
	struct gr_query q = { .name = name };

	if (nss_call(_SC_GETGR_R_SIZE_MAX, gr_call, &q) == ENOMEM && !q.found)
		return -ENOMEM;
	if (!q.found)
		return -ESRCH;
	*gid = q.gid;
	return 0;
}

int creds_resolve_group(const char *text, gid_t *gid)
{
	unsigned long id;

	if (!text || !*text || !gid || strlen(text) >= CREDS_NAME_MAX)
		return -EINVAL;
	if (!all_digits(text))
		return lookup_group(text, gid);
	if (creds_parse_id(text, &id))
		return -EINVAL;
	*gid = (gid_t)id;
	return 0;
}

static int lookup_groups(struct creds *c)
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
		if (getgrouplist(c->name, c->gid, g, &want) >= 0) {
			c->groups = g;
			c->ngroups = want;
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

int creds_lookup_name(const char *name, struct creds *c)
{
	bool found;
	int e;

	e = lookup_user(name, 0, c, &found);
	if (e)
		return e;
	return found ? 0 : -ENOENT;
}

/* USER as a number: its entry if it has one, else the bare ids. */
static int resolve_uid(const char *user, struct creds *c)
{
	unsigned long id;
	bool found;
	int e;

	if (creds_parse_id(user, &id))
		return -EINVAL;
	e = lookup_user(NULL, (uid_t)id, c, &found);
	if (e || found)
		return e;
	/* A bare numeric uid: its own number as the gid (never root's
	 * group by accident), no groups. */
	c->uid = (uid_t)id;
	c->gid = (gid_t)id;
	free(c->home);
	c->home = strdup("/");
	return c->home ? 0 : -ENOMEM;
}

int creds_resolve(const char *spec, struct creds *c)
{
	char user[CREDS_NAME_MAX], *group;
	int e;

	memset(c, 0, sizeof(*c));
	if (!spec || !*spec || strlen(spec) >= sizeof(user))
		return -EINVAL;
	strcpy(user, spec);
	group = strchr(user, ':');
	if (group)
		*group++ = '\0';
	if (!*user || (group && !*group))
		return -EINVAL;

	if (all_digits(user))
		e = resolve_uid(user, c);
	else
		e = creds_lookup_name(user, c);
	if (!e && group)
		e = creds_resolve_group(group, &c->gid);
	if (!e && c->name[0])
		e = lookup_groups(c);
	/* A failure leaves nothing to free. */
	if (e)
		creds_free(c);
	return e;
}

int creds_set_group(struct creds *c, gid_t gid)
{
	c->gid = gid;
	free(c->groups);
	c->groups = NULL;
	c->ngroups = 0;
	return c->name[0] ? lookup_groups(c) : 0;
}

void creds_free(struct creds *c)
{
	free(c->groups);
	c->groups = NULL;
	c->ngroups = 0;
	free(c->home);
	c->home = NULL;
}
