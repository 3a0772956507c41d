/*
 * test_mime_walk.c - which parts mime_process() selects and which messages
 * it leaves whole: nested message/rfc822 and multipart/report (found, but
 * only the lexical rules apply: R-MIME-7, N-12), selection by file name
 * (plain, RFC 2231, RFC 2047, any case), signed or encrypted content
 * anywhere (N-1), DKIM (N-2), and the ceilings MaxMimeDepth, MaxMimeParts
 * and MaxMessageSize (N-10).
 *
 * The fixtures are in tests/fixtures/mime/.
 */
#include "unit.h"
#include "caltest.h"
#include "mimetest.h"

/* the calendar of the encapsulated fixtures, in canonical form */
#define INNER_CAL_CRLF                                                         \
	"BEGIN:VCALENDAR\r\n"                                                  \
	"VERSION:2.0\r\n"                                                      \
	"PRODID:-//Example Corp//Test 1.0//EN\r\n"                             \
	"BEGIN:VEVENT\r\n"                                                     \
	"UID:mime-1@example.org\r\n"                                           \
	"DTSTART:20250310T090000Z\r\n"                                         \
	"DTEND:20250310T100000Z\r\n"                                           \
	"SUMMARY:Review\r\n"                                                   \
	"ORGANIZER;CN=Alice:mailto:alice@example.org\r\n"                      \
	"ATTENDEE;CN=Bob;RSVP=TRUE:mailto:bob@example.net\r\n"                 \
	"END:VEVENT\r\n"                                                       \
	"END:VCALENDAR\r\n"

/*
 * encapsulated_case - the calendar inside is found and made CRLF (R-LEX-2),
 * but neither METHOD nor DTSTAMP is added, and its label is not touched;
 * everything before the calendar and the closing delimiter are unchanged.
 */
static void
encapsulated_case(const char *fixture, const char *closing)
{
	struct mt m;
	long body, cal, end;

	mt_init(&m);
	mt_run(&m, fixture);
	mt_assert_status(&m, CAL_CHANGED);
	assert_int_equal(m.res.parts_seen, 1);
	assert_int_equal(m.res.parts_changed, 1);
	ct_assert_fixes(&m.res.report, "R-LEX-2");
	assert_false(mt_has(&m, "METHOD:"));
	assert_false(mt_has(&m, "DTSTAMP:"));
	assert_true(mt_has(&m, INNER_CAL_CRLF));
	/* the inner label stays: method=REQUEST is not aligned inside */
	assert_true(mt_has(&m, "Content-Type: text/calendar; charset=utf-8; "
	                       "method=REQUEST\r\n\r\nBEGIN:VCALENDAR"));
	/* the body up to the calendar is byte-identical */
	body = mt_find(m.in, m.inlen, 0, "\r\n\r\n") + 4;
	cal = mt_find(m.in, m.inlen, 0, "BEGIN:VCALENDAR");
	assert_true(body > 4 && cal > body);
	assert_true(m.res.body_len > (size_t)(cal - body));
	assert_memory_equal(m.res.body, m.in + body, (size_t)(cal - body));
	end = mt_find(m.out, m.outlen, 0, closing);
	assert_true(end > 0);
	assert_int_equal(m.outlen - (size_t)end, strlen(closing));
	/* no trace of promotion: the top-level headers are as they were,
	 * apart from the trace header */
	assert_int_equal(m.res.nedits, 1);
	assert_int_equal(mt_edit(&m, 0)->op, MIME_HDR_ADD);
	mt_assert_idempotent(&m);
	mt_free(&m);
}

static void
test_walk_nested_rfc822_found_lexical_only(void **state)
{
	(void)state;
	encapsulated_case("nested-rfc822.eml", "--outer--\r\n");
}

static void
test_walk_multipart_report_found_lexical_only(void **state)
{
	(void)state;
	encapsulated_case("report.eml", "--rep--\r\n");
}

/* NormalizeEncapsulated=no: calendars inside message/rfc822 are left */
static void
test_walk_encapsulated_left_when_policy_no(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	m.pol.normalize_encapsulated = 0;
	mt_run(&m, "nested-rfc822.eml");
	if (m.res.status == CAL_CHANGED)
		mt_dump(&m);
	mt_assert_untouched(&m);
	mt_free(&m);
}

/*
 * A message whose whole body is a message/rfc822 (a forward as the body):
 * the calendar inside is found like any other encapsulated one.
 * BUG (reported): the walker selects it (parts_seen 1), but loc_content()
 * in mime/mime_part.c demands a boundary delimiter after every part that is
 * not the top-level body; here the content runs to the end of the message,
 * so the part is dropped with "the part's bytes are not where the MIME
 * structure says" and its bare LFs stay.
 */
static void
test_walk_toplevel_rfc822_found_lexical_only(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "toplevel-rfc822.eml");
	assert_int_equal(m.res.parts_seen, 1);
	mt_assert_status(&m, CAL_CHANGED);
	ct_assert_fixes(&m.res.report, "R-LEX-2");
	assert_true(mt_has(&m, INNER_CAL_CRLF));
	assert_false(mt_has(&m, "METHOD:"));
	mt_free(&m);
}

