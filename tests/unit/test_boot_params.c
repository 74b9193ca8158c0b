/*
 * Unit tests of the zero page and e820 builders (hv/plat/boot_params.c).
 * Fields are checked at their raw offsets from zero-page.rst and boot.rst,
 * not through struct boot_params, so a wrong offset in the struct shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <plat/boot_params.h>
#include "bzimage_fixture.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

static uint8_t page[BOOT_PARAMS_SIZE + 64];
static struct bzimage_info info;

/* The low-memory regions hv's layout names (boot_layout.h). */
static const struct boot_region low_regions[] = {
	{ 0x9fc00, 0xe0000 - 0x9fc00, BOOT_E820_RESERVED },
	{ 0xe0000, 0x10000, BOOT_E820_ACPI },
	{ 0xf0000, 0x10000, BOOT_E820_RESERVED },
};

static const struct boot_memory mem_512m = { 512 * MiB, 3 * GiB, 4 * GiB };

static int setup(void **state)
{
	make_image(state);
	assert_int_equal(bzimage_parse(image, sizeof(image), &info), BZIMAGE_OK);
	memset(page, 0xcc, sizeof(page));
	return 0;
}

static uint64_t get(size_t off, size_t size)
{
	uint64_t v = 0;

	memcpy(&v, &page[off], size);
	return v;
}

static void check_entry(const struct boot_e820_entry *e, uint64_t addr, uint64_t size,
			uint32_t type)
{
	assert_int_equal(e->addr, addr);
	assert_int_equal(e->size, size);
	assert_int_equal(e->type, type);
}

static void test_memory_ram(void **state)
{
	struct boot_range ram[2];
	struct boot_memory mem = { 6 * GiB, 3 * GiB, 4 * GiB };

	(void)state;
	assert_int_equal(boot_memory_ram(&mem_512m, ram), 1);
	assert_int_equal(ram[0].size, 512 * MiB);
	assert_int_equal(boot_memory_ram(&mem, ram), 2);
	assert_int_equal(ram[0].size, 3 * GiB);
	assert_int_equal(ram[1].base, 4 * GiB);
	assert_int_equal(ram[1].size, 3 * GiB);
	mem.ram_size = 3 * GiB; /* exactly up to the hole: nothing above */
	assert_int_equal(boot_memory_ram(&mem, ram), 1);
	mem.ram_size = 0;
	assert_int_equal(boot_memory_ram(&mem, ram), 0);
	mem = (struct boot_memory){ 6 * GiB, 4 * GiB, 3 * GiB };
	assert_int_equal(boot_memory_ram(&mem, ram), 0);
	mem = (struct boot_memory){ UINT64_MAX, 3 * GiB, UINT64_MAX - GiB };
	assert_int_equal(boot_memory_ram(&mem, ram), 0);
}

static void test_e820_low_layout(void **state)
{
	struct boot_e820_entry t[8];
	size_t n = 0;

	(void)state;
	assert_int_equal(boot_e820_build(&mem_512m, low_regions, 3, t, 8, &n), BOOT_OK);
	assert_int_equal(n, 5);
	check_entry(&t[0], 0, 0x9fc00, BOOT_E820_RAM);
	check_entry(&t[1], 0x9fc00, 0xe0000 - 0x9fc00, BOOT_E820_RESERVED);
	check_entry(&t[2], 0xe0000, 0x10000, BOOT_E820_ACPI);
	check_entry(&t[3], 0xf0000, 0x10000, BOOT_E820_RESERVED);
	check_entry(&t[4], MiB, 511 * MiB, BOOT_E820_RAM);
}

static void test_e820_high_ram_and_hole(void **state)
{
	static const struct boot_region hole_page = { 0xfee00000, 0x1000, BOOT_E820_RESERVED };
	struct boot_memory mem = { 6 * GiB, 3 * GiB, 4 * GiB };
	struct boot_e820_entry t[8];
	size_t n = 0;

	(void)state;
	assert_int_equal(boot_e820_build(&mem, NULL, 0, t, 8, &n), BOOT_OK);
	assert_int_equal(n, 2);
	check_entry(&t[0], 0, 3 * GiB, BOOT_E820_RAM);
	check_entry(&t[1], 4 * GiB, 3 * GiB, BOOT_E820_RAM);
	/* A region outside RAM appears in the map in its place. */
	assert_int_equal(boot_e820_build(&mem, &hole_page, 1, t, 8, &n), BOOT_OK);
	assert_int_equal(n, 3);
	check_entry(&t[1], 0xfee00000, 0x1000, BOOT_E820_RESERVED);
	check_entry(&t[2], 4 * GiB, 3 * GiB, BOOT_E820_RAM);
}

