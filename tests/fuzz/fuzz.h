/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the fuzz targets: the libFuzzer entry point's prototype and a
 * check that reports a broken invariant and aborts, so that libFuzzer (or
 * the standalone driver) records the input as a crash. A target that only
 * survived an input proves little; each one asserts what its parser
 * promises.
 */
#ifndef DCTL_FUZZ_H
#define DCTL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* To descriptor 2 itself: a target may point stderr elsewhere. */
#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			dprintf(2, "%s:%d: invariant broken: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

/*
 * The length (1..4) of the well-formed UTF-8 sequence at s, or 0: an
 * independent reading of RFC 3629 (no overlong forms, no surrogates,
 * nothing past U+10FFFF, nothing cut short by the end at s + n).
 */
static inline size_t fuzz_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned long cp;
	size_t k, j;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 1;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 2;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 3;
	else
		return 0;
	if (k >= n)
		return 0;
	cp = s[0] & (0x3fu >> k);
	for (j = 1; j <= k; j++) {
		if ((s[j] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[j] & 0x3f);
	}
	if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k + 1;
}

static inline int fuzz_utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		k = fuzz_utf8_seq(s + i, n - i);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

#endif
