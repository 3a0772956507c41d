/*
 * milt_stats.c - the daemon's counters and the StatsFile (milt_stats.h)
 *
 * One mutex guards everything; a message's update is a handful of
 * additions under it. A write takes a copy under the lock and formats the
 * copy without it. The file, for the node_exporter textfile collector:
 *
 *   calmilter_messages_total{outcome="normalized"} 12
 *   calmilter_findings_total{rule="R-LEX-1",kind="fix"} 12
 *   calmilter_message_bytes_total 183400
 *   calmilter_processing_seconds_total 0.412000
 *   calmilter_reloads_total{result="ok"} 1
 *   calmilter_start_time_seconds 1764097200
 *   calmilter_stats_time_seconds 1764099000
 *
 * with a HELP and a TYPE line before each family.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "milt_stats.h"

struct stats_rule {
	char rule[sizeof(((struct cal_finding *)0)->rule)];
	uint64_t n[2]; /* by enum cal_finding_kind */
};

struct stats {
	uint64_t msgs[MILT_OUT_N];
	uint64_t bytes;
	uint64_t us;
	uint64_t reloads[2]; /* failed, ok */
	struct stats_rule rules[MILT_STATS_RULES];
	size_t nrules;
	uint64_t other[2]; /* findings past MILT_STATS_RULES ids */
	time_t start;
};

static pthread_mutex_t stats_mu = PTHREAD_MUTEX_INITIALIZER;
static struct stats stats_now;

static const char *const stats_outcomes[MILT_OUT_N] = {
    "untouched", "fastpath",     "normalized", "report",    "signed",
    "dkim",      "out_of_scope", "limit",      "malformed", "error",
};

const char *
milt_outcome_name(enum milt_outcome_kind k)
{
	return k < MILT_OUT_N ? stats_outcomes[k] : "error";
}

/* stats_rule_slot - the counters of rule id (lock held), or NULL: full */
static struct stats_rule *
stats_rule_slot(struct stats *s, const char *rule)
{
	size_t i;

	for (i = 0; i < s->nrules; i++)
		if (strncmp(s->rules[i].rule, rule, sizeof(s->rules[i].rule)) ==
		    0)
			return &s->rules[i];
	if (s->nrules == MILT_STATS_RULES)
		return NULL;
	snprintf(s->rules[i].rule, sizeof(s->rules[i].rule), "%.*s",
	         (int)sizeof(s->rules[i].rule) - 1, rule);
	s->nrules++;
	return &s->rules[i];
}

void
milt_stats_count(enum milt_outcome_kind k, const struct cal_report *rep,
                 size_t bytes, uint64_t us)
{
	struct stats_rule *r;
	unsigned kind;
	size_t i;

	pthread_mutex_lock(&stats_mu);
	stats_now.msgs[k < MILT_OUT_N ? k : MILT_OUT_ERROR]++;
	stats_now.bytes += bytes;
	stats_now.us += us;
	for (i = 0; rep != NULL && i < rep->n; i++) {
		kind = rep->v[i].kind == CAL_FIX ? 0 : 1;
		r = stats_rule_slot(&stats_now, rep->v[i].rule);
		if (r != NULL)
			r->n[kind]++;
		else
			stats_now.other[kind]++;
	}
	pthread_mutex_unlock(&stats_mu);
}

void
milt_stats_reload(int ok)
{
	pthread_mutex_lock(&stats_mu);
	stats_now.reloads[ok ? 1 : 0]++;
	pthread_mutex_unlock(&stats_mu);
}

void
milt_stats_reset(void)
{
	pthread_mutex_lock(&stats_mu);
	memset(&stats_now, 0, sizeof(stats_now));
	stats_now.start = time(NULL);
	pthread_mutex_unlock(&stats_mu);
}

/* stats_copy - a consistent copy of the counters */
static void
stats_copy(struct stats *s)
{
	pthread_mutex_lock(&stats_mu);
	*s = stats_now;
	pthread_mutex_unlock(&stats_mu);
}

/* stats_family - the HELP and TYPE lines of one metric */
static void
stats_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* stats_print_rules - calmilter_findings_total, every id seen */
static void
stats_print_rules(FILE *f, const struct stats *s)
{
	static const char *const kinds[2] = {"fix", "report"};
	unsigned k;
	size_t i;

	stats_family(f, "calmilter_findings_total", "counter",
	             "Findings by rule id and kind (fix: a change made, or in "
	             "Mode report one that would be made; report: a "
	             "detection).");
	for (i = 0; i < s->nrules; i++)
		for (k = 0; k < 2; k++)
			if (s->rules[i].n[k] > 0)
				fprintf(f,
				        "calmilter_findings_total{rule=\"%s\","
				        "kind=\"%s\"} %" PRIu64 "\n",
				        s->rules[i].rule, kinds[k],
				        s->rules[i].n[k]);
	for (k = 0; k < 2; k++)
		if (s->other[k] > 0)
			fprintf(f,
			        "calmilter_findings_total{rule=\"other\","
			        "kind=\"%s\"} %" PRIu64 "\n",
			        kinds[k], s->other[k]);
}

