/*
 * Unit tests of the virtual x2APIC (hv/plat/vapic.c).  The expected
 * values are the SDM's (vol. 3, "x2APIC Register Address Space", "Local
 * Vector Table", "Task and Processor Priorities", "APIC Timer"), written
 * as literals here rather than taken from vapic.h, so that a wrong
 * constant there shows up.  Time: a 1 GHz clock and a 100 MHz timer
 * (10 clock units per timer tick) unless a test says otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>

#include "plat/vapic.h"

#define CLOCK_HZ 1000000000ull
#define TIMER_HZ 100000000ull
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void init(struct vapic *v, uint32_t id)
{
	vapic_init(v, id, id == 0, TIMER_HZ, CLOCK_HZ);
}

static uint64_t rd_at(const struct vapic *v, uint32_t msr, uint64_t now)
{
	uint64_t value = 0xdeadbeef;

	assert_int_equal(vapic_msr_read(v, msr, now, &value), VAPIC_OK);
	return value;
}

static uint64_t rd(const struct vapic *v, uint32_t msr)
{
	return rd_at(v, msr, 0);
}

static struct vapic_effect wr_at(struct vapic *v, uint32_t msr, uint64_t value, uint64_t now)
{
	struct vapic_effect effect;

	assert_int_equal(vapic_msr_write(v, msr, value, now, &effect), VAPIC_OK);
	return effect;
}

static void wr(struct vapic *v, uint32_t msr, uint64_t value)
{
	wr_at(v, msr, value, 0);
}

/* Software-enables the APIC with spurious vector 0xff. */
static void enable(struct vapic *v)
{
	wr(v, 0x80f, 0x1ff);
}

/* Puts vector in service: accepted, then delivered without auto-EOI. */
static void in_service(struct vapic *v, uint8_t vector)
{
	assert_true(vapic_accept_interrupt(v, vector));
	vapic_interrupt_delivered(v, vector, false);
}

static bool irr_has(const struct vapic *v, uint8_t vector)
{
	return (rd(v, 0x820 + vector / 32) >> (vector % 32)) & 1;
}

/* ---- register map ---------------------------------------------------------- */

/* SDM table "Local APIC Register Address Map Supported by x2APIC". */
static const struct {
	uint32_t first, last;
	bool read, write;
} msr_map[] = {
	{ 0x802, 0x802, true, false },  /* ID */
	{ 0x803, 0x803, true, false },  /* version */
	{ 0x808, 0x808, true, true },   /* TPR */
	{ 0x80a, 0x80a, true, false },  /* PPR */
	{ 0x80b, 0x80b, false, true },  /* EOI */
	{ 0x80d, 0x80d, true, false },  /* LDR */
	{ 0x80f, 0x80f, true, true },   /* SVR */
	{ 0x810, 0x827, true, false },  /* ISR, TMR, IRR */
	{ 0x828, 0x828, true, true },   /* ESR */
	{ 0x830, 0x830, true, true },   /* ICR */
	{ 0x832, 0x837, true, true },   /* LVT timer .. error (no CMCI at 0x82f) */
	{ 0x838, 0x838, true, true },   /* initial count */
	{ 0x839, 0x839, true, false },  /* current count */
	{ 0x83e, 0x83e, true, true },   /* divide configuration */
	{ 0x83f, 0x83f, false, true },  /* SELF IPI */
};

static void test_msr_map(void **state)
{
	struct vapic v;

	(void)state;
	init(&v, 0);
	enable(&v);
	for (uint32_t msr = 0x7f0; msr <= 0x90f; msr++) {
		bool read = false, write = false;
		struct vapic_effect effect;
		uint64_t value;

		for (size_t i = 0; i < ARRAY_SIZE(msr_map); i++) {
			if (msr >= msr_map[i].first && msr <= msr_map[i].last) {
				read = msr_map[i].read;
				write = msr_map[i].write;
			}
		}
		assert_int_equal(vapic_msr_read(&v, msr, 0, &value), read ? VAPIC_OK : VAPIC_GP);
		assert_int_equal(vapic_msr_write(&v, msr, 0, 0, &effect), write ? VAPIC_OK : VAPIC_GP);
		assert_int_equal(vapic_msr_claims(msr), msr >= 0x800 && msr <= 0x8ff);
	}
}

