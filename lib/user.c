/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dctl_user_parse(): the --user / -u of daemon-stop and daemon-status. */
#include <errno.h>
#include <string.h>

#include "creds.h"
#include "daemonctl.h"

int dctl_user_parse(const char *text, uid_t *uid)
{
	struct creds c = { 0 };
	unsigned long id;
	int e;

	if (!text || !*text || !uid || strlen(text) >= sizeof(c.name))
		return -EINVAL;
	/* Digits are a uid as they stand, as start-stop-daemon reads them. */
	if (strspn(text, "0123456789") == strlen(text)) {
		if (creds_parse_id(text, &id))
			return -EINVAL;
		*uid = (uid_t)id;
		return 0;
	}
	e = creds_lookup_name(text, &c);
	if (!e)
		*uid = c.uid;
	creds_free(&c);
	return e;
}
