/*
 * test_cal_tzapi.c - the time-zone API of ical/ (cal_int.h): DATE-TIME
 * values, the tz database, conversions through a zone, and cal_doc_zone()
 * resolving the TZIDs of an object (R-TZ-2) by each path.
 *
 * Offsets are checked against libical's own reading of the system tz files
 * (its builtin zones), an implementation independent of ours.
 */
#include "unit.h"
#include "caltest.h"

#include <libical/ical.h>

#include "../../ical/cal_int.h"
#include "../../ical/cal_tz.h"

/* secs - local seconds of a "YYYYMMDDTHHMMSS" value */
static int64_t
secs(const char *v)
{
	struct cal_time t;

	assert_int_equal(cal_time_parse(&t, v), 0);
	return t.secs;
}

static void
test_tz_time_parse_and_format(void **state)
{
	struct cal_time t;
	char buf[32];

	(void)state;
	assert_int_equal(cal_time_parse(&t, "20250330T020000"), 0);
	assert_false(t.is_date || t.is_utc);
	assert_int_equal(t.secs, 1743300000);
	assert_int_equal(cal_time_format(buf, sizeof(buf), &t), 0);
	assert_string_equal(buf, "20250330T020000");
	assert_int_equal(cal_time_parse(&t, "19691231T235959Z"), 0);
	assert_true(t.is_utc);
	assert_int_equal(t.secs, -1);
	assert_int_equal(cal_time_format(buf, sizeof(buf), &t), 0);
	assert_string_equal(buf, "19691231T235959Z");
	assert_int_equal(cal_time_parse(&t, "20240229"), 0);
	assert_true(t.is_date);
	assert_int_equal(cal_time_format(buf, sizeof(buf), &t), 0);
	assert_string_equal(buf, "20240229");
	assert_int_equal(cal_time_parse(&t, "20250229"), -1);
	assert_int_equal(cal_time_parse(&t, "20250101T250000"), -1);
	assert_int_equal(cal_time_parse(&t, "2025-01-01"), -1);
	assert_int_equal(cal_time_parse(&t, "20250101T1000"), -1);
}

static void
test_tz_database_names(void **state)
{
	const struct cal_zone *z;

	(void)state;
	assert_true(strlen(cal_tzdb_version()) >= 5);	/* "2025b" */
	assert_true(cal_tzdb_count() > 300);
	z = cal_tzdb_find("Europe/Berlin");
	assert_non_null(z);
	assert_string_equal(cal_zone_name(z), "Europe/Berlin");
	assert_ptr_equal(cal_tzdb_find("europe/BERLIN"), z);
	assert_string_equal(cal_zone_name(cal_tzdb_find("US/Eastern")),
	    "America/New_York");
	assert_null(cal_tzdb_find("Europe/Germany"));
	assert_null(cal_tzdb_find("../../etc/passwd"));
	assert_null(cal_tzdb_find("posixrules"));
}

/* same_as_libical - our offset equals libical's every 6 hours of a year */
static void
same_as_libical(const char *name, int year)
{
	icaltimezone *lz = icaltimezone_get_builtin_timezone(name);
	const struct cal_zone *z = cal_tzdb_find(name);
	struct icaltimetype u;
	int64_t t0 = cal_days_from_civil(year, 1, 1) * CAL_DAY, t;
	int off, dst;

	assert_non_null(lz);
	assert_non_null(z);
	for (t = t0; t < t0 + 366 * CAL_DAY; t += 6 * 3600) {
		u = icaltime_from_timet_with_zone((time_t)t, 0,
		    icaltimezone_get_utc_timezone());
		off = icaltimezone_get_utc_offset_of_utc_time(lz, &u, &dst);
		if (cal_zone_to_local(z, t) - t != off)
			fail_msg("%s at %lld: ours %lld, libical %d", name,
			    (long long)t, (long long)(cal_zone_to_local(z, t) - t),
			    off);
	}
}

