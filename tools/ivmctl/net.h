/*
 * The socket transport of ivmctl (net.c): struct ivm_transport's
 * exchange over one TCP connection per request.
 */
#ifndef IVMCTL_NET_H
#define IVMCTL_NET_H

#include "ivmctl.h"

struct ivm_net {
	const char *host;  /* name or address, no brackets */
	const char *port;
};

int ivm_net_exchange(void *ctx, const char *request, size_t len, struct ivm_response *resp,
		     char *err, size_t errlen);

#endif
