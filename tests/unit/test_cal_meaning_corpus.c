/*
 * test_cal_meaning_corpus.c - N-4, N-5, N-10 proven over every calendar we
 * have: each object of ../shared/corpus and of tests/fixtures is
 * normalized, and whatever calmilter would relay changed is compared with
 * its input by the independent judge of meaningtest.h (libical's own
 * recurrence iterator on both sides, no code of ical/cal_meaning.c).
 * Messages go through mime_process() and mime_apply(); their calendar parts
 * are taken out of input and output with GMime and compared pairwise.
 *
 * Each policy setting that may change meaning on purpose is run too
 * (UnsupportedRecurrence expand, StripOverrideRrule yes, UseEmailParam):
 * the judge accepts only the differences the README documents.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "unit.h"
#include "caltest.h"
#include "mimetest.h"
#include "meaningtest.h"
#include "tztest.h"

#include "../../ical/cal_int.h"
#include "../../ical/cal_tz.h"

#include <ftw.h>
#include <gmime/gmime.h>

#define FROM "alice@example.org"

/* only objects with recurrences: the policies below change nothing else */
static int recurring_only;

struct stats {
	unsigned objects;
	unsigned changed;
	unsigned compared;
	unsigned bad;
};

static struct stats stats;
static struct cal_policy policy;

/* utf8 - the object as UTF-8 text, as the judge must read it (transfer
 * full): a BOM removed, UTF-16 converted */
static char *
utf8(const char *in, size_t len)
{
	gsize n = 0;
	char *out = NULL;

	if (len >= 2 && ((in[0] == '\xFF' && in[1] == '\xFE') ||
	                 (in[0] == '\xFE' && in[1] == '\xFF')))
		out = g_convert(in + 2, (gssize)len - 2, "UTF-8",
		                in[0] == '\xFF' ? "UTF-16LE" : "UTF-16BE", NULL,
		                &n, NULL);
	else if (len >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0)
		out = g_strndup(in + 3, len - 3);
	else
		out = g_strndup(in, len);
	return out;
}

/* float_bound - the TZID an input's floating timed event now has */
static const char *
float_bound(icalcomponent *a, icalcomponent *b)
{
	icalcompiter i = icalcomponent_begin_component(a, ICAL_VEVENT_COMPONENT);
	icalcompiter j;
	icalcomponent *ea, *eb;
	icalproperty *p;
	icalparameter *tz;

	for (; (ea = icalcompiter_deref(&i)) != NULL; icalcompiter_next(&i)) {
		p = icalcomponent_get_first_property(ea, ICAL_DTSTART_PROPERTY);
		if (p == NULL || !tt_floating(p) || !icalcomponent_get_uid(ea))
			continue;
		j = icalcomponent_begin_component(b, ICAL_VEVENT_COMPONENT);
		for (; (eb = icalcompiter_deref(&j)) != NULL;
		     icalcompiter_next(&j)) {
			p = icalcomponent_get_first_property(
			    eb, ICAL_DTSTART_PROPERTY);
			tz = p != NULL ? icalproperty_get_first_parameter(
			                     p, ICAL_TZID_PARAMETER)
			               : NULL;
			if (tz != NULL && icalcomponent_get_uid(eb) != NULL &&
			    strcmp(icalcomponent_get_uid(ea),
			           icalcomponent_get_uid(eb)) == 0)
				return icalparameter_get_tzid(tz);
		}
	}
	return NULL;
}

/*
 * tz_input - the input's TZIDs as R-TZ-2 resolved them: one without a
 * usable VTIMEZONE is read in libical's own copy of the zone its name
 * gives (the name's identity from the core, the zone's rules from libical);
 * floating times of timed events that the output bound (R-TZ-8) are read
 * in that zone
 */
