/*
 * test_cal_tz.c - the time-zone rules through cal_normalize(): R-TZ-1..9
 * as exchange-rules.md gives them, each resolution path of R-TZ-2, the
 * policies TzidStyle, FloatingZone and UnrepresentableZone, N-7, and the
 * meaning check reading an input TZID in the zone it was resolved to.
 *
 * Every rewrite is checked three ways: the expected bytes or lines; the
 * instants of every occurrence before and after, read by libical alone
 * (tztest.h); and a second pass that changes nothing (N-11). Events sit on
 * the DST transition days of Europe, the US and Australia, in zones
 * without DST and with 30- and 45-minute offsets; the expected instants
 * were computed independently (Python's zoneinfo, tzdata 2025b).
 */
#include "unit.h"
#include "caltest.h"
#include "tztest.h"

#include "../../ical/cal_int.h"
#include "../../ical/cal_tz.h"

#define HEAD                                                                   \
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Test//EN\r\n"    \
	"METHOD:PUBLISH\r\n"
#define MS_HEAD                                                                \
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"                                  \
	"PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n"       \
	"METHOD:REQUEST\r\n"
#define END "END:VCALENDAR\r\n"
#define EV(uid, start, end, extra)                                             \
	"BEGIN:VEVENT\r\nUID:" uid "\r\nDTSTAMP:20250101T000000Z\r\n" start    \
	"\r\n" end "\r\n" extra "SUMMARY:x\r\nEND:VEVENT\r\n"
#define AT(tzid, v) "DTSTART;TZID=" tzid ":" v
#define TO(tzid, v) "DTEND;TZID=" tzid ":" v

/* the compact Europe/Berlin of exchange-rules.md R-TZ-1 */
#define BERLIN_VTZ(tzid)                                                       \
	"BEGIN:VTIMEZONE\r\nTZID:" tzid "\r\n"                                \
	"BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"                       \
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"                         \
	"TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"          \
	"BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\n"                       \
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"                          \
	"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\n"          \
	"END:VTIMEZONE\r\n"

/* what Outlook writes for W. Europe Standard Time */
#define OUTLOOK_VTZ(tzid)                                                      \
	"BEGIN:VTIMEZONE\r\nTZID:" tzid "\r\n"                                \
	"BEGIN:STANDARD\r\nDTSTART:16011028T030000\r\n"                       \
	"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"                         \
	"TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"          \
	"BEGIN:DAYLIGHT\r\nDTSTART:16010325T020000\r\n"                       \
	"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"                          \
	"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\n"          \
	"END:VTIMEZONE\r\n"

static int64_t
utc(const char *v)
{
	struct cal_time t;

	assert_int_equal(cal_time_parse(&t, v), 0);
	return t.secs;
}

/*
 * tz_run - normalize in; the status must be want; when changed, libical's
 * reading of every occurrence is the same before (undefined TZIDs read as
 * zones[], floating times as float_tzid) and after, and a second pass
 * changes nothing. The output's own instants go to *after when not NULL.
 */
static void
tz_run(struct ct_run *r, const char *in, enum cal_status want,
       const struct tt_zone *zones, size_t nz, const char *float_tzid,
       struct tt_list *after)
{
	struct tt_list a, b;

	ct_norms(r, in);
	ct_assert_status(r, want);
	assert_int_equal(ct_count(&r->rep, "CHECK", CAL_REPORT), 0);
	assert_int_equal(tt_instants(&a, in, zones, nz, float_tzid), 0);
	assert_int_equal(tt_instants(&b, r->out.data ? r->out.data : in,
	                             zones, nz, NULL), 0);
	if (!tt_same(&a, &b, "instants"))
		ct_dump(&r->rep);
	assert_true(tt_same(&a, &b, "instants"));
	assert_true(a.n > 0);
	if (want == CAL_CHANGED)
		ct_assert_stable(r);
	tt_free(&a);
	if (after != NULL)
		*after = b;
	else
		tt_free(&b);
}

/* has_line - does the output hold this exact content line? */
static int
has_line(const struct ct_run *r, const char *line)
{
	char want[256];

	snprintf(want, sizeof(want), "\r\n%s\r\n", line);
	return r->out.data != NULL && strstr(r->out.data, want) != NULL;
}

