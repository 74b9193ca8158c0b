/*
 * The boot layout planner, the identity page tables and the boot GDT
 * (see boot_layout.h for the layout itself).  Page tables are built
 * into a caller's buffer: page-table pages are handed out in order from
 * its start, so the buffer's size is known before anything is written.
 */
#include <plat/boot_layout.h>

#include <lib/string.h>
#include <plat/acpi_tables.h>

#define PAGE_4K 0x1000ull
#define SIZE_2M (1ull << 21)
#define SIZE_1G (1ull << 30)
#define SIZE_4G (1ull << 32)
#define PML4_SHIFT 39u                     /* index in the PML4: a PDPT maps 512 GiB */
#define PDPT_SHIFT 30u                     /* index in a PDPT: a PD (or a page) maps 1 GiB */
#define PD_SHIFT 21u                       /* index in a PD: a page maps 2 MiB */
#define PAGING_LIMIT (1ull << 48)          /* 4-level paging */
#define TABLE_INDEX(addr, shift) ((unsigned int)(((addr) >> (shift)) & 511u))
#define PTE_P 0x001ull
#define PTE_RW 0x002ull
#define PTE_PS 0x080ull                    /* a large page, not a table */
#define PTE_ADDR 0x000ffffffffff000ull

/*
 * Flat 4 GiB descriptors, accessed bits set so the CPU never writes the
 * GDT back (and VM entry wants an accessed code segment):
 *   0x10: base 0, limit 0xfffff, G, L (64-bit), P, DPL 0, code execute/read
 *   0x18: base 0, limit 0xfffff, G, D/B, P, DPL 0, data read/write
 */
#define GDT_CODE64 0x00af9b000000ffffull
#define GDT_DATA 0x00cf93000000ffffull

static uint64_t align_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

static uint64_t align_down(uint64_t v, uint64_t align)
{
	return v & ~(align - 1);
}

/* Distinct values of addr >> shift over the RAM ranges, which are sorted and disjoint. */
static uint64_t count_indices(const struct boot_range *ram, size_t n, unsigned int shift)
{
	uint64_t count = 0, next = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t first = ram[i].base >> shift;
		uint64_t last = (ram[i].base + ram[i].size - 1) >> shift;

		if (first < next)
			first = next;
		if (last >= first)
			count += last - first + 1;
		next = last + 1;
	}
	return count;
}

uint64_t boot_page_tables_size(const struct boot_memory *mem, bool gb_pages)
{
	struct boot_range ram[2];
	size_t n = boot_memory_ram(mem, ram);
	uint64_t tables;

	if (n == 0 || ram[n - 1].base + ram[n - 1].size > PAGING_LIMIT)
		return 0;
	tables = 1 + count_indices(ram, n, PML4_SHIFT);
	if (!gb_pages)
		tables += count_indices(ram, n, PDPT_SHIFT);
	return tables * PAGE_4K;
}

struct pt_builder {
	uint8_t *buf;
	uint64_t gpa;  /* of buf[0], the PML4 */
	uint64_t size;
	uint64_t used;
};

/* Tables are addressed by GPA; every one lies in buf, where pt_child put it. */
static uint64_t pt_read(const struct pt_builder *b, uint64_t table, unsigned int index)
{
	uint64_t entry;

	memcpy(&entry, b->buf + (table - b->gpa) + index * sizeof(entry), sizeof(entry));
	return entry;
}

static void pt_write(struct pt_builder *b, uint64_t table, unsigned int index, uint64_t entry)
{
	memcpy(b->buf + (table - b->gpa) + index * sizeof(entry), &entry, sizeof(entry));
}

/*
 * The table that entry `index` of `table` points to, linked to a new
 * zeroed page on first use; 0 when the buffer is full.
 */
static uint64_t pt_child(struct pt_builder *b, uint64_t table, unsigned int index)
{
	uint64_t entry = pt_read(b, table, index);
	uint64_t child = b->gpa + b->used;

	if (entry & PTE_P)
		return entry & PTE_ADDR;
	if (b->size - b->used < PAGE_4K)
		return 0;
	memset(b->buf + b->used, 0, PAGE_4K);
	b->used += PAGE_4K;
	pt_write(b, table, index, child | PTE_P | PTE_RW);
	return child;
}