static void test_e820_merges_and_orders(void **state)
{
	/* Given out of order, touching each other, two of one type: they merge. */
	static const struct boot_region r[] = {
		{ 0x3000, 0x1000, BOOT_E820_NVS },
		{ 0x1000, 0x1000, BOOT_E820_RESERVED },
		{ 0x2000, 0x1000, BOOT_E820_RESERVED },
		{ 0x20000000 - 0x1000, 0x1000, BOOT_E820_UNUSABLE }, /* RAM's last page */
	};
	struct boot_e820_entry t[8];
	size_t n = 0;

	(void)state;
	assert_int_equal(boot_e820_build(&mem_512m, r, 4, t, 8, &n), BOOT_OK);
	assert_int_equal(n, 5);
	check_entry(&t[0], 0, 0x1000, BOOT_E820_RAM);
	check_entry(&t[1], 0x1000, 0x2000, BOOT_E820_RESERVED);
	check_entry(&t[2], 0x3000, 0x1000, BOOT_E820_NVS);
	check_entry(&t[3], 0x4000, 0x20000000 - 0x5000, BOOT_E820_RAM);
	check_entry(&t[4], 0x20000000 - 0x1000, 0x1000, BOOT_E820_UNUSABLE);
}

static void test_e820_bad_regions(void **state)
{
	struct boot_region r[BOOT_REGIONS_MAX + 1];
	struct boot_e820_entry t[BOOT_E820_MAX];
	struct boot_memory none = { 0, 3 * GiB, 4 * GiB };
	size_t n = 0;

	(void)state;
	r[0] = (struct boot_region){ 0x1000, 0, BOOT_E820_RESERVED };
	assert_int_equal(boot_e820_build(&mem_512m, r, 1, t, 8, &n), BOOT_ERR_REGION);
	r[0] = (struct boot_region){ 0x1000, 0x1000, BOOT_E820_RAM };
	assert_int_equal(boot_e820_build(&mem_512m, r, 1, t, 8, &n), BOOT_ERR_REGION);
	r[0] = (struct boot_region){ UINT64_MAX - 0xfff, 0x2000, BOOT_E820_RESERVED };
	assert_int_equal(boot_e820_build(&mem_512m, r, 1, t, 8, &n), BOOT_ERR_REGION);
	r[0] = (struct boot_region){ 0x1000, 0x2000, BOOT_E820_RESERVED };
	r[1] = (struct boot_region){ 0x2000, 0x1000, BOOT_E820_ACPI };
	assert_int_equal(boot_e820_build(&mem_512m, r, 2, t, 8, &n), BOOT_ERR_REGION);
	for (size_t i = 0; i <= BOOT_REGIONS_MAX; i++)
		r[i] = (struct boot_region){ (i + 1) * 0x10000, 0x1000, BOOT_E820_RESERVED };
	assert_int_equal(boot_e820_build(&mem_512m, r, BOOT_REGIONS_MAX + 1, t, BOOT_E820_MAX, &n),
			 BOOT_ERR_TOO_MANY_REGIONS);
	assert_int_equal(boot_e820_build(&mem_512m, r, BOOT_REGIONS_MAX, t, BOOT_E820_MAX, &n),
			 BOOT_OK);
	assert_int_equal(n, 2 * BOOT_REGIONS_MAX + 1);
	/* The table given holds fewer entries than the map has. */
	assert_int_equal(boot_e820_build(&mem_512m, r, BOOT_REGIONS_MAX, t, 2 * BOOT_REGIONS_MAX, &n),
			 BOOT_ERR_TOO_MANY_REGIONS);
	assert_int_equal(boot_e820_build(&none, NULL, 0, t, 8, &n), BOOT_ERR_MEMORY);
}

static struct boot_params_args args_512m(void)
{
	return (struct boot_params_args){
		.memory = mem_512m,
		.regions = low_regions,
		.region_count = 3,
		.cmdline_gpa = 0x3000,
		.initrd_gpa = 0x1fe00000,
		.initrd_size = 0x1fe000,
		.rsdp_gpa = 0xe0000,
	};
}

