/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * format: the status line and the JSON object of daemon-status, from
 * records filled by hand, and the JSON string escaper byte by byte.
 */
#include "unit.h"

#include <limits.h>

#include "daemonctl.h"
#include "format.h"

/* What the JSON of a daemon without a supervisor ends with. */
#define NO_SUPERVISION "\"supervisor\":null,\"restarts\":0,\"last_exit\":null}"
#include "status.h"

/* 2026-11-25T08:49:50Z */
#define T0 ((time_t)1795596590)

static void fill(struct dctl_status *st, enum dctl_state state, pid_t pid)
{
	memset(st, 0, sizeof(*st));
	st->state = state;
	st->pid = pid;
	st->trusted = true;
	st->uid = (uid_t)-1;
}

static void running(struct dctl_status *st, pid_t pid)
{
	fill(st, DCTL_STATE_RUNNING, pid);
	st->locked = true;
	st->started = T0;
}

/* The line for st at time now, asserting the return equals its length. */
static const char *line(const struct dctl_status *st, const char *name,
			const char *pidfile, bool verbose, time_t now)
{
	static char buf[8192];
	int n;

	n = format_status_line(st, name, pidfile, verbose, now, buf,
			       sizeof(buf));
	assert_true(n >= 0);
	assert_int_equal((size_t)n, strlen(buf));
	return buf;
}

static const char *json(const struct dctl_status *st, const char *name,
			const char *pidfile, time_t now)
{
	static char buf[16384];
	int n;

	n = dctl_status_json(st, name, pidfile, now, buf, sizeof(buf));
	assert_true(n >= 0);
	assert_int_equal((size_t)n, strlen(buf));
	return buf;
}

static const char *esc(const char *s, size_t n)
{
	static char buf[4096];
	int r;

	r = format_json_escape(s, n, buf, sizeof(buf));
	assert_true(r >= 0);
	assert_int_equal((size_t)r, strlen(buf));
	return buf;
}

static void test_uptime(void **state)
{
	static const struct {
		long long secs;
		const char *want;
	} t[] = {
		{ 0, "web: running (pid 1234, up 0s)" },
		{ 45, "web: running (pid 1234, up 45s)" },
		{ 59, "web: running (pid 1234, up 59s)" },
		{ 60, "web: running (pid 1234, up 1m)" },
		{ 303, "web: running (pid 1234, up 5m 3s)" },
		{ 3599, "web: running (pid 1234, up 59m 59s)" },
		{ 3600, "web: running (pid 1234, up 1h)" },
		{ 3 * 3600 + 2 * 60 + 59, "web: running (pid 1234, up 3h 2m)" },
		{ 86399, "web: running (pid 1234, up 23h 59m)" },
		{ 86400, "web: running (pid 1234, up 1d)" },
		{ 2 * 86400 + 4 * 3600 + 59 * 60,
		  "web: running (pid 1234, up 2d 4h)" },
		{ 400 * 86400LL, "web: running (pid 1234, up 400d)" },
		/* A clock set back: never a negative uptime. */
		{ -30, "web: running (pid 1234, up 0s)" },
	};
	struct dctl_status st;
	size_t i;

	(void)state;
	running(&st, 1234);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_string_equal(line(&st, "web", NULL, false,
					 T0 + t[i].secs), t[i].want);
	/* Start time unknown: no uptime at all rather than a wrong one. */
	st.started = 0;
	assert_string_equal(line(&st, "web", NULL, false, T0),
			    "web: running (pid 1234)");
}

