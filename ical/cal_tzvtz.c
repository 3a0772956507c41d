/*
 * cal_tzvtz.c - reading an object's VTIMEZONE two ways: as RFC 5545 3.6.5
 * defines it (every observance's onsets), and as Exchange reads it
 * ([MS-OXCICAL] 2.1.3.1.1.19: only the STANDARD and the DAYLIGHT with the
 * latest DTSTART, applied to every year; an observance without RRULE is
 * "the nth weekday of its DTSTART's month"; a BYMONTHDAY rule is one date)
 *
 * A VTIMEZONE is left as it is when it has the compact shape of R-TZ-3..5
 * and both readings agree at the event dates. Example of one that does not:
 * Sao Paulo's last DAYLIGHT (DTSTART 20181104T000000, no RRULE) is read by
 * Exchange as "first Sunday of November, every year", a daylight time the
 * zone no longer has.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "cal_tz.h"

#define VTZ_ONSETS_MAX	20000	/* onsets read from one VTIMEZONE */

int
cal_utc_offset_parse(const char *v, int32_t *secs, int *exact)
{
	size_t i, n = strlen(v);
	long h, m, s = 0;

	if ((n != 5 && n != 7) || (v[0] != '+' && v[0] != '-'))
		return -1;
	for (i = 1; i < n; i++)
		if (!isdigit((unsigned char)v[i]))
			return -1;
	h = (v[1] - '0') * 10 + (v[2] - '0');
	m = (v[3] - '0') * 10 + (v[4] - '0');
	if (n == 7)
		s = (v[5] - '0') * 10 + (v[6] - '0');
	if (h > 23 || m > 59 || s > 59)
		return -1;
	*secs = (int32_t)((h * 3600 + m * 60 + s) * (v[0] == '-' ? -1 : 1));
	if (exact != NULL)
		*exact = n == 5;
	return 0;
}

int
cal_vtz_is_obs(const struct cal_comp *c)
{
	return cal_streq(c->name, "STANDARD") || cal_streq(c->name, "DAYLIGHT");
}

/* obs_start - an observance's DTSTART as local seconds; 0 or -1 */
static int
obs_start(const struct cal_comp *o, int64_t *local)
{
	const struct cal_prop *p = cal_comp_prop(o, "DTSTART");
	struct cal_time t;

	if (p == NULL || cal_time_parse(&t, p->value) != 0 || t.is_date)
		return -1;
	*local = t.secs;	/* a "Z" is read as local time, as libical does */
	return 0;
}

/* obs_offsets - TZOFFSETTO, and TZOFFSETFROM (TO when absent); 0 or -1 */
static int
obs_offsets(const struct cal_comp *o, int32_t *from, int32_t *to)
{
	const struct cal_prop *pt = cal_comp_prop(o, "TZOFFSETTO");
	const struct cal_prop *pf = cal_comp_prop(o, "TZOFFSETFROM");

	if (pt == NULL || cal_utc_offset_parse(pt->value, to, NULL) != 0)
		return -1;
	if (pf == NULL)
		*from = *to;
	else if (cal_utc_offset_parse(pf->value, from, NULL) != 0)
		return -1;
	return 0;
}

/* ---- the RFC 5545 reading --------------------------------------------- */

struct onset {
	int64_t	 at;	/* UTC */
	int32_t	 from;
	int32_t	 to;
	int	 dst;
};

struct onsets {
	struct onset	*v;
	size_t		 n;
	size_t		 cap;
	int		 bad;	/* out of memory or too many */
	int		 costly; /* an RRULE that never occurs */
};

static void
onsets_add(struct onsets *os, int64_t local, int32_t from, int32_t to,
    int dst)
{
	struct onset *v;

	if (os->bad)
		return;
	if (os->n == VTZ_ONSETS_MAX) {
		os->bad = 1;
		return;
	}
	if (os->n == os->cap) {
		v = realloc(os->v, (os->cap ? os->cap * 2 : 32) * sizeof(*v));
		if (v == NULL) {
			os->bad = 1;
			return;
		}
		os->v = v;
		os->cap = os->cap ? os->cap * 2 : 32;
	}
	os->v[os->n].at = local - from;
	os->v[os->n].from = from;
	os->v[os->n].to = to;
	os->v[os->n++].dst = dst;
}

