/*
 * test_cal_recur.c - the recurrence rules through cal_normalize():
 * R-RR-1 syntax and the BYSETPOS form; R-RR-2 DAILY on weekdays; R-RR-3
 * UNTIL and COUNT; R-RR-4 what Exchange cannot hold (reported, or expanded
 * into a superset with EXDATEs under UnsupportedRecurrence expand);
 * R-RR-5 RDATE-only series; R-RR-6 EXDATE and RDATE in DTSTART's form;
 * R-RR-7 overrides. Every fix keeps exactly the same instants, which the
 * independent judge (libical's iterator, meaningtest.h) checks too; the
 * examples are those of exchange-rules.md.
 */
#include "unit.h"
#include "caltest.h"
#include "ruletest.h"

#define B_START "DTSTART;TZID=Europe/Berlin:20250106T100000\r\n"
#define B_END   "DTEND;TZID=Europe/Berlin:20250106T110000\r\n"
#define BERLIN(body) RT_PUBLISH(RT_BERLIN, B_START B_END body)
#define NY_START "DTSTART;TZID=America/New_York:20250106T090000\r\n"
#define NY_END   "DTEND;TZID=America/New_York:20250106T100000\r\n"
#define NY(body) RT_PUBLISH(RT_NY, NY_START NY_END body)
#define UTC(body)                                                              \
	RT_PUBLISH("", "DTSTART:20250106T090000Z\r\nDTEND:20250106T100000Z\r\n" \
	               body)

/* run in, expect exactly want fixed by rules */
static void
fixed(const char *in, const char *rules, const char *want)
{
	struct ct_run r;

	ct_init(&r);
	rt_run(&r, in);
	rt_assert_fixed(&r, in, rules, want);
	ct_free(&r);
}

static void
reported(const char *in, const char *rule)
{
	struct ct_run r;

	ct_init(&r);
	rt_run(&r, in);
	rt_assert_reported(&r, rule);
	ct_free(&r);
}

static void
clean(const char *in)
{
	struct ct_run r;

	ct_init(&r);
	rt_run(&r, in);
	rt_assert_clean(&r);
	ct_free(&r);
}

/* ---- R-RR-1 ---------------------------------------------------------------- */

static void
test_rr1_syntax_tidied(void **state)
{
	(void)state;
	fixed(BERLIN("RRULE:FREQ=WEEKLY; BYDAY=MO, WE;COUNT=4;\r\n"), "R-RR-1",
	      BERLIN("RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4\r\n"));
	fixed(BERLIN("RRULE:count=4;freq=weekly\r\n"), "R-RR-1",
	      BERLIN("RRULE:FREQ=WEEKLY;COUNT=4\r\n"));
}

static void
test_rr1_bysetpos_form(void **state)
{
	(void)state;
	fixed(BERLIN("RRULE:FREQ=MONTHLY;BYDAY=1MO;COUNT=3\r\n"), "R-RR-1",
	      BERLIN("RRULE:FREQ=MONTHLY;BYDAY=MO;COUNT=3;BYSETPOS=1\r\n"));
	fixed(BERLIN("RRULE:FREQ=MONTHLY;BYDAY=-1MO;COUNT=3\r\n"), "R-RR-1",
	      BERLIN("RRULE:FREQ=MONTHLY;BYDAY=MO;COUNT=3;BYSETPOS=-1\r\n"));
	fixed(BERLIN("RRULE:FREQ=YEARLY;BYMONTH=1;BYDAY=1MO;COUNT=3\r\n"),
	      "R-RR-1",
	      BERLIN("RRULE:FREQ=YEARLY;BYMONTH=1;BYDAY=MO;COUNT=3;"
	             "BYSETPOS=1\r\n"));
}

/* the correct form stays; ordinals Exchange cannot hold go to R-RR-4 */
static void
test_rr1_correct_or_unsupported_untouched(void **state)
{
	(void)state;
	clean(BERLIN("RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1;COUNT=3\r\n"));
	reported(BERLIN("RRULE:FREQ=MONTHLY;BYDAY=-2MO;COUNT=3\r\n"), "R-RR-4");
	reported(BERLIN("RRULE:FREQ=YEARLY;BYDAY=20MO\r\n"), "R-RR-4");
}

/* ---- R-RR-2 ---------------------------------------------------------------- */

