/*
 * Hypercalls from a partition kernel (TLFS ABI, include/hv/hypercall.h):
 * set GUEST_OS_ID, enable the hypercall page hv fills with VMCALL or
 * VMMCALL + RET, and call through it.  Input and output go through two
 * page-aligned buffers; the kernel is identity-mapped, so GPA = address.
 */
#ifndef KERNEL_HYPERCALL_H
#define KERNEL_HYPERCALL_H

#include <hv/hypercall.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Our guest OS ID: open source (bit 63), OS type 0x7f "other". */
#define KERNEL_GUEST_OS_ID 0xff00000000010000ull
/* hv_call's result when the page is not enabled (never a TLFS value). */
#define HV_CALL_NOT_READY (~0ull)

/* Enables the page; false (and a console line saying why) on failure. */
bool hv_hypercall_enable(void);
/* Disables the page and clears GUEST_OS_ID (back to the start-up state). */
bool hv_hypercall_disable(void);
bool hv_hypercall_ready(void);
/* The page hv fills (page-aligned, in the kernel image). */
const volatile uint8_t *hv_hypercall_page(void);

/* Full RAX of the call: status in bits 15:0, reps completed in 43:32. */
uint64_t hv_call(uint64_t control, uint64_t in_gpa, uint64_t out_gpa);

static inline uint16_t hv_status(uint64_t result)
{
	return (uint16_t)(result & 0xffff);
}

/* Page-aligned scratch pages for call input and output. */
void *hv_input_page(void);
void *hv_output_page(void);

static inline uint64_t hv_gpa(const volatile void *p)
{
	return (uint64_t)p; /* identity map */
}

/* Convenience wrappers; each returns the full result. */
uint64_t hv_console_write(const char *text, size_t length);
uint64_t hv_self_info(struct hv_self_info *info);

#endif
