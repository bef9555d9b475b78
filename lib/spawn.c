/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dctl_spawn(): start a program detached (daemon-start).
 *
 *   validate everything (program, dirs, user, output files, env)
 *   -> lock the pidfile (not with --forking: the program writes its own)
 *   -> environment with DAEMON_INSTANCE_ID (and NOTIFY_SOCKET)
 *   -> recipe_launch() + recipe_apply() in the daemon, which writes its own
 *      PID through the inherited lock and execs; failures come back over a
 *      close-on-exec status pipe, EOF without a record means exec succeeded
 *   -> startup watch: --wait, --notify-await, or --forking's first process
 *      and pidfile, with the daemon as our child (PR_SET_CHILD_SUBREAPER)
 *      so that its exit status or signal can be reported.
 * Any failure after the fork kills what we started and removes the pidfile.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "daemonctl.h"
#include "notify.h"
#include "pidfile.h"
#include "proc.h"
#include "recipe.h"
#include "spawn.h"
#include "util.h"

extern char **environ;

#define DEFAULT_TIMEOUT_MS 60000u
/* How often --forking looks at the pidfile while waiting for it. */
#define FORKING_POLL_MS 10
/* Naps of 20 us while exec finishes: seldom more than one, some 35 ms
 * (with timer slack) at the very worst. */
#define EXEC_DONE_TRIES 500
#define NICE_MIN (-20)
#define NICE_MAX 19

struct spawn {
	const struct dctl_spawn_opts *o;
	struct dctl_spawn_result *res;
	char program[PATH_MAX];		/* resolved, inside any chroot */
	char chdir_buf[PATH_MAX];
	const char *chdir_path;
	char *default_argv[2];
	char *const *argv;
	char **envp;
	struct recipe_user user;
	bool have_user;
	int out_fd, err_fd;
	struct dctl_pidfile *pf;
	struct notify_sock ns;
	int pipe_rd, pipe_wr;
	bool subreaper;
	int prev_subreaper;
	pid_t daemon;			/* the process we watch, our child */
	pid_t sid;			/* its session: the middle child's PID */
	int main_fd;			/* pidfd of an accepted MAINPID=, or -1 */
	int lock_fd;			/* --forking: the locked PIDFILE.lock */
	bool running;			/* failed as already running */
	pid_t *mine;			/* the caller's children before the fork */
	size_t n_mine;
	unsigned long long fork_ticks;	/* boot-time clock ticks at the fork */
	int pidfd;
	bool reaped;
	unsigned timeout_ms;
	char ebuf[128];			/* errstr()'s text */
	char span_buf[32];		/* span()'s text */
};

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

void dctl_spawn_opts_init(struct dctl_spawn_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->umask = 022;
	o->ready = DCTL_READY_EXEC;
}

/*
 * The text of errno err, thread-safely (strerror() is not): the GNU
 * strerror_r returns it, in s->ebuf or static. Every message here names
 * one error, so one buffer per struct spawn is enough.
 */
#define errstr(s, err) util_strerror((err), (s)->ebuf, sizeof((s)->ebuf))

/*
 * A duration for a message: "300 ms" below a second (where whole seconds
 * would say "0 s"), else "2 s" or "2.5 s". One per message, like errstr().
 */
static const char *span(struct spawn *s, unsigned ms)
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

#define log_at(s, level, ...) \
	util_log((s)->o->log, (s)->o->log_data, level, __VA_ARGS__)

/* Record a failure (stage, errno, one-line detail) and return -err. */
static int fail(struct spawn *s, enum dctl_spawn_stage stage, int err,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct spawn *s, enum dctl_spawn_stage stage, int err,
		const char *fmt, ...)
{
	va_list ap;

	s->res->stage = stage;
	s->res->error = err;
	va_start(ap, fmt);
	vsnprintf(s->res->detail, sizeof(s->res->detail), fmt, ap);
	va_end(ap);
	log_at(s, DCTL_LOG_DEBUG, "failed at %s: %s",
	       dctl_spawn_stage_str(stage), s->res->detail);
	return -err;
}

/* ---------------------------------------------------------- validation */

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

static int check_env(struct spawn *s)
{
	char *const *e;
	const char *eq;

	for (e = s->o->env; e && *e; e++) {
		eq = strchr(*e, '=');
		if (!eq || !valid_env_name(*e, (size_t)(eq - *e)))
			return fail(s, DCTL_STAGE_VALIDATE, EINVAL,
				    "invalid environment entry '%s': NAME=VALUE wanted",
				    *e);
		/* A daemon's identity and readiness channel are ours to set:
		 * a forged instance id would fool daemon-stop --instance. */
		if (env_name_is(*e, "DAEMON_INSTANCE_ID") ||
		    env_name_is(*e, "NOTIFY_SOCKET"))
			return fail(s, DCTL_STAGE_VALIDATE, EINVAL,
				    "invalid environment entry '%s': %.*s is set by daemon-start",
				    *e, (int)(eq - *e), *e);
	}
	return 0;
}

static int check_dir(struct spawn *s, const char *what, const char *root,
		     const char *dir)
{
	char full[PATH_MAX];
	struct stat st;
	int n;

	n = snprintf(full, sizeof(full), "%s%s", root ? root : "", dir);
	if (n < 0 || (size_t)n >= sizeof(full))
		return fail(s, DCTL_STAGE_VALIDATE, ENAMETOOLONG,
			    "%s %s: path too long", what, dir);
	if (stat(full, &st) < 0)
		return fail(s, DCTL_STAGE_VALIDATE, errno, "%s %s: %s", what,
			    full, errstr(s, errno));
	if (!S_ISDIR(st.st_mode))
		return fail(s, DCTL_STAGE_VALIDATE, ENOTDIR,
			    "%s %s: not a directory", what, full);
	return 0;
}

