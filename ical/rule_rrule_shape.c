/*
 * rule_rrule_shape.c - recurrences Exchange cannot hold
 *
 * R-RR-4 an RRULE outside the templates of [MS-OXCICAL] 2.1.3.2.2, the
 *        set gromox's oxcical_parse_rrule refuses (E-2801..E-2874): FREQ
 *        below DAILY; BYWEEKNO, BYYEARDAY, BYSECOND; several BYMONTHDAY
 *        values or ordinal weekdays; BYSETPOS with several values or
 *        outside -1..4; BYMONTH in MONTHLY or several in YEARLY; BYMONTHDAY
 *        with BYDAY; BYHOUR or BYMINUTE giving other times than DTSTART's;
 *        INTERVAL above 999 (daily), 99 (weekly, monthly), 8 (yearly);
 *        RSCALE; several RRULEs; EXRULE. Reported and left as it is (its
 *        bytes unchanged, Outlook shows what it showed before), or, with
 *        UnsupportedRecurrence expand, a finite series (COUNT or UNTIL) of
 *        at most MaxExpandInstances instances becomes a superset Exchange
 *        can hold (WEEKLY on the weekdays involved, or DAILY) ending with
 *        the last instance, plus EXDATEs for the days that are not
 *        instances: the same UID, exactly the same instants. Never an
 *        endless series; where no such superset exists (two instances on
 *        one day, instances at different times of day) it is reported.
 *        Before: DTSTART;TZID=Europe/Berlin:20250106T100000
 *                RRULE:FREQ=MONTHLY;BYDAY=1MO,3MO;COUNT=4
 *        After:  RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20250217T090000Z
 *                EXDATE;TZID=Europe/Berlin:20250113T100000,20250127T100000,
 *                 20250210T100000
 * R-RR-5 a series given only by RDATEs (KB 2643084: Exchange cannot open
 *        it) whose instances form a regular sequence (every k days, the
 *        same weekday every k weeks, the same day every k months or years)
 *        becomes DTSTART plus RRULE with COUNT; the instants are identical.
 *        Otherwise the R-RR-4 policy applies. RDATE;VALUE=PERIOD, RDATE
 *        beside an RRULE, and RDATEs before DTSTART are reported.
 *        Before: DTSTART;TZID=Europe/Berlin:20250106T100000
 *                RDATE;TZID=Europe/Berlin:20250113T100000,20250120T100000
 *        After:  RRULE:FREQ=WEEKLY;COUNT=3
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal_recur.h"
#include "cal_tz.h"

#define SUPERSET_FACTOR 10	/* superset days per instance, at most */
#define EXDATE_LINE	100	/* values per EXDATE line */

/* ---- what Exchange holds --------------------------------------------------- */

static int
num(const char *v)
{
	return v != NULL ? (int)strtol(v, NULL, 10) : 0;
}

/* days_set - BYDAY as a bit set (bit 1 SU, bit 2 MO .. bit 7 SA, as
 * libical numbers them); ordinals counted in *n; -1 when an entry is no
 * weekday */
static int
days_set(const char *v, int *n)
{
	char day[16];
	int set = 0, ord, wd;
	size_t k;

	*n = 0;
	for (; *v != '\0'; v += k + (v[k] == ',')) {
		k = strcspn(v, ",");
		snprintf(day, sizeof(day), "%.*s", (int)k, v);
		wd = cal_rrule_weekday(day, &ord);
		if (wd < 0)
			return -1;
		if (ord != 0)
			(*n)++;
		set |= 1 << wd;
	}
	return set;
}

/* nth_set - the weekday sets of the monthly-nth template */
static int
nth_set(int set)
{
	static const int ok[] = {
		0x82 /* SA, SU */, 0x7c /* MO..FR */, 0xfe /* all seven */
	};
	size_t i;

	for (i = 0; i < 3; i++)
		if (set == ok[i])
			return 1;
	return (set & (set - 1)) == 0;	/* one day */
}

