/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The recipe's pieces, each run in a forked child that reports by its exit
 * status (0: as expected, else the number of the failed check). */
#include "unit.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "daemonctl.h"
#include "recipe.h"

/* Run fn in a child; return its exit status (or 100 + signal). */
static int in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		return 100 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int child_signals(void *arg)
{
	struct sigaction sa;
	sigset_t set;

	(void)arg;
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (recipe_reset_signals())
		return 1;
	sigaction(SIGHUP, NULL, &sa);
	if (sa.sa_handler != SIG_DFL)
		return 2;
	sigaction(SIGINT, NULL, &sa);
	if (sa.sa_handler != SIG_DFL)
		return 3;
	sigprocmask(SIG_SETMASK, NULL, &set);
	if (sigismember(&set, SIGUSR1) || sigismember(&set, SIGTERM))
		return 4;
	return 0;
}

static void test_reset_signals(void **state)
{
	(void)state;
	assert_int_equal(in_child(child_signals, NULL), 0);
}

static int child_close(void *arg)
{
	int fd[6], keep[2], i;

	(void)arg;
	for (i = 0; i < 6; i++)
		if ((fd[i] = open("/dev/null", O_RDONLY)) < 3)
			return 1;
	keep[0] = fd[4];	/* unsorted on purpose */
	keep[1] = fd[1];
	if (recipe_close_fds(keep, 2))
		return 2;
	for (i = 0; i < 6; i++) {
		bool open_now = fcntl(fd[i], F_GETFD) >= 0;

		if (open_now != (i == 1 || i == 4))
			return 10 + i;
	}
	/* 0-2 are never touched. */
	if (fcntl(2, F_GETFD) < 0)
		return 3;
	return 0;
}

static void test_close_fds(void **state)
{
	(void)state;
	assert_int_equal(in_child(child_close, NULL), 0);
}

struct apply_case {
	char dir[256];
	char out[300];
};

static int child_apply(void *arg)
{
	struct apply_case *c = arg;
	struct recipe r;
	enum recipe_step step = RECIPE_STEP_NONE;
	char cwd[256];
	int out, lock, extra, pipe_fd[2];
	mode_t old;
	struct stat st;

	/* A hostile state: stdin closed (so the lock may land on 0), an
	 * odd umask, an extra descriptor. */
	close(0);
	lock = open(c->out, O_RDWR | O_CLOEXEC);	/* lands on 0 */
	out = open(c->out, O_WRONLY | O_APPEND | O_CLOEXEC);
	extra = open("/dev/null", O_RDONLY);
	if (lock != 0 || out < 0 || extra < 0 || pipe2(pipe_fd, O_CLOEXEC))
		return 1;
	umask(077);
	recipe_init(&r);
	r.stdout_fd = out;
	r.stderr_fd = out;
	r.keep_fd = lock;
	r.keep_cloexec[r.n_keep_cloexec++] = pipe_fd[1];
	r.chdir_path = c->dir;
	r.umask = 027;
	if (recipe_apply(&r, &step))
		return 2;
	if (r.keep_fd < 3 || fcntl(r.keep_fd, F_GETFD) != 0)
		return 3;	/* moved out of 0-2, inheritable */
	if (fcntl(r.keep_cloexec[0], F_GETFD) != FD_CLOEXEC)
		return 4;	/* kept, still close-on-exec */
	if (fcntl(extra, F_GETFD) >= 0 && extra != r.keep_fd &&
	    extra != r.keep_cloexec[0])
		return 5;	/* closed */
	if (fstat(0, &st) || !S_ISCHR(st.st_mode))
		return 6;	/* stdin is /dev/null */
	if (write(1, "out\n", 4) != 4 || write(2, "err\n", 4) != 4)
		return 7;
	if (!getcwd(cwd, sizeof(cwd)) || strcmp(cwd, c->dir))
		return 8;
	old = umask(0);
	if (old != 027)
		return 9;
	/* The lock descriptor still names the file. */
	if (pwrite(r.keep_fd, "x", 1, 100) != 1)
		return 10;
	return step == RECIPE_STEP_NONE ? 0 : 11;
}

static void test_apply(void **state)
{
	struct apply_case c;
	char *dir = unit_tmpdir(), text[256] = "";
	FILE *f;

	(void)state;
	assert_non_null(dir);
	snprintf(c.dir, sizeof(c.dir), "%s", dir);
	snprintf(c.out, sizeof(c.out), "%s/out", dir);
	close(open(c.out, O_WRONLY | O_CREAT, 0600));
	assert_int_equal(in_child(child_apply, &c), 0);
	f = fopen(c.out, "r");
	assert_non_null(f);
	assert_int_equal(fread(text, 1, 8, f), 8);
	fclose(f);
	assert_memory_equal(text, "out\nerr\n", 8);
	unit_rmtree(dir);
}

static int child_apply_fails(void *arg)
{
	struct recipe r;
	enum recipe_step step = RECIPE_STEP_NONE;
	int e;

	recipe_init(&r);
	r.chdir_path = arg;
	e = recipe_apply(&r, &step);
	return e == -ENOENT && step == RECIPE_STEP_CHDIR ? 0 : 1;
}

static void test_apply_reports_step(void **state)
{
	(void)state;
	assert_int_equal(in_child(child_apply_fails, "/no/such/dir/at/all"), 0);
}

static void test_step_names(void **state)
{
	(void)state;
	assert_string_equal(recipe_step_str(RECIPE_STEP_CHDIR), "chdir");
	assert_string_equal(recipe_step_str(RECIPE_STEP_EXEC), "exec");
	assert_string_equal(recipe_step_str((enum recipe_step)999),
			    "unknown step");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_signals),
		cmocka_unit_test(test_close_fds),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_apply_reports_step),
		cmocka_unit_test(test_step_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
