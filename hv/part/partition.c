/*
 * Partition objects: creation from the configuration (RAM block, stage-2
 * map), states and their causes, the root's life-cycle requests, guest
 * memory translation and the console line buffer.  The per-CPU run loop
 * is in partition_run.c.
 */
#include <part/partition.h>

#include <core/console.h>
#include <part/root_events.h>
#include <core/kick.h>
#include <pci/pci.h>
#include <core/test_exit.h>
#include <mem/ram.h>
#include <core/spinlock.h>
#include <core/vendor.h>

#include <hv/hypercall.h>
#include <lib/bits.h>
#include <lib/format.h>
#include <lib/string.h>

#define MMIO_HOLE_START (3ull << 30) /* RAM above this GPA moves to 4 GiB */
#define MMIO_HOLE_END (4ull << 30)

struct partition partitions[HVCFG_MAX_PARTITIONS];
uint32_t partition_count;

static struct spinlock console_locks[HVCFG_MAX_PARTITIONS];
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

void partition_set_state(struct partition *p, enum partition_state state, uint32_t cause)
{
	uint32_t old;
	bool notify = false;

	spin_lock(&state_locks[p->id]);
	old = __atomic_exchange_n(&p->state, state, __ATOMIC_ACQ_REL);
	if (old != state)
		notify = events_push(p, old, state, cause);
	spin_unlock(&state_locks[p->id]);
	if (old == state)
		return;
	log_info("partition %s: %s -> %s", p->cfg->name, partition_state_name(old),
		 partition_state_name(state));
	if (notify)
		events_notify();
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

void partition_power_off(struct partition *p, const char *how)
{
	log_info("partition %s powered off (%s)", p->cfg->name, how);
	partition_set_state(p, PARTITION_OFF, HV_EVENT_GUEST_POWEROFF);
	if (p->cfg->role == HVCFG_ROLE_ROOT)
		power_test_exit(POWER_EXIT_SUCCESS); /* test mode: the root ends the run */
}

void partition_request_reset(struct partition *p, const char *how)
{
	log_info("partition %s requested a reset (%s)", p->cfg->name, how);
	partition_set_state(p, PARTITION_STARTING, HV_EVENT_GUEST_RESET);
}

/* Makes every CPU of p look at its new state. */
static void kick_partition(const struct partition *p)
{
	for (uint64_t mask = p->cfg->cpu_mask; mask != 0; mask &= mask - 1)
		cpu_kick((uint32_t)__builtin_ctzll(mask));
}

/* A state change the root asked for, if p is in one of the allowed states. */
static uint16_t root_request(struct partition *p, uint32_t allowed, enum partition_state to,
			     uint32_t cause)
{
	uint32_t from;
	bool notify;

	spin_lock(&state_locks[p->id]);
	from = __atomic_load_n(&p->state, __ATOMIC_ACQUIRE);
	if (!(allowed & (1u << from))) {
		spin_unlock(&state_locks[p->id]);
		return HV_STATUS_INVALID_PARTITION_STATE;
	}
	__atomic_store_n(&p->state, to, __ATOMIC_RELEASE);
	notify = events_push(p, from, to, cause);
	spin_unlock(&state_locks[p->id]);
	log_info("partition %s: %s -> %s (requested by the root)", p->cfg->name,
		 partition_state_name(from), partition_state_name(to));
	if (notify)
		events_notify();
	kick_partition(p);
	return HV_STATUS_SUCCESS;
}

#define STATE_BIT(s) (1u << (s))

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

/* What this machine cannot give p, or NULL. */
static const char *check_fits(struct partition *p, const struct boot_info *bi)
{
	if (p->id >= bi->image_count || strcmp(bi->images[p->id].name, p->cfg->name) != 0)
		return "the loader did not hand over its image";
	if (p->cfg->cpu_mask >> bi->cpu_count != 0)
		return "it names CPUs this machine does not have";
	p->ram_hpa = ram_claim(p->cfg->memory_base, p->cfg->memory_size);
	if (p->ram_hpa == 0)
		return p->cfg->memory_base ? "its pinned RAM is not free"
					   : "not enough free RAM in one block";
	return NULL;
}

bool partitions_create(const struct boot_info *bi, const struct hvcfg *cfg,
		       struct page_pool *pool)
{
	const char *problem = NULL;
	uint32_t i;

	ram_init(bi);
	partition_count = cfg->partition_count;
	for (i = 0; i < partition_count && problem == NULL; i++) {
		struct partition *p = &partitions[i];

		*p = (struct partition){ .id = i, .cfg = &cfg->partitions[i] };
		p->image = &bi->images[i];
		p->ram_size = p->cfg->memory_size;
		p->vp_count = bits_count64(p->cfg->cpu_mask);
		problem = check_fits(p, bi);
		if (problem == NULL)
			problem = map_ram(p, pool);
		if (problem == NULL)
			problem = pci_assign(p, pool);
	}
	if (problem != NULL) {
		log_error("config refused: partition %s: %s; no partition started",
			  cfg->partitions[i - 1].name, problem);
		return false;
	}
	for (i = 0; i < partition_count; i++) {
		struct partition *p = &partitions[i];

		log_info("partition %s: %llu MiB at 0x%llx, stage-2 %llu KiB, %u vCPU(s)",
			 p->cfg->name, (unsigned long long)(p->ram_size >> 20),
			 (unsigned long long)p->ram_hpa,
			 (unsigned long long)(p->stage2.table_pages * PAGE_SIZE >> 10), p->vp_count);
		partition_set_state(p, PARTITION_STARTING, HV_EVENT_CREATED);
	}
	return true;
}

struct partition *partition_of_cpu(uint32_t cpu)
{
	for (uint32_t i = 0; i < partition_count; i++) {
		if (partitions[i].cfg->cpu_mask & (1ull << cpu))
			return &partitions[i];
	}
	return NULL;
}
