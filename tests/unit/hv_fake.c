/*
 * The fake machine of hv_fake.h: a processor, two backends, the rest of
 * hv, and partitions whose RAM is guarded host memory.
 */
#include "hv_fake.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <core/apic.h>
#include <core/console.h>
#include <core/fixup.h>
#include <core/kick.h>
#include <core/percpu.h>
#include <core/smp.h>
#include <core/test_exit.h>
#include <core/timer.h>
#include <emul/host_cpu.h>
#include <hypercall/hypercall_root.h>
#include <mem/ram.h>
#include <part/root_events.h>
#include <plat/platform.h>
#include <plat/reftime.h>
#include <synic/connection.h>

#include <hv/hypercall.h>

#define GUARD 4096ull
#define POOL_PAGES 2048u
#define VECTOR_GP 13u

void fake_check(bool ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "hv_fake: %s\n", what);
	abort();
}

/* ---- the processor (emul/host_cpu.h) ---- */

const struct fake_cpu fake_cpu_intel = { .intel = true, .fill = 0xffffffffu,
					 .mtrrcap = 0x108, .apic_base = FAKE_APIC_BASE };
const struct fake_cpu fake_cpu_amd = { .intel = false, .fill = 0xffffffffu,
				       .mtrrcap = 0x108, .apic_base = FAKE_APIC_BASE };
struct fake_cpu fake_cpu;
uint32_t fake_rdmsr_count;

/* A register of a leaf when the profile varies them: fill mixed with where it is. */
static uint32_t varied(uint32_t leaf, uint32_t subleaf, uint32_t reg)
{
	uint32_t x = fake_cpu.fill ^ (leaf * 0x9e3779b1u) ^ (subleaf * 0x85ebca6bu) ^
		     (reg * 0xc2b2ae35u);

	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	return x ^ (x >> 12);
}

struct cpuid_regs host_cpu_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r = { fake_cpu.fill, fake_cpu.fill, fake_cpu.fill, fake_cpu.fill };

	if (fake_cpu.vary)
		r = (struct cpuid_regs){ varied(leaf, subleaf, 0), varied(leaf, subleaf, 1),
					 varied(leaf, subleaf, 2), varied(leaf, subleaf, 3) };
	if (leaf == 0 && fake_cpu.intel) /* "Genu" "ineI" "ntel" in EBX, EDX, ECX */
		r = (struct cpuid_regs){ FAKE_MAX_BASIC_LEAF, 0x756e6547u, 0x6c65746eu, 0x49656e69u };
	else if (leaf == 0) /* "Auth" "enti" "cAMD" */
		r = (struct cpuid_regs){ FAKE_MAX_BASIC_LEAF, 0x68747541u, 0x444d4163u, 0x69746e65u };
	else if (leaf == 0x80000000u)
		r.eax = FAKE_MAX_EXTENDED_LEAF;
	return r;
}

const struct msr_host_caps *host_cpu_msr_caps(void)
{
	static struct msr_host_caps caps;
	struct cpuid_regs leaf1 = host_cpu_cpuid(1, 0);
	bool mtrr = (leaf1.edx & CPUID_1_EDX_MSR) && (leaf1.edx & CPUID_1_EDX_MTRR);

	caps = msr_host_caps_from(leaf1.edx, fake_cpu.intel, mtrr ? fake_cpu.mtrrcap : 0);
	return &caps;
}

uint64_t fake_msr_value(uint32_t msr)
{
	if (msr == MSR_APIC_BASE)
		return fake_cpu.apic_base;
	if (msr == MSR_MTRRCAP)
		return fake_cpu.mtrrcap;
	return 0x5a5a000000000000ull | msr;
}

uint64_t host_cpu_rdmsr(uint32_t msr, uint64_t *value)
{
	fake_rdmsr_count++;
	*value = fake_cpu.rdmsr_faults ? 0 : fake_msr_value(msr);
	return fake_cpu.rdmsr_faults ? FIXUP_FAULTED | VECTOR_GP : 0;
}

/* ---- the backends (core/vendor.h) ---- */

const struct vcpu_vendor_ops *vendor;

struct fake_backend_vcpu *fake_backend(const struct vcpu *v)
{
	return v->vendor;
}

static void fake_get_state(struct vcpu *v, struct vcpu_state *state)
{
	*state = fake_backend(v)->state;
}

static void fake_io_allow(struct vcpu *v, uint16_t port, uint16_t count)
{
	struct fake_backend_vcpu *b = fake_backend(v);
	uint32_t n = b->io_allowed_count++;

	if (n >= sizeof(b->io_allowed) / sizeof(b->io_allowed[0]))
		return; /* counted, not kept */
	b->io_allowed[n].port = port;
	b->io_allowed[n].count = count;
}

