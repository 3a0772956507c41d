/*
 * rule_alarm.c - the layout of an event and its reminders as Exchange
 * reads them
 *
 * R-EV-4 every property of a VEVENT comes before its VALARMs (RFC 5545
 *        3.6.1 grammar; Outlook fails the import otherwise: ics-py #389,
 *        #416), and VTIMEZONEs come before the components that use them
 *        (Outlook's own layout). Lines move; none changes.
 *        Before: BEGIN:VEVENT / BEGIN:VALARM ... END:VALARM / DTSTART:...
 *        After:  BEGIN:VEVENT / DTSTART:... / BEGIN:VALARM ... END:VALARM
 * R-EV-5 Exchange keeps one reminder, the first VALARM, and takes a
 *        relative TRIGGER's size in minutes, ignoring sign and RELATED
 *        ([MS-OXCICAL] 2.1.3.1.1.20.62). So: (a) a RELATED=END trigger that
 *        still fires before the start becomes the same start-relative one;
 *        (b) a trigger after the start is reported (Exchange would remind
 *        before it); (c) AlarmOrder earliest-first moves the earliest
 *        DISPLAY alarm first (keep, the default, reports it); (d) a VALARM
 *        without TRIGGER is reported. ACTION is never changed, no VALARM
 *        added (N-8).
 *        Before: (60-minute event) TRIGGER;RELATED=END:-PT90M
 *        After:  TRIGGER:-PT30M
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal_recur.h"

/* ---- R-EV-4 ---------------------------------------------------------------- */

/* props_first - stable: properties before sub-components; 1 if moved */
static int
props_first(struct cal_comp *c)
{
	struct cal_item *v;
	size_t i, o = 0, first = cal_comp_first_comp_index(c);
	int moved = 0;

	for (i = first; i < c->n; i++)
		moved |= c->items[i].type == CAL_ITEM_PROP;
	if (!moved)
		return 0;
	v = malloc(c->n * sizeof(*v));
	if (v == NULL)
		return -1;
	for (i = 0; i < c->n; i++)
		if (c->items[i].type == CAL_ITEM_PROP)
			v[o++] = c->items[i];
	for (i = 0; i < c->n; i++)
		if (c->items[i].type == CAL_ITEM_COMP)
			v[o++] = c->items[i];
	memcpy(c->items, v, c->n * sizeof(*v));
	free(v);
	return 1;
}

/* zones_first - VTIMEZONEs before the other components, in their order */
static void
zones_first(struct cal_comp *cal)
{
	struct cal_item tmp;
	size_t i, j, first = cal->n;

	for (i = 0; i < cal->n; i++) {
		if (cal->items[i].type != CAL_ITEM_COMP)
			continue;
		if (!cal_streq(cal->items[i].u.comp->name, "VTIMEZONE")) {
			if (first == cal->n)
				first = i;
			continue;
		}
		if (first == cal->n)
			continue;
		tmp = cal->items[i];	/* move it to just before first */
		for (j = i; j > first; j--)
			cal->items[j] = cal->items[j - 1];
		cal->items[first++] = tmp;
	}
}

static int
order_event(struct cal_doc *doc, struct cal_comp *c, const struct cal_env *env)
{
	int r = props_first(c);

	(void)doc;
	if (r <= 0)
		return r == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
	return cal_report_add(env->rep, "R-EV-4", CAL_FIX, "VEVENT line %u: "
	    "properties moved before its VALARMs", c->begin->line) == 0
	    ? CAL_RULE_OK : CAL_RULE_ERROR;
}

/* zones_misplaced - a VTIMEZONE after another component? */
static int
zones_misplaced(const struct cal_comp *cal)
{
	size_t i;
	int other = 0;

	for (i = 0; i < cal->n; i++) {
		if (cal->items[i].type != CAL_ITEM_COMP)
			continue;
		if (!cal_streq(cal->items[i].u.comp->name, "VTIMEZONE"))
			other = 1;
		else if (other)
			return 1;
	}
	return 0;
}

