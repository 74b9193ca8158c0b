/*
 * HTTPS for the management API: the TLS server lwIP's altcp_tls layer
 * runs over mbedTLS (mgmt/tls), set up from the files hv.cfg's
 * [management] names, which the loader read and hv hands over
 * (HVCALL_MGMT_FILE): the certificate with its chain, the private key
 * and, for mutual TLS, the CA certificates a client certificate must
 * chain to.  http_tcp.c serves HTTP over it exactly as over plain TCP,
 * through the hooks below.
 *
 * It refuses rather than serve something weaker: no entropy source
 * (neither RDSEED nor RDRAND), a file that does not parse, a key that is
 * not the certificate's, a client CA that does not load: each is one
 * console line and no HTTPS.  The private key's text is wiped from
 * memory once mbedTLS has parsed it.
 */
#include "http.h"
#include "http_tcp.h"

#include <tls/tls.h>

#include <hv/mgmtcfg.h>
#include <kernel/console.h>
#include <kernel/hvmgmt.h>
#include <kernel/hypercall.h>
#include <lib/format.h>
#include <lib/string.h>

#include <lwip/altcp_tls.h>

#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

static mbedtls_x509_crt client_ca;
static bool client_ca_loaded;

static const char *file_key(uint32_t file)
{
	static const char *const keys[HV_MGMT_FILES] = HV_MGMT_FILE_KEYS;

	return file < HV_MGMT_FILES ? keys[file] : "?";
}

/* "X509 - The CRT/CRL/CSR format is invalid ..." for the console. */
static void log_mbedtls(const char *what, int ret)
{
	char why[120];

	mbedtls_strerror(ret, why, sizeof(why));
	kprintf("root: tls: %s: %s (-0x%04x); HTTPS off\n", what, why, (unsigned)-ret);
}

/* One chunk of a file from hv into buf; false (logged) when hv refuses or it moves. */
static bool read_chunk(uint32_t file, uint64_t offset, struct hv_mgmt_file_chunk *chunk,
		       uint64_t size)
{
	uint64_t r = hv_mgmt_file(file, offset, chunk);

	if (r == HV_CALL_NOT_READY || hv_status(r) != HV_STATUS_SUCCESS) {
		kprintf("root: tls: %s: hv gave no file (status 0x%x); HTTPS off\n", file_key(file),
			hv_status(r));
		return false;
	}
	if (chunk->size == 0 || chunk->size > HV_MGMT_FILE_MAX || (size && chunk->size != size) ||
	    chunk->length == 0 || chunk->length > chunk->size - offset) {
		kprintf("root: tls: %s: hv gave %u bytes of %lu at %lu; HTTPS off\n", file_key(file),
			chunk->length, chunk->size, offset);
		return false;
	}
	return true;
}

/*
 * A file of [management] as one NUL-terminated buffer from the TLS arena
 * (mbedTLS's PEM parser wants the NUL counted in the length); NULL when
 * it cannot be had (logged).
 */
static unsigned char *file_read(uint32_t file, size_t *len)
{
	static struct hv_mgmt_file_chunk chunk;
	unsigned char *buf = NULL;
	uint64_t size = 0, off = 0;
	bool ok = true;

	do {
		ok = read_chunk(file, off, &chunk, size);
		if (ok && !buf) {
			size = chunk.size;
			buf = mbedtls_calloc(1, size + 1);
			ok = buf != NULL;
			if (!ok)
				kprintf("root: tls: %s: no room in the TLS heap; HTTPS off\n",
					file_key(file));
		}
		if (ok) {
			memcpy(buf + off, chunk.data, chunk.length);
			off += chunk.length;
		}
	} while (ok && off < size);
	mbedtls_platform_zeroize(&chunk, sizeof(chunk));
	if (!ok && buf) {
		mbedtls_platform_zeroize(buf, size);
		mbedtls_free(buf);
		buf = NULL;
	}
	*len = size + 1;
	return buf;
}

static void file_forget(unsigned char *buf, size_t len)
{
	if (buf) {
		mbedtls_platform_zeroize(buf, len);
		mbedtls_free(buf);
	}
}

