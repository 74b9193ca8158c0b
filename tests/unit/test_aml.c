/*
 * Unit tests of the AML emitter (hv/plat/aml.c): every PkgLength width at
 * its boundaries, integer, string and EisaId encodings, resource template
 * bytes, malformed names, and the measuring run without a buffer.
 * Expected bytes follow ACPI 6.3 chapter 20 and what iasl emits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <plat/aml.h>

#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

static uint8_t buf[(1u << 20) + 16];
static struct aml a;

static int setup(void **state)
{
	(void)state;
	memset(buf, 0xcc, sizeof(buf));
	aml_init(&a, buf, sizeof(buf));
	return 0;
}

static void check(const uint8_t *expected, size_t n)
{
	assert_true(aml_ok(&a));
	assert_int_equal(a.len, n);
	assert_memory_equal(buf, expected, n);
}

static void test_integers(void **state)
{
	(void)state;
	aml_integer(&a, 0);
	aml_integer(&a, 1);
	aml_integer(&a, 2);
	aml_integer(&a, 0xff);
	aml_integer(&a, 0x100);
	aml_integer(&a, 0x10000);
	aml_integer(&a, 0x100000000ull);
	check(BYTES(0x00, 0x01, 0x0a, 0x02, 0x0a, 0xff, 0x0b, 0x00, 0x01,
		    0x0c, 0x00, 0x00, 0x01, 0x00,
		    0x0e, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00));
}

static void test_names_and_strings(void **state)
{
	(void)state;
	aml_name(&a, "_HID");
	aml_string(&a, "VMBUS");
	aml_name(&a, "\\_S5_");
	check(BYTES(0x08, '_', 'H', 'I', 'D', 0x0d, 'V', 'M', 'B', 'U', 'S', 0x00,
		    0x08, '\\', '_', 'S', '5', '_'));
}

static void test_bad_names(void **state)
{
	static const char *const bad[] = { "vmbs", "1ABC", "ABC", "ABCDE", "A-BC", "" };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		aml_init(&a, buf, sizeof(buf));
		aml_name_seg(&a, bad[i]);
		assert_false(aml_ok(&a));
	}
	aml_init(&a, buf, sizeof(buf));
	aml_string(&a, "caf\xc3\xa9");
	assert_false(aml_ok(&a));
}

static void test_eisaid(void **state)
{
	static const char *const bad[] = { "pnp0501", "PNP05G1", "PNP050", "PNP05011", "P@P0501" };

	(void)state;
	aml_eisaid(&a, "PNP0501");
	aml_eisaid(&a, "PNP0A03");
	check(BYTES(0x0c, 0x41, 0xd0, 0x05, 0x01, 0x0c, 0x41, 0xd0, 0x0a, 0x03));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		aml_init(&a, buf, sizeof(buf));
		aml_eisaid(&a, bad[i]);
		assert_false(aml_ok(&a));
	}
}

/* A package of `content` bytes 0..; checks its PkgLength bytes and the moved contents. */
static void check_pkg_length(size_t content, const uint8_t *enc, size_t n)
{
	size_t start;

	aml_init(&a, buf, sizeof(buf));
	start = aml_pkg_begin(&a);
	for (size_t i = 0; i < content; i++)
		aml_byte(&a, (uint8_t)i);
	aml_pkg_end(&a, start);
	assert_true(aml_ok(&a));
	assert_int_equal(a.len, n + content);
	assert_memory_equal(buf, enc, n);
	for (size_t i = 0; i < content; i++)
		assert_int_equal(buf[n + i], (uint8_t)i);
}

static void test_pkg_length_widths(void **state)
{
	(void)state;
	check_pkg_length(0, BYTES(0x01));
	check_pkg_length(62, BYTES(0x3f));                  /* 63: the largest in one byte */
	check_pkg_length(63, BYTES(0x41, 0x04));            /* 65 = 0x041 */
	check_pkg_length(4093, BYTES(0x4f, 0xff));          /* 4095 = 0xfff */
	check_pkg_length(4094, BYTES(0x81, 0x00, 0x01));    /* 4097 = 0x1001 */
	check_pkg_length((1u << 20) - 4, BYTES(0x8f, 0xff, 0xff));
	check_pkg_length((1u << 20) - 3, BYTES(0xc1, 0x00, 0x00, 0x01));
}

static void test_nested_and_measured(void **state)
{
	static const uint8_t expected[] = {
		0x10, 0x13, '\\', '_', 'S', 'B', '_',                   /* Scope (\_SB_) */
		0x5b, 0x82, 0x0b, 'D', 'E', 'V', '0', 0x08, 'X', 'X', 'X', 'X', 0x01,
	};
	size_t scope, dev;
	struct aml m;

	(void)state;
	for (int pass = 0; pass < 2; pass++) {
		struct aml *p = pass == 0 ? &a : &m;

		if (pass == 1)
			aml_init(&m, NULL, 0);
		scope = aml_scope_begin(p, "\\_SB_");
		dev = aml_device_begin(p, "DEV0");
		aml_name(p, "XXXX");
		aml_integer(p, 1);
		aml_pkg_end(p, dev);
		aml_pkg_end(p, scope);
	}
	check(expected, sizeof(expected));
	assert_int_equal(m.len, sizeof(expected)); /* the measuring run agrees */
	assert_true(m.overflow);
	assert_false(m.invalid);
}

static void test_package(void **state)
{
	size_t pkg;

	(void)state;
	pkg = aml_package_begin(&a, 4);
	aml_integer(&a, 5);
	aml_integer(&a, 5);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_pkg_end(&a, pkg);
	check(BYTES(0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00));
}

static void test_resource_templates(void **state)
{
	uint8_t io[AML_IO_DESC_SIZE];

	(void)state;
	aml_resource_template(&a, NULL, 0);
	aml_io_desc(io, 0x3f8, 0x3f8, 1, 8);
	aml_resource_template(&a, io, sizeof(io));
	/* What iasl emits for ResourceTemplate () {} and for IO (Decode16, 0x3f8, 0x3f8, 1, 8). */
	check(BYTES(0x11, 0x05, 0x0a, 0x02, 0x79, 0x00,
		    0x11, 0x0d, 0x0a, 0x0a, 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08, 0x79, 0x00));
}

static void test_overflow(void **state)
{
	size_t pkg;

	(void)state;
	aml_init(&a, buf, 3);
	pkg = aml_package_begin(&a, 1);
	aml_integer(&a, 7);
	aml_pkg_end(&a, pkg);
	assert_false(aml_ok(&a));
	assert_true(a.overflow);
	assert_int_equal(a.len, 5); /* 12 04 01 0a 07 */
	assert_int_equal(buf[3], 0xcc); /* nothing written past the buffer */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_integers, setup),
		cmocka_unit_test_setup(test_names_and_strings, setup),
		cmocka_unit_test_setup(test_bad_names, setup),
		cmocka_unit_test_setup(test_eisaid, setup),
		cmocka_unit_test_setup(test_pkg_length_widths, setup),
		cmocka_unit_test_setup(test_nested_and_measured, setup),
		cmocka_unit_test_setup(test_package, setup),
		cmocka_unit_test_setup(test_resource_templates, setup),
		cmocka_unit_test_setup(test_overflow, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
