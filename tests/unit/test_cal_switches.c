/*
 * test_cal_switches.c - the admin's per-rule switches in the core's rule
 * runner (DisableRules, ReportOnlyRules), the id lists they take, and the
 * identity (UID, ORGANIZER, ATTENDEE) the core hands to the MIME layer.
 *
 * A disabled rule changes nothing and says nothing; a report-only rule says
 * what it would change, as a report, and the object keeps everything the
 * rule would have changed; a report-only rule's "leave it" still stands.
 */
#include "unit.h"
#include "caltest.h"

#include "../../ical/cal_int.h"

/* no VERSION, no PRODID (R-LEX-9), no METHOD (R-ITIP-1), LF lines */
#define BARE                                                                   \
	"BEGIN:VCALENDAR\n"                                                    \
	"BEGIN:VEVENT\n"                                                       \
	"UID:switch-1@example.org\n"                                           \
	"DTSTAMP:20250101T000000Z\n"                                           \
	"DTSTART:20250310T090000Z\n"                                           \
	"DTEND:20250310T100000Z\n"                                             \
	"SUMMARY:Planning\n"                                                   \
	"END:VEVENT\n"                                                         \
	"END:VCALENDAR\n"

/* correct apart from VERSION and PRODID */
#define NO_VERSION                                                             \
	"BEGIN:VCALENDAR\r\n"                                                  \
	"METHOD:PUBLISH\r\n"                                                   \
	"BEGIN:VEVENT\r\n"                                                     \
	"UID:switch-2@example.org\r\n"                                         \
	"DTSTAMP:20250101T000000Z\r\n"                                         \
	"DTSTART:20250310T090000Z\r\n"                                         \
	"DTEND:20250310T100000Z\r\n"                                           \
	"SUMMARY:Planning\r\n"                                                 \
	"END:VEVENT\r\n"                                                       \
	"END:VCALENDAR\r\n"

/* ---- the id lists ---------------------------------------------------------- */

static void
test_switch_list_forms(void **state)
{
	(void)state;
	assert_true(cal_rule_listed("R-LEX-3", "R-LEX-3"));
	assert_true(cal_rule_listed("R-LEX-2, R-LEX-3", "R-LEX-3"));
	assert_true(cal_rule_listed("R-LEX-2 r-lex-3", "R-LEX-3"));
	assert_true(cal_rule_listed(",R-LEX-2,,\tR-ITIP-1,", "R-ITIP-1"));
	assert_false(cal_rule_listed("R-LEX-3", "R-LEX-30"));
	assert_false(cal_rule_listed("R-LEX-30", "R-LEX-3"));
	assert_false(cal_rule_listed("R-LEX", "R-LEX-3"));
	assert_false(cal_rule_listed("", "R-LEX-3"));
	assert_false(cal_rule_listed(NULL, "R-LEX-3"));
}

static void
test_switch_known_ids_are_the_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < cal_rules_count(); i++)
		assert_true(cal_rule_known(cal_rules_get(i)->id));
	assert_true(cal_rule_known("r-lex-9"));
	assert_false(cal_rule_known("R-MIME-4")); /* mime/'s, not the core's */
	assert_false(cal_rule_known("R-LEX-99"));
	assert_false(cal_rule_known("CHECK"));
}

/* ---- DisableRules ------------------------------------------------------------ */

static void
test_switch_disabled_rule_changes_and_says_nothing(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.pol.disable_rules = "R-LEX-9";
	ct_norms(&r, NO_VERSION);
	ct_assert_untouched(&r);
	assert_int_equal(ct_count(&r.rep, "R-LEX-9", CAL_FIX), 0);
	assert_int_equal(ct_count(&r.rep, "R-LEX-9", CAL_REPORT), 0);
	ct_free(&r);
}

