/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pidfile core's internal entry points (see daemonctl.h for the API). */
#ifndef DCTL_PIDFILE_H
#define DCTL_PIDFILE_H

#include <sys/stat.h>
#include <sys/types.h>

#include "daemonctl.h"

/*
 * Open an existing or new pidfile path without following a final symlink
 * and without blocking, and refuse anything but a regular file: -ELOOP for
 * a symlink, -EISDIR for a directory, -ENXIO for a FIFO, socket or device.
 * flags are open(2)'s access flags (O_RDONLY, O_RDWR | O_CREAT, ...);
 * O_CLOEXEC, O_NOFOLLOW, O_NONBLOCK and O_NOCTTY are always added.
 * On success returns the descriptor and fills *st from fstat.
 */
int pidfile_open_regular(const char *path, int flags, mode_t mode,
			 struct stat *st);

/*
 * dctl_pidfile_read() with the pid_max to check against given (so that a
 * caller probing many files reads it once) and the file's fstat returned
 * (st may be NULL; it is filled whenever the file could be opened).
 */
int pidfile_read(const char *path, pid_t pid_max, pid_t *pid,
		 enum dctl_pid_fault *fault, struct stat *st);

/*
 * Replace the content of the pidfile open on fd with "PID\n". Uses only
 * async-signal-safe calls, so a forked child of a threaded program (the
 * daemon, right before exec) may call it. 0 or -errno.
 */
int pidfile_write_fd(int fd, pid_t pid);

#endif
