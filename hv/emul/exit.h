/*
 * The vendor-neutral view of a VM exit.  A backend decodes its own exit
 * (VMCS exit reason and qualification, VMCB exit code and EXITINFO) into
 * struct exit_info and calls exit_handle(); the core decides, the backend
 * carries the decision out (advance RIP, inject an exception, park).
 */
#ifndef HV_EXIT_H
#define HV_EXIT_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

enum exit_reason {
	EXIT_CPUID,
	EXIT_MSR_READ,
	EXIT_MSR_WRITE,
	EXIT_IO,
	EXIT_HLT,
	EXIT_HYPERCALL,      /* VMCALL / VMMCALL */
	EXIT_CR_WRITE,
	EXIT_XSETBV,
	EXIT_TRIPLE_FAULT,   /* VT-x triple fault, AMD-V shutdown */
	EXIT_STAGE2_FAULT,   /* EPT violation/misconfiguration, nested page fault */
	EXIT_VIRT_INSN,      /* the guest used VMX or SVM instructions */
	EXIT_ENTRY_FAILED,   /* the CPU refused the guest state */
	EXIT_NMI,
	EXIT_EXTERNAL_INTR,
	EXIT_INTR_WINDOW,
	EXIT_INIT,
	EXIT_DECODE_FAILED,  /* the backend could not decode the exiting instruction */
	EXIT_OTHER,          /* anything the backend does not map */
	EXIT_INVD,           /* would discard every partition's unwritten cache lines */
	EXIT_REASON_COUNT
};

struct exit_io {
	uint16_t port;
	uint8_t size;   /* 1, 2 or 4 bytes */
	bool in;
	bool string;    /* INS/OUTS: not emulated, the partition faults */
	bool rep;
};

struct exit_stage2 {
	uint64_t gpa;
	bool read, write, exec;
};

struct exit_cr {
	uint8_t cr;      /* 0 or 4 */
	uint64_t value;  /* the value the guest tried to write */
};

struct exit_info {
	enum exit_reason reason;
	uint64_t raw_reason;  /* backend's own code, for reports */
	uint64_t raw_qual;    /* backend's qualification / EXITINFO1, for reports */
	union {
		struct exit_io io;
		struct exit_stage2 stage2;
		struct exit_cr cr;
		uint32_t msr;
	};
	/*
	 * Written by the core, never by a backend (which zeroes it when it
	 * decodes the exit): the length of the exiting instruction when the
	 * core decoded that instruction itself, 0 otherwise.  The core does so
	 * for an emulated MMIO access behind a stage-2 fault, whose length
	 * neither AMD-V (no nRIP for nested page faults) nor VT-x (the
	 * instruction-length field is undefined for EPT violations) reports.
	 * With ACTION_NEXT, a non-zero value is what the backend adds to RIP.
	 */
	uint8_t insn_len_override;
};

/* What the backend must do after the core has handled an exit. */
enum exit_action {
	ACTION_NEXT,       /* skip the exiting instruction, resume */
	ACTION_RESUME,     /* resume without moving RIP */
	ACTION_HALT,       /* skip HLT and wait for an interrupt in the guest */
	ACTION_INJECT_GP,  /* inject #GP(0) at the instruction, resume */
	ACTION_INJECT_UD,  /* inject #UD at the instruction, resume */
	ACTION_PARK,       /* this vCPU stops (partition faulted, off or reset) */
};

const char *exit_reason_name(enum exit_reason reason);

/*
 * The core's decision for one exit; may change the vCPU's registers and
 * exit->insn_len_override.
 */
enum exit_action exit_handle(struct vcpu *v, struct exit_info *exit);

#endif
