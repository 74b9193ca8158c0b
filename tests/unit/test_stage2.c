/*
 * Unit tests of stage2_unmap (hv/mem/stage2.c) on a simple entry format:
 * it removes every 4 KiB mapping of a range, leaves what lies outside,
 * and clears the root's whole 64 GiB mapping window (what a root restart
 * does, hv/part/partition_run.c) without walking it page by page.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <hv/hypercall.h>
#include <mem/stage2.h>

static unsigned tables_allocated;

/* hv's pages are identity mapped: an address is a pointer. */
uint64_t page_alloc(struct page_pool *pool, uint64_t count, uint64_t align)
{
	(void)pool;
	(void)align;
	tables_allocated++;
	return (uint64_t)(uintptr_t)aligned_alloc(4096, count * 4096);
}

static uint64_t fake_table(uint64_t hpa)
{
	return hpa | 1;
}

static uint64_t fake_leaf(uint64_t hpa, unsigned perms, enum stage2_memtype type, unsigned level)
{
	(void)perms;
	(void)type;
	return hpa | 1 | (level == 2 ? 1ull << 7 : 0);
}

static bool fake_present(uint64_t entry)
{
	return entry & 1;
}

static const struct stage2_format fake_format = { fake_table, fake_leaf, fake_present };

#define PAGE 4096ull
#define WINDOW HV_ROOT_MAP_WINDOW_BASE
#define HPA 0x40000000ull

/* Mapping gpa again succeeds only if it was unmapped. */
static bool mapped(struct stage2 *s2, uint64_t gpa)
{
	if (stage2_map(s2, NULL, gpa, HPA, PAGE, 3, STAGE2_WB) != 0)
		return true;
	stage2_unmap(s2, gpa, PAGE);
	return false;
}

static void test_window_cleared(void **state)
{
	static const uint64_t offsets[] = { 0, PAGE, 0x1ff000, 0x40000000, 0x800000000ull,
					    HV_ROOT_MAP_WINDOW_SIZE - PAGE };
	struct stage2 s2;

	(void)state;
	assert_int_equal(stage2_init(&s2, &fake_format, NULL), 0);
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++)
		assert_int_equal(stage2_map(&s2, NULL, WINDOW + offsets[i], HPA, PAGE, 3,
					    STAGE2_WB), 0);
	assert_int_equal(stage2_map(&s2, NULL, WINDOW - PAGE, HPA, PAGE, 3, STAGE2_WB), 0);
	assert_int_equal(stage2_map(&s2, NULL, WINDOW + HV_ROOT_MAP_WINDOW_SIZE, HPA, PAGE, 3,
				    STAGE2_WB), 0);
	stage2_unmap(&s2, WINDOW, HV_ROOT_MAP_WINDOW_SIZE);
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++)
		if (mapped(&s2, WINDOW + offsets[i]))
			fail_msg("window offset 0x%llx still mapped",
				 (unsigned long long)offsets[i]);
	assert_true(mapped(&s2, WINDOW - PAGE));
	assert_true(mapped(&s2, WINDOW + HV_ROOT_MAP_WINDOW_SIZE));
}

/* A partial range: only its pages go. */
static void test_partial_range(void **state)
{
	struct stage2 s2;

	(void)state;
	assert_int_equal(stage2_init(&s2, &fake_format, NULL), 0);
	for (uint64_t i = 0; i < 8; i++)
		assert_int_equal(stage2_map(&s2, NULL, WINDOW + i * PAGE, HPA, PAGE, 3, STAGE2_WB),
				 0);
	stage2_unmap(&s2, WINDOW + 2 * PAGE, 3 * PAGE);
	for (uint64_t i = 0; i < 8; i++)
		assert_int_equal(mapped(&s2, WINDOW + i * PAGE), i < 2 || i >= 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_cleared),
		cmocka_unit_test(test_partial_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
