/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dctl_daemonize(): the classic daemon_init() for a C program that detaches
 * itself, done right.
 *
 * Everything that can fail for a reason the user can fix (an output file
 * that cannot be written, a pidfile held by a running instance) is tried
 * in the original process, before anything is forked, and returned as
 * -errno. Then the recipe of recipe.c detaches the program, and the
 * original process waits on a close-on-exec pipe until the daemon says
 * "ready" or "failed", or dies: its exit status then tells the truth about
 * the start, which is what an init script needs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "daemonctl.h"
#include "launch.h"
#include "logkeep.h"
#include "proc.h"
#include "util.h"

/* What the original process exits with when the start failed. */
#define DAEMONIZE_EXIT_FAILURE 1

struct dctl_daemon {
	int report_fd;			/* write end; -1 once reported */
	struct dctl_pidfile *pf;	/* NULL: none, or handed over */
};

/* What the original process prepares before forking. */
struct daemonize_res {
	int in, out, err;		/* stdio sources, -1: /dev/null */
	int rd, wr;			/* the report pipe */
	char *pidpath;			/* absolute pidfile path, or NULL */
	char *ident;			/* openlog()'s, kept by the daemon */
	struct dctl_pidfile *pf;
	struct dctl_daemon *d;		/* allocated here, used by the daemon */
};

struct dctl_daemonize_opts {
	char *stdin_path;		/* NULL: /dev/null */
	char *stdout_path;
	char *stderr_path;
	char *pidfile;			/* NULL: none */
	char *chdir_path;		/* NULL: "/" */
	mode_t umask;
	char *syslog_ident;		/* NULL: no openlog() */
	int syslog_facility;
};

int dctl_daemonize_opts_new(struct dctl_daemonize_opts **op)
{
	if (!op)
		return -EINVAL;
	*op = calloc(1, sizeof(**op));
	if (!*op)
		return -ENOMEM;
	(*op)->umask = 022;
	return 0;
}

void dctl_daemonize_opts_free(struct dctl_daemonize_opts *o)
{
	if (!o)
		return;
	free(o->stdin_path);
	free(o->stdout_path);
	free(o->stderr_path);
	free(o->pidfile);
	free(o->chdir_path);
	free(o->syslog_ident);
	free(o);
}

int dctl_daemonize_opts_set_stdin(struct dctl_daemonize_opts *o,
				  const char *path)
{
	return o ? util_set_string(&o->stdin_path, path) : -EINVAL;
}

int dctl_daemonize_opts_set_stdout(struct dctl_daemonize_opts *o,
				   const char *path)
{
	return o ? util_set_string(&o->stdout_path, path) : -EINVAL;
}

int dctl_daemonize_opts_set_stderr(struct dctl_daemonize_opts *o,
				   const char *path)
{
	return o ? util_set_string(&o->stderr_path, path) : -EINVAL;
}

int dctl_daemonize_opts_set_pidfile(struct dctl_daemonize_opts *o,
				    const char *path)
{
	if (!o || (path && !*path))
		return -EINVAL;
	return util_set_string(&o->pidfile, path);
}

int dctl_daemonize_opts_set_chdir(struct dctl_daemonize_opts *o,
				  const char *dir)
{
	return o ? util_set_string(&o->chdir_path, dir) : -EINVAL;
}

int dctl_daemonize_opts_set_umask(struct dctl_daemonize_opts *o, mode_t mask)
{
	if (!o || (mask & ~(mode_t)0777))
		return -EINVAL;
	o->umask = mask;
	return 0;
}

int dctl_daemonize_opts_set_syslog(struct dctl_daemonize_opts *o,
				   const char *ident, int facility)
{
	int r;

	if (!o || (ident && (!*ident || !logkeep_facility_name(facility))))
		return -EINVAL;
	r = util_set_string(&o->syslog_ident, ident);
	if (r == 0)
		o->syslog_facility = facility;
	return r;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Release everything; remove the pidfile if the start failed. */
static void res_free(struct daemonize_res *res, bool failed)
{
	int saved = errno;

	close_fd(&res->in);
	close_fd(&res->out);
	close_fd(&res->err);
	close_fd(&res->rd);
	close_fd(&res->wr);
	if (failed)
		dctl_pidfile_remove(res->pf);
	else
		dctl_pidfile_close(res->pf);
	res->pf = NULL;
	free(res->pidpath);
	res->pidpath = NULL;
	free(res->ident);
	res->ident = NULL;
	free(res->d);
	res->d = NULL;
	errno = saved;
}

/*
 * A caller started with 0, 1 or 2 closed would see our descriptors land
 * there, and the recipe would then renumber them behind the pidfile
 * handle's back: occupy them with /dev/null first.
 */
static int fill_std_fds(void)
{
	int fd;

	while (fcntl(0, F_GETFD) < 0 || fcntl(1, F_GETFD) < 0 ||
	       fcntl(2, F_GETFD) < 0) {
		fd = open("/dev/null", O_RDWR | O_NOCTTY);
		if (fd < 0)
			return -errno;
		if (fd > 2) {
			close(fd);
			return -EBADF;
		}
	}
	return 0;
}

/*
 * Open a stdio file without blocking on a FIFO nobody has opened (a
 * writer gets ENXIO instead of hanging), then make it blocking again.
 */
static int open_stdio(const char *path, int flags, int *fdp)
{
	int fd, fl;

	if (!path)
		return 0;
	fd = open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0640);
	if (fd < 0)
		return -errno;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		fl = -errno;
		close(fd);
		return fl;
	}
	*fdp = fd;
	return 0;
}

