/*
 * main.c - calmilter: options, configuration, start-up, smfi_main()
 *
 * Start-up order: options, configuration file, command-line overrides,
 * logging, library init, the user to become (started as root, calmilter
 * refuses to run on as root), the socket (opened here so that a bad socket
 * fails at once, on the terminal; SocketMode, UMask, owned by that user),
 * detach, pid file, privilege drop, the
 * worker processes (milt_pool.c: started before libmilter creates its
 * threads, and as the unprivileged user), the control thread, smfi_main().
 * libmilter's own signal thread turns SIGHUP, SIGTERM and SIGINT into a
 * stop; SIGUSR1 (reload) and SIGUSR2 (StatsFile) are the control thread's
 * (milt_control.c). No signal handlers are installed.
 *
 * `calmilter -W 3` is how the daemon starts a worker (milt_worker.c); it is
 * not for use by hand.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "milt.h"
#include "milt_work.h"
#include "milt_policy.h"
#include "../mime/mime.h"

struct main_opts {
	const char *conf_path; /* -c; NULL: the default, if present */
	const char *socket;    /* -p */
	const char *user;      /* -u */
	const char *pid_file;  /* -P */
	int foreground;        /* -f */
	int check;             /* -n */
	int worker_fd;         /* -W: run as a worker on this channel */
};

static void
main_usage(FILE *out)
{
	fprintf(out, "usage: calmilter [-fhnV] [-c file] [-P pidfile] "
	             "[-p socket] [-u user[:group]]\n");
}

/* main_args - parse the options; exits on -h, -V and usage errors */
static void
main_args(struct main_opts *o, int argc, char **argv)
{
	int ch;

	while ((ch = getopt(argc, argv, "c:fhnP:p:u:VW:")) != -1) {
		switch (ch) {
		case 'c':
			o->conf_path = optarg;
			break;
		case 'f':
			o->foreground = 1;
			break;
		case 'n':
			o->check = 1;
			break;
		case 'P':
			o->pid_file = optarg;
			break;
		case 'p':
			o->socket = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'h':
			main_usage(stdout);
			exit(0);
		case 'V':
			printf("calmilter %s\n", CALMILTER_VERSION);
			exit(0);
		case 'W': /* the daemon starting a worker on fd 3 */
			o->worker_fd = strcmp(optarg, "3") == 0 ? 3 : -2;
			break;
		default:
			main_usage(stderr);
			exit(2);
		}
	}
	if (optind != argc || o->worker_fd == -2) {
		main_usage(stderr);
		exit(2);
	}
}

/* main_override - one command-line option over the file: 0, or -1 */
static int
main_override(struct conf *c, const char *key, const char *value,
              const char *opt, char *err, size_t errlen)
{
	if (value == NULL)
		return 0;
	return conf_set(c, key, value, opt, err, errlen);
}

static const struct main_opts *main_o; /* for a reload */

/*
 * main_load - the file (or the defaults when there is none and -c was not
 * given), then the command-line overrides: (transfer full), or NULL with
 * a message in err. *defaults: the file was not there.
 */
static struct conf *
main_load(const struct main_opts *o, int *defaults, char *err, size_t errlen)
{
	const char *path = o->conf_path ? o->conf_path : CONF_DEFAULT_PATH;
	struct conf *c;
	char perr[512];

	*defaults =
	    o->conf_path == NULL && access(path, F_OK) == -1 && errno == ENOENT;
	if (*defaults)
		c = conf_new_default();
	else
		c = conf_load(path, err, errlen);
	if (c == NULL && *defaults)
		snprintf(err, errlen, "out of memory");
	if (c != NULL &&
	    (main_override(c, "Socket", o->socket, "-p", err, errlen) != 0 ||
	     main_override(c, "UserID", o->user, "-u", err, errlen) != 0 ||
	     main_override(c, "PidFile", o->pid_file, "-P", err, errlen) != 0)) {
		conf_free(c);
		c = NULL;
	}
	if (c != NULL && milt_policy_check(c, perr, sizeof(perr)) != 0) {
		snprintf(err, errlen, "%s: %s", *defaults ? "defaults" : path,
		         perr);
		conf_free(c);
		c = NULL;
	}
	return c;
}

/* main_reload - SIGUSR1's reading of the configuration (milt_cfg.c) */
static struct conf *
main_reload(char *err, size_t errlen)
{
	int defaults;

	return main_load(main_o, &defaults, err, errlen);
}

/* main_conf - the configuration in force (transfer full); exits on error */
static struct conf *
main_conf(const struct main_opts *o, int *defaults)
{
	struct conf *c;
	char err[512];

	c = main_load(o, defaults, err, sizeof(err));
	if (c == NULL) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	return c;
}

/* main_listen - register the callbacks and open the socket, or exit */
static void
main_listen(const struct conf *c)
{
	(void)umask((mode_t)c->umask);
	if (smfi_setconn(c->socket) != MI_SUCCESS)
		fatalx("bad socket \"%s\"", c->socket);
	if (smfi_settimeout((int)c->mta_timeout) != MI_SUCCESS)
		fatalx("bad MtaTimeout %u", c->mta_timeout);
	if (milt_register(c) != MI_SUCCESS)
		fatalx("smfi_register failed");
	if (smfi_opensocket(1) != MI_SUCCESS)
		fatalx("cannot open socket \"%s\"", c->socket);
	if (milt_socket_chmod(c->socket, c->socket_mode) != 0)
		fatal("chmod %04o %s", c->socket_mode, c->socket);
}