static void fake_stage2_flush(struct vcpu *v)
{
	fake_backend(v)->stage2_flushes++;
}

#define CPUID_7_EBX_INVPCID (1u << 10)
#define CPUID_80000001_EDX_RDTSCP (1u << 27)

static void fake_vtx_cpuid_adjust(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r);

static int fake_amdv_msr_read(struct vcpu *v, uint32_t msr, uint64_t *value)
{
	if (msr != MSR_EFER)
		return 1;
	*value = fake_backend(v)->efer;
	return 0;
}

static int fake_amdv_msr_write(struct vcpu *v, uint32_t msr, uint64_t value)
{
	if (msr != MSR_EFER)
		return 1;
	if (value & ~FAKE_EFER_BITS)
		return -1;
	fake_backend(v)->efer = value;
	return 0;
}

/* Entries: bit 0 present, bits 3:1 permissions, bit 4 uncached, bit 7 a 2 MiB leaf. */
static uint64_t fake_table(uint64_t hpa)
{
	return hpa | 1;
}

static uint64_t fake_leaf(uint64_t hpa, unsigned perms, enum stage2_memtype type, unsigned level)
{
	return hpa | 1 | (uint64_t)perms << 1 | (type == STAGE2_UC ? 1u << 4 : 0) |
	       (level == 2 ? 1u << 7 : 0);
}

static bool fake_present(uint64_t entry)
{
	return entry & 1;
}

static const struct stage2_format fake_format = { fake_table, fake_leaf, fake_present };

const struct vcpu_vendor_ops fake_vtx_ops = {
	.name = "fake VT-x",
	.stage2 = &fake_format,
	.io_allow = fake_io_allow,
	.get_state = fake_get_state,
	.cpuid_adjust = fake_vtx_cpuid_adjust,
	.stage2_flush = fake_stage2_flush,
	.hypercall_insn = { 0x0f, 0x01, 0xc1 }, /* VMCALL (SDM) */
};

const struct vcpu_vendor_ops fake_amdv_ops = {
	.name = "fake AMD-V",
	.stage2 = &fake_format,
	.io_allow = fake_io_allow,
	.get_state = fake_get_state,
	.msr_read = fake_amdv_msr_read,
	.msr_write = fake_amdv_msr_write,
	.stage2_flush = fake_stage2_flush,
	.hypercall_insn = { 0x0f, 0x01, 0xd9 }, /* VMMCALL (APM) */
};

uint32_t fake_adjusted_leaf;
struct cpuid_regs fake_adjusted;

static void fake_vtx_cpuid_adjust(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	fake_adjusted_leaf = leaf;
	fake_adjusted = *r;
	if (leaf == 7 && subleaf == 0)
		r->ebx &= ~CPUID_7_EBX_INVPCID;
	else if (leaf == 0x80000001u)
		r->edx &= ~CPUID_80000001_EDX_RDTSCP;
}

/* ---- the rest of hv ---- */

char fake_log[32768];
static size_t log_used;
uint32_t fake_kicks[BOOT_MAX_CPUS];
uint32_t fake_power_offs;
uint64_t fake_reftime;
struct fake_mmio fake_mmio;
struct page_pool fake_pool;
struct percpu percpu_table[BOOT_MAX_CPUS];

/* The fake machine has no screen: no framebuffer is kept from partitions. */
bool console_screen_range(uint64_t *base, uint64_t *size)
{
	(void)base;
	(void)size;
	return false;
}

void hv_vlog(uint32_t level, const char *fmt, va_list ap)
{
	char line[512];
	int n;

	(void)level;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (log_used + (size_t)n + 2 > sizeof(fake_log))
		log_used = 0; /* a long run: keep the latest lines */
	memcpy(fake_log + log_used, line, (size_t)n);
	log_used += (size_t)n;
	fake_log[log_used++] = '\n';
	fake_log[log_used] = '\0';
}

void hv_log(uint32_t level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hv_vlog(level, fmt, ap);
	va_end(ap);
}

void hv_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

uint32_t fake_log_count(const char *needle)
{
	uint32_t n = 0;

	for (const char *line = fake_log; *line != '\0';) {
		const char *end = strchr(line, '\n');
		size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
		char copy[512];

		if (len >= sizeof(copy))
			len = sizeof(copy) - 1;
		memcpy(copy, line, len);
		copy[len] = '\0';
		n += strstr(copy, needle) != NULL;
		line += len + (end != NULL);
	}
	return n;
}

void fake_log_clear(void)
{
	log_used = 0;
	fake_log[0] = '\0';
}

void cpu_kick(uint32_t cpu)
{
	fake_check(cpu < BOOT_MAX_CPUS, "cpu_kick: no such CPU");
	fake_kicks[cpu]++;
}

bool cpu_kick_pending(uint32_t cpu)
{
	(void)cpu;
	return false;
}