static void test_states(void **state)
{
	struct dctl_status st;

	(void)state;
	fill(&st, DCTL_STATE_NOT_RUNNING, 0);
	assert_string_equal(line(&st, "web", "/run/web.pid", false, T0),
			    "web: not running");
	fill(&st, DCTL_STATE_DEAD, 4321);
	st.reason = (char *)"no process 4321";
	assert_string_equal(line(&st, "web", "/run/web.pid", false, T0),
			    "web: dead, pidfile exists (pid 4321)");
	fill(&st, DCTL_STATE_UNKNOWN, 0);
	st.error = -EBADMSG;
	st.fault = DCTL_PID_NOT_NUMBER;
	st.reason = (char *)"malformed pidfile: not a number";
	assert_string_equal(line(&st, "web", "/run/web.pid", false, T0),
			    "web: unknown (malformed pidfile: not a number)");
	/* No name: the pidfile stands in. */
	fill(&st, DCTL_STATE_NOT_RUNNING, 0);
	assert_string_equal(line(&st, NULL, "/run/x.pid", false, T0),
			    "/run/x.pid: not running");
}

static void test_verbose(void **state)
{
	struct dctl_status st;

	(void)state;
	running(&st, 1234);
	assert_string_equal(line(&st, "web", "/run/web.pid", true, T0 + 45),
			    "web: running (pid 1234, up 45s) [pidfile /run/web.pid; lock held]");
	st.locked = false;
	st.trusted = false;
	st.uid = 0;
	st.exe = (char *)"/usr/sbin/webd";
	strcpy(st.instance, "0b6f2f9e-4c39-4d5e-9d52-1f3a3f0c2a11");
	assert_string_equal(line(&st, "web", "/run/web.pid", true, T0 + 45),
			    "web: running (pid 1234, up 45s) [pidfile /run/web.pid; "
			    "no lock held: pidfile written by the daemon itself, or the daemon closed its lock; "
			    "pidfile not trusted: another user could have written it; "
			    "exe /usr/sbin/webd; user root; "
			    "instance 0b6f2f9e-4c39-4d5e-9d52-1f3a3f0c2a11]");
	running(&st, 1234);
	st.lock_unread = true;
	assert_string_equal(line(&st, "web", NULL, true, T0 + 45),
			    "web: running (pid 1234, up 45s) [lock not read: the process is older than its pidfile]");
	fill(&st, DCTL_STATE_DEAD, 4321);
	st.reason = (char *)"process 4321 started after the pidfile was written";
	assert_string_equal(line(&st, "web", "/run/web.pid", true, T0),
			    "web: dead, pidfile exists (pid 4321) [pidfile /run/web.pid; "
			    "process 4321 started after the pidfile was written]");
	/* A dead record without a reason still says something true. */
	st.reason = NULL;
	st.zombie = true;
	assert_string_equal(line(&st, "web", NULL, true, T0),
			    "web: dead, pidfile exists (pid 4321) [process 4321 is a zombie]");
	fill(&st, DCTL_STATE_NOT_RUNNING, 0);
	assert_string_equal(line(&st, "web", "/run/web.pid", true, T0),
			    "web: not running [pidfile /run/web.pid; no pidfile]");
	fill(&st, DCTL_STATE_UNKNOWN, 0);
	st.error = -EACCES;
	assert_string_equal(line(&st, "web", "/run/web.pid", true, T0),
			    "web: unknown (Permission denied) [pidfile /run/web.pid; no lock held]");
}

/* Without a reason from the probe, UNKNOWN is explained from the error. */
static void test_reason_fallback(void **state)
{
	struct dctl_status st;
	char want[256];

	(void)state;
	fill(&st, DCTL_STATE_UNKNOWN, 0);
	st.error = -EBADMSG;
	st.fault = DCTL_PID_ZERO_OR_ONE;
	snprintf(want, sizeof(want), "a: unknown (malformed pidfile: %s)",
		 dctl_pid_fault_str(DCTL_PID_ZERO_OR_ONE));
	assert_string_equal(line(&st, "a", NULL, false, T0), want);
	st.error = -ELOOP;
	assert_string_equal(line(&st, "a", NULL, false, T0),
			    "a: unknown (pidfile is a symbolic link)");
	st.error = -ENXIO;
	assert_string_equal(line(&st, "a", NULL, false, T0),
			    "a: unknown (pidfile is not a regular file)");
	st.error = -EISDIR;
	assert_string_equal(line(&st, "a", NULL, false, T0),
			    "a: unknown (pidfile is a directory)");
}