static int check_dirs(struct spawn *s)
{
	const struct dctl_spawn_opts *o = s->o;
	char cwd[PATH_MAX];
	int e;

	if (o->chroot_path) {
		if (o->chroot_path[0] != '/')
			return fail(s, DCTL_STAGE_VALIDATE, EINVAL,
				    "chroot directory %s: must be absolute",
				    o->chroot_path);
		if ((e = check_dir(s, "chroot directory", NULL,
				   o->chroot_path)))
			return e;
	}
	s->chdir_path = o->chdir_path ? o->chdir_path : "/";
	/* A relative --chdir means the caller's cwd without a chroot (the
	 * daemon leaves that cwd), and the new root with one. */
	if (s->chdir_path[0] != '/') {
		if (!o->chroot_path && !getcwd(cwd, sizeof(cwd)))
			return fail(s, DCTL_STAGE_VALIDATE, errno,
				    "cannot resolve --chdir %s: %s",
				    s->chdir_path, errstr(s, errno));
		e = snprintf(s->chdir_buf, sizeof(s->chdir_buf), "%s/%s",
			     o->chroot_path ? "" : cwd, s->chdir_path);
		if (e < 0 || (size_t)e >= sizeof(s->chdir_buf))
			return fail(s, DCTL_STAGE_VALIDATE, ENAMETOOLONG,
				    "directory %s: path too long",
				    s->chdir_path);
		s->chdir_path = s->chdir_buf;
	}
	return check_dir(s, "directory", o->chroot_path, s->chdir_path);
}

static int check_program(struct spawn *s)
{
	const struct dctl_spawn_opts *o = s->o;
	int e;

	if (!o->program || !*o->program)
		return fail(s, DCTL_STAGE_VALIDATE, EINVAL, "no program given");
	e = recipe_find_program(o->program, o->chroot_path, s->program,
				sizeof(s->program));
	if (e == -ENOENT)
		return fail(s, DCTL_STAGE_VALIDATE, ENOENT,
			    "program not found: %s", o->program);
	if (e == -EACCES)
		return fail(s, DCTL_STAGE_VALIDATE, EACCES,
			    "program not executable: %s", s->program);
	if (e)
		return fail(s, DCTL_STAGE_VALIDATE, -e, "program %s: %s",
			    o->program, errstr(s, -e));
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
		return fail(s, DCTL_STAGE_VALIDATE, EPERM,
			    "--chuid %s: only root can change user", spec);
	e = recipe_resolve_user(spec, &s->user);
	if (e == -ENOENT)
		return fail(s, DCTL_STAGE_VALIDATE, ENOENT,
			    "unknown user in --chuid %s", spec);
	if (e == -ESRCH)
		return fail(s, DCTL_STAGE_VALIDATE, ESRCH,
			    "unknown group in --chuid %s", spec);
	if (e)
		return fail(s, DCTL_STAGE_VALIDATE, -e, "--chuid %s: %s", spec,
			    errstr(s, -e));
	s->have_user = true;
	return 0;
}

/*
 * Open for append; a file we create is 0640 whatever the caller's umask.
 * O_NONBLOCK so that a FIFO without a reader is -ENXIO instead of a hang;
 * the daemon then gets an ordinary, blocking descriptor.
 */
static int open_append(const char *path)
{
	const int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY |
			  O_NONBLOCK;
	int fd, e;

	fd = open(path, flags | O_CREAT | O_EXCL, 0640);
	if (fd >= 0 && fchmod(fd, 0640) < 0)
		goto fail;
	if (fd < 0 && errno != EEXIST)
		return -errno;
	if (fd < 0 && (fd = open(path, flags)) < 0)
		return -errno;
	if (fcntl(fd, F_SETFL, flags & ~O_NONBLOCK & ~O_CLOEXEC) < 0)
		goto fail;
	return fd;
fail:
	e = -errno;
	close(fd);
	return e;
}

/* The directory that holds path ("." for a bare name) into buf. */
static void parent_dir(const char *path, char *buf, size_t size)
{
	char *slash;

	snprintf(buf, size, "%s", path);
	slash = strrchr(buf, '/');
	if (!slash)
		snprintf(buf, size, ".");
	else if (slash == buf)
		buf[1] = '\0';
	else
		*slash = '\0';
}

/*
 * Open an output file for append, created 0640, here in the caller and
 * before any privilege drop. In test mode, only check it could be.
 */
static int open_output(struct spawn *s, const char *path, int *fd)
{
	char dir[PATH_MAX];

	*fd = -1;
	if (!path)
		return 0;
	if (!s->o->test) {
		*fd = open_append(path);
		if (*fd == -ENXIO)
			return fail(s, DCTL_STAGE_VALIDATE, ENXIO,
				    "cannot open output file %s: no process reads it",
				    path);
		if (*fd < 0)
			return fail(s, DCTL_STAGE_VALIDATE, -*fd,
				    "cannot open output file %s: %s", path,
				    errstr(s, -*fd));
		return 0;
	}
	if (access(path, F_OK) == 0) {
		if (access(path, W_OK) < 0)
			return fail(s, DCTL_STAGE_VALIDATE, errno,
				    "cannot open output file %s: %s", path,
				    errstr(s, errno));
		return 0;
	}
	parent_dir(path, dir, sizeof(dir));
	if (access(dir, W_OK | X_OK) < 0)
		return fail(s, DCTL_STAGE_VALIDATE, errno,
			    "cannot create output file %s: %s", path,
			    errstr(s, errno));
	return 0;
}

/* What a start checks whether or not it detaches the program. */
static int validate_program(struct spawn *s)
{
	const struct dctl_spawn_opts *o = s->o;
	int e;

	if (o->umask & ~(mode_t)0777)
		return fail(s, DCTL_STAGE_VALIDATE, EINVAL,
			    "umask %#o out of range 0..0777", (unsigned)o->umask);
	if (o->set_nice && (o->nice < NICE_MIN || o->nice > NICE_MAX))
		return fail(s, DCTL_STAGE_VALIDATE, EINVAL,
			    "nice level %d out of range %d..%d", o->nice,
			    NICE_MIN, NICE_MAX);
	if (o->ready != DCTL_READY_EXEC && o->ready != DCTL_READY_NOTIFY &&
	    o->ready != DCTL_READY_FORKING)
		return fail(s, DCTL_STAGE_VALIDATE, EINVAL,
			    "unknown readiness mode %d", (int)o->ready);
	if ((e = check_env(s)) || (e = check_dirs(s)) ||
	    (e = check_program(s)) || (e = check_user(s)))
		return e;
	return 0;
}

