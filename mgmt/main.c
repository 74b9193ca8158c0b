/*
 * The root partition's kernel (management OS).  It enables hypercalls,
 * registers the event ring (events/), lists the partitions and hv's
 * resources, then starts its parts in this order: the VMBus server (bus/)
 * once management is up, the network (net/, address and ports from
 * hv.cfg's [management]) once the bus is, and the management API (api/,
 * served by http/ over HTTPS and, if hv.cfg asks, plain HTTP) once the
 * network is.  Its
 * command-line knobs (knobs/, each registered there: this file names
 * none) hook in at those steps.  Then it prints "root: alive <n>" about
 * once a second (tests rely on it); events are logged as they arrive
 * throughout.
 */
#include "root.h"

#include <api/api.h>
#include <bus/bus.h>
#include <bus/guestos.h>
#include <events/events.h>
#include <knobs/knobs.h>
#include <net/net.h>

#include <arch/x86.h>
#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/hvmgmt.h>
#include <kernel/hypercall.h>
#include <kernel/interrupts.h>
#include <kernel/start.h>
#include <kernel/time.h>
#include <lib/format.h>

static uint64_t last_tick;
static unsigned long alive;

void root_poll(void)
{
	uint64_t start = tsc_read(), now;

	/*
	 * The only window for interrupts: handlers never interrupt a print.
	 * It lasts about 1 ms, or ends as soon as a bus vector says there is
	 * work or the NIC has received a frame (it is polled, not interrupt
	 * driven), so that an answer does not wait out the rest of the window.
	 */
	interrupts_enable();
	while (tsc_read() - start < tsc_hz() / 1000 && !bus_work_flagged() && !net_rx_pending())
		cpu_relax();
	interrupts_disable();
	events_poll();
	bus_poll();
	guestos_poll(tsc_to_ms(tsc_read()));
	knobs_poll(tsc_to_ms(tsc_read()));
	now = tsc_read();
	net_poll(tsc_to_ms(now));
	api_poll(tsc_to_ms(now));
	http_server_poll(tsc_to_ms(now));
	if (now - last_tick < tsc_hz())
		return;
	/* Keep the one-second rhythm, but do not catch up after a long call. */
	last_tick = now - last_tick < 2 * tsc_hz() ? last_tick + tsc_hz() : now;
	kprintf("root: alive %lu\n", ++alive);
	knobs_second();
}

static bool list_partitions(void)
{
	static struct hv_partition_list list;
	uint64_t r = hv_partition_list(&list);

	if (r == HV_CALL_NOT_READY || hv_status(r) != HV_STATUS_SUCCESS) {
		kprintf("root: partition list failed (status 0x%x)\n", hv_status(r));
		return false;
	}
	for (uint32_t i = 0; i < list.count && i < HV_MAX_PARTITIONS; i++) {
		const struct hv_partition_entry *e = &list.entries[i];

		kprintf("root: partition %u %.*s %s %lu MiB\n", e->id, (int)HV_NAME_LEN, e->name,
			hv_partition_state_name(e->state), e->memory_size >> 20);
	}
	events_track(&list);
	return true;
}

static void print_hv_info(void)
{
	struct hv_info info;
	uint64_t r = hv_info(&info);

	if (r == HV_CALL_NOT_READY || hv_status(r) != HV_STATUS_SUCCESS) {
		kprintf("root: hv info failed (status 0x%x)\n", hv_status(r));
		return;
	}
	kprintf("root: hv pool %lu/%lu pages, free RAM %lu MiB, image %lu KiB, "
		"%u partitions, %u CPUs, TSC %lu MHz\n",
		info.pool_free_pages, info.pool_total_pages, info.ram_free_bytes >> 20,
		info.hv_image_bytes >> 10, info.partition_count, info.cpu_count,
		info.tsc_hz / 1000000);
}

/* hv.cfg's [management] and tokens, once hv handed them over (mgmt_loaded). */
static struct hv_mgmt_config mgmt;
static bool mgmt_loaded;

/* "https 443 (mutual TLS), http 8080 (tokens allowed)", or "no API". */
static void describe_ports(const struct hv_mgmt_config *m, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	if (m->flags & HV_MGMT_TLS)
		n += fmt_snprintf(out, cap, "https %u%s", m->https_port,
				  (m->flags & HV_MGMT_TLS_CLIENT_CA) ? " (mutual TLS)" : "");
	if (m->http_port && n < cap)
		n += fmt_snprintf(out + n, cap - n, "%shttp %u%s", n ? ", " : "", m->http_port,
				  (m->flags & HV_MGMT_INSECURE_HTTP) ? " (tokens allowed)" : "");
	if (n == 0)
		fmt_snprintf(out, cap, "no API");
}

