/*
 * mgmt_files: loads the files hv.cfg's [management] names (the API's TLS
 * certificate, its key, the client CA) into allocations of type
 * FW_MEM_IMAGE, after checking they are PEM of the right kind (the rules
 * of hv/hvcfg_image.h, shared with `hvcfg check`); hv hands them to the
 * root partition (HVCALL_MGMT_FILE).
 */
#ifndef BOOT_MGMT_FILES_H
#define BOOT_MGMT_FILES_H

#include <efi.h>

#include <hv/boot_info.h>
#include <hv/config_desc.h>

#include "fw.h"

struct mgmt_files_loaded {
	struct fw_pages pages[HV_MGMT_FILES];   /* count 0: not named or not loaded */
};

/* Fills info->mgmt_files; on failure prints the error and frees them all. */
EFI_STATUS mgmt_files_load(EFI_FILE_HANDLE root, const struct hvcfg *cfg,
			   struct boot_info *info, struct mgmt_files_loaded *out);

void mgmt_files_free(struct mgmt_files_loaded *files);

#endif
