/*
 * The synthetic interrupt controller of the current vCPU (docs/hypercalls.md):
 * enable SCONTROL, the message (SIMP) and event-flags (SIEFP) pages, route
 * a SINT to a vector (auto-EOI: hv injects, never EOI the local APIC), and
 * the HvPostMessage / HvSignalEvent calls.  Single vCPU (vCPU 0) use.
 */
#ifndef KERNEL_SYNIC_H
#define KERNEL_SYNIC_H

#include <hv/hypercall.h>
#include <stdbool.h>
#include <stdint.h>

/* Enables the SynIC with its SIMP/SIEFP pages (static, page-aligned); false if hv lacks it. */
bool synic_enable(void);
/* Unmasks sint on vector (32-255) with auto-EOI; false on refusal. */
bool synic_sint_route(uint8_t sint, uint8_t vector);
/* The SIMP slot of sint. */
volatile struct hv_message *synic_message_slot(uint8_t sint);
/* The 2048 event flags of sint as 32 words of 64 bits. */
volatile uint64_t *synic_event_flags(uint8_t sint);
/* Tests and clears flag n of sint atomically; true if it was set. */
bool synic_event_test_and_clear(uint8_t sint, uint32_t n);
/* Frees the slot (message_type = 0) and writes EOM when the pending flag was set. */
void synic_message_done(uint8_t sint);
/* HvPostMessage: returns the HV_STATUS. */
uint16_t synic_post_message(uint32_t connection_id, uint32_t message_type, const void *payload,
			    uint32_t payload_size);
/* HvSignalEvent (fast): returns the HV_STATUS. */
uint16_t synic_signal_event(uint32_t connection_id, uint16_t flag);

#endif
