/*
 * milt_work.h - the worker processes that do the work on a message
 *
 * The daemon never parses mail in its own threads. mime_process() runs in a
 * small pool of worker processes, each started as `calmilter -W 3` (the
 * binary itself, by posix_spawn, so never a bare fork of the threaded
 * daemon) with one end of a socketpair as fd 3 and two memory files (memfd)
 * as fds 4 and 5. A worker loads what it needs, locks itself in
 * (milt_sandbox.c), says READY, and then answers one request at a time:
 *
 *   daemon -> worker  REQUEST  configuration generation, the configuration
 *                              as text when the worker's is older
 *                              (conf_print() output), processing time, the
 *                              length of the message; the message bytes
 *                              are in the request file (fd 4)
 *   worker -> daemon  RESULT   everything struct mime_result holds, written
 *                              whole into the result file (fd 5); its head
 *                              goes over the channel
 *
 * Every frame is a 16-byte head (magic, type, payload length) and a
 * payload of fixed-width little-endian fields and length-prefixed bytes;
 * each length is checked against a ceiling before anything is allocated,
 * and the daemon treats a worker's answer as untrusted input (it copies
 * the result out of the file before it reads it). The bulk goes through
 * the memory files so that a 10 MB message costs one copy each way, not
 * fifty wake-ups of both processes through a socket buffer.
 *
 * A worker that crashes, is killed, or does not answer within
 * MaxMessageTime is replaced; the message passes unchanged, and its digest
 * goes into a small poison list so that a retry of the same message is
 * passed without being parsed again.
 *
 * None of this needs libmilter; milt.h declares the glue to the callbacks.
 */
#ifndef CALMILTER_MILT_WORK_H
#define CALMILTER_MILT_WORK_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../conf/conf.h"
#include "../mime/mime.h"

/*
 * MILT_SANITIZED - built with ASan, TSan or MSan: their shadow memory alone
 * is terabytes of address space, so workers get no RLIMIT_AS
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MILT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||     \
    __has_feature(memory_sanitizer)
#define MILT_SANITIZED 1
#endif
#endif
#ifndef MILT_SANITIZED
#define MILT_SANITIZED 0
#endif

/* ---- wire format (milt_wire.c) ------------------------------------------- */

#define MILT_WIRE_MAGIC   0x31574d43u /* "CMW1" as little-endian bytes */
#define MILT_WIRE_HEAD    16          /* magic, type, reserved, u64 length */
#define MILT_WIRE_REQ_FIX 28          /* fixed part of a REQUEST payload */
#define MILT_WIRE_VERSION 1           /* in READY: the protocol spoken */
#define MILT_WORKER_FD    3           /* the channel, in the worker */
#define MILT_WORKER_REQ   4           /* the request file, in the worker */
#define MILT_WORKER_RES   5           /* the result file, in the worker */

enum milt_wire_type {
	MILT_WIRE_CONFIG = 1, /* daemon, first: u64 generation, conf text */
	MILT_WIRE_READY,      /* worker: u32 version, u32 pid */
	MILT_WIRE_REQUEST,    /* daemon: one message */
	MILT_WIRE_RESULT      /* worker: what became of it */
};

/* ceilings of a RESULT, each checked before allocating */
#define MILT_WIRE_MAX_EDITS 64
#define MILT_WIRE_MAX_NAME  128                     /* a header field name */
#define MILT_WIRE_MAX_VALUE (64 * 1024)             /* a header field value */
#define MILT_WIRE_MAX_TEXT  1024                    /* a finding's text */
#define MILT_WIRE_MAX_CONF  (256 * 1024)            /* configuration text */
#define MILT_WIRE_MAX_MSG   (1024ULL * 1024 * 1024) /* MaxMessageSize's max */

/*
 * struct milt_wire_buf - a growing byte buffer with a ceiling; or, made by
 * milt_wire_buf_count, one that only counts; or, by milt_wire_buf_fixed,
 * one that writes into memory it does not own and never grows
 */
struct milt_wire_buf {
	uint8_t *p;
	size_t len;
	size_t cap;
	size_t max;
	int failed; /* past max, or out of memory: the buffer is useless */
	int count;  /* count only, store nothing */
	int fixed;  /* p is borrowed: never realloc'd nor freed */
};