static void
tz_input(icalcomponent *ra, icalcomponent *rb, const char *text)
{
	icalcomponent *cal = tt_calendar(ra);
	const struct cal_zone *z;
	const struct cal_tzent *e;
	struct cal_lexinfo lex;
	struct cal_limits lim;
	struct cal_report rep;
	struct cal_doc *doc = NULL;
	enum cal_tzhow how;
	const char *bound;
	size_t i;

	memset(&lex, 0, sizeof(lex));
	cal_limits_default(&lim);
	cal_report_init(&rep, 20);
	if (cal == NULL || cal_doc_parse(&doc, strdup(text), strlen(text), &lex,
	                                 &lim, &rep) != CAL_UNCHANGED ||
	    cal_tzset_build(doc) != 0)
		goto out;
	for (i = 0; i < doc->tz->n; i++) {
		e = &doc->tz->v[i];
		if (e->db != NULL && (!e->had_vtz || e->vtz_bad))
			tt_add_builtin(cal, e->orig, cal_zone_name(e->db));
	}
	bound = tt_calendar(rb) ? float_bound(cal, tt_calendar(rb)) : NULL;
	if (bound != NULL && (z = cal_tzname_resolve(bound, NULL, &how)))
		tt_add_builtin(cal, bound, cal_zone_name(z));
	if (bound != NULL)
		tt_bind(cal, bound);
out:
	cal_doc_free(doc);
	cal_report_free(&rep);
}

static void
judge(const char *where, const char *before, const char *after,
      const char *from)
{
	char why[512];

	stats.compared++;
	if (!mq_same(before, after, from, why, sizeof(why))) {
		stats.bad++;
		print_message("FAIL %s: %s\n", where, why);
	}
}

static void
one_ics(const char *path)
{
	struct ct_run r;
	size_t len;
	char *in = unit_read_file(path, &len), *text;

	if (recurring_only && strstr(in, "RRULE") == NULL &&
	    strstr(in, "RDATE") == NULL && strstr(in, "RECURRENCE-ID") == NULL &&
	    strstr(in, "VALARM") == NULL) {
		free(in);
		return;
	}
	stats.objects++;
	ct_init(&r);
	r.pol = policy;
	r.ctx.now = MT_NOW;
	r.ctx.from_addr = FROM;
	ct_norm(&r, in, len);
	if (r.st == CAL_CHANGED) {
		stats.changed++;
		text = utf8(in, len);
		judge(path, text, r.out.data, FROM);
		g_free(text);
	}
	ct_free(&r);
	free(in);
}

/* ---- messages ------------------------------------------------------------ */

static int
is_cal(GMimeObject *part)
{
	const char *types[] = {"text/calendar", "application/ics",
	                       "application/x-ics", NULL};
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	const char *name = g_mime_part_get_filename(GMIME_PART(part));
	size_t i, n = name != NULL ? strlen(name) : 0;
	char *t = g_mime_content_type_get_mime_type(ct);
	int r = n >= 4 && strcasecmp(name + n - 4, ".ics") == 0;

	for (i = 0; types[i] != NULL; i++)
		r |= strcasecmp(t, types[i]) == 0;
	g_free(t);
	return r;
}

/* part_text - a calendar part decoded to UTF-8 (transfer full) */
static char *
part_text(GMimeObject *part)
{
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *ba;
	char *t;

	if (GMIME_IS_TEXT_PART(part))
		return g_mime_text_part_get_text(GMIME_TEXT_PART(part));
	g_mime_data_wrapper_write_to_stream(
	    g_mime_part_get_content(GMIME_PART(part)), mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	t = utf8((const char *)ba->data, ba->len);
	g_object_unref(mem);
	return t;
}

static void
collect(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	(void)parent;
	if (GMIME_IS_PART(part) && is_cal(part))
		g_ptr_array_add(data, part_text(part));
}

static GMimeMessage *
parse(const uint8_t *buf, size_t len)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer((const char *)buf,
	                                                   len);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);

	g_object_unref(p);
	g_object_unref(s);
	return m;
}

/* from_addr - the From mailbox, lower case (transfer full), or NULL */
static char *
from_addr(GMimeMessage *m)
{
	InternetAddressList *l = g_mime_message_get_from(m);
	InternetAddress *a;

	if (l == NULL || internet_address_list_length(l) < 1)
		return NULL;
	a = internet_address_list_get_address(l, 0);
	if (!INTERNET_ADDRESS_IS_MAILBOX(a))
		return NULL;
	return g_ascii_strdown(
	    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)), -1);
}

/* mt_has_input - does the message mention a recurrence or an alarm? */
static int
mt_has_input(const struct mt *m)
{
	return mt_find(m->in, m->inlen, 0, "RRULE") >= 0 ||
	       mt_find(m->in, m->inlen, 0, "RDATE") >= 0 ||
	       mt_find(m->in, m->inlen, 0, "RECURRENCE-ID") >= 0 ||
	       mt_find(m->in, m->inlen, 0, "VALARM") >= 0;
}

