/*
 * test_mime_auth.c - N-2 and the promotion guard's authentication:
 * DKIM-Signature h= and d=, Authentication-Results (RFC 8601) from trusted
 * authserv-ids only; DkimSigned skip, rewrite and verified on a DKIM-signed
 * attachment-only invitation, with and without a trusted A-R; no header a
 * signature names in h= is added or changed; a trusted A-R that does not
 * pass DMARC (or aligned DKIM) for the From refuses a promotion.
 */
#include "unit.h"
#include "caltest.h"
#include "mimetest.h"

#include "../../mime/mime_int.h"

#define TRUSTED "mx.example.net, gw.example.net"
#define AR_PASS                                                                \
	"Authentication-Results: mx.example.net; dkim=pass (2048-bit key)\r\n" \
	" header.d=example.org header.s=sel header.b=dGVzdHNp;\r\n"            \
	" dmarc=pass (p=reject) header.from=example.org\r\n"

/* ---- the parsers ------------------------------------------------------------ */

static void
test_auth_dkim_h_list(void **state)
{
	struct mime_auth *a = mime_auth_new(NULL);

	(void)state;
	assert_false(mime_auth_signed(a));
	assert_false(mime_auth_covers(a, "Content-Type"));
	mime_auth_add_dkim(a, "v=1; a=rsa-sha256; d=Example.ORG; s=sel;\r\n"
	                      "\th=From : To:Subject:\r\n content-type;"
	                      " bh=AAAA; b=dGVz dHNp\r\n Z24=");
	assert_true(mime_auth_signed(a));
	assert_true(mime_auth_covers(a, "content-type"));
	assert_true(mime_auth_covers(a, "From"));
	assert_true(mime_auth_covers(a, "SUBJECT"));
	assert_false(mime_auth_covers(a, "X-Calmilter"));
	assert_false(mime_auth_covers(a, "Content-Transfer-Encoding"));
	mime_auth_free(a);
}

/* results of an untrusted authserv-id are not read at all */
static void
test_auth_ar_trust(void **state)
{
	struct mime_auth *a = mime_auth_new(TRUSTED);

	(void)state;
	mime_auth_add_ar(a, "mx.evil.example; dmarc=pass "
	                    "header.from=example.org");
	assert_false(mime_auth_trusted(a));
	assert_false(mime_auth_domain_ok(a, "example.org", 1));
	mime_auth_add_ar(a, "GW.example.net 1; (a comment; with=signs) "
	                    "dmarc = pass reason=\"x; y\" header.from = "
	                    "Example.org; spf=fail smtp.mailfrom=x@y.z");
	assert_true(mime_auth_trusted(a));
	assert_true(mime_auth_domain_ok(a, "example.org", 1));
	assert_false(mime_auth_domain_ok(a, "example.org", 0)); /* Sender */
	assert_false(mime_auth_domain_ok(a, "example.com", 1));
	mime_auth_free(a);
}

/* dkim=pass vouches for its domain and the domains below it */
static void
test_auth_ar_aligned_dkim(void **state)
{
	struct mime_auth *a = mime_auth_new(TRUSTED);

	(void)state;
	mime_auth_add_ar(a, "mx.example.net; dkim=pass header.i=@example.org");
	assert_true(mime_auth_domain_ok(a, "example.org", 0));
	assert_true(mime_auth_domain_ok(a, "mail.example.org", 1));
	assert_false(mime_auth_domain_ok(a, "badexample.org", 1));
	assert_false(mime_auth_domain_ok(a, "org", 1));
	mime_auth_free(a);

	a = mime_auth_new(TRUSTED);
	mime_auth_add_ar(a, "mx.example.net; dkim=fail header.d=example.org");
	assert_true(mime_auth_trusted(a));
	assert_false(mime_auth_domain_ok(a, "example.org", 1));
	mime_auth_free(a);
}

/* verified: a trusted dkim=pass for the signature's d= (and b= prefix) */
static void
test_auth_verified(void **state)
{
	static const char sig[] = "v=1; d=example.org; s=sel; h=from; "
	                          "bh=AAAA; b=dGVzdHNpZ25hdHVyZQ==";
	struct mime_auth *a;

	(void)state;
	a = mime_auth_new(TRUSTED);
	mime_auth_add_dkim(a, sig);
	mime_auth_add_ar(a, "mx.example.net; dkim=pass header.d=example.org "
	                    "header.b=dGVzdHNp");
	assert_true(mime_auth_verified(a));
	mime_auth_free(a);

	a = mime_auth_new(TRUSTED);
	mime_auth_add_dkim(a, sig);
	mime_auth_add_ar(a, "mx.example.net; dkim=pass header.d=example.org "
	                    "header.b=XXXXXXXX");
	assert_false(mime_auth_verified(a)); /* another signature passed */
	mime_auth_free(a);

	a = mime_auth_new(TRUSTED);
	mime_auth_add_dkim(a, sig);
	mime_auth_add_ar(a, "mx.example.net; dkim=pass header.d=example.com");
	assert_false(mime_auth_verified(a));
	mime_auth_free(a);

	a = mime_auth_new(TRUSTED);
	mime_auth_add_dkim(a, sig);
	mime_auth_add_ar(a, "mx.other.net; dkim=pass header.d=example.org");
	assert_false(mime_auth_verified(a));
	mime_auth_free(a);
}

