/*
 * milt_pool.c - the daemon's side of the workers (see milt_work.h)
 *
 * Each slot holds one worker: its pid, the daemon's end of its socketpair
 * (non-blocking; every wait is a poll(2) against the message's deadline),
 * its request and result files (memfd: the message goes in with one
 * pwrite, the result comes out with one pread; the files are emptied after
 * each message), and the configuration generation it has. A libmilter thread
 * takes an idle slot for one message and gives it back; while it holds the
 * slot, nobody else touches it, so the I/O runs without the lock.
 *
 * Workers are started with posix_spawn(3) of /proc/self/exe, never with a
 * bare fork of the threaded daemon: `calmilter -W 3`, the channel as fd 3,
 * the request and result files as fds 4 and 5, every other descriptor closed,
 * signals at their defaults, in a process group of its own (a ^C on the
 * terminal is the daemon's business). The daemon then sends the configuration
 * (CONFIG) and the worker answers READY once it has loaded everything and
 * locked itself in.
 *
 * When a worker fails -- it dies, answers nonsense, or overruns
 * MaxMessageTime (then it is killed) -- it is reaped and a new one is
 * spawned at once, the message passes unchanged, and the message's digest
 * goes into the poison list. A worker found dead while idle, or one that
 * never gets ready, is replaced without blaming a message.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "milt_work.h"

#define POOL_START_MS    30000 /* a new worker must be ready within this */
#define POOL_POISON_MAX  64
#define POOL_POISON_TTL  (24 * 3600)
#define POOL_REPLY_SLACK (16 * 1024 * 1024) /* edits, findings, framing */
#define POOL_KEEP        (32 * 1024 * 1024) /* file pages kept for reuse */

extern char **environ;

struct milt_slot {
	unsigned id;  /* 1-based, for the log */
	pid_t pid;    /* 0: no worker */
	int fd;       /* daemon's end; -1 without a worker */
	int req;      /* the request file (memfd); -1 without a worker */
	int res;      /* the result file (memfd); -1 without a worker */
	int ready;    /* READY received */
	int busy;     /* taken by a thread */
	uint64_t gen; /* configuration the worker has */
	long t0;      /* ms (monotonic) when it was spawned */
};

/*
 * struct pool_conf - one configuration generation as text (conf_print
 * output), shared by the pool and the threads that took it for a message:
 * refs counts them, under the pool's lock.
 */
struct pool_conf {
	unsigned refs;
	uint64_t gen;
	size_t len;
	char *text;
	unsigned timeout; /* MaxMessageTime, seconds */
	size_t max_body;  /* ceiling of a result's new body */
};

struct milt_pool {
	const char *exe; /* the calmilter binary */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct milt_slot *slots;
	size_t n;
	struct pool_conf *conf; /* the generation in force */
	size_t next;            /* where the search for an idle slot starts */
	unsigned busy;
	int stopping;
	struct milt_poison *poison;
};

/* pool_now_ms - the monotonic clock in milliseconds */
static long
pool_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* pool_wait_fd - poll fd for events until deadline: 1 ready, 0 timed out */
static int
pool_wait_fd(int fd, short events, long deadline)
{
	struct pollfd p = {fd, events, 0};
	long left;
	int r;

	for (;;) {
		left = deadline - pool_now_ms();
		if (left <= 0)
			return 0;
		r = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return 1; /* let the read or write report it */
	}
}

/*
 * pool_send - every byte of iov before deadline. 0; -1 when the worker's
 * end is gone; -2 at the deadline.
 */
static int
pool_send(int fd, struct iovec *iov, int iovcnt, long deadline)
{
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)iovcnt};
	ssize_t n;

	while (mh.msg_iovlen > 0) {
		if (mh.msg_iov->iov_len == 0) {
			mh.msg_iov++;
			mh.msg_iovlen--;
			continue;
		}
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (n < 0 && !pool_wait_fd(fd, POLLOUT, deadline))
			return -2;
		for (; n > 0 && mh.msg_iovlen > 0;
		     mh.msg_iov++, mh.msg_iovlen--) {
			if ((size_t)n < mh.msg_iov->iov_len) {
				mh.msg_iov->iov_base =
				    (char *)mh.msg_iov->iov_base + n;
				mh.msg_iov->iov_len -= (size_t)n;
				break;
			}
			n -= (ssize_t)mh.msg_iov->iov_len;
		}
	}
	return 0;
}

