/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * envfile_parse() (--env-file) and the environment list it fills. For any
 * input: the result is 0 or -EINVAL, never anything else; a refusal names
 * a line of the input and a reason; an accepted file gives only valid
 * names and NUL-free UTF-8 values, and at most one assignment per '='.
 * Then two rewritings whose results are known:
 *   - a comment line put in front changes nothing but the refused line's
 *     number, which moves by one;
 *   - the assignments written back in a canonical form (NAME="VALUE" with
 *     \ " ` $ escaped) parse to exactly the same assignments.
 * And the list: loading the assignments leaves each name with its last
 * value, each name once, NULL-terminated.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "envfile.h"
#include "fuzz.h"

struct assign {
	char **names;
	char **values;
	size_t n;
	size_t cap;
};

static int record(void *data, const char *name, const char *value)
{
	struct assign *a = data;

	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 16;
		char **nn = realloc(a->names, cap * sizeof(char *));
		char **nv;

		FUZZ_CHECK(nn != NULL);
		a->names = nn;
		nv = realloc(a->values, cap * sizeof(char *));
		FUZZ_CHECK(nv != NULL);
		a->values = nv;
		a->cap = cap;
	}
	a->names[a->n] = strdup(name);
	a->values[a->n] = strdup(value);
	FUZZ_CHECK(a->names[a->n] && a->values[a->n]);
	a->n++;
	return 0;
}

static void assign_free(struct assign *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->names[i]);
		free(a->values[i]);
	}
	free(a->names);
	free(a->values);
	memset(a, 0, sizeof(*a));
}

static bool same(const struct assign *a, const struct assign *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->names[i], b->names[i]) ||
		    strcmp(a->values[i], b->values[i]))
			return false;
	return true;
}

static size_t count_char(const uint8_t *s, size_t n, char c)
{
	size_t k = 0, i;

	for (i = 0; i < n; i++)
		k += s[i] == (uint8_t)c;
	return k;
}

static int parse(const char *text, size_t len, struct assign *a,
		 struct envfile_error *err)
{
	int r;

	memset(a, 0, sizeof(*a));
	r = envfile_parse(text, len, record, a, err);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	return r;
}

/* NAME="VALUE" lines: in double quotes only \ " ` $ need a backslash. */
static char *canonical(const struct assign *a, size_t *len)
{
	size_t size = 1, i, n = 0;
	const char *v;
	char *out;

	for (i = 0; i < a->n; i++)
		size += strlen(a->names[i]) + 2 * strlen(a->values[i]) + 4;
	out = malloc(size);
	FUZZ_CHECK(out != NULL);
	for (i = 0; i < a->n; i++) {
		n += (size_t)sprintf(out + n, "%s=\"", a->names[i]);
		for (v = a->values[i]; *v; v++) {
			if (strchr("\\\"`$", *v))
				out[n++] = '\\';
			out[n++] = *v;
		}
		out[n++] = '"';
		out[n++] = '\n';
	}
	out[n] = '\0';
	*len = n;
	return out;
}

static void check_accepted(const uint8_t *data, size_t size,
			   const struct assign *a)
{
	size_t i;

	FUZZ_CHECK(a->n <= count_char(data, size, '='));
	for (i = 0; i < a->n; i++) {
		FUZZ_CHECK(envfile_name_valid(a->names[i],
					      strlen(a->names[i])));
		FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)a->values[i],
					   strlen(a->values[i])));
	}
}

static void check_round_trip(const struct assign *a)
{
	struct envfile_error err;
	struct assign back;
	size_t len;
	char *text = canonical(a, &len);

	FUZZ_CHECK(parse(text, len, &back, &err) == 0);
	FUZZ_CHECK(same(a, &back));
	assign_free(&back);
	free(text);
}

/* The list keeps the last value of each name, each name once. */
static void check_list(const struct assign *a)
{
	struct envfile_env e;
	size_t i, j, names = 0;

	FUZZ_CHECK(envfile_env_init(&e, NULL, false) == 0);
	for (i = 0; i < a->n; i++)
		FUZZ_CHECK(envfile_env_set(&e, a->names[i], a->values[i]) == 0);
	for (i = 0; i < a->n; i++) {
		for (j = i + 1; j < a->n; j++)
			if (!strcmp(a->names[i], a->names[j]))
				break;
		if (j < a->n)
			continue;	/* a later one sets it */
		names++;
		FUZZ_CHECK(envfile_env_get(&e, a->names[i]) != NULL);
		FUZZ_CHECK(!strcmp(envfile_env_get(&e, a->names[i]),
				   a->values[i]));
	}
	FUZZ_CHECK(e.n == names);
	FUZZ_CHECK(e.vars[e.n] == NULL);
	envfile_env_free(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char comment[] = "# a comment line\n";
	struct envfile_error err, err2;
	struct assign a, b;
	char *shifted;
	int r, r2;

	r = parse((const char *)data, size, &a, &err);
	if (r) {
		FUZZ_CHECK(err.what != NULL);
		FUZZ_CHECK(err.line >= 1 &&
			   err.line <= count_char(data, size, '\n') + 1);
	} else {
		check_accepted(data, size, &a);
		check_round_trip(&a);
		check_list(&a);
	}

	shifted = malloc(sizeof(comment) - 1 + size + 1);
	FUZZ_CHECK(shifted != NULL);
	memcpy(shifted, comment, sizeof(comment) - 1);
	memcpy(shifted + sizeof(comment) - 1, data, size);
	r2 = parse(shifted, sizeof(comment) - 1 + size, &b, &err2);
	FUZZ_CHECK(r2 == r);
	FUZZ_CHECK(r ? err2.line == err.line + 1 && err2.what == err.what
		     : same(&a, &b));
	free(shifted);
	assign_free(&a);
	assign_free(&b);
	return 0;
}