/* past the ceiling: not verified, and every header counts as signed */
static void
test_auth_ceiling(void **state)
{
	struct mime_auth *a = mime_auth_new(TRUSTED);
	int i;

	(void)state;
	for (i = 0; i < 20; i++)
		mime_auth_add_dkim(a, "v=1; d=example.org; h=from; b=AAAA");
	mime_auth_add_ar(a, "mx.example.net; dkim=pass header.d=example.org");
	assert_false(mime_auth_verified(a));
	assert_true(mime_auth_covers(a, "X-Calmilter"));
	mime_auth_free(a);
}

/* ---- DkimSigned on a message ---------------------------------------------- */

/* dkim_run - dkim-promote.eml (optionally with text added before From:) */
static void
dkim_run(struct mt *m, enum mime_dkim_policy p, const char *add)
{
	char *in;
	size_t len;
	GString *s;

	m->pol.dkim = p;
	m->pol.trusted_authserv_ids = TRUSTED;
	in = unit_read_file(MT_FIXTURES "dkim-promote.eml", &len);
	s = g_string_new_len(in, (gssize)len);
	free(in);
	if (add != NULL)
		g_string_replace(s, "From: Alice", add, 1);
	free(m->in);
	m->inlen = s->len;
	m->in = (uint8_t *)g_string_free(s, FALSE);
	mt_process(m);
}

static void
test_dkim_skip(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	dkim_run(&m, MIME_DKIM_SKIP, AR_PASS "From: Alice");
	mt_assert_untouched(&m);
	assert_int_equal(m.res.reason, MIME_REASON_DKIM);
	mt_free(&m);
}

/* rewrite: promoted; h= names neither X-Calmilter nor anything the
 * promotion touches, so the trace is added and no other header changes */
static void
test_dkim_rewrite(void **state)
{
	struct mt m;
	size_t i;

	(void)state;
	mt_init(&m);
	dkim_run(&m, MIME_DKIM_REWRITE, NULL);
	mt_assert_status(&m, CAL_CHANGED);
	assert_int_equal(ct_count(&m.res.report, "R-MIME-4", CAL_FIX), 1);
	for (i = 0; i < m.res.nedits; i++)
		assert_string_equal(mt_edit(&m, i)->name, "X-Calmilter");
	mt_free(&m);
}

/* rewrite, and the signer over-signed X-Calmilter: no trace header, no
 * inbound one removed, and the finding says why */
static void
test_dkim_rewrite_trace_signed(void **state)
{
	struct mt m;
	GString *s;

	(void)state;
	mt_init(&m);
	dkim_run(&m, MIME_DKIM_REWRITE, "X-Calmilter: forged\r\nFrom: Alice");
	s = g_string_new_len((const char *)m.in, (gssize)m.inlen);
	g_string_replace(s, "content-type;", "content-type:x-calmilter;", 1);
	free(m.in);
	m.inlen = s->len;
	m.in = (uint8_t *)g_string_free(s, FALSE);
	mt_process(&m);
	mt_assert_status(&m, CAL_CHANGED);
	assert_int_equal(m.res.nedits, 0);
	assert_true(mt_has(&m, "X-Calmilter: forged\r\n"));
	assert_non_null(strstr(ct_text(&m.res.report, "N-2", CAL_REPORT),
	                       "no X-Calmilter header"));
	mt_free(&m);
}

static void
test_dkim_verified_without_ar(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	dkim_run(&m, MIME_DKIM_VERIFIED, NULL);
	mt_assert_untouched(&m);
	assert_non_null(strstr(m.res.detail, "DkimSigned verified"));
	mt_free(&m);
}

static void
test_dkim_verified_with_trusted_pass(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	dkim_run(&m, MIME_DKIM_VERIFIED, AR_PASS "From: Alice");
	mt_assert_status(&m, CAL_CHANGED);
	assert_int_equal(ct_count(&m.res.report, "R-MIME-4", CAL_FIX), 1);
	mt_free(&m);
}

static void
test_dkim_verified_untrusted_or_failed(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	dkim_run(&m, MIME_DKIM_VERIFIED,
	         "Authentication-Results: mx.evil.example; dkim=pass "
	         "header.d=example.org\r\nFrom: Alice");
	mt_assert_untouched(&m);
	mt_free(&m);

	mt_init(&m);
	dkim_run(&m, MIME_DKIM_VERIFIED,
	         "Authentication-Results: mx.example.net; dkim=fail "
	         "header.d=example.org\r\nFrom: Alice");
	mt_assert_untouched(&m);
	mt_free(&m);
}

/* a single part whose Content-Type the signature covers: it is not made
 * multipart; nothing else needs changing, so nothing changes */
