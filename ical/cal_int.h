/*
 * cal_int.h - internals shared by the files of ical/
 *
 * The core keeps its own content-line tree instead of libical's: libical has
 * no mode that preserves the bytes of what it did not change (it re-escapes,
 * re-orders rule parts and drops values it cannot parse), and N-11 requires
 * untouched lines to stay as they were. Rules edit this tree; libical is
 * used to interpret it (times, zones, recurrence) and to check meaning.
 */
#ifndef CALMILTER_CAL_INT_H
#define CALMILTER_CAL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cal.h"

/* ---- cal_buf: a growing byte buffer with a ceiling ----------------------- */

struct cal_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	size_t	 max;	/* ceiling; past it appends fail and over is set */
	int	 over;	/* the ceiling was hit */
	int	 oom;	/* an allocation failed */
};

void	cal_buf_init(struct cal_buf *b, size_t max);
void	cal_buf_free(struct cal_buf *b);
int	cal_buf_add(struct cal_buf *b, const void *p, size_t n);
int	cal_buf_adds(struct cal_buf *b, const char *s);
int	cal_buf_addc(struct cal_buf *b, char c);
/* cal_buf_steal - NUL-terminated contents (transfer full); buffer reset */
char	*cal_buf_steal(struct cal_buf *b, size_t *len);

/* ---- the content-line tree ------------------------------------------------ */

#define CAL_FOLD_MAX 75		/* octets per physical line, CRLF excluded */

/*
 * struct cal_prop - one content line. name, params and value are the
 * unfolded text (params starts with ';' when present). raw points at the
 * original folded bytes inside cal_doc.text; it is cleared when a rule edits
 * the line, and then the line is written from name, params and value.
 */
struct cal_prop {
	char		*name;		/* as written; compare case-insensitively */
	char		*params;	/* ";A=b;C=d" or "" */
	char		*value;
	const char	*raw;		/* original physical lines, or NULL */
	size_t		 rawlen;
	unsigned	 line;		/* first input line, 1-based; 0 = added */
	unsigned	 refold:1;	/* original folding is not acceptable */
};

enum cal_item_type {
	CAL_ITEM_PROP = 0,
	CAL_ITEM_COMP
};

struct cal_comp;

struct cal_item {
	enum cal_item_type	 type;
	union {
		struct cal_prop	*prop;
		struct cal_comp	*comp;
	} u;
};

/*
 * struct cal_comp - BEGIN:NAME ... END:NAME with its properties and
 * sub-components in input order. The pseudo-component doc->root (name NULL)
 * holds the top-level objects.
 */
struct cal_comp {
	char		*name;		/* upper case: "VEVENT" */
	struct cal_prop	*begin;		/* the BEGIN line (raw kept) */
	struct cal_prop	*end;		/* the END line */
	struct cal_item	*items;
	size_t		 n;
	size_t		 cap;
	struct cal_comp	*parent;
};

/* what the lexer saw; lexical rules turn these into findings */
struct cal_lexinfo {
	int		 bom;		/* a byte-order mark was removed */
	char		 charset[32];	/* transcoded from this, "" if not */
	unsigned	 eol_fixed;	/* physical lines not ending in CRLF */
	unsigned	 ctl_removed;	/* control characters removed */
	unsigned	 blank_removed;	/* empty lines inside the object */
	unsigned	 joined;	/* broken lines joined (R-LEX-5 b) */
	unsigned	 refold;	/* lines whose folding must change */
	unsigned	 lines;		/* logical lines */
	unsigned	 objects;	/* top-level components */
};

/*
 * Differences in meaning a rule may make on purpose; the meaning check
 * accepts exactly these and nothing else (N-4).
 */
#define CAL_ALLOW_TEXT_JOIN	0x01	/* R-LEX-5 b: a TEXT value regains the
					 * rest cut off by a raw newline, and
					 * libical's errors about that line
					 * ("data line", "property name") go */
#define CAL_ALLOW_ORGANIZER	0x02	/* R-ITIP-7: an ORGANIZER appears in a
					 * component that had none */
#define CAL_ALLOW_MAILTO	0x04	/* R-ITIP-8: an address gains its
					 * mailto: scheme, or loses the quotes
					 * around it */
