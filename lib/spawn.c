/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dctl_spawn_start(): start a program detached (daemon-start), and the
 * struct dctl_spawn that carries its options and results.
 *
 * A start, step by step (each in the file named in spawn.h):
 *   validate everything (program, dirs, user)
 *   -> lock the pidfile (not with --forking: the program writes its own)
 *   -> open the output files
 *   -> environment with DAEMON_INSTANCE_ID (and NOTIFY_SOCKET)
 *   -> launch: the recipe in the daemon, which writes its own PID through
 *      the inherited lock and execs; failures come back over a
 *      close-on-exec report pipe, EOF without a record means exec succeeded
 *   -> watch the startup: --wait, --notify-await, or --forking's first
 *      process and pidfile, with the daemon as our child
 *      (PR_SET_CHILD_SUBREAPER) so that its exit status can be reported.
 * Any failure after the fork kills what we started and removes the pidfile.
 *
 * dctl_spawn_exec(), at the end: the same checks, then the program run in
 * the caller's own process, as start-stop-daemon runs it in place.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "launch.h"
#include "spawn.h"
#include "util.h"

#define DEFAULT_TIMEOUT_MS 60000u
#define NICE_MIN (-20)
#define NICE_MAX 19

static const char *const stage_names[] = {
	[DCTL_STAGE_NONE] = "none",
	[DCTL_STAGE_VALIDATE] = "validate",
	[DCTL_STAGE_PIDFILE] = "pidfile",
	[DCTL_STAGE_FORK] = "fork",
	[DCTL_STAGE_SETUP] = "setup",
	[DCTL_STAGE_EXEC] = "exec",
	[DCTL_STAGE_STARTUP] = "startup",
	[DCTL_STAGE_READY] = "ready",
};

const char *dctl_spawn_stage_str(enum dctl_spawn_stage stage)
{
	if ((unsigned)stage >= sizeof(stage_names) / sizeof(stage_names[0]))
		return "unknown";
	return stage_names[stage];
}

/* ------------------------------------------------- shared by the steps */

static void set_detail_v(struct spawn_result *res, const char *fmt,
			 va_list ap) __attribute__((format(printf, 2, 0)));

static void set_detail_v(struct spawn_result *res, const char *fmt,
			 va_list ap)
{
	char *text;

	if (vasprintf(&text, fmt, ap) < 0)
		return;
	free(res->detail);
	res->detail = text;
}

void spawn_set_detail(struct spawn_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_detail_v(res, fmt, ap);
	va_end(ap);
}

int spawn_fail(struct spawn *s, enum dctl_spawn_stage stage, int err,
	       const char *fmt, ...)
{
	va_list ap;

	s->res->stage = stage;
	s->res->error = err;
	va_start(ap, fmt);
	set_detail_v(s->res, fmt, ap);
	va_end(ap);
	spawn_log(s, DCTL_LOG_DEBUG, "failed at %s: %s",
		  dctl_spawn_stage_str(stage),
		  s->res->detail ? s->res->detail : "");
	return -err;
}

const char *spawn_span(struct spawn *s, unsigned ms)
{
	if (ms < 1000)
		snprintf(s->span_buf, sizeof(s->span_buf), "%u ms", ms);
	else if (ms % 1000 == 0)
		snprintf(s->span_buf, sizeof(s->span_buf), "%u s", ms / 1000);
	else
		snprintf(s->span_buf, sizeof(s->span_buf), "%u.%u s",
			 ms / 1000, ms % 1000 / 100);
	return s->span_buf;
}

bool spawn_watches(const struct spawn_opts *o)
{
	return o->wait_ms > 0 || o->ready != DCTL_READY_EXEC;
}

int spawn_reap(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, 0);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

/* ------------------------------------------------------------ the object */

static void reset_result(struct spawn_result *res)
{
	free(res->detail);
	memset(res, 0, sizeof(*res));
	res->exit_status = -1;
}

