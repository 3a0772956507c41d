/*
 * test_cal_events.c - the event rules R-EV-1 .. R-EV-6 through
 * cal_normalize(): each fixes what it must (the exact bytes, judged the same
 * by the independent judge, stable on a second pass), leaves a correct
 * event untouched, reports without changing what it must only report, and
 * follows its policy at each setting. Objects produced by Microsoft get the
 * lexical layer only (N-7).
 */
#include "unit.h"
#include "caltest.h"
#include "ruletest.h"

#define START_T "DTSTART:20250310T090000Z\r\n"
#define END_T   "DTEND:20250310T100000Z\r\n"
#define START_D "DTSTART;VALUE=DATE:20250310\r\n"
#define END_D   "DTEND;VALUE=DATE:20250311\r\n"
#define HINT    "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE\r\n"
/* the hint R-EV-3 adds goes after the event's other properties */
#define HINTED(body)                                                           \
	RT_HEAD "METHOD:PUBLISH\r\nBEGIN:VEVENT\r\n"                          \
	        "UID:rt-1@example.org\r\nDTSTAMP:20250101T000000Z\r\n" body    \
	        "SUMMARY:Review\r\n" HINT "END:VEVENT\r\n" RT_TAIL

/* ---- R-EV-1 ---------------------------------------------------------------- */

static void
test_ev1_end_added_to_timed(void **state)
{
	const char *in = RT_PUBLISH("", START_T);
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, in);
	rt_assert_fixed(&r, in, "R-EV-1",
	                RT_PUBLISH("", START_T "DTEND:20250310T090000Z\r\n"));
	ct_free(&r);
}

static void
test_ev1_end_added_to_allday(void **state)
{
	const char *in = RT_PUBLISH("", START_D HINT);
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, in);
	rt_assert_fixed(&r, in, "R-EV-1", RT_PUBLISH("", START_D END_D HINT));
	ct_free(&r);
}

static void
test_ev1_zoned_end_keeps_zone(void **state)
{
	const char *in = RT_PUBLISH(
	    RT_BERLIN, "DTSTART;TZID=Europe/Berlin:20250310T090000\r\n");
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, in);
	rt_assert_fixed(&r, in, "R-EV-1",
	                RT_PUBLISH(RT_BERLIN,
	                           "DTSTART;TZID=Europe/Berlin:20250310T090000\r\n"
	                           "DTEND;TZID=Europe/Berlin:20250310T090000\r\n"));
	ct_free(&r);
}

static void
test_ev1_duration_or_end_untouched(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, RT_PUBLISH("", START_T END_T));
	rt_assert_clean(&r);
	ct_free(&r);
	ct_init(&r);
	rt_run(&r, RT_PUBLISH("", START_T "DURATION:PT1H\r\n"));
	rt_assert_clean(&r);
	ct_free(&r);
}

static void
test_ev1_no_dtstart_reported(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, RT_PUBLISH("", ""));
	rt_assert_reported(&r, "R-EV-1");
	ct_free(&r);
}

/* ---- R-EV-2 ---------------------------------------------------------------- */

#define ZERO_D START_D "DTEND;VALUE=DATE:20250310\r\n" HINT

static void
test_ev2_allday_zero_fixed(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, RT_PUBLISH("", ZERO_D));
	rt_assert_fixed(&r, RT_PUBLISH("", ZERO_D), "R-EV-2",
	                RT_PUBLISH("", START_D END_D HINT));
	ct_free(&r);
}

static void
test_ev2_allday_zero_leave(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.pol.all_day_zero_fix = 0;
	rt_run(&r, RT_PUBLISH("", ZERO_D));
	rt_assert_reported(&r, "R-EV-2");
	ct_free(&r);
}

