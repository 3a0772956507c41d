/*
 * cal_lex.c - decoded text to the content-line tree (RFC 5545 section 3.1)
 *
 * Physical lines end in CRLF, LF or CR (R-LEX-2: all are accepted, CRLF is
 * written). A line that starts with SPACE or HTAB continues the previous one
 * and loses exactly that character (R-LEX-3). Each logical line keeps a
 * pointer to its original folded bytes so that an untouched line can be
 * written as it was when its folding is acceptable: every physical line at
 * most 75 octets and no UTF-8 sequence cut by a fold.
 *
 * A physical line that is not a content line, directly after a TEXT
 * property, is the rest of that value cut by a raw newline (R-LEX-5 b): it
 * is joined back with an escaped \n. Anything else that is not a content
 * line makes the object malformed; it is then left as it is.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cal_int.h"

struct cal_lexer {
	const char		*s;
	size_t			 len;
	size_t			 pos;
	unsigned		 lineno;	/* physical line of pos, 1-based */
	struct cal_lexinfo	*lex;
};

/* one logical line, as the lexer hands it to the tree builder */
struct cal_lline {
	struct cal_buf	 text;		/* unfolded */
	const char	*raw;
	size_t		 rawlen;
	unsigned	 line;
	int		 refold;
	int		 orphan;	/* began with white space */
};

/* lex_physical - next physical line; returns 0 at end of text */
static int
lex_physical(struct cal_lexer *lx, const char **line, size_t *n)
{
	size_t i = lx->pos;

	if (i >= lx->len)
		return 0;
	*line = lx->s + i;
	while (i < lx->len && lx->s[i] != '\r' && lx->s[i] != '\n')
		i++;
	*n = i - lx->pos;
	if (i + 1 < lx->len && lx->s[i] == '\r' && lx->s[i + 1] == '\n')
		i += 2;
	else if (i < lx->len) {
		i += 1;
		lx->lex->eol_fixed++;	/* bare LF or bare CR */
	} else
		lx->lex->eol_fixed++;	/* last line without CRLF */
	lx->pos = i;
	lx->lineno++;
	return 1;
}

static int
lex_is_fold(const struct cal_lexer *lx)
{
	return lx->pos < lx->len &&
	    (lx->s[lx->pos] == ' ' || lx->s[lx->pos] == '\t');
}

/* lex_segment_ok - may this physical segment stay as it is? */
static int
lex_segment_ok(const char *seg, size_t n, int continuation)
{
	if (n > CAL_FOLD_MAX)
		return 0;
	if (continuation && n > 1 && ((unsigned char)seg[1] & 0xC0) == 0x80)
		return 0;	/* the fold cut a UTF-8 sequence */
	return 1;
}

/*
 * lex_logical - next logical line into ll; skips empty lines (counted).
 * Returns 1, 0 at end of text, -1 on a limit or out of memory.
 */
static int
lex_logical(struct cal_lexer *lx, struct cal_lline *ll, size_t maxline)
{
	const char *p;
	size_t n;

	do {
		if (!lex_physical(lx, &p, &n))
			return 0;
		if (n == 0)
			lx->lex->blank_removed++;
	} while (n == 0);
	cal_buf_free(&ll->text);
	cal_buf_init(&ll->text, maxline);
	ll->raw = p;
	ll->line = lx->lineno;
	ll->orphan = (p[0] == ' ' || p[0] == '\t');
	ll->refold = !lex_segment_ok(p, n, 0);
	if (cal_buf_add(&ll->text, p, n) != 0)
		return -1;
	while (lex_is_fold(lx)) {
		lex_physical(lx, &p, &n);
		if (!lex_segment_ok(p, n, 1))
			ll->refold = 1;
		if (cal_buf_add(&ll->text, p + 1, n - 1) != 0)
			return -1;
	}
	ll->rawlen = (size_t)(p + n - ll->raw);
	return 1;
}

/*
 * lex_split - find the end of the name and the ':' that starts the value.
 * Returns 0 when l is not a content line.
 */
static int
lex_split(const char *l, size_t n, size_t *namelen, size_t *colon)
{
	size_t i = 0;
	int quoted = 0;

	while (i < n && (isalnum((unsigned char)l[i]) || l[i] == '-' ||
	    l[i] == '.' || l[i] == '_'))
		i++;
	if (i == 0 || i == n || (l[i] != ';' && l[i] != ':'))
		return 0;
	*namelen = i;
	for (; i < n; i++) {
		if (l[i] == '"')
			quoted = !quoted;
		else if (l[i] == ':' && !quoted)
			break;
	}
	if (i == n)
		return 0;
	*colon = i;
	return 1;
}

