/*
 * test_cal_tz_corpus.c - the time-zone rules over the whole shared corpus:
 * every calendar object (the .ics files and the calendar parts of the .eml
 * messages) is normalized, and
 *   - every occurrence of every event and to-do (the first 100 within three
 *     years, EXDATEs and overrides included) has the same UTC instant before
 *     and after, both sides read by libical alone (tztest.h): TZIDs the
 *     input leaves undefined in libical's own copy of the zone R-TZ-2 named,
 *     floating times R-TZ-8 bound in the zone they were bound to;
 *   - a calendar whose TZIDs all resolve (and that Microsoft did not
 *     produce, N-7) comes out with every used TZID defined, in the compact
 *     form of R-TZ-3..5 (judged here with its own, independent checks);
 *   - no rewrite was rolled back by the meaning check.
 * The counts are printed.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "unit.h"
#include "caltest.h"
#include "tztest.h"

#include <ftw.h>
#include <gmime/gmime.h>

#include "../../ical/cal_int.h"
#include "../../ical/cal_tz.h"

#define NOW ((time_t)1741600000)
#define TZ_CORPUS_OTHERS                                                       \
	"R-ITIP-5,R-ITIP-7,R-EV-1,R-EV-2,R-RR-3,R-RR-5,R-RR-6,R-RR-7"
#define ZMAX 32

static struct {
	unsigned objects, with_tzid, resolved, unresolved, microsoft, norule;
	unsigned changed, compared, occurrences, bad;
	unsigned by_how[8];
} st;

static void
bad(const char *where, const char *what)
{
	st.bad++;
	print_message("FAIL %s: %s\n", where, what);
}

/* ---- the input as the core resolved it ----------------------------------- */

struct plan {
	struct tt_zone z[ZMAX];
	char names[ZMAX][2][256];
	size_t nz;
	int used, resolved, microsoft, norule;
};

static void
plan_of(struct plan *p, const char *in, size_t len, const char *charset)
{
	struct cal_lexinfo lex;
	struct cal_limits lim;
	struct cal_report rep;
	struct cal_doc *doc = NULL;
	const struct cal_tzent *e;
	char *text = NULL;
	size_t tlen, i;

	memset(p, 0, sizeof(*p));
	memset(&lex, 0, sizeof(lex));
	cal_limits_default(&lim);
	cal_report_init(&rep, 50);
	if (cal_decode(&text, &tlen, &lex, in, len, charset, &rep) !=
	        CAL_UNCHANGED ||
	    cal_doc_parse(&doc, text, tlen, &lex, &lim, &rep) != CAL_UNCHANGED)
		goto out;
	assert_int_equal(cal_tzset_build(doc), 0);
	cal_tzset_plan(doc->tz);
	p->microsoft = cal_tz_is_microsoft(doc);
	p->resolved = 1;
	for (i = 0; i < doc->tz->n; i++) {
		e = &doc->tz->v[i];
		if (e->nrefs == 0)
			continue;
		p->used = 1;
		if (cal_tzent_zone(e) == NULL)
			p->resolved = 0;
		else
			st.by_how[e->own != NULL ? 7 : e->how]++;
		p->norule |= e->plan == CAL_TZPLAN_NORULE;
		if (e->db == NULL || (e->had_vtz && !e->vtz_bad) || p->nz == ZMAX)
			continue;
		snprintf(p->names[p->nz][0], 256, "%s", e->orig);
		snprintf(p->names[p->nz][1], 256, "%s", cal_zone_name(e->db));
		p->z[p->nz].tzid = p->names[p->nz][0];
		p->z[p->nz].iana = p->names[p->nz][1];
		p->nz++;
	}
out:
	cal_doc_free(doc);
	cal_report_free(&rep);
}

/* ---- the output's VTIMEZONEs, judged independently ------------------------ */