static void
test_rr2_daily_weekdays_is_weekly(void **state)
{
	(void)state;
	fixed(BERLIN("RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=10\r\n"),
	      "R-RR-2",
	      BERLIN("RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=10\r\n"));
	fixed(BERLIN("RRULE:FREQ=DAILY;INTERVAL=1;BYDAY=MO,FR\r\n"), "R-RR-2",
	      BERLIN("RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,FR\r\n"));
	reported(BERLIN("RRULE:FREQ=DAILY;INTERVAL=2;BYDAY=MO,FR\r\n"),
	         "R-RR-4");
}

/* ---- R-RR-3 ---------------------------------------------------------------- */

static void
test_rr3_local_until_to_utc(void **state)
{
	(void)state;
	/* the example: 09:00 in New York on 31 March is 13:00 UTC */
	fixed(NY("RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20250331T090000\r\n"),
	      "R-RR-3",
	      NY("RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20250331T130000Z\r\n"));
}

static void
test_rr3_date_until(void **state)
{
	(void)state;
	/* a DATE UNTIL includes its day: the last instance is on 31 March */
	fixed(NY("RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20250331\r\n"), "R-RR-3",
	      NY("RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20250331T130000Z\r\n"));
	/* a DATE start wants a DATE UNTIL */
	fixed(RT_PUBLISH("", "DTSTART;VALUE=DATE:20250106\r\n"
	                     "DTEND;VALUE=DATE:20250107\r\n"
	                     "RRULE:FREQ=WEEKLY;UNTIL=20250120T235959Z\r\n"
	                     "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE\r\n"),
	      "R-RR-3",
	      RT_PUBLISH("", "DTSTART;VALUE=DATE:20250106\r\n"
	                     "DTEND;VALUE=DATE:20250107\r\n"
	                     "RRULE:FREQ=WEEKLY;UNTIL=20250120\r\n"
	                     "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE\r\n"));
}

static void
test_rr3_seconds_and_count(void **state)
{
	(void)state;
	fixed(UTC("RRULE:FREQ=DAILY;UNTIL=20250108T235959Z\r\n"), "R-RR-3",
	      UTC("RRULE:FREQ=DAILY;UNTIL=20250108T090000Z\r\n"));
	/* COUNT with UNTIL: the one that ends first */
	fixed(UTC("RRULE:FREQ=DAILY;COUNT=3;UNTIL=20250131T090000Z\r\n"),
	      "R-RR-3", UTC("RRULE:FREQ=DAILY;COUNT=3\r\n"));
	fixed(UTC("RRULE:FREQ=DAILY;COUNT=30;UNTIL=20250108T090000Z\r\n"),
	      "R-RR-3", UTC("RRULE:FREQ=DAILY;UNTIL=20250108T090000Z\r\n"));
	/* COUNT above 999: Exchange holds three digits */
	fixed(UTC("RRULE:FREQ=DAILY;COUNT=1000\r\n"), "R-RR-3",
	      UTC("RRULE:FREQ=DAILY;UNTIL=20271002T090000Z\r\n"));
}

static void
test_rr3_correct_untouched_unresolved_reported(void **state)
{
	(void)state;
	clean(NY("RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20250331T130000Z\r\n"));
	clean(UTC("RRULE:FREQ=DAILY;COUNT=999\r\n"));
	reported(RT_PUBLISH("", "DTSTART;TZID=Nowhere/Land:20250106T090000\r\n"
	                        "DTEND;TZID=Nowhere/Land:20250106T100000\r\n"
	                        "RRULE:FREQ=WEEKLY;UNTIL=20250331T090000\r\n"),
	         "R-RR-3");
}

/* ---- R-RR-4 ---------------------------------------------------------------- */

static void
test_rr4_unsupported_reported(void **state)
{
	static const char *const rules[] = {
	    "FREQ=HOURLY;COUNT=3",
	    "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
	    "FREQ=YEARLY;BYYEARDAY=1,100",
	    "FREQ=MONTHLY;BYMONTHDAY=2,15;COUNT=4",
	    "FREQ=MONTHLY;BYDAY=1MO,3MO;COUNT=4",
	    "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=1,2",
	    "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=5",
	    "FREQ=MONTHLY;BYMONTH=1,2",
	    "FREQ=YEARLY;BYMONTH=1,6",
	    "FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR",
	    "FREQ=DAILY;BYHOUR=10,15",
	    "FREQ=DAILY;INTERVAL=1000",
	    "FREQ=WEEKLY;INTERVAL=100",
	    "FREQ=YEARLY;INTERVAL=9",
	    "FREQ=MONTHLY;BYDAY=MO",
	    "FREQ=MONTHLY;BYDAY=MO,WE;BYSETPOS=1",
	};
	char in[4096];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		snprintf(in, sizeof(in), BERLIN("RRULE:%s\r\n"), rules[i]);
		reported(in, "R-RR-4");
	}
	reported(BERLIN("RRULE:FREQ=WEEKLY;COUNT=2\r\n"
	                "RRULE:FREQ=DAILY;COUNT=2\r\n"),
	         "R-RR-4");
	reported(BERLIN("RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	                "EXRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=2\r\n"),
	         "R-RR-4");
}