static struct cal_prop *
lex_prop(const struct cal_lline *ll, size_t namelen, size_t colon)
{
	struct cal_prop *p;
	const char *l = ll->text.p;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->name = strndup(l, namelen);
	p->params = strndup(l + namelen, colon - namelen);
	p->value = strdup(l + colon + 1);
	if (p->name == NULL || p->params == NULL || p->value == NULL) {
		cal_prop_free(p);
		return NULL;
	}
	p->raw = ll->raw;
	p->rawlen = ll->rawlen;
	p->line = ll->line;
	p->refold = ll->refold ? 1 : 0;
	return p;
}

/* lex_is_text_prop - properties whose value is free human text */
static int
lex_is_text_prop(const char *name)
{
	static const char *const text[] = {
		"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT",
		"X-ALT-DESC", "NOTE", NULL
	};
	size_t i;

	for (i = 0; text[i] != NULL; i++)
		if (cal_streq(name, text[i]))
			return 1;
	return 0;
}

/*
 * lex_looks_like_property - a damaged content line rather than cut-off text:
 * an upper-case name followed by ';', ':' or '=' (ORGANIZER="mailto:...",
 * DTSTART;TZID="a:b"). Such a line is never joined to the text before it.
 */
static int
lex_looks_like_property(const char *l, size_t n)
{
	size_t i = 0;

	while (i < n && (isupper((unsigned char)l[i]) ||
	    isdigit((unsigned char)l[i]) || l[i] == '-'))
		i++;
	return i >= 2 && i < n && (l[i] == ';' || l[i] == ':' || l[i] == '=');
}

/*
 * lex_is_known_name - names of RFC 5545 and RFC 7986 properties and
 * components, and the BEGIN/END keywords: a line with such a name is a
 * content line whatever its case
 */
static int
lex_is_known_name(const char *l, size_t n)
{
	static const char *const names[] = {
		"BEGIN", "END", "CALSCALE", "METHOD", "PRODID", "VERSION",
		"ATTACH", "CATEGORIES", "CLASS", "COMMENT", "DESCRIPTION", "GEO",
		"LOCATION", "PERCENT-COMPLETE", "PRIORITY", "RESOURCES",
		"STATUS", "SUMMARY", "COMPLETED", "DTEND", "DUE", "DTSTART",
		"DURATION", "FREEBUSY", "TRANSP", "TZID", "TZNAME",
		"TZOFFSETFROM", "TZOFFSETTO", "TZURL", "ATTENDEE", "CONTACT",
		"ORGANIZER", "RECURRENCE-ID", "RELATED-TO", "URL", "UID",
		"EXDATE", "EXRULE", "RDATE", "RRULE", "ACTION", "REPEAT",
		"TRIGGER", "CREATED", "DTSTAMP", "LAST-MODIFIED", "SEQUENCE",
		"REQUEST-STATUS", "NAME", "REFRESH-INTERVAL", "SOURCE", "COLOR",
		"IMAGE", "CONFERENCE", NULL
	};
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == n && strncasecmp(names[i], l, n) == 0)
			return 1;
	return n > 2 && strncasecmp(l, "X-", 2) == 0;
}

/*
 * lex_is_cut_text - R-LEX-5 b also covers a cut-off line that happens to
 * look like "name:value" ("https://...", "Join: ..."): its name is not a
 * property's and is not written in upper case as producers write names
 */
static int
lex_is_cut_text(const char *l, size_t namelen)
{
	size_t i;

	if (lex_is_known_name(l, namelen))
		return 0;
	for (i = 0; i < namelen; i++)
		if (islower((unsigned char)l[i]))
			return 1;
	return 0;
}

/*
 * struct cal_join - the value R-LEX-5 b is extending, its length and its
 * room: a value cut by thousands of raw newlines is joined in linear time
 * (copying it whole for each piece was quadratic: a 1 MB part of short
 * cut lines took minutes)
 */
struct cal_join {
	struct cal_prop	*prop;
	size_t		 len;
	size_t		 cap;
};

/* lex_join - R-LEX-5 b: append a cut-off line to the previous TEXT value */
static int
lex_join(struct cal_comp *c, const struct cal_lline *ll,
    struct cal_lexinfo *lex, struct cal_join *j)
{
	struct cal_prop *prev;
	size_t need, cap;
	char *v;