static void test_zero_page(void **state)
{
	struct boot_params_args args = args_512m();

	(void)state;
	assert_int_equal(boot_params_build(page, BOOT_PARAMS_SIZE, image, sizeof(image), &info, &args),
			 BOOT_OK);
	assert_int_equal(get(0x210, 1), 0xff);          /* type_of_loader */
	assert_int_equal(get(0x211, 1), 0x01);          /* LOADED_HIGH kept, CAN_USE_HEAP cleared */
	assert_int_equal(get(0x228, 4), 0x3000);        /* cmd_line_ptr */
	assert_int_equal(get(0x0c8, 4), 0);             /* ext_cmd_line_ptr */
	assert_int_equal(get(0x218, 4), 0x1fe00000);    /* ramdisk_image */
	assert_int_equal(get(0x21c, 4), 0x1fe000);      /* ramdisk_size */
	assert_int_equal(get(0x070, 8), 0xe0000);       /* acpi_rsdp_addr */
	assert_int_equal(get(0x1ef, 1), 0);             /* sentinel */
	assert_int_equal(get(0x250, 8), 0);             /* setup_data, whatever the image said */
	assert_int_equal(get(0x1e8, 1), 5);             /* e820_entries */
	assert_int_equal(get(0x2d0, 8), 0);             /* e820_table[0].addr */
	assert_int_equal(get(0x2d8, 8), 0x9fc00);       /* e820_table[0].size */
	assert_int_equal(get(0x2e0, 4), BOOT_E820_RAM); /* e820_table[0].type */
	assert_int_equal(get(0x2d0 + 4 * 20, 8), MiB);  /* e820_table[4].addr */
	assert_int_equal(get(0x2d0 + 4 * 20 + 8, 8), 511 * MiB);
	/* The rest of the setup header is the image's, unchanged. */
	assert_memory_equal(&page[0x1f1], &image[0x1f1], 0x210 - 0x1f1);
	assert_memory_equal(&page[0x22c], &image[0x22c], 0x250 - 0x22c);
	assert_memory_equal(&page[0x258], &image[0x258], 0x26c - 0x258);
	assert_int_equal(page[BOOT_PARAMS_SIZE], 0xcc); /* nothing past the page */
}

/* Everything outside the header and the fields we set is zero. */
static void test_zero_page_rest_is_zero(void **state)
{
	struct boot_params_args args = args_512m();

	(void)state;
	image[0x201] = 0x66; /* a 2.12-length header ending at 0x268: image bytes after it are code */
	assert_int_equal(bzimage_parse(image, sizeof(image), &info), BZIMAGE_OK);
	assert_int_equal(boot_params_build(page, BOOT_PARAMS_SIZE, image, sizeof(image), &info, &args),
			 BOOT_OK);
	for (size_t i = 0; i < 0x1f1; i++) {
		if ((i >= 0x070 && i < 0x078) || i == 0x1e8)
			continue;
		assert_int_equal(page[i], 0);
	}
	for (size_t i = 0x268; i < 0x2d0; i++)
		assert_int_equal(page[i], 0);
	for (size_t i = 0x2d0 + 5 * 20; i < BOOT_PARAMS_SIZE; i++)
		assert_int_equal(page[i], 0);
}

static void test_high_addresses(void **state)
{
	struct boot_params_args args = args_512m();

	(void)state;
	args.cmdline_gpa = 0x123456789ull;
	args.initrd_gpa = 0x200000000ull;
	args.initrd_size = 0x100000000ull;
	args.memory.ram_size = 16 * GiB;
	assert_int_equal(boot_params_build(page, BOOT_PARAMS_SIZE, image, sizeof(image), &info, &args),
			 BOOT_OK);
	assert_int_equal(get(0x228, 4), 0x23456789);
	assert_int_equal(get(0x0c8, 4), 0x1);
	assert_int_equal(get(0x218, 4), 0);
	assert_int_equal(get(0x0c0, 4), 0x2);
	assert_int_equal(get(0x21c, 4), 0);
	assert_int_equal(get(0x0c4, 4), 0x1);
	/* Without XLF_CAN_BE_LOADED_ABOVE_4G the kernel cannot reach them. */
	info.xloadflags &= (uint16_t)~BZIMAGE_XLF_CAN_BE_LOADED_ABOVE_4G;
	assert_int_equal(boot_params_build(page, BOOT_PARAMS_SIZE, image, sizeof(image), &info, &args),
			 BOOT_ERR_ABOVE_4G);
	args.cmdline_gpa = 0x3000;
	assert_int_equal(boot_params_build(page, BOOT_PARAMS_SIZE, image, sizeof(image), &info, &args),
			 BOOT_ERR_ABOVE_4G);
	args.initrd_gpa = 0x80000000ull - 0x1000; /* crosses initrd_addr_max */
	args.initrd_size = 0x2000;
	assert_int_equal(boot_params_build(page, BOOT_PARAMS_SIZE, image, sizeof(image), &info, &args),
			 BOOT_ERR_INITRD_LIMIT);
	args.initrd_size = 0x1000; /* ends exactly at initrd_addr_max + 1 */
	assert_int_equal(boot_params_build(page, BOOT_PARAMS_SIZE, image, sizeof(image), &info, &args),
			 BOOT_OK);
	args.initrd_gpa = UINT64_MAX - 0xfff;
	assert_int_equal(boot_params_build(page, BOOT_PARAMS_SIZE, image, sizeof(image), &info, &args),
			 BOOT_ERR_INITRD_LIMIT);
}

