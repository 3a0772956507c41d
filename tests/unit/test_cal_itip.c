/*
 * test_cal_itip.c - the scheduling rules through cal_normalize():
 * R-ITIP-4 one object, master first; R-ITIP-5 UID; R-ITIP-6 SEQUENCE;
 * R-ITIP-7 ORGANIZER from the message; R-ITIP-8 mailto: addresses;
 * R-ITIP-9 the method checks (reports only); R-LEX-6 TEXT escaping. Each
 * fixes what it must (exact bytes, judged the same, stable), leaves a
 * correct object untouched, reports what it must only report, and follows
 * its policy at each setting. Nothing is invented (N-8): no attendee, no
 * STATUS on a CANCEL, no ORGANIZER on a PUBLISH.
 */
#include "unit.h"
#include "caltest.h"
#include "ruletest.h"

#define TIMES "DTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\n"
#define CAL(method, events) RT_HEAD "METHOD:" method "\r\n" events RT_TAIL
#define EV(uid, body)                                                          \
	"BEGIN:VEVENT\r\nUID:" uid "\r\nDTSTAMP:20250101T000000Z\r\n"          \
	"SEQUENCE:0\r\n" body "SUMMARY:Review\r\nEND:VEVENT\r\n"
#define ORG "ORGANIZER;CN=Ann Lee:mailto:ann@example.org\r\n"
#define ATT "ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION:mailto:bob@example.net\r\n"
#define MASTER(uid)                                                            \
	EV(uid, TIMES "RRULE:FREQ=WEEKLY;COUNT=4\r\n" ORG ATT)
#define OVERRIDE(uid)                                                          \
	EV(uid, "RECURRENCE-ID:20250317T090000Z\r\n"                           \
	        "DTSTART:20250317T100000Z\r\nDTEND:20250317T110000Z\r\n" ORG ATT)

static void
test_itip_correct_request_untouched(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, CAL("REQUEST", MASTER("o1@example.org")
	                             OVERRIDE("o1@example.org")));
	rt_assert_clean(&r);
	ct_free(&r);
}

/* ---- R-ITIP-4 -------------------------------------------------------------- */

static void
test_itip4_master_moved_first(void **state)
{
	const char *in =
	    CAL("REQUEST", OVERRIDE("o1@example.org") MASTER("o1@example.org"));
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, in);
	rt_assert_fixed(&r, in, "R-ITIP-4",
	                CAL("REQUEST", MASTER("o1@example.org")
	                                  OVERRIDE("o1@example.org")));
	ct_free(&r);
}

static void
test_itip4_several_objects_reported(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, CAL("REQUEST", EV("a@example.org", TIMES ORG ATT)
	                              EV("b@example.org", TIMES ORG ATT)));
	rt_assert_reported(&r, "R-ITIP-4");
	ct_free(&r);
	ct_init(&r);
	rt_run(&r, CAL("REQUEST", EV("a@example.org", TIMES ORG ATT)
	                              "BEGIN:VTODO\r\nUID:a@example.org\r\n"
	                              "DTSTAMP:20250101T000000Z\r\n"
	                              "SEQUENCE:0\r\nEND:VTODO\r\n"));
	rt_assert_reported(&r, "R-ITIP-4");
	ct_free(&r);
	ct_init(&r); /* a PUBLISH may hold many events */
	rt_run(&r, CAL("PUBLISH", EV("a@example.org", TIMES)
	                              EV("b@example.org", TIMES)));
	rt_assert_clean(&r);
	ct_free(&r);
}

/* ---- R-ITIP-5 -------------------------------------------------------------- */

#define NO_UID(stamp)                                                          \
	"BEGIN:VEVENT\r\nDTSTAMP:" stamp "\r\nSEQUENCE:0\r\n" TIMES ORG ATT    \
	"SUMMARY:Review\r\nEND:VEVENT\r\n"

static const char *
uid_of(const struct ct_run *r)
{
	const char *u = strstr(r->out.data, "\r\nUID:");

	assert_non_null(u);
	return u + 6;
}

