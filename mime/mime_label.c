/*
 * mime_label.c - the labels of one part, and the edits that carry them
 *
 * A rewritten part gets charset=utf-8 and method= equal to its METHOD
 * (R-MIME-1; when they disagree the property wins, R-ITIP-2) and a 7-bit
 * safe transfer encoding (R-MIME-2). An unchanged text/calendar part gets
 * its method= aligned when it is missing or wrong. An attachment chosen by
 * mime_relabel.c becomes text/calendar (R-MIME-5). Nothing else of the
 * part moves: its other header fields keep their bytes and their order.
 *
 * Every label change is made by its rule, so the admin's switches apply
 * (mime_rules.c): a label that may not change is left; a rewrite that needs
 * it is given up, and the part keeps its bytes.
 *
 * Before: Content-Type: text/calendar; charset="UTF-8"; method=REQUEST
 *         (content: METHOD:PUBLISH, Latin-1 folded badly)
 * After:  Content-Type: text/calendar; charset=utf-8; method=PUBLISH
 *         Content-Transfer-Encoding: base64
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime_int.h"

/* struct label - what the part's header block gets */
struct label {
	const char	*method;	/* method= to write, "" to remove */
	const char	*charset;	/* charset= to write */
	char		*cte;		/* new C-T-E value, or NULL */
	enum mime_cte	 enc;		/* encoding of the new content */
	char		*disp;		/* a Content-Disposition to add */
	int		 relabel;	/* Content-Type becomes text/calendar */
};

/* label_method - R-MIME-1 / R-ITIP-2; -1 when the change may not be made */
static int
label_method(struct mime_job *job, const struct mime_item *it,
    struct label *lab)
{
	const struct mime_policy *pol = job->pol;
	struct cal_report *rep = &job->res->report;
	const char *want = it->out.method, *have = it->method;
	int ok;

	if (strcmp(it->type, "text/calendar") != 0 || it->c->encapsulated ||
	    !mime_item_is_ical(it) || strcmp(want, "?") == 0)
		return 0;
	if ((have == NULL && want[0] == '\0') ||
	    (have != NULL && strcmp(have, want) == 0))
		return 0;
	if (want[0] == '\0')
		ok = mime_rule_apply(pol, rep, "R-MIME-1", "removed method="
		    "%.30s: the object has no METHOD", have);
	else if (have == NULL)
		ok = mime_rule_apply(pol, rep, "R-MIME-1", "added method=%s to "
		    "the Content-Type", want);
	else if (strcasecmp(have, want) == 0)
		ok = mime_rule_apply(pol, rep, "R-MIME-1", "method=%.30s "
		    "written as %s", have, want);
	else
		ok = mime_rule_apply(pol, rep, "R-ITIP-2", "method=%.30s "
		    "disagreed with METHOD:%s; the property wins", have, want);
	if (!ok)
		return -1;
	lab->method = want;
	return 0;
}

/*
 * label_charset - a rewritten text part is UTF-8 (R-MIME-1 for
 * text/calendar, R-LEX-4 for the other text types). Other types carry no
 * charset: their undeclared content is read as UTF-8 already.
 */
static int
label_charset(struct mime_job *job, const struct mime_item *it,
    struct label *lab)
{
	const char *cs = it->charset;

	if (it->st != CAL_CHANGED || strncmp(it->type, "text/", 5) != 0 ||
	    (cs != NULL && strcasecmp(cs, "utf-8") == 0))
		return 0;
	if (!mime_rule_apply(job->pol, &job->res->report,
	    strcmp(it->type, "text/calendar") == 0 ? "R-MIME-1" : "R-LEX-4",
	    "charset=utf-8 (was %.30s)", cs != NULL ? cs : "not given"))
		return -1;
	lab->charset = "utf-8";
	return 0;
}

