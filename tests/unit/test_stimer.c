/*
 * Unit tests of the Hyper-V synthetic timers (hv/plat/stimer.c) against
 * the TLFS rules and the MSR sequence Linux 6.1's hyperv_timer.c clock
 * event performs in direct mode.  Times are reference time, 100 ns units.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include "plat/stimer.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define CONFIG(n) (0x400000b0u + 2 * (n))
#define COUNT(n) (0x400000b1u + 2 * (n))

#define ENABLE 0x1ull
#define PERIODIC 0x2ull
#define LAZY 0x4ull
#define AUTO_ENABLE 0x8ull
#define VECTOR(v) ((uint64_t)(v) << 4)
#define DIRECT 0x1000ull
#define SINT(s) ((uint64_t)(s) << 16)

static uint64_t rd(const struct stimer_set *s, uint32_t msr)
{
	uint64_t value = 0xdeadbeef;

	assert_true(stimer_msr_read(s, msr, &value));
	return value;
}

static void wr(struct stimer_set *s, uint32_t msr, uint64_t value, uint64_t now)
{
	assert_true(stimer_msr_write(s, msr, value, now));
}

static void test_msr_range(void **state)
{
	struct stimer_set s;
	uint64_t value;

	(void)state;
	stimer_init(&s);
	for (uint32_t msr = 0x400000a0u; msr < 0x400000c0u; msr++) {
		bool mine = msr >= 0x400000b0u && msr <= 0x400000b7u;

		assert_int_equal(stimer_msr_claims(msr), mine);
		assert_int_equal(stimer_msr_read(&s, msr, &value), mine);
		assert_int_equal(stimer_msr_write(&s, msr, 0, 0), mine);
		if (mine)
			assert_int_equal(value, 0);
	}
	assert_int_equal(stimer_deadline(&s), STIMER_NO_DEADLINE);
}

/*
 * Linux's clock event: set_state_oneshot writes the configuration (enable,
 * auto-enable, direct mode, vector 0xed) with count 0; each
 * set_next_event writes an absolute count; shutdown writes count 0 and
 * then configuration 0.
 */
static void test_linux_clock_event(void **state)
{
	const uint64_t config = ENABLE | AUTO_ENABLE | DIRECT | VECTOR(0xed);
	struct stimer_expiry out[STIMER_COUNT];
	struct stimer_set s;

	(void)state;
	stimer_init(&s);
	wr(&s, CONFIG(0), config, 1000);
	assert_int_equal(rd(&s, CONFIG(0)), config);
	assert_int_equal(stimer_deadline(&s), STIMER_NO_DEADLINE); /* count 0: idle */
	wr(&s, COUNT(0), 5000, 1000);
	assert_int_equal(stimer_deadline(&s), 5000);
	assert_int_equal(stimer_tick(&s, 4999, out), 0);
	assert_int_equal(stimer_tick(&s, 5000, out), 1);
	assert_int_equal(out[0].timer, 0);
	assert_true(out[0].direct);
	assert_int_equal(out[0].vector, 0xed);
	assert_int_equal(out[0].message.expiration_time, 5000);
	assert_int_equal(out[0].message.delivery_time, 5000);
	/* A one-shot timer disables itself; the next count re-enables it. */
	assert_int_equal(rd(&s, CONFIG(0)), config & ~ENABLE);
	assert_int_equal(stimer_deadline(&s), STIMER_NO_DEADLINE);
	assert_int_equal(stimer_tick(&s, 6000, out), 0);
	wr(&s, COUNT(0), 9000, 6000);
	assert_int_equal(rd(&s, CONFIG(0)), config);
	assert_int_equal(stimer_deadline(&s), 9000);
	/* Shutdown. */
	wr(&s, COUNT(0), 0, 7000);
	assert_int_equal(rd(&s, CONFIG(0)), config & ~ENABLE);
	assert_int_equal(stimer_deadline(&s), STIMER_NO_DEADLINE);
	wr(&s, CONFIG(0), 0, 7000);
	assert_int_equal(rd(&s, CONFIG(0)), 0);
	assert_int_equal(stimer_tick(&s, 10000, out), 0);
}

