/*
 * rule_vcard.c - every card, whatever its version was: R-VC-4 VERSION,
 * N and FN; R-VC-6 PHOTO spellings; R-VC-7 several cards in one part
 *
 * RFC 2426 3.1.1, 3.1.2 and 3.6.9: FN, N and VERSION must be present in
 * 3.0; [MS-OXVCARD] makes FN the display name and N its parts. A missing
 * FN is built from N (prefix, given, additional, family, suffix), else
 * from ORG, else from EMAIL; a missing N is N:<FN>;;;; (no guessing where
 * a name splits).
 *
 * Before: BEGIN:VCARD / N:Roe;Jane;;; / VERSION:3.0
 * After:  BEGIN:VCARD / VERSION:3.0 / N:Roe;Jane;;; / FN:Jane Roe
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vc_int.h"

/* vcard_version_first - VERSION right after BEGIN (added when missing) */
static int
vcard_version_first(struct cal_comp *card, size_t nth,
    const struct cal_env *env)
{
	struct cal_prop *v;
	size_t i;

	for (i = 0; i < card->n; i++)
		if (card->items[i].type == CAL_ITEM_PROP &&
		    cal_streq(card->items[i].u.prop->name, "VERSION"))
			break;
	if (i == 0)
		return 0;
	if (i == card->n) {
		v = cal_prop_new("VERSION", NULL, "3.0");
		if (v == NULL || cal_comp_insert(card, 0, v) != 0) {
			cal_prop_free(v);
			return -1;
		}
		return cal_report_add(env->rep, "R-VC-4", CAL_FIX, "card %zu "
		    "(line %u): added VERSION:3.0", nth, card->begin->line);
	}
	v = card->items[i].u.prop;
	memmove(card->items + 1, card->items, i * sizeof(*card->items));
	card->items[0].type = CAL_ITEM_PROP;
	card->items[0].u.prop = v;
	return cal_report_add(env->rep, "R-VC-4", CAL_FIX, "card %zu (line "
	    "%u): VERSION moved right after BEGIN", nth, card->begin->line);
}

/* name_part - component k of a ';'-list value (escapes kept) into b */
static void
name_part(struct cal_buf *b, const char *v, int k)
{
	const char *e;

	for (; k > 0 && v != NULL; k--) {
		for (e = v; *e != '\0' && *e != ';'; e++)
			e += (e[0] == '\\' && e[1] != '\0');
		v = *e == ';' ? e + 1 : NULL;
	}
	if (v == NULL)
		return;
	for (e = v; *e != '\0' && *e != ';'; e++)
		e += (e[0] == '\\' && e[1] != '\0');
	if (e == v)
		return;
	if (b->len > 0)
		cal_buf_addc(b, ' ');
	cal_buf_add(b, v, (size_t)(e - v));
}

/* vcard_fn_from - FN's value from N, ORG or EMAIL (transfer full) */
static char *
vcard_fn_from(const struct cal_comp *card, const char **from)
{
	static const int order[] = { 3, 1, 2, 0, 4 };	/* N's parts */
	const struct cal_prop *p;
	struct cal_buf b;
	size_t i;

	cal_buf_init(&b, 65536);
	if ((p = cal_comp_prop(card, "N")) != NULL) {
		*from = "N";
		for (i = 0; i < 5; i++)
			name_part(&b, p->value, order[i]);
	}
	if (b.len == 0 && (p = cal_comp_prop(card, "ORG")) != NULL) {
		*from = "ORG";
		name_part(&b, p->value, 0);
	}
	if (b.len == 0 && (p = cal_comp_prop(card, "EMAIL")) != NULL) {
		*from = "EMAIL";
		cal_buf_adds(&b, p->value);
	}
	if (b.len == 0) {
		cal_buf_free(&b);
		return NULL;
	}
	return cal_buf_steal(&b, NULL);
}

/* vcard_fn - FN from N, ORG or EMAIL when missing */
static int
vcard_fn(struct cal_comp *card, size_t nth, const struct cal_env *env)
{
	const char *from = "";
	struct cal_prop *fn;
	char *v;

	if (cal_comp_prop(card, "FN") != NULL)
		return 0;
	if ((v = vcard_fn_from(card, &from)) == NULL)
		return cal_report_add(env->rep, "R-VC-4", CAL_REPORT, "card %zu "
		    "(line %u): no FN, and no N, ORG or EMAIL to build one",
		    nth, card->begin->line);
	fn = cal_prop_new("FN", NULL, v);
	free(v);
	if (fn == NULL || cal_comp_insert(card, 1, fn) != 0) {
		cal_prop_free(fn);
		return -1;
	}
	return cal_report_add(env->rep, "R-VC-4", CAL_FIX, "card %zu (line %u): "
	    "added FN from %s", nth, card->begin->line, from);
}