	if (c == NULL || c->n == 0 || c->items[c->n - 1].type != CAL_ITEM_PROP ||
	    lex_looks_like_property(ll->text.p, ll->text.len))
		return 0;
	prev = c->items[c->n - 1].u.prop;
	if (!lex_is_text_prop(prev->name))
		return 0;
	if (j->prop != prev) {
		j->prop = prev;
		j->len = strlen(prev->value);
		j->cap = j->len + 1;
	}
	need = j->len + 2 + ll->text.len + 1;
	if (need > j->cap) {
		cap = j->cap > need / 2 ? j->cap * 2 : need;
		if ((v = realloc(prev->value, cap)) == NULL)
			return -1;
		prev->value = v;
		j->cap = cap;
	}
	memcpy(prev->value + j->len, "\\n", 2);
	memcpy(prev->value + j->len + 2, ll->text.p, ll->text.len);
	j->len += 2 + ll->text.len;
	prev->value[j->len] = '\0';
	prev->raw = NULL;	/* the line is written anew */
	prev->rawlen = 0;
	lex->joined++;
	return 1;
}

/* lex_begin - BEGIN:NAME opens a component under c; returns it */
static struct cal_comp *
lex_begin(struct cal_comp *c, struct cal_prop *p)
{
	struct cal_comp *sub;
	size_t i, n = strcspn(p->value, " \t");

	sub = calloc(1, sizeof(*sub));
	if (sub == NULL || (sub->name = strndup(p->value, n)) == NULL) {
		free(sub);
		return NULL;
	}
	for (i = 0; sub->name[i] != '\0'; i++)
		sub->name[i] = (char)toupper((unsigned char)sub->name[i]);
	if (cal_comp_append_comp(c, sub) != 0) {
		free(sub->name);
		free(sub);
		return NULL;
	}
	sub->begin = p;
	return sub;
}

/* lex_end - END:NAME must close c */
static int
lex_end_matches(const struct cal_comp *c, const struct cal_prop *p)
{
	size_t n = strcspn(p->value, " \t");

	return c->name != NULL && strlen(c->name) == n &&
	    strncasecmp(c->name, p->value, n) == 0;
}

struct cal_build {
	struct cal_doc		*doc;
	struct cal_comp		*cur;
	const struct cal_limits	*lim;
	struct cal_report	*rep;
	struct cal_join		 join;
};

static enum cal_status
lex_open(struct cal_build *b, struct cal_prop *p)
{
	struct cal_comp *sub;

	if (b->doc->ncomps >= b->lim->max_components) {
		cal_prop_free(p);
		cal_report_add(b->rep, "LIMIT", CAL_REPORT, "MaxComponents "
		    "(%u): more components; left as it is",
		    b->lim->max_components);
		return CAL_LIMIT;
	}
	sub = lex_begin(b->cur, p);
	if (sub == NULL) {
		cal_prop_free(p);
		return CAL_ERROR;
	}
	b->doc->ncomps++;
	if (b->cur == &b->doc->root)
		b->doc->lex.objects++;
	b->cur = sub;
	return CAL_UNCHANGED;
}

static enum cal_status
lex_close(struct cal_build *b, struct cal_prop *p)
{
	if (b->cur == &b->doc->root || !lex_end_matches(b->cur, p)) {
		cal_report_add(b->rep, "R-LEX-5", CAL_REPORT, "line %u: "
		    "END:%.40s does not close %s; left as it is", p->line,
		    p->value, b->cur->name ? b->cur->name : "anything");
		cal_prop_free(p);
		return CAL_MALFORMED;
	}
	b->cur->end = p;
	b->cur = b->cur->parent;
	return CAL_UNCHANGED;
}

/* lex_content - a content line: BEGIN, END, or a property of the current
 * component */
static enum cal_status
lex_content(struct cal_build *b, const struct cal_lline *ll, size_t namelen,
    size_t colon)
{
	struct cal_prop *p;

	if ((p = lex_prop(ll, namelen, colon)) == NULL)
		return CAL_ERROR;
	b->doc->lex.lines++;
	if (cal_streq(p->name, "BEGIN"))
		return lex_open(b, p);
	if (cal_streq(p->name, "END"))
		return lex_close(b, p);
	if (b->cur == &b->doc->root) {
		cal_prop_free(p);
		cal_report_add(b->rep, "R-LEX-5", CAL_REPORT, "line %u: "
		    "property outside any component; left as it is", ll->line);
		return CAL_MALFORMED;
	}
	if (cal_comp_insert(b->cur, b->cur->n, p) != 0) {
		cal_prop_free(p);
		return CAL_ERROR;
	}
	return CAL_UNCHANGED;
}

