/*
 * rule_dtstamp.c - R-ITIP-6: each VEVENT, VTODO, VJOURNAL and VFREEBUSY has
 * a DTSTAMP in UTC
 *
 * A missing DTSTAMP is derived from the input, never from the clock, so that
 * the daemon and calnorm write the same bytes: the message's Date header
 * (in UTC); else the component's own LAST-MODIFIED or CREATED when in UTC;
 * else, as a last resort, the time of processing, and the finding says so.
 * A floating DTSTAMP gets its "Z" (DTSTAMP is defined as UTC). An existing
 * value is never changed otherwise (N-3).
 *
 * Objects produced by Microsoft are left as Exchange wrote them (N-7).
 *
 * SEQUENCE orders the updates of a scheduling message (RFC 5546 2.1.4): a
 * VEVENT or VTODO of a REQUEST, CANCEL, REPLY or COUNTER without one gets
 * SEQUENCE:0, the iTIP default, so that every reader agrees; an existing
 * SEQUENCE is never changed (N-3). Not for PUBLISH, where no update is
 * ordered, nor for objects produced by Microsoft (N-7).
 *
 * Before: DTSTAMP:20250914T164336      After: DTSTAMP:20250914T164336Z
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cal_recur.h"

static const char *const stamped[] = {
	"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", NULL
};

static int
dtstamp_is_stamped(const char *name)
{
	size_t i;

	for (i = 0; stamped[i] != NULL; i++)
		if (cal_streq(name, stamped[i]))
			return 1;
	return 0;
}

/* dtstamp_is_utc - "YYYYMMDDTHHMMSSZ" */
static int
dtstamp_is_utc(const char *v)
{
	size_t i;

	if (strlen(v) != 16 || v[8] != 'T' || v[15] != 'Z')
		return 0;
	for (i = 0; i < 15; i++)
		if (i != 8 && (v[i] < '0' || v[i] > '9'))
			return 0;
	return 1;
}

static int
dtstamp_format(char *buf, size_t len, time_t t)
{
	struct tm tm;

	if (t == (time_t)-1 || gmtime_r(&t, &tm) == NULL)
		return -1;
	return strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm) > 0 ? 0 : -1;
}

/* dtstamp_source - pick the value for a missing DTSTAMP; NULL if none */
static const char *
dtstamp_source(const struct cal_comp *c, const struct cal_context *ctx,
    char *buf, size_t len)
{
	const struct cal_prop *p;

	if (dtstamp_format(buf, len, ctx->date) == 0)
		return "the message's Date header";
	p = cal_comp_prop(c, "LAST-MODIFIED");
	if (p != NULL && dtstamp_is_utc(p->value)) {
		snprintf(buf, len, "%s", p->value);
		return "LAST-MODIFIED";
	}
	p = cal_comp_prop(c, "CREATED");
	if (p != NULL && dtstamp_is_utc(p->value)) {
		snprintf(buf, len, "%s", p->value);
		return "CREATED";
	}
	if (dtstamp_format(buf, len, ctx->now) == 0)
		return "the time of processing: nothing in the message dates it";
	return NULL;
}

static int
dtstamp_add(struct cal_comp *c, const struct cal_env *env)
{
	struct cal_prop *uid, *p;
	const char *why;
	char v[32];
	size_t at = 0;

	why = dtstamp_source(c, env->ctx, v, sizeof(v));
	if (why == NULL)
		return cal_report_add(env->rep, "R-ITIP-6", CAL_REPORT,
		    "%s line %u has no DTSTAMP and nothing to derive one from",
		    c->name, c->begin->line) == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
	uid = cal_comp_prop(c, "UID");
	while (uid != NULL && at < c->n && c->items[at].u.prop != uid)
		at++;
	if (uid != NULL)
		at++;
	p = cal_prop_new("DTSTAMP", NULL, v);
	if (p == NULL || cal_comp_insert(c, at, p) != 0) {
		cal_prop_free(p);
		return CAL_RULE_ERROR;
	}
	return cal_report_add(env->rep, "R-ITIP-6", CAL_FIX, "%s line %u: "
	    "added DTSTAMP:%s from %s", c->name, c->begin->line, v, why) == 0
	    ? CAL_RULE_OK : CAL_RULE_ERROR;
}

/* dtstamp_floating - 15 digits and a T: append the Z */
static int
dtstamp_fix_floating(struct cal_prop *p, const struct cal_env *env)
{
	char v[32];

	if (strlen(p->value) != 15 || p->params[0] != '\0')
		return CAL_RULE_OK;
	snprintf(v, sizeof(v), "%sZ", p->value);
	if (!dtstamp_is_utc(v))
		return CAL_RULE_OK;
	if (cal_prop_set_value(p, v) != 0)
		return CAL_RULE_ERROR;
	return cal_report_add(env->rep, "R-ITIP-6", CAL_FIX, "line %u: "
	    "floating DTSTAMP made UTC (%s)", p->line, v) == 0 ? CAL_RULE_OK
							       : CAL_RULE_ERROR;
}

/* dtstamp_sequence - SEQUENCE:0 where a scheduling message has none */
static int
dtstamp_sequence(struct cal_doc *doc, struct cal_comp *c,
    const struct cal_env *env)
{
	const char *m = cal_doc_method(doc);
	struct cal_prop *p, *st = cal_comp_prop(c, "DTSTAMP");

	if (cal_comp_prop(c, "SEQUENCE") != NULL || cal_doc_microsoft(doc) ||
	    (!cal_streq(c->name, "VEVENT") && !cal_streq(c->name, "VTODO")) ||
	    (strcmp(m, "REQUEST") != 0 && strcmp(m, "CANCEL") != 0 &&
	    strcmp(m, "REPLY") != 0 && strcmp(m, "COUNTER") != 0))
		return CAL_RULE_OK;
	p = cal_prop_new("SEQUENCE", NULL, "0");
	if (p == NULL || cal_comp_insert(c, st != NULL ? cal_prop_index(c, st) +
	    1 : cal_comp_first_comp_index(c), p) != 0) {
		cal_prop_free(p);
		return CAL_RULE_ERROR;
	}
	doc->allow |= CAL_ALLOW_SEQUENCE;
	return cal_report_add(env->rep, "R-ITIP-6", CAL_FIX, "%s line %u: "
	    "added SEQUENCE:0, the iTIP default", c->name, c->begin->line) == 0
	    ? CAL_RULE_OK : CAL_RULE_ERROR;
}

int
rule_dtstamp(struct cal_doc *doc, const struct cal_env *env)
{
	struct cal_comp *cal = cal_doc_calendar(doc), *c;
	struct cal_prop *p;
	size_t i;
	int r;

	if (cal == NULL || cal_doc_microsoft(doc))	/* N-7 */
		return CAL_RULE_OK;
	for (i = 0; i < cal->n; i++) {
		if (cal->items[i].type != CAL_ITEM_COMP)
			continue;
		c = cal->items[i].u.comp;
		if (!dtstamp_is_stamped(c->name))
			continue;
		p = cal_comp_prop(c, "DTSTAMP");
		r = p == NULL ? dtstamp_add(c, env)
			      : dtstamp_fix_floating(p, env);
		if (r == CAL_RULE_OK)
			r = dtstamp_sequence(doc, c, env);
		if (r != CAL_RULE_OK)
			return r;
	}
	return CAL_RULE_OK;
}
