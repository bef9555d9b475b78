/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * start-stop-daemon: dpkg's command line (and BusyBox's short forms) over
 * daemonctl's library, so that init scripts run unchanged and gain its
 * safety rules: no signal to a PID below 2 or to a group, none to the PID
 * of a stale or malformed pidfile, no symlinks followed or FIFOs opened,
 * every process pinned by a pidfd before it is signalled, zombies counted
 * as gone, waits that wake when the process exits.
 *
 * The flow: parse the options (dpkg's rules of usage) into a process scan
 * (struct dctl_scan: the pidfile's process, --pid's, or a look through
 * /proc), run it, then start (struct dctl_spawn), stop (struct dctl_stop
 * of what the scan found) or report, and map the result to dpkg's exit
 * codes. What is matched and what is safe to signal is decided by the
 * library.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"
#include "daemonctl.h"

/* dpkg's exit codes. */
enum {
	EXIT_DONE = 0,
	EXIT_NOTHING = 1,	/* nothing done (0 with --oknodo) */
	EXIT_ALIVE = 2,		/* --retry ran out, processes still alive */
	EXIT_TROUBLE = 3,
};

/* The LSB status codes of --status. */
enum {
	STATUS_RUNNING = 0,
	STATUS_DEAD_PIDFILE = 1,
	STATUS_NOT_RUNNING = 3,
	STATUS_UNKNOWN = 4,
};

enum action { ACT_NONE, ACT_START, ACT_STOP, ACT_STATUS };

enum {
	OPT_PID = 256,
	OPT_PPID,
	OPT_NOTIFY_AWAIT,
	OPT_NOTIFY_TIMEOUT,
	OPT_REMOVE_PIDFILE,
};

#define NOTIFY_TIMEOUT_DEFAULT 60

static const char short_options[] = ":HKSVTa:n:op:qr:s:tu:vx:c:N:P:I:k:bCO:mR:g:d:";

static const struct option long_options[] = {
	{ "help", no_argument, NULL, 'H' },
	{ "stop", no_argument, NULL, 'K' },
	{ "start", no_argument, NULL, 'S' },
	{ "status", no_argument, NULL, 'T' },
	{ "version", no_argument, NULL, 'V' },
	{ "startas", required_argument, NULL, 'a' },
	{ "name", required_argument, NULL, 'n' },
	{ "oknodo", no_argument, NULL, 'o' },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "ppid", required_argument, NULL, OPT_PPID },
	{ "pidfile", required_argument, NULL, 'p' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "signal", required_argument, NULL, 's' },
	{ "test", no_argument, NULL, 't' },
	{ "user", required_argument, NULL, 'u' },
	{ "group", required_argument, NULL, 'g' },
	{ "chroot", required_argument, NULL, 'r' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "exec", required_argument, NULL, 'x' },
	{ "chuid", required_argument, NULL, 'c' },
	{ "nicelevel", required_argument, NULL, 'N' },
	{ "procsched", required_argument, NULL, 'P' },
	{ "iosched", required_argument, NULL, 'I' },
	{ "umask", required_argument, NULL, 'k' },
	{ "background", no_argument, NULL, 'b' },
	{ "notify-await", no_argument, NULL, OPT_NOTIFY_AWAIT },
	{ "notify-timeout", required_argument, NULL, OPT_NOTIFY_TIMEOUT },
	{ "no-close", no_argument, NULL, 'C' },
	{ "output", required_argument, NULL, 'O' },
	{ "make-pidfile", no_argument, NULL, 'm' },
	{ "remove-pidfile", no_argument, NULL, OPT_REMOVE_PIDFILE },
	{ "retry", required_argument, NULL, 'R' },
	{ "chdir", required_argument, NULL, 'd' },
	{ NULL, 0, NULL, 0 },
};

struct args {
	enum action action;
	const char *exec, *startas, *pidfile, *name, *user, *chuid, *group;
	const char *chroot, *chdir, *output, *signal, *retry;
	pid_t pid, ppid;
	bool background, make_pidfile, remove_pidfile, oknodo, no_close;
	bool notify_await;
	long notify_timeout;
	long nice;
	bool set_nice;
	long umask;		/* -1: not given */
	const char *procsched, *iosched;	/* as given, NULL: not */
	int sig;
	struct dctl_schedule *sched;	/* NULL: no --retry */
	struct dctl_scan *scan;		/* what --start/--stop/--status find */
	char exec_full[PATH_MAX];	/* --exec inside --chroot, absolute */
	char **prog_argv;		/* what follows the options */
	int prog_argc;
};