/* label_cte - R-MIME-2: the encoding of rewritten content */
static int
label_cte(struct mime_job *job, const struct mime_item *it, struct label *lab)
{
	lab->enc = it->cte;
	if (it->st != CAL_CHANGED)
		return 0;
	lab->enc = mime_cte_choose(it->cte, (const uint8_t *)it->out.data,
	    it->out.len);
	if (lab->enc == it->cte && (it->loc.icte >= 0 ||
	    lab->enc == MIME_CTE_7BIT))
		return 0;
	if (!mime_rule_apply(job->pol, &job->res->report, "R-MIME-2",
	    "Content-Transfer-Encoding %s -> %s", mime_cte_name(it->cte),
	    mime_cte_name(lab->enc)))
		return -1;
	lab->cte = g_strdup_printf(" %s", mime_cte_name(lab->enc));
	return 0;
}

/*
 * label_relabel - R-MIME-5: text/calendar; charset=utf-8 and method= of a
 * PUBLISH, with a disposition that says attachment. The content must be
 * UTF-8 as it leaves; the decision to try was mime_relabel.c's.
 */
static void
label_relabel(struct mime_job *job, const struct mime_item *it,
    struct label *lab)
{
	size_t len;
	const uint8_t *p = mime_item_content(it, &len);
	char *v;

	if (it->new_type == NULL)
		return;
	if (p == NULL || !g_utf8_validate((const char *)p, (gssize)len,
	    NULL)) {
		cal_report_add(&job->res->report, "R-MIME-5", CAL_REPORT,
		    "%s attachment not relabelled: its content is not UTF-8",
		    it->type);
		return;
	}
	if (!mime_rule_apply(job->pol, &job->res->report, "R-MIME-5",
	    "%s attachment labelled text/calendar; charset=utf-8%s%s%s",
	    it->type, it->out.method[0] != '\0' ? "; method=" : "",
	    it->out.method, it->add_disp ? ", Content-Disposition: "
	    "attachment added" : ""))
		return;
	lab->relabel = 1;
	lab->charset = "utf-8";
	lab->method = it->out.method[0] != '\0' ? it->out.method
	    : (it->method != NULL ? "" : NULL);
	if (it->add_disp) {
		v = mime_attachment_disp(it->ctype);
		lab->disp = mime_header_fold("Content-Disposition", v);
		g_free(v);
	}
}

/* label_ctype - the new Content-Type value, folded, or NULL */
static char *
label_ctype(const struct mime_item *it, const struct label *lab)
{
	const char *params = it->ctype != NULL ? strchr(it->ctype, ';') : NULL;
	char *base, *v, *folded;

	if (lab->method == NULL && lab->charset == NULL && !lab->relabel)
		return NULL;
	if (it->ctype == NULL && !lab->relabel)
		return NULL;	/* nothing to edit: mime_part_emit decides */
	base = lab->relabel ? g_strconcat("text/calendar",
	    params != NULL ? params : "", NULL) : g_strdup(it->ctype);
	v = mime_ctype_edit(base, lab->charset, lab->method);
	folded = mime_header_fold("Content-Type", v);
	g_free(base);
	g_free(v);
	return folded;
}

/* append_eolized - a header value with "\n" folds, in the message's ends */
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

void
mime_append_field(GByteArray *out, const char *name, const char *value,
    const char *eol)
{
	g_byte_array_append(out, (const guint8 *)name, (guint)strlen(name));
	g_byte_array_append(out, (const guint8 *)":", 1);
	append_eolized(out, value, eol);
	append_eolized(out, "\n", eol);
}

