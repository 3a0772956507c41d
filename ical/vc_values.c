/*
 * vc_values.c - nothing of the person is lost (the vCard meaning check)
 *
 * Every value of every card (names, numbers, addresses, e-mail, notes,
 * photos, X- properties...) is read in its plain form: quoted-printable
 * and CHARSET decoded, escapes of 2.1, 3.0 and 4.0 undone, base64 without
 * white space, a data: URI's payload, a tel: URI's number, an ADR's LABEL
 * parameter. The set of plain values after the conversion must equal the
 * set before, except for an added FN or N (R-VC-4 derives them). Names and
 * parameters are not compared: renaming a 4.0-only property to X- and
 * spelling TYPE differently are the documented conversions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vc_int.h"

#define VC_VALUES_MAX 100000	/* values per part; past it: not judged */

static void
vals_free(struct vc_vals *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* vals_add - steal str into s; -1 on OOM or past the ceiling */
static int
vals_add(struct vc_vals *s, char *str)
{
	char **nv;
	size_t cap;

	if (str == NULL)
		return -1;
	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : 64;
		nv = s->n < VC_VALUES_MAX ? reallocarray(s->v, cap,
		    sizeof(*nv)) : NULL;
		if (nv == NULL) {
			free(str);
			return -1;
		}
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = str;
	return 0;
}

/* canon_binary - base64 without white space */
static void
canon_binary(struct cal_buf *o, const char *v)
{
	for (; *v != '\0'; v++)
		if (*v != ' ' && *v != '\t' && *v != '\r' && *v != '\n')
			cal_buf_addc(o, *v);
}

/* canon_text - decoded, unescaped text of p into o */
static void
canon_text(struct cal_buf *o, const struct cal_prop *p,
    const struct vc_params *ps, const char *mime_cs)
{
	const char *enc = vc_params_encoding(ps), *cs = NULL, *v = p->value;
	struct cal_buf d, u;
	size_t i = vc_params_find(ps, "CHARSET");

	cal_buf_init(&d, o->max);
	cal_buf_init(&u, o->max);
	if (i != (size_t)-1 && !vc_charset_is_utf8(ps->v[i].value))
		cs = ps->v[i].value;
	if (enc != NULL && cal_streq(enc, "QUOTED-PRINTABLE")) {
		vc_qp_decode(&d, v);
		if (cs == NULL && !cal_utf8_valid(d.p, d.len))
			cs = mime_cs;
		if (cs != NULL && cs[0] != '\0' &&
		    vc_iconv(&u, cs, d.p, d.len) == 0) {
			cal_buf_free(&d);
			d = u;
			cal_buf_init(&u, o->max);
		}
		v = d.p != NULL ? d.p : "";
	}
	if (cal_streq(vc_base(p->name), "TEL") && strncasecmp(v, "tel:", 4) == 0)
		v += 4;
	vc_unescape(o, v, strlen(v));
	cal_buf_free(&d);
	cal_buf_free(&u);
}

/* canon_label - an ADR's 4.0 LABEL parameter (RFC 6868 carets undone) */
static char *
canon_label(const struct vc_params *ps, size_t max)
{
	size_t i = vc_params_find(ps, "LABEL"), k;
	struct cal_buf b, o;
	const char *v;

	if (i == (size_t)-1)
		return NULL;
	v = ps->v[i].value;
	cal_buf_init(&b, max);
	cal_buf_add(&b, "", 0);
	for (k = 0; v[k] != '\0'; k++) {
		if (v[k] == '^' && (v[k + 1] == 'n' || v[k + 1] == 'N'))
			cal_buf_adds(&b, "\\n");
		else if (v[k] == '^' && (v[k + 1] == '\'' || v[k + 1] == '^'))
			cal_buf_addc(&b, v[k + 1] == '\'' ? '"' : '^');
		else {
			cal_buf_addc(&b, v[k]);
			continue;
		}
		k++;
	}
	cal_buf_init(&o, max);
	vc_unescape(&o, b.p, b.len);
	cal_buf_free(&b);
	return cal_buf_steal(&o, NULL);
}

/* canon - p's plain value (transfer full), "" for none; NULL on OOM */
static char *
canon(const struct cal_prop *p, const struct vc_params *ps,
    const char *mime_cs, size_t max)
{
	const char *v = p->value, *c = strchr(v, ',');
	struct cal_buf o;

	cal_buf_init(&o, max);
	cal_buf_add(&o, "", 0);
	if (vc_is_binary(p, ps))
		canon_binary(&o, v);
	else if (strncasecmp(v, "data:", 5) == 0 && c != NULL && c - v > 7 &&
	    strncasecmp(c - 7, ";base64", 7) == 0)
		canon_binary(&o, c + 1);
	else
		canon_text(&o, p, ps, mime_cs);
	if (o.oom || o.over) {
		cal_buf_free(&o);
		return NULL;
	}
	return cal_buf_steal(&o, NULL);
}

/* collect_prop - the values of one property into all (and new, for N/FN) */
static int
collect_prop(struct vc_vals *all, struct vc_vals *derivable,
    const struct cal_prop *p, const char *mime_cs, size_t max)
{
	struct vc_params ps;
	const char *base = vc_base(p->name);
	struct vc_vals *to = all;
	char *v, *l;
	int r = -1;

	if (cal_streq(base, "VERSION"))
		return 0;
	if (derivable != NULL && (cal_streq(base, "FN") || cal_streq(base, "N")))
		to = derivable;
	if (vc_params_parse(&ps, p->params) != 0)
		goto out;
	v = canon(p, &ps, mime_cs, max);
	if (v == NULL)
		goto out;
	if (v[0] == '\0')
		free(v);
	else if (vals_add(to, v) != 0)
		goto out;
	l = canon_label(&ps, max);
	r = l == NULL || l[0] == '\0' ? (free(l), 0) : vals_add(all, l);
out:
	vc_params_free(&ps);
	return r;
}

/* collect - every value of every card of doc */
static int
collect(struct vc_vals *all, struct vc_vals *derivable,
    const struct cal_comp *c, const char *mime_cs, size_t max)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->items[i].type == CAL_ITEM_COMP) {
			if (collect(all, derivable, c->items[i].u.comp,
			    mime_cs, max) != 0)
				return -1;
		} else if (collect_prop(all, derivable, c->items[i].u.prop,
		    mime_cs, max) != 0)
			return -1;
	}
	return 0;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
