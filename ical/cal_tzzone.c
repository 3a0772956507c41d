/*
 * cal_tzzone.c - a zone as instants: offsets, changes, comparisons, and the
 * one yearly rule Exchange can hold for a span of time (R-TZ-3, R-TZ-4)
 *
 * A zone is its transitions followed by a yearly rule (the POSIX footer of
 * a TZif file). Two zones are "the same over [lo, hi]" when they give every
 * instant of it the same offset: same offset at lo, and the same changes
 * (instant and new offset) up to hi. A VTIMEZONE that is the same as the
 * truth over the event's span gives every occurrence its true instant,
 * whatever it says about other years.
 */
#include <stdlib.h>
#include <string.h>

#include "cal_tz.h"

#define ZONE_STEPS_MAX	100000	/* changes walked in one comparison */

struct cal_zone *
cal_zone_new(const char *name)
{
	struct cal_zone *z = calloc(1, sizeof(*z));

	if (z == NULL)
		return NULL;
	z->name = strdup(name != NULL ? name : "");
	if (z->name == NULL) {
		free(z);
		return NULL;
	}
	return z;
}

void
cal_zone_free(struct cal_zone *z)
{
	if (z == NULL)
		return;
	free(z->name);
	free(z->at);
	free(z->off);
	free(z->dst);
	free(z);
}

int
cal_zone_push(struct cal_zone *z, int64_t at, int32_t off, int dst)
{
	size_t cap;
	int64_t *a;
	int32_t *o;
	uint8_t *d;

	/* the capacity is 8, then the next power of two */
	if (z->n == 0 || (z->n >= 8 && (z->n & (z->n - 1)) == 0)) {
		cap = z->n == 0 ? 8 : z->n * 2;
		a = realloc(z->at, cap * sizeof(*a));
		if (a == NULL)
			return -1;
		z->at = a;
		o = realloc(z->off, cap * sizeof(*o));
		if (o == NULL)
			return -1;
		z->off = o;
		d = realloc(z->dst, cap * sizeof(*d));
		if (d == NULL)
			return -1;
		z->dst = d;
	}
	z->at[z->n] = at;
	z->off[z->n] = off;
	z->dst[z->n++] = (uint8_t)(dst != 0);
	return 0;
}

struct cal_zone *
cal_zone_from_rule(const char *name, const struct cal_tzrule *r)
{
	struct cal_zone *z = cal_zone_new(name);

	if (z == NULL)
		return NULL;
	z->off0 = r->std_off;
	z->has_tail = 1;
	z->tail = *r;
	return z;
}

/* ---- the yearly rule ------------------------------------------------------ */

struct change {
	int64_t	 at;
	int32_t	 off;
	int	 dst;
};

/* rule_changes - the two changes of year y, in order; returns how many */
static int
rule_changes(const struct cal_tzrule *r, int64_t y, struct change ev[2])
{
	struct change a, b;

	if (!r->has_dst)
		return 0;
	a.at = cal_tzdate_local(&r->to_dst, y) - r->std_off;
	a.off = r->dst_off, a.dst = 1;
	b.at = cal_tzdate_local(&r->to_std, y) - r->dst_off;
	b.off = r->std_off, b.dst = 0;
	ev[0] = a.at <= b.at ? a : b;
	ev[1] = a.at <= b.at ? b : a;
	return 2;
}

/* rule_offset - the rule's offset at t: that of the last change before */
static int32_t
rule_offset(const struct cal_tzrule *r, int64_t t, int *dst)
{
	struct change ev[2], last = { 0, r->std_off, 0 };
	int64_t y = cal_year_of(t), yy;
	int i, n, found = 0;

	for (yy = y - 1; yy <= y + 1; yy++) {
		n = rule_changes(r, yy, ev);
		for (i = 0; i < n; i++)
			if (ev[i].at <= t && (!found || ev[i].at >= last.at))
				last = ev[i], found = 1;
	}
	if (dst != NULL)
		*dst = last.dst;
	return last.off;
}

