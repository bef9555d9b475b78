/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * When a supervised program is started again: the respawn policy, the
 * stable-run rule, the doubling delay and the give-up window. Pure
 * arithmetic on times handed in, so that every rule is testable without
 * waiting for a clock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervise.h"
#include "util.h"

void backoff_cfg_init(struct backoff_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->policy = SV_RESPAWN_ALWAYS;
	c->stable_ns = SV_STABLE_DEFAULT_NS;
	c->delay_ns = SV_DELAY_DEFAULT_NS;
	c->delay_max_ns = SV_DELAY_MAX_DEFAULT_NS;
}

int backoff_cfg_check(const struct backoff_cfg *c)
{
	if (!c)
		return -EINVAL;
	if (c->policy != SV_RESPAWN_ALWAYS &&
	    c->policy != SV_RESPAWN_ON_FAILURE)
		return -EINVAL;
	if (c->stable_ns < 0 || c->delay_ns < 0 || c->delay_max_ns < 0)
		return -EINVAL;
	if (c->delay_max_ns < c->delay_ns)
		return -EINVAL;
	if (c->limit_n > SV_LIMIT_MAX)
		return -EINVAL;
	if (c->limit_n > 0 && c->limit_window_ns <= 0)
		return -EINVAL;
	return 0;
}

int backoff_parse_policy(const char *text, enum sv_respawn *policy)
{
	if (!policy)
		return -EINVAL;
	if (!text || strcmp(text, "always") == 0)
		*policy = SV_RESPAWN_ALWAYS;
	else if (strcmp(text, "on-failure") == 0)
		*policy = SV_RESPAWN_ON_FAILURE;
	else
		return -EINVAL;
	return 0;
}

int backoff_parse_limit(const char *text, unsigned *n, int64_t *window_ns)
{
	const char *slash;
	long long v;
	int64_t w;
	int r;

	if (!text || !n || !window_ns)
		return -EINVAL;
	slash = strchr(text, '/');
	if (!slash)
		return -EINVAL;
	r = util_parse_num(text, (size_t)(slash - text), 0, SV_LIMIT_MAX, NULL,
			   UTIL_NUM_NO_LEADING_ZERO, &v);
	if (r < 0)
		return r;
	/* "0/60" is no limit at all: malformed rather than out of range. */
	if (v == 0)
		return -EINVAL;
	r = util_parse_seconds(slash + 1, &w);
	if (r < 0)
		return r;
	if (w == 0)
		return -EINVAL;
	*n = (unsigned)v;
	*window_ns = w;
	return 0;
}

void sv_exit_from_siginfo(struct sv_exit *e, const siginfo_t *si)
{
	if (si->si_code == CLD_EXITED) {
		e->kind = SV_EXIT_CODE;
		e->value = si->si_status;
	} else {
		e->kind = SV_EXIT_SIGNAL;
		e->value = si->si_status;
	}
}

bool sv_exit_failed(const struct sv_exit *e)
{
	return !(e->kind == SV_EXIT_CODE && e->value == 0);
}

int sv_exit_format(const struct sv_exit *e, char *buf, size_t size)
{
	char ebuf[128];
	const char *name;

	switch (e->kind) {
	case SV_EXIT_CODE:
		return snprintf(buf, size, "exit %d", e->value);
	case SV_EXIT_SIGNAL:
		name = dctl_signal_name(e->value);
		if (name)
			return snprintf(buf, size, "signal %s", name);
		return snprintf(buf, size, "signal %d", e->value);
	case SV_EXIT_LAUNCH:
		return snprintf(buf, size, "start failed: %s",
				util_strerror(e->value, ebuf, sizeof(ebuf)));
	case SV_EXIT_NONE:
		break;
	}
	return snprintf(buf, size, "none");
}

int backoff_init(struct backoff *b, const struct backoff_cfg *cfg)
{
	int r;

	memset(b, 0, sizeof(*b));
	r = backoff_cfg_check(cfg);
	if (r < 0)
		return r;
	b->cfg = *cfg;
	b->next_delay_ns = cfg->delay_ns;
	b->ready_ns = -1;
	if (cfg->limit_n) {
		b->ring = calloc(cfg->limit_n, sizeof(*b->ring));
		if (!b->ring)
			return -ENOMEM;
	}
	return 0;
}

void backoff_free(struct backoff *b)
{
	free(b->ring);
	b->ring = NULL;
}

void backoff_started(struct backoff *b, int64_t now, bool restart)
{
	b->started_ns = now;
	b->ready_ns = -1;
	if (!restart)
		return;
	b->restarts++;
	if (!b->ring)
		return;
	b->ring[b->ring_next] = now;
	b->ring_next = (b->ring_next + 1) % b->cfg.limit_n;
	if (b->ring_used < b->cfg.limit_n)
		b->ring_used++;
}

void backoff_ready(struct backoff *b, int64_t now)
{
	if (b->ready_ns < 0)
		b->ready_ns = now;
}

static bool run_was_stable(const struct backoff *b, int64_t now,
			   const struct sv_exit *e)
{
	int64_t from = b->cfg.stable_from_ready ? b->ready_ns : b->started_ns;

	/* A start that failed did not run at all, whatever stable_ns says:
	 * calling it stable would loop on it without a pause. */
	if (e->kind == SV_EXIT_LAUNCH || from < 0)
		return false;
	return now - from >= b->cfg.stable_ns;
}

/*
 * The ring holds the last limit_n restarts. The restart planned at `at`
 * would be the limit_n + 1th within the window ending there if the oldest
 * of them is still inside it.
 */
static bool limit_reached(const struct backoff *b, int64_t at)
{
	size_t oldest;

	if (!b->ring || b->ring_used < b->cfg.limit_n)
		return false;
	oldest = b->ring_next;	/* full ring: the next slot is the oldest */
	return at - b->ring[oldest] < b->cfg.limit_window_ns;
}

static int64_t doubled(int64_t delay, int64_t max)
{
	return delay > max / 2 ? max : delay * 2;
}

enum backoff_verdict backoff_exited(struct backoff *b, int64_t now,
				    const struct sv_exit *e,
				    int64_t *delay_ns)
{
	int64_t delay;

	*delay_ns = 0;
	if (b->cfg.policy == SV_RESPAWN_ON_FAILURE && !sv_exit_failed(e))
		return BACKOFF_END;
	if (run_was_stable(b, now, e)) {
		delay = 0;
		b->next_delay_ns = b->cfg.delay_ns;
	} else {
		delay = b->next_delay_ns;
		b->next_delay_ns = doubled(delay, b->cfg.delay_max_ns);
	}
	if (limit_reached(b, now + delay))
		return BACKOFF_GIVE_UP;
	*delay_ns = delay;
	return delay ? BACKOFF_LATER : BACKOFF_NOW;
}
