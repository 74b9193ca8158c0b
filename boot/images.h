/*
 * images: loads each partition's image file (config order) into its own
 * allocation of type FW_MEM_IMAGE, untouched, after checking it is an
 * ELF64 x86-64 executable; hv loads the segments into partition RAM.
 */
#ifndef BOOT_IMAGES_H
#define BOOT_IMAGES_H

#include <efi.h>

#include <hv/boot_info.h>
#include <hv/config_desc.h>

#include "fw.h"

struct images_loaded {
	struct fw_pages pages[HVCFG_MAX_PARTITIONS];
	UINT32 count;
};

/* Fills info->images; on failure prints the error and frees them all. */
EFI_STATUS images_load(EFI_FILE_HANDLE root, const struct hvcfg *cfg,
		       struct boot_info *info, struct images_loaded *out);

void images_free(struct images_loaded *imgs);

#endif
