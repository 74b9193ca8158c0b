/*
 * hvcfg check's mbedTLS look at the TLS files of [management]
 * (tools/hvcfg_tls.c): the rules the root's HTTPS server applies when it
 * loads them, on the host, with the line of the key to fix.
 */
#ifndef TOOLS_HVCFG_TLS_H
#define TOOLS_HVCFG_TLS_H

#include <hv/config_desc.h>

/* A file's bytes as read (size 0 for a file hv.cfg does not name). */
struct hvcfg_tls_file {
	const void *data;
	uint64_t size;
};

/*
 * files[HV_MGMT_FILES], already past hvcfg_check_mgmt_file: 0, or -1
 * with *err naming the key's line and why.
 */
int hvcfg_tls_check(const struct hvcfg *cfg, const struct hvcfg_tls_file *files,
		    struct hvcfg_error *err);

#endif
