/*
 * The self-test suite (knob `selftest`), in the style of kvm-unit-tests:
 * one line per check, "selftest: PASS <name>" or "selftest: FAIL <name>:
 * <what>", then "selftest: N passed, M failed".  It checks the platform
 * hv promises a partition: CPUID leaves, MSRs, port I/O, the hypercall
 * page and the hypercall ABI's error codes, reference time, the refusal
 * of root-only calls, and last (unless disabled) that a GPA outside the
 * partition's RAM is not reachable.
 */
#include "testos.h"

#include <arch/x86.h>
#include <hv/hypercall.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/hvmgmt.h>
#include <kernel/hypercall.h>
#include <kernel/interrupts.h>
#include <kernel/paging.h>
#include <kernel/probe.h>
#include <kernel/reftime.h>
#include <kernel/synic.h>
#include <kernel/time.h>
#include <lib/format.h>
#include <lib/string.h>

#define MSR_PAT 0x277u
#define MSR_MTRRCAP 0xfeu
#define MSR_MTRR_DEF_TYPE 0x2ffu
#define MSR_TSC 0x10u
#define MSR_VMX_BASIC 0x480u
#define MSR_UNKNOWN 0x12345678u
#define MSR_MISC_ENABLE 0x1a0u
#define MSR_MTRR_PHYS_FIRST 0x200u
#define MTRRCAP_VCNT 0xffu
#define CPUID_1_ECX_XSAVE (1u << 26)
#define CR4_OSXSAVE_BIT (1ull << 18)
#define EFER_LMA (1ull << 10)

#define COM1 0x3f8
#define COM1_IER (COM1 + 1)
#define COM1_LSR (COM1 + 5)
#define COM2 0x2f8
#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc

#define LARGE_2M (2ull << 20)
#define TEST_VECTOR 0x41
#define REFTIME_DELAY_MS 10
#define RFLAGS_IF (1ull << 9)

static unsigned int passed, failed;

static __attribute__((format(printf, 3, 4))) bool check(bool ok, const char *name,
							  const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		kprintf("selftest: PASS %s\n", name);
		passed++;
		return true;
	}
	kprintf("selftest: FAIL %s: ", name);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kputs("\n");
	failed++;
	return false;
}

/* A probe that must raise `vector`. */
static void check_fault(unsigned int result, unsigned int vector, const char *name)
{
	check(result == vector, name, "expected %s, got %s", probe_name(vector),
	      probe_name(result));
}

/* A probe that must complete. */
static bool check_ok(unsigned int result, const char *name)
{
	return check(result == PROBE_OK, name, "raised %s", probe_name(result));
}

static void check_status(uint64_t result, uint16_t want, const char *name)
{
	check(result != HV_CALL_NOT_READY && hv_status(result) == want, name,
	      "status 0x%x (result 0x%lx), expected 0x%x", hv_status(result), result, want);
}

static void test_exceptions(void)
{
	check_fault(probe_ud2(), X86_VEC_UD, "exception fixup (ud2 gives #UD)");
}

