/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon-start: parse the options into struct dctl_spawn_opts, call
 * dctl_spawn() once, say what happened, exit 0 / 1 / 3 (SPEC 3).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { EXIT_STARTED = 0, EXIT_RUNNING = 1, EXIT_TROUBLE = 3 };

enum {
	OPT_STDOUT = 256,
	OPT_STDERR,
	OPT_NOTIFY,
	OPT_FORKING,
};

static const struct option long_opts[] = {
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
	       "  -h, --help              this help\n"
	       "  -V, --version           version\n\n"
	       "Exit status: 0 started (or already running with --oknodo),\n"
	       "1 already running, 3 failure.\n",
	       cli.prog, cli.prog);
}

/* An octal umask, digits only, 0..0777. */
static int parse_umask(const char *arg, mode_t *out)
{
	unsigned long v = 0;
	const char *p;

	if (!*arg || strlen(arg) > 4)
		goto bad;
	for (p = arg; *p; p++) {
		if (*p < '0' || *p > '7')
			goto bad;
		v = v * 8 + (unsigned long)(*p - '0');
	}
	if (v > 0777)
		goto bad;
	*out = (mode_t)v;
	return 0;
bad:
	cli_error("invalid value '%s' for --umask: octal 0..0777 wanted", arg);
	return -1;
}

struct args {
	struct dctl_spawn_opts o;
	const char *pidfile;
	const char *name;
	const char *exec;
	bool oknodo;
	char **env;
	size_t n_env;
	bool notify;
	bool forking;
	char *pidfile_path;
};

/* One option into a; 0, 1 (done: exit 0) or -1 (error printed). */
static int take_option(void *ctx, int c, const char *arg)
{
	struct args *a = ctx;
	long v;

	switch (c) {
	case 'p': a->pidfile = arg; break;
	case 'n': a->name = arg; break;
	case 'x': a->exec = arg; break;
	case 'd': a->o.chdir_path = arg; break;
	case 'k': return parse_umask(arg, &a->o.umask);
	case 'O': a->o.stdout_path = a->o.stderr_path = arg; break;
	case OPT_STDOUT: a->o.stdout_path = arg; break;
	case OPT_STDERR: a->o.stderr_path = arg; break;
	case 'e': a->env[a->n_env++] = (char *)arg; break;
	case 'c': a->o.user = arg; break;
	case 'r': a->o.chroot_path = arg; break;
	case 'N':
		if (cli_parse_long("--nicelevel", arg, -20, 19, &v))
			return -1;
		a->o.nice = (int)v;
		a->o.set_nice = true;
		break;
	case 'o': a->oknodo = true; break;
	case 'w':
		if (cli_parse_long("--wait", arg, 0, 86400000, &v))
			return -1;
		a->o.wait_ms = (unsigned)v;
		break;
	case OPT_NOTIFY:
		a->o.ready = DCTL_READY_NOTIFY;
		a->notify = true;
		break;
	case OPT_FORKING:
		a->o.ready = DCTL_READY_FORKING;
		a->forking = true;
		break;
	case 'T':
		if (cli_parse_long("--timeout", arg, 1, 86400, &v))
			return -1;
		a->o.timeout_ms = (unsigned)v * 1000u;
		break;
	case 't': cli.test = a->o.test = true; break;
	case 'q': cli.quiet = true; break;
	case 'v': cli.verbose++; break;
	case 'b': case 'm': break;
	case 'h': usage(); return 1;
	case 'V': cli_version(); return 1;
	default: return -1;
	}
	return 0;
}

static int parse(struct args *a, int argc, char **argv)
{
	int r;

	r = cli_getopt(argc, argv, "+:p:n:x:d:k:O:e:c:r:N:ow:T:tqvhVbm",
		       long_opts, take_option, a);
	if (r)
		return r;
	if (a->notify && a->forking) {
		cli_error("--notify-await and --forking are exclusive");
		return -1;
	}
	if (cli_pidfile(a->pidfile, a->name, &a->pidfile_path))
		return -1;
	a->o.pidfile = a->pidfile_path;
	if (a->exec) {
		/* start-stop-daemon's form: --exec PATH [-- ARG...]. */
		argv[optind - 1] = (char *)a->exec;
		a->o.program = a->exec;
		a->o.argv = &argv[optind - 1];
	} else if (optind < argc) {
		a->o.program = argv[optind];
		a->o.argv = &argv[optind];
	} else {
		cli_error("no program given: PROGRAM or --exec PATH");
		return -1;
	}
	a->env[a->n_env] = NULL;
	a->o.env = a->env;
	return 0;
}

static int report(const struct args *a, int r,
		  const struct dctl_spawn_result *res)
{
	if (r == 0 && a->o.test) {
		cli_say("would start %s (pidfile %s)", a->o.program,
			a->o.pidfile);
		return EXIT_STARTED;
	}
	if (r == 0) {
		cli_verbose("started %s (pid %d, %s, instance %s)",
			    a->o.program, (int)res->pid, a->o.pidfile,
			    res->instance);
		return EXIT_STARTED;
	}
	if (r == -EEXIST && a->oknodo) {
		cli_verbose("%s", res->detail);
		return EXIT_STARTED;
	}
	if (r == -EEXIST) {
		cli_error("%s", res->detail);
		return EXIT_RUNNING;
	}
	if (r == -ECANCELED && res->stage == DCTL_STAGE_READY) {
		cli_error("daemon reported failure: %s", strerror(res->error));
		return EXIT_TROUBLE;
	}
	if (res->detail[0])
		cli_error("%s", res->detail);
	else
		cli_error("cannot start %s: %s", a->o.program, strerror(-r));
	return EXIT_TROUBLE;
}

int main(int argc, char **argv)
{
	struct dctl_spawn_result res;
	struct args a;
	int r;

	cli_init(argv[0]);
	memset(&a, 0, sizeof(a));
	dctl_spawn_opts_init(&a.o);
	a.o.log = cli_log;
	a.env = calloc((size_t)argc + 1, sizeof(char *));
	if (!a.env) {
		cli_error("out of memory");
		return EXIT_TROUBLE;
	}
	r = parse(&a, argc, argv);
	if (r) {
		free(a.env);
		free(a.pidfile_path);
		return r > 0 ? EXIT_STARTED : EXIT_TROUBLE;
	}
	r = dctl_spawn(&a.o, &res);
	free(a.env);
	r = report(&a, r, &res);
	free(a.pidfile_path);
	return r;
}