/* Identity-maps [base, base + size) rounded out to whole large pages. */
static bool pt_map(struct pt_builder *b, const struct boot_range *r, bool gb_pages)
{
	uint64_t page = gb_pages ? SIZE_1G : SIZE_2M;
	uint64_t end = align_up(r->base + r->size, page);

	for (uint64_t a = align_down(r->base, page); a < end; a += page) {
		uint64_t pdpt = pt_child(b, b->gpa, TABLE_INDEX(a, PML4_SHIFT));
		uint64_t table = pdpt;

		if (!gb_pages && pdpt != 0)
			table = pt_child(b, pdpt, TABLE_INDEX(a, PDPT_SHIFT));
		if (table == 0)
			return false;
		pt_write(b, table, TABLE_INDEX(a, gb_pages ? PDPT_SHIFT : PD_SHIFT),
			 a | PTE_P | PTE_RW | PTE_PS);
	}
	return true;
}

enum boot_error boot_page_tables_build(const struct boot_memory *mem, bool gb_pages, void *buf,
				       size_t buf_size, uint64_t buf_gpa)
{
	struct pt_builder b = { .buf = buf, .gpa = buf_gpa, .size = buf_size, .used = PAGE_4K };
	struct boot_range ram[2];
	size_t n = boot_memory_ram(mem, ram);
	uint64_t need = boot_page_tables_size(mem, gb_pages);

	if (need == 0)
		return BOOT_ERR_MEMORY;
	if (buf_gpa & (PAGE_4K - 1))
		return BOOT_ERR_ALIGNMENT;
	if (buf_gpa >= SIZE_4G || need > SIZE_4G - buf_gpa)
		return BOOT_ERR_PAGE_TABLES;
	if (buf_size < need)
		return BOOT_ERR_BUFFER_TOO_SMALL;
	memset(buf, 0, PAGE_4K);
	for (size_t i = 0; i < n; i++) {
		if (!pt_map(&b, &ram[i], gb_pages))
			return BOOT_ERR_BUFFER_TOO_SMALL; /* not reached: need counted every page */
	}
	return BOOT_OK;
}

enum boot_error boot_gdt_build(void *buf, size_t size)
{
	static const uint64_t gdt[BOOT_GDT_SIZE / sizeof(uint64_t)] = {
		[BOOT_CS / sizeof(uint64_t)] = GDT_CODE64,
		[BOOT_DS / sizeof(uint64_t)] = GDT_DATA,
	};

	if (size < sizeof(gdt))
		return BOOT_ERR_BUFFER_TOO_SMALL;
	memcpy(buf, gdt, sizeof(gdt));
	return BOOT_OK;
}

enum boot_error boot_reset_stub_build(void *buf, size_t size)
{
	/* 16-bit code; hlt and its jmp only run if the write did not reset */
	static const uint8_t stub[BOOT_RESET_STUB_SIZE] = {
		0xb0, ACPI_RESET_VALUE,               /* mov al, reset value */
		0xba, ACPI_RESET_PORT & 0xff, ACPI_RESET_PORT >> 8, /* mov dx, 0xcf9 */
		0xee,                                  /* out dx, al */
		0xfa,                                  /* cli */
		0xf4,                                  /* hlt */
		0xeb, 0xfd,                            /* jmp to the hlt */
	};

	if (size < sizeof(stub))
		return BOOT_ERR_BUFFER_TOO_SMALL;
	memcpy(buf, stub, sizeof(stub));
	return BOOT_OK;
}

/* The kernel's window: pref_address (aligned when relocatable) plus init_size. */
static enum boot_error plan_kernel(const struct bzimage_info *img, uint64_t low_top,
				   struct boot_layout *out)
{
	uint64_t base = img->pref_address;
	uint64_t window = img->init_size > img->kernel_size ? img->init_size : img->kernel_size;

	if (img->relocatable)
		base = align_up(base, img->kernel_alignment);
	if (base < BOOT_LOW_MEMORY_END || base > low_top || window > low_top - base)
		return BOOT_ERR_RAM_TOO_SMALL;
	out->kernel_gpa = base;
	out->kernel_end = base + window;
	out->entry_gpa = base + BZIMAGE_ENTRY64_OFFSET;
	return BOOT_OK;
}

