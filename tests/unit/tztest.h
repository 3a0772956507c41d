/*
 * tztest.h - an independent reading of instants for the time-zone tests
 * (include after unit.h): libical parses the text, its own tz files (its
 * builtin zones) stand in for TZIDs the text leaves undefined, and its own
 * recurrence expansion (icalcomponent_foreach_recurrence) lists every
 * occurrence. Nothing of calmilter's ical/ is used, so a wrong VTIMEZONE,
 * a wrong rule or a wrong reading in the core shows up as a difference.
 */
#ifndef CALMILTER_TZTEST_H
#define CALMILTER_TZTEST_H

#include <libical/ical.h>

#define TT_MAX   100                 /* occurrences per component ... */
#define TT_SPAN  (3LL * 366 * 86400) /* ... within three years */
#define TT_LINES 20000

/* struct tt_zone - a TZID and the tz zone it stands for when undefined */
struct tt_zone {
	const char *tzid;
	const char *iana;
};

struct tt_list {
	char **v;
	size_t n;
};

static inline icalcomponent *
tt_calendar(icalcomponent *root)
{
	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT)
		return root;
	return icalcomponent_get_first_component(root,
	                                         ICAL_VCALENDAR_COMPONENT);
}

/* tt_has_vtz - does the calendar define tzid? */
static inline int
tt_has_vtz(icalcomponent *cal, const char *tzid)
{
	icalcomponent *c;
	icalproperty *p;

	for (c = icalcomponent_get_first_component(cal,
	                                           ICAL_VTIMEZONE_COMPONENT);
	     c != NULL; c = icalcomponent_get_next_component(
	                    cal, ICAL_VTIMEZONE_COMPONENT)) {
		p = icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
		if (p != NULL && icalproperty_get_tzid(p) != NULL &&
		    strcmp(icalproperty_get_tzid(p), tzid) == 0)
			return 1;
	}
	return 0;
}

/* tt_usable - has the VTIMEZONE an observance with DTSTART and TZOFFSETTO? */
static inline int
tt_usable(icalcomponent *vtz)
{
	icalcompiter it = icalcomponent_begin_component(vtz,
	                                                ICAL_ANY_COMPONENT);
	icalcomponent *o;

	for (; (o = icalcompiter_deref(&it)) != NULL; icalcompiter_next(&it))
		if (icalcomponent_get_first_property(o, ICAL_DTSTART_PROPERTY) &&
		    icalcomponent_get_first_property(o,
		                                     ICAL_TZOFFSETTO_PROPERTY))
			return 1;
	return 0;
}

/*
 * tt_drop_empty - a VTIMEZONE of tzid with no observance that has a start
 * and an offset defines nothing: the core reads such a TZID by its name
 * (R-TZ-2), and so does this reading
 */
static inline void
tt_drop_empty(icalcomponent *cal, const char *tzid)
{
	icalcomponent *c, *next;
	icalproperty *p;

	for (c = icalcomponent_get_first_component(cal,
	                                           ICAL_VTIMEZONE_COMPONENT);
	     c != NULL; c = next) {
		next = icalcomponent_get_next_component(
		    cal, ICAL_VTIMEZONE_COMPONENT);
		p = icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
		if (p == NULL || icalproperty_get_tzid(p) == NULL ||
		    strcmp(icalproperty_get_tzid(p), tzid) != 0 || tt_usable(c))
			continue;
		icalcomponent_remove_component(cal, c);
		icalcomponent_free(c);
	}
}

/* tt_add_builtin - libical's own zone iana, named tzid, into cal */
static inline void
tt_add_builtin(icalcomponent *cal, const char *tzid, const char *iana)
{
	icaltimezone *b = icaltimezone_get_builtin_timezone(iana);
	icalcomponent *c;
	icalproperty *p;

	tt_drop_empty(cal, tzid);
	if (b == NULL || tt_has_vtz(cal, tzid))
		return;
	c = icalcomponent_new_clone(icaltimezone_get_component(b));
	p = icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
	icalproperty_set_tzid(p, tzid);
	icalcomponent_add_component(cal, c);
}

static inline int
tt_floating(icalproperty *p)
{
	struct icaltimetype t =
	    icalproperty_get_datetime_with_component(p, NULL);

	return icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER) ==
	           NULL &&
	       !icaltime_is_null_time(t) && !t.is_date && !icaltime_is_utc(t);
}

/* tt_bind - floating DATE-TIMEs of timed VEVENTs read in zone tzid */
static inline void
tt_bind(icalcomponent *cal, const char *tzid)
{
	static const icalproperty_kind kinds[] = {
	    ICAL_DTSTART_PROPERTY, ICAL_DTEND_PROPERTY,
	    ICAL_RECURRENCEID_PROPERTY, ICAL_RDATE_PROPERTY,
	    ICAL_EXDATE_PROPERTY, ICAL_NO_PROPERTY};
	icalcomponent *ev;
	icalproperty *p;
	size_t i;

	for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     ev != NULL;
	     ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		p = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
		if (p == NULL || !tt_floating(p))
			continue;
		for (i = 0; kinds[i] != ICAL_NO_PROPERTY; i++)
			for (p = icalcomponent_get_first_property(ev, kinds[i]);
			     p != NULL;
			     p = icalcomponent_get_next_property(ev, kinds[i]))
				if (tt_floating(p))
					icalproperty_set_parameter(
					    p, icalparameter_new_tzid(tzid));
	}
}

