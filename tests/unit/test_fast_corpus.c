/*
 * test_fast_corpus.c - the fast path and the slow path agree on every
 * message of the shared corpus (and on the MIME fixtures): when
 * mime_fast_needs_body() says "no" from the top-level headers, mime_process()
 * must find no part to change. A "no" for a signed (N-1) or DKIM-signed
 * (N-2) message is consistent when the slow path leaves it whole too. For a
 * multipart message the body scan (mime_scan_body) goes on, with the body
 * handed over in chunks of several sizes: each must give the same verdict,
 * and a "no" must hold on the slow path the same way.
 *
 * The header block is read here, independently of mime/: fields up to the
 * first empty line, the value after the colon with its folds as received;
 * lines that are not fields (an mbox "From " line) are skipped.
 */
#include "unit.h"
#include "caltest.h"
#include "mimetest.h"

#include <dirent.h>
#include <sys/stat.h>

#define CORPUS SRCDIR "/../shared/corpus/eml"

/* feed_headers - the top-level header fields of msg to f */
static void
feed_headers(struct mime_fast *f, const char *msg, size_t len)
{
	GString *name = g_string_new(NULL), *value = g_string_new(NULL);
	size_t i = 0, e, n;
	int have = 0;
	const char *colon;

	while (i < len) {
		for (e = i; e < len && msg[e] != '\n'; e++)
			;
		n = e - i;
		if (n > 0 && msg[i + n - 1] == '\r')
			n--;
		if (n == 0)
			break; /* the empty line ends the block */
		if ((msg[i] == ' ' || msg[i] == '\t') && have) {
			/* a fold: the line break and the line, as received */
			g_string_append_c(value, '\n');
			g_string_append_len(value, msg + i, (gssize)n);
		} else {
			if (have)
				mime_fast_header(f, name->str, value->str);
			have = 0;
			colon = memchr(msg + i, ':', n);
			if (colon != NULL && colon > msg + i &&
			    memchr(msg + i, ' ', (size_t)(colon - msg - i)) ==
			        NULL) {
				g_string_assign(name, "");
				g_string_append_len(name, msg + i,
				                    colon - msg - i);
				g_string_assign(value, "");
				g_string_append_len(
				    value, colon + 1,
				    (gssize)(msg + i + n - colon - 1));
				have = 1;
			}
		}
		i = e + 1;
	}
	if (have)
		mime_fast_header(f, name->str, value->str);
	g_string_free(name, TRUE);
	g_string_free(value, TRUE);
}

struct tally {
	unsigned files;
	unsigned no;
	unsigned maybe;
	unsigned bad;
	unsigned scan_no; /* multipart, and the body scan said no */
};

/* body_of - the bytes after the header block's empty line */
static const char *
body_of(const char *msg, size_t len, size_t *blen)
{
	const char *lf = msg, *end = msg + len;

	while ((lf = memchr(lf, '\n', (size_t)(end - lf))) != NULL) {
		lf++;
		if (lf < end && *lf == '\n')
			break;
		if (lf + 1 < end && lf[0] == '\r' && lf[1] == '\n') {
			lf++;
			break;
		}
	}
	if (lf == NULL || lf >= end) {
		*blen = 0;
		return end;
	}
	*blen = (size_t)(end - lf - 1);
	return lf + 1;
}

/* scan_says - the body scan's verdict, the body handed over in chunks of
 * step bytes; every step must give the same */
static int
scan_says(const char *msg, size_t len, size_t step)
{
	struct mime_scan s = {0, 0};
	size_t blen, have = 0;
	const char *body = body_of(msg, len, &blen);

	while (have < blen) {
		have = have + step < blen ? have + step : blen;
		mime_scan_body(&s, (const uint8_t *)body, have, 0);
	}
	mime_scan_body(&s, (const uint8_t *)body, blen, 1);
	return s.maybe;
}

/* scan_maybe - "maybe" unless the body scan says no for every chunking */
static int
scan_maybe(const char *msg, size_t len)
{
	static const size_t steps[] = {1, 5, 64, 1000, 65535};
	size_t i;
	int v = scan_says(msg, len, len + 1);

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (scan_says(msg, len, steps[i]) != v)
			fail_msg("the scan depends on the chunk size %zu",
			         steps[i]);
	return v;
}

