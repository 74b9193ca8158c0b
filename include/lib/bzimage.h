/*
 * Validating and describing a Linux bzImage (Documentation/x86/boot.rst)
 * before hv loads it through the 64-bit boot protocol.  The image comes
 * from the ESP and is untrusted: bzimage_parse reads it only within the
 * size it is given and refuses anything it cannot describe exactly.
 * Pure code, built into hv and into the host unit tests.
 */
#ifndef HV_PLAT_BZIMAGE_H
#define HV_PLAT_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The real-mode setup header, which starts at offset 0x1f1 of the image
 * and is copied to the same offset of the zero page (boot_params.h).
 * Offsets in the comments are from the start of the image; the fields
 * up to kernel_info_offset are those of protocol 2.15.  An image's
 * header may end earlier (its length is 0x202 + the byte at 0x201).
 */
struct bzimage_setup_header {
	uint8_t setup_sects;          /* 0x1f1: 512-byte setup sectors after the boot sector; 0 means 4 */
	uint16_t root_flags;          /* 0x1f2 */
	uint32_t syssize;             /* 0x1f4: protected-mode code, in 16-byte paragraphs (2.04+) */
	uint16_t ram_size;            /* 0x1f8: obsolete */
	uint16_t vid_mode;            /* 0x1fa */
	uint16_t root_dev;            /* 0x1fc */
	uint16_t boot_flag;           /* 0x1fe: 0xaa55 */
	uint16_t jump;                /* 0x200: short jump; its second byte gives the header length */
	uint32_t header;              /* 0x202: "HdrS" */
	uint16_t version;             /* 0x206: boot protocol, major << 8 | minor */
	uint32_t realmode_swtch;      /* 0x208 */
	uint16_t start_sys_seg;       /* 0x20c: obsolete */
	uint16_t kernel_version;      /* 0x20e */
	uint8_t type_of_loader;       /* 0x210: written by the loader */
	uint8_t loadflags;            /* 0x211: BZIMAGE_LOADED_HIGH, ... */
	uint16_t setup_move_size;     /* 0x212 */
	uint32_t code32_start;        /* 0x214 */
	uint32_t ramdisk_image;       /* 0x218: written by the loader */
	uint32_t ramdisk_size;        /* 0x21c: written by the loader */
	uint32_t bootsect_kludge;     /* 0x220: obsolete */
	uint16_t heap_end_ptr;        /* 0x224 */
	uint8_t ext_loader_ver;       /* 0x226 */
	uint8_t ext_loader_type;      /* 0x227 */
	uint32_t cmd_line_ptr;        /* 0x228: written by the loader */
	uint32_t initrd_addr_max;     /* 0x22c: highest address the initrd may occupy */
	uint32_t kernel_alignment;    /* 0x230: physical alignment of a relocated kernel */
	uint8_t relocatable_kernel;   /* 0x234 */
	uint8_t min_alignment;        /* 0x235: log2 of the least alignment that works */
	uint16_t xloadflags;          /* 0x236: BZIMAGE_XLF_* (2.12+) */
	uint32_t cmdline_size;        /* 0x238: longest command line, without its NUL */
	uint32_t hardware_subarch;    /* 0x23c */
	uint64_t hardware_subarch_data; /* 0x240 */
	uint32_t payload_offset;      /* 0x248 */
	uint32_t payload_length;      /* 0x24c */
	uint64_t setup_data;          /* 0x250: linked list of struct setup_data */
	uint64_t pref_address;        /* 0x258: preferred load address */
	uint32_t init_size;           /* 0x260: memory the kernel needs from its load address */
	uint32_t handover_offset;     /* 0x264: EFI handover entry (unused by hv) */
	uint32_t kernel_info_offset;  /* 0x268 (2.15+) */
} __attribute__((packed));