/* pool_recv - exactly len bytes before deadline: 0, -1 EOF/error, -2 late */
static int
pool_recv(int fd, void *buf, size_t len, long deadline)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = recv(fd, (char *)buf + got, len - got, 0);
		if (n == 0)
			return -1;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (n < 0 && !pool_wait_fd(fd, POLLIN, deadline))
			return -2;
		if (n > 0)
			got += (size_t)n;
	}
	return 0;
}

/*
 * pool_recv_frame - one frame of the wanted type, at most max bytes of
 * payload (transfer full, free). 0, -1 (EOF, error, wrong frame), -2 late.
 */
static int
pool_recv_frame(int fd, uint32_t want, uint8_t **payload, size_t *len,
                uint64_t max, long deadline)
{
	uint8_t head[MILT_WIRE_HEAD];
	uint32_t type;
	uint64_t n;
	int r;

	*payload = NULL;
	r = pool_recv(fd, head, sizeof(head), deadline);
	if (r != 0)
		return r;
	if (milt_wire_head_unpack(head, &type, &n) != 0 || type != want ||
	    n > max)
		return -1;
	*payload = malloc(n > 0 ? (size_t)n : 1);
	if (*payload == NULL)
		return -1;
	*len = (size_t)n;
	r = pool_recv(fd, *payload, (size_t)n, deadline);
	if (r != 0) {
		free(*payload);
		*payload = NULL;
	}
	return r;
}

/*
 * pool_spawn_child - posix_spawn the worker with fds[0..2] as its fds 3 to
 * 5 (each of them above 5 here, so that no dup2 overwrites another)
 */
static int
pool_spawn_child(const char *exe, pid_t *pid, const int fds[3])
{
	static char arg0[] = "calmilter", arg1[] = "-W", arg2[] = "3";
	char *argv[] = {arg0, arg1, arg2, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int r;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_adddup2(&fa, fds[0], MILT_WORKER_FD);
	posix_spawn_file_actions_adddup2(&fa, fds[1], MILT_WORKER_REQ);
	posix_spawn_file_actions_adddup2(&fa, fds[2], MILT_WORKER_RES);
	posix_spawn_file_actions_addclosefrom_np(&fa, MILT_WORKER_RES + 1);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
	                                  POSIX_SPAWN_SETSIGDEF |
	                                  POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setpgroup(&at, 0);
	r = posix_spawn(pid, exe, &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return r;
}

/* pool_high - fd moved above the worker's fixed ones (close-on-exec) */
static int
pool_high(int fd)
{
	int high;

	if (fd == -1 || fd > MILT_WORKER_RES)
		return fd;
	high = fcntl(fd, F_DUPFD_CLOEXEC, MILT_WORKER_RES + 1);
	close(fd);
	return high;
}

/* pool_close - close the fds that are open and forget them */
static void
pool_close(int *fds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (fds[i] != -1)
			close(fds[i]);
		fds[i] = -1;
	}
}

/*
 * pool_open - the fds of a new worker: fds[0] the daemon's end of the
 * channel (non-blocking), fds[1] the worker's, fds[2] and fds[3] the
 * request and result files. 0, or -1 with errno set and nothing open.
 */
static int
pool_open(int fds[4])
{
	int sv[2] = {-1, -1}, e;

	fds[0] = fds[1] = fds[2] = fds[3] = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0) {
		fds[0] = sv[0];
		fds[1] = pool_high(sv[1]);
		fds[2] =
		    pool_high(memfd_create("calmilter-request", MFD_CLOEXEC));
		fds[3] =
		    pool_high(memfd_create("calmilter-result", MFD_CLOEXEC));
	}
	if (fds[0] == -1 || fds[1] == -1 || fds[2] == -1 || fds[3] == -1 ||
	    fcntl(fds[0], F_SETFL, O_NONBLOCK) == -1) {
		e = errno;
		pool_close(fds, 4);
		errno = e;
		return -1;
	}
	return 0;
}

/*
 * pool_spawn - a new worker for slot s, with the configuration text
 * (generation gen) sent ahead; it becomes ready on its own. 0, or -1 with
 * errno set.
 */
