/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a daemon is given besides its program: resource limits and
 * scheduling (rlimits.h), its group, capabilities and no_new_privs
 * (caps.h), environment files (envfile.h). The setters check a value when
 * it is set and keep the parsed plan in the object; the recipe applies
 * the plan in every daemon launched from it, so a restart gets the same.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recipe.h"
#include "spawn.h"
#include "util.h"

#define OOM_SCORE_ADJ_MIN (-1000)
#define OOM_SCORE_ADJ_MAX 1000

#define refuse spawn_refuse

/* One of limits.c's parsers on a copy of the plan, kept if it passed. */
static int parse_into(struct dctl_spawn *s, const char *option,
		      const char *arg,
		      int (*parse)(struct limits_plan *, const char *,
				   const char **))
{
	struct limits_plan p = s->o.limits;
	const char *why = "";

	if (!arg || parse(&p, arg, &why) < 0)
		return refuse(s, "invalid value '%s' for %s: %s",
			      arg ? arg : "", option, why);
	s->o.limits = p;
	return 0;
}

int dctl_spawn_set_limit(struct dctl_spawn *s, const char *spec)
{
	if (!s)
		return -EINVAL;
	return parse_into(s, "--limit", spec, limits_parse_limit);
}

int dctl_spawn_set_iosched(struct dctl_spawn *s, const char *spec)
{
	if (!s)
		return -EINVAL;
	if (!spec) {
		s->o.limits.set_ioprio = false;
		return 0;
	}
	return parse_into(s, "--iosched", spec, limits_parse_iosched);
}

int dctl_spawn_set_procsched(struct dctl_spawn *s, const char *spec)
{
	if (!s)
		return -EINVAL;
	if (!spec) {
		s->o.limits.set_sched = false;
		return 0;
	}
	return parse_into(s, "--procsched", spec, limits_parse_procsched);
}

int dctl_spawn_set_oom_score_adj(struct dctl_spawn *s, int adj)
{
	if (!s)
		return -EINVAL;
	if (adj < OOM_SCORE_ADJ_MIN || adj > OOM_SCORE_ADJ_MAX)
		return refuse(s, "invalid value '%d' for --oom-score-adj: the adjustment is %d..%d",
			      adj, OOM_SCORE_ADJ_MIN, OOM_SCORE_ADJ_MAX);
	s->o.limits.set_oom = true;
	s->o.limits.oom_score_adj = adj;
	return 0;
}

int dctl_spawn_set_no_new_privs(struct dctl_spawn *s, bool on)
{
	if (!s)
		return -EINVAL;
	s->o.caps.no_new_privs = on;
	return 0;
}

int dctl_spawn_set_group(struct dctl_spawn *s, const char *group)
{
	if (!s)
		return -EINVAL;
	if (group && (!*group || strlen(group) >= CREDS_NAME_MAX ||
		      strchr(group, ':')))
		return refuse(s, "invalid value '%s' for --group: a group name or number wanted",
			      group);
	return util_set_string(&s->o.group, group);
}

int dctl_spawn_set_capabilities(struct dctl_spawn *s, const char *list)
{
	struct caps_plan p;
	const char *why = "";

	if (!s)
		return -EINVAL;
	caps_plan_init(&p);
	if (list && caps_parse(&p, list, &why) < 0)
		return refuse(s, "invalid value '%s' for --capabilities: %s",
			      list, why);
	/* The list replaces an earlier one; no_new_privs is its own. */
	s->o.caps.set_caps = p.set_caps;
	s->o.caps.caps = p.caps;
	return 0;
}

int dctl_spawn_add_env_file(struct dctl_spawn *s, const char *path)
{
	struct spawn_env_file *more;
	char *copy;
	int r;

	if (!s)
		return -EINVAL;
	if (!path || !*path)
		return refuse(s, "invalid value '' for --env-file: a file wanted");
	if ((r = env_check_file(&s->res, path)) < 0)
		return r;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	more = realloc(s->o.env_files,
		       (s->o.n_env_files + 1) * sizeof(*more));
	if (!more) {
		free(copy);
		return -ENOMEM;
	}
	/* Read after the -e entries given so far: the later one wins. */
	more[s->o.n_env_files].path = copy;
	more[s->o.n_env_files].after = s->o.n_env;
	s->o.n_env_files++;
	s->o.env_files = more;
	return 0;
}

int dctl_spawn_set_clear_env(struct dctl_spawn *s, bool on)
{
	if (!s)
		return -EINVAL;
	s->o.clear_env = on;
	return 0;
}

void resources_free(struct spawn_opts *o)
{
	size_t i;

	for (i = 0; i < o->n_env_files; i++)
		free(o->env_files[i].path);
	free(o->env_files);
	free(o->group);
}

/* ------------------------------------------------------ before forking */

/* -g/--group: with --chuid the user's primary group; without, the
 * daemon keeps its uid and takes only the group. */
static int take_group(struct spawn *s)
{
	const char *group = s->o->group;
	gid_t gid;
	int e;

	e = creds_resolve_group(group, &gid);
	if (e == -ESRCH)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, ESRCH,
				  "unknown group in --group %s", group);
	if (e == 0 && s->have_user)
		e = creds_set_group(&s->user, gid);
	if (e)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, -e, "--group %s: %s",
				  group, spawn_errstr(s, -e));
	if (!s->have_user) {
		s->user.uid = getuid();
		s->user.gid = gid;
		/* Only root may set them; root's own are not the daemon's. */
		s->user.keep_groups = geteuid() != 0;
	}
	return 0;
}

int resources_validate(struct spawn *s)
{
	const char *why = "";
	int e, cap;

	if (s->o->group && (e = take_group(s)))
		return e;
	s->have_creds = s->have_user || s->o->group;
	e = caps_check(&s->o->caps, s->have_user, s->user.uid, &cap, &why);
	if (e && cap >= 0)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, -e,
				  "--capabilities %s: %s", caps_name(cap), why);
	if (e)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, -e,
				  "--capabilities: %s", why);
	return 0;
}

/* ---------------------------------------------- the daemon's report */

bool resources_failed(struct spawn *s, int step, int item, int err)
{
	const char *cap = NULL;

	switch (step) {
	case RECIPE_STEP_LIMITS:
		spawn_fail(s, DCTL_STAGE_SETUP, err, "cannot apply %s: %s",
			   limits_item_str(item), spawn_errstr(s, err));
		return true;
	case RECIPE_STEP_CAPS:
		if (item >= CAPS_ITEM_AMBIENT)
			cap = caps_name(item - CAPS_ITEM_AMBIENT);
		spawn_fail(s, DCTL_STAGE_SETUP, err, "cannot apply %s%s%s: %s",
			   caps_item_str(item), cap ? " " : "", cap ? cap : "",
			   spawn_errstr(s, err));
		return true;
	case RECIPE_STEP_SETGROUPS:
	case RECIPE_STEP_SETGID:
		if (!s->o->group || s->have_user)
			return false;
		spawn_fail(s, DCTL_STAGE_SETUP, err,
			   "cannot apply --group %s: %s: %s", s->o->group,
			   recipe_step_str((enum recipe_step)step),
			   spawn_errstr(s, err));
		return true;
	default:
		return false;
	}
}
