/*
 * mime_relabel.c - R-MIME-5: PUBLISH and METHOD-less calendars stay
 * attachments, labelled as calendars
 *
 * A calendar without an invitation method is not an invitation: Outlook
 * imports a PUBLISH .ics file but cannot import PUBLISH from a MIME body
 * part ([MS-STANOICAL] 2.2.99, 2.2.175). So such a calendar attached as
 * application/octet-stream, application/ics or text/plain *.ics is
 * labelled text/calendar; charset=utf-8 (with method=PUBLISH when it has
 * the property) and keeps a disposition that says attachment; it is never
 * made inline. The type of a twin (the same object in another part,
 * R-MIME-6) is kept. An inline text/calendar PUBLISH is reported and left
 * where it is.
 *
 * Before: Content-Type: application/octet-stream; name=event.ics
 * After:  Content-Type: text/calendar; name=event.ics; charset=utf-8;
 *             method=PUBLISH
 *         Content-Disposition: attachment; filename=event.ics
 *
 * This file decides which parts; mime_label.c writes the labels (and
 * checks that the content is UTF-8 as it leaves).
 */
#include <stdio.h>
#include <string.h>

#include "mime_int.h"

static int
relabel_not_itip(const struct mime_item *it)
{
	return it->out.method[0] == '\0' ||
	    strcmp(it->out.method, "PUBLISH") == 0;
}

/* relabel_twin - another part of the message carries the same object */
static int
relabel_twin(const struct mime_item *v, size_t n, const struct mime_item *it)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (&v[i] != it && mime_item_is_ical(&v[i]) &&
		    v[i].c->scope == it->c->scope &&
		    v[i].out.ident.uid != NULL && it->out.ident.uid != NULL &&
		    strcmp(v[i].out.ident.uid, it->out.ident.uid) == 0)
			return 1;
	return 0;
}

/* relabel_wanted - an attachment of the message itself to label */
static int
relabel_wanted(const struct mime_item *v, size_t n, const struct mime_item *it)
{
	return it->c->scope == NULL && !it->c->encapsulated && !it->c->top &&
	    mime_item_is_ical(it) && relabel_not_itip(it) &&
	    strcmp(it->type, "text/calendar") != 0 && it->loc.ict >= 0 &&
	    (it->disp[0] == '\0' || strcmp(it->disp, "attachment") == 0) &&
	    !relabel_twin(v, n, it);
}

void
mime_relabel(struct mime_job *job, struct mime_item *v, size_t n)
{
	size_t i;

	if (mime_rule_mode(job->pol, "R-MIME-5") == MIME_RULE_OFF)
		return;
	for (i = 0; i < n; i++) {
		if (relabel_wanted(v, n, &v[i])) {
			v[i].new_type = g_strdup("text/calendar");
			v[i].add_disp = v[i].disp[0] == '\0';
		} else if (!v[i].c->encapsulated && mime_item_is_ical(&v[i]) &&
		    mime_item_inline_calendar(&v[i]) &&
		    relabel_not_itip(&v[i]))
			cal_report_add(&job->res->report, "R-MIME-5",
			    CAL_REPORT, "part %s: an inline text/calendar "
			    "%s left where it is", v[i].c->path,
			    v[i].out.method[0] != '\0' ? "PUBLISH"
						       : "without METHOD");
	}
}