/*
 * same_object - equal texts, CRs and the final line ends aside: a copy
 * written in a message kept in LF form (the local form of CRLF) reads back
 * with LF lines, while its twin may encode CRLF itself (=0D=0A, base64)
 */
static int
same_object(const char *a, const char *b)
{
	for (;;) {
		while (*a == '\r')
			a++;
		while (*b == '\r')
			b++;
		if (*a != *b)
			break;
		if (*a == '\0')
			return 1;
		a++;
		b++;
	}
	a += strspn(a, "\r\n");
	b += strspn(b, "\r\n");
	return *a == '\0' && *b == '\0';
}

/*
 * drop_copy - R-MIME-4 adds one calendar part: an inline copy of an
 * attachment, equal to that attachment as it leaves. It says what its
 * twin says, so the twin's judgement covers it; take it out so that the
 * parts pair up again. Only an exact twin qualifies.
 */
static void
drop_copy(GPtrArray *pb)
{
	guint k, j;

	for (k = 0; k < pb->len; k++)
		for (j = 0; j < pb->len; j++)
			if (j != k && same_object(pb->pdata[k], pb->pdata[j])) {
				g_ptr_array_remove_index(pb, k);
				return;
			}
}

static void
one_eml(const char *path)
{
	GPtrArray *pa = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *pb = g_ptr_array_new_with_free_func(g_free);
	GMimeMessage *ma = NULL, *mb = NULL;
	char where[600], *from = NULL;
	struct mt m;
	guint i;

	mt_init(&m);
	m.pol.cal = policy;
	m.in = (uint8_t *)unit_read_file(path, &m.inlen);
	if (recurring_only && !mt_has_input(&m)) {
		mt_free(&m);
		g_ptr_array_free(pa, TRUE);
		g_ptr_array_free(pb, TRUE);
		return;
	}
	stats.objects++;
	if (mt_process(&m) != CAL_CHANGED)
		goto out;
	stats.changed++;
	ma = parse(m.in, m.inlen);
	mb = parse(m.out, m.outlen);
	assert_non_null(ma);
	assert_non_null(mb);
	from = from_addr(ma);
	g_mime_message_foreach(ma, collect, pa);
	g_mime_message_foreach(mb, collect, pb);
	if (pb->len == pa->len + 1)
		drop_copy(pb);
	if (pa->len != pb->len) {
		stats.bad++;
		print_message("FAIL %s: %u calendar parts became %u\n", path,
		              pa->len, pb->len);
		goto out;
	}
	for (i = 0; i < pa->len; i++) {
		if (strcmp(pa->pdata[i], pb->pdata[i]) == 0)
			continue;
		snprintf(where, sizeof(where), "%s part %u", path, i + 1);
		judge(where, pa->pdata[i], pb->pdata[i], from);
	}
out:
	g_free(from);
	if (ma != NULL)
		g_object_unref(ma);
	if (mb != NULL)
		g_object_unref(mb);
	g_ptr_array_free(pa, TRUE);
	g_ptr_array_free(pb, TRUE);
	mt_free(&m);
}

static int
visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	size_t n = strlen(path);

	(void)st;
	(void)ftw;
	if (flag != FTW_F || strstr(path, "/vcf/") != NULL ||
	    (n > 4 && strcmp(path + n - 4, ".vcf") == 0) ||
	    strstr(path, "MANIFEST") != NULL || strstr(path, "README") != NULL ||
	    strstr(path, "/conf/") != NULL)
		return 0;
	if (strstr(path, "/eml/") != NULL ||
	    (n > 4 && strcmp(path + n - 4, ".eml") == 0))
		one_eml(path);
	else
		one_ics(path);
	return 0;
}

static void
run_all(const char *what)
{
	memset(&stats, 0, sizeof(stats));
	assert_int_equal(
	    nftw(SRCDIR "/../shared/corpus", visit, 16, FTW_PHYS), 0);
	assert_int_equal(nftw(SRCDIR "/tests/fixtures", visit, 16, FTW_PHYS),
	                 0);
	print_message("%s: %u objects and messages, %u changed, %u calendars "
	              "compared, %u differ\n",
	              what, stats.objects, stats.changed, stats.compared,
	              stats.bad);
	assert_true(stats.objects >= (recurring_only ? 100u : 800u));
	assert_true(stats.compared > 0);
	assert_int_equal(stats.bad, 0);
}

