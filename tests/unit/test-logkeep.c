/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The log keeper with real pipes, files and datagram sockets: lines cut
 * across reads, the last unterminated line, rotation, reopening after a
 * rename or a deletion, time prefixes, syslog messages, a syslog socket
 * that goes away and comes back, a receiver that stops reading, and the
 * option parsers.
 */
#include "unit.h"

#include <fcntl.h>
#include <poll.h>
#include <syslog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "logkeep.h"
#include "util.h"

struct fixture {
	char *dir;
	char path[512];
	struct logkeep *lk;
	int wr[LOGKEEP_INPUTS];		/* the "program's" ends */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || !(f->dir = unit_tmpdir()))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/out.log", f->dir);
	f->wr[0] = f->wr[1] = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	logkeep_free(f->lk);
	if (f->wr[0] >= 0)
		close(f->wr[0]);
	if (f->wr[1] >= 0)
		close(f->wr[1]);
	unit_rmtree(f->dir);
	free(f);
	return 0;
}

/* A keeper for c with n pipes (stdout, then stderr). */
static void start_keeper(struct fixture *f, const struct logkeep_config *c,
			 int n)
{
	int p[2], i;

	assert_int_equal(logkeep_new(&f->lk, c), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(pipe2(p, O_CLOEXEC), 0);
		assert_int_equal(logkeep_add_input(f->lk, p[0], i ?
					LOGKEEP_STDERR : LOGKEEP_STDOUT), 0);
		f->wr[i] = p[1];
	}
}

static void file_keeper(struct fixture *f, uint64_t max, unsigned keep,
			bool stamps)
{
	struct logkeep_config c;

	logkeep_config_init(&c);
	c.path = f->path;
	c.max_size = max;
	c.keep = keep;
	c.timestamps = stamps;
	start_keeper(f, &c, 1);
}

