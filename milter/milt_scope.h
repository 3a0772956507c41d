/*
 * milt_scope.h - which messages calmilter touches: scope (ScopeDomains) and
 * exemptions (ExemptNetworks, ExemptSenderDomains, ExemptAuthenticated), in
 * the style of OpenDKIM's InternalHosts and PeerList
 *
 * Decided from the envelope, as early as the milter protocol allows: the
 * client address at connect, the sender and {auth_authen} at MAIL FROM,
 * the recipients at RCPT TO, the verdict at DATA - before a header or a
 * byte of the body is fetched. Pure functions of the configuration and the
 * envelope (no libmilter), so that the unit tests reach them.
 */
#ifndef CALMILTER_MILT_SCOPE_H
#define CALMILTER_MILT_SCOPE_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "../conf/conf.h"

/* struct milt_net - one CIDR block */
struct milt_net {
	int		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 addr[16];
	unsigned	 bits;
};

/* struct milt_scope - the lists, parsed once at start-up; immutable */
struct milt_scope {
	char		**domains;	/* ScopeDomains; NULL: every message */
	size_t		  ndomains;
	struct milt_net	 *nets;		/* ExemptNetworks */
	size_t		  nnets;
	char		**senders;	/* ExemptSenderDomains */
	size_t		  nsenders;
	int		  exempt_auth;	/* ExemptAuthenticated */
};

/* milt_scope_init - from the configuration; 0, or -1 with a message */
int	milt_scope_init(struct milt_scope *s, const struct conf *c, char *err,
	    size_t errlen);
void	milt_scope_free(struct milt_scope *s);

/* milt_scope_by_rcpt - does scope depend on the recipients? */
int	milt_scope_by_rcpt(const struct milt_scope *s);
/* milt_scope_rcpt_in - is this envelope recipient in a scope domain? */
int	milt_scope_rcpt_in(const struct milt_scope *s, const char *rcpt);
/* milt_scope_net_exempt - is the client in an exempt network? */
int	milt_scope_net_exempt(const struct milt_scope *s,
	    const struct sockaddr *sa);
/* milt_scope_sender_exempt - is the envelope sender's domain exempt? */
int	milt_scope_sender_exempt(const struct milt_scope *s,
	    const char *mailfrom);
/* milt_scope_auth_exempt - an authenticated submission ({auth_authen}) */
int	milt_scope_auth_exempt(const struct milt_scope *s, const char *authen);

/* milt_scope_domain_of - the domain of an address ("<a@B.c>" -> "b.c"),
 * lower case, into buf; 0, or -1 when it has none */
int	milt_scope_domain_of(const char *addr, char *buf, size_t len);

#endif