/* the templates Exchange holds stay as they are */
static void
test_rr4_supported_untouched(void **state)
{
	static const char *const rules[] = {
	    "FREQ=DAILY;INTERVAL=3",
	    "FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20250331T090000Z",
	    "FREQ=MONTHLY;BYMONTHDAY=6",
	    "FREQ=MONTHLY;BYMONTHDAY=-1",
	    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
	    "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=6",
	    "FREQ=YEARLY;BYMONTH=3;BYDAY=SU;BYSETPOS=-1",
	    "FREQ=DAILY;BYHOUR=10;BYMINUTE=0",
	};
	char in[4096];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		snprintf(in, sizeof(in), BERLIN("RRULE:%s\r\n"), rules[i]);
		clean(in);
	}
}

/* UnsupportedRecurrence expand: the example of exchange-rules.md */
static void
test_rr4_expand_superset(void **state)
{
	const char *in = BERLIN("RRULE:FREQ=MONTHLY;BYDAY=1MO,3MO;COUNT=4\r\n");
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.pol.expand_recurrence = 1;
	rt_run(&r, in);
	rt_assert_fixed(&r, in, "R-RR-4",
	                BERLIN("RRULE:FREQ=WEEKLY;BYDAY=MO;"
	                       "UNTIL=20250217T090000Z\r\n"
	                       "EXDATE;TZID=Europe/Berlin:20250113T100000,"
	                       "20250127T100000,20250210T100000\r\n"));
	ct_free(&r);
	ct_init(&r); /* several month days: a weekly superset on their days */
	r.pol.expand_recurrence = 1;
	rt_run(&r, BERLIN("RRULE:FREQ=MONTHLY;BYMONTHDAY=6,15;COUNT=6\r\n"));
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_fixes(&r.rep, "R-RR-4");
	rt_assert_judged(BERLIN("RRULE:FREQ=MONTHLY;BYMONTHDAY=6,15;COUNT=6\r\n"),
	                 &r);
	ct_assert_stable(&r);
	ct_free(&r);
}

/* never an endless series, never past MaxExpandInstances, never where no
 * superset holds the instances */
static void
test_rr4_expand_refused(void **state)
{
	static const char *const rules[] = {
	    "FREQ=MONTHLY;BYDAY=1MO,3MO",
	    "FREQ=MONTHLY;BYDAY=1MO,3MO;COUNT=5",
	    "FREQ=DAILY;BYHOUR=10,15;COUNT=4",
	};
	char in[4096];
	struct ct_run r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		snprintf(in, sizeof(in), BERLIN("RRULE:%s\r\n"), rules[i]);
		ct_init(&r);
		r.pol.expand_recurrence = 1;
		r.pol.max_expand_instances = 4;
		rt_run(&r, in);
		rt_assert_reported(&r, "R-RR-4");
		ct_free(&r);
	}
}

/* ---- R-RR-5 ---------------------------------------------------------------- */

static void
test_rr5_rdates_become_rule(void **state)
{
	(void)state;
	/* the example: a weekly sequence */
	fixed(BERLIN("RDATE;TZID=Europe/Berlin:20250113T100000,"
	             "20250120T100000\r\n"),
	      "R-RR-5", BERLIN("RRULE:FREQ=WEEKLY;COUNT=3\r\n"));
	fixed(BERLIN("RDATE;TZID=Europe/Berlin:20250108T100000\r\n"
	             "RDATE;TZID=Europe/Berlin:20250110T100000\r\n"),
	      "R-RR-5", BERLIN("RRULE:FREQ=DAILY;INTERVAL=2;COUNT=3\r\n"));
	fixed(BERLIN("RDATE;TZID=Europe/Berlin:20250206T100000,"
	             "20250306T100000\r\n"),
	      "R-RR-5", BERLIN("RRULE:FREQ=MONTHLY;COUNT=3\r\n"));
	/* in UTC: the same instants, read in DTSTART's zone */
	fixed(BERLIN("RDATE:20250113T090000Z,20250120T090000Z\r\n"), "R-RR-5",
	      BERLIN("RRULE:FREQ=WEEKLY;COUNT=3\r\n"));
}

