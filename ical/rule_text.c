/*
 * rule_text.c - R-LEX-6: TEXT values escaped as RFC 5545 3.3.11 writes them
 *
 * In SUMMARY, DESCRIPTION, LOCATION, COMMENT and CONTACT (single TEXT
 * values; CATEGORIES and RESOURCES keep their commas as separators): a bare
 * ';' or ',' is escaped (a strict parser cuts the text there); the
 * Microsoft extra "\"" becomes '"'; "\'" and an unknown escape of another
 * ASCII character become that character, which is what the sender wrote
 * (libical would read a blank, [MS-STANOICAL] 2.2.37). "\\", "\;", "\,",
 * "\n" and "\N" stay as they are, and so do "\t", "\r", "\b", "\f",
 * which readers take for the control character, not the letter; escaping
 * is never applied twice. An escape of a non-ASCII character or a
 * trailing backslash is reported.
 * The text itself is never changed (N-5).
 *
 * Before: LOCATION:Room 1, Building A; Floor 2
 * After:  LOCATION:Room 1\, Building A\; Floor 2
 */
#include <stdio.h>
#include <string.h>

#include "cal_recur.h"

static const char *const text_props[] = {
	"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT", NULL
};

static int
is_text_prop(const char *name)
{
	size_t i;

	for (i = 0; text_props[i] != NULL; i++)
		if (cal_streq(name, text_props[i]))
			return 1;
	return 0;
}

/*
 * text_escape - v escaped canonically into b. Returns 0 unchanged, 1
 * changed, 2 changed with an unknown escape read as its character, -1 when
 * it cannot be done (reported by the caller)
 */
static int
text_escape(const char *v, struct cal_buf *b)
{
	int r = 0;
	char c;

	for (; *v != '\0'; v++) {
		if (*v == ';' || *v == ',') {
			cal_buf_addc(b, '\\');
			cal_buf_addc(b, *v);
			r = r ? r : 1;
			continue;
		}
		if (*v != '\\') {
			cal_buf_addc(b, *v);
			continue;
		}
		c = *++v;
		if (c == '\0' || (unsigned char)c >= 0x80 || (unsigned char)c < 0x20)
			return -1;
		if (strchr("\\;,nNtTrRbBfF", c) != NULL) {
			cal_buf_addc(b, '\\');
			cal_buf_addc(b, c);
			continue;
		}
		cal_buf_addc(b, c);	/* \" \' \x: the character itself */
		if (c != '"')
			r = 2;
		else if (r == 0)
			r = 1;
	}
	return r;
}

static int
text_prop(struct cal_doc *doc, struct cal_prop *p, const struct cal_env *env)
{
	struct cal_buf b;
	int r, ret = CAL_RULE_OK;

	cal_buf_init(&b, strlen(p->value) * 2 + 16);
	r = text_escape(p->value, &b);
	if (r < 0) {
		if (cal_report_add(env->rep, "R-LEX-6", CAL_REPORT, "line %u: "
		    "%s has an escape of a non-ASCII character or a trailing "
		    "backslash; left as it is", p->line, p->name) != 0)
			ret = CAL_RULE_ERROR;
	} else if (r > 0 && !b.oom && !b.over) {
		cal_buf_addc(&b, '\0');
		if (cal_prop_set_value(p, b.p) != 0 ||
		    cal_report_add(env->rep, "R-LEX-6", CAL_FIX, "line %u: %s "
		    "escaped as RFC 5545 writes TEXT", p->line, p->name) != 0)
			ret = CAL_RULE_ERROR;
		if (r == 2)
			doc->allow |= CAL_ALLOW_TEXT_UNESCAPE;
	} else if (b.oom) {
		ret = CAL_RULE_ERROR;
	}
	cal_buf_free(&b);
	return ret;
}

/* text_comp - every text property of c and of its sub-components */
static int
text_comp(struct cal_doc *doc, struct cal_comp *c, const struct cal_env *env)
{
	size_t i;
	int r = CAL_RULE_OK;

	for (i = 0; r == CAL_RULE_OK && i < c->n; i++) {
		if (c->items[i].type == CAL_ITEM_COMP)
			r = text_comp(doc, c->items[i].u.comp, env);
		else if (is_text_prop(c->items[i].u.prop->name))
			r = text_prop(doc, c->items[i].u.prop, env);
	}
	return r;
}

int
rule_lex_text(struct cal_doc *doc, const struct cal_env *env)
{
	struct cal_comp *cal = cal_doc_calendar(doc), *c;
	size_t i;
	int r;

	if (cal == NULL || cal_doc_microsoft(doc))	/* N-7 */
		return CAL_RULE_OK;
	for (i = 0; i < cal->n; i++) {
		if (cal->items[i].type != CAL_ITEM_COMP)
			continue;
		c = cal->items[i].u.comp;
		if (cal_streq(c->name, "VTIMEZONE"))
			continue;
		r = text_comp(doc, c, env);
		if (r != CAL_RULE_OK)
			return r;
	}
	return CAL_RULE_OK;
}
