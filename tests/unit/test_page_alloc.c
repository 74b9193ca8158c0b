/*
 * Unit tests of hv's bitmap page allocator (hv/mem/page_alloc.c): alignment,
 * exhaustion, fragmentation, and refusal of bad or double frees.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <mem/page_alloc.h>

#define BASE 0x1000000ull /* 16 MiB, 2 MiB aligned */
#define PAGES 1000ull

static struct page_pool pool;
static uint64_t bitmap[(PAGES + 63) / 64];

static int setup(void **state)
{
	(void)state;
	page_pool_init(&pool, BASE, PAGES, bitmap);
	return 0;
}

static void test_single_pages(void **state)
{
	(void)state;
	assert_int_equal(page_pool_bitmap_bytes(PAGES), sizeof(bitmap));
	assert_int_equal(page_alloc(&pool, 1, 1), BASE);
	assert_int_equal(page_alloc(&pool, 1, 1), BASE + PAGE_SIZE);
	assert_int_equal(pool.free, PAGES - 2);
	assert_int_equal(page_free(&pool, BASE, 1), 0);
	assert_int_equal(pool.free, PAGES - 1);
}

static void test_alignment(void **state)
{
	uint64_t a, b;

	(void)state;
	assert_int_equal(page_alloc(&pool, 1, 1), BASE);
	a = page_alloc(&pool, 4, 512); /* 2 MiB aligned */
	assert_int_equal(a, BASE + 2 * 1024 * 1024);
	b = page_alloc(&pool, 3, 4);
	assert_int_equal(b % (4 * PAGE_SIZE), 0);
	assert_int_equal(page_alloc(&pool, 1, 3), 0); /* not a power of two */
	assert_int_equal(page_alloc(&pool, 1, 0), 0);
}

static void test_exhaustion_and_reuse(void **state)
{
	uint64_t all;

	(void)state;
	all = page_alloc(&pool, PAGES, 1);
	assert_int_equal(all, BASE);
	assert_int_equal(pool.free, 0);
	assert_int_equal(page_alloc(&pool, 1, 1), 0);
	assert_int_equal(page_free(&pool, BASE + 10 * PAGE_SIZE, 5), 0);
	assert_int_equal(page_alloc(&pool, 6, 1), 0);
	assert_int_equal(page_alloc(&pool, 5, 1), BASE + 10 * PAGE_SIZE);
	assert_int_equal(pool.free, 0);
}

static void test_fragmentation(void **state)
{
	uint64_t p[10];

	(void)state;
	for (int i = 0; i < 10; i++)
		p[i] = page_alloc(&pool, 2, 1);
	for (int i = 0; i < 10; i += 2)
		assert_int_equal(page_free(&pool, p[i], 2), 0);
	/* No hole of 3 pages among the freed pairs: it must come from the end. */
	assert_int_equal(page_alloc(&pool, 3, 1), BASE + 20 * PAGE_SIZE);
	/* A 2-page request wraps around to the first hole. */
	pool.hint = PAGES - 1;
	assert_int_equal(page_alloc(&pool, 2, 1), p[0]);
}

static void test_bad_frees(void **state)
{
	uint64_t a;

	(void)state;
	a = page_alloc(&pool, 2, 1);
	assert_int_equal(page_free(&pool, a + 2 * PAGE_SIZE, 1), -1); /* never allocated */
	assert_int_equal(page_free(&pool, a + 1, 1), -1);             /* misaligned */
	assert_int_equal(page_free(&pool, BASE - PAGE_SIZE, 1), -1);  /* below pool */
	assert_int_equal(page_free(&pool, BASE + PAGES * PAGE_SIZE, 1), -1);
	assert_int_equal(page_free(&pool, a, 0), -1);
	assert_int_equal(page_free(&pool, a, 3), -1); /* runs into a free page */
	assert_int_equal(pool.free, PAGES - 2);
	assert_int_equal(page_free(&pool, a, 2), 0);
	assert_int_equal(page_free(&pool, a, 2), -1); /* double free */
	assert_int_equal(pool.free, PAGES);
}

static void test_reserve(void **state)
{
	(void)state;
	page_pool_reserve(&pool, BASE, 3);
	page_pool_reserve(&pool, BASE + PAGE_SIZE, 1); /* already reserved: no double count */
	assert_int_equal(pool.free, PAGES - 3);
	assert_int_equal(page_alloc(&pool, 1, 1), BASE + 3 * PAGE_SIZE);
	page_pool_reserve(&pool, BASE + (PAGES - 1) * PAGE_SIZE, 10); /* clipped at the end */
	assert_int_equal(pool.free, PAGES - 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_single_pages, setup),
		cmocka_unit_test_setup(test_alignment, setup),
		cmocka_unit_test_setup(test_exhaustion_and_reuse, setup),
		cmocka_unit_test_setup(test_fragmentation, setup),
		cmocka_unit_test_setup(test_bad_frees, setup),
		cmocka_unit_test_setup(test_reserve, setup),
	};

	return cmocka_run_group_tests_name("page_alloc", tests, NULL, NULL);
}
