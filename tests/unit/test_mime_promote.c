/*
 * test_mime_promote.c - R-MIME-4: an invitation sent only as an attachment
 * gets an inline text/calendar copy, in every shape of message the issue
 * names, and only when the guard allows it; every part and header that was
 * there stays byte for byte; the structure changes only where MIME is
 * unambiguous; N-1, R-MIME-7 and the per-rule switches hold.
 *
 * Fixtures: tests/fixtures/mime/promote-*.eml and friends. They come from
 * alice@example.org, the ORGANIZER, unless a test says otherwise.
 */
#include "unit.h"
#include "caltest.h"
#include "mimetest.h"

#define COPY_CT "Content-Type: text/calendar; charset=utf-8; method="

/* ---- helpers ------------------------------------------------------------- */

/* header_len - the header block of msg, without its empty line */
static size_t
header_len(const uint8_t *msg, size_t len)
{
	long e = mt_find(msg, len, 0, "\r\n\r\n");

	assert_true(e >= 0);
	return (size_t)e + 2;
}

/*
 * assert_headers_kept - the relayed header block is the original one with
 * only the trace header added at its end
 */
static void
assert_headers_kept(const struct mt *m)
{
	size_t h = header_len(m->in, m->inlen);

	assert_non_null(m->out);
	assert_memory_equal(m->out, m->in, h);
	assert_int_equal(mt_find(m->out, m->outlen, h, "X-Calmilter: "),
	                 (long)h);
}

/*
 * assert_region_kept - the input bytes from the line starting with from up
 * to (not including) the next line starting with to occur, unchanged, in
 * the output
 */
static void
assert_region_kept(const struct mt *m, const char *from, const char *to)
{
	long s = mt_find(m->in, m->inlen, 0, from), e;
	char *region;

	assert_true(s >= 0);
	e = mt_find(m->in, m->inlen, (size_t)s + 1, to);
	assert_true(e > s);
	region = g_strndup((const char *)m->in + s, (gsize)(e - s));
	if (!mt_has(m, region))
		print_message("not kept:\n%s\n", region);
	assert_true(mt_has(m, region));
	g_free(region);
}

/* count - occurrences of needle in the output */
static int
count(const struct mt *m, const char *needle)
{
	long at = 0;
	int n = 0;

	while ((at = mt_find(m->out, m->outlen, (size_t)at, needle)) >= 0) {
		n++;
		at++;
	}
	return n;
}

/* promoted - run fixture; it must be changed with one R-MIME-4 fix */
static void
promoted(struct mt *m, const char *fixture, const char *method)
{
	char ct[128];
	int n;

	mt_run(m, fixture);
	mt_assert_status(m, CAL_CHANGED);
	assert_int_equal(ct_count(&m->res.report, "R-MIME-4", CAL_FIX), 1);
	snprintf(ct, sizeof(ct), COPY_CT "%s\r\nContent-Transfer-Encoding: "
	         "7bit\r\n\r\n", method);
	n = count(m, ct);
	snprintf(ct, sizeof(ct), COPY_CT "%s\r\nContent-Transfer-Encoding: "
	         "base64\r\n\r\n", method);
	assert_int_equal(n + count(m, ct), 1);
	mt_assert_idempotent(m);
}

/* refused - run fixture; nothing promoted, with an R-MIME-4 report */
static void
refused(struct mt *m, const char *why)
{
	mt_process(m);
	if (ct_count(&m->res.report, "R-MIME-4", CAL_FIX) != 0 ||
	    ct_text(&m->res.report, "R-MIME-4", CAL_REPORT) == NULL)
		mt_dump(m);
	assert_int_equal(ct_count(&m->res.report, "R-MIME-4", CAL_FIX), 0);
	assert_non_null(ct_text(&m->res.report, "R-MIME-4", CAL_REPORT));
	assert_non_null(strstr(ct_text(&m->res.report, "R-MIME-4",
	                               CAL_REPORT), why));
	assert_false(mt_has(m, COPY_CT));
}

