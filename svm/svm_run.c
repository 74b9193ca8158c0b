/*
 * Running an AMD-V guest: VMRUN, decoding #VMEXIT into the core's struct
 * exit_info, and carrying out the core's decision.  Without nRIP save
 * (QEMU TCG) the length of the exiting instruction comes from decoding
 * its bytes (insn_length.c), except for port I/O, whose EXITINFO2 always
 * holds the next RIP.  The guest's EFER is this backend's: its SVME bit
 * must stay set and stay invisible.
 */
#include "insn_length.h"
#include "svm.h"

#include <arch/x86.h>
#include <core/console.h>
#include <core/kick.h>
#include <core/vendor.h>
#include <hv/hypercall.h>
#include <mem/guest_mem.h>

#define EFER_LMA (1ull << 10)
#define EFER_GUEST_BITS (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | (1ull << 14) | (1ull << 15))
#define SEG_ATTRIB_L (1u << 9)
#define IOIO_IN (1ull << 0)
#define IOIO_STRING (1ull << 2)
#define IOIO_REP (1ull << 3)
#define NPF_WRITE (1ull << 1)
#define NPF_EXEC (1ull << 4)
#define EXIT_INT_INFO_VALID (1ull << 31)
#define VECTOR_GP 13u
#define VECTOR_UD 6u

static void svm_get_state(struct vcpu *v, struct vcpu_state *st)
{
	const struct vmcb_save *g = &((struct svm_vcpu *)v->vendor)->vmcb->save;

	*st = (struct vcpu_state){
		.rip = g->rip, .rsp = g->rsp, .rflags = g->rflags,
		.cr0 = g->cr0, .cr3 = g->cr3, .cr4 = g->cr4, .efer = g->efer & ~EFER_SVME,
		.cs_base = g->cs.base, .cpl = g->cpl,
		.long_mode = (g->efer & EFER_LMA) && (g->cs.attrib & SEG_ATTRIB_L),
	};
}

/* Which instruction an exit means, for length decoding; false for none. */
static bool exit_insn_op(const struct vmcb_control *c, enum insn_op *op)
{
	switch (c->exit_code) {
	case SVM_EXIT_CPUID: *op = INSN_CPUID; return true;
	case SVM_EXIT_MSR: *op = c->exit_info1 ? INSN_WRMSR : INSN_RDMSR; return true;
	case SVM_EXIT_VMMCALL: *op = INSN_VMMCALL; return true;
	case SVM_EXIT_XSETBV: *op = INSN_XSETBV; return true;
	case SVM_EXIT_HLT: *op = INSN_HLT; return true;
	default: return false;
	}
}

/* Length of the exiting instruction: from nRIP, or by decoding its bytes. */
static int exit_insn_length(struct vcpu *v)
{
	struct svm_vcpu *s = v->vendor;
	const struct vmcb_control *c = &s->vmcb->control;
	uint8_t bytes[INSN_MAX_LENGTH];
	struct vcpu_state st;
	enum insn_op op;
	size_t n = 0;

	if (!exit_insn_op(c, &op))
		return -1;
	if (svm_has_nrip)
		return (int)(c->next_rip - s->vmcb->save.rip);
	svm_get_state(v, &st);
	while (n < sizeof(bytes) && guest_read_virt(v, &st, vcpu_state_linear_rip(&st) + n, &bytes[n], 1) == 0)
		n++; /* byte by byte: the instruction may end just before an unmapped page */
	return insn_length(bytes, n, op);
}

static void decode_io(const struct vmcb_control *c, struct exit_info *exit)
{
	exit->reason = EXIT_IO;
	exit->io = (struct exit_io){
		.port = (uint16_t)(c->exit_info1 >> 16),
		.size = (c->exit_info1 >> 4) & 1 ? 1 : (c->exit_info1 >> 5) & 1 ? 2 : 4,
		.in = (c->exit_info1 & IOIO_IN) != 0,
		.string = (c->exit_info1 & IOIO_STRING) != 0,
		.rep = (c->exit_info1 & IOIO_REP) != 0,
	};
}

static enum exit_reason simple_reason(uint64_t code)
{
	switch (code) {
	case SVM_EXIT_CPUID: return EXIT_CPUID;
	case SVM_EXIT_HLT: return EXIT_HLT;
	case SVM_EXIT_VMMCALL: return EXIT_HYPERCALL;
	case SVM_EXIT_XSETBV: return EXIT_XSETBV;
	case SVM_EXIT_INVD: return EXIT_INVD;
	case SVM_EXIT_SHUTDOWN: return EXIT_TRIPLE_FAULT;
	case SVM_EXIT_NMI: return EXIT_NMI;
	case SVM_EXIT_INTR: return EXIT_EXTERNAL_INTR;
	case SVM_EXIT_VINTR: return EXIT_INTR_WINDOW;
	case SVM_EXIT_INIT: return EXIT_INIT;
	case SVM_EXIT_INVALID: return EXIT_ENTRY_FAILED;
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT: return EXIT_VIRT_INSN;
	default: return EXIT_OTHER;
	}
}

