/*
 * rule_recurid.c - R-RR-7: overridden instances kept with their master
 *
 * An override is a VEVENT with the master's UID and a RECURRENCE-ID
 * ([MS-OXCICAL] 2.1.3.1.1.20.20: it becomes an exception). Its
 * RECURRENCE-ID is written in the value type and zone of the master's
 * DTSTART, the instant kept (Exchange imports it in UTC and matches it to
 * an instance). Reported, never guessed: a RECURRENCE-ID that names no
 * instance of the master, RANGE=THISANDFUTURE (Exchange has no "this and
 * future" exception), a DATE against a DATE-TIME master, an override that
 * moves its instance onto or before the previous instance's day or onto or
 * past the next one's ([MS-OXOCAL] PidLidAppointmentRecur cannot hold
 * it), and an RRULE, RDATE or EXDATE inside an override, which
 * StripOverrideRrule yes removes (no, the default, leaves them). An override
 * without its master in the part is valid (a REQUEST for one instance):
 * left alone.
 *
 * Before: master DTSTART;TZID=Europe/Berlin:20250106T100000, override
 *         RECURRENCE-ID:20250113T090000Z
 * After:  RECURRENCE-ID;TZID=Europe/Berlin:20250113T100000
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal_recur.h"
#include "cal_tz.h"

#define SERIES_MAX 100000

static int
rid_report(const struct cal_env *env, const struct cal_prop *rid,
    const char *what)
{
	return cal_report_add(env->rep, "R-RR-7", CAL_REPORT, "line %u: "
	    "RECURRENCE-ID %s; left as it is", rid->line, what) == 0
	    ? CAL_RULE_OK : CAL_RULE_ERROR;
}

/* rid_master - the VEVENT with c's UID and no RECURRENCE-ID, or NULL */
static struct cal_comp *
rid_master(struct cal_doc *doc, const struct cal_comp *c)
{
	const struct cal_comp *cal = cal_doc_calendar(doc);
	const struct cal_prop *uid = cal_comp_prop(c, "UID"), *u;
	struct cal_comp *m;
	size_t i;

	for (i = 0; uid != NULL && i < cal->n; i++) {
		if (cal->items[i].type != CAL_ITEM_COMP)
			continue;
		m = cal->items[i].u.comp;
		if (m == c || !cal_streq(m->name, "VEVENT") ||
		    cal_comp_prop(m, "RECURRENCE-ID") != NULL)
			continue;
		u = cal_comp_prop(m, "UID");
		if (u != NULL && strcmp(u->value, uid->value) == 0)
			return m;
	}
	return NULL;
}

/* rid_strip - RRULE, RDATE and EXDATE of an override (StripOverrideRrule) */
static int
rid_strip(struct cal_doc *doc, struct cal_comp *c, const struct cal_env *env)
{
	static const char *const names[] = { "RRULE", "RDATE", "EXDATE",
	    "EXRULE", NULL };
	const struct cal_prop *p;
	size_t i, n = 0;

	for (i = 0; names[i] != NULL; i++)
		n += cal_comp_count(c, names[i]);
	if (n == 0)
		return CAL_RULE_OK;
	if (!env->pol->strip_override_rrule)
		return cal_report_add(env->rep, "R-RR-7", CAL_REPORT, "VEVENT "
		    "line %u: an override with its own RRULE, RDATE or EXDATE "
		    "(StripOverrideRrule no); left as it is", c->begin->line)
		    == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
	for (i = 0; names[i] != NULL; i++)
		while ((p = cal_comp_prop(c, names[i])) != NULL)
			cal_comp_remove(c, cal_prop_index(c, p));
	doc->allow |= CAL_ALLOW_OVERRIDE_RRULE;
	return cal_report_add(env->rep, "R-RR-7", CAL_FIX, "VEVENT line %u: "
	    "the override's own RRULE, RDATE and EXDATE removed "
	    "(StripOverrideRrule yes)", c->begin->line) == 0 ? CAL_RULE_OK
							     : CAL_RULE_ERROR;
}

/* rid_local - the RECURRENCE-ID as a local time in the master's form;
 * 1 converted, 0 already so, -1 cannot be (what says why) */
static int
rid_local(struct cal_when *w, const struct cal_when *ms, int64_t *out,
    const char **what)
{
	struct cal_when l;
	int64_t utc;

	*out = w->t.secs;
	if (cal_when_same_form(w, ms))
		return 0;
	*what = "is in another value type than the master's DTSTART";
	if ((w->kind == CAL_WHEN_DATE) != (ms->kind == CAL_WHEN_DATE))
		return -1;
	*what = "cannot be written exactly in the master's zone";
	if (cal_when_utc(w, &utc) != 0 || cal_when_like(&l, utc, ms) != 0)
		return -1;
	*out = l.t.secs;
	return 1;
}