/* set_input - a fixture with one string replaced */
static void
set_input(struct mt *m, const char *fixture, const char *from, const char *to)
{
	char path[256];
	GString *s;
	char *in;
	size_t len;

	snprintf(path, sizeof(path), MT_FIXTURES "%s", fixture);
	in = unit_read_file(path, &len);
	s = g_string_new_len(in, (gssize)len);
	free(in);
	if (from != NULL)
		assert_true(g_string_replace(s, from, to, 1) == 1);
	free(m->in);
	m->inlen = s->len;
	m->in = (uint8_t *)g_string_free(s, FALSE);
}

/* ---- the shapes ------------------------------------------------------------ */

/* mixed { text/plain, application/ics }: the text and the copy become an
 * alternative; preamble, epilogue, both parts keep their bytes */
static void
test_promote_wrap_text_plain(void **state)
{
	struct mt m;
	long alt, copy, text;

	(void)state;
	mt_init(&m);
	promoted(&m, "promote-plain.eml", "REQUEST");
	assert_headers_kept(&m);
	assert_region_kept(&m, "This is a multi-part", "--pm\r\n");
	assert_region_kept(&m, "Content-Type: text/plain", "--pm\r\n");
	assert_region_kept(&m, "--pm\r\nContent-Type: application/ics",
	                   "--pm--");
	assert_region_kept(&m, "--pm--", "epilogue\r\n");
	/* the order: alternative { text/plain, copy }, then the attachment */
	alt = mt_find(m.out, m.outlen, 0, "Content-Type: multipart/alternative");
	text = mt_find(m.out, m.outlen, 0, "Content-Type: text/plain");
	copy = mt_find(m.out, m.outlen, 0, COPY_CT);
	assert_true(alt > 0 && alt < text && text < copy);
	assert_true(copy < mt_find(m.out, m.outlen, 0,
	                           "Content-Type: application/ics"));
	assert_true(mt_has(&m, "Content-Transfer-Encoding: 7bit\r\n\r\n"
	                       "BEGIN:VCALENDAR\r\n"));
	assert_non_null(strstr(ct_text(&m.res.report, "R-MIME-4", CAL_FIX),
	                       "new multipart/alternative"));
	mt_free(&m);
}

/* mixed { alternative { plain, html }, text/calendar attachment }: the copy
 * is the alternative's last child */
static void
test_promote_append_to_alternative(void **state)
{
	struct mt m;
	long html, copy, end;

	(void)state;
	mt_init(&m);
	promoted(&m, "promote-alt.eml", "REQUEST");
	assert_headers_kept(&m);
	assert_region_kept(&m, "--pa-alt\r\nContent-Type: text/plain",
	                   "--pa-alt--");
	assert_region_kept(&m, "--pa-mix\r\nContent-Type: text/calendar",
	                   "--pa-mix--");
	html = mt_find(m.out, m.outlen, 0, "Content-Type: text/html");
	copy = mt_find(m.out, m.outlen, 0, COPY_CT "REQUEST\r\n");
	end = mt_find(m.out, m.outlen, 0, "--pa-alt--");
	assert_true(html > 0 && html < copy && copy < end);
	assert_int_equal(count(&m, "multipart/alternative"), 1);
	/* the attachment is not made inline: its disposition stays */
	assert_int_equal(count(&m, "Content-Disposition: attachment"), 1);
	mt_free(&m);
}

/* mixed { related { html, png }, application/ics }: wrapped */
static void
test_promote_wrap_related(void **state)
{
	struct mt m;
	long alt, rel, copy;

	(void)state;
	mt_init(&m);
	promoted(&m, "promote-related.eml", "REQUEST");
	assert_headers_kept(&m);
	assert_region_kept(&m, "Content-Type: multipart/related", "--pr-mix\r\n");
	alt = mt_find(m.out, m.outlen, 0, "Content-Type: multipart/alternative");
	rel = mt_find(m.out, m.outlen, 0, "Content-Type: multipart/related");
	copy = mt_find(m.out, m.outlen, 0, COPY_CT);
	assert_true(alt > 0 && alt < rel && rel < copy);
	mt_free(&m);
}

/* mixed { pdf, application/ics }: no text body, the copy comes first */
static void
test_promote_first_child(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	promoted(&m, "promote-first.eml", "REQUEST");
	assert_headers_kept(&m);
	assert_region_kept(&m, "--pf\r\nContent-Type: application/pdf", "--pf--");
	assert_true(mt_find(m.out, m.outlen, 0, "--pf\r\n" COPY_CT) <
	            mt_find(m.out, m.outlen, 0, "application/pdf"));
	assert_false(mt_has(&m, "multipart/alternative"));
	mt_free(&m);
}

