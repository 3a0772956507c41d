/*
 * rule_itip.c - one scheduling object per part, identified by its UID
 *
 * R-ITIP-5 every VEVENT, VTODO and VJOURNAL has a UID. In a REQUEST or
 *          PUBLISH a missing one is derived from the component's own
 *          content (its kind, its place among its kind, and every line but
 *          DTSTAMP, SEQUENCE, CREATED and LAST-MODIFIED, which change when
 *          the same invitation is sent again): a resend gets the same UID,
 *          "calmilter-" and 16 hex digits. In a CANCEL, REPLY or COUNTER a
 *          derived UID could not match the original: reported. An existing
 *          UID is never changed (N-3).
 *          Before: (no UID)    After: UID:calmilter-3f1c9a0e5b7d2c41
 * R-ITIP-4 in an iMIP part (REQUEST, CANCEL, REPLY, COUNTER) the VEVENTs
 *          share one UID, the master (no RECURRENCE-ID) first: it is moved
 *          there ([MS-STANOICAL] 2.2.175: Outlook reads the first VEVENT).
 *          Several UIDs, or VEVENTs mixed with VTODO or VJOURNAL, are
 *          reported; an object is never split.
 * R-ITIP-9 the checks of RFC 5546 3.2 per method, reported only: a REPLY
 *          with other than one ATTENDEE with PARTSTAT, a REQUEST without
 *          ATTENDEE, a CANCEL without the cancelled attendees or with a
 *          STATUS other than CANCELLED. STATUS is never added to a CANCEL
 *          (RFC 5546 3.2.5: without it, a CANCEL un-invites the attendees
 *          it names).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal_recur.h"

static const char *const uid_kinds[] = { "VEVENT", "VTODO", "VJOURNAL", NULL };

static int
is_uid_kind(const char *name)
{
	size_t i;

	for (i = 0; uid_kinds[i] != NULL; i++)
		if (cal_streq(name, uid_kinds[i]))
			return 1;
	return 0;
}

/* is_imip - the methods Exchange processes as iMIP */
static int
is_imip(const char *m)
{
	return strcmp(m, "REQUEST") == 0 || strcmp(m, "CANCEL") == 0 ||
	    strcmp(m, "REPLY") == 0 || strcmp(m, "COUNTER") == 0;
}

/* ---- R-ITIP-5 -------------------------------------------------------------- */

/* fnv - FNV-1a, 64 bits, over s */
static uint64_t
fnv(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h ^ 0xff;	/* ends each field */
}

/* is_volatile - lines that change when the same object is sent again */
static int
is_volatile(const char *name)
{
	return cal_streq(name, "DTSTAMP") || cal_streq(name, "SEQUENCE") ||
	    cal_streq(name, "CREATED") || cal_streq(name, "LAST-MODIFIED");
}

/* uid_derive - the derived UID of c, the nth of its kind */
static void
uid_derive(const struct cal_comp *c, size_t nth, char *buf, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const struct cal_prop *p;
	char n[32];
	size_t i;

	snprintf(n, sizeof(n), "%zu", nth);
	h = fnv(fnv(h, c->name), n);
	for (i = 0; i < c->n; i++) {
		if (c->items[i].type != CAL_ITEM_PROP)
			continue;
		p = c->items[i].u.prop;
		if (is_volatile(p->name))
			continue;
		h = fnv(fnv(fnv(h, p->name), p->params), p->value);
	}
	snprintf(buf, len, CAL_DERIVED_UID "%016llx", (unsigned long long)h);
}

static int
uid_add(struct cal_doc *doc, struct cal_comp *c, size_t nth,
    const struct cal_env *env)
{
	struct cal_prop *p;
	char uid[64];

	uid_derive(c, nth, uid, sizeof(uid));
	p = cal_prop_new("UID", NULL, uid);
	if (p == NULL || cal_comp_insert(c, 0, p) != 0) {
		cal_prop_free(p);
		return CAL_RULE_ERROR;
	}
	doc->allow |= CAL_ALLOW_UID;
	return cal_report_add(env->rep, "R-ITIP-5", CAL_FIX, "%s line %u: "
	    "added UID:%s, derived from its content", c->name, c->begin->line,
	    uid) == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
}

/* uid_one - the nth component of its kind, without UID */
static int
uid_one(struct cal_doc *doc, struct cal_comp *c, size_t nth, const char *m,
    const struct cal_env *env)
{
	if (cal_comp_prop(c, "RECURRENCE-ID") != NULL)
		return cal_report_add(env->rep, "R-ITIP-5", CAL_REPORT, "%s line "
		    "%u: an override without UID belongs to no series; left as "
		    "it is", c->name, c->begin->line) == 0 ? CAL_RULE_OK
							   : CAL_RULE_ERROR;
	if (strcmp(m, "REQUEST") == 0 || strcmp(m, "PUBLISH") == 0)
		return uid_add(doc, c, nth, env);
	return cal_report_add(env->rep, "R-ITIP-5", CAL_REPORT, "%s line %u "
	    "has no UID; in %s a derived one could not match the original; "
	    "left as it is", c->name, c->begin->line, m[0] ? m : "a calendar "
	    "without METHOD") == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
}