/* The pidfile path made absolute, since the daemon leaves the cwd. */
static int absolute_path(const char *path, char **out)
{
	char cwd[PATH_MAX];
	size_t n;

	if (path[0] == '/') {
		*out = strdup(path);
		return *out ? 0 : -ENOMEM;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return -errno;
	n = strlen(cwd) + 1 + strlen(path) + 1;
	*out = malloc(n);
	if (!*out)
		return -ENOMEM;
	strcpy(*out, cwd);
	strcat(*out, "/");
	strcat(*out, path);
	return 0;
}

static int prepare(const struct dctl_daemonize_opts *o,
		   struct daemonize_res *res)
{
	const int wflags = O_WRONLY | O_APPEND | O_CREAT;
	int p[2], e;

	if ((e = fill_std_fds()))
		return e;
	if ((e = open_stdio(o->stdin_path, O_RDONLY, &res->in)) ||
	    (e = open_stdio(o->stdout_path, wflags, &res->out)) ||
	    (e = open_stdio(o->stderr_path, wflags, &res->err)))
		return e;
	if (o->pidfile) {
		if ((e = absolute_path(o->pidfile, &res->pidpath)))
			return e;
		/* Taken before the fork, as daemon-start does: a running
		 * instance is reported at once, nothing is started. */
		e = dctl_pidfile_open(res->pidpath, 0644, &res->pf, NULL);
		if (e < 0)
			return e;
	}
	/* openlog() keeps the pointer, and o may be freed once we return:
	 * the daemon needs a copy of its own, made before the fork. */
	if (o->syslog_ident && !(res->ident = strdup(o->syslog_ident)))
		return -ENOMEM;
	res->d = malloc(sizeof(*res->d));
	if (!res->d)
		return -ENOMEM;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	res->rd = p[0];
	res->wr = p[1];
	return 0;
}

/*
 * In the daemon: write our PID, apply the recipe. On failure the pidfile
 * is removed, the failure reported, and the daemon exits: it must not
 * return into the program as a second copy of it.
 */
static void become_daemon(const struct dctl_daemonize_opts *o,
			  struct daemonize_res *res, struct dctl_daemon **dp)
{
	enum recipe_step step = RECIPE_STEP_PIDFILE;
	struct recipe r;
	int e = 0;

	close_fd(&res->rd);
	/* A syslog connection of the caller's would be closed by the recipe
	 * behind libc's back, which would go on writing to its number once
	 * something else gets it: close it the proper way first, so that a
	 * later syslog(3) connects again. */
	closelog();
	if (res->pf)
		e = dctl_pidfile_write(res->pf, getpid());
	if (e == 0) {
		recipe_init(&r);
		r.stdin_fd = res->in;
		r.stdout_fd = res->out;
		r.stderr_fd = res->err;
		r.keep_cloexec[r.n_keep_cloexec++] = res->wr;
		if (res->pf)
			r.keep_cloexec[r.n_keep_cloexec++] =
				dctl_pidfile_fileno(res->pf);
		r.chdir_path = o->chdir_path;
		r.umask = o->umask;
		e = recipe_apply(&r, &step);
	}
	if (e < 0) {
		dctl_pidfile_remove(res->pf);
		launch_report_fail(res->wr, step, -e);
		_exit(127);
	}
	/* Only now, with every other descriptor closed by the recipe.
	 * LOG_NDELAY connects at once, while the daemon can still reach
	 * /dev/log. The ident is the daemon's for good: syslog(3) reads it
	 * at every call. */
	if (res->ident)
		openlog(res->ident, LOG_PID | LOG_NDELAY, o->syslog_facility);
	res->ident = NULL;
	/* The stdio sources were closed by the recipe; the rest is the
	 * daemon's now. */
	res->d->report_fd = res->wr;
	res->d->pf = res->pf;
	*dp = res->d;
	free(res->pidpath);
}

/* How often to look at a daemon that cannot be watched with a pidfd. */
#define DAEMONIZE_POLL_MS 100

/*
 * The next record, or 0 when the daemon is gone without one. The daemon's
 * death is seen even if a child it forked still holds the pipe open: with
 * a pidfd, at once; without (old kernels, valgrind), by looking at it now
 * and then.
 */
static int next_record(int rd, pid_t daemon, int pidfd, struct launch_msg *m)
{
	struct pollfd p[2] = {
		{ .fd = rd, .events = POLLIN },
		{ .fd = pidfd, .events = POLLIN },
	};
	int n;

	if (daemon <= 0)
		return launch_report_read(rd, m);
	for (;;) {
		n = poll(p, pidfd >= 0 ? 2 : 1,
			 pidfd >= 0 ? -1 : DAEMONIZE_POLL_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (p[0].revents)
			return launch_report_read(rd, m);
		if (pidfd >= 0 ? p[1].revents != 0 : !proc_alive(daemon))
			break;
	}
	/* Dead: whatever it wrote before dying is in the pipe already. */
	if (poll(p, 1, 0) > 0)
		return launch_report_read(rd, m);
	return 0;
}

/* In the original process: the daemon's verdict. */
static int await_daemon(struct daemonize_res *res, pid_t middle,
			int *exit_status)
{
	struct launch_msg m;
	pid_t daemon = 0;
	int pidfd = -1, r;

	close_fd(&res->wr);
	/* The middle child exits right after the second fork. */
	while (waitpid(middle, NULL, 0) < 0 && errno == EINTR)
		;
	for (;;) {
		r = next_record(res->rd, daemon, pidfd, &m);
		if (r <= 0)
			break;
		if (m.kind == LAUNCH_MSG_PID && daemon == 0 && m.pid > 1) {
			daemon = m.pid;
			pidfd = proc_pidfd_open(daemon);
			continue;
		}
		if (m.kind == LAUNCH_MSG_READY) {
			*exit_status = 0;
			r = 1;
		} else if (m.kind == LAUNCH_MSG_FAIL &&
			   m.step == RECIPE_STEP_READY) {
			*exit_status = DAEMONIZE_EXIT_FAILURE;
			r = 1;
		} else if (m.kind == LAUNCH_MSG_FAIL) {
			/* The recipe failed: the child is gone, as if it
			 * had never been forked. */
			r = m.err > 0 ? -m.err : -EIO;
		} else {
			r = -EBADMSG;
		}
		break;
	}
	if (r == 0) {
		/* Silence: a daemon that died, or a middle child that did. */
		if (daemon > 0) {
			*exit_status = DAEMONIZE_EXIT_FAILURE;
			r = 1;
		} else {
			r = -ECHILD;
		}
	}
	close_fd(&pidfd);
	return r;
}

int dctl_daemonize(const struct dctl_daemonize_opts *o,
		   struct dctl_daemon **dp, int *exit_status)
{
	static const struct dctl_daemonize_opts defaults = { .umask = 022 };
	struct daemonize_res res = {
		.in = -1, .out = -1, .err = -1, .rd = -1, .wr = -1,
	};
	pid_t pid;
	int r;

	if (!dp || !exit_status)
		return -EINVAL;
	*dp = NULL;
	if (!o)
		o = &defaults;
	r = prepare(o, &res);
	if (r < 0) {
		res_free(&res, true);
		return r;
	}
	pid = launch_fork(res.wr);
	if (pid < 0) {
		res_free(&res, true);
		return (int)pid;
	}
	if (pid == 0) {
		become_daemon(o, &res, dp);
		return 0;
	}
	r = await_daemon(&res, pid, exit_status);
	res_free(&res, !(r == 1 && *exit_status == 0));
	return r;
}

/*
 * Write a record without dying of SIGPIPE if the original process is
 * gone (the recipe reset SIGPIPE to its default action): block it, and
 * swallow the one our write raised, if any.
 */
static int report(int fd, const struct launch_msg *m)
{
	static const struct timespec zero = { 0, 0 };
	sigset_t pipe_set, old, pending;
	bool was_pending;
	int r;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	r = launch_report_write(fd, m);
	if (r == -EPIPE && !was_pending)
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 &&
		       errno == EINTR)
			;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

/*
 * Free d. The pidfile lock must outlive the handle: keep a duplicate of
 * its descriptor (the lock belongs to the open file description) for the
 * rest of the daemon's life. If even that fails, keep the handle.
 */
static void daemon_free(struct dctl_daemon *d)
{
	close_fd(&d->report_fd);
	if (d->pf && fcntl(dctl_pidfile_fileno(d->pf), F_DUPFD_CLOEXEC, 3) >= 0)
		dctl_pidfile_close(d->pf);
	free(d);
}

struct dctl_pidfile *dctl_daemon_take_pidfile(struct dctl_daemon *d)
{
	struct dctl_pidfile *pf;

	if (!d)
		return NULL;
	pf = d->pf;
	d->pf = NULL;
	return pf;
}

int dctl_daemon_ready(struct dctl_daemon *d)
{
	struct launch_msg m = { .kind = LAUNCH_MSG_READY };
	int r;

	if (!d)
		return -EINVAL;
	m.pid = getpid();
	r = report(d->report_fd, &m);
	daemon_free(d);
	return r;
}

int dctl_daemon_failed(struct dctl_daemon *d, int err)
{
	struct launch_msg m = {
		.kind = LAUNCH_MSG_FAIL,
		.step = RECIPE_STEP_READY,
	};
	int r;

	if (!d)
		return -EINVAL;
	m.err = err > 0 ? err : EIO;
	m.pid = getpid();
	/* Gone before the original process exits with the failure. */
	dctl_pidfile_remove(d->pf);
	d->pf = NULL;
	r = report(d->report_fd, &m);
	daemon_free(d);
	return r;
}
