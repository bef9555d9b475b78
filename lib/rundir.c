/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --name NAME -> RUNDIR/NAME.pid, and the rules for RUNDIR (SPEC 2). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemonctl.h"

/* Longest NAME: NAME.pid must still fit in one path component. */
#define NAME_MAX_LEN 250

static int copy_out(char *buf, size_t size, const char *s)
{
	int n = snprintf(buf, size, "%s", s);

	if (n < 0)
		return -EINVAL;
	return (size_t)n < size ? n : -ENAMETOOLONG;
}

/*
 * /tmp is shared with every user: the directory we keep pidfiles in must be
 * ours, a real directory, and writable by nobody else, or another user could
 * plant or swap pidfiles in it.
 */
static int private_tmp_dir(char *buf, size_t size)
{
	struct stat st;
	uid_t uid = geteuid();
	int n;

	n = snprintf(buf, size, "/tmp/daemonctl-%u", (unsigned)uid);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (lstat(buf, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != uid ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))
		return -EPERM;
	return n;
}

int dctl_rundir(char *buf, size_t size)
{
	const char *env;

	if (!buf || size == 0)
		return -EINVAL;
	env = getenv("DAEMONCTL_RUNDIR");
	if (env && *env)
		return copy_out(buf, size, env);
	if (geteuid() == 0)
		return copy_out(buf, size, "/run");
	env = getenv("XDG_RUNTIME_DIR");
	if (env && *env == '/')
		return copy_out(buf, size, env);
	return private_tmp_dir(buf, size);
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

int dctl_name_to_pidfile(const char *name, char *buf, size_t size)
{
	char dir[4096];
	int n;

	if (!name || !buf || !valid_name(name))
		return -EINVAL;
	n = dctl_rundir(dir, sizeof(dir));
	if (n < 0)
		return n;
	n = snprintf(buf, size, "%s/%s.pid", dir, name);
	if (n < 0)
		return -EINVAL;
	return (size_t)n < size ? n : -ENAMETOOLONG;
}