static void
test_itip5_uid_derived_in_request_and_publish(void **state)
{
	const char *in = CAL("REQUEST", NO_UID("20250101T000000Z"));
	const char *pub = CAL("PUBLISH", NO_UID("20250101T000000Z"));
	struct ct_run r, again, p;

	(void)state;
	ct_init(&r);
	rt_run(&r, in);
	ct_assert_status(&r, CAL_CHANGED);
	ct_assert_fixes(&r.rep, "R-ITIP-5");
	assert_non_null(strstr(r.out.data, "BEGIN:VEVENT\r\nUID:calmilter-"));
	assert_int_equal(strcspn(uid_of(&r), "\r"), strlen("calmilter-") + 16);
	rt_assert_judged(in, &r);
	ct_assert_stable(&r);
	/* sent again with a new DTSTAMP: the same UID */
	ct_init(&again);
	rt_run(&again, CAL("REQUEST", NO_UID("20250202T101010Z")));
	assert_memory_equal(uid_of(&r), uid_of(&again),
	                    strlen("calmilter-") + 16);
	ct_init(&p);
	rt_run(&p, pub);
	ct_assert_fixes(&p.rep, "R-ITIP-5");
	ct_free(&p);
	ct_free(&again);
	ct_free(&r);
}

/* a derived UID could not match the original in these: reported */
static void
test_itip5_uid_reported_in_cancel_reply(void **state)
{
	static const char *const m[] = {"CANCEL", "REPLY", "COUNTER"};
	char in[2048];
	struct ct_run r;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(in, sizeof(in), CAL("%s", NO_UID("20250101T000000Z")),
		         m[i]);
		ct_init(&r);
		rt_run(&r, in);
		assert_int_equal(ct_count(&r.rep, "R-ITIP-5", CAL_FIX), 0);
		assert_true(ct_count(&r.rep, "R-ITIP-5", CAL_REPORT) > 0);
		assert_null(r.out.data != NULL ? strstr(r.out.data, "\r\nUID:")
		                               : NULL);
		ct_free(&r);
	}
}

/* ---- R-ITIP-6: SEQUENCE ---------------------------------------------------- */

#define NO_SEQ(method)                                                         \
	CAL(method, "BEGIN:VEVENT\r\nUID:s1@example.org\r\n"                   \
	            "DTSTAMP:20250101T000000Z\r\n" TIMES ORG ATT               \
	            "SUMMARY:Review\r\nEND:VEVENT\r\n")

static void
test_itip6_sequence_added_when_absent(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, NO_SEQ("REQUEST"));
	rt_assert_fixed(&r, NO_SEQ("REQUEST"), "R-ITIP-6",
	                CAL("REQUEST", EV("s1@example.org", TIMES ORG ATT)));
	ct_free(&r);
	ct_init(&r); /* a PUBLISH orders no updates: left */
	rt_run(&r, NO_SEQ("PUBLISH"));
	rt_assert_clean(&r);
	ct_free(&r);
	ct_init(&r); /* an existing one is never changed */
	rt_run(&r, CAL("REQUEST", "BEGIN:VEVENT\r\nUID:s1@example.org\r\n"
	                          "DTSTAMP:20250101T000000Z\r\nSEQUENCE:7\r\n"
	                          TIMES ORG ATT "SUMMARY:Review\r\n"
	                          "END:VEVENT\r\n"));
	rt_assert_clean(&r);
	ct_free(&r);
}

/* ---- R-ITIP-7 -------------------------------------------------------------- */

#define NO_ORG(method) CAL(method, EV("g1@example.org", TIMES ATT))

static void
test_itip7_organizer_from_from(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.ctx.from_addr = "ann@example.org";
	r.ctx.from_name = "Lee, Ann \"the boss\"";
	rt_run(&r, NO_ORG("REQUEST"));
	rt_assert_fixed(&r, NO_ORG("REQUEST"), "R-ITIP-7",
	                CAL("REQUEST", EV("g1@example.org",
	                                  TIMES "ORGANIZER;CN=\"Lee, Ann 'the "
	                                        "boss'\":mailto:ann@example.or"
	                                        "g\r\n" ATT)));
	ct_free(&r);
	ct_init(&r); /* CANCEL too; no name: no CN */
	r.ctx.from_addr = "ann@example.org";
	rt_run(&r, NO_ORG("CANCEL"));
	rt_assert_fixed(&r, NO_ORG("CANCEL"), "R-ITIP-7",
	                CAL("CANCEL", EV("g1@example.org",
	                                 TIMES "ORGANIZER:mailto:ann@example."
	                                       "org\r\n" ATT)));
	ct_free(&r);
}

