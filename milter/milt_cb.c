/*
 * milt_cb.c - the libmilter callbacks
 *
 * Each callback fetches its context, calls one function, and maps the
 * result. The life of the two contexts:
 *
 *   negotiate/connect  milt_conn_new (either may come first to need it);
 *                      a client in ExemptNetworks is let go at connect
 *   envfrom            milt_msg_clear(&conn->msg), the configuration in
 *                      force (milt_cfg_hold: the message keeps it to the
 *                      end, whatever SIGUSR1 brings), milt_msg_new; an
 *                      exempt sender or authenticated submission is let go
 *   envrcpt, data      ScopeDomains: the message is let go at DATA when no
 *                      recipient is in scope (before any header is sent)
 *   header/eoh/body    collect; let go early on a limit, an error, or when
 *                      the headers show no calendar or vCard can follow
 *   eom, abort         milt_msg_clear(&conn->msg)
 *   close              milt_conn_free (priv may be NULL)
 *
 * A message is let go with SMFIS_ACCEPT (via milt_verdict): the MTA relays
 * it as it is and sends us nothing more of it.
 */
#include <stdio.h>
#include <string.h>

#include "milt.h"
#include "milt_policy.h"
#include "milt_scope.h"
#include "../mime/mime.h"

/*
 * Steps calmilter has no use for, and what it asks for when offered: no
 * reply per header (SMFIP_NR_HDR; a verdict found in a header waits for
 * eoh). Never SMFIP_NR_EOH or SMFIP_NR_BODY: libmilter would turn the early
 * accept of the fast path into no reply.
 */
#define MILT_STEPS_DROP                                                        \
	(SMFIP_NOHELO | SMFIP_NORCPT | SMFIP_NOUNKNOWN | SMFIP_NODATA)
#define MILT_STEPS_WANT (SMFIP_HDR_LEADSPC | SMFIP_SKIP | SMFIP_NR_HDR)

/* from the configuration at start; its keys change only with a restart */
static struct milt_scope milt_cb_scope;
static struct milt_pool *milt_cb_pool; /* set before smfi_main */

/* milt_cb_error - the verdict on an internal error without a connection */
static sfsistat
milt_cb_error(SMFICTX *ctx)
{
	struct milt_cfg *cfg = milt_cfg_hold();
	sfsistat ret;

	ret = milt_verdict(ctx, cfg->conf, CAL_ERROR);
	milt_cfg_release(cfg);
	return ret;
}

/* milt_cb_renew - the configuration in force, for what comes next */
static void
milt_cb_renew(struct milt_conn *conn)
{
	milt_cfg_release(conn->cfg);
	conn->cfg = milt_cfg_hold();
	conn->conf = conn->cfg->conf;
}

/* milt_cb_attach - this connection's context, created on first use */
static struct milt_conn *
milt_cb_attach(SMFICTX *ctx)
{
	struct milt_conn *conn = smfi_getpriv(ctx);

	if (conn != NULL)
		return conn;
	conn = milt_conn_new(NULL);
	if (conn != NULL)
		milt_cb_renew(conn);
	if (conn != NULL && smfi_setpriv(ctx, conn) != MI_SUCCESS) {
		milt_cfg_release(conn->cfg);
		milt_conn_free(conn);
		conn = NULL;
	}
	if (conn == NULL)
		log_warnx("out of memory for a connection");
	return conn;
}

/* milt_cb_current - the connection with a message in progress, or NULL */
static struct milt_conn *
milt_cb_current(SMFICTX *ctx)
{
	struct milt_conn *conn = smfi_getpriv(ctx);

	return conn != NULL && conn->msg != NULL ? conn : NULL;
}

/* milt_cb_stop - let the message go before eom: a limit or an error */
static sfsistat
milt_cb_stop(SMFICTX *ctx, struct milt_conn *conn, enum cal_status st)
{
	sfsistat ret;

	ret = milt_verdict(ctx, conn->conf, st);
	(void)milt_msg_qid(conn->msg, ctx);
	milt_log_early(conn->msg, st, ret);
	milt_msg_clear(&conn->msg);
	return ret;
}

/*
 * milt_cb_symlist - ask only for the macros calmilter reads: the queue id
 * (i) for log lines, and {auth_authen} for ExemptAuthenticated. The client
 * address comes with connect itself, the envelope with its callbacks.
 */
static void
milt_cb_symlist(SMFICTX *ctx)
{
	static char none[] = "", qid[] = "i", auth[] = "i {auth_authen}";

	(void)smfi_setsymlist(ctx, SMFIM_CONNECT, none);
	(void)smfi_setsymlist(ctx, SMFIM_ENVFROM,
	                      milt_cb_scope.exempt_auth ? auth : qid);
	(void)smfi_setsymlist(ctx, SMFIM_ENVRCPT, none);
	(void)smfi_setsymlist(ctx, SMFIM_DATA, qid);
	(void)smfi_setsymlist(ctx, SMFIM_EOH, qid);
	(void)smfi_setsymlist(ctx, SMFIM_EOM, qid);
}

