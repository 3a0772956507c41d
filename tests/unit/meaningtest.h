/*
 * meaningtest.h - an independent judge of meaning for the tests (include
 * after unit.h): does a rewritten calendar say what its input said?
 *
 * It shares no code with ical/cal_meaning.c. Both texts are parsed by
 * libical; components are paired by kind, UID and RECURRENCE-ID; for each
 * pair the occurrences are expanded with libical's recurrence iterator
 * (RDATE added, EXDATE removed here) over a horizon of three years from the
 * start or 1000 instances of the input, whichever is nearer, and compared
 * as (UTC start, length); then organizer and attendees, summary, location,
 * description and when each alarm fires.
 *
 * The differences the project documents are accepted, each written out
 * here (README, exchange-rules.md):
 *   R-ITIP-5  a UID "calmilter-..." where the input had none;
 *   R-ITIP-7  an ORGANIZER where there was none, with the From address;
 *   R-ITIP-8  an address without its mailto: scheme or quotes, or a URI
 *             whose EMAIL parameter gives the address;
 *   R-EV-2    an all-day occurrence of length 0 lasting one day;
 *   R-RR-7    an override without the RRULE, RDATE or EXDATE it had
 *             (StripOverrideRrule yes): its own DTSTART remains;
 *   R-LEX-5   a text that regains the rest cut off by a raw newline;
 *   R-LEX-6   a character libical read as a blank (unknown escape).
 * Readings of the input, as the README documents them: a VEVENT without
 * end lasts what RFC 5545 3.6.1 implies; a DATE UNTIL includes its day; a
 * DATE EXDATE removes the instance of its day; RRULE blanks, empty parts
 * and lower case do not count, and with COUNT beside UNTIL the series ends
 * at whichever comes first; R-EV-6's date-time spellings (lower-case t/z,
 * zero fractions, numeric offsets) are read as the instant they name.
 * A caller may set mq_input_hook to read more of the input as the README
 * says: a TZID without a usable VTIMEZONE in the zone its name resolves to
 * (R-TZ-2), floating times in the zone R-TZ-8 bound them to.
 */
#ifndef CALMILTER_MEANINGTEST_H
#define CALMILTER_MEANINGTEST_H

#include <ctype.h>
#include <strings.h>

#include <libical/ical.h>

#define MQ_YEARS   3
#define MQ_MAX_IN  1000
#define MQ_MAX_OUT 50000

struct mq_list {
	char **v;
	size_t n;
	size_t cap;
};

static inline void
mq_list_add(struct mq_list *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline void
mq_list_add(struct mq_list *l, const char *fmt, ...)
{
	va_list ap;
	char buf[4096];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		assert_non_null(l->v);
	}
	l->v[l->n] = strdup(buf);
	assert_non_null(l->v[l->n]);
	l->n++;
}

static inline void
mq_list_free(struct mq_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static inline int
mq_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline void
mq_list_sort_unique(struct mq_list *l)
{
	size_t i, o = 0;

	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), mq_strcmp);
	for (i = 0; i < l->n; i++) {
		if (o > 0 && strcmp(l->v[o - 1], l->v[i]) == 0)
			free(l->v[i]);
		else
			l->v[o++] = l->v[i];
	}
	l->n = o;
}

/* ---- reading the input leniently ------------------------------------ */

/* mq_datetime - one R-EV-6 spelling as libical reads it, or 0 */
static inline int
mq_datetime(const char *s, char *out, size_t len)
{
	int y, mo, d, h = 0, mi = 0, se = 0, n = 0, off = 0, oh, om;
	struct icaltimetype t;
	char z[8] = "";

	if (sscanf(s, "%4d%2d%2d%n", &y, &mo, &d, &n) != 3 || n != 8)
		return 0;
	s += n;
	if (*s != 't' && *s != 'T')
		return 0;
	if (sscanf(s + 1, "%2d%2d%2d%n", &h, &mi, &se, &n) != 3 || n != 6)
		return 0;
	s += 7;
	if (*s == '.')
		for (s++; *s == '0'; s++)
			;
	if (*s == 'z' || *s == 'Z')
		snprintf(z, sizeof(z), "Z");
	else if ((*s == '+' || *s == '-') &&
	         sscanf(s + 1, "%2d%2d", &oh, &om) == 2) {
		off = (*s == '-' ? -1 : 1) * (oh * 3600 + om * 60);
		snprintf(z, sizeof(z), "Z");
	} else if (*s != '\0')
		return 0;
	t = icaltime_null_time();
	t.year = y, t.month = mo, t.day = d, t.hour = h, t.minute = mi;
	t.second = se;
	icaltime_adjust(&t, 0, 0, 0, -off);
	snprintf(out, len, "%04d%02d%02dT%02d%02d%02d%s", t.year, t.month,
	         t.day, t.hour, t.minute, t.second, z);
	return 1;
}

