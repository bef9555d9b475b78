/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Process matching for the start-stop-daemon front end, as dpkg's
 * start-stop-daemon does it on Linux, with what it gets wrong left out:
 *
 *  --exec   the device and inode of the running executable equal those of
 *           the file named. After an upgrade replaced the binary, the
 *           kernel's exe link reads "PATH (deleted)"; dpkg then strips the
 *           marker and compares the file now at PATH, so a daemon still
 *           running the old binary matches the new one. We do the same.
 *  --name   the process name (the "comm" of /proc/PID/stat, which the
 *           kernel cuts to 15 bytes), compared whole. dpkg never matches a
 *           longer --name; we compare its first 15 bytes, which is all the
 *           kernel kept of the name the process was given.
 *  --user   the owner of the process: dpkg takes the owner of the
 *           /proc/PID directory, which is the effective uid; we read the
 *           same id from the "Uid:" line of /proc/PID/status.
 *  --ppid   the parent PID.
 *
 * dpkg counts zombies as running and may match PID 1, kernel threads, or
 * the very shell that runs the init script; none of these ever match here.
 *
 * At the end, struct dctl_scan: the public object over these calls, whose
 * results a struct dctl_stop can stop (dctl_stop_set_scan()).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "daemonctl.h"
#include "proc.h"
#include "scan.h"
#include "util.h"

#define DELETED_MARK " (deleted)"
/* How far up the chain of our ancestors we look. */
#define ANCESTORS_MAX 128

void scan_match_init(struct scan_match *m)
{
	memset(m, 0, sizeof(*m));
	m->uid = (uid_t)-1;
}

int scan_match_exec(struct scan_match *m, const char *path)
{
	struct stat sb;

	if (!path || !*path)
		return -EINVAL;
	if (stat(path, &sb) < 0)
		return -errno;
	m->exe = true;
	m->exe_dev = sb.st_dev;
	m->exe_ino = sb.st_ino;
	return 0;
}

bool scan_match_given(const struct scan_match *m)
{
	return m->exe || m->name || m->uid != (uid_t)-1 || m->ppid > 0;
}

static bool same_file(const struct stat *sb, const struct scan_match *m)
{
	return sb->st_dev == m->exe_dev && sb->st_ino == m->exe_ino;
}

/* The file the exe link named before it was unlinked, compared now. */
static bool deleted_exe_matches(pid_t pid, const struct scan_match *m)
{
	char link[PATH_MAX];
	size_t len, mark = strlen(DELETED_MARK);
	struct stat sb;

	if (proc_exe(pid, link, sizeof(link)) < 0)
		return false;
	len = strlen(link);
	if (len <= mark || strcmp(link + len - mark, DELETED_MARK) != 0)
		return false;
	link[len - mark] = '\0';
	return stat(link, &sb) == 0 && same_file(&sb, m);
}

static bool exe_matches(pid_t pid, const struct scan_match *m)
{
	char path[48];
	struct stat sb;

	/* The link itself leads to the inode running, deleted or not. */
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (stat(path, &sb) == 0 && same_file(&sb, m))
		return true;
	return deleted_exe_matches(pid, m);
}

static bool name_matches(const struct proc_stat *ps, const char *name)
{
	return strncmp(ps->comm, name, PROC_COMM_MAX) == 0 &&
	       (strlen(name) >= PROC_COMM_MAX ||
		ps->comm[strlen(name)] == '\0');
}

static bool uid_matches(pid_t pid, uid_t want)
{
	uid_t uid;

	return proc_euid(pid, &uid) == 0 && uid == want;
}

static bool never_matches(const struct proc_stat *ps)
{
	return ps->pid < 2 || ps->state == 'Z' || ps->state == 'X' ||
	       ps->state == 'x' || (ps->flags & PROC_FLAG_KTHREAD);
}

int scan_pid_matches(pid_t pid, const struct scan_match *m,
		     struct scan_proc *out)
{
	struct proc_stat ps;
	int r;

