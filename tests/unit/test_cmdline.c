/*
 * Unit tests of the partition kernels' command-line parser
 * (kernel/cmdline.c) and the PCI address parser built on it
 * (pci_parse_bdf in kernel/pci.c; its port I/O is never called here).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <kernel/cmdline.h>
#include <kernel/pci.h>
#include <string.h>

static bool value_is(const struct cmdline_word *w, const char *text)
{
	return w->value != NULL && cmdline_eq(w->value, w->value_len, text);
}

static void test_words(void **state)
{
	const char *c = "  selftest\tcrash=triple  a=b=c x= ";
	struct cmdline_word w;

	(void)state;
	assert_true(cmdline_next(&c, &w));
	assert_true(cmdline_eq(w.key, w.key_len, "selftest"));
	assert_null(w.value);
	assert_true(cmdline_next(&c, &w));
	assert_true(cmdline_eq(w.key, w.key_len, "crash") && value_is(&w, "triple"));
	assert_true(cmdline_next(&c, &w));
	assert_true(cmdline_eq(w.key, w.key_len, "a") && value_is(&w, "b=c"));
	assert_true(cmdline_next(&c, &w));
	assert_true(cmdline_eq(w.key, w.key_len, "x") && value_is(&w, ""));
	assert_false(cmdline_next(&c, &w));
	c = "";
	assert_false(cmdline_next(&c, &w));
}

static void test_lookup(void **state)
{
	const char *c = "hostile=mem:0x10 canary hostile=ipi selftest=noisolation";
	char buf[8];
	struct cmdline_word w;

	(void)state;
	assert_true(cmdline_find(c, "hostile", &w) && value_is(&w, "ipi")); /* last wins */
	assert_true(cmdline_has(c, "canary"));
	assert_false(cmdline_has(c, "canar"));
	assert_false(cmdline_has(c, "hostile=ipi"));
	assert_true(cmdline_is(c, "selftest", "noisolation"));
	assert_false(cmdline_is(c, "canary", ""));
	assert_true(cmdline_get(c, "selftest", buf, sizeof(buf)));
	assert_string_equal(buf, "noisola"); /* truncated, terminated */
	assert_false(cmdline_get(c, "canary", buf, sizeof(buf)));
	assert_false(cmdline_get(c, "missing", buf, sizeof(buf)));
}

static void test_unknown(void **state)
{
	static const char *const known[] = { "canary", "cycles" };
	const char *c = "console=serial canary cycles=3:g2 typo";
	struct cmdline_word w;

	(void)state;
	assert_true(cmdline_next_unknown(&c, known, 2, &w));
	assert_true(cmdline_eq(w.key, w.key_len, "console"));
	assert_true(cmdline_next_unknown(&c, known, 2, &w));
	assert_true(cmdline_eq(w.key, w.key_len, "typo"));
	assert_false(cmdline_next_unknown(&c, known, 2, &w));
}

static void test_split(void **state)
{
	const char *rest;
	size_t rest_len;

	(void)state;
	assert_int_equal(cmdline_split("20:g2", 5, ':', &rest, &rest_len), 2);
	assert_int_equal(rest_len, 2);
	assert_memory_equal(rest, "g2", 2);
	assert_int_equal(cmdline_split("pcicfg:00:02.0", 14, ':', &rest, &rest_len), 6);
	assert_int_equal(rest_len, 7);
	assert_memory_equal(rest, "00:02.0", 7);
	assert_int_equal(cmdline_split("ipi", 3, ':', &rest, &rest_len), 3);
	assert_null(rest);
	assert_int_equal(rest_len, 0);
	assert_int_equal(cmdline_split("x:", 2, ':', &rest, &rest_len), 1);
	assert_int_equal(rest_len, 0);
}

static bool parse(const char *s, unsigned int base, uint64_t *v)
{
	return cmdline_parse_u64(s, strlen(s), base, v);
}

static void test_numbers(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_true(parse("20", 0, &v) && v == 20);
	assert_true(parse("0x10000000", 0, &v) && v == 0x10000000);
	assert_true(parse("0XfEe00300", 0, &v) && v == 0xfee00300);
	assert_true(parse("fee00300", 16, &v) && v == 0xfee00300);
	assert_true(parse("0x1f", 16, &v) && v == 0x1f);
	assert_true(parse("18446744073709551615", 10, &v) && v == UINT64_MAX);
	assert_true(parse("0xffffffffffffffff", 0, &v) && v == UINT64_MAX);
	assert_false(parse("18446744073709551616", 10, &v));
	assert_false(parse("0x10000000000000000", 0, &v));
	assert_false(parse("", 0, &v));
	assert_false(parse("0x", 0, &v));
	assert_false(parse("12a", 10, &v));
	assert_false(parse("1f", 0, &v)); /* hexadecimal needs 0x in base 0 */
	assert_false(parse("-1", 0, &v));
	assert_true(cmdline_parse_u64("123", 2, 10, &v) && v == 12); /* counted, not terminated */
}

static bool bdf(const char *s, struct pci_bdf *d)
{
	return pci_parse_bdf(s, strlen(s), d);
}

static void test_bdf(void **state)
{
	struct pci_bdf d = { 0 };

	(void)state;
	assert_true(bdf("00:02.0", &d) && d.bus == 0 && d.dev == 2 && d.fn == 0);
	assert_true(bdf("ff:1f.7", &d) && d.bus == 0xff && d.dev == 0x1f && d.fn == 7);
	assert_true(bdf("3:4.1", &d) && d.bus == 3 && d.dev == 4 && d.fn == 1);
	assert_false(bdf("00:20.0", &d)); /* device above 0x1f */
	assert_false(bdf("00:02.8", &d)); /* function above 7 */
	assert_false(bdf("100:02.0", &d));
	assert_false(bdf("00:02", &d));
	assert_false(bdf("00.02.0", &d));
	assert_false(bdf(":02.0", &d));
	assert_false(bdf("00:02.", &d));
	assert_false(bdf("0x:02.0", &d));
	assert_false(bdf("", &d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),   cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_unknown), cmocka_unit_test(test_split),
		cmocka_unit_test(test_numbers), cmocka_unit_test(test_bdf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
