/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The probe against real files, locks and processes: every state, the
 * reasons, the lock read from /proc/locks without ever being taken, the
 * trust rules for root, many pidfiles at once, and matching.
 *
 * The probe never signals, so hostile PIDs in pidfiles are only read
 * about here. Every child we fork dies with us and is ended by its PID.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit.h"

#include "daemonctl.h"
#include "probe.h"
#include "proc.h"
#include "status.h"
#include "util.h"

#define UUID_A "0f8c3b9e-5d1a-4c6e-9b2f-7a1d3e4c5b6a"
#define UUID_B "11111111-2222-4333-8444-555555555555"
#define NOBODY 65534

static char dir[64];

static const char *at(const char *name)
{
	static char path[4][256];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	return p;
}

static void write_bytes(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(util_write_all(fd, buf, len), 0);
	close(fd);
}

static void write_pid(const char *path, pid_t pid)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	write_bytes(path, buf, strlen(buf));
}

static void age_file(const char *path, time_t seconds)
{
	struct timespec t[2];

	clock_gettime(CLOCK_REALTIME, &t[0]);
	t[0].tv_sec -= seconds;
	t[1] = t[0];
	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

/*
 * The strings of records kept by value below: owned here, and freed when
 * the test case ends, so that a case may probe into the same record again
 * and again, and a child it forks finds nothing leaked.
 */
static char **kept;
static size_t n_kept, room_kept;

static void keep(char *s)
{
	if (!s)
		return;
	if (n_kept == room_kept) {
		room_kept = room_kept ? 2 * room_kept : 256;
		kept = realloc(kept, room_kept * sizeof(*kept));
		assert_non_null(kept);
	}
	kept[n_kept++] = s;
}

static int free_kept(void **unused)
{
	while (n_kept > 0)
		free(kept[--n_kept]);
	return 0;
}

/* dctl_probe() through the public call, the record kept by value so that
 * the assertions read its fields. */
static int probe_into(const char *path, unsigned flags, struct dctl_status *st)
{
	struct dctl_status *rec;
	int r;

	r = dctl_probe(path, flags, &rec);
	if (r < 0)
		return r;
	*st = *rec;
	keep(st->exe);
	keep(st->reason);
	free(rec);
	return 0;
}

static void probe_ok(const char *path, unsigned flags, struct dctl_status *st)
{
	assert_int_equal(probe_into(path, flags, st), 0);
}

/* dctl_probe_many() into n records by value, as probe_into(). */
static int probe_many_into(const char *const *paths, size_t n, unsigned flags,
			   struct dctl_status *st)
{
	struct dctl_status_list *l;
	struct dctl_status *rec;
	size_t i;
	int r;

	r = dctl_probe_many(paths, n, flags, &l);
	if (r < 0)
		return r;
	assert_int_equal(dctl_status_list_count(l), n);
	for (i = 0; i < n; i++) {
		rec = dctl_status_list_get(l, i);
		st[i] = *rec;
		st[i].in_list = false;
		/* The strings move to st[i]. */
		keep(rec->exe);
		keep(rec->reason);
		rec->exe = NULL;
		rec->reason = NULL;
	}
	dctl_status_list_free(l);
	return 0;
}

static void wait_ready(int fd)
{
	char c;

	assert_int_equal(read(fd, &c, 1), 1);
	close(fd);
}

static void tell_ready(int fd)
{
	char c = 'r';

	if (write(fd, &c, 1) != 1)
		_exit(2);
	close(fd);
}

static pid_t paused_child(void)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		tell_ready(p[1]);
		for (;;)
			pause();
	}
	close(p[1]);
	wait_ready(p[0]);
	return pid;
}

enum holder_writes {
	WRITE_OWN_PID,
	WRITE_NOTHING,
	WRITE_GIVEN_PID,
};

/*
 * A child that creates, flocks and fills a pidfile at path, or with
 * count > 1, the count pidfiles path-0.pid, path-1.pid, ..., then waits.
 */
static pid_t lock_holder(const char *base, int count,
			 enum holder_writes what, pid_t given)
{
	struct rlimit rl;
	char path[256];
	int p[2], i, fd;
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid != 0) {
		close(p[1]);
		wait_ready(p[0]);
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (i = 0; i < count; i++) {
		if (count == 1)
			snprintf(path, sizeof(path), "%s", base);
		else
			snprintf(path, sizeof(path), "%s-%d.pid", base, i);
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
			_exit(3);
		if (what == WRITE_OWN_PID)
			dprintf(fd, "%d\n", (int)getpid());
		else if (what == WRITE_GIVEN_PID)
			dprintf(fd, "%d\n", (int)given);
	}
	tell_ready(p[1]);
	for (;;)
		pause();
}

