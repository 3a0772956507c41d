/*
 * milt_wire.c - the frames between the daemon and its workers
 *
 * Plain bytes, no pointers: fixed-width little-endian integers, and
 * strings and blobs as a u32 or u64 length followed by the bytes. A RESULT
 * payload, in order:
 *
 *   u32 status, reason, parts_seen, parts_changed
 *   u64 cpu_us, maxrss_kb                  (the worker's own figures)
 *   str detail
 *   u8 has_body, u64 body_len, body bytes
 *   u32 nedits, each: u32 op, u32 index, str name, u8 has_value, str value
 *   u64 dropped, u64 nfix, u32 nfindings, each: u32 kind, str rule, str text
 *
 * (str: u32 length, bytes, no NUL.) The daemon reads a worker's answer as
 * untrusted input: every count and length is checked against its ceiling
 * before anything is allocated, header text is checked so that no edit
 * the daemon executes can break the MTA's header block, and trailing bytes
 * make the frame malformed.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "milt_work.h"

#define MILT_WIRE_DETAIL_MAX (sizeof(((struct mime_result *)0)->detail) - 1)
#define MILT_WIRE_RULE_MAX   (sizeof(((struct cal_finding *)0)->rule) - 1)

void
milt_wire_buf_init(struct milt_wire_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void
milt_wire_buf_count(struct milt_wire_buf *b)
{
	milt_wire_buf_init(b, SIZE_MAX);
	b->count = 1;
}

void
milt_wire_buf_fixed(struct milt_wire_buf *b, void *p, size_t size)
{
	milt_wire_buf_init(b, size);
	b->p = p;
	b->cap = size;
	b->fixed = 1;
}

void
milt_wire_buf_free(struct milt_wire_buf *b)
{
	if (!b->fixed)
		free(b->p);
	milt_wire_buf_init(b, b->max);
}

/* wire_add - n bytes, within the ceiling; marks the buffer failed if not */
static void
wire_add(struct milt_wire_buf *b, const void *p, size_t n)
{
	size_t cap;
	uint8_t *np;

	if (b->failed || n == 0)
		return;
	if (n > b->max - b->len) {
		b->failed = 1;
		return;
	}
	if (b->count) {
		b->len += n;
		return;
	}
	if (b->len + n > b->cap) {
		cap = b->cap < 4096 ? 4096 : b->cap;
		while (cap < b->len + n)
			cap = cap > b->max / 2 ? b->max : cap * 2;
		np = realloc(b->p, cap);
		if (np == NULL) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
wire_le(uint8_t *out, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
wire_get_le(const uint8_t *in, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = n; i > 0; i--)
		v = (v << 8) | in[i - 1];
	return v;
}

static void
wire_u32(struct milt_wire_buf *b, uint32_t v)
{
	uint8_t x[4];

	wire_le(x, v, 4);
	wire_add(b, x, 4);
}

static void
wire_u64(struct milt_wire_buf *b, uint64_t v)
{
	uint8_t x[8];

	wire_le(x, v, 8);
	wire_add(b, x, 8);
}

/* wire_str - a string of at most max bytes (longer ones are cut) */
static void
wire_str(struct milt_wire_buf *b, const char *s, size_t max)
{
	size_t n = s != NULL ? strnlen(s, max) : 0;

	wire_u32(b, (uint32_t)n);
	wire_add(b, s, n);
}

void
milt_wire_head_pack(uint8_t head[MILT_WIRE_HEAD], uint32_t type, uint64_t len)
{
	wire_le(head, MILT_WIRE_MAGIC, 4);
	wire_le(head + 4, type, 4);
	wire_le(head + 8, len, 8);
}

int
milt_wire_head_unpack(const uint8_t head[MILT_WIRE_HEAD], uint32_t *type,
                      uint64_t *len)
{
	if (wire_get_le(head, 4) != MILT_WIRE_MAGIC)
		return -1;
	*type = (uint32_t)wire_get_le(head + 4, 4);
	*len = wire_get_le(head + 8, 8);
	if (*type < MILT_WIRE_CONFIG || *type > MILT_WIRE_RESULT)
		return -1;
	return 0;
}

size_t
milt_wire_config_head(uint8_t out[MILT_WIRE_HEAD + 8], uint64_t gen,
                      size_t conf_len)
{
	milt_wire_head_pack(out, MILT_WIRE_CONFIG, 8 + (uint64_t)conf_len);
	wire_le(out + MILT_WIRE_HEAD, gen, 8);
	return MILT_WIRE_HEAD + 8;
}

int
milt_wire_config_unpack(uint64_t *gen, const char **conf, size_t *len,
                        const uint8_t *p, size_t n)
{
	if (n < 8 || n - 8 > MILT_WIRE_MAX_CONF)
		return -1;
	*gen = wire_get_le(p, 8);
	*conf = (const char *)p + 8;
	*len = n - 8;
	return 0;
}

void
milt_wire_ready_pack(uint8_t out[MILT_WIRE_HEAD + 8], uint32_t pid)
{
	milt_wire_head_pack(out, MILT_WIRE_READY, 8);
	wire_le(out + MILT_WIRE_HEAD, MILT_WIRE_VERSION, 4);
	wire_le(out + MILT_WIRE_HEAD + 4, pid, 4);
}

int
milt_wire_ready_unpack(uint32_t *version, uint32_t *pid, const uint8_t *p,
                       size_t n)
{
	if (n != 8)
		return -1;
	*version = (uint32_t)wire_get_le(p, 4);
	*pid = (uint32_t)wire_get_le(p + 4, 4);
	return 0;
}

size_t
milt_wire_request_head(uint8_t out[MILT_WIRE_HEAD + MILT_WIRE_REQ_FIX],
                       const struct milt_request *req)
{
	uint8_t *p = out + MILT_WIRE_HEAD;

	milt_wire_head_pack(out, MILT_WIRE_REQUEST,
	                    MILT_WIRE_REQ_FIX + (uint64_t)req->conf_len);
	wire_le(p, req->gen, 8);
	wire_le(p + 8, (uint64_t)req->now, 8);
	wire_le(p + 16, req->conf_len, 4);
	wire_le(p + 20, req->msg_len, 8);
	return MILT_WIRE_HEAD + MILT_WIRE_REQ_FIX;
}

int
milt_wire_request_unpack(struct milt_request *req, const uint8_t *p, size_t len)
{
	uint64_t conf_len, msg_len;

	if (len < MILT_WIRE_REQ_FIX)
		return -1;
	req->gen = wire_get_le(p, 8);
	req->now = (int64_t)wire_get_le(p + 8, 8);
	conf_len = wire_get_le(p + 16, 4);
	msg_len = wire_get_le(p + 20, 8);
	len -= MILT_WIRE_REQ_FIX;
	if (conf_len > MILT_WIRE_MAX_CONF || conf_len != len ||
	    msg_len > MILT_WIRE_MAX_MSG)
		return -1;
	req->conf = conf_len > 0 ? (const char *)p + MILT_WIRE_REQ_FIX : NULL;
	req->conf_len = (size_t)conf_len;
	req->msg = NULL; /* in the request file */
	req->msg_len = (size_t)msg_len;
	return 0;
}

/* wire_pack_edits - the header edits */
static void
wire_pack_edits(struct milt_wire_buf *b, const struct mime_result *res)
{
	const struct mime_hdr_edit *e;
	size_t i;

	wire_u32(b, (uint32_t)res->nedits);
	for (i = 0; i < res->nedits; i++) {
		e = &res->edits[i];
		wire_u32(b, (uint32_t)e->op);
		wire_u32(b, e->index);
		wire_str(b, e->name, MILT_WIRE_MAX_NAME);
		wire_add(b, e->value != NULL ? "\1" : "\0", 1);
		wire_str(b, e->value, MILT_WIRE_MAX_VALUE);
	}
}

/* wire_pack_report - the findings and their counters */
static void
wire_pack_report(struct milt_wire_buf *b, const struct cal_report *rep)
{
	size_t i;

	wire_u64(b, rep->dropped);
	wire_u64(b, rep->nfix);
	wire_u32(b, (uint32_t)rep->n);
	for (i = 0; i < rep->n; i++) {
		wire_u32(b, (uint32_t)rep->v[i].kind);
		wire_str(b, rep->v[i].rule, MILT_WIRE_RULE_MAX);
		wire_str(b, rep->v[i].text, MILT_WIRE_MAX_TEXT);
	}
}

int
milt_wire_result_pack(struct milt_wire_buf *b, const struct mime_result *res,
                      const struct milt_wire_stats *st)
{
	uint8_t head[MILT_WIRE_HEAD] = {0};

	b->len = 0;
	b->failed = 0;
	wire_add(b, head, sizeof(head)); /* filled in at the end */
	wire_u32(b, (uint32_t)res->status);
	wire_u32(b, (uint32_t)res->reason);
	wire_u32(b, res->parts_seen);
	wire_u32(b, res->parts_changed);
	wire_u64(b, st->cpu_us);
	wire_u64(b, st->maxrss_kb);
	wire_str(b, res->detail, MILT_WIRE_DETAIL_MAX);
	wire_add(b, res->body != NULL ? "\1" : "\0", 1);
	wire_u64(b, res->body != NULL ? res->body_len : 0);
	if (res->body != NULL)
		wire_add(b, res->body, res->body_len);
	wire_pack_edits(b, res);
	wire_pack_report(b, &res->report);
	if (b->failed)
		return -1;
	if (!b->count)
		milt_wire_head_pack(b->p, MILT_WIRE_RESULT,
		                    b->len - MILT_WIRE_HEAD);
	return 0;
}

/* ---- unpacking ------------------------------------------------------------
 */

/* struct wire_rd - a payload being read; bad once anything was wrong */
struct wire_rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	int bad;
};

/* rd_take - the next n bytes, or NULL (and bad) when there are fewer */
static const uint8_t *
rd_take(struct wire_rd *r, uint64_t n)
{
	const uint8_t *p;

	if (r->bad || n > r->len - r->off) {
		r->bad = 1;
		return NULL;
	}
	p = r->p + r->off;
	r->off += (size_t)n;
	return p;
}

static uint64_t
rd_int(struct wire_rd *r, size_t n)
{
	const uint8_t *p = rd_take(r, n);

	return p != NULL ? wire_get_le(p, n) : 0;
}

/* rd_bool - a u8 that must be 0 or 1 */
static int
rd_bool(struct wire_rd *r)
{
	uint64_t v = rd_int(r, 1);

	if (v > 1)
		r->bad = 1;
	return v == 1;
}

/*
 * rd_str - a string of at most max bytes without NUL, as a new
 * NUL-terminated copy (transfer full, g_free), or NULL (bad set unless
 * only memory ran out, which is bad too).
 */
static char *
rd_str(struct wire_rd *r, size_t max)
{
	uint64_t n = rd_int(r, 4);
	const uint8_t *p;
	char *s;

	if (n > max)
		r->bad = 1;
	p = rd_take(r, n);
	if (p == NULL || memchr(p, '\0', (size_t)n) != NULL) {
		r->bad = 1;
		return NULL;
	}
	s = g_try_malloc((size_t)n + 1);
	if (s == NULL) {
		r->bad = 1;
		return NULL;
	}
	memcpy(s, p, (size_t)n);
	s[n] = '\0';
	return s;
}

/* wire_name_ok - a header field name: printable ASCII, no ':' */
static int
wire_name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s > '~' || *s == ':')
			return 0;
	return 1;
}

