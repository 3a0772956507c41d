/*
 * rule_people.c - the organizer and attendees as Exchange reads them
 *
 * R-ITIP-7 a REQUEST or CANCEL needs an ORGANIZER, or Outlook takes the
 *          recipient for the organizer and no answer is possible (odoo
 *          #100426). When a VEVENT has none, AddOrganizer from (the
 *          default) adds the message's From, when it names one mailbox
 *          (else Sender), with its display name: ORGANIZER;CN=Ann
 *          Lee:mailto:ann@example.org. AddOrganizer no reports it. Never
 *          for PUBLISH or a calendar without METHOD (an organizer there
 *          makes Outlook show answer buttons that do nothing); a REPLY or
 *          COUNTER without ORGANIZER is reported. An existing ORGANIZER is
 *          never changed (N-3).
 * R-ITIP-8 ORGANIZER and ATTENDEE are mailto: URIs ([MS-OXCICAL]
 *          2.1.3.1.1.20.2; gromox skips attendees without MAILTO:): a bare
 *          address gets its scheme, quotes around an address go; another
 *          URI becomes mailto: of its RFC 7986 EMAIL parameter when there
 *          is one (UseEmailParam yes, the default), else it is reported; an
 *          empty mailto: is reported, never invented. Parameters (CN,
 *          PARTSTAT, ROLE, RSVP, CUTYPE) stay as they are.
 *          Before: ATTENDEE;CN=Bob:bob@example.org
 *          After:  ATTENDEE;CN=Bob:mailto:bob@example.org
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cal_recur.h"

/* is_address - a plausible addr-spec: local@domain, no blanks or controls,
 * no scheme */
static int
is_address(const char *s)
{
	const char *at = strchr(s, '@');
	size_t i;

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') ||
	    strchr(at + 1, '.') == NULL || memchr(s, ':', (size_t)(at - s)))
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (isspace((unsigned char)s[i]) || iscntrl((unsigned char)s[i]) ||
		    s[i] == '"' || s[i] == '<' || s[i] == '>' || s[i] == ',' ||
		    s[i] == ';')
			return 0;
	return 1;
}

/* ---- R-ITIP-7 -------------------------------------------------------------- */

/* org_cn - the display name as a CN value: no DQUOTE (R-LEX-7: an
 * apostrophe instead), no control characters */
static void
org_cn(const char *name, char *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; name[i] != '\0' && o + 1 < len; i++) {
		if (iscntrl((unsigned char)name[i]))
			continue;
		buf[o++] = name[i] == '"' ? '\'' : name[i];
	}
	buf[o] = '\0';
}

/* org_source - the address to add and its name; NULL when none is sure */
static const char *
org_source(const struct cal_context *ctx, const char **name, const char **why)
{
	*name = NULL;
	if (ctx->from_addr != NULL && !ctx->from_several &&
	    is_address(ctx->from_addr)) {
		*name = ctx->from_name;
		*why = "From";
		return ctx->from_addr;
	}
	if (ctx->sender_addr != NULL && is_address(ctx->sender_addr)) {
		*why = "Sender";
		return ctx->sender_addr;
	}
	return NULL;
}

/* org_insert_at - before the first ATTENDEE, else after the properties */
static size_t
org_insert_at(const struct cal_comp *c)
{
	const struct cal_prop *a = cal_comp_prop(c, "ATTENDEE");

	return a != NULL ? cal_prop_index(c, a) : cal_comp_first_comp_index(c);
}

static int
org_add(struct cal_doc *doc, struct cal_comp *c, const struct cal_env *env)
{
	const char *name, *why, *addr = org_source(env->ctx, &name, &why);
	char cn[256], v[512];
	struct cal_prop *p;

	if (addr == NULL)
		return cal_report_add(env->rep, "R-ITIP-7", CAL_REPORT, "VEVENT "
		    "line %u has no ORGANIZER, and the message names no single "
		    "sender to take it from", c->begin->line) == 0
		    ? CAL_RULE_OK : CAL_RULE_ERROR;
	snprintf(v, sizeof(v), "mailto:%s", addr);
	p = cal_prop_new("ORGANIZER", NULL, v);
	org_cn(name != NULL ? name : "", cn, sizeof(cn));
	if (p == NULL || (cn[0] != '\0' && cal_prop_set_param(p, "CN", cn)) ||
	    cal_comp_insert(c, org_insert_at(c), p) != 0) {
		cal_prop_free(p);
		return CAL_RULE_ERROR;
	}
	doc->allow |= CAL_ALLOW_ORGANIZER;
	return cal_report_add(env->rep, "R-ITIP-7", CAL_FIX, "VEVENT line %u: "
	    "added ORGANIZER%s:%s from the message's %s", c->begin->line,
	    p->params, v, why) == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
}

