/*
 * mime_part.c - one calendar or vCard part: locate its bytes, decode them
 * and hand them to the core (its labels and edits: mime_label.c)
 *
 * The content region comes from GMime's persistent stream; the header block
 * is re-parsed from the original bytes (mime_hdr.c). Both are checked
 * against what must surround them (an empty line before the content, a
 * boundary after it). When anything is not exactly as expected the part is
 * left as it is: a splice at a wrong offset would corrupt mail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime_int.h"

/* loc_content - [cstart, cend) of the content, checked */
static int
loc_content(const struct mime_job *job, const struct mime_cand *c,
    struct mime_loc *l)
{
	GMimeDataWrapper *w = g_mime_part_get_content(c->part);
	GMimeStream *s = w != NULL ? g_mime_data_wrapper_get_stream(w) : NULL;
	const uint8_t *m = job->msg;
	size_t e;

	if (s == NULL || s->bound_start < (gint64)job->body ||
	    s->bound_end < s->bound_start || s->bound_end > (gint64)job->len)
		return -1;
	l->cstart = (size_t)s->bound_start;
	e = l->cend = (size_t)s->bound_end;
	if (c->top)
		return e == job->len && l->cstart == job->body ? 0 : -1;
	if (e > l->cstart && e < job->len && m[e - 1] == '\r' && m[e] == '\n')
		e--;	/* GMime counts the CR of the delimiter's CRLF */
	l->cend = e;
	if (e == job->len)
		return 0;	/* the last part of an encapsulated message */
	if (e + 3 <= job->len && memcmp(m + e, "\n--", 3) == 0)
		return 0;
	if (e + 4 <= job->len && memcmp(m + e, "\r\n--", 4) == 0)
		return 0;
	return -1;
}

/* first_offset - smallest header offset of obj, or -1 */
static gint64
first_offset(GMimeObject *obj)
{
	GMimeHeaderList *hl = obj != NULL ? g_mime_object_get_header_list(obj)
					  : NULL;
	gint64 off, min = -1;
	int i, n = hl != NULL ? g_mime_header_list_get_count(hl) : 0;

	for (i = 0; i < n; i++) {
		off = g_mime_header_get_offset(
		    g_mime_header_list_get_header_at(hl, i));
		if (off >= 0 && (min < 0 || off < min))
			min = off;
	}
	return min;
}

/* find_field - index of the only field named name, -1 absent, -2 twice */
static int
find_field(const struct mime_fields *f, const uint8_t *m, const char *name)
{
	size_t i;
	int found = -1;

	for (i = 0; i < f->n; i++) {
		if (!mime_field_is(m, &f->v[i], name))
			continue;
		if (found >= 0)
			return -2;
		found = (int)i;
	}
	return found;
}

/* loc_headers - the part's header block, which must end at cstart */
static int
loc_headers(const struct mime_job *job, const struct mime_cand *c,
    struct mime_loc *l)
{
	gint64 a = first_offset(GMIME_OBJECT(c->part));
	gint64 b = first_offset(c->msgobj);

	if (c->top) {
		l->fp = &job->top;
	} else {
		if (a < 0 || (b >= 0 && b < a))
			a = b;
		if (a < (gint64)job->body)
			return -1;
		l->hstart = (size_t)a;
		if (mime_fields_parse(&l->f, job->msg, l->cstart, l->hstart) != 0 ||
		    !l->f.complete || l->f.end != l->cstart)
			return -1;
		l->fp = &l->f;
	}
	l->ict = find_field(l->fp, job->msg, "Content-Type");
	l->icte = find_field(l->fp, job->msg, "Content-Transfer-Encoding");
	l->idisp = find_field(l->fp, job->msg, "Content-Disposition");
	return l->ict == -2 || l->icte == -2 ? -1 : 0;
}

/* field_value_at - unfolded value of field i of *fp, or NULL */
static char *
field_value_at(const struct mime_job *job, const struct mime_loc *l, int i)
{
	return i >= 0 ? mime_field_value(job->msg, &l->fp->v[i]) : NULL;
}

/* to_crlf - a local-form text (LF lines) in canonical form (CRLF) */
static void
to_crlf(GByteArray *ba)
{
	GByteArray *out = g_byte_array_sized_new(ba->len + ba->len / 32 + 2);
	guint i;

	for (i = 0; i < ba->len; i++) {
		if (ba->data[i] == '\n' && (i == 0 || ba->data[i - 1] != '\r'))
			g_byte_array_append(out, (const guint8 *)"\r", 1);
		g_byte_array_append(out, &ba->data[i], 1);
	}
	g_byte_array_set_size(ba, 0);
	g_byte_array_append(ba, out->data, out->len);
	g_byte_array_unref(out);
}

static int
ends_with_eol(const GByteArray *ba)
{
	return ba->len > 0 && ba->data[ba->len - 1] == '\n';
}

void
mime_item_free(struct mime_item *it)
{
	free(it->ctype);
	free(it->method);
	free(it->charset);
	if (it->decoded != NULL)
		g_byte_array_unref(it->decoded);
	cal_out_free(&it->out);
	g_free(it->new_type);
	mime_fields_free(&it->loc.f);
	memset(it, 0, sizeof(*it));
}

/* item_type - the media type from the Content-Type value */
static void
item_type(struct mime_item *it)
{
	size_t i = 0;
	const char *v = it->ctype != NULL ? it->ctype : "text/plain";

	while (v[i] != '\0' && v[i] != ';' && v[i] != ' ' && v[i] != '\t' &&
	    i + 1 < sizeof(it->type)) {
		it->type[i] = (char)g_ascii_tolower(v[i]);
		i++;
	}
	it->type[i] = '\0';
}

