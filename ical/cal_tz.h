/*
 * cal_tz.h - time zones inside ical/: civil time, yearly rules, zones, the
 * system tz database, and reading an object's VTIMEZONEs
 *
 * Shared by the cal_tz*.c files and the R-TZ rules; the small API other
 * parts of ical/ need ("the zone a TZID of this object resolves to", and
 * conversions through it) is in cal_int.h.
 *
 Data loading (for sandboxed workers): read-only opens of paths under
 * $TZDIR (default /usr/share/zoneinfo), nothing else. cal_init() calls
 * cal_tzdb_load(), which reads tzdata.zi (the version, the zone and link
 * names). A zone's TZif file (RFC 8536) is opened the first time that zone
 * is needed and kept for the life of the process; searching zones by their
 * rules reads them all. A process that may not open files once it runs can
 * call cal_tzdb_preload() first (every zone, about 450 files). ICU's
 * windowsZones data is loaded at cal_init(); the list of Windows ids is
 * made from it, in memory, on first use.
 * Everything loaded is immutable; a mutex guards the loading.
 *
 * Times: "local seconds" are a wall-clock time counted as seconds since
 * 1970-01-01T00:00:00 of the same calendar (the proleptic Gregorian
 * calendar, no leap seconds); "UTC seconds" are the same count for an
 * instant. local = utc + offset.
 */
#ifndef CALMILTER_CAL_TZ_H
#define CALMILTER_CAL_TZ_H

#include <stddef.h>
#include <stdint.h>

#include <libical/ical.h>

#include "cal_int.h"

#define CAL_DAY	86400

/* ---- civil time (cal_tztime.c) ------------------------------------------- */

int64_t	cal_days_from_civil(int64_t y, int m, int d);
void	cal_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
int	cal_weekday(int64_t days);		/* 0 = Sunday */
const char *cal_wday_name(int wday);		/* "SU" .. "SA" (RFC 5545) */
int	cal_days_in_month(int64_t y, int m);
int64_t	cal_day_of(int64_t secs);		/* the day of a time, floor */
int64_t	cal_year_of(int64_t secs);

/*
 * struct cal_tzdate - a yearly date and time of day, in the local time in
 * force before the change: POSIX "Mm.w.d/time" (week 5 = the last), "Jn"
 * (1..365, February 29 never counted) or "n" (0..365). secs may be outside
 * one day (RFC 8536 3.3.1: -167 to 167 hours).
 */
enum cal_tzdate_kind {
	CAL_TZDATE_MWD = 0,
	CAL_TZDATE_JULIAN1,
	CAL_TZDATE_JULIAN0
};

struct cal_tzdate {
	enum cal_tzdate_kind	 kind;
	int			 month;	/* MWD: 1..12 */
	int			 week;	/* MWD: 1..5, 5 = last */
	int			 wday;	/* MWD: 0 = Sunday */
	int			 yday;	/* JULIAN1: 1..365; JULIAN0: 0..365 */
	int32_t			 secs;	/* local time of day */
};

/* cal_tzdate_local - the date in year y, as local seconds */
int64_t	cal_tzdate_local(const struct cal_tzdate *d, int64_t y);

/*
 * struct cal_tzrule - one yearly rule: a standard offset, and optionally a
 * daylight period. dst_off > std_off always (a negative DST, as Dublin's,
 * is stored with the offsets and dates swapped, as Windows has it).
 */
struct cal_tzrule {
	int32_t			 std_off;	/* seconds east of UTC */
	int32_t			 dst_off;
	int			 has_dst;
	struct cal_tzdate	 to_dst;	/* in standard local time */
	struct cal_tzdate	 to_std;	/* in daylight local time */
	int			 std_larger;	/* written with the larger offset
						 * as STANDARD (as the sender
						 * had it); instants unchanged */
};

/* cal_tzrule_posix - parse a POSIX TZ string (RFC 8536 3.3); 0 or -1 */
int	cal_tzrule_posix(struct cal_tzrule *r, const char *s);
/* cal_tzrule_exchange - can Exchange hold it ([MS-OXCICAL] 2.1.3.1.1.19):
 * whole minutes, nth-weekday dates with a time within the day */
int	cal_tzrule_exchange(const struct cal_tzrule *r);
int	cal_tzrule_equal(const struct cal_tzrule *a, const struct cal_tzrule *b);

/* ---- zones (cal_tzzone.c) ------------------------------------------------ */

/*
 * struct cal_zone - a zone as instants: the offset before the first
 * transition, the transitions, and a yearly rule after the last one. Built
 * from a TZif file or from a VTIMEZONE; immutable once built.
 */
