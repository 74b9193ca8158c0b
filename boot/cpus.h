/*
 * cpus: builds boot_info's CPU list: the boot CPU first, then every other
 * enabled CPU the MADT lists, or, on firmware without ACPI tables, the
 * CPUs the firmware's MP services know.  Also records the RSDP.
 */
#ifndef BOOT_CPUS_H
#define BOOT_CPUS_H

#include <efi.h>

#include <hv/boot_info.h>

struct cpu_list {
	struct boot_info *info;
	UINT32 dropped; /* enabled CPUs beyond BOOT_MAX_CPUS */
	int bsp_seen;   /* the source listed the boot CPU too */
};

/* Adds a CPU by APIC id unless it is already listed. */
void cpus_add(struct cpu_list *l, UINT32 apic_id);

/* Never fails: with no source of CPUs it records the BSP alone and warns. */
void cpus_collect(struct boot_info *info);

#endif
