/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The log keeper: the program's pipes -> a file or syslog, line by line.
 *
 * Each input has one buffer the size of a pipe. A read takes what the
 * pipe holds; the complete lines in it go out in one write(2) (or one
 * sendmmsg(2) of up to LK_BATCH datagrams), so the cost per line is a
 * memchr, not a system call. What cannot go out stays in the buffer, and
 * an input whose buffer is full is not polled: the pipe fills and the
 * program waits. Nothing is ever thrown away.
 *
 * File: the path is compared with the descriptor once per batch (one
 * stat(2)), so a file that logrotate renamed is left for the one it
 * created, and a deleted one at once. Rotation by size renames PATH to
 * PATH.1 and so on before a batch would pass the size, at a line end.
 *
 * Syslog: a datagram socket sends nothing back, and a syslog daemon that
 * exits takes the datagrams still queued on its socket with it, and may
 * drop the last one it read on its way out. So a line is only let go of
 * once a datagram sent after it was read too: the kernel said our queue
 * was empty (SIOCOUTQ: a datagram is charged to its sender until it is
 * read) after that later datagram went out, AND a send after that look
 * succeeded (so the peer was still alive then: the queue was emptied by
 * reads, not discarded with it). A daemon reads its socket in order, so
 * what came before the datagram it read next was taken in full. Until
 * then a line stays in the buffer, and after a reconnect it is sent
 * again: a syslog restart may repeat the few lines in flight, never lose
 * one. Where nothing else is to be sent, an empty datagram (syslog
 * daemons ignore those) is the later one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "logkeep.h"
#include "util.h"

#define LK_BUF			(64 * 1024)	/* per input: a pipe's worth */
#define LK_STAGE		(64 * 1024)	/* timestamped lines, staged */
#define LK_BATCH		64		/* datagrams per sendmmsg */
#define LK_READS		8		/* reads per input per dispatch */
#define LK_RETRY_MIN_MS		10		/* syslog reconnect, first try */
#define LK_RETRY_MAX_MS		1000
#define LK_CONFIRM_MIN_MS	1		/* syslog queue check */
#define LK_CONFIRM_MAX_MS	100
#define LK_FILE_RETRY_MS	1000		/* after a write error */
#define LK_MISSING_MS		1000		/* path gone: wait for a new one */
#define LK_SIZE_MAX		((uint64_t)INT64_MAX)
/* "<191>Mmm dd hh:mm:ss " + "[4194304]: " around the tag. */
#define LK_HEAD_FIXED		(5 + 16 + 12 + 1)

struct lk_input {
	int fd;			/* -1 after EOF */
	enum logkeep_stream stream;
	char *buf;
	size_t start;		/* first byte not let go of */
	size_t sent;		/* syslog: first byte not sent yet */
	size_t mark;		/* syslog: sent, when our queue was last empty */
	size_t pend;		/* syslog: taken in full, once the peer lives */
	size_t end;		/* bytes held */
	size_t flush_to;	/* deliver up to here even without a newline */
};

struct lk_file {
	int fd;
	dev_t dev;
	ino_t ino;
	uint64_t size;		/* what the file holds, staged bytes included */
	bool midline;		/* it ends inside a line */
	bool rotate;		/* the next line goes to a fresh file */
	char *stage;		/* lines with their time prefix (--timestamps) */
	size_t stage_len, stage_off;
	long long missing_since;	/* ms when the path was seen gone */
	char *name_a, *name_b;	/* room for "PATH.N" */
};

enum lk_link {
	LK_UP,			/* send */
	LK_BLOCKED,		/* the daemon's queue is full: wait for POLLOUT */
	LK_DOWN,		/* reconnect when the timer fires */
};

struct lk_syslog {
	int fd;
	enum lk_link link;
	struct sockaddr_un addr;
	socklen_t addr_len;
	char *head;		/* "<PRI>Mmm dd hh:mm:ss TAG[PID]: " */
	size_t head_size;
	int retry_ms;		/* reconnect backoff */
	int check_ms;		/* queue check backoff */
	bool later;		/* a datagram went out after the marks */
};

struct logkeep {
	struct logkeep_config cfg;
	struct lk_input in[LOGKEEP_INPUTS];
	int n_in;
	struct lk_file file;
	struct lk_syslog sl;
	long long timer_at;	/* ms (monotonic), 0: none */
	bool failing;		/* a warning was given for this episode */
};

/* ------------------------------------------------------------ parsers */