static void decode_exit(struct vcpu *v, struct exit_info *exit)
{
	struct svm_vcpu *s = v->vendor;
	const struct vmcb_control *c = &s->vmcb->control;

	*exit = (struct exit_info){ .raw_reason = c->exit_code, .raw_qual = c->exit_info1 };
	if (c->exit_code == SVM_EXIT_IOIO) {
		decode_io(c, exit);
	} else if (c->exit_code == SVM_EXIT_MSR) {
		exit->reason = c->exit_info1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		exit->msr = (uint32_t)v->regs.rcx;
	} else if (c->exit_code == SVM_EXIT_NPF) {
		exit->reason = EXIT_STAGE2_FAULT;
		exit->stage2 = (struct exit_stage2){
			.gpa = c->exit_info2,
			.write = (c->exit_info1 & NPF_WRITE) != 0,
			.exec = (c->exit_info1 & NPF_EXEC) != 0,
		};
		exit->stage2.read = !exit->stage2.write && !exit->stage2.exec;
	} else {
		exit->reason = simple_reason(c->exit_code);
	}
	s->insn_len = exit_insn_length(v);
	if (s->insn_len < 0 && exit_insn_op(c, &(enum insn_op){ 0 }))
		exit->reason = EXIT_DECODE_FAILED;
	if (exit->reason == EXIT_ENTRY_FAILED)
		log_error("svm: VMRUN refused the guest state: EFER 0x%llx CR0 0x%llx CR4 0x%llx "
			  "RIP 0x%llx CS attrib 0x%x", (unsigned long long)s->vmcb->save.efer,
			  (unsigned long long)s->vmcb->save.cr0, (unsigned long long)s->vmcb->save.cr4,
			  (unsigned long long)s->vmcb->save.rip, s->vmcb->save.cs.attrib);
}

static void advance_rip(struct svm_vcpu *s)
{
	struct vmcb_control *c = &s->vmcb->control;

	if (c->exit_code == SVM_EXIT_IOIO)
		s->vmcb->save.rip = c->exit_info2; /* always the next RIP, nRIP save or not */
	else
		s->vmcb->save.rip += (uint64_t)s->insn_len;
	c->interrupt_shadow = 0;
}

/* The benchmark's minimal path: answer CPUID 0x400000ff without the core. */
static bool bench_null_exit(struct vcpu *v, struct svm_vcpu *s)
{
	if (s->vmcb->control.exit_code != SVM_EXIT_CPUID ||
	    (uint32_t)v->regs.rax != HV_CPUID_BENCH_NULL)
		return false;
	s->insn_len = exit_insn_length(v);
	if (s->insn_len < 0)
		return false;
	v->regs.rax = v->regs.rbx = v->regs.rcx = v->regs.rdx = 0;
	advance_rip(s);
	return true;
}

/*
 * Injects the highest pending interrupt if the guest accepts one now;
 * otherwise requests a virtual interrupt with the VINTR intercept, which
 * exits exactly when the guest becomes interruptible (APM Vol. 2, 15.21).
 * An event already queued for this entry (a re-delivery or an exception)
 * goes first.
 */
static void deliver_interrupt(struct vcpu *v, struct svm_vcpu *s)
{
	struct vmcb_control *c = &s->vmcb->control;
	uint8_t vector = vcpu_pending_interrupt(v);

	c->vintr &= ~(SVM_VINTR_V_IRQ | SVM_VINTR_PRIO_MAX | SVM_VINTR_IGN_TPR);
	c->intercept_misc1 &= ~SVM_INTERCEPT_VINTR;
	if (vector == 0)
		return;
	if (!(c->event_inject & SVM_EVENT_VALID) && (s->vmcb->save.rflags & RFLAGS_IF) &&
	    !(c->interrupt_shadow & 1)) {
		c->event_inject = vector | SVM_EVENT_TYPE_INTR | SVM_EVENT_VALID;
		vcpu_interrupt_delivered(v, vector);
		return;
	}
	c->vintr |= SVM_VINTR_V_IRQ | SVM_VINTR_PRIO_MAX | SVM_VINTR_IGN_TPR;
	c->intercept_misc1 |= SVM_INTERCEPT_VINTR;
}

