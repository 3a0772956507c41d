/*
 * cal_buf.c - a growing byte buffer with a ceiling
 *
 * Every buffer that grows on input has a maximum (aesthetics rule 14): past
 * it, appends fail and the caller reports CAL_LIMIT.
 */
#include <stdlib.h>
#include <string.h>

#include "cal_int.h"

void
cal_buf_init(struct cal_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void
cal_buf_free(struct cal_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static int
cal_buf_grow(struct cal_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (n > b->max - b->len) {
		b->over = 1;
		return -1;
	}
	if (b->len + n + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

int
cal_buf_add(struct cal_buf *b, const void *p, size_t n)
{
	if (b->over || b->oom)
		return -1;
	if (cal_buf_grow(b, n) != 0)
		return -1;
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int
cal_buf_adds(struct cal_buf *b, const char *s)
{
	return cal_buf_add(b, s, strlen(s));
}

int
cal_buf_addc(struct cal_buf *b, char c)
{
	return cal_buf_add(b, &c, 1);
}

char *
cal_buf_steal(struct cal_buf *b, size_t *len)
{
	char *p;

	if (b->p == NULL && cal_buf_grow(b, 0) != 0)
		return NULL;
	if (b->p == NULL)
		return NULL;
	p = b->p;
	p[b->len] = '\0';
	if (len != NULL)
		*len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}
