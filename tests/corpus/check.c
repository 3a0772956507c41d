/*
 * check.c - does calnorm's output re-parse, and did it keep everything else?
 *
 *   corpus_check INPUT OUTPUT
 *
 * Independent of calmilter's own code: GMime and libical judge. For a bare
 * object, libical must parse the output. For a message, GMime must parse
 * both; they must have the same leaf parts, in order, with the same types;
 * every part that is not a calendar or vCard part must decode to the same
 * bytes (N-9); every calendar part that changed must be parsed by libical.
 *
 * Two changes of structure are legitimate, and only these:
 *   R-MIME-4  one added leaf: an inline text/calendar; charset=utf-8;
 *             method=REQUEST|CANCEL|REPLY|COUNTER, in a multipart/alternative
 *             or as the first child of a multipart/mixed, whose content is
 *             that of a calendar attachment of the output (line ends and
 *             the final one aside), in a message that had no inline
 *             text/calendar;
 *   R-MIME-5  a calendar attachment relabelled text/calendar (no method, or
 *             PUBLISH), still with Content-Disposition: attachment.
 * Exit 0 when all holds, 1 with a line on stderr otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>
#include <libical/ical.h>

struct leaf {
	char		*type;		/* "CAL:" before calendar/vCard types */
	GByteArray	*data;		/* decoded content */
	int		 attachment;	/* Content-Disposition: attachment */
	char		*method;	/* method= parameter, or NULL */
	char		*charset;	/* charset= parameter, or NULL */
	int		 in_alt;	/* parent is multipart/alternative */
	int		 first_in_mixed; /* first child of a multipart/mixed */
};

static int
is_cal_type(const char *t, const char *name)
{
	static const char *const types[] = {
		"text/calendar", "application/ics", "application/x-ics",
		"text/x-vcalendar", "text/vcard", "text/x-vcard",
		"text/directory", NULL
	};
	size_t i, n = name != NULL ? strlen(name) : 0;

	for (i = 0; types[i] != NULL; i++)
		if (strcasecmp(t, types[i]) == 0)
			return 1;
	return n >= 4 && (strcasecmp(name + n - 4, ".ics") == 0 ||
	    strcasecmp(name + n - 4, ".vcs") == 0 ||
	    strcasecmp(name + n - 4, ".vcf") == 0);
}

/* where - the leaf's place and labels */
static void
where(struct leaf *l, GMimeObject *parent, GMimeObject *part)
{
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(part);
	const char *v;

	l->attachment = d != NULL && g_mime_content_disposition_is_attachment(d);
	v = g_mime_content_type_get_parameter(ct, "method");
	l->method = v != NULL ? g_strdup(v) : NULL;
	v = g_mime_content_type_get_parameter(ct, "charset");
	l->charset = v != NULL ? g_strdup(v) : NULL;
	if (parent == NULL || !GMIME_IS_MULTIPART(parent))
		return;
	ct = g_mime_object_get_content_type(parent);
	l->in_alt = g_mime_content_type_is_type(ct, "multipart",
	    "alternative");
	l->first_in_mixed = g_mime_content_type_is_type(ct, "multipart",
	    "mixed") && g_mime_multipart_get_part(GMIME_MULTIPART(parent),
	    0) == part;
}

static void
collect(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	GPtrArray *leaves = data;
	struct leaf *l;
	GMimeStream *mem;

	if (!GMIME_IS_PART(part))
		return;
	l = g_new0(struct leaf, 1);
	where(l, parent, part);
	l->type = g_mime_content_type_get_mime_type(
	    g_mime_object_get_content_type(part));
	if (is_cal_type(l->type, g_mime_part_get_filename(GMIME_PART(part)))) {
		char *t = g_strconcat("CAL:", l->type, NULL);
		g_free(l->type);
		l->type = t;
	}
	mem = g_mime_stream_mem_new();
	if (g_mime_part_get_content(GMIME_PART(part)) != NULL)
		g_mime_data_wrapper_write_to_stream(
		    g_mime_part_get_content(GMIME_PART(part)), mem);
	/* the stream must not free the bytes: with owner set, unref would
	 * empty the array even while we hold a reference to it */
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	l->data = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_object_unref(mem);
	g_ptr_array_add(leaves, l);
}

static GMimeMessage *
parse(const char *buf, size_t len)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(buf, len);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);

	g_object_unref(p);
	g_object_unref(s);
	return m;
}

static GPtrArray *
leaves_of(GMimeMessage *m)
{
	GPtrArray *a = g_ptr_array_new();

	g_mime_message_foreach(m, collect, a);
	return a;
}

/* ical_ok - libical parses the object into a VCALENDAR or VCARD-less root */
static int
ical_ok(const guint8 *p, guint n)
{
	char *s = g_strndup((const char *)p, n);
	icalcomponent *c;
	int ok;

	if (strstr(s, "BEGIN:VCALENDAR") == NULL) {
		g_free(s);
		return 1;	/* vCard and others: not judged here */
	}
	c = icalparser_parse_string(s);
	ok = c != NULL;
	if (c != NULL)
		icalcomponent_free(c);
	g_free(s);
	return ok;
}

/* is_inline_cal - an inline text/calendar: what Outlook reads as iMIP */
static int
is_inline_cal(const struct leaf *l)
{
	return strcasecmp(l->type, "CAL:text/calendar") == 0 && !l->attachment;
}

