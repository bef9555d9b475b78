/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The program's environment: the caller's (or, with --clear-env, only a
 * default PATH), less what a start sets itself; with --chuid HOME, USER
 * and LOGNAME; then the -e entries and --env-files in the order given (a
 * later one wins); then DAEMON_INSTANCE_ID and NOTIFY_SOCKET. Built in the
 * caller, before the fork, as the daemon may not allocate: the list and
 * the file format are envfile.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envfile.h"
#include "spawn.h"
#include "util.h"

extern char **environ;

/* Does entry "NAME=..." set the variable name? */
static bool env_name_is(const char *entry, const char *name)
{
	size_t len = strcspn(entry, "=");

	return strlen(name) == len && strncmp(entry, name, len) == 0;
}

int env_check_entry(struct spawn_result *res, const char *entry)
{
	const char *eq = strchr(entry, '=');

	res->stage = DCTL_STAGE_VALIDATE;
	res->error = EINVAL;
	if (!eq || !envfile_name_valid(entry, (size_t)(eq - entry))) {
		spawn_set_detail(res,
				 "invalid environment entry '%s': NAME=VALUE wanted",
				 entry);
		return -EINVAL;
	}
	/* A daemon's identity and readiness channel are ours to set: a
	 * forged instance id would fool daemon-stop --instance. */
	if (env_name_is(entry, "DAEMON_INSTANCE_ID") ||
	    env_name_is(entry, "NOTIFY_SOCKET")) {
		spawn_set_detail(res,
				 "invalid environment entry '%s': %.*s is set by daemon-start",
				 entry, (int)(eq - entry), entry);
		return -EINVAL;
	}
	res->stage = DCTL_STAGE_NONE;
	res->error = 0;
	return 0;
}

/* An --env-file's refusal, for the setter and for a start alike. */
static int file_refused(struct spawn_result *res, const char *path, int err,
			const struct envfile_error *why)
{
	char ebuf[UTIL_STRERROR_MAX];

	res->stage = DCTL_STAGE_VALIDATE;
	res->error = -err;
	if (err == -EINVAL && why->line)
		spawn_set_detail(res, "--env-file %s:%u: %s", path, why->line,
				 why->what);
	else
		spawn_set_detail(res, "--env-file %s: %s: %s", path,
				 why->what ? why->what : "cannot read",
				 util_strerror(err, ebuf, sizeof(ebuf)));
	return err;
}

int env_check_file(struct spawn_result *res, const char *path)
{
	struct envfile_env e;
	struct envfile_error why = { 0, NULL };
	int r;

	if ((r = envfile_env_init(&e, NULL, false)) < 0)
		return r;
	r = envfile_load(&e, path, &why);
	envfile_env_free(&e);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		file_refused(res, path, r, &why);
		return -EINVAL;
	}
	return 0;
}

/* One -e entry, NAME=VALUE (checked when it was added). */
static int set_entry(struct envfile_env *e, const char *entry)
{
	size_t len = strcspn(entry, "=");
	char *name = strndup(entry, len);
	int r;

	if (!name)
		return -ENOMEM;
	r = envfile_env_set(e, name, entry + len + 1);
	free(name);
	return r;
}

/* The -e entries and the files, interleaved as they were given. */
static int set_given(struct spawn *s, struct envfile_env *e)
{
	const struct spawn_opts *o = s->o;
	struct envfile_error why;
	size_t i, f = 0;
	int r;

	for (i = 0; i <= o->n_env; i++) {
		for (; f < o->n_env_files && o->env_files[f].after == i; f++) {
			r = envfile_load(e, o->env_files[f].path, &why);
			if (r == -ENOMEM)
				return r;
			if (r < 0) {
				file_refused(s->res, o->env_files[f].path, r,
					     &why);
				return spawn_fail(s, DCTL_STAGE_VALIDATE, -r,
						  "%s", s->res->detail);
			}
		}
		if (i < o->n_env && (r = set_entry(e, o->env[i])) < 0)
			return r;
	}
	return 0;
}

/* HOME, USER and LOGNAME of --chuid's user, none of the caller's. */
static int set_user(struct spawn *s, struct envfile_env *e)
{
	const struct creds *u = &s->user;
	int r;

	envfile_env_unset(e, "USER");
	envfile_env_unset(e, "LOGNAME");
	if ((r = envfile_env_set(e, "HOME", u->home)) < 0 || !u->name[0])
		return r;
	if ((r = envfile_env_set(e, "USER", u->name)) < 0)
		return r;
	return envfile_env_set(e, "LOGNAME", u->name);
}

static int build(struct spawn *s, struct envfile_env *e)
{
	int r;

	/* A daemon's identity and readiness channel are ours alone. */
	envfile_env_unset(e, "DAEMON_INSTANCE_ID");
	envfile_env_unset(e, "NOTIFY_SOCKET");
	if (s->have_user && (r = set_user(s, e)) < 0)
		return r;
	if ((r = set_given(s, e)) < 0)
		return r;
	if ((r = envfile_env_set(e, "DAEMON_INSTANCE_ID", s->res->instance)) < 0)
		return r;
	if (s->ns.fd >= 0)
		return envfile_env_set(e, "NOTIFY_SOCKET", s->ns.path);
	/* Not an --env-file's either, as -e may not set it. */
	envfile_env_unset(e, "NOTIFY_SOCKET");
	return 0;
}

int env_build(struct spawn *s)
{
	struct envfile_env e;
	int r;

	r = envfile_env_init(&e, environ, s->o->clear_env);
	if (r == 0)
		r = build(s, &e);
	if (r < 0) {
		envfile_env_free(&e);
		if (r == -ENOMEM)
			return spawn_fail(s, DCTL_STAGE_VALIDATE, ENOMEM,
					  "out of memory");
		return r;
	}
	s->env = e;
	return 0;
}

void env_free(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}