static int
pool_spawn(const char *exe, struct milt_slot *s, const struct pool_conf *cf)
{
	uint8_t head[MILT_WIRE_HEAD + 8];
	struct iovec iov[2];
	int fds[4], r;

	if (pool_open(fds) != 0)
		return -1;
	r = pool_spawn_child(exe, &s->pid, fds + 1);
	pool_close(fds + 1, 1); /* the worker's end of the channel */
	if (r != 0) {
		pool_close(fds, 4);
		s->pid = 0;
		errno = r;
		return -1;
	}
	s->fd = fds[0];
	s->req = fds[2];
	s->res = fds[3];
	s->ready = 0;
	s->gen = cf->gen;
	s->t0 = pool_now_ms();
	iov[0].iov_base = head;
	iov[0].iov_len = milt_wire_config_head(head, cf->gen, cf->len);
	iov[1].iov_base = cf->text;
	iov[1].iov_len = cf->len;
	(void)pool_send(s->fd, iov, 2, s->t0 + POOL_START_MS);
	return 0; /* a failed send shows up as a worker that is never ready */
}

/* pool_status_text - "killed by signal 6 (ABRT)", "exited with status 1" */
static void
pool_status_text(char *buf, size_t len, int status)
{
	const char *abbrev;

	if (WIFSIGNALED(status)) {
		abbrev = sigabbrev_np(WTERMSIG(status));
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
		         abbrev != NULL ? abbrev : "?");
	} else if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
		         WEXITSTATUS(status));
	else
		snprintf(buf, len, "ended");
}

/*
 * pool_reap - end slot s's worker (SIGKILL when kill is set, else wait for
 * it to go after closing its channel) and describe how it ended.
 */
static void
pool_reap(struct milt_slot *s, int kill_it, char *how, size_t len)
{
	int status = 0;
	pid_t r;

	if (kill_it)
		(void)kill(s->pid, SIGKILL);
	pool_close(&s->fd, 1);
	pool_close(&s->req, 1);
	pool_close(&s->res, 1);
	do
		r = waitpid(s->pid, &status, 0);
	while (r == -1 && errno == EINTR);
	if (r == -1)
		snprintf(how, len, "lost (%s)", strerror(errno));
	else
		pool_status_text(how, len, status);
	s->pid = 0;
	s->ready = 0;
}

/* pool_wait_ready - the READY frame of a new worker: 0, or -1 */
static int
pool_wait_ready(struct milt_slot *s, long deadline)
{
	uint32_t version = 0, pid = 0;
	uint8_t *p = NULL;
	size_t len = 0;
	int r;

	if (deadline > s->t0 + POOL_START_MS)
		deadline = s->t0 + POOL_START_MS;
	r = pool_recv_frame(s->fd, MILT_WIRE_READY, &p, &len, 8, deadline);
	if (r == 0 && (milt_wire_ready_unpack(&version, &pid, p, len) != 0 ||
	               version != MILT_WIRE_VERSION || pid != (uint32_t)s->pid))
		r = -1;
	free(p);
	if (r == 0)
		s->ready = 1;
	return r;
}

/* pool_idle_dead - has an idle worker died or said something unasked? */
static int
pool_idle_dead(const struct milt_slot *s)
{
	struct pollfd p = {s->fd, POLLIN, 0};

	return poll(&p, 1, 0) != 0;
}

/* pool_conf_text - conf as conf_print writes it (transfer full) */
static char *
pool_conf_text(const struct conf *conf, size_t *len)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f;

	f = open_memstream(&text, &n);
	if (f == NULL)
		return NULL;
	conf_print(conf, f);
	if (fclose(f) != 0 || n > MILT_WIRE_MAX_CONF) {
		free(text);
		return NULL;
	}
	*len = n;
	return text;
}

/* pool_conf_drop - one reference less; the caller holds the lock */
static void
pool_conf_drop(struct pool_conf *cf)
{
	if (cf != NULL && --cf->refs == 0) {
		free(cf->text);
		free(cf);
	}
}

