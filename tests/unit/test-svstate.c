/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The supervisor's state record: its exact bytes, the strict reader, the
 * atomic replacement, hostile files at its paths, and the words status
 * prints from it. */
#include <fcntl.h>
#include <sys/stat.h>

#include "unit.h"

#include "proc.h"
#include "supervise.h"
#include "util.h"

#define S 1000000000LL

static const struct svstate restarting = {
	.state = SVSTATE_RESTARTING,
	.supervisor = 812,
	.supervisor_ticks = 4711,
	.pid = 0,
	.restarts = 3,
	.last = { SV_EXIT_CODE, 1 },
	.next_ns = 1234567890123LL,
	.limit_n = 5,
	.limit_window_ns = 60 * S,
};

static const char restarting_text[] =
	"daemonctl-state 1\n"
	"state restarting\n"
	"supervisor 812 4711\n"
	"pid 0\n"
	"restarts 3\n"
	"last exit 1\n"
	"next 1234567890123\n"
	"limit 5 60000000000\n";

static void assert_same(const struct svstate *a, const struct svstate *b)
{
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->supervisor, b->supervisor);
	assert_true(a->supervisor_ticks == b->supervisor_ticks);
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->restarts, b->restarts);
	assert_int_equal(a->last.kind, b->last.kind);
	assert_int_equal(a->last.value, b->last.value);
	assert_true(a->next_ns == b->next_ns);
	assert_int_equal(a->limit_n, b->limit_n);
	assert_true(a->limit_window_ns == b->limit_window_ns);
}

static void test_format_bytes(void **state)
{
	char buf[SVSTATE_MAX];
	int n;

	(void)state;
	n = svstate_format(&restarting, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(restarting_text));
	assert_string_equal(buf, restarting_text);
}

static void test_round_trip(void **state)
{
	struct svstate in = restarting, out;
	const enum svstate_kind kinds[] = { SVSTATE_RUNNING,
		SVSTATE_RESTARTING, SVSTATE_STOPPING, SVSTATE_FAILED };
	const struct sv_exit lasts[] = { { SV_EXIT_NONE, 0 },
		{ SV_EXIT_CODE, 255 }, { SV_EXIT_SIGNAL, SIGSEGV },
		{ SV_EXIT_LAUNCH, ENOENT } };
	char buf[SVSTATE_MAX];
	size_t i, j;
	int n;

	(void)state;
	/* Clock ticks since boot: LLONG_MAX is beyond any uptime. */
	in.supervisor_ticks = 9223372036854775807ULL;
	in.pid = 4194304;
	for (i = 0; i < 4; i++) {
		for (j = 0; j < 4; j++) {
			in.state = kinds[i];
			in.last = lasts[j];
			n = svstate_format(&in, buf, sizeof(buf));
			assert_true(n > 0 && (size_t)n < sizeof(buf));
			memset(&out, 0x55, sizeof(out));
			assert_int_equal(svstate_parse(buf, (size_t)n, &out), 0);
			assert_same(&in, &out);
		}
	}
}

static int parse_text(const char *text)
{
	struct svstate s;

	return svstate_parse(text, strlen(text), &s);
}

/* Replace the first occurrence of `from` in the good record by `to`. */
static int parse_edited(const char *from, const char *to)
{
	char buf[2 * SVSTATE_MAX];
	const char *at = strstr(restarting_text, from);

	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - restarting_text),
		 restarting_text, to, at + strlen(from));
	return parse_text(buf);
}

