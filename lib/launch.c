/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Creating the daemon: the two forks (or clones) that put it in a session
 * of its own without a terminal, and the report pipe its caller learns
 * the outcome from. launch_clone()'s children share the caller's memory
 * until exec, so that a start copies no page tables and its daemon's exec
 * tears none down; what they run must touch nothing but their own stacks.
 * At the end, launch_start(): how dctl_spawn_start() uses them, the
 * daemon's last steps before exec and the caller's reading of the pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "launch.h"
#include "pidfile.h"
#include "proc.h"
#include "spawn.h"
#include "util.h"

/* ------------------------------------------------------------- reports */

int launch_report_write(int fd, const struct launch_msg *m)
{
	ssize_t n;

	do
		n = write(fd, m, sizeof(*m));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* A pipe write this small is atomic: a short one means trouble. */
	return n == (ssize_t)sizeof(*m) ? 0 : -EIO;
}

int launch_report_fail_item(int fd, enum recipe_step step, int item,
			    int err)
{
	struct launch_msg m = {
		.kind = LAUNCH_MSG_FAIL,
		.step = step,
		.err = err,
		.pid = getpid(),
		.item = item,
	};

	return launch_report_write(fd, &m);
}

int launch_report_fail(int fd, enum recipe_step step, int err)
{
	return launch_report_fail_item(fd, step, 0, err);
}

int launch_report_read(int fd, struct launch_msg *m)
{
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(*m)) {
		n = read(fd, (char *)m + got, sizeof(*m) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return got == 0 ? 0 : -EBADMSG;
		got += (size_t)n;
	}
	return 1;
}

/* -------------------------------------------------------------- detach */

pid_t launch_fork(int report_fd)
{
	struct launch_msg m = { .kind = LAUNCH_MSG_PID };
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		return pid;

	/* The middle child: a new session, without a terminal... */
	if (setsid() < 0) {
		if (report_fd >= 0)
			launch_report_fail(report_fd, RECIPE_STEP_SETSID, errno);
		_exit(1);
	}
	/* ...and a second fork, so the daemon is not the session leader
	 * and can never acquire a controlling terminal by opening one. */
	pid = fork();
	if (pid < 0) {
		if (report_fd >= 0)
			launch_report_fail(report_fd, RECIPE_STEP_FORK2, errno);
		_exit(1);
	}
	if (pid > 0)
		_exit(0);

	/* The daemon names itself first, so its PID precedes any failure. */
	m.pid = getpid();
	if (report_fd >= 0)
		launch_report_write(report_fd, &m);
	return 0;
}

/* -------------------------------------------------------------- launch */

/* Each child's stack; a guard page at its low end. Ample for the recipe
 * (two 4 KiB buffers deep at most), also under the sanitizers. */
#define LAUNCH_STACK	(128 * 1024)

struct launch {
	int report_fd;
	int (*fn)(void *);
	void *arg;
	char *daemon_stack;	/* top of the daemon's stack */
};

/*
 * The children end by returning: clone() then exits with the value. No
 * _exit(), as a noreturn call on a stack of our own makes AddressSanitizer
 * warn, on the caller's stderr.
 */
static int launch_daemon(void *p)
{
	const struct launch *l = p;
	struct launch_msg m = { .kind = LAUNCH_MSG_PID };

	m.pid = getpid();
	if (l->report_fd >= 0)
		launch_report_write(l->report_fd, &m);
	return l->fn(l->arg);
}

static int launch_middle(void *p)
{
	const struct launch *l = p;

	if (setsid() < 0) {
		if (l->report_fd >= 0)
			launch_report_fail(l->report_fd, RECIPE_STEP_SETSID,
					   errno);
		return 1;
	}
	/* Returns once the daemon has exec'd or exited (CLONE_VFORK), so
	 * that our exit releases the caller only then. */
	if (clone(launch_daemon, l->daemon_stack,
		  CLONE_VM | CLONE_VFORK | SIGCHLD, p) < 0) {
		if (l->report_fd >= 0)
			launch_report_fail(l->report_fd, RECIPE_STEP_FORK2,
					   errno);
		return 1;
	}
	return 0;
}

/*
 * Block every signal, the C library's own included (a handler must never
 * run in a child on the caller's memory); the daemon's recipe unblocks
 * them once their dispositions are back to default. Raw, because
 * sigprocmask() leaves glibc's internal signals out.
 */
static int block_all(unsigned char *old)
{
	unsigned char all[NSIG / 8 + 8];

	memset(all, 0xff, sizeof(all));
	if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, all, old, NSIG / 8) < 0)
		return -errno;
	return 0;
}

/* Did the middle child die of a signal? It is exiting (it has released
 * us); WNOWAIT leaves it for the caller to reap. */
