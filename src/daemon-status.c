/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon-status: report on one daemon or many, for people (one line each)
 * or for scripts (--json, one object per line), with the LSB status exit
 * codes: 0 running, 1 dead, 3 not running, 4 unknown; the largest wins.
 * All pidfiles are probed in one library call, so the lock table is read
 * once however many daemons there are.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "daemonctl.h"
#include "util.h"

#define EXIT_USAGE 4	/* LSB: "unknown" is also the status of bad usage */

enum { OPT_JSON = 256 };

struct target {
	char *path;
	char *name;	/* what the line starts with */
};

struct args {
	struct util_array targets;	/* of struct target */
	struct dctl_match *match;
	bool matching;			/* -x or -u given */
	bool all;
	bool json;
};

static void usage(void)
{
	printf("Usage: %s [OPTIONS] [PIDFILE...]\n"
	       "Report whether daemons run, from their pidfiles.\n"
	       "\n"
	       "  -p, --pidfile PATH   a daemon's pidfile (repeatable)\n"
	       "  -n, --name NAME      the pidfile RUNDIR/NAME.pid (repeatable)\n"
	       "  -a, --all            every *.pid in RUNDIR, sorted by name\n"
	       "  -x, --exec PATH      a running process must be this program\n"
	       "  -u, --user USER      a running process must belong to USER\n"
	       "      --json           one JSON object per daemon and line\n"
	       "  -q, --quiet          print nothing, only set the exit status\n"
	       "  -v, --verbose        add the pidfile, lock and process details\n"
	       "  -t, --test           accepted; status changes nothing anyway\n"
	       "  -h, --help           this help\n"
	       "  -V, --version        the version\n"
	       "\n"
	       "Exit status: 0 running, 1 dead (pidfile exists), 3 not running,\n"
	       "4 unknown or bad usage; for several daemons the largest.\n",
	       cli.prog);
}

/* Take ownership of path and name (both malloc'd). */
static int targets_add(struct args *a, char *path, char *name)
{
	struct target *t;

	if (!path || !name || !(t = util_array_push(&a->targets))) {
		free(path);
		free(name);
		cli_error("out of memory");
		return -1;
	}
	t->path = path;
	t->name = name;
	return 0;
}

static struct target *target(const struct args *a, size_t i)
{
	return util_array_at(&a->targets, i);
}

static void targets_free(struct args *a)
{
	size_t i;

	for (i = 0; i < a->targets.n; i++) {
		free(target(a, i)->path);
		free(target(a, i)->name);
	}
	util_array_free(&a->targets);
}

/* --pidfile PATH or a positional PIDFILE: named after its basename. */
static int add_pidfile(struct args *a, const char *arg)
{
	char *path, *name = NULL;

	if (cli_pidfile(arg, NULL, &path) < 0)
		return -1;
	if (dctl_pidfile_to_name(path, &name) < 0)
		name = NULL;
	return targets_add(a, path, name);
}

static int add_name(struct args *a, const char *name)
{
	char *path;

	if (cli_pidfile(NULL, name, &path) < 0)
		return -1;
	return targets_add(a, path, strdup(name));
}

/* Every RUNDIR/NAME.pid, sorted by name. */
static int add_all(struct args *a)
{
	struct dctl_rundir_list *l = NULL;
	char *dir;
	size_t i, n;
	int r;

	r = dctl_rundir(&dir);
	if (r < 0) {
		cli_rundir_error("--all", r);
		return -1;
	}
	r = dctl_rundir_list(dir, &l);
	if (r < 0) {
		cli_error("--all: cannot read %s: %s", dir, strerror(-r));
		goto out;
	}
	n = dctl_rundir_list_count(l);
	for (i = 0; i < n; i++) {
		r = targets_add(a, strdup(dctl_rundir_list_get_path(l, i)),
				strdup(dctl_rundir_list_get_name(l, i)));
		if (r < 0)
			goto out;
	}
	cli_verbose("--all: %zu pidfile(s) in %s", n, dir);
out:
	dctl_rundir_list_free(l);
	free(dir);
	return r < 0 ? -1 : 0;
}

/*
 * The lines go out in one write(2) from one buffer, not through stdio:
 * for one daemon that spares stdout's fstat and buffer, a tenth of a
 * status's system calls.
 */
struct out {
	char *buf;
	size_t len, size;
};

/* Room for need more bytes after len. 0 or -1. */
static int out_reserve(struct out *o, size_t need)
{
	size_t size = o->size ? o->size : 256;
	char *p;

	while (size - o->len < need)
		size *= 2;
	if (size == o->size)
		return 0;
	p = realloc(o->buf, size);
	if (!p) {
		cli_error("out of memory");
		return -1;
	}
	o->buf = p;
	o->size = size;
	return 0;
}

/* Append one record and its newline. Returns 0 or -1. */
static int print_one(const struct dctl_status *st, const struct target *tg,
		     bool json, int64_t now, struct out *o)
{
	size_t room;
	int n;

	for (;;) {
		room = o->size - o->len;
		if (json)
			n = dctl_status_json(st, tg->name, tg->path, now,
					     o->buf + o->len, room);
		else
			n = dctl_status_format(st, tg->name, tg->path,
					       cli.verbose > 0,
					       o->buf + o->len, room);
		if (n < 0) {
			cli_error("%s: cannot format its status: %s", tg->path,
				  strerror(-n));
			return -1;
		}
		/* The line, its NUL, which the newline then replaces. */
		if ((size_t)n < room)
			break;
		if (out_reserve(o, (size_t)n + 1) < 0)
			return -1;
	}
	o->len += (size_t)n;
	o->buf[o->len++] = '\n';
	return 0;
}

