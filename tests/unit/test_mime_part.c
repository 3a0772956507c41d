/*
 * test_mime_part.c - how mime_process() rewrites one part and what
 * mime_apply() relays: every byte outside the changed part stays (N-9);
 * a top-level calendar gets header edits in an order safe to execute;
 * inbound X-Calmilter headers go; the labels follow the content (R-MIME-1,
 * R-ITIP-2); the transfer encoding is kept or made 7-bit safe (R-MIME-2);
 * LF-only message files keep LF; a part whose labels are ambiguous is left.
 */
#include "unit.h"
#include "caltest.h"
#include "mimetest.h"

#include <gmime/gmime.h>

#define CAL_FIXED                                                              \
	"BEGIN:VCALENDAR\r\n"                                                  \
	"VERSION:2.0\r\n"                                                      \
	"PRODID:-//calmilter//calmilter//EN\r\n"                               \
	"METHOD:REQUEST\r\n"                                                   \
	"BEGIN:VEVENT\r\n"                                                     \
	"UID:mime-1@example.org\r\n"                                           \
	"DTSTAMP:20250101T000000Z\r\n"                                         \
	"SEQUENCE:0\r\n"                                                       \
	"DTSTART:20250310T090000Z\r\n"                                         \
	"DTEND:20250310T100000Z\r\n"                                           \
	"SUMMARY:Review\r\n"                                                   \
	"ORGANIZER;CN=Alice:mailto:alice@example.org\r\n"                      \
	"ATTENDEE;CN=Bob;RSVP=TRUE:mailto:bob@example.net\r\n"                 \
	"END:VEVENT\r\n"                                                       \
	"END:VCALENDAR\r\n"

/* header_end - offset of the body (after the empty line) of msg */
static size_t
body_offset(const uint8_t *msg, size_t len)
{
	long a = mt_find(msg, len, 0, "\r\n\r\n");
	long b = mt_find(msg, len, 0, "\n\n");

	if (a >= 0 && (b < 0 || a < b))
		return (size_t)a + 4;
	assert_true(b >= 0);
	return (size_t)b + 2;
}

/* decode_region - content [from, to) of the output in the given encoding */
static GByteArray *
decode_region(const uint8_t *p, size_t len, GMimeContentEncoding enc)
{
	GMimeEncoding st;
	GByteArray *out = g_byte_array_new();
	size_t n;

	g_mime_encoding_init_decode(&st, enc);
	g_byte_array_set_size(out, (guint)g_mime_encoding_outlen(&st, len));
	n = g_mime_encoding_flush(&st, (const char *)p, len, (char *)out->data);
	g_byte_array_set_size(out, (guint)n);
	return out;
}

/* the content of the first part whose header block contains label:
 * from after its empty line up to the delimiter line */
static void
part_content(const struct mt *m, const char *label, size_t *from, size_t *to)
{
	long h = mt_find(m->out, m->outlen, 0, label), s, e;

	assert_true(h >= 0);
	s = mt_find(m->out, m->outlen, (size_t)h, "\r\n\r\n");
	assert_true(s >= 0);
	e = mt_find(m->out, m->outlen, (size_t)s + 4, "\r\n--");
	assert_true(e >= 0);
	*from = (size_t)s + 4;
	*to = (size_t)e;
}

/* ---- N-9: unchanged bytes -------------------------------------------------
 */

static void
test_part_bytes_outside_calendar_identical(void **state)
{
	struct mt m;
	long hstart, cend, ob;
	size_t body, hdrs, tail;
	char trace[256];

	(void)state;
	mt_init(&m);
	mt_run(&m, "only-calendar-changes.eml");
	mt_assert_status(&m, CAL_CHANGED);
	assert_int_equal(m.res.parts_changed, 1);
	body = body_offset(m.in, m.inlen);
	/* the calendar part: its header block up to the end of its content */
	hstart = mt_find(m.in, m.inlen, 0, "Content-Type: text/calendar");
	cend = mt_find(m.in, m.inlen, (size_t)hstart, "END:VCALENDAR");
	assert_true(hstart > 0 && cend > hstart);
	cend += (long)strlen("END:VCALENDAR");
	/* the new body: same bytes before the part and after its content */
	assert_memory_equal(m.res.body, m.in + body, (size_t)hstart - body);
	tail = m.inlen - (size_t)cend;
	assert_true(m.res.body_len > tail);
	assert_memory_equal(m.res.body + m.res.body_len - tail, m.in + cend,
	                    tail);
	/* the part's own header block is unchanged too (nothing to relabel) */
	assert_memory_equal(
	    m.res.body + ((size_t)hstart - body), m.in + hstart,
	    (size_t)(mt_find(m.in, m.inlen, (size_t)hstart, "BEGIN:VCALENDAR") -
	             hstart));
	/* the relayed message: the header block with one line added */
	assert_int_equal(m.res.nedits, 1);
	assert_int_equal(mt_edit(&m, 0)->op, MIME_HDR_ADD);
	assert_string_equal(mt_edit(&m, 0)->name, "X-Calmilter");
	hdrs = body - 2; /* without the empty line */
	assert_memory_equal(m.out, m.in, hdrs);
	snprintf(trace, sizeof(trace), "X-Calmilter:%s\r\n\r\n",
	         mt_edit(&m, 0)->value);
	assert_memory_equal(m.out + hdrs, trace, strlen(trace));
	ob = (long)(hdrs + strlen(trace));
	assert_int_equal(m.outlen - (size_t)ob, m.res.body_len);
	assert_memory_equal(m.out + ob, m.res.body, m.res.body_len);
	mt_assert_idempotent(&m);
	mt_free(&m);
}

