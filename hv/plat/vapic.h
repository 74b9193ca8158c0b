/*
 * A virtual local APIC in x2APIC mode, one per vCPU: the register file a
 * guest reaches through MSRs 0x800-0x8ff, its interrupt state (IRR, ISR,
 * TMR, TPR/PPR), the local timer and the IPI decoder.  Pure: no globals,
 * no allocation, no calls into hv.  hv owns the physical APIC; it
 * intercepts these MSRs, routes the IPIs this module describes, arms a
 * physical timer for the deadline it returns, and injects the vector
 * vapic_pending_vector() names.
 *
 * The APIC is presented already in x2APIC mode (IA32_APIC_BASE =
 * 0xfee00000 | EN | EXTD, BSP on vCPU 0); there is no xAPIC page.  The
 * timer offers one-shot and periodic modes, not TSC-deadline; LVT CMCI
 * and EOI-broadcast suppression are absent (version 0x14, max LVT 5).
 *
 * Time: every `now` is in the caller's clock units at clock_hz (hv: TSC
 * ticks); the timer counts at timer_hz (the "bus" frequency hv reports
 * in HV_X64_MSR_APIC_FREQUENCY).  Deadlines are in the same clock units.
 *
 * Concurrency (see struct vapic): vapic_accept_interrupt() may run on any
 * CPU; every other function only on the CPU that owns the vCPU.
 */
#ifndef HV_PLAT_VAPIC_H
#define HV_PLAT_VAPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VAPIC_MSR_APIC_BASE 0x1bu
#define VAPIC_MSR_FIRST 0x800u
#define VAPIC_MSR_LAST 0x8ffu

/* x2APIC registers (SDM vol. 3, "x2APIC Register Address Space"). */
#define VAPIC_MSR_ID 0x802u
#define VAPIC_MSR_VERSION 0x803u
#define VAPIC_MSR_TPR 0x808u
#define VAPIC_MSR_PPR 0x80au
#define VAPIC_MSR_EOI 0x80bu
#define VAPIC_MSR_LDR 0x80du
#define VAPIC_MSR_SVR 0x80fu
#define VAPIC_MSR_ISR0 0x810u
#define VAPIC_MSR_TMR0 0x818u
#define VAPIC_MSR_IRR0 0x820u
#define VAPIC_MSR_ESR 0x828u
#define VAPIC_MSR_ICR 0x830u
#define VAPIC_MSR_LVT_TIMER 0x832u
#define VAPIC_MSR_LVT_THERMAL 0x833u
#define VAPIC_MSR_LVT_PERF 0x834u
#define VAPIC_MSR_LVT_LINT0 0x835u
#define VAPIC_MSR_LVT_LINT1 0x836u
#define VAPIC_MSR_LVT_ERROR 0x837u
#define VAPIC_MSR_TIMER_INITIAL 0x838u
#define VAPIC_MSR_TIMER_CURRENT 0x839u
#define VAPIC_MSR_TIMER_DIVIDE 0x83eu
#define VAPIC_MSR_SELF_IPI 0x83fu

#define VAPIC_BASE_ADDRESS 0xfee00000ull
#define VAPIC_BASE_BSP (1ull << 8)
#define VAPIC_BASE_EXTD (1ull << 10)
#define VAPIC_BASE_EN (1ull << 11)

#define VAPIC_VERSION 0x00050014u /* version 0x14, max LVT entry 5 */
#define VAPIC_LVT_MASKED (1u << 16)
#define VAPIC_LVT_TIMER_PERIODIC (1u << 17)
#define VAPIC_SVR_ENABLE (1u << 8)
#define VAPIC_BROADCAST 0xffffffffu

/* ESR bits this model reports. */
#define VAPIC_ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define VAPIC_ESR_RECEIVE_ILLEGAL_VECTOR (1u << 6)

#define VAPIC_NO_DEADLINE UINT64_MAX

enum vapic_lvt {
	VAPIC_LVT_TIMER,
	VAPIC_LVT_THERMAL,
	VAPIC_LVT_PERF,
	VAPIC_LVT_LINT0,
	VAPIC_LVT_LINT1,
	VAPIC_LVT_ERROR,
	VAPIC_LVT_COUNT,
};

enum vapic_status {
	VAPIC_OK,
	VAPIC_GP, /* the access raises #GP(0) in the guest */
};

/* ICR delivery modes, as encoded in bits 10:8. */
enum vapic_delivery {
	VAPIC_DM_FIXED = 0,
	VAPIC_DM_LOWEST = 1, /* hv delivers it to one matching vCPU, like fixed */
	VAPIC_DM_SMI = 2,
	VAPIC_DM_NMI = 4,
	VAPIC_DM_INIT = 5,
	VAPIC_DM_SIPI = 6,
};

/* ICR destination shorthands, bits 19:18. */
enum vapic_shorthand {
	VAPIC_SH_NONE = 0,     /* the destination field decides */
	VAPIC_SH_SELF = 1,
	VAPIC_SH_ALL = 2,      /* all including self */
	VAPIC_SH_OTHERS = 3,   /* all excluding self */
};

/* An IPI a guest sent through the ICR, for the caller to route. */
struct vapic_ipi {
	uint32_t dest;        /* x2APIC id, or cluster << 16 | bitmap if logical */
	uint32_t source;      /* the sender's x2APIC id (for the shorthands) */
	uint8_t vector;       /* fixed/lowest: vector; SIPI: start page number */
	uint8_t delivery;     /* enum vapic_delivery */
	uint8_t shorthand;    /* enum vapic_shorthand */
	bool logical;         /* logical (cluster) destination mode */
};

