/*
 * Unit tests of hv's partition RAM allocator (hv/mem/ram.c): blocks come
 * only from free regions above 16 MiB, 2 MiB aligned, highest first, and
 * never from the framebuffer of hv's screen console, even when a
 * firmware's map calls its memory free.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <core/console.h>
#include <mem/ram.h>

#define MIB (1ull << 20)

static struct boot_info bi;

void hv_log(uint32_t level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

static void add_region(uint64_t base, uint64_t size, uint32_t type)
{
	bi.mem[bi.mem_region_count++] = (struct boot_mem_region){ base, size, type, 0 };
}

static int setup(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	return 0;
}

static void test_free_regions_only(void **state)
{
	(void)state;
	add_region(0, 640 * 1024, BOOT_MEM_FREE);              /* below 16 MiB: never */
	add_region(8 * MIB, 56 * MIB, BOOT_MEM_FREE);          /* 16-64 MiB usable */
	add_region(64 * MIB, 64 * MIB, BOOT_MEM_RESERVED);
	add_region(128 * MIB + 4096, 64 * MIB, BOOT_MEM_FREE); /* aligned in: 130-192 MiB */
	ram_init(&bi);
	assert_int_equal(ram_free_bytes(), 48 * MIB + 62 * MIB);
	assert_int_equal(ram_claim(0, 8 * MIB), 184 * MIB);    /* highest first */
	assert_int_equal(ram_claim(64 * MIB, 2 * MIB), 0);     /* reserved */
	assert_int_equal(ram_claim(16 * MIB, 2 * MIB), 16 * MIB);
}

/*
 * A framebuffer inside a region the map calls free (as no sane firmware
 * does, but hv must not depend on it): its 2 MiB blocks are cut out, the
 * rest of the region stays usable, and no claim ever reaches it.
 */
static void test_framebuffer_never_ram(void **state)
{
	uint64_t fb = 512 * MIB + 0x100000, fb_size = 3 * MIB; /* blocks 512-516 MiB */
	uint64_t got;

	(void)state;
	add_region(16 * MIB, 1008 * MIB, BOOT_MEM_FREE);
	bi.fb = (struct boot_framebuffer){ .base = fb, .size = fb_size, .width = 1024,
					   .height = 768, .stride = 1024 };
	ram_init(&bi);
	assert_int_equal(ram_free_bytes(), 1008 * MIB - 4 * MIB);
	assert_int_equal(ram_claim(512 * MIB, 2 * MIB), 0);
	assert_int_equal(ram_claim(514 * MIB, 2 * MIB), 0);
	assert_int_equal(ram_claim(510 * MIB, 4 * MIB), 0);   /* would straddle it */
	assert_int_equal(ram_claim(516 * MIB, 2 * MIB), 516 * MIB);
	assert_int_equal(ram_claim(510 * MIB, 2 * MIB), 510 * MIB);
	/* everything else, in pieces: none overlaps the framebuffer */
	while ((got = ram_claim(0, 2 * MIB)) != 0)
		assert_true(got + 2 * MIB <= fb || got >= fb + fb_size);
	assert_int_equal(ram_free_bytes(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_free_regions_only, setup),
		cmocka_unit_test_setup(test_framebuffer_never_ram, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
