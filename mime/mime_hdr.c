/*
 * mime_hdr.c - header fields as they stand in the bytes, and the two edits
 * calmilter makes to a Content-Type: charset= and method= (R-MIME-1)
 *
 * Fields are located, never re-written wholesale: an edit replaces exactly
 * one field, and every other field keeps its bytes. A block that does not
 * parse cleanly (a line that is neither a field nor a continuation) is not
 * edited at all.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime_int.h"

/* line_end - offset of the EOL of the line at pos, and of the next line */
static size_t
line_end(const uint8_t *buf, size_t len, size_t pos, size_t *next)
{
	size_t i = pos;

	while (i < len && buf[i] != '\n')
		i++;
	*next = i < len ? i + 1 : len;
	if (i > pos && buf[i - 1] == '\r')
		i--;
	return i;
}

/* field_name_ok - RFC 5322 ftext up to the colon */
static int
field_name_ok(const uint8_t *buf, size_t start, size_t eol, size_t *colon)
{
	size_t i;

	for (i = start; i < eol && buf[i] != ':'; i++)
		if (buf[i] < 33 || buf[i] > 126)
			return 0;
	if (i == start || i == eol)
		return 0;
	*colon = i;
	return 1;
}

static int
fields_push(struct mime_fields *f, size_t start, size_t colon)
{
	struct mime_field *v;

	v = realloc(f->v, (f->n + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	f->v = v;
	f->v[f->n].start = start;
	f->v[f->n].colon = colon;
	f->n++;
	return 0;
}

int
mime_fields_parse(struct mime_fields *f, const uint8_t *buf, size_t len,
    size_t start)
{
	size_t pos = start, eol, next, colon;

	memset(f, 0, sizeof(*f));
	while (pos < len) {
		eol = line_end(buf, len, pos, &next);
		if (eol == pos) {
			f->complete = 1;
			pos = next;
			break;
		}
		if (buf[pos] == ' ' || buf[pos] == '\t') {
			if (f->n == 0)
				return -1;	/* continuation of nothing */
		} else if (!field_name_ok(buf, pos, eol, &colon) ||
		    fields_push(f, pos, colon) != 0) {
			return -1;
		}
		f->v[f->n - 1].end = eol;
		f->v[f->n - 1].next = next;
		pos = next;
	}
	f->end = pos;
	return 0;
}

void
mime_fields_free(struct mime_fields *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}

int
mime_field_is(const uint8_t *buf, const struct mime_field *fl,
    const char *name)
{
	size_t n = fl->colon - fl->start;

	return n == strlen(name) &&
	    strncasecmp((const char *)buf + fl->start, name, n) == 0;
}

size_t
mime_fields_count(const struct mime_fields *f, const uint8_t *buf,
    const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < f->n; i++)
		n += mime_field_is(buf, &f->v[i], name) ? 1 : 0;
	return n;
}

char *
mime_field_value(const uint8_t *buf, const struct mime_field *fl)
{
	size_t i, o = 0, n = fl->end - fl->colon - 1;
	char *v;

	v = malloc(n + 1);
	if (v == NULL)
		return NULL;
	for (i = fl->colon + 1; i < fl->end; i++)
		if (buf[i] != '\r' && buf[i] != '\n')
			v[o++] = (char)buf[i];	/* unfold: drop the line break */
	while (o > 0 && isspace((unsigned char)v[o - 1]))
		o--;
	v[o] = '\0';
	for (i = 0; isspace((unsigned char)v[i]); i++)
		;
	memmove(v, v + i, o - i + 1);
	return v;
}

/* ctype_split - next ';'-separated segment outside quotes; trimmed */
static int
ctype_split(const char **s, const char **seg, size_t *n)
{
	const char *p = *s, *e;
	int quoted = 0;

	while (*p == ';' || isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		return 0;
	for (e = p; *e != '\0' && (quoted || *e != ';'); e++) {
		if (*e == '\\' && quoted && e[1] != '\0')
			e++;
		else if (*e == '"')
			quoted = !quoted;
	}
	*seg = p;
	*s = e;
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	*n = (size_t)(e - p);
	return 1;
}

/* param_is - does segment seg name parameter name (also name*, name*0...)? */
static int
param_is(const char *seg, size_t n, const char *name)
{
	size_t k = strlen(name);

	if (n <= k || strncasecmp(seg, name, k) != 0)
		return 0;
	while (k < n && isspace((unsigned char)seg[k]))
		k++;
	return seg[k] == '=' || seg[k] == '*';
}

static void
ctype_append(GString *out, const char *seg, size_t n)
{
	if (out->len > 0)
		g_string_append(out, "; ");
	g_string_append_len(out, seg, (gssize)n);
}

char *
mime_ctype_edit(const char *old, const char *charset, const char *method)
{
	GString *out = g_string_new(NULL);
	const char *s = old, *seg;
	size_t n;
	int first = 1;

	while (ctype_split(&s, &seg, &n)) {
		if (!first && ((charset != NULL && param_is(seg, n, "charset")) ||
		    (method != NULL && param_is(seg, n, "method"))))
			continue;	/* replaced below */
		ctype_append(out, seg, n);
		first = 0;
	}
	if (charset != NULL && charset[0] != '\0') {
		ctype_append(out, "charset=", 8);
		g_string_append(out, charset);
	}
	if (method != NULL && method[0] != '\0') {
		ctype_append(out, "method=", 7);
		g_string_append(out, method);
	}
	return g_string_free(out, FALSE);
}

/* unquote - a parameter value without its quotes and escapes */
static char *
unquote(const char *v, size_t n)
{
	char *out = malloc(n + 1);
	size_t i, o = 0;

	if (out == NULL)
		return NULL;
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v++;
		n -= 2;
	}
	for (i = 0; i < n; i++) {
		if (v[i] == '\\' && i + 1 < n)
			i++;
		out[o++] = v[i];
	}
	out[o] = '\0';
	return out;
}

char *
mime_ctype_param(const char *ctype, const char *name)
{
	const char *s = ctype, *seg, *eq;
	size_t n;
	int first = 1;

	while (ctype_split(&s, &seg, &n)) {
		if (first) {
			first = 0;
			continue;
		}
		if (!param_is(seg, n, name) || seg[strlen(name)] == '*')
			continue;
		eq = memchr(seg, '=', n);
		eq++;
		while (eq < seg + n && isspace((unsigned char)*eq))
			eq++;	/* not past the segment: its end is trimmed */
		return unquote(eq, n - (size_t)(eq - seg));
	}
	return NULL;
}

char *
mime_header_fold(const char *name, const char *value)
{
	GString *out = g_string_new(" ");
	const char *s = value, *seg;
	size_t n, col = strlen(name) + 2;
	int first = 1;

	while (ctype_split(&s, &seg, &n)) {
		if (!first) {
			g_string_append_c(out, ';');
			col++;
			if (col + 1 + n > 78) {
				g_string_append(out, "\n\t");
				col = 8;
			} else {
				g_string_append_c(out, ' ');
				col++;
			}
		}
		g_string_append_len(out, seg, (gssize)n);
		col += n;
		first = 0;
	}
	return g_string_free(out, FALSE);
}

char *
mime_attachment_disp(const char *ctype)
{
	GString *out = g_string_new("attachment");
	const char *s = ctype != NULL ? ctype : "", *seg;
	size_t n;
	int first = 1;

	while (ctype_split(&s, &seg, &n)) {
		if (!first && param_is(seg, n, "name")) {
			g_string_append(out, "; file");
			g_string_append_len(out, seg, (gssize)n);
		}
		first = 0;
	}
	return g_string_free(out, FALSE);
}
