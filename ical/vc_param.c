/*
 * vc_param.c - a vCard property's parameters as a list
 *
 * vCard 2.1 writes bare tokens (TEL;WORK;VOICE), 3.0 NAME=value lists and
 * 4.0 quoted lists (TYPE="work,voice"); the conversion rules edit them as a
 * list and write them back in 3.0 form.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vc_int.h"

void
vc_params_free(struct vc_params *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++) {
		free(ps->v[i].name);
		free(ps->v[i].value);
	}
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}

/* params_push - append name (n bytes) and value (vn bytes, or NULL) */
static int
params_push(struct vc_params *ps, const char *name, size_t n,
    const char *value, size_t vn)
{
	struct vc_param *nv;
	size_t cap;

	if (ps->n == ps->cap) {
		cap = ps->cap ? ps->cap * 2 : 8;
		nv = reallocarray(ps->v, cap, sizeof(*nv));
		if (nv == NULL)
			return -1;
		ps->v = nv;
		ps->cap = cap;
	}
	ps->v[ps->n].name = strndup(name, n);
	ps->v[ps->n].value = value != NULL ? strndup(value, vn) : NULL;
	if (ps->v[ps->n].name == NULL ||
	    (value != NULL && ps->v[ps->n].value == NULL)) {
		free(ps->v[ps->n].name);
		free(ps->v[ps->n].value);
		return -1;
	}
	ps->n++;
	return 0;
}

int
vc_params_add(struct vc_params *ps, const char *name, const char *value)
{
	return params_push(ps, name, strlen(name), value,
	    value != NULL ? strlen(value) : 0);
}

void
vc_params_remove(struct vc_params *ps, size_t i)
{
	if (i >= ps->n)
		return;
	free(ps->v[i].name);
	free(ps->v[i].value);
	memmove(ps->v + i, ps->v + i + 1, (ps->n - i - 1) * sizeof(*ps->v));
	ps->n--;
}

/* params_value_end - end of a value: ';' outside quotes, or NUL */
static const char *
params_value_end(const char *p)
{
	int quoted = 0;

	for (; *p != '\0'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ';' && !quoted)
			break;
	}
	return p;
}

int
vc_params_parse(struct vc_params *ps, const char *s)
{
	const char *name, *v, *e;
	size_t nlen, vlen;

	memset(ps, 0, sizeof(*ps));
	while (*s == ';') {
		name = ++s;
		nlen = strcspn(s, "=;");
		s += nlen;
		if (*s != '=') {
			if (nlen > 0 && params_push(ps, name, nlen, NULL, 0))
				return -1;
			continue;
		}
		v = ++s;
		e = params_value_end(v);
		vlen = (size_t)(e - v);
		if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
			v++;
			vlen -= 2;
		}
		if (params_push(ps, name, nlen, v, vlen) != 0)
			return -1;
		s = e;
	}
	return 0;
}

size_t
vc_params_find(const struct vc_params *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (ps->v[i].value != NULL && cal_streq(ps->v[i].name, name))
			return i;
	return (size_t)-1;
}

int
vc_params_has(const struct vc_params *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (cal_streq(ps->v[i].name, name) ||
		    (ps->v[i].value != NULL && cal_streq(ps->v[i].value, name)))
			return 1;
	return 0;
}

const char *
vc_params_encoding(const struct vc_params *ps)
{
	static const char *const bare[] = { "QUOTED-PRINTABLE", "BASE64",
		"8BIT", "7BIT", NULL };
	size_t i, k;

	i = vc_params_find(ps, "ENCODING");
	if (i != (size_t)-1)
		return ps->v[i].value;
	for (i = 0; i < ps->n; i++)
		for (k = 0; ps->v[i].value == NULL && bare[k] != NULL; k++)
			if (cal_streq(ps->v[i].name, bare[k]))
				return bare[k];
	return NULL;
}

char *
vc_params_string(const struct vc_params *ps)
{
	struct cal_buf b;
	const char *v;
	size_t i;
	int quote;

	cal_buf_init(&b, (size_t)-1);
	cal_buf_add(&b, "", 0);
	for (i = 0; i < ps->n; i++) {
		cal_buf_addc(&b, ';');
		cal_buf_adds(&b, ps->v[i].name);
		if ((v = ps->v[i].value) == NULL)
			continue;
		quote = strpbrk(v, ":;") != NULL ||
		    (strchr(v, ',') != NULL && !cal_streq(ps->v[i].name,
		    "TYPE"));
		cal_buf_addc(&b, '=');
		if (quote)
			cal_buf_addc(&b, '"');
		cal_buf_adds(&b, v);
		if (quote)
			cal_buf_addc(&b, '"');
	}
	if (b.oom) {
		cal_buf_free(&b);
		return NULL;
	}
	return cal_buf_steal(&b, NULL);
}
