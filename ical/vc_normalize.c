/*
 * vc_normalize.c - the vCard pipeline: pre-pass, parse, the vCard rules,
 * write, check that every value of the person survived
 *
 * A part whose cards need no change keeps its bytes (N-11). A rewrite
 * whose set of values differs from the input's is withdrawn (N-5, N-10),
 * like a calendar that fails the meaning check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vc_int.h"

/* vc_has21 - a VERSION:2.1 line anywhere */
static int
vc_has21(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i + 11 <= len; i++)
		if ((i == 0 || text[i - 1] == '\n' || text[i - 1] == '\r') &&
		    strncasecmp(text + i, "VERSION:2.1", 11) == 0)
			return 1;
	return 0;
}

/* vc_write_check - the tree written, and its values compared */
static enum cal_status
vc_write_check(struct cal_out *out, const struct cal_doc *doc,
    const struct vc_vals *before, const struct cal_env *env)
{
	const struct cal_limits *lim = env->lim;
	char why[200];
	int over, same;

	out->data = cal_doc_write(doc, lim->max_bytes * 2 + 65536, &out->len,
	    &over);
	if (out->data == NULL) {
		if (!over)
			return CAL_ERROR;
		cal_report_add(env->rep, "LIMIT", CAL_REPORT, "MaxPartSize "
		    "(%zu): the result would be over twice that; left as it is",
		    lim->max_bytes);
		return CAL_LIMIT;
	}
	same = vc_values_check(before, out->data, out->len,
	    env->ctx->mime_charset, lim, why, sizeof(why));
	if (same == 1)
		return CAL_CHANGED;
	if (same == -2)
		return CAL_ERROR;
	cal_report_add(env->rep, "CHECK", CAL_REPORT, "the rewrite would change "
	    "the person (%s); all changes withdrawn", why);
	return CAL_MALFORMED;
}

/* vc_parse - the pre-pass and the lexer (steals text) */
static enum cal_status
vc_parse(struct cal_doc **doc, char *text, size_t len,
    const struct cal_lexinfo *lex, const struct cal_env *env)
{
	struct vc_prepinfo pi;
	struct cal_lexinfo lx = *lex;
	size_t plen;
	char *prep;

	prep = vc_prep(text, len, env->lim->max_bytes * 2 + 65536, &plen, &pi);
	free(text);
	if (prep == NULL)
		return CAL_ERROR;
	if (pi.transcoded > 0 && lx.charset[0] == '\0')
		snprintf(lx.charset, sizeof(lx.charset), "%s", pi.charset);
	return cal_doc_parse(doc, prep, plen, &lx, env->lim, env->rep);
}

enum cal_status
vc_normalize(struct cal_out *out, char *text, size_t len,
    const struct cal_lexinfo *lex, const struct cal_env *env)
{
	struct vc_vals before = { 0 };
	struct cal_doc *doc = NULL;
	enum cal_status st;
	int r;

	if (!env->pol->vcard21_to30 && vc_has21(text, len)) {
		free(text);
		cal_report_add(env->rep, "R-VC-1", CAL_REPORT, "vCard 2.1 kept "
		    "as it is (VCard21 keep)");
		return CAL_SKIPPED;
	}
	st = vc_parse(&doc, text, len, lex, env);
	if (st != CAL_UNCHANGED)
		return st;
	if (vc_values_of(&before, NULL, doc, env->ctx->mime_charset,
	    env->lim->max_line) != 0) {
		st = CAL_ERROR;
		goto out;
	}
	out->ncards = vc_ncards(doc);
	r = cal_rules_run(doc, env);
	if (r == CAL_RULE_ERROR)
		st = CAL_ERROR;
	else if (r == CAL_RULE_LEAVE)
		st = CAL_SKIPPED;
	else if (env->rep->nfix > env->first_fix)
		st = vc_write_check(out, doc, &before, env);
out:
	vc_values_free(&before);
	cal_doc_free(doc);
	return st;
}