#define J_HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
#define J_EV(body)                                                             \
	J_HEAD "BEGIN:VEVENT\r\nUID:j1@example.org\r\n"                         \
	       "DTSTAMP:20250101T000000Z\r\nDTSTART:20250106T090000Z\r\n"       \
	       "DTEND:20250106T100000Z\r\n" body "END:VEVENT\r\nEND:VCALENDAR\r\n"

/* the judge itself: it sees what it must see */
static void
test_meaning_judge_sees_differences(void **state)
{
	const char *base = J_EV("RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	                        "EXDATE:20250113T090000Z\r\nSUMMARY:a\r\n"
	                        "ATTENDEE:mailto:bob@example.net\r\n");
	char why[512];

	(void)state;
	assert_int_equal(mq_same(base, base, FROM, why, sizeof(why)), 1);
	/* an EXDATE gone, a COUNT changed, a text changed, a person gone */
	assert_int_equal(
	    mq_same(base,
	            J_EV("RRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:a\r\n"
	                 "ATTENDEE:mailto:bob@example.net\r\n"),
	            FROM, why, sizeof(why)),
	    0);
	assert_int_equal(
	    mq_same(base,
	            J_EV("RRULE:FREQ=WEEKLY;COUNT=5\r\n"
	                 "EXDATE:20250113T090000Z\r\nSUMMARY:a\r\n"
	                 "ATTENDEE:mailto:bob@example.net\r\n"),
	            FROM, why, sizeof(why)),
	    0);
	assert_int_equal(
	    mq_same(base,
	            J_EV("RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	                 "EXDATE:20250113T090000Z\r\nSUMMARY:b\r\n"
	                 "ATTENDEE:mailto:bob@example.net\r\n"),
	            FROM, why, sizeof(why)),
	    0);
	assert_int_equal(
	    mq_same(base,
	            J_EV("RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	                 "EXDATE:20250113T090000Z\r\nSUMMARY:a\r\n"),
	            FROM, why, sizeof(why)),
	    0);
	/* an organizer may appear only with the From address */
	assert_int_equal(
	    mq_same(base,
	            J_EV("RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	                 "EXDATE:20250113T090000Z\r\nSUMMARY:a\r\n"
	                 "ORGANIZER:mailto:alice@example.org\r\n"
	                 "ATTENDEE:mailto:bob@example.net\r\n"),
	            FROM, why, sizeof(why)),
	    1);
	assert_int_equal(
	    mq_same(base,
	            J_EV("RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	                 "EXDATE:20250113T090000Z\r\nSUMMARY:a\r\n"
	                 "ORGANIZER:mailto:eve@example.org\r\n"
	                 "ATTENDEE:mailto:bob@example.net\r\n"),
	            FROM, why, sizeof(why)),
	    0);
}

/* the defaults: every rewrite keeps every occurrence, person and text */
static void
test_meaning_corpus_defaults(void **state)
{
	(void)state;
	cal_policy_default(&policy);
	run_all("defaults");
}

/*
 * the policies that change more: UnsupportedRecurrence expand (with a
 * generous MaxExpandInstances), StripOverrideRrule yes, AlarmOrder
 * earliest-first, UseEmailParam no, AllDayZeroLength leave
 */
static void
test_meaning_corpus_other_policies(void **state)
{
	(void)state;
	cal_policy_default(&policy);
	policy.expand_recurrence = 1;
	policy.max_expand_instances = 500;
	policy.strip_override_rrule = 1;
	policy.alarm_earliest_first = 1;
	policy.use_email_param = 0;
	policy.all_day_zero_fix = 0;
	recurring_only = 1;
	run_all("other policies, objects with recurrences or alarms");
	recurring_only = 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_meaning_judge_sees_differences),
	    cmocka_unit_test(test_meaning_corpus_defaults),
	    cmocka_unit_test(test_meaning_corpus_other_policies),
	};

	mime_init();
	mq_input_hook = tz_input;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
