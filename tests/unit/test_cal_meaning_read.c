/*
 * test_cal_meaning_read.c - how the meaning check reads an object, and the
 * differences the rules may declare (CAL_ALLOW_*):
 *
 *   - a VEVENT without DTEND or DURATION lasts what RFC 5545 3.6.1 implies;
 *   - a DATE EXDATE removes the instance of that day; a DATE UNTIL includes
 *     its day;
 *   - an alarm fires at an instant relative to the start, however written;
 *   - the horizon: a rule that reaches the same instants in more steps (a
 *     superset with EXDATEs) compares equal; one that goes on does not;
 *   - the input is read as its sender meant it (R-EV-6 spellings, RRULE
 *     blanks, COUNT with UNTIL);
 *   - each allowance accepts its difference and nothing else.
 */
#include "unit.h"
#include "caltest.h"

#include "../../ical/cal_int.h"

#define HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
#define TZ_NY                                                                  \
	"BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n"                         \
	"BEGIN:STANDARD\r\nDTSTART:19701101T020000\r\n"                        \
	"RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n"                           \
	"TZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\n"           \
	"BEGIN:DAYLIGHT\r\nDTSTART:19700308T020000\r\n"                        \
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"                            \
	"TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nEND:DAYLIGHT\r\n"           \
	"END:VTIMEZONE\r\n"
#define EV(body)                                                               \
	HEAD TZ_NY "BEGIN:VEVENT\r\nUID:r1@example.org\r\n"                    \
	           "DTSTAMP:20250101T000000Z\r\n" body                         \
	           "SUMMARY:Review\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
#define NY_START  "DTSTART;TZID=America/New_York:20250106T090000\r\n"
#define NY_END    "DTEND;TZID=America/New_York:20250106T100000\r\n"
#define ORG       "ORGANIZER;CN=Ann:mailto:ann@example.org\r\n"
#define ATT(addr) "ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION:" addr "\r\n"

struct mc {
	struct cal_limits lim;
	struct cal_report rep;
	char why[300];
};

static int
check(struct mc *m, const char *a, const char *b, unsigned allow)
{
	int r;

	cal_limits_default(&m->lim);
	cal_report_init(&m->rep, 50);
	m->why[0] = '\0';
	r = cal_meaning_check(a, b, &m->lim, allow, &m->rep, m->why,
	                      sizeof(m->why));
	if (r != 1)
		print_message("why: %s\n", m->why);
	cal_report_free(&m->rep);
	return r;
}

/* ---- readings ------------------------------------------------------------ */

/* RFC 5545 3.6.1: no end means zero length, or one day for a date */
static void
test_read_implied_end(void **state)
{
	struct mc m;

	(void)state;
	assert_int_equal(check(&m, EV(NY_START),
	                       EV(NY_START "DTEND;TZID=America/New_York:"
	                                   "20250106T090000\r\n"),
	                       0),
	                 1);
	assert_int_equal(check(&m, EV("DTSTART;VALUE=DATE:20250106\r\n"),
	                       EV("DTSTART;VALUE=DATE:20250106\r\n"
	                          "DTEND;VALUE=DATE:20250107\r\n"),
	                       0),
	                 1);
	assert_int_equal(check(&m, EV("DTSTART;VALUE=DATE:20250106\r\n"),
	                       EV("DTSTART;VALUE=DATE:20250106\r\n"
	                          "DTEND;VALUE=DATE:20250108\r\n"),
	                       0),
	                 0);
}