/* rrule_ok - FREQ=YEARLY;BYMONTH=m;BYDAY=nDD in any order, nothing else */
static int
rrule_ok(const char *r)
{
	int f = 0, m = 0, d = 0, n = 0, mo;
	char day[8];

	for (; *r != '\0'; r += strcspn(r, ";"), r += *r == ';', n++) {
		if (strncmp(r, "FREQ=YEARLY", 11) == 0 && (r[11] == ';' ||
		                                           r[11] == '\0'))
			f = 1;
		else if (sscanf(r, "BYMONTH=%d", &mo) == 1 && mo >= 1 &&
		         mo <= 12)
			m = 1;
		else if (sscanf(r, "BYDAY=%7[^;]", day) == 1 &&
		         (strlen(day) == 3 || (strlen(day) == 4 && day[0] == '-' &&
		                               day[1] == '1')) &&
		         (strlen(day) == 4 || (day[0] >= '1' && day[0] <= '4')))
			d = 1;
	}
	return f && m && d && n == 3;
}

static int
offset_ok(icalcomponent *o, icalproperty_kind k)
{
	icalproperty *p = icalcomponent_get_first_property(o, k);
	char *s = p != NULL ? icalproperty_get_value_as_string_r(p) : NULL;
	int ok = s != NULL && strlen(s) == 5 && (s[0] == '+' || s[0] == '-');

	free(s);
	return ok;
}

/* vtz_compact - one STANDARD, at most one DAYLIGHT, R-TZ-5 syntax */
static const char *
vtz_compact(icalcomponent *vtz)
{
	int nst = 0, ndl = 0;
	icalcomponent *o;
	icalproperty *p;
	char *r;

	for (o = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
	     o != NULL;
	     o = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		nst += icalcomponent_isa(o) == ICAL_XSTANDARD_COMPONENT;
		ndl += icalcomponent_isa(o) == ICAL_XDAYLIGHT_COMPONENT;
		if (icalcomponent_get_first_property(o, ICAL_RDATE_PROPERTY))
			return "RDATE";
		if (!offset_ok(o, ICAL_TZOFFSETFROM_PROPERTY) ||
		    !offset_ok(o, ICAL_TZOFFSETTO_PROPERTY))
			return "offset not +-HHMM";
		p = icalcomponent_get_first_property(o, ICAL_RRULE_PROPERTY);
		if (p == NULL)
			continue;
		r = icalproperty_get_value_as_string_r(p);
		if (!rrule_ok(r)) {
			free(r);
			return "RRULE not FREQ=YEARLY;BYMONTH;BYDAY=nDD";
		}
		free(r);
	}
	return nst == 1 && ndl <= 1 ? NULL : "not one STANDARD and <= 1 DAYLIGHT";
}

/* same_tzid - equal but for blanks around them (libical drops the
 * leading blank of a property value, never of a parameter's) */
static int
same_tzid(const char *a, const char *b)
{
	size_t na, nb;

	a += strspn(a, " ");
	b += strspn(b, " ");
	for (na = strlen(a); na > 0 && a[na - 1] == ' '; na--)
		;
	for (nb = strlen(b); nb > 0 && b[nb - 1] == ' '; nb--)
		;
	return na == nb && strncmp(a, b, na) == 0;
}

/* vtz_named - the VTIMEZONE of tzid (libical's iterators are per parent,
 * so this walks with its own) */
static icalcomponent *
vtz_named(icalcomponent *cal, const char *tzid)
{
	icalcompiter it = icalcomponent_begin_component(
	    cal, ICAL_VTIMEZONE_COMPONENT);
	icalcomponent *v;
	icalproperty *p;

	for (; (v = icalcompiter_deref(&it)) != NULL; icalcompiter_next(&it)) {
		p = icalcomponent_get_first_property(v, ICAL_TZID_PROPERTY);
		if (p != NULL && same_tzid(icalproperty_get_tzid(p), tzid))
			return v;
	}
	return NULL;
}

/* defined_and_compact - every TZID parameter of the output has a compact
 * VTIMEZONE */