/* shape_nth - BYDAY + BYSETPOS as the -nth templates want them */
static const char *
shape_nth(const struct cal_rrule *r)
{
	int ords, set = days_set(cal_rrule_get(r, "BYDAY"), &ords), pos;

	if (set < 0)
		return "BYDAY Exchange cannot read";
	if (ords > 0)
		return cal_rrule_count(r, "BYDAY") > 1 ? "several ordinal "
		    "weekdays" : "an ordinal weekday other than 1..4 or -1";
	if (cal_rrule_get(r, "BYSETPOS") == NULL)
		return "BYDAY without BYSETPOS (every such weekday)";
	if (cal_rrule_count(r, "BYSETPOS") > 1)
		return "several BYSETPOS values";
	pos = num(cal_rrule_get(r, "BYSETPOS"));
	if (pos < -1 || pos > 4 || pos == 0)
		return "BYSETPOS outside -1..4";
	if (!nth_set(set))
		return "a weekday set other than one day, SA+SU, MO..FR or all";
	return cal_rrule_get(r, "BYMONTHDAY") ? "BYMONTHDAY with BYDAY" : NULL;
}

/* shape_monthday - one BYMONTHDAY, 1..31 or -1 */
static const char *
shape_monthday(const struct cal_rrule *r)
{
	int d = num(cal_rrule_get(r, "BYMONTHDAY"));

	if (cal_rrule_count(r, "BYMONTHDAY") > 1)
		return "several BYMONTHDAY values";
	if (d < -1 || d == 0 || d > 31)
		return "BYMONTHDAY other than 1..31 or -1";
	return cal_rrule_get(r, "BYSETPOS") ? "BYSETPOS without BYDAY" : NULL;
}

static const char *
shape_freq(const struct cal_rrule *r, const char *f)
{
	if (strcmp(f, "DAILY") == 0)
		return cal_rrule_get(r, "BYDAY") || cal_rrule_get(r, "BYMONTH")
		    || cal_rrule_get(r, "BYSETPOS") ||
		    cal_rrule_get(r, "BYMONTHDAY") ? "DAILY with BYxxx" : NULL;
	if (strcmp(f, "WEEKLY") == 0) {
		int ords;

		if (cal_rrule_get(r, "BYMONTH") || cal_rrule_get(r, "BYSETPOS")
		    || cal_rrule_get(r, "BYMONTHDAY"))
			return "WEEKLY with BYMONTH, BYMONTHDAY or BYSETPOS";
		return cal_rrule_get(r, "BYDAY") != NULL &&
		    (days_set(cal_rrule_get(r, "BYDAY"), &ords) < 0 || ords)
		    ? "ordinal weekdays in WEEKLY" : NULL;
	}
	if (strcmp(f, "MONTHLY") == 0 && cal_rrule_get(r, "BYMONTH"))
		return "BYMONTH in MONTHLY";
	if (strcmp(f, "YEARLY") == 0 && cal_rrule_count(r, "BYMONTH") > 1)
		return "several BYMONTH values in YEARLY";
	if (strcmp(f, "YEARLY") == 0 && !cal_rrule_get(r, "BYMONTH") &&
	    (cal_rrule_get(r, "BYMONTHDAY") || cal_rrule_get(r, "BYDAY")))
		return "BYMONTHDAY or BYDAY in YEARLY without BYMONTH";
	if (cal_rrule_get(r, "BYDAY") != NULL)
		return shape_nth(r);
	if (cal_rrule_get(r, "BYMONTHDAY") != NULL)
		return shape_monthday(r);
	return cal_rrule_get(r, "BYSETPOS") ? "BYSETPOS without BYDAY" : NULL;
}

/* shape_time - BYHOUR and BYMINUTE must give DTSTART's time of day */
static const char *
shape_time(const struct cal_rrule *r, const struct cal_when *start)
{
	int64_t sod = start->t.secs - cal_day_of(start->t.secs) * CAL_DAY;
	const char *h = cal_rrule_get(r, "BYHOUR");
	const char *m = cal_rrule_get(r, "BYMINUTE");

	if (h == NULL && m == NULL)
		return NULL;
	if (start->kind == CAL_WHEN_DATE || cal_rrule_count(r, "BYHOUR") > 1 ||
	    cal_rrule_count(r, "BYMINUTE") > 1 ||
	    (h != NULL && num(h) != sod / 3600) ||
	    (m != NULL && num(m) != sod % 3600 / 60))
		return "BYHOUR or BYMINUTE giving other times than DTSTART's";
	return NULL;
}