/* wire_value_ok - no CR, and every LF begins a continuation line */
static int
wire_value_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\r')
			return 0;
		if (*s == '\n' && s[1] != ' ' && s[1] != '\t')
			return 0;
	}
	return 1;
}

/* rd_edit - one header edit into e (fields owned by e) */
static void
rd_edit(struct wire_rd *r, struct mime_hdr_edit *e)
{
	uint64_t op = rd_int(r, 4);

	e->index = (unsigned)rd_int(r, 4);
	e->name = rd_str(r, MILT_WIRE_MAX_NAME);
	if (rd_bool(r))
		e->value = rd_str(r, MILT_WIRE_MAX_VALUE);
	else if (rd_int(r, 4) != 0) /* an absent value has length 0 */
		r->bad = 1;
	if (op > MIME_HDR_ADD || e->name == NULL || !wire_name_ok(e->name) ||
	    (op != MIME_HDR_DELETE && e->value == NULL) ||
	    (e->value != NULL && !wire_value_ok(e->value)))
		r->bad = 1;
	e->op = (enum mime_edit_op)op;
}

/* rd_edits - the array of edits */
static void
rd_edits(struct wire_rd *r, struct mime_result *res)
{
	uint64_t n = rd_int(r, 4), i;

	if (n > MILT_WIRE_MAX_EDITS) {
		r->bad = 1;
		return;
	}
	if (n == 0)
		return;
	res->edits = g_try_new0(struct mime_hdr_edit, (size_t)n);
	if (res->edits == NULL) {
		r->bad = 1;
		return;
	}
	for (i = 0; i < n && !r->bad; i++) {
		res->nedits++;
		rd_edit(r, &res->edits[i]);
	}
}

