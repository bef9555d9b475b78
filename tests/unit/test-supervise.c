/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The supervisor's loop with real processes: a launcher that forks
 * children which exit, crash or wait as each case plans, a real pidfile
 * and state record, and an outsider process that sends requests the way
 * daemon-stop does (queued signals) and watches the record the way status
 * does. Each case bounds itself with alarm(2) and ends its children.
 */
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <sys/file.h>

#include "unit.h"

#include "proc.h"
#include "supervise.h"
#include "util.h"

#define MS 1000000LL
#define S 1000000000LL
#define MAX_RUNS 64
#define CASE_LIMIT_S 30

enum act { ACT_EXIT, ACT_SIGNAL, ACT_WAIT, ACT_FAIL };

struct run_plan {
	enum act act;
	int value;		/* exit status or signal */
	int after_ms;		/* how long the run lives first */
};

struct fake {
	const struct run_plan *plan;
	size_t n_plan;		/* runs past the plan do as its last */
	size_t launches;
	pid_t pids[MAX_RUNS];
	int64_t launched_ns[MAX_RUNS];
	struct dctl_pidfile *pf;
	char *dir;
	char pidfile[256];
	char state[300];
	char log[8192];
	size_t log_len;
	struct supervisor *sv;
};

static void child_run(const struct run_plan *p)
{
	struct timespec nap = { p->after_ms / 1000,
				(long)(p->after_ms % 1000) * 1000000L };
	sigset_t none;
	int sig;

	/* As the recipe does for a real program: default dispositions (not
	 * cmocka's handlers) and an empty mask. */
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	alarm(CASE_LIMIT_S);
	nanosleep(&nap, NULL);
	if (p->act == ACT_SIGNAL)
		raise(p->value);
	if (p->act == ACT_WAIT)
		for (;;)
			pause();
	_exit(p->value);
}

static int fake_launch(void *ctx, pid_t *pid, int *pidfd)
{
	struct fake *f = ctx;
	size_t i = f->launches < f->n_plan ? f->launches : f->n_plan - 1;
	const struct run_plan *p = &f->plan[i];
	pid_t child;

	if (f->launches == MAX_RUNS)
		return -E2BIG;
	f->launched_ns[f->launches] = util_now_ns();
	f->launches++;
	if (p->act == ACT_FAIL)
		return -ENOENT;
	child = fork();
	if (child < 0)
		return -errno;
	if (child == 0)
		child_run(p);
	f->pids[f->launches - 1] = child;
	/* The real launch has the program write its own PID before exec. */
	if (f->pf)
		dctl_pidfile_write(f->pf, child);
	*pid = child;
	*pidfd = f->launches % 2 ? proc_pidfd_open(child) : -1;
	return 0;
}

static const struct supervise_ops fake_ops = { .launch = fake_launch };

static void fake_log(void *data, int level, const char *msg)
{
	struct fake *f = data;
	int n;

	(void)level;
	n = snprintf(f->log + f->log_len, sizeof(f->log) - f->log_len, "%s\n",
		     msg);
	if (n > 0 && (size_t)n < sizeof(f->log) - f->log_len)
		f->log_len += (size_t)n;
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (!f || !(f->dir = unit_tmpdir()))
		return -1;
	snprintf(f->pidfile, sizeof(f->pidfile), "%s/web.pid", f->dir);
	snprintf(f->state, sizeof(f->state), "%s.state", f->pidfile);
	if (dctl_pidfile_open(f->pidfile, 0644, &f->pf, NULL) < 0)
		return -1;
	alarm(CASE_LIMIT_S);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;
	size_t i;

	alarm(0);
	for (i = 0; i < f->launches; i++)
		if (f->pids[i] > 0 && kill(f->pids[i], 0) == 0)
			end_child(f->pids[i]);
	supervise_free(f->sv);
	unit_rmtree(f->dir);
	free(f);
	return 0;
}

/* A supervisor over the fake, its first run started and adopted. */
static void start(struct fake *f, const struct backoff_cfg *bc,
		  const struct run_plan *plan, size_t n)
{
	struct supervise_cfg c = { .backoff = *bc, .state_path = f->state,
				   .pidfile = f->pf, .log = fake_log,
				   .log_data = f };
	pid_t pid;
	int pidfd;

	f->plan = plan;
	f->n_plan = n;
	assert_int_equal(supervise_new(&f->sv, &c, &fake_ops, f), 0);
	assert_int_equal(fake_launch(f, &pid, &pidfd), 0);
	assert_int_equal(supervise_adopt(f->sv, pid, pidfd, util_now_ns()), 0);
}

