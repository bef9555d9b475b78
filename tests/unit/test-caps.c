/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --capabilities, --no-new-privs, -g/--group: the parsers against tables,
 * the checks made before forking, and the capabilities really kept across
 * a switch from root to nobody: read back from /proc/self/status, and
 * used to bind port 80, in a forked child and in a launched daemon after
 * exec. Binding happens in a private network namespace, so no port of the
 * host is touched.
 */
#include "resources.h"

#include <ctype.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/securebits.h>

#include "caps.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n) (UINT64_C(1) << (n))

/* From capabilities(7); independent of the table under test. */
#define NR_NET_BIND_SERVICE	10
#define NR_NET_RAW		13
#define NR_SYS_NICE		23
#define NR_SYS_RESOURCE		24
#define NR_CHECKPOINT_RESTORE	40

/* The 32-bit id calls where an ABI has both, as the recipe uses. */
#ifdef SYS_setuid32
#define SYS_SETGROUPS	SYS_setgroups32
#define SYS_SETGID	SYS_setgid32
#define SYS_SETUID	SYS_setuid32
#else
#define SYS_SETGROUPS	SYS_setgroups
#define SYS_SETGID	SYS_setgid
#define SYS_SETUID	SYS_setuid
#endif

/* A child's exit code for "cannot run here" (no network namespace). */
#define SKIPPED 77

/* ------------------------------------------------------------ parsing */

static void test_parse_good(void **state)
{
	static const struct { const char *list; uint64_t mask; } good[] = {
		{ "net_bind_service", BIT(NR_NET_BIND_SERVICE) },
		{ "CAP_NET_BIND_SERVICE", BIT(NR_NET_BIND_SERVICE) },
		{ "Cap_Net_Raw", BIT(NR_NET_RAW) },
		{ "cap_net_raw,sys_nice", BIT(NR_NET_RAW) | BIT(NR_SYS_NICE) },
		{ "chown", BIT(0) },
		{ "chown,chown", BIT(0) },
		{ "checkpoint_restore", BIT(NR_CHECKPOINT_RESTORE) },
		{ "setuid,setgid,kill", BIT(7) | BIT(6) | BIT(5) },
	};
	struct caps_plan p;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		caps_plan_init(&p);
		if (caps_parse(&p, good[i].list, &why))
			fail_msg("'%s' refused: %s", good[i].list, why);
		assert_true(p.set_caps);
		assert_true(p.caps == good[i].mask);
	}
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"", ",", "net_bind_service,", ",net_raw", "net_raw,,chown",
		"cap_", "cap", "net_bind_service ,net_raw", " net_raw",
		"net_raw ", "nosuch", "cap_cap_net_raw", "10", "all",
		"net-bind-service", "net_bind_servic", "net_bind_service2",
		"cap_net_bind_service\n",
	};
	struct caps_plan p, before;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		caps_plan_init(&p);
		assert_int_equal(caps_parse(&p, "kill", &why), 0);
		before = p;
		why = NULL;
		if (caps_parse(&p, bad[i], &why) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(why);
		assert_memory_equal(&p, &before, sizeof(p));
	}
	assert_int_equal(caps_parse(&p, NULL, &why), -EINVAL);
}

/* Every name the table has parses to its own number, both spellings. */
static void test_names_round_trip(void **state)
{
	struct caps_plan p;
	char upper[64];
	const char *name, *why;
	int cap;
	size_t i;

	(void)state;
	for (cap = 0; (name = caps_name(cap)); cap++) {
		caps_plan_init(&p);
		assert_int_equal(caps_parse(&p, name, &why), 0);
		assert_true(p.caps == BIT(cap));
		snprintf(upper, sizeof(upper), "CAP_%s", name);
		for (i = 0; upper[i]; i++)
			upper[i] = (char)toupper((unsigned char)upper[i]);
		caps_plan_init(&p);
		assert_int_equal(caps_parse(&p, upper, &why), 0);
		assert_true(p.caps == BIT(cap));
	}
	/* The table covers what this system's headers know. */
	assert_int_equal(cap, NR_CHECKPOINT_RESTORE + 1);
	assert_string_equal(caps_name(NR_NET_BIND_SERVICE), "net_bind_service");
	assert_null(caps_name(-1));
}

static void test_parse_adds_up(void **state)
{
	struct caps_plan p;
	const char *why;

	(void)state;
	caps_plan_init(&p);
	assert_false(p.set_caps);
	assert_int_equal(caps_parse(&p, "net_raw", &why), 0);
	assert_int_equal(caps_parse(&p, "net_bind_service", &why), 0);
	assert_true(p.caps == (BIT(NR_NET_RAW) | BIT(NR_NET_BIND_SERVICE)));
}

