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
/* An address is bound (static, or DHCP has answered). */
bool net_up(void);

#endif
