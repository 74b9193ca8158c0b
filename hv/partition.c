/*
 * Partition objects: creation from the configuration (RAM block, stage-2
 * map, start-up memory), the per-CPU vCPU loop, state changes and fault
 * containment.  A fault is recorded with its reason and stops that
 * partition's vCPUs only.
 */
#include "partition.h"

#include "console.h"
#include "partition_boot.h"
#include "ram.h"
#include "spinlock.h"
#include "vendor.h"

#include <arch/x86.h>
#include <lib/bits.h>
#include <lib/format.h>
#include <lib/string.h>

#define MMIO_HOLE_START (3ull << 30) /* RAM above this GPA moves to 4 GiB */
#define MMIO_HOLE_END (4ull << 30)

struct partition partitions[HVCFG_MAX_PARTITIONS];
uint32_t partition_count;

static struct vcpu vcpus[BOOT_MAX_CPUS];
static struct vcpu_boot_state boot_states[HVCFG_MAX_PARTITIONS];
static struct spinlock console_locks[HVCFG_MAX_PARTITIONS];

static const char *const state_names[] = {
	"Off", "Starting", "Running", "Stopping", "Faulted",
};

const char *partition_state_name(uint32_t state)
{
	return state <= PARTITION_FAULTED ? state_names[state] : "?";
}

void partition_set_state(struct partition *p, enum partition_state state)
{
	uint32_t old = __atomic_exchange_n(&p->state, state, __ATOMIC_ACQ_REL);

	if (old != state)
		log_info("partition %s: %s -> %s", p->cfg->name, partition_state_name(old),
			 partition_state_name(state));
}

void partition_fault(struct partition *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(p->fault_reason, sizeof(p->fault_reason), fmt, ap);
	va_end(ap);
	log_error("partition %s faulted: %s", p->cfg->name, p->fault_reason);
	partition_set_state(p, PARTITION_FAULTED);
}

void partition_power_off(struct partition *p, const char *how)
{
	log_info("partition %s powered off (%s)", p->cfg->name, how);
	partition_set_state(p, PARTITION_OFF);
}

void partition_request_reset(struct partition *p, const char *how)
{
	log_info("partition %s requested a reset (%s)", p->cfg->name, how);
	partition_set_state(p, PARTITION_STARTING);
}

/* Offset of gpa in the RAM block: RAM below 3 GiB is at its GPA, the rest above 4 GiB. */
static bool gpa_to_offset(const struct partition *p, uint64_t gpa, uint64_t *offset)
{
	uint64_t low = p->ram_size < MMIO_HOLE_START ? p->ram_size : MMIO_HOLE_START;

	if (gpa < low) {
		*offset = gpa;
		return true;
	}
	if (gpa >= MMIO_HOLE_END && gpa - MMIO_HOLE_END < p->ram_size - low) {
		*offset = gpa - MMIO_HOLE_END + low;
		return true;
	}
	return false;
}

void *partition_gpa_to_host(struct partition *p, uint64_t gpa, uint64_t len)
{
	uint64_t first, last;

	if (len == 0 || gpa + len < gpa || !gpa_to_offset(p, gpa, &first) ||
	    !gpa_to_offset(p, gpa + len - 1, &last) || last - first != len - 1)
		return NULL;
	return (void *)(p->ram_hpa + first);
}

void partition_console_write(struct partition *p, const char *s, uint64_t len)
{
	struct partition_console *c = &p->console;

	spin_lock(&console_locks[p->id]);
	for (uint64_t i = 0; i < len; i++) {
		char ch = s[i];

		if (ch == '\n' || c->used == sizeof(c->line) - 1) {
			c->line[c->used] = '\0';
			log_info("[%s] %s", p->cfg->name, c->line);
			c->used = 0;
		}
		if (ch != '\n' && ch != '\r')
			c->line[c->used++] = (ch >= 0x20 && ch < 0x7f) ? ch : '?';
	}
	spin_unlock(&console_locks[p->id]);
}

static const char *map_ram(struct partition *p, struct page_pool *pool)
{
	uint64_t low = p->ram_size < MMIO_HOLE_START ? p->ram_size : MMIO_HOLE_START;

	if (stage2_init(&p->stage2, vendor->stage2, pool) != 0 ||
	    stage2_map(&p->stage2, pool, 0, p->ram_hpa, low, STAGE2_RWX, STAGE2_WB) != 0 ||
	    (p->ram_size > low &&
	     stage2_map(&p->stage2, pool, MMIO_HOLE_END, p->ram_hpa + low, p->ram_size - low,
			STAGE2_RWX, STAGE2_WB) != 0))
		return "out of hv memory for stage-2 tables";
	return NULL;
}

