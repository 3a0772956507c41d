/*
 * conf_table.c - every configuration key, declared once
 *
 * The parser, conf_print() (`calmilter -n`), the example file
 * conf/calmilter.conf and its test all read this table. To add a key, add a
 * field to struct conf in conf.h and one row below, keeping the rows sorted
 * by name (case-insensitively: the lookup is a bsearch with strcasecmp), then
 * regenerate conf/calmilter.conf with conf_print_example().
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "conf_int.h"

#define CONF_OFF(field) offsetof(struct conf, field)
#define CONF_KIB        1024ULL
#define CONF_MIB        (1024ULL * CONF_KIB)
#define CONF_GIB        (1024ULL * CONF_MIB)

static const struct conf_word conf_w_on_error[] = {
    {"accept", CONF_ON_ERROR_ACCEPT},
    {"tempfail", CONF_ON_ERROR_TEMPFAIL},
    {NULL, 0},
};

static const struct conf_word conf_w_mode[] = {
    {"rewrite", CONF_MODE_REWRITE},
    {"report", CONF_MODE_REPORT},
    {NULL, 0},
};

static const struct conf_word conf_w_missing_method[] = {
    {"infer", CONF_MISSING_METHOD_INFER},
    {"publish", CONF_MISSING_METHOD_PUBLISH},
    {"leave", CONF_MISSING_METHOD_LEAVE},
    {NULL, 0},
};

static const struct conf_word conf_w_encapsulated[] = {
    {"lexical", CONF_ENCAPSULATED_LEXICAL},
    {"no", CONF_ENCAPSULATED_NO},
    {NULL, 0},
};

static const struct conf_word conf_w_tzid_style[] = {
    {"keep", CONF_TZID_KEEP},
    {"windows", CONF_TZID_WINDOWS},
    {"iana", CONF_TZID_IANA},
    {NULL, 0},
};

static const struct conf_word conf_w_unrepresentable[] = {
    {"utc-single", CONF_UNREPRESENTABLE_UTC_SINGLE},
    {"report", CONF_UNREPRESENTABLE_REPORT},
    {NULL, 0},
};

static const struct conf_word conf_w_yes_no[] = {
    {"yes", 1},
    {"no", 0},
    {NULL, 0},
};

static const struct conf_word conf_w_add_organizer[] = {
    {"from", 1},
    {"no", 0},
    {NULL, 0},
};

static const struct conf_word conf_w_alarm_order[] = {
    {"keep", 0},
    {"earliest-first", 1},
    {NULL, 0},
};

static const struct conf_word conf_w_allday_zero[] = {
    {"fix", 1},
    {"leave", 0},
    {NULL, 0},
};

static const struct conf_word conf_w_unsupported[] = {
    {"report", 0},
    {"expand", 1},
    {NULL, 0},
};

static const struct conf_word conf_w_dkim[] = {
    {"skip", CONF_DKIM_SKIP},
    {"rewrite", CONF_DKIM_REWRITE},
    {"verified", CONF_DKIM_VERIFIED},
    {NULL, 0},
};

static const struct conf_word conf_w_facility[] = {
    {"no", CONF_SYSLOG_NONE},
    {"mail", LOG_MAIL},
    {"daemon", LOG_DAEMON},
    {"user", LOG_USER},
    {"local0", LOG_LOCAL0},
    {"local1", LOG_LOCAL1},
    {"local2", LOG_LOCAL2},
    {"local3", LOG_LOCAL3},
    {"local4", LOG_LOCAL4},
    {"local5", LOG_LOCAL5},
    {"local6", LOG_LOCAL6},
    {"local7", LOG_LOCAL7},
    {NULL, 0},
};

static const struct conf_word conf_w_log_level[] = {
    {"error", CONF_LOG_ERROR},   {"warning", CONF_LOG_WARNING},
    {"notice", CONF_LOG_NOTICE}, {"info", CONF_LOG_INFO},
    {"debug", CONF_LOG_DEBUG},   {NULL, 0},
};

/* conf_socket_port - "PORT" or "PORT@HOST" of an inet socket; 0 = good */
static int
conf_socket_port(const char *s)
{
	const char *at;
	unsigned long port;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	port = strtoul(s, &end, 10);
	if (errno != 0 || port == 0 || port > 65535)
		return -1;
	at = end;
	if (*at == '\0') /* no host: libmilter listens on every address */
		return 0;
	if (*at != '@' || at[1] == '\0')
		return -1;
	return 0;
}

