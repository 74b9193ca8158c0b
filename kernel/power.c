/*
 * Power off (ACPI S5: SLP_TYP 5 | SLP_EN to PM1a control at 0x604, the
 * port hv emulates) and reset (0x06 to the reset-control port 0xCF9).
 * hv stops the partition at the write; the short wait after it only
 * covers an hv that ignored the request.
 */
#include <kernel/power.h>

#include <arch/x86.h>
#include <kernel/time.h>

#define PM1A_CONTROL_PORT 0x604
#define PM1_SLP_TYP_S5 (5u << 10)
#define PM1_SLP_EN (1u << 13)
#define RESET_CONTROL_PORT 0xcf9
#define RESET_CONTROL_HARD 0x06

void power_off(void)
{
	outw(PM1A_CONTROL_PORT, PM1_SLP_TYP_S5 | PM1_SLP_EN);
	delay_ms(100);
}

void power_reset(void)
{
	outb(RESET_CONTROL_PORT, RESET_CONTROL_HARD);
	delay_ms(100);
}