static size_t
count_str(const char *s, const char *what)
{
	size_t n = 0;

	while (s != NULL && (s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
}

/* ---- R-TZ-1 and the resolution paths of R-TZ-2 ---------------------------- */

static void
test_tz_missing_vtimezone_added_compact(void **state)
{
	static const struct tt_zone z[] = {{"Europe/Berlin", "Europe/Berlin"}};
	struct ct_run r;

	(void)state;
	ct_init(&r);
	tz_run(&r,
	       HEAD EV("a", AT("Europe/Berlin", "20250404T150000"),
	               TO("Europe/Berlin", "20250404T160000"), "") END,
	       CAL_CHANGED, z, 1, NULL, NULL);
	ct_assert_out(&r, HEAD BERLIN_VTZ("Europe/Berlin") EV(
	                      "a", AT("Europe/Berlin", "20250404T150000"),
	                      TO("Europe/Berlin", "20250404T160000"), "") END);
	ct_assert_fixes(&r.rep, "R-TZ-1");
	assert_non_null(strstr(ct_text(&r.rep, "R-TZ-1", CAL_FIX), "tzdata 20"));
	assert_non_null(strstr(ct_text(&r.rep, "R-TZ-2", CAL_REPORT),
	                       "tz zone Europe/Berlin, by its IANA name"));
	ct_free(&r);
}

/* one name form: it resolves to iana, by how, and gets that zone's rules */
static void
resolves_by_name(const char *tzid, const char *iana, const char *how)
{
	struct tt_zone z[1] = {{tzid, iana}};
	char in[2048], at[256], to[256];
	struct ct_run r;

	snprintf(at, sizeof(at), "DTSTART;TZID=\"%s\":20250704T150000", tzid);
	snprintf(to, sizeof(to), "DTEND;TZID=\"%s\":20250704T160000", tzid);
	snprintf(in, sizeof(in),
	         HEAD "BEGIN:VEVENT\r\nUID:n\r\nDTSTAMP:20250101T000000Z\r\n"
	              "%s\r\n%s\r\nRRULE:FREQ=WEEKLY;COUNT=40\r\n"
	              "SUMMARY:x\r\nEND:VEVENT\r\n" END,
	         at, to);
	ct_init(&r);
	tz_run(&r, in, CAL_CHANGED, z, 1, NULL, NULL);
	assert_int_equal(ct_count(&r.rep, "R-TZ-1", CAL_FIX), 1);
	if (strstr(ct_text(&r.rep, "R-TZ-1", CAL_FIX), iana) == NULL ||
	    strstr(ct_text(&r.rep, "R-TZ-1", CAL_FIX), how) == NULL)
		fail_msg("%s: %s", tzid, ct_text(&r.rep, "R-TZ-1", CAL_FIX));
	assert_int_equal(count_str(r.out.data, "BEGIN:VTIMEZONE"), 1);
	ct_free(&r);
}

static void
test_tz_resolution_by_name(void **state)
{
	(void)state;
	resolves_by_name("/mozilla.org/20070129_1/Europe/Berlin",
	                 "Europe/Berlin", "behind a prefix");
	resolves_by_name("/freeassociation.sourceforge.net/Tzfile/Europe/Vienna",
	                 "Europe/Vienna", "behind a prefix");
	resolves_by_name("/freeassociation.sourceforge.net/America/New_York",
	                 "America/New_York", "behind a prefix");
	resolves_by_name("/softwarestudio.org/Tzfile/America/Chicago",
	                 "America/Chicago", "behind a prefix");
	resolves_by_name("/softwarestudio.org/Olson_20011030_5/Pacific/Auckland",
	                 "Pacific/Auckland", "behind a prefix");
	resolves_by_name("/citadel.org/20210210_1/Europe/Paris", "Europe/Paris",
	                 "behind a prefix");
	resolves_by_name("W. Europe Standard Time", "Europe/Berlin",
	                 "Windows zone id");
	resolves_by_name("AUS Eastern Standard Time", "Australia/Sydney",
	                 "Windows zone id");
	resolves_by_name("US/Pacific", "America/Los_Angeles", "IANA name");
}

static void
test_tz_resolution_x_lic_location(void **state)
{
	static const struct tt_zone z[] = {{"Mitteleuropa", "Europe/Zurich"}};
	struct ct_run r;

	(void)state;
	ct_init(&r);
	tz_run(&r,
	       HEAD "BEGIN:VTIMEZONE\r\nTZID:Mitteleuropa\r\n"
	            "X-LIC-LOCATION:Europe/Zurich\r\nEND:VTIMEZONE\r\n" EV(
	                "x", AT("Mitteleuropa", "20250704T150000"),
	                TO("Mitteleuropa", "20250704T160000"), "") END,
	       CAL_CHANGED, z, 1, NULL, NULL);
	ct_assert_fixes(&r.rep, "R-TZ-1");
	assert_true(has_line(&r, "X-LIC-LOCATION:Europe/Zurich"));
	assert_true(has_line(&r, "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"));
	assert_non_null(strstr(ct_text(&r.rep, "R-TZ-1", CAL_FIX), "Zurich"));
	ct_free(&r);
}

/* the libical builtin Europe/Berlin: 23 observances back to 1893 */
static char *
history_berlin(const char *tzid, const char *event)
{
	icalcomponent *c = icalcomponent_new_clone(icaltimezone_get_component(
	    icaltimezone_get_builtin_timezone("Europe/Berlin")));
	char *vtz, *in;
	size_t n;

	icalproperty_set_tzid(
	    icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY), tzid);
	vtz = icalcomponent_as_ical_string_r(c);
	icalcomponent_free(c);
	n = strlen(HEAD) + strlen(vtz) + strlen(event) + strlen(END) + 1;
	in = malloc(n);
	assert_non_null(in);
	snprintf(in, n, HEAD "%s%s" END, vtz, event);
	free(vtz);
	return in;
}

static void
test_tz_display_name_with_history_compacted(void **state)
{
	const char *tzid =
	    "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna";
	char ev[512], *in;
	struct ct_run r;

	(void)state;
	snprintf(ev, sizeof(ev),
	         EV("d", "DTSTART;TZID=\"%s\":20250330T100000",
	            "DTEND;TZID=\"%s\":20250330T110000",
	            "RRULE:FREQ=DAILY;COUNT=400\r\n"),
	         tzid, tzid);
	in = history_berlin(tzid, ev);
	assert_true(count_str(in, "BEGIN:DAYLIGHT") > 5);
	ct_init(&r);
	tz_run(&r, in, CAL_CHANGED, NULL, 0, NULL, NULL);
	assert_int_equal(ct_count(&r.rep, "R-TZ-3", CAL_FIX), 1);
	assert_int_equal(count_str(r.out.data, "BEGIN:STANDARD"), 1);
	assert_int_equal(count_str(r.out.data, "BEGIN:DAYLIGHT"), 1);
	assert_true(has_line(&r, "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"));
	/* names without identity resolve by their rules; the name is kept */
	assert_non_null(strstr(ct_text(&r.rep, "R-TZ-2", CAL_REPORT),
	                       "the rules of its VTIMEZONE, the same as tz "
	                       "zone Europe/"));
	assert_non_null(strstr(r.out.data, "TZID:(UTC+01:00) Amsterdam"));
	free(in);
	ct_free(&r);
}

static void
test_tz_custom_name_compacted(void **state)
{
	char *in;
	struct ct_run r;

	(void)state;
	in = history_berlin("Customized Time Zone",
	                    EV("c", AT("Customized Time Zone", "20251026T023000"),
	                       TO("Customized Time Zone", "20251026T040000"),
	                       ""));
	ct_init(&r);
	tz_run(&r, in, CAL_CHANGED, NULL, 0, NULL, NULL);
	ct_assert_fixes(&r.rep, "R-TZ-3");
	assert_true(has_line(&r, "TZID:Customized Time Zone"));
	free(in);
	ct_free(&r);
}

static void
test_tz_unresolvable_left_alone(void **state)
{
	static const char in[] =
	    HEAD EV("u", AT("Western/Central Europe", "20250704T150000"),
	            TO("Western/Central Europe", "20250704T160000"), "") END;
	struct ct_run r;

	(void)state;
	ct_init(&r);
	ct_norms(&r, in);
	ct_assert_untouched(&r);
	assert_non_null(strstr(ct_text(&r.rep, "R-TZ-1", CAL_REPORT),
	                       "no VTIMEZONE and no zone identity; left"));
	assert_non_null(ct_text(&r.rep, "R-TZ-2", CAL_REPORT));
	ct_free(&r);
}

/* ---- leave alone: compact and right, N-7 ------------------------------------ */

static void
test_tz_compact_and_right_kept(void **state)
{
	static const char *const ins[] = {
	    HEAD BERLIN_VTZ("Europe/Berlin") EV(
	        "k", AT("Europe/Berlin", "20250330T100000"),
	        TO("Europe/Berlin", "20250330T110000"),
	        "RRULE:FREQ=WEEKLY;COUNT=60\r\n") END,
	    HEAD OUTLOOK_VTZ("W. Europe Standard Time")
	        EV("o", AT("W. Europe Standard Time", "20251026T100000"),
	           TO("W. Europe Standard Time", "20251026T110000"), "") END,
	    /* one STANDARD for a zone without DST */
	    HEAD "BEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\nBEGIN:STANDARD\r\n"
	         "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0900\r\n"
	         "TZOFFSETTO:+0900\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" EV(
	             "t", AT("Asia/Tokyo", "20250704T150000"),
	             TO("Asia/Tokyo", "20250704T160000"), "") END,
	};
	struct ct_run r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ins) / sizeof(ins[0]); i++) {
		ct_init(&r);
		ct_norms(&r, ins[i]);
		ct_assert_untouched(&r);
		ct_free(&r);
	}
}