int
milt_pool_set_conf(struct milt_pool *pool, const struct conf *conf)
{
	struct pool_conf *cf;

	cf = calloc(1, sizeof(*cf));
	if (cf == NULL)
		return -1;
	cf->text = pool_conf_text(conf, &cf->len);
	if (cf->text == NULL) {
		free(cf);
		return -1;
	}
	cf->refs = 1;
	cf->timeout = conf->max_message_time;
	cf->max_body = 4 * conf->max_message_size + POOL_REPLY_SLACK;
	pthread_mutex_lock(&pool->mu);
	cf->gen = pool->conf != NULL ? pool->conf->gen + 1 : 1;
	pool_conf_drop(pool->conf);
	pool->conf = cf;
	pthread_mutex_unlock(&pool->mu);
	return 0;
}

struct pool_conf *
milt_pool_hold(struct milt_pool *pool)
{
	struct pool_conf *cf;

	pthread_mutex_lock(&pool->mu);
	cf = pool->conf;
	cf->refs++;
	pthread_mutex_unlock(&pool->mu);
	return cf;
}

void
milt_pool_drop(struct milt_pool *pool, struct pool_conf *cf)
{
	pthread_mutex_lock(&pool->mu);
	pool_conf_drop(cf);
	pthread_mutex_unlock(&pool->mu);
}

/* pool_start_all - spawn every slot's worker and wait until all are ready */
static int
pool_start_all(struct milt_pool *pool, char *err, size_t errlen)
{
	struct pool_conf *cf = pool->conf;
	char how[96];
	size_t i;

	for (i = 0; i < pool->n; i++) {
		if (pool_spawn(pool->exe, &pool->slots[i], cf) != 0) {
			snprintf(err, errlen, "cannot start worker %zu: %s",
			         i + 1, strerror(errno));
			return -1;
		}
	}
	for (i = 0; i < pool->n; i++) {
		if (pool_wait_ready(&pool->slots[i],
		                    pool_now_ms() + POOL_START_MS) != 0) {
			pool_reap(&pool->slots[i], 1, how, sizeof(how));
			snprintf(err, errlen, "worker %zu did not start: %s",
			         i + 1, how);
			return -1;
		}
	}
	return 0;
}

/* pool_free - everything; only when no thread can use the pool */
static void
pool_free(struct milt_pool *pool)
{
	pthread_mutex_destroy(&pool->mu);
	pthread_cond_destroy(&pool->cv);
	pool_conf_drop(pool->conf);
	milt_poison_free(pool->poison);
	free(pool->slots);
	free(pool);
}

/* pool_alloc - an empty pool for conf (transfer full), or NULL */
static struct milt_pool *
pool_alloc(const struct conf *conf, const char *exe)
{
	pthread_condattr_t ca;
	struct milt_pool *pool;
	size_t i;

	pool = calloc(1, sizeof(*pool));
	if (pool == NULL)
		return NULL;
	pool->exe = exe != NULL ? exe : "/proc/self/exe";
	pool->n = conf->workers;
	pool->slots = calloc(pool->n, sizeof(*pool->slots));
	pool->poison = milt_poison_new(POOL_POISON_MAX, POOL_POISON_TTL);
	pthread_mutex_init(&pool->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&pool->cv, &ca);
	pthread_condattr_destroy(&ca);
	for (i = 0; pool->slots != NULL && i < pool->n; i++) {
		pool->slots[i].id = (unsigned)i + 1;
		pool->slots[i].fd = -1;
		pool->slots[i].req = -1;
		pool->slots[i].res = -1;
	}
	if (pool->slots == NULL || pool->poison == NULL ||
	    milt_pool_set_conf(pool, conf) != 0) {
		pool_free(pool);
		return NULL;
	}
	return pool;
}

struct milt_pool *
milt_pool_new(const struct conf *conf, const char *exe, char *err,
              size_t errlen)
{
	struct milt_pool *pool;

	pool = pool_alloc(conf, exe);
	if (pool == NULL) {
		snprintf(err, errlen, "out of memory for the worker pool");
		return NULL;
	}
	if (pool_start_all(pool, err, errlen) != 0) {
		milt_pool_stop(pool);
		pool_free(pool); /* no thread has seen it */
		return NULL;
	}
	return pool;
}

/* pool_end - close the channel, give the worker 2 s to go, then kill it */
static void
pool_end(struct milt_slot *s)
{
	long deadline = pool_now_ms() + 2000;
	char how[96];

	if (s->pid == 0)
		return;
	pool_close(&s->fd, 1);
	while (waitpid(s->pid, NULL, WNOHANG) == 0 && pool_now_ms() < deadline)
		(void)poll(NULL, 0, 20);
	if (kill(s->pid, 0) == 0)
		pool_reap(s, 1, how, sizeof(how));
	s->pid = 0;
}