/*
 * The last look before VMRUN, with GIF clear: a kick's NMI from here on
 * stays pending and makes VMRUN exit at once; one that came after the
 * core's look (vcpu_loop) but before CLGI was taken in host mode and
 * lost, and its request is still unacknowledged.  Then the entry is
 * skipped and reported as an NMI exit, so the core looks at the state
 * again instead of running a guest that may never exit (a halted one).
 */
static bool kicked_before_entry(struct vcpu *v, struct exit_info *exit)
{
	__asm__ volatile("clgi" ::: "memory");
	if (!cpu_kick_pending(v->cpu))
		return false; /* GIF stays clear until svm_vmrun's STGI */
	__asm__ volatile("stgi" ::: "memory");
	*exit = (struct exit_info){ .reason = EXIT_NMI, .raw_reason = SVM_EXIT_NMI };
	return true;
}

static void svm_vcpu_enter(struct vcpu *v, struct exit_info *exit)
{
	struct svm_vcpu *s = v->vendor;
	struct vmcb_control *c = &s->vmcb->control;

	do {
		deliver_interrupt(v, s);
		if (kicked_before_entry(v, exit))
			return; /* the event to inject, if any, stays for the next entry */
		s->vmcb->save.rax = v->regs.rax;
		svm_vmrun((uint64_t)s->vmcb, (uint64_t)s->host_vmcb, &v->regs);
		v->regs.rax = s->vmcb->save.rax;
		c->tlb_control = 0;
		c->event_inject = 0;
		/* An exit in the middle of delivering an event: deliver it again. */
		if (c->exit_int_info & EXIT_INT_INFO_VALID)
			c->event_inject = c->exit_int_info;
	} while (bench_null_exit(v, s));
	decode_exit(v, exit);
}

static void inject_exception(struct svm_vcpu *s, uint32_t vector, bool error_code)
{
	s->vmcb->control.event_inject = vector | SVM_EVENT_TYPE_EXCEPTION | SVM_EVENT_VALID |
					(error_code ? SVM_EVENT_ERROR_VALID : 0);
}

static void svm_vcpu_complete(struct vcpu *v, const struct exit_info *exit,
			      enum exit_action action)
{
	struct svm_vcpu *s = v->vendor;

	if (action == ACTION_NEXT && exit->insn_len_override != 0)
		s->insn_len = exit->insn_len_override; /* the core decoded it (emulated MMIO) */
	if (action == ACTION_NEXT || action == ACTION_HALT)
		advance_rip(s);
	else if (action == ACTION_INJECT_GP)
		inject_exception(s, VECTOR_GP, true);
	else if (action == ACTION_INJECT_UD)
		inject_exception(s, VECTOR_UD, false);
}

static int svm_msr_read(struct vcpu *v, uint32_t msr, uint64_t *value)
{
	if (msr != MSR_EFER)
		return 1;
	*value = ((struct svm_vcpu *)v->vendor)->vmcb->save.efer & ~EFER_SVME;
	return 0;
}

/* EFER writes: known bits only, LMA kept as the CPU set it, SVME always on. */
static int svm_msr_write(struct vcpu *v, uint32_t msr, uint64_t value)
{
	struct vmcb_save *g = &((struct svm_vcpu *)v->vendor)->vmcb->save;

	if (msr != MSR_EFER)
		return 1;
	if (value & ~EFER_GUEST_BITS)
		return -1;
	g->efer = (value & ~EFER_LMA) | (g->efer & EFER_LMA) | EFER_SVME;
	return 0;
}

/* The next VMRUN flushes this vCPU's ASID (TLB_CONTROL 1 flushes all: always supported). */
static void svm_stage2_flush(struct vcpu *v)
{
	((struct svm_vcpu *)v->vendor)->vmcb->control.tlb_control = 1;
}

static const struct vcpu_vendor_ops svm_ops = {
	.name = "AMD-V",
	.detect = svm_caps_detect,
	.probe = svm_caps_probe,
	.describe = svm_caps_describe,
	.stage2 = &svm_npt_format,
	.cpu_enable = svm_cpu_enable,
	.vcpu_init = svm_vcpu_init,
	.vcpu_enter = svm_vcpu_enter,
	.vcpu_complete = svm_vcpu_complete,
	.io_allow = svm_io_allow,
	.get_state = svm_get_state,
	.msr_read = svm_msr_read,
	.msr_write = svm_msr_write,
	.stage2_flush = svm_stage2_flush,
	.hypercall_insn = { 0x0f, 0x01, 0xd9 }, /* VMMCALL */
};
VENDOR_BACKEND(svm_ops);