void milt_wire_buf_init(struct milt_wire_buf *b, size_t max);
void milt_wire_buf_count(struct milt_wire_buf *b);
void milt_wire_buf_fixed(struct milt_wire_buf *b, void *p, size_t size);
void milt_wire_buf_free(struct milt_wire_buf *b); /* NULL-safe p */

/* milt_wire_head_pack / _unpack - a frame head; unpack: 0 or -1 (bad) */
void milt_wire_head_pack(uint8_t head[MILT_WIRE_HEAD], uint32_t type,
                         uint64_t len);
int milt_wire_head_unpack(const uint8_t head[MILT_WIRE_HEAD], uint32_t *type,
                          uint64_t *len);

/*
 * milt_wire_config_head - head and generation of a CONFIG frame; conf_len
 * bytes of text follow. Returns the bytes written (MILT_WIRE_HEAD + 8).
 */
size_t milt_wire_config_head(uint8_t out[MILT_WIRE_HEAD + 8], uint64_t gen,
                             size_t conf_len);
/* milt_wire_config_unpack - a CONFIG payload; 0, or -1 when malformed */
int milt_wire_config_unpack(uint64_t *gen, const char **conf, size_t *len,
                            const uint8_t *p, size_t n);
/* milt_wire_ready_pack / _unpack - the READY frame (head included) */
void milt_wire_ready_pack(uint8_t out[MILT_WIRE_HEAD + 8], uint32_t pid);
int milt_wire_ready_unpack(uint32_t *version, uint32_t *pid, const uint8_t *p,
                           size_t n);

/*
 * struct milt_request - one message for a worker. conf is NULL (conf_len
 * 0) when the worker already has generation gen. Pointers are borrowed: on
 * the worker's side conf points into the received payload, and msg is
 * NULL until the worker maps the request file.
 */
struct milt_request {
	uint64_t gen;
	int64_t now;
	const char *conf;
	size_t conf_len;
	const uint8_t *msg;
	size_t msg_len;
};

/*
 * milt_wire_request_head - frame head and fixed fields of a REQUEST into
 * out; the conf text follows on the wire as it is (the message bytes go
 * through the request file). Returns the bytes written (MILT_WIRE_HEAD +
 * MILT_WIRE_REQ_FIX).
 */
size_t milt_wire_request_head(uint8_t out[MILT_WIRE_HEAD + MILT_WIRE_REQ_FIX],
                              const struct milt_request *req);
/* milt_wire_request_unpack - a REQUEST payload; 0, or -1 when malformed */
int milt_wire_request_unpack(struct milt_request *req, const uint8_t *p,
                             size_t len);

/*
 * struct milt_wire_stats - what the worker measured, for the log and the
 * benchmarks: its CPU time in total and its peak resident set size.
 */
struct milt_wire_stats {
	uint64_t cpu_us;
	uint64_t maxrss_kb;
};

/*
 * milt_wire_result_pack - a whole RESULT frame (head included) into out.
 * Returns 0, or -1 when out's ceiling was hit or memory ran out.
 */
int milt_wire_result_pack(struct milt_wire_buf *out,
                          const struct mime_result *res,
                          const struct milt_wire_stats *st);
/*
 * milt_wire_result_unpack - a RESULT payload into res (initialized by the
 * caller with mime_result_init). max_body bounds the new body. Every string
 * is checked: header names printable ASCII without ':', values without NUL
 * or CR and folded only as "\n" + blank. Returns 0, or -1 when malformed
 * (res then holds whatever was read so far; mime_result_free frees it).
 */
int milt_wire_result_unpack(struct mime_result *res, struct milt_wire_stats *st,
                            const uint8_t *p, size_t len, size_t max_body);

/* ---- the poison list (milt_poison.c) ------------------------------------- */

#define MILT_POISON_DIGEST 32

struct milt_poison;

/* milt_poison_new - room for max digests, each kept ttl seconds */
struct milt_poison *milt_poison_new(size_t max, time_t ttl);
void milt_poison_free(struct milt_poison *p);
/*
 * milt_poison_digest - SHA-256 of the message without its Received: header
 * fields (a retry arrives with a new one from the receiving MTA).
 */
