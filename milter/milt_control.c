/*
 * milt_control.c - the daemon's control thread: signals and the clock
 *
 * libmilter's own signal thread takes SIGHUP, SIGTERM and SIGINT (each a
 * stop). SIGUSR1 and SIGUSR2 are this thread's: main() blocks them before
 * any other thread exists (milt_control_block), so every thread inherits
 * the mask, and this one takes them with sigtimedwait(2) -- plain code,
 * no signal handler. SIGUSR1 reloads the configuration (milt_cfg.c);
 * SIGUSR2, and every StatsInterval seconds, writes StatsFile
 * (milt_stats.c); at start, after a reload and every hour it removes the
 * originals older than KeepDays (milt_keep.c). These settings are read
 * from the configuration in force each time round, so a reload changes
 * them too.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "milt.h"

#define CTL_IDLE_S   3600 /* no StatsFile: wake up now and then anyway */
#define CTL_EXPIRE_S 3600 /* KeepOriginals: look for old files this often */

static pthread_t ctl_thread;
static atomic_int ctl_stopping;
static int ctl_running;
static int ctl_failing; /* the last write failed: said once */

/* ctl_signals - the set this thread waits for */
static void
ctl_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGUSR2);
}

void
milt_control_block(void)
{
	sigset_t set;

	ctl_signals(&set);
	(void)pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* ctl_now - the monotonic clock, seconds */
static time_t
ctl_now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* ctl_write - StatsFile of the configuration in force, if it has one */
static void
ctl_write(void)
{
	struct milt_cfg *cfg = milt_cfg_hold();
	const char *path = cfg->conf->stats_file;

	if (path != NULL && milt_stats_write(path) != 0) {
		if (!ctl_failing)
			log_warn("StatsFile %s", path);
		ctl_failing = 1;
	} else if (path != NULL) {
		if (ctl_failing)
			log_notice("StatsFile %s written again", path);
		ctl_failing = 0;
	}
	milt_cfg_release(cfg);
}

/* ctl_expire - KeepOriginals: what is older than KeepDays goes */
static void
ctl_expire(void)
{
	struct milt_cfg *cfg = milt_cfg_hold();

	if (cfg->conf->keep_originals != NULL)
		(void)milt_keep_expire(cfg->conf->keep_originals,
		                       cfg->conf->keep_days);
	milt_cfg_release(cfg);
}

/* ctl_interval - StatsInterval in force, or CTL_IDLE_S without a file */
static time_t
ctl_interval(void)
{
	struct milt_cfg *cfg = milt_cfg_hold();
	time_t s = CTL_IDLE_S;

	if (cfg->conf->stats_file != NULL)
		s = (time_t)cfg->conf->stats_interval;
	milt_cfg_release(cfg);
	return s;
}

/* ctl_wait - the timeout until the earlier of two times */
static void
ctl_wait(struct timespec *ts, time_t a, time_t b)
{
	time_t now = ctl_now(), t = a < b ? a : b;

	ts->tv_sec = t > now ? t - now : 0;
	ts->tv_nsec = 0;
}

static void *
ctl_main(void *arg)
{
	time_t next = ctl_now() + ctl_interval(), expire = ctl_now();
	struct timespec ts;
	sigset_t set;
	int sig;

	(void)arg;
	ctl_signals(&set);
	while (!atomic_load(&ctl_stopping)) {
		ctl_wait(&ts, next, expire);
		sig = sigtimedwait(&set, NULL, &ts);
		if (atomic_load(&ctl_stopping))
			break;
		if (sig == SIGUSR1) {
			milt_cfg_reload();
			next = ctl_now() + ctl_interval(); /* it may be new */
			expire = ctl_now();                /* so may KeepDays */
			continue;
		}
		if (sig == SIGUSR2 || ctl_now() >= next)
			ctl_write();
		if (ctl_now() >= next)
			next = ctl_now() + ctl_interval();
		if (ctl_now() >= expire) {
			ctl_expire();
			expire = ctl_now() + CTL_EXPIRE_S;
		}
	}
	return NULL;
}

/*
 * milt_control_start - the thread starts with every signal blocked: the
 * stop signals are libmilter's signal thread's, which smfi_main starts
 * later, and a thread that left SIGTERM open would be killed by it
 */
int
milt_control_start(void)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	(void)pthread_sigmask(SIG_BLOCK, &all, &old);
	r = pthread_create(&ctl_thread, NULL, ctl_main, NULL);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		errno = r;
		return -1;
	}
	ctl_running = 1;
	return 0;
}

void
milt_control_stop(void)
{
	if (!ctl_running)
		return;
	atomic_store(&ctl_stopping, 1);
	(void)pthread_kill(ctl_thread, SIGUSR2);
	(void)pthread_join(ctl_thread, NULL);
	ctl_running = 0;
	ctl_write(); /* the final numbers */
}
