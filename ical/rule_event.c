/*
 * rule_event.c - the times of an event as Exchange reads them:
 *
 * R-EV-6 date and date-time spellings whose meaning is unambiguous are
 *        written as RFC 5545 spells them: the ISO-8601 extended form, a
 *        lower-case t or z, a fraction of zeros, a numeric UTC offset (the
 *        instant, in UTC), a bare date without VALUE=DATE. Other fractions,
 *        and a VALUE=DATE with a time, are reported.
 *        Before: DTSTART:20250303      After: DTSTART;VALUE=DATE:20250303
 * R-EV-1 a VEVENT has DTSTART (else reported) and DTEND or DURATION: the
 *        end RFC 5545 3.6.1 implies is written out (a date-time start: the
 *        same instant; a date: the next day). [MS-STANXICAL] 2.3: Exchange
 *        fails the import without either.
 *        Before: DTSTART;VALUE=DATE:20250303 (no end)
 *        After:  DTSTART;VALUE=DATE:20250303 / DTEND;VALUE=DATE:20250304
 * R-EV-2 DTEND agrees with DTSTART: a DATE end equal to the start (the
 *        writer meant "inclusive") becomes the next day (AllDayZeroLength
 *        fix, the default; leave reports it); mixed DATE and DATE-TIME,
 *        floating against zoned, an end before the start, and DTEND
 *        beside DURATION are reported (an end equal to a date-time start
 *        is the zero-length event RFC 5545 3.6.1 itself implies).
 * R-EV-3 an all-day event (DATE start and end) gets
 *        X-MICROSOFT-CDO-ALLDAYEVENT:TRUE when it has none (AllDayHint yes,
 *        the default); never on a timed event, never changing a value.
 *
 * Never a switch between all-day and timed (N-4), never an instant moved.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal_recur.h"
#include "cal_tz.h"

static const char *const time_props[] = {
	"DTSTART", "DTEND", "DUE", "RECURRENCE-ID", "EXDATE", "RDATE", NULL
};

/* ---- R-EV-6 ---------------------------------------------------------------- */

/* ev_digits - n digits at *s; advances */
static int
ev_digits(const char **s, int n, int *v)
{
	*v = 0;
	while (n-- > 0) {
		if (!isdigit((unsigned char)**s))
			return -1;
		*v = *v * 10 + (*(*s)++ - '0');
	}
	return 0;
}

static void
ev_skip(const char **s, char c)
{
	if (**s == c)
		(*s)++;
}

/*
 * ev_time_of_day - "Thh[:]mm[:]ss[.000][Z|z|+hh[:]mm]" at s; *secs is the
 * local time of day, *off the UTC offset (seconds east), *utc when the
 * value is an instant. 0; -1 not a time; -2 a fraction that is not zero.
 */
static int
ev_time_of_day(const char *s, int *secs, int *off, int *utc)
{
	int h, m, sec, oh, om, sign;

	if (*s != 'T' && *s != 't')
		return -1;
	s++;
	if (ev_digits(&s, 2, &h) != 0)
		return -1;
	ev_skip(&s, ':');
	if (ev_digits(&s, 2, &m) != 0)
		return -1;
	ev_skip(&s, ':');
	if (ev_digits(&s, 2, &sec) != 0 || h > 23 || m > 59 || sec > 60)
		return -1;
	*secs = h * 3600 + m * 60 + sec;
	*off = 0;
	if (*s == '.') {
		for (s++; *s == '0'; s++)
			;
		if (isdigit((unsigned char)*s))
			return -2;
	}
	*utc = *s != '\0';
	if (*s == '\0' || ((*s == 'Z' || *s == 'z') && s[1] == '\0'))
		return 0;
	if (*s != '+' && *s != '-')
		return -1;
	sign = *s++ == '-' ? -1 : 1;
	if (ev_digits(&s, 2, &oh) != 0)
		return -1;
	ev_skip(&s, ':');
	if (ev_digits(&s, 2, &om) != 0 || *s != '\0' || oh > 23 || om > 59)
		return -1;
	*off = sign * (oh * 3600 + om * 60);
	return 0;
}

/*
 * ev_spelling - one value as RFC 5545 writes it (out); 1 when the spelling
 * changed, 0 when it was right, -1 when it cannot be read, -2 when its
 * fraction of a second is not zero
 */
