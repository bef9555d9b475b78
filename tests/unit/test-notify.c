/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sd_notify protocol: the strict parser, the private socket, and a
 * real round trip from dctl_notify() to notify_recv() with credentials.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "daemonctl.h"
#include "notify.h"

/* ----------------------------------------------------------- the parser */

struct parse_case {
	const char *text;
	int want;		/* 0 or -EBADMSG */
	bool ready, stopping, has_status, has_errno, has_mainpid, has_extend;
	const char *status;
	int err;
	pid_t mainpid;
	unsigned long long extend;
};

#define BAD(t) { .text = (t), .want = -EBADMSG }

static const struct parse_case parse_cases[] = {
	{ .text = "READY=1", .ready = true },
	{ .text = "READY=1\n", .ready = true },
	{ .text = "\n\nREADY=1\n\n", .ready = true },
	{ .text = "STOPPING=1", .stopping = true },
	{ .text = "STATUS=listening on :80", .has_status = true,
	  .status = "listening on :80" },
	{ .text = "STATUS=", .has_status = true, .status = "" },
	{ .text = "STATUS=a=b=c", .has_status = true, .status = "a=b=c" },
	{ .text = "STATUS=bell\a esc\x1b[2J", .has_status = true,
	  .status = "bell? esc?[2J" },
	{ .text = "READY=1\nSTATUS=up\nMAINPID=4242", .ready = true,
	  .has_status = true, .status = "up", .has_mainpid = true,
	  .mainpid = 4242 },
	{ .text = "ERRNO=2", .has_errno = true, .err = 2 },
	{ .text = "ERRNO=4095", .has_errno = true, .err = 4095 },
	{ .text = "MAINPID=2", .has_mainpid = true, .mainpid = 2 },
	{ .text = "EXTEND_TIMEOUT_USEC=0", .has_extend = true, .extend = 0 },
	{ .text = "EXTEND_TIMEOUT_USEC=18446744073709551615", .has_extend = true,
	  .extend = 18446744073709551615ULL },
	/* Unknown variables are ignored, whatever their value. */
	{ .text = "WATCHDOG=1\nFDSTORE=1\nX_CUSTOM=whatever" },
	{ .text = "RELOADING=1\nREADY=1\nMONOTONIC_USEC=123", .ready = true },
	{ .text = "" },
	/* Malformed values of known variables. */
	BAD("READY=2"),
	BAD("READY="),
	BAD("READY=1 "),
	BAD("READY=true"),
	BAD("STOPPING=0"),
	BAD("ERRNO=0"),
	BAD("ERRNO=-5"),
	BAD("ERRNO=+5"),
	BAD("ERRNO=x"),
	BAD("ERRNO=05"),
	BAD("ERRNO=4096"),
	BAD("ERRNO="),
	BAD("MAINPID=0"),
	BAD("MAINPID=1"),
	BAD("MAINPID=-5"),
	BAD("MAINPID=99999999999"),
	BAD("MAINPID=12a"),
	BAD("EXTEND_TIMEOUT_USEC=18446744073709551616"),
	BAD("EXTEND_TIMEOUT_USEC=1.5"),
	/* Not an assignment at all. */
	BAD("READY"),
	BAD("=1"),
	/* One bad line spoils the whole datagram, even after good ones. */
	BAD("READY=1\nSTATUS=ok\nMAINPID=1"),
};

static void test_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct notify_msg m, before;
		int r;

		memset(&m, 0, sizeof(m));
		/* Something in every field, to see that failure keeps it. */
		m.err = 77;
		m.mainpid = 7;
		strcpy(m.status, "previous");
		before = m;
		r = notify_parse(c->text, strlen(c->text), &m);
		if (r != c->want)
			fail_msg("case %zu \"%s\": got %d, wanted %d", i,
				 c->text, r, c->want);
		if (r < 0) {
			assert_memory_equal(&m, &before, sizeof(m));
			continue;
		}
		assert_int_equal(m.ready, c->ready);
		assert_int_equal(m.stopping, c->stopping);
		assert_int_equal(m.has_status, c->has_status);
		if (c->has_status)
			assert_string_equal(m.status, c->status);
		assert_int_equal(m.has_errno, c->has_errno);
		if (c->has_errno)
			assert_int_equal(m.err, c->err);
		assert_int_equal(m.has_mainpid, c->has_mainpid);
		if (c->has_mainpid)
			assert_int_equal(m.mainpid, c->mainpid);
		assert_int_equal(m.has_extend, c->has_extend);
		if (c->has_extend)
			assert_true(m.extend_usec == c->extend);
	}
}

