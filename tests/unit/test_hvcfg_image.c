/*
 * Unit tests of the hv.cfg rules that need the image file
 * (lib/hvcfg/hvcfg_image.c): recognising an ELF kernel of ours or a
 * Linux bzImage, the reason given for a file that is neither or a broken
 * one, and the keys that depend on the kind (initrd, cmdline length),
 * each error naming the line of the key to fix.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <hv/hvcfg_image.h>
#include <lib/elf64.h>

#include "bzimage_fixture.h"
#include "hvcfg_fixture.h"

/* Root: an ELF, cmdline on line 6.  Linux: image line 11, cmdline 12, initrd 13. */
#define CONFIG \
	"[partition root]\n" \
	"role = root\n" \
	"cpus = 0\n" \
	"memory = 64M\n" \
	"image = \\hv\\root.elf\n" \
	"cmdline = \"console=serial\"\n" \
	"\n" \
	"[partition linux]\n" \
	"cpus = 1\n" \
	"memory = 512M\n" \
	"image = \\hv\\vmlinuz\n" \
	"cmdline = \"console=ttyS0\"\n" \
	"initrd = \\hv\\initrd.img\n"

#define ROOT 0u
#define LINUX 1u
#define ELF_ENTRY 0x200040ull

/* A minimal ELF executable: one PT_LOAD of code with the entry in it. */
static uint64_t elf_words[64];
static const uint8_t *const elf = (const uint8_t *)elf_words;

static void make_elf(void)
{
	struct elf64_ehdr eh = {
		.e_ident = { 0x7f, 'E', 'L', 'F', 2, 1, 1 },
		.e_type = ET_EXEC,
		.e_machine = EM_X86_64,
		.e_version = 1,
		.e_entry = ELF_ENTRY,
		.e_phoff = sizeof(struct elf64_ehdr),
		.e_ehsize = sizeof(struct elf64_ehdr),
		.e_phentsize = sizeof(struct elf64_phdr),
		.e_phnum = 1,
	};
	struct elf64_phdr ph = {
		.p_type = PT_LOAD,
		.p_flags = PF_X,
		.p_offset = 0,
		.p_vaddr = 0x200000,
		.p_filesz = sizeof(elf_words),
		.p_memsz = 0x1000,
	};

	memset(elf_words, 0x90, sizeof(elf_words));
	memcpy(elf_words, &eh, sizeof(eh));
	memcpy((uint8_t *)elf_words + sizeof(eh), &ph, sizeof(ph));
}

/* A cmocka setup: CONFIG parsed, a valid ELF and a valid bzImage. */
static int setup(void **state)
{
	make_elf();
	assert_int_equal(parse(CONFIG), 0);
	return make_image(state);
}

/* CONFIG with line `number` replaced, which must parse. */
static void config_with(unsigned number, const char *line)
{
	assert_int_equal(parse_replacing(CONFIG, number, line), 0);
}

/* A cmdline line of n characters. */
static const char *cmdline(size_t n)
{
	static char line[HVCFG_CMDLINE_LEN + 16];

	snprintf(line, sizeof(line), "cmdline = \"%0*d\"", (int)n, 0);
	return line;
}

static int check_root(const void *file, uint64_t size)
{
	struct hvcfg_image_file f;

	return hvcfg_check_image_file(&cfg, ROOT, file, size, &f, &err);
}

static int check_linux(const void *file, uint64_t size)
{
	struct hvcfg_image_file f;

	return hvcfg_check_image_file(&cfg, LINUX, file, size, &f, &err);
}

static void test_bzimage(void **state)
{
	struct hvcfg_image_file f;

	(void)state;
	assert_int_equal(hvcfg_check_image_file(&cfg, LINUX, image, sizeof(image), &f, &err), 0);
	assert_int_equal(f.kind, BOOT_IMAGE_BZIMAGE);
	assert_int_equal(f.entry, 0);
	assert_int_equal(f.boot_protocol, 0x020f);
	assert_int_equal(f.cmdline_max, 2047);
	assert_int_equal(hvcfg_check_initrd_file(&cfg, LINUX, 1, &err), 0);
}