/* A hostile name cannot make a second line or smuggle terminal codes. */
static void test_line_visible(void **state)
{
	struct dctl_status st;

	(void)state;
	fill(&st, DCTL_STATE_NOT_RUNNING, 0);
	assert_string_equal(line(&st, "a\nb\tc\\d\x1b[2J\x7f", NULL, false, T0),
			    "a\\nb\\tc\\\\d\\x1b[2J\\x7f: not running");
	fill(&st, DCTL_STATE_UNKNOWN, 0);
	st.reason = (char *)"bad\nreason";
	assert_string_equal(line(&st, "x", NULL, false, T0),
			    "x: unknown (bad\\nreason)");
}

static void test_line_small_buffer(void **state)
{
	struct dctl_status st;
	const char *full = "web: dead, pidfile exists (pid 4321)";
	char buf[64];
	size_t size;
	int n;

	(void)state;
	fill(&st, DCTL_STATE_DEAD, 4321);
	n = dctl_status_format(&st, "web", NULL, false, NULL, 0);
	assert_int_equal(n, strlen(full));
	for (size = 1; size <= strlen(full) + 1; size++) {
		memset(buf, 'Z', sizeof(buf));
		n = dctl_status_format(&st, "web", NULL, false, buf, size);
		assert_int_equal(n, strlen(full));
		/* A NUL-terminated prefix, nothing written past size. */
		assert_int_equal(strlen(buf), size - 1);
		assert_memory_equal(buf, full, size - 1);
		assert_int_equal(buf[size], 'Z');
	}
}

static void test_line_bad_args(void **state)
{
	struct dctl_status st;
	char buf[64];

	(void)state;
	fill(&st, DCTL_STATE_RUNNING, 2);
	assert_int_equal(dctl_status_format(NULL, "a", NULL, false, buf,
					    sizeof(buf)), -EINVAL);
	assert_int_equal(dctl_status_format(&st, NULL, NULL, false, buf,
					    sizeof(buf)), -EINVAL);
	assert_int_equal(dctl_status_format(&st, "a", NULL, false, NULL, 8),
			 -EINVAL);
	st.state = (enum dctl_state)2;
	assert_int_equal(dctl_status_format(&st, "a", NULL, false, buf,
					    sizeof(buf)), -EINVAL);
	assert_int_equal(dctl_status_json(&st, "a", NULL, T0, buf,
					  sizeof(buf)), -EINVAL);
	assert_int_equal(dctl_status_json(NULL, "a", NULL, T0, buf,
					  sizeof(buf)), -EINVAL);
}