static void test_parse_nul_and_size(void **state)
{
	static const char nul[] = "READY=1\0STATUS=x";
	struct notify_msg m;
	char *big;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_int_equal(notify_parse(nul, sizeof(nul) - 1, &m), -EBADMSG);
	assert_false(m.ready);

	big = malloc(NOTIFY_DATAGRAM_MAX + 1);
	assert_non_null(big);
	memset(big, 'x', NOTIFY_DATAGRAM_MAX + 1);
	memcpy(big, "READY=1\nX=", 10);
	assert_int_equal(notify_parse(big, NOTIFY_DATAGRAM_MAX + 1, &m),
			 -EBADMSG);
	assert_false(m.ready);
	assert_int_equal(notify_parse(big, NOTIFY_DATAGRAM_MAX, &m), 0);
	assert_true(m.ready);
	free(big);
}

static void test_parse_accumulates(void **state)
{
	struct notify_msg m;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_int_equal(notify_parse("STATUS=loading", 14, &m), 0);
	assert_int_equal(notify_parse("MAINPID=300", 11, &m), 0);
	assert_false(m.ready);
	assert_int_equal(notify_parse("READY=1", 7, &m), 0);
	assert_true(m.ready);
	assert_string_equal(m.status, "loading");
	assert_int_equal(m.mainpid, 300);
	/* A later assignment replaces an earlier one. */
	assert_int_equal(notify_parse("STATUS=a\nSTATUS=b", 17, &m), 0);
	assert_string_equal(m.status, "b");
}

static void test_parse_status_cut(void **state)
{
	struct notify_msg m;
	char buf[600];
	size_t n, i;

	(void)state;
	memset(&m, 0, sizeof(m));
	/* 300 bytes of two-byte characters: the cut may not split one. */
	n = (size_t)sprintf(buf, "STATUS=");
	for (i = 0; i < 150; i++)
		n += (size_t)sprintf(buf + n, "\xc3\xa9");
	assert_int_equal(notify_parse(buf, n, &m), 0);
	assert_int_equal(strlen(m.status), 254);
	assert_int_equal((unsigned char)m.status[252], 0xc3);
	assert_int_equal((unsigned char)m.status[253], 0xa9);

	/* 300 stray continuation bytes: cut at most 3 bytes short, never
	 * emptied. */
	n = (size_t)sprintf(buf, "STATUS=");
	memset(buf + n, 0x80, 300);
	n += 300;
	assert_int_equal(notify_parse(buf, n, &m), 0);
	assert_true(strlen(m.status) >= sizeof(m.status) - 1 - 3);
}

/* ----------------------------------------------------------- the socket */

