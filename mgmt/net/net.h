/*
 * The root's network: the e1000 (82540EM) it owns, lwIP in NO_SYS mode on
 * top, the address from the management configuration (static or DHCP).
 * Everything runs from the root's poll loop: net_poll drains the receive
 * ring, reclaims transmit descriptors and runs lwIP's timers.
 */
#ifndef MGMT_NET_H
#define MGMT_NET_H

#include <hv/mgmtcfg.h>
#include <hv/start_info.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Finds the e1000 among the PCI functions the root owns, resets it, sets
 * up its rings (DMA addresses from si->dma_base) and brings up lwIP with
 * cfg's address.  Logs "root: net: e1000 at bb:dd.f mac xx:..", then
 * "root: net: up 10.0.2.15/24 gw 10.0.2.2 (dhcp|static)" once an address
 * is bound.  false (with a console line) when there is no usable NIC.
 */
bool net_init(const struct start_info *si, const struct hv_mgmt_config *cfg);
void net_poll(uint64_t now_ms);
/* A received frame waits for net_poll: cheap enough for a wait loop. */
bool net_rx_pending(void);
/* An address is bound (static, or DHCP has answered). */
bool net_up(void);

/* Traffic and memory of the network, for the API's metrics. */
struct net_stats {
	uint64_t rx_frames, rx_bytes;   /* frames handed to lwIP */
	uint64_t tx_frames, tx_bytes;   /* frames handed to the device */
	uint64_t rx_ring_full;          /* the device found no free descriptor (MPC) */
	uint64_t rx_no_buffer;          /* lwIP's pbuf pool was empty */
	uint64_t rx_bad;                /* receive errors or longer than one buffer */
	uint64_t tx_ring_full;          /* every transmit descriptor was in use */
	uint64_t tx_oversize;           /* frame longer than one buffer */
	size_t heap_used, heap_max, heap_size;  /* lwIP's heap (MEM_SIZE), bytes */
	uint32_t pbuf_pool_used, pbuf_pool_size;
	uint32_t tcp_pcbs_used, tcp_pcbs_size;
	uint32_t tcp_segs_used, tcp_segs_size;
};
void net_stats(struct net_stats *out);
/* Bytes of lwIP's heap in use now. */
size_t net_heap_used(void);

#endif
