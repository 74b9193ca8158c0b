/*
 * acpi: finds the RSDP through the UEFI configuration table (ACPI 2.0
 * entry preferred) and the enabled CPUs in the MADT, reached through the
 * XSDT or else the RSDT.
 */
#ifndef BOOT_ACPI_H
#define BOOT_ACPI_H

#include "cpus.h"

/* The checksum-verified RSDP, or NULL (with a warning if one was bad). */
const void *acpi_find_rsdp(void);

/* Adds the MADT's enabled CPUs in table order; 0 when there is no MADT. */
int acpi_add_madt_cpus(const void *rsdp, struct cpu_list *l);

#endif
