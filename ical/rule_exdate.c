/*
 * rule_exdate.c - R-RR-6: EXDATE and RDATE in DTSTART's type and zone,
 * EXDATEs naming real instances
 *
 * Exchange converts EXDATE values to the event's zone, strips their time
 * and drops those that match no instance ([MS-OXCICAL] 2.1.3.1.1.20.13);
 * Exchange 2010 failed on EXDATEs in UTC or another zone than DTSTART's
 * (KB 2295902), and deleted occurrences came back. So: a UTC value, or one
 * in another zone, is written in DTSTART's zone, the instant kept; a DATE
 * EXDATE against a DATE-TIME start becomes that day's instance; an EXDATE
 * that names no instance is dropped (Exchange drops it too), with a
 * finding; an EXDATE without RRULE or RDATE is reported. RDATE date-times
 * are written in DTSTART's zone too. A value whose zone resolves to
 * nothing, or that cannot be converted exactly, leaves its line as it is.
 *
 * Before: DTSTART;TZID=Europe/Berlin:20250106T100000 / RRULE:FREQ=WEEKLY
 *         EXDATE:20250113T090000Z
 * After:  EXDATE;TZID=Europe/Berlin:20250113T100000
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal_recur.h"
#include "cal_tz.h"

#define SERIES_MAX 100000	/* instances looked through for a match */

struct ex {
	struct cal_doc		*doc;
	struct cal_comp		*c;
	const struct cal_env	*env;
	struct cal_when		 start;
	struct cal_series	 s;	/* the rule's instances, when read */
	int			 have_s;	/* 1 read, -1 cannot be */
};

/* ex_series - the instances of the one RRULE (and RDATEs), once */
static int
ex_series(struct ex *x)
{
	const struct cal_prop *p = cal_comp_prop(x->c, "RRULE");
	struct cal_rrule r;

	if (x->have_s != 0)
		return x->have_s;
	x->have_s = -1;
	if (p == NULL || cal_comp_count(x->c, "RRULE") > 1 ||
	    cal_comp_prop(x->c, "RDATE") != NULL ||
	    cal_rrule_parse(&r, p->value) != 0 ||
	    cal_series_expand(&x->s, &r, &x->start, SERIES_MAX) != 0)
		return -1;
	x->have_s = 1;
	return 1;
}

/*
 * ex_value - one value in DTSTART's form (out, local seconds). Returns 1
 * converted, 0 already so, -1 it cannot be, -2 it names no instance
 */
static int
ex_value(struct ex *x, const struct cal_prop *p, const char *tok,
    int64_t *out, int exdate)
{
	struct cal_when w, l;
	int64_t utc, day;
	size_t i;

	if (cal_when_parse(&w, x->doc, p, tok) != CAL_WHEN_OK)
		return -1;
	*out = w.t.secs;
	if (cal_when_same_form(&w, &x->start))
		return 0;
	if (w.kind == CAL_WHEN_DATE && exdate &&
	    x->start.kind != CAL_WHEN_DATE) {
		if (ex_series(x) < 0 || x->s.more)
			return -1;
		day = cal_day_of(w.t.secs);
		for (i = 0; i < x->s.n; i++)
			if (cal_day_of(x->s.v[i]) == day) {
				*out = x->s.v[i];
				return 1;
			}
		return -2;
	}
	if (w.kind == CAL_WHEN_DATE || x->start.kind == CAL_WHEN_DATE ||
	    cal_when_utc(&w, &utc) != 0 ||
	    cal_when_like(&l, utc, &x->start) != 0)
		return -1;
	*out = l.t.secs;
	return 1;
}

/* ex_matches - does local time t name an instance? -1 unknown */
static int
ex_matches(struct ex *x, int64_t t)
{
	if (ex_series(x) < 0)
		return -1;
	if (cal_series_find(&x->s, t) >= 0)
		return 1;
	return x->s.more && t > x->s.v[x->s.n - 1] ? -1 : 0;
}

/* ex_line - one EXDATE or RDATE line: its values in b; *changed, *dropped;
 * -1 when the line must stay as it is */
static int
ex_line(struct ex *x, const struct cal_prop *p, int exdate,
    struct cal_buf *b, int *changed, unsigned *dropped)
{
	struct cal_when w = x->start;
	const char *s;
	char tok[64], v[40];
	size_t n;
	int64_t t;
	int r;

