/*
 * cal_decode.c - from the part's bytes to UTF-8 text (R-LEX-1, R-LEX-4,
 * R-LEX-5 a)
 *
 * Order of evidence for the charset (R-LEX-4): the MIME charset parameter,
 * then a byte-order mark. Without either, the bytes must already be UTF-8;
 * otherwise the object is left as it is (FallbackCharset leave: never guess).
 * US-ASCII is a subset of UTF-8 and is read as such. Transcoding uses
 * iconv(3); the descriptor is opened per call, so nothing is shared between
 * threads.
 *
 * Before: Content-Type: text/calendar; charset=iso-8859-1
 *         SUMMARY:Besprechung M\xFCnchen
 * After:  SUMMARY:Besprechung M\xC3\xBCnchen   (and charset=utf-8 on the part)
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal_int.h"

/* cal_utf8_valid - 1 when buf is well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF) */
int
cal_utf8_valid(const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xC2 && s[i] <= 0xDF)
			n = 1, cp = s[i] & 0x1F;
		else if (s[i] >= 0xE0 && s[i] <= 0xEF)
			n = 2, cp = s[i] & 0x0F;
		else if (s[i] >= 0xF0 && s[i] <= 0xF4)
			n = 3, cp = s[i] & 0x07;
		else
			return 0;
		if (n > len - i - 1)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += n + 1;
	}
	return 1;
}

static int
cal_is_ascii(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)buf[i] >= 0x80)
			return 0;
	return 1;
}

/* cal_charset_is_utf8 - names that mean "read as UTF-8" */
static int
cal_charset_is_utf8(const char *cs)
{
	static const char *const names[] = {
		"utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968",
		"iso646-us", "us", NULL
	};
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (cal_streq(cs, names[i]))
			return 1;
	return 0;
}

/* cal_iconv - whole buffer from charset to UTF-8; -1 invalid, -2 OOM */
static int
cal_iconv(iconv_t cd, const char *in, size_t len, struct cal_buf *out)
{
	char chunk[4096], *ip = (char *)(uintptr_t)in, *op;
	size_t il = len, ol, r;

	while (il > 0) {
		op = chunk;
		ol = sizeof(chunk);
		r = iconv(cd, &ip, &il, &op, &ol);
		if (cal_buf_add(out, chunk, sizeof(chunk) - ol) != 0)
			return out->oom ? -2 : -1;
		if (r == (size_t)-1 && errno != E2BIG)
			return -1;	/* EILSEQ, or EINVAL: cut sequence */
	}
	op = chunk;
	ol = sizeof(chunk);
	if (iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1)
		return -1;	/* shift state could not be closed */
	if (cal_buf_add(out, chunk, sizeof(chunk) - ol) != 0)
		return out->oom ? -2 : -1;
	return 0;
}

/* cal_transcode - in (charset) to UTF-8 in out */
static enum cal_status
cal_transcode(struct cal_buf *out, const char *in, size_t len,
    const char *charset, struct cal_report *rep)
{
	iconv_t cd;
	int r;

	cd = iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1) {
		if (cal_is_ascii(in, len))
			return cal_buf_add(out, in, len) == 0 ? CAL_UNCHANGED
							      : CAL_ERROR;
		cal_report_add(rep, "R-LEX-4", CAL_REPORT,
		    "unknown charset \"%.40s\" with non-ASCII content; "
		    "left as it is", charset);
		return CAL_MALFORMED;
	}
	r = cal_iconv(cd, in, len, out);
	iconv_close(cd);
	if (r == -2)
		return CAL_ERROR;
	if (r == -1) {
		if (out->over)
			return CAL_LIMIT;
		cal_report_add(rep, "R-LEX-4", CAL_REPORT,
		    "content is not valid %.40s; left as it is", charset);
		return CAL_MALFORMED;
	}
	return CAL_UNCHANGED;
}