static const struct {
	const char *name;
	int value;
} facilities[] = {
	{ "kern", LOG_KERN }, { "user", LOG_USER }, { "mail", LOG_MAIL },
	{ "daemon", LOG_DAEMON }, { "auth", LOG_AUTH },
	{ "syslog", LOG_SYSLOG }, { "lpr", LOG_LPR }, { "news", LOG_NEWS },
	{ "uucp", LOG_UUCP }, { "cron", LOG_CRON },
	{ "authpriv", LOG_AUTHPRIV }, { "ftp", LOG_FTP },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

int dctl_syslog_facility_parse(const char *text, int *facility)
{
	size_t i;

	if (!text || !facility)
		return -EINVAL;
	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++) {
		if (strcasecmp(text, facilities[i].name) == 0) {
			*facility = facilities[i].value;
			return 0;
		}
	}
	return -EINVAL;
}

const char *logkeep_facility_name(int facility)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (facilities[i].value == facility)
			return facilities[i].name;
	return NULL;
}

/* Binary multiples, in either case: 512K, 10M, 1g. */
static const struct util_suffix size_units[] = {
	{ "K", 1LL << 10 }, { "k", 1LL << 10 },
	{ "M", 1LL << 20 }, { "m", 1LL << 20 },
	{ "G", 1LL << 30 }, { "g", 1LL << 30 },
	{ NULL, 0 }
};

/*
 * The caller only needs to know that the text is no size: a number out of
 * range is as wrong as one with junk after it.
 */
int logkeep_parse_size(const char *text, uint64_t *bytes)
{
	long long v;

	if (!text || !bytes ||
	    util_parse_num(text, strlen(text), 1, INT64_MAX, size_units, 0,
			   &v) < 0)
		return -EINVAL;
	*bytes = (uint64_t)v;
	return 0;
}

int logkeep_parse_keep(const char *text, unsigned int *keep)
{
	long long v;

	if (!text || !keep ||
	    util_parse_num(text, strlen(text), 0, LOGKEEP_KEEP_MAX, NULL, 0,
			   &v) < 0)
		return -EINVAL;
	*keep = (unsigned int)v;
	return 0;
}

/* v in 0 .. 10^width - 1 as width decimal digits. */
static char *put_digits(char *p, unsigned long v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

size_t logkeep_stamp(char *buf, const struct timespec *ts)
{
	struct tm tm;
	char *p = buf;

	gmtime_r(&ts->tv_sec, &tm);
	p = put_digits(p, (unsigned long)(tm.tm_year + 1900) % 10000, 4);
	*p++ = '-';
	p = put_digits(p, (unsigned long)tm.tm_mon + 1, 2);
	*p++ = '-';
	p = put_digits(p, (unsigned long)tm.tm_mday, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned long)tm.tm_hour, 2);
	*p++ = ':';
	p = put_digits(p, (unsigned long)tm.tm_min, 2);
	*p++ = ':';
	p = put_digits(p, (unsigned long)tm.tm_sec, 2);
	*p++ = '.';
	p = put_digits(p, (unsigned long)ts->tv_nsec / 1000, 6);
	*p++ = 'Z';
	*p++ = ' ';
	*p = '\0';
	return (size_t)(p - buf);
}

/* ------------------------------------------------------------- inputs */

/* Where the sink takes its next bytes from. */
static size_t in_from(const struct logkeep *lk, const struct lk_input *in)
{
	return lk->cfg.sink == LOGKEEP_SYSLOG ? in->sent : in->start;
}

/*
 * How many bytes from in_from() may go now: every complete line; up to
 * flush_to also an unterminated one; and a buffer full of one line that
 * has no end in it, so that a huge line cannot stop the keeper. A buffer
 * full because lines sent to syslog are not known taken yet is not that:
 * the line being written waits for room, and its end.
 */
static size_t in_ready(const struct logkeep *lk, const struct lk_input *in)
{
	size_t from = in_from(lk, in), n = in->end - from;
	const char *nl;

	if (n == 0)
		return 0;
	/* A run's end still in the pipe: its lines come first, whole. */
	if (in->flush_to > from && in->flush_to <= in->end)
		return in->flush_to - from;
	nl = memrchr(in->buf + from, '\n', n);
	if (nl)
		return (size_t)(nl - (in->buf + from)) + 1;
	return in->end - in->start == LK_BUF && from == in->start ? n : 0;
}