#define BZIMAGE_SETUP_HEADER_OFFSET 0x1f1u
#define BZIMAGE_SETUP_HEADER_MIN_END 0x264u /* a header must reach past init_size */
#define BZIMAGE_SETUP_HEADER_END 0x26cu   /* end of the 2.15 header above */
#define BZIMAGE_SETUP_HEADER_LIMIT 0x290u /* the zero page has room up to here */
#define BZIMAGE_BOOT_FLAG 0xaa55u
#define BZIMAGE_HDRS 0x53726448u          /* "HdrS" read little-endian */
#define BZIMAGE_MIN_VERSION 0x020cu       /* 2.12: xloadflags and the 64-bit entry */
#define BZIMAGE_ENTRY64_OFFSET 0x200u     /* 64-bit entry: load address + 0x200 */

/* loadflags */
#define BZIMAGE_LOADED_HIGH 0x01u   /* protected-mode code loads at 1 MiB or above */
#define BZIMAGE_KEEP_SEGMENTS 0x40u /* obsolete */
#define BZIMAGE_CAN_USE_HEAP 0x80u  /* heap_end_ptr is valid (real-mode setup only) */

/* xloadflags */
#define BZIMAGE_XLF_KERNEL_64 0x0001u              /* the 64-bit entry exists */
#define BZIMAGE_XLF_CAN_BE_LOADED_ABOVE_4G 0x0002u /* kernel, boot_params, cmdline, initrd */

enum bzimage_error {
	BZIMAGE_OK = 0,
	BZIMAGE_ERR_TOO_SMALL,      /* shorter than a boot sector and a setup header */
	BZIMAGE_ERR_BOOT_FLAG,      /* no 0xaa55 at 0x1fe */
	BZIMAGE_ERR_NO_HEADER,      /* no "HdrS" at 0x202 */
	BZIMAGE_ERR_OLD_PROTOCOL,   /* version below 2.12 */
	BZIMAGE_ERR_HEADER_LENGTH,  /* header ends before init_size or beyond the zero page's room */
	BZIMAGE_ERR_NOT_BZIMAGE,    /* LOADED_HIGH clear: a zImage */
	BZIMAGE_ERR_NOT_64BIT,      /* XLF_KERNEL_64 clear */
	BZIMAGE_ERR_SETUP_SIZE,     /* the setup sectors run past the end of the file */
	BZIMAGE_ERR_KERNEL_SIZE,    /* syssize empty, too short for the entry, or past the end */
	BZIMAGE_ERR_ALIGNMENT,      /* kernel_alignment not a power of two in [4 KiB, 1 GiB] */
	BZIMAGE_ERR_INIT_SIZE,      /* init_size smaller than the protected-mode kernel */
	BZIMAGE_ERR_PREF_ADDRESS,   /* pref_address below 1 MiB or at 2^46 and above */
	BZIMAGE_ERR_COUNT
};

/* What hv needs to know to place and start the kernel. */
struct bzimage_info {
	uint16_t version;          /* boot protocol, e.g. 0x020f for 2.15 */
	uint8_t loadflags;
	uint16_t xloadflags;
	size_t header_end;         /* the setup header is image[0x1f1, header_end) */
	size_t kernel_offset;      /* the protected-mode kernel starts here in the file ... */
	size_t kernel_size;        /* ... and is this long (syssize * 16, without appended data) */
	uint64_t pref_address;     /* where the kernel prefers to be loaded */
	uint32_t kernel_alignment; /* power of two */
	bool relocatable;          /* may be loaded at any kernel_alignment-aligned address */
	uint32_t init_size;        /* bytes from the load address the kernel needs */
	uint32_t cmdline_size;     /* longest command line, without its NUL */
	uint32_t initrd_addr_max;  /* highest byte address the initrd may occupy */
};

/* Checks image[0, size) and describes it in *info (untouched on error). */
enum bzimage_error bzimage_parse(const uint8_t *image, size_t size, struct bzimage_info *info);

/* One sentence saying what is wrong, for hv's log. */
const char *bzimage_strerror(enum bzimage_error err);

#endif