/* What a register write asks of the caller besides the register itself. */
struct vapic_effect {
	bool ipi_valid;       /* ipi holds an IPI to route */
	bool timer_changed;   /* re-arm from vapic_timer_deadline() */
	struct vapic_ipi ipi;
};

/*
 * The local timer.  The count runs from base_count at the exact time
 * base + base_frac / timer_hz (clock units): keeping the fraction makes
 * periodic expiries exact multiples of the period however the two
 * frequencies relate, so the rate is nominal and never drifts.
 */
struct vapic_timer {
	uint64_t base;        /* clock time the count started (integer part) */
	uint64_t base_frac;   /* fraction of a clock unit, in 1/timer_hz */
	uint64_t deadline;    /* next expiry, or VAPIC_NO_DEADLINE when stopped */
	uint32_t initial;     /* initial-count register */
	uint32_t base_count;  /* the count at base (initial, or less after DCR writes) */
	uint32_t divide;      /* divide-configuration register */
	bool running;
};

/*
 * Memory-ordering rule: a vapic belongs to the CPU running its vCPU, and
 * every field is owner-only with plain accesses, except one:
 *  - irr: any CPU sets bits with an atomic OR (release) in
 *    vapic_accept_interrupt(); the owner reads it with acquire loads and
 *    clears bits with an atomic AND.  A poster stores whatever the
 *    interrupt announces (a SynIC message, an event flag) before
 *    accepting the vector, and when accept returns true makes the owner
 *    look (kick or wake IPI) after it; the owner's acquire load in
 *    vapic_pending_vector() then sees the announced data too.
 * vapic_reset() clears irr with atomic stores; a post racing with it
 * may survive, as on a CPU receiving an IPI during its INIT.
 */
struct vapic {
	uint32_t irr[8];      /* shared: see above */
	uint32_t svr;
	uint32_t isr[8];
	uint32_t tmr[8];      /* always 0: every interrupt here is edge-triggered */
	uint32_t id;
	uint32_t tpr;
	uint32_t esr;         /* value the guest reads */
	uint32_t esr_pending; /* errors since the last ESR write */
	uint32_t lvt[VAPIC_LVT_COUNT];
	uint64_t icr;
	uint64_t timer_hz, clock_hz;
	struct vapic_timer timer;
	bool bsp;
};

/*
 * Power-on state for x2APIC id apic_id; bsp sets IA32_APIC_BASE.BSP.
 * timer_hz and clock_hz must be non-zero.
 */
void vapic_init(struct vapic *v, uint32_t apic_id, bool bsp, uint64_t timer_hz,
		uint64_t clock_hz);

/* INIT: every register back to its power-on value except the id; x2APIC mode stays. */
void vapic_reset(struct vapic *v);

/* True for the MSRs vapic_msr_read/write answer (APIC base and 0x800-0x8ff). */
static inline bool vapic_msr_claims(uint32_t msr)
{
	return msr == VAPIC_MSR_APIC_BASE || (msr >= VAPIC_MSR_FIRST && msr <= VAPIC_MSR_LAST);
}

/* RDMSR: VAPIC_GP for write-only, reserved and unclaimed MSRs. */
enum vapic_status vapic_msr_read(const struct vapic *v, uint32_t msr, uint64_t now,
				 uint64_t *value);

/*
 * WRMSR: VAPIC_GP for read-only and reserved MSRs and for non-zero
 * reserved bits.  effect (cleared first) tells the caller what to do next.
 */
enum vapic_status vapic_msr_write(struct vapic *v, uint32_t msr, uint64_t value, uint64_t now,
				  struct vapic_effect *effect);

/*
 * Makes a fixed interrupt pending (IRR).  Callable from any CPU.  Drops
 * vectors 0-15 (hv must not post them).  While the APIC is
 * software-disabled the interrupt is held in IRR, as the SDM says of
 * pending interrupts, and delivered once the guest enables it: Linux
 * starts its synthetic-timer clock events before it enables the APIC,
 * and a first tick lost there is never programmed again.  True when the
 * vector became pending now, i.e. the owner must be made to look.
 */
bool vapic_accept_interrupt(struct vapic *v, uint8_t vector);

/*
 * The vector to inject next: the highest IRR vector whose priority class
 * is above the PPR's; 0 when none may be delivered now (also while the
 * APIC is software-disabled).
 */
uint8_t vapic_pending_vector(const struct vapic *v);

/*
 * The guest took vector (the backend injected it): IRR to ISR, or only
 * out of IRR when auto_eoi (SynIC SINTs with AutoEOI), which never EOI.
 */
void vapic_interrupt_delivered(struct vapic *v, uint8_t vector, bool auto_eoi);

/* Whether ipi reaches the vCPU whose x2APIC id is apic_id. */
bool vapic_ipi_matches(const struct vapic_ipi *ipi, uint32_t apic_id);

/* Clock time of the next timer expiry, or VAPIC_NO_DEADLINE. */
uint64_t vapic_timer_deadline(const struct vapic *v);

/*
 * Processes a timer expiry due at now (none: nothing happens): raises the
 * LVT timer vector unless masked; periodic timers re-arm from the expiry
 * time, coalescing periods missed entirely.  True when the vector became
 * pending.  Call when the physical timer fires, then re-arm.
 */
bool vapic_timer_tick(struct vapic *v, uint64_t now);

#endif
