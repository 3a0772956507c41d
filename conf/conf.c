/*
 * conf.c - read calmilter.conf into a struct conf, and print it back
 *
 * The file is one "Key value" per line: the key, blanks, then the value up
 * to the end of the line with trailing blanks dropped. A line whose first
 * non-blank character is '#' is a comment; blank lines are ignored; '#'
 * anywhere else is part of the value. A value that starts with a double
 * quote must end with one; the two quotes are removed and everything between
 * them is kept, blanks included. A key given twice: the last one wins.
 * The first error stops the load with "FILE:LINE: message".
 *
 * Which keys exist, and what values they take, is conf_table.c's business;
 * this file knows only the line syntax.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

#define CONF_BLANKS        " \t\r\f\v"
#define CONF_EXAMPLE_WIDTH 78 /* wrap help text in the example file here */

static const char conf_example_head[] =
    "# calmilter.conf - settings for calmilter, the milter that makes\n"
    "# calendar invitations acceptable to Exchange and Outlook.\n"
    "#\n"
    "# One setting per line: a key, blanks, then the value up to the end of\n"
    "# the line; trailing blanks are dropped. Keys are case-insensitive.\n"
    "# A line whose first non-blank character is '#' is a comment, and blank\n"
    "# lines are ignored; a '#' after a key is part of the value. A value\n"
    "# that starts with a double quote must end with one: the quotes are\n"
    "# removed and the blanks between them kept. If a key is given twice,\n"
    "# the last one wins. Sizes are bytes, or a number followed by K, M or G\n"
    "# (times 1024, 1024^2, 1024^3). An unknown key or a bad value stops\n"
    "# calmilter with \"FILE:LINE: message\"; `calmilter -n` checks this file\n"
    "# and prints the settings in force.\n"
    "#\n"
    "# Every key is listed below, commented out, with its default.\n";

/*
 * conf_new_default - every key at its default. (transfer full)
 * The defaults are parsed like any value, so a bad row in the table shows
 * up as a NULL here and fails the unit test.
 */
struct conf *
conf_new_default(void)
{
	struct conf_err e = {NULL, 0, NULL, 0};
	const struct conf_key *k;
	union conf_value v;
	struct conf *c;
	size_t i;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	for (i = 0; i < conf_nkeys; i++) {
		k = &conf_keys[i];
		if (conf_value_parse(k, k->def, &v, &e) == -1) {
			conf_free(c);
			return NULL;
		}
		conf_value_store(k, c, &v);
	}
	return c;
}

/* conf_free - free c and the strings it owns; NULL-safe */
void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < conf_nkeys; i++) {
		if (conf_keys[i].type == CONF_T_STRING)
			free(*(char **)(void *)((char *)c + conf_keys[i].off));
	}
	free(c->path);
	free(c);
}

/*
 * conf_value_text - the value as written to the text its parser sees:
 * blanks around it dropped, then one pair of double quotes removed.
 * buf has room for CONF_LINE_MAX bytes and the NUL.
 */
static int
conf_value_text(const struct conf_key *k, const char *value, char *buf,
                struct conf_err *e)
{
	size_t n;

	value += strspn(value, CONF_BLANKS);
	n = strlen(value);
	while (n > 0 && isspace((unsigned char)value[n - 1]))
		n--;
	if (n > CONF_LINE_MAX) {
		conf_err_set(e, "%s: value longer than %d bytes", k->name,
		             CONF_LINE_MAX);
		return -1;
	}
	memcpy(buf, value, n);
	buf[n] = '\0';
	if (buf[0] == '"') {
		if (n < 2 || buf[n - 1] != '"') {
			conf_err_set(e, "%s: unterminated quote", k->name);
			return -1;
		}
		n -= 2;
		memmove(buf, buf + 1, n);
		buf[n] = '\0';
	}
	if (n == 0) {
		conf_err_set(e, "%s: missing value", k->name);
		return -1;
	}
	return 0;
}

/* conf_key_apply - value into c's field for k; on error c is unchanged */
static int
conf_key_apply(struct conf *c, const struct conf_key *k, const char *value,
               struct conf_err *e)
{
	char text[CONF_LINE_MAX + 1];
	union conf_value v;

	if (conf_value_text(k, value, text, e) == -1)
		return -1;
	if (conf_value_parse(k, text, &v, e) == -1)
		return -1;
	conf_value_store(k, c, &v);
	return 0;
}

/* conf_set - one key from text, as a line of the file would set it */
int
conf_set(struct conf *c, const char *key, const char *value, const char *where,
         char *err, size_t errlen)
{
	struct conf_err e = {err, errlen, where, 0};
	const struct conf_key *k;

	k = conf_key_find(key);
	if (k == NULL) {
		conf_err_set(&e, "unknown key \"%s\"", key);
		return -1;
	}
	return conf_key_apply(c, k, value != NULL ? value : "", &e);
}