/* rid_moved - does the override leave its place between its neighbours? */
static int
rid_moved(struct cal_doc *doc, const struct cal_comp *c,
    const struct cal_series *s, long at, const struct cal_when *ms)
{
	const struct cal_prop *st = cal_comp_prop(c, "DTSTART");
	struct cal_when w, l;
	int64_t utc, day;

	if (st == NULL || cal_when_prop(&w, doc, st) != CAL_WHEN_OK)
		return 0;
	if (!cal_when_same_form(&w, ms)) {
		if (cal_when_utc(&w, &utc) != 0 ||
		    cal_when_like(&l, utc, ms) != 0)
			return 0;
		w = l;
	}
	day = cal_day_of(w.t.secs);
	return (at > 0 && day <= cal_day_of(s->v[at - 1])) ||
	    ((size_t)at + 1 < s->n && day >= cal_day_of(s->v[at + 1]));
}

/* rid_check - the instance it names, and where the override moves it */
static int
rid_check(struct cal_doc *doc, const struct cal_comp *c,
    const struct cal_comp *m, const struct cal_when *ms, int64_t t,
    const struct cal_prop *rid, const struct cal_env *env)
{
	const struct cal_prop *p = cal_comp_prop(m, "RRULE");
	struct cal_rrule r;
	struct cal_series s;
	long at;
	int ret = CAL_RULE_OK;

	if (p == NULL || cal_comp_count(m, "RRULE") > 1 ||
	    cal_comp_prop(m, "RDATE") != NULL ||
	    cal_rrule_parse(&r, p->value) != 0 ||
	    cal_series_expand(&s, &r, ms, SERIES_MAX) != 0)
		return CAL_RULE_OK;
	at = cal_series_find(&s, t);
	if (at < 0 && !(s.more && t > s.v[s.n - 1]))
		ret = rid_report(env, rid, "names no instance of the master's "
		    "series");
	else if (at >= 0 && rid_moved(doc, c, &s, at, ms))
		ret = rid_report(env, rid, "is moved onto or past a "
		    "neighbouring instance's day, which Exchange cannot hold");
	cal_series_free(&s);
	return ret;
}

/* rid_rewrite - the RECURRENCE-ID in the master's form */
static int
rid_rewrite(struct cal_prop *rid, const struct cal_when *ms, int64_t t,
    const struct cal_env *env)
{
	struct cal_when w = *ms;
	char v[40];

	w.t.secs = t;
	cal_when_format(&w, v, sizeof(v));
	if (cal_prop_set_value(rid, v) != 0 ||
	    cal_when_set_params(rid, ms) != 0)
		return CAL_RULE_ERROR;
	return cal_report_add(env->rep, "R-RR-7", CAL_FIX, "line %u: "
	    "RECURRENCE-ID written in the master's type and zone, "
	    "RECURRENCE-ID%s:%s",
	    rid->line, rid->params, v) == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
}

static int
rid_event(struct cal_doc *doc, struct cal_comp *c, const struct cal_env *env)
{
	struct cal_prop *rid = cal_comp_prop(c, "RECURRENCE-ID");
	struct cal_comp *m;
	struct cal_when w, ms;
	const char *what = "";
	char *range;
	int64_t t;
	int r;

	if (rid == NULL || (m = rid_master(doc, c)) == NULL)
		return CAL_RULE_OK;
	range = cal_param_get(rid, "RANGE");
	r = range != NULL ? rid_report(env, rid, "with RANGE (Exchange has no "
	    "this-and-future exception)") : CAL_RULE_OK;
	free(range);
	if (r == CAL_RULE_OK)
		r = rid_strip(doc, c, env);
	if (r != CAL_RULE_OK || cal_comp_prop(m, "DTSTART") == NULL ||
	    cal_when_prop(&ms, doc, cal_comp_prop(m, "DTSTART")) != 0 ||
	    cal_when_prop(&w, doc, rid) != CAL_WHEN_OK)
		return r;
	switch (rid_local(&w, &ms, &t, &what)) {
	case -1:
		return rid_report(env, rid, what);
	case 1:
		r = rid_rewrite(rid, &ms, t, env);
		break;
	default:
		break;
	}
	return r == CAL_RULE_OK ? rid_check(doc, c, m, &ms, t, rid, env) : r;
}

int
rule_rr_recurid(struct cal_doc *doc, const struct cal_env *env)
{
	return cal_event_each(doc, env, rid_event);
}
