/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dctl_umask_parse(): the -k / --umask of daemon-start. */
#include <errno.h>
#include <string.h>

#include "daemonctl.h"

int dctl_umask_parse(const char *text, mode_t *mask)
{
	unsigned long v = 0;
	const char *p;

	/* Four digits at most: "0022" is how a umask is usually written. */
	if (!text || !mask || !*text || strlen(text) > 4)
		return -EINVAL;
	for (p = text; *p; p++) {
		if (*p < '0' || *p > '7')
			return -EINVAL;
		v = v * 8 + (unsigned long)(*p - '0');
	}
	if (v > 0777)
		return -EINVAL;
	*mask = (mode_t)v;
	return 0;
}
