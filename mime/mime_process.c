/*
 * mime_process.c - the one call: a whole message in, the edits that make
 * its calendar and vCard parts acceptable to Exchange out
 *
 * Order of decisions: size (MaxMessageSize); a header block that parses;
 * DKIM-signed (N-2: left untouched); GMime's parse; the walk (signed or
 * encrypted content anywhere: N-1, untouched; depth and part ceilings);
 * then each candidate part. A limit or an internal error in any part leaves
 * the whole message as it is. When something changed, the new body is the
 * original with every splice applied, and the header edits are: remove the
 * trace headers that came from outside, relabel a top-level calendar part,
 * add one trace header naming the rules (an explicit addition to N-9).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime_int.h"

void
mime_policy_default(struct mime_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	cal_policy_default(&pol->cal);
	cal_limits_default(&pol->cal_limits);
	pol->max_message_size = 25u << 20;
	pol->max_depth = 20;
	pol->max_parts = 500;
	pol->normalize_encapsulated = 1;
	pol->now = (time_t)-1;
}

const char *
mime_reason_name(enum mime_reason r)
{
	static const char *const names[] = {
		"none", "no-parts", "signed", "dkim", "limit", "malformed",
		"error"
	};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

void
mime_result_init(struct mime_result *res)
{
	memset(res, 0, sizeof(*res));
	cal_report_init(&res->report, 500);
}

void
mime_result_free(struct mime_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	for (i = 0; i < res->nedits; i++) {
		g_free(res->edits[i].name);
		g_free(res->edits[i].value);
	}
	g_free(res->edits);
	g_free(res->body);
	cal_report_free(&res->report);
	memset(res, 0, sizeof(*res));
}

void
mime_init(void)
{
	g_mime_init();
	cal_init();
}

static const char *
detect_eol(const uint8_t *msg, size_t len)
{
	const uint8_t *nl = memchr(msg, '\n', len);

	return nl != NULL && nl > msg && nl[-1] == '\r' ? "\r\n" : "\n";
}

/* first_addr - first mailbox address of a list, lower case (transfer full) */
static char *
first_addr(InternetAddressList *list)
{
	InternetAddress *a;
	int i, n = list != NULL ? internet_address_list_length(list) : 0;

	for (i = 0; i < n; i++) {
		a = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(a))
			return g_ascii_strdown(internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(a)), -1);
	}
	return NULL;
}

/* first_name - the display name of the first mailbox (transfer full), or
 * NULL; *several when the list names more than one mailbox */
static char *
first_name(InternetAddressList *list, int *several)
{
	InternetAddress *a;
	const char *name = NULL;
	int i, n = list != NULL ? internet_address_list_length(list) : 0, k = 0;

	for (i = 0; i < n; i++) {
		a = internet_address_list_get_address(list, i);
		if (!INTERNET_ADDRESS_IS_MAILBOX(a))
			continue;
		if (k++ == 0)
			name = internet_address_get_name(a);
	}
	*several = k > 1;
	return name != NULL && name[0] != '\0' ? g_strdup(name) : NULL;
}

/* job_context - what the message says about itself, for the core */
static void
job_context(struct mime_job *job, GMimeMessage *m)
{
	GDateTime *d = g_mime_message_get_date(m);

	cal_context_init(&job->ctx);
	job->ctx.from_addr = first_addr(g_mime_message_get_from(m));
	job->ctx.from_name = first_name(g_mime_message_get_from(m),
	    &job->ctx.from_several);
	job->ctx.sender_addr = first_addr(g_mime_message_get_sender(m));
	job->ctx.date = d != NULL ? (time_t)g_date_time_to_unix(d) : (time_t)-1;
	job->ctx.now = job->pol->now;
}

