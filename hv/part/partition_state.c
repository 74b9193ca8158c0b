/*
 * A partition's state machine: the states and their causes, faults, the
 * guest's own power-off and reset, and the root's life-cycle requests.
 * Each change is logged (those of a guest's reset loop rate-limited) and
 * pushed to the root's event ring under the partition's state lock, so the
 * root reads changes in the order they happened.  Every change but a fault names the states it leaves from,
 * so one that was overtaken (the guest resets while the root stops it)
 * changes nothing.  Creation is above this (partition_create.c), the per-CPU
 * run loop beside it (partition_run.c).
 */
#include <part/partition.h>

#include <core/console.h>
#include <core/kick.h>
#include <plat/reftime.h>
#include <core/spinlock.h>
#include <core/test_exit.h>
#include <part/root_events.h>

#include <hv/hypercall.h>
#include <lib/format.h>

/*
 * Serialises a partition's state changes with their events, so the root
 * reads them in the order they happened (a stop request and the parking
 * it causes run on different CPUs).
 */
static struct spinlock state_locks[HVCFG_MAX_PARTITIONS];

static const char *const state_names[] = {
	"Off", "Starting", "Running", "Stopping", "Faulted",
};

const char *partition_state_name(uint32_t state)
{
	return state <= PARTITION_FAULTED ? state_names[state] : "?";
}

#define REF_PER_S 10000000ull /* reference time counts 100 ns */
#define STATE_BIT(s) (1u << (s))
#define ANY_STATE 0x1fu

bool partition_life_line(struct partition *p)
{
	bool admit = true;
	uint32_t dropped = 0;

	spin_lock(&state_locks[p->id]);
	if (p->guest_reset) {
		admit = rate_limit_admit(&p->life_lines, reftime_now(),
					 REF_PER_S / PARTITION_LIFE_PER_S, PARTITION_LIFE_BURST);
		dropped = admit ? p->life_lines.dropped : 0;
		if (admit)
			p->life_lines.dropped = 0;
	}
	spin_unlock(&state_locks[p->id]);
	if (dropped != 0)
		log_warn("partition %s: %u life-cycle lines dropped (the guest keeps resetting)",
			 p->cfg->name, dropped);
	return admit;
}

/* Makes every CPU of p look at its new state. */
static void kick_partition(const struct partition *p)
{
	for (uint64_t mask = p->cfg->cpu_mask; mask != 0; mask &= mask - 1)
		cpu_kick((uint32_t)__builtin_ctzll(mask));
}

/*
 * Moves p to `to` if it is in one of the states of `allowed` (STATE_BIT
 * mask) and not there already: the state and its event change together
 * under the lock, then the change is logged (with `by`) and the root
 * notified.  `count`, when not NULL, is incremented before the new state
 * is published, so whoever sees the state sees the count.  Returns the
 * state p was in, or -1 when nothing changed.
 */
static int transition(struct partition *p, uint32_t allowed, enum partition_state to,
		      uint32_t cause, const char *by, uint32_t *count)
{
	uint32_t from;
	bool notify;

	spin_lock(&state_locks[p->id]);
	from = __atomic_load_n(&p->state, __ATOMIC_ACQUIRE);
	if (from == to || !(allowed & STATE_BIT(from))) {
		spin_unlock(&state_locks[p->id]);
		return -1;
	}
	if (count != NULL)
		(*count)++;
	__atomic_store_n(&p->state, to, __ATOMIC_RELEASE);
	notify = events_push(p, from, to, cause);
	spin_unlock(&state_locks[p->id]);
	/* The root's requests, faults and power-off always print; a reset loop's lines not all. */
	if (by[0] != '\0' || to == PARTITION_OFF || to == PARTITION_FAULTED || partition_life_line(p))
		log_info("partition %s: %s -> %s%s", p->cfg->name, partition_state_name(from),
			 partition_state_name(to), by);
	if (notify)
		events_notify();
	return (int)from;
}

