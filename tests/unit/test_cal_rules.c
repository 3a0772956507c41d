/*
 * test_cal_rules.c - the calendar-level rules of the core, through
 * cal_normalize(): R-LEX-9 VERSION and PRODID, R-ITIP-1 METHOD (MIME
 * parameter, MissingMethod publish/infer/leave), R-ITIP-3 methods Exchange
 * does not process, R-ITIP-6 DTSTAMP; and the rule table itself.
 *
 * Expected bytes follow the examples and conditions of exchange-rules.md.
 */
#include "unit.h"
#include "caltest.h"

#include "../../ical/cal_int.h"

#define BEGIN_CAL  "BEGIN:VCALENDAR\r\n"
#define VERSION    "VERSION:2.0\r\n"
#define PRODID     "PRODID:-//Example Corp//Test 1.0//EN\r\n"
#define OUR_PRODID "PRODID:-//calmilter//calmilter//EN\r\n"
#define PUBLISH    "METHOD:PUBLISH\r\n"
#define EVENT                                                                  \
	"BEGIN:VEVENT\r\n"                                                     \
	"UID:rules-1@example.org\r\n"                                          \
	"DTSTAMP:20250101T000000Z\r\n"                                         \
	"DTSTART:20250310T090000Z\r\n"                                         \
	"DTEND:20250310T100000Z\r\n"                                           \
	"SUMMARY:Planning\r\n"                                                 \
	"END:VEVENT\r\n"
#define END_CAL "END:VCALENDAR\r\n"
#define GOOD    BEGIN_CAL VERSION PRODID PUBLISH EVENT END_CAL

/* a meeting: an organizer and an attendee who is someone else */
#define ORG "ORGANIZER;CN=Alice:mailto:alice@example.org\r\n"
#define ATT                                                                    \
	"ATTENDEE;CN=Bob;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:bob@example."   \
	"net\r\n"
#define MEETING_EVENT(people)                                                  \
	"BEGIN:VEVENT\r\n"                                                     \
	"UID:rules-2@example.org\r\n"                                          \
	"DTSTAMP:20250101T000000Z\r\n"                                         \
	"SEQUENCE:0\r\n"                                                       \
	"DTSTART:20250310T090000Z\r\n"                                         \
	"DTEND:20250310T100000Z\r\n"                                           \
	"SUMMARY:Review\r\n" people "END:VEVENT\r\n"
#define NO_METHOD(people) BEGIN_CAL VERSION PRODID MEETING_EVENT(people) END_CAL
#define WITH_METHOD(m, people)                                                 \
	BEGIN_CAL VERSION PRODID "METHOD:" m "\r\n" MEETING_EVENT(people)      \
	    END_CAL

/* 1741600000 = 2025-03-10 09:46:40 UTC */
#define T0       ((time_t)1741600000)
#define T0_STAMP "20250310T094640Z"

/* ---- the table ------------------------------------------------------------
 */

static void
test_rules_table_ids_in_order(void **state)
{
	static const char *const want[] = {
	    "R-LEX-1",  "R-LEX-2",  "R-LEX-3",  "R-LEX-4",  "R-LEX-5",
	    "R-LEX-8",  "R-LEX-9",  "R-ITIP-1", "R-ITIP-6", "R-LEX-6",
	    "R-ITIP-5", "R-ITIP-4", "R-ITIP-7", "R-ITIP-8", "R-ITIP-9",
	    "R-EV-6",   "R-EV-1",   "R-EV-2",   "R-EV-3",   "R-EV-4",
	    "R-EV-5",   "R-RR-1",   "R-RR-2",   "R-RR-3",   "R-RR-5",
	    "R-RR-4",   "R-RR-6",   "R-RR-7",   "R-TZ-7",   "R-TZ-8",
	    "R-TZ-2",   "R-TZ-9",   "R-TZ-6",   "R-TZ-1",   "R-TZ-3",
	    "R-TZ-4",   "R-TZ-5",   "R-VC-3",   "R-VC-1",   "R-VC-2",
	    "R-VC-4",   "R-VC-6",   "R-VC-7"};
	size_t i;

	(void)state;
	assert_int_equal(cal_rules_count(), sizeof(want) / sizeof(want[0]));
	for (i = 0; i < cal_rules_count(); i++) {
		assert_string_equal(cal_rules_get(i)->id, want[i]);
		assert_non_null(cal_rules_get(i)->apply);
		assert_non_null(cal_rules_get(i)->grounds);
	}
	assert_null(cal_rules_get(cal_rules_count()));
}