static void test_parse_refused(void **state)
{
	const struct {
		const char *from, *to;
	} edits[] = {
		{ "daemonctl-state 1\n", "" },
		{ "daemonctl-state 1", "daemonctl-state 2" },
		{ "daemonctl-state 1", "Daemonctl-state 1" },
		{ "state restarting", "state sleeping" },
		{ "state restarting", "state" },
		{ "state restarting\n", "" },
		{ "supervisor 812 4711", "supervisor 812" },
		{ "supervisor 812 4711", "supervisor 1 4711" },
		{ "supervisor 812 4711", "supervisor 0 4711" },
		{ "supervisor 812 4711", "supervisor -812 4711" },
		{ "supervisor 812 4711", "supervisor 812  4711" },
		{ "supervisor 812 4711", "supervisor 812 4711 9" },
		{ "supervisor 812 4711", "supervisor 99999999999 4711" },
		{ "supervisor 812 4711", "supervisor 812 99999999999999999999999" },
		{ "supervisor 812 4711\n", "" },
		{ "pid 0", "pid 1" },
		{ "pid 0", "pid +5" },
		{ "pid 0", "pid 5x" },
		{ "pid 0", "pid " },
		{ "pid 0\n", "" },
		{ "restarts 3", "restarts -3" },
		{ "restarts 3", "restarts 4294967296" },
		{ "restarts 3\n", "" },
		{ "last exit 1", "last exit" },
		{ "last exit 1", "last died 1" },
		{ "last exit 1", "last none 1" },
		{ "last exit 1", "last exit -1" },
		{ "last exit 1\n", "" },
		{ "next 1234567890123", "next -1" },
		{ "next 1234567890123", "next 99999999999999999999" },
		{ "limit 5 60000000000", "limit 5" },
		{ "limit 5 60000000000", "limit 1001 60000000000" },
		{ "limit 5 60000000000\n", "limit 5 60000000000" },
		{ "pid 0\n", "pid 0\n\n" },
		{ "pid 0\n", "pid 0\nnokeyvalue\n" },
	};
	char big[2 * SVSTATE_MAX];
	struct svstate s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++)
		if (parse_edited(edits[i].from, edits[i].to) != -EBADMSG)
			fail_msg("accepted with '%s' -> '%s'", edits[i].from,
				 edits[i].to);
	assert_int_equal(parse_text(""), -EBADMSG);
	/* A NUL inside. */
	memcpy(big, restarting_text, sizeof(restarting_text));
	big[20] = '\0';
	assert_int_equal(svstate_parse(big, strlen(restarting_text), &s),
			 -EBADMSG);
	/* Too long, though well-formed: padded with a comment-like key. */
	snprintf(big, sizeof(big), "%sx %0*d\n", restarting_text,
		 SVSTATE_MAX, 0);
	assert_int_equal(parse_text(big), -EBADMSG);
}

/* A later version's keys are skipped; the known ones must still parse. */
static void test_unknown_keys(void **state)
{
	struct svstate s;
	char buf[SVSTATE_MAX];

	(void)state;
	snprintf(buf, sizeof(buf), "%s%s", restarting_text,
		 "cgroup /sys/fs/cgroup/web\nready 1\n");
	assert_int_equal(svstate_parse(buf, strlen(buf), &s), 0);
	assert_same(&s, &restarting);
	/* Optional keys may be missing. */
	assert_int_equal(parse_edited("next 1234567890123\n", ""), 0);
	assert_int_equal(parse_edited("limit 5 60000000000\n", ""), 0);
}

struct dir {
	char *root;
	char path[256];
	char newpath[300];
};

static int dir_setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	if (!d || !(d->root = unit_tmpdir()))
		return -1;
	snprintf(d->path, sizeof(d->path), "%s/web.pid.state", d->root);
	snprintf(d->newpath, sizeof(d->newpath), "%s.new", d->path);
	*state = d;
	return 0;
}

static int dir_teardown(void **state)
{
	struct dir *d = *state;

	unit_rmtree(d->root);
	free(d);
	return 0;
}

static void read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, size - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
}

