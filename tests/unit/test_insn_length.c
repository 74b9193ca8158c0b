/*
 * Unit tests of the AMD-V instruction-length decoder (svm/insn_length.c)
 * with real encodings, as an assembler emits them, and with the byte
 * sequences it must refuse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "insn_length.h"

#define LEN(op, ...) insn_length((const uint8_t[]){ __VA_ARGS__ }, \
				 sizeof((const uint8_t[]){ __VA_ARGS__ }), op)

static void test_plain(void **state)
{
	(void)state;
	assert_int_equal(LEN(INSN_CPUID, 0x0f, 0xa2), 2);
	assert_int_equal(LEN(INSN_RDMSR, 0x0f, 0x32), 2);
	assert_int_equal(LEN(INSN_WRMSR, 0x0f, 0x30), 2);
	assert_int_equal(LEN(INSN_VMMCALL, 0x0f, 0x01, 0xd9), 3);
	assert_int_equal(LEN(INSN_XSETBV, 0x0f, 0x01, 0xd1), 3);
	assert_int_equal(LEN(INSN_HLT, 0xf4), 1);
	assert_int_equal(LEN(INSN_MOV_TO_CR, 0x0f, 0x22, 0xe0), 3); /* mov cr4, rax */
	assert_int_equal(LEN(INSN_MOV_TO_CR, 0x44, 0x0f, 0x22, 0xc0), 4); /* mov cr8, rax */
}

static void test_prefixes(void **state)
{
	(void)state;
	assert_int_equal(LEN(INSN_CPUID, 0x66, 0x0f, 0xa2), 3);
	assert_int_equal(LEN(INSN_CPUID, 0x2e, 0x3e, 0x66, 0x67, 0x0f, 0xa2), 6);
	assert_int_equal(LEN(INSN_RDMSR, 0x48, 0x0f, 0x32), 3);          /* REX.W */
	assert_int_equal(LEN(INSN_WRMSR, 0xf3, 0x41, 0x0f, 0x30), 4);    /* REP + REX */
	assert_int_equal(LEN(INSN_HLT, 0xf0, 0xf4), 2);
	/* Trailing bytes after the instruction do not count. */
	assert_int_equal(LEN(INSN_CPUID, 0x0f, 0xa2, 0x90, 0x90), 2);
}

static void test_refusals(void **state)
{
	uint8_t long_insn[16];

	(void)state;
	assert_int_equal(LEN(INSN_CPUID, 0x0f, 0x32), -1);           /* rdmsr, not cpuid */
	assert_int_equal(LEN(INSN_VMMCALL, 0x0f, 0x01, 0xc1), -1);   /* vmcall */
	assert_int_equal(LEN(INSN_CPUID, 0x48, 0x48, 0x0f, 0xa2), -1); /* REX not last */
	assert_int_equal(LEN(INSN_CPUID, 0x0f), -1);                 /* truncated */
	assert_int_equal(LEN(INSN_MOV_TO_CR, 0x0f, 0x22, 0x00), -1); /* memory operand */
	assert_int_equal(LEN(INSN_MOV_TO_CR, 0x0f, 0x22), -1);       /* no ModRM */
	assert_int_equal(insn_length((const uint8_t[]){ 0xf4 }, 1, (enum insn_op)99), -1);
	for (int i = 0; i < 14; i++)
		long_insn[i] = 0x66;
	long_insn[14] = 0x0f;
	long_insn[15] = 0xa2;
	assert_int_equal(insn_length(long_insn, sizeof(long_insn), INSN_CPUID), -1); /* 16 bytes */
	assert_int_equal(insn_length(long_insn + 1, 15, INSN_CPUID), 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests_name("insn_length", tests, NULL, NULL);
}
