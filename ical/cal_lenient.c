/*
 * cal_lenient.c - the meaning check reads the input as its sender meant it
 *
 * libical drops a whole property when its value is spelt in a way it does
 * not accept, and then the input would seem to say less than it does: a
 * rule that repairs the spelling would look as if it added an event. Where
 * the meaning is unambiguous, the check reads the input the way the rules
 * document it, with its own code (not the rules'):
 *
 *   date-times (R-EV-6) in DTSTART, DTEND, DUE, RECURRENCE-ID, EXDATE and
 *   RDATE: the ISO-8601 extended form, a lower-case "t" or "z", a fraction
 *   of zeros, a numeric UTC offset (the instant it names, in UTC);
 *
 *   RRULE (R-RR-1, R-RR-3): blanks, empty parts and lower case ignored; with
 *   both COUNT and UNTIL (which RFC 5545 forbids) the series ends at
 *   whichever comes first.
 *
 * Only the input is read this way; the output must satisfy libical itself.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cal_facts.h"

static const char *const dt_props[] = {
	"DTSTART", "DTEND", "DUE", "RECURRENCE-ID", "EXDATE", "RDATE", NULL
};

/* digits - n digits at *s into *v; advances */
static int
digits(const char **s, int n, int *v)
{
	*v = 0;
	while (n-- > 0) {
		if (!isdigit((unsigned char)**s))
			return -1;
		*v = *v * 10 + (*(*s)++ - '0');
	}
	return 0;
}

/* opt - skip the separator c when it is there */
static void
opt(const char **s, char c)
{
	if (**s == c)
		(*s)++;
}

/* lenient_offset - "+hhmm" or "+hh:mm" at s: seconds east of UTC */
static int
lenient_offset(const char *s, int *secs)
{
	int sign = *s == '-' ? -1 : 1, hh, mm;

	s++;
	if (digits(&s, 2, &hh) != 0)
		return -1;
	opt(&s, ':');
	if (digits(&s, 2, &mm) != 0 || *s != '\0' || hh > 23 || mm > 59)
		return -1;
	*secs = sign * (hh * 3600 + mm * 60);
	return 0;
}

/* lenient_time - the part after the date: "Thhmmss[.000][Z|+hhmm]" */
static int
lenient_time(const char *s, struct icaltimetype *t, int *utc)
{
	int off = 0;

	if (*s != 'T' && *s != 't')
		return -1;
	s++;
	if (digits(&s, 2, &t->hour) != 0)
		return -1;
	opt(&s, ':');
	if (digits(&s, 2, &t->minute) != 0)
		return -1;
	opt(&s, ':');
	if (digits(&s, 2, &t->second) != 0)
		return -1;
	if (*s == '.')
		for (s++; *s == '0'; s++)
			;
	*utc = *s != '\0';
	if (*s == 'Z' || *s == 'z')
		return s[1] == '\0' ? 0 : -1;
	if (*s == '\0')
		return 0;
	if ((*s != '+' && *s != '-') || lenient_offset(s, &off) != 0)
		return -1;
	icaltime_adjust(t, 0, 0, 0, -off);
	return 0;
}

/*
 * lenient_token - one date or date-time as libical reads it, into out;
 * 0 when it could be read, -1 otherwise
 */
static int
lenient_token(const char *s, char *out, size_t len)
{
	struct icaltimetype t = icaltime_null_time();
	int utc = 0;

	if (digits(&s, 4, &t.year) != 0)
		return -1;
	opt(&s, '-');
	if (digits(&s, 2, &t.month) != 0)
		return -1;
	opt(&s, '-');
	if (digits(&s, 2, &t.day) != 0)
		return -1;
	if (*s == '\0') {
		snprintf(out, len, "%04d%02d%02d", t.year, t.month, t.day);
		return 0;
	}
	if (lenient_time(s, &t, &utc) != 0)
		return -1;
	snprintf(out, len, "%04d%02d%02dT%02d%02d%02d%s", t.year, t.month,
	    t.day, t.hour, t.minute, t.second, utc ? "Z" : "");
	return 0;
}

