/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --env-file and --clear-env: the EnvironmentFile= parser against tables
 * of files and the assignments (or the refusal, with its line) each must
 * give, the environment list, and envfile_load() on real files, FIFOs,
 * directories, devices and symlinks in a scratch directory.
 */
#include "unit.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "envfile.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

extern char **environ;

/* Every assignment as "NAME=VALUE|", in order. */
struct collect {
	char text[1024];
	int calls;
	int fail_at;		/* return -ENOSPC on this call (1-based) */
};

static int collect(void *data, const char *name, const char *value)
{
	struct collect *c = data;
	size_t n = strlen(c->text);

	if (++c->calls == c->fail_at)
		return -ENOSPC;
	snprintf(c->text + n, sizeof(c->text) - n, "%s=%s|", name, value);
	return 0;
}

static int parse(const char *text, size_t len, struct collect *c,
		 struct envfile_error *err)
{
	memset(c, 0, sizeof(*c));
	return envfile_parse(text, len, collect, c, err);
}

struct good_file {
	const char *text;
	const char *want;
};

static const struct good_file good_files[] = {
	{ "", "" },
	{ "A=1\nB=2\n", "A=1|B=2|" },
	{ "A=1", "A=1|" },
	{ "  A = 1  \n", "A=1|" },
	{ "\tA\t=\t1\t\n", "A=1|" },
	{ "# comment\n; comment\n\n   \n\tA=1\n  # indented\n", "A=1|" },
	{ "#comment ending in a backslash \\\nA=1\n", "A=1|" },
	{ "A=1 # not a comment\n", "A=1 # not a comment|" },
	{ "A=x;y\n", "A=x;y|" },
	{ "A=x=y=z\n", "A=x=y=z|" },
	{ "A==\n", "A==|" },
	{ "A=\n", "A=|" },
	{ "A=", "A=|" },
	{ "A=   \n", "A=|" },
	{ "_x9=ok\n", "_x9=ok|" },
	{ "A=inner  blanks kept\n", "A=inner  blanks kept|" },
	{ "A='single  quoted '\n", "A=single  quoted |" },
	{ "A='no \\n escapes \\' here\n", "A=no \\n escapes \\here|" },
	{ "A=\"dq \\\"q\\\" \\\\ \\$HOME \\` \\n\"\n",
	  "A=dq \"q\" \\ $HOME ` \\n|" },
	{ "A=\"$HOME is not expanded\"\n", "A=$HOME is not expanded|" },
	{ "A=\"two\nlines\"\n", "A=two\nlines|" },
	{ "A='two\nlines'\nB=3\n", "A=two\nlines|B=3|" },
	{ "A=one\\\ntwo\n", "A=onetwo|" },
	{ "A=one \\\n  two\n", "A=one   two|" },
	{ "A=\\\ntwo\n", "A=two|" },
	{ "A=\"dq \\\ncontinued\"\n", "A=dq continued|" },
	{ "A=\"x\" 'y' z\n", "A=xyz|" },
	{ "A=\"x \"  \n", "A=x |" },
	{ "A=x \"y\"\n", "A=x \"y\"|" },
	{ "A=\\ lead\n", "A= lead|" },
	{ "A=trail\\ \n", "A=trail |" },
	{ "A=back\\\\slash\n", "A=back\\slash|" },
	{ "A=\\", "A=|" },
	{ "A=\"\"\n", "A=|" },
	{ "A='it'\\''s'\n", "A=it''s'|" },
	{ "A=1\r\nB=2\r\n", "A=1|B=2|" },
	{ "A=1\nA=2\n", "A=1|A=2|" },
	{ "A=caf\xc3\xa9 \xe2\x82\xac\n", "A=caf\xc3\xa9 \xe2\x82\xac|" },
	{ "# caf\xe9 in Latin-1, in a comment only\nA=1\n", "A=1|" },
};

static void test_parse_good(void **state)
{
	struct envfile_error err;
	struct collect c;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good_files); i++) {
		const char *t = good_files[i].text;

		r = parse(t, strlen(t), &c, &err);
		if (r != 0)
			fail_msg("file %zu refused at line %u: %s", i, err.line,
				 err.what);
		if (strcmp(c.text, good_files[i].want) != 0)
			fail_msg("file %zu gave '%s', not '%s'", i, c.text,
				 good_files[i].want);
	}
}

struct bad_file {
	const char *text;
	size_t len;		/* 0: strlen */
	unsigned line;
	const char *what;	/* a word of the reason */
	const char *before;	/* what was handed on before the refusal */
};