static struct icaltimetype
ical_local(int64_t local)
{
	struct icaltimetype t = icaltime_null_time();
	int64_t y, sod = local - cal_day_of(local) * CAL_DAY;
	int m, d;

	cal_civil_from_days(cal_day_of(local), &y, &m, &d);
	t.year = (int)y, t.month = m, t.day = d;
	t.hour = (int)(sod / 3600), t.minute = (int)(sod / 60 % 60);
	t.second = (int)(sod % 60);
	return t;
}

static int64_t
local_of(struct icaltimetype t)
{
	return cal_days_from_civil(t.year, t.month, t.day) * CAL_DAY +
	    t.hour * 3600 + t.minute * 60 + t.second;
}

/* struct obs_ctx - the observance an RRULE's onsets belong to */
struct obs_ctx {
	struct onsets	*os;
	int32_t		 from;
	int32_t		 to;
	int		 dst;
};

static void
obs_add(void *arg, int64_t local)
{
	struct obs_ctx *c = arg;

	onsets_add(c->os, local, c->from, c->to, c->dst);
}

/* obs_libical - the other RRULE forms, through libical, bounded */
static void
obs_libical(struct obs_ctx *c, const char *rule, int64_t start, int64_t y_hi)
{
	struct icalrecurrencetype r = icalrecurrencetype_from_string(rule);
	icalrecur_iterator *it;
	struct icaltimetype t;
	size_t steps = 0;

	if (r.rscale != NULL) {	/* not a Gregorian rule: unread; ours */
		free(r.rscale);
		c->os->bad = 1;
		return;
	}
	if (r.freq == ICAL_NO_RECURRENCE)
		return;
	it = icalrecur_iterator_new(r, ical_local(start));
	if (it == NULL)
		return;
	while (steps++ < VTZ_ONSETS_MAX) {
		t = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(t) || t.year > y_hi || c->os->bad)
			break;
		if (local_of(t) != start)	/* DTSTART is added once */
			obs_add(c, local_of(t));
	}
	icalrecur_iterator_free(it);
}

/* long_rule - may the rule run a year or more (no COUNT, a far UNTIL)? */
static int
long_rule(const char *rule, int64_t start)
{
	const char *u = strstr(rule, "UNTIL=");
	struct cal_time t;
	char v[32];
	size_t n;

	if (strstr(rule, "COUNT=") != NULL)
		return 0;
	if (u == NULL)
		return 1;
	n = strcspn(u + 6, ";");
	if (n >= sizeof(v))
		return 1;
	memcpy(v, u + 6, n);
	v[n] = '\0';
	return cal_time_parse(&t, v) != 0 || t.secs > start + 366 * CAL_DAY;
}

/*
 * obs_rrule - the onsets of one RRULE up to the end of year y_hi. A yearly
 * rule that never occurs in a year it could is "costly" (see cal_tzrrule.c)
 */
static void
obs_rrule(struct onsets *os, const char *rule, int64_t start, int32_t from,
    int32_t to, int dst, int64_t y_hi)
{
	struct obs_ctx c = { os, from, to, dst };
	int n = cal_tzrrule_onsets(rule, start, from, y_hi, obs_add, &c);

	if (n < 0)
		obs_libical(&c, rule, start, y_hi);
	else if (n == 0 && cal_year_of(start) < y_hi && long_rule(rule, start))
		os->costly = 1;
}

