/*
 * VMCS field encodings for VMREAD/VMWRITE, and the layouts of the fields
 * we decode (exit reasons, qualifications, interruption information).
 * Encodings: Intel SDM Vol. 3, Appendix B ("Field Encoding in VMCS");
 * exit reasons: Appendix C; qualifications: "Basic VM-Exit Information".
 */
#ifndef VMCS_FIELDS_H
#define VMCS_FIELDS_H

/* 16-bit fields (B.1). */
#define VMCS_VPID 0x0000u
#define VMCS_GUEST_ES_SEL 0x0800u /* ES, CS, SS, DS, FS, GS, LDTR, TR: +2 each */
#define VMCS_GUEST_CS_SEL 0x0802u
#define VMCS_GUEST_SS_SEL 0x0804u
#define VMCS_GUEST_DS_SEL 0x0806u
#define VMCS_GUEST_FS_SEL 0x0808u
#define VMCS_GUEST_GS_SEL 0x080au
#define VMCS_GUEST_LDTR_SEL 0x080cu
#define VMCS_GUEST_TR_SEL 0x080eu
#define VMCS_HOST_ES_SEL 0x0c00u
#define VMCS_HOST_CS_SEL 0x0c02u
#define VMCS_HOST_SS_SEL 0x0c04u
#define VMCS_HOST_DS_SEL 0x0c06u
#define VMCS_HOST_FS_SEL 0x0c08u
#define VMCS_HOST_GS_SEL 0x0c0au
#define VMCS_HOST_TR_SEL 0x0c0cu

/* 64-bit fields (B.2). */
#define VMCS_IO_BITMAP_A 0x2000u
#define VMCS_IO_BITMAP_B 0x2002u
#define VMCS_MSR_BITMAP 0x2004u
#define VMCS_EXIT_MSR_STORE_ADDR 0x2006u
#define VMCS_EXIT_MSR_LOAD_ADDR 0x2008u
#define VMCS_ENTRY_MSR_LOAD_ADDR 0x200au
#define VMCS_TSC_OFFSET 0x2010u
#define VMCS_EPT_POINTER 0x201au
#define VMCS_XSS_EXIT_BITMAP 0x202cu
#define VMCS_GUEST_PHYS_ADDR 0x2400u
#define VMCS_LINK_POINTER 0x2800u
#define VMCS_GUEST_DEBUGCTL 0x2802u
#define VMCS_GUEST_PAT 0x2804u
#define VMCS_GUEST_EFER 0x2806u
#define VMCS_GUEST_PDPTE0 0x280au /* PDPTE0..3: +2 each */
#define VMCS_HOST_PAT 0x2c00u
#define VMCS_HOST_EFER 0x2c02u

/* 32-bit fields (B.3). */
#define VMCS_PIN_CONTROLS 0x4000u
#define VMCS_PROC_CONTROLS 0x4002u
#define VMCS_EXCEPTION_BITMAP 0x4004u
#define VMCS_PF_ERROR_MASK 0x4006u
#define VMCS_PF_ERROR_MATCH 0x4008u
#define VMCS_CR3_TARGET_COUNT 0x400au
#define VMCS_EXIT_CONTROLS 0x400cu
#define VMCS_EXIT_MSR_STORE_COUNT 0x400eu
#define VMCS_EXIT_MSR_LOAD_COUNT 0x4010u
#define VMCS_ENTRY_CONTROLS 0x4012u
#define VMCS_ENTRY_MSR_LOAD_COUNT 0x4014u
#define VMCS_ENTRY_INTR_INFO 0x4016u
#define VMCS_ENTRY_EXCEPTION_ERROR 0x4018u
#define VMCS_ENTRY_INSN_LEN 0x401au
#define VMCS_PROC2_CONTROLS 0x401eu
#define VMCS_INSN_ERROR 0x4400u
#define VMCS_EXIT_REASON 0x4402u
#define VMCS_EXIT_INTR_INFO 0x4404u
#define VMCS_EXIT_INTR_ERROR 0x4406u
#define VMCS_IDT_VECTORING_INFO 0x4408u
#define VMCS_IDT_VECTORING_ERROR 0x440au
#define VMCS_EXIT_INSN_LEN 0x440cu
#define VMCS_EXIT_INSN_INFO 0x440eu
#define VMCS_GUEST_ES_LIMIT 0x4800u /* ES..TR limits: +2 each */
#define VMCS_GUEST_GDTR_LIMIT 0x4810u
#define VMCS_GUEST_IDTR_LIMIT 0x4812u
#define VMCS_GUEST_ES_AR 0x4814u /* ES..TR access rights: +2 each */
#define VMCS_GUEST_CS_AR 0x4816u
#define VMCS_GUEST_SS_AR 0x4818u
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824u
#define VMCS_GUEST_ACTIVITY 0x4826u
#define VMCS_GUEST_SYSENTER_CS 0x482au
#define VMCS_HOST_SYSENTER_CS 0x4c00u