/*
 * conf_socket_check - a libmilter socket spec: unix:/path, local:/path,
 * inet:PORT[@HOST] or inet6:PORT[@HOST]. libmilter would take a bare path
 * too; we want the prefix so that a typo cannot become a file name.
 */
static int
conf_socket_check(const char *s)
{
	if (strncasecmp(s, "unix:", 5) == 0)
		return s[5] == '/' ? 0 : -1;
	if (strncasecmp(s, "local:", 6) == 0)
		return s[6] == '/' ? 0 : -1;
	if (strncasecmp(s, "inet:", 5) == 0)
		return conf_socket_port(s + 5);
	if (strncasecmp(s, "inet6:", 6) == 0)
		return conf_socket_port(s + 6);
	return -1;
}

/*
 * conf_zone_check - FloatingZone: from-calendar, leave, or the name of a
 * zone of the system tz database (a TZif file under /usr/share/zoneinfo)
 */
static int
conf_zone_check(const char *s)
{
	char path[256];
	size_t i;

	if (strcasecmp(s, "from-calendar") == 0 || strcasecmp(s, "leave") == 0)
		return 0;
	if (s[0] == '/' || strstr(s, "..") != NULL || strlen(s) > 63)
		return -1;
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("/_+-", s[i]) == NULL)
			return -1;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", s);
	return access(path, R_OK) == 0 ? 0 : -1;
}

#define CONF_ZONE_FORM "from-calendar, leave, or a zone such as Europe/Berlin"

/*
 * conf_list_check - a list of one or more tokens separated by commas and/or
 * blanks, each accepted by tok_ok; 0 = good
 */
static int
conf_list_check(const char *s, int (*tok_ok)(const char *, size_t))
{
	size_t n;
	int count = 0;

	for (;;) {
		s += strspn(s, ", \t");
		if (*s == '\0')
			return count > 0 ? 0 : -1;
		n = strcspn(s, ", \t");
		if (!tok_ok(s, n))
			return -1;
		count++;
		s += n;
	}
}

/* conf_rule_id_ok - "R-LEX-3": letters, then one or more "-" words */
static int
conf_rule_id_ok(const char *t, size_t n)
{
	size_t i, dashes = 0;

	if (!isalpha((unsigned char)t[0]) || t[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		if (t[i] == '-' && t[i + 1] != '-')
			dashes++;
		else if (!isalnum((unsigned char)t[i]))
			return 0;
	}
	return dashes > 0;
}

static int
conf_rule_list_check(const char *s)
{
	return conf_list_check(s, conf_rule_id_ok);
}

#define CONF_RULES_FORM "rule ids separated by commas or blanks, or none"

/* conf_authserv_ok - an authserv-id: a domain-like token */
static int
conf_authserv_ok(const char *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)t[i]) && t[i] != '.' &&
		    t[i] != '-' && t[i] != '_')
			return 0;
	return 1;
}

static int
conf_authserv_check(const char *s)
{
	return conf_list_check(s, conf_authserv_ok);
}

/* conf_domain_ok - a domain, or ".domain" for the domains below it */
static int
conf_domain_ok(const char *t, size_t n)
{
	size_t i;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)t[i]) && t[i] != '.' &&
		    t[i] != '-' && t[i] != '_')
			return 0;
	return 1;
}

static int
conf_domains_check(const char *s)
{
	return conf_list_check(s, conf_domain_ok);
}

/* conf_scope_check - "all", or a list of domains */
static int
conf_scope_check(const char *s)
{
	return strcasecmp(s, "all") == 0 ? 0 : conf_domains_check(s);
}

