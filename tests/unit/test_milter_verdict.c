/*
 * test_milter_verdict.c - milter/milt_verdict.c: every status passes the
 * mail, except an internal error under OnError tempfail (451 4.3.0) and a
 * half-executed edit (always 451 4.3.0). Nothing is ever rejected.
 */
#include "unit.h"

#include "../../milter/milt_verdict.c"

static char reply[256];

int
smfi_setreply(SMFICTX *ctx, char *rcode, char *xcode, char *text)
{
	(void)ctx;
	snprintf(reply, sizeof(reply), "%s %s %s", rcode, xcode, text);
	return MI_SUCCESS;
}

static void
test_statuses(void **state)
{
	struct conf c = {.on_error = CONF_ON_ERROR_ACCEPT};
	enum cal_status st;

	(void)state;
	for (st = CAL_UNCHANGED; st <= CAL_ERROR; st++) {
		c.on_error = CONF_ON_ERROR_ACCEPT;
		reply[0] = '\0';
		assert_int_equal(milt_verdict(NULL, &c, st), SMFIS_ACCEPT);
		assert_string_equal(reply, "");
		c.on_error = CONF_ON_ERROR_TEMPFAIL;
		if (st == CAL_ERROR)
			continue;
		assert_int_equal(milt_verdict(NULL, &c, st), SMFIS_ACCEPT);
		assert_string_equal(reply, "");
	}
	assert_int_equal(milt_verdict(NULL, NULL, CAL_ERROR), SMFIS_ACCEPT);
}

static void
test_tempfail(void **state)
{
	struct conf c = {.on_error = CONF_ON_ERROR_TEMPFAIL};

	(void)state;
	reply[0] = '\0';
	assert_int_equal(milt_verdict(NULL, &c, CAL_ERROR), SMFIS_TEMPFAIL);
	assert_memory_equal(reply, "451 4.3.0 ", 10);
	reply[0] = '\0';
	assert_int_equal(milt_verdict_half_edited(NULL), SMFIS_TEMPFAIL);
	assert_memory_equal(reply, "451 4.3.0 ", 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_statuses),
	    cmocka_unit_test(test_tempfail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
