/*
 * test_mime_copies.c - the rules of mime/ that look at more than one part
 * or label one: copies stay identical (R-MIME-6), PUBLISH attachments are
 * labelled text/calendar and stay attachments (R-MIME-5), Content-Class
 * only when asked for (R-MIME-8); and the per-rule switches on the label
 * rules (R-MIME-1, R-MIME-2, R-MIME-7).
 */
#include "unit.h"
#include "caltest.h"
#include "mimetest.h"

#include <gmime/gmime.h>

/* ---- helpers ------------------------------------------------------------- */

struct leaf {
	char *type;
	GByteArray *data;
};

static void
collect(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	GPtrArray *a = data;
	struct leaf *l;
	GMimeStream *mem;

	(void)parent;
	if (!GMIME_IS_PART(part))
		return;
	l = g_new0(struct leaf, 1);
	l->type = g_mime_content_type_get_mime_type(
	    g_mime_object_get_content_type(part));
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(
	    g_mime_part_get_content(GMIME_PART(part)), mem);
	/* the stream must not free the bytes: with owner set, unref would
	 * empty the array even while we hold a reference to it */
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	l->data = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_object_unref(mem);
	g_ptr_array_add(a, l);
}

static void
leaf_free(gpointer p)
{
	struct leaf *l = p;

	g_free(l->type);
	g_byte_array_unref(l->data);
	g_free(l);
}

/* leaves - GMime's reading of the relayed message (or of the input) */
static GPtrArray *
leaves(const uint8_t *msg, size_t len)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer((const char *)msg,
	                                                   len);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	GPtrArray *a = g_ptr_array_new_with_free_func(leaf_free);

	assert_non_null(m);
	g_mime_message_foreach(m, collect, a);
	g_object_unref(m);
	g_object_unref(p);
	g_object_unref(s);
	return a;
}

/* leaf_has - the decoded content of leaf i contains needle */
static int
leaf_has(GPtrArray *a, guint i, const char *needle)
{
	const struct leaf *l = a->pdata[i];

	return mt_find(l->data->data, l->data->len, 0, needle) >= 0;
}

/* without_cr - the content, line ends aside (transfer full) */
static char *
without_cr(const struct leaf *l)
{
	GString *s = g_string_new_len((const char *)l->data->data,
	                              (gssize)l->data->len);

	g_string_replace(s, "\r", "", 0);
	while (s->len > 0 && s->str[s->len - 1] == '\n')
		g_string_truncate(s, s->len - 1);
	return g_string_free(s, FALSE);
}

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
		assert_true(g_string_replace(s, from, to, 0) >= 1);
	free(m->in);
	m->inlen = s->len;
	m->in = (uint8_t *)g_string_free(s, FALSE);
}

/* ---- R-MIME-6 -------------------------------------------------------------- */

/*
 * Google's shape, METHOD-less: an inline text/calendar with method=REQUEST
 * and an application/ics twin with the same bytes. The message is not from
 * the organizer, so the twin alone would be inferred PUBLISH; as a copy it
 * gets the text/calendar's method=, and both end identical.
 */
static void
test_copies_end_identical(void **state)
{
	struct mt m;
	GPtrArray *a;
	char *x, *y;

	(void)state;
	mt_init(&m);
	set_input(&m, "copies-agree.eml", "From: Alice <alice@example.org>",
	          "From: Calendar <calendar@example.org>");
	mt_process(&m);
	mt_assert_status(&m, CAL_CHANGED);
	a = leaves(m.out, m.outlen);
	assert_int_equal(a->len, 3);
	x = without_cr(a->pdata[1]);
	y = without_cr(a->pdata[2]);
	assert_string_equal(x, y);
	assert_non_null(strstr(x, "METHOD:REQUEST\n"));
	assert_non_null(ct_text(&m.res.report, "R-MIME-6", CAL_REPORT));
	g_free(x);
	g_free(y);
	g_ptr_array_unref(a);
	mt_assert_idempotent(&m);
	mt_free(&m);
}

/* R-MIME-6 switched off: each copy on its own, and they part ways */
static void
test_copies_disabled_part_ways(void **state)
{
	struct mt m;
	GPtrArray *a;

	(void)state;
	mt_init(&m);
	m.pol.cal.disable_rules = "R-MIME-6";
	set_input(&m, "copies-agree.eml", "From: Alice <alice@example.org>",
	          "From: Calendar <calendar@example.org>");
	mt_process(&m);
	mt_assert_status(&m, CAL_CHANGED);
	a = leaves(m.out, m.outlen);
	assert_true(leaf_has(a, 1, "METHOD:REQUEST\r\n"));
	assert_true(leaf_has(a, 2, "METHOD:PUBLISH\r\n"));
	assert_int_equal(ct_count(&m.res.report, "R-MIME-6", CAL_REPORT), 0);
	g_ptr_array_unref(a);
	mt_free(&m);
}

