/*
 * cal_tzif.c - reading the system tz database's files: TZif (RFC 8536)
 * and the POSIX TZ string at their end
 *
 * Only the version 2+ part is read (64-bit transition times); files with
 * leap seconds ("right/" zones) are refused. The footer's TZ string is the
 * zone's rule after its last transition: for Europe/Berlin
 * "CET-1CEST,M3.5.0,M10.5.0/3", standard time one hour east of UTC, daylight
 * time from the last Sunday of March 02:00 to the last Sunday of October
 * 03:00. POSIX offsets count west of UTC; ours count east.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cal_tz.h"

#define TZIF_HDR	44
#define TZIF_MAXCNT	100000	/* far above any real zone */

struct tzif_hdr {
	uint32_t	 isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* tzif_header - read one header; returns the data size, or 0 if bad */
static size_t
tzif_header(const unsigned char *p, size_t len, struct tzif_hdr *h, int tsz)
{
	if (len < TZIF_HDR || memcmp(p, "TZif", 4) != 0)
		return 0;
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	if (h->timecnt > TZIF_MAXCNT || h->typecnt == 0 || h->typecnt > 256 ||
	    h->charcnt > TZIF_MAXCNT || h->leapcnt > TZIF_MAXCNT ||
	    h->isutcnt > 256 || h->isstdcnt > 256)
		return 0;
	return (size_t)h->timecnt * (size_t)(tsz + 1) + h->typecnt * 6u +
	    h->charcnt + h->leapcnt * (size_t)(tsz + 4) + h->isstdcnt +
	    h->isutcnt;
}

/* tzif_type - offset and dst flag of local time type i */
static int
tzif_type(const unsigned char *types, const struct tzif_hdr *h, uint32_t i,
    int32_t *off, int *dst)
{
	if (i >= h->typecnt)
		return -1;
	*off = (int32_t)be32(types + 6 * i);
	*dst = types[6 * i + 4] != 0;
	return *off > -CAL_DAY && *off < CAL_DAY ? 0 : -1;
}

/* tzif_data - the transitions of a v2+ data block into z */
static int
tzif_data(struct cal_zone *z, const unsigned char *p, const struct tzif_hdr *h)
{
	const unsigned char *idx = p + 8 * (size_t)h->timecnt;
	const unsigned char *types = idx + h->timecnt;
	int32_t off;
	uint32_t i;
	int dst;

	if (tzif_type(types, h, 0, &z->off0, &dst) != 0)
		return -1;
	for (i = 0; i < h->timecnt; i++) {
		if (i > 0 && be64(p + 8 * i) <= be64(p + 8 * (i - 1)))
			return -1;
		if (tzif_type(types, h, idx[i], &off, &dst) != 0 ||
		    cal_zone_push(z, be64(p + 8 * i), off, dst) != 0)
			return -1;
	}
	return 0;
}

/* tzif_footer - "\nTZ\n" after the data; an empty TZ means no rule */
static int
tzif_footer(struct cal_zone *z, const unsigned char *p, size_t len)
{
	const unsigned char *nl;
	char tz[128];
	size_t n;

	if (len < 2 || p[0] != '\n')
		return -1;
	nl = memchr(p + 1, '\n', len - 1);
	if (nl == NULL)
		return -1;
	n = (size_t)(nl - p - 1);
	if (n == 0)
		return 0;
	if (n >= sizeof(tz))
		return -1;
	memcpy(tz, p + 1, n);
	tz[n] = '\0';
	if (cal_tzrule_posix(&z->tail, tz) != 0)
		return -1;
	z->has_tail = 1;
	return 0;
}

struct cal_zone *
cal_tzif_parse(const char *name, const unsigned char *buf, size_t len)
{
	struct tzif_hdr h;
	struct cal_zone *z;
	size_t v1, v2;

	v1 = tzif_header(buf, len, &h, 4);
	if (v1 == 0 || buf[4] < '2' || v1 > len - TZIF_HDR)
		return NULL;
	buf += TZIF_HDR + v1;
	len -= TZIF_HDR + v1;
	v2 = tzif_header(buf, len, &h, 8);
	if (v2 == 0 || h.leapcnt != 0 || v2 > len - TZIF_HDR)
		return NULL;
	z = cal_zone_new(name);
	if (z == NULL)
		return NULL;
	if (tzif_data(z, buf + TZIF_HDR, &h) != 0 ||
	    tzif_footer(z, buf + TZIF_HDR + v2, len - TZIF_HDR - v2) != 0) {
		cal_zone_free(z);
		return NULL;
	}
	return z;
}

/* ---- the POSIX TZ string ------------------------------------------------ */

/* posix_name - "CET" or "<+0530>"; advances *s */
static int
posix_name(const char **s)
{
	const char *p = *s;

	if (*p == '<') {
		while (*p != '\0' && *p != '>')
			p++;
		if (*p != '>' || p - *s < 4)
			return -1;
		*s = p + 1;
		return 0;
	}
	while (isalpha((unsigned char)*p))
		p++;
	if (p - *s < 3)
		return -1;
	*s = p;
	return 0;
}

/* posix_num - digits, at most max; advances *s */
static int
posix_num(const char **s, long max, long *v)
{
	char *end;

	if (!isdigit((unsigned char)**s))
		return -1;
	*v = strtol(*s, &end, 10);
	if (*v > max)
		return -1;
	*s = end;
	return 0;
}

/* posix_hms - [+-]hh[:mm[:ss]] with hours up to maxh, in seconds */
static int
posix_hms(const char **s, long maxh, int32_t *secs)
{
	long h, m = 0, sec = 0;
	int neg = 0;

	if (**s == '+' || **s == '-')
		neg = *(*s)++ == '-';
	if (posix_num(s, maxh, &h) != 0)
		return -1;
	if (**s == ':' && ((*s)++, posix_num(s, 59, &m) != 0))
		return -1;
	if (**s == ':' && ((*s)++, posix_num(s, 59, &sec) != 0))
		return -1;
	*secs = (int32_t)((h * 3600 + m * 60 + sec) * (neg ? -1 : 1));
	return 0;
}

/* posix_date - Jn, n or Mm.w.d, then an optional /time (default 2:00) */
static int
posix_date(const char **s, struct cal_tzdate *d)
{
	long a, b, c;

	memset(d, 0, sizeof(*d));
	d->secs = 7200;
	if (**s == 'M') {
		(*s)++;
		if (posix_num(s, 12, &a) != 0 || a < 1 || *(*s)++ != '.' ||
		    posix_num(s, 5, &b) != 0 || b < 1 || *(*s)++ != '.' ||
		    posix_num(s, 6, &c) != 0)
			return -1;
		d->kind = CAL_TZDATE_MWD;
		d->month = (int)a, d->week = (int)b, d->wday = (int)c;
	} else if (**s == 'J') {
		(*s)++;
		if (posix_num(s, 365, &a) != 0 || a < 1)
			return -1;
		d->kind = CAL_TZDATE_JULIAN1, d->yday = (int)a;
	} else {
		if (posix_num(s, 365, &a) != 0)
			return -1;
		d->kind = CAL_TZDATE_JULIAN0, d->yday = (int)a;
	}
	if (**s == '/' && ((*s)++, posix_hms(s, 167, &d->secs) != 0))
		return -1;
	return 0;
}

/* posix_swap - a negative DST: keep the larger offset as "daylight" */
static void
posix_swap(struct cal_tzrule *r)
{
	struct cal_tzdate d = r->to_dst;
	int32_t o = r->std_off;

	r->std_off = r->dst_off;
	r->dst_off = o;
	r->to_dst = r->to_std;
	r->to_std = d;
}

int
cal_tzrule_posix(struct cal_tzrule *r, const char *s)
{
	int32_t w;

	memset(r, 0, sizeof(*r));
	if (posix_name(&s) != 0 || posix_hms(&s, 24, &w) != 0)
		return -1;
	r->std_off = -w;
	if (*s == '\0')
		return 0;
	if (posix_name(&s) != 0)
		return -1;
	r->dst_off = r->std_off + 3600;
	if (*s != ',' && *s != '\0') {
		if (posix_hms(&s, 24, &w) != 0)
			return -1;
		r->dst_off = -w;
	}
	/* tzdata always writes the dates; POSIX leaves the default open */
	if (*s++ != ',' || posix_date(&s, &r->to_dst) != 0 || *s++ != ',' ||
	    posix_date(&s, &r->to_std) != 0 || *s != '\0')
		return -1;
	r->has_dst = r->dst_off != r->std_off;
	if (r->dst_off < r->std_off)
		posix_swap(r);
	return 0;
}
