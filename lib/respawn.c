/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A supervised start (daemon-start --respawn): its settings, the
 * supervisor process and the restarts it makes. The loop the supervisor
 * sleeps in is supervise.c's; what follows is how a start becomes one.
 *
 *   caller                         supervisor (forked, own session)
 *   validate everything
 *   fork (twice) ----------------> stdio to /dev/null, other fds closed,
 *                                  child subreaper
 *                                  the ordinary start: lock, output,
 *                                  environment, launch, readiness
 *   read the report <------------- the report (the start's whole result)
 *   return it                      failed: nothing left, exit
 *                                  started: the loop, with relaunch() as
 *                                  the way to start the program again
 *
 * So the supervisor takes the lock itself and holds it from the first
 * start on, through every backoff, until supervision ends; the program is
 * its child from the first run (it is the subreaper its middle child
 * leaves the program to), which is what lets it wait for the exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>

#include "launch.h"
#include "notify.h"
#include "spawn.h"
#include "supervise.h"
#include "util.h"

/* ------------------------------------------------------------ settings */

int dctl_spawn_set_respawn(struct dctl_spawn *s, enum dctl_respawn policy)
{
	if (!s)
		return -EINVAL;
	if (policy != DCTL_RESPAWN_NONE && policy != DCTL_RESPAWN_ALWAYS &&
	    policy != DCTL_RESPAWN_ON_FAILURE)
		return spawn_refuse(s, "unknown respawn policy %d",
				    (int)policy);
	/* The two enums agree value for value. */
	s->o.respawn.policy = (enum sv_respawn)policy;
	return 0;
}

/* One duration of the backoff: never negative. */
static int set_duration(struct dctl_spawn *s, int64_t *field, int64_t ns,
			const char *option)
{
	if (!s)
		return -EINVAL;
	if (ns < 0)
		return spawn_refuse(s, "invalid value for %s: negative",
				    option);
	*field = ns;
	s->o.respawn_tuned = true;
	return 0;
}

int dctl_spawn_set_respawn_stable_ns(struct dctl_spawn *s, int64_t ns)
{
	return set_duration(s, s ? &s->o.respawn.stable_ns : NULL, ns,
			    "--respawn-stable");
}

int dctl_spawn_set_respawn_delay_ns(struct dctl_spawn *s, int64_t ns)
{
	return set_duration(s, s ? &s->o.respawn.delay_ns : NULL, ns,
			    "--respawn-delay");
}

int dctl_spawn_set_respawn_delay_max_ns(struct dctl_spawn *s, int64_t ns)
{
	return set_duration(s, s ? &s->o.respawn.delay_max_ns : NULL, ns,
			    "--respawn-delay-max");
}

int dctl_spawn_set_respawn_limit(struct dctl_spawn *s, unsigned int n,
				 int64_t window_ns)
{
	if (!s)
		return -EINVAL;
	if (n > SV_LIMIT_MAX || (n > 0 && window_ns <= 0))
		return spawn_refuse(s, "invalid value for --respawn-limit: "
				    "1..%d restarts within a window above 0",
				    SV_LIMIT_MAX);
	s->o.respawn.limit_n = n;
	s->o.respawn.limit_window_ns = n ? window_ns : 0;
	s->o.respawn_tuned = true;
	return 0;
}

int dctl_respawn_parse(const char *text, enum dctl_respawn *policy)
{
	enum sv_respawn p;
	int r;

	if (!policy)
		return -EINVAL;
	r = backoff_parse_policy(text, &p);
	if (r == 0)
		*policy = (enum dctl_respawn)p;
	return r;
}

int dctl_respawn_seconds_parse(const char *text, int64_t *ns)
{
	return util_parse_seconds(text, ns);
}

int dctl_respawn_limit_parse(const char *text, unsigned int *n,
			     int64_t *window_ns)
{
	return backoff_parse_limit(text, n, window_ns);
}

pid_t dctl_spawn_get_supervisor(const struct dctl_spawn *s)
{
	return s ? s->res.supervisor : 0;
}

int respawn_validate(struct spawn *s)
{
	const struct spawn_opts *o = s->o;
	const struct backoff_cfg *c = &o->respawn;

	if (c->policy == SV_RESPAWN_NONE) {
		if (!o->respawn_tuned)
			return 0;
		return spawn_fail(s, DCTL_STAGE_VALIDATE, EINVAL,
				  "the --respawn-* settings need --respawn");
	}
	if (o->ready == DCTL_READY_FORKING)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, EINVAL,
				  "--respawn cannot supervise a --forking program: it would not be the supervisor's child");
	if (c->delay_max_ns < c->delay_ns)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, EINVAL,
				  "--respawn-delay-max is below --respawn-delay");
	if (backoff_cfg_check(c) < 0)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, EINVAL,
				  "inconsistent --respawn settings");
	return 0;
}

