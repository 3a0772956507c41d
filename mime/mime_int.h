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

/* ---- the admin's switches (mime_rules.c) -------------------------------- */

enum mime_rule_mode {
	MIME_RULE_ON = 0,	/* the rule changes what it must */
	MIME_RULE_REPORT,	/* ReportOnlyRules: it only reports */
	MIME_RULE_OFF		/* DisableRules: it does nothing */
};

enum mime_rule_mode	mime_rule_mode(const struct mime_policy *pol,
			    const char *id);
/*
 * mime_rule_apply - may rule id make the change the text describes? On: a
 * CAL_FIX finding, 1. Report only: a CAL_REPORT finding, 0. Off: 0.
 */
int	mime_rule_apply(const struct mime_policy *pol, struct cal_report *rep,
	    const char *id, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

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
 * mime_attachment_disp - "attachment" with the file name of the
 * Content-Type's name= parameter(s) as filename= (transfer full)
 */
char	*mime_attachment_disp(const char *ctype);
/* mime_append_field - "Name:value" and a line end; "\n" in value is a fold
 * (mime_label.c) */
void	mime_append_field(GByteArray *out, const char *name, const char *value,
	    const char *eol);

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
	GMimeObject	*scope;		/* the message it belongs to: NULL for
					 * the message itself, else the
					 * message/rfc822 it is inside */
	GMimeObject	*parent;	/* enclosing multipart, or NULL */
	int		 index;		/* its place among parent's children */
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
	GPtrArray		*bounds;	/* every multipart boundary */
};

/* mime_walk - every candidate of msg, within the policy's ceilings */
int	mime_walk(struct mime_walk *w, GMimeMessage *msg,
	    const struct mime_policy *pol);
void	mime_walk_free(struct mime_walk *w);
/* mime_is_candidate_type - the calendar and vCard media types */
int	mime_is_candidate_type(const char *type);

/* ---- splices ---------------------------------------------------------------- */

/* struct mime_splice - msg[start..end) is replaced by bytes; start == end
 * inserts */
struct mime_splice {
	size_t		 start;
	size_t		 end;
	GByteArray	*bytes;
};

/* ---- one candidate through the phases (mime_part.c) ---------------------- */

/* struct mime_loc - where a part stands in the original bytes */
struct mime_loc {
	size_t			 hstart;	/* first header field */
	size_t			 cstart;	/* content */
	size_t			 cend;
	struct mime_fields	 f;		/* its header block */
	const struct mime_fields *fp;		/* f, or the job's top block */
	int			 ict;		/* Content-Type in *fp, or -1 */
	int			 icte;		/* C-T-E, or -1 */
	int			 idisp;		/* Content-Disposition, or -1 */
};

/*
 * struct mime_item - one candidate: its place, its labels and content, what
 * the core made of it, and what the decisions across parts add to it
 */
struct mime_item {
	const struct mime_cand	*c;
	struct mime_loc		 loc;
	char			 type[96];	/* media type, lower case */
	char			*ctype;		/* Content-Type value */
	char			*method;	/* its method= parameter */
	char			*charset;
	char			 disp[16];	/* "", "inline", "attachment" or
						 * "?" (another word) */
	enum mime_cte		 cte;
	GByteArray		*decoded;	/* canonical content */
	int			 eol_added;	/* the boundary owned the last
						 * line end */
	enum cal_status		 st;		/* so far; see mime_part_* */
	const char		*ctx_method;	/* method= the core is given */
	struct cal_out		 out;
	size_t			 first;		/* report marks before the core */
	size_t			 first_fix;
	size_t			 last;		/* report mark after the core */
	struct mime_item	*shared;	/* R-MIME-6: the copy whose
						 * method= it was given */
	char			*new_type;	/* R-MIME-5: relabel to this */
	int			 add_disp;	/* R-MIME-5: add the disposition */
	int			 changed;	/* an edit was made for it */
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
	struct mime_auth		*auth;		/* DKIM and A-R, or NULL */
	struct mime_result		*res;
	GMimeMessage			*gm;		/* GMime's reading */
	GArray				*splices;	/* struct mime_splice */
	char				*top_ctype;	/* new top Content-Type */
	char				*top_cte;	/* new top CTE */
	int				 top_cte_delete; /* remove it */
	int				 top_disp_delete; /* remove the
							 * Content-Disposition */
	int				 content_class;	/* add R-MIME-8's */
	char				 ambiguous[100];	/* why the structure must
							 * not change, or "" */
	GPtrArray			*bounds;	/* the walk's boundaries */
};

