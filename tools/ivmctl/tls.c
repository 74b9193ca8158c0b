/*
 * ivmctl's HTTPS (OpenSSL, TLS 1.2 or later): one TLS session per
 * connection over the socket net.c opened, resumed from the previous one
 * (a --wait makes many short connections; the root's session tickets make
 * all but the first cheap for both sides).  Whom it trusts:
 *   --fingerprint  only the certificate with that SHA-256 (any CA, any name);
 *   --insecure     anyone (main.c warns);
 *   otherwise      a chain to --cacert's CAs (else the system's) that names
 *                  the host (DNS name or IP address) it was given.
 * A refused certificate is an error of its own (IVM_REFUSED_IDENTITY), with
 * a message that says why and what to give instead.
 */
#include "tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

struct ivm_tls {
	SSL_CTX *ctx;
	SSL_SESSION *session;     /* the last session, offered on the next connection */
	bool pinned;
	unsigned char pin[32];
	bool insecure;
};

/* OpenSSL's queued errors as one line, or fallback when there are none. */
static void ssl_reason(char *err, size_t errlen, const char *what, const char *fallback)
{
	unsigned long e = ERR_get_error();
	char buf[160];

	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errlen, "%s: %s", what, e != 0 ? buf : fallback);
	ERR_clear_error();
}

static int load_client(SSL_CTX *ctx, const struct ivm_tls_options *o, char *err, size_t errlen)
{
	if (!o->cert && !o->key)
		return 0;
	if (!o->cert || !o->key) {
		snprintf(err, errlen, "--cert and --key go together");
		return -1;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1) {
		ssl_reason(err, errlen, o->cert, "not a certificate");
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, o->key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ssl_reason(err, errlen, o->key, "not the key of --cert's certificate");
		return -1;
	}
	return 0;
}

struct ivm_tls *ivm_tls_new(const struct ivm_tls_options *o, char *err, size_t errlen)
{
	struct ivm_tls *t = calloc(1, sizeof(*t));

	if (!t || !(t->ctx = SSL_CTX_new(TLS_client_method()))) {
		snprintf(err, errlen, "cannot set TLS up (out of memory)");
		free(t);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_CLIENT);
	t->insecure = o->insecure;
	t->pinned = o->fingerprint != NULL;
	if (t->pinned)
		memcpy(t->pin, o->fingerprint, sizeof(t->pin));
	if (!t->pinned && !t->insecure) {
		SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
		if (o->cacert ? SSL_CTX_load_verify_locations(t->ctx, o->cacert, NULL) != 1 :
				SSL_CTX_set_default_verify_paths(t->ctx) != 1) {
			ssl_reason(err, errlen, o->cacert ? o->cacert : "the system's CA certificates",
				   "cannot be read");
			ivm_tls_free(t);
			return NULL;
		}
	}
	if (load_client(t->ctx, o, err, errlen) != 0) {
		ivm_tls_free(t);
		return NULL;
	}
	return t;
}

void ivm_tls_free(struct ivm_tls *t)
{
	if (t) {
		SSL_SESSION_free(t->session);
		SSL_CTX_free(t->ctx);
		free(t);
	}
}

static bool is_ip(const char *host)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* The name the certificate must carry, and SNI for a DNS name. */
static bool expect_name(SSL *ssl, const char *host)
{
	X509_VERIFY_PARAM *param = SSL_get0_param(ssl);

	if (is_ip(host))
		return X509_VERIFY_PARAM_set1_ip_asc(param, host) == 1;
	return SSL_set_tlsext_host_name(ssl, host) == 1 &&
	       X509_VERIFY_PARAM_set1_host(param, host, 0) == 1;
}

static int refused(char *err, size_t errlen, const char *fmt, const char *detail)
{
	snprintf(err, errlen, fmt, detail);
	return IVM_REFUSED_IDENTITY;
}

/* With --fingerprint: the certificate the server showed is that one. */
static int check_pin(const struct ivm_tls *t, SSL *ssl, char *err, size_t errlen)
{
	X509 *peer = SSL_get1_peer_certificate(ssl);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char shown[3 * 32];

	if (!peer || X509_digest(peer, EVP_sha256(), md, &n) != 1 || n != 32) {
		X509_free(peer);
		return refused(err, errlen, "%s", "the server showed no certificate");
	}
	X509_free(peer);
	if (memcmp(md, t->pin, 32) == 0)
		return 0;
	for (unsigned i = 0; i < 32; i++)
		snprintf(shown + 3 * i, 4, "%02X%s", md[i], i < 31 ? ":" : "");
	return refused(err, errlen, "the server's certificate has SHA-256 fingerprint %s, "
		       "not the one --fingerprint gives", shown);
}

static int handshake_failed(SSL *ssl, char *err, size_t errlen)
{
	long v = SSL_get_verify_result(ssl);

	if (v != X509_V_OK) {
		ERR_clear_error();
		return refused(err, errlen, "the server's certificate was refused: %s (give the CA "
			       "that signed it with --cacert FILE, or pin it with --fingerprint)",
			       X509_verify_cert_error_string(v));
	}
	ssl_reason(err, errlen, "TLS handshake",
		   errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" :
		   "the server closed the connection");
	return -1;
}

int ivm_tls_connect(struct ivm_tls *t, int fd, const char *host, SSL **out, char *err,
		    size_t errlen)
{
	SSL *ssl = SSL_new(t->ctx);
	int rc = 0;

	*out = NULL;
	if (!ssl || SSL_set_fd(ssl, fd) != 1 || (!t->pinned && !t->insecure && !expect_name(ssl, host))) {
		SSL_free(ssl);
		snprintf(err, errlen, "cannot set TLS up for %s", host);
		return -1;
	}
	if (t->session)
		SSL_set_session(ssl, t->session);
	errno = 0;
	if (SSL_connect(ssl) != 1)
		rc = handshake_failed(ssl, err, errlen);
	else if (t->pinned)
		rc = check_pin(t, ssl, err, errlen);
	if (rc != 0) {
		SSL_free(ssl);
		return rc;
	}
	*out = ssl;
	return 0;
}

void ivm_tls_done(struct ivm_tls *t, SSL *ssl, bool clean)
{
	if (!ssl)
		return;
	if (clean) {
		SSL_SESSION *s = SSL_get1_session(ssl);

		if (s) {
			SSL_SESSION_free(t->session);
			t->session = s;
		}
		SSL_shutdown(ssl);
	}
	SSL_free(ssl);
}
