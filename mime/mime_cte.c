/*
 * mime_cte.c - transfer encodings of the parts calmilter rewrites (R-MIME-2)
 *
 * Decoding uses GMime's encoders. A rewritten part keeps base64 or
 * quoted-printable when it had one of them (both are 7-bit safe); a part
 * that was 7bit, 8bit or binary becomes 7bit when its new content is ASCII,
 * base64 otherwise. 8bit is never written: a milter cannot know that every
 * later hop speaks 8BITMIME.
 */
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "mime_int.h"

#define QP_LINE 76	/* RFC 2045 6.7 (5) */
#define B64_LINE 76	/* RFC 2045 6.8 */

enum mime_cte
mime_cte_parse(const char *v)
{
	static const struct {
		const char	*name;
		enum mime_cte	 cte;
	} names[] = {
		{ "7bit", MIME_CTE_7BIT }, { "8bit", MIME_CTE_8BIT },
		{ "binary", MIME_CTE_BINARY },
		{ "quoted-printable", MIME_CTE_QP },
		{ "base64", MIME_CTE_BASE64 },
	};
	size_t i;

	if (v == NULL || v[0] == '\0')
		return MIME_CTE_7BIT;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(v, names[i].name) == 0)
			return names[i].cte;
	return MIME_CTE_OTHER;
}

const char *
mime_cte_name(enum mime_cte cte)
{
	static const char *const names[] = {
		"7bit", "8bit", "binary", "quoted-printable", "base64", "?"
	};

	return names[cte];
}

GByteArray *
mime_decode(const uint8_t *p, size_t len, enum mime_cte cte)
{
	GMimeEncoding enc;
	GByteArray *out;
	size_t n;

	if (cte == MIME_CTE_OTHER)
		return NULL;
	out = g_byte_array_new();
	if (cte != MIME_CTE_QP && cte != MIME_CTE_BASE64) {
		g_byte_array_append(out, p, (guint)len);
		return out;
	}
	g_mime_encoding_init_decode(&enc, cte == MIME_CTE_QP
	    ? GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE
	    : GMIME_CONTENT_ENCODING_BASE64);
	g_byte_array_set_size(out, (guint)g_mime_encoding_outlen(&enc, len));
	n = g_mime_encoding_flush(&enc, (const char *)p, len,
	    (char *)out->data);
	g_byte_array_set_size(out, (guint)n);
	return out;
}

static void
add_eol(GByteArray *out, const char *eol)
{
	g_byte_array_append(out, (const guint8 *)eol, (guint)strlen(eol));
}

static GByteArray *
encode_base64(const uint8_t *p, size_t len, const char *eol)
{
	GByteArray *out = g_byte_array_new();
	gchar *b64 = g_base64_encode(p, len);
	size_t i, n = strlen(b64), k;

	for (i = 0; i < n; i += B64_LINE) {
		k = n - i < B64_LINE ? n - i : B64_LINE;
		g_byte_array_append(out, (const guint8 *)b64 + i, (guint)k);
		add_eol(out, eol);
	}
	g_free(b64);
	return out;
}

/* qp_line - one canonical line (no CRLF) as quoted-printable lines */
static void
qp_line(GByteArray *out, const uint8_t *l, size_t n, const char *eol)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];
	size_t i, col = 0, w;
	int lit;

	for (i = 0; i < n; i++) {
		lit = (l[i] >= 33 && l[i] <= 126 && l[i] != '=') ||
		    ((l[i] == ' ' || l[i] == '\t') && i + 1 < n);
		w = lit ? 1 : 3;
		if (col + w > QP_LINE - 1) {	/* room for the soft break */
			g_byte_array_append(out, (const guint8 *)"=", 1);
			add_eol(out, eol);
			col = 0;
		}
		if (lit) {
			g_byte_array_append(out, &l[i], 1);
		} else {
			e[0] = '=';
			e[1] = hex[l[i] >> 4];
			e[2] = hex[l[i] & 15];
			g_byte_array_append(out, (const guint8 *)e, 3);
		}
		col += w;
	}
	add_eol(out, eol);
}

/* encode_lines - split canonical text at CRLF; each line through fn */
static GByteArray *
encode_lines(const uint8_t *p, size_t len, const char *eol, int qp)
{
	GByteArray *out = g_byte_array_new();
	size_t i = 0, s = 0;

	while (i < len) {
		if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n') {
			if (qp)
				qp_line(out, p + s, i - s, eol);
			else {
				g_byte_array_append(out, p + s, (guint)(i - s));
				add_eol(out, eol);
			}
			i += 2;
			s = i;
		} else {
			i++;
		}
	}
	if (s < len) {	/* a last line without CRLF keeps having none */
		if (qp)
			qp_line(out, p + s, len - s, "");
		else
			g_byte_array_append(out, p + s, (guint)(len - s));
	}
	return out;
}

GByteArray *
mime_encode(const uint8_t *p, size_t len, enum mime_cte cte, const char *eol)
{
	if (cte == MIME_CTE_BASE64)
		return encode_base64(p, len, eol);
	return encode_lines(p, len, eol, cte == MIME_CTE_QP);
}

enum mime_cte
mime_cte_choose(enum mime_cte old, const uint8_t *p, size_t len)
{
	size_t i;

	if (old == MIME_CTE_QP || old == MIME_CTE_BASE64)
		return old;
	for (i = 0; i < len; i++)
		if (p[i] >= 0x80 || p[i] == 0)
			return MIME_CTE_BASE64;
	return MIME_CTE_7BIT;
}
