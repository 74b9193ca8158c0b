/*
 * The zero page and its e820 map (see boot_params.h).  The zero page is
 * built the way boot.rst's 64-bit protocol asks: all zero, then the
 * image's setup header copied to 0x1f1, then the loader's fields.  The
 * sentinel at 0x1ef stays zero, so Linux trusts the fields we leave zero.
 */
#include <plat/boot_params.h>

#include <lib/string.h>

#define LOADER_UNDEFINED 0xffu   /* type_of_loader: no assigned loader id */
#define VERSION_RSDP 0x020eu     /* acpi_rsdp_addr exists from protocol 2.14 */
#define SIZE_4G (1ull << 32)
#define MAX_POINTS (2 * (2 + BOOT_REGIONS_MAX))

static const char *const boot_errors[BOOT_ERR_COUNT] = {
	[BOOT_OK] = "no error",
	[BOOT_ERR_BUFFER_TOO_SMALL] = "the buffer is too small",
	[BOOT_ERR_MEMORY] = "the partition's RAM description is empty or inconsistent",
	[BOOT_ERR_REGION] = "an e820 region is empty, wraps, has the RAM type or overlaps another",
	[BOOT_ERR_TOO_MANY_REGIONS] = "the memory map has more regions than the zero page holds",
	[BOOT_ERR_HEADER] = "the setup header does not lie inside the image",
	[BOOT_ERR_ABOVE_4G] = "the command line or initrd lies above 4 GiB, which this kernel "
			      "cannot reach (XLF_CAN_BE_LOADED_ABOVE_4G clear)",
	[BOOT_ERR_INITRD_LIMIT] = "the initrd ends above the kernel's initrd_addr_max",
	[BOOT_ERR_CMDLINE_TOO_LONG] = "the command line is longer than the kernel accepts",
	[BOOT_ERR_RAM_TOO_SMALL] = "the RAM below the MMIO hole cannot hold the kernel and "
				   "the init_size bytes it needs",
	[BOOT_ERR_INITRD_TOO_BIG] = "the initrd does not fit between the kernel and the highest "
				    "address it may occupy",
	[BOOT_ERR_PAGE_TABLES] = "the boot page tables for this much RAM do not fit in low memory "
				 "(1 GiB pages need fewer)",
	[BOOT_ERR_ALIGNMENT] = "a boot structure's guest-physical address is not page aligned",
};

const char *boot_strerror(enum boot_error err)
{
	if ((unsigned int)err >= BOOT_ERR_COUNT)
		return "unknown boot error";
	return boot_errors[err];
}

size_t boot_memory_ram(const struct boot_memory *mem, struct boot_range ram[2])
{
	uint64_t low = mem->ram_size < mem->hole_start ? mem->ram_size : mem->hole_start;
	uint64_t high = mem->ram_size - low;

	if (low == 0 || mem->hole_end < mem->hole_start)
		return 0;
	ram[0] = (struct boot_range){ .base = 0, .size = low };
	if (high == 0)
		return 1;
	if (mem->hole_end + high < mem->hole_end)
		return 0;
	ram[1] = (struct boot_range){ .base = mem->hole_end, .size = high };
	return 2;
}

static bool region_type_ok(uint32_t type)
{
	return type == BOOT_E820_RESERVED || type == BOOT_E820_ACPI || type == BOOT_E820_NVS ||
	       type == BOOT_E820_UNUSABLE;
}

static enum boot_error check_regions(const struct boot_region *r, size_t count)
{
	if (count > BOOT_REGIONS_MAX)
		return BOOT_ERR_TOO_MANY_REGIONS;
	for (size_t i = 0; i < count; i++) {
		if (r[i].size == 0 || r[i].base + r[i].size < r[i].base || !region_type_ok(r[i].type))
			return BOOT_ERR_REGION;
		for (size_t j = 0; j < i; j++) {
			if (r[i].base < r[j].base + r[j].size && r[j].base < r[i].base + r[i].size)
				return BOOT_ERR_REGION;
		}
	}
	return BOOT_OK;
}

/* Sorts points[0, n) and drops duplicates; returns the new count. */
static size_t sort_unique(uint64_t *points, size_t n)
{
	size_t out = 0;

	for (size_t i = 1; i < n; i++) {
		uint64_t v = points[i];
		size_t j = i;

		for (; j > 0 && points[j - 1] > v; j--)
			points[j] = points[j - 1];
		points[j] = v;
	}
	for (size_t i = 0; i < n; i++) {
		if (out == 0 || points[out - 1] != points[i])
			points[out++] = points[i];
	}
	return out;
}

/* The type of the byte at addr: a named region's, else RAM, else 0 (nothing there). */
static uint32_t type_at(uint64_t addr, const struct boot_range *ram, size_t ram_count,
			const struct boot_region *regions, size_t region_count)
{
	for (size_t i = 0; i < region_count; i++) {
		if (addr >= regions[i].base && addr - regions[i].base < regions[i].size)
			return regions[i].type;
	}
	for (size_t i = 0; i < ram_count; i++) {
		if (addr >= ram[i].base && addr - ram[i].base < ram[i].size)
			return BOOT_E820_RAM;
	}
	return 0;
}

/* Appends [base, end) of type to the table, merging with the previous entry. */
static bool e820_append(struct boot_e820_entry *table, size_t max, size_t *n, uint64_t base,
			uint64_t end, uint32_t type)
{
	struct boot_e820_entry *last = *n > 0 ? &table[*n - 1] : NULL;

	if (last != NULL && last->type == type && last->addr + last->size == base) {
		last->size += end - base;
		return true;
	}
	if (*n == max)
		return false;
	table[*n] = (struct boot_e820_entry){ .addr = base, .size = end - base, .type = type };
	(*n)++;
	return true;
}

