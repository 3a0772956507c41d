/*
 * test_cal_idempotence.c - N-11 and determinism over every fixture: each
 * .ics and .eml file under tests/fixtures/ is normalized twice (the same
 * status, the same bytes, the same edits), and a changed result normalized
 * again changes nothing. Bare objects go through cal_normalize(), messages
 * through mime_process() and mime_apply().
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "unit.h"
#include "caltest.h"
#include "mimetest.h"

#include <ftw.h>

/* 1741600000 = 2025-03-10 09:46:40 UTC */
#define NOW ((time_t)1741600000)

struct stats {
	unsigned ics;
	unsigned eml;
	unsigned changed;
	unsigned bad;
};

static struct stats stats;

static void
bad(const char *path, const char *what)
{
	stats.bad++;
	print_message("FAIL %s: %s\n", path, what);
}

static void
ics_ctx(struct ct_run *r)
{
	r->ctx.now = NOW;
	r->ctx.from_addr = "alice@example.org";
}

static void
one_ics(const char *path)
{
	struct ct_run a, b, c;
	size_t len;
	char *in = unit_read_file(path, &len);

	stats.ics++;
	ct_init(&a);
	ct_init(&b);
	ics_ctx(&a);
	ics_ctx(&b);
	ct_norm(&a, in, len);
	ct_norm(&b, in, len);
	if (a.st != b.st || a.out.len != b.out.len ||
	    (a.out.len > 0 && memcmp(a.out.data, b.out.data, a.out.len) != 0))
		bad(path, "two runs differ");
	if (a.st == CAL_CHANGED) {
		stats.changed++;
		ct_init(&c);
		ics_ctx(&c);
		ct_norm(&c, a.out.data, a.out.len);
		if (c.st != CAL_UNCHANGED || ct_nfix(&c.rep) != 0) {
			bad(path, "the output changes again");
			ct_dump(&c.rep);
		}
		ct_free(&c);
	}
	ct_free(&a);
	ct_free(&b);
	free(in);
}

/* same_result - the two results are the same decision, byte for byte */
static int
same_result(const struct mime_result *x, const struct mime_result *y)
{
	size_t i;

	if (x->status != y->status || x->reason != y->reason ||
	    x->body_len != y->body_len || x->nedits != y->nedits ||
	    (x->body_len > 0 && memcmp(x->body, y->body, x->body_len) != 0))
		return 0;
	for (i = 0; i < x->nedits; i++)
		if (x->edits[i].op != y->edits[i].op ||
		    x->edits[i].index != y->edits[i].index ||
		    strcmp(x->edits[i].name, y->edits[i].name) != 0 ||
		    g_strcmp0(x->edits[i].value, y->edits[i].value) != 0)
			return 0;
	return 1;
}

static void
one_eml(const char *path)
{
	struct mt a, b, c;

	stats.eml++;
	mt_init(&a);
	mt_init(&b);
	a.in = (uint8_t *)unit_read_file(path, &a.inlen);
	b.in = malloc(a.inlen + 1);
	assert_non_null(b.in);
	memcpy(b.in, a.in, a.inlen);
	b.inlen = a.inlen;
	mt_process(&a);
	mt_process(&b);
	if (!same_result(&a.res, &b.res) || a.outlen != b.outlen ||
	    (a.outlen > 0 && memcmp(a.out, b.out, a.outlen) != 0))
		bad(path, "two runs differ");
	if (a.res.status == CAL_CHANGED) {
		stats.changed++;
		mt_init(&c);
		c.in = malloc(a.outlen + 1);
		assert_non_null(c.in);
		memcpy(c.in, a.out, a.outlen);
		c.inlen = a.outlen;
		mt_process(&c);
		if (c.res.status == CAL_CHANGED ||
		    ct_nfix(&c.res.report) != 0) {
			bad(path, "the relayed message changes again");
			mt_dump(&c);
		}
		mt_free(&c);
	}
	mt_free(&a);
	mt_free(&b);
}

static int
visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	size_t n = strlen(path);

	(void)st;
	(void)ftw;
	if (flag != FTW_F)
		return 0;
	if (n > 4 && strcmp(path + n - 4, ".ics") == 0)
		one_ics(path);
	else if (n > 4 && strcmp(path + n - 4, ".eml") == 0)
		one_eml(path);
	return 0;
}

/* visit_all - every file is an object (ics/) or a message (eml/) */
static int
visit_all(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag != FTW_F)
		return 0;
	if (strstr(path, "/corpus/eml/") != NULL)
		one_eml(path);
	else
		one_ics(path);
	return 0;
}

static void
test_idempotence_every_fixture(void **state)
{
	(void)state;
	memset(&stats, 0, sizeof(stats));
	assert_int_equal(nftw(SRCDIR "/tests/fixtures", visit, 16, FTW_PHYS),
	                 0);
	print_message("fixtures: %u .ics, %u .eml, %u changed, %u failed\n",
	              stats.ics, stats.eml, stats.changed, stats.bad);
	assert_true(stats.ics >= 20);
	assert_true(stats.eml >= 20);
	assert_true(stats.changed > 0);
	assert_int_equal(stats.bad, 0);
}

/* the same over the shared corpus: stable output, no crash */
static void
test_idempotence_corpus(void **state)
{
	(void)state;
	memset(&stats, 0, sizeof(stats));
	assert_int_equal(
	    nftw(SRCDIR "/../shared/corpus/ics", visit_all, 16, FTW_PHYS), 0);
	assert_int_equal(
	    nftw(SRCDIR "/../shared/corpus/eml", visit_all, 16, FTW_PHYS), 0);
	print_message(
	    "corpus: %u objects, %u messages, %u changed, %u failed\n",
	    stats.ics, stats.eml, stats.changed, stats.bad);
	assert_true(stats.ics >= 600);
	assert_true(stats.eml >= 70);
	assert_int_equal(stats.bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_idempotence_every_fixture),
	    cmocka_unit_test(test_idempotence_corpus),
	};

	mime_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
