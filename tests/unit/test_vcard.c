/*
 * test_vcard.c - vCard to vCard 3.0 through cal_normalize(): 2.1 (R-VC-3
 * quoted-printable with soft breaks, CHARSET, bare parameters, BASE64;
 * R-VC-1 the version, VCard21 keep), 4.0 (R-VC-2), R-VC-4 N, FN and
 * VERSION, R-VC-6 PHOTO labels, R-VC-7 several cards (cal_vcard_cards),
 * and the values check that withdraws a rewrite losing a value.
 *
 * Expected bytes follow the examples of exchange-rules.md section 8.
 */
#include "unit.h"
#include "caltest.h"

#include "../../ical/vc_int.h"

#define B "BEGIN:VCARD\r\n"
#define E "END:VCARD\r\n"

/* norm_ok - normalize, expect CHANGED with exactly those bytes, stable */
static void
norm_ok(const char *in, const char *want, const char *rules)
{
	struct ct_run r;

	ct_init(&r);
	ct_norms(&r, in);
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_out(&r, want);
	ct_assert_fixes(&r.rep, rules);
	assert_int_equal(r.out.kind, CAL_KIND_VCARD);
	ct_assert_stable(&r);
	ct_free(&r);
}

/* R-VC-3's example: QP and CHARSET to UTF-8; R-VC-4 adds FN from N */
static void
test_vc21_qp_charset(void **state)
{
	(void)state;
	norm_ok(B "VERSION:2.1\r\n"
	          "N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;"
	          "J=FCrgen\r\n" E,
	        B "VERSION:3.0\r\nFN:Jürgen Müller\r\nN:Müller;Jürgen\r\n" E,
	        "R-VC-1,R-VC-3,R-VC-4");
}

/* soft line breaks continue the value; encoded CRLF becomes \n */
static void
test_vc21_qp_soft_breaks(void **state)
{
	(void)state;
	norm_ok(B "VERSION:2.1\r\nFN:A\r\nN:A;;;;\r\n"
	          "NOTE;ENCODING=QUOTED-PRINTABLE:first line=0D=0Asecond, =\r\n"
	          "still second; end\r\n" E,
	        B "VERSION:3.0\r\nFN:A\r\nN:A;;;;\r\n"
	          "NOTE:first line\\nsecond\\, still second\\; end\r\n" E,
	        "R-VC-1,R-VC-3");
}

/* raw SHIFT_JIS text with its CHARSET; bare parameters to TYPE= */
static void
test_vc21_raw_charset_bare_params(void **state)
{
	(void)state;
	norm_ok(B "VERSION:2.1\r\nN;CHARSET=SHIFT_JIS:\x88\xc0\x93\xa1;;;;\r\n"
	          "FN;CHARSET=SHIFT_JIS:\x88\xc0\x93\xa1\r\n"
	          "TEL;WORK;VOICE:+81 3 0000\r\n" E,
	        B "VERSION:3.0\r\nN:安藤;;;;\r\nFN:安藤\r\n"
	          "TEL;TYPE=WORK,VOICE:+81 3 0000\r\n" E,
	        "R-LEX-4,R-VC-1,R-VC-3");
}

/* an unfolded 2.1 base64 block ending in an empty line; BASE64 to b */
static void
test_vc21_base64_block(void **state)
{
	(void)state;
	norm_ok(B "VERSION:2.1\r\nFN:A\r\nN:A;;;;\r\n"
	          "PHOTO;ENCODING=BASE64;JPEG:/9j/4AAQ\r\n"
	          "SkZJRgABAQ==\r\n\r\n" E,
	        B "VERSION:3.0\r\nFN:A\r\nN:A;;;;\r\n"
	          "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ==\r\n" E,
	        "R-LEX-5,R-VC-1,R-VC-3");
}

/* QP in UTF-16 decodes too */
static void
test_vc21_utf16_charset(void **state)
{
	(void)state;
	norm_ok(B "VERSION:2.1\r\nFN:A\r\nN:A;;;;\r\n"
	          "NOTE;CHARSET=UTF-16BE;ENCODING=QUOTED-PRINTABLE:=00h=00=E9"
	          "\r\n" E,
	        B "VERSION:3.0\r\nFN:A\r\nN:A;;;;\r\nNOTE:hé\r\n" E,
	        "R-VC-1,R-VC-3");
}