/* the other rules still run; the disabled one's change is not made */
static void
test_switch_disabled_rule_others_run(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.pol.disable_rules = "R-LEX-9, R-ITIP-6";
	r.pol.missing_method = CAL_MISSING_METHOD_PUBLISH;
	ct_norms(&r, BARE);
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_fixes(&r.rep, "R-ITIP-1,R-LEX-2");
	assert_null(strstr(r.out.data, "VERSION:"));
	assert_null(strstr(r.out.data, "PRODID:"));
	assert_non_null(strstr(r.out.data, "METHOD:PUBLISH\r\n"));
	ct_free(&r);
}

/* ---- ReportOnlyRules ------------------------------------------------------- */

static void
test_switch_report_only_rule_reports_and_keeps(void **state)
{
	struct ct_run r;
	const char *t;

	(void)state;
	ct_init(&r);
	r.pol.report_only_rules = "R-LEX-9";
	ct_norms(&r, NO_VERSION);
	ct_assert_untouched(&r);
	assert_int_equal(ct_count(&r.rep, "R-LEX-9", CAL_REPORT), 2);
	t = ct_text(&r.rep, "R-LEX-9", CAL_REPORT);
	assert_non_null(strstr(t, "report only (ReportOnlyRules)"));
	assert_non_null(strstr(t, "VERSION"));
	ct_free(&r);
}

/* another rule rewrites the object: the report-only rule's edit of the
 * tree is not in it (it ran on a copy) */
static void
test_switch_report_only_edit_not_in_rewrite(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.pol.report_only_rules = "R-LEX-9";
	r.pol.missing_method = CAL_MISSING_METHOD_PUBLISH;
	ct_norms(&r, BARE);
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_fixes(&r.rep, "R-ITIP-1,R-LEX-2");
	assert_int_equal(ct_count(&r.rep, "R-LEX-9", CAL_REPORT), 2);
	assert_null(strstr(r.out.data, "VERSION:"));
	assert_null(strstr(r.out.data, "PRODID:"));
	assert_non_null(strstr(r.out.data, "METHOD:PUBLISH\r\n"));
	ct_assert_stable(&r);
	ct_free(&r);
}

/* a report-only rule that finds the object must be left: it is left */
static void
test_switch_report_only_leave_stands(void **state)
{
	static const char two[] = NO_VERSION NO_VERSION;
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.pol.report_only_rules = "R-LEX-8";
	ct_norms(&r, two);
	assert_int_equal(r.st, CAL_SKIPPED);
	assert_null(r.out.data);
	assert_int_equal(ct_nfix(&r.rep), 0);
	assert_int_equal(ct_count(&r.rep, "R-LEX-8", CAL_REPORT), 1);
	ct_free(&r);
}

/* report only for a lexical rule: its fix is a report; nothing else fires */
static void
test_switch_report_only_lexical(void **state)
{
	static const char lf[] =
	    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//y//EN\n"
	    "METHOD:PUBLISH\nBEGIN:VEVENT\nUID:lf@example.org\n"
	    "DTSTAMP:20250101T000000Z\nDTSTART:20250310T090000Z\n"
	    "DTEND:20250310T100000Z\nEND:VEVENT\nEND:VCALENDAR\n";
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.pol.report_only_rules = "R-LEX-2";
	ct_norms(&r, lf);
	ct_assert_untouched(&r);
	assert_int_equal(ct_count(&r.rep, "R-LEX-2", CAL_REPORT), 1);
	ct_free(&r);
}

/* ---- identity ------------------------------------------------------------------- */

#define MEETING(extra)                                                         \
	"BEGIN:VCALENDAR\r\n"                                                  \
	"VERSION:2.0\r\n"                                                      \
	"PRODID:-//x//y//EN\r\n"                                               \
	"METHOD:REQUEST\r\n"                                                   \
	"BEGIN:VEVENT\r\n"                                                     \
	"UID:facts-1@example.org\r\n"                                          \
	"DTSTAMP:20250101T000000Z\r\n"                                         \
	"SEQUENCE:0\r\n"                                                       \
	"DTSTART:20250310T090000Z\r\n"                                         \
	"DTEND:20250310T100000Z\r\n"                                           \
	"ORGANIZER;SENT-BY=\"mailto:Assist@Example.org\":MAILTO:Alice@Ex"     \
	"ample.ORG\r\n"                                                        \
	"ATTENDEE;CN=Bob:mailto:bob@example.net\r\n" extra "END:VEVENT\r\n"    \
	"END:VCALENDAR\r\n"

