/*
 * Virtual x2APIC (see vapic.h).  The register rules follow the SDM's
 * x2APIC chapter: read-only registers fault on WRMSR, EOI and SELF_IPI
 * fault on RDMSR, reserved addresses fault both ways, non-zero reserved
 * bits fault on WRMSR, and so do the upper 32 bits of every register
 * but the ICR.  Read-only status bits inside writable registers (LVT
 * delivery status, remote IRR, ICR busy) are ignored instead: software
 * writes back what it read, and these bits only ever read 0 here since
 * every delivery completes at once.
 */
#include <plat/vapic.h>

#define VECTOR_MASK 0xffu
#define TPR_WRITABLE 0xffu
#define SVR_WRITABLE 0x3ffu  /* vector, software enable, focus-check disable */
#define DIVIDE_WRITABLE 0x0bu
#define SELF_IPI_WRITABLE 0xffu
#define LVT_DELIVERY_STATUS (1u << 12)
#define LVT_REMOTE_IRR (1u << 14)

#define ICR_DELIVERY_SHIFT 8
#define ICR_LOGICAL (1ull << 11)
#define ICR_BUSY (1ull << 12)          /* gone in x2APIC mode; ignored on write */
#define ICR_LEVEL_ASSERT (1ull << 14)
#define ICR_TRIGGER_LEVEL (1ull << 15)
#define ICR_SHORTHAND_SHIFT 18
/* Bits 13, 16-17 and 20-31 are reserved (the destination is bits 32-63). */
#define ICR_RESERVED 0xfff32000ull

/* Writable bits of each LVT entry (SDM "Local Vector Table"). */
static const uint32_t lvt_writable[VAPIC_LVT_COUNT] = {
	[VAPIC_LVT_TIMER] = 0x300ff,   /* vector, mask, periodic; no TSC-deadline */
	[VAPIC_LVT_THERMAL] = 0x107ff, /* vector, delivery mode, mask */
	[VAPIC_LVT_PERF] = 0x107ff,
	[VAPIC_LVT_LINT0] = 0x1a7ff,   /* ... and pin polarity, trigger mode */
	[VAPIC_LVT_LINT1] = 0x1a7ff,
	[VAPIC_LVT_ERROR] = 0x100ff,   /* vector, mask */
};

/* Read-only bits of each LVT entry: dropped from writes without a fault. */
static const uint32_t lvt_read_only[VAPIC_LVT_COUNT] = {
	[VAPIC_LVT_TIMER] = LVT_DELIVERY_STATUS,
	[VAPIC_LVT_THERMAL] = LVT_DELIVERY_STATUS,
	[VAPIC_LVT_PERF] = LVT_DELIVERY_STATUS,
	[VAPIC_LVT_LINT0] = LVT_DELIVERY_STATUS | LVT_REMOTE_IRR,
	[VAPIC_LVT_LINT1] = LVT_DELIVERY_STATUS | LVT_REMOTE_IRR,
	[VAPIC_LVT_ERROR] = LVT_DELIVERY_STATUS,
};

/* ---- 256-bit registers --------------------------------------------------- */

static uint32_t vector_bit(uint8_t vector)
{
	return 1u << (vector % 32);
}