static bool middle_was_killed(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0)
		if (errno != EINTR)
			return false;
	return si.si_code != CLD_EXITED;
}

/* The children's two stacks, each with a guard page at its low end. */
static char *map_stacks(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *mem;
	int e;

	mem = mmap(NULL, 2 * LAUNCH_STACK, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (mem == MAP_FAILED)
		return NULL;
	if (mprotect(mem, page, PROT_NONE) < 0 ||
	    mprotect(mem + LAUNCH_STACK, page, PROT_NONE) < 0) {
		e = errno;
		munmap(mem, 2 * LAUNCH_STACK);
		errno = e;
		return NULL;
	}
	return mem;
}

void launch_stacks_free(void *stacks)
{
	if (stacks)
		munmap(stacks, 2 * LAUNCH_STACK);
}

/* The launch is over: the stacks unmapped, or kept without their pages. */
static void release_stacks(char *mem, void **keep)
{
	if (keep)
		madvise(mem, 2 * LAUNCH_STACK, MADV_DONTNEED);
	else
		munmap(mem, 2 * LAUNCH_STACK);
}

pid_t launch_clone(int report_fd, int (*fn)(void *), void *arg, void **stacks)
{
	struct launch l = { .report_fd = report_fd, .fn = fn, .arg = arg };
	unsigned char old[NSIG / 8 + 8];
	char *mem;
	pid_t pid;
	int e, cancel;

	/* The children share this thread's cancellation state too: a
	 * pthread_cancel() meanwhile must not unwind the caller's cleanup
	 * handlers inside the daemon. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	mem = stacks && *stacks ? *stacks : map_stacks();
	if (!mem) {
		e = -errno;
		pthread_setcancelstate(cancel, NULL);
		return e;
	}
	if (stacks)
		*stacks = mem;
	/* Stacks grow down on every Linux architecture but PA-RISC. */
	l.daemon_stack = mem + LAUNCH_STACK;
	if ((e = block_all(old)))
		goto out;
	pid = clone(launch_middle, mem + 2 * LAUNCH_STACK,
		    CLONE_VM | CLONE_VFORK | SIGCHLD, &l);
	e = pid < 0 ? -errno : pid;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, old, NULL, NSIG / 8);
	if (pid > 0 && middle_was_killed(pid)) {
		/* A SIGKILL ends the middle's wait early, and the daemon may
		 * still be running on its stack: leave the stacks mapped, and
		 * kept stacks too are left to it (the next launch maps new
		 * ones). */
		if (stacks)
			*stacks = NULL;
		pthread_setcancelstate(cancel, NULL);
		return e;
	}
out:
	pthread_setcancelstate(cancel, NULL);
	release_stacks(mem, stacks);
	return e;
}

/* --------------------------------------------- a start: the daemon */

/* The recipe of this start's program, wherever it runs. */
static void fill_recipe(const struct spawn *s, struct recipe *r)
{
	const struct spawn_opts *o = s->o;

	recipe_init(r);
	r->stdout_fd = s->out_fd;
	r->stderr_fd = s->err_fd;
	r->keep_fd = s->pf ? dctl_pidfile_fileno(s->pf) : -1;
	r->chroot_path = o->chroot_path;
	r->chdir_path = s->chdir_path;
	r->umask = o->umask;
	r->set_nice = o->set_nice;
	r->nice = o->nice;
	r->user = s->have_creds ? &s->user : NULL;
	r->limits = limits_plan_empty(&o->limits) ? NULL : &o->limits;
	r->caps = &o->caps;
	r->signals_known = s->signals_known;
	r->signals = s->signals;
}

/* In the daemon, which shares our memory until exec (launch_clone()):
 * plain system calls only, and nothing written outside its own stack. */
static int daemon_main(void *arg)
{
	const struct spawn *s = arg;
	enum recipe_step step;
	struct recipe r;
	int e;

	close(s->pipe_rd);
	fill_recipe(s, &r);
	r.keep_cloexec[r.n_keep_cloexec++] = s->pipe_wr;

	/* Our own PID into the locked pidfile, through the inherited
	 * descriptor, so that the file is right before the program runs.
	 * Before the recipe: a --limit fsize below the PID's length would
	 * make the write raise SIGXFSZ once signals are unblocked, killing
	 * us without a report, and the start would pass for a success. */
	if (r.keep_fd >= 0 && (e = pidfile_write_fd(r.keep_fd, getpid()))) {
		launch_report_fail(s->pipe_wr, RECIPE_STEP_PIDFILE, -e);
		return 127;
	}
	e = recipe_apply(&r, &step);
	if (e) {
		launch_report_fail_item(r.keep_cloexec[0], step, r.item, -e);
		return 127;
	}
	execve(s->program, s->argv, s->env.vars);
	launch_report_fail(r.keep_cloexec[0], RECIPE_STEP_EXEC, errno);
	return 127;
}

