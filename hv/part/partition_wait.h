/*
 * What an idle CPU of a partition waits for, and what ends the wait: vCPU 0
 * settles a stop its vCPU left behind (Stopping -> Off) and runs the
 * partition when it is Starting; an application processor of a PC
 * partition runs when its guest has sent it a start-up IPI.  The logic is
 * pure, over a table of the CPU's primitives, so the host tests run it
 * against a fake CPU (tests/unit/test_partition_wait.c); partition_run.c
 * gives it the real ones.
 *
 * The rule that keeps wake-ups: every look at the state follows an
 * acknowledgement of kicks, a settle is followed by a fresh look (never a
 * decision on the value read before it), and the sleep returns at once
 * for a kick counted after the last acknowledgement (cpu_kick_wait).
 */
#ifndef HV_PARTITION_WAIT_H
#define HV_PARTITION_WAIT_H

#include <stdbool.h>
#include <stdint.h>

/* What the CPU does once the wait ends. */
enum partition_wait_next {
	PARTITION_WAIT_START,    /* vCPU 0: the partition is Starting */
	PARTITION_WAIT_START_AP, /* an AP of a running PC partition: its start-up IPI came */
};

/* What the wait may do; cpu is the caller's context (a struct vcpu in hv). */
struct partition_wait_ops {
	void (*kick_ack)(void *cpu);
	uint32_t (*state)(void *cpu);      /* enum partition_state, read fresh */
	uint32_t (*ap_state)(void *cpu);   /* enum vcpu_ap_state, read fresh */
	void (*settle_stop)(void *cpu);    /* Stopping -> Off, if still Stopping */
	void (*sleep)(void *cpu);          /* until a kick not acknowledged yet */
};

/* One decision from a fresh look; the loop below acts on it. */
enum partition_wait_step {
	PARTITION_STEP_SLEEP,
	PARTITION_STEP_SETTLE,
	PARTITION_STEP_START,
	PARTITION_STEP_START_AP,
};

enum partition_wait_step partition_wait_decide(bool boot_vcpu, bool pc_ap, uint32_t state,
					       uint32_t ap_state);

/*
 * Waits until the CPU has something to run and says what.  boot_vcpu:
 * vCPU 0; pc_ap: an application processor of a PC partition (others have
 * nothing to run and wait for ever, answering kicks).
 */
enum partition_wait_next partition_wait(const struct partition_wait_ops *ops, void *cpu,
					bool boot_vcpu, bool pc_ap);

#endif
