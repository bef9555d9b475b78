/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef DCTL_PIDFILE_H
#define DCTL_PIDFILE_H
#endif
