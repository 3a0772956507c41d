/*
 * rule_vc21.c - vCard 2.1 to 3.0: R-VC-3 encodings and parameters, R-VC-1
 * the version
 *
 * [MS-OXVCARD] is written against vCard 3.0, and Exchange-compatible
 * importers refuse 2.1 (issue 7: VCard21 to30 by default). Decoding 2.1 is
 * lossless: quoted-printable and CHARSET become UTF-8 text with 3.0's
 * escapes, bare parameters become TYPE= values, BASE64 becomes b.
 *
 * Before: TEL;WORK;VOICE:+1 555 0100
 *         N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen
 * After:  TEL;TYPE=WORK,VOICE:+1 555 0100
 *         N:Müller;Jürgen
 */
#include <stdlib.h>
#include <string.h>

#include "vc_int.h"

struct vc21_counts {
	unsigned	 qp;	/* quoted-printable values decoded */
	unsigned	 cs;	/* values transcoded from a CHARSET */
	unsigned	 bare;	/* bare parameters made TYPE= */
	unsigned	 b64;	/* BASE64 made b */
	unsigned	 esc;	/* text values re-escaped for 3.0 */
};

/* vc21_is_text - values 3.0 escapes: not URIs, dates, binary or numbers */
static int
vc21_is_text(const char *base, const struct vc_params *ps)
{
	static const char *const raw[] = { "URL", "GEO", "TZ", "BDAY", "REV",
		"PHOTO", "LOGO", "SOUND", "KEY", "TEL", "EMAIL", "UID", NULL };
	size_t i = vc_params_find(ps, "VALUE");

	if (i != (size_t)-1 && !cal_streq(ps->v[i].value, "TEXT"))
		return 0;
	for (i = 0; raw[i] != NULL; i++)
		if (cal_streq(base, raw[i]))
			return 0;
	return 1;
}

/* vc21_commas - does 3.0 read a ',' in this property as a separator? */
static int
vc21_commas(const char *base)
{
	return !vc_is_structured(base) || cal_streq(base, "N") ||
	    cal_streq(base, "ADR") || cal_streq(base, "ORG");
}

/* vc21_bytes - the value's bytes as UTF-8 in b; 1 when they cannot be */
static int
vc21_bytes(struct cal_buf *b, const struct cal_prop *p,
    const struct vc_params *ps, const struct cal_env *env,
    struct vc21_counts *k)
{
	const char *enc = vc_params_encoding(ps), *cs = NULL;
	struct cal_buf raw;
	size_t i = vc_params_find(ps, "CHARSET");
	int r;

	if (i != (size_t)-1)
		cs = ps->v[i].value;
	if (enc == NULL || !cal_streq(enc, "QUOTED-PRINTABLE"))
		return cal_buf_adds(b, p->value) == 0 ? 0 : -1;
	cal_buf_init(&raw, b->max);
	if (vc_qp_decode(&raw, p->value) != 0) {
		cal_buf_free(&raw);
		return -1;
	}
	k->qp++;
	if ((cs == NULL || vc_charset_is_utf8(cs)) &&
	    cal_utf8_valid(raw.p, raw.len))
		r = cal_buf_add(b, raw.p, raw.len);
	else {
		if (cs == NULL || vc_charset_is_utf8(cs))
			cs = env->ctx->mime_charset;
		r = cs == NULL || cs[0] == '\0' ? 1 :
		    vc_iconv(b, cs, raw.p, raw.len) == 0 ? 0 : 1;
		k->cs += r == 0;
	}
	cal_buf_free(&raw);
	return b->oom ? -1 : r;
}

/* vc21_value - the 3.0 value of p; *out NULL when it stays */
static int
vc21_value(char **out, const struct cal_prop *p, const struct vc_params *ps,
    const struct cal_env *env, struct vc21_counts *k)
{
	const char *base = vc_base(p->name);
	struct cal_buf b, e;
	int r, text = vc21_is_text(base, ps);

	*out = NULL;
	if (vc_is_binary(p, ps))
		return 0;
	cal_buf_init(&b, env->lim->max_line);
	if ((r = vc21_bytes(&b, p, ps, env, k)) != 0) {
		cal_buf_free(&b);
		return r;
	}
	cal_buf_init(&e, env->lim->max_line * 2);
	r = text ? vc_escape30(&e, b.p, vc_is_structured(base),
	    vc21_commas(base)) : vc_escape30(&e, b.p, 1, 0);
	cal_buf_free(&b);
	if (r == 0 && strcmp(e.p, p->value) != 0) {
		k->esc += text;
		*out = cal_buf_steal(&e, NULL);
		r = *out == NULL ? -1 : 0;
	}
	cal_buf_free(&e);
	return r;
}

/* vc21_types - TYPE tokens of ps as one list "A,B" (appended to t) */
static void
vc21_param(struct vc_params *np, struct cal_buf *t, const struct vc_param *q,
    struct vc21_counts *k)
{
	const char *n = q->name, *v = q->value;

	if (v == NULL && (cal_streq(n, "QUOTED-PRINTABLE") ||
	    cal_streq(n, "8BIT") || cal_streq(n, "7BIT")))
		return;
	if ((v == NULL && cal_streq(n, "BASE64")) || (cal_streq(n, "ENCODING")
	    && cal_streq(v, "BASE64"))) {
		k->b64++;
		vc_params_add(np, "ENCODING", "b");
	} else if (cal_streq(n, "ENCODING") && (cal_streq(v, "8BIT") ||
	    cal_streq(v, "7BIT") || cal_streq(v, "QUOTED-PRINTABLE")))
		return;
	else if (cal_streq(n, "CHARSET"))
		return;
	else if (v == NULL || cal_streq(n, "TYPE")) {
		if (t->len == 0)
			vc_params_add(np, "TYPE", "");	/* its place */
		else
			cal_buf_addc(t, ',');
		cal_buf_adds(t, v != NULL ? v : n);
		k->bare += v == NULL;
	} else
		vc_params_add(np, n, v);
}

