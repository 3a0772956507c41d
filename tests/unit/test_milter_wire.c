/*
 * test_milter_wire.c - milter/milt_wire.c: what a worker sends back comes
 * out as the same struct mime_result (status, reason, detail, counts, new
 * body, header edits, findings); a frame cut anywhere, or one over any
 * ceiling, or one with header text that could break the MTA's header
 * block, is refused; requests, configuration and READY frames round-trip.
 */
#include "unit.h"

#include <glib.h>

#include "../../milter/milt_wire.c"

#define FIXTURE "tests/fixtures/e2e/broken-invite.eml"

/* ---- a small payload builder, to make frames the packer never would ---- */

struct pb {
	uint8_t p[8192];
	size_t n;
};

static void
pb_int(struct pb *b, uint64_t v, size_t width)
{
	assert_true(b->n + width <= sizeof(b->p));
	wire_le(b->p + b->n, v, width);
	b->n += width;
}

static void
pb_str(struct pb *b, const char *s)
{
	size_t n = strlen(s);

	pb_int(b, n, 4);
	assert_true(b->n + n <= sizeof(b->p));
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

/* pb_result - status, reason, counts, stats, detail: the fixed front */
static void
pb_front(struct pb *b, uint32_t status, uint32_t reason)
{
	b->n = 0;
	pb_int(b, status, 4);
	pb_int(b, reason, 4);
	pb_int(b, 1, 4);
	pb_int(b, 1, 4);
	pb_int(b, 5, 8);
	pb_int(b, 6, 8);
	pb_str(b, "");
}

/* pb_edit - a CHANGED result with one edit (name, value) and no findings */
static void
pb_edit(struct pb *b, uint32_t op, const char *name, const char *value)
{
	pb_front(b, CAL_CHANGED, MIME_REASON_NONE);
	pb_int(b, 1, 1);
	pb_int(b, 2, 8);
	memcpy(b->p + b->n, "x\n", 2);
	b->n += 2;
	pb_int(b, 1, 4);
	pb_int(b, op, 4);
	pb_int(b, 1, 4);
	pb_str(b, name);
	pb_int(b, value != NULL, 1);
	pb_str(b, value != NULL ? value : "");
	pb_int(b, 0, 8);
	pb_int(b, 0, 8);
	pb_int(b, 0, 4);
}

/* unpack - 0 or -1, res freed either way */
static int
unpack(const uint8_t *p, size_t n, size_t max_body)
{
	struct milt_wire_stats st;
	struct mime_result res;
	int r;

	mime_result_init(&res);
	r = milt_wire_result_unpack(&res, &st, p, n, max_body);
	mime_result_free(&res);
	return r;
}

/* processed - mime_process on the broken invite: a real CHANGED result */
static void
processed(struct mime_result *res, char **msg)
{
	struct mime_policy pol;
	size_t len;

	*msg = unit_read_file(FIXTURE, &len);
	mime_policy_default(&pol);
	pol.now = 1741600000;
	(void)mime_process(res, (const uint8_t *)*msg, len, &pol);
	assert_int_equal(res->status, CAL_CHANGED);
	assert_non_null(res->body);
	assert_true(res->nedits > 0);
	assert_true(res->report.n > 0);
}

/* pack - res into a frame; returns the payload length */
static size_t
pack(struct milt_wire_buf *b, const struct mime_result *res)
{
	struct milt_wire_stats st = {1234567, 8910};
	uint64_t len;
	uint32_t type;

	milt_wire_buf_init(b, 64 * 1024 * 1024);
	assert_int_equal(milt_wire_result_pack(b, res, &st), 0);
	assert_int_equal(milt_wire_head_unpack(b->p, &type, &len), 0);
	assert_int_equal(type, MILT_WIRE_RESULT);
	assert_int_equal(len, b->len - MILT_WIRE_HEAD);
	return (size_t)len;
}

static void
assert_same_result(const struct mime_result *a, const struct mime_result *b)
{
	size_t i;

	assert_int_equal(a->status, b->status);
	assert_int_equal(a->reason, b->reason);
	assert_string_equal(a->detail, b->detail);
	assert_int_equal(a->parts_seen, b->parts_seen);
	assert_int_equal(a->parts_changed, b->parts_changed);
	assert_int_equal(a->body_len, b->body_len);
	assert_int_equal(a->body == NULL, b->body == NULL);
	if (a->body != NULL)
		assert_memory_equal(a->body, b->body, a->body_len);
	assert_int_equal(a->nedits, b->nedits);
	for (i = 0; i < a->nedits; i++) {
		assert_int_equal(a->edits[i].op, b->edits[i].op);
		assert_int_equal(a->edits[i].index, b->edits[i].index);
		assert_string_equal(a->edits[i].name, b->edits[i].name);
		assert_int_equal(a->edits[i].value == NULL,
		                 b->edits[i].value == NULL);
		if (a->edits[i].value != NULL)
			assert_string_equal(a->edits[i].value,
			                    b->edits[i].value);
	}
	assert_int_equal(a->report.n, b->report.n);
	assert_int_equal(a->report.nfix, b->report.nfix);
	assert_int_equal(a->report.dropped, b->report.dropped);
	for (i = 0; i < a->report.n; i++) {
		assert_string_equal(a->report.v[i].rule, b->report.v[i].rule);
		assert_int_equal(a->report.v[i].kind, b->report.v[i].kind);
		assert_string_equal(a->report.v[i].text, b->report.v[i].text);
	}
}

/* a changed message comes back whole: body, edits, findings, counters */
static void
test_result_roundtrip(void **state)
{
	struct mime_result res, back;
	struct milt_wire_stats st;
	struct milt_wire_buf b;
	char *msg;
	size_t n;

	(void)state;
	processed(&res, &msg);
	res.report.dropped = 3; /* as if findings had been dropped */
	n = pack(&b, &res);
	mime_result_init(&back);
	assert_int_equal(milt_wire_result_unpack(
	                     &back, &st, b.p + MILT_WIRE_HEAD, n, 1 << 20),
	                 0);
	assert_same_result(&res, &back);
	assert_int_equal(st.cpu_us, 1234567);
	assert_int_equal(st.maxrss_kb, 8910);
	mime_result_free(&back);
	mime_result_free(&res);
	milt_wire_buf_free(&b);
	free(msg);
}

/* an unchanged result: no body, no edits, reason and detail kept */
static void
test_result_unchanged(void **state)
{
	struct mime_result res, back;
	struct milt_wire_stats st;
	struct milt_wire_buf b;
	size_t n;

	(void)state;
	mime_result_init(&res);
	res.status = CAL_LIMIT;
	res.reason = MIME_REASON_LIMIT;
	snprintf(res.detail, sizeof(res.detail), "MaxMimeParts (500)");
	cal_report_add(&res.report, "LIMIT", CAL_REPORT, "too many parts");
	n = pack(&b, &res);
	mime_result_init(&back);
	assert_int_equal(
	    milt_wire_result_unpack(&back, &st, b.p + MILT_WIRE_HEAD, n, 0), 0);
	assert_same_result(&res, &back);
	assert_null(back.body);
	mime_result_free(&back);
	mime_result_free(&res);
	milt_wire_buf_free(&b);
}

/* every proper prefix of a valid payload is refused, and so is one more
 * byte */
static void
test_result_truncated(void **state)
{
	struct mime_result res;
	struct milt_wire_buf b;
	uint8_t *p;
	char *msg;
	size_t n, i;

	(void)state;
	processed(&res, &msg);
	n = pack(&b, &res);
	p = b.p + MILT_WIRE_HEAD;
	assert_int_equal(unpack(p, n, 1 << 20), 0);
	for (i = 0; i < n; i++)
		if (unpack(p, i, 1 << 20) != -1)
			fail_msg("a payload cut to %zu of %zu bytes was taken",
			         i, n);
	p = realloc(b.p, b.len + 1);
	assert_non_null(p);
	b.p = p;
	b.p[b.len] = 0;
	assert_int_equal(unpack(b.p + MILT_WIRE_HEAD, n + 1, 1 << 20), -1);
	mime_result_free(&res);
	milt_wire_buf_free(&b);
	free(msg);
}

/* a body over the daemon's ceiling is refused before it is copied */
static void
test_result_body_ceiling(void **state)
{
	struct mime_result res;
	struct milt_wire_buf b;
	char *msg;
	size_t n;

	(void)state;
	processed(&res, &msg);
	n = pack(&b, &res);
	assert_int_equal(unpack(b.p + MILT_WIRE_HEAD, n, res.body_len), 0);
	assert_int_equal(unpack(b.p + MILT_WIRE_HEAD, n, res.body_len - 1), -1);
	mime_result_free(&res);
	milt_wire_buf_free(&b);
	free(msg);
}

/* header text that could break the MTA's header block is refused */
static void
test_result_header_text(void **state)
{
	struct pb b;

	(void)state;
	pb_edit(&b, MIME_HDR_ADD, "X-Calmilter", " ok;\n\tfolded");
	assert_int_equal(unpack(b.p, b.n, 100), 0);
	pb_edit(&b, MIME_HDR_DELETE, "X-Calmilter", NULL);
	assert_int_equal(unpack(b.p, b.n, 100), 0);
	pb_edit(&b, MIME_HDR_ADD, "X-Calmilter", NULL); /* add needs one */
	assert_int_equal(unpack(b.p, b.n, 100), -1);
	pb_edit(&b, MIME_HDR_ADD, "X-Cal:milter", " v");
	assert_int_equal(unpack(b.p, b.n, 100), -1);
	pb_edit(&b, MIME_HDR_ADD, "X Calmilter", " v");
	assert_int_equal(unpack(b.p, b.n, 100), -1);
	pb_edit(&b, MIME_HDR_ADD, "", " v");
	assert_int_equal(unpack(b.p, b.n, 100), -1);
	pb_edit(&b, MIME_HDR_ADD, "X-Calmilter", " v\r\nBcc: evil");
	assert_int_equal(unpack(b.p, b.n, 100), -1);
	pb_edit(&b, MIME_HDR_ADD, "X-Calmilter", " v\nBcc: evil");
	assert_int_equal(unpack(b.p, b.n, 100), -1);
	pb_edit(&b, MIME_HDR_ADD, "X-Calmilter", " v\n");
	assert_int_equal(unpack(b.p, b.n, 100), -1);
	pb_edit(&b, 7, "X-Calmilter", " v");
	assert_int_equal(unpack(b.p, b.n, 100), -1);
}

/* counts and enums out of range, and an unchanged result with edits */
static void
test_result_ranges(void **state)
{
	struct pb b;
	int i;

	(void)state;
	pb_front(&b, CAL_ERROR + 1, 0);
	pb_int(&b, 0, 1);
	pb_int(&b, 0, 8);
	pb_int(&b, 0, 4);
	pb_int(&b, 0, 8);
	pb_int(&b, 0, 8);
	pb_int(&b, 0, 4);
	assert_int_equal(unpack(b.p, b.n, 100), -1);
	b.p[0] = CAL_ERROR; /* the same frame with a valid status */
	assert_int_equal(unpack(b.p, b.n, 100), 0);
	b.p[4] = MIME_REASON_ERROR + 1;
	assert_int_equal(unpack(b.p, b.n, 100), -1);

	pb_edit(&b, MIME_HDR_ADD, "X-Calmilter", " v");
	b.p[0] = CAL_UNCHANGED; /* edits only come with a change */
	assert_int_equal(unpack(b.p, b.n, 100), -1);

	pb_front(&b, CAL_CHANGED, 0); /* 65 edits: one over the ceiling */
	pb_int(&b, 0, 1);
	pb_int(&b, 0, 8);
	pb_int(&b, MILT_WIRE_MAX_EDITS + 1, 4);
	for (i = 0; i <= MILT_WIRE_MAX_EDITS; i++) {
		pb_int(&b, MIME_HDR_DELETE, 4);
		pb_int(&b, 1, 4);
		pb_str(&b, "X-A");
		pb_int(&b, 0, 1);
		pb_int(&b, 0, 4);
	}
	pb_int(&b, 0, 8);
	pb_int(&b, 0, 8);
	pb_int(&b, 0, 4);
	assert_int_equal(unpack(b.p, b.n, 100), -1);
}

/* findings: more than the report holds, a bad rule id, NUL in a text */
static void
test_result_findings(void **state)
{
	struct pb b;

	(void)state;
	pb_front(&b, CAL_UNCHANGED, 0);
	pb_int(&b, 0, 1);
	pb_int(&b, 0, 8);
	pb_int(&b, 0, 4);
	pb_int(&b, 0, 8);
	pb_int(&b, 0, 8);
	pb_int(&b, 1, 4);
	pb_int(&b, CAL_REPORT, 4);
	pb_str(&b, "R-LEX-2");
	pb_str(&b, "text");
	assert_int_equal(unpack(b.p, b.n, 100), 0);
	b.p[b.n - 1] = '\0'; /* "tex\0" */
	assert_int_equal(unpack(b.p, b.n, 100), -1);
	b.p[b.n - 1] = 't';
	b.p[b.n - 14] = ' '; /* "R LEX-2" */
	assert_int_equal(unpack(b.p, b.n, 100), -1);
	b.p[b.n - 14] = '-';
	assert_int_equal(unpack(b.p, b.n, 100), 0);
	wire_le(b.p + b.n - 27, 501, 4); /* more findings than the 500 kept */
	assert_int_equal(unpack(b.p, b.n, 100), -1);
}

/* a request's fixed part and conf come back as sent; the message bytes
 * travel in the request file, only their length in the frame */
static void
test_request(void **state)
{
	uint8_t buf[MILT_WIRE_HEAD + MILT_WIRE_REQ_FIX + 64];
	struct milt_request req = {
	    7, -12345, "Workers 2\n", 10, (const uint8_t *)"Subject: x\r\n\r\n",
	    15};
	struct milt_request back;
	uint64_t len;
	uint32_t type;
	size_t n;

	(void)state;
	n = milt_wire_request_head(buf, &req);
	assert_int_equal(n, MILT_WIRE_HEAD + MILT_WIRE_REQ_FIX);
	memcpy(buf + n, req.conf, req.conf_len);
	assert_int_equal(milt_wire_head_unpack(buf, &type, &len), 0);
	assert_int_equal(type, MILT_WIRE_REQUEST);
	assert_int_equal(len, MILT_WIRE_REQ_FIX + 10);
	assert_int_equal(
	    milt_wire_request_unpack(&back, buf + MILT_WIRE_HEAD, (size_t)len),
	    0);
	assert_int_equal(back.gen, 7);
	assert_int_equal(back.now, -12345);
	assert_int_equal(back.conf_len, 10);
	assert_memory_equal(back.conf, "Workers 2\n", 10);
	assert_int_equal(back.msg_len, 15);
	assert_null(back.msg);
	/* lengths that do not add up */
	assert_int_equal(milt_wire_request_unpack(&back, buf + MILT_WIRE_HEAD,
	                                          (size_t)len - 1),
	                 -1);
	assert_int_equal(milt_wire_request_unpack(&back, buf + MILT_WIRE_HEAD,
	                                          (size_t)len + 1),
	                 -1);
	assert_int_equal(milt_wire_request_unpack(&back, buf + MILT_WIRE_HEAD,
	                                          MILT_WIRE_REQ_FIX - 1),
	                 -1);
	wire_le(buf + MILT_WIRE_HEAD + 20, MILT_WIRE_MAX_MSG + 1, 8);
	assert_int_equal(
	    milt_wire_request_unpack(&back, buf + MILT_WIRE_HEAD, (size_t)len),
	    -1);
	wire_le(buf + MILT_WIRE_HEAD + 20, 15, 8);
	wire_le(buf + MILT_WIRE_HEAD + 16, MILT_WIRE_MAX_CONF + 1, 4);
	assert_int_equal(
	    milt_wire_request_unpack(&back, buf + MILT_WIRE_HEAD, (size_t)len),
	    -1);
}

/* frame heads: magic and type are checked */
static void
test_head(void **state)
{
	uint8_t head[MILT_WIRE_HEAD];
	uint32_t type;
	uint64_t len;

	(void)state;
	milt_wire_head_pack(head, MILT_WIRE_RESULT, 1ULL << 40);
	assert_int_equal(milt_wire_head_unpack(head, &type, &len), 0);
	assert_int_equal(len, 1ULL << 40);
	head[0] ^= 1;
	assert_int_equal(milt_wire_head_unpack(head, &type, &len), -1);
	milt_wire_head_pack(head, 0, 0);
	assert_int_equal(milt_wire_head_unpack(head, &type, &len), -1);
	milt_wire_head_pack(head, MILT_WIRE_RESULT + 1, 0);
	assert_int_equal(milt_wire_head_unpack(head, &type, &len), -1);
}

/* CONFIG and READY */
static void
test_config_ready(void **state)
{
	uint8_t buf[MILT_WIRE_HEAD + 8 + 16];
	const char *conf;
	uint32_t v, pid;
	uint64_t gen;
	size_t n;

	(void)state;
	n = milt_wire_config_head(buf, 42, 16);
	memcpy(buf + n, "MaxMimeDepth 20\n", 16);
	assert_int_equal(
	    milt_wire_config_unpack(&gen, &conf, &n, buf + MILT_WIRE_HEAD, 24),
	    0);
	assert_int_equal(gen, 42);
	assert_int_equal(n, 16);
	assert_memory_equal(conf, "MaxMimeDepth 20\n", 16);
	assert_int_equal(
	    milt_wire_config_unpack(&gen, &conf, &n, buf + MILT_WIRE_HEAD, 7),
	    -1);
	milt_wire_ready_pack(buf, 4321);
	assert_int_equal(
	    milt_wire_ready_unpack(&v, &pid, buf + MILT_WIRE_HEAD, 8), 0);
	assert_int_equal(v, MILT_WIRE_VERSION);
	assert_int_equal(pid, 4321);
	assert_int_equal(
	    milt_wire_ready_unpack(&v, &pid, buf + MILT_WIRE_HEAD, 9), -1);
}

/* the packer's own ceiling: a result that does not fit fails, cleanly */
static void
test_pack_ceiling(void **state)
{
	struct milt_wire_stats st = {0, 0};
	struct mime_result res;
	struct milt_wire_buf b;
	char *msg;

	(void)state;
	processed(&res, &msg);
	milt_wire_buf_init(&b, res.body_len); /* no room for the rest */
	assert_int_equal(milt_wire_result_pack(&b, &res, &st), -1);
	milt_wire_buf_free(&b);
	mime_result_free(&res);
	free(msg);
}

/* the worker's way: count the frame, then write it into memory of
 * exactly that size, which gives the same bytes as a growing buffer */
static void
test_pack_count_then_fixed(void **state)
{
	struct milt_wire_stats st = {1, 2};
	struct milt_wire_buf grow, count, fixed;
	struct mime_result res;
	uint8_t *mem;
	char *msg;

	(void)state;
	processed(&res, &msg);
	milt_wire_buf_init(&grow, 64 * 1024 * 1024);
	assert_int_equal(milt_wire_result_pack(&grow, &res, &st), 0);
	milt_wire_buf_count(&count);
	assert_int_equal(milt_wire_result_pack(&count, &res, &st), 0);
	assert_null(count.p);
	assert_int_equal(count.len, grow.len);
	mem = malloc(count.len);
	assert_non_null(mem);
	milt_wire_buf_fixed(&fixed, mem, count.len);
	assert_int_equal(milt_wire_result_pack(&fixed, &res, &st), 0);
	assert_ptr_equal(fixed.p, mem);
	assert_memory_equal(mem, grow.p, grow.len);
	milt_wire_buf_free(&fixed); /* borrowed: not freed */
	milt_wire_buf_fixed(&fixed, mem, count.len - 1); /* one byte short */
	assert_int_equal(milt_wire_result_pack(&fixed, &res, &st), -1);
	free(mem);
	milt_wire_buf_free(&grow);
	mime_result_free(&res);
	free(msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_result_roundtrip),
	    cmocka_unit_test(test_result_unchanged),
	    cmocka_unit_test(test_result_truncated),
	    cmocka_unit_test(test_result_body_ceiling),
	    cmocka_unit_test(test_result_header_text),
	    cmocka_unit_test(test_result_ranges),
	    cmocka_unit_test(test_result_findings),
	    cmocka_unit_test(test_request),
	    cmocka_unit_test(test_head),
	    cmocka_unit_test(test_config_ready),
	    cmocka_unit_test(test_pack_ceiling),
	    cmocka_unit_test(test_pack_count_then_fixed),
	};

	mime_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
