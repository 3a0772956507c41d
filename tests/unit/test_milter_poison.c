/*
 * test_milter_poison.c - milter/milt_poison.c: the digest of a message
 * ignores its Received: fields (folded ones included; Received-SPF is not
 * one) and nothing else; the list remembers at most max digests, the
 * oldest going first, each for ttl seconds, and says "empty" when nothing
 * is in force.
 */
#include "unit.h"

#include "../../milter/milt_poison.c"

static const char msg_a[] =
    "Received: from a.test by mx.test; Tue, 14 May 2024 09:30:00 +0200\r\n"
    "Subject: hello\r\n"
    "Received: from b.test\r\n\tby mx.test; Tue, 14 May 2024 09:29:00 +0200\r\n"
    "Received-SPF: pass\r\n"
    "\r\n"
    "Received: in the body counts\r\n";

static void
digest(const char *msg, uint8_t d[MILT_POISON_DIGEST])
{
	milt_poison_digest((const uint8_t *)msg, strlen(msg), d);
}

static void
test_digest_ignores_received(void **state)
{
	uint8_t a[MILT_POISON_DIGEST], b[MILT_POISON_DIGEST];

	(void)state;
	digest(msg_a, a);
	digest("Subject: hello\r\n"
	       "RECEIVED : from c.test; Wed, 15 May 2024 10:00:00 +0200\r\n"
	       "Received-SPF: pass\r\n\r\n"
	       "Received: in the body counts\r\n",
	       b);
	assert_memory_equal(a, b, sizeof(a));
	digest("Subject: hello\r\nReceived-SPF: pass\r\n\r\n"
	       "Received: in the body counts\r\n",
	       b);
	assert_memory_equal(a, b, sizeof(a));
}

static void
test_digest_sees_the_rest(void **state)
{
	uint8_t a[MILT_POISON_DIGEST], b[MILT_POISON_DIGEST];

	(void)state;
	digest(msg_a, a);
	digest("Subject: hello\r\nReceived-SPF: fail\r\n\r\n"
	       "Received: in the body counts\r\n",
	       b);
	assert_memory_not_equal(a, b, sizeof(a));
	digest("Subject: hello\r\nReceived-SPF: pass\r\n\r\n"
	       "Received: in the body counts!\r\n",
	       b);
	assert_memory_not_equal(a, b, sizeof(a));
	digest("Subject: hello\r\nReceived-SPF: pass\r\n\r\n", b);
	assert_memory_not_equal(a, b, sizeof(a));
	/* LF-only messages and a message that is all header work too */
	digest("Received: x\nSubject: y\n\nbody\n", a);
	digest("Subject: y\n\nbody\n", b);
	assert_memory_equal(a, b, sizeof(a));
	digest("Received: x\r\nSubject: y", a);
	digest("Subject: y", b);
	assert_memory_equal(a, b, sizeof(a));
}

static void
test_list(void **state)
{
	struct milt_poison *p = milt_poison_new(3, 100);
	uint8_t d[5][MILT_POISON_DIGEST];
	int i;

	(void)state;
	assert_non_null(p);
	for (i = 0; i < 5; i++)
		memset(d[i], 'a' + i, sizeof(d[i]));
	assert_true(milt_poison_empty(p, 1000));
	assert_false(milt_poison_has(p, d[0], 1000));
	milt_poison_add(p, d[0], 1000);
	assert_false(milt_poison_empty(p, 1000));
	assert_true(milt_poison_has(p, d[0], 1050));
	assert_false(milt_poison_has(p, d[1], 1050));
	/* past ttl it is forgotten, and the list is empty again */
	assert_false(milt_poison_has(p, d[0], 1100));
	assert_true(milt_poison_empty(p, 1100));
	/* three fit; a fourth pushes the oldest out */
	for (i = 1; i < 5; i++)
		milt_poison_add(p, d[i], 2000 + i);
	assert_false(milt_poison_has(p, d[1], 2010));
	for (i = 2; i < 5; i++)
		assert_true(milt_poison_has(p, d[i], 2010));
	milt_poison_free(p);
	milt_poison_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_digest_ignores_received),
	    cmocka_unit_test(test_digest_sees_the_rest),
	    cmocka_unit_test(test_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
