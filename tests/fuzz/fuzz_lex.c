/*
 * fuzz_lex.c - the core's lexer, writer and meaning check, driven directly:
 * cal_decode() in a charset the last byte picks, cal_doc_parse(),
 * cal_doc_write() of the untouched tree, cal_meaning_check() of the
 * decoded text against what was written (libical's parser, zones and
 * recurrence expansion on hostile input; its verdict is not judged here:
 * where the lexer and libical read a line differently, the check rolls the
 * rewrite back, which is its job).
 *
 * Contract checked: what the writer makes is a valid object (UTF-8, CRLF,
 * 75 octets) and a fixed point: lexed and written again, it comes out
 * byte-identical (normalization is idempotent).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../../ical/cal_int.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cal_init();
	return 0;
}

/* lex_write - the tree written (transfer full); NULL past the ceiling */
static char *
lex_write(const struct cal_doc *doc, const struct cal_limits *lim,
    size_t *len)
{
	int over = 0;
	char *out = cal_doc_write(doc, lim->max_bytes * 2 + 65536, len, &over);

	if (out == NULL && !over)
		fuzz_fail("cal_doc_write: out of memory");
	if (out != NULL)
		fuzz_check_object(out, *len);
	return out;
}

/* lex_fixpoint - written once more, the output does not change */
static void
lex_fixpoint(const char *w1, size_t len1, const struct cal_limits *lim)
{
	struct cal_lexinfo lex;
	struct cal_report rep;
	struct cal_doc *doc = NULL;
	size_t tlen, len2 = 0;
	char *text, *w2;

	cal_report_init(&rep, lim->max_findings);
	memset(&lex, 0, sizeof(lex));
	if (cal_decode(&text, &tlen, &lex, w1, len1, NULL, &rep) !=
	    CAL_UNCHANGED)
		fuzz_fail("the writer's output does not decode");
	if (cal_doc_parse(&doc, text, tlen, &lex, lim, &rep) != CAL_UNCHANGED)
		fuzz_fail("the writer's output does not lex");
	w2 = lex_write(doc, lim, &len2);
	if (w2 == NULL || len2 != len1 || memcmp(w1, w2, len1) != 0)
		fuzz_fail("written twice, the object changed (%zu, %zu bytes)",
		    len1, len2);
	free(w2);
	cal_doc_free(doc);
	cal_report_free(&rep);
}

/* lex_check - write the tree, check it, compare meanings */
static void
lex_check(const char *before, const struct cal_doc *doc,
    const struct cal_limits *lim, struct cal_report *rep)
{
	char why[300];
	size_t len = 0;
	char *after = lex_write(doc, lim, &len);

	if (after == NULL)
		return;
	lex_fixpoint(after, len, lim);
	(void)cal_meaning_check(before, after, lim, doc->allow, rep, why,
	    sizeof(why));
	free(after);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cal_lexinfo lex;
	struct cal_limits lim;
	struct cal_report rep;
	struct cal_doc *doc = NULL;
	const char *charset = fuzz_charset(size > 0 ? data[size - 1] : 0);
	char *text, *before;
	size_t len;

	cal_limits_default(&lim);
	cal_report_init(&rep, lim.max_findings);
	memset(&lex, 0, sizeof(lex));
	if (cal_decode(&text, &len, &lex, (const char *)data, size, charset,
	    &rep) != CAL_UNCHANGED)
		goto out;
	if (strlen(text) != len)
		fuzz_fail("decoded text has a NUL inside");
	before = strdup(text);
	if (before == NULL)
		fuzz_fail("out of memory");
	if (cal_doc_parse(&doc, text, len, &lex, &lim, &rep) == CAL_UNCHANGED)
		lex_check(before, doc, &lim, &rep);
	cal_doc_free(doc);
	free(before);
out:
	cal_report_free(&rep);
	return 0;
}
