/*
 * Unit tests of the TLS side of hv.cfg's [management]: the keys and what
 * the parser and hv's validator make of them (lib/hvcfg/hvcfg_mgmt.c),
 * the PEM rules the loader and hvcfg check share (lib/hvcfg/hvcfg_pem.c)
 * and hvcfg check's mbedTLS look at the files (tools/hvcfg_tls.c), each
 * refusal with the line it must name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <hv/hvcfg_image.h>

#include "hvcfg_fixture.h"
#include "hvcfg_tls.h"
#include "tls_fixture.h"

/* Line numbers matter: the tests below replace lines by number. */
#define TLS_CONFIG \
	"[partition root]\n"                          /*  1 */ \
	"role = root\n"                               /*  2 */ \
	"cpus = 0\n"                                  /*  3 */ \
	"memory = 256M\n"                             /*  4 */ \
	"image = \\hv\\root.elf\n"                    /*  5 */ \
	"[management]\n"                              /*  6 */ \
	"address = dhcp\n"                            /*  7 */ \
	"tls_cert = \\hv\\tls-cert.pem\n"             /*  8 */ \
	"tls_key = /hv/tls-key.pem  # slashes too\n"  /*  9 */ \
	"# tls_client_ca\n"                           /* 10 */ \
	"# https_port\n"                              /* 11 */ \
	"# http_port\n"                               /* 12 */ \
	"# insecure_http\n"                           /* 13 */

static int with_line(unsigned number, const char *line)
{
	return parse_replacing(TLS_CONFIG, number, line);
}

static void expect_refused(unsigned number, const char *line, unsigned err_line,
			   const char *fragment)
{
	expect_refused_in(TLS_CONFIG, number, line, err_line, fragment);
}

static void test_tls_config(void **state)
{
	const struct hv_mgmt_config *m = &cfg.mgmt;

	(void)state;
	assert_int_equal(parse(TLS_CONFIG), 0);
	assert_int_equal(m->flags, HV_MGMT_DHCP | HV_MGMT_TLS);
	assert_int_equal(m->https_port, 443);
	assert_int_equal(m->http_port, 0);
	assert_string_equal(cfg.mgmt_files[HV_MGMT_FILE_TLS_CERT].path, "\\hv\\tls-cert.pem");
	assert_string_equal(cfg.mgmt_files[HV_MGMT_FILE_TLS_KEY].path, "\\hv\\tls-key.pem");
	assert_int_equal(cfg.mgmt_files[HV_MGMT_FILE_TLS_KEY].line, 9);
	assert_string_equal(cfg.mgmt_files[HV_MGMT_FILE_TLS_CLIENT_CA].path, "");
	assert_int_equal(hvcfg_validate(&cfg, &err), 0);
	assert_int_equal(with_line(10, "tls_client_ca = \\hv\\ca.pem"), 0);
	assert_int_equal(m->flags, HV_MGMT_DHCP | HV_MGMT_TLS | HV_MGMT_TLS_CLIENT_CA);
	assert_int_equal(with_line(11, "https_port = 8443"), 0);
	assert_int_equal(m->https_port, 8443);
	assert_int_equal(with_line(12, "http_port = 80"), 0);
	assert_int_equal(m->http_port, 80);
	assert_int_equal(m->flags & HV_MGMT_INSECURE_HTTP, 0);
	assert_string_equal(hvcfg_mgmt_file_key(HV_MGMT_FILE_TLS_CLIENT_CA), "tls_client_ca");
}

static void test_tls_refused(void **state)
{
	(void)state;
	expect_refused(9, "# no key", 8, "tls_cert needs tls_key, the certificate's private key");
	expect_refused(8, "# no certificate", 9, "tls_key needs tls_cert");
	expect_refused(8, "tls_cert = hv\\tls-cert.pem", 8,
		       "tls_cert must be an ESP path like \\hv\\tls-cert.pem");
	expect_refused(8, "tls_cert = \"\\hv\\t\x01.pem\"", 8, "tls_cert path has a bad character");
	expect_refused(8, "tls_cert =", 8, "tls_cert must be an ESP path");
	expect_refused(10, "tls_cert = \\hv\\other.pem", 10, "duplicate key 'tls_cert'");
	expect_refused(11, "https_port = 0", 11, "https_port must be 1-65535, not '0'");
	expect_refused(12, "http_port = 443", 12, "http_port and https_port are both 443");
	expect_refused(13, "insecure_http = maybe", 13, "insecure_http must be yes or no");
	/* Tokens over plain HTTP need plain HTTP. */
	expect_refused(13, "insecure_http = yes", 13, "insecure_http = yes needs http_port");
}

