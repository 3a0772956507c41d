/*
 * conf_int.h - conf/'s internals: the key table and the value parsers
 *
 * Shared by conf_table.c (the table), conf_value.c (text <-> value, one
 * parser per type) and conf.c (file reading and the public API). Nothing
 * outside conf/ includes this, except the unit test, which checks the table.
 */
#ifndef CALMILTER_CONF_INT_H
#define CALMILTER_CONF_INT_H

#include <stddef.h>

#include "conf.h"

/* longest line of the file, and longest value, in bytes without the EOL */
#define CONF_LINE_MAX 4096

/* longest "Values: ..." text of the example file */
#define CONF_BOUNDS_MAX 512

enum conf_type {
	CONF_T_STRING,   /* char *; min/max bound the length in bytes */
	CONF_T_ENUM,     /* int; one of words[] */
	CONF_T_SIZE,     /* size_t; bytes, with optional K, M or G */
	CONF_T_UINT,     /* unsigned */
	CONF_T_FACILITY, /* int; LOG_* from <syslog.h> or CONF_SYSLOG_NONE */
	CONF_T_LOGLEVEL, /* int; enum conf_log_level */
	CONF_T_MODE      /* unsigned; file mode bits, written in octal */
};

/* a string key whose value "none" is stored as NULL */
#define CONF_F_NONE 0x1

/* conf_word - one allowed word of an enum-like key and its value */
struct conf_word {
	const char *name;
	int value;
};

/*
 * conf_key - one row of the table. Every key is one of these; adding a key
 * is adding a row (and a field to struct conf).
 */
struct conf_key {
	const char *name; /* as written in the file and in messages */
	enum conf_type type;
	const char *def;                /* default, as text in file syntax */
	unsigned long long min;         /* numbers: value; strings: length */
	unsigned long long max;         /* every limit has one */
	size_t off;                     /* offsetof(struct conf, field) */
	const struct conf_word *words;  /* enum-like types; ends with NULL */
	int flags;                      /* CONF_F_* */
	int (*check)(const char *text); /* strings: extra check, 0 = good */
	const char *form;               /* what check() accepts, in words */
	const char *help;               /* one line, for the example file */
};

/* conf_value - a parsed value, before it is stored into struct conf */
union conf_value {
	char *s;              /* CONF_T_STRING (owned; NULL = none) */
	unsigned long long n; /* CONF_T_SIZE, CONF_T_UINT */
	int i;                /* CONF_T_ENUM, _FACILITY, _LOGLEVEL */
};

/*
 * conf_err - where messages go: "FILE:LINE: text", "FILE: text", or just
 * "text" when where is NULL. line 0 means no line number. A message longer
 * than len is cut short; that loses only the tail of the text.
 */
struct conf_err {
	char *buf;
	size_t len;
	const char *where;
	unsigned long line;
};

/* conf_table.c */
extern const struct conf_key conf_keys[];
extern const size_t conf_nkeys;
const struct conf_key *conf_key_find(const char *name);

/* conf_value.c */
void conf_err_set(struct conf_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int conf_value_parse(const struct conf_key *k, const char *text,
                     union conf_value *v, struct conf_err *e);
void conf_value_store(const struct conf_key *k, struct conf *c,
                      union conf_value *v);
void conf_value_print(const struct conf_key *k, const struct conf *c,
                      FILE *out);
void conf_key_bounds(const struct conf_key *k, char *buf, size_t len);

#endif
