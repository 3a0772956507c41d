/*
 * cal_recur.h - what the rules of events, recurrences and scheduling
 * (rule_event.c, rule_alarm.c, rule_rrule*.c, rule_exdate.c,
 * rule_recurid.c, rule_itip.c, rule_people.c) share: date and time values
 * of the content-line tree read through the object's own VTIMEZONEs
 * (cal_when.c), RRULE values as rule parts (cal_rrule.c), and the walk over
 * an object's events.
 *
 * Zones are the time-zone core's (cal_doc_zone, R-TZ-2); a TZID that
 * resolves to nothing is never converted through: the rule that would need
 * it reports and leaves the value. Recurrences are expanded by libical's
 * iterator on local times, UNTIL turned into the start's local time first.
 */
#ifndef CALMILTER_CAL_RECUR_H
#define CALMILTER_CAL_RECUR_H

#include <stddef.h>
#include <stdint.h>

#include <libical/ical.h>

#include "cal_int.h"

/* ---- values (cal_when.c) -------------------------------------------------- */

enum cal_when_kind {
	CAL_WHEN_DATE = 0,	/* VALUE=DATE */
	CAL_WHEN_FLOATING,	/* local time, no zone */
	CAL_WHEN_UTC,		/* ...Z */
	CAL_WHEN_ZONED		/* ;TZID= */
};

/* struct cal_when - one date or date-time value of the tree */
struct cal_when {
	enum cal_when_kind	 kind;
	struct cal_time		 t;	/* local seconds; the instant for UTC */
	const struct cal_zone	*zone;	/* CAL_WHEN_ZONED: resolved, or NULL */
	char			 tzid[128];	/* CAL_WHEN_ZONED: as written */
};

/* return values of cal_when_parse */
#define CAL_WHEN_OK		0
#define CAL_WHEN_BAD		(-1)	/* not a DATE or DATE-TIME spelling */
#define CAL_WHEN_NOZONE		(-2)	/* a TZID that resolves to nothing */

/* cal_when_parse - one value of property p of doc (one item of a list) */
int	cal_when_parse(struct cal_when *w, struct cal_doc *doc,
	    const struct cal_prop *p, const char *value);
/* cal_when_prop - the (first) value of p */
int	cal_when_prop(struct cal_when *w, struct cal_doc *doc,
	    const struct cal_prop *p);
/* cal_when_format - the value as written: YYYYMMDD, ...THHMMSS, ...Z */
void	cal_when_format(const struct cal_when *w, char *buf, size_t len);
/* cal_when_same_form - the same kind (and TZID, case-insensitively) */
int	cal_when_same_form(const struct cal_when *a, const struct cal_when *b);
/*
 * cal_when_utc - the instant of a UTC or zoned value: 0; 1 when the local
 * time occurs twice or not at all in its zone (a rule should then not
 * convert it: libical reads such times otherwise); -1 when it is no instant
 */
int	cal_when_utc(const struct cal_when *w, int64_t *utc);
/*
 * cal_when_like - the instant utc in the form of like (UTC, or the local
 * time in like's zone); -1 when like has no zone to convert into
 */
int	cal_when_like(struct cal_when *out, int64_t utc,
	    const struct cal_when *like);
/* cal_when_set_params - p's VALUE and TZID parameters as w's kind wants */
int	cal_when_set_params(struct cal_prop *p, const struct cal_when *w);
/* cal_ical - local seconds as libical fields (no zone) */
struct icaltimetype cal_ical(int64_t secs, int is_date);
/* cal_ical_secs - libical fields as local seconds */
int64_t	cal_ical_secs(struct icaltimetype t);

/* ---- RRULE values (cal_rrule.c) ------------------------------------------ */

#define CAL_RRULE_PARTS	16
#define CAL_RRULE_VALUE	256

struct cal_rrule_part {
	char	name[16];
	char	value[CAL_RRULE_VALUE];
};

/* struct cal_rrule - an RRULE as its parts, FREQ first once written */
struct cal_rrule {
	struct cal_rrule_part	part[CAL_RRULE_PARTS];
	size_t			n;
	int			untidy;	/* blanks, case, empty or repeated
					 * parts, FREQ not first */
};

/* cal_rrule_parse - 0, or -1 when it is not a list of NAME=VALUE parts
 * with one FREQ (a part given twice with different values included) */
int		 cal_rrule_parse(struct cal_rrule *r, const char *text);
const char	*cal_rrule_get(const struct cal_rrule *r, const char *name);
int		 cal_rrule_set(struct cal_rrule *r, const char *name,
		    const char *value);
void		 cal_rrule_del(struct cal_rrule *r, const char *name);
/* cal_rrule_format - "FREQ=...;..." (-1 when it does not fit) */
int		 cal_rrule_format(const struct cal_rrule *r, char *buf,
		    size_t len);
/* cal_rrule_count - how many comma-separated values a part has (0: none) */
size_t		 cal_rrule_count(const struct cal_rrule *r, const char *name);
/* cal_rrule_weekday - "MO".."SU" as 1..7 (libical's order), with the
 * ordinal before it in *ord (0 when none); -1 when it is none */
int		 cal_rrule_weekday(const char *s, int *ord);

/*
 * struct cal_series - the instances of one rule from a start, as libical's
 * iterator gives them, as local seconds in the start's zone; the start
 * first (RFC 5545 counts it as the first instance)
 */
struct cal_series {
	int64_t	*v;
	size_t	 n;
	int	 more;	/* the rule goes on past the last one */
};

/*
 * cal_series_expand - at most max instances of rule r from start. UNTIL is
 * read as RFC 5545 and the meaning check read it: a UTC UNTIL in the
 * start's zone, a floating one as local time, a DATE against a DATE-TIME
 * start including its day; with COUNT too, whichever ends first.
 * 0; -1 when it cannot be expanded (libical cannot read the rule, the
 * UNTIL needs a zone the start has not) or on out of memory.
 */
int	cal_series_expand(struct cal_series *s, const struct cal_rrule *r,
	    const struct cal_when *start, size_t max);
void	cal_series_free(struct cal_series *s);
/* cal_series_find - index of local time t in s, or -1 */
long	cal_series_find(const struct cal_series *s, int64_t t);

/* ---- the walk --------------------------------------------------------------- */

/* cal_doc_microsoft - N-7: produced by Outlook or Exchange (lexical only) */
int	cal_doc_microsoft(const struct cal_doc *doc);

/* cal_prop_index - index of p among c's items, or c->n */
size_t	cal_prop_index(const struct cal_comp *c, const struct cal_prop *p);
/* cal_comp_nth_prop - the nth property NAME of c, or NULL */
struct cal_prop	*cal_comp_nth_prop(const struct cal_comp *c, const char *name,
	    size_t nth);
/* cal_event_each - call fn for every VEVENT of the calendar; stops at the
 * first result other than CAL_RULE_OK and returns it */
int	cal_event_each(struct cal_doc *doc, const struct cal_env *env,
	    int (*fn)(struct cal_doc *, struct cal_comp *,
	    const struct cal_env *));

#endif
