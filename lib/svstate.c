/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The supervisor's state record, PIDFILE.state (its format is described in
 * supervise.h). Written whole and renamed into place, so that a status
 * reads it without ever asking the supervisor, and without ever seeing
 * half of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "pidfile.h"
#include "proc.h"
#include "supervise.h"
#include "util.h"

#define MAGIC "daemonctl-state 1\n"
#define SUFFIX ".state"
#define NEW_SUFFIX ".new"

static const char *const kind_names[] = {
	[SVSTATE_RUNNING] = "running",
	[SVSTATE_RESTARTING] = "restarting",
	[SVSTATE_STOPPING] = "stopping",
	[SVSTATE_FAILED] = "failed",
};

static const char *const exit_names[] = {
	[SV_EXIT_NONE] = "none",
	[SV_EXIT_CODE] = "exit",
	[SV_EXIT_SIGNAL] = "signal",
	[SV_EXIT_LAUNCH] = "launch",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *svstate_kind_str(enum svstate_kind k)
{
	if ((unsigned)k >= ARRAY_SIZE(kind_names))
		return NULL;
	return kind_names[k];
}

int svstate_path(const char *pidfile, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s" SUFFIX, pidfile);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

char *svstate_path_new(const char *pidfile)
{
	return util_asprintf("%s" SUFFIX, pidfile);
}

/* ---------------------------------------------------------- writing */

int svstate_format(const struct svstate *s, char *buf, size_t size)
{
	const char *kind = svstate_kind_str(s->state);
	char last[32];

	if (!kind || (unsigned)s->last.kind >= ARRAY_SIZE(exit_names))
		return -EINVAL;
	if (s->last.kind == SV_EXIT_NONE)
		snprintf(last, sizeof(last), "none");
	else
		snprintf(last, sizeof(last), "%s %d", exit_names[s->last.kind],
			 s->last.value);
	return snprintf(buf, size,
			MAGIC "state %s\nsupervisor %d %llu\npid %d\n"
			"restarts %u\nlast %s\nnext %" PRId64 "\n"
			"limit %u %" PRId64 "\n",
			kind, (int)s->supervisor, s->supervisor_ticks,
			(int)s->pid, s->restarts, last, s->next_ns,
			s->limit_n, s->limit_window_ns);
}

/* Write text into a new file at path: exclusive, no symlink followed. */
static int write_new(const char *path, const char *text, size_t len)
{
	struct stat st;
	int fd, r;

	/* A file left by a supervisor that died mid-write is ours to drop;
	 * O_EXCL then makes sure that what we write is a file we made. */
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	fd = pidfile_open_regular(path, O_WRONLY | O_CREAT | O_EXCL, 0644, &st);
	if (fd < 0)
		return fd;
	r = util_write_all(fd, text, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0)
		unlink(path);
	return r;
}

int svstate_write(const char *path, const struct svstate *s)
{
	char text[SVSTATE_MAX], tmp[PATH_MAX];
	int n, r;

	n = svstate_format(s, text, sizeof(text));
	if (n < 0)
		return n;
	if ((size_t)n >= sizeof(text))
		return -EOVERFLOW;
	n = snprintf(tmp, sizeof(tmp), "%s" NEW_SUFFIX, path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	r = write_new(tmp, text, strlen(text));
	if (r < 0)
		return r;
	if (rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	return 0;
}

int svstate_remove(const char *path)
{
	char tmp[PATH_MAX];
	int n, r = 0;

	if (unlink(path) < 0 && errno != ENOENT)
		r = -errno;
	n = snprintf(tmp, sizeof(tmp), "%s" NEW_SUFFIX, path);
	if (n > 0 && (size_t)n < sizeof(tmp))
		unlink(tmp);
	return r;
}

int svstate_supervisor_alive(const struct svstate *s)
{
	struct proc_stat ps;
	int r;

	r = proc_read_stat(s->supervisor, &ps);
	if (r == -ESRCH)
		return 0;
	if (r < 0)
		return r;
	return ps.state != 'Z' && ps.state != 'X' &&
	       ps.start_ticks == s->supervisor_ticks;
}

/* ---------------------------------------------------------- reading */

/* A decimal number without sign or blanks, at most max. */
static int number(const char *s, const char **end, long long max,
		  long long *v)
{
	size_t n = util_digits(s);

	if (util_parse_num(s, n, 0, max, NULL, 0, v) < 0)
		return -EBADMSG;
	*end = s + n;
	return 0;
}

/* Numbers separated by one space, exactly n of them, then the line end. */
static int numbers(const char *s, long long max, size_t n, long long *v)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0 && *s++ != ' ')
			return -EBADMSG;
		if (number(s, &s, max, &v[i]) < 0)
			return -EBADMSG;
	}
	return *s == '\0' ? 0 : -EBADMSG;
}

static int word_index(const char *w, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(w, names[i]) == 0)
			return (int)i;
	return -EBADMSG;
}

