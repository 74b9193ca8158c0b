/*
 * TSC time: the rate comes from HV_X64_MSR_TSC_FREQUENCY when CPUID
 * 0x40000003 grants the frequency MSRs; delays spin on RDTSC with PAUSE
 * (no timer interrupt, and HLT with interrupts off would never wake).
 */
#include <kernel/time.h>

#include <arch/x86.h>
#include <hv/hypercall.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/probe.h>

#define FALLBACK_HZ 1000000000ull

static uint64_t hz = FALLBACK_HZ;

void time_init(void)
{
	uint64_t value = 0;
	unsigned int v;

	if (!cpu_hyperv_interface() ||
	    !(cpuid(HV_CPUID_FEATURES, 0).eax & HV_ACCESS_FREQUENCY_MSRS)) {
		kprintf("%s: no TSC frequency MSR; assuming 1 GHz\n", console_name());
		return;
	}
	v = probe_rdmsr(HV_X64_MSR_TSC_FREQUENCY, &value);
	if (v != PROBE_OK || value == 0) {
		kprintf("%s: TSC frequency MSR gave %s, 0x%lx; assuming 1 GHz\n", console_name(),
			probe_name(v), value);
		return;
	}
	hz = value;
}

uint64_t tsc_hz(void)
{
	return hz;
}

uint64_t tsc_read(void)
{
	return rdtsc();
}

uint64_t tsc_to_ms(uint64_t ticks)
{
	return ticks / (hz / 1000 ? hz / 1000 : 1);
}

void delay_ms(uint64_t ms)
{
	uint64_t start = rdtsc(), ticks = hz / 1000 * ms;

	while (rdtsc() - start < ticks)
		cpu_relax();
}
