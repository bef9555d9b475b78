/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
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

ssize_t util_pread_all(int fd, char *buf, size_t size, off_t known)
{
	size_t total = 0;
	ssize_t n;

	while (total < size && (total == 0 || known < 0 ||
				(off_t)total < known)) {
		n = pread(fd, buf + total, size - total, (off_t)total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		total += (size_t)n;
	}
	return (ssize_t)total;
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

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

bool util_uuid_valid(const char *s, size_t len)
{
	size_t i;

	if (!s || len != UTIL_UUID_TEXT - 1)
		return false;
	for (i = 0; i < len; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !is_hex(s[i]))
			return false;
	}
	return true;
}

pid_t util_pid_max(void)
{
	char buf[32];
	long long v;

	if (util_read_small(AT_FDCWD, "/proc/sys/kernel/pid_max", buf,
			    sizeof(buf)) <= 0)
		return UTIL_PID_CEILING;
	if (util_parse_num(buf, util_digits(buf), 2, UTIL_PID_CEILING, NULL, 0,
			   &v) < 0)
		return UTIL_PID_CEILING;
	return (pid_t)v;
}

void util_log(dctl_log_fn fn, void *data, int level, const char *fmt, ...)
{
	char *msg;
	va_list ap;
	int n;

	if (!fn)
		return;
	/* Allocated: a message naming a long path is passed on whole. */
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fn(data, level, fmt);
		return;
	}
	fn(data, level, msg);
	free(msg);
}

char *util_asprintf(const char *fmt, ...)
{
	char *s;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

const char *util_strerror(int err, char *buf, size_t size)
{
	if (err < 0)
		err = -err;
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
	/* The GNU strerror_r: returns the text, in buf or static. */
	return strerror_r(err, buf, size);
#else
	if (strerror_r(err, buf, size) != 0)
		snprintf(buf, size, "error %d", err);
	return buf;
#endif
}

/* ------------------------------------------------------------ numbers */

size_t util_digits(const char *s)
{
	size_t i = 0;

	while (s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

static const struct util_suffix *find_suffix(const struct util_suffix *tab,
					     const char *s, size_t len)
{
	for (; tab && tab->name; tab++)
		if (strlen(tab->name) == len && memcmp(tab->name, s, len) == 0)
			return tab;
	return NULL;
}

/*
 * Accumulate the digits as a negative number: -LLONG_MIN does not fit in
 * a long long, LLONG_MIN itself does. Saturates and says so.
 */
static bool accumulate(const char *s, size_t n, long long *acc)
{
	long long v = 0;
	bool over = false;
	size_t i;

	for (i = 0; i < n; i++) {
		int d = s[i] - '0';

		if (v < (LLONG_MIN + d) / 10)
			over = true;
		else
			v = v * 10 - d;
	}
	*acc = v;
	return !over;
}

int util_parse_num(const char *s, size_t len, long long min, long long max,
		   const struct util_suffix *suffixes, unsigned flags,
		   long long *out)
{
	const struct util_suffix *suf = NULL;
	bool neg = false, fits;
	size_t nd, i = 0;
	long long v;

	if (!s || !out)
		return -EINVAL;
	if (len > 0 && s[0] == '-' && min < 0) {
		neg = true;
		i = 1;
	}
	for (nd = 0; i + nd < len && s[i + nd] >= '0' && s[i + nd] <= '9'; nd++)
		;
	if (nd == 0)
		return -EINVAL;
	if ((flags & UTIL_NUM_NO_LEADING_ZERO) && s[i] == '0' && nd > 1)
		return -EINVAL;
	if (i + nd < len) {
		suf = find_suffix(suffixes, s + i + nd, len - i - nd);
		if (!suf)
			return -EINVAL;
	}
	fits = accumulate(s + i, nd, &v);
	if (!neg) {
		/* -LLONG_MIN does not exist: LLONG_MAX + 1 does not fit. */
		if (v == LLONG_MIN)
			fits = false;
		else
			v = -v;
	}
	if (fits && suf) {
		if (v > LLONG_MAX / suf->mult || v < LLONG_MIN / suf->mult)
			fits = false;
		else
			v *= suf->mult;
	}
	if (!fits || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/*
 * By hand, not snprintf: the daemon child between clone and exec may only
 * make async-signal-safe calls.
 */
size_t util_format_int(char *buf, long long v)
{
	/* The magnitude as unsigned, so LLONG_MIN has one too. */
	unsigned long long m = v < 0 ? 0 - (unsigned long long)v
				     : (unsigned long long)v;
	char tmp[UTIL_INT_TEXT];
	size_t n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + m % 10);
		m /= 10;
	} while (m);
	if (v < 0)
		buf[i++] = '-';
	while (n)
		buf[i++] = tmp[--n];
	return i;
}

/*
 * Whole seconds and the fraction each go through util_parse_num(); what
 * is left here is the shape around the point, which it does not know.
 */
int util_parse_seconds(const char *text, int64_t *ns)
{
	long long whole, frac = 0;
	size_t n, m = 0;
	int r;

	if (!text || !ns)
		return -EINVAL;
	/* The shape first, so that any malformed text is -EINVAL... */
	n = util_digits(text);
	if (n == 0 || (text[0] == '0' && n > 1))
		return -EINVAL;
	if (text[n] == '.') {
		m = util_digits(text + n + 1);
		if (m == 0 || m > 9)
			return -EINVAL;
	}
	if (text[n + (m ? m + 1 : 0)] != '\0')
		return -EINVAL;
	/* ...then the range. */
	r = util_parse_num(text, n, 0, UTIL_SECONDS_MAX, NULL, 0, &whole);
	if (r < 0)
		return r;
	if (m) {
		r = util_parse_num(text + n + 1, m, 0, 999999999, NULL, 0,
				   &frac);
		if (r < 0)
			return r;
	}
	for (; m && m < 9; m++)
		frac *= 10;
	if (whole == UTIL_SECONDS_MAX && frac)
		return -ERANGE;
	*ns = (int64_t)whole * UTIL_NS_PER_SEC + frac;
	return 0;
}

/* ------------------------------------------------------------ waiting */

int64_t util_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * UTIL_NS_PER_SEC + ts.tv_nsec;
}

long long util_now_ms(void)
{
	return util_now_ns() / 1000000;
}

struct util_deadline util_deadline_in(long long timeout_ms)
{
	struct util_deadline d = { UTIL_FOREVER };

	if (timeout_ms >= 0)
		d.end_ms = util_now_ms() + timeout_ms;
	return d;
}

int util_deadline_left(struct util_deadline d, int cap)
{
	long long left;

	if (d.end_ms == UTIL_FOREVER)
		return -1;
	left = d.end_ms - util_now_ms();
	if (left < 0)
		return 0;
	return left > cap ? cap : (int)left;
}

bool util_deadline_passed(struct util_deadline d)
{
	return d.end_ms != UTIL_FOREVER && util_now_ms() >= d.end_ms;
}

void util_nap(long long ms, struct util_deadline d)
{
	struct timespec until;
	long long end = util_now_ms() + ms;

	if (d.end_ms != UTIL_FOREVER && d.end_ms < end)
		end = d.end_ms;
	if (ms <= 0)
		return;
	/* An absolute end: a signal handler's time is not slept again. */
	until.tv_sec = end / 1000;
	until.tv_nsec = (end % 1000) * 1000000L;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until,
			       NULL) == EINTR)
		;
}

