/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * demo-daemon: a small C daemon that detaches itself with dctl_daemonize().
 *
 *   demo-daemon [-p PIDFILE] [-c FILE] [-i SECONDS]
 *               [-s IDENT [-f FACILITY]] LOGFILE
 *   demo-daemon -F [-i SECONDS] [-s IDENT [-f FACILITY]] LOGFILE
 *                                          (stay in the foreground)
 *
 * It prints a line, detaches (stdout and stderr appended to LOGFILE, an
 * optional pidfile locked for its whole life), logs its PID, reads FILE
 * if asked to (a stand-in for a configuration file: a startup step that
 * can fail after detaching), tells the original process that it is ready
 * (and a supervisor, if NOTIFY_SOCKET is set), then writes a heartbeat
 * every SECONDS until TERM or INT, when it removes its pidfile and exits 0.
 * HUP reopens LOGFILE, for log rotation. With -s, the daemon also sends
 * what it says to syslog under IDENT (facility daemon, or FACILITY), the
 * connection opened for it by dctl_daemonize().
 *
 * The original process exits 0 once the daemon is ready, 1 if it failed to
 * start (the reason is in LOGFILE), 1 with a message if it is already
 * running or could not detach at all.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <daemonctl.h>

struct demo {
	const char *log_arg;		/* LOGFILE as given */
	char log[4096];			/* and made absolute */
	const char *pidfile;
	const char *config;
	long interval;
	int foreground;
	const char *ident;		/* -s: syslog under this, or NULL */
	int facility;
};

/* Once detached, with -s: also syslog what goes to the log. */
static int use_syslog;

/* One line to the log (stdout), prefixed with our name and PID. */
static void say(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(int prio, const char *fmt, ...)
{
	va_list ap;

	printf("demo-daemon[%d]: ", (int)getpid());
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	/* Whole lines, at once: the log is read while we run. */
	putchar('\n');
	fflush(stdout);
	if (!use_syslog)
		return;
	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: demo-daemon [-p PIDFILE] [-c FILE] [-i SECONDS]\n"
		"                   [-s IDENT [-f FACILITY]] LOGFILE\n"
		"       demo-daemon -F [-i SECONDS] [-s IDENT [-f FACILITY]] LOGFILE\n"
		"  -p, --pidfile PIDFILE  write and lock a pidfile\n"
		"  -c, --config FILE      read FILE after detaching (from /)\n"
		"  -i, --interval SECONDS heartbeat period (default 60)\n"
		"  -s, --syslog IDENT     also log to syslog as IDENT\n"
		"  -f, --facility NAME    syslog facility (default daemon)\n"
		"  -F, --foreground       do not detach (for daemon-start)\n");
}

