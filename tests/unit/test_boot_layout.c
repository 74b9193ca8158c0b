/*
 * Unit tests of the boot layout, the identity page tables and the GDT
 * (hv/plat/boot_layout.c).  Page tables are checked by walking them like
 * the CPU does, for addresses across RAM, the hole and beyond.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <plat/boot_layout.h>
#include "bzimage_fixture.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define PT_GPA 0x5000ull
#define PT_MAX (0x80000 - 0x5000)

static struct bzimage_info info;
static uint8_t pt[PT_MAX];

static int setup(void **state)
{
	make_image(state);
	assert_int_equal(bzimage_parse(image, sizeof(image), &info), BZIMAGE_OK);
	return 0;
}

static struct boot_memory mem_of(uint64_t ram_size)
{
	return (struct boot_memory){ ram_size, 3 * GiB, 4 * GiB };
}

static void test_layout_512m(void **state)
{
	struct boot_memory mem = mem_of(512 * MiB);
	struct boot_layout l;

	(void)state;
	assert_int_equal(boot_layout_plan(&info, &mem, 0x1fe001, false, &l), BOOT_OK);
	assert_int_equal(l.gdt_gpa, 0x1000);
	assert_int_equal(l.boot_params_gpa, 0x2000);
	assert_int_equal(l.cmdline_gpa, 0x3000);
	assert_int_equal(l.cmdline_max, 2048); /* cmdline_size 2047 + NUL */
	assert_int_equal(l.stack_top, 0x5000);
	assert_int_equal(l.page_tables_gpa, 0x5000);
	assert_int_equal(l.page_tables_size, 3 * 0x1000); /* PML4, PDPT, one PD */
	assert_int_equal(l.acpi_gpa, 0xe0000);
	assert_int_equal(l.acpi_size, 0x10000);
	assert_int_equal(l.kernel_gpa, 16 * MiB);
	assert_int_equal(l.kernel_end, 16 * MiB + FIXTURE_INIT_SIZE);
	assert_int_equal(l.entry_gpa, 16 * MiB + 0x200);
	assert_int_equal(l.initrd_gpa, 512 * MiB - 0x1ff000); /* page aligned, at the top */
	assert_int_equal(l.initrd_size, 0x1fe001);
	assert_int_equal(l.region_count, 3);
	assert_int_equal(l.regions[0].base, 0x9fc00);
	assert_int_equal(l.regions[0].base + l.regions[0].size, l.regions[1].base);
	assert_int_equal(l.regions[1].type, BOOT_E820_ACPI);
	assert_int_equal(l.regions[1].base, l.acpi_gpa);
	assert_int_equal(l.regions[2].base + l.regions[2].size, 0x100000);
	/* hv's own data ends below the area Linux's trampolines use. */
	assert_true(l.page_tables_gpa + l.page_tables_size <= 0x80000);
}

static void test_layout_initrd_limits(void **state)
{
	struct boot_memory mem = mem_of(8 * GiB);
	struct boot_layout l;

	(void)state;
	/* Below initrd_addr_max (2 GiB - 1), not below the 3 GiB hole. */
	assert_int_equal(boot_layout_plan(&info, &mem, 0x200000, false, &l), BOOT_OK);
	assert_int_equal(l.initrd_gpa, 2 * GiB - 0x200000);
	assert_int_equal(l.page_tables_size, (1 + 1 + 8) * 0x1000); /* GiB 0-2 and 4-8 */
	assert_int_equal(boot_layout_plan(&info, &mem, 0, false, &l), BOOT_OK);
	assert_int_equal(l.initrd_gpa, 0);
	/* The initrd must stay above the kernel's window. */
	mem = mem_of(128 * MiB);
	assert_int_equal(boot_layout_plan(&info, &mem, 128 * MiB - l.kernel_end, false, &l),
			 BOOT_OK);
	assert_int_equal(l.initrd_gpa, l.kernel_end);
	assert_int_equal(boot_layout_plan(&info, &mem, 128 * MiB - l.kernel_end + 1, false, &l),
			 BOOT_ERR_INITRD_TOO_BIG);
	assert_int_equal(boot_layout_plan(&info, &mem, UINT64_MAX, false, &l),
			 BOOT_ERR_INITRD_TOO_BIG);
}