/*
 * milt_cb_let_go - the message is not ours to touch (out of scope, or
 * exempt): accept it as it is, with its one log line
 */
static sfsistat
milt_cb_let_go(SMFICTX *ctx, struct milt_conn *conn, const char *why)
{
	(void)milt_msg_qid(conn->msg, ctx);
	milt_log_let_go(conn->msg, MILT_OUT_SCOPE, why);
	milt_stats_count(MILT_OUT_SCOPE, NULL, conn->msg->len, 0);
	milt_msg_clear(&conn->msg);
	return milt_verdict(ctx, conn->conf, CAL_UNCHANGED);
}

/*
 * milt_cb_fast - log and count a message let go after its headers: signed
 * (N-1) and DKIM-signed (N-2) ones under those outcomes, the rest as
 * fast-pathed
 */
static void
milt_cb_fast(const struct milt_msg *msg)
{
	const char *reason = mime_fast_reason(msg->fast);
	enum milt_outcome_kind k = MILT_OUT_FASTPATH;
	char why[96];

	if (strcmp(reason, "signed") == 0)
		k = MILT_OUT_SIGNED;
	else if (strcmp(reason, "dkim") == 0)
		k = MILT_OUT_DKIM;
	snprintf(why, sizeof(why), "fast=%s", reason);
	milt_log_let_go(msg, k, why);
	milt_stats_count(k, NULL, msg->len, 0);
}

/* milt_cb_scope_out - ScopeDomains and no recipient in scope: 1 */
static int
milt_cb_scope_out(struct milt_conn *conn)
{
	if (conn->msg->scope_checked || !milt_scope_by_rcpt(&milt_cb_scope))
		return 0;
	conn->msg->scope_checked = 1;
	return !conn->msg->in_scope;
}

static sfsistat
milt_cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
                  unsigned long f2, unsigned long f3, unsigned long *pf0,
                  unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	struct milt_conn *conn = milt_cb_attach(ctx);
	unsigned long drop = MILT_STEPS_DROP;

	(void)f2;
	(void)f3;
	if (milt_scope_by_rcpt(&milt_cb_scope))
		drop &= ~(SMFIP_NORCPT | SMFIP_NODATA);
	*pf0 = f0 & (MILT_ACTIONS | SMFIF_SETSYMLIST);
	*pf1 = f1 & (drop | MILT_STEPS_WANT);
	*pf2 = 0;
	*pf3 = 0;
	if ((*pf0 & SMFIF_SETSYMLIST) != 0)
		milt_cb_symlist(ctx);
	log_debug("negotiated actions 0x%lx, steps 0x%lx (offered 0x%lx, 0x%lx)",
	          *pf0, *pf1, f0, f1);
	if ((*pf0 & MILT_ACTIONS) != MILT_ACTIONS)
		log_warnx(
		    "the MTA offers milter actions 0x%lx, calmilter needs "
		    "0x%lx: no mail will be changed",
		    f0, MILT_ACTIONS);
	if (conn != NULL) {
		conn->actions = *pf0;
		conn->leadspc = (*pf1 & SMFIP_HDR_LEADSPC) != 0;
		conn->nr_hdr = (*pf1 & SMFIP_NR_HDR) != 0;
	}
	return SMFIS_CONTINUE;
}

static sfsistat
milt_cb_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	char sane[LOG_SANE_MAX + 4];

	if (milt_cb_attach(ctx) == NULL)
		return milt_cb_error(ctx);
	if (!milt_scope_net_exempt(&milt_cb_scope, addr))
		return SMFIS_CONTINUE;
	log_debug("NOQUEUE: action=unchanged exempt=network client=%s",
	          log_sane(sane, sizeof(sane), host != NULL ? host : "?",
	                   (size_t)-1));
	return milt_verdict(ctx, NULL, CAL_UNCHANGED);
}

static sfsistat
milt_cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct milt_conn *conn = milt_cb_attach(ctx);
	struct mime_policy pol;
	static char authen[] = "{auth_authen}";

	if (conn == NULL)
		return milt_cb_error(ctx);
	milt_msg_clear(&conn->msg); /* a leftover the MTA never ended */
	milt_cb_renew(conn); /* the message runs under it to the end */
	milt_policy_from_conf(&pol, conn->conf);
	conn->msg = milt_msg_new(conn->conf->max_message_size, &pol);
	if (conn->msg == NULL) {
		log_warnx("out of memory for a message");
		return milt_verdict(ctx, conn->conf, CAL_ERROR);
	}
	conn->msg->spool_at = conn->conf->spool_threshold;
	if (milt_scope_auth_exempt(&milt_cb_scope, smfi_getsymval(ctx, authen)))
		return milt_cb_let_go(ctx, conn, "exempt=authenticated");
	if (argv[0] != NULL &&
	    milt_scope_sender_exempt(&milt_cb_scope, argv[0]))
		return milt_cb_let_go(ctx, conn, "exempt=sender");
	return SMFIS_CONTINUE;
}

