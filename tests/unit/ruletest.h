/*
 * ruletest.h - what the tests of the event, recurrence and scheduling
 * rules share (include after unit.h and caltest.h): objects built from
 * parts, one normalization with a policy, and the checks each rule test
 * makes: the fixed output is exactly the one expected, means what the input
 * meant to the independent judge (meaningtest.h), and is stable (N-11); a
 * correct or reported object is left as it is.
 */
#ifndef CALMILTER_RULETEST_H
#define CALMILTER_RULETEST_H

#include "meaningtest.h"

#define RT_HEAD                                                                \
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example Corp//Test 1.0//EN\r\n"
#define RT_TAIL "END:VCALENDAR\r\n"
#define RT_BERLIN                                                              \
	"BEGIN:VTIMEZONE\r\n"                                                  \
	"TZID:Europe/Berlin\r\n"                                               \
	"BEGIN:STANDARD\r\n"                                                   \
	"DTSTART:19701025T030000\r\n"                                          \
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"                          \
	"TZOFFSETFROM:+0200\r\n"                                               \
	"TZOFFSETTO:+0100\r\n"                                                 \
	"END:STANDARD\r\n"                                                     \
	"BEGIN:DAYLIGHT\r\n"                                                   \
	"DTSTART:19700329T020000\r\n"                                          \
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"                           \
	"TZOFFSETFROM:+0100\r\n"                                               \
	"TZOFFSETTO:+0200\r\n"                                                 \
	"END:DAYLIGHT\r\n"                                                     \
	"END:VTIMEZONE\r\n"
#define RT_NY                                                                  \
	"BEGIN:VTIMEZONE\r\n"                                                  \
	"TZID:America/New_York\r\n"                                            \
	"BEGIN:STANDARD\r\n"                                                   \
	"DTSTART:19701101T020000\r\n"                                          \
	"RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n"                           \
	"TZOFFSETFROM:-0400\r\n"                                               \
	"TZOFFSETTO:-0500\r\n"                                                 \
	"END:STANDARD\r\n"                                                     \
	"BEGIN:DAYLIGHT\r\n"                                                   \
	"DTSTART:19700308T020000\r\n"                                          \
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"                            \
	"TZOFFSETFROM:-0500\r\n"                                               \
	"TZOFFSETTO:-0400\r\n"                                                 \
	"END:DAYLIGHT\r\n"                                                     \
	"END:VTIMEZONE\r\n"
/* an event of a PUBLISH, with what every rule wants, and body */
#define RT_PUBLISH(zones, body)                                                \
	RT_HEAD "METHOD:PUBLISH\r\n" zones "BEGIN:VEVENT\r\n"                  \
	        "UID:rt-1@example.org\r\nDTSTAMP:20250101T000000Z\r\n" body    \
	        "SUMMARY:Review\r\nEND:VEVENT\r\n" RT_TAIL
/* the same in a REQUEST from its organizer to one attendee */
#define RT_PEOPLE                                                              \
	"ORGANIZER;CN=Ann Lee:mailto:ann@example.org\r\n"                      \
	"ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION:mailto:bob@example.net\r\n"
#define RT_REQUEST(zones, body)                                                \
	RT_HEAD "METHOD:REQUEST\r\n" zones "BEGIN:VEVENT\r\n"                  \
	        "UID:rt-1@example.org\r\nDTSTAMP:20250101T000000Z\r\n"         \
	        "SEQUENCE:0\r\n" body RT_PEOPLE                                \
	        "SUMMARY:Review\r\nEND:VEVENT\r\n" RT_TAIL

/* rt_run - normalize in with the default policy changed by the caller */
static inline enum cal_status
rt_run(struct ct_run *r, const char *in)
{
	r->ctx.now = (time_t)1741600000;
	if (r->ctx.from_addr == NULL)
		r->ctx.from_addr = "ann@example.org";
	return ct_norms(r, in);
}

/* rt_assert_judged - the output means what in meant (independent judge) */
#define rt_assert_judged(in, r)                                                \
	do {                                                                   \
		char rt_why_[512];                                             \
		int rt_ok_ = mq_same((in), (r)->out.data, (r)->ctx.from_addr, \
		                     rt_why_, sizeof(rt_why_));                \
		if (!rt_ok_)                                                   \
			print_message("judge: %s\n", rt_why_);                 \
		assert_true(rt_ok_);                                           \
	} while (0)

/* rt_assert_fixed - changed by exactly rules, to exactly want, judged the
 * same, and stable */
#define rt_assert_fixed(r, in, rules, want)                                    \
	do {                                                                   \
		ct_assert_status((r), CAL_CHANGED);                            \
		ct_assert_fixes(&(r)->rep, (rules));                           \
		ct_assert_out((r), (want));                                    \
		rt_assert_judged((in), (r));                                   \
		ct_assert_stable(r);                                           \
	} while (0)

/* rt_assert_reported - left as it is, with a report of that rule */
#define rt_assert_reported(r, rule)                                            \
	do {                                                                   \
		ct_assert_untouched(r);                                        \
		if (ct_count(&(r)->rep, (rule), CAL_REPORT) == 0)              \
			ct_dump(&(r)->rep);                                    \
		assert_true(ct_count(&(r)->rep, (rule), CAL_REPORT) > 0);      \
	} while (0)

/* rt_assert_clean - left as it is, and nothing to say about it but how
 * each TZID was resolved (R-TZ-2 reports every resolution, as
 * `calnorm --report` must name each zone) */
#define rt_assert_clean(r)                                                     \
	do {                                                                   \
		size_t rt_n_ = (r)->rep.n -                                    \
		    ct_count(&(r)->rep, "R-TZ-2", CAL_REPORT);                 \
		ct_assert_untouched(r);                                        \
		if (rt_n_ != 0)                                                \
			ct_dump(&(r)->rep);                                    \
		assert_int_equal(rt_n_, 0);                                    \
	} while (0)

#endif
