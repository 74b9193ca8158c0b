/*
 * What each CPU does for its partition, from start-up on: wait until the
 * partition is Starting, prepare its memory (clean RAM, pristine image),
 * set up and run the vCPU until the core parks it, then settle the state
 * (a root's stop request ends in Off) and wait again
 * (hv/part/partition_wait.c).  Idle CPUs halt; kicks (NMIs,
 * hv/core/kick.c) wake them, and none is lost.  vCPU 0 starts with the
 * partition; the others of a PC partition start when their guest sends
 * INIT and a start-up IPI (run_ap), those of our kernels stay idle.
 */
#include <part/partition.h>

#include <core/console.h>
#include <core/kick.h>
#include <core/test_exit.h>
#include <core/timer.h>
#include <core/vendor.h>
#include <part/partition_boot.h>
#include <part/partition_wait.h>
#include <part/root_events.h>
#include <pci/pci.h>
#include <plat/platform.h>
#include <plat/reftime.h>
#include <synic/connection.h>

#include <arch/x86.h>
#include <hv/hypercall.h>
#include <lib/bits.h>
#include <lib/format.h>
#include <lib/string.h>

#define CR0_ET (1ull << 4)

static struct vcpu vcpus[BOOT_MAX_CPUS];

struct vcpu *partition_vcpu(const struct partition *p, uint32_t vp)
{
	uint64_t mask = p->cfg->cpu_mask;

	for (uint32_t i = 0; i < vp && mask != 0; i++)
		mask &= mask - 1;
	return &vcpus[mask ? __builtin_ctzll(mask) : 0];
}

/* Runs v until the core parks it or its partition leaves Running. */
static void vcpu_loop(struct vcpu *v)
{
	struct partition *p = v->partition;
	struct exit_info exit;
	enum exit_action action;

	for (;;) {
		cpu_kick_ack(v->cpu);
		if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != PARTITION_RUNNING)
			return;
		platform_before_entry(v);
		vendor->vcpu_enter(v, &exit);
		__atomic_add_fetch(&p->exits[exit.reason], 1, __ATOMIC_RELAXED);
		action = exit_handle(v, &exit);
		if (action == ACTION_PARK)
			return;
		vendor->vcpu_complete(v, &exit, action);
	}
}

/* One line with every non-zero exit counter of p, for the log. */
static void log_exit_counters(const struct partition *p)
{
	char line[PARTITION_FAULT_LEN * 2] = "";
	size_t used = 0;

	for (uint32_t r = 0; r < EXIT_REASON_COUNT && used < sizeof(line); r++) {
		uint64_t n = __atomic_load_n(&p->exits[r], __ATOMIC_RELAXED);

		if (n != 0)
			used += fmt_snprintf(line + used, sizeof(line) - used, " %s %llu",
					     exit_reason_name((enum exit_reason)r), (unsigned long long)n);
	}
	log_info("partition %s exits:%s", p->cfg->name, used ? line : " none");
}

/* Clean RAM and a pristine image: every start is a cold boot. */
static bool prepare(struct partition *p, struct vcpu_boot_state *boot)
{
	const char *problem;

	memset((void *)p->ram_hpa, 0, p->ram_size);
	/* the console's rate limit spans restarts: a reset loop earns no fresh burst */
	p->console = (struct partition_console){ .rate = p->console.rate };
	p->fault_reason[0] = '\0';
	p->reference_tsc = 0;
	p->guest_os_id = 0;
	p->hypercall_msr = 0;
	p->msr_refusals = 0;
	p->crash = (struct guest_crash){ 0 };
	if (p->cfg->role == HVCFG_ROLE_ROOT) {
		events_reset(); /* the ring was in the RAM just cleared */
		connection_drop_partition(p->id); /* a new root builds its bus anew */
		/* and maps guests' pages anew: none of the old run's stay (vcpu_init flushes) */
		stage2_unmap(&p->stage2, HV_ROOT_MAP_WINDOW_BASE, HV_ROOT_MAP_WINDOW_SIZE);
	}
	problem = partition_boot_prepare(p, boot);
	if (problem != NULL)
		partition_fault(p, "cannot start: %s", problem);
	return problem == NULL;
}

/* A vCPU's power-on state, ready to enter at boot; false after faulting p. */
static bool vcpu_start(struct vcpu *v, const struct vcpu_boot_state *boot,
		       struct page_pool *pool)
{
	struct partition *p = v->partition;

	v->regs = (struct vcpu_regs){ 0 };
	v->vp_assist_page = 0;
	for (uint32_t i = 0; i < 4; i++)
		v->pending_irqs[i] = 0;
	synic_reset(v);
	if (p->platform == PLATFORM_PC)
		platform_vcpu_reset(v);
	if (vendor->vcpu_init(v, boot, p->stage2.root, pool) != 0) {
		partition_fault(p, "vCPU %u could not be set up on CPU %u", v->vp_index, v->cpu);
		return false;
	}
	pci_open_ports(v);
	return true;
}

