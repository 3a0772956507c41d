/*
 * rule_method.c - R-ITIP-1: a calendar sent by mail has a METHOD
 *
 * 1. No METHOD, and the MIME part says method=X (a valid iTIP method):
 *    METHOD:X is added (Auto).
 * 2. No METHOD and no usable parameter: MissingMethod decides.
 *    publish: METHOD:PUBLISH, which changes nothing for Outlook (it reads a
 *      METHOD-less object as PUBLISH) and helps old versions.
 *    infer (default): METHOD:REQUEST only when ORGANIZER is present, at
 *      least one ATTENDEE differs from it, and the message's From or Sender
 *      is the ORGANIZER (or its SENT-BY); PUBLISH otherwise. REQUEST puts
 *      the meeting tentatively in the recipient's calendar, hence the checks.
 *    leave: nothing is added; reported.
 * When METHOD and the parameter disagree, the property wins (R-ITIP-2); the
 * MIME layer aligns the parameter. ADD, REFRESH and DECLINECOUNTER are not
 * processed by Exchange (R-ITIP-3): reported, never rewritten.
 *
 * Before: Content-Type: text/calendar; method=REQUEST   (no METHOD inside)
 * After:  ... VERSION:2.0 / METHOD:REQUEST / BEGIN:VEVENT ...
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cal_int.h"

static const char *const itip_methods[] = {
	"PUBLISH", "REQUEST", "REPLY", "ADD", "CANCEL", "REFRESH", "COUNTER",
	"DECLINECOUNTER", NULL
};

/* cal_method_valid - the canonical spelling of an iTIP method, or NULL */
static const char *
cal_method_canon(const char *m)
{
	size_t i;

	if (m == NULL)
		return NULL;
	for (i = 0; itip_methods[i] != NULL; i++)
		if (cal_streq(m, itip_methods[i]))
			return itip_methods[i];
	return NULL;
}

/* method_addr_eq - "mailto:A" (any case of the scheme) names address b */
static int
method_addr_eq(const char *uri, const char *b)
{
	if (uri == NULL || b == NULL || b[0] == '\0')
		return 0;
	if (strncasecmp(uri, "mailto:", 7) == 0)
		uri += 7;
	return strcasecmp(uri, b) == 0;
}

/* method_sender_is - is the message's From or Sender the address uri? */
static int
method_sender_is(const char *uri, const struct cal_context *ctx)
{
	return method_addr_eq(uri, ctx->from_addr) ||
	    method_addr_eq(uri, ctx->sender_addr);
}

/* method_looks_like_request - the strict "infer" test on one component */
static int
method_looks_like_request(const struct cal_comp *c,
    const struct cal_context *ctx)
{
	const struct cal_prop *org = cal_comp_prop(c, "ORGANIZER"), *p;
	char *sentby;
	int other = 0, sender;
	size_t i;

	if (org == NULL)
		return 0;
	for (i = 0; i < c->n; i++) {
		if (c->items[i].type != CAL_ITEM_PROP)
			continue;
		p = c->items[i].u.prop;
		if (cal_streq(p->name, "ATTENDEE") &&
		    strcasecmp(p->value, org->value) != 0)
			other = 1;
	}
	sentby = cal_param_get(org, "SENT-BY");
	sender = method_sender_is(org->value, ctx) ||
	    method_sender_is(sentby, ctx);
	free(sentby);
	return other && sender;
}

/* method_infer - REQUEST or PUBLISH for a METHOD-less calendar */
static const char *
method_infer(const struct cal_comp *cal, const struct cal_context *ctx)
{
	const struct cal_comp *c = cal_comp_child(cal, "VEVENT", 0);

	if (c == NULL)
		c = cal_comp_child(cal, "VTODO", 0);
	if (c != NULL && method_looks_like_request(c, ctx))
		return "REQUEST";
	return "PUBLISH";
}

static int
method_add(struct cal_comp *cal, const char *m, const struct cal_env *env,
    const char *why)
{
	struct cal_prop *p;

	p = cal_prop_new("METHOD", NULL, m);
	if (p == NULL ||
	    cal_comp_insert(cal, cal_comp_first_comp_index(cal), p) != 0) {
		cal_prop_free(p);
		return CAL_RULE_ERROR;
	}
	if (cal_report_add(env->rep, "R-ITIP-1", CAL_FIX, "added METHOD:%s "
	    "(%s)", m, why) != 0)
		return CAL_RULE_ERROR;
	return CAL_RULE_OK;
}

static int
method_check_existing(const struct cal_prop *m, const struct cal_env *env)
{
	const char *canon = cal_method_canon(m->value);

	if (canon == NULL)
		return cal_report_add(env->rep, "R-ITIP-1", CAL_REPORT,
		    "METHOD:%.30s is not an iTIP method", m->value);
	if (strcmp(canon, "ADD") == 0 || strcmp(canon, "REFRESH") == 0 ||
	    strcmp(canon, "DECLINECOUNTER") == 0)
		return cal_report_add(env->rep, "R-ITIP-3", CAL_REPORT,
		    "METHOD:%s is not processed by Exchange", canon);
	return 0;
}

int
rule_method(struct cal_doc *doc, const struct cal_env *env)
{
	struct cal_comp *cal = cal_doc_calendar(doc);
	const struct cal_prop *m;
	const char *param;

	if (cal == NULL)
		return CAL_RULE_OK;
	m = cal_comp_prop(cal, "METHOD");
	if (m != NULL)
		return method_check_existing(m, env) == 0 ? CAL_RULE_OK
							   : CAL_RULE_ERROR;
	param = cal_method_canon(env->ctx->mime_method);
	if (param != NULL)
		return method_add(cal, param, env, "from the MIME method= "
		    "parameter");
	switch (env->pol->missing_method) {
	case CAL_MISSING_METHOD_PUBLISH:
		return method_add(cal, "PUBLISH", env, "MissingMethod publish");
	case CAL_MISSING_METHOD_INFER:
		param = method_infer(cal, env->ctx);
		return method_add(cal, param, env, strcmp(param, "REQUEST") == 0
		    ? "MissingMethod infer: the sender is the organizer of a "
		      "meeting with attendees"
		    : "MissingMethod infer: not an invitation from its "
		      "organizer");
	case CAL_MISSING_METHOD_LEAVE:
	default:
		return cal_report_add(env->rep, "R-ITIP-1", CAL_REPORT,
		    "no METHOD (MissingMethod leave)") == 0 ? CAL_RULE_OK
							    : CAL_RULE_ERROR;
	}
}

/* cal_doc_method - METHOD of the calendar, canonical; "" when there is
 * none, "?" when it is not an iTIP method */
const char *
cal_doc_method(const struct cal_doc *doc)
{
	const struct cal_comp *cal = cal_doc_calendar(doc);
	const struct cal_prop *m;
	const char *canon;

	if (cal == NULL || (m = cal_comp_prop(cal, "METHOD")) == NULL)
		return "";
	canon = cal_method_canon(m->value);
	return canon != NULL ? canon : "?";
}
