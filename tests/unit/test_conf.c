/*
 * test_conf.c - conf/: the key table, the file syntax, every error message,
 * and that conf/calmilter.conf is exactly what conf_print_example() writes.
 */
#include "unit.h"

#include <ctype.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "../../conf/conf.h"
#include "../../conf/conf_int.h"

#define FIXTURES SRCDIR "/tests/fixtures/conf/"

/* tmp_conf_write - text (len bytes) into a new temporary file named path */
static void
tmp_conf_write(char *path, size_t pathlen, const char *text, size_t len)
{
	int fd, n;

	n = snprintf(path, pathlen, "/tmp/test_conf.XXXXXX");
	assert_true(n > 0 && (size_t)n < pathlen);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* load_text - conf_load() of text written to a temporary file */
static struct conf *
load_text(const char *text, char *path, size_t pathlen, char *err,
          size_t errlen)
{
	struct conf *c;

	tmp_conf_write(path, pathlen, text, strlen(text));
	c = conf_load(path, err, errlen);
	unlink(path);
	return c;
}

/* conf_printed - conf_print(c), or the example when c is NULL (transfer full)
 */
static char *
conf_printed(const struct conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	if (c != NULL)
		conf_print(c, f);
	else
		conf_print_example(f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
assert_conf_is_default(const struct conf *c)
{
	assert_string_equal(c->socket, "inet:8895@127.0.0.1");
	assert_string_equal(c->user_id, "calmilter");
	assert_null(c->pid_file);
	assert_int_equal(c->syslog_facility, LOG_MAIL);
	assert_int_equal(c->log_level, CONF_LOG_INFO);
	assert_int_equal(c->on_error, CONF_ON_ERROR_ACCEPT);
	assert_int_equal(c->mode, CONF_MODE_REWRITE);
	assert_int_equal(c->max_message_size, 25 * 1024 * 1024);
	assert_int_equal(c->max_part_size, 10 * 1024 * 1024);
	assert_int_equal(c->max_mime_depth, 20);
	assert_int_equal(c->max_mime_parts, 500);
	assert_int_equal(c->missing_method, CONF_MISSING_METHOD_INFER);
	assert_int_equal(c->normalize_encapsulated, CONF_ENCAPSULATED_LEXICAL);
	assert_int_equal(c->tzid_style, CONF_TZID_KEEP);
	assert_string_equal(c->floating_zone, "from-calendar");
	assert_int_equal(c->unrepresentable_zone,
	                 CONF_UNREPRESENTABLE_UTC_SINGLE);
}

static void
test_conf_defaults(void **state)
{
	struct conf *c;

	(void)state;
	c = conf_new_default();
	assert_non_null(c);
	assert_null(c->path);
	assert_conf_is_default(c);
	conf_free(c);
	conf_free(NULL);
}

static void
test_conf_table_sorted_and_found(void **state)
{
	char upper[64];
	size_t i, j;

	(void)state;
	assert_true(conf_nkeys >= 19); /* issues add keys: no exact count */
	for (i = 0; i < conf_nkeys; i++) {
		if (i > 0)
			assert_true(strcasecmp(conf_keys[i - 1].name,
			                       conf_keys[i].name) < 0);
		assert_ptr_equal(conf_key_find(conf_keys[i].name),
		                 &conf_keys[i]);
		for (j = 0; conf_keys[i].name[j] != '\0'; j++)
			upper[j] = (char)toupper(conf_keys[i].name[j]);
		upper[j] = '\0';
		assert_ptr_equal(conf_key_find(upper), &conf_keys[i]);
		/* every limit has a maximum; every enum-like key words */
		if (conf_keys[i].type == CONF_T_STRING ||
		    conf_keys[i].type == CONF_T_SIZE ||
		    conf_keys[i].type == CONF_T_UINT ||
		    conf_keys[i].type == CONF_T_MODE)
			assert_true(conf_keys[i].max >= conf_keys[i].min &&
			            conf_keys[i].max > 0);
		else
			assert_non_null(conf_keys[i].words);
		assert_true(conf_keys[i].help[0] != '\0');
	}
	assert_null(conf_key_find("Sockt"));
	assert_null(conf_key_find(""));
}

static void
test_conf_load_good(void **state)
{
	char err[256] = "";
	struct conf *c;

	(void)state;
	c = conf_load(FIXTURES "good.conf", err, sizeof(err));
	assert_non_null(c);
	assert_string_equal(err, "");
	assert_string_equal(c->path, FIXTURES "good.conf");
	assert_string_equal(c->socket, "unix:/run/calmilter/calmilter.sock");
	assert_string_equal(c->user_id, "calmilter:postfix");
	assert_string_equal(c->pid_file, "/run/calmilter/calmilter.pid");
	assert_int_equal(c->syslog_facility, LOG_LOCAL3);
	assert_int_equal(c->log_level, CONF_LOG_DEBUG);
	assert_int_equal(c->on_error, CONF_ON_ERROR_TEMPFAIL);
	assert_int_equal(c->mode, CONF_MODE_REPORT);
	assert_int_equal(c->max_message_size, 50 * 1024 * 1024);
	assert_int_equal(c->max_part_size, 1536 * 1024);
	assert_int_equal(c->max_mime_depth, 7);
	assert_int_equal(c->max_mime_parts, 10000);
	assert_int_equal(c->missing_method, CONF_MISSING_METHOD_PUBLISH);
	assert_int_equal(c->normalize_encapsulated, CONF_ENCAPSULATED_NO);
	assert_int_equal(c->tzid_style, CONF_TZID_WINDOWS);
	assert_string_equal(c->floating_zone, "Europe/Vienna");
	assert_int_equal(c->unrepresentable_zone, CONF_UNREPRESENTABLE_REPORT);
	conf_free(c);
}

static void
test_conf_load_crlf_no_final_newline(void **state)
{
	char err[256] = "";
	struct conf *c;

	(void)state;
	c = conf_load(FIXTURES "crlf-no-final-newline.conf", err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(c->syslog_facility, LOG_MAIL);
	assert_int_equal(c->log_level, CONF_LOG_NOTICE);
	assert_string_equal(c->pid_file, "/run/c.pid");
	assert_int_equal(c->max_mime_depth, 3);
	conf_free(c);
}

static void
test_conf_load_fixture_error_line(void **state)
{
	char err[512];

	(void)state;
	assert_null(conf_load(FIXTURES "unknown-key.conf", err, sizeof(err)));
	assert_string_equal(err, FIXTURES
	                    "unknown-key.conf:12: unknown key \"Sockt\"");
}

static void
test_conf_load_empty_file(void **state)
{
	char path[64], err[256];
	struct conf *c;

	(void)state;
	c = load_text("", path, sizeof(path), err, sizeof(err));
	assert_non_null(c);
	assert_conf_is_default(c);
	conf_free(c);
}

/* a file's text and the message it must give, after "FILE:" */
struct bad_case {
	const char *text;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
    {"Sockt inet:1@h\n", "1: unknown key \"Sockt\""},
    {"# comment\n\nSocket\n", "3: Socket: missing value"},
    {"SocketMode 0680\n", "1: SocketMode: \"0680\" is not an octal mode "
                          "(0000 to 0777)"},
    {"SocketMode rw\n", "1: SocketMode: \"rw\" is not an octal mode "
                        "(0000 to 0777)"},
    {"UMask 01000\n", "1: UMask: \"01000\" is out of range (0000 to 0777)"},
    {"UMask 0000000\n", "1: UMask: \"0000000\" is not an octal mode "
                        "(0000 to 0777)"},
    {"Socket  \t \n", "1: Socket: missing value"},
    {"PidFile \"\"\n", "1: PidFile: missing value"},
    {"OnError maybe\n", "1: OnError: \"maybe\" is not one of accept, tempfail"},
    {"Mode dry-run\n", "1: Mode: \"dry-run\" is not one of rewrite, "
                       "report"},
    {"FloatingZone Europe/Atlantis\n", "1: FloatingZone: \"Europe/Atlantis\" "
                                       "is not valid (use from-calendar, "
                                       "leave, or a zone such as "
                                       "Europe/Berlin)"},
    {"FloatingZone ../../etc/passwd\n", "1: FloatingZone: \"../../etc/passwd\" "
                                        "is not valid (use from-calendar, "
                                        "leave, or a zone such as "
                                        "Europe/Berlin)"},
    {"TzidStyle olson\n", "1: TzidStyle: \"olson\" is not one of keep, "
                          "windows, iana"},
    {"MissingMethod request\n", "1: MissingMethod: \"request\" is not "
                                "one of infer, publish, leave"},
    {"NormalizeEncapsulated yes\n", "1: NormalizeEncapsulated: \"yes\" "
                                    "is not one of lexical, no"},
    {"MaxMessageSize 12Q\n", "1: MaxMessageSize: \"12Q\" is not a size "
                             "(use a number with optional K, M or G)"},
    {"MaxMessageSize 12KB\n", "1: MaxMessageSize: \"12KB\" is not a "
                              "size (use a number with optional K, M "
                              "or G)"},
    {"MaxMessageSize -1\n", "1: MaxMessageSize: \"-1\" is not a size "
                            "(use a number with optional K, M or G)"},
    {"MaxMessageSize 1 M\n", "1: MaxMessageSize: \"1 M\" is not a size "
                             "(use a number with optional K, M or G)"},
    {"MaxMessageSize 1023\n",
     "1: MaxMessageSize: \"1023\" is out of range (1K to 1G)"},
    {"MaxMessageSize 1025M\n",
     "1: MaxMessageSize: \"1025M\" is out of range (1K to 1G)"},
    {"MaxMessageSize 99999999999999999999G\n",
     "1: MaxMessageSize: \"99999999999999999999G\" is out of range "
     "(1K to 1G)"},
    {"MaxMessageSize 17179869184G\n", /* 2^34 * 2^30 wraps to 0 */
     "1: MaxMessageSize: \"17179869184G\" is out of range (1K to 1G)"},
    {"MaxPartSize 257M\n",
     "1: MaxPartSize: \"257M\" is out of range (1K to 256M)"},
    {"MaxMimeDepth ten\n", "1: MaxMimeDepth: \"ten\" is not a number"},
    {"MaxMimeDepth 5x\n", "1: MaxMimeDepth: \"5x\" is not a number"},
    {"MaxMimeDepth +5\n", "1: MaxMimeDepth: \"+5\" is not a number"},
    {"MaxMimeDepth 0\n", "1: MaxMimeDepth: \"0\" is out of range (1 to 100)"},
    {"MaxMimeDepth 101\n",
     "1: MaxMimeDepth: \"101\" is out of range (1 to 100)"},
    {"MaxMimeParts 99999999999999999999999\n",
     "1: MaxMimeParts: \"99999999999999999999999\" is out of range "
     "(1 to 10000)"},
    {"Syslog kern\n", "1: Syslog: \"kern\" is not one of no, mail, "
                      "daemon, user, local0, local1, local2, local3, "
                      "local4, local5, local6, local7"},
    {"LogLevel verbose\n", "1: LogLevel: \"verbose\" is not one of "
                           "error, warning, notice, info, debug"},
    {"Socket tcp:25@localhost\n",
     "1: Socket: \"tcp:25@localhost\" is not valid (use unix:/path, "
     "local:/path, inet:PORT@HOST or inet6:PORT@HOST)"},
    {"Socket /run/calmilter.sock\n",
     "1: Socket: \"/run/calmilter.sock\" is not valid (use unix:/path, "
     "local:/path, inet:PORT@HOST or inet6:PORT@HOST)"},
    {"Socket unix:run/calmilter.sock\n",
     "1: Socket: \"unix:run/calmilter.sock\" is not valid (use "
     "unix:/path, local:/path, inet:PORT@HOST or inet6:PORT@HOST)"},
    {"Socket inet:65536@localhost\n",
     "1: Socket: \"inet:65536@localhost\" is not valid (use "
     "unix:/path, local:/path, inet:PORT@HOST or inet6:PORT@HOST)"},
    {"Socket inet6:8895@\n",
     "1: Socket: \"inet6:8895@\" is not valid (use unix:/path, "
     "local:/path, inet:PORT@HOST or inet6:PORT@HOST)"},
    {"Socket \"unix:/run/x.sock\n", "1: Socket: unterminated quote"},
    {"Socket \"unix:/run/x.sock\" # old\n", "1: Socket: unterminated quote"},
    {"PidFile \"\n", "1: PidFile: unterminated quote"},
    {"PidFile /run/a\033b.pid\n", "1: PidFile: control character in value"},
    {"LogLevel debug\nMode rewrite\nMode report\nMissingMethod\n",
     "4: MissingMethod: missing value"},
};

static void
test_conf_load_bad_values(void **state)
{
	char path[64], err[512], want[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		err[0] = '\0';
		assert_null(load_text(bad_cases[i].text, path, sizeof(path),
		                      err, sizeof(err)));
		snprintf(want, sizeof(want), "%s:%s", path, bad_cases[i].msg);
		assert_string_equal(err, want);
	}
}

static void
test_conf_load_long_line(void **state)
{
	char path[64], err[256], want[256];
	char text[CONF_LINE_MAX + 8];
	struct conf *c;

	(void)state;
	/* a comment of exactly CONF_LINE_MAX bytes is fine */
	memset(text, 'x', CONF_LINE_MAX);
	text[0] = '#';
	text[CONF_LINE_MAX] = '\n';
	text[CONF_LINE_MAX + 1] = '\0';
	c = load_text(text, path, sizeof(path), err, sizeof(err));
	assert_non_null(c);
	conf_free(c);

	/* one byte more is not, comment or not */
	memset(text, 'x', CONF_LINE_MAX + 1);
	text[0] = '#';
	text[CONF_LINE_MAX + 1] = '\n';
	text[CONF_LINE_MAX + 2] = '\0';
	assert_null(load_text(text, path, sizeof(path), err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:1: line longer than 4096 bytes", path);
	assert_string_equal(err, want);
}

static void
test_conf_load_nul_byte(void **state)
{
	static const char text[] = "LogLevel debug\nMode re\0write\n";
	char path[64], err[256], want[256];

	(void)state;
	tmp_conf_write(path, sizeof(path), text, sizeof(text) - 1);
	assert_null(conf_load(path, err, sizeof(err)));
	unlink(path);
	snprintf(want, sizeof(want), "%s:2: NUL byte in line", path);
	assert_string_equal(err, want);
}

static void
test_conf_load_no_file(void **state)
{
	char err[256];

	(void)state;
	assert_null(
	    conf_load(FIXTURES "does-not-exist.conf", err, sizeof(err)));
	assert_string_equal(err, FIXTURES
	                    "does-not-exist.conf: No such file or directory");
	assert_null(conf_load(FIXTURES, err, sizeof(err)));
	assert_string_equal(err, FIXTURES ": Is a directory");
}

static void
test_conf_load_bounds_and_case(void **state)
{
	char path[64], err[256] = "";
	struct conf *c;

	(void)state;
	c = load_text("maxmessagesize 1g\nMAXPARTSIZE 1024\n"
	              "MaxMimeDepth 100\nmaxmimeparts 1\nsyslog NO\n"
	              "Socket INET6:8895@::1\nOnError TempFail\n",
	              path, sizeof(path), err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(c->max_message_size, 1024 * 1024 * 1024);
	assert_int_equal(c->max_part_size, 1024);
	assert_int_equal(c->max_mime_depth, 100);
	assert_int_equal(c->max_mime_parts, 1);
	assert_int_equal(c->syslog_facility, CONF_SYSLOG_NONE);
	assert_string_equal(c->socket, "INET6:8895@::1");
	assert_int_equal(c->on_error, CONF_ON_ERROR_TEMPFAIL);
	conf_free(c);
}

static void
test_conf_load_none_and_quotes(void **state)
{
	char path[64], err[256] = "";
	struct conf *c;

	(void)state;
	c = load_text("UserID none\nPidFile /run/x.pid\nPidFile None\n"
	              "Socket \"local:/run/with space.sock \"\n",
	              path, sizeof(path), err, sizeof(err));
	assert_non_null(c);
	assert_null(c->user_id);
	assert_null(c->pid_file);
	assert_string_equal(c->socket, "local:/run/with space.sock ");
	conf_free(c);

	c = load_text("PidFile /run/a # not a comment\n"
	              "UserID \"mail\"man\"\n",
	              path, sizeof(path), err, sizeof(err));
	assert_non_null(c);
	assert_string_equal(c->pid_file, "/run/a # not a comment");
	assert_string_equal(c->user_id, "mail\"man");
	conf_free(c);
}

static void
test_conf_set(void **state)
{
	char err[256];
	struct conf *c;

	(void)state;
	c = conf_new_default();
	assert_non_null(c);
	assert_int_equal(
	    conf_set(c, "maxmimedepth", " 42 ", "-p", err, sizeof(err)), 0);
	assert_int_equal(c->max_mime_depth, 42);
	assert_int_equal(
	    conf_set(c, "PidFile", "\"/run/a b.pid\"", "-p", err, sizeof(err)),
	    0);
	assert_string_equal(c->pid_file, "/run/a b.pid");
	assert_int_equal(conf_set(c, "UserID", "none", "-u", err, sizeof(err)),
	                 0);
	assert_null(c->user_id);

	/* a bad value leaves the old one in place */
	assert_int_equal(
	    conf_set(c, "MaxMimeDepth", "0", "-p", err, sizeof(err)), -1);
	assert_string_equal(
	    err, "-p: MaxMimeDepth: \"0\" is out of range (1 to 100)");
	assert_int_equal(c->max_mime_depth, 42);
	assert_int_equal(conf_set(c, "Socket", "tcp:1", "-p", err, sizeof(err)),
	                 -1);
	assert_string_equal(c->socket, "inet:8895@127.0.0.1");

	assert_int_equal(conf_set(c, "Nope", "1", "cmd:3", err, sizeof(err)),
	                 -1);
	assert_string_equal(err, "cmd:3: unknown key \"Nope\"");
	assert_int_equal(conf_set(c, "Mode", NULL, "-p", err, sizeof(err)), -1);
	assert_string_equal(err, "-p: Mode: missing value");
	assert_int_equal(conf_set(c, "Mode", "x", NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "Mode: \"x\" is not one of rewrite, report");
	conf_free(c);
}

static void
test_conf_err_buffer(void **state)
{
	char err[12];
	struct conf *c;

	(void)state;
	c = conf_new_default();
	assert_non_null(c);
	memset(err, 'z', sizeof(err));
	assert_int_equal(conf_set(c, "Mode", "x", "-p", err, sizeof(err)), -1);
	assert_string_equal(err, "-p: Mode: \"");
	assert_int_equal(conf_set(c, "Mode", "x", "-p", NULL, 0), -1);
	assert_int_equal(conf_set(c, "Mode", "x", "-p", err, 0), -1);
	assert_null(conf_load("/nonexistent/calmilter.conf", NULL, 0));
	conf_free(c);
}

static void
test_conf_print(void **state)
{
	static const char want[] = "AddOrganizer from\n"
	                           "AlarmOrder keep\n"
	                           "AllDayHint yes\n"
	                           "AllDayZeroLength fix\n"
	                           "ContentClassHeader no\n"
	                           "DisableRules none\n"
	                           "DkimSigned skip\n"
	                           "ExemptAuthenticated no\n"
	                           "ExemptNetworks none\n"
	                           "ExemptSenderDomains none\n"
	                           "FloatingZone from-calendar\n"
	                           "KeepDays 7\n"
	                           "KeepOriginals none\n"
	                           "LogLevel info\n"
	                           "MaxComponents 20000\n"
	                           "MaxExpandInstances 100\n"
	                           "MaxExpansion 100000\n"
	                           "MaxInstances 100\n"
	                           "MaxLineLength 1M\n"
	                           "MaxMessageSize 25M\n"
	                           "MaxMessageTime 30\n"
	                           "MaxMimeDepth 20\n"
	                           "MaxMimeParts 500\n"
	                           "MaxPartSize 10M\n"
	                           "MaxProperties 200000\n"
	                           "MissingMethod infer\n"
	                           "Mode rewrite\n"
	                           "MtaTimeout 7210\n"
	                           "NormalizeEncapsulated lexical\n"
	                           "OnError accept\n"
	                           "PidFile none\n"
	                           "PromoteAttachedInvite yes\n"
	                           "RepairBrokenLines yes\n"
	                           "ReportOnlyRules none\n"
	                           "ScopeDomains all\n"
	                           "Socket inet:8895@127.0.0.1\n"
	                           "SocketMode 0660\n"
	                           "SpoolThreshold 1M\n"
	                           "StatsFile none\n"
	                           "StatsInterval 60\n"
	                           "StripOverrideRrule no\n"
	                           "Syslog mail\n"
	                           "TrustedAuthservIDs none\n"
	                           "TzidStyle keep\n"
	                           "UMask 0027\n"
	                           "UnrepresentableZone utc-single\n"
	                           "UnsupportedRecurrence report\n"
	                           "UseEmailParam yes\n"
	                           "UserID calmilter\n"
	                           "WorkerMemory 1G\n"
	                           "Workers 2\n";
	struct conf *c;
	char *out;

	(void)state;
	c = conf_new_default();
	assert_non_null(c);
	out = conf_printed(c);
	assert_string_equal(out, want);
	free(out);
	conf_free(c);
}

/* conf_print's output, loaded again, prints the same */
static void
test_conf_print_round_trip(void **state)
{
	char path[64], err[256] = "";
	struct conf *c, *again;
	char *first, *second;

	(void)state;
	c = conf_load(FIXTURES "good.conf", err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(
	    conf_set(c, "PidFile", "\" /run/odd.pid\"", "-p", err, sizeof(err)),
	    0);
	assert_int_equal(
	    conf_set(c, "MaxMessageSize", "1500", "-p", err, sizeof(err)), 0);
	first = conf_printed(c);
	assert_non_null(strstr(first, "PidFile \" /run/odd.pid\"\n"));
	assert_non_null(strstr(first, "MaxMessageSize 1500\n"));
	assert_non_null(strstr(first, "MaxPartSize 1536K\n"));
	again = load_text(first, path, sizeof(path), err, sizeof(err));
	assert_non_null(again);
	second = conf_printed(again);
	assert_string_equal(first, second);
	free(first);
	free(second);
	conf_free(c);
	conf_free(again);
}

/*
 * text_read - a whole small text file (transfer full). Not unit_read_file():
 * gcc 12 -O2 warns "n may be used uninitialized" in it, and -Werror builds
 * fail.
 */
static char *
text_read(const char *path)
{
	char *buf = NULL, chunk[4096];
	size_t len = 0, n;
	FILE *in, *out;

	in = fopen(path, "r");
	assert_non_null(in);
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	do {
		n = fread(chunk, 1, sizeof(chunk), in);
		assert_int_equal(fwrite(chunk, 1, n, out), n);
	} while (n == sizeof(chunk));
	assert_false(ferror(in));
	fclose(in);
	assert_int_equal(fclose(out), 0);
	return buf;
}

/* the committed example file is exactly the generated one */
static void
test_conf_example_file_is_generated(void **state)
{
	char *file, *gen;

	(void)state;
	file = text_read(SRCDIR "/conf/calmilter.conf");
	gen = conf_printed(NULL);
	assert_string_equal(file, gen);
	free(file);
	free(gen);
}

/* and loading it gives the defaults, with every line under 80 columns */
static void
test_conf_example_file_gives_defaults(void **state)
{
	char err[256] = "";
	struct conf *c;
	char *text, *line, *nl;

	(void)state;
	c = conf_load(SRCDIR "/conf/calmilter.conf", err, sizeof(err));
	assert_non_null(c);
	assert_conf_is_default(c);
	conf_free(c);

	text = conf_printed(NULL);
	for (line = text; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		assert_true(nl - line <= 79);
	}
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conf_defaults),
	    cmocka_unit_test(test_conf_table_sorted_and_found),
	    cmocka_unit_test(test_conf_load_good),
	    cmocka_unit_test(test_conf_load_crlf_no_final_newline),
	    cmocka_unit_test(test_conf_load_fixture_error_line),
	    cmocka_unit_test(test_conf_load_empty_file),
	    cmocka_unit_test(test_conf_load_bad_values),
	    cmocka_unit_test(test_conf_load_long_line),
	    cmocka_unit_test(test_conf_load_nul_byte),
	    cmocka_unit_test(test_conf_load_no_file),
	    cmocka_unit_test(test_conf_load_bounds_and_case),
	    cmocka_unit_test(test_conf_load_none_and_quotes),
	    cmocka_unit_test(test_conf_set),
	    cmocka_unit_test(test_conf_err_buffer),
	    cmocka_unit_test(test_conf_print),
	    cmocka_unit_test(test_conf_print_round_trip),
	    cmocka_unit_test(test_conf_example_file_is_generated),
	    cmocka_unit_test(test_conf_example_file_gives_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
