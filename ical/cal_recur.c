/*
 * cal_recur.c - which recurrence rules libical may be asked to expand
 *
 * libical 3.0 looks for the next occurrence of a rule without a bound on
 * its work: a rule that never matches (BYMONTH=2;BYMONTHDAY=30, or an
 * ordinal BYDAY outside the BYMONTHDAY it is combined with) is stepped
 * through, period after period, up to libical's last year. How long that
 * takes depends on the step: a year costs little, an hour or a minute makes
 * it run for minutes; and from a start before the Gregorian calendar
 * (1582-10-15, where ICU's calendar switches to Julian) the search does not
 * end at all. The meaning check expands the rules of every component and,
 * through the zones, of every VTIMEZONE observance, so it asks first: an
 * object with such a rule cannot be judged, and is left as it is (N-10).
 *
 * Refused: a rule in a component whose DTSTART is missing or before
 * 1583; a rule stepping by hours, minutes or seconds that restricts the
 * days (BYMONTH, BYWEEKNO, BYYEARDAY, BYMONTHDAY, BYDAY, BYSETPOS); a rule
 * whose BYMONTHDAY can never meet its BYMONTH or its BYDAY ordinals within
 * a month (Horde writes BYMONTHDAY=15,...,21;BYDAY=1SU for "the third
 * Sunday": libical spends a fifth of a second on each, per expansion).
 * Found by fuzz_lex (tests/fuzz/crashes/lex/).
 */
#include <stdlib.h>

#include <libical/ical.h>

#include "cal_int.h"

#define CAL_RECUR_FIRST_YEAR	1583	/* the first whole Gregorian year */

/* recur_restricts_days - a BY part that can leave a day without a match */
static int
recur_restricts_days(const struct icalrecurrencetype *r)
{
	return r->by_month[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r->by_week_no[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r->by_year_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r->by_month_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r->by_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    r->by_set_pos[0] != ICAL_RECURRENCE_ARRAY_MAX;
}

/* month_days - the most days month m (1-12) can have */
static int
month_days(int m)
{
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	return m >= 1 && m <= 12 ? days[m - 1] : 31;
}

/* recur_longest_month - the most days any month of BYMONTH can have */
static int
recur_longest_month(const struct icalrecurrencetype *r)
{
	int i, most = 0;

	if (r->by_month[0] == ICAL_RECURRENCE_ARRAY_MAX)
		return 31;
	for (i = 0; i < ICAL_BY_MONTH_SIZE &&
	    r->by_month[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
		if (month_days(icalrecurrencetype_month_month(r->by_month[i])) >
		    most)
			most = month_days(icalrecurrencetype_month_month(
			    r->by_month[i]));
	return most;
}

/* ordinal_meets - can the pos-th weekday of a month fall on month day d
 * (negative: counted from the end)? Same directions are exact; mixed
 * ones allow for any month length from 28 to 31 days. */
static int
ordinal_meets(int pos, int d)
{
	int first, last, lo, hi;

	if (pos == 0)
		return 1;
	if ((pos > 0) == (d > 0))	/* both from the start, or the end */
		return abs(d) >= 7 * abs(pos) - 6 && abs(d) <= 7 * abs(pos);
	first = pos > 0 ? 7 * pos - 6 : 28 + 7 * pos + 1;
	last = pos > 0 ? 7 * pos : 31 + 7 * (pos + 1);
	lo = d > 0 ? d : 28 + d + 1;
	hi = d > 0 ? d : 31 + d + 1;
	return first <= hi && lo <= last;
}

/* recur_day_meets - can month day d (negative: from the end) be one of
 * the BYDAY ordinals, in a month of at most longest days? */
static int
recur_day_meets(const struct icalrecurrencetype *r, int d, int longest)
{
	int i;

	if (d == 0 || d > longest || -d > longest)
		return 0;
	if (r->by_day[0] == ICAL_RECURRENCE_ARRAY_MAX ||
	    (r->freq != ICAL_MONTHLY_RECURRENCE &&
	    (r->freq != ICAL_YEARLY_RECURRENCE ||
	    r->by_month[0] == ICAL_RECURRENCE_ARRAY_MAX)))
		return 1;	/* ordinals count in the month only here */
	for (i = 0; i < ICAL_BY_DAY_SIZE &&
	    r->by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
		if (ordinal_meets(icalrecurrencetype_day_position(
		    r->by_day[i]), d))
			return 1;
	return 0;
}

/* recur_never - BYMONTHDAY meets neither BYMONTH nor the BYDAY ordinals */
static int
recur_never(const struct icalrecurrencetype *r)
{
	int i, longest = recur_longest_month(r);

	if (r->by_month_day[0] == ICAL_RECURRENCE_ARRAY_MAX)
		return 0;
	for (i = 0; i < ICAL_BY_MONTHDAY_SIZE &&
	    r->by_month_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
		if (recur_day_meets(r, r->by_month_day[i], longest))
			return 0;
	return 1;
}

/* recur_rule_unsafe - why this rule from this start is refused, or NULL */
static const char *
recur_rule_unsafe(const struct icalrecurrencetype *r,
    struct icaltimetype start)
{
	if (icaltime_is_null_time(start))
		return "a recurrence rule without DTSTART";
	if (start.year < CAL_RECUR_FIRST_YEAR)
		return "a recurrence rule starting before 1583";
	if ((r->freq == ICAL_SECONDLY_RECURRENCE ||
	    r->freq == ICAL_MINUTELY_RECURRENCE ||
	    r->freq == ICAL_HOURLY_RECURRENCE) && recur_restricts_days(r))
		return "an hourly or finer recurrence rule restricted to "
		    "some days";
	if (recur_never(r))
		return "a recurrence rule whose BYMONTHDAY never occurs";
	return NULL;
}

/* recur_comp_unsafe - the first refused rule of c itself, or NULL */
static const char *
recur_comp_unsafe(icalcomponent *c)
{
	icalproperty *p, *dp;
	struct icaltimetype start = icaltime_null_time();
	struct icalrecurrencetype r;
	const char *why = NULL;

	dp = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
	if (dp != NULL)
		start = icalproperty_get_dtstart(dp);
	for (p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY);
	    p != NULL && why == NULL;
	    p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
		if (icalproperty_isa(p) == ICAL_RRULE_PROPERTY)
			r = icalproperty_get_rrule(p);
		else if (icalproperty_isa(p) == ICAL_EXRULE_PROPERTY)
			r = icalproperty_get_exrule(p);
		else
			continue;
		why = recur_rule_unsafe(&r, start);
	}
	return why;
}

const char *
cal_recur_unsafe(icalcomponent *c)
{
	icalcomponent *sub;
	const char *why = recur_comp_unsafe(c);

	for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	    sub != NULL && why == NULL;
	    sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		why = cal_recur_unsafe(sub);
	return why;
}
