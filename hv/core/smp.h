/*
 * Start-up of the application processors listed in boot_info (the MADT's
 * enabled CPUs) and the count of CPUs that reported in.
 */
#ifndef HV_SMP_H
#define HV_SMP_H

#include <hv/boot_info.h>
#include <stdint.h>

#include <core/percpu.h>
#include <mem/page_alloc.h>

/*
 * Starts every AP, one at a time, on page tables `cr3`.  Returns the
 * number of CPUs online, the BSP included.
 */
uint32_t smp_start_aps(const struct boot_info *bi, uint64_t cr3, struct page_pool *pool);

/* Lets every parked AP go on with fn(its index); APs wait for this after reporting in. */
void smp_release_aps(void (*fn)(uint32_t index));

/* Index (boot_info order) of the calling CPU; 0 before SMP start-up. */
uint32_t smp_current_index(void);

/* Prepares the calling CPU's GDT/TSS and IDT; used by the BSP and APs. */
void smp_cpu_setup(struct percpu *cpu, uint64_t ist_top);

#endif
