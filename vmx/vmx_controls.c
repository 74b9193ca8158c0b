/*
 * The VM-execution, VM-exit and VM-entry controls.  Each control we want
 * is listed with whether we cannot run without it; the final value is
 * derived from the capability MSRs (the TRUE ones when IA32_VMX_BASIC
 * says they exist): allowed-0 bits forced on, allowed-1 bits the only
 * ones that may be set (SDM Vol. 3, Appendix A).
 */
#include "vmcs_fields.h"
#include "vmx.h"
#include "vmx_msr.h"

#include <arch/x86.h>
#include <core/console.h>

struct ctl_bit {
	uint32_t bit;
	bool required;
	const char *name;
};

struct ctl_field {
	const char *what;
	uint32_t field;     /* VMCS encoding */
	uint32_t msr;       /* capability MSR */
	uint32_t true_msr;  /* its TRUE variant, 0 when there is none */
	const struct ctl_bit *bits;
	unsigned count;
};

#define FIELD(what, field, msr, true_msr, bits) \
	{ what, field, msr, true_msr, bits, sizeof(bits) / sizeof(bits[0]) }

/*
 * External-interrupt exiting: hv's wake-up and timer interrupts
 * (hv/core/apic.h) end the run of a vCPU that waits in host mode; it is
 * cleared again for the others (vmx_setup_controls).
 */
static const struct ctl_bit pin_bits[] = {
	{ VMX_PIN_EXTERNAL_INTR, true, "external-interrupt exiting" },
	{ VMX_PIN_NMI_EXITING, true, "NMI exiting" },
};

/* Everything else (CR3/CR8 loads, INVLPG, RDTSC, MOV DR) runs in the guest. */
static const struct ctl_bit proc_bits[] = {
	{ VMX_PROC_HLT_EXITING, true, "HLT exiting" },
	{ VMX_PROC_IO_BITMAPS, true, "use I/O bitmaps" },
	{ VMX_PROC_MSR_BITMAPS, true, "use MSR bitmaps" },
	{ VMX_PROC_SECONDARY_CONTROLS, true, "activate secondary controls" },
};

/* RDTSCP, INVPCID and XSAVES raise #UD in a guest unless enabled here. */
static const struct ctl_bit proc2_bits[] = {
	{ VMX_PROC2_EPT, true, "enable EPT" },
	{ VMX_PROC2_VPID, true, "enable VPID" },
	{ VMX_PROC2_UNRESTRICTED_GUEST, true, "unrestricted guest" },
	{ VMX_PROC2_RDTSCP, false, "enable RDTSCP" },
	{ VMX_PROC2_INVPCID, false, "enable INVPCID" },
	{ VMX_PROC2_XSAVES, false, "enable XSAVES/XRSTORS" },
};

/* DR7 and IA32_DEBUGCTL follow the guest only with save/load debug controls. */
static const struct ctl_bit exit_bits[] = {
	{ VMX_EXIT_HOST_64, true, "host address-space size" },
	{ VMX_EXIT_SAVE_EFER, true, "save IA32_EFER" },
	{ VMX_EXIT_LOAD_EFER, true, "load IA32_EFER" },
	{ VMX_EXIT_SAVE_PAT, true, "save IA32_PAT" },
	{ VMX_EXIT_LOAD_PAT, true, "load IA32_PAT" },
	{ VMX_EXIT_SAVE_DEBUG, false, "save debug controls" },
};

static const struct ctl_bit entry_bits[] = {
	{ VMX_ENTRY_IA32E_GUEST, true, "IA-32e mode guest" },
	{ VMX_ENTRY_LOAD_EFER, true, "load IA32_EFER" },
	{ VMX_ENTRY_LOAD_PAT, true, "load IA32_PAT" },
	{ VMX_ENTRY_LOAD_DEBUG, false, "load debug controls" },
};

enum { CTL_PIN, CTL_PROC, CTL_PROC2, CTL_EXIT, CTL_ENTRY, CTL_COUNT };

