/*
 * caltest.h - helpers shared by the tests of ical/ and mime/ (include after
 * unit.h). One normalization run, finding look-ups, and the second pass that
 * every fix must survive unchanged (N-11).
 */
#ifndef CALMILTER_CALTEST_H
#define CALMILTER_CALTEST_H

#include "../../ical/cal.h"

/* struct ct_run - one cal_normalize call and what it returned */
struct ct_run {
	enum cal_status st;
	struct cal_out out;
	struct cal_report rep;
	struct cal_context ctx;
	struct cal_policy pol;
	struct cal_limits lim;
};

/* ct_init - default policy, limits and an empty context (no Date, no now) */
static inline void
ct_init(struct ct_run *r)
{
	memset(r, 0, sizeof(*r));
	cal_context_init(&r->ctx);
	cal_policy_default(&r->pol);
	cal_limits_default(&r->lim);
	cal_out_init(&r->out);
	cal_report_init(&r->rep, 200);
}

static inline void
ct_free(struct ct_run *r)
{
	cal_out_free(&r->out);
	cal_report_free(&r->rep);
}

/* ct_norm - normalize in/len with r's context and policy */
static inline enum cal_status
ct_norm(struct ct_run *r, const char *in, size_t len)
{
	cal_out_free(&r->out);
	r->st =
	    cal_normalize(&r->out, in, len, &r->ctx, &r->pol, &r->lim, &r->rep);
	return r->st;
}

static inline enum cal_status
ct_norms(struct ct_run *r, const char *in)
{
	return ct_norm(r, in, strlen(in));
}

/* ct_count - findings of that rule and kind */
static inline size_t
ct_count(const struct cal_report *rep, const char *rule,
         enum cal_finding_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < rep->n; i++)
		if (strcmp(rep->v[i].rule, rule) == 0 && rep->v[i].kind == kind)
			n++;
	return n;
}

/* ct_text - text of the first finding of that rule and kind, or NULL */
static inline const char *
ct_text(const struct cal_report *rep, const char *rule,
        enum cal_finding_kind kind)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		if (strcmp(rep->v[i].rule, rule) == 0 && rep->v[i].kind == kind)
			return rep->v[i].text;
	return NULL;
}

/* ct_nfix - every CAL_FIX finding stored */
static inline size_t
ct_nfix(const struct cal_report *rep)
{
	size_t i, n = 0;

	for (i = 0; i < rep->n; i++)
		n += rep->v[i].kind == CAL_FIX;
	return n;
}

/* ct_dump - the findings, on failure only (cmocka prints stdout) */
static inline void
ct_dump(const struct cal_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		print_message("  finding %s %s: %s\n", rep->v[i].rule,
		              rep->v[i].kind == CAL_FIX ? "fix" : "report",
		              rep->v[i].text);
}

/* ct_fix_rules - "R-A,R-B" of the fixes (transfer full, free()) */
static inline char *
ct_fix_rules(const struct cal_report *rep)
{
	return cal_report_rules(rep, CAL_FIX);
}

/* ct_assert_fixed_only - status CHANGED and the fixes are exactly rules */
#define ct_assert_fixes(rep, rules)                                            \
	do {                                                                   \
		char *ct_r_ = ct_fix_rules(rep);                               \
		if (ct_r_ == NULL || strcmp(ct_r_, (rules)) != 0)              \
			ct_dump(rep);                                          \
		assert_string_equal(ct_r_, (rules));                           \
		free(ct_r_);                                                   \
	} while (0)

/* ct_assert_bytes - exact output, shown readably on failure */
#define ct_assert_out(r, want)                                                 \
	do {                                                                   \
		if ((r)->out.data == NULL || (r)->out.len != strlen(want) ||   \
		    memcmp((r)->out.data, (want), (r)->out.len) != 0) {        \
			ct_dump(&(r)->rep);                                    \
			print_message(                                         \
			    "got:\n%.*s\nwant:\n%s\n", (int)(r)->out.len,      \
			    (r)->out.data ? (r)->out.data : "(null)", (want)); \
		}                                                              \
		assert_non_null((r)->out.data);                                \
		assert_int_equal((r)->out.len, strlen(want));                  \
		assert_memory_equal((r)->out.data, (want), strlen(want));      \
	} while (0)

/*
 * ct_assert_stable - the output of a CAL_CHANGED run, normalized again with
 * the same context and policy, is CAL_UNCHANGED with no fix (N-11).
 */
static inline void
ct_assert_stable(const struct ct_run *r)
{
	struct ct_run again;

	assert_int_equal(r->st, CAL_CHANGED);
	ct_init(&again);
	again.ctx = r->ctx;
	again.ctx.mime_charset = "utf-8";
	again.pol = r->pol;
	again.lim = r->lim;
	ct_norm(&again, r->out.data, r->out.len);
	if (again.st != CAL_UNCHANGED || ct_nfix(&again.rep) != 0)
		ct_dump(&again.rep);
	assert_int_equal(again.st, CAL_UNCHANGED);
	assert_int_equal(ct_nfix(&again.rep), 0);
	ct_free(&again);
}

/* ct_assert_status - the status, with the findings shown on failure */
#define ct_assert_status(r, want)                                              \
	do {                                                                   \
		if ((r)->st != (want)) {                                       \
			print_message("status %s, want %s\n",                  \
			              cal_status_name((r)->st),                \
			              cal_status_name(want));                  \
			ct_dump(&(r)->rep);                                    \
		}                                                              \
		assert_int_equal((r)->st, (want));                             \
	} while (0)

/* ct_assert_untouched - CAL_UNCHANGED, no data, no fix finding */
#define ct_assert_untouched(r)                                                 \
	do {                                                                   \
		if ((r)->st != CAL_UNCHANGED || ct_nfix(&(r)->rep) != 0)       \
			ct_dump(&(r)->rep);                                    \
		assert_int_equal((r)->st, CAL_UNCHANGED);                      \
		assert_null((r)->out.data);                                    \
		assert_int_equal(ct_nfix(&(r)->rep), 0);                       \
	} while (0)

#endif
