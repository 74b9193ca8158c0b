/*
 * What the boot-protocol unit tests (test_bzimage.c, test_boot_params.c,
 * test_boot_layout.c) share: a synthetic bzImage whose setup header
 * carries the values of Debian's linux-image-6.1.0 (protocol 2.15,
 * xloadflags 0x7f, 16 MiB preferred, 2 MiB aligned, init_size ~64 MiB),
 * and little-endian pokes to break it one field at a time.
 */
#ifndef TESTS_UNIT_BZIMAGE_FIXTURE_H
#define TESTS_UNIT_BZIMAGE_FIXTURE_H

#include <stdint.h>
#include <string.h>

#define FIXTURE_SETUP_SECTS 3
#define FIXTURE_SETUP_SIZE ((FIXTURE_SETUP_SECTS + 1) * 512)
#define FIXTURE_KERNEL_SIZE 0x4000
#define FIXTURE_APPENDED 100 /* like a signature after the kernel */
#define FIXTURE_IMAGE_SIZE (FIXTURE_SETUP_SIZE + FIXTURE_KERNEL_SIZE + FIXTURE_APPENDED)
#define FIXTURE_INIT_SIZE 0x3f98000u

static uint8_t image[FIXTURE_IMAGE_SIZE];

static inline void put16(size_t off, uint16_t v)
{
	memcpy(&image[off], &v, sizeof(v));
}

static inline void put32(size_t off, uint32_t v)
{
	memcpy(&image[off], &v, sizeof(v));
}

static inline void put64(size_t off, uint64_t v)
{
	memcpy(&image[off], &v, sizeof(v));
}

/* A cmocka setup function: a fresh valid image in `image`. */
static inline int make_image(void **state)
{
	(void)state;
	memset(image, 0x5a, sizeof(image)); /* setup code and kernel: not zero */
	image[0x1f1] = FIXTURE_SETUP_SECTS;
	put32(0x1f4, FIXTURE_KERNEL_SIZE / 16);
	put16(0x1fe, 0xaa55);
	image[0x200] = 0xeb;
	image[0x201] = 0x6a; /* header ends at 0x26c */
	memcpy(&image[0x202], "HdrS", 4);
	put16(0x206, 0x020f);
	image[0x210] = 0;
	image[0x211] = 0x81;              /* LOADED_HIGH, CAN_USE_HEAP */
	put32(0x218, 0);                  /* ramdisk_image */
	put32(0x21c, 0);                  /* ramdisk_size */
	put32(0x228, 0);                  /* cmd_line_ptr */
	put32(0x22c, 0x7fffffff);         /* initrd_addr_max */
	put32(0x230, 0x200000);           /* kernel_alignment */
	image[0x234] = 1;                 /* relocatable */
	put16(0x236, 0x7f);               /* xloadflags */
	put32(0x238, 2047);               /* cmdline_size */
	put64(0x258, 0x1000000);          /* pref_address */
	put32(0x260, FIXTURE_INIT_SIZE);  /* init_size */
	return 0;
}

#endif