int
rule_ev_order(struct cal_doc *doc, const struct cal_env *env)
{
	struct cal_comp *cal = cal_doc_calendar(doc);

	if (cal == NULL || cal_doc_microsoft(doc))
		return CAL_RULE_OK;
	if (zones_misplaced(cal)) {
		zones_first(cal);
		if (cal_report_add(env->rep, "R-EV-4", CAL_FIX, "VTIMEZONEs "
		    "moved before the components that use them") != 0)
			return CAL_RULE_ERROR;
	}
	return cal_event_each(doc, env, order_event);
}

/* ---- R-EV-5 ---------------------------------------------------------------- */

/* event_length - seconds from DTSTART to the end; -1 when unknown */
static long long
event_length(struct cal_doc *doc, const struct cal_comp *c)
{
	const struct cal_prop *s = cal_comp_prop(c, "DTSTART");
	const struct cal_prop *e = cal_comp_prop(c, "DTEND");
	const struct cal_prop *d = cal_comp_prop(c, "DURATION");
	struct icaldurationtype du;
	struct cal_when ws, we;
	int64_t a, b;

	if (d != NULL) {
		du = icaldurationtype_from_string(d->value);
		icalerror_clear_errno();
		return icaldurationtype_is_bad_duration(du) ? -1
		    : icaldurationtype_as_int(du);
	}
	if (s == NULL || e == NULL || cal_when_prop(&ws, doc, s) != 0 ||
	    cal_when_prop(&we, doc, e) != 0)
		return -1;
	if (ws.kind == CAL_WHEN_DATE || ws.kind == CAL_WHEN_FLOATING ||
	    (ws.kind == CAL_WHEN_ZONED && we.kind == CAL_WHEN_ZONED &&
	    cal_streq(ws.tzid, we.tzid) && ws.kind == we.kind))
		return we.kind == ws.kind ? we.t.secs - ws.t.secs : -1;
	if (cal_when_utc(&ws, &a) != 0 || cal_when_utc(&we, &b) != 0)
		return -1;
	return b - a;
}

/*
 * alarm_fires - when the alarm fires, in seconds after the start: 0 with
 * *when set; -1 when unknown (no trigger, an absolute one against a start
 * that is no instant, RELATED=END without a known length)
 */
static int
alarm_fires(struct cal_doc *doc, const struct cal_comp *ev,
    const struct cal_prop *t, long long len, long long *when, int *rel_end)
{
	struct icaldurationtype du;
	struct cal_when w, ws;
	const struct cal_prop *s = cal_comp_prop(ev, "DTSTART");
	char *rel = cal_param_get(t, "RELATED");
	int64_t a, b;
	int end = cal_streq(rel, "END");

	free(rel);
	*rel_end = 0;
	if (cal_when_prop(&w, doc, t) == CAL_WHEN_OK) {
		if (s == NULL || cal_when_prop(&ws, doc, s) != 0 ||
		    cal_when_utc(&ws, &a) != 0 || cal_when_utc(&w, &b) != 0)
			return -1;
		*when = b - a;
		return 0;
	}
	du = icaldurationtype_from_string(t->value);
	icalerror_clear_errno();
	if (icaldurationtype_is_bad_duration(du) || (end && len < 0))
		return -1;
	*when = icaldurationtype_as_int(du) + (end ? len : 0);
	*rel_end = end;
	return 0;
}

/* alarm_start_relative - (a): RELATED=END rewritten from the start */
static int
alarm_start_relative(struct cal_prop *t, long long when,
    const struct cal_env *env)
{
	char *v = icaldurationtype_as_ical_string_r(
	    icaldurationtype_from_int((int)when));
	int r;

	if (v == NULL || cal_prop_set_value(t, v) != 0 ||
	    cal_prop_set_param(t, "RELATED", NULL) != 0) {
		free(v);
		return CAL_RULE_ERROR;
	}
	r = cal_report_add(env->rep, "R-EV-5", CAL_FIX, "line %u: TRIGGER "
	    "relative to the end written from the start, %s", t->line, v);
	free(v);
	return r == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
}

