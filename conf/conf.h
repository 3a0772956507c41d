/*
 * conf.h - calmilter's configuration: one table of keys, one immutable struct
 *
 * The file is flat "Key value" lines; '#' starts a comment; keys are
 * case-insensitive. Every key is declared once in conf/conf_table.c with its
 * type, default, bounds and one line of help; the parser, `calmilter -n`,
 * the example file and the man page's key list all come from that table.
 * An unknown key or a bad value is an error "FILE:LINE: message".
 *
 * conf/ is read by milter/ only; it knows nothing of mime/ or ical/. milter/
 * copies what the lower layers need into their own policy structs.
 */
#ifndef CALMILTER_CONF_H
#define CALMILTER_CONF_H

#include <stddef.h>
#include <stdio.h>

#define CONF_DEFAULT_PATH "/etc/calmilter/calmilter.conf"

enum conf_on_error {
	CONF_ON_ERROR_ACCEPT = 0,	/* internal fault: pass unchanged */
	CONF_ON_ERROR_TEMPFAIL		/* internal fault: 4xx, MTA retries */
};

enum conf_mode {
	CONF_MODE_REWRITE = 0,		/* apply the changes */
	CONF_MODE_REPORT		/* find and log; never change mail */
};

enum conf_missing_method {
	CONF_MISSING_METHOD_INFER = 0,	/* REQUEST only under strict checks */
	CONF_MISSING_METHOD_PUBLISH,	/* always METHOD:PUBLISH */
	CONF_MISSING_METHOD_LEAVE	/* add nothing; report */
};

enum conf_dkim_signed {
	CONF_DKIM_SKIP = 0,		/* DKIM-signed mail is left as it is */
	CONF_DKIM_REWRITE,		/* changed like any other */
	CONF_DKIM_VERIFIED		/* changed when a trusted A-R says pass */
};

enum conf_encapsulated {
	CONF_ENCAPSULATED_LEXICAL = 0,	/* forwarded calendars: R-LEX only */
	CONF_ENCAPSULATED_NO		/* leave them alone */
};

enum conf_tzid_style {
	CONF_TZID_KEEP = 0,		/* R-TZ-2: the sender's TZIDs */
	CONF_TZID_WINDOWS,		/* Windows zone ids */
	CONF_TZID_IANA			/* IANA names */
};

enum conf_unrepresentable {
	CONF_UNREPRESENTABLE_UTC_SINGLE = 0,	/* R-TZ-9: single events UTC */
	CONF_UNREPRESENTABLE_REPORT		/* report only */
};

/* syslog facility: -1 means "no syslog" */
#define CONF_SYSLOG_NONE (-1)

enum conf_log_level {
	CONF_LOG_ERROR = 0,
	CONF_LOG_WARNING,
	CONF_LOG_NOTICE,
	CONF_LOG_INFO,
	CONF_LOG_DEBUG
};

/*
 * struct conf - the configuration in force. Immutable once loaded; strings
 * are owned by the struct and freed by conf_free().
 */
struct conf {
	char		*path;		/* file it came from, or NULL */

	/* daemon */
	char		*socket;	/* libmilter socket spec */
	char		*user_id;	/* "user" or "user:group"; NULL = none */
	char		*pid_file;	/* NULL = none */
	unsigned	 socket_mode;	/* of a unix socket, set after bind */
	unsigned	 umask;		/* the daemon's file creation mask */
	unsigned	 mta_timeout;	/* seconds to wait for the MTA */
	int		 syslog_facility; /* LOG_MAIL, ..., or CONF_SYSLOG_NONE */
	int		 log_level;	/* enum conf_log_level */
	int		 on_error;	/* enum conf_on_error */
	int		 mode;		/* enum conf_mode */

	/* limits: past one, the message passes unchanged */
	size_t		 max_message_size;	/* bytes */
	size_t		 spool_threshold;	/* bytes kept in memory */
	size_t		 max_part_size;		/* bytes of one calendar part */
	unsigned	 max_mime_depth;	/* nesting levels walked */
	unsigned	 max_mime_parts;	/* parts walked per message */
	unsigned	 max_components;	/* per calendar or vCard object */
	unsigned	 max_properties;	/* content lines per object */
	size_t		 max_line_length;	/* one unfolded content line */
	unsigned	 max_instances;		/* occurrences compared per series */
	unsigned	 max_expansion;		/* occurrences expanded per object */

