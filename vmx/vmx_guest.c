/*
 * The guest-state area built from the core's initial long-mode state, and
 * the CR0/CR4 ownership split: bits VMX fixes belong to the host (masked),
 * the guest reads its own value from the read shadow and a write that
 * changes a masked bit exits, so CR4.VMXE stays invisible and the fixed
 * bits stay set.  Checked on entry (SDM Vol. 3, "Checks on the Guest State
 * Area").
 */
#include "vmcs_fields.h"
#include "vmx.h"
#include "vmx_insn.h"
#include "vmx_msr.h"

#include <arch/x86.h>

#define CR0_PE (1ull << 0)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_PCIDE (1ull << 17)
#define PAT_POWER_ON 0x0007040600070406ull
#define DR7_POWER_ON 0x400ull
#define RFLAGS_FIXED 0x2ull
#define LINK_POINTER_NONE (~0ull)

#define AR_CODE64 (AR_TYPE_CODE_XR_ACCESSED | AR_S | AR_P | AR_L | AR_G)
#define AR_DATA (AR_TYPE_DATA_RW_ACCESSED | AR_S | AR_P | AR_DB | AR_G)
#define AR_TSS_BUSY (AR_TYPE_TSS64_BUSY | AR_P)
#define AR_REAL_CODE (AR_TYPE_CODE_XR_ACCESSED | AR_S | AR_P)
#define AR_REAL_DATA (AR_TYPE_DATA_RW_ACCESSED | AR_S | AR_P)

static void guest_segment(enum vmcs_seg seg, uint16_t sel, uint32_t limit, uint32_t ar)
{
	vmcs_write(VMCS_GUEST_ES_SEL + 2 * seg, sel);
	vmcs_write(VMCS_GUEST_ES_BASE + 2 * seg, 0);
	vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * seg, limit);
	vmcs_write(VMCS_GUEST_ES_AR + 2 * seg, ar);
}

/* Flat 64-bit segments matching the boot GDT's descriptors. */
static void guest_segments(const struct vcpu_boot_state *boot)
{
	uint16_t data = boot->data_selector;

	guest_segment(SEG_CS, boot->code_selector, 0xffffffff, AR_CODE64);
	guest_segment(SEG_SS, data, 0xffffffff, AR_DATA);
	guest_segment(SEG_DS, data, 0xffffffff, AR_DATA);
	guest_segment(SEG_ES, data, 0xffffffff, AR_DATA);
	guest_segment(SEG_FS, data, 0xffffffff, AR_DATA);
	guest_segment(SEG_GS, data, 0xffffffff, AR_DATA);
	guest_segment(SEG_LDTR, 0, 0, AR_UNUSABLE);
	/* VM entry insists on a usable busy TSS even though the guest has none yet. */
	guest_segment(SEG_TR, 0, 0x67, AR_TSS_BUSY);
	vmcs_write(VMCS_GUEST_GDTR_BASE, boot->gdt_base);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, boot->gdt_limit);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0);
}

/*
 * An application processor after INIT and a start-up IPI: real mode at
 * sipi_page << 12, 64 KiB segments (unrestricted guest runs it as is).
 */
static void guest_segments_real(const struct vcpu_boot_state *boot)
{
	vmcs_write(VMCS_GUEST_ES_SEL + 2 * SEG_CS, (uint64_t)boot->sipi_page << 8);
	vmcs_write(VMCS_GUEST_ES_BASE + 2 * SEG_CS, (uint64_t)boot->sipi_page << 12);
	vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * SEG_CS, 0xffff);
	vmcs_write(VMCS_GUEST_ES_AR + 2 * SEG_CS, AR_REAL_CODE);
	for (enum vmcs_seg seg = SEG_ES; seg <= SEG_GS; seg++) {
		if (seg != SEG_CS)
			guest_segment(seg, 0, 0xffff, AR_REAL_DATA);
	}
	guest_segment(SEG_LDTR, 0, 0xffff, AR_UNUSABLE);
	guest_segment(SEG_TR, 0, 0xffff, AR_TSS_BUSY);
	vmcs_write(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0xffff);
}

/* Host-owned bits: those VMX forces to 1 (FIXED0) or to 0 (not in FIXED1). */
static void cr_ownership(struct vmx_vcpu *vv)
{
	/* Unrestricted guest lifts the PE and PG requirements (same SDM section). */
	vv->cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0) & ~(CR0_PE | CR0_PG);
	vv->cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	vv->cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	vv->cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	vv->cr0_mask = vv->cr0_fixed0 | ~vv->cr0_fixed1;
	vv->cr4_mask = vv->cr4_fixed0 | ~vv->cr4_fixed1;
	vmcs_write(VMCS_CR0_MASK, vv->cr0_mask);
	vmcs_write(VMCS_CR4_MASK, vv->cr4_mask);
}

/* The IA-32e mode guest entry control must always equal EFER.LMA. */
static void sync_ia32e_control(uint64_t efer)
{
	uint64_t entry = vmread(VMCS_ENTRY_CONTROLS);

	if (efer & EFER_LMA)
		entry |= VMX_ENTRY_IA32E_GUEST;
	else
		entry &= ~(uint64_t)VMX_ENTRY_IA32E_GUEST;
	vmcs_write(VMCS_ENTRY_CONTROLS, entry);
}

