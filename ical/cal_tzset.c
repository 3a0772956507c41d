/*
 * cal_tzset.c - the TZIDs of one object, each resolved to its zone (R-TZ-2)
 *
 * A scan collects every TZID the object defines (VTIMEZONE) or uses (a
 * TZID parameter on any property of any component), and for each the span
 * of its times: every DATE-TIME value with that TZID, a series extended to
 * the horizon the meaning check reads (the first 100 occurrences or three
 * years, whichever is longer), a day of margin on both sides. Then each
 * TZID resolves: its VTIMEZONE read as RFC 5545 does (when it has any
 * readable observance), and the tz database zone its name gives. Rules use
 * the first and fall back on the second; nothing is guessed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "cal_tz.h"

#define SPAN_MARGIN	(2LL * CAL_DAY)
#define SPAN_YEARS	3		/* the meaning check's horizon ... */
#define SPAN_COUNT	100		/* ... in occurrences */
#define SPAN_STEPS	20000		/* recurrence steps looked at */

static void
ent_clear(struct cal_tzent *e)
{
	free(e->tzid);
	free(e->orig);
	cal_zone_free(e->own);
	cal_zone_free(e->in_zone);
	memset(e, 0, sizeof(*e));
}

void
cal_tzset_free(struct cal_tzset *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		ent_clear(&set->v[i]);
	free(set->v);
	free(set->floating);
	free(set);
}

struct cal_tzent *
cal_tzset_find(const struct cal_tzset *set, const char *tzid)
{
	size_t i;

	if (set == NULL || tzid == NULL)
		return NULL;
	for (i = 0; i < set->n; i++)
		if (strcmp(set->v[i].tzid, tzid) == 0)
			return &set->v[i];
	for (i = 0; i < set->n; i++)
		if (strcmp(set->v[i].orig, tzid) == 0)
			return &set->v[i];
	return NULL;
}

const struct cal_zone *
cal_tzent_zone(const struct cal_tzent *e)
{
	return e->own != NULL ? e->own : e->db;
}

/* set_get - the entry of tzid, new when there is none; NULL on OOM */
static struct cal_tzent *
set_get(struct cal_tzset *set, const char *tzid)
{
	struct cal_tzent *e = cal_tzset_find(set, tzid), *v;

	if (e != NULL)
		return e;
	if (set->n == set->cap) {
		v = realloc(set->v, (set->cap ? set->cap * 2 : 8) * sizeof(*v));
		if (v == NULL)
			return NULL;
		set->v = v;
		set->cap = set->cap ? set->cap * 2 : 8;
	}
	e = &set->v[set->n];
	memset(e, 0, sizeof(*e));
	e->tzid = strdup(tzid);
	e->orig = strdup(tzid);
	if (e->tzid == NULL || e->orig == NULL) {
		ent_clear(e);
		return NULL;
	}
	e->lo = INT64_MAX;
	e->hi = INT64_MIN;
	set->n++;
	return e;
}

/* ent_span - a local time (and what a series adds after it) widens the span */
static void
ent_span(struct cal_tzent *e, int64_t local, int64_t extent)
{
	if (local - SPAN_MARGIN < e->lo)
		e->lo = local - SPAN_MARGIN;
	if (local + extent + SPAN_MARGIN > e->hi)
		e->hi = local + extent + SPAN_MARGIN;
}

/* ---- scanning ---------------------------------------------------------- */

