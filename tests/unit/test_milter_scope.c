/*
 * test_milter_scope.c - which messages calmilter touches: ScopeDomains (one
 * recipient in a listed domain is enough, since the body is one for all),
 * and the exemptions in the style of OpenDKIM's InternalHosts and PeerList:
 * client networks, envelope sender domains, authenticated submissions.
 */
#include "unit.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "../../milter/milt_scope.c"

/* scope_with - a scope from the defaults and up to two keys */
static void
scope_with(struct milt_scope *s, const char *k1, const char *v1,
           const char *k2, const char *v2)
{
	struct conf *c = conf_new_default();
	char err[256];

	assert_non_null(c);
	if (k1 != NULL && conf_set(c, k1, v1, "test", err, sizeof(err)) != 0)
		fail_msg("%s", err);
	if (k2 != NULL && conf_set(c, k2, v2, "test", err, sizeof(err)) != 0)
		fail_msg("%s", err);
	if (milt_scope_init(s, c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	conf_free(c);
}

/* sa4, sa6 - socket addresses */
static struct sockaddr_in
sa4(const char *ip)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, ip, &a.sin_addr), 1);
	return a;
}

static struct sockaddr_in6
sa6(const char *ip)
{
	struct sockaddr_in6 a;

	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, ip, &a.sin6_addr), 1);
	return a;
}

static void
test_scope_default_everything(void **state)
{
	struct milt_scope s;
	struct sockaddr_in a = sa4("10.1.2.3");

	(void)state;
	scope_with(&s, NULL, NULL, NULL, NULL);
	assert_false(milt_scope_by_rcpt(&s));
	assert_true(milt_scope_rcpt_in(&s, "<anyone@anywhere.test>"));
	assert_false(milt_scope_net_exempt(&s, (struct sockaddr *)&a));
	assert_false(milt_scope_sender_exempt(&s, "<a@example.org>"));
	assert_false(milt_scope_auth_exempt(&s, "alice"));
	milt_scope_free(&s);
}

static void
test_scope_domains(void **state)
{
	struct milt_scope s;

	(void)state;
	scope_with(&s, "ScopeDomains", "example.net, .corp.example.org",
	           NULL, NULL);
	assert_true(milt_scope_by_rcpt(&s));
	assert_true(milt_scope_rcpt_in(&s, "<bob@example.net>"));
	assert_true(milt_scope_rcpt_in(&s, "<Bob@EXAMPLE.NET.>"));
	assert_true(milt_scope_rcpt_in(&s, "bob@example.net"));
	assert_false(milt_scope_rcpt_in(&s, "<bob@sub.example.net>"));
	assert_false(milt_scope_rcpt_in(&s, "<bob@badexample.net>"));
	assert_true(milt_scope_rcpt_in(&s, "<carol@eu.corp.example.org>"));
	assert_false(milt_scope_rcpt_in(&s, "<carol@corp.example.org>"));
	assert_false(milt_scope_rcpt_in(&s, "<postmaster>"));
	assert_false(milt_scope_rcpt_in(&s, "<>"));
	/* the local part may hold an @ in quotes: the last one counts */
	assert_true(milt_scope_rcpt_in(&s, "<\"a@b\"@example.net>"));
	milt_scope_free(&s);

	scope_with(&s, "ScopeDomains", "ALL", NULL, NULL);
	assert_false(milt_scope_by_rcpt(&s));
	milt_scope_free(&s);
}

static void
test_scope_networks(void **state)
{
	struct milt_scope s;
	struct sockaddr_in in = sa4("10.200.3.4"), out = sa4("11.0.0.1"),
	                   one = sa4("192.0.2.7"), nine = sa4("192.0.2.9");
	struct sockaddr_in6 v6 = sa6("2001:db8:1::25"),
	                    other = sa6("2001:db9::1"),
	                    mapped = sa6("::ffff:10.9.9.9");

	(void)state;
	scope_with(&s, "ExemptNetworks", "10.0.0.0/8 192.0.2.7, 2001:db8::/32",
	           NULL, NULL);
	assert_true(milt_scope_net_exempt(&s, (struct sockaddr *)&in));
	assert_false(milt_scope_net_exempt(&s, (struct sockaddr *)&out));
	assert_true(milt_scope_net_exempt(&s, (struct sockaddr *)&one));
	assert_false(milt_scope_net_exempt(&s, (struct sockaddr *)&nine));
	assert_true(milt_scope_net_exempt(&s, (struct sockaddr *)&v6));
	assert_false(milt_scope_net_exempt(&s, (struct sockaddr *)&other));
	assert_true(milt_scope_net_exempt(&s, (struct sockaddr *)&mapped));
	assert_false(milt_scope_net_exempt(&s, NULL));
	milt_scope_free(&s);

	scope_with(&s, "ExemptNetworks", "192.0.2.128/25", NULL, NULL);
	one = sa4("192.0.2.200");
	assert_true(milt_scope_net_exempt(&s, (struct sockaddr *)&one));
	one = sa4("192.0.2.127");
	assert_false(milt_scope_net_exempt(&s, (struct sockaddr *)&one));
	milt_scope_free(&s);
}

static void
test_scope_networks_refused_forms(void **state)
{
	struct conf *c = conf_new_default();
	char err[256];

	(void)state;
	assert_int_equal(conf_set(c, "ExemptNetworks", "10.0.0.0/33", "f:1",
	                          err, sizeof(err)), -1);
	assert_int_equal(conf_set(c, "ExemptNetworks", "10.0.0", "f:1", err,
	                          sizeof(err)), -1);
	assert_int_equal(conf_set(c, "ExemptNetworks", "host.example.org",
	                          "f:1", err, sizeof(err)), -1);
	assert_int_equal(conf_set(c, "ExemptNetworks", "::1/129", "f:1", err,
	                          sizeof(err)), -1);
	assert_int_equal(conf_set(c, "ScopeDomains", "example.net;x", "f:1",
	                          err, sizeof(err)), -1);
	assert_non_null(strstr(err, "f:1"));
	conf_free(c);
}

static void
test_scope_sender_and_auth(void **state)
{
	struct milt_scope s;

	(void)state;
	scope_with(&s, "ExemptSenderDomains", "example.com",
	           "ExemptAuthenticated", "yes");
	assert_true(milt_scope_sender_exempt(&s, "<alice@Example.COM>"));
	assert_false(milt_scope_sender_exempt(&s, "<alice@example.org>"));
	assert_false(milt_scope_sender_exempt(&s, "<>"));
	assert_true(milt_scope_auth_exempt(&s, "alice"));
	assert_false(milt_scope_auth_exempt(&s, ""));
	assert_false(milt_scope_auth_exempt(&s, NULL));
	milt_scope_free(&s);

	scope_with(&s, "ExemptAuthenticated", "no", NULL, NULL);
	assert_false(milt_scope_auth_exempt(&s, "alice"));
	milt_scope_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scope_default_everything),
	    cmocka_unit_test(test_scope_domains),
	    cmocka_unit_test(test_scope_networks),
	    cmocka_unit_test(test_scope_networks_refused_forms),
	    cmocka_unit_test(test_scope_sender_and_auth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
