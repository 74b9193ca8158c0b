/*
 * The root's network: the NIC it owns (nic.h: 82540EM, 82574L or virtio-net), lwIP in NO_SYS mode on
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
 * Finds the first NIC a driver claims among the PCI functions the root
 * owns, starts it (DMA addresses from si->dma_base) and brings up lwIP
 * with cfg's address.  Logs "root: net: e1000 at bb:dd.f mac xx:..,
 * link up (82540EM 8086:100e)", then "root: net: up 10.0.2.15/24 gw 10.0.2.2
 * (dhcp|static)" and "root: management API at https://A.B.C.D:PORT/ (...)"
 * once an address is bound.  false (with a console line) when there is no
 * usable NIC.
 */
bool net_init(const struct start_info *si, const struct hv_mgmt_config *cfg);
void net_poll(uint64_t now_ms);
/* A received frame waits for net_poll: cheap enough for a wait loop. */
bool net_rx_pending(void);
/* An address is bound (static, or DHCP has answered). */
bool net_up(void);
/* RDRAND where the CPU has it, else the TSC mixed with a counter (port.c). */
uint32_t net_random(void);
/* Test hook (knob nic_fault): the NIC's next receive hand-back is forged broken. */
void net_inject_fault(void);

/* Traffic and memory of the network, for the API's metrics. */
struct net_stats {
	uint64_t rx_frames, rx_bytes;   /* frames handed to lwIP */
	uint64_t tx_frames, tx_bytes;   /* frames handed to the device */
	uint64_t rx_ring_full;          /* the device found no free descriptor (MPC) */
	uint64_t rx_no_buffer;          /* lwIP's pbuf pool was empty */
	uint64_t rx_bad;                /* receive errors or longer than one buffer */
	uint64_t tx_ring_full;          /* every transmit descriptor was in use */
	uint64_t tx_oversize;           /* frame longer than one buffer */
	uint64_t rx_bad_desc, tx_bad_desc; /* descriptors the device handed back that failed a check */
	uint64_t resets;                /* device resets after it misbehaved */
	size_t heap_used, heap_max, heap_size;  /* lwIP's heap (MEM_SIZE), bytes */
	uint32_t pbuf_pool_used, pbuf_pool_size;
	uint32_t tcp_pcbs_used, tcp_pcbs_size;
	uint32_t tcp_segs_used, tcp_segs_size;
};
void net_stats(struct net_stats *out);
/* Bytes of lwIP's heap in use now. */
size_t net_heap_used(void);

#endif
