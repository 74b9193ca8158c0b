/*
 * What `hvcfg check` finds in the TLS files of [management] beyond their
 * PEM form (lib/hvcfg/hvcfg_pem.c): it parses them with mbedTLS (Debian's
 * libmbedtls, the 2.28 the root is built from) and applies the rules the
 * root's HTTPS server lives by, so that a file the root would refuse at
 * start-up is refused here, with the line of its key:
 *   - tls_cert: certificates mbedTLS reads; the first one's key is ECDSA
 *     on P-256 or P-384, or RSA of 2048 bits or more; its key usage and
 *     extended key usage, when present, allow a TLS server; the chain fits
 *     the root's certificate message (HV_MGMT_TLS_RECORD_MAX);
 *   - tls_key: an unencrypted key mbedTLS reads, the certificate's own;
 *   - tls_client_ca: certificates mbedTLS reads, each a CA certificate.
 */
#include "hvcfg_tls.h"

#include <lib/format.h>

#include <mbedtls/ecp.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RSA_MIN_BITS 2048u

/* mbedTLS's parsers want PEM text NUL-terminated, the NUL counted. */
static unsigned char *with_nul(const struct hvcfg_tls_file *f, size_t *len)
{
	unsigned char *copy = malloc(f->size + 1);

	if (copy) {
		memcpy(copy, f->data, f->size);
		copy[f->size] = '\0';
	}
	*len = f->size + 1;
	return copy;
}

static int fail_mbedtls(const struct hvcfg *cfg, uint32_t file, int ret, struct hvcfg_error *err)
{
	const struct hvcfg_file *f = &cfg->mgmt_files[file];
	char why[96];

	mbedtls_strerror(ret, why, sizeof(why));
	err->line = f->line;
	fmt_snprintf(err->message, sizeof(err->message), "%s %s: mbedTLS cannot read it: %s",
		     hvcfg_mgmt_file_key(file), f->path, why);
	return -1;
}

static int fail_file(const struct hvcfg *cfg, uint32_t file, const char *why,
		     struct hvcfg_error *err)
{
	const struct hvcfg_file *f = &cfg->mgmt_files[file];

	err->line = f->line;
	fmt_snprintf(err->message, sizeof(err->message), "%s %s: %s", hvcfg_mgmt_file_key(file),
		     f->path, why);
	return -1;
}

/* The server certificate's key: what the root's cipher suites can sign with. */
static const char *key_refused(const mbedtls_pk_context *pk)
{
	static char why[96];

	if (mbedtls_pk_get_type(pk) == MBEDTLS_PK_RSA) {
		if (mbedtls_pk_get_bitlen(pk) >= RSA_MIN_BITS)
			return NULL;
		snprintf(why, sizeof(why), "an RSA key of %zu bits: the root takes %u or more",
			 mbedtls_pk_get_bitlen(pk), RSA_MIN_BITS);
		return why;
	}
	if (mbedtls_pk_get_type(pk) == MBEDTLS_PK_ECKEY) {
		mbedtls_ecp_group_id id = mbedtls_pk_ec(*pk)->grp.id;

		if (id == MBEDTLS_ECP_DP_SECP256R1 || id == MBEDTLS_ECP_DP_SECP384R1)
			return NULL;
		return "an EC key on a curve the root does not offer (P-256 and P-384 only)";
	}
	return "neither an RSA nor an EC key";
}

/* The first certificate (the server's) and the chain after it. */
static const char *chain_refused(const mbedtls_x509_crt *crt)
{
	static char why[96];
	size_t message = 7;

	for (const mbedtls_x509_crt *c = crt; c; c = c->next)
		message += 3 + c->raw.len;
	if (message > HV_MGMT_TLS_RECORD_MAX) {
		snprintf(why, sizeof(why), "the chain makes a %zu-byte message; the root sends at "
			 "most %u", message, HV_MGMT_TLS_RECORD_MAX);
		return why;
	}
	if (mbedtls_x509_crt_check_key_usage(crt, MBEDTLS_X509_KU_DIGITAL_SIGNATURE) != 0)
		return "its key usage does not allow digital signatures (ECDHE needs them)";
	if (mbedtls_x509_crt_check_extended_key_usage(crt, MBEDTLS_OID_SERVER_AUTH,
						      MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)) != 0)
		return "its extended key usage does not allow TLS server authentication";
	return key_refused(&crt->pk);
}

