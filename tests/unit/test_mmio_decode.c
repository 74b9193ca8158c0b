/*
 * Unit tests of the MMIO instruction decoder (hv/emul/mmio_decode.c) with real
 * encodings, as GNU as emits them for the Intel-syntax line quoted beside
 * each, and with the byte sequences it must refuse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <emul/mmio_decode.h>

#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

static struct mmio_insn decode_ok(const uint8_t *b, size_t n)
{
	struct mmio_insn in;

	assert_int_equal(mmio_decode(b, n, &in), 0);
	return in;
}

static int decode(const uint8_t *b, size_t n)
{
	struct mmio_insn in;

	return mmio_decode(b, n, &in);
}

/* Checks length, size, direction and register of a register MOV. */
static void check_mov(struct mmio_insn in, int length, int size, bool write, int reg)
{
	assert_int_equal(in.length, length);
	assert_int_equal(in.size, size);
	assert_int_equal(in.write, write);
	assert_int_equal(in.reg, reg);
	assert_false(in.has_imm);
	assert_false(in.zero_extend);
	assert_int_equal(in.reg_size, size);
}

static void test_stores(void **state)
{
	(void)state;
	check_mov(decode_ok(BYTES(0x89, 0x08)), 2, 4, true, 1);             /* mov [rax], ecx */
	check_mov(decode_ok(BYTES(0x48, 0x89, 0x47, 0x08)), 4, 8, true, 0); /* mov [rdi+8], rax */
	check_mov(decode_ok(BYTES(0x66, 0x89, 0x13)), 3, 2, true, 2);       /* mov [rbx], dx */
	check_mov(decode_ok(BYTES(0x88, 0x06)), 2, 1, true, 0);             /* mov [rsi], al */
	check_mov(decode_ok(BYTES(0x64, 0x89, 0x08)), 3, 4, true, 1);       /* mov fs:[rax], ecx */
}

static void test_byte_registers(void **state)
{
	struct mmio_insn in;

	(void)state;
	in = decode_ok(BYTES(0x88, 0x26)); /* mov [rsi], ah */
	check_mov(in, 2, 1, true, 4);
	assert_true(in.high_byte);
	in = decode_ok(BYTES(0x40, 0x88, 0x36)); /* mov [rsi], sil: any REX means SIL */
	check_mov(in, 3, 1, true, 6);
	assert_false(in.high_byte);
	in = decode_ok(BYTES(0x44, 0x88, 0x0e)); /* mov [rsi], r9b: REX.R */
	check_mov(in, 3, 1, true, 9);
	assert_false(in.high_byte);
	in = decode_ok(BYTES(0x8a, 0x39)); /* mov bh, [rcx] */
	check_mov(in, 2, 1, false, 7);
	assert_true(in.high_byte);
	in = decode_ok(BYTES(0x8a, 0x01)); /* mov al, [rcx] */
	check_mov(in, 2, 1, false, 0);
	assert_false(in.high_byte);
}

static void test_loads_and_addressing(void **state)
{
	(void)state;
	check_mov(decode_ok(BYTES(0x8b, 0x07)), 2, 4, false, 0); /* mov eax, [rdi] */
	/* mov r10d, [r11+0x12345678]: REX.R and REX.B, disp32 */
	check_mov(decode_ok(BYTES(0x45, 0x8b, 0x93, 0x78, 0x56, 0x34, 0x12)), 7, 4, false, 10);
	/* mov rax, [rip+0x1000]: RIP-relative */
	check_mov(decode_ok(BYTES(0x48, 0x8b, 0x05, 0x00, 0x10, 0x00, 0x00)), 7, 8, false, 0);
	/* mov ecx, [rax+rbx*4+0x10]: SIB + disp8 */
	check_mov(decode_ok(BYTES(0x8b, 0x4c, 0x98, 0x10)), 4, 4, false, 1);
	/* mov edx, [rbx*8+0x2000]: SIB without base, disp32 */
	check_mov(decode_ok(BYTES(0x8b, 0x14, 0xdd, 0x00, 0x20, 0x00, 0x00)), 7, 4, false, 2);
	/* mov eax, ds:0x1000: SIB absolute */
	check_mov(decode_ok(BYTES(0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00)), 7, 4, false, 0);
	check_mov(decode_ok(BYTES(0x8b, 0x14, 0x24)), 3, 4, false, 2);        /* mov edx, [rsp] */
	check_mov(decode_ok(BYTES(0x41, 0x8b, 0x45, 0x00)), 4, 4, false, 0);  /* mov eax, [r13+0] */
	check_mov(decode_ok(BYTES(0x41, 0x8b, 0x04, 0x24)), 4, 4, false, 0);  /* mov eax, [r12] */
	check_mov(decode_ok(BYTES(0x67, 0x8b, 0x00)), 3, 4, false, 0);        /* mov eax, [eax] */
}

static void check_imm(struct mmio_insn in, int length, int size, uint64_t imm)
{
	assert_int_equal(in.length, length);
	assert_int_equal(in.size, size);
	assert_true(in.write);
	assert_true(in.has_imm);
	assert_int_equal(in.imm, imm);
}

