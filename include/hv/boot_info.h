/*
 * boot_info: the hand-over record from the UEFI loader (boot/) to hv.
 *
 * The loader fills it after ExitBootServices and passes its physical
 * address to hv's entry point in RDI (SysV).  It lives inside hv's own
 * reservation, so it stays valid for hv's lifetime.  The layout is
 * versioned: hv refuses a record whose signature, revision or size it
 * does not know.  Fixed-size arrays keep it free of pointers.
 */
#ifndef HV_BOOT_INFO_H
#define HV_BOOT_INFO_H

#include <stdint.h>

#include <hv/mgmtcfg.h>

#define BOOT_INFO_SIGNATURE 0x4f464e49544f4f42ull /* "BOOTINFO" */
#define BOOT_INFO_REVISION 4u

#define BOOT_MAX_MEM_REGIONS 256u
#define BOOT_MAX_CPUS 64u
#define BOOT_MAX_IMAGES 16u
#define BOOT_IMAGE_NAME_LEN 32u

/* Simplified memory types; the loader folds the UEFI types into these. */
enum boot_mem_type {
	BOOT_MEM_FREE = 1,        /* usable RAM, nobody owns it */
	BOOT_MEM_RESERVED = 2,    /* firmware-reserved, runtime services, unusable */
	BOOT_MEM_ACPI_RECLAIM = 3,
	BOOT_MEM_ACPI_NVS = 4,
	BOOT_MEM_MMIO = 5,
	BOOT_MEM_HV = 6,          /* hv's reservation (image, boot_info, page pool) */
	BOOT_MEM_IMAGE = 7,       /* pristine copies of partition images */
	BOOT_MEM_TRAMPOLINE = 8,  /* the page below 1 MiB for AP start-up */
};

struct boot_mem_region {
	uint64_t base;
	uint64_t size;
	uint32_t type; /* enum boot_mem_type */
	uint32_t reserved;
};

struct boot_cpu {
	uint32_t apic_id;
	uint32_t flags; /* BOOT_CPU_* */
};

#define BOOT_CPU_BSP 1u

/* What a partition image is, as the loader recognised it. */
enum boot_image_kind {
	BOOT_IMAGE_ELF = 0,     /* our kernels: ELF64, entered with start_info */
	BOOT_IMAGE_BZIMAGE = 1, /* a Linux bzImage: the 64-bit boot protocol */
};

/*
 * A partition image as read from the ESP, untouched, and (revision 2)
 * the initial RAM disk a bzImage partition names in hv.cfg.
 */
struct boot_image {
	char name[BOOT_IMAGE_NAME_LEN]; /* partition name from the config */
	uint64_t phys;                   /* start of the file's bytes */
	uint64_t size;                   /* file size in bytes */
	uint64_t entry;                  /* ELF entry point, checked by the loader; 0 for a bzImage */
	uint32_t kind;                   /* enum boot_image_kind */
	uint32_t reserved;
	uint64_t initrd_phys;            /* the initrd file's bytes, 0 when none */
	uint64_t initrd_size;
};

/*
 * Revision 3: the screen the firmware left, from UEFI's Graphics Output
 * Protocol (GOP), for hv's screen console.  Only linear framebuffers of
 * 32-bit pixels with 8 bits per colour are handed over (GOP's RGB and BGR
 * formats, and bit masks that amount to one of them); base 0 means none
 * (no GOP, a BltOnly mode, or a format hv cannot draw).  It stays valid
 * after ExitBootServices as long as nobody reprograms the display.
 */
struct boot_framebuffer {
	uint64_t base;     /* physical address of pixel (0, 0); 0 = no framebuffer */
	uint64_t size;     /* bytes, as GOP reports them (>= stride * height * 4) */
	uint32_t width;    /* visible pixels per row */
	uint32_t height;   /* rows */
	uint32_t stride;   /* pixels from one row to the next (PixelsPerScanLine) */
	uint32_t mode;     /* the GOP mode number, for the log */
	uint8_t red_shift; /* bit position of each 8-bit colour in a pixel: 0, 8, 16 or 24 */
	uint8_t green_shift;
	uint8_t blue_shift;
	uint8_t reserved[5];
};

_Static_assert(sizeof(struct boot_framebuffer) == 40, "boot_framebuffer layout");

/* (Revision 4) a file of [management], read by the loader; size 0: none. */
struct boot_file {
	uint64_t phys;                   /* the file's bytes, in loader pages of type IMAGE */
	uint64_t size;
};

struct boot_info {
	uint64_t signature; /* BOOT_INFO_SIGNATURE */
	uint32_t revision;  /* BOOT_INFO_REVISION */
	uint32_t size;      /* sizeof(struct boot_info) */

	uint64_t hv_phys_base; /* start of hv's reservation (2 MiB aligned) */
	uint64_t hv_phys_size; /* whole reservation */
	uint64_t hv_image_end; /* offset where the loaded hv image ends */
	uint64_t pool_offset;  /* offset of the free page pool in the reservation */

	uint64_t rsdp_phys;       /* ACPI RSDP (2.0+ preferred), 0 if none */
	uint64_t config_phys;     /* binary configuration (struct hvcfg) */
	uint64_t config_size;
	uint64_t trampoline_phys; /* 4 KiB page below 1 MiB for AP start-up */

	uint32_t mem_region_count;
	uint32_t cpu_count;       /* enabled CPUs from the MADT, BSP first */
	uint32_t image_count;
	uint32_t bsp_apic_id;

	struct boot_mem_region mem[BOOT_MAX_MEM_REGIONS];
	struct boot_cpu cpus[BOOT_MAX_CPUS];
	struct boot_image images[BOOT_MAX_IMAGES];
	struct boot_framebuffer fb; /* revision 3 */
	/* Revision 4: hv.cfg's TLS files, indexed by enum hv_mgmt_file (hv/mgmtcfg.h). */
	struct boot_file mgmt_files[HV_MGMT_FILES];
};

#endif