static int
splice_cmp(gconstpointer a, gconstpointer b)
{
	const struct mime_splice *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* job_body - the original body with every splice applied; -1 on overlap */
static int
job_body(struct mime_job *job)
{
	GByteArray *out = g_byte_array_new();
	struct mime_splice *s;
	size_t pos = job->body;
	guint i;

	g_array_sort(job->splices, splice_cmp);
	for (i = 0; i < job->splices->len; i++) {
		s = &g_array_index(job->splices, struct mime_splice, i);
		if (s->start < pos || s->end < s->start || s->end > job->len) {
			g_byte_array_unref(out);
			return -1;
		}
		g_byte_array_append(out, job->msg + pos, (guint)(s->start - pos));
		g_byte_array_append(out, s->bytes->data, s->bytes->len);
		pos = s->end;
	}
	g_byte_array_append(out, job->msg + pos, (guint)(job->len - pos));
	job->res->body_len = out->len;
	job->res->body = g_byte_array_free(out, FALSE);
	return 0;
}

static void
edit_add(struct mime_result *res, enum mime_edit_op op, const char *name,
    unsigned index, char *value)
{
	struct mime_hdr_edit *e;

	e = g_renew(struct mime_hdr_edit, res->edits, res->nedits + 1);
	res->edits = e;
	e = &res->edits[res->nedits++];
	e->op = op;
	e->name = g_strdup(name);
	e->index = index;
	e->value = value;
}

/* trace_value - " normalized; rules=R-A,R-B" folded at commas */
static char *
trace_value(const struct cal_report *rep)
{
	char *rules = cal_report_rules(rep, CAL_FIX);
	GString *v = g_string_new(" normalized; rules=");
	size_t col = strlen(MIME_TRACE_HEADER) + v->len + 1;
	char *tok, *save = NULL;

	for (tok = strtok_r(rules, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (v->str[v->len - 1] != '=') {
			g_string_append_c(v, ',');
			col++;
			if (col + strlen(tok) > 76) {
				g_string_append(v, "\n\t");
				col = 8;
			}
		}
		g_string_append(v, tok);
		col += strlen(tok);
	}
	free(rules);
	return g_string_free(v, FALSE);
}

/* job_edits - the header edits, in an order safe to execute one by one */
static void
job_edits(struct mime_job *job)
{
	struct mime_result *res = job->res;
	size_t n = mime_fields_count(&job->top, job->msg, MIME_TRACE_HEADER);

	for (; n > 0; n--)	/* from the last, so indices stay valid */
		edit_add(res, MIME_HDR_DELETE, MIME_TRACE_HEADER, (unsigned)n,
		    NULL);
	if (job->top_ctype != NULL)
		edit_add(res, MIME_HDR_CHANGE, "Content-Type", 1,
		    g_steal_pointer(&job->top_ctype));
	if (job->top_cte != NULL)
		edit_add(res, mime_fields_count(&job->top, job->msg,
		    "Content-Transfer-Encoding") > 0 ? MIME_HDR_CHANGE
						      : MIME_HDR_ADD,
		    "Content-Transfer-Encoding", 1,
		    g_steal_pointer(&job->top_cte));
	edit_add(res, MIME_HDR_ADD, MIME_TRACE_HEADER, 0,
	    trace_value(&res->report));
}

/* job_verdict - set status and reason of the result */
static enum cal_status
job_verdict(struct mime_job *job, enum cal_status st, enum mime_reason why,
    const char *detail)
{
	static const char *const ids[] = {
		NULL, NULL, "N-1", "N-2", "LIMIT", "PARSE", "ERROR"
	};

	job->res->status = st;
	job->res->reason = why;
	if (detail != NULL)
		snprintf(job->res->detail, sizeof(job->res->detail), "%s",
		    detail);
	if (ids[why] != NULL)
		cal_report_add(&job->res->report, ids[why], CAL_REPORT,
		    "%s; the message is left as it is", detail);
	return st;
}

/* last_limit - the text of the core's last LIMIT finding: which ceiling */
static const char *
last_limit(const struct cal_report *rep)
{
	size_t i;

	for (i = rep->n; i > 0; i--)
		if (strcmp(rep->v[i - 1].rule, "LIMIT") == 0 &&
		    rep->v[i - 1].text != NULL)
			return rep->v[i - 1].text;
	return "an object ceiling";
}

/* job_parts - every candidate; the first limit or error decides for all */
static enum cal_status
job_parts(struct mime_job *job, const struct mime_walk *w)
{
	enum cal_status st;
	size_t i;

	for (i = 0; i < w->n; i++) {
		job->res->parts_seen++;
		if (w->v[i].encapsulated && !job->pol->normalize_encapsulated) {
			cal_report_add(&job->res->report, "R-MIME-7", CAL_REPORT,
			    "part %s: forwarded or reported calendar left as it "
			    "is (NormalizeEncapsulated no)", w->v[i].path);
			continue;
		}
		st = mime_part_run(job, &w->v[i]);
		if (st == CAL_ERROR)
			return job_verdict(job, st, MIME_REASON_ERROR,
			    "internal error in a part");
		if (st == CAL_LIMIT)
			return job_verdict(job, st, MIME_REASON_LIMIT,
			    last_limit(&job->res->report));
		if (st == CAL_CHANGED)
			job->res->parts_changed++;
	}
	if (job->res->parts_changed == 0)
		return job_verdict(job, CAL_UNCHANGED, MIME_REASON_NONE, NULL);
	if (job_body(job) != 0)
		return job_verdict(job, CAL_ERROR, MIME_REASON_ERROR,
		    "overlapping edits");
	job_edits(job);
	return job_verdict(job, CAL_CHANGED, MIME_REASON_NONE, NULL);
}

/* job_parse_walk - GMime over the original bytes (no copy), then the walk */
static enum cal_status
job_parse_walk(struct mime_job *job)
{
	GByteArray *ba = g_byte_array_new_take((guint8 *)(uintptr_t)job->msg,
	    job->len);
	GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(ba);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *m;
	struct mime_walk w;
	enum cal_status st;

	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
	g_mime_parser_set_persist_stream(parser, TRUE);
	m = g_mime_parser_construct_message(parser, NULL);
	memset(&w, 0, sizeof(w));
	if (m == NULL)
		st = job_verdict(job, CAL_MALFORMED, MIME_REASON_MALFORMED,
		    "GMime cannot parse the message");
	else if (mime_walk(&w, m, job->pol) != 0)
		st = job_verdict(job, CAL_ERROR, MIME_REASON_ERROR, "walk");
	else if (w.is_signed)
		st = job_verdict(job, CAL_SKIPPED, MIME_REASON_SIGNED,
		    "signed or encrypted content (N-1)");
	else if (w.limit)
		st = job_verdict(job, CAL_LIMIT, MIME_REASON_LIMIT, w.detail);
	else if (w.n == 0)
		st = job_verdict(job, CAL_UNCHANGED, MIME_REASON_NO_PARTS, NULL);
	else {
		job_context(job, m);
		st = job_parts(job, &w);
	}
	mime_walk_free(&w);
	if (m != NULL)
		g_object_unref(m);
	g_object_unref(parser);
	g_object_unref(stream);
	g_byte_array_free(ba, FALSE);	/* the bytes are the caller's */
	return st;
}

static void
job_free(struct mime_job *job)
{
	guint i;

	if (job->splices != NULL) {
		for (i = 0; i < job->splices->len; i++)
			g_byte_array_unref(g_array_index(job->splices,
			    struct mime_splice, i).bytes);
		g_array_free(job->splices, TRUE);
	}
	g_free((char *)(uintptr_t)job->ctx.from_addr);
	g_free((char *)(uintptr_t)job->ctx.from_name);
	g_free((char *)(uintptr_t)job->ctx.sender_addr);
	g_free(job->top_ctype);
	g_free(job->top_cte);
	mime_fields_free(&job->top);
}

enum cal_status
mime_process(struct mime_result *res, const uint8_t *msg, size_t len,
    const struct mime_policy *pol)
{
	struct mime_job job;
	enum cal_status st;
	char what[64];

	mime_result_init(res);
	memset(&job, 0, sizeof(job));
	job.msg = msg;
	job.len = len;
	job.pol = pol;
	job.res = res;
	cal_context_init(&job.ctx);
	if (len > pol->max_message_size) {
		snprintf(what, sizeof(what), "MaxMessageSize (%zu)",
		    pol->max_message_size);
		return job_verdict(&job, CAL_LIMIT, MIME_REASON_LIMIT, what);
	}
	job.eol = detect_eol(msg, len);
	job.splices = g_array_new(FALSE, FALSE, sizeof(struct mime_splice));
	if (mime_fields_parse(&job.top, msg, len, 0) != 0)
		st = job_verdict(&job, CAL_MALFORMED, MIME_REASON_MALFORMED,
		    "the header block does not parse");
	else if (mime_fields_count(&job.top, msg, "DKIM-Signature") > 0)
		st = job_verdict(&job, CAL_SKIPPED, MIME_REASON_DKIM,
		    "DKIM-signed (N-2, DkimSigned skip)");
	else {
		job.body = job.top.end;
		st = job_parse_walk(&job);
	}
	job_free(&job);
	return st;
}

/* struct hline - one header field of the output: original or new bytes */
struct hline {
	const uint8_t	*p;
	size_t		 n;
	char		*name;		/* for matching edits */
	GByteArray	*owned;		/* new bytes, or NULL */
};

static void
hline_free(gpointer data)
{
	struct hline *h = data;

	g_free(h->name);
	if (h->owned != NULL)
		g_byte_array_unref(h->owned);
}

/* hline_find - the index-th line named name, or -1 */
static gint
hline_find(GArray *hl, const char *name, unsigned index)
{
	guint i;

	for (i = 0; i < hl->len; i++)
		if (g_ascii_strcasecmp(g_array_index(hl, struct hline,
		    i).name, name) == 0 && --index == 0)
			return (gint)i;
	return -1;
}

static struct hline
hline_new(const struct mime_hdr_edit *e, const char *eol)
{
	struct hline h = { NULL, 0, g_strdup(e->name), g_byte_array_new() };
	const char *v;

	g_byte_array_append(h.owned, (const guint8 *)e->name,
	    (guint)strlen(e->name));
	g_byte_array_append(h.owned, (const guint8 *)":", 1);
	for (v = e->value; *v != '\0'; v++) {
		if (*v == '\n')
			g_byte_array_append(h.owned, (const guint8 *)eol,
			    (guint)strlen(eol));
		else
			g_byte_array_append(h.owned, (const guint8 *)v, 1);
	}
	g_byte_array_append(h.owned, (const guint8 *)eol, (guint)strlen(eol));
	h.p = h.owned->data;
	h.n = h.owned->len;
	return h;
}

/* apply_edit - one edit on the header lines, as the MTA would do it */
static void
apply_edit(GArray *hl, const struct mime_hdr_edit *e, const char *eol)
{
	struct hline h;
	gint i;

	if (e->op == MIME_HDR_ADD) {
		h = hline_new(e, eol);
		g_array_append_val(hl, h);
		return;
	}
	i = hline_find(hl, e->name, e->index ? e->index : 1);
	if (i < 0)
		return;
	g_array_remove_index(hl, (guint)i);	/* clear func frees it */
	if (e->op == MIME_HDR_CHANGE) {
		h = hline_new(e, eol);
		g_array_insert_val(hl, (guint)i, h);
	}
}

uint8_t *
mime_apply(const uint8_t *msg, size_t len, const struct mime_result *res,
    size_t *outlen)
{
	struct mime_fields f;
	GByteArray *out;
	GArray *hl;
	struct hline h;
	const char *eol = detect_eol(msg, len);
	size_t i, tail;

	if (res->status != CAL_CHANGED || mime_fields_parse(&f, msg, len, 0) != 0)
		return NULL;
	hl = g_array_new(FALSE, FALSE, sizeof(struct hline));
	g_array_set_clear_func(hl, hline_free);
	for (i = 0; i < f.n; i++) {
		h.p = msg + f.v[i].start;
		h.n = f.v[i].next - f.v[i].start;
		h.name = g_strndup((const char *)h.p, f.v[i].colon - f.v[i].start);
		h.owned = NULL;
		g_array_append_val(hl, h);
	}
	for (i = 0; i < res->nedits; i++)
		apply_edit(hl, &res->edits[i], eol);
	out = g_byte_array_new();
	for (i = 0; i < hl->len; i++)
		g_byte_array_append(out, g_array_index(hl, struct hline, i).p,
		    (guint)g_array_index(hl, struct hline, i).n);
	tail = f.n > 0 ? f.v[f.n - 1].next : 0;
	g_byte_array_append(out, msg + tail, (guint)(f.end - tail));
	g_byte_array_append(out, res->body, (guint)res->body_len);
	g_array_free(hl, TRUE);
	mime_fields_free(&f);
	*outlen = out->len;
	return g_byte_array_free(out, FALSE);
}

int
mime_input_is_object(const uint8_t *buf, size_t len)
{
	return cal_detect((const char *)buf, len) != CAL_KIND_NONE;
}

enum cal_status
mime_process_object(struct cal_out *out, const uint8_t *buf, size_t len,
    const struct mime_policy *pol, struct cal_report *rep)
{
	struct cal_context ctx;

	cal_context_init(&ctx);
	ctx.now = pol->now;
	return cal_normalize(out, (const char *)buf, len, &ctx, &pol->cal,
	    &pol->cal_limits, rep);
}