/* lenient_value - a comma list of date-times, each as libical reads it;
 * 1 when something changed */
static int
lenient_value(const char *v, struct cal_buf *out)
{
	char tok[64], norm[40];
	size_t n;
	int changed = 0;

	while (*v != '\0') {
		n = strcspn(v, ",");
		snprintf(tok, sizeof(tok), "%.*s", (int)n, v);
		if (n < sizeof(tok) && lenient_token(tok, norm, sizeof(norm))
		    == 0 && strcmp(tok, norm) != 0) {
			cal_buf_adds(out, norm);
			changed = 1;
		} else {
			cal_buf_add(out, v, n);
		}
		v += n;
		if (*v == ',')
			cal_buf_addc(out, *v++);
	}
	return changed;
}

/* is_dt_prop - a line "NAME;..." or "NAME:..." of a date-time property */
static int
is_dt_prop(const char *l, size_t n)
{
	size_t i, k;

	for (i = 0; dt_props[i] != NULL; i++) {
		k = strlen(dt_props[i]);
		if (n > k && strncasecmp(l, dt_props[i], k) == 0 &&
		    (l[k] == ';' || l[k] == ':'))
			return 1;
	}
	return 0;
}

/* lenient_line - one unfolded line, rewritten into out when it needs it */
static int
lenient_line(const char *l, size_t n, struct cal_buf *out)
{
	struct cal_buf v;
	size_t i;
	int quoted = 0, changed;

	if (!is_dt_prop(l, n))
		return 0;
	for (i = 0; i < n && (quoted || l[i] != ':'); i++)
		if (l[i] == '"')
			quoted = !quoted;
	if (i == n)
		return 0;
	cal_buf_init(&v, n * 2 + 64);
	changed = lenient_value(l + i + 1, &v);
	if (changed) {
		cal_buf_add(out, l, i + 1);
		cal_buf_add(out, v.p, v.len);
		cal_buf_add(out, "\r\n", 2);
	}
	cal_buf_free(&v);
	return changed;
}

/* logical_end - end of the logical line at s (past its line end) */
static size_t
logical_end(const char *s, size_t pos, size_t len)
{
	for (;;) {
		while (pos < len && s[pos] != '\r' && s[pos] != '\n')
			pos++;
		if (pos < len && s[pos] == '\r')
			pos++;
		if (pos < len && s[pos] == '\n')
			pos++;
		if (pos >= len || (s[pos] != ' ' && s[pos] != '\t'))
			return pos;
	}
}

/* unfold - the logical line s[a, b) without folds and line end */
static void
unfold(const char *s, size_t a, size_t b, struct cal_buf *l)
{
	size_t i;

	l->len = 0;
	for (i = a; i < b; i++) {
		if (s[i] == '\r' || s[i] == '\n') {
			if (s[i] == '\r' && i + 1 < b && s[i + 1] == '\n')
				i++;
			i++;	/* the fold's blank; nothing after the end */
			continue;
		}
		cal_buf_addc(l, s[i]);
	}
}

char *
cal_lenient_text(const char *in, int *oom)
{
	struct cal_buf out, l;
	size_t len = strlen(in), pos = 0, end;
	int changed = 0;
	char *r = NULL;

	cal_buf_init(&out, len * 2 + 4096);
	cal_buf_init(&l, len + 1);
	while (pos < len) {
		end = logical_end(in, pos, len);
		unfold(in, pos, end, &l);
		if (lenient_line(l.p != NULL ? l.p : "", l.len, &out))
			changed = 1;
		else
			cal_buf_add(&out, in + pos, end - pos);
		pos = end;
	}
	if (out.oom || out.over || l.oom)
		*oom = 1;
	else if (changed)
		r = cal_buf_steal(&out, NULL);
	cal_buf_free(&out);
	cal_buf_free(&l);
	return r;
}

#define RRULE_ERROR \
	"Can't parse as RECUR value in RRULE property. Removing entire property: "

