/*
 * images: reads the partition images named in the configuration, and a
 * bzImage partition's initrd.  The file bytes are kept pristine so hv can
 * reload a partition from them on restart; the loader only checks them
 * (with the rules of hv/hvcfg_image.h, shared with `hvcfg check`) and
 * records where they are and what kind of kernel each image is.
 */
#include "images.h"

#include <hv/hvcfg_image.h>
#include <lib/string.h>

#include "config.h"
#include "console.h"
#include "file.h"

_Static_assert(BOOT_MAX_IMAGES >= HVCFG_MAX_PARTITIONS,
	       "boot_info must hold one image per partition");
_Static_assert(BOOT_IMAGE_NAME_LEN >= HVCFG_NAME_LEN,
	       "boot_info image names must hold partition names");

static void log_image(const struct hvcfg_partition *part,
		      const struct hvcfg_image_file *f,
		      const struct boot_image *img)
{
	if (f->kind == BOOT_IMAGE_BZIMAGE)
		boot_log("image %s: %s, bzImage (boot protocol %u.%02u), %llu KiB at 0x%llx",
			 img->name, part->image, (unsigned)(f->boot_protocol >> 8),
			 (unsigned)(f->boot_protocol & 0xff),
			 (unsigned long long)(img->size / 1024),
			 (unsigned long long)img->phys);
	else
		boot_log("image %s: %s, %llu KiB at 0x%llx, entry 0x%llx", img->name,
			 part->image, (unsigned long long)(img->size / 1024),
			 (unsigned long long)img->phys,
			 (unsigned long long)img->entry);
}

/* The initrd a bzImage partition names, into pages of its own. */
static EFI_STATUS load_initrd(EFI_FILE_HANDLE root, const struct hvcfg *cfg,
			      UINT32 idx, struct fw_pages *pages,
			      struct boot_image *img)
{
	const struct hvcfg_partition *part = &cfg->partitions[idx];
	struct hvcfg_error err = { 0 };
	UINT64 size;
	EFI_STATUS status;

	status = file_load(root, part->initrd, FW_MEM_IMAGE, pages, &size);
	if (EFI_ERROR(status))
		return status;
	if (hvcfg_check_initrd_file(cfg, idx, size, &err) != 0) {
		config_report(&err);
		fw_free_pages(pages);
		return EFI_LOAD_ERROR;
	}
	img->initrd_phys = pages->phys;
	img->initrd_size = size;
	boot_log("initrd %s: %s, %llu KiB at 0x%llx", img->name, part->initrd,
		 (unsigned long long)(size / 1024),
		 (unsigned long long)img->initrd_phys);
	return EFI_SUCCESS;
}

static EFI_STATUS load_one(EFI_FILE_HANDLE root, const struct hvcfg *cfg,
			   UINT32 idx, struct fw_pages *pages,
			   struct fw_pages *initrd, struct boot_image *img)
{
	const struct hvcfg_partition *part = &cfg->partitions[idx];
	struct hvcfg_error err = { 0 };
	struct hvcfg_image_file f;
	UINT64 size;
	EFI_STATUS status;

	status = file_load(root, part->image, FW_MEM_IMAGE, pages, &size);
	if (EFI_ERROR(status))
		return status;
	if (hvcfg_check_image_file(cfg, idx, (const void *)(UINTN)pages->phys,
				   size, &f, &err) != 0) {
		config_report(&err);
		fw_free_pages(pages);
		return EFI_LOAD_ERROR;
	}
	*img = (struct boot_image){ .phys = pages->phys, .size = size,
				    .entry = f.entry, .kind = f.kind };
	lib_strlcpy(img->name, part->name, sizeof(img->name));
	log_image(part, &f, img);
	if (part->initrd[0] == '\0')
		return EFI_SUCCESS;
	status = load_initrd(root, cfg, idx, initrd, img);
	if (EFI_ERROR(status))
		fw_free_pages(pages);
	return status;
}

EFI_STATUS images_load(EFI_FILE_HANDLE root, const struct hvcfg *cfg,
		       struct boot_info *info, struct images_loaded *out)
{
	EFI_STATUS status;
	UINT32 i;

	out->count = 0;
	for (i = 0; i < cfg->partition_count && i < HVCFG_MAX_PARTITIONS; i++) {
		status = load_one(root, cfg, i, &out->pages[i], &out->initrd[i],
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

	for (i = 0; i < imgs->count; i++) {
		fw_free_pages(&imgs->pages[i]);
		fw_free_pages(&imgs->initrd[i]);
	}
	imgs->count = 0;
}
