/*
 * cal_ident.c - who and what an object is about: its UID, its ORGANIZER
 * (and SENT-BY) and its ATTENDEEs, read from the object as it leaves
 *
 * The MIME layer needs them and must not parse iCalendar itself: two parts
 * with the same UID are copies of one object (R-MIME-6), and an attached
 * invitation is promoted only when the message comes from its organizer,
 * or for a REPLY from its one attendee (R-MIME-4). Every component of the
 * calendar counts (a series and its exceptions repeat the same people).
 * Counts of distinct values stop at 2, "two or more". Addresses are
 * compared without the mailto: scheme and without case.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cal_int.h"

/* struct ident_acc - distinct values seen so far, for one property */
struct ident_acc {
	char		*first;		/* first value seen (owned) */
	unsigned	 n;		/* distinct values */
	int		 oom;
};

/* ident_addr - "mailto:A@B" as "a@b" (transfer full); other URIs as they are */
static char *
ident_addr(const char *uri)
{
	char *a, *p;

	if (uri == NULL)
		return NULL;
	if (strncasecmp(uri, "mailto:", 7) == 0)
		uri += 7;
	a = strdup(uri);
	for (p = a; p != NULL && *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return a;
}

/*
 * ident_note - count v among the distinct values (steals v). Only two are
 * told apart: first, and "another one"; more than that is not needed.
 */
static void
ident_note(struct ident_acc *acc, char *v, int addr)
{
	if (v == NULL) {
		acc->oom = 1;
		return;
	}
	if (acc->first == NULL) {
		acc->first = v;
		acc->n = 1;
		return;
	}
	if ((addr ? strcasecmp(acc->first, v) : strcmp(acc->first, v)) != 0 &&
	    acc->n < 2)
		acc->n = 2;
	free(v);
}

struct ident_walk {
	struct ident_acc	 uid;
	struct ident_acc	 org;
	struct ident_acc	 sentby;
	struct ident_acc	 att;
};

/* ident_prop - one property of a component */
static void
ident_prop(struct ident_walk *w, const struct cal_prop *p)
{
	char *sb;

	if (cal_streq(p->name, "UID"))
		ident_note(&w->uid, strdup(p->value), 0);
	else if (cal_streq(p->name, "ATTENDEE"))
		ident_note(&w->att, ident_addr(p->value), 1);
	else if (cal_streq(p->name, "ORGANIZER")) {
		ident_note(&w->org, ident_addr(p->value), 1);
		sb = cal_param_get(p, "SENT-BY");
		if (sb != NULL)
			ident_note(&w->sentby, ident_addr(sb), 1);
		free(sb);
	}
}

/*
 * ident_comps - the properties of every component of the calendar (VEVENT,
 * VTODO, ...), not of the components inside them: an e-mail VALARM has
 * ATTENDEEs of its own, who are not invited
 */
static void
ident_comps(struct ident_walk *w, const struct cal_comp *cal)
{
	const struct cal_comp *c;
	size_t i, j;

	for (i = 0; i < cal->n; i++) {
		if (cal->items[i].type != CAL_ITEM_COMP)
			continue;
		c = cal->items[i].u.comp;
		for (j = 0; j < c->n; j++)
			if (c->items[j].type == CAL_ITEM_PROP)
				ident_prop(w, c->items[j].u.prop);
	}
}

/* ident_take - the value when it is the only one, else NULL; frees acc */
static char *
ident_take(struct ident_acc *acc, unsigned *n)
{
	char *v = acc->n == 1 ? acc->first : NULL;

	if (n != NULL)
		*n = acc->n;
	if (v == NULL)
		free(acc->first);
	return v;
}

int
cal_ident_fill(struct cal_ident *f, const struct cal_doc *doc)
{
	struct ident_walk w;
	const struct cal_comp *cal = cal_doc_calendar(doc);

	memset(f, 0, sizeof(*f));
	memset(&w, 0, sizeof(w));
	if (cal == NULL)
		return 0;
	ident_comps(&w, cal);
	f->uid = w.uid.first;	/* the first one even when others differ */
	f->nuids = w.uid.n;
	f->organizer = ident_take(&w.org, &f->norganizers);
	f->sent_by = ident_take(&w.sentby, NULL);
	f->attendee = ident_take(&w.att, &f->nattendees);
	if (w.uid.oom || w.org.oom || w.sentby.oom || w.att.oom) {
		cal_ident_free(f);
		return -1;
	}
	return 0;
}

void
cal_ident_free(struct cal_ident *f)
{
	if (f == NULL)
		return;
	free(f->uid);
	free(f->organizer);
	free(f->sent_by);
	free(f->attendee);
	memset(f, 0, sizeof(*f));
}
