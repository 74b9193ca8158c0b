/*
 * mbedTLS 2.28 configuration of the root partition (mgmt/tls): the
 * compile-time choice of everything the management API's HTTPS server
 * uses and nothing more.  Every mbedTLS file of root.elf is compiled with
 * MBEDTLS_CONFIG_FILE naming this header instead of mbedTLS's own
 * config.h, so an option not set here is off.
 *
 * What it gives (docs/architecture.md, "TLS"): a TLS 1.2 server only
 * (2.28's TLS 1.3 is marked experimental and has no server side worth
 * the name), ECDHE key exchange with ECDSA or RSA certificates, AEAD
 * record protection only (ChaCha20-Poly1305 first, since the root has no
 * AES instructions it may use, then AES-GCM), session resumption through
 * tickets and a session-ID cache, certificates and keys in PEM, client
 * certificates for mutual TLS.  Entropy comes from RDSEED/RDRAND through
 * mbedtls_hardware_poll (tls_port.c) and feeds CTR_DRBG; the heap is
 * mbedTLS's buffer allocator over a static arena (tls_mem.c).
 *
 * The root has no C library, no SSE and no calendar clock: platform
 * functions are ours (tls_port.c), bignum uses only general-purpose
 * registers, and certificate validity dates are not checked (no
 * MBEDTLS_HAVE_TIME_DATE).
 */
#ifndef MGMT_TLS_MBEDTLS_CONFIG_H
#define MGMT_TLS_MBEDTLS_CONFIG_H

/* ---- system ---- */
#define MBEDTLS_HAVE_ASM                  /* x86-64 bignum in general-purpose registers */
#define MBEDTLS_NO_UDBL_DIVISION          /* no 128-bit division: no libgcc in the root */
#define MBEDTLS_HAVE_TIME                 /* ticket and cache lifetimes, in seconds of uptime */

/* ---- platform: the root provides these (tls_port.c) ---- */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY           /* calloc/free set by tls_mem.c */
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_PLATFORM_TIME_TYPE_MACRO long long
/* ssl_tls.c (2.28.3) names time_t without including <time.h>: mgmt/libc's. */
#include <time.h>
#define MBEDTLS_PLATFORM_TIME_MACRO tls_port_time
#define MBEDTLS_PLATFORM_EXIT_MACRO tls_port_exit
#define MBEDTLS_PLATFORM_FPRINTF_MACRO tls_port_fprintf
#define MBEDTLS_PLATFORM_SNPRINTF_MACRO fmt_snprintf   /* lib/format.c */
#include <lib/format.h>
long long tls_port_time(long long *t);
void tls_port_exit(int status) __attribute__((noreturn));
int tls_port_fprintf(void *stream, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- entropy and random numbers ---- */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_NO_PLATFORM_ENTROPY       /* no /dev/urandom: only ... */
#define MBEDTLS_ENTROPY_HARDWARE_ALT      /* ... mbedtls_hardware_poll, RDSEED or RDRAND */
#define MBEDTLS_CTR_DRBG_C
#define MBEDTLS_HMAC_DRBG_C               /* deterministic ECDSA nonces (RFC 6979) */

/* ---- heap ---- */
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
#define MBEDTLS_MEMORY_DEBUG              /* current and peak use for /metrics */
/* Its reports go to mbedtls_fprintf(stderr, ...): the console (as in mgmt/libc/stdio.h). */
#define stderr ((void *)0)

/* ---- hashes, ciphers, public keys ---- */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA512_C                  /* SHA-384 suites and signatures */
#define MBEDTLS_CIPHER_C
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES            /* tables in .rodata, none built at run time */
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_ECP_C
/*
 * ECDHE and certificates on P-256 and P-384 only: mbedTLS 2.28 has fast
 * reduction for the NIST curves and precomputed tables for their base
 * points, while its X25519 is generic bignum code; measured on the root
 * under QEMU TCG, an X25519 handshake took twice as long as a P-256 one.
 */
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDSA_DETERMINISTIC
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C              /* ECDSA signatures are DER */
#define MBEDTLS_OID_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_ERROR_C                   /* mbedtls_strerror for the root's log */

/* ---- certificates ---- */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_CHECK_KEY_USAGE
#define MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE   /* a client certificate must allow clientAuth */

/* ---- TLS: a 1.2 server ---- */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH   /* a client may ask for smaller records */
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE /* a resumed session still names its client */
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_TICKET_C
#define MBEDTLS_SSL_CACHE_C
/*
 * Server preference, strongest and cheapest first: ChaCha20-Poly1305 is
 * faster than AES-GCM without AES-NI and carry-less multiply.
 */
#define MBEDTLS_SSL_CIPHERSUITES \
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, \
	MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, \
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, \
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, \
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, \
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
/*
 * Records: a client may send the 16 KiB TLS allows (few negotiate a
 * smaller maximum fragment length), so the input buffer takes a whole
 * one; the root's own records, and the certificate chain it sends in one
 * handshake message, are at most 8 KiB.  With the overheads that is about
 * 16.7 KiB + 8.4 KiB per connection (docs/http.md, "TLS").
 */
#include <hv/mgmtcfg.h>
#define MBEDTLS_SSL_IN_CONTENT_LEN 16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN HV_MGMT_TLS_RECORD_MAX
#define MBEDTLS_SSL_CACHE_DEFAULT_MAX_ENTRIES 64
#define MBEDTLS_SSL_CACHE_DEFAULT_TIMEOUT 3600
#define MBEDTLS_X509_MAX_INTERMEDIATE_CA 4

#include "mbedtls/check_config.h"

#endif