static int
org_event(struct cal_doc *doc, struct cal_comp *c, const struct cal_env *env)
{
	const char *m = cal_doc_method(doc);

	if (cal_comp_prop(c, "ORGANIZER") != NULL)
		return CAL_RULE_OK;
	if (strcmp(m, "REPLY") == 0 || strcmp(m, "COUNTER") == 0)
		return cal_report_add(env->rep, "R-ITIP-7", CAL_REPORT, "%s: "
		    "VEVENT line %u has no ORGANIZER; left as it is", m,
		    c->begin->line) == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
	if (strcmp(m, "REQUEST") != 0 && strcmp(m, "CANCEL") != 0)
		return CAL_RULE_OK;
	if (!env->pol->add_organizer)
		return cal_report_add(env->rep, "R-ITIP-7", CAL_REPORT, "%s: "
		    "VEVENT line %u has no ORGANIZER (AddOrganizer no)", m,
		    c->begin->line) == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
	return org_add(doc, c, env);
}

int
rule_itip_organizer(struct cal_doc *doc, const struct cal_env *env)
{
	return cal_event_each(doc, env, org_event);
}

/* ---- R-ITIP-8 -------------------------------------------------------------- */

static int
mailto_report(const struct cal_env *env, const struct cal_prop *p,
    const char *what)
{
	return cal_report_add(env->rep, "R-ITIP-8", CAL_REPORT, "line %u: %s "
	    "%s; left as it is", p->line, p->name, what) == 0 ? CAL_RULE_OK
							      : CAL_RULE_ERROR;
}

static int
mailto_set(struct cal_doc *doc, struct cal_prop *p, const char *addr,
    unsigned allow, const char *why, const struct cal_env *env)
{
	char v[1024];

	if (snprintf(v, sizeof(v), "mailto:%s", addr) >= (int)sizeof(v))
		return CAL_RULE_OK;
	if (cal_prop_set_value(p, v) != 0)
		return CAL_RULE_ERROR;
	doc->allow |= allow;
	return cal_report_add(env->rep, "R-ITIP-8", CAL_FIX, "line %u: %s "
	    "written as %.200s (%s)", p->line, p->name, v, why) == 0
	    ? CAL_RULE_OK : CAL_RULE_ERROR;
}

/* mailto_other - a URI that is not mailto: (UseEmailParam) */
static int
mailto_other(struct cal_doc *doc, struct cal_prop *p,
    const struct cal_env *env)
{
	char *email = cal_param_get(p, "EMAIL");
	int r;

	if (email == NULL || !is_address(email))
		r = mailto_report(env, p, "is not a mailto: URI and has no "
		    "EMAIL parameter");
	else if (!env->pol->use_email_param)
		r = mailto_report(env, p, "is not a mailto: URI "
		    "(UseEmailParam no)");
	else
		r = mailto_set(doc, p, email, CAL_ALLOW_EMAIL_URI, "its EMAIL "
		    "parameter", env);
	free(email);
	return r;
}

static int
mailto_one(struct cal_doc *doc, struct cal_prop *p, const struct cal_env *env)
{
	char inner[1024];
	size_t n = strlen(p->value);
	const char *v = p->value;

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"' && n - 2 < sizeof(inner)) {
		snprintf(inner, sizeof(inner), "%.*s", (int)n - 2, v + 1);
		if (strncasecmp(inner, "mailto:", 7) == 0 &&
		    is_address(inner + 7))
			return mailto_set(doc, p, inner + 7, CAL_ALLOW_MAILTO,
			    "the quotes around it removed", env);
		v = inner;
	}
	if (strncasecmp(v, "mailto:", 7) == 0)
		return v[7] == '\0' && v == p->value ? mailto_report(env, p,
		    "is an empty mailto:") : CAL_RULE_OK;
	if (is_address(v))
		return mailto_set(doc, p, v, CAL_ALLOW_MAILTO, "the mailto: "
		    "scheme added", env);
	return mailto_other(doc, p, env);
}

static int
mailto_comp(struct cal_doc *doc, struct cal_comp *c, const struct cal_env *env)
{
	struct cal_prop *p;
	size_t i;
	int r;

	for (i = 0; i < c->n; i++) {
		if (c->items[i].type != CAL_ITEM_PROP)
			continue;
		p = c->items[i].u.prop;
		if (!cal_streq(p->name, "ORGANIZER") &&
		    !cal_streq(p->name, "ATTENDEE"))
			continue;
		r = mailto_one(doc, p, env);
		if (r != CAL_RULE_OK)
			return r;
	}
	return CAL_RULE_OK;
}

int
rule_itip_mailto(struct cal_doc *doc, const struct cal_env *env)
{
	return cal_event_each(doc, env, mailto_comp);
}