static const struct bad_file bad_files[] = {
	{ "A\n", 0, 1, "'='", "" },
	{ "A=1\nB\n", 0, 2, "'='", "A=1|" },
	{ "A=1\n\nB", 0, 3, "'='", "A=1|" },
	{ "1A=x\n", 0, 1, "name", "" },
	{ "A-B=x\n", 0, 1, "name", "" },
	{ "A B=x\n", 0, 1, "name", "" },
	{ "A.B=x\n", 0, 1, "name", "" },
	{ "=x\n", 0, 1, "name", "" },
	{ "\xc3\xa9=x\n", 0, 1, "name", "" },
	{ "A=1\nexport B=2\n", 0, 2, "export", "A=1|" },
	{ "export\tB=2\n", 0, 1, "export", "" },
	{ "A=1\nB=\"open\n\nC=2\n", 0, 2, "quote", "A=1|" },
	{ "A='x", 0, 1, "quote", "" },
	{ "A=\"x\\", 0, 1, "quote", "" },
	{ "A=x\0y\n", 6, 1, "NUL", "" },
	{ "A=1\n#\0\n", 7, 2, "NUL", "A=1|" },
	{ "A=1\nB=\xff\n", 0, 2, "UTF-8", "A=1|" },
	{ "A=\"multi\n\xc3\"\n", 0, 1, "UTF-8", "" },
	{ "A=\xed\xa0\x80\n", 0, 1, "UTF-8", "" },
	{ "A=ok\n  B C = 1\n", 0, 2, "name", "A=ok|" },
};

static void test_parse_bad(void **state)
{
	struct envfile_error err;
	struct collect c;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad_files); i++) {
		const struct bad_file *b = &bad_files[i];
		size_t len = b->len ? b->len : strlen(b->text);

		r = parse(b->text, len, &c, &err);
		if (r != -EINVAL)
			fail_msg("file %zu: %d, not refused", i, r);
		if (err.line != b->line || !err.what ||
		    !strstr(err.what, b->what))
			fail_msg("file %zu: line %u '%s', not line %u '%s'", i,
				 err.line, err.what ? err.what : "(null)",
				 b->line, b->what);
		assert_string_equal(c.text, b->before);
	}
}

/* What the callback returns stops the parse and is passed back. */
static void test_callback_error(void **state)
{
	const char *t = "A=1\nB=2\nC=3\n";
	struct envfile_error err;
	struct collect c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.fail_at = 2;
	assert_int_equal(envfile_parse(t, strlen(t), collect, &c, &err),
			 -ENOSPC);
	assert_int_equal(c.calls, 2);
	assert_string_equal(c.text, "A=1|");
}

static void test_name_valid(void **state)
{
	(void)state;
	assert_true(envfile_name_valid("PATH", 4));
	assert_true(envfile_name_valid("_", 1));
	assert_true(envfile_name_valid("a1_B", 4));
	assert_false(envfile_name_valid("", 0));
	assert_false(envfile_name_valid("1A", 2));
	assert_false(envfile_name_valid("A=B", 3));
	assert_false(envfile_name_valid("A-B", 3));
	assert_true(envfile_name_valid("AB=", 2));	/* only len bytes */
}

/* ------------------------------------------------------------ the list */

static size_t count(const struct envfile_env *e)
{
	size_t n = 0;

	while (e->vars[n])
		n++;
	return n;
}

static void test_env_list(void **state)
{
	char *from[] = { "A=1", "B=2", "A=3", "NOEQ", "=x", "C=", NULL };
	struct envfile_env e;

	(void)state;
	assert_int_equal(envfile_env_init(&e, from, false), 0);
	assert_int_equal(e.n, 3);
	assert_int_equal(count(&e), 3);
	/* The first of two with one name: the one getenv() would see. */
	assert_string_equal(envfile_env_get(&e, "A"), "1");
	assert_string_equal(envfile_env_get(&e, "C"), "");
	assert_null(envfile_env_get(&e, "NOEQ"));

	assert_int_equal(envfile_env_set(&e, "A", "9"), 0);
	assert_int_equal(envfile_env_set(&e, "D", "x=y"), 0);
	assert_int_equal(e.n, 4);
	assert_string_equal(envfile_env_get(&e, "A"), "9");
	assert_string_equal(e.vars[0], "A=9");
	assert_string_equal(e.vars[3], "D=x=y");
	envfile_env_unset(&e, "B");
	envfile_env_unset(&e, "NOSUCH");
	assert_int_equal(e.n, 3);
	assert_int_equal(count(&e), 3);
	assert_null(envfile_env_get(&e, "B"));
	/* A prefix of a name is not the name. */
	assert_null(envfile_env_get(&e, "D="));
	assert_int_equal(envfile_env_set(&e, "1X", "v"), -EINVAL);
	assert_int_equal(envfile_env_set(&e, "X=Y", "v"), -EINVAL);
	assert_int_equal(envfile_env_set(&e, "", "v"), -EINVAL);
	assert_int_equal(e.n, 3);
	envfile_env_free(&e);
	assert_null(e.vars);
}