/* From with several mailboxes is ambiguous: the Sender is taken */
static void
test_itip7_organizer_from_sender(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.ctx.from_addr = "ann@example.org";
	r.ctx.from_several = 1;
	r.ctx.sender_addr = "assistant@example.org";
	rt_run(&r, NO_ORG("REQUEST"));
	ct_assert_fixes(&r.rep, "R-ITIP-7");
	assert_non_null(strstr(r.out.data,
	                       "\r\nORGANIZER:mailto:assistant@example.org\r\n"));
	ct_free(&r);
}

static void
test_itip7_policy_no_and_no_sender_report(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	r.pol.add_organizer = 0;
	rt_run(&r, NO_ORG("REQUEST"));
	rt_assert_reported(&r, "R-ITIP-7");
	ct_free(&r);
	ct_init(&r);
	r.ctx.from_addr = "not an address";
	rt_run(&r, NO_ORG("REQUEST"));
	rt_assert_reported(&r, "R-ITIP-7");
	ct_free(&r);
	ct_init(&r); /* REPLY: its ORGANIZER cannot be guessed */
	rt_run(&r, CAL("REPLY", EV("g1@example.org",
	                           TIMES "ATTENDEE;PARTSTAT=ACCEPTED:mailto:"
	                                 "bob@example.net\r\n")));
	rt_assert_reported(&r, "R-ITIP-7");
	ct_free(&r);
}

/* never on a PUBLISH (Outlook would show answer buttons that do nothing) */
static void
test_itip7_never_on_publish(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, CAL("PUBLISH", EV("g1@example.org", TIMES)));
	rt_assert_clean(&r);
	ct_free(&r);
}

/* ---- R-ITIP-8 -------------------------------------------------------------- */

#define WITH_ATT(att) CAL("REQUEST", EV("m1@example.org", TIMES ORG att))

static void
test_itip8_mailto_added(void **state)
{
	const char *in = WITH_ATT("ATTENDEE;CN=Bob:bob@example.net\r\n");
	const char *quoted =
	    WITH_ATT("ATTENDEE;CN=Bob:\"mailto:bob@example.net\"\r\n");
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, in);
	rt_assert_fixed(&r, in, "R-ITIP-8",
	                WITH_ATT("ATTENDEE;CN=Bob:mailto:bob@example.net\r\n"));
	ct_free(&r);
	ct_init(&r);
	rt_run(&r, quoted);
	rt_assert_fixed(&r, quoted, "R-ITIP-8",
	                WITH_ATT("ATTENDEE;CN=Bob:mailto:bob@example.net\r\n"));
	ct_free(&r);
}

static void
test_itip8_email_param(void **state)
{
	const char *in =
	    WITH_ATT("ATTENDEE;CN=Bob;EMAIL=bob@example.net:urn:uuid:5f2c\r\n");
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, in);
	rt_assert_fixed(&r, in, "R-ITIP-8",
	                WITH_ATT("ATTENDEE;CN=Bob;EMAIL=bob@example.net:"
	                         "mailto:bob@example.net\r\n"));
	ct_free(&r);
	ct_init(&r);
	r.pol.use_email_param = 0;
	rt_run(&r, in);
	rt_assert_reported(&r, "R-ITIP-8");
	ct_free(&r);
}

static void
test_itip8_unusable_addresses_reported(void **state)
{
	static const char *const bad[] = {
	    WITH_ATT("ATTENDEE;CN=Bob:urn:uuid:5f2c\r\n"),
	    WITH_ATT("ATTENDEE;CN=Bob:http://example.net/principals/bob\r\n"),
	    WITH_ATT("ATTENDEE;CN=Bob:mailto:\r\n"),
	};
	struct ct_run r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ct_init(&r);
		rt_run(&r, bad[i]);
		rt_assert_reported(&r, "R-ITIP-8");
		ct_free(&r);
	}
}

/* ---- R-ITIP-9 -------------------------------------------------------------- */

