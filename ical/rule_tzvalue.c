/*
 * rule_tzvalue.c - the time values and their TZID parameters: R-TZ-7 (no
 * TZID on DATE or UTC values), R-TZ-8 (floating times of timed events bound
 * to the calendar's zone, FloatingZone), R-TZ-9 (a single event whose zone
 * no one yearly rule can express goes to UTC, UnrepresentableZone)
 *
 * Before: X-WR-TIMEZONE:Europe/Paris ... DTSTART:20250923T120000
 * After:  DTSTART;TZID=Europe/Paris:20250923T120000 (R-TZ-1 then adds the
 *         VTIMEZONE).
 * Before: DTSTART;TZID=America/Sao_Paulo:20181104T100000, one event, on
 *         the day the zone's last daylight time began.
 * After:  DTSTART:20181104T120000Z, the same instant.
 */
#include <stdlib.h>
#include <string.h>

#include "cal_tz.h"

#define OK(r)	((r) == 0 ? CAL_RULE_OK : CAL_RULE_ERROR)

/* values_all - is every item of a value list (a PERIOD's start) a DATE
 * (want_date) or a UTC DATE-TIME? */
static int
values_all(const char *v, int want_date)
{
	char one[64];
	struct cal_time t;
	size_t n;
	int seen = 0;

	while (*v != '\0') {
		n = strcspn(v, ",");
		if (n >= sizeof(one))
			return 0;
		memcpy(one, v, n);
		one[n] = '\0';
		one[strcspn(one, "/")] = '\0';
		if (cal_time_parse(&t, one) != 0 ||
		    (want_date ? !t.is_date : !t.is_utc))
			return 0;
		seen = 1;
		v += n + (v[n] == ',');
	}
	return seen;
}

/* ---- R-TZ-7 ------------------------------------------------------------- */

static int
values_comp(struct cal_comp *c, const struct cal_env *env)
{
	struct cal_prop *p;
	char *tzid;
	size_t i;
	int r = 0, date;

	if (cal_streq(c->name, "VTIMEZONE"))
		return 0;
	for (i = 0; i < c->n && r == 0; i++) {
		if (c->items[i].type == CAL_ITEM_COMP) {
			r = values_comp(c->items[i].u.comp, env);
			continue;
		}
		p = c->items[i].u.prop;
		if ((tzid = cal_param_get(p, "TZID")) == NULL)
			continue;
		date = values_all(p->value, 1);
		if (date || values_all(p->value, 0)) {
			r = cal_prop_set_param(p, "TZID", NULL);
			if (r == 0)
				r = cal_report_add(env->rep, "R-TZ-7", CAL_FIX,
				    "line %u: TZID=%.80s removed from %s %s "
				    "value", p->line, tzid, p->name, date ?
				    "a DATE" : "a UTC");
		}
		free(tzid);
	}
	return r;
}

int
rule_tz_values(struct cal_doc *doc, const struct cal_env *env)
{
	struct cal_comp *cal = cal_doc_calendar(doc);

	if (cal == NULL || cal_tz_is_microsoft(doc))
		return CAL_RULE_OK;
	return OK(values_comp(cal, env));
}

/* ---- R-TZ-8 ------------------------------------------------------------- */

static int
is_floating(const struct cal_prop *p)
{
	struct cal_time t;
	char *tzid;

	if ((tzid = cal_param_get(p, "TZID")) != NULL) {
		free(tzid);
		return 0;
	}
	return strchr(p->value, ',') == NULL &&
	    cal_time_parse(&t, p->value) == 0 && !t.is_date && !t.is_utc;
}

/* timed_floating - a VEVENT whose DTSTART is a floating DATE-TIME */
static int
timed_floating(const struct cal_comp *c)
{
	const struct cal_prop *p = cal_comp_prop(c, "DTSTART");

	return cal_streq(c->name, "VEVENT") && p != NULL && is_floating(p);
}

/* float_hint - the zone the calendar names: X-WR-TIMEZONE, a stray TZID:
 * property of the calendar or of an event (transfer none) */