static void test_cpuid(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	uint32_t sig[3];

	check(r.ecx & (1u << 31), "cpuid hypervisor bit", "CPUID.1:ECX = 0x%x", r.ecx);
	check(!(r.ecx & CPUID_1_ECX_VMX), "cpuid no vmx", "CPUID.1:ECX = 0x%x", r.ecx);
	r = cpuid(0x80000000u, 0);
	if (r.eax >= 0x80000001u) {
		r = cpuid(0x80000001u, 0);
		check(!(r.ecx & CPUID_80000001_ECX_SVM), "cpuid no svm",
		      "CPUID.80000001:ECX = 0x%x", r.ecx);
	} else {
		check(true, "cpuid no svm", "-");
	}

	r = cpuid(HV_CPUID_VENDOR, 0);
	sig[0] = r.ebx;
	sig[1] = r.ecx;
	sig[2] = r.edx;
	check(memcmp(sig, "Microsoft Hv", 12) == 0, "cpuid 0x40000000 signature",
	      "EBX:ECX:EDX = %08x %08x %08x", r.ebx, r.ecx, r.edx);
	check(r.eax == HV_CPUID_MAX_LEAF, "cpuid 0x40000000 max leaf", "EAX = 0x%x, expected 0x%x",
	      r.eax, HV_CPUID_MAX_LEAF);
	r = cpuid(HV_CPUID_INTERFACE, 0);
	check(r.eax == HV_CPUID_INTERFACE_HV1, "cpuid 0x40000001 Hv#1", "EAX = 0x%x", r.eax);
	r = cpuid(HV_CPUID_FEATURES, 0);
	check((r.eax & (HV_ACCESS_HYPERCALL_MSRS | HV_ACCESS_VP_INDEX | HV_ACCESS_FREQUENCY_MSRS)) ==
		      (HV_ACCESS_HYPERCALL_MSRS | HV_ACCESS_VP_INDEX | HV_ACCESS_FREQUENCY_MSRS),
	      "cpuid 0x40000003 privileges", "EAX = 0x%x, expected bits 5, 6 and 11", r.eax);
	check((r.eax & (HV_ACCESS_PARTITION_REFERENCE_COUNTER | HV_ACCESS_PARTITION_REFERENCE_TSC)) ==
		      (HV_ACCESS_PARTITION_REFERENCE_COUNTER | HV_ACCESS_PARTITION_REFERENCE_TSC),
	      "cpuid 0x40000003 reference time privileges", "EAX = 0x%x, expected bits 1 and 9",
	      r.eax);
	r = cpuid(HV_CPUID_LIMITS, 0);
	check(r.eax == 64, "cpuid 0x40000005 max VPs", "EAX = %u, expected 64", r.eax);
}

/* Before the page is enabled, both hypercall instructions are #UD. */
static void test_hypercall_instructions(void)
{
	uint64_t rax = 0;

	check_fault(probe_vmcall_raw(HVCALL_SELF_INFO, 0, 0, &rax), X86_VEC_UD,
		    "vmcall before the hypercall page is enabled");
	check_fault(probe_vmmcall_raw(HVCALL_SELF_INFO, 0, 0, &rax), X86_VEC_UD,
		    "vmmcall before the hypercall page is enabled");
}

static void test_hypercall_page(const struct start_info *si)
{
	const volatile uint8_t *page = hv_hypercall_page();
	uint64_t want = hv_gpa(page) | HV_HYPERCALL_ENABLE, id = ~0ull, value = ~0ull;
	enum cpu_vendor vendor = cpu_vendor();
	uint8_t third = vendor == CPU_VENDOR_AMD ? 0xd9 : 0xc1;
	unsigned int v;

	(void)si;
	v = probe_rdmsr(HV_X64_MSR_GUEST_OS_ID, &id);
	if (check_ok(v, "guest OS id read"))
		check(id == 0, "guest OS id starts at zero", "reads 0x%lx", id);

	v = probe_wrmsr(HV_X64_MSR_HYPERCALL, want);
	if (check_ok(v, "hypercall MSR write without guest OS id")) {
		v = probe_rdmsr(HV_X64_MSR_HYPERCALL, &value);
		if (check_ok(v, "hypercall MSR read"))
			check(!(value & HV_HYPERCALL_ENABLE),
			      "hypercall page stays disabled without guest OS id", "reads 0x%lx",
			      value);
	}

	v = probe_wrmsr(HV_X64_MSR_GUEST_OS_ID, KERNEL_GUEST_OS_ID);
	if (check_ok(v, "guest OS id write")) {
		v = probe_rdmsr(HV_X64_MSR_GUEST_OS_ID, &id);
		check(v == PROBE_OK && id == KERNEL_GUEST_OS_ID, "guest OS id reads back",
		      "%s, 0x%lx", probe_name(v), id);
	}

	if (!check(hv_hypercall_enable(), "hypercall page enable", "see the line above"))
		return;
	check(page[0] == 0x0f && page[1] == 0x01 && page[2] == third && page[3] == 0xc3,
	      "hypercall page contents", "%02x %02x %02x %02x, expected 0f 01 %02x c3 (%s)",
	      page[0], page[1], page[2], page[3], third, cpu_vendor_name(vendor));
}