/* cal_rrule_unsupported - why Exchange cannot hold r, or NULL */
static const char *
shape(const struct cal_rrule *r, const struct cal_when *start)
{
	static const char *const freqs[] = { "DAILY", "WEEKLY", "MONTHLY",
	    "YEARLY", NULL };
	static const int limit[] = { 999, 99, 99, 8 };
	const char *f = cal_rrule_get(r, "FREQ");
	size_t i;

	if (cal_rrule_get(r, "RSCALE") || cal_rrule_get(r, "SKIP"))
		return "RSCALE (RFC 7529)";
	for (i = 0; freqs[i] != NULL && strcmp(f, freqs[i]) != 0; i++)
		;
	if (freqs[i] == NULL)
		return "FREQ below DAILY";
	if (cal_rrule_get(r, "BYWEEKNO") || cal_rrule_get(r, "BYYEARDAY") ||
	    cal_rrule_get(r, "BYSECOND"))
		return "BYWEEKNO, BYYEARDAY or BYSECOND";
	if (num(cal_rrule_get(r, "INTERVAL")) > limit[i])
		return "INTERVAL above Exchange's limit";
	if (num(cal_rrule_get(r, "COUNT")) > 999)
		return "COUNT above 999";
	if (shape_time(r, start) != NULL)
		return shape_time(r, start);
	return shape_freq(r, f);
}

/* ---- the superset ---------------------------------------------------------- */

struct expand {
	struct cal_doc		*doc;
	struct cal_comp		*c;
	const struct cal_when	*start;
	const struct cal_env	*env;
	const char		*id;
	int64_t			*inst;	/* local seconds, sorted, unique */
	size_t			 n;
};

/* superset_ok - one time of day, one instance a day; the weekday set */
static const char *
superset_ok(const struct expand *x, int *set)
{
	int64_t sod = x->inst[0] - cal_day_of(x->inst[0]) * CAL_DAY;
	size_t i;

	*set = 0;
	for (i = 0; i < x->n; i++) {
		if (x->inst[i] - cal_day_of(x->inst[i]) * CAL_DAY != sod)
			return "instances at different times of day";
		if (i > 0 && cal_day_of(x->inst[i]) == cal_day_of(x->inst[i - 1]))
			return "several instances on one day";
		*set |= 1 << cal_weekday(cal_day_of(x->inst[i]));
	}
	return NULL;
}

/* superset_rule - FREQ=WEEKLY;BYDAY=... (DAILY for all seven) until the
 * last instance */
static int
superset_rule(const struct expand *x, int set, char *buf, size_t len)
{
	static const char *const days[] = { "SU", "MO", "TU", "WE", "TH",
	    "FR", "SA" };
	char list[32] = "", until[40];
	struct cal_when w = *x->start;
	int64_t utc;
	size_t o = 0, d;

	for (d = 1; d <= 7; d++)	/* MO..SA, then SU */
		if (set & (1 << (d % 7)))
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
			    o ? "," : "", days[d % 7]);
	w.t.secs = x->inst[x->n - 1];
	if (w.kind == CAL_WHEN_ZONED) {
		if (cal_when_utc(&w, &utc) != 0)
			return -1;
		w.kind = CAL_WHEN_UTC;
		w.t.secs = utc;
		w.t.is_utc = 1;
	}
	cal_when_format(&w, until, sizeof(until));
	if (set == 0x7f)
		snprintf(buf, len, "FREQ=DAILY;UNTIL=%s", until);
	else
		snprintf(buf, len, "FREQ=WEEKLY;BYDAY=%s;UNTIL=%s", list, until);
	return 0;
}

/* superset_exdates - the superset's days that are no instance, as an
 * EXDATE value in the start's form; their count in *n */
