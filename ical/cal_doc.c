/*
 * cal_doc.c - the content-line tree: lookup, insertion, editing, freeing
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cal_int.h"

int
cal_streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

void
cal_prop_free(struct cal_prop *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->params);
	free(p->value);
	free(p);
}

struct cal_prop *
cal_prop_new(const char *name, const char *params, const char *value)
{
	struct cal_prop *p;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->name = strdup(name);
	p->params = strdup(params != NULL ? params : "");
	p->value = strdup(value);
	if (p->name == NULL || p->params == NULL || p->value == NULL) {
		cal_prop_free(p);
		return NULL;
	}
	return p;
}

int
cal_prop_set_value(struct cal_prop *p, const char *value)
{
	char *v;

	v = strdup(value);
	if (v == NULL)
		return -1;
	free(p->value);
	p->value = v;
	p->raw = NULL;
	p->rawlen = 0;
	return 0;
}

static void
cal_comp_free(struct cal_comp *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->items[i].type == CAL_ITEM_PROP)
			cal_prop_free(c->items[i].u.prop);
		else {
			cal_comp_free(c->items[i].u.comp);
			free(c->items[i].u.comp);
		}
	}
	free(c->items);
	free(c->name);
	cal_prop_free(c->begin);
	cal_prop_free(c->end);
}

void
cal_doc_free(struct cal_doc *doc)
{
	if (doc == NULL)
		return;
	cal_comp_free(&doc->root);
	cal_tzset_free(doc->tz);
	free(doc->text);
	free(doc);
}

struct cal_prop *
cal_comp_prop(const struct cal_comp *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->items[i].type == CAL_ITEM_PROP &&
		    cal_streq(c->items[i].u.prop->name, name))
			return c->items[i].u.prop;
	return NULL;
}

struct cal_comp *
cal_comp_child(const struct cal_comp *c, const char *name, size_t nth)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->items[i].type != CAL_ITEM_COMP)
			continue;
		if (name != NULL && !cal_streq(c->items[i].u.comp->name, name))
			continue;
		if (nth-- == 0)
			return c->items[i].u.comp;
	}
	return NULL;
}

size_t
cal_comp_count(const struct cal_comp *c, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < c->n; i++)
		if (c->items[i].type == CAL_ITEM_PROP &&
		    cal_streq(c->items[i].u.prop->name, name))
			n++;
	return n;
}

size_t
cal_comp_first_comp_index(const struct cal_comp *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->items[i].type == CAL_ITEM_COMP)
			return i;
	return c->n;
}

/* cal_comp_reserve - room for one more item */
static int
cal_comp_reserve(struct cal_comp *c)
{
	struct cal_item *items;
	size_t cap;

	if (c->n < c->cap)
		return 0;
	cap = c->cap ? c->cap * 2 : 8;
	items = realloc(c->items, cap * sizeof(*items));
	if (items == NULL)
		return -1;
	c->items = items;
	c->cap = cap;
	return 0;
}

int
cal_comp_insert(struct cal_comp *c, size_t at, struct cal_prop *p)
{
	if (at > c->n)
		at = c->n;
	if (cal_comp_reserve(c) != 0)
		return -1;
	memmove(&c->items[at + 1], &c->items[at],
	    (c->n - at) * sizeof(*c->items));
	c->items[at].type = CAL_ITEM_PROP;
	c->items[at].u.prop = p;
	c->n++;
	return 0;
}

int
cal_comp_append_comp(struct cal_comp *c, struct cal_comp *sub)
{
	if (cal_comp_reserve(c) != 0)
		return -1;
	c->items[c->n].type = CAL_ITEM_COMP;
	c->items[c->n++].u.comp = sub;
	sub->parent = c;
	return 0;
}

struct cal_comp *
cal_comp_new(const char *name)
{
	struct cal_comp *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->name = strdup(name);
	c->begin = cal_prop_new("BEGIN", NULL, name);
	c->end = cal_prop_new("END", NULL, name);
	if (c->name == NULL || c->begin == NULL || c->end == NULL) {
		cal_comp_free_tree(c);
		return NULL;
	}
	return c;
}

void
cal_comp_free_tree(struct cal_comp *c)
{
	if (c == NULL)
		return;
	cal_comp_free(c);
	free(c);
}

int
cal_comp_insert_comp(struct cal_comp *c, size_t at, struct cal_comp *sub)
{
	if (at > c->n)
		at = c->n;
	if (cal_comp_reserve(c) != 0)
		return -1;
	memmove(&c->items[at + 1], &c->items[at],
	    (c->n - at) * sizeof(*c->items));
	c->items[at].type = CAL_ITEM_COMP;
	c->items[at].u.comp = sub;
	sub->parent = c;
	c->n++;
	return 0;
}

void
cal_comp_remove(struct cal_comp *c, size_t at)
{
	if (at >= c->n)
		return;
	if (c->items[at].type == CAL_ITEM_PROP)
		cal_prop_free(c->items[at].u.prop);
	else
		cal_comp_free_tree(c->items[at].u.comp);
	memmove(&c->items[at], &c->items[at + 1],
	    (c->n - at - 1) * sizeof(*c->items));
	c->n--;
}

struct cal_comp *
cal_doc_calendar(const struct cal_doc *doc)
{
	return cal_comp_child(&doc->root, "VCALENDAR", 0);
}

