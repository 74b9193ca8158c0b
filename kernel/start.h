/*
 * Start-up common to partition kernels: kernel_main (called by
 * kernel/partition_start.asm) first calls kernel_init, which loads the IDT,
 * opens the console, checks hv's start_info and reads the TSC rate.
 */
#ifndef KERNEL_START_H
#define KERNEL_START_H

#include <hv/start_info.h>

/* Each kernel defines it; it never returns. */
void kernel_main(void *start_info);

/*
 * name: the kernel's console name.  Returns a checked copy of start_info
 * (name and cmdline terminated), or ends in kpanic naming what was wrong.
 */
const struct start_info *kernel_init(void *start_info, const char *name);

#endif
