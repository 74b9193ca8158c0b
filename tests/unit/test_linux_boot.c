/*
 * The whole Linux start-up memory of a partition, built the way hv will
 * build it (bzimage_parse, boot_layout_plan, acpi_build_tables,
 * boot_params_build, the page tables and the GDT) into a host buffer
 * standing for 256 MiB of guest RAM, then checked as the kernel's entry
 * code will see it: everything it needs identity-mapped, reachable from
 * boot_params, in e820 RAM or ACPI memory, and nothing overlapping.
 * Runs on the synthetic image and, when .deps/linux has one, on Debian's.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <plat/acpi_tables.h>
#include <plat/boot_layout.h>
#include "bzimage_fixture.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define RAM_SIZE (256 * MiB)
#define INITRD_SIZE (2 * MiB + 123)
#define CMDLINE "console=ttyS0 nokaslr"

static uint8_t *ram;

static int setup(void **state)
{
	make_image(state);
	ram = calloc(1, RAM_SIZE);
	assert_non_null(ram);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

/* Host address of [gpa, gpa + size) in the partition's RAM. */
static void *at(uint64_t gpa, uint64_t size)
{
	assert_true(gpa <= RAM_SIZE && size <= RAM_SIZE - gpa);
	return ram + gpa;
}

static uint64_t get(uint64_t gpa, size_t size)
{
	uint64_t v = 0;

	memcpy(&v, at(gpa, size), size);
	return v;
}

/* What hv does to start a Linux partition, minus the vCPU registers. */
static void build(const uint8_t *img, size_t size, const struct boot_memory *mem,
		  struct boot_layout *l, struct bzimage_info *info)
{
	static const uint32_t apic_ids[] = { 0, 1 };
	const struct acpi_tables_config acpi = {
		.apic_ids = apic_ids, .cpu_count = 2, .oem_id = "HV", .oem_table_id = "PARTITN",
		.hypervisor_id = "hv",
	};
	struct acpi_tables_info tables;
	struct boot_params_args args;

	assert_int_equal(bzimage_parse(img, size, info), BZIMAGE_OK);
	assert_int_equal(boot_layout_plan(info, mem, INITRD_SIZE, false, l), BOOT_OK);
	memcpy(at(l->kernel_gpa, info->kernel_size), img + info->kernel_offset, info->kernel_size);
	memset(at(l->initrd_gpa, INITRD_SIZE), 0x1d, INITRD_SIZE);
	assert_int_equal(boot_cmdline_write(at(l->cmdline_gpa, l->cmdline_max), l->cmdline_max,
					    CMDLINE, info),
			 BOOT_OK);
	assert_int_equal(acpi_build_tables(&acpi, l->acpi_gpa, at(l->acpi_gpa, l->acpi_size),
					   l->acpi_size, &tables),
			 ACPI_OK);
	boot_layout_params_args(l, mem, tables.rsdp_gpa, &args);
	assert_int_equal(boot_params_build(at(l->boot_params_gpa, BOOT_PARAMS_SIZE), BOOT_PARAMS_SIZE,
					   img, size, info, &args),
			 BOOT_OK);
	assert_int_equal(boot_page_tables_build(mem, false, at(l->page_tables_gpa, l->page_tables_size),
						l->page_tables_size, l->page_tables_gpa),
			 BOOT_OK);
	assert_int_equal(boot_gdt_build(at(l->gdt_gpa, BOOT_GDT_SIZE), BOOT_GDT_SIZE), BOOT_OK);
}

/* The identity map as the CPU walks it from CR3. */
static bool mapped(const struct boot_layout *l, uint64_t va)
{
	uint64_t table = l->page_tables_gpa;

	for (unsigned int shift = 39; shift >= 21; shift -= 9) {
		uint64_t e = get(table + ((va >> shift) & 511) * 8, 8);

		if (!(e & 1))
			return false;
		if (e & 0x80)
			return (e & ~((1ull << shift) - 1) & 0x000ffffffffff000ull) ==
			       (va & ~((1ull << shift) - 1));
		table = e & 0x000ffffffffff000ull;
	}
	return false;
}

static void check_mapped(const struct boot_layout *l, uint64_t gpa, uint64_t size)
{
	for (uint64_t a = gpa; a < gpa + size; a += MiB)
		assert_true(mapped(l, a));
	assert_true(mapped(l, gpa + size - 1));
}

/* The e820 type of one byte, from the zero page's map. */
static uint32_t e820_type(const struct boot_layout *l, uint64_t gpa)
{
	uint64_t bp = l->boot_params_gpa;
	uint8_t n = (uint8_t)get(bp + 0x1e8, 1);

	for (uint8_t i = 0; i < n; i++) {
		uint64_t e = bp + 0x2d0 + i * 20u;

		if (gpa >= get(e, 8) && gpa - get(e, 8) < get(e + 8, 8))
			return (uint32_t)get(e + 16, 4);
	}
	return 0;
}