static int validate(struct spawn *s)
{
	if (!s->o->pidfile || !*s->o->pidfile)
		return fail(s, DCTL_STAGE_VALIDATE, EINVAL, "no pidfile given");
	return validate_program(s);
}

/*
 * The output files, opened once the pidfile is locked (so that a start
 * that finds the daemon running creates no empty log), and still in the
 * caller, before any privilege drop.
 */
static int open_outputs(struct spawn *s)
{
	const struct dctl_spawn_opts *o = s->o;
	int e;

	if ((e = open_output(s, o->stdout_path, &s->out_fd)))
		return e;
	/* The same file for both (-O): one description, shared offset. */
	if (o->stderr_path && o->stdout_path && s->out_fd >= 0 &&
	    strcmp(o->stderr_path, o->stdout_path) == 0) {
		s->err_fd = fcntl(s->out_fd, F_DUPFD_CLOEXEC, 3);
		if (s->err_fd < 0)
			return fail(s, DCTL_STAGE_VALIDATE, errno,
				    "cannot open output file %s: %s",
				    o->stderr_path, errstr(s, errno));
		return 0;
	}
	return open_output(s, o->stderr_path, &s->err_fd);
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
static int build_env(struct spawn *s)
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
		return fail(s, DCTL_STAGE_VALIDATE, ENOMEM, "out of memory");
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
		return fail(s, DCTL_STAGE_VALIDATE, ENOMEM, "out of memory");
	return 0;
}

static void free_env(char **envp)
{
	char **p;

	for (p = envp; p && *p; p++)
		free(*p);
	free(envp);
}

/* ------------------------------------------------------------ the child */

/* In the daemon, which shares our memory until exec (recipe_launch()):
 * plain system calls only, and nothing written outside its own stack. */
static int daemon_main(void *arg)
{
	const struct spawn *s = arg;
	const struct dctl_spawn_opts *o = s->o;
	enum recipe_step step;
	struct recipe r;
	int e;

	close(s->pipe_rd);
	recipe_init(&r);
	r.stdout_fd = s->out_fd;
	r.stderr_fd = s->err_fd;
	r.keep_fd = s->pf ? dctl_pidfile_fileno(s->pf) : -1;
	r.keep_cloexec[r.n_keep_cloexec++] = s->pipe_wr;
	r.chroot_path = o->chroot_path;
	r.chdir_path = s->chdir_path;
	r.umask = o->umask;
	r.set_nice = o->set_nice;
	r.nice = o->nice;
	r.user = s->have_user ? &s->user : NULL;

	e = recipe_apply(&r, &step);
	if (e) {
		recipe_report_fail(r.keep_cloexec[0], step, -e);
		return 127;
	}
	/* Our own PID into the locked pidfile, through the inherited
	 * descriptor, so that the file is right before the program runs. */
	if (r.keep_fd >= 0 && (e = pidfile_write_fd(r.keep_fd, getpid()))) {
		recipe_report_fail(r.keep_cloexec[0], RECIPE_STEP_PIDFILE, -e);
		return 127;
	}
	execve(s->program, s->argv, s->envp);
	recipe_report_fail(r.keep_cloexec[0], RECIPE_STEP_EXEC, errno);
	return 127;
}

/* ---------------------------------------------------------- the parent */

static void set_subreaper(struct spawn *s)
{
	/* Without it the daemon goes to init when the middle child exits,
	 * and its exit status during startup would be lost to us. */
	if (prctl(PR_GET_CHILD_SUBREAPER, &s->prev_subreaper) < 0)
		s->prev_subreaper = 0;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == 0)
		s->subreaper = true;
	else
		log_at(s, DCTL_LOG_WARNING,
		       "cannot become a subreaper: %s (startup exit status will be unknown)",
		       errstr(s, errno));
}

static void restore_subreaper(struct spawn *s)
{
	if (s->subreaper && !s->prev_subreaper)
		prctl(PR_SET_CHILD_SUBREAPER, 0);
	s->subreaper = false;
}

/* Append pid to a growing array. 0 or -ENOMEM. */
static int pids_push(pid_t **v, size_t *n, size_t *cap, pid_t pid)
{
	pid_t *more;

	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		more = realloc(*v, *cap * sizeof(*more));
		if (!more)
			return -ENOMEM;
		*v = more;
	}
	(*v)[(*n)++] = pid;
	return 0;
}

/*
 * The children of one of our threads, from /proc/self/task/TID/children
 * (the kernel's own list: no look at other processes). -ENOENT where the
 * kernel does not provide it.
 */
static int task_children(const char *tid, pid_t **v, size_t *n, size_t *cap)
{
	char path[sizeof("/proc/self/task//children") + NAME_MAX];
	long pid;
	FILE *f;
	int r = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%s/children", tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (r == 0 && fscanf(f, "%ld", &pid) == 1)
		if (pid > 1)
			r = pids_push(v, n, cap, (pid_t)pid);
	fclose(f);
	return r;
}

static int children_from_tasks(pid_t **v, size_t *n, size_t *cap)
{
	struct dirent *d;
	DIR *dir = opendir("/proc/self/task");
	int r = 0;

	if (!dir)
		return -errno;
	while (r == 0 && (d = readdir(dir)))
		if (d->d_name[0] != '.')
			r = task_children(d->d_name, v, n, cap);
	closedir(dir);
	return r;
}

/* Without the children files: every process whose parent we are. */
static int children_from_scan(pid_t **v, size_t *n, size_t *cap)
{
	struct proc_stat ps;
	struct dirent *d;
	pid_t self = getpid(), pid;
	DIR *dir = opendir("/proc");
	int r = 0;

	if (!dir)
		return -errno;
	while (r == 0 && (d = readdir(dir))) {
		pid = (pid_t)atoi(d->d_name);
		if (pid > 1 && proc_read_stat(pid, &ps) == 0 && ps.ppid == self)
			r = pids_push(v, n, cap, pid);
	}
	closedir(dir);
	return r;
}

/* Our children now, in *v (malloc'd, *n of them). 0 or -errno. */
static int list_children(pid_t **v, size_t *n)
{
	size_t cap = 0;
	int r;

	*v = NULL;
	*n = 0;
	r = children_from_tasks(v, n, &cap);
	if (r == -ENOENT) {
		*n = 0;
		r = children_from_scan(v, n, &cap);
	}
	if (r < 0) {
		free(*v);
		*v = NULL;
		*n = 0;
	}
	return r;
}