int
rule_itip_uid(struct cal_doc *doc, const struct cal_env *env)
{
	struct cal_comp *cal = cal_doc_calendar(doc), *c;
	const char *m = cal_doc_method(doc);
	size_t i, k, nth[3] = { 0, 0, 0 };
	int r;

	if (cal == NULL || cal_doc_microsoft(doc))
		return CAL_RULE_OK;
	for (i = 0; i < cal->n; i++) {
		if (cal->items[i].type != CAL_ITEM_COMP)
			continue;
		c = cal->items[i].u.comp;
		for (k = 0; uid_kinds[k] != NULL; k++)
			if (cal_streq(c->name, uid_kinds[k]))
				break;
		if (uid_kinds[k] == NULL)
			continue;
		nth[k]++;
		if (cal_comp_prop(c, "UID") != NULL)
			continue;
		r = uid_one(doc, c, nth[k] - 1, m, env);
		if (r != CAL_RULE_OK)
			return r;
	}
	return CAL_RULE_OK;
}

/* ---- R-ITIP-4 -------------------------------------------------------------- */

/* one_uid - report several UIDs, or VEVENTs mixed with other kinds;
 * returns 1 when the object is one scheduling object */
static int
one_uid(const struct cal_comp *cal, const char *m, const struct cal_env *env)
{
	const struct cal_comp *c;
	const struct cal_prop *u;
	const char *uid = NULL;
	size_t i;
	int other = 0, several = 0;

	for (i = 0; i < cal->n; i++) {
		if (cal->items[i].type != CAL_ITEM_COMP)
			continue;
		c = cal->items[i].u.comp;
		if (!cal_streq(c->name, "VEVENT")) {
			other |= is_uid_kind(c->name);
			continue;
		}
		u = cal_comp_prop(c, "UID");
		if (uid == NULL)
			uid = u != NULL ? u->value : "";
		else if (strcmp(uid, u != NULL ? u->value : "") != 0)
			several = 1;
	}
	if (uid != NULL && other)
		cal_report_add(env->rep, "R-ITIP-4", CAL_REPORT, "%s mixes VEVENT "
		    "with VTODO or VJOURNAL; left as it is", m);
	if (several)
		cal_report_add(env->rep, "R-ITIP-4", CAL_REPORT, "%s holds "
		    "several UIDs (Outlook reads the first VEVENT only); not "
		    "split, left as it is", m);
	return uid != NULL && !other && !several;
}

/* master_first - move the VEVENT without RECURRENCE-ID before the others */
static int
master_first(struct cal_comp *cal, const struct cal_env *env)
{
	struct cal_item tmp;
	size_t i, first = cal->n, master = cal->n, j;

	for (i = 0; i < cal->n; i++) {
		if (cal->items[i].type != CAL_ITEM_COMP ||
		    !cal_streq(cal->items[i].u.comp->name, "VEVENT"))
			continue;
		if (first == cal->n)
			first = i;
		if (cal_comp_prop(cal->items[i].u.comp, "RECURRENCE-ID") == NULL) {
			if (master != cal->n)
				return CAL_RULE_OK;	/* two masters */
			master = i;
		}
	}
	if (master == cal->n || master == first)
		return CAL_RULE_OK;
	tmp = cal->items[master];
	for (j = master; j > first; j--)
		cal->items[j] = cal->items[j - 1];
	cal->items[first] = tmp;
	return cal_report_add(env->rep, "R-ITIP-4", CAL_FIX, "the master "
	    "VEVENT (line %u) moved before its overrides",
	    tmp.u.comp->begin->line) == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
}

int
rule_itip_object(struct cal_doc *doc, const struct cal_env *env)
{
	struct cal_comp *cal = cal_doc_calendar(doc);
	const char *m = cal_doc_method(doc);

	if (cal == NULL || cal_doc_microsoft(doc) || !is_imip(m))
		return CAL_RULE_OK;
	if (!one_uid(cal, m, env))
		return CAL_RULE_OK;
	return master_first(cal, env);
}

/* ---- R-ITIP-9 -------------------------------------------------------------- */

static int
check_report(const struct cal_env *env, const struct cal_comp *c,
    const char *m, const char *what)
{
	return cal_report_add(env->rep, "R-ITIP-9", CAL_REPORT, "%s: VEVENT "
	    "line %u %s (RFC 5546 3.2); left as it is", m, c->begin->line,
	    what) == 0 ? CAL_RULE_OK : CAL_RULE_ERROR;
}

static int
check_event(struct cal_doc *doc, struct cal_comp *c, const struct cal_env *env)
{
	const char *m = cal_doc_method(doc);
	const struct cal_prop *a = cal_comp_prop(c, "ATTENDEE");
	const struct cal_prop *st = cal_comp_prop(c, "STATUS");
	size_t n = cal_comp_count(c, "ATTENDEE");
	char *ps;
	int has_ps;

	if (strcmp(m, "REPLY") == 0) {
		ps = a != NULL ? cal_param_get(a, "PARTSTAT") : NULL;
		has_ps = ps != NULL;
		free(ps);
		if (n != 1 || !has_ps)
			return check_report(env, c, m, n != 1 ? "has not "
			    "exactly one ATTENDEE, the replier" : "has an "
			    "ATTENDEE without PARTSTAT");
	} else if (strcmp(m, "REQUEST") == 0 && n == 0 &&
	    cal_comp_prop(c, "RECURRENCE-ID") == NULL) {
		return check_report(env, c, m, "has no ATTENDEE");
	} else if (strcmp(m, "CANCEL") == 0) {
		if (st != NULL && !cal_streq(st->value, "CANCELLED"))
			return check_report(env, c, m, "has a STATUS other "
			    "than CANCELLED");
		if (n == 0)
			return check_report(env, c, m, "names no cancelled "
			    "ATTENDEE");
	}
	return CAL_RULE_OK;
}

int
rule_itip_checks(struct cal_doc *doc, const struct cal_env *env)
{
	return is_imip(cal_doc_method(doc)) ? cal_event_each(doc, env,
	    check_event) : CAL_RULE_OK;
}
