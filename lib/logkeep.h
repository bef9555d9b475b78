/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The log keeper: moves the lines a program writes on its stdout and
 * stderr pipes to a file (rotated by size, reopened when logrotate moves
 * it) or to the local syslog socket. Internal to the library; the
 * supervisor drives it from its one poll loop.
 *
 * Promises: a line is never split between files or messages, never
 * dropped, never interleaved with another; a sink that cannot keep up
 * (a slow disk, a full disk, a syslog daemon that is restarting) makes the
 * keeper stop reading, so the pipe fills and the program blocks in
 * write(2). While nothing arrives the keeper asks for no timer at all.
 *
 * Use:
 *	struct logkeep_config c;
 *	logkeep_config_init(&c);
 *	c.path = "/var/log/web.log"; c.max_size = 10 << 20;
 *	logkeep_new(&lk, &c);			(opens the file or socket)
 *	logkeep_add_input(lk, pipe_out[0], LOGKEEP_STDOUT);
 *	loop:
 *		n = logkeep_pollfds(lk, pfd);	(LOGKEEP_POLLFDS slots)
 *		poll(pfd, n, min(your timeout, logkeep_timeout(lk)));
 *		logkeep_dispatch(lk, pfd, n);	(also runs due timers)
 *	at a restart: logkeep_end_run(lk); start it; logkeep_set_pid(lk, pid);
 *	at the end: close your write ends, logkeep_drain(lk, 5000);
 *	logkeep_free(lk);
 */
#ifndef DCTL_LOGKEEP_H
#define DCTL_LOGKEEP_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>

#include "daemonctl.h"

enum logkeep_sink {
	LOGKEEP_FILE,
	LOGKEEP_SYSLOG,
};

/* Which of the program's streams an input carries (syslog: info or err). */
enum logkeep_stream {
	LOGKEEP_STDOUT,
	LOGKEEP_STDERR,
};

#define LOGKEEP_INPUTS		2	/* at most: stdout and stderr */
#define LOGKEEP_POLLFDS		(LOGKEEP_INPUTS + 1)	/* + the socket */
#define LOGKEEP_KEEP_DEFAULT	5
#define LOGKEEP_KEEP_MAX	1000
#define LOGKEEP_SYSLOG_PATH	"/dev/log"
#define LOGKEEP_FILE_MODE	0640
/* "2024-05-01T12:34:56.123456Z " */
#define LOGKEEP_STAMP_LEN	28

struct logkeep_config {
	enum logkeep_sink sink;
	/* LOGKEEP_FILE */
	const char *path;
	uint64_t max_size;		/* rotate before passing it; 0: never */
	unsigned int keep;		/* PATH.1 .. PATH.keep */
	bool timestamps;		/* prefix each line with the time */
	/* LOGKEEP_SYSLOG */
	const char *socket_path;	/* NULL: /dev/log */
	int facility;			/* LOG_DAEMON, ... (already shifted) */
	const char *tag;		/* TAG in "TAG[PID]: " */
	pid_t pid;			/* the program's */
	/* Warnings (disk full, syslog gone and back); may be NULL. */
	dctl_log_fn log;
	void *log_data;
};

struct logkeep;

/* Defaults: a file sink, no rotation, keep 5, facility daemon. */
void logkeep_config_init(struct logkeep_config *c);

/*
 * Open the sink: the file (O_APPEND, created LOGKEEP_FILE_MODE, must be a
 * regular file) or the syslog socket, connected. The strings in c are
 * copied. Returns 0 or -errno: -EINVAL for a bad configuration, and for
 * syslog -ENOENT or -ECONNREFUSED when no syslog daemon listens.
 */
int logkeep_new(struct logkeep **out, const struct logkeep_config *c);

/*
 * Read the program's stream from fd, which the keeper now owns (it is made
 * non-blocking and closed at EOF or by logkeep_free). For a file, one pipe
 * carrying both streams is the usual way. Returns 0, -EINVAL, -ENOSPC
 * (already LOGKEEP_INPUTS inputs) or -errno.
 */
int logkeep_add_input(struct logkeep *lk, int fd, enum logkeep_stream s);

/*
 * The program exited (it was reaped): read what it left in the pipes and
 * deliver it as far as the sink takes it now, ending its unterminated last
 * line. Call it before starting the program again, so that the next run's
 * first line is not glued to the last run's.
 */
void logkeep_end_run(struct logkeep *lk);

/*
 * The PID for the syslog tag from now on: the new run's, once started.
 * (Lines of an earlier run still held because the sink is blocked are
 * sent with it too.)
 */
void logkeep_set_pid(struct logkeep *lk, pid_t pid);

/*
 * Fill pfd[0 .. LOGKEEP_POLLFDS-1] with what to wait for; unused slots
 * get fd -1, which poll(2) skips. Returns LOGKEEP_POLLFDS.
 */
int logkeep_pollfds(const struct logkeep *lk, struct pollfd *pfd);

/* Milliseconds until the keeper's next timer, or -1 for none (idle). */
int logkeep_timeout(const struct logkeep *lk);

/*
 * After poll(2): read what is readable, deliver complete lines, run the
 * timers that are due. pfd as filled by logkeep_pollfds (n of them).
 * Returns 0 or -errno for a failure that ends the keeper (out of memory).
 * Sink errors are not failures: the lines are held and retried.
 */
int logkeep_dispatch(struct logkeep *lk, const struct pollfd *pfd, int n);

/* Every input reached EOF and every line was delivered. */
bool logkeep_done(const struct logkeep *lk);

/*
 * Run a private poll loop until logkeep_done() or timeout_ms passed (< 0:
 * no limit), for the end: the caller has closed every write end of the
 * pipes, so the inputs reach EOF; a last unterminated line is delivered.
 * Returns 0, -ETIMEDOUT (lines still held), or -errno.
 */
int logkeep_drain(struct logkeep *lk, int timeout_ms);

/* Close everything; NULL is fine. Returns NULL. */
struct logkeep *logkeep_free(struct logkeep *lk);

/*
 * Parsers for the options: a size such as "10M", "512K", "1G" or bytes
 * (K, M, G are powers of 1024, either case; at least 1 byte), a count of
 * rotated files to keep (0 .. LOGKEEP_KEEP_MAX). 0 or -EINVAL. (The
 * facility's is public: dctl_syslog_facility_parse().)
 */
int logkeep_parse_size(const char *text, uint64_t *bytes);
int logkeep_parse_keep(const char *text, unsigned int *keep);

/* The name of a LOG_ facility value, or NULL. */
const char *logkeep_facility_name(int facility);

/*
 * The line prefix for --timestamps: RFC 3339 (ISO 8601) in UTC with
 * microseconds and a trailing blank, exactly LOGKEEP_STAMP_LEN bytes,
 * into buf (at least LOGKEEP_STAMP_LEN + 1). Returns LOGKEEP_STAMP_LEN.
 */
size_t logkeep_stamp(char *buf, const struct timespec *ts);

#endif
