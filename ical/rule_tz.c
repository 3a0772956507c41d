/*
 * rule_tz.c - the zones an object defines: R-TZ-2 (resolve, and rename by
 * policy), R-TZ-6 (one VTIMEZONE per TZID, none unused), R-TZ-1 (every TZID
 * has one), R-TZ-3, R-TZ-4, R-TZ-5 (each in the compact form Exchange reads
 * exactly: [MS-OXCICAL] 2.1.3.1.1.19)
 *
 * Before: DTSTART;TZID=Europe/Berlin:20250404T150000 and no VTIMEZONE.
 * After:  the same line, and
 *         BEGIN:VTIMEZONE / TZID:Europe/Berlin / BEGIN:STANDARD /
 *         DTSTART:19701025T030000 / RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU /
 *         TZOFFSETFROM:+0200 / TZOFFSETTO:+0100 / END:STANDARD /
 *         BEGIN:DAYLIGHT / DTSTART:19700329T020000 /
 *         RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU / TZOFFSETFROM:+0100 /
 *         TZOFFSETTO:+0200 / END:DAYLIGHT / END:VTIMEZONE
 *
 * What each TZID gets is planned once (cal_tzplan.c); the rows below carry
 * the plan out, each under its own id. Objects produced by Microsoft keep
 * their TZIDs and zones (N-7). A VTIMEZONE that is already right keeps its
 * bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal_tz.h"

#define OK(r)	((r) == 0 ? CAL_RULE_OK : CAL_RULE_ERROR)

/* tz_active - is there anything for the zone rows to do? */
static int
tz_active(const struct cal_doc *doc)
{
	return doc->tz != NULL && doc->tz->n > 0 && !cal_tz_is_microsoft(doc);
}

/* tz_replan - after an edit: scan again (keeping what the input had) */
static int
tz_replan(struct cal_doc *doc)
{
	if (cal_tzset_build(doc) != 0)
		return CAL_RULE_ERROR;
	cal_tzset_plan(doc->tz);
	return CAL_RULE_OK;
}

/* rule_text - "+0100, daylight +0200 from 3/-1SU 02:00 to 10/-1SU 03:00" */
static void
rule_text(char *buf, size_t len, const struct cal_tzrule *r)
{
	char s[16], d[16];
	const struct cal_tzdate *a = &r->to_dst, *b = &r->to_std;

	cal_utc_offset_format(s, sizeof(s), r->std_off);
	cal_utc_offset_format(d, sizeof(d), r->dst_off);
	if (!r->has_dst) {
		snprintf(buf, len, "%s, no daylight time", s);
		return;
	}
	snprintf(buf, len, "%s, %s from %d/%d%s %02d:%02d to "
	    "%d/%d%s %02d:%02d", s, d, a->month, a->week == 5 ? -1 : a->week,
	    cal_wday_name(a->wday), a->secs / 3600, a->secs / 60 % 60,
	    b->month, b->week == 5 ? -1 : b->week, cal_wday_name(b->wday),
	    b->secs / 3600, b->secs / 60 % 60);
}

/* ---- R-TZ-2 -------------------------------------------------------------- */

/* report_own - a TZID read through its own VTIMEZONE */
static int
report_own(const struct cal_tzent *e, const struct cal_env *env)
{
	const struct cal_zone *first;
	int32_t hint;
	size_t n;

	if (e->db != NULL && cal_zone_same(e->own, e->db, e->lo, e->hi))
		return cal_report_add(env->rep, "R-TZ-2", CAL_REPORT,
		    "TZID \"%.80s\": the rules of its VTIMEZONE, the same as "
		    "tz zone %s (its %s) at the event dates", e->tzid,
		    cal_zone_name(e->db), cal_tzhow_text(e->how));
	if (e->db != NULL)
		return cal_report_add(env->rep, "R-TZ-2", CAL_REPORT,
		    "TZID \"%.80s\": the rules of its VTIMEZONE, which differ "
		    "from tz zone %s (its %s) at the event dates; its own rules "
		    "count", e->tzid, cal_zone_name(e->db),
		    cal_tzhow_text(e->how));
	n = cal_tz_identity(e->own, e->lo, e->hi,
	    cal_tzname_offset_hint(e->tzid, &hint) == 0 ? &hint : NULL, &first,
	    NULL, 0);
	if (n == 0)
		return cal_report_add(env->rep, "R-TZ-2", CAL_REPORT,
		    "TZID \"%.80s\": the rules of its VTIMEZONE (no tz zone "
		    "has the same at the event dates)", e->tzid);
	return cal_report_add(env->rep, "R-TZ-2", CAL_REPORT, "TZID \"%.80s\": "
	    "the rules of its VTIMEZONE, the same as tz zone %s%s at the event "
	    "dates", e->tzid, cal_zone_name(first), n > 1 ? " and others" : "");
}

