/*
 * GET /metrics: Prometheus text exposition format 0.0.4, only for what
 * the root really measures: partition states and hv's exit counters
 * (HVCALL_PARTITION_STATUS), the guests' heartbeat (when known), the task
 * engine's counts, the root's heap, network and TLS (when they exist) and
 * the API's answers per status.  Any valid token may read it, but the
 * per-VM series name only the VMs the token may read (a token must not
 * learn which VMs exist beyond its grants); the rest has no VM in it.
 */
#include "api_int.h"
#include "api_reply.h"
#include "api_routes.h"
#include "api_throttle.h"
#include "text_write.h"

#include <task/task.h>

static char out[HTTP_MAX_RESPONSE - 512];   /* room left for the status line and headers */

/* hv/emul/exit.h order, as HVCALL_PARTITION_STATUS reports the counters (docs/hypercalls.md). */
static const char *const exit_names[] = {
	"cpuid", "msr-read", "msr-write", "io", "hlt", "hypercall", "cr-write", "xsetbv",
	"triple-fault", "stage2-fault", "virt-insn", "entry-failed", "nmi", "external-intr",
	"intr-window", "init", "decode-failed", "other", "invd",
};
_Static_assert(sizeof(exit_names) / sizeof(exit_names[0]) <= HV_EXIT_COUNTERS,
	       "exit names fit hv's counters");

