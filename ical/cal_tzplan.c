/*
 * cal_tzplan.c - what the R-TZ rules do with each TZID of an object, and
 * the steps they share (renaming a TZID, finding tz zones by their rules)
 *
 * The plan of a TZID that is used (R-TZ-3 "the rule in force at the
 * event's dates ... until the last instance"):
 *   - no usable VTIMEZONE, name gives a tz zone: add the compact form of
 *     the zone's rule in force over the span (R-TZ-1);
 *   - a usable VTIMEZONE: keep it when it has the compact shape and
 *     Exchange's reading of it gives the span the same instants as its
 *     own rules; else rebuild it from its own rules (R-TZ-3, R-TZ-4 when
 *     there is no daylight time at the event dates, R-TZ-5 when it was one
 *     pair in the wrong syntax);
 *   - no yearly rule gives the whole span its instants: R-TZ-9;
 *   - neither usable rules nor a name with identity: left, reported.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cal_tz.h"

#define IDENTITY_SPAN	(366LL * CAL_DAY)	/* rules compared at least */

int
cal_tz_is_microsoft(const struct cal_doc *doc)
{
	const struct cal_comp *cal = cal_doc_calendar(doc);
	const struct cal_prop *p = cal ? cal_comp_prop(cal, "PRODID") : NULL;
	const char *s;

	for (s = p != NULL ? p->value : ""; *s != '\0'; s++)
		if (strncasecmp(s, "Microsoft", 9) == 0)
			return 1;
	return 0;
}

int64_t
cal_tz_year0(const struct cal_tzent *e)
{
	int64_t y = cal_year_of(e->lo) - 1;

	return y < 1970 ? y : 1970;
}

/*
 * std_larger - did the sender call the larger offset STANDARD (a negative
 * daylight time)? libical picks the STANDARD reading of a repeated local
 * time, so the compact form keeps the sender's labels.
 */
static int
std_larger(const struct cal_zone *z, const struct cal_tzrule *r, int64_t hi)
{
	int last = 0;
	size_t i;

	for (i = 0; r->has_dst && i < z->n && z->at[i] <= hi; i++)
		if (z->off[i] == r->dst_off)
			last = z->dst[i] == 0;
	return last;
}

/* plan_own - a TZID with a usable VTIMEZONE */
static void
plan_own(struct cal_tzent *e)
{
	struct cal_tzrule xr;
	int structure, compact, dl;

	compact = cal_vtz_compact(e->vtz, &structure, &e->why);
	if (compact && cal_vtz_exchange(e->vtz, &xr) == 0 &&
	    cal_tzrule_exchange(&xr) && cal_zone_is_rule(e->own, &xr, e->lo,
	    e->hi)) {
		e->plan = CAL_TZPLAN_KEEP;
		return;
	}
	if (compact)
		e->why = "Exchange reads its latest STANDARD and DAYLIGHT as "
		    "other instants at the event dates";
	if (cal_zone_rule_at(e->own, e->lo, e->hi, &e->rule) != 0) {
		e->plan = CAL_TZPLAN_NORULE;
		return;
	}
	e->rule.std_larger = std_larger(e->own, &e->rule, e->hi);
	dl = cal_comp_child(e->vtz, "DAYLIGHT", 0) != NULL;
	if (!e->rule.has_dst && (dl || !structure))
		e->plan = CAL_TZPLAN_NODST;
	else
		e->plan = structure ? CAL_TZPLAN_SYNTAX : CAL_TZPLAN_COMPACT;
}

static void
plan_one(struct cal_tzent *e)
{
	e->plan = CAL_TZPLAN_NONE;
	e->why = NULL;
	if (e->nrefs == 0 || e->lo >= e->hi || e->conflict)
		return;	/* not used, no time to read, or two definitions */
	if (e->own != NULL) {
		plan_own(e);
		return;
	}
	if (e->db == NULL)
		e->plan = CAL_TZPLAN_UNRESOLVED;
	else if (cal_zone_rule_at(e->db, e->lo, e->hi, &e->rule) == 0)
		e->plan = CAL_TZPLAN_ADD;
	else
		e->plan = CAL_TZPLAN_NORULE;
}