static void
test_ev2_inconsistent_ends_reported(void **state)
{
	static const char *const bad[] = {
	    RT_PUBLISH("", START_T "DTEND;VALUE=DATE:20250311\r\n"),
	    RT_PUBLISH("", START_T "DTEND:20250310T080000Z\r\n"),
	    RT_PUBLISH("", START_T "DTEND:20250310T100000\r\n"),
	    RT_PUBLISH("", START_T END_T "DURATION:PT1H\r\n"),
	};
	struct ct_run r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ct_init(&r);
		rt_run(&r, bad[i]);
		rt_assert_reported(&r, "R-EV-2");
		ct_free(&r);
	}
}

/* a zero-length timed event is what RFC 5545 implies without an end */
static void
test_ev2_zero_length_timed_untouched(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, RT_PUBLISH("", START_T "DTEND:20250310T090000Z\r\n"));
	rt_assert_clean(&r);
	ct_free(&r);
}

/* ---- R-EV-3 ---------------------------------------------------------------- */

static void
test_ev3_hint_added(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, RT_PUBLISH("", START_D END_D));
	rt_assert_fixed(&r, RT_PUBLISH("", START_D END_D), "R-EV-3",
	                HINTED(START_D END_D));
	ct_free(&r);
	ct_init(&r); /* DURATION in whole days is all-day too */
	rt_run(&r, RT_PUBLISH("", START_D "DURATION:P2D\r\n"));
	rt_assert_fixed(&r, RT_PUBLISH("", START_D "DURATION:P2D\r\n"),
	                "R-EV-3", HINTED(START_D "DURATION:P2D\r\n"));
	ct_free(&r);
}

static void
test_ev3_hint_policy_no(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.pol.all_day_hint = 0;
	rt_run(&r, RT_PUBLISH("", START_D END_D));
	rt_assert_clean(&r);
	ct_free(&r);
}

/* never on a timed event, not even midnight to midnight (N-4) */
static void
test_ev3_never_on_timed(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, RT_PUBLISH("", "DTSTART:20250310T000000Z\r\n"
	                          "DTEND:20250311T000000Z\r\n"));
	rt_assert_clean(&r);
	ct_free(&r);
}

static void
test_ev3_existing_value_never_changed(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, RT_PUBLISH("", START_D END_D
	                      "X-MICROSOFT-CDO-ALLDAYEVENT:FALSE\r\n"));
	rt_assert_reported(&r, "R-EV-3");
	ct_free(&r);
	ct_init(&r);
	rt_run(&r, RT_PUBLISH("", START_D END_D HINT));
	rt_assert_clean(&r);
	ct_free(&r);
}

/* ---- R-EV-4 ---------------------------------------------------------------- */

#define ALARM(trig)                                                            \
	"BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\n" trig      \
	"\r\nEND:VALARM\r\n"

static void
test_ev4_properties_moved_before_valarm(void **state)
{
	const char *in = RT_HEAD "METHOD:PUBLISH\r\nBEGIN:VEVENT\r\n" ALARM(
	    "TRIGGER:-PT15M") "UID:rt-1@example.org\r\nDTSTAMP:20250101T000000Z"
	                      "\r\n" START_T END_T "SUMMARY:Review\r\n"
	                      "END:VEVENT\r\n" RT_TAIL;
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, in);
	rt_assert_fixed(&r, in, "R-EV-4",
	                RT_HEAD "METHOD:PUBLISH\r\nBEGIN:VEVENT\r\n"
	                        "UID:rt-1@example.org\r\n"
	                        "DTSTAMP:20250101T000000Z\r\n" START_T END_T
	                        "SUMMARY:Review\r\n" ALARM("TRIGGER:-PT15M")
	                        "END:VEVENT\r\n" RT_TAIL);
	ct_free(&r);
}