static void header(struct text *t, const char *name, const char *type, const char *help)
{
	text_add(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/*
 * A label value as the format requires (backslash, quote and newline
 * escaped).  VM names come from hv.cfg, whose parser allows none of them,
 * but the format must not depend on that.
 */
static const char *label(const char *s)
{
	static char esc[2 * HV_NAME_LEN + 1];
	size_t o = 0;

	for (size_t i = 0; s[i] && o + 2 < sizeof(esc); i++) {
		if (s[i] == '\\' || s[i] == '"' || s[i] == '\n') {
			esc[o++] = '\\';
			esc[o++] = s[i] == '\n' ? 'n' : s[i];
		} else {
			esc[o++] = s[i];
		}
	}
	esc[o] = '\0';
	return esc;
}

static void vm_metrics(struct text *t, const struct backend_vm *vms, uint32_t n)
{
	struct guestos_facts f;

	header(t, "hv_vm_state", "gauge",
	       "Partition state: 0 Off, 1 Starting, 2 Running, 3 Stopping, 4 Faulted.");
	for (uint32_t i = 0; i < n; i++)
		text_add(t, "hv_vm_state{vm=\"%s\"} %u\n", label(vms[i].name), vms[i].state);
	header(t, "hv_guest_heartbeat_percentage", "gauge",
	       "Share of the last 60 s of heartbeats the guest answered.");
	for (uint32_t i = 0; i < n; i++)
		if (backend_guestos_facts(vms[i].id, &f) && f.heartbeat_known)
			text_add(t, "hv_guest_heartbeat_percentage{vm=\"%s\"} %u\n", label(vms[i].name),
			    f.heartbeat_percentage);
	header(t, "hv_guest_heartbeating", "gauge",
	       "1 while the guest answers heartbeats, 0 after three missed.");
	for (uint32_t i = 0; i < n; i++)
		if (backend_guestos_facts(vms[i].id, &f) && f.heartbeat_known)
			text_add(t, "hv_guest_heartbeating{vm=\"%s\"} %d\n", label(vms[i].name),
			    f.heartbeating ? 1 : 0);
}

static void exit_metrics(struct text *t, const struct backend_vm *vms, uint32_t n)
{
	static uint64_t exits[HV_EXIT_COUNTERS];

	header(t, "hv_exits_total", "counter", "VM exits hv handled, by reason.");
	for (uint32_t i = 0; i < n; i++) {
		if (!backend_vm_exits(vms[i].id, exits))
			continue;
		for (size_t r = 0; r < sizeof(exit_names) / sizeof(exit_names[0]); r++)
			text_add(t, "hv_exits_total{vm=\"%s\",reason=\"%s\"} %llu\n", label(vms[i].name),
			    exit_names[r], (unsigned long long)exits[r]);
	}
}

static void task_metrics(struct text *t)
{
	struct task_stats st;

	task_stats(&st);
	header(t, "hv_tasks", "gauge", "Tasks running, and completed ones kept in the history.");
	text_add(t, "hv_tasks{state=\"running\"} %u\nhv_tasks{state=\"completed\"} %u\n", st.running,
	    st.completed);
	header(t, "hv_tasks_result_total", "counter", "Tasks completed since start, by result.");
	for (uint32_t r = 0; r < sizeof(st.results_total) / sizeof(st.results_total[0]); r++)
		text_add(t, "hv_tasks_result_total{result=\"%s\"} %llu\n", task_result_name(r),
		    (unsigned long long)st.results_total[r]);
}

static void net_metrics(struct text *t)
{
	struct backend_net nt;

	if (!backend_net(&nt))
		return;
	header(t, "hv_root_net_frames_total", "counter", "Frames the root's NIC received and sent.");
	text_add(t, "hv_root_net_frames_total{dir=\"rx\"} %llu\nhv_root_net_frames_total{dir=\"tx\"} %llu\n",
	    (unsigned long long)nt.rx_frames, (unsigned long long)nt.tx_frames);
	header(t, "hv_root_net_bytes_total", "counter", "Bytes in those frames.");
	text_add(t, "hv_root_net_bytes_total{dir=\"rx\"} %llu\nhv_root_net_bytes_total{dir=\"tx\"} %llu\n",
	    (unsigned long long)nt.rx_bytes, (unsigned long long)nt.tx_bytes);
	header(t, "hv_root_net_dropped_total", "counter",
	       "Frames dropped: ring_full (no free descriptor), no_buffer (lwIP's pool empty), "
	       "bad (receive error or longer than one buffer), oversize (longer than one buffer), "
	       "bad_descriptor (the device handed back a descriptor that failed a check).");
	text_add(t, "hv_root_net_dropped_total{dir=\"rx\",reason=\"ring_full\"} %llu\n"
	    "hv_root_net_dropped_total{dir=\"rx\",reason=\"no_buffer\"} %llu\n"
	    "hv_root_net_dropped_total{dir=\"rx\",reason=\"bad\"} %llu\n"
	    "hv_root_net_dropped_total{dir=\"rx\",reason=\"bad_descriptor\"} %llu\n"
	    "hv_root_net_dropped_total{dir=\"tx\",reason=\"ring_full\"} %llu\n"
	    "hv_root_net_dropped_total{dir=\"tx\",reason=\"oversize\"} %llu\n"
	    "hv_root_net_dropped_total{dir=\"tx\",reason=\"bad_descriptor\"} %llu\n",
	    (unsigned long long)nt.rx_ring_full, (unsigned long long)nt.rx_no_buffer,
	    (unsigned long long)nt.rx_bad, (unsigned long long)nt.rx_bad_desc,
	    (unsigned long long)nt.tx_ring_full, (unsigned long long)nt.tx_oversize,
	    (unsigned long long)nt.tx_bad_desc);
	header(t, "hv_root_net_resets_total", "counter",
	       "Times the root reset its NIC because the device broke the driver's checks.");
	text_add(t, "hv_root_net_resets_total %llu\n", (unsigned long long)nt.resets);
}

static void tls_metrics(struct text *t)
{
	struct backend_tls tl;

	if (!backend_tls(&tl))
		return;
	header(t, "hv_root_tls_heap_bytes", "gauge",
	       "The root's TLS arena: bytes in use, the most in use at once, its size.");
	text_add(t, "hv_root_tls_heap_bytes{kind=\"used\"} %llu\nhv_root_tls_heap_bytes{kind=\"peak\"} %llu\n"
	    "hv_root_tls_heap_bytes{kind=\"size\"} %llu\n", (unsigned long long)tl.heap_used,
	    (unsigned long long)tl.heap_peak, (unsigned long long)tl.heap_size);
	header(t, "hv_tls_connections", "gauge", "TLS connections open, in their handshake or after.");
	text_add(t, "hv_tls_connections %llu\n", (unsigned long long)tl.connections);
	header(t, "hv_tls_handshakes_total", "counter",
	       "TLS handshakes: completed, failed (an error or alert), expired (cut for taking too long).");
	text_add(t, "hv_tls_handshakes_total{result=\"completed\"} %llu\n"
	    "hv_tls_handshakes_total{result=\"failed\"} %llu\n"
	    "hv_tls_handshakes_total{result=\"expired\"} %llu\n",
	    (unsigned long long)tl.handshakes_completed, (unsigned long long)tl.handshakes_failed,
	    (unsigned long long)tl.handshakes_expired);
	header(t, "hv_tls_handshake_waits_total", "counter",
	       "Times a ClientHello waited because handshakes had spent their share of the root's time.");
	text_add(t, "hv_tls_handshake_waits_total %llu\n", (unsigned long long)tl.handshake_waits);
	header(t, "hv_tls_handshake_seconds_total", "counter",
	       "Time the root spent in TLS handshake steps.");
	text_add(t, "hv_tls_handshake_seconds_total %llu.%06llu\n",
	    (unsigned long long)(tl.handshake_cpu_us / 1000000u),
	    (unsigned long long)(tl.handshake_cpu_us % 1000000u));
}

static void auth_metrics(struct text *t)
{
	struct api_throttle_stats st;

	api_throttle_stats(&st);
	header(t, "hv_api_auth_failures_total", "counter",
	       "Requests whose bearer token was unknown or malformed.");
	text_add(t, "hv_api_auth_failures_total %llu\n", (unsigned long long)st.failures);
	header(t, "hv_api_auth_throttled_total", "counter",
	       "Requests refused with 429 while their address was slowed down after failures.");
	text_add(t, "hv_api_auth_throttled_total %llu\n", (unsigned long long)st.throttled);
}

static void root_metrics(struct text *t)
{
	const struct http_status_count *c;
	uint64_t heap;
	unsigned n;

	if (backend_heap_used(&heap)) {
		header(t, "hv_root_heap_used_bytes", "gauge", "Bytes in use in the root's heap.");
		text_add(t, "hv_root_heap_used_bytes %llu\n", (unsigned long long)heap);
	}
	/* This answer is counted after it is written: it appears in the next scrape. */
	c = api_response_counts(&n);
	header(t, "hv_http_requests_total", "counter", "API answers since start, by HTTP status.");
	for (unsigned i = 0; i < n; i++)
		text_add(t, "hv_http_requests_total{code=\"%d\"} %llu\n", c[i].status,
		    (unsigned long long)c[i].count);
	auth_metrics(t);
	c = http_refusal_counts(&n);
	header(t, "hv_http_refused_total", "counter",
	       "Answers the HTTP server gave itself (refusals, and 500 for an unsendable API answer).");
	for (unsigned i = 0; i < n; i++)
		text_add(t, "hv_http_refused_total{code=\"%d\"} %llu\n", c[i].status,
		    (unsigned long long)c[i].count);
}

/* Keeps in vms[0..n) the VMs token may read, in order; returns how many. */
static uint32_t readable(const struct hv_mgmt_token *token, struct backend_vm *vms, uint32_t n)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; i < n; i++)
		if (api_allowed(token, vms[i].name, HV_MGMT_RIGHT_READ))
			vms[kept++] = vms[i];
	return kept;
}

static enum api_disposition metrics_get(struct api_ctx *ctx)
{
	static struct backend_vm vms[HV_MAX_PARTITIONS];
	struct text t = { .buf = out, .cap = sizeof(out) };
	uint32_t n = readable(ctx->token, vms, backend_vm_list(vms, HV_MAX_PARTITIONS));

	vm_metrics(&t, vms, n);
	exit_metrics(&t, vms, n);
	task_metrics(&t);
	net_metrics(&t);
	tls_metrics(&t);
	root_metrics(&t);
	if (t.overflow)
		return api_reply_error(ctx, 500, E_OUTOFMEMORY, "the metrics did not fit the buffer");
	return api_reply_text(ctx, 200, "text/plain; version=0.0.4", out, t.len);
}

const struct api_route metrics_routes[] = {
	{ HTTP_M_GET, "/metrics", 0, metrics_get },
};
const size_t metrics_routes_count = sizeof(metrics_routes) / sizeof(metrics_routes[0]);