static void
test_tz_offsets_agree_with_libical(void **state)
{
	static const char *const zones[] = {
		"Europe/Berlin", "America/New_York", "Australia/Sydney",
		"Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe",
		"America/Sao_Paulo", "Europe/Dublin", "Pacific/Chatham", NULL
	};
	static const int years[] = { 1975, 2006, 2018, 2025, 2031 };
	size_t i, j;

	(void)state;
	for (i = 0; zones[i] != NULL; i++)
		for (j = 0; j < sizeof(years) / sizeof(years[0]); j++)
			same_as_libical(zones[i], years[j]);
}

static void
test_tz_to_utc_gap_and_overlap(void **state)
{
	const struct cal_zone *z = cal_tzdb_find("Europe/Berlin");
	int64_t u;

	(void)state;
	/* an ordinary summer time: CEST, UTC+2 */
	assert_int_equal(cal_zone_to_utc(z, secs("20250704T150000"), &u), 0);
	assert_int_equal(u, secs("20250704T130000"));
	/* the day clocks go forward: 10:00 exists once, in CEST */
	assert_int_equal(cal_zone_to_utc(z, secs("20250330T100000"), &u), 0);
	assert_int_equal(u, secs("20250330T080000"));
	/* 02:30 does not exist: read with the offset before (RFC 5545) */
	assert_int_equal(cal_zone_to_utc(z, secs("20250330T023000"), &u), 1);
	assert_int_equal(u, secs("20250330T013000"));
	/* 02:30 on the day clocks go back occurs twice: the first (CEST) */
	assert_int_equal(cal_zone_to_utc(z, secs("20251026T023000"), &u), 1);
	assert_int_equal(u, secs("20251026T003000"));
	assert_int_equal(cal_zone_to_local(z, secs("20251026T013000")),
	    secs("20251026T023000"));
}

static void
test_tz_to_utc_half_hour_zones(void **state)
{
	int64_t u;

	(void)state;
	assert_int_equal(cal_zone_to_utc(cal_tzdb_find("Asia/Kolkata"),
	    secs("20250704T150000"), &u), 0);
	assert_int_equal(u, secs("20250704T093000"));
	assert_int_equal(cal_zone_to_utc(cal_tzdb_find("Asia/Kathmandu"),
	    secs("20250704T150000"), &u), 0);
	assert_int_equal(u, secs("20250704T091500"));
	/* Lord Howe: half an hour of daylight time, +1100 in January */
	assert_int_equal(cal_zone_to_utc(cal_tzdb_find("Australia/Lord_Howe"),
	    secs("20250115T150000"), &u), 0);
	assert_int_equal(u, secs("20250115T040000"));
}

/* ---- cal_doc_zone --------------------------------------------------------- */

#define CAL_HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
#define EVENT(tzid)                                                            \
	"BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20250101T000000Z\r\n"               \
	"DTSTART;TZID=" tzid ":20250704T150000\r\nEND:VEVENT\r\n"
#define CAL_END "END:VCALENDAR\r\n"

/* a Customized Time Zone as an old Outlook wrote it: W. Europe rules */
#define VTZ_EU(tzid)                                                           \
	"BEGIN:VTIMEZONE\r\nTZID:" tzid "\r\n"                                \
	"BEGIN:STANDARD\r\nDTSTART:16011028T030000\r\n"                       \
	"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"                         \
	"TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"          \
	"BEGIN:DAYLIGHT\r\nDTSTART:16010325T020000\r\n"                       \
	"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"                          \
	"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\n"          \
	"END:VTIMEZONE\r\n"

struct zdoc {
	struct cal_doc *doc;
	struct cal_report rep;
};

