/*
 * unit.h - what every cmocka test of calmilter includes first.
 * cmocka needs stdarg/stddef/setjmp/stdint before its header.
 */
#ifndef CALMILTER_UNIT_H
#define CALMILTER_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SRCDIR
#define SRCDIR "."
#endif

/*
 * unit_read_file - whole file into a NUL-terminated buffer (transfer full).
 * path is relative to the source tree unless absolute. Fails the test when
 * the file cannot be read.
 */
static inline char *
unit_read_file(const char *path, size_t *len)
{
	char full[4096];
	FILE *f;
	char *buf;
	long n = 0;

	if (path[0] == '/')
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%s/%s", SRCDIR, path);
	f = fopen(full, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", full);
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0)
		fail_msg("cannot size %s", full);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		fail_msg("short read on %s", full);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

#endif
