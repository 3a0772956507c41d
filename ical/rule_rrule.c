/*
 * rule_rrule.c - an RRULE in the forms Exchange's recurrence templates hold
 * ([MS-OXCICAL] 2.1.3.2.2), with exactly the same instances
 *
 * R-RR-1 (a) the syntax tidied: no blanks inside lists, no empty or
 *        repeated parts, no trailing ';', upper case, FREQ first;
 *        (b) a single ordinal weekday in MONTHLY, or in YEARLY with one
 *        BYMONTH, written in the BYSETPOS form (gromox refuses MONTHLY BYDAY
 *        without BYSETPOS); ordinals 5 and -2..-5 are R-RR-4's.
 *        Before: FREQ=YEARLY;BYMONTH=11;BYDAY=4TH
 *        After:  FREQ=YEARLY;BYMONTH=11;BYDAY=TH;BYSETPOS=4
 * R-RR-2 DAILY on chosen weekdays (INTERVAL 1) is WEEKLY on them.
 *        Before: FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=10
 *        After:  FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=10
 * R-RR-3 UNTIL has the type DTSTART demands: a DATE for a DATE start, UTC
 *        for a zoned or UTC start (a local UNTIL read in the start's zone;
 *        a DATE one is the start of the last instance on or before it),
 *        floating for a floating start; seconds other than 00 become the
 *        exact start of the last instance; COUNT with UNTIL keeps the one
 *        that ends first; COUNT above 999 becomes the UNTIL of its last
 *        instance.
 *        Before: DTSTART;TZID=America/New_York:20250106T090000
 *                RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20250331T090000
 *        After:  RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20250331T130000Z
 *
 * Only VEVENTs; the meaning check compares every instance (N-4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal_recur.h"

#define RR_TEXT (CAL_RRULE_PARTS * (CAL_RRULE_VALUE + 16))

/* rr_write - the rule back into its line, with a finding */
static int
rr_write(struct cal_prop *p, const struct cal_rrule *r, const char *id,
    const char *what, const struct cal_env *env)
{
	char text[RR_TEXT];

	if (cal_rrule_format(r, text, sizeof(text)) != 0 ||
	    strcmp(text, p->value) == 0)
		return CAL_RULE_OK;
	if (cal_prop_set_value(p, text) != 0)
		return CAL_RULE_ERROR;
	return cal_report_add(env->rep, id, CAL_FIX, "line %u: RRULE %s: "
	    "%.200s", p->line, what, text) == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
}

/* rr_each - fn on every RRULE of every VEVENT, parsed */
static int
rr_each(struct cal_doc *doc, const struct cal_env *env,
    int (*fn)(struct cal_doc *, struct cal_comp *, struct cal_prop *,
    struct cal_rrule *, const struct cal_env *))
{
	struct cal_comp *cal = cal_doc_calendar(doc), *c;
	struct cal_rrule r;
	struct cal_prop *p;
	size_t i, k;
	int ret;

	if (cal == NULL || cal_doc_microsoft(doc))
		return CAL_RULE_OK;
	for (i = 0; i < cal->n; i++) {
		if (cal->items[i].type != CAL_ITEM_COMP ||
		    !cal_streq(cal->items[i].u.comp->name, "VEVENT"))
			continue;
		c = cal->items[i].u.comp;
		for (k = 0; (p = cal_comp_nth_prop(c, "RRULE", k)) != NULL; k++) {
			if (cal_rrule_parse(&r, p->value) != 0)
				continue;
			ret = fn(doc, c, p, &r, env);
			if (ret != CAL_RULE_OK)
				return ret;
		}
	}
	return CAL_RULE_OK;
}

/* ---- R-RR-1 ---------------------------------------------------------------- */

