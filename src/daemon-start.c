/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon-start: parse the options into one struct dctl_spawn, call
 * dctl_spawn_start() once, say what happened, exit 0 started (or already
 * running with --oknodo), 1 already running, 3 trouble.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include "cli.h"

enum { EXIT_STARTED = 0, EXIT_RUNNING = 1, EXIT_TROUBLE = 3 };

enum {
	OPT_STDOUT = 256,
	OPT_STDERR,
	OPT_NOTIFY,
	OPT_FORKING,
	OPT_LIMIT,
	OPT_IOSCHED,
	OPT_PROCSCHED,
	OPT_OOM_SCORE_ADJ,
	OPT_NO_NEW_PRIVS,
	OPT_CAPABILITIES,
	OPT_ENV_FILE,
	OPT_CLEAR_ENV,
	OPT_RESPAWN,
	OPT_RESPAWN_STABLE,
	OPT_RESPAWN_DELAY,
	OPT_RESPAWN_DELAY_MAX,
	OPT_RESPAWN_LIMIT,
	OPT_SYSLOG,
	OPT_SYSLOG_TAG,
	OPT_OUTPUT_MAX_SIZE,
	OPT_OUTPUT_KEEP,
	OPT_TIMESTAMPS,
};

/*
 * Not const, on purpose: its 44 name pointers are relocated at load, and
 * as a writable table it shares the data page that is dirty anyway,
 * instead of growing the read-only-after-relocation segment to a second
 * dirty page in every process of ours, the resident supervisor included.
 */
static struct option long_opts[] = {
	{ "pidfile", required_argument, NULL, 'p' },
	{ "name", required_argument, NULL, 'n' },
	{ "exec", required_argument, NULL, 'x' },
	{ "chdir", required_argument, NULL, 'd' },
	{ "umask", required_argument, NULL, 'k' },
	{ "output", required_argument, NULL, 'O' },
	{ "stdout", required_argument, NULL, OPT_STDOUT },
	{ "stderr", required_argument, NULL, OPT_STDERR },
	{ "env", required_argument, NULL, 'e' },
	{ "chuid", required_argument, NULL, 'c' },
	{ "chroot", required_argument, NULL, 'r' },
	{ "nicelevel", required_argument, NULL, 'N' },
	{ "oknodo", no_argument, NULL, 'o' },
	{ "wait", required_argument, NULL, 'w' },
	{ "notify-await", no_argument, NULL, OPT_NOTIFY },
	{ "forking", no_argument, NULL, OPT_FORKING },
	{ "timeout", required_argument, NULL, 'T' },
	{ "test", no_argument, NULL, 't' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "background", no_argument, NULL, 'b' },
	{ "make-pidfile", no_argument, NULL, 'm' },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "iosched", required_argument, NULL, OPT_IOSCHED },
	{ "procsched", required_argument, NULL, OPT_PROCSCHED },
	{ "oom-score-adj", required_argument, NULL, OPT_OOM_SCORE_ADJ },
	{ "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
	{ "group", required_argument, NULL, 'g' },
	{ "capabilities", required_argument, NULL, OPT_CAPABILITIES },
	{ "env-file", required_argument, NULL, OPT_ENV_FILE },
	{ "clear-env", no_argument, NULL, OPT_CLEAR_ENV },
	{ "respawn", optional_argument, NULL, OPT_RESPAWN },
	{ "respawn-stable", required_argument, NULL, OPT_RESPAWN_STABLE },
	{ "respawn-delay", required_argument, NULL, OPT_RESPAWN_DELAY },
	{ "respawn-delay-max", required_argument, NULL, OPT_RESPAWN_DELAY_MAX },
	{ "respawn-limit", required_argument, NULL, OPT_RESPAWN_LIMIT },
	{ "syslog", optional_argument, NULL, OPT_SYSLOG },
	{ "syslog-tag", required_argument, NULL, OPT_SYSLOG_TAG },
	{ "output-max-size", required_argument, NULL, OPT_OUTPUT_MAX_SIZE },
	{ "output-keep", required_argument, NULL, OPT_OUTPUT_KEEP },
	{ "timestamps", no_argument, NULL, OPT_TIMESTAMPS },
	{ NULL, 0, NULL, 0 },
};