/*
 * Note the caller's own children, before we fork: a failed start sweeps up
 * what it left behind (sweep_children()) and must never touch these.
 */
static void record_children(struct spawn *s)
{
	int r = list_children(&s->mine, &s->n_mine);

	/* Not fatal: the start-time boundary (start_ticks) still keeps the
	 * caller's earlier children out of the sweep. */
	if (r < 0)
		log_at(s, DCTL_LOG_WARNING,
		       "cannot list our children: %s (going on without)",
		       errstr(s, -r));
}

/*
 * The boot-time clock in clock ticks, as /proc/PID/stat counts a process's
 * start: every process this start creates began at or after this value.
 */
static unsigned long long boot_ticks(void)
{
	long hz = sysconf(_SC_CLK_TCK);
	struct timespec ts;

	if (hz <= 0 || clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return 0;
	return (unsigned long long)ts.tv_sec * (unsigned long long)hz +
	       (unsigned long long)ts.tv_nsec * (unsigned long long)hz /
	       1000000000ULL;
}

static bool was_mine(const struct spawn *s, pid_t pid)
{
	size_t i;

	for (i = 0; i < s->n_mine; i++)
		if (s->mine[i] == pid)
			return true;
	return false;
}

/*
 * Is this child of ours (ps: its stat) a process of this start? Those in
 * the daemon's session are (no outside process can join it). One that
 * moved to a session of its own is, if it started after our fork and
 * carries this start's DAEMON_INSTANCE_ID: an orphan of another of the
 * caller's process trees, reparented to us while we are subreaper, is not.
 */
static bool of_this_start(struct spawn *s, pid_t pid,
			  const struct proc_stat *ps)
{
	char id[DCTL_UUID_LEN];

	if (ps->session == s->sid)
		return true;
	/* The kernel truncates start times to a tick, so can we. */
	if (ps->start_ticks + 1 < s->fork_ticks)
		return false;
	return proc_instance(pid, id, sizeof(id)) == 0 &&
	       strcmp(id, s->res->instance) == 0;
}

static bool need_watch(const struct dctl_spawn_opts *o)
{
	return o->wait_ms > 0 || o->ready != DCTL_READY_EXEC;
}

static int reap(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, 0);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

static enum dctl_spawn_stage step_stage(int step)
{
	switch (step) {
	case RECIPE_STEP_SETSID:
	case RECIPE_STEP_FORK2:
		return DCTL_STAGE_FORK;
	case RECIPE_STEP_EXEC:
		return DCTL_STAGE_EXEC;
	case RECIPE_STEP_PIDFILE:
		return DCTL_STAGE_PIDFILE;
	default:
		return DCTL_STAGE_SETUP;
	}
}

static int report_failure(struct spawn *s, const struct recipe_msg *m)
{
	enum dctl_spawn_stage stage = step_stage(m->step);
	int err = m->err > 0 ? m->err : EIO;

	if (stage == DCTL_STAGE_EXEC)
		return fail(s, stage, err, "cannot execute %s: %s",
			    s->program, errstr(s, err));
	if (stage == DCTL_STAGE_PIDFILE)
		return fail(s, stage, err, "cannot write pidfile %s: %s",
			    s->o->pidfile, errstr(s, err));
	return fail(s, stage, err, "daemon setup failed at %s: %s",
		    recipe_step_str((enum recipe_step)m->step), errstr(s, err));
}

/*
 * EOF on the status pipe comes when exec closes it, a moment before the
 * kernel has put the program's arguments and environment in place: a
 * status or a daemon-stop --instance right after we return would find no
 * instance id (it did, in a third of the starts of a tight loop). The
 * environment is never empty, as it holds DAEMON_INSTANCE_ID: wait until
 * it shows, briefly.
 */
static void await_exec_done(struct spawn *s)
{
	const struct timespec nap = { 0, 20 * 1000 };
	int i;

	for (i = 0; i < EXEC_DONE_TRIES; i++) {
		if (proc_environ_ready(s->daemon) != 0)
			return;
		nanosleep(&nap, NULL);
	}
	log_at(s, DCTL_LOG_DEBUG, "pid %d: environment not visible yet",
	       (int)s->daemon);
}

/*
 * Fork through the recipe and learn, from the status pipe, the daemon's
 * PID and whether exec succeeded.
 */
static int launch(struct spawn *s)
{
	struct recipe_msg m, failure = { 0 };
	int fds[2], status = 0, r;
	pid_t middle;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return fail(s, DCTL_STAGE_FORK, errno, "pipe: %s",
			    errstr(s, errno));
	s->pipe_rd = fds[0];
	s->pipe_wr = fds[1];
	if (need_watch(s->o)) {
		record_children(s);
		set_subreaper(s);
	}
	s->fork_ticks = boot_ticks();

	/* Returns once the daemon has exec'd or failed: its PID and any
	 * failure are in the pipe by then. */
	middle = recipe_launch(s->pipe_wr, daemon_main, s);
	close(s->pipe_wr);
	s->pipe_wr = -1;
	if (middle < 0)
		return fail(s, DCTL_STAGE_FORK, -middle, "fork: %s",
			    errstr(s, -middle));
	/* The middle child called setsid(): its PID names the session that
	 * the daemon and everything it forks belong to. */
	s->sid = middle;
	/* Once the middle child is gone, the daemon is ours (subreaper). */
	reap(middle, &status);

	while ((r = recipe_report_read(s->pipe_rd, &m)) > 0) {
		if (m.kind == RECIPE_MSG_PID && m.pid > 1)
			s->daemon = m.pid;
		else if (m.kind == RECIPE_MSG_FAIL && !failure.kind)
			failure = m;
	}
	close(s->pipe_rd);
	s->pipe_rd = -1;
	if (failure.kind)
		return report_failure(s, &failure);
	if (r < 0 || s->daemon <= 1)
		return fail(s, DCTL_STAGE_FORK, r < 0 ? -r : ECHILD,
			    "the daemon was lost before exec (middle child status %d)",
			    status);
	s->res->pid = s->daemon;
	await_exec_done(s);
	log_at(s, DCTL_LOG_DEBUG, "%s executed as pid %d", s->program,
	       (int)s->daemon);
	return 0;
}

/* Reap the watched process (it has exited). 0 or -errno. */
static int reap_watched(struct spawn *s, siginfo_t *si)
{
	int r;

	memset(si, 0, sizeof(*si));
	do
		r = waitid(P_PID, (id_t)s->daemon, si, WEXITED);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	s->reaped = true;
	return 0;
}

/* Describe how the watched process ended; reaps it. Returns -ECHILD. */
static int report_death(struct spawn *s, const char *when)
{
	const char *name;
	siginfo_t si;

	if (reap_watched(s, &si) < 0)
		return fail(s, DCTL_STAGE_STARTUP, ECHILD, "%s exited %s",
			    s->program, when);
	if (si.si_code == CLD_EXITED) {
		s->res->exit_status = si.si_status;
		return fail(s, DCTL_STAGE_STARTUP, ECHILD,
			    "%s exited with status %d %s", s->program,
			    si.si_status, when);
	}
	s->res->term_signal = si.si_status;
	name = dctl_signal_name(si.si_status);
	if (name)
		return fail(s, DCTL_STAGE_STARTUP, ECHILD,
			    "%s killed by signal %s %s", s->program, name,
			    when);
	return fail(s, DCTL_STAGE_STARTUP, ECHILD,
		    "%s killed by signal %d %s", s->program, si.si_status,
		    when);
}

/*
 * Wait until the watched process exits or ms pass (ms < 0: forever).
 * Returns 1 if it exited, 0 if still alive, -errno.
 */
static int wait_exit(struct spawn *s, long long ms)
{
	int r;

	/* Without a pidfd, proc_wait_exit() polls the PID: safe, as the
	 * process is our unreaped child and its PID cannot be reused. */
	r = proc_wait_exit(s->pidfd, s->daemon,
			   ms < 0 ? -1 : ms > INT_MAX ? INT_MAX : (int)ms);
	if (r == -ETIMEDOUT)
		return 0;
	return r < 0 ? r : 1;
}

static int watch_alive(struct spawn *s, unsigned ms)
{
	int r = wait_exit(s, ms);

	if (r < 0)
		return fail(s, DCTL_STAGE_STARTUP, -r, "cannot watch pid %d: %s",
			    (int)s->daemon, errstr(s, -r));
	if (r == 1)
		return report_death(s, "during startup");
	return 0;
}

/* ------------------------------------------------------------ readiness */

/* Take one accepted notification into account. 1: ready, 0: go on. */
static int take_notification(struct spawn *s, const struct notify_msg *m,
			     long long *deadline, pid_t *mainpid)
{
	if (m->has_status) {
		log_at(s, DCTL_LOG_INFO, "status: %s", m->status);
		snprintf(s->res->detail, sizeof(s->res->detail), "%s",
			 m->status);
	}
	if (m->has_mainpid)
		*mainpid = m->mainpid;
	if (m->has_extend) {
		long long until = util_now_ms() +
				  (long long)(m->extend_usec / 1000);

		if (until > *deadline)
			*deadline = until;
	}
	/* The daemon's own errno goes to res->error; the return value says
	 * only that the daemon gave up, so that ERRNO=17 is not taken for
	 * -EEXIST, "already running". */
	if (m->has_errno) {
		fail(s, DCTL_STAGE_READY, m->err,
		     "daemon reported failure: ERRNO=%d (%s)", m->err,
		     errstr(s, m->err));
		return -ECANCELED;
	}
	return m->ready ? 1 : 0;
}

static int drain_notifications(struct spawn *s, long long *deadline,
			       pid_t *mainpid)
{
	struct notify_msg m;
	pid_t sender;
	int r;

	for (;;) {
		memset(&m, 0, sizeof(m));
		r = notify_recv(s->ns.fd, &sender, &m);
		if (r == -EAGAIN)
			return 0;
		if (r == -EBADMSG) {
			log_at(s, DCTL_LOG_WARNING,
			       "ignoring a malformed notification from pid %d",
			       (int)sender);
			continue;
		}
		if (r < 0)
			return fail(s, DCTL_STAGE_READY, -r,
				    "notification socket: %s", errstr(s, -r));
		/* Only the daemon (or the main PID it named) speaks for it. */
		if (sender != s->daemon && (*mainpid <= 0 || sender != *mainpid)) {
			log_at(s, DCTL_LOG_DEBUG,
			       "ignoring a notification from pid %d",
			       (int)sender);
			continue;
		}
		r = take_notification(s, &m, deadline, mainpid);
		if (r)
			return r;
	}
}

/*
 * Is the watched process still the one we mean, so that a PID compared
 * with its number cannot be a reused one? Our unreaped child (alive or a
 * zombie) is; another process only while its pidfd shows it running.
 */
static bool daemon_pinned(struct spawn *s)
{
	struct proc_stat ps;

	if (s->pidfd >= 0 && proc_wait_exit(s->pidfd, s->daemon, 0) == -ETIMEDOUT)
		return true;
	return !s->reaped && proc_read_stat(s->daemon, &ps) == 0 &&
	       ps.ppid == getpid();
}

/*
 * Could the process (ps: its stat) be the daemon's? In the daemon's
 * session; or, having called setsid(), the daemon's child, or an orphan
 * of it now ours (we are subreaper) that of_this_start() recognises.
 */
static bool daemons_own(struct spawn *s, pid_t pid, const struct proc_stat *ps)
{
	if (ps->session == s->sid)
		return true;
	if (ps->ppid == s->daemon && daemon_pinned(s))
		return true;
	return s->subreaper && ps->ppid == getpid() && !was_mine(s, pid) &&
	       of_this_start(s, pid, ps);
}

/*
 * MAINPID= may name only a process of the daemon's own: a daemon must not
 * be able to have a bystander written into the pidfile, or killed when the
 * start fails. The process is pinned with a pidfd first; then /proc must
 * show it alive and daemons_own(), and the pidfd must show it still
 * running, so that what /proc said was about the pinned process and not a
 * reused PID. Returns 0 with the pidfd in *fdp (-1 without pidfd
 * support), or a failure.
 */
static int adopt_mainpid(struct spawn *s, pid_t pid, int *fdp)
{
	struct proc_stat ps;
	int fd;

	fd = proc_pidfd_open(pid);
	if (fd < 0 && fd != -ENOSYS)
		goto not_ours;
	if (proc_read_stat(pid, &ps) < 0 || !daemons_own(s, pid, &ps) ||
	    !proc_alive(pid))
		goto not_ours;
	if (fd >= 0 && proc_wait_exit(fd, pid, 0) != -ETIMEDOUT)
		goto not_ours;
	*fdp = fd < 0 ? -1 : fd;
	return 0;
not_ours:
	if (fd >= 0)
		close(fd);
	return fail(s, DCTL_STAGE_READY, EPERM,
		    "MAINPID=%d is not a process of the daemon", (int)pid);
}

/*
 * The daemon exited before READY=1. If it named a main PID of its own
 * first, that process is the daemon now (a program that forks and
 * exits); else fail.
 */
static int switch_to_mainpid(struct spawn *s, pid_t mainpid)
{
	int fd, r;

	if (mainpid <= 1 || mainpid == s->daemon)
		return report_death(s, "before it was ready");
	if ((r = adopt_mainpid(s, mainpid, &fd)))
		return r;
	if (s->pf && (r = dctl_pidfile_write(s->pf, mainpid)) < 0) {
		if (fd >= 0)
			close(fd);
		return fail(s, DCTL_STAGE_PIDFILE, -r,
			    "cannot write pidfile %s: %s",
			    s->o->pidfile, errstr(s, -r));
	}
	reap(s->daemon, NULL);
	if (s->pidfd >= 0)
		close(s->pidfd);
	s->pidfd = fd;
	s->daemon = mainpid;
	s->res->pid = mainpid;
	log_at(s, DCTL_LOG_DEBUG, "main pid is now %d", (int)mainpid);
	return 0;
}

/* READY=1 came with MAINPID= of another process: that one is the daemon,
 * for the pidfile and the caller. Killed too if the start fails later. */
static int take_mainpid(struct spawn *s, pid_t mainpid)
{
	int r;

	if ((r = adopt_mainpid(s, mainpid, &s->main_fd)))
		return r;
	if (s->pf && (r = dctl_pidfile_write(s->pf, mainpid)) < 0)
		return fail(s, DCTL_STAGE_PIDFILE, -r,
			    "cannot write pidfile %s: %s",
			    s->o->pidfile, errstr(s, -r));
	s->res->pid = mainpid;
	return 0;
}

static int await_ready(struct spawn *s)
{
	long long deadline = util_now_ms() + s->timeout_ms, left;
	struct pollfd pfd[2];
	pid_t mainpid = 0;
	nfds_t n;
	int r, wait;

	for (;;) {
		left = deadline - util_now_ms();
		if (left <= 0)
			return fail(s, DCTL_STAGE_READY, ETIMEDOUT,
				    "not ready after %s", span(s, s->timeout_ms));
		pfd[0] = (struct pollfd){ .fd = s->ns.fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = s->pidfd, .events = POLLIN };
		n = s->pidfd >= 0 ? 2 : 1;
		/* EXTEND_TIMEOUT_USEC= may put the deadline far beyond
		 * what poll() can take. Without a pidfd, look at the daemon
		 * every 50 ms. */
		wait = left > INT_MAX ? INT_MAX : (int)left;
		if (n == 1 && wait > 50)
			wait = 50;
		r = poll(pfd, n, wait);
		if (r < 0 && errno != EINTR)
			return fail(s, DCTL_STAGE_READY, errno, "poll: %s",
				    errstr(s, errno));
		if (r > 0 && (pfd[0].revents & POLLIN)) {
			r = drain_notifications(s, &deadline, &mainpid);
			if (r)
				break;
		}
		if (wait_exit(s, 0) == 1 && (r = switch_to_mainpid(s, mainpid)))
			return r;
	}
	if (r < 0)
		return r;
	if (mainpid > 1 && mainpid != s->daemon && (r = take_mainpid(s, mainpid)))
		return r;
	log_at(s, DCTL_LOG_DEBUG, "pid %d is ready", (int)s->res->pid);
	return 0;
}

/* --forking: the first process must exit 0, then the pidfile must name a
 * live process (by the probe's rules) within the timeout. */
static int await_forking(struct spawn *s)
{
	long long deadline = util_now_ms() + s->timeout_ms;
	struct dctl_status st;
	siginfo_t si;
	int r;

	r = wait_exit(s, s->timeout_ms);
	if (r < 0)
		return fail(s, DCTL_STAGE_STARTUP, -r, "cannot watch pid %d: %s",
			    (int)s->daemon, errstr(s, -r));
	if (r == 0)
		return fail(s, DCTL_STAGE_READY, ETIMEDOUT,
			    "%s did not detach within %s", s->program,
			    span(s, s->timeout_ms));
	/* Peek first: only a non-zero status is worth a report. */
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)s->daemon, &si,
		   WEXITED | WNOHANG | WNOWAIT) < 0 ||
	    si.si_code != CLD_EXITED || si.si_status != 0)
		return report_death(s, "while detaching");
	reap_watched(s, &si);
	for (;;) {
		if (dctl_probe(s->o->pidfile, 0, &st) == 0 &&
		    st.state == DCTL_STATE_RUNNING && st.pid > 1 && !st.zombie) {
			s->res->pid = st.pid;
			return 0;
		}
		if (util_now_ms() >= deadline)
			return fail(s, DCTL_STAGE_READY, ETIMEDOUT,
				    "pidfile %s names no live process after %s",
				    s->o->pidfile, span(s, s->timeout_ms));
		usleep(FORKING_POLL_MS * 1000);
	}
}

