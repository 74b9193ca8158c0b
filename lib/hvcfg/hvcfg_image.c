/*
 * The hv.cfg rules that need the image file (include/hv/hvcfg_image.h).
 * A file is an ELF when it starts with the ELF magic and a bzImage when
 * bzimage_parse accepts it; a file that carries one of the two signatures
 * is held to that format's checks, so the reason given is the one that
 * applies, and a file with neither is named as such.
 */
#include <hv/hvcfg_image.h>

#include <hv/start_info.h>
#include <lib/bzimage.h>
#include <lib/elf64.h>
#include <lib/string.h>

#include "hvcfg_internal.h"

#define ELF_MAGIC "\177ELF"
#define ELF_MAGIC_LEN 4u
#define BOOT_FLAG_OFFSET 0x1feu
#define HDRS_OFFSET 0x202u
/* Our kernels find the command line in start_info, NUL included. */
#define ELF_CMDLINE_MAX (START_INFO_CMDLINE_LEN - 1u)

static bool has_elf_magic(const uint8_t *file, uint64_t size)
{
	return size >= ELF_MAGIC_LEN && memcmp(file, ELF_MAGIC, ELF_MAGIC_LEN) == 0;
}

/* The boot sector signature and "HdrS": the file means to be a bzImage. */
static bool has_bzimage_magic(const uint8_t *file, uint64_t size)
{
	uint16_t flag;
	uint32_t hdrs;

	if (size < HDRS_OFFSET + sizeof(hdrs))
		return false;
	memcpy(&flag, file + BOOT_FLAG_OFFSET, sizeof(flag));
	memcpy(&hdrs, file + HDRS_OFFSET, sizeof(hdrs));
	return flag == BZIMAGE_BOOT_FLAG && hdrs == BZIMAGE_HDRS;
}

static int check_elf(const struct hvcfg_partition *p, const uint8_t *file, uint64_t size,
		     struct hvcfg_image_file *out, struct hvcfg_error *err)
{
	const struct elf64_ehdr *eh = (const void *)file;
	const char *why = elf_check(file, size, ET_EXEC);

	if (why != NULL)
		return hvcfg_fail(err, p->image_line, "partition %s: %s: %s", p->name, p->image,
				  why);
	*out = (struct hvcfg_image_file){
		.kind = BOOT_IMAGE_ELF,
		.entry = eh->e_entry,
		.cmdline_max = ELF_CMDLINE_MAX,
	};
	return 0;
}

static int check_bzimage(const struct hvcfg_partition *p, const uint8_t *file, uint64_t size,
			 struct hvcfg_image_file *out, struct hvcfg_error *err)
{
	struct bzimage_info info;
	enum bzimage_error bz = bzimage_parse(file, (size_t)size, &info);

	if (bz != BZIMAGE_OK && has_bzimage_magic(file, size))
		return hvcfg_fail(err, p->image_line, "partition %s: %s: bzImage: %s", p->name,
				  p->image, bzimage_strerror(bz));
	if (bz != BZIMAGE_OK)
		return hvcfg_fail(err, p->image_line,
				  "partition %s: %s: neither an ELF64 executable nor a Linux bzImage (bzImage: %s)",
				  p->name, p->image, bzimage_strerror(bz));
	*out = (struct hvcfg_image_file){
		.kind = BOOT_IMAGE_BZIMAGE,
		.boot_protocol = info.version,
		.cmdline_max = info.cmdline_size,
	};
	return 0;
}

/* The keys whose rules depend on the kind: initrd and cmdline. */
static int check_keys(const struct hvcfg_partition *p, const struct hvcfg_image_file *f,
		      struct hvcfg_error *err)
{
	size_t len = strnlen(p->cmdline, HVCFG_CMDLINE_LEN);

	if (f->kind == BOOT_IMAGE_ELF && p->initrd[0] != '\0')
		return hvcfg_fail(err, p->initrd_line, "partition %s: initrd given for an ELF image",
				  p->name);
	if (len <= f->cmdline_max)
		return 0;
	if (f->kind == BOOT_IMAGE_ELF)
		return hvcfg_fail(err, p->cmdline_line,
				  "partition %s: cmdline of %zu characters, an ELF image takes at most %u",
				  p->name, len, ELF_CMDLINE_MAX);
	return hvcfg_fail(err, p->cmdline_line,
			  "partition %s: cmdline of %zu characters, the kernel takes at most %u (cmdline_size)",
			  p->name, len, f->cmdline_max);
}

int hvcfg_check_image_file(const struct hvcfg *cfg, uint32_t idx, const void *file,
			   uint64_t size, struct hvcfg_image_file *out,
			   struct hvcfg_error *err)
{
	const struct hvcfg_partition *p = &cfg->partitions[idx];
	int rc;

	if (has_elf_magic(file, size))
		rc = check_elf(p, file, size, out, err);
	else
		rc = check_bzimage(p, file, size, out, err);
	return rc != 0 ? rc : check_keys(p, out, err);
}

int hvcfg_check_initrd_file(const struct hvcfg *cfg, uint32_t idx, uint64_t size,
			    struct hvcfg_error *err)
{
	const struct hvcfg_partition *p = &cfg->partitions[idx];

	if (size == 0)
		return hvcfg_fail(err, p->initrd_line, "partition %s: initrd %s is empty", p->name,
				  p->initrd);
	return 0;
}