/* lenient_part - one rule part without blanks, in upper case */
static void
lenient_part(const char *v, size_t n, char *part, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < len; i++)
		if (!isspace((unsigned char)v[i]))
			part[o++] = (char)toupper((unsigned char)v[i]);
	part[o] = '\0';
}

/* has_until - does the rule have an UNTIL part? */
static int
has_until(const char *v)
{
	char part[256];
	size_t n;

	for (; *v != '\0'; v += n + (v[n] == ';')) {
		n = strcspn(v, ";");
		lenient_part(v, n, part, sizeof(part));
		if (strncmp(part, "UNTIL=", 6) == 0)
			return 1;
	}
	return 0;
}

/* lenient_rule - the rule text without blanks and empty parts, upper case,
 * COUNT taken out when UNTIL is there too (*count) */
static void
lenient_rule(const char *v, char *out, size_t len, long *count)
{
	char part[256];
	size_t n, o = 0;
	int until = has_until(v);

	*count = 0;
	out[0] = '\0';
	while (*v != '\0') {
		n = strcspn(v, ";");
		lenient_part(v, n, part, sizeof(part));
		v += n + (v[n] == ';');
		if (part[0] == '\0')
			continue;
		if (until && strncmp(part, "COUNT=", 6) == 0) {
			*count = strtol(part + 6, NULL, 10);
			continue;
		}
		if (o < len)
			o += (size_t)snprintf(out + o, len - o, "%s%s",
			    o > 0 ? ";" : "", part);
	}
}

/*
 * first_end - of the rule r (with UNTIL) and the same rule with COUNT
 * instead, the one that ends first (libical iterates neither with both)
 */
static struct icalrecurrencetype
first_end(struct icalrecurrencetype r, long count, struct icaltimetype start)
{
	icalrecur_iterator *it = icalrecur_iterator_new(r, start);
	long n = 0;

	while (it != NULL && n < count &&
	    !icaltime_is_null_time(icalrecur_iterator_next(it)))
		n++;
	if (it != NULL)
		icalrecur_iterator_free(it);
	if (n < count)
		return r;	/* UNTIL came first */
	r.until = icaltime_null_time();
	r.count = (int)count;
	return r;
}

/* lenient_rrule - an RRULE put back from libical's error, or NULL */
static icalproperty *
lenient_rrule(const char *msg, struct icaltimetype start)
{
	struct icalrecurrencetype r;
	char rule[1024];
	long count;

	if (strncmp(msg, RRULE_ERROR, strlen(RRULE_ERROR)) != 0 ||
	    strlen(msg) > sizeof(rule) / 2)
		return NULL;
	lenient_rule(msg + strlen(RRULE_ERROR), rule, sizeof(rule), &count);
	r = icalrecurrencetype_from_string(rule);
	icalerror_clear_errno();
	if (r.rscale != NULL) {	/* ours to free; not read leniently */
		free(r.rscale);
		return NULL;
	}
	if (r.freq == ICAL_NO_RECURRENCE)
		return NULL;
	if (count > 0 && count <= 100000 && !icaltime_is_null_time(start))
		r = first_end(r, count, start);
	return icalproperty_new_rrule(r);
}

static void
lenient_comp(icalcomponent *c)
{
	struct icaltimetype start = icalcomponent_get_dtstart(c);
	icalproperty *p, *next, *rr;

	for (p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
	    p != NULL; p = next) {
		next = icalcomponent_get_next_property(c,
		    ICAL_XLICERROR_PROPERTY);
		rr = lenient_rrule(icalproperty_get_xlicerror(p), start);
		if (rr == NULL)
			continue;
		icalcomponent_remove_property(c, p);
		icalproperty_free(p);
		icalcomponent_add_property(c, rr);
	}
}

void
cal_lenient_rrules(icalcomponent *root)
{
	icalcomponent *c;
	icalcomponent_kind k = icalcomponent_isa(root);

	if (k == ICAL_VEVENT_COMPONENT || k == ICAL_VTODO_COMPONENT ||
	    k == ICAL_VJOURNAL_COMPONENT) {
		lenient_comp(root);
		return;
	}
	for (c = icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT); c;
	    c = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT))
		cal_lenient_rrules(c);
}
