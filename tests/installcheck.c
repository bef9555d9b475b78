/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Built by `make installcheck` (and so by `make distcheck`) against the
 * installed library with nothing but `pkg-config --cflags --libs
 * daemonctl`, as a user's program would be.
 */
#include <daemonctl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	enum dctl_pid_fault fault;
	pid_t pid = 0;

	if (dctl_pid_parse("1234\n", 5, 32768, &pid, &fault) != 0 || pid != 1234)
		return 1;
	if (dctl_pid_parse("-1\n", 3, 32768, &pid, &fault) != -EBADMSG ||
	    fault != DCTL_PID_NOT_NUMBER)
		return 1;
	printf("daemonctl %s: %s\n", dctl_version(),
	       dctl_pid_fault_str(fault));
	return strcmp(dctl_version(), PACKAGE_VERSION_WANTED) != 0;
}
