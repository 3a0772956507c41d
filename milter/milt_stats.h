/*
 * milt_stats.h - what the daemon did, in numbers
 *
 * Every message gets exactly one outcome, the word its summary line says
 * as outcome=, and is counted once under it, with its bytes and the time
 * spent on it; each finding is counted under its rule id and kind. The
 * counters live in the daemon (the workers only report) and are written,
 * all at once, to StatsFile in the Prometheus text exposition format
 * (the node_exporter textfile collector reads *.prom files): a temporary
 * file in the same directory, then rename(2), so a reader never sees half
 * a file. milt_control.c writes it every StatsInterval seconds and on
 * SIGUSR2; main() logs a summary at shutdown.
 *
 * Every function may be called from any thread.
 */
#ifndef CALMILTER_MILT_STATS_H
#define CALMILTER_MILT_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "../ical/cal.h"

/* what became of one message; milt_outcome_name() is its word */
enum milt_outcome_kind {
	MILT_OUT_UNTOUCHED = 0, /* looked at: nothing to change */
	MILT_OUT_FASTPATH,      /* let go after its headers */
	MILT_OUT_NORMALIZED,    /* changed */
	MILT_OUT_REPORT,        /* Mode report: would have been changed */
	MILT_OUT_SIGNED,        /* N-1: signed or encrypted, left alone */
	MILT_OUT_DKIM,          /* N-2: DKIM-signed, left alone */
	MILT_OUT_SCOPE,         /* not ours: out of scope or exempt */
	MILT_OUT_LIMIT,         /* a ceiling was hit: passed unchanged */
	MILT_OUT_MALFORMED,     /* MIME could not be read safely */
	MILT_OUT_ERROR,         /* internal error (OnError decided) */
	MILT_OUT_N
};

const char *milt_outcome_name(enum milt_outcome_kind k);

/* the rule ids counted one by one; past this many, under rule="other" */
#define MILT_STATS_RULES 128

/*
 * milt_stats_count - one message: its outcome, findings (rep may be NULL),
 * size and the microseconds spent on it
 */
void milt_stats_count(enum milt_outcome_kind k, const struct cal_report *rep,
                      size_t bytes, uint64_t us);
/* milt_stats_reload - one SIGUSR1: ok 1 when the new file was taken */
void milt_stats_reload(int ok);
/*
 * milt_stats_write - every counter into path, atomically (path.tmp, then
 * rename). 0, or -1 with errno set.
 */
int milt_stats_write(const char *path);
/* milt_stats_log - the summary line of the whole run, at shutdown */
void milt_stats_log(void);
/* milt_stats_reset - all counters to zero (start-up and the tests) */
void milt_stats_reset(void);

#endif
