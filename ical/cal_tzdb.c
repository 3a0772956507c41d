/*
 * cal_tzdb.c - the system tz database, and ICU's Windows zone ids
 *
 * cal_init() reads the names: $TZDIR/tzdata.zi (default
 * /usr/share/zoneinfo) gives the version ("# version 2025b"), the zones
 * ("Z NAME ...") and the links ("L TARGET NAME"). A zone's TZif file is read
 * the first time the zone is needed, read-only, and kept for the life of
 * the process (a mutex guards the loading; a loaded zone never changes).
 * cal_tzdb_preload() reads every zone at once, for a process that must not
 * open files later. The Windows ids are the set ICU (CLDR windowsZones)
 * maps the tz database's names to, listed on first use from ICU's data in
 * memory. Nothing here is a hand-written table.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "cal_tz.h"

#define TZDB_DIR	"/usr/share/zoneinfo"
#define TZDB_FILE_MAX	(256u << 10)	/* a TZif file; real ones are < 10K */
#define TZDB_NAME_MAX	128

/* struct tzdb_name - a zone, or a link to the zone named by target */
struct tzdb_name {
	char			*name;
	char			*link_to;	/* links: the target's name */
	struct tzdb_name	*target;	/* links: the target */
	struct cal_zone		*zone;		/* zones: once loaded */
	int			 tried;		/* zones: load attempted */
};

static struct {
	char			 dir[256];
	char			 version[32];
	struct tzdb_name	*names;		/* sorted, case-insensitively */
	size_t			 nnames;
	struct tzdb_name	**zones;	/* the zone entries, in order */
	size_t			 nzones;
	char			**win;		/* Windows ids ICU knows */
	size_t			 nwin;
} db;

static pthread_once_t db_once = PTHREAD_ONCE_INIT;
static pthread_once_t win_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t db_lock = PTHREAD_MUTEX_INITIALIZER;

/* grow - room for one more element of size sz in *v holding n */
static int
grow(void *v, size_t n, size_t sz)
{
	void *p;

	if (n != 0 && (n < 16 || (n & (n - 1)) != 0))
		return 0;
	p = realloc(*(void **)v, (n == 0 ? 16 : n * 2) * sz);
	if (p == NULL)
		return -1;
	*(void **)v = p;
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcasecmp(((const struct tzdb_name *)a)->name,
	    ((const struct tzdb_name *)b)->name);
}

static struct tzdb_name *
name_find(const char *name, size_t n)
{
	struct tzdb_name key;

	memset(&key, 0, sizeof(key));
	key.name = (char *)(uintptr_t)name;
	return bsearch(&key, db.names, n, sizeof(key), name_cmp);
}

/* name_add - a zone (target NULL) or a link named by its target's name */
static void
name_add(const char *name, const char *target)
{
	struct tzdb_name *e;

	if (grow(&db.names, db.nnames, sizeof(*db.names)) != 0)
		return;
	e = &db.names[db.nnames];
	memset(e, 0, sizeof(*e));
	e->name = strdup(name);
	e->link_to = target != NULL ? strdup(target) : NULL;
	if (e->name == NULL || (target != NULL && e->link_to == NULL)) {
		free(e->name);
		free(e->link_to);
		return;
	}
	db.nnames++;
}

/* tzdb_parse - the version line, "Z NAME" zones and "L TARGET NAME" links */
static void
tzdb_parse(FILE *f)
{
	char line[512], a[TZDB_NAME_MAX], b[TZDB_NAME_MAX];

	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#')
			(void)sscanf(line, "# version %31s", db.version);
		else if (line[0] == 'Z' && sscanf(line, "Z %127s", a) == 1 &&
		    strcmp(a, "Factory") != 0)
			name_add(a, NULL);
		else if (line[0] == 'L' &&
		    sscanf(line, "L %127s %127s", a, b) == 2)
			name_add(b, a);
	}
}

/* tzdb_resolve - point links at their zones; list the zones */
static void
tzdb_resolve(void)
{
	struct tzdb_name *e, *t;
	size_t i;

	for (i = 0; i < db.nnames; i++) {
		e = &db.names[i];
		if (e->link_to == NULL) {
			if (grow(&db.zones, db.nzones, sizeof(*db.zones)) == 0)
				db.zones[db.nzones++] = e;
			continue;
		}
		t = name_find(e->link_to, db.nnames);
		e->target = t != NULL && t->link_to == NULL ? t : NULL;
		e->tried = 1;	/* a link has no file of its own */
	}
}

