/*
 * cal_meaning.c - the meaning check (N-4, N-5, N-10): before a rewritten
 * object leaves calmilter, it must describe the same events as its input
 *
 * Both texts are parsed by libical and reduced to a sorted list of facts:
 * for every VEVENT, VTODO, VJOURNAL and VFREEBUSY, its identity (UID,
 * RECURRENCE-ID), the UTC instant of every occurrence's start and end within
 * a bounded horizon (RRULE, RDATE and EXDATE expanded by libical's own
 * iterator, times read through the object's VTIMEZONEs), its organizer and
 * attendees with their parameters of record, and its human text. Any fact
 * present on one side only is a difference, and the caller rolls the part
 * back.
 *
 * Expanding occurrences is dear (libical steps through ICU's calendar for
 * each one), so it is done only when it can matter: first each component's
 * time-defining properties (DTSTART, DTEND, DUE, DURATION, RRULE, RDATE,
 * EXDATE, RECURRENCE-ID, as libical reads them) and every VTIMEZONE
 * definition are compared as facts. When all of them agree, the occurrence
 * sets agree by construction; when any differs, every series is expanded
 * on both sides and compared instant by instant.
 *
 * libical is also the judge of R-LEX-10: a property it cannot parse is a
 * finding; when the value is empty (valid TEXT per RFC 5545 3.3.11, which
 * libical wrongly refuses) it is benign.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "cal_int.h"

#define FACT_MAX 512	/* one fact, truncated: enough to tell them apart */

struct facts {
	char	**v;
	size_t	  n;
	size_t	  cap;
	int	  oom;
};

