/*
 * A virtual processor: the guest registers hv handles in software, its
 * partition, and the backend's private state (VMCS or VMCB).  Each vCPU
 * is bound to one physical CPU for life; only that CPU touches it, except
 * for the fields documented as shared.
 */
#ifndef HV_VCPU_H
#define HV_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include <plat/stimer.h>
#include <plat/vapic.h>
#include <synic/synic.h>

struct partition;

/* General-purpose registers, saved and restored by the backend's entry stub. */
struct vcpu_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/* Registers the backend keeps in hardware structures, as the core sees them. */
struct vcpu_state {
	uint64_t rip, rsp, rflags;
	uint64_t cr0, cr3, cr4, efer;
	uint64_t cs_base;  /* real and protected mode: RIP is relative to it */
	uint32_t cpl;
	bool long_mode;  /* EFER.LMA and CS.L: 64-bit code */
};

/* The linear address of the instruction at RIP (64-bit code ignores CS's base). */
static inline uint64_t vcpu_state_linear_rip(const struct vcpu_state *st)
{
	return st->long_mode ? st->rip : st->cs_base + st->rip;
}

/*
 * Initial state built by the core: 64-bit long mode with flat segments
 * (part/partition_boot.c), or, with real_mode, the state a start-up IPI
 * leaves an application processor in: real mode at CS = sipi_page << 8,
 * IP 0 (SDM Vol. 3, "MP Initialization Protocol"); the other fields are
 * then ignored.
 */
struct vcpu_boot_state {
	uint64_t rip, rsp, rdi, rsi;
	uint64_t cr0, cr3, cr4, efer;
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint16_t code_selector, data_selector; /* descriptors in that GDT */
	/*
	 * HLT and physical interrupts end the guest's run: the core waits
	 * out HLT itself and takes hv's wake-up and timer interrupts (the
	 * PC platform, hv/plat/platform.h).  Without it a guest halts in
	 * place and no physical interrupt is expected.
	 */
	bool wait_in_host;
	bool real_mode;
	uint8_t sipi_page;
};

#define RFLAGS_IF (1ull << 9)

/* Where an application processor of a PC partition is in INIT/SIPI start-up. */
enum vcpu_ap_state {
	AP_WAIT_INIT,  /* parked; an INIT IPI moves it on */
	AP_WAIT_SIPI,  /* INIT seen; a start-up IPI starts it */
	AP_STARTING,   /* sipi_page set; its CPU starts it */
	AP_RUNNING,
};

struct vcpu {
	struct vcpu_regs regs;      /* first member: the entry stubs rely on it */
	struct partition *partition;
	uint32_t cpu;               /* physical CPU index */
	uint32_t vp_index;          /* index within the partition */
	void *vendor;               /* backend-private (VMCS/VMCB bookkeeping) */
	uint64_t vp_assist_page;    /* HV_X64_MSR_VP_ASSIST_PAGE value */
	/*
	 * Interrupt vectors waiting for delivery, one bit each (32-255).  Set
	 * by the core; before each entry the backend injects the highest one
	 * when the guest accepts interrupts (RFLAGS.IF = 1, no STI/MOV SS
	 * shadow), and otherwise asks for an interrupt-window exit.
	 */
	uint64_t pending_irqs[4];
	struct synic synic;
	/* PC platform only (hv/plat/platform.h): the local APIC and timers. */
	struct vapic vapic;
	struct stimer_set stimers;
	uint64_t timer_armed;       /* TSC deadline the physical timer is armed for */
	uint32_t ap_state;          /* shared: enum vcpu_ap_state, set by INIT/SIPI senders */
	uint8_t sipi_page;          /* start page of the last start-up IPI */
};

/*
 * Queues an external interrupt with this vector (32-255) for v and makes
 * v's CPU look at it (a kick, or the wake-up IPI on the PC platform).
 * Whatever the interrupt announces must be stored before the call.
 */
void vcpu_raise_interrupt(struct vcpu *v, uint8_t vector);

/* Queues the vector without notifying v's CPU (the caller runs on it). */
void vcpu_queue_interrupt(struct vcpu *v, uint8_t vector);

/* The highest vector v may take now, or 0 when none is. */
uint8_t vcpu_pending_interrupt(const struct vcpu *v);

/* Marks a vector delivered (the backend injected it). */
void vcpu_interrupt_delivered(struct vcpu *v, uint8_t vector);

#endif
