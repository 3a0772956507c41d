/*
 * mime_scan.c - the fast path in the body: can a part header of this
 * multipart message start a calendar or vCard part?
 *
 * The daemon hands the body received so far (one buffer that grows) after
 * each chunk; the scan looks at the new bytes only, and goes back at most to
 * a field it could not judge yet. It never parses MIME: it looks for every
 * "Content-Type" and "Content-Disposition" anywhere in the body (at the start
 * of a line or not, in any case), takes the rest of that line and every
 * continuation line after it, and says "maybe" when the value, with all its
 * white space removed, holds anything that could make the walker select the
 * part (mime_walk.c): a candidate type word (calendar, ics, vcard,
 * directory, vcs, vcf) or anything that makes a name the scan cannot read
 * literally: an RFC 2047 word (=?), an RFC 2231 parameter (*, %), a
 * quoted-pair (\). A field split across chunks is judged when it is whole;
 * a value longer than MIME_SCAN_VALUE_MAX is "maybe". Parts inside
 * message/rfc822 are lines of the body like any other, so nesting needs
 * nothing. Base64 never holds a '-', so the scan costs one memchr() over
 * an attachment.
 */
#define _GNU_SOURCE /* strcasestr */
#include <string.h>
#include <strings.h>

#include "mime_int.h"

#define MIME_SCAN_VALUE_MAX 4096

enum scan_verdict { SCAN_NO, SCAN_MAYBE, SCAN_MORE };

/* scan_name - after "Content-": the length of "Type" or "Disposition",
 * 0 for another field, -1 when the bytes so far could still be one */
static long
scan_name(const uint8_t *p, size_t avail)
{
	static const char *const names[] = {"type", "disposition"};
	size_t i, n;
	int partial = 0;

	for (i = 0; i < 2; i++) {
		n = strlen(names[i]);
		if (avail >= n && strncasecmp((const char *)p, names[i], n) == 0)
			return (long)n;
		if (avail < n &&
		    strncasecmp((const char *)p, names[i], avail) == 0)
			partial = 1;
	}
	return partial ? -1 : 0;
}

/* scan_value_end - the end of the field whose value starts at v: its line
 * and every continuation line; SCAN_MORE when not all of it is here */
static enum scan_verdict
scan_value_end(const uint8_t *body, size_t len, size_t v, int final,
               size_t *end)
{
	const uint8_t *lf;
	size_t at = v;

	for (;;) {
		lf = memchr(body + at, '\n', len - at);
		if (lf == NULL || (size_t)(lf - body) + 1 == len) {
			if (!final)
				return len - v > MIME_SCAN_VALUE_MAX
				           ? SCAN_MAYBE
				           : SCAN_MORE;
			*end = len;
			return SCAN_NO;
		}
		at = (size_t)(lf - body) + 1;
		if (at - v > MIME_SCAN_VALUE_MAX)
			return SCAN_MAYBE;
		if (body[at] != ' ' && body[at] != '\t') {
			*end = at;
			return SCAN_NO;
		}
	}
}

/* scan_judge - could this value make the walker select its part? */
static int
scan_judge(const uint8_t *p, size_t n)
{
	static const char *const marks[] = {
		"calendar", "ics", "vcard", "directory", "vcs", "vcf",
		"=?", "*", "%", "\\", NULL
	};
	char v[MIME_SCAN_VALUE_MAX + 1];
	size_t i, o = 0;

	for (i = 0; i < n && o < MIME_SCAN_VALUE_MAX; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' &&
		    p[i] != '\n' && p[i] != '\0')
			v[o++] = (char)p[i];
	v[o] = '\0';
	for (i = 0; marks[i] != NULL; i++)
		if (strcasestr(v, marks[i]) != NULL)
			return 1;
	return 0;
}

/* scan_at - the '-' at body[d]: a Content-Type or -Disposition field? */
static enum scan_verdict
scan_at(const uint8_t *body, size_t len, size_t d, int final)
{
	enum scan_verdict r;
	size_t v, end;
	long n;

	if (d < 7 || strncasecmp((const char *)body + d - 7, "content", 7) != 0)
		return SCAN_NO;
	n = scan_name(body + d + 1, len - d - 1);
	if (n < 0)
		return final ? SCAN_NO : SCAN_MORE;
	if (n == 0)
		return SCAN_NO;
	v = d + 1 + (size_t)n;
	r = scan_value_end(body, len, v, final, &end);
	if (r != SCAN_NO)
		return r;
	return scan_judge(body + v, end - v) ? SCAN_MAYBE : SCAN_NO;
}

void
mime_scan_body(struct mime_scan *s, const uint8_t *body, size_t len,
               int final)
{
	const uint8_t *d;
	enum scan_verdict r;
	size_t p = s->pos;

	while (!s->maybe && p < len) {
		d = memchr(body + p, '-', len - p);
		if (d == NULL) {
			p = len;
			break;
		}
		r = scan_at(body, len, (size_t)(d - body), final);
		if (r == SCAN_MORE) {
			p = (size_t)(d - body); /* back here with more bytes */
			break;
		}
		s->maybe = r == SCAN_MAYBE;
		p = (size_t)(d - body) + 1;
	}
	s->pos = p;
}
