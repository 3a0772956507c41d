/*
 * cal_tztime.c - civil time arithmetic and the yearly dates of zone rules
 *
 * The proleptic Gregorian calendar as day counts (H. Hinnant's
 * days_from_civil), so that nothing depends on the C library's time zone
 * or range of time_t. A yearly date is POSIX's (RFC 8536 3.3.1):
 * "Mm.w.d" is day d (0 = Sunday) of week w (5 = the last) of month m,
 * "Jn" day n of 365 (February 29 never counted), "n" day n of 0..365.
 *
 * Example: M3.5.0/2 in 2025 is Sunday 2025-03-30 02:00 local time.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "cal_tz.h"

/* floor_div - division rounding toward minus infinity */
static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t
cal_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
cal_civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468, era, doe, yoe, doy, mp;

	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int
cal_weekday(int64_t days)
{
	int64_t w = (days + 4) % 7;	/* 1970-01-01 was a Thursday */

	return (int)(w < 0 ? w + 7 : w);
}

const char *
cal_wday_name(int wday)
{
	static const char *const names[7] = {
		"SU", "MO", "TU", "WE", "TH", "FR", "SA"
	};

	return wday >= 0 && wday < 7 ? names[wday] : "";
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
cal_days_in_month(int64_t y, int m)
{
	static const int dim[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m < 1 || m > 12)
		return 0;
	return dim[m - 1] + (m == 2 && is_leap(y));
}

int64_t
cal_day_of(int64_t secs)
{
	return floor_div(secs, CAL_DAY);
}

int64_t
cal_year_of(int64_t secs)
{
	int64_t y;
	int m, d;

	cal_civil_from_days(cal_day_of(secs), &y, &m, &d);
	return y;
}

/* mwd_day - day of month of weekday wday in week week (5 = last) */
static int
mwd_day(int64_t y, int month, int week, int wday)
{
	int first = cal_weekday(cal_days_from_civil(y, month, 1));
	int day = 1 + (wday - first + 7) % 7 + 7 * (week - 1);
	int dim = cal_days_in_month(y, month);

	while (day > dim)
		day -= 7;
	return day;
}

int64_t
cal_tzdate_local(const struct cal_tzdate *d, int64_t y)
{
	int64_t days;
	int yday;

	switch (d->kind) {
	case CAL_TZDATE_JULIAN1:
		yday = d->yday + (is_leap(y) && d->yday >= 60);
		days = cal_days_from_civil(y, 1, 1) + yday - 1;
		break;
	case CAL_TZDATE_JULIAN0:
		days = cal_days_from_civil(y, 1, 1) + d->yday;
		break;
	case CAL_TZDATE_MWD:
	default:
		days = cal_days_from_civil(y, d->month,
		    mwd_day(y, d->month, d->week, d->wday));
		break;
	}
	return days * CAL_DAY + d->secs;
}

/* date_exchange - "the nth weekday of a month at a time of day" */
static int
date_exchange(const struct cal_tzdate *d)
{
	return d->kind == CAL_TZDATE_MWD && d->month >= 1 && d->month <= 12 &&
	    d->week >= 1 && d->week <= 5 && d->wday >= 0 && d->wday <= 6 &&
	    d->secs >= 0 && d->secs < CAL_DAY && d->secs % 60 == 0;
}

int
cal_tzrule_exchange(const struct cal_tzrule *r)
{
	if (r->std_off % 60 != 0 || r->dst_off % 60 != 0)
		return 0;
	if (!r->has_dst)
		return 1;
	return r->dst_off > r->std_off && date_exchange(&r->to_dst) &&
	    date_exchange(&r->to_std);
}

static int
date_equal(const struct cal_tzdate *a, const struct cal_tzdate *b)
{
	if (a->kind != b->kind || a->secs != b->secs)
		return 0;
	if (a->kind == CAL_TZDATE_MWD)
		return a->month == b->month && a->week == b->week &&
		    a->wday == b->wday;
	return a->yday == b->yday;
}

int
cal_tzrule_equal(const struct cal_tzrule *a, const struct cal_tzrule *b)
{
	if (a->std_off != b->std_off || a->has_dst != b->has_dst)
		return 0;
	if (!a->has_dst)
		return 1;
	return a->dst_off == b->dst_off && date_equal(&a->to_dst, &b->to_dst) &&
	    date_equal(&a->to_std, &b->to_std);
}

/* ---- DATE and DATE-TIME values (RFC 5545 3.3.4, 3.3.5) ------------------- */

/* digits - n decimal digits as a number, or -1 */
static long
digits(const char *s, int n)
{
	long v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
cal_time_parse(struct cal_time *t, const char *v)
{
	size_t n = strlen(v);
	long y = digits(v, 4), mo, d, h, mi, s;

	memset(t, 0, sizeof(*t));
	if (n != 8 && n != 15 && n != 16)
		return -1;
	mo = digits(v + 4, 2);
	d = digits(v + 6, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 ||
	    d > cal_days_in_month(y, (int)mo))
		return -1;
	t->secs = cal_days_from_civil(y, (int)mo, (int)d) * CAL_DAY;
	if (n == 8) {
		t->is_date = 1;
		return 0;
	}
	if ((v[8] != 'T' && v[8] != 't') || (n == 16 && v[15] != 'Z' &&
	    v[15] != 'z'))
		return -1;
	h = digits(v + 9, 2);
	mi = digits(v + 11, 2);
	s = digits(v + 13, 2);
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
		return -1;
	t->secs += h * 3600 + mi * 60 + s;
	t->is_utc = n == 16;
	return 0;
}

int
cal_time_format(char *buf, size_t len, const struct cal_time *t)
{
	int64_t y, sod = t->secs - cal_day_of(t->secs) * CAL_DAY;
	int m, d, n;

	cal_civil_from_days(cal_day_of(t->secs), &y, &m, &d);
	if (y < 0 || y > 9999)
		return -1;
	if (t->is_date)
		n = snprintf(buf, len, "%04d%02d%02d", (int)y, m, d);
	else
		n = snprintf(buf, len, "%04d%02d%02dT%02d%02d%02d%s", (int)y,
		    m, d, (int)(sod / 3600), (int)(sod / 60 % 60),
		    (int)(sod % 60), t->is_utc ? "Z" : "");
	return n > 0 && (size_t)n < len ? 0 : -1;
}
