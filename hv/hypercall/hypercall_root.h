/*
 * Internal interface between the hypercall dispatcher (hypercall.c) and
 * the root's management calls (hypercall_root.c).
 */
#ifndef HV_HYPERCALL_ROOT_H
#define HV_HYPERCALL_ROOT_H

#include <hv/boot_info.h>
#include <hv/mgmtcfg.h>
#include <stdint.h>

#include <mem/page_alloc.h>
#include <part/vcpu.h>

/* Host address of a guest parameter block, or the HV_STATUS that refuses it. */
uint16_t hypercall_map(struct vcpu *v, uint64_t gpa, uint64_t len, void **out);

/* Where HVCALL_HV_INFO's figures come from, set once at start-up. */
struct hv_info_source {
	struct page_pool *pool;
	uint32_t cpu_count;
	uint64_t image_bytes;
};

void hypercall_root_set_info(const struct hv_info_source *source);
/*
 * The management record HVCALL_MGMT_CONFIG hands out (validated hv.cfg)
 * and the HV_MGMT_FILES files HVCALL_MGMT_FILE copies out (boot_info's).
 */
void hypercall_root_set_mgmt(const struct hv_mgmt_config *mgmt, const struct boot_file *files);

uint16_t call_partition_list(struct vcpu *v, uint64_t in, uint64_t out);
uint16_t call_partition_status(struct vcpu *v, uint64_t in, uint64_t out);
uint16_t call_partition_start(struct vcpu *v, uint64_t id, uint64_t unused);
uint16_t call_partition_stop(struct vcpu *v, uint64_t id, uint64_t unused);
uint16_t call_partition_reset(struct vcpu *v, uint64_t id, uint64_t unused);
uint16_t call_event_ring_set(struct vcpu *v, uint64_t gpa, uint64_t vector);
uint16_t call_hv_info(struct vcpu *v, uint64_t in, uint64_t out);
uint16_t call_mgmt_config(struct vcpu *v, uint64_t in, uint64_t out);
uint16_t call_mgmt_file(struct vcpu *v, uint64_t in, uint64_t out);

/* hypercall_bus.c */
uint16_t call_post_message(struct vcpu *v, uint64_t in, uint64_t unused);
uint16_t call_signal_event(struct vcpu *v, uint64_t input, uint64_t unused);
uint16_t call_connection_create(struct vcpu *v, uint64_t in, uint64_t unused);
uint16_t call_connection_delete(struct vcpu *v, uint64_t in, uint64_t unused);
uint16_t call_map_guest_pages(struct vcpu *v, uint64_t in, uint64_t unused);
uint16_t call_unmap_guest_pages(struct vcpu *v, uint64_t in, uint64_t unused);

/* hypercall_media.c */
uint16_t call_media_attach(struct vcpu *v, uint64_t id, uint64_t what);
uint16_t call_media_query(struct vcpu *v, uint64_t unused, uint64_t out);

/* The page pool, for calls that build tables (set with the info source). */
struct page_pool *hypercall_pool(void);

#endif