static int
report_resolution(const struct cal_tzent *e, const struct cal_env *env)
{
	if (e->nrefs == 0)
		return 0;
	if (e->own != NULL)
		return report_own(e, env);
	if (e->db != NULL)
		return cal_report_add(env->rep, "R-TZ-2", CAL_REPORT, "TZID "
		    "\"%.80s\": tz zone %s, by its %s (tzdata %s)", e->tzid,
		    cal_zone_name(e->db), cal_tzhow_text(e->how),
		    cal_tzdb_version());
	return cal_report_add(env->rep, "R-TZ-2", CAL_REPORT, "TZID \"%.80s\" "
	    "does not resolve: %s and its name has no zone identity", e->tzid,
	    e->vtz_bad ? "its VTIMEZONE has no readable rules" :
	    "no VTIMEZONE");
}

/* style_name - the TZID TzidStyle wants; 0, or -1 when unsure */
static int
style_name(const struct cal_tzent *e, enum cal_tzid_style style, char *buf,
    size_t len)
{
	const struct cal_zone *z = NULL;
	char win[128] = "";
	int32_t hint;

	if (e->own == NULL || (e->db != NULL &&
	    cal_zone_same(e->own, e->db, e->lo, e->hi)))
		z = e->db;	/* else its rules are not its name's zone */
	else if (e->db == NULL && cal_tz_identity(e->own, e->lo, e->hi,
	    cal_tzname_offset_hint(e->tzid, &hint) == 0 ? &hint : NULL, &z,
	    win, sizeof(win)) != 1)
		z = NULL;
	if (style == CAL_TZID_IANA) {
		if (z == NULL)
			return -1;
		snprintf(buf, len, "%s", cal_zone_name(z));
		return 0;
	}
	if (z != NULL)
		return cal_tzdb_windows_of(cal_zone_name(z), buf, len);
	if (win[0] == '\0')
		return -1;	/* the candidates are not one Windows zone */
	snprintf(buf, len, "%s", win);
	return 0;
}

static int
tz_style(struct cal_doc *doc, struct cal_tzent *e, const struct cal_env *env)
{
	const char *style = env->pol->tzid_style == CAL_TZID_IANA ? "iana"
								  : "windows";
	char to[128], *from;
	size_t i;
	int n;

	if (e->nrefs == 0 || e->plan == CAL_TZPLAN_UNRESOLVED)
		return 0;
	if (style_name(e, env->pol->tzid_style, to, sizeof(to)) != 0)
		return cal_report_add(env->rep, "R-TZ-2", CAL_REPORT, "TZID "
		    "\"%.80s\" not renamed (TzidStyle %s): no single zone "
		    "identity", e->tzid, style);
	if (strcmp(to, e->tzid) == 0)
		return 0;
	for (i = 0; i < doc->tz->n; i++)
		if (&doc->tz->v[i] != e && cal_streq(doc->tz->v[i].tzid, to))
			return cal_report_add(env->rep, "R-TZ-2", CAL_REPORT,
			    "TZID \"%.80s\" not renamed %s (TzidStyle %s): "
			    "the object has that TZID already", e->tzid, to,
			    style);
	if ((from = strdup(e->tzid)) == NULL)
		return -1;
	n = cal_tz_rename(doc, e, to);
	if (n >= 0)
		n = cal_report_add(env->rep, "R-TZ-2", CAL_FIX, "TZID \"%.80s\" "
		    "renamed \"%s\" (TzidStyle %s): %d references%s", from, to,
		    style, n, e->vtz != NULL ? " and its VTIMEZONE" : "");
	free(from);
	return n < 0 ? -1 : 0;
}

