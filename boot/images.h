/*
 * images: loads each partition's image file (config order) into its own
 * allocation of type FW_MEM_IMAGE, untouched, after checking it is an
 * ELF64 x86-64 executable or a Linux bzImage, and a bzImage partition's
 * initrd the same way; hv builds partition RAM from these copies.
 */
#ifndef BOOT_IMAGES_H
#define BOOT_IMAGES_H

#include <efi.h>

#include <hv/boot_info.h>
#include <hv/config_desc.h>

#include "fw.h"

struct images_loaded {
	struct fw_pages pages[HVCFG_MAX_PARTITIONS];
	struct fw_pages initrd[HVCFG_MAX_PARTITIONS]; /* count 0: none */
	UINT32 count;
};

/* Fills info->images; on failure prints the error and frees them all. */
EFI_STATUS images_load(EFI_FILE_HANDLE root, const struct hvcfg *cfg,
		       struct boot_info *info, struct images_loaded *out);

void images_free(struct images_loaded *imgs);

#endif