static int watch_startup(struct spawn *s)
{
	const struct dctl_spawn_opts *o = s->o;
	int r;

	s->pidfd = proc_pidfd_open(s->daemon);
	if (o->ready == DCTL_READY_FORKING)
		return await_forking(s);
	if (o->ready == DCTL_READY_NOTIFY && (r = await_ready(s)))
		return r;
	if (o->wait_ms && (r = watch_alive(s, o->wait_ms)))
		return r;
	return 0;
}

/* ------------------------------------------------------------- cleanup */

/* How long a killed daemon that is not our child may take to go. */
#define KILL_WAIT_MS 2000

/*
 * Reap the watched process through its pidfd if it is our child: never
 * another process that got its PID. 0, or -ECHILD if it is not ours.
 */
static int reap_pidfd(struct spawn *s)
{
	siginfo_t si;
	int r;

	do
		r = waitid(P_PIDFD, (id_t)s->pidfd, &si, WEXITED);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

/*
 * A failed start leaves nothing: the process we watch is killed through
 * its pidfd whenever we have one (so never a reused PID; if that fails,
 * it is gone), else by PID only while /proc shows it our unreaped child
 * (we are its subreaper), whose PID cannot be reused. After
 * switch_to_mainpid() it may be a process that is not our child. Our
 * child is reaped; another process is waited for.
 */
static void kill_daemon(struct spawn *s)
{
	struct proc_stat ps;

	if (s->daemon <= 1 || s->reaped)
		return;
	if (s->pidfd >= 0) {
		if (proc_pidfd_signal(s->pidfd, SIGKILL) < 0)
			return;
		if (reap_pidfd(s) < 0)
			proc_wait_exit(s->pidfd, s->daemon, KILL_WAIT_MS);
	} else {
		if (!s->subreaper || proc_read_stat(s->daemon, &ps) < 0 ||
		    ps.ppid != getpid())
			return;
		kill(s->daemon, SIGKILL);
		reap(s->daemon, NULL);
	}
	s->reaped = true;
}

/* The MAINPID= process accepted with READY=1, through its pidfd; reaped
 * by sweep_children() if it is our child by now. */
static void kill_main(struct spawn *s)
{
	if (s->main_fd >= 0 &&
	    proc_pidfd_signal(s->main_fd, SIGKILL) == 0)
		proc_wait_exit(s->main_fd, -1, KILL_WAIT_MS);
}

/*
 * Kill and reap the children we gained during this start: processes the
 * program forked before it failed, reparented to us as subreaper, also
 * those that left the daemon's session with setsid(). Only our own
 * unreaped children are signalled, so no PID can have been reused, and
 * only of_this_start() ones: never one the caller had before the start
 * (s->mine), nor any other child of the caller.
 * Killing one reparents its own children to us: hence the rounds.
 */
static void sweep_children(struct spawn *s)
{
	struct proc_stat ps;
	int round, found;
	pid_t *kids;
	size_t n, i;

	if (s->sid <= 1)
		return;
	for (round = 0; round < 16; round++) {
		if (list_children(&kids, &n) < 0)
			return;
		found = 0;
		for (i = 0; i < n; i++) {
			if (was_mine(s, kids[i]) ||
			    proc_read_stat(kids[i], &ps) < 0 ||
			    !of_this_start(s, kids[i], &ps))
				continue;
			kill(kids[i], SIGKILL);
			reap(kids[i], NULL);
			found++;
		}
		free(kids);
		if (!found)
			return;
		log_at(s, DCTL_LOG_DEBUG, "killed %d leftover process(es)",
		       found);
	}
}

/* --forking failed: remove a pidfile the program wrote if it names a
 * process that is gone now. */
static void forking_cleanup(struct spawn *s)
{
	pid_t pid;

	if (dctl_pidfile_read(s->o->pidfile, &pid, NULL) < 0)
		return;
	if (!proc_alive(pid))
		dctl_pidfile_remove_stale(s->o->pidfile, pid);
}

static void release(struct spawn *s, bool failed)
{
	int saved = errno;

	if (failed) {
		kill_main(s);
		kill_daemon(s);
		if (s->subreaper)
			sweep_children(s);
		if (s->o->ready == DCTL_READY_FORKING && s->daemon > 0)
			forking_cleanup(s);
		dctl_pidfile_remove(s->pf);
	} else {
		dctl_pidfile_close(s->pf);
	}
	s->pf = NULL;
	restore_subreaper(s);
	if (s->pidfd >= 0)
		close(s->pidfd);
	if (s->main_fd >= 0)
		close(s->main_fd);
	/* Last: the --forking start window ends with the cleanup. */
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	if (s->pipe_rd >= 0)
		close(s->pipe_rd);
	if (s->pipe_wr >= 0)
		close(s->pipe_wr);
	if (s->out_fd >= 0)
		close(s->out_fd);
	if (s->err_fd >= 0)
		close(s->err_fd);
	if (s->ns.fd >= 0 || s->ns.dir[0])
		notify_sock_close(&s->ns);
	free_env(s->envp);
	free(s->mine);
	recipe_user_free(&s->user);
	errno = saved;
}

/* ---------------------------------------------------------------- main */

static int check_running(struct spawn *s)
{
	struct dctl_status st;

	if (dctl_probe(s->o->pidfile, 0, &st) < 0)
		return 0;
	if (st.state == DCTL_STATE_RUNNING) {
		s->res->pid = st.pid;
		s->running = true;
		return fail(s, DCTL_STAGE_PIDFILE, EEXIST,
			    "already running (pid %d, %s)", (int)st.pid,
			    s->o->pidfile);
	}
	/* --forking: a stale file of a dead instance must not be taken
	 * for the new one's. */
	if (!s->o->test && st.state == DCTL_STATE_DEAD && st.pid > 1)
		dctl_pidfile_remove_stale(s->o->pidfile, st.pid);
	return 0;
}

/*
 * Open (creating it 0600) the lock file of a --forking start: a regular
 * file, no symlink followed, and no hang on a FIFO put in its place.
 */
static int open_start_lock(struct spawn *s, const char *path)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
			O_NONBLOCK | O_NOCTTY, 0600);
	if (fd < 0)
		return fail(s, DCTL_STAGE_PIDFILE, errno, "lock file %s: %s",
			    path, errstr(s, errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(s, DCTL_STAGE_PIDFILE, EINVAL,
			    "lock file %s: not a regular file", path);
	}
	s->lock_fd = fd;
	return 0;
}

