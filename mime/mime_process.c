/*
 * mime_process.c - the one call: a whole message in, the edits that make
 * its calendar and vCard parts acceptable to Exchange out
 *
 * Order of decisions: size (MaxMessageSize); a header block that parses;
 * DKIM (N-2: DkimSigned decides, mime_auth.c); GMime's parse; the walk
 * (signed or encrypted content anywhere: N-1, untouched; depth and part
 * ceilings); then the candidate parts, in phases:
 *
 *   prepare     locate and decode each part (mime_part.c)
 *   share       identical copies get the same context (R-MIME-6)
 *   normalize   the core, part by part
 *   relabel     PUBLISH attachments become text/calendar (R-MIME-5)
 *   emit        labels and content become splices (mime_label.c)
 *   check       copies of one object that differ are reported (R-MIME-6)
 *   promote     an attached invitation gets an inline copy (R-MIME-4)
 *   class       Content-Class, when asked for (R-MIME-8)
 *
 * A limit or an internal error in any part leaves the whole message as it
 * is. When something changed, the new body is the original with every
 * splice applied, and the header edits are: remove the trace headers that
 * came from outside, the top-level labels that changed, Content-Class, and
 * one trace header naming the rules (an explicit addition to N-9). No edit
 * touches a header a DKIM signature names in h= (N-2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime_int.h"

#define MIME_CONTENT_CLASS " urn:content-classes:calendarmessage"

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
	pol->promote_attached = 1;
	pol->content_class = 0;
	pol->dkim = MIME_DKIM_SKIP;
	pol->trusted_authserv_ids = NULL;
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

const char *
mime_detect_eol(const uint8_t *msg, size_t len)
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

void
mime_job_splice(struct mime_job *job, size_t start, size_t end,
    GByteArray *bytes)
{
	struct mime_splice s = { start, end, bytes };

	g_array_append_val(job->splices, s);
}

/* splice_cmp - by start; an insertion before a replacement at the same */
static int
splice_cmp(gconstpointer a, gconstpointer b)
{
	const struct mime_splice *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
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

/* job_covered - does a DKIM signature name this header in h=? (N-2) */
static int
job_covered(const struct mime_job *job, const char *name)
{
	return job->auth != NULL && mime_auth_covers(job->auth, name);
}

/*
 * job_signed_labels - the name of a top-level header the edits would
 * touch that a DKIM signature covers, or NULL
 */
static const char *
job_signed_labels(const struct mime_job *job)
{
	if (job->top_ctype != NULL && job_covered(job, "Content-Type"))
		return "Content-Type";
	if ((job->top_cte != NULL || job->top_cte_delete) &&
	    job_covered(job, "Content-Transfer-Encoding"))
		return "Content-Transfer-Encoding";
	if (job->top_disp_delete && job_covered(job, "Content-Disposition"))
		return "Content-Disposition";
	return NULL;
}

/* job_label_edits - the top-level labels, in an order safe to execute */
static void
job_label_edits(struct mime_job *job)
{
	struct mime_result *res = job->res;
	size_t ncte = mime_fields_count(&job->top, job->msg,
	    "Content-Transfer-Encoding");

	if (job->top_ctype != NULL)
		edit_add(res, MIME_HDR_CHANGE, "Content-Type", 1,
		    g_steal_pointer(&job->top_ctype));
	if (job->top_cte != NULL)
		edit_add(res, ncte > 0 ? MIME_HDR_CHANGE : MIME_HDR_ADD,
		    "Content-Transfer-Encoding", 1,
		    g_steal_pointer(&job->top_cte));
	else if (job->top_cte_delete && ncte > 0)
		edit_add(res, MIME_HDR_DELETE, "Content-Transfer-Encoding", 1,
		    NULL);
	if (job->top_disp_delete && mime_fields_count(&job->top, job->msg,
	    "Content-Disposition") > 0)
		edit_add(res, MIME_HDR_DELETE, "Content-Disposition", 1, NULL);
	if (job->content_class)
		edit_add(res, MIME_HDR_ADD, "Content-Class",
		    0, g_strdup(MIME_CONTENT_CLASS));
}

/* job_edits - the header edits, in an order safe to execute one by one */
static void
job_edits(struct mime_job *job)
{
	struct mime_result *res = job->res;
	size_t n = mime_fields_count(&job->top, job->msg, MIME_TRACE_HEADER);
	int trace = !job_covered(job, MIME_TRACE_HEADER);

	for (; trace && n > 0; n--)	/* from the last: indices stay valid */
		edit_add(res, MIME_HDR_DELETE, MIME_TRACE_HEADER, (unsigned)n,
		    NULL);
	job_label_edits(job);
	if (trace)
		edit_add(res, MIME_HDR_ADD, MIME_TRACE_HEADER, 0,
		    trace_value(&res->report));
	else
		cal_report_add(&res->report, "N-2", CAL_REPORT, "no %s header: "
		    "the DKIM signature covers it", MIME_TRACE_HEADER);
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

/* job_has_edits - did any phase change anything? */
static int
job_has_edits(const struct mime_job *job)
{
	return job->splices->len > 0 || job->top_ctype != NULL ||
	    job->top_cte != NULL || job->top_cte_delete ||
	    job->top_disp_delete || job->content_class;
}

/* job_finish - the new body and the header edits, or why there are none */
static enum cal_status
job_finish(struct mime_job *job)
{
	const char *covered;
	char why[128];

	if (!job_has_edits(job))
		return job_verdict(job, CAL_UNCHANGED, MIME_REASON_NONE, NULL);
	covered = job_signed_labels(job);
	if (covered != NULL) {
		snprintf(why, sizeof(why), "the change needs the %s header, "
		    "which the DKIM signature covers (N-2)", covered);
		cal_report_withdraw(&job->res->report, 0, 0);
		return job_verdict(job, CAL_SKIPPED, MIME_REASON_DKIM, why);
	}
	if (job_body(job) != 0)
		return job_verdict(job, CAL_ERROR, MIME_REASON_ERROR,
		    "overlapping edits");
	job_edits(job);
	return job_verdict(job, CAL_CHANGED, MIME_REASON_NONE, NULL);
}

/* job_prepare_all - locate and decode every candidate */
static void
job_prepare_all(struct mime_job *job, struct mime_item *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i].c->encapsulated && (!job->pol->normalize_encapsulated ||
		    mime_rule_mode(job->pol, "R-MIME-7") == MIME_RULE_OFF)) {
			if (!job->pol->normalize_encapsulated)
				cal_report_add(&job->res->report, "R-MIME-7",
				    CAL_REPORT, "part %s: forwarded or "
				    "reported calendar left as it is "
				    "(NormalizeEncapsulated no)", v[i].c->path);
			v[i].st = CAL_SKIPPED;
			continue;
		}
		mime_part_prepare(job, &v[i]);
	}
}

