/*
 * milt_worker.c - a worker process: `calmilter -W 3` (see milt_work.h)
 *
 * Start-up, in this order: take the configuration the daemon sends first
 * (CONFIG), load everything the work needs while the file system is still
 * open -- GMime and libical (mime_init), the iconv modules of the common
 * charsets, and one small invitation run through the whole pipeline so
 * that every lazy initialisation happens now -- then enter the sandbox
 * (milt_sandbox.c) and say READY. From then on: one REQUEST in (the
 * message mapped read-only from the request file, fd 4), one
 * mime_process(), one RESULT out (written into the result file, fd 5, its
 * head sent over the channel), until the daemon closes the channel.
 *
 * The worker trusts the daemon (its parent) and nothing in the mail. A
 * frame it does not understand ends it: the daemon sees the channel close
 * and replaces it.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <iconv.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "milt_policy.h"
#include "milt_work.h"

struct worker {
	int fd;
	struct conf *conf;
	uint64_t gen;
	struct mime_policy pol;
};

/*
 * charsets whose iconv modules are loaded before the sandbox closes (the
 * descriptors stay open so that glibc keeps them); others are still
 * loaded on demand from the read-only gconv directory
 */
static const char *const worker_charsets[] = {
    "ISO-8859-1",   "ISO-8859-2",   "ISO-8859-5",   "ISO-8859-7",
    "ISO-8859-9",   "ISO-8859-15",  "WINDOWS-1250", "WINDOWS-1251",
    "WINDOWS-1252", "WINDOWS-1253", "WINDOWS-1254", "WINDOWS-1257",
    "KOI8-R",       "KOI8-U",       "SHIFT_JIS",    "EUC-JP",
    "ISO-2022-JP",  "GB2312",       "GBK",          "GB18030",
    "BIG5",         "EUC-KR",       "UTF-16",       "UTF-7",
};

/* a small invitation that takes every path of the pipeline once */
static const char worker_warmup[] =
    "From: a@example.org\r\nTo: b@example.org\r\n"
    "Date: Tue, 14 May 2024 09:30:00 +0200\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Disposition: attachment; filename*=iso-8859-1''x%E9.txt\r\n"
    "\r\nx\r\n--b\r\n"
    "Content-Type: text/calendar; charset=windows-1252; method=REQUEST\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
    "BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nUID:w@example.org\r\n"
    "DTSTART;TZID=Europe/Berlin:20240520T100000\r\n"
    "DTEND;TZID=Europe/Berlin:20240520T110000\r\n"
    "RRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:caf=E9\r\n"
    "ORGANIZER:mailto:a@example.org\r\nATTENDEE:mailto:b@example.org\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n--b--\r\n";

/* worker_vsay - one line on stderr, in one write */
static void __attribute__((format(printf, 1, 0)))
worker_vsay(const char *fmt, va_list ap)
{
	char line[512];
	int n;

	n = snprintf(line, sizeof(line),
	             "calmilter worker %d: ", (int)getpid());
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	n = (int)strlen(line);
	if (n < (int)sizeof(line) - 1)
		line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

static void __attribute__((format(printf, 1, 2)))
worker_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	worker_vsay(fmt, ap);
	va_end(ap);
}

/* worker_die - a line on stderr and out; the daemon logs how we ended */
static void __attribute__((noreturn, format(printf, 1, 2)))
worker_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	worker_vsay(fmt, ap);
	va_end(ap);
	_exit(1);
}

/* worker_read - exactly n bytes: 1, or 0 at a clean end before the first */
static int
worker_read(int fd, void *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, (char *)buf + got, n - got);
		if ((r == 0 || (r < 0 && errno == ECONNRESET)) && got == 0)
			return 0; /* the daemon closed the channel: done */
		if (r == 0)
			worker_die("the daemon closed the channel mid-frame");
		if (r < 0 && errno != EINTR)
			worker_die("read: %s", strerror(errno));
		if (r > 0)
			got += (size_t)r;
	}
	return 1;
}

static void
worker_write(int fd, const void *buf, size_t n)
{
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		r = write(fd, (const char *)buf + done, n - done);
		if (r < 0 && errno != EINTR)
			_exit(1); /* the daemon is gone, or gave up on us */
		if (r > 0)
			done += (size_t)r;
	}
}

/*
 * worker_frame - the next frame, which must be of type want; its payload
 * (transfer full) or NULL when the daemon closed the channel
 */