static void
test_tz_microsoft_keeps_zones(void **state)
{
	static const char in[] =
	    MS_HEAD EV("m", AT("W. Europe Standard Time", "20250704T150000"),
	               TO("W. Europe Standard Time", "20250704T160000"),
	               "") END;
	struct ct_run r;

	(void)state;
	ct_init(&r);
	ct_norms(&r, in);
	ct_assert_untouched(&r);
	assert_non_null(ct_text(&r.rep, "N-7", CAL_REPORT));
	assert_int_equal(ct_count(&r.rep, "R-TZ-1", CAL_FIX), 0);
	ct_free(&r);
}

/* ---- R-TZ-3, R-TZ-4, R-TZ-5 -------------------------------------------------- */

static void
test_tz_no_dst_single_standard(void **state)
{
	static const struct tt_zone z[] = {{"Asia/Kolkata", "Asia/Kolkata"}};
	struct ct_run r;

	(void)state;
	/* R-TZ-1 for a zone without DST: the R-TZ-4 form */
	ct_init(&r);
	tz_run(&r,
	       HEAD EV("i", AT("Asia/Kolkata", "20250330T100000"),
	               TO("Asia/Kolkata", "20250330T110000"), "") END,
	       CAL_CHANGED, z, 1, NULL, NULL);
	ct_assert_out(&r,
	              HEAD "BEGIN:VTIMEZONE\r\nTZID:Asia/Kolkata\r\n"
	                   "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
	                   "TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\n"
	                   "END:STANDARD\r\nEND:VTIMEZONE\r\n" EV(
	                       "i", AT("Asia/Kolkata", "20250330T100000"),
	                       TO("Asia/Kolkata", "20250330T110000"), "") END);
	ct_free(&r);
	/* a DAYLIGHT-only VTIMEZONE, which Exchange reads as UTC+0 */
	ct_init(&r);
	tz_run(&r,
	       HEAD "BEGIN:VTIMEZONE\r\nTZID:India\r\nBEGIN:DAYLIGHT\r\n"
	            "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0530\r\n"
	            "TZOFFSETTO:+0530\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n" EV(
	                "j", AT("India", "20250330T100000"),
	                TO("India", "20250330T110000"), "") END,
	       CAL_CHANGED, NULL, 0, NULL, NULL);
	ct_assert_fixes(&r.rep, "R-TZ-4");
	assert_int_equal(count_str(r.out.data, "BEGIN:DAYLIGHT"), 0);
	assert_true(has_line(&r, "TZOFFSETTO:+0530"));
	ct_free(&r);
}

