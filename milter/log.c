/*
 * log.c - lines to syslog and stderr (see log.h)
 *
 * The settings are written by log_init() before any thread starts and only
 * read afterwards, so no lock is needed (the level, which a reload changes,
 * is atomic): syslog(3) is thread-safe, and a stderr line leaves in a
 * single write(2).
 *
 * Under systemd with Syslog on, stderr is the journal too (JOURNAL_STREAM
 * names it); writing both would log every line twice, so stderr is dropped
 * then.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX 4096

static int log_to_stderr = 1;
static int log_facility = -1;
static atomic_int log_max_prio = LOG_INFO; /* reload may change it */
static char log_ident[32] = "calmilter";

static void log_vwrite(int prio, int with_errno, const char *fmt, va_list ap)
    LOG_PRINTF(3, 0);

/* log_stderr_is_journal - is our stderr systemd's journal stream? */
static int
log_stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (env == NULL || sscanf(env, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void
log_init(const char *ident, int to_stderr, int facility, int level)
{
	snprintf(log_ident, sizeof(log_ident), "%s", ident);
	log_facility = facility;
	atomic_store(&log_max_prio, level);
	log_to_stderr = to_stderr;
	if (facility >= 0 && to_stderr && log_stderr_is_journal())
		log_to_stderr = 0;
	closelog();
	if (facility >= 0)
		openlog(log_ident, LOG_PID | LOG_NDELAY, facility);
}

void
log_set_level(int level)
{
	atomic_store(&log_max_prio, level);
}

int
log_level_enabled(int prio)
{
	return prio <= atomic_load(&log_max_prio);
}

/* log_vwrite - format one line and send it to every sink */
static void
log_vwrite(int prio, int with_errno, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX], line[LOG_LINE_MAX + 64];
	int saved = errno, n;

	if (!log_level_enabled(prio))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		n = (int)strlen(msg);
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s",
		         strerror(saved));
	}
	if (log_facility >= 0)
		syslog(prio, "%s", msg);
	if (log_to_stderr) {
		n = snprintf(line, sizeof(line), "%s: %s\n", log_ident, msg);
		if (n > (int)sizeof(line) - 1)
			n = (int)sizeof(line) - 1;
		(void)!write(STDERR_FILENO, line, (size_t)n);
	}
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, 0, fmt, ap);
	va_end(ap);
}

void
log_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_NOTICE, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

char *
log_sane(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t i, n = 0;
	unsigned char c;

	if (srclen == (size_t)-1)
		srclen = strlen(src);
	for (i = 0; i < srclen && i < LOG_SANE_MAX && n + 1 < dstlen; i++) {
		c = (unsigned char)src[i];
		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			c = '?';
		dst[n++] = (char)c;
	}
	if (i < srclen && n + 4 <= dstlen) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
	return dst;
}
