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
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

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
	return 0;
}

/* ------------------------------------------------------ the keepers */

/*
 * At most two keepers: syslog for the streams without a file and one for
 * a file, or one for each of two files. A stream's pipe carries it alone
 * (syslog tells them apart by priority, two files are two sinks), but
 * with one file for both (-O) both write into one pipe, so their lines
 * keep the order the program wrote them in.
 */
#define OUTPUT_KEEPERS 2

struct output_keep {
	struct logkeep *lk[OUTPUT_KEEPERS];
	size_t n;
	int wr[2];		/* stdout's and stderr's write ends, or -1 */
};

/* Does a keeper write this stream's file (rather than the program)? */
static bool file_kept(const struct spawn_opts *o, const char *path)
{
	return path && (o->output_max_size > 0 || o->timestamps);
}

static void keep_free(struct output_keep *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		logkeep_free(k->lk[i]);
	for (i = 0; i < 2; i++)
		if (k->wr[i] >= 0 && (i == 0 || k->wr[1] != k->wr[0]))
			close(k->wr[i]);
	free(k);
}

/* A keeper for cfg, counted in k (so keep_free frees it). */
static int keeper_new(struct output_keep *k, const struct logkeep_config *c,
		      struct logkeep **lk)
{
	int r = logkeep_new(lk, c);

	if (r == 0)
		k->lk[k->n++] = *lk;
	return r;
}

/* A new pipe into lk, its write end for the streams in `streams` (bit 0
 * stdout, bit 1 stderr); st is the priority syslog gives its lines. */
static int add_pipe(struct output_keep *k, struct logkeep *lk,
		    enum logkeep_stream st, unsigned streams)
{
	int p[2], r;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	r = logkeep_add_input(lk, p[0], st);
	if (r < 0) {
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (streams & 1)
		k->wr[0] = p[1];
	if (streams & 2)
		k->wr[1] = p[1];
	return 0;
}

/* The syslog keeper: each stream without a file on a pipe of its own. */
static int keep_syslog(struct spawn *s, struct output_keep *k)
{
	const struct spawn_opts *o = s->o;
	const char *base = strrchr(s->program, '/');
	struct logkeep_config c;
	struct logkeep *lk;
	int r;

	logkeep_config_init(&c);
	c.sink = LOGKEEP_SYSLOG;
	c.facility = o->syslog_facility;
	c.tag = o->syslog_tag ? o->syslog_tag : base ? base + 1 : s->program;
	c.log = o->log;
	c.log_data = o->log_data;
	r = keeper_new(k, &c, &lk);
	if (!r && !o->stdout_path)
		r = add_pipe(k, lk, LOGKEEP_STDOUT, 1);
	if (!r && !o->stderr_path)
		r = add_pipe(k, lk, LOGKEEP_STDERR, 2);
	return r;
}

/* A file keeper for path, fed by the streams that name it. */
static int keep_file(struct spawn *s, struct output_keep *k,
		     const char *path)
{
	const struct spawn_opts *o = s->o;
	struct logkeep_config c;
	unsigned streams = 0;
	struct logkeep *lk;
	int r;

	if (o->stdout_path && strcmp(o->stdout_path, path) == 0)
		streams |= 1;
	if (o->stderr_path && strcmp(o->stderr_path, path) == 0)
		streams |= 2;
	logkeep_config_init(&c);
	c.path = path;
	c.max_size = o->output_max_size;
	if (o->output_keep_set)
		c.keep = o->output_keep;
	c.timestamps = o->timestamps;
	c.log = o->log;
	c.log_data = o->log_data;
	r = keeper_new(k, &c, &lk);
	return r ? r : add_pipe(k, lk, LOGKEEP_STDOUT, streams);
}

static int keep_all(struct spawn *s, struct output_keep *k)
{
	const struct spawn_opts *o = s->o;
	int r = 0;

	if (o->syslog)
		r = keep_syslog(s, k);
	if (!r && file_kept(o, o->stdout_path))
		r = keep_file(s, k, o->stdout_path);
	if (!r && file_kept(o, o->stderr_path) &&
	    !(o->stdout_path && strcmp(o->stdout_path, o->stderr_path) == 0))
		r = keep_file(s, k, o->stderr_path);
	return r;
}

int output_open(struct spawn *s)
{
	struct output_keep *k;
	int r;

	if (!output_kept(s->o) || s->o->test || s->keep)
		return 0;
	k = calloc(1, sizeof(*k));
	if (!k)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, ENOMEM,
				  "cannot start the log keeper: %s",
				  spawn_errstr(s, ENOMEM));
	k->wr[0] = k->wr[1] = -1;
	r = keep_all(s, k);
	if (r < 0) {
		keep_free(k);
		if (s->o->syslog && (r == -ENOENT || r == -ECONNREFUSED))
			return spawn_fail(s, DCTL_STAGE_VALIDATE, -r,
					  "--syslog: no syslog daemon listens on %s",
					  LOGKEEP_SYSLOG_PATH);
		return spawn_fail(s, DCTL_STAGE_VALIDATE, -r,
				  "cannot start the log keeper: %s",
				  spawn_errstr(s, -r));
	}
	s->keep = k;
	return 0;
}

