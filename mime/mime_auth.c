/*
 * mime_auth.c - what DKIM-Signature and Authentication-Results fields say,
 * for N-2 and for the promotion guard (R-MIME-4)
 *
 * Any change to the body breaks a DKIM signature (RFC 6376 3.7), and a
 * broken signature plus DMARC sends an invitation to Junk. DkimSigned says
 * what calmilter does with a signed message: skip it (the default), rewrite
 * it (calmilter runs before the local signer, or the admin accepts the
 * break), or rewrite it only when an Authentication-Results field (RFC
 * 8601) from one of the TrustedAuthservIDs says dkim=pass for one of its
 * signatures: a verifier before calmilter recorded the result, and an ARC
 * sealer after it can carry it on. In every case no header that a
 * signature names in h= is added or changed.
 *
 * Only fields whose authserv-id is trusted count: anyone can write an
 * Authentication-Results field, so the verifier must remove forged ones
 * that claim its id (RFC 8601 5). Comments are dropped before parsing.
 * Ceilings: 16 signatures and 64 results are read; past them a signed
 * message counts as covering every header and as not verified.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mime_int.h"

#define AUTH_MAX_SIGS	16
#define AUTH_MAX_RES	64

struct auth_sig {
	char		*d;		/* signing domain, lower case */
	char		*b;		/* signature, blanks removed */
	GPtrArray	*h;		/* signed header names */
};

struct auth_res {
	char		 method[16];	/* "dkim", "dmarc", ... */
	char		 result[16];	/* "pass", ... */
	char		*d;		/* header.d */
	char		*i;		/* header.i */
	char		*b;		/* header.b */
	char		*from;		/* header.from */
};

struct mime_auth {
	const char	*trusted;	/* TrustedAuthservIDs (borrowed) */
	struct auth_sig	 sigs[AUTH_MAX_SIGS];
	size_t		 nsigs;
	struct auth_res	 res[AUTH_MAX_RES];
	size_t		 nres;
	unsigned	 signatures;	/* every DKIM-Signature seen */
	int		 trusted_seen;	/* a trusted A-R field was seen */
	int		 over;		/* a ceiling was hit */
};

struct mime_auth *
mime_auth_new(const char *trusted_ids)
{
	struct mime_auth *a = g_new0(struct mime_auth, 1);

	a->trusted = trusted_ids;
	return a;
}

void
mime_auth_free(struct mime_auth *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nsigs; i++) {
		g_free(a->sigs[i].d);
		g_free(a->sigs[i].b);
		g_ptr_array_unref(a->sigs[i].h);
	}
	for (i = 0; i < a->nres; i++) {
		g_free(a->res[i].d);
		g_free(a->res[i].i);
		g_free(a->res[i].b);
		g_free(a->res[i].from);
	}
	g_free(a);
}

/* squeeze - s without any blank (transfer full) */
static char *
squeeze(const char *s, size_t n)
{
	GString *o = g_string_sized_new(n);
	size_t i;

	for (i = 0; i < n; i++)
		if (!g_ascii_isspace(s[i]))
			g_string_append_c(o, s[i]);
	return g_string_free(o, FALSE);
}

/* sig_headers - "From : To:Subject" as lower-case names */
static GPtrArray *
sig_headers(const char *v, size_t n)
{
	GPtrArray *h = g_ptr_array_new_with_free_func(g_free);
	char *all = squeeze(v, n), **names, **p;

	names = g_strsplit(all, ":", -1);
	for (p = names; *p != NULL; p++)
		if (**p != '\0')
			g_ptr_array_add(h, g_ascii_strdown(*p, -1));
	g_strfreev(names);
	g_free(all);
	return h;
}

/* sig_tag - one "tag=value" of the tag list */
static void
sig_tag(struct auth_sig *s, const char *t, size_t n)
{
	const char *eq = memchr(t, '=', n);
	char *name, *v;

	if (eq == NULL)
		return;
	name = squeeze(t, (size_t)(eq - t));
	n -= (size_t)(eq + 1 - t);
	t = eq + 1;
	if (strcmp(name, "d") == 0 && s->d == NULL) {
		v = squeeze(t, n);
		s->d = g_ascii_strdown(v, -1);
		g_free(v);
	} else if (strcmp(name, "b") == 0 && s->b == NULL)
		s->b = squeeze(t, n);
	else if (strcmp(name, "h") == 0 && s->h == NULL)
		s->h = sig_headers(t, n);
	g_free(name);
}

int
mime_auth_add_dkim(struct mime_auth *a, const char *value)
{
	struct auth_sig *s;
	const char *t = value;
	size_t n;

	a->signatures++;
	if (a->nsigs >= AUTH_MAX_SIGS) {
		a->over = 1;
		return -1;
	}
	s = &a->sigs[a->nsigs++];
	while (*t != '\0') {
		n = strcspn(t, ";");
		sig_tag(s, t, n);
		t += n;
		if (*t == ';')
			t++;
	}
	if (s->h == NULL)
		s->h = g_ptr_array_new_with_free_func(g_free);
	return 0;
}

