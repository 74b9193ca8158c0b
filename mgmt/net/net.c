/*
 * The glue between the root's NIC (whichever driver nic_probe found) and
 * lwIP: one Ethernet netif whose link output copies each frame into a
 * transmit buffer, received frames copied into pool pbufs and fed to
 * ethernet_input, the address set statically or by DHCP, lwIP's timers
 * run from net_poll, and the address line once an address is bound.
 */
#include "net.h"
#include "nic.h"

#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#include <kernel/console.h>
#include <lib/string.h>

#define RX_BUDGET 64u        /* frames per poll; the ring holds 256 */
#define LINK_CHECK_MS 500u
#define MTU 1500u

static struct netif netif;
static const struct nic_driver *nic;
static struct nic_device dev;
static uint16_t api_port, api_tls_port;   /* 0: not served */
static bool started, use_dhcp;
static uint64_t last_link_check;
static uint64_t rx_no_pbuf;
static ip4_addr_t logged_addr;

static err_t link_output(struct netif *n, struct pbuf *p)
{
	uint8_t *buf = nic->tx_buffer();

	(void)n;
	if (buf == NULL) {
		LINK_STATS_INC(link.drop);
		return ERR_MEM;
	}
	if (p->tot_len > NIC_MAX_FRAME) {
		nic->tx_send(p->tot_len); /* the driver counts and drops it */
		LINK_STATS_INC(link.drop);
		return ERR_BUF;
	}
	pbuf_copy_partial(p, buf, p->tot_len, 0);
	nic->tx_send(p->tot_len);
	LINK_STATS_INC(link.xmit);
	return ERR_OK;
}

static void deliver(const uint8_t *frame, size_t len, void *ctx)
{
	struct netif *n = ctx;
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);

	if (p == NULL) {
		rx_no_pbuf++;
		LINK_STATS_INC(link.memerr);
		return;
	}
	pbuf_take(p, frame, (u16_t)len);
	LINK_STATS_INC(link.recv);
	if (n->input(p, n) != ERR_OK)
		pbuf_free(p);
}

static unsigned int prefix_len(const ip4_addr_t *mask)
{
	uint32_t m = lwip_ntohl(ip4_addr_get_u32(mask));
	unsigned int n = 0;

	while (m & 0x80000000u) {
		n++;
		m <<= 1;
	}
	return n;
}

static void print_api_line(const char *scheme, const char *addr, uint16_t port)
{
	kprintf("root: management API at %s://%s:%u/ (%s %s, mac %02x:%02x:%02x:%02x:%02x:%02x)\n",
		scheme, addr, port, nic->name, dev.model, dev.mac[0], dev.mac[1], dev.mac[2],
		dev.mac[3], dev.mac[4], dev.mac[5]);
}

/* Logs each new address once: the first DHCP answer, a static address, a renewal that moved. */
static void status_changed(struct netif *n)
{
	char addr[IP4ADDR_STRLEN_MAX], gw[IP4ADDR_STRLEN_MAX];

	if (!netif_is_up(n) || ip4_addr_isany(netif_ip4_addr(n)) ||
	    ip4_addr_cmp(netif_ip4_addr(n), &logged_addr))
		return;
	ip4_addr_copy(logged_addr, *netif_ip4_addr(n));
	ip4addr_ntoa_r(netif_ip4_addr(n), addr, sizeof(addr));
	ip4addr_ntoa_r(netif_ip4_gw(n), gw, sizeof(gw));
	kprintf("root: net: up %s/%u gw %s (%s)\n", addr, prefix_len(netif_ip4_netmask(n)), gw,
		use_dhcp ? "dhcp" : "static");
	/* The line an operator looks for: where to point a client, and which card. */
	if (api_tls_port)
		print_api_line("https", addr, api_tls_port);
	if (api_port)
		print_api_line("http", addr, api_port);
}

static void link_changed(struct netif *n)
{
	kprintf("root: net: link %s\n", netif_is_link_up(n) ? "up" : "down");
}

static err_t netif_setup(struct netif *n)
{
	const struct nic_device *d = n->state;

	n->name[0] = 'e';
	n->name[1] = 'n';
	n->output = etharp_output;
	n->linkoutput = link_output;
	n->mtu = MTU;
	n->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(n->hwaddr, d->mac, ETH_HWADDR_LEN);
	n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	return ERR_OK;
}

static void ip_from(ip4_addr_t *out, const uint8_t b[4])
{
	IP4_ADDR(out, b[0], b[1], b[2], b[3]);
}

