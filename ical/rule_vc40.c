/*
 * rule_vc40.c - R-VC-2: vCard 4.0 to 3.0
 *
 * Neither Microsoft document knows vCard 4.0; [MS-OXVCARD] reads 3.0. The
 * mapping of RFC 6350 Appendix A, backwards: tel: URIs become text, PREF=n
 * a "pref" TYPE, data: URIs inline base64 with ENCODING=b, an ADR's LABEL
 * parameter a LABEL property. What 3.0 cannot hold (KIND, GENDER,
 * ANNIVERSARY, a BDAY without year...) is kept as an X- property and
 * reported; the PID and ALTID parameters, and a PREF other than 1 (3.0
 * has one "pref" only), are dropped and reported.
 *
 * Before: TEL;TYPE="cell,voice";PREF=1;VALUE=uri:tel:+49-170-1234567
 * After:  TEL;TYPE=cell,voice,pref:+49-170-1234567
 */
#define _GNU_SOURCE	/* asprintf, strcasestr */

#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vc_int.h"

struct vc40_counts {
	unsigned	 changed;	/* properties rewritten */
	unsigned	 renamed;	/* kept as X- properties */
	unsigned	 dropped;	/* PID/ALTID parameters dropped */
};

/* vc40_add_type - append tok to the TYPE list of ps */
static int
vc40_add_type(struct vc_params *ps, const char *tok)
{
	size_t i = vc_params_find(ps, "TYPE"), n;
	char *v;

	if (i == (size_t)-1)
		return vc_params_add(ps, "TYPE", tok);
	n = strlen(ps->v[i].value) + strlen(tok) + 2;
	v = malloc(n);
	if (v == NULL)
		return -1;
	snprintf(v, n, "%s,%s", ps->v[i].value, tok);
	free(ps->v[i].value);
	ps->v[i].value = v;
	return 0;
}

/* vc40_data_uri - "data:image/jpeg;base64,XXX" to XXX and TYPE=JPEG */
static int
vc40_data_uri(struct cal_prop *p, struct vc_params *ps)
{
	const char *v = p->value, *comma = strchr(v, ','), *slash, *semi;
	char type[32];
	size_t n, i;

	if (strncasecmp(v, "data:", 5) != 0 || comma == NULL ||
	    comma - v < 12 || strncasecmp(comma - 7, ";base64", 7) != 0)
		return 0;
	slash = memchr(v, '/', (size_t)(comma - v));
	semi = strchr(v, ';');
	n = slash != NULL && semi > slash ? (size_t)(semi - slash - 1) : 0;
	if (n == 0 || n >= sizeof(type))
		return 0;
	for (i = 0; i < n; i++)
		type[i] = (char)toupper((unsigned char)slash[1 + i]);
	type[n] = '\0';
	if ((i = vc_params_find(ps, "VALUE")) != (size_t)-1)
		vc_params_remove(ps, i);
	if ((i = vc_params_find(ps, "MEDIATYPE")) != (size_t)-1)
		vc_params_remove(ps, i);
	if (vc_params_add(ps, "ENCODING", "b") != 0 ||
	    vc40_add_type(ps, type) != 0 || cal_prop_set_value(p, comma + 1))
		return -1;
	return 1;
}

/* vc40_tel - "tel:+1-555" (VALUE=uri) to +1-555 */
static int
vc40_tel(struct cal_prop *p, struct vc_params *ps)
{
	size_t i = vc_params_find(ps, "VALUE");

	if (strncasecmp(p->value, "tel:", 4) != 0)
		return 0;
	if (i != (size_t)-1)
		vc_params_remove(ps, i);
	return cal_prop_set_value(p, p->value + 4) == 0 ? 1 : -1;
}

/* vc40_label - an ADR's LABEL parameter to a LABEL property after it */
static int
vc40_label(struct cal_comp *card, size_t at, const struct cal_prop *adr,
    struct vc_params *ps)
{
	size_t i = vc_params_find(ps, "LABEL"), k, o = 0;
	size_t t = vc_params_find(ps, "TYPE");
	struct cal_prop *l;
	char *v, *pa, *name;