	if (pid < 2 || !m)
		return pid < 2 ? 0 : -EINVAL;
	r = proc_read_stat(pid, &ps);
	if (r == -ESRCH)
		return 0;
	if (r < 0)
		return r;
	if (never_matches(&ps))
		return 0;
	if (m->ppid > 0 && ps.ppid != m->ppid)
		return 0;
	if (m->name && !name_matches(&ps, m->name))
		return 0;
	if (m->uid != (uid_t)-1 && !uid_matches(pid, m->uid))
		return 0;
	if (m->exe && !exe_matches(pid, m))
		return 0;
	if (out) {
		out->pid = pid;
		out->start_ticks = ps.start_ticks;
	}
	return 1;
}

/* This process and its ancestors, which a scan must never return. */
static size_t our_lineage(pid_t *v, size_t max)
{
	struct proc_stat ps;
	pid_t pid = getpid();
	size_t n = 0;

	while (pid > 1 && n < max) {
		v[n++] = pid;
		if (proc_read_stat(pid, &ps) < 0)
			break;
		pid = ps.ppid;
	}
	return n;
}

static bool in_lineage(pid_t pid, const pid_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == pid)
			return true;
	return false;
}

static pid_t dirent_pid(const struct dirent *d)
{
	char *end;
	long v;

	if (d->d_name[0] < '1' || d->d_name[0] > '9')
		return 0;
	errno = 0;
	v = strtol(d->d_name, &end, 10);
	if (*end || errno || v > INT_MAX)
		return 0;
	return (pid_t)v;
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct scan_proc *)a)->pid;
	pid_t y = ((const struct scan_proc *)b)->pid;

	return (x > y) - (x < y);
}

bool scan_is_ours(pid_t pid)
{
	pid_t lineage[ANCESTORS_MAX];
	size_t n = our_lineage(lineage, ANCESTORS_MAX);

	return pid < 2 || in_lineage(pid, lineage, n);
}

int scan_find(const struct scan_match *m, struct scan_proc **out, size_t *n)
{
	struct util_array found = UTIL_ARRAY_INIT(sizeof(struct scan_proc));
	pid_t lineage[ANCESTORS_MAX];
	struct scan_proc p, *slot;
	size_t nl, seen = 0;
	struct dirent *d;
	DIR *dir;
	pid_t pid;
	int r = 0, saved;

	if (!m || !out || !n || !scan_match_given(m))
		return -EINVAL;
	*out = NULL;
	*n = 0;
	dir = opendir("/proc");
	if (!dir)
		return -errno;
	nl = our_lineage(lineage, ANCESTORS_MAX);
	while (r >= 0 && (d = readdir(dir))) {
		pid = dirent_pid(d);
		if (!pid)
			continue;
		seen++;
		if (in_lineage(pid, lineage, nl))
			continue;
		/* One process we cannot read is not a reason to stop looking. */
		if (scan_pid_matches(pid, m, &p) != 1)
			continue;
		if ((slot = util_array_push(&found)))
			*slot = p;
		else
			r = -ENOMEM;
	}
	/* An empty /proc is one that is not mounted, not one without us. */
	saved = r < 0 ? r : seen ? 0 : -ENOENT;
	closedir(dir);
	if (saved < 0) {
		util_array_free(&found);
		return saved;
	}
	if (found.n > 1)
		qsort(found.v, found.n, sizeof(p), by_pid);
	*out = found.v;
	*n = found.n;
	return 0;
}

/* ---------------------------------------------------- the public object */

struct dctl_scan {
	struct scan_match m;
	char *name;			/* m.name points here */
	pid_t pid;			/* dctl_scan_set_pid(); 0: any */
	unsigned long long pid_ticks;	/* its start time; 0: any */
	char *pidfile;			/* dctl_scan_set_pidfile() */
	struct dctl_status *status;	/* the last run's probe of it */
	struct scan_proc *found;	/* the last run's, ascending PIDs */
	size_t n;
};

int dctl_scan_new(struct dctl_scan **out)
{
	struct dctl_scan *sc;

	if (!out)
		return -EINVAL;
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return -ENOMEM;
	scan_match_init(&sc->m);
	*out = sc;
	return 0;
}

void dctl_scan_free(struct dctl_scan *sc)
{
	if (!sc)
		return;
	free(sc->name);
	free(sc->pidfile);
	dctl_status_free(sc->status);
	free(sc->found);
	free(sc);
}

