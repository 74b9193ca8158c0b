/*
 * AMD-V per-CPU enablement and VMCB set-up.  Intercepts mirror the VT-x
 * backend's: CPUID, port I/O (all ports but the I/O BARs of assigned
 * devices, svm_io_allow), all MSRs but the guest-owned ones, XSETBV,
 * INVD (VT-x exits on it unconditionally), shutdown (triple fault), INIT,
 * NMI and every SVM instruction
 * (VMRUN's intercept is mandatory: APM Vol. 2, 15.5.1).  HLT and
 * physical interrupts are intercepted only for a vCPU that waits in host
 * mode (wait_in_host, the PC platform); elsewhere the CPU belongs to the
 * partition, so a halted guest simply waits in guest mode.
 */
#include "svm.h"

#include <arch/x86.h>
#include <core/console.h>
#include <core/vendor.h>
#include <hv/boot_info.h>
#include <lib/string.h>
#include <mem/page_alloc.h>

#define IOPM_PAGES 3
#define MSRPM_PAGES 2
#define MSRPM_RANGE_SIZE 0x2000u
#define DEFAULT_PAT 0x0007040600070406ull
#define SEG_CODE64 0xa9bu /* P, DPL0, code exec/read accessed; L=1, G=1 */
#define SEG_DATA 0xc93u   /* P, DPL0, data read/write accessed; D/B=1, G=1 */
#define SEG_TSS_BUSY 0x08bu
#define SEG_REAL_CODE 0x09bu /* P, S, code exec/read accessed: 16-bit */
#define SEG_REAL_DATA 0x093u /* P, S, data read/write accessed: 16-bit */
#define RFLAGS_FIXED 0x2ull
#define DR6_INIT 0xffff0ff0ull
#define DR7_INIT 0x400ull

static struct svm_vcpu svm_vcpus[BOOT_MAX_CPUS];
static uint32_t asid_count; /* ASIDs the CPU has, from CPUID (the same on every CPU) */
bool svm_has_nrip;

int svm_cpu_enable(const struct virt_caps *caps, struct page_pool *pool)
{
	uint64_t hsave = page_alloc(pool, 1, 1);

	asid_count = caps->tlb_tags;
	svm_has_nrip = caps->next_rip;
	if (hsave == 0) {
		log_error("svm: no memory for the host save area");
		return -1;
	}
	memset((void *)hsave, 0, PAGE_SIZE);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, hsave);
	return 0;
}

/* Byte offset and bit of an MSR in the permission map (two bits per MSR). */
static void msrpm_allow(uint8_t *msrpm, uint32_t msr, bool read, bool write)
{
	static const uint32_t bases[] = { 0x00000000u, 0xc0000000u, 0xc0010000u };

	for (uint32_t r = 0; r < 3; r++) {
		uint32_t bit;

		if (msr < bases[r] || msr - bases[r] >= MSRPM_RANGE_SIZE)
			continue;
		bit = r * MSRPM_RANGE_SIZE * 2 + (msr - bases[r]) * 2;
		if (read)
			msrpm[bit / 8] &= (uint8_t)~(1u << (bit % 8));
		if (write)
			msrpm[bit / 8] &= (uint8_t)~(1u << (bit % 8 + 1));
	}
}

/* MSRs the guest owns outright: VMRUN/VMLOAD switch them, hv never uses them. */
static void msrpm_setup(uint8_t *msrpm)
{
	static const uint32_t guest_owned[] = {
		0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, /* STAR LSTAR CSTAR SFMASK */
		0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103, /* FS GS KERNEL_GS TSC_AUX */
		0x174, 0x175, 0x176,                           /* SYSENTER_CS/ESP/EIP */
		0x277,                                         /* PAT: G_PAT with NPT */
	};

	memset(msrpm, 0xff, MSRPM_PAGES * PAGE_SIZE);
	for (uint32_t i = 0; i < sizeof(guest_owned) / sizeof(guest_owned[0]); i++)
		msrpm_allow(msrpm, guest_owned[i], true, true);
	msrpm_allow(msrpm, 0x10, true, false); /* reading the TSC */
}

static struct svm_vcpu *svm_vcpu_alloc(struct vcpu *v, struct page_pool *pool)
{
	struct svm_vcpu *s = &svm_vcpus[v->cpu];

	if (s->vmcb == NULL) {
		s->vmcb = (struct vmcb *)page_alloc(pool, 1, 1);
		s->host_vmcb = (struct vmcb *)page_alloc(pool, 1, 1);
		s->iopm = (uint8_t *)page_alloc(pool, IOPM_PAGES, 1);
		s->msrpm = (uint8_t *)page_alloc(pool, MSRPM_PAGES, 1);
	}
	if (s->vmcb == NULL || s->host_vmcb == NULL || s->iopm == NULL || s->msrpm == NULL)
		return NULL;
	v->vendor = s;
	return s;
}

