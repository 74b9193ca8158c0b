/*
 * Probes (probe.asm): run one instruction that may fault and report
 * PROBE_OK or the exception vector it raised, so tests can check what hv
 * does with MSRs, port I/O, hypercall instructions and memory.
 */
#ifndef KERNEL_PROBE_H
#define KERNEL_PROBE_H

#include <kernel/exceptions.h>
#include <stdint.h>

#define PROBE_OK 0x100u /* the instruction completed; else: the vector */

/* "no fault" or the exception mnemonic ("#GP"). */
static inline const char *probe_name(unsigned int result)
{
	return result == PROBE_OK ? "no fault" : exception_name(result);
}

unsigned int probe_rdmsr(uint32_t msr, uint64_t *value);
unsigned int probe_wrmsr(uint32_t msr, uint64_t value);
/* XSETBV of XCR xcr; needs CR4.OSXSAVE (else #UD). */
unsigned int probe_xsetbv(uint32_t xcr, uint64_t value);
/* Raw hypercall instructions (not through the page); *rax gets the result. */
unsigned int probe_vmcall_raw(uint64_t rcx, uint64_t rdx, uint64_t r8, uint64_t *rax);
unsigned int probe_vmmcall_raw(uint64_t rcx, uint64_t rdx, uint64_t r8, uint64_t *rax);
unsigned int probe_inb(uint16_t port, uint8_t *value);
unsigned int probe_inw(uint16_t port, uint16_t *value);
unsigned int probe_inl(uint16_t port, uint32_t *value);
unsigned int probe_outl(uint16_t port, uint32_t value);
unsigned int probe_outsb(uint16_t port, const void *byte);
unsigned int probe_read64(const volatile void *address, uint64_t *value);
unsigned int probe_ud2(void);
/* VMXON [location], where *location holds the VMXON region's address. */
unsigned int probe_vmxon(const uint64_t *location);
unsigned int probe_vmrun(uint64_t vmcb_pa);

#endif