/* milt_cb_envrcpt - one recipient in a ScopeDomains domain is enough */
static sfsistat
milt_cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct milt_conn *conn = milt_cb_current(ctx);

	if (conn == NULL)
		return milt_cb_error(ctx);
	if (argv[0] != NULL && milt_scope_rcpt_in(&milt_cb_scope, argv[0]))
		conn->msg->in_scope = 1;
	return SMFIS_CONTINUE;
}

/* milt_cb_data - after the last recipient: out of scope, let it go */
static sfsistat
milt_cb_data(SMFICTX *ctx)
{
	struct milt_conn *conn = milt_cb_current(ctx);

	if (conn == NULL)
		return milt_cb_error(ctx);
	if (milt_cb_scope_out(conn))
		return milt_cb_let_go(ctx, conn, "scope=out");
	return SMFIS_CONTINUE;
}

static sfsistat
milt_cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct milt_conn *conn = smfi_getpriv(ctx);
	struct milt_msg *msg = conn != NULL ? conn->msg : NULL;

	if (msg != NULL && msg->stop == CAL_UNCHANGED)
		msg->stop = milt_msg_header(msg, name, value, conn->leadspc);
	if (conn != NULL && conn->nr_hdr)
		return SMFIS_NOREPLY; /* a verdict waits for eoh */
	if (msg == NULL)
		return milt_cb_error(ctx);
	if (milt_cb_scope_out(conn)) /* an MTA that sent no DATA step */
		return milt_cb_let_go(ctx, conn, "scope=out");
	if (msg->stop != CAL_UNCHANGED)
		return milt_cb_stop(ctx, conn, msg->stop);
	return SMFIS_CONTINUE;
}

/* milt_cb_eoh - the fast path: no calendar or vCard can follow */
static sfsistat
milt_cb_eoh(SMFICTX *ctx)
{
	struct milt_conn *conn = milt_cb_current(ctx);
	enum cal_status st;

	if (conn == NULL)
		return milt_cb_error(ctx);
	if (milt_cb_scope_out(conn)) /* an MTA that sent no DATA step */
		return milt_cb_let_go(ctx, conn, "scope=out");
	st = conn->msg->stop;
	if (st == CAL_UNCHANGED)
		st = milt_msg_eoh(conn->msg);
	if (st != CAL_UNCHANGED)
		return milt_cb_stop(ctx, conn, st);
	if (mime_fast_needs_body(conn->msg->fast)) {
		conn->msg->scanning = mime_fast_scannable(conn->msg->fast);
		return SMFIS_CONTINUE;
	}
	(void)milt_msg_qid(conn->msg, ctx);
	milt_cb_fast(conn->msg);
	milt_msg_clear(&conn->msg);
	return milt_verdict(ctx, conn->conf, CAL_UNCHANGED);
}

static sfsistat
milt_cb_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct milt_conn *conn = milt_cb_current(ctx);
	enum cal_status st;

	if (conn == NULL)
		return milt_cb_error(ctx);
	st = milt_msg_body(conn->msg, chunk, len);
	if (st != CAL_UNCHANGED)
		return milt_cb_stop(ctx, conn, st);
	return SMFIS_CONTINUE;
}

static sfsistat
milt_cb_eom(SMFICTX *ctx)
{
	struct milt_conn *conn = milt_cb_current(ctx);
	sfsistat ret;

	if (conn == NULL)
		return milt_cb_error(ctx);
	ret = milt_eom(ctx, conn, milt_cb_pool);
	milt_msg_clear(&conn->msg);
	return ret;
}

static sfsistat
milt_cb_abort(SMFICTX *ctx)
{
	struct milt_conn *conn = smfi_getpriv(ctx);

	if (conn != NULL)
		milt_msg_clear(&conn->msg);
	return SMFIS_CONTINUE;
}

/* milt_cb_close - may be the only callback a connection gets */
static sfsistat
milt_cb_close(SMFICTX *ctx)
{
	struct milt_conn *conn = smfi_getpriv(ctx);

	if (conn != NULL)
		milt_cfg_release(conn->cfg);
	milt_conn_free(conn); /* NULL-safe, frees msg too */
	(void)smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

void
milt_use_pool(struct milt_pool *pool)
{
	milt_cb_pool = pool;
}

int
milt_register(const struct conf *conf)
{
	static char name[] = "calmilter";
	struct smfiDesc desc = {
	    .xxfi_name = name,
	    .xxfi_version = SMFI_VERSION,
	    .xxfi_flags = MILT_ACTIONS,
	    .xxfi_connect = milt_cb_connect,
	    .xxfi_envfrom = milt_cb_envfrom,
	    .xxfi_envrcpt = milt_cb_envrcpt,
	    .xxfi_data = milt_cb_data,
	    .xxfi_header = milt_cb_header,
	    .xxfi_eoh = milt_cb_eoh,
	    .xxfi_body = milt_cb_body,
	    .xxfi_eom = milt_cb_eom,
	    .xxfi_abort = milt_cb_abort,
	    .xxfi_close = milt_cb_close,
	    .xxfi_negotiate = milt_cb_negotiate,
	};

	char err[256];

	if (milt_scope_init(&milt_cb_scope, conf, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		return MI_FAILURE;
	}
	return smfi_register(desc);
}
