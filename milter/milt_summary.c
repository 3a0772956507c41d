/*
 * milt_summary.c - the log lines of one message
 *
 * Every message that reaches eom, or is let go early because of a limit or
 * an error, gets exactly one info line, keyed by the queue id so that
 * `grep QID /var/log/mail.log` tells the whole story:
 *
 *   4Xk3pQ1: action=changed parts=1 changed=1 rules=R-A,R-B
 *       outcome=normalized size=1834 ms=3 msgid=<...>
 *   4Xk3pR9: action=unchanged parts=1 changed=0 reason=malformed
 *       detail="..." outcome=malformed size=912 ms=1 msgid=<...>
 *   4Xk3pS2: action=unchanged fast=plain outcome=fastpath size=640 ms=0
 *       msgid=<...>
 *
 * outcome= is the word the statistics count it under (milt_stats.h). The
 * line holds no calendar content and no address: those appear only at
 * LogLevel debug, where each finding gets a line of its own. In Mode
 * report, each change rewrite would make gets an info line ("would:")
 * naming its rule, its part and line, and each header edit by name. Text
 * that comes from the message is sanitized (log_sane) before it is
 * written.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "milt.h"
#include "../mime/mime.h"

struct milt_line {
	char buf[2048];
	size_t len;
};

static void milt_line_add(struct milt_line *l, const char *fmt, ...)
    LOG_PRINTF(2, 3);

/* milt_line_add - append to the line; past its end, text is cut */
static void
milt_line_add(struct milt_line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len + 1 >= sizeof(l->buf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	l->len += (size_t)n;
	if (l->len >= sizeof(l->buf))
		l->len = sizeof(l->buf) - 1;
}

/* milt_msg_name - the queue id as far as it is known */
static const char *
milt_msg_name(const struct milt_msg *msg)
{
	return msg->qid[0] != '\0' ? msg->qid : "NOQUEUE";
}

/* milt_line_tail - the fields every summary line ends with */
static void
milt_line_tail(struct milt_line *l, const struct milt_msg *msg)
{
	if (msg->msgid[0] != '\0')
		milt_line_add(l, " msgid=%s", msg->msgid);
}

/* milt_line_why - reason= and detail=, ours or the result's */
static void
milt_line_why(struct milt_line *l, const struct milt_outcome *out,
              const struct mime_result *res)
{
	const char *reason = out->reason, *detail = out->detail;
	char sane[LOG_SANE_MAX + 4];

	if (reason == NULL && res->reason != MIME_REASON_NONE)
		reason = mime_reason_name(res->reason);
	if (detail == NULL && res->detail[0] != '\0')
		detail = res->detail;
	if (reason != NULL)
		milt_line_add(l, " reason=%s", reason);
	if (detail != NULL)
		milt_line_add(l, " detail=\"%s\"",
		              log_sane(sane, sizeof(sane), detail, (size_t)-1));
}

/* milt_has_reports - any detection (a finding that changed nothing)? */
static int
milt_has_reports(const struct cal_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		if (rep->v[i].kind == CAL_REPORT)
			return 1;
	return 0;
}

/* milt_outcome_by_reason - the outcome a reason alone decides, or -1 */
static int
milt_outcome_by_reason(const char *reason, enum mime_reason r)
{
	if (reason != NULL && strcmp(reason, "limit") == 0)
		return MILT_OUT_LIMIT;
	if (reason != NULL && strcmp(reason, "mta") != 0)
		return MILT_OUT_ERROR; /* worker, poisoned, busy, edit... */
	switch (r) {
	case MIME_REASON_SIGNED:
		return MILT_OUT_SIGNED;
	case MIME_REASON_DKIM:
		return MILT_OUT_DKIM;
	case MIME_REASON_LIMIT:
		return MILT_OUT_LIMIT;
	case MIME_REASON_MALFORMED:
		return MILT_OUT_MALFORMED;
	case MIME_REASON_ERROR:
		return MILT_OUT_ERROR;
	default:
		return -1;
	}
}

enum milt_outcome_kind
milt_outcome_classify(const struct milt_outcome *out,
                      const struct mime_result *res)
{
	int k;

	if (strcmp(out->action, "changed") == 0)
		return MILT_OUT_NORMALIZED;
	if (strcmp(out->action, "report") == 0)
		return MILT_OUT_REPORT;
	if (strcmp(out->action, "tempfail") == 0 && out->reason != NULL)
		return MILT_OUT_ERROR; /* a failed edit */
	k = milt_outcome_by_reason(out->reason, res->reason);
	if (k >= 0)
		return (enum milt_outcome_kind)k;
	if (milt_has_reports(&res->report))
		return MILT_OUT_REPORT;
	return MILT_OUT_UNTOUCHED;
}

void
milt_log_summary(const struct milt_msg *msg, const struct milt_outcome *out,
                 const struct mime_result *res, long ms)
{
	struct milt_line l = {.len = 0};
	char *rules;

	milt_line_add(&l, "%s: action=%s parts=%u changed=%u",
	              milt_msg_name(msg), out->action, res->parts_seen,
	              res->parts_changed);
	rules = cal_report_rules(&res->report, CAL_FIX);
	if (rules != NULL && rules[0] != '\0')
		milt_line_add(&l, " rules=%s", rules);
	free(rules);
	milt_line_why(&l, out, res);
	milt_line_add(&l, " outcome=%s size=%zu ms=%ld",
	              milt_outcome_name(out->kind), msg->len, ms);
	milt_line_tail(&l, msg);
	log_info("%s", l.buf);
}

void
milt_log_findings(const struct milt_msg *msg, const struct cal_report *rep)
{
	char rule[sizeof(rep->v[0].rule) + 1], text[LOG_SANE_MAX + 4];
	size_t i;

	if (!log_level_enabled(LOG_DEBUG))
		return;
	for (i = 0; i < rep->n; i++) {
		log_sane(rule, sizeof(rule), rep->v[i].rule,
		         strnlen(rep->v[i].rule, sizeof(rep->v[i].rule)));
		log_sane(text, sizeof(text),
		         rep->v[i].text != NULL ? rep->v[i].text : "",
		         (size_t)-1);
		log_debug("%s: finding=%s kind=%s text=\"%s\"",
		          milt_msg_name(msg), rule,
		          rep->v[i].kind == CAL_FIX ? "fix" : "report", text);
	}
	if (rep->dropped > 0)
		log_debug("%s: findings_dropped=%zu", milt_msg_name(msg),
		          rep->dropped);
}

/* milt_log_early - a message let go before eom: a limit or an error */
void
milt_log_early(const struct milt_msg *msg, enum cal_status st, sfsistat verdict)
{
	struct milt_line l = {.len = 0};

	milt_line_add(&l, "%s: action=%s", milt_msg_name(msg),
	              verdict == SMFIS_TEMPFAIL ? "tempfail" : "unchanged");
	if (st == CAL_LIMIT)
		milt_line_add(&l, " reason=%s limit=MaxMessageSize max=%zu",
		              mime_reason_name(MIME_REASON_LIMIT), msg->max);
	else
		milt_line_add(&l, " reason=%s detail=\"out of memory\"",
		              mime_reason_name(MIME_REASON_ERROR));
	milt_line_add(&l, " outcome=%s size=%zu",
	              milt_outcome_name(st == CAL_LIMIT ? MILT_OUT_LIMIT
	                                                : MILT_OUT_ERROR),
	              msg->len);
	milt_line_tail(&l, msg);
	log_info("%s", l.buf);
}

void
milt_log_let_go(const struct milt_msg *msg, enum milt_outcome_kind kind,
                const char *why)
{
	struct milt_line l = {.len = 0};

	milt_line_add(&l, "%s: action=unchanged %s outcome=%s size=%zu ms=0",
	              milt_msg_name(msg), why, milt_outcome_name(kind),
	              msg->len);
	milt_line_tail(&l, msg);
	log_info("%s", l.buf);
}

/* milt_log_would_edits - the header edits and the body, by name only */
static void
milt_log_would_edits(const struct milt_msg *msg, const struct mime_result *res)
{
	static const char *const ops[] = {"change", "delete", "add"};
	char name[LOG_SANE_MAX + 4];
	size_t i;

	for (i = 0; i < res->nedits; i++)
		log_info("%s: would: %s header %s #%u", milt_msg_name(msg),
		         (unsigned)res->edits[i].op < 3 ? ops[res->edits[i].op]
		                                        : "?",
		         log_sane(name, sizeof(name), res->edits[i].name,
		                  (size_t)-1),
		         res->edits[i].index);
	if (res->body != NULL)
		log_info("%s: would: replace the body (%zu bytes, %u part%s "
		         "changed)",
		         milt_msg_name(msg), res->body_len, res->parts_changed,
		         res->parts_changed == 1 ? "" : "s");
}

void
milt_log_would(const struct milt_msg *msg, const struct mime_result *res)
{
	const struct cal_report *rep = &res->report;
	char rule[sizeof(rep->v[0].rule) + 1], text[LOG_SANE_MAX + 4];
	size_t i;

	for (i = 0; i < rep->n; i++) {
		if (rep->v[i].kind != CAL_FIX)
			continue;
		log_sane(rule, sizeof(rule), rep->v[i].rule,
		         strnlen(rep->v[i].rule, sizeof(rep->v[i].rule)));
		log_sane(text, sizeof(text),
		         rep->v[i].text != NULL ? rep->v[i].text : "",
		         (size_t)-1);
		log_info("%s: would: rule=%s \"%s\"", milt_msg_name(msg), rule,
		         text);
	}
	milt_log_would_edits(msg, res);
}
