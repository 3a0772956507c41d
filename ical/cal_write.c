/*
 * cal_write.c - the tree back to text: CRLF line ends, folding at 75 octets
 * that never cuts a UTF-8 sequence (R-LEX-2, R-LEX-3)
 *
 * A line no rule touched, whose original folding was acceptable, is written
 * with its original folds; every other line is folded afresh. So a second
 * pass over the output changes nothing (N-11).
 */
#include <stdlib.h>
#include <string.h>

#include "cal_int.h"

static int
write_eol(struct cal_buf *o)
{
	return cal_buf_add(o, "\r\n", 2);
}

/* write_raw - original physical lines, each ended with CRLF */
static int
write_raw(struct cal_buf *o, const char *raw, size_t len)
{
	size_t i = 0, start = 0;

	while (i <= len) {
		if (i == len || raw[i] == '\r' || raw[i] == '\n') {
			if (cal_buf_add(o, raw + start, i - start) != 0 ||
			    write_eol(o) != 0)
				return -1;
			if (i + 1 < len && raw[i] == '\r' && raw[i + 1] == '\n')
				i++;
			start = i + 1;
		}
		i++;
	}
	return 0;
}

/* write_folded - one logical line folded at 75 octets on UTF-8 boundaries */
static int
write_folded(struct cal_buf *o, const char *l, size_t n)
{
	size_t i = 0, room = CAL_FOLD_MAX, end;

	for (;;) {
		end = n - i <= room ? n : i + room;
		while (end < n && end > i + 1 &&
		    ((unsigned char)l[end] & 0xC0) == 0x80)
			end--;	/* do not cut inside a UTF-8 sequence */
		if (cal_buf_add(o, l + i, end - i) != 0 || write_eol(o) != 0)
			return -1;
		if (end >= n)
			return 0;
		if (cal_buf_addc(o, ' ') != 0)
			return -1;
		i = end;
		room = CAL_FOLD_MAX - 1;
	}
}

static int
write_prop(struct cal_buf *o, const struct cal_prop *p)
{
	struct cal_buf l;
	int r;

	if (p->raw != NULL && !p->refold)
		return write_raw(o, p->raw, p->rawlen);
	cal_buf_init(&l, o->max);
	cal_buf_adds(&l, p->name);
	cal_buf_adds(&l, p->params);
	cal_buf_addc(&l, ':');
	cal_buf_adds(&l, p->value);
	r = (l.over || l.oom) ? -1 : write_folded(o, l.p, l.len);
	if (l.over)
		o->over = 1;
	cal_buf_free(&l);
	return r;
}

static int
write_comp(struct cal_buf *o, const struct cal_comp *c)
{
	size_t i;
	int r;

	if (c->begin != NULL && write_prop(o, c->begin) != 0)
		return -1;
	for (i = 0; i < c->n; i++) {
		if (c->items[i].type == CAL_ITEM_PROP)
			r = write_prop(o, c->items[i].u.prop);
		else
			r = write_comp(o, c->items[i].u.comp);
		if (r != 0)
			return -1;
	}
	if (c->end != NULL && write_prop(o, c->end) != 0)
		return -1;
	return 0;
}

char *
cal_doc_write(const struct cal_doc *doc, size_t max, size_t *len, int *over)
{
	struct cal_buf o;
	unsigned i;

	*over = 0;
	cal_buf_init(&o, max);
	if (write_comp(&o, &doc->root) != 0)
		goto fail;
	for (i = 0; i < doc->trailer_blank; i++)
		if (write_eol(&o) != 0)
			goto fail;
	return cal_buf_steal(&o, len);
fail:
	*over = o.over;
	cal_buf_free(&o);
	return NULL;
}
