/*
 * test_mime_scan.c - the body scan (mime_scan_body): "no" for a multipart
 * body whose part headers cannot start a calendar or vCard part, "maybe"
 * for every one that can, however the body is cut into chunks: a field
 * split between chunks, folded, with RFC 2231 continuations or RFC 2047
 * names; and each "no" holds on the slow path (mime_process).
 */
#include "unit.h"
#include "caltest.h"
#include "mimetest.h"

#define HEAD                                                                   \
	"From: a@example.org\r\nMIME-Version: 1.0\r\n"                         \
	"Content-Type: multipart/mixed; boundary=b\r\n\r\n"

/* scan_in - the verdict on body, handed over in chunks of step bytes */
static int
scan_in(const char *body, size_t step)
{
	struct mime_scan s = {0, 0};
	size_t len = strlen(body), have = 0;

	while (have < len) {
		have = have + step < len ? have + step : len;
		mime_scan_body(&s, (const uint8_t *)body, have, 0);
	}
	mime_scan_body(&s, (const uint8_t *)body, len, 1);
	return s.maybe;
}

/* scan - the verdict, the same for every chunk size; a "no" is checked
 * against mime_process() on the whole message */
static int
scan(const char *body)
{
	static const size_t steps[] = {1, 2, 3, 7, 13, 64, 4096};
	struct mime_policy pol;
	struct mime_result res;
	char *msg;
	size_t i;
	int v = scan_in(body, strlen(body) + 1);

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		assert_int_equal(scan_in(body, steps[i]), v);
	if (v == 0) {
		msg = g_strconcat(HEAD, body, NULL);
		mime_policy_default(&pol);
		pol.now = MT_NOW;
		mime_process(&res, (const uint8_t *)msg, strlen(msg), &pol);
		assert_int_equal(res.parts_seen, 0);
		mime_result_free(&res);
		g_free(msg);
	}
	return v;
}

#define PART(hdrs, text) "--b\r\n" hdrs "\r\n" text "\r\n"
#define END              "--b--\r\n"

static void
test_scan_no_calendar(void **state)
{
	(void)state;
	assert_int_equal(scan(PART("Content-Type: text/plain; charset=utf-8\r\n",
	                           "Hello, see the attachment - it is a PDF.")
	                          PART("Content-Type: application/pdf; "
	                               "name=\"report.pdf\"\r\n"
	                               "Content-Transfer-Encoding: base64\r\n"
	                               "Content-Disposition: attachment;\r\n"
	                               "\tfilename=\"report.pdf\"\r\n",
	                               "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9M")
	                              END),
	                 0);
	assert_int_equal(scan(""), 0);
	assert_int_equal(scan("no parts at all\r\n"), 0);
}

static void
test_scan_types(void **state)
{
	(void)state;
	assert_int_equal(scan(PART("Content-Type: text/calendar\r\n", "x") END),
	                 1);
	assert_int_equal(scan(PART("content-type: TEXT/VCARD\r\n", "x") END),
	                 1);
	assert_int_equal(
	    scan(PART("Content-Type: application/ics\r\n", "x") END), 1);
	assert_int_equal(
	    scan(PART("Content-Type: text/x-vcalendar\r\n", "x") END), 1);
	assert_int_equal(
	    scan(PART("Content-Type: text/directory\r\n", "x") END), 1);
	/* nested, inside a forwarded message */
	assert_int_equal(scan(PART("Content-Type: message/rfc822\r\n",
	                           "Subject: fw\r\nContent-Type: "
	                           "text/calendar\r\n\r\nBEGIN:VCALENDAR") END),
	                 1);
}

static void
test_scan_folded_and_split(void **state)
{
	(void)state;
	/* the type on a continuation line */
	assert_int_equal(
	    scan(PART("Content-Type:\r\n text/calendar;\r\n\tmethod=REQUEST\r\n",
	              "x") END),
	    1);
	/* a name folded in the middle of its suffix */
	assert_int_equal(
	    scan(PART("Content-Type: application/octet-stream;\r\n"
	              " name=\"invite.i\r\n cs\"\r\n",
	              "x") END),
	    1);
	/* LF only, and the field the last bytes of the body */
	assert_int_equal(scan("--b\nContent-Type: text/calendar"), 1);
	assert_int_equal(scan("--b\nContent-Disposition: attachment; "
	                      "filename=a.VCF\n\nx\n--b--\n"),
	                 1);
}

static void
test_scan_encoded_names(void **state)
{
	(void)state;
	/* RFC 2231 continuations and percent-encoding */
	assert_int_equal(
	    scan(PART("Content-Type: application/octet-stream;\r\n"
	              " name*0=\"inv\";\r\n name*1=\"ite.i\"; name*2=\"cs\"\r\n",
	              "x") END),
	    1);
	assert_int_equal(
	    scan(PART("Content-Disposition: attachment;\r\n"
	              " filename*=utf-8''invite%2Eics\r\n",
	              "x") END),
	    1);
	/* RFC 2047 */
	assert_int_equal(
	    scan(PART("Content-Type: application/octet-stream;\r\n"
	              " name=\"=?utf-8?B?aW52aXRlLmljcw==?=\"\r\n",
	              "x") END),
	    1);
	/* a quoted-pair */
	assert_int_equal(
	    scan(PART("Content-Type: application/octet-stream; "
	              "name=\"invite.i\\cs\"\r\n",
	              "x") END),
	    1);
}

/* only Content-Type and Content-Disposition are read */
static void
test_scan_other_fields(void **state)
{
	(void)state;
	assert_int_equal(scan(PART("Content-Type: text/plain\r\n"
	                           "Content-Description: calendar.ics\r\n"
	                           "Content-ID: <vcard@x>\r\n",
	                           "x") END),
	                 0);
	/* a field name cut at the end of the body */
	assert_int_equal(scan("--b\r\nContent-Ty"), 0);
	assert_int_equal(scan("--b\r\nContent-"), 0);
}

/* a value too long to judge is "maybe" */
static void
test_scan_long_value(void **state)
{
	GString *b = g_string_new("--b\r\nContent-Type: application/pdf;\r\n");
	int i;

	(void)state;
	for (i = 0; i < 200; i++)
		g_string_append(b, " x-param-with-a-long-name=\"value\";\r\n");
	g_string_append(b, "\r\nx\r\n--b--\r\n");
	assert_int_equal(scan_in(b->str, 4096), 1);
	assert_int_equal(scan_in(b->str, 1), 1);
	g_string_free(b, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scan_no_calendar),
	    cmocka_unit_test(test_scan_types),
	    cmocka_unit_test(test_scan_folded_and_split),
	    cmocka_unit_test(test_scan_encoded_names),
	    cmocka_unit_test(test_scan_other_fields),
	    cmocka_unit_test(test_scan_long_value),
	};

	mime_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
