/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * format: a probed status record as one line for people or one JSON object
 * for scripts (daemon-status(1)). Everything is written through a
 * bounded buffer that keeps counting past its end, so both public calls
 * behave like snprintf and a caller can size its buffer in a second call.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemonctl.h"
#include "format.h"
#include "status.h"
#include "util.h"

void format_buf_init(struct format_buf *b, char *buf, size_t size)
{
	b->buf = size ? buf : NULL;
	b->size = buf ? size : 0;
	b->len = 0;
}

void format_putc(struct format_buf *b, char c)
{
	if (b->len + 1 < b->size)
		b->buf[b->len] = c;
	b->len++;
}

void format_putn(struct format_buf *b, const char *s, size_t n)
{
	size_t room = 0;

	if (b->len + 1 < b->size)
		room = b->size - 1 - b->len;
	if (room)
		memcpy(b->buf + b->len, s, n < room ? n : room);
	b->len += n;
}

void format_puts(struct format_buf *b, const char *s)
{
	format_putn(b, s, strlen(s));
}

void format_printf(struct format_buf *b, const char *fmt, ...)
{
	char *dst = NULL;
	size_t room = 0;
	va_list ap;
	int n;

	if (b->len < b->size) {
		dst = b->buf + b->len;
		room = b->size - b->len;
	}
	va_start(ap, fmt);
	n = vsnprintf(dst, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

int format_buf_finish(struct format_buf *b)
{
	if (b->size)
		b->buf[b->len < b->size ? b->len : b->size - 1] = '\0';
	if (b->len > INT_MAX)
		return -EOVERFLOW;
	return (int)b->len;
}

size_t format_utf8_len(const unsigned char *s, size_t n)
{
	unsigned long cp, min;
	size_t need, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2)	/* continuation byte, or C0/C1: overlong */
		return 0;
	if (s[0] < 0xe0) {
		need = 1;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] < 0xf0) {
		need = 2;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] < 0xf5) {
		need = 3;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;	/* would encode beyond U+10FFFF */
	}
	if (n <= need)
		return 0;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need + 1;
}

/* The escape for a byte below 0x20, DEL, '"' or '\\', or NULL if none. */
static const char *format_json_short(unsigned char c)
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	default:
		return NULL;
	}
}

void format_json_string(struct format_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *esc;
	size_t i = 0, k;

	format_putc(b, '"');
	while (i < n) {
		esc = format_json_short(p[i]);
		if (esc) {
			format_puts(b, esc);
			i++;
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			format_printf(b, "\\u%04x", p[i]);
			i++;
		} else if ((k = format_utf8_len(p + i, n - i)) > 0) {
			format_putn(b, s + i, k);
			i += k;
		} else {
			/* One byte at a time: each maps back to itself. */
			format_printf(b, "\\udc%02x", p[i]);
			i++;
		}
	}
	format_putc(b, '"');
}

int format_json_escape(const char *s, size_t n, char *buf, size_t size)
{
	struct format_buf b;

	if (!s && n)
		return -EINVAL;
	format_buf_init(&b, buf, size);
	format_json_string(&b, s ? s : "", n);
	return format_buf_finish(&b);
}

void format_visible(struct format_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; p[i]; i++) {
		if (p[i] == '\n')
			format_puts(b, "\\n");
		else if (p[i] == '\t')
			format_puts(b, "\\t");
		else if (p[i] == '\r')
			format_puts(b, "\\r");
		else if (p[i] == '\\')
			format_puts(b, "\\\\");
		else if (p[i] < 0x20 || p[i] == 0x7f)
			format_printf(b, "\\x%02x", p[i]);
		else
			format_putc(b, (char)p[i]);
	}
}

