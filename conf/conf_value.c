/*
 * conf_value.c - one value of a key: text to value, value to struct conf,
 * value back to text
 *
 * Each type of conf_table.c has one parser here. Every parser checks the
 * whole text (no trailing junk, no sign, no overflow) and the key's bounds;
 * a value it accepts prints back as text it accepts again, so the output of
 * conf_print() is a valid file.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_int.h"

#define CONF_WORDS_MAX 256 /* longest list of allowed words, for messages */

/*
 * conf_err_set - write "WHERE:LINE: " and the message into e's buffer.
 * The buffer only ever holds a message, so cutting it short is harmless.
 */
void
conf_err_set(struct conf_err *e, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (e->buf == NULL || e->len == 0)
		return;
	e->buf[0] = '\0';
	if (e->where != NULL && e->line > 0)
		n = snprintf(e->buf, e->len, "%s:%lu: ", e->where, e->line);
	else if (e->where != NULL)
		n = snprintf(e->buf, e->len, "%s: ", e->where);
	if (n < 0 || (size_t)n >= e->len)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(e->buf + n, e->len - (size_t)n, fmt, ap);
	va_end(ap);
}

/* conf_words_join - "a, b, c" into buf; cut short if it does not fit */
static void
conf_words_join(const struct conf_word *w, char *buf, size_t len)
{
	size_t used = 0;
	int n;

	buf[0] = '\0';
	for (; w->name != NULL && used < len; w++) {
		n = snprintf(buf + used, len - used, "%s%s",
		             used > 0 ? ", " : "", w->name);
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

/* conf_size_format - n in the largest unit that divides it: "25M", "1500" */
static void
conf_size_format(unsigned long long n, char *buf, size_t len)
{
	static const char units[] = "KMG";
	unsigned long long v = n;
	int u = -1;

	while (v != 0 && v % 1024 == 0 && u < 2) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		(void)snprintf(buf, len, "%llu", v);
	else
		(void)snprintf(buf, len, "%llu%c", v, units[u]);
}

/* conf_bound_format - a bound of k as it would be written in the file */
static void
conf_bound_format(const struct conf_key *k, unsigned long long n, char *buf,
                  size_t len)
{
	if (k->type == CONF_T_SIZE)
		conf_size_format(n, buf, len);
	else if (k->type == CONF_T_MODE)
		(void)snprintf(buf, len, "%04llo", n);
	else
		(void)snprintf(buf, len, "%llu", n);
}

/*
 * conf_number - the decimal number text starts with into *n, *end just past
 * it. 0 on success, -1 if text does not start with a digit (strtoull would
 * skip space and take a sign), 1 if the number does not fit.
 */
static int
conf_number(const char *text, unsigned long long *n, char **end)
{
	if (!isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	*n = strtoull(text, end, 10);
	if (errno == ERANGE)
		return 1;
	return errno == 0 ? 0 : -1;
}

/* conf_range - check n against k's bounds and keep it in v */
static int
conf_range(const struct conf_key *k, const char *text, unsigned long long n,
           int overflow, union conf_value *v, struct conf_err *e)
{
	char lo[32], hi[32];

	if (overflow || n < k->min || n > k->max) {
		conf_bound_format(k, k->min, lo, sizeof(lo));
		conf_bound_format(k, k->max, hi, sizeof(hi));
		conf_err_set(e, "%s: \"%s\" is out of range (%s to %s)",
		             k->name, text, lo, hi);
		return -1;
	}
	v->n = n;
	return 0;
}

/* conf_size_unit - the multiplier for a size suffix, or 0 if it is none */
static unsigned long long
conf_size_unit(const char *suffix)
{
	if (suffix[0] == '\0')
		return 1;
	if (suffix[1] != '\0')
		return 0;
	switch (suffix[0]) {
	case 'k':
	case 'K':
		return 1024ULL;
	case 'm':
	case 'M':
		return 1024ULL * 1024;
	case 'g':
	case 'G':
		return 1024ULL * 1024 * 1024;
	default:
		return 0;
	}
}

/* conf_parse_size - bytes: "1500", "64K", "25m", "1G" (binary units) */
static int
conf_parse_size(const struct conf_key *k, const char *text, union conf_value *v,
                struct conf_err *e)
{
	unsigned long long n = 0, unit = 0;
	char *end = NULL;
	int r;

	r = conf_number(text, &n, &end);
	if (r >= 0)
		unit = conf_size_unit(end);
	if (r < 0 || unit == 0) {
		conf_err_set(
		    e,
		    "%s: \"%s\" is not a size (use a number with optional "
		    "K, M or G)",
		    k->name, text);
		return -1;
	}
	if (r == 0 && n > ULLONG_MAX / unit)
		r = 1;
	return conf_range(k, text, n * unit, r, v, e);
}

/* conf_parse_uint - a plain decimal number */
static int
conf_parse_uint(const struct conf_key *k, const char *text, union conf_value *v,
                struct conf_err *e)
{
	unsigned long long n = 0;
	char *end = NULL;
	int r;

	r = conf_number(text, &n, &end);
	if (r < 0 || *end != '\0') {
		conf_err_set(e, "%s: \"%s\" is not a number", k->name, text);
		return -1;
	}
	return conf_range(k, text, n, r, v, e);
}

/* conf_parse_mode - file mode bits in octal: "0660", "027" */
static int
conf_parse_mode(const struct conf_key *k, const char *text, union conf_value *v,
                struct conf_err *e)
{
	unsigned long long n = 0;
	size_t i;

	for (i = 0; text[i] >= '0' && text[i] <= '7' && i < 6; i++)
		n = n * 8 + (unsigned)(text[i] - '0');
	if (i == 0 || text[i] != '\0') {
		conf_err_set(e,
		             "%s: \"%s\" is not an octal mode (0000 to 0777)",
		             k->name, text);
		return -1;
	}
	return conf_range(k, text, n, 0, v, e);
}

/* conf_parse_word - one of k->words, any case */
static int
conf_parse_word(const struct conf_key *k, const char *text, union conf_value *v,
                struct conf_err *e)
{
	const struct conf_word *w;
	char list[CONF_WORDS_MAX];

	for (w = k->words; w->name != NULL; w++) {
		if (strcasecmp(text, w->name) == 0) {
			v->i = w->value;
			return 0;
		}
	}
	conf_words_join(k->words, list, sizeof(list));
	conf_err_set(e, "%s: \"%s\" is not one of %s", k->name, text, list);
	return -1;
}

/* conf_parse_string - a copy of text, or NULL for "none" if k allows it */
static int
conf_parse_string(const struct conf_key *k, const char *text,
                  union conf_value *v, struct conf_err *e)
{
	size_t len = strlen(text), i;

	if (len < k->min || len > k->max) {
		conf_err_set(e, "%s: value must be %llu to %llu bytes long",
		             k->name, k->min, k->max);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (iscntrl((unsigned char)text[i]) && text[i] != '\t') {
			conf_err_set(e, "%s: control character in value",
			             k->name);
			return -1;
		}
	}
	v->s = NULL;
	if ((k->flags & CONF_F_NONE) && strcasecmp(text, "none") == 0)
		return 0;
	if (k->check != NULL && k->check(text) != 0) {
		conf_err_set(e, "%s: \"%s\" is not valid (use %s)", k->name,
		             text, k->form);
		return -1;
	}
	v->s = strdup(text);
	if (v->s == NULL) {
		conf_err_set(e, "%s: %s", k->name, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * conf_value_parse - text (already unquoted) to a value of k's type.
 * Returns 0 with *v filled (a string is transfer full), or -1 with a message
 * in e.
 */
int
conf_value_parse(const struct conf_key *k, const char *text,
                 union conf_value *v, struct conf_err *e)
{
	switch (k->type) {
	case CONF_T_STRING:
		return conf_parse_string(k, text, v, e);
	case CONF_T_SIZE:
		return conf_parse_size(k, text, v, e);
	case CONF_T_UINT:
		return conf_parse_uint(k, text, v, e);
	case CONF_T_MODE:
		return conf_parse_mode(k, text, v, e);
	case CONF_T_ENUM:
	case CONF_T_FACILITY:
	case CONF_T_LOGLEVEL:
		return conf_parse_word(k, text, v, e);
	}
	conf_err_set(e, "%s: key of unknown type", k->name);
	return -1;
}

/*
 * conf_value_store - put v into c's field for k. Steals v->s; the old
 * string is freed.
 */
void
conf_value_store(const struct conf_key *k, struct conf *c, union conf_value *v)
{
	void *field = (char *)c + k->off;
	char **s = field;

	switch (k->type) {
	case CONF_T_STRING:
		free(*s);
		*s = v->s;
		v->s = NULL;
		break;
	case CONF_T_SIZE:
		*(size_t *)field = (size_t)v->n;
		break;
	case CONF_T_UINT:
	case CONF_T_MODE:
		*(unsigned *)field = (unsigned)v->n;
		break;
	case CONF_T_ENUM:
	case CONF_T_FACILITY:
	case CONF_T_LOGLEVEL:
		*(int *)field = v->i;
		break;
	}
}

/* conf_string_print - s as a value: "none" for NULL, quoted if need be */
static void
conf_string_print(const char *s, FILE *out)
{
	size_t len;

	if (s == NULL) {
		fputs("none", out);
		return;
	}
	len = strlen(s);
	if (len == 0 || isspace((unsigned char)s[0]) || s[0] == '"' ||
	    isspace((unsigned char)s[len - 1]))
		fprintf(out, "\"%s\"", s);
	else
		fputs(s, out);
}

/* conf_word_print - the word for value i */
static void
conf_word_print(const struct conf_word *w, int i, FILE *out)
{
	for (; w->name != NULL; w++) {
		if (w->value == i) {
			fputs(w->name, out);
			return;
		}
	}
	fprintf(out, "%d", i); /* not a word: a bug, and the file says so */
}

/* conf_value_print - k's value in c, in file syntax */
void
conf_value_print(const struct conf_key *k, const struct conf *c, FILE *out)
{
	const void *field = (const char *)c + k->off;
	char buf[32];

	switch (k->type) {
	case CONF_T_STRING:
		conf_string_print(*(char *const *)field, out);
		break;
	case CONF_T_SIZE:
		conf_size_format(*(const size_t *)field, buf, sizeof(buf));
		fputs(buf, out);
		break;
	case CONF_T_UINT:
		fprintf(out, "%u", *(const unsigned *)field);
		break;
	case CONF_T_MODE:
		fprintf(out, "%04o", *(const unsigned *)field);
		break;
	case CONF_T_ENUM:
	case CONF_T_FACILITY:
	case CONF_T_LOGLEVEL:
		conf_word_print(k->words, *(const int *)field, out);
		break;
	}
}

/*
 * conf_key_bounds - what k accepts, for the example file: "Values: a, b",
 * "Range: 1K to 1G", "Form: ..." or "" when the help text says it all.
 */
void
conf_key_bounds(const struct conf_key *k, char *buf, size_t len)
{
	char lo[32], hi[32], list[CONF_WORDS_MAX];

	buf[0] = '\0';
	switch (k->type) {
	case CONF_T_STRING:
		if (k->form != NULL)
			(void)snprintf(buf, len, "Form: %s", k->form);
		break;
	case CONF_T_SIZE:
	case CONF_T_UINT:
	case CONF_T_MODE:
		conf_bound_format(k, k->min, lo, sizeof(lo));
		conf_bound_format(k, k->max, hi, sizeof(hi));
		(void)snprintf(buf, len, "Range: %s to %s", lo, hi);
		break;
	case CONF_T_ENUM:
	case CONF_T_FACILITY:
	case CONF_T_LOGLEVEL:
		conf_words_join(k->words, list, sizeof(list));
		(void)snprintf(buf, len, "Values: %s", list);
		break;
	}
}