static void
facts_free(struct facts *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

static void
facts_add(struct facts *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
facts_add(struct facts *f, const char *fmt, ...)
{
	char buf[FACT_MAX], **v;
	va_list ap;

	if (f->oom)
		return;
	if (f->n == f->cap) {
		v = realloc(f->v, (f->cap ? f->cap * 2 : 64) * sizeof(*v));
		if (v == NULL) {
			f->oom = 1;
			return;
		}
		f->v = v;
		f->cap = f->cap ? f->cap * 2 : 64;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if ((f->v[f->n] = strdup(buf)) == NULL)
		f->oom = 1;
	else
		f->n++;
}

/* facts_add_long - a fact of any length: "KIND key text" */
static void
facts_add_long(struct facts *f, const char *kind, const char *key,
    const char *text)
{
	size_t n = strlen(kind) + strlen(key) + strlen(text) + 3;
	char *v, **vv;

	if (f->oom)
		return;
	if (f->n == f->cap) {
		vv = realloc(f->v, (f->cap ? f->cap * 2 : 64) * sizeof(*vv));
		if (vv == NULL) {
			f->oom = 1;
			return;
		}
		f->v = vv;
		f->cap = f->cap ? f->cap * 2 : 64;
	}
	v = malloc(n);
	if (v == NULL) {
		f->oom = 1;
		return;
	}
	snprintf(v, n, "%s %s %s", kind, key, text);
	f->v[f->n++] = v;
}

/* instant - a time as text: UTC instant, floating local time, or date */
static void
instant(char *buf, size_t len, struct icaltimetype t)
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

/* seconds - a time as seconds since the epoch, read in its own zone */
static time_t
seconds(struct icaltimetype t)
{
	return icaltime_as_timet_with_zone(t, t.zone != NULL ? t.zone
	    : (icaltime_is_utc(t) ? icaltimezone_get_utc_timezone() : NULL));
}

/* comp_length - DTEND, DUE or DURATION as seconds after DTSTART */
static long long
comp_length(icalcomponent *c, struct icaltimetype start)
{
	icalproperty *p;
	struct icaltimetype end;

	if ((p = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY)))
		return icaldurationtype_as_int(icalproperty_get_duration(p));
	if (icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY) != NULL)
		end = icalcomponent_get_dtend(c);
	else if (icalcomponent_get_first_property(c, ICAL_DUE_PROPERTY))
		end = icalcomponent_get_due(c);
	else
		return -1;
	if (icaltime_is_null_time(end) || icaltime_is_null_time(start))
		return -1;
	return (long long)(seconds(end) - seconds(start));
}

struct occ {
	char	**v;
	size_t	  n;
	size_t	  cap;
	size_t	  max;
	int	  oom;
};

static void
occ_add(struct occ *o, struct icaltimetype t)
{
	char buf[40], **v;

	if (o->oom || o->n >= o->max)
		return;
	if (o->n == o->cap) {
		v = realloc(o->v, (o->cap ? o->cap * 2 : 16) * sizeof(*v));
		if (v == NULL) {
			o->oom = 1;
			return;
		}
		o->v = v;
		o->cap = o->cap ? o->cap * 2 : 16;
	}
	instant(buf, sizeof(buf), t);
	if ((o->v[o->n] = strdup(buf)) == NULL)
		o->oom = 1;
	else
		o->n++;
}

static void
occ_remove(struct occ *o, struct icaltimetype t)
{
	char buf[40];
	size_t i;

	instant(buf, sizeof(buf), t);
	for (i = 0; i < o->n; i++) {
		if (strcmp(o->v[i], buf) == 0) {
			free(o->v[i]);
			o->v[i] = o->v[--o->n];
			i--;
		}
	}
}

/* occ_rrule - expand one RRULE from start, at most o->max instances */
static void
occ_rrule(struct occ *o, icalproperty *p, struct icaltimetype start)
{
	struct icalrecurrencetype r = icalproperty_get_rrule(p);
	icalrecur_iterator *it;
	struct icaltimetype t;
	size_t steps = 0;

	it = icalrecur_iterator_new(r, start);
	if (it == NULL)
		return;
	while (steps++ < o->max) {
		t = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(t))
			break;
		t.zone = start.zone;
		occ_add(o, t);
	}
	icalrecur_iterator_free(it);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* comp_occurrences - one fact per occurrence: start instant and length */
static void
comp_occurrences(icalcomponent *c, const char *key, size_t max,
    struct facts *f)
{
	struct icaltimetype start = icalcomponent_get_dtstart(c), t;
	struct occ o = { NULL, 0, 0, max, 0 };
	icalproperty *p;
	long long len = comp_length(c, start);
	size_t i;

	if (icaltime_is_null_time(start))
		return;
	occ_add(&o, start);	/* DTSTART is always an instance */
	for (p = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY); p;
	    p = icalcomponent_get_next_property(c, ICAL_RRULE_PROPERTY))
		occ_rrule(&o, p, start);
	for (p = icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY); p;
	    p = icalcomponent_get_next_property(c, ICAL_RDATE_PROPERTY))
		occ_add(&o, icalproperty_get_datetime_with_component(p, c));
	for (p = icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY); p;
	    p = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY)) {
		t = icalproperty_get_datetime_with_component(p, c);
		occ_remove(&o, t);
	}
	if (o.n > 1)	/* o.v is NULL when occ_add ran out of memory */
		qsort(o.v, o.n, sizeof(*o.v), str_cmp);
	for (i = 0; i < o.n; i++)	/* DTSTART comes back from the iterator */
		if (i == 0 || strcmp(o.v[i], o.v[i - 1]) != 0)
			facts_add(f, "O %s %s %+lld", key, o.v[i], len);
	for (i = 0; i < o.n; i++)
		free(o.v[i]);
	if (o.oom)
		f->oom = 1;
	free(o.v);
}

static const icalproperty_kind time_kinds[] = {
	ICAL_DTSTART_PROPERTY, ICAL_DTEND_PROPERTY, ICAL_DUE_PROPERTY,
	ICAL_DURATION_PROPERTY, ICAL_RRULE_PROPERTY, ICAL_RDATE_PROPERTY,
	ICAL_EXDATE_PROPERTY, ICAL_RECURRENCEID_PROPERTY, ICAL_NO_PROPERTY
};

/* comp_time_fact - "T key <every time-defining property, as libical reads
 * it>": equal on both sides means equal occurrences */