static void
test_rr5_irregular(void **state)
{
	const char *in = BERLIN("RDATE;TZID=Europe/Berlin:20250107T100000,"
	                        "20250113T100000\r\n");
	struct ct_run r;

	(void)state;
	reported(in, "R-RR-5");
	ct_init(&r); /* expand: a superset on the days involved */
	r.pol.expand_recurrence = 1;
	rt_run(&r, in);
	rt_assert_fixed(&r, in, "R-RR-5",
	                BERLIN("RRULE:FREQ=WEEKLY;BYDAY=MO,TU;"
	                       "UNTIL=20250113T090000Z\r\n"));
	ct_free(&r);
}

static void
test_rr5_reported(void **state)
{
	(void)state;
	reported(BERLIN("RDATE;VALUE=PERIOD:20250113T090000Z/PT1H\r\n"),
	         "R-RR-5");
	reported(BERLIN("RRULE:FREQ=WEEKLY;COUNT=2\r\n"
	                "RDATE;TZID=Europe/Berlin:20250108T100000\r\n"),
	         "R-RR-5");
	reported(BERLIN("RDATE;TZID=Europe/Berlin:20250101T100000\r\n"),
	         "R-RR-5");
}

/* ---- R-RR-6 ---------------------------------------------------------------- */

static void
test_rr6_exdate_in_start_zone(void **state)
{
	(void)state;
	/* the example */
	fixed(BERLIN("RRULE:FREQ=WEEKLY;BYDAY=MO\r\nEXDATE:20250113T090000Z\r\n"),
	      "R-RR-6",
	      BERLIN("RRULE:FREQ=WEEKLY;BYDAY=MO\r\n"
	             "EXDATE;TZID=Europe/Berlin:20250113T100000\r\n"));
	/* a DATE EXDATE names that day's instance */
	fixed(BERLIN("RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	             "EXDATE;VALUE=DATE:20250113\r\n"),
	      "R-RR-6",
	      BERLIN("RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	             "EXDATE;TZID=Europe/Berlin:20250113T100000\r\n"));
	/* RDATE in another zone, beside an RRULE (R-RR-5 reports that) */
	fixed(BERLIN("RRULE:FREQ=WEEKLY;COUNT=2\r\n"
	             "RDATE:20250108T090000Z\r\n"),
	      "R-RR-6",
	      BERLIN("RRULE:FREQ=WEEKLY;COUNT=2\r\n"
	             "RDATE;TZID=Europe/Berlin:20250108T100000\r\n"));
}

static void
test_rr6_exdate_naming_no_instance_dropped(void **state)
{
	(void)state;
	fixed(BERLIN("RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	             "EXDATE;TZID=Europe/Berlin:20250113T100000,"
	             "20250114T100000\r\n"),
	      "R-RR-6",
	      BERLIN("RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	             "EXDATE;TZID=Europe/Berlin:20250113T100000\r\n"));
	fixed(BERLIN("RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	             "EXDATE;TZID=Europe/Berlin:20250114T100000\r\n"),
	      "R-RR-6", BERLIN("RRULE:FREQ=WEEKLY;COUNT=4\r\n"));
}

static void
test_rr6_correct_untouched_others_reported(void **state)
{
	(void)state;
	clean(BERLIN("RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	             "EXDATE;TZID=Europe/Berlin:20250113T100000\r\n"));
	reported(BERLIN("EXDATE;TZID=Europe/Berlin:20250113T100000\r\n"),
	         "R-RR-6");
	reported(BERLIN("RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	                "EXDATE;TZID=Nowhere/Land:20250113T100000\r\n"),
	         "R-RR-6");
}

/* ---- R-RR-7 ---------------------------------------------------------------- */

#define R_MASTER(rec)                                                          \
	"BEGIN:VEVENT\r\nUID:r7@example.org\r\nDTSTAMP:20250101T000000Z\r\n"   \
	B_START B_END "RRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Weekly\r\n"        \
	"END:VEVENT\r\n"                                                       \
	"BEGIN:VEVENT\r\nUID:r7@example.org\r\nDTSTAMP:20250101T000000Z\r\n"   \
	rec "SUMMARY:Moved\r\nEND:VEVENT\r\n"
#define R_CAL(rec) RT_HEAD "METHOD:PUBLISH\r\n" RT_BERLIN R_MASTER(rec) RT_TAIL
#define MOVED                                                                  \
	"DTSTART;TZID=Europe/Berlin:20250114T100000\r\n"                       \
	"DTEND;TZID=Europe/Berlin:20250114T110000\r\n"

static void
test_rr7_recurrence_id_in_master_zone(void **state)
{
	(void)state;
	/* the example */
	fixed(R_CAL("RECURRENCE-ID:20250113T090000Z\r\n" MOVED), "R-RR-7",
	      R_CAL("RECURRENCE-ID;TZID=Europe/Berlin:20250113T100000\r\n"
	            MOVED));
	clean(R_CAL("RECURRENCE-ID;TZID=Europe/Berlin:20250113T100000\r\n"
	            MOVED));
}

static void
test_rr7_reported(void **state)
{
	(void)state;
	/* names no instance */
	reported(R_CAL("RECURRENCE-ID;TZID=Europe/Berlin:20250114T100000\r\n"
	               MOVED),
	         "R-RR-7");
	reported(R_CAL("RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:"
	               "20250113T100000\r\n" MOVED),
	         "R-RR-7");
	/* moved past the next instance */
	reported(R_CAL("RECURRENCE-ID;TZID=Europe/Berlin:20250113T100000\r\n"
	               "DTSTART;TZID=Europe/Berlin:20250121T100000\r\n"
	               "DTEND;TZID=Europe/Berlin:20250121T110000\r\n"),
	         "R-RR-7");
	reported(R_CAL("RECURRENCE-ID;VALUE=DATE:20250113\r\n" MOVED),
	         "R-RR-7");
}

#define OWN_RULE                                                               \
	"RECURRENCE-ID;TZID=Europe/Berlin:20250113T100000\r\n" MOVED            \
	"RRULE:FREQ=DAILY;COUNT=2\r\n"

static void
test_rr7_override_rrule_policy(void **state)
{
	struct ct_run r;

	(void)state;
	reported(R_CAL(OWN_RULE), "R-RR-7");
	ct_init(&r);
	r.pol.strip_override_rrule = 1;
	rt_run(&r, R_CAL(OWN_RULE));
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_fixes(&r.rep, "R-RR-7");
	ct_assert_out(&r, R_CAL("RECURRENCE-ID;TZID=Europe/Berlin:"
	                        "20250113T100000\r\n" MOVED));
	ct_assert_stable(&r);
	ct_free(&r);
}

/* an override alone (no master in the part) is a valid REQUEST */
static void
test_rr7_override_alone_untouched(void **state)
{
	(void)state;
	clean(RT_HEAD "METHOD:PUBLISH\r\n" RT_BERLIN
	      "BEGIN:VEVENT\r\nUID:r7@example.org\r\nDTSTAMP:20250101T000000Z"
	      "\r\nRECURRENCE-ID:20250113T090000Z\r\n" MOVED
	      "SUMMARY:Moved\r\nEND:VEVENT\r\n" RT_TAIL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rr1_syntax_tidied),
	    cmocka_unit_test(test_rr1_bysetpos_form),
	    cmocka_unit_test(test_rr1_correct_or_unsupported_untouched),
	    cmocka_unit_test(test_rr2_daily_weekdays_is_weekly),
	    cmocka_unit_test(test_rr3_local_until_to_utc),
	    cmocka_unit_test(test_rr3_date_until),
	    cmocka_unit_test(test_rr3_seconds_and_count),
	    cmocka_unit_test(test_rr3_correct_untouched_unresolved_reported),
	    cmocka_unit_test(test_rr4_unsupported_reported),
	    cmocka_unit_test(test_rr4_supported_untouched),
	    cmocka_unit_test(test_rr4_expand_superset),
	    cmocka_unit_test(test_rr4_expand_refused),
	    cmocka_unit_test(test_rr5_rdates_become_rule),
	    cmocka_unit_test(test_rr5_irregular),
	    cmocka_unit_test(test_rr5_reported),
	    cmocka_unit_test(test_rr6_exdate_in_start_zone),
	    cmocka_unit_test(test_rr6_exdate_naming_no_instance_dropped),
	    cmocka_unit_test(test_rr6_correct_untouched_others_reported),
	    cmocka_unit_test(test_rr7_recurrence_id_in_master_zone),
	    cmocka_unit_test(test_rr7_reported),
	    cmocka_unit_test(test_rr7_override_rrule_policy),
	    cmocka_unit_test(test_rr7_override_alone_untouched),
	};

	cal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
