/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon-stop: stop the daemon of a pidfile along a retry schedule.
 * The options make a struct dctl_stop; dctl_stop_run() decides and acts;
 * this file only words the outcome and maps it to the exit status.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "daemonctl.h"
#include "util.h"

/* start-stop-daemon's exit codes. */
enum {
	EXIT_STOPPED = 0,
	EXIT_NOTHING = 1,
	EXIT_ALIVE = 2,
	EXIT_TROUBLE = 3,
};

enum {
	OPT_NO_WAIT = 256,
	OPT_INSTANCE,
	OPT_PROCESS_GROUP,
	OPT_KEEP_PIDFILE,
	OPT_REMOVE_PIDFILE,
};

static const struct option long_options[] = {
	{ "pidfile", required_argument, NULL, 'p' },
	{ "name", required_argument, NULL, 'n' },
	{ "signal", required_argument, NULL, 's' },
	{ "retry", required_argument, NULL, 'R' },
	{ "no-wait", no_argument, NULL, OPT_NO_WAIT },
	{ "exec", required_argument, NULL, 'x' },
	{ "user", required_argument, NULL, 'u' },
	{ "instance", required_argument, NULL, OPT_INSTANCE },
	{ "process-group", no_argument, NULL, OPT_PROCESS_GROUP },
	{ "keep-pidfile", no_argument, NULL, OPT_KEEP_PIDFILE },
	{ "remove-pidfile", no_argument, NULL, OPT_REMOVE_PIDFILE },
	{ "oknodo", no_argument, NULL, 'o' },
	{ "test", no_argument, NULL, 't' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct args {
	const char *pidfile;
	const char *name;
	const char *signal;
	const char *retry;
	const char *user;
	bool no_wait;
	bool process_group;
	bool keep_pidfile;
	bool test;
	bool oknodo;
	int sig;
	char *path;
	struct dctl_match *match;
	struct dctl_stop *stop;
};

static void usage(void)
{
	printf("Usage: %s [OPTIONS] (--pidfile PATH | --name NAME)\n"
	       "Stop the daemon of a pidfile: signal it, wait for it to exit, escalate\n"
	       "along the retry schedule, then remove the pidfile.\n\n"
	       "  -p, --pidfile PATH     the daemon's pidfile\n"
	       "  -n, --name NAME        the pidfile RUNDIR/NAME.pid\n"
	       "  -s, --signal SIG       first signal (name or number; default TERM)\n"
	       "  -R, --retry SCHEDULE   e.g. TERM/30/KILL/5, or a timeout N meaning\n"
	       "                         SIG/N/KILL/N (default SIG/30/KILL/5)\n"
	       "      --no-wait          send the signal and return (e.g. HUP to reload)\n"
	       "  -x, --exec PATH        only if the process runs this executable\n"
	       "  -u, --user USER        only if the process belongs to USER (name or uid)\n"
	       "      --instance UUID    only if the process has this DAEMON_INSTANCE_ID\n"
	       "      --process-group    signal the daemon's whole process group\n"
	       "      --keep-pidfile     do not remove the pidfile\n"
	       "  -o, --oknodo           exit 0 if there was nothing to stop\n"
	       "  -t, --test             say what would be done, send nothing\n"
	       "  -q, --quiet            say nothing but errors\n"
	       "  -v, --verbose          say what is sent and waited for\n"
	       "  -h, --help             this help\n"
	       "  -V, --version          the version\n\n"
	       "Exit status: 0 stopped (or not running, with --oknodo); 1 not running,\n"
	       "nothing done; 2 still alive when the schedule ran out; 3 trouble.\n",
	       cli.prog);
}

static const char *retry_problem(int r)
{
	if (r == -ERANGE)
		return "a timeout is too large or there are too many items";
	return "want a timeout, or SIGNAL/TIMEOUT/... items with 'forever' at most once and not last (e.g. TERM/30/KILL/5)";
}

/* One option into a: 0, 1 (done: exit 0) or -1 (error printed). */
static int take_option(void *ctx, int c, const char *arg)
{
	struct args *a = ctx;

	switch (c) {
	case 'p': a->pidfile = arg; return 0;
	case 'n': a->name = arg; return 0;
	case 's': a->signal = arg; return 0;
	case 'R': a->retry = arg; return 0;
	case OPT_NO_WAIT: a->no_wait = true; return 0;
	case 'x':
		if (dctl_match_set_exe(a->match, arg) < 0) {
			cli_error("invalid value '%s' for --exec: empty", arg);
			return -1;
		}
		return 0;
	case 'u': a->user = arg; return 0;
	case OPT_INSTANCE:
		if (dctl_match_set_instance(a->match, arg) < 0) {
			cli_error("invalid value '%s' for --instance: not a UUID",
				  arg);
			return -1;
		}
		return 0;
	case OPT_PROCESS_GROUP: a->process_group = true; return 0;
	case OPT_KEEP_PIDFILE: a->keep_pidfile = true; return 0;
	case OPT_REMOVE_PIDFILE: return 0;	/* what we always do */
	case 'o': a->oknodo = true; return 0;
	case 't': cli.test = a->test = true; return 0;
	case 'q': cli.quiet = true; return 0;
	case 'v': cli.verbose++; return 0;
	case 'h': usage(); return 1;
	case 'V': cli_version(); return 1;
	default: return -1;
	}
}

static int set_retry(struct args *a)
{
	struct dctl_schedule *sched;
	int r;

	r = dctl_schedule_parse(a->retry, a->sig, &sched);
	if (r < 0) {
		cli_error("invalid value '%s' for --retry: %s", a->retry,
			  retry_problem(r));
		return -1;
	}
	r = dctl_stop_set_schedule(a->stop, sched);
	dctl_schedule_free(sched);
	return r;
}

/* The stop the options describe (--retry uses --signal). */
static int finish_args(struct args *a)
{
	struct dctl_stop *s;

	if (cli_pidfile(a->pidfile, a->name, &a->path) < 0)
		return -1;
	if (a->signal && dctl_signal_parse(a->signal, &a->sig) < 0) {
		cli_error("invalid value '%s' for --signal: not a signal name or number (e.g. TERM, 15)",
			  a->signal);
		return -1;
	}
	if (a->user) {
		uid_t uid;

		if (cli_parse_user("--user", a->user, &uid) < 0)
			return -1;
		dctl_match_set_uid(a->match, uid);
	}
	if (dctl_stop_new(&a->stop, a->path) < 0) {
		cli_error("out of memory");
		return -1;
	}
	s = a->stop;
	if (a->retry && set_retry(a) < 0)
		return -1;
	if (dctl_stop_set_signal(s, a->sig) < 0 ||
	    dctl_stop_set_no_wait(s, a->no_wait) < 0 ||
	    dctl_stop_set_process_group(s, a->process_group) < 0 ||
	    dctl_stop_set_keep_pidfile(s, a->keep_pidfile) < 0 ||
	    dctl_stop_set_test(s, a->test) < 0 ||
	    dctl_stop_set_match(s, a->match) < 0 ||
	    dctl_stop_set_log(s, cli_log, NULL) < 0) {
		cli_error("out of memory");
		return -1;
	}
	return 0;
}

static int parse_args(struct args *a, int argc, char **argv)
{
	int r;

	r = cli_getopt(argc, argv, ":p:n:s:R:x:u:otqvhV", long_options,
		       take_option, a);
	if (r)
		return r;
	if (optind < argc) {
		cli_error("unexpected argument '%s' (see --help)", argv[optind]);
		return -1;
	}
	return finish_args(a);
}

static int nothing_done(const struct args *a, const struct dctl_status *st)
{
	pid_t pid = dctl_stop_get_pid(a->stop);
	const char *reason = dctl_status_get_reason(st);
	char *what;

	if (dctl_status_get_state(st) == DCTL_STATE_NOT_RUNNING)
		what = strdup("not running (no pidfile)");
	else if (pid)
		what = util_asprintf("process %d exited before it was signalled",
				    (int)pid);
	else
		what = strdup(reason ? reason : "stale pidfile");
	if (!what) {
		cli_error("out of memory");
		return EXIT_TROUBLE;
	}
	if (a->oknodo)
		cli_verbose("%s: %s, nothing done", a->path, what);
	else if (!cli.quiet)
		cli_error("%s: %s, nothing done", a->path, what);
	free(what);
	return a->oknodo ? EXIT_STOPPED : EXIT_NOTHING;
}

/* Its lock is held by processes the probe named (a dead daemon's
 * children): is --process-group the way to stop them? */
static bool holders_named(const char *reason)
{
	return reason && strncmp(reason, "locked by ", 10) == 0;
}

static int trouble(const struct args *a, const struct dctl_status *st, int r)
{
	pid_t pid = dctl_stop_get_pid(a->stop);
	const char *reason = dctl_status_get_reason(st);

	if (r == -EINVAL && a->no_wait && a->retry) {
		/* The library refuses the pair; we name the options. */
		cli_error("--retry and --no-wait exclude each other");
	} else if (r == -EPERM && !pid && dctl_status_get_trusted(st) == 0) {
		cli_error("%s: not trusted: a user other than root could have written it; confirm the process with --exec or --user",
			  a->path);
	} else if (r == -EPERM && a->process_group &&
		   !dctl_stop_get_last_signal(a->stop)) {
		cli_error("%s: refusing to signal the process group of pid %d: it is not detached (its group is 0, 1, or in our session)",
			  a->path, (int)pid);
	} else if (pid && (r == -EPERM || r == -EACCES) && reason) {
		cli_error("%s: cannot stop pid %d: %s", a->path, (int)pid,
			  reason);
	} else if (pid && (r == -EPERM || r == -EACCES)) {
		cli_error("%s: cannot stop pid %d: permission denied", a->path,
			  (int)pid);
	} else if (pid) {
		cli_error("%s: cannot stop pid %d: %s", a->path, (int)pid,
			  strerror(-r));
	} else if (dctl_status_get_state(st) == DCTL_STATE_UNKNOWN && reason) {
		cli_error("%s: %s%s", a->path, reason,
			  holders_named(reason) && !a->process_group ?
			  " (--process-group stops them)" : "");
	} else if (r == -EBADMSG) {
		cli_error("%s: malformed pidfile: %s", a->path,
			  dctl_pid_fault_str(dctl_status_get_fault(st)));
	} else {
		cli_error("%s: %s", a->path, strerror(-r));
	}
	return EXIT_TROUBLE;
}

/* The schedule the stop follows, as text (malloc'd, or NULL). */
static char *schedule_text(const struct args *a)
{
	const struct dctl_schedule *s = dctl_stop_get_schedule(a->stop);
	int n = dctl_schedule_format(s, NULL, 0);
	char *text;

	if (n < 0 || !(text = malloc((size_t)n + 1)))
		return NULL;
	dctl_schedule_format(s, text, (size_t)n + 1);
	return text;
}

/*
 * The daemon was stopped, but other processes kept its lock (its
 * children): exit 2, as something of it still runs.
 */
static int lock_kept(const struct args *a, const struct dctl_status *st)
{
	size_t i, n = dctl_status_get_holder_count(st);
	char *pids = strdup(""), *more;

	for (i = 0; pids && i < n; i++) {
		more = dctl_status_get_holder(st, i) ?
		       util_asprintf("%s %d", pids,
				     (int)dctl_status_get_holder(st, i)) :
		       util_asprintf("%s ...", pids);
		free(pids);
		pids = more;
		if (!dctl_status_get_holder(st, i))
			break;
	}
	cli_error("%s: pid %d stopped, but process%s%s still hold%s its lock: pidfile kept%s",
		  a->path, (int)dctl_stop_get_pid(a->stop), n > 1 ? "es" : "",
		  pids ? pids : "", n > 1 ? "" : "s",
		  a->process_group ? "" : " (--process-group stops them too)");
	free(pids);
	return EXIT_ALIVE;
}

static int report(const struct args *a, int r)
{
	const struct dctl_status *st = dctl_stop_get_status(a->stop);
	pid_t pid = dctl_stop_get_pid(a->stop);
	char *sched;
	int code;

	if (r == 0 && !a->test)
		return EXIT_STOPPED;
	if (r == -ESRCH)
		return nothing_done(a, st);
	if (r == -EBUSY && dctl_stop_get_last_signal(a->stop))
		return lock_kept(a, st);
	if (r != 0 && r != -ETIMEDOUT)
		return trouble(a, st, r);
	sched = schedule_text(a);
	if (!sched) {
		cli_error("out of memory");
		return EXIT_TROUBLE;
	}
	if (r == 0 && a->no_wait) {
		cli_say("would send %s to pid %d (%s)",
			dctl_signal_name(a->sig), (int)pid, a->path);
		code = EXIT_STOPPED;
	} else if (r == 0) {
		cli_say("would stop pid %d (%s) along %s", (int)pid, a->path,
			sched);
		code = EXIT_STOPPED;
	} else {
		cli_error("%s: pid %d still running at the end of %s, pidfile kept",
			  a->path, (int)pid, sched);
		code = EXIT_ALIVE;
	}
	free(sched);
	return code;
}

int main(int argc, char **argv)
{
	struct args a = { .sig = SIGTERM };
	int r, code = EXIT_TROUBLE;

	cli_init(argv[0]);
	if (dctl_match_new(&a.match) < 0) {
		cli_error("out of memory");
		return EXIT_TROUBLE;
	}
	r = parse_args(&a, argc, argv);
	if (r > 0)
		code = EXIT_STOPPED;
	else if (r == 0)
		code = report(&a, dctl_stop_run(a.stop));
	dctl_stop_free(a.stop);
	dctl_match_free(a.match);
	free(a.path);
	return code;
}