struct cal_zone {
	char			*name;	/* IANA name or TZID; owned */
	int64_t			*at;	/* UTC seconds, ascending */
	int32_t			*off;	/* offset from at[i] on */
	uint8_t			*dst;	/* is daylight time from at[i] on */
	size_t			 n;
	int32_t			 off0;	/* before at[0] */
	int			 has_tail;
	struct cal_tzrule	 tail;	/* after at[n - 1] (or always if n 0) */
};

struct cal_zone	*cal_zone_new(const char *name);	/* NULL on OOM */
void		 cal_zone_free(struct cal_zone *z);	/* NULL-safe */
/* cal_zone_push - append a transition (ascending); -1 on OOM */
int		 cal_zone_push(struct cal_zone *z, int64_t at, int32_t off,
		    int dst);
/* cal_zone_offset - offset in force at UTC t; *dst when not NULL */
int32_t		 cal_zone_offset(const struct cal_zone *z, int64_t t,
		    int *dst);
/*
 * cal_zone_next - the first change of offset after UTC t: 1 with *at and
 * *off set, 0 when the offset never changes again.
 */
int		 cal_zone_next(const struct cal_zone *z, int64_t t,
		    int64_t *at, int32_t *off);
/* cal_zone_same - same offset at every instant of [lo, hi]? */
int		 cal_zone_same(const struct cal_zone *a,
		    const struct cal_zone *b, int64_t lo, int64_t hi);
/* cal_zone_rule - is the zone the rule r at every instant of [lo, hi]? */
int		 cal_zone_is_rule(const struct cal_zone *z,
		    const struct cal_tzrule *r, int64_t lo, int64_t hi);
/*
 * cal_zone_rule_at - a yearly rule Exchange can hold that gives every
 * instant of [lo, hi] the zone's offset: the zone's own rule in force at
 * lo, tried in every form that fits. 0 with *r set, -1 when there is none
 * (R-TZ-9).
 */
int		 cal_zone_rule_at(const struct cal_zone *z, int64_t lo,
		    int64_t hi, struct cal_tzrule *r);
/* cal_zone_from_rule - the rule as a zone (no history); NULL on OOM */
struct cal_zone	*cal_zone_from_rule(const char *name,
		    const struct cal_tzrule *r);

/* ---- an object's VTIMEZONE (cal_tzvtz.c) -------------------------------- */

/* cal_utc_offset_parse - "+0100" or "-053000"; *exact: no seconds; 0/-1 */
int	cal_utc_offset_parse(const char *v, int32_t *secs, int *exact);
/* cal_byday_nth - "2SU", "-1SU": week 1..5 (5 = last), weekday; 0 or -1 */
int	cal_byday_nth(const char *s, int *week, int *wday);
/*
 * cal_tzrrule_onsets - the onsets after DTSTART start (local) of a yearly
 * observance RRULE up to the end of year y_hi, each handed to add; from is
 * the observance's TZOFFSETFROM (for a UTC UNTIL). Returns how many, or -1
 * for a form it does not read (then libical must).
 */
int	cal_tzrrule_onsets(const char *rule, int64_t start, int32_t from,
	    int64_t y_hi, void (*add)(void *, int64_t), void *arg);
/* cal_vtz_is_obs - is c a STANDARD or DAYLIGHT? */
int	cal_vtz_is_obs(const struct cal_comp *c);
/*
 * cal_vtz_zone - the VTIMEZONE as RFC 5545 reads it: every onset of every
 * observance (DTSTART, RRULE expanded by libical, RDATE) up to the end of
 * year y_hi. *out (transfer full) is named name. *costly: an RRULE never
 * occurs (libical would search decades for it on every lookup). Returns 0;
 * -1 when it has no readable observance (unusable); -2 on out of memory.
 */
int	cal_vtz_zone(struct cal_zone **out, const struct cal_comp *vtz,
	    const char *name, int64_t y_hi, int *costly);
/*
 * cal_vtz_exchange - the one rule Exchange makes of it ([MS-OXCICAL]
 * 2.1.3.1.1.19). 0 with *r set; -1 when Exchange cannot read it as a
 * yearly rule (missing offsets, BYMONTHDAY, not YEARLY, a bad BYDAY).
 */
int	cal_vtz_exchange(const struct cal_comp *vtz, struct cal_tzrule *r);
/*
 * cal_vtz_compact - is it in the compact shape: one STANDARD, at most one
 * DAYLIGHT, the R-TZ-5 syntax (local DTSTART, +-HHMM offsets, no RDATE,
 * FREQ=YEARLY;BYMONTH=m;BYDAY=nDD, an RRULE on both when there is a
 * DAYLIGHT)? *structure: one STANDARD and at most one DAYLIGHT; *why says
 * what is not compact.
 */
int	cal_vtz_compact(const struct cal_comp *vtz, int *structure,
	    const char **why);

