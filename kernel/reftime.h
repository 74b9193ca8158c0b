/*
 * Partition reference time (TLFS): 100 ns units, the same time base in
 * every partition, read from HV_X64_MSR_TIME_REF_COUNT (one exit per
 * read) or computed without an exit from the reference TSC page.
 */
#ifndef KERNEL_REFTIME_H
#define KERNEL_REFTIME_H

#include <hv/hypercall.h>
#include <stdbool.h>
#include <stdint.h>

#define REFTIME_PER_MS 10000ull /* 100 ns units per millisecond */

/* The MSR through a probe: PROBE_OK or the vector it raised. */
unsigned int reftime_read_msr(uint64_t *value);

/*
 * Points HV_X64_MSR_REFERENCE_TSC at the kernel's page (GPA | enable):
 * PROBE_OK or the vector the MSR write raised.
 */
unsigned int reftime_page_enable(void);
const struct hv_reference_tsc_page *reftime_page(void);

/* ((TSC * scale) >> 64) + offset from the page; false when its sequence is 0. */
bool reftime_read_page(uint64_t *value);

#endif
