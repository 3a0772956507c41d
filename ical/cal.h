/*
 * cal.h - the conversion core: one calendar or vCard object in, the object
 * Exchange imports out, plus a list of findings.
 *
 * Pure: bytes in, bytes out. No MIME, no milter, no I/O but read-only opens
 * of the system tz database (see cal_init), no global mutable state but
 * that database's cache, no clock unless a rule documents it. Links libc,
 * libical and ICU.
 * Rule ids are those of shared/research/exchange-rules.md.
 */
#ifndef CALMILTER_CAL_H
#define CALMILTER_CAL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum cal_status {
	CAL_UNCHANGED = 0,	/* already conforms; caller keeps its bytes */
	CAL_CHANGED,		/* out holds a rewrite that passed self-check */
	CAL_SKIPPED,		/* not ours to change (kind, version, policy) */
	CAL_MALFORMED,		/* unparsable, or self-check failed: leave it */
	CAL_LIMIT,		/* a configured ceiling was hit: leave it */
	CAL_ERROR		/* our bug or out of memory */
};

const char	*cal_status_name(enum cal_status st);

/* what an object is, judged by its content */
enum cal_kind {
	CAL_KIND_NONE = 0,	/* not a calendar or vCard */
	CAL_KIND_ICAL,		/* BEGIN:VCALENDAR, VERSION 2.0 or none */
	CAL_KIND_VCAL,		/* BEGIN:VCALENDAR, VERSION 1.0 */
	CAL_KIND_VCARD		/* BEGIN:VCARD */
};

/*
 * cal_detect - sniff the kind from the first content line (after an optional
 * BOM and blank lines; UTF-16 with a BOM is understood).
 */
enum cal_kind	 cal_detect(const char *in, size_t len);

/* ---- findings ---------------------------------------------------------- */

enum cal_finding_kind {
	CAL_FIX = 0,		/* the rule changed something */
	CAL_REPORT		/* the rule found something and changed nothing */
};

struct cal_finding {
	char			 rule[16];	/* "R-LEX-2" */
	enum cal_finding_kind	 kind;
	char			*text;		/* what, where; owned */
};

/*
 * struct cal_report - findings in the order they were made. Bounded: past
 * max entries, further findings are counted in dropped, not stored.
 */
struct cal_report {
	struct cal_finding	*v;
	size_t			 n;
	size_t			 cap;
	size_t			 max;
	size_t			 dropped;
	size_t			 nfix;		/* CAL_FIX findings made, kept or not */
	char			 where[64];	/* prefix for new texts, e.g. "part 1.2: " */
};