/* rr_setpos - (b): one ordinal weekday in the BYSETPOS form; 1 if done */
static int
rr_setpos(struct cal_rrule *r)
{
	const char *freq = cal_rrule_get(r, "FREQ"), *byday;
	char day[8], pos[8];
	int ord, wd;

	if ((byday = cal_rrule_get(r, "BYDAY")) == NULL ||
	    cal_rrule_count(r, "BYDAY") != 1 || cal_rrule_get(r, "BYSETPOS") ||
	    cal_rrule_get(r, "BYMONTHDAY") || cal_rrule_get(r, "BYYEARDAY") ||
	    cal_rrule_get(r, "BYWEEKNO"))
		return 0;
	if (!(strcmp(freq, "MONTHLY") == 0 && !cal_rrule_get(r, "BYMONTH")) &&
	    !(strcmp(freq, "YEARLY") == 0 && cal_rrule_count(r, "BYMONTH") == 1))
		return 0;
	wd = cal_rrule_weekday(byday, &ord);
	if (wd < 0 || ord == 0 || ord > 4 || ord < -1)
		return 0;
	snprintf(day, sizeof(day), "%s", byday + strlen(byday) - 2);
	snprintf(pos, sizeof(pos), "%d", ord);
	return cal_rrule_set(r, "BYDAY", day) == 0 &&
	    cal_rrule_set(r, "BYSETPOS", pos) == 0;
}

static int
rr_tidy(struct cal_doc *doc, struct cal_comp *c, struct cal_prop *p,
    struct cal_rrule *r, const struct cal_env *env)
{
	int untidy, setpos;

	(void)doc;
	(void)c;
	if (cal_rrule_get(r, "RSCALE") != NULL)
		return CAL_RULE_OK;	/* RFC 7529 rules: R-RR-4 reports them */
	untidy = r->untidy;
	setpos = rr_setpos(r);
	if (!untidy && !setpos)
		return CAL_RULE_OK;
	return rr_write(p, r, "R-RR-1", setpos ? (untidy ? "tidied, the "
	    "ordinal weekday in the BYSETPOS form" : "the ordinal weekday in "
	    "the BYSETPOS form") : "tidied", env);
}

int
rule_rr_syntax(struct cal_doc *doc, const struct cal_env *env)
{
	return rr_each(doc, env, rr_tidy);
}

/* ---- R-RR-2 ---------------------------------------------------------------- */

static int
rr_daily(struct cal_doc *doc, struct cal_comp *c, struct cal_prop *p,
    struct cal_rrule *r, const struct cal_env *env)
{
	static const char *const other[] = {
		"BYMONTH", "BYMONTHDAY", "BYSETPOS", "BYYEARDAY", "BYWEEKNO",
		"BYHOUR", "BYMINUTE", "BYSECOND", NULL
	};
	const char *in = cal_rrule_get(r, "INTERVAL"), *byday;
	char day[16];
	size_t i;
	int ord;

	(void)doc;
	(void)c;
	if (strcmp(cal_rrule_get(r, "FREQ"), "DAILY") != 0 ||
	    (byday = cal_rrule_get(r, "BYDAY")) == NULL ||
	    (in != NULL && strcmp(in, "1") != 0))
		return CAL_RULE_OK;
	for (i = 0; other[i] != NULL; i++)
		if (cal_rrule_get(r, other[i]) != NULL)
			return CAL_RULE_OK;
	for (; *byday != '\0'; byday += strcspn(byday, ",") +
	    (byday[strcspn(byday, ",")] == ',')) {
		snprintf(day, sizeof(day), "%.*s", (int)strcspn(byday, ","),
		    byday);
		if (cal_rrule_weekday(day, &ord) < 0 || ord != 0)
			return CAL_RULE_OK;
	}
	if (cal_rrule_set(r, "FREQ", "WEEKLY") != 0)
		return CAL_RULE_OK;
	return rr_write(p, r, "R-RR-2", "DAILY on chosen weekdays is WEEKLY on "
	    "them", env);
}

int
rule_rr_daily(struct cal_doc *doc, const struct cal_env *env)
{
	return rr_each(doc, env, rr_daily);
}

/* ---- R-RR-3 ---------------------------------------------------------------- */

/*
 * rr_until_text - UNTIL for the last instance local (local seconds in the
 * start's zone), in the type the start demands; -1 when it cannot be
 * written exactly
 */
static int
rr_until_text(const struct cal_when *start, int64_t local, char *buf,
    size_t len)
{
	struct cal_when w = *start;
	int64_t utc;

	w.t.secs = local;
	if (start->kind == CAL_WHEN_ZONED) {
		if (cal_when_utc(&w, &utc) != 0)
			return -1;
		w.kind = CAL_WHEN_UTC;
		w.t.secs = utc;
		w.t.is_utc = 1;
	}
	cal_when_format(&w, buf, len);
	return buf[0] != '\0' ? 0 : -1;
}

