/*
 * mime.h - one whole message in, the edits that make its calendar and vCard
 * parts acceptable to Exchange out.
 *
 * The single call mime_process() is the unit of work the daemon hands to a
 * worker: message bytes and policy in; new body, top-level header edits and
 * findings out. Everything it did not change stays byte-identical: new bytes
 * are spliced into the original at the offsets GMime reports, nothing is
 * re-serialized.
 */
#ifndef CALMILTER_MIME_H
#define CALMILTER_MIME_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../ical/cal.h"

#define MIME_TRACE_HEADER "X-Calmilter"

/* N-2: what becomes of a DKIM-signed message (DkimSigned) */
enum mime_dkim_policy {
	MIME_DKIM_SKIP = 0,	/* left as it is */
	MIME_DKIM_REWRITE,	/* changed like any other */
	MIME_DKIM_VERIFIED	/* changed when a trusted A-R says dkim=pass */
};

/*
 * struct mime_policy - what milter/ passes down; plain data (strings are
 * borrowed from the configuration, which outlives every message)
 */
struct mime_policy {
	struct cal_policy	 cal;
	struct cal_limits	 cal_limits;
	size_t			 max_message_size;
	unsigned		 max_depth;	/* MIME nesting walked */
	unsigned		 max_parts;	/* parts walked */
	int			 normalize_encapsulated; /* R-MIME-7: 1 lexical, 0 no */
	int			 promote_attached; /* R-MIME-4 */
	int			 content_class;	/* R-MIME-8 */
	enum mime_dkim_policy	 dkim;		/* N-2 */
	const char		*trusted_authserv_ids; /* RFC 8601 ids, or NULL */
	time_t			 now;		/* processing time (see cal_context) */
};

void	mime_policy_default(struct mime_policy *pol);

/*
 * mime_rule_known - is id a rule calmilter implements (an R-MIME rule of
 * mime/ or a row of the core's table)? For checking DisableRules and
 * ReportOnlyRules when the configuration is loaded.
 */
int	mime_rule_known(const char *id);

enum mime_edit_op {
	MIME_HDR_CHANGE = 0,	/* replace the index-th header of that name */
	MIME_HDR_DELETE,	/* remove it */
	MIME_HDR_ADD		/* append at the end of the header block */
};

/*
 * struct mime_hdr_edit - one edit of the top-level header block, in the
 * terms of smfi_chgheader/smfi_addheader: index counts headers of that name
 * from 1. value is the full field body as it goes on the wire, with its
 * leading space; a fold is "\n" followed by a tab (libmilter's convention:
 * the MTA adds the CR), never a bare CR; no final line end.
 */
struct mime_hdr_edit {
	enum mime_edit_op	 op;
	char			*name;
	unsigned		 index;
	char			*value;
};

/* why the message was not changed, when it was not */
enum mime_reason {
	MIME_REASON_NONE = 0,	/* changed, or nothing to do */
	MIME_REASON_NO_PARTS,	/* no calendar or vCard part */
	MIME_REASON_SIGNED,	/* N-1: signed or encrypted */
	MIME_REASON_DKIM,	/* N-2: DKIM-signed */
	MIME_REASON_LIMIT,	/* a limit was hit; detail says which */
	MIME_REASON_MALFORMED,	/* MIME could not be parsed safely */
	MIME_REASON_ERROR	/* internal error */
};

const char	*mime_reason_name(enum mime_reason r);

/*
 * struct mime_result - what mime_process() decided. On CAL_CHANGED, body
 * holds the complete new body (everything after the header block) and edits
 * the header edits, including the removal of inbound trace headers and the
 * new trace header. Otherwise body is NULL and edits empty.
 */
struct mime_result {
	enum cal_status		 status;
	enum mime_reason	 reason;
	char			 detail[128];	/* e.g. the limit that was hit */
	unsigned		 parts_seen;	/* calendar/vCard parts found */
	unsigned		 parts_changed;
	uint8_t			*body;
	size_t			 body_len;
	struct mime_hdr_edit	*edits;
	size_t			 nedits;
	struct cal_report	 report;
};

void	mime_result_init(struct mime_result *res);
void	mime_result_free(struct mime_result *res);	/* NULL-safe */

