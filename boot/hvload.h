/*
 * hvload: reserves hv's memory and loads \hv\hv.elf (a static-PIE ELF
 * linked at 0) into it, relocated, followed by the boot_info record and
 * the binary configuration.  Layout of the reservation:
 *   [0, image end)      hv's PT_LOAD segments, bss zeroed
 *   page aligned        struct boot_info
 *   page aligned        struct hvcfg
 *   2 MiB aligned       pool_offset: free pages for hv, to the end
 */
#ifndef BOOT_HVLOAD_H
#define BOOT_HVLOAD_H

#include <efi.h>

#include <hv/boot_info.h>
#include <hv/config_desc.h>

#include "fw.h"

#define HV_PATH "\\hv\\hv.elf"

struct hv_loaded {
	struct fw_pages reservation; /* type FW_MEM_HV, below 4 GiB */
	struct boot_info *info;      /* inside the reservation, header filled */
	UINT64 entry;                /* physical address of hv's entry point */
};

/* On failure prints the error and holds nothing. */
EFI_STATUS hv_load(EFI_FILE_HANDLE root, const struct hvcfg *cfg,
		   struct hv_loaded *out);

#endif