/* R-MIME-7: only the R-LEX family runs on encapsulated calendars */
static void
test_rules_lexical_flag_only_on_lex_family(void **state)
{
	size_t i;
	const struct cal_rule *r;

	(void)state;
	for (i = 0; i < cal_rules_count(); i++) {
		r = cal_rules_get(i);
		assert_int_equal((r->flags & CAL_RULE_LEXICAL) != 0,
		                 strncmp(r->id, "R-LEX-", 6) == 0);
	}
}

static void
test_rules_correct_object_untouched(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.ctx.date = T0;
	r.ctx.now = T0;
	r.ctx.mime_method = "PUBLISH";
	ct_norms(&r, GOOD);
	ct_assert_untouched(&r);
	assert_string_equal(r.out.method, "PUBLISH");
	ct_free(&r);
}

/* ---- R-LEX-9 --------------------------------------------------------------
 */

static void
test_version_added_when_missing(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	ct_norms(&r, BEGIN_CAL PRODID PUBLISH EVENT END_CAL);
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_out(&r, BEGIN_CAL VERSION PRODID PUBLISH EVENT END_CAL);
	ct_assert_fixes(&r.rep, "R-LEX-9");
	assert_int_equal(ct_count(&r.rep, "R-LEX-9", CAL_FIX), 1);
	ct_assert_stable(&r);
	ct_free(&r);
}

static void
test_prodid_added_when_missing(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	ct_norms(&r, BEGIN_CAL VERSION PUBLISH EVENT END_CAL);
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_out(&r, BEGIN_CAL VERSION OUR_PRODID PUBLISH EVENT END_CAL);
	ct_assert_fixes(&r.rep, "R-LEX-9");
	assert_int_equal(ct_count(&r.rep, "R-LEX-9", CAL_FIX), 1);
	ct_assert_stable(&r);
	ct_free(&r);
}

/* the example of the rule: both missing */
static void
test_version_and_prodid_added(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	ct_norms(&r, BEGIN_CAL PUBLISH EVENT END_CAL);
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_out(&r, BEGIN_CAL VERSION OUR_PRODID PUBLISH EVENT END_CAL);
	assert_int_equal(ct_count(&r.rep, "R-LEX-9", CAL_FIX), 2);
	ct_assert_stable(&r);
	ct_free(&r);
}

/* the PRODID calmilter writes is neutral, never Microsoft's */
static void
test_added_prodid_is_not_microsoft(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	ct_norms(&r, BEGIN_CAL VERSION PUBLISH EVENT END_CAL);
	ct_assert_status(&r, CAL_CHANGED);
	assert_null(strstr(r.out.data, "Microsoft"));
	assert_null(strstr(r.out.data, "Outlook"));
	ct_free(&r);
}

static void
test_existing_prodid_never_replaced(void **state)
{
	struct ct_run r;
	const char *ms = "PRODID:-//Microsoft Corporation//Outlook 16.0 "
	                 "MIMEDIR//EN\r\n";
	char in[1024], want[1024];

	(void)state;
	snprintf(in, sizeof(in), BEGIN_CAL "%s" PUBLISH EVENT END_CAL, ms);
	snprintf(want, sizeof(want),
	         BEGIN_CAL VERSION "%s" PUBLISH EVENT END_CAL, ms);
	ct_init(&r);
	ct_norms(&r, in);
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_out(&r, want);
	assert_int_equal(ct_count(&r.rep, "R-LEX-9", CAL_FIX), 1);
	assert_non_null(strstr(ct_text(&r.rep, "R-LEX-9", CAL_FIX), "VERSION"));
	ct_free(&r);
}

