/*
 * test_milter_pool.c - milter/milt_pool.c with real workers (build/calmilter
 * -W 3): a message processed in a worker comes back exactly as
 * mime_process() makes it in-process; the workers are sandboxed (seccomp,
 * no new privileges, WorkerMemory as their address-space limit); a worker
 * that hangs past MaxMessageTime or crashes mid-message is replaced, the
 * message passes unchanged, and a retry of it (with a new Received:
 * header) passes as poisoned without a worker; a worker that dies while
 * idle is replaced without blaming a message; one that runs out of memory
 * aborts and the message still passes; a new configuration generation
 * reaches the workers; many threads share the pool.
 *
 * Faults are made from outside, as an operator or the kernel would: the
 * test stops, kills or starves a worker; nothing in the code under test
 * knows it is being tested.
 */
#define _GNU_SOURCE /* before any header: milt_pool.c needs it */
#include "unit.h"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "../../milter/log.c"
#include "../../milter/milt_poison.c"
#include "../../milter/milt_pool.c"
#include "../../milter/milt_wire.c"

#define EXE    BUILDDIR "/calmilter"
#define INVITE "tests/fixtures/e2e/broken-invite.eml"
#define NOW    ((time_t)1741600000)

/* pool_with - a pool on the defaults plus the given "Key value" lines */
static struct milt_pool *
pool_with(const char *const *lines)
{
	struct milt_pool *pool;
	char err[512];
	struct conf *c = conf_new_default();
	const char *sp;
	char key[64];

	assert_non_null(c);
	for (; lines != NULL && *lines != NULL; lines++) {
		sp = strchr(*lines, ' ');
		assert_non_null(sp);
		snprintf(key, sizeof(key), "%.*s", (int)(sp - *lines), *lines);
		assert_int_equal(
		    conf_set(c, key, sp + 1, "test", err, sizeof(err)), 0);
	}
	pool = milt_pool_new(c, EXE, err, sizeof(err));
	if (pool == NULL)
		fail_msg("milt_pool_new: %s", err);
	conf_free(c);
	return pool;
}

static void
pool_done(struct milt_pool *pool)
{
	milt_pool_stop(pool);
	pool_free(pool);
}

/* worker_pid - the pid in slot i */
static pid_t
worker_pid(struct milt_pool *pool, size_t i)
{
	return pool->slots[i].pid;
}

/* in_process - what mime_process makes of msg with the default policy */
static void
in_process(struct mime_result *res, const char *msg, size_t len)
{
	struct mime_policy pol;

	mime_policy_default(&pol);
	pol.now = NOW;
	(void)mime_process(res, (const uint8_t *)msg, len, &pol);
}

static void
assert_same(const struct mime_result *a, const struct mime_result *b)
{
	size_t i;

	assert_int_equal(a->status, b->status);
	assert_int_equal(a->reason, b->reason);
	assert_int_equal(a->body_len, b->body_len);
	assert_memory_equal(a->body, b->body, a->body_len);
	assert_int_equal(a->nedits, b->nedits);
	for (i = 0; i < a->nedits; i++) {
		assert_string_equal(a->edits[i].name, b->edits[i].name);
		if (a->edits[i].value != NULL)
			assert_string_equal(a->edits[i].value,
			                    b->edits[i].value);
	}
	assert_int_equal(a->report.n, b->report.n);
	for (i = 0; i < a->report.n; i++)
		assert_string_equal(a->report.v[i].text, b->report.v[i].text);
}

/* run - one message through the pool */
static enum cal_status
run(struct milt_pool *pool, const char *msg, size_t len,
    struct milt_pool_note *note)
{
	struct mime_result res;
	enum cal_status st;

	st = milt_pool_run(pool, (const uint8_t *)msg, len, NOW, &res, note);
	assert_int_equal(res.status, st);
	mime_result_free(&res);
	return st;
}

/* with_received - msg with one more Received: field in front (transfer
 * full), as a retry arrives */