/* job_run_all - the core for every prepared candidate; a limit or an
 * error stops the message */
static enum cal_status
job_run_all(struct mime_job *job, struct mime_item *v, size_t n)
{
	enum cal_status st;
	size_t i;

	for (i = 0; i < n; i++) {
		st = mime_part_normalize(job, &v[i]);
		if (st == CAL_ERROR)
			return job_verdict(job, st, MIME_REASON_ERROR,
			    "internal error in a part");
		if (st == CAL_LIMIT)
			return job_verdict(job, st, MIME_REASON_LIMIT,
			    last_limit(&job->res->report));
	}
	return CAL_UNCHANGED;
}

/* job_phases - every phase over the candidates (see the top of the file) */
static enum cal_status
job_phases(struct mime_job *job, struct mime_item *v, size_t n)
{
	enum cal_status st;
	size_t i;

	job_prepare_all(job, v, n);
	mime_copies_share(job, v, n);
	st = job_run_all(job, v, n);
	if (st != CAL_UNCHANGED)
		return st;
	mime_relabel(job, v, n);
	for (i = 0; i < n; i++)
		if (mime_part_emit(job, &v[i]) == CAL_CHANGED)
			job->res->parts_changed++;
	mime_copies_check(job, v, n);
	st = mime_promote(job, v, n);
	if (st == CAL_ERROR)
		return job_verdict(job, st, MIME_REASON_ERROR, "promotion");
	mime_content_class(job, v, n, st == CAL_CHANGED);
	return job_finish(job);
}

/* job_parts - the candidates of the walk through the phases */
static enum cal_status
job_parts(struct mime_job *job, const struct mime_walk *w)
{
	struct mime_item *v = g_new0(struct mime_item, w->n);
	enum cal_status st;
	size_t i;

	for (i = 0; i < w->n; i++)
		v[i].c = &w->v[i];
	job->res->parts_seen = (unsigned)w->n;
	st = job_phases(job, v, w->n);
	for (i = 0; i < w->n; i++)
		mime_item_free(&v[i]);
	g_free(v);
	return st;
}

