/*
 * mime_apply.c - the message the MTA ends up relaying: the original with
 * mime_process()'s header edits executed the way libmilter's calls do
 * (smfi_chgheader counts fields of one name from 1; smfi_addheader
 * appends), and the new body. calnorm writes it; the tests read it.
 */
#include <string.h>

#include "mime_int.h"

/* struct hline - one header field of the output: original or new bytes */
struct hline {
	const uint8_t	*p;
	size_t		 n;
	char		*name;		/* for matching edits */
	GByteArray	*owned;		/* new bytes, or NULL */
};

static void
hline_free(gpointer data)
{
	struct hline *h = data;

	g_free(h->name);
	if (h->owned != NULL)
		g_byte_array_unref(h->owned);
}

/* hline_find - the index-th line named name, or -1 */
static gint
hline_find(GArray *hl, const char *name, unsigned index)
{
	guint i;

	for (i = 0; i < hl->len; i++)
		if (g_ascii_strcasecmp(g_array_index(hl, struct hline,
		    i).name, name) == 0 && --index == 0)
			return (gint)i;
	return -1;
}

static struct hline
hline_new(const struct mime_hdr_edit *e, const char *eol)
{
	struct hline h = { NULL, 0, g_strdup(e->name), g_byte_array_new() };
	const char *v;

	g_byte_array_append(h.owned, (const guint8 *)e->name,
	    (guint)strlen(e->name));
	g_byte_array_append(h.owned, (const guint8 *)":", 1);
	for (v = e->value; *v != '\0'; v++) {
		if (*v == '\n')
			g_byte_array_append(h.owned, (const guint8 *)eol,
			    (guint)strlen(eol));
		else
			g_byte_array_append(h.owned, (const guint8 *)v, 1);
	}
	g_byte_array_append(h.owned, (const guint8 *)eol, (guint)strlen(eol));
	h.p = h.owned->data;
	h.n = h.owned->len;
	return h;
}

/* apply_edit - one edit on the header lines, as the MTA would do it */
static void
apply_edit(GArray *hl, const struct mime_hdr_edit *e, const char *eol)
{
	struct hline h;
	gint i;

	if (e->op == MIME_HDR_ADD) {
		h = hline_new(e, eol);
		g_array_append_val(hl, h);
		return;
	}
	i = hline_find(hl, e->name, e->index ? e->index : 1);
	if (i < 0)
		return;
	g_array_remove_index(hl, (guint)i);	/* clear func frees it */
	if (e->op == MIME_HDR_CHANGE) {
		h = hline_new(e, eol);
		g_array_insert_val(hl, (guint)i, h);
	}
}

uint8_t *
mime_apply(const uint8_t *msg, size_t len, const struct mime_result *res,
    size_t *outlen)
{
	struct mime_fields f;
	GByteArray *out;
	GArray *hl;
	struct hline h;
	const char *eol = mime_detect_eol(msg, len);
	size_t i, tail;

	if (res->status != CAL_CHANGED || mime_fields_parse(&f, msg, len, 0) != 0)
		return NULL;
	hl = g_array_new(FALSE, FALSE, sizeof(struct hline));
	g_array_set_clear_func(hl, hline_free);
	for (i = 0; i < f.n; i++) {
		h.p = msg + f.v[i].start;
		h.n = f.v[i].next - f.v[i].start;
		h.name = g_strndup((const char *)h.p, f.v[i].colon - f.v[i].start);
		h.owned = NULL;
		g_array_append_val(hl, h);
	}
	for (i = 0; i < res->nedits; i++)
		apply_edit(hl, &res->edits[i], eol);
	out = g_byte_array_new();
	for (i = 0; i < hl->len; i++)
		g_byte_array_append(out, g_array_index(hl, struct hline, i).p,
		    (guint)g_array_index(hl, struct hline, i).n);
	tail = f.n > 0 ? f.v[f.n - 1].next : 0;
	g_byte_array_append(out, msg + tail, (guint)(f.end - tail));
	g_byte_array_append(out, res->body, (guint)res->body_len);
	g_array_free(hl, TRUE);
	mime_fields_free(&f);
	*outlen = out->len;
	return g_byte_array_free(out, FALSE);
}

