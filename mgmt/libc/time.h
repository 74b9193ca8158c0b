/*
 * <time.h> for the third-party code in root.elf: mbedTLS includes it for
 * time_t (x509_crt.c) or names time_t without it (ssl_tls.c of 2.28.3,
 * which mgmt/tls/mbedtls_config.h covers by including this file).  The
 * root has no calendar: mbedTLS's clock is tls_port_time, seconds of
 * uptime, of the same type.
 */
#ifndef MGMT_LIBC_TIME_H
#define MGMT_LIBC_TIME_H

typedef long long time_t;

#endif
