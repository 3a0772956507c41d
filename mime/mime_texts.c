/*
 * mime_texts.c - the content of every calendar and vCard part, with its
 * transfer encoding undone, for calnorm --diff
 *
 * The message is parsed as mime_process() parses it and walked by the same
 * walker, so the parts and their paths are those the findings name, and
 * the message the daemon would relay has the same parts at the same paths.
 * The decoded bytes come from GMime's data wrapper; the charset is left as
 * it is (R-LEX-4 shows as a change of the text).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime_int.h"

/* texts_unfold - a header value on one line (transfer full, g_free) */
static char *
texts_unfold(const char *v)
{
	char *s = g_strdup(v != NULL ? v : "(none)");
	char *p;

	for (p = s; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	return s;
}

/* texts_head - the part's Content-Type and CTE lines (transfer full) */
static char *
texts_head(const struct mime_cand *c)
{
	GMimeObject *o = GMIME_OBJECT(c->part);
	char *ct = texts_unfold(g_mime_object_get_header(o, "Content-Type"));
	char *cte = texts_unfold(
	    g_mime_object_get_header(o, "Content-Transfer-Encoding"));
	char *h;

	h = g_strdup_printf("Content-Type: %s\nContent-Transfer-Encoding: %s\n",
	                    ct, cte);
	g_free(ct);
	g_free(cte);
	return h;
}

/* texts_decode - c's content without its transfer encoding, into t */
static int
texts_decode(struct mime_text *t, const struct mime_cand *c)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(c->part);
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *ba;
	int ret = -1;

	t->head = texts_head(c);
	if (t->head == NULL)
		goto out;
	if (dw != NULL && g_mime_data_wrapper_write_to_stream(dw, mem) == -1)
		goto out;
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	t->len = ba->len;
	t->data = malloc(ba->len + 1); /* bounded by the message's size */
	if (t->data == NULL)
		goto out;
	memcpy(t->data, ba->data, ba->len);
	t->data[ba->len] = '\0';
	ret = 0;
out:
	g_object_unref(mem);
	return ret;
}

/* texts_walk - decode every candidate of w into t */
static int
texts_walk(struct mime_texts *t, const struct mime_walk *w)
{
	size_t i;

	if (w->is_signed || w->limit)
		return -1;
	if (w->n == 0)
		return 0;
	t->v = calloc(w->n, sizeof(*t->v));
	if (t->v == NULL)
		return -1;
	for (i = 0; i < w->n; i++) {
		snprintf(t->v[i].path, sizeof(t->v[i].path), "%s",
		         w->v[i].path);
		t->n = i + 1;
		if (texts_decode(&t->v[i], &w->v[i]) != 0)
			return -1;
	}
	return 0;
}

int
mime_texts(struct mime_texts *t, const uint8_t *msg, size_t len,
           const struct mime_policy *pol)
{
	GByteArray *ba = g_byte_array_new_take((guint8 *)(uintptr_t)msg, len);
	GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(ba);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *m;
	struct mime_walk w;
	int ret = -1;

	memset(t, 0, sizeof(*t));
	memset(&w, 0, sizeof(w));
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
	g_mime_parser_set_persist_stream(parser, TRUE);
	m = g_mime_parser_construct_message(parser, NULL);
	if (m != NULL && mime_walk(&w, m, pol) == 0)
		ret = texts_walk(t, &w);
	if (ret != 0)
		mime_texts_free(t);
	mime_walk_free(&w);
	if (m != NULL)
		g_object_unref(m);
	g_object_unref(parser);
	g_object_unref(stream);
	g_byte_array_free(ba, FALSE); /* the bytes are the caller's */
	return ret;
}

void
mime_texts_free(struct mime_texts *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		g_free(t->v[i].head);
		free(t->v[i].data);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}
