/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rundir: being written (see ARCHITECTURE). */
