/*
 * mime_promote.c - R-MIME-4: an invitation that came only as an attachment
 * gets an inline copy, so that Outlook shows a meeting, not a file; and
 * R-MIME-8, the Content-Class header that says so
 *
 * Outlook treats only a text/calendar that is not an attachment as iMIP
 * ([MS-STANOICAL] 2.2.168, 2.2.174, 2.2.175); Exchange itself writes
 * multipart/alternative { text body, text/calendar } ([MS-OXCMAIL]). So
 * when the only copy of a REQUEST, CANCEL, REPLY or COUNTER is an
 * attachment (application/ics, a text/calendar with Content-Disposition:
 * attachment, anything named *.ics), a text/calendar; charset=utf-8;
 * method=X copy is added next to the text body:
 *
 *   before: multipart/mixed                after: multipart/mixed
 *             text/plain                            multipart/alternative
 *             application/ics invite.ics              text/plain      (same bytes)
 *                                                     text/calendar   (the copy)
 *                                                   application/ics invite.ics
 *
 * Where the copy goes, and how the structure changes around it, is
 * mime_reshape.c's. The attachment itself keeps its place, its headers and
 * its disposition; its content is what every calendar part gets (R-MIME-6
 * keeps both copies equal).
 *
 * Promotion makes a message actionable (Exchange puts a REQUEST in the
 * calendar, tentatively), so it must not help a forger: the From or
 * Sender address must be the ORGANIZER (or its SENT-BY) of a REQUEST or
 * CANCEL, or the one ATTENDEE of a REPLY or COUNTER; and when a trusted
 * Authentication-Results field is present, it must vouch for that
 * address's domain (DMARC, or aligned DKIM). Never promoted: PUBLISH and
 * calendars without METHOD (R-MIME-5), anything inside message/rfc822 or
 * multipart/report (R-MIME-7, N-12), signed mail (N-1), mail whose MIME a
 * reader may take two ways, several different invitations in one message.
 * A refused promotion is a finding.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mime_int.h"

static int
promote_method(const char *m)
{
	return strcmp(m, "REQUEST") == 0 || strcmp(m, "CANCEL") == 0 ||
	    strcmp(m, "REPLY") == 0 || strcmp(m, "COUNTER") == 0;
}

/* promote_report - a refused or impossible promotion is a finding */
static void
promote_report(struct mime_job *job, const struct mime_item *it,
    const char *why)
{
	cal_report_add(&job->res->report, "R-MIME-4", CAL_REPORT, "part %s: "
	    "%s invitation not promoted: %s", it->c->path, it->out.method,
	    why);
}

/* promote_is_candidate - an attached invitation of the message itself */
static int
promote_is_candidate(const struct mime_item *it)
{
	return it->c->scope == NULL && !it->c->encapsulated &&
	    mime_item_is_ical(it) && !mime_item_inline_calendar(it) &&
	    promote_method(it->out.method);
}

/* promote_inline_copy - an inline calendar of the message is the same
 * object as it (same UID; without UIDs, the same content) */
static int
promote_inline_copy(const struct mime_item *v, size_t n,
    const struct mime_item *it)
{
	const char *a = it->out.ident.uid, *b;
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i].c->scope != NULL || v[i].c->encapsulated ||
		    !mime_item_inline_calendar(&v[i]) ||
		    !mime_item_is_ical(&v[i]))
			continue;
		b = v[i].out.ident.uid;
		if ((a != NULL && b != NULL && strcmp(a, b) == 0) ||
		    mime_copies_equal(&v[i], it))
			return 1;
	}
	return 0;
}

/* promote_has_inline - the message has an inline text/calendar */
static int
promote_has_inline(const struct mime_item *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].c->scope == NULL && !v[i].c->encapsulated &&
		    mime_item_inline_calendar(&v[i]))
			return 1;
	return 0;
}

/*
 * promote_pick - the one attachment to copy, or NULL: nothing to do when
 * the message has an inline calendar (R-MIME-3), silently when that is a
 * copy of the attachment; refused when it carries different invitations
 */
static struct mime_item *
promote_pick(struct mime_job *job, struct mime_item *v, size_t n)
{
	struct mime_item *pick = NULL;
	int has_inline = promote_has_inline(v, n);
	size_t i;

	for (i = 0; i < n; i++) {
		if (!promote_is_candidate(&v[i]))
			continue;
		if (has_inline) {
			if (!promote_inline_copy(v, n, &v[i]))
				promote_report(job, &v[i], "the message has "
				    "an inline text/calendar already "
				    "(R-MIME-3)");
			return NULL;
		}
		if (pick != NULL && !mime_copies_equal(pick, &v[i])) {
			promote_report(job, &v[i], pick->out.ident.uid !=
			    NULL && v[i].out.ident.uid != NULL &&
			    strcmp(pick->out.ident.uid,
			    v[i].out.ident.uid) == 0 ? "its attached copies "
			    "differ (R-MIME-6)" : "the message carries more "
			    "than one attached invitation");
			return NULL;
		}
		if (pick == NULL)
			pick = &v[i];
	}
	if (pick != NULL && pick->out.ident.nuids != 1) {
		promote_report(job, pick, "it is not one object (one UID)");
		return NULL;
	}
	return pick;
}

/* addr_domain - the part after the last '@', or NULL */
static const char *
addr_domain(const char *a)
{
	const char *at = a != NULL ? strrchr(a, '@') : NULL;

	return at != NULL && at[1] != '\0' ? at + 1 : NULL;
}

