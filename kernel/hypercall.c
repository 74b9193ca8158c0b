/*
 * Hypercall page set-up and calls.  The page and the input/output pages
 * live in the kernel's .bss; MSR accesses go through probes, so an hv
 * that refuses them yields a console line instead of a panic.
 */
#include <kernel/hypercall.h>

#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/probe.h>
#include <lib/string.h>

#include <arch/x86.h>

#define PAGE_SIZE 4096

static uint8_t hypercall_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t input_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t output_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static bool ready;

bool hv_hypercall_ready(void)
{
	return ready;
}

const volatile uint8_t *hv_hypercall_page(void)
{
	return hypercall_page;
}

void *hv_input_page(void)
{
	return input_page;
}

void *hv_output_page(void)
{
	return output_page;
}

bool hv_hypercall_enable(void)
{
	const char *k = console_name();
	uint64_t id = 0, value = 0, want = hv_gpa(hypercall_page) | HV_HYPERCALL_ENABLE;
	unsigned int v;

	if (!cpu_hyperv_interface() ||
	    !(cpuid(HV_CPUID_FEATURES, 0).eax & HV_ACCESS_HYPERCALL_MSRS)) {
		kprintf("%s: no Hyper-V hypercall interface in CPUID\n", k);
		return false;
	}
	v = probe_rdmsr(HV_X64_MSR_GUEST_OS_ID, &id);
	if (v == PROBE_OK && id == 0)
		v = probe_wrmsr(HV_X64_MSR_GUEST_OS_ID, KERNEL_GUEST_OS_ID);
	if (v != PROBE_OK) {
		kprintf("%s: GUEST_OS_ID access raised %s\n", k, probe_name(v));
		return false;
	}
	v = probe_wrmsr(HV_X64_MSR_HYPERCALL, want);
	if (v == PROBE_OK)
		v = probe_rdmsr(HV_X64_MSR_HYPERCALL, &value);
	if (v != PROBE_OK) {
		kprintf("%s: HYPERCALL MSR access raised %s\n", k, probe_name(v));
		return false;
	}
	if ((value & (HV_HYPERCALL_GPA_MASK | HV_HYPERCALL_ENABLE)) != want) {
		kprintf("%s: HYPERCALL MSR reads 0x%lx after writing 0x%lx\n", k, value, want);
		return false;
	}
	ready = true;
	return true;
}

bool hv_hypercall_disable(void)
{
	unsigned int v;

	ready = false;
	v = probe_wrmsr(HV_X64_MSR_HYPERCALL, 0);
	if (v == PROBE_OK)
		v = probe_wrmsr(HV_X64_MSR_GUEST_OS_ID, 0);
	if (v != PROBE_OK)
		kprintf("%s: disabling the hypercall page raised %s\n", console_name(), probe_name(v));
	return v == PROBE_OK;
}

uint64_t hv_call(uint64_t control, uint64_t in_gpa, uint64_t out_gpa)
{
	register uint64_t r8 __asm__("r8") = out_gpa;
	uint64_t result;

	if (!ready)
		return HV_CALL_NOT_READY;
	__asm__ volatile("call *%[page]"
			 : "=a"(result), "+c"(control), "+d"(in_gpa), "+r"(r8)
			 : [page] "r"(hypercall_page)
			 : "memory", "cc", "r9", "r10", "r11");
	return result;
}

uint64_t hv_console_write(const char *text, size_t length)
{
	struct hv_console_write *in = hv_input_page();

	if (length > HV_CONSOLE_WRITE_MAX)
		length = HV_CONSOLE_WRITE_MAX;
	in->length = (uint32_t)length;
	in->reserved = 0;
	memcpy(in->text, text, length);
	return hv_call(HVCALL_CONSOLE_WRITE, hv_gpa(in), 0);
}

uint64_t hv_self_info(struct hv_self_info *info)
{
	uint64_t result = hv_call(HVCALL_SELF_INFO, 0, hv_gpa(output_page));

	if (hv_status(result) == HV_STATUS_SUCCESS && result != HV_CALL_NOT_READY)
		memcpy(info, output_page, sizeof(*info));
	return result;
}