static const char *
float_hint(const struct cal_comp *cal, const char **from)
{
	const struct cal_prop *p;
	size_t i;

	if ((p = cal_comp_prop(cal, "X-WR-TIMEZONE")) != NULL && *p->value) {
		*from = "X-WR-TIMEZONE";
		return p->value;
	}
	if ((p = cal_comp_prop(cal, "TZID")) != NULL && *p->value) {
		*from = "the calendar's TZID property";
		return p->value;
	}
	for (i = 0; i < cal->n; i++)
		if (cal->items[i].type == CAL_ITEM_COMP &&
		    timed_floating(cal->items[i].u.comp) &&
		    (p = cal_comp_prop(cal->items[i].u.comp, "TZID")) != NULL &&
		    *p->value) {
			*from = "an event's TZID property";
			return p->value;
		}
	return NULL;
}

/* float_zone - the zone name tzid means in this calendar, or NULL */
static const struct cal_zone *
float_zone(struct cal_doc *doc, const char *tzid)
{
	const struct cal_zone *z = cal_doc_zone(doc, tzid);
	enum cal_tzhow how;

	return z != NULL ? z : cal_tzname_resolve(tzid, NULL, &how);
}

/* until_of - the UNTIL of an RRULE as a floating DATE-TIME, or -1 */
static int
until_of(const struct cal_prop *rr, struct cal_time *t, size_t *at,
    size_t *len)
{
	const char *u = strstr(rr->value, "UNTIL=");
	char v[32];
	size_t n;

	if (u == NULL)
		return -1;
	u += 6;
	n = strcspn(u, ";");
	if (n >= sizeof(v))
		return -1;
	memcpy(v, u, n);
	v[n] = '\0';
	if (cal_time_parse(t, v) != 0 || t->is_date || t->is_utc)
		return -1;
	*at = (size_t)(u - rr->value);
	*len = n;
	return 0;
}

/* bindable - can every floating time of the event be read in z once? */
static int
bindable(const struct cal_comp *c, const struct cal_zone *z)
{
	const struct cal_prop *rr = cal_comp_prop(c, "RRULE");
	struct cal_time t;
	size_t at, n;
	int64_t u;

	return rr == NULL || until_of(rr, &t, &at, &n) != 0 ||
	    cal_zone_to_utc(z, t.secs, &u) == 0;
}

/* bind_until - a floating UNTIL becomes UTC (RFC 5545 3.3.10) */
static int
bind_until(struct cal_prop *rr, const struct cal_zone *z)
{
	struct cal_time t;
	char v[32], *out;
	size_t at, n, len;
	int r;

	if (until_of(rr, &t, &at, &n) != 0)
		return 0;
	(void)cal_zone_to_utc(z, t.secs, &t.secs);
	t.is_utc = 1;
	len = strlen(rr->value) + 2;
	if (cal_time_format(v, sizeof(v), &t) != 0 ||
	    (out = malloc(len)) == NULL)
		return -1;
	snprintf(out, len, "%.*s%s%s", (int)at, rr->value, v,
	    rr->value + at + n);
	r = cal_prop_set_value(rr, out);
	free(out);
	return r;
}

/* bind_event - TZID on every floating DATE-TIME of one timed event */
static int
bind_event(struct cal_comp *c, const char *tzid, const struct cal_zone *z)
{
	static const char *const names[] = {
		"DTSTART", "DTEND", "RECURRENCE-ID", "RDATE", "EXDATE", NULL
	};
	struct cal_prop *p;
	size_t i, k;

	for (i = 0; i < c->n; i++) {
		if (c->items[i].type != CAL_ITEM_PROP)
			continue;
		p = c->items[i].u.prop;
		if (cal_streq(p->name, "RRULE") && bind_until(p, z) != 0)
			return -1;
		for (k = 0; names[k] != NULL; k++)
			if (cal_streq(p->name, names[k]) && is_floating(p) &&
			    cal_prop_set_param(p, "TZID", tzid) != 0)
				return -1;
	}
	return 0;
}

/* float_target - the TZID floating times bind to under the policy */
static const char *
float_target(const struct cal_comp *cal, const struct cal_policy *pol,
    const char **from)
{
	const char *hint = float_hint(cal, from);

	if (hint != NULL || pol->floating != CAL_FLOATING_ZONE)
		return hint;
	*from = "FloatingZone";
	return pol->floating_zone[0] != '\0' ? pol->floating_zone : NULL;
}

