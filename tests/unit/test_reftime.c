/*
 * Unit tests of the reference-time scale (hv/plat/reftime.c): the long division
 * must match 128-bit arithmetic, and converting one second of TSC ticks
 * must give 10^7 units, within rounding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include <plat/reftime.h>

static uint64_t expected_scale(uint64_t hz)
{
	return (uint64_t)(((unsigned __int128)10000000u << 64) / hz);
}

static void test_scale_matches_128_bit_division(void **state)
{
	static const uint64_t rates[] = {
		10000001ull, 199000000ull, 1000000000ull, 2100000000ull, 3067000000ull,
		4999999999ull, 0xffffffffffffffffull,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		assert_int_equal(reftime_compute_scale(rates[i]), expected_scale(rates[i]));
}

static void test_one_second(void **state)
{
	static const uint64_t rates[] = { 199000000ull, 3067000000ull, 1000000000ull };

	(void)state;
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		uint64_t scale = reftime_compute_scale(rates[i]);
		uint64_t units = reftime_mulhi(rates[i], scale);

		assert_true(units >= 9999999 && units <= 10000000);
		/* An hour later the error is still below a microsecond per second. */
		units = reftime_mulhi(rates[i] * 3600, scale);
		assert_true(units >= 36000000000ull - 3600 && units <= 36000000000ull);
	}
}

static void test_too_slow(void **state)
{
	(void)state;
	assert_int_equal(reftime_compute_scale(10000000ull), 0);
	assert_int_equal(reftime_compute_scale(1), 0);
	assert_int_equal(reftime_compute_scale(0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale_matches_128_bit_division),
		cmocka_unit_test(test_one_second),
		cmocka_unit_test(test_too_slow),
	};

	return cmocka_run_group_tests_name("reftime", tests, NULL, NULL);
}