static void usage(void)
{
	printf("Usage: %s [OPTIONS] [--] PROGRAM [ARG...]\n"
	       "       %s [OPTIONS] --exec PATH [-- ARG...]\n"
	       "Start PROGRAM as a daemon, locked in its pidfile.\n\n"
	       "  -p, --pidfile PATH      the pidfile (locked for the daemon's life)\n"
	       "  -n, --name NAME         the pidfile RUNDIR/NAME.pid\n"
	       "  -x, --exec PATH         the program (when PROGRAM is not given)\n"
	       "  -d, --chdir DIR         working directory (default /)\n"
	       "  -k, --umask MASK        octal umask (default 022)\n"
	       "  -O, --output FILE       stdout and stderr appended to FILE\n"
	       "      --stdout FILE       stdout appended to FILE\n"
	       "      --stderr FILE       stderr appended to FILE\n"
	       "      --syslog[=FACILITY] the other streams to syslog (daemon)\n"
	       "      --syslog-tag TAG    their tag (default: --name, or PROGRAM)\n"
	       "      --output-max-size SIZE  rotate the files at SIZE (10M, 512K)\n"
	       "      --output-keep N     rotated files kept (0..1000, default 5)\n"
	       "      --timestamps        each line in the files starts with its time\n"
	       "  -e, --env NAME=VALUE    add to the environment (repeatable)\n"
	       "  -c, --chuid USER[:GROUP] run as USER (root only)\n"
	       "  -r, --chroot DIR        chroot to DIR first\n"
	       "  -N, --nicelevel N       add N (-20..19) to the niceness\n"
	       "  -o, --oknodo            exit 0 if already running\n"
	       "  -w, --wait MS           require the daemon alive MS ms after exec\n"
	       "      --notify-await      wait for sd_notify READY=1\n"
	       "      --forking           PROGRAM detaches and writes the pidfile\n"
	       "  -T, --timeout SECONDS   limit for --notify-await/--forking (60)\n"
	       "  -t, --test              say what would be done, start nothing\n"
	       "  -q, --quiet             no output but errors\n"
	       "  -v, --verbose           say what is done\n"
	       "  -b, -m                  accepted for start-stop-daemon (no-ops)\n"
	       "Resources and privileges:\n"
	       "      --limit NAME=SOFT[:HARD]  a resource limit (repeatable): nofile,\n"
	       "                          core, nproc, as, data, fsize, memlock, stack,\n"
	       "                          cpu, locks, sigpending, msgqueue, nice,\n"
	       "                          rtprio, rttime, rss; K/M/G, unlimited\n"
	       "      --iosched CLASS[:PRIO]    idle, best-effort, real-time; 0..7\n"
	       "      --procsched POLICY[:PRIO] other, fifo, rr, batch, idle\n"
	       "      --oom-score-adj N   -1000..1000\n"
	       "      --no-new-privs      exec may grant no privileges\n"
	       "  -g, --group GROUP       run with GROUP as its group\n"
	       "      --capabilities CAP[,CAP...]  kept across --chuid (ambient)\n"
	       "      --env-file FILE     NAME=VALUE lines, as systemd reads them\n"
	       "      --clear-env         none of the caller's environment\n"
	       "Supervision:\n"
	       "      --respawn[=always|on-failure]  start PROGRAM again when it exits\n"
	       "      --respawn-stable SECONDS  a run this long is restarted at once (10)\n"
	       "      --respawn-delay SECONDS   first delay after a short run (0.1)\n"
	       "      --respawn-delay-max SECONDS  the doubling delay's cap (30)\n"
	       "      --respawn-limit N/SECONDS give up after N restarts in SECONDS\n"
	       "  -h, --help              this help\n"
	       "  -V, --version           version\n\n"
	       "Exit status: 0 started (or already running with --oknodo),\n"
	       "1 already running, 3 failure.\n",
	       cli.prog, cli.prog);
}

/*
 * A setter's verdict: 0 goes on; a refused value is the library's one line
 * (dctl_spawn_get_detail()), anything else its errno. -1 once printed.
 */
static int took(const struct dctl_spawn *s, int r)
{
	if (r == 0)
		return 0;
	if (r == -EINVAL && *dctl_spawn_get_detail(s))
		cli_error("%s", dctl_spawn_get_detail(s));
	else
		cli_error("%s", strerror(-r));
	return -1;
}

static int take_umask(struct dctl_spawn *s, const char *arg)
{
	mode_t mask;

	if (dctl_umask_parse(arg, &mask) < 0) {
		cli_error("invalid value '%s' for --umask: octal 0..0777 wanted",
			  arg);
		return -1;
	}
	return took(s, dctl_spawn_set_umask(s, mask));
}

