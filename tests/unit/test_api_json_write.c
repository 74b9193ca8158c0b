/*
 * Unit tests of the management API's JSON writer (mgmt/api/json_write.c):
 * escaping (quote, backslash, control characters as \u00XX, invalid
 * UTF-8 as U+FFFD), commas between members and elements at every depth,
 * numbers at their limits, and overflow, which must never write past the
 * buffer and must leave it terminated.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <api/json_write.h>

static char buf[512];
static struct jw w;

static void test_escaping(void **state)
{
	(void)state;
	jw_init(&w, buf, sizeof(buf));
	jw_str(&w, "a\"b\\c/d\n\t\x01\x1f\x7f");
	assert_false(w.overflow);
	assert_string_equal(buf, "\"a\\\"b\\\\c/d\\u000a\\u0009\\u0001\\u001f\x7f\"");
}

static void test_embedded_nul_and_utf8(void **state)
{
	(void)state;
	jw_init(&w, buf, sizeof(buf));
	/* é (2 bytes), € (3), 𝄞 (4), then a lone continuation byte, an overlong '/' and a surrogate. */
	jw_strn(&w, "\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e\x80\xc0\xaf\xed\xa0\x80\0z", 17);
	assert_string_equal(buf, "\"\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e\\ufffd\\ufffd\\ufffd"
				 "\\ufffd\\ufffd\\ufffd\\u0000z\"");
	jw_init(&w, buf, sizeof(buf));
	jw_strn(&w, "\xe2\x82", 2);     /* truncated sequence at the end */
	assert_string_equal(buf, "\"\\ufffd\\ufffd\"");
}

static void test_nesting_and_commas(void **state)
{
	(void)state;
	jw_init(&w, buf, sizeof(buf));
	jw_obj_begin(&w);
	jw_key(&w, "a");
	jw_int(&w, 1);
	jw_key(&w, "b");
	jw_arr_begin(&w);
	jw_bool(&w, true);
	jw_bool(&w, false);
	jw_null(&w);
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_arr_begin(&w);
	jw_arr_end(&w);
	jw_arr_end(&w);
	jw_key(&w, "c");
	jw_obj_begin(&w);
	jw_key(&w, "d\"");
	jw_str(&w, "e");
	jw_obj_end(&w);
	jw_key(&w, "raw");
	jw_raw(&w, "{\"x\":1}", 7);
	jw_obj_end(&w);
	assert_false(w.overflow);
	assert_int_equal(w.depth, 0);
	assert_string_equal(buf, "{\"a\":1,\"b\":[true,false,null,{},[]],\"c\":{\"d\\\"\":\"e\"},"
				 "\"raw\":{\"x\":1}}");
	assert_int_equal(w.len, strlen(buf));
}

static void test_numbers(void **state)
{
	(void)state;
	jw_init(&w, buf, sizeof(buf));
	jw_arr_begin(&w);
	jw_int(&w, INT64_MIN);
	jw_int(&w, INT64_MAX);
	jw_int(&w, 0);
	jw_int(&w, -7);
	jw_uint(&w, UINT64_MAX);
	jw_hresult(&w, 0xA0040206u);
	jw_hresult(&w, 0);
	jw_arr_end(&w);
	assert_string_equal(buf, "[-9223372036854775808,9223372036854775807,0,-7,"
				 "18446744073709551615,\"0xA0040206\",\"0x00000000\"]");
}

/* Every prefix length of a document: either it fits exactly, or overflow and no byte past cap. */
static void test_overflow(void **state)
{
	static const char expect[] = "{\"name\":\"te\\\"st\",\"n\":[1,2]}";
	char small[sizeof(expect) + 8];

	(void)state;
	for (size_t cap = 0; cap <= sizeof(expect); cap++) {
		memset(small, '#', sizeof(small));
		jw_init(&w, small, cap);
		jw_obj_begin(&w);
		jw_key(&w, "name");
		jw_str(&w, "te\"st");
		jw_key(&w, "n");
		jw_arr_begin(&w);
		jw_int(&w, 1);
		jw_int(&w, 2);
		jw_arr_end(&w);
		jw_obj_end(&w);
		for (size_t i = cap; i < sizeof(small); i++)
			assert_int_equal(small[i], '#');
		if (cap == sizeof(expect)) {
			assert_false(w.overflow);
			assert_string_equal(small, expect);
		} else {
			assert_true(w.overflow);
			if (cap > 0)
				assert_int_equal(small[w.len], '\0');
		}
	}
}

static void test_depth_limit(void **state)
{
	(void)state;
	jw_init(&w, buf, sizeof(buf));
	for (unsigned i = 0; i < JW_MAX_DEPTH - 1; i++)
		jw_arr_begin(&w);
	assert_false(w.overflow);
	jw_arr_begin(&w);
	assert_true(w.overflow);
	jw_init(&w, buf, sizeof(buf));
	jw_obj_end(&w);         /* unbalanced close */
	assert_true(w.overflow);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_embedded_nul_and_utf8),
		cmocka_unit_test(test_nesting_and_commas),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_depth_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