/* obs_rdate - each DATE-TIME (or PERIOD start) of an RDATE line */
static void
obs_rdate(struct onsets *os, const char *v, int32_t from, int32_t to,
    int dst)
{
	char one[64];
	struct cal_time t;
	size_t n;

	while (*v != '\0') {
		n = strcspn(v, ",");
		if (n < sizeof(one)) {
			memcpy(one, v, n);
			one[n] = '\0';
			one[strcspn(one, "/")] = '\0';	/* a PERIOD's start */
			if (cal_time_parse(&t, one) == 0 && !t.is_date)
				onsets_add(os, t.secs, from, to, dst);
		}
		v += n + (v[n] == ',');
	}
}

static void
obs_onsets(struct onsets *os, const struct cal_comp *o, int64_t y_hi)
{
	int dst = cal_streq(o->name, "DAYLIGHT");
	const struct cal_prop *p;
	int32_t from, to;
	int64_t start;
	size_t i;

	if (obs_start(o, &start) != 0 || obs_offsets(o, &from, &to) != 0)
		return;
	onsets_add(os, start, from, to, dst);
	for (i = 0; i < o->n; i++) {
		if (o->items[i].type != CAL_ITEM_PROP)
			continue;
		p = o->items[i].u.prop;
		if (cal_streq(p->name, "RRULE"))
			obs_rrule(os, p->value, start, from, to, dst, y_hi);
		else if (cal_streq(p->name, "RDATE"))
			obs_rdate(os, p->value, from, to, dst);
	}
}