static void
test_dkim_restructure_refused(void **state)
{
	struct mt m;
	char *in;
	size_t len;
	GString *s;

	(void)state;
	mt_init(&m);
	m.pol.dkim = MIME_DKIM_REWRITE;
	in = unit_read_file(MT_FIXTURES "promote-top.eml", &len);
	s = g_string_new("DKIM-Signature: v=1; d=example.org; s=sel; "
	                 "h=from:subject:content-type; bh=AAAA; b=BBBB\r\n");
	g_string_append_len(s, in, (gssize)len);
	free(in);
	m.inlen = s->len;
	m.in = (uint8_t *)g_string_free(s, FALSE);
	mt_process(&m);
	mt_assert_untouched(&m);
	assert_non_null(strstr(ct_text(&m.res.report, "R-MIME-4", CAL_REPORT),
	                       "the DKIM signature covers"));
	mt_free(&m);
}

/* ---- the promotion guard and a trusted A-R ------------------------------ */

static void
guard_run(struct mt *m, const char *ar)
{
	char *in;
	size_t len;
	GString *s;

	m->pol.trusted_authserv_ids = TRUSTED;
	in = unit_read_file(MT_FIXTURES "promote-plain.eml", &len);
	s = g_string_new(ar);
	g_string_append_len(s, in, (gssize)len);
	free(in);
	m->inlen = s->len;
	m->in = (uint8_t *)g_string_free(s, FALSE);
	mt_process(m);
}

static void
test_guard_trusted_dmarc_fail_refuses(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	guard_run(&m, "Authentication-Results: mx.example.net; dmarc=fail "
	              "header.from=example.org\r\n");
	assert_int_equal(ct_count(&m.res.report, "R-MIME-4", CAL_FIX), 0);
	assert_non_null(strstr(ct_text(&m.res.report, "R-MIME-4", CAL_REPORT),
	                       "no trusted Authentication-Results field passes "
	                       "DMARC or aligned DKIM for alice@example.org"));
	mt_free(&m);
}

static void
test_guard_trusted_pass_allows(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	guard_run(&m, "Authentication-Results: mx.example.net; dmarc=pass "
	              "header.from=example.org\r\n");
	assert_int_equal(ct_count(&m.res.report, "R-MIME-4", CAL_FIX), 1);
	mt_free(&m);

	mt_init(&m);
	guard_run(&m, "Authentication-Results: mx.example.net; dmarc=none; "
	              "dkim=pass header.d=example.org\r\n");
	assert_int_equal(ct_count(&m.res.report, "R-MIME-4", CAL_FIX), 1);
	mt_free(&m);
}

/* an A-R from someone else proves nothing either way */
static void
test_guard_untrusted_ar_ignored(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	guard_run(&m, "Authentication-Results: mx.evil.example; dmarc=fail "
	              "header.from=example.org\r\n");
	assert_int_equal(ct_count(&m.res.report, "R-MIME-4", CAL_FIX), 1);
	mt_free(&m);
}

/* Content-Class named in h=: not added */
static void
test_dkim_content_class_signed(void **state)
{
	struct mt m;
	char *in;
	size_t len;
	GString *s;

	(void)state;
	mt_init(&m);
	m.pol.dkim = MIME_DKIM_REWRITE;
	m.pol.content_class = 1;
	in = unit_read_file(MT_FIXTURES "dkim-promote.eml", &len);
	s = g_string_new_len(in, (gssize)len);
	free(in);
	g_string_replace(s, "content-type;", "content-type:content-class;", 1);
	m.inlen = s->len;
	m.in = (uint8_t *)g_string_free(s, FALSE);
	mt_process(&m);
	mt_assert_status(&m, CAL_CHANGED);
	assert_false(mt_has(&m, "Content-Class:"));
	assert_non_null(strstr(ct_text(&m.res.report, "N-2", CAL_REPORT),
	                       "no Content-Class added"));
	mt_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_auth_dkim_h_list),
	    cmocka_unit_test(test_auth_ar_trust),
	    cmocka_unit_test(test_auth_ar_aligned_dkim),
	    cmocka_unit_test(test_auth_verified),
	    cmocka_unit_test(test_auth_ceiling),
	    cmocka_unit_test(test_dkim_skip),
	    cmocka_unit_test(test_dkim_rewrite),
	    cmocka_unit_test(test_dkim_rewrite_trace_signed),
	    cmocka_unit_test(test_dkim_verified_without_ar),
	    cmocka_unit_test(test_dkim_verified_with_trusted_pass),
	    cmocka_unit_test(test_dkim_verified_untrusted_or_failed),
	    cmocka_unit_test(test_dkim_restructure_refused),
	    cmocka_unit_test(test_guard_trusted_dmarc_fail_refuses),
	    cmocka_unit_test(test_guard_trusted_pass_allows),
	    cmocka_unit_test(test_guard_untrusted_ar_ignored),
	    cmocka_unit_test(test_dkim_content_class_signed),
	};

	mime_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
