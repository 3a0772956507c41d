/*
 * milt.h - the daemon: libmilter callbacks, per-connection and per-message
 * state, and the few things main() needs to start and stop.
 *
 * Only milter/ includes <libmilter/mfapi.h>. The work on a message is one
 * call, mime_process(); this module collects the bytes it needs, executes
 * the edits it returns, and turns its status into an SMFIS_ verdict.
 */
#ifndef CALMILTER_MILT_H
#define CALMILTER_MILT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libmilter/mfapi.h>

#include "../conf/conf.h"
#include "../ical/cal.h"
#include "../mime/mime.h"
#include "log.h"
#include "milt_stats.h"

struct mime_fast;
struct mime_result;
struct milt_pool;

/* the actions calmilter asks of the MTA; without all three it edits nothing */
#define MILT_ACTIONS (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGBODY)

/*
 * struct milt_msg - one message, MAIL FROM to eom or abort.
 * buf holds the message as the MTA relays it: each header "Name:" value
 * CRLF, an empty line, the body; never more than max bytes. Past spool_at
 * bytes they move to an unlinked file (spool_fd, buf NULL); either way
 * milt_msg_bytes() gives all len bytes at eom.
 */
struct milt_msg {
	char qid[32];                 /* MTA macro "i"; "" until known */
	char msgid[LOG_SANE_MAX + 4]; /* sanitized */
	uint8_t *buf;
	size_t len;
	size_t cap;
	size_t max;             /* MaxMessageSize */
	size_t spool_at;        /* SpoolThreshold; 0 = never */
	int spool_fd;           /* the message's file once spooled, or -1 */
	const uint8_t *map;     /* the file mapped at eom, or NULL */
	struct mime_fast *fast; /* fed every top-level header */
	enum cal_status stop;   /* a header said stop (limit, error) */
	size_t body_off;        /* where the body starts in buf */
	int scanning;           /* multipart: the body scan decides */
	struct mime_scan scan;  /* fed every body chunk */
	int in_scope;           /* a recipient in ScopeDomains was seen */
	int scope_checked;      /* the scope was decided */
};

/*
 * struct milt_cfg - one configuration generation (milt_cfg.c): the conf
 * and the pool's generation of it; held by whoever uses it
 */
struct pool_conf;
struct milt_cfg {
	struct conf *conf;     /* owned */
	struct pool_conf *gen; /* held; NULL without a pool */
	unsigned refs;         /* under milt_cfg.c's lock */
};

/* struct milt_conn - one SMTP connection, negotiate/connect to close */
struct milt_conn {
	const struct conf *conf; /* cfg->conf; or borrowed (tests) */
	struct milt_cfg *cfg;    /* held by milt_cb.c, renewed at MAIL FROM */
	struct milt_msg *msg;    /* NULL between messages */
	unsigned long actions;   /* SMFIF_* the MTA granted */
	int leadspc;             /* SMFIP_HDR_LEADSPC granted */
	int nr_hdr;              /* SMFIP_NR_HDR: no reply per header */
};

/* milt_ctx.c */
struct milt_conn *milt_conn_new(const struct conf *conf);
void milt_conn_free(struct milt_conn *conn);
struct mime_policy;
/* milt_msg_new - pol decides the fast path (borrowed for the call) */
struct milt_msg *milt_msg_new(size_t max, const struct mime_policy *pol);
void milt_msg_free(struct milt_msg *msg);
void milt_msg_clear(struct milt_msg **msgp);
/*
 * milt_msg_header, milt_msg_eoh, milt_msg_body - collect the message.
 * Return CAL_UNCHANGED, CAL_LIMIT past msg->max (nothing added), or
 * CAL_ERROR when out of memory.
 */
enum cal_status milt_msg_header(struct milt_msg *msg, const char *name,
                                const char *value, int leadspc);
enum cal_status milt_msg_eoh(struct milt_msg *msg);
enum cal_status milt_msg_body(struct milt_msg *msg, const uint8_t *chunk,
                              size_t len);
/* milt_msg_bytes - the whole message, in memory or the spool file mapped
 * (once; unmapped by milt_msg_free); NULL when it cannot be mapped */
const uint8_t *milt_msg_bytes(struct milt_msg *msg);
/* milt_spool.c */
int milt_spool_open(void);
int milt_spool_write(int fd, const void *p, size_t n);
const uint8_t *milt_spool_map(int fd, size_t len);
void milt_spool_unmap(const uint8_t *p, size_t len);
/* milt_msg_maybe - at eom: 0 when the body scan of a multipart message
 * found no part header that could start a calendar or vCard part */
int milt_msg_maybe(struct milt_msg *msg);
/* milt_msg_qid - the queue id for log lines, fetched once it exists */
const char *milt_msg_qid(struct milt_msg *msg, SMFICTX *ctx);

