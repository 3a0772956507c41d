/*
 * cal_rrule.c - RRULE values as their parts (RFC 5545 3.3.10), read
 * leniently (blanks, case, empty parts) and written tidily (FREQ first, the
 * other parts in their order); and a rule's instances from a start, by
 * libical's iterator on local times
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal_recur.h"

#define SERIES_STEPS 200000	/* iterations per expansion, at most */

const char *
cal_rrule_get(const struct cal_rrule *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->part[i].name, name) == 0)
			return r->part[i].value;
	return NULL;
}

int
cal_rrule_set(struct cal_rrule *r, const char *name, const char *value)
{
	size_t i;

	if (strlen(name) >= sizeof(r->part[0].name) ||
	    strlen(value) >= sizeof(r->part[0].value))
		return -1;
	for (i = 0; i < r->n && strcmp(r->part[i].name, name) != 0; i++)
		;
	if (i == r->n) {
		if (r->n == CAL_RRULE_PARTS)
			return -1;
		r->n++;
	}
	snprintf(r->part[i].name, sizeof(r->part[i].name), "%s", name);
	snprintf(r->part[i].value, sizeof(r->part[i].value), "%s", value);
	return 0;
}

void
cal_rrule_del(struct cal_rrule *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->part[i].name, name) == 0) {
			memmove(&r->part[i], &r->part[i + 1],
			    (r->n - i - 1) * sizeof(r->part[0]));
			r->n--;
			return;
		}
}

/* rrule_word - one part without blanks, upper case; *untidy when it
 * changed; -1 when it does not fit */
