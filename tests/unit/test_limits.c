/*
 * test_limits.c - every ceiling of calmilter.conf, set through its key (the
 * text a worker receives, conf_set, milt_policy_from_conf) and hit by a
 * message: the message is left as it is (CAL_LIMIT, reason limit, no body,
 * no edits) and the detail the summary line prints names the key and its
 * value. The same message under the defaults is not stopped, so it is that
 * key, and not another, that stopped it. MaxExpansion, which only a rewrite
 * of times can reach, is hit through the meaning check itself;
 * MaxMessageTime, which a worker overruns, is test_milter_pool's.
 */
#include "unit.h"

#include <glib.h>

#include "../../ical/cal_int.h"
#include "../../milter/milt_policy.c"

#define NOW ((time_t)1741600000)

/* message - a message with one text/calendar part holding cal (transfer
 * full) */
static char *
message(const char *cal)
{
	return g_strdup_printf(
	    "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\n"
	    "Subject: Review\r\nDate: Mon, 10 Mar 2025 09:46:40 +0000\r\n"
	    "Message-ID: <limits@example.org>\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	    "--b\r\nContent-Type: text/plain\r\n\r\nHello\r\n"
	    "--b\r\nContent-Type: text/calendar; charset=utf-8; "
	    "method=REQUEST\r\n\r\n%s--b--\r\n",
	    cal);
}

/* calendar - n events (the first without DTSTAMP, so that there is
 * something to repair), each with extra lines of text (transfer full) */
static char *
calendar(unsigned n, const char *extra)
{
	GString *s = g_string_new("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	                          "PRODID:-//test//limits//EN\r\n"
	                          "METHOD:REQUEST\r\n");
	unsigned i;

	for (i = 0; i < n; i++) {
		g_string_append_printf(s,
		                       "BEGIN:VEVENT\r\nUID:ev%u@example.org\r\n"
		                       "%sDTSTART:20250310T090000Z\r\n"
		                       "DTEND:20250310T100000Z\r\n"
		                       "SUMMARY:Review %u\r\n%s"
		                       "ORGANIZER:mailto:alice@example.org\r\n"
		                       "ATTENDEE:mailto:bob@example.net\r\n"
		                       "END:VEVENT\r\n",
		                       i, i ? "DTSTAMP:20250101T000000Z\r\n" : "",
		                       i, extra);
	}
	g_string_append(s, "END:VCALENDAR\r\n");
	return g_string_free(s, FALSE);
}

/*
 * run - msg under the defaults with key set to value (key NULL: the
 * defaults alone); returns the status, res filled
 */
static enum cal_status
run(struct mime_result *res, const char *msg, const char *key,
    const char *value)
{
	struct conf *c = conf_new_default();
	struct mime_policy pol;
	char err[256];

	assert_non_null(c);
	if (key != NULL &&
	    conf_set(c, key, value, "test", err, sizeof(err)) != 0)
		fail_msg("%s", err);
	milt_policy_from_conf(&pol, c);
	pol.now = NOW;
	conf_free(c);
	return mime_process(res, (const uint8_t *)msg, strlen(msg), &pol);
}

/*
 * assert_limit - msg is stopped by key=value, with want in the detail,
 * and passes the defaults
 */
static void
assert_limit(const char *msg, const char *key, const char *value,
             const char *want)
{
	struct mime_result res;

	assert_int_equal(run(&res, msg, key, value), CAL_LIMIT);
	assert_int_equal(res.reason, MIME_REASON_LIMIT);
	assert_null(res.body);
	assert_int_equal(res.nedits, 0);
	if (strstr(res.detail, want) == NULL)
		fail_msg("%s %s: detail \"%s\" does not name \"%s\"", key,
		         value, res.detail, want);
	mime_result_free(&res);
	assert_int_not_equal(run(&res, msg, NULL, NULL), CAL_LIMIT);
	assert_int_not_equal(res.reason, MIME_REASON_LIMIT);
	mime_result_free(&res);
}

static void
test_limit_message_size(void **state)
{
	char *cal = calendar(6, ""), *msg = message(cal);

	(void)state;
	assert_true(strlen(msg) > 1024);
	assert_limit(msg, "MaxMessageSize", "1K", "MaxMessageSize (1024)");
	g_free(msg);
	g_free(cal);
}

static void
test_limit_mime_depth(void **state)
{
	char *cal = calendar(1, ""), *inner = message(cal), *msg;

	(void)state;
	/* the calendar one level deeper: inside a message/rfc822 */
	msg = g_strdup_printf("From: a@example.org\r\nMIME-Version: 1.0\r\n"
	                      "Content-Type: multipart/mixed; boundary=o\r\n"
	                      "\r\n--o\r\nContent-Type: message/rfc822\r\n"
	                      "\r\n%s--o--\r\n",
	                      inner);
	assert_limit(msg, "MaxMimeDepth", "2", "MaxMimeDepth (2)");
	g_free(msg);
	g_free(inner);
	g_free(cal);
}

static void
test_limit_mime_parts(void **state)
{
	char *cal = calendar(1, ""), *msg = message(cal);

	(void)state;
	assert_limit(msg, "MaxMimeParts", "2", "MaxMimeParts (2)");
	g_free(msg);
	g_free(cal);
}

static void
test_limit_part_size(void **state)
{
	char *cal = calendar(12, ""), *msg = message(cal);

	(void)state;
	assert_true(strlen(cal) > 2048);
	assert_limit(msg, "MaxPartSize", "2K", "MaxPartSize (2048)");
	g_free(msg);
	g_free(cal);
}

