/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The checks a start makes before it takes any lock or forks anything:
 * the pidfile and program are given, the directories exist, the program
 * is found and executable, the user is known (and we may switch to it).
 * Each failure is one line naming the option and the path.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "execpath.h"
#include "spawn.h"
#include "util.h"

static int check_dir(struct spawn *s, const char *what, const char *root,
		     const char *dir)
{
	char full[PATH_MAX];
	struct stat st;
	int n;

	n = snprintf(full, sizeof(full), "%s%s", root ? root : "", dir);
	if (n < 0 || (size_t)n >= sizeof(full))
		return spawn_fail(s, DCTL_STAGE_VALIDATE, ENAMETOOLONG,
				  "%s %s: path too long", what, dir);
	if (stat(full, &st) < 0)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, errno, "%s %s: %s", what,
				  full, spawn_errstr(s, errno));
	if (!S_ISDIR(st.st_mode))
		return spawn_fail(s, DCTL_STAGE_VALIDATE, ENOTDIR,
				  "%s %s: not a directory", what, full);
	return 0;
}

static int check_dirs(struct spawn *s)
{
	const struct spawn_opts *o = s->o;
	char cwd[PATH_MAX];
	int e;

	/* Absolute: dctl_spawn_set_chroot() refuses anything else. */
	if (o->chroot_path &&
	    (e = check_dir(s, "chroot directory", NULL, o->chroot_path)))
		return e;
	s->chdir_path = o->chdir_path ? o->chdir_path : "/";
	/* A relative --chdir means the caller's cwd without a chroot (the
	 * daemon leaves that cwd), and the new root with one. */
	if (s->chdir_path[0] != '/') {
		if (!o->chroot_path && !getcwd(cwd, sizeof(cwd)))
			return spawn_fail(s, DCTL_STAGE_VALIDATE, errno,
					  "cannot resolve --chdir %s: %s",
					  s->chdir_path,
					  spawn_errstr(s, errno));
		s->chdir_buf = util_asprintf("%s/%s",
					     o->chroot_path ? "" : cwd,
					     s->chdir_path);
		if (!s->chdir_buf)
			return spawn_fail(s, DCTL_STAGE_VALIDATE, ENOMEM,
					  "directory %s: out of memory",
					  s->chdir_path);
		if (strlen(s->chdir_buf) >= PATH_MAX)
			return spawn_fail(s, DCTL_STAGE_VALIDATE, ENAMETOOLONG,
					  "directory %s: path too long",
					  s->chdir_path);
		s->chdir_path = s->chdir_buf;
	}
	return check_dir(s, "directory", o->chroot_path, s->chdir_path);
}

static int check_program(struct spawn *s)
{
	const struct spawn_opts *o = s->o;
	char path[PATH_MAX];
	int e;

	if (!o->program || !*o->program)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, EINVAL, "no program given");
	e = execpath_find(o->program, o->chroot_path, path, sizeof(path));
	/* The start keeps the path only as long as it is (a supervisor
	 * keeps it for life). */
	if ((e == 0 || e == -EACCES) && !(s->program = strdup(path)))
		return spawn_fail(s, DCTL_STAGE_VALIDATE, ENOMEM,
				  "program %s: out of memory", o->program);
	if (e == -ENOENT)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, ENOENT,
				  "program not found: %s", o->program);
	if (e == -EACCES)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, EACCES,
				  "program not executable: %s", s->program);
	if (e)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, -e, "program %s: %s",
				  o->program, spawn_errstr(s, -e));
	s->default_argv[0] = (char *)o->program;
	s->argv = o->argv && o->argv[0] ? o->argv : s->default_argv;
	return 0;
}

static int check_user(struct spawn *s)
{
	const char *spec = s->o->user;
	int e;

	if (!spec)
		return 0;
	if (geteuid() != 0)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, EPERM,
				  "--chuid %s: only root can change user", spec);
	e = creds_resolve(spec, &s->user);
	if (e == -ENOENT)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, ENOENT,
				  "unknown user in --chuid %s", spec);
	if (e == -ESRCH)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, ESRCH,
				  "unknown group in --chuid %s", spec);
	if (e)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, -e, "--chuid %s: %s", spec,
				  spawn_errstr(s, -e));
	s->have_user = true;
	return 0;
}

int validate_start(struct spawn *s)
{
	if (!s->o->pidfile)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, EINVAL,
				  "no pidfile given");
	return validate_exec(s);
}

int validate_exec(struct spawn *s)
{
	int e;

	if (!s->o->program)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, EINVAL,
				  "no program given");
	if ((e = check_dirs(s)) || (e = check_program(s)) ||
	    (e = check_user(s)) || (e = resources_validate(s)) ||
	    (e = output_validate(s)))
		return e;
	return 0;
}