/* the trace header names the rules that changed something */
static void
test_part_trace_header_names_rules(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "only-calendar-changes.eml");
	mt_assert_status(&m, CAL_CHANGED);
	assert_non_null(strstr(mt_edit(&m, 0)->value, " normalized; rules="));
	assert_non_null(strstr(mt_edit(&m, 0)->value, "R-LEX-9"));
	assert_null(strchr(mt_edit(&m, 0)->value, '\r'));
	mt_free(&m);
}

/*
 * A correct calendar part directly followed by the delimiter line is left
 * as it is. BUG (reported): RFC 2046 5.1.1 attaches the CRLF before the
 * delimiter to the delimiter, so the content handed to the core ends with
 * "END:VCALENDAR" and no line end; R-LEX-2 then "fixes" the missing final
 * CRLF and every such part (the common case) is rewritten. Seen in the
 * corpus, e.g. comm-central__message-containing-event.eml.
 */
static void
test_part_correct_calendar_at_boundary_untouched(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "correct-at-boundary.eml");
	assert_int_equal(m.res.parts_seen, 1);
	if (m.res.status == CAL_CHANGED)
		mt_dump(&m);
	mt_assert_untouched(&m);
	mt_free(&m);
}

static void
test_part_correct_calendar_blank_before_boundary_untouched(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "correct-blank-before-boundary.eml");
	assert_int_equal(m.res.parts_seen, 1);
	mt_assert_status(&m, CAL_UNCHANGED);
	mt_assert_untouched(&m);
	mt_free(&m);
}

/* ---- top-level calendar
 * ------------------------------------------------------ */

static void
test_part_toplevel_header_edits_and_body(void **state)
{
	struct mt m;
	const struct mime_hdr_edit *e;

	(void)state;
	mt_init(&m);
	mt_run(&m, "toplevel-calendar.eml");
	mt_assert_status(&m, CAL_CHANGED);
	ct_assert_fixes(&m.res.report, "R-LEX-9,R-MIME-1");
	/* the body is the new calendar, nothing else */
	assert_int_equal(m.res.body_len, strlen(CAL_FIXED));
	assert_memory_equal(m.res.body, CAL_FIXED, m.res.body_len);
	assert_int_equal(m.res.nedits, 4);
	/* inbound trace headers first, from the last: indices stay valid */
	e = mt_edit(&m, 0);
	assert_int_equal(e->op, MIME_HDR_DELETE);
	assert_string_equal(e->name, "X-Calmilter");
	assert_int_equal(e->index, 2);
	e = mt_edit(&m, 1);
	assert_int_equal(e->op, MIME_HDR_DELETE);
	assert_string_equal(e->name, "X-Calmilter");
	assert_int_equal(e->index, 1);
	e = mt_edit(&m, 2);
	assert_int_equal(e->op, MIME_HDR_CHANGE);
	assert_string_equal(e->name, "Content-Type");
	assert_int_equal(e->index, 1);
	assert_string_equal(e->value, " text/calendar; charset=utf-8; "
	                              "method=REQUEST");
	/* our own trace header is added last */
	e = mt_edit(&m, 3);
	assert_int_equal(e->op, MIME_HDR_ADD);
	assert_string_equal(e->name, "X-Calmilter");
	assert_string_equal(e->value, " normalized; rules=R-LEX-9,R-MIME-1");
	mt_free(&m);
}

/* executing the edits one by one gives exactly this message */
static void
test_part_toplevel_applied_message(void **state)
{
	static const char want[] =
	    "From: Alice <alice@example.org>\r\n"
	    "To: Bob <bob@example.net>\r\n"
	    "Subject: Review\r\n"
	    "Date: Mon, 10 Mar 2025 09:46:40 +0000\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/calendar; charset=utf-8; method=REQUEST\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n"
	    "X-Calmilter: normalized; rules=R-LEX-9,R-MIME-1\r\n"
	    "\r\n" CAL_FIXED;
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "toplevel-calendar.eml");
	mt_assert_status(&m, CAL_CHANGED);
	if (m.outlen != strlen(want) || memcmp(m.out, want, m.outlen) != 0)
		print_message("got:\n%.*s\n", (int)m.outlen, (char *)m.out);
	assert_int_equal(m.outlen, strlen(want));
	assert_memory_equal(m.out, want, m.outlen);
	mt_assert_idempotent(&m);
	mt_free(&m);
}