int
rule_tz_resolve(struct cal_doc *doc, const struct cal_env *env)
{
	size_t i;
	int r = 0;

	if (cal_doc_calendar(doc) == NULL)
		return CAL_RULE_OK;
	if (cal_tzset_build(doc) != 0)
		return CAL_RULE_ERROR;
	cal_tzset_plan(doc->tz);
	for (i = 0; i < doc->tz->n && r == 0; i++)
		r = report_resolution(&doc->tz->v[i], env);
	if (r != 0 || doc->tz->n == 0)
		return OK(r);
	if (cal_tz_is_microsoft(doc))
		return OK(cal_report_add(env->rep, "N-7", CAL_REPORT, "produced "
		    "by Microsoft: TZIDs and VTIMEZONEs left as they are"));
	for (i = 0; i < doc->tz->n && r == 0 &&
	    env->pol->tzid_style != CAL_TZID_KEEP; i++)
		r = tz_style(doc, &doc->tz->v[i], env);
	return OK(r);
}

/* ---- R-TZ-6 ------------------------------------------------------------- */

static const char *
vtz_tzid(const struct cal_comp *c)
{
	const struct cal_prop *p;

	if (!cal_streq(c->name, "VTIMEZONE"))
		return NULL;
	p = cal_comp_prop(c, "TZID");
	return p != NULL ? p->value : NULL;
}

/* earlier - the first VTIMEZONE before index at whose TZID is tzid */
static const struct cal_comp *
earlier(const struct cal_comp *cal, size_t at, const char *tzid)
{
	const char *t;
	size_t i;

	for (i = 0; i < at; i++) {
		if (cal->items[i].type != CAL_ITEM_COMP)
			continue;
		t = vtz_tzid(cal->items[i].u.comp);
		if (t != NULL && strcmp(t, tzid) == 0)
			return cal->items[i].u.comp;
	}
	return NULL;
}

/* unused - is a VTIMEZONE's TZID (as written) named by no reference? */
static int
unused(const struct cal_doc *doc, const char *written)
{
	const struct cal_tzent *e;
	char *tzid = cal_tzid_text(written);

	e = tzid != NULL ? cal_tzset_find(doc->tz, tzid) : NULL;
	free(tzid);
	return e != NULL && e->nrefs == 0;
}

/* unique_one - a VTIMEZONE at index at: 1 removed, 0 kept, -1 OOM */
static int
unique_one(struct cal_doc *doc, struct cal_comp *cal, size_t at,
    const struct cal_env *env)
{
	struct cal_comp *c = cal->items[at].u.comp;
	const struct cal_comp *prev;
	const char *tzid = vtz_tzid(c);
	unsigned line = c->begin->line;

	if (tzid == NULL)
		return 0;
	if ((prev = earlier(cal, at, tzid)) != NULL && !cal_comp_same(prev, c))
		return cal_report_add(env->rep, "R-TZ-6", CAL_REPORT, "line %u: "
		    "a second, different VTIMEZONE \"%.80s\": which one a "
		    "reader takes is not defined; both left as they are", line,
		    tzid) == 0 ? 0 : -1;
	if (prev != NULL) {
		cal_report_add(env->rep, "R-TZ-6", CAL_FIX, "line %u: a "
		    "duplicate VTIMEZONE \"%.80s\" removed", line, tzid);
		cal_comp_remove(cal, at);
		return 1;
	}
	if (unused(doc, tzid) && cal_tz_has_events(cal)) {
		cal_report_add(env->rep, "R-TZ-6", CAL_FIX, "line %u: "
		    "VTIMEZONE \"%.80s\" removed: no TZID uses it", line, tzid);
		cal_comp_remove(cal, at);
		return 1;
	}
	return 0;
}

int
rule_tz_unique(struct cal_doc *doc, const struct cal_env *env)
{
	struct cal_comp *cal = cal_doc_calendar(doc);
	size_t i = 0;
	int r, changed = 0;

	if (!tz_active(doc) || cal == NULL)
		return CAL_RULE_OK;
	while (i < cal->n) {
		r = cal->items[i].type == CAL_ITEM_COMP ?
		    unique_one(doc, cal, i, env) : 0;
		if (r < 0)
			return CAL_RULE_ERROR;
		changed |= r;
		i += r == 0;
	}
	return changed ? tz_replan(doc) : CAL_RULE_OK;
}

/* ---- R-TZ-1, R-TZ-3, R-TZ-4, R-TZ-5 --------------------------------------- */

