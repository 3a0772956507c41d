/*
 * man.c - put the key list into calmilter.conf(5).
 *
 *   conf-man < conf/calmilter.conf.5 > new
 *
 * Copies the page, replacing whatever lies between the lines CONF_MAN_BEGIN
 * and CONF_MAN_END with conf_print_man_keys(). `make conf-example` runs it;
 * a unit test checks that the committed page is already this output.
 * Exit 1 when a marker line is missing or a line is longer than the buffer.
 */
#include <stdio.h>
#include <string.h>

#include "../conf.h"

#define MAN_LINE_MAX 4096

/* man_is - is line (with its newline) exactly marker? */
static int
man_is(const char *line, const char *marker)
{
	size_t n = strlen(marker);

	return strncmp(line, marker, n) == 0 && strcmp(line + n, "\n") == 0;
}

int
main(void)
{
	char line[MAN_LINE_MAX];
	int state = 0; /* 0 before, 1 inside, 2 after the key list */

	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (strchr(line, '\n') == NULL) {
			fprintf(stderr,
			        "conf-man: line too long or unterminated\n");
			return 1;
		}
		if (state == 0 && man_is(line, CONF_MAN_BEGIN)) {
			fputs(line, stdout);
			conf_print_man_keys(stdout);
			state = 1;
		} else if (state == 1 && man_is(line, CONF_MAN_END)) {
			fputs(line, stdout);
			state = 2;
		} else if (state != 1)
			fputs(line, stdout);
	}
	if (state != 2) {
		fprintf(stderr, "conf-man: no \"%s\" ... \"%s\" lines\n",
		        CONF_MAN_BEGIN, CONF_MAN_END);
		return 1;
	}
	return fflush(stdout) == 0 && !ferror(stdin) ? 0 : 1;
}