/*
 * The message is the attachment alone: it becomes multipart/mixed { copy,
 * attachment }; Content-Type, Content-Transfer-Encoding and
 * Content-Disposition move into the attachment's part, in their order,
 * byte for byte; every other header stays where it was.
 */
static void
test_promote_single_part_restructured(void **state)
{
	static const char moved[] =
	    "Content-Type: application/ics; name=\"invite.ics\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "Content-Disposition: attachment; filename=\"invite.ics\"\r\n\r\n";
	struct mt m;
	size_t body;
	char *b64;
	long cut;

	(void)state;
	mt_init(&m);
	promoted(&m, "promote-top.eml", "REQUEST");
	assert_true(mt_has(&m, "MIME-Version: 1.0\r\nContent-Type: multipart/"
	                       "mixed;\r\n\tboundary=\"=_calmilter_"));
	/* Content-Description stays at the top, as N-9 wants */
	assert_true(mt_has(&m, "Content-Description: invitation\r\n"));
	assert_true(mt_has(&m, moved));
	body = header_len(m.in, m.inlen) + 2;
	b64 = g_strndup((const char *)m.in + body, m.inlen - body);
	assert_true(mt_has(&m, b64)); /* the original body, unchanged */
	g_free(b64);
	/* the top no longer says base64 or attachment */
	cut = mt_find(m.out, m.outlen, 0, "\r\n\r\n");
	assert_true(mt_find(m.out, (size_t)cut, 0, "base64") < 0);
	assert_true(mt_find(m.out, (size_t)cut, 0, "attachment") < 0);
	assert_true(mt_find(m.out, m.outlen, 0, COPY_CT) <
	            mt_find(m.out, m.outlen, 0, moved));
	mt_free(&m);
}

/* an 8bit single part: the label moves, and the multipart keeps saying
 * 8bit (RFC 2045 6.4) */
static void
test_promote_single_part_8bit_label_kept(void **state)
{
	struct mt m;
	long cut;

	(void)state;
	mt_init(&m);
	promoted(&m, "promote-top-8bit.eml", "REQUEST");
	cut = mt_find(m.out, m.outlen, 0, "\r\n\r\n");
	assert_true(mt_find(m.out, (size_t)cut, 0,
	                    "Content-Transfer-Encoding: 8bit\r\n") > 0);
	assert_true(mt_has(&m, "Content-Type: text/calendar; charset=utf-8; "
	                       "method=REQUEST\r\nContent-Transfer-Encoding: "
	                       "8bit\r\nContent-Disposition: attachment"));
	/* the copy of non-ASCII content is base64 (R-MIME-2) */
	assert_true(mt_has(&m, COPY_CT "REQUEST\r\n"
	                       "Content-Transfer-Encoding: base64\r\n"));
	mt_free(&m);
}

/* the same message gives the same boundary, in CRLF and in LF form */
static void
test_promote_boundary_from_content(void **state)
{
	struct mt a, b;
	GString *lf;
	long x, y;

	(void)state;
	mt_init(&a);
	mt_init(&b);
	mt_run(&a, "promote-top.eml");
	lf = g_string_new_len((const char *)a.in, (gssize)a.inlen);
	g_string_replace(lf, "\r\n", "\n", 0);
	mt_runs(&b, lf->str);
	g_string_free(lf, TRUE);
	assert_int_equal(a.res.status, CAL_CHANGED);
	assert_int_equal(b.res.status, CAL_CHANGED);
	x = mt_find(a.out, a.outlen, 0, "=_calmilter_");
	y = mt_find(b.out, b.outlen, 0, "=_calmilter_");
	assert_true(x > 0 && y > 0);
	assert_memory_equal(a.out + x, b.out + y, 36);
	mt_free(&a);
	mt_free(&b);
}

/* Apple Mail: alternative { plain, mixed { html, calendar } }: the copy is
 * the last alternative */
