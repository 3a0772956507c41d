/*
 * mime_int.h - internals shared by the files of mime/
 *
 * The message is never re-serialized. GMime parses it (persistent stream, so
 * that every leaf knows the offsets of its content in the original bytes);
 * the walker picks the calendar and vCard parts; each changed part becomes
 * a splice: a range of the original body and the bytes that replace it.
 * Everything outside the splices is copied as it was.
 */
#ifndef CALMILTER_MIME_INT_H
#define CALMILTER_MIME_INT_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <gmime/gmime.h>

#include "mime.h"

/* ---- raw header blocks ---------------------------------------------------- */

/* struct mime_field - one header field as it stands in the bytes */
struct mime_field {
	size_t	 start;		/* offset of the name */
	size_t	 colon;		/* offset of the ':' */
	size_t	 end;		/* offset after the value, before its EOL */
	size_t	 next;		/* offset of the next field (after the EOL) */
};

struct mime_fields {
	struct mime_field	*v;
	size_t			 n;
	size_t			 end;	/* offset after the block's empty line */
	int			 complete; /* an empty line ended the block */
};

/*
 * mime_fields_parse - the header fields of buf[start..len) up to and
 * including the first empty line. Returns 0, or -1 on out of memory or when
 * a line is neither a field nor a continuation (the block is then unsafe to
 * edit).
 */
int	mime_fields_parse(struct mime_fields *f, const uint8_t *buf, size_t len,
	    size_t start);
void	mime_fields_free(struct mime_fields *f);
/* mime_field_is - the field's name equals name (ASCII case-insensitive) */
int	mime_field_is(const uint8_t *buf, const struct mime_field *fl,
	    const char *name);
/* mime_fields_count - how many fields carry that name */
size_t	mime_fields_count(const struct mime_fields *f, const uint8_t *buf,
	    const char *name);
/* mime_field_value - unfolded value without leading/trailing white space
 * (transfer full) */
char	*mime_field_value(const uint8_t *buf, const struct mime_field *fl);

/*
 * mime_ctype_edit - a new Content-Type value: the old one with charset= and
 * method= set (NULL: leave as is; "" : remove), every other parameter kept
 * in its original spelling. (transfer full)
 */
char	*mime_ctype_edit(const char *old, const char *charset,
	    const char *method);
/* mime_ctype_param - one parameter's value, unquoted (transfer full) */
char	*mime_ctype_param(const char *ctype, const char *name);

/*
 * mime_header_fold - " value" folded before 78 columns at "; " boundaries,
 * for a field named name; folds are "\n\t" (the milter's convention; the
 * writer turns them into the message's line end). (transfer full)
 */
char	*mime_header_fold(const char *name, const char *value);

/* ---- encodings -------------------------------------------------------------- */

enum mime_cte {
	MIME_CTE_7BIT = 0,
	MIME_CTE_8BIT,
	MIME_CTE_BINARY,
	MIME_CTE_QP,
	MIME_CTE_BASE64,
	MIME_CTE_OTHER		/* unknown: never decoded, never touched */
};

enum mime_cte	 mime_cte_parse(const char *value);
const char	*mime_cte_name(enum mime_cte cte);
/*
 * mime_decode - content bytes in cte to raw bytes (transfer full, GByteArray).
 * NULL for MIME_CTE_OTHER.
 */
GByteArray	*mime_decode(const uint8_t *p, size_t len, enum mime_cte cte);
/*
 * mime_encode - canonical bytes (CRLF lines) to content in cte, lines ended
 * with eol. Every line, the last included, ends with eol.
 */
GByteArray	*mime_encode(const uint8_t *p, size_t len, enum mime_cte cte,
		    const char *eol);
/* mime_cte_choose - R-MIME-2: the encoding a rewritten part gets */
enum mime_cte	 mime_cte_choose(enum mime_cte old, const uint8_t *p, size_t len);

/* ---- the walk ------------------------------------------------------------------ */

/* struct mime_cand - one calendar or vCard part the walker selected */
struct mime_cand {
	GMimePart	*part;		/* borrowed from the parsed tree */
	GMimeObject	*msgobj;	/* embedding message when the part is
					 * its body (headers begin there) */
	char		 path[48];	/* "1.2", for findings */
	int		 encapsulated;	/* inside message/rfc822 or a report */
	int		 top;		/* the part is the message body itself */
};

struct mime_walk {
	struct mime_cand	*v;
	size_t			 n;
	unsigned		 parts;		/* objects visited */
	int			 is_signed;	/* N-1 content found */
	int			 limit;		/* a ceiling was hit */
	char			 detail[96];
};

/* mime_walk - every candidate of msg, within the policy's ceilings */
int	mime_walk(struct mime_walk *w, GMimeMessage *msg,
	    const struct mime_policy *pol);
void	mime_walk_free(struct mime_walk *w);
/* mime_is_candidate_type - the calendar and vCard media types */
int	mime_is_candidate_type(const char *type);

/* ---- splices ---------------------------------------------------------------- */

/* struct mime_splice - msg[start..end) is replaced by bytes */
struct mime_splice {
	size_t		 start;
	size_t		 end;
	GByteArray	*bytes;
};

/*
 * struct mime_job - one message being processed: the original bytes, what
 * the message says about itself, and the edits collected so far.
 */
struct mime_job {
	const uint8_t			*msg;
	size_t				 len;
	size_t				 body;		/* offset of the body */
	const char			*eol;		/* "\r\n" or "\n" */
	const struct mime_policy	*pol;
	struct cal_context		 ctx;		/* From, Sender, Date */
	struct mime_fields		 top;		/* top-level header block */
	struct mime_result		*res;
	GArray				*splices;	/* struct mime_splice */
	char				*top_ctype;	/* new top Content-Type */
	char				*top_cte;	/* new top CTE */
	int				 unsafe;	/* MIME too ambiguous */
};

/* mime_part_run - normalize one candidate; edits go into job */
enum cal_status	mime_part_run(struct mime_job *job, const struct mime_cand *c);

#endif
