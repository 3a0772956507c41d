/*
 * cal_meaning.c - the meaning check (N-4, N-5, N-10): before a rewritten
 * object leaves calmilter, it must describe the same events as its input
 *
 * Both texts are parsed by libical and reduced to a sorted list of facts
 * (cal_facts.h): for every VEVENT, VTODO, VJOURNAL and VFREEBUSY, its
 * identity (UID, RECURRENCE-ID), the UTC instant and length of every
 * occurrence within a bounded horizon (RRULE, RDATE and EXDATE expanded by
 * libical's own iterator, times read through the object's VTIMEZONEs,
 * cal_occur.c), its organizer and attendees with their parameters of
 * record, its alarms (when each fires, relative to the start), its human
 * text and its extensions. Any fact present on one side only is a
 * difference, unless a rule applied to this object declares it
 * (cal_allow.c); then the caller rolls the part back.
 *
 * The input is read as its sender meant it where libical alone would drop a
 * property for its spelling (cal_lenient.c); the output is read by libical
 * as it is, and must hold no parse error.
 *
 * Expanding occurrences is dear, so it is done only when it can matter:
 * first each component's time-defining properties (DTSTART, DTEND, DUE,
 * DURATION, RRULE, RDATE, EXDATE, RECURRENCE-ID, as libical reads them) and
 * every VTIMEZONE definition are compared as facts. When all of them agree,
 * the occurrence sets agree by construction; when any differs, every series
 * is expanded on both sides and compared instant by instant, at most
 * lim->max_expansion iterator steps in all (MaxExpansion): past that the
 * object is left as it is (CAL_LIMIT).
 *
 * libical is also the judge of R-LEX-10: a property it cannot parse is a
 * finding; when the value is empty (valid TEXT per RFC 5545 3.3.11, which
 * libical wrongly refuses) it is benign.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal_facts.h"
#include "cal_tz.h"

/* struct side - how one side is reduced to facts */
struct side {
	unsigned		 allow;
	int			 output;	/* the rewritten side */
	int			 expand;	/* occurrences, not fingerprints */
	struct cal_occur_env	 occ;
};

static const icalproperty_kind time_kinds[] = {
	ICAL_DTSTART_PROPERTY, ICAL_DTEND_PROPERTY, ICAL_DUE_PROPERTY,
	ICAL_DURATION_PROPERTY, ICAL_RRULE_PROPERTY, ICAL_RDATE_PROPERTY,
	ICAL_EXDATE_PROPERTY, ICAL_RECURRENCEID_PROPERTY, ICAL_NO_PROPERTY
};

/* comp_time_fact - "T key <every time-defining property, as libical reads
 * it>": equal on both sides means equal occurrences */
static void
comp_time_fact(icalcomponent *c, const char *key, struct cal_facts *f)
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
	cal_facts_add(f, 'T', key, "%s", buf != NULL ? buf : "");
	free(buf);
}