static int
superset_exdates(const struct expand *x, int set, struct cal_buf *b,
    size_t *n)
{
	int64_t sod = x->inst[0] - cal_day_of(x->inst[0]) * CAL_DAY;
	int64_t d, last = cal_day_of(x->inst[x->n - 1]);
	struct cal_when w = *x->start;
	size_t i = 0;
	char v[40];

	*n = 0;
	for (d = cal_day_of(x->inst[0]); d <= last; d++) {
		if (!(set & (1 << cal_weekday(d))))
			continue;
		if (i < x->n && cal_day_of(x->inst[i]) == d) {
			i++;
			continue;
		}
		w.t.secs = d * CAL_DAY + (w.kind == CAL_WHEN_DATE ? 0 : sod);
		cal_when_format(&w, v, sizeof(v));
		if (b->len > 0)
			cal_buf_addc(b, ',');
		cal_buf_adds(b, v);
		if (++*n > x->n * SUPERSET_FACTOR)
			return -1;
	}
	return 0;
}

/* expand_exdates - the EXDATE values after line at, in lines of at most
 * EXDATE_LINE values (libical reads 500 values of one line, no more) */
static int
expand_exdates(struct expand *x, size_t at, const char *v)
{
	struct cal_prop *e;
	const char *s = v;
	char *chunk;
	size_t k;
	int r;

	while (*s != '\0') {
		for (k = 0, v = s; *v != '\0' && k < EXDATE_LINE; v++)
			k += *v == ',';
		chunk = strndup(s, (size_t)(v - s) - (*v != '\0' ? 1 : 0));
		e = chunk != NULL ? cal_prop_new("EXDATE", NULL, chunk) : NULL;
		free(chunk);
		r = e == NULL || cal_when_set_params(e, x->start) != 0 ||
		    cal_comp_insert(x->c, ++at, e) != 0;
		if (r) {
			cal_prop_free(e);
			return -1;
		}
		s = v;
	}
	return 0;
}

/* expand_write - the new RRULE at rr (or at the first RDATE), the EXDATEs
 * after it */
static int
expand_write(struct expand *x, struct cal_prop *rr, const char *rule,
    const struct cal_buf *ex)
{
	size_t at;

	if (rr != NULL && cal_prop_set_value(rr, rule) != 0)
		return -1;
	if (rr == NULL) {
		rr = cal_prop_new("RRULE", NULL, rule);
		at = cal_prop_index(x->c, cal_comp_prop(x->c, "RDATE"));
		if (rr == NULL || cal_comp_insert(x->c, at, rr) != 0) {
			cal_prop_free(rr);
			return -1;
		}
	}
	return ex->len == 0 ? 0 : expand_exdates(x, cal_prop_index(x->c, rr),
	    ex->p);
}

/* expand_superset - the R-RR-4 expand policy on the instances of x */
static int
expand_superset(struct expand *x, struct cal_prop *rr, const char *why)
{
	char rule[256];
	struct cal_buf ex;
	const char *no;
	size_t n;
	int set, r = CAL_RULE_OK;

	if ((no = superset_ok(x, &set)) != NULL)
		return cal_report_add(x->env->rep, x->id, CAL_REPORT, "VEVENT "
		    "line %u: %s, and no superset holds it (%s); left as it is",
		    x->c->begin->line, why, no) == 0 ? CAL_RULE_OK
						    : CAL_RULE_ERROR;
	cal_buf_init(&ex, x->n * SUPERSET_FACTOR * 24 + 64);
	if (superset_rule(x, set, rule, sizeof(rule)) != 0 ||
	    superset_exdates(x, set, &ex, &n) != 0 || ex.oom || ex.over) {
		r = cal_report_add(x->env->rep, x->id, CAL_REPORT, "VEVENT line "
		    "%u: %s; its superset would be too large or cannot be "
		    "written exactly; left as it is", x->c->begin->line, why);
		cal_buf_free(&ex);
		return r == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
	}
	cal_buf_addc(&ex, '\0');
	ex.len--;
	if (expand_write(x, rr, rule, &ex) != 0)
		r = CAL_RULE_ERROR;
	else if (cal_report_add(x->env->rep, x->id, CAL_FIX, "VEVENT line %u: "
	    "%s; written as RRULE:%s and %zu EXDATEs (UnsupportedRecurrence "
	    "expand, the same %zu instances)", x->c->begin->line, why, rule, n,
	    x->n) != 0)
		r = CAL_RULE_ERROR;
	cal_buf_free(&ex);
	return r;
}

/* ---- R-RR-4 ---------------------------------------------------------------- */