static void
test_version_3_reported_and_left(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	/* even with a fault another rule would fix (no PRODID) */
	ct_norms(&r, BEGIN_CAL "VERSION:3.0\r\n" PUBLISH EVENT END_CAL);
	assert_true(r.st == CAL_SKIPPED || r.st == CAL_MALFORMED);
	assert_null(r.out.data);
	assert_int_equal(ct_count(&r.rep, "R-LEX-9", CAL_REPORT), 1);
	assert_int_equal(ct_nfix(&r.rep), 0);
	ct_free(&r);
}

/* VERSION and PRODID in the other order are fine as they are */
static void
test_prodid_before_version_untouched(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	ct_norms(&r, BEGIN_CAL PRODID VERSION PUBLISH EVENT END_CAL);
	ct_assert_untouched(&r);
	ct_free(&r);
}

/* ---- R-ITIP-1 -------------------------------------------------------------
 */

static void
test_method_from_mime_param(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.ctx.mime_method = "request"; /* any case; written canonical */
	ct_norms(&r, NO_METHOD(ORG ATT));
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_out(&r, WITH_METHOD("REQUEST", ORG ATT));
	ct_assert_fixes(&r.rep, "R-ITIP-1");
	assert_non_null(
	    strstr(ct_text(&r.rep, "R-ITIP-1", CAL_FIX), "method="));
	assert_string_equal(r.out.method, "REQUEST");
	ct_assert_stable(&r);
	ct_free(&r);
}

/* the parameter is copied even when infer would have chosen otherwise */
static void
test_method_param_wins_over_policy(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.ctx.mime_method = "CANCEL";
	r.pol.missing_method = CAL_MISSING_METHOD_PUBLISH;
	ct_norms(&r, NO_METHOD(ORG ATT));
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_out(&r, WITH_METHOD("CANCEL", ORG ATT));
	ct_free(&r);
}

/* METHOD goes before the first component, after other calendar lines */
static void
test_method_inserted_before_first_component(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.ctx.mime_method = "PUBLISH";
	ct_norms(&r, BEGIN_CAL VERSION PRODID
	         "CALSCALE:GREGORIAN\r\n"
	         "X-WR-CALNAME:Team\r\n" EVENT END_CAL);
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_out(&r, BEGIN_CAL VERSION PRODID
	              "CALSCALE:GREGORIAN\r\n"
	              "X-WR-CALNAME:Team\r\n" PUBLISH EVENT END_CAL);
	ct_free(&r);
}

/* an invalid parameter is not copied; the policy decides */
static void
test_method_invalid_param_ignored(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.ctx.mime_method = "INVITE";
	r.ctx.from_addr = "alice@example.org";
	ct_norms(&r, NO_METHOD(ORG ATT));
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_out(&r, WITH_METHOD("REQUEST", ORG ATT));
	ct_free(&r);
}

static void
test_method_missing_publish_policy(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.pol.missing_method = CAL_MISSING_METHOD_PUBLISH;
	r.ctx.from_addr = "alice@example.org"; /* infer would say REQUEST */
	ct_norms(&r, NO_METHOD(ORG ATT));
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_out(&r, WITH_METHOD("PUBLISH", ORG ATT));
	ct_assert_fixes(&r.rep, "R-ITIP-1");
	ct_assert_stable(&r);
	ct_free(&r);
}

static void
test_method_missing_leave_policy(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.pol.missing_method = CAL_MISSING_METHOD_LEAVE;
	r.ctx.from_addr = "alice@example.org";
	ct_norms(&r, NO_METHOD(ORG ATT));
	ct_assert_untouched(&r);
	assert_int_equal(ct_count(&r.rep, "R-ITIP-1", CAL_REPORT), 1);
	assert_string_equal(r.out.method, "");
	ct_free(&r);
}