/* After a change made on one of p's own CPUs: its other vCPUs may be running or halted. */
static void kick_others_if_left_running(const struct partition *p, int from)
{
	if (from == PARTITION_RUNNING && p->vp_count > 1)
		kick_partition(p);
}

void partition_set_state(struct partition *p, enum partition_state state, uint32_t cause)
{
	kick_others_if_left_running(p, transition(p, ANY_STATE, state, cause, "", NULL));
}

bool partition_started(struct partition *p)
{
	return transition(p, STATE_BIT(PARTITION_STARTING), PARTITION_RUNNING, HV_EVENT_STARTED,
			  "", &p->starts) >= 0;
}

void partition_settle_stop(struct partition *p)
{
	transition(p, STATE_BIT(PARTITION_STOPPING), PARTITION_OFF, HV_EVENT_STOPPED, "", NULL);
}

void partition_fault(struct partition *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(p->fault_reason, sizeof(p->fault_reason), fmt, ap);
	va_end(ap);
	log_error("partition %s faulted: %s", p->cfg->name, p->fault_reason);
	partition_set_state(p, PARTITION_FAULTED, HV_EVENT_FAULTED);
}

/*
 * The guest's own power-off and reset act on a running partition only: a
 * root request that crossed them (a stop, a reset) or a fault on another
 * vCPU wins, so a guest cannot undo a forced stop by resetting.
 */
static void guest_request(struct partition *p, enum partition_state to, uint32_t cause)
{
	int from = transition(p, STATE_BIT(PARTITION_RUNNING), to, cause, "", NULL);

	if (from < 0 && partition_life_line(p))
		log_info("partition %s: not running (%s): request ignored", p->cfg->name,
			 partition_state_name(p->state));
	kick_others_if_left_running(p, from);
}

void partition_power_off(struct partition *p, const char *how)
{
	log_info("partition %s powered off (%s)", p->cfg->name, how);
	guest_request(p, PARTITION_OFF, HV_EVENT_GUEST_POWEROFF);
	if (p->cfg->role == HVCFG_ROLE_ROOT)
		test_exit_power_off(TEST_EXIT_SUCCESS); /* test mode: the root ends the run */
}

void partition_request_reset(struct partition *p, const char *how)
{
	p->guest_reset = true;
	if (partition_life_line(p))
		log_info("partition %s requested a reset (%s)", p->cfg->name, how);
	guest_request(p, PARTITION_STARTING, HV_EVENT_GUEST_RESET);
}

/* A state change the root asked for, if p is in one of the allowed states. */
static uint16_t root_request(struct partition *p, uint32_t allowed, enum partition_state to,
			     uint32_t cause)
{
	if (transition(p, allowed, to, cause, " (requested by the root)", NULL) < 0)
		return HV_STATUS_INVALID_PARTITION_STATE;
	p->guest_reset = false; /* from here on its lines are the root's doing */
	kick_partition(p);
	return HV_STATUS_SUCCESS;
}

uint16_t partition_root_start(struct partition *p)
{
	return root_request(p, STATE_BIT(PARTITION_OFF) | STATE_BIT(PARTITION_FAULTED),
			    PARTITION_STARTING, HV_EVENT_ROOT_START);
}

uint16_t partition_root_stop(struct partition *p)
{
	if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == PARTITION_FAULTED)
		return root_request(p, STATE_BIT(PARTITION_FAULTED), PARTITION_OFF,
				    HV_EVENT_ROOT_STOP); /* already parked */
	return root_request(p, STATE_BIT(PARTITION_RUNNING) | STATE_BIT(PARTITION_STARTING),
			    PARTITION_STOPPING, HV_EVENT_ROOT_STOP);
}

uint16_t partition_root_reset(struct partition *p)
{
	return root_request(p, STATE_BIT(PARTITION_RUNNING) | STATE_BIT(PARTITION_OFF) |
			    STATE_BIT(PARTITION_FAULTED), PARTITION_STARTING, HV_EVENT_ROOT_RESET);
}