static void
zdoc_parse(struct zdoc *d, const char *text)
{
	struct cal_lexinfo lex;
	struct cal_limits lim;
	char *copy = strdup(text);

	assert_non_null(copy);
	memset(&lex, 0, sizeof(lex));
	cal_limits_default(&lim);
	cal_report_init(&d->rep, 50);
	assert_int_equal(cal_doc_parse(&d->doc, copy, strlen(copy), &lex, &lim,
	    &d->rep), CAL_UNCHANGED);
}

static void
zdoc_free(struct zdoc *d)
{
	cal_doc_free(d->doc);
	cal_report_free(&d->rep);
}

/* zone_utc_of - the UTC instant of 2025-07-04 15:00 in the TZID's zone */
static const char *
zone_of(const char *text, const char *tzid, int64_t *utc)
{
	static char name[128];
	const struct cal_zone *z;
	struct zdoc d;

	zdoc_parse(&d, text);
	z = cal_doc_zone(d.doc, tzid);
	if (z == NULL) {
		zdoc_free(&d);
		return NULL;
	}
	snprintf(name, sizeof(name), "%s", cal_zone_name(z));
	(void)cal_zone_to_utc(z, secs("20250704T150000"), utc);
	zdoc_free(&d);
	return name;
}

static void
assert_resolves(const char *text, const char *tzid, const char *want,
    const char *utc)
{
	int64_t u = 0;
	const char *got = zone_of(text, tzid, &u);

	if (got == NULL)
		fail_msg("TZID %s did not resolve", tzid);
	assert_string_equal(got, want);
	assert_int_equal(u, secs(utc));
}

static void
test_tz_doc_zone_iana_and_prefixes(void **state)
{
	(void)state;
	assert_resolves(CAL_HEAD EVENT("Europe/Berlin") CAL_END,
	    "Europe/Berlin", "Europe/Berlin", "20250704T130000");
	assert_resolves(CAL_HEAD EVENT("US/Eastern") CAL_END, "US/Eastern",
	    "America/New_York", "20250704T190000");
	assert_resolves(CAL_HEAD EVENT("/mozilla.org/20070129_1/Europe/Berlin")
	    CAL_END, "/mozilla.org/20070129_1/Europe/Berlin", "Europe/Berlin",
	    "20250704T130000");
	assert_resolves(CAL_HEAD
	    EVENT("/freeassociation.sourceforge.net/Tzfile/Europe/Vienna")
	    CAL_END, "/freeassociation.sourceforge.net/Tzfile/Europe/Vienna",
	    "Europe/Vienna", "20250704T130000");
	assert_resolves(CAL_HEAD
	    EVENT("/softwarestudio.org/Olson_20011030_5/America/Chicago")
	    CAL_END, "/softwarestudio.org/Olson_20011030_5/America/Chicago",
	    "America/Chicago", "20250704T200000");
	assert_resolves(CAL_HEAD EVENT("/citadel.org/20190914_1/Asia/Tokyo")
	    CAL_END, "/citadel.org/20190914_1/Asia/Tokyo", "Asia/Tokyo",
	    "20250704T060000");
	assert_resolves(CAL_HEAD EVENT("/Europe/Stockholm") CAL_END,
	    "/Europe/Stockholm", "Europe/Stockholm", "20250704T130000");
}

static void
test_tz_doc_zone_windows_id(void **state)
{
	(void)state;
	assert_resolves(CAL_HEAD EVENT("W. Europe Standard Time") CAL_END,
	    "W. Europe Standard Time", "Europe/Berlin", "20250704T130000");
	/* TZIDs are matched case-insensitively, as Exchange does */
	assert_resolves(CAL_HEAD EVENT("pacific standard time") CAL_END,
	    "pacific standard time", "America/Los_Angeles",
	    "20250704T220000");
	assert_resolves(CAL_HEAD EVENT("India Standard Time") CAL_END,
	    "India Standard Time", "Asia/Kolkata", "20250704T093000");
}

