/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The match: conditions a live process must also satisfy before stop
 * signals it or status calls it running (--exec, --user, --instance).
 * A process that fails one is, for the caller, not the daemon of that
 * pidfile: the record becomes DEAD and says why.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "status.h"

#define DELETED_SUFFIX " (deleted)"

int dctl_match_new(struct dctl_match **out)
{
	struct dctl_match *m;

	if (!out)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->uid = (uid_t)-1;
	*out = m;
	return 0;
}

void dctl_match_free(struct dctl_match *m)
{
	if (!m)
		return;
	free(m->exe);
	free(m);
}

int dctl_match_set_exe(struct dctl_match *m, const char *exe)
{
	char *copy = NULL;

	if (!m || (exe && !*exe))
		return -EINVAL;
	if (exe && !(copy = strdup(exe)))
		return -ENOMEM;
	free(m->exe);
	m->exe = copy;
	return 0;
}

int dctl_match_set_uid(struct dctl_match *m, uid_t uid)
{
	if (!m)
		return -EINVAL;
	m->uid = uid;
	return 0;
}

int dctl_match_set_instance(struct dctl_match *m, const char *instance)
{
	if (!m || (instance && !util_uuid_valid(instance, strlen(instance))))
		return -EINVAL;
	if (instance)
		memcpy(m->instance, instance, sizeof(m->instance));
	else
		m->instance[0] = '\0';
	return 0;
}

const char *dctl_match_get_exe(const struct dctl_match *m)
{
	return m ? m->exe : NULL;
}

uid_t dctl_match_get_uid(const struct dctl_match *m)
{
	return m ? m->uid : (uid_t)-1;
}

const char *dctl_match_get_instance(const struct dctl_match *m)
{
	return m && m->instance[0] ? m->instance : NULL;
}

bool match_any(const struct dctl_match *m)
{
	return m && (m->exe || m->uid != (uid_t)-1 || m->instance[0]);
}

bool match_names_process(const struct dctl_match *m)
{
	return m && (m->exe || m->uid != (uid_t)-1);
}

int match_dup(const struct dctl_match *src, struct dctl_match **out)
{
	struct dctl_match *m;
	int r;

	r = dctl_match_new(&m);
	if (r < 0)
		return r;
	if (src) {
		m->uid = src->uid;
		memcpy(m->instance, src->instance, sizeof(m->instance));
		r = dctl_match_set_exe(m, src->exe);
		if (r < 0) {
			dctl_match_free(m);
			return r;
		}
	}
	*out = m;
	return 0;
}

/*
 * Is the process's executable (as /proc/PID/exe said) the file want
 * names? A binary replaced by an upgrade while the daemon runs shows as
 * "PATH (deleted)": it still counts, as with start-stop-daemon.
 */
static bool exe_matches(const char *want, const char *have)
{
	char real[PATH_MAX], *cur;
	size_t len, slen = strlen(DELETED_SUFFIX);
	const char *w = want;
	struct stat a, b;
	bool deleted, same = false;

	if (!have || !*have)
		return false;
	cur = strdup(have);
	if (!cur)
		return false;
	len = strlen(cur);
	deleted = len > slen && strcmp(cur + len - slen, DELETED_SUFFIX) == 0;
	if (deleted)
		cur[len - slen] = '\0';
	if (realpath(want, real))
		w = real;
	if (strcmp(w, cur) == 0)
		same = true;
	/* The same file under another name: a hard link, a bind mount. */
	else if (!deleted && stat(want, &a) == 0 && stat(cur, &b) == 0)
		same = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	free(cur);
	return same;
}

static void set_mismatch(struct dctl_status *st)
{
	st->state = DCTL_STATE_DEAD;
	st->error = 0;
}

static bool match_exe(struct dctl_status *st, const char *want)
{
	if (!want || exe_matches(want, st->exe))
		return true;
	set_mismatch(st);
	if (st->exe)
		status_set_reason(st, "process %d does not match --exec %s (runs %s)",
				  (int)st->pid, want, st->exe);
	else
		status_set_reason(st, "process %d does not match --exec %s "
				  "(its executable cannot be read)",
				  (int)st->pid, want);
	return false;
}

static bool match_uid(struct dctl_status *st, uid_t want)
{
	if (want == (uid_t)-1 || st->uid == want)
		return true;
	set_mismatch(st);
	if (st->uid != (uid_t)-1)
		status_set_reason(st, "process %d does not match --user %u (runs "
				  "as uid %u)", (int)st->pid, (unsigned)want,
				  (unsigned)st->uid);
	else
		status_set_reason(st, "process %d does not match --user %u (its "
				  "owner cannot be read)", (int)st->pid,
				  (unsigned)want);
	return false;
}

static bool match_instance(struct dctl_status *st, const char *want)
{
	if (!*want ||
	    (st->instance[0] && strcasecmp(st->instance, want) == 0))
		return true;
	set_mismatch(st);
	if (st->instance[0])
		status_set_reason(st, "process %d does not match --instance %s (it "
				  "is %s)", (int)st->pid, want, st->instance);
	else
		status_set_reason(st, "process %d does not match --instance %s (it "
				  "has no readable DAEMON_INSTANCE_ID)",
				  (int)st->pid, want);
	return false;
}

int dctl_status_match(struct dctl_status *st, const struct dctl_match *m)
{
	if (!st || !m)
		return -EINVAL;
	if (!match_any(m))
		return 1;
	/* Only a running process can satisfy a condition. */
	if (st->state != DCTL_STATE_RUNNING)
		return 0;
	return match_exe(st, m->exe) && match_uid(st, m->uid) &&
	       match_instance(st, m->instance);
}
