/*
 * mime_copies.c - R-MIME-6: copies of one calendar stay identical
 *
 * Google sends every invitation twice: an inline text/calendar and an
 * application/ics attachment invite.ics with the same bytes; the
 * CalConnect layout does the same. Both are normalized with the same
 * rules, and since the core is deterministic they end identical when they
 * start identical and see the same context. The one thing of the context
 * that differs between them is the MIME method= parameter, which only a
 * text/calendar has: identical copies all get the text/calendar's (when
 * the text/calendar copies agree on it), so that a METHOD-less object
 * cannot become a REQUEST in one copy and a PUBLISH in the other.
 *
 * Copies that differ from the start (same UID, other content lines; folds
 * do not count) are not made alike: neither overwrites the other, and the
 * difference is reported.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mime_int.h"

/* copies_charset - the charset the bytes are read in; UTF-8 by default */
static const char *
copies_charset(const struct mime_item *it)
{
	const char *c = it->charset;

	if (c == NULL || g_ascii_strcasecmp(c, "utf-8") == 0 ||
	    g_ascii_strcasecmp(c, "utf8") == 0 ||
	    g_ascii_strcasecmp(c, "us-ascii") == 0)
		return "utf-8";
	return c;
}

/* copies_identical - the same bytes in the same charset and scope */
static int
copies_identical(const struct mime_item *a, const struct mime_item *b)
{
	return a->st == CAL_UNCHANGED && b->st == CAL_UNCHANGED &&
	    a->c->scope == b->c->scope &&
	    a->c->encapsulated == b->c->encapsulated &&
	    a->decoded->len == b->decoded->len &&
	    memcmp(a->decoded->data, b->decoded->data, a->decoded->len) == 0 &&
	    g_ascii_strcasecmp(copies_charset(a), copies_charset(b)) == 0;
}

/*
 * copies_method - the method= the copies identical to v[h] share: that of
 * their text/calendar members when these agree, else none
 */
static const char *
copies_method(const struct mime_item *v, size_t n, size_t h)
{
	const char *m = NULL;
	size_t i;

	for (i = h; i < n; i++) {
		if ((i != h && !copies_identical(&v[h], &v[i])) ||
		    strcmp(v[i].type, "text/calendar") != 0 ||
		    v[i].method == NULL)
			continue;
		if (m != NULL && g_ascii_strcasecmp(m, v[i].method) != 0)
			return NULL;
		m = v[i].method;
	}
	return m;
}

/* copies_head - index of the first copy identical to v[i] (i itself when
 * it is the first) */
static size_t
copies_head(const struct mime_item *v, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (copies_identical(&v[j], &v[i]))
			return j;
	return i;
}

/* copies_give - it gets method m of the copies identical to head */
static void
copies_give(struct mime_item *it, struct mime_item *head, const char *m)
{
	if (m != NULL && (it->ctx_method == NULL ||
	    g_ascii_strcasecmp(m, it->ctx_method) != 0))
		it->shared = head;
	it->ctx_method = m;
}

void
mime_copies_share(struct mime_job *job, struct mime_item *v, size_t n)
{
	const char *m;
	size_t i, h;

	if (mime_rule_mode(job->pol, "R-MIME-6") != MIME_RULE_ON)
		return;
	for (i = 0; i < n; i++) {
		if (v[i].st != CAL_UNCHANGED || (h = copies_head(v, i)) == i)
			continue;
		m = copies_method(v, n, h);
		copies_give(&v[h], &v[h], m);
		copies_give(&v[i], &v[h], m);
	}
}

/* unfolded_next - the next byte of p[*i..n) with folds (a line end and one
 * blank) left out, or -1 at the end */
static int
unfolded_next(const uint8_t *p, size_t n, size_t *i)
{
	for (;;) {
		if (*i + 2 < n && p[*i] == '\r' && p[*i + 1] == '\n' &&
		    (p[*i + 2] == ' ' || p[*i + 2] == '\t'))
			*i += 3;
		else if (*i + 1 < n && p[*i] == '\n' &&
		    (p[*i + 1] == ' ' || p[*i + 1] == '\t'))
			*i += 2;
		else
			break;
	}
	return *i < n ? p[(*i)++] : -1;
}

int
mime_copies_equal(const struct mime_item *a, const struct mime_item *b)
{
	const uint8_t *p, *q;
	size_t pl, ql, i = 0, j = 0;
	int x, y;

	p = mime_item_content(a, &pl);
	q = mime_item_content(b, &ql);
	if (p == NULL || q == NULL)
		return 0;
	do {
		x = unfolded_next(p, pl, &i);
		y = unfolded_next(q, ql, &j);
	} while (x == y && x != -1);
	return x == y;
}

/* copies_differ - same UID in the same message, other content */
static int
copies_differ(const struct mime_item *a, const struct mime_item *b)
{
	if (!mime_item_is_ical(a) || !mime_item_is_ical(b) ||
	    a->c->scope != b->c->scope || a->out.ident.uid == NULL ||
	    b->out.ident.uid == NULL ||
	    strcmp(a->out.ident.uid, b->out.ident.uid) != 0)
		return 0;
	return !mime_copies_equal(a, b);
}

/*
 * copies_note - a copy's METHOD came from the method= of another part (the
 * core added it, R-ITIP-1, from the context it was given): say so
 */
static void
copies_note(struct mime_job *job, const struct mime_item *it)
{
	const struct cal_report *rep = &job->res->report;
	size_t k;

	for (k = it->first; it->shared != NULL && k < it->last &&
	    k < rep->n; k++) {
		if (rep->v[k].kind != CAL_FIX ||
		    strcmp(rep->v[k].rule, "R-ITIP-1") != 0)
			continue;
		cal_report_add(&job->res->report, "R-MIME-6", CAL_REPORT,
		    "part %s: its METHOD came from method=%.30s of part %s, "
		    "a copy of it, so that both end identical", it->c->path,
		    it->ctx_method, it->shared->c->path);
		return;
	}
}

void
mime_copies_check(struct mime_job *job, const struct mime_item *v, size_t n)
{
	size_t i, j;

	if (mime_rule_mode(job->pol, "R-MIME-6") == MIME_RULE_OFF)
		return;
	for (i = 0; i < n; i++)
		copies_note(job, &v[i]);
	for (j = 1; j < n; j++) {
		for (i = 0; i < j; i++) {
			if (!copies_differ(&v[i], &v[j]))
				continue;
			cal_report_add(&job->res->report, "R-MIME-6",
			    CAL_REPORT, "parts %s and %s carry the same "
			    "object (UID %.60s) with different content; "
			    "neither overwrites the other", v[i].c->path,
			    v[j].c->path, v[j].out.ident.uid);
			break;
		}
	}
}