void
milt_pool_stop(struct milt_pool *pool)
{
	struct timespec ts;
	long deadline;
	size_t i;

	pthread_mutex_lock(&pool->mu);
	deadline = pool_now_ms() + (long)pool->conf->timeout * 1000 + 2000;
	ts.tv_sec = deadline / 1000;
	ts.tv_nsec = (deadline % 1000) * 1000000;
	pool->stopping = 1;
	pthread_cond_broadcast(&pool->cv);
	while (pool->busy > 0 &&
	       pthread_cond_timedwait(&pool->cv, &pool->mu, &ts) != ETIMEDOUT)
		;
	for (i = 0; i < pool->n; i++)
		if (!pool->slots[i].busy)
			pool_end(&pool->slots[i]);
	pthread_mutex_unlock(&pool->mu);
}

/* ---- one message ----------------------------------------------------------
 */

/*
 * pool_acquire - an idle slot (round robin, so that a worker that died
 * while idle is noticed soon) and a reference to *cf, or when that is NULL
 * to the configuration in force; *deadline is now plus its MaxMessageTime.
 * NULL when none is free before then, or the pool is stopping (*why says
 * which).
 */
static struct milt_slot *
pool_acquire(struct milt_pool *pool, struct pool_conf **cf, long *deadline,
             const char **why)
{
	struct milt_slot *s = NULL;
	struct timespec ts;
	size_t i;

	pthread_mutex_lock(&pool->mu);
	if (*cf == NULL)
		*cf = pool->conf;
	*deadline = pool_now_ms() + (long)(*cf)->timeout * 1000;
	ts.tv_sec = *deadline / 1000;
	ts.tv_nsec = (*deadline % 1000) * 1000000;
	while (s == NULL && !pool->stopping) {
		for (i = 0; i < pool->n && s == NULL; i++) {
			s = &pool->slots[(pool->next + i) % pool->n];
			if (s->busy)
				s = NULL;
		}
		if (s == NULL && pthread_cond_timedwait(&pool->cv, &pool->mu,
		                                        &ts) == ETIMEDOUT)
			break;
	}
	if (s != NULL) {
		pool->next = s->id % pool->n; /* round robin: each gets used */
		s->busy = 1;
		pool->busy++;
		(*cf)->refs++;
	} else
		*why = pool->stopping ? "stopping" : "busy";
	pthread_mutex_unlock(&pool->mu);
	return s;
}

static void
pool_release(struct milt_pool *pool, struct milt_slot *s, struct pool_conf *cf)
{
	pthread_mutex_lock(&pool->mu);
	s->busy = 0;
	pool->busy--;
	pool_conf_drop(cf);
	pthread_cond_broadcast(&pool->cv);
	pthread_mutex_unlock(&pool->mu);
}

/*
 * pool_ready - make s hold a ready worker: replace one that died while
 * idle, spawn one where there is none, wait for its READY. 0, or -1 with
 * note->detail set.
 */
static int
pool_ready(const char *exe, struct milt_slot *s, const struct pool_conf *cf,
           long deadline, struct milt_pool_note *note)
{
	char how[96];
	pid_t pid = s->pid;

	if (pid != 0 && s->ready && pool_idle_dead(s)) {
		pool_reap(s, 1, how, sizeof(how));
		log_warnx("worker %u (pid %d) %s while idle; replaced", s->id,
		          (int)pid, how);
	}
	if (s->pid == 0 && pool_spawn(exe, s, cf) != 0) {
		snprintf(note->detail, sizeof(note->detail),
		         "cannot start worker %u: %s", s->id, strerror(errno));
		return -1;
	}
	if (s->ready)
		return 0;
	pid = s->pid;
	if (pool_wait_ready(s, deadline) == 0)
		return 0;
	pool_reap(s, 1, how, sizeof(how));
	snprintf(note->detail, sizeof(note->detail),
	         "worker %u (pid %d) did not get ready: %s", s->id, (int)pid,
	         how);
	return -1;
}