/* zone_facts - "Z <VTIMEZONE as libical writes it>" for every zone */
static void
zone_facts(icalcomponent *root, struct cal_facts *f)
{
	icalcomponent *c;
	char *t;

	if (icalcomponent_isa(root) == ICAL_VTIMEZONE_COMPONENT) {
		t = icalcomponent_as_ical_string_r(root);
		cal_facts_add(f, 'Z', "", "%s", t != NULL ? t : "");
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

static const char *const person_params[] = {
	"CN", "PARTSTAT", "ROLE", "RSVP", "CUTYPE", "SENT-BY",
	"DELEGATED-TO", "DELEGATED-FROM", "EMAIL", NULL
};

/* prop_person - ORGANIZER or ATTENDEE with the parameters of record (N-3) */
static void
prop_person(icalproperty *p, const char *key, unsigned allow,
    struct cal_facts *f)
{
	char params[1024] = "", *v, *pv, *email, *addr;
	size_t i, off = 0;

	for (i = 0; person_params[i] != NULL && off < sizeof(params); i++) {
		pv = icalproperty_get_parameter_as_string_r(p,
		    person_params[i]);
		off += (size_t)snprintf(params + off, sizeof(params) - off,
		    " %s=%s", person_params[i], pv != NULL ? pv : "");
		free(pv);
	}
	v = value_text(p);
	email = icalproperty_get_parameter_as_string_r(p, "EMAIL");
	addr = cal_allow_person_value(v != NULL ? v : "", email, allow);
	if (addr == NULL)
		f->oom = 1;
	else
		cal_facts_add(f, 'A', key, "%s %s%s",
		    icalproperty_get_property_name(p), addr, params);
	free(addr);
	free(email);
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
comp_props(icalcomponent *c, const char *key, unsigned allow,
    struct cal_facts *f)
{
	icalproperty *p;
	icalproperty_kind k;
	char *v;

	for (p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
	    p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
		k = icalproperty_isa(p);
		if (k == ICAL_ORGANIZER_PROPERTY || k == ICAL_ATTENDEE_PROPERTY) {
			prop_person(p, key, allow, f);
		} else if (k == ICAL_XLICERROR_PROPERTY) {
			cal_facts_add(f, 'E', key, "%s",
			    icalproperty_get_xlicerror(p));
		} else if (is_fact_prop(p)) {
			v = value_text(p);
			cal_facts_add(f, 'P', key, "%s %s",
			    icalproperty_get_property_name(p), v ? v : "");
			free(v);
		}
	}
}

/*
 * alarm_when - when an alarm fires: seconds after the start for a relative
 * TRIGGER (RELATED=END counted from the end), the UTC instant for an
 * absolute one. The length is computed only for RELATED=END: it reads the
 * zone, and libical's expansion of some zones is dear.
 */
static void
alarm_when(icalcomponent *c, icalproperty *p, char *buf, size_t blen)
{
	struct icaltriggertype tr;
	icalparameter *rel;
	long long secs, len;

	if (p == NULL) {
		snprintf(buf, blen, "-");
		return;
	}
	tr = icalproperty_get_trigger(p);
	if (!icaltime_is_null_time(tr.time)) {
		buf[0] = '@';
		cal_fact_instant(buf + 1, blen - 1, tr.time);
		return;
	}
	secs = icaldurationtype_as_int(tr.duration);
	rel = icalproperty_get_first_parameter(p, ICAL_RELATED_PARAMETER);
	if (rel == NULL || icalparameter_get_related(rel) != ICAL_RELATED_END) {
		snprintf(buf, blen, "%+lld", secs);
		return;
	}
	len = cal_occur_length(c, icalcomponent_get_dtstart(c));
	if (len >= 0)
		snprintf(buf, blen, "%+lld", secs + len);
	else
		snprintf(buf, blen, "END%+lld", secs);
}

static void
comp_alarms(icalcomponent *c, const char *key, struct cal_facts *f)
{
	icalcomponent *a;
	icalproperty *p;
	char when[48], *act;

	for (a = icalcomponent_get_first_component(c, ICAL_VALARM_COMPONENT); a;
	    a = icalcomponent_get_next_component(c, ICAL_VALARM_COMPONENT)) {
		alarm_when(c, icalcomponent_get_first_property(a,
		    ICAL_TRIGGER_PROPERTY), when, sizeof(when));
		p = icalcomponent_get_first_property(a, ICAL_ACTION_PROPERTY);
		act = p != NULL ? value_text(p) : strdup("-");
		cal_facts_add(f, 'L', key, "%s %s", act ? act : "", when);
		free(act);
	}
}

static int
is_scheduling(icalcomponent_kind k)
{
	return k == ICAL_VEVENT_COMPONENT || k == ICAL_VTODO_COMPONENT ||
	    k == ICAL_VJOURNAL_COMPONENT || k == ICAL_VFREEBUSY_COMPONENT;
}

/* comp_key - "VEVENT[uid|recurrence-id]" (transfer full) */
static char *
comp_key(icalcomponent *c, const struct side *s)
{
	char rid[40] = "-", *key;
	icalproperty *p;
	const char *uid;
	size_t n;

	p = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
	if (p != NULL)
		cal_fact_instant(rid, sizeof(rid),
		    icalproperty_get_datetime_with_component(p, c));
	uid = icalcomponent_get_uid(c);
	if (uid == NULL)
		uid = "";
	if (s->output)
		uid = cal_allow_uid(uid, s->allow);
	n = strlen(uid) + strlen(rid) + 32;
	if ((key = malloc(n)) != NULL)
		snprintf(key, n, "%s[%s|%s]",
		    icalcomponent_kind_to_string(icalcomponent_isa(c)), uid,
		    rid);
	return key;
}

/* comp_facts - every fact of one scheduling component */
static void
comp_facts(icalcomponent *c, const struct side *s, struct cal_facts *f)
{
	char *key = comp_key(c, s);

	if (key == NULL) {
		f->oom = 1;
		return;
	}
	cal_facts_add(f, 'C', key, "-");
	if (s->expand)
		cal_occur_facts(c, key, &s->occ, f);
	else
		comp_time_fact(c, key, f);
	comp_props(c, key, s->allow, f);
	comp_alarms(c, key, f);
	free(key);
}

/* calendar_facts - facts of every scheduling component under root */
static void
calendar_facts(icalcomponent *root, const struct side *s,
    struct cal_facts *f)
{
	icalcomponent *c;

	if (is_scheduling(icalcomponent_isa(root))) {
		comp_facts(root, s, f);
		return;
	}
	for (c = icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT); c;
	    c = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT))
		calendar_facts(c, s, f);
}

/* is_benign - libical refuses empty values, which RFC 5545 allows */
static int
is_benign(const char *msg)
{
	return msg != NULL && strncmp(msg, "No value for ", 13) == 0;
}

/* side_facts - reduce a parsed object; fingerprints or occurrences */
static int
side_facts(icalcomponent *root, const struct side *s, struct cal_facts *f)
{
	cal_facts_free(f);
	calendar_facts(root, s, f);
	if (!s->expand)
		zone_facts(root, f);
	if (f->oom)
		return -2;
	cal_facts_sort(f);
	return 0;
}

/* time_differs - do the T or Z facts of the two sides differ? */
static int
time_differs(const struct cal_facts *a, const struct cal_facts *b)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < a->n && a->v[i].s[0] != 'T' && a->v[i].s[0] != 'Z')
			i++;
		while (j < b->n && b->v[j].s[0] != 'T' && b->v[j].s[0] != 'Z')
			j++;
		if (i == a->n || j == b->n)
			return i != a->n || j != b->n;
		if (strcmp(a->v[i++].s, b->v[j++].s) != 0)
			return 1;
	}
}