/* QP bytes that are not UTF-8 and no CHARSET: nothing guessed */
static void
test_vc21_unknown_charset_left(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	ct_norms(&r, B "VERSION:2.1\r\nFN;ENCODING=QUOTED-PRINTABLE:Iksi=F1ski"
	             "\r\n" E);
	ct_assert_status(&r, CAL_SKIPPED);
	assert_null(r.out.data);
	assert_int_equal(ct_nfix(&r.rep), 0);
	assert_non_null(ct_text(&r.rep, "R-VC-3", CAL_REPORT));
	ct_free(&r);
	/* the MIME charset says what it is */
	ct_init(&r);
	r.ctx.mime_charset = "iso-8859-2";
	ct_norms(&r, B "VERSION:2.1\r\nFN;ENCODING=QUOTED-PRINTABLE:Iksi=F1ski"
	             "\r\nN:Iksi\xf1ski;;;;\r\n" E);
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_out(&r, B "VERSION:3.0\r\nFN:Iksiński\r\nN:Iksiński;;;;\r\n"
	                  E);
	ct_free(&r);
}

/* VCard21 keep: a 2.1 part is left as it is */
static void
test_vc21_keep(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.pol.vcard21_to30 = 0;
	ct_norms(&r, B "VERSION:2.1\r\nN:Roe;Jane\r\nTEL;WORK:1\r\n" E);
	ct_assert_status(&r, CAL_SKIPPED);
	assert_non_null(ct_text(&r.rep, "R-VC-1", CAL_REPORT));
	assert_int_equal(ct_nfix(&r.rep), 0);
	ct_free(&r);
}

/* R-VC-2's example, with the value forms of 4.0 */
static void
test_vc40_to30(void **state)
{
	(void)state;
	norm_ok(B "VERSION:4.0\r\nFN:Jane Roe\r\nN:Roe;Jane;;;\r\n"
	          "TEL;TYPE=\"cell,voice\";PREF=1;VALUE=uri:tel:+49-170-1234567"
	          "\r\n"
	          "PHOTO:data:image/png;base64,iVBORw0KGgo=\r\n"
	          "ADR;TYPE=home;LABEL=\"1 Main St^nTown\":;;1 Main St;Town;;;"
	          "\r\n"
	          "EMAIL;PID=1.1:jane@example.org\r\n" E,
	        B "VERSION:3.0\r\nFN:Jane Roe\r\nN:Roe;Jane;;;\r\n"
	          "TEL;TYPE=cell,voice,pref:+49-170-1234567\r\n"
	          "PHOTO;ENCODING=b;TYPE=PNG:iVBORw0KGgo=\r\n"
	          "ADR;TYPE=home:;;1 Main St;Town;;;\r\n"
	          "LABEL;TYPE=home:1 Main St\\nTown\r\n"
	          "EMAIL:jane@example.org\r\n" E,
	        "R-VC-2");
}

/* 4.0-only properties and a BDAY without year are kept as X-, reported */
static void
test_vc40_only_kept_as_x(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	ct_norms(&r, B "VERSION:4.0\r\nFN:A\r\nN:A;;;;\r\nKIND:individual\r\n"
	             "GENDER:F\r\nBDAY:--0415\r\nANNIVERSARY:20090808\r\n" E);
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_out(&r, B "VERSION:3.0\r\nFN:A\r\nN:A;;;;\r\n"
	                  "X-KIND:individual\r\nX-GENDER:F\r\nX-BDAY:--0415\r\n"
	                  "X-ANNIVERSARY:20090808\r\n"
	                  "X-MS-ANNIVERSARY:20090808\r\n" E);
	assert_int_equal(ct_count(&r.rep, "R-VC-2", CAL_REPORT), 4);
	ct_assert_stable(&r);
	ct_free(&r);
}

/* R-VC-4: VERSION first, FN from N, N from FN; Apple groups kept */
static void
test_vc_names_version_groups(void **state)
{
	(void)state;
	norm_ok(B "N:Roe;Jane;;Dr.;\r\nVERSION:3.0\r\n"
	          "item1.EMAIL;type=INTERNET:jane@example.org\r\n"
	          "item1.X-ABLabel:_$!<Other>!$_\r\n" E
	          B "VERSION:3.0\r\nFN:Acme Inc.\r\n" E,
	        B "VERSION:3.0\r\nFN:Dr. Jane Roe\r\nN:Roe;Jane;;Dr.;\r\n"
	          "item1.EMAIL;type=INTERNET:jane@example.org\r\n"
	          "item1.X-ABLabel:_$!<Other>!$_\r\n" E
	          B "VERSION:3.0\r\nN:Acme Inc.;;;;\r\nFN:Acme Inc.\r\n" E,
	        "R-VC-4");
}

/* R-VC-6: a 3.0 PHOTO's MIME type and BASE64 in 3.0 spelling */
static void
test_vc_photo_labels(void **state)
{
	(void)state;
	norm_ok(B "VERSION:3.0\r\nFN:A\r\nN:A;;;;\r\n"
	          "PHOTO;ENCODING=BASE64;TYPE=image/jpeg:/9j/4AAQ\r\n" E,
	        B "VERSION:3.0\r\nFN:A\r\nN:A;;;;\r\n"
	          "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ\r\n" E,
	        "R-VC-6");
}

