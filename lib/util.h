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

/* Write all of buf, retrying on EINTR and short writes. 0 or -errno. */
int util_write_all(int fd, const void *buf, size_t len);

/* Monotonic clock in nanoseconds (the clock of timerfds and deadlines). */
int64_t util_now_ns(void);

#define UTIL_NS_PER_SEC INT64_C(1000000000)
/* The longest duration util_parse_seconds() accepts: about 31 years. */
#define UTIL_SECONDS_MAX INT64_C(1000000000)

/*
 * A duration in seconds for an option: "10", "0.25", "1.5". Digits, then
 * optionally a point and one to nine more digits (nanoseconds are the
 * finest unit kept, so more digits are refused rather than rounded). No
 * sign, blank, exponent, leading zero ("0.5", not "00.5" or "05"), lone
 * point or unit. Returns 0 with *ns; -EINVAL for anything else; -ERANGE
 * above UTIL_SECONDS_MAX seconds.
 */
int util_parse_seconds(const char *text, int64_t *ns);

#endif
