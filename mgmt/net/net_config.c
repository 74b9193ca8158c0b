/*
 * The temporary root knob net=dhcp | net=A.B.C.D/N[,G.G.G.G], which sets
 * the management address until hv.cfg's [management] section reaches the
 * root through the management-config hypercall; it goes away then.
 */
#include "net.h"

#include "lwip/ip4_addr.h"

#include <kernel/cmdline.h>
#include <lib/string.h>

/* A dotted quad filling s[0..len), in network byte order. */
static bool parse_ipv4(const char *s, size_t len, uint8_t out[4])
{
	char buf[IP4ADDR_STRLEN_MAX];
	ip4_addr_t a;
	uint32_t v;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!ip4addr_aton(buf, &a))
		return false;
	v = lwip_ntohl(ip4_addr_get_u32(&a));
	for (int i = 0; i < 4; i++)
		out[i] = (uint8_t)(v >> (24 - 8 * i));
	return true;
}

static void netmask_of(unsigned int prefix, uint8_t out[4])
{
	uint32_t m = prefix == 0 ? 0 : ~0u << (32 - prefix);

	for (int i = 0; i < 4; i++)
		out[i] = (uint8_t)(m >> (24 - 8 * i));
}

bool net_config_parse(const char *s, size_t len, struct hv_mgmt_config *cfg)
{
	const char *prefix, *gw;
	size_t prefix_len, gw_len, addr_len;
	uint64_t bits;
	uint8_t addr[4], mask[4], gateway[4] = { 0, 0, 0, 0 };

	if (cmdline_eq(s, len, "dhcp")) {
		cfg->flags |= HV_MGMT_DHCP;
		return true;
	}
	addr_len = cmdline_split(s, len, '/', &prefix, &prefix_len);
	if (prefix == NULL || !parse_ipv4(s, addr_len, addr))
		return false;
	prefix_len = cmdline_split(prefix, prefix_len, ',', &gw, &gw_len);
	if (!cmdline_parse_u64(prefix, prefix_len, 10, &bits) || bits < 1 || bits > 32)
		return false;
	if (gw != NULL && !parse_ipv4(gw, gw_len, gateway))
		return false;
	netmask_of((unsigned int)bits, mask);
	cfg->flags &= ~HV_MGMT_DHCP;
	memcpy(cfg->ipv4, addr, 4);
	memcpy(cfg->netmask, mask, 4);
	memcpy(cfg->gateway, gateway, 4);
	return true;
}
