/*
 * Where hv puts a Linux partition's boot data in guest-physical memory,
 * and the two structures the 64-bit entry needs besides the zero page:
 * a GDT with the boot protocol's selectors and identity page tables.
 * Pure code, built into hv and into the host unit tests.
 *
 * Guest-physical layout (RAM from 0; the e820 map says the same):
 *
 *   0x00000000  page 0, left zero.  Linux reads the BIOS data area words
 *               0x40e (EBDA segment) and 0x413 (base memory KiB); zero
 *               makes it assume the PC defaults (EBDA at 0x9f000).
 *   0x00001000  GDT: null, null, 0x10 = __BOOT_CS, 0x18 = __BOOT_DS
 *   0x00002000  boot_params (the zero page)
 *   0x00003000  command line, at most 4 KiB with its NUL
 *   0x00004000  a stack page for the entry (Linux sets its own at once)
 *   0x00005000  page tables: PML4, PDPT(s), then PDs, up to 0x80000
 *   0x00080000  free RAM up to 0x9fc00: Linux's decompressor puts its
 *               5-level paging trampoline at 0x9d000 while our page
 *               tables are still live, and the kernel later allocates
 *               its real-mode (AP start-up) trampoline here; hv's data
 *               stays below 0x80000 so neither can overwrite it early.
 *   0x0009fc00  reserved (e820 type 2), as on PCs: EBDA, VGA hole
 *   0x000e0000  ACPI tables (type 3), RSDP first, 64 KiB: also where
 *               the legacy RSDP scan (0xe0000-0xfffff) finds them
 *   0x000f0000  reserved up to 1 MiB (the PC BIOS area); its last 16
 *               bytes, the reset vector, hold hv's reset stub
 *   0x00100000  free RAM
 *   pref_address (16 MiB for Debian), aligned to kernel_alignment:
 *               the protected-mode kernel, then the rest of its
 *               init_size window, where it decompresses itself
 *   ...         free RAM
 *   initrd      page aligned, as high as possible below the MMIO hole,
 *               the end of RAM and initrd_addr_max + 1
 *   hole_start  (3 GiB) MMIO hole; RAM continues at hole_end (4 GiB)
 *
 * Linux reserves the whole first MiB itself once it runs (5.13+), after
 * taking its real-mode trampoline from the RAM below 0x9fc00; the
 * kernel window, boot_params, the command line and the initrd are the
 * areas its decompressor keeps clear of when it picks a KASLR address.
 */
#ifndef HV_PLAT_BOOT_LAYOUT_H
#define HV_PLAT_BOOT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lib/bzimage.h>
#include <plat/boot_params.h>

#define BOOT_GDT_GPA 0x1000ull
#define BOOT_PARAMS_GPA 0x2000ull
#define BOOT_CMDLINE_GPA 0x3000ull
#define BOOT_CMDLINE_MAX 0x1000u          /* bytes, NUL included */
#define BOOT_STACK_TOP 0x5000ull
#define BOOT_PAGE_TABLES_GPA 0x5000ull
#define BOOT_PAGE_TABLES_END 0x80000ull
#define BOOT_LOW_RESERVED_GPA 0x9fc00ull
#define BOOT_ACPI_GPA 0xe0000ull
#define BOOT_ACPI_SIZE 0x10000ull
#define BOOT_LOW_MEMORY_END 0x100000ull
#define BOOT_RESET_VECTOR_GPA 0xffff0ull  /* real mode F000:FFF0 */
#define BOOT_RESET_STUB_SIZE 16u

/* The 64-bit boot protocol's selectors: flat 64-bit code and flat data. */
#define BOOT_CS 0x10u
#define BOOT_DS 0x18u
#define BOOT_GDT_SIZE 32u                 /* four descriptors; the limit is 31 */

#define BOOT_LAYOUT_REGIONS 3u

/* A partition's boot layout; every address guest-physical. */
struct boot_layout {
	uint64_t gdt_gpa;
	uint64_t boot_params_gpa;         /* RSI at the entry */
	uint64_t cmdline_gpa;
	size_t cmdline_max;               /* bytes available, NUL included */
	uint64_t stack_top;
	uint64_t page_tables_gpa;         /* CR3 at the entry */
	uint64_t page_tables_size;
	bool gb_pages;                    /* the page tables use 1 GiB pages */
	uint64_t acpi_gpa;                /* for acpi_build_tables */
	uint64_t acpi_size;
	uint64_t kernel_gpa;              /* copy the protected-mode kernel here */
	uint64_t kernel_end;              /* kernel_gpa + init_size: keep free */
	uint64_t entry_gpa;               /* RIP at the entry: kernel_gpa + 0x200 */
	uint64_t initrd_gpa;              /* 0 without an initrd */
	uint64_t initrd_size;
	struct boot_region regions[BOOT_LAYOUT_REGIONS]; /* for the e820 map */
	size_t region_count;
};

/*
 * Plans the layout above for the kernel *img in the RAM *mem with an
 * initrd of initrd_size bytes (0: none).  gb_pages asks for page tables
 * of 1 GiB pages (only if the vCPU has CPUID 0x80000001 EDX.Page1GB);
 * 2 MiB pages fit up to 121 GiB of RAM.
 */
enum boot_error boot_layout_plan(const struct bzimage_info *img, const struct boot_memory *mem,
				 uint64_t initrd_size, bool gb_pages, struct boot_layout *out);

/* The zero page's arguments for this layout and the RSDP acpi_build_tables returned. */
void boot_layout_params_args(const struct boot_layout *layout, const struct boot_memory *mem,
			     uint64_t rsdp_gpa, struct boot_params_args *args);

/*
 * Bytes of page tables that identity-map all of *mem's RAM (rounded up
 * to whole pages) with 2 MiB or 1 GiB pages; 0 if *mem is invalid.
 */
uint64_t boot_page_tables_size(const struct boot_memory *mem, bool gb_pages);

/*
 * Builds those page tables into buf[0, buf_size), which the guest sees
 * at buf_gpa (page aligned, below 4 GiB: Linux's decompressor turns
 * paging off and on again in 32-bit mode with this CR3).  The PML4 is the first page.  Entries are
 * present, writable, supervisor, write-back.
 */
enum boot_error boot_page_tables_build(const struct boot_memory *mem, bool gb_pages, void *buf,
				       size_t buf_size, uint64_t buf_gpa);

/*
 * Writes the reset stub (BOOT_RESET_STUB_SIZE bytes) into buf, for the
 * reset vector.  When ACPI says the machine is hardware-reduced, Linux
 * restarts through EFI, and without EFI runtime services it jumps in
 * real mode to F000:FFF0, expecting firmware that resets the machine.
 * The stub is that firmware: it writes the reset value to port 0xcf9
 * (the FADT's reset register), which hv turns into a partition reset.
 */
enum boot_error boot_reset_stub_build(void *buf, size_t size);
/* Writes the boot GDT (BOOT_GDT_SIZE bytes) into buf. */
enum boot_error boot_gdt_build(void *buf, size_t size);

#endif
