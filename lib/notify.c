/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sd_notify protocol, both ends.
 *
 * Receiver (daemon-start --notify-await): a datagram socket bound in a
 * fresh 0700 directory, so that only we and the daemon can reach it, with
 * SO_PASSCRED so that every datagram tells who sent it. The parser is
 * strict about the variables it knows and ignores the others, as systemd
 * does, so a daemon written for systemd works unchanged.
 *
 * Sender (dctl_notify): what sd_notify(3) does, without libsystemd.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "daemonctl.h"
#include "notify.h"
#include "util.h"

/* The largest errno the kernel ever returns (MAX_ERRNO). */
#define NOTIFY_ERRNO_MAX 4095
/* The kernel passes at most this many descriptors in one message. */
#define NOTIFY_FDS_MAX 253

/* ------------------------------------------------------------ receiver */

static const char *notify_tmpdir(void)
{
	const char *t = secure_getenv("TMPDIR");

	/* A relative TMPDIR would depend on the cwd, which the daemon leaves. */
	if (!t || t[0] != '/')
		return "/tmp";
	return t;
}

int notify_sock_open(struct notify_sock *ns)
{
	static const char leaf[] = "/notify";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int one = 1, n, err;
	size_t dlen;

	ns->fd = -1;
	ns->dir[0] = '\0';
	ns->path[0] = '\0';

	n = snprintf(ns->dir, sizeof(ns->dir), "%s/dctl-notify.XXXXXX",
		     notify_tmpdir());
	if (n < 0 || (size_t)n >= sizeof(ns->dir))
		goto too_long;
	dlen = (size_t)n;
	if (dlen + sizeof(leaf) > sizeof(ns->path) ||
	    dlen + sizeof(leaf) > sizeof(sa.sun_path))
		goto too_long;

	if (!mkdtemp(ns->dir)) {
		err = -errno;
		ns->dir[0] = '\0';
		return err;
	}
	memcpy(ns->path, ns->dir, dlen);
	memcpy(ns->path + dlen, leaf, sizeof(leaf));
	/* mkdtemp's mode is filtered by the umask: make it exactly 0700. */
	if (chmod(ns->dir, 0700) < 0)
		goto fail;

	ns->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ns->fd < 0)
		goto fail;
	if (setsockopt(ns->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		goto fail;
	memcpy(sa.sun_path, ns->path, strlen(ns->path) + 1);
	if (bind(ns->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	/* Independent of the umask too; the directory keeps others out. */
	if (chmod(ns->path, 0600) < 0)
		goto fail;
	return 0;

fail:
	err = -errno;
	notify_sock_close(ns);
	return err;
too_long:
	ns->dir[0] = '\0';
	return -ENAMETOOLONG;
}

void notify_sock_close(struct notify_sock *ns)
{
	int saved = errno;

	if (ns->fd >= 0)
		close(ns->fd);
	ns->fd = -1;
	if (ns->path[0])
		unlink(ns->path);
	ns->path[0] = '\0';
	if (ns->dir[0])
		rmdir(ns->dir);
	ns->dir[0] = '\0';
	errno = saved;
}

int notify_sock_chown(const struct notify_sock *ns, uid_t uid, gid_t gid)
{
	if (ns->fd < 0 || !ns->dir[0])
		return -EBADF;
	if (chown(ns->dir, uid, gid) < 0 || chown(ns->path, uid, gid) < 0)
		return -errno;
	return 0;
}

/*
 * A decimal in 0..max, digits only: no sign, no blanks, no leading zero
 * (a value written by a program, never by hand, has none).
 */
static int notify_decimal(const char *s, size_t len, unsigned long long max,
			  unsigned long long *out)
{
	unsigned long long v = 0;
	unsigned d;
	size_t i;

	if (len == 0 || (s[0] == '0' && len > 1))
		return -EBADMSG;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EBADMSG;
		d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return -EBADMSG;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/*
 * Keep a STATUS= text for display: cut to fit without splitting a UTF-8
 * sequence, and no control character (it ends up on a terminal).
 */
static void notify_copy_status(char *dst, size_t size, const char *src,
			       size_t len)
{
	size_t n = len, i;
	unsigned char c;

	if (n > size - 1) {
		n = size - 1;
		/* Cut before a UTF-8 character that would not fit whole; such
		 * a character starts at most 3 bytes back, so a run of stray
		 * continuation bytes cannot empty the text. */
		while (n > 0 && n + 3 > size - 1 &&
		       ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++) {
		c = (unsigned char)src[i];
		dst[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	dst[n] = '\0';
}

static bool notify_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* One VAR=VALUE line into m. */
static int notify_assign(const char *line, size_t len, struct notify_msg *m)
{
	const char *eq = memchr(line, '=', len);
	const char *val;
	unsigned long long v;
	size_t klen, vlen;

	if (!eq || eq == line)
		return -EBADMSG;
	klen = (size_t)(eq - line);
	val = eq + 1;
	vlen = len - klen - 1;

	if (notify_is(line, klen, "READY")) {
		if (!notify_is(val, vlen, "1"))
			return -EBADMSG;
		m->ready = true;
	} else if (notify_is(line, klen, "STOPPING")) {
		if (!notify_is(val, vlen, "1"))
			return -EBADMSG;
		m->stopping = true;
	} else if (notify_is(line, klen, "STATUS")) {
		notify_copy_status(m->status, sizeof(m->status), val, vlen);
		m->has_status = true;
	} else if (notify_is(line, klen, "ERRNO")) {
		if (notify_decimal(val, vlen, NOTIFY_ERRNO_MAX, &v) < 0 ||
		    v == 0)
			return -EBADMSG;
		m->err = (int)v;
		m->has_errno = true;
	} else if (notify_is(line, klen, "MAINPID")) {
		if (notify_decimal(val, vlen, (unsigned long long)util_pid_max(),
				   &v) < 0 || v < 2)
			return -EBADMSG;
		m->mainpid = (pid_t)v;
		m->has_mainpid = true;
	} else if (notify_is(line, klen, "EXTEND_TIMEOUT_USEC")) {
		if (notify_decimal(val, vlen, ULLONG_MAX, &v) < 0)
			return -EBADMSG;
		m->extend_usec = v;
		m->has_extend = true;
	}
	/* Anything else (WATCHDOG=1, RELOADING=1, FDSTORE=1...) is ignored. */
	return 0;
}

int notify_parse(const char *buf, size_t len, struct notify_msg *m)
{
	struct notify_msg t = *m;
	const char *line = buf, *end = buf + len, *nl;
	size_t n;
	int r;

	if (len > NOTIFY_DATAGRAM_MAX || memchr(buf, '\0', len))
		return -EBADMSG;
	while (line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		if (n > 0) {
			r = notify_assign(line, n, &t);
			if (r < 0)
				return r;
		}
		line += n + 1;
	}
	*m = t;
	return 0;
}

/* The sender's PID from the control messages; close any passed fds. */
static pid_t notify_scan_cmsgs(struct msghdr *mh)
{
	struct cmsghdr *c;
	struct ucred uc;
	pid_t pid = 0;
	size_t i, nfds;
	int fd;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof(uc))) {
			memcpy(&uc, CMSG_DATA(c), sizeof(uc));
			pid = uc.pid;
		} else if (c->cmsg_type == SCM_RIGHTS) {
			nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (i = 0; i < nfds; i++) {
				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
				       sizeof(int));
				close(fd);
			}
		}
	}
	return pid;
}

int notify_recv_from(int fd, pid_t want, pid_t *sender, struct notify_msg *m)
{
	char buf[NOTIFY_DATAGRAM_MAX];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct ucred)) +
			 CMSG_SPACE(sizeof(int) * NOTIFY_FDS_MAX)];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = &ctl,
		.msg_controllen = sizeof(ctl),
	};
	ssize_t n;
	pid_t pid;

	if (sender)
		*sender = 0;
	do {
		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	pid = notify_scan_cmsgs(&mh);
	if (sender)
		*sender = pid;
	if (mh.msg_flags & MSG_TRUNC)
		return -EBADMSG;
	if (want > 0 && pid != want)
		return -EPERM;
	return notify_parse(buf, (size_t)n, m);
}