	if (i == (size_t)-1)
		return 0;
	v = ps->v[i].value;	/* RFC 6868: ^n newline, ^' quote, ^^ caret */
	for (k = 0; v[k] != '\0'; k++) {
		if (v[k] == '^' && (v[k + 1] == 'n' || v[k + 1] == 'N')) {
			v[o++] = '\\';
			v[o++] = 'n';
			k++;
		} else if (v[k] == '^' && (v[k + 1] == '\'' || v[k + 1] == '^'))
			v[o++] = v[++k] == '\'' ? '"' : '^';
		else
			v[o++] = v[k];
	}
	v[o] = '\0';
	pa = t == (size_t)-1 ? strdup("") : NULL;
	if (t != (size_t)-1 && asprintf(&pa, ";TYPE=%s", ps->v[t].value) < 0)
		pa = NULL;
	l = NULL;
	if (pa != NULL && asprintf(&name, "%.*sLABEL", (int)(vc_base(adr->name)
	    - adr->name), adr->name) >= 0) {
		l = cal_prop_new(name, pa, v);
		free(name);
	}
	free(pa);
	vc_params_remove(ps, i);
	if (l == NULL || cal_comp_insert(card, at + 1, l) != 0) {
		cal_prop_free(l);
		return -1;
	}
	return 1;
}

/* vc40_xname - the X- name 3.0 keeps a 4.0-only property under, or NULL */
static const char *
vc40_xname(const struct cal_prop *p, const struct vc_params *ps)
{
	static const char *const only[] = { "KIND", "GENDER", "LANG",
		"RELATED", "MEMBER", "CLIENTPIDMAP", "XML", "ANNIVERSARY",
		NULL };
	const char *base = vc_base(p->name);
	size_t i = vc_params_find(ps, "VALUE");

	if (cal_streq(base, "ANNIVERSARY"))
		return "X-MS-ANNIVERSARY";
	for (i = 0; only[i] != NULL; i++)
		if (cal_streq(base, only[i]))
			return only[i];
	if (cal_streq(base, "BDAY") && (strncmp(p->value, "--", 2) == 0 ||
	    ((i = vc_params_find(ps, "VALUE")) != (size_t)-1 &&
	    cal_streq(ps->v[i].value, "text"))))
		return "BDAY";
	return NULL;
}

/* vc40_rename - keep p as X-<name> (ANNIVERSARY: X-MS- and X- both) */
static int
vc40_rename(struct cal_comp *card, size_t at, struct cal_prop *p,
    const char *x, const struct cal_env *env, size_t nth)
{
	int glen = (int)(vc_base(p->name) - p->name), added = 0;
	struct cal_prop *copy;
	char *name;

	if (asprintf(&name, "%.*s%s%s", glen, p->name, strncmp(x, "X-", 2) ?
	    "X-" : "", x) < 0)
		return -1;
	if (strcmp(x, "X-MS-ANNIVERSARY") == 0) {
		copy = cal_prop_new(name, p->params, p->value);
		free(name);
		if (copy == NULL || asprintf(&name, "%.*sX-ANNIVERSARY", glen,
		    p->name) < 0 || cal_comp_insert(card, at + 1, copy) != 0) {
			cal_prop_free(copy);
			return -1;
		}
		added = 1;
	}
	cal_report_add(env->rep, "R-VC-2", CAL_REPORT, "card %zu: %s (line "
	    "%u) has no vCard 3.0 form; kept as %s", nth, p->name, p->line,
	    name);
	free(p->name);
	p->name = name;
	p->raw = NULL;
	return added;
}

/* vc40_params - PREF to a pref TYPE, PID and ALTID dropped */
static int
vc40_params(struct vc_params *ps, struct vc40_counts *k)
{
	size_t i;
	int pref;

	if ((i = vc_params_find(ps, "PREF")) != (size_t)-1) {
		pref = strcmp(ps->v[i].value, "1") == 0;
		vc_params_remove(ps, i);
		k->dropped += !pref;
		if (pref && vc40_add_type(ps, "pref") != 0)
			return -1;
	}
	while ((i = vc_params_find(ps, "PID")) != (size_t)-1 ||
	    (i = vc_params_find(ps, "ALTID")) != (size_t)-1) {
		vc_params_remove(ps, i);
		k->dropped++;
	}
	return 0;
}