/* an unchanged message keeps its inbound X-Calmilter headers: no edits */
static void
test_part_trace_headers_kept_when_unchanged(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_runs(&m,
	        "From: a@example.org\r\nX-Calmilter: normalized; rules=R-X\r\n"
	        "MIME-Version: 1.0\r\n"
	        "Content-Type: text/calendar; charset=utf-8; method=PUBLISH\r\n"
	        "\r\n"
	        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
	        "METHOD:PUBLISH\r\nBEGIN:VEVENT\r\nUID:1\r\n"
	        "DTSTAMP:20250101T000000Z\r\nDTSTART:20250101T100000Z\r\n"
	        "DTEND:20250101T110000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
	mt_assert_status(&m, CAL_UNCHANGED);
	mt_assert_untouched(&m);
	mt_free(&m);
}

/* ---- line ends -------------------------------------------------------------
 */

static void
test_part_lf_message_keeps_lf_and_is_idempotent(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "lf-only.eml");
	assert_null(memchr(m.in, '\r', m.inlen));
	mt_assert_status(&m, CAL_CHANGED);
	assert_int_equal(ct_count(&m.res.report, "R-LEX-9", CAL_FIX), 1);
	/* MIME structure and the 7bit calendar both use the file's LF */
	assert_null(memchr(m.out, '\r', m.outlen));
	assert_true(mt_has(&m, "\nX-Calmilter: normalized; rules="));
	assert_true(mt_has(&m, "\nPRODID:-//calmilter//calmilter//EN\n"
	                       "METHOD:REQUEST\n"));
	assert_true(mt_has(&m, "\n--lf--\n"));
	mt_assert_idempotent(&m);
	mt_free(&m);
}

/* ---- transfer encodings (R-MIME-2) ------------------------------------------
 */

#define CAL_UMLAUT                                                             \
	"BEGIN:VCALENDAR\r\n"                                                  \
	"VERSION:2.0\r\n"                                                      \
	"PRODID:-//calmilter//calmilter//EN\r\n"                               \
	"METHOD:REQUEST\r\n"                                                   \
	"BEGIN:VEVENT\r\n"                                                     \
	"UID:mime-1@example.org\r\n"                                           \
	"DTSTAMP:20250101T000000Z\r\n"                                         \
	"SEQUENCE:0\r\n"                                                       \
	"DTSTART:20250310T090000Z\r\n"                                         \
	"DTEND:20250310T100000Z\r\n"

static void
test_part_base64_kept_when_rewritten(void **state)
{
	static const char want[] =
	    CAL_UMLAUT "SUMMARY:Review in M\xC3\xBCnchen\r\n"
	               "ORGANIZER;CN=Alice:mailto:alice@example.org\r\n"
	               "ATTENDEE;CN=Bob;RSVP=TRUE:mailto:bob@example.net\r\n"
	               "END:VEVENT\r\nEND:VCALENDAR\r\n";
	struct mt m;
	size_t from, to, i, col = 0;
	GByteArray *dec;

	(void)state;
	mt_init(&m);
	mt_run(&m, "base64-calendar.eml");
	mt_assert_status(&m, CAL_CHANGED);
	assert_int_equal(ct_count(&m.res.report, "R-MIME-2", CAL_FIX), 0);
	assert_true(mt_has(&m, "Content-Type: text/calendar; charset=utf-8; "
	                       "method=REQUEST\r\n"
	                       "Content-Transfer-Encoding: base64\r\n\r\n"));
	part_content(&m, "Content-Type: text/calendar", &from, &to);
	for (i = from; i < to; i++) {
		if (m.out[i] == '\r' || m.out[i] == '\n') {
			col = 0;
			continue;
		}
		assert_true(++col <= 76);
	}
	dec = decode_region(m.out + from, to - from,
	                    GMIME_CONTENT_ENCODING_BASE64);
	assert_int_equal(dec->len, strlen(want));
	assert_memory_equal(dec->data, want, dec->len);
	g_byte_array_unref(dec);
	mt_assert_idempotent(&m);
	mt_free(&m);
}