/* The API's address, ports and tokens from hv.cfg; the hashes never reach the log. */
static void print_mgmt_config(void)
{
	uint64_t r = hv_mgmt_config(&mgmt);
	unsigned prefix = 0;
	char addr[48], ports[64];

	if (r == HV_CALL_NOT_READY || hv_status(r) != HV_STATUS_SUCCESS ||
	    mgmt.revision != HV_MGMT_REVISION || mgmt.size != sizeof(mgmt)) {
		kprintf("root: mgmt: config failed (status 0x%x, revision %u)\n", hv_status(r),
			mgmt.revision);
		return;
	}
	mgmt_loaded = true;
	for (unsigned bit = 0; bit < 32 && (mgmt.netmask[bit / 8] & (0x80u >> bit % 8)); bit++)
		prefix++;
	if (mgmt.flags & HV_MGMT_DHCP)
		fmt_snprintf(addr, sizeof(addr), "dhcp");
	else
		fmt_snprintf(addr, sizeof(addr), "%u.%u.%u.%u/%u gateway %u.%u.%u.%u",
			     mgmt.ipv4[0], mgmt.ipv4[1], mgmt.ipv4[2], mgmt.ipv4[3], prefix,
			     mgmt.gateway[0], mgmt.gateway[1], mgmt.gateway[2], mgmt.gateway[3]);
	describe_ports(&mgmt, ports, sizeof(ports));
	kprintf("root: mgmt: address %s, %s, %u token%s\n", addr, ports, mgmt.ntokens,
		mgmt.ntokens == 1 ? "" : "s");
}

static void warn_unknown_words(const char *cmdline)
{
	struct cmdline_word w;

	while (cmdline_next(&cmdline, &w))
		if (!knobs_known(w.key, w.key_len))
			kprintf("root: ignoring unknown option '%.*s'\n", (int)w.key_len, w.key);
}

/* Hypercalls, events and the listing; false if management is unavailable. */
static bool management_init(void)
{
	if (!hv_hypercall_enable())
		return false;
	if (!events_init(ROOT_EVENT_VECTOR))
		return false;
	if (!list_partitions())
		return false;
	print_hv_info();
	print_mgmt_config();
	return true;
}

/*
 * The management network, with hv.cfg's address and ports; DHCP and no
 * API (hv.cfg's defaults) when hv could not hand the configuration over.
 */
static void network_init(const struct knob_env *env)
{
	static const struct hv_mgmt_config fallback = {
		.revision = HV_MGMT_REVISION,
		.size = sizeof(struct hv_mgmt_config),
		.flags = HV_MGMT_DHCP,
		.https_port = 443,
	};
	const struct hv_mgmt_config *cfg = mgmt_loaded ? &mgmt : &fallback;

	if (!mgmt_loaded)
		kputs("root: net: no management configuration from hv: DHCP, no API\n");
	if (!net_init(env->si, cfg))
		return;
	/* A knob that serves the plain HTTP port (80 without one) replaces the API. */
	if (knobs_serve(env, cfg->http_port ? cfg->http_port : 80))
		return;
	http_allow_plain_credentials((cfg->flags & HV_MGMT_INSECURE_HTTP) != 0);
	if (cfg->http_port)
		http_server_start(cfg->http_port);
	if (cfg->flags & HV_MGMT_TLS)
		http_tls_start(cfg);
	else if (!cfg->http_port)
		kputs("root: http: hv.cfg's [management] names neither tls_cert and tls_key nor "
		      "http_port: no API\n");
}

void kernel_main(void *start_info)
{
	const struct start_info *si = kernel_init(start_info, "root");
	const char *cmdline = si->cmdline;
	struct knob_env env = { .si = si, .cmdline = cmdline };

	kprintf("root: started (%s, %lu MiB, %s)\n", si->name, si->memory_size >> 20, cmdline);
	if (!(si->flags & START_INFO_FLAG_ROOT))
		kputs("root: warning: start_info does not flag this partition as the root\n");
	warn_unknown_words(cmdline);
	env.managed = management_init();
	if (env.managed) {
		knobs_configure(&env);
		bus_init();
		api_init();
	}
	network_init(&env);

	last_tick = tsc_read();
	knobs_start(&env);
	for (;;)
		root_poll();
}
