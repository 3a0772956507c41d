/*
 * test_mime_fast.c - the fast path (mime_fast_*): from the top-level
 * headers alone, "no" only when no part can be a calendar or vCard (or the
 * message is left whole anyway: N-1, N-2), "maybe" for everything else -
 * a safe superset of what the walker selects.
 */
#include "unit.h"
#include "caltest.h"
#include "mimetest.h"

#include "../../mime/mime_int.h"

/* the DKIM policy the next fast() runs with (tests reset it) */
static enum mime_dkim_policy fast_dkim = MIME_DKIM_SKIP;
static const char *fast_trusted = NULL;

/*
 * fast - feed name/value pairs (NULL-terminated) and return the verdict;
 * *why gets the reason word.
 */
static int
fast(const char **why, ...)
{
	struct mime_policy pol;
	struct mime_fast *f;
	const char *name, *value;
	static char reason[32];
	va_list ap;
	int r;

	mime_policy_default(&pol);
	pol.dkim = fast_dkim;
	pol.trusted_authserv_ids = fast_trusted;
	f = mime_fast_new(&pol);
	assert_non_null(f);
	va_start(ap, why);
	while ((name = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		mime_fast_header(f, name, value);
	}
	va_end(ap);
	r = mime_fast_needs_body(f);
	snprintf(reason, sizeof(reason), "%s", mime_fast_reason(f));
	mime_fast_free(f);
	if (why != NULL)
		*why = reason;
	return r;
}

/* the usual headers of a message, then one Content-Type */
static int
fast_ct(const char *ctype)
{
	return fast(NULL, "From", " a@example.org", "Subject", " hi",
	            "MIME-Version", " 1.0", "Content-Type", ctype, NULL);
}

/* ---- "no" ---------------------------------------------------------------- */

static void
test_fast_no_for_text_plain(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(fast_ct(" text/plain; charset=us-ascii"), 0);
	assert_int_equal(fast(&why, "Content-Type", " text/plain", NULL), 0);
	assert_string_equal(why, "plain");
}

static void
test_fast_no_for_text_html(void **state)
{
	(void)state;
	assert_int_equal(fast_ct(" text/html; charset=\"utf-8\""), 0);
}

static void
test_fast_no_for_pdf_named_report_pdf(void **state)
{
	(void)state;
	assert_int_equal(fast(NULL, "Content-Type",
	                      " application/pdf; name=\"report.pdf\"",
	                      "Content-Disposition",
	                      " attachment; filename=\"report.pdf\"", NULL),
	                 0);
}

/* no Content-Type at all: text/plain (RFC 2045 5.2) */
static void
test_fast_no_without_content_type(void **state)
{
	(void)state;
	assert_int_equal(fast(NULL, "From", " a@example.org", "Subject",
	                      " Invitation.ics", NULL),
	                 0);
}

static void
test_fast_no_for_dkim_signed(void **state)
{
	const char *why;

	(void)state;
	/* even a calendar: the slow path would leave it whole (N-2) */
	assert_int_equal(fast(&why, "DKIM-Signature", " v=1; a=rsa-sha256; d=x",
	                      "Content-Type", " text/calendar; method=REQUEST",
	                      NULL),
	                 0);
	assert_string_equal(why, "dkim");
	assert_int_equal(fast(NULL, "Content-Type", " multipart/mixed",
	                      "dkim-signature", " v=1", NULL),
	                 0);
}

/* DkimSigned rewrite: a signature is no reason to say no */
static void
test_fast_dkim_rewrite_maybe(void **state)
{
	const char *why;

	(void)state;
	fast_dkim = MIME_DKIM_REWRITE;
	assert_int_equal(fast(&why, "DKIM-Signature", " v=1; d=x; h=from",
	                      "Content-Type", " text/calendar; method=REQUEST",
	                      NULL),
	                 1);
	assert_string_equal(why, "type");
	/* and a plain message is still a "no", for its type */
	assert_int_equal(fast(&why, "DKIM-Signature", " v=1; d=x; h=from",
	                      "Content-Type", " text/plain", NULL),
	                 0);
	assert_string_equal(why, "plain");
	fast_dkim = MIME_DKIM_SKIP;
}

/* DkimSigned verified: decided by the same code as the slow path, from
 * the same DKIM-Signature and Authentication-Results fields */
static void
test_fast_dkim_verified(void **state)
{
	const char *why;

	(void)state;
	fast_dkim = MIME_DKIM_VERIFIED;
	fast_trusted = "mx.example.net";
	assert_int_equal(fast(&why, "DKIM-Signature", " v=1; d=example.org;\n"
	                      "\th=from; b=AAAA",
	                      "Content-Type", " text/calendar; method=REQUEST",
	                      NULL),
	                 0);
	assert_string_equal(why, "dkim");
	assert_int_equal(fast(&why, "Authentication-Results", " mx.example.net;"
	                      "\n\tdkim=pass header.d=example.org",
	                      "DKIM-Signature", " v=1; d=example.org;\n"
	                      "\th=from; b=AAAA",
	                      "Content-Type", " text/calendar; method=REQUEST",
	                      NULL),
	                 1);
	assert_int_equal(fast(&why, "Authentication-Results", " mx.evil.example;"
	                      " dkim=pass header.d=example.org",
	                      "DKIM-Signature", " v=1; d=example.org; b=AAAA",
	                      "Content-Type", " text/calendar; method=REQUEST",
	                      NULL),
	                 0);
	fast_dkim = MIME_DKIM_SKIP;
	fast_trusted = NULL;
}

static void
test_fast_no_for_multipart_signed(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(fast(&why, "Content-Type",
	                      " multipart/signed; protocol=\"application/"
	                      "pgp-signature\"; boundary=x",
	                      NULL),
	                 0);
	assert_string_equal(why, "signed");
}

static void
test_fast_no_for_encrypted(void **state)
{
	(void)state;
	assert_int_equal(fast_ct(" multipart/encrypted; boundary=x"), 0);
	assert_int_equal(fast_ct(" application/pkcs7-mime; "
	                         "smime-type=enveloped-data"),
	                 0);
	assert_int_equal(fast_ct(" application/x-pkcs7-mime"), 0);
}

/* ---- "maybe" ---------------------------------------------------------------
 */

static void
test_fast_maybe_for_multipart(void **state)
{
	(void)state;
	assert_int_equal(fast_ct(" multipart/mixed; boundary=\"b\""), 1);
	assert_int_equal(fast_ct(" multipart/alternative; boundary=b"), 1);
	assert_int_equal(fast_ct(" Multipart/Related; boundary=b"), 1);
	assert_int_equal(fast_ct(" multipart/report; report-type=x"), 1);
}

static void
test_fast_maybe_for_message_rfc822(void **state)
{
	(void)state;
	assert_int_equal(fast_ct(" message/rfc822"), 1);
}

/* every type the walker selects by type alone (mime_walk.c) */
static void
test_fast_maybe_for_every_calendar_and_vcard_type(void **state)
{
	static const char *const types[] = {
	    "text/calendar",    "application/ics", "application/x-ics",
	    "text/x-vcalendar", "text/vcard",      "text/x-vcard",
	    "text/directory",   "TEXT/CALENDAR",   NULL};
	char v[128];
	size_t i;

	(void)state;
	for (i = 0; types[i] != NULL; i++) {
		assert_int_equal(mime_is_candidate_type(types[i]), 1);
		snprintf(v, sizeof(v), " %s; charset=utf-8", types[i]);
		assert_int_equal(fast_ct(v), 1);
		snprintf(v, sizeof(v), "%s", types[i]);
		assert_int_equal(fast_ct(v), 1);
	}
}

static void
test_fast_maybe_for_octet_stream_named_ics(void **state)
{
	(void)state;
	assert_int_equal(fast_ct(" application/octet-stream; name=\"x.ics\""),
	                 1);
	assert_int_equal(fast_ct(" application/octet-stream; name=X.ICS"), 1);
	assert_int_equal(fast_ct(" application/octet-stream; name=\"a.vcs\""),
	                 1);
	assert_int_equal(fast_ct(" application/octet-stream; name=\"b.vcf\""),
	                 1);
	assert_int_equal(fast_ct(" text/plain; name=\"invite.ics\""), 1);
}

static void
test_fast_maybe_for_disposition_filename(void **state)
{
	(void)state;
	assert_int_equal(fast(NULL, "Content-Type", " application/octet-stream",
	                      "Content-Disposition",
	                      " attachment; filename=\"invite.ics\"", NULL),
	                 1);
}

static void
test_fast_maybe_for_rfc2231_names(void **state)
{
	(void)state;
	/* the extension split over two sections */
	assert_int_equal(fast(NULL, "Content-Type", " application/octet-stream",
	                      "Content-Disposition",
	                      " attachment;\r\n filename*0=\"invite.i\";\r\n"
	                      " filename*1=\"cs\"",
	                      NULL),
	                 1);
	/* percent-encoded dot */
	assert_int_equal(fast_ct(" application/octet-stream; "
	                         "name*=UTF-8''invite%2Eics"),
	                 1);
}

static void
test_fast_maybe_for_rfc2047_name(void **state)
{
	(void)state;
	/* "invite.ics" in base64 */
	assert_int_equal(fast_ct(" application/octet-stream; "
	                         "name=\"=?UTF-8?B?aW52aXRlLmljcw==?=\""),
	                 1);
	/* "invite.ics" in Q, the dot encoded */
	assert_int_equal(
	    fast(NULL, "Content-Type", " application/octet-stream",
	         "Content-Disposition",
	         " attachment; filename=\"=?utf-8?Q?invite=2Eics?=\"", NULL),
	    1);
}

static void
test_fast_maybe_for_duplicate_content_type(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(fast(&why, "Content-Type", " text/plain",
	                      "Content-Type", " text/calendar", NULL),
	                 1);
	assert_string_equal(why, "ambiguous");
	assert_int_equal(fast(NULL, "Content-Type", " text/plain",
	                      "content-type", " text/plain", NULL),
	                 1);
}

static void
test_fast_maybe_for_duplicate_disposition(void **state)
{
	(void)state;
	assert_int_equal(fast(NULL, "Content-Type", " text/plain",
	                      "Content-Disposition", " inline",
	                      "Content-Disposition", " attachment", NULL),
	                 1);
}

static void
test_fast_maybe_for_unparsable_content_type(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(fast(&why, "Content-Type", " garbage", NULL), 1);
	assert_string_equal(why, "unparsable");
	assert_int_equal(fast_ct(""), 1);
	assert_int_equal(fast_ct(" ;charset=utf-8"), 1);
}

static void
test_fast_maybe_without_content_type_but_ics_filename(void **state)
{
	(void)state;
	assert_int_equal(fast(NULL, "From", " a@example.org",
	                      "Content-Disposition",
	                      " attachment; filename=a.ics", NULL),
	                 1);
}

/* a folded Content-Type is read whole */
static void
test_fast_maybe_for_folded_content_type(void **state)
{
	(void)state;
	assert_int_equal(
	    fast_ct(" application/octet-stream;\r\n\tname=\"x.ics\""), 1);
	assert_int_equal(fast_ct(" multipart/mixed;\n\tboundary=\"b\""), 1);
	assert_int_equal(fast_ct("\r\n text/calendar"), 1);
}

/* the header names are case-insensitive */
static void
test_fast_header_names_any_case(void **state)
{
	(void)state;
	assert_int_equal(fast(NULL, "CONTENT-TYPE", " text/calendar", NULL), 1);
	assert_int_equal(fast(NULL, "content-disposition",
	                      " attachment; filename=x.ics", NULL),
	                 1);
}

/* a parameter whose value is only white space: an empty value, and no
 * read past the segment (fuzz_mime: the skip ran past its trimmed end and
 * the length wrapped around) */
static void
test_ctype_param_blank_value_empty(void **state)
{
	char *v;

	(void)state;
	v = mime_ctype_param("text/calendar; charset=\f", "charset");
	assert_non_null(v);
	assert_string_equal(v, "");
	free(v);
	v = mime_ctype_param("text/calendar; charset= \t ; method=REQUEST",
	                     "charset");
	assert_non_null(v);
	assert_string_equal(v, "");
	free(v);
	v = mime_ctype_param("text/calendar; method= REQUEST", "method");
	assert_non_null(v);
	assert_string_equal(v, "REQUEST");
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ctype_param_blank_value_empty),
	    cmocka_unit_test(test_fast_no_for_text_plain),
	    cmocka_unit_test(test_fast_no_for_text_html),
	    cmocka_unit_test(test_fast_no_for_pdf_named_report_pdf),
	    cmocka_unit_test(test_fast_no_without_content_type),
	    cmocka_unit_test(test_fast_no_for_dkim_signed),
	    cmocka_unit_test(test_fast_dkim_rewrite_maybe),
	    cmocka_unit_test(test_fast_dkim_verified),
	    cmocka_unit_test(test_fast_no_for_multipart_signed),
	    cmocka_unit_test(test_fast_no_for_encrypted),
	    cmocka_unit_test(test_fast_maybe_for_multipart),
	    cmocka_unit_test(test_fast_maybe_for_message_rfc822),
	    cmocka_unit_test(test_fast_maybe_for_every_calendar_and_vcard_type),
	    cmocka_unit_test(test_fast_maybe_for_octet_stream_named_ics),
	    cmocka_unit_test(test_fast_maybe_for_disposition_filename),
	    cmocka_unit_test(test_fast_maybe_for_rfc2231_names),
	    cmocka_unit_test(test_fast_maybe_for_rfc2047_name),
	    cmocka_unit_test(test_fast_maybe_for_duplicate_content_type),
	    cmocka_unit_test(test_fast_maybe_for_duplicate_disposition),
	    cmocka_unit_test(test_fast_maybe_for_unparsable_content_type),
	    cmocka_unit_test(
	        test_fast_maybe_without_content_type_but_ics_filename),
	    cmocka_unit_test(test_fast_maybe_for_folded_content_type),
	    cmocka_unit_test(test_fast_header_names_any_case),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