/* "CN=hvroot, ECDSA 256-bit key, SHA-256 ab:cd:..." on the console. */
static void log_certificate(const mbedtls_x509_crt *crt, unsigned chain)
{
	unsigned char digest[32];
	char subject[160], hex[3 * sizeof(digest)];

	if (mbedtls_x509_dn_gets(subject, sizeof(subject), &crt->subject) < 0)
		memcpy(subject, "(subject too long)", 19);
	mbedtls_sha256_ret(crt->raw.p, crt->raw.len, digest, 0);
	for (unsigned i = 0; i < sizeof(digest); i++)
		fmt_snprintf(hex + 3 * i, 4, "%02X%s", digest[i], i + 1 < sizeof(digest) ? ":" : "");
	kprintf("root: tls: certificate %s (%s %u-bit key, %u more in its chain)\n", subject,
		mbedtls_pk_get_name(&crt->pk), (unsigned)mbedtls_pk_get_bitlen(&crt->pk),
		chain - 1);
	kprintf("root: tls: certificate SHA-256 fingerprint %s\n", hex);
}

/* Parses both files for the reasons mbedTLS gives, and checks that they belong together. */
static bool check_server_files(const unsigned char *cert, size_t cert_len,
			       const unsigned char *key, size_t key_len)
{
	mbedtls_x509_crt crt;
	mbedtls_pk_context pk;
	unsigned chain = 0;
	int ret;

	mbedtls_x509_crt_init(&crt);
	mbedtls_pk_init(&pk);
	ret = mbedtls_x509_crt_parse(&crt, cert, cert_len);
	if (ret != 0)
		log_mbedtls("tls_cert", ret);
	if (ret == 0 && (ret = mbedtls_pk_parse_key(&pk, key, key_len, NULL, 0)) != 0)
		log_mbedtls("tls_key", ret);
	if (ret == 0 && (ret = mbedtls_pk_check_pair(&crt.pk, &pk)) != 0)
		kprintf("root: tls: tls_key is not the key of tls_cert's certificate; HTTPS off\n");
	for (const mbedtls_x509_crt *c = &crt; ret == 0 && c; c = c->next)
		chain++;
	if (ret == 0)
		log_certificate(&crt, chain);
	mbedtls_pk_free(&pk);
	mbedtls_x509_crt_free(&crt);
	return ret == 0;
}

/*
 * ECDHE groups in the server's order of preference (mbedTLS picks the
 * first of its own list that the client offers, and its default lists the
 * larger curves first): P-256 costs half what P-384 does and is strong
 * enough for the life of a session key.
 */
static const mbedtls_ecp_group_id curves[] = {
	MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_SECP384R1, MBEDTLS_ECP_DP_NONE,
};

/*
 * lwIP's struct altcp_tls_config (altcp_tls_mbedtls.c) begins with the
 * mbedtls_ssl_config it configures, and a pointer to a structure points to
 * its first member: that is how the settings lwIP has no call for reach it.
 */
static mbedtls_ssl_config *ssl_config(struct altcp_tls_config *conf)
{
	return (mbedtls_ssl_config *)(void *)conf;
}

/* The server's configuration: certificate, key, tickets, cache, DRBG (lwIP's), and ours. */
static struct altcp_tls_config *server_config(void)
{
	struct altcp_tls_config *conf = NULL;
	size_t cert_len = 0, key_len = 0;
	unsigned char *cert = file_read(HV_MGMT_FILE_TLS_CERT, &cert_len);
	unsigned char *key = cert ? file_read(HV_MGMT_FILE_TLS_KEY, &key_len) : NULL;

