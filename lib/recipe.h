/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef DCTL_RECIPE_H
#define DCTL_RECIPE_H
#endif