/* vcard_n - N:<FN>;;;; when missing */
static int
vcard_n(struct cal_comp *card, size_t nth, const struct cal_env *env)
{
	const struct cal_prop *fn = cal_comp_prop(card, "FN");
	struct cal_buf b;
	struct cal_prop *n;

	if (cal_comp_prop(card, "N") != NULL || fn == NULL)
		return 0;
	cal_buf_init(&b, strlen(fn->value) + 16);
	cal_buf_adds(&b, fn->value);
	cal_buf_adds(&b, ";;;;");
	n = b.oom ? NULL : cal_prop_new("N", NULL, b.p);
	cal_buf_free(&b);
	if (n == NULL || cal_comp_insert(card, 1, n) != 0) {
		cal_prop_free(n);
		return -1;
	}
	return cal_report_add(env->rep, "R-VC-4", CAL_FIX, "card %zu (line %u): "
	    "added N from FN (the whole name as family name)", nth,
	    card->begin->line);
}

int
rule_vc_names(struct cal_doc *doc, const struct cal_env *env)
{
	struct cal_comp *c;
	size_t i, nth = 0;

	for (i = 0; i < doc->root.n; i++) {
		c = doc->root.items[i].u.comp;
		if (!cal_streq(c->name, "VCARD"))
			continue;
		nth++;
		if (vcard_version_first(c, nth, env) != 0)
			return CAL_RULE_ERROR;
		if (strcmp(vc_card_version(c), "3.0") != 0)
			continue;	/* a 2.1 card kept by policy */
		if (vcard_fn(c, nth, env) != 0 || vcard_n(c, nth, env) != 0)
			return CAL_RULE_ERROR;
	}
	return CAL_RULE_OK;
}

/* photo_type - TYPE=image/jpeg to JPEG, ENCODING=BASE64 to b */
static int
photo_type(struct cal_prop *p, int *changed)
{
	struct vc_params ps;
	size_t t, e;
	char *s, *pa = NULL;

	if (vc_params_parse(&ps, p->params) != 0)
		goto out;
	t = vc_params_find(&ps, "TYPE");
	e = vc_params_find(&ps, "ENCODING");
	if (t != (size_t)-1 && (s = strchr(ps.v[t].value, '/')) != NULL &&
	    strncasecmp(ps.v[t].value, "image/", 6) == 0) {
		memmove(ps.v[t].value, s + 1, strlen(s + 1) + 1);
		for (s = ps.v[t].value; *s != '\0'; s++)
			*s = (char)toupper((unsigned char)*s);
	}
	if (e != (size_t)-1 && cal_streq(ps.v[e].value, "BASE64"))
		memcpy(ps.v[e].value, "b", 2);
	if ((pa = vc_params_string(&ps)) == NULL)
		goto out;
	if (strcmp(pa, p->params) != 0) {
		free(p->params);
		p->params = pa;
		p->raw = NULL;
		pa = NULL;
		*changed += 1;
	}
	free(pa);
	vc_params_free(&ps);
	return 0;
out:
	vc_params_free(&ps);
	return -1;
}

int
rule_vc_photo(struct cal_doc *doc, const struct cal_env *env)
{
	struct cal_comp *c;
	const char *b;
	size_t i, k;
	int n = 0;

	for (i = 0; i < doc->root.n; i++) {
		c = doc->root.items[i].u.comp;
		if (!cal_streq(c->name, "VCARD") ||
		    strcmp(vc_card_version(c), "3.0") != 0)
			continue;
		for (k = 0; k < c->n; k++) {
			if (c->items[k].type != CAL_ITEM_PROP)
				continue;
			b = vc_base(c->items[k].u.prop->name);
			if ((cal_streq(b, "PHOTO") || cal_streq(b, "LOGO")) &&
			    photo_type(c->items[k].u.prop, &n) != 0)
				return CAL_RULE_ERROR;
		}
	}
	if (n > 0 && cal_report_add(env->rep, "R-VC-6", CAL_FIX, "%d PHOTO or "
	    "LOGO labels written as 3.0 (TYPE=JPEG, ENCODING=b)", n) != 0)
		return CAL_RULE_ERROR;
	return CAL_RULE_OK;
}

size_t
vc_ncards(const struct cal_doc *doc)
{
	size_t i, n = 0;

	for (i = 0; i < doc->root.n; i++)
		n += doc->root.items[i].type == CAL_ITEM_COMP &&
		    cal_streq(doc->root.items[i].u.comp->name, "VCARD");
	return n;
}

int
rule_vc_split(struct cal_doc *doc, const struct cal_env *env)
{
	size_t n = vc_ncards(doc);

	if (n > 1 && cal_report_add(env->rep, "R-VC-7", CAL_REPORT, "%zu cards "
	    "in one part (Outlook imports only the first)", n) != 0)
		return CAL_RULE_ERROR;
	return CAL_RULE_OK;
}
