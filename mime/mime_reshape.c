/*
 * mime_reshape.c - where an inline copy goes (R-MIME-4), and the bytes that
 * put it there
 *
 * The copy joins the text body, the first child of the top-level
 * multipart/mixed ([MS-STANOICAL] 2.2.168: Outlook 2007 looks for iMIP
 * nowhere else), the way Exchange writes a meeting ([MS-OXCMAIL]):
 *
 *   APPEND  the text body is a multipart/alternative: the copy becomes
 *           its last child; so too when the whole body is one (Apple
 *           Mail puts the attachment inside its HTML alternative)
 *   WRAP    it is a text/plain, text/html or multipart/related: it and the
 *           copy become a new multipart/alternative
 *   FIRST   there is no text body: the copy becomes the first child
 *   TOP     the message is the attachment alone: it becomes
 *           multipart/mixed { copy, attachment }; the top-level
 *           Content-Type, Content-Transfer-Encoding and Content-Disposition
 *           move into the attachment's part (RFC 2045 6.4: a multipart is
 *           7bit, 8bit or binary, so an 8bit or binary label stays too).
 *           This is an explicit addition to N-9's exceptions.
 *
 * Every part that was there keeps its bytes; new parts are inserted
 * between delimiter lines found in the bytes and checked against GMime's
 * reading (mime_struct.c). A new boundary is derived from the content.
 *
 * Before (TOP):                         After:
 *   Content-Type: application/ics;        Content-Type: multipart/mixed;
 *       name=invite.ics                       boundary="=_calmilter_..."
 *   Content-Transfer-Encoding: base64
 *   Content-Disposition: attachment       --=_calmilter_...
 *                                         Content-Type: text/calendar;
 *   QkVHSU46VkNBTEVOREFS...                   charset=utf-8; method=REQUEST
 *                                         Content-Transfer-Encoding: 7bit
 *
 *                                         BEGIN:VCALENDAR ...
 *
 *                                         --=_calmilter_...
 *                                         Content-Type: application/ics;
 *                                             name=invite.ics
 *                                         Content-Transfer-Encoding: base64
 *                                         Content-Disposition: attachment
 *
 *                                         QkVHSU46VkNBTEVOREFS...
 *                                         --=_calmilter_...--
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mime_int.h"

static void
bytes_add(GByteArray *b, const char *s)
{
	g_byte_array_append(b, (const guint8 *)s, (guint)strlen(s));
}

/* delim - [eol] "--" boundary ["--"] [eol] */
static void
delim(GByteArray *b, const struct mime_job *job, const char *bd, int close,
    int lead, int trail)
{
	if (lead)
		bytes_add(b, job->eol);
	bytes_add(b, "--");
	bytes_add(b, bd);
	if (close)
		bytes_add(b, "--");
	if (trail)
		bytes_add(b, job->eol);
}

/* covered - the DKIM signature names this top-level header (N-2) */
static int
covered(const struct mime_job *job, const char *name)
{
	return mime_fields_count(&job->top, job->msg, name) > 0 &&
	    job->auth != NULL && mime_auth_covers(job->auth, name);
}

/* plan_top - the attachment alone: may its labels move? */
static int
plan_top(struct mime_job *job, struct mime_reshape *rs, const char **why)
{
	if (mime_fields_count(&job->top, job->msg, "MIME-Version") != 1 ||
	    mime_fields_count(&job->top, job->msg, "Content-Type") != 1) {
		*why = "a single-part message needs one MIME-Version and one "
		    "Content-Type to become multipart";
		return -1;
	}
	if ((job->auth != NULL && mime_auth_covers(job->auth,
	    "Content-Type")) || covered(job, "Content-Transfer-Encoding") ||
	    covered(job, "Content-Disposition")) {
		*why = "the DKIM signature covers the top-level Content-* "
		    "headers that would move (N-2)";
		return -1;
	}
	rs->shape = MIME_SHAPE_TOP;
	return 0;
}

/* is_type - obj's media type is t */
static int
is_type(GMimeObject *obj, const char *t)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *mt = ct != NULL ? g_mime_content_type_get_mime_type(ct) : NULL;
	int yes = mt != NULL && g_ascii_strcasecmp(mt, t) == 0;

	g_free(mt);
	return yes;
}

/* text_body - what the first child of mixed is: an alternative to append
 * to, a body to wrap, or neither */
static enum mime_shape
text_body(GMimeObject *f, const struct mime_item *v, size_t n)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(f);
	size_t i;

	if (d != NULL && g_mime_content_disposition_is_attachment(d))
		return MIME_SHAPE_FIRST;
	for (i = 0; i < n; i++)
		if (GMIME_OBJECT(v[i].c->part) == f)
			return MIME_SHAPE_FIRST;	/* a calendar itself */
	if (is_type(f, "multipart/alternative"))
		return MIME_SHAPE_APPEND;
	if (is_type(f, "text/plain") || is_type(f, "text/html") ||
	    is_type(f, "multipart/related"))
		return MIME_SHAPE_WRAP;
	return MIME_SHAPE_FIRST;
}

