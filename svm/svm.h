/*
 * AMD-V definitions: the VMCB layout (AMD APM Vol. 2, Appendix B, "Layout
 * of VMCB"), intercept bits, exit codes (Appendix C), and the backend's
 * internal interfaces.  Offsets are checked with _Static_assert because
 * the CPU reads this structure byte for byte.
 */
#ifndef SVM_H
#define SVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <part/vcpu.h>

struct vmcb_segment {
	uint16_t selector;
	uint16_t attrib; /* descriptor bits 47:40 in 7:0, bits 55:52 in 11:8 */
	uint32_t limit;
	uint64_t base;
};

struct vmcb_control {
	uint32_t intercept_cr;        /* 0x000: reads 15:0, writes 31:16 */
	uint32_t intercept_dr;        /* 0x004 */
	uint32_t intercept_exceptions; /* 0x008 */
	uint32_t intercept_misc1;     /* 0x00c */
	uint32_t intercept_misc2;     /* 0x010 */
	uint32_t intercept_misc3;     /* 0x014 */
	uint8_t reserved0[0x03c - 0x018];
	uint16_t pause_threshold;     /* 0x03c */
	uint16_t pause_count;         /* 0x03e */
	uint64_t iopm_base;           /* 0x040 */
	uint64_t msrpm_base;          /* 0x048 */
	uint64_t tsc_offset;          /* 0x050 */
	uint32_t asid;                /* 0x058 */
	uint8_t tlb_control;          /* 0x05c */
	uint8_t reserved1[3];
	uint64_t vintr;               /* 0x060 */
	uint64_t interrupt_shadow;    /* 0x068 */
	uint64_t exit_code;           /* 0x070 */
	uint64_t exit_info1;          /* 0x078 */
	uint64_t exit_info2;          /* 0x080 */
	uint64_t exit_int_info;       /* 0x088 */
	uint64_t np_enable;           /* 0x090 */
	uint64_t avic_apic_bar;       /* 0x098 */
	uint64_t ghcb_pa;             /* 0x0a0 */
	uint64_t event_inject;        /* 0x0a8 */
	uint64_t n_cr3;               /* 0x0b0 */
	uint64_t lbr_virt;            /* 0x0b8 */
	uint32_t clean_bits;          /* 0x0c0 */
	uint32_t reserved2;
	uint64_t next_rip;            /* 0x0c8 */
	uint8_t insn_bytes_fetched;   /* 0x0d0 */
	uint8_t insn_bytes[15];
	uint8_t reserved3[0x400 - 0x0e0];
};

struct vmcb_save {
	struct vmcb_segment es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x400 */
	uint8_t reserved0[0x4cb - 0x4a0];
	uint8_t cpl;                  /* 0x4cb */
	uint32_t reserved1;
	uint64_t efer;                /* 0x4d0 */
	uint8_t reserved2[0x548 - 0x4d8];
	uint64_t cr4, cr3, cr0, dr7, dr6, rflags, rip; /* 0x548 */
	uint8_t reserved3[0x5d8 - 0x580];
	uint64_t rsp;                 /* 0x5d8 */
	uint8_t reserved4[0x5f8 - 0x5e0];
	uint64_t rax;                 /* 0x5f8 */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base; /* 0x600 */
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip, cr2; /* 0x628 */
	uint8_t reserved5[0x668 - 0x648];
	uint64_t g_pat;               /* 0x668 */
	uint8_t reserved6[0x1000 - 0x670];
};

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
};

_Static_assert(offsetof(struct vmcb, control.next_rip) == 0x0c8, "VMCB nRIP offset");
_Static_assert(offsetof(struct vmcb, save.cpl) == 0x4cb, "VMCB CPL offset");
_Static_assert(offsetof(struct vmcb, save.efer) == 0x4d0, "VMCB EFER offset");
_Static_assert(offsetof(struct vmcb, save.rip) == 0x578, "VMCB RIP offset");
_Static_assert(offsetof(struct vmcb, save.rax) == 0x5f8, "VMCB RAX offset");
_Static_assert(offsetof(struct vmcb, save.g_pat) == 0x668, "VMCB G_PAT offset");
_Static_assert(sizeof(struct vmcb) == 4096, "VMCB size");