/* Make room at the end of the buffer by dropping what was let go of. */
static void in_compact(struct lk_input *in)
{
	size_t s = in->start;

	if (s == 0)
		return;
	if (s < in->end)
		memmove(in->buf, in->buf + s, in->end - s);
	in->end -= s;
	in->sent -= s;
	in->mark = in->mark > s ? in->mark - s : 0;
	in->pend = in->pend > s ? in->pend - s : 0;
	in->flush_to = in->flush_to > s ? in->flush_to - s : 0;
	in->start = 0;
}

/* After delivery: a buffer that is all let go of starts over. */
static void in_settle(struct lk_input *in)
{
	if (in->start == in->end && !in->flush_to)
		in->start = in->sent = in->mark = in->pend = in->end = 0;
}

static bool in_wants_read(const struct lk_input *in)
{
	return in->fd >= 0 && in->end - in->start < LK_BUF;
}

static void in_close(struct lk_input *in)
{
	if (in->fd >= 0)
		close(in->fd);
	in->fd = -1;
}

/*
 * One read into the free end of the buffer. Returns 1 when it filled the
 * room (the pipe may hold more), 0 when it did not or at EOF, -EAGAIN
 * when there was nothing.
 */
static int in_read(struct lk_input *in)
{
	size_t room;
	ssize_t n;

	if (in->end == LK_BUF)
		in_compact(in);
	room = LK_BUF - in->end;
	if (in->fd < 0 || room == 0)
		return 0;
	do
		n = read(in->fd, in->buf + in->end, room);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -EAGAIN;
	if (n <= 0) {
		/* EOF (or a broken pipe: the same for us): send it all. */
		in_close(in);
		in->flush_to = in->end;
		return 0;
	}
	in->end += (size_t)n;
	return (size_t)n == room;
}

/* --------------------------------------------------------------- file */

static void warn_once(struct logkeep *lk, int err, const char *what)
{
	char eb[128];

	if (lk->failing)
		return;
	lk->failing = true;
	util_log(lk->cfg.log, lk->cfg.log_data, DCTL_LOG_WARNING,
		 "%s %s: %s; holding the lines and trying again", what,
		 lk->cfg.sink == LOGKEEP_FILE ? lk->cfg.path :
		 lk->cfg.socket_path, util_strerror(err, eb, sizeof(eb)));
}

static void recovered(struct logkeep *lk, const char *what)
{
	if (!lk->failing)
		return;
	lk->failing = false;
	util_log(lk->cfg.log, lk->cfg.log_data, DCTL_LOG_NOTICE,
		 "%s %s works again", what,
		 lk->cfg.sink == LOGKEEP_FILE ? lk->cfg.path :
		 lk->cfg.socket_path);
}

static int file_open(struct logkeep *lk)
{
	struct lk_file *f = &lk->file;
	struct stat st;
	int fd, err;

	/* O_NONBLOCK only so that a FIFO at the path cannot hang us; it
	 * is refused below and means nothing for a regular file. */
	fd = open(lk->cfg.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		  O_NOCTTY | O_NONBLOCK, LOGKEEP_FILE_MODE);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (f->fd >= 0)
		close(f->fd);
	f->fd = fd;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->size = (uint64_t)st.st_size;
	f->missing_since = 0;
	return 0;
}

/*
 * Is the path still our file? logrotate's create mode renames it, then
 * creates a new one: until the new one is there the renamed file is still
 * the right place (it is not deleted); after a grace time a path that
 * stays missing is created again. A deleted file is never written.
 */
static int file_check_path(struct logkeep *lk)
{
	struct lk_file *f = &lk->file;
	struct stat st;
	long long now;

	if (stat(lk->cfg.path, &st) == 0) {
		if (st.st_dev == f->dev && st.st_ino == f->ino) {
			f->missing_since = 0;
			return 0;
		}
		return file_open(lk);
	}
	if (errno != ENOENT)
		return 0;
	if (fstat(f->fd, &st) == 0 && st.st_nlink == 0)
		return file_open(lk);
	now = util_now_ms();
	if (!f->missing_since)
		f->missing_since = now;
	if (now - f->missing_since >= LK_MISSING_MS)
		return file_open(lk);
	return 0;
}

static void rotated_name(const struct logkeep *lk, char *buf, unsigned int i)
{
	sprintf(buf, "%s.%u", lk->cfg.path, i);
}

