/*
 * cal_allow.c - the differences in meaning a rule may make on purpose, as
 * the meaning check accepts them (the CAL_ALLOW_* flags of cal_int.h)
 *
 * Each flag is set on doc->allow by the rule that makes the difference, only
 * for the object it changed, and accepts exactly that difference:
 *
 *   TEXT_JOIN        R-LEX-5 b  a text fact regains "\n" and the rest of
 *                               its line; libical's errors about the cut
 *                               line go
 *   ORGANIZER        R-ITIP-7   an ORGANIZER fact in a component that had
 *                               none
 *   MAILTO           R-ITIP-8   an address compared without its mailto:
 *                               scheme and without surrounding quotes
 *   EMAIL_URI        R-ITIP-8   a person whose URI is not mailto: compared
 *                               by its EMAIL parameter
 *   ALLDAY_LENGTH    R-EV-2     an all-day occurrence of length 0 lasts
 *                               one day (86400 seconds)
 *   ALLDAY_HINT      R-EV-3     X-MICROSOFT-CDO-ALLDAYEVENT:TRUE where the
 *                               component had no such property
 *   UID              R-ITIP-5   on the output side, a "calmilter-" UID is
 *                               the absent UID it replaces
 *   SEQUENCE         R-ITIP-6   SEQUENCE:0 where the component had none
 *   OVERRIDE_RRULE   R-RR-7     an override (RECURRENCE-ID) loses the
 *                               occurrences of its own RRULE or RDATE, as
 *                               long as one occurrence remains
 *   TEXT_UNESCAPE    R-LEX-6    a text fact where libical read an unknown
 *                               escape as a blank now holds the character
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cal_facts.h"

/* rest_without - the rest of fact x, which must end in tail, without it */
static size_t
rest_without(const struct cal_fact *x, const char *tail)
{
	const char *r = cal_fact_rest(x);
	size_t n = strlen(r), t = strlen(tail);

	return n >= t && strcmp(r + n - t, tail) == 0 ? n - t : (size_t)-1;
}

/* pair_allday - "O key Dyyyymmdd +0" became "O key Dyyyymmdd +86400" */
static int
pair_allday(const struct cal_fact *a, const struct cal_fact *b)
{
	size_t na = rest_without(a, " +0"), nb = rest_without(b, " +86400");

	return a->s[0] == 'O' && cal_fact_same_key(a, b) && na != (size_t)-1 &&
	    na == nb && cal_fact_rest(a)[0] == 'D' &&
	    memcmp(cal_fact_rest(a), cal_fact_rest(b), na) == 0;
}

/* pair_join - a text fact, extended by "\n" and more (R-LEX-5 b) */
static int
pair_join(const struct cal_fact *a, const struct cal_fact *b)
{
	size_t n = strlen(a->s);

	return a->s[0] == 'P' && strncmp(a->s, b->s, n) == 0 && b->s[n] == '\n';
}

/* pair_unescape - the same text, where a blank became another character */
static int
pair_unescape(const struct cal_fact *a, const struct cal_fact *b)
{
	const char *x = cal_fact_rest(a), *y = cal_fact_rest(b);
	size_t n = strlen(x), i;

	if (a->s[0] != 'P' || !cal_fact_same_key(a, b) || strlen(y) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (x[i] != y[i] && x[i] != ' ')
			return 0;
	return strcspn(x, " ") == strcspn(y, " ");	/* the same name */
}

int
cal_allow_pair(const struct cal_fact *a, const struct cal_fact *b,
    unsigned allow)
{
	return ((allow & CAL_ALLOW_TEXT_JOIN) && pair_join(a, b)) ||
	    ((allow & CAL_ALLOW_ALLDAY_LENGTH) && pair_allday(a, b)) ||
	    ((allow & CAL_ALLOW_TEXT_UNESCAPE) && pair_unescape(a, b));
}

/* has_key_fact - does the other side hold a fact "K key rest..."? */
static int
has_key_fact(const struct cal_facts *f, char kind, const struct cal_fact *x,
    const char *rest)
{
	size_t n = x->klen + strlen(rest);
	char *p = malloc(n + 1);
	int r;

	if (p == NULL)
		return 1;	/* out of memory: allow nothing */
	memcpy(p, x->s, x->klen);
	p[0] = kind;
	memcpy(p + x->klen, rest, strlen(rest) + 1);
	r = cal_facts_has_prefix(f, p, n);
	free(p);
	return r;
}

int
cal_allow_gone(const struct cal_fact *a, const struct cal_facts *out,
    unsigned allow)
{
	const char *r = cal_fact_rest(a);

	if ((allow & CAL_ALLOW_TEXT_JOIN) && a->s[0] == 'E' &&
	    (strstr(r, "Got a data line") != NULL ||
	    strstr(r, "Parse error in property name") != NULL))
		return 1;
	return (allow & CAL_ALLOW_OVERRIDE_RRULE) && a->s[0] == 'O' &&
	    a->klen > 5 && strncmp(a->s + a->klen - 4, "|-] ", 4) != 0 &&
	    has_key_fact(out, 'O', a, "");
}

int
cal_allow_new(const struct cal_fact *b, const struct cal_facts *in,
    unsigned allow)
{
	const char *r = cal_fact_rest(b);

	if ((allow & CAL_ALLOW_ORGANIZER) && b->s[0] == 'A' &&
	    strncmp(r, "ORGANIZER ", 10) == 0)
		return !has_key_fact(in, 'A', b, "ORGANIZER ");
	if ((allow & CAL_ALLOW_ALLDAY_HINT) && b->s[0] == 'P' &&
	    strcmp(r, "X-MICROSOFT-CDO-ALLDAYEVENT TRUE") == 0)
		return !has_key_fact(in, 'P', b, "X-MICROSOFT-CDO-ALLDAYEVENT ");
	if ((allow & CAL_ALLOW_SEQUENCE) && b->s[0] == 'P' &&
	    strcmp(r, "SEQUENCE 0") == 0)
		return !has_key_fact(in, 'P', b, "SEQUENCE ");
	return 0;
}

char *
cal_allow_person_value(const char *value, const char *email, unsigned allow)
{
	size_t n = strlen(value);

	if (!(allow & (CAL_ALLOW_MAILTO | CAL_ALLOW_EMAIL_URI)))
		return strdup(value);
	if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
		value++;
		n -= 2;
	}
	if (n >= 7 && strncasecmp(value, "mailto:", 7) == 0)
		return strndup(value + 7, n - 7);
	if ((allow & CAL_ALLOW_EMAIL_URI) && email != NULL && email[0] != '\0')
		return strdup(email);
	return strndup(value, n);
}

const char *
cal_allow_uid(const char *uid, unsigned allow)
{
	if ((allow & CAL_ALLOW_UID) &&
	    strncmp(uid, CAL_DERIVED_UID, strlen(CAL_DERIVED_UID)) == 0)
		return "";
	return uid;
}