static void put(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* One turn of the caller's poll loop (waits at most a second). */
static void turn(struct logkeep *lk)
{
	struct pollfd pfd[LOGKEEP_POLLFDS];
	int n = logkeep_pollfds(lk, pfd), t = logkeep_timeout(lk);

	assert_true(poll(pfd, (nfds_t)n, t < 0 || t > 1000 ? 1000 : t) >= 0);
	assert_int_equal(logkeep_dispatch(lk, pfd, n), 0);
}

/* The whole of a small file, NUL-terminated ("" if it does not exist). */
static char *slurp(const char *path)
{
	static char buf[1 << 16];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static char *rotated(const struct fixture *f, int i)
{
	static char name[600];

	snprintf(name, sizeof(name), "%s.%d", f->path, i);
	return name;
}

/* ------------------------------------------------------------ parsers */

static void test_parse_size(void **state)
{
	static const struct { const char *text; uint64_t want; } good[] = {
		{ "1", 1 }, { "512", 512 }, { "512K", 512 << 10 },
		{ "512k", 512 << 10 }, { "10M", 10 << 20 }, { "10m", 10 << 20 },
		{ "1G", 1ULL << 30 }, { "3g", 3ULL << 30 }, { "007", 7 },
		{ "8589934591G", 8589934591ULL << 30 },
		{ "9223372036854775807", 9223372036854775807ULL },
	};
	static const char *const bad[] = {
		"", "0", "0K", "00M", "10X", "10KB", "K", "-1", "+1", " 1",
		"1 ", "1.5M", "0x10", "10MM", "1e6", "8589934592G",
		"9223372036854775808", "18446744073709551616", "1\n",
	};
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 0;
		assert_int_equal(logkeep_parse_size(good[i].text, &v), 0);
		assert_true(v == good[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 42;
		assert_int_equal(logkeep_parse_size(bad[i], &v), -EINVAL);
		assert_true(v == 42);
	}
	assert_int_equal(logkeep_parse_size(NULL, &v), -EINVAL);
}

static void test_parse_keep(void **state)
{
	static const char *const bad[] = {
		"", "-1", "+1", "1001", "5x", " 5", "1e2", "99999999999999999999",
	};
	unsigned int k;
	size_t i;

	(void)state;
	assert_int_equal(logkeep_parse_keep("0", &k), 0);
	assert_int_equal(k, 0);
	assert_int_equal(logkeep_parse_keep("5", &k), 0);
	assert_int_equal(k, 5);
	assert_int_equal(logkeep_parse_keep("1000", &k), 0);
	assert_int_equal(k, 1000);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(logkeep_parse_keep(bad[i], &k), -EINVAL);
}

static void test_parse_facility(void **state)
{
	static const struct { const char *text; int want; } good[] = {
		{ "kern", LOG_KERN }, { "user", LOG_USER },
		{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON },
		{ "auth", LOG_AUTH }, { "syslog", LOG_SYSLOG },
		{ "lpr", LOG_LPR }, { "news", LOG_NEWS },
		{ "uucp", LOG_UUCP }, { "cron", LOG_CRON },
		{ "authpriv", LOG_AUTHPRIV }, { "ftp", LOG_FTP },
		{ "local0", LOG_LOCAL0 }, { "local7", LOG_LOCAL7 },
		{ "DAEMON", LOG_DAEMON }, { "Local3", LOG_LOCAL3 },
	};
	static const char *const bad[] = {
		"", "daemons", "local8", "local", "3", "24", " daemon",
		"daemon ", "LOG_DAEMON", "security", "mark", "*",
	};
	size_t i;
	int v;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(dctl_syslog_facility_parse(good[i].text, &v), 0);
		assert_int_equal(v, good[i].want);
		assert_non_null(logkeep_facility_name(v));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(dctl_syslog_facility_parse(bad[i], &v), -EINVAL);
	assert_string_equal(logkeep_facility_name(LOG_LOCAL5), "local5");
	assert_null(logkeep_facility_name(LOG_DAEMON | LOG_ERR));
}

static void test_stamp(void **state)
{
	struct timespec ts = { .tv_sec = 1000000000, .tv_nsec = 123456789 };
	char buf[LOGKEEP_STAMP_LEN + 1];

	(void)state;
	assert_int_equal(logkeep_stamp(buf, &ts), LOGKEEP_STAMP_LEN);
	assert_string_equal(buf, "2001-09-09T01:46:40.123456Z ");
	ts = (struct timespec){ .tv_sec = 0, .tv_nsec = 999 };
	logkeep_stamp(buf, &ts);
	assert_string_equal(buf, "1970-01-01T00:00:00.000000Z ");
}

/* --------------------------------------------------------------- file */

static void test_lines_across_reads(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	file_keeper(f, 0, 0, false);
	put(f->wr[0], "hel");
	turn(f->lk);
	assert_string_equal(slurp(f->path), "");
	put(f->wr[0], "lo\nwor");
	turn(f->lk);
	assert_string_equal(slurp(f->path), "hello\n");
	put(f->wr[0], "ld\n\nlast");
	turn(f->lk);
	assert_string_equal(slurp(f->path), "hello\nworld\n\n");
	assert_false(logkeep_done(f->lk));
	close(f->wr[0]);
	f->wr[0] = -1;
	assert_int_equal(logkeep_drain(f->lk, 5000), 0);
	assert_true(logkeep_done(f->lk));
	assert_string_equal(slurp(f->path), "hello\nworld\n\nlast\n");
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, LOGKEEP_FILE_MODE & ~0022 & 07777);
}

/* A line longer than the keeper's buffer is never cut in a file. */
static void test_huge_line(void **state)
{
	struct fixture *f = *state;
	size_t len = 200000, i;
	char *line = malloc(len + 1), *got;
	struct pollfd pw = { .events = POLLOUT };
	size_t off = 0;
	ssize_t n;
	int fd, fl;

	assert_non_null(line);
	for (i = 0; i < len; i++)
		line[i] = (char)('a' + i % 26);
	line[len - 1] = '\n';
	file_keeper(f, 0, 0, false);
	pw.fd = f->wr[0];
	fl = fcntl(f->wr[0], F_GETFL);
	assert_int_equal(fcntl(f->wr[0], F_SETFL, fl | O_NONBLOCK), 0);
	while (off < len) {
		n = write(f->wr[0], line + off, len - off);
		if (n > 0)
			off += (size_t)n;
		turn(f->lk);
		poll(&pw, 1, 0);
	}
	close(f->wr[0]);
	f->wr[0] = -1;
	assert_int_equal(logkeep_drain(f->lk, 5000), 0);
	got = malloc(len + 1);
	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	for (off = 0; (n = read(fd, got + off, len + 1 - off)) > 0;)
		off += (size_t)n;
	close(fd);
	assert_int_equal(off, len);
	assert_memory_equal(got, line, len);
	free(got);
	free(line);
}

/*
 * Lines of 10 bytes, files of at most 95: 9 lines each. 50 lines, written
 * 7 at a time, make 6 files; with keep 3 the oldest two are gone.
 */
static void test_rotation(void **state)
{
	struct fixture *f = *state;
	char line[16], want[4][128];
	int i, k;

	file_keeper(f, 95, 3, false);
	for (i = 1; i <= 50; i++) {
		snprintf(line, sizeof(line), "line %04d\n", i);
		put(f->wr[0], line);
		if (i % 7 == 0)
			turn(f->lk);
	}
	close(f->wr[0]);
	f->wr[0] = -1;
	assert_int_equal(logkeep_drain(f->lk, 5000), 0);

	/* want[0]: the live file (46..50), want[k]: FILE.k. */
	for (k = 0; k < 4; k++) {
		int first = k == 0 ? 46 : 46 - 9 * k, last = k == 0 ? 50 :
							    first + 8;
		want[k][0] = '\0';
		for (i = first; i <= last; i++) {
			snprintf(line, sizeof(line), "line %04d\n", i);
			strcat(want[k], line);
		}
	}
	assert_string_equal(slurp(f->path), want[0]);
	for (k = 1; k <= 3; k++)
		assert_string_equal(slurp(rotated(f, k)), want[k]);
	assert_int_equal(access(rotated(f, 4), F_OK), -1);
}

/* A line that fits in no file goes whole into a fresh one. */
static void test_rotation_long_line(void **state)
{
	struct fixture *f = *state;
	char big[301];

	memset(big, 'x', 299);
	big[299] = '\n';
	big[300] = '\0';
	file_keeper(f, 95, 5, false);
	put(f->wr[0], "short 1\n");
	put(f->wr[0], big);
	put(f->wr[0], "short 2\n");
	close(f->wr[0]);
	f->wr[0] = -1;
	assert_int_equal(logkeep_drain(f->lk, 5000), 0);
	assert_string_equal(slurp(rotated(f, 2)), "short 1\n");
	assert_string_equal(slurp(rotated(f, 1)), big);
	assert_string_equal(slurp(f->path), "short 2\n");
	assert_int_equal(access(rotated(f, 3), F_OK), -1);
}

/* keep 0: the full file is dropped, no numbered file is made. */
static void test_rotation_keep0(void **state)
{
	struct fixture *f = *state;

	file_keeper(f, 20, 0, false);
	put(f->wr[0], "first line\nsecondline\nabc\n");
	turn(f->lk);
	assert_string_equal(slurp(f->path), "secondline\nabc\n");
	assert_int_equal(access(rotated(f, 1), F_OK), -1);
}

static void test_reopen(void **state)
{
	struct fixture *f = *state;
	char moved[600];
	int fd;

	file_keeper(f, 0, 0, false);
	put(f->wr[0], "one\n");
	turn(f->lk);

	/* Renamed, nothing new yet: the renamed file is still written. */
	snprintf(moved, sizeof(moved), "%s.moved", f->path);
	assert_int_equal(rename(f->path, moved), 0);
	put(f->wr[0], "two\n");
	turn(f->lk);
	assert_string_equal(slurp(moved), "one\ntwo\n");

	/* logrotate's create: a new file at the path takes the lines. */
	fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	put(f->wr[0], "three\n");
	turn(f->lk);
	assert_string_equal(slurp(f->path), "three\n");
	assert_string_equal(slurp(moved), "one\ntwo\n");

	/* Deleted: a fresh file at once, nothing into the deleted one. */
	assert_int_equal(unlink(f->path), 0);
	put(f->wr[0], "four\n");
	turn(f->lk);
	assert_string_equal(slurp(f->path), "four\n");
}

static void test_timestamps(void **state)
{
	struct fixture *f = *state;
	struct timespec before, after;
	char *text, *line;
	int lines = 0;

	clock_gettime(CLOCK_REALTIME, &before);
	file_keeper(f, 0, 0, true);
	put(f->wr[0], "alpha\nbe");
	turn(f->lk);
	put(f->wr[0], "ta\n");
	turn(f->lk);
	close(f->wr[0]);
	f->wr[0] = -1;
	assert_int_equal(logkeep_drain(f->lk, 5000), 0);
	clock_gettime(CLOCK_REALTIME, &after);

	text = slurp(f->path);
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		struct tm tm = { 0 };
		long usec;
		char z, sp;
		time_t t;

		assert_int_equal(sscanf(line, "%4d-%2d-%2dT%2d:%2d:%2d.%6ld%c%c",
					&tm.tm_year, &tm.tm_mon, &tm.tm_mday,
					&tm.tm_hour, &tm.tm_min, &tm.tm_sec,
					&usec, &z, &sp), 9);
		assert_int_equal(z, 'Z');
		assert_int_equal(sp, ' ');
		assert_int_equal(line[4], '-');
		assert_int_equal(line[10], 'T');
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		t = timegm(&tm);
		assert_true(t >= before.tv_sec && t <= after.tv_sec);
		assert_string_equal(line + LOGKEEP_STAMP_LEN,
				    lines ? "beta" : "alpha");
		lines++;
	}
	assert_int_equal(lines, 2);
}

/* ------------------------------------------------------------- syslog */

struct receiver {
	int fd;
	struct sockaddr_un sa;
};

static void receiver_open(struct receiver *r, const char *path)
{
	r->sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
	snprintf(r->sa.sun_path, sizeof(r->sa.sun_path), "%s", path);
	unlink(path);
	r->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(r->fd >= 0);
	assert_int_equal(bind(r->fd, (struct sockaddr *)&r->sa,
			      sizeof(r->sa)), 0);
}

/* The next datagram, NUL-terminated, while the keeper keeps turning. */
static char *receive(struct receiver *r, struct logkeep *lk)
{
	static char buf[4096];
	long long end = util_now_ms() + 30000;
	ssize_t n;

	for (;;) {
		n = recv(r->fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n > 0 || util_now_ms() > end)
			break;
		turn(lk);
	}
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static char *want_line(char *buf, int n)
{
	sprintf(buf, "web[4242]: line %d", n);
	return buf;
}

/*
 * The keeper's end while the receiver reads on, as a syslog daemon does:
 * the last lines are let go of only once a datagram after them (its empty
 * one) was read too. What arrives now was checked before, or is empty.
 */
static void drain_reading(struct receiver *r, struct logkeep *lk)
{
	long long end = util_now_ms() + 30000;
	char buf[4096];

	while (logkeep_drain(lk, 0) == -ETIMEDOUT) {
		assert_true(util_now_ms() < end);
		while (recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
			;
		turn(lk);
	}
}

static void syslog_keeper(struct fixture *f, const char *sock)
{
	struct logkeep_config c;

	logkeep_config_init(&c);
	c.sink = LOGKEEP_SYSLOG;
	c.socket_path = sock;
	c.facility = LOG_LOCAL3;
	c.tag = "web";
	c.pid = 4242;
	start_keeper(f, &c, 2);
}

/* "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG", as glibc's syslog(3) sends it. */
static void check_message(const char *got, int pri, const char *tail)
{
	char head[16];
	int n = snprintf(head, sizeof(head), "<%d>", pri);

	assert_memory_equal(got, head, (size_t)n);
	got += n;
	assert_true(strlen(got) > 16);
	assert_non_null(strchr("JFMASOND", got[0]));
	assert_int_equal(got[3], ' ');
	assert_int_equal(got[6], ' ');
	assert_int_equal(got[9], ':');
	assert_int_equal(got[12], ':');
	assert_int_equal(got[15], ' ');
	assert_string_equal(got + 16, tail);
}

static void test_syslog(void **state)
{
	struct fixture *f = *state;
	struct receiver r;
	char sock[600];

	snprintf(sock, sizeof(sock), "%s/log", f->dir);
	receiver_open(&r, sock);
	syslog_keeper(f, sock);
	put(f->wr[0], "hello\n\nwor");
	check_message(receive(&r, f->lk), LOG_LOCAL3 | LOG_INFO,
		      "web[4242]: hello");
	check_message(receive(&r, f->lk), LOG_LOCAL3 | LOG_INFO,
		      "web[4242]: ");
	put(f->wr[1], "oops\n");
	check_message(receive(&r, f->lk), LOG_LOCAL3 | LOG_ERR,
		      "web[4242]: oops");

	/* The run ends: its unterminated line goes; the next has a new PID. */
	logkeep_end_run(f->lk);
	check_message(receive(&r, f->lk), LOG_LOCAL3 | LOG_INFO,
		      "web[4242]: wor");
	logkeep_set_pid(f->lk, 777);
	put(f->wr[1], "again\n");
	check_message(receive(&r, f->lk), LOG_LOCAL3 | LOG_ERR,
		      "web[777]: again");

	put(f->wr[0], "bye");
	close(f->wr[0]);
	close(f->wr[1]);
	f->wr[0] = f->wr[1] = -1;
	check_message(receive(&r, f->lk), LOG_LOCAL3 | LOG_INFO,
		      "web[777]: bye");
	drain_reading(&r, f->lk);
	close(r.fd);
}

static void test_syslog_absent(void **state)
{
	struct fixture *f = *state;
	struct logkeep_config c;
	struct logkeep *lk = NULL;
	char sock[600];
	int fd;

	snprintf(sock, sizeof(sock), "%s/nothing", f->dir);
	logkeep_config_init(&c);
	c.sink = LOGKEEP_SYSLOG;
	c.socket_path = sock;
	c.tag = "x";
	assert_int_equal(logkeep_new(&lk, &c), -ENOENT);
	assert_null(lk);
	/* A socket file nobody listens on. */
	{
		struct receiver r;

		receiver_open(&r, sock);
		fd = r.fd;
		close(fd);
	}
	assert_int_equal(logkeep_new(&lk, &c), -ECONNREFUSED);
	c.tag = NULL;
	assert_int_equal(logkeep_new(&lk, &c), -EINVAL);
}

/*
 * The syslog daemon goes away mid-stream and a new one binds the path:
 * lines written meanwhile wait in the keeper and reach the new one, in
 * order, none lost. The last lines the old one read, with nothing read
 * after them, come again: it may have dropped them on its way out.
 */
static void test_syslog_restart(void **state)
{
	struct fixture *f = *state;
	struct receiver r;
	char sock[600], want[64], *got;
	int i, next = 1, first;

	snprintf(sock, sizeof(sock), "%s/log", f->dir);
	receiver_open(&r, sock);
	syslog_keeper(f, sock);
	put(f->wr[0], "line 1\nline 2\n");
	for (; next <= 2; next++) {
		snprintf(want, sizeof(want), "web[4242]: line %d", next);
		check_message(receive(&r, f->lk), LOG_LOCAL3 | LOG_INFO, want);
	}
	/* The keeper sees its queue empty and the peer alive meanwhile. */
	for (i = 0; i < 10; i++)
		turn(f->lk);
	close(r.fd);
	unlink(sock);
	for (i = 3; i <= 40; i++) {
		snprintf(want, sizeof(want), "line %d\n", i);
		put(f->wr[0], want);
		turn(f->lk);
	}
	receiver_open(&r, sock);
	got = receive(&r, f->lk);
	assert_non_null(strstr(got, "line "));
	first = atoi(strstr(got, "line ") + 5);
	assert_true(first >= 1 && first <= 2);
	next = first;
	check_message(got, LOG_LOCAL3 | LOG_INFO, want_line(want, next++));
	for (; next <= 40; next++) {
		snprintf(want, sizeof(want), "web[4242]: line %d", next);
		/* Lines sent to the dead socket may come again, in order. */
		do
			got = receive(&r, f->lk);
		while (strstr(got, "line ") &&
		       atoi(strstr(got, "line ") + 5) < next);
		check_message(got, LOG_LOCAL3 | LOG_INFO, want);
	}
	close(f->wr[0]);
	close(f->wr[1]);
	f->wr[0] = f->wr[1] = -1;
	drain_reading(&r, f->lk);
	close(r.fd);
}

/*
 * The buffer full of lines sent but not yet known to be taken, and the
 * next line only half written: that half waits for its end, and the line
 * goes as one message (it went as two, when a daemon lagged).
 */
static void test_syslog_no_split(void **state)
{
	struct fixture *f = *state;
	static char chunk[65536 + 1], want[1100];
	struct receiver r;
	char sock[600], buf[2048], *got;
	int k, lines;
	ssize_t n;
	size_t i;

	snprintf(sock, sizeof(sock), "%s/log", f->dir);
	receiver_open(&r, sock);
	syslog_keeper(f, sock);
	/* 65 lines of 1000 bytes, then 536 bytes of the 66th: one pipeful,
	 * the keeper's whole buffer. */
	for (i = 0; i < 65536; i++)
		chunk[i] = (i + 1) % 1000 == 0 && i < 65000 ? '\n' : 'a' + i % 26;
	put(f->wr[0], chunk);
	/* A daemon that lags: it reads a few at a time, never all that is
	 * queued, so the keeper never sees its queue empty. */
	for (lines = 0, k = 0; lines < 65 && k < 1000; k++) {
		turn(f->lk);
		for (i = 0; i < 3 && lines < 65; i++) {
			n = recv(r.fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0)
				break;
			/* Each a whole line, never the half one. */
			if (n > 0)
				assert_int_equal(n, 5 + 16 + 11 + 999);
			lines += n > 0;
		}
	}
	assert_int_equal(lines, 65);
	/* Nothing of the half line yet. */
	while ((n = recv(r.fd, buf, sizeof(buf), MSG_DONTWAIT)) == 0)
		;
	assert_true(n < 0);
	put(f->wr[0], "tail\n");
	do
		got = receive(&r, f->lk);
	while (!*got);
	snprintf(want, sizeof(want), "web[4242]: %.536stail", chunk + 65000);
	check_message(got, LOG_LOCAL3 | LOG_INFO, want);
	close(r.fd);
}

/* A receiver and a keeper, the program's stdout written without blocking. */
static void syslog_nonblocking(struct fixture *f, struct receiver *r)
{
	char sock[600];
	int fl;

	snprintf(sock, sizeof(sock), "%s/log", f->dir);
	receiver_open(r, sock);
	syslog_keeper(f, sock);
	fl = fcntl(f->wr[0], F_GETFL);
	assert_int_equal(fcntl(f->wr[0], F_SETFL, fl | O_NONBLOCK), 0);
}

/*
 * A receiver that does not read: the keeper stops reading too, so the
 * pipe fills and the writer is held back; once it reads, every line
 * arrives, in order.
 */
static void test_syslog_backpressure(void **state)
{
	struct fixture *f = *state;
	struct receiver r;
	char line[64], want[64];
	int i, written = 0;

	syslog_nonblocking(f, &r);
	for (i = 0; i < 100000; i++) {
		snprintf(line, sizeof(line), "n %06d\n", written + 1);
		if (write(f->wr[0], line, strlen(line)) < 0) {
			assert_int_equal(errno, EAGAIN);
			break;
		}
		written++;
		if (written % 100 == 0)
			turn(f->lk);
	}
	/* The pipe filled: the keeper held back. */
	assert_true(i < 100000);
	assert_true(written > 1000);
	for (i = 1; i <= written; i++) {
		snprintf(want, sizeof(want), "web[4242]: n %06d", i);
		check_message(receive(&r, f->lk), LOG_LOCAL3 | LOG_INFO, want);
	}
	close(r.fd);
}

/*
 * A run ends while the keeper's buffer and the pipe are both full (a
 * lagging daemon): the run's last lines are still in the pipe, and the
 * line at the end of the buffer goes whole, not cut at the buffer's end.
 */
static void test_syslog_end_run_full(void **state)
{
	struct fixture *f = *state;
	char line[128], want[160];
	struct receiver r;
	int i, written = 0;

	syslog_nonblocking(f, &r);
	/* Lines of 100 bytes: 64 KiB ends inside one. */
	for (i = 0; i < 100000; i++) {
		snprintf(line, sizeof(line), "%06d %091d\n", written + 1, 0);
		if (write(f->wr[0], line, strlen(line)) < 0) {
			assert_int_equal(errno, EAGAIN);
			break;
		}
		written++;
		if (written % 50 == 0)
			turn(f->lk);
	}
	assert_true(written > 655);
	logkeep_end_run(f->lk);
	for (i = 1; i <= written; i++) {
		snprintf(want, sizeof(want), "web[4242]: %06d %091d", i, 0);
		check_message(receive(&r, f->lk), LOG_LOCAL3 | LOG_INFO, want);
	}
	close(r.fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_keep),
		cmocka_unit_test(test_parse_facility),
		cmocka_unit_test(test_stamp),
		cmocka_unit_test_setup_teardown(test_lines_across_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation_keep0, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timestamps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syslog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syslog_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syslog_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syslog_no_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syslog_end_run_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syslog_backpressure, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