/* float_bind - bind every timed floating event, or none; 1 when done */
static int
float_bind(struct cal_doc *doc, struct cal_comp *cal, const char *tzid,
    const struct cal_zone *z)
{
	size_t i;

	for (i = 0; i < cal->n; i++)
		if (cal->items[i].type == CAL_ITEM_COMP &&
		    timed_floating(cal->items[i].u.comp) &&
		    !bindable(cal->items[i].u.comp, z))
			return 0;
	for (i = 0; i < cal->n; i++)
		if (cal->items[i].type == CAL_ITEM_COMP &&
		    timed_floating(cal->items[i].u.comp) &&
		    bind_event(cal->items[i].u.comp, tzid, z) != 0)
			return -1;
	if (doc->tz == NULL && (doc->tz = calloc(1, sizeof(*doc->tz))) == NULL)
		return -1;
	free(doc->tz->floating);
	doc->tz->floating = strdup(tzid);
	return doc->tz->floating != NULL ? 1 : -1;
}

static size_t
count_floating(const struct cal_comp *cal)
{
	size_t i, n = 0;

	for (i = 0; i < cal->n; i++)
		n += cal->items[i].type == CAL_ITEM_COMP &&
		    timed_floating(cal->items[i].u.comp);
	return n;
}

int
rule_tz_floating(struct cal_doc *doc, const struct cal_env *env)
{
	struct cal_comp *cal = cal_doc_calendar(doc);
	const char *tzid, *from = "";
	const struct cal_zone *z;
	size_t n;
	int r;

	if (cal == NULL || cal_tz_is_microsoft(doc) ||
	    (n = count_floating(cal)) == 0)
		return CAL_RULE_OK;
	tzid = env->pol->floating == CAL_FLOATING_LEAVE ? NULL :
	    float_target(cal, env->pol, &from);
	z = tzid != NULL ? float_zone(doc, tzid) : NULL;
	if (z == NULL)
		return OK(cal_report_add(env->rep, "R-TZ-8", CAL_REPORT, "%zu "
		    "timed event(s) with floating times left floating: %s", n,
		    tzid == NULL ? "no zone to bind them to" :
		    "the zone named does not resolve"));
	r = float_bind(doc, cal, tzid, z);
	if (r < 0)
		return CAL_RULE_ERROR;
	if (r == 0)
		return OK(cal_report_add(env->rep, "R-TZ-8", CAL_REPORT, "%zu "
		    "timed event(s) left floating: an UNTIL falls where "
		    "%.80s skips or repeats local time", n, tzid));
	return OK(cal_report_add(env->rep, "R-TZ-8", CAL_FIX, "floating times "
	    "of %zu timed event(s) bound to TZID %.80s (from %s)", n, tzid,
	    from));
}

/* ---- R-TZ-9 ------------------------------------------------------------- */

/* is_single - one occurrence, no series around it */
static int
is_single(const struct cal_comp *cal, const struct cal_comp *c)
{
	const struct cal_prop *uid = cal_comp_prop(c, "UID"), *u;
	const struct cal_comp *o;
	size_t i;

	if ((!cal_streq(c->name, "VEVENT") && !cal_streq(c->name, "VTODO")) ||
	    cal_comp_prop(c, "RRULE") != NULL ||
	    cal_comp_prop(c, "RDATE") != NULL ||
	    cal_comp_prop(c, "RECURRENCE-ID") != NULL)
		return 0;
	for (i = 0; uid != NULL && i < cal->n; i++) {
		if (cal->items[i].type != CAL_ITEM_COMP ||
		    (o = cal->items[i].u.comp) == c)
			continue;
		u = cal_comp_prop(o, "UID");
		if (u != NULL && strcmp(u->value, uid->value) == 0)
			return 0;
	}
	return 1;
}

