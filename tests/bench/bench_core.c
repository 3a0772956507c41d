/*
 * bench_core.c - make bench, parts 1 and 2: the core (ical/) per object
 * against libical's own parse+serialize of the same bytes, and the whole
 * message pipeline in-process as the daemon runs it.
 *
 *   build/tests/bench_core [SCALE [ROUNDS]]
 *
 * Part 1: for each object, rounds of the core (cal_normalize, which parses,
 * applies the rules, writes and re-parses for the meaning check) and of the
 * floor (icalparser_parse_string + icalcomponent_as_ical_string_r),
 * alternating A B A B ..., ROUNDS of each (at least 3); each round runs the
 * object enough times to last about SCALE x 20 ms. The medians and their
 * ratio are printed, and µs/KB for the three sizes of the same shape.
 *
 * Part 2: the daemon's decision for one message, in-process: the top-level
 * headers (mime_fast), for multipart mail the body scan (mime_scan_body),
 * and only when either says "maybe" the full parse (mime_process, GMime).
 * The path column says where each message stopped.
 *
 * Never fails on timing; exits 1 only when an input cannot be read or the
 * core fails on it.
 */
#include "../unit/unit.h"

#include <glib.h>
#include <libical/ical.h>

#include "../../ical/cal.h"
#include "../../mime/mime.h"

#define CORPUS SRCDIR "/../shared/corpus"

struct obj {
	const char *name;
	char *data;
	size_t len;
};

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), dbl_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- inputs built here -------------------------------------------------- */

static const char vtz[] =
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\n"
    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
    "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
    "END:VTIMEZONE\r\n";

/* one event of an export, about 500 bytes */
static void
export_event(GString *s, unsigned i)
{
	g_string_append_printf(
	    s,
	    "BEGIN:VEVENT\r\nUID:export-%u@example.org\r\n"
	    "DTSTAMP:20240501T080000Z\r\n"
	    "DTSTART;TZID=Europe/Berlin:202405%02uT%02u0000\r\n"
	    "DTEND;TZID=Europe/Berlin:202405%02uT%02u3000\r\n"
	    "SUMMARY:Exported event number %u of the team calendar\r\n"
	    "LOCATION:Room %u\\, second floor\r\n"
	    "DESCRIPTION:Agenda: review the open items\\, plan the next "
	    "steps\\n\r\n and agree on owners.\r\n"
	    "ORGANIZER;CN=Alice Organizer:mailto:alice@example.org\r\n"
	    "ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:mailto:bob@example.org\r\n"
	    "END:VEVENT\r\n",
	    i, 1 + i % 28, 8 + i % 9, 1 + i % 28, 8 + i % 9, i, i % 40);
}