/* What the tool decides itself; everything else goes into s at once. */
struct args {
	struct dctl_spawn *s;
	const char *pidfile;
	const char *name;
	const char *exec;
	const char *program;
	bool oknodo;
	bool test;
	bool notify;
	bool forking;
	bool syslog;
	bool syslog_tag;
	bool alive_ms;		/* a --wait other than 0 */
	bool waits;		/* --wait, --notify-await or --forking */
	int sigfd;		/* SIGINT, SIGTERM, SIGHUP while it waits */
	char *pidfile_path;
};

static int take_number(struct dctl_spawn *s, int c, const char *arg)
{
	long v;

	switch (c) {
	case OPT_OOM_SCORE_ADJ:
		if (cli_parse_long("--oom-score-adj", arg, -1000, 1000, &v))
			return -1;
		return took(s, dctl_spawn_set_oom_score_adj(s, (int)v));
	case 'N':
		if (cli_parse_long("--nicelevel", arg, -20, 19, &v))
			return -1;
		return took(s, dctl_spawn_set_nice(s, (int)v));
	default:
		if (cli_parse_long("--timeout", arg, 1, 86400, &v))
			return -1;
		return took(s,
			    dctl_spawn_set_timeout_ms(s, (unsigned)v * 1000u));
	}
}

/* The resources and privileges: each straight into s. */
static int take_resource(struct dctl_spawn *s, int c, const char *arg)
{
	switch (c) {
	case OPT_LIMIT: return took(s, dctl_spawn_set_limit(s, arg));
	case OPT_IOSCHED: return took(s, dctl_spawn_set_iosched(s, arg));
	case OPT_PROCSCHED: return took(s, dctl_spawn_set_procsched(s, arg));
	case OPT_NO_NEW_PRIVS:
		return took(s, dctl_spawn_set_no_new_privs(s, true));
	case 'g': return took(s, dctl_spawn_set_group(s, arg));
	case OPT_CAPABILITIES:
		return took(s, dctl_spawn_set_capabilities(s, arg));
	case OPT_ENV_FILE: return took(s, dctl_spawn_add_env_file(s, arg));
	case OPT_CLEAR_ENV: return took(s, dctl_spawn_set_clear_env(s, true));
	default: return -1;
	}
}

/* A --respawn-* duration: seconds, decimals allowed. */
static int take_seconds(const char *option, const char *arg, int64_t *ns)
{
	int r = dctl_respawn_seconds_parse(arg, ns);

	if (r == -ERANGE)
		cli_error("invalid value '%s' for %s: too large", arg, option);
	else if (r < 0)
		cli_error("invalid value '%s' for %s: seconds wanted, such as 10 or 0.25",
			  arg, option);
	return r < 0 ? -1 : 0;
}

/* The supervision options: each parsed here, set in s. */
static int take_respawn(struct dctl_spawn *s, int c, const char *arg)
{
	enum dctl_respawn policy;
	unsigned n;
	int64_t ns;
	int r;

	switch (c) {
	case OPT_RESPAWN:
		if (dctl_respawn_parse(arg, &policy) < 0) {
			cli_error("invalid value '%s' for --respawn: always or on-failure wanted",
				  arg);
			return -1;
		}
		return took(s, dctl_spawn_set_respawn(s, policy));
	case OPT_RESPAWN_LIMIT:
		r = dctl_respawn_limit_parse(arg, &n, &ns);
		if (r < 0) {
			cli_error("invalid value '%s' for --respawn-limit: N/SECONDS wanted, N 1..1000, SECONDS above 0",
				  arg);
			return -1;
		}
		return took(s, dctl_spawn_set_respawn_limit(s, n, ns));
	case OPT_RESPAWN_STABLE:
		if (take_seconds("--respawn-stable", arg, &ns))
			return -1;
		return took(s, dctl_spawn_set_respawn_stable_ns(s, ns));
	case OPT_RESPAWN_DELAY:
		if (take_seconds("--respawn-delay", arg, &ns))
			return -1;
		return took(s, dctl_spawn_set_respawn_delay_ns(s, ns));
	default:
		if (take_seconds("--respawn-delay-max", arg, &ns))
			return -1;
		return took(s, dctl_spawn_set_respawn_delay_max_ns(s, ns));
	}
}