static void
test_part_qp_kept_when_rewritten(void **state)
{
	struct mt m;
	size_t from, to, i, col = 0;
	GByteArray *dec;

	(void)state;
	mt_init(&m);
	mt_run(&m, "qp-calendar.eml");
	mt_assert_status(&m, CAL_CHANGED);
	assert_int_equal(ct_count(&m.res.report, "R-MIME-2", CAL_FIX), 0);
	assert_true(mt_has(&m, "Content-Transfer-Encoding: quoted-printable\r\n"
	                       "\r\n"));
	part_content(&m, "Content-Type: text/calendar", &from, &to);
	for (i = from; i < to; i++) {
		if (m.out[i] == '\r' || m.out[i] == '\n') {
			col = 0;
			continue;
		}
		assert_true(m.out[i] < 0x80);
		assert_true(++col <= 76);
	}
	dec = decode_region(m.out + from, to - from,
	                    GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	/* the decoded calendar: PRODID added; the long line refolded, its
	 * commas escaped (R-LEX-6) */
	assert_true(dec->len > strlen(CAL_UMLAUT));
	assert_memory_equal(dec->data, CAL_UMLAUT, strlen(CAL_UMLAUT));
	assert_non_null(g_strstr_len((const char *)dec->data, (gssize)dec->len,
	                             "SUMMARY:Review in M\xC3\xBCnchen\r\n"));
	assert_non_null(g_strstr_len(
	    (const char *)dec->data, (gssize)dec->len,
	    "DESCRIPTION:A long description that goes on and on\\, past the"));
	g_byte_array_unref(dec);
	mt_assert_idempotent(&m);
	mt_free(&m);
}

/* latin1_case - transcoded, labelled UTF-8, and base64 for 7-bit safety */
static void
latin1_case(const char *fixture, const char *was)
{
	static const char want[] =
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//Example Corp//Test 1.0//EN\r\nMETHOD:REQUEST\r\n"
	    "BEGIN:VEVENT\r\nUID:mime-1@example.org\r\n"
	    "DTSTAMP:20250101T000000Z\r\nSEQUENCE:0\r\n"
	    "DTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\n"
	    "SUMMARY:Besprechung M\xC3\xBCnchen\r\n"
	    "ORGANIZER;CN=Alice:mailto:alice@example.org\r\n"
	    "ATTENDEE;CN=Bob;RSVP=TRUE:mailto:bob@example.net\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n";
	struct mt m;
	size_t from, to;
	GByteArray *dec;

	mt_init(&m);
	mt_run(&m, fixture);
	mt_assert_status(&m, CAL_CHANGED);
	assert_int_equal(ct_count(&m.res.report, "R-LEX-4", CAL_FIX), 1);
	assert_int_equal(ct_count(&m.res.report, "R-MIME-2", CAL_FIX), 1);
	assert_non_null(
	    strstr(ct_text(&m.res.report, "R-MIME-2", CAL_FIX), was));
	assert_true(mt_has(&m, "Content-Type: text/calendar; method=REQUEST; "
	                       "charset=utf-8\r\n"
	                       "Content-Transfer-Encoding: base64\r\n\r\n"));
	assert_false(mt_has(&m, "iso-8859-1"));
	assert_false(mt_has(&m, "Content-Transfer-Encoding: 8bit"));
	part_content(&m, "Content-Type: text/calendar", &from, &to);
	dec = decode_region(m.out + from, to - from,
	                    GMIME_CONTENT_ENCODING_BASE64);
	assert_int_equal(dec->len, strlen(want));
	assert_memory_equal(dec->data, want, dec->len);
	g_byte_array_unref(dec);
	mt_assert_idempotent(&m);
	mt_free(&m);
}

static void
test_part_7bit_latin1_becomes_utf8_base64(void **state)
{
	(void)state;
	latin1_case("latin1-7bit.eml", "7bit");
}

static void
test_part_8bit_latin1_becomes_utf8_base64(void **state)
{
	(void)state;
	latin1_case("latin1-8bit.eml", "8bit");
}

/* a top-level part without a transfer encoding header gets one added */
static void
test_part_toplevel_latin1_gets_cte_added(void **state)
{
	struct mt m;
	const struct mime_hdr_edit *e;
	GByteArray *dec;

	(void)state;
	mt_init(&m);
	mt_run(&m, "toplevel-latin1.eml");
	mt_assert_status(&m, CAL_CHANGED);
	ct_assert_fixes(&m.res.report, "R-LEX-4,R-MIME-1,R-MIME-2");
	assert_int_equal(m.res.nedits, 3);
	e = mt_edit(&m, 0);
	assert_int_equal(e->op, MIME_HDR_CHANGE);
	assert_string_equal(e->name, "Content-Type");
	assert_string_equal(e->value, " text/calendar; method=REQUEST; "
	                              "charset=utf-8");
	e = mt_edit(&m, 1);
	assert_int_equal(e->op, MIME_HDR_ADD);
	assert_string_equal(e->name, "Content-Transfer-Encoding");
	assert_string_equal(e->value, " base64");
	e = mt_edit(&m, 2);
	assert_int_equal(e->op, MIME_HDR_ADD);
	assert_string_equal(e->name, "X-Calmilter");
	dec = decode_region(m.res.body, m.res.body_len,
	                    GMIME_CONTENT_ENCODING_BASE64);
	assert_non_null(
	    g_strstr_len((const char *)dec->data, (gssize)dec->len,
	                 "\r\nSUMMARY:Besprechung M\xC3\xBCnchen\r\n"));
	g_byte_array_unref(dec);
	mt_assert_idempotent(&m);
	mt_free(&m);
}

/* 8bit is never written: an ASCII rewrite of an 8bit part is 7bit */
static void
test_part_8bit_ascii_rewrite_becomes_7bit(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "8bit-ascii.eml");
	mt_assert_status(&m, CAL_CHANGED);
	ct_assert_fixes(&m.res.report, "R-LEX-9,R-MIME-2");
	assert_true(mt_has(&m, "Content-Type: text/calendar; charset=utf-8; "
	                       "method=REQUEST\r\n"
	                       "Content-Transfer-Encoding: 7bit\r\n\r\n"
	                       "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	                       "PRODID:-//calmilter//calmilter//EN\r\n"));
	mt_assert_idempotent(&m);
	mt_free(&m);
}

/* a rewritten Content-Type is folded before 78 columns, parameters kept */
static void
test_part_long_content_type_folded(void **state)
{
	struct mt m;
	long h, e, ls;
	size_t i;

	(void)state;
	mt_init(&m);
	mt_run(&m, "long-ctype.eml");
	mt_assert_status(&m, CAL_CHANGED);
	h = mt_find(m.out, m.outlen, 0, "Content-Type: text/calendar;");
	e = mt_find(m.out, m.outlen, (size_t)h, "Content-Transfer-Encoding:");
	assert_true(h > 0 && e > h);
	/* every physical line of the field within 78 octets, folds CRLF+TAB */
	for (ls = h, i = (size_t)h; i < (size_t)e; i++) {
		if (m.out[i] != '\n')
			continue;
		assert_true(i - (size_t)ls - 1 <= 78);
		assert_int_equal(m.out[i - 1], '\r');
		if (i + 1 < (size_t)e)
			assert_int_equal(m.out[i + 1], '\t');
		ls = (long)i + 1;
	}
	assert_true(mt_has(&m, "name=\"a-rather-long-file-name-for-the-"
	                       "quarterly-planning-meeting-2025.ics\";"));
	assert_true(mt_has(&m, "charset=utf-8"));
	assert_true(mt_has(&m, "method=REQUEST\r\n"
	                       "Content-Transfer-Encoding: base64\r\n"));
	assert_false(mt_has(&m, "iso-8859-1"));
	mt_assert_idempotent(&m);
	mt_free(&m);
}

/* the trace header names every rule, folded at a comma when long */
static void
test_part_trace_header_folded_when_long(void **state)
{
	struct mt m;
	const char *v;
	char **lines;
	size_t i;

	(void)state;
	mt_init(&m);
	mt_run(&m, "many-rules.eml");
	mt_assert_status(&m, CAL_CHANGED);
	v = mt_edit(&m, m.res.nedits - 1)->value;
	assert_non_null(strstr(v, ",\n\t"));
	lines = g_strsplit(v, "\n", -1);
	for (i = 0; lines[i] != NULL; i++)
		assert_true(strlen(lines[i]) +
		                (i == 0 ? strlen("X-Calmilter:") : 0) <=
		            78);
	g_strfreev(lines);
	assert_non_null(strstr(v, " normalized; rules=R-ITIP-1,R-ITIP-2,"));
	assert_non_null(strstr(v, "R-MIME-1,R-MIME-2"));
	assert_true(mt_has(&m, ",\r\n\tR-"));
	mt_assert_idempotent(&m);
	mt_free(&m);
}

/* ---- labels (R-MIME-1, R-ITIP-2)
 * ---------------------------------------------- */

/*
 * label_case - only the Content-Type line of the calendar part changes:
 * the output is the input with that one line replaced and the trace
 * header added.
 */
static void
label_case(const char *fixture, const char *old_line, const char *new_line,
           const char *rule)
{
	struct mt m;
	long at;
	size_t body, hdrs, n;
	GByteArray *want = g_byte_array_new();
	char trace[256];

	mt_init(&m);
	mt_run(&m, fixture);
	mt_assert_status(&m, CAL_CHANGED);
	ct_assert_fixes(&m.res.report, rule);
	body = body_offset(m.in, m.inlen);
	hdrs = body - 2;
	at = mt_find(m.in, m.inlen, body, old_line);
	assert_true(at > 0);
	assert_int_equal(m.res.nedits, 1);
	snprintf(trace, sizeof(trace), "X-Calmilter:%s\r\n",
	         mt_edit(&m, 0)->value);
	g_byte_array_append(want, m.in, (guint)hdrs);
	g_byte_array_append(want, (const guint8 *)trace, (guint)strlen(trace));
	g_byte_array_append(want, m.in + hdrs, (guint)(at - (long)hdrs));
	g_byte_array_append(want, (const guint8 *)new_line,
	                    (guint)strlen(new_line));
	n = strlen(old_line);
	g_byte_array_append(want, m.in + at + n, (guint)(m.inlen - at - n));
	if (m.outlen != want->len)
		print_message("got:\n%.*s\n", (int)m.outlen, (char *)m.out);
	assert_int_equal(m.outlen, want->len);
	assert_memory_equal(m.out, want->data, want->len);
	g_byte_array_unref(want);
	mt_assert_idempotent(&m);
	mt_free(&m);
}

/* the example of R-MIME-1 / R-ITIP-2: the property wins */
static void
test_part_method_param_aligned_to_property(void **state)
{
	(void)state;
	label_case("method-mismatch.eml",
	           "Content-Type: text/calendar; charset=\"UTF-8\"; "
	           "method=REQUEST\r\n",
	           "Content-Type: text/calendar; charset=\"UTF-8\"; "
	           "method=PUBLISH\r\n",
	           "R-ITIP-2");
}

static void
test_part_method_param_added(void **state)
{
	(void)state;
	label_case(
	    "method-param-missing.eml",
	    "Content-Type: text/calendar; charset=utf-8\r\n",
	    "Content-Type: text/calendar; charset=utf-8; method=REQUEST\r\n",
	    "R-MIME-1");
}

/* R-MIME-1: a method= without a METHOD (and none added) is removed */
static void
test_part_method_param_removed_without_method(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	m.pol.cal.missing_method = CAL_MISSING_METHOD_LEAVE;
	mt_runs(&m,
	        "From: a@example.org\r\nMIME-Version: 1.0\r\n"
	        "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n"
	        "--x\r\n"
	        "Content-Type: text/calendar; charset=utf-8; method=INVITE\r\n"
	        "\r\n"
	        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
	        "BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20250101T000000Z\r\n"
	        "DTSTART:20250101T100000Z\r\nDTEND:20250101T110000Z\r\n"
	        "END:VEVENT\r\nEND:VCALENDAR\r\n"
	        "\r\n--x--\r\n");
	mt_assert_status(&m, CAL_CHANGED);
	ct_assert_fixes(&m.res.report, "R-MIME-1");
	assert_true(mt_has(&m,
	                   "\r\nContent-Type: text/calendar; charset=utf-8\r\n"
	                   "\r\nBEGIN:VCALENDAR"));
	mt_free(&m);
}

/* R-MIME-1: a rewritten part is labelled charset=utf-8 */
static void
test_part_charset_utf8_added_after_rewrite(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_runs(&m, "From: a@example.org\r\nMIME-Version: 1.0\r\n"
	            "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n"
	            "--x\r\n"
	            "Content-Type: text/calendar; method=PUBLISH\r\n"
	            "\r\n"
	            "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//y//EN\n"
	            "METHOD:PUBLISH\nBEGIN:VEVENT\nUID:1\n"
	            "DTSTAMP:20250101T000000Z\nDTSTART:20250101T100000Z\n"
	            "DTEND:20250101T110000Z\nEND:VEVENT\nEND:VCALENDAR\n"
	            "\r\n--x--\r\n");
	mt_assert_status(&m, CAL_CHANGED);
	ct_assert_fixes(&m.res.report, "R-LEX-2,R-MIME-1");
	assert_true(mt_has(&m,
	                   "\r\nContent-Type: text/calendar; method=PUBLISH; "
	                   "charset=utf-8\r\n\r\nBEGIN:VCALENDAR\r\n"));
	mt_assert_idempotent(&m);
	mt_free(&m);
}

/* a METHOD-less calendar labelled method=REQUEST gets METHOD:REQUEST and
 * keeps its label (R-ITIP-1 step 1) */
static void
test_part_method_copied_from_param(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_runs(&m,
	        "From: a@example.org\r\nMIME-Version: 1.0\r\n"
	        "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n"
	        "--x\r\n"
	        "Content-Type: text/calendar; charset=utf-8; method=REQUEST\r\n"
	        "\r\n"
	        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
	        "BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20250101T000000Z\r\n"
	        "SEQUENCE:0\r\nDTSTART:20250101T100000Z\r\n"
	        "DTEND:20250101T110000Z\r\n"
	        "ORGANIZER:mailto:a@example.org\r\n"
	        "ATTENDEE:mailto:b@example.org\r\n"
	        "END:VEVENT\r\nEND:VCALENDAR\r\n"
	        "\r\n--x--\r\n");
	mt_assert_status(&m, CAL_CHANGED);
	ct_assert_fixes(&m.res.report, "R-ITIP-1");
	assert_true(mt_has(&m, "Content-Type: text/calendar; charset=utf-8; "
	                       "method=REQUEST\r\n\r\nBEGIN:VCALENDAR\r\n"
	                       "VERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
	                       "METHOD:REQUEST\r\nBEGIN:VEVENT\r\n"));
	mt_free(&m);
}

/* the Date header stands in for a missing DTSTAMP (R-ITIP-6) */
static void
test_part_dtstamp_from_date_header(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_runs(&m,
	        "From: a@example.org\r\n"
	        "Date: Mon, 10 Mar 2025 10:46:40 +0100\r\n"
	        "MIME-Version: 1.0\r\n"
	        "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n"
	        "--x\r\n"
	        "Content-Type: text/calendar; charset=utf-8; method=PUBLISH\r\n"
	        "\r\n"
	        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
	        "METHOD:PUBLISH\r\nBEGIN:VEVENT\r\nUID:1\r\n"
	        "DTSTART:20250101T100000Z\r\nDTEND:20250101T110000Z\r\n"
	        "END:VEVENT\r\nEND:VCALENDAR\r\n"
	        "\r\n--x--\r\n");
	mt_assert_status(&m, CAL_CHANGED);
	ct_assert_fixes(&m.res.report, "R-ITIP-6");
	assert_true(mt_has(&m, "UID:1\r\nDTSTAMP:20250310T094640Z\r\n"));
	mt_free(&m);
}

/* the From address drives MissingMethod infer */
static void
test_part_method_inferred_from_from_header(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_runs(&m, "From: Alice <Alice@Example.org>\r\nMIME-Version: 1.0\r\n"
	            "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n"
	            "--x\r\n"
	            "Content-Type: text/calendar; charset=utf-8\r\n"
	            "\r\n"
	            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
	            "BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20250101T000000Z\r\n"
	            "DTSTART:20250101T100000Z\r\n"
	            "ORGANIZER:mailto:alice@example.org\r\n"
	            "ATTENDEE:mailto:bob@example.net\r\n"
	            "END:VEVENT\r\nEND:VCALENDAR\r\n"
	            "\r\n--x--\r\n");
	mt_assert_status(&m, CAL_CHANGED);
	assert_true(mt_has(&m, "Content-Type: text/calendar; charset=utf-8; "
	                       "method=REQUEST\r\n"));
	assert_true(mt_has(&m, "\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"));
	mt_free(&m);
}

/* ---- ambiguous labels ------------------------------------------------------
 */

static void
test_part_duplicate_content_type_left(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_run(&m, "dup-ctype.eml");
	assert_true(m.res.status != CAL_CHANGED);
	mt_assert_untouched(&m);
	assert_true(ct_count(&m.res.report, "PARSE", CAL_REPORT) >= 1);
	mt_free(&m);
}

/* an unknown transfer encoding is never decoded */
static void
test_part_unknown_cte_left(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_runs(&m, "From: a@example.org\r\nMIME-Version: 1.0\r\n"
	            "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n"
	            "--x\r\nContent-Type: text/calendar; method=REQUEST\r\n"
	            "Content-Transfer-Encoding: x-uuencode\r\n\r\n"
	            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nEND:VEVENT\n"
	            "END:VCALENDAR\n\r\n--x--\r\n");
	assert_int_equal(m.res.parts_seen, 1);
	mt_assert_untouched(&m);
	mt_free(&m);
}

/* a vCard 2.1 part is found and written as vCard 3.0 (R-VC-1, R-VC-3) */
static void
test_part_vcard_to30(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_runs(&m, "From: a@example.org\r\nMIME-Version: 1.0\r\n"
	            "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n"
	            "--x\r\nContent-Type: text/x-vcard; charset=utf-8\r\n\r\n"
	            "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Roe;Jane\r\n"
	            "FN:Jane Roe\r\nTEL;WORK;VOICE:+1 555 0100\r\n"
	            "END:VCARD\r\n"
	            "\r\n--x--\r\n");
	assert_int_equal(m.res.parts_seen, 1);
	mt_assert_status(&m, CAL_CHANGED);
	assert_true(mt_has(&m, "Content-Type: text/x-vcard; charset=utf-8"));
	assert_true(mt_has(&m, "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Roe;Jane\r\n"
	                       "FN:Jane Roe\r\nTEL;TYPE=WORK,VOICE:+1 555 0100"
	                       "\r\nEND:VCARD\r\n"));
	mt_assert_idempotent(&m);
	mt_free(&m);
}

/* a correct vCard 3.0 part is left as it is */
static void
test_part_vcard_left(void **state)
{
	struct mt m;

	(void)state;
	mt_init(&m);
	mt_runs(&m, "From: a@example.org\r\nMIME-Version: 1.0\r\n"
	            "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n"
	            "--x\r\nContent-Type: text/vcard; charset=utf-8\r\n\r\n"
	            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob\r\nN:;Bob;;;\r\n"
	            "END:VCARD\r\n"
	            "\r\n--x--\r\n");
	assert_int_equal(m.res.parts_seen, 1);
	mt_assert_untouched(&m);
	mt_free(&m);
}

/* ---- bare objects
 * ------------------------------------------------------------ */

static void
test_part_input_is_object(void **state)
{
	static const char cal[] = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
	static const char card[] = "\xEF\xBB\xBF"
	                           "BEGIN:VCARD\r\n";
	static const char msg[] = "From: a@example.org\r\n\r\nhi\r\n";

	(void)state;
	assert_int_equal(
	    mime_input_is_object((const uint8_t *)cal, strlen(cal)), 1);
	assert_int_equal(
	    mime_input_is_object((const uint8_t *)card, strlen(card)), 1);
	assert_int_equal(
	    mime_input_is_object((const uint8_t *)msg, strlen(msg)), 0);
}

static void
test_part_process_object_same_rules(void **state)
{
	static const char in[] = "BEGIN:VCALENDAR\nVERSION:2.0\n"
	                         "PRODID:-//x//y//EN\nBEGIN:VEVENT\nUID:1\n"
	                         "DTSTART:20250101T100000Z\n"
	                         "DTEND:20250101T110000Z\nEND:VEVENT\n"
	                         "END:VCALENDAR\n";
	struct mime_policy pol;
	struct cal_report rep;
	struct cal_out out;

	(void)state;
	mime_policy_default(&pol);
	pol.now = MT_NOW;
	cal_report_init(&rep, 50);
	assert_int_equal(mime_process_object(&out, (const uint8_t *)in,
	                                     strlen(in), &pol, &rep),
	                 CAL_CHANGED);
	ct_assert_fixes(&rep, "R-ITIP-1,R-ITIP-6,R-LEX-2");
	/* no Date: the processing time, and the finding says so */
	assert_non_null(strstr(out.data, "DTSTAMP:20250310T094640Z\r\n"));
	assert_non_null(
	    strstr(ct_text(&rep, "R-ITIP-6", CAL_FIX), "processing"));
	cal_out_free(&out);
	cal_report_free(&rep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_part_bytes_outside_calendar_identical),
	    cmocka_unit_test(test_part_trace_header_names_rules),
	    cmocka_unit_test(test_part_correct_calendar_at_boundary_untouched),
	    cmocka_unit_test(
	        test_part_correct_calendar_blank_before_boundary_untouched),
	    cmocka_unit_test(test_part_toplevel_header_edits_and_body),
	    cmocka_unit_test(test_part_toplevel_applied_message),
	    cmocka_unit_test(test_part_trace_headers_kept_when_unchanged),
	    cmocka_unit_test(test_part_lf_message_keeps_lf_and_is_idempotent),
	    cmocka_unit_test(test_part_base64_kept_when_rewritten),
	    cmocka_unit_test(test_part_qp_kept_when_rewritten),
	    cmocka_unit_test(test_part_7bit_latin1_becomes_utf8_base64),
	    cmocka_unit_test(test_part_8bit_latin1_becomes_utf8_base64),
	    cmocka_unit_test(test_part_toplevel_latin1_gets_cte_added),
	    cmocka_unit_test(test_part_8bit_ascii_rewrite_becomes_7bit),
	    cmocka_unit_test(test_part_long_content_type_folded),
	    cmocka_unit_test(test_part_trace_header_folded_when_long),
	    cmocka_unit_test(test_part_method_param_aligned_to_property),
	    cmocka_unit_test(test_part_method_param_added),
	    cmocka_unit_test(test_part_method_param_removed_without_method),
	    cmocka_unit_test(test_part_charset_utf8_added_after_rewrite),
	    cmocka_unit_test(test_part_method_copied_from_param),
	    cmocka_unit_test(test_part_dtstamp_from_date_header),
	    cmocka_unit_test(test_part_method_inferred_from_from_header),
	    cmocka_unit_test(test_part_duplicate_content_type_left),
	    cmocka_unit_test(test_part_unknown_cte_left),
	    cmocka_unit_test(test_part_vcard_left),
	    cmocka_unit_test(test_part_vcard_to30),
	    cmocka_unit_test(test_part_input_is_object),
	    cmocka_unit_test(test_part_process_object_same_rules),
	};

	mime_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
