/*
 * rule_version.c - R-LEX-9: VERSION:2.0 and PRODID are present
 *
 * Exchange refuses a calendar without VERSION:2.0 ([MS-OXCICAL]
 * 2.1.3.1.1.3); PRODID is required by RFC 5545 3.7.3. Only what is missing
 * is added. An existing PRODID is never replaced, and calmilter never writes
 * a Microsoft PRODID: [MS-OXCICAL] 2.1.3.2.4 switches behaviour on it.
 *
 * Before: BEGIN:VCALENDAR / BEGIN:VEVENT
 * After:  BEGIN:VCALENDAR / VERSION:2.0 / PRODID:-//calmilter//calmilter//EN
 *         / BEGIN:VEVENT
 */
#include <string.h>

#include "cal_int.h"

#define CAL_PRODID "-//calmilter//calmilter//EN"

/* version_index - index of the VERSION line among c's items, or c->n */
static size_t
version_index(const struct cal_comp *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->items[i].type == CAL_ITEM_PROP &&
		    cal_streq(c->items[i].u.prop->name, "VERSION"))
			return i;
	return c->n;
}

static int
version_add(struct cal_comp *cal, size_t at, const char *name,
    const char *value, const struct cal_env *env)
{
	struct cal_prop *p;

	p = cal_prop_new(name, NULL, value);
	if (p == NULL || cal_comp_insert(cal, at, p) != 0) {
		cal_prop_free(p);
		return CAL_RULE_ERROR;
	}
	if (cal_report_add(env->rep, "R-LEX-9", CAL_FIX, "added %s:%s",
	    name, value) != 0)
		return CAL_RULE_ERROR;
	return CAL_RULE_OK;
}

int
rule_version_prodid(struct cal_doc *doc, const struct cal_env *env)
{
	struct cal_comp *cal = cal_doc_calendar(doc);
	struct cal_prop *v;
	size_t at;

	if (cal == NULL)
		return CAL_RULE_OK;
	v = cal_comp_prop(cal, "VERSION");
	if (v != NULL && strcmp(v->value, "2.0") != 0) {
		cal_report_add(env->rep, "R-LEX-9", CAL_REPORT, "VERSION:%.20s "
		    "is not 2.0; left as it is", v->value);
		return CAL_RULE_LEAVE;
	}
	if (v == NULL && version_add(cal, 0, "VERSION", "2.0", env) != 0)
		return CAL_RULE_ERROR;
	if (cal_comp_prop(cal, "PRODID") == NULL) {
		at = version_index(cal);
		at = at < cal->n ? at + 1 : 0;
		if (version_add(cal, at, "PRODID", CAL_PRODID, env) != 0)
			return CAL_RULE_ERROR;
	}
	return CAL_RULE_OK;
}