static void
test_ev4_vtimezone_moved_first(void **state)
{
	const char *in =
	    RT_HEAD "METHOD:PUBLISH\r\nBEGIN:VEVENT\r\nUID:rt-1@example.org\r\n"
	            "DTSTAMP:20250101T000000Z\r\n"
	            "DTSTART;TZID=Europe/Berlin:20250310T090000\r\n"
	            "DTEND;TZID=Europe/Berlin:20250310T100000\r\n"
	            "SUMMARY:Review\r\nEND:VEVENT\r\n" RT_BERLIN RT_TAIL;
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, in);
	rt_assert_fixed(&r, in, "R-EV-4",
	                RT_PUBLISH(RT_BERLIN,
	                           "DTSTART;TZID=Europe/Berlin:20250310T090000\r\n"
	                           "DTEND;TZID=Europe/Berlin:20250310T100000\r\n"));
	ct_free(&r);
}

/* ---- R-EV-5 ---------------------------------------------------------------- */

/* a 60-minute event: an alarm 90 minutes before its end fires 30 minutes
 * before its start */
#define TIMED_ALARM(trig)                                                      \
	RT_HEAD "METHOD:PUBLISH\r\nBEGIN:VEVENT\r\nUID:rt-1@example.org\r\n"  \
	        "DTSTAMP:20250101T000000Z\r\n" START_T END_T                    \
	        "SUMMARY:Review\r\n" trig "END:VEVENT\r\n" RT_TAIL

static void
test_ev5_related_end_written_from_start(void **state)
{
	const char *in = TIMED_ALARM(ALARM("TRIGGER;RELATED=END:-PT90M"));
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, in);
	rt_assert_fixed(&r, in, "R-EV-5",
	                TIMED_ALARM(ALARM("TRIGGER:-PT30M")));
	ct_free(&r);
}

static void
test_ev5_after_start_reported(void **state)
{
	static const char *const late[] = {
	    TIMED_ALARM(ALARM("TRIGGER;RELATED=END:-PT30M")),
	    TIMED_ALARM(ALARM("TRIGGER:PT10M")),
	    TIMED_ALARM(ALARM("TRIGGER;VALUE=DATE-TIME:20250310T091000Z")),
	};
	struct ct_run r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(late) / sizeof(late[0]); i++) {
		ct_init(&r);
		rt_run(&r, late[i]);
		rt_assert_reported(&r, "R-EV-5");
		ct_free(&r);
	}
}

static void
test_ev5_without_trigger_reported(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, TIMED_ALARM("BEGIN:VALARM\r\nACTION:DISPLAY\r\n"
	                       "DESCRIPTION:x\r\nEND:VALARM\r\n"));
	rt_assert_reported(&r, "R-EV-5");
	ct_free(&r);
}

#define TWO_ALARMS(a, b) TIMED_ALARM(ALARM(a) ALARM(b))

static void
test_ev5_alarm_order_keep_reports(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, TWO_ALARMS("TRIGGER:-PT5M", "TRIGGER:-PT1H"));
	rt_assert_reported(&r, "R-EV-5");
	ct_free(&r);
	ct_init(&r); /* the earliest first already: nothing to say */
	rt_run(&r, TWO_ALARMS("TRIGGER:-PT1H", "TRIGGER:-PT5M"));
	rt_assert_clean(&r);
	ct_free(&r);
}

static void
test_ev5_alarm_order_earliest_first(void **state)
{
	const char *in = TWO_ALARMS("TRIGGER:-PT5M", "TRIGGER:-PT1H");
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.pol.alarm_earliest_first = 1;
	rt_run(&r, in);
	rt_assert_fixed(&r, in, "R-EV-5",
	                TWO_ALARMS("TRIGGER:-PT1H", "TRIGGER:-PT5M"));
	ct_free(&r);
}

/* ---- R-EV-6 ---------------------------------------------------------------- */