static void test_synthetic_msrs(void)
{
	uint64_t value = ~0ull;
	unsigned int v;

	v = probe_rdmsr(HV_X64_MSR_VP_INDEX, &value);
	if (check_ok(v, "VP_INDEX read"))
		check(value == 0, "VP_INDEX is 0 on the first VP", "reads %lu", value);
	check_fault(probe_wrmsr(HV_X64_MSR_VP_INDEX, 1), X86_VEC_GP, "VP_INDEX write gives #GP");

	value = 0;
	v = probe_rdmsr(HV_X64_MSR_TSC_FREQUENCY, &value);
	if (check_ok(v, "TSC frequency MSR read"))
		check(value != 0, "TSC frequency non-zero", "reads 0");
}

static void test_host_msrs(void)
{
	static const struct {
		uint32_t msr;
		const char *name;
	} allowed[] = {
		{ MSR_PAT, "PAT read" },
		{ MSR_APIC_BASE, "APIC_BASE read" },
		{ MSR_MTRRCAP, "MTRRCAP read" },
		{ MSR_MTRR_DEF_TYPE, "MTRR_DEF_TYPE read" },
		{ MSR_TSC, "TSC MSR read" },
	};
	uint64_t value = 0;
	unsigned int v;

	v = probe_rdmsr(MSR_EFER, &value);
	if (check_ok(v, "EFER read"))
		check((value & (EFER_LMA | EFER_LME)) == (EFER_LMA | EFER_LME), "EFER has LME and LMA",
		      "EFER = 0x%lx", value);
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		check_ok(probe_rdmsr(allowed[i].msr, &value), allowed[i].name);

	check_fault(probe_rdmsr(MSR_VMX_BASIC, &value), X86_VEC_GP, "IA32_VMX_BASIC read gives #GP");
	check_fault(probe_rdmsr(MSR_UNKNOWN, &value), X86_VEC_GP, "unknown MSR read gives #GP");
	check_fault(probe_wrmsr(MSR_UNKNOWN, 0), X86_VEC_GP, "unknown MSR write gives #GP");
}

/*
 * Host MSRs this CPU lacks must give #GP, not reach hv's RDMSR (which
 * would fault in host mode on hardware): the MTRR pair past
 * MTRRCAP.VCNT, and MISC_ENABLE off Intel.
 */
static void test_missing_host_msrs(void)
{
	uint64_t cap = 0, value;

	if (probe_rdmsr(MSR_MTRRCAP, &cap) == PROBE_OK && (cap & MTRRCAP_VCNT) < 16)
		check_fault(probe_rdmsr(MSR_MTRR_PHYS_FIRST + 2 * (uint32_t)(cap & MTRRCAP_VCNT),
					&value),
			    X86_VEC_GP, "MTRR pair past MTRRCAP.VCNT gives #GP");
	if (cpu_vendor() != CPU_VENDOR_INTEL)
		check_fault(probe_rdmsr(MSR_MISC_ENABLE, &value), X86_VEC_GP,
			    "MISC_ENABLE read off Intel gives #GP");
}

/*
 * XCR0 values that break the SDM's rules (AVX-512, MPX and AMX components
 * all or none, AVX with SSE, x87 always) give #GP; hv used to pass some
 * to its own XSETBV, which faulted in host mode.  XCR0 is restored after.
 */
