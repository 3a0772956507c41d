/*
 * vc_split.c - R-VC-7: the cards of a vCard object, one span each
 *
 * Outlook imports only the first card of a multi-card file (anchors A.0);
 * mime/ makes one part per card from these spans. A card is found by its
 * lines: BEGIN:VCARD at depth 0 to the matching END:VCARD (a 2.1 AGENT's
 * card inside it is part of it).
 */
#include <string.h>
#include <strings.h>

#include "cal.h"

/* line_end - index after the line that starts at i (its line end too) */
static size_t
line_end(const char *s, size_t len, size_t i)
{
	while (i < len && s[i] != '\r' && s[i] != '\n')
		i++;
	if (i + 1 < len && s[i] == '\r' && s[i + 1] == '\n')
		return i + 2;
	return i < len ? i + 1 : i;
}

/* is_line - does the line at i read word (and nothing but blanks after)? */
static int
is_line(const char *s, size_t len, size_t i, const char *word)
{
	size_t n = strlen(word);

	if (len - i < n || strncasecmp(s + i, word, n) != 0)
		return 0;
	for (i += n; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	return i == len || s[i] == '\r' || s[i] == '\n';
}

size_t
cal_vcard_cards(const char *in, size_t len, struct cal_span *v, size_t max)
{
	size_t i = 0, next, start = 0, n = 0;
	unsigned depth = 0;

	for (; i < len; i = next) {
		next = line_end(in, len, i);
		if (is_line(in, len, i, "BEGIN:VCARD")) {
			if (depth++ == 0)
				start = i;
		} else if (depth > 0 && is_line(in, len, i, "END:VCARD") &&
		    --depth == 0) {
			if (n < max) {
				v[n].off = start;
				v[n].len = next - start;
			}
			n++;
		}
	}
	return n;
}