static int
rr4_report(const struct cal_env *env, const struct cal_comp *c,
    const char *why, const char *more)
{
	return cal_report_add(env->rep, "R-RR-4", CAL_REPORT, "VEVENT line %u: "
	    "Exchange cannot hold %s%s; left as it is", c->begin->line, why,
	    more) == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
}

/* rr4_expand - UnsupportedRecurrence expand on the one RRULE of c */
static int
rr4_expand(struct cal_doc *doc, struct cal_comp *c, struct cal_prop *p,
    const struct cal_rrule *r, const struct cal_when *start,
    const struct cal_env *env, const char *why)
{
	struct expand x = { doc, c, start, env, "R-RR-4", NULL, 0 };
	struct cal_series s;
	char what[160];
	int ret;

	if (!cal_rrule_get(r, "COUNT") && !cal_rrule_get(r, "UNTIL"))
		return rr4_report(env, c, why, " (an endless series is never "
		    "expanded)");
	if (cal_series_expand(&s, r, start, env->pol->max_expand_instances)
	    != 0)
		return rr4_report(env, c, why, " (its instances cannot be "
		    "computed)");
	if (s.more) {
		cal_series_free(&s);
		return rr4_report(env, c, why, " (more instances than "
		    "MaxExpandInstances)");
	}
	x.inst = s.v;
	x.n = s.n;
	snprintf(what, sizeof(what), "Exchange cannot hold %s", why);
	ret = expand_superset(&x, p, what);
	cal_series_free(&s);
	return ret;
}

static int
rr4_event(struct cal_doc *doc, struct cal_comp *c, const struct cal_env *env)
{
	struct cal_prop *p = cal_comp_prop(c, "RRULE");
	const struct cal_prop *s = cal_comp_prop(c, "DTSTART");
	struct cal_rrule r;
	struct cal_when start;
	const char *why;

	if (p == NULL || s == NULL || cal_when_prop(&start, doc, s) ==
	    CAL_WHEN_BAD)
		return CAL_RULE_OK;
	if (cal_comp_count(c, "RRULE") > 1)
		return rr4_report(env, c, "several RRULEs", "");
	if (cal_comp_prop(c, "EXRULE") != NULL)
		return rr4_report(env, c, "EXRULE", "");
	if (cal_rrule_parse(&r, p->value) != 0)
		return rr4_report(env, c, "an RRULE it cannot read", "");
	if ((why = shape(&r, &start)) == NULL)
		return CAL_RULE_OK;
	if (!env->pol->expand_recurrence)
		return rr4_report(env, c, why, " (UnsupportedRecurrence "
		    "report)");
	if (cal_comp_prop(c, "RDATE") != NULL || (start.kind ==
	    CAL_WHEN_ZONED && start.zone == NULL))
		return rr4_report(env, c, why, " (RDATEs beside it, or a zone "
		    "that resolves to nothing)");
	return rr4_expand(doc, c, p, &r, &start, env, why);
}

int
rule_rr_shape(struct cal_doc *doc, const struct cal_env *env)
{
	return cal_event_each(doc, env, rr4_event);
}

/* ---- R-RR-5 ---------------------------------------------------------------- */

static int
rr5_report(const struct cal_env *env, const struct cal_comp *c,
    const char *why)
{
	return cal_report_add(env->rep, "R-RR-5", CAL_REPORT, "VEVENT line %u: "
	    "%s; left as it is", c->begin->line, why) == 0 ? CAL_RULE_OK
							   : CAL_RULE_ERROR;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

struct dates {
	int64_t	*v;
	size_t	 n;
	size_t	 cap;
};

static int
dates_add(struct dates *d, int64_t t)
{
	int64_t *v;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		v = realloc(d->v, d->cap * sizeof(*v));
		if (v == NULL)
			return -1;
		d->v = v;
	}
	d->v[d->n++] = t;
	return 0;
}

/* rr5_value - one RDATE value as a local time in the start's form */
static int
rr5_value(struct cal_doc *doc, const struct cal_prop *p, const char *tok,
    const struct cal_when *start, int64_t *out)
{
	struct cal_when w, l;
	int64_t utc;

	if (cal_when_parse(&w, doc, p, tok) != CAL_WHEN_OK)
		return -1;
	if (cal_when_same_form(&w, start)) {
		*out = w.t.secs;
		return 0;
	}
	if (cal_when_utc(&w, &utc) != 0 || cal_when_like(&l, utc, start) != 0)
		return -1;
	*out = l.t.secs;
	return 0;
}

