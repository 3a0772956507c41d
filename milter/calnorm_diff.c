/*
 * calnorm_diff.c - calnorm --diff: a unified diff per changed part
 *
 * For every calendar or vCard part whose decoded text the rewrite changes,
 * diff(1) -u of the text as received and as calmilter would relay it,
 * labelled with the part's path ("part 1.2"). Both sides are shown with LF
 * line ends, so that a part whose lines all gain a CR (R-LEX-2) does not
 * show every line as changed; a part that changes in its line ends only is
 * named on standard error instead. diff(1) comes with diffutils, which
 * every Debian system has (Essential: yes).
 */
#include <sys/wait.h>

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calnorm_diff.h"
#include "log.h"

extern char **environ;

/* cd_lf - p with every CRLF turned into LF (transfer full); NULL on ENOMEM */
static char *
cd_lf(const uint8_t *p, size_t len, size_t *outlen)
{
	char *s = malloc(len + 1);
	size_t i, n = 0;

	if (s == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		if (!(p[i] == '\r' && i + 1 < len && p[i + 1] == '\n'))
			s[n++] = (char)p[i];
	s[n] = '\0';
	*outlen = n;
	return s;
}

/* cd_tmp - a new temporary file holding p; its name in path. 0 or -1 */
static int
cd_tmp(char *path, size_t pathlen, const char *p, size_t len)
{
	const char *dir = getenv("TMPDIR");
	int fd, n;

	n = snprintf(path, pathlen, "%s/calnorm.XXXXXX",
	             dir != NULL && *dir != '\0' ? dir : "/tmp");
	if (n < 0 || (size_t)n >= pathlen)
		return -1;
	fd = mkstemp(path);
	if (fd == -1)
		return -1;
	if (write(fd, p, len) != (ssize_t)len) {
		(void)close(fd);
		(void)unlink(path);
		return -1;
	}
	return close(fd);
}

/* cd_run - diff -u with labels; 0 same, 1 differ, -1 trouble */
static int
cd_run(const char *label, const char *fa, const char *fb)
{
	static char diff[] = "diff", unified[] = "-u", lab[] = "--label";
	char la[128], lb[128];
	char *argv[] = {diff, unified,    lab,        la,  lab,
	                lb,   (char *)fa, (char *)fb, NULL};
	pid_t pid;
	int st;

	(void)snprintf(la, sizeof(la), "%s, as received", label);
	(void)snprintf(lb, sizeof(lb), "%s, as calmilter relays it", label);
	if (fflush(stdout) != 0)
		return -1;
	errno = posix_spawnp(&pid, "diff", NULL, NULL, argv, environ);
	if (errno != 0) {
		log_warn("diff");
		return -1;
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) > 1)
		return -1;
	return WEXITSTATUS(st);
}

/* cd_files - the two texts into files, diff, remove the files */
static int
cd_files(const char *label, const char *a, size_t alen, const char *b,
         size_t blen)
{
	char fa[4096], fb[4096];
	int r = -1;

	if (cd_tmp(fa, sizeof(fa), a, alen) != 0) {
		log_warn("temporary file");
		return -1;
	}
	if (cd_tmp(fb, sizeof(fb), b, blen) != 0)
		log_warn("temporary file");
	else {
		r = cd_run(label, fa, fb);
		(void)unlink(fb);
	}
	(void)unlink(fa);
	return r;
}

int
cn_diff_text(const char *label, const uint8_t *a, size_t alen, const uint8_t *b,
             size_t blen)
{
	char *la, *lb;
	size_t na, nb;
	int r = -1;

	if (alen == blen && memcmp(a, b, alen) == 0)
		return 0;
	la = cd_lf(a, alen, &na);
	lb = cd_lf(b, blen, &nb);
	if (la == NULL || lb == NULL)
		log_warnx("out of memory");
	else if (na == nb && memcmp(la, lb, na) == 0) {
		fprintf(stderr, "calnorm: %s: only its line ends change\n",
		        label);
		r = 1;
	} else
		r = cd_files(label, la, na, lb, nb);
	free(la);
	free(lb);
	return r;
}

/* cd_part - a part as shown: its labels, an empty line, its text */
static uint8_t *
cd_part(const struct mime_text *t, size_t *len)
{
	size_t h = strlen(t->head);
	uint8_t *p = malloc(h + 1 + t->len);

	if (p == NULL)
		return NULL;
	memcpy(p, t->head, h);
	p[h] = '\n';
	memcpy(p + h + 1, t->data, t->len);
	*len = h + 1 + t->len;
	return p;
}

/* cd_pair - one part as received and as relayed */
static int
cd_pair(const struct mime_text *a, const struct mime_text *b)
{
	char label[64];
	uint8_t *pa, *pb;
	size_t na = 0, nb = 0;
	int r = -1;

	if (strcmp(a->path, b->path) != 0) {
		log_warnx("part %s became part %s", a->path, b->path);
		return -1;
	}
	(void)snprintf(label, sizeof(label), "part %s", a->path);
	pa = cd_part(a, &na);
	pb = cd_part(b, &nb);
	if (pa == NULL || pb == NULL)
		log_warnx("out of memory");
	else
		r = cn_diff_text(label, pa, na, pb, nb);
	free(pa);
	free(pb);
	return r;
}

int
cn_diff_message(const uint8_t *in, size_t inlen, const uint8_t *out,
                size_t outlen, const struct mime_policy *pol)
{
	struct mime_texts a, b;
	size_t i;
	int r = 0, d;

	if (mime_texts(&a, in, inlen, pol) != 0)
		return -1;
	if (mime_texts(&b, out, outlen, pol) != 0 || a.n != b.n) {
		log_warnx("the rewritten message has other parts");
		r = -1;
	}
	for (i = 0; r != -1 && i < a.n; i++) {
		d = cd_pair(&a.v[i], &b.v[i]);
		r = d == -1 ? -1 : (r | d);
	}
	mime_texts_free(&a);
	mime_texts_free(&b);
	return r;
}