static void test_json_states(void **state)
{
	struct dctl_status st;

	(void)state;
	running(&st, 1234);
	st.uid = 0;
	st.exe = (char *)"/usr/sbin/webd";
	strcpy(st.instance, "0b6f2f9e-4c39-4d5e-9d52-1f3a3f0c2a11");
	assert_string_equal(json(&st, "web", "/run/web.pid", T0 + 11045),
		"{\"name\":\"web\",\"pidfile\":\"/run/web.pid\",\"pid\":1234,"
		"\"state\":\"running\",\"locked\":true,"
		"\"started\":\"2026-11-25T08:49:50Z\",\"uptime\":11045,"
		"\"instance\":\"0b6f2f9e-4c39-4d5e-9d52-1f3a3f0c2a11\","
		"\"exe\":\"/usr/sbin/webd\",\"user\":\"root\",\"reason\":null,"
		NO_SUPERVISION);

	/* Details not read: nulls, not empty strings or zeros. */
	running(&st, 77);
	st.locked = false;
	st.started = 0;
	assert_string_equal(json(&st, "w", "/w.pid", T0),
		"{\"name\":\"w\",\"pidfile\":\"/w.pid\",\"pid\":77,"
		"\"state\":\"running\",\"locked\":false,\"started\":null,"
		"\"uptime\":null,\"instance\":null,\"exe\":null,\"user\":null,"
		"\"reason\":null,"
		NO_SUPERVISION);

	/* A lock the probe did not read is not called free. */
	running(&st, 77);
	st.lock_unread = true;
	assert_non_null(strstr(json(&st, "w", "/w.pid", T0),
			       ",\"locked\":null,"));

	/* A uid without a name in the user database: the number. */
	running(&st, 77);
	st.uid = 4000000;
	assert_non_null(strstr(json(&st, "w", "/w.pid", T0),
			       ",\"user\":\"4000000\","));

	/* Dead: the process facts describe someone else, so null; the
	 * reason says why it counts as dead. */
	fill(&st, DCTL_STATE_DEAD, 4321);
	st.started = T0;
	st.uid = 0;
	st.exe = (char *)"/bin/other";
	st.reason = (char *)"process 4321 started after the pidfile was written";
	assert_string_equal(json(&st, "web", "/run/web.pid", T0),
		"{\"name\":\"web\",\"pidfile\":\"/run/web.pid\",\"pid\":4321,"
		"\"state\":\"dead\",\"locked\":false,\"started\":null,"
		"\"uptime\":null,\"instance\":null,\"exe\":null,\"user\":null,"
		"\"reason\":\"process 4321 started after the pidfile was written\","
		NO_SUPERVISION);

	fill(&st, DCTL_STATE_NOT_RUNNING, 0);
	assert_string_equal(json(&st, "web", "/run/web.pid", T0),
		"{\"name\":\"web\",\"pidfile\":\"/run/web.pid\",\"pid\":null,"
		"\"state\":\"not-running\",\"locked\":false,\"started\":null,"
		"\"uptime\":null,\"instance\":null,\"exe\":null,\"user\":null,"
		"\"reason\":null,"
		NO_SUPERVISION);

	fill(&st, DCTL_STATE_UNKNOWN, 0);
	st.error = -EACCES;
	st.reason = (char *)"cannot read \"/run/web.pid\": Permission denied";
	assert_string_equal(json(&st, "web", NULL, T0),
		"{\"name\":\"web\",\"pidfile\":null,\"pid\":null,"
		"\"state\":\"unknown\",\"locked\":false,\"started\":null,"
		"\"uptime\":null,\"instance\":null,\"exe\":null,\"user\":null,"
		"\"reason\":\"cannot read \\\"/run/web.pid\\\": Permission denied\","
		NO_SUPERVISION);
}

/* Text fields have no size of their own: a 5000-byte exe comes out whole
 * in the JSON object and in -v's line. */
static void test_long_fields(void **state)
{
	struct dctl_status st;
	const char *out, *exe;
	char *long_exe;

	(void)state;
	running(&st, 5);
	long_exe = malloc(5001);
	assert_non_null(long_exe);
	memset(long_exe, 'e', 5000);
	long_exe[5000] = '\0';
	st.exe = long_exe;
	out = json(&st, "n", "p", T0);
	exe = strstr(out, "\"exe\":\"");
	assert_non_null(exe);
	exe += strlen("\"exe\":\"");
	assert_int_equal(strspn(exe, "e"), 5000);
	assert_string_equal(exe + 5000, "\",\"user\":null,\"reason\":null,"
		NO_SUPERVISION);

	out = line(&st, "n", NULL, true, T0);
	exe = strstr(out, "; exe ");
	assert_non_null(exe);
	exe += strlen("; exe ");
	assert_int_equal(strspn(exe, "e"), 5000);
	assert_string_equal(exe + 5000, "]");
	free(long_exe);
}

/* The public writers on a record that does not exist. */
static void test_null_record(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(dctl_status_format(NULL, "n", "p", false, buf,
					    sizeof(buf)), -EINVAL);
	assert_int_equal(dctl_status_json(NULL, "n", "p", T0, buf,
					  sizeof(buf)), -EINVAL);
}

