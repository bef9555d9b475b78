/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* proc: being written (see ARCHITECTURE). */
