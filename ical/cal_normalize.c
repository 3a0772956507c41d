/*
 * cal_normalize.c - the pipeline of the core: detect, decode, parse, apply
 * the rules, write, check the meaning
 *
 * An object is rewritten only when a rule made a change (a CAL_FIX finding);
 * otherwise the caller keeps the original bytes (N-11). A rewrite is checked
 * against the input (N-4) before it is returned; when the check fails, every
 * change of this object is withdrawn (its findings become reports) and the
 * caller keeps the original bytes (N-10).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "cal_int.h"
#include "cal_tz.h"
#include "vc_int.h"

const char *
cal_status_name(enum cal_status st)
{
	static const char *const names[] = {
		"unchanged", "changed", "skipped", "malformed", "limit", "error"
	};

	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st]
							       : "?";
}

void
cal_policy_default(struct cal_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->missing_method = CAL_MISSING_METHOD_INFER;
	pol->repair_broken_lines = 1;
	pol->lexical_only = 0;
	pol->tzid_style = CAL_TZID_KEEP;
	pol->floating = CAL_FLOATING_FROM_CALENDAR;
	pol->unrepresentable = CAL_UNREPRESENTABLE_UTC_SINGLE;
	pol->all_day_zero_fix = 1;
	pol->all_day_hint = 1;
	pol->alarm_earliest_first = 0;
	pol->expand_recurrence = 0;
	pol->max_expand_instances = 100;
	pol->strip_override_rrule = 0;
	pol->add_organizer = 1;
	pol->use_email_param = 1;
	pol->vcard21_to30 = 1;
}

void
cal_limits_default(struct cal_limits *lim)
{
	lim->max_bytes = 10u << 20;
	lim->max_line = 10u << 20;
	lim->max_lines = 200000;
	lim->max_components = 20000;
	lim->max_instances = 100;
	lim->max_findings = 200;
	lim->max_expansion = 100000;
}

void
cal_context_init(struct cal_context *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->date = (time_t)-1;
	ctx->now = (time_t)-1;
}

void
cal_out_init(struct cal_out *out)
{
	memset(out, 0, sizeof(*out));
}

void
cal_out_free(struct cal_out *out)
{
	if (out == NULL)
		return;
	free(out->data);
	cal_ident_free(&out->ident);
	cal_out_init(out);
}

void
cal_init(void)
{
	icalerror_set_errors_are_fatal(0);
	cal_tzdb_load();
}

/* skip_bom_blank - past a UTF-8 BOM and leading white space */
static size_t
skip_bom_blank(const char *in, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (in[i] == ' ' || in[i] == '\t' || in[i] == '\r' ||
	    in[i] == '\n'))
		i++;
	return i;
}

/* detect_version - VERSION:1.0 among the first lines means vCalendar */
static enum cal_kind
detect_version(const char *in, size_t len)
{
	size_t i, lim = len < 4096 ? len : 4096;

	for (i = 0; i + 11 <= lim; i++) {
		if ((i == 0 || in[i - 1] == '\n' || in[i - 1] == '\r') &&
		    strncasecmp(in + i, "VERSION:1.0", 11) == 0)
			return CAL_KIND_VCAL;
	}
	return CAL_KIND_ICAL;
}

/* detect_utf16 - "B\0E\0" or "\0B\0E" after a UTF-16 BOM */
static enum cal_kind
detect_utf16(const char *in, size_t len)
{
	char ascii[64];
	size_t i, n = 0, lo;

	if (len < 4 || !((in[0] == '\xFF' && in[1] == '\xFE') ||
	    (in[0] == '\xFE' && in[1] == '\xFF')))
		return CAL_KIND_NONE;
	lo = in[0] == '\xFF' ? 0 : 1;
	for (i = 2; i + 1 < len && n < sizeof(ascii) - 1; i += 2)
		ascii[n++] = in[i + lo];
	ascii[n] = '\0';
	return cal_detect(ascii, n);
}

enum cal_kind
cal_detect(const char *in, size_t len)
{
	size_t i = skip_bom_blank(in, len);

	if (len - i >= 15 && strncasecmp(in + i, "BEGIN:VCALENDAR", 15) == 0)
		return detect_version(in + i, len - i);
	if (len - i >= 11 && strncasecmp(in + i, "BEGIN:VCARD", 11) == 0)
		return CAL_KIND_VCARD;
	return detect_utf16(in, len);
}