/* plan_append - the alternative's close delimiter, checked */
static int
plan_append(struct mime_job *job, GMimeMultipart *alt, size_t start,
    size_t end, struct mime_reshape *rs)
{
	struct mime_fields f;
	struct mime_mp mp;
	const char *b = g_mime_multipart_get_boundary(alt);
	int ret = -1;

	if (b == NULL || mime_fields_parse(&f, job->msg, end, start) != 0)
		return -1;
	if (f.complete && mime_mp_scan(job, f.end, end, b,
	    (size_t)g_mime_multipart_get_count(alt), &mp) == 0) {
		rs->at = mp.close;
		rs->outer = b;
		ret = 0;
	}
	mime_mp_free(&mp);
	mime_fields_free(&f);
	return ret;
}

/* plan_mixed - the attachment is a child of the top-level mixed */
static int
plan_mixed(struct mime_job *job, const struct mime_item *v, size_t n,
    GMimeMultipart *mixed, struct mime_reshape *rs, const char **why)
{
	struct mime_mp mp;
	const char *b = g_mime_multipart_get_boundary(mixed);
	GMimeObject *first = g_mime_multipart_get_part(mixed, 0);
	int ret = -1;

	*why = "the delimiter lines of the multipart/mixed are not what GMime "
	    "reads";
	if (b == NULL || first == NULL || mime_mp_scan(job, job->body,
	    job->len, b, (size_t)g_mime_multipart_get_count(mixed), &mp) != 0)
		goto out;
	rs->shape = text_body(first, v, n);
	rs->at = mp.pstart[0];
	rs->outer = b;
	if (rs->shape == MIME_SHAPE_WRAP)
		rs->wrap_end = mp.pend[0];
	if (rs->shape == MIME_SHAPE_APPEND && plan_append(job,
	    GMIME_MULTIPART(first), mp.pstart[0], mp.pend[0], rs) != 0) {
		*why = "the delimiter lines of the multipart/alternative are "
		    "not what GMime reads";
		goto out;
	}
	ret = 0;
out:
	mime_mp_free(&mp);
	return ret;
}

/* plan_alternative - the body is an alternative (Apple Mail puts the
 * attachment inside it): the copy becomes its last child */
static int
plan_alternative(struct mime_job *job, GMimeMultipart *alt,
    struct mime_reshape *rs, const char **why)
{
	struct mime_mp mp;
	const char *b = g_mime_multipart_get_boundary(alt);
	int ret = -1;

	*why = "the delimiter lines of the multipart/alternative are not what "
	    "GMime reads";
	if (b != NULL && mime_mp_scan(job, job->body, job->len, b,
	    (size_t)g_mime_multipart_get_count(alt), &mp) == 0) {
		rs->shape = MIME_SHAPE_APPEND;
		rs->at = mp.close;
		rs->outer = b;
		ret = 0;
	}
	mime_mp_free(&mp);
	return ret;
}

int
mime_reshape_plan(struct mime_job *job, const struct mime_item *v, size_t n,
    const struct mime_item *it, struct mime_reshape *rs, const char **why)
{
	GMimeObject *body = g_mime_message_get_mime_part(job->gm);
	int r;

	memset(rs, 0, sizeof(*rs));
	if (job->ambiguous[0] != '\0') {
		*why = job->ambiguous;	/* "ambiguous MIME: ..." */
		return -1;
	}
	if (it->c->top)
		r = plan_top(job, rs, why);
	else if (is_type(body, "multipart/alternative"))
		r = plan_alternative(job, GMIME_MULTIPART(body), rs, why);
	else if (it->c->parent == NULL || it->c->parent != body ||
	    !is_type(body, "multipart/mixed")) {
		*why = "it is not a part of the top-level multipart/mixed";
		return -1;
	} else
		r = plan_mixed(job, v, n, GMIME_MULTIPART(body), rs, why);
	if (r == 0 && (rs->shape == MIME_SHAPE_WRAP ||
	    rs->shape == MIME_SHAPE_TOP)) {
		rs->fresh = mime_boundary_new(job, 1);
		if (rs->fresh == NULL) {
			*why = "no boundary was found that the message does "
			    "not use";
			r = -1;
		}
	}
	return r;
}

/* multipart_value - " multipart/X;\n\tboundary=\"B\"" (transfer full) */
static char *
multipart_value(const char *sub, const char *b)
{
	return g_strdup_printf(" multipart/%s;\n\tboundary=\"%s\"", sub, b);
}