/* mq_rrule_squeeze - RRULE value without blanks and empty parts, upper
 * case (in place) */
static inline void
mq_rrule_squeeze(char *v)
{
	size_t k, w = 0;

	for (k = 0; v[k] != '\0'; k++) {
		if (isspace((unsigned char)v[k]))
			continue;
		if (v[k] == ';' && (w == 0 || v[w - 1] == ';'))
			continue;
		v[w++] = (char)toupper((unsigned char)v[k]);
	}
	while (w > 0 && v[w - 1] == ';')
		w--;
	v[w] = '\0';
}

/* mq_count_until - COUNT beside UNTIL (RFC 5545 forbids it; libical drops
 * the rule): read as ending at whichever comes first. The rule keeps its
 * UNTIL, and a line X-MQ-COUNT after it carries the COUNT. */
static inline void
mq_count_until(char *line, size_t cap)
{
	char *c = strstr(line, "COUNT="), *e;
	long n;

	if (c == NULL || strstr(line, "UNTIL=") == NULL)
		return;
	n = strtol(c + 6, &e, 10);
	if (*e == ';')
		e++;
	memmove(c, e, strlen(e) + 1);
	if (c > line && c[-1] == ';' && *c == '\0')
		c[-1] = '\0';
	snprintf(line + strlen(line), cap - strlen(line), "\r\nX-MQ-COUNT:%ld",
	         n);
}

/* mq_fix_line - one unfolded line as the sender meant it; 1 if changed */
static inline int
mq_fix_line(char *line, size_t cap)
{
	char *colon = strchr(line, ':'), val[64];

	if (colon == NULL)
		return 0;
	if (strncasecmp(line, "RRULE:", 6) == 0) {
		mq_rrule_squeeze(line + 6);
		mq_count_until(line, cap);
		return 1;
	}
	if ((strncasecmp(line, "DTSTART", 7) == 0 ||
	     strncasecmp(line, "DTEND", 5) == 0 ||
	     strncasecmp(line, "DUE", 3) == 0 ||
	     strncasecmp(line, "RECURRENCE-ID", 13) == 0) &&
	    mq_datetime(colon + 1, val, sizeof(val))) {
		snprintf(colon + 1, cap - (size_t)(colon + 1 - line), "%s", val);
		return 1;
	}
	return 0;
}

/* mq_lenient - the input unfolded, with CRLF line ends, RRULE blanks and
 * R-EV-6 spellings read as the sender meant them (transfer full) */
static inline char *
mq_lenient(const char *in)
{
	size_t len = strlen(in), i = 0, o = 0, s, l;
	char *out = malloc(len * 2 + 16), *line;

	assert_non_null(out);
	while (i < len) {
		s = i;
		line = malloc(len - s + 64);
		assert_non_null(line);
		l = 0; /* one logical line, unfolded */
		while (i < len) {
			if (in[i] == '\r' || in[i] == '\n') {
				i += (in[i] == '\r' && i + 1 < len &&
				      in[i + 1] == '\n')
				         ? 2
				         : 1;
				if (i < len && (in[i] == ' ' || in[i] == '\t')) {
					i++;
					continue;
				}
				break;
			}
			line[l++] = in[i++];
		}
		line[l] = '\0';
		mq_fix_line(line, len - s + 64);
		o += (size_t)snprintf(out + o, len * 2 + 16 - o, "%s\r\n",
		                      line);
		free(line);
	}
	out[o] = '\0';
	return out;
}

/* ---- occurrences ------------------------------------------------------ */

static inline time_t
mq_secs(struct icaltimetype t)
{
	if (icaltime_is_utc(t))
		return icaltime_as_timet_with_zone(
		    t, icaltimezone_get_utc_timezone());
	return icaltime_as_timet_with_zone(t, t.zone);
}

static inline long long
mq_length(icalcomponent *c, struct icaltimetype s)
{
	icalproperty *p;

	if ((p = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY)))
		return icaldurationtype_as_int(icalproperty_get_duration(p));
	if (icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY))
		return (long long)(mq_secs(icalcomponent_get_dtend(c)) -
		                   mq_secs(s));
	if (icalcomponent_get_first_property(c, ICAL_DUE_PROPERTY))
		return (long long)(mq_secs(icalcomponent_get_due(c)) -
		                   mq_secs(s));
	if (icalcomponent_isa(c) == ICAL_VEVENT_COMPONENT)
		return s.is_date ? 86400 : 0;
	return -1;
}

