/*
 * milt_scope.c - which messages calmilter touches (see milt_scope.h)
 *
 * ScopeDomains: the domains hosted on Exchange. The body is one for all
 * recipients, so one recipient in such a domain is enough for the message
 * to be repaired - for every recipient. "all" (the default) means every
 * message. A domain matches itself; ".example.org" matches every domain
 * below example.org (not example.org itself).
 *
 * Exemptions, each enough on its own: the client's address in one of
 * ExemptNetworks (CIDR blocks; an IPv4-mapped IPv6 address counts as its
 * IPv4 address), the envelope sender's domain in ExemptSenderDomains (the
 * same matching as above), and, with ExemptAuthenticated yes, a
 * submission the MTA authenticated (the {auth_authen} macro is set).
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "milt_scope.h"

#define SCOPE_SEP ", \t"

/* scope_domain_lower - a list entry, lower case, without a final dot */
static char *
scope_domain_lower(const char *t, size_t n)
{
	char *d = malloc(n + 1);
	size_t i;

	if (d == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		d[i] = (char)tolower((unsigned char)t[i]);
	while (n > 0 && d[n - 1] == '.')
		n--;
	d[n] = '\0';
	return d;
}

/* scope_domains - a list of domains (NULL text: an empty list) */
static int
scope_domains(const char *text, char ***out, size_t *nout)
{
	size_t n, cap = 0;
	char **v = NULL, **nv;

	*out = NULL;
	*nout = 0;
	while (text != NULL && *(text += strspn(text, SCOPE_SEP)) != '\0') {
		n = strcspn(text, SCOPE_SEP);
		if (*nout == cap) {
			cap = cap ? cap * 2 : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL)
				goto oom;
			v = nv;
		}
		if ((v[*nout] = scope_domain_lower(text, n)) == NULL)
			goto oom;
		(*nout)++;
		text += n;
	}
	*out = v;
	return 0;
oom:
	while (*nout > 0)
		free(v[--*nout]);
	free(v);
	return -1;
}

/* scope_net - "10.0.0.0/8", "2001:db8::/32" or one address */
static int
scope_net(const char *t, size_t n, struct milt_net *net)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long bits;

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, t, n);
	buf[n] = '\0';
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash++ = '\0';
	memset(net, 0, sizeof(*net));
	net->family = strchr(buf, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(net->family, buf, net->addr) != 1)
		return -1;
	net->bits = net->family == AF_INET ? 32 : 128;
	if (slash == NULL)
		return 0;
	if (!isdigit((unsigned char)*slash))
		return -1;
	bits = strtoul(slash, &end, 10);
	if (*end != '\0' || bits > net->bits)
		return -1;
	net->bits = (unsigned)bits;
	return 0;
}

