/*
 * milt_eom.c - end of message: process, edit or not, verdict, one log line
 *
 * mime_process() does all the work, in a worker process (milt_pool.c), and
 * builds everything the edits need before the first edit call is made
 * (milt_apply). Report mode runs the same path and stops just before that
 * call, so it shows exactly what rewrite mode would have changed (its
 * "would:" lines, milt_log_would). When the worker gave no answer, the
 * pool's note names why in the summary line. Each message is counted once
 * (milt_stats.h) under the outcome its summary line names. With
 * KeepOriginals, the bytes of a message that was rewritten are kept
 * (milt_keep.c).
 */
#include <string.h>
#include <time.h>

#include "milt.h"
#include "milt_work.h"

/* milt_us_since - whole microseconds elapsed since t0 */
static uint64_t
milt_us_since(const struct timespec *t0)
{
	struct timespec t1;
	int64_t us;

	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (int64_t)(t1.tv_sec - t0->tv_sec) * 1000000 +
	     (t1.tv_nsec - t0->tv_nsec) / 1000;
	return us > 0 ? (uint64_t)us : 0;
}

/* milt_eom_apply - execute the edits; a half-done edit means tempfail */
static sfsistat
milt_eom_apply(SMFICTX *ctx, const struct milt_conn *conn,
               const struct mime_result *res, struct milt_outcome *out)
{
	if (milt_apply(ctx, conn, res) == 0) {
		out->action = "changed";
		return milt_verdict(ctx, conn->conf, CAL_CHANGED);
	}
	out->action = "tempfail";
	out->reason = "edit";
	out->detail = "an edit call to the MTA failed";
	return milt_verdict_half_edited(ctx);
}

/* milt_eom_decide - what becomes of the message, and the verdict */
static sfsistat
milt_eom_decide(SMFICTX *ctx, const struct milt_conn *conn,
                const struct mime_result *res, struct milt_outcome *out)
{
	const struct conf *conf = conn->conf;
	sfsistat ret;

	if (res->status != CAL_CHANGED) {
		ret = milt_verdict(ctx, conf, res->status);
		out->action = ret == SMFIS_TEMPFAIL ? "tempfail" : "unchanged";
		return ret;
	}
	if (conf->mode == CONF_MODE_REPORT) {
		out->action = "report";
		return milt_verdict(ctx, conf, CAL_UNCHANGED);
	}
	if ((conn->actions & MILT_ACTIONS) != MILT_ACTIONS) {
		out->reason = "mta";
		out->detail = "the MTA does not allow header and body changes";
		return milt_verdict(ctx, conf, CAL_UNCHANGED);
	}
	return milt_eom_apply(ctx, conn, res, out);
}

sfsistat
milt_eom(SMFICTX *ctx, struct milt_conn *conn, struct milt_pool *pool)
{
	struct milt_outcome out = {.action = "unchanged"};
	struct milt_pool_note note;
	struct mime_result res;
	struct timespec t0;
	const uint8_t *bytes;
	sfsistat ret;
	uint64_t us;

	if (!milt_msg_maybe(conn->msg)) {
		(void)milt_msg_qid(conn->msg, ctx);
		milt_log_let_go(conn->msg, MILT_OUT_FASTPATH, "fast=scan");
		milt_stats_count(MILT_OUT_FASTPATH, NULL, conn->msg->len, 0);
		return milt_verdict(ctx, conn->conf, CAL_UNCHANGED);
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	log_debug("%s: %zu bytes to a worker", milt_msg_qid(conn->msg, ctx),
	          conn->msg->len);
	if ((bytes = milt_msg_bytes(conn->msg)) == NULL) {
		log_warnx("%s: cannot map the spooled message",
		          milt_msg_qid(conn->msg, ctx));
		return milt_verdict(ctx, conn->conf, CAL_ERROR);
	}
	(void)milt_pool_run_in(pool, conn->cfg != NULL ? conn->cfg->gen : NULL,
	                       bytes, conn->msg->len, time(NULL), &res, &note);
	if (note.reason != NULL) {
		out.reason = note.reason;
		out.detail = note.detail;
	}
	ret = milt_eom_decide(ctx, conn, &res, &out);
	if (strcmp(out.action, "changed") == 0 &&
	    conn->conf->keep_originals != NULL)
		(void)milt_keep_write(conn->conf->keep_originals,
		                      conn->msg->qid, bytes, conn->msg->len);
	us = milt_us_since(&t0);
	out.kind = milt_outcome_classify(&out, &res);
	milt_log_findings(conn->msg, &res.report);
	if (out.kind == MILT_OUT_REPORT && res.status == CAL_CHANGED)
		milt_log_would(conn->msg, &res);
	milt_log_summary(conn->msg, &out, &res, (long)(us / 1000));
	milt_stats_count(out.kind, &res.report, conn->msg->len, us);
	mime_result_free(&res);
	return ret;
}
