/*
 * The local APIC, as far as hv's start-up needs it: which mode the
 * firmware left it in (xAPIC MMIO or x2APIC MSRs) and sending INIT and
 * start-up IPIs.  QEMU TCG has no x2APIC, so the xAPIC path is the one
 * tested most.
 */
#ifndef HV_APIC_H
#define HV_APIC_H

#include <stdbool.h>
#include <stdint.h>

void apic_init(void);
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