void cpu_kick_ack(uint32_t cpu)
{
	(void)cpu;
}

void cpu_kick_wait(uint32_t cpu, bool interrupts)
{
	(void)cpu;
	(void)interrupts;
}

uint64_t timer_tsc_hz(void)
{
	return FAKE_TSC_HZ;
}

uint64_t reftime_now(void)
{
	return fake_reftime;
}

uint64_t reftime_scale(void)
{
	return 0x0123456789abcdefull;
}

int64_t reftime_offset(void)
{
	return -42;
}

void test_exit_power_off(enum test_exit_code code)
{
	(void)code;
	fake_power_offs++;
}

void apic_timer_arm(uint64_t tsc_deadline)
{
	(void)tsc_deadline;
}

void apic_timer_disarm(void)
{
}

bool apic_send_wake(uint32_t apic_id)
{
	(void)apic_id;
	return true;
}

uint32_t smp_current_index(void)
{
	return BOOT_MAX_CPUS - 1; /* a CPU no partition owns: the test's caller */
}

uint64_t ram_free_bytes(void)
{
	return 1ull << 30;
}

int mmio_register(uint64_t base, uint64_t size, mmio_read_fn read, mmio_write_fn write)
{
	if (fake_mmio.registered)
		return -1; /* hv registers one range: the ECAM window */
	fake_mmio = (struct fake_mmio){ true, base, size, read, write };
	return 0;
}

/* ---- partitions ---- */

struct partition partitions[HVCFG_MAX_PARTITIONS];
uint32_t partition_count;

static struct hvcfg_partition configs[HVCFG_MAX_PARTITIONS];
static struct vcpu vcpus[BOOT_MAX_CPUS];
static struct fake_backend_vcpu backends[BOOT_MAX_CPUS];
static uint32_t cpus_used;
static struct hv_mgmt_config mgmt;
static struct boot_file mgmt_files[HV_MGMT_FILES];  /* none: HVCALL_MGMT_FILE reads size 0 */
static uint64_t *pool_memory;

struct vcpu *partition_vcpu(const struct partition *p, uint32_t vp)
{
	uint64_t mask = p->cfg->cpu_mask;

	for (uint32_t i = 0; i < vp && mask != 0; i++)
		mask &= mask - 1;
	return &vcpus[mask ? __builtin_ctzll(mask) : 0];
}

/*
 * RAM between two inaccessible guard pages.  A slot keeps its mapping
 * across machines of the same size (fuzz targets make thousands a
 * second) and is zeroed instead: small RAM by memset, large by dropping
 * its pages, which read as zero when touched again.
 */
static struct {
	uint8_t *ram;
	uint64_t size;
} ram_slots[HVCFG_MAX_PARTITIONS];

#define RAM_MEMSET_MAX (1ull << 20)

static void *ram_map(uint32_t slot, uint64_t size)
{
	uint8_t *span;

	if (ram_slots[slot].ram != NULL && ram_slots[slot].size == size) {
		if (size <= RAM_MEMSET_MAX)
			memset(ram_slots[slot].ram, 0, size);
		else
			fake_check(madvise(ram_slots[slot].ram, size, MADV_DONTNEED) == 0, "madvise");
		return ram_slots[slot].ram;
	}
	if (ram_slots[slot].ram != NULL)
		munmap(ram_slots[slot].ram - GUARD, ram_slots[slot].size + 2 * GUARD);
	span = mmap(NULL, size + 2 * GUARD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		    -1, 0);
	fake_check(span != MAP_FAILED, "mmap of partition RAM");
	fake_check(mprotect(span + GUARD, size, PROT_READ | PROT_WRITE) == 0, "mprotect");
	ram_slots[slot].ram = span + GUARD;
	ram_slots[slot].size = size;
	return ram_slots[slot].ram;
}

static void pool_reset(void)
{
	uint64_t bitmap_pages = (page_pool_bitmap_bytes(POOL_PAGES) + PAGE_SIZE - 1) / PAGE_SIZE;

	if (pool_memory == NULL)
		pool_memory = aligned_alloc(PAGE_SIZE, POOL_PAGES * PAGE_SIZE);
	fake_check(pool_memory != NULL, "page pool memory");
	page_pool_init(&fake_pool, (uint64_t)pool_memory, POOL_PAGES, pool_memory);
	page_pool_reserve(&fake_pool, (uint64_t)pool_memory, bitmap_pages);
}