static void test_last_cap(void **state)
{
	char buf[16];

	(void)state;
	if (!res_read("/proc/sys/kernel/cap_last_cap", buf, sizeof(buf)))
		skip();
	assert_int_equal(caps_last_cap(), atoi(buf));
}

/* ------------------------------------------------ checks before forking */

static void test_check(void **state)
{
	struct caps_plan p;
	const char *why;
	int cap = 99;

	(void)state;
	caps_plan_init(&p);
	/* Nothing asked: nothing to refuse, whatever the user. */
	assert_int_equal(caps_check(&p, false, 0, &cap, &why), 0);
	assert_int_equal(cap, -1);

	assert_int_equal(caps_parse(&p, "net_bind_service", &why), 0);
	why = NULL;
	assert_int_equal(caps_check(&p, false, 0, &cap, &why), -EINVAL);
	assert_non_null(why);
	assert_int_equal(caps_check(&p, true, 0, &cap, &why), -EINVAL);
	if (!res_have_cap(NR_NET_BIND_SERVICE))
		skip();
	assert_int_equal(caps_check(&p, true, 65534, &cap, &why), 0);
}

/* A capability outside our bounding set is refused, naming it. */
static void test_check_bounding(void **state)
{
	struct caps_plan p;
	const char *why = NULL;
	int cap = -1;

	(void)state;
	if (prctl(PR_CAPBSET_READ, (unsigned long)NR_SYS_RESOURCE, 0, 0, 0) != 0)
		skip();		/* only where it is missing, as in containers */
	caps_plan_init(&p);
	assert_int_equal(caps_parse(&p, "net_raw,sys_resource", &why), 0);
	assert_int_equal(caps_check(&p, true, 65534, &cap, &why), -EPERM);
	assert_int_equal(cap, NR_SYS_RESOURCE);
	assert_non_null(why);
}

/* As nobody we hold nothing, so nothing can be handed on. */
static int child_check_unprivileged(void *arg)
{
	struct caps_plan p;
	const char *why;
	int cap = -1;

	(void)arg;
	if (!res_become_nobody())
		return 1;
	caps_plan_init(&p);
	if (caps_parse(&p, "net_bind_service", &why))
		return 2;
	if (caps_check(&p, true, 65534, &cap, &why) != -EPERM ||
	    cap != NR_NET_BIND_SERVICE)
		return 3;
	return 0;
}

static void test_check_unprivileged(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(res_in_child(child_check_unprivileged, NULL), 0);
}

/* ------------------------------------------- applying around the switch */

/* A network namespace of our own with its loopback up, so that binding
 * port 80 cannot collide with (or be seen by) the host. */
static bool private_loopback(void)
{
	struct ifreq ifr;
	int fd, ok;

	if (unshare(CLONE_NEWNET) < 0)
		return false;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	ok = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
	ifr.ifr_flags |= IFF_UP;
	ok = ok && ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
	close(fd);
	return ok;
}

/* Bind 127.0.0.1:80: 0 or the errno. */
static int bind_80(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(80) };
	int fd, e = 0;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		e = errno;
	close(fd);
	return e;
}

static bool sets_are(uint64_t want)
{
	static const char *const keys[] = {
		"CapInh", "CapPrm", "CapEff", "CapAmb",
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (!res_status_mask(keys[i], &v) || v != want)
			return false;
	return true;
}

struct switch_case {
	const char *caps;	/* NULL: no --capabilities */
	bool keepcaps;		/* call caps_apply_before_user() */
	bool no_new_privs;
};

/* The recipe's order, in a forked child: before, setgroups/setgid/setuid
 * to nobody, after. Returns the first failure's -errno and item. */
static int switch_to_nobody(const struct switch_case *c, int *failed)
{
	struct caps_plan p;
	const char *why;
	uid_t uid;
	gid_t gid;
	int e;

	caps_plan_init(&p);
	p.no_new_privs = c->no_new_privs;
	if (c->caps && caps_parse(&p, c->caps, &why))
		return -EINVAL;
	if (!res_nobody(&uid, &gid))
		return -ENOENT;
	if (c->keepcaps && (e = caps_apply_before_user(&p, failed)))
		return e;
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid))
		return -errno;
	return caps_apply_after_user(&p, failed);
}

