/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The program's environment (envfile.c): files in the format of systemd's
 * EnvironmentFile= (--env-file), and the list of variables the program
 * gets, started from the caller's environment or, for --clear-env, from
 * a default PATH alone. Internal to the library; everything here runs
 * before forking (it allocates).
 *
 * The file format, as systemd reads it:
 *   - one NAME=VALUE a line; blanks around NAME and before VALUE ignored;
 *     NAME is letters, digits and '_', not starting with a digit;
 *   - blank lines, and lines whose first non-blank is '#' or ';', are
 *     skipped (a '#' later in a line is part of the value);
 *   - an unquoted value loses its trailing blanks; a backslash takes the
 *     next character as it is, and a backslash at the end of a line joins
 *     the next line to it;
 *   - 'single quotes' keep everything up to the next quote, newlines
 *     included; "double quotes" too, except that \" \\ \` \$ stand for
 *     the character and a backslash before a newline removes both (any
 *     other backslash stays); quoted and unquoted pieces right after each
 *     other, blanks between them aside, join into one value: A="x" 'y' is
 *     "xy";
 *   - CR ends a line as LF does.
 * Stricter than systemd, which logs and skips what it cannot use:
 *   a line without '=', an invalid NAME (such as "export NAME", shell
 *   syntax this format does not have), a quote left open at the end of
 *   the file, a NUL byte, text that is not UTF-8, are all errors, each
 *   reported with its line.
 */
#ifndef DCTL_ENVFILE_H
#define DCTL_ENVFILE_H

#include <stdbool.h>
#include <stddef.h>

/* The PATH a --clear-env program gets, as systemd gives its services. */
#define ENVFILE_DEFAULT_PATH \
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The largest file read: an environment is not a data file. */
#define ENVFILE_MAX_SIZE (1 << 20)

/* Where and why a file was refused. */
struct envfile_error {
	unsigned line;		/* 1-based; 0: the file as a whole */
	const char *what;	/* static text */
};

/* Is name (len bytes) a variable name as the format accepts it? */
bool envfile_name_valid(const char *name, size_t len);

/*
 * Parse len bytes of text, calling fn(data, name, value) for each
 * assignment, in order (NUL-terminated strings valid during the call).
 * Returns 0; -EINVAL (malformed, with *err filled in), -ENOMEM, or
 * what fn returned if it returned non-zero (parsing stops there).
 */
typedef int (*envfile_fn)(void *data, const char *name, const char *value);
int envfile_parse(const char *text, size_t len, envfile_fn fn, void *data,
		  struct envfile_error *err);

/* ---------------------------------------------- the environment list */

/* A string the list made itself, freed with the list. */
struct envfile_str {
	struct envfile_str *next;
	char text[];
};

/* "NAME=VALUE" strings, one per name, NULL-terminated: execve()'s envp. */
struct envfile_env {
	char **vars;
	size_t n;
	size_t cap;
	struct envfile_str *made;
};

/*
 * Start a list: the entries of from (entries without '=' dropped; of two
 * with one name the first, which is the one getenv() sees), or, for
 * clear, just PATH=ENVFILE_DEFAULT_PATH. 0 or -ENOMEM. The list points
 * at from's strings, which must outlive it unchanged.
 */
int envfile_env_init(struct envfile_env *e, char *const *from, bool clear);

/* Set name to value, replacing an earlier value. 0, -EINVAL (a name the
 * format would refuse), -ENOMEM. */
int envfile_env_set(struct envfile_env *e, const char *name,
		    const char *value);

/* Remove name if set. */
void envfile_env_unset(struct envfile_env *e, const char *name);

/* The value of name, or NULL. */
const char *envfile_env_get(const struct envfile_env *e, const char *name);

/*
 * Read an environment file and set its variables in e, in the file's
 * order (the file's later lines, and later files, win). The path is
 * resolved through symlinks, then opened as the pidfiles are (never a
 * FIFO or device, never blocking). Returns 0; -EINVAL (malformed: *err
 * says where), -EFBIG (above ENVFILE_MAX_SIZE), -ENOMEM or -errno of the
 * open or read (err->line 0). e is unchanged on any error but -ENOMEM.
 */
int envfile_load(struct envfile_env *e, const char *path,
		 struct envfile_error *err);

void envfile_env_free(struct envfile_env *e);

#endif