static const struct ctl_field fields[CTL_COUNT] = {
	[CTL_PIN] = FIELD("pin-based", VMCS_PIN_CONTROLS, MSR_VMX_PINBASED_CTLS,
			  MSR_VMX_TRUE_PINBASED_CTLS, pin_bits),
	[CTL_PROC] = FIELD("processor-based", VMCS_PROC_CONTROLS, MSR_VMX_PROCBASED_CTLS,
			   MSR_VMX_TRUE_PROCBASED_CTLS, proc_bits),
	[CTL_PROC2] = FIELD("secondary processor-based", VMCS_PROC2_CONTROLS,
			    MSR_VMX_PROCBASED_CTLS2, 0, proc2_bits),
	[CTL_EXIT] = FIELD("VM-exit", VMCS_EXIT_CONTROLS, MSR_VMX_EXIT_CTLS,
			   MSR_VMX_TRUE_EXIT_CTLS, exit_bits),
	[CTL_ENTRY] = FIELD("VM-entry", VMCS_ENTRY_CONTROLS, MSR_VMX_ENTRY_CTLS,
			    MSR_VMX_TRUE_ENTRY_CTLS, entry_bits),
};

/* Wanted bits the CPU allows, plus the bits it insists on; -1 if a required one is missing. */
static int ctl_compute(const struct ctl_field *f, bool use_true, uint32_t *out)
{
	uint64_t cap = rdmsr(use_true && f->true_msr ? f->true_msr : f->msr);
	uint32_t must = (uint32_t)cap, may = (uint32_t)(cap >> 32), want = 0;
	int rc = 0;

	for (unsigned i = 0; i < f->count; i++) {
		if (may & f->bits[i].bit) {
			want |= f->bits[i].bit;
		} else if (f->bits[i].required) {
			log_error("vmx: this CPU lacks the %s control \"%s\", which hv requires",
				  f->what, f->bits[i].name);
			rc = -1;
		}
	}
	*out = (want | must) & may;
	return rc;
}

/* Fields of features we leave off still need defined values: all zero. */
static void unused_controls(void)
{
	vmcs_write(VMCS_EXCEPTION_BITMAP, 0);
	vmcs_write(VMCS_PF_ERROR_MASK, 0);
	vmcs_write(VMCS_PF_ERROR_MATCH, 0);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write(VMCS_TSC_OFFSET, 0);
}

int vmx_setup_controls(struct vmx_vcpu *vv, bool wait_in_host)
{
	bool use_true = (rdmsr(MSR_VMX_BASIC) & VMX_BASIC_TRUE_CTLS) != 0;
	uint32_t value[CTL_COUNT];
	int rc = 0;

	for (unsigned i = 0; i < CTL_COUNT; i++) {
		/* The secondary MSR exists only when the primary controls allow it. */
		if (i == CTL_PROC2 && rc != 0)
			return -1;
		rc |= ctl_compute(&fields[i], use_true, &value[i]);
	}
	if (rc != 0)
		return -1;
	if (!wait_in_host)
		value[CTL_PIN] &= ~VMX_PIN_EXTERNAL_INTR | (uint32_t)rdmsr(use_true ?
				MSR_VMX_TRUE_PINBASED_CTLS : MSR_VMX_PINBASED_CTLS);
	for (unsigned i = 0; i < CTL_COUNT; i++)
		vmcs_write(fields[i].field, value[i]);
	unused_controls();
	/* Interrupt-window exiting is switched on per entry, while an interrupt waits. */
	vv->proc_controls = value[CTL_PROC];
	vv->intr_window_ok = (rdmsr(use_true ? MSR_VMX_TRUE_PROCBASED_CTLS : MSR_VMX_PROCBASED_CTLS) >>
			      32) & VMX_PROC_INTR_WINDOW;
	if (value[CTL_PROC2] & VMX_PROC2_XSAVES)
		vmcs_write(VMCS_XSS_EXIT_BITMAP, 0); /* no XSAVES/XRSTORS component exits */
	vv->hlt_activity = (rdmsr(MSR_VMX_MISC) & VMX_MISC_ACTIVITY_HLT) != 0;
	log_info("vmx: controls pin 0x%x proc 0x%x proc2 0x%x exit 0x%x entry 0x%x",
		 value[CTL_PIN], value[CTL_PROC], value[CTL_PROC2], value[CTL_EXIT],
		 value[CTL_ENTRY]);
	return 0;
}