/* Enable rules: each row writes config, then count, at time 100. */
static void test_enable_rules(void **state)
{
	static const struct {
		uint64_t config, count;
		uint64_t config_after, deadline;
	} cases[] = {
		/* Without auto-enable a count does not enable. */
		{ DIRECT | VECTOR(0x40), 1000, DIRECT | VECTOR(0x40), STIMER_NO_DEADLINE },
		{ ENABLE | DIRECT | VECTOR(0x40), 1000, ENABLE | DIRECT | VECTOR(0x40), 1000 },
		/* A count of 0 disables, auto-enable or not. */
		{ ENABLE | DIRECT, 0, DIRECT, STIMER_NO_DEADLINE },
		{ ENABLE | AUTO_ENABLE | DIRECT, 0, AUTO_ENABLE | DIRECT, STIMER_NO_DEADLINE },
		/* Message mode needs a SINT other than 0. */
		{ ENABLE | SINT(0), 1000, 0, STIMER_NO_DEADLINE },
		{ AUTO_ENABLE | SINT(0), 1000, AUTO_ENABLE, STIMER_NO_DEADLINE },
		{ ENABLE | SINT(2), 1000, ENABLE | SINT(2), 1000 },
		{ AUTO_ENABLE | SINT(15), 1000, ENABLE | AUTO_ENABLE | SINT(15), 1000 },
		/* Direct mode ignores the SINT field. */
		{ ENABLE | DIRECT | SINT(0), 1000, ENABLE | DIRECT, 1000 },
		/* Periodic: the first period starts now. */
		{ ENABLE | PERIODIC | DIRECT, 1000, ENABLE | PERIODIC | DIRECT, 1100 },
		/* A one-shot count in the past is due at once. */
		{ ENABLE | DIRECT, 50, ENABLE | DIRECT, 50 },
		/* Lazy is kept; reserved bits read 0. */
		{ ENABLE | LAZY | DIRECT | 0xfff0e000ull, 1000, ENABLE | LAZY | DIRECT, 1000 },
		{ ~0ull, 1000, 0xf1fffull, 1100 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct stimer_set s;

		stimer_init(&s);
		wr(&s, CONFIG(1), cases[i].config, 100);
		wr(&s, COUNT(1), cases[i].count, 100);
		assert_int_equal(rd(&s, CONFIG(1)), cases[i].config_after);
		assert_int_equal(rd(&s, COUNT(1)), cases[i].count);
		assert_int_equal(stimer_deadline(&s), cases[i].deadline);
	}
}

/* Enabling through the configuration with the count already set. */
static void test_enable_after_count(void **state)
{
	struct stimer_expiry out[STIMER_COUNT];
	struct stimer_set s;

	(void)state;
	stimer_init(&s);
	wr(&s, COUNT(2), 800, 100);
	assert_int_equal(stimer_deadline(&s), STIMER_NO_DEADLINE);
	wr(&s, CONFIG(2), ENABLE | DIRECT | VECTOR(0x50), 200);
	assert_int_equal(stimer_deadline(&s), 800);
	/* An expired one-shot enabled again with the same (past) count fires at once. */
	assert_int_equal(stimer_tick(&s, 900, out), 1);
	wr(&s, CONFIG(2), ENABLE | DIRECT | VECTOR(0x50), 1000);
	assert_int_equal(stimer_deadline(&s), 800);
	assert_int_equal(stimer_tick(&s, 1000, out), 1);
	assert_int_equal(out[0].timer, 2);
	assert_int_equal(out[0].message.expiration_time, 800);
	assert_int_equal(out[0].message.delivery_time, 1000);
}

/* Periodic timers keep their phase and coalesce periods missed entirely. */
static void test_periodic(void **state)
{
	static const struct {
		uint64_t tick_at, expiration, next;
	} ticks[] = {
		{ 1250, 1250, 1500 },
		{ 1500, 1500, 1750 },
		{ 2010, 1750, 2250 }, /* 1750 and 2000 due: one expiry */
		{ 2260, 2250, 2500 },
		{ 5000, 2500, 5250 },
	};
	struct stimer_expiry out[STIMER_COUNT];
	struct stimer_set s;

	(void)state;
	stimer_init(&s);
	wr(&s, CONFIG(3), ENABLE | PERIODIC | DIRECT | VECTOR(0x41), 1000);
	wr(&s, COUNT(3), 250, 1000);
	for (size_t i = 0; i < ARRAY_SIZE(ticks); i++) {
		assert_int_equal(stimer_tick(&s, ticks[i].expiration - 1, out), 0);
		assert_int_equal(stimer_tick(&s, ticks[i].tick_at, out), 1);
		assert_int_equal(out[0].timer, 3);
		assert_int_equal(out[0].vector, 0x41);
		assert_int_equal(out[0].message.expiration_time, ticks[i].expiration);
		assert_int_equal(stimer_deadline(&s), ticks[i].next);
		assert_true(rd(&s, CONFIG(3)) & ENABLE);
	}
	/* A new period restarts from now. */
	wr(&s, COUNT(3), 100, 5100);
	assert_int_equal(stimer_deadline(&s), 5200);
}

/* Message mode: an HV_TIMER_MESSAGE_PAYLOAD for the configured SINT. */
static void test_message_mode(void **state)
{
	struct stimer_expiry out[STIMER_COUNT];
	struct stimer_set s;

	(void)state;
	stimer_init(&s);
	wr(&s, CONFIG(1), ENABLE | SINT(3), 0);
	wr(&s, COUNT(1), 700, 0);
	assert_int_equal(stimer_tick(&s, 703, out), 1);
	assert_false(out[0].direct);
	assert_int_equal(out[0].sint, 3);
	assert_int_equal(out[0].message.timer_index, 1);
	assert_int_equal(out[0].message.reserved, 0);
	assert_int_equal(out[0].message.expiration_time, 700);
	assert_int_equal(out[0].message.delivery_time, 703);
	assert_int_equal(STIMER_MESSAGE_TYPE, 0x80000010u);
	assert_int_equal(offsetof(struct stimer_message, expiration_time), 8);
	assert_int_equal(offsetof(struct stimer_message, delivery_time), 16);
}

/* Four independent timers: the earliest deadline, expiries in timer order. */
static void test_four_timers(void **state)
{
	static const uint64_t counts[STIMER_COUNT] = { 900, 300, 600, 300 };
	struct stimer_expiry out[STIMER_COUNT];
	struct stimer_set s;

	(void)state;
	stimer_init(&s);
	for (uint32_t t = 0; t < STIMER_COUNT; t++) {
		wr(&s, CONFIG(t), AUTO_ENABLE | DIRECT | VECTOR(0x60 + t), 0);
		wr(&s, COUNT(t), counts[t], 0);
	}
	assert_int_equal(stimer_deadline(&s), 300);
	assert_int_equal(stimer_tick(&s, 300, out), 2);
	assert_int_equal(out[0].timer, 1);
	assert_int_equal(out[0].vector, 0x61);
	assert_int_equal(out[1].timer, 3);
	assert_int_equal(stimer_deadline(&s), 600);
	assert_int_equal(stimer_tick(&s, 2000, out), 2);
	assert_int_equal(out[0].timer, 0);
	assert_int_equal(out[1].timer, 2);
	assert_int_equal(stimer_deadline(&s), STIMER_NO_DEADLINE);
	/* Reset disables everything. */
	wr(&s, COUNT(0), 5000, 2000);
	stimer_init(&s);
	for (uint32_t t = 0; t < STIMER_COUNT; t++) {
		assert_int_equal(rd(&s, CONFIG(t)), 0);
		assert_int_equal(rd(&s, COUNT(t)), 0);
	}
	assert_int_equal(stimer_deadline(&s), STIMER_NO_DEADLINE);
}

/* Huge periods saturate rather than wrap into the past. */
static void test_no_wrap(void **state)
{
	struct stimer_expiry out[STIMER_COUNT];
	struct stimer_set s;

	(void)state;
	stimer_init(&s);
	wr(&s, CONFIG(0), ENABLE | PERIODIC | DIRECT | VECTOR(0x40), 0);
	wr(&s, COUNT(0), UINT64_MAX - 10, 100);
	assert_int_equal(stimer_deadline(&s), STIMER_NO_DEADLINE);
	assert_int_equal(stimer_tick(&s, UINT64_MAX - 1, out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msr_range),
		cmocka_unit_test(test_linux_clock_event),
		cmocka_unit_test(test_enable_rules),
		cmocka_unit_test(test_enable_after_count),
		cmocka_unit_test(test_periodic),
		cmocka_unit_test(test_message_mode),
		cmocka_unit_test(test_four_timers),
		cmocka_unit_test(test_no_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