#define AP_PARK_WAIT_US 1000000u

/*
 * Before vCPU 0 cleans the RAM for a new start, every application
 * processor must have left the old run, and none may start from a
 * start-up IPI of the old run.  An AP counts itself in aps_running
 * before it looks at the state, so one that looks after this wait sees
 * the partition not Running and counts itself out again.
 */
static bool aps_parked(struct partition *p)
{
	uint64_t waited = 0;

	for (uint32_t i = 1; i < p->vp_count; i++)
		__atomic_store_n(&partition_vcpu(p, i)->ap_state, AP_WAIT_INIT, __ATOMIC_RELEASE);
	while (__atomic_load_n(&p->aps_running, __ATOMIC_ACQUIRE) != 0) {
		if (waited++ == AP_PARK_WAIT_US / 10) {
			partition_fault(p, "an application processor did not stop");
			return false;
		}
		timer_delay_us(10);
	}
	return true;
}

static void run_once(struct partition *p, struct vcpu *v, struct page_pool *pool)
{
	struct vcpu_boot_state boot;

	if (p->starts > 0)
		p->resets++;
	if (!aps_parked(p) || !prepare(p, &boot) || !vcpu_start(v, &boot, pool))
		return;
	p->run_start = reftime_now();
	if (!partition_started(p))
		return; /* stopped or faulted while it was prepared: the wait settles it */
	vcpu_loop(v);
	if (partition_life_line(p)) {
		log_info("CPU %u: vCPU %u of %s stopped (%s)", v->cpu, v->vp_index, p->cfg->name,
			 partition_state_name(p->state));
		log_exit_counters(p);
	}
}

/*
 * An application processor of a PC partition: runs from the start-up IPI
 * its guest sent (platform.c) until the partition leaves Running, then
 * waits for the next INIT.
 */
static void run_ap(struct partition *p, struct vcpu *v, struct page_pool *pool)
{
	struct vcpu_boot_state boot = { .real_mode = true, .cr0 = CR0_ET, .wait_in_host = true };

	__atomic_add_fetch(&p->aps_running, 1, __ATOMIC_ACQ_REL);
	if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == PARTITION_RUNNING &&
	    __atomic_load_n(&v->ap_state, __ATOMIC_ACQUIRE) == AP_STARTING) {
		boot.sipi_page = v->sipi_page;
		log_info("CPU %u: vCPU %u of %s starts at 0x%x", v->cpu, v->vp_index,
			 p->cfg->name, (unsigned)v->sipi_page << 12);
		__atomic_store_n(&v->ap_state, AP_RUNNING, __ATOMIC_RELEASE);
		if (vcpu_start(v, &boot, pool))
			vcpu_loop(v);
		__atomic_store_n(&v->ap_state, AP_WAIT_INIT, __ATOMIC_RELEASE);
	}
	__atomic_sub_fetch(&p->aps_running, 1, __ATOMIC_ACQ_REL);
}

static void wait_kick_ack(void *cpu)
{
	cpu_kick_ack(((struct vcpu *)cpu)->cpu);
}

static uint32_t wait_state(void *cpu)
{
	return __atomic_load_n(&((struct vcpu *)cpu)->partition->state, __ATOMIC_ACQUIRE);
}

static uint32_t wait_ap_state(void *cpu)
{
	return __atomic_load_n(&((struct vcpu *)cpu)->ap_state, __ATOMIC_ACQUIRE);
}

static void wait_settle_stop(void *cpu)
{
	partition_settle_stop(((struct vcpu *)cpu)->partition);
}

static void wait_sleep(void *cpu)
{
	cpu_kick_wait(((struct vcpu *)cpu)->cpu, false); /* only a kick wakes it */
}

static const struct partition_wait_ops wait_ops = {
	.kick_ack = wait_kick_ack,
	.state = wait_state,
	.ap_state = wait_ap_state,
	.settle_stop = wait_settle_stop,
	.sleep = wait_sleep,
};

void partition_cpu_run(struct partition *p, uint32_t cpu, struct page_pool *pool)
{
	struct vcpu *v = &vcpus[cpu];
	bool pc_ap;

	v->partition = p;
	v->cpu = cpu;
	v->vp_index = bits_count64(p->cfg->cpu_mask & ((1ull << cpu) - 1));
	v->ap_state = AP_WAIT_INIT;
	pc_ap = v->vp_index != 0 && p->platform == PLATFORM_PC;
	if (v->vp_index != 0)
		log_info("CPU %u: vCPU %u of %s waits for its start-up IPI", cpu, v->vp_index,
			 p->cfg->name);
	for (;;) {
		if (partition_wait(&wait_ops, v, v->vp_index == 0, pc_ap) ==
		    PARTITION_WAIT_START_AP) {
			run_ap(p, v, pool);
			continue;
		}
		run_once(p, v, pool);
		if (p->cfg->role != HVCFG_ROLE_ROOT)
			test_exit_if_guests_stopped();
	}
}
