/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* stop: being written (see ARCHITECTURE). */