/*
 * --forking: the program writes its own pidfile, so no lock of ours is on
 * it while the start runs, and two starts would both find nothing running
 * and both start. The whole start window, from the "already running?"
 * check to the end of the readiness wait (release()), is serialized by an
 * exclusive flock on PIDFILE.lock, which is left in place (removing it
 * would let a third start lock a new file beside a waiting one). Starts
 * of other pidfiles do not wait. A start that waited for the lock looks
 * again, and finds the other's daemon.
 */
static int lock_start(struct spawn *s)
{
	char path[PATH_MAX];
	long long deadline;
	int n, r;

	if ((r = check_running(s)))
		return r;
	n = snprintf(path, sizeof(path), "%s.lock", s->o->pidfile);
	if (n < 0 || (size_t)n >= sizeof(path))
		return fail(s, DCTL_STAGE_PIDFILE, ENAMETOOLONG,
			    "lock file %s.lock: path too long", s->o->pidfile);
	if ((r = open_start_lock(s, path)))
		return r;
	deadline = util_now_ms() + s->timeout_ms;
	while (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return fail(s, DCTL_STAGE_PIDFILE, errno,
				    "cannot lock %s: %s", path,
				    errstr(s, errno));
		if (util_now_ms() >= deadline)
			return fail(s, DCTL_STAGE_PIDFILE, ETIMEDOUT,
				    "another start of %s still runs after %s",
				    s->o->pidfile, span(s, s->timeout_ms));
		usleep(FORKING_POLL_MS * 1000);
	}
	return check_running(s);
}

