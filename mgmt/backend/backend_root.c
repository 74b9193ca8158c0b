/*
 * The root's implementation of backend.h: partitions through hv's
 * management hypercalls (kernel/hvmgmt.h), the guest through
 * guestos.h, the tokens from HVCALL_MGMT_CONFIG (read once, on first
 * use), the heap from lwIP's accounts (mgmt/net), time from the TSC and
 * lines on the console.
 */
#include "backend.h"

#include <net/net.h>
#include <http/http.h>
#include <tls/tls.h>

#include <kernel/console.h>
#include <kernel/hvmgmt.h>
#include <kernel/hypercall.h>
#include <kernel/time.h>
#include <lib/format.h>
#include <lib/string.h>
#include <hv/start_info.h>
#include <stdarg.h>

static struct hv_partition_list list;

static void entry_to_vm(const struct hv_partition_entry *e, struct backend_vm *out)
{
	out->id = e->id;
	out->state = e->state;
	out->root = (e->flags & START_INFO_FLAG_ROOT) != 0;
	out->vp_count = e->vp_count;
	out->memory_bytes = e->memory_size;
	memcpy(out->name, e->name, HV_NAME_LEN);
	out->name[HV_NAME_LEN] = '\0';
}

static bool refresh(void)
{
	uint64_t r = hv_partition_list(&list);

	if (r == HV_CALL_NOT_READY || hv_status(r) != HV_STATUS_SUCCESS)
		list.count = 0;
	if (list.count > HV_MAX_PARTITIONS)
		list.count = HV_MAX_PARTITIONS;
	return list.count > 0;
}

uint32_t backend_vm_list(struct backend_vm *out, uint32_t max)
{
	uint32_t n = 0;

	refresh();
	for (uint32_t i = 0; i < list.count && n < max; i++)
		entry_to_vm(&list.entries[i], &out[n++]);
	return n;
}

bool backend_vm_get(uint32_t id, struct backend_vm *out)
{
	bool found = false;

	refresh();
	for (uint32_t i = 0; i < list.count && !found; i++) {
		if (list.entries[i].id == id) {
			entry_to_vm(&list.entries[i], out);
			found = true;
		}
	}
	return found;
}

/* Names do not change while hv runs: the last listing serves (one call if there is none). */
const char *backend_vm_name(uint32_t id)
{
	static char names[HV_MAX_PARTITIONS][HV_NAME_LEN + 1];
	const char *name = NULL;

	if (list.count == 0)
		refresh();
	for (uint32_t i = 0; i < list.count && !name; i++) {
		if (list.entries[i].id == id && id < HV_MAX_PARTITIONS) {
			memcpy(names[id], list.entries[i].name, HV_NAME_LEN);
			names[id][HV_NAME_LEN] = '\0';
			name = names[id];
		}
	}
	return name;
}

int32_t backend_vm_find(const char *name, size_t len)
{
	int32_t id = -1;

	if (list.count == 0)
		refresh();
	for (uint32_t i = 0; i < list.count && id < 0; i++) {
		const struct hv_partition_entry *e = &list.entries[i];

		if (strnlen(e->name, HV_NAME_LEN) == len && memcmp(e->name, name, len) == 0)
			id = (int32_t)e->id;
	}
	return id;
}

/* hv's status as an HRESULT; hv not answering at all is E_FAIL. */
static uint32_t hresult_of(uint64_t r, uint32_t wrong_state)
{
	return r == HV_CALL_NOT_READY ? E_FAIL : hresult_from_hv(hv_status(r), wrong_state);
}

uint32_t backend_vm_start(uint32_t id)
{
	return hresult_of(hv_partition_start(id), VM_E_VM_RUNNING);
}

uint32_t backend_vm_stop(uint32_t id)
{
	return hresult_of(hv_partition_stop(id), VM_E_VM_NOT_RUNNING);
}

uint32_t backend_vm_reset(uint32_t id)
{
	return hresult_of(hv_partition_reset(id), HR_ERROR_NOT_READY);
}