static void control_setup(struct vcpu *v, struct svm_vcpu *s, uint64_t stage2_root,
			  bool wait_in_host)
{
	struct vmcb_control *c = &s->vmcb->control;

	c->intercept_misc1 = SVM_INTERCEPT_NMI | SVM_INTERCEPT_INIT | SVM_INTERCEPT_CPUID |
			     SVM_INTERCEPT_IOIO | SVM_INTERCEPT_MSR | SVM_INTERCEPT_SHUTDOWN |
			     SVM_INTERCEPT_INVLPGA | SVM_INTERCEPT_INVD;
	if (wait_in_host)
		c->intercept_misc1 |= SVM_INTERCEPT_INTR | SVM_INTERCEPT_HLT;
	c->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL | SVM_INTERCEPT_VMLOAD |
			     SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			     SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_XSETBV;
	c->iopm_base = (uint64_t)s->iopm;
	c->msrpm_base = (uint64_t)s->msrpm;
	c->asid = v->cpu + 1; /* ASID 0 is the host's */
	c->tlb_control = 1;   /* flush this ASID's entries on the first run */
	c->np_enable = 1;
	c->n_cr3 = stage2_root;
}

static void segment(struct vmcb_segment *seg, uint16_t selector, uint16_t attrib, uint32_t limit)
{
	*seg = (struct vmcb_segment){ .selector = selector, .attrib = attrib, .limit = limit };
}

/*
 * An application processor after INIT and a start-up IPI: real mode at
 * sipi_page << 12 with 64 KiB segments.
 */
static void save_segments_real(struct vmcb_save *g, const struct vcpu_boot_state *b)
{
	segment(&g->cs, (uint16_t)(b->sipi_page << 8), SEG_REAL_CODE, 0xffff);
	g->cs.base = (uint64_t)b->sipi_page << 12;
	segment(&g->ds, 0, SEG_REAL_DATA, 0xffff);
	g->es = g->ss = g->fs = g->gs = g->ds;
	segment(&g->tr, 0, SEG_TSS_BUSY, 0xffff);
	g->gdtr = (struct vmcb_segment){ .limit = 0xffff };
	g->idtr = (struct vmcb_segment){ .limit = 0xffff };
}

static void save_setup(struct vmcb_save *g, const struct vcpu_boot_state *b)
{
	if (b->real_mode) {
		save_segments_real(g, b);
	} else {
		segment(&g->cs, b->code_selector, SEG_CODE64, 0xffffffff);
		segment(&g->ds, b->data_selector, SEG_DATA, 0xffffffff);
		g->es = g->ss = g->fs = g->gs = g->ds;
		segment(&g->tr, 0, SEG_TSS_BUSY, 0x67);
		g->gdtr = (struct vmcb_segment){ .base = b->gdt_base, .limit = b->gdt_limit };
	}
	g->efer = b->efer | EFER_SVME; /* VMRUN refuses a guest without SVME */
	g->cr0 = b->cr0;
	g->cr3 = b->cr3;
	g->cr4 = b->cr4;
	g->dr6 = DR6_INIT;
	g->dr7 = DR7_INIT;
	g->rflags = RFLAGS_FIXED;
	g->rip = b->rip;
	g->rsp = b->rsp;
	g->g_pat = DEFAULT_PAT;
}

/*
 * Clears the IOPM bits of [port, port + count): those accesses no longer
 * exit (APM Vol. 2, 15.10.1: one bit per port; a multi-byte access exits
 * if any of its ports' bits is set).  The CPU reads the map at each I/O
 * instruction, so no VMCB clean bit is involved.
 */
void svm_io_allow(struct vcpu *v, uint16_t port, uint16_t count)
{
	uint8_t *iopm = ((struct svm_vcpu *)v->vendor)->iopm;

	for (uint32_t p = port; p < (uint32_t)port + count && p <= 0xffffu; p++)
		iopm[p / 8] &= (uint8_t)~(1u << (p % 8));
}

int svm_vcpu_init(struct vcpu *v, const struct vcpu_boot_state *boot, uint64_t stage2_root,
		  struct page_pool *pool)
{
	struct svm_vcpu *s = svm_vcpu_alloc(v, pool);

	if (s == NULL) {
		log_error("svm: no memory for the VMCB of CPU %u", v->cpu);
		return -1;
	}
	if (v->cpu + 1 >= asid_count) {
		log_error("svm: CPU %u needs ASID %u, the CPU has %u", v->cpu, v->cpu + 1, asid_count);
		return -1;
	}
	memset(s->vmcb, 0, PAGE_SIZE);
	memset(s->host_vmcb, 0, PAGE_SIZE);
	memset(s->iopm, 0xff, IOPM_PAGES * PAGE_SIZE);
	msrpm_setup(s->msrpm);
	control_setup(v, s, stage2_root, boot->wait_in_host);
	save_setup(&s->vmcb->save, boot);
	v->regs.rdi = boot->rdi;
	v->regs.rsi = boot->rsi;
	return 0;
}
