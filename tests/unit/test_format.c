/*
 * Unit tests of lib/format.c against the C library's printf, which is the
 * behaviour our freestanding code expects when it writes logs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <lib/format.h>
#include <stdio.h>
#include <string.h>

#define CHECK(...) do { \
		char ours[128], theirs[128]; \
		size_t n = fmt_snprintf(ours, sizeof(ours), __VA_ARGS__); \
		int m = snprintf(theirs, sizeof(theirs), __VA_ARGS__); \
		assert_string_equal(ours, theirs); \
		assert_int_equal(n, (size_t)m); \
	} while (0)

static void test_integers(void **state)
{
	(void)state;
	CHECK("%d %i %u", -42, 7, 4000000000u);
	CHECK("%x %X %o", 0xbeefu, 0xbeefu, 8u);
	CHECK("%ld %lu %lx", -1L, 123456789012UL, 0xfffffffffUL);
	CHECK("%lld %llu %llx", -9223372036854775807LL - 1, 18446744073709551615ULL,
	      0x8000000000000000ULL);
	CHECK("%zu %zx", (size_t)12345, (size_t)0xabc);
	CHECK("%hd %hu %hhx", (short)-3, (unsigned short)65535, (unsigned char)0x1ff);
	CHECK("%d", 0);
}

static void test_width_and_flags(void **state)
{
	(void)state;
	CHECK("[%5d] [%-5d] [%05d] [%05d]", 42, 42, 42, -42);
	CHECK("[%016llx] [%2x] [%8s] [%-8s]", 0x1234ULL, 0xabcdu, "ab", "ab");
	CHECK("[%.3s] [%.*s] [%.5d]", "abcdef", 2, "xyz", 42);
	CHECK("[%*d]", 6, 7);
	CHECK("[%c] [%%] [%s]", 'q', "");
}

static void test_pointer(void **state)
{
	char buf[32];

	(void)state;
	fmt_snprintf(buf, sizeof(buf), "%p", (void *)0x1000);
	assert_string_equal(buf, "0x1000");
}

static void test_truncation(void **state)
{
	char buf[6];

	(void)state;
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "hello world"), 11);
	assert_string_equal(buf, "hello");
	assert_int_equal(fmt_snprintf(buf, 0, "abc"), 3);
	assert_int_equal(fmt_snprintf(buf, 1, "abc"), 3);
	assert_string_equal(buf, "");
}

static void test_null_string(void **state)
{
	char buf[16];
	const char *volatile nothing = NULL; /* hides the NULL from -Wformat-overflow */

	(void)state;
	fmt_snprintf(buf, sizeof(buf), "%s", nothing);
	assert_string_equal(buf, "(null)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_width_and_flags),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_null_string),
	};

	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