/*
 * mime_process - normalize every calendar and vCard part of one message.
 * msg/len: the whole message as received (header block, empty line, body),
 * CRLF or LF. Never fails "hard": an internal error gives CAL_ERROR with
 * reason MIME_REASON_ERROR; the caller decides what that means for the mail.
 */
enum cal_status	mime_process(struct mime_result *res, const uint8_t *msg,
		    size_t len, const struct mime_policy *pol);

/*
 * mime_apply - build the complete new message: the original with res's
 * header edits and new body. This is what the MTA ends up relaying when the
 * milter executes the same edits; calnorm writes it. (transfer full)
 * Returns NULL on out of memory. eol is the line end for added headers.
 */
uint8_t	*mime_apply(const uint8_t *msg, size_t len,
	    const struct mime_result *res, size_t *outlen);

/*
 * Fast path. The milter sees the top-level headers before the body; when
 * none of them can lead to a calendar or vCard part, it accepts at once.
 * mime_fast_needs_body() is a safe superset of what mime_process() selects:
 * it answers 1 ("maybe") for every message that could hold such a part.
 */
struct mime_fast;

/* mime_fast_new - for this policy (DkimSigned decides with the headers) */
struct mime_fast	*mime_fast_new(const struct mime_policy *pol);
void			 mime_fast_free(struct mime_fast *f);
/* mime_fast_header - feed one top-level header; value as received */
void			 mime_fast_header(struct mime_fast *f, const char *name,
			    const char *value);
/* mime_fast_needs_body - after the last header; 1 = fetch the body */
int			 mime_fast_needs_body(struct mime_fast *f);
/* mime_fast_verdict - why, in a word, for the log */
const char		*mime_fast_reason(const struct mime_fast *f);

/*
 * mime_fast_scannable - after mime_fast_needs_body() said 1: the top-level
 * type is multipart (any subtype), so mime_scan_body() can decide from the body.
 */
int			 mime_fast_scannable(const struct mime_fast *f);

/*
 * Body scan, for a multipart message: does a part header in the body
 * (nested or not) possibly start a calendar or vCard part? A safe superset
 * of the walk: mime_process() finds no part where the scan says no. Start
 * from a zeroed struct; hand it the whole body received so far (everything
 * after the header block's empty line) after each chunk, with final set
 * after the last. It looks at each byte about once.
 */
struct mime_scan {
	size_t	pos;	/* where the next call goes on */
	int	maybe;	/* 1: a part header could start such a part */
};

void	mime_scan_body(struct mime_scan *s, const uint8_t *body, size_t len,
	    int final);

/*
 * mime_input_is_object - 1 when buf is a bare calendar or vCard object
 * (judged by content: BEGIN:VCALENDAR or BEGIN:VCARD first), 0 when it is to
 * be read as an RFC 5322 message.
 */
int	mime_input_is_object(const uint8_t *buf, size_t len);

/*
 * mime_process_object - normalize a bare object with the same rules a part
 * of a message gets (no MIME context: no method= parameter, no Date).
 */
enum cal_status	mime_process_object(struct cal_out *out, const uint8_t *buf,
		    size_t len, const struct mime_policy *pol,
		    struct cal_report *rep);

/*
 * mime_texts - the content of every calendar and vCard part mime_process()
 * looks at, transfer encoding undone, in walk order, with the path its
 * findings name ("1.2"). For calnorm --diff. Returns 0, or -1 when the
 * message cannot be parsed, holds signed or encrypted content, hits a
 * ceiling of pol, or memory runs out (t is then empty).
 */
struct mime_text {
	char		 path[48];
	char		*head;		/* (owned) its Content-Type and
					 * Content-Transfer-Encoding, a
					 * line each */
	uint8_t		*data;		/* (owned) NUL-terminated */
	size_t		 len;
};

struct mime_texts {
	struct mime_text	*v;
	size_t			 n;
};

int	mime_texts(struct mime_texts *t, const uint8_t *msg, size_t len,
	    const struct mime_policy *pol);
void	mime_texts_free(struct mime_texts *t);	/* NULL-safe */

/* mime_init - once per process, before threads */
void	mime_init(void);

#endif
