/*
 * test_milter_apply.c - milter/milt_apply.c: mime_process()'s edits become
 * libmilter calls in array order, values as mime/ made them (the leading
 * space only with SMFIP_HDR_LEADSPC), the body in chunks of at most 64 KB,
 * and a failed call stops everything (all or nothing).
 *
 * The smfi_* calls are replaced by recorders; no MTA and no libmilter.
 */
#include "unit.h"

#include "../../milter/milt_apply.c"

#define REC_MAX 64

struct rec {
	char op; /* 'c' chgheader, 'a' addheader, 'b' body */
	char name[64];
	int index;
	char value[256]; /* "(null)" for a delete */
	size_t len;      /* body chunk length */
};

static struct rec recs[REC_MAX];
static size_t nrecs;
static size_t fail_at; /* 1-based call that fails; 0 none */
static uint8_t *body_seen;
static size_t body_seen_len;

static int
rec_call(char op, const char *name, int index, const char *value)
{
	struct rec *r;

	assert_true(nrecs < REC_MAX);
	r = &recs[nrecs++];
	r->op = op;
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
	r->index = index;
	snprintf(r->value, sizeof(r->value), "%s", value ? value : "(null)");
	return nrecs == fail_at ? MI_FAILURE : MI_SUCCESS;
}

int
smfi_chgheader(SMFICTX *ctx, char *name, int index, char *value)
{
	(void)ctx;
	return rec_call('c', name, index, value);
}

int
smfi_addheader(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx;
	return rec_call('a', name, 0, value);
}

int
smfi_replacebody(SMFICTX *ctx, unsigned char *body, int len)
{
	(void)ctx;
	assert_true(len >= 0 && len <= MILT_BODY_CHUNK);
	body_seen = realloc(body_seen, body_seen_len + (size_t)len + 1);
	assert_non_null(body_seen);
	memcpy(body_seen + body_seen_len, body, (size_t)len);
	body_seen_len += (size_t)len;
	recs[nrecs].len = (size_t)len;
	return rec_call('b', NULL, 0, NULL);
}

static int
setup(void **state)
{
	(void)state;
	memset(recs, 0, sizeof(recs));
	nrecs = 0;
	fail_at = 0;
	free(body_seen);
	body_seen = NULL;
	body_seen_len = 0;
	return 0;
}

static char xcal[] = "X-Calmilter";
static char ctype[] = "Content-Type";
static char ctype_v[] = " text/calendar; charset=utf-8;\n\tmethod=REQUEST";
static char trace_v[] = " normalized; rules=R-A,R-B";

static struct mime_hdr_edit edits[] = {
    {MIME_HDR_DELETE, xcal, 2, NULL},
    {MIME_HDR_DELETE, xcal, 1, NULL},
    {MIME_HDR_CHANGE, ctype, 1, ctype_v},
    {MIME_HDR_ADD, xcal, 0, trace_v},
};

/* result - a CAL_CHANGED result with the edits above and a body */
static void
result(struct mime_result *res, uint8_t *body, size_t len)
{
	memset(res, 0, sizeof(*res));
	res->status = CAL_CHANGED;
	res->edits = edits;
	res->nedits = sizeof(edits) / sizeof(edits[0]);
	res->body = body;
	res->body_len = len;
}

static void
test_order_and_values(void **state)
{
	struct milt_conn conn = {.leadspc = 1};
	struct mime_result res;
	uint8_t body[] = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";

	(void)state;
	result(&res, body, sizeof(body) - 1);
	assert_int_equal(milt_apply(NULL, &conn, &res), 0);
	assert_int_equal(nrecs, 5);
	assert_int_equal(recs[0].op, 'c');
	assert_int_equal(recs[0].index, 2);
	assert_string_equal(recs[0].value, "(null)");
	assert_int_equal(recs[1].index, 1);
	assert_string_equal(recs[2].name, "Content-Type");
	assert_string_equal(recs[2].value,
	                    " text/calendar; charset=utf-8;\n\tmethod=REQUEST");
	assert_int_equal(recs[3].op, 'a');
	assert_string_equal(recs[3].value, " normalized; rules=R-A,R-B");
	assert_int_equal(recs[4].op, 'b');
	assert_int_equal(body_seen_len, sizeof(body) - 1);
	assert_memory_equal(body_seen, body, sizeof(body) - 1);
}

static void
test_no_leadspc(void **state)
{
	struct milt_conn conn = {.leadspc = 0};
	struct mime_result res;
	uint8_t body[] = "x";

	(void)state;
	result(&res, body, 1);
	assert_int_equal(milt_apply(NULL, &conn, &res), 0);
	assert_string_equal(recs[2].value,
	                    "text/calendar; charset=utf-8;\n\tmethod=REQUEST");
	assert_string_equal(recs[3].value, "normalized; rules=R-A,R-B");
}

static void
test_body_chunks(void **state)
{
	struct milt_conn conn = {.leadspc = 1};
	struct mime_result res;
	size_t len = 2 * MILT_BODY_CHUNK + 1000, i;
	uint8_t *body = malloc(len);

	(void)state;
	assert_non_null(body);
	for (i = 0; i < len; i++)
		body[i] = (uint8_t)('a' + i % 26);
	result(&res, body, len);
	assert_int_equal(milt_apply(NULL, &conn, &res), 0);
	assert_int_equal(nrecs, 4 + 3);
	assert_int_equal(recs[4].len, MILT_BODY_CHUNK);
	assert_int_equal(recs[6].len, 1000);
	assert_int_equal(body_seen_len, len);
	assert_memory_equal(body_seen, body, len);
	free(body);
}

static void
test_empty_and_absent_body(void **state)
{
	struct milt_conn conn = {.leadspc = 1};
	struct mime_result res;
	uint8_t empty[1] = {0};

	(void)state;
	result(&res, empty, 0);
	assert_int_equal(milt_apply(NULL, &conn, &res), 0);
	assert_int_equal(nrecs, 5); /* an empty body is still replaced */
	assert_int_equal(recs[4].op, 'b');
	assert_int_equal(recs[4].len, 0);
	setup(NULL);
	result(&res, NULL, 0);
	assert_int_equal(milt_apply(NULL, &conn, &res), 0);
	assert_int_equal(nrecs, 4); /* no body: headers only */
}

static void
test_failure_stops_everything(void **state)
{
	struct milt_conn conn = {.leadspc = 1};
	struct mime_result res;
	uint8_t body[] = "x";
	size_t n;

	(void)state;
	for (n = 1; n <= 5; n++) {
		setup(NULL);
		fail_at = n;
		result(&res, body, 1);
		assert_int_equal(milt_apply(NULL, &conn, &res), -1);
		assert_int_equal(nrecs, n); /* nothing after the failure */
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_order_and_values, setup),
	    cmocka_unit_test_setup(test_no_leadspc, setup),
	    cmocka_unit_test_setup(test_body_chunks, setup),
	    cmocka_unit_test_setup(test_empty_and_absent_body, setup),
	    cmocka_unit_test_setup(test_failure_stops_everything, setup),
	};
	int ret;

	ret = cmocka_run_group_tests(tests, NULL, NULL);
	free(body_seen);
	return ret;
}
