/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon-status: report on one daemon or many, for people (one line each)
 * or for scripts (--json, one object per line), with the LSB status exit
 * codes: 0 running, 1 dead, 3 not running, 4 unknown; the largest wins.
 * All pidfiles are probed in one library call, so the lock table is read
 * once however many daemons there are.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "daemonctl.h"

#define EXIT_USAGE 4	/* LSB: "unknown" is also the status of bad usage */

enum { OPT_JSON = 256 };

struct target {
	char *path;
	char *name;	/* what the line starts with */
};

struct targets {
	struct target *v;
	size_t n, cap;
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
static int targets_add(struct targets *t, char *path, char *name)
{
	struct target *v;

	if (!path || !name)
		goto nomem;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		v = realloc(t->v, t->cap * sizeof(*v));
		if (!v)
			goto nomem;
		t->v = v;
	}
	t->v[t->n].path = path;
	t->v[t->n].name = name;
	t->n++;
	return 0;
nomem:
	free(path);
	free(name);
	cli_error("out of memory");
	return -1;
}

static void targets_free(struct targets *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].path);
		free(t->v[i].name);
	}
	free(t->v);
}

/* --pidfile PATH or a positional PIDFILE: named after its basename. */
static int add_pidfile(struct targets *t, const char *path)
{
	char buf[PATH_MAX], name[NAME_MAX + 1];

	if (cli_pidfile(path, NULL, buf, sizeof(buf)) < 0)
		return -1;
	return targets_add(t, strdup(buf),
			   strdup(cli_display_name(buf, name, sizeof(name))));
}

static int add_name(struct targets *t, const char *name)
{
	char buf[PATH_MAX];

	if (cli_pidfile(NULL, name, buf, sizeof(buf)) < 0)
		return -1;
	return targets_add(t, strdup(buf), strdup(name));
}

static int by_name(const void *a, const void *b)
{
	const struct target *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	return r ? r : strcmp(x->path, y->path);
}

/* Every RUNDIR/NAME.pid (NAME not starting with '.', as the glob *.pid). */
static int add_all(struct targets *t)
{
	char dir[PATH_MAX], name[NAME_MAX + 1], *path;
	size_t first = t->n, len;
	struct dirent *de;
	DIR *d;
	int r;

	r = dctl_rundir(dir, sizeof(dir));
	if (r < 0) {
		cli_error("--all: cannot use the runtime directory: %s",
			  strerror(-r));
		return -1;
	}
	d = opendir(dir);
	if (!d) {
		cli_error("--all: cannot read %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((errno = 0, de = readdir(d))) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 4 ||
		    strcmp(de->d_name + len - 4, ".pid") != 0)
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
			path = NULL;
		if (targets_add(t, path, strdup(cli_display_name(de->d_name,
					name, sizeof(name)))) < 0) {
			closedir(d);
			return -1;
		}
	}
	r = errno;
	closedir(d);
	if (r) {
		cli_error("--all: cannot read %s: %s", dir, strerror(r));
		return -1;
	}
	if (t->n > first)
		qsort(t->v + first, t->n - first, sizeof(*t->v), by_name);
	cli_verbose("--all: %zu pidfile(s) in %s", t->n - first, dir);
	return 0;
}

/* Print one record; grows *buf as needed. Returns 0 or -1. */
static int print_one(const struct dctl_status *st, const struct target *tg,
		     bool json, time_t now, char **buf, size_t *size)
{
	char *p;
	int n;

	for (;;) {
		if (json)
			n = dctl_status_json(st, tg->name, tg->path, now, *buf,
					     *size);
		else
			n = dctl_status_format(st, tg->name, tg->path,
					       cli.verbose > 0, *buf, *size);
		if (n < 0) {
			cli_error("%s: cannot format its status: %s", tg->path,
				  strerror(-n));
			return -1;
		}
		if ((size_t)n < *size)
			break;
		p = realloc(*buf, (size_t)n + 1);
		if (!p) {
			cli_error("out of memory");
			return -1;
		}
		*buf = p;
		*size = (size_t)n + 1;
	}
	fputs(*buf, stdout);
	putchar('\n');
	return 0;
}

/* Probe every target at once, print, and return the largest LSB code. */
static int report(const struct targets *t, const struct dctl_match *m,
		  bool json)
{
	bool match = m->exe || m->uid != (uid_t)-1;
	unsigned flags = 0;
	struct dctl_status *st = NULL;
	const char **paths = NULL;
	char *buf = NULL;
	size_t i, size = 0;
	int r, code = 0;
	time_t now = time(NULL);

	if (t->n == 0)
		return 0;
	if (json || match || cli.verbose)
		flags |= DCTL_PROBE_DETAILS;
	st = calloc(t->n, sizeof(*st));
	paths = calloc(t->n, sizeof(*paths));
	if (!st || !paths) {
		cli_error("out of memory");
		code = EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < t->n; i++)
		paths[i] = t->v[i].path;
	r = dctl_probe_many(paths, t->n, flags, st);
	if (r < 0) {
		cli_error("cannot probe the pidfiles: %s", strerror(-r));
		code = EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < t->n; i++) {
		if (match)
			dctl_status_match(&st[i], m);
		if ((int)st[i].state > code)
			code = (int)st[i].state;
		if (!cli.quiet &&
		    print_one(&st[i], &t->v[i], json, now, &buf, &size) < 0) {
			code = EXIT_USAGE;
			goto out;
		}
	}
out:
	free(buf);
	free(paths);
	free(st);
	return code;
}

int main(int argc, char **argv)
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
	struct dctl_match m = { .exe = NULL, .uid = (uid_t)-1 };
	struct targets t = { 0 };
	bool all = false, json = false;
	int c, code = EXIT_USAGE;

	cli_init(argv[0]);
	opterr = 0;	/* our own messages, starting with our name */
	while ((c = getopt_long(argc, argv, ":p:n:ax:u:qvthV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			if (add_pidfile(&t, optarg) < 0)
				goto out;
			break;
		case 'n':
			if (add_name(&t, optarg) < 0)
				goto out;
			break;
		case 'a':
			all = true;
			break;
		case 'x':
			if (!*optarg) {
				cli_error("invalid value '' for --exec: empty");
				goto out;
			}
			m.exe = optarg;
			break;
		case 'u':
			if (cli_parse_user("--user", optarg, &m.uid) < 0)
				goto out;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'q':
			cli.quiet = true;
			break;
		case 'v':
			cli.verbose++;
			break;
		case 't':
			cli.test = true;
			break;
		case 'h':
			usage();
			code = 0;
			goto out;
		case 'V':
			cli_version();
			code = 0;
			goto out;
		default:	/* '?' and ':' */
			cli_option_error(c, argv);
			goto out;
		}
	}
	for (; optind < argc; optind++)
		if (add_pidfile(&t, argv[optind]) < 0)
			goto out;
	if (all && add_all(&t) < 0)
		goto out;
	if (t.n == 0 && !all) {
		cli_error("no daemon named: give --pidfile PATH, --name NAME, PIDFILE or --all");
		goto out;
	}
	if (cli.test)
		cli_verbose("--test: status changes nothing, so it runs as usual");
	code = report(&t, &m, json);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write to standard output: %s",
			  strerror(errno));
		code = EXIT_USAGE;
	}
out:
	targets_free(&t);
	return code;
}