static void test_xsetbv(void)
{
	static const uint64_t bad[] = { 0x0, 0x2, 0x5, 0x27, 0x67, 0xe3, 0x0b, 0x20007, 0x40007 };
	uint64_t cr4 = read_cr4();
	uint32_t lo, hi;
	unsigned int refused = 0;

	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE))
		return;
	write_cr4(cr4 | CR4_OSXSAVE_BIT);
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned int v = probe_xsetbv(0, bad[i]);

		if (v == X86_VEC_GP)
			refused++;
		else
			check(false, "bad XCR0 gives #GP", "XCR0 0x%lx: %s", bad[i], probe_name(v));
	}
	check(refused == sizeof(bad) / sizeof(bad[0]), "bad XCR0 values give #GP", "%u refused",
	      refused);
	check_ok(probe_xsetbv(0, (uint64_t)hi << 32 | lo), "XCR0 restored");
	write_cr4(cr4);
}

static void test_ports(void)
{
	uint8_t b = 0;
	uint16_t w = 0;
	uint32_t l = 0;
	unsigned int v;

	v = probe_inb(COM2, &b);
	check(v == PROBE_OK && b == 0xff, "inb unassigned port (COM2) reads 0xff", "%s, 0x%x",
	      probe_name(v), b);
	v = probe_inw(COM2, &w);
	check(v == PROBE_OK && w == 0xffff, "inw unassigned port reads 0xffff", "%s, 0x%x",
	      probe_name(v), w);
	v = probe_outl(PCI_CONFIG_ADDRESS, 0x80000000u);
	if (check_ok(v, "outl PCI config address")) {
		v = probe_inl(PCI_CONFIG_DATA, &l);
		check(v == PROBE_OK && l == 0xffffffffu, "inl PCI config data reads all ones",
		      "%s, 0x%x", probe_name(v), l);
	}
	v = probe_inb(COM1_LSR, &b);
	check(v == PROBE_OK && b == 0x60, "COM1 LSR reads 0x60", "%s, 0x%x", probe_name(v), b);
	v = probe_inb(COM1_IER, &b);
	check(v == PROBE_OK && b == 0, "COM1 IER reads 0", "%s, 0x%x", probe_name(v), b);
}

static void test_hypercalls(const struct start_info *si)
{
	struct hv_console_write *in = hv_input_page();
	static const char text[] = "selftest: console write through HVCALL_CONSOLE_WRITE\n";
	uint64_t out = hv_gpa(hv_output_page()), ram = si->memory_size, r;
	struct hv_self_info info;
	static const uint64_t reserved[] = { 1ull << 17, 1ull << 31, 1ull << 44, 1ull << 63 };

	if (!hv_hypercall_ready()) {
		check(false, "hypercalls", "the hypercall page is not enabled");
		return;
	}
	memset(&info, 0, sizeof(info));
	r = hv_self_info(&info);
	check_status(r, HV_STATUS_SUCCESS, "hypercall self-info");
	if (hv_status(r) == HV_STATUS_SUCCESS) {
		check(strncmp(info.name, si->name, sizeof(info.name)) == 0 &&
			      info.memory_size == si->memory_size &&
			      info.partition_id == si->partition_id && info.vp_index == 0 &&
			      info.vp_count == si->vp_count && info.flags == si->flags,
		      "self-info matches start_info",
		      "name '%.32s' memory 0x%lx id %u vp %u/%u flags 0x%x", info.name,
		      info.memory_size, info.partition_id, info.vp_index, info.vp_count,
		      info.flags);
	}

	check_status(hv_console_write(text, sizeof(text) - 1), HV_STATUS_SUCCESS,
		     "hypercall console write");
	in->length = HV_CONSOLE_WRITE_MAX + 1;
	check_status(hv_call(HVCALL_CONSOLE_WRITE, hv_gpa(in), 0), HV_STATUS_INVALID_PARAMETER,
		     "console write of 1025 bytes is refused");
	check_status(hv_call(0x7777, 0, 0), HV_STATUS_INVALID_HYPERCALL_CODE,
		     "unknown call code 0x7777");

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		r = hv_call(HVCALL_SELF_INFO | reserved[i], 0, out);
		if (r == HV_CALL_NOT_READY || hv_status(r) != HV_STATUS_INVALID_HYPERCALL_INPUT) {
			check(false, "reserved input bits are refused", "bit 0x%lx: status 0x%x",
			      reserved[i], hv_status(r));
			break;
		}
		if (i + 1 == sizeof(reserved) / sizeof(reserved[0]))
			check(true, "reserved input bits are refused", "-");
	}
	check_status(hv_call(HVCALL_SELF_INFO | (1ull << HV_HYPERCALL_REP_COUNT_SHIFT), 0, out),
		     HV_STATUS_INVALID_HYPERCALL_INPUT, "rep count on self-info is refused");
	check_status(hv_call(HVCALL_SELF_INFO | HV_HYPERCALL_FAST, 0, out),
		     HV_STATUS_INVALID_HYPERCALL_INPUT, "fast flag on self-info is refused");

	in->length = 4;
	memcpy(in->text, "bad\n", 4);
	check_status(hv_call(HVCALL_CONSOLE_WRITE, hv_gpa(in) + 4, 0), HV_STATUS_INVALID_ALIGNMENT,
		     "misaligned input GPA");
	check_status(hv_call(HVCALL_SELF_INFO, 0, out + 4), HV_STATUS_INVALID_ALIGNMENT,
		     "misaligned output GPA");
	check_status(hv_call(HVCALL_CONSOLE_WRITE, ram, 0), HV_STATUS_INVALID_PARAMETER,
		     "input GPA beyond RAM");
	check_status(hv_call(HVCALL_SELF_INFO, 0, ram), HV_STATUS_INVALID_PARAMETER,
		     "output GPA beyond RAM");
	check_status(hv_call(HVCALL_SELF_INFO, 0, ram - 8), HV_STATUS_INVALID_PARAMETER,
		     "output straddling the end of RAM");
}