/* rr_last - the last instance of r from start; -1 when it has none known */
static int
rr_last(const struct cal_rrule *r, const struct cal_when *start,
    size_t max, int64_t *last)
{
	struct cal_series s;

	if (cal_series_expand(&s, r, start, max) != 0)
		return -1;
	if (s.more) {
		cal_series_free(&s);
		return -1;
	}
	*last = s.v[s.n - 1];
	cal_series_free(&s);
	return 0;
}

/* rr_until_ok - is UNTIL already of the start's type, with seconds 00? */
static int
rr_until_ok(const char *u, const struct cal_when *start)
{
	struct cal_time t;

	if (cal_time_parse(&t, u) != 0)
		return 1;	/* not ours to read */
	if (start->kind == CAL_WHEN_DATE)
		return t.is_date;
	if (t.is_date || (t.is_utc != (start->kind != CAL_WHEN_FLOATING)))
		return 0;
	return t.secs % 60 == 0;
}

/* rr_set_end - replace COUNT and UNTIL with UNTIL for the last instance */
static int
rr_set_end(struct cal_prop *p, struct cal_rrule *r,
    const struct cal_when *start, const char *what, const struct cal_env *env)
{
	char until[40];
	int64_t last;

	if (rr_last(r, start, 100000, &last) != 0 ||
	    rr_until_text(start, last, until, sizeof(until)) != 0)
		return cal_report_add(env->rep, "R-RR-3", CAL_REPORT, "line %u: "
		    "RRULE %s, and its last instance cannot be written exactly; "
		    "left as it is", p->line, what) == 0 ? CAL_RULE_OK
							 : CAL_RULE_ERROR;
	cal_rrule_del(r, "COUNT");
	if (cal_rrule_set(r, "UNTIL", until) != 0)
		return CAL_RULE_OK;
	return rr_write(p, r, "R-RR-3", what, env);
}

/* rr_count_until - COUNT with UNTIL: the one that ends first */
static int
rr_count_until(struct cal_prop *p, struct cal_rrule *r,
    const struct cal_when *start, const struct cal_env *env)
{
	struct cal_rrule byc = *r;
	int64_t a, b;

	cal_rrule_del(&byc, "UNTIL");
	if (rr_last(&byc, start, 100000, &a) != 0 ||
	    rr_last(r, start, 100000, &b) != 0)
		return CAL_RULE_OK;
	if (a <= b) {	/* COUNT ends first (or with UNTIL) */
		cal_rrule_del(r, "UNTIL");
		return rr_write(p, r, "R-RR-3", "COUNT ends before UNTIL, "
		    "which RFC 5545 forbids beside it: UNTIL removed", env);
	}
	cal_rrule_del(r, "COUNT");
	return rr_write(p, r, "R-RR-3", "UNTIL ends before COUNT, which RFC "
	    "5545 forbids beside it: COUNT removed", env);
}

static int
rr_until(struct cal_doc *doc, struct cal_comp *c, struct cal_prop *p,
    struct cal_rrule *r, const struct cal_env *env)
{
	const struct cal_prop *s = cal_comp_prop(c, "DTSTART");
	const char *u = cal_rrule_get(r, "UNTIL"), *n = cal_rrule_get(r,
	    "COUNT");
	struct cal_when start;

	if (s == NULL || cal_when_prop(&start, doc, s) == CAL_WHEN_BAD ||
	    (u == NULL && n == NULL))
		return CAL_RULE_OK;
	if (start.kind == CAL_WHEN_ZONED && start.zone == NULL)
		return cal_report_add(env->rep, "R-RR-3", CAL_REPORT, "line %u: "
		    "DTSTART's TZID %.60s resolves to no zone; RRULE end not "
		    "checked", p->line, start.tzid) == 0 ? CAL_RULE_OK
							 : CAL_RULE_ERROR;
	if (u != NULL && n != NULL)
		return rr_count_until(p, r, &start, env);
	if (n != NULL && strtol(n, NULL, 10) > 999)
		return rr_set_end(p, r, &start, "COUNT above 999 (Exchange "
		    "holds three digits) written as the UNTIL of its last "
		    "instance", env);
	if (u != NULL && !rr_until_ok(u, &start))
		return rr_set_end(p, r, &start, "UNTIL written as the start of "
		    "its last instance, in the type DTSTART demands", env);
	return CAL_RULE_OK;
}

int
rule_rr_until(struct cal_doc *doc, const struct cal_env *env)
{
	return rr_each(doc, env, rr_until);
}
