/*
 * rules.c - every normalization rule, in the order it runs
 *
 * One row per rule: the id of shared/research/exchange-rules.md, where the
 * rule comes from, whether it belongs to the lexical layer (which alone runs
 * on forwarded calendars, R-MIME-7), and the function. A reader finds a rule
 * by its id here, then in the file named for its family.
 *
 * The admin may switch a row off (DisableRules: it does not run) or make it
 * report only (ReportOnlyRules: it runs on a copy of the object, which is
 * then thrown away, so that its findings say what it would change while
 * the object keeps everything it had). A rule's verdict that the object
 * must be left as it is (CAL_RULE_LEAVE) stands in both modes of report.
 */
#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "cal_int.h"

#define VC_ONLY (CAL_RULE_VCARD | CAL_RULE_NOICAL)

static const struct cal_rule cal_rules[] = {
	/* id		grounds				flags / function */
	{ "R-LEX-1",	"RFC 5545 3.4; [MS-STANOICAL] 2.2.1",
	    CAL_RULE_LEXICAL | CAL_RULE_VCARD, rule_lex_bom },
	{ "R-LEX-2",	"RFC 5545 3.1; RFC 5322 2.3",
	    CAL_RULE_LEXICAL | CAL_RULE_VCARD, rule_lex_eol },
	{ "R-LEX-3",	"RFC 5545 3.1 (75 octets, UTF-8 kept whole)",
	    CAL_RULE_LEXICAL | CAL_RULE_VCARD, rule_lex_fold },
	{ "R-LEX-4",	"RFC 5545 3.1.4, 8.1; [MS-STANOICAL] 2.2.169",
	    CAL_RULE_LEXICAL | CAL_RULE_VCARD, rule_lex_charset },
	{ "R-LEX-5",	"RFC 5545 3.1, 3.3.11",
	    CAL_RULE_LEXICAL | CAL_RULE_VCARD, rule_lex_control },
	{ "R-LEX-8",	"[MS-OXCICAL] Appendix A; RFC 6047 2.4",
	    CAL_RULE_LEXICAL, rule_lex_objects },
	{ "R-LEX-9",	"RFC 5545 3.7.3, 3.7.4; [MS-OXCICAL] 2.1.3.1.1.3",
	    CAL_RULE_LEXICAL, rule_version_prodid },
	{ "R-ITIP-1",	"RFC 5545 3.7.2; RFC 6047 2.4; [MS-OXCICAL] 2.1.3.1.1.1",
	    0, rule_method },
	{ "R-ITIP-6",	"RFC 5545 3.8.7.2; RFC 5546 2.1.4",
	    0, rule_dtstamp },
	/* events, recurrences and scheduling (issue 5) */
	{ "R-LEX-6",	"RFC 5545 3.3.11; [MS-STANOICAL] 2.2.37",
	    CAL_RULE_LEXICAL, rule_lex_text },
	{ "R-ITIP-5",	"RFC 5545 3.8.4.7; [MS-OXCICAL] 2.1.3.1.1.20.26",
	    0, rule_itip_uid },
	{ "R-ITIP-4",	"RFC 5546 3.2; [MS-STANOICAL] 2.2.175",
	    0, rule_itip_object },
	{ "R-ITIP-7",	"RFC 5546 3.2.2, 3.2.5; [MS-OXCICAL] 2.1.3.1.1.20.16",
	    0, rule_itip_organizer },
	{ "R-ITIP-8",	"RFC 5545 3.3.3; RFC 7986 6.2; [MS-OXCICAL] 2.1.3.1.1.20.2",
	    0, rule_itip_mailto },
	{ "R-ITIP-9",	"RFC 5546 3.2.2, 3.2.3, 3.2.5",
	    0, rule_itip_checks },
	{ "R-EV-6",	"RFC 5545 3.3.4, 3.3.5, 3.2.20",
	    0, rule_ev_spelling },
	{ "R-EV-1",	"RFC 5545 3.6.1; [MS-STANXICAL] 2.3",
	    0, rule_ev_end },
	{ "R-EV-2",	"RFC 5545 3.8.2.2; [MS-OXCICAL] 2.1.3.1.1.20.8",
	    0, rule_ev_consistent },
	{ "R-EV-3",	"[MS-OXCICAL] 2.1.3.1.1.20.10, 2.1.3.1.1.20.28",
	    0, rule_ev_allday },
	{ "R-EV-4",	"RFC 5545 3.6.1; [MS-STANOICAL] 2.2.106",
	    0, rule_ev_order },
	{ "R-EV-5",	"RFC 5545 3.8.6.3; [MS-OXCICAL] 2.1.3.1.1.20.62",
	    0, rule_ev_alarm },
	{ "R-RR-1",	"RFC 5545 3.3.10; [MS-OXCICAL] 2.1.3.2.2",
	    0, rule_rr_syntax },
	{ "R-RR-2",	"RFC 5545 3.3.10; [MS-OXCICAL] 2.1.3.2.2",
	    0, rule_rr_daily },
	{ "R-RR-3",	"RFC 5545 3.3.10; [MS-OXCICAL] 2.1.3.2.2",
	    0, rule_rr_until },
	{ "R-RR-5",	"RFC 5545 3.8.5.2; KB 2643084",
	    0, rule_rr_rdate },
	{ "R-RR-4",	"[MS-OXCICAL] 2.1.3.2.2; gromox oxcical_parse_rrule",
	    0, rule_rr_shape },
	{ "R-RR-6",	"RFC 5545 3.8.5.1; [MS-OXCICAL] 2.1.3.1.1.20.13",
	    0, rule_rr_exdate },
	{ "R-RR-7",	"RFC 5545 3.8.4.4; [MS-OXCICAL] 2.1.3.1.1.20.20",
	    0, rule_rr_recurid },
	/* time zones: values first, then each TZID resolved and planned
	 * (R-TZ-2), then the VTIMEZONEs carried out (rule_tz.c) */
	{ "R-TZ-7",	"RFC 5545 3.2.19",
	    0, rule_tz_values },
	{ "R-TZ-8",	"RFC 5545 3.3.5; [MS-STANOICAL] 2.2.67",
	    0, rule_tz_floating },
	{ "R-TZ-2",	"RFC 5545 3.2.19; [MS-OXCICAL] 2.1.3.1.1.19.1",
	    0, rule_tz_resolve },
	{ "R-TZ-9",	"[MS-OXCICAL] 2.1.3.1.1.19; RFC 5545 3.3.5",
	    0, rule_tz_utc },
	{ "R-TZ-6",	"RFC 5545 3.6.5; [MS-OXCICAL] 2.1.3.1.1.19.1",
	    0, rule_tz_unique },
	{ "R-TZ-1",	"RFC 5545 3.2.19; [MS-OXCICAL] 2.1.3.1.1.19",
	    0, rule_tz_define },
	{ "R-TZ-3",	"[MS-OXCICAL] 2.1.3.1.1.19.2, .19.3; [MS-STANOICAL] 2.2.47",
	    0, rule_tz_compact },
	{ "R-TZ-4",	"[MS-OXCICAL] 2.1.3.1.1.19.2.2",
	    0, rule_tz_nodst },
	{ "R-TZ-5",	"RFC 5545 3.6.5; [MS-OXCICAL] 2.1.3.1.1.19.2.2",
	    0, rule_tz_syntax },
	/* vCards: each card to vCard 3.0 as [MS-OXVCARD] reads it */
	{ "R-VC-3",	"vCard 2.1; RFC 2426 5; [MS-OXVCARD]",
	    VC_ONLY, rule_vc21 },
	{ "R-VC-1",	"RFC 2426; [MS-OXVCARD] 1, 2 (issue 7: to30)",
	    VC_ONLY, rule_vc_version },
	{ "R-VC-2",	"RFC 6350 Appendix A; RFC 2426; [MS-OXVCARD]",
	    VC_ONLY, rule_vc40 },
	{ "R-VC-4",	"RFC 2426 3.1.1, 3.1.2, 3.6.9; RFC 6350 6.7.9",
	    VC_ONLY, rule_vc_names },
	{ "R-VC-6",	"[MS-OXVCARD] PHOTO",
	    VC_ONLY, rule_vc_photo },
	{ "R-VC-7",	"Outlook imports the first card only (anchors A.0)",
	    VC_ONLY, rule_vc_split },
};