static void test_path(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(svstate_path("/run/web.pid", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/run/web.pid.state");
	assert_int_equal(svstate_path("/run/web.pid", buf, 18), -ENAMETOOLONG);
	assert_int_equal(svstate_path("/run/web.pid", buf, 19), 0);
}

static void test_write_read(void **state)
{
	struct dir *d = *state;
	struct svstate s = restarting, back;
	struct stat st1, st2;
	char buf[SVSTATE_MAX + 1];
	uid_t owner = (uid_t)-2;
	mode_t mask = umask(022);

	umask(mask);

	assert_int_equal(svstate_read(d->path, &back, NULL), -ENOENT);
	assert_int_equal(svstate_write(d->path, &s), 0);
	read_file(d->path, buf, sizeof(buf));
	assert_string_equal(buf, restarting_text);
	assert_int_equal(access(d->newpath, F_OK), -1);
	assert_int_equal(stat(d->path, &st1), 0);
	assert_int_equal(st1.st_mode & 07777, 0644 & ~mask);

	/* Each event replaces the file: a new inode, never an edit. */
	s.state = SVSTATE_RUNNING;
	s.pid = 9000;
	s.restarts = 4;
	assert_int_equal(svstate_write(d->path, &s), 0);
	assert_int_equal(stat(d->path, &st2), 0);
	assert_true(st1.st_ino != st2.st_ino);
	assert_int_equal(svstate_read(d->path, &back, &owner), 0);
	assert_same(&s, &back);
	assert_int_equal(owner, getuid());

	assert_int_equal(svstate_remove(d->path), 0);
	assert_int_equal(access(d->path, F_OK), -1);
	assert_int_equal(svstate_remove(d->path), 0);
}

/* A leftover or planted PATH.new never redirects the write. */
static void test_write_hostile_new(void **state)
{
	struct dir *d = *state;
	char target[300], buf[64];
	struct svstate back;
	int fd;

	snprintf(target, sizeof(target), "%s/victim", d->root);
	fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "precious\n", 9), 9);
	close(fd);

	assert_int_equal(symlink(target, d->newpath), 0);
	assert_int_equal(svstate_write(d->path, &restarting), 0);
	read_file(target, buf, sizeof(buf));
	assert_string_equal(buf, "precious\n");
	assert_int_equal(svstate_read(d->path, &back, NULL), 0);

	/* A hard link to the victim at PATH.new: unlinked, not written. */
	assert_int_equal(link(target, d->newpath), 0);
	assert_int_equal(svstate_write(d->path, &restarting), 0);
	read_file(target, buf, sizeof(buf));
	assert_string_equal(buf, "precious\n");
}

static void test_read_hostile(void **state)
{
	struct dir *d = *state;
	struct svstate s;
	char target[300];
	int fd;

	/* A FIFO: refused at once, nothing blocks. */
	assert_int_equal(mkfifo(d->path, 0644), 0);
	assert_int_equal(svstate_read(d->path, &s, NULL), -ENXIO);
	unlink(d->path);

	/* A symlink to a good record: not followed. */
	snprintf(target, sizeof(target), "%s/elsewhere", d->root);
	assert_int_equal(svstate_write(target, &restarting), 0);
	assert_int_equal(symlink(target, d->path), 0);
	assert_int_equal(svstate_read(d->path, &s, NULL), -ELOOP);
	unlink(d->path);

	/* A directory. */
	assert_int_equal(mkdir(d->path, 0755), 0);
	assert_int_equal(svstate_read(d->path, &s, NULL), -EISDIR);
	assert_true(svstate_write(d->path, &restarting) < 0);
	rmdir(d->path);

	/* A huge file with a good record at its start. */
	fd = open(d->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, restarting_text, strlen(restarting_text)),
			 (ssize_t)strlen(restarting_text));
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	close(fd);
	assert_int_equal(svstate_read(d->path, &s, NULL), -EBADMSG);
}

/*
 * A reader racing a writer that replaces the record as fast as it can
 * sees one whole record every time, never a torn or empty one.
 */
static void test_no_torn_reads(void **state)
{
	struct dir *d = *state;
	struct svstate s = restarting, back;
	int i, bad = 0, status;
	pid_t writer;

	assert_int_equal(svstate_write(d->path, &s), 0);
	writer = fork();
	assert_true(writer >= 0);
	if (writer == 0) {
		alarm(30);
		for (i = 0; i < 20000; i++) {
			s.restarts = (unsigned)i;
			s.state = i % 2 ? SVSTATE_RUNNING : SVSTATE_RESTARTING;
			s.pid = i % 2 ? 1000 + i : 0;
			if (svstate_write(d->path, &s) < 0)
				_exit(1);
		}
		_exit(0);
	}
	for (i = 0; i < 20000; i++) {
		if (svstate_read(d->path, &back, NULL) != 0) {
			bad++;
			continue;
		}
		/* And the fields of one record belong together. */
		if ((back.state == SVSTATE_RUNNING) !=
		    (back.pid == (pid_t)(1000 + back.restarts)))
			bad++;
	}
	assert_int_equal(waitpid(writer, &status, 0), writer);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(bad, 0);
}