static void
test_tz_doc_zone_x_lic_location(void **state)
{
	(void)state;
	/* an unusable VTIMEZONE (no observance) named by X-LIC-LOCATION */
	assert_resolves(CAL_HEAD "BEGIN:VTIMEZONE\r\nTZID:Mitteleuropa\r\n"
	    "X-LIC-LOCATION:Europe/Zurich\r\nEND:VTIMEZONE\r\n"
	    EVENT("Mitteleuropa") CAL_END, "Mitteleuropa", "Europe/Zurich",
	    "20250704T130000");
}

static void
test_tz_doc_zone_own_rules_win(void **state)
{
	(void)state;
	/* names without identity: the VTIMEZONE's rules */
	assert_resolves(CAL_HEAD VTZ_EU("Customized Time Zone")
	    EVENT("Customized Time Zone") CAL_END, "Customized Time Zone",
	    "Customized Time Zone", "20250704T130000");
	assert_resolves(CAL_HEAD
	    VTZ_EU("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna")
	    EVENT("\"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, "
	    "Vienna\"") CAL_END,
	    "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
	    "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
	    "20250704T130000");
	/* judged by its rules, not its name: "America/New_York" with Berlin's
	 * rules is Berlin's time */
	assert_resolves(CAL_HEAD VTZ_EU("America/New_York")
	    EVENT("America/New_York") CAL_END, "America/New_York",
	    "America/New_York", "20250704T130000");
}

static void
test_tz_doc_zone_unresolvable(void **state)
{
	int64_t u;

	(void)state;
	assert_null(zone_of(CAL_HEAD EVENT("Western/Central Europe") CAL_END,
	    "Western/Central Europe", &u));
	assert_null(zone_of(CAL_HEAD EVENT("\"(UTC+01:00) Amsterdam, Berlin\"")
	    CAL_END, "(UTC+01:00) Amsterdam, Berlin", &u));
	assert_null(zone_of(CAL_HEAD EVENT("/Europe/CUSTOM") CAL_END,
	    "/Europe/CUSTOM", &u));
	assert_null(zone_of(CAL_HEAD EVENT("EST5") CAL_END, "EST5", &u));
	/* not named in the object at all */
	assert_null(zone_of(CAL_HEAD EVENT("Europe/Berlin") CAL_END,
	    "Europe/Paris", &u));
}

static void
test_tz_display_name_offset_hint(void **state)
{
	int32_t off;

	(void)state;
	assert_int_equal(cal_tzname_offset_hint("(UTC+01:00) Amsterdam, Berlin",
	    &off), 0);
	assert_int_equal(off, 3600);
	assert_int_equal(cal_tzname_offset_hint(
	    "(GMT-08.00) Pacific Time (US & Canada)/Tijuana", &off), 0);
	assert_int_equal(off, -8 * 3600);
	assert_int_equal(cal_tzname_offset_hint("(UTC) Dublin, Edinburgh",
	    &off), 0);
	assert_int_equal(off, 0);
	assert_int_equal(cal_tzname_offset_hint("(UTC+05:45) Kathmandu", &off),
	    0);
	assert_int_equal(off, 5 * 3600 + 45 * 60);
	assert_int_equal(cal_tzname_offset_hint("Eastern Time", &off), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tz_time_parse_and_format),
	    cmocka_unit_test(test_tz_database_names),
	    cmocka_unit_test(test_tz_offsets_agree_with_libical),
	    cmocka_unit_test(test_tz_to_utc_gap_and_overlap),
	    cmocka_unit_test(test_tz_to_utc_half_hour_zones),
	    cmocka_unit_test(test_tz_doc_zone_iana_and_prefixes),
	    cmocka_unit_test(test_tz_doc_zone_windows_id),
	    cmocka_unit_test(test_tz_doc_zone_x_lic_location),
	    cmocka_unit_test(test_tz_doc_zone_own_rules_win),
	    cmocka_unit_test(test_tz_doc_zone_unresolvable),
	    cmocka_unit_test(test_tz_display_name_offset_hint),
	};

	cal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
