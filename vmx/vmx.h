/*
 * The VT-x backend's private interface between its files: the per-vCPU
 * bookkeeping behind vcpu->vendor and the functions each file offers the
 * others.  The core sees none of this, only the ops table (vmx_caps.c).
 */
#ifndef VMX_H
#define VMX_H

#include <core/vendor.h>
#include <stdbool.h>
#include <stdint.h>

/* Backend state of one vCPU, in a page of its own. */
struct vmx_vcpu {
	uint64_t vmcs;        /* physical (= virtual) address of the VMCS page */
	uint64_t msr_bitmap;  /* one page */
	uint64_t io_bitmap;   /* two pages: A (ports 0-0x7fff), then B */
	uint64_t eptp;
	uint64_t ept_caps;    /* IA32_VMX_EPT_VPID_CAP */
	/* Bits of CR0/CR4 the host owns (guest/host mask) and their fixed values. */
	uint64_t cr0_mask, cr0_fixed0, cr0_fixed1;
	uint64_t cr4_mask, cr4_fixed0, cr4_fixed1;
	uint16_t vpid;
	bool launched;        /* VMLAUNCH succeeded: use VMRESUME */
	bool hlt_activity;    /* the CPU can enter a guest in the HLT state */
	bool intr_window_ok;  /* the CPU offers interrupt-window exiting */
	uint32_t proc_controls; /* primary processor-based controls as written */
};

static inline struct vmx_vcpu *to_vmx(struct vcpu *v)
{
	return (struct vmx_vcpu *)v->vendor;
}

/* vmx_cpu.c */
int vmx_cpu_enable(const struct virt_caps *caps, struct page_pool *pool);

/* vmx_vcpu.c: VMWRITE that logs a failure (a bug: unsupported field or value). */
void vmcs_write(uint32_t field, uint64_t value);

/* vmx_controls.c: execution, exit and entry controls from the capability MSRs. */
int vmx_setup_controls(struct vmx_vcpu *vv, bool wait_in_host);

/* vmx_host.c: host-state area from the calling CPU. */
void vmx_setup_host(void);

/* vmx_guest.c: guest-state area, CR0/CR4 masks and shadows. */
void vmx_setup_guest(struct vmx_vcpu *vv, const struct vcpu_boot_state *boot);
bool vmx_cr_write(struct vmx_vcpu *vv, unsigned cr, uint64_t value);
uint64_t vmx_guest_cr0(void);
uint64_t vmx_guest_cr4(void);

/* vmx_bitmap.c: MSR and I/O bitmaps. */
int vmx_setup_bitmaps(struct vmx_vcpu *vv, struct page_pool *pool);
void vmx_io_allow(struct vcpu *v, uint16_t port, uint16_t count);

/* vmx_ept.c: EPT entry encodings, EPT pointer, VPID, TLB invalidation. */
extern const struct stage2_format vmx_stage2_format;
int vmx_setup_ept(struct vmx_vcpu *vv, uint64_t stage2_root, uint32_t cpu);
void vmx_flush_guest_tlb(struct vmx_vcpu *vv);
void vmx_stage2_flush(struct vcpu *v);

/* vmx_event.c: event injection (exceptions, re-delivery, pending interrupts). */
void vmx_reinject_vectoring_event(void);
void vmx_inject_exception(uint32_t vector, bool has_error_code);
void vmx_deliver_interrupt(struct vcpu *v, struct vmx_vcpu *vv);

/* vmx_exit.c: exit decoding and entry-failure reports. */
void vmx_decode_exit(struct vcpu *v, struct exit_info *exit, uint32_t reason);
void vmx_entry_failed(struct exit_info *exit, int status, uint32_t reason);

/* vmx_vcpu.c: the ops the core calls. */
int vmx_vcpu_init(struct vcpu *v, const struct vcpu_boot_state *boot,
		  uint64_t stage2_root, struct page_pool *pool);
void vmx_vcpu_enter(struct vcpu *v, struct exit_info *exit);
void vmx_vcpu_complete(struct vcpu *v, const struct exit_info *exit,
		       enum exit_action action);
void vmx_get_state(struct vcpu *v, struct vcpu_state *state);

/* vmx_entry.asm: enters the guest; 0 after a VM exit, else enum vmx_status. */
int vmx_run(struct vcpu_regs *regs, uint32_t launched);
extern const char vmx_exit_stub[];
void vmx_unblock_nmi(void);

#endif