static int setup(void **unused)
{
	snprintf(dir, sizeof(dir), "/tmp/test-probe.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	return 0;
}

static int teardown(void **unused)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------ the tests */

static void test_no_file(void **unused)
{
	struct dctl_status st = { 0 };

	probe_ok(at("absent.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_NOT_RUNNING);
	assert_int_equal(st.error, 0);
	assert_int_equal(st.pid, 0);
	assert_false(st.locked);
	assert_true(st.trusted);
	assert_null(st.reason);
	probe_ok(at("no/such/dir.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_NOT_RUNNING);
}

static void test_malformed(void **unused)
{
	static const struct {
		const char *bytes;
		size_t len;
		enum dctl_pid_fault fault;
	} table[] = {
		{ "-1\n", 3, DCTL_PID_NOT_NUMBER },
		{ "0\n", 2, DCTL_PID_ZERO_OR_ONE },
		{ "1", 1, DCTL_PID_ZERO_OR_ONE },
		{ "99999999999\n", 12, DCTL_PID_OUT_OF_RANGE },
		{ "12abc\n", 6, DCTL_PID_TRAILING },
		{ "", 0, DCTL_PID_EMPTY },
		{ "\n", 1, DCTL_PID_NOT_NUMBER },
		{ "12\0\n", 4, DCTL_PID_NUL },
		{ "12\n\n", 4, DCTL_PID_TRAILING },
		{ " 12\n", 4, DCTL_PID_NOT_NUMBER },
		{ "+12\n", 4, DCTL_PID_NOT_NUMBER },
	};
	char big[65], reason[160];
	struct dctl_status st = { 0 };
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		write_bytes(at("bad.pid"), table[i].bytes, table[i].len);
		probe_ok(at("bad.pid"), DCTL_PROBE_DETAILS, &st);
		assert_int_equal(st.state, DCTL_STATE_UNKNOWN);
		assert_int_equal(st.error, -EBADMSG);
		assert_int_equal(st.fault, table[i].fault);
		assert_int_equal(st.pid, 0);
		assert_false(st.locked);
		snprintf(reason, sizeof(reason), "malformed pidfile: %s",
			 dctl_pid_fault_str(table[i].fault));
		assert_string_equal(st.reason, reason);
		assert_string_equal(dctl_state_str(st.state), "unknown");
	}

	/* 64 bytes is the most a pidfile may hold; 65 is too many. */
	memset(big, '0', sizeof(big));
	snprintf(big + 50, 15, "%013d\n", (int)getpid());
	write_bytes(at("big.pid"), big, 64);
	probe_ok(at("big.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_RUNNING);
	assert_int_equal(st.pid, getpid());
	memset(big, '0', sizeof(big));
	snprintf(big + 51, 14, "%012d\n", (int)getpid());
	write_bytes(at("big.pid"), big, 65);
	probe_ok(at("big.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_UNKNOWN);
	assert_int_equal(st.fault, DCTL_PID_TOO_LARGE);
	assert_string_equal(st.reason, "malformed pidfile: file larger than 64 bytes");
}

static void test_symlink(void **unused)
{
	struct dctl_status st = { 0 };

	write_pid(at("real.pid"), getpid());
	assert_int_equal(symlink(at("real.pid"), at("link.pid")), 0);
	probe_ok(at("link.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_UNKNOWN);
	assert_int_equal(st.error, -ELOOP);
	assert_int_equal(st.pid, 0);
	assert_string_equal(st.reason, "symbolic link refused");

	/* A dangling one is refused too, not taken for "no file". */
	assert_int_equal(symlink(at("nowhere"), at("dangling.pid")), 0);
	probe_ok(at("dangling.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_UNKNOWN);
	assert_string_equal(st.reason, "symbolic link refused");
}

static void test_fifo_socket_dir(void **unused)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct dctl_status st = { 0 };
	long long t0;
	int s;

	assert_int_equal(mkfifo(at("fifo.pid"), 0644), 0);
	t0 = util_now_ms();
	probe_ok(at("fifo.pid"), 0, &st);
	/* Opening a FIFO for reading would wait for a writer: the probe
	 * must not. The bound only tells a hang from a slow machine. */
	assert_true(util_now_ms() - t0 < 10000);
	assert_int_equal(st.state, DCTL_STATE_UNKNOWN);
	assert_int_equal(st.error, -ENXIO);
	assert_string_equal(st.reason, "not a regular file (FIFO)");

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", at("sock.pid"));
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	probe_ok(at("sock.pid"), 0, &st);
	close(s);
	assert_int_equal(st.state, DCTL_STATE_UNKNOWN);
	assert_string_equal(st.reason, "not a regular file (socket)");

	probe_ok("/dev/null", 0, &st);
	assert_int_equal(st.state, DCTL_STATE_UNKNOWN);
	assert_string_equal(st.reason, "not a regular file (character device)");

	assert_int_equal(mkdir(at("dir.pid"), 0755), 0);
	probe_ok(at("dir.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_UNKNOWN);
	assert_int_equal(st.error, -EISDIR);
	assert_string_equal(st.reason, "is a directory");
}

static void test_locked_live(void **unused)
{
	struct dctl_status st = { 0 };
	struct stat sb, running;
	char exe[64];
	pid_t pid;

	pid = lock_holder(at("locked.pid"), 1, WRITE_OWN_PID, 0);
	probe_ok(at("locked.pid"), DCTL_PROBE_DETAILS, &st);
	assert_int_equal(st.state, DCTL_STATE_RUNNING);
	assert_int_equal(st.pid, pid);
	assert_true(st.locked);
	assert_false(st.zombie);
	assert_int_equal(st.error, 0);
	assert_null(st.reason);
	assert_true(llabs((long long)(time(NULL) - st.started)) <= 2);
	assert_true(st.start_ticks > 0);
	assert_int_equal(stat(at("locked.pid"), &sb), 0);
	assert_int_equal(st.dev, sb.st_dev);
	assert_int_equal(st.ino, sb.st_ino);
	assert_int_equal(st.mtime.tv_sec, sb.st_mtim.tv_sec);
	assert_int_equal(st.mtime.tv_nsec, sb.st_mtim.tv_nsec);
	/* Details: the path names the very file the child runs. */
	assert_int_equal(st.uid, getuid());
	assert_true(st.exe && st.exe[0] == '/');
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	assert_int_equal(stat(exe, &running), 0);
	assert_int_equal(stat(st.exe, &sb), 0);
	assert_int_equal(sb.st_dev, running.st_dev);
	assert_int_equal(sb.st_ino, running.st_ino);

	/* Without DETAILS the details stay unknown. */
	probe_ok(at("locked.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_RUNNING);
	assert_int_equal(st.uid, (uid_t)-1);
	assert_null(st.exe);
	assert_string_equal(st.instance, "");

	/* A locked file is live whatever its mtime says. */
	age_file(at("locked.pid"), 3600);
	probe_ok(at("locked.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_RUNNING);
	assert_true(st.locked);

	end_child(pid);
	probe_ok(at("locked.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_DEAD);
	assert_false(st.locked);
}

static void test_unlocked_self_written(void **unused)
{
	struct dctl_status st = { 0 };

	write_pid(at("self.pid"), getpid());
	probe_ok(at("self.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_RUNNING);
	assert_int_equal(st.pid, getpid());
	assert_false(st.locked);
	assert_string_equal(dctl_state_str(st.state), "running");
}

static void test_stale(void **unused)
{
	struct dctl_status st = { 0 };
	char reason[160];
	pid_t pid = reaped_pid();

	write_pid(at("stale.pid"), pid);
	probe_ok(at("stale.pid"), DCTL_PROBE_DETAILS, &st);
	assert_int_equal(st.state, DCTL_STATE_DEAD);
	assert_int_equal(st.pid, pid);
	assert_int_equal(st.error, 0);
	assert_false(st.locked);
	assert_false(st.zombie);
	assert_int_equal(st.started, 0);
	assert_null(st.exe);
	snprintf(reason, sizeof(reason), "process %d not running", (int)pid);
	assert_string_equal(st.reason, reason);
	assert_string_equal(dctl_state_str(st.state), "dead");
}

static void test_zombie(void **unused)
{
	struct dctl_status st = { 0 };
	struct proc_stat ps;
	char reason[160];
	pid_t pid;
	int i;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	for (i = 0; i < 2000; i++) {
		if (proc_read_stat(pid, &ps) == 0 && ps.state == 'Z')
			break;
		usleep(1000);
	}
	write_pid(at("zombie.pid"), pid);
	probe_ok(at("zombie.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_DEAD);
	assert_true(st.zombie);
	snprintf(reason, sizeof(reason), "process %d is a zombie", (int)pid);
	assert_string_equal(st.reason, reason);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

static void test_pid_reused(void **unused)
{
	struct dctl_status st = { 0 };
	char reason[160];
	pid_t pid = paused_child();

	write_pid(at("reused.pid"), pid);
	probe_ok(at("reused.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_RUNNING);

	/* Written an hour before the process it names was born. */
	age_file(at("reused.pid"), 3600);
	probe_ok(at("reused.pid"), DCTL_PROBE_DETAILS, &st);
	assert_int_equal(st.state, DCTL_STATE_DEAD);
	assert_int_equal(st.pid, pid);
	assert_false(st.zombie);
	snprintf(reason, sizeof(reason), "process %d started after the "
		 "pidfile was written (PID reused)", (int)pid);
	assert_string_equal(st.reason, reason);
	assert_null(st.exe);
	end_child(pid);
}

/*
 * The lock is held, but by a process other than the one named (a worker
 * that inherited the descriptor after the daemon died), and the named PID
 * belongs to a process born after the file was written: it is not the
 * daemon, lock or no lock.
 */
static void test_locked_pid_reused(void **unused)
{
	struct dctl_status st = { 0 };
	char reason[160];
	pid_t stranger = paused_child();
	pid_t holder = lock_holder(at("lreused.pid"), 1, WRITE_GIVEN_PID,
				   stranger);

	age_file(at("lreused.pid"), 3600);
	probe_ok(at("lreused.pid"), 0, &st);
	/* Not stale either: whoever holds the lock is named, the stranger
	 * is not taken for the daemon. */
	assert_int_equal(st.state, DCTL_STATE_UNKNOWN);
	assert_int_equal(st.error, -EBUSY);
	assert_int_equal(st.pid, stranger);
	assert_true(st.locked);
	assert_int_equal(st.n_holders, 1);
	assert_int_equal(st.holders[0], holder);
	snprintf(reason, sizeof(reason),
		 "locked by process %d, but process %d does not hold it",
		 (int)holder, (int)stranger);
	assert_string_equal(st.reason, reason);
	end_child(holder);
	end_child(stranger);
}

/*
 * The named process holds the lock itself: running even if the clock says
 * it started after the file was written (a clock set after boot, as on
 * boards without a real-time clock).
 */
static void test_locked_by_named_clock_skew(void **unused)
{
	struct dctl_status st = { 0 };
	pid_t holder = lock_holder(at("skew.pid"), 1, WRITE_OWN_PID, 0);

	age_file(at("skew.pid"), 3600);
	probe_ok(at("skew.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_RUNNING);
	assert_int_equal(st.pid, holder);
	assert_true(st.locked);
	end_child(holder);
}

/* Probe path both ways: the verdict, PID and reason must agree. */
static void same_verdict(const char *path, struct dctl_status *quick)
{
	struct dctl_status full = { 0 };

	probe_ok(path, 0, &full);
	probe_ok(path, DCTL_PROBE_LOCK_IF_NEEDED, quick);
	assert_int_equal(quick->state, full.state);
	assert_int_equal(quick->pid, full.pid);
	assert_int_equal(quick->error, full.error);
	assert_int_equal(quick->started, full.started);
	if (full.reason)
		assert_string_equal(quick->reason, full.reason);
	else
		assert_null(quick->reason);
	assert_int_equal(dctl_status_get_locked(&full), full.locked);
}

/*
 * Leaving the lock unread changes no verdict: it is skipped only for a
 * live process older than its file, and read wherever the verdict rests
 * on it (a named holder whose clock says it is younger, a reused PID, a
 * dead one, a file locked by someone the file does not name).
 */
static void test_lock_if_needed(void **unused)
{
	struct dctl_status st = { 0 };
	pid_t holder, stranger, lholder, gone = reaped_pid();

	holder = lock_holder(at("quick.pid"), 1, WRITE_OWN_PID, 0);
	same_verdict(at("quick.pid"), &st);
	assert_int_equal(st.state, DCTL_STATE_RUNNING);
	assert_int_equal(dctl_status_get_locked(&st), -ENODATA);
	assert_true(st.start_ticks > 0);

	/* Younger than its file by the clock: only the lock says running. */
	age_file(at("quick.pid"), 3600);
	same_verdict(at("quick.pid"), &st);
	assert_int_equal(st.state, DCTL_STATE_RUNNING);
	assert_int_equal(dctl_status_get_locked(&st), 1);

	stranger = paused_child();
	write_pid(at("quick-reused.pid"), stranger);
	age_file(at("quick-reused.pid"), 3600);
	same_verdict(at("quick-reused.pid"), &st);
	assert_int_equal(st.state, DCTL_STATE_DEAD);
	assert_int_equal(dctl_status_get_locked(&st), 0);

	lholder = lock_holder(at("quick-other.pid"), 1, WRITE_GIVEN_PID,
			      stranger);
	age_file(at("quick-other.pid"), 3600);
	same_verdict(at("quick-other.pid"), &st);
	assert_int_equal(st.error, -EBUSY);
	assert_int_equal(dctl_status_get_locked(&st), 1);

	write_pid(at("quick-gone.pid"), gone);
	same_verdict(at("quick-gone.pid"), &st);
	assert_int_equal(st.state, DCTL_STATE_DEAD);

	assert_int_equal(dctl_status_get_locked(NULL), -EINVAL);
	end_child(lholder);
	end_child(stranger);
	end_child(holder);
}

static void test_locked_doubt(void **unused)
{
	struct dctl_status st = { 0 };
	char reason[160];
	pid_t holder, gone;

	/* Locked and never written: after the wait for a start to write,
	 * the holder is named. */
	holder = lock_holder(at("empty.pid"), 1, WRITE_NOTHING, 0);
	probe_ok(at("empty.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_UNKNOWN);
	assert_int_equal(st.error, -EBUSY);
	assert_true(st.locked);
	assert_int_equal(st.pid, 0);
	snprintf(reason, sizeof(reason),
		 "locked by process %d, but no PID is written in it",
		 (int)holder);
	assert_string_equal(st.reason, reason);
	end_child(holder);
	/* Unlocked and empty: plainly malformed. */
	probe_ok(at("empty.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_UNKNOWN);
	assert_int_equal(st.error, -EBADMSG);
	assert_int_equal(st.fault, DCTL_PID_EMPTY);

	/* A lock held by someone other than the dead process named. */
	gone = reaped_pid();
	holder = lock_holder(at("orphan.pid"), 1, WRITE_GIVEN_PID, gone);
	probe_ok(at("orphan.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_UNKNOWN);
	assert_int_equal(st.error, -EBUSY);
	assert_int_equal(st.pid, gone);
	snprintf(reason, sizeof(reason),
		 "locked by process %d, but process %d is not running",
		 (int)holder, (int)gone);
	assert_string_equal(st.reason, reason);
	/* The holders through the public getters. */
	assert_int_equal(dctl_status_get_holder_count(&st), 1);
	assert_int_equal(dctl_status_get_holder(&st, 0), holder);
	assert_int_equal(dctl_status_get_holder(&st, 1), 0);
	assert_int_equal(dctl_status_get_holder_count(NULL), 0);
	assert_int_equal(dctl_status_get_holder(NULL, 0), 0);
	end_child(holder);
}

/*
 * Another tool's start or stop, caught half done: a child plays the first
 * step on path, says so, and plays the last one LATE_MS later.
 */
#define LATE_MS 300

enum moment {
	MOMENT_WRITE_LATE,	/* locked and truncated; the PID written late */
	MOMENT_LOCK_LATE,	/* created empty; locked and written late */
	MOMENT_REMOVE_LATE,	/* a stale file locked; unlinked late */
};

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void play_moment(const char *path, enum moment m, int ready)
{
	int fd = open(path, m == MOMENT_REMOVE_LATE ? O_RDONLY :
		      O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		_exit(3);
	if (m != MOMENT_LOCK_LATE &&
	    (flock(fd, LOCK_EX | LOCK_NB) < 0 ||
	     (m == MOMENT_WRITE_LATE && ftruncate(fd, 0) < 0)))
		_exit(4);
	tell_ready(ready);
	nap_ms(LATE_MS);
	if (m == MOMENT_REMOVE_LATE)
		_exit(unlink(path) < 0 ? 5 : 0);
	if (m == MOMENT_LOCK_LATE && flock(fd, LOCK_EX | LOCK_NB) < 0)
		_exit(6);
	dprintf(fd, "%d\n", (int)getpid());
	for (;;)
		pause();
}

static pid_t moment_child(const char *path, enum moment m)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[0]);
		play_moment(path, m, p[1]);
	}
	close(p[1]);
	wait_ready(p[0]);
	return pid;
}

/* A start between its lock and its write is seen finished: running. */
static void test_settles_start_writing(void **unused)
{
	struct dctl_status st = { 0 };
	pid_t pid = moment_child(at("late-write.pid"), MOMENT_WRITE_LATE);

	probe_ok(at("late-write.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_RUNNING);
	assert_int_equal(st.pid, pid);
	assert_true(st.locked);
	end_child(pid);
}

/* A file a start has just created, before it locked it: running. */
static void test_settles_new_file(void **unused)
{
	struct dctl_status st = { 0 };
	pid_t pid = moment_child(at("late-lock.pid"), MOMENT_LOCK_LATE);

	probe_ok(at("late-lock.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_RUNNING);
	assert_int_equal(st.pid, pid);
	end_child(pid);
}

/* A stop removing the stale file of the daemon it ended: not running. */
static void test_settles_stale_removal(void **unused)
{
	struct dctl_status st = { 0 };
	pid_t pid;

	write_pid(at("late-rm.pid"), reaped_pid());
	pid = moment_child(at("late-rm.pid"), MOMENT_REMOVE_LATE);
	probe_ok(at("late-rm.pid"), 0, &st);
	assert_int_equal(st.state, DCTL_STATE_NOT_RUNNING);
	end_child(pid);
}

/* The same for many pidfiles at once: each is seen finished. */
static void test_settles_many(void **unused)
{
	const char *paths[3];
	struct dctl_status st[3];
	char names[3][256];
	pid_t pid[2];
	int i;

	for (i = 0; i < 3; i++)
		paths[i] = names[i];
	snprintf(names[0], sizeof(names[0]), "%s", at("many-w.pid"));
	snprintf(names[1], sizeof(names[1]), "%s", at("many-rm.pid"));
	snprintf(names[2], sizeof(names[2]), "%s", at("many-l.pid"));
	write_pid(paths[1], reaped_pid());
	pid[0] = moment_child(paths[0], MOMENT_WRITE_LATE);
	pid[1] = moment_child(paths[2], MOMENT_LOCK_LATE);
	end_child(moment_child(paths[1], MOMENT_REMOVE_LATE));
	/* That child was ended before its unlink: the file stays stale. */
	assert_int_equal(probe_many_into(paths, 3, 0, st), 0);
	assert_int_equal(st[0].state, DCTL_STATE_RUNNING);
	assert_int_equal(st[0].pid, pid[0]);
	assert_int_equal(st[1].state, DCTL_STATE_DEAD);
	assert_int_equal(st[2].state, DCTL_STATE_RUNNING);
	assert_int_equal(st[2].pid, pid[1]);
	end_child(pid[0]);
	end_child(pid[1]);
}

/*
 * A child that takes and drops the flocks of count files, over and over:
 * the system's lock list shrinks and grows while /proc/locks is read.
 */
static pid_t lock_churner(const char *base, int count)
{
	char path[256];
	int *fd, i, p[2];
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid != 0) {
		close(p[1]);
		wait_ready(p[0]);
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fd = calloc((size_t)count, sizeof(*fd));
	if (!fd)
		_exit(2);
	for (i = 0; i < count; i++) {
		snprintf(path, sizeof(path), "%s-%d", base, i);
		fd[i] = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd[i] < 0)
			_exit(3);
	}
	tell_ready(p[1]);
	for (;;) {
		for (i = 0; i < count; i++)
			flock(fd[i], LOCK_EX | LOCK_NB);
		for (i = 0; i < count; i++)
			flock(fd[i], LOCK_UN);
	}
}

/*
 * Many held locks read while others come and go: /proc/locks, read a page
 * at a time, skips lines then, and a held lock must still be seen.
 */
static void test_probe_many_churn(void **unused)
{
	enum { LOCKED = 300, CHURN = 200, ROUNDS = 60 };
	const char *paths[LOCKED];
	struct dctl_status *st;
	char *names[LOCKED];
	pid_t holder, churner;
	int i, round, missed = 0;

	holder = lock_holder(at("churn"), LOCKED, WRITE_OWN_PID, 0);
	churner = lock_churner(at("churner"), CHURN);
	for (i = 0; i < LOCKED; i++) {
		names[i] = malloc(256);
		assert_non_null(names[i]);
		snprintf(names[i], 256, "%s-%d.pid", at("churn"), i);
		paths[i] = names[i];
	}
	st = calloc(LOCKED, sizeof(*st));
	assert_non_null(st);
	for (round = 0; round < ROUNDS; round++) {
		assert_int_equal(probe_many_into(paths, LOCKED, 0, st), 0);
		for (i = 0; i < LOCKED; i++) {
			missed += !st[i].locked ||
				  st[i].state != DCTL_STATE_RUNNING;
		}
	}
	end_child(churner);
	end_child(holder);
	for (i = 0; i < LOCKED; i++)
		free(names[i]);
	free(st);
	assert_int_equal(missed, 0);
}

/* POSIX and OFD locks are not the pidfile lock; only flock counts. */
static void test_other_lock_kinds(void **unused)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct dctl_status st = { 0 };
	int fd;

	write_pid(at("posix.pid"), reaped_pid());
	fd = open(at("posix.pid"), O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_SETLK, &fl), 0);
	probe_ok(at("posix.pid"), 0, &st);
	assert_false(st.locked);
	assert_int_equal(st.state, DCTL_STATE_DEAD);
	fl.l_type = F_UNLCK;
	assert_int_equal(fcntl(fd, F_SETLK, &fl), 0);
	fl.l_type = F_WRLCK;
	assert_int_equal(fcntl(fd, F_OFD_SETLK, &fl), 0);
	probe_ok(at("posix.pid"), 0, &st);
	assert_false(st.locked);
	close(fd);
}

/*
 * A prober hammers the pidfile while we take and drop its lock without
 * waiting, as daemon-start does: not one attempt may fail.
 */
/*
 * A probe running in a loop never makes a start fail: each round takes the
 * pidfile with the library's open-and-lock (what daemon-start does), names
 * ourselves in it (so the probe's fast path looks at our descriptors), and
 * lets it go again.
 */
static void test_does_not_disturb_lock(void **unused)
{
	struct dctl_pidfile *pf;
	struct dctl_status st = { 0 };
	int i, failed = 0;
	pid_t prober;

	write_pid(at("busy.pid"), getpid());
	prober = fork();
	assert_true(prober >= 0);
	if (prober == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			probe_into(at("busy.pid"), DCTL_PROBE_DETAILS, &st);
	}
	for (i = 0; i < 3000; i++) {
		pf = NULL;
		int r = dctl_pidfile_open(at("busy.pid"), 0644, &pf, NULL);
		if (r < 0) {
			print_message("# open: %d\n", r);
			failed++;
			continue;
		}
		assert_int_equal(dctl_pidfile_write(pf, getpid()), 0);
		probe_ok(at("busy.pid"), 0, &st);
		assert_true(st.locked);
		assert_int_equal(st.state, DCTL_STATE_RUNNING);
		dctl_pidfile_close(pf);
	}
	end_child(prober);
	assert_int_equal(failed, 0);
}

static void test_trust_root(void **unused)
{
	const char *sub = at("trust");
	char file[256];
	struct dctl_status st = { 0 };

	if (geteuid() != 0)
		skip();
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(file, sizeof(file), "%s/t.pid", sub);
	write_pid(file, getpid());
	assert_int_equal(chmod(file, 0644), 0);
	probe_ok(file, 0, &st);
	assert_int_equal(st.state, DCTL_STATE_RUNNING);
	assert_true(st.trusted);

	assert_int_equal(chown(file, NOBODY, NOBODY), 0);
	probe_ok(file, 0, &st);
	assert_int_equal(st.state, DCTL_STATE_RUNNING);
	assert_false(st.trusted);
	assert_int_equal(chown(file, 0, 0), 0);

	assert_int_equal(chmod(file, 0666), 0);
	probe_ok(file, 0, &st);
	assert_false(st.trusted);
	assert_int_equal(chmod(file, 0664), 0);
	probe_ok(file, 0, &st);
	assert_false(st.trusted);
	assert_int_equal(chmod(file, 0644), 0);

	/* A directory anyone may write, like /tmp without its sticky bit. */
	assert_int_equal(chmod(sub, 0777), 0);
	probe_ok(file, 0, &st);
	assert_false(st.trusted);
	assert_int_equal(chmod(sub, 01777), 0);
	probe_ok(file, 0, &st);
	assert_true(st.trusted);
	/* Its owner may rename anything in it, sticky bit or not. */
	assert_int_equal(chown(sub, NOBODY, NOBODY), 0);
	probe_ok(file, 0, &st);
	assert_false(st.trusted);
	assert_int_equal(chown(sub, 0, 0), 0);
	assert_int_equal(chmod(sub, 0755), 0);
	probe_ok(file, 0, &st);
	assert_true(st.trusted);

	/* A relative path is judged by its directory too. */
	assert_int_equal(chdir(sub), 0);
	probe_ok("t.pid", 0, &st);
	assert_true(st.trusted);
	assert_int_equal(chmod(sub, 0777), 0);
	probe_ok("t.pid", 0, &st);
	assert_false(st.trusted);
	assert_int_equal(chdir("/"), 0);
}

/*
 * Run fn as nobody in a child; its exit code (0 = all good) is the
 * verdict. The test directory is opened to others for the time being.
 */
static void as_nobody(int (*fn)(void))
{
	int status;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	assert_int_equal(chmod(dir, 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY) < 0)
			_exit(90);
		_exit(fn());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(chmod(dir, 0700), 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* The daemon holds its lock but "started after" its file (a clock set
 * forward after boot): a user who may not look at root's descriptors
 * still sees it running, on the lock table's word. */
static int nobody_sees_skewed_running(void)
{
	struct dctl_status st = { 0 };

	if (probe_into(at("skewn.pid"), 0, &st) < 0)
		return 2;
	if (st.state != DCTL_STATE_RUNNING)
		return 3;
	return st.locked ? 0 : 4;
}

static void test_locked_skew_as_nobody(void **unused)
{
	pid_t holder = lock_holder(at("skewn.pid"), 1, WRITE_OWN_PID, 0);

	age_file(at("skewn.pid"), 3600);
	as_nobody(nobody_sees_skewed_running);
	end_child(holder);
}

static int nobody_sees_trusted(void)
{
	struct dctl_status st = { 0 };

	/* Owned by nobody, writable by all: trust is root's concern only. */
	if (probe_into(at("mine.pid"), 0, &st) < 0)
		return 1;
	if (st.state != DCTL_STATE_RUNNING || !st.trusted)
		return 2;
	return 0;
}

static void test_trust_non_root(void **unused)
{
	write_pid(at("mine.pid"), getpid());
	assert_int_equal(chown(at("mine.pid"), NOBODY, NOBODY), 0);
	assert_int_equal(chmod(at("mine.pid"), 0666), 0);
	as_nobody(nobody_sees_trusted);
}

static int nobody_denied(void)
{
	struct dctl_status st = { 0 };

	if (probe_into(at("secret.pid"), 0, &st) < 0)
		return 1;
	if (st.state != DCTL_STATE_UNKNOWN || st.error != -EACCES)
		return 2;
	return strcmp(st.reason, "permission denied") == 0 ? 0 : 3;
}

static void test_permission_denied(void **unused)
{
	write_pid(at("secret.pid"), getpid());
	assert_int_equal(chmod(at("secret.pid"), 0600), 0);
	as_nobody(nobody_denied);
}

static void test_probe_many(void **unused)
{
	enum { LOCKED = 300 };
	const char *paths[LOCKED + 5];
	struct dctl_status *st;
	char *names[LOCKED];
	pid_t holder, gone;
	int i;

	holder = lock_holder(at("many"), LOCKED, WRITE_OWN_PID, 0);
	for (i = 0; i < LOCKED; i++) {
		names[i] = malloc(256);
		assert_non_null(names[i]);
		snprintf(names[i], 256, "%s-%d.pid", at("many"), i);
		paths[i] = names[i];
	}
	gone = reaped_pid();
	write_pid(at("m-stale.pid"), gone);
	write_bytes(at("m-bad.pid"), "x\n", 2);
	write_pid(at("m-self.pid"), getpid());
	paths[LOCKED] = at("m-stale.pid");
	paths[LOCKED + 1] = at("m-bad.pid");
	paths[LOCKED + 2] = at("m-absent.pid");
	paths[LOCKED + 3] = at("m-self.pid");
	paths[LOCKED + 4] = paths[0];

	st = calloc(LOCKED + 5, sizeof(*st));
	assert_non_null(st);
	assert_int_equal(probe_many_into(paths, LOCKED + 5, 0, st), 0);
	for (i = 0; i < LOCKED; i++) {
		assert_int_equal(st[i].state, DCTL_STATE_RUNNING);
		assert_true(st[i].locked);
		assert_int_equal(st[i].pid, holder);
	}
	assert_int_equal(st[LOCKED].state, DCTL_STATE_DEAD);
	assert_int_equal(st[LOCKED].pid, gone);
	assert_int_equal(st[LOCKED + 1].state, DCTL_STATE_UNKNOWN);
	assert_int_equal(st[LOCKED + 1].fault, DCTL_PID_NOT_NUMBER);
	assert_int_equal(st[LOCKED + 2].state, DCTL_STATE_NOT_RUNNING);
	assert_int_equal(st[LOCKED + 3].state, DCTL_STATE_RUNNING);
	assert_false(st[LOCKED + 3].locked);
	assert_int_equal(st[LOCKED + 4].state, DCTL_STATE_RUNNING);
	assert_true(st[LOCKED + 4].locked);

	end_child(holder);
	assert_int_equal(probe_many_into(paths, LOCKED, 0, st), 0);
	for (i = 0; i < LOCKED; i++) {
		assert_int_equal(st[i].state, DCTL_STATE_DEAD);
		assert_false(st[i].locked);
		free(names[i]);
	}
	free(st);
}

/* Is dev/ino in /proc/locks as a held flock? */
static bool in_proc_locks(const struct stat *sb)
{
	char line[256];
	bool found = false;
	dev_t dev;
	ino_t ino;
	FILE *f = fopen("/proc/locks", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (probe_lock_line(line, &dev, &ino) == 1 &&
		    dev == sb->st_dev && ino == sb->st_ino)
			found = true;
	fclose(f);
	return found;
}

/*
 * As PID 1 of a fresh PID namespace with its own /proc: a locker takes
 * the flock, forks the holder (which keeps the descriptor) and exits, as
 * daemon-start does. Returns 0 if the probe saw the lock although
 * /proc/locks did not show it, 1 if /proc/locks showed it anyway, more
 * for a failure.
 */
static int container_case(void)
{
	struct dctl_status st = { 0 };
	pid_t locker, holder = 0;
	struct stat sb;
	bool listed;
	int fd, status;

	locker = fork();
	if (locker < 0)
		return 10;
	if (locker == 0) {
		fd = open(at("ns.pid"), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
			_exit(1);
		holder = fork();
		if (holder == 0)
			for (;;)
				pause();
		dprintf(fd, "%d\n", (int)holder);
		_exit(holder > 0 ? 0 : 1);
	}
	if (waitpid(locker, &status, 0) != locker || status != 0)
		return 11;
	/* Only the lock can call this file live now. */
	age_file(at("ns.pid"), 3600);
	if (stat(at("ns.pid"), &sb) < 0)
		return 12;
	listed = in_proc_locks(&sb);
	if (probe_into(at("ns.pid"), 0, &st) < 0)
		return 13;
	if (st.state != DCTL_STATE_RUNNING || !st.locked)
		return 14;
	return listed ? 1 : 0;
}

static void test_lock_seen_in_pid_namespace(void **unused)
{
	int status;
	pid_t outer, init;

	if (geteuid() != 0)
		skip();
	outer = fork();
	assert_true(outer >= 0);
	if (outer == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWPID | CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(77);
		init = fork();
		if (init < 0)
			_exit(20);
		if (init == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (mount("proc", "/proc", "proc",
				  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
				_exit(77);
			/* Our exit as PID 1 ends the holder too. */
			_exit(container_case());
		}
		if (waitpid(init, &status, 0) != init || !WIFEXITED(status))
			_exit(21);
		_exit(WEXITSTATUS(status));
	}
	assert_int_equal(waitpid(outer, &status, 0), outer);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	if (WEXITSTATUS(status) == 1)
		print_message("# this kernel lists the lock in /proc/locks\n");
	assert_true(WEXITSTATUS(status) <= 1);
}

/* Best of five runs of probe_many over paths, in milliseconds. */
static long long time_many(const char *const *paths, size_t n,
			   unsigned flags, struct dctl_status *st)
{
	long long t0, took, best = -1;
	int round;

	for (round = 0; round < 5; round++) {
		t0 = util_now_ms();
		assert_int_equal(probe_many_into(paths, n, flags, st), 0);
		took = util_now_ms() - t0;
		if (best < 0 || took < best)
			best = took;
	}
	return best;
}

/* probe_many over 1,000 locked pidfiles gets every record right. The
 * time is printed for information only; bench/run measures it. */
static void test_probe_many_speed(void **unused)
{
	enum { N = 1000 };
	static char names[N][64];
	const char *paths[N];
	struct dctl_status *st;
	long long plain, details;
	pid_t holder;
	int i;

	holder = lock_holder(at("speed"), N, WRITE_OWN_PID, 0);
	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "%s-%d.pid", at("speed"), i);
		paths[i] = names[i];
	}
	st = calloc(N, sizeof(*st));
	assert_non_null(st);
	plain = time_many(paths, N, 0, st);
	details = time_many(paths, N, DCTL_PROBE_DETAILS, st);
	for (i = 0; i < N; i++) {
		assert_int_equal(st[i].state, DCTL_STATE_RUNNING);
		assert_true(st[i].locked);
		assert_int_equal(st[i].pid, holder);
	}
	print_message("# probe_many of %d locked pidfiles, best of 5: "
		      "%lld ms, %lld ms with details\n", N, plain, details);
	end_child(holder);
	free(st);
}

/* fork + exec a program with an environment; returns after exec. */
static pid_t exec_program(const char *prog, char *const *envp)
{
	char *const argv[] = { "sleep", "30", NULL };
	int p[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execve(prog, argv, envp);
		c = 'x';
		if (write(p[1], &c, 1) < 0)
			_exit(126);
		_exit(127);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 0);
	close(p[0]);
	return pid;
}

/* A fresh record of path, which must show pid running. */
static struct dctl_status *probe_running(const char *path, pid_t pid)
{
	struct dctl_status *st = NULL;

	write_pid(path, pid);
	assert_int_equal(dctl_probe(path, DCTL_PROBE_DETAILS, &st), 0);
	assert_int_equal(dctl_status_get_state(st), DCTL_STATE_RUNNING);
	return st;
}

static struct dctl_match *new_match(void)
{
	struct dctl_match *m = NULL;

	assert_int_equal(dctl_match_new(&m), 0);
	assert_non_null(m);
	return m;
}

static void test_status_match(void **unused)
{
	char *env[] = { "DAEMON_INSTANCE_ID=" UUID_A, NULL };
	struct dctl_match *m = new_match(), *none = new_match();
	struct dctl_status *st;
	char sleep_path[4096], reason[4300];
	pid_t pid;

	assert_non_null(realpath("/bin/sleep", sleep_path));
	pid = exec_program("/bin/sleep", env);
	st = probe_running(at("match.pid"), pid);
	assert_string_equal(dctl_status_get_exe(st), sleep_path);
	assert_string_equal(dctl_status_get_instance(st), UUID_A);
	assert_int_equal(dctl_status_get_uid(st), getuid());
	assert_int_equal(dctl_status_get_pid(st), pid);
	assert_true(dctl_status_get_started(st) > 0);
	assert_true(dctl_status_get_start_ticks(st) > 0);
	assert_null(dctl_status_get_reason(st));

	assert_int_equal(dctl_status_match(st, none), 1);
	/* through a symlink on merged-/usr */
	assert_int_equal(dctl_match_set_exe(m, "/bin/sleep"), 0);
	assert_int_equal(dctl_match_set_uid(m, getuid()), 0);
	assert_int_equal(dctl_match_set_instance(m, UUID_A), 0);
	assert_int_equal(dctl_status_match(st, m), 1);
	assert_int_equal(dctl_match_set_instance(m,
			 "0F8C3B9E-5D1A-4C6E-9B2F-7A1D3E4C5B6A"), 0);
	assert_int_equal(dctl_status_match(st, m), 1);
	assert_int_equal(dctl_status_get_state(st), DCTL_STATE_RUNNING);

	assert_int_equal(dctl_match_set_exe(m, "/bin/true"), 0);
	assert_int_equal(dctl_status_match(st, m), 0);
	assert_int_equal(dctl_status_get_state(st), DCTL_STATE_DEAD);
	snprintf(reason, sizeof(reason), "process %d does not match --exec "
		 "/bin/true (runs %s)", (int)pid, sleep_path);
	assert_string_equal(dctl_status_get_reason(st), reason);
	/* Not running any more: no condition can hold. */
	assert_int_equal(dctl_match_set_exe(m, NULL), 0);
	assert_int_equal(dctl_status_match(st, m), 0);
	dctl_status_free(st);

	st = probe_running(at("match.pid"), pid);
	assert_int_equal(dctl_match_set_uid(m, 4242), 0);
	assert_int_equal(dctl_status_match(st, m), 0);
	assert_int_equal(dctl_status_get_state(st), DCTL_STATE_DEAD);
	snprintf(reason, sizeof(reason), "process %d does not match --user "
		 "4242 (runs as uid %u)", (int)pid, (unsigned)getuid());
	assert_string_equal(dctl_status_get_reason(st), reason);
	dctl_status_free(st);

	st = probe_running(at("match.pid"), pid);
	assert_int_equal(dctl_match_set_uid(m, (uid_t)-1), 0);
	assert_int_equal(dctl_match_set_instance(m, UUID_B), 0);
	assert_int_equal(dctl_status_match(st, m), 0);
	assert_int_equal(dctl_status_get_state(st), DCTL_STATE_DEAD);
	snprintf(reason, sizeof(reason), "process %d does not match "
		 "--instance " UUID_B " (it is " UUID_A ")", (int)pid);
	assert_string_equal(dctl_status_get_reason(st), reason);
	dctl_status_free(st);

	/* Probed without details, nothing can be shown to match. */
	assert_int_equal(dctl_probe(at("match.pid"), 0, &st), 0);
	assert_int_equal(dctl_match_set_instance(m, UUID_A), 0);
	assert_int_equal(dctl_status_match(st, m), 0);
	assert_int_equal(dctl_status_get_state(st), DCTL_STATE_DEAD);
	end_child(pid);

	assert_int_equal(dctl_status_match(NULL, m), -EINVAL);
	assert_int_equal(dctl_status_match(st, NULL), -EINVAL);
	dctl_status_free(st);
	dctl_match_free(m);
	dctl_match_free(none);
}

/* An exe longer than any fixed field the record once had is kept whole,
 * and so is the reason that names it. */
static void test_match_long_exe(void **unused)
{
	char *env[] = { NULL };
	char deep[4096], prog[4200], cmd[4400], want[4600];
	struct dctl_match *m = new_match();
	struct dctl_status *st;
	size_t len;
	pid_t pid;

	/* Components of 200 bytes up to a path of about 3000. */
	snprintf(deep, sizeof(deep), "%s", at("deep"));
	assert_int_equal(mkdir(deep, 0755), 0);
	for (len = strlen(deep); len < 2800; len = strlen(deep)) {
		size_t end = len;

		deep[end++] = '/';
		memset(deep + end, 'd', 200);
		deep[end + 200] = '\0';
		assert_int_equal(mkdir(deep, 0755), 0);
	}
	snprintf(prog, sizeof(prog), "%s/sleep", deep);
	snprintf(cmd, sizeof(cmd), "cp /bin/sleep '%s'", prog);
	assert_int_equal(system(cmd), 0);
	pid = exec_program(prog, env);
	st = probe_running(at("long.pid"), pid);
	assert_string_equal(dctl_status_get_exe(st), prog);
	assert_int_equal(dctl_match_set_exe(m, "/bin/true"), 0);
	assert_int_equal(dctl_status_match(st, m), 0);
	snprintf(want, sizeof(want), "process %d does not match --exec "
		 "/bin/true (runs %s)", (int)pid, prog);
	assert_string_equal(dctl_status_get_reason(st), want);
	end_child(pid);
	dctl_status_free(st);
	dctl_match_free(m);
}

/* An upgraded binary ("... (deleted)") and a hard link still match. */
static void test_match_deleted_and_linked(void **unused)
{
	char *env[] = { NULL };
	struct dctl_match *m = new_match();
	char cmd[512], prog[256], link_path[256];
	struct dctl_status *st;
	const char *exe;
	size_t len;
	pid_t pid;

	snprintf(prog, sizeof(prog), "%s", at("mysleep"));
	snprintf(link_path, sizeof(link_path), "%s", at("alias"));
	snprintf(cmd, sizeof(cmd), "cp /bin/sleep '%s'", prog);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(link(prog, link_path), 0);
	pid = exec_program(prog, env);

	st = probe_running(at("up.pid"), pid);
	assert_int_equal(dctl_match_set_exe(m, link_path), 0);
	assert_int_equal(dctl_status_match(st, m), 1);
	dctl_status_free(st);

	assert_int_equal(unlink(prog), 0);
	assert_int_equal(system(cmd), 0);
	st = probe_running(at("up.pid"), pid);
	exe = dctl_status_get_exe(st);
	len = strlen(exe);
	assert_true(len > 10);
	assert_string_equal(exe + len - 10, " (deleted)");
	assert_int_equal(dctl_match_set_exe(m, prog), 0);
	assert_int_equal(dctl_status_match(st, m), 1);
	/* The link still names the old inode, but under another name. */
	assert_int_equal(dctl_match_set_exe(m, "/bin/true"), 0);
	assert_int_equal(dctl_status_match(st, m), 0);
	end_child(pid);
	dctl_status_free(st);
	dctl_match_free(m);
}

static void test_match_object(void **unused)
{
	struct dctl_match *m = new_match();

	assert_null(dctl_match_get_exe(m));
	assert_int_equal(dctl_match_get_uid(m), (uid_t)-1);
	assert_null(dctl_match_get_instance(m));
	/* Copies, not borrowed pointers. */
	{
		char exe[] = "/usr/sbin/webd";

		assert_int_equal(dctl_match_set_exe(m, exe), 0);
		exe[1] = 'X';
		assert_string_equal(dctl_match_get_exe(m), "/usr/sbin/webd");
	}
	assert_int_equal(dctl_match_set_exe(m, ""), -EINVAL);
	assert_string_equal(dctl_match_get_exe(m), "/usr/sbin/webd");
	assert_int_equal(dctl_match_set_uid(m, 33), 0);
	assert_int_equal(dctl_match_get_uid(m), 33);
	assert_int_equal(dctl_match_set_instance(m, UUID_A), 0);
	assert_string_equal(dctl_match_get_instance(m), UUID_A);
	/* What daemon-stop --instance once checked for itself. */
	assert_int_equal(dctl_match_set_instance(m, "1234"), -EINVAL);
	assert_int_equal(dctl_match_set_instance(m, UUID_A "0"), -EINVAL);
	assert_int_equal(dctl_match_set_instance(m,
			 "0f8c3b9e_5d1a-4c6e-9b2f-7a1d3e4c5b6a"), -EINVAL);
	assert_int_equal(dctl_match_set_instance(m,
			 "0f8c3b9e-5d1a-4c6e-9b2f-7a1d3e4c5b6g"), -EINVAL);
	assert_string_equal(dctl_match_get_instance(m), UUID_A);
	assert_int_equal(dctl_match_set_instance(m, NULL), 0);
	assert_null(dctl_match_get_instance(m));

	/* NULL objects: -EINVAL or an empty answer, never a crash. */
	assert_int_equal(dctl_match_new(NULL), -EINVAL);
	assert_int_equal(dctl_match_set_exe(NULL, "/x"), -EINVAL);
	assert_int_equal(dctl_match_set_uid(NULL, 0), -EINVAL);
	assert_int_equal(dctl_match_set_instance(NULL, UUID_A), -EINVAL);
	assert_null(dctl_match_get_exe(NULL));
	assert_int_equal(dctl_match_get_uid(NULL), (uid_t)-1);
	assert_null(dctl_match_get_instance(NULL));
	dctl_match_free(NULL);
	dctl_match_free(m);
}

/* What each getter reports, through the public calls only. */
static void test_getters(void **unused)
{
	struct dctl_status *st = NULL;
	struct stat sb;

	write_pid(at("get.pid"), getpid());
	assert_int_equal(stat(at("get.pid"), &sb), 0);
	assert_int_equal(dctl_probe(at("get.pid"), DCTL_PROBE_DETAILS, &st), 0);
	assert_int_equal(dctl_status_get_state(st), DCTL_STATE_RUNNING);
	assert_int_equal(dctl_status_get_pid(st), getpid());
	assert_int_equal(dctl_status_get_locked(st), 0);
	assert_int_equal(dctl_status_get_trusted(st), 1);
	assert_int_equal(dctl_status_get_zombie(st), 0);
	assert_int_equal(dctl_status_get_error(st), 0);
	assert_int_equal(dctl_status_get_fault(st), DCTL_PID_OK);
	assert_true(dctl_status_get_pidfile_dev(st) == (uint64_t)sb.st_dev);
	assert_true(dctl_status_get_pidfile_ino(st) == (uint64_t)sb.st_ino);
	assert_true(dctl_status_get_pidfile_mtime_ns(st) ==
		    (int64_t)sb.st_mtim.tv_sec * 1000000000LL +
		    sb.st_mtim.tv_nsec);
	assert_true(dctl_status_get_started(st) <= (int64_t)time(NULL));
	assert_true(dctl_status_get_started(st) > 1000000000);
	assert_non_null(dctl_status_get_exe(st));
	assert_int_equal(dctl_status_get_uid(st), getuid());
	dctl_status_free(st);

	write_bytes(at("get-bad.pid"), "12x", 3);
	assert_int_equal(dctl_probe(at("get-bad.pid"), 0, &st), 0);
	assert_int_equal(dctl_status_get_state(st), DCTL_STATE_UNKNOWN);
	assert_int_equal(dctl_status_get_error(st), -EBADMSG);
	assert_int_equal(dctl_status_get_fault(st), DCTL_PID_TRAILING);
	assert_int_equal(dctl_status_get_pid(st), 0);
	assert_string_equal(dctl_status_get_reason(st),
			    "malformed pidfile: trailing garbage after the PID");
	assert_null(dctl_status_get_exe(st));
	assert_null(dctl_status_get_instance(st));
	dctl_status_free(st);
}

static void test_null_records(void **unused)
{
	assert_int_equal(dctl_status_get_state(NULL), -EINVAL);
	assert_int_equal(dctl_status_get_pid(NULL), -EINVAL);
	assert_int_equal(dctl_status_get_locked(NULL), -EINVAL);
	assert_int_equal(dctl_status_get_trusted(NULL), -EINVAL);
	assert_int_equal(dctl_status_get_zombie(NULL), -EINVAL);
	assert_int_equal(dctl_status_get_error(NULL), -EINVAL);
	assert_int_equal(dctl_status_get_fault(NULL), -EINVAL);
	assert_true(dctl_status_get_pidfile_dev(NULL) == 0);
	assert_true(dctl_status_get_pidfile_ino(NULL) == 0);
	assert_true(dctl_status_get_pidfile_mtime_ns(NULL) == 0);
	assert_true(dctl_status_get_started(NULL) == 0);
	assert_true(dctl_status_get_start_ticks(NULL) == 0);
	assert_int_equal(dctl_status_get_uid(NULL), (uid_t)-1);
	assert_null(dctl_status_get_exe(NULL));
	assert_null(dctl_status_get_instance(NULL));
	assert_null(dctl_status_get_reason(NULL));
	dctl_status_free(NULL);
	assert_int_equal(dctl_status_list_count(NULL), 0);
	assert_null(dctl_status_list_get(NULL, 0));
	dctl_status_list_free(NULL);
}

/* A list owns its records: freeing one of them alone does nothing. */
static void test_list_owns_records(void **unused)
{
	const char *paths[] = { at("own-a.pid"), at("own-b.pid") };
	struct dctl_status_list *l = NULL;
	struct dctl_status *st;

	write_pid(paths[0], getpid());
	assert_int_equal(dctl_probe_many(paths, 2, 0, &l), 0);
	assert_int_equal(dctl_status_list_count(l), 2);
	st = dctl_status_list_get(l, 0);
	assert_int_equal(dctl_status_get_state(st), DCTL_STATE_RUNNING);
	dctl_status_free(st);
	assert_int_equal(dctl_status_get_pid(dctl_status_list_get(l, 0)),
			 getpid());
	assert_int_equal(dctl_status_get_state(dctl_status_list_get(l, 1)),
			 DCTL_STATE_NOT_RUNNING);
	assert_null(dctl_status_list_get(l, 2));
	dctl_status_list_free(l);

	/* No paths at all: an empty list. */
	l = NULL;
	assert_int_equal(dctl_probe_many(NULL, 0, 0, &l), 0);
	assert_int_equal(dctl_status_list_count(l), 0);
	dctl_status_list_free(l);
}

static void test_lock_line(void **unused)
{
	dev_t dev = 0;
	ino_t ino = 0;

	assert_int_equal(probe_lock_line("1: FLOCK  ADVISORY  WRITE 11318 "
					 "fe:00:10953038 0 EOF\n", &dev, &ino), 1);
	assert_int_equal(major(dev), 0xfe);
	assert_int_equal(minor(dev), 0);
	assert_int_equal(ino, 10953038);
	assert_int_equal(probe_lock_line("12: FLOCK  ADVISORY  READ 7 "
					 "103:1a5:42 0 EOF", &dev, &ino), 1);
	assert_int_equal(major(dev), 0x103);
	assert_int_equal(minor(dev), 0x1a5);
	assert_int_equal(ino, 42);
	assert_int_equal(probe_lock_line("2: -> FLOCK  ADVISORY  WRITE 9 "
					 "fe:00:5 0 EOF", &dev, &ino), 0);
	assert_int_equal(probe_lock_line("3: POSIX  ADVISORY  WRITE 9 "
					 "fe:00:5 0 EOF", &dev, &ino), 0);
	assert_int_equal(probe_lock_line("4: OFDLCK ADVISORY  WRITE -1 "
					 "fe:00:5 0 EOF", &dev, &ino), 0);
	assert_int_equal(probe_lock_line("5: LEASE  ACTIVE    READ 9 "
					 "fe:00:5 0 EOF", &dev, &ino), 0);
	assert_int_equal(probe_lock_line("6: FLOCK  ADVISORY  WRITE 9 "
					 "<none>:0 0 EOF", &dev, &ino), 0);
	assert_int_equal(probe_lock_line("garbage", &dev, &ino), -EBADMSG);
	assert_int_equal(probe_lock_line("7: FLOCK", &dev, &ino), -EBADMSG);
	assert_int_equal(probe_lock_line("8: FLOCK  ADVISORY  WRITE 9 "
					 "fe:zz 0 EOF", &dev, &ino), -EBADMSG);
}

static void test_state_str_and_args(void **unused)
{
	const char *paths[] = { "/nonexistent.pid", NULL };
	struct dctl_status_list *l = NULL;
	struct dctl_status *st = NULL;

	assert_string_equal(dctl_state_str(DCTL_STATE_RUNNING), "running");
	assert_string_equal(dctl_state_str(DCTL_STATE_DEAD), "dead");
	assert_string_equal(dctl_state_str(DCTL_STATE_NOT_RUNNING),
			    "not-running");
	assert_string_equal(dctl_state_str(DCTL_STATE_UNKNOWN), "unknown");
	assert_string_equal(dctl_state_str((enum dctl_state)42), "unknown");

	assert_int_equal(dctl_probe(NULL, 0, &st), -EINVAL);
	assert_int_equal(dctl_probe("/x.pid", 0, NULL), -EINVAL);
	/* An unknown flag may mean something to a later version: refused. */
	assert_int_equal(dctl_probe("/x.pid", 0x80, &st), -EINVAL);
	assert_null(st);
	assert_int_equal(dctl_probe_many(NULL, 1, 0, &l), -EINVAL);
	assert_int_equal(dctl_probe_many(paths, 2, 0, &l), -EINVAL);
	assert_int_equal(dctl_probe_many(paths, 1, 0x80, &l), -EINVAL);
	assert_int_equal(dctl_probe_many(paths, 1, 0, NULL), -EINVAL);
	assert_null(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_no_file, free_kept),
		cmocka_unit_test_teardown(test_malformed, free_kept),
		cmocka_unit_test_teardown(test_symlink, free_kept),
		cmocka_unit_test_teardown(test_fifo_socket_dir, free_kept),
		cmocka_unit_test_teardown(test_locked_live, free_kept),
		cmocka_unit_test_teardown(test_unlocked_self_written, free_kept),
		cmocka_unit_test_teardown(test_stale, free_kept),
		cmocka_unit_test_teardown(test_zombie, free_kept),
		cmocka_unit_test_teardown(test_pid_reused, free_kept),
		cmocka_unit_test_teardown(test_locked_pid_reused, free_kept),
		cmocka_unit_test_teardown(test_locked_by_named_clock_skew, free_kept),
		cmocka_unit_test_teardown(test_lock_if_needed, free_kept),
		cmocka_unit_test_teardown(test_locked_doubt, free_kept),
		cmocka_unit_test_teardown(test_settles_start_writing, free_kept),
		cmocka_unit_test_teardown(test_settles_new_file, free_kept),
		cmocka_unit_test_teardown(test_settles_stale_removal, free_kept),
		cmocka_unit_test_teardown(test_settles_many, free_kept),
		cmocka_unit_test_teardown(test_other_lock_kinds, free_kept),
		cmocka_unit_test_teardown(test_lock_seen_in_pid_namespace, free_kept),
		cmocka_unit_test_teardown(test_does_not_disturb_lock, free_kept),
		cmocka_unit_test_teardown(test_trust_root, free_kept),
		cmocka_unit_test_teardown(test_trust_non_root, free_kept),
		cmocka_unit_test_teardown(test_locked_skew_as_nobody, free_kept),
		cmocka_unit_test_teardown(test_permission_denied, free_kept),
		cmocka_unit_test_teardown(test_probe_many, free_kept),
		cmocka_unit_test_teardown(test_probe_many_churn, free_kept),
		cmocka_unit_test_teardown(test_probe_many_speed, free_kept),
		cmocka_unit_test_teardown(test_status_match, free_kept),
		cmocka_unit_test_teardown(test_match_deleted_and_linked, free_kept),
		cmocka_unit_test_teardown(test_match_long_exe, free_kept),
		cmocka_unit_test_teardown(test_match_object, free_kept),
		cmocka_unit_test_teardown(test_getters, free_kept),
		cmocka_unit_test_teardown(test_null_records, free_kept),
		cmocka_unit_test_teardown(test_list_owns_records, free_kept),
		cmocka_unit_test_teardown(test_lock_line, free_kept),
		cmocka_unit_test_teardown(test_state_str_and_args, free_kept),
	};

	/* A hung test ends the run (children die with us) instead of CI. */
	alarm(120);
	return cmocka_run_group_tests(tests, setup, teardown);
}
