/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dctl_version(): which libdaemonctl a program runs with. */
#include "daemonctl.h"

const char *dctl_version(void)
{
	return PACKAGE_VERSION;
}