/* ----------------------------------------------- the report, both ends */

/* The first start's result, as the supervisor hands it to the caller. */
struct report {
	int32_t rc;
	int32_t pid;
	int32_t supervisor;
	int32_t stage;
	int32_t error;
	int32_t exit_status;
	int32_t term_signal;
	uint32_t detail_len;
	char instance[DCTL_UUID_LEN];
};

static void send_report(int fd, const struct spawn_result *res, int rc)
{
	struct report m;
	size_t len = res->detail ? strlen(res->detail) : 0;

	memset(&m, 0, sizeof(m));
	m.rc = rc;
	m.pid = res->pid;
	m.supervisor = rc == 0 ? getpid() : 0;
	m.stage = res->stage;
	m.error = res->error;
	m.exit_status = res->exit_status;
	m.term_signal = res->term_signal;
	m.detail_len = (uint32_t)len;
	memcpy(m.instance, res->instance, sizeof(m.instance));
	/* Nobody to tell if the caller is gone: the start stands or not
	 * the same. */
	if (util_write_all(fd, &m, sizeof(m)) == 0 && len)
		util_write_all(fd, res->detail, len);
}

/* Read exactly len bytes. 0, -EPIPE at an early end, or -errno. */
static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		got += (size_t)n;
	}
	return 0;
}

/* The caller's side: the report into s->res; its rc, or -errno. */
static int take_report(struct spawn *s, int fd)
{
	struct spawn_result *res = s->res;
	struct report m;
	char *detail;
	int r;

	r = read_full(fd, &m, sizeof(m));
	if (r < 0)
		return spawn_fail(s, DCTL_STAGE_FORK, ECHILD,
				  "the supervisor was lost before it reported the start");
	res->pid = m.pid;
	res->supervisor = m.supervisor;
	res->stage = (enum dctl_spawn_stage)m.stage;
	res->error = m.error;
	res->exit_status = m.exit_status;
	res->term_signal = m.term_signal;
	memcpy(res->instance, m.instance, sizeof(res->instance));
	res->instance[sizeof(res->instance) - 1] = '\0';
	if (m.detail_len && m.detail_len < 65536 &&
	    (detail = calloc(1, m.detail_len + 1))) {
		if (read_full(fd, detail, m.detail_len) == 0) {
			free(res->detail);
			res->detail = detail;
		} else {
			free(detail);
		}
	}
	s->running = m.rc == -EEXIST;
	return m.rc;
}

/* ------------------------------------------------------ the supervisor */

/* What the supervisor keeps between runs. */
struct respawn {
	struct spawn *s;		/* the first start's, resolved */
	struct dctl_pidfile *pf;	/* locked; the loop's once it runs */
	struct supervisor *sv;
	char *state_path;		/* PIDFILE.state */
};

/*
 * Start the program again: the whole recipe, with the user, program and
 * directory the first start resolved, and new output descriptors (a
 * rotated log file gets a new file), a new environment and instance id.
 */
static int relaunch(void *ctx, pid_t *pid, int *pidfd)
{
	struct respawn *rs = ctx;
	struct spawn *s = rs->s;
	int r;

	spawn_reset_run(s);
	/* Our dispositions are settled now: the runs need not each read
	 * them again. */
	if (!s->signals_known) {
		s->signals = recipe_disposed_signals();
		s->signals_known = true;
	}
	/* The new run writes its PID through the supervisor's lock. */
	s->pf = supervise_pidfile(rs->sv);
	r = outfile_open_all(s);
	if (!r)
		r = util_uuid_random(s->res->instance);
	if (!r)
		r = env_build(s);
	if (!r)
		r = launch_start(s);
	if (!r)
		output_set_pid(s, s->daemon);
	*pid = r ? 0 : s->daemon;
	*pidfd = -1;
	s->pf = NULL;
	spawn_release_run(s);
	/* The program runs already: give back what building its run took,
	 * so that an odd allocation never leaves the heap a page larger
	 * for the rest of the supervisor's life. */
	malloc_trim(0);
	return r < 0 ? r : 0;
}