/* Highest set bit of a 256-bit register given as 8 words, or -1. */
static int highest_vector(const uint32_t *words, bool atomic)
{
	for (int i = 7; i >= 0; i--) {
		uint32_t w = atomic ? __atomic_load_n(&words[i], __ATOMIC_ACQUIRE) : words[i];

		if (w != 0)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

/* Sets the IRR bit; true when it was clear (the owner must look). */
static bool irr_set(struct vapic *v, uint8_t vector)
{
	uint32_t bit = vector_bit(vector);

	return !(__atomic_fetch_or(&v->irr[vector / 32], bit, __ATOMIC_RELEASE) & bit);
}

static uint32_t ppr(const struct vapic *v)
{
	int isrv = highest_vector(v->isr, false);
	uint32_t isr_class = isrv >= 0 ? (uint32_t)isrv & 0xf0 : 0;

	return (v->tpr & 0xf0) >= isr_class ? v->tpr : isr_class;
}

static uint32_t ldr_of(uint32_t apic_id)
{
	return (apic_id >> 4) << 16 | 1u << (apic_id & 0xf);
}

/* ---- errors and local interrupt sources ----------------------------------- */

/*
 * Logs an error for the next ESR write and raises the error LVT.  An
 * error vector that is itself illegal only adds its own error bit, so
 * logging cannot recurse.
 */
static void log_error(struct vapic *v, uint32_t bit)
{
	uint32_t entry = v->lvt[VAPIC_LVT_ERROR];

	v->esr_pending |= bit;
	if (entry & VAPIC_LVT_MASKED)
		return;
	if ((entry & VECTOR_MASK) < 16)
		v->esr_pending |= VAPIC_ESR_RECEIVE_ILLEGAL_VECTOR;
	else
		irr_set(v, (uint8_t)(entry & VECTOR_MASK));
}

/* A local source fires through its LVT entry; true when a vector became pending. */
static bool lvt_fire(struct vapic *v, enum vapic_lvt lvt)
{
	uint32_t entry = v->lvt[lvt];

	if (entry & VAPIC_LVT_MASKED)
		return false;
	if ((entry & VECTOR_MASK) < 16) {
		log_error(v, VAPIC_ESR_RECEIVE_ILLEGAL_VECTOR);
		return false;
	}
	return irr_set(v, (uint8_t)(entry & VECTOR_MASK));
}

/* ---- timer ----------------------------------------------------------------- */

static uint32_t timer_divisor(uint32_t divide)
{
	uint32_t code = (divide & 3) | ((divide >> 1) & 4);

	return code == 7 ? 1 : 2u << code;
}

static bool timer_periodic(const struct vapic *v)
{
	return (v->lvt[VAPIC_LVT_TIMER] & VAPIC_LVT_TIMER_PERIODIC) != 0;
}

static uint64_t add_saturated(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/*
 * n / d and its remainder for a 128-bit n, with one DIV instruction
 * (hv links no compiler runtime for 128-bit division); saturates when the
 * quotient does not fit 64 bits.
 */
static uint64_t div128(unsigned __int128 n, uint64_t d, uint64_t *rem)
{
	uint64_t hi = (uint64_t)(n >> 64), lo = (uint64_t)n, q, r;

	if (hi >= d) {
		*rem = 0;
		return UINT64_MAX;
	}
	__asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
	*rem = r;
	return q;
}

/* Whole timer ticks (before the divider) from the count's start to now. */
static uint64_t timer_ticks_since_base(const struct vapic *v, uint64_t now)
{
	const struct vapic_timer *t = &v->timer;
	unsigned __int128 n;
	uint64_t rem;

	if (now <= t->base)
		return 0;
	n = (unsigned __int128)(now - t->base) * v->timer_hz;
	if (n <= t->base_frac)
		return 0;
	return div128(n - t->base_frac, v->clock_hz, &rem);
}

/* Moves the count's start forward by exactly `ticks` timer ticks. */
static void timer_advance_base(struct vapic *v, uint64_t ticks)
{
	struct vapic_timer *t = &v->timer;
	unsigned __int128 n = (unsigned __int128)ticks * v->clock_hz + t->base_frac;
	uint64_t whole = div128(n, v->timer_hz, &t->base_frac);

	t->base = add_saturated(t->base, whole);
}

/* The first clock time at which the count has reached 0. */
static void timer_update_deadline(struct vapic *v)
{
	struct vapic_timer *t = &v->timer;
	unsigned __int128 n;
	uint64_t whole, rem;

	if (!t->running) {
		t->deadline = VAPIC_NO_DEADLINE;
		return;
	}
	n = (unsigned __int128)t->base_count * timer_divisor(t->divide) * v->clock_hz +
	    t->base_frac;
	whole = div128(n, v->timer_hz, &rem);
	t->deadline = add_saturated(add_saturated(t->base, whole), rem != 0);
}

static void timer_restart(struct vapic *v, uint32_t count, uint64_t now)
{
	struct vapic_timer *t = &v->timer;

	t->base = now;
	t->base_frac = 0;
	t->base_count = count;
	t->running = count != 0;
	timer_update_deadline(v);
}

static uint32_t timer_current(const struct vapic *v, uint64_t now)
{
	const struct vapic_timer *t = &v->timer;
	uint64_t counts;

	if (!t->running)
		return 0;
	counts = timer_ticks_since_base(v, now) / timer_divisor(t->divide);
	if (counts < t->base_count)
		return t->base_count - (uint32_t)counts;
	if (!timer_periodic(v) || t->initial == 0)
		return 0;
	return t->initial - (uint32_t)((counts - t->base_count) % t->initial);
}

uint64_t vapic_timer_deadline(const struct vapic *v)
{
	return v->timer.deadline;
}

/* Periodic expiry: skip every whole period that has passed, from the expiry time. */
static void timer_reload(struct vapic *v, uint64_t now)
{
	struct vapic_timer *t = &v->timer;
	uint32_t divisor = timer_divisor(t->divide);
	uint64_t counts = timer_ticks_since_base(v, now) / divisor;
	uint64_t skipped = t->base_count;

	if (counts > t->base_count && t->initial != 0)
		skipped += (counts - t->base_count) / t->initial * t->initial;
	timer_advance_base(v, skipped * divisor);
	t->base_count = t->initial;
	t->running = t->initial != 0;
	timer_update_deadline(v);
}

bool vapic_timer_tick(struct vapic *v, uint64_t now)
{
	struct vapic_timer *t = &v->timer;

	if (!t->running || now < t->deadline)
		return false;
	if (timer_periodic(v)) {
		timer_reload(v, now);
	} else {
		t->running = false;
		t->deadline = VAPIC_NO_DEADLINE;
	}
	return lvt_fire(v, VAPIC_LVT_TIMER);
}

/* ---- life cycle -------------------------------------------------------------- */

void vapic_init(struct vapic *v, uint32_t apic_id, bool bsp, uint64_t timer_hz,
		uint64_t clock_hz)
{
	v->id = apic_id;
	v->bsp = bsp;
	v->timer_hz = timer_hz;
	v->clock_hz = clock_hz;
	vapic_reset(v);
}

void vapic_reset(struct vapic *v)
{
	for (int i = 0; i < 8; i++) {
		__atomic_store_n(&v->irr[i], 0, __ATOMIC_RELAXED);
		v->isr[i] = 0;
		v->tmr[i] = 0;
	}
	__atomic_store_n(&v->svr, 0xffu, __ATOMIC_RELAXED); /* software-disabled */
	v->tpr = 0;
	v->esr = 0;
	v->esr_pending = 0;
	v->icr = 0;
	for (int i = 0; i < VAPIC_LVT_COUNT; i++)
		v->lvt[i] = VAPIC_LVT_MASKED;
	v->timer = (struct vapic_timer){ .deadline = VAPIC_NO_DEADLINE };
}

/* ---- interrupt flow ------------------------------------------------------------ */

bool vapic_accept_interrupt(struct vapic *v, uint8_t vector)
{
	if (vector < 16)
		return false;
	return irr_set(v, vector);
}

uint8_t vapic_pending_vector(const struct vapic *v)
{
	int irrv = highest_vector(v->irr, true);

	if (!(v->svr & VAPIC_SVR_ENABLE) || irrv < 16 || ((uint32_t)irrv & 0xf0) <= (ppr(v) & 0xf0))
		return 0;
	return (uint8_t)irrv;
}

void vapic_interrupt_delivered(struct vapic *v, uint8_t vector, bool auto_eoi)
{
	__atomic_fetch_and(&v->irr[vector / 32], ~vector_bit(vector), __ATOMIC_RELAXED);
	if (!auto_eoi)
		v->isr[vector / 32] |= vector_bit(vector);
}

static void eoi(struct vapic *v)
{
	int isrv = highest_vector(v->isr, false);

	if (isrv >= 0)
		v->isr[isrv / 32] &= ~vector_bit((uint8_t)isrv);
}

bool vapic_ipi_matches(const struct vapic_ipi *ipi, uint32_t apic_id)
{
	uint32_t ldr;

	if (ipi->shorthand == VAPIC_SH_SELF)
		return apic_id == ipi->source;
	if (ipi->shorthand == VAPIC_SH_ALL)
		return true;
	if (ipi->shorthand == VAPIC_SH_OTHERS)
		return apic_id != ipi->source;
	if (ipi->dest == VAPIC_BROADCAST)
		return true;
	if (!ipi->logical)
		return ipi->dest == apic_id;
	ldr = ldr_of(apic_id);
	return (ipi->dest >> 16) == (ldr >> 16) && (ipi->dest & ldr & 0xffff) != 0;
}

/* ---- register writes ------------------------------------------------------------ */

static uint64_t apic_base(const struct vapic *v)
{
	return VAPIC_BASE_ADDRESS | VAPIC_BASE_EN | VAPIC_BASE_EXTD |
	       (v->bsp ? VAPIC_BASE_BSP : 0);
}

/*
 * The APIC stays enabled in x2APIC mode at its one address: any other
 * value faults (leaving x2APIC mode is not offered).  BSP is read-only.
 */
static enum vapic_status write_apic_base(const struct vapic *v, uint64_t value)
{
	return (value & ~VAPIC_BASE_BSP) == (apic_base(v) & ~VAPIC_BASE_BSP) ? VAPIC_OK : VAPIC_GP;
}

static enum vapic_status write_svr(struct vapic *v, uint32_t value)
{
	if (value & ~SVR_WRITABLE)
		return VAPIC_GP;
	__atomic_store_n(&v->svr, value, __ATOMIC_RELAXED);
	if (!(value & VAPIC_SVR_ENABLE)) {
		for (int i = 0; i < VAPIC_LVT_COUNT; i++)
			v->lvt[i] |= VAPIC_LVT_MASKED;
	}
	return VAPIC_OK;
}

/* While software-disabled, every LVT entry stays masked (SDM). */
static enum vapic_status write_lvt(struct vapic *v, enum vapic_lvt lvt, uint32_t value)
{
	value &= ~lvt_read_only[lvt];
	if (value & ~lvt_writable[lvt])
		return VAPIC_GP;
	if (!(v->svr & VAPIC_SVR_ENABLE))
		value |= VAPIC_LVT_MASKED;
	v->lvt[lvt] = value;
	return VAPIC_OK;
}

/* A new divisor applies to the rest of the count, from now. */
static enum vapic_status write_divide(struct vapic *v, uint32_t value, uint64_t now)
{
	uint32_t current = timer_current(v, now);

	if (value & ~DIVIDE_WRITABLE)
		return VAPIC_GP;
	v->timer.divide = value;
	if (v->timer.running)
		timer_restart(v, current, now);
	return VAPIC_OK;
}

/* Write-then-read: a write (of 0) publishes the errors logged since the last one. */
static enum vapic_status write_esr(struct vapic *v, uint32_t value)
{
	if (value != 0)
		return VAPIC_GP;
	v->esr = v->esr_pending;
	v->esr_pending = 0;
	return VAPIC_OK;
}

static enum vapic_status write_self_ipi(struct vapic *v, uint32_t value)
{
	if (value & ~SELF_IPI_WRITABLE)
		return VAPIC_GP;
	if (value < 16)
		log_error(v, VAPIC_ESR_SEND_ILLEGAL_VECTOR | VAPIC_ESR_RECEIVE_ILLEGAL_VECTOR);
	else
		vapic_accept_interrupt(v, (uint8_t)value);
	return VAPIC_OK;
}

/*
 * ICR: a 64-bit register in x2APIC mode (destination in bits 63:32); a
 * write sends.  Reserved delivery modes and INIT level de-assert (a no-op
 * since the Pentium 4; Linux still sends it) send nothing.
 */
static enum vapic_status write_icr(struct vapic *v, uint64_t value, struct vapic_effect *effect)
{
	struct vapic_ipi ipi = {
		.dest = (uint32_t)(value >> 32),
		.source = v->id,
		.vector = (uint8_t)(value & VECTOR_MASK),
		.delivery = (uint8_t)((value >> ICR_DELIVERY_SHIFT) & 7),
		.shorthand = (uint8_t)((value >> ICR_SHORTHAND_SHIFT) & 3),
		.logical = (value & ICR_LOGICAL) != 0,
	};

	if (value & ICR_RESERVED)
		return VAPIC_GP;
	v->icr = value & ~ICR_BUSY;
	if (ipi.delivery == 3 || ipi.delivery == 7)
		return VAPIC_OK;
	if (ipi.delivery == VAPIC_DM_INIT && (value & ICR_TRIGGER_LEVEL) &&
	    !(value & ICR_LEVEL_ASSERT))
		return VAPIC_OK;
	if ((ipi.delivery == VAPIC_DM_FIXED || ipi.delivery == VAPIC_DM_LOWEST) && ipi.vector < 16) {
		log_error(v, VAPIC_ESR_SEND_ILLEGAL_VECTOR);
		return VAPIC_OK;
	}
	effect->ipi_valid = true;
	effect->ipi = ipi;
	return VAPIC_OK;
}

static enum vapic_status write_register(struct vapic *v, uint32_t msr, uint64_t value,
					uint64_t now, struct vapic_effect *effect)
{
	uint32_t low = (uint32_t)value;

	if (msr != VAPIC_MSR_ICR && (value >> 32) != 0)
		return VAPIC_GP;
	if (msr >= VAPIC_MSR_LVT_TIMER && msr <= VAPIC_MSR_LVT_ERROR)
		return write_lvt(v, (enum vapic_lvt)(msr - VAPIC_MSR_LVT_TIMER), low);
	switch (msr) {
	case VAPIC_MSR_TPR:
		if (low & ~TPR_WRITABLE)
			return VAPIC_GP;
		v->tpr = low;
		return VAPIC_OK;
	case VAPIC_MSR_EOI:
		if (low != 0)
			return VAPIC_GP;
		eoi(v);
		return VAPIC_OK;
	case VAPIC_MSR_SVR:
		return write_svr(v, low);
	case VAPIC_MSR_ESR:
		return write_esr(v, low);
	case VAPIC_MSR_ICR:
		return write_icr(v, value, effect);
	case VAPIC_MSR_TIMER_INITIAL:
		v->timer.initial = low;
		timer_restart(v, low, now);
		return VAPIC_OK;
	case VAPIC_MSR_TIMER_DIVIDE:
		return write_divide(v, low, now);
	case VAPIC_MSR_SELF_IPI:
		return write_self_ipi(v, low);
	default:
		return VAPIC_GP; /* read-only or reserved */
	}
}

/*
 * Any expiry due by now is processed first, so a write that changes the
 * timer (mode, divisor, count, software disable) applies from now on and
 * never swallows an interrupt that was already due.
 */
enum vapic_status vapic_msr_write(struct vapic *v, uint32_t msr, uint64_t value, uint64_t now,
				  struct vapic_effect *effect)
{
	uint64_t deadline = v->timer.deadline;
	enum vapic_status status;

	*effect = (struct vapic_effect){ 0 };
	if (msr == VAPIC_MSR_APIC_BASE)
		return write_apic_base(v, value);
	if (!vapic_msr_claims(msr))
		return VAPIC_GP;
	vapic_timer_tick(v, now);
	status = write_register(v, msr, value, now, effect);
	effect->timer_changed = v->timer.deadline != deadline;
	return status;
}

/* ---- register reads --------------------------------------------------------------- */

/* The 256-bit registers and the LVT; false for any other MSR. */
static bool read_bank(const struct vapic *v, uint32_t msr, uint64_t *value)
{
	if (msr >= VAPIC_MSR_ISR0 && msr < VAPIC_MSR_ISR0 + 8)
		*value = v->isr[msr - VAPIC_MSR_ISR0];
	else if (msr >= VAPIC_MSR_TMR0 && msr < VAPIC_MSR_TMR0 + 8)
		*value = v->tmr[msr - VAPIC_MSR_TMR0];
	else if (msr >= VAPIC_MSR_IRR0 && msr < VAPIC_MSR_IRR0 + 8)
		*value = __atomic_load_n(&v->irr[msr - VAPIC_MSR_IRR0], __ATOMIC_ACQUIRE);
	else if (msr >= VAPIC_MSR_LVT_TIMER && msr <= VAPIC_MSR_LVT_ERROR)
		*value = v->lvt[msr - VAPIC_MSR_LVT_TIMER];
	else
		return false;
	return true;
}

static bool read_single(const struct vapic *v, uint32_t msr, uint64_t now, uint64_t *value)
{
	uint64_t result;

	switch (msr) {
	case VAPIC_MSR_APIC_BASE:
		result = apic_base(v);
		break;
	case VAPIC_MSR_ID:
		result = v->id;
		break;
	case VAPIC_MSR_VERSION:
		result = VAPIC_VERSION;
		break;
	case VAPIC_MSR_TPR:
		result = v->tpr;
		break;
	case VAPIC_MSR_PPR:
		result = ppr(v);
		break;
	case VAPIC_MSR_LDR:
		result = ldr_of(v->id);
		break;
	case VAPIC_MSR_SVR:
		result = v->svr;
		break;
	case VAPIC_MSR_ESR:
		result = v->esr;
		break;
	case VAPIC_MSR_ICR:
		result = v->icr;
		break;
	case VAPIC_MSR_TIMER_INITIAL:
		result = v->timer.initial;
		break;
	case VAPIC_MSR_TIMER_CURRENT:
		result = timer_current(v, now);
		break;
	case VAPIC_MSR_TIMER_DIVIDE:
		result = v->timer.divide;
		break;
	default:
		return false; /* EOI and SELF_IPI are write-only; the rest reserved */
	}
	*value = result;
	return true;
}

enum vapic_status vapic_msr_read(const struct vapic *v, uint32_t msr, uint64_t now,
				 uint64_t *value)
{
	if (!vapic_msr_claims(msr))
		return VAPIC_GP;
	return read_bank(v, msr, value) || read_single(v, msr, now, value) ? VAPIC_OK : VAPIC_GP;
}
