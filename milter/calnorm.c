/*
 * calnorm.c - the calmilter pipeline offline
 *
 *   calnorm [-c FILE] [--report] [--check | --diff] [FILE]
 *
 * Input (FILE or stdin) is a whole RFC 5322 message or a bare calendar or
 * vCard object, told apart by content. stdout gets exactly what calmilter
 * would have the MTA relay: the same policy (milt_policy.c), the same
 * mime_process(), and mime_apply() to execute the edits the daemon hands to
 * libmilter. Whatever is not changed is written back as it came.
 * --diff writes, instead, a unified diff of each calendar or vCard part the
 * rewrite changes (calnorm_diff.c), whatever Mode says: it is how an admin
 * sees what Mode rewrite would do to his own mail.
 *
 * Exit: 0 done (or nothing would change, with --check or --diff); 1
 * something would change (--check, --diff); 2 usage, configuration or I/O
 * error; 3 internal error (the input was written unchanged, as the daemon
 * would relay it; with --diff, nothing).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calnorm_diff.h"
#include "log.h"
#include "milt_policy.h"

#define CN_EXIT_OK       0
#define CN_EXIT_CHANGED  1
#define CN_EXIT_USAGE    2
#define CN_EXIT_INTERNAL 3

struct cn_opts {
	const char *conf_path; /* -c; NULL: built-in defaults */
	const char *file;      /* NULL: stdin */
	int report;            /* --report */
	int check;             /* --check */
	int diff;              /* --diff */
};

/* struct cn_input - the input, whole or its first max + 1 bytes */
struct cn_input {
	uint8_t *buf;
	size_t len;
	int fd;
	int over; /* longer than MaxMessageSize */
};

static void
cn_usage(FILE *out)
{
	fprintf(out, "usage: calnorm [-c file] [--report] [--check | --diff] "
	             "[file]\n");
}

/* cn_args - parse the options; exits on --help, --version, usage errors */
static void
cn_args(struct cn_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"check", no_argument, NULL, 'C'},
	    {"diff", no_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'},
	    {"report", no_argument, NULL, 'R'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->conf_path = optarg;
			break;
		case 'C':
			o->check = 1;
			break;
		case 'D':
			o->diff = 1;
			break;
		case 'R':
			o->report = 1;
			break;
		case 'h':
			cn_usage(stdout);
			exit(CN_EXIT_OK);
		case 'V':
			printf("calnorm %s\n", CALMILTER_VERSION);
			exit(0);
		default:
			cn_usage(stderr);
			exit(CN_EXIT_USAGE);
		}
	}
	if (argc - optind > 1 || (o->check && o->diff)) {
		cn_usage(stderr);
		exit(CN_EXIT_USAGE);
	}
	o->file = argv[optind];
}

/* cn_conf - built-in defaults, or FILE (transfer full); exits on error */
static struct conf *
cn_conf(const struct cn_opts *o)
{
	struct conf *c;
	char err[512];

	if (o->conf_path == NULL)
		c = conf_new_default();
	else
		c = conf_load(o->conf_path, err, sizeof(err));
	if (c == NULL) {
		fprintf(stderr, "%s\n", o->conf_path ? err : "out of memory");
		exit(CN_EXIT_USAGE);
	}
	if (milt_policy_check(c, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n",
		        o->conf_path ? o->conf_path : "defaults", err);
		conf_free(c);
		exit(CN_EXIT_USAGE);
	}
	return c;
}

/* cn_read_fd - read up to max + 1 bytes; -1 with errno on failure */
static int
cn_read_fd(struct cn_input *in, size_t max)
{
	size_t cap = 0;
	uint8_t *p;
	ssize_t n;

	for (;;) {
		if (in->len == cap) {
			cap = cap == 0 ? 65536 : cap * 2;
			if (cap > max + 1)
				cap = max + 1;
			p = realloc(in->buf, cap);
			if (p == NULL)
				return -1;
			in->buf = p;
		}
		n = read(in->fd, in->buf + in->len, cap - in->len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? 0 : -1;
		in->len += (size_t)n;
		in->over = in->len > max;
		if (in->over)
			return 0;
	}
}

/* cn_read - open and read the input; -1 after a message on stderr */
static int
cn_read(struct cn_input *in, const char *file, size_t max)
{
	in->fd = STDIN_FILENO;
	if (file != NULL && strcmp(file, "-") != 0)
		in->fd = open(file, O_RDONLY | O_CLOEXEC);
	if (in->fd == -1) {
		log_warn("%s", file);
		return -1;
	}
	if (cn_read_fd(in, max) != 0) {
		log_warn("read %s", file != NULL ? file : "stdin");
		return -1;
	}
	return 0;
}

/* cn_write - to stdout; -1 after a message on stderr */
static int
cn_write(const void *p, size_t n)
{
	if (n > 0 && fwrite(p, 1, n, stdout) != n) {
		log_warn("write stdout");
		return -1;
	}
	return 0;
}

/* cn_passthrough - what was read, then the rest of the input, unchanged */
static int
cn_passthrough(struct cn_input *in)
{
	uint8_t chunk[65536];
	ssize_t n;

	if (cn_write(in->buf, in->len) != 0)
		return -1;
	for (;;) {
		n = read(in->fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			log_warn("read");
		if (n <= 0)
			return (int)n;
		if (cn_write(chunk, (size_t)n) != 0)
			return -1;
	}
}

/* cn_report_text - a finding's text on one line: control bytes become '?' */
static void
cn_report_text(const char *text)
{
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p != '\0'; p++)
		putc(*p < 0x20 || *p == 0x7f ? '?' : *p, stderr);
}

/* cn_report - one finding per line: "RULE-ID: text", in order */
static void
cn_report(const struct cal_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++) {
		fprintf(stderr, "%s: ", rep->v[i].rule);
		cn_report_text(rep->v[i].text != NULL ? rep->v[i].text : "");
		putc('\n', stderr);
	}
	if (rep->dropped > 0)
		fprintf(stderr, "calnorm: %zu more findings not kept\n",
		        rep->dropped);
}