/* conf_cidr_ok - an IPv4 or IPv6 address, optionally /prefix */
static int
conf_cidr_ok(const char *t, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned char addr[16];
	unsigned long bits;
	int v6;

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, t, n);
	buf[n] = '\0';
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash++ = '\0';
	v6 = strchr(buf, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, addr) != 1)
		return 0;
	if (slash == NULL)
		return 1;
	if (!isdigit((unsigned char)*slash))
		return 0;
	errno = 0;
	bits = strtoul(slash, &end, 10);
	return errno == 0 && *end == '\0' && bits <= (v6 ? 128u : 32u);
}

static int
conf_cidrs_check(const char *s)
{
	return conf_list_check(s, conf_cidr_ok);
}

/* conf_abs_path - an absolute path */
static int
conf_abs_path(const char *s)
{
	return s[0] == '/' ? 0 : -1;
}

#define CONF_SOCKET_FORM                                                       \
	"unix:/path, local:/path, inet:PORT@HOST or inet6:PORT@HOST"

/* one macro per type, so that each row names only what its type uses */
#define CONF_STRING(name, def, maxlen, field, flags, check, form, help)        \
	{                                                                      \
		name, CONF_T_STRING, def, 1, maxlen, CONF_OFF(field), NULL,    \
		    flags, check, form, help                                   \
	}
#define CONF_WORDS(name, type, def, field, words, help)                        \
	{                                                                      \
		name, type, def, 0, 0, CONF_OFF(field), words, 0, NULL, NULL,  \
		    help                                                       \
	}
#define CONF_NUMBER(name, type, def, min, max, field, help)                    \
	{                                                                      \
		name, type, def, min, max, CONF_OFF(field), NULL, 0, NULL,     \
		    NULL, help                                                 \
	}