int dctl_scan_set_exe(struct dctl_scan *sc, const char *path)
{
	if (!sc || (path && !*path))
		return -EINVAL;
	if (!path) {
		sc->m.exe = false;
		return 0;
	}
	return scan_match_exec(&sc->m, path);
}

int dctl_scan_set_name(struct dctl_scan *sc, const char *name)
{
	int r;

	if (!sc || (name && !*name))
		return -EINVAL;
	if ((r = util_set_string(&sc->name, name)) < 0)
		return r;
	sc->m.name = sc->name;
	/* The kernel kept only the first bytes of a longer name. */
	return name && strlen(name) > PROC_COMM_MAX ? 1 : 0;
}

int dctl_scan_set_uid(struct dctl_scan *sc, uid_t uid)
{
	if (!sc)
		return -EINVAL;
	sc->m.uid = uid;
	return 0;
}

int dctl_scan_set_ppid(struct dctl_scan *sc, pid_t ppid)
{
	if (!sc || ppid < 0)
		return -EINVAL;
	sc->m.ppid = ppid;
	return 0;
}

int dctl_scan_set_pid(struct dctl_scan *sc, pid_t pid, uint64_t start_ticks)
{
	if (!sc || pid < 0)
		return -EINVAL;
	sc->pid = pid;
	sc->pid_ticks = pid ? start_ticks : 0;
	return 0;
}

int dctl_scan_set_pidfile(struct dctl_scan *sc, const char *path)
{
	if (!sc || (path && !*path))
		return -EINVAL;
	return util_set_string(&sc->pidfile, path);
}

const struct dctl_status *dctl_scan_get_status(const struct dctl_scan *sc)
{
	return sc ? sc->status : NULL;
}

/*
 * dctl_scan_set_pidfile(): the live process the probe finds there, and
 * only if the file is trusted or the process is named by exe or owner
 * too. Nothing else is looked at, whatever the pidfile says.
 */
static int scan_pidfile(struct dctl_scan *sc)
{
	const struct dctl_status *st;
	int r;

	r = dctl_probe(sc->pidfile, 0, &sc->status);
	if (r < 0)
		return r;
	st = sc->status;
	if (dctl_status_get_state(st) != DCTL_STATE_RUNNING)
		return 0;
	if (!dctl_status_get_trusted(st) && !sc->m.exe &&
	    sc->m.uid == (uid_t)-1)
		return -EACCES;
	sc->pid = dctl_status_get_pid(st);
	sc->pid_ticks = dctl_status_get_start_ticks(st);
	return 0;
}

/* dctl_scan_set_pid(): that one process, if it is still the one meant. */
static int scan_one(struct dctl_scan *sc)
{
	struct scan_proc p;
	int r;

	if (scan_is_ours(sc->pid))
		return -EPERM;
	r = scan_pid_matches(sc->pid, &sc->m, &p);
	if (r <= 0)
		return r;
	if (sc->pid_ticks && p.start_ticks != sc->pid_ticks)
		return 0;
	sc->found = malloc(sizeof(*sc->found));
	if (!sc->found)
		return -ENOMEM;
	sc->found[0] = p;
	sc->n = 1;
	return 0;
}

int dctl_scan_run(struct dctl_scan *sc)
{
	int r;

	if (!sc)
		return -EINVAL;
	free(sc->found);
	sc->found = NULL;
	sc->n = 0;
	dctl_status_free(sc->status);
	sc->status = NULL;
	if (sc->pidfile) {
		if (sc->pid)
			return -EINVAL;
		r = scan_pidfile(sc);
		if (r == 0 && sc->pid)
			r = scan_one(sc);
		/* The pidfile's process, found afresh by the next run. */
		sc->pid = 0;
		sc->pid_ticks = 0;
		return r;
	}
	if (sc->pid)
		return scan_one(sc);
	return scan_find(&sc->m, &sc->found, &sc->n);
}

size_t dctl_scan_get_count(const struct dctl_scan *sc)
{
	return sc ? sc->n : 0;
}

pid_t dctl_scan_get_pid(const struct dctl_scan *sc, size_t i)
{
	if (!sc)
		return -EINVAL;
	return i < sc->n ? sc->found[i].pid : 0;
}

const struct scan_proc *scan_result(const struct dctl_scan *sc, size_t i)
{
	return &sc->found[i];
}