/* The log keeper's options: each straight into s. */
static int take_output(struct args *a, int c, const char *arg)
{
	struct dctl_spawn *s = a->s;
	long v;

	switch (c) {
	case OPT_SYSLOG:
		a->syslog = true;
		return took(s, dctl_spawn_set_syslog(s, arg));
	case OPT_SYSLOG_TAG:
		a->syslog_tag = true;
		return took(s, dctl_spawn_set_syslog_tag(s, arg));
	case OPT_OUTPUT_MAX_SIZE:
		return took(s, dctl_spawn_set_output_max_size(s, arg));
	case OPT_OUTPUT_KEEP:
		if (cli_parse_long("--output-keep", arg, 0, 1000, &v))
			return -1;
		return took(s, dctl_spawn_set_output_keep(s, (unsigned)v));
	case OPT_TIMESTAMPS:
		return took(s, dctl_spawn_set_timestamps(s, true));
	default:
		return take_resource(s, c, arg);
	}
}

static int take_wait(struct args *a, const char *arg)
{
	long v;

	if (cli_parse_long("--wait", arg, 0, 86400000, &v))
		return -1;
	a->alive_ms = v > 0;
	return took(a->s, dctl_spawn_set_wait_ms(a->s, (unsigned)v));
}

/* One option into a; 0, 1 (done: exit 0) or -1 (error printed). */
static int take_option(void *ctx, int c, const char *arg)
{
	struct args *a = ctx;
	struct dctl_spawn *s = a->s;

	switch (c) {
	case 'p': a->pidfile = arg; return 0;
	case 'n': a->name = arg; return 0;
	case 'x': a->exec = arg; return 0;
	case 'd': return took(s, dctl_spawn_set_chdir(s, arg));
	case 'k': return take_umask(s, arg);
	case 'O':
		return took(s, dctl_spawn_set_stdout(s, arg)) ||
		       took(s, dctl_spawn_set_stderr(s, arg)) ? -1 : 0;
	case OPT_STDOUT: return took(s, dctl_spawn_set_stdout(s, arg));
	case OPT_STDERR: return took(s, dctl_spawn_set_stderr(s, arg));
	case 'e': return took(s, dctl_spawn_add_env(s, arg));
	case 'c': return took(s, dctl_spawn_set_user(s, arg));
	case 'r': return took(s, dctl_spawn_set_chroot(s, arg));
	case 'w': return take_wait(a, arg);
	case 'N': case 'T': return take_number(s, c, arg);
	case 'o': a->oknodo = true; return 0;
	case OPT_NOTIFY:
		a->notify = true;
		return took(s, dctl_spawn_set_ready(s, DCTL_READY_NOTIFY));
	case OPT_FORKING:
		a->forking = true;
		return took(s, dctl_spawn_set_ready(s, DCTL_READY_FORKING));
	case 't':
		cli.test = a->test = true;
		return took(s, dctl_spawn_set_test(s, true));
	case 'q': cli.quiet = true; return 0;
	case 'v': cli.verbose++; return 0;
	case 'b': case 'm': return 0;
	case 'h': usage(); return 1;
	case 'V': cli_version(); return 1;
	case OPT_OOM_SCORE_ADJ: return take_number(s, c, arg);
	case OPT_RESPAWN: case OPT_RESPAWN_STABLE: case OPT_RESPAWN_DELAY:
	case OPT_RESPAWN_DELAY_MAX: case OPT_RESPAWN_LIMIT:
		return take_respawn(s, c, arg);
	default: return take_output(a, c, arg);
	}
}

static int parse(struct args *a, int argc, char **argv)
{
	int r;

	r = cli_getopt(argc, argv, "+:p:n:x:d:k:O:e:c:r:N:ow:T:tqvhVbmg:",
		       long_opts, take_option, a);
	if (r)
		return r;
	if (a->notify && a->forking) {
		cli_error("--notify-await and --forking are exclusive");
		return -1;
	}
	a->waits = a->notify || a->forking || a->alive_ms;
	if (cli_pidfile(a->pidfile, a->name, &a->pidfile_path) ||
	    took(a->s, dctl_spawn_set_pidfile(a->s, a->pidfile_path)))
		return -1;
	/* The daemon's name is the better tag; without one, the library
	 * takes the program's. */
	if (a->syslog && !a->syslog_tag && a->name &&
	    dctl_spawn_set_syslog_tag(a->s, a->name) < 0) {
		cli_error("--name %s cannot be a syslog tag: give --syslog-tag",
			  a->name);
		return -1;
	}
	if (a->exec) {
		/* start-stop-daemon's form: --exec PATH [-- ARG...]. */
		argv[optind - 1] = (char *)a->exec;
		a->program = a->exec;
		argv += optind - 1;
	} else if (optind < argc) {
		a->program = argv[optind];
		argv += optind;
	} else {
		cli_error("no program given: PROGRAM or --exec PATH");
		return -1;
	}
	return took(a->s, dctl_spawn_set_program(a->s, a->program, argv));
}