static char *
with_received(const char *msg, size_t len, size_t *outlen)
{
	static const char rcv[] = "Received: from retry.test by front.test "
	                          "with ESMTP id 4Xk3pQ1;\r\n"
	                          "\tTue, 14 May 2024 10:00:00 +0200\r\n";
	char *out = malloc(sizeof(rcv) + len);

	assert_non_null(out);
	memcpy(out, rcv, sizeof(rcv) - 1);
	memcpy(out + sizeof(rcv) - 1, msg, len);
	*outlen = sizeof(rcv) - 1 + len;
	return out;
}

/* the pool's answer is the in-process answer, byte for byte */
static void
test_pool_same_as_in_process(void **state)
{
	struct milt_pool *pool = pool_with(NULL);
	struct mime_result want, got;
	struct milt_pool_note note;
	size_t len;
	char *msg = unit_read_file(INVITE, &len);

	(void)state;
	in_process(&want, msg, len);
	assert_int_equal(want.status, CAL_CHANGED);
	assert_int_equal(
	    milt_pool_run(pool, (uint8_t *)msg, len, NOW, &got, &note),
	    CAL_CHANGED);
	assert_null(note.reason);
	assert_true(note.stats.cpu_us > 0);
	assert_true(note.stats.maxrss_kb > 0);
	assert_same(&want, &got);
	mime_result_free(&want);
	mime_result_free(&got);
	pool_done(pool);
	free(msg);
}

/* proc_field - the value of "Name:" in /proc/PID/FILE, or "" */
static void
proc_field(pid_t pid, const char *file, const char *name, char *out, size_t len)
{
	char path[64], line[256];
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, strlen(name)) == 0)
			snprintf(out, len, "%s", line + strlen(name));
	fclose(f);
}

/* the workers are locked in: seccomp filter, no new privileges, and
 * WorkerMemory as their address-space limit */
static void
test_pool_sandboxed(void **state)
{
	const char *conf[] = {"WorkerMemory 200M", NULL};
	struct milt_pool *pool = pool_with(conf);
	char v[256];
	size_t i;

	(void)state;
	for (i = 0; i < pool->n; i++) {
		proc_field(worker_pid(pool, i), "status", "Seccomp:", v,
		           sizeof(v));
		assert_int_equal(atoi(v), 2); /* SECCOMP_MODE_FILTER */
		proc_field(worker_pid(pool, i), "status", "NoNewPrivs:", v,
		           sizeof(v));
		assert_int_equal(atoi(v), 1);
		proc_field(worker_pid(pool, i), "limits", "Max address space",
		           v, sizeof(v));
		assert_non_null(
		    strstr(v, MILT_SANITIZED ? "unlimited" : "209715200"));
		proc_field(worker_pid(pool, i), "limits", "Max processes", v,
		           sizeof(v));
		assert_int_equal(atoi(v), 0);
	}
	pool_done(pool);
}

/* a worker that hangs is killed at MaxMessageTime; the message passes;
 * its retry is poisoned; the new worker works */
static void
test_pool_timeout(void **state)
{
	const char *conf[] = {"Workers 1", "MaxMessageTime 1", NULL};
	struct milt_pool *pool = pool_with(conf);
	struct milt_pool_note note;
	size_t len, rlen;
	char *msg = unit_read_file(INVITE, &len), *retry;
	pid_t old = worker_pid(pool, 0);
	long t0;

	(void)state;
	assert_int_equal(kill(old, SIGSTOP), 0);
	t0 = pool_now_ms();
	assert_int_equal(run(pool, msg, len, &note), CAL_LIMIT);
	assert_true(pool_now_ms() - t0 >= 1000);
	assert_true(pool_now_ms() - t0 < 3000);
	assert_string_equal(note.reason, "limit");
	assert_non_null(strstr(note.detail, "MaxMessageTime (1 s)"));
	assert_non_null(strstr(note.detail, "killed and replaced"));
	assert_int_not_equal(worker_pid(pool, 0), old);
	assert_int_equal(kill(old, 0), -1); /* reaped, not a zombie */

	retry = with_received(msg, len, &rlen);
	assert_int_equal(run(pool, retry, rlen, &note), CAL_SKIPPED);
	assert_string_equal(note.reason, "poisoned");
	strstr(msg, "Project sync")[0] = 'Q'; /* another message */
	assert_int_equal(run(pool, msg, len, &note), CAL_CHANGED);
	assert_null(note.reason);
	pool_done(pool);
	free(retry);
	free(msg);
}