/* rd_rule_ok - a rule id: 1 to 15 printable ASCII characters */
static int
rd_rule_ok(const char *s)
{
	return s != NULL && *s != '\0' && wire_name_ok(s);
}

/* rd_report - the findings, added to res->report as the worker made them */
static void
rd_report(struct wire_rd *r, struct cal_report *rep)
{
	uint64_t dropped = rd_int(r, 8), nfix = rd_int(r, 8);
	uint64_t n = rd_int(r, 4), i, kind;
	char *rule, *text;

	if (n > rep->max)
		r->bad = 1;
	for (i = 0; i < n && !r->bad; i++) {
		kind = rd_int(r, 4);
		rule = rd_str(r, MILT_WIRE_RULE_MAX);
		text = rd_str(r, MILT_WIRE_MAX_TEXT);
		if (kind > CAL_REPORT || !rd_rule_ok(rule) || text == NULL)
			r->bad = 1;
		else if (cal_report_add(rep, rule, (enum cal_finding_kind)kind,
		                        "%s", text) != 0)
			r->bad = 1;
		g_free(rule);
		g_free(text);
	}
	rep->nfix = (size_t)nfix;
	rep->dropped += (size_t)dropped;
}

/* rd_body - the new body, at most max bytes */
static void
rd_body(struct wire_rd *r, struct mime_result *res, size_t max)
{
	int has = rd_bool(r);
	uint64_t n = rd_int(r, 8);
	const uint8_t *p;

	if (!has) {
		if (n != 0)
			r->bad = 1;
		return;
	}
	p = n <= max ? rd_take(r, n) : NULL;
	if (p == NULL) {
		r->bad = 1;
		return;
	}
	res->body = g_try_malloc(n > 0 ? (size_t)n : 1);
	if (res->body == NULL) {
		r->bad = 1;
		return;
	}
	memcpy(res->body, p, (size_t)n);
	res->body_len = (size_t)n;
}