static void test_describe(void **state)
{
	struct svstate s = restarting;
	char buf[256];

	(void)state;
	svstate_describe(&s, s.next_ns - 400000000LL, buf, sizeof(buf));
	assert_string_equal(buf, "last: exit 1, next try in 0.4s, 3 restarts");
	/* Overdue: never a negative time. */
	svstate_describe(&s, s.next_ns + S, buf, sizeof(buf));
	assert_string_equal(buf, "last: exit 1, next try in 0.0s, 3 restarts");
	s.restarts = 1;
	s.last = (struct sv_exit){ SV_EXIT_SIGNAL, SIGSEGV };
	svstate_describe(&s, s.next_ns - 25 * S, buf, sizeof(buf));
	assert_string_equal(buf,
			    "last: signal SEGV, next try in 25s, 1 restart");
	svstate_describe(&s, s.next_ns - 125 * S, buf, sizeof(buf));
	assert_string_equal(buf,
			    "last: signal SEGV, next try in 2m 5s, 1 restart");

	s = restarting;
	s.state = SVSTATE_FAILED;
	svstate_describe(&s, 0, buf, sizeof(buf));
	assert_string_equal(buf,
			    "gave up after 5 restarts in 60 s; last: exit 1");
	s.limit_n = 1;
	s.limit_window_ns = S / 2;
	s.last = (struct sv_exit){ SV_EXIT_LAUNCH, ENOENT };
	svstate_describe(&s, 0, buf, sizeof(buf));
	assert_string_equal(buf, "gave up after 1 restart in 0.5 s; "
				 "last: start failed: No such file or directory");
	s.limit_window_ns = 2250 * 1000000LL;
	svstate_describe(&s, 0, buf, sizeof(buf));
	assert_non_null(strstr(buf, " in 2.25 s;"));

	s = restarting;
	s.state = SVSTATE_RUNNING;
	svstate_describe(&s, 0, buf, sizeof(buf));
	assert_string_equal(buf, ", 3 restarts");
	s.restarts = 0;
	svstate_describe(&s, 0, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

/* The supervisor's identity is its PID and its start time together. */
static void test_supervisor_alive(void **state)
{
	struct svstate s = restarting;
	struct proc_stat ps;
	pid_t child;

	(void)state;
	assert_int_equal(proc_read_stat(getpid(), &ps), 0);
	s.supervisor = getpid();
	s.supervisor_ticks = ps.start_ticks;
	assert_int_equal(svstate_supervisor_alive(&s), 1);
	/* The same PID with another start time: a reused PID. */
	s.supervisor_ticks = ps.start_ticks + 1;
	assert_int_equal(svstate_supervisor_alive(&s), 0);
	/* A PID that names nothing. */
	s.supervisor = reaped_pid();
	assert_int_equal(svstate_supervisor_alive(&s), 0);
	/* A zombie: the supervisor has exited, nobody reaped it yet. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitid(P_PID, (id_t)child, &(siginfo_t){ 0 },
				WEXITED | WNOWAIT), 0);
	assert_int_equal(proc_read_stat(child, &ps), 0);
	s.supervisor = child;
	s.supervisor_ticks = ps.start_ticks;
	assert_int_equal(svstate_supervisor_alive(&s), 0);
	assert_int_equal(waitpid(child, NULL, 0), child);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_bytes),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_path),
		cmocka_unit_test_setup_teardown(test_write_read, dir_setup,
						dir_teardown),
		cmocka_unit_test_setup_teardown(test_write_hostile_new,
						dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_read_hostile, dir_setup,
						dir_teardown),
		cmocka_unit_test_setup_teardown(test_no_torn_reads, dir_setup,
						dir_teardown),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_supervisor_alive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