struct crash_run {
	struct milt_pool *pool;
	const char *msg;
	size_t len;
	struct milt_pool_note note;
	enum cal_status st;
};

static void *
crash_thread(void *arg)
{
	struct crash_run *cr = arg;
	struct mime_result res;

	cr->st = milt_pool_run(cr->pool, (const uint8_t *)cr->msg, cr->len, NOW,
	                       &res, &cr->note);
	mime_result_free(&res);
	return NULL;
}

/* a worker that crashes mid-message: passed, named, replaced, poisoned */
static void
test_pool_crash(void **state)
{
	const char *conf[] = {"Workers 1", NULL};
	struct crash_run cr = {.pool = pool_with(conf)};
	struct milt_pool_note note;
	pid_t old = worker_pid(cr.pool, 0);
	char *msg = unit_read_file(INVITE, &cr.len);
	pthread_t t;

	(void)state;
	cr.msg = msg;
	assert_int_equal(kill(old, SIGSTOP), 0); /* it takes the request... */
	assert_int_equal(pthread_create(&t, NULL, crash_thread, &cr), 0);
	(void)poll(NULL, 0, 300);
	assert_int_equal(kill(old, SIGABRT), 0); /* ...and crashes on it */
	assert_int_equal(kill(old, SIGCONT), 0);
	pthread_join(t, NULL);
	assert_int_equal(cr.st, CAL_ERROR);
	assert_string_equal(cr.note.reason, "worker");
	assert_non_null(strstr(cr.note.detail, "killed by signal 6 (ABRT)"));
	assert_int_not_equal(worker_pid(cr.pool, 0), old);
	assert_int_equal(run(cr.pool, msg, cr.len, &note), CAL_SKIPPED);
	assert_string_equal(note.reason, "poisoned");
	pool_done(cr.pool);
	free(msg);
}

/* a worker that died while idle is replaced; no message is blamed */
static void
test_pool_idle_death(void **state)
{
	const char *conf[] = {"Workers 1", NULL};
	struct milt_pool *pool = pool_with(conf);
	struct milt_pool_note note;
	pid_t old = worker_pid(pool, 0);
	size_t len;
	char *msg = unit_read_file(INVITE, &len);

	(void)state;
	assert_int_equal(kill(old, SIGKILL), 0);
	(void)poll(NULL, 0, 100);
	assert_int_equal(run(pool, msg, len, &note), CAL_CHANGED);
	assert_int_not_equal(worker_pid(pool, 0), old);
	assert_true(milt_poison_empty(pool->poison, time(NULL)));
	pool_done(pool);
	free(msg);
}

#if !MILT_SANITIZED
/* big_calendar - a message with one calendar part of about mb megabytes
 * (transfer full) */
static char *
big_calendar(size_t mb, size_t *len)
{
	static const char head[] =
	    "From: a@example.org\r\nTo: b@example.org\r\n"
	    "Message-ID: <big@example.org>\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/calendar; charset=utf-8; method=PUBLISH\r\n"
	    "\r\nBEGIN:VCALENDAR\r\n";
	static const char ev[] = "BEGIN:VEVENT\r\nUID:%06zu@example.org\r\n"
	                         "DTSTART:20240520T100000Z\r\nSUMMARY:x\r\n"
	                         "END:VEVENT\r\n";
	size_t n = mb * 1024 * 1024 / (sizeof(ev) - 3), i, off;
	char *msg = malloc(sizeof(head) + n * sizeof(ev) + 32);

	assert_non_null(msg);
	off = (size_t)snprintf(msg, sizeof(head), "%s", head);
	for (i = 0; i < n; i++)
		off += (size_t)sprintf(msg + off, ev, i % 1000000);
	off += (size_t)sprintf(msg + off, "END:VCALENDAR\r\n");
	*len = off;
	return msg;
}
#endif

/*
 * out of memory in a worker: GLib aborts it; the message passes unchanged
 * and the next one is served. Sanitizer builds set no address-space limit
 * (test_pool_sandboxed checks that), so there the worker cannot run out.
 */
