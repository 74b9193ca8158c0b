/*
 * cpus: the CPU inventory hv partitions the machine by.  Index 0 is
 * always the boot CPU, because hv starts on it and configs name CPUs by
 * index; duplicates (a CPU listed as both xAPIC and x2APIC) collapse.
 */
#include "cpus.h"

#include "acpi.h"
#include "console.h"
#include "mpsvc.h"

static void cpuid(UINT32 leaf, UINT32 sub, UINT32 r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

/*
 * Leaf 0xB gives the full 32-bit x2APIC id when the CPU has x2APIC; in
 * xAPIC mode its low 8 bits equal leaf 1's id, so it is right either way.
 */
static UINT32 bsp_apic_id(void)
{
	UINT32 r0[4], r1[4], rb[4];

	cpuid(0, 0, r0);
	cpuid(1, 0, r1);
	if (r0[0] >= 0xb && (r1[2] & (1u << 21))) {
		cpuid(0xb, 0, rb);
		if (rb[1] & 0xffff)
			return rb[3];
	}
	return r1[1] >> 24;
}

void cpus_add(struct cpu_list *l, UINT32 apic_id)
{
	struct boot_info *info = l->info;
	UINT32 i;

	for (i = 0; i < info->cpu_count; i++) {
		if (info->cpus[i].apic_id == apic_id) {
			l->bsp_seen |= i == 0; /* slot 0 holds the BSP */
			return;
		}
	}
	if (info->cpu_count == BOOT_MAX_CPUS) {
		l->dropped++;
		return;
	}
	info->cpus[info->cpu_count].apic_id = apic_id;
	info->cpus[info->cpu_count].flags = 0;
	info->cpu_count++;
}

/* MADT first; MP services only stand in when the firmware has no ACPI. */
static const char *gather(const void *rsdp, struct cpu_list *l)
{
	if (acpi_add_madt_cpus(rsdp, l))
		return "in MADT";
	if (mpsvc_add_cpus(l)) {
		boot_warn("no ACPI MADT; taking the CPU list from the firmware's MP services");
		return "from MP services";
	}
	boot_warn("no ACPI MADT and no MP services; starting with the boot CPU only");
	l->bsp_seen = 1;
	return "in MADT";
}

void cpus_collect(struct boot_info *info)
{
	const void *rsdp = acpi_find_rsdp();
	struct cpu_list l = { info, 0, 0 };
	const char *source;

	if (!rsdp)
		boot_warn("no valid ACPI RSDP in the UEFI configuration table");
	info->rsdp_phys = (UINT64)(UINTN)rsdp;
	info->bsp_apic_id = bsp_apic_id();
	info->cpus[0].apic_id = info->bsp_apic_id;
	info->cpus[0].flags = BOOT_CPU_BSP;
	info->cpu_count = 1;
	source = gather(rsdp, &l);
	if (!l.bsp_seen)
		boot_warn("the boot CPU (APIC id %u) is not listed as an enabled CPU",
			  (unsigned)info->bsp_apic_id);
	if (l.dropped)
		boot_warn("%u more enabled CPUs than the %u supported; ignoring them",
			  (unsigned)l.dropped, (unsigned)BOOT_MAX_CPUS);
	boot_log("%u CPUs %s (BSP APIC id %u)", (unsigned)info->cpu_count,
		 source, (unsigned)info->bsp_apic_id);
}