/* cn_exit - the exit status for a status and the output's fate */
static int
cn_exit(enum cal_status st, const struct cn_opts *o, int werr)
{
	if (werr != 0)
		return CN_EXIT_USAGE;
	if (st == CAL_ERROR) {
		fprintf(stderr, "calnorm: internal error: %s\n",
		        o->diff ? "nothing to compare" : "passed unchanged");
		return CN_EXIT_INTERNAL;
	}
	if ((o->check || o->diff) && st == CAL_CHANGED)
		return CN_EXIT_CHANGED;
	return CN_EXIT_OK;
}

/* cn_object - a bare calendar or vCard object */
static int
cn_object(const struct cn_opts *o, const struct conf *c,
          const struct mime_policy *pol, const struct cn_input *in)
{
	struct cal_report rep;
	struct cal_out out;
	enum cal_status st;
	int werr = 0;

	cal_out_init(&out);
	cal_report_init(&rep, pol->cal_limits.max_findings);
	st = mime_process_object(&out, in->buf, in->len, pol, &rep);
	if (o->report)
		cn_report(&rep);
	if (o->diff && st == CAL_CHANGED)
		werr = cn_diff_text("object", in->buf, in->len,
		                    (const uint8_t *)out.data, out.len) == -1;
	else if (o->diff || o->check)
		werr = 0;
	else if (st == CAL_CHANGED && c->mode == CONF_MODE_REWRITE)
		werr = cn_write(out.data, out.len);
	else
		werr = cn_write(in->buf, in->len);
	cal_out_free(&out);
	cal_report_free(&rep);
	return cn_exit(st, o, werr);
}

/* cn_message_write - the message as the MTA would relay it */
static int
cn_message_write(const struct conf *c, const struct cn_input *in,
                 const struct mime_result *res, enum cal_status *st)
{
	uint8_t *out;
	size_t outlen;
	int werr;

	if (*st != CAL_CHANGED || c->mode != CONF_MODE_REWRITE)
		return cn_write(in->buf, in->len);
	out = mime_apply(in->buf, in->len, res, &outlen);
	if (out == NULL) {
		log_warnx("out of memory");
		*st = CAL_ERROR;
		return cn_write(in->buf, in->len);
	}
	werr = cn_write(out, outlen);
	free(out);
	return werr;
}

/* cn_message_diff - --diff: the changed parts; -1 on trouble */
static int
cn_message_diff(const struct cn_input *in, const struct mime_result *res,
                const struct mime_policy *pol, enum cal_status *st)
{
	uint8_t *out;
	size_t outlen;
	int r;

	if (*st != CAL_CHANGED)
		return 0;
	out = mime_apply(in->buf, in->len, res, &outlen);
	if (out == NULL) {
		log_warnx("out of memory");
		*st = CAL_ERROR;
		return 0;
	}
	r = cn_diff_message(in->buf, in->len, out, outlen, pol);
	free(out);
	return r == -1 ? -1 : 0;
}

/* cn_message - an RFC 5322 message */
static int
cn_message(const struct cn_opts *o, const struct conf *c,
           const struct mime_policy *pol, const struct cn_input *in)
{
	struct mime_result res;
	enum cal_status st;
	int werr = 0;

	mime_result_init(&res);
	st = mime_process(&res, in->buf, in->len, pol);
	if (o->report)
		cn_report(&res.report);
	if (o->diff)
		werr = cn_message_diff(in, &res, pol, &st);
	else if (!o->check)
		werr = cn_message_write(c, in, &res, &st);
	mime_result_free(&res);
	return cn_exit(st, o, werr);
}

/* cn_too_big - past MaxMessageSize: the input passes unchanged */
static int
cn_too_big(const struct cn_opts *o, const struct conf *c, struct cn_input *in)
{
	if (o->report)
		fprintf(stderr,
		        "N-10: message larger than MaxMessageSize "
		        "(%zu bytes): passed unchanged\n",
		        c->max_message_size);
	if (o->check || o->diff)
		return CN_EXIT_OK;
	return cn_passthrough(in) == 0 ? CN_EXIT_OK : CN_EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	struct cn_opts o = {.conf_path = NULL};
	struct cn_input in = {.buf = NULL};
	struct mime_policy pol;
	struct conf *c;
	int ret = CN_EXIT_USAGE;

	(void)setvbuf(stderr, NULL, _IOLBF, 0); /* --report: a line at once */
	cn_args(&o, argc, argv);
	c = cn_conf(&o);
	log_init("calnorm", 1, CONF_SYSLOG_NONE, LOG_WARNING);
	if (cn_read(&in, o.file, c->max_message_size) != 0)
		goto out;
	mime_init();
	milt_policy_from_conf(&pol, c);
	if (in.over)
		ret = cn_too_big(&o, c, &in);
	else if (mime_input_is_object(in.buf, in.len))
		ret = cn_object(&o, c, &pol, &in);
	else
		ret = cn_message(&o, c, &pol, &in);
	if (fflush(stdout) != 0 && ret != CN_EXIT_USAGE) {
		log_warn("write stdout");
		ret = CN_EXIT_USAGE;
	}
out:
	if (in.fd > STDERR_FILENO)
		(void)close(in.fd);
	free(in.buf);
	conf_free(c);
	return ret;
}