/* same_text - equal once CRs and the final line ends are left out */
static int
same_text(const GByteArray *a, const GByteArray *b)
{
	guint i = 0, j = 0, na = a->len, nb = b->len;

	while (na > 0 && (a->data[na - 1] == '\n' || a->data[na - 1] == '\r'))
		na--;
	while (nb > 0 && (b->data[nb - 1] == '\n' || b->data[nb - 1] == '\r'))
		nb--;
	for (;;) {
		while (i < na && a->data[i] == '\r')
			i++;
		while (j < nb && b->data[j] == '\r')
			j++;
		if (i == na || j == nb)
			return i == na && j == nb;
		if (a->data[i++] != b->data[j++])
			return 0;
	}
}

/* is_copy - leaf k of the output is an R-MIME-4 copy (see the top) */
static int
is_copy(const GPtrArray *lb, guint k)
{
	const struct leaf *y = lb->pdata[k], *z;
	guint i;

	if (!is_inline_cal(y) || y->method == NULL || y->charset == NULL ||
	    strcasecmp(y->charset, "utf-8") != 0 ||
	    (!y->in_alt && !y->first_in_mixed) ||
	    (strcmp(y->method, "REQUEST") != 0 &&
	    strcmp(y->method, "CANCEL") != 0 && strcmp(y->method, "REPLY") != 0 &&
	    strcmp(y->method, "COUNTER") != 0))
		return 0;
	for (i = 0; i < lb->len; i++) {
		z = lb->pdata[i];
		if (i != k && strncmp(z->type, "CAL:", 4) == 0 &&
		    !is_inline_cal(z) && same_text(y->data, z->data))
			return 1;
	}
	return 0;
}

/* drop_copy - one added leaf must be a legitimate copy; it is removed */
static int
drop_copy(const GPtrArray *la, GPtrArray *lb)
{
	guint i;

	for (i = 0; i < la->len; i++)
		if (is_inline_cal(la->pdata[i]))
			return fprintf(stderr, "a part was added to a message "
			    "that had an inline text/calendar\n"), 1;
	for (i = 0; i < lb->len; i++) {
		if (is_copy(lb, i)) {
			g_ptr_array_remove_index(lb, i);
			return 0;
		}
	}
	return fprintf(stderr, "parts %u -> %u, and the new one is not an "
	    "inline copy of a calendar attachment\n", la->len, lb->len), 1;
}

/* relabelled - R-MIME-5: a calendar attachment became text/calendar */
static int
relabelled(const struct leaf *x, const struct leaf *y)
{
	return strncmp(x->type, "CAL:", 4) == 0 &&
	    strcasecmp(y->type, "CAL:text/calendar") == 0 && y->attachment &&
	    (y->method == NULL || strcmp(y->method, "PUBLISH") == 0);
}

static int
check_message(const char *in, size_t inlen, const char *out, size_t outlen)
{
	GMimeMessage *a = parse(in, inlen), *b = parse(out, outlen);
	GPtrArray *la, *lb;
	struct leaf *x, *y;
	guint i;

	if (a == NULL)
		return 0;	/* nothing to compare with */
	if (b == NULL)
		return fprintf(stderr, "output does not parse\n"), 1;
	la = leaves_of(a);
	lb = leaves_of(b);
	if (lb->len == la->len + 1 && drop_copy(la, lb) != 0)
		return 1;
	if (la->len != lb->len)
		return fprintf(stderr, "parts %u -> %u\n", la->len, lb->len), 1;
	for (i = 0; i < la->len; i++) {
		x = la->pdata[i];
		y = lb->pdata[i];
		if (strcasecmp(x->type, y->type) != 0 && !relabelled(x, y))
			return fprintf(stderr, "part %u type %s -> %s\n", i + 1,
			    x->type, y->type), 1;
		if (strncmp(x->type, "CAL:", 4) != 0 &&
		    (x->data->len != y->data->len ||
		    memcmp(x->data->data, y->data->data, x->data->len) != 0))
			return fprintf(stderr, "part %u (%s) changed\n", i + 1,
			    x->type), 1;
		if (strncmp(x->type, "CAL:", 4) == 0 &&
		    (x->data->len != y->data->len ||
		    memcmp(x->data->data, y->data->data, x->data->len) != 0) &&
		    !ical_ok(y->data->data, y->data->len))
			return fprintf(stderr, "part %u: libical cannot parse "
			    "the rewrite\n", i + 1), 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	gchar *in, *out;
	gsize inlen, outlen;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: corpus_check INPUT OUTPUT\n");
		return 2;
	}
	g_mime_init();
	if (!g_file_get_contents(argv[1], &in, &inlen, NULL) ||
	    !g_file_get_contents(argv[2], &out, &outlen, NULL))
		return 2;
	if (inlen == outlen && memcmp(in, out, inlen) == 0)
		rc = 0;
	else if (strncasecmp(in + strspn(in, "\xEF\xBB\xBF \t\r\n"), "BEGIN:", 6) == 0)
		rc = ical_ok((const guint8 *)out, (guint)outlen) ? 0 :
		    (fprintf(stderr, "libical cannot parse the output\n"), 1);
	else
		rc = check_message(in, inlen, out, outlen);
	g_free(in);
	g_free(out);
	return rc;
}