/* ---- writing VTIMEZONEs (cal_tzwrite.c) -------------------------------- */

/* cal_tzdate_rrule - "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" of an MWD date */
void	cal_tzdate_rrule(char *buf, size_t len, const struct cal_tzdate *d);
/* cal_utc_offset_format - "+0100", or "+005328" with seconds */
void	cal_utc_offset_format(char *buf, size_t len, int32_t off);
/*
 * cal_vtz_build - the compact VTIMEZONE of rule r (one STANDARD, and a
 * DAYLIGHT when r has daylight time, onsets dated in year0), with TZID tzid
 * (transfer full). NULL on out of memory.
 */
struct cal_comp	*cal_vtz_build(const char *tzid, const struct cal_tzrule *r,
		    int64_t year0);
/* cal_vtz_fill - replace vtz's STANDARD and DAYLIGHT by those of rule r;
 * its other lines stay. 0, or -1 on out of memory */
int	cal_vtz_fill(struct cal_comp *vtz, const struct cal_tzrule *r,
	    int64_t year0);
/*
 * cal_vtz_full_text - the zone's whole history as VTIMEZONE text (one
 * observance per change, the yearly rule after the last), for libical
 * (transfer full). NULL when over max bytes or out of memory.
 */
char	*cal_vtz_full_text(const struct cal_zone *z, const char *tzid,
	    size_t max);

/* ---- what a TZID's name says (cal_tzname.c) ------------------------------ */

enum cal_tzhow {
	CAL_TZHOW_NONE = 0,	/* the name has no zone identity */
	CAL_TZHOW_IANA,		/* an IANA name or link */
	CAL_TZHOW_PREFIX,	/* the same behind a producer's prefix */
	CAL_TZHOW_XLIC,		/* the VTIMEZONE's X-LIC-LOCATION */
	CAL_TZHOW_WINDOWS,	/* a Windows zone id, through ICU */
	CAL_TZHOW_ABBREV	/* "Z", "UT" */
};

const char	*cal_tzhow_text(enum cal_tzhow how);
/* cal_tzname_resolve - the tz zone the name (or X-LIC-LOCATION, may be
 * NULL) gives, or NULL (transfer none) */
const struct cal_zone *cal_tzname_resolve(const char *tzid, const char *xlic,
		    enum cal_tzhow *how);
/* cal_tzname_offset_hint - "(UTC+01:00) ..." or "(GMT-08.00) ...": the
 * offset it names; 0 or -1 when the name has none */
int		 cal_tzname_offset_hint(const char *tzid, int32_t *off);

/* ---- an object's TZIDs (cal_tzset.c) ------------------------------------- */

/* what the R-TZ rules do with one TZID */
enum cal_tzplan {
	CAL_TZPLAN_NONE = 0,	/* not decided yet */
	CAL_TZPLAN_KEEP,	/* its VTIMEZONE is right as it is */
	CAL_TZPLAN_ADD,		/* R-TZ-1: no (usable) VTIMEZONE: add one */
	CAL_TZPLAN_COMPACT,	/* R-TZ-3: history or many observances */
	CAL_TZPLAN_NODST,	/* R-TZ-4: no daylight time at the event dates */
	CAL_TZPLAN_SYNTAX,	/* R-TZ-5: one pair, wrong syntax or reading */
	CAL_TZPLAN_NORULE,	/* R-TZ-9: no one rule gives every instant */
	CAL_TZPLAN_UNRESOLVED	/* R-TZ-1: no VTIMEZONE and no identity */
};

/* struct cal_tzent - one TZID of an object and its zone (R-TZ-2) */
struct cal_tzent {
	char			*tzid;	/* the spelling used now (renames) */
	char			*orig;	/* as received */
	struct cal_comp		*vtz;	/* its VTIMEZONE in the tree, or NULL */
	int			 had_vtz;	/* the input defined it */
	int			 conflict;	/* ... twice, differently */
	int			 vtz_bad;	/* ... but with no readable rules */
	struct cal_zone		*own;	/* that VTIMEZONE as RFC 5545 reads it */
	int			 costly;	/* ... and libical reads it slowly */
	struct cal_zone		*in_zone;	/* the input's, when costly and
						 * rewritten since */
	const struct cal_zone	*db;	/* the tz zone its name gives */
	enum cal_tzhow		 how;
	unsigned		 nrefs;	/* TZID parameters naming it */
	int64_t			 lo, hi;	/* span of its times, UTC */
	enum cal_tzplan		 plan;
	struct cal_tzrule	 rule;	/* ADD, COMPACT, NODST, SYNTAX */
	const char		*why;	/* what is wrong with its VTIMEZONE */
};

