/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The stop module's internal entry points (see daemonctl.h for dctl_stop). */
#ifndef DCTL_STOP_H
#define DCTL_STOP_H

#include <stdbool.h>
#include <stddef.h>

#include "daemonctl.h"

struct scan_proc;

/* dctl_stop() with the pidfd path selectable, for the tests. */
int stop_run(const struct dctl_stop_opts *o, struct dctl_stop_result *res,
	     bool use_pidfd);

/*
 * Stop processes found by a scan (scan_find()) along o's schedule, as
 * dctl_stop() stops a pidfile's daemon: each is pinned by a pidfd and
 * confirmed by its start time before anything is sent, every signal goes
 * to each one still alive, and each wait lasts until all have exited.
 * o->pidfile must be NULL and o->process_group false; o->match and
 * o->test are not looked at (the scan matched, the caller reports).
 * Returns 0 all gone; -ESRCH all had exited before a signal went out;
 * -ETIMEDOUT some still alive when the schedule ran out; -errno.
 * res->pid is the first of them.
 */
int stop_procs(const struct dctl_stop_opts *o, const struct scan_proc *p,
	       size_t n, struct dctl_stop_result *res);

/*
 * May a live pidfile's process be signalled? Yes if the file is trusted
 * (no one but root could have written it), or if the process was also
 * confirmed by its executable or owner.
 */
bool stop_trusts(const struct dctl_status *st, bool confirmed);

#endif