/* milt_cb.c: install the callbacks; conf is borrowed until smfi_main ends */
int milt_register(const struct conf *conf);
/* milt_cb.c: the workers eom hands messages to; borrowed, set before
 * smfi_main */
void milt_use_pool(struct milt_pool *pool);

/* milt_eom.c: process the collected message in a worker; the caller
 * clears it */
sfsistat milt_eom(SMFICTX *ctx, struct milt_conn *conn, struct milt_pool *pool);

/*
 * milt_apply.c: execute res's edits, in order. 0 when all were made; -1
 * when an edit call failed: the MTA's copy is half-edited and must be
 * tempfailed.
 */
int milt_apply(SMFICTX *ctx, const struct milt_conn *conn,
               const struct mime_result *res);

/* milt_verdict.c: the one place a status becomes an SMFIS_ code */
sfsistat milt_verdict(SMFICTX *ctx, const struct conf *conf,
                      enum cal_status st);
sfsistat milt_verdict_half_edited(SMFICTX *ctx);

/* milt_summary.c: the per-message log lines */
struct milt_outcome {
	const char *action; /* changed|unchanged|report|tempfail */
	const char *reason; /* overrides the result's; or NULL */
	const char *detail; /* overrides the result's; or NULL */
	enum milt_outcome_kind kind; /* outcome=, set by milt_outcome_classify */
};
/* milt_outcome_classify - the outcome of a message that reached eom */
enum milt_outcome_kind milt_outcome_classify(const struct milt_outcome *out,
                                             const struct mime_result *res);
void milt_log_summary(const struct milt_msg *msg,
                      const struct milt_outcome *out,
                      const struct mime_result *res, long ms);
void milt_log_findings(const struct milt_msg *msg,
                       const struct cal_report *rep);
void milt_log_early(const struct milt_msg *msg, enum cal_status st,
                    sfsistat verdict);
/* milt_log_let_go - a message let go before its body: kind and why */
void milt_log_let_go(const struct milt_msg *msg, enum milt_outcome_kind kind,
                     const char *why);
/* milt_log_would - Mode report: each change rewrite would make */
void milt_log_would(const struct milt_msg *msg, const struct mime_result *res);

/*
 * milt_cfg.c: the configuration in force. init takes over conf (the pool
 * already has it; pool may be NULL) and load, which reads the file again
 * for a reload ((transfer full), or NULL with "FILE:LINE: message").
 */
int milt_cfg_init(struct conf *conf, struct milt_pool *pool,
                  struct conf *(*load)(char *err, size_t errlen));
struct milt_cfg *milt_cfg_hold(void); /* a reference to the one in force */
void milt_cfg_release(struct milt_cfg *cfg); /* NULL-safe */
void milt_cfg_reload(void);                  /* SIGUSR1 */
/* milt_cfg_keep_fixed - keys only a restart changes: run's values into
 * now, each change logged; 0, or -1 out of memory */
int milt_cfg_keep_fixed(struct conf *now, const struct conf *run);
/* milt_log_prio - LogLevel as a syslog priority */
int milt_log_prio(int level);

/*
 * milt_control.c: the thread for SIGUSR1 (reload) and SIGUSR2 (StatsFile,
 * also every StatsInterval). Block the two in main() before any thread
 * starts; start after milt_cfg_init; stop writes StatsFile a last time.
 */
void milt_control_block(void);
int milt_control_start(void);
void milt_control_stop(void);

/* milt_threads.c: before smfi_main, 512 KB stacks for libmilter's
 * threads (reused by glibc instead of mapped anew per connection) */
int milt_threads_small_stacks(void);

/*
 * milt_keep.c: KeepOriginals. milt_keep_write - the message's len bytes
 * as DIR/QUEUEID.eml (temporary file, then rename); 0, or -1 (logged).
 * milt_keep_expire - remove the kept files older than days; how many.
 */
int milt_keep_write(const char *dir, const char *qid, const uint8_t *p,
                    size_t len);
int milt_keep_expire(const char *dir, unsigned days);

/* milt_daemon.c: process set-up for main() */
struct milt_user {
	char name[64];
	uid_t uid;
	gid_t gid;
};

int milt_user_lookup(struct milt_user *u, const char *spec, char *err,
                     size_t errlen);
int milt_user_become(const struct milt_user *u, char *err, size_t errlen);
void milt_socket_chown(const char *spec, const struct milt_user *u);
int milt_socket_chmod(const char *spec, unsigned mode);
int milt_socket_is_unix(const char *spec);
int milt_daemonize(void);
int milt_pidfile_write(const char *path);
void milt_pidfile_remove(const char *path);

#endif