int util_retry(struct util_deadline d, long long nap_ms, long long nap_max_ms,
	       int (*try)(void *arg), void *arg)
{
	int r;

	for (;;) {
		r = try(arg);
		if (r != -EAGAIN)
			return r;
		if (util_deadline_passed(d))
			return -ETIMEDOUT;
		util_nap(nap_ms, d);
		if (nap_ms < nap_max_ms)
			nap_ms = nap_ms * 2 > nap_max_ms ? nap_max_ms : nap_ms * 2;
	}
}

/* ------------------------------------------------------------- arrays */

void *util_array_push(struct util_array *a)
{
	size_t cap;
	void *grown, *slot;

	if (a->n == a->cap) {
		cap = a->cap ? a->cap * 2 : 16;
		if (cap < a->cap || cap > SIZE_MAX / a->elem)
			return NULL;
		grown = realloc(a->v, cap * a->elem);
		if (!grown)
			return NULL;
		a->v = grown;
		a->cap = cap;
	}
	slot = (char *)a->v + a->n * a->elem;
	memset(slot, 0, a->elem);
	a->n++;
	return slot;
}

void *util_array_at(const struct util_array *a, size_t i)
{
	return (char *)a->v + i * a->elem;
}

void util_array_free(struct util_array *a)
{
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
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

int util_set_string(char **field, const char *value)
{
	char *copy = NULL;

	if (value && !(copy = strdup(value)))
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

/* ---------------------------------------------------------------- memory */

/* Is this line of /proc/self/maps the main stack's? Its bounds, then. */
static bool stack_line(const char *line, uintptr_t *lo, uintptr_t *hi)
{
	unsigned long a, b, ino;
	int name = 0;

	if (sscanf(line, "%lx-%lx %*s %*s %*s %lu %n", &a, &b, &ino,
		   &name) < 3 ||
	    !name || ino != 0 || strcmp(line + name, "[stack]") != 0)
		return false;
	*lo = a;
	*hi = b;
	return true;
}

/* The main stack's mapping. Kept out of line: its buffer lies below the
 * caller's frame, among the pages the caller gives back. */
static __attribute__((noinline)) bool stack_bounds(uintptr_t *lo, uintptr_t *hi)
{
	char buf[512], *line, *nl;
	bool found = false, skip = false;
	size_t have = 0;
	ssize_t n;
	int fd;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while (!found) {
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		line = buf;
		while (!found && (nl = strchr(line, '\n'))) {
			*nl = '\0';
			found = !skip && stack_line(line, lo, hi);
			skip = false;
			line = nl + 1;
		}
		/* A line longer than the buffer names a file, not the stack:
		 * drop it, its end included. */
		if (line == buf && have == sizeof(buf) - 1) {
			line += have;
			skip = true;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
	}
	close(fd);
	return found;
}

size_t util_stack_trim(void)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);
	uintptr_t lo, hi, end;
	size_t done = 0;
	int saved = errno;

	/* Below our frame: the system call's own, and the red zone. Raw,
	 * so that no interposed madvise() has frames in the pages it drops. */
	end = (here - 512) & ~(page - 1);
	if (stack_bounds(&lo, &hi) && here > lo && here <= hi && end > lo &&
	    syscall(SYS_madvise, lo, end - lo, MADV_DONTNEED) == 0)
		done = end - lo;
	errno = saved;
	return done;
}