/*
 * item_disp - the disposition type: "" when there is none, "inline",
 * "attachment", or "?" for another word or two Content-Disposition fields
 */
static void
item_disp(const struct mime_job *job, struct mime_item *it)
{
	char *v = field_value_at(job, &it->loc, it->loc.idisp);
	size_t n = v != NULL ? strcspn(v, "; \t") : 0;

	if (it->loc.idisp == -2)
		snprintf(it->disp, sizeof(it->disp), "?");
	else if (v == NULL)
		it->disp[0] = '\0';
	else if (n == 6 && g_ascii_strncasecmp(v, "inline", 6) == 0)
		snprintf(it->disp, sizeof(it->disp), "inline");
	else if (n == 10 && g_ascii_strncasecmp(v, "attachment", 10) == 0)
		snprintf(it->disp, sizeof(it->disp), "attachment");
	else
		snprintf(it->disp, sizeof(it->disp), "?");
	free(v);
}

/* item_decode - read the labels and decode the content */
static enum cal_status
item_decode(struct mime_job *job, struct mime_item *it)
{
	const struct mime_loc *l = &it->loc;
	char *cte = field_value_at(job, l, l->icte);

	it->ctype = field_value_at(job, l, l->ict);
	it->cte = mime_cte_parse(cte);
	free(cte);
	item_type(it);
	item_disp(job, it);
	if (it->ctype != NULL) {
		it->method = mime_ctype_param(it->ctype, "method");
		it->charset = mime_ctype_param(it->ctype, "charset");
	}
	it->decoded = mime_decode(job->msg + l->cstart, l->cend - l->cstart,
	    it->cte);
	if (it->decoded == NULL) {
		cal_report_add(&job->res->report, "PARSE", CAL_REPORT,
		    "unknown Content-Transfer-Encoding; left as it is");
		return CAL_SKIPPED;
	}
	if (strcmp(job->eol, "\n") == 0 && it->cte != MIME_CTE_BASE64)
		to_crlf(it->decoded);
	if (it->cte != MIME_CTE_BASE64 && l->cend < job->len &&
	    !ends_with_eol(it->decoded)) {
		/* RFC 2046 5.1.1: the line end before a boundary belongs to the
		 * boundary, so the object's last CRLF is not in the content */
		g_byte_array_append(it->decoded, (const guint8 *)"\r\n", 2);
		it->eol_added = 1;
	}
	return CAL_UNCHANGED;
}

/* mime_item_where - "part 1.2: " before every finding about it */
void
mime_item_where(struct mime_job *job, const struct mime_item *it)
{
	char where[80];

	snprintf(where, sizeof(where), "part %s: ", it->c->path);
	cal_report_set_where(&job->res->report, where);
}

enum cal_status
mime_part_prepare(struct mime_job *job, struct mime_item *it)
{
	mime_item_where(job, it);
	if (loc_content(job, it->c, &it->loc) != 0 ||
	    loc_headers(job, it->c, &it->loc) != 0) {
		cal_report_add(&job->res->report, "PARSE", CAL_REPORT, "the "
		    "part's bytes are not where the MIME structure says; left "
		    "as it is");
		it->st = CAL_MALFORMED;
	} else {
		it->st = item_decode(job, it);
	}
	if (it->st == CAL_UNCHANGED && strcmp(it->type, "text/calendar") == 0)
		it->ctx_method = it->method;
	cal_report_set_where(&job->res->report, "");
	return it->st;
}

/*
 * item_report_only - R-MIME-7 switched to report: the lexical changes of a
 * forwarded calendar are findings only
 */
static void
item_report_only(struct mime_job *job, struct mime_item *it)
{
	cal_report_demote(&job->res->report, it->first, it->first_fix,
	    "report only (ReportOnlyRules R-MIME-7): ");
	free(it->out.data);
	it->out.data = NULL;
	it->out.len = 0;
	it->st = CAL_UNCHANGED;
}

enum cal_status
mime_part_normalize(struct mime_job *job, struct mime_item *it)
{
	struct cal_context ctx = job->ctx;
	struct cal_policy pol = job->pol->cal;

	if (it->st != CAL_UNCHANGED)
		return it->st;
	mime_item_where(job, it);
	ctx.mime_method = it->ctx_method;
	ctx.mime_charset = it->charset;
	pol.lexical_only = it->c->encapsulated;
	it->first = job->res->report.n;
	it->first_fix = job->res->report.nfix;
	it->st = cal_normalize(&it->out, (const char *)it->decoded->data,
	    it->decoded->len, &ctx, &pol, &job->pol->cal_limits,
	    &job->res->report);
	if (it->st == CAL_CHANGED && it->c->encapsulated &&
	    mime_rule_mode(job->pol, "R-MIME-7") == MIME_RULE_REPORT)
		item_report_only(job, it);
	it->last = job->res->report.n;
	cal_report_set_where(&job->res->report, "");
	return it->st;
}

const uint8_t *
mime_item_content(const struct mime_item *it, size_t *len)
{
	if (it->st == CAL_CHANGED) {
		*len = it->out.len;
		return (const uint8_t *)it->out.data;
	}
	*len = it->decoded != NULL ? it->decoded->len : 0;
	return it->decoded != NULL ? it->decoded->data : NULL;
}

int
mime_item_is_ical(const struct mime_item *it)
{
	return (it->st == CAL_CHANGED || it->st == CAL_UNCHANGED) &&
	    it->out.kind == CAL_KIND_ICAL;
}

int
mime_item_inline_calendar(const struct mime_item *it)
{
	return strcmp(it->type, "text/calendar") == 0 &&
	    strcmp(it->disp, "attachment") != 0;
}
