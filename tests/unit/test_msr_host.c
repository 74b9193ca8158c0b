/*
 * Unit tests of the host MSRs a partition may read (hv/emul/msr_host.c):
 * MTRR variable pairs only up to MTRRCAP.VCNT (the fixed 0x200-0x21f
 * range let a guest make hv's RDMSR take #GP on a CPU with fewer pairs),
 * fixed ranges only with MTRRCAP.FIX, MISC_ENABLE only on Intel, nothing
 * MTRR-related without CPUID's MTRR flag.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <emul/msr_host.h>

#define EDX_ALL (CPUID_1_EDX_TSC | CPUID_1_EDX_MSR | CPUID_1_EDX_APIC | CPUID_1_EDX_MTRR)

static void test_variable_pairs_up_to_vcnt(void **state)
{
	struct msr_host_caps caps = msr_host_caps_from(EDX_ALL, true, MTRRCAP_FIX | 8);

	(void)state;
	for (uint32_t msr = 0x200; msr < 0x210; msr++)
		assert_true(msr_host_readable(&caps, msr));
	for (uint32_t msr = 0x210; msr < 0x250; msr++)
		if (msr_host_readable(&caps, msr))
			fail_msg("MSR 0x%x readable with 8 pairs", msr);
	caps = msr_host_caps_from(EDX_ALL, true, MTRRCAP_FIX | 2);
	assert_true(msr_host_readable(&caps, 0x203));
	assert_false(msr_host_readable(&caps, 0x204));
	caps = msr_host_caps_from(EDX_ALL, true, MTRRCAP_FIX);
	assert_false(msr_host_readable(&caps, 0x200));
}

static void test_fixed_ranges_need_fix(void **state)
{
	static const uint32_t fixed[] = { 0x250, 0x258, 0x259, 0x268, 0x26f };
	struct msr_host_caps with = msr_host_caps_from(EDX_ALL, false, MTRRCAP_FIX | 8);
	struct msr_host_caps without = msr_host_caps_from(EDX_ALL, false, 8);

	(void)state;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		assert_true(msr_host_readable(&with, fixed[i]));
		assert_false(msr_host_readable(&without, fixed[i]));
	}
	assert_false(msr_host_readable(&with, 0x251));
	assert_false(msr_host_readable(&with, 0x25a));
	assert_false(msr_host_readable(&with, 0x270));
	assert_true(msr_host_readable(&without, MSR_MTRR_DEF_TYPE));
	assert_true(msr_host_readable(&without, MSR_MTRRCAP));
}

static void test_misc_enable_intel_only(void **state)
{
	struct msr_host_caps intel = msr_host_caps_from(EDX_ALL, true, 8);
	struct msr_host_caps amd = msr_host_caps_from(EDX_ALL, false, 8);

	(void)state;
	assert_true(msr_host_readable(&intel, MSR_MISC_ENABLE));
	assert_false(msr_host_readable(&amd, MSR_MISC_ENABLE));
}

static void test_no_mtrr_no_mtrr_msrs(void **state)
{
	struct msr_host_caps caps =
		msr_host_caps_from(EDX_ALL & ~CPUID_1_EDX_MTRR, true, MTRRCAP_FIX | 8);

	(void)state;
	assert_false(msr_host_readable(&caps, MSR_MTRRCAP));
	assert_false(msr_host_readable(&caps, MSR_MTRR_DEF_TYPE));
	assert_false(msr_host_readable(&caps, 0x200));
	assert_false(msr_host_readable(&caps, 0x250));
	assert_true(msr_host_readable(&caps, MSR_TSC));
	assert_true(msr_host_readable(&caps, MSR_HOST_APIC_BASE));
	assert_false(msr_host_readable(&caps, 0x3a)); /* never: FEATURE_CONTROL is the core's */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variable_pairs_up_to_vcnt),
		cmocka_unit_test(test_fixed_ranges_need_fix),
		cmocka_unit_test(test_misc_enable_intel_only),
		cmocka_unit_test(test_no_mtrr_no_mtrr_msrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