/* rd_detail - the reason's detail, into the fixed array */
static void
rd_detail(struct wire_rd *r, struct mime_result *res)
{
	uint64_t n = rd_int(r, 4);
	const uint8_t *p;

	p = n <= MILT_WIRE_DETAIL_MAX ? rd_take(r, n) : NULL;
	if (p == NULL || memchr(p, '\0', (size_t)n) != NULL) {
		r->bad = 1;
		return;
	}
	memcpy(res->detail, p, (size_t)n);
	res->detail[n] = '\0';
}

int
milt_wire_result_unpack(struct mime_result *res, struct milt_wire_stats *st,
                        const uint8_t *p, size_t len, size_t max_body)
{
	struct wire_rd r = {p, len, 0, 0};
	uint64_t status = rd_int(&r, 4), reason = rd_int(&r, 4);

	res->parts_seen = (unsigned)rd_int(&r, 4);
	res->parts_changed = (unsigned)rd_int(&r, 4);
	st->cpu_us = rd_int(&r, 8);
	st->maxrss_kb = rd_int(&r, 8);
	if (status > CAL_ERROR || reason > MIME_REASON_ERROR)
		r.bad = 1;
	res->status = (enum cal_status)status;
	res->reason = (enum mime_reason)reason;
	rd_detail(&r, res);
	rd_body(&r, res, max_body);
	rd_edits(&r, res);
	rd_report(&r, &res->report);
	/* only a change comes with edits and a body (mime.h) */
	if (status != CAL_CHANGED && (res->body != NULL || res->nedits > 0))
		r.bad = 1;
	if (r.off != r.len)
		r.bad = 1;
	return r.bad ? -1 : 0;
}
