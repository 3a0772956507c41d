/*
 * vc_prep.c - vCard 2.1's own line forms, made lexable (R-VC-3)
 *
 * Three forms of vCard 2.1 are not RFC 5545 content lines:
 * - a quoted-printable value continues after a soft line break ('=' at the
 *   end of a line) on a line that need not start with white space;
 * - a base64 block may run over lines that are not folded, and ends with
 *   an empty line;
 * - a value may be raw text in the property's CHARSET (SHIFT_JIS...).
 * Such a logical line is written unfolded on one line (soft breaks and
 * base64 line breaks removed, raw text transcoded to UTF-8 and its CHARSET
 * said to be UTF-8); every other physical line is copied as it is.
 */
#define _GNU_SOURCE	/* asprintf, strcasestr */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vc_int.h"

struct prep {
	const char		*s;
	size_t			 len;
	size_t			 pos;
	struct cal_buf		*out;
	struct vc_prepinfo	*pi;
};

/* phys - the physical line at pos: its content length and total length */
static void
phys(const struct prep *p, size_t pos, size_t *n, size_t *total)
{
	size_t i = pos;

	while (i < p->len && p->s[i] != '\r' && p->s[i] != '\n')
		i++;
	*n = i - pos;
	if (i + 1 < p->len && p->s[i] == '\r' && p->s[i + 1] == '\n')
		i += 2;
	else if (i < p->len)
		i++;
	*total = i - pos;
}

/* header_len - the name and parameters of a line: up to ':' */
static size_t
header_len(const char *l, size_t n)
{
	size_t i;
	int quoted = 0;

	for (i = 0; i < n; i++) {
		if (l[i] == '"')
			quoted = !quoted;
		else if (l[i] == ':' && !quoted)
			return i;
	}
	return n;
}

static int
has_token(const char *h, size_t n, const char *tok)
{
	size_t k = strlen(tok), i;

	for (i = 0; i + k <= n; i++)
		if (strncasecmp(h + i, tok, k) == 0)
			return 1;
	return 0;
}

/* is_b64_line - a physical line of bare base64 (no ':', not folded) */
static int
is_b64_line(const char *l, size_t n)
{
	size_t i;

	if (n == 0 || l[0] == ' ' || l[0] == '\t')
		return 0;
	for (i = 0; i < n; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789+/= \t", l[i]) == NULL)
			return 0;
	return 1;
}

/* gather - the logical line at pos, unfolded, into ll; returns its end */
static size_t
gather(struct prep *p, struct cal_buf *ll, int *joined)
{
	size_t pos = p->pos, n, total, hl;
	int qp = -1, b64 = -1;

	phys(p, pos, &n, &total);
	cal_buf_add(ll, p->s + pos, n);
	pos += total;
	for (;;) {
		hl = header_len(ll->p, ll->len);
		if (qp < 0) {
			qp = has_token(ll->p, hl, "QUOTED-PRINTABLE");
			b64 = has_token(ll->p, hl, "BASE64");
		}
		if (pos >= p->len)
			break;
		phys(p, pos, &n, &total);
		if (n > 0 && (p->s[pos] == ' ' || p->s[pos] == '\t') && !qp)
			cal_buf_add(ll, p->s + pos + 1, n - 1);
		else if (qp && ll->len > hl + 1 && ll->p[ll->len - 1] == '=' &&
		    n > 0) {
			ll->len--;	/* the soft break's '=' */
			cal_buf_add(ll, p->s + pos, n);
			p->pi->softbreaks++;
			*joined = 1;
		} else if (qp && n > 0 && (p->s[pos] == ' ' ||
		    p->s[pos] == '\t'))
			cal_buf_add(ll, p->s + pos + 1, n - 1);
		else if (b64 && is_b64_line(p->s + pos, n)) {
			cal_buf_add(ll, p->s + pos, n);
			p->pi->b64lines++;
			*joined = 1;
		} else
			break;
		pos += total;
	}
	return pos;
}

/* charset_of - the CHARSET value in a header, into cs; 0 when none */
static int
charset_of(const char *h, size_t n, char *cs, size_t cslen)
{
	size_t i, k;

	for (i = 0; i + 8 <= n; i++) {
		if (strncasecmp(h + i, "CHARSET=", 8) != 0)
			continue;
		i += 8;
		k = 0;
		while (i < n && h[i] != ';' && h[i] != ':' && k + 1 < cslen)
			cs[k++] = h[i++];
		cs[k] = '\0';
		return k > 0;
	}
	return 0;
}

static int
is_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* transcode - a raw value in its CHARSET to UTF-8; 1 done, 0 not, -1 OOM */
static int
transcode(struct prep *p, struct cal_buf *ll)
{
	size_t hl = header_len(ll->p, ll->len), at;
	char cs[32];
	struct cal_buf o;
	int r;

	if (hl >= ll->len || has_token(ll->p, hl, "QUOTED-PRINTABLE") ||
	    !charset_of(ll->p, hl, cs, sizeof(cs)) || vc_charset_is_utf8(cs) ||
	    is_ascii(ll->p + hl, ll->len - hl))
		return 0;
	cal_buf_init(&o, ll->max);
	at = (size_t)(strcasestr(ll->p, "CHARSET=") - ll->p);
	cal_buf_add(&o, ll->p, at);
	cal_buf_adds(&o, "CHARSET=UTF-8");
	cal_buf_add(&o, ll->p + at + 8 + strlen(cs), hl + 1 - at - 8 -
	    strlen(cs));
	r = vc_iconv(&o, cs, ll->p + hl + 1, ll->len - hl - 1);
	if (r != 0) {
		cal_buf_free(&o);
		return r == -2 ? -1 : 0;
	}
	cal_buf_free(ll);
	*ll = o;
	if (p->pi->transcoded++ == 0)
		snprintf(p->pi->charset, sizeof(p->pi->charset), "%s", cs);
	return 1;
}

/* prep_line - one logical line from pos to out */
static int
prep_line(struct prep *p)
{
	struct cal_buf ll;
	size_t end;
	int joined = 0, r;

	cal_buf_init(&ll, p->out->max);
	end = gather(p, &ll, &joined);
	r = ll.oom || ll.over ? -1 : transcode(p, &ll);
	if (r < 0 || (ll.oom || ll.over)) {
		cal_buf_free(&ll);
		return -1;
	}
	if (joined || r == 1) {
		cal_buf_add(p->out, ll.p, ll.len);
		cal_buf_adds(p->out, "\r\n");
	} else
		cal_buf_add(p->out, p->s + p->pos, end - p->pos);
	cal_buf_free(&ll);
	p->pos = end;
	return p->out->oom || p->out->over ? -1 : 0;
}

char *
vc_prep(const char *text, size_t len, size_t max, size_t *outlen,
    struct vc_prepinfo *pi)
{
	struct cal_buf out;
	struct prep p = { text, len, 0, &out, pi };

	memset(pi, 0, sizeof(*pi));
	cal_buf_init(&out, max);
	cal_buf_add(&out, "", 0);
	while (p.pos < len)
		if (prep_line(&p) != 0) {
			cal_buf_free(&out);
			return NULL;
		}
	return cal_buf_steal(&out, outlen);
}