/* conf_line_apply - one line of the file: a comment, a blank, or a key */
static int
conf_line_apply(struct conf *c, char *line, struct conf_err *e)
{
	const struct conf_key *k;
	char *key, *end;

	key = line + strspn(line, CONF_BLANKS);
	if (*key == '\0' || *key == '#')
		return 0;
	end = key + strcspn(key, CONF_BLANKS);
	if (*end != '\0')
		*end++ = '\0';
	k = conf_key_find(key);
	if (k == NULL) {
		conf_err_set(e, "unknown key \"%s\"", key);
		return -1;
	}
	return conf_key_apply(c, k, end, e);
}

/*
 * conf_line_read - the next line of f, without its newline, into buf of
 * size bytes. Returns 1 for a line, 0 at the end of the file, -1 with a
 * message for a line too long, a NUL byte, or a read error.
 */
static int
conf_line_read(FILE *f, char *buf, size_t size, struct conf_err *e)
{
	size_t n = 0;
	int ch;

	for (;;) {
		ch = getc(f);
		if (ch == EOF || ch == '\n')
			break;
		if (ch == '\0') {
			conf_err_set(e, "NUL byte in line");
			return -1;
		}
		if (n + 1 >= size) {
			conf_err_set(e, "line longer than %d bytes",
			             CONF_LINE_MAX);
			return -1;
		}
		buf[n++] = (char)ch;
	}
	buf[n] = '\0';
	if (ch == EOF && ferror(f)) {
		e->line = 0;
		conf_err_set(e, "%s", strerror(errno));
		return -1;
	}
	return ch == EOF && n == 0 ? 0 : 1;
}

/* conf_read - apply every line of f to c; stops at the first error */
static int
conf_read(struct conf *c, FILE *f, struct conf_err *e)
{
	char line[CONF_LINE_MAX + 1];
	int r;

	for (e->line = 1;; e->line++) {
		r = conf_line_read(f, line, sizeof(line), e);
		if (r <= 0)
			return r;
		if (conf_line_apply(c, line, e) == -1)
			return -1;
	}
}

/* conf_load - FILE over the defaults. (transfer full) */
struct conf *
conf_load(const char *file, char *err, size_t errlen)
{
	struct conf_err e = {err, errlen, file, 0};
	struct conf *c = NULL;
	FILE *f;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	f = fopen(file, "r");
	if (f == NULL) {
		conf_err_set(&e, "%s", strerror(errno));
		return NULL;
	}
	c = conf_new_default();
	if (c != NULL)
		c->path = strdup(file);
	if (c == NULL || c->path == NULL) {
		conf_err_set(&e, "%s", strerror(ENOMEM));
		goto fail;
	}
	if (conf_read(c, f, &e) == -1)
		goto fail;
	fclose(f);
	return c;
fail:
	fclose(f);
	conf_free(c);
	return NULL;
}

/* conf_print - every key and its value, in file syntax */
void
conf_print(const struct conf *c, FILE *out)
{
	size_t i;

	for (i = 0; i < conf_nkeys; i++) {
		fprintf(out, "%s ", conf_keys[i].name);
		conf_value_print(&conf_keys[i], c, out);
		putc('\n', out);
	}
}

/*
 * conf_comment_wrap - TEXT's words, each after a blank, onto a comment line
 * already col columns long; wrapped at CONF_EXAMPLE_WIDTH onto lines that
 * start "#   ".
 */
static void
conf_comment_wrap(FILE *out, size_t col, const char *text)
{
	const char *p = text;
	size_t n;

	while (*p != '\0') {
		n = strcspn(p, " ");
		if (col + 1 + n > CONF_EXAMPLE_WIDTH) {
			fputs("\n#  ", out);
			col = 3;
		}
		fprintf(out, " %.*s", (int)n, p);
		col += 1 + n;
		p += n + strspn(p + n, " ");
	}
	putc('\n', out);
}

/* conf_key_example - one key's block of the example file */
static void
conf_key_example(const struct conf_key *k, FILE *out)
{
	char bounds[CONF_BOUNDS_MAX];

	fprintf(out, "\n# %s -", k->name);
	conf_comment_wrap(out, strlen(k->name) + 4, k->help);
	conf_key_bounds(k, bounds, sizeof(bounds));
	if (bounds[0] != '\0') {
		putc('#', out);
		conf_comment_wrap(out, 1, bounds);
	}
	fprintf(out, "# Default: %s\n#%s %s\n", k->def, k->name, k->def);
}

/* conf_print_example - the commented example file; see conf.h */
void
conf_print_example(FILE *out)
{
	size_t i;

	fputs(conf_example_head, out);
	for (i = 0; i < conf_nkeys; i++)
		conf_key_example(&conf_keys[i], out);
}
