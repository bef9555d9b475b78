/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the three tools share: the program name, one-line messages, the
 * common options, the pidfile from --pidfile/--name, number parsing.
 * The tools keep state here (the tool's name, -q/-v); the library keeps none.
 */
#ifndef DCTL_CLI_H
#define DCTL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "daemonctl.h"

struct cli {
	const char *prog;	/* "daemon-stop" */
	int verbose;		/* -v count */
	bool quiet;		/* -q */
	bool test;		/* -t */
};

extern struct cli cli;

/* Set cli.prog from argv[0] (basename). */
void cli_init(const char *argv0);

/* "PROG: message\n" on stderr, always (errors are never silenced). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "PROG: message\n" on stderr, only with -v. */
void cli_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "PROG: message\n" on stdout unless -q (what -t says it would do). */
void cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A dctl_log_fn printing the library's messages with -v (debug with -vv). */
void cli_log(void *data, int level, const char *msg);

/* "PROG (daemonctl) VERSION" on stdout. */
void cli_version(void);

/*
 * The one-line error for getopt_long's '?' or ':' (run with opterr = 0, so
 * that the line starts with the tool's name, not getopt's argv[0], which
 * is libtool's path in a build tree): names the option and what is wrong.
 */
void cli_option_error(int c, char **argv);

/*
 * Parse a decimal number in [min, max] for option OPT (e.g. "--wait"),
 * strictly (util_parse_num: no blanks, no '+', nothing after the digits).
 * On error print "PROG: invalid value 'ARG' for OPT: REASON" and return -1.
 */
int cli_parse_long(const char *opt, const char *arg, long min, long max,
		   long *out);

/*
 * --user / -u USER (dctl_user_parse). On error print "PROG: invalid value
 * 'ARG' for OPT: REASON" and return -1.
 */
int cli_parse_user(const char *opt, const char *arg, uid_t *uid);

/*
 * The pidfile named by --pidfile PATH or --name NAME (exactly one of them
 * non-NULL, else an error is printed), malloc'd into *out.
 * Returns 0 or -1 after printing the error.
 */
int cli_pidfile(const char *pidfile, const char *name, char **out);

/*
 * "WHAT: ..." for a runtime directory dctl_rundir() refused (r): which
 * directory, and what is wrong with it (owner, mode, type).
 */
void cli_rundir_error(const char *what, int r);

/*
 * The one option loop of the three tools: getopt_long with our own error
 * messages (cli_option_error), each option handed to take(ctx, c, arg).
 * take returns 0 to go on, 1 when the tool is done (--help, --version:
 * exit 0) or -1 after printing an error; so does cli_getopt, which
 * returns 0 at the end of the options (optind at the first operand).
 */
struct option;
int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts,
	       int (*take)(void *ctx, int c, const char *arg), void *ctx);

#endif
