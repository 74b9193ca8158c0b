/*
 * Hyper-V synthetic timers (see stimer.h).  A timer is armed exactly
 * when it is enabled with a non-zero count; `deadline` caches its next
 * expiry so the caller's question "when next?" costs four compares.
 */
#include <plat/stimer.h>

#define CONFIG_VECTOR_MASK (0xffull << STIMER_CONFIG_VECTOR_SHIFT)
#define CONFIG_SINT_MASK (0xfull << STIMER_CONFIG_SINT_SHIFT)
#define CONFIG_DEFINED (STIMER_CONFIG_ENABLE | STIMER_CONFIG_PERIODIC | STIMER_CONFIG_LAZY | \
			STIMER_CONFIG_AUTO_ENABLE | CONFIG_VECTOR_MASK | STIMER_CONFIG_DIRECT | \
			CONFIG_SINT_MASK)

static uint64_t add_saturated(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static uint8_t config_sint(uint64_t config)
{
	return (uint8_t)((config & CONFIG_SINT_MASK) >> STIMER_CONFIG_SINT_SHIFT);
}

static uint8_t config_vector(uint64_t config)
{
	return (uint8_t)((config & CONFIG_VECTOR_MASK) >> STIMER_CONFIG_VECTOR_SHIFT);
}

/* TLFS: a message-mode timer cannot be enabled on SINT 0; it disables itself. */
static void stimer_check_enable(struct stimer *t)
{
	if (!(t->config & STIMER_CONFIG_DIRECT) && config_sint(t->config) == 0)
		t->config &= ~STIMER_CONFIG_ENABLE;
}

/* (Re)starts the timer from now, or stops it when disabled or its count is 0. */
static void stimer_arm(struct stimer *t, uint64_t now)
{
	if (!(t->config & STIMER_CONFIG_ENABLE) || t->count == 0)
		t->deadline = STIMER_NO_DEADLINE;
	else if (t->config & STIMER_CONFIG_PERIODIC)
		t->deadline = add_saturated(now, t->count);
	else
		t->deadline = t->count;
}

/*
 * Writing the configuration of an enabled timer is undefined in the
 * TLFS; here it restarts the timer with the new settings.
 */
static void stimer_config_write(struct stimer *t, uint64_t value, uint64_t now)
{
	t->config = value & CONFIG_DEFINED;
	stimer_check_enable(t);
	stimer_arm(t, now);
}

static void stimer_count_write(struct stimer *t, uint64_t value, uint64_t now)
{
	t->count = value;
	if (value == 0)
		t->config &= ~STIMER_CONFIG_ENABLE;
	else if (t->config & STIMER_CONFIG_AUTO_ENABLE)
		t->config |= STIMER_CONFIG_ENABLE;
	stimer_check_enable(t);
	stimer_arm(t, now);
}

void stimer_init(struct stimer_set *s)
{
	for (uint32_t i = 0; i < STIMER_COUNT; i++)
		s->timer[i] = (struct stimer){ .deadline = STIMER_NO_DEADLINE };
}

bool stimer_msr_read(const struct stimer_set *s, uint32_t msr, uint64_t *value)
{
	const struct stimer *t;

	if (!stimer_msr_claims(msr))
		return false;
	t = &s->timer[(msr - STIMER_MSR_CONFIG0) / 2];
	*value = (msr - STIMER_MSR_CONFIG0) % 2 ? t->count : t->config;
	return true;
}

bool stimer_msr_write(struct stimer_set *s, uint32_t msr, uint64_t value, uint64_t now)
{
	struct stimer *t;

	if (!stimer_msr_claims(msr))
		return false;
	t = &s->timer[(msr - STIMER_MSR_CONFIG0) / 2];
	if ((msr - STIMER_MSR_CONFIG0) % 2)
		stimer_count_write(t, value, now);
	else
		stimer_config_write(t, value, now);
	return true;
}

uint64_t stimer_deadline(const struct stimer_set *s)
{
	uint64_t deadline = STIMER_NO_DEADLINE;

	for (uint32_t i = 0; i < STIMER_COUNT; i++) {
		if (s->timer[i].deadline < deadline)
			deadline = s->timer[i].deadline;
	}
	return deadline;
}

/*
 * One expiry.  A periodic timer keeps its phase: the next expiry is the
 * first multiple of the period after now, counted from the one that was
 * due, so lateness never accumulates.
 */
static void stimer_expire(struct stimer *t, uint32_t index, uint64_t now, struct stimer_expiry *e)
{
	uint64_t missed;

	*e = (struct stimer_expiry){
		.timer = index,
		.direct = (t->config & STIMER_CONFIG_DIRECT) != 0,
		.vector = config_vector(t->config),
		.sint = config_sint(t->config),
		.message = { .timer_index = index, .expiration_time = t->deadline,
			     .delivery_time = now },
	};
	if (t->config & STIMER_CONFIG_PERIODIC) {
		missed = (now - t->deadline) / t->count;
		t->deadline = add_saturated(t->deadline + missed * t->count, t->count);
	} else {
		t->config &= ~STIMER_CONFIG_ENABLE;
		t->deadline = STIMER_NO_DEADLINE;
	}
}

uint32_t stimer_tick(struct stimer_set *s, uint64_t now, struct stimer_expiry out[STIMER_COUNT])
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < STIMER_COUNT; i++) {
		struct stimer *t = &s->timer[i];

		if (t->deadline != STIMER_NO_DEADLINE && t->deadline <= now)
			stimer_expire(t, i, now, &out[n++]);
	}
	return n;
}