/* stats_print - the whole file */
static void
stats_print(FILE *f, const struct stats *s)
{
	unsigned k;

	stats_family(f, "calmilter_messages_total", "counter",
	             "Messages by what became of them.");
	for (k = 0; k < MILT_OUT_N; k++)
		fprintf(
		    f, "calmilter_messages_total{outcome=\"%s\"} %" PRIu64 "\n",
		    stats_outcomes[k], s->msgs[k]);
	stats_print_rules(f, s);
	stats_family(f, "calmilter_message_bytes_total", "counter",
	             "Bytes of the messages counted.");
	fprintf(f, "calmilter_message_bytes_total %" PRIu64 "\n", s->bytes);
	stats_family(f, "calmilter_processing_seconds_total", "counter",
	             "Time from the end of a message to calmilter's verdict.");
	fprintf(
	    f, "calmilter_processing_seconds_total %" PRIu64 ".%06" PRIu64 "\n",
	    s->us / 1000000, s->us % 1000000);
	stats_family(f, "calmilter_reloads_total", "counter",
	             "Configuration reloads (SIGUSR1), taken or refused.");
	fprintf(f, "calmilter_reloads_total{result=\"ok\"} %" PRIu64 "\n",
	        s->reloads[1]);
	fprintf(f, "calmilter_reloads_total{result=\"failed\"} %" PRIu64 "\n",
	        s->reloads[0]);
	stats_family(f, "calmilter_start_time_seconds", "gauge",
	             "When calmilter started, in seconds since the epoch.");
	fprintf(f, "calmilter_start_time_seconds %lld\n", (long long)s->start);
	stats_family(f, "calmilter_stats_time_seconds", "gauge",
	             "When this file was written, in seconds since the epoch.");
	fprintf(f, "calmilter_stats_time_seconds %lld\n",
	        (long long)time(NULL));
}

/* stats_text - the file's content (transfer full), or NULL */
static char *
stats_text(size_t *len)
{
	struct stats *s;
	char *text = NULL;
	FILE *f;

	s = malloc(sizeof(*s));
	if (s == NULL)
		return NULL;
	stats_copy(s);
	f = open_memstream(&text, len);
	if (f != NULL) {
		stats_print(f, s);
		if (fclose(f) != 0) {
			free(text);
			text = NULL;
		}
	}
	free(s);
	return text;
}

/* stats_put - text into a new file tmp; 0, or -1 with errno set */
static int
stats_put(const char *tmp, const char *text, size_t len)
{
	int fd, ret = 0, saved;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	          0644);
	if (fd == -1)
		return -1;
	/* counters are no secret: readable by the collector's user */
	if (fchmod(fd, 0644) == -1 || write(fd, text, len) != (ssize_t)len)
		ret = -1;
	saved = errno;
	if (close(fd) == -1 && ret == 0) {
		ret = -1;
		saved = errno;
	}
	errno = saved;
	return ret;
}

int
milt_stats_write(const char *path)
{
	char tmp[4096], *text;
	size_t len = 0;
	int ret = -1, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	text = stats_text(&len);
	if (text == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if (stats_put(tmp, text, len) == 0 && rename(tmp, path) == 0)
		ret = 0;
	saved = errno;
	if (ret != 0)
		(void)unlink(tmp);
	free(text);
	errno = saved;
	return ret;
}

void
milt_stats_log(void)
{
	char line[1024];
	struct stats *s;
	size_t n = 0;
	unsigned k;

	s = malloc(sizeof(*s));
	if (s == NULL)
		return;
	stats_copy(s);
	for (k = 0; k < MILT_OUT_N && n < sizeof(line); k++)
		n +=
		    (size_t)snprintf(line + n, sizeof(line) - n, " %s=%" PRIu64,
		                     stats_outcomes[k], s->msgs[k]);
	log_info("totals:%s bytes=%" PRIu64 " ms=%" PRIu64 " since=%lld", line,
	         s->bytes, s->us / 1000, (long long)s->start);
	free(s);
}