static int
rrule_word(const char *s, size_t n, char *out, size_t len, int *untidy)
{
	size_t i, o = 0;
	char c;

	for (i = 0; i < n; i++) {
		if (isspace((unsigned char)s[i])) {
			*untidy = 1;
			continue;
		}
		c = (char)toupper((unsigned char)s[i]);
		if (c != s[i])
			*untidy = 1;
		if (o + 1 >= len)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* rrule_add - one "NAME=VALUE" part; a repeated one must be the same */
static int
rrule_add(struct cal_rrule *r, const char *part)
{
	const char *eq = strchr(part, '='), *old;
	char name[16];

	if (eq == NULL || eq == part || (size_t)(eq - part) >= sizeof(name))
		return -1;
	snprintf(name, sizeof(name), "%.*s", (int)(eq - part), part);
	old = cal_rrule_get(r, name);
	if (old != NULL) {
		r->untidy = 1;
		return strcmp(old, eq + 1) == 0 ? 0 : -1;
	}
	return cal_rrule_set(r, name, eq + 1);
}

int
cal_rrule_parse(struct cal_rrule *r, const char *text)
{
	char part[CAL_RRULE_VALUE + 16];
	size_t n;

	memset(r, 0, sizeof(*r));
	for (; *text != '\0'; text += n + (text[n] == ';')) {
		n = strcspn(text, ";");
		if (text[n] == ';' && text[n + 1] == '\0')
			r->untidy = 1;	/* a trailing ';' */
		if (rrule_word(text, n, part, sizeof(part), &r->untidy) != 0)
			return -1;
		if (part[0] == '\0') {
			r->untidy = 1;
			continue;
		}
		if (rrule_add(r, part) != 0)
			return -1;
	}
	if (cal_rrule_get(r, "FREQ") == NULL)
		return -1;
	if (strcmp(r->part[0].name, "FREQ") != 0)
		r->untidy = 1;
	return 0;
}

int
cal_rrule_format(const struct cal_rrule *r, char *buf, size_t len)
{
	size_t i, o;
	int n;

	n = snprintf(buf, len, "FREQ=%s", cal_rrule_get(r, "FREQ"));
	if (n < 0 || (size_t)n >= len)
		return -1;
	o = (size_t)n;
	for (i = 0; i < r->n; i++) {
		if (strcmp(r->part[i].name, "FREQ") == 0)
			continue;
		n = snprintf(buf + o, len - o, ";%s=%s", r->part[i].name,
		    r->part[i].value);
		if (n < 0 || (size_t)n >= len - o)
			return -1;
		o += (size_t)n;
	}
	return 0;
}

size_t
cal_rrule_count(const struct cal_rrule *r, const char *name)
{
	const char *v = cal_rrule_get(r, name);
	size_t n = 1;

	if (v == NULL)
		return 0;
	for (; *v != '\0'; v++)
		n += *v == ',';
	return n;
}

int
cal_rrule_weekday(const char *s, int *ord)
{
	static const char *const days[] = {
		"SU", "MO", "TU", "WE", "TH", "FR", "SA"
	};
	char *end;
	long n = 0;
	int i;

	if (*s == '+' || *s == '-' || isdigit((unsigned char)*s)) {
		n = strtol(s, &end, 10);
		if (end == s || n == 0 || n < -53 || n > 53)
			return -1;
		s = end;
	}
	for (i = 0; i < 7; i++)
		if (strcmp(s, days[i]) == 0) {
			*ord = (int)n;
			return i + 1;
		}
	return -1;
}

/* series_until - UNTIL as local seconds of the start's kind; 0 none,
 * 1 set, -1 cannot be read */
static int
series_until(const struct cal_rrule *r, const struct cal_when *start,
    int64_t *until)
{
	const char *u = cal_rrule_get(r, "UNTIL");
	struct cal_time t;

	if (u == NULL)
		return 0;
	if (cal_time_parse(&t, u) != 0)
		return -1;
	*until = t.secs;
	if (t.is_date && start->kind != CAL_WHEN_DATE)
		*until += 86400 - 1;	/* the whole day */
	else if (t.is_utc && start->kind == CAL_WHEN_ZONED) {
		if (start->zone == NULL)
			return -1;
		*until = cal_zone_to_local(start->zone, t.secs);
	}
	return 1;
}

/* series_recur - libical's reading of the rule without its UNTIL */
static int
series_recur(const struct cal_rrule *r, struct icalrecurrencetype *out)
{
	struct cal_rrule copy = *r;
	char text[CAL_RRULE_PARTS * (CAL_RRULE_VALUE + 16)];

	cal_rrule_del(&copy, "UNTIL");
	if (cal_rrule_format(&copy, text, sizeof(text)) != 0)
		return -1;
	*out = icalrecurrencetype_from_string(text);
	icalerror_clear_errno();
	if (out->rscale != NULL) {	/* ours to free; R-RR-4 refuses it */
		free(out->rscale);
		out->rscale = NULL;
		return -1;
	}
	return out->freq == ICAL_NO_RECURRENCE ? -1 : 0;
}

static int
series_add(struct cal_series *s, int64_t t, size_t *cap)
{
	int64_t *v;

	if (s->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		v = realloc(s->v, *cap * sizeof(*v));
		if (v == NULL)
			return -1;
		s->v = v;
	}
	s->v[s->n++] = t;
	return 0;
}

int
cal_series_expand(struct cal_series *s, const struct cal_rrule *r,
    const struct cal_when *start, size_t max)
{
	struct icalrecurrencetype rec;
	icalrecur_iterator *it;
	struct icaltimetype t;
	int64_t until = INT64_MAX, x;
	size_t cap = 0, steps = 0;
	int hasu = series_until(r, start, &until), ret = 0;

	memset(s, 0, sizeof(*s));
	if (hasu < 0 || series_recur(r, &rec) != 0)
		return -1;
	it = icalrecur_iterator_new(rec, cal_ical(start->t.secs,
	    start->kind == CAL_WHEN_DATE));
	if (it == NULL || series_add(s, start->t.secs, &cap) != 0) {
		ret = -1;
		goto out;
	}
	while (steps++ < SERIES_STEPS) {
		t = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(t) || (x = cal_ical_secs(t)) > until)
			break;
		if (x == start->t.secs)
			continue;	/* the start, given by the iterator */
		if (s->n == max) {
			s->more = 1;
			break;
		}
		if (series_add(s, x, &cap) != 0) {
			ret = -1;
			break;
		}
	}
	if (steps > SERIES_STEPS)
		s->more = 1;	/* not known to end: as if it went on */
out:
	if (it != NULL)
		icalrecur_iterator_free(it);
	if (ret != 0)
		cal_series_free(s);
	return ret;
}

void
cal_series_free(struct cal_series *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

long
cal_series_find(const struct cal_series *s, int64_t t)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i] == t)
			return (long)i;
	return -1;
}
