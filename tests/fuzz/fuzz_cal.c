/*
 * fuzz_cal.c - the calendar targets' common harness: one object through
 * cal_normalize(), whatever its kind, so that the vCalendar and vCard
 * targets exercise the converters as soon as the core has them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../../ical/cal_int.h"

static const char *const charsets[] = {
	NULL, "utf-8", "UTF-8", "us-ascii", "iso-8859-1", "windows-1252",
	"iso-8859-15", "utf-16", "utf-16le", "utf-16be", "shift_jis",
	"iso-2022-jp", "koi8-r", "gb18030", "utf-7", "x-no-such-charset",
};

static const char *const methods[] = {
	NULL, "REQUEST", "CANCEL", "x-bogus;method",
};

void
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

const char *
fuzz_charset(unsigned sel)
{
	return charsets[sel % (sizeof(charsets) / sizeof(charsets[0]))];
}

void
fuzz_check_object(const char *p, size_t len)
{
	size_t i, start = 0;

	if (p == NULL || len == 0)
		fuzz_fail("changed object without bytes");
	if (memchr(p, '\0', len) != NULL)
		fuzz_fail("NUL inside the output");
	if (!cal_utf8_valid(p, len))
		fuzz_fail("output is not UTF-8");
	for (i = 0; i < len; i++) {
		if (p[i] == '\r' && (i + 1 == len || p[i + 1] != '\n'))
			fuzz_fail("bare CR at %zu", i);
		if (p[i] != '\n')
			continue;
		if (i == 0 || p[i - 1] != '\r')
			fuzz_fail("bare LF at %zu", i);
		if (i - 1 - start > CAL_FOLD_MAX)
			fuzz_fail("line at %zu is %zu octets", start,
			    i - 1 - start);
		start = i + 1;
	}
	if (start != len)
		fuzz_fail("last line has no CRLF");
}

/* fuzz_setup - context and policy from the selector byte */
static void
fuzz_setup(unsigned sel, struct cal_context *ctx, struct cal_policy *pol)
{
	cal_context_init(ctx);
	cal_policy_default(pol);
	ctx->mime_charset = fuzz_charset(sel & 0x0f);
	ctx->mime_method = methods[(sel >> 4) & 0x03];
	ctx->from_addr = "alice@example.org";
	ctx->now = FUZZ_NOW;
	ctx->date = (sel & 0x40) ? FUZZ_NOW - 3600 : (time_t)-1;
	pol->lexical_only = (sel & 0x80) != 0;
	pol->missing_method = (enum cal_missing_method)(sel % 3);
}

void
fuzz_cal_one(const uint8_t *data, size_t size)
{
	struct cal_context ctx;
	struct cal_policy pol;
	struct cal_limits lim;
	struct cal_report rep;
	struct cal_out out;
	enum cal_status st;

	fuzz_setup(size > 0 ? data[size - 1] : 0, &ctx, &pol);
	cal_limits_default(&lim);
	cal_report_init(&rep, lim.max_findings);
	cal_out_init(&out);
	st = cal_normalize(&out, (const char *)data, size, &ctx, &pol, &lim,
	    &rep);
	if (st == CAL_CHANGED)
		fuzz_check_object(out.data, out.len);
	else if (out.data != NULL)
		fuzz_fail("%s with output bytes", cal_status_name(st));
	if (st > CAL_ERROR)
		fuzz_fail("status %d out of range", (int)st);
	cal_out_free(&out);
	cal_report_free(&rep);
}
