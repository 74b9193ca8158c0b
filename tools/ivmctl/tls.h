/*
 * ivmctl's HTTPS over a connected socket (tools/ivmctl/tls.c, OpenSSL):
 * whom to trust, one TLS session per connection, resumption between them.
 */
#ifndef IVMCTL_TLS_H
#define IVMCTL_TLS_H

#include "ivmctl.h"

#include <openssl/ssl.h>

struct ivm_tls_options {
	const char *cacert;                 /* CA file; NULL: the system's */
	const unsigned char *fingerprint;   /* 32 bytes of SHA-256, or NULL */
	bool insecure;
	const char *cert, *key;             /* client certificate and key, or NULL */
};

struct ivm_tls;
/* NULL with the reason in err (a CA or client file that does not load). */
struct ivm_tls *ivm_tls_new(const struct ivm_tls_options *o, char *err, size_t errlen);
void ivm_tls_free(struct ivm_tls *t);
/*
 * The handshake on fd, for host (a name or an address, checked against
 * the certificate unless pinned or insecure): 0 with *out set; -1, or
 * IVM_REFUSED_IDENTITY when the certificate was refused, with why in err.
 */
int ivm_tls_connect(struct ivm_tls *t, int fd, const char *host, SSL **out, char *err,
		    size_t errlen);
/* Ends a session: clean keeps it for resumption and sends close_notify. */
void ivm_tls_done(struct ivm_tls *t, SSL *ssl, bool clean);

#endif