/* rr5_collect - DTSTART and every RDATE as local times in the start's
 * form, sorted and unique; -1 when one cannot be read so */
static int
rr5_collect(struct cal_doc *doc, const struct cal_comp *c,
    const struct cal_when *start, struct dates *d)
{
	const struct cal_prop *p;
	const char *s;
	char tok[64];
	size_t k, n;
	int64_t t;

	if (dates_add(d, start->t.secs) != 0)
		return -1;
	for (k = 0; (p = cal_comp_nth_prop(c, "RDATE", k)) != NULL; k++)
		for (s = p->value; *s != '\0'; s += n + (s[n] == ',')) {
			n = strcspn(s, ",");
			snprintf(tok, sizeof(tok), "%.*s", (int)n, s);
			if (n >= sizeof(tok) || rr5_value(doc, p, tok, start,
			    &t) != 0 || dates_add(d, t) != 0)
				return -1;
		}
	qsort(d->v, d->n, sizeof(*d->v), cmp64);
	for (k = 1, n = 1; k < d->n; k++)
		if (d->v[k] != d->v[n - 1])
			d->v[n++] = d->v[k];
	d->n = n;
	return 0;
}

/* rr5_step - the candidate rule of a constant step (days, or months with
 * the same day), "" when there is none */
static void
rr5_step(const struct dates *d, char *buf, size_t len)
{
	int64_t y0, y1, dd = cal_day_of(d->v[1]) - cal_day_of(d->v[0]);
	int m0, m1, day0, day1, months;
	size_t i;

	buf[0] = '\0';
	for (i = 2; i < d->n && dd > 0; i++)
		if (cal_day_of(d->v[i]) - cal_day_of(d->v[i - 1]) != dd)
			dd = 0;
	if (dd > 0 && dd % 7 == 0 && dd / 7 <= 99)
		snprintf(buf, len, "FREQ=WEEKLY;INTERVAL=%lld;COUNT=%zu",
		    (long long)(dd / 7), d->n);
	else if (dd > 0 && dd <= 999)
		snprintf(buf, len, "FREQ=DAILY;INTERVAL=%lld;COUNT=%zu",
		    (long long)dd, d->n);
	if (buf[0] != '\0')
		return;
	cal_civil_from_days(cal_day_of(d->v[0]), &y0, &m0, &day0);
	cal_civil_from_days(cal_day_of(d->v[1]), &y1, &m1, &day1);
	months = (int)((y1 - y0) * 12 + m1 - m0);
	if (months <= 0 || day0 != day1)
		return;
	if (months % 12 == 0 && months / 12 <= 8)
		snprintf(buf, len, "FREQ=YEARLY;INTERVAL=%d;COUNT=%zu",
		    months / 12, d->n);
	else if (months <= 99)
		snprintf(buf, len, "FREQ=MONTHLY;INTERVAL=%d;COUNT=%zu", months,
		    d->n);
}

/* rr5_exact - does the candidate give exactly the instances? */
static int
rr5_exact(const char *rule, const struct dates *d,
    const struct cal_when *start)
{
	struct cal_rrule r;
	struct cal_series s;
	int ok;

	if (rule[0] == '\0' || cal_rrule_parse(&r, rule) != 0)
		return 0;
	if (strcmp(cal_rrule_get(&r, "INTERVAL"), "1") == 0)
		cal_rrule_del(&r, "INTERVAL");
	if (cal_series_expand(&s, &r, start, d->n) != 0)
		return 0;
	ok = !s.more && s.n == d->n &&
	    memcmp(s.v, d->v, d->n * sizeof(*d->v)) == 0;
	cal_series_free(&s);
	return ok;
}