static void
test_pool_out_of_memory(void **state)
{
#if MILT_SANITIZED
	(void)state;
	print_message("sanitizer build: workers have no WorkerMemory limit\n");
#else
	const char *conf[] = {"Workers 1", "WorkerMemory 128M",
	                      "MaxMessageSize 64M", "MaxPartSize 64M", NULL};
	struct milt_pool *pool = pool_with(conf);
	struct milt_pool_note note;
	size_t len, ilen;
	char *msg = big_calendar(40, &len);
	char *invite = unit_read_file(INVITE, &ilen);
	enum cal_status st;

	(void)state;
	st = run(pool, msg, len, &note);
	print_message("out of memory: %s %s: %s\n", cal_status_name(st),
	              note.reason ? note.reason : "-", note.detail);
	assert_int_equal(st, CAL_ERROR);
	assert_string_equal(note.reason, "worker");
	assert_non_null(strstr(note.detail, "killed by signal"));
	assert_int_equal(run(pool, invite, ilen, &note), CAL_CHANGED);
	pool_done(pool);
	free(invite);
	free(msg);
#endif
}

/* a new configuration generation reaches a worker with its next request */
static void
test_pool_new_generation(void **state)
{
	struct milt_pool *pool = pool_with(NULL);
	struct milt_pool_note note;
	char err[256];
	struct conf *c = conf_new_default();
	size_t len;
	char *msg = unit_read_file(INVITE, &len);
	struct mime_result res;

	(void)state;
	assert_int_equal(run(pool, msg, len, &note), CAL_CHANGED);
	assert_int_equal(
	    conf_set(c, "MaxMessageSize", "1K", "test", err, sizeof(err)), 0);
	assert_int_equal(milt_pool_set_conf(pool, c), 0);
	assert_int_equal(
	    milt_pool_run(pool, (uint8_t *)msg, len, NOW, &res, &note),
	    CAL_LIMIT);
	assert_null(note.reason); /* the worker said so */
	assert_non_null(strstr(res.detail, "MaxMessageSize"));
	mime_result_free(&res);
	assert_int_equal(run(pool, msg, len, &note), CAL_LIMIT);
	conf_free(c);
	pool_done(pool);
	free(msg);
}

struct share {
	struct milt_pool *pool;
	const char *msg;
	size_t len;
	const struct mime_result *want;
	int bad;
};

static void *
share_thread(void *arg)
{
	struct share *sh = arg;
	struct milt_pool_note note;
	struct mime_result res;
	int i;

	for (i = 0; i < 25; i++) {
		if (milt_pool_run(sh->pool, (const uint8_t *)sh->msg, sh->len,
		                  NOW, &res, &note) != CAL_CHANGED ||
		    res.body_len != sh->want->body_len ||
		    memcmp(res.body, sh->want->body, res.body_len) != 0)
			__atomic_add_fetch(&sh->bad, 1, __ATOMIC_RELAXED);
		mime_result_free(&res);
	}
	return NULL;
}

/* eight threads, two workers: every answer right */
static void
test_pool_shared(void **state)
{
	struct share sh = {.pool = pool_with(NULL)};
	struct mime_result want;
	pthread_t t[8];
	char *msg = unit_read_file(INVITE, &sh.len);
	size_t i;

	(void)state;
	sh.msg = msg;
	in_process(&want, msg, sh.len);
	sh.want = &want;
	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, share_thread, &sh),
		                 0);
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(sh.bad, 0);
	mime_result_free(&want);
	pool_done(sh.pool);
	free(msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pool_same_as_in_process),
	    cmocka_unit_test(test_pool_sandboxed),
	    cmocka_unit_test(test_pool_timeout),
	    cmocka_unit_test(test_pool_crash),
	    cmocka_unit_test(test_pool_idle_death),
	    cmocka_unit_test(test_pool_out_of_memory),
	    cmocka_unit_test(test_pool_new_generation),
	    cmocka_unit_test(test_pool_shared),
	};

	mime_init();
	log_init("test_milter_pool", 1, CONF_SYSLOG_NONE, LOG_INFO);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
