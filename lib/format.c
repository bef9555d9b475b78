/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* format: being written (see ARCHITECTURE). */
