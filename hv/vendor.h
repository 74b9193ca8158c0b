/*
 * The vendor seam: what hv's core needs from a virtualization backend
 * (VT-x in vmx/, AMD-V in svm/).  Each backend registers one const ops
 * table in the `vendor_backends` section; hv picks the one whose
 * `detect` accepts this CPU, so the core names no vendor.  Later issues
 * extend the contract (vCPU set-up, run, exit decoding).
 */
#ifndef HV_VENDOR_H
#define HV_VENDOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
};

#define VENDOR_BACKEND(ops) \
	static const struct vcpu_vendor_ops *const vendor_backend_##ops \
	__attribute__((used, section("vendor_backends"))) = &(ops)

/* The backend for this CPU, or NULL when none applies. */
const struct vcpu_vendor_ops *vendor_select(void);

static inline const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

#endif