/* same UID, different content: each is normalized as itself, neither
 * overwrites the other, and the difference is reported */
static void
test_copies_disagree_reported(void **state)
{
	struct mt m;
	GPtrArray *a;

	(void)state;
	mt_init(&m);
	mt_run(&m, "copies-disagree.eml");
	mt_assert_status(&m, CAL_CHANGED);
	a = leaves(m.out, m.outlen);
	assert_true(leaf_has(a, 1, "SUMMARY:Review\r\n"));
	assert_true(leaf_has(a, 2, "SUMMARY:Review (moved)\r\n"));
	assert_true(leaf_has(a, 1, "VERSION:2.0\r\n"));
	assert_true(leaf_has(a, 2, "VERSION:2.0\r\n"));
	assert_non_null(strstr(ct_text(&m.res.report, "R-MIME-6", CAL_REPORT),
	                       "same object (UID promo-1@example.org) with "
	                       "different content"));
	g_ptr_array_unref(a);
	mt_free(&m);
}

/* ---- R-MIME-5 -------------------------------------------------------------- */

/* a PUBLISH attached as application/octet-stream: text/calendar, an
 * attachment still; its content and every other byte stay */
static void
test_relabel_publish_attachment(void **state)
{
	static const char want[] =
	    "--po\r\nContent-Type: text/calendar; name=\"event.ics\"; "
	    "charset=utf-8; method=PUBLISH\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "Content-Disposition: attachment; filename=\"event.ics\"\r\n\r\n";
	struct mt m;
	long b;

	(void)state;
	mt_init(&m);
	mt_run(&m, "publish-octet.eml");
	mt_assert_status(&m, CAL_CHANGED);
	ct_assert_fixes(&m.res.report, "R-MIME-5");
	if (!mt_has(&m, want))
		print_message("%.*s\n", (int)m.outlen, m.out);
	assert_true(mt_has(&m, want));
	b = mt_find(m.in, m.inlen, 0, "Content-Transfer-Encoding: base64");
	assert_true(mt_has(&m, (const char *)m.in + b + 36));
	assert_false(mt_has(&m, "application/octet-stream"));
	mt_assert_idempotent(&m);
	mt_free(&m);
}

static void
test_relabel_switched_off_and_report_only(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	m.pol.cal.disable_rules = "R-MIME-5";
	mt_run(&m, "publish-octet.eml");
	mt_assert_untouched(&m);
	assert_int_equal(ct_count(&m.res.report, "R-MIME-5", CAL_REPORT), 0);
	mt_free(&m);

	mt_init(&m);
	m.pol.cal.report_only_rules = "R-MIME-5";
	mt_run(&m, "publish-octet.eml");
	mt_assert_untouched(&m);
	assert_int_equal(ct_count(&m.res.report, "R-MIME-5", CAL_REPORT), 1);
	mt_free(&m);
}

/* a PUBLISH twin keeps its type (R-MIME-6); the inline PUBLISH is only
 * reported, never moved */
static void
test_relabel_not_the_twin_inline_reported(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	set_input(&m, "copies-agree.eml", "method=REQUEST", "method=PUBLISH");
	mt_process(&m);
	mt_assert_status(&m, CAL_CHANGED);
	assert_true(mt_has(&m, "Content-Type: application/ics"));
	assert_int_equal(ct_count(&m.res.report, "R-MIME-5", CAL_FIX), 0);
	assert_non_null(strstr(ct_text(&m.res.report, "R-MIME-5", CAL_REPORT),
	                       "inline text/calendar PUBLISH left where it is"));
	mt_free(&m);
}

/* an invitation attached as octet-stream is no PUBLISH: not relabelled */
static void
test_relabel_not_an_invitation(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	m.pol.promote_attached = 0;
	mt_run(&m, "name-octet-stream.eml");
	assert_int_equal(ct_count(&m.res.report, "R-MIME-5", CAL_FIX), 0);
	assert_true(mt_has(&m, "application/octet-stream"));
	mt_free(&m);
}

/* ---- R-MIME-8 -------------------------------------------------------------- */

