/*
 * mime_part.c - one calendar or vCard part: locate its bytes, decode them,
 * hand them to the core, and turn the result into edits
 *
 * The content region comes from GMime's persistent stream; the header block
 * is re-parsed from the original bytes (mime_hdr.c). Both are checked
 * against what must surround them (an empty line before the content, a
 * boundary after it). When anything is not exactly as expected the part is
 * left as it is: a splice at a wrong offset would corrupt mail.
 *
 * A changed part gets charset=utf-8 and method= equal to its METHOD
 * (R-MIME-1; the property wins, R-ITIP-2) and a 7-bit-safe transfer
 * encoding (R-MIME-2). An unchanged text/calendar part gets its method=
 * aligned when it is missing or wrong; nothing else of it moves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime_int.h"

/* struct part_loc - where a part stands in the original bytes */
struct part_loc {
	size_t			 hstart;	/* first header field */
	size_t			 cstart;	/* content */
	size_t			 cend;
	struct mime_fields	 f;		/* its header block */
	const struct mime_fields *fp;		/* f, or the job's top block */
	int			 ict;		/* index of Content-Type in *fp */
	int			 icte;		/* index of C-T-E, or -1 */
};

/* loc_content - [cstart, cend) of the content, checked */
static int
loc_content(const struct mime_job *job, const struct mime_cand *c,
    struct part_loc *l)
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
    struct part_loc *l)
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
	return l->ict == -2 || l->icte == -2 ? -1 : 0;
}

/* field_value_at - unfolded value of field i of *fp, or NULL */
static char *
field_value_at(const struct mime_job *job, const struct part_loc *l, int i)
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

/* strip_eol - drop the final line end again (see eol_added) */
static void
strip_eol(GByteArray *ba)
{
	if (ba->len > 0 && ba->data[ba->len - 1] == '\n')
		g_byte_array_set_size(ba, ba->len - 1);
	if (ba->len > 0 && ba->data[ba->len - 1] == '\r')
		g_byte_array_set_size(ba, ba->len - 1);
}

/* struct part_io - what goes to the core and what comes back */
struct part_io {
	char		 type[96];	/* media type, lower case */
	char		*ctype;		/* Content-Type value, unfolded */
	char		*method;	/* its method= parameter */
	char		*charset;
	enum mime_cte	 cte;
	GByteArray	*decoded;
	struct cal_out	 out;
	enum cal_status	 st;
	int		 eol_added;	/* the boundary owned the last line end */
};

static void
part_io_free(struct part_io *io)
{
	free(io->ctype);
	free(io->method);
	free(io->charset);
	if (io->decoded != NULL)
		g_byte_array_unref(io->decoded);
	cal_out_free(&io->out);
}

/* part_type - the media type from the Content-Type value */
static void
part_type(struct part_io *io)
{
	size_t i = 0;
	const char *v = io->ctype != NULL ? io->ctype : "text/plain";

	while (v[i] != '\0' && v[i] != ';' && v[i] != ' ' && v[i] != '\t' &&
	    i + 1 < sizeof(io->type)) {
		io->type[i] = (char)g_ascii_tolower(v[i]);
		i++;
	}
	io->type[i] = '\0';
}

/* part_decode - read the labels and decode the content */
static enum cal_status
part_decode(struct mime_job *job, const struct part_loc *l,
    struct part_io *io)
{
	char *cte = field_value_at(job, l, l->icte);

	io->ctype = field_value_at(job, l, l->ict);
	io->cte = mime_cte_parse(cte);
	free(cte);
	part_type(io);
	if (io->ctype != NULL) {
		io->method = mime_ctype_param(io->ctype, "method");
		io->charset = mime_ctype_param(io->ctype, "charset");
	}
	io->decoded = mime_decode(job->msg + l->cstart, l->cend - l->cstart,
	    io->cte);
	if (io->decoded == NULL) {
		cal_report_add(&job->res->report, "PARSE", CAL_REPORT,
		    "unknown Content-Transfer-Encoding; left as it is");
		return CAL_SKIPPED;
	}
	if (strcmp(job->eol, "\n") == 0 && io->cte != MIME_CTE_BASE64)
		to_crlf(io->decoded);
	if (io->cte != MIME_CTE_BASE64 && l->cend < job->len &&
	    !ends_with_eol(io->decoded)) {
		/* RFC 2046 5.1.1: the line end before a boundary belongs to the
		 * boundary, so the object's last CRLF is not in the content */
		g_byte_array_append(io->decoded, (const guint8 *)"\r\n", 2);
		io->eol_added = 1;
	}
	return CAL_UNCHANGED;
}

