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
 * Exit 0 when all holds, 1 with a line on stderr otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>
#include <libical/ical.h>

struct leaf {
	char		*type;
	GByteArray	*data;
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

static void
collect(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	GPtrArray *leaves = data;
	struct leaf *l;
	GMimeStream *mem;

	(void)parent;
	if (!GMIME_IS_PART(part))
		return;
	l = g_new0(struct leaf, 1);
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
	l->data = g_byte_array_ref(
	    g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem)));
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
	if (la->len != lb->len)
		return fprintf(stderr, "parts %u -> %u\n", la->len, lb->len), 1;
	for (i = 0; i < la->len; i++) {
		x = la->pdata[i];
		y = lb->pdata[i];
		if (strcasecmp(x->type, y->type) != 0)
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
