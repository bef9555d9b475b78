/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The insides of a stop schedule, for stop.c (see daemonctl.h for the API). */
#ifndef DCTL_SCHEDULE_H
#define DCTL_SCHEDULE_H

#include <stddef.h>

#include "daemonctl.h"

/* More items than this in a --retry text are refused (-ERANGE). */
#define SCHEDULE_MAX 32

struct schedule_step {
	enum dctl_step_kind kind;
	int value;
};

struct dctl_schedule {
	size_t n;
	struct schedule_step step[SCHEDULE_MAX];
};

/* Fill s with SIG/30/KILL/5 (sig must be valid; 0: SIGTERM). */
void schedule_default(struct dctl_schedule *s, int sig);

#endif
