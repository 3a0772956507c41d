/*
 * fuzz_ical.c - iCalendar objects (RFC 5545) through cal_normalize().
 * The harness is fuzz_cal.c's; this target differs by its seeds (make
 * fuzz picks them by kind) and its dictionary, so that it grows with the
 * core: whatever cal_normalize() does with this kind, it is fuzzed.
 */
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cal_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_cal_one(data, size);
	return 0;
}