static int lock_pidfile(struct spawn *s)
{
	pid_t holder = 0;
	int r;

	if (s->o->test)
		return check_running(s);
	if (s->o->ready == DCTL_READY_FORKING)
		return lock_start(s);
	r = dctl_pidfile_open(s->o->pidfile, 0644, &s->pf, &holder);
	if (r == -EEXIST) {
		s->res->pid = holder;
		s->running = true;
		if (holder > 0)
			return fail(s, DCTL_STAGE_PIDFILE, EEXIST,
				    "already running (pid %d, %s)", (int)holder,
				    s->o->pidfile);
		return fail(s, DCTL_STAGE_PIDFILE, EEXIST,
			    "already running (%s is locked)", s->o->pidfile);
	}
	if (r < 0)
		return fail(s, DCTL_STAGE_PIDFILE, -r, "pidfile %s: %s",
			    s->o->pidfile, errstr(s, -r));
	return 0;
}

static int prepare(struct spawn *s)
{
	int r;

	r = util_uuid_random(s->res->instance);
	if (r < 0)
		return fail(s, DCTL_STAGE_VALIDATE, -r,
			    "cannot make an instance id: %s", errstr(s, -r));
	if (s->o->ready == DCTL_READY_NOTIFY && !s->o->test) {
		r = notify_sock_open(&s->ns);
		if (r < 0)
			return fail(s, DCTL_STAGE_VALIDATE, -r,
				    "cannot create a notification socket: %s",
				    errstr(s, -r));
		if (s->have_user &&
		    (r = notify_sock_chown(&s->ns, s->user.uid, s->user.gid)))
			return fail(s, DCTL_STAGE_VALIDATE, -r,
				    "cannot hand the notification socket to --chuid %s: %s",
				    s->o->user, errstr(s, -r));
	}
	return build_env(s);
}

