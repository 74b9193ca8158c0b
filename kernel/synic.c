/*
 * SynIC of the current vCPU: pages, SINT routing, post and signal.  The
 * pages are static (the kernel's GPA equals its address); HvPostMessage
 * uses its own input page so it never races the console's.
 */
#include <kernel/synic.h>

#include <arch/x86.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/hypercall.h>
#include <kernel/probe.h>
#include <lib/string.h>

#define SYNIC_PAGE 4096u

static uint8_t simp_page[SYNIC_PAGE] __attribute__((aligned(SYNIC_PAGE)));
static uint8_t siefp_page[SYNIC_PAGE] __attribute__((aligned(SYNIC_PAGE)));
static struct hv_post_message post_page __attribute__((aligned(SYNIC_PAGE)));
static bool enabled;

bool synic_enable(void)
{
	if (enabled)
		return true;
	if (!cpu_hyperv_interface() || !(cpuid(HV_CPUID_FEATURES, 0).eax & HV_ACCESS_SYNIC_REGS)) {
		kprintf("%s: SynIC not offered\n", console_name());
		return false;
	}
	memset(simp_page, 0, sizeof(simp_page));
	memset(siefp_page, 0, sizeof(siefp_page));
	if (probe_wrmsr(HV_X64_MSR_SIMP, hv_gpa(simp_page) | HV_SYNIC_ENABLE) != PROBE_OK ||
	    probe_wrmsr(HV_X64_MSR_SIEFP, hv_gpa(siefp_page) | HV_SYNIC_ENABLE) != PROBE_OK ||
	    probe_wrmsr(HV_X64_MSR_SCONTROL, HV_SYNIC_ENABLE) != PROBE_OK) {
		kprintf("%s: SynIC MSRs refused\n", console_name());
		return false;
	}
	enabled = true;
	return true;
}

bool synic_sint_route(uint8_t sint, uint8_t vector)
{
	if (sint >= HV_SYNIC_SINT_COUNT || vector < 32)
		return false;
	return probe_wrmsr(HV_X64_MSR_SINT0 + sint, (uint64_t)vector | HV_SYNIC_SINT_AUTO_EOI) == PROBE_OK;
}

volatile struct hv_message *synic_message_slot(uint8_t sint)
{
	return (volatile struct hv_message *)(simp_page + (sint % HV_SYNIC_SINT_COUNT) * 256u);
}

volatile uint64_t *synic_event_flags(uint8_t sint)
{
	return (volatile uint64_t *)(siefp_page + (sint % HV_SYNIC_SINT_COUNT) * 256u);
}

bool synic_event_test_and_clear(uint8_t sint, uint32_t n)
{
	volatile uint64_t *w = synic_event_flags(sint) + (n / 64u) % 32u;
	uint64_t bit = 1ull << (n % 64u);

	if (!(*w & bit))
		return false;
	return (__atomic_fetch_and(w, ~bit, __ATOMIC_SEQ_CST) & bit) != 0;
}

void synic_message_done(uint8_t sint)
{
	volatile struct hv_message *m = synic_message_slot(sint);

	__atomic_store_n(&m->message_type, HV_MESSAGE_NONE, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&m->message_flags, __ATOMIC_SEQ_CST) & HV_MESSAGE_FLAG_PENDING)
		wrmsr(HV_X64_MSR_EOM, 0);
}

uint16_t synic_post_message(uint32_t connection_id, uint32_t message_type, const void *payload,
			    uint32_t payload_size)
{
	if (payload_size > HV_MESSAGE_PAYLOAD_SIZE)
		return HV_STATUS_INVALID_PARAMETER;
	post_page.connection_id = connection_id;
	post_page.reserved = 0;
	post_page.message_type = message_type;
	post_page.payload_size = payload_size;
	memcpy(post_page.payload, payload, payload_size);
	return hv_status(hv_call(HVCALL_POST_MESSAGE, hv_gpa(&post_page), 0));
}

uint16_t synic_signal_event(uint32_t connection_id, uint16_t flag)
{
	uint64_t arg = (connection_id & 0xffffffu) | ((uint64_t)flag << 32);

	return hv_status(hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST, arg, 0));
}