/*
 * pool_put - the message into the request file, and the result file with
 * room up to the ceiling (sparse: it costs nothing until the worker
 * writes). Pages written for earlier messages are reused: memory touched
 * for the first time is what a big message pays for most (POOL_KEEP).
 * 0, or -1 with errno set.
 */
static int
pool_put(const struct milt_slot *s, const uint8_t *msg, size_t len,
         uint64_t room)
{
	size_t off = 0;
	struct stat st;
	ssize_t n;

	if (fstat(s->req, &st) == -1 ||
	    ((uint64_t)st.st_size < len && ftruncate(s->req, (off_t)len) == -1))
		return -1;
	if (fstat(s->res, &st) == -1 || ((uint64_t)st.st_size != room &&
	                                 ftruncate(s->res, (off_t)room) == -1))
		return -1;
	while (off < len) {
		n = pwrite(s->req, msg + off, len - off, (off_t)off);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0)
			off += (size_t)n;
	}
	return 0;
}

/*
 * pool_get - the RESULT the worker wrote into its file, after its head
 * came over the channel, mapped read-only (*map, *maplen: munmap them).
 * The worker could still write the file while it is read, so the reading
 * takes every length once and checks what it copies, never the mapping
 * (milt_wire.c). 0, -1 (broken), -2 (late).
 */
static int
pool_get(const struct milt_slot *s, uint64_t max, void **map, size_t *maplen,
         long deadline)
{
	uint8_t head[MILT_WIRE_HEAD];
	struct stat st;
	uint32_t type;
	uint64_t n;
	int r;

	*map = NULL;
	if ((r = pool_recv(s->fd, head, sizeof(head), deadline)) != 0)
		return r;
	if (milt_wire_head_unpack(head, &type, &n) != 0 ||
	    type != MILT_WIRE_RESULT || n > max || fstat(s->res, &st) != 0 ||
	    (uint64_t)st.st_size < MILT_WIRE_HEAD + n)
		return -1;
	*maplen = MILT_WIRE_HEAD + (size_t)n;
	*map = mmap(NULL, *maplen, PROT_READ, MAP_PRIVATE | MAP_POPULATE,
	            s->res, 0);
	if (*map == MAP_FAILED) {
		*map = NULL;
		return -1;
	}
	return 0;
}

/*
 * pool_exchange - one REQUEST and its RESULT. 0; -1 the worker died or
 * broke the protocol; -2 the deadline passed; -3 the message could not
 * be handed over (errno: the daemon's trouble, not the message's).
 */
static int
pool_exchange(struct milt_slot *s, const struct pool_conf *cf,
              const uint8_t *msg, size_t len, time_t now,
              struct mime_result *res, struct milt_pool_note *note,
              long deadline)
{
	uint8_t head[MILT_WIRE_HEAD + MILT_WIRE_REQ_FIX];
	struct milt_request req = {cf->gen, (int64_t)now, NULL, 0, msg, len};
	uint64_t max = (uint64_t)cf->max_body + POOL_REPLY_SLACK;
	struct iovec iov[2];
	size_t maplen = 0;
	void *map = NULL;
	int r;

	if (s->gen != cf->gen) {
		req.conf = cf->text;
		req.conf_len = cf->len;
	}
	if (pool_put(s, msg, len, MILT_WIRE_HEAD + max) != 0)
		return -3;
	iov[0].iov_base = head;
	iov[0].iov_len = milt_wire_request_head(head, &req);
	iov[1].iov_base = (void *)(uintptr_t)req.conf;
	iov[1].iov_len = req.conf_len;
	r = pool_send(s->fd, iov, 2, deadline);
	if (r == 0)
		r = pool_get(s, max, &map, &maplen, deadline);
	if (r == 0 &&
	    milt_wire_result_unpack(res, &note->stats,
	                            (const uint8_t *)map + MILT_WIRE_HEAD,
	                            maplen - MILT_WIRE_HEAD, cf->max_body) != 0)
		r = -1;
	if (map != NULL)
		(void)munmap(map, maplen);
	if (len > POOL_KEEP || maplen > POOL_KEEP) { /* too many to keep */
		(void)!ftruncate(s->req, 0);
		(void)!ftruncate(s->res, 0);
	}
	if (r == 0)
		s->gen = cf->gen;
	return r;
}

