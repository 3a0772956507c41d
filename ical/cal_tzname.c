/*
 * cal_tzname.c - what a TZID's name says about its zone (R-TZ-2)
 *
 * In the order of exchange-rules.md: an IANA name or link of the system tz
 * database (any case: "US/Eastern" is America/New_York); the same behind a
 * producer's prefix ("/mozilla.org/20070129_1/Europe/Berlin",
 * "/freeassociation.sourceforge.net/Tzfile/Europe/Vienna",
 * "/softwarestudio.org/Olson_20011030_5/America/New_York",
 * "/citadel.org/20190914_1/Europe/Berlin", "/Europe/Stockholm"); the
 * VTIMEZONE's X-LIC-LOCATION; a Windows zone id, through ICU's CLDR data
 * ("W. Europe Standard Time" is Europe/Berlin); "Z" and "UT" for UTC.
 * Outlook's display names ("(UTC+01:00) Amsterdam, Berlin, ...") and names
 * such as "Customized Time Zone" carry no identity: only the rules of their
 * VTIMEZONE can say which zone they are (cal_tzset.c); their "(UTC+hh:mm)"
 * only narrows the candidates.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cal_tz.h"

#define PREFIX_DROPS	3	/* leading path components a prefix may have */

const char *
cal_tzhow_text(enum cal_tzhow how)
{
	switch (how) {
	case CAL_TZHOW_IANA:
		return "IANA name";
	case CAL_TZHOW_PREFIX:
		return "IANA name behind a prefix";
	case CAL_TZHOW_XLIC:
		return "X-LIC-LOCATION";
	case CAL_TZHOW_WINDOWS:
		return "Windows zone id (ICU/CLDR)";
	case CAL_TZHOW_ABBREV:
		return "abbreviation of UTC";
	case CAL_TZHOW_NONE:
	default:
		return "no zone identity";
	}
}

/* prefixed - an IANA name after a "/registry/version/" prefix */
static const struct cal_zone *
prefixed(const char *s)
{
	const struct cal_zone *z;
	const char *slash;
	int i;

	if (s[0] == '/')
		s++;
	else if (strchr(s, '/') == NULL || strchr(s, '.') == NULL ||
	    strchr(s, '.') > strchr(s, '/'))
		return NULL;	/* no "/" and no "registry.domain/" */
	for (i = 0; i <= PREFIX_DROPS; i++) {
		/* after a prefix, only Area/City names, or plain UTC or GMT */
		if (strchr(s, '/') != NULL || strcasecmp(s, "UTC") == 0 ||
		    strcasecmp(s, "GMT") == 0) {
			z = cal_tzdb_find(s);
			if (z != NULL)
				return z;
		}
		slash = strchr(s, '/');
		if (slash == NULL)
			break;
		s = slash + 1;
	}
	return NULL;
}

/* by_name - IANA, prefixed IANA; *how says which */
static const struct cal_zone *
by_name(const char *s, enum cal_tzhow exact, enum cal_tzhow pre,
    enum cal_tzhow *how)
{
	const struct cal_zone *z;

	if ((z = cal_tzdb_find(s)) != NULL) {
		*how = exact;
		return z;
	}
	if ((z = prefixed(s)) != NULL) {
		*how = pre;
		return z;
	}
	return NULL;
}

const struct cal_zone *
cal_tzname_resolve(const char *tzid, const char *xlic, enum cal_tzhow *how)
{
	const struct cal_zone *z;
	const char *win;

	*how = CAL_TZHOW_NONE;
	if ((z = by_name(tzid, CAL_TZHOW_IANA, CAL_TZHOW_PREFIX, how)) != NULL)
		return z;
	if (xlic != NULL && (z = by_name(xlic, CAL_TZHOW_XLIC, CAL_TZHOW_XLIC,
	    how)) != NULL)
		return z;
	if ((win = cal_tzdb_windows(tzid)) != NULL &&
	    (z = cal_tzdb_for_windows(win)) != NULL) {
		*how = CAL_TZHOW_WINDOWS;
		return z;
	}
	if (strcasecmp(tzid, "Z") == 0 || strcasecmp(tzid, "UT") == 0) {
		*how = CAL_TZHOW_ABBREV;
		return cal_tzdb_find("Etc/UTC");
	}
	return NULL;
}

/* hint_num - "hh", then ":mm" or ".mm" */
static int
hint_num(const char *s, int32_t *secs)
{
	long h, m = 0;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	h = strtol(s, &end, 10);
	if ((*end == ':' || *end == '.') && isdigit((unsigned char)end[1]))
		m = strtol(end + 1, &end, 10);
	if (*end != ')' || h > 14 || m > 59)
		return -1;
	*secs = (int32_t)(h * 3600 + m * 60);
	return 0;
}

int
cal_tzname_offset_hint(const char *tzid, int32_t *off)
{
	const char *s = tzid;
	int neg;

	while (*s == ' ' || *s == '"')
		s++;
	if (*s++ != '(' ||
	    (strncasecmp(s, "UTC", 3) != 0 && strncasecmp(s, "GMT", 3) != 0))
		return -1;
	s += 3;
	while (*s == ' ')
		s++;
	if (*s == ')') {
		*off = 0;
		return 0;
	}
	if (*s != '+' && *s != '-')
		return -1;
	neg = *s++ == '-';
	while (*s == ' ')
		s++;
	if (hint_num(s, off) != 0)
		return -1;
	if (neg)
		*off = -*off;
	return 0;
}
