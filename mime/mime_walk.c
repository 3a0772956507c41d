/*
 * mime_walk.c - find every calendar and vCard part, at any depth
 *
 * A part is selected by its media type (text/calendar, application/ics,
 * application/x-ics, text/x-vcalendar, text/vcard, text/x-vcard,
 * text/directory) or by a file name ending in .ics, .vcs or .vcf (GMime
 * decodes RFC 2231 continuations and RFC 2047 words in the name). The walk
 * enters every multipart and message/rfc822; parts inside message/rfc822 or
 * multipart/report are marked encapsulated (R-MIME-7, N-12). Signed or
 * encrypted content anywhere (multipart/signed, multipart/encrypted,
 * application/(x-)pkcs7-mime, an inline PGP block) stops the walk: the whole
 * message stays untouched (N-1). GMime allows 1,024 nesting levels; the walk
 * enforces MaxMimeDepth and MaxMimeParts itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime_int.h"

static const char *const cand_types[] = {
	"text/calendar", "application/ics", "application/x-ics",
	"text/x-vcalendar", "text/vcard", "text/x-vcard", "text/directory",
	NULL
};

static const char *const signed_types[] = {
	"multipart/signed", "multipart/encrypted", "application/pkcs7-mime",
	"application/x-pkcs7-mime", NULL
};

static int
in_list(const char *t, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcasecmp(t, list[i]) == 0)
			return 1;
	return 0;
}

int
mime_is_candidate_type(const char *type)
{
	return in_list(type, cand_types);
}

/* has_cal_name - a file name ending in .ics, .vcs or .vcf */
static int
has_cal_name(GMimePart *part)
{
	const char *name = g_mime_part_get_filename(part);
	size_t n = name != NULL ? strlen(name) : 0;

	if (n < 4)
		return 0;
	name += n - 4;
	return strcasecmp(name, ".ics") == 0 || strcasecmp(name, ".vcs") == 0 ||
	    strcasecmp(name, ".vcf") == 0;
}

/* has_pgp_block - an inline PGP block in a text part (N-1) */
static int
has_pgp_block(GMimePart *part)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *ba;
	int found;

	if (w == NULL)
		return 0;
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(w, mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	found = ba != NULL && ba->len > 0 &&
	    (g_strstr_len((const char *)ba->data, ba->len,
	    "-----BEGIN PGP SIGNED MESSAGE-----") != NULL ||
	    g_strstr_len((const char *)ba->data, ba->len,
	    "-----BEGIN PGP MESSAGE-----") != NULL);
	g_object_unref(mem);
	return found;
}

struct walk_at {
	const struct mime_policy	*pol;
	unsigned			 depth;
	char				 path[48];
	int				 encapsulated;
	GMimeObject			*msgobj;
	GMimeObject			*scope;
	GMimeObject			*parent;
	int				 index;
	int				 top;
};

