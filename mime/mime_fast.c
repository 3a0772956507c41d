/*
 * mime_fast.c - the fast path: from the top-level headers alone, can this
 * message hold a calendar or vCard part?
 *
 * It must be a safe superset of what the walker selects (mime_walk.c):
 * whenever in doubt the answer is "maybe", and the body is fetched. "No" is
 * said only for a single part whose type cannot be a calendar or vCard and
 * whose name cannot end in .ics, .vcs or .vcf, and for messages the slow
 * path would leave untouched as a whole (signed or encrypted: N-1;
 * DKIM-signed when DkimSigned says so: N-2, decided by the same code as the
 * slow path, mime_auth.c, from the same DKIM-Signature and
 * Authentication-Results fields).
 *
 * Maybe:  multipart/..., message/..., text/calendar, application/ics, ...,
 *         any type named x.ics, x.vcs or x.vcf, RFC 2231 or RFC 2047 names.
 * No:     text/plain, text/html, application/pdf with another name.
 */
#define _GNU_SOURCE	/* strcasestr */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime_int.h"

struct mime_fast {
	int		 n_ctype;	/* Content-Type fields seen */
	int		 n_cdisp;
	struct mime_policy pol;		/* DkimSigned, TrustedAuthservIDs */
	struct mime_auth *auth;		/* DKIM-Signature and A-R fields */
	char		*ctype;		/* first Content-Type value */
	char		*cdisp;		/* first Content-Disposition value */
	const char	*reason;
	int		 multipart;	/* "type" said for multipart/... */
};

struct mime_fast *
mime_fast_new(const struct mime_policy *pol)
{
	struct mime_fast *f = calloc(1, sizeof(struct mime_fast));

	if (f == NULL)
		return NULL;
	f->pol = *pol;
	f->auth = mime_auth_new(pol->trusted_authserv_ids);
	return f;
}

void
mime_fast_free(struct mime_fast *f)
{
	if (f == NULL)
		return;
	free(f->ctype);
	free(f->cdisp);
	mime_auth_free(f->auth);
	free(f);
}

/* fast_keep - remember the first value, unfolded */
static void
fast_keep(char **slot, int *count, const char *value)
{
	size_t i, o = 0;
	char *v;

	if ((*count)++ > 0)
		return;
	v = strdup(value != NULL ? value : "");
	if (v == NULL)
		return;		/* NULL slot: judged "maybe" below */
	for (i = 0; v[i] != '\0'; i++)
		if (v[i] != '\r' && v[i] != '\n')
			v[o++] = v[i];
	v[o] = '\0';
	*slot = v;
}

void
mime_fast_header(struct mime_fast *f, const char *name, const char *value)
{
	if (strcasecmp(name, "Content-Type") == 0)
		fast_keep(&f->ctype, &f->n_ctype, value);
	else if (strcasecmp(name, "Content-Disposition") == 0)
		fast_keep(&f->cdisp, &f->n_cdisp, value);
	else if (strcasecmp(name, "DKIM-Signature") == 0)
		(void)mime_auth_add_dkim(f->auth, value != NULL ? value : "");
	else if (strcasecmp(name, "Authentication-Results") == 0)
		(void)mime_auth_add_ar(f->auth, value != NULL ? value : "");
}

/* fast_has_name - a calendar/vCard file name, or an encoded name, in v */
static int
fast_has_name(const char *v)
{
	static const char *const marks[] = {
		".ics", ".vcs", ".vcf", "=?", "*=", "*0", "%", NULL
	};
	size_t i;

	for (i = 0; v != NULL && marks[i] != NULL; i++)
		if (strcasestr(v, marks[i]) != NULL)
			return 1;
	return 0;
}

/* fast_type - the media type, lower case, into buf; "" when unparsable */
static void
fast_type(const char *ctype, char *buf, size_t len)
{
	size_t i = 0, o = 0;

	while (isspace((unsigned char)ctype[i]))
		i++;
	while (ctype[i] != '\0' && ctype[i] != ';' && o + 1 < len &&
	    !isspace((unsigned char)ctype[i]))
		buf[o++] = (char)tolower((unsigned char)ctype[i++]);
	buf[o] = '\0';
	if (strchr(buf, '/') == NULL || o + 1 >= len)
		buf[0] = '\0';
}

/* fast_candidate_type - types the walker selects by type alone */
static int
fast_candidate_type(const char *t)
{
	static const char *const types[] = {
		"text/calendar", "application/ics", "application/x-ics",
		"text/x-vcalendar", "text/vcard", "text/x-vcard",
		"text/directory", NULL
	};
	size_t i;

	if (strncmp(t, "multipart/", 10) == 0 || strncmp(t, "message/", 8) == 0)
		return 1;
	for (i = 0; types[i] != NULL; i++)
		if (strcmp(t, types[i]) == 0)
			return 1;
	return 0;
}

static int
fast_is_signed(const char *t)
{
	return strcmp(t, "multipart/signed") == 0 ||
	    strcmp(t, "multipart/encrypted") == 0 ||
	    strcmp(t, "application/pkcs7-mime") == 0 ||
	    strcmp(t, "application/x-pkcs7-mime") == 0;
}

int
mime_fast_needs_body(struct mime_fast *f)
{
	const char *why;
	char t[128];

	if (mime_auth_signed(f->auth) && !mime_auth_decide(f->auth, &f->pol,
	    &why))
		return f->reason = "dkim", 0;	/* N-2 */
	if (f->n_ctype > 1 || f->n_cdisp > 1 ||
	    (f->n_ctype == 1 && f->ctype == NULL) ||
	    (f->n_cdisp == 1 && f->cdisp == NULL))
		return f->reason = "ambiguous", 1;
	fast_type(f->ctype != NULL ? f->ctype : "text/plain", t, sizeof(t));
	if (t[0] == '\0')
		return f->reason = "unparsable", 1;
	if (fast_is_signed(t))
		return f->reason = "signed", 0;	/* N-1 */
	if (fast_candidate_type(t)) {
		f->multipart = strncmp(t, "multipart/", 10) == 0;
		return f->reason = "type", 1;
	}
	if (fast_has_name(f->ctype) || fast_has_name(f->cdisp))
		return f->reason = "name", 1;
	return f->reason = "plain", 0;
}

int
mime_fast_scannable(const struct mime_fast *f)
{
	return f->multipart;
}

const char *
mime_fast_reason(const struct mime_fast *f)
{
	return f->reason != NULL ? f->reason : "?";
}
