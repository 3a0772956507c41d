/*
 * log.h - calmilter's logging, after OpenSMTPD's log.c
 *
 * One small API for both binaries: lines go to syslog and, when asked, to
 * stderr. Every function may be called from any libmilter thread: a line is
 * formatted into a local buffer and written with one call.
 *
 * Severities: fatal/fatalx (LOG_CRIT, then exit 1; only before smfi_main),
 * log_warn/log_warnx (LOG_WARNING), log_notice, log_info, log_debug.
 * log_warn and fatal append ": strerror(errno)".
 */
#ifndef CALMILTER_LOG_H
#define CALMILTER_LOG_H

#include <stddef.h>
#include <syslog.h>

#define LOG_PRINTF(f, a) __attribute__((format(printf, f, a)))

/*
 * log_init - where lines go, from here on.
 * ident: the program name; to_stderr: also write to stderr; facility: a
 * syslog facility (LOG_MAIL, ...) or -1 for none (CONF_SYSLOG_NONE); level:
 * the least severe priority written (LOG_ERR ... LOG_DEBUG). May be called
 * again (after daemonizing), but not once other threads log.
 */
void log_init(const char *ident, int to_stderr, int facility, int level);
/* log_set_level - a new least severe priority; any thread, any time */
void log_set_level(int level);
/* log_level_enabled - would a line of this priority be written? */
int log_level_enabled(int prio);

void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_notice(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
void fatal(const char *fmt, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));
void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

/* LOG_SANE_MAX - what log_sane keeps of message-derived text */
#define LOG_SANE_MAX 200

/*
 * log_sane - make message-derived text safe for one log line: at most
 * LOG_SANE_MAX bytes of src (then "..."), CR, LF, other control bytes,
 * non-ASCII bytes, '"' and '\\' each replaced by '?'. src need not be
 * NUL-terminated; srclen (size_t)-1 means "up to its NUL". Returns dst,
 * always NUL-terminated (dstlen > 0).
 */
char *log_sane(char *dst, size_t dstlen, const char *src, size_t srclen);

#endif