/* infer: the run for one set of people and sender; the METHOD it wrote */
static void
infer_case(const char *in, const char *from, const char *sender,
           const char *want)
{
	struct ct_run r;
	char m[32];

	ct_init(&r);
	r.pol.missing_method = CAL_MISSING_METHOD_INFER;
	r.ctx.from_addr = from;
	r.ctx.sender_addr = sender;
	ct_norms(&r, in);
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_fixes(&r.rep, "R-ITIP-1");
	snprintf(m, sizeof(m), "\r\nMETHOD:%s\r\nBEGIN:VEVENT\r\n", want);
	if (strstr(r.out.data, m) == NULL)
		print_message("got:\n%s\n", r.out.data);
	assert_non_null(strstr(r.out.data, m));
	assert_string_equal(r.out.method, want);
	ct_assert_stable(&r);
	ct_free(&r);
}

static void
test_method_infer_request_when_from_is_organizer(void **state)
{
	(void)state;
	infer_case(NO_METHOD(ORG ATT), "alice@example.org", NULL, "REQUEST");
}

static void
test_method_infer_request_when_sender_is_organizer(void **state)
{
	(void)state;
	infer_case(NO_METHOD(ORG ATT), "mallory@example.com",
	           "alice@example.org", "REQUEST");
}

static void
test_method_infer_request_when_from_is_sent_by(void **state)
{
	(void)state;
	infer_case(NO_METHOD("ORGANIZER;SENT-BY=\"mailto:asst@example.org\";"
	                     "CN=Boss:mailto:boss@example.org\r\n" ATT),
	           "asst@example.org", NULL, "REQUEST");
}

static void
test_method_infer_address_case_insensitive(void **state)
{
	(void)state;
	infer_case(NO_METHOD("ORGANIZER:MAILTO:Alice@Example.ORG\r\n" ATT),
	           "alice@example.org", NULL, "REQUEST");
}

static void
test_method_infer_publish_without_organizer(void **state)
{
	(void)state;
	infer_case(NO_METHOD(ATT), "alice@example.org", NULL, "PUBLISH");
}

static void
test_method_infer_publish_without_other_attendee(void **state)
{
	(void)state;
	infer_case(
	    NO_METHOD(ORG "ATTENDEE;CN=Alice:mailto:alice@example.org\r\n"),
	    "alice@example.org", NULL, "PUBLISH");
}

static void
test_method_infer_publish_without_attendee(void **state)
{
	(void)state;
	infer_case(NO_METHOD(ORG), "alice@example.org", NULL, "PUBLISH");
}

static void
test_method_infer_publish_when_sender_not_organizer(void **state)
{
	(void)state;
	infer_case(NO_METHOD(ORG ATT), "bob@example.net", "carol@example.net",
	           "PUBLISH");
}

static void
test_method_infer_publish_without_from(void **state)
{
	(void)state;
	infer_case(NO_METHOD(ORG ATT), NULL, NULL, "PUBLISH");
}

/* SENT-BY names someone else than the sender: still PUBLISH */
static void
test_method_infer_publish_when_sent_by_differs(void **state)
{
	(void)state;
	infer_case(NO_METHOD("ORGANIZER;SENT-BY=\"mailto:asst@example.org\":"
	                     "mailto:boss@example.org\r\n" ATT),
	           "other@example.org", NULL, "PUBLISH");
}

/* a METHOD present is never replaced; the MIME layer aligns the label */
static void
test_method_existing_kept_against_param(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.ctx.mime_method = "REQUEST";
	ct_norms(&r, WITH_METHOD("PUBLISH", ORG ATT));
	ct_assert_untouched(&r);
	assert_string_equal(r.out.method, "PUBLISH");
	ct_free(&r);
}

