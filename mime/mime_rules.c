/*
 * mime_rules.c - the rules of the MIME layer, and the admin's switches
 *
 * The core's rules are rows of ical/rules.c; the MIME layer's are the
 * R-MIME rules of exchange-rules.md (and R-ITIP-2, whose change is a MIME
 * label). DisableRules and ReportOnlyRules name either kind; this file
 * says which ids exist and what the switches make of one.
 *
 *   on      the rule changes what it must
 *   report  it finds and reports what it would change; nothing changes
 *   off     it does nothing and says nothing
 *
 * A change that cannot be made without another one (a rewritten calendar
 * needs its method= and charset= labels, R-MIME-1, and a 7-bit-safe
 * encoding, R-MIME-2) is not made when that other rule is switched off or
 * to report: the part is then left as it is, with a finding.
 */
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include "mime_int.h"

static const char *const mime_rule_ids[] = {
	"R-MIME-1", "R-MIME-2", "R-MIME-4", "R-MIME-5", "R-MIME-6",
	"R-MIME-7", "R-MIME-8", "R-ITIP-2", NULL
};

int
mime_rule_known(const char *id)
{
	size_t i;

	for (i = 0; mime_rule_ids[i] != NULL; i++)
		if (strcasecmp(mime_rule_ids[i], id) == 0)
			return 1;
	return cal_rule_known(id);
}

enum mime_rule_mode
mime_rule_mode(const struct mime_policy *pol, const char *id)
{
	if (cal_rule_listed(pol->cal.disable_rules, id))
		return MIME_RULE_OFF;
	if (cal_rule_listed(pol->cal.report_only_rules, id))
		return MIME_RULE_REPORT;
	return MIME_RULE_ON;
}

int
mime_rule_apply(const struct mime_policy *pol, struct cal_report *rep,
    const char *id, const char *fmt, ...)
{
	enum mime_rule_mode mode = mime_rule_mode(pol, id);
	va_list ap;
	char *text;

	if (mode == MIME_RULE_OFF)
		return 0;
	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (mode == MIME_RULE_ON)
		cal_report_add(rep, id, CAL_FIX, "%s", text);
	else
		cal_report_add(rep, id, CAL_REPORT, "report only "
		    "(ReportOnlyRules): %s", text);
	g_free(text);
	return mode == MIME_RULE_ON;
}