/* vtz_insert_at - after the VTIMEZONEs, before the first other component */
static size_t
vtz_insert_at(const struct cal_comp *cal)
{
	size_t i;

	for (i = 0; i < cal->n; i++)
		if (cal->items[i].type == CAL_ITEM_COMP &&
		    !cal_streq(cal->items[i].u.comp->name, "VTIMEZONE"))
			return i;
	return cal->n;
}

static int
tz_add(struct cal_doc *doc, struct cal_tzent *e, const struct cal_env *env)
{
	struct cal_comp *cal = cal_doc_calendar(doc), *vtz;
	char rule[160];

	rule_text(rule, sizeof(rule), &e->rule);
	if (e->vtz != NULL) {	/* one without readable rules */
		if (cal_vtz_fill(e->vtz, &e->rule, cal_tz_year0(e)) != 0)
			return -1;
		return cal_report_add(env->rep, "R-TZ-1", CAL_FIX, "TZID "
		    "\"%.80s\": its VTIMEZONE had no readable rules; now those "
		    "of tz zone %s (%s; tzdata %s)", e->tzid,
		    cal_zone_name(e->db), rule, cal_tzdb_version());
	}
	vtz = cal_vtz_build(e->tzid, &e->rule, cal_tz_year0(e));
	if (vtz == NULL || cal_comp_insert_comp(cal, vtz_insert_at(cal),
	    vtz) != 0) {
		cal_comp_free_tree(vtz);
		return -1;
	}
	e->vtz = vtz;
	return cal_report_add(env->rep, "R-TZ-1", CAL_FIX, "TZID \"%.80s\" had "
	    "no VTIMEZONE: added tz zone %s by its %s, in compact form (%s; "
	    "tzdata %s)", e->tzid, cal_zone_name(e->db), cal_tzhow_text(e->how),
	    rule, cal_tzdb_version());
}

int
rule_tz_define(struct cal_doc *doc, const struct cal_env *env)
{
	struct cal_tzent *e;
	size_t i;
	int r = 0;

	if (!tz_active(doc))
		return CAL_RULE_OK;
	for (i = 0; i < doc->tz->n && r == 0; i++) {
		e = &doc->tz->v[i];
		if (e->plan == CAL_TZPLAN_ADD)
			r = tz_add(doc, e, env);
		else if (e->plan == CAL_TZPLAN_UNRESOLVED)
			r = cal_report_add(env->rep, "R-TZ-1", CAL_REPORT,
			    "TZID \"%.80s\" has %s and no zone identity; left "
			    "as it is", e->tzid, e->vtz_bad ? "a VTIMEZONE "
			    "without readable rules" : "no VTIMEZONE");
	}
	return OK(r);
}

/* tz_rebuild - the plans of one id: the VTIMEZONE in compact form */
static int
tz_rebuild(struct cal_doc *doc, const struct cal_env *env,
    enum cal_tzplan plan, const char *id)
{
	struct cal_tzent *e;
	char rule[160];
	size_t i;
	int r = 0;

	if (!tz_active(doc))
		return CAL_RULE_OK;
	for (i = 0; i < doc->tz->n && r == 0; i++) {
		e = &doc->tz->v[i];
		if (e->plan != plan)
			continue;
		rule_text(rule, sizeof(rule), &e->rule);
		if (cal_vtz_fill(e->vtz, &e->rule, cal_tz_year0(e)) != 0)
			return CAL_RULE_ERROR;
		r = cal_report_add(env->rep, id, CAL_FIX, "TZID \"%.80s\": "
		    "VTIMEZONE rewritten as one rule (%s), the same instants at "
		    "the event dates; it had %s", e->tzid, rule,
		    e->why != NULL ? e->why : "another form");
		e->plan = CAL_TZPLAN_KEEP;
	}
	return OK(r);
}

int
rule_tz_compact(struct cal_doc *doc, const struct cal_env *env)
{
	return tz_rebuild(doc, env, CAL_TZPLAN_COMPACT, "R-TZ-3");
}

int
rule_tz_nodst(struct cal_doc *doc, const struct cal_env *env)
{
	return tz_rebuild(doc, env, CAL_TZPLAN_NODST, "R-TZ-4");
}

int
rule_tz_syntax(struct cal_doc *doc, const struct cal_env *env)
{
	return tz_rebuild(doc, env, CAL_TZPLAN_SYNTAX, "R-TZ-5");
}
