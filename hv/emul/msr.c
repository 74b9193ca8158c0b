/*
 * MSR accesses that reach the core (the backends let the guest-owned MSRs
 * such as FS_BASE or LSTAR through without an exit).  An allow-list: the
 * Hyper-V synthetic MSRs, a few host MSRs a kernel reads at start-up (those
 * this CPU has, msr_host.c; read through the fixup table, host_cpu.c),
 * and nothing else.  Unknown MSRs inject #GP as on a CPU that lacks them;
 * writes to MSRs that control virtualization itself fault the partition.
 */
#include <emul/emulate.h>

#include <core/console.h>
#include <core/timer.h>
#include <core/vendor.h>
#include <emul/guest_crash.h>
#include <emul/host_cpu.h>
#include <emul/msr_host.h>
#include <part/partition.h>
#include <plat/platform.h>
#include <plat/reftime.h>

#include <arch/x86.h>
#include <hv/hypercall.h>

#define MSR_VM_CR 0xc0010114u
#define MSR_VM_HSAVE_PA 0xc0010117u
#define MSR_SMM_MONITOR_CTL 0x9bu
#define FEATURE_CONTROL_LOCKED_NO_VMX 1ull
#define MSR_REFUSALS_LOGGED 16u

/* A host MSR this CPU has; false (#GP for the guest) if hv's RDMSR faulted all the same. */
static bool host_read(struct vcpu *v, uint32_t msr, uint64_t *value)
{
	uint64_t fault = host_cpu_rdmsr(msr, value);

	if (fault != 0)
		log_warn("partition %s: RDMSR 0x%x took vector %llu in hv", v->partition->cfg->name,
			 msr, (unsigned long long)(fault & 0xff));
	return fault == 0;
}

/* MSRs that steer virtualization: a write is an attack on hv, not a mistake. */
static bool forbidden_write(uint32_t msr)
{
	return msr == MSR_FEATURE_CONTROL || msr == MSR_VM_CR || msr == MSR_VM_HSAVE_PA ||
	       msr == MSR_SMM_MONITOR_CTL;
}

/* The MSRs the core answers itself; false for any other. */
static bool core_msr_read(struct vcpu *v, uint32_t msr, uint64_t *value)
{
	if (msr == HV_X64_MSR_GUEST_OS_ID)
		*value = v->partition->guest_os_id;
	else if (msr == HV_X64_MSR_HYPERCALL)
		*value = v->partition->hypercall_msr;
	else if (msr == HV_X64_MSR_VP_INDEX)
		*value = v->vp_index;
	else if (msr == HV_X64_MSR_TSC_FREQUENCY)
		*value = timer_tsc_hz();
	else if (msr == HV_X64_MSR_APIC_FREQUENCY)
		*value = PLATFORM_APIC_HZ; /* a kernel that reads it skips calibrating */
	else if (msr == HV_X64_MSR_VP_ASSIST_PAGE)
		*value = v->vp_assist_page;
	else if (msr == HV_X64_MSR_TIME_REF_COUNT)
		*value = reftime_now();
	else if (msr == HV_X64_MSR_REFERENCE_TSC)
		*value = v->partition->reference_tsc;
	else if (guest_crash_msr_read(&v->partition->crash, msr, value))
		return true;
	else if (msr == MSR_FEATURE_CONTROL)
		*value = FEATURE_CONTROL_LOCKED_NO_VMX; /* as firmware that locked VMX off */
	else if (msr_host_readable(host_cpu_msr_caps(), msr))
		return host_read(v, msr, value);
	else
		return synic_msr_read(v, msr, value);
	return true;
}

/*
 * A guest kernel may log only its first refused MSR (Linux does), so hv
 * logs each refusal itself, the first few of each partition start.
 */
static enum exit_action refuse(struct vcpu *v, const char *access, uint32_t msr, uint64_t value)
{
	struct partition *p = v->partition;
	uint32_t n = __atomic_add_fetch(&p->msr_refusals, 1, __ATOMIC_RELAXED);

	if (n <= MSR_REFUSALS_LOGGED)
		log_warn("partition %s: %s of MSR 0x%x (value 0x%llx) refused with #GP%s",
			 p->cfg->name, access, msr, (unsigned long long)value,
			 n == MSR_REFUSALS_LOGGED ? "; further refusals are not logged" : "");
	return ACTION_INJECT_GP;
}

enum exit_action guest_msr_read(struct vcpu *v, uint32_t msr)
{
	uint64_t value = 0;
	int backend = vendor->msr_read != NULL ? vendor->msr_read(v, msr, &value) : 1;

	if (backend > 0)
		backend = platform_msr_read(v, msr, &value);

	if (backend < 0 || (backend > 0 && !core_msr_read(v, msr, &value)))
		return refuse(v, "RDMSR", msr, 0);
	regs_set_edx_eax(&v->regs, value);
	return ACTION_NEXT;
}

/* Enables the hypercall page: hv writes the call instruction and RET there. */
static enum exit_action write_hypercall_msr(struct vcpu *v, uint64_t value)
{
	uint8_t *page;