static void
test_tz_syntax_rewritten(void **state)
{
	struct ct_run r;

	(void)state;
	/* RFC 2445's "second Sunday" and a seconds offset */
	ct_init(&r);
	tz_run(&r,
	       HEAD "BEGIN:VTIMEZONE\r\nTZID:Eastern\r\n"
	            "BEGIN:STANDARD\r\nDTSTART:20071104T020000\r\n"
	            "RRULE:FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=1,2,3,4,5,6,7;"
	            "BYDAY=SU\r\n"
	            "TZOFFSETFROM:-040000\r\nTZOFFSETTO:-050000\r\n"
	            "END:STANDARD\r\nBEGIN:DAYLIGHT\r\n"
	            "DTSTART:20070311T020000\r\n"
	            "RRULE:FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8,9,10,11,12,13,14;"
	            "BYDAY=SU\r\n"
	            "TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nEND:DAYLIGHT\r\n"
	            "END:VTIMEZONE\r\n" EV("e", AT("Eastern", "20250309T100000"),
	                                   TO("Eastern", "20250309T110000"),
	                                   "RRULE:FREQ=WEEKLY;COUNT=50\r\n") END,
	       CAL_CHANGED, NULL, 0, NULL, NULL);
	ct_assert_fixes(&r.rep, "R-TZ-5");
	assert_true(has_line(&r, "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU"));
	assert_true(has_line(&r, "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"));
	assert_true(has_line(&r, "TZOFFSETTO:-0500"));
	ct_free(&r);
}

