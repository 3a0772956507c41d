/*
 * fuzz_mime.c - the whole-message entry point: what calnorm and the daemon
 * do with a message. A bare object goes through mime_process_object();
 * anything else through mime_process() and, when it changed, mime_apply().
 * The last byte picks the policy (R-MIME-7, R-ITIP-1).
 *
 * Contracts checked: a changed result has a body and applies; the fast
 * path's "no" from the top-level headers holds on the slow path (no part
 * seen, nothing changed), as in test_fast_corpus.c.
 */
#define _GNU_SOURCE	/* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../../mime/mime.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	mime_init();
	return 0;
}

/* struct hdr - the header field being read */
struct hdr {
	char	*name;
	char	*value;
};

/* hdr_flush - hand the field to the fast path */
static void
hdr_flush(struct mime_fast *f, struct hdr *h)
{
	if (h->name != NULL)
		mime_fast_header(f, h->name, h->value);
	free(h->name);
	free(h->value);
	h->name = h->value = NULL;
}

/* dup_n - n bytes as a string (transfer full); strndup would scan past
 * them for a NUL under strict_string_checks */
static char *
dup_n(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		fuzz_fail("out of memory");
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* hdr_start - a line "Name: value"; other lines (mbox "From ") skipped */
static void
hdr_start(struct hdr *h, const uint8_t *line, size_t n)
{
	const uint8_t *colon = memchr(line, ':', n);

	if (colon == NULL || colon == line ||
	    memchr(line, ' ', (size_t)(colon - line)) != NULL)
		return;
	h->name = dup_n(line, (size_t)(colon - line));
	h->value = dup_n(colon + 1, (size_t)(line + n - colon - 1));
}

/* hdr_fold - a continuation line: the break and the line, as received */
static void
hdr_fold(struct hdr *h, const uint8_t *line, size_t n)
{
	char *grown;

	if (asprintf(&grown, "%s\n%.*s", h->value, (int)n,
	    (const char *)line) < 0)
		fuzz_fail("out of memory");
	free(h->value);
	h->value = grown;
}

/* fast_says_no - mime_fast on the top-level header block, as libmilter
 * hands it over; *why is the fast path's reason (static) */
static int
fast_says_no(const uint8_t *msg, size_t len, const struct mime_policy *pol,
    const char **why)
{
	struct mime_fast *f = mime_fast_new(pol);
	struct hdr h = { NULL, NULL };
	size_t i, e, n;
	int no;

	if (f == NULL)
		fuzz_fail("out of memory");
	for (i = 0; i < len; i = e + 1) {
		for (e = i; e < len && msg[e] != '\n'; e++)
			;
		n = e - i;
		if (n > 0 && msg[i + n - 1] == '\r')
			n--;
		if (n == 0)
			break;		/* the empty line ends the block */
		if ((msg[i] == ' ' || msg[i] == '\t') && h.name != NULL)
			hdr_fold(&h, msg + i, n);
		else {
			hdr_flush(f, &h);
			hdr_start(&h, msg + i, n);
		}
	}
	hdr_flush(f, &h);
	no = !mime_fast_needs_body(f);
	*why = mime_fast_reason(f);
	mime_fast_free(f);
	return no;
}

/* fuzz_object - a bare calendar or vCard object */
static void
fuzz_object(const uint8_t *data, size_t size, const struct mime_policy *pol)
{
	struct cal_report rep;
	struct cal_out out;
	enum cal_status st;

	cal_out_init(&out);
	cal_report_init(&rep, pol->cal_limits.max_findings);
	st = mime_process_object(&out, data, size, pol, &rep);
	if (st == CAL_CHANGED)
		fuzz_check_object(out.data, out.len);
	cal_out_free(&out);
	cal_report_free(&rep);
}

/* fuzz_message - an RFC 5322 message, and the fast path's verdict on it */
static void
fuzz_message(const uint8_t *data, size_t size, const struct mime_policy *pol)
{
	struct mime_result res;
	enum cal_status st;
	const char *why;
	uint8_t *out;
	size_t outlen;
	int no = fast_says_no(data, size, pol, &why);

	mime_result_init(&res);
	st = mime_process(&res, data, size, pol);
	if (st == CAL_CHANGED) {
		if (res.body == NULL)
			fuzz_fail("changed message without a body");
		out = mime_apply(data, size, &res, &outlen);
		if (out == NULL)
			fuzz_fail("mime_apply: out of memory");
		free(out);
	}
	if (no && st == CAL_CHANGED)
		fuzz_fail("fast path said no (%s), the message changed", why);
	if (no && strcmp(why, "dkim") != 0 && strcmp(why, "signed") != 0 &&
	    res.parts_seen != 0)
		fuzz_fail("fast path said no (%s), %u part(s) seen", why,
		    res.parts_seen);
	mime_result_free(&res);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_policy pol;
	unsigned sel = size > 0 ? data[size - 1] : 0;

	mime_policy_default(&pol);
	pol.now = FUZZ_NOW;
	pol.normalize_encapsulated = (sel & 0x01) == 0;
	pol.cal.missing_method = (enum cal_missing_method)((sel >> 1) % 3);
	if (mime_input_is_object(data, size))
		fuzz_object(data, size, &pol);
	else
		fuzz_message(data, size, &pol);
	return 0;
}
