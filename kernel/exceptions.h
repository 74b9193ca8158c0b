/*
 * Exception handling of a partition kernel: an IDT for all 256 vectors
 * whose stubs (exception_stubs.asm) save the registers into a trap_frame;
 * vectors 32-255 go on to interrupts.c.  A
 * fault at an address listed in the exception table (section kextable,
 * filled by EXTABLE in nasm) resumes at its fixup with RAX = the vector;
 * any other exception is reported and ends in kpanic.
 */
#ifndef KERNEL_EXCEPTIONS_H
#define KERNEL_EXCEPTIONS_H

#include <stdint.h>

#define X86_VEC_DE 0
#define X86_VEC_DB 1
#define X86_VEC_NMI 2
#define X86_VEC_BP 3
#define X86_VEC_UD 6
#define X86_VEC_DF 8
#define X86_VEC_GP 13
#define X86_VEC_PF 14

/* Layout pushed by exception_stubs.asm, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* One exception-table entry: a fault at fault_rip continues at fixup_rip. */
struct extable_entry {
	uint64_t fault_rip;
	uint64_t fixup_rip;
};

#define X86_EXCEPTION_VECTORS 32
#define X86_VECTORS 256

/* Loads the IDT; call before anything that may fault. */
void exceptions_init(void);

/* Short mnemonic of an exception vector ("#GP"), "#??" when unknown. */
const char *exception_name(uint64_t vector);

/* Called by the stubs; returns to the (possibly redirected) frame. */
void exception_dispatch(struct trap_frame *frame);

#endif