/* pool_unchanged - res says "unchanged" with status st and why */
static enum cal_status
pool_unchanged(struct mime_result *res, enum cal_status st,
               enum mime_reason why, struct milt_pool_note *note,
               const char *reason)
{
	mime_result_free(res);
	mime_result_init(res);
	res->status = st;
	res->reason = why;
	snprintf(res->detail, sizeof(res->detail), "%.*s",
	         (int)sizeof(res->detail) - 1, note->detail);
	note->reason = reason;
	return st;
}

/*
 * pool_failed - the worker of s failed on this message: replace it,
 * remember the message, and say so
 */
static enum cal_status
pool_failed(struct milt_pool *pool, struct milt_slot *s,
            const struct pool_conf *cf, int why, const uint8_t *msg, size_t len,
            struct mime_result *res, struct milt_pool_note *note)
{
	uint8_t digest[MILT_POISON_DIGEST];
	pid_t pid = s->pid;
	char how[96];

	pool_reap(s, 1, how, sizeof(how));
	milt_poison_digest(msg, len, digest);
	milt_poison_add(pool->poison, digest, time(NULL));
	if (pool_spawn(pool->exe, s, cf) != 0)
		log_warn("cannot start a new worker %u", s->id);
	if (why == -2) {
		snprintf(note->detail, sizeof(note->detail),
		         "MaxMessageTime (%u s): worker %u (pid %d) killed and "
		         "replaced",
		         cf->timeout, s->id, (int)pid);
		return pool_unchanged(res, CAL_LIMIT, MIME_REASON_LIMIT, note,
		                      "limit");
	}
	snprintf(note->detail, sizeof(note->detail),
	         "worker %u (pid %d) %s; replaced", s->id, (int)pid, how);
	return pool_unchanged(res, CAL_ERROR, MIME_REASON_ERROR, note,
	                      "worker");
}

/* pool_poisoned - is this message one that crashed a worker before? */
static int
pool_poisoned(struct milt_pool *pool, const uint8_t *msg, size_t len)
{
	uint8_t digest[MILT_POISON_DIGEST];
	time_t now = time(NULL);

	if (milt_poison_empty(pool->poison, now))
		return 0;
	milt_poison_digest(msg, len, digest);
	return milt_poison_has(pool->poison, digest, now);
}

enum cal_status
milt_pool_run(struct milt_pool *pool, const uint8_t *msg, size_t len,
              time_t now, struct mime_result *res, struct milt_pool_note *note)
{
	return milt_pool_run_in(pool, NULL, msg, len, now, res, note);
}

enum cal_status
milt_pool_run_in(struct milt_pool *pool, struct pool_conf *cf,
                 const uint8_t *msg, size_t len, time_t now,
                 struct mime_result *res, struct milt_pool_note *note)
{
	long deadline = 0;
	const char *why = NULL;
	struct milt_slot *s;
	enum cal_status st;
	int r;

	memset(note, 0, sizeof(*note));
	mime_result_init(res);
	if (pool_poisoned(pool, msg, len)) {
		snprintf(note->detail, sizeof(note->detail),
		         "the message crashed a worker before; passed without "
		         "parsing");
		return pool_unchanged(res, CAL_SKIPPED, MIME_REASON_NONE, note,
		                      "poisoned");
	}
	s = pool_acquire(pool, &cf, &deadline, &why);
	if (s == NULL) {
		snprintf(note->detail, sizeof(note->detail), "%s",
		         why[0] == 's'
		             ? "calmilter is stopping"
		             : "no worker free within MaxMessageTime");
		return pool_unchanged(res, CAL_ERROR, MIME_REASON_ERROR, note,
		                      why);
	}
	if (pool_ready(pool->exe, s, cf, deadline, note) != 0)
		st = pool_unchanged(res, CAL_ERROR, MIME_REASON_ERROR, note,
		                    "worker");
	else if ((r = pool_exchange(s, cf, msg, len, now, res, note,
	                            deadline)) == -3) {
		snprintf(note->detail, sizeof(note->detail),
		         "cannot hand the message to worker %u: %s", s->id,
		         strerror(errno));
		st = pool_unchanged(res, CAL_ERROR, MIME_REASON_ERROR, note,
		                    "error");
	} else if (r != 0)
		st = pool_failed(pool, s, cf, r, msg, len, res, note);
	else
		st = res->status;
	pool_release(pool, s, cf);
	return st;
}