/* alarm_one - (a), (b), (d) for one VALARM */
static int
alarm_one(struct cal_doc *doc, const struct cal_comp *ev,
    const struct cal_comp *a, long long len, const struct cal_env *env)
{
	struct cal_prop *t = cal_comp_prop(a, "TRIGGER");
	long long when;
	int end;

	if (t == NULL)
		return cal_report_add(env->rep, "R-EV-5", CAL_REPORT, "VALARM "
		    "line %u has no TRIGGER (Outlook ignores it)",
		    a->begin->line) == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
	if (alarm_fires(doc, ev, t, len, &when, &end) != 0)
		return CAL_RULE_OK;
	if (when > 0)
		return cal_report_add(env->rep, "R-EV-5", CAL_REPORT, "line %u: "
		    "TRIGGER fires %lld s after the start; Exchange would remind "
		    "before it", t->line, when) == 0 ? CAL_RULE_OK
						      : CAL_RULE_ERROR;
	return end ? alarm_start_relative(t, when, env) : CAL_RULE_OK;
}

/* alarm_earliest - index of the earliest-firing DISPLAY alarm, the index
 * of the first VALARM in *first; c->n when none is known */
static size_t
alarm_earliest(struct cal_doc *doc, const struct cal_comp *c, long long len,
    size_t *first)
{
	const struct cal_comp *a;
	const struct cal_prop *t, *act;
	long long when, best = 0;
	size_t i, at = c->n;
	int end;

	*first = c->n;
	for (i = 0; i < c->n; i++) {
		if (c->items[i].type != CAL_ITEM_COMP ||
		    !cal_streq(c->items[i].u.comp->name, "VALARM"))
			continue;
		a = c->items[i].u.comp;
		if (*first == c->n)
			*first = i;
		t = cal_comp_prop(a, "TRIGGER");
		act = cal_comp_prop(a, "ACTION");
		if (t == NULL || act == NULL || !cal_streq(act->value,
		    "DISPLAY") || alarm_fires(doc, c, t, len, &when, &end) != 0)
			continue;
		if (at == c->n || when < best) {
			at = i;
			best = when;
		}
	}
	return at;
}

/* alarm_order - (c) AlarmOrder */
static int
alarm_order(struct cal_doc *doc, struct cal_comp *c, long long len,
    const struct cal_env *env)
{
	struct cal_item tmp;
	size_t first, at = alarm_earliest(doc, c, len, &first), j;

	if (at == c->n || at == first)
		return CAL_RULE_OK;
	if (!env->pol->alarm_earliest_first)
		return cal_report_add(env->rep, "R-EV-5", CAL_REPORT, "VEVENT "
		    "line %u: the earliest DISPLAY alarm is not the first, the "
		    "one Exchange keeps (AlarmOrder keep)", c->begin->line) == 0
		    ? CAL_RULE_OK : CAL_RULE_ERROR;
	tmp = c->items[at];
	for (j = at; j > first; j--)
		c->items[j] = c->items[j - 1];
	c->items[first] = tmp;
	return cal_report_add(env->rep, "R-EV-5", CAL_FIX, "VEVENT line %u: "
	    "the earliest DISPLAY alarm (line %u) moved first (AlarmOrder "
	    "earliest-first)", c->begin->line, tmp.u.comp->begin->line) == 0
	    ? CAL_RULE_OK : CAL_RULE_ERROR;
}

static int
alarm_event(struct cal_doc *doc, struct cal_comp *c, const struct cal_env *env)
{
	long long len = event_length(doc, c);
	size_t i;
	int r;

	for (i = 0; i < c->n; i++) {
		if (c->items[i].type != CAL_ITEM_COMP ||
		    !cal_streq(c->items[i].u.comp->name, "VALARM"))
			continue;
		r = alarm_one(doc, c, c->items[i].u.comp, len, env);
		if (r != CAL_RULE_OK)
			return r;
	}
	return alarm_order(doc, c, len, env);
}

int
rule_ev_alarm(struct cal_doc *doc, const struct cal_env *env)
{
	return cal_event_each(doc, env, alarm_event);
}