static void
test_ident_organizer_attendee_uid(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	ct_norms(&r, MEETING(""));
	ct_assert_untouched(&r);
	assert_string_equal(r.out.ident.uid, "facts-1@example.org");
	assert_int_equal(r.out.ident.nuids, 1);
	assert_string_equal(r.out.ident.organizer, "alice@example.org");
	assert_int_equal(r.out.ident.norganizers, 1);
	assert_string_equal(r.out.ident.sent_by, "assist@example.org");
	assert_string_equal(r.out.ident.attendee, "bob@example.net");
	assert_int_equal(r.out.ident.nattendees, 1);
	ct_free(&r);
}

/* two attendees: no single one; the e-mail alarm's ATTENDEE is no guest */
static void
test_ident_several_attendees_and_alarm(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	ct_norms(&r, MEETING("ATTENDEE:mailto:carol@example.net\r\n"
	                     "BEGIN:VALARM\r\nACTION:EMAIL\r\n"
	                     "TRIGGER:-PT15M\r\nSUMMARY:x\r\nDESCRIPTION:x\r\n"
	                     "ATTENDEE:mailto:dave@example.net\r\n"
	                     "END:VALARM\r\n"));
	ct_assert_untouched(&r);
	assert_null(r.out.ident.attendee);
	assert_int_equal(r.out.ident.nattendees, 2);
	ct_free(&r);

	ct_init(&r);
	ct_norms(&r, MEETING("BEGIN:VALARM\r\nACTION:EMAIL\r\n"
	                     "TRIGGER:-PT15M\r\nSUMMARY:x\r\nDESCRIPTION:x\r\n"
	                     "ATTENDEE:mailto:dave@example.net\r\n"
	                     "END:VALARM\r\n"));
	assert_string_equal(r.out.ident.attendee, "bob@example.net");
	assert_int_equal(r.out.ident.nattendees, 1);
	ct_free(&r);
}

/* the identity comes with a rewrite too, and not with a failure */
static void
test_ident_with_rewrite_not_with_failure(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.pol.missing_method = CAL_MISSING_METHOD_PUBLISH;
	ct_norms(&r, BARE);
	ct_assert_status(&r, CAL_CHANGED);
	assert_string_equal(r.out.ident.uid, "switch-1@example.org");
	assert_null(r.out.ident.organizer);
	assert_int_equal(r.out.ident.nattendees, 0);
	ct_free(&r);

	ct_init(&r);
	ct_norms(&r, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n"
	             "this is not a content line\r\nEND:VEVENT\r\n"
	             "END:VCALENDAR\r\n");
	assert_int_equal(r.st, CAL_MALFORMED);
	assert_null(r.out.ident.uid);
	ct_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_switch_list_forms),
	    cmocka_unit_test(test_switch_known_ids_are_the_table),
	    cmocka_unit_test(test_switch_disabled_rule_changes_and_says_nothing),
	    cmocka_unit_test(test_switch_disabled_rule_others_run),
	    cmocka_unit_test(test_switch_report_only_rule_reports_and_keeps),
	    cmocka_unit_test(test_switch_report_only_edit_not_in_rewrite),
	    cmocka_unit_test(test_switch_report_only_leave_stands),
	    cmocka_unit_test(test_switch_report_only_lexical),
	    cmocka_unit_test(test_ident_organizer_attendee_uid),
	    cmocka_unit_test(test_ident_several_attendees_and_alarm),
	    cmocka_unit_test(test_ident_with_rewrite_not_with_failure),
	};

	cal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