static void test_power_on_values(void **state)
{
	static const struct {
		uint32_t msr;
		uint64_t bsp, ap; /* vCPU 0 (id 0), vCPU with id 0x23 */
	} regs[] = {
		{ 0x1b, 0xfee00d00, 0xfee00c00 },
		{ 0x802, 0, 0x23 },
		{ 0x803, 0x50014, 0x50014 },
		{ 0x808, 0, 0 },
		{ 0x80a, 0, 0 },
		{ 0x80d, 0x1, 0x20008 },
		{ 0x80f, 0xff, 0xff },
		{ 0x810, 0, 0 },
		{ 0x81f, 0, 0 },
		{ 0x827, 0, 0 },
		{ 0x828, 0, 0 },
		{ 0x830, 0, 0 },
		{ 0x832, 0x10000, 0x10000 },
		{ 0x833, 0x10000, 0x10000 },
		{ 0x834, 0x10000, 0x10000 },
		{ 0x835, 0x10000, 0x10000 },
		{ 0x836, 0x10000, 0x10000 },
		{ 0x837, 0x10000, 0x10000 },
		{ 0x838, 0, 0 },
		{ 0x839, 0, 0 },
		{ 0x83e, 0, 0 },
	};
	struct vapic bsp, ap;

	(void)state;
	init(&bsp, 0);
	init(&ap, 0x23);
	for (size_t i = 0; i < ARRAY_SIZE(regs); i++) {
		assert_int_equal(rd(&bsp, regs[i].msr), regs[i].bsp);
		assert_int_equal(rd(&ap, regs[i].msr), regs[i].ap);
	}
	assert_int_equal(vapic_timer_deadline(&bsp), VAPIC_NO_DEADLINE);
	assert_int_equal(vapic_pending_vector(&bsp), 0);
}

