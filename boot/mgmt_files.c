/*
 * mgmt_files: the TLS files of [management] (see mgmt_files.h).  The key
 * is logged by name and size only.
 */
#include "mgmt_files.h"

#include <hv/hvcfg_image.h>

#include "config.h"
#include "console.h"
#include "file.h"

static EFI_STATUS load_one(EFI_FILE_HANDLE root, const struct hvcfg *cfg, UINT32 file,
			   struct fw_pages *pages, struct boot_file *out)
{
	const struct hvcfg_file *f = &cfg->mgmt_files[file];
	struct hvcfg_error err = { 0 };
	UINT64 size;
	EFI_STATUS status;

	status = file_load(root, f->path, FW_MEM_IMAGE, pages, &size);
	if (EFI_ERROR(status))
		return status;
	if (hvcfg_check_mgmt_file(cfg, file, (const void *)(UINTN)pages->phys, size, &err) != 0) {
		config_report(&err);
		fw_free_pages(pages);
		return EFI_LOAD_ERROR;
	}
	*out = (struct boot_file){ .phys = pages->phys, .size = size };
	boot_log("%s %s: %llu bytes", hvcfg_mgmt_file_key(file), f->path,
		 (unsigned long long)size);
	return EFI_SUCCESS;
}

EFI_STATUS mgmt_files_load(EFI_FILE_HANDLE root, const struct hvcfg *cfg,
			   struct boot_info *info, struct mgmt_files_loaded *out)
{
	EFI_STATUS status;

	for (UINT32 i = 0; i < HV_MGMT_FILES; i++) {
		out->pages[i] = (struct fw_pages){ 0, 0 };
		info->mgmt_files[i] = (struct boot_file){ 0, 0 };
		if (cfg->mgmt_files[i].path[0] == '\0')
			continue;
		status = load_one(root, cfg, i, &out->pages[i], &info->mgmt_files[i]);
		if (EFI_ERROR(status)) {
			mgmt_files_free(out);
			return status;
		}
	}
	return EFI_SUCCESS;
}

void mgmt_files_free(struct mgmt_files_loaded *files)
{
	for (UINT32 i = 0; i < HV_MGMT_FILES; i++)
		fw_free_pages(&files->pages[i]);
}