/* Sao Paulo's last DST, one-off observances: Exchange applies the latest
 * DAYLIGHT every year; for a 2019 series only -0300 is right */
static void
test_tz_one_off_observances_rewritten(void **state)
{
	struct tt_list after;
	struct ct_run r;

	(void)state;
	ct_init(&r);
	tz_run(&r,
	       HEAD "BEGIN:VTIMEZONE\r\nTZID:America/Sao_Paulo\r\n"
	            "BEGIN:STANDARD\r\nDTSTART:20190217T000000\r\n"
	            "TZOFFSETFROM:-0200\r\nTZOFFSETTO:-0300\r\nEND:STANDARD\r\n"
	            "BEGIN:DAYLIGHT\r\nDTSTART:20181104T000000\r\n"
	            "TZOFFSETFROM:-0300\r\nTZOFFSETTO:-0200\r\nEND:DAYLIGHT\r\n"
	            "END:VTIMEZONE\r\n" EV(
	                "s", AT("America/Sao_Paulo", "20190601T100000"),
	                TO("America/Sao_Paulo", "20190601T110000"),
	                "RRULE:FREQ=MONTHLY;COUNT=12\r\n") END,
	       CAL_CHANGED, NULL, 0, NULL, &after);
	ct_assert_fixes(&r.rep, "R-TZ-4");
	assert_int_equal(count_str(r.out.data, "BEGIN:DAYLIGHT"), 0);
	assert_true(tt_has(&after, utc("20191201T130000")));
	tt_free(&after);
	ct_free(&r);
}

/* ---- R-TZ-6, R-TZ-7 ----------------------------------------------------------- */

static void
test_tz_duplicates_and_unused_removed(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	tz_run(&r,
	       HEAD BERLIN_VTZ("Europe/Berlin") BERLIN_VTZ("Europe/Berlin")
	           OUTLOOK_VTZ("Romance Standard Time")
	               EV("u", AT("Europe/Berlin", "20250704T150000"),
	                  TO("Europe/Berlin", "20250704T160000"), "") END,
	       CAL_CHANGED, NULL, 0, NULL, NULL);
	ct_assert_fixes(&r.rep, "R-TZ-6");
	assert_int_equal(ct_count(&r.rep, "R-TZ-6", CAL_FIX), 2);
	ct_assert_out(&r, HEAD BERLIN_VTZ("Europe/Berlin")
	                      EV("u", AT("Europe/Berlin", "20250704T150000"),
	                         TO("Europe/Berlin", "20250704T160000"),
	                         "") END);
	ct_free(&r);
	/* two different definitions: libical takes one by binary search, so
	 * nothing says which is meant; both stay, reported */
	ct_init(&r);
	ct_norms(&r, HEAD BERLIN_VTZ("Europe/Berlin") OUTLOOK_VTZ("Europe/Berlin")
	                 EV("u", AT("Europe/Berlin", "20250704T150000"),
	                    TO("Europe/Berlin", "20250704T160000"), "") END);
	ct_assert_untouched(&r);
	assert_non_null(strstr(ct_text(&r.rep, "R-TZ-6", CAL_REPORT),
	                       "second, different"));
	ct_free(&r);
}

static void
test_tz_no_tzid_on_date_or_utc(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	tz_run(&r,
	       HEAD EV("d", "DTSTART;VALUE=DATE;TZID=Europe/Paris:20250101",
	               "DTEND;TZID=Europe/Paris;VALUE=DATE:20250102", "")
	           EV("z", "DTSTART;TZID=Europe/Paris:20250101T090000Z",
	              "DTEND:20250101T100000Z", "") END,
	       CAL_CHANGED, NULL, 0, NULL, NULL);
	ct_assert_fixes(&r.rep, "R-EV-3,R-TZ-7"); /* AllDayHint yes */
	assert_int_equal(ct_count(&r.rep, "R-TZ-7", CAL_FIX), 3);
	assert_true(has_line(&r, "DTSTART;VALUE=DATE:20250101"));
	assert_true(has_line(&r, "DTEND;VALUE=DATE:20250102"));
	assert_true(has_line(&r, "DTSTART:20250101T090000Z"));
	ct_free(&r);
}

/* ---- R-TZ-8 ------------------------------------------------------------------- */

#define FLOAT_IN(hint)                                                         \
	HEAD hint EV("f", "DTSTART:20250923T120000", "DTEND:20250923T130000",  \
	             "RRULE:FREQ=DAILY;UNTIL=20251026T120000\r\n"              \
	             "EXDATE:20250924T120000\r\n") END