/* lex_line - place one logical line in the tree */
static enum cal_status
lex_line(struct cal_build *b, const struct cal_lline *ll)
{
	size_t namelen = 0, colon = 0;
	int content, j;

	if (!cal_utf8_valid(ll->text.p, ll->text.len)) {
		cal_report_add(b->rep, "R-LEX-4", CAL_REPORT, "line %u is not "
		    "valid UTF-8 and no charset says what it is; left as it is "
		    "(FallbackCharset leave)", ll->line);
		return CAL_MALFORMED;
	}
	content = !ll->orphan &&
	    lex_split(ll->text.p, ll->text.len, &namelen, &colon);
	if (!content || lex_is_cut_text(ll->text.p, namelen)) {
		j = ll->orphan ? 0 : lex_join(b->cur, ll, &b->doc->lex,
		    &b->join);
		if (j != 0)
			return j > 0 ? CAL_UNCHANGED : CAL_ERROR;
		if (!content) {
			cal_report_add(b->rep, "R-LEX-5", CAL_REPORT, "line %u "
			    "is not a content line; left as it is", ll->line);
			return CAL_MALFORMED;
		}
	}
	return lex_content(b, ll, namelen, colon);
}

/* lex_finish - the tree must be closed and hold something */
static enum cal_status
lex_finish(struct cal_build *b, struct cal_lexer *lx)
{
	if (b->cur != &b->doc->root) {
		cal_report_add(b->rep, "R-LEX-5", CAL_REPORT, "%s is never "
		    "closed; left as it is", b->cur->name);
		return CAL_MALFORMED;
	}
	if (b->doc->root.n == 0) {
		cal_report_add(b->rep, "R-LEX-5", CAL_REPORT,
		    "no component found; left as it is");
		return CAL_MALFORMED;
	}
	(void)lx;
	return CAL_UNCHANGED;
}

/*
 * lex_trailing_blank - empty lines after the last END are outside the
 * object: they are not removed, only their line ends are made CRLF. Undo the
 * count lex_logical made for them.
 */
static void
lex_trailing_blank(struct cal_doc *doc, const char *s, size_t len)
{
	size_t i = len;
	unsigned n = 0;

	while (i > 0 && (s[i - 1] == '\r' || s[i - 1] == '\n')) {
		if (s[i - 1] == '\n' && i > 1 && s[i - 2] == '\r')
			i--;
		i--;
		n++;
	}
	/* n line ends: the last belongs to END, the others end empty lines */
	if (n > 1) {
		doc->trailer_blank = n - 1;
		if (doc->lex.blank_removed >= n - 1)
			doc->lex.blank_removed -= n - 1;
	}
}

enum cal_status
cal_doc_parse(struct cal_doc **out, char *text, size_t len,
    const struct cal_lexinfo *lex, const struct cal_limits *lim,
    struct cal_report *rep)
{
	struct cal_lexer lx = { text, len, 0, 0, NULL };
	struct cal_lline ll;
	struct cal_build b;
	struct cal_doc *doc;
	enum cal_status st = CAL_UNCHANGED;
	int r = 0;

	*out = NULL;
	doc = calloc(1, sizeof(*doc));
	if (doc == NULL) {
		free(text);
		return CAL_ERROR;
	}
	doc->text = text;
	doc->len = len;
	doc->lex = *lex;
	lx.lex = &doc->lex;
	b.doc = doc;
	b.cur = &doc->root;
	b.lim = lim;
	b.rep = rep;
	memset(&b.join, 0, sizeof(b.join));
	memset(&ll, 0, sizeof(ll));
	while (st == CAL_UNCHANGED && (r = lex_logical(&lx, &ll, lim->max_line)) > 0) {
		if (doc->lex.lines >= lim->max_lines) {
			cal_report_add(rep, "LIMIT", CAL_REPORT, "MaxProperties "
			    "(%u): more content lines; left as it is",
			    lim->max_lines);
			st = CAL_LIMIT;
			break;
		}
		st = lex_line(&b, &ll);
	}
	if (st == CAL_UNCHANGED && r < 0) {
		st = ll.text.oom ? CAL_ERROR : CAL_LIMIT;
		if (st == CAL_LIMIT)
			cal_report_add(rep, "LIMIT", CAL_REPORT, "MaxLineLength "
			    "(%zu): a longer line; left as it is",
			    lim->max_line);
	}
	cal_buf_free(&ll.text);
	if (st == CAL_UNCHANGED)
		st = lex_finish(&b, &lx);
	if (st != CAL_UNCHANGED) {
		cal_doc_free(doc);
		return st;
	}
	lex_trailing_blank(doc, text, len);
	*out = doc;
	return CAL_UNCHANGED;
}