static int
walk_push(struct mime_walk *w, GMimePart *part, const struct walk_at *at)
{
	struct mime_cand *v;

	v = realloc(w->v, (w->n + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	w->v = v;
	v = &w->v[w->n++];
	memset(v, 0, sizeof(*v));
	v->part = part;
	v->msgobj = at->msgobj;
	v->scope = at->scope;
	v->parent = at->parent;
	v->index = at->index;
	snprintf(v->path, sizeof(v->path), "%s", at->path);
	v->encapsulated = at->encapsulated;
	v->top = at->top;
	return 0;
}

static int walk_object(struct mime_walk *, GMimeObject *, struct walk_at);

/* walk_path - "parent.n"; a path too deep for the buffer ends in "..." */
static void
walk_path(char *buf, size_t len, const char *parent, int n)
{
	char num[16];
	size_t pl = strlen(parent);

	snprintf(num, sizeof(num), ".%d", n);
	if (pl + strlen(num) + 1 > len) {
		snprintf(buf, len, "%.*s...", (int)(len - 4), parent);
		return;
	}
	memcpy(buf, parent, pl);
	memcpy(buf + pl, num, strlen(num) + 1);
}

static int
walk_multipart(struct mime_walk *w, GMimeMultipart *mp, struct walk_at at,
    const char *type)
{
	struct walk_at sub = at;
	const char *b = g_mime_multipart_get_boundary(mp);
	int i, n = g_mime_multipart_get_count(mp);

	if (b != NULL)
		g_ptr_array_add(w->bounds, g_strdup(b));
	sub.depth = at.depth + 1;
	sub.msgobj = NULL;
	sub.parent = GMIME_OBJECT(mp);
	sub.top = 0;
	sub.encapsulated = at.encapsulated ||
	    strcasecmp(type, "multipart/report") == 0;
	for (i = 0; i < n && !w->is_signed && !w->limit; i++) {
		sub.index = i;
		walk_path(sub.path, sizeof(sub.path), at.path, i + 1);
		if (walk_object(w, g_mime_multipart_get_part(mp, i), sub) != 0)
			return -1;
	}
	return 0;
}

static int
walk_message(struct mime_walk *w, GMimeMessagePart *mp, struct walk_at at)
{
	GMimeMessage *inner = g_mime_message_part_get_message(mp);
	GMimeObject *body;
	struct walk_at sub = at;

	if (inner == NULL || (body = g_mime_message_get_mime_part(inner)) == NULL)
		return 0;
	sub.depth = at.depth + 1;
	sub.encapsulated = 1;
	sub.msgobj = GMIME_OBJECT(inner);
	sub.scope = GMIME_OBJECT(inner);
	sub.parent = NULL;
	sub.index = 0;
	sub.top = 0;
	walk_path(sub.path, sizeof(sub.path), at.path, 1);
	return walk_object(w, body, sub);
}

/* walk_limit - the ceilings of rule 14 */
static int
walk_limit(struct mime_walk *w, const struct walk_at *at)
{
	if (++w->parts > at->pol->max_parts) {
		snprintf(w->detail, sizeof(w->detail), "MaxMimeParts (%u)",
		    at->pol->max_parts);
		return w->limit = 1;
	}
	if (at->depth > at->pol->max_depth) {
		snprintf(w->detail, sizeof(w->detail), "MaxMimeDepth (%u)",
		    at->pol->max_depth);
		return w->limit = 1;
	}
	return 0;
}

static int
walk_object(struct mime_walk *w, GMimeObject *obj, struct walk_at at)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	const char *type = ct != NULL ? g_mime_content_type_get_mime_type(ct)
				      : NULL;
	char t[128];
	int cand;

	snprintf(t, sizeof(t), "%s", type != NULL ? type : "text/plain");
	g_free((char *)(uintptr_t)type);
	if (walk_limit(w, &at))
		return 0;
	if (in_list(t, signed_types))
		return w->is_signed = 1, 0;
	if (GMIME_IS_MULTIPART(obj))
		return walk_multipart(w, GMIME_MULTIPART(obj), at, t);
	if (GMIME_IS_MESSAGE_PART(obj))
		return walk_message(w, GMIME_MESSAGE_PART(obj), at);
	if (!GMIME_IS_PART(obj))
		return 0;
	if (strncasecmp(t, "text/", 5) == 0 &&
	    has_pgp_block(GMIME_PART(obj)))
		return w->is_signed = 1, 0;
	cand = in_list(t, cand_types) || has_cal_name(GMIME_PART(obj));
	if (!cand)
		return 0;
	return walk_push(w, GMIME_PART(obj), &at);
}

int
mime_walk(struct mime_walk *w, GMimeMessage *msg,
    const struct mime_policy *pol)
{
	struct walk_at at;
	GMimeObject *body = g_mime_message_get_mime_part(msg);

	memset(w, 0, sizeof(*w));
	w->bounds = g_ptr_array_new_with_free_func(g_free);
	if (body == NULL)
		return 0;
	memset(&at, 0, sizeof(at));
	at.pol = pol;
	at.depth = 1;
	at.top = 1;
	snprintf(at.path, sizeof(at.path), "1");
	return walk_object(w, body, at);
}

void
mime_walk_free(struct mime_walk *w)
{
	free(w->v);
	if (w->bounds != NULL)
		g_ptr_array_unref(w->bounds);
	memset(w, 0, sizeof(*w));
}