static int
ev_spelling(const char *v, char *out, size_t len)
{
	struct cal_time t;
	const char *s = v;
	int y, mo, d, secs, off, utc, r;

	if (ev_digits(&s, 4, &y) != 0)
		return -1;
	ev_skip(&s, '-');
	if (ev_digits(&s, 2, &mo) != 0)
		return -1;
	ev_skip(&s, '-');
	if (ev_digits(&s, 2, &d) != 0 || mo < 1 || mo > 12 || d < 1 ||
	    d > cal_days_in_month(y, mo))
		return -1;
	t.secs = cal_days_from_civil(y, mo, d) * CAL_DAY;
	t.is_date = *s == '\0';
	t.is_utc = 0;
	if (!t.is_date) {
		if ((r = ev_time_of_day(s, &secs, &off, &utc)) != 0)
			return r;
		t.secs += secs - off;
		t.is_utc = utc;
	}
	if (cal_time_format(out, len, &t) != 0)
		return -1;
	return strcmp(out, v) != 0;
}

/* ev_fix_list - every value of a list; the new list in b. Returns the
 * number of values changed, -1 when one cannot be read or is reported */
static int
ev_fix_list(const struct cal_prop *p, struct cal_buf *b, int *dates,
    const struct cal_env *env)
{
	const char *v = p->value;
	char tok[64], out[40];
	size_t n;
	int changed = 0, r;

	*dates = 1;
	for (; *v != '\0'; v += n + (v[n] == ',')) {
		n = strcspn(v, ",");
		if (n >= sizeof(tok) || memchr(v, '/', n) != NULL)
			return -1;	/* PERIOD values are not ours */
		snprintf(tok, sizeof(tok), "%.*s", (int)n, v);
		r = ev_spelling(tok, out, sizeof(out));
		if (r == -2)
			cal_report_add(env->rep, "R-EV-6", CAL_REPORT, "line %u: "
			    "%s %.20s has a fraction of a second; left as it "
			    "is", p->line, p->name, tok);
		if (r < 0)
			return -1;
		changed += r;
		*dates &= strlen(out) == 8;
		if (b->len > 0)
			cal_buf_addc(b, ',');
		cal_buf_adds(b, out);
	}
	return changed;
}

/* ev_spell_prop - R-EV-6 on one property */
static int
ev_spell_prop(struct cal_prop *p, const struct cal_env *env)
{
	char *value = cal_param_get(p, "VALUE");
	int is_date = cal_streq(value, "DATE"), dates, n, add_date, ret = 0;
	struct cal_buf b;

	cal_buf_init(&b, strlen(p->value) + 64);
	n = ev_fix_list(p, &b, &dates, env);
	if (n < 0 || b.oom || b.over || b.p == NULL)
		goto out;	/* b.p NULL: an empty value, nothing to spell */
	if (is_date && !dates) {
		cal_report_add(env->rep, "R-EV-6", CAL_REPORT, "line %u: %s "
		    "VALUE=DATE with a time of day; left as it is", p->line,
		    p->name);
		goto out;
	}
	add_date = dates && value == NULL;
	if (n == 0 && !add_date)
		goto out;
	if (cal_prop_set_value(p, b.p) != 0 || (add_date &&
	    cal_prop_set_param(p, "VALUE", "DATE") != 0) ||
	    (strchr(b.p, 'Z') != NULL && cal_prop_set_param(p, "TZID", NULL)))
		ret = -1;
	else if (cal_report_add(env->rep, "R-EV-6", CAL_FIX, "line %u: %s "
	    "written as %s%s", p->line, p->name, add_date ? "VALUE=DATE:" : "",
	    b.p) != 0)
		ret = -1;
out:
	cal_buf_free(&b);
	free(value);
	return ret == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
}

static int
ev_spelling_event(struct cal_doc *doc, struct cal_comp *c,
    const struct cal_env *env)
{
	struct cal_prop *p;
	size_t i, k;

	(void)doc;
	for (i = 0; i < c->n; i++) {
		if (c->items[i].type != CAL_ITEM_PROP)
			continue;
		p = c->items[i].u.prop;
		for (k = 0; time_props[k] != NULL; k++)
			if (cal_streq(p->name, time_props[k]) &&
			    ev_spell_prop(p, env) != CAL_RULE_OK)
				return CAL_RULE_ERROR;
	}
	return CAL_RULE_OK;
}