/* Natural-width fields (B.4). */
#define VMCS_CR0_MASK 0x6000u
#define VMCS_CR4_MASK 0x6002u
#define VMCS_CR0_SHADOW 0x6004u
#define VMCS_CR4_SHADOW 0x6006u
#define VMCS_EXIT_QUALIFICATION 0x6400u
#define VMCS_GUEST_LINEAR_ADDR 0x640au
#define VMCS_GUEST_CR0 0x6800u
#define VMCS_GUEST_CR3 0x6802u
#define VMCS_GUEST_CR4 0x6804u
#define VMCS_GUEST_ES_BASE 0x6806u /* ES..TR bases: +2 each */
#define VMCS_GUEST_GDTR_BASE 0x6816u
#define VMCS_GUEST_IDTR_BASE 0x6818u
#define VMCS_GUEST_DR7 0x681au
#define VMCS_GUEST_RSP 0x681cu
#define VMCS_GUEST_RIP 0x681eu
#define VMCS_GUEST_RFLAGS 0x6820u
#define VMCS_GUEST_PENDING_DBG 0x6822u
#define VMCS_GUEST_SYSENTER_ESP 0x6824u
#define VMCS_GUEST_SYSENTER_EIP 0x6826u
#define VMCS_HOST_CR0 0x6c00u
#define VMCS_HOST_CR3 0x6c02u
#define VMCS_HOST_CR4 0x6c04u
#define VMCS_HOST_FS_BASE 0x6c06u
#define VMCS_HOST_GS_BASE 0x6c08u
#define VMCS_HOST_TR_BASE 0x6c0au
#define VMCS_HOST_GDTR_BASE 0x6c0cu
#define VMCS_HOST_IDTR_BASE 0x6c0eu
#define VMCS_HOST_SYSENTER_ESP 0x6c10u
#define VMCS_HOST_SYSENTER_EIP 0x6c12u
#define VMCS_HOST_RSP 0x6c14u
#define VMCS_HOST_RIP 0x6c16u

/* Segment order of the guest segment fields (selector/base/limit/AR + 2 * n). */
enum vmcs_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

/* Segment access rights, as in the guest-state area (SDM "Guest Register State"). */
#define AR_TYPE_DATA_RW_ACCESSED 0x3u
#define AR_TYPE_CODE_XR_ACCESSED 0xbu
#define AR_TYPE_TSS64_BUSY 0xbu
#define AR_S (1u << 4)        /* code or data, not system */
#define AR_DPL_SHIFT 5
#define AR_P (1u << 7)
#define AR_L (1u << 13)       /* 64-bit code */
#define AR_DB (1u << 14)
#define AR_G (1u << 15)
#define AR_UNUSABLE (1u << 16)

/* Guest interruptibility state and activity state (SDM "Guest Non-Register State"). */
#define INTR_BLOCK_STI (1u << 0)
#define INTR_BLOCK_MOV_SS (1u << 1)
#define ACTIVITY_ACTIVE 0u
#define ACTIVITY_HLT 1u

/* Interruption information of exits, IDT vectoring and entry event injection. */
#define INTR_INFO_VECTOR_MASK 0xffu
#define INTR_INFO_TYPE_SHIFT 8
#define INTR_INFO_TYPE_MASK (7u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_EXT_INTR 0u
#define INTR_TYPE_NMI 2u
#define INTR_TYPE_HW_EXCEPTION 3u
#define INTR_TYPE_SW_INTR 4u
#define INTR_TYPE_PRIV_SW_EXCEPTION 5u
#define INTR_TYPE_SW_EXCEPTION 6u
#define INTR_INFO_ERROR_VALID (1u << 11)
#define INTR_INFO_NMI_UNBLOCK (1u << 12)
#define INTR_INFO_VALID (1u << 31)

#define VECTOR_UD 6u
#define VECTOR_GP 13u

/* Basic exit reasons (SDM Appendix C); bit 31 of the field = entry failure. */
#define VMX_EXIT_EXCEPTION_NMI 0u
#define VMX_EXIT_EXTERNAL_INTR 1u
#define VMX_EXIT_TRIPLE_FAULT 2u
#define VMX_EXIT_INIT 3u
#define VMX_EXIT_INTR_WINDOW 7u
#define VMX_EXIT_CPUID 10u
#define VMX_EXIT_HLT 12u
#define VMX_EXIT_INVD 13u
#define VMX_EXIT_VMCALL 18u
#define VMX_EXIT_VMCLEAR 19u /* 19..27: VMCLEAR .. VMXON */
#define VMX_EXIT_VMXON 27u
#define VMX_EXIT_CR_ACCESS 28u
#define VMX_EXIT_IO 30u
#define VMX_EXIT_RDMSR 31u
#define VMX_EXIT_WRMSR 32u
#define VMX_EXIT_BAD_GUEST_STATE 33u
#define VMX_EXIT_BAD_MSR_LOAD 34u
#define VMX_EXIT_EPT_VIOLATION 48u
#define VMX_EXIT_EPT_MISCONFIG 49u
#define VMX_EXIT_INVEPT 50u
#define VMX_EXIT_INVVPID 53u
#define VMX_EXIT_XSETBV 55u
#define VMX_EXIT_REASON_BASIC 0xffffu
#define VMX_EXIT_REASON_ENTRY_FAIL (1u << 31)

/* Qualification of control-register accesses (SDM table "Exit Qualification
 * for Control-Register Accesses"). */
#define CRQ_CR(q) ((unsigned)(q) & 0xfu)
#define CRQ_TYPE(q) (((unsigned)(q) >> 4) & 3u) /* 0 = MOV to CR */
#define CRQ_GPR(q) (((unsigned)(q) >> 8) & 0xfu)

/* Qualification of I/O instructions (SDM table "Exit Qualification for I/O
 * Instructions"). */
#define IOQ_SIZE(q) (((unsigned)(q) & 7u) + 1u)
#define IOQ_IN (1u << 3)
#define IOQ_STRING (1u << 4)
#define IOQ_REP (1u << 5)
#define IOQ_PORT(q) ((uint16_t)((q) >> 16))

/* Qualification of EPT violations (SDM table "Exit Qualification for EPT
 * Violations"). */
#define EPTQ_READ (1u << 0)
#define EPTQ_WRITE (1u << 1)
#define EPTQ_EXEC (1u << 2)

#endif