static bool netif_start(const struct hv_mgmt_config *cfg)
{
	ip4_addr_t addr, mask, gw;

	ip4_addr_set_zero(&addr);
	ip4_addr_set_zero(&mask);
	ip4_addr_set_zero(&gw);
	if (!use_dhcp) {
		ip_from(&addr, cfg->ipv4);
		ip_from(&mask, cfg->netmask);
		ip_from(&gw, cfg->gateway);
	}
	lwip_init();
	if (netif_add(&netif, &addr, &mask, &gw, &dev, netif_setup, ethernet_input) == NULL) {
		kputs("root: net: lwIP refused the interface\n");
		return false;
	}
	netif_set_hostname(&netif, "hvroot");
	netif_set_default(&netif);
	netif_set_status_callback(&netif, status_changed);
	netif_set_link_callback(&netif, link_changed);
	if (nic->link_up())
		netif_set_link_up(&netif);
	netif_set_up(&netif);
	if (use_dhcp && dhcp_start(&netif) != ERR_OK) {
		kputs("root: net: DHCP could not start\n");
		return false;
	}
	return true;
}

bool net_init(const struct start_info *si, const struct hv_mgmt_config *cfg)
{
	nic = nic_probe(si->dma_base, cfg, &dev);
	if (nic == NULL)
		return false;
	if (!nic->start(&dev)) {
		kprintf("root: net: %s (%s) at %02x:%02x.%x could not start\n", nic->name,
			dev.model, dev.bdf.bus, dev.bdf.dev, dev.bdf.fn);
		return false;
	}
	/* "NAME at bb:dd.f mac ..., link up" first: tests and scripts match that prefix. */
	kprintf("root: net: %s at %02x:%02x.%x mac %02x:%02x:%02x:%02x:%02x:%02x, link %s "
		"(%s %04x:%04x)\n",
		nic->name, dev.bdf.bus, dev.bdf.dev, dev.bdf.fn, dev.mac[0], dev.mac[1], dev.mac[2],
		dev.mac[3], dev.mac[4], dev.mac[5], nic->link_up() ? "up" : "down", dev.model,
		dev.vendor, dev.device);
	use_dhcp = (cfg->flags & HV_MGMT_DHCP) != 0;
	api_port = cfg->http_port;
	api_tls_port = (cfg->flags & HV_MGMT_TLS) ? cfg->https_port : 0;
	started = netif_start(cfg);
	return started;
}

static void link_check(void)
{
	bool up = nic->link_up();

	if (up && !netif_is_link_up(&netif))
		netif_set_link_up(&netif);
	else if (!up && netif_is_link_up(&netif))
		netif_set_link_down(&netif);
}

/* When idle: one descriptor read per ring and lwIP's timer check. */
void net_poll(uint64_t now_ms)
{
	if (!started)
		return;
	nic->rx_poll(deliver, &netif, RX_BUDGET);
	nic->tx_reclaim();
	if (now_ms - last_link_check >= LINK_CHECK_MS) {
		last_link_check = now_ms;
		link_check();
	}
	sys_check_timeouts();
}

bool net_rx_pending(void)
{
	return started && nic->rx_pending();
}

void net_inject_fault(void)
{
	if (started && nic->inject_fault != NULL)
		nic->inject_fault();
}

bool net_up(void)
{
	return started && netif_is_up(&netif) && !ip4_addr_isany(netif_ip4_addr(&netif));
}

size_t net_heap_used(void)
{
	return lwip_stats.mem.used;
}

static void pool_use(memp_t pool, uint32_t *used, uint32_t *size)
{
	/* lwip_init fills these pointers; zeros before that. */
	if (lwip_stats.memp[pool] == NULL)
		return;
	*used = (uint32_t)lwip_stats.memp[pool]->used;
	*size = (uint32_t)lwip_stats.memp[pool]->avail;
}

void net_stats(struct net_stats *out)
{
	struct nic_counters c;

	memset(out, 0, sizeof(*out));
	if (nic == NULL)
		return;
	nic->counters(&c);
	out->rx_frames = c.rx_frames;
	out->rx_bytes = c.rx_bytes;
	out->tx_frames = c.tx_frames;
	out->tx_bytes = c.tx_bytes;
	out->rx_ring_full = c.rx_missed;
	out->rx_no_buffer = rx_no_pbuf;
	out->rx_bad = c.rx_errors + c.rx_oversize;
	out->tx_ring_full = c.tx_ring_full;
	out->tx_oversize = c.tx_oversize;
	out->rx_bad_desc = c.rx_bad_desc;
	out->tx_bad_desc = c.tx_bad_desc;
	out->resets = c.resets;
	out->heap_used = lwip_stats.mem.used;
	out->heap_max = lwip_stats.mem.max;
	out->heap_size = lwip_stats.mem.avail;
	pool_use(MEMP_PBUF_POOL, &out->pbuf_pool_used, &out->pbuf_pool_size);
	pool_use(MEMP_TCP_PCB, &out->tcp_pcbs_used, &out->tcp_pcbs_size);
	pool_use(MEMP_TCP_SEG, &out->tcp_segs_used, &out->tcp_segs_size);
}
