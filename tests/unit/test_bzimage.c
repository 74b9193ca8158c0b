/*
 * Unit tests of the bzImage checks (lib/bzimage.c): a synthetic image
 * shaped like Debian's 6.1 kernel, one broken field at a time, every
 * truncation of it, and the real Debian kernel when .deps/linux holds
 * one (meson passes its boot/ directory as HV_LINUX_BOOT_DIR).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <lib/bzimage.h>
#include "bzimage_fixture.h"

#define SETUP_SIZE FIXTURE_SETUP_SIZE
#define KERNEL_SIZE FIXTURE_KERNEL_SIZE
#define APPENDED FIXTURE_APPENDED
#define IMAGE_SIZE FIXTURE_IMAGE_SIZE

static enum bzimage_error parse(struct bzimage_info *info)
{
	return bzimage_parse(image, sizeof(image), info);
}

static void test_valid_image(void **state)
{
	struct bzimage_info info;

	(void)state;
	assert_int_equal(parse(&info), BZIMAGE_OK);
	assert_int_equal(info.version, 0x020f);
	assert_int_equal(info.loadflags, 0x81);
	assert_int_equal(info.xloadflags, 0x7f);
	assert_int_equal(info.header_end, 0x26c);
	assert_int_equal(info.kernel_offset, SETUP_SIZE);
	assert_int_equal(info.kernel_size, KERNEL_SIZE); /* the appended bytes are not kernel */
	assert_int_equal(info.pref_address, 0x1000000);
	assert_int_equal(info.kernel_alignment, 0x200000);
	assert_true(info.relocatable);
	assert_int_equal(info.init_size, FIXTURE_INIT_SIZE);
	assert_int_equal(info.cmdline_size, 2047);
	assert_int_equal(info.initrd_addr_max, 0x7fffffff);
}

static void test_setup_sects_zero_means_four(void **state)
{
	struct bzimage_info info;

	(void)state;
	image[0x1f1] = 0;
	put32(0x1f4, (IMAGE_SIZE - 5 * 512) / 16);
	assert_int_equal(parse(&info), BZIMAGE_OK);
	assert_int_equal(info.kernel_offset, 5 * 512);
	assert_int_equal(info.kernel_size, (IMAGE_SIZE - 5 * 512) / 16 * 16);
}

static void test_signatures(void **state)
{
	struct bzimage_info info;

	(void)state;
	put16(0x1fe, 0x55aa);
	assert_int_equal(parse(&info), BZIMAGE_ERR_BOOT_FLAG);
	put16(0x1fe, 0xaa55);
	image[0x205] = 'Z';
	assert_int_equal(parse(&info), BZIMAGE_ERR_NO_HEADER);
}

static void test_protocol_and_flags(void **state)
{
	struct bzimage_info info;

	(void)state;
	put16(0x206, 0x020b);
	assert_int_equal(parse(&info), BZIMAGE_ERR_OLD_PROTOCOL);
	put16(0x206, 0x020c);
	assert_int_equal(parse(&info), BZIMAGE_OK);
	image[0x211] = 0x80; /* CAN_USE_HEAP without LOADED_HIGH: a zImage */
	assert_int_equal(parse(&info), BZIMAGE_ERR_NOT_BZIMAGE);
	image[0x211] = 0x01;
	put16(0x236, 0x7e);
	assert_int_equal(parse(&info), BZIMAGE_ERR_NOT_64BIT);
}

static void test_header_length(void **state)
{
	struct bzimage_info info;

	(void)state;
	image[0x201] = 0x61; /* ends at 0x263, inside init_size */
	assert_int_equal(parse(&info), BZIMAGE_ERR_HEADER_LENGTH);
	image[0x201] = 0x8f; /* ends at 0x291, past the zero page's room */
	assert_int_equal(parse(&info), BZIMAGE_ERR_HEADER_LENGTH);
	image[0x201] = 0x8e; /* a future header up to 0x290 is fine */
	assert_int_equal(parse(&info), BZIMAGE_OK);
	assert_int_equal(info.header_end, 0x290);
	image[0x201] = 0x62; /* a 2.12 header ends at 0x264 (or 0x268) */
	assert_int_equal(parse(&info), BZIMAGE_OK);
	assert_int_equal(info.header_end, 0x264);
}

