/*
 * AMD-V capability discovery (AMD APM Vol. 2, 15.4 and CPUID Fn8000_000A):
 * whether SVM exists and is not locked off, its revision, nested paging,
 * nRIP save and the number of ASIDs.
 */
#include "svm.h"

#include <arch/x86.h>
#include <core/vendor.h>
#include <lib/format.h>

#define MSR_VM_CR 0xc0010114u
#define VM_CR_SVMDIS (1ull << 4)

#define SVM_FEATURE_NP (1u << 0)
#define SVM_FEATURE_NRIPS (1u << 3)

bool svm_caps_detect(void)
{
	struct cpuid_regs r = cpuid(0, 0);

	/* "AuthenticAMD" in EBX, EDX, ECX */
	return r.ebx == 0x68747541 && r.edx == 0x69746e65 && r.ecx == 0x444d4163 &&
	       cpuid(0x80000000, 0).eax >= 0x8000000a &&
	       (cpuid(0x80000001, 0).ecx & CPUID_80000001_ECX_SVM) != 0;
}

void svm_caps_probe(struct virt_caps *caps)
{
	struct cpuid_regs r = cpuid(0x8000000a, 0);
	uint64_t vm_cr = rdmsr(MSR_VM_CR);

	*caps = (struct virt_caps){ 0 };
	caps->revision = r.eax & 0xff;
	caps->tlb_tags = r.ebx;
	caps->tagged_tlb = r.ebx > 1;
	caps->stage2 = (r.edx & SVM_FEATURE_NP) != 0;
	caps->next_rip = (r.edx & SVM_FEATURE_NRIPS) != 0;
	caps->stage2_caps = r.edx;
	if (vm_cr & VM_CR_SVMDIS) {
		fmt_snprintf(caps->reason, sizeof(caps->reason),
			     "SVM disabled by firmware (VM_CR 0x%llx)", (unsigned long long)vm_cr);
		return;
	}
	caps->usable = true;
}

void svm_caps_describe(const struct virt_caps *caps, char *buf, size_t size)
{
	fmt_snprintf(buf, size, "AMD-V revision %u, NPT %s, nRIP save %s, ASIDs %u, "
		     "features 0x%llx",
		     caps->revision, yes_no(caps->stage2), yes_no(caps->next_rip),
		     caps->tlb_tags, (unsigned long long)caps->stage2_caps);
}
