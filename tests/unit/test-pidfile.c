/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pidfile core: the strict parser, open-and-lock under contention (the
 * cases of FreeBSD's pidfile tests and more), refusals, safe removal. */
#include "unit.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "daemonctl.h"
#include "pidfile.h"

static char *dir;

static int setup(void **state)
{
	(void)state;
	dir = unit_tmpdir();
	return dir ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	unit_rmtree(dir);
	dir = NULL;
	return 0;
}

/* A few rotating buffers, so that one call can take two paths. */
static char *path_in(const char *name)
{
	static char buf[4][4096];
	static unsigned next;
	char *p = buf[next++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

static void put(const char *path, const char *content, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	close(fd);
}

static size_t get(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, size - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return (size_t)n;
}

/* ------------------------------------------------------------ parsing */

struct parse_case {
	const char *text;
	size_t len;		/* 0: strlen */
	int ret;
	enum dctl_pid_fault fault;
	pid_t pid;
};

#define OK(s, p) { s, 0, 0, DCTL_PID_OK, p }
#define BAD(s, f) { s, 0, -EBADMSG, f, 0 }

static const struct parse_case parse_cases[] = {
	OK("2", 2), OK("2\n", 2), OK("1234\n", 1234), OK("0123\n", 123),
	OK("32768", 32768),
	BAD("", DCTL_PID_EMPTY),
	BAD("\n", DCTL_PID_NOT_NUMBER),
	BAD("-1\n", DCTL_PID_NOT_NUMBER),
	BAD("+5\n", DCTL_PID_NOT_NUMBER),
	BAD(" 5\n", DCTL_PID_NOT_NUMBER),
	BAD("abc", DCTL_PID_NOT_NUMBER),
	BAD("0", DCTL_PID_ZERO_OR_ONE),
	BAD("1\n", DCTL_PID_ZERO_OR_ONE),
	BAD("00\n", DCTL_PID_ZERO_OR_ONE),
	BAD("32769", DCTL_PID_OUT_OF_RANGE),
	BAD("4294967296\n", DCTL_PID_OUT_OF_RANGE),
	BAD("99999999999999999999999999999999", DCTL_PID_OUT_OF_RANGE),
	BAD("12abc", DCTL_PID_TRAILING),
	BAD("12 \n", DCTL_PID_TRAILING),
	BAD("12\n\n", DCTL_PID_TRAILING),
	BAD("12\n13\n", DCTL_PID_TRAILING),
	BAD("0x10", DCTL_PID_TRAILING),
	{ "12\0", 3, -EBADMSG, DCTL_PID_NUL, 0 },
	{ "\0", 1, -EBADMSG, DCTL_PID_NUL, 0 },
};

static void test_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		size_t len = c->len ? c->len : strlen(c->text);
		enum dctl_pid_fault fault = 99;
		pid_t pid = 0;
		int r;

		r = dctl_pid_parse(c->text, len, 32768, &pid, &fault);
		print_message("# parse '%.*s' -> %d (%s)\n", (int)len, c->text,
			      r, dctl_pid_fault_str(fault));
		assert_int_equal(r, c->ret);
		assert_int_equal(fault, c->fault);
		if (r == 0)
			assert_int_equal(pid, c->pid);
	}
}

static void test_parse_size_limit(void **state)
{
	char buf[DCTL_PIDFILE_MAX + 1];
	enum dctl_pid_fault fault;
	pid_t pid;

	(void)state;
	/* 64 bytes of leading zeros then "7": too large though numeric. */
	memset(buf, '0', sizeof(buf));
	buf[sizeof(buf) - 1] = '7';
	assert_int_equal(dctl_pid_parse(buf, sizeof(buf), 0, &pid, &fault),
			 -EBADMSG);
	assert_int_equal(fault, DCTL_PID_TOO_LARGE);
	/* Exactly 64 bytes is still allowed. */
	assert_int_equal(dctl_pid_parse(buf + 1, sizeof(buf) - 1, 0, &pid,
					&fault), 0);
	assert_int_equal(pid, 7);
}

static void test_fault_strings(void **state)
{
	int f;

	(void)state;
	for (f = DCTL_PID_OK; f <= DCTL_PID_NUL; f++)
		assert_non_null(dctl_pid_fault_str(f));
	assert_string_equal(dctl_pid_fault_str(999), "unknown fault");
}

/* Hostile PIDs on disk: read them back inside a private PID namespace. */
static int read_hostile(void *arg)
{
	static const struct { const char *text; enum dctl_pid_fault f; } t[] = {
		{ "-1\n", DCTL_PID_NOT_NUMBER }, { "0\n", DCTL_PID_ZERO_OR_ONE },
		{ "1\n", DCTL_PID_ZERO_OR_ONE },
		{ "4194305\n", DCTL_PID_OUT_OF_RANGE },
		{ "99999999999\n", DCTL_PID_OUT_OF_RANGE },
		{ "", DCTL_PID_EMPTY }, { "12 34\n", DCTL_PID_TRAILING },
	};
	const char *path = arg;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum dctl_pid_fault fault = DCTL_PID_OK;
		pid_t pid = 0;
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0644);

		if (fd < 0 || write(fd, t[i].text, strlen(t[i].text)) < 0)
			return 2;
		close(fd);
		if (dctl_pidfile_read(path, &pid, &fault) != -EBADMSG)
			return 3;
		if (fault != t[i].f || pid != 0)
			return 4;
	}
	return 0;
}