/* R-MIME-7: lexical-only mode adds no METHOD */
static void
test_method_not_added_in_lexical_mode(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.pol.lexical_only = 1;
	r.ctx.mime_method = "REQUEST";
	r.ctx.date = T0;
	ct_norms(&r, NO_METHOD(ORG ATT));
	ct_assert_untouched(&r);
	assert_int_equal(ct_count(&r.rep, "R-ITIP-1", CAL_FIX), 0);
	assert_int_equal(ct_count(&r.rep, "R-ITIP-1", CAL_REPORT), 0);
	ct_free(&r);
}

/* ---- R-ITIP-3 -------------------------------------------------------------
 */

static void
unsupported_method_case(const char *in, const char *canon)
{
	struct ct_run r;

	ct_init(&r);
	r.ctx.mime_method = "REQUEST";
	ct_norms(&r, in);
	ct_assert_untouched(&r);
	assert_int_equal(ct_count(&r.rep, "R-ITIP-3", CAL_REPORT), 1);
	assert_non_null(strstr(ct_text(&r.rep, "R-ITIP-3", CAL_REPORT), canon));
	assert_string_equal(r.out.method, canon);
	ct_free(&r);
}

static void
test_itip3_add_reported_not_rewritten(void **state)
{
	(void)state;
	unsupported_method_case(WITH_METHOD("ADD", ORG ATT), "ADD");
}

static void
test_itip3_refresh_reported_not_rewritten(void **state)
{
	(void)state;
	unsupported_method_case(WITH_METHOD("REFRESH", ORG ATT), "REFRESH");
}

static void
test_itip3_declinecounter_reported_not_rewritten(void **state)
{
	(void)state;
	unsupported_method_case(WITH_METHOD("DeclineCounter", ORG ATT),
	                        "DECLINECOUNTER");
}

/* ADD with another fault: that fault is fixed, ADD stays ADD */
static void
test_itip3_add_kept_when_other_rule_fixes(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	ct_norms(&r, BEGIN_CAL VERSION "METHOD:ADD\r\n" MEETING_EVENT(ORG ATT)
	                 END_CAL);
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_out(&r, BEGIN_CAL VERSION OUR_PRODID
	              "METHOD:ADD\r\n" MEETING_EVENT(ORG ATT) END_CAL);
	assert_int_equal(ct_count(&r.rep, "R-ITIP-3", CAL_REPORT), 1);
	ct_free(&r);
}

static void
test_itip_supported_methods_not_reported(void **state)
{
	static const char *const ok[] = {"REQUEST", "REPLY", "CANCEL",
	                                 "COUNTER", "PUBLISH"};
	char in[2048];
	struct ct_run r;
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		snprintf(in, sizeof(in),
		         BEGIN_CAL VERSION PRODID
		         "METHOD:%s\r\n" MEETING_EVENT(ORG ATT) END_CAL,
		         ok[i]);
		ct_init(&r);
		ct_norms(&r, in);
		ct_assert_untouched(&r);
		assert_int_equal(ct_count(&r.rep, "R-ITIP-3", CAL_REPORT), 0);
		assert_string_equal(r.out.method, ok[i]);
		ct_free(&r);
	}
}

/* ---- R-ITIP-6 -------------------------------------------------------------
 */

#define EV_HEAD                                                                \
	BEGIN_CAL VERSION PRODID PUBLISH "BEGIN:VEVENT\r\n"                    \
	                                 "UID:stamp-1@example.org\r\n"
#define EV_BODY                                                                \
	"DTSTART:20250310T090000Z\r\n"                                         \
	"DTEND:20250310T100000Z\r\n"                                           \
	"SUMMARY:Planning\r\n"
#define EV_TAIL "END:VEVENT\r\n" END_CAL