size_t
cal_rules_count(void)
{
	return sizeof(cal_rules) / sizeof(cal_rules[0]);
}

const struct cal_rule *
cal_rules_get(size_t i)
{
	return i < cal_rules_count() ? &cal_rules[i] : NULL;
}

int
cal_rule_listed(const char *list, const char *id)
{
	size_t n, idlen = strlen(id);

	while (list != NULL && *list != '\0') {
		while (*list == ',' || isspace((unsigned char)*list))
			list++;
		n = strcspn(list, ", \t");
		if (n == idlen && n > 0 && strncasecmp(list, id, n) == 0)
			return 1;
		list += n;
	}
	return 0;
}

int
cal_rule_known(const char *id)
{
	size_t i;

	for (i = 0; i < cal_rules_count(); i++)
		if (strcasecmp(cal_rules[i].id, id) == 0)
			return 1;
	return 0;
}

/* rules_report_only - the rule on a copy; its fixes become reports */
static int
rules_report_only(const struct cal_rule *rule, const struct cal_doc *doc,
    const struct cal_env *env)
{
	struct cal_doc *copy = cal_doc_clone(doc);
	size_t first = env->rep->n, first_fix = env->rep->nfix;
	int r;

	if (copy == NULL)
		return CAL_RULE_ERROR;
	r = rule->apply(copy, env);
	cal_doc_free(copy);
	cal_report_demote(env->rep, first, first_fix,
	    "report only (ReportOnlyRules): ");
	return r;
}

/* rules_kind_ok - does a row run on this kind of object? */
static int
rules_kind_ok(unsigned flags, enum cal_kind kind)
{
	if (kind == CAL_KIND_VCARD)
		return (flags & CAL_RULE_VCARD) != 0;
	return (flags & CAL_RULE_NOICAL) == 0;
}

int
cal_rules_run(struct cal_doc *doc, const struct cal_env *env)
{
	const struct cal_rule *rule;
	size_t i;
	int r;

	for (i = 0; i < cal_rules_count(); i++) {
		rule = &cal_rules[i];
		if ((env->pol->lexical_only &&
		    !(rule->flags & CAL_RULE_LEXICAL)) ||
		    cal_rule_listed(env->pol->disable_rules, rule->id))
			continue;
		if (!rules_kind_ok(rule->flags, env->kind))
			continue;
		if (cal_rule_listed(env->pol->report_only_rules, rule->id))
			r = rules_report_only(rule, doc, env);
		else
			r = rule->apply(doc, env);
		if (r != CAL_RULE_OK)
			return r;
	}
	return CAL_RULE_OK;
}
