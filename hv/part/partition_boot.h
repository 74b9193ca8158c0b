/*
 * Preparing a partition's RAM for its first instruction: the kernel image
 * copied from the pristine file, the start_info page (our kernels) or
 * the Linux boot protocol's data (a bzImage), a GDT and identity page
 * tables, and the initial long-mode register state.
 */
#ifndef HV_PARTITION_BOOT_H
#define HV_PARTITION_BOOT_H

#include <part/partition.h>
#include <part/vcpu.h>

/* The long-mode state both kinds of image start in: paging on, PAE, LME/LMA. */
#define PARTITION_BOOT_CR0 0x80010033ull  /* PG WP NE ET MP PE */
#define PARTITION_BOOT_CR4 0x20ull        /* PAE */
#define PARTITION_BOOT_EFER 0x500ull      /* LMA LME */

/* Loads the image and builds the start-up data; returns NULL or a reason. */
const char *partition_boot_prepare(struct partition *p, struct vcpu_boot_state *boot);

/* The same for a bzImage partition (partition_boot_linux.c). */
const char *partition_boot_linux(struct partition *p, struct vcpu_boot_state *boot);

#endif
