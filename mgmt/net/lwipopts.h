/*
 * lwIP 2.1.3 configuration of the root partition (mgmt/net): NO_SYS mode
 * driven from the root's poll loop, raw API only (no threads, sockets or
 * netconn), IPv4 with ARP, ICMP, UDP for DHCP, and TCP sized for the
 * management API: HTTP_MAX_CONNS (80) connections, each able to queue a
 * whole HTTP_MAX_RESPONSE (32 KiB) answer.  Options not named here keep
 * lwIP's defaults (src/include/lwip/opt.h).
 */
#ifndef MGMT_NET_LWIPOPTS_H
#define MGMT_NET_LWIPOPTS_H

/* ---- system: single-threaded, polled ---- */
#define NO_SYS 1
#define LWIP_TIMERS 1
/* Nothing touches lwIP from an interrupt handler, so no locking at all. */
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_NETIF_API 0

/* ---- memory ---- */
#define MEM_ALIGNMENT 8
/*
 * The heap holds PBUF_RAM pbufs: outgoing TCP data written with
 * TCP_WRITE_FLAG_COPY, DHCP messages, ARP queueing.  80 connections each
 * holding a full 32 KiB send buffer is 2.5 MiB; 3 MiB leaves room for the
 * rest.  It lives in the root's .bss (the root has 64 MiB or more).
 */
#define MEM_SIZE (3u * 1024u * 1024u)
/* 80 API connections, 16 more for TIME_WAIT and the diagnostic listener. */
#define MEMP_NUM_TCP_PCB 96
#define MEMP_NUM_TCP_PCB_LISTEN 4
#define MEMP_NUM_UDP_PCB 4
/*
 * Queued TCP segments over all connections: 80 x 32 KiB / 1460 is about
 * 1800 full-size segments.  Must be >= TCP_SND_QUEUELEN (checked below).
 */
#define MEMP_NUM_TCP_SEG 2048
/* PBUF_REF/ROM pbufs for no-copy writes (one per tcp_write piece). */
#define MEMP_NUM_PBUF 512
/*
 * Receive pbufs: the driver copies each frame into one pool pbuf (a
 * full-size frame fits PBUF_POOL_BUFSIZE); TCP keeps them while data waits
 * for the application or out of order.
 */
#define PBUF_POOL_SIZE 192
#define MEMP_NUM_ARP_QUEUE 32
#define MEMP_NUM_REASSDATA 0

/* ---- protocols ---- */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define ETHARP_SUPPORT_VLAN 0
#define ETH_PAD_SIZE 0
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
/* We never send more than the MTU and need no fragments from peers. */
#define IP_REASSEMBLY 0
#define IP_FRAG 0

/* ---- TCP ---- */
#define TCP_MSS 1460
/* A 32 KiB response fits the send buffer at once (lwIP's limit is 64 KiB). */
#define TCP_SND_BUF (32u * 1024u)
#define TCP_SND_QUEUELEN ((4u * TCP_SND_BUF + TCP_MSS - 1u) / TCP_MSS)
/*
 * Requests are at most 4 KiB of headers and 8 KiB of body; over TLS a
 * client may send them as one record of up to 16 KiB plus its overhead,
 * which mbedTLS must receive whole before it can acknowledge any of it:
 * the window must hold that record (lwIP's TLS layer warns otherwise).
 */
#define TCP_WND (12u * TCP_MSS)
#define TCP_QUEUE_OOSEQ 1
/*
 * Out-of-order segments wait in lwIP's pbufs (the NIC's pool), not in the
 * HTTP server's own buffer: a few per connection, so that a client
 * sending tiny segments out of order cannot pin the pool (lwIP also
 * frees these queues when the pool runs dry).
 */
#define TCP_OOSEQ_MAX_PBUFS 4
#define TCP_OOSEQ_MAX_BYTES TCP_WND
#define LWIP_TCP_KEEPALIVE 1
#define TCP_LISTEN_BACKLOG 1

/* ---- altcp: the HTTP server's API, plain TCP or TLS (mgmt/tls) ---- */
#define LWIP_ALTCP 1
#define LWIP_ALTCP_TLS 1
#define LWIP_ALTCP_TLS_MBEDTLS 1
/* A TLS connection takes two altcp pcbs (TLS over TCP), a plain one one. */
#define MEMP_NUM_ALTCP_PCB (2 * MEMP_NUM_TCP_PCB + 4)
/* Resumption: session tickets, and a session-ID cache for clients without. */
#define ALTCP_MBEDTLS_USE_SESSION_TICKETS 1
#define ALTCP_MBEDTLS_SESSION_TICKET_TIMEOUT_SECONDS 3600
#define ALTCP_MBEDTLS_USE_SESSION_CACHE 1
#define ALTCP_MBEDTLS_SESSION_CACHE_SIZE 64
#define ALTCP_MBEDTLS_SESSION_CACHE_TIMEOUT_SECONDS 3600
/* The DRBG's personalisation string (its entropy is RDSEED or RDRAND). */
#define ALTCP_MBEDTLS_ENTROPY_PTR ((const unsigned char *)"hvroot management TLS")
#define ALTCP_MBEDTLS_ENTROPY_LEN 21

#if MEMP_NUM_TCP_SEG < TCP_SND_QUEUELEN
#error "MEMP_NUM_TCP_SEG must be at least TCP_SND_QUEUELEN"
#endif

/* ---- netif ---- */
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_HOSTNAME 1
#define LWIP_SINGLE_NETIF 1

/* ---- checksums: all in software (the driver enables no offload) ---- */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 0

/* ---- statistics: heap and pool use for the API's metrics ---- */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define MEM_STATS 1
#define MEMP_STATS 1
#define LINK_STATS 1
#define ETHARP_STATS 1
#define IP_STATS 1
#define ICMP_STATS 1
#define UDP_STATS 1
#define TCP_STATS 1
#define SYS_STATS 0

#endif
