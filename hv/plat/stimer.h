/*
 * Hyper-V synthetic timers (TLFS "Synthetic Timers"): four per vCPU,
 * each a configuration and a count MSR.  Pure: the caller passes the
 * partition reference time (100 ns units, hv/plat/reftime.c) as `now`,
 * arms a physical timer for stimer_deadline() and, on expiry, delivers
 * what stimer_tick() returns: a vector for the vAPIC (direct mode) or a
 * timer message for a SynIC SINT (message mode).
 *
 * Config bits: enable, periodic, lazy, auto-enable, APIC vector (11:4),
 * direct mode (12), SINT (19:16); other bits are ignored and read 0.
 * A one-shot count is an absolute reference time (in the past: it
 * expires at once) and the timer disables itself when it fires; a
 * periodic count is the period, the first one starting when the timer
 * is enabled.  Writing count 0 disables the timer; with auto-enable, a
 * non-zero count enables it.  In message mode SINT 0 cannot back an
 * enabled timer: the enable bit clears at once (TLFS).  Missed periods
 * are coalesced into one expiry whatever the lazy bit says: a vCPU here
 * owns its CPU, so expiries are late only by hv's own latency.
 *
 * One owner: the CPU that runs the vCPU.
 */
#ifndef HV_PLAT_STIMER_H
#define HV_PLAT_STIMER_H

#include <stdbool.h>
#include <stdint.h>

#define STIMER_COUNT 4u
#define STIMER_MSR_CONFIG0 0x400000b0u  /* HV_X64_MSR_STIMER0_CONFIG */
#define STIMER_MSR_COUNT0 0x400000b1u   /* HV_X64_MSR_STIMER0_COUNT */
#define STIMER_MSR_LAST 0x400000b7u     /* HV_X64_MSR_STIMER3_COUNT */

#define STIMER_CONFIG_ENABLE (1ull << 0)
#define STIMER_CONFIG_PERIODIC (1ull << 1)
#define STIMER_CONFIG_LAZY (1ull << 2)
#define STIMER_CONFIG_AUTO_ENABLE (1ull << 3)
#define STIMER_CONFIG_VECTOR_SHIFT 4
#define STIMER_CONFIG_DIRECT (1ull << 12)
#define STIMER_CONFIG_SINT_SHIFT 16

/* HvMessageTimerExpired: the SynIC message type of an expiry in message mode. */
#define STIMER_MESSAGE_TYPE 0x80000010u

#define STIMER_NO_DEADLINE UINT64_MAX

/* HV_TIMER_MESSAGE_PAYLOAD (TLFS): times in 100 ns of reference time. */
struct stimer_message {
	uint32_t timer_index;
	uint32_t reserved;
	uint64_t expiration_time;  /* when the timer was due */
	uint64_t delivery_time;    /* when the expiry was processed */
};

_Static_assert(sizeof(struct stimer_message) == 24, "HV_TIMER_MESSAGE_PAYLOAD");

/* One expiry for the caller to deliver. */
struct stimer_expiry {
	uint32_t timer;                /* 0-3 */
	bool direct;                   /* true: raise vector in the vAPIC */
	uint8_t vector;                /* direct mode: not auto-EOI, the guest EOIs it */
	uint8_t sint;                  /* message mode: post message to this SINT */
	struct stimer_message message; /* type STIMER_MESSAGE_TYPE */
};

struct stimer {
	uint64_t config;
	uint64_t count;
	uint64_t deadline;  /* next expiry, or STIMER_NO_DEADLINE */
};

struct stimer_set {
	struct stimer timer[STIMER_COUNT];
};

/* Power-on and reset state: every timer disabled. */
void stimer_init(struct stimer_set *s);

static inline bool stimer_msr_claims(uint32_t msr)
{
	return msr >= STIMER_MSR_CONFIG0 && msr <= STIMER_MSR_LAST;
}

/* RDMSR; false when msr is not a synthetic timer MSR. */
bool stimer_msr_read(const struct stimer_set *s, uint32_t msr, uint64_t *value);

/*
 * WRMSR at reference time now; false when msr is not a synthetic timer
 * MSR.  Afterwards the caller re-arms from stimer_deadline().
 */
bool stimer_msr_write(struct stimer_set *s, uint32_t msr, uint64_t value, uint64_t now);

/* The earliest expiry of the four, or STIMER_NO_DEADLINE (may be <= now: due). */
uint64_t stimer_deadline(const struct stimer_set *s);

/*
 * Fires every timer due at now, filling out[] in timer order; returns
 * how many.  Periodic timers move to their next nominal expiry after now.
 */
uint32_t stimer_tick(struct stimer_set *s, uint64_t now, struct stimer_expiry out[STIMER_COUNT]);

#endif
