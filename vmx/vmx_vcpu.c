/*
 * The vCPU life cycle the core drives: build the VMCS (vcpu_init), run the
 * guest until an exit the core must see (vcpu_enter, which answers the
 * benchmark's null CPUID itself), carry out the core's decision
 * (vcpu_complete) and report guest registers (get_state).
 */
#include "vmcs_fields.h"
#include "vmx.h"
#include "vmx_insn.h"
#include "vmx_msr.h"

#include <arch/x86.h>
#include <core/console.h>
#include <hv/hypercall.h>
#include <lib/string.h>

void vmcs_write(uint32_t field, uint64_t value)
{
	if (!vmwrite(field, value))
		log_error("vmx: VMWRITE 0x%llx to field 0x%x failed (VM-instruction error %llu)",
			  (unsigned long long)value, field,
			  (unsigned long long)vmread(VMCS_INSN_ERROR));
}

/* The bookkeeping page and a fresh VMCS made current on this CPU; reused on restart. */
static struct vmx_vcpu *vmcs_load(struct vcpu *v, struct page_pool *pool)
{
	struct vmx_vcpu *vv = to_vmx(v);
	enum vmx_status st;

	if (vv == NULL) {
		vv = (struct vmx_vcpu *)page_alloc(pool, 1, 1);
		if (vv == NULL)
			return NULL;
		memset(vv, 0, PAGE_SIZE);
		v->vendor = vv;
	}
	if (vv->vmcs != 0)
		vmclear(vv->vmcs); /* a restart: the CPU may cache the old VMCS; flush it first */
	else if ((vv->vmcs = page_alloc(pool, 1, 1)) == 0)
		return NULL;
	memset((void *)vv->vmcs, 0, PAGE_SIZE);
	*(uint32_t *)vv->vmcs = (uint32_t)(rdmsr(MSR_VMX_BASIC) & VMX_BASIC_REVISION_MASK);
	vv->launched = false;
	st = vmclear(vv->vmcs);
	if (st == VMX_OK)
		st = vmptrld(vv->vmcs);
	if (st != VMX_OK) {
		log_error("vmx: VMCLEAR/VMPTRLD of 0x%llx failed (%d)",
			  (unsigned long long)vv->vmcs, (int)st);
		return NULL;
	}
	return vv;
}

int vmx_vcpu_init(struct vcpu *v, const struct vcpu_boot_state *boot,
		  uint64_t stage2_root, struct page_pool *pool)
{
	struct vmx_vcpu *vv = vmcs_load(v, pool);

	if (vv == NULL) {
		log_error("vmx: CPU %u: no usable VMCS (out of pages or VMX off)", v->cpu);
		return -1;
	}
	if (vmx_setup_controls(vv, boot->wait_in_host) != 0 || vmx_setup_bitmaps(vv, pool) != 0 ||
	    vmx_setup_ept(vv, stage2_root, v->cpu) != 0)
		return -1;
	vmx_setup_host();
	vmx_setup_guest(vv, boot);
	v->regs.rdi = boot->rdi;
	v->regs.rsi = boot->rsi;
	log_info("vmx: CPU %u: VMCS 0x%llx ready, VPID %u, EPTP 0x%llx, entry at 0x%llx",
		 v->cpu, (unsigned long long)vv->vmcs, vv->vpid, (unsigned long long)vv->eptp,
		 (unsigned long long)boot->rip);
	return 0;
}

/*
 * Moves RIP past the exiting instruction, which also ends an STI or MOV SS
 * shadow.  `len` 0: the CPU's VM-exit instruction length (undefined for EPT
 * violations, where the core decodes the instruction and says how long).
 */
static void skip_instruction(uint64_t len)
{
	uint64_t intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);

	if (len == 0)
		len = vmread(VMCS_EXIT_INSN_LEN);
	vmcs_write(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + len);
	if (intr & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
			   intr & ~(uint64_t)(INTR_BLOCK_STI | INTR_BLOCK_MOV_SS));
}