/* vc40_media - the value forms of 4.0: tel: URIs, data: URIs, labels */
static int
vc40_media(struct cal_comp *card, size_t at, struct cal_prop *p,
    struct vc_params *ps)
{
	const char *base = vc_base(p->name);

	if (cal_streq(base, "TEL"))
		return vc40_tel(p, ps) < 0 ? -1 : 0;
	if (cal_streq(base, "PHOTO") || cal_streq(base, "LOGO") ||
	    cal_streq(base, "SOUND") || cal_streq(base, "KEY"))
		return vc40_data_uri(p, ps) < 0 ? -1 : 0;
	if (cal_streq(base, "ADR"))
		return vc40_label(card, at, p, ps);
	return 0;
}

/* vc40_prop - one property; returns the lines added after it, or -1 */
static int
vc40_prop(struct cal_comp *card, size_t at, const struct cal_env *env,
    size_t nth, struct vc40_counts *k)
{
	struct cal_prop *p = card->items[at].u.prop;
	struct vc_params ps;
	const char *x;
	char *pa = NULL;
	int added = 0;

	if (vc_params_parse(&ps, p->params) != 0)
		goto fail;
	if ((x = vc40_xname(p, &ps)) != NULL) {
		if ((added = vc40_rename(card, at, p, x, env, nth)) < 0)
			goto fail;
		k->renamed++;
	}
	if (vc40_params(&ps, k) != 0 ||
	    (added += vc40_media(card, at, p, &ps)) < 0 ||
	    (pa = vc_params_string(&ps)) == NULL)
		goto fail;
	if (strcmp(pa, p->params) != 0 || p->raw == NULL || added > 0) {
		free(p->params);
		p->params = pa;
		p->raw = NULL;
		pa = NULL;
		k->changed++;
	}
	free(pa);
	vc_params_free(&ps);
	return added;
fail:
	vc_params_free(&ps);
	return -1;
}

/* vc40_card - one 4.0 card to 3.0 */
static int
vc40_card(struct cal_comp *card, size_t nth, const struct cal_env *env)
{
	struct vc40_counts k = { 0 };
	struct cal_prop *p;
	size_t i;
	int r;

	for (i = 0; i < card->n; i++) {
		if (card->items[i].type != CAL_ITEM_PROP)
			continue;
		p = card->items[i].u.prop;
		if (cal_streq(p->name, "VERSION")) {
			if (cal_prop_set_value(p, "3.0") != 0)
				return CAL_RULE_ERROR;
			continue;
		}
		if ((r = vc40_prop(card, i, env, nth, &k)) < 0)
			return CAL_RULE_ERROR;
		i += (size_t)r;
	}
	if (k.dropped > 0)
		cal_report_add(env->rep, "R-VC-2", CAL_REPORT, "card %zu: %u PID, "
		    "ALTID or PREF (other than 1) parameters dropped (4.0 only)", nth, k.dropped);
	if (cal_report_add(env->rep, "R-VC-2", CAL_FIX, "card %zu (line %u): "
	    "vCard 4.0 written as 3.0 (%u properties rewritten, %u kept as X- "
	    "properties)", nth, card->begin->line, k.changed, k.renamed) != 0)
		return CAL_RULE_ERROR;
	return CAL_RULE_OK;
}

int
rule_vc40(struct cal_doc *doc, const struct cal_env *env)
{
	struct cal_comp *c;
	size_t i, nth = 0;
	int r;

	for (i = 0; i < doc->root.n; i++) {
		c = doc->root.items[i].u.comp;
		if (!cal_streq(c->name, "VCARD"))
			continue;
		nth++;
		if (strcmp(vc_card_version(c), "4.0") == 0 &&
		    (r = vc40_card(c, nth, env)) != CAL_RULE_OK)
			return r;
	}
	return CAL_RULE_OK;
}
