/*
 * Events the backend injects at VM entry (SDM Vol. 3, "Event Injection"):
 * an event whose delivery a VM exit interrupted, the exceptions the core
 * asks for, and the core's pending interrupts, which wait for an
 * interrupt-window exit while the guest does not accept them.
 */
#include "vmcs_fields.h"
#include "vmx.h"
#include "vmx_insn.h"
#include "vmx_msr.h"

/* An exit during event delivery (IDT-vectoring information valid) lost that event. */
void vmx_reinject_vectoring_event(void)
{
	uint32_t info = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
	uint32_t type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;

	if (!(info & INTR_INFO_VALID))
		return;
	if (info & INTR_INFO_ERROR_VALID)
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR, vmread(VMCS_IDT_VECTORING_ERROR));
	if (type == INTR_TYPE_SW_INTR || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_TYPE_SW_EXCEPTION)
		vmcs_write(VMCS_ENTRY_INSN_LEN, vmread(VMCS_EXIT_INSN_LEN));
	/* Bits 30:12 are reserved in the entry field (bit 12 is undefined here). */
	vmcs_write(VMCS_ENTRY_INTR_INFO, info & (INTR_INFO_VALID | 0xfffu));
}

/* A hardware exception at the current instruction; replaces a re-injected event. */
void vmx_inject_exception(uint32_t vector, bool has_error_code)
{
	uint32_t info = vector | INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT | INTR_INFO_VALID;

	if (has_error_code) {
		info |= INTR_INFO_ERROR_VALID;
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR, 0);
	}
	vmcs_write(VMCS_ENTRY_INTR_INFO, info);
}

/* The guest takes an external interrupt now: IF set, no STI/MOV SS shadow. */
static bool guest_interruptible(void)
{
	return (vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmread(VMCS_GUEST_INTERRUPTIBILITY) & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS));
}

static void set_intr_window(struct vmx_vcpu *vv, bool on)
{
	uint32_t proc = on ? vv->proc_controls | VMX_PROC_INTR_WINDOW
			   : vv->proc_controls & ~VMX_PROC_INTR_WINDOW;

	if (proc != vv->proc_controls) {
		vv->proc_controls = proc;
		vmcs_write(VMCS_PROC_CONTROLS, proc);
	}
}

/*
 * Before each entry: injects the highest pending interrupt if the guest
 * accepts one now, else asks for an interrupt-window exit, which comes
 * as soon as it does.  An event already set up for this entry (a
 * re-delivery or an exception) goes first.
 */
void vmx_deliver_interrupt(struct vcpu *v, struct vmx_vcpu *vv)
{
	uint8_t vector = vcpu_pending_interrupt(v);

	if (vector == 0) {
		set_intr_window(vv, false);
		return;
	}
	if (!(vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) && guest_interruptible()) {
		vmcs_write(VMCS_ENTRY_INTR_INFO,
			   vector | INTR_TYPE_EXT_INTR << INTR_INFO_TYPE_SHIFT | INTR_INFO_VALID);
		/* A halted guest wakes for the interrupt, as from a real HLT. */
		if (vmread(VMCS_GUEST_ACTIVITY) == ACTIVITY_HLT)
			vmcs_write(VMCS_GUEST_ACTIVITY, ACTIVITY_ACTIVE);
		vcpu_interrupt_delivered(v, vector);
		set_intr_window(vv, false);
		return;
	}
	set_intr_window(vv, vv->intr_window_ok);
}