static void
test_tz_floating_bound_to_calendar_zone(void **state)
{
	static const struct tt_zone z[] = {{"Europe/Paris", "Europe/Paris"}};
	struct tt_list after;
	struct ct_run r;

	(void)state;
	ct_init(&r);
	tz_run(&r, FLOAT_IN("X-WR-TIMEZONE:Europe/Paris\r\n"), CAL_CHANGED, z,
	       1, "Europe/Paris", &after);
	ct_assert_fixes(&r.rep, "R-TZ-1,R-TZ-8");
	assert_true(has_line(&r, "DTSTART;TZID=Europe/Paris:20250923T120000"));
	assert_true(has_line(&r, "EXDATE;TZID=Europe/Paris:20250924T120000"));
	/* UNTIL becomes UTC (RFC 5545 3.3.10): 12:00 CET = 11:00Z */
	assert_true(has_line(
	    &r, "RRULE:FREQ=DAILY;UNTIL=20251026T110000Z"));
	/* the last occurrence, after the change to CET, is still 12:00 */
	assert_true(tt_has(&after, utc("20251026T110000")));
	assert_true(tt_has(&after, utc("20250923T100000")));
	tt_free(&after);
	ct_free(&r);
}

static void
test_tz_floating_policies(void **state)
{
	static const struct tt_zone z[] = {{"Europe/Vienna", "Europe/Vienna"}};
	struct ct_run r;

	(void)state;
	/* from-calendar without a hint: stays floating, reported */
	ct_init(&r);
	ct_norms(&r, FLOAT_IN(""));
	ct_assert_untouched(&r);
	assert_non_null(strstr(ct_text(&r.rep, "R-TZ-8", CAL_REPORT),
	                       "left floating"));
	ct_free(&r);
	/* leave: stays floating even with a hint */
	ct_init(&r);
	r.pol.floating = CAL_FLOATING_LEAVE;
	ct_norms(&r, FLOAT_IN("X-WR-TIMEZONE:Europe/Paris\r\n"));
	ct_assert_untouched(&r);
	ct_free(&r);
	/* a configured zone when the calendar names none */
	ct_init(&r);
	r.pol.floating = CAL_FLOATING_ZONE;
	snprintf(r.pol.floating_zone, sizeof(r.pol.floating_zone),
	         "Europe/Vienna");
	tz_run(&r, FLOAT_IN(""), CAL_CHANGED, z, 1, "Europe/Vienna", NULL);
	assert_true(has_line(&r, "DTSTART;TZID=Europe/Vienna:20250923T120000"));
	ct_free(&r);
	/* a hint that does not resolve: left */
	ct_init(&r);
	ct_norms(&r, FLOAT_IN("X-WR-TIMEZONE:Mars/Olympus\r\n"));
	ct_assert_untouched(&r);
	ct_free(&r);
}

/* ---- R-TZ-9 --------------------------------------------------------------------- */

/* Moscow moved from +0400 to +0300 for good on 2014-10-26 02:00: no yearly
 * rule has that change */
#define MOSCOW_SINGLE                                                          \
	EV("w", AT("Europe/Moscow", "20141026T100000"),                        \
	   TO("Europe/Moscow", "20141026T110000"), "")
#define MOSCOW_SERIES                                                          \
	EV("v", AT("Europe/Moscow", "20141020T100000"),                        \
	   TO("Europe/Moscow", "20141020T110000"),                             \
	   "RRULE:FREQ=DAILY;COUNT=14\r\n")

static void
test_tz_unrepresentable_single_to_utc(void **state)
{
	static const struct tt_zone z[] = {{"Europe/Moscow", "Europe/Moscow"}};
	struct ct_run r;

	(void)state;
	ct_init(&r);
	tz_run(&r, HEAD MOSCOW_SINGLE END, CAL_CHANGED, z, 1, NULL, NULL);
	ct_assert_fixes(&r.rep, "R-TZ-9");
	assert_true(has_line(&r, "DTSTART:20141026T070000Z"));
	assert_true(has_line(&r, "DTEND:20141026T080000Z"));
	assert_int_equal(count_str(r.out.data, "VTIMEZONE"), 0);
	ct_free(&r);
	/* a series is never moved to UTC: reported, left as it is */
	ct_init(&r);
	ct_norms(&r, HEAD MOSCOW_SERIES END);
	ct_assert_untouched(&r);
	assert_non_null(ct_text(&r.rep, "R-TZ-9", CAL_REPORT));
	ct_free(&r);
	/* UnrepresentableZone report */
	ct_init(&r);
	r.pol.unrepresentable = CAL_UNREPRESENTABLE_REPORT;
	ct_norms(&r, HEAD MOSCOW_SINGLE END);
	ct_assert_untouched(&r);
	ct_free(&r);
}

