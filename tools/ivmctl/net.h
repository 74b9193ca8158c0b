/*
 * The socket transport of ivmctl (net.c): struct ivm_transport's
 * exchange over one TCP connection per request, in TLS when the endpoint
 * says https (tls.c).
 */
#ifndef IVMCTL_NET_H
#define IVMCTL_NET_H

#include "ivmctl.h"

struct ivm_tls;

struct ivm_net {
	const char *host;  /* name or address, no brackets */
	const char *port;
	struct ivm_tls *tls;   /* NULL: plain HTTP */
};

int ivm_net_exchange(void *ctx, const char *request, size_t len, struct ivm_response *resp,
		     char *err, size_t errlen);

#endif
