/*
 * test_milter_stats.c - milter/milt_stats.c: each message counted once
 * under its outcome, findings by rule id and kind (past the table's room
 * under rule="other"), the file in the Prometheus text format written
 * through a temporary file and a rename, and a failed write that leaves
 * nothing behind.
 */
#include "unit.h"

#include <sys/stat.h>

#include <errno.h>
#include <unistd.h>

#include "../../milter/log.c"
#include "../../milter/milt_stats.c"

/* report - a cal_report holding n findings of rule id, of kind */
static void
report_add(struct cal_report *rep, const char *rule, enum cal_finding_kind k,
           unsigned n)
{
	while (n-- > 0)
		assert_int_equal(cal_report_add(rep, rule, k, "x"), 0);
}

/* written - the file milt_stats_write makes in a new directory */
static char *
written(char *dir, size_t dirlen)
{
	char path[512];
	size_t len;

	snprintf(dir, dirlen, "/tmp/test_milter_stats.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/calmilter.prom", dir);
	assert_int_equal(milt_stats_write(path), 0);
	return unit_read_file(path, &len);
}

/* cleanup - the file and the directory */
static void
cleanup(const char *dir)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/calmilter.prom", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0); /* empty: no temporary left */
}

static void
test_stats_counts(void **state)
{
	struct cal_report rep;
	char dir[64], *got;

	(void)state;
	log_init("test", 0, -1, LOG_ERR);
	milt_stats_reset();
	cal_report_init(&rep, 100);
	report_add(&rep, "R-LEX-9", CAL_FIX, 2);
	report_add(&rep, "R-ITIP-1", CAL_REPORT, 1);
	milt_stats_count(MILT_OUT_NORMALIZED, &rep, 1000, 1500);
	milt_stats_count(MILT_OUT_FASTPATH, NULL, 200, 0);
	milt_stats_count(MILT_OUT_FASTPATH, NULL, 300, 0);
	milt_stats_count(MILT_OUT_N, NULL, 1, 0); /* out of range: error */
	milt_stats_reload(1);
	milt_stats_reload(0);
	milt_stats_reload(0);
	cal_report_free(&rep);
	got = written(dir, sizeof(dir));
	assert_non_null(strstr(
	    got, "# TYPE calmilter_messages_total counter\n"
	         "calmilter_messages_total{outcome=\"untouched\"} 0\n"
	         "calmilter_messages_total{outcome=\"fastpath\"} 2\n"
	         "calmilter_messages_total{outcome=\"normalized\"} 1\n"));
	assert_non_null(strstr(got, "{outcome=\"error\"} 1\n"));
	assert_non_null(strstr(
	    got,
	    "calmilter_findings_total{rule=\"R-LEX-9\",kind=\"fix\"} 2\n"));
	assert_non_null(strstr(
	    got,
	    "calmilter_findings_total{rule=\"R-ITIP-1\",kind=\"report\"} 1\n"));
	assert_null(strstr(got, "rule=\"R-ITIP-1\",kind=\"fix\""));
	assert_non_null(strstr(got, "\ncalmilter_message_bytes_total 1501\n"));
	assert_non_null(
	    strstr(got, "\ncalmilter_processing_seconds_total 0.001500\n"));
	assert_non_null(
	    strstr(got, "calmilter_reloads_total{result=\"ok\"} 1\n"
	                "calmilter_reloads_total{result=\"failed\"} 2\n"));
	free(got);
	cleanup(dir);
}

/* past MILT_STATS_RULES rule ids, the rest is counted as rule="other" */
static void
test_stats_rules_overflow(void **state)
{
	struct cal_report rep;
	char dir[64], id[16], *got;
	unsigned i;

	(void)state;
	milt_stats_reset();
	cal_report_init(&rep, 1000);
	for (i = 0; i < MILT_STATS_RULES + 3; i++) {
		snprintf(id, sizeof(id), "R-T-%u", i);
		report_add(&rep, id, CAL_FIX, 1);
	}
	milt_stats_count(MILT_OUT_NORMALIZED, &rep, 1, 1);
	cal_report_free(&rep);
	got = written(dir, sizeof(dir));
	assert_non_null(strstr(got, "{rule=\"R-T-0\",kind=\"fix\"} 1\n"));
	assert_null(strstr(got, "{rule=\"R-T-128\""));
	assert_non_null(strstr(got, "{rule=\"other\",kind=\"fix\"} 3\n"));
	free(got);
	cleanup(dir);
}

/* a directory that is not there: -1, errno set, no file anywhere */
static void
test_stats_write_fails(void **state)
{
	(void)state;
	errno = 0;
	assert_int_equal(milt_stats_write("/nonexistent/dir/calmilter.prom"),
	                 -1);
	assert_int_equal(errno, ENOENT);
}

/* every outcome has its word; out of range is an error */
static void
test_outcome_names(void **state)
{
	(void)state;
	assert_string_equal(milt_outcome_name(MILT_OUT_UNTOUCHED), "untouched");
	assert_string_equal(milt_outcome_name(MILT_OUT_SCOPE), "out_of_scope");
	assert_string_equal(milt_outcome_name(MILT_OUT_ERROR), "error");
	assert_string_equal(milt_outcome_name(MILT_OUT_N), "error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stats_counts),
	    cmocka_unit_test(test_stats_rules_overflow),
	    cmocka_unit_test(test_stats_write_fails),
	    cmocka_unit_test(test_outcome_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