void	cal_report_init(struct cal_report *rep, size_t max);
void	cal_report_free(struct cal_report *rep);	/* NULL-safe; reusable after */
/* cal_report_add - printf-style; returns -1 only on out of memory */
int	cal_report_add(struct cal_report *rep, const char *rule,
	    enum cal_finding_kind kind, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
void	cal_report_set_where(struct cal_report *rep, const char *where);
/* cal_report_rules - "R-A,R-B" of CAL_FIX findings, unique, sorted; owned */
char	*cal_report_rules(const struct cal_report *rep, enum cal_finding_kind kind);
/* cal_report_has_fix - does any finding record a change? */
int	cal_report_has_fix(const struct cal_report *rep);
/*
 * cal_report_withdraw - the changes recorded since a mark were rolled back:
 * from index first on, fixes become reports; nfix returns to first_fix.
 */
void	cal_report_withdraw(struct cal_report *rep, size_t first,
	    size_t first_fix);
/*
 * cal_report_demote - the same with the given prefix ("not applied: " for
 * withdraw): for a change that was only reported, or undone.
 */
void	cal_report_demote(struct cal_report *rep, size_t first,
	    size_t first_fix, const char *prefix);
/* cal_report_move - append every finding of src to dst; src left empty */
int	cal_report_move(struct cal_report *dst, struct cal_report *src);

/* ---- policy and limits --------------------------------------------------- */

enum cal_missing_method {
	CAL_MISSING_METHOD_INFER = 0,
	CAL_MISSING_METHOD_PUBLISH,
	CAL_MISSING_METHOD_LEAVE
};

enum cal_tzid_style {
	CAL_TZID_KEEP = 0,		/* the sender's TZID strings */
	CAL_TZID_WINDOWS,		/* Windows zone ids */
	CAL_TZID_IANA			/* IANA names */
};

enum cal_floating {
	CAL_FLOATING_FROM_CALENDAR = 0,	/* the calendar's X-WR-TIMEZONE */
	CAL_FLOATING_ZONE,		/* ... else floating_zone */
	CAL_FLOATING_LEAVE		/* leave floating times, report */
};

enum cal_unrepresentable {
	CAL_UNREPRESENTABLE_UTC_SINGLE = 0,	/* single events to UTC */
	CAL_UNREPRESENTABLE_REPORT		/* report only */
};

/* struct cal_policy - the admin's choices; plain data, copied by callers */
struct cal_policy {
	enum cal_missing_method	 missing_method;	/* R-ITIP-1 */
	int			 repair_broken_lines;	/* R-LEX-5 b */
	int			 lexical_only;		/* R-MIME-7: R-LEX only */
	enum cal_tzid_style	 tzid_style;		/* R-TZ-2 */
	enum cal_floating	 floating;		/* R-TZ-8 */
	char			 floating_zone[64];	/* R-TZ-8: IANA name */
	enum cal_unrepresentable unrepresentable;	/* R-TZ-9 */
	int			 all_day_zero_fix;	/* R-EV-2 AllDayZeroLength */
	int			 all_day_hint;		/* R-EV-3 AllDayHint */
	int			 alarm_earliest_first;	/* R-EV-5 AlarmOrder */
	int			 expand_recurrence;	/* R-RR-4 Unsupported-
							 * Recurrence expand */
	unsigned		 max_expand_instances;	/* R-RR-4 */
	int			 strip_override_rrule;	/* R-RR-7 */
	int			 add_organizer;		/* R-ITIP-7 AddOrganizer */
	int			 use_email_param;	/* R-ITIP-8 UseEmailParam */
	const char		*disable_rules;		/* ids never run; NULL
							 * = none (borrowed) */
	const char		*report_only_rules;	/* ids whose changes
							 * become reports */
	int			 vcard21_to30;		/* R-VC-1: VCard21 to30 */
};

/* struct cal_limits - ceilings; past one the object is left as it is */
struct cal_limits {
	size_t		 max_bytes;		/* object size */
	size_t		 max_line;		/* one unfolded content line */
	unsigned	 max_lines;		/* content lines per object */
	unsigned	 max_components;	/* components per object */
	unsigned	 max_instances;		/* occurrences checked per series */
	size_t		 max_findings;		/* findings kept per object */
	size_t		 max_expansion;		/* occurrences expanded per object
						 * by the meaning check, both
						 * sides together */
};

void	cal_policy_default(struct cal_policy *pol);
void	cal_limits_default(struct cal_limits *lim);

/*
 * cal_rule_listed - is id one of the rule ids of list? list is ids
 * separated by commas and/or blanks ("R-LEX-3, R-ITIP-1"), any case; NULL
 * is the empty list. The form of DisableRules and ReportOnlyRules.
 */
int	cal_rule_listed(const char *list, const char *id);
/* cal_rule_known - is id a rule of the core's table (ical/rules.c)? */
int	cal_rule_known(const char *id);

/*
 * struct cal_context - what the message around the object says. Every field
 * may be empty. Strings are borrowed for the duration of the call.
 */
struct cal_context {
	const char	*mime_method;	/* text/calendar method= parameter */
	const char	*mime_charset;	/* charset= parameter */
	const char	*from_addr;	/* From address, lower case */
	const char	*from_name;	/* its display name (R-ITIP-7) */
	int		 from_several;	/* From names more than one mailbox */
	const char	*sender_addr;	/* Sender address, lower case */
	time_t		 date;		/* Date header; (time_t)-1 when absent */
	time_t		 now;		/* processing time, used only when
					 * nothing in the input can stand in
					 * (documented per rule) */
};

void	cal_context_init(struct cal_context *ctx);

/*
 * struct cal_ident - who and what an iCalendar object is about, for the
 * decisions of the MIME layer (copies, promotion). Addresses are mailto:
 * addresses without the scheme, lower case; strings are owned, NULL when
 * absent. Filled for CAL_CHANGED and CAL_UNCHANGED iCalendar objects, from
 * the object as it leaves.
 */
struct cal_ident {
	char		*uid;		/* UID of the first component with one */
	unsigned	 nuids;		/* distinct UIDs (0, 1, 2: more) */
	char		*organizer;	/* the ORGANIZER, when all agree */
	char		*sent_by;	/* its SENT-BY, when all agree */
	unsigned	 norganizers;	/* distinct ORGANIZERs (0, 1, 2) */
	char		*attendee;	/* the ATTENDEE, when there is one */
	unsigned	 nattendees;	/* distinct ATTENDEEs (0, 1, 2) */
};

/*
 * struct cal_out - the result. method[] is the object's METHOD after
 * normalization ("" when it has none, "?" when it is not an iTIP method);
 * it is filled for CAL_UNCHANGED too, so that the caller can align MIME
 * labels. data/len only for CAL_CHANGED: a UTF-8, CRLF, 75-octet-folded
 * object, owned (free with cal_out_free); charset is then "utf-8".
 */
struct cal_out {
	char		*data;
	size_t		 len;
	enum cal_kind	 kind;
	char		 method[16];
	char		 charset[32];	/* "utf-8" for CAL_CHANGED, else "" */
	struct cal_ident ident;		/* see above; freed with the out */
	size_t		 ncards;	/* vCard: the cards it holds */
};

void	cal_out_init(struct cal_out *out);
void	cal_out_free(struct cal_out *out);	/* NULL-safe; reusable after */

/*
 * cal_normalize - make one object acceptable to Exchange.
 *
 * in/len: the part's bytes after transfer decoding, in the declared charset.
 * Findings are appended to rep in every case. Normalization is idempotent
 * and deterministic: the same input and context give the same bytes.
 * Before returning CAL_CHANGED the result is re-parsed and its meaning
 * compared with the input's (N-4); a difference gives CAL_MALFORMED with a
 * finding, and the caller keeps the original bytes.
 */
enum cal_status	cal_normalize(struct cal_out *out, const char *in, size_t len,
		    const struct cal_context *ctx, const struct cal_policy *pol,
		    const struct cal_limits *lim, struct cal_report *rep);

/* struct cal_span - bytes [off, off + len) of a larger text */
struct cal_span {
	size_t	 off;
	size_t	 len;
};

/*
 * cal_vcard_cards - the top-level cards of a vCard object (any ASCII-based
 * text: cal_out data, or the original bytes): each from its BEGIN:VCARD
 * line to the end of its END:VCARD line, line end included, so that each
 * is a vCard object of its own (R-VC-7). Stores at most max spans in v;
 * returns how many cards there are.
 */
size_t	cal_vcard_cards(const char *in, size_t len, struct cal_span *v,
	    size_t max);

/*
 * cal_init - once per process, before threads: libical settings, the tz
 * database's names. Zone files are opened later, read-only, under
 * /usr/share/zoneinfo ($TZDIR), each the first time it is needed.
 */
void	cal_init(void);

#endif
