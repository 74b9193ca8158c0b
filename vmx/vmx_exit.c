/*
 * Turns a VM exit into the core's struct exit_info (reasons: SDM Vol. 3,
 * Appendix C; qualifications: "Basic VM-Exit Information"), and reports
 * failed VM entries with the VM-instruction error or the failure exit reason
 * and the guest-state fields the entry checks look at most.
 */
#include "vmcs_fields.h"
#include "vmx.h"
#include "vmx_insn.h"

#include <core/console.h>
#include <stddef.h>

/* The qualification's GPR numbering: RAX RCX RDX RBX RSP RBP RSI RDI R8..R15. */
static const uint8_t gpr_slot[16] = {
	offsetof(struct vcpu_regs, rax) / 8, offsetof(struct vcpu_regs, rcx) / 8,
	offsetof(struct vcpu_regs, rdx) / 8, offsetof(struct vcpu_regs, rbx) / 8,
	0xff /* RSP lives in the VMCS */,   offsetof(struct vcpu_regs, rbp) / 8,
	offsetof(struct vcpu_regs, rsi) / 8, offsetof(struct vcpu_regs, rdi) / 8,
	offsetof(struct vcpu_regs, r8) / 8,  offsetof(struct vcpu_regs, r9) / 8,
	offsetof(struct vcpu_regs, r10) / 8, offsetof(struct vcpu_regs, r11) / 8,
	offsetof(struct vcpu_regs, r12) / 8, offsetof(struct vcpu_regs, r13) / 8,
	offsetof(struct vcpu_regs, r14) / 8, offsetof(struct vcpu_regs, r15) / 8,
};

static uint64_t guest_gpr(struct vcpu *v, unsigned gpr)
{
	if (gpr_slot[gpr & 15] == 0xff)
		return vmread(VMCS_GUEST_RSP);
	return ((const uint64_t *)&v->regs)[gpr_slot[gpr & 15]];
}

/* Only MOV to CR0/CR4 is the core's business; other CR exits are unexpected. */
static void decode_cr(struct vcpu *v, struct exit_info *exit, uint64_t qual)
{
	unsigned cr = CRQ_CR(qual);

	if (CRQ_TYPE(qual) != 0 || (cr != 0 && cr != 4))
		return;
	exit->reason = EXIT_CR_WRITE;
	exit->cr.cr = (uint8_t)cr;
	exit->cr.value = guest_gpr(v, CRQ_GPR(qual));
}

static void decode_io(struct exit_info *exit, uint64_t qual)
{
	exit->reason = EXIT_IO;
	exit->io.port = IOQ_PORT(qual);
	exit->io.size = (uint8_t)IOQ_SIZE(qual);
	exit->io.in = (qual & IOQ_IN) != 0;
	exit->io.string = (qual & IOQ_STRING) != 0;
	exit->io.rep = (qual & IOQ_REP) != 0;
}

static void decode_stage2(struct exit_info *exit, uint64_t qual, bool violation)
{
	exit->reason = EXIT_STAGE2_FAULT;
	exit->stage2.gpa = vmread(VMCS_GUEST_PHYS_ADDR);
	exit->stage2.read = violation && (qual & EPTQ_READ);
	exit->stage2.write = violation && (qual & EPTQ_WRITE);
	exit->stage2.exec = violation && (qual & EPTQ_EXEC);
}

/* Exception bitmap is 0, so reason 0 means an NMI unless something forced a bit. */
static enum exit_reason decode_exception(void)
{
	uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);

	if ((info & INTR_INFO_VALID) &&
	    ((info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) == INTR_TYPE_NMI)
		return EXIT_NMI;
	return EXIT_OTHER;
}

/* Exits that need nothing but their name. */
static enum exit_reason simple_reason(uint32_t basic)
{
	switch (basic) {
	case VMX_EXIT_EXTERNAL_INTR: return EXIT_EXTERNAL_INTR;
	case VMX_EXIT_TRIPLE_FAULT: return EXIT_TRIPLE_FAULT;
	case VMX_EXIT_INIT: return EXIT_INIT;
	case VMX_EXIT_INTR_WINDOW: return EXIT_INTR_WINDOW;
	case VMX_EXIT_CPUID: return EXIT_CPUID;
	case VMX_EXIT_HLT: return EXIT_HLT;
	case VMX_EXIT_VMCALL: return EXIT_HYPERCALL;
	case VMX_EXIT_INVEPT: return EXIT_VIRT_INSN;
	case VMX_EXIT_INVVPID: return EXIT_VIRT_INSN;
	case VMX_EXIT_BAD_GUEST_STATE: return EXIT_ENTRY_FAILED;
	case VMX_EXIT_BAD_MSR_LOAD: return EXIT_ENTRY_FAILED;
	case VMX_EXIT_XSETBV: return EXIT_XSETBV;
	case VMX_EXIT_INVD: return EXIT_INVD;
	default:
		if (basic >= VMX_EXIT_VMCLEAR && basic <= VMX_EXIT_VMXON)
			return EXIT_VIRT_INSN;
		return EXIT_OTHER;
	}
}