/* the rules note's example is exact with one rule over its own dates */
static void
test_tz_sao_paulo_2018_is_one_rule(void **state)
{
	static const struct tt_zone z[] = {
	    {"America/Sao_Paulo", "America/Sao_Paulo"}};
	struct tt_list after;
	struct ct_run r;

	(void)state;
	ct_init(&r);
	tz_run(&r,
	       HEAD EV("p", AT("America/Sao_Paulo", "20181104T100000"),
	               TO("America/Sao_Paulo", "20181104T110000"), "") END,
	       CAL_CHANGED, z, 1, NULL, &after);
	ct_assert_fixes(&r.rep, "R-TZ-1");
	assert_true(tt_has(&after, utc("20181104T120000")));
	tt_free(&after);
	ct_free(&r);
}

/* ---- TzidStyle -------------------------------------------------------------------- */

static void
test_tz_style_windows_and_iana(void **state)
{
	static const struct tt_zone z[] = {{"Europe/Berlin", "Europe/Berlin"}};
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.pol.tzid_style = CAL_TZID_WINDOWS;
	tz_run(&r,
	       HEAD EV("w", AT("Europe/Berlin", "20250704T150000"),
	               TO("Europe/Berlin", "20250704T160000"),
	               "EXDATE;TZID=Europe/Berlin:20250704T150000\r\n"
	               "RDATE;TZID=Europe/Berlin:20250705T150000\r\n") END,
	       CAL_CHANGED, z, 1, NULL, NULL);
	ct_assert_fixes(&r.rep, "R-TZ-1,R-TZ-2");
	assert_true(has_line(&r, "TZID:W. Europe Standard Time"));
	assert_true(has_line(
	    &r, "DTSTART;TZID=W. Europe Standard Time:20250704T150000"));
	assert_true(has_line(
	    &r, "EXDATE;TZID=W. Europe Standard Time:20250704T150000"));
	assert_int_equal(count_str(r.out.data, "Europe/Berlin"), 0);
	ct_free(&r);
	ct_init(&r);
	r.pol.tzid_style = CAL_TZID_IANA;
	tz_run(&r,
	       HEAD OUTLOOK_VTZ("Romance Standard Time")
	           EV("i", AT("Romance Standard Time", "20250704T150000"),
	              TO("Romance Standard Time", "20250704T160000"), "") END,
	       CAL_CHANGED, NULL, 0, NULL, NULL);
	ct_assert_fixes(&r.rep, "R-TZ-2");
	assert_true(has_line(&r, "TZID:Europe/Paris"));
	assert_true(has_line(&r, "DTSTART;TZID=Europe/Paris:20250704T150000"));
	ct_free(&r);
}

/* ---- DST transition days ------------------------------------------------------------ */

struct day {
	const char *zone;
	const char *local;	/* 10:00 on a transition day, or a plain one */
	const char *utc;	/* computed with Python's zoneinfo */
};

static const struct day days[] = {
    {"Europe/Berlin", "20250330T100000", "20250330T080000"},
    {"Europe/Berlin", "20251026T100000", "20251026T090000"},
    {"America/New_York", "20250309T100000", "20250309T140000"},
    {"America/New_York", "20251102T100000", "20251102T150000"},
    {"Australia/Sydney", "20250406T100000", "20250406T000000"},
    {"Australia/Sydney", "20251005T100000", "20251004T230000"},
    {"Asia/Tokyo", "20250330T100000", "20250330T010000"},
    {"Asia/Kolkata", "20250330T100000", "20250330T043000"},
    {"Asia/Kathmandu", "20251026T100000", "20251026T041500"},
    {"Australia/Adelaide", "20250406T100000", "20250406T003000"},
    {"Australia/Adelaide", "20251005T100000", "20251004T233000"},
    {"Australia/Lord_Howe", "20250406T100000", "20250405T233000"},
    {"Australia/Lord_Howe", "20251005T100000", "20251004T230000"},
};

