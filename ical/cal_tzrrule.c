/*
 * cal_tzrrule.c - the onsets of a STANDARD or DAYLIGHT RRULE (RFC 5545
 * 3.3.10), computed directly for the forms VTIMEZONEs use: FREQ=YEARLY
 * with INTERVAL, COUNT, UNTIL, BYMONTH, BYMONTHDAY and BYDAY (an ordinal
 * counts within the month, as BYMONTH is given or implied by DTSTART).
 *
 * libical iterates such rules through ICU's calendar, and a rule that can
 * never occur ("BYMONTH=10;BYMONTHDAY=15,...,21;BYDAY=1SU", written by one
 * producer) costs it seconds per lookup. Here a year costs a month's days.
 * Other forms are left to libical (cal_tzvtz.c).
 *
 * Example: FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8,9,10,11,12,13,14;BYDAY=SU
 * from 19870308T020000 is the second Sunday of March, 02:00, every year.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cal_tz.h"

#define RR_LIST	32

struct rr {
	long	 interval;
	long	 count;		/* 0: none */
	int	 has_until;
	struct cal_time until;
	int	 month[RR_LIST], nmonth;
	int	 mday[RR_LIST], nmday;
	int	 dnth[RR_LIST], dwday[RR_LIST], nday;
};

/* rr_int - a whole number in [lo, hi]; 0 or -1 */
static int
rr_int(const char *s, size_t n, long lo, long hi, long *v)
{
	char buf[16], *end;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*v = strtol(buf, &end, 10);
	return *end == '\0' && *v >= lo && *v <= hi ? 0 : -1;
}

/* rr_list - a comma list of numbers in [lo, hi], none 0 */
static int
rr_list(const char *s, size_t n, long lo, long hi, int *v, int *nv)
{
	size_t k;
	long x;

	*nv = 0;
	while (n > 0) {
		k = strcspn(s, ",");
		if (k > n)
			k = n;
		if (*nv == RR_LIST || rr_int(s, k, lo, hi, &x) != 0 || x == 0)
			return -1;
		v[(*nv)++] = (int)x;
		s += k + (k < n);
		n -= k + (k < n);
	}
	return *nv > 0 ? 0 : -1;
}

/* rr_days - BYDAY: [+-n]WD, ... */
static int
rr_days(struct rr *r, const char *s, size_t n)
{
	char one[8];
	size_t k, d;
	long x;

	while (n > 0) {
		k = strcspn(s, ",");
		if (k > n)
			k = n;
		if (k < 2 || k >= sizeof(one) || r->nday == RR_LIST)
			return -1;
		memcpy(one, s, k);
		one[k] = '\0';
		for (d = 0; d < 7 && strcasecmp(one + k - 2,
		    cal_wday_name((int)d)) != 0; d++)
			;
		x = 0;
		if (d == 7 || (k > 2 && (rr_int(one, k - 2, -5, 5, &x) != 0 ||
		    x == 0)))
			return -1;
		r->dnth[r->nday] = (int)x;
		r->dwday[r->nday++] = (int)d;
		s += k + (k < n);
		n -= k + (k < n);
	}
	return r->nday > 0 ? 0 : -1;
}

/* rr_part - one NAME=VALUE part; -1 for what this reader does not do */
static int
rr_part(struct rr *r, const char *p, size_t n)
{
	size_t e = strcspn(p, "=");
	const char *v = p + e + 1;
	size_t vn = n - e - 1;
	char u[32];

	if (e >= n)
		return -1;
	if (e == 4 && strncasecmp(p, "FREQ", 4) == 0)
		return vn == 6 && strncasecmp(v, "YEARLY", 6) == 0 ? 0 : -1;
	if (e == 8 && strncasecmp(p, "INTERVAL", 8) == 0)
		return rr_int(v, vn, 1, 1000, &r->interval);
	if (e == 5 && strncasecmp(p, "COUNT", 5) == 0)
		return rr_int(v, vn, 1, 100000, &r->count);
	if (e == 5 && strncasecmp(p, "UNTIL", 5) == 0) {
		if (vn >= sizeof(u))
			return -1;
		memcpy(u, v, vn);
		u[vn] = '\0';
		r->has_until = 1;
		return cal_time_parse(&r->until, u);
	}
	if (e == 7 && strncasecmp(p, "BYMONTH", 7) == 0)
		return rr_list(v, vn, 1, 12, r->month, &r->nmonth);
	if (e == 10 && strncasecmp(p, "BYMONTHDAY", 10) == 0)
		return rr_list(v, vn, -31, 31, r->mday, &r->nmday);
	if (e == 5 && strncasecmp(p, "BYDAY", 5) == 0)
		return rr_days(r, v, vn);
	if (e == 4 && strncasecmp(p, "WKST", 4) == 0)
		return 0;	/* no meaning without BYWEEKNO */
	return -1;
}

