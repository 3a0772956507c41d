/*
 * test_milter_ctx.c - milter/milt_ctx.c and log_sane(): the message is
 * re-assembled as the MTA relays it (CRLF, the space after the colon),
 * never grows past MaxMessageSize nor keeps half a header, past
 * SpoolThreshold moves to an unlinked file and reads back the same, and what
 * reaches a log line from the message is sanitized.
 *
 * mime_fast_* and smfi_getsymval are replaced by stand-ins.
 */
#define _GNU_SOURCE /* O_TMPFILE in milt_spool.c */
#include "unit.h"

#include <sys/stat.h>

#include "../../milter/log.c"
#include "../../milter/milt_ctx.c"
#include "../../milter/milt_spool.c"

struct mime_fast {
	int headers;
};

static const char *symval; /* what macro "i" holds */

struct mime_fast *
mime_fast_new(const struct mime_policy *pol)
{
	(void)pol;
	return calloc(1, sizeof(struct mime_fast));
}

void
mime_fast_free(struct mime_fast *f)
{
	free(f);
}

void
mime_fast_header(struct mime_fast *f, const char *name, const char *value)
{
	(void)name;
	(void)value;
	f->headers++;
}

char *
smfi_getsymval(SMFICTX *ctx, char *name)
{
	(void)ctx;
	assert_string_equal(name, "i");
	return (char *)symval;
}

/* assert_buf - the collected bytes are exactly want */
static void
assert_buf(const struct milt_msg *msg, const char *want)
{
	assert_int_equal(msg->len, strlen(want));
	assert_memory_equal(msg->buf, want, msg->len);
}

static void
test_assembly(void **state)
{
	struct milt_msg *msg = milt_msg_new(1024, NULL);
	const uint8_t body[] = "line\r\n";

	(void)state;
	assert_non_null(msg);
	assert_int_equal(milt_msg_header(msg, "Subject", " a\n\tb", 1),
	                 CAL_UNCHANGED);
	assert_int_equal(milt_msg_header(msg, "To", "x@y", 0), CAL_UNCHANGED);
	assert_int_equal(milt_msg_header(msg, "X-A", " c\r\n d", 1),
	                 CAL_UNCHANGED);
	assert_int_equal(milt_msg_header(msg, "X-Empty", "", 1), CAL_UNCHANGED);
	assert_int_equal(milt_msg_eoh(msg), CAL_UNCHANGED);
	assert_int_equal(milt_msg_body(msg, body, sizeof(body) - 1),
	                 CAL_UNCHANGED);
	assert_buf(msg, "Subject: a\r\n\tb\r\nTo: x@y\r\nX-A: c\r\n d\r\n"
	                "X-Empty:\r\n\r\nline\r\n");
	assert_int_equal(msg->fast->headers, 4);
	milt_msg_clear(&msg);
	assert_null(msg);
	milt_msg_clear(&msg); /* harmless when repeated */
}

static void
test_limit(void **state)
{
	struct milt_msg *msg = milt_msg_new(32, NULL);
	uint8_t body[16];

	(void)state;
	memset(body, 'x', sizeof(body));
	assert_int_equal(milt_msg_header(msg, "Subject", " 0123456789", 1),
	                 CAL_UNCHANGED); /* 21 bytes */
	assert_int_equal(milt_msg_header(msg, "To", " 0123456789", 1),
	                 CAL_LIMIT);    /* 16 more would be 37 */
	assert_int_equal(msg->len, 21); /* never half a header */
	assert_int_equal(milt_msg_eoh(msg), CAL_UNCHANGED);
	assert_int_equal(milt_msg_body(msg, body, 9), CAL_UNCHANGED);
	assert_int_equal(msg->len, 32); /* exactly the limit is fine */
	assert_int_equal(milt_msg_body(msg, body, 1), CAL_LIMIT);
	assert_int_equal(msg->len, 32);
	milt_msg_free(msg);
}

static void
test_growth(void **state)
{
	struct milt_msg *msg = milt_msg_new(300 * 1024, NULL);
	uint8_t chunk[1000];
	size_t i;

	(void)state;
	memset(chunk, 'y', sizeof(chunk));
	for (i = 0; i < 300; i++)
		assert_int_equal(milt_msg_body(msg, chunk, sizeof(chunk)),
		                 CAL_UNCHANGED);
	assert_int_equal(msg->len, 300000);
	assert_true(msg->cap <= msg->max);
	milt_msg_free(msg);
}

