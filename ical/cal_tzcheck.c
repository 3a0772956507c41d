/*
 * cal_tzcheck.c - how the meaning check (N-4) reads TZIDs the R-TZ rules
 * resolved: with the same resolution the rules used
 *
 * A TZID of the input with no usable VTIMEZONE, whose name R-TZ-2 resolved
 * to a tz database zone, is read on the input side through that zone's
 * whole history (an unusable VTIMEZONE of it is taken out first); floating
 * times R-TZ-8 bound are read on the input side in the zone they were bound
 * to. The output side gets the same history for any such TZID it still
 * leaves undefined. So a VTIMEZONE the rules added or replaced is compared,
 * occurrence by occurrence, with the zone it claims to be.
 */
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "cal_tz.h"

#define FULL_MAX	(4u << 20)	/* one zone's history as text */

/* calendar - the VCALENDAR of a parsed object */
static icalcomponent *
calendar(icalcomponent *root)
{
	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT)
		return root;
	return icalcomponent_get_first_component(root,
	    ICAL_VCALENDAR_COMPONENT);
}

/* vtz_of - the first VTIMEZONE with that TZID, or NULL */
static icalcomponent *
vtz_of(icalcomponent *cal, const char *tzid)
{
	icalcomponent *c;
	icalproperty *p;

	for (c = icalcomponent_get_first_component(cal,
	    ICAL_VTIMEZONE_COMPONENT); c != NULL;
	    c = icalcomponent_get_next_component(cal,
	    ICAL_VTIMEZONE_COMPONENT)) {
		p = icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
		if (p != NULL && icalproperty_get_tzid(p) != NULL &&
		    strcmp(icalproperty_get_tzid(p), tzid) == 0)
			return c;
	}
	return NULL;
}

/* add_history - zone z's history as VTIMEZONE tzid; -2 on out of memory */
static int
add_history(icalcomponent *cal, const struct cal_zone *z, const char *tzid)
{
	char *text = cal_vtz_full_text(z, tzid, FULL_MAX);
	icalcomponent *vtz;

	if (text == NULL)
		return -2;
	vtz = icalparser_parse_string(text);
	free(text);
	if (vtz == NULL)
		return -2;
	if (icalcomponent_isa(vtz) != ICAL_VTIMEZONE_COMPONENT) {
		icalcomponent_free(vtz);
		return -2;
	}
	icalcomponent_add_component(cal, vtz);
	return 0;
}

/*
 * attach_own - an input VTIMEZONE libical reads slowly (an RRULE that never
 * occurs) is read as cal_tzvtz.c reads it, which the tests hold to
 * libical's reading of ordinary VTIMEZONEs
 */
static int
attach_own(icalcomponent *cal, const struct cal_tzent *e)
{
	const struct cal_zone *z = e->in_zone != NULL ? e->in_zone : e->own;
	icalcomponent *old = vtz_of(cal, e->orig);

	if (z == NULL || old == NULL)
		return 0;
	icalcomponent_remove_component(cal, old);
	icalcomponent_free(old);
	return add_history(cal, z, e->orig);
}

/* attach_zone - one TZID's zone on one side, when that side needs it */
static int
attach_zone(icalcomponent *cal, const struct cal_tzent *e, int input)
{
	const char *tzid = input ? e->orig : e->tzid;
	icalcomponent *old = vtz_of(cal, tzid);

	if (input && e->costly && e->had_vtz && !e->vtz_bad)
		return attach_own(cal, e);
	if (e->db == NULL)
		return 0;
	if (input && e->had_vtz && !e->vtz_bad)
		return 0;	/* read through its own VTIMEZONE */
	if (old != NULL) {
		if (!input || !e->vtz_bad)
			return 0;
		icalcomponent_remove_component(cal, old);
		icalcomponent_free(old);
	}
	return add_history(cal, e->db, tzid);
}

static int
is_floating_dt(icalproperty *p)
{
	struct icaltimetype t = icalproperty_get_datetime_with_component(p,
	    NULL);

	return icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER) ==
	    NULL && !icaltime_is_null_time(t) && !t.is_date &&
	    !icaltime_is_utc(t);
}

/* bind_event - as R-TZ-8 did: floating DATE-TIMEs of a timed VEVENT */
static void
bind_event(icalcomponent *ev, const char *tzid)
{
	static const icalproperty_kind kinds[] = {
		ICAL_DTSTART_PROPERTY, ICAL_DTEND_PROPERTY,
		ICAL_RECURRENCEID_PROPERTY, ICAL_RDATE_PROPERTY,
		ICAL_EXDATE_PROPERTY, ICAL_NO_PROPERTY
	};
	icalproperty *p = icalcomponent_get_first_property(ev,
	    ICAL_DTSTART_PROPERTY);
	size_t i;

	if (p == NULL || !is_floating_dt(p))
		return;
	for (i = 0; kinds[i] != ICAL_NO_PROPERTY; i++)
		for (p = icalcomponent_get_first_property(ev, kinds[i]);
		    p != NULL; p = icalcomponent_get_next_property(ev,
		    kinds[i]))
			if (is_floating_dt(p))
				icalproperty_set_parameter(p,
				    icalparameter_new_tzid(tzid));
}

int
cal_tzset_attach(const struct cal_tzset *set, icalcomponent *root, int input)
{
	icalcomponent *cal = calendar(root), *ev;
	size_t i;

	if (set == NULL || cal == NULL)
		return 0;
	for (i = 0; i < set->n; i++)
		if (attach_zone(cal, &set->v[i], input) != 0)
			return -2;
	if (!input || set->floating == NULL)
		return 0;
	for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	    ev != NULL;
	    ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		bind_event(ev, set->floating);
	return 0;
}