static void
tzdb_load_once(void)
{
	const char *dir = getenv("TZDIR");
	char path[512];
	FILE *f;

	if (dir == NULL || dir[0] != '/' || strlen(dir) >= sizeof(db.dir))
		dir = TZDB_DIR;
	snprintf(db.dir, sizeof(db.dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/tzdata.zi", dir);
	f = fopen(path, "re");
	if (f == NULL)
		return;
	tzdb_parse(f);
	fclose(f);
	qsort(db.names, db.nnames, sizeof(*db.names), name_cmp);
	tzdb_resolve();
	/* load ICU's windowsZones data now, before any sandbox */
	(void)cal_tzdb_windows_of("Etc/UTC", path, sizeof(path));
}

void
cal_tzdb_load(void)
{
	(void)pthread_once(&db_once, tzdb_load_once);
}

/* tzdb_read - a whole file into buf (max bytes); its length, or 0 */
static size_t
tzdb_read(const char *path, unsigned char *buf, size_t max)
{
	ssize_t n = 0;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	while (len < max && (n = read(fd, buf + len, max - len)) > 0)
		len += (size_t)n;
	if (n < 0 || len == max)
		len = 0;
	close(fd);
	return len;
}

/* zone_load - the zone of entry e, read on first use (transfer none) */
static const struct cal_zone *
zone_load(struct tzdb_name *e)
{
	unsigned char *buf;
	char path[512];
	size_t len;

	if (e->link_to != NULL)
		e = e->target;
	if (e == NULL)
		return NULL;
	pthread_mutex_lock(&db_lock);
	if (!e->tried) {
		e->tried = 1;
		buf = malloc(TZDB_FILE_MAX);
		if (buf != NULL && strstr(e->name, "..") == NULL &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", db.dir,
		    e->name) < sizeof(path)) {
			len = tzdb_read(path, buf, TZDB_FILE_MAX);
			if (len > 0)
				e->zone = cal_tzif_parse(e->name, buf, len);
		}
		free(buf);
	}
	pthread_mutex_unlock(&db_lock);
	return e->zone;
}

void
cal_tzdb_preload(void)
{
	size_t i;

	cal_tzdb_load();
	for (i = 0; i < db.nzones; i++)
		(void)zone_load(db.zones[i]);
}

const char *
cal_tzdb_version(void)
{
	cal_tzdb_load();
	return db.version;
}

const struct cal_zone *
cal_tzdb_find(const char *name)
{
	struct tzdb_name *e;

	cal_tzdb_load();
	if (name == NULL || name[0] == '\0' || strlen(name) >= TZDB_NAME_MAX)
		return NULL;
	e = name_find(name, db.nnames);
	return e != NULL ? zone_load(e) : NULL;
}

size_t
cal_tzdb_count(void)
{
	cal_tzdb_load();
	return db.nzones;
}

const struct cal_zone *
cal_tzdb_zone(size_t i)
{
	cal_tzdb_load();
	return i < db.nzones ? zone_load(db.zones[i]) : NULL;
}

static int
str_casecmp(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* tzdb_windows - the Windows id of every zone and link, once each */
static void
tzdb_windows(void)
{
	char buf[TZDB_NAME_MAX], *s;
	size_t i, j;

	for (i = 0; i < db.nnames; i++) {
		if (cal_tzdb_windows_of(db.names[i].name, buf, sizeof(buf)) != 0)
			continue;
		for (j = 0; j < db.nwin && strcmp(db.win[j], buf) != 0; j++)
			;
		if (j < db.nwin || grow(&db.win, db.nwin, sizeof(*db.win)) != 0)
			continue;
		s = strdup(buf);
		if (s != NULL)
			db.win[db.nwin++] = s;
	}
	qsort(db.win, db.nwin, sizeof(*db.win), str_casecmp);
}

const char *
cal_tzdb_windows(const char *id)
{
	char *const *hit;

	cal_tzdb_load();
	(void)pthread_once(&win_once, tzdb_windows);
	hit = bsearch(&id, db.win, db.nwin, sizeof(*db.win), str_casecmp);
	return hit != NULL ? *hit : NULL;
}

int
cal_tzdb_windows_of(const char *iana, char *buf, size_t len)
{
	UChar in[TZDB_NAME_MAX], out[TZDB_NAME_MAX];
	UErrorCode err = U_ZERO_ERROR;
	int32_t n;

	if (strlen(iana) >= TZDB_NAME_MAX || len < 2)
		return -1;
	u_uastrcpy(in, iana);
	n = ucal_getWindowsTimeZoneID(in, -1, out, TZDB_NAME_MAX, &err);
	if (U_FAILURE(err) || n <= 0 || (size_t)n >= len || n >= TZDB_NAME_MAX)
		return -1;
	u_austrncpy(buf, out, n);
	buf[n] = '\0';
	return 0;
}

const struct cal_zone *
cal_tzdb_for_windows(const char *winid)
{
	UChar in[TZDB_NAME_MAX], out[TZDB_NAME_MAX];
	UErrorCode err = U_ZERO_ERROR;
	char buf[TZDB_NAME_MAX];
	int32_t n;

	if (strlen(winid) >= TZDB_NAME_MAX)
		return NULL;
	u_uastrcpy(in, winid);
	n = ucal_getTimeZoneIDForWindowsID(in, -1, NULL, out, TZDB_NAME_MAX,
	    &err);
	if (U_FAILURE(err) || n <= 0 || n >= TZDB_NAME_MAX)
		return NULL;
	u_austrncpy(buf, out, n);
	buf[n] = '\0';
	return cal_tzdb_find(buf);
}