/* Without TLS: the client CA and the HTTPS port have nothing to belong to. */
static void test_without_tls(void **state)
{
	static const char base[] =
		"[partition root]\nrole = root\ncpus = 0\nmemory = 2M\nimage = \\a\n"
		"[management]\n"                        /* 6 */
		"http_port = 8080\n"                    /* 7 */
		"insecure_http = yes\n"                 /* 8 */
		"# more\n";                             /* 9 */

	(void)state;
	assert_int_equal(parse(base), 0);
	assert_int_equal(cfg.mgmt.flags, HV_MGMT_DHCP | HV_MGMT_INSECURE_HTTP);
	assert_int_equal(parse_replacing(base, 9, "tls_client_ca = \\hv\\ca.pem"), -1);
	expect_error(9, "tls_client_ca needs tls_cert and tls_key");
	assert_int_equal(parse_replacing(base, 9, "https_port = 8443"), -1);
	expect_error(9, "https_port needs tls_cert and tls_key");
	assert_int_equal(parse_replacing(base, 7, "# no http_port"), -1);
	expect_error(8, "insecure_http = yes needs http_port");
}

/* hv's view of the binary form: flags that do not match the files. */
static void test_tls_binary(void **state)
{
	(void)state;
	assert_int_equal(parse(TLS_CONFIG), 0);
	cfg.mgmt.flags &= ~HV_MGMT_TLS;
	assert_int_equal(hvcfg_validate(&cfg, &err), -1);
	expect_error(6, "management flags 0x1 disagree with the TLS files");
	assert_int_equal(parse(TLS_CONFIG), 0);
	cfg.mgmt.flags |= HV_MGMT_TLS_CLIENT_CA;
	assert_int_equal(hvcfg_validate(&cfg, &err), -1);
	expect_error(6, "management flags 0x7 disagree with the TLS files");
	assert_int_equal(parse(TLS_CONFIG), 0);
	cfg.mgmt.https_port = 0;
	assert_int_equal(hvcfg_validate(&cfg, &err), -1);
	expect_error(6, "https_port must be 1-65535");
	assert_int_equal(parse(TLS_CONFIG), 0);
	memset(cfg.mgmt_files[HV_MGMT_FILE_TLS_KEY].path, 'k', HVCFG_PATH_LEN);
	assert_int_equal(hvcfg_validate(&cfg, &err), -1);
	expect_error(6, "tls_key is malformed");
	assert_int_equal(parse(TLS_CONFIG), 0);
	cfg.mgmt.reserved2 = 1;
	assert_int_equal(hvcfg_validate(&cfg, &err), -1);
	expect_error(6, "management record revision");
}

/* ---- the files' PEM form (loader and hvcfg check) ---- */

static int pem(uint32_t file, const char *text)
{
	assert_int_equal(with_line(10, "tls_client_ca = \\hv\\ca.pem"), 0);
	return hvcfg_check_mgmt_file(&cfg, file, text, strlen(text), &err);
}

static void expect_pem_refused(uint32_t file, const char *text, unsigned line, const char *why)
{
	if (pem(file, text) != -1)
		fail_msg("file %u accepted: %s", file, text);
	expect_error(line, why);
}

static void test_pem_form(void **state)
{
	(void)state;
	assert_int_equal(pem(HV_MGMT_FILE_TLS_CERT, FX_A_CERT), 0);
	assert_int_equal(pem(HV_MGMT_FILE_TLS_CERT, "chain:\r\n" FX_A_CERT FX_CA_CERT), 0);
	assert_int_equal(pem(HV_MGMT_FILE_TLS_KEY, FX_A_KEY), 0);
	assert_int_equal(pem(HV_MGMT_FILE_TLS_KEY, "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n"
				 "-----END EC PARAMETERS-----\n" FX_A_KEY), 0);
	assert_int_equal(pem(HV_MGMT_FILE_TLS_CLIENT_CA, FX_CA_CERT FX_A_CERT), 0);
	expect_pem_refused(HV_MGMT_FILE_TLS_CERT, "", 8, "tls_cert \\hv\\tls-cert.pem is empty");
	expect_pem_refused(HV_MGMT_FILE_TLS_CERT, "hello\n", 8, "holds no CERTIFICATE block");
	expect_pem_refused(HV_MGMT_FILE_TLS_CERT, FX_A_CERT FX_A_KEY, 8,
			   "holds a private key: keep it in tls_key only");
	expect_pem_refused(HV_MGMT_FILE_TLS_CERT, "-----BEGIN CERTIFICATE-----\nMII?\n"
			   "-----END CERTIFICATE-----\n", 8, "a line that is not base64");
	expect_pem_refused(HV_MGMT_FILE_TLS_CERT, "-----BEGIN CERTIFICATE-----\nMIIB\n"
			   "-----END X509 CRL-----\n", 8, "different blocks");
	expect_pem_refused(HV_MGMT_FILE_TLS_CERT, "-----BEGIN CERTIFICATE-----\nMIIB\n", 8,
			   "has no END line");
	expect_pem_refused(HV_MGMT_FILE_TLS_CERT, "-----BEGIN CERTIFICATE-----\n"
			   "-----END CERTIFICATE-----\n", 8, "a PEM block is empty");
	expect_pem_refused(HV_MGMT_FILE_TLS_CERT, "-----BEGIN CERTIFICATE-----\nMI=B\n"
			   "-----END CERTIFICATE-----\n", 8, "not base64");
	expect_pem_refused(HV_MGMT_FILE_TLS_CLIENT_CA, "-----BEGIN X509 CRL-----\nMIIB\n"
			   "-----END X509 CRL-----\n", 10, "holds a PEM block that is not a CERTIFICATE");
	expect_pem_refused(HV_MGMT_FILE_TLS_KEY, FX_A_KEY FX_B_KEY, 9,
			   "must hold exactly one private key");
	expect_pem_refused(HV_MGMT_FILE_TLS_KEY, FX_A_CERT, 9, "must hold exactly one private key");
	expect_pem_refused(HV_MGMT_FILE_TLS_KEY, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n"
			   "-----END ENCRYPTED PRIVATE KEY-----\n", 9, "the private key is encrypted");
	expect_pem_refused(HV_MGMT_FILE_TLS_KEY, "-----BEGIN RSA PRIVATE KEY-----\n"
			   "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMIIB\n"
			   "-----END RSA PRIVATE KEY-----\n", 9, "encrypted");
}