static int check_server(const struct hvcfg *cfg, const struct hvcfg_tls_file *files,
			struct hvcfg_error *err)
{
	mbedtls_x509_crt crt;
	mbedtls_pk_context key;
	size_t cert_len, key_len;
	unsigned char *cert = with_nul(&files[HV_MGMT_FILE_TLS_CERT], &cert_len);
	unsigned char *pem = with_nul(&files[HV_MGMT_FILE_TLS_KEY], &key_len);
	const char *why;
	int rc = 0, ret;

	mbedtls_x509_crt_init(&crt);
	mbedtls_pk_init(&key);
	if (!cert || !pem)
		rc = fail_file(cfg, HV_MGMT_FILE_TLS_CERT, "out of memory", err);
	else if ((ret = mbedtls_x509_crt_parse(&crt, cert, cert_len)) != 0)
		rc = fail_mbedtls(cfg, HV_MGMT_FILE_TLS_CERT, ret, err);
	else if ((why = chain_refused(&crt)) != NULL)
		rc = fail_file(cfg, HV_MGMT_FILE_TLS_CERT, why, err);
	else if ((ret = mbedtls_pk_parse_key(&key, pem, key_len, NULL, 0)) != 0)
		rc = fail_mbedtls(cfg, HV_MGMT_FILE_TLS_KEY, ret, err);
	else if (mbedtls_pk_check_pair(&crt.pk, &key) != 0)
		rc = fail_file(cfg, HV_MGMT_FILE_TLS_KEY, "is not the key of tls_cert's certificate",
			       err);
	mbedtls_pk_free(&key);
	mbedtls_x509_crt_free(&crt);
	if (pem)
		memset(pem, 0, key_len);
	free(pem);
	free(cert);
	return rc;
}

static int check_client_ca(const struct hvcfg *cfg, const struct hvcfg_tls_file *f,
			   struct hvcfg_error *err)
{
	mbedtls_x509_crt ca;
	size_t len;
	unsigned char *pem = with_nul(f, &len);
	unsigned n = 1;
	int rc = 0, ret;

	mbedtls_x509_crt_init(&ca);
	if (!pem)
		rc = fail_file(cfg, HV_MGMT_FILE_TLS_CLIENT_CA, "out of memory", err);
	else if ((ret = mbedtls_x509_crt_parse(&ca, pem, len)) != 0)
		rc = fail_mbedtls(cfg, HV_MGMT_FILE_TLS_CLIENT_CA, ret, err);
	for (const mbedtls_x509_crt *c = &ca; rc == 0 && c; c = c->next, n++) {
		char why[64];

		snprintf(why, sizeof(why), "certificate %u is not a CA certificate", n);
		if (!c->ca_istrue)
			rc = fail_file(cfg, HV_MGMT_FILE_TLS_CLIENT_CA, why, err);
	}
	mbedtls_x509_crt_free(&ca);
	free(pem);
	return rc;
}

int hvcfg_tls_check(const struct hvcfg *cfg, const struct hvcfg_tls_file *files,
		    struct hvcfg_error *err)
{
	if ((cfg->mgmt.flags & HV_MGMT_TLS) && check_server(cfg, files, err) != 0)
		return -1;
	if ((cfg->mgmt.flags & HV_MGMT_TLS_CLIENT_CA) &&
	    check_client_ca(cfg, &files[HV_MGMT_FILE_TLS_CLIENT_CA], err) != 0)
		return -1;
	return 0;
}