void format_uptime(struct format_buf *b, long long secs)
{
	static const struct {
		long long size;
		char unit;
	} u[] = { { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' } };
	size_t i;
	long long lo;

	if (secs < 0)
		secs = 0;
	/* The largest unit that is not zero, then the next one down. */
	for (i = 0; i + 1 < sizeof(u) / sizeof(u[0]); i++)
		if (secs >= u[i].size)
			break;
	format_printf(b, "%lld%c", secs / u[i].size, u[i].unit);
	if (i + 1 == sizeof(u) / sizeof(u[0]))
		return;
	lo = secs % u[i].size / u[i + 1].size;
	if (lo)
		format_printf(b, " %lld%c", lo, u[i + 1].unit);
}

int format_iso8601(int64_t secs, char *buf, size_t size)
{
	time_t t = (time_t)secs;
	struct tm tm;

	if ((int64_t)t != secs || !gmtime_r(&t, &tm))
		return -EOVERFLOW;
	if (strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -EOVERFLOW;
	return 0;
}

void format_user(uid_t uid, char *buf, size_t size)
{
	struct passwd pw, *res = NULL;
	char tmp[4096];

	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res &&
	    res->pw_name && *res->pw_name &&
	    strlen(res->pw_name) < size) {
		strcpy(buf, res->pw_name);
		return;
	}
	snprintf(buf, size, "%lu", (unsigned long)uid);
}

const char *format_reason(const struct dctl_status *st, char *buf,
			  size_t size)
{
	char tmp[UTIL_STRERROR_MAX];

	if (st->reason)
		return st->reason;
	/* The probe normally says why; these cover a record without it. */
	if (st->state == DCTL_STATE_DEAD) {
		if (st->zombie)
			snprintf(buf, size, "process %d is a zombie",
				 (int)st->pid);
		else
			snprintf(buf, size, "no lock held and no live process started before the pidfile was written");
		return buf;
	}
	switch (st->error) {
	case -EBADMSG:
		snprintf(buf, size, "malformed pidfile: %s",
			 dctl_pid_fault_str(st->fault));
		break;
	case -ELOOP:
		snprintf(buf, size, "pidfile is a symbolic link");
		break;
	case -EISDIR:
		snprintf(buf, size, "pidfile is a directory");
		break;
	case -ENXIO:
		snprintf(buf, size, "pidfile is not a regular file");
		break;
	case 0:
		snprintf(buf, size, "%s", st->trusted ? "cannot tell" :
			 "pidfile not trusted");
		break;
	default:
		snprintf(buf, size, "%s",
			 util_strerror(st->error, tmp, sizeof(tmp)));
		break;
	}
	return buf;
}

/* One of the four states (a record from memory may hold anything). */
static bool format_state_ok(enum dctl_state state)
{
	switch (state) {
	case DCTL_STATE_RUNNING:
	case DCTL_STATE_DEAD:
	case DCTL_STATE_NOT_RUNNING:
	case DCTL_STATE_UNKNOWN:
	case DCTL_STATE_RESTARTING:
		return true;
	}
	return false;
}

/* " [pidfile X; lock held; ...]": what -v adds. */
static void format_details(struct format_buf *b, const struct dctl_status *st,
			   const char *pidfile)
{
	const char *sep = " [";
	char text[FORMAT_TEXT_MAX];

	if (pidfile) {
		format_puts(b, sep);
		format_puts(b, "pidfile ");
		format_visible(b, pidfile);
		sep = "; ";
	}
	format_puts(b, sep);
	sep = "; ";
	switch (st->state) {
	case DCTL_STATE_RUNNING:
		if (st->lock_unread)
			format_puts(b, "lock not read: the process is older than its pidfile");
		else
			format_puts(b, st->locked ? "lock held" :
				    "no lock held: pidfile written by the daemon itself, or the daemon closed its lock");
		if (!st->trusted)
			format_puts(b, "; pidfile not trusted: another user could have written it");
		if (st->exe) {
			format_puts(b, "; exe ");
			format_visible(b, st->exe);
		}
		if (st->uid != (uid_t)-1) {
			format_user(st->uid, text, sizeof(text));
			format_puts(b, "; user ");
			format_visible(b, text);
		}
		if (st->instance[0]) {
			format_puts(b, "; instance ");
			format_visible(b, st->instance);
		}
		break;
	case DCTL_STATE_DEAD:
		format_visible(b, format_reason(st, text, sizeof(text)));
		break;
	case DCTL_STATE_NOT_RUNNING:
		format_puts(b, "no pidfile");
		break;
	case DCTL_STATE_UNKNOWN:
		format_puts(b, st->locked ? "lock held" : "no lock held");
		break;
	case DCTL_STATE_RESTARTING:
		format_printf(b, "supervisor %d holds the lock",
			      (int)st->supervisor);
		break;
	}
	if (st->supervisor > 0 && st->state == DCTL_STATE_RUNNING)
		format_printf(b, "; supervisor %d", (int)st->supervisor);
	format_putc(b, ']');
}

static void format_restarts(struct format_buf *b, unsigned n)
{
	format_printf(b, "%u restart%s", n, n == 1 ? "" : "s");
}

/* ", 3 restarts" of a supervised daemon, and whether it still is one. */
static void format_supervision(struct format_buf *b,
			       const struct dctl_status *st)
{
	if (!st->supervised)
		return;
	if (!st->supervisor) {
		format_puts(b, ", ");
		format_visible(b, st->reason ? st->reason : "unsupervised");
	}
	if (st->restarts) {
		format_puts(b, ", ");
		format_restarts(b, st->restarts);
	}
}

/* "restarting (last: exit 1, next try in 0.4s, 3 restarts)" */
static void format_restarting(struct format_buf *b,
			      const struct dctl_status *st)
{
	long long ms = st->next_try_ns > 0 ? st->next_try_ns / 1000000 : 0;

	if (st->reason) {
		format_puts(b, "restarting (");
		format_visible(b, st->reason);
		format_putc(b, ')');
		return;
	}
	format_puts(b, "restarting (last: ");
	format_visible(b, st->last_exit[0] ? st->last_exit : "none");
	if (ms < 10000)
		format_printf(b, ", next try in %lld.%llds, ", ms / 1000,
			      ms % 1000 / 100);
	else
		format_printf(b, ", next try in %llds, ", (ms + 500) / 1000);
	format_restarts(b, st->restarts);
	format_putc(b, ')');
}

int format_status_line(const struct dctl_status *st, const char *name,
		       const char *pidfile, bool verbose, int64_t now,
		       char *buf, size_t size)
{
	struct format_buf b;
	char reason[FORMAT_TEXT_MAX];

	if (!st || (!name && !pidfile) || (!buf && size) ||
	    !format_state_ok(st->state))
		return -EINVAL;
	format_buf_init(&b, buf, size);
	format_visible(&b, name ? name : pidfile);
	format_puts(&b, ": ");
	switch (st->state) {
	case DCTL_STATE_RUNNING:
		format_printf(&b, "running (pid %d", (int)st->pid);
		/* A process /proc hides: the lock says it runs, no more. */
		if (st->hidden)
			format_puts(&b, ", details unknown: permission denied");
		if (st->started > 0) {
			format_puts(&b, ", up ");
			format_uptime(&b, (long long)now - st->started);
		}
		format_supervision(&b, st);
		format_putc(&b, ')');
		break;
	case DCTL_STATE_RESTARTING:
		format_restarting(&b, st);
		break;
	case DCTL_STATE_DEAD:
		if (st->failed) {
			format_puts(&b, "failed (");
			format_visible(&b, format_reason(st, reason,
							 sizeof(reason)));
			format_putc(&b, ')');
			break;
		}
		format_puts(&b, "dead, pidfile exists");
		if (st->pid > 0)
			format_printf(&b, " (pid %d)", (int)st->pid);
		break;
	case DCTL_STATE_NOT_RUNNING:
		format_puts(&b, "not running");
		break;
	case DCTL_STATE_UNKNOWN:
		format_puts(&b, "unknown (");
		format_visible(&b, format_reason(st, reason, sizeof(reason)));
		format_putc(&b, ')');
		break;
	}
	if (verbose)
		format_details(&b, st, pidfile);
	return format_buf_finish(&b);
}

int dctl_status_format(const struct dctl_status *st, const char *name,
		       const char *pidfile, bool verbose, char *buf,
		       size_t size)
{
	return format_status_line(st, name, pidfile, verbose,
				  (int64_t)time(NULL), buf, size);
}

static void format_json_key(struct format_buf *b, const char *key)
{
	format_putc(b, ',');
	format_json_string(b, key, strlen(key));
	format_putc(b, ':');
}

/* A C string as JSON, or null if NULL or empty. */
static void format_json_text(struct format_buf *b, const char *s)
{
	if (!s || !*s) {
		format_puts(b, "null");
		return;
	}
	format_json_string(b, s, strlen(s));
}

/*
 * Which records carry a reason in JSON: unknown ones, and those whose
 * supervision has something to say (restarting, failed, unsupervised).
 */
static bool json_says_why(const struct dctl_status *st)
{
	if (st->state == DCTL_STATE_UNKNOWN || st->state == DCTL_STATE_DEAD)
		return true;
	if (st->state == DCTL_STATE_RESTARTING)
		return true;
	return st->supervised && st->reason;
}

int dctl_status_json(const struct dctl_status *st, const char *name,
		     const char *pidfile, int64_t now, char *buf, size_t size)
{
	/* started, uptime, instance, exe and user describe a live daemon. */
	bool run = st && st->state == DCTL_STATE_RUNNING;
	struct format_buf b;
	char text[FORMAT_TEXT_MAX];

	if (!st || (!buf && size) || !format_state_ok(st->state))
		return -EINVAL;
	if (!now)
		now = (int64_t)time(NULL);
	format_buf_init(&b, buf, size);
	format_puts(&b, "{\"name\":");
	format_json_text(&b, name);
	format_json_key(&b, "pidfile");
	format_json_text(&b, pidfile);
	format_json_key(&b, "pid");
	if (st->pid > 0)
		format_printf(&b, "%d", (int)st->pid);
	else
		format_puts(&b, "null");
	format_json_key(&b, "state");
	format_json_text(&b, dctl_state_str(st->state));
	format_json_key(&b, "locked");
	format_puts(&b, st->lock_unread ? "null" :
		    st->locked ? "true" : "false");
	format_json_key(&b, "started");
	if (run && st->started > 0 &&
	    format_iso8601(st->started, text, sizeof(text)) == 0)
		format_json_text(&b, text);
	else
		format_puts(&b, "null");
	format_json_key(&b, "uptime");
	if (run && st->started > 0)
		format_printf(&b, "%lld", now > st->started ?
			      (long long)now - st->started : 0LL);
	else
		format_puts(&b, "null");
	format_json_key(&b, "instance");
	format_json_text(&b, run ? st->instance : NULL);
	format_json_key(&b, "exe");
	format_json_text(&b, run ? st->exe : NULL);
	format_json_key(&b, "user");
	text[0] = '\0';
	if (run && st->uid != (uid_t)-1)
		format_user(st->uid, text, sizeof(text));
	format_json_text(&b, text);
	format_json_key(&b, "reason");
	format_json_text(&b, json_says_why(st) ?
			 format_reason(st, text, sizeof(text)) : NULL);
	format_json_key(&b, "supervisor");
	if (st->supervisor > 0)
		format_printf(&b, "%d", (int)st->supervisor);
	else
		format_puts(&b, "null");
	format_json_key(&b, "restarts");
	format_printf(&b, "%u", st->restarts);
	format_json_key(&b, "last_exit");
	format_json_text(&b, st->last_exit);
	format_putc(&b, '}');
	return format_buf_finish(&b);
}
