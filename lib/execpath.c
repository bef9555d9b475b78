/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The PATH search for the program to start, and the checks that it is an
 * executable regular file, made in the caller so that a missing program
 * is a clear error rather than a daemon that fails to exec.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "execpath.h"

/* 0 if root+path is an executable regular file, -ENOENT / -EACCES. */
static int check_exec(const char *root, const char *path)
{
	char full[PATH_MAX];
	struct stat st;
	int n;

	n = snprintf(full, sizeof(full), "%s%s", root ? root : "", path);
	if (n < 0 || (size_t)n >= sizeof(full))
		return -ENAMETOOLONG;
	if (stat(full, &st) < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	if (access(full, X_OK) < 0)
		return -EACCES;
	return 0;
}

/* dir/name into buf, made absolute (the daemon runs from another cwd). */
static int join(const char *dir, size_t dlen, const char *name, char *buf,
		size_t size)
{
	char cwd[PATH_MAX];
	int n;

	if (dlen == 0 || dir[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd)))
			return -errno;
		if (dlen)
			n = snprintf(buf, size, "%s/%.*s/%s", cwd, (int)dlen,
				     dir, name);
		else
			n = snprintf(buf, size, "%s/%s", cwd, name);
	} else {
		n = snprintf(buf, size, "%.*s/%s", (int)dlen, dir, name);
	}
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int execpath_find(const char *name, const char *root, char *buf, size_t size)
{
	const char *path, *p, *end;
	int e, best = -ENOENT;

	if (!name || !*name)
		return -ENOENT;
	if (strchr(name, '/')) {
		if (name[0] == '/' || root) {
			if (strlen(name) >= size)
				return -ENAMETOOLONG;
			strcpy(buf, name);
		} else if ((e = join(NULL, 0, name, buf, size))) {
			return e;
		}
		return check_exec(root, buf);
	}
	path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		e = join(p, (size_t)(end - p), name, buf, size);
		if (!e)
			e = check_exec(root, buf);
		if (!e)
			return 0;
		/* Found but not executable beats not found at all. */
		if (e == -EACCES)
			best = e;
		if (!*end)
			break;
	}
	return best;
}
