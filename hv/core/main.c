/*
 * hv's start-up on the bootstrap CPU: check what the loader handed over,
 * take over the CPU (own GDT, TSS, IDT, page tables), set up the page
 * pool, identify the processor and its virtualization backend, bring
 * every other CPU up, create the partitions, and then run, on every CPU,
 * the vCPU of the partition that owns it.
 */
#include <core/apic.h>
#include <core/console.h>
#include <core/cpuinfo.h>
#include <core/fixup.h>
#include <core/percpu.h>
#include <core/smp.h>
#include <core/test_exit.h>
#include <core/timer.h>
#include <core/trap.h>
#include <core/vendor.h>
#include <hypercall/hypercall_root.h>
#include <mem/page_alloc.h>
#include <mem/paging.h>
#include <part/partition_create.h>
#include <pci/pci.h>
#include <plat/reftime.h>
#include <synic/synic.h>

#include <arch/x86.h>
#include <hv/boot_info.h>
#include <hv/config_desc.h>

#ifndef HV_VERSION
#error "HV_VERSION must be defined by the build"
#endif

#define CR4_OSXSAVE (1ull << 18)
#define CPUID_1_ECX_XSAVE (1u << 26)

static struct page_pool pool;
static struct virt_caps virt_caps;
const struct vcpu_vendor_ops *vendor;

/* Each file hv.cfg names was loaded, within its size limit; none other was. */
static void check_mgmt_files(const struct boot_info *bi, const struct hvcfg *cfg)
{
	for (uint32_t i = 0; i < HV_MGMT_FILES; i++) {
		const struct boot_file *f = &bi->mgmt_files[i];
		bool named = cfg->mgmt_files[i].path[0] != '\0';

		if (named != (f->size != 0) || f->size > HV_MGMT_FILE_MAX ||
		    (f->size != 0 && (f->phys == 0 || f->phys + f->size < f->phys)))
			hv_panic("boot_info: %s: %llu bytes at 0x%llx do not match hv.cfg",
				 hvcfg_mgmt_file_key(i), (unsigned long long)f->size,
				 (unsigned long long)f->phys);
	}
}

static const struct hvcfg *check_boot_info(const struct boot_info *bi)
{
	const struct hvcfg *cfg = (const struct hvcfg *)bi->config_phys;
	struct hvcfg_error err;

	if (bi->signature != BOOT_INFO_SIGNATURE || bi->revision != BOOT_INFO_REVISION ||
	    bi->size != sizeof(*bi))
		hv_panic("boot_info signature/revision/size not understood (rev %u, size %u)",
			 bi->revision, bi->size);
	if (bi->cpu_count == 0 || bi->cpu_count > BOOT_MAX_CPUS ||
	    bi->image_count > BOOT_MAX_IMAGES || bi->mem_region_count > BOOT_MAX_MEM_REGIONS)
		hv_panic("boot_info counts out of range");
	if (bi->config_size != sizeof(*cfg) || bi->config_phys == 0)
		hv_panic("boot_info carries no configuration of the expected size");
	if (hvcfg_validate(cfg, &err) != 0)
		hv_panic("configuration refused: line %u: %s", err.line, err.message);
	check_mgmt_files(bi, cfg);
	return cfg;
}

static void pool_setup(const struct boot_info *bi)
{
	uint64_t base = bi->hv_phys_base + bi->pool_offset;
	uint64_t pages, bitmap_pages;

	if (bi->pool_offset >= bi->hv_phys_size || base % PAGE_SIZE != 0)
		hv_panic("no page pool in hv's reservation");
	pages = (bi->hv_phys_size - bi->pool_offset) / PAGE_SIZE;
	bitmap_pages = (page_pool_bitmap_bytes(pages) + PAGE_SIZE - 1) / PAGE_SIZE;
	page_pool_init(&pool, base, pages, (uint64_t *)base);
	page_pool_reserve(&pool, base, bitmap_pages);
	log_info("memory: %llu MiB reserved at 0x%llx, image %llu KiB, pool %llu pages free",
		 (unsigned long long)(bi->hv_phys_size >> 20), (unsigned long long)bi->hv_phys_base,
		 (unsigned long long)(bi->hv_image_end >> 10), (unsigned long long)pool.free);
}

static void log_partitions(const struct boot_info *bi, const struct hvcfg *cfg)
{
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		const struct hvcfg_partition *p = &cfg->partitions[i];
		const struct boot_image *img = i < bi->image_count ? &bi->images[i] : NULL;

		log_info("partition %s: %s, cpus 0x%llx, %llu MiB, image %s (%llu KiB, entry 0x%llx)",
			 p->name, p->role == HVCFG_ROLE_ROOT ? "root" : "guest",
			 (unsigned long long)p->cpu_mask, (unsigned long long)(p->memory_size >> 20),
			 p->image, img ? (unsigned long long)(img->size >> 10) : 0ull,
			 img ? (unsigned long long)img->entry : 0ull);
		if (p->cpu_mask >> bi->cpu_count != 0)
			log_warn("partition %s names CPUs beyond the %u this machine has", p->name,
				 bi->cpu_count);
	}
}