static struct backoff_cfg quick(int64_t stable, int64_t delay, int64_t max)
{
	struct backoff_cfg c;

	backoff_cfg_init(&c);
	c.stable_ns = stable;
	c.delay_ns = delay;
	c.delay_max_ns = max;
	return c;
}

/* ------------------------------------------------------ the outsider */

struct outsider {
	pid_t pid;
	int rd;			/* its report */
};

/* Wait (up to 10 s) until the record says state, with a program other
 * than not_pid when state is running. 0 or -ETIMEDOUT. */
static int await_record(const char *path, enum svstate_kind state,
			pid_t not_pid, struct svstate *out)
{
	const struct timespec nap = { 0, 1000000 };
	int64_t deadline = util_now_ns() + 10 * S;
	struct svstate s;

	while (util_now_ns() < deadline) {
		if (svstate_read(path, &s, NULL) == 0 && s.state == state &&
		    (state != SVSTATE_RUNNING || (s.pid && s.pid != not_pid))) {
			*out = s;
			return 0;
		}
		nanosleep(&nap, NULL);
	}
	return -ETIMEDOUT;
}

static int request(pid_t sv, enum sv_op op, int sig)
{
	union sigval v = { .sival_int = sv_request(op, sig, 0) };

	return sigqueue(sv, SV_SIGNAL, v);
}

/* Run script(f, sv, report) in a child; it writes what it saw to report. */
static struct outsider outsider(struct fake *f,
				int (*script)(struct fake *, pid_t, int))
{
	struct outsider o;
	pid_t sv = getpid();
	int fds[2], r;

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	o.pid = fork();
	assert_true(o.pid >= 0);
	if (o.pid == 0) {
		close(fds[0]);
		alarm(CASE_LIMIT_S);
		r = script(f, sv, fds[1]);
		if (r < 0)	/* let the case end rather than hang */
			kill(sv, SIGTERM);
		_exit(r < 0 ? 1 : 0);
	}
	close(fds[1]);
	o.rd = fds[0];
	return o;
}