static int parse_args(int argc, char **argv, struct demo *d)
{
	static const struct option longopts[] = {
		{ "pidfile", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "interval", required_argument, NULL, 'i' },
		{ "syslog", required_argument, NULL, 's' },
		{ "facility", required_argument, NULL, 'f' },
		{ "foreground", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	d->interval = 60;
	d->facility = LOG_DAEMON;
	while ((c = getopt_long(argc, argv, "p:c:i:s:f:Fh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			d->pidfile = optarg;
			break;
		case 'c':
			d->config = optarg;
			break;
		case 'i':
			errno = 0;
			d->interval = strtol(optarg, &end, 10);
			if (errno || *end || d->interval < 1 ||
			    d->interval > 86400) {
				fprintf(stderr, "demo-daemon: invalid interval '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 's':
			d->ident = optarg;
			break;
		case 'f':
			if (dctl_syslog_facility_parse(optarg, &d->facility) < 0) {
				fprintf(stderr, "demo-daemon: unknown facility '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 'F':
			d->foreground = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return -1;
	}
	d->log_arg = argv[optind];
	return 0;
}

/* The startup step that may fail once detached: read the "config". */
static int read_config(const char *path)
{
	char line[256];
	FILE *f;

	if (!path)
		return 0;
	f = fopen(path, "re");
	if (!f) {
		int err = errno;

		say(LOG_ERR, "cannot read %s: %s", path, strerror(err));
		return err;
	}
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		say(LOG_INFO, "config says: %s", line);
	}
	fclose(f);
	return 0;
}

static void reopen_log(const char *log)
{
	if (!freopen(log, "a", stdout) || dup2(fileno(stdout), 2) < 0)
		return;
	setvbuf(stdout, NULL, _IOLBF, 0);
	say(LOG_INFO, "log reopened");
}

/* Heartbeats until TERM or INT; signals are taken synchronously. */
static void run(const struct demo *d)
{
	struct timespec period = { .tv_sec = d->interval };
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		sig = sigtimedwait(&set, NULL, &period);
		if (sig == SIGTERM || sig == SIGINT) {
			say(LOG_NOTICE, "exiting on %s",
			    sig == SIGTERM ? "TERM" : "INT");
			return;
		}
		if (sig == SIGHUP)
			reopen_log(d->log);
		else if (sig < 0 && errno == EAGAIN)
			say(LOG_INFO, "alive");
	}
}

/* Tell a supervisor (daemon-start --notify-await, systemd) if there is one. */
static void notify_supervisor(int detached)
{
	char msg[64];
	int r;

	/* A supervisor that started our original process must be told
	 * which process is the daemon now. */
	if (detached) {
		snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%d",
			 (int)getpid());
		r = dctl_notify(msg);
	} else {
		r = dctl_notify_ready();
	}
	if (r < 0)
		fprintf(stderr, "demo-daemon[%d]: sd_notify: %s\n",
			(int)getpid(), strerror(-r));
}

static int foreground(const struct demo *d)
{
	if (!freopen(d->log, "a", stdout) || dup2(fileno(stdout), 2) < 0) {
		fprintf(stderr, "demo-daemon: %s: %s\n", d->log,
			strerror(errno));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Not detached: what dctl_daemonize() would have done for -s. */
	if (d->ident) {
		openlog(d->ident, LOG_PID | LOG_NDELAY, d->facility);
		use_syslog = 1;
	}
	say(LOG_INFO, "running in the foreground");
	if (read_config(d->config))
		return 1;
	notify_supervisor(0);
	run(d);
	return 0;
}

/*
 * The daemon runs in "/": a relative log path must be made absolute now,
 * or HUP would reopen a different file.
 */
static int absolute(const char *path, char *buf, size_t size)
{
	char cwd[4096];
	int n;

	if (path[0] == '/')
		n = snprintf(buf, size, "%s", path);
	else if (getcwd(cwd, sizeof(cwd)))
		n = snprintf(buf, size, "%s/%s", cwd, path);
	else
		return -1;
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* dctl_daemonize() failed in the original process: say why. */
static int report_error(const struct demo *d, int r)
{
	pid_t holder = 0;

	if (r == -EEXIST && d->pidfile &&
	    dctl_pidfile_read(d->pidfile, &holder, NULL) == 0)
		fprintf(stderr, "demo-daemon: %s: already running (pid %d)\n",
			d->pidfile, (int)holder);
	else if (r == -EEXIST)
		fprintf(stderr, "demo-daemon: %s: already running\n",
			d->pidfile);
	else
		fprintf(stderr, "demo-daemon: cannot daemonize: %s\n",
			strerror(-r));
	return 1;
}

/* Detach with stdout and stderr appended to the log, pidfile locked. */
static int daemonize(const struct demo *d, struct dctl_daemon **dm,
		     int *status)
{
	struct dctl_daemonize_opts *o;
	int r;

	r = dctl_daemonize_opts_new(&o);
	if (r < 0)
		return r;
	if ((r = dctl_daemonize_opts_set_stdout(o, d->log)) == 0 &&
	    (r = dctl_daemonize_opts_set_stderr(o, d->log)) == 0 &&
	    (r = dctl_daemonize_opts_set_pidfile(o, d->pidfile)) == 0 &&
	    (r = dctl_daemonize_opts_set_syslog(o, d->ident, d->facility)) == 0)
		r = dctl_daemonize(o, dm, status);
	/* In both processes: the options were copied, they are ours. */
	dctl_daemonize_opts_free(o);
	return r;
}

int main(int argc, char **argv)
{
	struct dctl_pidfile *pf;
	struct dctl_daemon *dm;
	struct demo d;
	int r, status, err;

	memset(&d, 0, sizeof(d));
	if (parse_args(argc, argv, &d) < 0)
		return 2;
	if (absolute(d.log_arg, d.log, sizeof(d.log)) < 0) {
		fprintf(stderr, "demo-daemon: %s: %s\n", d.log_arg,
			strerror(errno));
		return 1;
	}
	if (d.foreground)
		return foreground(&d);

	printf("demo-daemon: starting, logging to %s\n", d.log);
	/* The daemon gets a copy of unflushed buffers: flush them first. */
	fflush(NULL);

	r = daemonize(&d, &dm, &status);
	if (r < 0)
		return report_error(&d, r);
	if (r == 1) {
		if (status != 0)
			fprintf(stderr, "demo-daemon: failed to start, see %s\n",
				d.log);
		_exit(status);
	}

	/* The daemon, from here on; syslog is open if -s asked for it. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	use_syslog = d.ident != NULL;
	say(LOG_INFO, "started");
	err = read_config(d.config);
	if (err) {
		dctl_daemon_failed(dm, err);
		return 1;
	}
	pf = dctl_daemon_take_pidfile(dm);
	dctl_daemon_ready(dm);
	notify_supervisor(1);
	run(&d);
	dctl_pidfile_remove(pf);
	return 0;
}