/* export - a calendar export of about kb kilobytes (transfer full) */
static char *
export(size_t kb, size_t *len)
{
	GString *s = g_string_new("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	                          "PRODID:-//example//export//EN\r\n");
	unsigned i;

	g_string_append(s, vtz);
	for (i = 0; s->len < kb * 1024 - 600; i++)
		export_event(s, i);
	g_string_append(s, "END:VCALENDAR\r\n");
	*len = s->len;
	return g_string_free(s, FALSE);
}

/* series - a weekly series with n overrides, as Outlook sends it */
static char *
series(unsigned n, size_t *len)
{
	GString *s = g_string_new(
	    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n"
	    "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n");
	GDate *d = g_date_new_dmy(6, G_DATE_MAY, 2024);
	char day[16];
	unsigned i;

	g_string_append(s, vtz);
	g_string_append(s, "BEGIN:VEVENT\r\nUID:series@example.org\r\n"
	                   "DTSTAMP:20240501T080000Z\r\n"
	                   "DTSTART;TZID=Europe/Berlin:20240506T100000\r\n"
	                   "DTEND;TZID=Europe/Berlin:20240506T110000\r\n"
	                   "RRULE:FREQ=WEEKLY;COUNT=100\r\nSUMMARY:Weekly\r\n"
	                   "ORGANIZER:mailto:alice@example.org\r\n"
	                   "END:VEVENT\r\n");
	for (i = 0; i < n; i++) {
		g_date_strftime(day, sizeof(day), "%Y%m%d", d);
		g_string_append_printf(
		    s,
		    "BEGIN:VEVENT\r\nUID:series@example.org\r\n"
		    "DTSTAMP:20240501T080000Z\r\n"
		    "RECURRENCE-ID;TZID=Europe/Berlin:%sT100000\r\n"
		    "DTSTART;TZID=Europe/Berlin:%sT140000\r\n"
		    "DTEND;TZID=Europe/Berlin:%sT150000\r\n"
		    "SUMMARY:Weekly (moved %u)\r\n"
		    "ORGANIZER:mailto:alice@example.org\r\nEND:VEVENT\r\n",
		    day, day, day, i);
		g_date_add_days(d, 7);
	}
	g_date_free(d);
	g_string_append(s, "END:VCALENDAR\r\n");
	*len = s->len;
	return g_string_free(s, FALSE);
}

/* read_input - a corpus file, or NULL with a message */
static char *
read_input(const char *rel, size_t *len)
{
	char path[512];
	gchar *data;
	gsize n;

	snprintf(path, sizeof(path), "%s/%s", CORPUS, rel);
	if (!g_file_get_contents(path, &data, &n, NULL)) {
		fprintf(stderr, "bench_core: cannot read %s\n", path);
		return NULL;
	}
	*len = n;
	return data;
}

/* ---- part 1: the core against libical -------------------------------------- */

struct core_env {
	struct cal_policy pol;
	struct cal_limits lim;
	struct cal_context ctx;
};

/* core_once - one object through the core; -1 when it failed */
static enum cal_status last_status;

static int
core_once(const struct core_env *e, const struct obj *o)
{
	struct cal_out out;
	struct cal_report rep;
	enum cal_status st;

	cal_out_init(&out);
	cal_report_init(&rep, e->lim.max_findings);
	st = cal_normalize(&out, o->data, o->len, &e->ctx, &e->pol, &e->lim,
	                   &rep);
	cal_out_free(&out);
	cal_report_free(&rep);
	last_status = st;
	return st == CAL_ERROR ? -1 : 0;
}

/* floor_once - libical's parse and serialize of the same bytes */
static int
floor_once(const struct obj *o)
{
	icalcomponent *c;
	char *s;

	c = icalparser_parse_string(o->data);
	if (c == NULL)
		return 0; /* nothing to serialize: the floor is the parse */
	s = icalcomponent_as_ical_string_r(c);
	free(s);
	icalcomponent_free(c);
	return 0;
}

/* round_us - µs per object over iter runs of the core or the floor */
static double
round_us(const struct core_env *e, const struct obj *o, int floor_,
         long iter, int *bad)
{
	double t0 = now_us();
	long i;

	for (i = 0; i < iter; i++)
		if ((floor_ ? floor_once(o) : core_once(e, o)) != 0)
			*bad = 1;
	return (now_us() - t0) / (double)iter;
}

/* calibrate - runs per round so that one lasts about ms milliseconds */
static long
calibrate(const struct core_env *e, const struct obj *o, double ms)
{
	int bad = 0;
	double one = round_us(e, o, 0, 1, &bad);
	long n = (long)(ms * 1000 / (one > 1 ? one : 1));

	return n < 1 ? 1 : n;
}

/* core_row - one object: alternating rounds, medians, ratio; *us_core */
static int
core_row(const struct core_env *e, const struct obj *o, double ms,
         int rounds, double *us_core)
{
	double a[64], b[64], ma, mb;
	long iter = calibrate(e, o, ms);
	int r, bad = 0;

	for (r = 0; r < rounds; r++) {
		a[r] = round_us(e, o, 0, iter, &bad);
		b[r] = round_us(e, o, 1, iter, &bad);
	}
	ma = median(a, rounds);
	mb = median(b, rounds);
	printf("  %-36s %8.1f KB %10.1f %10.1f %7.2f x %6ld  %s\n", o->name,
	       (double)o->len / 1024, ma, mb, ma / mb, iter,
	       cal_status_name(last_status));
	*us_core = ma;
	return bad;
}

/* ---- part 2: the whole message ------------------------------------------------ */

/* feed_headers - the top-level fields to f, as libmilter hands them (the
 * value after the colon, folds kept); returns where the body starts */
static size_t
feed_headers(struct mime_fast *f, const char *m, size_t len)
{
	GString *name = g_string_new(NULL), *value = g_string_new(NULL);
	size_t i = 0, e, n;
	const char *colon;

	while (i < len) {
		e = i;
		while (e < len && m[e] != '\n')
			e++;
		n = e > i && m[e - 1] == '\r' ? e - i - 1 : e - i;
		if (n > 0 && (m[i] == ' ' || m[i] == '\t')) {
			g_string_append_c(value, '\n');
			g_string_append_len(value, m + i, (gssize)n);
		} else {
			if (name->len > 0)
				mime_fast_header(f, name->str, value->str);
			g_string_truncate(name, 0);
			if (n == 0)
				break;
			colon = memchr(m + i, ':', n);
			if (colon != NULL) {
				g_string_append_len(name, m + i, colon - m - i);
				g_string_assign(value, "");
				g_string_append_len(
				    value, colon + 1,
				    (gssize)(m + i + n - colon - 1));
			}
		}
		i = e + 1;
	}
	g_string_free(name, TRUE);
	g_string_free(value, TRUE);
	return i < len ? i : len;
}

/* pipeline - the daemon's decision on one message; the path it took */
static const char *
pipeline(const struct obj *o, const struct mime_policy *pol)
{
	struct mime_fast *f = mime_fast_new(pol);
	struct mime_scan sc = {0, 0};
	struct mime_result res;
	const char *path = "gmime";
	size_t body;

	body = feed_headers(f, o->data, o->len);
	if (!mime_fast_needs_body(f)) {
		path = "headers";
	} else if (mime_fast_scannable(f)) {
		mime_scan_body(&sc, (const uint8_t *)o->data + body,
		               o->len - body, 1);
		if (!sc.maybe)
			path = "scan";
	}
	if (strcmp(path, "gmime") == 0) {
		mime_process(&res, (const uint8_t *)o->data, o->len, pol);
		mime_result_free(&res);
	}
	mime_fast_free(f);
	return path;
}

static void
msg_row(const struct obj *o, const struct mime_policy *pol, double ms,
        int rounds)
{
	double a[64], one, t0;
	const char *path = pipeline(o, pol);
	long iter, i;
	int r;

	t0 = now_us();
	(void)pipeline(o, pol);
	one = now_us() - t0;
	iter = (long)(ms * 1000 / (one > 1 ? one : 1));
	iter = iter < 1 ? 1 : iter;
	for (r = 0; r < rounds; r++) {
		t0 = now_us();
		for (i = 0; i < iter; i++)
			(void)pipeline(o, pol);
		a[r] = (now_us() - t0) / (double)iter;
	}
	printf("  %-36s %8.1f KB %10.1f  %-8s %6ld\n", o->name,
	       (double)o->len / 1024, median(a, rounds), path, iter);
}

/* message - headers and body (transfer full) */
static char *
message(const char *ctype, const char *body, size_t *len)
{
	char *m = g_strdup_printf(
	    "From: Alice <alice@example.org>\r\nTo: bob@example.org\r\n"
	    "Subject: bench\r\nDate: Tue, 14 May 2024 09:30:00 +0200\r\n"
	    "Message-ID: <bench@example.org>\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: %s\r\n\r\n%s",
	    ctype, body);

	*len = strlen(m);
	return m;
}

/* pdf_mail - a text part and a base64 attachment of kb kilobytes */
static char *
pdf_mail(size_t kb, size_t *len)
{
	GString *b = g_string_new("--b\r\nContent-Type: text/plain\r\n\r\n"
	                          "The report is attached.\r\n--b\r\n"
	                          "Content-Type: application/pdf; "
	                          "name=\"report.pdf\"\r\n"
	                          "Content-Disposition: attachment; "
	                          "filename=\"report.pdf\"\r\n"
	                          "Content-Transfer-Encoding: base64\r\n\r\n");
	char *m;

	while (b->len < kb * 1024)
		g_string_append(b, "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGgg"
		                   "NiAwIFIvRmlsdGVyIC9GbGF0ZURlY29k\r\n");
	g_string_append(b, "--b--\r\n");
	m = message("multipart/mixed; boundary=\"b\"", b->str, len);
	g_string_free(b, TRUE);
	return m;
}

/* ten_parts - nine text and image parts and one vCard */
static char *
ten_parts(const char *vcard, size_t *len)
{
	GString *b = g_string_new(NULL);
	char *m;
	int i;

	for (i = 0; i < 9; i++)
		g_string_append_printf(
		    b,
		    "--b\r\nContent-Type: %s\r\n%s\r\n%s\r\n", i % 2 ? "image/png" : "text/plain",
		    i % 2 ? "Content-Transfer-Encoding: base64\r\n" : "",
		    i % 2 ? "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
		          : "Part text, a few words of it.");
	g_string_append_printf(b, "--b\r\nContent-Type: text/vcard; "
	                          "charset=utf-8\r\n\r\n%s\r\n--b--\r\n",
	                       vcard);
	m = message("multipart/mixed; boundary=\"b\"", b->str, len);
	g_string_free(b, TRUE);
	return m;
}

/* ---- main ------------------------------------------------------------------------ */

static int
load_core(struct obj *o, int tiny)
{
	o[0] = (struct obj){"Outlook invite (outlook-2010.ics)", NULL, 0};
	o[0].data = read_input("ics/biweekly__outlook-2010.ics", &o[0].len);
	o[1] = (struct obj){"Google invite (calcard__007.ics)", NULL, 0};
	o[1].data = read_input("ics/calcard__007.ics", &o[1].len);
	o[2] = (struct obj){"series, 50 overrides (built)", NULL, 0};
	o[2].data = series(50, &o[2].len);
	o[3] = (struct obj){"export 2 KB (built)", NULL, 0};
	o[3].data = export(2, &o[3].len);
	o[4] = (struct obj){"export 200 KB (built)", NULL, 0};
	o[4].data = export(200, &o[4].len);
	o[5] = (struct obj){tiny ? "export 1 MB (built; tiny run)"
	                         : "export 5 MB (built)",
	                    NULL, 0};
	o[5].data = export(tiny ? 1024 : 5120, &o[5].len);
	o[6] = (struct obj){"vCard 2.1, photo (blackberry_photo)", NULL, 0};
	o[6].data =
	    read_input("vcf/android-vcard__v21_blackberry_photo.vcf", &o[6].len);
	o[7] = (struct obj){"vCalendar 1.0 (vcal-example1.vcs)", NULL, 0};
	o[7].data = read_input("ics/biweekly__vcal-example1.vcs", &o[7].len);
	return o[0].data && o[1].data && o[6].data && o[7].data ? 0 : -1;
}

static int
load_msgs(struct obj *m, const char *vcard)
{
	char *inv;
	size_t len;

	m[0] = (struct obj){"plain text mail", NULL, 0};
	m[0].data = message("text/plain; charset=us-ascii",
	                    "Hello Bob,\r\n\r\nsee you on Tuesday.\r\n", &m[0].len);
	m[1] = (struct obj){"multipart, 2 MB PDF, no calendar", NULL, 0};
	m[1].data = pdf_mail(2048, &m[1].len);
	m[2] = (struct obj){"invite (e2e/broken-invite.eml)", NULL, 0};
	if (!g_file_get_contents(SRCDIR "/tests/fixtures/e2e/broken-invite.eml",
	                         &inv, &len, NULL))
		return -1;
	m[2].data = inv;
	m[2].len = len;
	m[3] = (struct obj){"10 parts, one vCard", NULL, 0};
	m[3].data = ten_parts(vcard, &m[3].len);
	return 0;
}

int
main(int argc, char **argv)
{
	double scale = argc > 1 ? strtod(argv[1], NULL) : 1, us[8], ms;
	int rounds = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5, bad = 0;
	int tiny = scale < 0.1;
	struct core_env e;
	struct mime_policy pol;
	struct obj o[8], m[4];
	size_t i;

	if (rounds < 1 || rounds > 64)
		return 2;
	ms = 20 * (scale > 0 ? scale : 0.01);
	cal_init();
	mime_init();
	cal_policy_default(&e.pol);
	cal_limits_default(&e.lim);
	cal_context_init(&e.ctx);
	e.ctx.now = (time_t)1741600000;
	mime_policy_default(&pol);
	pol.now = (time_t)1741600000;
	if (load_core(o, tiny) != 0 || load_msgs(m, o[6].data) != 0)
		return 1;
	printf("1. core, in-process: us per object, median of %d rounds each, "
	       "core and floor alternating\n",
	       rounds);
	printf("   floor = libical icalparser_parse_string + "
	       "icalcomponent_as_ical_string_r\n");
	printf("  %-36s %11s %10s %10s %9s %6s  %s\n", "object", "size",
	       "core us", "floor us", "ratio", "runs", "core result");
	for (i = 0; i < 8; i++)
		bad |= core_row(&e, &o[i], ms, rounds, &us[i]);
	printf("  cost per KB (export): %.1f us/KB at %.0f KB, %.1f us/KB at "
	       "%.0f KB, %.1f us/KB at %.0f KB\n",
	       us[3] / ((double)o[3].len / 1024), (double)o[3].len / 1024,
	       us[4] / ((double)o[4].len / 1024), (double)o[4].len / 1024,
	       us[5] / ((double)o[5].len / 1024), (double)o[5].len / 1024);
	printf("\n2. whole message, in-process (headers, body scan, GMime "
	       "only on maybe): us per message, median of %d rounds\n",
	       rounds);
	printf("  %-36s %11s %10s  %-8s %6s\n", "message", "size", "us", "path",
	       "runs");
	for (i = 0; i < 4; i++)
		msg_row(&m[i], &pol, ms, rounds);
	for (i = 0; i < 8; i++)
		g_free(o[i].data);
	for (i = 0; i < 4; i++)
		g_free(m[i].data);
	if (bad)
		fprintf(stderr, "bench_core: the core failed on an input\n");
	return bad;
}