/* ---- Authentication-Results (RFC 8601 2.2) ------------------------------ */

/* ar_uncomment - the value without (comments), quoted strings kept */
static char *
ar_uncomment(const char *v)
{
	GString *o = g_string_new(NULL);
	int depth = 0, quoted = 0;

	for (; *v != '\0'; v++) {
		if (*v == '\\' && v[1] != '\0' && (quoted || depth > 0)) {
			if (depth == 0)
				g_string_append_len(o, v, 2);
			v++;
		} else if (quoted) {
			g_string_append_c(o, *v);
			quoted = *v != '"';
		} else if (*v == '(') {
			depth++;
		} else if (*v == ')' && depth > 0) {
			if (--depth == 0)
				g_string_append_c(o, ' ');
		} else if (depth == 0) {
			g_string_append_c(o, *v);
			quoted = *v == '"';
		}
	}
	return g_string_free(o, FALSE);
}

/* struct ar_in - a cursor over one uncommented value */
struct ar_in {
	const char	*p;
};

static void
ar_ws(struct ar_in *in)
{
	while (g_ascii_isspace(*in->p))
		in->p++;
}

/* ar_word - a token of letters, digits, '-' and '_' (transfer full) */
static char *
ar_word(struct ar_in *in)
{
	const char *s;

	ar_ws(in);
	s = in->p;
	while (g_ascii_isalnum(*in->p) || *in->p == '-' || *in->p == '_')
		in->p++;
	return in->p > s ? g_ascii_strdown(s, in->p - s) : NULL;
}

/* ar_value - a quoted string or a run up to a blank or ';' */
static char *
ar_value(struct ar_in *in)
{
	const char *s;
	GString *o;

	ar_ws(in);
	if (*in->p != '"') {
		s = in->p;
		while (*in->p != '\0' && *in->p != ';' &&
		    !g_ascii_isspace(*in->p))
			in->p++;
		return g_strndup(s, (gsize)(in->p - s));
	}
	o = g_string_new(NULL);
	for (in->p++; *in->p != '\0' && *in->p != '"'; in->p++) {
		if (*in->p == '\\' && in->p[1] != '\0')
			in->p++;
		g_string_append_c(o, *in->p);
	}
	if (*in->p == '"')
		in->p++;
	return g_string_free(o, FALSE);
}

static int
ar_expect(struct ar_in *in, char c)
{
	ar_ws(in);
	if (*in->p != c)
		return 0;
	in->p++;
	return 1;
}

/* ar_prop - "ptype.property=value": header.d and friends are kept */
static void
ar_prop(struct auth_res *r, const char *ptype, struct ar_in *in)
{
	char *prop = ar_word(in), *v = NULL, **slot = NULL;

	if (prop != NULL && ar_expect(in, '='))
		v = ar_value(in);
	if (v != NULL && strcmp(ptype, "header") == 0) {
		if (strcmp(prop, "d") == 0)
			slot = &r->d;
		else if (strcmp(prop, "i") == 0)
			slot = &r->i;
		else if (strcmp(prop, "b") == 0)
			slot = &r->b;
		else if (strcmp(prop, "from") == 0)
			slot = &r->from;
	}
	if (slot != NULL && *slot == NULL)
		*slot = g_ascii_strdown(v, -1);
	if (slot == &r->b && *slot != NULL && strcmp(*slot, v) != 0) {
		g_free(*slot);
		*slot = g_strdup(v);	/* header.b keeps its case */
	}
	g_free(prop);
	g_free(v);
}

/* ar_resinfo - "method[/version]=result [reason=...] [props]" up to ';' */
static void
ar_resinfo(struct mime_auth *a, struct ar_in *in)
{
	struct auth_res *r = &a->res[a->nres];
	char *m = ar_word(in), *res = NULL, *w;

	if (m != NULL && ar_expect(in, '/'))
		g_free(ar_word(in));	/* the method's version */
	if (m != NULL && ar_expect(in, '='))
		res = ar_word(in);
	if (m != NULL && res != NULL) {
		memset(r, 0, sizeof(*r));
		g_strlcpy(r->method, m, sizeof(r->method));
		g_strlcpy(r->result, res, sizeof(r->result));
		a->nres++;
		while ((w = ar_word(in)) != NULL) {
			if (strcmp(w, "reason") == 0 && ar_expect(in, '='))
				g_free(ar_value(in));
			else if (ar_expect(in, '.'))
				ar_prop(r, w, in);
			g_free(w);
		}
	}
	g_free(m);
	g_free(res);
	while (*in->p != '\0' && *in->p != ';')
		in->p++;	/* what was not understood is skipped */
}