static void
test_promote_apple_alternative(void **state)
{
	struct mt m;
	long mix, copy, end;

	(void)state;
	mt_init(&m);
	promoted(&m, "promote-apple.eml", "REQUEST");
	mix = mt_find(m.out, m.outlen, 0, "--ap-mix--");
	copy = mt_find(m.out, m.outlen, 0, COPY_CT);
	end = mt_find(m.out, m.outlen, 0, "--ap-alt--");
	assert_true(mix > 0 && mix < copy && copy < end);
	assert_region_kept(&m, "--ap-alt\r\nContent-Type: text/plain",
	                   "--ap-alt\r\nContent-Type: multipart/mixed");
	mt_free(&m);
}

/* ---- what is promoted, and what is not -------------------------------------- */

static void
test_promote_cancel(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	promoted(&m, "promote-cancel.eml", "CANCEL");
	mt_free(&m);
}

/* a REPLY from its one attendee */
static void
test_promote_reply_from_attendee(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	promoted(&m, "promote-reply.eml", "REPLY");
	mt_free(&m);
}

static void
test_promote_reply_from_other_refused(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	set_input(&m, "promote-reply.eml", "From: Bob <bob@example.net>",
	          "From: Mallory <mallory@example.com>");
	refused(&m, "not from its one ATTENDEE bob@example.net");
	mt_free(&m);
}

/* a forger: From is not the ORGANIZER; nothing else changes either */
static void
test_promote_forged_organizer_refused(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	set_input(&m, "promote-plain.eml", "From: Alice <alice@example.org>",
	          "From: Mallory <mallory@example.com>");
	refused(&m, "the message is from mallory@example.com, not from its "
	            "ORGANIZER alice@example.org");
	mt_assert_untouched(&m);
	mt_free(&m);
}

/* Sender is the organizer (a secretary's From): promoted; so is mail from
 * the organizer's SENT-BY */
static void
test_promote_sender_and_sent_by(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	set_input(&m, "promote-plain.eml", "From: Alice <alice@example.org>",
	          "From: Desk <desk@example.org>\r\n"
	          "Sender: Alice <alice@example.org>");
	mt_process(&m);
	assert_int_equal(ct_count(&m.res.report, "R-MIME-4", CAL_FIX), 1);
	mt_free(&m);

	mt_init(&m);
	set_input(&m, "promote-plain.eml", "From: Alice <alice@example.org>",
	          "From: Desk <desk@example.org>");
	refused(&m, "not from its ORGANIZER");
	mt_free(&m);
}

/* PUBLISH is no invitation: never promoted (R-MIME-5) */
static void
test_promote_never_publish(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "publish-octet.eml");
	assert_int_equal(ct_count(&m.res.report, "R-MIME-4", CAL_FIX), 0);
	assert_false(mt_has(&m, COPY_CT));
	mt_free(&m);
}

/* inside message/rfc822: lexical rules only, never promoted (R-MIME-7) */
static void
test_promote_never_forwarded(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "promote-forwarded.eml");
	mt_assert_untouched(&m);
	assert_int_equal(m.res.parts_seen, 1);
	mt_free(&m);
}

/* signed mail stays whole (N-1) */
static void
test_promote_never_signed(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "signed-promote.eml");
	mt_assert_untouched(&m);
	assert_int_equal(m.res.reason, MIME_REASON_SIGNED);
	mt_free(&m);
}

/* a message that has an inline calendar already is not restructured */
static void
test_promote_not_when_inline_exists(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "copies-agree.eml");
	assert_int_equal(ct_count(&m.res.report, "R-MIME-4", CAL_FIX), 0);
	assert_int_equal(ct_count(&m.res.report, "R-MIME-4", CAL_REPORT), 0);
	assert_int_equal(count(&m, "Content-Type: text/calendar"), 1);
	mt_free(&m);
}

/* two different invitations attached: which one? neither */
static void
test_promote_refused_for_two_objects(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	set_input(&m, "promote-first.eml", "Content-Type: application/pdf; "
	          "name=\"agenda.pdf\"\r\nContent-Disposition: attachment; "
	          "filename=\"agenda.pdf\"\r\nContent-Transfer-Encoding: "
	          "base64\r\n\r\nJVBERi0xLjQK\r\n",
	          "Content-Type: text/calendar; method=REQUEST\r\n"
	          "Content-Disposition: attachment\r\n\r\n"
	          "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
	          "METHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:other@example.org\r\n"
	          "DTSTAMP:20250101T000000Z\r\nDTSTART:20250311T090000Z\r\n"
	          "ORGANIZER:mailto:alice@example.org\r\n"
	          "END:VEVENT\r\nEND:VCALENDAR\r\n");
	refused(&m, "more than one attached invitation");
	mt_free(&m);
}