	if (key && check_server_files(cert, cert_len, key, key_len)) {
		conf = altcp_tls_create_config_server_privkey_cert(key, key_len, NULL, 0, cert,
								   cert_len);
		if (!conf)
			kprintf("root: tls: mbedTLS could not set the server up (TLS heap, or the "
				"DRBG's seeding); HTTPS off\n");
	}
	file_forget(key, key_len);
	file_forget(cert, cert_len);
	if (conf) {
		mbedtls_ssl_conf_curves(ssl_config(conf), curves);
		/* lwIP asks every client for a certificate; only mutual TLS wants one. */
		if (client_ca_loaded) {
			mbedtls_ssl_conf_ca_chain(ssl_config(conf), &client_ca, NULL);
			mbedtls_ssl_conf_authmode(ssl_config(conf), MBEDTLS_SSL_VERIFY_REQUIRED);
		} else {
			mbedtls_ssl_conf_authmode(ssl_config(conf), MBEDTLS_SSL_VERIFY_NONE);
		}
	}
	return conf;
}

/* The client CA, for mutual TLS; false (logged): serve no HTTPS at all. */
static bool load_client_ca(void)
{
	size_t len;
	unsigned char *pem = file_read(HV_MGMT_FILE_TLS_CLIENT_CA, &len);
	unsigned n = 0;
	int ret;

	if (!pem)
		return false;
	mbedtls_x509_crt_init(&client_ca);
	ret = mbedtls_x509_crt_parse(&client_ca, pem, len);
	file_forget(pem, len);
	if (ret != 0) {
		log_mbedtls("tls_client_ca", ret);
		mbedtls_x509_crt_free(&client_ca);
		return false;
	}
	for (const mbedtls_x509_crt *c = &client_ca; c; c = c->next)
		n++;
	client_ca_loaded = true;
	kprintf("root: tls: mutual TLS: a client certificate signed by one of %u CA "
		"certificate%s is required\n", n, n == 1 ? "" : "s");
	return true;
}

static mbedtls_ssl_context *ssl_of(struct altcp_pcb *pcb)
{
	return altcp_tls_context(pcb);
}

/* Per connection: the handshake budget's gate before its first byte. */
static void tls_accepted(struct altcp_pcb *pcb)
{
	tls_handshake_gate(pcb);
}

static bool tls_established(struct altcp_pcb *pcb)
{
	return ssl_of(pcb)->state == MBEDTLS_SSL_HANDSHAKE_OVER;
}

static bool tls_write_pending(struct altcp_pcb *pcb)
{
	return ssl_of(pcb)->out_left > 0;
}

static void tls_subject(struct altcp_pcb *pcb, char *out, size_t cap)
{
	const mbedtls_x509_crt *crt = mbedtls_ssl_get_peer_cert(ssl_of(pcb));
	char subject[256];

	out[0] = '\0';
	if (crt && mbedtls_x509_dn_gets(subject, sizeof(subject), &crt->subject) >= 0) {
		size_t n = strnlen(subject, cap - 1);

		memcpy(out, subject, n);
		out[n] = '\0';
	}
}

/* close_notify first, so a client can tell our close from a cut connection. */
static void tls_closing(struct altcp_pcb *pcb)
{
	(void)mbedtls_ssl_close_notify(ssl_of(pcb));
}

static void tls_expired(struct altcp_pcb *pcb)
{
	(void)pcb;
	tls_handshake_expired();
}

static const struct http_secure_ops tls_ops = {
	.accepted = tls_accepted,
	.established = tls_established,
	.waiting = tls_handshake_waiting,
	.write_pending = tls_write_pending,
	.subject = tls_subject,
	.closing = tls_closing,
	.expired = tls_expired,
};

bool http_tls_start(const struct hv_mgmt_config *cfg)
{
	const char *entropy = tls_entropy_source();
	struct altcp_tls_config *conf;

	if (!(cfg->flags & HV_MGMT_TLS))
		return false;
	if (!entropy) {
		kputs("root: tls: no entropy source: this CPU has neither RDSEED nor RDRAND; "
		      "HTTPS refused\n");
		return false;
	}
	kprintf("root: tls: TLS 1.2, entropy from %s\n", entropy);
	tls_heap_init();
	if ((cfg->flags & HV_MGMT_TLS_CLIENT_CA) && !load_client_ca())
		return false;
	conf = server_config();
	if (!conf)
		return false;
	if (!http_tcp_listen(altcp_tls_new(conf, IPADDR_TYPE_V4), cfg->https_port, &tls_ops,
			     "HTTPS"))
		return false;
	tls_set_serving();
	return true;
}