static const char *
defined_and_compact(icalcomponent *cal, icalcomponent *c)
{
	icalcompiter it = icalcomponent_begin_component(c, ICAL_ANY_COMPONENT);
	icalparameter *tz;
	icalproperty *p;
	icalcomponent *s, *v;
	const char *why;

	for (p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
		tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
		if (tz == NULL)
			continue;
		v = vtz_named(cal, icalparameter_get_tzid(tz));
		if (v == NULL)
			return "a TZID without VTIMEZONE";
		if ((why = vtz_compact(v)) != NULL)
			return why;
	}
	for (; (s = icalcompiter_deref(&it)) != NULL; icalcompiter_next(&it))
		if (icalcomponent_isa(s) != ICAL_VTIMEZONE_COMPONENT &&
		    (why = defined_and_compact(cal, s)) != NULL)
			return why;
	return NULL;
}

/* ---- one object ---------------------------------------------------------- */

/* bound_to - the TZID R-TZ-8 bound floating times to, or NULL */
static const char *
bound_to(const struct cal_report *rep, char *buf, size_t len)
{
	const char *t = ct_text(rep, "R-TZ-8", CAL_FIX), *s;

	if (t == NULL || (s = strstr(t, "bound to TZID ")) == NULL)
		return NULL;
	snprintf(buf, len, "%s", s + 14);
	buf[strcspn(buf, "(")] = '\0';
	if (strlen(buf) > 0)
		buf[strlen(buf) - 1] = '\0';	/* the blank before "(" */
	return buf;
}

static void
check_output(const char *where, const struct ct_run *r, const char *in,
             const struct plan *p)
{
	const char *out = r->out.data != NULL ? r->out.data : in;
	icalcomponent *root;
	const char *why;

	if (!p->used || !p->resolved || p->microsoft || p->norule)
		return;
	root = icalparser_parse_string(out);
	if (root == NULL) {
		bad(where, "libical cannot parse the output");
		return;
	}
	why = defined_and_compact(tt_calendar(root), tt_calendar(root));
	if (why != NULL)
		bad(where, why);
	icalcomponent_free(root);
}

static void
one_object(const char *where, const char *in, size_t len, const char *cs)
{
	struct tt_list a, b;
	struct plan p;
	struct ct_run r;
	char fl[256], *copy;

	st.objects++;
	if (cal_detect(in, len) != CAL_KIND_ICAL)
		return;
	plan_of(&p, in, len, cs);
	ct_init(&r);
	r.ctx.now = NOW;
	r.ctx.mime_charset = cs;
	/*
	 * This judge reads occurrences by UID and length and knows nothing of
	 * the event rules' declared differences (a derived UID, an end added
	 * or lengthened) nor of their values moved into DTSTART's zone (libical
	 * 3.0 reads an RDATE's wall-clock time without its TZID, so an RDATE
	 * R-RR-6 rewrites from Bogota's 11:30 to Berlin's 18:30, the same
	 * instant, reads here as moved): those rules are judged, together with
	 * these, by test_cal_meaning_corpus.
	 */
	r.pol.disable_rules = TZ_CORPUS_OTHERS;
	ct_norm(&r, in, len);
	if (ct_count(&r.rep, "CHECK", CAL_REPORT) > 0)
		bad(where, ct_text(&r.rep, "CHECK", CAL_REPORT));
	st.with_tzid += p.used;
	st.resolved += p.used && p.resolved;
	st.unresolved += p.used && !p.resolved;
	st.microsoft += p.used && p.microsoft;
	st.norule += p.used && p.norule;
	if (r.st != CAL_CHANGED && r.st != CAL_UNCHANGED)
		goto out;
	st.changed += r.st == CAL_CHANGED;
	copy = malloc(len + 1);	/* libical reads C strings */
	assert_non_null(copy);
	memcpy(copy, in, len);
	copy[len] = '\0';
	if (tt_instants(&a, copy, p.z, p.nz, bound_to(&r.rep, fl,
	                                               sizeof(fl))) == 0 &&
	    tt_instants(&b, r.out.data ? r.out.data : copy, p.z, p.nz,
	                NULL) == 0) {
		st.compared++;
		st.occurrences += (unsigned)a.n;
		if (!tt_same(&a, &b, where))
			bad(where, "an occurrence moved");
	}
	tt_free(&a);
	tt_free(&b);
	check_output(where, &r, copy, &p);
	free(copy);
out:
	ct_free(&r);
}