/* PATH.keep-1 -> PATH.keep, ..., PATH -> PATH.1, and a fresh PATH. */
static int file_rotate(struct logkeep *lk)
{
	struct lk_file *f = &lk->file;
	unsigned int i;

	for (i = lk->cfg.keep; i > 1; i--) {
		rotated_name(lk, f->name_a, i - 1);
		rotated_name(lk, f->name_b, i);
		if (rename(f->name_a, f->name_b) < 0 && errno != ENOENT)
			return -errno;
	}
	if (lk->cfg.keep == 0) {
		if (unlink(lk->cfg.path) < 0 && errno != ENOENT)
			return -errno;
	} else {
		rotated_name(lk, f->name_b, 1);
		if (rename(lk->cfg.path, f->name_b) < 0 && errno != ENOENT)
			return -errno;
	}
	f->rotate = false;
	f->midline = false;
	return file_open(lk);
}

/* One write(2); a write error is returned, a short write is progress. */
static ssize_t file_write(struct lk_file *f, const char *p, size_t len)
{
	ssize_t n;

	do
		n = write(f->fd, p, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ENOSPC;
	return n;
}

static int stage_flush(struct lk_file *f)
{
	ssize_t n;

	while (f->stage_off < f->stage_len) {
		n = file_write(f, f->stage + f->stage_off,
			       f->stage_len - f->stage_off);
		if (n < 0)
			return (int)n;
		f->stage_off += (size_t)n;
	}
	f->stage_off = f->stage_len = 0;
	return 0;
}

/*
 * How much of p[0..len) to write before rotating: all of it if it fits,
 * else up to the last line end that fits. A line that fits in no file
 * (longer than the size) goes whole into a fresh file of its own; the
 * rest of a line already begun goes where its beginning went.
 * Returns 0 with f->rotate set when a fresh file must come first.
 */
static size_t rotation_cut(struct logkeep *lk, const char *p, size_t len)
{
	struct lk_file *f = &lk->file;
	uint64_t max = lk->cfg.max_size;
	const char *nl;
	size_t room;

	if (!max || f->size + len <= max)
		return len;
	if (!f->midline) {
		room = f->size < max ? (size_t)(max - f->size) : 0;
		nl = room ? memrchr(p, '\n', room < len ? room : len) : NULL;
		if (nl)
			return (size_t)(nl - p) + 1;
		if (f->size > 0) {
			f->rotate = true;
			return 0;
		}
	}
	nl = memchr(p, '\n', len);
	return nl ? (size_t)(nl - p) + 1 : len;
}

static int file_put_plain(struct logkeep *lk, struct lk_input *in, size_t len)
{
	struct lk_file *f = &lk->file;
	const char *p = in->buf + in->start;
	size_t take = rotation_cut(lk, p, len);
	ssize_t n;

	if (take == 0)
		return 0;
	n = file_write(f, p, take);
	if (n < 0)
		return (int)n;
	in->start += (size_t)n;
	f->size += (uint64_t)n;
	f->midline = p[n - 1] != '\n';
	return 0;
}

/* Copy lines with their time prefix into the stage, until it is full or
 * the next line must go to a fresh file. */
static void file_put_stamped(struct logkeep *lk, struct lk_input *in,
			     size_t len)
{
	struct lk_file *f = &lk->file;
	const char *p = in->buf + in->start, *end = p + len, *nl;
	char stamp[LOGKEEP_STAMP_LEN + 1];
	uint64_t max = lk->cfg.max_size;
	struct timespec ts;
	size_t line, pre;

	/* One clock read per batch: its lines arrived together. */
	clock_gettime(CLOCK_REALTIME, &ts);
	logkeep_stamp(stamp, &ts);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		line = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		pre = f->midline ? 0 : LOGKEEP_STAMP_LEN;
		if (f->stage_len + pre + line > LK_STAGE) {
			if (f->stage_len)
				break;
			line = LK_STAGE - pre;	/* a huge line: a piece */
		}
		if (max && !f->midline && f->size > 0 &&
		    f->size + pre + line > max) {
			f->rotate = true;
			break;
		}
		memcpy(f->stage + f->stage_len, stamp, pre);
		memcpy(f->stage + f->stage_len + pre, p, line);
		f->stage_len += pre + line;
		f->size += pre + line;
		f->midline = p[line - 1] != '\n';
		p += line;
	}
	in->start = (size_t)(p - in->buf);
}

/* An unterminated last line (EOF, or the end of a run) gets its end. */
static int file_end_line(struct lk_file *f, bool staged)
{
	ssize_t n;

	if (staged && f->stage_len < LK_STAGE) {
		f->stage[f->stage_len++] = '\n';
	} else {
		n = file_write(f, "\n", 1);
		if (n < 0)
			return (int)n;
	}
	f->size++;
	f->midline = false;
	return 0;
}

