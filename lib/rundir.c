/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The run directory: where pidfiles live when a daemon is named rather
 * than given a path, the rules that keep that directory safe, and the
 * mapping between NAME and RUNDIR/NAME.pid both ways.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemonctl.h"
#include "util.h"

/* Longest NAME: NAME.pid must still fit in one path component. */
#define NAME_MAX_LEN 250
#define PID_SUFFIX ".pid"
#define PID_SUFFIX_LEN 4

static int dup_out(const char *s, char **out)
{
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

/*
 * /tmp is shared with every user: the directory we keep pidfiles in must be
 * ours, a real directory, and writable by nobody else, or another user could
 * plant or swap pidfiles in it.
 */
static int private_tmp_dir(char **out)
{
	struct stat st;
	uid_t uid = geteuid();
	char *dir;
	int r;

	dir = util_asprintf("/tmp/daemonctl-%u", (unsigned)uid);
	if (!dir)
		return -ENOMEM;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		goto fail_errno;
	if (lstat(dir, &st) < 0)
		goto fail_errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != uid ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		r = -EPERM;
		goto fail;
	}
	*out = dir;
	return 0;
fail_errno:
	r = -errno;
fail:
	free(dir);
	return r;
}

int dctl_rundir(char **out)
{
	const char *env;

	if (!out)
		return -EINVAL;
	env = getenv("DAEMONCTL_RUNDIR");
	if (env && *env)
		return dup_out(env, out);
	if (geteuid() == 0)
		return dup_out("/run", out);
	env = getenv("XDG_RUNTIME_DIR");
	if (env && *env == '/')
		return dup_out(env, out);
	return private_tmp_dir(out);
}

static bool valid_name(const char *name)
{
	size_t len = strlen(name);
	const unsigned char *p;

	if (len == 0 || len > NAME_MAX_LEN)
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (p = (const unsigned char *)name; *p; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

int dctl_name_to_pidfile(const char *name, char **out)
{
	char *dir;
	int r;

	if (!name || !out || !valid_name(name))
		return -EINVAL;
	r = dctl_rundir(&dir);
	if (r < 0)
		return r;
	*out = util_asprintf("%s/%s" PID_SUFFIX, dir, name);
	free(dir);
	return *out ? 0 : -ENOMEM;
}

/* The length of NAME in NAME.pid, or 0 if s is not such a file name. */
static size_t pid_name_len(const char *s)
{
	size_t len = strlen(s);

	if (len <= PID_SUFFIX_LEN ||
	    strcmp(s + len - PID_SUFFIX_LEN, PID_SUFFIX) != 0)
		return 0;
	return len - PID_SUFFIX_LEN;
}

int dctl_pidfile_to_name(const char *path, char **out)
{
	const char *base;
	size_t len;

	if (!path || !out)
		return -EINVAL;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!*base)
		return dup_out(path, out);
	len = pid_name_len(base);
	*out = len ? strndup(base, len) : strdup(base);
	return *out ? 0 : -ENOMEM;
}

/* ------------------------------------------------------------- listing */

struct rundir_entry {
	char *name;
	char *path;
};

struct dctl_rundir_list {
	struct util_array entries;	/* of struct rundir_entry */
};

static int by_name(const void *a, const void *b)
{
	const struct rundir_entry *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	return r ? r : strcmp(x->path, y->path);
}

/* Add DIR/FILE as NAME; 0, or -ENOMEM. */
static int list_add(struct dctl_rundir_list *l, const char *dir,
		    const char *file, size_t name_len)
{
	struct rundir_entry *e = util_array_push(&l->entries);

	if (!e)
		return -ENOMEM;
	e->name = strndup(file, name_len);
	e->path = util_asprintf("%s/%s", dir, file);
	return e->name && e->path ? 0 : -ENOMEM;
}

static int list_read(struct dctl_rundir_list *l, const char *dir, DIR *d)
{
	struct dirent *de;
	size_t len;
	int r;

	while ((errno = 0, de = readdir(d))) {
		len = pid_name_len(de->d_name);
		if (de->d_name[0] == '.' || len == 0)
			continue;
		r = list_add(l, dir, de->d_name, len);
		if (r < 0)
			return r;
	}
	return -errno;
}

int dctl_rundir_list(const char *dir, struct dctl_rundir_list **out)
{
	struct dctl_rundir_list *l;
	DIR *d;
	int r;

	if (!dir || !*dir || !out)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->entries = (struct util_array)UTIL_ARRAY_INIT(
		sizeof(struct rundir_entry));
	d = opendir(dir);
	if (!d) {
		r = -errno;
		goto fail;
	}
	r = list_read(l, dir, d);
	closedir(d);
	if (r < 0)
		goto fail;
	if (l->entries.n > 1)
		qsort(l->entries.v, l->entries.n, sizeof(struct rundir_entry),
		      by_name);
	*out = l;
	return 0;
fail:
	dctl_rundir_list_free(l);
	return r;
}

static const struct rundir_entry *entry(const struct dctl_rundir_list *l,
					size_t i)
{
	if (!l || i >= l->entries.n)
		return NULL;
	return util_array_at(&l->entries, i);
}

size_t dctl_rundir_list_count(const struct dctl_rundir_list *l)
{
	return l ? l->entries.n : 0;
}

const char *dctl_rundir_list_get_name(const struct dctl_rundir_list *l,
				      size_t i)
{
	const struct rundir_entry *e = entry(l, i);

	return e ? e->name : NULL;
}

const char *dctl_rundir_list_get_path(const struct dctl_rundir_list *l,
				      size_t i)
{
	const struct rundir_entry *e = entry(l, i);

	return e ? e->path : NULL;
}

void dctl_rundir_list_free(struct dctl_rundir_list *l)
{
	struct rundir_entry *e;
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->entries.n; i++) {
		e = util_array_at(&l->entries, i);
		free(e->name);
		free(e->path);
	}
	util_array_free(&l->entries);
	free(l);
}