static void test_read_hostile_in_pidns(void **state)
{
	int r;

	(void)state;
	r = unit_in_pidns(read_hostile, path_in("hostile.pid"));
	if (r == 77)
		skip();
	assert_int_equal(r, 0);
}

static void test_read_big_file(void **state)
{
	char big[4096];
	enum dctl_pid_fault fault;
	pid_t pid;

	(void)state;
	memset(big, '5', sizeof(big));
	put(path_in("big.pid"), big, sizeof(big));
	assert_int_equal(dctl_pidfile_read(path_in("big.pid"), &pid, &fault),
			 -EBADMSG);
	assert_int_equal(fault, DCTL_PID_TOO_LARGE);
}

static void test_read_missing(void **state)
{
	pid_t pid;

	(void)state;
	assert_int_equal(dctl_pidfile_read(path_in("none.pid"), &pid, NULL),
			 -ENOENT);
}

/* ------------------------------------------------- refusing non-files */

static void test_refuse_symlink(void **state)
{
	struct dctl_pidfile *pf = NULL;
	char buf[64];
	pid_t pid;

	(void)state;
	put(path_in("target"), "precious\n", 9);
	assert_int_equal(symlink(path_in("target"), path_in("link.pid")), 0);
	assert_int_equal(dctl_pidfile_open(path_in("link.pid"), 0644, &pf,
					   NULL), -ELOOP);
	assert_null(pf);
	assert_int_equal(dctl_pidfile_read(path_in("link.pid"), &pid, NULL),
			 -ELOOP);
	/* The file behind the link was neither truncated nor written. */
	get(path_in("target"), buf, sizeof(buf));
	assert_string_equal(buf, "precious\n");
	/* A dangling link is refused too, and creates nothing. */
	assert_int_equal(symlink(path_in("nowhere"), path_in("dang.pid")), 0);
	assert_int_equal(dctl_pidfile_open(path_in("dang.pid"), 0644, &pf,
					   NULL), -ELOOP);
	assert_int_equal(access(path_in("nowhere"), F_OK), -1);
}

