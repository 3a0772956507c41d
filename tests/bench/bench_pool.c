/*
 * bench_pool.c - what the worker isolation costs per message: the same
 * messages through mime_process() in-process, and through milt_pool_run()
 * to one sandboxed worker (build/calmilter -W 3), one after the other.
 * Prints microseconds per message (median of ROUNDS rounds of ITER
 * messages each, in-process and pooled rounds alternating) and the
 * difference: framing, the message into the worker's request file and the
 * result out of its result file, two wake-ups of another process, and the
 * result's unpacking. Issue 9's make bench measures the whole daemon; this
 * isolates what the worker model adds.
 *
 *   build/tests/bench_pool [ITER [ROUNDS]]      (make bench-pool)
 *
 * Never fails on timing; exits 1 only when a result differs between the
 * two paths.
 */
#define _GNU_SOURCE /* before any header: milt_pool.c needs it */
#include "../unit/unit.h"

#include <glib.h>

#include "../../milter/log.c"
#include "../../milter/milt_poison.c"
#include "../../milter/milt_pool.c"
#include "../../milter/milt_policy.c"
#include "../../milter/milt_wire.c"

#define EXE    BUILDDIR "/calmilter"
#define NINPUT 5
#define NOW    ((time_t)1741600000)

struct input {
	const char *name;
	char *msg;
	size_t len;
};

/* events - a message with one calendar of n events (transfer full) */
static char *
events(unsigned n, size_t *len)
{
	GString *s = g_string_new(
	    "From: a@example.org\r\nTo: b@example.org\r\n"
	    "Date: Tue, 14 May 2024 09:30:00 +0200\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/calendar; charset=utf-8; method=PUBLISH\r\n\r\n"
	    "BEGIN:VCALENDAR\r\nPRODID:-//b//b//EN\r\nVERSION:2.0\r\n");
	unsigned i;

	for (i = 0; i < n; i++)
		g_string_append_printf(s,
		                       "BEGIN:VEVENT\r\nUID:e%u@example.org\r\n"
		                       "DTSTART:20240520T100000Z\r\n"
		                       "DURATION:PT1H\r\nSUMMARY:event %u\r\n"
		                       "END:VEVENT\r\n",
		                       i, i);
	g_string_append(s, "END:VCALENDAR\r\n");
	*len = s->len;
	return g_string_free(s, FALSE);
}

/* attachment - the invite fixture with a base64 attachment of about kb
 * kilobytes in front of it (transfer full) */
static char *
attachment(const char *invite, size_t kb, size_t *len)
{
	const char *body = strstr(invite, "\r\n\r\n");
	GString *s = g_string_new(NULL);
	size_t i;

	g_string_append(s, "From: a@example.org\nTo: b@example.org\n"
	                   "Date: Tue, 14 May 2024 09:30:00 +0200\n"
	                   "MIME-Version: 1.0\n"
	                   "Content-Type: multipart/mixed; boundary=outer\n\n"
	                   "--outer\nContent-Type: application/pdf\n"
	                   "Content-Transfer-Encoding: base64\n\n");
	for (i = 0; i < kb * 1024 / 77; i++)
		g_string_append(s, "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndG"
		                   "ggNiAwIFIvRmlsdGVyIC9GbGF0ZURlY29kZT\n");
	g_string_append(s, "--outer\nContent-Type: message/rfc822\n\n");
	if (body == NULL)
		body = strstr(invite, "\n\n");
	g_string_append_len(s, invite, body - invite);
	g_string_append(s, body);
	g_string_append(s, "\n--outer--\n");
	*len = s->len;
	return g_string_free(s, FALSE);
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* round_us - one round of iter messages, µs per message; *bad on a
 * result that differs from want */
static double
round_us(struct milt_pool *pool, const struct input *in,
         const struct mime_policy *pol, int iter, size_t want, int *bad)
{
	struct milt_pool_note note;
	struct mime_result res;
	double t0 = now_us();
	int i;

	for (i = 0; i < iter; i++) {
		if (pool != NULL)
			milt_pool_run(pool, (const uint8_t *)in->msg, in->len,
			              NOW, &res, &note);
		else
			mime_process(&res, (const uint8_t *)in->msg, in->len,
			             pol);
		if (res.body_len != want)
			*bad = 1;
		mime_result_free(&res);
	}
	return (now_us() - t0) / iter;
}

int
main(int argc, char **argv)
{
	int iter = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 100;
	int rounds = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5, r, bad = 0;
	struct input in[5];
	struct conf *c;
	struct milt_pool *pool;
	struct mime_policy pol;
	struct mime_result res;
	double a[64], b[64];
	char err[256], *invite;
	size_t i, len;

	if (iter < 1 || rounds < 1 || rounds > 64)
		return 2;
	mime_init();
	invite = unit_read_file("tests/fixtures/e2e/broken-invite.eml", &len);
	in[0] = (struct input){"invite, 2 KB", invite, len};
	in[1].name = "calendar of 1000 events, 130 KB";
	in[1].msg = events(1000, &in[1].len);
	in[2].name = "invite forwarded beside a 1 MB PDF";
	in[2].msg = attachment(invite, 1024, &in[2].len);
	in[3].name = "invite forwarded beside a 10 MB PDF";
	in[3].msg = attachment(invite, 10240, &in[3].len);
	in[4].name = "10 MB PDF, no calendar";
	in[4].msg =
	    attachment("Subject: x\n\nno calendar\n", 10240, &in[4].len);
	c = conf_new_default();
	conf_set(c, "Workers", "1", "bench", err, sizeof(err));
	milt_policy_from_conf(&pol, c);
	pol.now = NOW;
	pool = milt_pool_new(c, EXE, err, sizeof(err));
	if (pool == NULL) {
		fprintf(stderr, "bench_pool: %s\n", err);
		return 2;
	}
	printf("%-38s %10s %10s %10s\n", "message", "in-process", "worker",
	       "cost");
	for (i = 0; i < NINPUT; i++) {
		mime_process(&res, (uint8_t *)in[i].msg, in[i].len, &pol);
		len = res.body_len;
		mime_result_free(&res);
		for (r = 0; r < rounds; r++) { /* alternating rounds */
			a[r] = round_us(NULL, &in[i], &pol, iter, len, &bad);
			b[r] = round_us(pool, &in[i], &pol, iter, len, &bad);
		}
		qsort(a, (size_t)rounds, sizeof(*a), dbl_cmp);
		qsort(b, (size_t)rounds, sizeof(*b), dbl_cmp);
		printf("%-38s %8.0f us %8.0f us %8.0f us\n", in[i].name,
		       a[rounds / 2], b[rounds / 2],
		       b[rounds / 2] - a[rounds / 2]);
		fflush(stdout);
	}
	milt_pool_stop(pool);
	pool_free(pool);
	conf_free(c);
	for (i = 1; i < NINPUT; i++)
		free(in[i].msg);
	free(invite);
	if (bad)
		fprintf(stderr, "bench_pool: results differ between paths\n");
	return bad;
}
