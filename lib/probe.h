/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The probe's internal pieces that unit tests reach directly. */
#ifndef DCTL_PROBE_H
#define DCTL_PROBE_H

#include <sys/types.h>

/*
 * One line of /proc/locks. Returns 1 with *dev and *ino for a held flock
 * ("1: FLOCK  ADVISORY  WRITE 42 fe:00:1234 0 EOF"), 0 for any other lock
 * (POSIX, OFD, lease, a blocked "->" waiter, no inode), -EBADMSG for a
 * line it cannot make sense of.
 */
int probe_lock_line(const char *line, dev_t *dev, ino_t *ino);

#endif