static void
stamp_case(time_t date, time_t now, const char *extra, const char *want_stamp,
           const char *why)
{
	struct ct_run r;
	char in[2048], want[2048];

	snprintf(in, sizeof(in), EV_HEAD EV_BODY "%s" EV_TAIL, extra);
	snprintf(want, sizeof(want),
	         EV_HEAD "DTSTAMP:%s\r\n" EV_BODY "%s" EV_TAIL, want_stamp,
	         extra);
	ct_init(&r);
	r.ctx.date = date;
	r.ctx.now = now;
	ct_norms(&r, in);
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_out(&r, want);
	ct_assert_fixes(&r.rep, "R-ITIP-6");
	if (strstr(ct_text(&r.rep, "R-ITIP-6", CAL_FIX), why) == NULL)
		ct_dump(&r.rep);
	assert_non_null(strstr(ct_text(&r.rep, "R-ITIP-6", CAL_FIX), why));
	ct_assert_stable(&r);
	ct_free(&r);
}

static void
test_dtstamp_from_date_header(void **state)
{
	(void)state;
	/* the Date header wins over LAST-MODIFIED and the clock */
	stamp_case(T0, T0 + 3600, "LAST-MODIFIED:20250201T120000Z\r\n",
	           T0_STAMP, "Date");
}

static void
test_dtstamp_from_last_modified(void **state)
{
	(void)state;
	stamp_case((time_t)-1, T0,
	           "LAST-MODIFIED:20250201T120000Z\r\n"
	           "CREATED:20250115T080000Z\r\n",
	           "20250201T120000Z", "LAST-MODIFIED");
}

static void
test_dtstamp_from_created(void **state)
{
	(void)state;
	stamp_case((time_t)-1, T0, "CREATED:20250115T080000Z\r\n",
	           "20250115T080000Z", "CREATED");
}

/* LAST-MODIFIED not in UTC cannot stand in; CREATED in UTC can */
static void
test_dtstamp_skips_floating_last_modified(void **state)
{
	(void)state;
	stamp_case((time_t)-1, T0,
	           "LAST-MODIFIED:20250201T120000\r\n"
	           "CREATED:20250115T080000Z\r\n",
	           "20250115T080000Z", "CREATED");
}

static void
test_dtstamp_from_processing_time_says_so(void **state)
{
	(void)state;
	stamp_case((time_t)-1, T0, "", T0_STAMP, "processing");
}

static void
test_dtstamp_nothing_to_derive_reported(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	ct_norms(&r, EV_HEAD EV_BODY EV_TAIL);
	ct_assert_untouched(&r);
	assert_int_equal(ct_count(&r.rep, "R-ITIP-6", CAL_REPORT), 1);
	ct_free(&r);
}

/* the example of the rule */
static void
test_dtstamp_floating_gets_z(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.ctx.date = T0;
	ct_norms(&r, EV_HEAD "DTSTAMP:20250914T164336\r\n" EV_BODY EV_TAIL);
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_out(&r,
	              EV_HEAD "DTSTAMP:20250914T164336Z\r\n" EV_BODY EV_TAIL);
	ct_assert_fixes(&r.rep, "R-ITIP-6");
	ct_assert_stable(&r);
	ct_free(&r);
}

static void
test_dtstamp_existing_utc_untouched(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.ctx.date = T0; /* another time: must not replace the value */
	r.ctx.now = T0;
	ct_norms(&r, EV_HEAD "DTSTAMP:20200101T000000Z\r\n" EV_BODY EV_TAIL);
	ct_assert_untouched(&r);
	ct_free(&r);
}

/* a DTSTAMP with a TZID is wrong, but adding Z would move the instant */
static void
test_dtstamp_with_tzid_not_given_z(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.ctx.date = T0;
	ct_norms(&r, BEGIN_CAL VERSION PRODID PUBLISH
	         "BEGIN:VTIMEZONE\r\nTZID:Fixed\r\nBEGIN:STANDARD\r\n"
	         "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\n"
	         "TZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
	         "BEGIN:VEVENT\r\nUID:stamp-1@example.org\r\n"
	         "DTSTAMP;TZID=Fixed:20200101T000000\r\n" EV_BODY EV_TAIL);
	assert_null(r.out.data != NULL ? strstr(r.out.data, "20200101T000000Z")
	                               : NULL);
	assert_int_equal(ct_count(&r.rep, "R-ITIP-6", CAL_FIX), 0);
	ct_free(&r);
}