static uint8_t *
worker_frame(int fd, uint32_t want, size_t *len)
{
	uint8_t head[MILT_WIRE_HEAD], *p;
	uint64_t max =
	    MILT_WIRE_REQ_FIX + MILT_WIRE_MAX_CONF + MILT_WIRE_MAX_MSG;
	uint32_t type;
	uint64_t n;

	if (!worker_read(fd, head, sizeof(head)))
		return NULL;
	if (milt_wire_head_unpack(head, &type, &n) != 0 || type != want ||
	    n > max)
		worker_die("unexpected frame from the daemon");
	p = malloc(n > 0 ? (size_t)n : 1);
	if (p == NULL)
		worker_die("out of memory for a frame of %llu bytes",
		           (unsigned long long)n);
	(void)worker_read(fd, p, (size_t)n);
	*len = (size_t)n;
	return p;
}

/*
 * worker_conf_line - one "Key value" line of conf_print output into c.
 * line is NUL-terminated and may be modified.
 */
static int
worker_conf_line(struct conf *c, char *line, char *err, size_t errlen)
{
	char *sp;

	if (line[0] == '\0')
		return 0;
	sp = strchr(line, ' ');
	if (sp == NULL) {
		snprintf(err, errlen, "configuration line without a value");
		return -1;
	}
	*sp = '\0';
	return conf_set(c, line, sp + 1, "configuration from the daemon", err,
	                errlen);
}

/* worker_conf - the daemon's text back into a struct conf (transfer full) */
static struct conf *
worker_conf(const char *text, size_t len, char *err, size_t errlen)
{
	struct conf *c = conf_new_default();
	char *copy = c != NULL ? malloc(len + 1) : NULL; /* text has no NUL */
	char *line, *next;

	if (copy != NULL) {
		memcpy(copy, text, len);
		copy[len] = '\0';
	}
	snprintf(err, errlen, "out of memory");
	for (line = copy; line != NULL && c != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (worker_conf_line(c, line, err, errlen) != 0) {
			conf_free(c);
			c = NULL;
		}
	}
	if (copy == NULL) {
		conf_free(c);
		c = NULL;
	}
	free(copy);
	return c;
}

/* worker_set_conf - generation gen is now in force */
static void
worker_set_conf(struct worker *w, uint64_t gen, const char *text, size_t len)
{
	char err[512];
	struct conf *c;

	c = worker_conf(text, len, err, sizeof(err));
	if (c == NULL)
		worker_die("%s", err);
	conf_free(w->conf);
	w->conf = c;
	w->gen = gen;
	milt_policy_from_conf(&w->pol, c);
}

/*
 * worker_glib_log - GLib's messages, one plain line on stderr. GLib's own
 * writer would first ask whether stderr is the journal (getpeername),
 * which the sandbox refuses; an out-of-memory abort must stay an abort.
 */
static GLogWriterOutput
worker_glib_log(GLogLevelFlags level, const GLogField *fields, gsize n,
                gpointer data)
{
	const char *msg = "?";
	gsize i;

	(void)data;
	if ((level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL |
	              G_LOG_LEVEL_WARNING)) == 0)
		return G_LOG_WRITER_HANDLED;
	for (i = 0; i < n; i++)
		if (strcmp(fields[i].key, "MESSAGE") == 0 &&
		    fields[i].length < 0)
			msg = fields[i].value;
	worker_say("GLib: %s", msg);
	return G_LOG_WRITER_HANDLED;
}

/*
 * worker_malloc - keep freed memory for the next message: by default glibc
 * gives a big message's buffers back to the kernel after each message, and
 * faulting them in again cost a 10 MB message 150 ms of CPU where the same
 * work in a long-lived process takes 10 ms. Up to WORKER_KEEP bytes stay.
 */
#define WORKER_KEEP (64 << 20)
static void
worker_malloc(void)
{
	(void)mallopt(M_MMAP_THRESHOLD, 32 << 20); /* glibc's maximum */
	(void)mallopt(M_TRIM_THRESHOLD, WORKER_KEEP);
}

/* worker_preload - everything the sandbox would not let us load later */
static void
worker_preload(void)
{
	struct mime_result res;
	struct mime_policy pol;
	size_t i;

	worker_malloc();
	g_log_set_writer_func(worker_glib_log, NULL, NULL);
	mime_init();
	for (i = 0; i < sizeof(worker_charsets) / sizeof(*worker_charsets); i++)
		(void)iconv_open("UTF-8", worker_charsets[i]); /* kept open */
	mime_policy_default(&pol);
	pol.now = time(NULL);
	(void)mime_process(&res, (const uint8_t *)worker_warmup,
	                   sizeof(worker_warmup) - 1, &pol);
	mime_result_free(&res);
}