static void
comp_time_fact(icalcomponent *c, const char *key, struct facts *f)
{
	char *t, *buf = NULL;
	size_t len = 0, n;
	icalproperty *p;
	int i;
	FILE *m = open_memstream(&buf, &len);

	if (m == NULL) {
		f->oom = 1;
		return;
	}
	for (i = 0; time_kinds[i] != ICAL_NO_PROPERTY; i++)
		for (p = icalcomponent_get_first_property(c, time_kinds[i]); p;
		    p = icalcomponent_get_next_property(c, time_kinds[i])) {
			t = icalproperty_as_ical_string_r(p);
			n = t != NULL ? strlen(t) : 0;
			if (n > 0)
				fwrite(t, 1, n, m);
			free(t);
		}
	fclose(m);
	facts_add_long(f, "T", key, buf != NULL ? buf : "");
	free(buf);
}

/* zone_facts - "Z <VTIMEZONE as libical writes it>" for every zone */
static void
zone_facts(icalcomponent *root, struct facts *f)
{
	icalcomponent *c;
	char *t;

	if (icalcomponent_isa(root) == ICAL_VTIMEZONE_COMPONENT) {
		t = icalcomponent_as_ical_string_r(root);
		facts_add_long(f, "Z", "", t != NULL ? t : "");
		free(t);
		return;
	}
	for (c = icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT); c;
	    c = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT))
		zone_facts(c, f);
}

/* value_text - a property's value as meaning, not spelling (transfer full) */
static char *
value_text(icalproperty *p)
{
	icalvalue *v = icalproperty_get_value(p);
	const char *t;

	if (v == NULL)
		return strdup("");
	if (icalvalue_isa(v) == ICAL_TEXT_VALUE) {
		t = icalvalue_get_text(v);
		return strdup(t != NULL ? t : "");
	}
	return icalvalue_as_ical_string_r(v);
}

/* param_text - one parameter's value, or "" (transfer full) */
static char *
param_text(icalproperty *p, const char *name)
{
	char *v = icalproperty_get_parameter_as_string_r(p, name);

	return v != NULL ? v : strdup("");
}

static const char *const person_params[] = {
	"CN", "PARTSTAT", "ROLE", "RSVP", "CUTYPE", "SENT-BY",
	"DELEGATED-TO", "DELEGATED-FROM", NULL
};

/* prop_person - ORGANIZER or ATTENDEE with the parameters of record (N-3) */
static void
prop_person(icalproperty *p, const char *key, struct facts *f)
{
	char params[FACT_MAX] = "", *v, *pv;
	size_t i, off = 0;

	for (i = 0; person_params[i] != NULL && off < sizeof(params); i++) {
		pv = param_text(p, person_params[i]);
		if (pv == NULL)
			continue;
		off += (size_t)snprintf(params + off, sizeof(params) - off,
		    " %s=%s", person_params[i], pv);
		free(pv);
	}
	v = value_text(p);
	facts_add(f, "A %s %s %s%s", key, icalproperty_get_property_name(p),
	    v != NULL ? v : "", params);
	free(v);
}

/* is_fact_prop - properties whose value is part of the meaning */
static int
is_fact_prop(icalproperty *p)
{
	static const icalproperty_kind kinds[] = {
		ICAL_SUMMARY_PROPERTY, ICAL_DESCRIPTION_PROPERTY,
		ICAL_LOCATION_PROPERTY, ICAL_COMMENT_PROPERTY,
		ICAL_CATEGORIES_PROPERTY, ICAL_RESOURCES_PROPERTY,
		ICAL_CONTACT_PROPERTY, ICAL_STATUS_PROPERTY, ICAL_CLASS_PROPERTY,
		ICAL_TRANSP_PROPERTY, ICAL_PRIORITY_PROPERTY,
		ICAL_SEQUENCE_PROPERTY, ICAL_URL_PROPERTY, ICAL_X_PROPERTY,
		ICAL_NO_PROPERTY
	};
	icalproperty_kind k = icalproperty_isa(p);
	size_t i;

	for (i = 0; kinds[i] != ICAL_NO_PROPERTY; i++)
		if (k == kinds[i])
			return 1;
	return 0;
}

static void
comp_props(icalcomponent *c, const char *key, struct facts *f)
{
	icalproperty *p;
	icalproperty_kind k;
	char *v;

	for (p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
	    p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
		k = icalproperty_isa(p);
		if (k == ICAL_ORGANIZER_PROPERTY || k == ICAL_ATTENDEE_PROPERTY) {
			prop_person(p, key, f);
		} else if (k == ICAL_XLICERROR_PROPERTY) {
			facts_add(f, "E %s %s", key, icalproperty_get_xlicerror(p));
		} else if (is_fact_prop(p)) {
			v = value_text(p);
			facts_add(f, "P %s %s %s", key,
			    icalproperty_get_property_name(p), v ? v : "");
			free(v);
		}
	}
}