/* mime_detect_eol - "\r\n" when the first line ends so, else "\n" */
const char	*mime_detect_eol(const uint8_t *msg, size_t len);

/* mime_job_splice - msg[start..end) becomes bytes (steals bytes) */
void	mime_job_splice(struct mime_job *job, size_t start, size_t end,
	    GByteArray *bytes);

/*
 * The phases of one candidate. mime_part_prepare locates and decodes it;
 * mime_part_normalize hands it to the core (ctx_method set beforehand);
 * mime_part_emit turns the result and the relabel decision into splices
 * or top-level edits. Each returns the item's status; CAL_LIMIT and
 * CAL_ERROR stop the whole message.
 */
enum cal_status	mime_part_prepare(struct mime_job *job, struct mime_item *it);
enum cal_status	mime_part_normalize(struct mime_job *job, struct mime_item *it);
enum cal_status	mime_part_emit(struct mime_job *job, struct mime_item *it);
void		mime_item_free(struct mime_item *it);
/* mime_item_where - findings from now on are about this part */
void		mime_item_where(struct mime_job *job, const struct mime_item *it);
/* mime_item_content - the part's content as it leaves: the core's rewrite,
 * or the decoded original when it is unchanged (transfer none) */
const uint8_t	*mime_item_content(const struct mime_item *it, size_t *len);
/* mime_item_is_ical - an iCalendar object the core accepted or rewrote */
int		mime_item_is_ical(const struct mime_item *it);
/* mime_item_inline_calendar - a text/calendar that is not an attachment:
 * what Outlook reads as iMIP ([MS-STANOICAL] 2.2.174, 2.2.175) */
int		mime_item_inline_calendar(const struct mime_item *it);

/* ---- decisions across parts ----------------------------------------------- */

/* R-MIME-6 (mime_copies.c): identical copies get the same context before
 * the core runs; copies of one UID that end different are reported */
void	mime_copies_share(struct mime_job *job, struct mime_item *v, size_t n);
void	mime_copies_check(struct mime_job *job, const struct mime_item *v,
	    size_t n);
/* mime_copies_equal - the same content lines as they leave (folds do not
 * count) */
int	mime_copies_equal(const struct mime_item *a, const struct mime_item *b);
/* R-MIME-5 (mime_relabel.c): PUBLISH attachments labelled text/calendar */
void	mime_relabel(struct mime_job *job, struct mime_item *v, size_t n);
/* R-MIME-4 (mime_promote.c): an inline copy of an attached invitation */
enum cal_status	mime_promote(struct mime_job *job, struct mime_item *v,
		    size_t n);
/* R-MIME-8 (mime_promote.c): Content-Class on a message with an invitation */
void	mime_content_class(struct mime_job *job, const struct mime_item *v,
	    size_t n, int promoted);

/* ---- restructuring for a promotion (mime_reshape.c) ---------------------- */

enum mime_shape {
	MIME_SHAPE_NONE = 0,
	MIME_SHAPE_TOP,		/* the message is the attachment alone */
	MIME_SHAPE_FIRST,	/* the copy becomes the first child of mixed */
	MIME_SHAPE_APPEND,	/* the copy joins the alternative text body */
	MIME_SHAPE_WRAP		/* text body and copy become an alternative */
};

/* struct mime_reshape - where the copy goes */
struct mime_reshape {
	enum mime_shape		 shape;
	size_t			 at;		/* insertion point */
	size_t			 wrap_end;	/* WRAP: end of the text body */
	const char		*outer;		/* boundary around the copy
						 * (GMime's; borrowed) */
	char			*fresh;		/* a new boundary (WRAP, TOP) */
};

