/*
 * The core's exit handler: one decision per vendor-neutral exit reason.
 * Emulation lives in cpuid.c, msr.c, io.c, mmio.c and hypercall.c; this file
 * handles the rest and turns every event that would let a partition harm
 * anyone else (triple fault, stage-2 violation, virtualization
 * instructions, a failed entry, an unknown exit) into a fault of that
 * partition alone.
 */
#include <emul/exit.h>

#include <core/console.h>
#include <core/fixup.h>
#include <core/vendor.h>
#include <emul/emulate.h>
#include <emul/mmio.h>
#include <emul/xcr0.h>
#include <part/partition.h>
#include <plat/platform.h>

#include <arch/x86.h>

#define CR4_VMXE (1ull << 13)
#define CR4_SMXE (1ull << 14)
#define CR4_OSXSAVE (1ull << 18)

static const char *const reason_names[EXIT_REASON_COUNT] = {
	[EXIT_CPUID] = "cpuid", [EXIT_MSR_READ] = "msr-read", [EXIT_MSR_WRITE] = "msr-write",
	[EXIT_IO] = "io", [EXIT_HLT] = "hlt", [EXIT_HYPERCALL] = "hypercall",
	[EXIT_CR_WRITE] = "cr-write", [EXIT_XSETBV] = "xsetbv",
	[EXIT_TRIPLE_FAULT] = "triple-fault", [EXIT_STAGE2_FAULT] = "stage2-fault",
	[EXIT_VIRT_INSN] = "virt-insn", [EXIT_ENTRY_FAILED] = "entry-failed",
	[EXIT_NMI] = "nmi", [EXIT_EXTERNAL_INTR] = "external-intr",
	[EXIT_INTR_WINDOW] = "intr-window", [EXIT_INIT] = "init",
	[EXIT_DECODE_FAILED] = "decode-failed", [EXIT_OTHER] = "other", [EXIT_INVD] = "invd",
};

const char *exit_reason_name(enum exit_reason reason)
{
	return reason < EXIT_REASON_COUNT ? reason_names[reason] : "?";
}

static uint64_t guest_rip(struct vcpu *v)
{
	struct vcpu_state state;

	vendor->get_state(v, &state);
	return state.rip;
}

static enum exit_action fault(struct vcpu *v, const struct exit_info *exit, const char *what)
{
	partition_fault(v->partition, "%s at RIP 0x%llx (exit %s, raw 0x%llx, qualification 0x%llx)",
			what, (unsigned long long)guest_rip(v), exit_reason_name(exit->reason),
			(unsigned long long)exit->raw_reason, (unsigned long long)exit->raw_qual);
	return ACTION_PARK;
}

/* Emulated MMIO (the PCI ECAM window) first; any other unmapped GPA faults the partition. */
static enum exit_action stage2_fault(struct vcpu *v, struct exit_info *exit)
{
	const struct exit_stage2 *s = &exit->stage2;
	enum exit_action action;

	if (mmio_handle(v, exit, &action))
		return action;

	partition_fault(v->partition, "stage-2 violation (%s%s%s) at GPA 0x%llx, RIP 0x%llx",
			s->read ? "read" : "", s->write ? "write" : "", s->exec ? "exec" : "",
			(unsigned long long)s->gpa, (unsigned long long)guest_rip(v));
	return ACTION_PARK;
}

static enum exit_action cr_write(const struct exit_info *exit)
{
	if (exit->cr.cr == 4 && (exit->cr.value & (CR4_VMXE | CR4_SMXE)))
		return ACTION_INJECT_GP; /* VMX and SMX are hidden from partitions */
	return ACTION_NEXT;
}

/*
 * XSETBV: only XCR0, with the SDM's rules (xcr0.c) over the components
 * the host has; hv's own XSETBV is in the fixup table, so a value the
 * check let through that the CPU refuses becomes the guest's #GP too.
 */
static enum exit_action xsetbv(struct vcpu *v)
{
	struct cpuid_regs leaf_d = cpuid(0xd, 0);
	uint64_t supported = (uint64_t)leaf_d.edx << 32 | leaf_d.eax;
	uint64_t value = regs_edx_eax(&v->regs), fault;

	if ((uint32_t)v->regs.rcx != 0 || !xcr0_valid(value, supported) ||
	    !(read_cr4() & CR4_OSXSAVE))
		return ACTION_INJECT_GP;
	fault = fixup_xsetbv(0, value);
	if (fault != 0)
		log_warn("partition %s: XSETBV 0x%llx took vector %llu in hv; #GP injected",
			 v->partition->cfg->name, (unsigned long long)value,
			 (unsigned long long)(fault & 0xff));
	return fault != 0 ? ACTION_INJECT_GP : ACTION_NEXT;
}

/*
 * NMIs are how other CPUs stop this one, hv's own interrupts how they
 * wake it or a virtual timer falls due: take those (their handler only
 * acknowledges them), then park if the partition no longer runs.
 */
static enum exit_action interruption(struct vcpu *v, const struct exit_info *exit)
{
	if (exit->reason == EXIT_EXTERNAL_INTR) {
		cpu_take_pending_interrupts();
		platform_interrupted(v);
	}
	return v->partition->state == PARTITION_RUNNING ? ACTION_RESUME : ACTION_PARK;
}

/* Our kernels halt in the guest; a PC guest's vCPU waits in hv (platform.c). */
static enum exit_action halt(struct vcpu *v)
{
	return v->partition->platform == PLATFORM_PC ? platform_halt(v) : ACTION_HALT;
}

enum exit_action exit_handle(struct vcpu *v, struct exit_info *exit)
{
	switch (exit->reason) {
	case EXIT_CPUID: return guest_cpuid(v);
	case EXIT_MSR_READ: return guest_msr_read(v, exit->msr);
	case EXIT_MSR_WRITE: return guest_msr_write(v, exit->msr);
	case EXIT_IO: return guest_io(v, &exit->io);
	case EXIT_HYPERCALL: return guest_hypercall(v);
	case EXIT_HLT: return halt(v);
	case EXIT_CR_WRITE: return cr_write(exit);
	case EXIT_XSETBV: return xsetbv(v);
	case EXIT_STAGE2_FAULT: return stage2_fault(v, exit);
	case EXIT_TRIPLE_FAULT: return fault(v, exit, "triple fault");
	case EXIT_VIRT_INSN: return fault(v, exit, "virtualization instruction");
	case EXIT_ENTRY_FAILED: return fault(v, exit, "VM entry failed");
	case EXIT_NMI:
	case EXIT_EXTERNAL_INTR:
	case EXIT_INTR_WINDOW: return interruption(v, exit);
	case EXIT_INIT: return fault(v, exit, "INIT signal");
	case EXIT_DECODE_FAILED: return fault(v, exit, "undecodable instruction");
	/* the caches are shared: INVD would drop other partitions' and hv's writes */
	case EXIT_INVD: return fault(v, exit, "INVD");
	default: return fault(v, exit, "unexpected exit");
	}
}