/* emit_wrap - the text body and the copy become an alternative */
static void
emit_wrap(struct mime_job *job, const struct mime_reshape *rs,
    const GByteArray *copy)
{
	GByteArray *a = g_byte_array_new(), *z = g_byte_array_new();
	char *ct = multipart_value("alternative", rs->fresh);

	mime_append_field(a, "Content-Type", ct, job->eol);
	bytes_add(a, job->eol);
	delim(a, job, rs->fresh, 0, 0, 1);
	delim(z, job, rs->fresh, 0, 1, 1);
	g_byte_array_append(z, copy->data, copy->len);
	delim(z, job, rs->fresh, 1, 1, 0);
	mime_job_splice(job, rs->at, rs->at, a);
	mime_job_splice(job, rs->wrap_end, rs->wrap_end, z);
	g_free(ct);
}

/* top_field - field i of the top block, or its relabelled value */
static void
top_field(GByteArray *out, struct mime_job *job, size_t i)
{
	const struct mime_field *fl = &job->top.v[i];

	if (mime_field_is(job->msg, fl, "Content-Type") &&
	    job->top_ctype != NULL)
		mime_append_field(out, "Content-Type", job->top_ctype,
		    job->eol);
	else if (mime_field_is(job->msg, fl, "Content-Transfer-Encoding") &&
	    job->top_cte != NULL)
		mime_append_field(out, "Content-Transfer-Encoding",
		    job->top_cte, job->eol);
	else
		g_byte_array_append(out, job->msg + fl->start,
		    (guint)(fl->next - fl->start));
}

/* top_moved - the header block of the attachment's new part: its
 * Content-* labels in their order, as the message had them (or as the
 * labels of its part changed them) */
static GByteArray *
top_moved(struct mime_job *job, int *keep_cte)
{
	GByteArray *out = g_byte_array_new();
	const struct mime_field *fl;
	char *cte = NULL;
	size_t i;
	int has_cte = 0;

	for (i = 0; i < job->top.n; i++) {
		fl = &job->top.v[i];
		if (mime_field_is(job->msg, fl, "Content-Transfer-Encoding")) {
			has_cte = 1;
			cte = mime_field_value(job->msg, fl);
		} else if (!mime_field_is(job->msg, fl, "Content-Type") &&
		    !mime_field_is(job->msg, fl, "Content-Disposition"))
			continue;
		top_field(out, job, i);
	}
	if (!has_cte && job->top_cte != NULL)
		mime_append_field(out, "Content-Transfer-Encoding",
		    job->top_cte, job->eol);
	*keep_cte = job->top_cte == NULL && cte != NULL &&
	    (g_ascii_strcasecmp(cte, "8bit") == 0 ||
	    g_ascii_strcasecmp(cte, "binary") == 0);
	g_free(cte);
	bytes_add(out, job->eol);
	return out;
}

/* emit_top - the single part becomes the second child of a new mixed */
static void
emit_top(struct mime_job *job, const struct mime_reshape *rs,
    const GByteArray *copy)
{
	GByteArray *a = g_byte_array_new(), *z = g_byte_array_new(), *moved;
	int keep_cte;

	moved = top_moved(job, &keep_cte);
	delim(a, job, rs->fresh, 0, 0, 1);
	g_byte_array_append(a, copy->data, copy->len);
	delim(a, job, rs->fresh, 0, 1, 1);
	g_byte_array_append(a, moved->data, moved->len);
	delim(z, job, rs->fresh, 1, 1, 1);
	mime_job_splice(job, job->body, job->body, a);
	mime_job_splice(job, job->len, job->len, z);
	g_byte_array_unref(moved);
	g_free(job->top_ctype);
	g_free(job->top_cte);
	job->top_ctype = multipart_value("mixed", rs->fresh);
	job->top_cte = NULL;
	job->top_cte_delete = !keep_cte;
	job->top_disp_delete = 1;
}

void
mime_reshape_emit(struct mime_job *job, const struct mime_reshape *rs,
    const GByteArray *copy)
{
	GByteArray *a;

	switch (rs->shape) {
	case MIME_SHAPE_APPEND:	/* before the alternative's close line */
		a = g_byte_array_new();
		delim(a, job, rs->outer, 0, 1, 1);
		g_byte_array_append(a, copy->data, copy->len);
		mime_job_splice(job, rs->at, rs->at, a);
		break;
	case MIME_SHAPE_FIRST:	/* before the first part of mixed */
		a = g_byte_array_new();
		g_byte_array_append(a, copy->data, copy->len);
		delim(a, job, rs->outer, 0, 1, 1);
		mime_job_splice(job, rs->at, rs->at, a);
		break;
	case MIME_SHAPE_WRAP:
		emit_wrap(job, rs, copy);
		break;
	case MIME_SHAPE_TOP:
		emit_top(job, rs, copy);
		break;
	case MIME_SHAPE_NONE:
		break;
	}
}

const char *
mime_reshape_name(const struct mime_reshape *rs)
{
	static const char *const names[] = {
		"nowhere", "the message became multipart/mixed",
		"as the first part of the multipart/mixed",
		"in the multipart/alternative with the text body",
		"in a new multipart/alternative with the text body"
	};

	return names[rs->shape];
}

void
mime_reshape_free(struct mime_reshape *rs)
{
	g_free(rs->fresh);
	memset(rs, 0, sizeof(*rs));
}