	if (v->partition->guest_os_id == 0 || !(value & HV_HYPERCALL_ENABLE)) {
		v->partition->hypercall_msr = value & ~HV_HYPERCALL_ENABLE; /* TLFS: needs a guest OS id */
		return ACTION_NEXT;
	}
	page = partition_gpa_to_host(v->partition, value & HV_HYPERCALL_GPA_MASK, PAGE_SIZE);
	if (page == NULL)
		return ACTION_INJECT_GP;
	page[0] = vendor->hypercall_insn[0];
	page[1] = vendor->hypercall_insn[1];
	page[2] = vendor->hypercall_insn[2];
	page[3] = 0xc3; /* ret */
	v->partition->hypercall_msr = value & (HV_HYPERCALL_GPA_MASK | HV_HYPERCALL_ENABLE);
	return ACTION_NEXT;
}

/*
 * Enables the reference TSC page: one scale and offset for every
 * partition, so they all read the root's time base.  The values never
 * change while hv runs, so the sequence is written once, last.
 */
static enum exit_action write_reference_tsc_msr(struct vcpu *v, uint64_t value)
{
	struct hv_reference_tsc_page *page;

	if (value & HV_REFERENCE_TSC_ENABLE) {
		page = partition_gpa_to_host(v->partition, value & HV_HYPERCALL_GPA_MASK, PAGE_SIZE);
		if (page == NULL)
			return ACTION_INJECT_GP;
		page->tsc_scale = reftime_scale();
		page->tsc_offset = reftime_offset();
		__atomic_store_n(&page->tsc_sequence, 1, __ATOMIC_RELEASE);
	}
	v->partition->reference_tsc = value & (HV_HYPERCALL_GPA_MASK | HV_REFERENCE_TSC_ENABLE);
	return ACTION_NEXT;
}

/*
 * The VP assist page (Linux writes it unconditionally): kept and read
 * back; hv offers none of the enlightenments that use it.
 */
static enum exit_action write_vp_assist_msr(struct vcpu *v, uint64_t value)
{
	if ((value & HV_HYPERCALL_ENABLE) &&
	    partition_gpa_to_host(v->partition, value & HV_HYPERCALL_GPA_MASK, PAGE_SIZE) == NULL)
		return refuse(v, "WRMSR", HV_X64_MSR_VP_ASSIST_PAGE, value);
	v->vp_assist_page = value & (HV_HYPERCALL_GPA_MASK | HV_HYPERCALL_ENABLE);
	return ACTION_NEXT;
}

/* The guest crash registers: the first CRASH_NOTIFY of a run is logged with the words. */
static enum exit_action write_crash_msr(struct vcpu *v, uint32_t msr, uint64_t value)
{
	struct partition *p = v->partition;
	const uint64_t *w = p->crash.params;

	switch (guest_crash_msr_write(&p->crash, msr, value)) {
	case GUEST_CRASH_REPORTED:
		log_warn("partition %s: the guest reported a crash (vCPU %u): P0 0x%llx P1 0x%llx "
			 "P2 0x%llx P3 0x%llx P4 0x%llx", p->cfg->name, v->vp_index,
			 (unsigned long long)w[0], (unsigned long long)w[1],
			 (unsigned long long)w[2], (unsigned long long)w[3],
			 (unsigned long long)w[4]);
		return ACTION_NEXT;
	case GUEST_CRASH_REFUSED:
		return refuse(v, "WRMSR", msr, value);
	default:
		return ACTION_NEXT;
	}
}

enum exit_action guest_msr_write(struct vcpu *v, uint32_t msr)
{
	uint64_t value = regs_edx_eax(&v->regs), current;
	int backend = vendor->msr_write != NULL ? vendor->msr_write(v, msr, value) : 1;

	if (backend > 0)
		backend = platform_msr_write(v, msr, value);
	if (backend <= 0)
		return backend == 0 ? ACTION_NEXT : ACTION_INJECT_GP;
	if (msr == HV_X64_MSR_GUEST_OS_ID) {
		v->partition->guest_os_id = value;
		if (value == 0)
			v->partition->hypercall_msr &= ~HV_HYPERCALL_ENABLE;
		return ACTION_NEXT;
	}
	if (msr == HV_X64_MSR_HYPERCALL)
		return write_hypercall_msr(v, value);
	if (msr == HV_X64_MSR_REFERENCE_TSC)
		return write_reference_tsc_msr(v, value);
	if (msr == HV_X64_MSR_VP_ASSIST_PAGE)
		return write_vp_assist_msr(v, value);
	if (guest_crash_msr_claims(msr))
		return write_crash_msr(v, msr, value);
	backend = synic_msr_write(v, msr, value);
	if (backend <= 0)
		return backend == 0 ? ACTION_NEXT : refuse(v, "WRMSR", msr, value);
	if (msr == MSR_APIC_BASE && host_cpu_rdmsr(MSR_APIC_BASE, &current) == 0 &&
	    value == current)
		return ACTION_NEXT; /* rewriting the same value is harmless */
	if (forbidden_write(msr)) {
		partition_fault(v->partition, "wrote forbidden MSR 0x%x (value 0x%llx)", msr,
				(unsigned long long)value);
		return ACTION_PARK;
	}
	return refuse(v, "WRMSR", msr, value);
}
