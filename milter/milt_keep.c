/*
 * milt_keep.c - KeepOriginals: the original of each rewritten message
 *
 * When calmilter has rewritten a message, the daemon (never a worker: the
 * workers may not open a file for writing) keeps the bytes it received --
 * the header block as the MTA relayed it, CRLF line ends, and the body --
 * in KeepOriginals/QUEUEID.eml: written to QUEUEID.eml.tmp, then renamed,
 * so a file of that name is always whole. The queue id comes from the MTA
 * and is reduced to letters, digits and '-' for the name. A failed write
 * is logged and changes nothing for the message.
 *
 * The control thread removes what is older than KeepDays (milt_keep_expire:
 * at start, on each reload, and every hour). Only regular files whose name
 * ends in .eml or .eml.tmp are touched; anything else in the directory is
 * left alone.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "milt.h"

#define KEEP_NAME_MAX 64

/* keep_name - "QID.eml" from the queue id; 0, or -1 without a usable id */
static int
keep_name(char *out, size_t len, const char *qid)
{
	size_t i, n = 0;

	for (i = 0; qid[i] != '\0' && n + 5 < len && n < KEEP_NAME_MAX; i++)
		if ((qid[i] >= 'A' && qid[i] <= 'Z') ||
		    (qid[i] >= 'a' && qid[i] <= 'z') ||
		    (qid[i] >= '0' && qid[i] <= '9') || qid[i] == '-')
			out[n++] = qid[i];
	if (n == 0 || strcmp(qid, "NOQUEUE") == 0)
		return -1;
	memcpy(out + n, ".eml", 5);
	return 0;
}

/* keep_put - len bytes into a new file at dirfd/name; 0, or -1 (errno) */
static int
keep_put(int dirfd, const char *name, const uint8_t *p, size_t len)
{
	int fd, ret = 0, saved;
	ssize_t n;

	fd =
	    openat(dirfd, name,
	           O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd == -1)
		return -1;
	while (len > 0 && ret == 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = -1;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	saved = errno;
	if (close(fd) == -1 && ret == 0) {
		ret = -1;
		saved = errno;
	}
	errno = saved;
	return ret;
}

int
milt_keep_write(const char *dir, const char *qid, const uint8_t *p,
                size_t len)
{
	char name[KEEP_NAME_MAX + 8], tmp[KEEP_NAME_MAX + 16];
	int dirfd, ret = -1;

	if (keep_name(name, sizeof(name), qid) != 0) {
		log_warnx("KeepOriginals: no queue id, original not kept");
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd != -1 && keep_put(dirfd, tmp, p, len) == 0 &&
	    renameat(dirfd, tmp, dirfd, name) == 0)
		ret = 0;
	if (ret != 0) {
		log_warn("KeepOriginals: %s/%s", dir, name);
		if (dirfd != -1)
			(void)unlinkat(dirfd, tmp, 0);
	}
	if (dirfd != -1)
		(void)close(dirfd);
	return ret;
}

/* keep_ours - a name this module writes: *.eml or *.eml.tmp */
static int
keep_ours(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && strcmp(name + n - 4, ".eml") == 0) ||
	       (n > 8 && strcmp(name + n - 8, ".eml.tmp") == 0);
}

int
milt_keep_expire(const char *dir, unsigned days)
{
	time_t cut = time(NULL) - (time_t)days * 86400;
	struct dirent *de;
	struct stat st;
	int removed = 0;
	DIR *d;

	d = opendir(dir);
	if (d == NULL) {
		log_warn("KeepOriginals: %s", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!keep_ours(de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
		        -1 ||
		    !S_ISREG(st.st_mode) || st.st_mtime >= cut)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			removed++;
		else
			log_warn("KeepOriginals: remove %s/%s", dir,
			         de->d_name);
	}
	(void)closedir(d);
	if (removed > 0)
		log_info("KeepOriginals: %d original%s older than %u days "
		         "removed from %s",
		         removed, removed == 1 ? "" : "s", days, dir);
	return removed;
}