/* ar_trusted - is the authserv-id at the start of in one of ours? */
static int
ar_trusted(const struct mime_auth *a, struct ar_in *in)
{
	char *id = ar_value(in);
	int yes = id[0] != '\0' && cal_rule_listed(a->trusted, id);

	g_free(id);
	while (*in->p != '\0' && *in->p != ';')
		in->p++;	/* an optional version number */
	return yes;
}

int
mime_auth_add_ar(struct mime_auth *a, const char *value)
{
	char *clean = ar_uncomment(value);
	struct ar_in in = { clean };
	int ret = 0;

	if (a->trusted != NULL && ar_trusted(a, &in)) {
		a->trusted_seen = 1;
		while (*in.p == ';') {
			in.p++;
			if (a->nres >= AUTH_MAX_RES) {
				a->over = 1;
				ret = -1;
				break;
			}
			ar_resinfo(a, &in);
		}
	}
	g_free(clean);
	return ret;
}

/* ---- answers --------------------------------------------------------------- */

int
mime_auth_signed(const struct mime_auth *a)
{
	return a != NULL && a->signatures > 0;
}

int
mime_auth_trusted(const struct mime_auth *a)
{
	return a != NULL && a->trusted_seen;
}

/* aligned - domain a is d or below it (relaxed alignment, RFC 7489 3.1) */
static int
aligned(const char *a, const char *d)
{
	size_t la = strlen(a), ld = strlen(d);

	if (la == ld)
		return g_ascii_strcasecmp(a, d) == 0;
	return la > ld && a[la - ld - 1] == '.' &&
	    g_ascii_strcasecmp(a + la - ld, d) == 0;
}

/* res_domain - the signing domain a dkim result names */
static const char *
res_domain(const struct auth_res *r)
{
	const char *at;

	if (r->d != NULL)
		return r->d;
	at = r->i != NULL ? strrchr(r->i, '@') : NULL;
	return at != NULL ? at + 1 : NULL;
}

/* res_is - a result of this method that passed */
static int
res_is(const struct auth_res *r, const char *method)
{
	return strcmp(r->method, method) == 0 && strcmp(r->result, "pass") == 0;
}

/* res_matches - a dkim=pass for signature s */
static int
res_matches(const struct auth_res *r, const struct auth_sig *s)
{
	const char *d = res_domain(r);

	if (!res_is(r, "dkim") || d == NULL || s->d == NULL ||
	    !aligned(d, s->d) || (r->d != NULL && strcmp(r->d, s->d) != 0))
		return 0;
	return r->b == NULL || (s->b != NULL && strlen(r->b) >= 8 &&
	    strncmp(s->b, r->b, strlen(r->b)) == 0);
}

int
mime_auth_verified(const struct mime_auth *a)
{
	size_t i, j;

	if (a == NULL || a->over)
		return 0;
	for (i = 0; i < a->nres; i++)
		for (j = 0; j < a->nsigs; j++)
			if (res_matches(&a->res[i], &a->sigs[j]))
				return 1;
	return 0;
}

int
mime_auth_covers(const struct mime_auth *a, const char *name)
{
	size_t i;
	guint k;

	if (a == NULL || a->signatures == 0)
		return 0;
	if (a->over)
		return 1;	/* not all read: assume the worst */
	for (i = 0; i < a->nsigs; i++)
		for (k = 0; k < a->sigs[i].h->len; k++)
			if (g_ascii_strcasecmp(a->sigs[i].h->pdata[k],
			    name) == 0)
				return 1;
	return 0;
}

int
mime_auth_domain_ok(const struct mime_auth *a, const char *domain, int from)
{
	const char *d;
	size_t i;

	if (a == NULL || domain == NULL)
		return 0;
	for (i = 0; i < a->nres; i++) {
		if (from && res_is(&a->res[i], "dmarc") &&
		    a->res[i].from != NULL &&
		    g_ascii_strcasecmp(a->res[i].from, domain) == 0)
			return 1;
		d = res_domain(&a->res[i]);
		if (res_is(&a->res[i], "dkim") && d != NULL &&
		    aligned(domain, d))
			return 1;
	}
	return 0;
}

int
mime_auth_decide(const struct mime_auth *a, const struct mime_policy *pol,
    const char **why)
{
	if (!mime_auth_signed(a) || pol->dkim == MIME_DKIM_REWRITE)
		return 1;
	if (pol->dkim == MIME_DKIM_VERIFIED && mime_auth_verified(a))
		return 1;
	*why = pol->dkim == MIME_DKIM_SKIP ? "DKIM-signed (N-2, DkimSigned "
	    "skip)" : "DKIM-signed, and no trusted Authentication-Results "
	    "field says dkim=pass for it (N-2, DkimSigned verified)";
	return 0;
}
