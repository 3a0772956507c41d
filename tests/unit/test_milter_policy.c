/*
 * test_milter_policy.c - milter/milt_policy.c: the configuration as mime/
 * and the core see it, and what the configuration parser cannot judge on
 * its own (conf/ knows no rules): every id of DisableRules and
 * ReportOnlyRules is a rule of this version, none is in both, and
 * DkimSigned verified has authserv-ids to believe.
 */
#include "unit.h"

#include "../../milter/milt_policy.c"

/* conf_with - the defaults with one key set (transfer full) */
static struct conf *
conf_with(const char *key, const char *value)
{
	struct conf *c = conf_new_default();
	char err[256];

	assert_non_null(c);
	if (key != NULL && conf_set(c, key, value, "test", err,
	                            sizeof(err)) != 0)
		fail_msg("%s", err);
	return c;
}

static void
test_policy_defaults(void **state)
{
	struct conf *c = conf_with(NULL, NULL);
	struct mime_policy pol;
	char err[256];

	(void)state;
	milt_policy_from_conf(&pol, c);
	assert_int_equal(pol.promote_attached, 1);
	assert_int_equal(pol.content_class, 0);
	assert_int_equal(pol.dkim, MIME_DKIM_SKIP);
	assert_null(pol.trusted_authserv_ids);
	assert_null(pol.cal.disable_rules);
	assert_null(pol.cal.report_only_rules);
	assert_int_equal(pol.cal.repair_broken_lines, 1);
	assert_int_equal(milt_policy_check(c, err, sizeof(err)), 0);
	conf_free(c);
}

static void
test_policy_keys_reach_the_policy(void **state)
{
	struct conf *c = conf_new_default();
	struct mime_policy pol;
	char err[256];

	(void)state;
	assert_int_equal(conf_set(c, "PromoteAttachedInvite", "no", "t", err,
	                          sizeof(err)), 0);
	assert_int_equal(conf_set(c, "ContentClassHeader", "yes", "t", err,
	                          sizeof(err)), 0);
	assert_int_equal(conf_set(c, "DkimSigned", "verified", "t", err,
	                          sizeof(err)), 0);
	assert_int_equal(conf_set(c, "TrustedAuthservIDs", "mx.example.net",
	                          "t", err, sizeof(err)), 0);
	assert_int_equal(conf_set(c, "DisableRules", "R-LEX-3, R-MIME-8", "t",
	                          err, sizeof(err)), 0);
	assert_int_equal(conf_set(c, "ReportOnlyRules", "R-ITIP-1", "t", err,
	                          sizeof(err)), 0);
	assert_int_equal(conf_set(c, "RepairBrokenLines", "no", "t", err,
	                          sizeof(err)), 0);
	milt_policy_from_conf(&pol, c);
	assert_int_equal(pol.promote_attached, 0);
	assert_int_equal(pol.content_class, 1);
	assert_int_equal(pol.dkim, MIME_DKIM_VERIFIED);
	assert_string_equal(pol.trusted_authserv_ids, "mx.example.net");
	assert_true(cal_rule_listed(pol.cal.disable_rules, "R-MIME-8"));
	assert_true(cal_rule_listed(pol.cal.report_only_rules, "R-ITIP-1"));
	assert_int_equal(pol.cal.repair_broken_lines, 0);
	assert_int_equal(milt_policy_check(c, err, sizeof(err)), 0);
	conf_free(c);
}

/* the forms conf/ itself refuses, with FILE:LINE */
static void
test_policy_list_forms_refused(void **state)
{
	struct conf *c = conf_new_default();
	char err[256];

	(void)state;
	assert_int_equal(conf_set(c, "DisableRules", "R-LEX-3; R-LEX-2", "f:3",
	                          err, sizeof(err)), -1);
	assert_non_null(strstr(err, "f:3"));
	assert_int_equal(conf_set(c, "DisableRules", "LEX3", "f:3", err,
	                          sizeof(err)), -1);
	assert_int_equal(conf_set(c, "ReportOnlyRules", "R--X", "f:3", err,
	                          sizeof(err)), -1);
	assert_int_equal(conf_set(c, "TrustedAuthservIDs", "mx;evil", "f:3",
	                          err, sizeof(err)), -1);
	assert_int_equal(conf_set(c, "DkimSigned", "sometimes", "f:3", err,
	                          sizeof(err)), -1);
	assert_non_null(strstr(err, "skip, rewrite, verified"));
	conf_free(c);
}

static void
test_policy_unknown_rule(void **state)
{
	struct conf *c = conf_with("DisableRules", "R-LEX-3 R-XYZ-1");
	char err[256];

	(void)state;
	assert_int_equal(milt_policy_check(c, err, sizeof(err)), -1);
	assert_string_equal(err, "DisableRules: R-XYZ-1 is not a rule of "
	                         "this version of calmilter");
	conf_free(c);

	c = conf_with("ReportOnlyRules", "N-2"); /* a finding id, no rule */
	assert_int_equal(milt_policy_check(c, err, sizeof(err)), -1);
	conf_free(c);
}

static void
test_policy_rule_in_both_lists(void **state)
{
	struct conf *c = conf_with("DisableRules", "R-MIME-4");
	char err[256];

	(void)state;
	assert_int_equal(conf_set(c, "ReportOnlyRules", "r-mime-4", "t", err,
	                          sizeof(err)), 0);
	assert_int_equal(milt_policy_check(c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "also in ReportOnlyRules"));
	conf_free(c);
}

static void
test_policy_verified_needs_trusted(void **state)
{
	struct conf *c = conf_with("DkimSigned", "verified");
	char err[256];

	(void)state;
	assert_int_equal(milt_policy_check(c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "TrustedAuthservIDs"));
	conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy_defaults),
	    cmocka_unit_test(test_policy_keys_reach_the_policy),
	    cmocka_unit_test(test_policy_list_forms_refused),
	    cmocka_unit_test(test_policy_unknown_rule),
	    cmocka_unit_test(test_policy_rule_in_both_lists),
	    cmocka_unit_test(test_policy_verified_needs_trusted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