/* norm_other_kind - vCalendar 1.0 and vCard are not handled by this core yet */
static enum cal_status
norm_other_kind(enum cal_kind kind, struct cal_report *rep)
{
	if (kind == CAL_KIND_VCAL)
		cal_report_add(rep, "R-VCAL-1", CAL_REPORT, "vCalendar 1.0 "
		    "object left as it is (not converted by this version)");
	else if (kind == CAL_KIND_VCARD)
		cal_report_add(rep, "R-VC-1", CAL_REPORT, "vCard left as it is "
		    "(not normalized by this version)");
	else
		cal_report_add(rep, "PARSE", CAL_REPORT, "no BEGIN:VCALENDAR or "
		    "BEGIN:VCARD; left as it is");
	return kind == CAL_KIND_NONE ? CAL_MALFORMED : CAL_SKIPPED;
}

/* norm_write_check - serialize the edited tree and check its meaning */
static enum cal_status
norm_write_check(struct cal_out *out, const struct cal_doc *doc,
    const char *before, const struct cal_limits *lim, struct cal_report *rep)
{
	char why[300];
	size_t len;
	int over, same;

	out->data = cal_doc_write(doc, lim->max_bytes * 2 + 65536, &len, &over);
	if (out->data == NULL) {
		if (!over)
			return CAL_ERROR;
		cal_report_add(rep, "LIMIT", CAL_REPORT, "MaxPartSize (%zu): "
		    "the result would be over twice that; left as it is",
		    lim->max_bytes);
		return CAL_LIMIT;
	}
	out->len = len;
	same = cal_meaning_check_tz(before, out->data, lim, doc->allow, doc->tz,
	    rep, why, sizeof(why));
	if (same == 1)
		return CAL_CHANGED;
	if (same == -2)
		return CAL_ERROR;
	if (same == -3)
		return CAL_LIMIT;	/* the LIMIT finding says which */
	if (same == -1)
		return CAL_MALFORMED;	/* R-LEX-10 findings say why */
	cal_report_add(rep, "CHECK", CAL_REPORT, "the rewrite would change the "
	    "meaning (%s); all changes withdrawn", why);
	return CAL_MALFORMED;
}

/* norm_ical - the iCalendar pipeline on decoded text (steals text) */
static enum cal_status
norm_ical(struct cal_out *out, char *text, size_t len,
    const struct cal_lexinfo *lex, const struct cal_env *env)
{
	struct cal_doc *doc = NULL;
	enum cal_status st;
	char *before;
	int r;

	before = strdup(text);
	if (before == NULL) {
		free(text);
		return CAL_ERROR;
	}
	st = cal_doc_parse(&doc, text, len, lex, env->lim, env->rep);
	if (st != CAL_UNCHANGED)
		goto out;
	r = cal_rules_run(doc, env);
	snprintf(out->method, sizeof(out->method), "%s", cal_doc_method(doc));
	if (r == CAL_RULE_ERROR ||
	    (r == CAL_RULE_OK && cal_ident_fill(&out->ident, doc) != 0))
		st = CAL_ERROR;
	else if (r == CAL_RULE_LEAVE)
		st = CAL_SKIPPED;	/* a finding says why */
	else if (env->rep->nfix > env->first_fix)
		st = norm_write_check(out, doc, before, env->lim, env->rep);
out:
	cal_doc_free(doc);
	free(before);
	return st;
}

enum cal_status
cal_normalize(struct cal_out *out, const char *in, size_t len,
    const struct cal_context *ctx, const struct cal_policy *pol,
    const struct cal_limits *lim, struct cal_report *rep)
{
	struct cal_lexinfo lex;
	struct cal_env env = { ctx, pol, lim, rep, CAL_KIND_NONE, rep->n,
	    rep->nfix };
	enum cal_status st;
	size_t textlen;
	char *text;

	cal_out_init(out);
	if (len > lim->max_bytes) {
		cal_report_add(rep, "LIMIT", CAL_REPORT, "MaxPartSize (%zu): "
		    "object of %zu bytes; left as it is", lim->max_bytes, len);
		return CAL_LIMIT;
	}
	memset(&lex, 0, sizeof(lex));
	st = cal_decode(&text, &textlen, &lex, in, len, ctx->mime_charset, rep);
	if (st == CAL_UNCHANGED) {
		env.kind = out->kind = cal_detect(text, textlen);
		if (env.kind == CAL_KIND_ICAL)
			st = norm_ical(out, text, textlen, &lex, &env);
		else if (env.kind == CAL_KIND_VCARD)
			st = vc_normalize(out, text, textlen, &lex, &env);
		else {
			free(text);
			st = norm_other_kind(env.kind, rep);
		}
	}
	if (st != CAL_CHANGED && st != CAL_UNCHANGED)
		cal_ident_free(&out->ident);
	if (st == CAL_CHANGED)
		snprintf(out->charset, sizeof(out->charset), "utf-8");
	else {
		free(out->data);
		out->data = NULL;
		out->len = 0;
		cal_report_withdraw(rep, env.first, env.first_fix);
	}
	return st;
}
