/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Signal names and numbers, and start-stop-daemon's --retry schedule
 * grammar ("TERM/30/KILL/5", "-HUP/5/forever/KILL/5", or a bare "5").
 *
 * Both parsers are strict: a schedule or signal that is not exactly what
 * the grammar allows is refused as a whole, so that a typo can never turn
 * into a different signal or a different wait than the user meant.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemonctl.h"
#include "schedule.h"
#include "util.h"

/*
 * Names are held in place, not pointed to: a table of pointers needs a
 * relocation each, and the relocated tables share the few pages that
 * every process of ours, a resident supervisor too, keeps dirty.
 */
struct sig_name {
	int sig;
	char name[8];
};

/* The first entry for a number is the name we print; POLL is an alias. */
static const struct sig_name sig_names[] = {
	{ SIGHUP, "HUP" },	{ SIGINT, "INT" },	{ SIGQUIT, "QUIT" },
	{ SIGILL, "ILL" },	{ SIGTRAP, "TRAP" },	{ SIGABRT, "ABRT" },
	{ SIGBUS, "BUS" },	{ SIGFPE, "FPE" },	{ SIGKILL, "KILL" },
	{ SIGUSR1, "USR1" },	{ SIGSEGV, "SEGV" },	{ SIGUSR2, "USR2" },
	{ SIGPIPE, "PIPE" },	{ SIGALRM, "ALRM" },	{ SIGTERM, "TERM" },
#ifdef SIGSTKFLT
	{ SIGSTKFLT, "STKFLT" },
#endif
	{ SIGCHLD, "CHLD" },	{ SIGCONT, "CONT" },	{ SIGSTOP, "STOP" },
	{ SIGTSTP, "TSTP" },	{ SIGTTIN, "TTIN" },	{ SIGTTOU, "TTOU" },
	{ SIGURG, "URG" },	{ SIGXCPU, "XCPU" },	{ SIGXFSZ, "XFSZ" },
	{ SIGVTALRM, "VTALRM" }, { SIGPROF, "PROF" },	{ SIGWINCH, "WINCH" },
	{ SIGIO, "IO" },	{ SIGPOLL, "POLL" },
#ifdef SIGPWR
	{ SIGPWR, "PWR" },
#endif
	{ SIGSYS, "SYS" },
};

/*
 * Real-time signals are named as bash and procps name them: the lower
 * half from RTMIN up, the upper half from RTMAX down. Constant strings,
 * so that dctl_signal_name() needs no buffer and no state; in place, as
 * above.
 */
static const char rtmin_names[][sizeof("RTMIN+16")] = {
	"RTMIN", "RTMIN+1", "RTMIN+2", "RTMIN+3", "RTMIN+4", "RTMIN+5",
	"RTMIN+6", "RTMIN+7", "RTMIN+8", "RTMIN+9", "RTMIN+10", "RTMIN+11",
	"RTMIN+12", "RTMIN+13", "RTMIN+14", "RTMIN+15", "RTMIN+16",
};

static const char rtmax_names[][sizeof("RTMAX-16")] = {
	"RTMAX", "RTMAX-1", "RTMAX-2", "RTMAX-3", "RTMAX-4", "RTMAX-5",
	"RTMAX-6", "RTMAX-7", "RTMAX-8", "RTMAX-9", "RTMAX-10", "RTMAX-11",
	"RTMAX-12", "RTMAX-13", "RTMAX-14", "RTMAX-15", "RTMAX-16",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * 1..31 and SIGRTMIN..SIGRTMAX. The kernel's signals between 31 and
 * SIGRTMIN (32, 33 with glibc) are reserved for the C library's threads
 * implementation: sending one to a daemon would only break it.
 */
static bool signal_valid(int sig)
{
	if (sig >= 1 && sig < 32)
		return true;
	return sig >= SIGRTMIN && sig <= SIGRTMAX;
}

/* A signal number or RT offset: digits, no sign, no leading zero. */
static int parse_small(const char *s, long long *out)
{
	return util_parse_num(s, strlen(s), 0, 1000, NULL,
			      UTIL_NUM_NO_LEADING_ZERO, out);
}

/* "RTMIN", "RTMIN+n", "RTMAX", "RTMAX-n" (case already folded by caller). */
static int parse_rt(const char *s, int *sig)
{
	long long n = 0;
	int base, dir, v;

	if (strncasecmp(s, "RTMIN", 5) == 0) {
		base = SIGRTMIN;
		dir = 1;
	} else if (strncasecmp(s, "RTMAX", 5) == 0) {
		base = SIGRTMAX;
		dir = -1;
	} else {
		return -EINVAL;
	}
	s += 5;
	if (*s) {
		if (*s != (dir > 0 ? '+' : '-'))
			return -EINVAL;
		s++;
		if (parse_small(s, &n) < 0 || n == 0)
			return -EINVAL;
	}
	v = base + dir * (int)n;
	if (v < SIGRTMIN || v > SIGRTMAX)
		return -EINVAL;
	*sig = v;
	return 0;
}

static int parse_name(const char *s, int *sig)
{
	size_t i;

	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	if (!*s)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(sig_names); i++) {
		if (strcasecmp(s, sig_names[i].name) == 0) {
			*sig = sig_names[i].sig;
			return 0;
		}
	}
	return parse_rt(s, sig);
}

