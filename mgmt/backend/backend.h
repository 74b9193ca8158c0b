/*
 * What the management API and its task engine need from the root, as
 * link-time functions: backend_root.c implements them on the root (hvmgmt
 * hypercalls, guestos, hv_mgmt_config, the console),
 * tests/unit/api_fake_backend.c on the host as a test double that tests
 * steer (api_fake_backend.h).  Neither the API nor the task engine calls
 * the root's own headers directly, so both build and run on the host.
 *
 * Errors are HRESULTs (hresult.h), mapped from hv's status by the root
 * implementation:
 *   HV_STATUS_INVALID_PARTITION_ID      -> VM_E_VM_UNKNOWN
 *   HV_STATUS_INVALID_PARTITION_STATE   -> start: VM_E_VM_RUNNING,
 *                                          stop: VM_E_VM_NOT_RUNNING,
 *                                          reset: HR_ERROR_NOT_READY
 *   HV_STATUS_INVALID_PARAMETER (root)  -> E_INVALIDARG
 *   anything else                       -> E_FAIL
 */
#ifndef MGMT_BACKEND_H
#define MGMT_BACKEND_H

#include <hv/hypercall.h>
#include <hv/mgmtcfg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bus/guestos.h>

struct backend_vm {
	uint32_t id;
	uint32_t state;             /* HV_PARTITION_* as hv reports it now */
	bool root;                  /* the root partition (cannot be started or stopped) */
	uint32_t vp_count;
	uint64_t memory_bytes;
	char name[HV_NAME_LEN + 1]; /* NUL-terminated */
};

/* Every partition hv knows, in id order; returns how many were written (at most max). */
uint32_t backend_vm_list(struct backend_vm *out, uint32_t max);
/* false for an id hv does not know. */
bool backend_vm_get(uint32_t id, struct backend_vm *out);
/* The name of partition id from the last listing (names never change), or NULL. */
const char *backend_vm_name(uint32_t id);
/* The id of the partition named name (len bytes), or -1. */
int32_t backend_vm_find(const char *name, size_t len);

/* Life cycle requests to hv: S_OK when hv accepted; the outcome arrives as NOTIFY_STATE. */
uint32_t backend_vm_start(uint32_t id);
uint32_t backend_vm_stop(uint32_t id);       /* forced turn-off */
uint32_t backend_vm_reset(uint32_t id);

/* hv's exit counters of partition id (hv/emul/exit.h order); false if unavailable. */
bool backend_vm_exits(uint32_t id, uint64_t exits[HV_EXIT_COUNTERS]);

/* guestos.h, forwarded. */
bool backend_guestos_facts(uint32_t id, struct guestos_facts *out);
uint32_t backend_guestos_request(uint32_t id, const struct guestos_args *a, guestos_done_fn done,
				 void *ctx);
void backend_guestos_cancel(void *ctx);
uint32_t backend_guestos_set_time_sync(uint32_t id, bool enabled);

/* The [management] and [token] configuration hv handed over; never NULL (ntokens may be 0). */
const struct hv_mgmt_config *backend_mgmt_config(void);

/* Bytes of the root's heap in use; false if the root has no heap accounting. */
bool backend_heap_used(uint64_t *bytes);

/* The root's network counters (frames handed to and from the NIC). */
struct backend_net {
	uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
	/* Frames dropped, by reason (struct net_stats says what each means). */
	uint64_t rx_ring_full, rx_no_buffer, rx_bad, tx_ring_full, tx_oversize;
	uint64_t rx_bad_desc, tx_bad_desc, resets;
};
/* false if the root has no network. */
bool backend_net(struct backend_net *out);

/* The root's TLS: its arena (mgmt/tls/tls.h) and its handshakes. */
struct backend_tls {
	uint64_t heap_used, heap_peak, heap_size;
	uint64_t connections;       /* open now */
	uint64_t handshakes_completed, handshakes_failed, handshakes_expired;
	uint64_t handshake_waits, handshake_cpu_us;
};
/* false if the root serves no HTTPS. */
bool backend_tls(struct backend_tls *out);

/*
 * 32 bytes for secrets (Redfish session keys): RDRAND where the CPU has
 * it, mixed with the TSC; the caller hashes them into a pool of its own.
 */
void backend_entropy(uint8_t out[32]);

/* Milliseconds since the root started, monotonic. */
uint64_t backend_now_ms(void);

/* One console line (the format adds no newline: the caller ends it with \n). */
void backend_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
