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

/* Loads the image and builds the start-up data; returns NULL or a reason. */
const char *partition_boot_prepare(struct partition *p, struct vcpu_boot_state *boot);

/* The same for a bzImage partition (partition_boot_linux.c). */
const char *partition_boot_linux(struct partition *p, struct vcpu_boot_state *boot);

#endif
