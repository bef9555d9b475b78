/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding the program to start, before anything is forked. Internal. */
#ifndef DCTL_EXECPATH_H
#define DCTL_EXECPATH_H

#include <stddef.h>

/*
 * Find a program as execvp(3) would: NAME containing '/' is used as is,
 * else each $PATH entry (default "/usr/local/bin:/usr/bin:/bin") is tried.
 * root (NULL: "/") is prefixed to the checks, for a chroot. The result
 * (without the root prefix) goes to buf. Returns 0, -ENOENT (not found),
 * -EACCES (found, but not an executable regular file), -ENAMETOOLONG.
 */
int execpath_find(const char *name, const char *root, char *buf, size_t size);

#endif
