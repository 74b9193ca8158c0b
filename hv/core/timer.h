/*
 * Time for hv's start-up: the TSC, calibrated once against the legacy PIT
 * (channel 2), for the delays the INIT/SIPI protocol asks for.  The timer
 * interrupts of the PC platform are the local APIC's (hv/core/apic.c).
 */
#ifndef HV_TIMER_H
#define HV_TIMER_H

#include <stdbool.h>
#include <stdint.h>

void timer_calibrate(void);
uint64_t timer_tsc_hz(void);
void timer_delay_us(uint64_t us);
/* Polls until (*reg & mask) == 0; false after `us` microseconds. */
bool timer_wait_until_clear(volatile uint32_t *reg, uint32_t mask, uint64_t us);
/* Polls until *flag != 0; false after `us` microseconds. */
bool timer_wait_flag(volatile uint32_t *flag, uint64_t us);

#endif
