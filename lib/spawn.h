/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The spawn module's internal entry points (see daemonctl.h for the API). */
#ifndef DCTL_SPAWN_H
#define DCTL_SPAWN_H

#include "daemonctl.h"

/*
 * Run the program in the calling process itself, as start-stop-daemon
 * runs it without --background: the checks of dctl_spawn() (program,
 * user, directories, environment), then nice, chroot, chdir, umask and
 * the user switch of the daemon recipe, then execve() with the start's
 * environment. Nothing is detached and no pidfile is involved (o->pidfile
 * is not looked at); stdio, signals and descriptors stay as they are.
 * o->ready must be DCTL_READY_EXEC. With o->test, returns 0 after the
 * checks. Otherwise returns only on failure: -errno with res->stage
 * (VALIDATE, SETUP or EXEC) and res->detail; by then credentials and
 * directories may already have changed, so the caller should just exit.
 */
int spawn_exec_here(const struct dctl_spawn_opts *o,
		    struct dctl_spawn_result *res);

#endif