/*
 * mime_reshape_plan - the shape for a copy of it; -1 with *why when the
 * structure may not change (ambiguous MIME, a shape not handled, a header
 * a DKIM signature covers)
 */
int		 mime_reshape_plan(struct mime_job *job,
		    const struct mime_item *v, size_t n,
		    const struct mime_item *it, struct mime_reshape *rs,
		    const char **why);
/* mime_reshape_emit - the splices and top-level edits that insert copy
 * (a complete part: headers, empty line, content) */
void		 mime_reshape_emit(struct mime_job *job,
		    const struct mime_reshape *rs, const GByteArray *copy);
const char	*mime_reshape_name(const struct mime_reshape *rs);
void		 mime_reshape_free(struct mime_reshape *rs);

/* ---- structure (mime_struct.c) ------------------------------------------- */

/*
 * struct mime_mp - the delimiter lines of one multipart, found in the bytes.
 * part i is [pstart[i], pend[i]): from after its delimiter line to the line
 * end that belongs to the next delimiter.
 */
struct mime_mp {
	size_t		*pstart;
	size_t		*pend;
	size_t		 n;
	size_t		 close;		/* the close delimiter's line end
					 * before it (= pend[n - 1]) */
	int		 closed;	/* a close delimiter was found */
};

/*
 * mime_mp_scan - the parts of the multipart whose body is msg[start, end)
 * with this boundary. -1 when the delimiters are not what a careful reader
 * needs (no close delimiter, a part count unlike want).
 */
int	mime_mp_scan(const struct mime_job *job, size_t start, size_t end,
	    const char *boundary, size_t want, struct mime_mp *mp);
void	mime_mp_free(struct mime_mp *mp);
/* mime_boundary_new - a boundary derived from the content, unused in it
 * and no prefix of another (transfer full); NULL when none is found */
char	*mime_boundary_new(const struct mime_job *job, unsigned salt);
/* mime_ambiguity_bounds - boundaries that are prefixes of each other;
 * keeps bounds (borrowed) for mime_boundary_new */
void	mime_ambiguity_bounds(struct mime_job *job, GPtrArray *bounds);
/* mime_ambiguity_gmime - a warning of GMime's parser (GMimeParserWarning) */
void	mime_ambiguity_gmime(struct mime_job *job, int code, const char *item);
/* mime_ambiguity_note - the first reason the structure must stay */
void	mime_ambiguity_note(struct mime_job *job, const char *why);

/* ---- DKIM and Authentication-Results (mime_auth.c) ----------------------- */

struct mime_auth;

/* mime_auth_new - for the policy's TrustedAuthservIDs (transfer full) */
struct mime_auth	*mime_auth_new(const char *trusted_ids);
void			 mime_auth_free(struct mime_auth *a);	/* NULL-safe */
/* feed the value of one DKIM-Signature or Authentication-Results field;
 * 0, or -1 when past the ceiling (the answers below are then "no") */
int	mime_auth_add_dkim(struct mime_auth *a, const char *value);
int	mime_auth_add_ar(struct mime_auth *a, const char *value);
/* mime_auth_signed - a DKIM-Signature was seen */
int	mime_auth_signed(const struct mime_auth *a);
/* mime_auth_verified - a trusted A-R says dkim=pass for a signature */
int	mime_auth_verified(const struct mime_auth *a);
/* mime_auth_covers - is header name in the h= of a signature? */
int	mime_auth_covers(const struct mime_auth *a, const char *name);
/* mime_auth_trusted - a trusted Authentication-Results field was seen */
int	mime_auth_trusted(const struct mime_auth *a);
/*
 * mime_auth_domain_ok - does a trusted A-R vouch for domain: dmarc=pass
 * with header.from=domain (when from is set), or dkim=pass with a
 * header.d aligned with it (equal, or a parent domain)?
 */
int	mime_auth_domain_ok(const struct mime_auth *a, const char *domain,
	    int from);
/*
 * mime_auth_decide - N-2 for a message: 1 when DkimSigned allows the
 * message to be changed, 0 when not (why says so)
 */
int	mime_auth_decide(const struct mime_auth *a,
	    const struct mime_policy *pol, const char **why);

#endif
