/*
 * cal_report.c - findings: rule id, fix or report, what changed and where
 *
 * The core never logs; it returns findings and milter/ writes them. The list
 * is bounded (max), so a hostile object cannot make it grow without end.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal.h"

void
cal_report_init(struct cal_report *rep, size_t max)
{
	memset(rep, 0, sizeof(*rep));
	rep->max = max;
}

void
cal_report_free(struct cal_report *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	for (i = 0; i < rep->n; i++)
		free(rep->v[i].text);
	free(rep->v);
	rep->v = NULL;
	rep->n = rep->cap = 0;
	rep->dropped = rep->nfix = 0;
}

void
cal_report_set_where(struct cal_report *rep, const char *where)
{
	snprintf(rep->where, sizeof(rep->where), "%s", where ? where : "");
}

static int
cal_report_reserve(struct cal_report *rep)
{
	struct cal_finding *v;
	size_t cap;

	if (rep->n < rep->cap)
		return 0;
	cap = rep->cap ? rep->cap * 2 : 16;
	v = realloc(rep->v, cap * sizeof(*v));
	if (v == NULL)
		return -1;
	rep->v = v;
	rep->cap = cap;
	return 0;
}

int
cal_report_add(struct cal_report *rep, const char *rule,
    enum cal_finding_kind kind, const char *fmt, ...)
{
	struct cal_finding *f;
	char text[512];
	size_t off;
	va_list ap;

	if (kind == CAL_FIX)
		rep->nfix++;
	if (rep->n >= rep->max) {
		rep->dropped++;
		return 0;
	}
	if (cal_report_reserve(rep) != 0)
		return -1;
	off = (size_t)snprintf(text, sizeof(text), "%s", rep->where);
	if (off >= sizeof(text))
		off = sizeof(text) - 1;
	va_start(ap, fmt);
	vsnprintf(text + off, sizeof(text) - off, fmt, ap);
	va_end(ap);
	f = &rep->v[rep->n];
	f->text = strdup(text);
	if (f->text == NULL)
		return -1;
	snprintf(f->rule, sizeof(f->rule), "%s", rule);
	f->kind = kind;
	rep->n++;
	return 0;
}

int
cal_report_has_fix(const struct cal_report *rep)
{
	return rep->nfix > 0;
}

void
cal_report_demote(struct cal_report *rep, size_t first, size_t first_fix,
    const char *prefix)
{
	size_t i, len;
	char *t;

	for (i = first; i < rep->n; i++) {
		if (rep->v[i].kind != CAL_FIX)
			continue;
		rep->v[i].kind = CAL_REPORT;
		len = strlen(rep->v[i].text) + strlen(prefix) + 1;
		t = malloc(len);
		if (t == NULL)
			continue;	/* keep the old text; the kind is right */
		snprintf(t, len, "%s%s", prefix, rep->v[i].text);
		free(rep->v[i].text);
		rep->v[i].text = t;
	}
	rep->nfix = first_fix;
}

void
cal_report_withdraw(struct cal_report *rep, size_t first, size_t first_fix)
{
	cal_report_demote(rep, first, first_fix, "not applied: ");
}

static int
cal_rule_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *
cal_report_rules(const struct cal_report *rep, enum cal_finding_kind kind)
{
	const char **ids;
	size_t i, n = 0, need = 1;
	char *out;

	ids = calloc(rep->n + 1, sizeof(*ids));
	if (ids == NULL)
		return NULL;
	for (i = 0; i < rep->n; i++)
		if (rep->v[i].kind == kind)
			ids[n++] = rep->v[i].rule;
	qsort(ids, n, sizeof(*ids), cal_rule_cmp);
	for (i = 0; i < n; i++)
		need += strlen(ids[i]) + 1;
	out = malloc(need);
	if (out != NULL) {
		out[0] = '\0';
		for (i = 0; i < n; i++) {
			if (i > 0 && strcmp(ids[i], ids[i - 1]) == 0)
				continue;
			if (out[0] != '\0')
				strncat(out, ",", need - strlen(out) - 1);
			strncat(out, ids[i], need - strlen(out) - 1);
		}
	}
	free(ids);
	return out;
}

int
cal_report_move(struct cal_report *dst, struct cal_report *src)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < src->n; i++) {
		if (ret != 0 || dst->n >= dst->max ||
		    cal_report_reserve(dst) != 0) {
			if (ret == 0 && dst->n < dst->max)
				ret = -1;	/* out of memory */
			else
				dst->dropped++;
			free(src->v[i].text);
			continue;
		}
		dst->v[dst->n++] = src->v[i];
	}
	dst->dropped += src->dropped;
	dst->nfix += src->nfix;
	free(src->v);
	src->v = NULL;
	src->n = src->cap = src->dropped = src->nfix = 0;
	return ret;
}