void vmx_decode_exit(struct vcpu *v, struct exit_info *exit, uint32_t reason)
{
	uint32_t basic = reason & VMX_EXIT_REASON_BASIC;
	uint64_t qual = vmread(VMCS_EXIT_QUALIFICATION);

	exit->raw_reason = reason;
	exit->raw_qual = qual;
	exit->reason = EXIT_OTHER;
	exit->insn_len_override = 0;
	switch (basic) {
	case VMX_EXIT_EXCEPTION_NMI: exit->reason = decode_exception(); break;
	case VMX_EXIT_CR_ACCESS: decode_cr(v, exit, qual); break;
	case VMX_EXIT_IO: decode_io(exit, qual); break;
	case VMX_EXIT_RDMSR:
		exit->reason = EXIT_MSR_READ;
		exit->msr = (uint32_t)v->regs.rcx;
		break;
	case VMX_EXIT_WRMSR:
		exit->reason = EXIT_MSR_WRITE;
		exit->msr = (uint32_t)v->regs.rcx;
		break;
	case VMX_EXIT_EPT_VIOLATION: decode_stage2(exit, qual, true); break;
	case VMX_EXIT_EPT_MISCONFIG: decode_stage2(exit, qual, false); break;
	default: exit->reason = simple_reason(basic); break;
	}
}

static const char *insn_error_name(uint64_t err)
{
	switch (err) {
	case 4: return "VMLAUNCH with non-clear VMCS";
	case 5: return "VMRESUME with non-launched VMCS";
	case 7: return "invalid control field(s)";
	case 8: return "invalid host-state field(s)";
	case 12: return "unsupported VMCS component";
	case 26: return "events blocked by MOV SS";
	default: return "see SDM \"VM-Instruction Error Numbers\"";
	}
}

/* The guest-state fields behind most entry failures, for the log. */
static void log_guest_state(void)
{
	log_error("vmx:   guest CR0 0x%llx CR3 0x%llx CR4 0x%llx EFER 0x%llx",
		  (unsigned long long)vmread(VMCS_GUEST_CR0),
		  (unsigned long long)vmread(VMCS_GUEST_CR3),
		  (unsigned long long)vmread(VMCS_GUEST_CR4),
		  (unsigned long long)vmread(VMCS_GUEST_EFER));
	log_error("vmx:   guest RIP 0x%llx RSP 0x%llx RFLAGS 0x%llx CS AR 0x%llx SS AR 0x%llx "
		  "TR AR 0x%llx",
		  (unsigned long long)vmread(VMCS_GUEST_RIP),
		  (unsigned long long)vmread(VMCS_GUEST_RSP),
		  (unsigned long long)vmread(VMCS_GUEST_RFLAGS),
		  (unsigned long long)vmread(VMCS_GUEST_CS_AR),
		  (unsigned long long)vmread(VMCS_GUEST_SS_AR),
		  (unsigned long long)vmread(VMCS_GUEST_ES_AR + 2 * SEG_TR));
	log_error("vmx:   entry controls 0x%llx, interruptibility 0x%llx, activity %llu, "
		  "injecting 0x%llx",
		  (unsigned long long)vmread(VMCS_ENTRY_CONTROLS),
		  (unsigned long long)vmread(VMCS_GUEST_INTERRUPTIBILITY),
		  (unsigned long long)vmread(VMCS_GUEST_ACTIVITY),
		  (unsigned long long)vmread(VMCS_ENTRY_INTR_INFO));
}

/*
 * status != 0: VMLAUNCH/VMRESUME itself failed (raw_reason ~0, raw_qual =
 * the VM-instruction error).  Otherwise `reason` has bit 31 set: the CPU
 * refused the guest state or the MSR-load area after the checks began.
 */
void vmx_entry_failed(struct exit_info *exit, int status, uint32_t reason)
{
	exit->reason = EXIT_ENTRY_FAILED;
	exit->insn_len_override = 0;
	if (status == VMX_FAIL_INVALID) {
		exit->raw_reason = ~0ull;
		exit->raw_qual = 0;
		log_error("vmx: VM entry failed: VMfailInvalid (no current VMCS)");
		return;
	}
	if (status == VMX_FAIL_VALID) {
		exit->raw_reason = ~0ull;
		exit->raw_qual = vmread(VMCS_INSN_ERROR);
		log_error("vmx: VM entry failed: VM-instruction error %llu (%s)",
			  (unsigned long long)exit->raw_qual, insn_error_name(exit->raw_qual));
	} else {
		exit->raw_reason = reason;
		exit->raw_qual = vmread(VMCS_EXIT_QUALIFICATION);
		log_error("vmx: VM entry failed: exit reason 0x%x (%s), qualification 0x%llx",
			  reason,
			  (reason & VMX_EXIT_REASON_BASIC) == VMX_EXIT_BAD_GUEST_STATE
				  ? "invalid guest state" : "MSR loading or machine check",
			  (unsigned long long)exit->raw_qual);
	}
	log_guest_state();
}
