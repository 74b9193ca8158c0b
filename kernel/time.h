/*
 * Time for partition kernels: the TSC, whose rate hv reports through
 * HV_X64_MSR_TSC_FREQUENCY; busy-wait delays (kernels take no
 * interrupts yet).
 */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <stdint.h>

/* Reads the TSC rate; falls back to 1 GHz with a console line. */
void time_init(void);
uint64_t tsc_hz(void);
uint64_t tsc_read(void);
void delay_ms(uint64_t ms);
uint64_t tsc_to_ms(uint64_t ticks);

#endif
