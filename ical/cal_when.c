/*
 * cal_when.c - DATE and DATE-TIME values of the content-line tree: their
 * kind (date, floating, UTC, zoned), their instant through the zone their
 * TZID resolves to (cal_doc_zone, R-TZ-2), and the same instant written in
 * the form of another value
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal_recur.h"

int
cal_when_parse(struct cal_when *w, struct cal_doc *doc,
    const struct cal_prop *p, const char *value)
{
	char *tzid;
	int r = CAL_WHEN_OK;

	memset(w, 0, sizeof(*w));
	if (cal_time_parse(&w->t, value) != 0)
		return CAL_WHEN_BAD;
	if (w->t.is_date) {
		w->kind = CAL_WHEN_DATE;
		return CAL_WHEN_OK;
	}
	if (w->t.is_utc) {
		w->kind = CAL_WHEN_UTC;
		return CAL_WHEN_OK;
	}
	tzid = cal_param_get(p, "TZID");
	if (tzid == NULL) {
		w->kind = CAL_WHEN_FLOATING;
		return CAL_WHEN_OK;
	}
	w->kind = CAL_WHEN_ZONED;
	if (strlen(tzid) >= sizeof(w->tzid))
		r = CAL_WHEN_BAD;
	else {
		snprintf(w->tzid, sizeof(w->tzid), "%s", tzid);
		w->zone = cal_doc_zone(doc, tzid);
		if (w->zone == NULL)
			r = CAL_WHEN_NOZONE;
	}
	free(tzid);
	return r;
}

int
cal_when_prop(struct cal_when *w, struct cal_doc *doc,
    const struct cal_prop *p)
{
	char v[64];
	size_t n = strcspn(p->value, ",");

	if (n >= sizeof(v)) {
		memset(w, 0, sizeof(*w));
		return CAL_WHEN_BAD;
	}
	snprintf(v, sizeof(v), "%.*s", (int)n, p->value);
	return cal_when_parse(w, doc, p, v);
}

void
cal_when_format(const struct cal_when *w, char *buf, size_t len)
{
	if (cal_time_format(buf, len, &w->t) != 0 && len > 0)
		buf[0] = '\0';
}

int
cal_when_same_form(const struct cal_when *a, const struct cal_when *b)
{
	return a->kind == b->kind &&
	    (a->kind != CAL_WHEN_ZONED || cal_streq(a->tzid, b->tzid));
}

int
cal_when_utc(const struct cal_when *w, int64_t *utc)
{
	if (w->kind == CAL_WHEN_UTC) {
		*utc = w->t.secs;
		return 0;
	}
	if (w->kind != CAL_WHEN_ZONED || w->zone == NULL)
		return -1;
	return cal_zone_to_utc(w->zone, w->t.secs, utc) == 0 ? 0 : 1;
}

int
cal_when_like(struct cal_when *out, int64_t utc, const struct cal_when *like)
{
	*out = *like;
	out->t.is_date = 0;
	if (like->kind == CAL_WHEN_UTC) {
		out->t.secs = utc;
		out->t.is_utc = 1;
		return 0;
	}
	if (like->kind != CAL_WHEN_ZONED || like->zone == NULL)
		return -1;
	out->t.secs = cal_zone_to_local(like->zone, utc);
	out->t.is_utc = 0;
	return 0;
}

int
cal_when_set_params(struct cal_prop *p, const struct cal_when *w)
{
	if (cal_prop_set_param(p, "VALUE",
	    w->kind == CAL_WHEN_DATE ? "DATE" : NULL) != 0)
		return -1;
	return cal_prop_set_param(p, "TZID",
	    w->kind == CAL_WHEN_ZONED ? w->tzid : NULL);
}

struct icaltimetype
cal_ical(int64_t secs, int is_date)
{
	struct icaltimetype t = icaltime_from_timet_with_zone((time_t)secs,
	    is_date, NULL);

	t.zone = NULL;
	return t;
}

int64_t
cal_ical_secs(struct icaltimetype t)
{
	t.zone = NULL;
	if (t.is_date) {
		t.is_date = 0;
		t.hour = t.minute = t.second = 0;
	}
	return (int64_t)icaltime_as_timet(t);
}