/* vc21_params - 3.0 parameters of ps; *out NULL when they stay */
static int
vc21_params(char **out, const struct cal_prop *p, const struct vc_params *ps,
    struct vc21_counts *k)
{
	struct vc_params np = { 0 };
	struct cal_buf t;
	size_t i;

	*out = NULL;
	cal_buf_init(&t, strlen(p->params) + 1);
	for (i = 0; i < ps->n; i++)
		vc21_param(&np, &t, &ps->v[i], k);
	i = vc_params_find(&np, "TYPE");
	if (i != (size_t)-1 && t.p != NULL) {
		free(np.v[i].value);
		np.v[i].value = cal_buf_steal(&t, NULL);
	}
	if (!t.oom && (i == (size_t)-1 || np.v[i].value != NULL))
		*out = vc_params_string(&np);
	cal_buf_free(&t);
	vc_params_free(&np);
	if (*out == NULL)
		return -1;
	if (strcmp(*out, p->params) == 0) {
		free(*out);
		*out = NULL;
	}
	return 0;
}

/* vc21_prop - one property to 3.0 form */
static int
vc21_prop(struct cal_prop *p, const struct cal_env *env,
    struct vc21_counts *k)
{
	struct vc_params ps;
	char *v = NULL, *pa = NULL;
	int r;

	if (vc_params_parse(&ps, p->params) != 0) {
		vc_params_free(&ps);
		return -1;
	}
	r = vc21_value(&v, p, &ps, env, k);
	if (r == 0)
		r = vc21_params(&pa, p, &ps, k);
	vc_params_free(&ps);
	if (r == 0 && v != NULL)
		r = cal_prop_set_value(p, v);
	if (r == 0 && pa != NULL) {
		free(p->params);
		p->params = pa;
		pa = NULL;
		p->raw = NULL;
	}
	free(v);
	free(pa);
	return r;
}

/* vc21_card - every property of one 2.1 card */
static int
vc21_card(struct cal_comp *card, size_t nth, const struct cal_env *env)
{
	struct vc21_counts k = { 0 };
	struct cal_prop *p;
	size_t i;
	int r;

	if (cal_comp_first_comp_index(card) < card->n) {
		cal_report_add(env->rep, "R-VC-3", CAL_REPORT, "card %zu (line "
		    "%u): a vCard inside a vCard (2.1 AGENT) is not converted; "
		    "left as it is", nth, card->begin->line);
		return CAL_RULE_LEAVE;
	}
	for (i = 0; i < card->n; i++) {
		p = card->items[i].u.prop;
		if (cal_streq(p->name, "VERSION"))
			continue;
		r = vc21_prop(p, env, &k);
		if (r == 1) {
			cal_report_add(env->rep, "R-VC-3", CAL_REPORT, "card "
			    "%zu: %s (line %u) is neither UTF-8 nor in a known "
			    "charset; left as it is", nth, p->name, p->line);
			return CAL_RULE_LEAVE;
		}
		if (r < 0)
			return CAL_RULE_ERROR;
	}
	if ((k.qp || k.cs || k.bare || k.b64 || k.esc) &&
	    cal_report_add(env->rep, "R-VC-3", CAL_FIX, "card %zu (line %u): "
	    "%u quoted-printable and %u CHARSET values decoded to UTF-8, %u "
	    "bare parameters written as TYPE=, %u BASE64 as b, %u text values "
	    "escaped for 3.0", nth, card->begin->line, k.qp, k.cs, k.bare,
	    k.b64, k.esc) != 0)
		return CAL_RULE_ERROR;
	return CAL_RULE_OK;
}

/* vc_is21 - a card this rule converts: 2.1, or without VERSION */
static int
vc_is21(const struct cal_comp *c)
{
	const char *v = vc_card_version(c);

	return strcmp(v, "2.1") == 0 || v[0] == '\0';
}

int
rule_vc21(struct cal_doc *doc, const struct cal_env *env)
{
	struct cal_comp *c;
	size_t i, nth = 0;
	int r;

	for (i = 0; i < doc->root.n; i++) {
		c = doc->root.items[i].u.comp;
		if (!cal_streq(c->name, "VCARD"))
			continue;
		nth++;
		if (vc_is21(c) && (r = vc21_card(c, nth, env)) != CAL_RULE_OK)
			return r;
	}
	return CAL_RULE_OK;
}

int
rule_vc_version(struct cal_doc *doc, const struct cal_env *env)
{
	struct cal_prop *v;
	struct cal_comp *c;
	size_t i, nth = 0;

	for (i = 0; i < doc->root.n; i++) {
		c = doc->root.items[i].u.comp;
		if (!cal_streq(c->name, "VCARD"))
			continue;
		nth++;
		v = cal_comp_prop(c, "VERSION");
		if (v == NULL || strcmp(vc_card_version(c), "2.1") != 0)
			continue;
		if (cal_prop_set_value(v, "3.0") != 0 ||
		    cal_report_add(env->rep, "R-VC-1", CAL_FIX, "card %zu (line "
		    "%u): vCard 2.1 written as 3.0 (VCard21 to30)", nth,
		    c->begin->line) != 0)
			return CAL_RULE_ERROR;
	}
	return CAL_RULE_OK;
}