/* part_normalize - the core, with this part's context */
static void
part_normalize(struct mime_job *job, const struct mime_cand *c,
    struct part_io *io)
{
	struct cal_context ctx = job->ctx;
	struct cal_policy pol = job->pol->cal;

	ctx.mime_method = strcmp(io->type, "text/calendar") == 0 ? io->method
								  : NULL;
	ctx.mime_charset = io->charset;
	pol.lexical_only = c->encapsulated;
	io->st = cal_normalize(&io->out, (const char *)io->decoded->data,
	    io->decoded->len, &ctx, &pol, &job->pol->cal_limits,
	    &job->res->report);
}

/* label_method - R-MIME-1 / R-ITIP-2: the method= this part must carry */
static const char *
label_method(struct mime_job *job, const struct mime_cand *c,
    const struct part_io *io)
{
	struct cal_report *rep = &job->res->report;
	const char *want = io->out.method, *have = io->method;

	if (strcmp(io->type, "text/calendar") != 0 || c->encapsulated ||
	    io->out.kind != CAL_KIND_ICAL || strcmp(want, "?") == 0 ||
	    (io->st != CAL_CHANGED && io->st != CAL_UNCHANGED))
		return NULL;
	if ((have == NULL && want[0] == '\0') ||
	    (have != NULL && strcmp(have, want) == 0))
		return NULL;
	if (want[0] == '\0')
		cal_report_add(rep, "R-MIME-1", CAL_FIX, "removed method=%.30s: "
		    "the object has no METHOD", have);
	else if (have == NULL)
		cal_report_add(rep, "R-MIME-1", CAL_FIX, "added method=%s to "
		    "the Content-Type", want);
	else if (strcasecmp(have, want) == 0)
		cal_report_add(rep, "R-MIME-1", CAL_FIX, "method=%.30s written "
		    "as %s", have, want);
	else
		cal_report_add(rep, "R-ITIP-2", CAL_FIX, "method=%.30s disagreed "
		    "with METHOD:%s; the property wins", have, want);
	return want;
}

/*
 * label_charset - a rewritten text part is UTF-8 (R-MIME-1 for
 * text/calendar, R-LEX-4 for the other text types). Other types carry no
 * charset: their undeclared content is read as UTF-8 already.
 */
static const char *
label_charset(struct mime_job *job, const struct part_io *io)
{
	if (io->st != CAL_CHANGED || strncmp(io->type, "text/", 5) != 0 ||
	    (io->charset != NULL && strcasecmp(io->charset, "utf-8") == 0))
		return NULL;
	cal_report_add(&job->res->report,
	    strcmp(io->type, "text/calendar") == 0 ? "R-MIME-1" : "R-LEX-4",
	    CAL_FIX, "charset=utf-8 (was %.30s)",
	    io->charset != NULL ? io->charset : "not given");
	return "utf-8";
}

/* eolize - a header value with "\n" folds, in the message's line ends */
static void
append_eolized(GByteArray *out, const char *v, const char *eol)
{
	for (; *v != '\0'; v++) {
		if (*v == '\n')
			g_byte_array_append(out, (const guint8 *)eol,
			    (guint)strlen(eol));
		else
			g_byte_array_append(out, (const guint8 *)v, 1);
	}
}

static void
append_field(GByteArray *out, const char *name, const char *value,
    const char *eol)
{
	g_byte_array_append(out, (const guint8 *)name, (guint)strlen(name));
	g_byte_array_append(out, (const guint8 *)":", 1);
	append_eolized(out, value, eol);
	append_eolized(out, "\n", eol);
}

/* header_block - the part's header block with the two fields replaced */
static GByteArray *
header_block(const struct mime_job *job, const struct part_loc *l,
    const char *ct, const char *cte)
{
	GByteArray *out = g_byte_array_new();
	const struct mime_field *fl;
	size_t i, tail = l->hstart;

	for (i = 0; i < l->f.n; i++) {
		fl = &l->f.v[i];
		if ((int)i == l->ict && ct != NULL)
			append_field(out, "Content-Type", ct, job->eol);
		else if ((int)i == l->icte && cte != NULL)
			append_field(out, "Content-Transfer-Encoding", cte,
			    job->eol);
		else
			g_byte_array_append(out, job->msg + fl->start,
			    (guint)(fl->next - fl->start));
		if ((int)i == l->ict && cte != NULL && l->icte < 0)
			append_field(out, "Content-Transfer-Encoding", cte,
			    job->eol);
		tail = fl->next;
	}
	g_byte_array_append(out, job->msg + tail, (guint)(l->cstart - tail));
	return out;
}

