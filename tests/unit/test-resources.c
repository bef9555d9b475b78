/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The start object's resource setters: a refused value says which option
 * and why, and leaves the plan as it was; an accepted one is in the plan
 * the recipe will apply.
 */
#include "unit.h"

#include <string.h>
#include <sys/resource.h>

#include "spawn.h"

static struct dctl_spawn *new_spawn(void)
{
	struct dctl_spawn *s;

	assert_int_equal(dctl_spawn_new(&s, "/nonexistent/x.pid"), 0);
	return s;
}

/* r is -EINVAL and the detail starts with want. */
static void refused(const struct dctl_spawn *s, int r, const char *want)
{
	assert_int_equal(r, -EINVAL);
	if (strncmp(dctl_spawn_get_detail(s), want, strlen(want)) != 0)
		fail_msg("detail '%s', wanted '%s...'",
			 dctl_spawn_get_detail(s), want);
}

static void test_limits(void **state)
{
	struct dctl_spawn *s = new_spawn();

	(void)state;
	assert_int_equal(dctl_spawn_set_limit(s, "nofile=100:200"), 0);
	assert_int_equal(dctl_spawn_set_limit(s, "nofile=300"), 0);
	assert_true(s->o.limits.rlim[RLIMIT_NOFILE].set);
	assert_int_equal(s->o.limits.rlim[RLIMIT_NOFILE].soft, 300);
	assert_int_equal(s->o.limits.rlim[RLIMIT_NOFILE].hard, 300);
	refused(s, dctl_spawn_set_limit(s, "nofile=5:4"),
		"invalid value 'nofile=5:4' for --limit: ");
	refused(s, dctl_spawn_set_limit(s, NULL),
		"invalid value '' for --limit: ");
	assert_int_equal(s->o.limits.rlim[RLIMIT_NOFILE].soft, 300);
	assert_int_equal(dctl_spawn_set_iosched(s, "idle"), 0);
	assert_true(s->o.limits.set_ioprio);
	refused(s, dctl_spawn_set_iosched(s, "idle:9"),
		"invalid value 'idle:9' for --iosched: ");
	assert_true(s->o.limits.set_ioprio);
	assert_int_equal(dctl_spawn_set_iosched(s, NULL), 0);
	assert_false(s->o.limits.set_ioprio);
	assert_int_equal(dctl_spawn_set_procsched(s, "rr:5"), 0);
	assert_int_equal(s->o.limits.sched_priority, 5);
	refused(s, dctl_spawn_set_procsched(s, "rr:100"),
		"invalid value 'rr:100' for --procsched: ");
	assert_int_equal(s->o.limits.sched_priority, 5);
	assert_int_equal(dctl_spawn_set_oom_score_adj(s, -1000), 0);
	refused(s, dctl_spawn_set_oom_score_adj(s, 1001),
		"invalid value '1001' for --oom-score-adj: ");
	assert_int_equal(s->o.limits.oom_score_adj, -1000);
	assert_int_equal(dctl_spawn_set_limit(NULL, "nofile=1"), -EINVAL);
	dctl_spawn_free(s);
}

static void test_privileges(void **state)
{
	struct dctl_spawn *s = new_spawn();

	(void)state;
	assert_int_equal(dctl_spawn_set_capabilities(s, "net_raw,CAP_KILL"), 0);
	assert_true(s->o.caps.caps == ((1ULL << 13) | (1ULL << 5)));
	/* A list replaces the one before. */
	assert_int_equal(dctl_spawn_set_capabilities(s, "net_bind_service"), 0);
	assert_true(s->o.caps.caps == 1ULL << 10);
	refused(s, dctl_spawn_set_capabilities(s, "net_bind"),
		"invalid value 'net_bind' for --capabilities: ");
	assert_true(s->o.caps.caps == 1ULL << 10);
	assert_int_equal(dctl_spawn_set_capabilities(s, NULL), 0);
	assert_false(s->o.caps.set_caps);
	assert_int_equal(dctl_spawn_set_no_new_privs(s, true), 0);
	assert_true(s->o.caps.no_new_privs);
	assert_int_equal(dctl_spawn_set_group(s, "nogroup"), 0);
	assert_string_equal(s->o.group, "nogroup");
	refused(s, dctl_spawn_set_group(s, ""), "invalid value '' for --group");
	refused(s, dctl_spawn_set_group(s, "a:b"),
		"invalid value 'a:b' for --group");
	assert_string_equal(s->o.group, "nogroup");
	assert_int_equal(dctl_spawn_set_group(s, NULL), 0);
	assert_null(s->o.group);
	dctl_spawn_free(s);
}

static void test_env_files(void **state)
{
	char dir[] = "/tmp/test-resources.XXXXXX", path[64], bad[64];
	struct dctl_spawn *s = new_spawn();
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/good", dir);
	snprintf(bad, sizeof(bad), "%s/bad", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("A=1\n", f);
	fclose(f);
	f = fopen(bad, "w");
	assert_non_null(f);
	fputs("A=1\nB\n", f);
	fclose(f);
	assert_int_equal(dctl_spawn_add_env(s, "X=1"), 0);
	assert_int_equal(dctl_spawn_add_env_file(s, path), 0);
	assert_int_equal(dctl_spawn_add_env(s, "Y=2"), 0);
	assert_int_equal(dctl_spawn_add_env_file(s, path), 0);
	/* Each file keeps its place among the -e entries. */
	assert_int_equal(s->o.n_env_files, 2);
	assert_int_equal(s->o.env_files[0].after, 1);
	assert_int_equal(s->o.env_files[1].after, 2);
	refused(s, dctl_spawn_add_env_file(s, bad), "--env-file ");
	assert_non_null(strstr(dctl_spawn_get_detail(s), "/bad:2: no '='"));
	refused(s, dctl_spawn_add_env_file(s, dir), "--env-file ");
	assert_non_null(strstr(dctl_spawn_get_detail(s), "not a regular file"));
	refused(s, dctl_spawn_add_env_file(s, ""), "invalid value ''");
	assert_int_equal(s->o.n_env_files, 2);
	assert_int_equal(dctl_spawn_set_clear_env(s, true), 0);
	assert_true(s->o.clear_env);
	dctl_spawn_free(s);
	unlink(path);
	unlink(bad);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_privileges),
		cmocka_unit_test(test_env_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
