/*
 * cal_occur.c - the occurrences of one component, as the meaning check
 * compares them: DTSTART, every RRULE instance, every RDATE, less every
 * EXDATE, each with the component's length
 *
 * The horizon: on the input side each rule is expanded to at most max
 * instances; where a rule has more, the start of the last one expanded is
 * the series' horizon, and only occurrences up to it are compared. The
 * output side is expanded up to the same instant, in as many steps as it
 * takes (bounded: a step ceiling makes the comparison fail, never pass), so
 * a rewrite that reaches the same instants another way is compared over the
 * same span.
 *
 * Readings that are libical's own or the RFC's, written out here because
 * the iterator alone does not apply them: an EXDATE that is a DATE against a
 * DATE-TIME start removes every instance on that local date (libical's
 * icalproperty_recurrence_is_excluded); a DATE UNTIL against a DATE-TIME
 * start includes that date (RFC 5545 3.3.10: UNTIL is inclusive; Exchange
 * reads it as the end date, [MS-OXCICAL] 2.1.3.2.2), where libical's
 * iterator would stop at its midnight.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal_facts.h"

struct occ_item {
	time_t	 t;
	char	 inst[24];	/* as cal_fact_instant writes it */
	char	 day[12];	/* local date in the start's zone */
};

struct occ {
	struct occ_item	*v;
	size_t		 n;
	size_t		 cap;
	int		 oom;
	const icaltimezone *zone;	/* the start's */
};

void
cal_horizons_free(struct cal_horizons *hz)
{
	size_t i;

	for (i = 0; i < hz->n; i++)
		free(hz->v[i].key);
	free(hz->v);
	memset(hz, 0, sizeof(*hz));
}

/* horizon_find - the horizon of key, or NULL */
static const struct cal_horizon *
horizon_find(const struct cal_horizons *hz, const char *key)
{
	size_t i;

	for (i = 0; i < hz->n; i++)
		if (strcmp(hz->v[i].key, key) == 0)
			return &hz->v[i];
	return NULL;
}

/* horizon_set - record key's horizon (the nearer one when seen twice) */
static void
horizon_set(struct cal_horizons *hz, const char *key, time_t h)
{
	struct cal_horizon *v;
	size_t i;

	for (i = 0; i < hz->n; i++)
		if (strcmp(hz->v[i].key, key) == 0) {
			if (h < hz->v[i].h)
				hz->v[i].h = h;
			return;
		}
	if (hz->n == hz->cap) {
		v = realloc(hz->v, (hz->cap ? hz->cap * 2 : 16) * sizeof(*v));
		if (v == NULL) {
			hz->oom = 1;
			return;
		}
		hz->v = v;
		hz->cap = hz->cap ? hz->cap * 2 : 16;
	}
	if ((hz->v[hz->n].key = strdup(key)) == NULL) {
		hz->oom = 1;
		return;
	}
	hz->v[hz->n++].h = h;
}

static void
day_of(char *buf, size_t len, struct icaltimetype t, const icaltimezone *z)
{
	if (!t.is_date && z != NULL && t.zone != NULL && t.zone != z)
		t = icaltime_convert_to_zone(t, (icaltimezone *)(uintptr_t)z);
	snprintf(buf, len, "%04d%02d%02d", t.year, t.month, t.day);
}

static void
occ_add(struct occ *o, struct icaltimetype t)
{
	struct occ_item *v;

	if (o->oom || icaltime_is_null_time(t))
		return;
	if (o->n == o->cap) {
		v = realloc(o->v, (o->cap ? o->cap * 2 : 16) * sizeof(*v));
		if (v == NULL) {
			o->oom = 1;
			return;
		}
		o->v = v;
		o->cap = o->cap ? o->cap * 2 : 16;
	}
	o->v[o->n].t = cal_fact_seconds(t);
	cal_fact_instant(o->v[o->n].inst, sizeof(o->v[o->n].inst), t);
	day_of(o->v[o->n].day, sizeof(o->v[o->n].day), t, o->zone);
	o->n++;
}

/* occ_exclude - an EXDATE: the same instant, or any instance that day */
static void
occ_exclude(struct occ *o, struct icaltimetype x, int by_day)
{
	char buf[24];
	size_t i;

	if (by_day)
		snprintf(buf, sizeof(buf), "%04d%02d%02d", x.year, x.month,
		    x.day);
	else
		cal_fact_instant(buf, sizeof(buf), x);
	for (i = 0; i < o->n; i++) {
		if (strcmp(by_day ? o->v[i].day : o->v[i].inst, buf) != 0)
			continue;
		o->v[i--] = o->v[--o->n];
	}
}

/* occ_until_inclusive - a DATE UNTIL against a DATE-TIME start: the day */
static void
occ_until_inclusive(struct icalrecurrencetype *r, struct icaltimetype start)
{
	if (icaltime_is_null_time(r->until) || !r->until.is_date ||
	    start.is_date)
		return;
	r->until.is_date = 0;
	r->until.hour = 23;
	r->until.minute = 59;
	r->until.second = 59;
	r->until.zone = NULL;	/* floating: read in the start's local time */
}

