/*
 * milt_poison.c - messages that crashed a worker, remembered for a while
 *
 * One poison message would otherwise crash a worker on every retry: with
 * OnError tempfail the sender retries it for days. Its digest is kept in a
 * small ring (oldest out first; each entry expires after ttl seconds), and
 * a message whose digest is in the ring passes without being parsed.
 *
 * The digest covers the message without its Received: header fields: the
 * receiving MTA adds a new one with a new queue id and time to every
 * retry, and nothing else changes between attempts. The lookup costs
 * nothing while the ring is empty (or every entry has expired), which is
 * the normal state: the digest is then not even computed.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "milt_work.h"

struct milt_poison_entry {
	uint8_t digest[MILT_POISON_DIGEST];
	time_t at; /* 0: free */
};

struct milt_poison {
	pthread_mutex_t mu;
	struct milt_poison_entry *v;
	size_t max;
	size_t next; /* the slot the next digest overwrites */
	time_t ttl;
};

struct milt_poison *
milt_poison_new(size_t max, time_t ttl)
{
	struct milt_poison *p;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->v = calloc(max, sizeof(*p->v));
	if (p->v == NULL || pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p->v);
		free(p);
		return NULL;
	}
	p->max = max;
	p->ttl = ttl;
	return p;
}

void
milt_poison_free(struct milt_poison *p)
{
	if (p == NULL)
		return;
	pthread_mutex_destroy(&p->mu);
	free(p->v);
	free(p);
}

/* poison_field_end - offset after the field starting at off (its
 * continuation lines included) */
static size_t
poison_field_end(const uint8_t *msg, size_t len, size_t off)
{
	const uint8_t *nl;

	for (;;) {
		nl = memchr(msg + off, '\n', len - off);
		if (nl == NULL)
			return len;
		off = (size_t)(nl - msg) + 1;
		if (off >= len || (msg[off] != ' ' && msg[off] != '\t'))
			return off;
	}
}

/* poison_is_received - does the field at msg[off..end) name Received? */
static int
poison_is_received(const uint8_t *msg, size_t off, size_t end)
{
	static const char name[] = "Received";
	size_t n = sizeof(name) - 1, i = off + n;

	if (end - off <= n ||
	    strncasecmp((const char *)msg + off, name, n) != 0)
		return 0;
	while (i < end && (msg[i] == ' ' || msg[i] == '\t'))
		i++;
	return i < end && msg[i] == ':';
}

void
milt_poison_digest(const uint8_t *msg, size_t len,
                   uint8_t out[MILT_POISON_DIGEST])
{
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
	size_t off = 0, end, dlen = MILT_POISON_DIGEST;

	/* the header block: every field but Received, up to the empty line */
	while (off < len && msg[off] != '\n' &&
	       !(msg[off] == '\r' && off + 1 < len && msg[off + 1] == '\n')) {
		end = poison_field_end(msg, len, off);
		if (!poison_is_received(msg, off, end))
			g_checksum_update(ck, msg + off, (gssize)(end - off));
		off = end;
	}
	g_checksum_update(ck, msg + off, (gssize)(len - off));
	g_checksum_get_digest(ck, out, &dlen);
	g_checksum_free(ck);
}

/* poison_live - is entry e in force at now? */
static int
poison_live(const struct milt_poison *p, const struct milt_poison_entry *e,
            time_t now)
{
	return e->at != 0 && now - e->at < p->ttl && now >= e->at;
}

int
milt_poison_empty(struct milt_poison *p, time_t now)
{
	size_t i;
	int empty = 1;

	pthread_mutex_lock(&p->mu);
	for (i = 0; i < p->max && empty; i++)
		if (poison_live(p, &p->v[i], now))
			empty = 0;
	pthread_mutex_unlock(&p->mu);
	return empty;
}

int
milt_poison_has(struct milt_poison *p, const uint8_t *d, time_t now)
{
	size_t i;
	int found = 0;

	pthread_mutex_lock(&p->mu);
	for (i = 0; i < p->max && !found; i++)
		if (poison_live(p, &p->v[i], now) &&
		    memcmp(p->v[i].digest, d, MILT_POISON_DIGEST) == 0)
			found = 1;
	pthread_mutex_unlock(&p->mu);
	return found;
}

void
milt_poison_add(struct milt_poison *p, const uint8_t *d, time_t now)
{
	pthread_mutex_lock(&p->mu);
	memcpy(p->v[p->next].digest, d, MILT_POISON_DIGEST);
	p->v[p->next].at = now != 0 ? now : 1;
	p->next = (p->next + 1) % p->max;
	pthread_mutex_unlock(&p->mu);
}
