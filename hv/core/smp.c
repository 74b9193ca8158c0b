/*
 * AP start-up with the INIT / start-up IPI sequence (Intel SDM Vol. 3,
 * 9.4; AMD APM Vol. 2, 16.5).  APs start one at a time: they share the
 * trampoline's parameter block, so the BSP waits for each AP to say it
 * has read its parameters before it starts the next.  An AP that never
 * answers is reported and skipped; it cannot hang start-up.
 */
#include <core/smp.h>

#include <core/apic.h>
#include <core/console.h>
#include <core/timer.h>
#include <core/trap.h>

#include <arch/x86.h>
#include <lib/string.h>

#define TRAMPOLINE_PARAMS 8u /* offset of the parameter block, hv/core/trampoline.asm */
#define LOW_MEMORY_END 0x100000ull
#define INIT_DELAY_US 10000u
#define STARTUP_FIRST_WAIT_US 2000u
#define STARTUP_WAIT_US 1000000u

struct trampoline_params {
	uint64_t cr3, stack, entry, arg;
};

extern const char trampoline_start[], trampoline_end[];

static uint32_t cpu_count = 1;
static volatile uint32_t ap_started;
static volatile uint32_t cpus_online = 1;
static void (*volatile ap_continuation)(uint32_t index);

void smp_release_aps(void (*fn)(uint32_t index))
{
	__atomic_store_n(&ap_continuation, fn, __ATOMIC_RELEASE);
}

void smp_cpu_setup(struct percpu *cpu, uint64_t ist_top)
{
	cpu->ist_top = ist_top;
	gdt_load(cpu, ist_top);
	trap_load();
}

uint32_t smp_current_index(void)
{
	uint32_t id = apic_id_self();

	for (uint32_t i = 0; i < cpu_count; i++) {
		if (percpu_table[i].apic_id == id)
			return i;
	}
	return 0;
}

static __attribute__((noreturn)) void ap_main(uint64_t index)
{
	struct percpu *cpu = &percpu_table[index];
	uint32_t id;

	smp_cpu_setup(cpu, cpu->ist_top);
	__atomic_store_n(&ap_started, 1, __ATOMIC_RELEASE);
	id = apic_id_self();
	if (id != cpu->apic_id)
		log_warn("CPU %u reports APIC id %u, the MADT said %u", cpu->index, id,
			 cpu->apic_id);
	log_info("CPU %u (APIC id %u) online", cpu->index, cpu->apic_id);
	__atomic_add_fetch(&cpus_online, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&ap_continuation, __ATOMIC_ACQUIRE) == NULL)
		cpu_relax();
	ap_continuation(cpu->index);
	cpu_halt_forever();
}

static uint64_t stack_alloc(struct page_pool *pool, uint64_t bytes)
{
	uint64_t phys = page_alloc(pool, bytes / PAGE_SIZE, 1);

	if (phys == 0)
		hv_panic("out of memory for CPU stacks");
	return phys + bytes;
}

static bool start_one(struct percpu *cpu, volatile struct trampoline_params *params,
		      uint8_t vector)
{
	params->stack = cpu->stack_top;
	params->arg = cpu->index;
	__atomic_store_n(&ap_started, 0, __ATOMIC_RELEASE);
	if (!apic_send_init(cpu->apic_id))
		return false;
	timer_delay_us(INIT_DELAY_US);
	if (!apic_send_startup(cpu->apic_id, vector))
		return false;
	if (timer_wait_flag(&ap_started, STARTUP_FIRST_WAIT_US))
		return true;
	/* The second SIPI of the protocol, for CPUs that missed the first. */
	if (!apic_send_startup(cpu->apic_id, vector))
		return false;
	return timer_wait_flag(&ap_started, STARTUP_WAIT_US);
}

static volatile struct trampoline_params *trampoline_install(const struct boot_info *bi,
							      uint64_t cr3)
{
	uint64_t size = (uint64_t)(trampoline_end - trampoline_start);
	volatile struct trampoline_params *params;

	if (bi->trampoline_phys == 0 || bi->trampoline_phys % PAGE_SIZE != 0 ||
	    bi->trampoline_phys >= LOW_MEMORY_END || size > PAGE_SIZE)
		hv_panic("no usable AP trampoline page (0x%llx)",
			 (unsigned long long)bi->trampoline_phys);
	memcpy((void *)bi->trampoline_phys, trampoline_start, size);
	params = (volatile struct trampoline_params *)(bi->trampoline_phys + TRAMPOLINE_PARAMS);
	params->cr3 = cr3;
	params->entry = (uint64_t)ap_main;
	return params;
}

uint32_t smp_start_aps(const struct boot_info *bi, uint64_t cr3, struct page_pool *pool)
{
	volatile struct trampoline_params *params = trampoline_install(bi, cr3);
	uint8_t vector = (uint8_t)(bi->trampoline_phys >> 12);
	uint32_t started = 1;

	cpu_count = bi->cpu_count;
	for (uint32_t i = 1; i < bi->cpu_count; i++) {
		struct percpu *cpu = &percpu_table[i];

		cpu->index = i;
		cpu->apic_id = bi->cpus[i].apic_id;
		cpu->stack_top = stack_alloc(pool, HV_STACK_SIZE);
		cpu->ist_top = stack_alloc(pool, HV_IST_STACK_SIZE);
		if (start_one(cpu, params, vector))
			started++;
		else
			log_error("CPU %u (APIC id %u) did not start", i, cpu->apic_id);
	}
	/* Each started AP still has to print its line; give it time to. */
	for (uint32_t waited = 0; cpus_online < started && waited < 1000; waited++)
		timer_delay_us(1000);
	return cpus_online;
}