static void test_no_initrd_old_protocol(void **state)
{
	struct boot_params_args args = args_512m();

	(void)state;
	args.initrd_gpa = 0x1234000; /* ignored: no size */
	args.initrd_size = 0;
	put16(0x206, 0x020d); /* 2.13: no acpi_rsdp_addr */
	assert_int_equal(bzimage_parse(image, sizeof(image), &info), BZIMAGE_OK);
	assert_int_equal(boot_params_build(page, BOOT_PARAMS_SIZE, image, sizeof(image), &info, &args),
			 BOOT_OK);
	assert_int_equal(get(0x218, 4), 0);
	assert_int_equal(get(0x21c, 4), 0);
	assert_int_equal(get(0x070, 8), 0);
}

static void test_zero_page_errors(void **state)
{
	struct boot_params_args args = args_512m();
	struct bzimage_info bad = info;

	(void)state;
	assert_int_equal(boot_params_build(page, BOOT_PARAMS_SIZE - 1, image, sizeof(image), &info,
					   &args),
			 BOOT_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(boot_params_build(page, BOOT_PARAMS_SIZE, image, 0x26b, &info, &args),
			 BOOT_ERR_HEADER);
	bad.header_end = 0x291;
	assert_int_equal(boot_params_build(page, BOOT_PARAMS_SIZE, image, sizeof(image), &bad, &args),
			 BOOT_ERR_HEADER);
	bad.header_end = 0x200;
	assert_int_equal(boot_params_build(page, BOOT_PARAMS_SIZE, image, sizeof(image), &bad, &args),
			 BOOT_ERR_HEADER);
	args.region_count = BOOT_REGIONS_MAX + 1;
	assert_int_equal(boot_params_build(page, BOOT_PARAMS_SIZE, image, sizeof(image), &info, &args),
			 BOOT_ERR_TOO_MANY_REGIONS);
}

static void test_cmdline(void **state)
{
	char buf[16];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(boot_cmdline_write(buf, sizeof(buf), "console=ttyS0", &info), BOOT_OK);
	assert_string_equal(buf, "console=ttyS0");
	assert_int_equal(boot_cmdline_write(buf, sizeof(buf), "0123456789abcdef", &info),
			 BOOT_ERR_CMDLINE_TOO_LONG);
	assert_int_equal(boot_cmdline_write(buf, sizeof(buf), "0123456789abcde", &info), BOOT_OK);
	info.cmdline_size = 4;
	assert_int_equal(boot_cmdline_write(buf, sizeof(buf), "abcde", &info),
			 BOOT_ERR_CMDLINE_TOO_LONG);
	assert_int_equal(boot_cmdline_write(buf, sizeof(buf), "abcd", &info), BOOT_OK);
	assert_int_equal(boot_cmdline_write(buf, sizeof(buf), "", &info), BOOT_OK);
	assert_string_equal(buf, "");
}

static void test_strerror(void **state)
{
	(void)state;
	for (int e = 0; e < BOOT_ERR_COUNT; e++) {
		assert_non_null(boot_strerror((enum boot_error)e));
		for (int f = 0; f < e; f++)
			assert_string_not_equal(boot_strerror((enum boot_error)e),
						boot_strerror((enum boot_error)f));
	}
	assert_string_equal(boot_strerror(BOOT_ERR_COUNT), "unknown boot error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_ram),
		cmocka_unit_test(test_e820_low_layout),
		cmocka_unit_test(test_e820_high_ram_and_hole),
		cmocka_unit_test(test_e820_merges_and_orders),
		cmocka_unit_test(test_e820_bad_regions),
		cmocka_unit_test_setup(test_zero_page, setup),
		cmocka_unit_test_setup(test_zero_page_rest_is_zero, setup),
		cmocka_unit_test_setup(test_high_addresses, setup),
		cmocka_unit_test_setup(test_no_initrd_old_protocol, setup),
		cmocka_unit_test_setup(test_zero_page_errors, setup),
		cmocka_unit_test_setup(test_cmdline, setup),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
