/*
 * The Linux zero page (struct boot_params, Documentation/x86/zero-page.rst)
 * and its e820 memory map, built for a partition that hv starts through
 * the 64-bit boot protocol.  Only the fields hv writes are named; the
 * rest is padding that stays zero.  Pure code, built into hv and into
 * the host unit tests.
 */
#ifndef HV_PLAT_BOOT_PARAMS_H
#define HV_PLAT_BOOT_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lib/bzimage.h>

/* e820 types (ACPI address range types) */
#define BOOT_E820_RAM 1u
#define BOOT_E820_RESERVED 2u
#define BOOT_E820_ACPI 3u     /* ACPI tables; reclaimable once the OS has read them */
#define BOOT_E820_NVS 4u
#define BOOT_E820_UNUSABLE 5u

#define BOOT_E820_MAX 128u    /* entries the zero page holds */
#define BOOT_REGIONS_MAX 16u  /* named regions boot_e820_build accepts */
#define BOOT_PARAMS_SIZE 4096u

/* One e820 entry as the zero page holds it: 20 bytes, packed. */
struct boot_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

struct boot_params {
	uint8_t screen_info[0x40];        /* 0x000: zero: no VGA text or frame buffer */
	uint8_t apm_bios_info[0x14];      /* 0x040 */
	uint8_t pad_054[0x04];
	uint64_t tboot_addr;              /* 0x058 */
	uint8_t ist_info[0x10];           /* 0x060 */
	uint64_t acpi_rsdp_addr;          /* 0x070: GPA of the RSDP (read by Linux 4.20+, 2.14+) */
	uint8_t pad_078[0x48];            /* obsolete disk data, OLPC */
	uint32_t ext_ramdisk_image;       /* 0x0c0: high 32 bits of hdr.ramdisk_image */
	uint32_t ext_ramdisk_size;        /* 0x0c4: high 32 bits of hdr.ramdisk_size */
	uint32_t ext_cmd_line_ptr;        /* 0x0c8: high 32 bits of hdr.cmd_line_ptr */
	uint8_t pad_0cc[0x11c];           /* EDID, efi_info (zero: not an EFI boot), alt_mem_k */
	uint8_t e820_entries;             /* 0x1e8 */
	uint8_t eddbuf_entries;           /* 0x1e9 */
	uint8_t edd_mbr_sig_buf_entries;  /* 0x1ea */
	uint8_t kbd_status;               /* 0x1eb */
	uint8_t secure_boot;              /* 0x1ec */
	uint8_t pad_1ed[0x02];
	uint8_t sentinel;                 /* 0x1ef: non-zero makes Linux distrust the page */
	uint8_t pad_1f0;
	struct bzimage_setup_header hdr;  /* 0x1f1: copied from the image, then updated */
	uint8_t pad_26c[0x64];            /* later header fields, EDD MBR signatures */
	struct boot_e820_entry e820_table[BOOT_E820_MAX]; /* 0x2d0 */
	uint8_t pad_cd0[0x330];           /* EDD data */
} __attribute__((packed));

_Static_assert(sizeof(struct boot_e820_entry) == 20, "e820 entry is 20 bytes");
_Static_assert(offsetof(struct boot_params, acpi_rsdp_addr) == 0x070, "acpi_rsdp_addr");
_Static_assert(offsetof(struct boot_params, ext_ramdisk_image) == 0x0c0, "ext_ramdisk_image");
_Static_assert(offsetof(struct boot_params, ext_cmd_line_ptr) == 0x0c8, "ext_cmd_line_ptr");
_Static_assert(offsetof(struct boot_params, e820_entries) == 0x1e8, "e820_entries");
_Static_assert(offsetof(struct boot_params, sentinel) == 0x1ef, "sentinel");
_Static_assert(offsetof(struct boot_params, hdr) == BZIMAGE_SETUP_HEADER_OFFSET, "hdr");
_Static_assert(offsetof(struct boot_params, hdr.boot_flag) == 0x1fe, "hdr.boot_flag");
_Static_assert(offsetof(struct boot_params, hdr.header) == 0x202, "hdr.header");
_Static_assert(offsetof(struct boot_params, hdr.type_of_loader) == 0x210, "type_of_loader");
_Static_assert(offsetof(struct boot_params, hdr.ramdisk_image) == 0x218, "ramdisk_image");
_Static_assert(offsetof(struct boot_params, hdr.cmd_line_ptr) == 0x228, "cmd_line_ptr");
_Static_assert(offsetof(struct boot_params, hdr.kernel_alignment) == 0x230, "kernel_alignment");
_Static_assert(offsetof(struct boot_params, hdr.xloadflags) == 0x236, "xloadflags");
_Static_assert(offsetof(struct boot_params, hdr.cmdline_size) == 0x238, "cmdline_size");
_Static_assert(offsetof(struct boot_params, hdr.pref_address) == 0x258, "pref_address");
_Static_assert(offsetof(struct boot_params, hdr.init_size) == 0x260, "init_size");
_Static_assert(offsetof(struct boot_params, hdr.kernel_info_offset) == 0x268, "kernel_info");
_Static_assert(offsetof(struct boot_params, e820_table) == 0x2d0, "e820_table");
_Static_assert(sizeof(struct boot_params) == BOOT_PARAMS_SIZE, "the zero page is 4 KiB");