static void guest_registers(const struct vcpu_boot_state *boot)
{
	vmcs_write(VMCS_GUEST_CR3, boot->cr3);
	vmcs_write(VMCS_GUEST_EFER, boot->efer);
	sync_ia32e_control(boot->efer);
	vmcs_write(VMCS_GUEST_PAT, PAT_POWER_ON);
	vmcs_write(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_DR7, DR7_POWER_ON);
	vmcs_write(VMCS_GUEST_RSP, boot->rsp);
	vmcs_write(VMCS_GUEST_RIP, boot->rip);
	vmcs_write(VMCS_GUEST_RFLAGS, RFLAGS_FIXED);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	for (unsigned i = 0; i < 4; i++)
		vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, 0);
}

void vmx_setup_guest(struct vmx_vcpu *vv, const struct vcpu_boot_state *boot)
{
	cr_ownership(vv);
	vmcs_write(VMCS_CR0_SHADOW, boot->cr0);
	vmcs_write(VMCS_GUEST_CR0, (boot->cr0 | vv->cr0_fixed0) & vv->cr0_fixed1);
	vmcs_write(VMCS_CR4_SHADOW, boot->cr4);
	vmcs_write(VMCS_GUEST_CR4, (boot->cr4 | vv->cr4_fixed0) & vv->cr4_fixed1);
	if (boot->real_mode)
		guest_segments_real(boot);
	else
		guest_segments(boot);
	guest_registers(boot);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY, ACTIVITY_ACTIVE);
	vmcs_write(VMCS_GUEST_PENDING_DBG, 0);
	vmcs_write(VMCS_LINK_POINTER, LINK_POINTER_NONE);
}

/* CR0.PG decides EFER.LMA when EFER.LME is set; hardware does that only for unmasked writes. */
static void cr0_paging_changed(uint64_t cr0)
{
	uint64_t efer = vmread(VMCS_GUEST_EFER);

	if ((cr0 & CR0_PG) && (efer & EFER_LME))
		efer |= EFER_LMA;
	else if (!(cr0 & CR0_PG))
		efer &= ~EFER_LMA;
	vmcs_write(VMCS_GUEST_EFER, efer);
	sync_ia32e_control(efer);
}

/*
 * The #GP conditions of MOV to CR0 (SDM Vol. 2, "MOV-Move to/from Control
 * Registers").  A VM exit pre-empts them, so they are ours to check.
 */
static bool cr0_write_valid(uint64_t value)
{
	uint64_t efer = vmread(VMCS_GUEST_EFER), cr4 = vmread(VMCS_GUEST_CR4);
	bool code64 = (efer & EFER_LMA) && (vmread(VMCS_GUEST_CS_AR) & AR_L);

	if ((value >> 32) != 0 || ((value & CR0_PG) && !(value & CR0_PE)) ||
	    ((value & CR0_NW) && !(value & CR0_CD)))
		return false;
	if (!(value & CR0_PG) && (code64 || (cr4 & CR4_PCIDE)))
		return false; /* paging cannot be turned off in 64-bit code or with PCIDs */
	return !((value & CR0_PG) && (efer & EFER_LME) && !(cr4 & CR4_PAE));
}

static bool cr4_write_valid(const struct vmx_vcpu *vv, uint64_t value)
{
	uint64_t efer = vmread(VMCS_GUEST_EFER);

	if ((value & ~vv->cr4_fixed1) != 0) /* features this CPU lacks */
		return false;
	if ((efer & EFER_LMA) && !(value & CR4_PAE))
		return false;
	return !((value & CR4_PCIDE) && !(vmread(VMCS_GUEST_CR4) & CR4_PCIDE) &&
		 (!(efer & EFER_LMA) || (vmread(VMCS_GUEST_CR3) & 0xfff)));
}

/*
 * Carries out a guest MOV to CR0/CR4 the core allowed: shadow as written,
 * real register with the fixed bits forced.  False when the value is one
 * the CPU itself would refuse with #GP (nothing changes then).
 */
bool vmx_cr_write(struct vmx_vcpu *vv, unsigned cr, uint64_t value)
{
	uint64_t old, real;

	if (cr == 0 ? !cr0_write_valid(value) : !cr4_write_valid(vv, value))
		return false;
	if (cr == 0) {
		old = vmread(VMCS_GUEST_CR0);
		real = (value | vv->cr0_fixed0) & vv->cr0_fixed1;
		vmcs_write(VMCS_CR0_SHADOW, value);
		vmcs_write(VMCS_GUEST_CR0, real);
		if ((old ^ real) & CR0_PG)
			cr0_paging_changed(real);
	} else {
		real = (value | vv->cr4_fixed0) & vv->cr4_fixed1;
		vmcs_write(VMCS_CR4_SHADOW, value);
		vmcs_write(VMCS_GUEST_CR4, real);
	}
	/* Paging-mode bits may have changed: drop this guest's cached translations. */
	vmx_flush_guest_tlb(vv);
	return true;
}

/* What the guest reads: its own bits from the register, the host's from the shadow. */
uint64_t vmx_guest_cr0(void)
{
	uint64_t mask = vmread(VMCS_CR0_MASK);

	return (vmread(VMCS_GUEST_CR0) & ~mask) | (vmread(VMCS_CR0_SHADOW) & mask);
}

uint64_t vmx_guest_cr4(void)
{
	uint64_t mask = vmread(VMCS_CR4_MASK);

	return (vmread(VMCS_GUEST_CR4) & ~mask) | (vmread(VMCS_CR4_SHADOW) & mask);
}