/* new_cte - R-MIME-2: " base64" etc. when the label must change, else NULL */
static char *
new_cte(struct mime_job *job, const struct part_loc *l, struct part_io *io,
    enum mime_cte *cte)
{
	*cte = io->cte;
	if (io->st != CAL_CHANGED)
		return NULL;
	*cte = mime_cte_choose(io->cte, (const uint8_t *)io->out.data,
	    io->out.len);
	if (*cte == io->cte && (l->icte >= 0 || *cte == MIME_CTE_7BIT))
		return NULL;
	cal_report_add(&job->res->report, "R-MIME-2", CAL_FIX,
	    "Content-Transfer-Encoding %s -> %s", mime_cte_name(io->cte),
	    mime_cte_name(*cte));
	return g_strdup_printf(" %s", mime_cte_name(*cte));
}

static void
add_splice(struct mime_job *job, size_t start, size_t end, GByteArray *b)
{
	struct mime_splice s = { start, end, b };

	g_array_append_val(job->splices, s);
}

/* part_emit - turn the decision into a splice or top-level edits */
static enum cal_status
part_emit(struct mime_job *job, const struct part_loc *l, struct part_io *io,
    char *ct, char *cte, enum mime_cte enc)
{
	GByteArray *body = NULL, *block;

	if (io->st == CAL_CHANGED) {
		body = mime_encode((const uint8_t *)io->out.data, io->out.len,
		    enc, job->eol);
		if (io->eol_added && enc != MIME_CTE_BASE64)
			strip_eol(body);	/* the boundary brings it back */
	}
	if (l->fp == &job->top) {
		if (body != NULL)
			add_splice(job, l->cstart, l->cend, body);
		job->top_ctype = ct;
		job->top_cte = cte;
		return CAL_CHANGED;
	}
	block = header_block(job, l, ct, cte);
	if (body != NULL) {
		g_byte_array_append(block, body->data, body->len);
		g_byte_array_unref(body);
	}
	add_splice(job, l->hstart, body != NULL ? l->cend : l->cstart, block);
	g_free(ct);
	g_free(cte);
	return CAL_CHANGED;
}

/* part_edit - the labels and content this part needs, if any */
static enum cal_status
part_edit(struct mime_job *job, const struct mime_cand *c,
    const struct part_loc *l, struct part_io *io)
{
	const char *method = label_method(job, c, io);
	const char *charset = label_charset(job, io);
	char *ct = NULL, *cte, *v;
	enum mime_cte enc;

	if (method == NULL && charset == NULL && io->st != CAL_CHANGED)
		return io->st == CAL_UNCHANGED ? CAL_UNCHANGED : io->st;
	if (l->ict < 0) {
		cal_report_add(&job->res->report, "PARSE", CAL_REPORT, "no "
		    "Content-Type to label the rewrite; left as it is");
		return CAL_SKIPPED;
	}
	if (method != NULL || charset != NULL) {
		v = mime_ctype_edit(io->ctype, charset, method);
		ct = mime_header_fold("Content-Type", v);
		g_free(v);
	}
	cte = new_cte(job, l, io, &enc);
	return part_emit(job, l, io, ct, cte, enc);
}

enum cal_status
mime_part_run(struct mime_job *job, const struct mime_cand *c)
{
	struct part_loc l;
	struct part_io io;
	enum cal_status st;
	char where[80];

	memset(&l, 0, sizeof(l));
	memset(&io, 0, sizeof(io));
	snprintf(where, sizeof(where), "part %s: ", c->path);
	cal_report_set_where(&job->res->report, where);
	if (loc_content(job, c, &l) != 0 || loc_headers(job, c, &l) != 0) {
		cal_report_add(&job->res->report, "PARSE", CAL_REPORT, "the "
		    "part's bytes are not where the MIME structure says; left "
		    "as it is");
		st = CAL_MALFORMED;
	} else if ((st = part_decode(job, &l, &io)) == CAL_UNCHANGED) {
		part_normalize(job, c, &io);
		st = part_edit(job, c, &l, &io);
	}
	part_io_free(&io);
	mime_fields_free(&l.f);
	cal_report_set_where(&job->res->report, "");
	return st;
}