void
cal_tzset_plan(struct cal_tzset *set)
{
	size_t i;

	for (i = 0; set != NULL && i < set->n; i++)
		plan_one(&set->v[i]);
}

/* ---- finding tz zones by their rules ---------------------------------- */

/* std_offset - a zone's standard offset near t */
static int32_t
std_offset(const struct cal_zone *z, int64_t t)
{
	int32_t a = cal_zone_offset(z, t, NULL);
	int32_t b = cal_zone_offset(z, t + IDENTITY_SPAN / 2, NULL);

	return a < b ? a : b;
}

/* same_windows - keep in win the Windows id all candidates share */
static void
same_windows(const struct cal_zone *z, size_t n, char *win, size_t len)
{
	char w[128];

	if (win == NULL || (n > 0 && win[0] == '\0'))
		return;
	if (cal_tzdb_windows_of(cal_zone_name(z), w, sizeof(w)) != 0)
		w[0] = '\0';
	if (n == 0)
		snprintf(win, len, "%s", w);
	else if (strcmp(win, w) != 0)
		win[0] = '\0';
}

size_t
cal_tz_identity(const struct cal_zone *truth, int64_t lo, int64_t hi,
    const int32_t *hint, const struct cal_zone **first, char *win,
    size_t winlen)
{
	const struct cal_zone *z;
	size_t i, n = 0;

	if (hi < lo + IDENTITY_SPAN)
		hi = lo + IDENTITY_SPAN;
	*first = NULL;
	if (win != NULL && winlen > 0)
		win[0] = '\0';
	for (i = 0; i < cal_tzdb_count(); i++) {
		z = cal_tzdb_zone(i);
		if (z == NULL || cal_zone_offset(z, lo, NULL) !=
		    cal_zone_offset(truth, lo, NULL) ||
		    (hint != NULL && std_offset(z, lo) != *hint) ||
		    !cal_zone_same(truth, z, lo, hi))
			continue;
		same_windows(z, n, win, winlen);
		if (n++ == 0)
			*first = z;
	}
	return n;
}

int
cal_tz_has_events(const struct cal_comp *cal)
{
	static const char *const kinds[] = {
		"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", NULL
	};
	size_t i, k;

	for (i = 0; i < cal->n; i++)
		for (k = 0; cal->items[i].type == CAL_ITEM_COMP &&
		    kinds[k] != NULL; k++)
			if (cal_streq(cal->items[i].u.comp->name, kinds[k]))
				return 1;
	return 0;
}

/* ---- renaming a TZID ---------------------------------------------------- */

/* rename_refs - every TZID parameter spelt from, outside VTIMEZONEs */
static int
rename_refs(struct cal_comp *c, const char *from, const char *to)
{
	struct cal_prop *p;
	char *v;
	size_t i;
	int n = 0, r;

	if (cal_streq(c->name, "VTIMEZONE"))
		return 0;
	for (i = 0; i < c->n; i++) {
		if (c->items[i].type == CAL_ITEM_COMP) {
			r = rename_refs(c->items[i].u.comp, from, to);
			if (r < 0)
				return -1;
			n += r;
			continue;
		}
		p = c->items[i].u.prop;
		v = cal_param_get(p, "TZID");
		r = v != NULL && strcmp(v, from) == 0;
		free(v);
		if (r && cal_prop_set_param(p, "TZID", to) != 0)
			return -1;
		n += r;
	}
	return n;
}

int
cal_tz_rename(struct cal_doc *doc, struct cal_tzent *e, const char *to)
{
	struct cal_comp *cal = cal_doc_calendar(doc);
	struct cal_prop *id;
	char *name;
	int n;

	if (cal == NULL || (name = strdup(to)) == NULL)
		return -1;
	n = rename_refs(cal, e->tzid, to);
	id = e->vtz != NULL ? cal_comp_prop(e->vtz, "TZID") : NULL;
	if (n < 0 || (id != NULL && cal_prop_set_value(id, to) != 0)) {
		free(name);
		return -1;
	}
	free(e->tzid);
	e->tzid = name;
	return n;
}