/* struct cal_tzset - every TZID of a doc (doc->tz) */
struct cal_tzset {
	struct cal_tzent	*v;
	size_t			 n;
	size_t			 cap;
	char			*floating;	/* R-TZ-8 bound floating times
						 * to this TZID, or NULL */
};

/* cal_comp_same - the same lines and components, in the same order */
int		 cal_comp_same(const struct cal_comp *a, const struct cal_comp *b);
/* cal_tzid_text - a VTIMEZONE's TZID value read as TEXT ("a\\, b" is
 * "a, b", as the TZID parameters name it) (transfer full); NULL on OOM */
char		*cal_tzid_text(const char *v);
/* cal_tzset_build - scan doc and resolve each TZID (doc->tz, replacing a
 * previous one). 0, or -1 on out of memory */
int		 cal_tzset_build(struct cal_doc *doc);
/* cal_tzset_find - the entry of tzid (spelling now or as received) */
struct cal_tzent *cal_tzset_find(const struct cal_tzset *set,
		    const char *tzid);
/* cal_tzent_zone - its zone: its own VTIMEZONE's rules, else its name's */
const struct cal_zone *cal_tzent_zone(const struct cal_tzent *e);

/* ---- the R-TZ rules' shared steps (cal_tzplan.c) --------------------------- */

/* cal_tz_is_microsoft - PRODID says Microsoft (N-7: zones left alone) */
int		 cal_tz_is_microsoft(const struct cal_doc *doc);
/* cal_tz_has_events - has the calendar a VEVENT, VTODO, VJOURNAL or
 * VFREEBUSY? */
int		 cal_tz_has_events(const struct cal_comp *cal);
/* cal_tzset_plan - decide every entry's plan and rule */
void		 cal_tzset_plan(struct cal_tzset *set);
/* cal_tz_year0 - the year a compact VTIMEZONE's onsets are dated */
int64_t		 cal_tz_year0(const struct cal_tzent *e);
/*
 * cal_tz_identity - the tz zones that give every instant of [lo, hi] (at
 * least a year) the offsets truth gives, with standard offset *hint when
 * hint is not NULL: how many, the first, and in win (when not NULL) the
 * Windows id they all share, or "" when they do not share one. Reads every
 * zone of the database.
 */
size_t		 cal_tz_identity(const struct cal_zone *truth, int64_t lo,
		    int64_t hi, const int32_t *hint,
		    const struct cal_zone **first, char *win, size_t winlen);
/* cal_tz_rename - the TZID in every reference and its VTIMEZONE; how many
 * references, or -1 on out of memory */
int		 cal_tz_rename(struct cal_doc *doc, struct cal_tzent *e,
		    const char *to);

/* ---- the meaning check's reading (cal_tzcheck.c) ------------------------- */

/*
 * cal_tzset_attach - on one side (input 1 or 0) of the meaning check, give
 * each TZID without a usable VTIMEZONE the zone R-TZ-2 resolved it to, and
 * (input side) bind the floating times R-TZ-8 bound. 0, or -2 on out of
 * memory.
 */
int	cal_tzset_attach(const struct cal_tzset *set, icalcomponent *root,
	    int input);

/* ---- TZif (cal_tzif.c) --------------------------------------------------- */

/*
 * cal_tzif_parse - a TZif file (RFC 8536, version 2 or later) to a zone
 * (transfer full). NULL when it is not one we read (version 1, leap
 * seconds, inconsistent) or on out of memory.
 */
struct cal_zone	*cal_tzif_parse(const char *name, const unsigned char *buf,
		    size_t len);

/* ---- the tz database (cal_tzdb.c) ---------------------------------------- */

void		 cal_tzdb_load(void);	/* the names; once per process */
void		 cal_tzdb_preload(void);	/* and every zone's file */
/* cal_tzdb_version - "2025b", or "" when no database could be read */
const char	*cal_tzdb_version(void);
/* cal_tzdb_find - zone or link by IANA name, ASCII case-insensitively;
 * a link gives its zone (transfer none) */
const struct cal_zone *cal_tzdb_find(const char *name);
/* cal_tzdb_zone - the nth zone (not link), for candidate searches */
const struct cal_zone *cal_tzdb_zone(size_t i);
size_t		 cal_tzdb_count(void);
/* cal_tzdb_windows - Windows id (ICU/CLDR) spelt as ICU does, matched
 * case-insensitively; NULL when ICU knows no such id (transfer none) */
const char	*cal_tzdb_windows(const char *id);
/* cal_tzdb_windows_of - the Windows id of an IANA zone; 0 or -1 */
int		 cal_tzdb_windows_of(const char *iana, char *buf, size_t len);
/* cal_tzdb_for_windows - the IANA zone ICU/CLDR gives for a Windows id
 * (territory 001); NULL when none */
const struct cal_zone *cal_tzdb_for_windows(const char *winid);

#endif