static void usage(void)
{
	printf("Usage: %s [OPTION...] COMMAND\n"
	       "Start, stop or check a daemon, as dpkg's start-stop-daemon does, with\n"
	       "daemonctl's safety rules (see start-stop-daemon.daemonctl(8)).\n\n"
	       "Commands:\n"
	       "  -S, --start -- ARG...      start the program with these arguments\n"
	       "  -K, --stop                 stop the program\n"
	       "  -T, --status               report its status (exit 0, 1, 3 or 4)\n"
	       "  -H, --help                 this help\n"
	       "  -V, --version              the version\n\n"
	       "Matching (at least one; every one given must hold):\n"
	       "      --pid PID              this process\n"
	       "      --ppid PPID            processes with this parent\n"
	       "  -p, --pidfile FILE         the process this pidfile names (no scan)\n"
	       "  -x, --exec EXECUTABLE      processes running this file\n"
	       "  -n, --name NAME            processes with this name (15 bytes kept)\n"
	       "  -u, --user USER|UID        processes owned by this user\n\n"
	       "Options:\n"
	       "  -g, --group GROUP|GID      run the program with this group\n"
	       "  -c, --chuid USER[:GROUP]   run the program as this user\n"
	       "  -s, --signal SIGNAL        signal for --stop (default TERM)\n"
	       "  -a, --startas PATH         program to start (default: --exec)\n"
	       "  -r, --chroot DIR           chroot to DIR before starting\n"
	       "  -d, --chdir DIR            change to DIR before starting (default /)\n"
	       "  -N, --nicelevel INCR       add INCR to the niceness\n"
	       "  -P, --procsched POLICY[:PRIO]  other, fifo or rr (PRIO default 0)\n"
	       "  -I, --iosched CLASS[:PRIO] real-time, best-effort or idle (default 4)\n"
	       "  -k, --umask MASK           umask before starting\n"
	       "  -b, --background           detach the program\n"
	       "      --notify-await         wait for its readiness notification\n"
	       "      --notify-timeout SECS  give up waiting after SECS (default 60)\n"
	       "  -C, --no-close             accepted; see the manual page\n"
	       "  -O, --output FILE          stdout and stderr of a detached program\n"
	       "  -m, --make-pidfile         create and lock the pidfile for it\n"
	       "      --remove-pidfile       remove the pidfile once stopped\n"
	       "  -R, --retry SCHEDULE       stop along SCHEDULE (e.g. TERM/30/KILL/5,\n"
	       "                             or a timeout N: SIGNAL/N/KILL/N)\n"
	       "  -t, --test                 say what would be done, do nothing\n"
	       "  -o, --oknodo               exit 0 (not 1) if nothing was done\n"
	       "  -q, --quiet                say nothing but errors\n"
	       "  -v, --verbose              say more\n\n"
	       "Exit status: 0 done; 1 nothing done (0 with --oknodo); 2 still alive\n"
	       "when --retry ran out; 3 trouble. With --status: 0 running; 1 dead,\n"
	       "pidfile exists; 3 not running; 4 unknown.\n",
	       cli.prog);
}

/* "Trouble", in the words of the action: 4 for --status, else 3. */
static int trouble(const struct args *a)
{
	return a->action == ACT_STATUS ? STATUS_UNKNOWN : EXIT_TROUBLE;
}