void milt_poison_digest(const uint8_t *msg, size_t len,
                        uint8_t out[MILT_POISON_DIGEST]);
/* milt_poison_empty - nothing remembered (no digest worth computing) */
int milt_poison_empty(struct milt_poison *p, time_t now);
int milt_poison_has(struct milt_poison *p, const uint8_t *d, time_t now);
void milt_poison_add(struct milt_poison *p, const uint8_t *d, time_t now);

/* ---- the pool (milt_pool.c), in the daemon --------------------------------
 */

struct milt_pool;

/*
 * milt_pool_new - start conf's Workers and wait until each is ready.
 * Call before smfi_main() (before libmilter's threads exist) and after the
 * privilege drop, so that workers never run as root. exe is the calmilter
 * binary (NULL: /proc/self/exe, this very program; the tests name it).
 * (transfer full) NULL with a message in err.
 */
struct milt_pool *milt_pool_new(const struct conf *conf, const char *exe,
                                char *err, size_t errlen);
/*
 * milt_pool_set_conf - a new configuration generation: each worker gets
 * its text with its next request. 0, or -1 on out of memory.
 */
int milt_pool_set_conf(struct milt_pool *pool, const struct conf *conf);
/*
 * milt_pool_hold - a reference to the generation in force (the last
 * milt_pool_set_conf), for milt_pool_run_in; milt_pool_drop lets go.
 */
struct pool_conf;
struct pool_conf *milt_pool_hold(struct milt_pool *pool);
void milt_pool_drop(struct milt_pool *pool, struct pool_conf *cf);
/*
 * milt_pool_stop - no new work; wait (at most MaxMessageTime) for the
 * messages in progress, then end the workers. The struct stays allocated:
 * a late libmilter thread may still ask it for work, and is refused.
 */
void milt_pool_stop(struct milt_pool *pool);

/*
 * struct milt_pool_note - what the summary line says when a message did
 * not get a worker's answer: reason (a word; NULL when the worker
 * answered) and detail.
 */
struct milt_pool_note {
	const char *reason;
	char detail[192];
	struct milt_wire_stats stats; /* of the worker that answered */
};

/*
 * milt_pool_run - mime_process() in a worker. res (uninitialized on entry)
 * receives the worker's result; when there is none, res says unchanged
 * with status CAL_LIMIT (MaxMessageTime: permanent, never tempfailed),
 * CAL_SKIPPED (poisoned: passed without parsing) or CAL_ERROR (the worker
 * crashed, or none was available: OnError decides), and note says why.
 * Free res with mime_result_free.
 */
/*
 * milt_pool_run_in - the same under generation cf (held by the caller), so
 * that a message started before a reload finishes under its configuration
 */
enum cal_status milt_pool_run_in(struct milt_pool *pool, struct pool_conf *cf,
                                 const uint8_t *msg, size_t len, time_t now,
                                 struct mime_result *res,
                                 struct milt_pool_note *note);
enum cal_status milt_pool_run(struct milt_pool *pool, const uint8_t *msg,
                              size_t len, time_t now, struct mime_result *res,
                              struct milt_pool_note *note);

/* ---- the worker process (milt_worker.c, milt_sandbox.c) -------------------
 */

/* milt_worker_main - `calmilter -W FD`: serve requests until EOF; exits */
void milt_worker_main(int fd) __attribute__((noreturn));

/*
 * struct milt_sandbox - what a worker locks itself into. mem 0: no
 * address-space limit (sanitizer builds reserve terabytes of shadow).
 */
struct milt_sandbox {
	size_t mem;  /* RLIMIT_AS, bytes */
	int channel; /* the only fd besides stderr it may write to */
};

/*
 * milt_sandbox_enter - resource limits, Landlock (read-only access to the
 * few trees a worker reads, where the kernel has it) and the seccomp
 * filter. Irrevocable. 0, or -1 with a message in err.
 */
int milt_sandbox_enter(const struct milt_sandbox *sb, char *err, size_t errlen);
/*
 * milt_sandbox_cpu - before each message: the CPU time it may use, on top
 * of what the worker used so far (RLIMIT_CPU; SIGXCPU when it is spent).
 */
void milt_sandbox_cpu(unsigned seconds);

#endif