/* ---- selection by file name -----------------------------------------------
 */

/*
 * named_case - the part named *.ics is selected and fixed (R-LEX-9).
 * These invitations come from their organizer, so R-MIME-4 would add an
 * inline copy (test_mime_promote.c); here only the selection is looked at.
 */
static void
named_case(const char *fixture)
{
	struct mt m;

	mt_init(&m);
	m.pol.promote_attached = 0;
	mt_run(&m, fixture);
	assert_int_equal(m.res.parts_seen, 1);
	mt_assert_status(&m, CAL_CHANGED);
	assert_int_equal(m.res.parts_changed, 1);
	assert_int_equal(ct_count(&m.res.report, "R-LEX-9", CAL_FIX), 1);
	/* it stays what it was: same type, same transfer encoding */
	assert_true(mt_has(&m, "Content-Transfer-Encoding: base64\r\n"));
	assert_false(mt_has(&m, "text/calendar"));
	mt_assert_idempotent(&m);
	mt_free(&m);
}

static void
test_walk_octet_stream_named_ics_selected(void **state)
{
	(void)state;
	named_case("name-octet-stream.eml");
}

static void
test_walk_text_plain_named_ics_selected(void **state)
{
	(void)state;
	named_case("name-text-plain.eml");
}

static void
test_walk_rfc2231_filename_selected(void **state)
{
	(void)state;
	named_case("name-rfc2231.eml");
}

static void
test_walk_rfc2047_name_selected(void **state)
{
	(void)state;
	named_case("name-rfc2047.eml");
}

static void
test_walk_upper_case_ics_name_selected(void **state)
{
	(void)state;
	named_case("name-upper-ics.eml");
}

/* the same calendar bytes named report.pdf are not a calendar part */
static void
test_walk_other_name_not_selected(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "name-pdf.eml");
	assert_int_equal(m.res.parts_seen, 0);
	assert_int_equal(m.res.reason, MIME_REASON_NO_PARTS);
	mt_assert_untouched(&m);
	mt_free(&m);
}

static void
test_walk_plain_message_no_parts(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "plain.eml");
	mt_assert_status(&m, CAL_UNCHANGED);
	assert_int_equal(m.res.parts_seen, 0);
	assert_int_equal(m.res.reason, MIME_REASON_NO_PARTS);
	mt_assert_untouched(&m);
	mt_free(&m);
}

/* ---- N-1, N-2
 * ----------------------------------------------------------------- */

static void
whole_untouched_case(const char *fixture, enum mime_reason why)
{
	struct mt m;

	mt_init(&m);
	mt_run(&m, fixture);
	mt_assert_status(&m, CAL_SKIPPED);
	assert_int_equal(m.res.reason, why);
	assert_int_equal(m.res.parts_changed, 0);
	mt_assert_untouched(&m);
	mt_free(&m);
}

static void
test_walk_multipart_signed_untouched(void **state)
{
	(void)state;
	whole_untouched_case("signed.eml", MIME_REASON_SIGNED);
}

/* the PGP block comes after the calendar: the calendar is still left */
static void
test_walk_inline_pgp_untouched(void **state)
{
	(void)state;
	whole_untouched_case("inline-pgp.eml", MIME_REASON_SIGNED);
}

static void
test_walk_pkcs7_mime_untouched(void **state)
{
	(void)state;
	whole_untouched_case("pkcs7.eml", MIME_REASON_SIGNED);
}

static void
test_walk_dkim_signed_untouched(void **state)
{
	(void)state;
	whole_untouched_case("dkim.eml", MIME_REASON_DKIM);
}

/* a base64 PGP block is found too (the walk looks at decoded text) */
static void
test_walk_inline_pgp_in_base64_untouched(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_runs(
	    &m,
	    "From: a@example.org\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n"
	    "--x\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\n"
	    "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nEND:VEVENT\nEND:VCALENDAR\n"
	    "\r\n--x\r\nContent-Type: text/plain\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    /* "-----BEGIN PGP MESSAGE-----\nhQ==\n" */
	    "LS0tLS1CRUdJTiBQR1AgTUVTU0FHRS0tLS0tCmhRPT0K\r\n"
	    "--x--\r\n");
	mt_assert_status(&m, CAL_SKIPPED);
	assert_int_equal(m.res.reason, MIME_REASON_SIGNED);
	mt_assert_untouched(&m);
	mt_free(&m);
}

/* ---- ceilings
 * ------------------------------------------------------------------ */

/* deep.eml: the calendar is the fourth level (mixed > mixed > mixed) */
static void
test_walk_max_depth_limit(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	m.pol.max_depth = 3;
	mt_run(&m, "deep.eml");
	mt_assert_status(&m, CAL_LIMIT);
	assert_int_equal(m.res.reason, MIME_REASON_LIMIT);
	assert_non_null(strstr(m.res.detail, "MaxMimeDepth"));
	mt_assert_untouched(&m);
	mt_free(&m);
}

