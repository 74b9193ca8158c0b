/*
 * The core's guest-facing emulation, one file each: CPUID leaves, MSRs,
 * port I/O, hypercalls.  Each reads and writes the vCPU's registers and
 * returns what the backend must do next.
 */
#ifndef HV_GUEST_H
#define HV_GUEST_H

#include <emul/exit.h>
#include <part/vcpu.h>

enum exit_action guest_cpuid(struct vcpu *v);
enum exit_action guest_msr_read(struct vcpu *v, uint32_t msr);
enum exit_action guest_msr_write(struct vcpu *v, uint32_t msr);
enum exit_action guest_io(struct vcpu *v, const struct exit_io *io);
enum exit_action guest_hypercall(struct vcpu *v);

/* EDX:EAX as one value, and the reverse (RDMSR, WRMSR, XSETBV). */
static inline uint64_t regs_edx_eax(const struct vcpu_regs *r)
{
	return (r->rdx << 32) | (r->rax & 0xffffffffull);
}

static inline void regs_set_edx_eax(struct vcpu_regs *r, uint64_t value)
{
	r->rax = value & 0xffffffffull;
	r->rdx = value >> 32;
}

#endif
