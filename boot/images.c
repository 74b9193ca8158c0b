/*
 * images: reads the partition images named in the configuration.  The
 * file bytes are kept pristine so hv can reload a partition from them on
 * restart; the loader only checks them and records where they are.
 */
#include "images.h"

#include <lib/string.h>

#include "config.h"
#include "console.h"
#include <lib/elf64.h>
#include "file.h"

_Static_assert(BOOT_MAX_IMAGES >= HVCFG_MAX_PARTITIONS,
	       "boot_info must hold one image per partition");
_Static_assert(BOOT_IMAGE_NAME_LEN >= HVCFG_NAME_LEN,
	       "boot_info image names must hold partition names");

static EFI_STATUS load_one(EFI_FILE_HANDLE root,
			   const struct hvcfg_partition *part,
			   struct fw_pages *pages, struct boot_image *img)
{
	const struct elf64_ehdr *eh;
	const char *why;
	UINT64 size;
	EFI_STATUS status;

	status = file_load(root, part->image, FW_MEM_IMAGE, pages, &size);
	if (EFI_ERROR(status))
		return status;
	eh = (const void *)(UINTN)pages->phys;
	why = elf_check(eh, size, ET_EXEC);
	if (why) {
		boot_error("%s:%u: partition %s: %s: %s", CONFIG_PATH,
			   (unsigned)part->image_line, part->name, part->image,
			   why);
		fw_free_pages(pages);
		return EFI_LOAD_ERROR;
	}
	lib_strlcpy(img->name, part->name, sizeof(img->name));
	img->phys = pages->phys;
	img->size = size;
	img->entry = eh->e_entry;
	boot_log("image %s: %s, %llu KiB at 0x%llx, entry 0x%llx", img->name,
		 part->image, (unsigned long long)(size / 1024),
		 (unsigned long long)img->phys, (unsigned long long)img->entry);
	return EFI_SUCCESS;
}

EFI_STATUS images_load(EFI_FILE_HANDLE root, const struct hvcfg *cfg,
		       struct boot_info *info, struct images_loaded *out)
{
	EFI_STATUS status;
	UINT32 i;

	out->count = 0;
	for (i = 0; i < cfg->partition_count && i < HVCFG_MAX_PARTITIONS; i++) {
		status = load_one(root, &cfg->partitions[i], &out->pages[i],
				  &info->images[i]);
		if (EFI_ERROR(status)) {
			images_free(out);
			return status;
		}
		out->count = i + 1;
	}
	info->image_count = out->count;
	return EFI_SUCCESS;
}

void images_free(struct images_loaded *imgs)
{
	UINT32 i;

	for (i = 0; i < imgs->count; i++)
		fw_free_pages(&imgs->pages[i]);
	imgs->count = 0;
}
