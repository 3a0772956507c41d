/*
 * milt_ctx.c - per-connection and per-message state
 *
 * struct milt_conn lives from negotiate (or connect) to close; struct
 * milt_msg from MAIL FROM to eom or abort. Each has one new and one free
 * function, and nothing else frees them.
 *
 * The message is re-assembled as the MTA will relay it, so that
 * mime_process() sees the bytes its edits refer to: header values arrive
 * with LF-only folding (libmilter convention) and are stored with CRLF;
 * without SMFIP_HDR_LEADSPC the MTA has stripped the space after the colon,
 * and one is put back.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "milt.h"
#include "../mime/mime.h"

#define MILT_BUF_MIN (64 * 1024)

struct milt_conn *
milt_conn_new(const struct conf *conf)
{
	struct milt_conn *conn;

	conn = calloc(1, sizeof(*conn));
	if (conn == NULL)
		return NULL;
	conn->conf = conf;
	conn->actions = MILT_ACTIONS; /* until negotiate says otherwise */
	return conn;
}

/* milt_conn_free - also frees a message abandoned mid-flight; NULL-safe */
void
milt_conn_free(struct milt_conn *conn)
{
	if (conn == NULL)
		return;
	milt_msg_clear(&conn->msg);
	free(conn);
}

struct milt_msg *
milt_msg_new(size_t max, const struct mime_policy *pol)
{
	struct milt_msg *msg;

	msg = calloc(1, sizeof(*msg));
	if (msg == NULL)
		return NULL;
	msg->max = max;
	msg->spool_fd = -1;
	msg->fast = mime_fast_new(pol);
	if (msg->fast == NULL) {
		free(msg);
		return NULL;
	}
	return msg;
}

void
milt_msg_free(struct milt_msg *msg)
{
	if (msg == NULL)
		return;
	mime_fast_free(msg->fast);
	free(msg->buf);
	milt_spool_unmap(msg->map, msg->len);
	if (msg->spool_fd >= 0)
		(void)close(msg->spool_fd);
	free(msg);
}

/* milt_msg_clear - free *msgp and forget it; harmless when repeated */
void
milt_msg_clear(struct milt_msg **msgp)
{
	milt_msg_free(*msgp);
	*msgp = NULL;
}

/* milt_msg_reserve - room for n more bytes; the caller checked msg->max */
static int
milt_msg_reserve(struct milt_msg *msg, size_t n)
{
	size_t want = msg->len + n, cap;
	uint8_t *p;

	if (want <= msg->cap)
		return 0;
	cap = msg->cap < MILT_BUF_MIN ? MILT_BUF_MIN : msg->cap;
	while (cap < want)
		cap = cap > msg->max / 2 ? msg->max : cap * 2;
	if (cap > msg->max)
		cap = msg->max;
	p = realloc(msg->buf, cap);
	if (p == NULL)
		return -1;
	msg->buf = p;
	msg->cap = cap;
	return 0;
}

/* milt_msg_spool - past spool_at bytes, move the message into a file;
 * when no file can be had, it stays in memory */
static void
milt_msg_spool(struct milt_msg *msg, size_t n)
{
	int fd;

	if (msg->spool_fd >= 0 || msg->spool_at == 0 ||
	    msg->len + n <= msg->spool_at || (fd = milt_spool_open()) < 0)
		return;
	if (milt_spool_write(fd, msg->buf, msg->len) != 0) {
		(void)close(fd);
		return;
	}
	log_debug("a message past SpoolThreshold (%zu bytes) goes to a file",
	          msg->spool_at);
	msg->spool_fd = fd;
	free(msg->buf);
	msg->buf = NULL;
	msg->cap = 0;
}

/* milt_msg_append - add n bytes, never past msg->max */
static enum cal_status
milt_msg_append(struct milt_msg *msg, const void *p, size_t n)
{
	if (n > msg->max - msg->len)
		return CAL_LIMIT;
	if (n == 0)
		return CAL_UNCHANGED;
	milt_msg_spool(msg, n);
	if (msg->spool_fd >= 0) {
		if (milt_spool_write(msg->spool_fd, p, n) != 0)
			return CAL_ERROR;
		msg->len += n;
		return CAL_UNCHANGED;
	}
	if (milt_msg_reserve(msg, n) != 0)
		return CAL_ERROR;
	memcpy(msg->buf + msg->len, p, n);
	msg->len += n;
	return CAL_UNCHANGED;
}

