/*
 * The root-only partition-management hypercalls (0x8010-0x8017), the
 * media calls (0x8004, 0x8018) and the names of states and event causes.
 * Any partition may call them:
 * the root to manage, testos to check that hv refuses a guest.
 * Each returns the full hv_call result (hv_status() for the code).
 */
#ifndef KERNEL_HVMGMT_H
#define KERNEL_HVMGMT_H

#include <hv/hypercall.h>
#include <hv/mgmtcfg.h>
#include <stdint.h>

uint64_t hv_partition_list(struct hv_partition_list *out);
uint64_t hv_partition_status(uint32_t id, struct hv_partition_status *out);
uint64_t hv_partition_start(uint32_t id);
uint64_t hv_partition_stop(uint32_t id);
uint64_t hv_partition_reset(uint32_t id);
uint64_t hv_event_ring_set(uint64_t ring_gpa, uint8_t vector);
uint64_t hv_info(struct hv_info *out);
/* hv.cfg's [management] and [token] sections (root only). */
uint64_t hv_mgmt_config(struct hv_mgmt_config *out);
/* HVCALL_MGMT_FILE: up to HV_MGMT_CHUNK bytes of file (HV_MGMT_FILE_*) from offset. */
uint64_t hv_mgmt_file(uint32_t file, uint64_t offset, struct hv_mgmt_file_chunk *out);

/* Media (0x8018, root only: eject or insert HV_MEDIA_* for a guest). */
uint64_t hv_media_attach(uint32_t id, uint32_t media);
/* Media in the caller's own drive (0x8004, any partition): HV_MEDIA_* in *media. */
uint64_t hv_media_query(uint32_t *media);

/* "Off", "Running", ...; "?" for values the ABI does not define. */
const char *hv_partition_state_name(uint32_t state);
/* "root stop", "faulted", ...; "?" likewise. */
const char *hv_event_cause_name(uint32_t cause);

#endif