/* The initrd as high as it may go: below the hole, RAM's end and initrd_addr_max + 1. */
static enum boot_error plan_initrd(const struct bzimage_info *img, uint64_t low_top,
				   uint64_t size, struct boot_layout *out)
{
	uint64_t limit = low_top;
	uint64_t gpa;

	out->initrd_gpa = 0;
	out->initrd_size = size;
	if (size == 0)
		return BOOT_OK;
	if ((uint64_t)img->initrd_addr_max + 1 < limit)
		limit = (uint64_t)img->initrd_addr_max + 1;
	if (size > limit)
		return BOOT_ERR_INITRD_TOO_BIG;
	gpa = align_down(limit - size, PAGE_4K);
	if (gpa < align_up(out->kernel_end, PAGE_4K))
		return BOOT_ERR_INITRD_TOO_BIG;
	out->initrd_gpa = gpa;
	return BOOT_OK;
}

/* The fixed part below 1 MiB. */
static void plan_low_memory(const struct bzimage_info *img, uint64_t page_tables_size,
			    bool gb_pages, struct boot_layout *out)
{
	uint64_t cmdline_max = (uint64_t)img->cmdline_size + 1;

	out->gdt_gpa = BOOT_GDT_GPA;
	out->boot_params_gpa = BOOT_PARAMS_GPA;
	out->cmdline_gpa = BOOT_CMDLINE_GPA;
	out->cmdline_max = cmdline_max < BOOT_CMDLINE_MAX ? (size_t)cmdline_max : BOOT_CMDLINE_MAX;
	out->stack_top = BOOT_STACK_TOP;
	out->page_tables_gpa = BOOT_PAGE_TABLES_GPA;
	out->page_tables_size = page_tables_size;
	out->gb_pages = gb_pages;
	out->acpi_gpa = BOOT_ACPI_GPA;
	out->acpi_size = BOOT_ACPI_SIZE;
	out->regions[0] = (struct boot_region){ BOOT_LOW_RESERVED_GPA,
						BOOT_ACPI_GPA - BOOT_LOW_RESERVED_GPA,
						BOOT_E820_RESERVED };
	out->regions[1] = (struct boot_region){ BOOT_ACPI_GPA, BOOT_ACPI_SIZE, BOOT_E820_ACPI };
	out->regions[2] = (struct boot_region){ BOOT_ACPI_GPA + BOOT_ACPI_SIZE,
						BOOT_LOW_MEMORY_END - BOOT_ACPI_GPA - BOOT_ACPI_SIZE,
						BOOT_E820_RESERVED };
	out->region_count = BOOT_LAYOUT_REGIONS;
}

enum boot_error boot_layout_plan(const struct bzimage_info *img, const struct boot_memory *mem,
				 uint64_t initrd_size, bool gb_pages, struct boot_layout *out)
{
	struct boot_range ram[2];
	uint64_t pt_size = boot_page_tables_size(mem, gb_pages);
	enum boot_error err;

	if (boot_memory_ram(mem, ram) == 0 || pt_size == 0)
		return BOOT_ERR_MEMORY;
	if (ram[0].size < BOOT_LOW_MEMORY_END)
		return BOOT_ERR_RAM_TOO_SMALL;
	if (pt_size > BOOT_PAGE_TABLES_END - BOOT_PAGE_TABLES_GPA)
		return BOOT_ERR_PAGE_TABLES;
	memset(out, 0, sizeof(*out));
	plan_low_memory(img, pt_size, gb_pages, out);
	err = plan_kernel(img, ram[0].size, out);
	if (err == BOOT_OK)
		err = plan_initrd(img, ram[0].size, initrd_size, out);
	return err;
}

void boot_layout_params_args(const struct boot_layout *layout, const struct boot_memory *mem,
			     uint64_t rsdp_gpa, struct boot_params_args *args)
{
	*args = (struct boot_params_args){
		.memory = *mem,
		.regions = layout->regions,
		.region_count = layout->region_count,
		.cmdline_gpa = layout->cmdline_gpa,
		.initrd_gpa = layout->initrd_gpa,
		.initrd_size = layout->initrd_size,
		.rsdp_gpa = rsdp_gpa,
	};
}