/* ---- files ---------------------------------------------------------------- */

static int
is_cal_part(GMimeObject *o)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	const char *name = g_mime_part_get_filename(GMIME_PART(o));
	size_t n = name != NULL ? strlen(name) : 0;

	return g_mime_content_type_is_type(ct, "text", "calendar") ||
	       g_mime_content_type_is_type(ct, "application", "ics") ||
	       (n > 4 && g_ascii_strcasecmp(name + n - 4, ".ics") == 0);
}

static void
one_part(GMimeObject *parent, GMimeObject *o, gpointer data)
{
	GMimeStream *mem;
	GByteArray *bytes;
	const char *cs;

	(void)parent;
	if (!GMIME_IS_PART(o) || !is_cal_part(o) ||
	    g_mime_part_get_content(GMIME_PART(o)) == NULL)
		return;
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(
	    g_mime_part_get_content(GMIME_PART(o)), mem);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	cs = g_mime_object_get_content_type_parameter(o, "charset");
	one_object(data, (const char *)bytes->data, bytes->len, cs);
	g_object_unref(mem);
}

static void
one_eml(const char *path)
{
	GMimeStream *s = g_mime_stream_file_open(path, "rb", NULL);
	GMimeParser *p;
	GMimeMessage *m;

	if (s == NULL)
		return;
	p = g_mime_parser_new_with_stream(s);
	m = g_mime_parser_construct_message(p, NULL);
	if (m != NULL) {
		g_mime_message_foreach(m, one_part, (gpointer)path);
		g_object_unref(m);
	}
	g_object_unref(p);
	g_object_unref(s);
}

static int
visit(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	size_t len;
	char *in;

	(void)sb;
	(void)ftw;
	if (flag != FTW_F)
		return 0;
	if (strstr(path, "/corpus/eml/") != NULL) {
		one_eml(path);
		return 0;
	}
	in = unit_read_file(path, &len);
	one_object(path, in, len, NULL);
	free(in);
	return 0;
}

static void
test_tz_corpus(void **state)
{
	(void)state;
	memset(&st, 0, sizeof(st));
	assert_int_equal(nftw(SRCDIR "/../shared/corpus/ics", visit, 16,
	                      FTW_PHYS), 0);
	assert_int_equal(nftw(SRCDIR "/../shared/corpus/eml", visit, 16,
	                      FTW_PHYS), 0);
	print_message("tz corpus (tzdata %s): %u calendar objects, %u use "
	              "TZIDs: %u resolve, %u do not (left as they are); %u "
	              "by Microsoft (N-7), %u with a zone no rule holds "
	              "(R-TZ-9)\n",
	              cal_tzdb_version(), st.objects, st.with_tzid,
	              st.resolved, st.unresolved, st.microsoft, st.norule);
	print_message("tz corpus: TZIDs by their own VTIMEZONE %u, IANA name "
	              "%u, prefix %u, X-LIC-LOCATION %u, Windows id %u, UTC "
	              "abbreviation %u\n",
	              st.by_how[7], st.by_how[CAL_TZHOW_IANA],
	              st.by_how[CAL_TZHOW_PREFIX], st.by_how[CAL_TZHOW_XLIC],
	              st.by_how[CAL_TZHOW_WINDOWS], st.by_how[CAL_TZHOW_ABBREV]);
	print_message("tz corpus: %u changed; %u compared, %u occurrences, "
	              "%u failed\n",
	              st.changed, st.compared, st.occurrences, st.bad);
	assert_true(st.with_tzid >= 250);
	assert_true(st.resolved > st.unresolved);
	assert_true(st.occurrences > 1000);
	assert_int_equal(st.bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tz_corpus),
	};

	g_mime_init();
	cal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
