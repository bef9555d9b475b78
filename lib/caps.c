/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capabilities kept across the user switch, and no_new_privs (see caps.h
 * for the order of the calls).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "caps.h"
#include "util.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* By number, as capabilities(7) names them without "CAP_". */
static const char *const cap_names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid",
	"kill", "setgid", "setuid", "setpcap", "linux_immutable",
	"net_bind_service", "net_broadcast", "net_admin", "net_raw",
	"ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot",
	"sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
	"sys_resource", "sys_time", "sys_tty_config", "mknod", "lease",
	"audit_write", "audit_control", "setfcap", "mac_override",
	"mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read",
	"perfmon", "bpf", "checkpoint_restore",
};

_Static_assert(ARRAY_SIZE(cap_names) <= 64, "a mask has 64 bits");

void caps_plan_init(struct caps_plan *p)
{
	memset(p, 0, sizeof(*p));
}

const char *caps_name(int cap)
{
	if (cap < 0 || (size_t)cap >= ARRAY_SIZE(cap_names))
		return NULL;
	return cap_names[cap];
}

int caps_last_cap(void)
{
	char buf[16];
	long long v;
	ssize_t n;

	n = util_read_small(AT_FDCWD, "/proc/sys/kernel/cap_last_cap", buf,
			    sizeof(buf));
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n <= 0 || util_parse_num(buf, (size_t)n, 0, 63, NULL, 0, &v) < 0)
		return (int)ARRAY_SIZE(cap_names) - 1;
	return (int)v;
}

/* One name of len bytes, with or without "cap_": its number or -1. */
static int find_cap(const char *s, size_t len)
{
	size_t i;

	if (len > 4 && strncasecmp(s, "cap_", 4) == 0) {
		s += 4;
		len -= 4;
	}
	for (i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (strlen(cap_names[i]) == len &&
		    strncasecmp(cap_names[i], s, len) == 0)
			return (int)i;
	return -1;
}

int caps_parse(struct caps_plan *p, const char *list, const char **why)
{
	const char *s = list, *end;
	uint64_t mask = 0;
	int cap;

	if (!list || !*list) {
		*why = "empty: CAP[,CAP...] wanted";
		return -EINVAL;
	}
	for (;;) {
		end = strchrnul(s, ',');
		if (end == s) {
			*why = "an empty name in the list";
			return -EINVAL;
		}
		cap = find_cap(s, (size_t)(end - s));
		if (cap < 0) {
			*why = "unknown capability (names as in capabilities(7))";
			return -EINVAL;
		}
		mask |= UINT64_C(1) << cap;
		if (!*end)
			break;
		s = end + 1;
	}
	p->set_caps = true;
	p->caps |= mask;
	return 0;
}

/* Our own permitted set, from the kernel. */
static int permitted_set(uint64_t *set)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &hdr, d) < 0)
		return -errno;
	*set = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	return 0;
}

static int check_one(int cap, int last, uint64_t permitted, const char **why)
{
	if (cap > last) {
		*why = "not known to the running kernel";
		return -EINVAL;
	}
	if (prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0) != 1) {
		*why = "not in the bounding set, so no process here can have it";
		return -EPERM;
	}
	if (!(permitted >> cap & 1)) {
		*why = "not held by this process, so it cannot be passed on";
		return -EPERM;
	}
	return 0;
}

int caps_check(const struct caps_plan *p, bool switching, uid_t uid,
	       int *cap, const char **why)
{
	uint64_t permitted = 0;
	int dummy, *at = cap ? cap : &dummy;
	int i, last, e;

	*at = -1;
	if (!p->set_caps)
		return 0;
	if (!switching || uid == 0) {
		*why = "needs --chuid with a user other than root";
		return -EINVAL;
	}
	if ((e = permitted_set(&permitted))) {
		*why = "cannot read this process's capabilities";
		return e;
	}
	last = caps_last_cap();
	for (i = 0; i < 64; i++) {
		if (!(p->caps >> i & 1))
			continue;
		*at = i;
		if ((e = check_one(i, last, permitted, why)))
			return e;
	}
	*at = -1;
	return 0;
}

/* ------------------------------------------------------ in the daemon */

int caps_apply_before_user(const struct caps_plan *p, int *failed)
{
	int dummy, *item = failed ? failed : &dummy;

	*item = CAPS_ITEM_KEEPCAPS;
	if (p->set_caps && prctl(PR_SET_KEEPCAPS, 1UL, 0UL, 0UL, 0UL) < 0)
		return -errno;
	*item = CAPS_ITEM_NONE;
	return 0;
}

/*
 * Permitted, effective and inheritable all become the plan's set: the
 * permitted set kept across setuid() only ever shrinks here, and the
 * inheritable set must hold a capability before it may be ambient.
 */
static int set_sets(uint64_t caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	int i;

	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		d[i].permitted = (uint32_t)(caps >> (32 * i));
		d[i].effective = d[i].permitted;
		d[i].inheritable = d[i].permitted;
	}
	if (syscall(SYS_capset, &hdr, d) < 0)
		return -errno;
	return 0;
}

static int raise_ambient(uint64_t caps, int *item)
{
	int cap;

	for (cap = 0; cap < 64; cap++) {
		if (!(caps >> cap & 1))
			continue;
		*item = CAPS_ITEM_AMBIENT + cap;
		if (prctl(PR_CAP_AMBIENT, (unsigned long)PR_CAP_AMBIENT_RAISE,
			  (unsigned long)cap, 0UL, 0UL) < 0)
			return -errno;
	}
	return 0;
}

int caps_apply_after_user(const struct caps_plan *p, int *failed)
{
	int dummy, *item = failed ? failed : &dummy;
	int e;

	if (p->set_caps) {
		*item = CAPS_ITEM_CAPSET;
		if ((e = set_sets(p->caps)))
			return e;
		if ((e = raise_ambient(p->caps, item)))
			return e;
	}
	/* Last: it changes nothing now, only what exec may grant. */
	*item = CAPS_ITEM_NO_NEW_PRIVS;
	if (p->no_new_privs &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) < 0)
		return -errno;
	*item = CAPS_ITEM_NONE;
	return 0;
}

const char *caps_item_str(int item)
{
	if (item == CAPS_ITEM_NO_NEW_PRIVS)
		return "--no-new-privs";
	return "--capabilities";
}
