/*
 * The physical local APIC as hv uses it: which mode the firmware left it
 * in (xAPIC MMIO or x2APIC MSRs), INIT and start-up IPIs, NMI kicks, a
 * fixed wake-up IPI and a one-shot timer.  QEMU TCG has no x2APIC, so the
 * xAPIC path is the one tested most.
 *
 * hv runs with interrupts off.  The timer and wake vectors exist only to
 * end a guest's run (an external interrupt exits on both backends) or a
 * host `sti; hlt`; their handler only acknowledges them (trap.c), the
 * state they announce is in memory.
 */
#ifndef HV_APIC_H
#define HV_APIC_H

#include <stdbool.h>
#include <stdint.h>

#define APIC_VECTOR_WAKE 0xf0u     /* another CPU has work for this one */
#define APIC_VECTOR_TIMER 0xf1u    /* a virtual timer of this CPU's vCPU is due */
#define APIC_VECTOR_SPURIOUS 0xffu

void apic_init(void);
/* Per CPU: software-enables the APIC, timer masked and stopped. */
void apic_cpu_setup(void);
/* Measures the APIC timer against the TSC (after timer_calibrate). */
void apic_timer_calibrate(void);
uint64_t apic_timer_hz(uint64_t tsc_hz);
/* One-shot timer interrupt at about TSC value tsc_deadline (at once if past). */
void apic_timer_arm(uint64_t tsc_deadline);
void apic_timer_disarm(void);
void apic_eoi(void);
/* The wake-up IPI: an exit from the guest, or the end of a host hlt. */
bool apic_send_wake(uint32_t apic_id);
bool apic_is_x2apic(void);
/* This CPU's APIC id, from CPUID (no APIC access needed). */
uint32_t apic_id_self(void);
/* Return false if the APIC did not accept the IPI in time. */
bool apic_send_init(uint32_t apic_id);
bool apic_send_startup(uint32_t apic_id, uint8_t vector);
/*
 * Sends an NMI: how hv takes a CPU back from the partition running on it.
 * Called from an exit handler, i.e. while this CPU's partition is not
 * running, so borrowing its ICR is invisible to it (the destination
 * register is restored).
 */
bool apic_send_nmi(uint32_t apic_id);

#endif