/* Errors of the boot builders here and in boot_layout.h. */
enum boot_error {
	BOOT_OK = 0,
	BOOT_ERR_BUFFER_TOO_SMALL,
	BOOT_ERR_MEMORY,           /* the RAM description is empty or inconsistent */
	BOOT_ERR_REGION,           /* a named region is empty, wraps, is RAM or overlaps another */
	BOOT_ERR_TOO_MANY_REGIONS, /* more regions than accepted, or more e820 entries than fit */
	BOOT_ERR_HEADER,           /* the image's setup header is not inside the image */
	BOOT_ERR_ABOVE_4G,         /* cmdline or initrd above 4 GiB for a kernel that cannot */
	BOOT_ERR_INITRD_LIMIT,     /* the initrd ends above initrd_addr_max */
	BOOT_ERR_CMDLINE_TOO_LONG,
	BOOT_ERR_RAM_TOO_SMALL,    /* RAM below the MMIO hole cannot hold the kernel's window */
	BOOT_ERR_INITRD_TOO_BIG,   /* no room for the initrd above the kernel */
	BOOT_ERR_PAGE_TABLES,      /* the page tables do not fit in their low-memory area */
	BOOT_ERR_ALIGNMENT,        /* a buffer's guest-physical address is not page aligned */
	BOOT_ERR_COUNT
};

const char *boot_strerror(enum boot_error err);

/*
 * A partition's RAM as hv maps it: ram_size bytes from GPA 0, except
 * that RAM reaching hole_start continues at hole_end (hv/part/partition_create.c
 * uses 3 GiB and 4 GiB), leaving the hole for devices.
 */
struct boot_memory {
	uint64_t ram_size;
	uint64_t hole_start;
	uint64_t hole_end;
};

struct boot_range {
	uint64_t base;
	uint64_t size;
};

/* A range the e820 map shows with a type other than RAM. */
struct boot_region {
	uint64_t base;
	uint64_t size;
	uint32_t type; /* BOOT_E820_RESERVED, _ACPI, _NVS or _UNUSABLE */
};

/*
 * The RAM ranges of *mem in address order into ram[0..2): below the
 * hole, then above it.  Returns how many (1 or 2), or 0 when *mem is
 * invalid (no RAM, hole_end < hole_start, or RAM that would wrap).
 */
size_t boot_memory_ram(const struct boot_memory *mem, struct boot_range ram[2]);

/*
 * Builds the e820 map of *mem with the named regions laid over it:
 * RAM ranges become RAM entries, each region replaces whatever it covers
 * (regions may also lie outside RAM); adjacent pieces of one type merge.
 * Writes at most max entries, sorted, into table and their count into
 * *entries.  Regions must not overlap each other.
 */
enum boot_error boot_e820_build(const struct boot_memory *mem, const struct boot_region *regions,
				size_t region_count, struct boot_e820_entry *table, size_t max,
				size_t *entries);

/* What the zero page points at, all guest-physical. */
struct boot_params_args {
	struct boot_memory memory;
	const struct boot_region *regions; /* for the e820 map (see boot_e820_build) */
	size_t region_count;
	uint64_t cmdline_gpa;              /* NUL-terminated command line; 0: none */
	uint64_t initrd_gpa;
	uint64_t initrd_size;              /* 0: no initrd */
	uint64_t rsdp_gpa;                 /* 0: none given */
};

/*
 * Builds the zero page in zero_page[0, size) (size >= BOOT_PARAMS_SIZE):
 * all zero, the setup header copied from the image, then the loader's
 * fields and the e820 map.  info must come from bzimage_parse of the
 * same image.
 */
enum boot_error boot_params_build(void *zero_page, size_t size, const uint8_t *image,
				  size_t image_size, const struct bzimage_info *info,
				  const struct boot_params_args *args);

/*
 * Copies cmdline into dst[0, dst_size) with its NUL, refusing (rather
 * than cutting) one longer than the buffer or the kernel's cmdline_size.
 */
enum boot_error boot_cmdline_write(char *dst, size_t dst_size, const char *cmdline,
				   const struct bzimage_info *info);

#endif