/* worker_start - configuration, preload, sandbox, READY */
static void
worker_start(struct worker *w)
{
	struct milt_sandbox sb = {0, w->fd};
	uint8_t ready[MILT_WIRE_HEAD + 8], *p;
	const char *text;
	char err[256];
	size_t len = 0, tlen;
	uint64_t gen;

	p = worker_frame(w->fd, MILT_WIRE_CONFIG, &len);
	if (p == NULL)
		_exit(0); /* the daemon gave up before we started */
	if (milt_wire_config_unpack(&gen, &text, &tlen, p, len) != 0)
		worker_die("bad configuration frame");
	worker_set_conf(w, gen, text, tlen);
	free(p);
	worker_preload();
	sb.mem = MILT_SANITIZED ? 0 : w->conf->worker_memory;
	if (milt_sandbox_enter(&sb, err, sizeof(err)) != 0)
		worker_die("sandbox: %s", err);
	milt_wire_ready_pack(ready, (uint32_t)getpid());
	worker_write(w->fd, ready, sizeof(ready));
}

/* worker_stats - our CPU time and peak RSS so far */
static void
worker_stats(struct milt_wire_stats *st)
{
	struct rusage ru;

	memset(st, 0, sizeof(*st));
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return;
	st->cpu_us = (uint64_t)ru.ru_utime.tv_sec * 1000000 +
	             (uint64_t)ru.ru_utime.tv_usec +
	             (uint64_t)ru.ru_stime.tv_sec * 1000000 +
	             (uint64_t)ru.ru_stime.tv_usec;
	st->maxrss_kb = (uint64_t)ru.ru_maxrss;
}

/* worker_map - len bytes of file fd, mapped (transfer full: munmap) */
static void *
worker_map(int fd, size_t len, int prot, int flags)
{
	struct stat st;
	void *p;

	if (fstat(fd, &st) != 0 || (uint64_t)st.st_size < len)
		worker_die("file %d holds %lld bytes, %zu needed", fd,
		           (long long)st.st_size, len);
	p = mmap(NULL, len, prot, flags, fd, 0);
	if (p == MAP_FAILED)
		worker_die("mmap %zu bytes: %s", len, strerror(errno));
	return p;
}

/*
 * worker_answer - the RESULT frame straight into the result file (its size
 * counted first, so that exactly that much is mapped), and its head sent
 */
static void
worker_answer(struct worker *w, const struct mime_result *res,
              const struct milt_wire_stats *st)
{
	struct milt_wire_buf count, out;
	uint8_t head[MILT_WIRE_HEAD];
	void *p;

	milt_wire_buf_count(&count);
	if (milt_wire_result_pack(&count, res, st) != 0)
		worker_die("result too large");
	p = worker_map(MILT_WORKER_RES, count.len, PROT_READ | PROT_WRITE,
	               MAP_SHARED | MAP_POPULATE);
	milt_wire_buf_fixed(&out, p, count.len);
	if (milt_wire_result_pack(&out, res, st) != 0 || out.len != count.len)
		worker_die("result changed size while written");
	memcpy(head, p, sizeof(head));
	(void)munmap(p, count.len);
	worker_write(w->fd, head, sizeof(head));
}

/* worker_serve - one REQUEST payload: process, answer */
static void
worker_serve(struct worker *w, const uint8_t *p, size_t len)
{
	struct milt_wire_stats st;
	struct milt_request req;
	struct mime_result res;
	uint8_t *msg;

	if (milt_wire_request_unpack(&req, p, len) != 0)
		worker_die("bad request frame");
	if (req.conf != NULL)
		worker_set_conf(w, req.gen, req.conf, req.conf_len);
	else if (req.gen != w->gen)
		worker_die("request for configuration %llu, have %llu",
		           (unsigned long long)req.gen,
		           (unsigned long long)w->gen);
	w->pol.now = (time_t)req.now;
	msg = req.msg_len > 0
	          ? worker_map(MILT_WORKER_REQ, req.msg_len, PROT_READ,
	                       MAP_PRIVATE | MAP_POPULATE)
	          : NULL;
	milt_sandbox_cpu(w->conf->max_message_time);
	(void)mime_process(&res, msg != NULL ? msg : (const uint8_t *)"",
	                   req.msg_len, &w->pol);
	if (msg != NULL)
		(void)munmap(msg, req.msg_len);
	worker_stats(&st);
	worker_answer(w, &res, &st);
	mime_result_free(&res);
}

void
milt_worker_main(int fd)
{
	struct worker w = {.fd = fd};
	size_t len = 0;
	uint8_t *p;

	(void)signal(SIGPIPE, SIG_IGN);
	if (fd != MILT_WORKER_FD)
		worker_die("the channel must be fd %d", MILT_WORKER_FD);
	closefrom(MILT_WORKER_RES + 1);
	worker_start(&w);
	while ((p = worker_frame(w.fd, MILT_WIRE_REQUEST, &len)) != NULL) {
		worker_serve(&w, p, len);
		free(p);
	}
	conf_free(w.conf);
	_exit(0);
}