static int child_net_bind(void *arg)
{
	const struct switch_case c = { "net_bind_service", true, false };
	int failed = -1;

	(void)arg;
	if (!private_loopback())
		return SKIPPED;
	if (switch_to_nobody(&c, &failed) || failed != CAPS_ITEM_NONE)
		return 1;
	if (getuid() == 0 || geteuid() == 0)
		return 2;
	if (!sets_are(BIT(NR_NET_BIND_SERVICE)))
		return 3;
	if (bind_80() != 0)
		return 4;
	return 0;
}

static int child_no_caps(void *arg)
{
	const struct switch_case c = { NULL, true, false };

	(void)arg;
	if (!private_loopback())
		return SKIPPED;
	if (switch_to_nobody(&c, NULL))
		return 1;
	if (!sets_are(0))
		return 2;
	/* The control: without the capability, port 80 is refused. */
	if (bind_80() != EACCES)
		return 3;
	return 0;
}

static void test_switch_keeps_caps(void **state)
{
	int r;

	(void)state;
	if (geteuid() != 0 || !res_have_cap(NR_NET_BIND_SERVICE))
		skip();
	r = res_in_child(child_no_caps, NULL);
	if (r == SKIPPED)
		skip();
	assert_int_equal(r, 0);
	assert_int_equal(res_in_child(child_net_bind, NULL), 0);
}

/* Without PR_SET_KEEPCAPS the switch drops everything, and the sets
 * cannot be had back: the order is what makes it work. */
static int child_no_keepcaps(void *arg)
{
	const struct switch_case c = { "net_bind_service", false, false };
	int failed = -1;

	(void)arg;
	if (switch_to_nobody(&c, &failed) != -EPERM ||
	    failed != CAPS_ITEM_CAPSET)
		return 1;
	return sets_are(0) ? 0 : 2;
}

/* A capability dropped from the bounding set cannot be made inheritable,
 * so it is refused at capset, before anything is half done. */
static int child_not_in_bounding(void *arg)
{
	const struct switch_case c = { "net_raw", true, false };
	int failed = -1;

	(void)arg;
	if (prctl(PR_CAPBSET_DROP, (unsigned long)NR_NET_RAW, 0, 0, 0) < 0)
		return SKIPPED;
	if (switch_to_nobody(&c, &failed) != -EPERM ||
	    failed != CAPS_ITEM_CAPSET)
		return 1;
	return 0;
}

/* With ambient raising locked out, the failure names the capability. */
static int child_ambient_refused(void *arg)
{
	const struct switch_case c = { "net_bind_service", true, false };
	int failed = -1;

	(void)arg;
	if (prctl(PR_SET_SECUREBITS, (unsigned long)SECBIT_NO_CAP_AMBIENT_RAISE,
		  0, 0, 0) < 0)
		return SKIPPED;
	if (switch_to_nobody(&c, &failed) != -EPERM ||
	    failed != CAPS_ITEM_AMBIENT + NR_NET_BIND_SERVICE)
		return 1;
	return 0;
}

static void test_switch_failures(void **state)
{
	int r;

	(void)state;
	if (geteuid() != 0 || !res_have_cap(NR_NET_BIND_SERVICE))
		skip();
	assert_int_equal(res_in_child(child_no_keepcaps, NULL), 0);
	if (res_have_cap(NR_NET_RAW)) {
		r = res_in_child(child_not_in_bounding, NULL);
		assert_true(r == 0 || r == SKIPPED);
	}
	r = res_in_child(child_ambient_refused, NULL);
	assert_true(r == 0 || r == SKIPPED);
	assert_string_equal(caps_item_str(CAPS_ITEM_AMBIENT + 10),
			    "--capabilities");
	assert_string_equal(caps_item_str(CAPS_ITEM_NO_NEW_PRIVS),
			    "--no-new-privs");
}

static int child_no_new_privs(void *arg)
{
	const struct switch_case c = { "net_bind_service", true, true };
	char buf[4096];

	(void)arg;
	if (switch_to_nobody(&c, NULL))
		return 1;
	if (!res_read("/proc/self/status", buf, sizeof(buf)) ||
	    !strstr(buf, "\nNoNewPrivs:\t1\n"))
		return 2;
	return sets_are(BIT(NR_NET_BIND_SERVICE)) ? 0 : 3;
}

/* Alone too, for a daemon that keeps its user. */
static int child_no_new_privs_alone(void *arg)
{
	struct caps_plan p;
	char buf[4096];

	(void)arg;
	caps_plan_init(&p);
	p.no_new_privs = true;
	if (caps_apply_before_user(&p, NULL) || caps_apply_after_user(&p, NULL))
		return 1;
	if (!res_read("/proc/self/status", buf, sizeof(buf)) ||
	    !strstr(buf, "\nNoNewPrivs:\t1\n"))
		return 2;
	return 0;
}

