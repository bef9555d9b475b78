/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The start object's output setters (syslog, tag, rotation, timestamps):
 * a refused value names the option and leaves the object as it was; the
 * options that need another are refused together at the start, in test
 * mode too, before anything is locked, opened or forked.
 */
#include "unit.h"

#include <string.h>
#include <syslog.h>
#include <sys/stat.h>

#include "spawn.h"

static struct dctl_spawn *new_spawn(const char *pidfile)
{
	struct dctl_spawn *s;
	char *const argv[] = { (char *)"true", NULL };

	assert_int_equal(dctl_spawn_new(&s, pidfile), 0);
	assert_int_equal(dctl_spawn_set_program(s, "/bin/true", argv), 0);
	assert_int_equal(dctl_spawn_set_test(s, true), 0);
	return s;
}

/* r is err and the detail starts with want. */
static void refused_with(const struct dctl_spawn *s, int r, int err,
			 const char *want)
{
	assert_int_equal(r, err);
	if (strncmp(dctl_spawn_get_detail(s), want, strlen(want)) != 0)
		fail_msg("detail '%s', wanted '%s...'",
			 dctl_spawn_get_detail(s), want);
}

static void refused(const struct dctl_spawn *s, int r, const char *want)
{
	refused_with(s, r, -EINVAL, want);
}

static void test_syslog(void **state)
{
	struct dctl_spawn *s = new_spawn("/nonexistent/x.pid");

	(void)state;
	assert_false(s->o.syslog);
	assert_int_equal(dctl_spawn_set_syslog(s, NULL), 0);
	assert_true(s->o.syslog);
	assert_int_equal(s->o.syslog_facility, LOG_DAEMON);
	assert_int_equal(dctl_spawn_set_syslog(s, "Local3"), 0);
	assert_int_equal(s->o.syslog_facility, LOG_LOCAL3);
	refused(s, dctl_spawn_set_syslog(s, "local8"),
		"invalid value 'local8' for --syslog: not a facility");
	refused(s, dctl_spawn_set_syslog(s, ""),
		"invalid value '' for --syslog: ");
	assert_int_equal(s->o.syslog_facility, LOG_LOCAL3);
	assert_int_equal(dctl_spawn_set_syslog(NULL, "user"), -EINVAL);

	assert_int_equal(dctl_spawn_set_syslog_tag(s, "web-1.2_x@y"), 0);
	assert_string_equal(s->o.syslog_tag, "web-1.2_x@y");
	refused(s, dctl_spawn_set_syslog_tag(s, ""),
		"invalid value '' for --syslog-tag: 1 to 64 printable");
	refused(s, dctl_spawn_set_syslog_tag(s, "a b"),
		"invalid value 'a b' for --syslog-tag: ");
	refused(s, dctl_spawn_set_syslog_tag(s, "web:"),
		"invalid value 'web:' for --syslog-tag: ");
	refused(s, dctl_spawn_set_syslog_tag(s, "web[1]"),
		"invalid value 'web[1]' for --syslog-tag: ");
	refused(s, dctl_spawn_set_syslog_tag(s, "tab\there"),
		"invalid value 'tab\there' for --syslog-tag: ");
	refused(s, dctl_spawn_set_syslog_tag(s, "caf\xc3\xa9"),
		"invalid value 'caf\xc3\xa9' for --syslog-tag: ");
	refused(s, dctl_spawn_set_syslog_tag(s,
		"12345678901234567890123456789012345678901234567890123456789012345"),
		"invalid value '1234");
	assert_int_equal(dctl_spawn_set_syslog_tag(s,
		"1234567890123456789012345678901234567890123456789012345678901234"),
		0);
	assert_int_equal(dctl_spawn_set_syslog_tag(s, NULL), 0);
	assert_null(s->o.syslog_tag);
	assert_int_equal(dctl_spawn_set_syslog_tag(NULL, "x"), -EINVAL);
	dctl_spawn_free(s);
}

