/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The program's environment: the caller's, less what a start sets itself,
 * with the -e entries over it (the last of one name wins), then
 * DAEMON_INSTANCE_ID, NOTIFY_SOCKET and, with --chuid, HOME, USER and
 * LOGNAME unless an -e entry gives them. Built in the caller, before the
 * fork, as the daemon may not allocate.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spawn.h"

extern char **environ;

static bool valid_env_name(const char *e, size_t len)
{
	size_t i;

	if (len == 0 || (e[0] >= '0' && e[0] <= '9'))
		return false;
	for (i = 0; i < len; i++) {
		char c = e[i];

		if (!(c == '_' || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return false;
	}
	return true;
}

/* Does entry "NAME=..." set the variable name? */
static bool env_name_is(const char *entry, const char *name)
{
	size_t len = strcspn(entry, "=");

	return strlen(name) == len && strncmp(entry, name, len) == 0;
}

/* Is the variable of *e set again by a later -e entry (the last wins)? */
static bool env_set_later(char *const *e)
{
	const char *entry = *e;
	size_t len = strcspn(entry, "=");

	for (e++; *e; e++)
		if (strcspn(*e, "=") == len && strncmp(*e, entry, len) == 0)
			return true;
	return false;
}

/* Does an -e entry set name? Then it wins over what --chuid would set. */
static bool env_given(const struct spawn *s, const char *name)
{
	char *const *e;

	for (e = s->o->env; e && *e; e++)
		if (env_name_is(*e, name))
			return true;
	return false;
}

int env_check_entry(struct spawn_result *res, const char *entry)
{
	const char *eq = strchr(entry, '=');

	res->stage = DCTL_STAGE_VALIDATE;
	res->error = EINVAL;
	if (!eq || !valid_env_name(entry, (size_t)(eq - entry))) {
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

/* -------------------------------------------------------- environment */

static bool env_overridden(const struct spawn *s, const char *entry)
{
	static const char *const ours[] = { "DAEMON_INSTANCE_ID",
					    "NOTIFY_SOCKET" };
	static const char *const user_vars[] = { "HOME", "USER", "LOGNAME" };
	size_t len = strcspn(entry, "=");
	char *const *e;
	size_t i;

	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (strlen(ours[i]) == len && !strncmp(entry, ours[i], len))
			return true;
	for (i = 0; s->have_user && i < 3; i++)
		if (strlen(user_vars[i]) == len &&
		    !strncmp(entry, user_vars[i], len))
			return true;
	for (e = s->o->env; e && *e; e++)
		if (strcspn(*e, "=") == len && !strncmp(entry, *e, len))
			return true;
	return false;
}

static int env_add(char **envp, size_t *n, const char *name,
		   const char *value)
{
	size_t len = strlen(name) + strlen(value) + 2;
	char *e = malloc(len);

	if (!e)
		return -ENOMEM;
	snprintf(e, len, "%s=%s", name, value);
	envp[(*n)++] = e;
	return 0;
}

/* The caller's environment minus what we set, plus -e entries (the last
 * of one name wins), DAEMON_INSTANCE_ID, NOTIFY_SOCKET and (with -c) HOME,
 * USER, LOGNAME unless an -e entry sets them. */
int env_build(struct spawn *s)
{
	size_t n = 0, cap = 8;
	char **p, *const *e;
	int r = 0;

	for (p = environ; p && *p; p++)
		cap++;
	for (e = s->o->env; e && *e; e++)
		cap++;
	s->envp = calloc(cap, sizeof(char *));
	if (!s->envp)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, ENOMEM, "out of memory");
	for (p = environ; p && *p && r == 0; p++)
		if (strchr(*p, '=') && !env_overridden(s, *p))
			r = (s->envp[n++] = strdup(*p)) ? 0 : -ENOMEM;
	for (e = s->o->env; e && *e && r == 0; e++)
		if (!env_set_later(e))
			r = (s->envp[n++] = strdup(*e)) ? 0 : -ENOMEM;
	if (r == 0)
		r = env_add(s->envp, &n, "DAEMON_INSTANCE_ID", s->res->instance);
	if (r == 0 && s->ns.fd >= 0)
		r = env_add(s->envp, &n, "NOTIFY_SOCKET", s->ns.path);
	if (r == 0 && s->have_user && !env_given(s, "HOME"))
		r = env_add(s->envp, &n, "HOME", s->user.home);
	if (r == 0 && s->have_user && s->user.name[0] && !env_given(s, "USER"))
		r = env_add(s->envp, &n, "USER", s->user.name);
	if (r == 0 && s->have_user && s->user.name[0] &&
	    !env_given(s, "LOGNAME"))
		r = env_add(s->envp, &n, "LOGNAME", s->user.name);
	if (r)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, ENOMEM, "out of memory");
	return 0;
}

void env_free(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}