/* The log keeper, in the supervisor's loop: s->keep, if any. */
static int keep_pollfds(void *ctx, struct pollfd *pfd)
{
	return output_pollfds(((struct respawn *)ctx)->s, pfd);
}

static int keep_timeout(void *ctx)
{
	return output_timeout(((struct respawn *)ctx)->s);
}

static int keep_dispatch(void *ctx, const struct pollfd *pfd, int n)
{
	return output_dispatch(((struct respawn *)ctx)->s, pfd, n);
}

/* What the run left in the pipes is its own: its last line is ended
 * before the next run writes. */
static void keep_ended(void *ctx)
{
	output_end_run(((struct respawn *)ctx)->s);
}

static void keep_finishing(void *ctx)
{
	output_close(((struct respawn *)ctx)->s, SPAWN_DRAIN_MS);
}

static const struct supervise_ops respawn_ops = {
	.launch = relaunch,
	.pollfds = keep_pollfds,
	.timeout = keep_timeout,
	.dispatch = keep_dispatch,
	.ended = keep_ended,
	.finishing = keep_finishing,
};

/* A READY=1 from the current run makes its stable time count from now. */
static int on_notify(void *data, int fd, short revents)
{
	struct respawn *rs = data;
	struct notify_msg m;
	pid_t sender;

	(void)revents;
	memset(&m, 0, sizeof(m));
	while (notify_recv_from(fd, supervise_state(rs->sv)->pid, &sender,
				&m) != -EAGAIN) {
		if (m.ready)
			supervise_ready(rs->sv);
		memset(&m, 0, sizeof(m));
	}
	return 0;
}

/*
 * A detached process of its own: no terminal kept open through stdio,
 * nothing of the caller's but the report pipe (moved to 3). Returns the
 * report descriptor.
 */
static int detach_self(int report, int *cancel)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	/* The report pipe to 3, the cancel pipe (if any) to 4: then
	 * nothing else of the caller's stays open. */
	if (report != 3) {
		dup3(report, 3, O_CLOEXEC);
		close(report);
	}
	if (*cancel >= 0 && *cancel != 4) {
		dup3(*cancel, 4, O_CLOEXEC);
		close(*cancel);
	}
	if (*cancel >= 0)
		*cancel = 4;
	close_range(*cancel >= 0 ? 5 : 4, ~0U, 0);
	/* A caller gone before the report must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	return 3;
}

/*
 * The supervisor's loop, after a first start that succeeded. Fails (< 0)
 * before the report only if it could not be set up at all; then the
 * pidfile is still rs->pf.
 */
static int supervise_program(struct respawn *rs, int report, int64_t started)
{
	struct spawn *s = rs->s;
	struct supervise_cfg cfg = {
		.backoff = s->o->respawn,
		.state_path = rs->state_path,
		.pidfile = rs->pf,
		.log = s->o->log,
		.log_data = s->o->log_data,
	};
	int r;

	/* Without --respawn the supervisor is there for the log keeper: it
	 * ends with the program. */
	if (cfg.backoff.policy == SV_RESPAWN_NONE) {
		cfg.once = true;
		cfg.backoff.policy = SV_RESPAWN_ALWAYS;
	}
	cfg.backoff.stable_from_ready = s->o->ready == DCTL_READY_NOTIFY;
	r = supervise_new(&rs->sv, &cfg, &respawn_ops, rs);
	if (r < 0)
		return r;
	rs->pf = NULL;		/* the supervisor's now */
	supervise_adopt(rs->sv, s->daemon, -1, started);
	if (s->keep_ns) {
		/* The first start waited for READY=1: it came just now. */
		supervise_ready(rs->sv);
		supervise_watch(rs->sv, s->ns.fd, POLLIN, on_notify, rs);
	}
	/* The record is written: a status right after the start sees it. */
	send_report(report, s->res, 0);
	close(report);
	/* Give back what the start used and will not use again. */
	malloc_trim(0);
	return supervise_run(rs->sv);
}

