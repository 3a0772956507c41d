/*
 * cal_tzwrite.c - VTIMEZONEs written from zones: the compact form Exchange
 * reads exactly (R-TZ-1, R-TZ-3, R-TZ-4, R-TZ-5), and the full history the
 * meaning check reads an input TZID with (N-4)
 *
 * Compact, for Europe/Berlin at any date since 1996:
 *   BEGIN:VTIMEZONE / TZID:Europe/Berlin
 *   BEGIN:STANDARD / DTSTART:19701025T030000 /
 *     RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU / TZOFFSETFROM:+0200 /
 *     TZOFFSETTO:+0100 / END:STANDARD
 *   BEGIN:DAYLIGHT / DTSTART:19700329T020000 /
 *     RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU / TZOFFSETFROM:+0100 /
 *     TZOFFSETTO:+0200 / END:DAYLIGHT / END:VTIMEZONE
 * Each DTSTART is the rule's own date in its first year, so RFC 5545 and
 * Exchange read the same onsets. A zone without daylight time gets one
 * STANDARD with equal offsets and no RRULE (R-TZ-4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal_tz.h"

#define FULL_YEAR_MAX	2100	/* a rule that RRULE cannot say: onsets to */

void
cal_utc_offset_format(char *buf, size_t len, int32_t off)
{
	int32_t a = off < 0 ? -off : off;

	if (a % 60 != 0)
		snprintf(buf, len, "%c%02d%02d%02d", off < 0 ? '-' : '+',
		    (int)(a / 3600), (int)(a / 60 % 60), (int)(a % 60));
	else
		snprintf(buf, len, "%c%02d%02d", off < 0 ? '-' : '+',
		    (int)(a / 3600), (int)(a / 60 % 60));
}

void
cal_tzdate_rrule(char *buf, size_t len, const struct cal_tzdate *d)
{
	snprintf(buf, len, "FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", d->month,
	    d->week == 5 ? -1 : d->week, cal_wday_name(d->wday));
}

/* add_prop - append NAME:value to c; -1 on out of memory */
static int
add_prop(struct cal_comp *c, const char *name, const char *value)
{
	struct cal_prop *p = cal_prop_new(name, NULL, value);

	if (p == NULL || cal_comp_insert(c, c->n, p) != 0) {
		cal_prop_free(p);
		return -1;
	}
	return 0;
}

/* obs_new - STANDARD or DAYLIGHT with its onset, rule and offsets */
static struct cal_comp *
obs_new(const char *name, int64_t start, const struct cal_tzdate *d,
    int32_t from, int32_t to)
{
	struct cal_comp *o = cal_comp_new(name);
	struct cal_time t = { start, 0, 0 };
	char v[64], f[16], tt[16];
	int r;

	if (o == NULL)
		return NULL;
	cal_utc_offset_format(f, sizeof(f), from);
	cal_utc_offset_format(tt, sizeof(tt), to);
	r = cal_time_format(v, sizeof(v), &t) != 0 ||
	    add_prop(o, "DTSTART", v) != 0;
	if (!r && d != NULL) {
		cal_tzdate_rrule(v, sizeof(v), d);
		r = add_prop(o, "RRULE", v) != 0;
	}
	if (r || add_prop(o, "TZOFFSETFROM", f) != 0 ||
	    add_prop(o, "TZOFFSETTO", tt) != 0) {
		cal_comp_free_tree(o);
		return NULL;
	}
	return o;
}

/* append_obs - o into vtz; steals o; -1 (o freed) on failure */
static int
append_obs(struct cal_comp *vtz, struct cal_comp *o)
{
	if (o != NULL && cal_comp_append_comp(vtz, o) == 0)
		return 0;
	cal_comp_free_tree(o);
	return -1;
}

int
cal_vtz_fill(struct cal_comp *vtz, const struct cal_tzrule *r, int64_t year0)
{
	struct cal_comp *o;
	size_t i = 0;
	int64_t s;

	while (i < vtz->n)
		if (vtz->items[i].type == CAL_ITEM_COMP &&
		    cal_vtz_is_obs(vtz->items[i].u.comp))
			cal_comp_remove(vtz, i);
		else
			i++;
	if (!r->has_dst) {
		s = cal_days_from_civil(year0, 1, 1) * CAL_DAY;
		o = obs_new("STANDARD", s, NULL, r->std_off, r->std_off);
		return append_obs(vtz, o);
	}
	for (i = 0; i < 2; i++) {	/* STANDARD first */
		if ((i == 0) != (r->std_larger != 0)) {
			s = cal_tzdate_local(&r->to_std, year0);
			o = obs_new(i == 0 ? "STANDARD" : "DAYLIGHT", s,
			    &r->to_std, r->dst_off, r->std_off);
		} else {
			s = cal_tzdate_local(&r->to_dst, year0);
			o = obs_new(i == 0 ? "STANDARD" : "DAYLIGHT", s,
			    &r->to_dst, r->std_off, r->dst_off);
		}
		if (append_obs(vtz, o) != 0)
			return -1;
	}
	return 0;
}

