/*
 * The guest crash registers (hv/emul/guest_crash.c): the words are kept
 * and read back, CRASH_CTL reads what hv supports, the first notification
 * of a run is reported and later ones are not, unsupported control bits
 * are refused, and other MSRs are left alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <emul/guest_crash.h>

#define CRASH_NOTIFY_MSG (1ull << 62)

static void test_words_and_control(void **state)
{
	struct guest_crash c = { 0 };
	uint64_t value;

	(void)state;
	for (uint32_t i = 0; i < GUEST_CRASH_PARAMS; i++)
		assert_int_equal(guest_crash_msr_write(&c, HV_X64_MSR_CRASH_P0 + i, 0x100 + i),
				 GUEST_CRASH_STORED);
	for (uint32_t i = 0; i < GUEST_CRASH_PARAMS; i++) {
		assert_true(guest_crash_msr_read(&c, HV_X64_MSR_CRASH_P0 + i, &value));
		assert_int_equal(value, 0x100 + i);
	}
	assert_true(guest_crash_msr_read(&c, HV_X64_MSR_CRASH_CTL, &value));
	assert_int_equal(value, HV_CRASH_CTL_CRASH_NOTIFY); /* no message page offered */
	assert_false(c.reported);
}

static void test_notify_once(void **state)
{
	struct guest_crash c = { 0 };

	(void)state;
	assert_int_equal(guest_crash_msr_write(&c, HV_X64_MSR_CRASH_CTL, 0), GUEST_CRASH_STORED);
	assert_false(c.reported);
	assert_int_equal(guest_crash_msr_write(&c, HV_X64_MSR_CRASH_CTL, HV_CRASH_CTL_CRASH_NOTIFY),
			 GUEST_CRASH_REPORTED);
	assert_true(c.reported);
	assert_int_equal(guest_crash_msr_write(&c, HV_X64_MSR_CRASH_CTL, HV_CRASH_CTL_CRASH_NOTIFY),
			 GUEST_CRASH_STORED);
	assert_int_equal(guest_crash_msr_write(&c, HV_X64_MSR_CRASH_CTL,
					       HV_CRASH_CTL_CRASH_NOTIFY | CRASH_NOTIFY_MSG),
			 GUEST_CRASH_REFUSED);
}

static void test_other_msrs(void **state)
{
	struct guest_crash c = { 0 };
	uint64_t value = 7;

	(void)state;
	assert_false(guest_crash_msr_claims(HV_X64_MSR_CRASH_P0 - 1));
	assert_false(guest_crash_msr_claims(HV_X64_MSR_CRASH_CTL + 1));
	assert_false(guest_crash_msr_read(&c, HV_X64_MSR_CRASH_CTL + 1, &value));
	assert_int_equal(value, 7);
	assert_int_equal(guest_crash_msr_write(&c, HV_X64_MSR_CRASH_P0 - 1, 1),
			 GUEST_CRASH_NOT_MINE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_and_control),
		cmocka_unit_test(test_notify_once),
		cmocka_unit_test(test_other_msrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
