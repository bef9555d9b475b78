/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "util.h"

static ssize_t read_small(int dirfd, const char *path, char *buf, size_t size,
			  bool short_is_all)
{
	ssize_t n, total = 0;
	size_t want;
	int fd, saved;

	if (size == 0)
		return -EINVAL;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	while ((size_t)total < size - 1) {
		want = size - 1 - (size_t)total;
		n = read(fd, buf + total, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			close(fd);
			return -saved;
		}
		if (n == 0)
			break;
		total += n;
		if (short_is_all && (size_t)n < want)
			break;
	}
	close(fd);
	buf[total] = '\0';
	return total;
}

ssize_t util_read_small(int dirfd, const char *path, char *buf, size_t size)
{
	return read_small(dirfd, path, buf, size, false);
}

ssize_t util_read_proc(int dirfd, const char *path, char *buf, size_t size)
{
	return read_small(dirfd, path, buf, size, true);
}

/*
 * libuuid's generator: it takes its bytes from getrandom(2) without
 * waiting for the kernel's pool (falling back to /dev/urandom), so a start
 * at early boot does not block, and it cannot fail. The tools carry the
 * archive's code (configure's --enable-static-libuuid), so only
 * daemon-start has it and none of them loads libuuid.so at run time.
 */
int util_uuid_random(char *buf)
{
	uuid_t id;

	uuid_generate_random(id);
	uuid_unparse_lower(id, buf);
	return 0;
}

pid_t util_pid_max(void)
{
	char buf[32];
	char *end;
	long v;

	if (util_read_small(AT_FDCWD, "/proc/sys/kernel/pid_max", buf,
			    sizeof(buf)) <= 0)
		return UTIL_PID_CEILING;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || v < 2 || v > UTIL_PID_CEILING)
		return UTIL_PID_CEILING;
	return (pid_t)v;
}

void util_log(dctl_log_fn fn, void *data, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(data, level, msg);
}

const char *util_strerror(int err, char *buf, size_t size)
{
	/* The GNU strerror_r: returns the text, in buf or static. */
	return strerror_r(err, buf, size);
}

long long util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int util_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

const char *dctl_version(void)
{
	return PACKAGE_VERSION;
}