/*
 * The caller's environment is read, never changed: replacing or removing
 * one of its variables in the list leaves the caller's strings and
 * vector as they were (a free() of one would fail here under ASan).
 */
static void test_env_leaves_caller(void **state)
{
	char a[] = "A=1", b[] = "B=2";
	char *from[] = { a, b, NULL };
	struct envfile_env e;

	(void)state;
	assert_int_equal(envfile_env_init(&e, from, false), 0);
	assert_ptr_equal(e.vars[1], b);
	assert_int_equal(envfile_env_set(&e, "A", "9"), 0);
	envfile_env_unset(&e, "B");
	assert_int_equal(count(&e), 1);
	assert_string_equal(e.vars[0], "A=9");
	envfile_env_free(&e);
	assert_ptr_equal(from[0], a);
	assert_ptr_equal(from[1], b);
	assert_null(from[2]);
	assert_string_equal(a, "A=1");
	assert_string_equal(b, "B=2");
}

/* Growing past the first allocation keeps every entry and the NULL. */
static void test_env_grows(void **state)
{
	struct envfile_env e;
	char name[16];
	int i;

	(void)state;
	assert_int_equal(envfile_env_init(&e, NULL, false), 0);
	assert_int_equal(e.n, 0);
	assert_null(e.vars[0]);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "V%d", i);
		assert_int_equal(envfile_env_set(&e, name, name), 0);
	}
	assert_int_equal(count(&e), 100);
	assert_string_equal(envfile_env_get(&e, "V57"), "V57");
	envfile_env_free(&e);
}

/* --clear-env: nothing of the caller's environment, only the PATH. */
static void test_clear_env(void **state)
{
	struct envfile_env e;

	(void)state;
	assert_int_equal(setenv("DCTL_CALLER_ONLY", "secret", 1), 0);
	assert_int_equal(envfile_env_init(&e, environ, false), 0);
	assert_string_equal(envfile_env_get(&e, "DCTL_CALLER_ONLY"), "secret");
	envfile_env_free(&e);

	assert_int_equal(envfile_env_init(&e, environ, true), 0);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.vars[0], "PATH=" ENVFILE_DEFAULT_PATH);
	assert_null(e.vars[1]);
	envfile_env_free(&e);
	unsetenv("DCTL_CALLER_ONLY");
}

/* ----------------------------------------------------------- real files */

static char *write_file(const char *dir, const char *name, const char *text,
			size_t len)
{
	char *path;
	int fd;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

static const char sample[] =
	"# The service's settings\n"
	"; another comment\n"
	"\n"
	"LISTEN=127.0.0.1:8080\n"
	"URL=\"http://example.org/?a=1&b=2\"\n"
	"GREETING='hello,   world'\n"
	"OPTS=--verbose \\\n"
	"  --color=never\n"
	"MOTD=\"line one\n"
	"line two\"\n"
	"EMPTY=\n";

static void test_load(void **state)
{
	char *dir = unit_tmpdir(), *a, *b;
	struct envfile_error err;
	struct envfile_env e;

	(void)state;
	assert_non_null(dir);
	a = write_file(dir, "a.env", sample, strlen(sample));
	b = write_file(dir, "b.env", "LISTEN=0.0.0.0:80\nNEW=1\n", 24);

	assert_int_equal(envfile_env_init(&e, NULL, true), 0);
	assert_int_equal(envfile_load(&e, a, &err), 0);
	assert_string_equal(envfile_env_get(&e, "LISTEN"), "127.0.0.1:8080");
	assert_string_equal(envfile_env_get(&e, "URL"),
			    "http://example.org/?a=1&b=2");
	assert_string_equal(envfile_env_get(&e, "GREETING"), "hello,   world");
	assert_string_equal(envfile_env_get(&e, "OPTS"),
			    "--verbose   --color=never");
	assert_string_equal(envfile_env_get(&e, "MOTD"), "line one\nline two");
	assert_string_equal(envfile_env_get(&e, "EMPTY"), "");
	assert_int_equal(e.n, 7);	/* PATH and the six */

	/* A later file wins, in place. */
	assert_int_equal(envfile_load(&e, b, &err), 0);
	assert_string_equal(envfile_env_get(&e, "LISTEN"), "0.0.0.0:80");
	assert_string_equal(envfile_env_get(&e, "NEW"), "1");
	assert_int_equal(e.n, 8);
	assert_int_equal(count(&e), 8);
	envfile_env_free(&e);
	free(a);
	free(b);
	unit_rmtree(dir);
}

/* A refused file changes nothing, and says where. */
static void test_load_malformed(void **state)
{
	static const char text[] = "A=1\nB=2\nexport C=3\n";
	char *dir = unit_tmpdir(), *path;
	struct envfile_error err;
	struct envfile_env e;

	(void)state;
	path = write_file(dir, "bad.env", text, strlen(text));
	assert_int_equal(envfile_env_init(&e, NULL, false), 0);
	assert_int_equal(envfile_env_set(&e, "A", "0"), 0);
	assert_int_equal(envfile_load(&e, path, &err), -EINVAL);
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.what, "export"));
	assert_int_equal(e.n, 1);
	assert_string_equal(envfile_env_get(&e, "A"), "0");
	envfile_env_free(&e);
	free(path);
	unit_rmtree(dir);
}

