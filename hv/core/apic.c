/*
 * Local APIC access for start-up IPIs.  In xAPIC mode the ICR is two
 * 32-bit MMIO registers (destination in the high one, written first,
 * because writing the low one sends); in x2APIC mode it is one MSR.
 */
#include <core/apic.h>

#include <core/timer.h>

#include <arch/x86.h>

#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_ADDR_MASK 0xffffff000ull
#define XAPIC_ICR_LOW 0x300
#define XAPIC_ICR_HIGH 0x310
#define X2APIC_MSR_ICR 0x830u
#define ICR_DELIVERY_INIT (5u << 8)
#define ICR_DELIVERY_STARTUP (6u << 8)
#define ICR_DELIVERY_NMI (4u << 8)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_SEND_PENDING (1u << 12)
#define ICR_WAIT_US 10000u

static volatile uint32_t *xapic_base;
static bool x2apic;

void apic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	x2apic = (base & APIC_BASE_EXTD) != 0;
	xapic_base = (volatile uint32_t *)(base & APIC_BASE_ADDR_MASK);
}

bool apic_is_x2apic(void)
{
	return x2apic;
}

uint32_t apic_id_self(void)
{
	if (x2apic)
		return cpuid(0xb, 0).edx;
	return cpuid(1, 0).ebx >> 24;
}

static bool apic_send_ipi(uint32_t apic_id, uint32_t command)
{
	if (x2apic) {
		wrmsr(X2APIC_MSR_ICR, (uint64_t)apic_id << 32 | command);
		return true; /* x2APIC ICR writes complete synchronously */
	}
	xapic_base[XAPIC_ICR_HIGH / 4] = apic_id << 24;
	xapic_base[XAPIC_ICR_LOW / 4] = command;
	return timer_wait_until_clear(&xapic_base[XAPIC_ICR_LOW / 4], ICR_SEND_PENDING,
				      ICR_WAIT_US);
}

bool apic_send_init(uint32_t apic_id)
{
	return apic_send_ipi(apic_id, ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT);
}

bool apic_send_startup(uint32_t apic_id, uint8_t vector)
{
	return apic_send_ipi(apic_id, ICR_DELIVERY_STARTUP | ICR_LEVEL_ASSERT | vector);
}

bool apic_send_nmi(uint32_t apic_id)
{
	uint32_t saved_high;
	bool sent;

	if (x2apic)
		return apic_send_ipi(apic_id, ICR_DELIVERY_NMI | ICR_LEVEL_ASSERT);
	saved_high = xapic_base[XAPIC_ICR_HIGH / 4];
	sent = apic_send_ipi(apic_id, ICR_DELIVERY_NMI | ICR_LEVEL_ASSERT);
	xapic_base[XAPIC_ICR_HIGH / 4] = saved_high;
	return sent;
}
