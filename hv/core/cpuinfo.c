/*
 * Prints what CPUID says the processor is: vendor string, display family
 * and model (with the extended fields folded in as the SDM/APM define),
 * stepping and the brand string.
 */
#include <core/cpuinfo.h>

#include <core/apic.h>
#include <core/console.h>

#include <arch/x86.h>
#include <lib/string.h>

static void brand_string(char *buf)
{
	if (cpuid(0x80000000, 0).eax < 0x80000004) {
		lib_strlcpy(buf, "(no brand string)", 49);
		return;
	}
	for (uint32_t i = 0; i < 3; i++) {
		struct cpuid_regs r = cpuid(0x80000002 + i, 0);

		memcpy(buf + i * 16, &r, 16);
	}
	buf[48] = '\0';
	for (size_t n = strlen(buf); n > 0 && buf[n - 1] == ' '; n--)
		buf[n - 1] = '\0';
}

void cpuinfo_log(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	uint32_t sig = cpuid(1, 0).eax;
	uint32_t family = (sig >> 8) & 0xf, model = (sig >> 4) & 0xf;
	char vendor[13], brand[49];
	const char *b;

	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	if (family == 0xf)
		family += (sig >> 20) & 0xff;
	if (family >= 0x6)
		model |= ((sig >> 16) & 0xf) << 4;
	brand_string(brand);
	for (b = brand; *b == ' '; b++)
		;
	log_info("cpu: %s family 0x%x model 0x%x stepping %u, %s, %s", vendor, family, model,
		 sig & 0xf, b, apic_is_x2apic() ? "x2APIC" : "xAPIC");
}
