/*
 * test_vcard_corpus.c - every vCard of ../shared/corpus (vcf/, and any
 * other bare object that starts with BEGIN:VCARD) through cal_normalize():
 * no crash or internal error; a rewrite holds only VERSION:3.0 cards, one
 * per card of the input; every value of the person is still there (the
 * values check, run again here from the outside); a second pass changes
 * nothing; and a 2.1 or 4.0 object that is not rewritten says why.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "unit.h"
#include "caltest.h"

#include <ftw.h>
#include <strings.h>

#include "../../ical/vc_int.h"

#define CORPUS SRCDIR "/../shared/corpus"

struct stats {
	unsigned files;
	unsigned changed;
	unsigned left;
	unsigned bad;
};

static struct stats stats;

static void
bad(const char *path, const char *what)
{
	stats.bad++;
	print_message("FAIL %s: %s\n", path, what);
}

/* count - lines of text that start with s */
static unsigned
count(const char *text, size_t len, const char *s)
{
	size_t i, n = strlen(s);
	unsigned k = 0;

	for (i = 0; i + n <= len; i++)
		if ((i == 0 || text[i - 1] == '\n') &&
		    strncasecmp(text + i, s, n) == 0)
			k++;
	return k;
}

/* values_kept - the values of in (read as the core reads it) are in out */
static int
values_kept(const char *in, size_t len, const struct ct_run *r)
{
	struct vc_prepinfo pi;
	struct cal_lexinfo lex;
	struct cal_report rep;
	struct cal_doc *doc = NULL;
	struct vc_vals vals;
	size_t plen;
	char why[200], *text;
	int ok = 0;

	memset(&lex, 0, sizeof(lex));
	cal_report_init(&rep, 20);
	text = vc_prep(in, len, len * 2 + 65536, &plen, &pi);
	if (text != NULL && cal_doc_parse(&doc, text, plen, &lex, &r->lim,
	    &rep) == CAL_UNCHANGED &&
	    vc_values_of(&vals, NULL, doc, NULL, r->lim.max_line) == 0) {
		ok = vc_values_check(&vals, r->out.data, r->out.len, NULL,
		    &r->lim, why, sizeof(why)) == 1;
		if (!ok)
			print_message("  %s\n", why);
		vc_values_free(&vals);
	}
	cal_doc_free(doc);
	cal_report_free(&rep);
	return ok;
}

static void
check_changed(const char *path, const char *in, size_t len,
    const struct ct_run *a)
{
	struct ct_run c;
	const char *o = a->out.data;
	size_t n = a->out.len;

	stats.changed++;
	if (count(o, n, "VERSION:") != count(o, n, "VERSION:3.0\r\n") ||
	    count(o, n, "BEGIN:VCARD") != count(in, len, "BEGIN:VCARD"))
		bad(path, "not one VERSION:3.0 card for each card");
	if (!values_kept(in, len, a))
		bad(path, "a value of the person is lost");
	ct_init(&c);
	c.ctx.mime_charset = "utf-8";
	ct_norm(&c, o, n);
	if (c.st != CAL_UNCHANGED || ct_nfix(&c.rep) != 0) {
		bad(path, "the output changes again");
		ct_dump(&c.rep);
	}
	ct_free(&c);
}

static void
one(const char *path)
{
	struct ct_run a;
	size_t len;
	char *in = unit_read_file(path, &len);

	ct_init(&a);
	if (cal_detect(in, len) != CAL_KIND_VCARD) {
		free(in);
		return;
	}
	stats.files++;
	ct_norm(&a, in, len);
	if (a.st == CAL_ERROR)
		bad(path, "internal error");
	else if (a.st == CAL_CHANGED)
		check_changed(path, in, len, &a);
	else if (count(in, len, "VERSION:2.1") + count(in, len, "VERSION:4.0")
	    > 0) {
		stats.left++;
		if (a.rep.n == 0)
			bad(path, "2.1 or 4.0 left as it is without a finding");
	}
	ct_free(&a);
	free(in);
}

static int
visit(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_F && strstr(path, "/eml/") == NULL &&
	    strstr(path, "MANIFEST") == NULL && strstr(path, "README") == NULL)
		one(path);
	return 0;
}

static void
test_vcard_corpus(void **state)
{
	(void)state;
	memset(&stats, 0, sizeof(stats));
	assert_int_equal(nftw(CORPUS, visit, 16, FTW_PHYS), 0);
	print_message("vCard corpus: %u objects, %u rewritten, %u of 2.1/4.0 "
	              "left as they are (each with its finding), %u failed\n",
	              stats.files, stats.changed, stats.left, stats.bad);
	assert_true(stats.files >= 175);
	assert_true(stats.changed > 0);
	assert_int_equal(stats.bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vcard_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