static void
test_itip9_method_checks_reported(void **state)
{
	static const char *const bad[] = {
	    CAL("REPLY", EV("c@example.org", TIMES ORG
	                    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@example.net\r\n"
	                    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@example.net\r\n")),
	    CAL("REPLY", EV("c@example.org", TIMES ORG
	                    "ATTENDEE:mailto:bob@example.net\r\n")),
	    CAL("REQUEST", EV("c@example.org", TIMES ORG)),
	    CAL("CANCEL", EV("c@example.org", TIMES ORG ATT "STATUS:CONFIRMED\r\n")),
	    CAL("CANCEL", EV("c@example.org", TIMES ORG)),
	};
	struct ct_run r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ct_init(&r);
		rt_run(&r, bad[i]);
		rt_assert_reported(&r, "R-ITIP-9");
		ct_free(&r);
	}
	/* a correct REPLY and a CANCEL of the whole event: nothing to say */
	ct_init(&r);
	rt_run(&r, CAL("REPLY", EV("c@example.org", TIMES ORG
	                           "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example"
	                           ".net\r\n")));
	rt_assert_clean(&r);
	ct_free(&r);
	ct_init(&r);
	rt_run(&r, CAL("CANCEL", EV("c@example.org",
	                            TIMES ORG ATT "STATUS:CANCELLED\r\n")));
	rt_assert_clean(&r);
	ct_free(&r);
}

/* ---- R-LEX-6 --------------------------------------------------------------- */

#define TEXT(loc) CAL("PUBLISH", EV("t1@example.org", TIMES "LOCATION:" loc "\r\n"))

static void
test_lex6_text_escaped(void **state)
{
	static const char *const in[][2] = {
	    {"Room 1, Building A; Floor 2", "Room 1\\, Building A\\; Floor 2"},
	    {"say \\\"hello\\\"", "say \"hello\""},
	    {"Bob\\'s room", "Bob's room"},
	    {"a\\xb", "axb"},
	};
	char a[2048], b[2048];
	struct ct_run r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		snprintf(a, sizeof(a), TEXT("%s"), in[i][0]);
		snprintf(b, sizeof(b), TEXT("%s"), in[i][1]);
		ct_init(&r);
		rt_run(&r, a);
		rt_assert_fixed(&r, a, "R-LEX-6", b);
		ct_free(&r);
	}
}

/* correct escapes, and the ones readers take for control characters, stay;
 * multi-valued text keeps its separators */
static void
test_lex6_correct_text_untouched(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, TEXT("a\\, b\\; c\\\\d\\ne\\Nf\\tg\\rh"));
	rt_assert_clean(&r);
	ct_free(&r);
	ct_init(&r);
	rt_run(&r, CAL("PUBLISH", EV("t1@example.org", TIMES
	                             "CATEGORIES:Work,Review\r\n")));
	rt_assert_clean(&r);
	ct_free(&r);
}

static void
test_lex6_unclear_escape_reported(void **state)
{
	struct ct_run r;

	(void)state;
	ct_init(&r);
	rt_run(&r, TEXT("M\\\xC3\xBCnchen"));
	rt_assert_reported(&r, "R-LEX-6");
	ct_free(&r);
	ct_init(&r);
	rt_run(&r, TEXT("trailing\\"));
	rt_assert_reported(&r, "R-LEX-6");
	ct_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_itip_correct_request_untouched),
	    cmocka_unit_test(test_itip4_master_moved_first),
	    cmocka_unit_test(test_itip4_several_objects_reported),
	    cmocka_unit_test(test_itip5_uid_derived_in_request_and_publish),
	    cmocka_unit_test(test_itip5_uid_reported_in_cancel_reply),
	    cmocka_unit_test(test_itip6_sequence_added_when_absent),
	    cmocka_unit_test(test_itip7_organizer_from_from),
	    cmocka_unit_test(test_itip7_organizer_from_sender),
	    cmocka_unit_test(test_itip7_policy_no_and_no_sender_report),
	    cmocka_unit_test(test_itip7_never_on_publish),
	    cmocka_unit_test(test_itip8_mailto_added),
	    cmocka_unit_test(test_itip8_email_param),
	    cmocka_unit_test(test_itip8_unusable_addresses_reported),
	    cmocka_unit_test(test_itip9_method_checks_reported),
	    cmocka_unit_test(test_lex6_text_escaped),
	    cmocka_unit_test(test_lex6_correct_text_untouched),
	    cmocka_unit_test(test_lex6_unclear_escape_reported),
	};

	cal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