int dctl_signal_parse(const char *text, int *sig)
{
	long long v;

	if (!text || !sig || !*text)
		return -EINVAL;
	if (text[0] >= '0' && text[0] <= '9') {
		if (parse_small(text, &v) < 0 ||
		    !signal_valid((int)v))
			return -EINVAL;
		*sig = (int)v;
		return 0;
	}
	return parse_name(text, sig);
}

const char *dctl_signal_name(int sig)
{
	int lower, upper;
	size_t i;

	if (!signal_valid(sig))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(sig_names); i++)
		if (sig_names[i].sig == sig)
			return sig_names[i].name;
	if (sig < SIGRTMIN)
		return NULL;
	/* The lower half counts up from RTMIN, the rest down from RTMAX. */
	lower = sig - SIGRTMIN;
	upper = SIGRTMAX - sig;
	if (lower <= (SIGRTMAX - SIGRTMIN) / 2)
		return (size_t)lower < ARRAY_SIZE(rtmin_names) ?
			rtmin_names[lower] : NULL;
	return (size_t)upper < ARRAY_SIZE(rtmax_names) ?
		rtmax_names[upper] : NULL;
}

/* --------------------------------------------------------- schedules */

/* The longest item worth looking at: "SIGRTMIN+16", "2147483647". */
#define ITEM_MAX 24

static void push(struct dctl_schedule *s, enum dctl_step_kind kind,
		 int value)
{
	s->step[s->n].kind = kind;
	s->step[s->n].value = value;
	s->n++;
}

/* Leading zeros are harmless here ("030" is 30 s, as for s-s-d). */
static int parse_timeout(const char *item, size_t len, int *secs)
{
	long long v;
	int r;

	r = util_parse_num(item, len, 0, INT_MAX, NULL, 0, &v);
	if (r < 0)
		return r;
	*secs = (int)v;
	return 0;
}

/*
 * One item between slashes: a timeout (digits), "forever", a signal name
 * with or without a leading '-', or '-' and a signal number, as
 * start-stop-daemon allows (a timeout is never negative, so "-9" can only
 * be SIGKILL).
 */
static int parse_item(const char *item, size_t len,
		      struct schedule_step *st)
{
	char buf[ITEM_MAX + 1];
	const char *name;
	int r;

	if (len == 0)
		return -EINVAL;
	if (item[0] >= '0' && item[0] <= '9') {
		st->kind = DCTL_STEP_TIMEOUT;
		return parse_timeout(item, len, &st->value);
	}
	if (len > ITEM_MAX)
		return -EINVAL;
	memcpy(buf, item, len);
	buf[len] = '\0';
	if (strcmp(buf, "forever") == 0) {
		st->kind = DCTL_STEP_FOREVER;
		st->value = 0;
		return 0;
	}
	name = buf[0] == '-' ? buf + 1 : buf;
	if (!*name)
		return -EINVAL;
	if (*name >= '0' && *name <= '9')
		r = dctl_signal_parse(name, &st->value);
	else
		r = parse_name(name, &st->value);
	if (r < 0)
		return r;
	st->kind = DCTL_STEP_SIGNAL;
	return 0;
}

/*
 * The structure rules: "forever" at most once and not last, and what it
 * repeats must wait somewhere, more than 0 s (else it would spin sending
 * signals as fast as it can).
 */
static int check_structure(const struct dctl_schedule *s)
{
	size_t i, forever = s->n;
	bool waits = false;

	for (i = 0; i < s->n; i++) {
		if (s->step[i].kind != DCTL_STEP_FOREVER)
			continue;
		if (forever != s->n)
			return -EINVAL;
		forever = i;
	}
	if (forever == s->n)
		return 0;
	for (i = forever + 1; i < s->n; i++)
		if (s->step[i].kind == DCTL_STEP_TIMEOUT && s->step[i].value > 0)
			waits = true;
	return waits ? 0 : -EINVAL;
}

