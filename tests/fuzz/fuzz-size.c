/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * logkeep_parse_size() against a reference that reads the grammar
 * differently (digit by digit in 128-bit arithmetic): digits, then at most
 * one of K M G in either case, a value from 1 byte to INT64_MAX; nothing
 * else. On success the parser returns exactly the reference's value; on
 * failure it is -EINVAL and leaves the output alone.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "logkeep.h"
#include "fuzz.h"

static bool ref_parse(const char *s, size_t n, uint64_t *out)
{
	unsigned __int128 v = 0, unit = 1;
	size_t i = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9') {
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > (unsigned __int128)INT64_MAX)
			return false;
		i++;
	}
	if (i == 0)
		return false;
	if (i + 1 == n) {
		switch (s[i]) {
		case 'k': case 'K': unit = 1024; break;
		case 'm': case 'M': unit = 1024 * 1024; break;
		case 'g': case 'G': unit = 1024 * 1024 * 1024; break;
		default: return false;
		}
	} else if (i != n) {
		return false;
	}
	v *= unit;
	if (v == 0 || v > (unsigned __int128)INT64_MAX)
		return false;
	*out = (uint64_t)v;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	uint64_t got = 7, want = 0;
	bool ok;
	int r;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* A NUL ends the C string: the reference sees what the parser sees. */
	ok = ref_parse(text, strlen(text), &want);
	r = logkeep_parse_size(text, &got);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	FUZZ_CHECK((r == 0) == ok);
	if (r == 0)
		FUZZ_CHECK(got == want && got >= 1);
	else
		FUZZ_CHECK(got == 7);
	free(text);
	return 0;
}