static void test_layout_kernel_placement(void **state)
{
	struct boot_memory mem = mem_of(512 * MiB);
	struct boot_layout l;

	(void)state;
	info.pref_address = 16 * MiB + 0x1000; /* relocatable: aligned up */
	assert_int_equal(boot_layout_plan(&info, &mem, 0, false, &l), BOOT_OK);
	assert_int_equal(l.kernel_gpa, 18 * MiB);
	info.relocatable = false; /* not relocatable: exactly there */
	assert_int_equal(boot_layout_plan(&info, &mem, 0, false, &l), BOOT_OK);
	assert_int_equal(l.kernel_gpa, 16 * MiB + 0x1000);
	assert_int_equal(l.entry_gpa, 16 * MiB + 0x1200);
	/* init_size smaller than the file's kernel: the window covers the file. */
	info.init_size = 0x100;
	assert_int_equal(boot_layout_plan(&info, &mem, 0, false, &l), BOOT_OK);
	assert_int_equal(l.kernel_end, l.kernel_gpa + info.kernel_size);
}

static void test_layout_errors(void **state)
{
	struct boot_memory mem = mem_of(16 * MiB + FIXTURE_INIT_SIZE - 1);
	struct boot_layout l;

	(void)state;
	assert_int_equal(boot_layout_plan(&info, &mem, 0, false, &l), BOOT_ERR_RAM_TOO_SMALL);
	mem = mem_of(16 * MiB + FIXTURE_INIT_SIZE);
	assert_int_equal(boot_layout_plan(&info, &mem, 0, false, &l), BOOT_OK);
	mem = mem_of(0x80000);
	assert_int_equal(boot_layout_plan(&info, &mem, 0, false, &l), BOOT_ERR_RAM_TOO_SMALL);
	mem = mem_of(0);
	assert_int_equal(boot_layout_plan(&info, &mem, 0, false, &l), BOOT_ERR_MEMORY);
	/* 2 MiB pages for 122 GiB (up to 123 GiB: 122 PDs) need 124 pages, one too many. */
	mem = mem_of(122 * GiB);
	assert_int_equal(boot_layout_plan(&info, &mem, 0, false, &l), BOOT_ERR_PAGE_TABLES);
	assert_int_equal(boot_layout_plan(&info, &mem, 0, true, &l), BOOT_OK);
	assert_int_equal(l.page_tables_size, 2 * 0x1000);
	assert_true(l.gb_pages);
	mem = mem_of(121 * GiB);
	assert_int_equal(boot_layout_plan(&info, &mem, 0, false, &l), BOOT_OK);
	assert_int_equal(l.page_tables_size, (2 + 121) * 0x1000);
	assert_int_equal(l.page_tables_gpa + l.page_tables_size, 0x80000);
}

/* Translates va through the tables in pt like the CPU; false if not present. */
static bool walk(uint64_t va, uint64_t *pa)
{
	static const unsigned int shifts[] = { 39, 30, 21 };
	uint64_t table = PT_GPA;

	for (size_t level = 0; level < 3; level++) {
		uint64_t entry;

		assert_true(table >= PT_GPA && table - PT_GPA < sizeof(pt));
		memcpy(&entry, &pt[table - PT_GPA + ((va >> shifts[level]) & 511) * 8], 8);
		if (!(entry & 1))
			return false;
		assert_int_equal(entry & 0x7e, 0x02); /* writable, supervisor, cached */
		assert_int_equal(entry >> 52, 0);
		if (entry & 0x80) {
			uint64_t size = 1ull << shifts[level];

			assert_true(level > 0);
			*pa = (entry & 0x000ffffffffff000ull & ~(size - 1)) | (va & (size - 1));
			return true;
		}
		table = entry & 0x000ffffffffff000ull;
	}
	fail_msg("va %#llx: a PD entry without PS", (unsigned long long)va);
	return false;
}