static void
test_ev6_spellings_fixed(void **state)
{
	static const char *const in[][2] = {
	    {"DTSTART:2025-03-10T09:00:00Z\r\n", START_T},
	    {"DTSTART:20250310t090000z\r\n", START_T},
	    {"DTSTART:20250310T090000.000Z\r\n", START_T},
	    {"DTSTART:20250310T100000+0100\r\n", START_T},
	    {"DTSTART;TZID=Europe/Berlin:20250310T043000-04:30\r\n", START_T},
	};
	char a[2048], b[2048];
	struct ct_run r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		snprintf(a, sizeof(a), RT_PUBLISH("", "%s" END_T), in[i][0]);
		snprintf(b, sizeof(b), RT_PUBLISH("", "%s" END_T), in[i][1]);
		ct_init(&r);
		rt_run(&r, a);
		rt_assert_fixed(&r, a, "R-EV-6", b);
		ct_free(&r);
	}
}

static void
test_ev6_bare_date_labelled(void **state)
{
	const char *in = RT_PUBLISH("", "DTSTART:20250310\r\n"
	                                "DTEND:20250311\r\n" HINT);
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, in);
	rt_assert_fixed(&r, in, "R-EV-6", RT_PUBLISH("", START_D END_D HINT));
	ct_free(&r);
}

static void
test_ev6_unclear_reported(void **state)
{
	static const char *const bad[] = {
	    RT_PUBLISH("", "DTSTART:20250310T090000.500Z\r\n" END_T),
	    RT_PUBLISH("", "DTSTART;VALUE=DATE:20250310T090000\r\n" END_T),
	};
	struct ct_run r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ct_init(&r);
		rt_run(&r, bad[i]);
		assert_true(ct_count(&r.rep, "R-EV-6", CAL_REPORT) > 0);
		assert_int_equal(ct_count(&r.rep, "R-EV-6", CAL_FIX), 0);
		assert_true(r.st != CAL_CHANGED);
		ct_free(&r);
	}
}

/* ---- N-7 ------------------------------------------------------------------- */

static void
test_ev_microsoft_lexical_only(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	           "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n"
	           "METHOD:PUBLISH\r\nBEGIN:VEVENT\r\nUID:ms-1\r\n"
	           "DTSTAMP:20250101T000000Z\r\n" START_D "SUMMARY:Day\r\n"
	           "END:VEVENT\r\n" RT_TAIL);
	rt_assert_clean(&r);
	ct_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ev1_end_added_to_timed),
	    cmocka_unit_test(test_ev1_end_added_to_allday),
	    cmocka_unit_test(test_ev1_zoned_end_keeps_zone),
	    cmocka_unit_test(test_ev1_duration_or_end_untouched),
	    cmocka_unit_test(test_ev1_no_dtstart_reported),
	    cmocka_unit_test(test_ev2_allday_zero_fixed),
	    cmocka_unit_test(test_ev2_allday_zero_leave),
	    cmocka_unit_test(test_ev2_inconsistent_ends_reported),
	    cmocka_unit_test(test_ev2_zero_length_timed_untouched),
	    cmocka_unit_test(test_ev3_hint_added),
	    cmocka_unit_test(test_ev3_hint_policy_no),
	    cmocka_unit_test(test_ev3_never_on_timed),
	    cmocka_unit_test(test_ev3_existing_value_never_changed),
	    cmocka_unit_test(test_ev4_properties_moved_before_valarm),
	    cmocka_unit_test(test_ev4_vtimezone_moved_first),
	    cmocka_unit_test(test_ev5_related_end_written_from_start),
	    cmocka_unit_test(test_ev5_after_start_reported),
	    cmocka_unit_test(test_ev5_without_trigger_reported),
	    cmocka_unit_test(test_ev5_alarm_order_keep_reports),
	    cmocka_unit_test(test_ev5_alarm_order_earliest_first),
	    cmocka_unit_test(test_ev6_spellings_fixed),
	    cmocka_unit_test(test_ev6_bare_date_labelled),
	    cmocka_unit_test(test_ev6_unclear_reported),
	    cmocka_unit_test(test_ev_microsoft_lexical_only),
	};

	cal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