static void
test_tz_transition_days(void **state)
{
	char in[2048];
	struct tt_list after;
	struct tt_zone z[1];
	struct ct_run r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		z[0].tzid = z[0].iana = days[i].zone;
		/* the event on the day, and a weekly series across it */
		snprintf(in, sizeof(in),
		         HEAD "BEGIN:VEVENT\r\nUID:d\r\n"
		              "DTSTAMP:20250101T000000Z\r\n"
		              "DTSTART;TZID=%s:%s\r\nDURATION:PT1H\r\n"
		              "SUMMARY:x\r\nEND:VEVENT\r\n"
		              "BEGIN:VEVENT\r\nUID:s\r\n"
		              "DTSTAMP:20250101T000000Z\r\n"
		              "DTSTART;TZID=%s:20250101T100000\r\n"
		              "DURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=52\r\n"
		              "SUMMARY:x\r\nEND:VEVENT\r\n" END,
		         days[i].zone, days[i].local, days[i].zone);
		ct_init(&r);
		tz_run(&r, in, CAL_CHANGED, z, 1, NULL, &after);
		if (!tt_has(&after, utc(days[i].utc)))
			fail_msg("%s %s is not %sZ", days[i].zone,
			         days[i].local, days[i].utc);
		tt_free(&after);
		ct_free(&r);
	}
}

/* ---- the meaning check reads the input in the resolved zone ------------------- */

static void
test_tz_meaning_check_reads_resolved_zone(void **state)
{
	static const char before[] =
	    HEAD EV("c", AT("/mozilla.org/20070129_1/Europe/Berlin",
	                    "20250704T150000"),
	            TO("/mozilla.org/20070129_1/Europe/Berlin",
	               "20250704T160000"), "") END;
	static const char wrong[] =
	    HEAD "BEGIN:VTIMEZONE\r\nTZID:/mozilla.org/20070129_1/Europe/"
	         "Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
	         "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"
	         "END:VTIMEZONE\r\n" EV("c", AT("/mozilla.org/20070129_1/"
	                                       "Europe/Berlin",
	                                       "20250704T150000"),
	                               TO("/mozilla.org/20070129_1/Europe/"
	                                  "Berlin",
	                                  "20250704T160000"), "") END;
	struct cal_lexinfo lex;
	struct cal_limits lim;
	struct cal_report rep;
	struct cal_doc *doc = NULL;
	struct ct_run r;
	char why[300];

	(void)state;
	memset(&lex, 0, sizeof(lex));
	cal_limits_default(&lim);
	cal_report_init(&rep, 50);
	assert_int_equal(cal_doc_parse(&doc, strdup(before), strlen(before),
	                               &lex, &lim, &rep), CAL_UNCHANGED);
	assert_int_equal(cal_tzset_build(doc), 0);
	/* a VTIMEZONE that is not the zone's at the event: +0100 in July */
	assert_int_equal(cal_meaning_check_tz(before, wrong, &lim, 0, doc->tz,
	                                      &rep, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "20250704T130000Z"));
	/* the rule's own output passes */
	ct_init(&r);
	ct_norms(&r, before);
	ct_assert_status(&r, CAL_CHANGED);
	assert_int_equal(cal_meaning_check_tz(before, r.out.data, &lim, 0,
	                                      doc->tz, &rep, why, sizeof(why)),
	                 1);
	ct_free(&r);
	cal_doc_free(doc);
	cal_report_free(&rep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tz_missing_vtimezone_added_compact),
	    cmocka_unit_test(test_tz_resolution_by_name),
	    cmocka_unit_test(test_tz_resolution_x_lic_location),
	    cmocka_unit_test(test_tz_display_name_with_history_compacted),
	    cmocka_unit_test(test_tz_custom_name_compacted),
	    cmocka_unit_test(test_tz_unresolvable_left_alone),
	    cmocka_unit_test(test_tz_compact_and_right_kept),
	    cmocka_unit_test(test_tz_microsoft_keeps_zones),
	    cmocka_unit_test(test_tz_no_dst_single_standard),
	    cmocka_unit_test(test_tz_syntax_rewritten),
	    cmocka_unit_test(test_tz_one_off_observances_rewritten),
	    cmocka_unit_test(test_tz_duplicates_and_unused_removed),
	    cmocka_unit_test(test_tz_no_tzid_on_date_or_utc),
	    cmocka_unit_test(test_tz_floating_bound_to_calendar_zone),
	    cmocka_unit_test(test_tz_floating_policies),
	    cmocka_unit_test(test_tz_unrepresentable_single_to_utc),
	    cmocka_unit_test(test_tz_sao_paulo_2018_is_one_rule),
	    cmocka_unit_test(test_tz_style_windows_and_iana),
	    cmocka_unit_test(test_tz_transition_days),
	    cmocka_unit_test(test_tz_meaning_check_reads_resolved_zone),
	};

	cal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