static const char *partition_create(struct partition *p, const struct boot_info *bi,
				    struct page_pool *pool)
{
	const char *problem;

	if (p->id >= bi->image_count || strcmp(bi->images[p->id].name, p->cfg->name) != 0)
		return "the loader did not hand over this partition's image";
	p->image = &bi->images[p->id];
	p->ram_size = p->cfg->memory_size;
	p->vp_count = (uint32_t)bits_count64(p->cfg->cpu_mask);
	if (p->cfg->cpu_mask >> bi->cpu_count != 0)
		return "it names CPUs this machine does not have";
	p->ram_hpa = ram_claim(p->cfg->memory_base, p->ram_size);
	if (p->ram_hpa == 0)
		return "not enough free RAM in one block";
	memset((void *)p->ram_hpa, 0, p->ram_size);
	problem = map_ram(p, pool);
	if (problem == NULL)
		problem = partition_boot_prepare(p, &boot_states[p->id]);
	return problem;
}

void partitions_create(const struct boot_info *bi, const struct hvcfg *cfg,
		       struct page_pool *pool)
{
	ram_init(bi);
	partition_count = cfg->partition_count;
	for (uint32_t i = 0; i < partition_count; i++) {
		struct partition *p = &partitions[i];
		const char *problem;

		p->id = i;
		p->cfg = &cfg->partitions[i];
		problem = partition_create(p, bi, pool);
		if (problem != NULL) {
			partition_fault(p, "cannot be created: %s", problem);
			continue;
		}
		log_info("partition %s: %llu MiB at 0x%llx, stage-2 %llu KiB, %u vCPU(s)",
			 p->cfg->name, (unsigned long long)(p->ram_size >> 20),
			 (unsigned long long)p->ram_hpa,
			 (unsigned long long)(p->stage2.table_pages * PAGE_SIZE >> 10), p->vp_count);
		partition_set_state(p, PARTITION_STARTING);
	}
}

struct partition *partition_of_cpu(uint32_t cpu)
{
	for (uint32_t i = 0; i < partition_count; i++) {
		if (partitions[i].cfg->cpu_mask & (1ull << cpu))
			return &partitions[i];
	}
	return NULL;
}

static uint32_t vp_index_of(const struct partition *p, uint32_t cpu)
{
	return (uint32_t)bits_count64(p->cfg->cpu_mask & ((1ull << cpu) - 1));
}

/* Runs v until the core parks it. */
static void vcpu_loop(struct vcpu *v)
{
	struct partition *p = v->partition;
	struct exit_info exit;
	enum exit_action action;

	for (;;) {
		vendor->vcpu_enter(v, &exit);
		__atomic_add_fetch(&p->exits[exit.reason], 1, __ATOMIC_RELAXED);
		action = exit_handle(v, &exit);
		if (action == ACTION_PARK)
			return;
		vendor->vcpu_complete(v, &exit, action);
	}
}

/* A fresh start after a reset: clean RAM, pristine image, initial registers. */
static bool partition_restart(struct partition *p)
{
	const char *problem;

	memset((void *)p->ram_hpa, 0, p->ram_size);
	p->console = (struct partition_console){ 0 };
	problem = partition_boot_prepare(p, &boot_states[p->id]);
	if (problem != NULL)
		partition_fault(p, "cannot restart: %s", problem);
	p->resets++;
	return problem == NULL;
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

void partition_run_vcpu(struct partition *p, uint32_t cpu, struct page_pool *pool)
{
	struct vcpu *v = &vcpus[cpu];

	v->partition = p;
	v->cpu = cpu;
	v->vp_index = vp_index_of(p, cpu);
	if (v->vp_index != 0) {
		log_info("CPU %u: vCPU %u of %s waits (secondary vCPUs start later)", cpu,
			 v->vp_index, p->cfg->name);
		return;
	}
	while (p->state == PARTITION_STARTING) {
		v->regs = (struct vcpu_regs){ 0 };
		v->hypercall_gpa = 0;
		v->guest_os_id = 0;
		if (vendor->vcpu_init(v, &boot_states[p->id], p->stage2.root, pool) != 0) {
			partition_fault(p, "vCPU %u could not be set up on CPU %u", v->vp_index, cpu);
			break;
		}
		partition_set_state(p, PARTITION_RUNNING);
		vcpu_loop(v);
		if (p->state == PARTITION_STARTING && !partition_restart(p))
			break;
	}
	log_info("CPU %u: vCPU %u of %s stopped (%s)", cpu, v->vp_index, p->cfg->name,
		 partition_state_name(p->state));
	log_exit_counters(p);
}