static void test_elf(void **state)
{
	struct hvcfg_image_file f;

	(void)state;
	assert_int_equal(hvcfg_check_image_file(&cfg, ROOT, elf, sizeof(elf_words), &f, &err), 0);
	assert_int_equal(f.kind, BOOT_IMAGE_ELF);
	assert_int_equal(f.entry, ELF_ENTRY);
	assert_int_equal(f.boot_protocol, 0);
	assert_int_equal(f.cmdline_max, 255);
}

static void test_elf_with_initrd(void **state)
{
	(void)state;
	config_with(5, "image = \\hv\\root.elf\ninitrd = \\hv\\initrd.img");
	assert_int_equal(check_root(elf, sizeof(elf_words)), -1);
	expect_error(6, "partition root: initrd given for an ELF image");
	/* The bzImage partition's initrd is fine: the rule is the image's kind. */
	assert_int_equal(check_linux(image, sizeof(image)), 0);
}

static void test_elf_cmdline(void **state)
{
	(void)state;
	config_with(6, cmdline(255));
	assert_int_equal(check_root(elf, sizeof(elf_words)), 0);
	config_with(6, cmdline(256));
	assert_int_equal(check_root(elf, sizeof(elf_words)), -1);
	expect_error(6, "partition root: cmdline of 256 characters, an ELF image takes at most 255");
}

static void test_bzimage_cmdline(void **state)
{
	(void)state;
	config_with(12, cmdline(2047));
	assert_int_equal(check_linux(image, sizeof(image)), 0);
	put32(0x238, 100); /* an older kernel's cmdline_size */
	config_with(12, cmdline(100));
	assert_int_equal(check_linux(image, sizeof(image)), 0);
	config_with(12, cmdline(101));
	assert_int_equal(check_linux(image, sizeof(image)), -1);
	expect_error(12, "partition linux: cmdline of 101 characters, the kernel takes at most 100");
}

static void test_broken_bzimage(void **state)
{
	put16(0x206, 0x020a);
	assert_int_equal(check_linux(image, sizeof(image)), -1);
	expect_error(11, "partition linux: \\hv\\vmlinuz: bzImage: boot protocol older than 2.12");
	make_image(state);
	put16(0x236, 0x7e);
	assert_int_equal(check_linux(image, sizeof(image)), -1);
	expect_error(11, "bzImage: the kernel has no 64-bit entry point");
}

static void test_broken_elf(void **state)
{
	(void)state;
	assert_int_equal(check_root(elf, 100), -1);
	expect_error(5, "partition root: \\hv\\root.elf: bad program header table");
	elf_words[3] = 0; /* e_entry */
	assert_int_equal(check_root(elf, sizeof(elf_words)), -1);
	expect_error(5, "entry point outside the executable segments");
}

static void test_neither(void **state)
{
	static const char text[] = "#!/bin/sh\necho not a kernel\n";

	(void)state;
	assert_int_equal(check_linux(text, sizeof(text)), -1);
	expect_error(11, "partition linux: \\hv\\vmlinuz: neither an ELF64 executable nor a Linux "
		     "bzImage (bzImage: the file is too small");
	memset(image, 0, sizeof(image));
	assert_int_equal(check_linux(image, sizeof(image)), -1);
	expect_error(11, "neither an ELF64 executable nor a Linux bzImage (bzImage: no boot "
		     "sector signature");
	assert_int_equal(check_linux(image, 0), -1);
	expect_error(11, "neither an ELF64 executable nor a Linux bzImage");
}

static void test_empty_initrd(void **state)
{
	(void)state;
	assert_int_equal(hvcfg_check_initrd_file(&cfg, LINUX, 0, &err), -1);
	expect_error(13, "partition linux: initrd \\hv\\initrd.img is empty");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bzimage, setup),
		cmocka_unit_test_setup(test_elf, setup),
		cmocka_unit_test_setup(test_elf_with_initrd, setup),
		cmocka_unit_test_setup(test_elf_cmdline, setup),
		cmocka_unit_test_setup(test_bzimage_cmdline, setup),
		cmocka_unit_test_setup(test_broken_bzimage, setup),
		cmocka_unit_test_setup(test_broken_elf, setup),
		cmocka_unit_test_setup(test_neither, setup),
		cmocka_unit_test_setup(test_empty_initrd, setup),
	};

	return cmocka_run_group_tests_name("hvcfg_image", tests, NULL, NULL);
}