bool backend_vm_exits(uint32_t id, uint64_t exits[HV_EXIT_COUNTERS])
{
	static struct hv_partition_status st;
	uint64_t r = hv_partition_status(id, &st);
	bool ok = r != HV_CALL_NOT_READY && hv_status(r) == HV_STATUS_SUCCESS;

	if (ok)
		memcpy(exits, st.exits, sizeof(st.exits));
	return ok;
}

bool backend_guestos_facts(uint32_t id, struct guestos_facts *out)
{
	return guestos_facts(id, out);
}

uint32_t backend_guestos_request(uint32_t id, const struct guestos_args *a, guestos_done_fn done,
				 void *ctx)
{
	return guestos_request(id, a, done, ctx);
}

void backend_guestos_cancel(void *ctx)
{
	guestos_cancel(ctx);
}

uint32_t backend_guestos_set_time_sync(uint32_t id, bool enabled)
{
	return guestos_set_time_sync(id, enabled);
}

/* Read once: hv's copy never changes.  A refusal leaves no tokens, so every request is 401. */
const struct hv_mgmt_config *backend_mgmt_config(void)
{
	static struct hv_mgmt_config cfg;
	static bool loaded;

	if (!loaded) {
		uint64_t r = hv_mgmt_config(&cfg);

		loaded = true;
		if (r == HV_CALL_NOT_READY || hv_status(r) != HV_STATUS_SUCCESS ||
		    cfg.revision != HV_MGMT_REVISION || cfg.size != sizeof(cfg)) {
			kprintf("root: api: no management configuration (status 0x%x): "
				"every request will be refused\n", hv_status(r));
			memset(&cfg, 0, sizeof(cfg));
		}
		if (cfg.ntokens > HV_MGMT_MAX_TOKENS)
			cfg.ntokens = HV_MGMT_MAX_TOKENS;
	}
	return &cfg;
}

/* The root's one heap is lwIP's (MEM_SIZE); everything else is static. */
bool backend_heap_used(uint64_t *bytes)
{
	*bytes = net_heap_used();
	return true;
}

bool backend_tls(struct backend_tls *out)
{
	struct tls_heap_use heap;
	struct tls_handshake_stats hs;

	if (!tls_serving())
		return false;
	tls_heap_use(&heap);
	tls_handshake_stats(&hs);
	*out = (struct backend_tls){
		.heap_used = heap.used, .heap_peak = heap.peak, .heap_size = heap.size,
		.connections = http_tls_connections(),
		.handshakes_completed = hs.completed, .handshakes_failed = hs.failed,
		.handshakes_expired = hs.expired, .handshake_waits = hs.waits,
		.handshake_cpu_us = hs.cpu_us,
	};
	return true;
}

bool backend_net(struct backend_net *out)
{
	struct net_stats st;

	net_stats(&st);
	out->rx_frames = st.rx_frames;
	out->rx_bytes = st.rx_bytes;
	out->tx_frames = st.tx_frames;
	out->tx_bytes = st.tx_bytes;
	out->rx_ring_full = st.rx_ring_full;
	out->rx_no_buffer = st.rx_no_buffer;
	out->rx_bad = st.rx_bad;
	out->tx_ring_full = st.tx_ring_full;
	out->tx_oversize = st.tx_oversize;
	out->rx_bad_desc = st.rx_bad_desc;
	out->tx_bad_desc = st.tx_bad_desc;
	out->resets = st.resets;
	return net_up();
}

void backend_entropy(uint8_t out[32])
{
	for (unsigned i = 0; i < 8; i++) {
		uint32_t v = net_random() ^ (uint32_t)(tsc_read() >> (3 * i));

		memcpy(out + 4 * i, &v, sizeof(v));
	}
}

uint64_t backend_now_ms(void)
{
	return tsc_to_ms(tsc_read());
}

void backend_log(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* A cut line still ends its console line. */
	if (n >= sizeof(line))
		line[sizeof(line) - 2] = '\n';
	kputs(line);
}