/* series_extent - from DTSTART to the last occurrence the check reads */
static int64_t
series_extent(const struct cal_comp *c, int64_t start)
{
	const struct cal_prop *rr = cal_comp_prop(c, "RRULE");
	struct icalrecurrencetype r;
	struct icaltimetype t0 = icaltime_null_time(), t;
	icalrecur_iterator *it;
	int64_t last = start, y, cur;
	size_t steps = 0;
	int m, d;

	if (rr == NULL)
		return 0;
	r = icalrecurrencetype_from_string(rr->value);
	if (r.rscale != NULL) {	/* libical strdup()s it for us to free */
		free(r.rscale);
		return 0;
	}
	if (r.freq == ICAL_NO_RECURRENCE)
		return 0;
	cal_civil_from_days(cal_day_of(start), &y, &m, &d);
	t0.year = (int)y, t0.month = m, t0.day = d;
	cur = start - cal_day_of(start) * CAL_DAY;
	t0.hour = (int)(cur / 3600), t0.minute = (int)(cur / 60 % 60);
	t0.second = (int)(cur % 60);
	it = icalrecur_iterator_new(r, t0);
	if (it == NULL)
		return 0;
	while (steps++ < SPAN_STEPS) {
		t = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(t))
			break;
		last = cal_days_from_civil(t.year, t.month, t.day) * CAL_DAY +
		    t.hour * 3600 + t.minute * 60 + t.second;
		if (steps >= SPAN_COUNT &&
		    last > start + SPAN_YEARS * 366LL * CAL_DAY)
			break;
	}
	icalrecur_iterator_free(it);
	return last > start ? last - start : 0;
}

/* scan_values - each DATE-TIME of a value list widens the span */
static void
scan_values(struct cal_tzent *e, const char *v, int64_t extent)
{
	char one[64];
	struct cal_time t;
	size_t n;

	while (*v != '\0') {
		n = strcspn(v, ",/");
		if (n < sizeof(one)) {
			memcpy(one, v, n);
			one[n] = '\0';
			if (cal_time_parse(&t, one) == 0)
				ent_span(e, t.secs, extent);
		}
		v += n + (v[n] != '\0');
	}
}

/* scan_prop - a property with a TZID parameter */
static int
scan_prop(struct cal_tzset *set, const struct cal_prop *p, int64_t extent)
{
	struct cal_tzent *e;
	char *tzid = cal_param_get(p, "TZID");

	if (tzid == NULL)
		return 0;
	e = set_get(set, tzid);
	free(tzid);
	if (e == NULL)
		return -1;
	e->nrefs++;
	scan_values(e, p->value, cal_streq(p->name, "RDATE") ||
	    cal_streq(p->name, "EXDATE") ? 0 : extent);
	return 0;
}

static int
scan_comp(struct cal_tzset *set, const struct cal_comp *c)
{
	const struct cal_prop *ds = cal_comp_prop(c, "DTSTART");
	struct cal_time t;
	int64_t extent = 0;
	size_t i;
	int r = 0;

	if (cal_streq(c->name, "VTIMEZONE"))
		return 0;
	if (ds != NULL && cal_time_parse(&t, ds->value) == 0)
		extent = series_extent(c, t.secs);
	for (i = 0; i < c->n && r == 0; i++) {
		if (c->items[i].type == CAL_ITEM_PROP)
			r = scan_prop(set, c->items[i].u.prop, extent);
		else
			r = scan_comp(set, c->items[i].u.comp);
	}
	return r;
}

char *
cal_tzid_text(const char *v)
{
	char *s = malloc(strlen(v) + 1), *o = s;

	if (s == NULL)
		return NULL;
	for (; *v != '\0'; v++) {
		if (*v == '\\' && v[1] != '\0') {
			v++;
			*o++ = *v == 'n' || *v == 'N' ? '\n' : *v;
		} else {
			*o++ = *v;
		}
	}
	*o = '\0';
	return s;
}

static int
prop_same(const struct cal_prop *a, const struct cal_prop *b)
{
	return cal_streq(a->name, b->name) && strcmp(a->params, b->params) ==
	    0 && strcmp(a->value, b->value) == 0;
}

/* cal_comp_same - the same lines and components, in the same order */
int
cal_comp_same(const struct cal_comp *a, const struct cal_comp *b)
{
	size_t i;

	if (!cal_streq(a->name, b->name) || a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		if (a->items[i].type != b->items[i].type)
			return 0;
		if (a->items[i].type == CAL_ITEM_PROP ?
		    !prop_same(a->items[i].u.prop, b->items[i].u.prop) :
		    !cal_comp_same(a->items[i].u.comp, b->items[i].u.comp))
			return 0;
	}
	return 1;
}

/* scan_vtimezones - every VTIMEZONE of the calendar; the first of a TZID
 * is its definition (libical reads that one) */