struct mq_occ {
	time_t t;
	char day[9]; /* local date in the start's zone */
};

struct mq_occs {
	struct mq_occ *v;
	size_t n;
	size_t cap;
};

static inline void
mq_occ_add(struct mq_occs *o, struct icaltimetype t, struct icaltimetype s)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->v = realloc(o->v, o->cap * sizeof(*o->v));
		assert_non_null(o->v);
	}
	o->v[o->n].t = mq_secs(t);
	if (!t.is_date && s.zone != NULL && t.zone != s.zone)
		t = icaltime_convert_to_zone(t, (icaltimezone *)s.zone);
	snprintf(o->v[o->n].day, sizeof(o->v[o->n].day), "%04d%02d%02d",
	         t.year, t.month, t.day);
	o->n++;
}

/*
 * mq_expand - occurrences up to *end; on the input side (in) the end comes
 * nearer when a rule has more than MQ_MAX_IN instances before it
 */
static inline int
mq_expand(icalcomponent *c, int in, time_t *end, struct mq_occs *o)
{
	struct icaltimetype s = icalcomponent_get_dtstart(c), t, x;
	icalproperty *p;
	struct icalrecurrencetype r;
	icalrecur_iterator *it;
	size_t n, i, j, count = 0;
	int ok = 1;

	if (icaltime_is_null_time(s))
		return 1;
	mq_occ_add(o, s, s);
	for (p = icalcomponent_get_first_property(c, ICAL_X_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY))
		if (strcmp(icalproperty_get_x_name(p), "X-MQ-COUNT") == 0)
			count = (size_t)strtol(icalproperty_get_x(p), NULL, 10);
	for (p = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_RRULE_PROPERTY)) {
		r = icalproperty_get_rrule(p);
		if (!icaltime_is_null_time(r.until) && r.until.is_date &&
		    !s.is_date) {
			r.until.is_date = 0;
			r.until.hour = 23, r.until.minute = 59;
			r.until.second = 59, r.until.zone = NULL;
		}
		it = icalrecur_iterator_new(r, s);
		for (n = 0; it != NULL; n++) {
			t = icalrecur_iterator_next(it);
			if (icaltime_is_null_time(t))
				break;
			t.zone = s.zone;
			if (mq_secs(t) > *end)
				break;
			if (count > 0 && n == count)
				break; /* COUNT beside UNTIL */
			if (n == (in ? MQ_MAX_IN : MQ_MAX_OUT)) {
				if (in)
					*end = o->v[o->n - 1].t;
				else
					ok = 0;
				break;
			}
			mq_occ_add(o, t, s);
		}
		if (it != NULL)
			icalrecur_iterator_free(it);
	}
	for (p = icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_RDATE_PROPERTY)) {
		t = icalproperty_get_datetime_with_component(p, c);
		if (!icaltime_is_null_time(t))
			mq_occ_add(o, t, s);
	}
	for (p = icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY)) {
		char day[9];

		x = icalproperty_get_datetime_with_component(p, c);
		snprintf(day, sizeof(day), "%04d%02d%02d", x.year, x.month,
		         x.day);
		for (i = j = 0; i < o->n; i++) {
			int gone = (x.is_date && !s.is_date)
			               ? strcmp(o->v[i].day, day) == 0
			               : o->v[i].t == mq_secs(x);
			if (!gone)
				o->v[j++] = o->v[i];
		}
		o->n = j;
	}
	return ok;
}

/* mq_times - "start length" of every occurrence up to end, sorted */
static inline void
mq_times(const struct mq_occs *o, time_t end, long long len,
         struct mq_list *l)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (o->v[i].t <= end)
			mq_list_add(l, "%lld %lld", (long long)o->v[i].t, len);
	mq_list_sort_unique(l);
}

/* ---- people, text, alarms ------------------------------------------- */