/* norule_zone - the zone of a property, when its TZID's plan is NORULE */
static const struct cal_zone *
norule_zone(const struct cal_doc *doc, const struct cal_prop *p)
{
	const struct cal_tzent *e;
	char *tzid = cal_param_get(p, "TZID");

	e = cal_tzset_find(doc->tz, tzid);
	free(tzid);
	return e != NULL && e->plan == CAL_TZPLAN_NORULE ? cal_tzent_zone(e)
							 : NULL;
}

/* utc_value - the UTC form of a local time in z; -1 if not exactly one */
static int
utc_value(const struct cal_prop *p, const struct cal_zone *z, char *buf,
    size_t len)
{
	struct cal_time t;

	if (cal_time_parse(&t, p->value) != 0 || t.is_date || t.is_utc ||
	    cal_zone_to_utc(z, t.secs, &t.secs) != 0)
		return -1;
	t.is_utc = 1;
	return cal_time_format(buf, len, &t);
}

/* utc_comp - DTSTART, DTEND, DUE of one single event to UTC; 1 done,
 * 0 nothing to do, 2 a time was not exactly one instant, -1 OOM */
static int
utc_comp(struct cal_doc *doc, struct cal_comp *c)
{
	char v[3][32];
	struct cal_prop *p[3];
	const struct cal_zone *z[3];
	static const char *const names[3] = { "DTSTART", "DTEND", "DUE" };
	int i, any = 0;

	for (i = 0; i < 3; i++) {
		p[i] = cal_comp_prop(c, names[i]);
		z[i] = p[i] != NULL ? norule_zone(doc, p[i]) : NULL;
		if (z[i] != NULL && utc_value(p[i], z[i], v[i], 32) != 0)
			return 2;
		any |= z[i] != NULL;
	}
	for (i = 0; i < 3; i++)
		if (z[i] != NULL && (cal_prop_set_value(p[i], v[i]) != 0 ||
		    cal_prop_set_param(p[i], "TZID", NULL) != 0))
			return -1;
	return any;
}

static int
utc_all(struct cal_doc *doc, struct cal_comp *cal, const struct cal_env *env)
{
	struct cal_comp *c;
	size_t i;
	int r, n = 0;

	for (i = 0; i < cal->n; i++) {
		if (cal->items[i].type != CAL_ITEM_COMP ||
		    !is_single(cal, (c = cal->items[i].u.comp)))
			continue;
		r = utc_comp(doc, c);
		if (r < 0 || (r == 1 && cal_report_add(env->rep, "R-TZ-9",
		    CAL_FIX, "%s line %u: times converted to UTC, the same "
		    "instants: no yearly rule of their zone holds at its "
		    "dates", c->name, c->begin->line) != 0))
			return -1;
		if (r == 2 && cal_report_add(env->rep, "R-TZ-9", CAL_REPORT,
		    "%s line %u: a local time that is skipped or repeated; "
		    "left as it is", c->name, c->begin->line) != 0)
			return -1;
		n += r == 1;
	}
	return n;
}

static int
utc_report_left(const struct cal_doc *doc, const struct cal_env *env)
{
	const struct cal_tzent *e;
	size_t i;

	for (i = 0; i < doc->tz->n; i++) {
		e = &doc->tz->v[i];
		if (e->plan == CAL_TZPLAN_NORULE &&
		    cal_report_add(env->rep, "R-TZ-9", CAL_REPORT, "TZID "
		    "\"%.80s\": no one yearly rule gives every occurrence its "
		    "instant (the zone's rules change at the event dates); "
		    "left as it is", e->tzid) != 0)
			return -1;
	}
	return 0;
}

int
rule_tz_utc(struct cal_doc *doc, const struct cal_env *env)
{
	struct cal_comp *cal = cal_doc_calendar(doc);
	int n = 0;

	if (cal == NULL || doc->tz == NULL || cal_tz_is_microsoft(doc))
		return CAL_RULE_OK;
	if (env->pol->unrepresentable == CAL_UNREPRESENTABLE_UTC_SINGLE)
		n = utc_all(doc, cal, env);
	if (n < 0)
		return CAL_RULE_ERROR;
	if (n > 0) {
		if (cal_tzset_build(doc) != 0)
			return CAL_RULE_ERROR;
		cal_tzset_plan(doc->tz);
	}
	return OK(utc_report_left(doc, env));
}