static void test_pem_size(void **state)
{
	static char big[HV_MGMT_FILE_MAX + 2];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	expect_pem_refused(HV_MGMT_FILE_TLS_CERT, big, 8, "is 65537 bytes, at most 65536");
	assert_int_equal(with_line(10, "tls_client_ca = \\hv\\ca.pem"), 0);
	assert_int_equal(hvcfg_check_mgmt_file(&cfg, HV_MGMT_FILE_TLS_CERT, "a\0b", 3, &err), -1);
	expect_error(8, "holds NUL bytes");
}

/* ---- hvcfg check's mbedTLS look (what the root will do with them) ---- */

static int deep(const char *cert, const char *key, const char *ca)
{
	struct hvcfg_tls_file files[HV_MGMT_FILES] = {
		{ cert, strlen(cert) }, { key, strlen(key) }, { ca, ca ? strlen(ca) : 0 },
	};

	assert_int_equal(with_line(10, ca ? "tls_client_ca = \\hv\\ca.pem" : "#"), 0);
	return hvcfg_tls_check(&cfg, files, &err);
}

static void expect_deep_refused(const char *cert, const char *key, const char *ca, unsigned line,
				const char *why)
{
	if (deep(cert, key, ca) != -1)
		fail_msg("accepted, expected '%s'", why);
	expect_error(line, why);
}

static void test_tls_files(void **state)
{
	static char chain[32 * sizeof(FX_A_CERT)];

	(void)state;
	assert_int_equal(deep(FX_A_CERT, FX_A_KEY, NULL), 0);
	assert_int_equal(deep(FX_A_CERT FX_CA_CERT, FX_A_KEY, FX_CA_CERT FX_A_CERT), 0);
	expect_deep_refused(FX_A_CERT, FX_B_KEY, NULL, 9, "is not the key of tls_cert's certificate");
	expect_deep_refused(FX_RSA1024_CERT, FX_RSA1024_KEY, NULL, 8,
			    "an RSA key of 1024 bits: the root takes 2048 or more");
	expect_deep_refused(FX_P521_CERT, FX_P521_KEY, NULL, 8, "P-256 and P-384 only");
	expect_deep_refused(FX_CLIENT_ONLY_CERT, FX_A_KEY, NULL, 8,
			    "does not allow TLS server authentication");
	expect_deep_refused("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
			    FX_A_KEY, NULL, 8, "tls_cert \\hv\\tls-cert.pem: mbedTLS cannot read it");
	expect_deep_refused(FX_A_CERT, "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
			    NULL, 9, "tls_key \\hv\\tls-key.pem: mbedTLS cannot read it");
	expect_deep_refused(FX_A_CERT, FX_A_KEY, FX_CA_CERT FX_CLIENT_ONLY_CERT, 10,
			    "certificate 2 is not a CA certificate");
	for (int i = 0; i < 32; i++)
		strcat(chain, FX_A_CERT);   /* about 13 KiB of DER */
	expect_deep_refused(chain, FX_A_KEY, NULL, 8, "the root sends at most 8192");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_config),
		cmocka_unit_test(test_tls_refused),
		cmocka_unit_test(test_without_tls),
		cmocka_unit_test(test_tls_binary),
		cmocka_unit_test(test_pem_form),
		cmocka_unit_test(test_pem_size),
		cmocka_unit_test(test_tls_files),
	};

	return cmocka_run_group_tests_name("hvcfg_tls", tests, NULL, NULL);
}