static void init_result(struct dctl_spawn_result *res)
{
	memset(res, 0, sizeof(*res));
	res->exit_status = -1;
}

int dctl_spawn(const struct dctl_spawn_opts *o, struct dctl_spawn_result *res)
{
	struct spawn s = {
		.o = o, .res = res, .out_fd = -1, .err_fd = -1,
		.ns = { .fd = -1 }, .pipe_rd = -1, .pipe_wr = -1, .pidfd = -1,
		.main_fd = -1, .lock_fd = -1,
	};
	int r;

	if (!res)
		return -EINVAL;
	init_result(res);
	if (!o)
		return -EINVAL;
	s.timeout_ms = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;

	r = validate(&s);
	if (!r)
		r = lock_pidfile(&s);
	if (!r)
		r = open_outputs(&s);
	if (!r)
		r = prepare(&s);
	if (!r && o->test) {
		log_at(&s, DCTL_LOG_DEBUG, "would start %s (pidfile %s)",
		       s.program, o->pidfile);
		release(&s, false);
		return 0;
	}
	if (!r)
		r = launch(&s);
	if (!r && need_watch(o))
		r = watch_startup(&s);
	release(&s, r < 0);
	/* -EEXIST means "already running" and nothing else: any other step
	 * that failed with EEXIST (res->error says so) is just a failure. */
	if (r == -EEXIST && !s.running)
		r = -EIO;
	if (r < 0 && r != -EEXIST)
		res->pid = 0;
	return r;
}

/* The step of recipe_apply_identity() that failed, as a stage. */
static int exec_here_failed(struct spawn *s, enum recipe_step step, int err)
{
	return fail(s, step == RECIPE_STEP_EXEC ? DCTL_STAGE_EXEC :
		    DCTL_STAGE_SETUP, err, "%s: %s", recipe_step_str(step),
		    errstr(s, err));
}

int spawn_exec_here(const struct dctl_spawn_opts *o,
		    struct dctl_spawn_result *res)
{
	struct spawn s = {
		.o = o, .res = res, .out_fd = -1, .err_fd = -1,
		.ns = { .fd = -1 }, .pipe_rd = -1, .pipe_wr = -1, .pidfd = -1,
		.main_fd = -1, .lock_fd = -1,
	};
	enum recipe_step step;
	struct recipe r;
	int e;

	if (!res)
		return -EINVAL;
	init_result(res);
	if (!o || o->ready != DCTL_READY_EXEC)
		return -EINVAL;
	e = validate_program(&s);
	if (!e)
		e = prepare(&s);
	if (!e && o->test) {
		release(&s, false);
		return 0;
	}
	if (!e) {
		recipe_init(&r);
		r.chroot_path = o->chroot_path;
		r.chdir_path = s.chdir_path;
		r.umask = o->umask;
		r.set_nice = o->set_nice;
		r.nice = o->nice;
		r.user = s.have_user ? &s.user : NULL;
		e = recipe_apply_identity(&r, &step);
		if (!e) {
			execve(s.program, s.argv, s.envp);
			step = RECIPE_STEP_EXEC;
			e = -errno;
		}
		e = exec_here_failed(&s, step, -e);
	}
	/* Nothing was forked and no pidfile locked: nothing to undo. */
	release(&s, false);
	return e;
}