/*
 * occ_rrule - expand one rule. Input side: at most env->max instances;
 * *h becomes the last one's start when the rule goes on. Output side: up
 * to *h, at most env->steps; *incomplete when the steps ran out first.
 */
static void
occ_rrule(struct occ *o, struct icalrecurrencetype r, struct icaltimetype start,
    const struct cal_occur_env *env, time_t *h, int *incomplete)
{
	icalrecur_iterator *it;
	struct icaltimetype t;
	size_t n = 0, lim = env->input ? env->max : env->steps;
	time_t last = 0;

	occ_until_inclusive(&r, start);
	it = icalrecur_iterator_new(r, start);
	if (it == NULL)
		return;
	for (;;) {
		if (++env->work->used > env->work->max) {
			env->work->over = 1;	/* MaxExpansion */
			break;
		}
		t = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(t))
			break;
		t.zone = start.zone;
		if (!env->input && cal_fact_seconds(t) > *h)
			break;
		if (n == lim) {
			if (env->input && last < *h)
				*h = last;
			else if (!env->input)
				*incomplete = 1;
			break;
		}
		occ_add(o, t);
		last = cal_fact_seconds(t);
		n++;
	}
	icalrecur_iterator_free(it);
}

static int
item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct occ_item *)a)->inst,
	    ((const struct occ_item *)b)->inst);
}

/* occ_dates - RDATEs up to the horizon, then every EXDATE */
static void
occ_dates(struct occ *o, icalcomponent *c, struct icaltimetype start,
    time_t h)
{
	struct icaltimetype t;
	icalproperty *p;

	for (p = icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY); p;
	    p = icalcomponent_get_next_property(c, ICAL_RDATE_PROPERTY)) {
		t = icalproperty_get_datetime_with_component(p, c);
		if (!icaltime_is_null_time(t) && cal_fact_seconds(t) <= h)
			occ_add(o, t);
	}
	for (p = icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY); p;
	    p = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY)) {
		t = icalproperty_get_datetime_with_component(p, c);
		if (!icaltime_is_null_time(t))
			occ_exclude(o, t, t.is_date && !start.is_date);
	}
}

long long
cal_occur_length(icalcomponent *c, struct icaltimetype start)
{
	icalproperty *p;
	struct icaltimetype end;

	if ((p = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY)))
		return icaldurationtype_as_int(icalproperty_get_duration(p));
	if (icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY) != NULL)
		end = icalcomponent_get_dtend(c);
	else if (icalcomponent_get_first_property(c, ICAL_DUE_PROPERTY))
		end = icalcomponent_get_due(c);
	else if (icalcomponent_isa(c) == ICAL_VEVENT_COMPONENT &&
	    !icaltime_is_null_time(start))
		return start.is_date ? 86400 : 0;	/* RFC 5545 3.6.1 */
	else
		return -1;
	if (icaltime_is_null_time(end) || icaltime_is_null_time(start))
		return -1;
	return (long long)(cal_fact_seconds(end) - cal_fact_seconds(start));
}

/* occ_collect - every occurrence up to the horizon h (updated on input) */
static void
occ_collect(struct occ *o, icalcomponent *c, struct icaltimetype start,
    const struct cal_occur_env *env, time_t *h, int *incomplete)
{
	icalproperty *p;
	size_t i;

	occ_add(o, start);	/* DTSTART is always an instance */
	for (p = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY); p;
	    p = icalcomponent_get_next_property(c, ICAL_RRULE_PROPERTY))
		occ_rrule(o, icalproperty_get_rrule(p), start, env, h,
		    incomplete);
	occ_dates(o, c, start, *h);
	for (i = 0; i < o->n; i++)	/* beyond the horizon: not compared */
		if (o->v[i].t > *h)
			o->v[i--] = o->v[--o->n];
}

void
cal_occur_facts(icalcomponent *c, const char *key,
    const struct cal_occur_env *env, struct cal_facts *f)
{
	struct icaltimetype start = icalcomponent_get_dtstart(c);
	struct occ o = { NULL, 0, 0, 0, start.zone };
	const struct cal_horizon *known = NULL;
	struct cal_occur_env e = *env;
	long long len = cal_occur_length(c, start);
	time_t h = CAL_HORIZON_NONE;
	int incomplete = 0;
	size_t i;

	if (icaltime_is_null_time(start))
		return;
	if (!e.input && (known = horizon_find(e.hz, key)) != NULL)
		h = known->h;
	else if (!e.input)
		e.input = 1, e.hz = NULL;	/* unknown key: as on input */
	occ_collect(&o, c, start, &e, &h, &incomplete);
	if (env->input)
		horizon_set(env->hz, key, h);
	if (o.n > 1)
		qsort(o.v, o.n, sizeof(*o.v), item_cmp);
	for (i = 0; i < o.n; i++)	/* DTSTART comes back from the iterator */
		if (i == 0 || strcmp(o.v[i].inst, o.v[i - 1].inst) != 0)
			cal_facts_add(f, 'O', key, "%s %+lld", o.v[i].inst, len);
	if (incomplete)
		cal_facts_add(f, 'O', key, "incomplete: more than %zu steps to "
		    "the horizon", e.steps);
	if (o.oom)
		f->oom = 1;
	free(o.v);
}