static inline void
mq_person(icalproperty *p, struct mq_list *l)
{
	const char *params[] = {"CN", "PARTSTAT", "ROLE", "RSVP", "CUTYPE",
	                        NULL};
	const char *v = icalproperty_get_value_as_string(p);
	char addr[512], rest[1024] = "", *pv, *email;
	size_t n, i, off = 0;

	v = v != NULL ? v : "";
	n = strlen(v);
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
		v++, n -= 2;
	email = icalproperty_get_parameter_as_string_r(p, "EMAIL");
	if (n >= 7 && strncasecmp(v, "mailto:", 7) == 0)
		snprintf(addr, sizeof(addr), "%.*s", (int)n - 7, v + 7);
	else if (email != NULL)
		snprintf(addr, sizeof(addr), "%s", email);
	else
		snprintf(addr, sizeof(addr), "%.*s", (int)n, v);
	free(email);
	for (i = 0; params[i] != NULL; i++) {
		pv = icalproperty_get_parameter_as_string_r(p, params[i]);
		off += (size_t)snprintf(rest + off, sizeof(rest) - off, "|%s",
		                        pv ? pv : "");
		free(pv);
	}
	mq_list_add(l, "%s|%s%s", icalproperty_get_property_name(p), addr,
	            rest);
}

static inline void
mq_people(icalcomponent *c, struct mq_list *l)
{
	icalproperty *p;

	for (p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY))
		if (icalproperty_isa(p) == ICAL_ORGANIZER_PROPERTY ||
		    icalproperty_isa(p) == ICAL_ATTENDEE_PROPERTY)
			mq_person(p, l);
	mq_list_sort_unique(l);
}

static inline void
mq_alarms(icalcomponent *c, long long len, struct mq_list *l)
{
	icalcomponent *a;
	icalproperty *p;
	struct icaltriggertype tr;
	icalparameter *rel;
	long long w;
	time_t s = mq_secs(icalcomponent_get_dtstart(c));

	for (a = icalcomponent_get_first_component(c, ICAL_VALARM_COMPONENT); a;
	     a = icalcomponent_get_next_component(c, ICAL_VALARM_COMPONENT)) {
		p = icalcomponent_get_first_property(a, ICAL_TRIGGER_PROPERTY);
		if (p == NULL) {
			mq_list_add(l, "none");
			continue;
		}
		tr = icalproperty_get_trigger(p);
		rel = icalproperty_get_first_parameter(p, ICAL_RELATED_PARAMETER);
		if (!icaltime_is_null_time(tr.time))
			w = (long long)(mq_secs(tr.time) - s);
		else
			w = icaldurationtype_as_int(tr.duration) +
			    (rel != NULL && icalparameter_get_related(rel) ==
			                        ICAL_RELATED_END
			         ? len
			         : 0);
		mq_list_add(l, "%lld", w);
	}
	mq_list_sort_unique(l);
}

/* mq_text_same - equal, or (R-LEX-6) only blanks of a became characters
 * that the raw input escaped */
static inline int
mq_text_same(const char *a, const char *b, const char *raw)
{
	char esc[3] = "\\";
	size_t i;

	if (strcmp(a, b) == 0)
		return 1;
	if (strlen(a) != strlen(b))
		return 0;
	for (i = 0; a[i] != '\0'; i++) {
		if (a[i] == b[i])
			continue;
		esc[1] = b[i];
		if (a[i] != ' ' || strstr(raw, esc) == NULL)
			return 0;
	}
	return 1;
}

/* mq_text - the same SUMMARY, LOCATION and DESCRIPTION (R-LEX-5 b: the
 * output may carry the rest of a line cut by a raw newline) */
static inline int
mq_text(icalcomponent *a, icalcomponent *b, const char *raw, char *why,
        size_t wl)
{
	const icalproperty_kind k[] = {ICAL_SUMMARY_PROPERTY,
	                               ICAL_LOCATION_PROPERTY,
	                               ICAL_DESCRIPTION_PROPERTY};
	icalproperty *pa, *pb;
	const char *ta, *tb;
	size_t i;

	for (i = 0; i < 3; i++) {
		pa = icalcomponent_get_first_property(a, k[i]);
		pb = icalcomponent_get_first_property(b, k[i]);
		if (pa == NULL && pb == NULL)
			continue;
		ta = pa ? icalproperty_get_value_as_string(pa) : "";
		tb = pb ? icalproperty_get_value_as_string(pb) : "";
		ta = ta ? ta : "";
		tb = tb ? tb : "";
		if (mq_text_same(ta, tb, raw) ||
		    (strncmp(ta, tb, strlen(ta)) == 0 &&
		     strncmp(tb + strlen(ta), "\\n", 2) == 0))
			continue;
		snprintf(why, wl, "%s: \"%.80s\" became \"%.80s\"",
		         icalproperty_kind_to_string(k[i]), ta, tb);
		return 0;
	}
	return 1;
}