/* a DATE EXDATE removes that day's instance, as libical itself reads it */
static void
test_read_date_exdate_removes_the_day(void **state)
{
	struct mc m;

	(void)state;
	assert_int_equal(
	    check(&m,
	          EV(NY_START NY_END "RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	                             "EXDATE;VALUE=DATE:20250113\r\n"),
	          EV(NY_START NY_END "RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	                             "EXDATE;TZID=America/New_York:"
	                             "20250113T090000\r\n"),
	          0),
	    1);
	assert_int_equal(
	    check(&m,
	          EV(NY_START NY_END "RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	                             "EXDATE;VALUE=DATE:20250113\r\n"),
	          EV(NY_START NY_END "RRULE:FREQ=WEEKLY;COUNT=4\r\n"), 0),
	    0);
}

/* RFC 5545 3.3.10: a DATE UNTIL includes its day (libical would stop at
 * its midnight) */
static void
test_read_date_until_inclusive(void **state)
{
	struct mc m;

	(void)state;
	assert_int_equal(
	    check(&m, EV(NY_START NY_END "RRULE:FREQ=WEEKLY;UNTIL=20250120\r\n"),
	          EV(NY_START NY_END
	             "RRULE:FREQ=WEEKLY;UNTIL=20250120T140000Z\r\n"),
	          0),
	    1);
	assert_int_equal(
	    check(&m, EV(NY_START NY_END "RRULE:FREQ=WEEKLY;UNTIL=20250120\r\n"),
	          EV(NY_START NY_END "RRULE:FREQ=WEEKLY;COUNT=2\r\n"), 0),
	    0);
}

#define ALARM(trig)                                                            \
	"BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\n" trig             \
	"\r\nEND:VALARM\r\n"

/* an alarm is when it fires: 90 minutes before the end of a one-hour
 * event is 30 minutes before its start */
static void
test_read_alarm_relative_to_start(void **state)
{
	struct mc m;

	(void)state;
	assert_int_equal(
	    check(&m, EV(NY_START NY_END ALARM("TRIGGER;RELATED=END:-PT90M")),
	          EV(NY_START NY_END ALARM("TRIGGER:-PT30M")), 0),
	    1);
	assert_int_equal(
	    check(&m, EV(NY_START NY_END ALARM("TRIGGER;RELATED=END:-PT90M")),
	          EV(NY_START NY_END ALARM("TRIGGER:-PT90M")), 0),
	    0);
}

/* a superset rule with EXDATEs is the same series over the same span */
static void
test_read_horizon_superset(void **state)
{
	struct mc m;

	(void)state;
	assert_int_equal(
	    check(&m,
	          EV(NY_START NY_END "RRULE:FREQ=MONTHLY;BYDAY=1MO,3MO;COUNT=4\r\n"),
	          EV(NY_START NY_END "RRULE:FREQ=WEEKLY;BYDAY=MO;"
	                             "UNTIL=20250217T140000Z\r\n"
	                             "EXDATE;TZID=America/New_York:"
	                             "20250113T090000,20250127T090000,"
	                             "20250210T090000\r\n"),
	          0),
	    1);
	/* the same, one EXDATE short: an occurrence too many */
	assert_int_equal(
	    check(&m,
	          EV(NY_START NY_END "RRULE:FREQ=MONTHLY;BYDAY=1MO,3MO;COUNT=4\r\n"),
	          EV(NY_START NY_END "RRULE:FREQ=WEEKLY;BYDAY=MO;"
	                             "UNTIL=20250217T140000Z\r\n"
	                             "EXDATE;TZID=America/New_York:"
	                             "20250113T090000,20250127T090000\r\n"),
	          0),
	    0);
}

/* an endless daily series and a weekly rule on all seven days agree as
 * far as the input was expanded; a series that stops does not */
static void
test_read_horizon_endless(void **state)
{
	struct mc m;

	(void)state;
	assert_int_equal(
	    check(&m, EV(NY_START NY_END "RRULE:FREQ=DAILY\r\n"),
	          EV(NY_START NY_END
	             "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU\r\n"),
	          0),
	    1);
	assert_int_equal(check(&m, EV(NY_START NY_END "RRULE:FREQ=DAILY\r\n"),
	                       EV(NY_START NY_END "RRULE:FREQ=DAILY;COUNT=200\r\n"),
	                       0),
	                 1); /* beyond the horizon of 100: not compared */
	assert_int_equal(check(&m, EV(NY_START NY_END "RRULE:FREQ=DAILY\r\n"),
	                       EV(NY_START NY_END "RRULE:FREQ=DAILY;COUNT=50\r\n"),
	                       0),
	                 0);
	assert_int_equal(check(&m, EV(NY_START NY_END "RRULE:FREQ=DAILY;COUNT=50\r\n"),
	                       EV(NY_START NY_END "RRULE:FREQ=DAILY\r\n"), 0),
	                 0);
}

/* R-EV-6: spellings libical refuses are read as the sender meant them */
static void
test_read_lenient_datetimes(void **state)
{
	struct mc m;

	(void)state;
	assert_int_equal(check(&m, EV("DTSTART:20250106t140000z\r\n"),
	                       EV("DTSTART:20250106T140000Z\r\n"), 0),
	                 1);
	assert_int_equal(check(&m, EV("DTSTART:20250106T140000.000Z\r\n"),
	                       EV("DTSTART:20250106T140000Z\r\n"), 0),
	                 1);
	assert_int_equal(check(&m, EV("DTSTART:20250106T150000+0100\r\n"),
	                       EV("DTSTART:20250106T140000Z\r\n"), 0),
	                 1);
	assert_int_equal(check(&m, EV("DTSTART:20250106T150000+0100\r\n"),
	                       EV("DTSTART:20250106T150000Z\r\n"), 0),
	                 0);
	/* a fraction that is not zero has no exact reading: left alone */
	assert_int_equal(check(&m, EV("DTSTART:20250106T140000.500Z\r\n"),
	                       EV("DTSTART:20250106T140000Z\r\n"), 0),
	                 0);
}

/* R-RR-1, R-RR-3: RRULE blanks and COUNT with UNTIL */
static void
test_read_lenient_rrule(void **state)
{
	struct mc m;

	(void)state;
	assert_int_equal(
	    check(&m, EV(NY_START NY_END "RRULE:FREQ=WEEKLY; BYDAY=MO, WE;\r\n"),
	          EV(NY_START NY_END "RRULE:FREQ=WEEKLY;BYDAY=MO,WE\r\n"), 0),
	    1);
	/* whichever ends first: the 3rd instance before 31 March */
	assert_int_equal(
	    check(&m,
	          EV(NY_START NY_END
	             "RRULE:FREQ=WEEKLY;COUNT=3;UNTIL=20250331T130000Z\r\n"),
	          EV(NY_START NY_END "RRULE:FREQ=WEEKLY;COUNT=3\r\n"), 0),
	    1);
	assert_int_equal(
	    check(&m,
	          EV(NY_START NY_END
	             "RRULE:FREQ=WEEKLY;COUNT=30;UNTIL=20250120T140000Z\r\n"),
	          EV(NY_START NY_END
	             "RRULE:FREQ=WEEKLY;UNTIL=20250120T140000Z\r\n"),
	          0),
	    1);
	assert_int_equal(
	    check(&m,
	          EV(NY_START NY_END
	             "RRULE:FREQ=WEEKLY;COUNT=30;UNTIL=20250120T140000Z\r\n"),
	          EV(NY_START NY_END "RRULE:FREQ=WEEKLY;COUNT=30\r\n"), 0),
	    0);
}

/* ---- allowances ---------------------------------------------------------- */

static void
test_allow_organizer_added(void **state)
{
	struct mc m;
	const char *a = EV(NY_START NY_END ATT("mailto:bob@example.net"));
	const char *b = EV(NY_START NY_END ORG ATT("mailto:bob@example.net"));
	const char *c = EV(NY_START NY_END
	                   "ORGANIZER;CN=Eve:mailto:eve@example.org\r\n" ATT(
	                       "mailto:bob@example.net"));

	(void)state;
	assert_int_equal(check(&m, a, b, 0), 0);
	assert_int_equal(check(&m, a, b, CAL_ALLOW_ORGANIZER), 1);
	/* an existing organizer may not change, nor a second one appear */
	assert_int_equal(check(&m, c, b, CAL_ALLOW_ORGANIZER), 0);
	assert_int_equal(check(&m, b, a, CAL_ALLOW_ORGANIZER), 0);
}

static void
test_allow_mailto(void **state)
{
	struct mc m;
	const char *a = EV(NY_START NY_END ORG ATT("bob@example.net"));
	const char *b = EV(NY_START NY_END ORG ATT("mailto:bob@example.net"));
	const char *c = EV(NY_START NY_END ORG ATT("mailto:rob@example.net"));

	(void)state;
	assert_int_equal(check(&m, a, b, 0), 0);
	assert_int_equal(check(&m, a, b, CAL_ALLOW_MAILTO), 1);
	assert_int_equal(check(&m, a, c, CAL_ALLOW_MAILTO), 0);
}

static void
test_allow_email_uri(void **state)
{
	struct mc m;
	const char *a = EV(NY_START NY_END ORG
	                   "ATTENDEE;CN=Bob;EMAIL=bob@example.net:"
	                   "urn:uuid:5f2c\r\n");
	const char *b = EV(NY_START NY_END ORG
	                   "ATTENDEE;CN=Bob;EMAIL=bob@example.net:"
	                   "mailto:bob@example.net\r\n");
	const char *c = EV(NY_START NY_END ORG
	                   "ATTENDEE;CN=Bob;EMAIL=bob@example.net:"
	                   "mailto:rob@example.net\r\n");

	(void)state;
	assert_int_equal(check(&m, a, b, CAL_ALLOW_MAILTO), 0);
	assert_int_equal(check(&m, a, b, CAL_ALLOW_EMAIL_URI), 1);
	assert_int_equal(check(&m, a, c, CAL_ALLOW_EMAIL_URI), 0);
}

static void
test_allow_allday_length(void **state)
{
	struct mc m;
	const char *a = EV("DTSTART;VALUE=DATE:20250106\r\n"
	                   "DTEND;VALUE=DATE:20250106\r\n");
	const char *b = EV("DTSTART;VALUE=DATE:20250106\r\n"
	                   "DTEND;VALUE=DATE:20250107\r\n");
	const char *c = EV("DTSTART;VALUE=DATE:20250106\r\n"
	                   "DTEND;VALUE=DATE:20250108\r\n");

	(void)state;
	assert_int_equal(check(&m, a, b, 0), 0);
	assert_int_equal(check(&m, a, b, CAL_ALLOW_ALLDAY_LENGTH), 1);
	assert_int_equal(check(&m, a, c, CAL_ALLOW_ALLDAY_LENGTH), 0);
	/* a timed event of length 0 is not an all-day one */
	assert_int_equal(check(&m, EV(NY_START), EV(NY_START NY_END),
	                       CAL_ALLOW_ALLDAY_LENGTH),
	                 0);
}

static void
test_allow_allday_hint(void **state)
{
	struct mc m;
	const char *d = "DTSTART;VALUE=DATE:20250106\r\n"
	                "DTEND;VALUE=DATE:20250107\r\n";
	const char *hint = "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE\r\n";
	char a[2048], b[2048], c[2048];

	(void)state;
	snprintf(a, sizeof(a), EV("%s"), d);
	snprintf(b, sizeof(b), EV("%s%s"), d, hint);
	snprintf(c, sizeof(c), EV("%sX-MICROSOFT-CDO-ALLDAYEVENT:FALSE\r\n"),
	         d);
	assert_int_equal(check(&m, a, b, 0), 0);
	assert_int_equal(check(&m, a, b, CAL_ALLOW_ALLDAY_HINT), 1);
	assert_int_equal(check(&m, c, b, CAL_ALLOW_ALLDAY_HINT), 0);
}

static void
test_allow_uid(void **state)
{
	struct mc m;
	const char *a = HEAD "BEGIN:VEVENT\r\nDTSTAMP:20250101T000000Z\r\n"
	                     "DTSTART:20250106T140000Z\r\nSUMMARY:x\r\n"
	                     "END:VEVENT\r\nEND:VCALENDAR\r\n";
	const char *b = HEAD "BEGIN:VEVENT\r\nUID:calmilter-0123456789abcdef\r\n"
	                     "DTSTAMP:20250101T000000Z\r\n"
	                     "DTSTART:20250106T140000Z\r\nSUMMARY:x\r\n"
	                     "END:VEVENT\r\nEND:VCALENDAR\r\n";
	const char *c = HEAD "BEGIN:VEVENT\r\nUID:other@example.org\r\n"
	                     "DTSTAMP:20250101T000000Z\r\n"
	                     "DTSTART:20250106T140000Z\r\nSUMMARY:x\r\n"
	                     "END:VEVENT\r\nEND:VCALENDAR\r\n";

	(void)state;
	assert_int_equal(check(&m, a, b, 0), 0);
	assert_int_equal(check(&m, a, b, CAL_ALLOW_UID), 1);
	assert_int_equal(check(&m, a, c, CAL_ALLOW_UID), 0);
	/* an existing derived UID may not change into another */
	assert_int_equal(check(&m, b, a, CAL_ALLOW_UID), 0);
}

static void
test_allow_sequence(void **state)
{
	struct mc m;
	const char *a = EV(NY_START NY_END);
	const char *b = EV(NY_START NY_END "SEQUENCE:0\r\n");
	const char *c = EV(NY_START NY_END "SEQUENCE:1\r\n");

	(void)state;
	assert_int_equal(check(&m, a, b, 0), 0);
	assert_int_equal(check(&m, a, b, CAL_ALLOW_SEQUENCE), 1);
	assert_int_equal(check(&m, a, c, CAL_ALLOW_SEQUENCE), 0);
	assert_int_equal(check(&m, c, b, CAL_ALLOW_SEQUENCE), 0);
}

#define MASTER                                                                 \
	"BEGIN:VEVENT\r\nUID:o1@example.org\r\nDTSTAMP:20250101T000000Z\r\n"  \
	"DTSTART:20250106T140000Z\r\nDURATION:PT1H\r\n"                        \
	"RRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:m\r\nEND:VEVENT\r\n"
#define OVERRIDE(extra)                                                        \
	"BEGIN:VEVENT\r\nUID:o1@example.org\r\nDTSTAMP:20250101T000000Z\r\n"  \
	"RECURRENCE-ID:20250113T140000Z\r\nDTSTART:20250114T140000Z\r\n"       \
	"DURATION:PT1H\r\n" extra "SUMMARY:moved\r\nEND:VEVENT\r\n"

static void
test_allow_override_rrule(void **state)
{
	struct mc m;
	const char *a = HEAD MASTER OVERRIDE("RRULE:FREQ=DAILY;COUNT=3\r\n")
	    "END:VCALENDAR\r\n";
	const char *b = HEAD MASTER OVERRIDE("") "END:VCALENDAR\r\n";
	const char *c = HEAD "BEGIN:VEVENT\r\nUID:o1@example.org\r\n"
	                     "DTSTAMP:20250101T000000Z\r\n"
	                     "DTSTART:20250106T140000Z\r\nDURATION:PT1H\r\n"
	                     "SUMMARY:m\r\nEND:VEVENT\r\n" OVERRIDE("")
	                         "END:VCALENDAR\r\n";

	(void)state;
	assert_int_equal(check(&m, a, b, 0), 0);
	assert_int_equal(check(&m, a, b, CAL_ALLOW_OVERRIDE_RRULE), 1);
	/* the master's own series is not an override's */
	assert_int_equal(check(&m, b, c, CAL_ALLOW_OVERRIDE_RRULE), 0);
}

static void
test_allow_text_unescape(void **state)
{
	struct mc m;
	const char *a = EV(NY_START NY_END "LOCATION:Bob\\'s room\r\n");
	const char *b = EV(NY_START NY_END "LOCATION:Bob's room\r\n");
	const char *c = EV(NY_START NY_END "LOCATION:Bobs room\r\n");

	(void)state;
	assert_int_equal(check(&m, a, b, 0), 0);
	assert_int_equal(check(&m, a, b, CAL_ALLOW_TEXT_UNESCAPE), 1);
	assert_int_equal(check(&m, a, c, CAL_ALLOW_TEXT_UNESCAPE), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_read_implied_end),
	    cmocka_unit_test(test_read_date_exdate_removes_the_day),
	    cmocka_unit_test(test_read_date_until_inclusive),
	    cmocka_unit_test(test_read_alarm_relative_to_start),
	    cmocka_unit_test(test_read_horizon_superset),
	    cmocka_unit_test(test_read_horizon_endless),
	    cmocka_unit_test(test_read_lenient_datetimes),
	    cmocka_unit_test(test_read_lenient_rrule),
	    cmocka_unit_test(test_allow_organizer_added),
	    cmocka_unit_test(test_allow_mailto),
	    cmocka_unit_test(test_allow_email_uri),
	    cmocka_unit_test(test_allow_allday_length),
	    cmocka_unit_test(test_allow_allday_hint),
	    cmocka_unit_test(test_allow_uid),
	    cmocka_unit_test(test_allow_sequence),
	    cmocka_unit_test(test_allow_override_rrule),
	    cmocka_unit_test(test_allow_text_unescape),
	};

	cal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
