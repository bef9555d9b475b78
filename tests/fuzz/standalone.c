/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A main() for a fuzz target without libFuzzer: feed it every file of its
 * seed corpus once (or the files and directories named on the command
 * line) and say so in TAP. make check builds each target with this and the
 * ordinary compiler, so the seeds, and every crash input kept among them,
 * are replayed on every build, also where clang is missing. A broken
 * invariant aborts, which the TAP driver reports as an error.
 *
 * FUZZ_TARGET names the corpus: $DCTL_SRCDIR/tests/fuzz/corpus/FUZZ_TARGET.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET must name the target, e.g. -DFUZZ_TARGET='\"pid\"'"
#endif

/* Seeds are small; a bigger file is a mistake in the corpus. */
#define SEED_MAX (1 << 20)

static int tests;

/* Read all of path (at most SEED_MAX bytes) into a fresh buffer. */
static int read_file(const char *path, uint8_t **data, size_t *size)
{
	uint8_t *buf = malloc(SEED_MAX);
	size_t n = 0;
	ssize_t r = 0;
	int fd, err;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(buf);
		return err;
	}
	while (n < SEED_MAX) {
		r = read(fd, buf + n, SEED_MAX - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	err = r < 0 ? -errno : 0;
	close(fd);
	if (err == 0 && n == SEED_MAX)
		err = -EFBIG;
	if (err) {
		free(buf);
		return err;
	}
	*data = buf;
	*size = n;
	return 0;
}

/* "schedule/crash-x" rather than the whole path, in the TAP lines. */
static const char *seed_name(const char *path)
{
	const char *at = strstr(path, "/corpus/");

	return at ? at + 8 : path;
}

static int run_file(const char *path)
{
	const char *name = seed_name(path);
	uint8_t *data = NULL, *copy;
	size_t size = 0;
	int r;

	r = read_file(path, &data, &size);
	if (r < 0) {
		printf("not ok %d - %s: %s\n", ++tests, name, strerror(-r));
		return 1;
	}
	/* Exactly size bytes, as libFuzzer passes them. */
	copy = malloc(size ? size : 1);
	if (!copy) {
		free(data);
		printf("not ok %d - %s: out of memory\n", ++tests, name);
		return 1;
	}
	memcpy(copy, data, size);
	free(data);
	/* Named first: if it aborts, the log says which input did it. */
	printf("# %s\n", name);
	fflush(stdout);
	LLVMFuzzerTestOneInput(copy, size);
	free(copy);
	printf("ok %d - %s (%zu bytes)\n", ++tests, name, size);
	return 0;
}

static int skip_entry(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* Every regular file of dir, in name order. */
static int run_dir(const char *dir)
{
	struct dirent **list;
	char path[PATH_MAX];
	struct stat st;
	int n, i, failed = 0;

	n = scandir(dir, &list, skip_entry, alphasort);
	if (n < 0) {
		printf("not ok %d - %s: %s\n", ++tests, dir, strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			failed += run_file(path);
		free(list[i]);
	}
	free(list);
	return failed;
}

static int run_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return run_dir(path);
	return run_file(path);
}

int main(int argc, char **argv)
{
	const char *src = getenv("DCTL_SRCDIR");
	char dir[PATH_MAX];
	int i, failed = 0;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			failed += run_path(argv[i]);
	} else {
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s",
			 src && *src ? src : ".", FUZZ_TARGET);
		failed = run_dir(dir);
	}
	printf("1..%d\n", tests);
	return failed ? 1 : 0;
}