/* ---- components --------------------------------------------------------- */

struct mq_comp {
	icalcomponent *c;
	char key[512];
	const char *uid;
	int paired;
};

struct mq_comps {
	struct mq_comp v[512];
	size_t n;
};

static inline int
mq_sched(icalcomponent_kind k)
{
	return k == ICAL_VEVENT_COMPONENT || k == ICAL_VTODO_COMPONENT ||
	       k == ICAL_VJOURNAL_COMPONENT;
}

static inline void
mq_collect(icalcomponent *root, struct mq_comps *cs)
{
	icalcomponent *c;
	icalproperty *p;
	struct icaltimetype r;
	struct mq_comp *m;

	if (mq_sched(icalcomponent_isa(root))) {
		if (cs->n == sizeof(cs->v) / sizeof(cs->v[0]))
			return;
		m = &cs->v[cs->n++];
		m->c = root;
		m->paired = 0;
		m->uid = icalcomponent_get_uid(root);
		m->uid = m->uid ? m->uid : "";
		p = icalcomponent_get_first_property(root,
		                                     ICAL_RECURRENCEID_PROPERTY);
		r = p ? icalproperty_get_datetime_with_component(p, root)
		      : icaltime_null_time();
		snprintf(m->key, sizeof(m->key), "%s|%lld|%d",
		         icalcomponent_kind_to_string(icalcomponent_isa(root)),
		         p ? (long long)mq_secs(r) : -1LL, r.is_date);
		return;
	}
	for (c = icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT); c;
	     c = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT))
		mq_collect(c, cs);
}

/* mq_pair - the output component for input component a */
static inline struct mq_comp *
mq_pair(const struct mq_comp *a, struct mq_comps *out)
{
	size_t i;

	for (i = 0; i < out->n; i++) {
		struct mq_comp *b = &out->v[i];
		if (b->paired || strcmp(a->key, b->key) != 0)
			continue;
		if (strcmp(a->uid, b->uid) == 0 ||
		    (a->uid[0] == '\0' &&
		     strncmp(b->uid, "calmilter-", 10) == 0)) {
			b->paired = 1;
			return b;
		}
	}
	return NULL;
}

