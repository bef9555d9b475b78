/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The status record and the list of them: construction, the getters a
 * caller reads them with, destruction. What goes into a record is the
 * probe's business (probe.c); this file only keeps it.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

#define NSEC_PER_SEC 1000000000LL

void status_init(struct dctl_status *st)
{
	memset(st, 0, sizeof(*st));
	st->uid = (uid_t)-1;
	st->trusted = true;
	st->next_try_ns = -1;
}

void status_release(struct dctl_status *st)
{
	free(st->exe);
	free(st->reason);
	st->exe = NULL;
	st->reason = NULL;
}

void status_clear(struct dctl_status *st)
{
	bool in_list = st->in_list;

	status_release(st);
	status_init(st);
	st->in_list = in_list;
}

void status_set_reason(struct dctl_status *st, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	free(st->reason);
	st->reason = text;
}

int status_set_exe(struct dctl_status *st, const char *path)
{
	char *copy = NULL;

	if (path && !(copy = strdup(path)))
		return -ENOMEM;
	free(st->exe);
	st->exe = copy;
	return 0;
}

void dctl_status_free(struct dctl_status *st)
{
	/* A list's record goes with its list. */
	if (!st || st->in_list)
		return;
	status_clear(st);
	free(st);
}

int dctl_status_get_state(const struct dctl_status *st)
{
	return st ? (int)st->state : -EINVAL;
}

pid_t dctl_status_get_pid(const struct dctl_status *st)
{
	return st ? st->pid : -EINVAL;
}

int dctl_status_get_locked(const struct dctl_status *st)
{
	if (!st)
		return -EINVAL;
	return st->lock_unread ? -ENODATA : st->locked;
}

int dctl_status_get_trusted(const struct dctl_status *st)
{
	return st ? st->trusted : -EINVAL;
}

int dctl_status_get_zombie(const struct dctl_status *st)
{
	return st ? st->zombie : -EINVAL;
}

int dctl_status_get_error(const struct dctl_status *st)
{
	return st ? st->error : -EINVAL;
}

int dctl_status_get_fault(const struct dctl_status *st)
{
	return st ? (int)st->fault : -EINVAL;
}

uint64_t dctl_status_get_pidfile_dev(const struct dctl_status *st)
{
	return st ? (uint64_t)st->dev : 0;
}

uint64_t dctl_status_get_pidfile_ino(const struct dctl_status *st)
{
	return st ? (uint64_t)st->ino : 0;
}

int64_t dctl_status_get_pidfile_mtime_ns(const struct dctl_status *st)
{
	if (!st)
		return 0;
	return (int64_t)st->mtime.tv_sec * NSEC_PER_SEC + st->mtime.tv_nsec;
}

int64_t dctl_status_get_started(const struct dctl_status *st)
{
	return st ? st->started : 0;
}

uint64_t dctl_status_get_start_ticks(const struct dctl_status *st)
{
	return st ? st->start_ticks : 0;
}

uid_t dctl_status_get_uid(const struct dctl_status *st)
{
	return st ? st->uid : (uid_t)-1;
}

const char *dctl_status_get_exe(const struct dctl_status *st)
{
	return st ? st->exe : NULL;
}

const char *dctl_status_get_instance(const struct dctl_status *st)
{
	return st && st->instance[0] ? st->instance : NULL;
}

const char *dctl_status_get_reason(const struct dctl_status *st)
{
	return st ? st->reason : NULL;
}

size_t dctl_status_get_holder_count(const struct dctl_status *st)
{
	return st ? st->n_holders : 0;
}

pid_t dctl_status_get_holder(const struct dctl_status *st, size_t i)
{
	if (!st || i >= st->n_holders || i >= PROC_HOLDERS_MAX)
		return 0;
	return st->holders[i];
}

/* ---------------------------------------------------------------- lists */

size_t dctl_status_list_count(const struct dctl_status_list *l)
{
	return l ? l->recs.n : 0;
}

struct dctl_status *dctl_status_list_get(struct dctl_status_list *l, size_t i)
{
	if (!l || i >= l->recs.n)
		return NULL;
	return util_array_at(&l->recs, i);
}

void dctl_status_list_free(struct dctl_status_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->recs.n; i++)
		status_clear(util_array_at(&l->recs, i));
	util_array_free(&l->recs);
	free(l);
}

pid_t dctl_status_get_supervisor(const struct dctl_status *st)
{
	return st ? st->supervisor : -EINVAL;
}

int dctl_status_get_supervised(const struct dctl_status *st)
{
	return st ? st->supervised : -EINVAL;
}

int dctl_status_get_restarts(const struct dctl_status *st)
{
	if (!st)
		return -EINVAL;
	return st->restarts > INT_MAX ? INT_MAX : (int)st->restarts;
}

const char *dctl_status_get_last_exit(const struct dctl_status *st)
{
	return st && st->last_exit[0] ? st->last_exit : NULL;
}

int64_t dctl_status_get_next_try_ns(const struct dctl_status *st)
{
	return st ? st->next_try_ns : -1;
}
