/*
 * mime_struct.c - the MIME structure in the bytes: delimiter lines of a
 * multipart, new boundaries, and whether the structure is clear enough to
 * be changed at all
 *
 * Restructuring (mime_promote.c) inserts parts and wraps them; it works on
 * the original bytes like every other edit, so it first finds the
 * delimiter lines itself (RFC 2046 5.1.1: "--" boundary, optional "--",
 * optional blanks, line end) and checks them against GMime's reading: the
 * same number of parts, and a close delimiter. A message that readers may
 * take two ways is never restructured (report only): GMime warns about
 * conflicting or duplicated MIME headers, a multipart without parts or
 * boundary, a truncated message; and a boundary that is a prefix of another
 * one is read differently by different parsers.
 *
 * New boundaries are derived from the content (a hash of the body, line
 * ends ignored, so that the local LF form of a message gives the same
 * one), never random: the same message always gets the same bytes.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mime_int.h"

#define BOUNDARY_PREFIX "=_calmilter_"
#define BOUNDARY_HASH	24	/* hex digits of the hash used */

void
mime_ambiguity_note(struct mime_job *job, const char *why)
{
	if (job->ambiguous[0] == '\0')
		snprintf(job->ambiguous, sizeof(job->ambiguous),
		    "ambiguous MIME (%.78s)", why);
}

void
mime_ambiguity_gmime(struct mime_job *job, int code, const char *item)
{
	char why[96];

	switch (code) {
	case GMIME_WARN_DUPLICATED_HEADER:
	case GMIME_CRIT_CONFLICTING_HEADER:
		if (item == NULL || (g_ascii_strncasecmp(item, "Content-",
		    8) != 0 && g_ascii_strcasecmp(item, "MIME-Version") != 0))
			return;
		snprintf(why, sizeof(why), "%.40s given twice", item);
		break;
	case GMIME_WARN_DUPLICATED_PARAMETER:
	case GMIME_CRIT_CONFLICTING_PARAMETER:
		snprintf(why, sizeof(why), "a parameter given twice");
		break;
	case GMIME_WARN_INVALID_CONTENT_TYPE:
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
		snprintf(why, sizeof(why), "a Content-Type that does not parse");
		break;
	case GMIME_WARN_MALFORMED_MULTIPART:
	case GMIME_WARN_PART_WITHOUT_CONTENT:
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
		snprintf(why, sizeof(why), "a multipart whose boundary is "
		    "missing or does not match");
		break;
	case GMIME_WARN_TRUNCATED_MESSAGE:
	case GMIME_WARN_MALFORMED_MESSAGE:
	case GMIME_CRIT_INVALID_HEADER_NAME:
	case GMIME_CRIT_NESTING_OVERFLOW:
		snprintf(why, sizeof(why), "a truncated or malformed message");
		break;
	default:
		return;
	}
	mime_ambiguity_note(job, why);
}

void
mime_ambiguity_bounds(struct mime_job *job, GPtrArray *bounds)
{
	const char *a, *b;
	char why[96];
	guint i, j;

	job->bounds = bounds;
	for (i = 0; bounds != NULL && i < bounds->len; i++) {
		for (j = 0; j < bounds->len; j++) {
			a = bounds->pdata[i];
			b = bounds->pdata[j];
			if (i == j || strncmp(b, a, strlen(a)) != 0)
				continue;
			snprintf(why, sizeof(why), "boundary \"%.20s\" is a "
			    "prefix of another", a);
			mime_ambiguity_note(job, why);
			return;
		}
	}
}

/* scan_line - [pos, *eol) is a line, *next the one after it */
static void
scan_line(const uint8_t *m, size_t end, size_t pos, size_t *eol,
    size_t *next)
{
	size_t i = pos;

	while (i < end && m[i] != '\n')
		i++;
	*next = i < end ? i + 1 : end;
	if (i > pos && m[i - 1] == '\r')
		i--;
	*eol = i;
}

