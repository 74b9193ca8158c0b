/*
 * VT-x model-specific registers, the capability bits we read from them and
 * the VMX control bits they describe (Intel SDM Vol. 3, Appendix A for the
 * capability MSRs, "VM-Execution/VM-Exit/VM-Entry Control Fields" for the
 * control bits, Vol. 4 for the MSR numbers).
 */
#ifndef VMX_MSR_H
#define VMX_MSR_H

/* Capability MSRs (SDM Appendix A). */
#define MSR_VMX_BASIC 0x480u
#define MSR_VMX_PINBASED_CTLS 0x481u
#define MSR_VMX_PROCBASED_CTLS 0x482u
#define MSR_VMX_EXIT_CTLS 0x483u
#define MSR_VMX_ENTRY_CTLS 0x484u
#define MSR_VMX_MISC 0x485u
#define MSR_VMX_CR0_FIXED0 0x486u
#define MSR_VMX_CR0_FIXED1 0x487u
#define MSR_VMX_CR4_FIXED0 0x488u
#define MSR_VMX_CR4_FIXED1 0x489u
#define MSR_VMX_PROCBASED_CTLS2 0x48bu
#define MSR_VMX_EPT_VPID_CAP 0x48cu
#define MSR_VMX_TRUE_PINBASED_CTLS 0x48du
#define MSR_VMX_TRUE_PROCBASED_CTLS 0x48eu
#define MSR_VMX_TRUE_EXIT_CTLS 0x48fu
#define MSR_VMX_TRUE_ENTRY_CTLS 0x490u

/* Other architectural MSRs the host and guest state refer to. */
#define MSR_SYSENTER_CS 0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u
#define MSR_PAT 0x277u
#define MSR_TSC 0x010u
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_CSTAR 0xc0000083u
#define MSR_SFMASK 0xc0000084u
#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_TSC_AUX 0xc0000103u

#define EFER_LMA (1ull << 10) /* arch/x86.h has the other EFER bits */

#define FEATURE_CONTROL_LOCKED (1ull << 0)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX (1ull << 2)

#define VMX_BASIC_REVISION_MASK 0x7fffffffull
#define VMX_BASIC_TRUE_CTLS (1ull << 55)

#define VMX_MISC_ACTIVITY_HLT (1ull << 6)

/* IA32_VMX_EPT_VPID_CAP (SDM Appendix A). */
#define EPT_CAP_WALK_4 (1ull << 6)
#define EPT_CAP_WB (1ull << 14)
#define EPT_CAP_INVEPT (1ull << 20)
#define EPT_CAP_INVEPT_SINGLE (1ull << 25)
#define EPT_CAP_INVEPT_ALL (1ull << 26)
#define VPID_CAP_INVVPID (1ull << 32)
#define VPID_CAP_INVVPID_SINGLE (1ull << 41)
#define VPID_CAP_INVVPID_ALL (1ull << 42)

/* Pin-based VM-execution controls. */
#define VMX_PIN_EXTERNAL_INTR (1u << 0)
#define VMX_PIN_NMI_EXITING (1u << 3)
#define VMX_PIN_VIRTUAL_NMIS (1u << 5)

/* Primary processor-based VM-execution controls. */
#define VMX_PROC_INTR_WINDOW (1u << 2)
#define VMX_PROC_HLT_EXITING (1u << 7)
#define VMX_PROC_CR3_LOAD (1u << 15)
#define VMX_PROC_CR3_STORE (1u << 16)
#define VMX_PROC_IO_BITMAPS (1u << 25)
#define VMX_PROC_MSR_BITMAPS (1u << 28)
#define VMX_PROC_SECONDARY_CONTROLS (1u << 31)

/* Secondary processor-based VM-execution controls. */
#define VMX_PROC2_EPT (1u << 1)
#define VMX_PROC2_RDTSCP (1u << 3)
#define VMX_PROC2_VPID (1u << 5)
#define VMX_PROC2_UNRESTRICTED_GUEST (1u << 7)
#define VMX_PROC2_INVPCID (1u << 12)
#define VMX_PROC2_XSAVES (1u << 20)

/* VM-exit controls. */
#define VMX_EXIT_SAVE_DEBUG (1u << 2)
#define VMX_EXIT_HOST_64 (1u << 9)
#define VMX_EXIT_SAVE_PAT (1u << 18)
#define VMX_EXIT_LOAD_PAT (1u << 19)
#define VMX_EXIT_SAVE_EFER (1u << 20)
#define VMX_EXIT_LOAD_EFER (1u << 21)

/* VM-entry controls. */
#define VMX_ENTRY_LOAD_DEBUG (1u << 2)
#define VMX_ENTRY_IA32E_GUEST (1u << 9)
#define VMX_ENTRY_LOAD_PAT (1u << 14)
#define VMX_ENTRY_LOAD_EFER (1u << 15)

#endif