/* scope_nets - ExemptNetworks; -1 on a bad entry or out of memory */
static int
scope_nets(struct milt_scope *s, const char *text, char *err, size_t errlen)
{
	size_t n;
	struct milt_net *v;

	while (text != NULL && *(text += strspn(text, SCOPE_SEP)) != '\0') {
		n = strcspn(text, SCOPE_SEP);
		v = realloc(s->nets, (s->nnets + 1) * sizeof(*v));
		if (v == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		s->nets = v;
		if (scope_net(text, n, &s->nets[s->nnets]) != 0) {
			snprintf(err, errlen, "ExemptNetworks: \"%.*s\" is not "
			         "an address or CIDR block", (int)n, text);
			return -1;
		}
		s->nnets++;
		text += n;
	}
	return 0;
}

int
milt_scope_init(struct milt_scope *s, const struct conf *c, char *err,
                size_t errlen)
{
	const char *dom = c->scope_domains;

	memset(s, 0, sizeof(*s));
	if (dom != NULL && strcasecmp(dom, "all") == 0)
		dom = NULL;
	s->exempt_auth = c->exempt_authenticated;
	if (scope_domains(dom, &s->domains, &s->ndomains) != 0 ||
	    scope_domains(c->exempt_sender_domains, &s->senders,
	                  &s->nsenders) != 0) {
		snprintf(err, errlen, "out of memory");
		milt_scope_free(s);
		return -1;
	}
	if (scope_nets(s, c->exempt_networks, err, errlen) != 0) {
		milt_scope_free(s);
		return -1;
	}
	return 0;
}

void
milt_scope_free(struct milt_scope *s)
{
	size_t i;

	for (i = 0; i < s->ndomains; i++)
		free(s->domains[i]);
	for (i = 0; i < s->nsenders; i++)
		free(s->senders[i]);
	free(s->domains);
	free(s->senders);
	free(s->nets);
	memset(s, 0, sizeof(*s));
}

int
milt_scope_domain_of(const char *addr, char *buf, size_t len)
{
	const char *at, *end;
	size_t n;

	if (addr == NULL)
		return -1;
	end = addr + strcspn(addr, ">");
	at = NULL;
	for (; addr < end; addr++)
		if (*addr == '@')
			at = addr;
	if (at == NULL)
		return -1;
	n = (size_t)(end - at - 1);
	while (n > 0 && (isspace((unsigned char)at[n]) || at[n] == '.'))
		n--;
	if (n == 0 || n >= len)
		return -1;
	for (len = 0; len < n; len++)
		buf[len] = (char)tolower((unsigned char)at[1 + len]);
	buf[n] = '\0';
	return 0;
}

/* scope_match - domain d is one of the list (see the top of the file) */
static int
scope_match(char *const *list, size_t n, const char *d)
{
	size_t i, dl = strlen(d), el;

	for (i = 0; i < n; i++) {
		el = strlen(list[i]);
		if (list[i][0] == '.') {
			if (dl > el && strcmp(d + dl - el, list[i]) == 0)
				return 1;
		} else if (strcmp(d, list[i]) == 0) {
			return 1;
		}
	}
	return 0;
}

int
milt_scope_by_rcpt(const struct milt_scope *s)
{
	return s->ndomains > 0;
}

int
milt_scope_rcpt_in(const struct milt_scope *s, const char *rcpt)
{
	char d[256];

	if (s->ndomains == 0)
		return 1;
	return milt_scope_domain_of(rcpt, d, sizeof(d)) == 0 &&
	       scope_match(s->domains, s->ndomains, d);
}

int
milt_scope_sender_exempt(const struct milt_scope *s, const char *mailfrom)
{
	char d[256];

	return s->nsenders > 0 &&
	       milt_scope_domain_of(mailfrom, d, sizeof(d)) == 0 &&
	       scope_match(s->senders, s->nsenders, d);
}

int
milt_scope_auth_exempt(const struct milt_scope *s, const char *authen)
{
	return s->exempt_auth && authen != NULL && authen[0] != '\0';
}

/* net_has - the first bits of a equal net's */
static int
net_has(const struct milt_net *net, const uint8_t *a)
{
	unsigned full = net->bits / 8, rest = net->bits % 8;
	uint8_t mask;

	if (memcmp(net->addr, a, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (uint8_t)(0xff << (8 - rest));
	return (net->addr[full] & mask) == (a[full] & mask);
}

int
milt_scope_net_exempt(const struct milt_scope *s, const struct sockaddr *sa)
{
	const struct sockaddr_in6 *s6;
	const uint8_t *a;
	int family;
	size_t i;

	if (sa == NULL || s->nnets == 0)
		return 0;
	if (sa->sa_family == AF_INET) {
		family = AF_INET;
		a = (const uint8_t *)&((const struct sockaddr_in *)(const void *)
		                           sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)(const void *)sa;
		a = s6->sin6_addr.s6_addr;
		family = AF_INET6;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			family = AF_INET;	/* ::ffff:10.1.2.3 is 10.1.2.3 */
			a += 12;
		}
	} else {
		return 0;
	}
	for (i = 0; i < s->nnets; i++)
		if (s->nets[i].family == family && net_has(&s->nets[i], a))
			return 1;
	return 0;
}
