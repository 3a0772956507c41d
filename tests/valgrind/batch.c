/*
 * batch.c - the whole pipeline over many files in one process, for
 * valgrind (tests/valgrind/run.sh): every file named on the command line,
 * or one path a line on standard input, goes through what calnorm does
 * with it (mime_process() and mime_apply() for a message,
 * mime_process_object() for a bare object), with the built-in policy.
 * One process keeps valgrind's start-up cost to once for the corpus.
 *
 * Prints one summary line; exit 0, or 2 when a file could not be read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../mime/mime.h"

#define BATCH_NOW ((time_t)1717200000)	/* fixed: runs are repeatable */

struct tally {
	unsigned files;
	unsigned changed;
	unsigned bad;
};

/* batch_read - the whole file (transfer full); NULL when unreadable */
static uint8_t *
batch_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* batch_object - a bare object, as calnorm does it */
static enum cal_status
batch_object(const uint8_t *buf, size_t len, const struct mime_policy *pol)
{
	struct cal_report rep;
	struct cal_out out;
	enum cal_status st;

	cal_out_init(&out);
	cal_report_init(&rep, pol->cal_limits.max_findings);
	st = mime_process_object(&out, buf, len, pol, &rep);
	cal_out_free(&out);
	cal_report_free(&rep);
	return st;
}

/* batch_message - a message, with the edits applied as calnorm does */
static enum cal_status
batch_message(const uint8_t *buf, size_t len, const struct mime_policy *pol)
{
	struct mime_result res;
	enum cal_status st;
	uint8_t *out;
	size_t outlen;

	mime_result_init(&res);
	st = mime_process(&res, buf, len, pol);
	if (st == CAL_CHANGED) {
		out = mime_apply(buf, len, &res, &outlen);
		if (out == NULL)
			st = CAL_ERROR;
		free(out);
	}
	mime_result_free(&res);
	return st;
}

/* batch_file - one file through the pipeline */
static void
batch_file(const char *path, const struct mime_policy *pol, struct tally *t)
{
	enum cal_status st;
	uint8_t *buf;
	size_t len = 0;

	if ((buf = batch_read(path, &len)) == NULL) {
		fprintf(stderr, "batch: cannot read %s\n", path);
		t->bad++;
		return;
	}
	if (mime_input_is_object(buf, len))
		st = batch_object(buf, len, pol);
	else
		st = batch_message(buf, len, pol);
	t->files++;
	t->changed += st == CAL_CHANGED;
	free(buf);
}

/* batch_stdin - one path a line */
static void
batch_stdin(const struct mime_policy *pol, struct tally *t)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0)
			batch_file(line, pol, t);
	}
	free(line);
}

int
main(int argc, char **argv)
{
	struct mime_policy pol;
	struct tally t = { 0, 0, 0 };
	int i;

	mime_init();
	mime_policy_default(&pol);
	pol.now = BATCH_NOW;
	if (argc > 1)
		for (i = 1; i < argc; i++)
			batch_file(argv[i], &pol, &t);
	else
		batch_stdin(&pol, &t);
	printf("batch: %u files, %u changed, %u unreadable\n", t.files,
	    t.changed, t.bad);
	return t.bad ? 2 : 0;
}