static int parse_last(const char *val, struct sv_exit *e)
{
	long long v;
	const char *sp = strchr(val, ' ');
	char word[16];
	int k;

	if (strcmp(val, "none") == 0) {
		e->kind = SV_EXIT_NONE;
		e->value = 0;
		return 0;
	}
	if (!sp || (size_t)(sp - val) >= sizeof(word))
		return -EBADMSG;
	memcpy(word, val, (size_t)(sp - val));
	word[sp - val] = '\0';
	k = word_index(word, exit_names, ARRAY_SIZE(exit_names));
	if (k <= SV_EXIT_NONE || numbers(sp + 1, INT_MAX, 1, &v) < 0)
		return -EBADMSG;
	e->kind = (enum sv_exit_kind)k;
	e->value = (int)v;
	return 0;
}

/* "PID TICKS": the supervisor's identity. */
static int parse_supervisor(const char *val, struct svstate *s)
{
	long long pid, ticks;
	const char *p;

	if (number(val, &p, INT_MAX, &pid) < 0 || pid < 2 || *p++ != ' ' ||
	    number(p, &p, LLONG_MAX, &ticks) < 0 || *p != '\0')
		return -EBADMSG;
	s->supervisor = (pid_t)pid;
	s->supervisor_ticks = (unsigned long long)ticks;
	return 0;
}

#define SEEN_STATE	0x01u
#define SEEN_SUPER	0x02u
#define SEEN_PID	0x04u
#define SEEN_RESTARTS	0x08u
#define SEEN_LAST	0x10u
#define SEEN_ALL	0x1fu

/* One "key value" line; *seen collects the required keys met. */
static int parse_line(char *line, struct svstate *s, unsigned *seen)
{
	long long v[2];
	char *val = strchr(line, ' ');
	int k;

	if (!val)
		return -EBADMSG;
	*val++ = '\0';
	if (strcmp(line, "state") == 0) {
		k = word_index(val, kind_names, ARRAY_SIZE(kind_names));
		if (k < 0)
			return k;
		s->state = (enum svstate_kind)k;
		*seen |= SEEN_STATE;
	} else if (strcmp(line, "supervisor") == 0) {
		if (parse_supervisor(val, s) < 0)
			return -EBADMSG;
		*seen |= SEEN_SUPER;
	} else if (strcmp(line, "pid") == 0) {
		if (numbers(val, INT_MAX, 1, v) < 0 || v[0] == 1)
			return -EBADMSG;
		s->pid = (pid_t)v[0];
		*seen |= SEEN_PID;
	} else if (strcmp(line, "restarts") == 0) {
		if (numbers(val, UINT_MAX, 1, v) < 0)
			return -EBADMSG;
		s->restarts = (unsigned)v[0];
		*seen |= SEEN_RESTARTS;
	} else if (strcmp(line, "last") == 0) {
		if (parse_last(val, &s->last) < 0)
			return -EBADMSG;
		*seen |= SEEN_LAST;
	} else if (strcmp(line, "next") == 0) {
		if (numbers(val, INT64_MAX, 1, v) < 0)
			return -EBADMSG;
		s->next_ns = (int64_t)v[0];
	} else if (strcmp(line, "limit") == 0) {
		if (numbers(val, INT64_MAX, 2, v) < 0 || v[0] > SV_LIMIT_MAX)
			return -EBADMSG;
		s->limit_n = (unsigned)v[0];
		s->limit_window_ns = (int64_t)v[1];
	}
	/* Any other key is a later version's: skipped. */
	return 0;
}