static void test_logical_id(void **state)
{
	static const struct {
		uint32_t id, ldr;
	} ids[] = {
		{ 0, 0x1 }, { 1, 0x2 }, { 15, 0x8000 }, { 16, 0x10001 }, { 0x23, 0x20008 },
		{ 0xffff0, 0xffff0001 }, { 0xfffff, 0xffff8000 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		struct vapic v;

		init(&v, ids[i].id);
		assert_int_equal(rd(&v, 0x80d), ids[i].ldr);
		assert_int_equal(rd(&v, 0x802), ids[i].id);
	}
}

/* Reserved bits fault; read-only status bits are dropped; the rest reads back. */
static void test_write_checks(void **state)
{
	static const struct {
		uint32_t msr;
		uint64_t value;
		bool ok;
		uint64_t readback;
	} writes[] = {
		{ 0x808, 0xff, true, 0xff },
		{ 0x808, 0x100, false, 0 },
		{ 0x808, 1ull << 32, false, 0 },
		{ 0x80f, 0x1ff, true, 0x1ff },
		{ 0x80f, 0x3ff, true, 0x3ff },          /* focus-check disable */
		{ 0x80f, 0x11ff, false, 0 },            /* no EOI-broadcast suppression */
		{ 0x80f, 0x5ff, false, 0 },
		{ 0x832, 0x200ef, true, 0x200ef },      /* periodic */
		{ 0x832, 0x400ef, false, 0 },           /* TSC-deadline is not offered */
		{ 0x832, 0x600ef, false, 0 },
		{ 0x832, 0x4ef, false, 0 },             /* no delivery mode in the timer LVT */
		{ 0x832, 0x110ef, true, 0x100ef },      /* delivery status is read-only */
		{ 0x833, 0x10200, true, 0x10200 },      /* thermal: SMI */
		{ 0x834, 0x400, true, 0x400 },          /* perf: NMI */
		{ 0x834, 0x20400, false, 0 },
		{ 0x835, 0x700, true, 0x700 },          /* LINT0: ExtINT */
		{ 0x835, 0xa7ff, true, 0xa7ff },        /* polarity, trigger mode */
		{ 0x835, 0x4700, true, 0x700 },         /* remote IRR is read-only */
		{ 0x835, 0x20700, false, 0 },
		{ 0x836, 0x10400, true, 0x10400 },      /* LINT1: NMI, masked */
		{ 0x837, 0xfe, true, 0xfe },
		{ 0x837, 0x4fe, false, 0 },             /* no delivery mode in the error LVT */
		{ 0x837, 0x8fe, false, 0 },
		{ 0x83e, 0xb, true, 0xb },
		{ 0x83e, 0x4, false, 0 },
		{ 0x83e, 0x10, false, 0 },
		{ 0x838, 0xffffffff, true, 0xffffffff },
		{ 0x838, 1ull << 32, false, 0 },
		{ 0x828, 1, false, 0 },                 /* ESR: only 0 may be written */
		{ 0x80b, 1, false, 0 },                 /* EOI: only 0 */
		{ 0x83f, 0x100, false, 0 },
		{ 0x83f, 1ull << 32 | 0x30, false, 0 },
		{ 0x830, 1ull << 13, false, 0 },
		{ 0x830, 1ull << 16, false, 0 },
		{ 0x830, 1ull << 17, false, 0 },
		{ 0x830, 1ull << 20, false, 0 },
		{ 0x830, 1ull << 31, false, 0 },
		{ 0x830, 0x500000000ull | 1u << 12 | 0x400, true, 0x500000400ull }, /* busy ignored */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(writes); i++) {
		struct vapic_effect effect;
		struct vapic v;

		init(&v, 5);
		enable(&v);
		assert_int_equal(vapic_msr_write(&v, writes[i].msr, writes[i].value, 0, &effect),
				 writes[i].ok ? VAPIC_OK : VAPIC_GP);
		if (writes[i].ok && writes[i].msr != 0x80b && writes[i].msr != 0x83f)
			assert_int_equal(rd(&v, writes[i].msr), writes[i].readback);
	}
}

static void test_apic_base(void **state)
{
	static const struct {
		uint64_t value;
		bool ok;
	} writes[] = {
		{ 0xfee00d00, true },
		{ 0xfee00c00, true },   /* BSP is read-only: ignored */
		{ 0xfee00800, false },  /* back to xAPIC mode */
		{ 0xfee00000, false },  /* disable */
		{ 0xfee00400, false },  /* invalid: EXTD without EN */
		{ 0xfed00d00, false },  /* another base */
		{ 0x1fee00d00, false },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(writes); i++) {
		struct vapic_effect effect;
		struct vapic v;

		init(&v, 0);
		assert_int_equal(vapic_msr_write(&v, 0x1b, writes[i].value, 0, &effect),
				 writes[i].ok ? VAPIC_OK : VAPIC_GP);
		assert_int_equal(rd(&v, 0x1b), 0xfee00d00);
	}
}

/* ---- priorities and delivery ------------------------------------------------ */

static void test_ppr(void **state)
{
	static const struct {
		uint32_t tpr;
		uint8_t isr; /* 0: none in service */
		uint32_t ppr;
	} cases[] = {
		{ 0, 0, 0 },        { 0x20, 0, 0x20 },   { 0x25, 0, 0x25 },
		{ 0x20, 0x31, 0x30 }, { 0x40, 0x31, 0x40 }, { 0x35, 0x3f, 0x35 },
		{ 0x2f, 0x30, 0x30 }, { 0, 0xff, 0xf0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vapic v;

		init(&v, 0);
		enable(&v);
		wr(&v, 0x808, cases[i].tpr);
		if (cases[i].isr)
			in_service(&v, cases[i].isr);
		assert_int_equal(rd(&v, 0x80a), cases[i].ppr);
	}
}

static void test_pending_vector(void **state)
{
	static const struct {
		uint8_t irr[3];  /* zero-terminated */
		uint8_t isr;     /* 0: none in service */
		uint32_t tpr;
		uint8_t expect;
	} cases[] = {
		{ { 0x30 }, 0, 0, 0x30 },
		{ { 0x30, 0x50 }, 0, 0, 0x50 },
		{ { 0x30 }, 0x35, 0, 0 },          /* same class as the one in service */
		{ { 0x40 }, 0x35, 0, 0x40 },
		{ { 0x40 }, 0, 0x40, 0 },          /* TPR blocks its class */
		{ { 0x4f }, 0, 0x40, 0 },
		{ { 0x41 }, 0, 0x3f, 0x41 },
		{ { 0 }, 0, 0, 0 },
		{ { 0xff, 0x20 }, 0, 0xf0, 0 },    /* the highest blocked: all are */
		{ { 0x20, 0xef }, 0xe0, 0, 0 },
		{ { 0x20, 0xfe }, 0xe0, 0, 0xfe },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vapic v;

		init(&v, 0);
		enable(&v);
		if (cases[i].isr)
			in_service(&v, cases[i].isr);
		wr(&v, 0x808, cases[i].tpr);
		for (size_t j = 0; j < 3 && cases[i].irr[j]; j++)
			assert_true(vapic_accept_interrupt(&v, cases[i].irr[j]));
		assert_int_equal(vapic_pending_vector(&v), cases[i].expect);
	}
}

/* Nesting: a higher class interrupts a lower one; EOI ends the highest in service. */
static void test_nesting_and_eoi(void **state)
{
	struct vapic v;

	(void)state;
	init(&v, 0);
	enable(&v);
	vapic_accept_interrupt(&v, 0x30);
	assert_int_equal(vapic_pending_vector(&v), 0x30);
	vapic_interrupt_delivered(&v, 0x30, false);
	assert_int_equal(rd(&v, 0x811), 1u << 16); /* vector 0x30 = word 1, bit 16 */
	assert_int_equal(rd(&v, 0x821), 0);
	vapic_accept_interrupt(&v, 0x50);
	assert_int_equal(vapic_pending_vector(&v), 0x50);
	vapic_interrupt_delivered(&v, 0x50, false);
	vapic_accept_interrupt(&v, 0x40);
	assert_int_equal(rd(&v, 0x80a), 0x50);
	assert_int_equal(vapic_pending_vector(&v), 0);
	wr(&v, 0x80b, 0); /* ends 0x50 */
	assert_int_equal(rd(&v, 0x812), 0);
	assert_int_equal(vapic_pending_vector(&v), 0x40);
	vapic_interrupt_delivered(&v, 0x40, false);
	wr(&v, 0x80b, 0); /* ends 0x40 */
	wr(&v, 0x80b, 0); /* ends 0x30 */
	assert_int_equal(rd(&v, 0x80a), 0);
	wr(&v, 0x80b, 0); /* nothing in service: harmless */
	for (uint32_t msr = 0x810; msr <= 0x827; msr++)
		assert_int_equal(rd(&v, msr), 0);
}

static void test_auto_eoi(void **state)
{
	struct vapic v;

	(void)state;
	init(&v, 0);
	enable(&v);
	in_service(&v, 0x40);
	vapic_accept_interrupt(&v, 0xf3); /* a SynIC SINT with AutoEOI */
	vapic_interrupt_delivered(&v, 0xf3, true);
	assert_int_equal(rd(&v, 0x817), 0);
	assert_int_equal(rd(&v, 0x827), 0);
	assert_int_equal(rd(&v, 0x80a), 0x40);
	wr(&v, 0x80b, 0); /* the guest's EOI ends 0x40, not the SINT */
	assert_int_equal(rd(&v, 0x812), 0);
}

static void test_accept(void **state)
{
	struct vapic v;

	(void)state;
	init(&v, 0);
	/* Software-disabled at power-on: held in IRR, not deliverable until enabled. */
	assert_true(vapic_accept_interrupt(&v, 0x30));
	assert_int_equal(vapic_pending_vector(&v), 0);
	enable(&v);
	assert_int_equal(vapic_pending_vector(&v), 0x30);
	vapic_interrupt_delivered(&v, 0x30, true);
	assert_false(vapic_accept_interrupt(&v, 15));
	assert_false(vapic_accept_interrupt(&v, 0));
	assert_true(vapic_accept_interrupt(&v, 16));
	assert_true(vapic_accept_interrupt(&v, 0x30));
	assert_false(vapic_accept_interrupt(&v, 0x30)); /* already pending */
	assert_true(vapic_accept_interrupt(&v, 255));
	assert_int_equal(rd(&v, 0x820), 1u << 16);
	assert_int_equal(rd(&v, 0x821), 1u << 16);
	assert_int_equal(rd(&v, 0x827), 1u << 31);
}

/* Disabling masks every LVT entry, which stays masked until software unmasks it. */
static void test_software_disable(void **state)
{
	struct vapic v;

	(void)state;
	init(&v, 0);
	wr(&v, 0x832, 0x30);
	assert_int_equal(rd(&v, 0x832), 0x10030);
	enable(&v);
	assert_int_equal(rd(&v, 0x832), 0x10030);
	wr(&v, 0x832, 0x30);
	wr(&v, 0x837, 0xfe);
	assert_int_equal(rd(&v, 0x832), 0x30);
	in_service(&v, 0x50);
	vapic_accept_interrupt(&v, 0x60);
	wr(&v, 0x80f, 0xff);
	for (uint32_t msr = 0x832; msr <= 0x837; msr++)
		assert_true(rd(&v, msr) & 0x10000);
	/* New interrupts are held too; nothing is deliverable while disabled. */
	assert_true(vapic_accept_interrupt(&v, 0x70));
	assert_int_equal(vapic_pending_vector(&v), 0);
	assert_int_equal(rd(&v, 0x812), 1u << 16);
	enable(&v);
	assert_int_equal(rd(&v, 0x832), 0x10030);
	assert_int_equal(vapic_pending_vector(&v), 0x70);
}

/* ---- errors ------------------------------------------------------------------ */

static void test_esr(void **state)
{
	static const struct {
		uint32_t msr;
		uint64_t value;
		uint32_t esr;
	} cases[] = {
		{ 0x830, 0x0000000100000005ull, 0x20 }, /* fixed IPI, vector 5 */
		{ 0x830, 0x000000010000010full, 0x20 }, /* lowest priority, vector 15 */
		{ 0x83f, 0x3, 0x60 },                   /* self IPI: sent and received */
		{ 0x830, 0x0000000100000400ull, 0 },    /* NMI: the vector does not matter */
		{ 0x830, 0x0000000100000010ull, 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vapic_effect effect;
		struct vapic v;

		init(&v, 0);
		enable(&v);
		wr(&v, 0x837, 0xfe);
		effect = wr_at(&v, cases[i].msr, cases[i].value, 0);
		assert_int_equal(effect.ipi_valid, cases[i].esr == 0 && cases[i].msr == 0x830);
		assert_int_equal(rd(&v, 0x828), 0); /* nothing until the next write */
		wr(&v, 0x828, 0);
		assert_int_equal(rd(&v, 0x828), cases[i].esr);
		/* The error LVT raised its vector. */
		assert_int_equal(irr_has(&v, 0xfe), cases[i].esr != 0);
		wr(&v, 0x828, 0);
		assert_int_equal(rd(&v, 0x828), 0);
	}
}

/* A local source with an illegal vector logs "receive illegal vector". */
static void test_illegal_lvt_vector(void **state)
{
	struct vapic v;

	(void)state;
	init(&v, 0);
	enable(&v);
	wr(&v, 0x837, 0x3); /* the error LVT itself illegal: no recursion */
	wr(&v, 0x83e, 0xb);
	wr(&v, 0x832, 0x5);
	wr_at(&v, 0x838, 10, 0);
	assert_false(vapic_timer_tick(&v, 100));
	wr(&v, 0x828, 0);
	assert_int_equal(rd(&v, 0x828), 0x40);
	assert_int_equal(vapic_pending_vector(&v), 0);
}

/* ---- IPIs ---------------------------------------------------------------------- */

static void test_icr_decode(void **state)
{
	static const struct {
		uint64_t icr;
		bool valid;
		struct vapic_ipi ipi;
	} cases[] = {
		{ 0x00000003000000ecull, true, { 3, 7, 0xec, VAPIC_DM_FIXED, VAPIC_SH_NONE, false } },
		{ 0x00010002000008ecull, true, { 0x10002, 7, 0xec, VAPIC_DM_FIXED, VAPIC_SH_NONE, true } },
		{ 0x0000000100000130ull, true, { 1, 7, 0x30, VAPIC_DM_LOWEST, VAPIC_SH_NONE, false } },
		{ 0x0000000100000200ull, true, { 1, 7, 0, VAPIC_DM_SMI, VAPIC_SH_NONE, false } },
		{ 0x0000000100000400ull, true, { 1, 7, 0, VAPIC_DM_NMI, VAPIC_SH_NONE, false } },
		{ 0x0000000100004500ull, true, { 1, 7, 0, VAPIC_DM_INIT, VAPIC_SH_NONE, false } },
		{ 0x0000000100000500ull, true, { 1, 7, 0, VAPIC_DM_INIT, VAPIC_SH_NONE, false } },
		{ 0x000000010000069aull, true, { 1, 7, 0x9a, VAPIC_DM_SIPI, VAPIC_SH_NONE, false } },
		{ 0x0000000000040031ull, true, { 0, 7, 0x31, VAPIC_DM_FIXED, VAPIC_SH_SELF, false } },
		{ 0x0000000000080032ull, true, { 0, 7, 0x32, VAPIC_DM_FIXED, VAPIC_SH_ALL, false } },
		{ 0x00000000000c0400ull, true, { 0, 7, 0, VAPIC_DM_NMI, VAPIC_SH_OTHERS, false } },
		{ 0xffffffff000000fdull, true, { 0xffffffff, 7, 0xfd, VAPIC_DM_FIXED, 0, false } },
		{ 0x0000000100008500ull, false, { 0 } },  /* INIT level de-assert */
		{ 0x0000000100000330ull, false, { 0 } },  /* reserved delivery mode 3 */
		{ 0x0000000100000730ull, false, { 0 } },  /* reserved delivery mode 7 */
		{ 0x000000010000000full, false, { 0 } },  /* illegal vector */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vapic_effect effect;
		struct vapic v;

		init(&v, 7);
		enable(&v);
		effect = wr_at(&v, 0x830, cases[i].icr, 0);
		assert_int_equal(rd(&v, 0x830), cases[i].icr);
		assert_int_equal(effect.ipi_valid, cases[i].valid);
		assert_false(effect.timer_changed);
		if (!cases[i].valid)
			continue;
		assert_int_equal(effect.ipi.dest, cases[i].ipi.dest);
		assert_int_equal(effect.ipi.source, cases[i].ipi.source);
		assert_int_equal(effect.ipi.vector, cases[i].ipi.vector);
		assert_int_equal(effect.ipi.delivery, cases[i].ipi.delivery);
		assert_int_equal(effect.ipi.shorthand, cases[i].ipi.shorthand);
		assert_int_equal(effect.ipi.logical, cases[i].ipi.logical);
	}
}

static void test_ipi_matches(void **state)
{
	static const struct {
		struct vapic_ipi ipi;
		uint32_t id;
		bool match;
	} cases[] = {
		{ { .dest = 3, .source = 0 }, 3, true },
		{ { .dest = 3, .source = 0 }, 4, false },
		{ { .dest = 3, .source = 3 }, 3, true },
		{ { .dest = 0xffffffff, .source = 0 }, 9, true },
		{ { .dest = 0xffffffff, .source = 0, .logical = true }, 9, true },
		{ { .dest = 0x00000006, .logical = true }, 1, true },   /* cluster 0, ids 1, 2 */
		{ { .dest = 0x00000006, .logical = true }, 2, true },
		{ { .dest = 0x00000006, .logical = true }, 0, false },
		{ { .dest = 0x00000006, .logical = true }, 17, false }, /* cluster 1 */
		{ { .dest = 0x00010002, .logical = true }, 17, true },
		{ { .dest = 0x00010002, .logical = true }, 1, false },
		{ { .dest = 5, .source = 2, .shorthand = VAPIC_SH_SELF }, 2, true },
		{ { .dest = 5, .source = 2, .shorthand = VAPIC_SH_SELF }, 5, false },
		{ { .source = 2, .shorthand = VAPIC_SH_ALL }, 2, true },
		{ { .source = 2, .shorthand = VAPIC_SH_ALL }, 6, true },
		{ { .source = 2, .shorthand = VAPIC_SH_OTHERS }, 2, false },
		{ { .source = 2, .shorthand = VAPIC_SH_OTHERS }, 6, true },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(vapic_ipi_matches(&cases[i].ipi, cases[i].id), cases[i].match);
}

static void test_self_ipi(void **state)
{
	struct vapic v;

	(void)state;
	init(&v, 0);
	wr(&v, 0x83f, 0x40); /* software-disabled: held, not deliverable */
	assert_int_equal(vapic_pending_vector(&v), 0);
	enable(&v);
	wr(&v, 0x83f, 0x40);
	assert_int_equal(vapic_pending_vector(&v), 0x40);
	assert_true(irr_has(&v, 0x40));
}

/* ---- timer ---------------------------------------------------------------------- */

/* One-shot deadlines for each divider: start + count * divisor * 10 clock units. */
static void test_timer_one_shot(void **state)
{
	static const struct {
		uint32_t dcr, count;
		uint64_t start, deadline;
	} cases[] = {
		{ 0xb, 1000, 5000, 15000 },     /* divide by 1 */
		{ 0x0, 1000, 5000, 25000 },     /* by 2 */
		{ 0x1, 1, 0, 40 },              /* by 4 */
		{ 0x2, 1, 0, 80 },
		{ 0x3, 1, 0, 160 },
		{ 0x8, 1, 0, 320 },
		{ 0x9, 1, 0, 640 },
		{ 0xa, 3, 7, 3847 },            /* by 128 */
		{ 0xb, 0xffffffff, 1, 42949672951ull },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t start = cases[i].start, deadline = cases[i].deadline;
		struct vapic_effect effect;
		struct vapic v;

		init(&v, 0);
		enable(&v);
		wr(&v, 0x83e, cases[i].dcr);
		wr(&v, 0x832, 0x30);
		effect = wr_at(&v, 0x838, cases[i].count, start);
		assert_true(effect.timer_changed);
		assert_int_equal(vapic_timer_deadline(&v), deadline);
		assert_int_equal(rd_at(&v, 0x839, start), cases[i].count);
		assert_int_equal(rd_at(&v, 0x839, deadline - 1), 1);
		assert_int_equal(rd_at(&v, 0x839, deadline), 0);
		assert_false(vapic_timer_tick(&v, deadline - 1));
		assert_int_equal(vapic_pending_vector(&v), 0);
		assert_true(vapic_timer_tick(&v, deadline));
		assert_int_equal(vapic_pending_vector(&v), 0x30);
		assert_int_equal(vapic_timer_deadline(&v), VAPIC_NO_DEADLINE);
		assert_int_equal(rd_at(&v, 0x839, deadline + 1000), 0);
		assert_int_equal(rd(&v, 0x838), cases[i].count);
	}
}

/* The current count falls by one per divided tick and is computed from now. */
static void test_timer_current_count(void **state)
{
	static const struct {
		uint64_t now;
		uint32_t count;
	} reads[] = {
		{ 100, 1000 }, { 105, 1000 }, { 110, 999 }, { 119, 999 }, { 120, 998 },
		{ 5100, 500 }, { 10099, 1 }, { 10100, 1000 }, /* periodic: reloaded */
		{ 10110, 999 }, { 35100, 500 },               /* 3.5 periods, no tick yet */
	};
	struct vapic v;

	(void)state;
	init(&v, 0);
	enable(&v);
	wr(&v, 0x83e, 0xb);
	wr(&v, 0x832, 0x20030);
	wr_at(&v, 0x838, 1000, 100);
	for (size_t i = 0; i < ARRAY_SIZE(reads); i++)
		assert_int_equal(rd_at(&v, 0x839, reads[i].now), reads[i].count);
}

/*
 * Periodic expiries stay on the nominal grid start + k * period, exact
 * to the clock unit even when a period is not a whole number of clock
 * units, and ticking late coalesces the missed periods into one interrupt.
 */
static void test_timer_periodic_nominal(void **state)
{
	static const struct {
		uint64_t clock_hz, timer_hz;
		uint32_t count, dcr;
	} rates[] = {
		{ 3000000000ull, 7000000ull, 1, 0xb },
		{ 2500000001ull, 200000000ull, 1000, 0x3 },
		{ 2102000000ull, 1003000000ull, 65536, 0xb },
		{ 10000000ull, 200000000ull, 30, 0xb }, /* a 100 ns clock: 1.5 clock units a period */
	};

	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(rates); r++) {
		uint64_t start = 12345, divisor = rates[r].dcr == 0xb ? 1 : 16;
		unsigned __int128 period_num = (unsigned __int128)rates[r].count * divisor *
					       rates[r].clock_hz;
		uint64_t k = 1;
		struct vapic v;

		vapic_init(&v, 0, true, rates[r].timer_hz, rates[r].clock_hz);
		enable(&v);
		wr(&v, 0x83e, rates[r].dcr);
		wr(&v, 0x832, 0x20040);
		wr_at(&v, 0x838, rates[r].count, start);
		while (k < 3000) {
			uint64_t expect = start + (uint64_t)((period_num * k + rates[r].timer_hz - 1) /
							     rates[r].timer_hz);

			assert_int_equal(vapic_timer_deadline(&v), expect);
			/* Every 100th tick comes 7.5 periods late: coalesced. */
			if (k % 100 == 0) {
				uint64_t late = start + (uint64_t)(period_num * (2 * k + 15) /
								   (2 * rates[r].timer_hz));

				assert_true(vapic_timer_tick(&v, late));
				k += 8;
			} else {
				assert_true(vapic_timer_tick(&v, expect));
				k++;
			}
			vapic_interrupt_delivered(&v, 0x40, false);
			wr(&v, 0x80b, 0);
		}
	}
}

static void test_timer_masked_counts_on(void **state)
{
	struct vapic v;

	(void)state;
	init(&v, 0);
	enable(&v);
	wr(&v, 0x83e, 0xb);
	wr(&v, 0x832, 0x10030);
	wr_at(&v, 0x838, 100, 0);
	assert_int_equal(rd_at(&v, 0x839, 500), 50);
	assert_false(vapic_timer_tick(&v, 1000));
	assert_int_equal(vapic_pending_vector(&v), 0);
	assert_int_equal(vapic_timer_deadline(&v), VAPIC_NO_DEADLINE);
}

static void test_timer_stop_and_divide(void **state)
{
	struct vapic_effect effect;
	struct vapic v;

	(void)state;
	init(&v, 0);
	enable(&v);
	wr(&v, 0x83e, 0xb);
	wr(&v, 0x832, 0x30);
	wr_at(&v, 0x838, 1000, 0);
	/* Halfway, the divisor goes from 1 to 2: the remaining 500 take twice as long. */
	effect = wr_at(&v, 0x83e, 0x0, 5000);
	assert_true(effect.timer_changed);
	assert_int_equal(rd_at(&v, 0x839, 5000), 500);
	assert_int_equal(vapic_timer_deadline(&v), 15000);
	assert_int_equal(rd_at(&v, 0x839, 5020), 499);
	/* Writing 0 to the initial count stops the timer. */
	effect = wr_at(&v, 0x838, 0, 6000);
	assert_true(effect.timer_changed);
	assert_int_equal(vapic_timer_deadline(&v), VAPIC_NO_DEADLINE);
	assert_int_equal(rd_at(&v, 0x839, 6000), 0);
	assert_false(vapic_timer_tick(&v, 20000));
	/* A write that leaves the timer alone reports no change. */
	effect = wr_at(&v, 0x808, 0x10, 7000);
	assert_false(effect.timer_changed);
}

/* A write after a missed expiry delivers it before applying the change. */
static void test_timer_write_settles_expiry(void **state)
{
	struct vapic_effect effect;
	struct vapic v;

	(void)state;
	init(&v, 0);
	enable(&v);
	wr(&v, 0x83e, 0xb);
	wr(&v, 0x832, 0x30);
	wr_at(&v, 0x838, 100, 0); /* due at 1000 */
	effect = wr_at(&v, 0x838, 100, 1500);
	assert_true(irr_has(&v, 0x30));
	assert_true(effect.timer_changed);
	assert_int_equal(vapic_timer_deadline(&v), 2500);
	/* Masking after the due time still delivers the expiry that was due. */
	vapic_interrupt_delivered(&v, 0x30, true);
	wr_at(&v, 0x832, 0x10030, 2600);
	assert_true(irr_has(&v, 0x30));
}

/* ---- INIT ---------------------------------------------------------------------- */

static void test_reset(void **state)
{
	struct vapic fresh, v;

	(void)state;
	init(&fresh, 0x11);
	init(&v, 0x11);
	enable(&v);
	wr(&v, 0x808, 0x20);
	wr(&v, 0x832, 0x20030);
	wr(&v, 0x83e, 0x3);
	wr_at(&v, 0x838, 100, 0);
	in_service(&v, 0x60);
	vapic_accept_interrupt(&v, 0x70);
	wr(&v, 0x830, 0x0000000100000005ull);
	vapic_reset(&v);
	for (uint32_t msr = 0x800; msr <= 0x8ff; msr++) {
		uint64_t a, b;

		if (vapic_msr_read(&fresh, msr, 50, &a) == VAPIC_OK) {
			assert_int_equal(vapic_msr_read(&v, msr, 50, &b), VAPIC_OK);
			assert_int_equal(a, b);
		}
	}
	assert_int_equal(rd(&v, 0x1b), 0xfee00c00); /* still x2APIC mode */
	assert_int_equal(rd(&v, 0x802), 0x11);
	assert_int_equal(vapic_timer_deadline(&v), VAPIC_NO_DEADLINE);
	assert_int_equal(vapic_pending_vector(&v), 0);
}

/* ---- concurrency ----------------------------------------------------------------- */

#define POSTERS 4
#define VECTORS_PER_POSTER 60 /* 4 x 60 = vectors 16-255 */

struct poster {
	struct vapic *v;
	uint8_t first;
	int newly;
};

static void *post_vectors(void *arg)
{
	struct poster *p = arg;

	for (int i = 0; i < VECTORS_PER_POSTER; i++)
		p->newly += vapic_accept_interrupt(p->v, (uint8_t)(p->first + i * POSTERS));
	return NULL;
}

/* Posters on other threads race the owner taking vectors: none is lost or doubled. */
static void test_remote_posters(void **state)
{
	(void)state;
	for (int round = 0; round < 200; round++) {
		struct poster posters[POSTERS];
		pthread_t threads[POSTERS];
		int seen[256] = { 0 }, taken = 0, newly = 0;
		struct vapic v;

		init(&v, 0);
		enable(&v);
		for (int t = 0; t < POSTERS; t++) {
			posters[t] = (struct poster){ .v = &v, .first = (uint8_t)(16 + t) };
			assert_int_equal(pthread_create(&threads[t], NULL, post_vectors, &posters[t]), 0);
		}
		while (taken < POSTERS * VECTORS_PER_POSTER) {
			uint8_t vector = vapic_pending_vector(&v);

			if (vector == 0)
				continue;
			seen[vector]++;
			taken++;
			vapic_interrupt_delivered(&v, vector, true);
		}
		for (int t = 0; t < POSTERS; t++) {
			pthread_join(threads[t], NULL);
			newly += posters[t].newly;
		}
		assert_int_equal(newly, POSTERS * VECTORS_PER_POSTER);
		for (int vec = 16; vec < 256; vec++)
			assert_int_equal(seen[vec], 1);
		assert_int_equal(vapic_pending_vector(&v), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msr_map),
		cmocka_unit_test(test_power_on_values),
		cmocka_unit_test(test_logical_id),
		cmocka_unit_test(test_write_checks),
		cmocka_unit_test(test_apic_base),
		cmocka_unit_test(test_ppr),
		cmocka_unit_test(test_pending_vector),
		cmocka_unit_test(test_nesting_and_eoi),
		cmocka_unit_test(test_auto_eoi),
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_software_disable),
		cmocka_unit_test(test_esr),
		cmocka_unit_test(test_illegal_lvt_vector),
		cmocka_unit_test(test_icr_decode),
		cmocka_unit_test(test_ipi_matches),
		cmocka_unit_test(test_self_ipi),
		cmocka_unit_test(test_timer_one_shot),
		cmocka_unit_test(test_timer_current_count),
		cmocka_unit_test(test_timer_periodic_nominal),
		cmocka_unit_test(test_timer_masked_counts_on),
		cmocka_unit_test(test_timer_stop_and_divide),
		cmocka_unit_test(test_timer_write_settles_expiry),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_remote_posters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
