/*
 * mimetest.h - helpers for the tests of mime/ (include after unit.h and
 * caltest.h): run mime_process() on a fixture, build the relayed message
 * with mime_apply(), and look at bytes.
 */
#ifndef CALMILTER_MIMETEST_H
#define CALMILTER_MIMETEST_H

#include <glib.h>

#include "../../mime/mime.h"

#define MT_FIXTURES "tests/fixtures/mime/"

/* 1741600000 = 2025-03-10 09:46:40 UTC: a fixed processing time */
#define MT_NOW ((time_t)1741600000)

struct mt {
	struct mime_policy pol;
	struct mime_result res;
	uint8_t *in;
	size_t inlen;
	uint8_t *out; /* mime_apply's message, or NULL */
	size_t outlen;
};

static inline void
mt_init(struct mt *m)
{
	memset(m, 0, sizeof(*m));
	mime_policy_default(&m->pol);
	m->pol.now = MT_NOW;
	mime_result_init(&m->res);
}

static inline void
mt_free(struct mt *m)
{
	mime_result_free(&m->res);
	free(m->in);
	g_free(m->out);
	m->in = NULL;
	m->out = NULL;
}

/* mt_dump - status, reason and findings, on failure */
static inline void
mt_dump(const struct mt *m)
{
	print_message("status %s reason %s (%s) seen %u changed %u\n",
	              cal_status_name(m->res.status),
	              mime_reason_name(m->res.reason), m->res.detail,
	              m->res.parts_seen, m->res.parts_changed);
	ct_dump(&m->res.report);
}

/* mt_process - mime_process on m->in; mime_apply when changed */
static inline enum cal_status
mt_process(struct mt *m)
{
	mime_result_free(&m->res);
	g_free(m->out);
	m->out = NULL;
	m->outlen = 0;
	mime_process(&m->res, m->in, m->inlen, &m->pol);
	if (m->res.status == CAL_CHANGED) {
		m->out = mime_apply(m->in, m->inlen, &m->res, &m->outlen);
		assert_non_null(m->out);
	}
	return m->res.status;
}

/* mt_run - read a fixture of tests/fixtures/mime and process it */
static inline enum cal_status
mt_run(struct mt *m, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), MT_FIXTURES "%s", name);
	free(m->in);
	m->in = (uint8_t *)unit_read_file(path, &m->inlen);
	return mt_process(m);
}

/* mt_set_input - process a message given as a string */
static inline enum cal_status
mt_runs(struct mt *m, const char *msg)
{
	free(m->in);
	m->inlen = strlen(msg);
	m->in = malloc(m->inlen + 1);
	assert_non_null(m->in);
	memcpy(m->in, msg, m->inlen + 1);
	return mt_process(m);
}

#define mt_assert_status(m, want)                                              \
	do {                                                                   \
		if ((m)->res.status != (want))                                 \
			mt_dump(m);                                            \
		assert_int_equal((m)->res.status, (want));                     \
	} while (0)

/* mt_assert_untouched - nothing to relay but the original */
#define mt_assert_untouched(m)                                                 \
	do {                                                                   \
		assert_true((m)->res.status != CAL_CHANGED);                   \
		assert_null((m)->res.body);                                    \
		assert_int_equal((m)->res.nedits, 0);                          \
		assert_int_equal(ct_nfix(&(m)->res.report), 0);                \
	} while (0)

/* mt_find - offset of needle in hay[from..len), or -1 */
static inline long
mt_find(const uint8_t *hay, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = from; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return (long)i;
	return -1;
}

/* mt_has - does the relayed message contain needle? */
static inline int
mt_has(const struct mt *m, const char *needle)
{
	return m->out != NULL && mt_find(m->out, m->outlen, 0, needle) >= 0;
}

/* mt_edit - the i-th edit, checked */
static inline const struct mime_hdr_edit *
mt_edit(const struct mt *m, size_t i)
{
	assert_true(i < m->res.nedits);
	return &m->res.edits[i];
}

/* mt_reprocess - the relayed message goes through again: nothing changes */
static inline void
mt_assert_idempotent(const struct mt *m)
{
	struct mt again;

	assert_non_null(m->out);
	mt_init(&again);
	again.pol = m->pol;
	again.in = malloc(m->outlen + 1);
	assert_non_null(again.in);
	memcpy(again.in, m->out, m->outlen);
	again.inlen = m->outlen;
	mt_process(&again);
	if (again.res.status == CAL_CHANGED)
		mt_dump(&again);
	assert_true(again.res.status != CAL_CHANGED);
	assert_int_equal(ct_nfix(&again.res.report), 0);
	mt_free(&again);
}

#endif
