/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * logkeep-pipe: the log keeper behind a pipe, for the shell tests and the
 * benchmark, driven by one poll loop the way the supervisor drives it.
 *
 *   logkeep-pipe (--file PATH | --syslog FACILITY) [OPTIONS] [-- PROGRAM...]
 *
 *   --file PATH         write lines to PATH
 *   --max-size SIZE     rotate before PATH would pass SIZE (10M, 512K)
 *   --keep N            rotated files kept (default 5)
 *   --timestamps        prefix each line with the time
 *   --syslog FACILITY   send lines to syslog instead (kern ... local7)
 *   --socket PATH       the syslog socket (default /dev/log)
 *   --tag TAG           syslog tag (default: the program's base name)
 *   --pid PID           the PID in the tag without a PROGRAM
 *   --runs N            run PROGRAM N times, one after the other, through
 *                       the same pipes (a supervisor's restarts)
 *   --separate          stdout and stderr on two pipes (always for syslog)
 *
 * Without PROGRAM the keeper reads its own standard input as a program's
 * stdout. With one, it exits with the last run's status (128 + signal for
 * a death by signal); 3 for a bad option or a sink that cannot be opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "logkeep.h"

#define DRAIN_MS 30000

struct driver {
	struct logkeep_config cfg;
	bool separate;
	unsigned long runs;
	char **argv;		/* PROGRAM..., or NULL */
	int wr[LOGKEEP_INPUTS];	/* our copies of the pipes' write ends */
	int n_pipes;
};

static void on_log(void *data, int level, const char *msg)
{
	(void)data;
	(void)level;
	fprintf(stderr, "logkeep-pipe: %s\n", msg);
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "logkeep-pipe: invalid %s '%s'\n", what, arg);
	return 3;
}

static int parse_args(struct driver *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "max-size", required_argument, NULL, 's' },
		{ "keep", required_argument, NULL, 'k' },
		{ "timestamps", no_argument, NULL, 't' },
		{ "syslog", required_argument, NULL, 'S' },
		{ "socket", required_argument, NULL, 'u' },
		{ "tag", required_argument, NULL, 'g' },
		{ "pid", required_argument, NULL, 'p' },
		{ "runs", required_argument, NULL, 'r' },
		{ "separate", no_argument, NULL, 'x' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			d->cfg.path = optarg;
			break;
		case 's':
			if (logkeep_parse_size(optarg, &d->cfg.max_size))
				return usage_error("size", optarg);
			break;
		case 'k':
			if (logkeep_parse_keep(optarg, &d->cfg.keep))
				return usage_error("keep", optarg);
			break;
		case 't':
			d->cfg.timestamps = true;
			break;
		case 'S':
			d->cfg.sink = LOGKEEP_SYSLOG;
			if (dctl_syslog_facility_parse(optarg, &d->cfg.facility))
				return usage_error("facility", optarg);
			break;
		case 'u':
			d->cfg.socket_path = optarg;
			break;
		case 'g':
			d->cfg.tag = optarg;
			break;
		case 'p':
			d->cfg.pid = atoi(optarg);
			break;
		case 'r':
			d->runs = strtoul(optarg, NULL, 10);
			if (d->runs == 0)
				return usage_error("runs", optarg);
			break;
		case 'x':
			d->separate = true;
			break;
		default:
			return 3;
		}
	}
	if (optind < argc)
		d->argv = argv + optind;
	if (!d->cfg.tag) {
		d->cfg.tag = d->argv ? strrchr(d->argv[0], '/') : NULL;
		d->cfg.tag = d->cfg.tag ? d->cfg.tag + 1 :
			     d->argv ? d->argv[0] : "logkeep-pipe";
	}
	if (d->cfg.sink == LOGKEEP_SYSLOG)
		d->separate = true;
	return 0;
}

/* The pipes the program writes to; the keeper gets the read ends. */
static int make_pipes(struct driver *d, struct logkeep *lk)
{
	int p[2], i, r;

	d->n_pipes = d->separate ? 2 : 1;
	for (i = 0; i < d->n_pipes; i++) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return -errno;
		r = logkeep_add_input(lk, p[0], i ? LOGKEEP_STDERR :
						    LOGKEEP_STDOUT);
		if (r < 0)
			return r;
		d->wr[i] = p[1];
	}
	return 0;
}

static pid_t start_program(struct driver *d)
{
	int out = d->wr[0], err = d->wr[d->n_pipes - 1];
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(126);
	execvp(d->argv[0], d->argv);
	_exit(127);
}

static int exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/*
 * One loop over the keeper's descriptors and the program's pidfd, until
 * the program exits. Returns its wait status, or -1.
 */
static int watch(struct logkeep *lk, pid_t pid)
{
	struct pollfd pfd[LOGKEEP_POLLFDS + 1];
	int pidfd, n, status;

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -1;
	for (;;) {
		n = logkeep_pollfds(lk, pfd);
		pfd[n] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		if (poll(pfd, (nfds_t)n + 1, logkeep_timeout(lk)) < 0 &&
		    errno != EINTR)
			break;
		if (logkeep_dispatch(lk, pfd, n) < 0)
			break;
		if (pfd[n].revents)
			break;
	}
	close(pidfd);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static int run_programs(struct driver *d, struct logkeep *lk)
{
	unsigned long i;
	int status = 0;
	pid_t pid;

	for (i = 0; i < d->runs; i++) {
		pid = start_program(d);
		if (pid < 0)
			return 1;
		logkeep_set_pid(lk, pid);
		status = watch(lk, pid);
		if (status < 0)
			return 1;
		/* Its last lines, before the next run's. */
		logkeep_end_run(lk);
	}
	return exit_code(status);
}

int main(int argc, char **argv)
{
	struct driver d = { .runs = 1 };
	struct logkeep *lk = NULL;
	int r, i, code = 0;

	logkeep_config_init(&d.cfg);
	d.cfg.log = on_log;
	d.cfg.pid = getpid();
	if ((r = parse_args(&d, argc, argv)))
		return r;
	signal(SIGPIPE, SIG_IGN);
	r = logkeep_new(&lk, &d.cfg);
	if (r < 0) {
		fprintf(stderr, "logkeep-pipe: cannot open %s: %s\n",
			d.cfg.sink == LOGKEEP_FILE ? d.cfg.path :
			d.cfg.socket_path ? d.cfg.socket_path :
			LOGKEEP_SYSLOG_PATH, strerror(-r));
		return 3;
	}
	if (!d.argv) {
		r = logkeep_add_input(lk, 0, LOGKEEP_STDOUT);
	} else {
		r = make_pipes(&d, lk);
	}
	if (r < 0) {
		fprintf(stderr, "logkeep-pipe: %s\n", strerror(-r));
		logkeep_free(lk);
		return 1;
	}
	if (d.argv)
		code = run_programs(&d, lk);
	for (i = 0; i < d.n_pipes; i++)
		close(d.wr[i]);
	r = logkeep_drain(lk, DRAIN_MS);
	if (r < 0) {
		fprintf(stderr, "logkeep-pipe: lines left undelivered: %s\n",
			strerror(-r));
		code = 1;
	}
	logkeep_free(lk);
	return code;
}