/* guard_match - the message's From, else Sender, when it is who */
static const char *
guard_match(const struct mime_job *job, const char *who, int *is_from)
{
	if (who == NULL)
		return NULL;
	*is_from = 1;
	if (job->ctx.from_addr != NULL && strcmp(job->ctx.from_addr, who) == 0)
		return job->ctx.from_addr;
	*is_from = 0;
	if (job->ctx.sender_addr != NULL &&
	    strcmp(job->ctx.sender_addr, who) == 0)
		return job->ctx.sender_addr;
	return NULL;
}

/* promote_guard - may this message make the invitation actionable? */
static int
promote_guard(struct mime_job *job, const struct mime_item *it)
{
	const struct cal_ident *f = &it->out.ident;
	const char *who, *match = NULL;
	char why[320];
	int reply, from = 0;

	reply = strcmp(it->out.method, "REPLY") == 0 ||
	    strcmp(it->out.method, "COUNTER") == 0;
	who = reply ? (f->nattendees == 1 ? f->attendee : NULL)
		    : (f->norganizers == 1 ? f->organizer : NULL);
	match = guard_match(job, who, &from);
	if (match == NULL && !reply)
		match = guard_match(job, f->sent_by, &from);
	if (match == NULL) {
		snprintf(why, sizeof(why), "the message is from %.80s, not "
		    "from %s %.80s", job->ctx.from_addr != NULL ?
		    job->ctx.from_addr : "nobody", reply ? "its one ATTENDEE" :
		    "its ORGANIZER", who != NULL ? who : "(none or several)");
		promote_report(job, it, why);
		return 0;
	}
	if (mime_auth_trusted(job->auth) &&
	    !mime_auth_domain_ok(job->auth, addr_domain(match), from)) {
		snprintf(why, sizeof(why), "no trusted Authentication-Results "
		    "field passes %s for %.80s", from ? "DMARC or aligned DKIM"
		    : "aligned DKIM", match);
		promote_report(job, it, why);
		return 0;
	}
	return 1;
}

/* promote_copy - the new part: headers, empty line, content, line end */
static GByteArray *
promote_copy(const struct mime_job *job, const struct mime_item *it)
{
	GByteArray *out = g_byte_array_new(), *body;
	const uint8_t *p;
	enum mime_cte enc;
	size_t len;
	char *ct;

	p = mime_item_content(it, &len);
	enc = mime_cte_choose(MIME_CTE_7BIT, p, len);
	ct = g_strdup_printf(" text/calendar; charset=utf-8; method=%s",
	    it->out.method);
	mime_append_field(out, "Content-Type", ct, job->eol);
	mime_append_field(out, "Content-Transfer-Encoding",
	    enc == MIME_CTE_7BIT ? " 7bit" : " base64", job->eol);
	g_byte_array_append(out, (const guint8 *)job->eol,
	    (guint)strlen(job->eol));
	body = mime_encode(p, len, enc, job->eol);
	g_byte_array_append(out, body->data, body->len);
	g_byte_array_unref(body);
	g_free(ct);
	return out;
}

/* promote_utf8 - the copy is labelled utf-8: its content must be so */
static int
promote_utf8(struct mime_job *job, const struct mime_item *it)
{
	size_t len;
	const uint8_t *p = mime_item_content(it, &len);

	if (p != NULL && g_utf8_validate((const char *)p, (gssize)len, NULL))
		return 1;
	promote_report(job, it, "its content is not UTF-8 (R-LEX-4 could "
	    "not tell its charset)");
	return 0;
}

enum cal_status
mime_promote(struct mime_job *job, struct mime_item *v, size_t n)
{
	struct mime_reshape rs;
	struct mime_item *it;
	enum cal_status st = CAL_UNCHANGED;
	const char *why = NULL;
	GByteArray *copy;

	if (!job->pol->promote_attached ||
	    mime_rule_mode(job->pol, "R-MIME-4") == MIME_RULE_OFF)
		return CAL_UNCHANGED;
	it = promote_pick(job, v, n);
	if (it == NULL || !promote_guard(job, it) || !promote_utf8(job, it))
		return CAL_UNCHANGED;
	if (mime_reshape_plan(job, v, n, it, &rs, &why) != 0) {
		promote_report(job, it, why);
		mime_reshape_free(&rs);
		return CAL_UNCHANGED;
	}
	mime_item_where(job, it);
	if (mime_rule_apply(job->pol, &job->res->report, "R-MIME-4", "added "
	    "an inline text/calendar; method=%s copy of this attachment (%s)",
	    it->out.method, mime_reshape_name(&rs))) {
		copy = promote_copy(job, it);
		mime_reshape_emit(job, &rs, copy);
		g_byte_array_unref(copy);
		st = CAL_CHANGED;
	}
	cal_report_set_where(&job->res->report, "");
	mime_reshape_free(&rs);
	return st;
}

void
mime_content_class(struct mime_job *job, const struct mime_item *v,
    size_t n, int promoted)
{
	size_t i;
	int found = promoted;

	for (i = 0; i < n && !found; i++)
		found = v[i].c->scope == NULL && !v[i].c->encapsulated &&
		    mime_item_is_ical(&v[i]) &&
		    mime_item_inline_calendar(&v[i]) &&
		    promote_method(v[i].out.method);
	if (!job->pol->content_class || !found ||
	    mime_fields_count(&job->top, job->msg, "Content-Class") > 0)
		return;
	if (job->auth != NULL && mime_auth_covers(job->auth, "Content-Class")) {
		cal_report_add(&job->res->report, "N-2", CAL_REPORT, "no "
		    "Content-Class added: the DKIM signature covers it");
		return;
	}
	if (mime_rule_apply(job->pol, &job->res->report, "R-MIME-8", "added "
	    "Content-Class: urn:content-classes:calendarmessage"))
		job->content_class = 1;
}
