/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers shared by the library's modules (not exported). */
#ifndef DCTL_UTIL_H
#define DCTL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemonctl.h"

/*
 * Read at most size - 1 bytes of a small file (a /proc entry) into buf and
 * NUL-terminate it. dirfd/path as for openat(2). Returns the byte count or
 * -errno.
 */
ssize_t util_read_small(int dirfd, const char *path, char *buf, size_t size);

/*
 * The same for a /proc file the kernel makes in one piece (a process's
 * stat, an fdinfo): a read that leaves the buffer short has it all, so no
 * second read is spent on seeing EOF.
 */
ssize_t util_read_proc(int dirfd, const char *path, char *buf, size_t size);

/* PID_MAX_LIMIT on 64-bit kernels: the largest pid_max can ever be. */
#define UTIL_PID_CEILING 4194304

/* /proc/sys/kernel/pid_max, or the kernel's ceiling if unreadable. */
pid_t util_pid_max(void);

/* Format and pass a message to a log callback; does nothing if fn is NULL. */
void util_log(dctl_log_fn fn, void *data, int level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * A random (version 4, RFC 4122) UUID in lower-case text, 36 characters
 * and a NUL, into buf (at least UTIL_UUID_TEXT bytes). 0 or -errno.
 */
#define UTIL_UUID_TEXT 37
int util_uuid_random(char *buf);

/* strerror(err) for err > 0, thread-safe: the text may live in buf. */
const char *util_strerror(int err, char *buf, size_t size);

/* Monotonic clock in milliseconds. */
long long util_now_ms(void);

/*
 * The library's one reader of unsigned decimal numbers: len bytes of s,
 * digits only (no sign, no blanks, no leading zero but in "0"), at most
 * max. Returns 0, -EINVAL (not such a number) or -ERANGE (above max).
 */
int util_parse_decimal(const char *s, size_t len, uint64_t max,
		       uint64_t *out);

/*
 * v in decimal into buf (at least UTIL_INT_TEXT bytes), without a NUL;
 * returns the length. Async-signal-safe, for the daemon before exec.
 */
#define UTIL_INT_TEXT 21
size_t util_format_int(char *buf, long long v);

/* Write all of buf, retrying on EINTR and short writes. 0 or -errno. */
int util_write_all(int fd, const void *buf, size_t len);

#endif