/* scan_delim - 0: not a delimiter line; 1: a delimiter; 2: the close one */
static int
scan_delim(const uint8_t *m, size_t pos, size_t eol, const char *b,
    size_t blen)
{
	size_t i = pos + 2 + blen;
	int kind = 1;

	if (eol - pos < 2 + blen || m[pos] != '-' || m[pos + 1] != '-' ||
	    memcmp(m + pos + 2, b, blen) != 0)
		return 0;
	if (i + 2 <= eol && m[i] == '-' && m[i + 1] == '-') {
		kind = 2;
		i += 2;
	}
	for (; i < eol; i++)
		if (m[i] != ' ' && m[i] != '\t')
			return 0;	/* transport padding only */
	return kind;
}

/* mp_push - a new part starts at pos */
static void
mp_push(struct mime_mp *mp, size_t pos)
{
	mp->pstart = g_renew(size_t, mp->pstart, mp->n + 1);
	mp->pend = g_renew(size_t, mp->pend, mp->n + 1);
	mp->pstart[mp->n] = pos;
	mp->pend[mp->n] = pos;
	mp->n++;
}

int
mime_mp_scan(const struct mime_job *job, size_t start, size_t end,
    const char *boundary, size_t want, struct mime_mp *mp)
{
	const uint8_t *m = job->msg;
	size_t pos = start, eol, next, before, blen = strlen(boundary);
	int kind;

	memset(mp, 0, sizeof(*mp));
	while (pos < end && !mp->closed) {
		scan_line(m, end, pos, &eol, &next);
		kind = scan_delim(m, pos, eol, boundary, blen);
		if (kind != 0) {
			before = pos;	/* the line end before belongs to it */
			if (before > start && m[before - 1] == '\n')
				before--;
			if (before > start && m[before - 1] == '\r')
				before--;
			if (mp->n > 0)
				mp->pend[mp->n - 1] = before >
				    mp->pstart[mp->n - 1] ? before
				    : mp->pstart[mp->n - 1];
			if (kind == 2) {
				mp->closed = 1;
				mp->close = mp->n > 0 ? mp->pend[mp->n - 1]
						      : before;
			} else
				mp_push(mp, next);
		}
		pos = next;
	}
	return mp->closed && mp->n == want ? 0 : -1;
}

void
mime_mp_free(struct mime_mp *mp)
{
	g_free(mp->pstart);
	g_free(mp->pend);
	memset(mp, 0, sizeof(*mp));
}

/* boundary_hash - hex digest of the body, its CRs left out, and salt */
static void
boundary_hash(const struct mime_job *job, unsigned salt, char *hex,
    size_t len)
{
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
	size_t i = job->body, s;
	char sb[16];

	while (i < job->len) {
		s = i;
		while (i < job->len && job->msg[i] != '\r')
			i++;
		g_checksum_update(ck, job->msg + s, (gssize)(i - s));
		if (i < job->len)
			i++;
	}
	snprintf(sb, sizeof(sb), "/%u", salt);
	g_checksum_update(ck, (const guchar *)sb, (gssize)strlen(sb));
	snprintf(hex, len, "%.*s", BOUNDARY_HASH, g_checksum_get_string(ck));
	g_checksum_free(ck);
}

/* boundary_clashes - b occurs in the message, or is a prefix of a boundary
 * there, or one of them is a prefix of b */
static int
boundary_clashes(const struct mime_job *job, const char *b)
{
	const char *o;
	size_t n = strlen(b);
	guint i;

	if (g_strstr_len((const char *)job->msg, (gssize)job->len, b) != NULL)
		return 1;
	for (i = 0; job->bounds != NULL && i < job->bounds->len; i++) {
		o = job->bounds->pdata[i];
		if (strncmp(o, b, n) == 0 || strncmp(b, o, strlen(o)) == 0)
			return 1;
	}
	return 0;
}

char *
mime_boundary_new(const struct mime_job *job, unsigned salt)
{
	char hex[BOUNDARY_HASH + 1], *b;
	unsigned tries;

	for (tries = 0; tries < 8; tries++) {
		boundary_hash(job, salt * 16 + tries, hex, sizeof(hex));
		b = g_strconcat(BOUNDARY_PREFIX, hex, NULL);
		if (!boundary_clashes(job, b))
			return b;
		g_free(b);
	}
	return NULL;
}
