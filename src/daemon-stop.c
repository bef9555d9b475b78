/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon-stop: stop the daemon of a pidfile along a retry schedule.
 * Options go into struct dctl_stop_opts; dctl_stop() decides and acts;
 * this file only words the outcome and maps it to the exit status.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "daemonctl.h"

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
	bool oknodo;
	char path[PATH_MAX];
	struct dctl_stop_opts o;
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

/* A user name, or a numeric uid. */
/* 8-4-4-4-12 hex digits, as DAEMON_INSTANCE_ID is written. */
static bool uuid_ok(const char *s)
{
	size_t i;

	if (strlen(s) != DCTL_UUID_LEN - 1)
		return false;
	for (i = 0; s[i]; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	}
	return true;
}

static const char *retry_problem(int r)
{
	if (r == -ERANGE)
		return "a timeout is too large or there are too many items";
	return "want a timeout, or SIGNAL/TIMEOUT/... items with 'forever' at most once and not last (e.g. TERM/30/KILL/5)";
}

static int parse_option(struct args *a, int c)
{
	switch (c) {
	case 'p': a->pidfile = optarg; return 0;
	case 'n': a->name = optarg; return 0;
	case 's': a->signal = optarg; return 0;
	case 'R': a->retry = optarg; return 0;
	case OPT_NO_WAIT: a->o.no_wait = true; return 0;
	case 'x':
		if (!*optarg) {
			cli_error("invalid value '' for --exec: empty");
			return -1;
		}
		a->o.match.exe = optarg;
		return 0;
	case 'u': a->user = optarg; return 0;
	case OPT_INSTANCE:
		if (!uuid_ok(optarg)) {
			cli_error("invalid value '%s' for --instance: not a UUID",
				  optarg);
			return -1;
		}
		a->o.match.instance = optarg;
		return 0;
	case OPT_PROCESS_GROUP: a->o.process_group = true; return 0;
	case OPT_KEEP_PIDFILE: a->o.keep_pidfile = true; return 0;
	case OPT_REMOVE_PIDFILE: return 0;	/* what we always do */
	case 'o': a->oknodo = true; return 0;
	case 't': cli.test = true; a->o.test = true; return 0;
	case 'q': cli.quiet = true; return 0;
	case 'v': cli.verbose++; return 0;
	case 'h': usage(); exit(EXIT_STOPPED);
	case 'V': cli_version(); exit(EXIT_STOPPED);
	default:
		return -1;
	}
}

/* The option values that need the others first (--retry uses --signal). */
static int finish_args(struct args *a)
{
	int r;

	if (cli_pidfile(a->pidfile, a->name, a->path, sizeof(a->path)) < 0)
		return -1;
	a->o.pidfile = a->path;
	if (a->signal && dctl_signal_parse(a->signal, &a->o.sig) < 0) {
		cli_error("invalid value '%s' for --signal: not a signal name or number (e.g. TERM, 15)",
			  a->signal);
		return -1;
	}
	if (a->user && cli_parse_user("--user", a->user, &a->o.match.uid) < 0)
		return -1;
	if (a->retry && a->o.no_wait) {
		cli_error("--retry and --no-wait exclude each other");
		return -1;
	}
	if (a->retry) {
		r = dctl_schedule_parse(a->retry, a->o.sig, &a->o.schedule);
		if (r < 0) {
			cli_error("invalid value '%s' for --retry: %s", a->retry,
				  retry_problem(r));
			return -1;
		}
	}
	return 0;
}

static int parse_args(struct args *a, int argc, char **argv)
{
	int c;

	dctl_stop_opts_init(&a->o);
	a->o.log = cli_log;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:n:s:R:x:u:otqvhV",
				long_options, NULL)) != -1) {
		if (c == '?' || c == ':') {
			cli_option_error(c, argv);
			return -1;
		}
		if (parse_option(a, c) < 0)
			return -1;
	}
	if (optind < argc) {
		cli_error("unexpected argument '%s' (see --help)", argv[optind]);
		return -1;
	}
	return finish_args(a);
}

static int nothing_done(const struct args *a, const struct dctl_stop_result *res)
{
	const struct dctl_status *st = &res->status;
	char what[256];

	if (st->state == DCTL_STATE_NOT_RUNNING)
		snprintf(what, sizeof(what), "not running (no pidfile)");
	else if (res->pid)
		snprintf(what, sizeof(what), "process %d exited before it was signalled",
			 (int)res->pid);
	else
		snprintf(what, sizeof(what), "%.200s",
			 st->reason[0] ? st->reason : "stale pidfile");
	if (a->oknodo) {
		cli_verbose("%s: %s, nothing done", a->path, what);
		return EXIT_STOPPED;
	}
	if (!cli.quiet)
		cli_error("%s: %s, nothing done", a->path, what);
	return EXIT_NOTHING;
}

static int trouble(const struct args *a, const struct dctl_stop_result *res,
		   int r)
{
	const struct dctl_status *st = &res->status;

	if (r == -EPERM && !res->pid && !st->trusted) {
		cli_error("%s: not trusted: a user other than root could have written it; confirm the process with --exec or --user",
			  a->path);
	} else if (r == -EPERM && a->o.process_group && !res->last_signal) {
		cli_error("%s: refusing to signal the process group of pid %d: it is not detached (its group is 0, 1, or in our session)",
			  a->path, (int)res->pid);
	} else if (res->pid) {
		cli_error("%s: cannot stop pid %d: %s", a->path, (int)res->pid,
			  strerror(-r));
	} else if (st->state == DCTL_STATE_UNKNOWN && st->reason[0]) {
		cli_error("%s: %s", a->path, st->reason);
	} else if (r == -EBADMSG) {
		cli_error("%s: malformed pidfile: %s", a->path,
			  dctl_pid_fault_str(st->fault));
	} else {
		cli_error("%s: %s", a->path, strerror(-r));
	}
	return EXIT_TROUBLE;
}

static int report(const struct args *a, const struct dctl_stop_result *res,
		  int r)
{
	char sched[512] = "";
	struct dctl_schedule s = a->o.schedule;

	if (s.n == 0)
		dctl_schedule_default(a->o.sig, &s);
	dctl_schedule_format(&s, sched, sizeof(sched));
	if (r == 0 && a->o.test) {
		if (a->o.no_wait)
			cli_say("would send %s to pid %d (%s)",
				dctl_signal_name(a->o.sig), (int)res->pid,
				a->path);
		else
			cli_say("would stop pid %d (%s) along %s",
				(int)res->pid, a->path, sched);
		return EXIT_STOPPED;
	}
	if (r == 0)
		return EXIT_STOPPED;
	if (r == -ESRCH)
		return nothing_done(a, res);
	if (r == -ETIMEDOUT) {
		cli_error("%s: pid %d still running at the end of %s, pidfile kept",
			  a->path, (int)res->pid, sched);
		return EXIT_ALIVE;
	}
	return trouble(a, res, r);
}

int main(int argc, char **argv)
{
	struct dctl_stop_result res = { 0 };
	struct args a = { 0 };
	int r;

	cli_init(argv[0]);
	if (parse_args(&a, argc, argv) < 0)
		return EXIT_TROUBLE;
	r = dctl_stop(&a.o, &res);
	return report(&a, &res, r);
}