static void
test_msgid_and_qid(void **state)
{
	struct milt_msg *msg = milt_msg_new(1024, NULL);

	(void)state;
	assert_int_equal(
	    milt_msg_header(msg, "message-id", " <a\"b\\c@x>\r\n", 1),
	    CAL_UNCHANGED);
	assert_string_equal(msg->msgid, "<a?b?c@x>");
	symval = NULL;
	assert_string_equal(milt_msg_qid(msg, NULL), "NOQUEUE");
	assert_string_equal(milt_msg_qid(msg, (SMFICTX *)msg), "NOQUEUE");
	symval = "4Xk3pQ1";
	assert_string_equal(milt_msg_qid(msg, (SMFICTX *)msg), "4Xk3pQ1");
	symval = "other"; /* fetched once, then kept */
	assert_string_equal(milt_msg_qid(msg, (SMFICTX *)msg), "4Xk3pQ1");
	milt_msg_free(msg);
}

static void
test_conn_frees_msg(void **state)
{
	struct milt_conn *conn = milt_conn_new(NULL);

	(void)state;
	assert_non_null(conn);
	assert_int_equal(conn->actions, MILT_ACTIONS);
	conn->msg = milt_msg_new(100, NULL);
	assert_int_equal(milt_msg_header(conn->msg, "A", " b", 1),
	                 CAL_UNCHANGED);
	milt_conn_free(conn); /* valgrind: nothing leaks */
	milt_conn_free(NULL);
}

static void
test_log_sane(void **state)
{
	char big[LOG_SANE_MAX + 50], dst[LOG_SANE_MAX + 4], tiny[4];

	(void)state;
	assert_string_equal(
	    log_sane(dst, sizeof(dst), "a\r\nb\tc\x7f\xc3\xa9", (size_t)-1),
	    "a??b?c???");
	assert_string_equal(log_sane(dst, sizeof(dst), "abc", 2), "ab");
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_sane(dst, sizeof(dst), big, (size_t)-1);
	assert_int_equal(strlen(dst), LOG_SANE_MAX + 3);
	assert_string_equal(dst + LOG_SANE_MAX, "...");
	assert_string_equal(log_sane(tiny, sizeof(tiny), "abcdef", 6), "abc");
}

/* past spool_at the bytes go to an unlinked file; the same bytes at eom */
static void
test_spool(void **state)
{
	struct milt_msg *mem = milt_msg_new(4096, NULL);
	struct milt_msg *sp = milt_msg_new(4096, NULL);
	struct milt_msg *v[2] = {mem, sp};
	uint8_t body[300];
	const uint8_t *a, *b;
	struct stat st;
	size_t i;

	(void)state;
	memset(body, 'x', sizeof(body));
	sp->spool_at = 100;
	for (i = 0; i < 2; i++) {
		assert_int_equal(milt_msg_header(v[i], "Subject", " spool", 1),
		                 CAL_UNCHANGED);
		assert_int_equal(milt_msg_eoh(v[i]), CAL_UNCHANGED);
		assert_int_equal(milt_msg_body(v[i], body, sizeof(body)),
		                 CAL_UNCHANGED);
		assert_int_equal(milt_msg_body(v[i], body, 7), CAL_UNCHANGED);
	}
	assert_int_equal(mem->spool_fd, -1);
	assert_true(sp->spool_fd >= 0);
	assert_null(sp->buf);
	assert_int_equal(fstat(sp->spool_fd, &st), 0);
	assert_int_equal(st.st_nlink, 0); /* no name anywhere */
	assert_int_equal((size_t)st.st_size, sp->len);
	/* a header that does not fit leaves no half of it in the file */
	sp->max = sp->len + 4;
	assert_int_equal(milt_msg_header(sp, "X-Late", " too long", 1),
	                 CAL_LIMIT);
	assert_int_equal(fstat(sp->spool_fd, &st), 0);
	assert_int_equal((size_t)st.st_size, sp->len);
	assert_int_equal(sp->len, mem->len);
	a = milt_msg_bytes(mem);
	b = milt_msg_bytes(sp);
	assert_non_null(b);
	assert_memory_equal(a, b, mem->len);
	milt_msg_free(mem);
	milt_msg_free(sp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_assembly),
	    cmocka_unit_test(test_limit),
	    cmocka_unit_test(test_spool),
	    cmocka_unit_test(test_growth),
	    cmocka_unit_test(test_msgid_and_qid),
	    cmocka_unit_test(test_conn_frees_msg),
	    cmocka_unit_test(test_log_sane),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