static int
scan_vtimezones(struct cal_tzset *set, struct cal_comp *cal)
{
	const struct cal_prop *id;
	struct cal_comp *c;
	struct cal_tzent *e;
	char *tzid;
	size_t i;

	for (i = 0; i < cal->n; i++) {
		if (cal->items[i].type != CAL_ITEM_COMP)
			continue;
		c = cal->items[i].u.comp;
		id = cal_comp_prop(c, "TZID");
		if (!cal_streq(c->name, "VTIMEZONE") || id == NULL)
			continue;
		if ((tzid = cal_tzid_text(id->value)) == NULL)
			return -1;
		e = set_get(set, tzid);
		free(tzid);
		if (e == NULL)
			return -1;
		if (e->vtz == NULL)
			e->vtz = c, e->had_vtz = 1;
		else if (!cal_comp_same(e->vtz, c))
			e->conflict = 1;	/* which one libical reads is its
						 * binary search's choice */
	}
	return 0;
}

/* ---- resolving ------------------------------------------------------- */

static int
ent_resolve(struct cal_tzent *e)
{
	const struct cal_prop *xl = NULL;
	int64_t y_hi = 2000;
	int r;

	if (e->hi != INT64_MIN && cal_year_of(e->hi) + 2 > y_hi)
		y_hi = cal_year_of(e->hi) + 2;
	if (e->vtz != NULL) {
		xl = cal_comp_prop(e->vtz, "X-LIC-LOCATION");
		r = cal_vtz_zone(&e->own, e->vtz, e->tzid, y_hi, &e->costly);
		if (r == -2)
			return -1;
		e->vtz_bad = r != 0;
	}
	e->db = cal_tzname_resolve(e->tzid, xl != NULL ? xl->value : NULL,
	    &e->how);
	if (e->lo == INT64_MAX) {	/* defined, never used */
		e->lo = e->hi = 0;
	} else {			/* local times to instants, roughly */
		e->lo -= CAL_DAY;
		e->hi += CAL_DAY;
	}
	return 0;
}

/*
 * carry - what the input had, from the set built before the rules edited
 * the object: its spelling, and whether it defined a usable VTIMEZONE
 */
static int
carry(struct cal_tzent *e, struct cal_tzset *old)
{
	struct cal_tzent *o = NULL;
	size_t i;
	char *s;

	for (i = 0; old != NULL && i < old->n && o == NULL; i++)
		if (strcmp(old->v[i].tzid, e->tzid) == 0)
			o = &old->v[i];
	if (o == NULL)
		return 0;
	if ((s = strdup(o->orig)) == NULL)
		return -1;
	free(e->orig);
	e->orig = s;
	e->had_vtz = o->had_vtz;
	e->vtz_bad = o->vtz_bad;
	e->conflict |= o->conflict;
	if (o->costly) {	/* keep the input's reading of it */
		e->costly = 1;
		e->in_zone = o->in_zone != NULL ? o->in_zone : o->own;
		if (e->in_zone == o->own)
			o->own = NULL;
		o->in_zone = NULL;
	}
	return 0;
}

int
cal_tzset_build(struct cal_doc *doc)
{
	struct cal_tzset *set = calloc(1, sizeof(*set));
	struct cal_comp *cal = cal_doc_calendar(doc);
	size_t i;

	if (set == NULL)
		return -1;
	if (doc->tz != NULL && doc->tz->floating != NULL &&
	    (set->floating = strdup(doc->tz->floating)) == NULL)
		goto fail;
	if (cal != NULL &&
	    (scan_vtimezones(set, cal) != 0 || scan_comp(set, cal) != 0))
		goto fail;
	for (i = 0; i < set->n; i++)
		if (ent_resolve(&set->v[i]) != 0 ||
		    carry(&set->v[i], doc->tz) != 0)
			goto fail;
	cal_tzset_free(doc->tz);
	doc->tz = set;
	return 0;
fail:
	cal_tzset_free(set);
	return -1;
}

const struct cal_zone *
cal_doc_zone(struct cal_doc *doc, const char *tzid)
{
	const struct cal_tzent *e;

	if (doc->tz == NULL && cal_tzset_build(doc) != 0)
		return NULL;
	e = cal_tzset_find(doc->tz, tzid);
	return e != NULL ? cal_tzent_zone(e) : NULL;
}