struct cal_comp *
cal_vtz_build(const char *tzid, const struct cal_tzrule *r, int64_t year0)
{
	struct cal_comp *vtz = cal_comp_new("VTIMEZONE");

	if (vtz == NULL || add_prop(vtz, "TZID", tzid) != 0 ||
	    cal_vtz_fill(vtz, r, year0) != 0) {
		cal_comp_free_tree(vtz);
		return NULL;
	}
	return vtz;
}

/* ---- the full history, as text for libical ------------------------------- */

/* full_obs - one onset: at (UTC) from offset from to offset to */
static void
full_obs(struct cal_buf *b, int64_t at, int32_t from, int32_t to,
    const char *rrule)
{
	struct cal_time t = { at + from, 0, 0 };
	char v[32], f[16], tt[16];
	const char *kind = to > from ? "DAYLIGHT" : "STANDARD";

	if (cal_time_format(v, sizeof(v), &t) != 0)
		return;
	cal_utc_offset_format(f, sizeof(f), from);
	cal_utc_offset_format(tt, sizeof(tt), to);
	cal_buf_adds(b, "BEGIN:");
	cal_buf_adds(b, kind);
	cal_buf_adds(b, "\r\nDTSTART:");
	cal_buf_adds(b, v);
	if (rrule != NULL) {
		cal_buf_adds(b, "\r\nRRULE:");
		cal_buf_adds(b, rrule);
	}
	cal_buf_adds(b, "\r\nTZOFFSETFROM:");
	cal_buf_adds(b, f);
	cal_buf_adds(b, "\r\nTZOFFSETTO:");
	cal_buf_adds(b, tt);
	cal_buf_adds(b, "\r\nEND:");
	cal_buf_adds(b, kind);
	cal_buf_adds(b, "\r\n");
}

/* full_tail - the yearly rule after the last transition */
static void
full_tail(struct cal_buf *b, const struct cal_zone *z, int64_t after)
{
	const struct cal_tzrule *r = &z->tail;
	char rule[64];
	int64_t at;
	int32_t off, cur;
	int i;

	if (cal_tzrule_exchange(r)) {
		for (i = 0; i < 2; i++) {
			const struct cal_tzdate *d = i ? &r->to_dst : &r->to_std;
			int32_t from = i ? r->std_off : r->dst_off;
			int64_t y = cal_year_of(after), s;

			while ((s = cal_tzdate_local(d, y) - from) <= after)
				y++;
			cal_tzdate_rrule(rule, sizeof(rule), d);
			full_obs(b, s, from, i ? r->dst_off : r->std_off, rule);
		}
		return;
	}
	cur = cal_zone_offset(z, after, NULL);
	while (cal_zone_next(z, after, &at, &off) &&
	    cal_year_of(at) <= FULL_YEAR_MAX) {
		full_obs(b, at, cur, off, NULL);
		cur = off;
		after = at;
	}
}

char *
cal_vtz_full_text(const struct cal_zone *z, const char *tzid, size_t max)
{
	struct cal_buf b;
	int32_t prev = z->off0;
	size_t i;

	cal_buf_init(&b, max);
	cal_buf_adds(&b, "BEGIN:VTIMEZONE\r\nTZID:");
	cal_buf_adds(&b, tzid);
	cal_buf_adds(&b, "\r\n");
	if (z->n == 0)
		full_obs(&b, -11644473600LL, prev, prev, NULL); /* 1601 */
	for (i = 0; i < z->n; i++) {
		if (z->off[i] != prev)
			full_obs(&b, z->at[i], prev, z->off[i], NULL);
		prev = z->off[i];
	}
	if (z->has_tail && z->tail.has_dst)
		full_tail(&b, z, z->n > 0 ? z->at[z->n - 1] : -11644473600LL);
	cal_buf_adds(&b, "END:VTIMEZONE\r\n");
	if (b.over || b.oom) {
		cal_buf_free(&b);
		return NULL;
	}
	return cal_buf_steal(&b, NULL);
}