/* intercept_misc1 (VMCB 0x00c) */
#define SVM_INTERCEPT_INTR (1u << 0)
#define SVM_INTERCEPT_NMI (1u << 1)
#define SVM_INTERCEPT_VINTR (1u << 4)
#define SVM_INTERCEPT_INIT (1u << 3)
#define SVM_INTERCEPT_CPUID (1u << 18)
#define SVM_INTERCEPT_INVD (1u << 22)
#define SVM_INTERCEPT_IOIO (1u << 27)
#define SVM_INTERCEPT_MSR (1u << 28)
#define SVM_INTERCEPT_SHUTDOWN (1u << 31)
#define SVM_INTERCEPT_INVLPGA (1u << 26)
#define SVM_INTERCEPT_HLT (1u << 24)
/* intercept_misc2 (VMCB 0x010) */
#define SVM_INTERCEPT_VMRUN (1u << 0)
#define SVM_INTERCEPT_VMMCALL (1u << 1)
#define SVM_INTERCEPT_VMLOAD (1u << 2)
#define SVM_INTERCEPT_VMSAVE (1u << 3)
#define SVM_INTERCEPT_STGI (1u << 4)
#define SVM_INTERCEPT_CLGI (1u << 5)
#define SVM_INTERCEPT_SKINIT (1u << 6)
#define SVM_INTERCEPT_XSETBV (1u << 13)

/* Exit codes (APM Vol. 2, Appendix C). */
#define SVM_EXIT_CR0_WRITE 0x010u
#define SVM_EXIT_CR4_WRITE 0x014u
#define SVM_EXIT_INTR 0x060u
#define SVM_EXIT_NMI 0x061u
#define SVM_EXIT_INIT 0x063u
#define SVM_EXIT_VINTR 0x064u
#define SVM_EXIT_CPUID 0x072u
#define SVM_EXIT_INVD 0x076u
#define SVM_EXIT_HLT 0x078u
#define SVM_EXIT_INVLPGA 0x07au
#define SVM_EXIT_IOIO 0x07bu
#define SVM_EXIT_MSR 0x07cu
#define SVM_EXIT_SHUTDOWN 0x07fu
#define SVM_EXIT_VMRUN 0x080u
#define SVM_EXIT_VMMCALL 0x081u
#define SVM_EXIT_VMLOAD 0x082u
#define SVM_EXIT_VMSAVE 0x083u
#define SVM_EXIT_STGI 0x084u
#define SVM_EXIT_CLGI 0x085u
#define SVM_EXIT_SKINIT 0x086u
#define SVM_EXIT_XSETBV 0x08du
#define SVM_EXIT_NPF 0x400u
#define SVM_EXIT_INVALID 0xffffffffffffffffull

/* VINTR (VMCB 0x060) */
#define SVM_VINTR_V_IRQ (1ull << 8)
#define SVM_VINTR_PRIO_MAX (0xfull << 16)
#define SVM_VINTR_IGN_TPR (1ull << 20)

/* EVENTINJ (VMCB 0x0a8) */
#define SVM_EVENT_TYPE_INTR (0ull << 8)
#define SVM_EVENT_VALID (1ull << 31)
#define SVM_EVENT_ERROR_VALID (1ull << 11)
#define SVM_EVENT_TYPE_EXCEPTION (3ull << 8)

#define MSR_VM_HSAVE_PA 0xc0010117u

/* Per-vCPU state of the backend (vcpu->vendor). */
struct svm_vcpu {
	struct vmcb *vmcb;         /* guest VMCB (identity-mapped page) */
	struct vmcb *host_vmcb;    /* VMSAVE area for the host's hidden state */
	uint8_t *iopm;             /* 12 KiB: one bit per port */
	uint8_t *msrpm;            /* 8 KiB: two bits per MSR */
	int insn_len;              /* length of the exiting instruction, -1 if unknown */
};

struct virt_caps;
struct page_pool;
struct vcpu_boot_state;

extern const struct stage2_format svm_npt_format;

/* Whether the CPU reports the next RIP on exits (set by svm_cpu_enable). */
extern bool svm_has_nrip;

bool svm_caps_detect(void);
void svm_caps_probe(struct virt_caps *caps);
void svm_caps_describe(const struct virt_caps *caps, char *buf, size_t size);
int svm_cpu_enable(const struct virt_caps *caps, struct page_pool *pool);
int svm_vcpu_init(struct vcpu *v, const struct vcpu_boot_state *boot, uint64_t stage2_root,
		  struct page_pool *pool);
void svm_io_allow(struct vcpu *v, uint16_t port, uint16_t count);

/* svm_entry.asm: VMSAVE host, VMLOAD guest, VMRUN, VMSAVE guest, VMLOAD host. */
void svm_vmrun(uint64_t vmcb_pa, uint64_t host_vmcb_pa, struct vcpu_regs *regs);


#endif