static void test_rotation(void **state)
{
	struct dctl_spawn *s = new_spawn("/nonexistent/x.pid");
	static const char *const bad[] = {
		"0", "0K", "10X", "10KB", "-1", "+1", " 1", "1 ", "1.5M", "",
		"0x10", "9223372036854775808", "8589934592G",
	};
	size_t i;

	(void)state;
	assert_int_equal(dctl_spawn_set_output_max_size(s, "10M"), 0);
	assert_true(s->o.output_max_size == 10ULL << 20);
	assert_int_equal(dctl_spawn_set_output_max_size(s, "512k"), 0);
	assert_true(s->o.output_max_size == 512ULL << 10);
	assert_int_equal(dctl_spawn_set_output_max_size(s, "1"), 0);
	assert_true(s->o.output_max_size == 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want),
			 "invalid value '%s' for --output-max-size: ", bad[i]);
		refused(s, dctl_spawn_set_output_max_size(s, bad[i]), want);
		assert_true(s->o.output_max_size == 1);
	}
	assert_int_equal(dctl_spawn_set_output_max_size(s, NULL), 0);
	assert_true(s->o.output_max_size == 0);

	assert_false(s->o.output_keep_set);
	assert_int_equal(dctl_spawn_set_output_keep(s, 0), 0);
	assert_int_equal(dctl_spawn_set_output_keep(s, 1000), 0);
	assert_int_equal(s->o.output_keep, 1000);
	assert_true(s->o.output_keep_set);
	refused(s, dctl_spawn_set_output_keep(s, 1001),
		"invalid value '1001' for --output-keep: 0..1000");
	assert_int_equal(s->o.output_keep, 1000);

	assert_int_equal(dctl_spawn_set_timestamps(s, true), 0);
	assert_true(s->o.timestamps);
	assert_int_equal(dctl_spawn_set_output_max_size(NULL, "1M"), -EINVAL);
	assert_int_equal(dctl_spawn_set_output_keep(NULL, 1), -EINVAL);
	assert_int_equal(dctl_spawn_set_timestamps(NULL, true), -EINVAL);
	dctl_spawn_free(s);
}

/*
 * A start in test mode with the options set by set(s): refused with err
 * and a detail starting with want, and no pidfile or output file made.
 */
static void start_refused(void (*set)(struct dctl_spawn *s, const char *out),
			  int err, const char *want)
{
	char *dir = unit_tmpdir(), pidfile[256], out[256];
	struct dctl_spawn *s;
	struct stat st;

	snprintf(pidfile, sizeof(pidfile), "%s/d.pid", dir);
	snprintf(out, sizeof(out), "%s/out.log", dir);
	s = new_spawn(pidfile);
	set(s, out);
	refused_with(s, dctl_spawn_start(s), err, want);
	assert_int_equal(dctl_spawn_get_stage(s), DCTL_STAGE_VALIDATE);
	assert_int_equal(dctl_spawn_get_pid(s), 0);
	assert_int_equal(stat(pidfile, &st), -1);
	assert_int_equal(stat(out, &st), -1);
	dctl_spawn_free(s);
	unit_rmtree(dir);
}

static void size_alone(struct dctl_spawn *s, const char *out)
{
	(void)out;
	assert_int_equal(dctl_spawn_set_output_max_size(s, "1M"), 0);
}

static void keep_alone(struct dctl_spawn *s, const char *out)
{
	assert_int_equal(dctl_spawn_set_stdout(s, out), 0);
	assert_int_equal(dctl_spawn_set_output_keep(s, 3), 0);
}

static void stamps_alone(struct dctl_spawn *s, const char *out)
{
	(void)out;
	assert_int_equal(dctl_spawn_set_timestamps(s, true), 0);
}

static void tag_alone(struct dctl_spawn *s, const char *out)
{
	(void)out;
	assert_int_equal(dctl_spawn_set_syslog_tag(s, "web"), 0);
}

static void syslog_no_stream(struct dctl_spawn *s, const char *out)
{
	assert_int_equal(dctl_spawn_set_stdout(s, out), 0);
	assert_int_equal(dctl_spawn_set_stderr(s, out), 0);
	assert_int_equal(dctl_spawn_set_syslog(s, NULL), 0);
}

static void syslog_forking(struct dctl_spawn *s, const char *out)
{
	(void)out;
	assert_int_equal(dctl_spawn_set_syslog(s, "user"), 0);
	assert_int_equal(dctl_spawn_set_ready(s, DCTL_READY_FORKING), 0);
}

static void test_combinations(void **state)
{
	(void)state;
	start_refused(size_alone, -EINVAL,
		      "--output-max-size needs --output, --stdout or --stderr");
	start_refused(keep_alone, -EINVAL,
		      "--output-keep needs --output-max-size");
	start_refused(stamps_alone, -EINVAL,
		      "--timestamps needs --output, --stdout or --stderr");
	start_refused(tag_alone, -EINVAL, "--syslog-tag needs --syslog");
	start_refused(syslog_no_stream, -EINVAL,
		      "--syslog: no stream left for it");
	start_refused(syslog_forking, -EINVAL,
		      "--syslog, --output-max-size and --timestamps cannot be used with --forking");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syslog),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_combinations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