int
rule_ev_spelling(struct cal_doc *doc, const struct cal_env *env)
{
	return cal_event_each(doc, env, ev_spelling_event);
}

/* ---- R-EV-1 ---------------------------------------------------------------- */

static int
ev_end_event(struct cal_doc *doc, struct cal_comp *c,
    const struct cal_env *env)
{
	struct cal_prop *s = cal_comp_prop(c, "DTSTART"), *e;
	struct cal_when w;
	char v[40];

	if (s == NULL)
		return cal_report_add(env->rep, "R-EV-1", CAL_REPORT, "VEVENT "
		    "line %u has no DTSTART; left as it is", c->begin->line)
		    == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
	if (cal_comp_prop(c, "DTEND") != NULL ||
	    cal_comp_prop(c, "DURATION") != NULL)
		return CAL_RULE_OK;
	if (cal_when_prop(&w, doc, s) == CAL_WHEN_BAD)
		return CAL_RULE_OK;
	if (w.kind == CAL_WHEN_DATE)
		w.t.secs += CAL_DAY;
	cal_when_format(&w, v, sizeof(v));
	e = cal_prop_new("DTEND", s->params, v);
	if (e == NULL || cal_comp_insert(c, cal_prop_index(c, s) + 1, e) != 0) {
		cal_prop_free(e);
		return CAL_RULE_ERROR;
	}
	return cal_report_add(env->rep, "R-EV-1", CAL_FIX, "VEVENT line %u: "
	    "added DTEND%s:%s, the end RFC 5545 implies", c->begin->line,
	    e->params, v) == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
}

int
rule_ev_end(struct cal_doc *doc, const struct cal_env *env)
{
	return cal_event_each(doc, env, ev_end_event);
}

/* ---- R-EV-2 ---------------------------------------------------------------- */

static int
ev_report2(const struct cal_env *env, const struct cal_prop *e,
    const char *what)
{
	return cal_report_add(env->rep, "R-EV-2", CAL_REPORT, "line %u: DTEND "
	    "%s; left as it is", e->line, what) == 0 ? CAL_RULE_OK
						     : CAL_RULE_ERROR;
}

/* ev_allday_zero - a DATE end equal to its start (AllDayZeroLength) */
static int
ev_allday_zero(struct cal_doc *doc, struct cal_prop *e, struct cal_when *we,
    const struct cal_env *env)
{
	char v[40];

	if (!env->pol->all_day_zero_fix)
		return ev_report2(env, e, "equals the DATE DTSTART (zero "
		    "length; AllDayZeroLength leave)");
	we->t.secs += CAL_DAY;
	cal_when_format(we, v, sizeof(v));
	if (cal_prop_set_value(e, v) != 0)
		return CAL_RULE_ERROR;
	doc->allow |= CAL_ALLOW_ALLDAY_LENGTH;
	return cal_report_add(env->rep, "R-EV-2", CAL_FIX, "line %u: DTEND "
	    "equal to the DATE DTSTART made the next day, %s", e->line, v) == 0
	    ? CAL_RULE_OK : CAL_RULE_ERROR;
}

/* ev_before - is the end before the start? -1 unknown. An end equal to
 * the start is a zero-length event, which RFC 5545 3.6.1 itself implies
 * for a date-time start without end (R-EV-1) */
static int
ev_before(const struct cal_when *s, const struct cal_when *e)
{
	int64_t a, b;

	if (s->kind == CAL_WHEN_FLOATING && e->kind == CAL_WHEN_FLOATING)
		return e->t.secs < s->t.secs;
	if (s->kind == CAL_WHEN_ZONED && e->kind == CAL_WHEN_ZONED &&
	    cal_streq(s->tzid, e->tzid))
		return e->t.secs < s->t.secs;
	if (cal_when_utc(s, &a) != 0 || cal_when_utc(e, &b) != 0)
		return -1;
	return b < a;
}