/* A bare timeout N: SIG/N/KILL/N. */
static int parse_bare(const char *text, int sig, struct dctl_schedule *s)
{
	struct schedule_step st;
	int r;

	r = parse_item(text, strlen(text), &st);
	if (r < 0)
		return r;
	if (st.kind != DCTL_STEP_TIMEOUT)
		return -EINVAL;
	s->n = 0;
	push(s, DCTL_STEP_SIGNAL, sig);
	push(s, DCTL_STEP_TIMEOUT, st.value);
	push(s, DCTL_STEP_SIGNAL, SIGKILL);
	push(s, DCTL_STEP_TIMEOUT, st.value);
	return 0;
}

/* Parse into s; on failure s may hold a part of the text. */
static int schedule_parse(const char *text, int sig, struct dctl_schedule *s)
{
	const char *p, *slash;
	int r;

	s->n = 0;
	if (!strchr(text, '/'))
		return parse_bare(text, sig, s);
	for (p = text;; p = slash + 1) {
		slash = strchr(p, '/');
		if (!slash)
			slash = p + strlen(p);
		if (s->n == SCHEDULE_MAX)
			return -ERANGE;
		r = parse_item(p, (size_t)(slash - p), &s->step[s->n]);
		if (r < 0)
			return r;
		s->n++;
		if (!*slash)
			break;
	}
	return check_structure(s);
}

int dctl_schedule_parse(const char *text, int sig, struct dctl_schedule **out)
{
	struct dctl_schedule *s;
	int r;

	if (!text || !out || !*text)
		return -EINVAL;
	if (sig == 0)
		sig = SIGTERM;
	if (!signal_valid(sig))
		return -EINVAL;
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	r = schedule_parse(text, sig, s);
	if (r < 0) {
		free(s);
		return r;
	}
	*out = s;
	return 0;
}

void schedule_default(struct dctl_schedule *s, int sig)
{
	if (sig == 0)
		sig = SIGTERM;
	s->n = 0;
	push(s, DCTL_STEP_SIGNAL, sig);
	push(s, DCTL_STEP_TIMEOUT, 30);
	push(s, DCTL_STEP_SIGNAL, SIGKILL);
	push(s, DCTL_STEP_TIMEOUT, 5);
}

int dctl_schedule_default(int sig, struct dctl_schedule **out)
{
	struct dctl_schedule *s;

	if (!out || (sig != 0 && !signal_valid(sig)))
		return -EINVAL;
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	schedule_default(s, sig);
	*out = s;
	return 0;
}

void dctl_schedule_free(struct dctl_schedule *s)
{
	free(s);
}

size_t dctl_schedule_get_count(const struct dctl_schedule *s)
{
	return s ? s->n : 0;
}

int dctl_schedule_get_step(const struct dctl_schedule *s, size_t i,
			   enum dctl_step_kind *kind, int *value)
{
	if (!s || i >= s->n)
		return -EINVAL;
	if (kind)
		*kind = s->step[i].kind;
	if (value)
		*value = s->step[i].value;
	return 0;
}

/* One step's text, with sep before it: like snprintf. */
static int format_step(const struct schedule_step *st, const char *sep,
		       char *at, size_t room)
{
	const char *name;

	switch (st->kind) {
	case DCTL_STEP_SIGNAL:
		name = dctl_signal_name(st->value);
		if (!name)
			return -EINVAL;
		return snprintf(at, room, "%s%s", sep, name);
	case DCTL_STEP_TIMEOUT:
		if (st->value < 0)
			return -EINVAL;
		return snprintf(at, room, "%s%d", sep, st->value);
	case DCTL_STEP_FOREVER:
		return snprintf(at, room, "%sforever", sep);
	}
	return -EINVAL;
}

int dctl_schedule_format(const struct dctl_schedule *s, char *buf,
			 size_t size)
{
	size_t i, off = 0;
	int n;

	if (!s || s->n > SCHEDULE_MAX || (!buf && size))
		return -EINVAL;
	if (size)
		buf[0] = '\0';
	for (i = 0; i < s->n; i++) {
		n = format_step(&s->step[i], i ? "/" : "",
				off < size ? buf + off : NULL,
				off < size ? size - off : 0);
		if (n < 0)
			return n == -EINVAL ? n : -EIO;
		off += (size_t)n;
	}
	return off > INT_MAX ? -EOVERFLOW : (int)off;
}