#define CAL_ALLOW_EMAIL_URI	0x08	/* R-ITIP-8 UseEmailParam: a person's
					 * other URI becomes mailto: of its
					 * EMAIL parameter */
#define CAL_ALLOW_ALLDAY_LENGTH	0x10	/* R-EV-2: a zero-length all-day
					 * occurrence lasts one day */
#define CAL_ALLOW_ALLDAY_HINT	0x20	/* R-EV-3: X-MICROSOFT-CDO-ALLDAYEVENT:
					 * TRUE where there was none */
#define CAL_ALLOW_UID		0x40	/* R-ITIP-5: a component without UID
					 * gains a derived "calmilter-" one */
#define CAL_ALLOW_SEQUENCE	0x80	/* R-ITIP-6: SEQUENCE:0 where there
					 * was none */
#define CAL_ALLOW_OVERRIDE_RRULE 0x100	/* R-RR-7 StripOverrideRrule: an
					 * override loses its own recurrence */
#define CAL_ALLOW_TEXT_UNESCAPE	0x200	/* R-LEX-6: a character libical read
					 * as a blank (an unknown escape) is
					 * the escaped character */

/* CAL_DERIVED_UID - how R-ITIP-5's derived UIDs begin */
#define CAL_DERIVED_UID		"calmilter-"

struct cal_tzset;
void	cal_tzset_free(struct cal_tzset *tz);	/* NULL-safe */

struct cal_doc {
	char			*text;	/* decoded UTF-8 input, owned */
	unsigned		 allow;	/* CAL_ALLOW_* set by the rules */
	struct cal_tzset	*tz;	/* its TZIDs resolved (cal_tzset.c), owned;
					 * NULL until first asked for */
	size_t			 len;
	struct cal_comp		 root;
	struct cal_lexinfo	 lex;
	unsigned		 ncomps;
	unsigned		 trailer_blank;	/* empty lines after the last END */
};

/*
 * cal_decode - bytes in the declared charset to UTF-8 text without a BOM and
 * without control characters other than HTAB, CR and LF (R-LEX-1, R-LEX-4,
 * R-LEX-5 a). *text is (transfer full), NUL-terminated.
 * Returns CAL_UNCHANGED on success, CAL_MALFORMED (with a finding) when the
 * charset is unknown or the bytes are not valid in it, CAL_ERROR on OOM.
 */
enum cal_status	cal_decode(char **text, size_t *textlen,
		    struct cal_lexinfo *lex, const char *in, size_t len,
		    const char *charset, struct cal_report *rep);

/* cal_utf8_valid - 1 when buf is well-formed UTF-8 */
int	cal_utf8_valid(const char *buf, size_t len);

/*
 * cal_doc_parse - decoded text to a tree (takes ownership of text).
 * Returns CAL_UNCHANGED, CAL_MALFORMED (finding added), CAL_LIMIT or
 * CAL_ERROR; *out is set only on success.
 */
enum cal_status	cal_doc_parse(struct cal_doc **out, char *text, size_t len,
		    const struct cal_lexinfo *lex, const struct cal_limits *lim,
		    struct cal_report *rep);
void	cal_doc_free(struct cal_doc *doc);	/* NULL-safe */
/* cal_doc_clone - a deep copy (transfer full); NULL on out of memory */
struct cal_doc	*cal_doc_clone(const struct cal_doc *doc);

/*
 * cal_doc_write - the tree as CRLF, 75-octet-folded UTF-8 (transfer full).
 * NULL when the output would pass max bytes (*over set) or on out of memory.
 */
char	*cal_doc_write(const struct cal_doc *doc, size_t max, size_t *len,
	    int *over);

/* tree helpers (names compared case-insensitively) */
struct cal_prop	*cal_comp_prop(const struct cal_comp *c, const char *name);
struct cal_comp	*cal_comp_child(const struct cal_comp *c, const char *name,
		    size_t nth);
size_t		 cal_comp_count(const struct cal_comp *c, const char *name);
/* cal_comp_first_comp_index - index of the first sub-component, or c->n */
size_t		 cal_comp_first_comp_index(const struct cal_comp *c);
/*
 * cal_prop_new - a new line (transfer full). params may be NULL.
 * Returns NULL on out of memory.
 */
