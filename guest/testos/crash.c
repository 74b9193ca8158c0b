/*
 * Crash knobs (crash=<kind>): misbehaviour hv must contain by stopping
 * this partition only.  Each prints "testos: crashing: <kind>" first; if
 * the partition survives, a FAIL line says what hv did instead.
 *   triple    empty IDT, then #UD: #UD -> #GP -> #DF -> triple fault
 *   unmapped  read a GPA beyond the partition's RAM
 *   vmx       VMXON (Intel) or VMRUN (AMD)
 *   msr       write IA32_FEATURE_CONTROL, then VM_HSAVE_PA
 *   stringio  OUTSB
 *   invd      INVD (the caches are shared: it would drop others' writes)
 *   exception an unexpected #UD in testos itself: its own panic report
 *             (hv sees a halted CPU, not a fault)
 */
#include "testos.h"

#include <arch/x86.h>
#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/paging.h>
#include <kernel/probe.h>

#define MSR_VM_HSAVE_PA 0xc0010117u
#define LARGE_2M (2ull << 20)
#define STRING_IO_PORT 0x80

static uint8_t scratch_page[4096] __attribute__((aligned(4096)));
static const struct start_info *start_info;

static void survived(const char *kind, unsigned int result)
{
	kprintf("testos: FAIL crash %s returned (%s)\n", kind, probe_name(result));
}

static void crash_triple(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} empty = { 0, 0 };

	__asm__ volatile("lidt %0\n\tud2" : : "m"(empty) : "memory");
}

static void crash_exception(void)
{
	__asm__ volatile("ud2");
}

static void crash_unmapped(void)
{
	uint64_t gpa = (start_info->memory_size + LARGE_2M - 1) & ~(LARGE_2M - 1), value = 0;
	volatile void *p = paging_map_identity_2m(gpa);
	unsigned int v;

	if (p == NULL) {
		kputs("testos: FAIL crash unmapped: could not map the page\n");
		return;
	}
	kprintf("testos: reading GPA 0x%lx\n", gpa);
	v = probe_read64(p, &value);
	kprintf("testos: FAIL crash unmapped returned (%s, 0x%lx)\n", probe_name(v), value);
}

static void crash_vmx(void)
{
	enum cpu_vendor vendor = cpu_vendor();
	uint64_t region = (uint64_t)scratch_page;

	if (vendor == CPU_VENDOR_INTEL)
		survived("vmx (VMXON)", probe_vmxon(&region));
	else if (vendor == CPU_VENDOR_AMD)
		survived("vmx (VMRUN)", probe_vmrun(region));
	else
		kputs("testos: FAIL crash vmx: unknown CPU vendor\n");
}

static void crash_msr(void)
{
	survived("msr (IA32_FEATURE_CONTROL)", probe_wrmsr(MSR_FEATURE_CONTROL, 0x5));
	survived("msr (VM_HSAVE_PA)", probe_wrmsr(MSR_VM_HSAVE_PA, (uint64_t)scratch_page));
}

static void crash_invd(void)
{
	__asm__ volatile("invd" ::: "memory");
	kputs("testos: FAIL crash invd returned\n");
}

static void crash_stringio(void)
{
	scratch_page[0] = 0x42;
	survived("stringio", probe_outsb(STRING_IO_PORT, scratch_page));
}

void crash_run(const struct start_info *si, const char *kind, size_t kind_len)
{
	static const struct {
		const char *name;
		void (*run)(void);
	} kinds[] = {
		{ "triple", crash_triple },     { "unmapped", crash_unmapped },
		{ "vmx", crash_vmx },           { "msr", crash_msr },
		{ "stringio", crash_stringio }, { "exception", crash_exception },
		{ "invd", crash_invd },
	};

	start_info = si;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (cmdline_eq(kind, kind_len, kinds[i].name)) {
			kprintf("testos: crashing: %s\n", kinds[i].name);
			kinds[i].run();
			return;
		}
	}
	kprintf("testos: unknown crash kind '%.*s' (triple, unmapped, vmx, msr, stringio, exception, invd)\n",
		(int)kind_len, kind);
}