/* cal_strip_bom - detect a BOM; returns its length and the charset it means */
static size_t
cal_strip_bom(const char *in, size_t len, const char **bomcs)
{
	const unsigned char *s = (const unsigned char *)in;

	*bomcs = NULL;
	if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
		*bomcs = "UTF-8";
		return 3;
	}
	if (len >= 2 && s[0] == 0xFF && s[1] == 0xFE) {
		*bomcs = "UTF-16LE";
		return 2;
	}
	if (len >= 2 && s[0] == 0xFE && s[1] == 0xFF) {
		*bomcs = "UTF-16BE";
		return 2;
	}
	return 0;
}

/* cal_remove_controls - R-LEX-5 a: drop C0 except HTAB/CR/LF, and DEL */
static unsigned
cal_remove_controls(char *s, size_t *len)
{
	size_t i, o = 0;
	unsigned n = 0;
	unsigned char c;

	for (i = 0; i < *len; i++) {
		c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
		    c == 0x7F) {
			n++;
			continue;
		}
		s[o++] = s[i];
	}
	s[o] = '\0';
	*len = o;
	return n;
}

static int
cal_charset_is_utf16(const char *cs)
{
	return strncasecmp(cs, "utf-16", 6) == 0 ||
	    strncasecmp(cs, "utf16", 5) == 0 || strcasecmp(cs, "ucs-2") == 0;
}

/*
 * cal_pick_charset - which charset to read in, from the label and the BOM.
 * A UTF-16 BOM names the byte order, which a plain "utf-16" label does not;
 * a label of another family wins over a BOM (R-LEX-4 order), and then the
 * BOM is not removed (*skip = 0).
 */
static const char *
cal_pick_charset(const char *label, const char *bomcs, size_t *skip,
    struct cal_lexinfo *lex)
{
	const char *cs = NULL;
	int has_label = label != NULL && label[0] != '\0';
	int bom16 = bomcs != NULL && strcmp(bomcs, "UTF-8") != 0;

	if (bom16 && (!has_label || cal_charset_is_utf8(label) ||
	    cal_charset_is_utf16(label)))
		cs = bomcs;
	else if (has_label && !cal_charset_is_utf8(label))
		cs = label;
	if (bomcs != NULL && cs != bomcs && !(cs == NULL &&
	    strcmp(bomcs, "UTF-8") == 0))
		*skip = 0;	/* not the charset it would mark */
	if (cs != NULL)
		snprintf(lex->charset, sizeof(lex->charset), "%s", cs);
	return cs;
}

enum cal_status
cal_decode(char **text, size_t *textlen, struct cal_lexinfo *lex,
    const char *in, size_t len, const char *charset, struct cal_report *rep)
{
	struct cal_buf out;
	const char *bomcs, *cs;
	enum cal_status st = CAL_UNCHANGED;
	size_t skip;

	*text = NULL;
	if (in == NULL)
		in = "";	/* an empty part: (NULL, 0) */
	cal_buf_init(&out, len * 4 + 64);
	skip = cal_strip_bom(in, len, &bomcs);
	cs = cal_pick_charset(charset, bomcs, &skip, lex);
	lex->bom = skip > 0;
	if (cs != NULL)
		st = cal_transcode(&out, in + skip, len - skip, cs, rep);
	else if (cal_buf_add(&out, in + skip, len - skip) != 0)
		st = CAL_ERROR;
	if (st != CAL_UNCHANGED) {
		cal_buf_free(&out);
		return st;
	}
	if (cs != NULL && out.len == len - skip &&
	    (out.len == 0 || memcmp(out.p, in + skip, out.len) == 0))
		lex->charset[0] = '\0';	/* identical bytes: nothing transcoded */
	/* UTF-8 validity is judged per unfolded line by the lexer: a fold may
	 * legally cut a multi-octet sequence (RFC 5545 3.1) */
	lex->ctl_removed = cal_remove_controls(out.p, &out.len);
	*text = cal_buf_steal(&out, textlen);
	return *text != NULL ? CAL_UNCHANGED : CAL_ERROR;
}