static void test_json_escape_table(void **state)
{
	static const struct {
		const char *in;
		size_t n;
		const char *want;
	} t[] = {
#define E(s, w) { s, sizeof(s) - 1, w }
		E("", "\"\""),
		E("plain", "\"plain\""),
		E("a\"b", "\"a\\\"b\""),
		E("a\\b", "\"a\\\\b\""),
		E("/", "\"/\""),
		E("\n\t\r\b\f", "\"\\n\\t\\r\\b\\f\""),
		E("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""),
		E("nul\0byte", "\"nul\\u0000byte\""),
		E("\x1b[31m", "\"\\u001b[31m\""),
		/* Well-formed UTF-8, 2, 3 and 4 bytes, and the edges. */
		E("caf\xc3\xa9", "\"caf\xc3\xa9\""),
		E("\xe2\x82\xac", "\"\xe2\x82\xac\""),
		E("\xf0\x9d\x84\x9e", "\"\xf0\x9d\x84\x9e\""),
		E("\xc2\x80", "\"\xc2\x80\""),
		E("\xef\xbf\xbf", "\"\xef\xbf\xbf\""),
		E("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""),
		E("\xed\x9f\xbf", "\"\xed\x9f\xbf\""),
		E("\xee\x80\x80", "\"\xee\x80\x80\""),
		/* Not UTF-8: every bad byte on its own as \udcXX. */
		E("\xff", "\"\\udcff\""),
		E("\x80", "\"\\udc80\""),
		E("a\xfe" "b", "\"a\\udcfeb\""),
		E("\xc0\xaf", "\"\\udcc0\\udcaf\""),		/* overlong '/' */
		E("\xc1\xbf", "\"\\udcc1\\udcbf\""),		/* overlong */
		E("\xe0\x80\xaf", "\"\\udce0\\udc80\\udcaf\""),	/* overlong */
		E("\xf0\x80\x80\xaf", "\"\\udcf0\\udc80\\udc80\\udcaf\""),
		E("\xed\xa0\x80", "\"\\udced\\udca0\\udc80\""),	/* U+D800 */
		E("\xed\xbf\xbf", "\"\\udced\\udcbf\\udcbf\""),	/* U+DFFF */
		E("\xf4\x90\x80\x80", "\"\\udcf4\\udc90\\udc80\\udc80\""),
		E("\xf5\x80\x80\x80", "\"\\udcf5\\udc80\\udc80\\udc80\""),
		E("\xe2\x82", "\"\\udce2\\udc82\""),		/* cut short */
		E("\xe2\x28\xa1", "\"\\udce2(\\udca1\""),	/* bad middle */
		E("\xc3\xa9\xc3", "\"\xc3\xa9\\udcc3\""),
#undef E
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_string_equal(esc(t[i].in, t[i].n), t[i].want);
}

static void test_utf8_len(void **state)
{
	(void)state;
	assert_int_equal(format_utf8_len((const unsigned char *)"a", 1), 1);
	assert_int_equal(format_utf8_len((const unsigned char *)"\xc3\xa9", 2), 2);
	assert_int_equal(format_utf8_len((const unsigned char *)"\xc3\xa9", 1), 0);
	assert_int_equal(format_utf8_len((const unsigned char *)"\xe2\x82\xac", 3), 3);
	assert_int_equal(format_utf8_len((const unsigned char *)"\xe0\xa0\x80", 3), 3);
	assert_int_equal(format_utf8_len((const unsigned char *)"\xe0\x9f\xbf", 3), 0);
	assert_int_equal(format_utf8_len((const unsigned char *)"\xf0\x90\x80\x80", 4), 4);
	assert_int_equal(format_utf8_len((const unsigned char *)"\xf0\x8f\xbf\xbf", 4), 0);
	assert_int_equal(format_utf8_len((const unsigned char *)"\xf4\x8f\xbf\xbf", 4), 4);
	assert_int_equal(format_utf8_len((const unsigned char *)"\xf4\x90\x80\x80", 4), 0);
	assert_int_equal(format_utf8_len((const unsigned char *)"\xed\xa0\x80", 3), 0);
	assert_int_equal(format_utf8_len((const unsigned char *)"\xf8\x88\x80\x80\x80", 5), 0);
}

/* Every byte value, every position: the escaper's output is pure
 * printable ASCII outside well-formed UTF-8 and never splits a sequence. */
static void test_json_escape_every_byte(void **state)
{
	char in[3], out[64];
	unsigned c;
	int n;

	(void)state;
	for (c = 0; c < 256; c++) {
		in[0] = 'x';
		in[1] = (char)c;
		in[2] = 'y';
		n = format_json_escape(in, 3, out, sizeof(out));
		assert_true(n >= 5 && n <= 10);
		assert_int_equal(out[0], '"');
		assert_int_equal(out[1], 'x');
		assert_int_equal(out[n - 2], 'y');
		assert_int_equal(out[n - 1], '"');
		if (c >= 0x80)
			assert_int_equal(n, 10);	/* \udcXX */
		else if (c < 0x20 && c != '\n' && c != '\t' && c != '\r' &&
			 c != '\b' && c != '\f')
			assert_int_equal(n, 10);	/* \u00XX */
	}
}

static void test_json_escaped_names(void **state)
{
	struct dctl_status st;
	const char *out;

	(void)state;
	fill(&st, DCTL_STATE_NOT_RUNNING, 0);
	out = json(&st, "we\"b\n", "/tmp/a\\b/\xff\xc3\xa9.pid", T0);
	assert_string_equal(out,
		"{\"name\":\"we\\\"b\\n\",\"pidfile\":\"/tmp/a\\\\b/\\udcff\xc3\xa9.pid\","
		"\"pid\":null,\"state\":\"not-running\",\"locked\":false,"
		"\"started\":null,\"uptime\":null,\"instance\":null,\"exe\":null,"
		"\"user\":null,\"reason\":null,"
		NO_SUPERVISION);
}

static void test_long_name(void **state)
{
	struct dctl_status st;
	char *name, *buf;
	size_t len = 10000;
	int n;

	(void)state;
	name = malloc(len + 1);
	assert_non_null(name);
	memset(name, 'n', len);
	name[len] = '\0';
	running(&st, 99);
	n = format_status_line(&st, name, NULL, false, T0, NULL, 0);
	assert_int_equal(n, len + strlen(": running (pid 99, up 0s)"));
	n = dctl_status_json(&st, name, name, T0, NULL, 0);
	assert_true(n > 2 * (int)len);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(dctl_status_json(&st, name, name, T0, buf,
					  (size_t)n + 1), n);
	assert_int_equal(strlen(buf), (size_t)n);
	assert_int_equal(buf[n - 1], '}');
	free(buf);
	free(name);
}

static void test_json_small_buffer(void **state)
{
	struct dctl_status st;
	char full[512], buf[512];
	size_t size;
	int n;

	(void)state;
	fill(&st, DCTL_STATE_UNKNOWN, 0);
	st.reason = (char *)"a \"quoted\" reason\n";
	n = dctl_status_json(&st, "n\xff", "p", T0, full, sizeof(full));
	assert_true(n > 0 && (size_t)n < sizeof(full));
	assert_int_equal(dctl_status_json(&st, "n\xff", "p", T0, NULL, 0), n);
	for (size = 1; size <= (size_t)n + 1; size++) {
		memset(buf, 'Z', sizeof(buf));
		assert_int_equal(dctl_status_json(&st, "n\xff", "p", T0, buf,
						  size), n);
		assert_int_equal(strlen(buf), size - 1);
		assert_memory_equal(buf, full, size - 1);
		assert_int_equal(buf[size], 'Z');
	}
}

static void test_iso8601(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(format_iso8601(T0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2026-11-25T08:49:50Z");
	assert_int_equal(format_iso8601(0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_int_equal(format_iso8601(T0, buf, 10), -EOVERFLOW);
}

/* A supervised daemon: restarts, the restarting and failed states, and
 * one whose supervisor is gone, in the line and in JSON. */
static void test_supervision(void **state)
{
	struct dctl_status st;
	const char *j;

	(void)state;
	running(&st, 1234);
	st.supervised = true;
	st.supervisor = 1200;
	assert_string_equal(line(&st, "web", NULL, false, T0 + 302),
			    "web: running (pid 1234, up 5m 2s)");
	st.restarts = 3;
	strcpy(st.last_exit, "signal SEGV");
	assert_string_equal(line(&st, "web", NULL, false, T0 + 302),
			    "web: running (pid 1234, up 5m 2s, 3 restarts)");
	j = json(&st, "web", NULL, T0 + 302);
	assert_non_null(strstr(j, ",\"reason\":null,\"supervisor\":1200,"
			       "\"restarts\":3,\"last_exit\":\"signal SEGV\"}"));
	st.restarts = 1;
	assert_string_equal(line(&st, "web", NULL, false, T0 + 302),
			    "web: running (pid 1234, up 5m 2s, 1 restart)");

	/* Its supervisor killed: still running, and the line says so. */
	st.supervisor = 0;
	st.reason = (char *)"unsupervised: supervisor 1200 is gone";
	assert_string_equal(line(&st, "web", NULL, false, T0 + 2),
			    "web: running (pid 1234, up 2s, unsupervised: "
			    "supervisor 1200 is gone, 1 restart)");
	j = json(&st, "web", NULL, T0 + 2);
	assert_non_null(strstr(j, "\"reason\":\"unsupervised: supervisor 1200 "
			       "is gone\",\"supervisor\":null,\"restarts\":1,"));

	/* Between two runs: the pidfile names the supervisor. */
	fill(&st, DCTL_STATE_RESTARTING, 1200);
	st.locked = true;
	st.supervised = true;
	st.supervisor = 1200;
	st.restarts = 3;
	strcpy(st.last_exit, "exit 1");
	st.next_try_ns = 400000000;
	assert_string_equal(line(&st, "web", NULL, false, T0),
			    "web: restarting (last: exit 1, next try in 0.4s, "
			    "3 restarts)");
	st.next_try_ns = 25400000000LL;
	assert_string_equal(line(&st, "web", NULL, false, T0),
			    "web: restarting (last: exit 1, next try in 25s, "
			    "3 restarts)");
	j = json(&st, "web", NULL, T0);
	assert_non_null(strstr(j, "\"state\":\"restarting\""));
	assert_non_null(strstr(j, "\"started\":null,\"uptime\":null,"));
	assert_non_null(strstr(j, "\"supervisor\":1200,\"restarts\":3,"
			       "\"last_exit\":\"exit 1\"}"));
	assert_null(strstr(j, "\"reason\":null"));
	assert_string_equal(line(&st, "web", NULL, true, T0),
			    "web: restarting (last: exit 1, next try in 25s, "
			    "3 restarts) [supervisor 1200 holds the lock]");

	/* Gave up: dead in JSON, "failed" in the line, with the reason. */
	fill(&st, DCTL_STATE_DEAD, 1300);
	st.supervised = true;
	st.failed = true;
	st.restarts = 5;
	strcpy(st.last_exit, "exit 1");
	st.reason = (char *)"gave up after 5 restarts in 60 s; last: exit 1";
	assert_string_equal(line(&st, "web", NULL, false, T0),
			    "web: failed (gave up after 5 restarts in 60 s; "
			    "last: exit 1)");
	j = json(&st, "web", NULL, T0);
	assert_non_null(strstr(j, "\"state\":\"dead\""));
	assert_non_null(strstr(j, "\"reason\":\"gave up after 5 restarts"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uptime),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_verbose),
		cmocka_unit_test(test_reason_fallback),
		cmocka_unit_test(test_line_visible),
		cmocka_unit_test(test_line_small_buffer),
		cmocka_unit_test(test_line_bad_args),
		cmocka_unit_test(test_json_states),
		cmocka_unit_test(test_long_fields),
		cmocka_unit_test(test_null_record),
		cmocka_unit_test(test_json_escape_table),
		cmocka_unit_test(test_utf8_len),
		cmocka_unit_test(test_json_escape_every_byte),
		cmocka_unit_test(test_json_escaped_names),
		cmocka_unit_test(test_long_name),
		cmocka_unit_test(test_json_small_buffer),
		cmocka_unit_test(test_iso8601),
		cmocka_unit_test(test_supervision),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
