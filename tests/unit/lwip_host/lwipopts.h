/*
 * lwIP options for the host test of the HTTP server's lwIP binding
 * (tests/unit/test_http_tcp.c): the root's own options (mgmt/net), plus
 * the loopback interface the test's clients connect through, and pcbs for
 * both ends of every connection (client and server share one stack here).
 */
#ifndef TEST_LWIP_HOST_LWIPOPTS_H
#define TEST_LWIP_HOST_LWIPOPTS_H

#include "../../../mgmt/net/lwipopts.h"

#undef LWIP_SINGLE_NETIF
#define LWIP_SINGLE_NETIF 0
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1
#undef MEMP_NUM_TCP_PCB
#define MEMP_NUM_TCP_PCB 256
/* Looped packets are PBUF_RAM copies queued until netif_poll. */
#define LWIP_LOOPBACK_MAX_PBUFS 0

#endif