int output_run_fd(struct spawn *s, bool err)
{
	int fd;

	if (!s->keep || s->keep->wr[err] < 0)
		return -1;
	fd = fcntl(s->keep->wr[err], F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, errno,
				  "cannot hand the log keeper's pipe to the program: %s",
				  spawn_errstr(s, errno));
	return fd;
}

int output_pollfds(struct spawn *s, struct pollfd *pfd)
{
	size_t i;
	int n = 0;

	for (i = 0; s->keep && i < s->keep->n; i++)
		n += logkeep_pollfds(s->keep->lk[i], pfd + n);
	return n;
}

int output_timeout(struct spawn *s)
{
	int best = -1, t;
	size_t i;

	for (i = 0; s->keep && i < s->keep->n; i++) {
		t = logkeep_timeout(s->keep->lk[i]);
		if (t >= 0 && (best < 0 || t < best))
			best = t;
	}
	return best;
}

int output_dispatch(struct spawn *s, const struct pollfd *pfd, int n)
{
	size_t i;
	int r;

	for (i = 0; s->keep && i < s->keep->n; i++) {
		if (n < LOGKEEP_POLLFDS)
			break;
		r = logkeep_dispatch(s->keep->lk[i], pfd, LOGKEEP_POLLFDS);
		if (r < 0)
			return r;
		pfd += LOGKEEP_POLLFDS;
		n -= LOGKEEP_POLLFDS;
	}
	return 0;
}

void output_end_run(struct spawn *s)
{
	size_t i;

	for (i = 0; s->keep && i < s->keep->n; i++)
		logkeep_end_run(s->keep->lk[i]);
}

void output_set_pid(struct spawn *s, pid_t pid)
{
	size_t i;

	for (i = 0; s->keep && i < s->keep->n; i++)
		logkeep_set_pid(s->keep->lk[i], pid);
}

void output_close(struct spawn *s, int drain_ms)
{
	struct output_keep *k = s->keep;
	int saved = errno;
	size_t i;

	if (!k)
		return;
	/* Ours are the last write ends but those of processes the program
	 * left behind: the pipes reach EOF once they are closed. */
	if (k->wr[0] >= 0)
		close(k->wr[0]);
	if (k->wr[1] >= 0 && k->wr[1] != k->wr[0])
		close(k->wr[1]);
	k->wr[0] = k->wr[1] = -1;
	for (i = 0; i < k->n; i++)
		if (logkeep_drain(k->lk[i], drain_ms) == -ETIMEDOUT)
			spawn_log(s, DCTL_LOG_WARNING,
				  "the log keeper gave up after %s with lines still held",
				  spawn_span(s, (unsigned)drain_ms));
	keep_free(k);
	s->keep = NULL;
	errno = saved;
}

void output_free(struct spawn_opts *o)
{
	free(o->syslog_tag);
}