	for (s = p->value; *s != '\0'; s += n + (s[n] == ',')) {
		n = strcspn(s, ",");
		if (n >= sizeof(tok))
			return -1;
		snprintf(tok, sizeof(tok), "%.*s", (int)n, s);
		r = ex_value(x, p, tok, &t, exdate);
		if (r == -1)
			return -1;
		*changed |= r != 0;
		if (r == -2 || (exdate && ex_matches(x, t) == 0)) {
			(*dropped)++;
			*changed = 1;
			continue;
		}
		w.t.secs = t;
		cal_when_format(&w, v, sizeof(v));
		if (b->len > 0)
			cal_buf_addc(b, ',');
		cal_buf_adds(b, r != 0 ? v : tok);
	}
	return 0;
}

/* ex_rewrite - the line p with the values in b, in DTSTART's form */
static int
ex_rewrite(struct ex *x, struct cal_prop *p, struct cal_buf *b,
    unsigned dropped)
{
	unsigned line = p->line;
	char name[16];

	snprintf(name, sizeof(name), "%s", p->name);
	if (b->len == 0)
		cal_comp_remove(x->c, cal_prop_index(x->c, p));
	else {
		cal_buf_addc(b, '\0');
		if (cal_prop_set_value(p, b->p) != 0 ||
		    cal_when_set_params(p, &x->start) != 0)
			return CAL_RULE_ERROR;
	}
	if (dropped > 0 && cal_report_add(x->env->rep, "R-RR-6", CAL_FIX,
	    "line %u: %u EXDATE value%s naming no instance dropped (Exchange "
	    "drops them too)", line, dropped, dropped == 1 ? "" : "s") != 0)
		return CAL_RULE_ERROR;
	if (b->len == 0)
		return CAL_RULE_OK;
	return cal_report_add(x->env->rep, "R-RR-6", CAL_FIX, "line %u: %s "
	    "written in DTSTART's type and zone", line, name) == 0
	    ? CAL_RULE_OK : CAL_RULE_ERROR;
}

static int
ex_prop(struct ex *x, struct cal_prop *p, int exdate)
{
	struct cal_buf b;
	unsigned dropped = 0;
	int changed = 0, r = CAL_RULE_OK;
	char *value = cal_param_get(p, "VALUE");
	int period = cal_streq(value, "PERIOD");

	free(value);
	if (period)
		return CAL_RULE_OK;	/* R-RR-5 reports it */
	cal_buf_init(&b, strlen(p->value) * 2 + 64);
	if (ex_line(x, p, exdate, &b, &changed, &dropped) != 0)
		r = cal_report_add(x->env->rep, "R-RR-6", CAL_REPORT, "line %u: "
		    "%s cannot be written exactly in DTSTART's type and zone; "
		    "left as it is", p->line, p->name) == 0 ? CAL_RULE_OK
							   : CAL_RULE_ERROR;
	else if (b.oom || b.over)
		r = CAL_RULE_ERROR;
	else if (changed)
		r = ex_rewrite(x, p, &b, dropped);
	cal_buf_free(&b);
	return r;
}

/* ex_next - the first EXDATE or RDATE at or after index *i */
static struct cal_prop *
ex_next(struct cal_comp *c, size_t *i, int *exdate)
{
	struct cal_prop *p;

	for (; *i < c->n; (*i)++) {
		if (c->items[*i].type != CAL_ITEM_PROP)
			continue;
		p = c->items[*i].u.prop;
		*exdate = cal_streq(p->name, "EXDATE");
		if (*exdate || cal_streq(p->name, "RDATE"))
			return p;
	}
	return NULL;
}

static int
ex_event(struct cal_doc *doc, struct cal_comp *c, const struct cal_env *env)
{
	const struct cal_prop *s = cal_comp_prop(c, "DTSTART");
	struct ex x = { doc, c, env, { 0 }, { NULL, 0, 0 }, 0 };
	struct cal_prop *p;
	size_t i = 0, n;
	int exdate, r = CAL_RULE_OK;

	if (s == NULL || cal_when_prop(&x.start, doc, s) == CAL_WHEN_BAD)
		return CAL_RULE_OK;
	if (cal_comp_prop(c, "EXDATE") != NULL && !cal_comp_prop(c, "RRULE") &&
	    !cal_comp_prop(c, "RDATE"))
		return cal_report_add(env->rep, "R-RR-6", CAL_REPORT, "VEVENT "
		    "line %u: EXDATE without RRULE or RDATE; left as it is",
		    c->begin->line) == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
	while (r == CAL_RULE_OK && (p = ex_next(c, &i, &exdate)) != NULL) {
		n = c->n;
		r = ex_prop(&x, p, exdate);
		if (c->n == n)
			i++;	/* else the line went: the next is at i */
	}
	cal_series_free(&x.s);
	return r;
}

int
rule_rr_exdate(struct cal_doc *doc, const struct cal_env *env)
{
	return cal_event_each(doc, env, ex_event);
}