/* no UID: the DTSTAMP goes first in the component */
static void
test_dtstamp_without_uid_goes_first(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.ctx.date = T0;
	ct_norms(&r, BEGIN_CAL VERSION PRODID PUBLISH
	         "BEGIN:VEVENT\r\n" EV_BODY EV_TAIL);
	ct_assert_status(&r, CAL_CHANGED);
	/* R-ITIP-5 then derives a UID, which goes before it */
	assert_non_null(strstr(r.out.data, "BEGIN:VEVENT\r\nUID:calmilter-"));
	assert_non_null(strstr(r.out.data, "\r\nDTSTAMP:" T0_STAMP "\r\n" EV_BODY
	                                   EV_TAIL));
	ct_free(&r);
}

/* VTODO needs one too (RFC 5545 3.6.2), and each component gets its own */
static void
test_dtstamp_added_to_each_component(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.ctx.date = T0;
	ct_norms(&r, BEGIN_CAL VERSION PRODID PUBLISH
	         "BEGIN:VEVENT\r\nUID:a@example.org\r\n" EV_BODY
	         "END:VEVENT\r\n"
	         "BEGIN:VEVENT\r\nUID:b@example.org\r\n"
	         "DTSTAMP:20200101T000000Z\r\n" EV_BODY "END:VEVENT\r\n"
	         "BEGIN:VTODO\r\nUID:c@example.org\r\nSUMMARY:Do it\r\n"
	         "END:VTODO\r\n" END_CAL);
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_out(&r, BEGIN_CAL VERSION PRODID PUBLISH
	              "BEGIN:VEVENT\r\nUID:a@example.org\r\n"
	              "DTSTAMP:" T0_STAMP "\r\n" EV_BODY "END:VEVENT\r\n"
	              "BEGIN:VEVENT\r\nUID:b@example.org\r\n"
	              "DTSTAMP:20200101T000000Z\r\n" EV_BODY "END:VEVENT\r\n"
	              "BEGIN:VTODO\r\nUID:c@example.org\r\n"
	              "DTSTAMP:" T0_STAMP "\r\nSUMMARY:Do it\r\n"
	              "END:VTODO\r\n" END_CAL);
	assert_int_equal(ct_count(&r.rep, "R-ITIP-6", CAL_FIX), 2);
	ct_free(&r);
}

/* R-MIME-7: lexical-only mode adds no DTSTAMP */
static void
test_dtstamp_not_added_in_lexical_mode(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.pol.lexical_only = 1;
	r.ctx.date = T0;
	ct_norms(&r, EV_HEAD EV_BODY EV_TAIL);
	ct_assert_untouched(&r);
	ct_free(&r);
}

/* determinism: the same input and context give the same bytes */
static void
test_rules_deterministic(void **state)
{
	struct ct_run a, b;

	(void)state;
	ct_init(&a);
	ct_init(&b);
	a.ctx.date = b.ctx.date = T0;
	a.ctx.from_addr = b.ctx.from_addr = "alice@example.org";
	ct_norms(&a, BEGIN_CAL
	         "BEGIN:VEVENT\nUID:d@example.org\n" ORG ATT EV_BODY EV_TAIL);
	ct_norms(&b, BEGIN_CAL
	         "BEGIN:VEVENT\nUID:d@example.org\n" ORG ATT EV_BODY EV_TAIL);
	ct_assert_status(&a, CAL_CHANGED);
	assert_int_equal(a.out.len, b.out.len);
	assert_memory_equal(a.out.data, b.out.data, a.out.len);
	ct_free(&a);
	ct_free(&b);
}

