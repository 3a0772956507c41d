/*
 * cal_facts.c - the fact list of the meaning check: adding, sorting,
 * looking up, and times written as facts
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal_facts.h"

void
cal_facts_free(struct cal_facts *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->v[i].s);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

static int
facts_reserve(struct cal_facts *f)
{
	struct cal_fact *v;
	size_t cap;

	if (f->n < f->cap)
		return 0;
	cap = f->cap ? f->cap * 2 : 64;
	v = realloc(f->v, cap * sizeof(*v));
	if (v == NULL)
		return -1;
	f->v = v;
	f->cap = cap;
	return 0;
}

void
cal_facts_add(struct cal_facts *f, char kind, const char *key,
    const char *fmt, ...)
{
	va_list ap;
	size_t klen = strlen(key) + 3;
	int n;
	char *s;

	if (f->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || facts_reserve(f) != 0 ||
	    (s = malloc(klen + (size_t)n + 1)) == NULL) {
		f->oom = 1;
		return;
	}
	snprintf(s, klen + 1, "%c %s ", kind, key);
	va_start(ap, fmt);
	vsnprintf(s + klen, (size_t)n + 1, fmt, ap);
	va_end(ap);
	f->v[f->n].s = s;
	f->v[f->n++].klen = klen;
}

static int
fact_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cal_fact *)a)->s,
	    ((const struct cal_fact *)b)->s);
}

void
cal_facts_sort(struct cal_facts *f)
{
	if (f->n > 1)	/* f->v is NULL when empty: qsort must not see it */
		qsort(f->v, f->n, sizeof(*f->v), fact_cmp);
}

int
cal_facts_has_prefix(const struct cal_facts *f, const char *p, size_t plen)
{
	size_t lo = 0, hi = f->n, mid;

	while (lo < hi) {	/* the first fact not below p */
		mid = lo + (hi - lo) / 2;
		if (strncmp(f->v[mid].s, p, plen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->n && strncmp(f->v[lo].s, p, plen) == 0;
}

const char *
cal_fact_rest(const struct cal_fact *x)
{
	return x->s + x->klen;
}

int
cal_fact_same_key(const struct cal_fact *a, const struct cal_fact *b)
{
	return a->klen == b->klen && memcmp(a->s, b->s, a->klen) == 0;
}

void
cal_fact_instant(char *buf, size_t len, struct icaltimetype t)
{
	struct icaltimetype u;

	if (icaltime_is_null_time(t)) {
		snprintf(buf, len, "-");
	} else if (t.is_date) {
		snprintf(buf, len, "D%04d%02d%02d", t.year, t.month, t.day);
	} else if (t.zone == NULL && !icaltime_is_utc(t)) {
		snprintf(buf, len, "F%04d%02d%02dT%02d%02d%02d", t.year,
		    t.month, t.day, t.hour, t.minute, t.second);
	} else {
		u = icaltime_convert_to_zone(t, icaltimezone_get_utc_timezone());
		snprintf(buf, len, "%04d%02d%02dT%02d%02d%02dZ", u.year,
		    u.month, u.day, u.hour, u.minute, u.second);
	}
}

time_t
cal_fact_seconds(struct icaltimetype t)
{
	return icaltime_as_timet_with_zone(t, t.zone != NULL ? t.zone
	    : (icaltime_is_utc(t) ? icaltimezone_get_utc_timezone() : NULL));
}
