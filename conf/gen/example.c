/*
 * example.c - print the example configuration file from the key table.
 * `make conf-example` writes conf/calmilter.conf with it; a unit test checks
 * that the committed file is exactly this output.
 */
#include <stdio.h>

#include "../conf.h"

int
main(void)
{
	conf_print_example(stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}