static int file_deliver(struct logkeep *lk, struct lk_input *in)
{
	struct lk_file *f = &lk->file;
	size_t len;
	int r;

	for (;;) {
		if ((r = stage_flush(f)))
			return r;
		if (f->rotate && (r = file_rotate(lk)))
			return r;
		if (in->flush_to && in->start >= in->flush_to) {
			if (f->midline &&
			    (r = file_end_line(f, lk->cfg.timestamps)))
				return r;
			in->flush_to = 0;
			continue;
		}
		len = in_ready(lk, in);
		if (len == 0)
			return 0;
		if (!lk->cfg.timestamps) {
			if ((r = file_put_plain(lk, in, len)))
				return r;
		} else {
			file_put_stamped(lk, in, len);
		}
	}
}

/* ------------------------------------------------------------- syslog */

static int syslog_connect(struct logkeep *lk)
{
	struct lk_syslog *sl = &lk->sl;
	int fd, err;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sl->addr, sl->addr_len) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (sl->fd >= 0)
		close(sl->fd);
	sl->fd = fd;
	sl->link = LK_UP;
	return 0;
}

/* Bytes of ours the syslog daemon has not read yet, or -1 if unknown. */
static int syslog_queued(const struct lk_syslog *sl)
{
	int q;

	if (ioctl(sl->fd, SIOCOUTQ, &q) < 0)
		return -1;
	return q;
}

/*
 * Our queue is empty: what was sent so far was read, if the peer lives.
 * If a datagram went out after the last marks, what they cover was taken
 * in full (the daemon read past it): it only waits for the proof of life.
 */
static void syslog_mark(struct logkeep *lk)
{
	struct lk_input *in;
	int i;

	for (i = 0; i < lk->n_in; i++) {
		in = &lk->in[i];
		if (lk->sl.later)
			in->pend = in->mark;
		in->mark = in->sent;
	}
	lk->sl.later = false;
}

/* A send succeeded, so the peer was alive: what was taken is let go. */
static void syslog_confirm(struct logkeep *lk)
{
	struct lk_input *in;
	int i;

	for (i = 0; i < lk->n_in; i++) {
		in = &lk->in[i];
		if (in->pend > in->start)
			in->start = in->pend;
		if (in->flush_to && in->start >= in->flush_to)
			in->flush_to = 0;
	}
	lk->sl.later = true;
}

static void timer_in(struct logkeep *lk, int ms)
{
	lk->timer_at = util_now_ms() + ms;
}

/*
 * The daemon went away: take back every unconfirmed line and reconnect
 * from the timer, backing off until a send succeeds again.
 */
static void syslog_lost(struct logkeep *lk, int err)
{
	struct lk_syslog *sl = &lk->sl;
	struct lk_input *in;
	int i;

	for (i = 0; i < lk->n_in; i++) {
		in = &lk->in[i];
		in->sent = in->mark = in->pend = in->start;
	}
	sl->later = false;
	warn_once(lk, -err, "syslog socket");
	sl->link = LK_DOWN;
	timer_in(lk, sl->retry_ms);
	sl->retry_ms = sl->retry_ms * 2 > LK_RETRY_MAX_MS ?
		       LK_RETRY_MAX_MS : sl->retry_ms * 2;
}