static volatile unsigned int injected;
static volatile uint64_t injected_vector, injected_rflags;

static void on_test_vector(struct trap_frame *f)
{
	injected++;
	injected_vector = f->vector;
	injected_rflags = f->rflags;
}

/* HVCALL_TEST_INJECT: held while IF = 0, delivered once the kernel sets IF. */
static void test_injection(void)
{
	uint64_t r, start;

	if (!hv_hypercall_ready())
		return;
	check_status(hv_call(HVCALL_TEST_INJECT | HV_HYPERCALL_FAST, 31, 0),
		     HV_STATUS_INVALID_PARAMETER, "inject of vector 31 is refused");
	check_status(hv_call(HVCALL_TEST_INJECT | HV_HYPERCALL_FAST, 256, 0),
		     HV_STATUS_INVALID_PARAMETER, "inject of vector 256 is refused");
	check_status(hv_call(HVCALL_TEST_INJECT, TEST_VECTOR, 0), HV_STATUS_INVALID_HYPERCALL_INPUT,
		     "inject without the fast flag is refused");

	injected = 0;
	interrupt_set_handler(TEST_VECTOR, on_test_vector);
	r = hv_call(HVCALL_TEST_INJECT | HV_HYPERCALL_FAST, TEST_VECTOR, 0);
	check_status(r, HV_STATUS_SUCCESS, "inject hypercall");
	if (hv_status(r) == HV_STATUS_SUCCESS) {
		delay_ms(1);
		check(injected == 0, "injected interrupt waits while IF is clear",
		      "delivered %u time(s) with interrupts off", injected);
		interrupts_enable();
		start = tsc_read();
		while (injected == 0 && tsc_read() - start < tsc_hz() / 10)
			cpu_relax();
		interrupts_disable();
		check(injected == 1 && injected_vector == TEST_VECTOR && (injected_rflags & RFLAGS_IF),
		      "injected interrupt delivered after sti",
		      "count %u, vector 0x%lx, rflags 0x%lx (expected 1, 0x%x, IF set)", injected,
		      injected_vector, injected_rflags, TEST_VECTOR);
	}
	interrupt_set_handler(TEST_VECTOR, NULL);
}

