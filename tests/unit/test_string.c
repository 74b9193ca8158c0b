/*
 * Unit tests of lib/string.c's less obvious functions: atoi (saturating,
 * used by lwIP) and strncmp, against the C library where both agree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <lib/string.h>

static void test_atoi_plain(void **state)
{
	(void)state;
	assert_int_equal(atoi("0"), 0);
	assert_int_equal(atoi("42"), 42);
	assert_int_equal(atoi("-17"), -17);
	assert_int_equal(atoi("+8"), 8);
	assert_int_equal(atoi("  \t\n 12"), 12);
	assert_int_equal(atoi("007"), 7);
}

static void test_atoi_stops_at_garbage(void **state)
{
	(void)state;
	assert_int_equal(atoi(""), 0);
	assert_int_equal(atoi("x1"), 0);
	assert_int_equal(atoi("12abc"), 12);
	assert_int_equal(atoi("-"), 0);
	assert_int_equal(atoi("--1"), 0);
	assert_int_equal(atoi("1 2"), 1);
	assert_int_equal(atoi("en0"), 0);
}

static void test_atoi_limits(void **state)
{
	(void)state;
	assert_int_equal(atoi("2147483647"), INT_MAX);
	assert_int_equal(atoi("-2147483648"), INT_MIN);
	/* Beyond the range: saturate (C leaves it undefined). */
	assert_int_equal(atoi("2147483648"), INT_MAX);
	assert_int_equal(atoi("99999999999999999999"), INT_MAX);
	assert_int_equal(atoi("-2147483649"), INT_MIN);
	assert_int_equal(atoi("-99999999999999999999"), INT_MIN);
}

static void test_strncmp(void **state)
{
	(void)state;
	assert_int_equal(strncmp("abc", "abd", 2), 0);
	assert_true(strncmp("abc", "abd", 3) < 0);
	assert_true(strncmp("abd", "abc", 3) > 0);
	assert_int_equal(strncmp("abc", "abc", 10), 0);
	assert_true(strncmp("ab", "abc", 3) < 0);
	assert_int_equal(strncmp("x", "y", 0), 0);
	/* Compared as unsigned char. */
	assert_true(strncmp("\x80", "\x01", 1) > 0);
}

/* mbedTLS's PEM reader finds its armour lines with strstr. */
static void test_strstr(void **state)
{
	static const char text[] = "-----BEGIN CERTIFICATE-----\nMIIB";

	(void)state;
	assert_ptr_equal(strstr(text, "-----BEGIN"), text);
	assert_ptr_equal(strstr(text, "MIIB"), text + 28);
	assert_ptr_equal(strstr(text, ""), text);
	assert_null(strstr(text, "-----END"));
	assert_null(strstr("", "a"));
	assert_null(strstr("MII", "MIIB"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atoi_plain),
		cmocka_unit_test(test_atoi_stops_at_garbage),
		cmocka_unit_test(test_atoi_limits),
		cmocka_unit_test(test_strncmp),
		cmocka_unit_test(test_strstr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