/*
 * Every range boundary becomes a point; between two neighbouring points
 * the type is constant, so one lookup per gap gives the map.
 */
enum boot_error boot_e820_build(const struct boot_memory *mem, const struct boot_region *regions,
				size_t region_count, struct boot_e820_entry *table, size_t max,
				size_t *entries)
{
	struct boot_range ram[2];
	size_t ram_count = boot_memory_ram(mem, ram);
	uint64_t points[MAX_POINTS];
	size_t n = 0, count = 0;
	enum boot_error err = check_regions(regions, region_count);

	if (err != BOOT_OK)
		return err;
	if (ram_count == 0)
		return BOOT_ERR_MEMORY;
	for (size_t i = 0; i < ram_count; i++) {
		points[n++] = ram[i].base;
		points[n++] = ram[i].base + ram[i].size;
	}
	for (size_t i = 0; i < region_count; i++) {
		points[n++] = regions[i].base;
		points[n++] = regions[i].base + regions[i].size;
	}
	n = sort_unique(points, n);
	for (size_t i = 0; i + 1 < n; i++) {
		uint32_t type = type_at(points[i], ram, ram_count, regions, region_count);

		if (type != 0 && !e820_append(table, max, &count, points[i], points[i + 1], type))
			return BOOT_ERR_TOO_MANY_REGIONS;
	}
	*entries = count;
	return BOOT_OK;
}

/* Where the kernel can reach the command line and the initrd (boot.rst, xloadflags). */
static enum boot_error check_addresses(const struct bzimage_info *info,
				       const struct boot_params_args *args)
{
	bool above_4g = info->xloadflags & BZIMAGE_XLF_CAN_BE_LOADED_ABOVE_4G;
	uint64_t initrd_end = args->initrd_gpa + args->initrd_size;

	if (!above_4g && args->cmdline_gpa >= SIZE_4G)
		return BOOT_ERR_ABOVE_4G;
	if (args->initrd_size == 0)
		return BOOT_OK;
	if (initrd_end < args->initrd_gpa)
		return BOOT_ERR_INITRD_LIMIT;
	if (!above_4g && initrd_end > SIZE_4G)
		return BOOT_ERR_ABOVE_4G;
	if (!above_4g && initrd_end - 1 > info->initrd_addr_max)
		return BOOT_ERR_INITRD_LIMIT;
	return BOOT_OK;
}

/* The loader's fields of the setup header and their high halves elsewhere in the page. */
static void write_loader_fields(struct boot_params *bp, const struct bzimage_info *info,
				const struct boot_params_args *args)
{
	bp->hdr.type_of_loader = LOADER_UNDEFINED;
	/* No real-mode setup runs: its heap and segment flags mean nothing. */
	bp->hdr.loadflags &= (uint8_t)~(BZIMAGE_CAN_USE_HEAP | BZIMAGE_KEEP_SEGMENTS);
	bp->hdr.heap_end_ptr = 0;
	bp->hdr.setup_data = 0; /* a loader's field: hv passes no setup_data list */
	bp->hdr.cmd_line_ptr = (uint32_t)args->cmdline_gpa;
	bp->ext_cmd_line_ptr = (uint32_t)(args->cmdline_gpa >> 32);
	if (args->initrd_size != 0) {
		bp->hdr.ramdisk_image = (uint32_t)args->initrd_gpa;
		bp->ext_ramdisk_image = (uint32_t)(args->initrd_gpa >> 32);
		bp->hdr.ramdisk_size = (uint32_t)args->initrd_size;
		bp->ext_ramdisk_size = (uint32_t)(args->initrd_size >> 32);
	}
	if (info->version >= VERSION_RSDP)
		bp->acpi_rsdp_addr = args->rsdp_gpa;
}

enum boot_error boot_params_build(void *zero_page, size_t size, const uint8_t *image,
				  size_t image_size, const struct bzimage_info *info,
				  const struct boot_params_args *args)
{
	struct boot_params *bp = zero_page;
	size_t header_end = info->header_end, entries;
	enum boot_error err;

	if (size < sizeof(*bp))
		return BOOT_ERR_BUFFER_TOO_SMALL;
	if (header_end < BZIMAGE_SETUP_HEADER_MIN_END || header_end > image_size ||
	    header_end > BZIMAGE_SETUP_HEADER_LIMIT)
		return BOOT_ERR_HEADER;
	err = check_addresses(info, args);
	if (err != BOOT_OK)
		return err;
	memset(bp, 0, sizeof(*bp));
	/* A newer header than ours may run on into pad_26c: the page has room up to 0x290. */
	memcpy((uint8_t *)zero_page + BZIMAGE_SETUP_HEADER_OFFSET,
	       image + BZIMAGE_SETUP_HEADER_OFFSET, header_end - BZIMAGE_SETUP_HEADER_OFFSET);
	write_loader_fields(bp, info, args);
	err = boot_e820_build(&args->memory, args->regions, args->region_count, bp->e820_table,
			      BOOT_E820_MAX, &entries);
	if (err != BOOT_OK)
		return err;
	bp->e820_entries = (uint8_t)entries;
	return BOOT_OK;
}

enum boot_error boot_cmdline_write(char *dst, size_t dst_size, const char *cmdline,
				   const struct bzimage_info *info)
{
	size_t len = strlen(cmdline);

	if (len >= dst_size || len > info->cmdline_size)
		return BOOT_ERR_CMDLINE_TOO_LONG;
	memcpy(dst, cmdline, len + 1);
	return BOOT_OK;
}