static int
rr_parse(struct rr *r, const char *v)
{
	size_t n;
	int freq = 0;

	memset(r, 0, sizeof(*r));
	r->interval = 1;
	while (*v != '\0') {
		n = strcspn(v, ";");
		if (rr_part(r, v, n) != 0)
			return -1;
		freq |= strncasecmp(v, "FREQ=", 5) == 0;
		v += n + (v[n] == ';');
	}
	return freq ? 0 : -1;
}

/* day_matches - does day d of month m of year y satisfy the BY parts? */
static int
day_matches(const struct rr *r, int64_t y, int m, int d, int start_day)
{
	int dim = cal_days_in_month(y, m), wd, i, nth, last, ok;

	for (i = 0, ok = r->nmday == 0; i < r->nmday && !ok; i++)
		ok = r->mday[i] > 0 ? d == r->mday[i] : d == dim + 1 + r->mday[i];
	if (!ok)
		return 0;
	if (r->nday == 0)
		return r->nmday > 0 || d == start_day;
	wd = cal_weekday(cal_days_from_civil(y, m, d));
	nth = (d - 1) / 7 + 1;
	last = -((dim - d) / 7 + 1);
	for (i = 0; i < r->nday; i++)
		if (r->dwday[i] == wd && (r->dnth[i] == 0 ||
		    r->dnth[i] == nth || r->dnth[i] == last))
			return 1;
	return 0;
}

/* past_until - is the onset (local) after UNTIL? */
static int
past_until(const struct rr *r, int64_t local, int32_t from)
{
	if (!r->has_until)
		return 0;
	if (r->until.is_date)
		return cal_day_of(local) > cal_day_of(r->until.secs);
	return (r->until.is_utc ? local - from : local) > r->until.secs;
}

/* struct walk - one expansion under way */
struct walk {
	const struct rr	*r;
	int64_t		 start;
	int32_t		 from;
	long		 n;	/* onsets so far, DTSTART the first */
	int		 added;
	void		(*add)(void *, int64_t);
	void		*arg;
};

/* walk_month - the onsets of one month; -1 once COUNT or UNTIL ends it */
static int
walk_month(struct walk *w, int64_t y, int m, int d0)
{
	int64_t sod = w->start - cal_day_of(w->start) * CAL_DAY, t;
	int d;

	for (d = 1; d <= cal_days_in_month(y, m); d++) {
		if (!day_matches(w->r, y, m, d, d0))
			continue;
		t = cal_days_from_civil(y, m, d) * CAL_DAY + sod;
		if (t <= w->start)
			continue;
		if ((w->r->count > 0 && w->n >= w->r->count) ||
		    past_until(w->r, t, w->from))
			return -1;
		w->n++;
		w->added++;
		w->add(w->arg, t);
	}
	return 0;
}

static int
int_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int
cal_tzrrule_onsets(const char *rule, int64_t start, int32_t from,
    int64_t y_hi, void (*add)(void *, int64_t), void *arg)
{
	struct walk w = { NULL, start, from, 1, 0, add, arg };
	int64_t y;
	int m0, d0, i;
	struct rr r;

	if (rr_parse(&r, rule) != 0)
		return -1;
	w.r = &r;
	cal_civil_from_days(cal_day_of(start), &y, &m0, &d0);
	if (r.nmonth == 0 && (r.nmday > 0 || r.nday > 0))
		return -1;	/* expands over the year: libical's */
	if (r.nmonth == 0)
		r.month[r.nmonth++] = m0;
	qsort(r.month, (size_t)r.nmonth, sizeof(r.month[0]), int_cmp);
	for (y = cal_year_of(start); y <= y_hi; y += r.interval)
		for (i = 0; i < r.nmonth; i++)
			if (walk_month(&w, y, r.month[i], d0) != 0)
				return w.added;
	return w.added;
}