struct cal_prop	*cal_prop_new(const char *name, const char *params,
		    const char *value);
void		 cal_prop_free(struct cal_prop *p);
/* cal_comp_insert - insert p at index at (<= c->n); steals p on success */
int		 cal_comp_insert(struct cal_comp *c, size_t at,
		    struct cal_prop *p);
/* cal_comp_append_comp - add sub as the last item of c; steals sub */
int		 cal_comp_append_comp(struct cal_comp *c, struct cal_comp *sub);
/* cal_prop_set_value - replace the value; the line is rewritten */
int		 cal_prop_set_value(struct cal_prop *p, const char *value);
/*
 * cal_prop_set_param - set parameter NAME to value (quoted when it holds
 * ':', ';' or ','), replacing it where it is; value NULL removes it. The
 * line is rewritten. -1 on out of memory.
 */
int		 cal_prop_set_param(struct cal_prop *p, const char *name,
		    const char *value);
/* cal_comp_new - an empty component NAME with its BEGIN and END lines
 * (transfer full); NULL on out of memory */
struct cal_comp	*cal_comp_new(const char *name);
/* cal_comp_free_tree - free a component that is in no tree; NULL-safe */
void		 cal_comp_free_tree(struct cal_comp *c);
/* cal_comp_insert_comp - insert sub at index at (<= c->n); steals sub */
int		 cal_comp_insert_comp(struct cal_comp *c, size_t at,
		    struct cal_comp *sub);
/* cal_comp_remove - remove item at and free it */
void		 cal_comp_remove(struct cal_comp *c, size_t at);

/*
 * cal_param_get - value of parameter NAME in p->params, unquoted
 * (transfer full), or NULL when absent (or out of memory).
 */
char		*cal_param_get(const struct cal_prop *p, const char *name);

/* ---- rules ------------------------------------------------------------------ */

/* struct cal_env - what a rule may read and where it reports */
struct cal_env {
	const struct cal_context	*ctx;
	const struct cal_policy		*pol;
	const struct cal_limits		*lim;
	struct cal_report		*rep;
	enum cal_kind			 kind;
	size_t				 first;	/* rep->n when this object began */
	size_t				 first_fix;	/* rep->nfix then */
};

#define CAL_RULE_LEXICAL	0x01	/* runs in lexical-only mode too */
#define CAL_RULE_VCARD		0x02	/* runs on vCards too */
#define CAL_RULE_NOICAL		0x04	/* never runs on iCalendar */

/* what a rule function returns */
#define CAL_RULE_OK	0	/* applied, or nothing to do */
#define CAL_RULE_ERROR	(-1)	/* out of memory */
#define CAL_RULE_LEAVE	1	/* the object must be left as it is */

/*
 * struct cal_rule - one row of the rule table (ical/rules.c). apply edits
 * the tree and reports (CAL_FIX for each change, CAL_REPORT otherwise).
 */
struct cal_rule {
	const char	*id;		/* rule id of exchange-rules.md */
	const char	*grounds;	/* spec section */
	unsigned	 flags;
	int		(*apply)(struct cal_doc *doc, const struct cal_env *env);
};

/* cal_rules_run - every rule of the table that applies, in order; returns
 * the first CAL_RULE_ERROR or CAL_RULE_LEAVE, else CAL_RULE_OK */
int	cal_rules_run(struct cal_doc *doc, const struct cal_env *env);
/* cal_rules_count / cal_rules_get - the table, for documentation and tests */
size_t			 cal_rules_count(void);
const struct cal_rule	*cal_rules_get(size_t i);