static void
test_content_class_only_when_asked(void **state)
{
	static const char cc[] =
	    "Content-Class: urn:content-classes:calendarmessage\r\n";
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "promote-plain.eml");
	assert_false(mt_has(&m, "Content-Class:"));
	mt_free(&m);

	mt_init(&m);
	m.pol.content_class = 1;
	mt_run(&m, "promote-plain.eml");
	mt_assert_status(&m, CAL_CHANGED);
	assert_true(mt_has(&m, cc));
	assert_int_equal(ct_count(&m.res.report, "R-MIME-8", CAL_FIX), 1);
	mt_assert_idempotent(&m);
	mt_free(&m);

	/* an inline REQUEST that needs nothing else gets it too */
	mt_init(&m);
	m.pol.content_class = 1;
	mt_run(&m, "only-calendar-changes.eml");
	assert_true(mt_has(&m, cc));
	mt_free(&m);
}

static void
test_content_class_never_for_publish_or_existing(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	m.pol.content_class = 1;
	mt_run(&m, "publish-octet.eml");
	assert_false(mt_has(&m, "Content-Class:"));
	mt_free(&m);

	mt_init(&m);
	m.pol.content_class = 1;
	set_input(&m, "promote-plain.eml", "MIME-Version: 1.0\r\n",
	          "MIME-Version: 1.0\r\nContent-Class: urn:content-classes:"
	          "message\r\n");
	mt_process(&m);
	mt_assert_status(&m, CAL_CHANGED);
	assert_false(mt_has(&m, "calendarmessage"));
	assert_true(mt_has(&m, "Content-Class: urn:content-classes:message"));
	mt_free(&m);
}

/* ---- switches on the label rules ------------------------------------------- */

/* R-MIME-1 off: the missing method= stays missing; report only: said */
static void
test_switch_label_method(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	m.pol.cal.disable_rules = "R-MIME-1";
	mt_run(&m, "method-param-missing.eml");
	mt_assert_untouched(&m);
	mt_free(&m);

	mt_init(&m);
	m.pol.cal.report_only_rules = "R-MIME-1";
	mt_run(&m, "method-param-missing.eml");
	mt_assert_untouched(&m);
	assert_non_null(strstr(ct_text(&m.res.report, "R-MIME-1", CAL_REPORT),
	                       "added method=REQUEST"));
	mt_free(&m);
}

/* R-MIME-2 off: a rewrite that needs base64 is given up, the part kept */
static void
test_switch_encoding_blocks_rewrite(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	m.pol.cal.disable_rules = "R-MIME-2";
	mt_run(&m, "latin1-8bit.eml");
	mt_assert_untouched(&m);
	assert_non_null(ct_text(&m.res.report, "N-10", CAL_REPORT));
	assert_non_null(strstr(ct_text(&m.res.report, "R-LEX-4", CAL_REPORT),
	                       "not applied: "));
	mt_free(&m);
}

/* R-MIME-7 off: forwarded calendars are left; report only: said */
static void
test_switch_encapsulated(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	m.pol.cal.disable_rules = "R-MIME-7";
	mt_run(&m, "nested-rfc822.eml");
	mt_assert_untouched(&m);
	mt_free(&m);

	mt_init(&m);
	m.pol.cal.report_only_rules = "R-MIME-7";
	mt_run(&m, "nested-rfc822.eml");
	mt_assert_untouched(&m);
	assert_non_null(strstr(ct_text(&m.res.report, "R-LEX-2", CAL_REPORT),
	                       "report only (ReportOnlyRules R-MIME-7)"));
	mt_free(&m);
}

/* a core rule switched off for a whole message */
static void
test_switch_core_rule_in_message(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	m.pol.cal.disable_rules = "R-LEX-2";
	mt_run(&m, "nested-rfc822.eml");
	mt_assert_untouched(&m);
	mt_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_copies_end_identical),
	    cmocka_unit_test(test_copies_disabled_part_ways),
	    cmocka_unit_test(test_copies_disagree_reported),
	    cmocka_unit_test(test_relabel_publish_attachment),
	    cmocka_unit_test(test_relabel_switched_off_and_report_only),
	    cmocka_unit_test(test_relabel_not_the_twin_inline_reported),
	    cmocka_unit_test(test_relabel_not_an_invitation),
	    cmocka_unit_test(test_content_class_only_when_asked),
	    cmocka_unit_test(test_content_class_never_for_publish_or_existing),
	    cmocka_unit_test(test_switch_label_method),
	    cmocka_unit_test(test_switch_encoding_blocks_rewrite),
	    cmocka_unit_test(test_switch_encapsulated),
	    cmocka_unit_test(test_switch_core_rule_in_message),
	};

	mime_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
