/*
 * The PC platform of a partition that runs an ordinary operating system
 * (enum partition_platform PLATFORM_PC): per vCPU a virtual x2APIC
 * (vapic.c) and the synthetic timers (stimer.c), per partition a 16550
 * on COM1 (uart16550.c) and a CMOS RTC (cmos_rtc.c).  This file is the glue between those pure state
 * machines and hv: MSR dispatch, IPI routing within the partition, the
 * physical timer that ends a run when a virtual timer is due, and HLT.
 *
 * Timer rule: before every entry, platform_before_entry() processes what
 * is due and arms this CPU's APIC timer for the earliest virtual
 * deadline, so a guest that never exits still gets its clock events.
 */
#ifndef HV_PLATFORM_H
#define HV_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include <emul/exit.h>

struct vcpu;
struct partition;

/* The bus clock of the virtual APIC timer (HV_X64_MSR_APIC_FREQUENCY). */
#define PLATFORM_APIC_HZ 200000000ull

/* Power-on state of v's platform devices (and of its partition's, for vCPU 0). */
void platform_vcpu_reset(struct vcpu *v);

/* MSRs of the platform: 0 handled, -1 #GP, 1 not a platform MSR. */
int platform_msr_read(struct vcpu *v, uint32_t msr, uint64_t *value);
int platform_msr_write(struct vcpu *v, uint32_t msr, uint64_t value);

/* Processes due timers and arms the physical timer (see above). */
void platform_before_entry(struct vcpu *v);

/*
 * An external interrupt ended the run: perhaps this CPU's timer, which
 * is one-shot and may fire before the virtual deadline (its rate is
 * calibrated, not exact), so the next entry arms it again.
 */
void platform_interrupted(struct vcpu *v);

/* HLT: waits in host mode until the guest has something to do. */
enum exit_action platform_halt(struct vcpu *v);

/*
 * Byte-wide ports of the platform's devices, COM1 (0x3f8-0x3ff) and the
 * CMOS RTC (0x70-0x71): true when port is theirs, with *value for IN.
 */
bool platform_port_io(struct vcpu *v, uint16_t port, bool in, uint8_t *value);

#endif
