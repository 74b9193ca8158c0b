/*
 * Unit tests of the per-partition console rate limit
 * (hv/part/partition_console.c): a burst of PARTITION_CONSOLE_BURST lines,
 * then PARTITION_CONSOLE_PER_S a second; lines beyond are dropped and
 * their count logged with the next line that goes out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <core/console.h>
#include <part/partition.h>
#include <plat/reftime.h>

#define SECOND 10000000ull /* reference time: 100 ns units */

static uint64_t now = 1;
static unsigned lines_logged;
static char last_line[256];

uint64_t reftime_now(void)
{
	return now;
}

void hv_log(uint32_t level, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(last_line, sizeof(last_line), fmt, ap);
	va_end(ap);
	lines_logged++;
}

static void test_burst_then_rate(void **state)
{
	struct partition_console c = { 0 };
	unsigned admitted = 0;

	(void)state;
	for (unsigned i = 0; i < PARTITION_CONSOLE_BURST + 100; i++)
		admitted += partition_console_admit(&c, SECOND);
	assert_int_equal(admitted, PARTITION_CONSOLE_BURST);
	/* one second later: PARTITION_CONSOLE_PER_S more, not one beyond */
	admitted = 0;
	for (unsigned i = 0; i < 1000; i++)
		admitted += partition_console_admit(&c, 2 * SECOND);
	assert_int_equal(admitted, PARTITION_CONSOLE_PER_S);
	/* an idle minute refills the bucket, but never past the burst */
	admitted = 0;
	for (unsigned i = 0; i < PARTITION_CONSOLE_BURST + 100; i++)
		admitted += partition_console_admit(&c, 62 * SECOND);
	assert_int_equal(admitted, PARTITION_CONSOLE_BURST);
}

/* A steady 50 lines a second all go out, for ever. */
static void test_steady_rate_passes(void **state)
{
	struct partition_console c = { 0 };

	(void)state;
	for (uint64_t i = 0; i < 100000; i++) {
		uint64_t at = SECOND + i * SECOND / PARTITION_CONSOLE_PER_S;

		assert_true(partition_console_admit(&c, at));
	}
}

/* The dropped lines are counted and reported with the next line that goes out. */
static void test_drops_reported(void **state)
{
	static struct hvcfg_partition cfg = { .name = "chatty" };
	static struct partition p = { .cfg = &cfg };
	char line[64];

	(void)state;
	now = SECOND;
	for (unsigned i = 0; i < PARTITION_CONSOLE_BURST + 7; i++) {
		snprintf(line, sizeof(line), "line %u\n", i);
		partition_console_write(&p, line, strlen(line));
	}
	assert_int_equal(lines_logged, PARTITION_CONSOLE_BURST);
	assert_int_equal(p.console.rate.dropped, 7);
	now = 2 * SECOND;
	partition_console_write(&p, "back\n", 5);
	assert_int_equal(lines_logged, PARTITION_CONSOLE_BURST + 2);
	assert_string_equal(last_line, "[chatty] back");
	assert_int_equal(p.console.rate.dropped, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_rate),
		cmocka_unit_test(test_steady_rate_passes),
		cmocka_unit_test(test_drops_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
