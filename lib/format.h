/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef DCTL_FORMAT_H
#define DCTL_FORMAT_H
#endif