/*
 * both_facts - facts of both sides: fingerprints when the times agree,
 * occurrences when they do not (the input first: it sets the horizons).
 * -2 on out of memory, -3 past MaxExpansion.
 */
static int
both_facts(icalcomponent *ra, icalcomponent *rb, const struct cal_limits *lim,
    unsigned allow, struct cal_facts *a, struct cal_facts *b)
{
	struct cal_horizons hz = { 0 };
	struct cal_work work = { 0, lim->max_expansion, 0 };
	struct side sa = { allow, 0, 0, { lim->max_instances, 0, &hz, 1,
	    &work } };
	struct side sb = { allow, 1, 0, { lim->max_instances,
	    (size_t)lim->max_instances * 100, &hz, 0, &work } };
	int r = -2;

	if (side_facts(ra, &sa, a) != 0 || side_facts(rb, &sb, b) != 0)
		goto out;
	r = 0;
	if (!time_differs(a, b))
		goto out;
	sa.expand = sb.expand = 1;
	r = -2;
	if (side_facts(ra, &sa, a) != 0 || hz.oom ||
	    side_facts(rb, &sb, b) != 0)
		goto out;
	r = work.over ? -3 : 0;
out:
	cal_horizons_free(&hz);
	return r;
}

/* first_error - the first non-benign "E" fact, or NULL */
static const char *
first_error(const struct cal_facts *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->v[i].s[0] == 'E' && !is_benign(cal_fact_rest(&f->v[i])))
			return f->v[i].s + 2;
	return NULL;
}

/* facts_match - exact matches by merging the sorted lists */
static void
facts_match(const struct cal_facts *a, const struct cal_facts *b, char *ma,
    char *mb)
{
	size_t i = 0, j = 0;
	int c;

	while (i < a->n && j < b->n) {
		c = strcmp(a->v[i].s, b->v[j].s);
		if (c == 0)
			ma[i++] = mb[j++] = 1;
		else if (c < 0)
			i++;
		else
			j++;
	}
}