static void
test_walk_depth_at_limit_walked(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	m.pol.max_depth = 4;
	mt_run(&m, "deep.eml");
	mt_assert_status(&m, CAL_CHANGED);
	assert_int_equal(m.res.parts_seen, 1);
	mt_free(&m);
}

/* many-parts.eml: six objects (the multipart and five leaves) */
static void
test_walk_max_parts_limit(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	m.pol.max_parts = 5;
	mt_run(&m, "many-parts.eml");
	mt_assert_status(&m, CAL_LIMIT);
	assert_int_equal(m.res.reason, MIME_REASON_LIMIT);
	assert_non_null(strstr(m.res.detail, "MaxMimeParts"));
	mt_assert_untouched(&m);
	mt_free(&m);
}

static void
test_walk_parts_at_limit_walked(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	m.pol.max_parts = 6;
	mt_run(&m, "many-parts.eml");
	mt_assert_status(&m, CAL_CHANGED);
	assert_int_equal(m.res.parts_seen, 1);
	mt_free(&m);
}

static void
test_walk_max_message_size_limit(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "deep.eml");
	m.pol.max_message_size = m.inlen - 1;
	mt_process(&m);
	mt_assert_status(&m, CAL_LIMIT);
	assert_int_equal(m.res.reason, MIME_REASON_LIMIT);
	mt_assert_untouched(&m);
	mt_free(&m);
}

/* MaxPartSize (the core's max_bytes) leaves the whole message */
static void
test_walk_max_part_size_limit(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	m.pol.cal_limits.max_bytes = 100;
	mt_run(&m, "deep.eml");
	mt_assert_status(&m, CAL_LIMIT);
	assert_int_equal(m.res.reason, MIME_REASON_LIMIT);
	mt_assert_untouched(&m);
	mt_free(&m);
}

/* a limit anywhere leaves every part, even one fixed before it */
static void
test_walk_limit_in_second_part_leaves_first(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	m.pol.cal_limits.max_lines = 20;
	mt_runs(
	    &m,
	    "From: a@example.org\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n"
	    "--x\r\nContent-Type: text/calendar; method=PUBLISH\r\n\r\n"
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\n"
	    "BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20250101T000000Z\r\n"
	    "DTSTART:20250101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n\r\n"
	    "--x\r\nContent-Type: text/calendar; method=PUBLISH\r\n\r\n"
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
	    "METHOD:PUBLISH\r\nBEGIN:VEVENT\r\nUID:2\r\n"
	    "DTSTAMP:20250101T000000Z\r\nDTSTART:20250101T100000Z\r\n"
	    "X-A:1\r\nX-B:2\r\nX-C:3\r\nX-D:4\r\nX-E:5\r\nX-F:6\r\nX-G:7\r\n"
	    "X-H:8\r\nX-I:9\r\nX-J:10\r\nX-K:11\r\nX-L:12\r\nX-M:13\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n\r\n--x--\r\n");
	mt_assert_status(&m, CAL_LIMIT);
	assert_null(m.res.body);
	assert_int_equal(m.res.nedits, 0);
	mt_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_walk_nested_rfc822_found_lexical_only),
	    cmocka_unit_test(test_walk_multipart_report_found_lexical_only),
	    cmocka_unit_test(test_walk_encapsulated_left_when_policy_no),
	    cmocka_unit_test(test_walk_toplevel_rfc822_found_lexical_only),
	    cmocka_unit_test(test_walk_octet_stream_named_ics_selected),
	    cmocka_unit_test(test_walk_text_plain_named_ics_selected),
	    cmocka_unit_test(test_walk_rfc2231_filename_selected),
	    cmocka_unit_test(test_walk_rfc2047_name_selected),
	    cmocka_unit_test(test_walk_upper_case_ics_name_selected),
	    cmocka_unit_test(test_walk_other_name_not_selected),
	    cmocka_unit_test(test_walk_plain_message_no_parts),
	    cmocka_unit_test(test_walk_multipart_signed_untouched),
	    cmocka_unit_test(test_walk_inline_pgp_untouched),
	    cmocka_unit_test(test_walk_pkcs7_mime_untouched),
	    cmocka_unit_test(test_walk_dkim_signed_untouched),
	    cmocka_unit_test(test_walk_inline_pgp_in_base64_untouched),
	    cmocka_unit_test(test_walk_max_depth_limit),
	    cmocka_unit_test(test_walk_depth_at_limit_walked),
	    cmocka_unit_test(test_walk_max_parts_limit),
	    cmocka_unit_test(test_walk_parts_at_limit_walked),
	    cmocka_unit_test(test_walk_max_message_size_limit),
	    cmocka_unit_test(test_walk_max_part_size_limit),
	    cmocka_unit_test(test_walk_limit_in_second_part_leaves_first),
	};

	mime_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
