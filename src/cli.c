/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"
#include "util.h"

struct cli cli = { .prog = "daemonctl" };

void cli_init(const char *argv0)
{
	const char *slash;

	if (!argv0 || !*argv0)
		return;
	slash = strrchr(argv0, '/');
	cli.prog = slash ? slash + 1 : argv0;
}

static void vmessage(FILE *out, const char *fmt, va_list ap)
{
	char *msg, *line;

	/*
	 * One line, written at once, so concurrent tools do not interleave;
	 * allocated, so a message naming a long path reaches its end.
	 */
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	if (asprintf(&line, "%s: %s\n", cli.prog, msg) >= 0) {
		fputs(line, out);
		free(line);
	}
	free(msg);
	fflush(out);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(stderr, fmt, ap);
	va_end(ap);
}

void cli_verbose(const char *fmt, ...)
{
	va_list ap;

	if (!cli.verbose || cli.quiet)
		return;
	va_start(ap, fmt);
	vmessage(stderr, fmt, ap);
	va_end(ap);
}

void cli_say(const char *fmt, ...)
{
	va_list ap;

	if (cli.quiet)
		return;
	va_start(ap, fmt);
	vmessage(stdout, fmt, ap);
	va_end(ap);
}

void cli_log(void *data, int level, const char *msg)
{
	(void)data;
	if (cli.quiet)
		return;
	if (level <= DCTL_LOG_WARNING || (level <= DCTL_LOG_INFO && cli.verbose) ||
	    cli.verbose > 1)
		cli_error("%s", msg);
}

void cli_version(void)
{
	printf("%s (daemonctl) %s\n", cli.prog, dctl_version());
}

void cli_option_error(int c, char **argv)
{
	const char *word = argv[optind - 1];
	const char *eq = strchr(word, '=');
	bool is_long = strncmp(word, "--", 2) == 0;

	if (c == ':')
		cli_error("option '%s' needs a value (see --help)", word);
	else if (is_long && eq && optopt)
		cli_error("option '%.*s' takes no value (see --help)",
			  (int)(eq - word), word);
	else if (!is_long && optopt)
		cli_error("unknown option '-%c' (see --help)", optopt);
	else
		cli_error("unknown option '%s' (see --help)", word);
}

int cli_parse_long(const char *opt, const char *arg, long min, long max,
		   long *out)
{
	long long v;
	int r;

	if (!arg || !*arg) {
		cli_error("invalid value '' for %s: empty", opt);
		return -1;
	}
	r = util_parse_num(arg, strlen(arg), min, max, NULL, 0, &v);
	/* "-1" where no sign is allowed is a number, out of range. */
	if (r == -EINVAL && min >= 0 && arg[0] == '-' &&
	    util_parse_num(arg, strlen(arg), LLONG_MIN, LLONG_MAX, NULL, 0,
			   &v) == 0)
		r = -ERANGE;
	if (r == -ERANGE) {
		cli_error("invalid value '%s' for %s: must be %ld..%ld", arg,
			  opt, min, max);
		return -1;
	}
	if (r < 0) {
		cli_error("invalid value '%s' for %s: not a number", arg, opt);
		return -1;
	}
	*out = (long)v;
	return 0;
}

int cli_parse_user(const char *opt, const char *arg, uid_t *uid)
{
	int r = dctl_user_parse(arg, uid);

	if (r == 0)
		return 0;
	if (r == -ENOENT)
		cli_error("invalid value '%s' for %s: no such user", arg, opt);
	else if (r == -EINVAL)
		cli_error("invalid value '%s' for %s: not a user name or uid",
			  arg, opt);
	else
		cli_error("invalid value '%s' for %s: %s", arg, opt,
			  strerror(-r));
	return -1;
}

int cli_pidfile(const char *pidfile, const char *name, char **out)
{
	int r;

	if (pidfile && name) {
		cli_error("--pidfile and --name are exclusive");
		return -1;
	}
	if (!pidfile && !name) {
		cli_error("no daemon named: give --pidfile PATH or --name NAME");
		return -1;
	}
	if (pidfile) {
		if (!*pidfile) {
			cli_error("invalid value '' for --pidfile: empty");
			return -1;
		}
		/* A path too long for the system is the probe's to report. */
		*out = strdup(pidfile);
		if (!*out) {
			cli_error("out of memory");
			return -1;
		}
		return 0;
	}
	r = dctl_name_to_pidfile(name, out);
	if (r == -EINVAL) {
		cli_error("invalid value '%s' for --name: a name has no '/' and is not empty, '.' or '..'",
			  name);
		return -1;
	}
	if (r < 0) {
		char *what = util_asprintf("--name %s", name);

		cli_rundir_error(what ? what : "--name", r);
		free(what);
		return -1;
	}
	return 0;
}

static const char *file_kind(mode_t mode)
{
	if (S_ISLNK(mode))
		return "a symbolic link";
	if (S_ISREG(mode))
		return "a regular file";
	return "not a directory";
}

/*
 * The only directory dctl_rundir() refuses is the private one it makes
 * under /tmp when there is no other (dctl_rundir(3)): say which rule it
 * breaks, rather than EPERM's "Operation not permitted".
 */
void cli_rundir_error(const char *what, int r)
{
	uid_t uid = geteuid();
	struct stat st;
	char *dir;

	dir = util_asprintf("/tmp/daemonctl-%u", (unsigned)uid);
	if (r != -EPERM || !dir || lstat(dir, &st) < 0) {
		cli_error("%s: cannot use the runtime directory: %s", what,
			  strerror(-r));
	} else if (!S_ISDIR(st.st_mode)) {
		cli_error("%s: unsafe runtime directory %s: %s, not a directory",
			  what, dir, file_kind(st.st_mode));
	} else if (st.st_uid != uid) {
		cli_error("%s: unsafe runtime directory %s: owned by uid %u, not by uid %u",
			  what, dir, (unsigned)st.st_uid, (unsigned)uid);
	} else {
		cli_error("%s: unsafe runtime directory %s: mode %04o lets group or others write in it (chmod 700 it)",
			  what, dir, (unsigned)(st.st_mode & 07777));
	}
	free(dir);
}

int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts,
	       int (*take)(void *ctx, int c, const char *arg), void *ctx)
{
	int c, r;

	opterr = 0;	/* our own messages, starting with our name */
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			cli_option_error(c, argv);
			return -1;
		}
		r = take(ctx, c, optarg);
		if (r)
			return r;
	}
	return 0;
}