static void test_immediates(void **state)
{
	(void)state;
	/* mov dword [rax], 0x12345678 */
	check_imm(decode_ok(BYTES(0xc7, 0x00, 0x78, 0x56, 0x34, 0x12)), 6, 4, 0x12345678);
	/* mov word [rax+4], 0xbeef: 66 makes the immediate 16 bits */
	check_imm(decode_ok(BYTES(0x66, 0xc7, 0x40, 0x04, 0xef, 0xbe)), 6, 2, 0xbeef);
	check_imm(decode_ok(BYTES(0xc6, 0x02, 0x80)), 3, 1, 0x80); /* mov byte [rdx], 0x80 */
	/* mov qword [rax], -2: imm32 sign-extended */
	check_imm(decode_ok(BYTES(0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff)), 7, 8,
		  0xfffffffffffffffeull);
	/* mov word [rip+0x10], 0x1234: RIP-relative with an immediate after the disp32 */
	check_imm(decode_ok(BYTES(0x66, 0xc7, 0x05, 0x10, 0x00, 0x00, 0x00, 0x34, 0x12)), 9, 2,
		  0x1234);
}

static void test_movzx(void **state)
{
	struct mmio_insn in;

	(void)state;
	in = decode_ok(BYTES(0x0f, 0xb6, 0x47, 0x0c)); /* movzx eax, byte [rdi+0xc] */
	assert_int_equal(in.length, 4);
	assert_int_equal(in.size, 1);
	assert_int_equal(in.reg_size, 4);
	assert_true(in.zero_extend);
	assert_false(in.write);
	assert_false(in.high_byte);
	in = decode_ok(BYTES(0x44, 0x0f, 0xb7, 0x47, 0x0e)); /* movzx r8d, word [rdi+0xe] */
	assert_int_equal(in.length, 5);
	assert_int_equal(in.size, 2);
	assert_int_equal(in.reg, 8);
	assert_int_equal(in.reg_size, 4);
	in = decode_ok(BYTES(0x66, 0x0f, 0xb6, 0x07)); /* movzx ax, byte [rdi] */
	assert_int_equal(in.reg_size, 2);
	in = decode_ok(BYTES(0x48, 0x0f, 0xb7, 0x07)); /* movzx rax, word [rdi] */
	assert_int_equal(in.reg_size, 8);
	assert_int_equal(in.length, 4);
}

static void test_prefix_rules(void **state)
{
	struct mmio_insn in;

	(void)state;
	/* A REX followed by a legacy prefix is ignored: 48 66 89 08 is mov [rax], cx. */
	in = decode_ok(BYTES(0x48, 0x66, 0x89, 0x08));
	assert_int_equal(in.size, 2);
	assert_int_equal(in.length, 4);
	/* REX.W wins over 66. */
	assert_int_equal(decode_ok(BYTES(0x66, 0x48, 0x89, 0x08)).size, 8);
	/* Trailing bytes do not count. */
	assert_int_equal(decode_ok(BYTES(0x89, 0x08, 0x90, 0x90)).length, 2);
}

static void test_refusals(void **state)
{
	uint8_t long_insn[16];

	(void)state;
	assert_int_equal(decode(BYTES(0xf0, 0x01, 0x08)), -1);  /* lock add [rax], ecx */
	assert_int_equal(decode(BYTES(0xf0, 0x89, 0x08)), -1);  /* LOCK prefix */
	assert_int_equal(decode(BYTES(0xf3, 0xa4)), -1);        /* rep movsb */
	assert_int_equal(decode(BYTES(0x89, 0xc8)), -1);        /* mov eax, ecx: no memory */
	assert_int_equal(decode(BYTES(0xc7, 0x48, 0x04, 1, 2, 3, 4)), -1); /* C7 /1 */
	assert_int_equal(decode(BYTES(0x0f, 0xbe, 0x07)), -1);  /* movsx: not supported */
	assert_int_equal(decode(BYTES(0x8b)), -1);              /* truncated: no ModRM */
	assert_int_equal(decode(BYTES(0x8b, 0x04)), -1);        /* truncated: no SIB */
	assert_int_equal(decode(BYTES(0x8b, 0x05, 0x00, 0x10)), -1); /* truncated disp32 */
	assert_int_equal(decode(BYTES(0xc7, 0x00, 0x78, 0x56)), -1); /* truncated imm32 */
	assert_int_equal(decode(BYTES(0x66, 0x67)), -1);        /* prefixes only */
	for (int i = 0; i < 14; i++)
		long_insn[i] = 0x2e;
	long_insn[14] = 0x89;
	long_insn[15] = 0x08;
	assert_int_equal(mmio_decode(long_insn, sizeof(long_insn), &(struct mmio_insn){ 0 }),
			 -1); /* 16 bytes */
	assert_int_equal(decode_ok(long_insn + 1, 15).length, 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stores),
		cmocka_unit_test(test_byte_registers),
		cmocka_unit_test(test_loads_and_addressing),
		cmocka_unit_test(test_immediates),
		cmocka_unit_test(test_movzx),
		cmocka_unit_test(test_prefix_rules),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests_name("mmio_decode", tests, NULL, NULL);
}
