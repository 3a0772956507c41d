/*
 * vc_int.h - internals of the vCard half of the core (vc_*.c, rule_vc*.c)
 *
 * A vCard part is read into the same content-line tree as a calendar
 * (cal_doc: every card a VCARD component), after a pre-pass (vc_prep.c)
 * that makes vCard 2.1's own line forms lexable: quoted-printable soft line
 * breaks, base64 blocks without folding, and raw text in a CHARSET. The
 * rules of ical/rules.c marked CAL_RULE_VCARD then turn each card into
 * vCard 3.0 as [MS-OXVCARD] reads it, and vc_values.c checks that every
 * value of the person survived (the vCard counterpart of cal_meaning.c).
 */
#ifndef CALMILTER_VC_INT_H
#define CALMILTER_VC_INT_H

#include <stddef.h>

#include "cal_int.h"

/* ---- parameters, as a list (bare 2.1 tokens have value NULL) ------------ */

struct vc_param {
	char	*name;
	char	*value;		/* unquoted; NULL for a bare token */
};

struct vc_params {
	struct vc_param	*v;
	size_t		 n;
	size_t		 cap;
};

/* vc_params_parse - ";A=b;C" into ps (empty first); -1 on out of memory */
int	vc_params_parse(struct vc_params *ps, const char *s);
void	vc_params_free(struct vc_params *ps);
/* vc_params_add - append (copies); value NULL for a bare token */
int	vc_params_add(struct vc_params *ps, const char *name,
	    const char *value);
void	vc_params_remove(struct vc_params *ps, size_t i);
/* vc_params_find - index of parameter NAME, or (size_t)-1 */
size_t	vc_params_find(const struct vc_params *ps, const char *name);
/* vc_params_string - ";A=b;C=\"x:y\"" (transfer full); NULL on OOM */
char	*vc_params_string(const struct vc_params *ps);
/* vc_params_encoding - ENCODING value or bare QUOTED-PRINTABLE/BASE64...;
 * NULL when none (transfer none) */
const char *vc_params_encoding(const struct vc_params *ps);
/* vc_params_has - a parameter or bare token NAME (any case) */
int	vc_params_has(const struct vc_params *ps, const char *name);

/* ---- values -------------------------------------------------------------- */

/* vc_base - the property name without its group ("item1.EMAIL" -> "EMAIL") */
const char	*vc_base(const char *name);
/* vc_card_version - "2.1", "3.0", "4.0" or "" (no VERSION) of a card */
const char	*vc_card_version(const struct cal_comp *card);
/* vc_is_binary - does the property carry inline base64 data? */
int	vc_is_binary(const struct cal_prop *p, const struct vc_params *ps);
/* vc_qp_decode - quoted-printable (soft breaks too) to bytes in out */
int	vc_qp_decode(struct cal_buf *out, const char *in);
/* vc_iconv - n bytes of charset to UTF-8 in out; -1 invalid, -2 OOM */
int	vc_iconv(struct cal_buf *out, const char *charset, const char *in,
	    size_t n);
/* vc_charset_is_utf8 - UTF-8, US-ASCII or their spellings */
int	vc_charset_is_utf8(const char *cs);
/*
 * vc_escape30 - vCard 2.1 text (its escapes, raw newlines) as vCard 3.0
 * text: ',' and newlines escaped, a lone backslash doubled; ';' escaped
 * unless the property is structured.
 */
int	vc_escape30(struct cal_buf *out, const char *in, int structured,
	    int commas);
/* vc_unescape - a text value to its plain form (for comparing) */
int	vc_unescape(struct cal_buf *out, const char *in, size_t n);
/* vc_is_structured - N, ADR, ORG, X- and other ';'-lists keep their ';' */
int	vc_is_structured(const char *base);

/* ---- the pre-pass ------------------------------------------------------- */

struct vc_prepinfo {
	unsigned	 softbreaks;	/* quoted-printable soft breaks joined */
	unsigned	 b64lines;	/* unfolded base64 lines joined */
	unsigned	 transcoded;	/* raw values transcoded from CHARSET */
	char		 charset[32];	/* the first such CHARSET */
};

/*
 * vc_prep - text to text the lexer reads (transfer full; NULL on OOM, or
 * when a ceiling is hit). Lines that need none of it are copied as they
 * are, line ends included.
 */
char	*vc_prep(const char *text, size_t len, size_t max, size_t *outlen,
	    struct vc_prepinfo *pi);

/* ---- the values check --------------------------------------------------- */

/* struct vc_vals - plain values, sorted; see vc_values.c */
struct vc_vals {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

/*
 * vc_values_of - every value of doc into all, sorted; with derivable, the
 * values of N and FN go there instead. -1 on out of memory.
 */
int	vc_values_of(struct vc_vals *all, struct vc_vals *derivable,
	    const struct cal_doc *doc, const char *mime_cs, size_t max);
void	vc_values_free(struct vc_vals *s);	/* reusable after */
/*
 * vc_values_check - does after (vCard text) hold every value before held,
 * and nothing new but an N or FN? 1 yes, 0 no (why says which value), -1
 * after cannot be read, -2 out of memory.
 */
int	vc_values_check(const struct vc_vals *before, const char *after,
	    size_t len, const char *mime_cs, const struct cal_limits *lim,
	    char *why, size_t whylen);

/* vc_ncards - the top-level cards of doc */
size_t	vc_ncards(const struct cal_doc *doc);

/* ---- the pipeline -------------------------------------------------------- */

enum cal_status	vc_normalize(struct cal_out *out, char *text, size_t len,
		    const struct cal_lexinfo *lex, const struct cal_env *env);

#endif