/* rule functions, one family per file */
int	rule_lex_bom(struct cal_doc *, const struct cal_env *);
int	rule_lex_eol(struct cal_doc *, const struct cal_env *);
int	rule_lex_fold(struct cal_doc *, const struct cal_env *);
int	rule_lex_charset(struct cal_doc *, const struct cal_env *);
int	rule_lex_control(struct cal_doc *, const struct cal_env *);
int	rule_lex_objects(struct cal_doc *, const struct cal_env *);
int	rule_version_prodid(struct cal_doc *, const struct cal_env *);
int	rule_method(struct cal_doc *, const struct cal_env *);
int	rule_dtstamp(struct cal_doc *, const struct cal_env *);
int	rule_tz_values(struct cal_doc *, const struct cal_env *);	/* R-TZ-7 */
int	rule_tz_floating(struct cal_doc *, const struct cal_env *); /* R-TZ-8 */
int	rule_tz_resolve(struct cal_doc *, const struct cal_env *);	/* R-TZ-2 */
int	rule_tz_utc(struct cal_doc *, const struct cal_env *);	/* R-TZ-9 */
int	rule_tz_unique(struct cal_doc *, const struct cal_env *);	/* R-TZ-6 */
int	rule_tz_define(struct cal_doc *, const struct cal_env *);	/* R-TZ-1 */
int	rule_tz_compact(struct cal_doc *, const struct cal_env *);	/* R-TZ-3 */
int	rule_tz_nodst(struct cal_doc *, const struct cal_env *);	/* R-TZ-4 */
int	rule_tz_syntax(struct cal_doc *, const struct cal_env *);	/* R-TZ-5 */
/* events, recurrences and scheduling (their helpers: cal_recur.h) */
int	rule_lex_text(struct cal_doc *, const struct cal_env *);
int	rule_itip_uid(struct cal_doc *, const struct cal_env *);
int	rule_itip_object(struct cal_doc *, const struct cal_env *);
int	rule_itip_organizer(struct cal_doc *, const struct cal_env *);
int	rule_itip_mailto(struct cal_doc *, const struct cal_env *);
int	rule_itip_checks(struct cal_doc *, const struct cal_env *);
int	rule_ev_spelling(struct cal_doc *, const struct cal_env *);
int	rule_ev_end(struct cal_doc *, const struct cal_env *);
int	rule_ev_consistent(struct cal_doc *, const struct cal_env *);
int	rule_ev_allday(struct cal_doc *, const struct cal_env *);
int	rule_ev_order(struct cal_doc *, const struct cal_env *);
int	rule_ev_alarm(struct cal_doc *, const struct cal_env *);
int	rule_rr_syntax(struct cal_doc *, const struct cal_env *);
int	rule_rr_daily(struct cal_doc *, const struct cal_env *);
int	rule_rr_until(struct cal_doc *, const struct cal_env *);
int	rule_rr_rdate(struct cal_doc *, const struct cal_env *);
int	rule_rr_shape(struct cal_doc *, const struct cal_env *);
int	rule_rr_exdate(struct cal_doc *, const struct cal_env *);
int	rule_rr_recurid(struct cal_doc *, const struct cal_env *);

/*
 * cal_ident_fill - UID, ORGANIZER and ATTENDEE of doc (cal_ident.c).
 * Returns 0, or -1 on out of memory (f is then cleared).
 */
int	cal_ident_fill(struct cal_ident *f, const struct cal_doc *doc);
void	cal_ident_free(struct cal_ident *f);	/* NULL-safe; reusable */
/* vCard rules (rule_vc21.c, rule_vc40.c, rule_vcard.c; vc_int.h) */
int	rule_vc21(struct cal_doc *, const struct cal_env *);
int	rule_vc_version(struct cal_doc *, const struct cal_env *);
int	rule_vc40(struct cal_doc *, const struct cal_env *);
int	rule_vc_names(struct cal_doc *, const struct cal_env *);
int	rule_vc_photo(struct cal_doc *, const struct cal_env *);
int	rule_vc_split(struct cal_doc *, const struct cal_env *);

/* cal_doc_method - METHOD of the calendar, canonical upper case; "" when
 * there is none, "?" when it is not an iTIP method */
const char	*cal_doc_method(const struct cal_doc *doc);

/* the calendar object of a doc: first VCALENDAR at top level, or NULL */
struct cal_comp	*cal_doc_calendar(const struct cal_doc *doc);

/* ---- meaning check (N-4) --------------------------------------------------- */

/*
 * cal_meaning_check - do before and after (UTF-8 iCalendar texts) describe
 * the same events: same components, same instants and lengths of every
 * occurrence within the horizon (lim->max_instances per series), same
 * people, same human text and extensions?
 * Returns 1 when they do; 0 when not (why says what differs); -1 when the
 * result cannot be judged (libical cannot parse it, or a parse error remains
 * that no rule repairs: R-LEX-10 findings added); -2 on out of memory; -3
 * when more than lim->max_expansion occurrences would have to be expanded
 * (a LIMIT finding added).
 */
