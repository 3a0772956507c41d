/*
 * test_man.c - the man pages do not drift from the tables they describe:
 * calmilter.conf(5)'s key list is exactly conf_print_man_keys()'s output
 * (`make conf-example` writes it), and calmilter(8) has an item for every
 * rule id of ical/rules.c's table. tests/man/check.sh adds mandoc's lint
 * and the checks against the binaries.
 */
#include "unit.h"

#include "../../conf/conf.h"
#include "../../conf/conf_int.h"
#include "../../ical/cal_int.h"

/* man_section - the lines between the BEGIN and END markers (transfer full) */
static char *
man_section(const char *page)
{
	char begin[128], end[128];
	const char *a, *b;
	char *s;

	snprintf(begin, sizeof(begin), "\n%s\n", CONF_MAN_BEGIN);
	snprintf(end, sizeof(end), "\n%s\n", CONF_MAN_END);
	a = strstr(page, begin);
	assert_non_null(a);
	a += strlen(begin);
	b = strstr(a - 1, end);
	assert_non_null(b);
	s = strndup(a, (size_t)(b + 1 - a));
	assert_non_null(s);
	return s;
}

/* man_keys_printed - conf_print_man_keys() (transfer full) */
static char *
man_keys_printed(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	conf_print_man_keys(f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* the committed key list is what the table makes: run make conf-example */
static void
test_man_conf_keys_generated(void **state)
{
	char *page, *section, *gen;

	(void)state;
	page = unit_read_file("conf/calmilter.conf.5", NULL);
	section = man_section(page);
	gen = man_keys_printed();
	assert_string_equal(section, gen);
	free(gen);
	free(section);
	free(page);
}

/* every key has its item, and its default follows it */
static void
test_man_conf_every_key_with_default(void **state)
{
	char item[256], def[256];
	const char *at;
	char *page;
	size_t i;

	(void)state;
	page = unit_read_file("conf/calmilter.conf.5", NULL);
	for (i = 0; i < conf_nkeys; i++) {
		snprintf(item, sizeof(item), "\n.It Ic %s ", conf_keys[i].name);
		at = strstr(page, item);
		if (at == NULL)
			fail_msg("no item for key %s", conf_keys[i].name);
		snprintf(def, sizeof(def),
		         strpbrk(conf_keys[i].def, " ") != NULL ||
		                 conf_keys[i].def[0] == '\0'
		             ? "Default:\n.Ql \"%s\" .\n"
		             : "Default:\n.Ql %s .\n",
		         conf_keys[i].def);
		at = strstr(at, "Default:\n");
		assert_non_null(at);
		if (strncmp(at, def, strlen(def)) != 0)
			fail_msg("key %s: default is not %s", conf_keys[i].name,
			         conf_keys[i].def);
	}
	free(page);
}

/* every rule of the table has an item in calmilter(8)'s RULES */
static void
test_man_every_rule(void **state)
{
	const struct cal_rule *r;
	const char *rules;
	char item[128];
	char *page;
	size_t i;

	(void)state;
	page = unit_read_file("milter/calmilter.8", NULL);
	rules = strstr(page, "\n.Sh RULES\n");
	assert_non_null(rules);
	assert_true(cal_rules_count() > 0);
	for (i = 0; (r = cal_rules_get(i)) != NULL; i++) {
		snprintf(item, sizeof(item), "\n.It %s\n", r->id);
		if (strstr(rules, item) == NULL)
			fail_msg("rule %s has no item in calmilter.8's RULES",
			         r->id);
	}
	free(page);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_man_conf_keys_generated),
	    cmocka_unit_test(test_man_conf_every_key_with_default),
	    cmocka_unit_test(test_man_every_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