/* ---------------------------------------------- a start: the caller */

/* Naps of 20 us while exec finishes: seldom more than one, some 35 ms
 * (with timer slack) at the very worst. */
#define EXEC_DONE_TRIES 500

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

static int report_failure(struct spawn *s, const struct launch_msg *m)
{
	enum dctl_spawn_stage stage = step_stage(m->step);
	int err = m->err > 0 ? m->err : EIO;

	if (stage == DCTL_STAGE_EXEC)
		return spawn_fail(s, stage, err, "cannot execute %s: %s",
				  s->program, spawn_errstr(s, err));
	if (stage == DCTL_STAGE_PIDFILE)
		return spawn_fail(s, stage, err, "cannot write pidfile %s: %s",
				  s->o->pidfile, spawn_errstr(s, err));
	if (resources_failed(s, m->step, m->item, err))
		return -err;
	return spawn_fail(s, stage, err, "daemon setup failed at %s: %s",
			  recipe_step_str((enum recipe_step)m->step),
			  spawn_errstr(s, err));
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
	spawn_log(s, DCTL_LOG_DEBUG, "pid %d: environment not visible yet",
		  (int)s->daemon);
}

/*
 * Fork through the recipe and learn, from the status pipe, the daemon's
 * PID and whether exec succeeded.
 */
int launch_start(struct spawn *s)
{
	struct launch_msg m, failure = { 0 };
	int fds[2], status = 0, r;
	pid_t middle;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return spawn_fail(s, DCTL_STAGE_FORK, errno, "pipe: %s",
				  spawn_errstr(s, errno));
	s->pipe_rd = fds[0];
	s->pipe_wr = fds[1];
	/* A supervisor's restart is watched by its loop, not here. */
	if (spawn_watches(s->o) && !s->restart) {
		children_record(s);
		ready_set_subreaper(s);
	}
	s->fork_ticks = children_clock();

	/* Returns once the daemon has exec'd or failed: its PID and any
	 * failure are in the pipe by then. A supervisor, which launches
	 * again and again, keeps the stacks. */
	middle = launch_clone(s->pipe_wr, daemon_main, s,
			      s->restart ? &s->stacks : NULL);
	close(s->pipe_wr);
	s->pipe_wr = -1;
	if (middle < 0)
		return spawn_fail(s, DCTL_STAGE_FORK, -middle, "fork: %s",
				  spawn_errstr(s, -middle));
	/* The middle child called setsid(): its PID names the session that
	 * the daemon and everything it forks belong to. */
	s->sid = middle;
	/* Once the middle child is gone, the daemon is ours (subreaper). */
	spawn_reap(middle, &status);

	while ((r = launch_report_read(s->pipe_rd, &m)) > 0) {
		if (m.kind == LAUNCH_MSG_PID && m.pid > 1)
			s->daemon = m.pid;
		else if (m.kind == LAUNCH_MSG_FAIL && !failure.kind)
			failure = m;
	}
	close(s->pipe_rd);
	s->pipe_rd = -1;
	if (failure.kind)
		return report_failure(s, &failure);
	if (r < 0 || s->daemon <= 1)
		return spawn_fail(s, DCTL_STAGE_FORK, r < 0 ? -r : ECHILD,
				  "the daemon was lost before exec (middle child status %d)",
				  status);
	s->res->pid = s->daemon;
	/* No caller of a restart looks at it the moment it returns. */
	if (!s->restart)
		await_exec_done(s);
	spawn_log(s, DCTL_LOG_DEBUG, "%s executed as pid %d", s->program,
		  (int)s->daemon);
	return 0;
}

/* ------------------------------------------- a program run in place */

int launch_exec_here(struct spawn *s)
{
	struct launch_msg m = { .kind = LAUNCH_MSG_FAIL };
	enum recipe_step step;
	struct recipe r;
	int e;

	fill_recipe(s, &r);
	/* Our PID is the program's: into the locked pidfile, as a daemon
	 * writes its own; before the limits, which may forbid the write. */
	step = RECIPE_STEP_PIDFILE;
	e = r.keep_fd >= 0 ? pidfile_write_fd(r.keep_fd, getpid()) : 0;
	if (!e)
		e = recipe_apply_identity(&r, &step);
	if (!e) {
		execve(s->program, s->argv, s->env.vars);
		step = RECIPE_STEP_EXEC;
		e = -errno;
	}
	m.step = step;
	m.err = -e;
	return report_failure(s, &m);
}
