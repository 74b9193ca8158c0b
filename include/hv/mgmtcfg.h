/*
 * The management configuration hv hands to the root partition: the
 * `[management]` and `[token NAME]` sections of hv.cfg, parsed by the
 * loader into struct hvcfg and copied out by the root-only hypercall
 * HVCALL_MGMT_CONFIG (docs/hypercalls.md).  Tokens are never stored in
 * clear: only the SHA-256 of the token's bytes travels.  The files the
 * section names (the TLS certificate, its key, the client CA) are read
 * by the loader and copied out by HVCALL_MGMT_FILE, HV_MGMT_FILE_* each.
 *
 * Layout rules: naturally aligned, no implicit padding, strings
 * NUL-terminated inside their arrays; the whole record fits one page.
 */
#ifndef HV_MGMTCFG_H
#define HV_MGMTCFG_H

#include <stdint.h>

#define HV_MGMT_REVISION 3u
#define HV_MGMT_MAX_TOKENS 8u
#define HV_MGMT_MAX_GRANTS 8u
#define HV_MGMT_NAME_LEN 32u

#define HV_MGMT_DHCP 0x1u            /* flags: address from DHCP, ipv4/netmask/gateway unused */
#define HV_MGMT_TLS 0x2u             /* tls_cert and tls_key given: HTTPS on https_port */
#define HV_MGMT_TLS_CLIENT_CA 0x4u   /* tls_client_ca given: clients need a certificate it signed */
#define HV_MGMT_INSECURE_HTTP 0x8u   /* a token over plain HTTP is accepted (tests, loopback) */
#define HV_MGMT_FLAGS_ALL 0xfu

/* The files of [management], in HVCALL_MGMT_FILE's numbering; each PEM text. */
enum hv_mgmt_file {
	HV_MGMT_FILE_TLS_CERT = 0,   /* the server's certificate, then its chain */
	HV_MGMT_FILE_TLS_KEY = 1,    /* its private key (unencrypted) */
	HV_MGMT_FILE_TLS_CLIENT_CA = 2, /* CA certificates a client certificate must chain to */
	HV_MGMT_FILES = 3,
};
#define HV_MGMT_FILE_MAX (64u * 1024u)   /* bytes per file */
/*
 * The most the root sends in one TLS record, and so the room for its
 * certificate message: 7 bytes plus 3 and the DER of each certificate of
 * the chain (mbedTLS sends it whole).  mgmt/tls/mbedtls_config.h builds
 * mbedTLS with it; `hvcfg check` holds tls_cert to it.
 */
#define HV_MGMT_TLS_RECORD_MAX 8192u

/* hv.cfg's key of each file, in that order (for messages). */
#define HV_MGMT_FILE_KEYS { "tls_cert", "tls_key", "tls_client_ca" }

/*
 * Revision 2: which of the root's cards carries the API ([management]
 * nic): a driver, a PCI function, or both; neither = the first supported
 * card the root finds on bus 0.
 */
#define HV_MGMT_NIC_ANY 0u           /* nic_driver: any driver */
#define HV_MGMT_NIC_E1000 1u         /* the 82540EM driver */
#define HV_MGMT_NIC_E1000E 2u        /* the 82574L driver */
#define HV_MGMT_NIC_VIRTIO 3u        /* the virtio-net driver */
#define HV_MGMT_NIC_BY_ADDRESS 0x1u  /* nic_flags: nic_bdf names the function */

#define HV_MGMT_RIGHT_READ 0x1u      /* GET of a VM, its guestos, parameters, users, tasks */
#define HV_MGMT_RIGHT_CONTROL 0x2u   /* start/turnoff/reset, shutdown/restart/logoff, set parameter */
#define HV_MGMT_RIGHT_EXECUTE 0x4u   /* ExecuteCommand, InstallAdditions */

struct hv_mgmt_grant {
	char vm[HV_MGMT_NAME_LEN];   /* partition name, or "*" for every partition */
	uint32_t rights;             /* HV_MGMT_RIGHT_* */
};

struct hv_mgmt_token {
	char name[HV_MGMT_NAME_LEN]; /* the section's NAME, logged with every action */
	uint8_t sha256[32];          /* SHA-256 of the bearer token's bytes */
	uint32_t ngrants;
	uint32_t reserved;
	struct hv_mgmt_grant grants[HV_MGMT_MAX_GRANTS];
};

struct hv_mgmt_config {
	uint32_t revision;           /* HV_MGMT_REVISION */
	uint32_t size;               /* sizeof(struct hv_mgmt_config) */
	uint32_t flags;              /* HV_MGMT_DHCP */
	uint8_t ipv4[4];             /* static address, network byte order */
	uint8_t netmask[4];
	uint8_t gateway[4];          /* 0.0.0.0: none */
	uint16_t http_port;          /* plain HTTP's TCP port; 0: none (the default) */
	uint16_t ntokens;
	uint8_t nic_driver;          /* HV_MGMT_NIC_* (revision 2) */
	uint8_t nic_flags;           /* HV_MGMT_NIC_BY_ADDRESS */
	uint16_t nic_bdf;            /* bus << 8 | device << 3 | function */
	struct hv_mgmt_token tokens[HV_MGMT_MAX_TOKENS];
	uint16_t https_port;         /* revision 3: HTTPS's TCP port (default 443), with HV_MGMT_TLS */
	uint16_t reserved;
	uint32_t reserved2;
};

_Static_assert(sizeof(struct hv_mgmt_grant) == 36, "hv_mgmt_grant layout");
_Static_assert(sizeof(struct hv_mgmt_token) == 360, "hv_mgmt_token layout");
_Static_assert(sizeof(struct hv_mgmt_config) == 32 + 8 * 360 + 8, "hv_mgmt_config layout");
_Static_assert(sizeof(struct hv_mgmt_config) <= 4096, "hv_mgmt_config fits a page");

#endif
