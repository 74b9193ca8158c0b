/*
 * libFuzzer target for the Linux boot builders (hv/plat/): a bzImage is
 * untrusted input from the ESP, so any byte string must either be refused
 * by bzimage_parse with a known error, or yield a description from which
 * the layout, the zero page and the page tables build inside their
 * buffers.  The first input byte picks raw mode (the rest is the file) or
 * patch mode (a Debian-shaped template image with the rest applied as
 * offset/value byte pairs to its first 1 KiB), so the fuzzer reaches the
 * checks after the signatures without a binary seed corpus.
 */
#include <stdlib.h>
#include <string.h>

#include <plat/boot_layout.h>

#define TEMPLATE_SIZE 0x3000u
#define PAGE_TABLES_MAX 0x80000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put(uint8_t *img, size_t off, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		img[off + i] = (uint8_t)(v >> (8 * i));
}

/* Protocol 2.15, 2 setup sectors, 8 KiB of kernel, 16 MiB preferred, 2 MiB aligned. */
static void make_template(uint8_t *img)
{
	memset(img, 0x90, TEMPLATE_SIZE);
	put(img, 0x1f1, 2, 1);
	put(img, 0x1f4, 0x2000 / 16, 4);
	put(img, 0x1fe, 0xaa55, 2);
	put(img, 0x200, 0x6aeb, 2);
	memcpy(img + 0x202, "HdrS", 4);
	put(img, 0x206, 0x020f, 2);
	put(img, 0x211, 0x01, 1);
	put(img, 0x22c, 0x7fffffff, 4);
	put(img, 0x230, 0x200000, 4);
	put(img, 0x234, 1, 1);
	put(img, 0x236, 0x7f, 2);
	put(img, 0x238, 2047, 4);
	put(img, 0x258, 0x1000000, 8);
	put(img, 0x260, 0x4000000, 4);
}

/* Everything hv builds from an accepted image, for two partition sizes. */
static void build_all(const uint8_t *img, size_t size, const struct bzimage_info *info,
		      uint64_t initrd_size)
{
	static const uint64_t sizes[] = { 256ull << 20, 6ull << 30 };
	static uint8_t zero_page[BOOT_PARAMS_SIZE];
	static uint8_t tables[PAGE_TABLES_MAX];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct boot_memory mem = { sizes[i], 3ull << 30, 4ull << 30 };
		struct boot_params_args args;
		struct boot_layout l;

		if (boot_layout_plan(info, &mem, initrd_size, false, &l) != BOOT_OK)
			continue;
		if (l.kernel_end > sizes[i] || l.initrd_gpa + l.initrd_size > sizes[i] ||
		    l.page_tables_size > sizeof(tables))
			abort(); /* a plan outside the partition's RAM */
		boot_layout_params_args(&l, &mem, 0xe0000, &args);
		if (boot_params_build(zero_page, sizeof(zero_page), img, size, info, &args) != BOOT_OK)
			abort(); /* the layout's own arguments were refused */
		if (boot_page_tables_build(&mem, false, tables, l.page_tables_size,
					   l.page_tables_gpa) != BOOT_OK)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t template_img[TEMPLATE_SIZE];
	struct bzimage_info info;
	const uint8_t *img = data + 1;
	size_t img_size = size - 1;
	uint8_t *copy;
	enum bzimage_error err;

	if (size == 0)
		return 0;
	if (data[0] & 1) {
		make_template(template_img);
		for (size_t i = 1; i + 1 < size; i += 2)
			template_img[0x100 + (data[i] * 3u) % 0x300] = data[i + 1];
		img = template_img;
		img_size = TEMPLATE_SIZE;
	}
	copy = malloc(img_size != 0 ? img_size : 1); /* exact size: ASan sees any overrun */
	if (copy == NULL)
		return 0;
	memcpy(copy, img, img_size);
	err = bzimage_parse(copy, img_size, &info);
	if (err >= BZIMAGE_ERR_COUNT || bzimage_strerror(err) == NULL)
		abort();
	if (err == BZIMAGE_OK) {
		if (info.kernel_offset + info.kernel_size > img_size || info.header_end > img_size)
			abort();
		build_all(copy, img_size, &info, (uint64_t)img_size << 8);
	}
	free(copy);
	return 0;
}