/* main_user_is_us - does UserID name the user we already are? */
static int
main_user_is_us(const char *spec)
{
	struct milt_user u;
	char err[512];

	return milt_user_lookup(&u, spec, err, sizeof(err)) == 0 &&
	       u.uid == getuid();
}

/*
 * main_user - whom to become; 0: stay as we are. Exits on a bad UserID,
 * and when started as root without one: calmilter parses mail from the
 * internet and never does so as root.
 */
static int
main_user(const struct conf *c, struct milt_user *u)
{
	char err[512];

	if (getuid() != 0) {
		if (c->user_id != NULL && !main_user_is_us(c->user_id))
			log_notice("not started as root: UserID %s ignored",
			           c->user_id);
		return 0;
	}
	if (c->user_id == NULL)
		fatalx("started as root with UserID none: refusing to run as "
		       "root (set UserID to an unprivileged user)");
	if (milt_user_lookup(u, c->user_id, err, sizeof(err)) != 0)
		fatalx("%s", err);
	if (u->uid == 0 || u->gid == 0)
		fatalx("UserID %s is root (uid or gid 0): refusing to run as "
		       "root",
		       c->user_id);
	return 1;
}

/* main_detach - daemonize unless -f; logging then goes to syslog only */
static void
main_detach(const struct conf *c, int foreground)
{
	if (foreground)
		return;
	if (c->syslog_facility == CONF_SYSLOG_NONE)
		log_warnx("Syslog is off and -f not given: nothing will be "
		          "logged");
	if (milt_daemonize() != 0)
		fatal("daemonize");
	log_init("calmilter", 0, c->syslog_facility,
	         milt_log_prio(c->log_level));
}

/* main_become - pid file (while still root), then drop privileges */
static void
main_become(const struct conf *c, const struct milt_user *u, int drop)
{
	char err[512];

	if (c->pid_file != NULL && milt_pidfile_write(c->pid_file) != 0)
		fatal("pid file %s", c->pid_file);
	if (drop && milt_user_become(u, err, sizeof(err)) != 0)
		fatalx("%s", err);
	if (getuid() == 0 || geteuid() == 0)
		fatalx("still root: refusing to run as root");
}

/*
 * main_pool - the workers, the configuration in force (milt_cfg.c takes c
 * over: main must not use it afterwards) and the control thread; or exit
 */
static struct milt_pool *
main_pool(struct conf *c)
{
	struct milt_pool *pool;
	char err[512];

	pool = milt_pool_new(c, NULL, err, sizeof(err));
	if (pool == NULL)
		fatalx("%s", err);
	log_info("%u worker processes started", c->workers);
	milt_use_pool(pool);
	if (milt_cfg_init(c, pool, main_reload) != 0)
		fatalx("out of memory");
	milt_stats_reset();
	if (milt_control_start() != 0)
		fatal("control thread");
	return pool;
}

/* main_end - after smfi_main: the last numbers, the pid file, the rest */
static void
main_end(struct milt_pool *pool)
{
	struct milt_cfg *cfg;

	milt_pool_stop(pool);
	milt_control_stop();
	milt_stats_log();
	log_info("calmilter %s exiting", CALMILTER_VERSION);
	cfg = milt_cfg_hold();
	if (cfg->conf->pid_file != NULL)
		milt_pidfile_remove(cfg->conf->pid_file);
	milt_cfg_release(cfg);
}

int
main(int argc, char **argv)
{
	struct main_opts o = {.conf_path = NULL, .worker_fd = -1};
	struct milt_user u = {.uid = 0};
	struct milt_pool *pool;
	struct conf *c;
	int defaults, drop, ret;

	main_args(&o, argc, argv);
	if (o.worker_fd >= 0)
		milt_worker_main(o.worker_fd);
	main_o = &o;
	milt_control_block(); /* SIGUSR1, SIGUSR2: before any thread */
	c = main_conf(&o, &defaults);
	if (o.check) {
		if (defaults)
			fprintf(stderr, "%s not found: built-in defaults\n",
			        CONF_DEFAULT_PATH);
		conf_print(c, stdout);
		conf_free(c);
		return 0;
	}
	log_init("calmilter", 1, c->syslog_facility,
	         milt_log_prio(c->log_level));
	if (defaults)
		log_notice("%s not found: running on built-in defaults",
		           CONF_DEFAULT_PATH);
	mime_init();
	drop = main_user(c, &u); /* refuse before there is a socket */
	main_listen(c);
	if (drop)
		milt_socket_chown(c->socket, &u);
	main_detach(c, o.foreground);
	main_become(c, &u, drop);
	log_info("calmilter %s starting on %s", CALMILTER_VERSION, c->socket);
	pool = main_pool(c); /* c is milt_cfg.c's from here on */
	if (milt_threads_small_stacks() != 0)
		log_warnx("cannot set the threads' stack size: default kept");
	ret = smfi_main();
	main_end(pool);
	return ret == MI_SUCCESS ? 0 : 1;
}