int	cal_meaning_check(const char *before, const char *after,
	    const struct cal_limits *lim, unsigned allow,
	    struct cal_report *rep, char *why, size_t whylen);
/*
 * cal_meaning_check_tz - the same, reading each TZID of the input that has
 * no usable VTIMEZONE in the zone R-TZ-2 resolved it to, and the floating
 * times R-TZ-8 bound in the zone they were bound to; TZIDs the output still
 * leaves undefined are read the same way (cal_tzcheck.c). tz may be NULL.
 */
int	cal_meaning_check_tz(const char *before, const char *after,
	    const struct cal_limits *lim, unsigned allow,
	    const struct cal_tzset *tz, struct cal_report *rep, char *why,
	    size_t whylen);

/*
 * cal_recur_unsafe - the first recurrence rule in c or below it that
 * libical cannot be trusted to expand in bounded time (cal_recur.c says
 * which), as a phrase for a finding; NULL when there is none.
 */
struct icalcomponent_impl;
const char	*cal_recur_unsafe(struct icalcomponent_impl *c);

/* name helpers */
int	cal_streq(const char *a, const char *b);	/* ASCII case-insensitive */

/* ---- time zones (cal_tz*.c; their internals are in cal_tz.h) -------------- */

/*
 * A TZID of an object resolves (R-TZ-2) to a zone, or to nothing. In this
 * order: the object's own VTIMEZONE of that TZID when its rules can be read
 * (judged by its rules, not its name); else the tz database zone its name
 * gives: an IANA name (any case, also a link such as US/Eastern), the same
 * behind a producer's prefix (/mozilla.org/20070129_1/Europe/Berlin,
 * /freeassociation.sourceforge.net/Tzfile/..., /softwarestudio.org/...),
 * the VTIMEZONE's X-LIC-LOCATION, a Windows zone id (ICU, CLDR), or UTC
 * spelt "Z" or "UT". Nothing is guessed: a name without identity and
 * without usable rules resolves to nothing.
 *
 * Times are int64_t seconds since 1970-01-01T00:00:00 of the proleptic
 * Gregorian calendar: "local" counts the wall-clock fields as if they were
 * UTC, "utc" is the instant; local = utc + offset.
 */
struct cal_zone;

/*
 * cal_doc_zone - the zone TZID tzid (exact spelling, as in the TZID
 * parameter) of doc resolves to, or NULL (transfer none; valid until doc is
 * freed). The first call resolves every TZID of the doc (doc->tz); rules
 * that rename TZIDs keep it current, so both old and new spellings work.
 */
const struct cal_zone	*cal_doc_zone(struct cal_doc *doc, const char *tzid);
/* cal_zone_name - the IANA name, or the TZID for a VTIMEZONE's own rules */
const char	*cal_zone_name(const struct cal_zone *z);
/* cal_zone_to_local - the wall-clock time of an instant in the zone */
int64_t		 cal_zone_to_local(const struct cal_zone *z, int64_t utc);
/*
 * cal_zone_to_utc - the instant of a wall-clock time in the zone, as RFC
 * 5545 3.3.5 reads it: a time that occurs twice (clocks go back) is the
 * first; a time that does not occur (clocks go forward) is read with the
 * offset before the change. Returns 0 when the time occurs exactly once, 1
 * when it was ambiguous or skipped (a rule converting it should say so:
 * libical reads a skipped time with the offset after the change, and an
 * ambiguous one in standard time).
 */
int		 cal_zone_to_utc(const struct cal_zone *z, int64_t local,
		    int64_t *utc);

/* struct cal_time - one DATE or DATE-TIME value */
struct cal_time {
	int64_t	 secs;		/* local seconds; the instant when is_utc */
	int	 is_date;	/* "20250704" */
	int	 is_utc;	/* "20250704T150000Z" */
};

/* cal_time_parse - "YYYYMMDD", "YYYYMMDDTHHMMSS" or with "Z"; 0 or -1 */
int	cal_time_parse(struct cal_time *t, const char *v);
/* cal_time_format - the same forms; at least 17 bytes; 0 or -1 */
int	cal_time_format(char *buf, size_t len, const struct cal_time *t);

#endif