static void
comp_alarms(icalcomponent *c, const char *key, struct facts *f)
{
	icalcomponent *a;
	icalproperty *p;
	char *trig, *act;

	for (a = icalcomponent_get_first_component(c, ICAL_VALARM_COMPONENT); a;
	    a = icalcomponent_get_next_component(c, ICAL_VALARM_COMPONENT)) {
		p = icalcomponent_get_first_property(a, ICAL_TRIGGER_PROPERTY);
		trig = p != NULL ? value_text(p) : strdup("-");
		p = icalcomponent_get_first_property(a, ICAL_ACTION_PROPERTY);
		act = p != NULL ? value_text(p) : strdup("-");
		facts_add(f, "L %s %s %s", key, act ? act : "", trig ? trig : "");
		free(trig);
		free(act);
	}
}

static int
is_scheduling(icalcomponent_kind k)
{
	return k == ICAL_VEVENT_COMPONENT || k == ICAL_VTODO_COMPONENT ||
	    k == ICAL_VJOURNAL_COMPONENT || k == ICAL_VFREEBUSY_COMPONENT;
}

/*
 * comp_facts - every fact of one scheduling component; occurrences only when
 * max > 0, the time fingerprint otherwise
 */
static void
comp_facts(icalcomponent *c, size_t max, struct facts *f)
{
	char key[FACT_MAX / 2], rid[40] = "-";
	icalproperty *p;
	const char *uid;

	p = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
	if (p != NULL)
		instant(rid, sizeof(rid),
		    icalproperty_get_datetime_with_component(p, c));
	uid = icalcomponent_get_uid(c);
	snprintf(key, sizeof(key), "%s[%s|%s]",
	    icalcomponent_kind_to_string(icalcomponent_isa(c)),
	    uid != NULL ? uid : "", rid);
	facts_add(f, "C %s", key);
	if (max > 0)
		comp_occurrences(c, key, max, f);
	else
		comp_time_fact(c, key, f);
	comp_props(c, key, f);
	comp_alarms(c, key, f);
}

/* calendar_facts - facts of every scheduling component under root */
static void
calendar_facts(icalcomponent *root, size_t max, struct facts *f)
{
	icalcomponent *c;

	if (is_scheduling(icalcomponent_isa(root))) {
		comp_facts(root, max, f);
		return;
	}
	for (c = icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT); c;
	    c = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT))
		calendar_facts(c, max, f);
}

/* is_benign - libical refuses empty values, which RFC 5545 allows */
static int
is_benign(const char *msg)
{
	return msg != NULL && strncmp(msg, "No value for ", 13) == 0;
}

/* side_facts - reduce a parsed object; max 0: fingerprints, not instants */
static int
side_facts(icalcomponent *root, size_t max, struct facts *f)
{
	facts_free(f);
	calendar_facts(root, max, f);
	if (max == 0)
		zone_facts(root, f);
	if (f->oom)
		return -2;
	if (f->n > 1)	/* f->v is NULL when empty: qsort must not see it */
		qsort(f->v, f->n, sizeof(*f->v), str_cmp);
	return 0;
}

/* time_differs - do the T or Z facts of the two sides differ? */
static int
time_differs(const struct facts *a, const struct facts *b)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < a->n && a->v[i][0] != 'T' && a->v[i][0] != 'Z')
			i++;
		while (j < b->n && b->v[j][0] != 'T' && b->v[j][0] != 'Z')
			j++;
		if (i == a->n || j == b->n)
			return i != a->n || j != b->n;
		if (strcmp(a->v[i++], b->v[j++]) != 0)
			return 1;
	}
}

/*
 * both_facts - facts of both sides: fingerprints when the times agree,
 * instants of every occurrence when they do not. -2 on out of memory.
 */
static int
both_facts(icalcomponent *ra, icalcomponent *rb, size_t max,
    struct facts *a, struct facts *b)
{
	if (side_facts(ra, 0, a) != 0 || side_facts(rb, 0, b) != 0)
		return -2;
	if (!time_differs(a, b))
		return 0;
	if (side_facts(ra, max, a) != 0 || side_facts(rb, max, b) != 0)
		return -2;
	return 0;
}