static void test_sizes(void **state)
{
	struct bzimage_info info;

	(void)state;
	put32(0x1f4, 0);
	assert_int_equal(parse(&info), BZIMAGE_ERR_KERNEL_SIZE);
	put32(0x1f4, 0x200 / 16); /* no room for the 64-bit entry */
	assert_int_equal(parse(&info), BZIMAGE_ERR_KERNEL_SIZE);
	put32(0x1f4, (KERNEL_SIZE + APPENDED) / 16 + 1);
	assert_int_equal(parse(&info), BZIMAGE_ERR_KERNEL_SIZE);
	put32(0x1f4, 0xffffffffu); /* syssize * 16 exceeds 32 bits */
	assert_int_equal(parse(&info), BZIMAGE_ERR_KERNEL_SIZE);
	put32(0x1f4, KERNEL_SIZE / 16);
	image[0x1f1] = 0xff; /* 256 sectors of setup: past the end */
	assert_int_equal(parse(&info), BZIMAGE_ERR_SETUP_SIZE);
	image[0x1f1] = FIXTURE_SETUP_SECTS;
	put32(0x260, KERNEL_SIZE - 1);
	assert_int_equal(parse(&info), BZIMAGE_ERR_INIT_SIZE);
}

static void test_placement(void **state)
{
	static const uint32_t bad_alignments[] = { 0, 0x800, 0x300000, 0x80000000u };
	struct bzimage_info info;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_alignments) / sizeof(bad_alignments[0]); i++) {
		put32(0x230, bad_alignments[i]);
		assert_int_equal(parse(&info), BZIMAGE_ERR_ALIGNMENT);
	}
	put32(0x230, 0x1000);
	assert_int_equal(parse(&info), BZIMAGE_OK);
	put64(0x258, 0xff000);
	assert_int_equal(parse(&info), BZIMAGE_ERR_PREF_ADDRESS);
	put64(0x258, 1ull << 46);
	assert_int_equal(parse(&info), BZIMAGE_ERR_PREF_ADDRESS);
}

/* Every prefix of a valid image, each in a buffer of exactly its size. */
static void test_truncations(void **state)
{
	(void)state;
	for (size_t size = 0; size < SETUP_SIZE + KERNEL_SIZE; size++) {
		uint8_t *copy = malloc(size != 0 ? size : 1);
		struct bzimage_info info;

		assert_non_null(copy);
		memcpy(copy, image, size);
		assert_int_not_equal(bzimage_parse(copy, size, &info), BZIMAGE_OK);
		free(copy);
	}
}

static void test_strerror(void **state)
{
	(void)state;
	for (int e = 0; e < BZIMAGE_ERR_COUNT; e++) {
		assert_non_null(bzimage_strerror((enum bzimage_error)e));
		for (int f = 0; f < e; f++)
			assert_string_not_equal(bzimage_strerror((enum bzimage_error)e),
						bzimage_strerror((enum bzimage_error)f));
	}
	assert_string_equal(bzimage_strerror(BZIMAGE_ERR_COUNT), "unknown bzImage error");
}

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long len;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		data = malloc((size_t)len);
		if (data != NULL && fread(data, 1, (size_t)len, f) != (size_t)len) {
			free(data);
			data = NULL;
		}
		*size = (size_t)len;
	}
	fclose(f);
	return data;
}

/* The Debian kernel in .deps/linux, if any: the facts in testhosts.md. */
static void test_debian_kernel(void **state)
{
	const char *dir = getenv("HV_LINUX_BOOT_DIR");
	char path[4096] = "";
	struct bzimage_info info;
	struct dirent *e;
	uint8_t *data;
	size_t size = 0;
	DIR *d;

	(void)state;
	d = dir != NULL ? opendir(dir) : NULL;
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "vmlinuz-", 8) == 0)
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
	}
	if (d != NULL)
		closedir(d);
	if (path[0] == '\0')
		skip();
	data = read_file(path, &size);
	assert_non_null(data);
	assert_int_equal(bzimage_parse(data, size, &info), BZIMAGE_OK);
	assert_true(info.version >= 0x020f);
	assert_int_equal(info.xloadflags & 0x03, 0x03);
	assert_int_equal(info.pref_address, 0x1000000);
	assert_int_equal(info.kernel_alignment, 0x200000);
	assert_true(info.relocatable);
	assert_true(info.init_size >= info.kernel_size);
	assert_true(info.kernel_offset + info.kernel_size <= size);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_valid_image, make_image),
		cmocka_unit_test_setup(test_setup_sects_zero_means_four, make_image),
		cmocka_unit_test_setup(test_signatures, make_image),
		cmocka_unit_test_setup(test_protocol_and_flags, make_image),
		cmocka_unit_test_setup(test_header_length, make_image),
		cmocka_unit_test_setup(test_sizes, make_image),
		cmocka_unit_test_setup(test_placement, make_image),
		cmocka_unit_test_setup(test_truncations, make_image),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_debian_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