/* rr5_replace - the RDATEs become the rule */
static int
rr5_replace(struct cal_comp *c, const char *rule, const struct cal_env *env)
{
	struct cal_prop *rr = NULL, *p;
	size_t at = cal_prop_index(c, cal_comp_prop(c, "RDATE"));
	unsigned line = cal_comp_prop(c, "RDATE")->line;

	if (rule != NULL && ((rr = cal_prop_new("RRULE", NULL, rule)) == NULL ||
	    cal_comp_insert(c, at, rr) != 0)) {
		cal_prop_free(rr);
		return CAL_RULE_ERROR;
	}
	while ((p = cal_comp_prop(c, "RDATE")) != NULL)
		cal_comp_remove(c, cal_prop_index(c, p));
	if (rule == NULL)
		return cal_report_add(env->rep, "R-RR-5", CAL_FIX, "line %u: "
		    "RDATE repeating DTSTART removed", line) == 0 ? CAL_RULE_OK
								  : CAL_RULE_ERROR;
	return cal_report_add(env->rep, "R-RR-5", CAL_FIX, "line %u: RDATEs "
	    "written as RRULE:%s, the same instants", line, rule) == 0
	    ? CAL_RULE_OK : CAL_RULE_ERROR;
}

/* rr5_rule - the exact rule, in its tidy form (INTERVAL=1 left out) */
static void
rr5_tidy(char *rule)
{
	char *p = strstr(rule, ";INTERVAL=1;");

	if (p != NULL)
		memmove(p, p + 11, strlen(p + 11) + 1);
}

static int
rr5_dates(struct cal_doc *doc, struct cal_comp *c, const struct cal_when *start,
    struct dates *d, const struct cal_env *env)
{
	struct expand x = { doc, c, start, env, "R-RR-5", NULL, 0 };
	char rule[128];
	int r;

	if (d->n == 1)
		return rr5_replace(c, NULL, env);
	rr5_step(d, rule, sizeof(rule));
	if (rr5_exact(rule, d, start)) {
		rr5_tidy(rule);
		return rr5_replace(c, rule, env);
	}
	if (!env->pol->expand_recurrence)
		return rr5_report(env, c, "RDATEs that no RRULE Exchange holds "
		    "gives exactly (UnsupportedRecurrence report)");
	if (d->n > env->pol->max_expand_instances)
		return rr5_report(env, c, "RDATEs that no RRULE Exchange holds "
		    "gives exactly, more than MaxExpandInstances");
	x.inst = d->v;
	x.n = d->n;
	r = expand_superset(&x, NULL, "RDATEs that no RRULE Exchange holds "
	    "gives exactly");
	if (r == CAL_RULE_OK && cal_comp_prop(c, "RRULE") != NULL)
		while (cal_comp_prop(c, "RDATE") != NULL)
			cal_comp_remove(c, cal_prop_index(c,
			    cal_comp_prop(c, "RDATE")));
	return r;
}

static int
rr5_event(struct cal_doc *doc, struct cal_comp *c, const struct cal_env *env)
{
	const struct cal_prop *s = cal_comp_prop(c, "DTSTART");
	struct dates d = { NULL, 0, 0 };
	struct cal_when start;
	int r;

	if (cal_comp_prop(c, "RDATE") == NULL || s == NULL ||
	    cal_when_prop(&start, doc, s) == CAL_WHEN_BAD)
		return CAL_RULE_OK;
	if (cal_comp_prop(c, "RRULE") != NULL)
		return rr5_report(env, c, "RDATE beside an RRULE (Exchange keeps "
		    "no free instances)");
	if (cal_comp_prop(c, "EXDATE") != NULL)
		return rr5_report(env, c, "RDATEs with EXDATEs");
	if (start.kind == CAL_WHEN_ZONED && start.zone == NULL)
		return rr5_report(env, c, "RDATEs against a DTSTART whose zone "
		    "resolves to nothing");
	if (rr5_collect(doc, c, &start, &d) != 0)
		r = rr5_report(env, c, "an RDATE that is a PERIOD, or cannot be "
		    "read in DTSTART's form");
	else if (d.v[0] != start.t.secs)
		r = rr5_report(env, c, "an RDATE before DTSTART");
	else
		r = rr5_dates(doc, c, &start, &d, env);
	free(d.v);
	return r;
}

int
rule_rr_rdate(struct cal_doc *doc, const struct cal_env *env)
{
	return cal_event_each(doc, env, rr5_event);
}