/* TSC ticks in 100 ns units, at the rate hv reports. */
static uint64_t ticks_to_reftime(uint64_t ticks)
{
	return ticks * REFTIME_PER_MS / (tsc_hz() / 1000);
}

/*
 * TIME_REF_COUNT counts 100 ns units: about 100000 across 10 ms of TSC
 * delay.  Each MSR read is an exit, and an emulator on a loaded host may
 * lose milliseconds inside one, so the TSC brackets each read and the
 * expected range is 50% of the inner interval to 300% of the outer one.
 */
static void test_reference_counter(void)
{
	uint64_t before = 0, after = 0, delta, lo, hi, t0, t1, t2, t3;
	unsigned int v;

	t0 = tsc_read();
	v = reftime_read_msr(&before);
	t1 = tsc_read();
	if (!check_ok(v, "TIME_REF_COUNT read") ||
	    !check(before != 0, "TIME_REF_COUNT non-zero", "reads 0"))
		return;
	delay_ms(REFTIME_DELAY_MS);
	t2 = tsc_read();
	v = reftime_read_msr(&after);
	t3 = tsc_read();
	delta = after - before;
	lo = ticks_to_reftime(t2 - t1) / 2;
	hi = ticks_to_reftime(t3 - t0) * 3;
	check(v == PROBE_OK && after > before && delta >= lo && delta <= hi,
	      "TIME_REF_COUNT advances about 100000 in 10 ms",
	      "%s, 0x%lx -> 0x%lx (+%lu, expected %lu-%lu)", probe_name(v), before, after, delta,
	      lo, hi);
}

/*
 * The reference TSC page agrees with the MSR: the MSR's value lies
 * between two page readings taken around it, give or take 1 ms.
 */
static void test_reference_tsc_page(void)
{
	const struct hv_reference_tsc_page *page = reftime_page();
	uint64_t value = 0, first = 0, msr = 0, last = 0;
	unsigned int v = reftime_page_enable();

	if (!check_ok(v, "REFERENCE_TSC enable"))
		return;
	v = probe_rdmsr(HV_X64_MSR_REFERENCE_TSC, &value);
	check(v == PROBE_OK && value == (hv_gpa(page) | 1), "REFERENCE_TSC reads back",
	      "%s, 0x%lx (wrote 0x%lx)", probe_name(v), value, hv_gpa(page) | 1);
	if (!check(page->tsc_sequence != 0, "reference TSC page sequence non-zero",
		   "sequence 0 (scale 0x%lx, offset 0x%lx)", page->tsc_scale, page->tsc_offset))
		return;
	if (!reftime_read_page(&first) || reftime_read_msr(&msr) != PROBE_OK ||
	    !reftime_read_page(&last)) {
		check(false, "reference TSC page matches TIME_REF_COUNT", "a read failed");
		return;
	}
	check(msr + REFTIME_PER_MS >= first && msr <= last + REFTIME_PER_MS,
	      "reference TSC page matches TIME_REF_COUNT",
	      "MSR 0x%lx outside page readings 0x%lx..0x%lx (scale 0x%lx, offset 0x%lx)", msr,
	      first, last, page->tsc_scale, page->tsc_offset);
}

/* A guest calling the root-only management calls gets ACCESS_DENIED. */
static void test_management_denied(void)
{
	static const char *const names[] = { "list", "status", "start", "stop",
					     "reset", "event ring", "hv info", "mgmt config" };
	char name[64];

	if (!hv_hypercall_ready())
		return;
	for (uint16_t code = HVCALL_PARTITION_LIST; code <= HVCALL_MGMT_CONFIG; code++) {
		fmt_snprintf(name, sizeof(name), "management call 0x%x (%s) denied to a guest", code,
			     names[code - HVCALL_PARTITION_LIST]);
		check_status(mgmt_call(code), HV_STATUS_ACCESS_DENIED, name);
	}
	check_status(mgmt_file_call(), HV_STATUS_ACCESS_DENIED,
		     "management call 0x8019 (TLS files) denied to a guest");
}

