/*
 * cal_facts.h - internals of the meaning check (N-4, N-5, N-10), shared by
 * its files: cal_meaning.c (the facts of an object and the verdict),
 * cal_occur.c (occurrences within a horizon), cal_allow.c (the differences
 * the rules declare) and cal_lenient.c (how the input is read where libical
 * alone would drop what the sender wrote).
 *
 * A fact is one line of meaning: "K key rest", K a letter for its kind
 * (C component, O occurrence, T time fingerprint, Z zone, P property,
 * A person, L alarm, E parse error), key the component it belongs to
 * ("VEVENT[uid|recurrence-id]"), rest what is said about it. Two objects
 * mean the same when their sorted fact lists are equal, up to what the
 * applied rules declare (CAL_ALLOW_* in cal_int.h).
 */
#ifndef CALMILTER_CAL_FACTS_H
#define CALMILTER_CAL_FACTS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libical/ical.h>

#include "cal_int.h"

struct cal_fact {
	char	*s;	/* "K key rest", owned */
	size_t	 klen;	/* length of "K key " */
};

struct cal_facts {
	struct cal_fact	*v;
	size_t		 n;
	size_t		 cap;
	int		 oom;
};

void	cal_facts_free(struct cal_facts *f);
/* cal_facts_add - one fact "K key rest" (rest printf-style, any length) */
void	cal_facts_add(struct cal_facts *f, char kind, const char *key,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	cal_facts_sort(struct cal_facts *f);
/* cal_facts_has_prefix - does a fact of the sorted list start with p? */
int	cal_facts_has_prefix(const struct cal_facts *f, const char *p,
	    size_t plen);
/* cal_fact_rest - what follows the key */
const char *cal_fact_rest(const struct cal_fact *x);
/* cal_fact_same_key - the same kind and key */
int	cal_fact_same_key(const struct cal_fact *a, const struct cal_fact *b);

/* cal_fact_instant - a time as text: "YYYYMMDDTHHMMSSZ" for an instant,
 * "F..." for a floating local time, "DYYYYMMDD" for a date, "-" for none */
void	cal_fact_instant(char *buf, size_t len, struct icaltimetype t);
/* cal_fact_seconds - a time as seconds since the epoch, read in its own
 * zone (floating times and dates as if they were UTC) */
time_t	cal_fact_seconds(struct icaltimetype t);

/* ---- occurrences (cal_occur.c) ---------------------------------------- */

/*
 * struct cal_horizons - how far each series of the input was expanded: the
 * start of its last occurrence checked, or CAL_HORIZON_NONE when the series
 * ended before the limit. The output is expanded to the same instant, so
 * that a rewrite that reaches the same instants in more steps (a superset
 * rule with EXDATEs) is compared over the same span.
 */
#define CAL_HORIZON_NONE ((time_t)INT64_MAX)

struct cal_horizon {
	char	*key;
	time_t	 h;
};

struct cal_horizons {
	struct cal_horizon	*v;
	size_t			 n;
	size_t			 cap;
	int			 oom;
};

void	cal_horizons_free(struct cal_horizons *hz);

/*
 * struct cal_work - iterator steps taken by one check, both sides together,
 * and their ceiling (MaxExpansion); past it the expansion stops and over is
 * set, so that thousands of series cannot keep a worker busy
 */
struct cal_work {
	size_t	 used;
	size_t	 max;
	int	 over;
};

/* struct cal_occur_env - one side's expansion */
struct cal_occur_env {
	size_t			 max;	/* occurrences per rule on the input side */
	size_t			 steps;	/* iterations per rule on the output side */
	struct cal_horizons	*hz;
	int			 input;	/* 1: record horizons; 0: use them */
	struct cal_work		*work;	/* shared by both sides */
};

/* cal_occur_length - seconds from start to end (DTEND, DUE, DURATION, or
 * what RFC 5545 3.6.1 implies for a VEVENT); -1 when undefined */
long long	cal_occur_length(icalcomponent *c, struct icaltimetype start);
/* cal_occur_facts - "O key instant length" for every occurrence */
void	cal_occur_facts(icalcomponent *c, const char *key,
	    const struct cal_occur_env *env, struct cal_facts *f);

/* ---- allowances (cal_allow.c) ----------------------------------------- */

/* cal_allow_pair - may input fact a have become output fact b? */
int	cal_allow_pair(const struct cal_fact *a, const struct cal_fact *b,
	    unsigned allow);
/* cal_allow_gone - may input fact a vanish? (out: the output's facts) */
int	cal_allow_gone(const struct cal_fact *a, const struct cal_facts *out,
	    unsigned allow);
/* cal_allow_new - may output fact b appear? (in: the input's facts) */
int	cal_allow_new(const struct cal_fact *b, const struct cal_facts *in,
	    unsigned allow);
/* cal_allow_person_value - a person's address as compared under allow
 * (transfer full; NULL on out of memory) */
char	*cal_allow_person_value(const char *value, const char *email,
	    unsigned allow);
/* cal_allow_uid - the UID a component is keyed by on the output side */
const char *cal_allow_uid(const char *uid, unsigned allow);

/* ---- the lenient reading of the input (cal_lenient.c) ----------------- */

/*
 * cal_lenient_text - the input with date-time spellings libical refuses but
 * whose meaning is unambiguous (R-EV-6) written as libical reads them;
 * NULL when nothing needed it (or on out of memory: *oom set).
 */
char	*cal_lenient_text(const char *in, int *oom);
/*
 * cal_lenient_rrules - in the parsed input, an RRULE libical dropped for
 * blanks, empty parts, lower case or COUNT together with UNTIL (R-RR-1,
 * R-RR-3) is put back as the sender meant it: the series ends at whichever
 * of COUNT and UNTIL comes first.
 */
void	cal_lenient_rrules(icalcomponent *root);

#endif