/* The message of an info line: stdout, unless --quiet. */
static void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void info(const char *fmt, ...)
{
	va_list ap;

	if (cli.quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* ---------------------------------------------------------- parsing */

static int set_action(struct args *a, enum action act)
{
	if (a->action != ACT_NONE && a->action != act) {
		cli_error("only one command can be given (see --help)");
		return -1;
	}
	a->action = act;
	return 0;
}

static int parse_pid_opt(const char *opt, const char *arg, pid_t *out)
{
	long v;

	if (cli_parse_long(opt, arg, 1, INT_MAX, &v) < 0)
		return -1;
	*out = (pid_t)v;
	return 0;
}

/* POLICY[:PRIO] or CLASS[:PRIO]: the names are dpkg's. */
/*
 * dpkg reads the mask as a C constant: octal with a leading 0 (022, the
 * form init scripts use), else decimal. Hexadecimal is refused.
 */
static int parse_umask(const char *arg, long *out)
{
	mode_t mask;

	if (arg[0] != '0' || arg[1] == '\0')
		return cli_parse_long("--umask", arg, 0, 0777, out);
	if (dctl_umask_parse(arg, &mask) < 0) {
		cli_error("invalid value '%s' for --umask: want a mask 0..0777 (e.g. 022)",
			  arg);
		return -1;
	}
	*out = (long)mask;
	return 0;
}

/* One option for cli_getopt(): 0 go on, 1 done (--help), -1 error. */
static int parse_option(void *ctx, int c, const char *optarg)
{
	struct args *a = ctx;

	switch (c) {
	case 'S': return set_action(a, ACT_START);
	case 'K': return set_action(a, ACT_STOP);
	case 'T': return set_action(a, ACT_STATUS);
	case 'H': usage(); return 1;
	case 'V': cli_version(); return 1;
	case 'a': a->startas = optarg; return 0;
	case 'n': a->name = optarg; return 0;
	case 'o': a->oknodo = true; return 0;
	case OPT_PID: return parse_pid_opt("--pid", optarg, &a->pid);
	case OPT_PPID: return parse_pid_opt("--ppid", optarg, &a->ppid);
	case 'p': a->pidfile = optarg; return 0;
	case 'q': cli.quiet = true; return 0;
	case 's': a->signal = optarg; return 0;
	case 't': cli.test = true; return 0;
	case 'u': a->user = optarg; return 0;
	case 'g': a->group = optarg; return 0;
	case 'r': a->chroot = optarg; return 0;
	case 'v': cli.verbose++; return 0;
	case 'x': a->exec = optarg; return 0;
	case 'c': a->chuid = optarg; return 0;
	case 'N':
		if (cli_parse_long("--nicelevel", optarg, -40, 40, &a->nice) < 0)
			return -1;
		a->set_nice = a->nice != 0;
		return 0;
	case 'P': a->procsched = optarg; return 0;
	case 'I': a->iosched = optarg; return 0;
	case 'k': return parse_umask(optarg, &a->umask);
	case 'b': a->background = true; return 0;
	case OPT_NOTIFY_AWAIT: a->notify_await = true; return 0;
	case OPT_NOTIFY_TIMEOUT:
		return cli_parse_long("--notify-timeout", optarg, 1, INT_MAX / 1000,
				      &a->notify_timeout);
	case 'C': a->no_close = true; return 0;
	case 'O': a->output = optarg; return 0;
	case 'm': a->make_pidfile = true; return 0;
	case OPT_REMOVE_PIDFILE: a->remove_pidfile = true; return 0;
	case 'R': a->retry = optarg; return 0;
	case 'd': a->chdir = optarg; return 0;
	default: return -1;
	}
}

/* dpkg's rules of usage, in its order. */
static int check_usage(const struct args *a)
{
	const char *problem = NULL;

	if (a->action == ACT_NONE)
		problem = "need one of --start or --stop or --status";
	else if (!a->exec && !a->pid && !a->ppid && !a->pidfile && !a->user &&
		 !a->name)
		problem = "need at least one of --exec, --pid, --ppid, --pidfile, --user or --name";
	else if (a->action == ACT_START && !a->exec && !a->startas)
		problem = "--start needs --exec or --startas";
	else if (a->make_pidfile && !a->pidfile)
		problem = "--make-pidfile requires --pidfile";
	else if (a->pid && a->pidfile)
		problem = "need either --pid or --pidfile, not both";
	else if (a->background && a->action != ACT_START)
		problem = "--background is only relevant with --start";
	else if (a->no_close && !a->background)
		problem = "--no-close is only relevant with --background";
	else if (a->output && !a->background)
		problem = "--output is only relevant with --background";
	else if (a->notify_await && !a->background)
		problem = "--notify-await is only relevant with --background";
	else if (a->notify_await && !a->make_pidfile)
		problem = "--notify-await needs --make-pidfile here (see start-stop-daemon.daemonctl(8))";
	if (!problem)
		return 0;
	cli_error("%s (see --help)", problem);
	return -1;
}

/* --exec as dpkg resolves it: relative to --chdir, inside --chroot. */
static int resolve_exec(struct args *a)
{
	const char *dir = a->chdir ? a->chdir : "/";
	int n, r;

	if (a->exec[0] == '/')
		n = snprintf(a->exec_full, sizeof(a->exec_full), "%s%s",
			     a->chroot ? a->chroot : "", a->exec);
	else
		n = snprintf(a->exec_full, sizeof(a->exec_full), "%s%s/%s",
			     a->chroot ? a->chroot : "", dir, a->exec);
	if (n < 0 || (size_t)n >= sizeof(a->exec_full)) {
		cli_error("--exec %s: path too long", a->exec);
		return -1;
	}
	r = dctl_scan_set_exe(a->scan, a->exec_full);
	if (r < 0) {
		cli_error("unable to stat %s: %s", a->exec_full, strerror(-r));
		return -1;
	}
	return 0;
}

/* The kernel keeps this many bytes of a process name. */
#define COMM_MAX 15

/* Every matching option into one scan. */
static int setup_matching(struct args *a)
{
	uid_t uid;
	int r;

	if (dctl_scan_new(&a->scan) < 0) {
		cli_error("out of memory");
		return -1;
	}
	if (a->exec && resolve_exec(a) < 0)
		return -1;
	if (a->name && (r = dctl_scan_set_name(a->scan, a->name)) != 0) {
		if (r < 0) {
			cli_error("invalid value '%s' for --name", a->name);
			return -1;
		}
		fprintf(stderr, "%s: warning: the kernel keeps only the first %d bytes of a process name: matching '%.*s' (prefer --exec)\n",
			cli.prog, COMM_MAX, COMM_MAX, a->name);
	}
	if (a->user) {
		if (cli_parse_user("--user", a->user, &uid) < 0)
			return -1;
		dctl_scan_set_uid(a->scan, uid);
	}
	dctl_scan_set_ppid(a->scan, a->ppid);
	dctl_scan_set_pid(a->scan, a->pid, 0);
	if (a->pidfile && dctl_scan_set_pidfile(a->scan, a->pidfile) < 0) {
		cli_error("out of memory");
		return -1;
	}
	return 0;
}

static const char *retry_problem(int r)
{
	if (r == -ERANGE)
		return "a timeout is too large or there are too many items";
	return "want a timeout, or SIGNAL/TIMEOUT/... items with 'forever' at most once and not last (e.g. TERM/30/KILL/5)";
}

static int setup_signals(struct args *a)
{
	int r;

	a->sig = SIGTERM;
	if (a->signal && dctl_signal_parse(a->signal, &a->sig) < 0) {
		cli_error("signal value must be numeric or name of signal (KILL, INT, ...): '%s'",
			  a->signal);
		return -1;
	}
	if (!a->retry)
		return 0;
	r = dctl_schedule_parse(a->retry, a->sig, &a->sched);
	if (r < 0) {
		cli_error("invalid value '%s' for --retry: %s", a->retry,
			  retry_problem(r));
		return -1;
	}
	return 0;
}

/* 0 parsed, 1 done (--help, --version), -1 after the error was said. */
static int parse_args(struct args *a, int argc, char **argv)
{
	int r;

	a->umask = -1;
	a->notify_timeout = NOTIFY_TIMEOUT_DEFAULT;
	/* As dpkg: getopt_long permutes, so options and the program's
	 * arguments may mix until "--". */
	r = cli_getopt(argc, argv, short_options, long_options, parse_option,
		       a);
	if (r)
		return r;
	a->prog_argv = argv + optind;
	a->prog_argc = argc - optind;
	if (check_usage(a) < 0 || setup_signals(a) < 0 ||
	    setup_matching(a) < 0)
		return -1;
	if (!a->startas)
		a->startas = a->exec;
	return 0;
}

/* ------------------------------------------------------------ finding */

/* What a pidfile the scan probed says, for the exit codes and messages. */
static enum dctl_state file_state(const struct args *a)
{
	const struct dctl_status *st = dctl_scan_get_status(a->scan);

	return st ? (enum dctl_state)dctl_status_get_state(st) :
		    DCTL_STATE_NOT_RUNNING;
}

/* A pidfile whose content is bad: a start may go on, the daemon rewrites
 * it; anything else refuses to use it. 0 go on, else the exit status. */
static int check_pidfile(const struct args *a)
{
	const struct dctl_status *st = dctl_scan_get_status(a->scan);
	const char *why;

	if (file_state(a) != DCTL_STATE_UNKNOWN)
		return 0;
	why = dctl_status_get_reason(st);
	if (!why)
		why = strerror(-dctl_status_get_error(st));
	if (a->action == ACT_START && dctl_status_get_error(st) == -EBADMSG) {
		fprintf(stderr, "%s: warning: %s: %s; starting anyway\n",
			cli.prog, a->pidfile, why);
		return 0;
	}
	cli_error("%s: %s; refusing to use it, nothing signalled", a->pidfile,
		  why);
	return trouble(a);
}

/*
 * Run the scan. Returns 0, or an exit status after the error was said.
 * --status only reports, so a process we would refuse to signal (an
 * untrusted pidfile's, our caller's) still counts as running for it.
 */
static int find_procs(const struct args *a)
{
	int r = dctl_scan_run(a->scan);

	if (r == 0)
		return check_pidfile(a);
	if (a->action == ACT_STATUS && (r == -EACCES || r == -EPERM))
		return STATUS_RUNNING;
	if (r == -EACCES)
		cli_error("%s: not trusted: a user other than root could have written it; give --exec or --user too",
			  a->pidfile);
	else if (r == -EPERM)
		cli_error("%s names pid %d, which is this program or one of its callers: refusing to act on it",
			  a->pidfile ? a->pidfile : "--pid",
			  a->pidfile ? (int)dctl_status_get_pid(
				dctl_scan_get_status(a->scan)) : (int)a->pid);
	else if (r == -ENOENT)
		cli_error("nothing in /proc - not mounted?");
	else
		cli_error("cannot look at the processes: %s", strerror(-r));
	return trouble(a);
}

/* --remove-pidfile: only a file that names no live process any more. */
static void remove_pidfile(const struct args *a)
{
	const struct dctl_status *st = dctl_scan_get_status(a->scan);
	pid_t pid = dctl_status_get_pid(st);
	int r;

	if (!a->remove_pidfile || !st || pid < 2 ||
	    file_state(a) == DCTL_STATE_NOT_RUNNING ||
	    file_state(a) == DCTL_STATE_UNKNOWN)
		return;
	r = dctl_pidfile_remove_stale(a->pidfile, pid);
	if (r < 0 && r != -ENOENT)
		cli_verbose("%s: left in place: %s", a->pidfile,
			    r == -EBUSY ? "locked or rewritten by a new daemon" :
			    strerror(-r));
}

/* ----------------------------------------------------------- starting */

/* The program's argument vector: --startas, then what follows "--". */
static char **program_argv(const struct args *a)
{
	char **argv = calloc((size_t)a->prog_argc + 2, sizeof(*argv));
	int i;

	if (!argv)
		return NULL;
	argv[0] = (char *)a->startas;
	for (i = 0; i < a->prog_argc; i++)
		argv[i + 1] = a->prog_argv[i];
	return argv;
}

/* Every start option into one spawn object. 0, or -1 after the error. */
static int fill_spawn(const struct args *a, struct dctl_spawn *s)
{
	char **argv = program_argv(a);
	mode_t mask;
	int r;

	if (!argv) {
		cli_error("out of memory");
		return -1;
	}
	if (a->umask >= 0) {
		mask = (mode_t)a->umask;
	} else if (!a->background) {
		/* In place, dpkg leaves the umask alone. */
		mask = umask(0);
		umask(mask);
	} else {
		mask = 022;
	}
	r = dctl_spawn_set_program(s, a->startas, argv);
	free(argv);
	if (!r)
		r = dctl_spawn_set_chdir(s, a->chdir);
	if (!r)
		r = dctl_spawn_set_umask(s, mask);
	if (!r)
		r = dctl_spawn_set_stdout(s, a->output);
	if (!r)
		r = dctl_spawn_set_stderr(s, a->output);
	if (!r)
		r = dctl_spawn_set_user(s, a->chuid);
	if (!r && a->group)
		r = dctl_spawn_set_group(s, a->group);
	if (!r)
		r = dctl_spawn_set_chroot(s, a->chroot);
	if (!r && a->set_nice)
		r = dctl_spawn_set_nice(s, (int)a->nice);
	if (!r && a->procsched)
		r = dctl_spawn_set_procsched(s, a->procsched);
	if (!r && a->iosched)
		r = dctl_spawn_set_iosched(s, a->iosched);
	if (!r && a->notify_await)
		r = dctl_spawn_set_ready(s, DCTL_READY_NOTIFY);
	if (!r)
		r = dctl_spawn_set_timeout_ms(s, (unsigned)a->notify_timeout * 1000u);
	if (!r)
		r = dctl_spawn_set_log(s, cli_log, NULL);
	if (r < 0) {
		cli_error("unable to start %s: %s", a->startas,
			  *dctl_spawn_get_detail(s) ? dctl_spawn_get_detail(s) :
			  strerror(-r));
		return -1;
	}
	return 0;
}

static int already_running(const struct args *a)
{
	info("%s already running.\n", a->exec ? a->exec : "process");
	return a->oknodo ? EXIT_DONE : EXIT_NOTHING;
}

static int start_failed(const struct dctl_spawn *s, int r)
{
	if (*dctl_spawn_get_detail(s))
		cli_error("unable to start: %s", dctl_spawn_get_detail(s));
	else
		cli_error("unable to start: %s", strerror(-r));
	return EXIT_TROUBLE;
}

/* --background --make-pidfile: a locked start, as daemon-start makes. */
static int start_locked(const struct args *a, struct dctl_spawn *s)
{
	int r = dctl_spawn_start(s);

	if (r == -EEXIST)
		return already_running(a);
	if (r < 0)
		return start_failed(s, r);
	cli_verbose("started %s (pid %d)", a->startas,
		    (int)dctl_spawn_get_pid(s));
	return EXIT_DONE;
}

/* Detach as a daemon does; our cwd is kept for a relative --chdir. */
static int detach(const struct args *a, struct dctl_daemon **dp, int *status)
{
	struct dctl_daemonize_opts *d;
	int r;

	r = dctl_daemonize_opts_new(&d);
	if (!r)
		r = dctl_daemonize_opts_set_stdout(d, a->output);
	if (!r)
		r = dctl_daemonize_opts_set_stderr(d, a->output);
	if (!r)
		r = dctl_daemonize_opts_set_chdir(d, ".");
	if (!r)
		r = dctl_daemonize(d, dp, status);
	dctl_daemonize_opts_free(d);
	return r;
}

/* --background alone: detach, then run the program in that process. */
static int start_detached(const struct args *a, struct dctl_spawn *s)
{
	struct dctl_daemon *dp;
	int r, status;

	/* Every check that can fail is made here, where it can be told. */
	dctl_spawn_set_test(s, true);
	r = dctl_spawn_exec(s);
	if (r < 0)
		return start_failed(s, r);
	dctl_spawn_set_test(s, false);
	r = detach(a, &dp, &status);
	if (r < 0) {
		cli_error("unable to detach to start %s: %s", a->startas,
			  strerror(-r));
		return EXIT_TROUBLE;
	}
	if (r == 1)
		return status ? EXIT_TROUBLE : EXIT_DONE;
	dctl_daemon_ready(dp);
	r = dctl_spawn_exec(s);
	/* Our stderr is --output or /dev/null by now. */
	start_failed(s, r);
	_exit(EXIT_TROUBLE);
}

/*
 * No --background: the program runs in this very process (with
 * --make-pidfile, in a pidfile the library locks and the program keeps).
 */
static int start_in_place(const struct args *a, struct dctl_spawn *s)
{
	int r = dctl_spawn_exec(s);

	if (r == -EEXIST)
		return already_running(a);
	return start_failed(s, r);
}

static void say_would_start(const struct args *a)
{
	int i;

	if (cli.quiet)
		return;
	printf("Would start %s", a->startas);
	for (i = 0; i < a->prog_argc; i++)
		printf(" %s", a->prog_argv[i]);
	if (a->chuid)
		printf(" (as user %s)", a->chuid);
	if (a->chroot)
		printf(" in directory %s", a->chroot);
	if (a->set_nice)
		printf(", and add %ld to the priority", a->nice);
	if (a->procsched)
		printf(", with scheduling policy %s", a->procsched);
	if (a->iosched)
		printf(", with IO scheduling class %s", a->iosched);
	printf(".\n");
	fflush(stdout);
}

static int do_start(const struct args *a)
{
	struct dctl_spawn *s;
	int r;

	if (dctl_scan_get_count(a->scan))
		return already_running(a);
	if (cli.test) {
		say_would_start(a);
		return EXIT_DONE;
	}
	/* Without --make-pidfile the program writes its own pidfile. */
	if (dctl_spawn_new(&s, a->make_pidfile ? a->pidfile : NULL) < 0) {
		cli_error("out of memory");
		return EXIT_TROUBLE;
	}
	cli_verbose("starting %s", a->startas);
	if (fill_spawn(a, s) < 0)
		r = EXIT_TROUBLE;
	else if (a->background && a->make_pidfile)
		r = start_locked(a, s);
	else if (a->background)
		r = start_detached(a, s);
	else
		r = start_in_place(a, s);
	dctl_spawn_free(s);
	return r;
}

/* ----------------------------------------------------------- stopping */

/* What dpkg calls the processes in its messages. */
static void what_stop(const struct args *a, char *buf, size_t size)
{
	if (a->name)
		snprintf(buf, size, "%s", a->name);
	else if (a->exec)
		snprintf(buf, size, "%s", a->exec);
	else if (a->pidfile)
		snprintf(buf, size, "process in pidfile '%s'", a->pidfile);
	else if (a->pid)
		snprintf(buf, size, "process with pid %d", (int)a->pid);
	else if (a->ppid)
		snprintf(buf, size, "process(es) with parent pid %d", (int)a->ppid);
	else
		snprintf(buf, size, "process(es) owned by '%s'", a->user);
}

static int nothing_stopped(const struct args *a, const char *what)
{
	info("No %s found running; none killed.\n", what);
	return a->oknodo ? EXIT_DONE : EXIT_NOTHING;
}

/*
 * The processes found, along --retry's schedule; without one dpkg sends
 * the signal and does not wait.
 */
static int stop_found(const struct args *a, pid_t *first)
{
	struct dctl_stop *st;
	int r;

	r = dctl_stop_new(&st, NULL);
	if (r < 0)
		return r;
	r = dctl_stop_set_signal(st, a->sig);
	if (!r && a->sched)
		r = dctl_stop_set_schedule(st, a->sched);
	if (!r && !a->sched)
		r = dctl_stop_set_no_wait(st, true);
	if (!r)
		r = dctl_stop_set_scan(st, a->scan);
	if (!r)
		r = dctl_stop_set_log(st, cli_log, NULL);
	if (!r)
		r = dctl_stop_run(st);
	*first = dctl_stop_get_pid(st);
	dctl_stop_free(st);
	return r;
}

static void say_stopped(const char *what, const struct dctl_scan *sc)
{
	size_t i;

	if (!cli.verbose || cli.quiet)
		return;
	printf("Stopped %s (pid", what);
	for (i = 0; i < dctl_scan_get_count(sc); i++)
		printf(" %d", (int)dctl_scan_get_pid(sc, i));
	printf(").\n");
}

static int do_stop(const struct args *a)
{
	size_t i, n = dctl_scan_get_count(a->scan);
	char what[PATH_MAX + 64];
	pid_t first = 0;
	int r;

	what_stop(a, what, sizeof(what));
	if (cli.test) {
		if (a->sched)
			info("Ignoring --retry in test mode\n");
		for (i = 0; i < n; i++)
			info("Would send signal %d to %d.\n", a->sig,
			     (int)dctl_scan_get_pid(a->scan, i));
		return n ? EXIT_DONE : nothing_stopped(a, what);
	}
	r = n ? stop_found(a, &first) : -ESRCH;
	if (r == -ESRCH) {
		remove_pidfile(a);
		return nothing_stopped(a, what);
	}
	if (r == -ETIMEDOUT) {
		info("Program %s, %zu process(es), refused to die.\n", what, n);
		return EXIT_ALIVE;
	}
	if (r < 0) {
		cli_error("cannot stop %s (pid %d): %s", what, (int)first,
			  strerror(-r));
		return EXIT_TROUBLE;
	}
	say_stopped(what, a->scan);
	remove_pidfile(a);
	return EXIT_DONE;
}

static int do_status(const struct args *a)
{
	if (dctl_scan_get_count(a->scan))
		return STATUS_RUNNING;
	if (a->pidfile && file_state(a) != DCTL_STATE_NOT_RUNNING)
		return STATUS_DEAD_PIDFILE;
	return STATUS_NOT_RUNNING;
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	int r;

	/* Whatever name it was called by (a bind mount, a diversion). */
	cli_init("start-stop-daemon");
	r = parse_args(&a, argc, argv);
	if (r)
		r = r > 0 ? EXIT_DONE : trouble(&a);
	else if ((r = find_procs(&a)) != 0)
		;
	else if (a.action == ACT_START)
		r = do_start(&a);
	else if (a.action == ACT_STOP)
		r = do_stop(&a);
	else
		r = do_status(&a);
	dctl_scan_free(a.scan);
	dctl_schedule_free(a.sched);
	return r;
}