static void test_no_new_privs(void **state)
{
	(void)state;
	assert_int_equal(res_in_child(child_no_new_privs_alone, NULL), 0);
	if (geteuid() != 0 || !res_have_cap(NR_NET_BIND_SERVICE))
		skip();
	assert_int_equal(res_in_child(child_no_new_privs, NULL), 0);
}

/* ------------------------------------------------ in a launched daemon */

/*
 * The daemon's side, as the recipe will do it: raw system calls for the
 * switch (this runs on the caller's memory, where the C library's
 * setuid() would signal the caller's threads).
 */
struct launch_creds {
	struct caps_plan plan;
	uid_t uid;
	gid_t gid;
};

static int setup_creds(void *arg)
{
	const struct launch_creds *lc = arg;

	if (caps_apply_before_user(&lc->plan, NULL))
		return 1;
	if (syscall(SYS_SETGROUPS, 0, NULL) < 0 ||
	    syscall(SYS_SETGID, lc->gid) < 0 ||
	    syscall(SYS_SETUID, lc->uid) < 0)
		return 2;
	if (caps_apply_after_user(&lc->plan, NULL))
		return 3;
	return 0;
}

static bool status_line(const char *text, const char *line)
{
	return strstr(text, line) != NULL;
}

static int child_launched_status(void *arg)
{
	static char *const argv[] = {
		"/bin/cat", "/proc/self/status", NULL,
	};
	struct launch_creds lc;
	char out[8192], uidline[64];
	const char *why;

	(void)arg;
	caps_plan_init(&lc.plan);
	lc.plan.no_new_privs = true;
	if (caps_parse(&lc.plan, "net_bind_service", &why) ||
	    !res_nobody(&lc.uid, &lc.gid))
		return 1;
	if (res_launch(setup_creds, &lc, argv, out, sizeof(out)) != 0)
		return 2;
	snprintf(uidline, sizeof(uidline), "\nUid:\t%u\t%u\t%u\t%u\n",
		 lc.uid, lc.uid, lc.uid, lc.uid);
	if (!status_line(out, uidline))
		return 3;
	/* After exec: what survives is the ambient set, so the program
	 * has exactly the one capability, effective and permitted. */
	if (!status_line(out, "\nCapInh:\t0000000000000400\n") ||
	    !status_line(out, "\nCapPrm:\t0000000000000400\n") ||
	    !status_line(out, "\nCapEff:\t0000000000000400\n") ||
	    !status_line(out, "\nCapAmb:\t0000000000000400\n"))
		return 4;
	if (!status_line(out, "\nNoNewPrivs:\t1\n"))
		return 5;
	return 0;
}

/* And the program really uses it: python binds port 80 after exec. */
static int child_launched_bind(void *arg)
{
	static char *const argv[] = {
		"/usr/bin/python3", "-c",
		"import os, socket\n"
		"s = socket.socket()\n"
		"s.bind(('127.0.0.1', 80))\n"
		"print('bound', os.getuid())\n",
		NULL,
	};
	struct launch_creds lc;
	char out[256], want[64];
	const char *why;

	(void)arg;
	if (!private_loopback())
		return SKIPPED;
	caps_plan_init(&lc.plan);
	if (caps_parse(&lc.plan, "net_bind_service", &why) ||
	    !res_nobody(&lc.uid, &lc.gid))
		return 1;
	if (res_launch(setup_creds, &lc, argv, out, sizeof(out)) != 0)
		return 2;
	snprintf(want, sizeof(want), "bound %u\n", lc.uid);
	return strcmp(out, want) == 0 ? 0 : 3;
}

static void test_launched(void **state)
{
	int r;

	(void)state;
	if (geteuid() != 0 || !res_have_cap(NR_NET_BIND_SERVICE) ||
	    access("/bin/cat", X_OK) != 0)
		skip();
	assert_int_equal(res_in_child(child_launched_status, NULL), 0);
	if (access("/usr/bin/python3", X_OK) != 0)
		skip();
	r = res_in_child(child_launched_bind, NULL);
	if (r == SKIPPED)
		skip();
	assert_int_equal(r, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_parse_adds_up),
		cmocka_unit_test(test_last_cap),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_check_bounding),
		cmocka_unit_test(test_check_unprivileged),
				cmocka_unit_test(test_switch_keeps_caps),
		cmocka_unit_test(test_switch_failures),
		cmocka_unit_test(test_no_new_privs),
		cmocka_unit_test(test_launched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
