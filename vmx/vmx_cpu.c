/*
 * Turning VMX operation on for the calling CPU (SDM Vol. 3, "Enabling
 * and Entering VMX Operation"): IA32_FEATURE_CONTROL, the CR0/CR4 bits
 * VMX fixes, CR4.VMXE and VMXON with a region carrying the revision id.
 */
#include "vmx.h"
#include "vmx_insn.h"
#include "vmx_msr.h"

#include <arch/x86.h>
#include <core/console.h>
#include <lib/string.h>

#define CR4_VMXE (1ull << 13)

/* Firmware may leave the MSR unlocked; lock it with VMXON allowed outside SMX. */
static int feature_control_enable(void)
{
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		wrmsr(MSR_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMXON_OUTSIDE_SMX);
		fc = rdmsr(MSR_FEATURE_CONTROL);
	}
	if (!(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX)) {
		log_error("vmx: IA32_FEATURE_CONTROL 0x%llx is locked without "
			  "VMXON outside SMX: VT-x disabled by firmware",
			  (unsigned long long)fc);
		return -1;
	}
	return 0;
}

/* VMXON requires CR0 and CR4 to respect IA32_VMX_CR{0,4}_FIXED{0,1} (SDM Appendix A). */
static void apply_fixed_bits(void)
{
	uint64_t cr0 = read_cr0(), cr4 = read_cr4();

	cr0 = (cr0 | rdmsr(MSR_VMX_CR0_FIXED0)) & rdmsr(MSR_VMX_CR0_FIXED1);
	cr4 = (cr4 | rdmsr(MSR_VMX_CR4_FIXED0) | CR4_VMXE) & rdmsr(MSR_VMX_CR4_FIXED1);
	write_cr0(cr0);
	write_cr4(cr4);
}

int vmx_cpu_enable(const struct virt_caps *caps, struct page_pool *pool)
{
	uint64_t region;
	enum vmx_status st;

	if (!caps->usable) {
		log_error("vmx: VT-x unusable: %s", caps->reason);
		return -1;
	}
	if (read_cr4() & CR4_VMXE) {
		/* Our own earlier VMXON (a restarted partition): already in VMX operation. */
		log_info("vmx: CR4.VMXE already set, keeping VMX operation");
		return 0;
	}
	if (feature_control_enable() != 0)
		return -1;
	region = page_alloc(pool, 1, 1);
	if (region == 0) {
		log_error("vmx: no page for the VMXON region");
		return -1;
	}
	memset((void *)region, 0, PAGE_SIZE);
	*(uint32_t *)region = (uint32_t)(rdmsr(MSR_VMX_BASIC) & VMX_BASIC_REVISION_MASK);
	apply_fixed_bits();
	st = vmxon(region);
	if (st != VMX_OK) {
		log_error("vmx: VMXON failed (%s; CR0 0x%llx CR4 0x%llx region 0x%llx)",
			  st == VMX_FAIL_INVALID ? "VMfailInvalid" : "VMfailValid",
			  (unsigned long long)read_cr0(), (unsigned long long)read_cr4(),
			  (unsigned long long)region);
		page_free(pool, region, 1);
		return -1;
	}
	/* Drop any translations tagged before VMXON: VPIDs and EPTPs start clean. */
	if (caps->stage2_caps & VPID_CAP_INVVPID_ALL)
		invvpid(INVVPID_ALL, 0);
	if (caps->stage2_caps & EPT_CAP_INVEPT_ALL)
		invept(INVEPT_ALL, 0);
	return 0;
}