/* A supervisor that could not begin: undo the start, as a failed one. */
static void give_back(struct respawn *rs, int report, int err)
{
	struct spawn *s = rs->s;
	int status;

	spawn_fail(s, DCTL_STAGE_STARTUP, err, "cannot supervise %s: %s",
		   s->program, spawn_errstr(s, err));
	kill(s->daemon, SIGKILL);
	spawn_reap(s->daemon, &status);
	output_close(s, SPAWN_DRAIN_FAILED_MS);
	dctl_pidfile_remove(rs->pf);
	rs->pf = NULL;
	send_report(report, s->res, -err);
}

/* The supervisor: the first start, then supervision. Never returns. */
static void supervisor_main(struct spawn *s, int report, int cancel)
{
	struct respawn rs = { .s = s };
	int64_t started;
	int r;

	report = detach_self(report, &cancel);
	/*
	 * The caller's cancel descriptor means nothing here (a signalfd
	 * reads the signals of the process reading it): the first start is
	 * called off through the pipe the caller closes instead. This is
	 * our copy of the object, to change as we need.
	 */
	((struct spawn_opts *)s->o)->cancel_fd = cancel;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	started = util_now_ns();
	r = spawn_steps(s);
	if (r == 0 && !(rs.state_path = svstate_path_new(s->o->pidfile)))
		r = spawn_fail(s, DCTL_STAGE_PIDFILE, ENOMEM,
			       "no memory for the state record's path");
	/* Its readers and its temporary file need it to fit in PATH_MAX. */
	if (r == 0 && strlen(rs.state_path) + sizeof(".new") > PATH_MAX)
		r = spawn_fail(s, DCTL_STAGE_PIDFILE, ENAMETOOLONG,
			       "pidfile path too long for its state record");
	if (r < 0) {
		if (r == -EEXIST && !s->running)
			r = -EIO;
		spawn_release(s, true);
		send_report(report, s->res, r);
		_exit(0);
	}
	output_set_pid(s, s->daemon);
	/* Keep the lock and, with --notify-await, the socket. */
	rs.pf = s->pf;
	s->pf = NULL;
	s->keep_ns = s->o->ready == DCTL_READY_NOTIFY;
	spawn_release_run(s);
	s->restart = true;
	r = supervise_program(&rs, report, started);
	if (r < 0 && !rs.sv)
		give_back(&rs, report, -r);
	supervise_free(rs.sv);
	free(rs.state_path);
	_exit(r < 0 ? 1 : 0);
}

/*
 * The caller's side while the supervisor makes the first start: its report,
 * and the caller's cancel descriptor, which closing the cancel pipe passes
 * on (the supervisor then calls the start off, and reports so).
 */
static int await_report(struct spawn *s, int report, int *cancel)
{
	struct pollfd p[2] = {
		{ .fd = report, .events = POLLIN },
		{ .fd = *cancel >= 0 ? s->o->cancel_fd : -1, .events = POLLIN },
	};

	while (p[1].fd >= 0) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (p[1].revents) {
			close(*cancel);
			*cancel = -1;
			p[1].fd = -1;
		}
	}
	return take_report(s, report);
}

int respawn_start(struct spawn *s)
{
	int fds[2], cfd[2] = { -1, -1 }, status, r;
	pid_t middle;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return spawn_fail(s, DCTL_STAGE_FORK, errno, "pipe: %s",
				  spawn_errstr(s, errno));
	if (s->o->cancel_fd >= 0 && pipe2(cfd, O_CLOEXEC) < 0) {
		r = errno;
		close(fds[0]);
		close(fds[1]);
		return spawn_fail(s, DCTL_STAGE_FORK, r, "pipe: %s",
				  spawn_errstr(s, r));
	}
	/* A session of its own, and not its leader: like any daemon. */
	middle = launch_fork(-1);
	if (middle == 0) {
		close(fds[0]);
		if (cfd[1] >= 0)
			close(cfd[1]);
		supervisor_main(s, fds[1], cfd[0]);
	}
	close(fds[1]);
	if (cfd[0] >= 0)
		close(cfd[0]);
	if (middle < 0) {
		r = -middle;
		close(fds[0]);
		if (cfd[1] >= 0)
			close(cfd[1]);
		return spawn_fail(s, DCTL_STAGE_FORK, r, "fork: %s",
				  spawn_errstr(s, r));
	}
	spawn_reap(middle, &status);
	r = await_report(s, fds[0], &cfd[1]);
	close(fds[0]);
	if (cfd[1] >= 0)
		close(cfd[1]);
	return r;
}