/* The benchmark's baseline: the shortest possible exit, never seen by the core. */
static bool bench_null_exit(struct vcpu *v, uint32_t reason)
{
	if (reason != VMX_EXIT_CPUID || (uint32_t)v->regs.rax != HV_CPUID_BENCH_NULL)
		return false;
	v->regs.rax = v->regs.rbx = v->regs.rcx = v->regs.rdx = 0;
	skip_instruction(0);
	return true;
}

/* An NMI exit (NMI exiting on, virtual NMIs off) leaves host NMIs blocked (SDM "NMI Exiting"). */
static bool exit_was_nmi(uint32_t reason)
{
	uint32_t info;

	if (reason != VMX_EXIT_EXCEPTION_NMI)
		return false;
	info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
	return (info & INTR_INFO_VALID) &&
	       ((info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) == INTR_TYPE_NMI;
}

void vmx_vcpu_enter(struct vcpu *v, struct exit_info *exit)
{
	struct vmx_vcpu *vv = to_vmx(v);
	uint32_t reason;
	int status;

	do {
		vmx_deliver_interrupt(v, vv);
		status = vmx_run(&v->regs, vv->launched);
		if (status != 0) {
			vmx_entry_failed(exit, status, 0);
			return;
		}
		reason = (uint32_t)vmread(VMCS_EXIT_REASON);
		if (reason & VMX_EXIT_REASON_ENTRY_FAIL) {
			vmx_entry_failed(exit, 0, reason);
			return;
		}
		vv->launched = true;
		if (exit_was_nmi(reason))
			vmx_unblock_nmi();
	} while (bench_null_exit(v, reason));
	vmx_decode_exit(v, exit, reason);
}

void vmx_vcpu_complete(struct vcpu *v, const struct exit_info *exit, enum exit_action action)
{
	struct vmx_vcpu *vv = to_vmx(v);

	vmx_reinject_vectoring_event();
	switch (action) {
	case ACTION_NEXT:
		/* A CR value the CPU would refuse gets the CPU's answer, #GP. */
		if (exit->reason == EXIT_CR_WRITE &&
		    !vmx_cr_write(vv, exit->cr.cr, exit->cr.value)) {
			vmx_inject_exception(VECTOR_GP, true);
			break;
		}
		skip_instruction(exit->insn_len_override);
		break;
	case ACTION_HALT:
		skip_instruction(0);
		/* Wait in the guest: the next interrupt or NMI wakes it (or exits). */
		if (vv->hlt_activity)
			vmcs_write(VMCS_GUEST_ACTIVITY, ACTIVITY_HLT);
		break;
	case ACTION_INJECT_GP:
		vmx_inject_exception(VECTOR_GP, true);
		break;
	case ACTION_INJECT_UD:
		vmx_inject_exception(VECTOR_UD, false);
		break;
	case ACTION_RESUME:
	case ACTION_PARK:
		break;
	}
}

void vmx_get_state(struct vcpu *v, struct vcpu_state *state)
{
	uint64_t cs_ar = vmread(VMCS_GUEST_CS_AR), ss_ar = vmread(VMCS_GUEST_SS_AR);

	(void)v; /* the current VMCS is v's: only its own CPU asks */
	state->rip = vmread(VMCS_GUEST_RIP);
	state->rsp = vmread(VMCS_GUEST_RSP);
	state->rflags = vmread(VMCS_GUEST_RFLAGS);
	state->cr0 = vmx_guest_cr0();
	state->cr3 = vmread(VMCS_GUEST_CR3);
	state->cr4 = vmx_guest_cr4();
	state->efer = vmread(VMCS_GUEST_EFER);
	state->cs_base = vmread(VMCS_GUEST_ES_BASE + 2 * SEG_CS);
	state->cpl = (uint32_t)(ss_ar >> AR_DPL_SHIFT) & 3;
	state->long_mode = (state->efer & EFER_LMA) && (cs_ar & AR_L);
}
