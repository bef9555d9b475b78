/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The program's output through the log keeper: to syslog, or to its files
 * rotated by size and stamped with the time. The setters check each value
 * as it is given and name the daemon-start option in the refusal, as the
 * other setters do; output_validate() checks the options together (a size
 * needs a file, ...) at the start, before anything is locked or forked.
 *
 * Plain --output/--stdout/--stderr stay out of this: the program then
 * writes its files itself, and no helper process runs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "logkeep.h"
#include "spawn.h"
#include "util.h"

/* What a syslog tag may hold: enough for any name, and never the blank,
 * ':' or brackets that end the tag where syslog daemons parse it. */
#define SYSLOG_TAG_MAX 64

static bool tag_ok(const char *tag)
{
	size_t n = strlen(tag), i;

	if (n == 0 || n > SYSLOG_TAG_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (tag[i] <= ' ' || tag[i] > '~' || strchr(":[]", tag[i]))
			return false;
	return true;
}

int dctl_spawn_set_syslog(struct dctl_spawn *s, const char *facility)
{
	int f = LOG_DAEMON;

	if (!s)
		return -EINVAL;
	if (facility && dctl_syslog_facility_parse(facility, &f) < 0)
		return spawn_refuse(s, "invalid value '%s' for --syslog: not a facility (kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, local0..local7)",
				    facility);
	s->o.syslog = true;
	s->o.syslog_facility = f;
	return 0;
}

int dctl_spawn_set_syslog_tag(struct dctl_spawn *s, const char *tag)
{
	if (!s)
		return -EINVAL;
	if (tag && !tag_ok(tag))
		return spawn_refuse(s, "invalid value '%s' for --syslog-tag: 1 to %d printable characters, without blanks, ':', '[' or ']'",
				    tag, SYSLOG_TAG_MAX);
	return util_set_string(&s->o.syslog_tag, tag);
}

int dctl_spawn_set_output_max_size(struct dctl_spawn *s, const char *size)
{
	uint64_t v = 0;

	if (!s)
		return -EINVAL;
	if (size && logkeep_parse_size(size, &v) < 0)
		return spawn_refuse(s, "invalid value '%s' for --output-max-size: a size such as 512K, 10M or 1G (K = 1024), at least 1 byte",
				    size);
	s->o.output_max_size = v;
	return 0;
}

int dctl_spawn_set_output_keep(struct dctl_spawn *s, unsigned int n)
{
	if (!s)
		return -EINVAL;
	if (n > LOGKEEP_KEEP_MAX)
		return spawn_refuse(s, "invalid value '%u' for --output-keep: 0..%d rotated files",
				    n, LOGKEEP_KEEP_MAX);
	s->o.output_keep = n;
	s->o.output_keep_set = true;
	return 0;
}

int dctl_spawn_set_timestamps(struct dctl_spawn *s, bool on)
{
	if (!s)
		return -EINVAL;
	s->o.timestamps = on;
	return 0;
}

bool output_kept(const struct spawn_opts *o)
{
	return o->syslog || o->output_max_size > 0 || o->timestamps;
}

/* One line naming the options that do not go together. */
static int refuse_combination(struct spawn *s, const char *what)
{
	return spawn_fail(s, DCTL_STAGE_VALIDATE, EINVAL, "%s", what);
}

int output_validate(struct spawn *s)
{
	const struct spawn_opts *o = s->o;
	bool file = o->stdout_path || o->stderr_path;

	if (o->output_max_size > 0 && !file)
		return refuse_combination(s,
			"--output-max-size needs --output, --stdout or --stderr");
	if (o->output_keep_set && o->output_max_size == 0)
		return refuse_combination(s,
			"--output-keep needs --output-max-size");
	if (o->timestamps && !file)
		return refuse_combination(s,
			"--timestamps needs --output, --stdout or --stderr");
	if (o->syslog_tag && !o->syslog)
		return refuse_combination(s, "--syslog-tag needs --syslog");
	if (o->syslog && o->stdout_path && o->stderr_path)
		return refuse_combination(s,
			"--syslog: no stream left for it, both go to files (--output, --stdout, --stderr)");
	if (output_kept(o) && o->ready == DCTL_READY_FORKING)
		return refuse_combination(s,
			"--syslog, --output-max-size and --timestamps cannot be used with --forking (the program detaches from the log keeper)");
	/* Until the supervisor runs the keeper, say so rather than start
	 * a program whose output would go nowhere. */
	if (output_kept(o))
		return spawn_fail(s, DCTL_STAGE_VALIDATE, EOPNOTSUPP,
				  "--syslog, --output-max-size and --timestamps need the log keeper, which this build does not run yet");
	return 0;
}

void output_free(struct spawn_opts *o)
{
	free(o->syslog_tag);
}