static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* What glibc's syslog(3) puts before the message, local time. */
static size_t syslog_head(struct logkeep *lk, enum logkeep_stream s)
{
	int pri = lk->cfg.facility |
		  (s == LOGKEEP_STDERR ? LOG_ERR : LOG_INFO);
	struct timespec ts;
	struct tm tm;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = snprintf(lk->sl.head, lk->sl.head_size,
		     "<%d>%s %2d %02d:%02d:%02d %s[%d]: ", pri,
		     months[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min,
		     tm.tm_sec, lk->cfg.tag, (int)lk->cfg.pid);
	return n > 0 ? (size_t)n : 0;
}

/*
 * Send the ready lines of in, one datagram per line (without its
 * newline), LK_BATCH to a system call.
 */
static int syslog_deliver(struct logkeep *lk, struct lk_input *in)
{
	struct mmsghdr msgs[LK_BATCH];
	struct iovec iov[LK_BATCH][2];
	size_t eaten[LK_BATCH], len, head, off, line;
	const char *p, *nl;
	int k, n;

	while (lk->sl.link == LK_UP && (len = in_ready(lk, in)) > 0) {
		p = in->buf + in->sent;
		head = syslog_head(lk, in->stream);
		for (k = 0, off = 0; k < LK_BATCH && off < len; k++) {
			nl = memchr(p + off, '\n', len - off);
			line = nl ? (size_t)(nl - (p + off)) : len - off;
			iov[k][0] = (struct iovec){ lk->sl.head, head };
			iov[k][1] = (struct iovec){ (char *)p + off, line };
			memset(&msgs[k], 0, sizeof(msgs[k]));
			msgs[k].msg_hdr.msg_iov = iov[k];
			msgs[k].msg_hdr.msg_iovlen = 2;
			off += line + (nl ? 1 : 0);
			eaten[k] = off;
		}
		if (syslog_queued(&lk->sl) == 0)
			syslog_mark(lk);
		n = sendmmsg(lk->sl.fd, msgs, (unsigned int)k, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			lk->sl.link = LK_BLOCKED;
			return 0;
		}
		if (n < 0) {
			syslog_lost(lk, -errno);
			return 0;
		}
		syslog_confirm(lk);
		lk->sl.retry_ms = LK_RETRY_MIN_MS;
		recovered(lk, "syslog socket");
		in->sent += eaten[n - 1];
	}
	return 0;
}

static bool syslog_unconfirmed(const struct logkeep *lk)
{
	int i;

	for (i = 0; i < lk->n_in; i++)
		if (lk->in[i].sent > lk->in[i].start)
			return true;
	return false;
}

/*
 * Lines sent and not yet known to be taken, and nothing new to send that
 * would tell: look at our queue after a short while, and when it is
 * empty, send an empty datagram (syslog daemons ignore those): its
 * success says the peer that emptied the queue is still alive, and once
 * it is read in turn, the lines before it were taken in full.
 */
static void syslog_check(struct logkeep *lk)
{
	struct lk_syslog *sl = &lk->sl;
	ssize_t n;

	if (!syslog_unconfirmed(lk))
		return;
	if (syslog_queued(sl) != 0) {
		sl->check_ms = sl->check_ms * 2 > LK_CONFIRM_MAX_MS ?
			       LK_CONFIRM_MAX_MS : sl->check_ms * 2;
		timer_in(lk, sl->check_ms);
		return;
	}
	syslog_mark(lk);
	n = send(sl->fd, "", 0, MSG_DONTWAIT);
	if (n == 0) {
		syslog_confirm(lk);
		/* The last lines wait for the empty datagram to be read. */
		if (syslog_unconfirmed(lk)) {
			sl->check_ms = LK_CONFIRM_MIN_MS;
			timer_in(lk, sl->check_ms);
		}
		return;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		sl->link = LK_BLOCKED;
	else if (errno != EINTR)
		syslog_lost(lk, -errno);
}

static void syslog_timer(struct logkeep *lk)
{
	struct lk_syslog *sl = &lk->sl;

	int r;

	if (sl->link == LK_DOWN) {
		r = syslog_connect(lk);
		if (r == 0)
			return;
		timer_in(lk, sl->retry_ms);
		sl->retry_ms = sl->retry_ms * 2 > LK_RETRY_MAX_MS ?
			       LK_RETRY_MAX_MS : sl->retry_ms * 2;
		return;
	}
	if (sl->link == LK_UP)
		syslog_check(lk);
}

/* ------------------------------------------------------- the machinery */

static bool any_ready(const struct logkeep *lk)
{
	int i;

	for (i = 0; i < lk->n_in; i++)
		if (in_ready(lk, &lk->in[i]) ||
		    (lk->in[i].flush_to && lk->in[i].start >= lk->in[i].flush_to))
			return true;
	return false;
}

static void file_failed(struct logkeep *lk, int err)
{
	warn_once(lk, -err, "writing");
	timer_in(lk, LK_FILE_RETRY_MS);
}

/* Deliver what every input holds, as far as the sink takes it. */
static void deliver_all(struct logkeep *lk)
{
	int i, r = 0;

	if (lk->timer_at && lk->cfg.sink == LOGKEEP_FILE)
		return;		/* waiting out a write error */
	if (lk->cfg.sink == LOGKEEP_FILE) {
		if (!any_ready(lk) && lk->file.stage_len == 0)
			return;
		r = file_check_path(lk);
		for (i = 0; r == 0 && i < lk->n_in; i++) {
			r = file_deliver(lk, &lk->in[i]);
			in_settle(&lk->in[i]);
		}
		if (r)
			file_failed(lk, r);
		else
			recovered(lk, "writing");
		return;
	}
	for (i = 0; i < lk->n_in; i++) {
		syslog_deliver(lk, &lk->in[i]);
		in_settle(&lk->in[i]);
	}
	if (lk->sl.link == LK_UP && !lk->timer_at && syslog_unconfirmed(lk) &&
	    !any_ready(lk)) {
		lk->sl.check_ms = LK_CONFIRM_MIN_MS;
		timer_in(lk, lk->sl.check_ms);
	}
}

/* Read an input while it has data and room, delivering as it goes. */
static void pump(struct logkeep *lk, struct lk_input *in)
{
	int i, r;

	for (i = 0; i < LK_READS; i++) {
		r = in_read(in);
		if (r == -EAGAIN)
			break;
		deliver_all(lk);
		if (r == 0)
			break;
	}
}

static void run_timer(struct logkeep *lk)
{
	if (!lk->timer_at || util_now_ms() < lk->timer_at)
		return;
	lk->timer_at = 0;
	if (lk->cfg.sink == LOGKEEP_SYSLOG)
		syslog_timer(lk);
}

int logkeep_pollfds(const struct logkeep *lk, struct pollfd *pfd)
{
	int i;

	for (i = 0; i < LOGKEEP_POLLFDS; i++)
		pfd[i] = (struct pollfd){ .fd = -1 };
	for (i = 0; i < lk->n_in; i++) {
		if (in_wants_read(&lk->in[i])) {
			pfd[i].fd = lk->in[i].fd;
			pfd[i].events = POLLIN;
		}
	}
	if (lk->cfg.sink == LOGKEEP_SYSLOG && lk->sl.link == LK_BLOCKED) {
		pfd[LOGKEEP_INPUTS].fd = lk->sl.fd;
		pfd[LOGKEEP_INPUTS].events = POLLOUT;
	}
	return LOGKEEP_POLLFDS;
}

int logkeep_timeout(const struct logkeep *lk)
{
	long long left;

	if (!lk->timer_at)
		return -1;
	left = lk->timer_at - util_now_ms();
	if (left < 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}

int logkeep_dispatch(struct logkeep *lk, const struct pollfd *pfd, int n)
{
	int i;

	if (n > LOGKEEP_INPUTS && pfd[LOGKEEP_INPUTS].fd >= 0 &&
	    pfd[LOGKEEP_INPUTS].fd == lk->sl.fd &&
	    pfd[LOGKEEP_INPUTS].revents && lk->sl.link == LK_BLOCKED)
		lk->sl.link = LK_UP;	/* a send will tell what it was */
	run_timer(lk);
	deliver_all(lk);
	for (i = 0; i < lk->n_in && i < n; i++) {
		if (pfd[i].fd >= 0 && pfd[i].fd == lk->in[i].fd &&
		    pfd[i].revents)
			pump(lk, &lk->in[i]);
	}
	return 0;
}

bool logkeep_done(const struct logkeep *lk)
{
	const struct lk_input *in;
	int i;

	for (i = 0; i < lk->n_in; i++) {
		in = &lk->in[i];
		if (in->fd >= 0 || in->start != in->end || in->flush_to)
			return false;
	}
	return lk->cfg.sink != LOGKEEP_FILE || lk->file.stage_len == 0;
}

int logkeep_drain(struct logkeep *lk, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? 0 : util_now_ms() + timeout_ms;
	struct pollfd pfd[LOGKEEP_POLLFDS];
	int n, wait, left;

	while (!logkeep_done(lk)) {
		n = logkeep_pollfds(lk, pfd);
		wait = logkeep_timeout(lk);
		if (deadline) {
			left = (int)(deadline - util_now_ms());
			if (left <= 0)
				return -ETIMEDOUT;
			if (wait < 0 || wait > left)
				wait = left;
		}
		if (poll(pfd, (nfds_t)n, wait) < 0 && errno != EINTR)
			return -errno;
		logkeep_dispatch(lk, pfd, n);
	}
	return 0;
}

void logkeep_end_run(struct logkeep *lk)
{
	struct lk_input *in;
	int i, q;

	for (i = 0; i < lk->n_in; i++) {
		in = &lk->in[i];
		pump(lk, in);
		/* With the buffer full, the last of the run's output may
		 * still be in the pipe: its end is there, not at ours. */
		if (in->fd < 0 || ioctl(in->fd, FIONREAD, &q) < 0)
			q = 0;
		if (q > 0)
			in->flush_to = in->end + (size_t)q;
		else if (in->end > in_from(lk, in))
			in->flush_to = in->end;
	}
	deliver_all(lk);
}

void logkeep_set_pid(struct logkeep *lk, pid_t pid)
{
	lk->cfg.pid = pid;
}

/* ---------------------------------------------------------- lifecycle */

void logkeep_config_init(struct logkeep_config *c)
{
	memset(c, 0, sizeof(*c));
	c->sink = LOGKEEP_FILE;
	c->keep = LOGKEEP_KEEP_DEFAULT;
	c->facility = LOG_DAEMON;
}

static int config_check(const struct logkeep_config *c)
{
	if (c->sink == LOGKEEP_FILE)
		return c->path && *c->path && c->keep <= LOGKEEP_KEEP_MAX &&
		       c->max_size <= LK_SIZE_MAX ? 0 : -EINVAL;
	if (c->sink != LOGKEEP_SYSLOG || !c->tag ||
	    !logkeep_facility_name(c->facility))
		return -EINVAL;
	return 0;
}

static int copy_str(const char **dst, const char *src)
{
	char *s;

	if (!src)
		return 0;
	s = strdup(src);
	if (!s)
		return -ENOMEM;
	*dst = s;
	return 0;
}

static int setup_file(struct logkeep *lk)
{
	struct lk_file *f = &lk->file;
	size_t n = strlen(lk->cfg.path) + 16;

	f->name_a = malloc(n);
	f->name_b = malloc(n);
	if (!f->name_a || !f->name_b)
		return -ENOMEM;
	if (lk->cfg.timestamps && !(f->stage = malloc(LK_STAGE)))
		return -ENOMEM;
	return file_open(lk);
}

static int setup_syslog(struct logkeep *lk)
{
	struct lk_syslog *sl = &lk->sl;
	const char *path = lk->cfg.socket_path;
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(sl->addr.sun_path))
		return -EINVAL;
	sl->addr.sun_family = AF_UNIX;
	memcpy(sl->addr.sun_path, path, len + 1);
	sl->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				   len + 1);
	sl->head_size = strlen(lk->cfg.tag) + LK_HEAD_FIXED;
	sl->head = malloc(sl->head_size);
	if (!sl->head)
		return -ENOMEM;
	sl->retry_ms = LK_RETRY_MIN_MS;
	return syslog_connect(lk);
}

int logkeep_new(struct logkeep **out, const struct logkeep_config *c)
{
	struct logkeep *lk;
	int r;

	if (!out || !c || config_check(c) < 0)
		return -EINVAL;
	lk = calloc(1, sizeof(*lk));
	if (!lk)
		return -ENOMEM;
	lk->cfg = *c;
	lk->cfg.path = lk->cfg.socket_path = lk->cfg.tag = NULL;
	lk->file.fd = lk->sl.fd = -1;
	if ((r = copy_str(&lk->cfg.path, c->path)) ||
	    (r = copy_str(&lk->cfg.socket_path,
			  c->socket_path ? c->socket_path :
			  LOGKEEP_SYSLOG_PATH)) ||
	    (r = copy_str(&lk->cfg.tag, c->tag)))
		goto fail;
	r = c->sink == LOGKEEP_FILE ? setup_file(lk) : setup_syslog(lk);
	if (r)
		goto fail;
	*out = lk;
	return 0;
fail:
	logkeep_free(lk);
	return r;
}

int logkeep_add_input(struct logkeep *lk, int fd, enum logkeep_stream s)
{
	struct lk_input *in;
	int fl;

	if (!lk || fd < 0 || (s != LOGKEEP_STDOUT && s != LOGKEEP_STDERR))
		return -EINVAL;
	if (lk->n_in == LOGKEEP_INPUTS)
		return -ENOSPC;
	in = &lk->in[lk->n_in];
	memset(in, 0, sizeof(*in));
	in->buf = malloc(LK_BUF);
	if (!in->buf)
		return -ENOMEM;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		free(in->buf);
		in->buf = NULL;
		return -errno;
	}
	in->fd = fd;
	in->stream = s;
	lk->n_in++;
	return 0;
}

struct logkeep *logkeep_free(struct logkeep *lk)
{
	int i;

	if (!lk)
		return NULL;
	for (i = 0; i < lk->n_in; i++) {
		in_close(&lk->in[i]);
		free(lk->in[i].buf);
	}
	if (lk->file.fd >= 0)
		close(lk->file.fd);
	if (lk->sl.fd >= 0)
		close(lk->sl.fd);
	free(lk->file.stage);
	free(lk->file.name_a);
	free(lk->file.name_b);
	free(lk->sl.head);
	free((char *)lk->cfg.path);
	free((char *)lk->cfg.socket_path);
	free((char *)lk->cfg.tag);
	free(lk);
	return NULL;
}