/* cal_param_next - one ";NAME=VALUE" from *s; advances *s */
static int
cal_param_next(const char **s, const char **name, size_t *nlen,
    const char **val, size_t *vlen)
{
	const char *p = *s;
	int quoted = 0;

	if (*p != ';')
		return 0;
	p++;
	*name = p;
	while (*p != '\0' && *p != '=' && *p != ';')
		p++;
	*nlen = (size_t)(p - *name);
	*val = p;
	if (*p == '=')
		*val = ++p;
	for (; *p != '\0'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ';' && !quoted)
			break;
	}
	*vlen = (size_t)(p - *val);
	*s = p;
	return 1;
}

char *
cal_param_get(const struct cal_prop *p, const char *name)
{
	const char *s = p->params, *n, *v;
	size_t nlen, vlen;

	while (cal_param_next(&s, &n, &nlen, &v, &vlen)) {
		if (nlen != strlen(name) || strncasecmp(n, name, nlen) != 0)
			continue;
		if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"')
			return strndup(v + 1, vlen - 2);
		return strndup(v, vlen);
	}
	return NULL;
}

/* param_append - ";NAME=value" to b, quoting the value when it must be */
static void
param_append(struct cal_buf *b, const char *name, size_t nlen,
    const char *value, size_t vlen)
{
	int quote = value[0] != '"' && strcspn(value, ":;,") < vlen;

	cal_buf_addc(b, ';');
	cal_buf_add(b, name, nlen);
	cal_buf_addc(b, '=');
	if (quote)
		cal_buf_addc(b, '"');
	cal_buf_add(b, value, vlen);
	if (quote)
		cal_buf_addc(b, '"');
}

int
cal_prop_set_param(struct cal_prop *p, const char *name, const char *value)
{
	const char *s = p->params, *n, *v;
	size_t nlen, vlen;
	struct cal_buf b;
	int done = value == NULL;
	char *params;

	cal_buf_init(&b, strlen(p->params) + (value ? strlen(value) : 0) +
	    strlen(name) + 16);
	while (cal_param_next(&s, &n, &nlen, &v, &vlen)) {
		if (nlen != strlen(name) || strncasecmp(n, name, nlen) != 0)
			param_append(&b, n, nlen, v, vlen);
		else if (!done) {
			param_append(&b, name, nlen, value, strlen(value));
			done = 1;
		}
	}
	if (!done)
		param_append(&b, name, strlen(name), value, strlen(value));
	if (b.over || b.oom) {
		cal_buf_free(&b);
		return -1;
	}
	params = cal_buf_steal(&b, NULL);
	if (params == NULL)
		return -1;
	free(p->params);
	p->params = params;
	p->raw = NULL;
	p->rawlen = 0;
	return 0;
}

/* doc_prop_clone - a copy of p; its raw bytes are moved to the copy's text */
static struct cal_prop *
doc_prop_clone(const struct cal_prop *p, const struct cal_doc *from,
    const struct cal_doc *to)
{
	struct cal_prop *c;

	c = cal_prop_new(p->name, p->params, p->value);
	if (c == NULL)
		return NULL;
	if (p->raw != NULL)
		c->raw = to->text + (p->raw - from->text);
	c->rawlen = p->rawlen;
	c->line = p->line;
	c->refold = p->refold;
	return c;
}

static int doc_comp_copy(struct cal_comp *, const struct cal_comp *,
    const struct cal_doc *, const struct cal_doc *);

/* doc_item_copy - one item of src appended to dst */
static int
doc_item_copy(struct cal_comp *dst, const struct cal_item *it,
    const struct cal_doc *from, const struct cal_doc *to)
{
	struct cal_comp *sub;
	struct cal_prop *p;

	if (it->type == CAL_ITEM_PROP) {
		p = doc_prop_clone(it->u.prop, from, to);
		if (p == NULL || cal_comp_insert(dst, dst->n, p) != 0) {
			cal_prop_free(p);
			return -1;
		}
		return 0;
	}
	sub = calloc(1, sizeof(*sub));
	if (sub == NULL)
		return -1;
	if (doc_comp_copy(sub, it->u.comp, from, to) != 0 ||
	    cal_comp_append_comp(dst, sub) != 0) {
		cal_comp_free(sub);
		free(sub);
		return -1;
	}
	return 0;
}

/* doc_comp_copy - src's name, lines and items into the empty dst */
static int
doc_comp_copy(struct cal_comp *dst, const struct cal_comp *src,
    const struct cal_doc *from, const struct cal_doc *to)
{
	size_t i;

	if ((src->name != NULL && (dst->name = strdup(src->name)) == NULL) ||
	    (src->begin != NULL &&
	    (dst->begin = doc_prop_clone(src->begin, from, to)) == NULL) ||
	    (src->end != NULL &&
	    (dst->end = doc_prop_clone(src->end, from, to)) == NULL))
		return -1;
	for (i = 0; i < src->n; i++)
		if (doc_item_copy(dst, &src->items[i], from, to) != 0)
			return -1;
	return 0;
}

struct cal_doc *
cal_doc_clone(const struct cal_doc *doc)
{
	struct cal_doc *c;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->text = malloc(doc->len + 1);
	if (c->text == NULL) {
		free(c);
		return NULL;
	}
	memcpy(c->text, doc->text, doc->len + 1);
	c->len = doc->len;
	c->allow = doc->allow;
	c->lex = doc->lex;
	c->ncomps = doc->ncomps;
	c->trailer_blank = doc->trailer_blank;
	/* c->tz stays NULL: the copy resolves its TZIDs again if asked */
	if (doc_comp_copy(&c->root, &doc->root, doc, c) != 0) {
		cal_doc_free(c);
		return NULL;
	}
	return c;
}