/* ---- ambiguous MIME is never restructured ------------------------------- */

static void
test_promote_ambiguous_prefix_boundary(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "ambiguous-prefix.eml");
	refused(&m, "ambiguous MIME (boundary \"amb\" is a prefix");
	mt_free(&m);
}

static void
test_promote_ambiguous_unclosed(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "ambiguous-unclosed.eml");
	refused(&m, "ambiguous MIME");
	mt_free(&m);
}

/* two Content-Disposition fields on the attachment: Outlook and GMime may
 * read it differently */
static void
test_promote_ambiguous_duplicate_header(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	set_input(&m, "promote-plain.eml", "Content-Disposition: attachment; "
	          "filename=\"invite.ics\"\r\n", "Content-Disposition: "
	          "attachment; filename=\"invite.ics\"\r\nContent-Disposition:"
	          " inline\r\n");
	refused(&m, "ambiguous MIME (Content-Disposition given twice)");
	mt_free(&m);
}

/* ---- the switches -------------------------------------------------------- */

static void
test_promote_policy_no(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	m.pol.promote_attached = 0;
	mt_run(&m, "promote-plain.eml");
	mt_assert_untouched(&m);
	assert_int_equal(ct_count(&m.res.report, "R-MIME-4", CAL_REPORT), 0);
	mt_free(&m);
}

static void
test_promote_disabled_rule(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	m.pol.cal.disable_rules = "R-MIME-4";
	mt_run(&m, "promote-plain.eml");
	mt_assert_untouched(&m);
	assert_int_equal(ct_count(&m.res.report, "R-MIME-4", CAL_REPORT), 0);
	mt_free(&m);
}

static void
test_promote_report_only_rule(void **state)
{
	struct mt m;
	const char *t;

	(void)state;
	mt_init(&m);
	m.pol.cal.report_only_rules = "R-MIME-4";
	mt_run(&m, "promote-plain.eml");
	mt_assert_untouched(&m);
	t = ct_text(&m.res.report, "R-MIME-4", CAL_REPORT);
	assert_non_null(t);
	assert_non_null(strstr(t, "report only (ReportOnlyRules): added an "
	                          "inline text/calendar; method=REQUEST"));
	mt_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_promote_wrap_text_plain),
	    cmocka_unit_test(test_promote_append_to_alternative),
	    cmocka_unit_test(test_promote_wrap_related),
	    cmocka_unit_test(test_promote_first_child),
	    cmocka_unit_test(test_promote_single_part_restructured),
	    cmocka_unit_test(test_promote_single_part_8bit_label_kept),
	    cmocka_unit_test(test_promote_boundary_from_content),
	    cmocka_unit_test(test_promote_apple_alternative),
	    cmocka_unit_test(test_promote_cancel),
	    cmocka_unit_test(test_promote_reply_from_attendee),
	    cmocka_unit_test(test_promote_reply_from_other_refused),
	    cmocka_unit_test(test_promote_forged_organizer_refused),
	    cmocka_unit_test(test_promote_sender_and_sent_by),
	    cmocka_unit_test(test_promote_never_publish),
	    cmocka_unit_test(test_promote_never_forwarded),
	    cmocka_unit_test(test_promote_never_signed),
	    cmocka_unit_test(test_promote_not_when_inline_exists),
	    cmocka_unit_test(test_promote_refused_for_two_objects),
	    cmocka_unit_test(test_promote_ambiguous_prefix_boundary),
	    cmocka_unit_test(test_promote_ambiguous_unclosed),
	    cmocka_unit_test(test_promote_ambiguous_duplicate_header),
	    cmocka_unit_test(test_promote_policy_no),
	    cmocka_unit_test(test_promote_disabled_rule),
	    cmocka_unit_test(test_promote_report_only_rule),
	};

	mime_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