/* agree - one message: a "no" of the fast path holds on the slow path */
static void
agree(const char *path, const struct mime_policy *pol, struct tally *t)
{
	struct mime_fast *f = mime_fast_new(pol);
	struct mime_result res;
	const char *why;
	size_t len;
	char *msg = unit_read_file(path, &len);
	int maybe, ok = 1;

	assert_non_null(f);
	feed_headers(f, msg, len);
	maybe = mime_fast_needs_body(f);
	why = mime_fast_reason(f);
	if (maybe && mime_fast_scannable(f) && !scan_maybe(msg, len)) {
		t->scan_no++;
		maybe = 0;
		why = "scan";
	}
	t->files++;
	if (maybe) {
		t->maybe++;
	} else {
		t->no++;
		mime_process(&res, (const uint8_t *)msg, len, pol);
		if (strcmp(why, "dkim") == 0 || strcmp(why, "signed") == 0)
			ok = res.status != CAL_CHANGED; /* left whole */
		else
			ok = res.status != CAL_CHANGED && res.parts_seen == 0;
		if (!ok) {
			t->bad++;
			print_message(
			    "DISAGREE %s: fast says no (%s); slow: %s, "
			    "%s, %u part(s) seen\n",
			    path, why, cal_status_name(res.status),
			    mime_reason_name(res.reason), res.parts_seen);
		}
		mime_result_free(&res);
	}
	mime_fast_free(f);
	free(msg);
}

/* walk_dir - every regular file of dir (with the suffix, if given) */
static void
walk_dir(const char *dir, const char *suffix, const struct mime_policy *pol,
         struct tally *t)
{
	struct dirent **ents;
	struct stat st;
	char path[1024];
	size_t sl = suffix != NULL ? strlen(suffix) : 0, nl;
	int i, n;

	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		fail_msg("cannot read %s", dir);
	for (i = 0; i < n; i++) {
		nl = strlen(ents[i]->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode) &&
		    (suffix == NULL ||
		     (nl > sl &&
		      strcmp(ents[i]->d_name + nl - sl, suffix) == 0)))
			agree(path, pol, t);
		free(ents[i]);
	}
	free(ents);
}

/* fast_policy - the defaults, or DkimSigned mode with trusted ids */
static void
fast_policy(struct mime_policy *pol, enum mime_dkim_policy dkim)
{
	mime_policy_default(pol);
	pol->now = MT_NOW;
	pol->dkim = dkim;
	/* ids that occur in the corpus, so that "verified" is exercised */
	pol->trusted_authserv_ids = "mx.google.com, mx.example.net";
}

static void
test_fast_corpus_no_means_nothing_to_change(void **state)
{
	static const enum mime_dkim_policy modes[] = {
	    MIME_DKIM_SKIP, MIME_DKIM_REWRITE, MIME_DKIM_VERIFIED};
	struct mime_policy pol;
	struct tally t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		memset(&t, 0, sizeof(t));
		fast_policy(&pol, modes[i]);
		walk_dir(CORPUS, NULL, &pol, &t);
		print_message("corpus, DkimSigned mode %d: %u messages, %u "
		              "maybe, %u no (%u by the body scan), %u disagree\n",
		              (int)modes[i], t.files, t.maybe, t.no, t.scan_no,
		              t.bad);
		assert_true(t.files >= 70);
		assert_int_equal(t.bad, 0);
	}
}

static void
test_fast_fixtures_no_means_nothing_to_change(void **state)
{
	static const enum mime_dkim_policy modes[] = {
	    MIME_DKIM_SKIP, MIME_DKIM_REWRITE, MIME_DKIM_VERIFIED};
	struct mime_policy pol;
	struct tally t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		memset(&t, 0, sizeof(t));
		fast_policy(&pol, modes[i]);
		walk_dir(SRCDIR "/tests/fixtures/mime", ".eml", &pol, &t);
		walk_dir(SRCDIR "/tests/fixtures/e2e", ".eml", &pol, &t);
		print_message("fixtures, DkimSigned mode %d: %u messages, %u "
		              "maybe, %u no (%u by the body scan), %u disagree\n",
		              (int)modes[i], t.files, t.maybe, t.no, t.scan_no,
		              t.bad);
		assert_true(t.files > 0);
		assert_true(t.no > 0); /* plain.eml, signed.eml ... */
		assert_true(t.scan_no > 0); /* name-pdf.eml, many-parts.eml */
		assert_int_equal(t.bad, 0);
	}
}

/* the header reader itself: folds are kept, From_ lines skipped */
static void
test_fast_corpus_header_reader(void **state)
{
	static const char msg[] =
	    "From foo@example.org  Sun Jan 16 17:34:23 2000\n"
	    "Subject: x\n"
	    "Content-Type: application/octet-stream;\n"
	    "\tname=\"invite.ics\"\n"
	    "\n"
	    "Content-Type: text/plain\n";
	struct mime_policy pol;
	struct mime_fast *f;

	(void)state;
	mime_policy_default(&pol);
	f = mime_fast_new(&pol);
	feed_headers(f, msg, strlen(msg));
	assert_int_equal(mime_fast_needs_body(f), 1);
	assert_string_equal(mime_fast_reason(f), "name");
	mime_fast_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fast_corpus_header_reader),
	    cmocka_unit_test(test_fast_corpus_no_means_nothing_to_change),
	    cmocka_unit_test(test_fast_fixtures_no_means_nothing_to_change),
	};

	mime_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