has(const struct vc_vals *s, const char *v)
{
	return s->n > 0 && bsearch(&v, s->v, s->n, sizeof(*s->v), cmpstr);
}

/* missing - the first value of a not in b or in c, or NULL */
static const char *
missing(const struct vc_vals *a, const struct vc_vals *b,
    const struct vc_vals *c)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (!has(b, a->v[i]) && (c == NULL || !has(c, a->v[i])))
			return a->v[i];
	return NULL;
}

int
vc_values_of(struct vc_vals *all, struct vc_vals *derivable,
    const struct cal_doc *doc, const char *mime_cs, size_t max)
{
	memset(all, 0, sizeof(*all));
	if (derivable != NULL)
		memset(derivable, 0, sizeof(*derivable));
	if (collect(all, derivable, &doc->root, mime_cs, max) != 0)
		return -1;
	if (all->n > 0)
		qsort(all->v, all->n, sizeof(*all->v), cmpstr);
	if (derivable != NULL && derivable->n > 0)
		qsort(derivable->v, derivable->n, sizeof(*derivable->v),
		    cmpstr);
	return 0;
}

void
vc_values_free(struct vc_vals *s)
{
	vals_free(s);
}

/* judge - compare the two sets; 1 same, 0 not (why says which value) */
static int
judge(const struct vc_vals *before, const struct vc_vals *a,
    const struct vc_vals *d, char *why, size_t whylen)
{
	const char *m;

	if ((m = missing(before, a, d)) != NULL) {
		snprintf(why, whylen, "the value \"%.60s\" would be lost", m);
		return 0;
	}
	if ((m = missing(a, before, NULL)) != NULL) {
		snprintf(why, whylen, "the value \"%.60s\" would appear", m);
		return 0;
	}
	return 1;
}

int
vc_values_check(const struct vc_vals *before, const char *after, size_t len,
    const char *mime_cs, const struct cal_limits *lim, char *why,
    size_t whylen)
{
	struct vc_vals a = { 0 }, d = { 0 };
	struct cal_lexinfo lex;
	struct cal_report rep;
	struct cal_doc *doc = NULL;
	char *text;
	int r = -2;

	snprintf(why, whylen, "%s", "");
	cal_report_init(&rep, 16);
	memset(&lex, 0, sizeof(lex));
	text = strndup(after, len);
	if (text == NULL)
		goto out;
	if (cal_doc_parse(&doc, text, len, &lex, lim, &rep) != CAL_UNCHANGED) {
		snprintf(why, whylen, "the result cannot be read back");
		r = -1;
		goto out;
	}
	if (vc_values_of(&a, &d, doc, mime_cs, lim->max_line) == 0)
		r = judge(before, &a, &d, why, whylen);
out:
	cal_doc_free(doc);
	cal_report_free(&rep);
	vals_free(&a);
	vals_free(&d);
	return r;
}
