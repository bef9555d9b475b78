/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

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
 * Random bytes that never wait: before the kernel's pool is initialised
 * (early boot, where init scripts run) getrandom() would block, and
 * /dev/urandom answers anyway; an instance id needs uniqueness, not
 * secrecy.
 */
static int random_bytes(unsigned char *buf, size_t len)
{
	ssize_t n;
	int fd, e;

	do
		n = getrandom(buf, len, GRND_NONBLOCK);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len)
		return 0;
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	e = n < 0 ? -errno : n == (ssize_t)len ? 0 : -EIO;
	close(fd);
	return e;
}

/*
 * What libuuid's uuid_generate_random() makes, without loading libuuid
 * into every tool: 16 random bytes, the version and variant bits set.
 */
int util_uuid_random(char *buf)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t i;
	int r;

	if ((r = random_bytes(b, sizeof(b))))
		return r;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);	/* variant 10 */
	for (i = 0; i < sizeof(b); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*buf++ = '-';
		*buf++ = hex[b[i] >> 4];
		*buf++ = hex[b[i] & 0x0f];
	}
	*buf = '\0';
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

int64_t util_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * UTIL_NS_PER_SEC + ts.tv_nsec;
}

/* The value of len decimal digits (len small enough not to overflow). */
static int64_t digits_value(const char *s, size_t len)
{
	int64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

int util_parse_seconds(const char *text, int64_t *ns)
{
	static const char digits[] = "0123456789";
	const char *p;
	int64_t whole, frac;
	size_t n, m = 0;

	if (!text || !ns)
		return -EINVAL;
	/* The shape first, so that any malformed text is -EINVAL... */
	n = strspn(text, digits);
	if (n == 0 || (text[0] == '0' && n > 1))
		return -EINVAL;
	p = text + n;
	if (*p == '.') {
		m = strspn(p + 1, digits);
		if (m == 0 || m > 9)
			return -EINVAL;
		p += 1 + m;
	}
	if (*p != '\0')
		return -EINVAL;
	/* ...then the range: UTIL_SECONDS_MAX has ten digits. */
	if (n > 10)
		return -ERANGE;
	whole = digits_value(text, n);
	frac = digits_value(text + n + 1, m);
	for (; m < 9; m++)
		frac *= 10;
	if (whole > UTIL_SECONDS_MAX || (whole == UTIL_SECONDS_MAX && frac))
		return -ERANGE;
	*ns = whole * UTIL_NS_PER_SEC + frac;
	return 0;
}
