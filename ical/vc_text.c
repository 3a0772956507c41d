/*
 * vc_text.c - vCard values: names, versions, quoted-printable, charsets
 * and the escaping of text in vCard 2.1 and 3.0
 *
 * 2.1 escapes only ';' inside compound values (a backslash before anything
 * else is that backslash); 3.0 (RFC 2426 5.8.4) escapes '\', ',', ';' and
 * newlines in text. Quoted-printable and CHARSET exist in 2.1 only.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "vc_int.h"

const char *
vc_base(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot != NULL ? dot + 1 : name;
}

const char *
vc_card_version(const struct cal_comp *card)
{
	const struct cal_prop *p = cal_comp_prop(card, "VERSION");
	const char *v;

	if (p == NULL)
		return "";
	v = p->value + strspn(p->value, " \t");
	if (strncmp(v, "2.1", 3) == 0 || strcmp(v, "2") == 0)
		return "2.1";
	if (strncmp(v, "4.0", 3) == 0 || strcmp(v, "4") == 0)
		return "4.0";
	return "3.0";
}

int
vc_is_binary(const struct cal_prop *p, const struct vc_params *ps)
{
	const char *e = vc_params_encoding(ps);

	(void)p;
	return e != NULL && (cal_streq(e, "b") || cal_streq(e, "BASE64"));
}

int
vc_charset_is_utf8(const char *cs)
{
	return cal_streq(cs, "UTF-8") || cal_streq(cs, "UTF8") ||
	    cal_streq(cs, "US-ASCII") || cal_streq(cs, "ASCII");
}

int
vc_is_structured(const char *base)
{
	static const char *const text[] = { "FN", "NOTE", "TITLE", "ROLE",
		"LABEL", "MAILER", "SORT-STRING", NULL };
	size_t i;

	for (i = 0; text[i] != NULL; i++)
		if (cal_streq(base, text[i]))
			return 0;
	return 1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
vc_qp_decode(struct cal_buf *out, const char *in)
{
	const char *p = in;
	int hi, lo;

	cal_buf_add(out, "", 0);
	while (*p != '\0') {
		if (*p != '=') {
			cal_buf_addc(out, *p++);
			continue;
		}
		if (p[1] == '\r' || p[1] == '\n' || p[1] == '\0') {
			p++;	/* a soft line break */
			p += (*p == '\r');
			p += (*p == '\n');
			continue;
		}
		hi = hexval((unsigned char)p[1]);
		lo = hi < 0 ? -1 : hexval((unsigned char)p[2]);
		if (lo < 0) {
			cal_buf_addc(out, *p++);	/* a stray '=' */
			continue;
		}
		cal_buf_addc(out, (char)(hi << 4 | lo));
		p += 3;
	}
	return out->oom || out->over ? -1 : 0;
}

int
vc_iconv(struct cal_buf *out, const char *charset, const char *in, size_t n)
{
	char chunk[1024], *ip = (char *)(uintptr_t)in, *op;
	size_t il = n, ol, r;
	iconv_t cd;
	int ret = 0;

	cd = iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1)
		return -1;
	cal_buf_add(out, "", 0);
	while (il > 0 && ret == 0) {
		op = chunk;
		ol = sizeof(chunk);
		r = iconv(cd, &ip, &il, &op, &ol);
		if (cal_buf_add(out, chunk, sizeof(chunk) - ol) != 0)
			ret = out->oom ? -2 : -1;
		else if (r == (size_t)-1 && errno != E2BIG)
			ret = -1;
	}
	op = chunk;
	ol = sizeof(chunk);
	if (ret == 0 && (iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1 ||
	    cal_buf_add(out, chunk, sizeof(chunk) - ol) != 0))
		ret = out->oom ? -2 : -1;
	iconv_close(cd);
	return ret;
}

/* esc_backslash - a 2.1 backslash at p; returns the bytes consumed */
static size_t
esc_backslash(struct cal_buf *out, const char *p)
{
	switch (p[1]) {
	case ';':
	case ',':
	case '\\':
		cal_buf_addc(out, '\\');
		cal_buf_addc(out, p[1]);
		return 2;
	case 'n':
	case 'N':
		cal_buf_adds(out, "\\n");
		return 2;
	default:
		cal_buf_adds(out, "\\\\");
		return 1;
	}
}

int
vc_escape30(struct cal_buf *out, const char *in, int structured, int commas)
{
	const char *p = in;

	cal_buf_add(out, "", 0);
	while (*p != '\0') {
		if (*p == '\\')
			p += esc_backslash(out, p);
		else if (*p == '\r' || *p == '\n') {
			cal_buf_adds(out, "\\n");
			p += (p[0] == '\r' && p[1] == '\n') ? 2 : 1;
		} else if (((unsigned char)*p < 0x20 && *p != '\t') ||
		    *p == 0x7F)
			p++;	/* a control character 3.0 cannot hold */
		else if ((*p == ';' && !structured) || (*p == ',' && commas)) {
			cal_buf_addc(out, '\\');
			cal_buf_addc(out, *p++);
		} else
			cal_buf_addc(out, *p++);
	}
	return out->oom || out->over ? -1 : 0;
}

int
vc_unescape(struct cal_buf *out, const char *in, size_t n)
{
	size_t i;

	cal_buf_add(out, "", 0);
	for (i = 0; i < n; i++) {
		if (((unsigned char)in[i] < 0x20 && in[i] != '\t' &&
		    in[i] != '\r' && in[i] != '\n') || in[i] == 0x7F)
			continue;
		if (in[i] == '\r') {
			cal_buf_addc(out, '\n');
			i += (i + 1 < n && in[i + 1] == '\n');
		} else if (in[i] == '\\' && i + 1 < n &&
		    strchr(";,\\nN", in[i + 1]) != NULL) {
			i++;
			cal_buf_addc(out, (in[i] == 'n' || in[i] == 'N') ? '\n'
			    : in[i]);
		} else
			cal_buf_addc(out, in[i]);
	}
	return out->oom || out->over ? -1 : 0;
}