int svstate_parse(const char *buf, size_t len, struct svstate *out)
{
	char copy[SVSTATE_MAX + 1], *line, *nl;
	struct svstate s = { 0 };
	unsigned seen = 0;
	int r;

	if (len > SVSTATE_MAX || len < strlen(MAGIC) ||
	    memchr(buf, '\0', len) || memcmp(buf, MAGIC, strlen(MAGIC)) ||
	    buf[len - 1] != '\n')
		return -EBADMSG;
	memcpy(copy, buf, len);
	copy[len] = '\0';
	for (line = copy + strlen(MAGIC); *line; line = nl + 1) {
		nl = strchr(line, '\n');
		*nl = '\0';
		r = parse_line(line, &s, &seen);
		if (r < 0)
			return r;
	}
	if (seen != SEEN_ALL)
		return -EBADMSG;
	*out = s;
	return 0;
}

int svstate_read(const char *path, struct svstate *s, uid_t *owner)
{
	char buf[SVSTATE_MAX + 1];
	struct stat st;
	ssize_t n;
	int fd, r;

	fd = pidfile_open_regular(path, O_RDONLY, 0, &st);
	if (fd < 0)
		return fd;
	/* One byte more than a record may have tells a file too long. */
	n = util_pread_all(fd, buf, sizeof(buf), st.st_size);
	close(fd);
	if (n < 0)
		return (int)n;
	r = svstate_parse(buf, (size_t)n, s);
	if (r == 0 && owner)
		*owner = st.st_uid;
	return r;
}

/* ------------------------------------------------------- describing */

/* "0.4s", "12s", "3m 5s": the time to the next try, for humans. */
static int span(int64_t ns, char *buf, size_t size)
{
	int64_t ds, s;

	if (ns < 0)
		ns = 0;
	if (ns < 10 * UTIL_NS_PER_SEC) {
		ds = (ns + UTIL_NS_PER_SEC / 20) / (UTIL_NS_PER_SEC / 10);
		return snprintf(buf, size, "%d.%ds", (int)(ds / 10),
				(int)(ds % 10));
	}
	s = (ns + UTIL_NS_PER_SEC / 2) / UTIL_NS_PER_SEC;
	if (s < 60)
		return snprintf(buf, size, "%ds", (int)s);
	return snprintf(buf, size, "%dm %ds", (int)(s / 60), (int)(s % 60));
}

/* A window's length as the user gave it: "60", "0.5". */
static int seconds(int64_t ns, char *buf, size_t size)
{
	int64_t frac = ns % UTIL_NS_PER_SEC;
	int digits = 9;

	if (!frac)
		return snprintf(buf, size, "%" PRId64, ns / UTIL_NS_PER_SEC);
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	return snprintf(buf, size, "%" PRId64 ".%0*" PRId64,
			ns / UTIL_NS_PER_SEC, digits, frac);
}

static const char *plural(unsigned n)
{
	return n == 1 ? "" : "s";
}

int svstate_describe(const struct svstate *s, int64_t now_ns, char *buf,
		     size_t size)
{
	char last[160], next[32], win[32];

	sv_exit_format(&s->last, last, sizeof(last));
	switch (s->state) {
	case SVSTATE_RESTARTING:
		span(s->next_ns - now_ns, next, sizeof(next));
		return snprintf(buf, size, "last: %s, next try in %s, %u restart%s",
				last, next, s->restarts, plural(s->restarts));
	case SVSTATE_FAILED:
		seconds(s->limit_window_ns, win, sizeof(win));
		return snprintf(buf, size,
				"gave up after %u restart%s in %s s; last: %s",
				s->limit_n, plural(s->limit_n), win, last);
	case SVSTATE_STOPPING:
		return snprintf(buf, size, "stopping, %u restart%s",
				s->restarts, plural(s->restarts));
	case SVSTATE_RUNNING:
		if (!s->restarts)
			return snprintf(buf, size, "%s", "");
		return snprintf(buf, size, ", %u restart%s", s->restarts,
				plural(s->restarts));
	}
	return -EINVAL;
}