static void expect_refused(const char *path, int want, const char *what)
{
	struct envfile_error err;
	struct envfile_env e;
	int r;

	assert_int_equal(envfile_env_init(&e, NULL, false), 0);
	r = envfile_load(&e, path, &err);
	if (r != want)
		fail_msg("%s: %d, not %d", path, r, want);
	assert_int_equal(err.line, 0);
	assert_non_null(err.what);
	assert_non_null(strstr(err.what, what));
	assert_int_equal(e.n, 0);
	envfile_env_free(&e);
}

/* Never a FIFO (it would block), a directory or a device; a symlink to a
 * regular file is followed. */
static void test_load_file_types(void **state)
{
	char *dir = unit_tmpdir(), *real, *fifo, *link, *badlink, *missing;
	struct envfile_error err;
	struct envfile_env e;

	(void)state;
	real = write_file(dir, "real.env", "X=1\n", 4);
	assert_true(asprintf(&fifo, "%s/fifo.env", dir) > 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_true(asprintf(&link, "%s/link.env", dir) > 0);
	assert_int_equal(symlink("real.env", link), 0);
	assert_true(asprintf(&badlink, "%s/tofifo.env", dir) > 0);
	assert_int_equal(symlink("fifo.env", badlink), 0);
	assert_true(asprintf(&missing, "%s/missing.env", dir) > 0);

	assert_int_equal(envfile_env_init(&e, NULL, false), 0);
	assert_int_equal(envfile_load(&e, link, &err), 0);
	assert_string_equal(envfile_env_get(&e, "X"), "1");
	envfile_env_free(&e);

	expect_refused(fifo, -ENXIO, "regular");
	expect_refused(badlink, -ENXIO, "regular");
	expect_refused(dir, -EISDIR, "regular");
	expect_refused("/dev/null", -ENXIO, "regular");
	expect_refused(missing, -ENOENT, "open");
	free(real);
	free(fifo);
	free(link);
	free(badlink);
	free(missing);
	unit_rmtree(dir);
}

static void test_load_too_big(void **state)
{
	char *dir = unit_tmpdir(), *path, *text;
	size_t len = ENVFILE_MAX_SIZE + 2, i;

	(void)state;
	text = malloc(len);
	assert_non_null(text);
	/* A valid file, just too long: comment lines. */
	for (i = 0; i < len; i++)
		text[i] = i % 64 == 63 ? '\n' : '#';
	path = write_file(dir, "big.env", text, len);
	expect_refused(path, -EFBIG, "1 MiB");
	free(path);
	/* Exactly the limit is fine. */
	path = write_file(dir, "limit.env", text, ENVFILE_MAX_SIZE);
	{
		struct envfile_error err;
		struct envfile_env e;

		assert_int_equal(envfile_env_init(&e, NULL, false), 0);
		assert_int_equal(envfile_load(&e, path, &err), 0);
		envfile_env_free(&e);
	}
	free(path);
	free(text);
	unit_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_callback_error),
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_env_list),
		cmocka_unit_test(test_env_leaves_caller),
		cmocka_unit_test(test_env_grows),
		cmocka_unit_test(test_clear_env),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_load_malformed),
		cmocka_unit_test(test_load_file_types),
		cmocka_unit_test(test_load_too_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