static void check_disjoint(const struct boot_layout *l, const struct bzimage_info *info)
{
	const uint64_t r[][2] = {
		{ l->gdt_gpa, BOOT_GDT_SIZE },
		{ l->boot_params_gpa, BOOT_PARAMS_SIZE },
		{ l->cmdline_gpa, l->cmdline_max },
		{ l->stack_top - 0x1000, 0x1000 },
		{ l->page_tables_gpa, l->page_tables_size },
		{ l->acpi_gpa, l->acpi_size },
		{ l->kernel_gpa, l->kernel_end - l->kernel_gpa },
		{ l->initrd_gpa, l->initrd_size },
	};
	size_t n = sizeof(r) / sizeof(r[0]);

	assert_true(l->kernel_end - l->kernel_gpa >= info->init_size);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i; j++)
			assert_false(r[i][0] < r[j][0] + r[j][1] && r[j][0] < r[i][0] + r[i][1]);
	}
}

static void check_boot(const uint8_t *img, size_t size)
{
	struct boot_memory mem = { RAM_SIZE, 3 * GiB, 4 * GiB };
	struct bzimage_info info;
	struct boot_layout l;
	uint64_t bp, cmdline, rsdp;

	build(img, size, &mem, &l, &info);
	bp = l.boot_params_gpa;
	check_disjoint(&l, &info);
	/* The entry: 64-bit code at load + 0x200, identity-mapped like its window. */
	assert_memory_equal(at(l.entry_gpa, 16), img + info.kernel_offset + 0x200, 16);
	check_mapped(&l, l.kernel_gpa, l.kernel_end - l.kernel_gpa);
	check_mapped(&l, bp, BOOT_PARAMS_SIZE);
	/* The command line, through cmd_line_ptr. */
	cmdline = get(bp + 0x228, 4) | get(bp + 0x0c8, 4) << 32;
	assert_string_equal((const char *)at(cmdline, sizeof(CMDLINE)), CMDLINE);
	check_mapped(&l, cmdline, sizeof(CMDLINE));
	/* The initrd, through ramdisk_image/size, whole and below initrd_addr_max. */
	assert_int_equal(get(bp + 0x21c, 4), INITRD_SIZE);
	assert_int_equal(get(bp + 0x218, 4) % 4096, 0);
	assert_true(get(bp + 0x218, 4) + INITRD_SIZE - 1 <= info.initrd_addr_max);
	assert_int_equal(*(uint8_t *)at(get(bp + 0x218, 4) + INITRD_SIZE - 1, 1), 0x1d);
	check_mapped(&l, get(bp + 0x218, 4), INITRD_SIZE);
	assert_int_equal(e820_type(&l, get(bp + 0x218, 4)), BOOT_E820_RAM);
	/* The RSDP, through acpi_rsdp_addr, in ACPI memory and where the legacy scan looks. */
	rsdp = get(bp + 0x070, 8);
	assert_memory_equal(at(rsdp, 8), "RSD PTR ", 8);
	assert_true(rsdp >= 0xe0000 && rsdp < 0x100000 && rsdp % 16 == 0);
	assert_int_equal(e820_type(&l, rsdp), BOOT_E820_ACPI);
	/* Every byte of the kernel's window is RAM; Linux's trampolines find RAM below 0x9fc00. */
	for (uint64_t a = l.kernel_gpa; a < l.kernel_end; a += 4096)
		assert_int_equal(e820_type(&l, a), BOOT_E820_RAM);
	assert_int_equal(e820_type(&l, 0x9d000), BOOT_E820_RAM);
	assert_int_equal(e820_type(&l, 0x9fc00), BOOT_E820_RESERVED);
	/* The GDT's boot selectors. */
	assert_int_equal(get(l.gdt_gpa + BOOT_CS, 8), 0x00af9b000000ffffull);
	assert_int_equal(get(l.gdt_gpa + BOOT_DS, 8), 0x00cf93000000ffffull);
}

static void test_synthetic_kernel(void **state)
{
	(void)state;
	check_boot(image, sizeof(image));
}

static uint8_t *read_debian_kernel(size_t *size)
{
	const char *dir = getenv("HV_LINUX_BOOT_DIR");
	char path[4096] = "";
	uint8_t *data = NULL;
	struct dirent *e;
	DIR *d = dir != NULL ? opendir(dir) : NULL;
	FILE *f;
	long len;

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "vmlinuz-", 8) == 0)
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
	}
	if (d != NULL)
		closedir(d);
	f = path[0] != '\0' ? fopen(path, "rb") : NULL;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		data = malloc((size_t)len);
		*size = (size_t)len;
		if (data != NULL && fread(data, 1, *size, f) != *size) {
			free(data);
			data = NULL;
		}
	}
	fclose(f);
	return data;
}

static void test_debian_kernel(void **state)
{
	size_t size = 0;
	uint8_t *img = read_debian_kernel(&size);

	(void)state;
	if (img == NULL)
		skip();
	check_boot(img, size);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_synthetic_kernel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_debian_kernel, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
