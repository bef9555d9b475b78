/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The daemon's output files (--stdout, --stderr, -O), opened for append in
 * the caller: before any privilege drop, so that a daemon running as
 * nobody can still log where root said, and once the pidfile is locked,
 * so that a start that finds the daemon running creates no empty log.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "spawn.h"
#include "util.h"

/*
 * Open for append; a file we create is 0640 whatever the caller's umask.
 * O_NONBLOCK so that a FIFO without a reader is -ENXIO instead of a hang;
 * the daemon then gets an ordinary, blocking descriptor.
 */
static int open_append(const char *path)
{
	const int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY |
			  O_NONBLOCK;
	int fd, e;

	fd = open(path, flags | O_CREAT | O_EXCL, 0640);
	if (fd >= 0 && fchmod(fd, 0640) < 0)
		goto fail;
	if (fd < 0 && errno != EEXIST)
		return -errno;
	if (fd < 0 && (fd = open(path, flags)) < 0)
		return -errno;
	if (fcntl(fd, F_SETFL, flags & ~O_NONBLOCK & ~O_CLOEXEC) < 0)
		goto fail;
	return fd;
fail:
	e = -errno;
	close(fd);
	return e;
}

/* The directory that holds path ("." for a bare name) into buf. */
static void parent_dir(const char *path, char *buf, size_t size)
{
	char *slash;

	snprintf(buf, size, "%s", path);
	slash = strrchr(buf, '/');
	if (!slash)
		snprintf(buf, size, ".");
	else if (slash == buf)
		buf[1] = '\0';
	else
		*slash = '\0';
}

/*
 * Open an output file for append, created 0640, here in the caller and
 * before any privilege drop. In test mode, only check it could be.
 */
static int open_output(struct spawn *s, const char *path, int *fd)
{
	char dir[PATH_MAX];

	*fd = -1;
	if (!path)
		return 0;
	if (!s->o->test) {
		*fd = open_append(path);
		if (*fd == -ENXIO)
			return spawn_fail(s, DCTL_STAGE_VALIDATE, ENXIO,
					  "cannot open output file %s: no process reads it",
					  path);
		if (*fd < 0)
			return spawn_fail(s, DCTL_STAGE_VALIDATE, -*fd,
					  "cannot open output file %s: %s", path,
					  spawn_errstr(s, -*fd));
		return 0;
	}
	if (access(path, F_OK) == 0) {
		if (access(path, W_OK) < 0)
			return spawn_fail(s, DCTL_STAGE_VALIDATE, errno,
					  "cannot open output file %s: %s", path,
					  spawn_errstr(s, errno));
		return 0;
	}
	parent_dir(path, dir, sizeof(dir));
	if (access(dir, W_OK | X_OK) < 0)
		return spawn_fail(s, DCTL_STAGE_VALIDATE, errno,
				  "cannot create output file %s: %s", path,
				  spawn_errstr(s, errno));
	return 0;
}

/*
 * A stream the log keeper takes gets its pipe (made once, for every run);
 * any other its file, or nothing (/dev/null).
 */
static int open_stream(struct spawn *s, bool err, int *fd)
{
	*fd = output_run_fd(s, err);
	if (*fd < -1)
		return *fd;
	if (*fd >= 0)
		return 0;
	return open_output(s, err ? s->o->stderr_path : s->o->stdout_path, fd);
}

/* Both, and one open file for both when they name the same path. */
int outfile_open_all(struct spawn *s)
{
	const struct spawn_opts *o = s->o;
	int e;

	if ((e = output_open(s)) || (e = open_stream(s, false, &s->out_fd)))
		return e;
	if (s->keep)
		return open_stream(s, true, &s->err_fd);
	/* The same file for both (-O): one description, shared offset. */
	if (o->stderr_path && o->stdout_path && s->out_fd >= 0 &&
	    strcmp(o->stderr_path, o->stdout_path) == 0) {
		s->err_fd = fcntl(s->out_fd, F_DUPFD_CLOEXEC, 3);
		if (s->err_fd < 0)
			return spawn_fail(s, DCTL_STAGE_VALIDATE, errno,
					  "cannot open output file %s: %s",
					  o->stderr_path,
					  spawn_errstr(s, errno));
		return 0;
	}
	return open_stream(s, true, &s->err_fd);
}
