/*
 * milt_threads.c - the stack of libmilter's threads
 *
 * libmilter starts one thread per MTA connection with default attributes:
 * an 8 MB stack (RLIMIT_STACK). With 32 connections that is more than
 * glibc keeps for reuse (40 MB), so every connection mapped a fresh stack,
 * faulted its pages in and unmapped it at the end, and each unmap flushed
 * the TLB of every CPU running one of the daemon's threads: most of the
 * daemon's CPU time on plain mail. Its threads only collect bytes and talk
 * to the workers (the parsing runs there), so a small stack is plenty, and
 * stacks are then reused from one connection to the next.
 */
#define _GNU_SOURCE /* pthread_setattr_default_np */
#include <pthread.h>

#include "milt.h"

#define MILT_THREAD_STACK (512 * 1024)

int
milt_threads_small_stacks(void)
{
	pthread_attr_t a;
	int r;

	if (pthread_attr_init(&a) != 0)
		return -1;
	r = pthread_attr_setstacksize(&a, MILT_THREAD_STACK);
	if (r == 0)
		r = pthread_setattr_default_np(&a);
	(void)pthread_attr_destroy(&a);
	return r == 0 ? 0 : -1;
}
