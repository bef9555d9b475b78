/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * start-stop-daemon: dpkg's command line (and BusyBox's short forms) over
 * daemonctl's library, so that init scripts run unchanged and gain its
 * safety rules: no signal to a PID below 2 or to a group, none to the PID
 * of a stale or malformed pidfile, no symlinks followed or FIFOs opened,
 * every process pinned by a pidfd before it is signalled, zombies counted
 * as gone, waits that wake when the process exits.
 *
 * The flow: parse the options (dpkg's rules of usage), find the processes
 * (the pidfile's one, or a scan), then start, stop or report. The library
 * calls sit in the functions under "library calls" below.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "cli.h"
#include "daemonctl.h"
#include "proc.h"
#include "scan.h"
#include "spawn.h"
#include "stop.h"

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
#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_WHO_PROCESS 1

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

/* A scheduling request of --procsched or --iosched. */
struct sched_req {
	bool set;
	const char *text;
	int policy;		/* SCHED_* or IOPRIO class */
	int prio;
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
	struct sched_req procsched, iosched;
	int sig;
	struct dctl_schedule sched;	/* n == 0: no --retry */
	struct scan_match match;
	char exec_full[PATH_MAX];	/* --exec inside --chroot, absolute */
	char user_spec[512];		/* --chuid with --group folded in */
	char **prog_argv;		/* what follows the options */
	int prog_argc;
};

/* What was found to act on. */
struct found {
	struct scan_proc *procs;	/* malloc'd */
	size_t n;
	bool have_file;			/* the pidfile exists */
	pid_t file_pid;			/* the PID it names (stale or not) */
	enum dctl_state state;		/* the pidfile's state */
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
static int parse_sched(const char *opt, const char *text, bool io,
		       struct sched_req *r)
{
	static const struct { const char *name; int value; bool io; } names[] = {
		{ "other", SCHED_OTHER, false },
		{ "fifo", SCHED_FIFO, false },
		{ "rr", SCHED_RR, false },
		{ "real-time", 1, true },
		{ "best-effort", 2, true },
		{ "idle", 3, true },
	};
	const char *colon = strchr(text, ':');
	size_t len = colon ? (size_t)(colon - text) : strlen(text), i;
	long prio = io ? 4 : 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].io == io && strlen(names[i].name) == len &&
		    strncmp(names[i].name, text, len) == 0)
			break;
	if (i == sizeof(names) / sizeof(names[0])) {
		cli_error("invalid value '%s' for %s: unknown %s", text, opt,
			  io ? "class (real-time, best-effort, idle)" :
			  "policy (other, fifo, rr)");
		return -1;
	}
	if (colon && cli_parse_long(opt, colon + 1, 0, io ? 7 : 99, &prio) < 0)
		return -1;
	r->set = true;
	r->text = text;
	r->policy = names[i].value;
	r->prio = (int)prio;
	/* As dpkg: "other" has no priority, "idle" I/O only the lowest. */
	if (!io && r->policy == SCHED_OTHER)
		r->prio = 0;
	if (io && r->policy == 3)
		r->prio = 7;
	return 0;
}

/* dpkg reads the mask as a C constant: 022 (octal), 0x12 or 18. */
static int parse_umask(const char *arg, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = (arg[0] >= '0' && arg[0] <= '9') ? strtol(arg, &end, 0) : -1;
	if (v < 0 || *end || errno || v > 0777) {
		cli_error("invalid value '%s' for --umask: want a mask 0..0777 (e.g. 022)",
			  arg);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_option(struct args *a, int c)
{
	switch (c) {
	case 'S': return set_action(a, ACT_START);
	case 'K': return set_action(a, ACT_STOP);
	case 'T': return set_action(a, ACT_STATUS);
	case 'H': usage(); exit(EXIT_DONE);
	case 'V': cli_version(); exit(EXIT_DONE);
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
	case 'P': return parse_sched("--procsched", optarg, false, &a->procsched);
	case 'I': return parse_sched("--iosched", optarg, true, &a->iosched);
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
	r = scan_match_exec(&a->match, a->exec_full);
	if (r < 0) {
		cli_error("unable to stat %s: %s", a->exec_full, strerror(-r));
		return -1;
	}
	return 0;
}

/* The --chuid USER[:GROUP] and --group GROUP as one USER:GROUP. */
static int fold_user(struct args *a)
{
	const char *colon;
	int n;

	if (!a->group)
		return 0;
	if (a->chuid) {
		colon = strchr(a->chuid, ':');
		n = snprintf(a->user_spec, sizeof(a->user_spec), "%.*s:%s",
			     colon ? (int)(colon - a->chuid) : (int)strlen(a->chuid),
			     a->chuid, a->group);
	} else {
		/* The group alone: the same user, numerically. */
		n = snprintf(a->user_spec, sizeof(a->user_spec), "%u:%s",
			     (unsigned)getuid(), a->group);
	}
	if (n < 0 || (size_t)n >= sizeof(a->user_spec)) {
		cli_error("--group %s: too long", a->group);
		return -1;
	}
	a->chuid = a->user_spec;
	return 0;
}

static int setup_matching(struct args *a)
{
	scan_match_init(&a->match);
	if (a->exec && resolve_exec(a) < 0)
		return -1;
	if (a->name) {
		if (strlen(a->name) > PROC_COMM_MAX)
			fprintf(stderr, "%s: warning: the kernel keeps only the first %d bytes of a process name: matching '%.*s' (prefer --exec)\n",
				cli.prog, PROC_COMM_MAX, PROC_COMM_MAX, a->name);
		a->match.name = a->name;
	}
	if (a->user && cli_parse_user("--user", a->user, &a->match.uid) < 0)
		return -1;
	a->match.ppid = a->ppid;
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

static int parse_args(struct args *a, int argc, char **argv)
{
	int c;

	a->umask = -1;
	a->notify_timeout = NOTIFY_TIMEOUT_DEFAULT;
	opterr = 0;
	/* As dpkg: getopt_long permutes, so options and the program's
	 * arguments may mix until "--". */
	while ((c = getopt_long(argc, argv, short_options, long_options,
				NULL)) != -1) {
		if (c == '?' || c == ':') {
			cli_option_error(c, argv);
			return -1;
		}
		if (parse_option(a, c) < 0)
			return -1;
	}
	a->prog_argv = argv + optind;
	a->prog_argc = argc - optind;
	if (check_usage(a) < 0 || setup_signals(a) < 0 ||
	    setup_matching(a) < 0 || fold_user(a) < 0)
		return -1;
	if (!a->startas)
		a->startas = a->exec;
	return 0;
}

/* ---------------------------------------------------- library calls */

/* Safety: never this process, one of its callers, or PID 0/1. */
static int refuse_ours(pid_t pid, const char *what)
{
	if (pid >= 2 && !scan_is_ours(pid))
		return 0;
	cli_error("%s names pid %d, which is this program or one of its callers: refusing to act on it",
		  what, (int)pid);
	return -1;
}

/*
 * The pidfile's process, if it is live (locked, or alive and started
 * before the file was written) and meets every other condition. Only that
 * process is considered: there is no fall-back scan. Returns 0, or an
 * exit status after the error was said.
 */
static int find_by_pidfile(const struct args *a, struct found *f)
{
	struct dctl_status st;
	struct scan_proc p;
	bool confirmed = a->exec || a->user;
	int r;

	r = dctl_probe(a->pidfile, DCTL_PROBE_DETAILS, &st);
	if (r < 0) {
		cli_error("%s: %s", a->pidfile, strerror(-r));
		return trouble(a);
	}
	f->state = st.state;
	f->have_file = st.state != DCTL_STATE_NOT_RUNNING;
	f->file_pid = st.pid;
	if (st.state == DCTL_STATE_UNKNOWN) {
		/* A start may go on over bad content: the daemon rewrites it. */
		if (a->action == ACT_START && st.error == -EBADMSG) {
			fprintf(stderr, "%s: warning: %s: %s; starting anyway\n",
				cli.prog, a->pidfile, st.reason);
			return 0;
		}
		cli_error("%s: %s; refusing to use it, nothing signalled",
			  a->pidfile, st.reason[0] ? st.reason : strerror(-st.error));
		return trouble(a);
	}
	if (st.state != DCTL_STATE_RUNNING)
		return 0;
	if (a->action != ACT_STATUS && !stop_trusts(&st, confirmed)) {
		cli_error("%s: not trusted: a user other than root could have written it; give --exec or --user too",
			  a->pidfile);
		return trouble(a);
	}
	if (a->action != ACT_STATUS && refuse_ours(st.pid, a->pidfile) < 0)
		return trouble(a);
	r = scan_pid_matches(st.pid, &a->match, &p);
	if (r <= 0)
		return 0;
	/* The start time the probe judged the pidfile by. */
	p.start_ticks = st.start_ticks ? st.start_ticks : p.start_ticks;
	f->procs = malloc(sizeof(*f->procs));
	if (!f->procs) {
		cli_error("out of memory");
		return trouble(a);
	}
	f->procs[0] = p;
	f->n = 1;
	return 0;
}

static int find_by_pid(const struct args *a, struct found *f)
{
	struct scan_proc p;

	if (a->action != ACT_STATUS && refuse_ours(a->pid, "--pid") < 0)
		return trouble(a);
	if (scan_pid_matches(a->pid, &a->match, &p) <= 0)
		return 0;
	f->procs = malloc(sizeof(*f->procs));
	if (!f->procs) {
		cli_error("out of memory");
		return trouble(a);
	}
	f->procs[0] = p;
	f->n = 1;
	return 0;
}

static int find_by_scan(const struct args *a, struct found *f)
{
	int r = scan_find(&a->match, &f->procs, &f->n);

	if (r == -ENOENT) {
		cli_error("nothing in /proc - not mounted?");
		return trouble(a);
	}
	if (r < 0) {
		cli_error("cannot look at the processes: %s", strerror(-r));
		return trouble(a);
	}
	return 0;
}

static int find_procs(const struct args *a, struct found *f)
{
	memset(f, 0, sizeof(*f));
	f->state = DCTL_STATE_NOT_RUNNING;
	if (a->pid)
		return find_by_pid(a, f);
	if (a->pidfile)
		return find_by_pidfile(a, f);
	return find_by_scan(a, f);
}

/* --remove-pidfile: only a file that names no live process any more. */
static void remove_pidfile(const struct args *a, const struct found *f)
{
	int r;

	if (!a->remove_pidfile || !a->pidfile || !f->have_file ||
	    f->state == DCTL_STATE_UNKNOWN || f->file_pid < 2)
		return;
	r = dctl_pidfile_remove_stale(a->pidfile, f->file_pid);
	if (r < 0 && r != -ENOENT)
		cli_verbose("%s: left in place: %s", a->pidfile,
			    r == -EBUSY ? "locked or rewritten by a new daemon" :
			    strerror(-r));
}

static int stop_found(const struct args *a, const struct found *f,
		      struct dctl_stop_result *res)
{
	struct dctl_stop_opts o;

	dctl_stop_opts_init(&o);
	o.sig = a->sig;
	o.schedule = a->sched;
	/* Without --retry dpkg sends the signal and does not wait. */
	o.no_wait = a->sched.n == 0;
	o.log = cli_log;
	return stop_procs(&o, f->procs, f->n, res);
}

static void fill_spawn(const struct args *a, struct dctl_spawn_opts *o,
		       char **argv)
{
	mode_t old;

	dctl_spawn_opts_init(o);
	o->program = a->startas;
	o->argv = argv;
	o->pidfile = a->pidfile;
	o->chdir_path = a->chdir;
	if (a->umask >= 0) {
		o->umask = (mode_t)a->umask;
	} else if (!a->background) {
		/* In place, dpkg leaves the umask alone. */
		old = umask(0);
		umask(old);
		o->umask = old;
	}
	o->stdout_path = a->output;
	o->stderr_path = a->output;
	o->user = a->chuid;
	o->chroot_path = a->chroot;
	o->nice = (int)a->nice;
	o->set_nice = a->set_nice;
	o->ready = a->notify_await ? DCTL_READY_NOTIFY : DCTL_READY_EXEC;
	o->timeout_ms = (unsigned)a->notify_timeout * 1000u;
	o->log = cli_log;
}

static int start_failed(const struct dctl_spawn_result *res, int r)
{
	if (res->detail[0])
		cli_error("unable to start: %s", res->detail);
	else
		cli_error("unable to start: %s", strerror(-r));
	return EXIT_TROUBLE;
}

/* --background --make-pidfile: a locked start, as daemon-start makes. */
static int start_locked(const struct args *a, struct dctl_spawn_opts *o)
{
	struct dctl_spawn_result res;
	int r = dctl_spawn(o, &res);

	if (r == -EEXIST) {
		info("%s already running.\n", a->exec ? a->exec : "process");
		return a->oknodo ? EXIT_DONE : EXIT_NOTHING;
	}
	if (r < 0)
		return start_failed(&res, r);
	cli_verbose("started %s (pid %d)", a->startas, (int)res.pid);
	return EXIT_DONE;
}

/* --background alone: detach, then run the program in that process. */
static int start_detached(const struct args *a, struct dctl_spawn_opts *o)
{
	struct dctl_daemonize_opts d;
	struct dctl_spawn_result res;
	struct dctl_daemon *dp;
	int r, status;

	/* Every check that can fail is made here, where it can be told. */
	o->test = true;
	r = spawn_exec_here(o, &res);
	if (r < 0)
		return start_failed(&res, r);
	o->test = false;
	dctl_daemonize_opts_init(&d);
	d.stdout_path = a->output;
	d.stderr_path = a->output;
	r = dctl_daemonize(&d, &dp, &status);
	if (r < 0) {
		cli_error("unable to detach to start %s: %s", a->startas,
			  strerror(-r));
		return EXIT_TROUBLE;
	}
	if (r == 1)
		return status ? EXIT_TROUBLE : EXIT_DONE;
	dctl_daemon_ready(dp);
	r = spawn_exec_here(o, &res);
	/* Our stderr is --output or /dev/null by now. */
	start_failed(&res, r);
	_exit(EXIT_TROUBLE);
}

/* The pidfile lock must outlive our exec: the program holds it then. */
static int keep_across_exec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

/*
 * No --background: the program runs in this very process. With
 * --make-pidfile our PID (the program's, after exec) goes into the locked
 * pidfile, whose lock the program inherits.
 */
static int start_in_place(const struct args *a, struct dctl_spawn_opts *o)
{
	struct dctl_spawn_result res;
	struct dctl_pidfile *pf = NULL;
	pid_t holder = 0;
	int r;

	if (a->make_pidfile) {
		r = dctl_pidfile_open(a->pidfile, 0644, &pf, &holder);
		if (r == -EEXIST) {
			info("%s already running.\n", a->exec ? a->exec : "process");
			return a->oknodo ? EXIT_DONE : EXIT_NOTHING;
		}
		if (r == 0)
			r = dctl_pidfile_write(pf, getpid());
		if (r == 0)
			r = keep_across_exec(dctl_pidfile_fileno(pf));
		if (r < 0) {
			cli_error("%s: cannot make the pidfile: %s", a->pidfile,
				  strerror(-r));
			dctl_pidfile_remove(pf);
			return EXIT_TROUBLE;
		}
	}
	r = spawn_exec_here(o, &res);
	dctl_pidfile_remove(pf);
	return start_failed(&res, r);
}

/*
 * --procsched and --iosched, set on this process before the program is
 * started: a child inherits both, so every way of starting gets them.
 */
static int apply_sched(const struct args *a)
{
	struct sched_param sp = { .sched_priority = a->procsched.prio };
	int io;

	if (a->procsched.set &&
	    sched_setscheduler(0, a->procsched.policy, &sp) < 0) {
		cli_error("unable to set process scheduler %s: %s",
			  a->procsched.text, strerror(errno));
		return -1;
	}
	if (!a->iosched.set)
		return 0;
	io = (a->iosched.policy << IOPRIO_CLASS_SHIFT) | a->iosched.prio;
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, io) < 0)
		/* As dpkg: a warning, the start goes on. */
		fprintf(stderr, "%s: warning: unable to alter IO priority to mask %d (%s)\n",
			cli.prog, io, strerror(errno));
	return 0;
}

/* ------------------------------------------------------------ actions */

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
	if (a->procsched.set)
		printf(", with scheduling policy %s", a->procsched.text);
	if (a->iosched.set)
		printf(", with IO scheduling class %s", a->iosched.text);
	printf(".\n");
	fflush(stdout);
}

static int do_start(const struct args *a, const struct found *f)
{
	struct dctl_spawn_opts o;
	char **argv;
	int i, r;

	if (f->n) {
		info("%s already running.\n", a->exec ? a->exec : "process");
		return a->oknodo ? EXIT_DONE : EXIT_NOTHING;
	}
	if (cli.test) {
		say_would_start(a);
		return EXIT_DONE;
	}
	argv = calloc((size_t)a->prog_argc + 2, sizeof(*argv));
	if (!argv) {
		cli_error("out of memory");
		return EXIT_TROUBLE;
	}
	argv[0] = (char *)a->startas;
	for (i = 0; i < a->prog_argc; i++)
		argv[i + 1] = a->prog_argv[i];
	fill_spawn(a, &o, argv);
	cli_verbose("starting %s", a->startas);
	if (apply_sched(a) < 0)
		r = EXIT_TROUBLE;
	else if (a->background && a->make_pidfile)
		r = start_locked(a, &o);
	else if (a->background)
		r = start_detached(a, &o);
	else
		r = start_in_place(a, &o);
	free(argv);
	return r;
}

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

static int do_stop(const struct args *a, const struct found *f)
{
	struct dctl_stop_result res;
	char what[PATH_MAX + 64];
	size_t i;
	int r;

	what_stop(a, what, sizeof(what));
	if (cli.test) {
		if (a->sched.n)
			info("Ignoring --retry in test mode\n");
		for (i = 0; i < f->n; i++)
			info("Would send signal %d to %d.\n", a->sig,
			     (int)f->procs[i].pid);
		return f->n ? EXIT_DONE : nothing_stopped(a, what);
	}
	if (!f->n) {
		remove_pidfile(a, f);
		return nothing_stopped(a, what);
	}
	r = stop_found(a, f, &res);
	if (r == -ESRCH) {
		remove_pidfile(a, f);
		return nothing_stopped(a, what);
	}
	if (r == -ETIMEDOUT) {
		info("Program %s, %zu process(es), refused to die.\n", what, f->n);
		return EXIT_ALIVE;
	}
	if (r < 0) {
		cli_error("cannot stop %s (pid %d): %s", what, (int)res.pid,
			  strerror(-r));
		return EXIT_TROUBLE;
	}
	if (cli.verbose && !cli.quiet) {
		printf("Stopped %s (pid", what);
		for (i = 0; i < f->n; i++)
			printf(" %d", (int)f->procs[i].pid);
		printf(").\n");
	}
	remove_pidfile(a, f);
	return EXIT_DONE;
}

static int do_status(const struct args *a, const struct found *f)
{
	if (f->n)
		return STATUS_RUNNING;
	if (a->pidfile && f->have_file)
		return STATUS_DEAD_PIDFILE;
	return STATUS_NOT_RUNNING;
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	struct found f;
	int r;

	/* Whatever name it was called by (a bind mount, a diversion). */
	cli_init("start-stop-daemon");
	if (parse_args(&a, argc, argv) < 0)
		return trouble(&a);
	r = find_procs(&a, &f);
	if (r)
		return r;
	if (a.action == ACT_START)
		r = do_start(&a, &f);
	else if (a.action == ACT_STOP)
		r = do_stop(&a, &f);
	else
		r = do_status(&a, &f);
	free(f.procs);
	return r;
}