static void check_identity(const struct boot_memory *mem, bool gb_pages)
{
	uint64_t high_end = mem->hole_end + (mem->ram_size > mem->hole_start ?
					     mem->ram_size - mem->hole_start : 0);
	uint64_t step = 7 * MiB + 0x1234;
	uint64_t pa;

	memset(pt, 0xee, sizeof(pt));
	assert_int_equal(boot_page_tables_build(mem, gb_pages, pt, sizeof(pt), PT_GPA), BOOT_OK);
	for (uint64_t va = 0; va < mem->ram_size && va < mem->hole_start; va += step) {
		assert_true(walk(va, &pa));
		assert_int_equal(pa, va);
	}
	for (uint64_t va = mem->hole_end; va < high_end; va += step) {
		assert_true(walk(va, &pa));
		assert_int_equal(pa, va);
	}
	if (!gb_pages) {
		assert_false(walk(mem->hole_start + 0x1000, &pa)); /* the hole */
		assert_false(walk(high_end + 2 * MiB, &pa));
	}
	assert_false(walk(high_end + 1024 * GiB, &pa));
}

static void test_page_tables_2m(void **state)
{
	struct boot_memory mem = mem_of(512 * MiB);
	uint64_t entry;

	(void)state;
	check_identity(&mem, false);
	memcpy(&entry, &pt[0], 8);
	assert_int_equal(entry, 0x6003); /* PML4[0] -> PDPT at the next page */
	memcpy(&entry, &pt[0x1000], 8);
	assert_int_equal(entry, 0x7003); /* PDPT[0] -> PD */
	memcpy(&entry, &pt[0x2000 + 255 * 8], 8);
	assert_int_equal(entry, 0x1fe00083); /* the last 2 MiB page */
	memcpy(&entry, &pt[0x2000 + 256 * 8], 8);
	assert_int_equal(entry, 0);
	mem = mem_of(6 * GiB + 6 * MiB); /* RAM above the hole up to 7 GiB + 6 MiB */
	check_identity(&mem, false);
	mem = mem_of(3 * GiB);
	check_identity(&mem, false);
	mem.ram_size = 5 * MiB + 4096; /* rounded up to whole 2 MiB pages */
	check_identity(&mem, false);
	assert_true(walk(6 * MiB - 1, &(uint64_t){ 0 }));
}

static void test_page_tables_1g(void **state)
{
	struct boot_memory mem = mem_of(1025 * GiB); /* reaches past 512 GiB: two PDPTs */
	uint64_t entry;

	(void)state;
	assert_int_equal(boot_page_tables_size(&mem, true), 4 * 0x1000);
	check_identity(&mem, true);
	memcpy(&entry, &pt[0x1000 + 2 * 8], 8);
	assert_int_equal(entry, 2 * GiB | 0x83);
	memcpy(&entry, &pt[0x1000 + 3 * 8], 8);
	assert_int_equal(entry, 0); /* the hole */
	memcpy(&entry, &pt[8], 8);
	assert_int_equal(entry, PT_GPA + 0x2000 + 3); /* PML4[1] -> the second PDPT */
}