/* job_warning - GMime's parser found something a reader may take two ways */
static void
job_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
    gpointer data)
{
	(void)offset;
	mime_ambiguity_gmime(data, (int)code, item);
}

/* job_parse - GMime over the original bytes (no copy) */
static GMimeMessage *
job_parse(struct mime_job *job, GByteArray *ba)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(ba);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeParserOptions *opts = g_mime_parser_options_new();
	GMimeMessage *m;

	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
	g_mime_parser_set_persist_stream(parser, TRUE);
	g_mime_parser_options_set_warning_callback(opts, job_warning, job);
	m = g_mime_parser_construct_message(parser, opts);
	g_mime_parser_options_free(opts);
	g_object_unref(parser);
	g_object_unref(stream);
	return m;
}

/* job_parse_walk - the parse, the walk, then the parts */
static enum cal_status
job_parse_walk(struct mime_job *job)
{
	GByteArray *ba = g_byte_array_new_take((guint8 *)(uintptr_t)job->msg,
	    job->len);
	struct mime_walk w;
	enum cal_status st;

	memset(&w, 0, sizeof(w));
	job->gm = job_parse(job, ba);
	if (job->gm == NULL)
		st = job_verdict(job, CAL_MALFORMED, MIME_REASON_MALFORMED,
		    "GMime cannot parse the message");
	else if (mime_walk(&w, job->gm, job->pol) != 0)
		st = job_verdict(job, CAL_ERROR, MIME_REASON_ERROR, "walk");
	else if (w.is_signed)
		st = job_verdict(job, CAL_SKIPPED, MIME_REASON_SIGNED,
		    "signed or encrypted content (N-1)");
	else if (w.limit)
		st = job_verdict(job, CAL_LIMIT, MIME_REASON_LIMIT, w.detail);
	else if (w.n == 0)
		st = job_verdict(job, CAL_UNCHANGED, MIME_REASON_NO_PARTS, NULL);
	else {
		mime_ambiguity_bounds(job, w.bounds);
		job_context(job, job->gm);
		st = job_parts(job, &w);
	}
	mime_walk_free(&w);
	if (job->gm != NULL)
		g_object_unref(job->gm);
	job->gm = NULL;
	g_byte_array_free(ba, FALSE);	/* the bytes are the caller's */
	return st;
}

/* job_auth - every DKIM-Signature and Authentication-Results field */
static void
job_auth(struct mime_job *job)
{
	const struct mime_field *fl;
	char *v;
	size_t i;

	job->auth = mime_auth_new(job->pol->trusted_authserv_ids);
	for (i = 0; i < job->top.n; i++) {
		fl = &job->top.v[i];
		if (!mime_field_is(job->msg, fl, "DKIM-Signature") &&
		    !mime_field_is(job->msg, fl, "Authentication-Results"))
			continue;
		v = mime_field_value(job->msg, fl);
		if (v == NULL)
			continue;
		if (mime_field_is(job->msg, fl, "DKIM-Signature"))
			(void)mime_auth_add_dkim(job->auth, v);
		else
			(void)mime_auth_add_ar(job->auth, v);
		free(v);
	}
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
	mime_auth_free(job->auth);
	mime_fields_free(&job->top);
}

/* job_start - after the header block: DKIM decides, then the parse */
static enum cal_status
job_start(struct mime_job *job)
{
	const char *why = NULL;

	job_auth(job);
	if (mime_auth_signed(job->auth) &&
	    !mime_auth_decide(job->auth, job->pol, &why))
		return job_verdict(job, CAL_SKIPPED, MIME_REASON_DKIM, why);
	job->body = job->top.end;
	return job_parse_walk(job);
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
	job.eol = mime_detect_eol(msg, len);
	job.splices = g_array_new(FALSE, FALSE, sizeof(struct mime_splice));
	if (mime_fields_parse(&job.top, msg, len, 0) != 0)
		st = job_verdict(&job, CAL_MALFORMED, MIME_REASON_MALFORMED,
		    "the header block does not parse");
	else
		st = job_start(&job);
	job_free(&job);
	return st;
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
