/*
 * The idle wait of a partition's CPU (see partition_wait.h): acknowledge
 * kicks, look at the state, settle a finished stop and look again, run
 * what is due, or sleep until the next kick.
 */
#include <part/partition_wait.h>

#include <part/partition.h>
#include <part/vcpu.h>

enum partition_wait_step partition_wait_decide(bool boot_vcpu, bool pc_ap, uint32_t state,
					       uint32_t ap_state)
{
	if (boot_vcpu) {
		if (state == PARTITION_STOPPING)
			return PARTITION_STEP_SETTLE;
		return state == PARTITION_STARTING ? PARTITION_STEP_START : PARTITION_STEP_SLEEP;
	}
	/* an AP started outside Running would only count itself out again (run_ap) */
	if (pc_ap && state == PARTITION_RUNNING && ap_state == AP_STARTING)
		return PARTITION_STEP_START_AP;
	return PARTITION_STEP_SLEEP;
}

enum partition_wait_next partition_wait(const struct partition_wait_ops *ops, void *cpu,
					bool boot_vcpu, bool pc_ap)
{
	for (;;) {
		ops->kick_ack(cpu);
		switch (partition_wait_decide(boot_vcpu, pc_ap, ops->state(cpu),
					      ops->ap_state(cpu))) {
		case PARTITION_STEP_START:
			return PARTITION_WAIT_START;
		case PARTITION_STEP_START_AP:
			return PARTITION_WAIT_START_AP;
		case PARTITION_STEP_SETTLE:
			ops->settle_stop(cpu); /* then a fresh look: the root may act at once */
			break;
		case PARTITION_STEP_SLEEP:
			ops->sleep(cpu);
			break;
		}
	}
}