static void test_page_tables_errors(void **state)
{
	struct boot_memory mem = mem_of(512 * MiB);
	struct boot_memory huge = mem_of(1ull << 48);

	(void)state;
	assert_int_equal(boot_page_tables_build(&mem, false, pt, 3 * 0x1000 - 1, PT_GPA),
			 BOOT_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(boot_page_tables_build(&mem, false, pt, sizeof(pt), PT_GPA + 8),
			 BOOT_ERR_ALIGNMENT);
	assert_int_equal(boot_page_tables_build(&mem, false, pt, sizeof(pt), 4 * GiB),
			 BOOT_ERR_PAGE_TABLES);
	assert_int_equal(boot_page_tables_build(&mem, false, pt, sizeof(pt), 4 * GiB - 0x2000),
			 BOOT_ERR_PAGE_TABLES);
	assert_int_equal(boot_page_tables_size(&huge, true), 0);
	assert_int_equal(boot_page_tables_build(&huge, true, pt, sizeof(pt), PT_GPA),
			 BOOT_ERR_MEMORY);
}

static void test_gdt(void **state)
{
	uint64_t gdt[5] = { 1, 1, 1, 1, 1 };

	(void)state;
	assert_int_equal(boot_gdt_build(gdt, BOOT_GDT_SIZE - 1), BOOT_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(boot_gdt_build(gdt, BOOT_GDT_SIZE), BOOT_OK);
	assert_int_equal(gdt[0], 0);
	assert_int_equal(gdt[1], 0);
	/* 0x10: present, DPL 0, code, execute/read, accessed, L = 1 (64-bit), D = 0, G = 1 */
	assert_int_equal(gdt[BOOT_CS / 8], 0x00af9b000000ffffull);
	assert_int_equal((gdt[BOOT_CS / 8] >> 53) & 3, 1);
	/* 0x18: present, DPL 0, data, read/write, accessed, D/B = 1, G = 1 */
	assert_int_equal(gdt[BOOT_DS / 8], 0x00cf93000000ffffull);
	assert_int_equal(gdt[4], 1);
}

/* The stub is 16-bit code: mov al, 6; mov dx, 0xcf9; out dx, al; cli; hlt; jmp to the hlt. */
static void test_reset_stub(void **state)
{
	static const uint8_t want[] = { 0xb0, 0x06, 0xba, 0xf9, 0x0c, 0xee, 0xfa, 0xf4, 0xeb, 0xfd };
	uint8_t stub[BOOT_RESET_STUB_SIZE + 1];

	(void)state;
	memset(stub, 0x5a, sizeof(stub));
	assert_int_equal(boot_reset_stub_build(stub, BOOT_RESET_STUB_SIZE - 1),
			 BOOT_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(boot_reset_stub_build(stub, BOOT_RESET_STUB_SIZE), BOOT_OK);
	assert_memory_equal(stub, want, sizeof(want));
	/* the jmp lands on the hlt: its target is its own end plus -3 */
	assert_int_equal(10 + (int8_t)stub[9], 7);
	assert_int_equal(stub[BOOT_RESET_STUB_SIZE], 0x5a);
	/* F000:FFF0, the last 16 bytes below 1 MiB, inside the reserved BIOS area */
	assert_int_equal(BOOT_RESET_VECTOR_GPA + BOOT_RESET_STUB_SIZE, BOOT_LOW_MEMORY_END);
}

static void test_params_args(void **state)
{
	struct boot_memory mem = mem_of(512 * MiB);
	struct boot_params_args args;
	struct boot_layout l;

	(void)state;
	assert_int_equal(boot_layout_plan(&info, &mem, 4096, false, &l), BOOT_OK);
	boot_layout_params_args(&l, &mem, 0xe0000, &args);
	assert_int_equal(args.memory.ram_size, 512 * MiB);
	assert_ptr_equal(args.regions, l.regions);
	assert_int_equal(args.region_count, 3);
	assert_int_equal(args.cmdline_gpa, l.cmdline_gpa);
	assert_int_equal(args.initrd_gpa, l.initrd_gpa);
	assert_int_equal(args.initrd_size, 4096);
	assert_int_equal(args.rsdp_gpa, 0xe0000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_layout_512m, setup),
		cmocka_unit_test_setup(test_layout_initrd_limits, setup),
		cmocka_unit_test_setup(test_layout_kernel_placement, setup),
		cmocka_unit_test_setup(test_layout_errors, setup),
		cmocka_unit_test(test_reset_stub),
		cmocka_unit_test(test_page_tables_2m),
		cmocka_unit_test(test_page_tables_1g),
		cmocka_unit_test(test_page_tables_errors),
		cmocka_unit_test(test_gdt),
		cmocka_unit_test_setup(test_params_args, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