/* facts_pair - pair the unmatched facts the allowances let change */
static void
facts_pair(const struct cal_facts *a, const struct cal_facts *b,
    unsigned allow, char *ma, char *mb)
{
	size_t i, j;

	if (allow == 0)
		return;
	for (i = 0; i < a->n; i++)
		for (j = 0; !ma[i] && j < b->n; j++)
			if (!mb[j] && cal_allow_pair(&a->v[i], &b->v[j], allow))
				ma[i] = mb[j] = 1;
}

/* facts_diff - the first fact on one side only after the allowances */
static const char *
facts_diff(const struct cal_facts *a, const struct cal_facts *b,
    unsigned allow, char *side)
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
	facts_pair(a, b, allow, ma, mb);
	for (i = 0; d == NULL && i < a->n; i++)
		if (!ma[i] && !cal_allow_gone(&a->v[i], b, allow))
			d = a->v[i].s, *side = '-';
	for (j = 0; d == NULL && j < b->n; j++)
		if (!mb[j] && !cal_allow_new(&b->v[j], a, allow))
			d = b->v[j].s, *side = '+';
	free(ma);
	free(mb);
	return d;
}

/* parse_input - the input as its sender meant it (cal_lenient.c) */
static icalcomponent *
parse_input(const char *before, int *oom)
{
	char *lenient = cal_lenient_text(before, oom);
	icalcomponent *root;

	root = icalparser_parse_string(lenient != NULL ? lenient : before);
	free(lenient);
	if (root != NULL)
		cal_lenient_rrules(root);
	return root;
}

/* judge - the verdict on two parsed sides; see cal_meaning_check */
static int
judge(icalcomponent *ra, icalcomponent *rb, const struct cal_limits *lim,
    unsigned allow, struct cal_report *rep, char *why, size_t whylen)
{
	struct cal_facts a = { 0 }, b = { 0 };
	const char *d;
	char side = ' ';
	int ret = 1, r;

	if ((d = cal_recur_unsafe(ra)) != NULL ||
	    (d = cal_recur_unsafe(rb)) != NULL) {
		cal_report_add(rep, "R-LEX-10", CAL_REPORT, "libical cannot "
		    "expand %s in bounded time; left as it is", d);
		ret = -1;
	} else if ((r = both_facts(ra, rb, lim, allow, &a, &b)) == -3) {
		cal_report_add(rep, "LIMIT", CAL_REPORT, "MaxExpansion (%zu): "
		    "more occurrences to compare; left as it is",
		    lim->max_expansion);
		ret = -3;
	} else if (r != 0) {
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
	cal_facts_free(&a);
	cal_facts_free(&b);
	return ret;
}

int
cal_meaning_check(const char *before, const char *after,
    const struct cal_limits *lim, unsigned allow, struct cal_report *rep,
    char *why, size_t whylen)
{
	return cal_meaning_check_tz(before, after, lim, allow, NULL, rep, why,
	    whylen);
}

int
cal_meaning_check_tz(const char *before, const char *after,
    const struct cal_limits *lim, unsigned allow, const struct cal_tzset *tz,
    struct cal_report *rep, char *why, size_t whylen)
{
	int oom = 0, ret;
	icalcomponent *ra = parse_input(before, &oom);
	icalcomponent *rb = icalparser_parse_string(after);

	if (oom) {
		ret = -2;
	} else if (ra == NULL) {
		cal_report_add(rep, "R-LEX-10", CAL_REPORT, "libical cannot "
		    "parse the object; left as it is");
		ret = -1;
	} else if (rb == NULL) {
		snprintf(why, whylen, "libical cannot parse the result");
		ret = 0;
	} else if (cal_tzset_attach(tz, ra, 1) != 0 ||
	    cal_tzset_attach(tz, rb, 0) != 0) {
		ret = -2;	/* TZIDs read as R-TZ-2 resolved them */
	} else {
		ret = judge(ra, rb, lim, allow, rep, why, whylen);
	}
	if (ra != NULL)
		icalcomponent_free(ra);
	if (rb != NULL)
		icalcomponent_free(rb);
	return ret;
}
