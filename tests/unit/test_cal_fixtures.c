/*
 * test_cal_fixtures.c - each file of tests/fixtures/ical/ is a small case of
 * one rule; this table says what cal_normalize() must make of it (status,
 * the rules that fixed something, the rule that reported), so that every
 * fixture is checked and none is forgotten.
 */
#include "unit.h"
#include "caltest.h"

#include <dirent.h>

#define DIR_ICAL "tests/fixtures/ical/"

/* 1741600000 = 2025-03-10 09:46:40 UTC */
#define NOW ((time_t)1741600000)

struct expect {
	const char *file;
	const char *charset; /* the MIME label, or NULL */
	enum cal_status st;
	const char *fixes;  /* cal_report_rules(CAL_FIX) */
	const char *report; /* a rule that must report, or NULL */
	const char *has;    /* bytes the output must contain, or NULL */
	int own;            /* checked by a test of its own (a bug) */
};

static const struct expect table[] = {
    {"good.ics", NULL, CAL_UNCHANGED, "", NULL, NULL, 0},
    {"bom-utf8.ics", NULL, CAL_CHANGED, "R-LEX-1", NULL,
     "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 0},
    {"utf16le-bom.ics", NULL, CAL_CHANGED, "R-LEX-1,R-LEX-4", NULL,
     "SUMMARY:Review in M\xC3\xBCnchen\r\n", 0},
    {"utf16be-bom.ics", NULL, CAL_CHANGED, "R-LEX-1,R-LEX-4", NULL,
     "SUMMARY:Review in M\xC3\xBCnchen\r\n", 0},
    {"lf-only.ics", NULL, CAL_CHANGED, "R-LEX-2", NULL, NULL, 0},
    {"cr-only.ics", NULL, CAL_CHANGED, "R-LEX-2", NULL, NULL, 0},
    {"no-final-crlf.ics", NULL, CAL_CHANGED, "R-LEX-2", NULL,
     "END:VEVENT\r\nEND:VCALENDAR\r\n", 0},
    {"long-lines.ics", NULL, CAL_CHANGED, "R-LEX-3", NULL,
     "\r\n \xC3\xA9Gro\xC3\x9F", 0},
    {"folded-ok.ics", NULL, CAL_CHANGED, "R-LEX-9", NULL,
     "SUMMARY:Review\r\n\t in M\xC3\xBCn\r\n chen\r\n", 0},
    /* BUG (reported): cal_decode() validates UTF-8 before unfolding */
    {"fold-split-utf8.ics", NULL, CAL_CHANGED, "R-LEX-3", NULL,
     "SUMMARY:Review in M\xC3\xBCnchen\r\n", 1},
    {"latin1-unlabelled.ics", NULL, CAL_MALFORMED, "", "R-LEX-4", NULL, 0},
    {"latin1-unlabelled.ics", "ISO-8859-1", CAL_CHANGED, "R-LEX-4", NULL,
     "SUMMARY:Review in M\xC3\xBCnchen\r\n", 0},
    {"control-chars.ics", NULL, CAL_CHANGED, "R-LEX-5", NULL,
     "LOCATION:Room 1\r\n", 0},
    {"empty-lines.ics", NULL, CAL_CHANGED, "R-LEX-5", NULL,
     "BEGIN:VEVENT\r\nUID:", 0},
    {"broken-description.ics", NULL, CAL_CHANGED, "R-LEX-5", NULL,
     "DESCRIPTION:Agenda:\\n1. Status\\n2. Next steps\r\n", 0},
    {"two-vcalendars.ics", NULL, CAL_SKIPPED, "", "R-LEX-8", NULL, 0},
    {"version-3.ics", NULL, CAL_SKIPPED, "", "R-LEX-9", NULL, 0},
    {"missing-version-prodid.ics", NULL, CAL_CHANGED, "R-LEX-9", NULL,
     "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
     "PRODID:-//calmilter//calmilter//EN\r\nMETHOD:REQUEST\r\n",
     0},
    {"missing-method-meeting.ics", NULL, CAL_CHANGED, "R-ITIP-1", NULL,
     "\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n", 0},
    {"method-add.ics", NULL, CAL_UNCHANGED, "", "R-ITIP-3", NULL, 0},
    {"dtstamp-missing.ics", NULL, CAL_CHANGED, "R-ITIP-6", NULL,
     "UID:fixture-1@example.org\r\nDTSTAMP:20250201T120000Z\r\n", 0},
    {"dtstamp-floating.ics", NULL, CAL_CHANGED, "R-ITIP-6", NULL,
     "\r\nDTSTAMP:20250914T164336Z\r\n", 0},
    {"recurring-tz-lf.ics", NULL, CAL_CHANGED, "R-LEX-2", NULL,
     "EXDATE;TZID=Europe/Berlin:20250317T090000,20250407T090000\r\n", 0},
    {"parse-error.ics", NULL, CAL_MALFORMED, "", "R-LEX-10", NULL, 0},
    {"empty-location-lf.ics", NULL, CAL_CHANGED, "R-LEX-2", NULL,
     "\r\nLOCATION:\r\n", 0},
    {"vcalendar-1.ics", NULL, CAL_SKIPPED, "", "R-VCAL-1", NULL, 0},
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

static int
run_one(const struct expect *e)
{
	struct ct_run r;
	char path[256], *in, *fixes;
	size_t len;
	int ok;

	snprintf(path, sizeof(path), DIR_ICAL "%s", e->file);
	in = unit_read_file(path, &len);
	ct_init(&r);
	r.ctx.now = NOW;
	r.ctx.from_addr = "alice@example.org";
	r.ctx.mime_charset = e->charset;
	ct_norm(&r, in, len);
	fixes = ct_fix_rules(&r.rep);
	ok = r.st == e->st && fixes != NULL && strcmp(fixes, e->fixes) == 0 &&
	     (e->report == NULL ||
	      ct_count(&r.rep, e->report, CAL_REPORT) > 0) &&
	     (e->has == NULL ||
	      (r.out.data != NULL && strstr(r.out.data, e->has) != NULL)) &&
	     (r.st == CAL_CHANGED) == (r.out.data != NULL);
	if (!ok) {
		print_message("FAIL %s%s%s: status %s (want %s), fixes \"%s\" "
		              "(want \"%s\")\n",
		              e->file, e->charset ? " charset=" : "",
		              e->charset ? e->charset : "",
		              cal_status_name(r.st), cal_status_name(e->st),
		              fixes ? fixes : "?", e->fixes);
		ct_dump(&r.rep);
	}
	free(fixes);
	ct_free(&r);
	free(in);
	return ok;
}

static void
test_fixtures_ical_expected_outcomes(void **state)
{
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < NTABLE; i++)
		if (!table[i].own)
			bad += !run_one(&table[i]);
	assert_int_equal(bad, 0);
}

/* the rows that show a bug, one test each, so the others stay readable */
static void
test_fixtures_ical_fold_split_utf8_refolded(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NTABLE; i++)
		if (strcmp(table[i].file, "fold-split-utf8.ics") == 0)
			assert_true(run_one(&table[i]));
}

/* every .ics file of the directory has a row in the table */
static void
test_fixtures_ical_all_listed(void **state)
{
	struct dirent *d;
	DIR *dir = opendir(SRCDIR "/" DIR_ICAL);
	size_t i, n = 0;
	int found;

	(void)state;
	assert_non_null(dir);
	while ((d = readdir(dir)) != NULL) {
		if (strstr(d->d_name, ".ics") == NULL)
			continue;
		n++;
		for (found = 0, i = 0; i < NTABLE && !found; i++)
			found = strcmp(table[i].file, d->d_name) == 0;
		if (!found)
			print_message("no expectation for %s\n", d->d_name);
		assert_true(found);
	}
	closedir(dir);
	assert_true(n >= 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixtures_ical_expected_outcomes),
	    cmocka_unit_test(test_fixtures_ical_fold_split_utf8_refolded),
	    cmocka_unit_test(test_fixtures_ical_all_listed),
	};

	cal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