static void assert_gone(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_sock_dir(void **state)
{
	struct notify_sock ns;
	char dir[sizeof(ns.dir)], path[sizeof(ns.path)];
	struct stat st;
	mode_t old;

	(void)state;
	/* A hostile umask must not change the directory's mode. */
	old = umask(0777);
	assert_int_equal(notify_sock_open(&ns), 0);
	umask(old);
	assert_true(ns.fd >= 0);
	assert_true(fcntl(ns.fd, F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(ns.fd, F_GETFL) & O_NONBLOCK);

	assert_int_equal(lstat(ns.dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(lstat(ns.path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true(strncmp(ns.path, ns.dir, strlen(ns.dir)) == 0);

	strcpy(dir, ns.dir);
	strcpy(path, ns.path);
	notify_sock_close(&ns);
	assert_int_equal(ns.fd, -1);
	assert_gone(path);
	assert_gone(dir);
	/* Closing twice is harmless. */
	notify_sock_close(&ns);
}

static void test_sock_tmpdir(void **state)
{
	char tmpl[] = "/tmp/dctl-tn.XXXXXX", big[200];
	const char *old = getenv("TMPDIR");
	char *saved = old ? strdup(old) : NULL;
	struct notify_sock ns;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	setenv("TMPDIR", tmpl, 1);
	assert_int_equal(notify_sock_open(&ns), 0);
	assert_true(strncmp(ns.dir, tmpl, strlen(tmpl)) == 0);
	notify_sock_close(&ns);
	assert_int_equal(rmdir(tmpl), 0);	/* nothing left inside */

	/* Relative: ignored, /tmp is used. */
	setenv("TMPDIR", "relative/dir", 1);
	assert_int_equal(notify_sock_open(&ns), 0);
	assert_true(strncmp(ns.dir, "/tmp/", 5) == 0);
	notify_sock_close(&ns);

	/* Too long for sun_path: refused before anything is created. */
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	setenv("TMPDIR", big, 1);
	assert_int_equal(notify_sock_open(&ns), -ENAMETOOLONG);
	assert_int_equal(ns.fd, -1);
	notify_sock_close(&ns);

	/* A directory that does not exist: the error, nothing left. */
	setenv("TMPDIR", "/nonexistent-dctl-dir", 1);
	assert_int_equal(notify_sock_open(&ns), -ENOENT);
	assert_int_equal(ns.fd, -1);

	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
}

static void wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	assert_int_equal(poll(&p, 1, 5000), 1);
}

static void test_round_trip(void **state)
{
	struct notify_sock ns;
	struct notify_msg m;
	pid_t sender = -1;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_int_equal(notify_sock_open(&ns), 0);
	assert_int_equal(notify_recv(ns.fd, &sender, &m), -EAGAIN);

	setenv("NOTIFY_SOCKET", ns.path, 1);
	assert_int_equal(dctl_notify("STATUS=warming up\nX=1"), 1);
	assert_int_equal(dctl_notify_ready(), 1);
	unsetenv("NOTIFY_SOCKET");

	wait_readable(ns.fd);
	assert_int_equal(notify_recv(ns.fd, &sender, &m), 0);
	assert_int_equal(sender, getpid());
	assert_string_equal(m.status, "warming up");
	assert_false(m.ready);
	assert_int_equal(notify_recv(ns.fd, &sender, &m), 0);
	assert_int_equal(sender, getpid());
	assert_true(m.ready);
	assert_int_equal(notify_recv(ns.fd, &sender, &m), -EAGAIN);
	notify_sock_close(&ns);
}

static void test_child_sender(void **state)
{
	struct notify_sock ns;
	struct notify_msg m;
	pid_t child, sender = 0;
	int st;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_int_equal(notify_sock_open(&ns), 0);
	setenv("NOTIFY_SOCKET", ns.path, 1);
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(dctl_notify_ready() == 1 ? 0 : 1);
	unsetenv("NOTIFY_SOCKET");

	wait_readable(ns.fd);
	/* From the child only: a filter on our own PID refuses it... */
	assert_int_equal(notify_recv_from(ns.fd, getpid(), &sender, &m),
			 -EPERM);
	assert_int_equal(sender, child);
	assert_false(m.ready);

	/* ...and the next one, filtered on the child, is accepted. */
	setenv("NOTIFY_SOCKET", ns.path, 1);
	assert_int_equal(dctl_notify_ready(), 1);
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(notify_recv_from(ns.fd, child, &sender, &m), -EPERM);
	assert_int_equal(sender, getpid());
	assert_false(m.ready);

	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	notify_sock_close(&ns);
}

static void test_abstract(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct notify_msg m;
	char name[64], env[70];
	pid_t sender = 0;
	int fd, one = 1, n;
	socklen_t len;

	(void)state;
	memset(&m, 0, sizeof(m));
	n = snprintf(name, sizeof(name), "dctl-test-notify-%d", (int)getpid());
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one,
				    sizeof(one)), 0);
	memcpy(sa.sun_path + 1, name, (size_t)n);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);

	snprintf(env, sizeof(env), "@%s", name);
	setenv("NOTIFY_SOCKET", env, 1);
	assert_int_equal(dctl_notify("READY=1\nSTATUS=abstract"), 1);
	unsetenv("NOTIFY_SOCKET");
	wait_readable(fd);
	assert_int_equal(notify_recv(fd, &sender, &m), 0);
	assert_int_equal(sender, getpid());
	assert_true(m.ready);
	assert_string_equal(m.status, "abstract");
	close(fd);
}

static void test_sender_errors(void **state)
{
	char big[200];

	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(dctl_notify_ready(), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(dctl_notify_ready(), 0);
	setenv("NOTIFY_SOCKET", "relative/sock", 1);
	assert_int_equal(dctl_notify_ready(), -EINVAL);
	setenv("NOTIFY_SOCKET", "@", 1);
	assert_int_equal(dctl_notify_ready(), -EINVAL);
	setenv("NOTIFY_SOCKET", "/nonexistent-dctl/notify", 1);
	assert_int_equal(dctl_notify_ready(), -ENOENT);
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	setenv("NOTIFY_SOCKET", big, 1);
	assert_int_equal(dctl_notify_ready(), -ENAMETOOLONG);
	setenv("NOTIFY_SOCKET", "/tmp/x", 1);
	assert_int_equal(dctl_notify(""), -EINVAL);
	assert_int_equal(dctl_notify(NULL), -EINVAL);
	unsetenv("NOTIFY_SOCKET");
}

/* A raw datagram, optionally with a descriptor attached. */
static void send_raw(const char *path, const void *buf, size_t len, int pass)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = {
		.msg_name = &sa,
		.msg_namelen = sizeof(sa),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	struct cmsghdr *c;
	int fd;

	strcpy(sa.sun_path, path);
	if (pass >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = &ctl;
		mh.msg_controllen = sizeof(ctl);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass, sizeof(int));
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(sendmsg(fd, &mh, 0), (ssize_t)len);
	close(fd);
}

static void test_passed_fds_closed(void **state)
{
	struct notify_sock ns;
	struct notify_msg m;
	pid_t sender;
	int p[2];
	char c;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_int_equal(notify_sock_open(&ns), 0);
	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	send_raw(ns.path, "READY=1", 7, p[1]);
	close(p[1]);
	assert_int_equal(notify_recv(ns.fd, &sender, &m), 0);
	assert_true(m.ready);
	/* Had the received copy of the write end leaked, this would be
	 * EAGAIN instead of end-of-file. */
	assert_int_equal(read(p[0], &c, 1), 0);
	close(p[0]);
	notify_sock_close(&ns);
}

static void test_truncated(void **state)
{
	struct notify_sock ns;
	struct notify_msg m;
	pid_t sender;
	char *big;

	(void)state;
	memset(&m, 0, sizeof(m));
	big = malloc(NOTIFY_DATAGRAM_MAX + 100);
	assert_non_null(big);
	memset(big, 'x', NOTIFY_DATAGRAM_MAX + 100);
	memcpy(big, "READY=1\nX=", 10);
	assert_int_equal(notify_sock_open(&ns), 0);
	send_raw(ns.path, big, NOTIFY_DATAGRAM_MAX + 100, -1);
	send_raw(ns.path, big, NOTIFY_DATAGRAM_MAX, -1);
	assert_int_equal(notify_recv(ns.fd, &sender, &m), -EBADMSG);
	assert_int_equal(sender, getpid());
	assert_false(m.ready);
	/* The long one was consumed; the next, exactly at the limit, fits. */
	assert_int_equal(notify_recv(ns.fd, &sender, &m), 0);
	assert_true(m.ready);
	assert_int_equal(notify_recv(ns.fd, &sender, &m), -EAGAIN);
	notify_sock_close(&ns);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_nul_and_size),
		cmocka_unit_test(test_parse_accumulates),
		cmocka_unit_test(test_parse_status_cut),
		cmocka_unit_test(test_sock_dir),
		cmocka_unit_test(test_sock_tmpdir),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_child_sender),
		cmocka_unit_test(test_abstract),
		cmocka_unit_test(test_sender_errors),
		cmocka_unit_test(test_passed_fds_closed),
		cmocka_unit_test(test_truncated),
	};

	/* A test that hangs must not hang make check. */
	alarm(60);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