/* milt_msg_append_crlf - add s, writing every bare LF as CRLF */
static enum cal_status
milt_msg_append_crlf(struct milt_msg *msg, const char *s)
{
	enum cal_status st = CAL_UNCHANGED;
	const char *lf;
	size_t n;

	lf = strchr(s, '\n');
	while (st == CAL_UNCHANGED && lf != NULL) {
		n = (size_t)(lf - s);
		if (n > 0 && s[n - 1] == '\r')
			n--;
		st = milt_msg_append(msg, s, n);
		if (st == CAL_UNCHANGED)
			st = milt_msg_append(msg, "\r\n", 2);
		s = lf + 1;
		lf = strchr(s, '\n');
	}
	if (st == CAL_UNCHANGED)
		st = milt_msg_append(msg, s, strlen(s));
	return st;
}

/* milt_msg_note_msgid - keep a sanitized Message-ID for the summary line */
static void
milt_msg_note_msgid(struct milt_msg *msg, const char *name, const char *value)
{
	if (strcasecmp(name, "Message-ID") != 0 || msg->msgid[0] != '\0')
		return;
	value += strspn(value, " \t\r\n");
	log_sane(msg->msgid, sizeof(msg->msgid), value, strcspn(value, "\r\n"));
}

enum cal_status
milt_msg_header(struct milt_msg *msg, const char *name, const char *value,
                int leadspc)
{
	size_t before = msg->len;
	enum cal_status st;

	mime_fast_header(msg->fast, name, value);
	milt_msg_note_msgid(msg, name, value);
	st = milt_msg_append(msg, name, strlen(name));
	if (st == CAL_UNCHANGED)
		st =
		    milt_msg_append(msg, leadspc ? ":" : ": ", leadspc ? 1 : 2);
	if (st == CAL_UNCHANGED)
		st = milt_msg_append_crlf(msg, value);
	if (st == CAL_UNCHANGED)
		st = milt_msg_append(msg, "\r\n", 2);
	if (st != CAL_UNCHANGED && msg->spool_fd >= 0 &&
	    (ftruncate(msg->spool_fd, (off_t)before) != 0 ||
	     lseek(msg->spool_fd, 0, SEEK_END) < 0))
		st = CAL_ERROR;
	if (st != CAL_UNCHANGED)
		msg->len = before; /* never half a header */
	return st;
}

enum cal_status
milt_msg_eoh(struct milt_msg *msg)
{
	enum cal_status st = milt_msg_append(msg, "\r\n", 2);

	msg->body_off = msg->len;
	return st;
}

enum cal_status
milt_msg_body(struct milt_msg *msg, const uint8_t *chunk, size_t len)
{
	enum cal_status st = milt_msg_append(msg, chunk, len);

	if (st == CAL_UNCHANGED && msg->scanning && msg->spool_fd < 0)
		mime_scan_body(&msg->scan, msg->buf + msg->body_off,
		               msg->len - msg->body_off, 0);
	return st;
}

const uint8_t *
milt_msg_bytes(struct milt_msg *msg)
{
	if (msg->spool_fd < 0)
		return msg->buf != NULL ? msg->buf : (const uint8_t *)"";
	if (msg->map == NULL)
		msg->map = milt_spool_map(msg->spool_fd, msg->len);
	return msg->map;
}

int
milt_msg_maybe(struct milt_msg *msg)
{
	const uint8_t *b;

	if (!msg->scanning || (b = milt_msg_bytes(msg)) == NULL)
		return 1; /* a spool that cannot be mapped: eom says why */
	mime_scan_body(&msg->scan, b + msg->body_off, msg->len - msg->body_off,
	               1);
	return msg->scan.maybe;
}

const char *
milt_msg_qid(struct milt_msg *msg, SMFICTX *ctx)
{
	static char macro_i[] = "i";
	const char *v;

	if (msg->qid[0] == '\0' && ctx != NULL) {
		v = smfi_getsymval(ctx, macro_i);
		if (v != NULL)
			log_sane(msg->qid, sizeof(msg->qid), v, (size_t)-1);
	}
	return msg->qid[0] != '\0' ? msg->qid : "NOQUEUE";
}