static int
onset_cmp(const void *a, const void *b)
{
	const struct onset *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

int
cal_vtz_zone(struct cal_zone **out, const struct cal_comp *vtz,
    const char *name, int64_t y_hi, int *costly)
{
	struct onsets os = { NULL, 0, 0, 0, 0 };
	struct cal_zone *z = NULL;
	size_t i;
	int r = -1;

	*out = NULL;
	for (i = 0; i < vtz->n; i++)
		if (vtz->items[i].type == CAL_ITEM_COMP &&
		    cal_vtz_is_obs(vtz->items[i].u.comp))
			obs_onsets(&os, vtz->items[i].u.comp, y_hi);
	*costly = os.costly;
	if (os.bad || os.n == 0) {
		r = os.bad && os.n < VTZ_ONSETS_MAX ? -2 : -1;
		goto out;
	}
	qsort(os.v, os.n, sizeof(*os.v), onset_cmp);
	z = cal_zone_new(name);
	if (z == NULL)
		goto oom;
	z->off0 = os.v[0].from;
	for (i = 0; i < os.n; i++)
		if (cal_zone_push(z, os.v[i].at, os.v[i].to, os.v[i].dst) != 0)
			goto oom;
	*out = z;
	r = 0;
	goto out;
oom:
	cal_zone_free(z);
	r = -2;
out:
	free(os.v);
	return r;
}

/* ---- the Exchange reading ----------------------------------------------- */

/* latest - the STANDARD or DAYLIGHT with the latest DTSTART, or NULL */
static const struct cal_comp *
latest(const struct cal_comp *vtz, const char *name)
{
	const struct cal_comp *c, *best = NULL;
	int64_t s, best_s = 0;
	size_t i;

	for (i = 0; i < vtz->n; i++) {
		if (vtz->items[i].type != CAL_ITEM_COMP)
			continue;
		c = vtz->items[i].u.comp;
		if (!cal_streq(c->name, name))
			continue;
		if (obs_start(c, &s) != 0)
			s = INT64_MIN;
		if (best == NULL || s >= best_s)
			best = c, best_s = s;
	}
	return best;
}

/* rrule_part - value of rule part NAME in an RRULE value (copied) */
static int
rrule_part(const char *rule, const char *name, char *buf, size_t len)
{
	size_t nl = strlen(name), n;
	const char *p = rule;

	while (*p != '\0') {
		n = strcspn(p, ";");
		if (n > nl && p[nl] == '=' && strncasecmp(p, name, nl) == 0 &&
		    n - nl - 1 < len) {
			memcpy(buf, p + nl + 1, n - nl - 1);
			buf[n - nl - 1] = '\0';
			return 0;
		}
		p += n + (p[n] == ';');
	}
	return -1;
}

static int
wday_of(const char *s)
{
	static const char *const days[7] = {
		"SU", "MO", "TU", "WE", "TH", "FR", "SA"
	};
	int i;

	for (i = 0; i < 7; i++)
		if (strcasecmp(s, days[i]) == 0)
			return i;
	return -1;
}

/* cal_byday_nth - "2SU", "-1SU": week 1..5 (5 = last) and weekday; 0 or -1 */
int
cal_byday_nth(const char *s, int *week, int *wday)
{
	char *end;
	long n;

	n = strtol(s, &end, 10);
	if (end == s || (n != -1 && (n < 1 || n > 5)))
		return -1;
	*wday = wday_of(end);
	*week = n == -1 ? 5 : (int)n;
	return *wday < 0 ? -1 : 0;
}

/* obs_exchange_date - the yearly date Exchange makes of an observance */
static int
obs_exchange_date(const struct cal_comp *o, struct cal_tzdate *d)
{
	const struct cal_prop *rr = cal_comp_prop(o, "RRULE");
	char v[64];
	int64_t start, y;
	int m, day;

	if (obs_start(o, &start) != 0)
		return -1;
	cal_civil_from_days(cal_day_of(start), &y, &m, &day);
	memset(d, 0, sizeof(*d));
	d->kind = CAL_TZDATE_MWD;
	d->secs = (int32_t)(start - cal_day_of(start) * CAL_DAY);
	d->month = m;
	d->wday = cal_weekday(cal_day_of(start));
	d->week = (day - 1) / 7 + 1;
	if (rr == NULL)
		return 0;
	if (rrule_part(rr->value, "FREQ", v, sizeof(v)) != 0 ||
	    strcasecmp(v, "YEARLY") != 0 ||
	    rrule_part(rr->value, "BYMONTHDAY", v, sizeof(v)) == 0 ||
	    rrule_part(rr->value, "BYDAY", v, sizeof(v)) != 0 ||
	    cal_byday_nth(v, &d->week, &d->wday) != 0)
		return -1;	/* not yearly, or one date (BYMONTHDAY) */
	if (rrule_part(rr->value, "BYMONTH", v, sizeof(v)) == 0) {
		d->month = (int)strtol(v, NULL, 10);
		if (d->month < 1 || d->month > 12)
			return -1;
	}
	return 0;
}

int
cal_vtz_exchange(const struct cal_comp *vtz, struct cal_tzrule *r)
{
	const struct cal_comp *st = latest(vtz, "STANDARD");
	const struct cal_comp *dl = latest(vtz, "DAYLIGHT");
	int32_t sfrom, sto, dfrom, dto;

	memset(r, 0, sizeof(*r));
	if (st == NULL)
		return 0;	/* no STANDARD: Exchange reads offset 0 */
	if (obs_offsets(st, &sfrom, &sto) != 0 ||
	    obs_exchange_date(st, &r->to_std) != 0)
		return -1;
	r->std_off = r->dst_off = sto;
	if (dl == NULL)
		return 0;
	if (cal_comp_prop(dl, "TZOFFSETFROM") == NULL ||
	    obs_offsets(dl, &dfrom, &dto) != 0 ||
	    obs_exchange_date(dl, &r->to_dst) != 0)
		return -1;
	r->dst_off = sto + (dto - dfrom);
	if (r->dst_off == r->std_off ||
	    memcmp(&r->to_dst, &r->to_std, sizeof(r->to_dst)) == 0) {
		r->dst_off = r->std_off;	/* Exchange: no daylight time */
		return 0;
	}
	r->has_dst = 1;
	if (r->dst_off < r->std_off) {	/* keep daylight the larger */
		struct cal_tzdate d = r->to_dst;
		int32_t o = r->std_off;

		r->std_off = r->dst_off, r->dst_off = o;
		r->to_dst = r->to_std, r->to_std = d;
	}
	return 0;
}

/* ---- the compact shape (R-TZ-3, R-TZ-4, R-TZ-5) ------------------------ */

/* rrule_compact - exactly FREQ=YEARLY;BYMONTH=m;BYDAY=nDD, n 1..4 or -1 */
static int
rrule_compact(const char *rule)
{
	char v[32];
	int parts = 0, week, wday;
	const char *p;
	long n;

	for (p = rule; *p != '\0'; p += strcspn(p, ";"), p += *p == ';')
		parts++;
	if (parts != 3 || rrule_part(rule, "FREQ", v, sizeof(v)) != 0 ||
	    strcasecmp(v, "YEARLY") != 0 ||
	    rrule_part(rule, "BYMONTH", v, sizeof(v)) != 0 ||
	    strtol(v, NULL, 10) < 1 || strtol(v, NULL, 10) > 12 ||
	    strspn(v, "0123456789") != strlen(v) ||
	    rrule_part(rule, "BYDAY", v, sizeof(v)) != 0 ||
	    cal_byday_nth(v, &week, &wday) != 0)
		return 0;
	n = strtol(v, NULL, 10);
	return n == -1 || (n >= 1 && n <= 4);
}

/* prop_count - lines NAME in c, and whether all have no parameters */
static size_t
prop_count(const struct cal_comp *c, const char *name, int *params)
{
	size_t i, n = 0;

	for (i = 0; i < c->n; i++) {
		if (c->items[i].type != CAL_ITEM_PROP ||
		    !cal_streq(c->items[i].u.prop->name, name))
			continue;
		n++;
		if (c->items[i].u.prop->params[0] != '\0')
			*params = 1;
	}
	return n;
}

/* obs_compact - one observance in the R-TZ-5 syntax; why on failure */
static int
obs_compact(const struct cal_comp *o, int need_rrule, const char **why)
{
	const struct cal_prop *p;
	int params = 0, exact = 0;
	int32_t off;
	size_t i;

	if (prop_count(o, "DTSTART", &params) != 1 || params ||
	    (p = cal_comp_prop(o, "DTSTART")) == NULL || strlen(p->value) != 15)
		return *why = "DTSTART not one local date-time", 0;
	for (i = 0; i < 2; i++) {
		p = cal_comp_prop(o, i ? "TZOFFSETTO" : "TZOFFSETFROM");
		if (p == NULL || cal_utc_offset_parse(p->value, &off,
		    &exact) != 0 || !exact)
			return *why = "TZOFFSETFROM/TO missing or not +-HHMM", 0;
	}
	if (prop_count(o, "RDATE", &params) != 0)
		return *why = "RDATE", 0;
	i = prop_count(o, "RRULE", &params);
	if (i > 1 || (i == 0 && need_rrule))
		return *why = "an observance without one yearly RRULE", 0;
	p = cal_comp_prop(o, "RRULE");
	if (p != NULL && !rrule_compact(p->value))
		return *why = "RRULE not FREQ=YEARLY;BYMONTH=m;BYDAY=nDD", 0;
	return 1;
}

int
cal_vtz_compact(const struct cal_comp *vtz, int *structure, const char **why)
{
	size_t i, nst = 0, ndl = 0;
	const struct cal_comp *c;

	*why = NULL;
	for (i = 0; i < vtz->n; i++) {
		if (vtz->items[i].type != CAL_ITEM_COMP)
			continue;
		c = vtz->items[i].u.comp;
		nst += cal_streq(c->name, "STANDARD");
		ndl += cal_streq(c->name, "DAYLIGHT");
	}
	*structure = nst == 1 && ndl <= 1;
	if (nst != 1 || ndl > 1) {
		*why = nst == 0 ? "no STANDARD" : "more than one STANDARD or "
		    "DAYLIGHT (history)";
		return 0;
	}
	for (i = 0; i < vtz->n; i++) {
		if (vtz->items[i].type != CAL_ITEM_COMP)
			continue;
		c = vtz->items[i].u.comp;
		if (cal_vtz_is_obs(c) && !obs_compact(c, ndl > 0, why))
			return 0;
	}
	return 1;
}