/* The signals that call off a start while it waits, and the exit
 * status that says so (128 + the signal, as a shell reports it). */
static const int cancel_signals[] = { SIGINT, SIGTERM, SIGHUP };

/*
 * A start that waits for its daemon can take seconds: Ctrl-C, a timeout
 * wrapper's TERM or a hangup then calls it off rather than killing us
 * half way, which would leave the program and its pidfile behind. The
 * signals are blocked (the daemon gets an empty mask from the recipe) and
 * read from a signalfd the library polls.
 */
static int cancel_on_signals(struct args *a)
{
	sigset_t set;
	size_t i;

	a->sigfd = -1;
	if (!a->waits || cli.test)
		return 0;
	sigemptyset(&set);
	for (i = 0; i < sizeof(cancel_signals) / sizeof(cancel_signals[0]); i++)
		sigaddset(&set, cancel_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (a->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		cli_error("cannot watch for SIGINT, SIGTERM and SIGHUP: %s",
			  strerror(errno));
		return -1;
	}
	return took(a->s, dctl_spawn_set_cancel_fd(a->s, a->sigfd));
}

/* The signal that called the start off (the signalfd is still readable). */
static int cancel_signal(const struct args *a)
{
	struct signalfd_siginfo si;

	if (a->sigfd < 0 || read(a->sigfd, &si, sizeof(si)) != sizeof(si))
		return SIGTERM;
	return (int)si.ssi_signo;
}

static int report_cancel(const struct args *a)
{
	int sig = cancel_signal(a);
	const char *name = dctl_signal_name(sig);

	cli_error("interrupted by SIG%s: %s; %s removed", name ? name : "?",
		  dctl_spawn_get_detail(a->s), a->pidfile_path);
	return 128 + sig;
}

static int report(const struct args *a, int r)
{
	const struct dctl_spawn *s = a->s;
	const char *detail = dctl_spawn_get_detail(s);

	if (r == 0 && a->test) {
		cli_say("would start %s (pidfile %s)", a->program,
			a->pidfile_path);
		return EXIT_STARTED;
	}
	if (r == 0 && dctl_spawn_get_supervisor(s) > 0) {
		cli_verbose("started %s (pid %d, %s, instance %s), supervised by pid %d",
			    a->program, (int)dctl_spawn_get_pid(s),
			    a->pidfile_path, dctl_spawn_get_instance(s),
			    (int)dctl_spawn_get_supervisor(s));
		return EXIT_STARTED;
	}
	if (r == 0) {
		cli_verbose("started %s (pid %d, %s, instance %s)",
			    a->program, (int)dctl_spawn_get_pid(s),
			    a->pidfile_path, dctl_spawn_get_instance(s));
		return EXIT_STARTED;
	}
	if (r == -EEXIST && a->oknodo) {
		cli_verbose("%s", detail);
		return EXIT_STARTED;
	}
	if (r == -EEXIST) {
		cli_error("%s", detail);
		return EXIT_RUNNING;
	}
	if (r == -EINTR && a->sigfd >= 0)
		return report_cancel(a);
	if (r == -ECANCELED && dctl_spawn_get_stage(s) == DCTL_STAGE_READY) {
		cli_error("daemon reported failure: %s",
			  strerror(dctl_spawn_get_error(s)));
		return EXIT_TROUBLE;
	}
	if (*detail)
		cli_error("%s", detail);
	else
		cli_error("cannot start %s: %s", a->program, strerror(-r));
	return EXIT_TROUBLE;
}

int main(int argc, char **argv)
{
	struct args a;
	int r;

	cli_init(argv[0]);
	memset(&a, 0, sizeof(a));
	if (dctl_spawn_new(&a.s, NULL) < 0 ||
	    dctl_spawn_set_log(a.s, cli_log, NULL) < 0) {
		cli_error("out of memory");
		return EXIT_TROUBLE;
	}
	a.sigfd = -1;
	r = parse(&a, argc, argv);
	if (r == 0)
		r = cancel_on_signals(&a);
	if (r == 0)
		r = report(&a, dctl_spawn_start(a.s));
	else
		r = r > 0 ? EXIT_STARTED : EXIT_TROUBLE;
	dctl_spawn_free(a.s);
	if (a.sigfd >= 0)
		close(a.sigfd);
	free(a.pidfile_path);
	return r;
}
