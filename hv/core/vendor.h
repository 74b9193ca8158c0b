/*
 * The vendor seam: what hv's core needs from a virtualization backend
 * (VT-x in vmx/, AMD-V in svm/).  Each backend registers one const ops
 * table in the `vendor_backends` section; hv picks the one whose
 * `detect` accepts this CPU, so the core names no vendor.
 *
 * Division of work: the core builds the partition (RAM, stage-2 tables
 * through the backend's entry encodings, the initial long-mode state) and
 * owns every exit handler (hv/emul/exit.c); a backend turns the CPU on for
 * virtualization, builds its VMCS/VMCB from struct vcpu_boot_state, enters
 * the guest, decodes each exit into struct exit_info and carries out the
 * core's enum exit_action.
 */
#ifndef HV_VENDOR_H
#define HV_VENDOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <arch/x86.h>
#include <emul/exit.h>
#include <mem/page_alloc.h>
#include <mem/stage2.h>
#include <part/vcpu.h>

/* Capabilities the core cares about, filled by the backend's probe. */
struct virt_caps {
	bool usable;          /* extension present and not disabled by firmware */
	char reason[80];      /* why not usable */
	uint32_t revision;    /* VMCS revision id / SVM revision */
	bool stage2;          /* EPT / NPT */
	bool tagged_tlb;      /* VPID / ASIDs */
	uint32_t tlb_tags;    /* number of ASIDs; 0 = not counted */
	bool next_rip;        /* exit reports the next RIP (VT-x always; AMD nRIP save) */
	bool unrestricted;    /* guest may run in real mode without help */
	bool true_controls;   /* VT-x TRUE capability MSRs */
	uint64_t stage2_caps; /* raw EPT/VPID capability MSR, or CPUID 0x8000000A EDX */
};

struct vcpu_vendor_ops {
	const char *name;                          /* "VT-x", "AMD-V" */
	bool (*detect)(void);                      /* CPUID says this backend applies */
	void (*probe)(struct virt_caps *caps);     /* read capabilities on this CPU */
	/* One line for the banner, e.g. "AMD-V revision 1, NPT yes, ..." */
	void (*describe)(const struct virt_caps *caps, char *buf, size_t size);

	/* Stage-2 entry encodings (EPT or NPT) for the core's table builder. */
	const struct stage2_format *stage2;

	/*
	 * Turns virtualization on for the calling CPU (VMXON; EFER.SVME and
	 * the host save area).  Returns 0, or -1 after logging the reason.
	 */
	int (*cpu_enable)(const struct virt_caps *caps, struct page_pool *pool);

	/*
	 * Prepares v to enter its guest on the calling CPU with the given
	 * initial state and stage-2 root.  Returns 0, or -1 after logging.
	 */
	int (*vcpu_init)(struct vcpu *v, const struct vcpu_boot_state *boot,
			 uint64_t stage2_root, struct page_pool *pool);

	/*
	 * Runs the guest until an exit the core must see; fills *exit.
	 * Guest GPRs are in v->regs on return.
	 */
	void (*vcpu_enter)(struct vcpu *v, struct exit_info *exit);

	/* Carries out the core's decision before the next vcpu_enter. */
	void (*vcpu_complete)(struct vcpu *v, const struct exit_info *exit,
			      enum exit_action action);

	/*
	 * Lets v's guest use ports [port, port + count) directly, without
	 * exits (an assigned device's I/O BAR).  Called by the core after each
	 * vcpu_init, which closes every port again.
	 */
	void (*io_allow)(struct vcpu *v, uint16_t port, uint16_t count);

	/* Guest registers the backend keeps in its VMCS/VMCB. */
	void (*get_state)(struct vcpu *v, struct vcpu_state *state);

	/*
	 * Optional: MSRs the backend keeps in its own structures (AMD-V's EFER,
	 * whose SVME bit the guest must neither see nor clear).  Return 0 when
	 * handled, -1 to inject #GP, 1 when the MSR is not the backend's.
	 */
	int (*msr_read)(struct vcpu *v, uint32_t msr, uint64_t *value);
	int (*msr_write)(struct vcpu *v, uint32_t msr, uint64_t value);

	/*
	 * Optional: hides CPUID features the backend cannot give a guest
	 * (VT-x: RDTSCP and INVPCID raise #UD unless their secondary
	 * controls are on).  Called after the core's own filtering.
	 */
	void (*cpuid_adjust)(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r);

	/* Drops v's cached stage-2 translations after a mapping was removed. */
	void (*stage2_flush)(struct vcpu *v);

	/* The 3-byte hypercall instruction (VMCALL or VMMCALL). */
	uint8_t hypercall_insn[3];
};

#define VENDOR_BACKEND(ops) \
	static const struct vcpu_vendor_ops *const vendor_backend_##ops \
	__attribute__((used, section("vendor_backends"))) = &(ops)

/* The backend for this CPU, or NULL when none applies. */
const struct vcpu_vendor_ops *vendor_select(void);

/* The backend chosen at start-up (set once by hv_main). */
extern const struct vcpu_vendor_ops *vendor;

static inline const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

#endif
