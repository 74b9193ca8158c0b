/*
 * Unit tests of XCR0 validation (hv/emul/xcr0.c) against the SDM's rules
 * for XSETBV: the values the hostile guests of issue 13 wrote (0x27,
 * 0x67, 0xe3, 0x20007, 0x40007, which made hv's own XSETBV take #GP in
 * host mode) are refused, every legal combination is accepted, and no
 * bit the CPU does not report is let through.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <emul/xcr0.h>

/* Bochs' corei7_skylake_x (0xe7) plus MPX and AMX: every rule applies. */
#define ALL (0xffull | XCR0_TILECFG | XCR0_TILEDATA | (1ull << 9))

static void test_refused_values(void **state)
{
	static const uint64_t bad[] = {
		0x0,     /* no x87 */
		0x2,     /* SSE without x87 */
		0x5,     /* AVX without SSE */
		0x27,    /* opmask without the ZMM state */
		0x67,    /* opmask and ZMM_Hi256 without Hi16_ZMM */
		0xc7,    /* ZMM state without opmask */
		0xe3,    /* AVX-512 without AVX */
		0xe1,    /* AVX-512 without SSE and AVX */
		0x0b,    /* BNDREGS without BNDCSR */
		0x13,    /* BNDCSR without BNDREGS */
		0x20007, /* TILECFG without TILEDATA */
		0x40007, /* TILEDATA without TILECFG */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (xcr0_valid(bad[i], ALL))
			fail_msg("XCR0 0x%llx accepted", (unsigned long long)bad[i]);
}

static void test_accepted_values(void **state)
{
	static const uint64_t good[] = {
		0x1, 0x3, 0x7, 0x1b, 0x1f, 0xe7, 0xff, 0x60007, 0x600e7, 0x203, 0x2007,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!xcr0_valid(good[i], ALL | (1ull << 13)))
			fail_msg("XCR0 0x%llx refused", (unsigned long long)good[i]);
}

/* Exhaustively over the low 8 bits and AMX: valid exactly when the rules say so. */
static void test_rules_exhaustive(void **state)
{
	(void)state;
	for (uint64_t low = 0; low < 0x100; low++) {
		for (uint64_t amx = 0; amx < 4; amx++) {
			uint64_t v = low | amx << 17, mpx = (v >> 3) & 3, avx512 = (v >> 5) & 7;
			bool x87 = v & 1, sse = v & 2, avx = v & 4;
			bool mpx_ok = mpx == 0 || mpx == 3;
			bool avx512_ok = avx512 == 0 || (avx512 == 7 && avx);
			bool amx_ok = amx == 0 || amx == 3;
			bool expect = x87 && (!avx || sse) && mpx_ok && avx512_ok && amx_ok;

			if (xcr0_valid(v, ALL) != expect)
				fail_msg("XCR0 0x%llx: expected %s", (unsigned long long)v,
					 expect ? "valid" : "invalid");
		}
	}
}

/* Only what CPUID.(0DH,0) reports: a CPU with x87/SSE/AVX refuses AVX-512 and bit 63. */
static void test_unsupported_bits(void **state)
{
	(void)state;
	assert_true(xcr0_valid(0x7, 0x7));
	assert_false(xcr0_valid(0xe7, 0x7));
	assert_false(xcr0_valid(0x7 | (1ull << 63), 0x7));
	assert_false(xcr0_valid(0x3 | XCR0_BNDREGS | XCR0_BNDCSR, 0x7));
	assert_false(xcr0_valid(0x7 | XCR0_TILECFG | XCR0_TILEDATA, 0xe7));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_values),
		cmocka_unit_test(test_accepted_values),
		cmocka_unit_test(test_rules_exhaustive),
		cmocka_unit_test(test_unsupported_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