static void
test_limit_components(void **state)
{
	char *cal = calendar(6, ""), *msg = message(cal);

	(void)state;
	assert_limit(msg, "MaxComponents", "6", "MaxComponents (6)");
	g_free(msg);
	g_free(cal);
}

static void
test_limit_properties(void **state)
{
	char *cal = calendar(3, ""), *msg = message(cal);

	(void)state;
	assert_limit(msg, "MaxProperties", "20", "MaxProperties (20)");
	g_free(msg);
	g_free(cal);
}

static void
test_limit_line_length(void **state)
{
	GString *d = g_string_new("DESCRIPTION:");
	char *cal, *msg;
	int i;

	(void)state;
	for (i = 0; i < 40; i++) /* 40 folded lines of 60 octets */
		g_string_append(d, "0123456789012345678901234567890123456789"
		                   "01234567890123456789\r\n ");
	g_string_append(d, "end\r\n");
	cal = calendar(1, d->str);
	msg = message(cal);
	assert_limit(msg, "MaxLineLength", "2K", "MaxLineLength (2048)");
	g_free(msg);
	g_free(cal);
	g_string_free(d, TRUE);
}

/* series - n daily series of 50, the first one starting at hour h */
static char *
series(unsigned n, int h)
{
	GString *s = g_string_new("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	                          "PRODID:-//test//limits//EN\r\n");
	unsigned i;

	for (i = 0; i < n; i++)
		g_string_append_printf(s,
		                       "BEGIN:VEVENT\r\nUID:s%u@example.org\r\n"
		                       "DTSTAMP:20250101T000000Z\r\n"
		                       "DTSTART:20250310T%02d0000Z\r\n"
		                       "DURATION:PT1H\r\n"
		                       "RRULE:FREQ=DAILY;COUNT=50\r\n"
		                       "END:VEVENT\r\n",
		                       i, i == 0 ? h : 9);
	g_string_append(s, "END:VCALENDAR\r\n");
	return g_string_free(s, FALSE);
}

/* MaxExpansion: a rewrite that moved a series would have to be expanded
 * past the ceiling: the check stops with a LIMIT finding instead */
static void
test_limit_expansion(void **state)
{
	char *before = series(3, 9), *after = series(3, 10), why[300];
	struct cal_limits lim;
	struct cal_report rep;

	(void)state;
	cal_limits_default(&lim);
	cal_report_init(&rep, 50);
	/* the defaults expand all 300 occurrences and see the move */
	assert_int_equal(cal_meaning_check(before, after, &lim, 0, &rep, why,
	                                   sizeof(why)),
	                 0);
	assert_int_equal(rep.n, 0);
	lim.max_expansion = 200;
	assert_int_equal(cal_meaning_check(before, after, &lim, 0, &rep, why,
	                                   sizeof(why)),
	                 -3);
	assert_int_equal(rep.n, 1);
	assert_string_equal(rep.v[0].rule, "LIMIT");
	assert_non_null(strstr(rep.v[0].text, "MaxExpansion (200)"));
	/* the same object against itself needs no expansion at all */
	assert_int_equal(cal_meaning_check(before, before, &lim, 0, &rep, why,
	                                   sizeof(why)),
	                 1);
	cal_report_free(&rep);
	g_free(before);
	g_free(after);
}

/* the conf keys reach the core's struct cal_limits */
static void
test_limits_wired(void **state)
{
	struct conf *c = conf_new_default();
	struct mime_policy pol;
	char err[256];

	(void)state;
	assert_int_equal(conf_set(c, "MaxComponents", "11", "t", err, 256), 0);
	assert_int_equal(conf_set(c, "MaxProperties", "12", "t", err, 256), 0);
	assert_int_equal(conf_set(c, "MaxLineLength", "13K", "t", err, 256), 0);
	assert_int_equal(conf_set(c, "MaxInstances", "14", "t", err, 256), 0);
	assert_int_equal(conf_set(c, "MaxExpansion", "1500", "t", err, 256), 0);
	assert_int_equal(conf_set(c, "MaxPartSize", "16K", "t", err, 256), 0);
	milt_policy_from_conf(&pol, c);
	assert_int_equal(pol.cal_limits.max_components, 11);
	assert_int_equal(pol.cal_limits.max_lines, 12);
	assert_int_equal(pol.cal_limits.max_line, 13 * 1024);
	assert_int_equal(pol.cal_limits.max_instances, 14);
	assert_int_equal(pol.cal_limits.max_expansion, 1500);
	assert_int_equal(pol.cal_limits.max_bytes, 16 * 1024);
	/* each has a maximum */
	assert_int_equal(conf_set(c, "MaxComponents", "1000001", "t", err, 256),
	                 -1);
	assert_int_equal(conf_set(c, "MaxExpansion", "99", "t", err, 256), -1);
	conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limit_message_size),
	    cmocka_unit_test(test_limit_mime_depth),
	    cmocka_unit_test(test_limit_mime_parts),
	    cmocka_unit_test(test_limit_part_size),
	    cmocka_unit_test(test_limit_components),
	    cmocka_unit_test(test_limit_properties),
	    cmocka_unit_test(test_limit_line_length),
	    cmocka_unit_test(test_limit_expansion),
	    cmocka_unit_test(test_limits_wired),
	};

	mime_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