	/* workers: the processes that parse mail (milter/milt_pool.c) */
	unsigned	 workers;		/* how many */
	unsigned	 max_message_time;	/* seconds one message may take */
	size_t		 worker_memory;		/* address space of one worker */

	/* numbers and forensics (milter/milt_stats.c, milt_keep.c) */
	char		*stats_file;		/* Prometheus textfile; NULL = none */
	unsigned	 stats_interval;	/* seconds between writes */
	char		*keep_originals;	/* directory; NULL = none */
	unsigned	 keep_days;		/* how long originals are kept */

	/* policies (rule ids from exchange-rules.md) */
	int		 missing_method;	/* R-ITIP-1 */
	int		 normalize_encapsulated; /* R-MIME-7 */
	int		 tzid_style;		/* R-TZ-2 */
	char		*floating_zone;	/* R-TZ-8: "from-calendar", "leave"
					 * or an IANA zone name */
	int		 unrepresentable_zone;	/* R-TZ-9 */
	int		 repair_broken_lines;	/* R-LEX-5 b: 1 yes */
	int		 all_day_zero_length;	/* R-EV-2: 1 fix, 0 leave */
	int		 all_day_hint;		/* R-EV-3: 1 yes */
	int		 alarm_order;		/* R-EV-5: 1 earliest-first */
	int		 unsupported_recurrence; /* R-RR-4: 1 expand */
	unsigned	 max_expand_instances;	/* R-RR-4 */
	int		 strip_override_rrule;	/* R-RR-7: 1 yes */
	int		 add_organizer;		/* R-ITIP-7: 1 from */
	int		 use_email_param;	/* R-ITIP-8: 1 yes */
	int		 promote_attached_invite; /* R-MIME-4: 1 yes, 0 no */
	int		 content_class_header;	/* R-MIME-8: 1 yes, 0 no */
	int		 dkim_signed;		/* N-2: enum conf_dkim_signed */
	char		*trusted_authserv_ids;	/* RFC 8601 ids; NULL = none */

	/* scope and exemptions (milter/milt_scope.c) */
	char		*scope_domains;		/* "all" or recipient domains */
	char		*exempt_networks;	/* CIDR blocks; NULL = none */
	char		*exempt_sender_domains;	/* NULL = none */
	int		 exempt_authenticated;	/* 1 yes, 0 no */

	/* per-rule switches: rule ids, NULL = none */
	char		*disable_rules;		/* these never run */
	char		*report_only_rules;	/* these only report */
};

/*
 * conf_new_default - a struct conf holding every key's default.
 * (transfer full) free with conf_free(). NULL only on out of memory.
 */
struct conf	*conf_new_default(void);

/*
 * conf_load - read FILE over the defaults.
 * Returns a new struct conf (transfer full), or NULL with "FILE:LINE: message"
 * (or "FILE: strerror") written to err.
 */
struct conf	*conf_load(const char *file, char *err, size_t errlen);

/*
 * conf_set - set one key from text, as a line of the file would.
 * where names the origin for messages ("-p", "FILE:LINE").
 * Returns 0, or -1 with "WHERE: message" in err. For command-line overrides.
 */
int		 conf_set(struct conf *c, const char *key, const char *value,
		    const char *where, char *err, size_t errlen);

/* conf_free - NULL-safe */
void		 conf_free(struct conf *c);

/* conf_print - every key with its effective value, in file syntax */
void		 conf_print(const struct conf *c, FILE *out);

/*
 * conf_print_example - the example file: every key, commented, with its help
 * text and its default. conf/calmilter.conf is this output.
 */
void		 conf_print_example(FILE *out);

/*
 * conf_print_man_keys - the key list of calmilter.conf(5) in mdoc: every
 * key with its help text, its values and its default. conf/calmilter.conf.5
 * holds it between the lines CONF_MAN_BEGIN and CONF_MAN_END.
 */
#define CONF_MAN_BEGIN	".\\\" BEGIN KEYS (make conf-example writes them)"
#define CONF_MAN_END	".\\\" END KEYS"
void		 conf_print_man_keys(FILE *out);

#endif