/* rule_next - the first change of the rule after t that changes cur */
static int
rule_next(const struct cal_tzrule *r, int64_t t, int32_t cur, int64_t *at,
    int32_t *off)
{
	struct change ev[2];
	int64_t y = cal_year_of(t) - 1, yy;
	int i, n;

	for (yy = y; yy <= y + 3; yy++) {
		n = rule_changes(r, yy, ev);
		for (i = 0; i < n; i++) {
			if (ev[i].at <= t)
				continue;
			if (ev[i].off != cur) {
				*at = ev[i].at;
				*off = ev[i].off;
				return 1;
			}
			cur = ev[i].off;
		}
	}
	return 0;
}

/* ---- zone queries ------------------------------------------------------- */

/* zone_index - number of transitions at or before t */
static size_t
zone_index(const struct cal_zone *z, int64_t t)
{
	size_t lo = 0, hi = z->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (z->at[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int32_t
cal_zone_offset(const struct cal_zone *z, int64_t t, int *dst)
{
	size_t i = zone_index(z, t);
	int d = 0;
	int32_t off;

	if (i == z->n && z->has_tail) {
		off = rule_offset(&z->tail, t, &d);
		if (z->n == 0 || t >= z->at[z->n - 1])
			goto out;
	}
	off = i == 0 ? z->off0 : z->off[i - 1];
	d = i == 0 ? 0 : z->dst[i - 1];
out:
	if (dst != NULL)
		*dst = d;
	return off;
}

int
cal_zone_next(const struct cal_zone *z, int64_t t, int64_t *at, int32_t *off)
{
	int32_t cur = cal_zone_offset(z, t, NULL);
	size_t i;

	for (i = zone_index(z, t); i < z->n; i++) {
		if (z->off[i] != cur) {
			*at = z->at[i];
			*off = z->off[i];
			return 1;
		}
	}
	if (!z->has_tail)
		return 0;
	if (z->n > 0 && t < z->at[z->n - 1])
		t = z->at[z->n - 1];
	return rule_next(&z->tail, t, cur, at, off);
}

int
cal_zone_same(const struct cal_zone *a, const struct cal_zone *b, int64_t lo,
    int64_t hi)
{
	int64_t t = lo, ata, atb;
	int32_t oa, ob;
	int na, nb;
	size_t steps;

	if (cal_zone_offset(a, lo, NULL) != cal_zone_offset(b, lo, NULL))
		return 0;
	for (steps = 0; steps < ZONE_STEPS_MAX; steps++) {
		na = cal_zone_next(a, t, &ata, &oa) && ata <= hi;
		nb = cal_zone_next(b, t, &atb, &ob) && atb <= hi;
		if (!na && !nb)
			return 1;
		if (na != nb || ata != atb || oa != ob)
			return 0;
		t = ata;
	}
	return 0;
}

int
cal_zone_is_rule(const struct cal_zone *z, const struct cal_tzrule *r,
    int64_t lo, int64_t hi)
{
	struct cal_zone rz;

	memset(&rz, 0, sizeof(rz));
	rz.off0 = r->std_off;
	rz.has_tail = 1;
	rz.tail = *r;
	return cal_zone_same(z, &rz, lo, hi);
}

/* ---- the rule in force -------------------------------------------------- */

#define RULE_WINDOW	(400LL * CAL_DAY)	/* changes looked at near lo */
#define RULE_CHANGES	8

/* date_of - a change as "day d of month at time", in the local time before */
static void
date_of(int64_t at, int32_t before, struct cal_tzdate *d, int last)
{
	int64_t local = at + before, days = cal_day_of(local), y;
	int m, day;

	cal_civil_from_days(days, &y, &m, &day);
	memset(d, 0, sizeof(*d));
	d->kind = CAL_TZDATE_MWD;
	d->month = m;
	d->wday = cal_weekday(days);
	d->week = last ? 5 : (day - 1) / 7 + 1;
	d->secs = (int32_t)(local - days * CAL_DAY);
}

/* is_last_week - is the change's day within the last 7 of its month? */
static int
is_last_week(int64_t at, int32_t before)
{
	int64_t y;
	int m, day;

	cal_civil_from_days(cal_day_of(at + before), &y, &m, &day);
	return day + 7 > cal_days_in_month(y, m);
}

/*
 * try_pair - rules from one increase and one decrease, each in every form
 * that fits its date; a day in the last week of its month is tried as "the
 * last" first, the usual rule (the tz database's EU and US rules)
 */
static int
try_pair(const struct cal_zone *z, const struct change *up,
    const struct change *down, int64_t lo, int64_t hi, struct cal_tzrule *r)
{
	int lu, ld;

	memset(r, 0, sizeof(*r));
	r->has_dst = 1;
	r->std_off = down->off;
	r->dst_off = up->off;
	for (lu = is_last_week(up->at, r->std_off); lu >= 0; lu--) {
		for (ld = is_last_week(down->at, r->dst_off); ld >= 0; ld--) {
			date_of(up->at, r->std_off, &r->to_dst, lu);
			date_of(down->at, r->dst_off, &r->to_std, ld);
			if (cal_tzrule_exchange(r) &&
			    cal_zone_is_rule(z, r, lo, hi))
				return 0;
		}
	}
	return -1;
}

/* near_changes - the changes within RULE_WINDOW of lo, with directions */
static int
near_changes(const struct cal_zone *z, int64_t lo, struct change *ev)
{
	int64_t t = lo - RULE_WINDOW, at;
	int32_t prev = cal_zone_offset(z, t, NULL), off;
	int n = 0;

	while (n < RULE_CHANGES && cal_zone_next(z, t, &at, &off) &&
	    at <= lo + RULE_WINDOW) {
		ev[n].at = at;
		ev[n].off = off;
		ev[n].dst = off > prev;	/* here: "an increase" */
		n++;
		prev = off;
		t = at;
	}
	return n;
}

int
cal_zone_rule_at(const struct cal_zone *z, int64_t lo, int64_t hi,
    struct cal_tzrule *r)
{
	struct change ev[RULE_CHANGES];
	int i, j, n;

	if (z->has_tail && cal_tzrule_exchange(&z->tail) &&
	    cal_zone_is_rule(z, &z->tail, lo, hi)) {
		*r = z->tail;
		return 0;
	}
	n = near_changes(z, lo, ev);
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (ev[i].dst && !ev[j].dst &&
			    try_pair(z, &ev[i], &ev[j], lo, hi, r) == 0)
				return 0;
	memset(r, 0, sizeof(*r));
	r->std_off = r->dst_off = cal_zone_offset(z, lo, NULL);
	return cal_tzrule_exchange(r) && cal_zone_is_rule(z, r, lo, hi) ? 0
									 : -1;
}

/* ---- conversions (cal_int.h) ------------------------------------------- */

const char *
cal_zone_name(const struct cal_zone *z)
{
	return z != NULL ? z->name : "";
}

int64_t
cal_zone_to_local(const struct cal_zone *z, int64_t utc)
{
	return utc + cal_zone_offset(z, utc, NULL);
}

/*
 * The offsets that can apply to a wall-clock time are those in force a
 * day and a bit before and after it (no zone changes twice within that).
 */
#define NEAR	(26LL * 3600)

int
cal_zone_to_utc(const struct cal_zone *z, int64_t local, int64_t *utc)
{
	int32_t before = cal_zone_offset(z, local - NEAR, NULL);
	int32_t after = cal_zone_offset(z, local + NEAR, NULL);
	int ok_b = cal_zone_offset(z, local - before, NULL) == before;
	int ok_a = cal_zone_offset(z, local - after, NULL) == after;

	if (ok_b && ok_a && before != after) {	/* twice: the first */
		*utc = local - (before > after ? before : after);
		return 1;
	}
	if (ok_b || ok_a) {
		*utc = local - (ok_b ? before : after);
		return 0;
	}
	*utc = local - before;	/* skipped: the offset before the gap */
	return 1;
}