/* Chooses the backend; false when the machine cannot run partitions. */
static bool virtualization_select(void)
{
	char line[200];

	vendor = vendor_select();
	if (vendor == NULL) {
		log_error("virt: none: this CPU has neither usable VT-x nor AMD-V");
		return false;
	}
	vendor->probe(&virt_caps);
	vendor->describe(&virt_caps, line, sizeof(line));
	log_info("virt: %s", line);
	if (!virt_caps.usable)
		log_error("virt: %s unusable: %s", vendor->name, virt_caps.reason);
	return virt_caps.usable;
}

/* What every CPU does once hv is up: run the vCPU of the partition owning it. */
static void cpu_run(uint32_t index)
{
	struct partition *p = partition_of_cpu(index);

	if (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)
		write_cr4(read_cr4() | CR4_OSXSAVE); /* so partitions may use XSETBV */
	apic_cpu_setup();
	if (p == NULL) {
		log_info("CPU %u belongs to no partition; parked", index);
		return;
	}
	if (vendor->cpu_enable(&virt_caps, &pool) != 0) {
		partition_fault(p, "virtualization could not be enabled on CPU %u", index);
		return;
	}
	partition_cpu_run(p, index, &pool);
}

static void cpu_takeover(const struct boot_info *bi)
{
	static char bsp_ist[HV_IST_STACK_SIZE] __attribute__((aligned(16)));
	struct percpu *bsp = &percpu_table[0];

	bsp->index = 0;
	bsp->apic_id = bi->bsp_apic_id;
	trap_init();
	smp_cpu_setup(bsp, (uint64_t)bsp_ist + sizeof(bsp_ist));
	write_cr3(paging_build(bi, &pool));
}

__attribute__((noreturn)) void hv_main(const struct boot_info *bi);

void hv_main(const struct boot_info *bi)
{
	const struct hvcfg *cfg;
	uint32_t online;
	bool usable;

	console_init(0x3f8); /* until the configuration says otherwise */
	cfg = check_boot_info(bi);
	console_init(cfg->serial_port);
	console_configure(cfg->console, &bi->fb);
	console_set_level(cfg->log_level);
	test_exit_enable((cfg->flags & HVCFG_FLAG_TEST_EXIT) != 0);
	apic_init();
	/* The first line on the screen; the screen test anchors on it. */
	log_info("hypervisor %s starting on CPU 0 (APIC id %u)", HV_VERSION, apic_id_self());
	console_describe(cfg->console, cfg->console_line, &bi->fb);
	pool_setup(bi);
	cpu_takeover(bi);
	cpuinfo_log();
	usable = virtualization_select();
	log_partitions(bi, cfg);
	timer_calibrate();
	apic_timer_calibrate();
	log_info("timer: APIC timer %llu MHz",
		 (unsigned long long)(apic_timer_hz(timer_tsc_hz()) / 1000000));
	log_info("CPU 0 (APIC id %u) online", percpu_table[0].apic_id);
	online = smp_start_aps(bi, read_cr3(), &pool);
	if (online == bi->cpu_count)
		log_info("all %u CPUs online", online);
	else
		log_error("only %u of %u CPUs online", online, bi->cpu_count);
	if (cfg->flags & HVCFG_FLAG_TEST_EXCEPTION) {
		fixup_self_test(); /* a fault the fixup table covers: this CPU goes on */
		__asm__ volatile("ud2"); /* one it does not: reported, and the CPU stops */
	}
	if (online != bi->cpu_count || !usable)
		test_exit_power_off(TEST_EXIT_FAILURE);
	if (!usable)
		cpu_halt_forever();
	reftime_init(timer_tsc_hz());
	if (pci_init(bi, cfg) != 0 || !partitions_create(bi, cfg, &pool)) {
		test_exit_power_off(TEST_EXIT_FAILURE);
		cpu_halt_forever();
	}
	synic_init(&pool);
	hypercall_root_set_info(&(struct hv_info_source){ &pool, bi->cpu_count, bi->hv_image_end });
	hypercall_root_set_mgmt(&cfg->mgmt, bi->mgmt_files);
	log_info("start-up complete; %llu pages free", (unsigned long long)pool.free);
	test_exit_if_guests_stopped(); /* a configuration with no guest ends here */
	smp_release_aps(cpu_run);
	cpu_run(0);
	cpu_halt_forever();
}
