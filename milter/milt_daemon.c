/*
 * milt_daemon.c - becoming a daemon: the user, the socket, the pid file
 *
 * All of this runs in main() before smfi_main(), in one thread.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "milt.h"

/* milt_group_lookup - gid of a group name */
static int
milt_group_lookup(gid_t *gid, const char *name)
{
	struct group *gr;

	gr = getgrnam(name);
	if (gr == NULL)
		return -1;
	*gid = gr->gr_gid;
	return 0;
}

/*
 * milt_user_lookup - resolve "user" or "user:group" (UserID).
 * Returns 0, or -1 with a message in err.
 */
int
milt_user_lookup(struct milt_user *u, const char *spec, char *err,
                 size_t errlen)
{
	const char *colon = strchr(spec, ':');
	size_t n = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	struct passwd *pw;

	if (n == 0 || n >= sizeof(u->name)) {
		snprintf(err, errlen, "UserID \"%s\": bad user name", spec);
		return -1;
	}
	memcpy(u->name, spec, n);
	u->name[n] = '\0';
	pw = getpwnam(u->name);
	if (pw == NULL) {
		snprintf(err, errlen, "UserID: no such user \"%s\"", u->name);
		return -1;
	}
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	if (colon != NULL && milt_group_lookup(&u->gid, colon + 1) != 0) {
		snprintf(err, errlen, "UserID: no such group \"%s\"",
		         colon + 1);
		return -1;
	}
	return 0;
}

/* milt_user_become - drop root for good; -1 with a message in err */
int
milt_user_become(const struct milt_user *u, char *err, size_t errlen)
{
	const char *step = NULL;

	if (initgroups(u->name, u->gid) == -1)
		step = "initgroups";
	else if (setgid(u->gid) == -1)
		step = "setgid";
	else if (setuid(u->uid) == -1)
		step = "setuid";
	if (step != NULL) {
		snprintf(err, errlen, "cannot become %s: %s: %s", u->name, step,
		         strerror(errno));
		return -1;
	}
	if (u->uid != 0 && setuid(0) != -1) {
		snprintf(err, errlen, "cannot become %s: root regained",
		         u->name);
		return -1;
	}
	return 0;
}

/* milt_socket_path - the file of a unix socket spec, else NULL */
static const char *
milt_socket_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	if (spec[0] == '/')
		return spec;
	return NULL;
}

int
milt_socket_is_unix(const char *spec)
{
	return milt_socket_path(spec) != NULL;
}

/* milt_socket_chown - give a unix socket to the user we become */
void
milt_socket_chown(const char *spec, const struct milt_user *u)
{
	const char *path = milt_socket_path(spec);

	if (path != NULL && chown(path, u->uid, u->gid) == -1)
		log_warn("chown %s", path);
}

/* milt_socket_chmod - SocketMode on a unix socket; 0, or -1 with errno */
int
milt_socket_chmod(const char *spec, unsigned mode)
{
	const char *path = milt_socket_path(spec);

	if (path == NULL)
		return 0;
	return chmod(path, (mode_t)mode);
}

/* milt_daemonize - detach from the terminal; returns in the child */
int
milt_daemonize(void)
{
	pid_t pid;
	int fd;

	pid = fork();
	if (pid == -1)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() == -1 || chdir("/") == -1)
		return -1;
	fd = open("/dev/null", O_RDWR);
	if (fd == -1)
		return -1;
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		(void)close(fd);
	return 0;
}

/* milt_pidfile_write - our pid, one line; -1 with errno set */
int
milt_pidfile_write(const char *path)
{
	char line[32];
	int fd, n, ret = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	          0644);
	if (fd == -1)
		return -1;
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (write(fd, line, (size_t)n) != n)
		ret = -1;
	if (close(fd) == -1)
		ret = -1;
	return ret;
}

/* milt_pidfile_remove - at exit; it may no longer be ours to remove */
void
milt_pidfile_remove(const char *path)
{
	if (unlink(path) == -1 && errno != ENOENT)
		log_debug("unlink %s: %s", path, strerror(errno));
}
