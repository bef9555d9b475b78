/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dctl_syslog_facility_parse() against syslog.h's own table of names
 * (facilitynames[], what logger(1) uses), compared case-insensitively;
 * "mark" and "security" are in that table but are no facility to log
 * under, so they are refused. An accepted name maps to the table's value,
 * and logkeep_facility_name() of it parses back to the same value.
 */
#define SYSLOG_NAMES
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "logkeep.h"
#include "fuzz.h"

static bool ref_parse(const char *s, int *v)
{
	const CODE *c;

	if (!strcasecmp(s, "mark") || !strcasecmp(s, "security"))
		return false;
	for (c = facilitynames; c->c_name; c++) {
		if (strcasecmp(s, c->c_name) == 0) {
			*v = c->c_val;
			return true;
		}
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	int got = -1, want = -1, back = -1, r;
	const char *name;
	bool ok;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	ok = ref_parse(text, &want);
	r = dctl_syslog_facility_parse(text, &got);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	FUZZ_CHECK((r == 0) == ok);
	if (r == 0) {
		FUZZ_CHECK(got == want);
		name = logkeep_facility_name(got);
		FUZZ_CHECK(name != NULL);
		FUZZ_CHECK(dctl_syslog_facility_parse(name, &back) == 0);
		FUZZ_CHECK(back == got);
	} else {
		FUZZ_CHECK(got == -1);
	}
	free(text);
	return 0;
}