/* What the outsider reported: its long values, n of them. */
static void outsider_report(struct outsider *o, long *v, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n * sizeof(*v)) {
		r = read(o->rd, (char *)v + got, n * sizeof(*v) - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(o->rd);
	/* The loop may have reaped it already: that is fine. */
	waitpid(o->pid, NULL, 0);
	if (got != n * sizeof(*v))
		fail_msg("the outsider reported %zu bytes of %zu", got,
			 n * sizeof(*v));
}

static void report(int fd, const long *v, size_t n)
{
	if (util_write_all(fd, v, n * sizeof(*v)) < 0)
		_exit(2);
}

/* ------------------------------------------------------ assertions */

static void assert_gone(const char *path)
{
	if (access(path, F_OK) == 0 || errno != ENOENT)
		fail_msg("%s still exists", path);
}

static void assert_log_has(const struct fake *f, const char *what)
{
	if (!strstr(f->log, what))
		fail_msg("log lacks '%s':\n%s", what, f->log);
}

static void assert_dead(pid_t pid)
{
	if (kill(pid, 0) == 0 || errno != ESRCH)
		fail_msg("pid %d still exists", (int)pid);
}

/* ------------------------------------------------------------ cases */

/* A crash loop: the delays double up to the cap, then the limit ends it. */
static void test_crash_loop_gives_up(void **state)
{
	struct fake *f = *state;
	const struct run_plan plan[] = { { ACT_EXIT, 1, 0 } };
	const int64_t delays[] = { 20 * MS, 40 * MS, 80 * MS, 80 * MS };
	struct backoff_cfg bc = quick(10 * S, 20 * MS, 80 * MS);
	struct svstate rec;
	pid_t named;
	size_t i;
	int fd;

	bc.limit_n = 4;
	bc.limit_window_ns = 60 * S;
	start(f, &bc, plan, 1);
	assert_int_equal(supervise_run(f->sv), SUPERVISE_GAVE_UP);
	assert_int_equal(f->launches, 5);
	/* Never earlier than the backoff said. */
	for (i = 0; i < 4; i++)
		if (f->launched_ns[i + 1] - f->launched_ns[i] < delays[i])
			fail_msg("restart %zu came %lld ns after the one before",
				 i + 1, (long long)(f->launched_ns[i + 1] -
						    f->launched_ns[i]));
	assert_int_equal(svstate_read(f->state, &rec, NULL), 0);
	assert_int_equal(rec.state, SVSTATE_FAILED);
	assert_int_equal(rec.restarts, 4);
	assert_int_equal(rec.last.kind, SV_EXIT_CODE);
	assert_int_equal(rec.last.value, 1);
	assert_int_equal(rec.limit_n, 4);
	assert_true(rec.limit_window_ns == 60 * S);
	assert_int_equal(rec.supervisor, getpid());
	assert_log_has(f, "gave up after 4 restarts (exit 1)");

	/* The pidfile stays, naming the last run, and is no longer locked
	 * once the supervisor is gone: status calls it dead. */
	assert_int_equal(dctl_pidfile_read(f->pidfile, &named, NULL), 0);
	assert_int_equal(named, f->pids[4]);
	supervise_free(f->sv);
	f->sv = NULL;
	fd = open(f->pidfile, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);
	for (i = 0; i < 5; i++)
		assert_dead(f->pids[i]);
}

/* on-failure: a crash is restarted, exit 0 ends supervision cleanly. */
static void test_on_failure_exit0(void **state)
{
	struct fake *f = *state;
	const struct run_plan plan[] = { { ACT_SIGNAL, SIGSEGV, 0 },
					 { ACT_EXIT, 0, 0 } };
	struct backoff_cfg bc = quick(10 * S, 10 * MS, 10 * MS);

	bc.policy = SV_RESPAWN_ON_FAILURE;
	start(f, &bc, plan, 2);
	assert_int_equal(supervise_run(f->sv), SUPERVISE_DONE);
	assert_int_equal(f->launches, 2);
	assert_int_equal(supervise_state(f->sv)->last.kind, SV_EXIT_CODE);
	assert_int_equal(supervise_state(f->sv)->last.value, 0);
	assert_log_has(f, "program ended (signal SEGV), restart in 10 ms");
	assert_gone(f->pidfile);
	assert_gone(f->state);
	/* Reaped, both: not even a zombie is left behind. */
	assert_dead(f->pids[0]);
	assert_dead(f->pids[1]);
}

/* After a stable run the restart does not wait for any delay. */
static void test_stable_restarts_at_once(void **state)
{
	struct fake *f = *state;
	const struct run_plan plan[] = { { ACT_EXIT, 3, 150 },
					 { ACT_EXIT, 0, 0 } };
	struct backoff_cfg bc = quick(100 * MS, 20 * S, 20 * S);

	bc.policy = SV_RESPAWN_ON_FAILURE;
	start(f, &bc, plan, 2);
	assert_int_equal(supervise_run(f->sv), SUPERVISE_DONE);
	assert_int_equal(f->launches, 2);
	if (strstr(f->log, "restart in"))
		fail_msg("a stable run was followed by a delay:\n%s", f->log);
	assert_log_has(f, "restarted as pid");
}

/* During a backoff the pidfile names the supervisor; a stop ends it at
 * once, with no further run. */
static int stop_in_backoff(struct fake *f, pid_t sv, int out)
{
	struct svstate s;
	long v[2];
	pid_t named = 0;

	if (await_record(f->state, SVSTATE_RESTARTING, 0, &s) < 0)
		return -1;
	dctl_pidfile_read(f->pidfile, &named, NULL);
	v[0] = named;
	v[1] = (long)(s.next_ns - util_now_ns());
	report(out, v, 2);
	return request(sv, SV_OP_STOP, SIGTERM);
}

static void test_stop_during_backoff(void **state)
{
	struct fake *f = *state;
	const struct run_plan plan[] = { { ACT_EXIT, 1, 0 } };
	struct backoff_cfg bc = quick(10 * S, 20 * S, 20 * S);
	struct outsider o;
	long v[2];

	start(f, &bc, plan, 1);
	o = outsider(f, stop_in_backoff);
	assert_int_equal(supervise_run(f->sv), SUPERVISE_STOPPED);
	outsider_report(&o, v, 2);
	assert_int_equal(v[0], getpid());
	assert_true(v[1] > 10 * S);	/* it was waiting out the 20 s */
	assert_int_equal(f->launches, 1);
	assert_gone(f->pidfile);
	assert_gone(f->state);
}

/* A stop while the program runs: it gets the signal, is not restarted. */
static int stop_running(struct fake *f, pid_t sv, int out)
{
	struct svstate s;
	long v[1];

	if (await_record(f->state, SVSTATE_RUNNING, 0, &s) < 0)
		return -1;
	v[0] = s.pid;
	report(out, v, 1);
	return request(sv, SV_OP_STOP, SIGTERM);
}

static void test_stop_running(void **state)
{
	struct fake *f = *state;
	const struct run_plan plan[] = { { ACT_WAIT, 0, 0 } };
	struct backoff_cfg bc = quick(0, 0, 0);
	struct outsider o;
	long v[1];

	start(f, &bc, plan, 1);
	o = outsider(f, stop_running);
	assert_int_equal(supervise_run(f->sv), SUPERVISE_STOPPED);
	outsider_report(&o, v, 1);
	assert_int_equal(v[0], f->pids[0]);
	assert_int_equal(f->launches, 1);
	assert_int_equal(supervise_state(f->sv)->last.kind, SV_EXIT_SIGNAL);
	assert_int_equal(supervise_state(f->sv)->last.value, SIGTERM);
	assert_dead(f->pids[0]);
	assert_gone(f->pidfile);
	assert_gone(f->state);
}

/* A forwarded signal reaches the program and supervision goes on. */
static int forward_then_stop(struct fake *f, pid_t sv, int out)
{
	struct svstate a, b;
	long v[4];

	if (await_record(f->state, SVSTATE_RUNNING, 0, &a) < 0 ||
	    request(sv, SV_OP_FORWARD, SIGUSR1) < 0 ||
	    await_record(f->state, SVSTATE_RUNNING, a.pid, &b) < 0)
		return -1;
	v[0] = a.pid;
	v[1] = b.pid;
	v[2] = b.restarts;
	v[3] = b.last.kind == SV_EXIT_SIGNAL ? b.last.value : -1;
	report(out, v, 4);
	return request(sv, SV_OP_STOP, SIGTERM);
}

static void test_forward(void **state)
{
	struct fake *f = *state;
	const struct run_plan plan[] = { { ACT_WAIT, 0, 0 } };
	struct backoff_cfg bc = quick(0, 0, 0);
	struct outsider o;
	long v[4];

	start(f, &bc, plan, 1);
	o = outsider(f, forward_then_stop);
	assert_int_equal(supervise_run(f->sv), SUPERVISE_STOPPED);
	outsider_report(&o, v, 4);
	assert_int_equal(f->launches, 2);
	assert_int_equal(v[0], f->pids[0]);
	assert_int_equal(v[1], f->pids[1]);
	assert_int_equal(v[2], 1);
	assert_int_equal(v[3], SIGUSR1);
	assert_dead(f->pids[1]);
}

/* Plain signals from anyone: a bare SV_SIGNAL is no request, HUP goes to
 * the program, TERM ends supervision. */
static int plain_signals(struct fake *f, pid_t sv, int out)
{
	struct svstate a, b;
	long v[2];

	if (await_record(f->state, SVSTATE_RUNNING, 0, &a) < 0 ||
	    kill(sv, SV_SIGNAL) < 0 || kill(sv, SIGHUP) < 0 ||
	    await_record(f->state, SVSTATE_RUNNING, a.pid, &b) < 0)
		return -1;
	v[0] = b.last.kind == SV_EXIT_SIGNAL ? b.last.value : -1;
	v[1] = b.restarts;
	report(out, v, 2);
	return kill(sv, SIGTERM);
}

static void test_plain_signals(void **state)
{
	struct fake *f = *state;
	const struct run_plan plan[] = { { ACT_WAIT, 0, 0 } };
	struct backoff_cfg bc = quick(0, 0, 0);
	struct outsider o;
	long v[2];

	start(f, &bc, plan, 1);
	o = outsider(f, plain_signals);
	assert_int_equal(supervise_run(f->sv), SUPERVISE_STOPPED);
	outsider_report(&o, v, 2);
	assert_int_equal(v[0], SIGHUP);
	assert_int_equal(v[1], 1);
	assert_int_equal(f->launches, 2);
	assert_log_has(f, "ignored a request from pid");
}

/*
 * The race daemon-stop must win: the program has died and a stop request
 * is queued before the supervisor looks (it is stopped meanwhile). The
 * request is taken first: no new run.
 */
static int exit_and_stop_together(struct fake *f, pid_t sv, int out)
{
	const struct timespec nap = { 0, 1000000 };
	struct proc_stat ps;
	struct svstate s;
	long v[1] = { 0 };
	int i;

	if (await_record(f->state, SVSTATE_RUNNING, 0, &s) < 0 ||
	    kill(sv, SIGSTOP) < 0)
		return -1;
	kill(s.pid, SIGKILL);
	for (i = 0; i < 10000; i++) {
		if (proc_read_stat(s.pid, &ps) == 0 && ps.state == 'Z')
			break;
		nanosleep(&nap, NULL);
	}
	v[0] = ps.state;
	report(out, v, 1);
	request(sv, SV_OP_STOP, SIGTERM);
	return kill(sv, SIGCONT);
}

static void test_stop_beats_exit(void **state)
{
	struct fake *f = *state;
	const struct run_plan plan[] = { { ACT_WAIT, 0, 0 } };
	struct backoff_cfg bc = quick(0, 0, 0);
	struct outsider o;
	long v[1];

	start(f, &bc, plan, 1);
	o = outsider(f, exit_and_stop_together);
	assert_int_equal(supervise_run(f->sv), SUPERVISE_STOPPED);
	outsider_report(&o, v, 1);
	assert_int_equal(v[0], 'Z');
	assert_int_equal(f->launches, 1);
	assert_int_equal(supervise_state(f->sv)->last.value, SIGKILL);
	assert_gone(f->pidfile);
}

/* Restarts that cannot start back off like crashes and count to the limit. */
static void test_launch_failures(void **state)
{
	struct fake *f = *state;
	const struct run_plan plan[] = { { ACT_EXIT, 1, 0 },
					 { ACT_FAIL, 0, 0 } };
	struct backoff_cfg bc = quick(0, 10 * MS, 10 * MS);
	struct svstate rec;

	bc.limit_n = 2;
	bc.limit_window_ns = 60 * S;
	start(f, &bc, plan, 2);
	assert_int_equal(supervise_run(f->sv), SUPERVISE_GAVE_UP);
	assert_int_equal(f->launches, 3);
	assert_int_equal(svstate_read(f->state, &rec, NULL), 0);
	assert_int_equal(rec.state, SVSTATE_FAILED);
	assert_int_equal(rec.restarts, 2);
	assert_int_equal(rec.last.kind, SV_EXIT_LAUNCH);
	assert_int_equal(rec.last.value, ENOENT);
}

/* Context switches of a process so far, from /proc/PID/status. */
static long switches(pid_t pid)
{
	char path[64], buf[4096], *p;
	long total = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (util_read_small(AT_FDCWD, path, buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; (p = strstr(p, "ctxt_switches:")); p++)
		total += strtol(p + strlen("ctxt_switches:"), NULL, 10);
	return total;
}

/* While the program runs, the supervisor does not wake up at all. */
static int watch_idle(struct fake *f, pid_t sv, int out)
{
	const struct timespec idle = { 0, 500 * 1000000L };
	const struct timespec settle = { 0, 50 * 1000000L };
	struct svstate s;
	long v[1], before;

	if (await_record(f->state, SVSTATE_RUNNING, 0, &s) < 0)
		return -1;
	nanosleep(&settle, NULL);
	before = switches(sv);
	nanosleep(&idle, NULL);
	v[0] = switches(sv) - before;
	report(out, v, 1);
	return request(sv, SV_OP_STOP, SIGTERM);
}

static void test_no_wakeups_while_running(void **state)
{
	struct fake *f = *state;
	const struct run_plan plan[] = { { ACT_WAIT, 0, 0 } };
	struct backoff_cfg bc = quick(10 * S, 100 * MS, 30 * S);
	struct outsider o;
	long v[1];

	start(f, &bc, plan, 1);
	o = outsider(f, watch_idle);
	assert_int_equal(supervise_run(f->sv), SUPERVISE_STOPPED);
	outsider_report(&o, v, 1);
	assert_int_equal(v[0], 0);
}

static void test_bad_arguments(void **state)
{
	struct fake *f = *state;
	struct supervise_cfg c = { .backoff = quick(0, 2, 1) };
	struct supervisor *sv = NULL;

	assert_int_equal(supervise_new(&sv, &c, &fake_ops, f), -EINVAL);
	assert_null(sv);
	c.backoff = quick(0, 1, 1);
	assert_int_equal(supervise_new(&sv, &c, NULL, f), -EINVAL);
	assert_int_equal(supervise_new(&sv, &c, &fake_ops, f), 0);
	/* Nothing adopted: nothing to run. */
	assert_int_equal(supervise_run(sv), -EINVAL);
	assert_int_equal(supervise_adopt(sv, 1, -1, 0), -EINVAL);
	supervise_free(sv);
	supervise_free(NULL);
	dctl_pidfile_close(f->pf);	/* never handed over */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define CASE(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		CASE(test_crash_loop_gives_up),
		CASE(test_on_failure_exit0),
		CASE(test_stable_restarts_at_once),
		CASE(test_stop_during_backoff),
		CASE(test_stop_running),
		CASE(test_forward),
		CASE(test_plain_signals),
		CASE(test_stop_beats_exit),
		CASE(test_launch_failures),
		CASE(test_no_wakeups_while_running),
		CASE(test_bad_arguments),
#undef CASE
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