int notify_recv(int fd, pid_t *sender, struct notify_msg *m)
{
	return notify_recv_from(fd, 0, sender, m);
}

/* -------------------------------------------------------------- sender */

/* "/path" or "@abstract" into an address; anything else is refused. */
static int notify_addr(const char *e, struct sockaddr_un *sa, socklen_t *len)
{
	size_t n = strlen(e);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (e[0] == '/') {
		if (n >= sizeof(sa->sun_path))
			return -ENAMETOOLONG;
		memcpy(sa->sun_path, e, n + 1);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
		return 0;
	}
	if (e[0] == '@' && n > 1) {
		/* Abstract: a leading NUL, the name, no terminator. */
		if (n > sizeof(sa->sun_path))
			return -ENAMETOOLONG;
		memcpy(sa->sun_path + 1, e + 1, n - 1);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
		return 0;
	}
	return -EINVAL;
}

static int notify_send(int fd, const struct sockaddr_un *sa, socklen_t salen,
		       const char *state)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	struct iovec iov = {
		.iov_base = (void *)state,
		.iov_len = strlen(state),
	};
	struct msghdr mh = {
		.msg_name = (void *)sa,
		.msg_namelen = salen,
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = &ctl,
		.msg_controllen = sizeof(ctl),
	};
	struct ucred uc = {
		.pid = getpid(),
		.uid = geteuid(),
		.gid = getegid(),
	};
	struct cmsghdr *c;
	ssize_t n;

	memset(&ctl, 0, sizeof(ctl));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(uc));
	memcpy(CMSG_DATA(c), &uc, sizeof(uc));

	/*
	 * Never block: a supervisor that stopped reading must not hang the
	 * daemon. If the kernel refuses the explicit credentials (odd
	 * namespace setups), send without: a receiver with SO_PASSCRED is
	 * given ours by the kernel anyway.
	 */
	for (;;) {
		n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EPERM && mh.msg_control) {
			mh.msg_control = NULL;
			mh.msg_controllen = 0;
			continue;
		}
		return -errno;
	}
}

int dctl_notify(const char *state)
{
	struct sockaddr_un sa;
	socklen_t salen;
	const char *e;
	int fd, r;

	if (!state || !state[0])
		return -EINVAL;
	e = getenv("NOTIFY_SOCKET");
	/* Empty counts as unset: "NOTIFY_SOCKET=" in a script means none. */
	if (!e || !e[0])
		return 0;
	r = notify_addr(e, &sa, &salen);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = notify_send(fd, &sa, salen, state);
	close(fd);
	return r < 0 ? r : 1;
}

int dctl_notify_ready(void)
{
	return dctl_notify("READY=1");
}
