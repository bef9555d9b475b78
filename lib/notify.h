/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The receiving side of the sd_notify protocol, used by spawn for
 * --notify-await: a private datagram socket in a fresh 0700 directory, and
 * a strict parser of the datagrams. Internal to the library.
 */
#ifndef DCTL_NOTIFY_H
#define DCTL_NOTIFY_H

#include <stdbool.h>
#include <sys/types.h>
#include <sys/un.h>

struct notify_sock {
	int fd;				/* -1 when closed */
	char dir[108];			/* the private directory */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

/*
 * Create a fresh 0700 directory (under $TMPDIR or /tmp) holding a bound,
 * non-blocking, close-on-exec AF_UNIX datagram socket with SO_PASSCRED on.
 * ns->path is what NOTIFY_SOCKET should be set to. Returns 0 or -errno.
 */
int notify_sock_open(struct notify_sock *ns);

/* Close the socket and remove the socket file and its directory. */
void notify_sock_close(struct notify_sock *ns);

/* What one or more datagrams said; fields accumulate across datagrams. */
struct notify_msg {
	bool ready;			/* READY=1 */
	bool stopping;			/* STOPPING=1 */
	bool has_errno;
	int err;			/* ERRNO= (> 0) */
	bool has_mainpid;
	pid_t mainpid;			/* MAINPID= (>= 2) */
	bool has_status;
	char status[256];		/* STATUS= (cut to fit, controls as ?) */
	bool has_extend;
	unsigned long long extend_usec;	/* EXTEND_TIMEOUT_USEC= */
};

/*
 * Parse one datagram: newline-separated VAR=VALUE assignments. Unknown
 * variables are ignored, as sd_notify receivers do; a malformed value of a
 * known one (READY=2, ERRNO=x, MAINPID=0/1/-5, a NUL byte) makes the whole
 * datagram -EBADMSG, leaving m untouched. Returns 0 or -EBADMSG.
 */
int notify_parse(const char *buf, size_t len, struct notify_msg *m);

/*
 * Receive one datagram without blocking. *sender is the PID from its
 * SCM_CREDENTIALS (0 if none came). Returns 0 (m updated), -EAGAIN when
 * nothing is queued, -EBADMSG for a malformed datagram (consumed), -errno.
 * Descriptors passed along (SCM_RIGHTS) are closed. m is updated whoever
 * sent the datagram: to accept only one process, use notify_recv_from().
 */
int notify_recv(int fd, pid_t *sender, struct notify_msg *m);

/* The longest datagram accepted; a longer one is -EBADMSG. */
#define NOTIFY_DATAGRAM_MAX 4096

/*
 * As notify_recv(), but a datagram whose sender is not want (want > 0) is
 * consumed and ignored: -EPERM, m untouched, *sender still set. want <= 0
 * accepts any sender.
 */
int notify_recv_from(int fd, pid_t want, pid_t *sender, struct notify_msg *m);

/*
 * Give the directory and the socket to uid:gid, for a daemon that will
 * run as another user (daemon-start --chuid). Returns 0 or -errno.
 */
int notify_sock_chown(const struct notify_sock *ns, uid_t uid, gid_t gid);

#endif
