/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * creds_resolve() (--chuid USER[:GROUP]) against the user and group
 * databases read here directly: an accepted spec names exactly the uid
 * and gid the databases (or the numbers given) say, a refused one says
 * why with the documented code, and nothing leaks either way.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <string.h>

#include "creds.h"
#include "fuzz.h"

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A numeric id: digits only, below (uid_t)-1 (which means "no change"). */
static bool numeric_id(const char *s, unsigned long long *id)
{
	unsigned long long v = 0;

	if (!all_digits(s))
		return false;
	for (; *s; s++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v >= (uid_t)-1)
			return false;
	}
	*id = v;
	return true;
}

/* What the user part alone must give: 0, or the refusal expected. */
static int ref_user(const char *user, uid_t *uid, gid_t *gid)
{
	unsigned long long id;
	struct passwd *pw;

	if (all_digits(user)) {
		if (!numeric_id(user, &id))
			return -EINVAL;
		pw = getpwuid((uid_t)id);
		*uid = (uid_t)id;
		*gid = pw ? pw->pw_gid : (gid_t)id;
		return 0;
	}
	pw = getpwnam(user);
	if (!pw)
		return -ENOENT;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

static int ref_group(const char *group, gid_t *gid)
{
	unsigned long long id;
	struct group *gr;

	if (all_digits(group)) {
		if (!numeric_id(group, &id))
			return -EINVAL;
		*gid = (gid_t)id;
		return 0;
	}
	gr = getgrnam(group);
	if (!gr)
		return -ESRCH;
	*gid = gr->gr_gid;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct creds u;
	char spec[300], copy[300], *group;
	uid_t uid = 0;
	gid_t gid = 0;
	int r, want;

	/* Longer specs are refused before any lookup; keep a few of them. */
	if (size >= sizeof(spec))
		size = sizeof(spec) - 1;
	memcpy(spec, data, size);
	spec[size] = '\0';

	memcpy(copy, spec, size + 1);
	group = strchr(copy, ':');
	if (group)
		*group++ = '\0';
	if (!*spec || strlen(spec) >= 256 || !*copy || (group && !*group))
		want = -EINVAL;
	else if ((want = ref_user(copy, &uid, &gid)) == 0 && group)
		want = ref_group(group, &gid);

	memset(&u, 0x5a, sizeof(u));
	r = creds_resolve(spec, &u);
	FUZZ_CHECK(r == want);
	if (r == 0) {
		FUZZ_CHECK(u.uid == uid && u.gid == gid);
		FUZZ_CHECK(u.ngroups >= 0);
		FUZZ_CHECK(memchr(u.name, '\0', sizeof(u.name)) != NULL);
		FUZZ_CHECK(u.home[0] == '/');
		/* A known user has its groups; a bare number has none. */
		FUZZ_CHECK(u.name[0] ? u.groups != NULL : u.ngroups == 0);
	} else {
		FUZZ_CHECK(u.groups == NULL && u.ngroups == 0);
	}
	creds_free(&u);
	return 0;
}
