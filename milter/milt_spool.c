/*
 * milt_spool.c - a message too big to keep in memory goes to a file
 *
 * Past SpoolThreshold a message's bytes go to an unlinked file under
 * /var/tmp (O_TMPFILE: it has no name, and it goes away with its
 * descriptor, whatever happens to the daemon), as clamav-milter and
 * MIMEDefang spool theirs, so that 32 large messages are not 32 copies in
 * RAM. The file is mapped read-only once, at the end of the message, for
 * the body scan and for the copy into a worker's memory file. The workers'
 * memory files cannot serve as the spool: they are RAM (shmem) themselves,
 * and there is one per worker, not per message.
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "milt.h"

#ifndef MILT_SPOOL_DIR
#define MILT_SPOOL_DIR "/var/tmp"
#endif

int
milt_spool_open(void)
{
	return open(MILT_SPOOL_DIR, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
}

/* milt_spool_write - all n bytes at the end of the file, or -1 */
int
milt_spool_write(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* milt_spool_map - the first len bytes, read-only; NULL on failure */
const uint8_t *
milt_spool_map(int fd, size_t len)
{
	void *p;

	if (len == 0)
		return (const uint8_t *)"";
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

void
milt_spool_unmap(const uint8_t *p, size_t len)
{
	if (p != NULL && len > 0)
		(void)munmap((void *)(uintptr_t)p, len);
}
