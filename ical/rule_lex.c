/*
 * rule_lex.c - the lexical layer: R-LEX-1 byte-order mark, R-LEX-2 CRLF,
 * R-LEX-3 folding, R-LEX-4 UTF-8, R-LEX-5 control characters and broken
 * lines, R-LEX-8 one VCALENDAR per part
 *
 * The decoder and the lexer do the work (cal_decode.c, cal_lex.c) and the
 * writer emits CRLF and sound folds; these rules turn what they saw into
 * findings, so that every change is named.
 *
 * Before: BEGIN:VEVENT\nUID:1\n          After: BEGIN:VEVENT\r\nUID:1\r\n
 */
#include "cal_int.h"

int
rule_lex_bom(struct cal_doc *doc, const struct cal_env *env)
{
	if (doc->lex.bom &&
	    cal_report_add(env->rep, "R-LEX-1", CAL_FIX,
	    "removed the byte-order mark") != 0)
		return CAL_RULE_ERROR;
	return CAL_RULE_OK;
}

int
rule_lex_eol(struct cal_doc *doc, const struct cal_env *env)
{
	if (doc->lex.eol_fixed > 0 &&
	    cal_report_add(env->rep, "R-LEX-2", CAL_FIX,
	    "%u line ends made CRLF", doc->lex.eol_fixed) != 0)
		return CAL_RULE_ERROR;
	return CAL_RULE_OK;
}

static unsigned
lex_count_refold(const struct cal_comp *c, unsigned *first)
{
	const struct cal_prop *p;
	unsigned n = 0;
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->items[i].type == CAL_ITEM_COMP) {
			n += lex_count_refold(c->items[i].u.comp, first);
			continue;
		}
		p = c->items[i].u.prop;
		if (p->raw != NULL && p->refold) {
			if (n == 0 && *first == 0)
				*first = p->line;
			n++;
		}
	}
	return n;
}

int
rule_lex_fold(struct cal_doc *doc, const struct cal_env *env)
{
	unsigned first = 0, n;

	n = lex_count_refold(&doc->root, &first);
	if (n > 0 && cal_report_add(env->rep, "R-LEX-3", CAL_FIX,
	    "%u line%s folded at 75 octets (first: line %u)", n,
	    n == 1 ? "" : "s", first) != 0)
		return CAL_RULE_ERROR;
	return CAL_RULE_OK;
}

int
rule_lex_charset(struct cal_doc *doc, const struct cal_env *env)
{
	if (doc->lex.charset[0] != '\0' &&
	    cal_report_add(env->rep, "R-LEX-4", CAL_FIX,
	    "transcoded from %s to UTF-8", doc->lex.charset) != 0)
		return CAL_RULE_ERROR;
	return CAL_RULE_OK;
}

int
rule_lex_control(struct cal_doc *doc, const struct cal_env *env)
{
	const struct cal_lexinfo *lx = &doc->lex;

	if (lx->joined > 0 && !env->pol->repair_broken_lines) {
		cal_report_add(env->rep, "R-LEX-5", CAL_REPORT, "%u line%s cut "
		    "by a raw newline (RepairBrokenLines no); left as it is",
		    lx->joined, lx->joined == 1 ? "" : "s");
		return CAL_RULE_LEAVE;
	}
	if (lx->joined > 0)
		doc->allow |= CAL_ALLOW_TEXT_JOIN;
	if ((lx->ctl_removed > 0 && cal_report_add(env->rep, "R-LEX-5",
	    CAL_FIX, "removed %u control characters", lx->ctl_removed)) ||
	    (lx->blank_removed > 0 && cal_report_add(env->rep, "R-LEX-5",
	    CAL_FIX, "removed %u empty lines", lx->blank_removed)) ||
	    (lx->joined > 0 && cal_report_add(env->rep, "R-LEX-5", CAL_FIX,
	    "joined %u line%s cut by a raw newline back into the text value",
	    lx->joined, lx->joined == 1 ? "" : "s")))
		return CAL_RULE_ERROR;
	return CAL_RULE_OK;
}

int
rule_lex_objects(struct cal_doc *doc, const struct cal_env *env)
{
	const struct cal_comp *c;
	size_t i;

	for (i = 0; i < doc->root.n; i++) {
		c = doc->root.items[i].u.comp;
		if (c->name != NULL && cal_streq(c->name, "VCALENDAR"))
			continue;
		cal_report_add(env->rep, "R-LEX-8", CAL_REPORT, "top-level %s "
		    "outside a VCALENDAR; left as it is", c->name);
		return CAL_RULE_LEAVE;
	}
	if (doc->lex.objects > 1) {
		cal_report_add(env->rep, "R-LEX-8", CAL_REPORT, "%u VCALENDAR "
		    "objects in one part; not merged, left as it is",
		    doc->lex.objects);
		return CAL_RULE_LEAVE;
	}
	return CAL_RULE_OK;
}