/* R-VC-7: several cards are reported, counted and found one by one */
static void
test_vc_several_cards(void **state)
{
	static const char in[] = B "VERSION:3.0\r\nFN:A\r\nN:A;;;;\r\n" E
	    B "VERSION:3.0\r\nFN:B\r\nN:B;;;;\r\n" E "\r\n"
	    B "VERSION:3.0\r\nFN:C\r\nN:C;;;;\r\n" E;
	struct cal_span v[4];
	struct ct_run r;

	(void)state;
	ct_init(&r);
	ct_norms(&r, B "VERSION:3.0\r\nFN:A\r\nN:A;;;;\r\n" E
	             B "VERSION:3.0\r\nFN:B\r\nN:B;;;;\r\n" E
	             B "VERSION:3.0\r\nFN:C\r\nN:C;;;;\r\n" E);
	ct_assert_status(&r, CAL_UNCHANGED);
	assert_int_equal(r.out.ncards, 3);
	assert_non_null(ct_text(&r.rep, "R-VC-7", CAL_REPORT));
	ct_free(&r);
	assert_int_equal(cal_vcard_cards(in, strlen(in), v, 4), 3);
	assert_int_equal(v[0].off, 0);
	assert_memory_equal(in + v[1].off, B "VERSION:3.0\r\nFN:B", 27);
	assert_int_equal(v[2].off + v[2].len, strlen(in));
	assert_memory_equal(in + v[2].off + v[2].len - 11, E, 11);
	/* fewer slots than cards: the count is still right */
	assert_int_equal(cal_vcard_cards(in, strlen(in), v, 1), 3);
	assert_int_equal(cal_vcard_cards("FN:x\r\n", 6, v, 4), 0);
}

/* the values check: a value that disappears or appears is caught */
static void
test_vc_values_check(void **state)
{
	static const char before[] = B "VERSION:2.1\r\nN:Roe;Jane\r\n"
	    "TEL;HOME:1\r\nNOTE;ENCODING=QUOTED-PRINTABLE:a=0D=0Ab\r\n" E;
	struct cal_limits lim;
	struct cal_lexinfo lex;
	struct cal_report rep;
	struct cal_doc *doc = NULL;
	struct vc_vals vals;
	char why[200], *text = strdup(before);

	(void)state;
	cal_limits_default(&lim);
	cal_report_init(&rep, 10);
	memset(&lex, 0, sizeof(lex));
	assert_int_equal(cal_doc_parse(&doc, text, strlen(before), &lex, &lim,
	                               &rep), CAL_UNCHANGED);
	assert_int_equal(vc_values_of(&vals, NULL, doc, NULL, 1000), 0);
#define CHECK(s) vc_values_check(&vals, s, strlen(s), NULL, &lim, why, \
	                         sizeof(why))
	assert_int_equal(CHECK(B "VERSION:3.0\r\nN:Roe;Jane\r\nFN:Jane Roe\r\n"
	                       "TEL;TYPE=HOME:1\r\nNOTE:a\\nb\r\n" E), 1);
	assert_int_equal(CHECK(B "VERSION:3.0\r\nN:Roe;Jane\r\n"
	                       "NOTE:a\\nb\r\n" E), 0);
	assert_non_null(strstr(why, "\"1\" would be lost"));
	assert_int_equal(CHECK(B "VERSION:3.0\r\nN:Roe;Jane\r\nTEL:1\r\n"
	                       "NOTE:a\\nb\r\nEMAIL:x@y\r\n" E), 0);
	assert_non_null(strstr(why, "would appear"));
	assert_int_equal(CHECK(B "VERSION:3.0\r\nN:Roe;Jane\r\nTEL:1\r\n"
	                       "NOTE:a\\, b\r\n" E), 0);
#undef CHECK
	vc_values_free(&vals);
	cal_doc_free(doc);
	cal_report_free(&rep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vc21_qp_charset),
	    cmocka_unit_test(test_vc21_qp_soft_breaks),
	    cmocka_unit_test(test_vc21_raw_charset_bare_params),
	    cmocka_unit_test(test_vc21_base64_block),
	    cmocka_unit_test(test_vc21_utf16_charset),
	    cmocka_unit_test(test_vc21_unknown_charset_left),
	    cmocka_unit_test(test_vc21_keep),
	    cmocka_unit_test(test_vc40_to30),
	    cmocka_unit_test(test_vc40_only_kept_as_x),
	    cmocka_unit_test(test_vc_names_version_groups),
	    cmocka_unit_test(test_vc_photo_labels),
	    cmocka_unit_test(test_vc_several_cards),
	    cmocka_unit_test(test_vc_values_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