int spawn_refuse(struct dctl_spawn *s, const char *fmt, ...)
{
	va_list ap;

	s->res.stage = DCTL_STAGE_VALIDATE;
	s->res.error = EINVAL;
	va_start(ap, fmt);
	set_detail_v(&s->res, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

#define refuse spawn_refuse

static char **copy_argv(char *const *argv)
{
	size_t n = 0, i;
	char **v;

	while (argv[n])
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < n; i++) {
		if (!(v[i] = strdup(argv[i]))) {
			env_free(v);
			return NULL;
		}
	}
	return v;
}

int dctl_spawn_new(struct dctl_spawn **sp, const char *pidfile)
{
	struct dctl_spawn *s;

	if (!sp)
		return -EINVAL;
	*sp = NULL;
	if (pidfile && !*pidfile)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->o.umask = 022;
	s->o.ready = DCTL_READY_EXEC;
	backoff_cfg_init(&s->o.respawn);
	s->o.respawn.policy = SV_RESPAWN_NONE;
	s->o.cancel_fd = -1;
	s->res.exit_status = -1;
	if (util_set_string(&s->o.pidfile, pidfile) < 0) {
		free(s);
		return -ENOMEM;
	}
	*sp = s;
	return 0;
}

void dctl_spawn_free(struct dctl_spawn *s)
{
	if (!s)
		return;
	free(s->o.pidfile);
	free(s->o.program);
	env_free(s->o.argv);
	free(s->o.chdir_path);
	free(s->o.stdout_path);
	free(s->o.stderr_path);
	env_free(s->o.env);
	free(s->o.user);
	free(s->o.chroot_path);
	resources_free(&s->o);
	output_free(&s->o);
	free(s->res.detail);
	free(s);
}

int dctl_spawn_set_pidfile(struct dctl_spawn *s, const char *path)
{
	if (!s)
		return -EINVAL;
	if (!path || !*path)
		return spawn_refuse(s, "no pidfile given");
	return util_set_string(&s->o.pidfile, path);
}

int dctl_spawn_set_program(struct dctl_spawn *s, const char *program,
			   char *const *argv)
{
	char **v = NULL;
	int r;

	if (!s)
		return -EINVAL;
	if (!program || !*program)
		return spawn_refuse(s, "no program given");
	if (argv && argv[0] && !(v = copy_argv(argv)))
		return -ENOMEM;
	if ((r = util_set_string(&s->o.program, program)) < 0) {
		env_free(v);
		return r;
	}
	env_free(s->o.argv);
	s->o.argv = v;
	return 0;
}

int dctl_spawn_set_chdir(struct dctl_spawn *s, const char *dir)
{
	return s ? util_set_string(&s->o.chdir_path, dir) : -EINVAL;
}

int dctl_spawn_set_umask(struct dctl_spawn *s, mode_t mask)
{
	if (!s)
		return -EINVAL;
	if (mask & ~(mode_t)0777)
		return spawn_refuse(s, "umask %#o out of range 0..0777",
			      (unsigned)mask);
	s->o.umask = mask;
	return 0;
}

int dctl_spawn_set_stdout(struct dctl_spawn *s, const char *path)
{
	return s ? util_set_string(&s->o.stdout_path, path) : -EINVAL;
}

int dctl_spawn_set_stderr(struct dctl_spawn *s, const char *path)
{
	return s ? util_set_string(&s->o.stderr_path, path) : -EINVAL;
}

int dctl_spawn_add_env(struct dctl_spawn *s, const char *entry)
{
	char **more, *copy;
	int r;

	if (!s || !entry)
		return -EINVAL;
	if ((r = env_check_entry(&s->res, entry)) < 0)
		return r;
	copy = strdup(entry);
	if (!copy)
		return -ENOMEM;
	more = realloc(s->o.env, (s->o.n_env + 2) * sizeof(*more));
	if (!more) {
		free(copy);
		return -ENOMEM;
	}
	more[s->o.n_env++] = copy;
	more[s->o.n_env] = NULL;
	s->o.env = more;
	return 0;
}

int dctl_spawn_set_user(struct dctl_spawn *s, const char *spec)
{
	return s ? util_set_string(&s->o.user, spec) : -EINVAL;
}

int dctl_spawn_set_chroot(struct dctl_spawn *s, const char *dir)
{
	if (!s)
		return -EINVAL;
	if (dir && dir[0] != '/')
		return spawn_refuse(s, "chroot directory %s: must be absolute", dir);
	return util_set_string(&s->o.chroot_path, dir);
}

int dctl_spawn_set_nice(struct dctl_spawn *s, int inc)
{
	if (!s)
		return -EINVAL;
	if (inc < NICE_MIN || inc > NICE_MAX)
		return spawn_refuse(s, "nice level %d out of range %d..%d", inc,
			      NICE_MIN, NICE_MAX);
	s->o.nice = inc;
	s->o.set_nice = true;
	return 0;
}

int dctl_spawn_set_ready(struct dctl_spawn *s, enum dctl_ready ready)
{
	if (!s)
		return -EINVAL;
	if (ready != DCTL_READY_EXEC && ready != DCTL_READY_NOTIFY &&
	    ready != DCTL_READY_FORKING)
		return spawn_refuse(s, "unknown readiness mode %d", (int)ready);
	s->o.ready = ready;
	return 0;
}

int dctl_spawn_set_wait_ms(struct dctl_spawn *s, unsigned int ms)
{
	if (!s)
		return -EINVAL;
	s->o.wait_ms = ms;
	return 0;
}

int dctl_spawn_set_timeout_ms(struct dctl_spawn *s, unsigned int ms)
{
	if (!s)
		return -EINVAL;
	s->o.timeout_ms = ms;
	return 0;
}

int dctl_spawn_set_test(struct dctl_spawn *s, bool test)
{
	if (!s)
		return -EINVAL;
	s->o.test = test;
	return 0;
}

int dctl_spawn_set_cancel_fd(struct dctl_spawn *s, int fd)
{
	if (!s)
		return -EINVAL;
	if (fd < -1)
		return spawn_refuse(s, "cancel descriptor %d: not a descriptor",
				    fd);
	s->o.cancel_fd = fd;
	return 0;
}

int dctl_spawn_set_log(struct dctl_spawn *s, dctl_log_fn fn, void *data)
{
	if (!s)
		return -EINVAL;
	s->o.log = fn;
	s->o.log_data = data;
	return 0;
}

pid_t dctl_spawn_get_pid(const struct dctl_spawn *s)
{
	return s ? s->res.pid : -EINVAL;
}

const char *dctl_spawn_get_instance(const struct dctl_spawn *s)
{
	return s ? s->res.instance : NULL;
}

enum dctl_spawn_stage dctl_spawn_get_stage(const struct dctl_spawn *s)
{
	return s ? s->res.stage : DCTL_STAGE_NONE;
}

int dctl_spawn_get_error(const struct dctl_spawn *s)
{
	return s ? s->res.error : -EINVAL;
}

int dctl_spawn_get_exit_status(const struct dctl_spawn *s)
{
	return s ? s->res.exit_status : -EINVAL;
}

int dctl_spawn_get_term_signal(const struct dctl_spawn *s)
{
	return s ? s->res.term_signal : -EINVAL;
}

const char *dctl_spawn_get_detail(const struct dctl_spawn *s)
{
	if (!s)
		return NULL;
	return s->res.detail ? s->res.detail : "";
}

/* ------------------------------------------------------------- a start */

static int prepare(struct spawn *s)
{
	int r;

	r = util_uuid_random(s->res->instance);
	if (r < 0)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, -r,
			    "cannot make an instance id: %s", spawn_errstr(s, -r));
	/* A supervisor's socket lasts across restarts. */
	if (s->o->ready == DCTL_READY_NOTIFY && !s->o->test && s->ns.fd < 0) {
		r = notify_sock_open(&s->ns);
		if (r < 0)
			return spawn_fail(s, DCTL_STAGE_VALIDATE, -r,
				    "cannot create a notification socket: %s",
				    spawn_errstr(s, -r));
		if (s->have_user &&
		    (r = notify_sock_chown(&s->ns, s->user.uid, s->user.gid)))
			return spawn_fail(s, DCTL_STAGE_VALIDATE, -r,
				    "cannot hand the notification socket to --chuid %s: %s",
				    s->o->user, spawn_errstr(s, -r));
	}
	return env_build(s);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void spawn_release_run(struct spawn *s)
{
	int saved = errno;

	ready_restore_subreaper(s);
	close_fd(&s->pidfd);
	close_fd(&s->main_fd);
	/* Last: the --forking start window ends with the cleanup. */
	close_fd(&s->lock_fd);
	close_fd(&s->pipe_rd);
	close_fd(&s->pipe_wr);
	close_fd(&s->out_fd);
	close_fd(&s->err_fd);
	if (!s->keep_ns && (s->ns.fd >= 0 || s->ns.dir[0])) {
		notify_sock_close(&s->ns);
		s->ns.fd = -1;
		s->ns.dir[0] = '\0';
	}
	envfile_env_free(&s->env);
	free(s->mine);
	s->mine = NULL;
	s->n_mine = 0;
	errno = saved;
}

void spawn_reset_run(struct spawn *s)
{
	s->out_fd = s->err_fd = -1;
	s->pipe_rd = s->pipe_wr = -1;
	s->pidfd = s->main_fd = s->lock_fd = -1;
	s->daemon = 0;
	s->sid = 0;
	s->reaped = false;
	s->running = false;
}

void spawn_release(struct spawn *s, bool failed)
{
	int saved = errno;

	if (failed) {
		children_kill_all(s);
		if (s->o->ready == DCTL_READY_FORKING && s->daemon > 0)
			startlock_forking_cleanup(s);
		dctl_pidfile_remove(s->pf);
	} else {
		dctl_pidfile_close(s->pf);
	}
	s->pf = NULL;
	s->keep_ns = false;
	/* A start that failed may have said why on its stderr. */
	output_close(s, SPAWN_DRAIN_FAILED_MS);
	spawn_release_run(s);
	spawn_free_resolved(s);
	errno = saved;
}

void spawn_free_resolved(struct spawn *s)
{
	creds_free(&s->user);
	free(s->program);
	s->program = NULL;
	free(s->chdir_buf);
	s->chdir_buf = NULL;
	launch_stacks_free(s->stacks);
	s->stacks = NULL;
}

int spawn_steps(struct spawn *s)
{
	int r;

	r = startlock_take(s);
	if (!r)
		r = outfile_open_all(s);
	if (!r)
		r = prepare(s);
	if (r || s->o->test)
		return r;
	r = launch_start(s);
	if (!r && spawn_watches(s->o))
		r = ready_watch(s);
	return r;
}

int dctl_spawn_start(struct dctl_spawn *sp)
{
	struct spawn s = {
		.ns = { .fd = -1 },
	};
	const struct spawn_opts *o;
	int r;

	if (!sp)
		return -EINVAL;
	reset_result(&sp->res);
	spawn_reset_run(&s);
	s.o = o = &sp->o;
	s.res = &sp->res;
	s.timeout_ms = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;

	r = validate_start(&s);
	if (!r)
		r = respawn_validate(&s);
	/* A log keeper is a resident process: the supervisor's, which then
	 * supervises one run without --respawn. */
	if (!r && (o->respawn.policy != SV_RESPAWN_NONE || output_kept(o)) &&
	    !o->test) {
		r = respawn_start(&s);
		spawn_free_resolved(&s);
	} else {
		if (!r)
			r = spawn_steps(&s);
		if (!r && o->test)
			spawn_log(&s, DCTL_LOG_DEBUG, "would start %s (pidfile %s)",
				  s.program, o->pidfile);
		spawn_release(&s, r < 0);
	}
	/* -EEXIST means "already running" and nothing else: any other step
	 * that failed with EEXIST (get_error() says so) is just a failure. */
	if (r == -EEXIST && !s.running)
		r = -EIO;
	if (r < 0 && r != -EEXIST)
		sp->res.pid = 0;
	return r;
}

int dctl_spawn_exec(struct dctl_spawn *sp)
{
	struct spawn s = {
		.out_fd = -1, .err_fd = -1, .ns = { .fd = -1 },
		.pipe_rd = -1, .pipe_wr = -1, .pidfd = -1, .main_fd = -1,
		.lock_fd = -1,
	};
	int r;

	if (!sp)
		return -EINVAL;
	reset_result(&sp->res);
	s.o = &sp->o;
	s.res = &sp->res;
	/* Nothing is left to watch the program once it replaced us. */
	if (spawn_watches(s.o))
		return spawn_fail(&s, DCTL_STAGE_VALIDATE, EINVAL,
				  "a program run in place cannot be waited for");
	if (s.o->respawn.policy != SV_RESPAWN_NONE)
		return spawn_fail(&s, DCTL_STAGE_VALIDATE, EINVAL,
				  "a program run in place cannot be supervised");
	if (output_kept(s.o))
		return spawn_fail(&s, DCTL_STAGE_VALIDATE, EINVAL,
				  "a program run in place cannot have a log keeper (--syslog, --output-max-size, --timestamps)");
	r = validate_exec(&s);
	if (!r && s.o->pidfile)
		r = startlock_take(&s);
	if (!r)
		r = prepare(&s);
	if (!r && !s.o->test)
		r = launch_exec_here(&s);
	/* Back here, the exec failed: no process of ours holds the lock. */
	if (r < 0) {
		dctl_pidfile_remove(s.pf);
		s.pf = NULL;
	}
	spawn_release(&s, false);
	if (r == -EEXIST && !s.running)
		r = -EIO;
	return r;
}
