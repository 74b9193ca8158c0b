/*
 * The host-state area: what the CPU loads on every VM exit, taken from
 * the calling CPU as hv set it up (its own GDT, TSS, IDT and page tables).
 * HOST_RSP is written by the entry stub on each entry; HOST_RIP is the
 * stub's exit label.  Checked on entry (SDM Vol. 3, "Checks on VMX Controls
 * and Host-State Area").
 */
#include "vmcs_fields.h"
#include "vmx.h"
#include "vmx_insn.h"
#include "vmx_msr.h"

#include <arch/x86.h>

/* Base of the 16-byte system descriptor `sel` in the GDT at gdt_base. */
static uint64_t system_descriptor_base(uint64_t gdt_base, uint16_t sel)
{
	const uint64_t *d = (const uint64_t *)(gdt_base + (sel & ~7u));

	return ((d[0] >> 16) & 0xffffff) | ((d[0] >> 56) & 0xff) << 24 |
	       (d[1] & 0xffffffffull) << 32;
}

static void host_segments(void)
{
	struct desc_ptr gdtr = read_gdtr(), idtr = read_idtr();
	uint16_t tr = read_tr();

	/* Selectors must have RPL = TI = 0 (hv's are); TR must not be null. */
	vmcs_write(VMCS_HOST_CS_SEL, read_cs() & ~7u);
	vmcs_write(VMCS_HOST_SS_SEL, read_ss() & ~7u);
	vmcs_write(VMCS_HOST_DS_SEL, read_ds() & ~7u);
	vmcs_write(VMCS_HOST_ES_SEL, read_es() & ~7u);
	vmcs_write(VMCS_HOST_FS_SEL, read_fs() & ~7u);
	vmcs_write(VMCS_HOST_GS_SEL, read_gs() & ~7u);
	vmcs_write(VMCS_HOST_TR_SEL, tr & ~7u);
	vmcs_write(VMCS_HOST_TR_BASE, system_descriptor_base(gdtr.base, tr));
	vmcs_write(VMCS_HOST_GDTR_BASE, gdtr.base);
	vmcs_write(VMCS_HOST_IDTR_BASE, idtr.base);
	vmcs_write(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmcs_write(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
}

void vmx_setup_host(void)
{
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	host_segments();
	vmcs_write(VMCS_HOST_SYSENTER_CS, rdmsr(MSR_SYSENTER_CS) & 0xffffffffu);
	vmcs_write(VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_SYSENTER_ESP));
	vmcs_write(VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_SYSENTER_EIP));
	vmcs_write(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	vmcs_write(VMCS_HOST_PAT, rdmsr(MSR_PAT));
	vmcs_write(VMCS_HOST_RIP, (uint64_t)vmx_exit_stub);
}