/* sorted by name, case-insensitively */
const struct conf_key conf_keys[] = {
    CONF_WORDS("AddOrganizer", CONF_T_ENUM, "from", add_organizer,
               conf_w_add_organizer,
               "a REQUEST or CANCEL without ORGANIZER (R-ITIP-7): from adds "
               "the message's From, no leaves it"),
    CONF_WORDS("AlarmOrder", CONF_T_ENUM, "keep", alarm_order,
               conf_w_alarm_order,
               "several reminders, Exchange keeps the first (R-EV-5): "
               "earliest-first moves the earliest display alarm first"),
    CONF_WORDS("AllDayHint", CONF_T_ENUM, "yes", all_day_hint, conf_w_yes_no,
               "add X-MICROSOFT-CDO-ALLDAYEVENT:TRUE to all-day events "
               "(R-EV-3)"),
    CONF_WORDS("AllDayZeroLength", CONF_T_ENUM, "fix", all_day_zero_length,
               conf_w_allday_zero,
               "an all-day event ending on its start day (R-EV-2): fix makes "
               "it one day long, leave reports it"),
    CONF_WORDS("ContentClassHeader", CONF_T_ENUM, "no", content_class_header,
               conf_w_yes_no,
               "R-MIME-8: add Content-Class: urn:content-classes:"
               "calendarmessage to a message that carries an inline "
               "invitation"),
    CONF_STRING("DisableRules", "none", CONF_LINE_MAX, disable_rules,
                CONF_F_NONE, conf_rule_list_check, CONF_RULES_FORM,
                "rules that never run, by id (e.g. R-LEX-3): their changes "
                "are not made and they report nothing"),
    CONF_WORDS(
        "DkimSigned", CONF_T_ENUM, "skip", dkim_signed, conf_w_dkim,
        "N-2: a DKIM-signed message is left as it is (skip), changed like "
        "any other (rewrite), or changed only when an Authentication-Results "
        "header from one of the TrustedAuthservIDs says dkim=pass for it "
        "(verified); headers named in a signature's h= are never touched"),
    CONF_WORDS(
        "ExemptAuthenticated", CONF_T_ENUM, "no", exempt_authenticated,
        conf_w_yes_no,
        "yes: mail the MTA authenticated (SMTP AUTH, the {auth_authen} "
        "macro) is left as it is"),
    CONF_STRING(
        "ExemptNetworks", "none", CONF_LINE_MAX, exempt_networks, CONF_F_NONE,
        conf_cidrs_check,
        "addresses or CIDR blocks separated by commas or blanks, or none",
        "mail from clients in these networks is left as it is (decided at "
        "connect)"),
    CONF_STRING("ExemptSenderDomains", "none", CONF_LINE_MAX,
                exempt_sender_domains, CONF_F_NONE, conf_domains_check,
                "domains (.domain: those below it) separated by commas or "
                "blanks, or none",
                "mail whose envelope sender is in these domains is left as "
                "it is"),
    CONF_STRING("FloatingZone", "from-calendar", 63, floating_zone, 0,
                conf_zone_check, CONF_ZONE_FORM,
                "timed events with floating times (R-TZ-8): from-calendar "
                "binds them to the calendar's X-WR-TIMEZONE, a zone name "
                "binds them to that zone when the calendar names none, "
                "leave keeps them floating"),
    CONF_NUMBER("KeepDays", CONF_T_UINT, "7", 1, 3650, keep_days,
                "days an original kept under KeepOriginals stays; older ones "
                "are removed"),
    CONF_STRING("KeepOriginals", "none", CONF_LINE_MAX, keep_originals,
                CONF_F_NONE, conf_abs_path, "an absolute path, or none",
                "directory where the original of each message calmilter "
                "rewrites is kept, as QUEUEID.eml, for KeepDays; or none. "
                "It must exist and be writable by UserID"),
    CONF_WORDS("LogLevel", CONF_T_LOGLEVEL, "info", log_level, conf_w_log_level,
               "log messages of this importance and above"),
    CONF_NUMBER("MaxComponents", CONF_T_UINT, "20000", 1, 1000000,
                max_components,
                "messages with a calendar or vCard object of more "
                "components (events, alarms, time zones...) pass unchanged"),
    CONF_NUMBER("MaxExpandInstances", CONF_T_UINT, "100", 1, 1000,
                max_expand_instances,
                "UnsupportedRecurrence expand: series with more instances "
                "are reported instead"),
    CONF_NUMBER("MaxExpansion", CONF_T_UINT, "100000", 100, 10000000,
                max_expansion,
                "recurrence expansion work: when a rewrite touches times, "
                "the meaning check expands every series of the object; "
                "needing more occurrences than this (both versions together), "
                "the message passes unchanged"),
    CONF_NUMBER("MaxInstances", CONF_T_UINT, "100", 1, 10000, max_instances,
                "occurrences of each series the meaning check compares (its "
                "horizon: later ones are not compared)"),
    CONF_NUMBER("MaxLineLength", CONF_T_SIZE, "1M", 1 * CONF_KIB,
                256 * CONF_MIB, max_line_length,
                "messages with a longer content line (unfolded) in a "
                "calendar or vCard object pass unchanged"),
    CONF_NUMBER("MaxMessageSize", CONF_T_SIZE, "25M", 1 * CONF_KIB,
                1 * CONF_GIB, max_message_size,
                "larger messages pass unchanged"),
    CONF_NUMBER("MaxMessageTime", CONF_T_UINT, "30", 1, 240, max_message_time,
                "seconds a worker may spend on one message; past them it is "
                "replaced and the message passes unchanged (keep it well "
                "below the MTA's milter timeout: Postfix "
                "milter_content_timeout 300 s)"),
    CONF_NUMBER("MaxMimeDepth", CONF_T_UINT, "20", 1, 100, max_mime_depth,
                "messages with MIME parts nested deeper pass unchanged"),
    CONF_NUMBER("MaxMimeParts", CONF_T_UINT, "500", 1, 10000, max_mime_parts,
                "messages with more MIME parts pass unchanged"),
    CONF_NUMBER("MaxPartSize", CONF_T_SIZE, "10M", 1 * CONF_KIB, 256 * CONF_MIB,
                max_part_size,
                "messages with a larger calendar or vCard part pass unchanged"),
    CONF_NUMBER("MaxProperties", CONF_T_UINT, "200000", 10, 10000000,
                max_properties,
                "messages with a calendar or vCard object of more content "
                "lines (properties, BEGIN and END lines) pass unchanged"),
    CONF_WORDS(
        "MissingMethod", CONF_T_ENUM, "infer", missing_method,
        conf_w_missing_method,
        "what a calendar without METHOD gets (R-ITIP-1): infer adds REQUEST "
        "only for a real invitation from its organizer, else PUBLISH; "
        "publish always adds PUBLISH; leave adds nothing"),
    CONF_WORDS("Mode", CONF_T_ENUM, "rewrite", mode, conf_w_mode,
               "rewrite changes mail; report only logs what it would change"),
    CONF_NUMBER("MtaTimeout", CONF_T_UINT, "7210", 1, 86400, mta_timeout,
                "seconds calmilter waits for an MTA that stopped talking in "
                "the middle of a connection before it drops it and frees what "
                "it holds (libmilter's timeout, 7210 by default; Debian's "
                "libmilter looks for such connections every 10 minutes)"),
    CONF_WORDS(
        "NormalizeEncapsulated", CONF_T_ENUM, "lexical", normalize_encapsulated,
        conf_w_encapsulated,
        "calendars inside forwarded messages (R-MIME-7): lexical fixes them "
        "in place, no leaves them alone"),
    CONF_WORDS(
        "OnError", CONF_T_ENUM, "accept", on_error, conf_w_on_error,
        "on an internal error, accept the mail unchanged or tempfail it"),
    CONF_STRING("PidFile", "none", CONF_LINE_MAX, pid_file, CONF_F_NONE, NULL,
                NULL, "file to write the process id to, or none"),
    CONF_WORDS(
        "PromoteAttachedInvite", CONF_T_ENUM, "yes", promote_attached_invite,
        conf_w_yes_no,
        "R-MIME-4: give an invitation sent only as an attachment an inline "
        "text/calendar copy, when the message comes from its organizer (or "
        "for a reply from its attendee)"),
    CONF_WORDS(
        "RepairBrokenLines", CONF_T_ENUM, "yes", repair_broken_lines,
        conf_w_yes_no,
        "R-LEX-5: join text cut by a raw newline back into its value (yes), "
        "or leave such an object as it is (no)"),
    CONF_STRING("ReportOnlyRules", "none", CONF_LINE_MAX, report_only_rules,
                CONF_F_NONE, conf_rule_list_check, CONF_RULES_FORM,
                "rules that only report, by id: their findings are logged "
                "as what they would change, and nothing of theirs changes"),
    CONF_STRING(
        "ScopeDomains", "all", CONF_LINE_MAX, scope_domains, 0,
        conf_scope_check,
        "all, or domains (.domain: those below it) separated by commas or "
        "blanks",
        "recipient domains hosted on Exchange: only a message with at least "
        "one recipient there is changed (its body is one for all its "
        "recipients); all: every message"),
    CONF_STRING("Socket", "inet:8895@127.0.0.1", CONF_LINE_MAX, socket, 0,
                conf_socket_check, CONF_SOCKET_FORM,
                "the milter socket the MTA connects to"),
    CONF_NUMBER("SocketMode", CONF_T_MODE, "0660", 0, 0777, socket_mode,
                "permissions of a unix socket (unix:/path), in octal; it is "
                "owned by UserID, so the MTA needs to be in its group"),
    CONF_NUMBER("SpoolThreshold", CONF_T_SIZE, "1M", 64 * CONF_KIB,
                1 * CONF_GIB, spool_threshold,
                "a message larger than this is kept in an unlinked file under "
                "/var/tmp, not in memory (at or above MaxMessageSize: never)"),
    CONF_STRING("StatsFile", "none", CONF_LINE_MAX, stats_file, CONF_F_NONE,
                conf_abs_path, "an absolute path, or none",
                "file the counters are written to, in the Prometheus text "
                "format (for node_exporter's textfile collector: a name "
                "ending .prom), every StatsInterval seconds and on SIGUSR2; "
                "or none"),
    CONF_NUMBER("StatsInterval", CONF_T_UINT, "60", 1, 86400, stats_interval,
                "seconds between two writes of StatsFile"),
    CONF_WORDS("StripOverrideRrule", CONF_T_ENUM, "no", strip_override_rrule,
               conf_w_yes_no,
               "an override with its own RRULE, RDATE or EXDATE (R-RR-7): yes "
               "removes them, no reports them"),
    CONF_WORDS("Syslog", CONF_T_FACILITY, "mail", syslog_facility,
               conf_w_facility, "syslog facility, or no for no syslog"),
    CONF_STRING(
        "TrustedAuthservIDs", "none", CONF_LINE_MAX, trusted_authserv_ids,
        CONF_F_NONE, conf_authserv_check,
        "authserv-ids separated by commas or blanks, or none",
        "Authentication-Results headers (RFC 8601) with these authserv-ids "
        "are believed: by DkimSigned verified, and by the promotion guard"),
    CONF_WORDS("TzidStyle", CONF_T_ENUM, "keep", tzid_style,
               conf_w_tzid_style,
               "TZID names (R-TZ-2): keep the sender's, or rename them and "
               "their VTIMEZONEs to windows zone ids or iana names"),
    CONF_NUMBER("UMask", CONF_T_MODE, "0027", 0, 0777, umask,
                "file creation mask of the daemon (pid file, socket before "
                "SocketMode applies), in octal"),
    CONF_WORDS("UnrepresentableZone", CONF_T_ENUM, "utc-single",
               unrepresentable_zone, conf_w_unrepresentable,
               "a zone whose rules change at the event's dates (R-TZ-9): "
               "utc-single writes a single event in UTC, report changes "
               "nothing; a series is always reported"),
    CONF_WORDS("UnsupportedRecurrence", CONF_T_ENUM, "report",
               unsupported_recurrence, conf_w_unsupported,
               "a recurrence Exchange cannot hold (R-RR-4, R-RR-5): report "
               "leaves it; expand writes a finite one as a rule Exchange "
               "holds plus EXDATEs, the same instants"),
    CONF_WORDS("UseEmailParam", CONF_T_ENUM, "yes", use_email_param,
               conf_w_yes_no,
               "an attendee that is not a mailto: URI (R-ITIP-8): yes uses "
               "its EMAIL parameter, no reports it"),
    CONF_STRING(
        "UserID", "calmilter", 256, user_id, CONF_F_NONE, NULL, NULL,
        "user or user:group to run as after opening the socket; calmilter "
        "started as root refuses to run on as root, so none is only for a "
        "start as an unprivileged user"),
    CONF_NUMBER("WorkerMemory", CONF_T_SIZE, "1G", 128 * CONF_MIB,
                64 * CONF_GIB, worker_memory,
                "address space of one worker process; a message that needs "
                "more crashes its worker and passes unchanged (raise it with "
                "MaxMessageSize)"),
    CONF_NUMBER("Workers", CONF_T_UINT, "2", 1, 64, workers,
                "worker processes that parse mail, each one message at a "
                "time, locked into a sandbox"),
};

const size_t conf_nkeys = sizeof(conf_keys) / sizeof(conf_keys[0]);

static int
conf_key_cmp(const void *name, const void *key)
{
	const struct conf_key *k = key;

	return strcasecmp(name, k->name);
}

/* conf_key_find - the row for name, any case, or NULL. (transfer none) */
const struct conf_key *
conf_key_find(const char *name)
{
	return bsearch(name, conf_keys, conf_nkeys, sizeof(conf_keys[0]),
	               conf_key_cmp);
}
