/*
 * hv's use of the physical local APIC: start-up IPIs and NMI kicks, the
 * wake-up IPI and the one-shot timer that give hv an exit when a
 * partition's virtual timer is due.  In xAPIC mode the registers are
 * 32-bit MMIO (the ICR's destination in the high register, written
 * first, because writing the low one sends); in x2APIC mode each
 * register is the MSR 0x800 + offset / 16 and the ICR one 64-bit MSR.
 */
#include <core/apic.h>

#include <core/timer.h>

#include <arch/x86.h>

#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_ADDR_MASK 0xffffff000ull
#define XAPIC_ICR_LOW 0x300
#define XAPIC_ICR_HIGH 0x310
#define X2APIC_MSR_ICR 0x830u
#define APIC_REG_EOI 0x0b0u
#define APIC_REG_SVR 0x0f0u
#define APIC_REG_LVT_TIMER 0x320u
#define APIC_REG_TIMER_INITIAL 0x380u
#define APIC_REG_TIMER_CURRENT 0x390u
#define APIC_REG_TIMER_DIVIDE 0x3e0u
#define APIC_SVR_ENABLE (1u << 8)
#define APIC_LVT_MASKED (1u << 16)
#define APIC_DIVIDE_BY_1 0xbu
#define ICR_DELIVERY_FIXED 0u
#define TIMER_CALIBRATE_US 2000u
#define ICR_DELIVERY_INIT (5u << 8)
#define ICR_DELIVERY_STARTUP (6u << 8)
#define ICR_DELIVERY_NMI (4u << 8)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_SEND_PENDING (1u << 12)
#define ICR_WAIT_US 10000u

static volatile uint32_t *xapic_base;
static bool x2apic;
/* APIC timer ticks per TSC tick, as a 32.32 fixed-point number. */
static uint64_t timer_per_tsc_q32;

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

/*
 * Sends an IPI from an exit handler or a kick: restores the xAPIC's
 * destination register, which the interrupted context may have written.
 */
static bool apic_send_ipi_preserving(uint32_t apic_id, uint32_t command)
{
	uint32_t saved_high;
	bool sent;

	if (x2apic)
		return apic_send_ipi(apic_id, command);
	saved_high = xapic_base[XAPIC_ICR_HIGH / 4];
	sent = apic_send_ipi(apic_id, command);
	xapic_base[XAPIC_ICR_HIGH / 4] = saved_high;
	return sent;
}

bool apic_send_nmi(uint32_t apic_id)
{
	return apic_send_ipi_preserving(apic_id, ICR_DELIVERY_NMI | ICR_LEVEL_ASSERT);
}

static uint32_t apic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(0x800u + reg / 16);
	return xapic_base[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t value)
{
	if (x2apic)
		wrmsr(0x800u + reg / 16, value);
	else
		xapic_base[reg / 4] = value;
}

void apic_cpu_setup(void)
{
	apic_write(APIC_REG_SVR, APIC_SVR_ENABLE | APIC_VECTOR_SPURIOUS);
	apic_write(APIC_REG_TIMER_DIVIDE, APIC_DIVIDE_BY_1);
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED | APIC_VECTOR_TIMER);
	apic_write(APIC_REG_TIMER_INITIAL, 0);
}

void apic_timer_calibrate(void)
{
	uint64_t start, elapsed, counted;

	apic_cpu_setup();
	apic_write(APIC_REG_TIMER_INITIAL, 0xffffffffu);
	start = rdtsc();
	timer_delay_us(TIMER_CALIBRATE_US);
	counted = 0xffffffffu - apic_read(APIC_REG_TIMER_CURRENT);
	elapsed = rdtsc() - start;
	apic_write(APIC_REG_TIMER_INITIAL, 0);
	if (elapsed == 0 || counted == 0) {
		timer_per_tsc_q32 = 1ull << 32; /* as if the timer ran at the TSC's rate */
		return;
	}
	timer_per_tsc_q32 = (counted << 32) / elapsed;
}

uint64_t apic_timer_hz(uint64_t tsc_hz)
{
	return (uint64_t)(((unsigned __int128)tsc_hz * timer_per_tsc_q32) >> 32);
}

void apic_timer_arm(uint64_t tsc_deadline)
{
	uint64_t now = rdtsc(), count = 1;

	if (tsc_deadline > now)
		count = (uint64_t)(((unsigned __int128)(tsc_deadline - now) * timer_per_tsc_q32) >> 32);
	if (count == 0)
		count = 1;
	if (count > 0xffffffffull)
		count = 0xffffffffull; /* fires early; the caller arms it again */
	apic_write(APIC_REG_LVT_TIMER, APIC_VECTOR_TIMER);
	apic_write(APIC_REG_TIMER_INITIAL, (uint32_t)count);
}

void apic_timer_disarm(void)
{
	apic_write(APIC_REG_TIMER_INITIAL, 0);
}

void apic_eoi(void)
{
	apic_write(APIC_REG_EOI, 0);
}

bool apic_send_wake(uint32_t apic_id)
{
	return apic_send_ipi_preserving(apic_id, ICR_DELIVERY_FIXED | ICR_LEVEL_ASSERT |
						 APIC_VECTOR_WAKE);
}