static void test_refuse_fifo(void **state)
{
	struct dctl_pidfile *pf = NULL;
	struct timespec a, b;
	pid_t pid;

	(void)state;
	assert_int_equal(mkfifo(path_in("fifo.pid"), 0644), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(dctl_pidfile_open(path_in("fifo.pid"), 0644, &pf,
					   NULL), -ENXIO);
	assert_int_equal(dctl_pidfile_read(path_in("fifo.pid"), &pid, NULL),
			 -ENXIO);
	assert_int_equal(dctl_pidfile_remove_stale(path_in("fifo.pid"), 1234),
			 -ENXIO);
	clock_gettime(CLOCK_MONOTONIC, &b);
	/* Never blocks: opening a FIFO would wait for a writer forever. The
	 * bound only tells such a hang from a slow machine. */
	assert_true(b.tv_sec - a.tv_sec < 10);
}

static void test_refuse_dir_device_socket(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct dctl_pidfile *pf = NULL;
	pid_t pid;
	int s;

	(void)state;
	assert_int_equal(mkdir(path_in("d.pid"), 0755), 0);
	assert_int_equal(dctl_pidfile_open(path_in("d.pid"), 0644, &pf, NULL),
			 -EISDIR);
	assert_int_equal(dctl_pidfile_read("/dev/null", &pid, NULL), -ENXIO);
	assert_int_equal(dctl_pidfile_open("/dev/null", 0644, &pf, NULL),
			 -ENXIO);

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	assert_true(strlen(path_in("sock.pid")) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path_in("sock.pid"), strlen(path_in("sock.pid")) + 1);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(dctl_pidfile_open(path_in("sock.pid"), 0644, &pf, NULL),
			 -ENXIO);
	close(s);
	assert_null(pf);
}

/* ---------------------------------------------------- open and lock */

static void test_uncontested(void **state)
{
	struct dctl_pidfile *pf = NULL;
	char buf[64], want[32];
	struct stat st;
	pid_t pid;

	(void)state;
	/* Stale, longer content is replaced, not overwritten in place. */
	put(path_in("u.pid"), "9999999\n", 8);
	assert_int_equal(dctl_pidfile_open(path_in("u.pid"), 0600, &pf, NULL),
			 0);
	assert_string_equal(dctl_pidfile_path(pf), path_in("u.pid"));
	assert_true(dctl_pidfile_fileno(pf) > 2);
	assert_true(fcntl(dctl_pidfile_fileno(pf), F_GETFD) & FD_CLOEXEC);
	assert_int_equal(dctl_pidfile_write(pf, getpid()), 0);
	snprintf(want, sizeof(want), "%d\n", (int)getpid());
	get(path_in("u.pid"), buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(dctl_pidfile_read(path_in("u.pid"), &pid, NULL), 0);
	assert_int_equal(pid, getpid());
	assert_int_equal(dctl_pidfile_write(pf, 1), -EINVAL);
	assert_int_equal(dctl_pidfile_remove(pf), 0);
	assert_int_equal(stat(path_in("u.pid"), &st), -1);
	assert_int_equal(errno, ENOENT);
}

/* A run after another writes its PID over the last one: whatever their
 * lengths, the file holds exactly the new PID and a newline. */
static void test_rewrite(void **state)
{
	static const pid_t pids[] = { 99999, 123, 4567, 4568, 2, 4194303, 77 };
	struct dctl_pidfile *pf = NULL;
	char buf[64], want[32];
	size_t i;

	(void)state;
	assert_int_equal(dctl_pidfile_open(path_in("w.pid"), 0644, &pf, NULL),
			 0);
	for (i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		assert_int_equal(dctl_pidfile_write(pf, pids[i]), 0);
		snprintf(want, sizeof(want), "%d\n", (int)pids[i]);
		get(path_in("w.pid"), buf, sizeof(buf));
		assert_string_equal(buf, want);
	}
	assert_int_equal(dctl_pidfile_remove(pf), 0);
}

static void test_new_file_mode(void **state)
{
	struct dctl_pidfile *pf = NULL;
	struct stat st;
	mode_t old = umask(0);

	(void)state;
	assert_int_equal(dctl_pidfile_open(path_in("m.pid"), 0640, &pf, NULL),
			 0);
	umask(old);
	assert_int_equal(stat(path_in("m.pid"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(dctl_pidfile_close(pf), 0);
	/* A restrictive umask does not hide a pidfile from its readers. */
	old = umask(077);
	assert_int_equal(dctl_pidfile_open(path_in("m2.pid"), 0644, &pf, NULL),
			 0);
	umask(old);
	assert_int_equal(stat(path_in("m2.pid"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(dctl_pidfile_close(pf), 0);
	/* close keeps the file. */
	assert_int_equal(stat(path_in("m.pid"), &st), 0);
}

static void test_self_contested(void **state)
{
	struct dctl_pidfile *a = NULL, *b = NULL;
	pid_t holder = 0;

	(void)state;
	assert_int_equal(dctl_pidfile_open(path_in("self.pid"), 0644, &a,
					   NULL), 0);
	assert_int_equal(dctl_pidfile_write(a, getpid()), 0);
	assert_int_equal(dctl_pidfile_open(path_in("self.pid"), 0644, &b,
					   &holder), -EEXIST);
	assert_null(b);
	assert_int_equal(holder, getpid());
	/* The loser did not wipe the winner's PID. */
	{
		pid_t pid;

		assert_int_equal(dctl_pidfile_read(path_in("self.pid"), &pid,
						   NULL), 0);
		assert_int_equal(pid, getpid());
	}
	assert_int_equal(dctl_pidfile_remove(a), 0);
}

/* A child that locks PATH, (optionally after a delay) writes its PID,
 * tells us through the pipe, then waits to be killed. */
static pid_t locking_child(const char *path, int write_delay_ms,
			   bool write_pid, int exit_after_ms)
{
	int p[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct dctl_pidfile *pf = NULL;

		close(p[0]);
		if (dctl_pidfile_open(path, 0644, &pf, NULL) < 0)
			_exit(1);
		if (write(p[1], "l", 1) != 1)
			_exit(1);
		if (write_delay_ms)
			usleep(write_delay_ms * 1000);
		if (write_pid && dctl_pidfile_write(pf, getpid()) < 0)
			_exit(1);
		if (exit_after_ms) {
			usleep(exit_after_ms * 1000);
			_exit(0);
		}
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

static void test_contested_by_child(void **state)
{
	struct dctl_pidfile *pf = NULL;
	pid_t child, holder = 0;

	(void)state;
	child = locking_child(path_in("c.pid"), 0, true, 0);
	/* The PID may land a moment after the lock: the loser waits for it. */
	assert_int_equal(dctl_pidfile_open(path_in("c.pid"), 0644, &pf,
					   &holder), -EEXIST);
	assert_int_equal(holder, child);
	end_child(child);
	assert_int_equal(dctl_pidfile_open(path_in("c.pid"), 0644, &pf,
					   &holder), 0);
	assert_int_equal(dctl_pidfile_remove(pf), 0);
}

static void test_holder_writes_late(void **state)
{
	struct dctl_pidfile *pf = NULL;
	pid_t child, holder = 0;

	(void)state;
	child = locking_child(path_in("late.pid"), 150, true, 0);
	assert_int_equal(dctl_pidfile_open(path_in("late.pid"), 0644, &pf,
					   &holder), -EEXIST);
	assert_int_equal(holder, child);
	end_child(child);
}

static void test_transient_holder(void **state)
{
	struct dctl_pidfile *pf = NULL;
	pid_t child, holder = 0;

	(void)state;
	/* Someone holds the lock for 100 ms without writing (a stop removing
	 * a stale file, say): the start waits and then wins. */
	child = locking_child(path_in("tr.pid"), 0, false, 100);
	assert_int_equal(dctl_pidfile_open(path_in("tr.pid"), 0644, &pf,
					   &holder), 0);
	assert_int_equal(dctl_pidfile_write(pf, getpid()), 0);
	waitpid(child, NULL, 0);
	assert_int_equal(dctl_pidfile_remove(pf), 0);
}

/* A daemon that wrote its own pidfile (or closed its lock descriptor)
 * holds no lock, and is still running: a start must not run a second copy
 * beside it, nor wipe its PID. Once its file is older than the process it
 * names (a reused PID), the file is stale and taken over. */
static void test_unlocked_live_writer(void **state)
{
	struct dctl_pidfile *pf = NULL;
	struct timespec t[2];
	char want[32], buf[64];
	pid_t child, holder = 0;

	(void)state;
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		for (;;)
			pause();
	}
	snprintf(want, sizeof(want), "%d\n", (int)child);
	put(path_in("self.pid"), want, strlen(want));
	assert_int_equal(dctl_pidfile_open(path_in("self.pid"), 0644, &pf,
					   &holder), -EEXIST);
	assert_null(pf);
	assert_int_equal(holder, child);
	get(path_in("self.pid"), buf, sizeof(buf));
	assert_string_equal(buf, want);

	clock_gettime(CLOCK_REALTIME, &t[0]);
	t[0].tv_sec -= 3600;
	t[1] = t[0];
	assert_int_equal(utimensat(AT_FDCWD, path_in("self.pid"), t, 0), 0);
	assert_int_equal(dctl_pidfile_open(path_in("self.pid"), 0644, &pf,
					   &holder), 0);
	get(path_in("self.pid"), buf, sizeof(buf));
	assert_string_equal(buf, "");
	assert_int_equal(dctl_pidfile_remove(pf), 0);
	end_child(child);
}

static void test_inherited_after_parent_closes(void **state)
{
	struct dctl_pidfile *pf = NULL, *again = NULL;
	pid_t child, holder = 0;

	(void)state;
	assert_int_equal(dctl_pidfile_open(path_in("inh.pid"), 0644, &pf,
					   NULL), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		for (;;)
			pause();
	}
	assert_int_equal(dctl_pidfile_write(pf, child), 0);
	assert_int_equal(dctl_pidfile_close(pf), 0);
	/* The child's copy of the description still holds the lock. */
	assert_int_equal(dctl_pidfile_open(path_in("inh.pid"), 0644, &again,
					   &holder), -EEXIST);
	assert_int_equal(holder, child);
	end_child(child);
	assert_int_equal(dctl_pidfile_open(path_in("inh.pid"), 0644, &again,
					   NULL), 0);
	assert_int_equal(dctl_pidfile_remove(again), 0);
}

static void test_relative_path(void **state)
{
	struct dctl_pidfile *pf = NULL;
	char cwd[4096];
	pid_t pid;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(dctl_pidfile_open("rel.pid", 0644, &pf, NULL), 0);
	assert_int_equal(dctl_pidfile_write(pf, getpid()), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(dctl_pidfile_read(path_in("rel.pid"), &pid, NULL), 0);
	assert_int_equal(pid, getpid());
	assert_int_equal(dctl_pidfile_close(pf), 0);
}

static void test_remove_spares_replacement(void **state)
{
	struct dctl_pidfile *pf = NULL;
	char buf[64];

	(void)state;
	assert_int_equal(dctl_pidfile_open(path_in("r.pid"), 0644, &pf, NULL),
			 0);
	/* Someone else's file now stands at the path. */
	put(path_in("other"), "4242\n", 5);
	assert_int_equal(rename(path_in("other"), path_in("r.pid")), 0);
	assert_int_equal(dctl_pidfile_remove(pf), 0);
	get(path_in("r.pid"), buf, sizeof(buf));
	assert_string_equal(buf, "4242\n");
}

static void test_remove_stale(void **state)
{
	char buf[64];
	pid_t child;

	(void)state;
	put(path_in("stale.pid"), "4242\n", 5);
	/* Names another PID now: a new instance's file is kept. */
	assert_int_equal(dctl_pidfile_remove_stale(path_in("stale.pid"), 4243),
			 -EBUSY);
	get(path_in("stale.pid"), buf, sizeof(buf));
	assert_string_equal(buf, "4242\n");
	assert_int_equal(dctl_pidfile_remove_stale(path_in("stale.pid"), 4242), 0);
	assert_int_equal(access(path_in("stale.pid"), F_OK), -1);
	assert_int_equal(dctl_pidfile_remove_stale(path_in("stale.pid"), 4242),
			 -ENOENT);
	assert_int_equal(dctl_pidfile_remove_stale(path_in("stale.pid"), 1),
			 -EINVAL);

	/* Locked by a live holder: never removed. */
	child = locking_child(path_in("held.pid"), 0, true, 0);
	assert_int_equal(dctl_pidfile_remove_stale(path_in("held.pid"), child),
			 -EBUSY);
	assert_int_equal(access(path_in("held.pid"), F_OK), 0);
	end_child(child);
}

static void test_bad_arguments(void **state)
{
	struct dctl_pidfile *pf = NULL;
	pid_t pid;

	(void)state;
	assert_int_equal(dctl_pidfile_open(NULL, 0644, &pf, NULL), -EINVAL);
	assert_int_equal(dctl_pidfile_open("", 0644, &pf, NULL), -EINVAL);
	assert_int_equal(dctl_pidfile_read(NULL, &pid, NULL), -EINVAL);
	assert_int_equal(dctl_pidfile_open(path_in("no/such/dir.pid"), 0644,
					   &pf, NULL), -ENOENT);
	assert_int_equal(dctl_pidfile_close(NULL), 0);
	assert_int_equal(dctl_pidfile_remove(NULL), 0);
	assert_int_equal(dctl_pidfile_fileno(NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_size_limit),
		cmocka_unit_test(test_fault_strings),
		cmocka_unit_test(test_read_hostile_in_pidns),
		cmocka_unit_test(test_read_big_file),
		cmocka_unit_test(test_read_missing),
		cmocka_unit_test(test_refuse_symlink),
		cmocka_unit_test(test_refuse_fifo),
		cmocka_unit_test(test_refuse_dir_device_socket),
		cmocka_unit_test(test_uncontested),
		cmocka_unit_test(test_rewrite),
		cmocka_unit_test(test_new_file_mode),
		cmocka_unit_test(test_self_contested),
		cmocka_unit_test(test_contested_by_child),
		cmocka_unit_test(test_holder_writes_late),
		cmocka_unit_test(test_transient_holder),
		cmocka_unit_test(test_unlocked_live_writer),
		cmocka_unit_test(test_inherited_after_parent_closes),
		cmocka_unit_test(test_relative_path),
		cmocka_unit_test(test_remove_spares_replacement),
		cmocka_unit_test(test_remove_stale),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