static int
ev_consistent_event(struct cal_doc *doc, struct cal_comp *c,
    const struct cal_env *env)
{
	struct cal_prop *s = cal_comp_prop(c, "DTSTART");
	struct cal_prop *e = cal_comp_prop(c, "DTEND");
	struct cal_when ws, we;

	if (s == NULL || e == NULL)
		return CAL_RULE_OK;
	if (cal_comp_prop(c, "DURATION") != NULL)
		return ev_report2(env, e, "beside DURATION (RFC 5545 allows "
		    "one of them)");
	if (cal_when_prop(&ws, doc, s) == CAL_WHEN_BAD ||
	    cal_when_prop(&we, doc, e) == CAL_WHEN_BAD)
		return CAL_RULE_OK;
	if ((ws.kind == CAL_WHEN_DATE) != (we.kind == CAL_WHEN_DATE))
		return ev_report2(env, e, "mixes DATE and DATE-TIME with "
		    "DTSTART");
	if (ws.kind == CAL_WHEN_DATE && we.t.secs == ws.t.secs)
		return ev_allday_zero(doc, e, &we, env);
	if (ws.kind == CAL_WHEN_DATE)
		return we.t.secs < ws.t.secs ? ev_report2(env, e, "is before "
		    "DTSTART") : CAL_RULE_OK;
	if ((ws.kind == CAL_WHEN_FLOATING) != (we.kind == CAL_WHEN_FLOATING))
		return ev_report2(env, e, "is floating where DTSTART is not, "
		    "or the other way round");
	if (ev_before(&ws, &we) == 1)
		return ev_report2(env, e, "is before DTSTART");
	return CAL_RULE_OK;
}

int
rule_ev_consistent(struct cal_doc *doc, const struct cal_env *env)
{
	return cal_event_each(doc, env, ev_consistent_event);
}

/* ---- R-EV-3 ---------------------------------------------------------------- */

#define ALLDAY "X-MICROSOFT-CDO-ALLDAYEVENT"

/* ev_whole_days - DTEND a DATE, or DURATION whole days (or neither) */
static int
ev_whole_days(struct cal_doc *doc, const struct cal_comp *c)
{
	const struct cal_prop *e = cal_comp_prop(c, "DTEND");
	const struct cal_prop *d = cal_comp_prop(c, "DURATION");
	struct icaldurationtype du;
	struct cal_when w;

	if (e != NULL)
		return cal_when_prop(&w, doc, e) == CAL_WHEN_OK &&
		    w.kind == CAL_WHEN_DATE;
	if (d == NULL)
		return 1;
	du = icaldurationtype_from_string(d->value);
	icalerror_clear_errno();
	return !icaldurationtype_is_bad_duration(du) && !du.is_neg &&
	    du.hours == 0 && du.minutes == 0 && du.seconds == 0 &&
	    (du.days > 0 || du.weeks > 0);
}

static int
ev_allday_event(struct cal_doc *doc, struct cal_comp *c,
    const struct cal_env *env)
{
	struct cal_prop *s = cal_comp_prop(c, "DTSTART"), *h;
	struct cal_when w;

	if (s == NULL || cal_when_prop(&w, doc, s) != CAL_WHEN_OK ||
	    w.kind != CAL_WHEN_DATE || !ev_whole_days(doc, c))
		return CAL_RULE_OK;
	if ((h = cal_comp_prop(c, ALLDAY)) != NULL)
		return cal_streq(h->value, "TRUE") ? CAL_RULE_OK :
		    cal_report_add(env->rep, "R-EV-3", CAL_REPORT, "line %u: "
		    ALLDAY ":%.10s on an all-day event; left as it is",
		    h->line, h->value) == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
	if (!env->pol->all_day_hint)
		return CAL_RULE_OK;
	h = cal_prop_new(ALLDAY, NULL, "TRUE");
	if (h == NULL || cal_comp_insert(c, cal_comp_first_comp_index(c), h)) {
		cal_prop_free(h);
		return CAL_RULE_ERROR;
	}
	doc->allow |= CAL_ALLOW_ALLDAY_HINT;
	return cal_report_add(env->rep, "R-EV-3", CAL_FIX, "VEVENT line %u: "
	    "added " ALLDAY ":TRUE (DATE start and end)", c->begin->line) == 0
	    ? CAL_RULE_OK : CAL_RULE_ERROR;
}

int
rule_ev_allday(struct cal_doc *doc, const struct cal_env *env)
{
	return cal_event_each(doc, env, ev_allday_event);
}