/* header_block - the part's header block with its labels replaced */
static GByteArray *
header_block(const struct mime_job *job, const struct mime_loc *l,
    const char *ct, const struct label *lab)
{
	GByteArray *out = g_byte_array_new();
	const struct mime_field *fl;
	size_t i, tail = l->hstart;

	for (i = 0; i < l->f.n; i++) {
		fl = &l->f.v[i];
		if ((int)i == l->ict && ct != NULL)
			mime_append_field(out, "Content-Type", ct, job->eol);
		else if ((int)i == l->icte && lab->cte != NULL)
			mime_append_field(out, "Content-Transfer-Encoding",
			    lab->cte, job->eol);
		else
			g_byte_array_append(out, job->msg + fl->start,
			    (guint)(fl->next - fl->start));
		if ((int)i == l->ict && lab->cte != NULL && l->icte < 0)
			mime_append_field(out, "Content-Transfer-Encoding",
			    lab->cte, job->eol);
		tail = fl->next;
	}
	if (lab->disp != NULL)
		mime_append_field(out, "Content-Disposition", lab->disp,
		    job->eol);
	g_byte_array_append(out, job->msg + tail, (guint)(l->cstart - tail));
	return out;
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

/* label_emit - the labels and content become a splice or top edits */
static void
label_emit(struct mime_job *job, struct mime_item *it, char *ct,
    struct label *lab)
{
	const struct mime_loc *l = &it->loc;
	GByteArray *body = NULL, *block;

	if (it->st == CAL_CHANGED) {
		body = mime_encode((const uint8_t *)it->out.data, it->out.len,
		    lab->enc, job->eol);
		if (it->eol_added && lab->enc != MIME_CTE_BASE64)
			strip_eol(body);	/* the boundary brings it back */
	}
	it->changed = 1;
	if (l->fp == &job->top) {
		if (body != NULL)
			mime_job_splice(job, l->cstart, l->cend, body);
		job->top_ctype = ct;
		job->top_cte = g_steal_pointer(&lab->cte);
		return;
	}
	block = header_block(job, l, ct, lab);
	if (body != NULL) {
		g_byte_array_append(block, body->data, body->len);
		g_byte_array_unref(body);
	}
	mime_job_splice(job, l->hstart, body != NULL ? l->cend : l->cstart,
	    block);
	g_free(ct);
}

/* label_give_up - a rewrite whose label may not change: keep the bytes */
static void
label_give_up(struct mime_job *job, struct mime_item *it)
{
	cal_report_withdraw(&job->res->report, it->first, it->first_fix);
	cal_report_add(&job->res->report, "N-10", CAL_REPORT, "left as it "
	    "is: the rewrite needs a label change whose rule is switched off "
	    "or to report only");
	free(it->out.data);
	it->out.data = NULL;
	it->out.len = 0;
	it->st = CAL_UNCHANGED;
}

enum cal_status
mime_part_emit(struct mime_job *job, struct mime_item *it)
{
	struct label lab;
	int blocked;
	char *ct;

	if (it->st != CAL_CHANGED && it->st != CAL_UNCHANGED)
		return it->st;
	memset(&lab, 0, sizeof(lab));
	mime_item_where(job, it);
	blocked = label_method(job, it, &lab) | label_charset(job, it, &lab);
	blocked |= label_cte(job, it, &lab);
	if (blocked && it->st == CAL_CHANGED) {
		label_give_up(job, it);
		g_free(lab.cte);
		cal_report_set_where(&job->res->report, "");
		return it->st;
	}
	label_relabel(job, it, &lab);
	ct = label_ctype(it, &lab);
	if (ct == NULL && lab.cte == NULL && lab.disp == NULL &&
	    it->st != CAL_CHANGED) {
		cal_report_set_where(&job->res->report, "");
		return it->st;
	}
	if (it->loc.ict < 0) {
		cal_report_add(&job->res->report, "PARSE", CAL_REPORT, "no "
		    "Content-Type to label the rewrite; left as it is");
		g_free(ct);
		g_free(lab.cte);
		g_free(lab.disp);
		cal_report_set_where(&job->res->report, "");
		return CAL_SKIPPED;
	}
	label_emit(job, it, ct, &lab);
	g_free(lab.cte);
	g_free(lab.disp);
	cal_report_set_where(&job->res->report, "");
	return CAL_CHANGED;
}