/* the documented contract of struct cal_out: method[] for CAL_UNCHANGED */
static void
test_rules_out_method_filled_when_unchanged(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	ct_norms(&r, WITH_METHOD("reply", ORG ATT));
	ct_assert_untouched(&r);
	assert_string_equal(r.out.method, "REPLY");
	ct_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules_table_ids_in_order),
	    cmocka_unit_test(test_rules_lexical_flag_only_on_lex_family),
	    cmocka_unit_test(test_rules_correct_object_untouched),
	    cmocka_unit_test(test_version_added_when_missing),
	    cmocka_unit_test(test_prodid_added_when_missing),
	    cmocka_unit_test(test_version_and_prodid_added),
	    cmocka_unit_test(test_added_prodid_is_not_microsoft),
	    cmocka_unit_test(test_existing_prodid_never_replaced),
	    cmocka_unit_test(test_version_3_reported_and_left),
	    cmocka_unit_test(test_prodid_before_version_untouched),
	    cmocka_unit_test(test_method_from_mime_param),
	    cmocka_unit_test(test_method_param_wins_over_policy),
	    cmocka_unit_test(test_method_inserted_before_first_component),
	    cmocka_unit_test(test_method_invalid_param_ignored),
	    cmocka_unit_test(test_method_missing_publish_policy),
	    cmocka_unit_test(test_method_missing_leave_policy),
	    cmocka_unit_test(test_method_infer_request_when_from_is_organizer),
	    cmocka_unit_test(
	        test_method_infer_request_when_sender_is_organizer),
	    cmocka_unit_test(test_method_infer_request_when_from_is_sent_by),
	    cmocka_unit_test(test_method_infer_address_case_insensitive),
	    cmocka_unit_test(test_method_infer_publish_without_organizer),
	    cmocka_unit_test(test_method_infer_publish_without_other_attendee),
	    cmocka_unit_test(test_method_infer_publish_without_attendee),
	    cmocka_unit_test(
	        test_method_infer_publish_when_sender_not_organizer),
	    cmocka_unit_test(test_method_infer_publish_without_from),
	    cmocka_unit_test(test_method_infer_publish_when_sent_by_differs),
	    cmocka_unit_test(test_method_existing_kept_against_param),
	    cmocka_unit_test(test_method_not_added_in_lexical_mode),
	    cmocka_unit_test(test_itip3_add_reported_not_rewritten),
	    cmocka_unit_test(test_itip3_refresh_reported_not_rewritten),
	    cmocka_unit_test(test_itip3_declinecounter_reported_not_rewritten),
	    cmocka_unit_test(test_itip3_add_kept_when_other_rule_fixes),
	    cmocka_unit_test(test_itip_supported_methods_not_reported),
	    cmocka_unit_test(test_dtstamp_from_date_header),
	    cmocka_unit_test(test_dtstamp_from_last_modified),
	    cmocka_unit_test(test_dtstamp_from_created),
	    cmocka_unit_test(test_dtstamp_skips_floating_last_modified),
	    cmocka_unit_test(test_dtstamp_from_processing_time_says_so),
	    cmocka_unit_test(test_dtstamp_nothing_to_derive_reported),
	    cmocka_unit_test(test_dtstamp_floating_gets_z),
	    cmocka_unit_test(test_dtstamp_existing_utc_untouched),
	    cmocka_unit_test(test_dtstamp_with_tzid_not_given_z),
	    cmocka_unit_test(test_dtstamp_without_uid_goes_first),
	    cmocka_unit_test(test_dtstamp_added_to_each_component),
	    cmocka_unit_test(test_dtstamp_not_added_in_lexical_mode),
	    cmocka_unit_test(test_rules_deterministic),
	    cmocka_unit_test(test_rules_out_method_filled_when_unchanged),
	};

	cal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