static int print_out(const struct out *o)
{
	int r;

	if (o->len == 0)
		return 0;
	r = util_write_all(STDOUT_FILENO, o->buf, o->len);
	if (r < 0) {
		cli_error("cannot write to standard output: %s", strerror(-r));
		return -1;
	}
	return 0;
}

/*
 * The LSB code of a record: the state's value, but 1 for a supervised
 * daemon between two runs, as no program runs (program is dead).
 */
static int lsb_code(const struct dctl_status *st)
{
	int state = dctl_status_get_state(st);

	if (state == DCTL_STATE_RESTARTING)
		return 1;
	return state > DCTL_STATE_UNKNOWN ? DCTL_STATE_UNKNOWN : state;
}

/* Print every record of l, and return the largest LSB code. */
static int print_all(const struct args *a, struct dctl_status_list *l)
{
	int64_t now = (int64_t)time(NULL);
	struct out o = { NULL, 0, 0 };
	struct dctl_status *st;
	size_t i;
	int code = 0;

	if (!cli.quiet && out_reserve(&o, 1) < 0)
		return EXIT_USAGE;
	for (i = 0; i < a->targets.n; i++) {
		st = dctl_status_list_get(l, i);
		if (a->matching)
			dctl_status_match(st, a->match);
		if (lsb_code(st) > code)
			code = lsb_code(st);
		if (!cli.quiet && print_one(st, target(a, i), a->json, now,
					    &o) < 0) {
			code = EXIT_USAGE;
			break;
		}
	}
	if (print_out(&o) < 0)
		code = EXIT_USAGE;
	free(o.buf);
	return code;
}

/* Probe every target at once, print, and return the largest LSB code. */
static int report(const struct args *a)
{
	struct dctl_status_list *l = NULL;
	unsigned flags = 0;
	const char **paths;
	size_t i;
	int r, code;

	if (a->targets.n == 0)
		return 0;
	/* The plain line shows no lock: read it only where the verdict
	 * rests on it. */
	if (a->json || a->matching || cli.verbose)
		flags |= DCTL_PROBE_DETAILS;
	else
		flags |= DCTL_PROBE_LOCK_IF_NEEDED;
	paths = calloc(a->targets.n, sizeof(*paths));
	if (!paths) {
		cli_error("out of memory");
		return EXIT_USAGE;
	}
	for (i = 0; i < a->targets.n; i++)
		paths[i] = target(a, i)->path;
	r = dctl_probe_many(paths, a->targets.n, flags, &l);
	free(paths);
	if (r < 0) {
		cli_error("cannot probe the pidfiles: %s", strerror(-r));
		return EXIT_USAGE;
	}
	code = print_all(a, l);
	dctl_status_list_free(l);
	return code;
}

/* One option into a: 0, 1 (done: exit 0) or -1 (error printed). */
static int take_option(void *ctx, int c, const char *arg)
{
	struct args *a = ctx;
	uid_t uid;

	switch (c) {
	case 'p': return add_pidfile(a, arg);
	case 'n': return add_name(a, arg);
	case 'a': a->all = true; return 0;
	case 'x':
		if (dctl_match_set_exe(a->match, arg) < 0) {
			cli_error("invalid value '%s' for --exec: empty", arg);
			return -1;
		}
		a->matching = true;
		return 0;
	case 'u':
		if (cli_parse_user("--user", arg, &uid) < 0)
			return -1;
		dctl_match_set_uid(a->match, uid);
		a->matching = true;
		return 0;
	case OPT_JSON: a->json = true; return 0;
	case 'q': cli.quiet = true; return 0;
	case 'v': cli.verbose++; return 0;
	case 't': cli.test = true; return 0;
	case 'h': usage(); return 1;
	case 'V': cli_version(); return 1;
	default: return -1;
	}
}

static int parse_args(struct args *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pidfile", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ "all", no_argument, NULL, 'a' },
		{ "exec", required_argument, NULL, 'x' },
		{ "user", required_argument, NULL, 'u' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "test", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int r;

	r = cli_getopt(argc, argv, ":p:n:ax:u:qvthV", longopts, take_option, a);
	if (r)
		return r;
	for (; optind < argc; optind++)
		if (add_pidfile(a, argv[optind]) < 0)
			return -1;
	if (a->all && add_all(a) < 0)
		return -1;
	if (a->targets.n == 0 && !a->all) {
		cli_error("no daemon named: give --pidfile PATH, --name NAME, PIDFILE or --all");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = { .targets = UTIL_ARRAY_INIT(sizeof(struct target)) };
	int r, code = EXIT_USAGE;

	cli_init(argv[0]);
	if (dctl_match_new(&a.match) < 0) {
		cli_error("out of memory");
		return EXIT_USAGE;
	}
	r = parse_args(&a, argc, argv);
	if (r > 0)
		code = 0;
	if (r)
		goto out;
	if (cli.test)
		cli_verbose("--test: status changes nothing, so it runs as usual");
	code = report(&a);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write to standard output: %s",
			  strerror(errno));
		code = EXIT_USAGE;
	}
out:
	targets_free(&a);
	dctl_match_free(a.match);
	return code;
}
