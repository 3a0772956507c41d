/*
 * calnorm_diff.h - calnorm --diff (calnorm_diff.c)
 */
#ifndef CALMILTER_CALNORM_DIFF_H
#define CALMILTER_CALNORM_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "../mime/mime.h"

/*
 * cn_diff_text - a unified diff on stdout of a (as received) and b (as
 * relayed), labelled with label. 0: equal; 1: they differ (the diff, or a
 * line on stderr when only line ends differ, was written); -1: trouble
 * (a message on stderr).
 */
int cn_diff_text(const char *label, const uint8_t *a, size_t alen,
                 const uint8_t *b, size_t blen);

/*
 * cn_diff_message - cn_diff_text() for each calendar or vCard part of the
 * message in (as received) and out (as relayed), paired by path.
 * 0: no part differs; 1: some do; -1: trouble.
 */
int cn_diff_message(const uint8_t *in, size_t inlen, const uint8_t *out,
                    size_t outlen, const struct mime_policy *pol);

#endif