/* The media calls: a guest reads its own drive and may not insert anything. */
static void test_media(const struct start_info *si)
{
	uint64_t out = hv_gpa(hv_output_page());
	uint32_t media = ~0u;

	if (!hv_hypercall_ready())
		return;
	check_status(hv_media_query(&media), HV_STATUS_SUCCESS, "media query");
	check(media == HV_MEDIA_NONE || media == HV_MEDIA_ADDITIONS, "media query names a medium",
	      "media %u", media);
	check_status(hv_call(HVCALL_MEDIA_QUERY | HV_HYPERCALL_FAST, 0, out),
		     HV_STATUS_INVALID_HYPERCALL_INPUT, "fast flag on media query is refused");
	check_status(hv_call(HVCALL_MEDIA_QUERY, 0, out + 4), HV_STATUS_INVALID_ALIGNMENT,
		     "media query to a misaligned output GPA");
	check_status(hv_call(HVCALL_MEDIA_QUERY, 0, si->memory_size), HV_STATUS_INVALID_PARAMETER,
		     "media query output beyond RAM");
	check_status(hv_media_attach(si->partition_id, HV_MEDIA_ADDITIONS), HV_STATUS_ACCESS_DENIED,
		     "media attach denied to a guest, even for its own drive");
}

/* Maps the first 2 MiB page at or above the end of RAM and reads it. */
static void test_isolation(const struct start_info *si)
{
	uint64_t gpa = (si->memory_size + LARGE_2M - 1) & ~(LARGE_2M - 1), value;
	volatile uint64_t *p;

	kprintf("selftest: touching GPA 0x%lx outside RAM (hv must fault this partition)\n", gpa);
	p = paging_map_identity_2m(gpa);
	if (p == NULL) {
		kputs("selftest: FAIL stage-2 isolation: could not map the page\n");
		return;
	}
	value = *p;
	kprintf("selftest: FAIL stage-2 isolation: read returned 0x%lx\n", value);
}

/* SynIC registers and the bus calls without a route (docs/hypercalls.md). */
static void test_synic(void)
{
	uint64_t value = 0;
	unsigned int v = probe_rdmsr(HV_X64_MSR_SVERSION, &value);

	check(v == PROBE_OK && value == HV_SYNIC_VERSION, "SynIC SVERSION reads 1", "%s, %lu",
	      probe_name(v), value);
	check_fault(probe_wrmsr(HV_X64_MSR_SINT0 + 5, 8), X86_VEC_GP, "SynIC SINT vector below 16");
	if (!check(synic_enable(), "SynIC enable", "see the line above"))
		return;
	check(synic_post_message(0xfffffeu, 1, "x", 1) == HV_STATUS_INVALID_CONNECTION_ID,
	      "HvPostMessage without a connection refused", "wrong status");
	check(synic_signal_event(0xfffffeu, 0) == HV_STATUS_INVALID_CONNECTION_ID,
	      "HvSignalEvent without a connection refused", "wrong status");
}

void selftest_run(const struct start_info *si, bool isolation)
{
	passed = failed = 0;
	kprintf("selftest: starting (%s CPU)\n", cpu_vendor_name(cpu_vendor()));
	/* Earlier knobs (bench) may have enabled the page: start from scratch. */
	if (hv_hypercall_ready())
		hv_hypercall_disable();
	test_exceptions();
	test_cpuid();
	test_hypercall_instructions();
	test_hypercall_page(si);
	test_synthetic_msrs();
	test_host_msrs();
	test_missing_host_msrs();
	test_xsetbv();
	test_ports();
	test_hypercalls(si);
	test_synic();
	test_injection();
	test_reference_counter();
	test_reference_tsc_page();
	test_management_denied();
	test_media(si);
	kprintf("selftest: %u passed, %u failed\n", passed, failed);
	if (isolation)
		test_isolation(si);
}
