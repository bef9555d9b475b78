/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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
	/* One line, written at once, so concurrent tools do not interleave. */
	char line[4096];
	int n;

	n = snprintf(line, sizeof(line), "%s: ", cli.prog);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	strcat(line, "\n");
	fputs(line, out);
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
	char *end;
	long v;

	if (!arg || !*arg) {
		cli_error("invalid value '' for %s: empty", opt);
		return -1;
	}
	/* strtol would accept leading blanks and a sign: refuse them here. */
	if (!(arg[0] >= '0' && arg[0] <= '9') && !(arg[0] == '-' && min < 0)) {
		cli_error("invalid value '%s' for %s: not a number", arg, opt);
		return -1;
	}
	errno = 0;
	v = strtol(arg, &end, 10);
	if (*end) {
		cli_error("invalid value '%s' for %s: not a number", arg, opt);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		cli_error("invalid value '%s' for %s: must be %ld..%ld", arg,
			  opt, min, max);
		return -1;
	}
	*out = v;
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

int cli_pidfile(const char *pidfile, const char *name, char *buf,
		size_t size)
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
		if (strlen(pidfile) >= size) {
			cli_error("--pidfile %s: path too long", pidfile);
			return -1;
		}
		strcpy(buf, pidfile);
		return 0;
	}
	r = dctl_name_to_pidfile(name, buf, size);
	if (r == -EINVAL) {
		cli_error("invalid value '%s' for --name: a name has no '/' and is not empty, '.' or '..'",
			  name);
		return -1;
	}
	if (r < 0) {
		cli_error("--name %s: cannot use the runtime directory: %s",
			  name, strerror(-r));
		return -1;
	}
	return 0;
}

const char *cli_display_name(const char *path, char *buf, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 4 && strcmp(base + len - 4, ".pid") == 0)
		len -= 4;
	if (len == 0 || len >= size)
		return path;
	memcpy(buf, base, len);
	buf[len] = '\0';
	return buf;
}