/* first_error - the first non-benign "E" fact, or NULL */
static const char *
first_error(const struct facts *f)
{
	const char *msg;
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (f->v[i][0] != 'E')
			continue;
		msg = strchr(f->v[i] + 2, ' ');
		if (msg != NULL && !is_benign(msg + 1))
			return f->v[i] + 2;
	}
	return NULL;
}

/* allowed_join - CAL_ALLOW_TEXT_JOIN: is b the text fact a, extended? */
static int
allowed_join(const char *a, const char *b)
{
	size_t n = strlen(a);

	return a[0] == 'P' && strncmp(a, b, n) == 0 && b[n] == '\n';
}

/* allowed_gone - a before-fact that may vanish under the allowances */
static int
allowed_gone(const char *a, unsigned allow)
{
	return (allow & CAL_ALLOW_TEXT_JOIN) && a[0] == 'E' &&
	    (strstr(a, "Got a data line") != NULL ||
	    strstr(a, "Parse error in property name") != NULL);
}

/* facts_match - exact matches by merging the sorted lists */
static void
facts_match(const struct facts *a, const struct facts *b, char *ma, char *mb)
{
	size_t i = 0, j = 0;
	int c;

	while (i < a->n && j < b->n) {
		c = strcmp(a->v[i], b->v[j]);
		if (c == 0)
			ma[i++] = mb[j++] = 1;
		else if (c < 0)
			i++;
		else
			j++;
	}
}

/* facts_diff - the first fact on one side only after the allowances */
static const char *
facts_diff(const struct facts *a, const struct facts *b, unsigned allow,
    char *side)
{
	char *ma = calloc(a->n + 1, 1), *mb = calloc(b->n + 1, 1);
	const char *d = NULL;
	size_t i, j;

	if (ma == NULL || mb == NULL) {
		free(ma);
		free(mb);
		*side = '!';
		return "out of memory";
	}
	facts_match(a, b, ma, mb);
	for (i = 0; i < a->n && (allow & CAL_ALLOW_TEXT_JOIN); i++)
		for (j = 0; !ma[i] && j < b->n; j++)
			if (!mb[j] && allowed_join(a->v[i], b->v[j]))
				ma[i] = mb[j] = 1;
	for (i = 0; d == NULL && i < a->n; i++)
		if (!ma[i] && !allowed_gone(a->v[i], allow))
			d = a->v[i], *side = '-';
	for (j = 0; d == NULL && j < b->n; j++)
		if (!mb[j])
			d = b->v[j], *side = '+';
	free(ma);
	free(mb);
	return d;
}

int
cal_meaning_check(const char *before, const char *after,
    const struct cal_limits *lim, unsigned allow, struct cal_report *rep,
    char *why, size_t whylen)
{
	struct facts a = { 0 }, b = { 0 };
	icalcomponent *ra = icalparser_parse_string(before);
	icalcomponent *rb = icalparser_parse_string(after);
	const char *d;
	char side = ' ';
	int ret = 1;

	if (ra == NULL) {
		cal_report_add(rep, "R-LEX-10", CAL_REPORT, "libical cannot "
		    "parse the object; left as it is");
		ret = -1;
	} else if (rb == NULL) {
		snprintf(why, whylen, "libical cannot parse the result");
		ret = 0;
	} else if (both_facts(ra, rb, lim->max_instances, &a, &b) != 0) {
		ret = -2;
	} else if ((d = first_error(&b)) != NULL) {
		cal_report_add(rep, "R-LEX-10", CAL_REPORT, "libical cannot "
		    "read: %.200s; left as it is", d);
		ret = -1;
	} else if ((d = facts_diff(&a, &b, allow, &side)) != NULL) {
		snprintf(why, whylen, "%s %.200s", side == '-' ? "lost" : "new",
		    d);
		ret = side == '!' ? -2 : 0;
	}
	facts_free(&a);
	facts_free(&b);
	if (ra != NULL)
		icalcomponent_free(ra);
	if (rb != NULL)
		icalcomponent_free(rb);
	return ret;
}
