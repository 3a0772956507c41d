/*
 * fuzz.h - what the fuzz targets of calmilter share.
 *
 * Each target is one file fuzz_NAME.c defining LLVMFuzzerTestOneInput().
 * Built with clang -fsanitize=fuzzer it is a libFuzzer binary (make fuzz);
 * built with any compiler and standalone.c it replays files (the stored
 * crash fixtures, make fuzz-replay). Every target aborts on a broken
 * contract of the interface it drives, so that libFuzzer keeps the input.
 */
#ifndef CALMILTER_FUZZ_H
#define CALMILTER_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "../../ical/cal.h"

/* the fixed processing time of every target: runs are deterministic */
#define FUZZ_NOW ((time_t)1717200000)	/* 2024-06-01 00:00:00 UTC */

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * fuzz_cal_one - cal_normalize() on data, with the context, policy and
 * charset chosen by the input's last byte (so that the seeds, whole
 * calendars, stay what they are), and the output contract checked.
 */
void	fuzz_cal_one(const uint8_t *data, size_t size);

/* fuzz_charset - the declared charset a selector picks (NULL: none) */
const char	*fuzz_charset(unsigned sel);

/*
 * fuzz_check_object - an object cal_normalize() returned as CAL_CHANGED:
 * UTF-8, every line CRLF-terminated and at most 75 octets, no NUL.
 * Aborts with a message when not.
 */
void	fuzz_check_object(const char *p, size_t len);

/* fuzz_fail - print why and abort (libFuzzer saves the input) */
void	fuzz_fail(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
