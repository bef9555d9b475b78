/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Environment files in systemd's EnvironmentFile= format, and the list of
 * variables a program is started with (see envfile.h for the format).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "envfile.h"
#include "format.h"
#include "pidfile.h"

#define NO_TRIM SIZE_MAX

bool envfile_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!(c == '_' || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------ parser */

enum state {
	PRE_KEY,	/* at a line's start, or in its leading blanks */
	KEY,
	PRE_VALUE,	/* after '=' or a closing quote: blanks skipped */
	VALUE,		/* unquoted */
	VALUE_ESCAPE,	/* after a backslash in an unquoted value */
	SQUOTE,
	DQUOTE,
	DQUOTE_ESCAPE,
	COMMENT,
};

struct parser {
	enum state state;
	char *name;
	size_t nname;
	size_t name_end;	/* the name without its trailing blanks */
	char *value;
	size_t nvalue;
	size_t trim;		/* where trailing blanks start, or NO_TRIM */
	unsigned line;		/* the line being read */
	unsigned start;		/* the line the assignment began on */
	unsigned quote;		/* the line a quote was opened on */
	envfile_fn fn;
	void *data;
	struct envfile_error *err;
};

static bool is_newline(char c)
{
	return c == '\n' || c == '\r';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int refuse(struct parser *p, unsigned line, const char *what)
{
	p->err->line = line;
	p->err->what = what;
	return -EINVAL;
}

/* At the '=': is what came before it a name? */
static int end_key(struct parser *p)
{
	p->nname = p->name_end;
	if (envfile_name_valid(p->name, p->nname))
		return 0;
	if (p->nname > 7 && memcmp(p->name, "export", 6) == 0 &&
	    is_blank(p->name[6]))
		return refuse(p, p->line,
			      "'export' is shell syntax, not part of this format: write NAME=VALUE");
	return refuse(p, p->line,
		      "invalid variable name (letters, digits and '_', not starting with a digit)");
}

static bool valid_utf8(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		k = u[i] < 0x80 ? 1 : format_utf8_len(u + i, n - i);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

/* A whole assignment has been read: hand it on. */
static int emit(struct parser *p)
{
	if (p->state == VALUE && p->trim != NO_TRIM)
		p->nvalue = p->trim;
	if (!valid_utf8(p->value, p->nvalue))
		return refuse(p, p->start, "the value is not valid UTF-8");
	p->name[p->nname] = '\0';
	p->value[p->nvalue] = '\0';
	p->state = PRE_KEY;
	return p->fn(p->data, p->name, p->value);
}

static void start_key(struct parser *p)
{
	p->state = KEY;
	p->start = p->line;
	p->nname = p->name_end = 0;
	p->nvalue = 0;
	p->trim = NO_TRIM;
}

static int in_key(struct parser *p, char c)
{
	if (is_newline(c))
		return refuse(p, p->line, "no '=' in the line: NAME=VALUE wanted");
	if (c == '=') {
		p->state = PRE_VALUE;
		return end_key(p);
	}
	p->name[p->nname++] = c;
	if (!is_blank(c))
		p->name_end = p->nname;
	return 0;
}

static int pre_value(struct parser *p, char c)
{
	if (is_newline(c))
		return emit(p);
	if (c == '\'' || c == '"') {
		p->state = c == '\'' ? SQUOTE : DQUOTE;
		p->quote = p->line;
	} else if (c == '\\') {
		p->state = VALUE_ESCAPE;
	} else if (!is_blank(c)) {
		p->state = VALUE;
		p->trim = NO_TRIM;
		p->value[p->nvalue++] = c;
	}
	return 0;
}

static int in_value(struct parser *p, char c)
{
	if (is_newline(c))
		return emit(p);
	if (c == '\\') {
		p->state = VALUE_ESCAPE;
		p->trim = NO_TRIM;
		return 0;
	}
	if (!is_blank(c))
		p->trim = NO_TRIM;
	else if (p->trim == NO_TRIM)
		p->trim = p->nvalue;
	p->value[p->nvalue++] = c;
	return 0;
}

/* After a backslash in double quotes: the characters the shell would
 * have needed escaped stand for themselves, a newline is removed, and
 * any other backslash stays. */
static void dquote_escape(struct parser *p, char c)
{
	p->state = DQUOTE;
	if (c == '\n')
		return;
	if (!strchr("\"\\`$", c))
		p->value[p->nvalue++] = '\\';
	p->value[p->nvalue++] = c;
}

static int step(struct parser *p, char c)
{
	switch (p->state) {
	case PRE_KEY:
		if (c == '#' || c == ';') {
			p->state = COMMENT;
		} else if (!is_newline(c) && !is_blank(c)) {
			start_key(p);
			return in_key(p, c);
		}
		return 0;
	case KEY:
		return in_key(p, c);
	case PRE_VALUE:
		return pre_value(p, c);
	case VALUE:
		return in_value(p, c);
	case VALUE_ESCAPE:
		/* A backslash-newline joins the lines. */
		p->state = VALUE;
		if (!is_newline(c))
			p->value[p->nvalue++] = c;
		return 0;
	case SQUOTE:
		if (c == '\'')
			p->state = PRE_VALUE;
		else
			p->value[p->nvalue++] = c;
		return 0;
	case DQUOTE:
		if (c == '"')
			p->state = PRE_VALUE;
		else if (c == '\\')
			p->state = DQUOTE_ESCAPE;
		else
			p->value[p->nvalue++] = c;
		return 0;
	case DQUOTE_ESCAPE:
		dquote_escape(p, c);
		return 0;
	case COMMENT:
		if (is_newline(c))
			p->state = PRE_KEY;
		return 0;
	}
	return 0;
}

/* The end of the text ends the last line too. */
static int finish(struct parser *p)
{
	switch (p->state) {
	case KEY:
		return refuse(p, p->line, "no '=' in the line: NAME=VALUE wanted");
	case SQUOTE:
	case DQUOTE:
	case DQUOTE_ESCAPE:
		return refuse(p, p->quote,
			      "the quote opened on this line is never closed");
	case PRE_VALUE:
	case VALUE:
	case VALUE_ESCAPE:
		return emit(p);
	default:
		return 0;
	}
}

int envfile_parse(const char *text, size_t len, envfile_fn fn, void *data,
		  struct envfile_error *err)
{
	struct parser p = { .state = PRE_KEY, .line = 1, .fn = fn,
			    .data = data, .err = err };
	size_t i;
	int r = 0;

	err->line = 0;
	err->what = NULL;
	/* A name or a value is never longer than the text. */
	p.name = malloc(2 * (len + 1));
	if (!p.name)
		return -ENOMEM;
	p.value = p.name + len + 1;
	for (i = 0; i < len && r == 0; i++) {
		if (text[i] == '\0')
			r = refuse(&p, p.line, "NUL byte in the file");
		else
			r = step(&p, text[i]);
		if (text[i] == '\n')
			p.line++;
	}
	if (r == 0)
		r = finish(&p);
	free(p.name);
	return r;
}

/* -------------------------------------------------- environment list */

/* The index of name's entry, or e->n. */
static size_t find_var(const struct envfile_env *e, const char *name,
		       size_t len)
{
	size_t i;

	/* The first byte turns most entries away without a call: copying
	 * an environment of n entries looks this up n times. */
	for (i = 0; i < e->n; i++)
		if (e->vars[i][0] == name[0] &&
		    strncmp(e->vars[i], name, len) == 0 &&
		    e->vars[i][len] == '=')
			return i;
	return e->n;
}

/* Room for want entries and the NULL after them. */
static int reserve(struct envfile_env *e, size_t want)
{
	char **v;

	if (want < e->cap)
		return 0;
	v = realloc(e->vars, (want + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	e->vars = v;
	e->cap = want + 1;
	return 0;
}

/* Room for one more entry. */
static int grow(struct envfile_env *e)
{
	if (e->n + 1 < e->cap)
		return 0;
	return reserve(e, e->cap ? 2 * e->cap : 16);
}

/* Put entry ("NAME=VALUE", NAME len bytes) in, replacing: a string the
 * list made stays in its chain until the list is freed. */
static int put(struct envfile_env *e, char *entry, size_t len)
{
	size_t i = find_var(e, entry, len);

	if (i < e->n) {
		e->vars[i] = entry;
		return 0;
	}
	if (grow(e))
		return -ENOMEM;
	e->vars[e->n++] = entry;
	e->vars[e->n] = NULL;
	return 0;
}

int envfile_env_set(struct envfile_env *e, const char *name,
		    const char *value)
{
	struct envfile_str *str;
	size_t nlen, vlen;

	if (!name || !value)
		return -EINVAL;
	nlen = strlen(name);
	if (!envfile_name_valid(name, nlen))
		return -EINVAL;
	vlen = strlen(value);
	str = malloc(sizeof(*str) + nlen + vlen + 2);
	if (!str)
		return -ENOMEM;
	memcpy(str->text, name, nlen);
	str->text[nlen] = '=';
	memcpy(str->text + nlen + 1, value, vlen + 1);
	str->next = e->made;
	e->made = str;
	return put(e, str->text, nlen);
}

void envfile_env_unset(struct envfile_env *e, const char *name)
{
	size_t i = find_var(e, name, strlen(name));

	if (i == e->n)
		return;
	memmove(&e->vars[i], &e->vars[i + 1], (e->n - i) * sizeof(char *));
	e->n--;
}

const char *envfile_env_get(const struct envfile_env *e, const char *name)
{
	size_t len = strlen(name);
	size_t i = find_var(e, name, len);

	return i < e->n ? e->vars[i] + len + 1 : NULL;
}

static void free_made(struct envfile_str *str)
{
	struct envfile_str *next;

	for (; str; str = next) {
		next = str->next;
		free(str);
	}
}

void envfile_env_free(struct envfile_env *e)
{
	free_made(e->made);
	free(e->vars);
	memset(e, 0, sizeof(*e));
}

/*
 * One entry of the caller's environment, unless its name came before.
 * Pointed at, not copied: the list lives no longer than the call that
 * builds it, or than a supervisor whose environment nothing changes, and
 * a copy of each string would be an allocation each, every restart.
 */
static int copy_entry(struct envfile_env *e, char *entry)
{
	const char *eq = strchr(entry, '=');

	if (!eq || eq == entry ||
	    find_var(e, entry, (size_t)(eq - entry)) < e->n)
		return 0;
	if (grow(e))
		return -ENOMEM;
	e->vars[e->n++] = entry;
	e->vars[e->n] = NULL;
	return 0;
}

/* How many entries from has, and a few more that a start sets. */
static size_t expected(char *const *from)
{
	size_t n = 8;

	for (; from && *from; from++)
		n++;
	return n;
}

int envfile_env_init(struct envfile_env *e, char *const *from, bool clear)
{
	char *const *p;
	int r = 0;

	memset(e, 0, sizeof(*e));
	/* One vector for the whole build, not a series of doublings whose
	 * leftovers a supervisor's heap would keep. */
	if (reserve(e, clear ? 8 : expected(from)))
		return -ENOMEM;
	e->vars[0] = NULL;
	if (clear)
		r = envfile_env_set(e, "PATH", ENVFILE_DEFAULT_PATH);
	for (p = from; !clear && p && *p && r == 0; p++)
		r = copy_entry(e, *p);
	if (r)
		envfile_env_free(e);
	return r;
}

/* ------------------------------------------------------------- files */

static int set_from_file(void *data, const char *name, const char *value)
{
	return envfile_env_set(data, name, value);
}

static int read_all(int fd, char **text, size_t *len)
{
	size_t size = 4096, n = 0;
	char *buf = NULL, *nbuf;
	ssize_t r;

	for (;;) {
		if (n == size || !buf) {
			if (buf)
				size *= 2;
			nbuf = realloc(buf, size);
			if (!nbuf) {
				free(buf);
				return -ENOMEM;
			}
			buf = nbuf;
		}
		r = read(fd, buf + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(buf);
			return (int)r;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > ENVFILE_MAX_SIZE) {
			free(buf);
			return -EFBIG;
		}
	}
	*text = buf;
	*len = n;
	return 0;
}

static int sys_error(struct envfile_error *err, const char *what, int e)
{
	err->line = 0;
	err->what = what;
	return e;
}

/* Open path as a regular file, symlinks followed, never blocking. */
static int open_file(const char *path, struct envfile_error *err)
{
	struct stat st;
	char *real;
	int fd;

	/* The pidfiles' safe open refuses a final symlink; an environment
	 * file may well be one (/etc/default/x -> ...), so resolve first. */
	real = realpath(path, NULL);
	if (!real)
		return sys_error(err, "cannot open", -errno);
	fd = pidfile_open_regular(real, O_RDONLY, 0, &st);
	free(real);
	if (fd == -ELOOP || fd == -EISDIR || fd == -ENXIO)
		return sys_error(err, "not a regular file", fd);
	if (fd < 0)
		return sys_error(err, "cannot open", fd);
	if (st.st_size > ENVFILE_MAX_SIZE) {
		close(fd);
		return sys_error(err, "larger than 1 MiB", -EFBIG);
	}
	return fd;
}

/* Set every variable of tmp in e, which takes tmp's strings over. */
static int merge(struct envfile_env *e, struct envfile_env *tmp)
{
	struct envfile_str **end = &e->made;
	size_t i, len;
	int r = 0;

	while (*end)
		end = &(*end)->next;
	*end = tmp->made;
	for (i = 0; i < tmp->n && r == 0; i++) {
		len = strcspn(tmp->vars[i], "=");
		r = put(e, tmp->vars[i], len);
	}
	free(tmp->vars);
	return r;
}

int envfile_load(struct envfile_env *e, const char *path,
		 struct envfile_error *err)
{
	struct envfile_env tmp;
	size_t len = 0;
	char *text = NULL;
	int fd, r;

	if (!e || !path || !err)
		return -EINVAL;
	fd = open_file(path, err);
	if (fd < 0)
		return fd;
	r = read_all(fd, &text, &len);
	close(fd);
	if (r == -EFBIG)
		return sys_error(err, "larger than 1 MiB", r);
	if (r < 0)
		return sys_error(err, "cannot read", r);
	r = envfile_env_init(&tmp, NULL, false);
	if (r == 0)
		r = envfile_parse(text, len, set_from_file, &tmp, err);
	free(text);
	if (r == -ENOMEM)
		sys_error(err, "out of memory", r);
	if (r) {
		envfile_env_free(&tmp);
		return r;
	}
	return merge(e, &tmp);
}