void fake_machine_reset(const struct vcpu_vendor_ops *ops, const struct fake_cpu *cpu)
{
	struct hv_info_source source = { &fake_pool, BOOT_MAX_CPUS, 1u << 20 };
	struct vcpu nobody = { 0 };

	/* media outlive restarts in hv: ejected through the root's call, from a caller of no partition */
	for (uint32_t i = 0; i < partition_count; i++) {
		connection_drop_partition(i);
		fake_check(call_media_attach(&nobody, i, HV_MEDIA_NONE) == HV_STATUS_SUCCESS,
			   "media eject");
	}
	for (uint32_t i = 0; i < partition_count; i++)
		partitions[i] = (struct partition){ 0 };
	for (uint32_t i = 0; i < cpus_used; i++) {
		vcpus[i] = (struct vcpu){ 0 }; /* SynIC queues were fake_pool's: the pool restarts */
		backends[i] = (struct fake_backend_vcpu){ 0 };
	}
	partition_count = cpus_used = 0;
	vendor = ops;
	fake_cpu = *cpu;
	fake_rdmsr_count = fake_power_offs = 0;
	fake_reftime = 0;
	memset(fake_kicks, 0, sizeof(fake_kicks));
	fake_mmio = (struct fake_mmio){ 0 };
	fake_log_clear();
	pool_reset();
	synic_init(&fake_pool);
	hypercall_root_set_info(&source);
	hypercall_root_set_mgmt(&mgmt, mgmt_files);
	events_reset();
	fake_adjusted_leaf = 0;
	fake_adjusted = (struct cpuid_regs){ 0 };
}

static void vcpu_add(struct partition *p, uint32_t vp, uint32_t cpu)
{
	struct vcpu *v = &vcpus[cpu];

	*v = (struct vcpu){ .partition = p, .cpu = cpu, .vp_index = vp, .vendor = &backends[cpu] };
	backends[cpu].state = (struct vcpu_state){ .cpl = 0, .long_mode = true,
						   .cr0 = 0x80000011ull, .efer = 0xd01 };
	backends[cpu].efer = 0xd01; /* SCE, LME, LMA, NXE */
	percpu_table[cpu].index = cpu;
	percpu_table[cpu].apic_id = cpu;
	synic_reset(v);
	if (p->platform == PLATFORM_PC)
		platform_vcpu_reset(v);
}

struct partition *fake_partition_add(const char *name, enum hvcfg_role role,
				     enum partition_platform platform, uint64_t ram_size,
				     uint32_t vp_count)
{
	uint32_t id = partition_count++;
	struct partition *p = &partitions[id];
	struct hvcfg_partition *cfg = &configs[id];

	fake_check(id < HVCFG_MAX_PARTITIONS && cpus_used + vp_count < BOOT_MAX_CPUS,
		   "too many partitions or vCPUs");
	fake_check(ram_size % PAGE_SIZE == 0 && ram_size > 0, "RAM size: whole pages");
	*cfg = (struct hvcfg_partition){ .role = role, .memory_size = ram_size };
	snprintf(cfg->name, sizeof(cfg->name), "%s", name);
	for (uint32_t i = 0; i < vp_count; i++)
		cfg->cpu_mask |= 1ull << (cpus_used + i);
	*p = (struct partition){ .id = id, .cfg = cfg, .platform = platform, .ram_size = ram_size,
				 .vp_count = vp_count, .state = PARTITION_RUNNING };
	p->ram_hpa = (uint64_t)ram_map(id, ram_size);
	fake_check(stage2_init(&p->stage2, vendor->stage2, &fake_pool) == 0, "stage2_init");
	for (uint32_t i = 0; i < vp_count; i++)
		vcpu_add(p, i, cpus_used + i);
	cpus_used += vp_count;
	return p;
}

void *fake_ram(struct partition *p, uint64_t gpa)
{
	void *host = partition_gpa_to_host(p, gpa, 1);

	fake_check(host != NULL, "fake_ram: GPA outside the partition's RAM");
	return host;
}

bool fake_in_ram(const struct partition *p, const void *ptr, uint64_t len)
{
	uint64_t a = (uint64_t)ptr;

	return a >= p->ram_hpa && len <= p->ram_size && a - p->ram_hpa <= p->ram_size - len;
}

void fake_enable_hypercalls(struct vcpu *v, uint64_t page_gpa)
{
	v->regs.rax = 1; /* guest OS id: any non-zero value */
	v->regs.rdx = 0;
	fake_check(guest_msr_write(v, HV_X64_MSR_GUEST_OS_ID) == ACTION_NEXT, "GUEST_OS_ID");
	regs_set_edx_eax(&v->regs, page_gpa | HV_HYPERCALL_ENABLE);
	fake_check(guest_msr_write(v, HV_X64_MSR_HYPERCALL) == ACTION_NEXT, "HYPERCALL");
}

enum exit_action fake_hypercall(struct vcpu *v, uint64_t input, uint64_t rdx, uint64_t r8)
{
	v->regs.rcx = input;
	v->regs.rdx = rdx;
	v->regs.r8 = r8;
	return guest_hypercall(v);
}
