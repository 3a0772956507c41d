/*
 * standalone.c - a main() for the fuzz targets without libFuzzer, after
 * libgit2's fuzzers/standalone_driver.c: every file named (or found in a
 * directory named) on the command line is read and handed to
 * LLVMFuzzerTestOneInput() once. Built with gcc and the sanitizers, it
 * replays the stored crash fixtures (make fuzz-replay).
 *
 *   fuzz_NAME [-q] FILE|DIR...
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define SA_MAX_INPUT (64u << 20)	/* larger files are refused */

static int quiet;

/* sa_read - the whole file (transfer full); NULL after a message */
static uint8_t *
sa_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL) {
		perror(path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    (unsigned long)n > SA_MAX_INPUT || fseek(f, 0, SEEK_SET) != 0)
		fprintf(stderr, "%s: cannot size, or over %u bytes\n", path,
		    SA_MAX_INPUT);
	else if ((buf = malloc((size_t)n + 1)) == NULL)
		fprintf(stderr, "%s: out of memory\n", path);
	else if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: short read\n", path);
		free(buf);
		buf = NULL;
	} else
		*len = (size_t)n;
	fclose(f);
	return buf;
}

/* sa_file - one input; -1 when it could not be read */
static int
sa_file(const char *path)
{
	uint8_t *buf;
	size_t len = 0;

	if ((buf = sa_read(path, &len)) == NULL)
		return -1;
	if (!quiet)
		fprintf(stderr, "Running: %s (%zu bytes)\n", path, len);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

/* sa_path - a file, or every regular file of a directory (not recursive) */
static int
sa_path(const char *path, unsigned *count)
{
	struct dirent *de;
	struct stat st;
	char sub[4096];
	DIR *d;
	int bad = 0;

	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		*count += 1;
		return sa_file(path);
	}
	if ((d = opendir(path)) == NULL) {
		perror(path);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || snprintf(sub, sizeof(sub), "%s/%s",
		    path, de->d_name) >= (int)sizeof(sub))
			continue;
		if (stat(sub, &st) == 0 && S_ISREG(st.st_mode)) {
			*count += 1;
			bad |= sa_file(sub);
		}
	}
	closedir(d);
	return bad;
}

int
main(int argc, char **argv)
{
	unsigned count = 0;
	int i = 1, bad = 0;

	if (argc > 1 && strcmp(argv[1], "-q") == 0) {
		quiet = 1;
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: %s [-q] file|dir...\n", argv[0]);
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (; i < argc; i++)
		bad |= sa_path(argv[i], &count);
	fprintf(stderr, "%s: %u input(s) replayed\n", argv[0], count);
	return bad ? 2 : 0;
}
