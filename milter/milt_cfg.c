/*
 * milt_cfg.c - the configuration in force, and SIGUSR1's reload
 *
 * A struct milt_cfg is one generation: the struct conf, and the pool's
 * generation made from it (the text the workers get). Whoever uses it
 * holds a reference: a connection from its MAIL FROM to the next (or to
 * close), so that a message is finished under the configuration it
 * started with, whatever reloads happen meanwhile; the control thread for
 * a moment. The last reference frees it; the one in force lives until
 * exit (a late libmilter thread may still ask for it).
 *
 * A reload reads the file again, with the command-line overrides on top
 * (main.c's loader). A file with an error is refused -- "FILE:LINE:
 * message" in the log, the old configuration stays. Keys that only a
 * restart can change (the socket, the user, the workers' number and
 * memory, the scope and exemptions of milt_scope.c, ...) keep their
 * running values, and the log names each one
 * that differs. LogLevel takes effect at once.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "milt.h"
#include "milt_work.h"

static pthread_mutex_t cfg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct milt_cfg *cfg_now;   /* the generation in force */
static struct milt_pool *cfg_pool; /* NULL: no workers (tests) */
static struct conf *(*cfg_load)(char *, size_t);

/*
 * cfg_new - a generation for conf (taken over), one reference; or NULL.
 * fresh: a new configuration, the pool gets it (else it has it already).
 */
static struct milt_cfg *
cfg_new(struct conf *conf, int fresh)
{
	struct milt_cfg *cfg;

	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL)
		return NULL;
	if (cfg_pool != NULL) {
		if (fresh && milt_pool_set_conf(cfg_pool, conf) != 0) {
			free(cfg);
			return NULL;
		}
		cfg->gen = milt_pool_hold(cfg_pool);
	}
	cfg->conf = conf;
	cfg->refs = 1;
	return cfg;
}

int
milt_log_prio(int level)
{
	switch (level) {
	case CONF_LOG_ERROR:
		return LOG_ERR;
	case CONF_LOG_WARNING:
		return LOG_WARNING;
	case CONF_LOG_NOTICE:
		return LOG_NOTICE;
	case CONF_LOG_DEBUG:
		return LOG_DEBUG;
	case CONF_LOG_INFO:
	default:
		return LOG_INFO;
	}
}

/* cfg_fixed_str - a string key only a restart changes: keep run's */
static int
cfg_fixed_str(char **now, char *const *run, const char *key)
{
	char *dup = NULL;

	if (*now == NULL ? *run == NULL : *run != NULL && !strcmp(*now, *run))
		return 0;
	if (*run != NULL && (dup = strdup(*run)) == NULL)
		return -1;
	log_notice("reload: %s changes only with a restart; still %s", key,
	           *run != NULL ? *run : "none");
	free(*now);
	*now = dup;
	return 0;
}

/* CFG_FIXED_NUM - a number key only a restart changes: keep run's */
#define CFG_FIXED_NUM(now, run, field, key)                                    \
	do {                                                                   \
		if ((now)->field != (run)->field) {                            \
			log_notice("reload: %s changes only with a restart; "  \
			           "still %llu",                               \
			           key, (unsigned long long)(run)->field);     \
			(now)->field = (run)->field;                           \
		}                                                              \
	} while (0)

int
milt_cfg_keep_fixed(struct conf *now, const struct conf *run)
{
	CFG_FIXED_NUM(now, run, socket_mode, "SocketMode");
	CFG_FIXED_NUM(now, run, umask, "UMask");
	CFG_FIXED_NUM(now, run, workers, "Workers");
	CFG_FIXED_NUM(now, run, worker_memory, "WorkerMemory");
	if (now->syslog_facility != run->syslog_facility) {
		log_notice("reload: Syslog changes only with a restart");
		now->syslog_facility = run->syslog_facility;
	}
	CFG_FIXED_NUM(now, run, exempt_authenticated, "ExemptAuthenticated");
	if (cfg_fixed_str(&now->socket, &run->socket, "Socket") != 0 ||
	    cfg_fixed_str(&now->user_id, &run->user_id, "UserID") != 0 ||
	    cfg_fixed_str(&now->pid_file, &run->pid_file, "PidFile") != 0 ||
	    cfg_fixed_str(&now->scope_domains, &run->scope_domains,
	                  "ScopeDomains") != 0 ||
	    cfg_fixed_str(&now->exempt_networks, &run->exempt_networks,
	                  "ExemptNetworks") != 0 ||
	    cfg_fixed_str(&now->exempt_sender_domains,
	                  &run->exempt_sender_domains,
	                  "ExemptSenderDomains") != 0)
		return -1;
	return 0;
}

int
milt_cfg_init(struct conf *conf, struct milt_pool *pool,
              struct conf *(*load)(char *err, size_t errlen))
{
	cfg_pool = pool;
	cfg_load = load;
	cfg_now = cfg_new(conf, 0);
	return cfg_now != NULL ? 0 : -1;
}

struct milt_cfg *
milt_cfg_hold(void)
{
	struct milt_cfg *cfg;

	pthread_mutex_lock(&cfg_mu);
	cfg = cfg_now;
	cfg->refs++;
	pthread_mutex_unlock(&cfg_mu);
	return cfg;
}

void
milt_cfg_release(struct milt_cfg *cfg)
{
	unsigned left;

	if (cfg == NULL)
		return;
	pthread_mutex_lock(&cfg_mu);
	left = --cfg->refs;
	pthread_mutex_unlock(&cfg_mu);
	if (left > 0)
		return;
	if (cfg->gen != NULL)
		milt_pool_drop(cfg_pool, cfg->gen);
	conf_free(cfg->conf);
	free(cfg);
}

/* cfg_swap - make cfg the generation in force; drop the old one's ref */
static void
cfg_swap(struct milt_cfg *cfg)
{
	struct milt_cfg *old;

	pthread_mutex_lock(&cfg_mu);
	old = cfg_now;
	cfg_now = cfg;
	pthread_mutex_unlock(&cfg_mu);
	milt_cfg_release(old);
}

void
milt_cfg_reload(void)
{
	struct milt_cfg *old, *cfg;
	struct conf *conf;
	char err[1024];

	conf = cfg_load(err, sizeof(err));
	if (conf == NULL) {
		log_warnx("reload refused, the configuration in force stays: "
		          "%s",
		          err);
		milt_stats_reload(0);
		return;
	}
	old = milt_cfg_hold();
	cfg =
	    milt_cfg_keep_fixed(conf, old->conf) == 0 ? cfg_new(conf, 1) : NULL;
	milt_cfg_release(old);
	if (cfg == NULL) {
		log_warnx("reload refused: out of memory");
		conf_free(conf);
		milt_stats_reload(0);
		return;
	}
	log_set_level(milt_log_prio(conf->log_level));
	cfg_swap(cfg);
	milt_stats_reload(1);
	log_notice("configuration reloaded from %s",
	           conf->path != NULL ? conf->path : "(defaults)");
}
