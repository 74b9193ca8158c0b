/*
 * Reference time readers.  The page read follows the TLFS protocol:
 * take the sequence, read scale and offset and the TSC, and retry if
 * hv changed the sequence meanwhile (it rewrites the page, e.g. after a
 * migration of the time base).  The 64x64->128 multiply is one MUL,
 * since kernels avoid compiler runtime helpers.
 */
#include <kernel/reftime.h>

#include <arch/x86.h>
#include <kernel/hypercall.h>
#include <kernel/probe.h>

#define PAGE_SIZE 4096

/* A whole page: hv owns all of it once enabled. */
static union {
	struct hv_reference_tsc_page page;
	uint8_t bytes[PAGE_SIZE];
} tsc_store __attribute__((aligned(PAGE_SIZE)));

unsigned int reftime_read_msr(uint64_t *value)
{
	return probe_rdmsr(HV_X64_MSR_TIME_REF_COUNT, value);
}

unsigned int reftime_page_enable(void)
{
	return probe_wrmsr(HV_X64_MSR_REFERENCE_TSC, hv_gpa(&tsc_store.page) | 1);
}

const struct hv_reference_tsc_page *reftime_page(void)
{
	return &tsc_store.page;
}

/* High 64 bits of a * b. */
static uint64_t mul_high(uint64_t a, uint64_t b)
{
	uint64_t high;

	__asm__("mulq %[b]" : "=d"(high), "+a"(a) : [b] "rm"(b) : "cc");
	return high;
}

bool reftime_read_page(uint64_t *value)
{
	uint32_t seq;
	uint64_t scale, tsc;
	int64_t offset;

	do {
		seq = tsc_store.page.tsc_sequence;
		if (seq == 0)
			return false;
		__asm__ volatile("" ::: "memory");
		scale = tsc_store.page.tsc_scale;
		offset = tsc_store.page.tsc_offset;
		tsc = rdtsc();
		__asm__ volatile("" ::: "memory");
	} while (tsc_store.page.tsc_sequence != seq);
	*value = mul_high(tsc, scale) + (uint64_t)offset;
	return true;
}
