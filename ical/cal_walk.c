/*
 * cal_walk.c - the walk over an object's events, and who produced it
 *
 * N-7: an object produced by Microsoft (PRODID "-//Microsoft
 * Corporation//Outlook ..." or "... Microsoft Exchange Server ...") gets the
 * lexical layer only; Exchange round-trips what it wrote itself, and
 * [MS-OXCICAL] 2.1.3.2.4 switches behaviour on the PRODID.
 */
#include <string.h>
#include <strings.h>

#include "cal_recur.h"

/* has_word - s contains w, ASCII case-insensitively */
static int
has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (; *s != '\0'; s++)
		if (strncasecmp(s, w, n) == 0)
			return 1;
	return 0;
}

int
cal_doc_microsoft(const struct cal_doc *doc)
{
	const struct cal_comp *cal = cal_doc_calendar(doc);
	const struct cal_prop *p;

	if (cal == NULL || (p = cal_comp_prop(cal, "PRODID")) == NULL)
		return 0;
	return strncasecmp(p->value, "-//Microsoft Corporation//Outlook",
	    33) == 0 || has_word(p->value, "Microsoft Exchange Server");
}

size_t
cal_prop_index(const struct cal_comp *c, const struct cal_prop *p)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->items[i].type == CAL_ITEM_PROP && c->items[i].u.prop == p)
			return i;
	return c->n;
}

struct cal_prop *
cal_comp_nth_prop(const struct cal_comp *c, const char *name, size_t nth)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->items[i].type == CAL_ITEM_PROP &&
		    cal_streq(c->items[i].u.prop->name, name) && nth-- == 0)
			return c->items[i].u.prop;
	return NULL;
}

int
cal_event_each(struct cal_doc *doc, const struct cal_env *env,
    int (*fn)(struct cal_doc *, struct cal_comp *, const struct cal_env *))
{
	struct cal_comp *cal = cal_doc_calendar(doc), *c;
	size_t i;
	int r;

	if (cal == NULL || cal_doc_microsoft(doc))
		return CAL_RULE_OK;
	for (i = 0; i < cal->n; i++) {
		if (cal->items[i].type != CAL_ITEM_COMP)
			continue;
		c = cal->items[i].u.comp;
		if (!cal_streq(c->name, "VEVENT"))
			continue;
		r = fn(doc, c, env);
		if (r != CAL_RULE_OK)
			return r;
	}
	return CAL_RULE_OK;
}