/* mq_lists_same - equal lists; "why" names the first difference */
static inline int
mq_lists_same(const struct mq_list *a, const struct mq_list *b,
              const char *what, char *why, size_t wl)
{
	size_t i;

	for (i = 0; i < a->n && i < b->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			break;
	if (i == a->n && i == b->n)
		return 1;
	snprintf(why, wl, "%s: \"%.100s\" became \"%.100s\"", what,
	         i < a->n ? a->v[i] : "(nothing)",
	         i < b->n ? b->v[i] : "(nothing)");
	return 0;
}

/* mq_people_same - the same people; an ORGANIZER may appear (R-ITIP-7)
 * where there was none, with the From address */
static inline int
mq_people_same(icalcomponent *a, icalcomponent *b, const char *from,
               char *why, size_t wl)
{
	struct mq_list la = {0}, lb = {0};
	size_t i, j;
	int r;

	mq_people(a, &la);
	mq_people(b, &lb);
	if (icalcomponent_get_first_property(a, ICAL_ORGANIZER_PROPERTY) ==
	        NULL &&
	    from != NULL)
		for (i = 0; i < lb.n; i++)
			if (strncmp(lb.v[i], "ORGANIZER|", 10) == 0 &&
			    strncasecmp(lb.v[i] + 10, from, strlen(from)) == 0 &&
			    lb.v[i][10 + strlen(from)] == '|') {
				free(lb.v[i]);
				for (j = i; j + 1 < lb.n; j++)
					lb.v[j] = lb.v[j + 1];
				lb.n--;
				break;
			}
	r = mq_lists_same(&la, &lb, "people", why, wl);
	mq_list_free(&la);
	mq_list_free(&lb);
	return r;
}

/* mq_stripped_override - R-RR-7 StripOverrideRrule: an override that lost
 * its own RRULE, RDATE or EXDATE */
static inline int
mq_stripped_override(icalcomponent *a, icalcomponent *b)
{
	const icalproperty_kind k[] = {ICAL_RRULE_PROPERTY, ICAL_RDATE_PROPERTY,
	                               ICAL_EXDATE_PROPERTY};
	size_t i;
	int had = 0;

	if (icalcomponent_get_first_property(a, ICAL_RECURRENCEID_PROPERTY) ==
	    NULL)
		return 0;
	for (i = 0; i < 3; i++) {
		if (icalcomponent_get_first_property(b, k[i]) != NULL)
			return 0;
		had |= icalcomponent_get_first_property(a, k[i]) != NULL;
	}
	return had;
}

/* mq_occurrences_same - the same instants and lengths (R-EV-2: a
 * zero-length all-day event may last one day; R-RR-7: an override may lose
 * its own recurrence) */
static inline int
mq_occurrences_same(icalcomponent *a, icalcomponent *b, char *why,
                    size_t wl)
{
	struct icaltimetype sa = icalcomponent_get_dtstart(a);
	struct mq_occs oa = {0}, ob = {0};
	struct mq_list la = {0}, lb = {0};
	long long lena = mq_length(a, sa);
	long long lenb = mq_length(b, icalcomponent_get_dtstart(b));
	time_t end = icaltime_is_null_time(sa)
	                 ? 0
	                 : mq_secs(sa) + (time_t)MQ_YEARS * 366 * 86400;
	int r, ok;

	if (sa.is_date && lena == 0 && lenb == 86400)
		lena = 86400;
	if (mq_stripped_override(a, b))
		end = mq_secs(sa); /* its own DTSTART is what remains */
	mq_expand(a, 1, &end, &oa);
	ok = mq_expand(b, 0, &end, &ob);
	mq_times(&oa, end, lena, &la);
	mq_times(&ob, end, lenb, &lb);
	r = ok ? mq_lists_same(&la, &lb, "occurrences", why, wl) : 0;
	if (!ok)
		snprintf(why, wl, "occurrences: output not expanded to the "
		                  "horizon");
	free(oa.v);
	free(ob.v);
	mq_list_free(&la);
	mq_list_free(&lb);
	return r;
}

static inline int
mq_alarms_same(icalcomponent *a, icalcomponent *b, char *why, size_t wl)
{
	struct mq_list la = {0}, lb = {0};
	int r;

	mq_alarms(a, mq_length(a, icalcomponent_get_dtstart(a)), &la);
	mq_alarms(b, mq_length(b, icalcomponent_get_dtstart(b)), &lb);
	r = mq_lists_same(&la, &lb, "alarms", why, wl);
	mq_list_free(&la);
	mq_list_free(&lb);
	return r;
}

/* mq_input_hook - see above; called with both sides parsed, and the input */
static void (*mq_input_hook)(icalcomponent *before, icalcomponent *after,
                             const char *text);

/*
 * mq_same - does after say what before says? 1 yes, 0 no (why says what
 * differs). from: the address an added ORGANIZER may have, or NULL.
 */
static inline int
mq_same(const char *before, const char *after, const char *from, char *why,
        size_t wl)
{
	char *lenient = mq_lenient(before);
	icalcomponent *ra = icalparser_parse_string(lenient);
	icalcomponent *rb = icalparser_parse_string(after);
	struct mq_comps *ca = calloc(1, sizeof(*ca)), *cb = calloc(1, sizeof(*cb));
	struct mq_comp *m;
	size_t i;
	int ok = 1;

	assert_non_null(ca);
	assert_non_null(cb);
	snprintf(why, wl, "libical cannot parse one side");
	if (ra == NULL || rb == NULL)
		ok = ra == NULL; /* an unparsable input has no meaning to keep */
	if (ra != NULL && rb != NULL && mq_input_hook != NULL)
		mq_input_hook(ra, rb, before);
	if (ra != NULL && rb != NULL) {
		mq_collect(ra, ca);
		mq_collect(rb, cb);
		snprintf(why, wl, "%zu components became %zu", ca->n, cb->n);
		ok = ca->n == cb->n;
	}
	for (i = 0; ok && i < ca->n; i++) {
		m = mq_pair(&ca->v[i], cb);
		if (m == NULL) {
			snprintf(why, wl, "no output component for %s uid %s",
			         ca->v[i].key, ca->v[i].uid);
			ok = 0;
			break;
		}
		ok = mq_occurrences_same(ca->v[i].c, m->c, why, wl) &&
		     mq_people_same(ca->v[i].c, m->c, from, why, wl) &&
		     mq_text(ca->v[i].c, m->c, before, why, wl) &&
		     mq_alarms_same(ca->v[i].c, m->c, why, wl);
	}
	if (ra != NULL)
		icalcomponent_free(ra);
	if (rb != NULL)
		icalcomponent_free(rb);
	free(ca);
	free(cb);
	free(lenient);
	return ok;
}

#endif
