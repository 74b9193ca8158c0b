/*
 * VT-x model-specific registers and the capability bits we read from them
 * (Intel SDM Vol. 3, Appendix A and Vol. 4).
 */
#ifndef VMX_MSR_H
#define VMX_MSR_H

#define MSR_VMX_BASIC 0x480u
#define MSR_VMX_PROCBASED_CTLS 0x482u
#define MSR_VMX_PROCBASED_CTLS2 0x48bu
#define MSR_VMX_EPT_VPID_CAP 0x48cu
#define MSR_VMX_TRUE_PROCBASED_CTLS 0x48eu

#define FEATURE_CONTROL_LOCKED (1ull << 0)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX (1ull << 2)

#define VMX_BASIC_REVISION_MASK 0x7fffffffull
#define VMX_BASIC_TRUE_CTLS (1ull << 55)

#define VMX_PROC_SECONDARY_CONTROLS (1ull << 31)
#define VMX_PROC2_EPT (1ull << 1)
#define VMX_PROC2_VPID (1ull << 5)
#define VMX_PROC2_UNRESTRICTED_GUEST (1ull << 7)

#endif