struct tt_occ {
	struct tt_list *out;
	const char *key;
	size_t n;
};

static inline void
tt_add(struct tt_list *l, const char *s)
{
	if (l->n >= TT_LINES)
		return;
	if (l->n % 64 == 0)
		l->v = realloc(l->v, (l->n + 64) * sizeof(*l->v));
	assert_non_null(l->v);
	l->v[l->n] = strdup(s);
	assert_non_null(l->v[l->n]);
	l->n++;
}

static inline void
tt_span(icalcomponent *comp, struct icaltime_span *span, void *data)
{
	struct tt_occ *o = data;
	char line[600];

	(void)comp;
	if (o->n++ >= TT_MAX)
		return;
	snprintf(line, sizeof(line), "%s %lld %lld", o->key,
	         (long long)span->start, (long long)span->end);
	tt_add(o->out, line);
}

/* tt_key - "UID|RECURRENCE-ID as UTC seconds" */
static inline void
tt_key(icalcomponent *c, char *key, size_t len)
{
	icalproperty *p =
	    icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
	struct icaltimetype rid;
	const char *uid = icalcomponent_get_uid(c);
	long long r = 0;

	if (p != NULL) {
		rid = icalproperty_get_datetime_with_component(p, c);
		r = (long long)icaltime_as_timet_with_zone(
		    rid, rid.zone != NULL ? rid.zone
		                          : icaltimezone_get_utc_timezone());
	}
	snprintf(key, len, "%.400s|%lld", uid != NULL ? uid : "", r);
}

static inline void
tt_comp(icalcomponent *c, struct tt_list *out)
{
	struct icaltimetype s = icalcomponent_get_dtstart(c), a, b;
	icaltimezone *utc = icaltimezone_get_utc_timezone();
	char key[512];
	struct tt_occ o = {out, key, 0};
	time_t t0;

	if (icaltime_is_null_time(s))
		return;
	tt_key(c, key, sizeof(key));
	t0 = icaltime_as_timet_with_zone(s, s.zone != NULL ? s.zone : utc);
	a = icaltime_from_timet_with_zone(t0 - 2 * 86400, 0, utc);
	b = icaltime_from_timet_with_zone(t0 + TT_SPAN, 0, utc);
	icalcomponent_foreach_recurrence(c, a, b, tt_span, &o);
}

static inline int
tt_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * tt_instants - every occurrence of every VEVENT and VTODO of text: sorted
 * lines "UID|RID start end" in UTC seconds. zones: TZIDs the text leaves
 * undefined and the tz zone libical reads them in; float_tzid: read the
 * floating times of timed events in that TZID (NULL: floating). Returns 0,
 * or -1 when libical cannot parse text.
 */
static inline int
tt_instants(struct tt_list *out, const char *text, const struct tt_zone *zones,
            size_t nz, const char *float_tzid)
{
	icalcomponent *root = icalparser_parse_string(text), *cal, *c;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (root == NULL || (cal = tt_calendar(root)) == NULL) {
		if (root != NULL)
			icalcomponent_free(root);
		return -1;
	}
	for (i = 0; i < nz; i++)
		tt_add_builtin(cal, zones[i].tzid, zones[i].iana);
	if (float_tzid != NULL)
		tt_bind(cal, float_tzid);
	for (c = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT);
	     c != NULL;
	     c = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT))
		if (icalcomponent_isa(c) == ICAL_VEVENT_COMPONENT ||
		    icalcomponent_isa(c) == ICAL_VTODO_COMPONENT)
			tt_comp(c, out);
	icalcomponent_free(root);
	if (out->n > 0)
		qsort(out->v, out->n, sizeof(*out->v), tt_cmp);
	return 0;
}

static inline void
tt_free(struct tt_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* tt_same - the same occurrences; the first difference printed */
static inline int
tt_same(const struct tt_list *a, const struct tt_list *b, const char *what)
{
	size_t i;

	for (i = 0; i < a->n && i < b->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0) {
			print_message("%s: before %s, after %s\n", what,
			              a->v[i], b->v[i]);
			return 0;
		}
	if (a->n != b->n) {
		print_message("%s: %zu occurrences before, %zu after\n", what,
		              a->n, b->n);
		return 0;
	}
	return 1;
}

/* tt_has - is there an occurrence starting at utc (seconds)? */
static inline int
tt_has(const struct tt_list *l, long long utc)
{
	char want[32];
	size_t i;

	snprintf(want, sizeof(want), " %lld ", utc);
	for (i = 0; i < l->n; i++)
		if (strstr(l->v[i], want) != NULL)
			return 1;
	return 0;
}

#endif
