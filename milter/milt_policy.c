/*
 * milt_policy.c - the configuration as the lower layers see it
 *
 * conf/ knows nothing of mime/ or ical/; this is the one place that copies
 * its values into their policy structs. Both binaries link it.
 */
#include <stdio.h>
#include <strings.h>
#include <string.h>
#include <time.h>

#include "milt_policy.h"

/* milt_policy_missing_method - conf's MissingMethod in the core's terms */
static enum cal_missing_method
milt_policy_missing_method(int v)
{
	switch (v) {
	case CONF_MISSING_METHOD_PUBLISH:
		return CAL_MISSING_METHOD_PUBLISH;
	case CONF_MISSING_METHOD_LEAVE:
		return CAL_MISSING_METHOD_LEAVE;
	case CONF_MISSING_METHOD_INFER:
	default:
		return CAL_MISSING_METHOD_INFER;
	}
}

/* milt_policy_tz - TzidStyle, FloatingZone, UnrepresentableZone */
static void
milt_policy_tz(struct cal_policy *cal, const struct conf *conf)
{
	const char *fz = conf->floating_zone != NULL ? conf->floating_zone
						       : "from-calendar";

	cal->tzid_style = conf->tzid_style == CONF_TZID_WINDOWS ?
	    CAL_TZID_WINDOWS : conf->tzid_style == CONF_TZID_IANA ?
	    CAL_TZID_IANA : CAL_TZID_KEEP;
	if (strcasecmp(fz, "leave") == 0)
		cal->floating = CAL_FLOATING_LEAVE;
	else if (strcasecmp(fz, "from-calendar") == 0)
		cal->floating = CAL_FLOATING_FROM_CALENDAR;
	else {
		cal->floating = CAL_FLOATING_ZONE;
		snprintf(cal->floating_zone, sizeof(cal->floating_zone), "%s",
		    fz);
	}
	cal->unrepresentable = conf->unrepresentable_zone ==
	    CONF_UNREPRESENTABLE_REPORT ? CAL_UNREPRESENTABLE_REPORT :
	    CAL_UNREPRESENTABLE_UTC_SINGLE;
}

/* milt_policy_dkim - conf's DkimSigned in mime/'s terms */
static enum mime_dkim_policy
milt_policy_dkim(int v)
{
	switch (v) {
	case CONF_DKIM_REWRITE:
		return MIME_DKIM_REWRITE;
	case CONF_DKIM_VERIFIED:
		return MIME_DKIM_VERIFIED;
	case CONF_DKIM_SKIP:
	default:
		return MIME_DKIM_SKIP;
	}
}

void
milt_policy_from_conf(struct mime_policy *pol, const struct conf *conf)
{
	mime_policy_default(pol);
	pol->max_message_size = conf->max_message_size;
	pol->max_depth = conf->max_mime_depth;
	pol->max_parts = conf->max_mime_parts;
	pol->cal_limits.max_bytes = conf->max_part_size;
	pol->cal_limits.max_components = conf->max_components;
	pol->cal_limits.max_lines = conf->max_properties;
	pol->cal_limits.max_line = conf->max_line_length;
	pol->cal_limits.max_instances = conf->max_instances;
	pol->cal_limits.max_expansion = conf->max_expansion;
	pol->cal.missing_method =
	    milt_policy_missing_method(conf->missing_method);
	pol->cal.repair_broken_lines = conf->repair_broken_lines;
	pol->cal.all_day_zero_fix = conf->all_day_zero_length;
	pol->cal.all_day_hint = conf->all_day_hint;
	pol->cal.alarm_earliest_first = conf->alarm_order;
	pol->cal.expand_recurrence = conf->unsupported_recurrence;
	pol->cal.max_expand_instances = conf->max_expand_instances;
	pol->cal.strip_override_rrule = conf->strip_override_rrule;
	pol->cal.add_organizer = conf->add_organizer;
	pol->cal.use_email_param = conf->use_email_param;
	pol->normalize_encapsulated =
	    conf->normalize_encapsulated == CONF_ENCAPSULATED_LEXICAL;
	milt_policy_tz(&pol->cal, conf);
	pol->promote_attached = conf->promote_attached_invite;
	pol->content_class = conf->content_class_header;
	pol->dkim = milt_policy_dkim(conf->dkim_signed);
	pol->trusted_authserv_ids = conf->trusted_authserv_ids;
	pol->cal.disable_rules = conf->disable_rules;
	pol->cal.report_only_rules = conf->report_only_rules;
	pol->now = time(NULL);
}

/* milt_policy_check_ids - every id of list is a rule; none in other */
static int
milt_policy_check_ids(const char *key, const char *list, const char *other,
                      char *err, size_t errlen)
{
	char id[64];
	size_t n;

	while (list != NULL && *list != '\0') {
		list += strspn(list, ", \t");
		n = strcspn(list, ", \t");
		if (n == 0)
			break;
		snprintf(id, sizeof(id), "%.*s", (int)n, list);
		list += n;
		if (!mime_rule_known(id)) {
			snprintf(err, errlen, "%s: %s is not a rule of this "
			         "version of calmilter", key, id);
			return -1;
		}
		if (cal_rule_listed(other, id)) {
			snprintf(err, errlen, "%s: %s is also in "
			         "ReportOnlyRules; name it in one of them", key,
			         id);
			return -1;
		}
	}
	return 0;
}

int
milt_policy_check(const struct conf *conf, char *err, size_t errlen)
{
	if (milt_policy_check_ids("DisableRules", conf->disable_rules,
	                          conf->report_only_rules, err, errlen) != 0 ||
	    milt_policy_check_ids("ReportOnlyRules", conf->report_only_rules,
	                          NULL, err, errlen) != 0)
		return -1;
	if (conf->dkim_signed == CONF_DKIM_VERIFIED &&
	    conf->trusted_authserv_ids == NULL) {
		snprintf(err, errlen, "DkimSigned verified needs "
		         "TrustedAuthservIDs: without it nothing is verified");
		return -1;
	}
	return 0;
}
