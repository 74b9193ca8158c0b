/*
 * The exit-cost benchmark (knob `bench`): RDTSC-timed single operations,
 * BENCH_ITERATIONS after a warm-up, reporting the minimum and the median
 * (emulators are noisy) of CPUID 0x400000ff (the backend's minimal exit
 * path, the baseline), CPUID 0x40000000 (the core's CPUID path) and the
 * SELF_INFO hypercall (the full hypercall path).  Integer arithmetic only.
 */
#include "testos.h"

#include <arch/x86.h>
#include <hv/hypercall.h>
#include <kernel/console.h>
#include <kernel/hypercall.h>
#include <lib/format.h>

#define BENCH_WARMUP 100
#define BENCH_ITERATIONS 2000

struct bench_result {
	uint64_t min;
	uint64_t median;
};

static uint64_t samples[BENCH_ITERATIONS];

static void op_cpuid_null(void)
{
	(void)cpuid(HV_CPUID_BENCH_NULL, 0);
}

static void op_cpuid(void)
{
	(void)cpuid(HV_CPUID_VENDOR, 0);
}

static void op_hypercall(void)
{
	(void)hv_call(HVCALL_SELF_INFO, 0, hv_gpa(hv_output_page()));
}

/* Shell sort: a few thousand samples, no allocation. */
static void sort(uint64_t *a, size_t n)
{
	for (size_t gap = n / 2; gap > 0; gap /= 2) {
		for (size_t i = gap; i < n; i++) {
			uint64_t x = a[i];
			size_t j = i;

			for (; j >= gap && a[j - gap] > x; j -= gap)
				a[j] = a[j - gap];
			a[j] = x;
		}
	}
}

static struct bench_result measure(const char *name, void (*op)(void))
{
	struct bench_result r;

	for (unsigned int i = 0; i < BENCH_WARMUP; i++)
		op();
	for (unsigned int i = 0; i < BENCH_ITERATIONS; i++) {
		uint64_t start = rdtsc();

		op();
		samples[i] = rdtsc() - start;
	}
	sort(samples, BENCH_ITERATIONS);
	r.min = samples[0];
	r.median = samples[BENCH_ITERATIONS / 2];
	kprintf("bench: %s min %lu median %lu cycles (%u iterations)\n", name, r.min, r.median,
		BENCH_ITERATIONS);
	return r;
}

/* "x<ratio>" with two decimals: part / whole, rounded. */
static void ratio(char *buf, size_t size, uint64_t part, uint64_t whole)
{
	uint64_t hundredths = whole ? (part * 100 + whole / 2) / whole : 0;

	fmt_snprintf(buf, size, "x%lu.%02lu", hundredths / 100, hundredths % 100);
}

void bench_run(void)
{
	struct bench_result null, full, call;
	char r1[32], r2[32];
	struct cpuid_regs z = cpuid(HV_CPUID_BENCH_NULL, 0);

	if (z.eax | z.ebx | z.ecx | z.edx)
		kprintf("bench: note: CPUID 0x%x is not all zeros (%x %x %x %x)\n",
			HV_CPUID_BENCH_NULL, z.eax, z.ebx, z.ecx, z.edx);
	null = measure("cpuid-null", op_cpuid_null);
	full = measure("cpuid", op_cpuid);
	ratio(r1, sizeof(r1), full.median, null.median);
	if (!hv_hypercall_ready() && !hv_hypercall_enable()) {
		kprintf("bench: cpuid-null %lu cycles, cpuid %lu (%s), hypercall unavailable\n",
			null.median, full.median, r1);
		kputs("bench: FAIL cannot enable the hypercall page\n");
		return;
	}
	call = measure("hypercall", op_hypercall);
	ratio(r2, sizeof(r2), call.median, null.median);
	kprintf("bench: cpuid-null %lu cycles, cpuid %lu (%s), hypercall %lu (%s)\n", null.median,
		full.median, r1, call.median, r2);
	kputs("bench: done\n");
}
