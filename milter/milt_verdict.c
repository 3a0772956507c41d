/*
 * milt_verdict.c - the one place a status becomes an SMFIS_ code
 *
 * calmilter repairs or leaves alone; it never blocks mail. Everything
 * passes, except that an internal fault may be tempfailed when the admin
 * asked for it (OnError tempfail), and a message whose edits failed half-way
 * is always tempfailed: the MTA then drops its half-edited copy and the
 * client retries, so nothing half-rewritten is delivered.
 */
#include "milt.h"

static char milt_rcode[] = "451";
static char milt_xcode[] = "4.3.0";
static char milt_text_error[] =
    "calmilter: internal error, please try again later";
static char milt_text_half[] =
    "calmilter: could not complete its changes, please try again later";

/* milt_verdict - conf may be NULL (no state): then OnError's default */
sfsistat
milt_verdict(SMFICTX *ctx, const struct conf *conf, enum cal_status st)
{
	if (st != CAL_ERROR || conf == NULL ||
	    conf->on_error != CONF_ON_ERROR_TEMPFAIL)
		return SMFIS_ACCEPT; /* pass unchanged; the log says why */
	(void)smfi_setreply(ctx, milt_rcode, milt_xcode, milt_text_error);
	return SMFIS_TEMPFAIL;
}

sfsistat
milt_verdict_half_edited(SMFICTX *ctx)
{
	(void)smfi_setreply(ctx, milt_rcode, milt_xcode, milt_text_half);
	return SMFIS_TEMPFAIL;
}
