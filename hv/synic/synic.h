/*
 * The synthetic interrupt controller of one vCPU (TLFS): SCONTROL, SIMP,
 * SIEFP, 16 SINTs and EOM, message delivery into SIMP slots with a queue
 * and the pending flag when a slot is busy, and event flags in SIEFP.
 * Interrupts are injected (hv/part/vcpu_irq.c): for our kernels never
 * raised in a local APIC, so SINTs behave as auto-EOI; on the PC platform
 * through the vCPU's virtual APIC, where a SINT with AutoEOI never enters
 * the in-service register and any other must be EOIed.
 */
#ifndef HV_SYNIC_H
#define HV_SYNIC_H

#include <hv/hypercall.h>
#include <stdbool.h>
#include <stdint.h>

#include <mem/page_alloc.h>

struct vcpu;
struct synic_queue;

struct synic {
	uint32_t lock;                 /* other CPUs post into this vCPU */
	uint64_t scontrol, simp, siefp;
	uint64_t sint[HV_SYNIC_SINT_COUNT];
	struct hv_message *simp_page;  /* host view of the SIMP page, or NULL */
	uint8_t *siefp_page;           /* host view of the SIEFP page, or NULL */
	struct synic_queue *queue;     /* messages waiting for a free slot */
};

/* Pages for message queues come from here (set once at start-up). */
void synic_init(struct page_pool *pool);

/* Back to the power-on state (all disabled, queue emptied); keeps its pages. */
void synic_reset(struct vcpu *v);

/* Whether an unmasked SINT of v with AutoEOI uses vector (it is never EOIed). */
bool synic_vector_auto_eoi(const struct vcpu *v, uint8_t vector);

/* SynIC MSRs: false when msr is not one of them. */
bool synic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *value);
/* Returns 0 done, -1 for #GP, 1 when msr is not a SynIC MSR. */
int synic_msr_write(struct vcpu *v, uint32_t msr, uint64_t value);

/* Delivers or queues a message for SINT sint of v; returns an HV_STATUS. */
uint16_t synic_post(struct vcpu *v, uint8_t sint, uint32_t type, uint64_t sender,
		    const void *payload, uint32_t size);

/* Sets event flag `flag` of SINT sint of v; returns an HV_STATUS. */
uint16_t synic_signal(struct vcpu *v, uint8_t sint, uint32_t flag);

#endif
