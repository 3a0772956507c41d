/*
 * milt_apply.c - execute mime_process()'s edits through libmilter
 *
 * All or nothing: mime_process() built everything beforehand, so the only
 * failures left are the MTA's; once an edit call has failed the MTA's copy
 * is half-edited and the caller tempfails it (milt_verdict_half_edited).
 *
 * The edits come in an order that is safe to execute one after the other
 * (indices already account for earlier deletes); they run in array order.
 *
 * Header values from mime/ are in libmilter's form already (leading space,
 * "\n\t" folding). Without SMFIP_HDR_LEADSPC the MTA itself puts one space
 * after the colon, so ours is left out.
 */
#include "milt.h"
#include "../mime/mime.h"

#define MILT_BODY_CHUNK (64 * 1024)

/* milt_hdr_value - value as this MTA takes it (borrowed from e) */
static char *
milt_hdr_value(const struct mime_hdr_edit *e, int leadspc)
{
	static char empty[] = "";

	if (e->value == NULL)
		return empty;
	if (!leadspc && e->value[0] == ' ')
		return e->value + 1;
	return e->value;
}

/* milt_edit_one - one header edit; MI_SUCCESS or MI_FAILURE */
static int
milt_edit_one(SMFICTX *ctx, const struct mime_hdr_edit *e, int leadspc)
{
	switch (e->op) {
	case MIME_HDR_CHANGE:
		return smfi_chgheader(ctx, e->name, (int)e->index,
		                      milt_hdr_value(e, leadspc));
	case MIME_HDR_DELETE:
		return smfi_chgheader(ctx, e->name, (int)e->index, NULL);
	case MIME_HDR_ADD:
		return smfi_addheader(ctx, e->name, milt_hdr_value(e, leadspc));
	}
	return MI_FAILURE;
}

/* milt_body_replace - the new body, in chunks; an empty body too */
static int
milt_body_replace(SMFICTX *ctx, uint8_t *body, size_t len)
{
	size_t off = 0, n;

	do {
		n = len - off > MILT_BODY_CHUNK ? MILT_BODY_CHUNK : len - off;
		if (smfi_replacebody(ctx, body + off, (int)n) != MI_SUCCESS)
			return MI_FAILURE;
		off += n;
	} while (off < len);
	return MI_SUCCESS;
}

/* milt_apply - 0: every edit made; -1: one failed, the rest not tried */
int
milt_apply(SMFICTX *ctx, const struct milt_conn *conn,
           const struct mime_result *res)
{
	size_t i;

	for (i = 0; i < res->nedits; i++)
		if (milt_edit_one(ctx, &res->edits[i], conn->leadspc) !=
		    MI_SUCCESS)
			return -1;
	if (res->body != NULL &&
	    milt_body_replace(ctx, res->body, res->body_len) != MI_SUCCESS)
		return -1;
	return 0;
}
