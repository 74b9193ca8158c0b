/*
 * file: reads whole files from the volume the loader itself came from
 * (the ESP).  Paths are the config's ASCII ESP paths with backslashes,
 * e.g. \hv\hv.elf.
 */
#ifndef BOOT_FILE_H
#define BOOT_FILE_H

#include <stdbool.h>

#include <efi.h>

#include "fw.h"

/* Opens the root directory of the loader's own volume. */
EFI_STATUS file_open_volume(EFI_HANDLE image, EFI_FILE_HANDLE *root);
void file_close_volume(EFI_FILE_HANDLE root);

/*
 * Reads the file at path into fresh pages of the given memory type;
 * *size is the file size.  Prints the error line itself on failure.
 */
EFI_STATUS file_load(EFI_FILE_HANDLE root, const char *path, UINT32 mem_type,
		     struct fw_pages *out, UINT64 *size);

/* An hvcfg_image_probe: ctx is the root directory handle. */
bool file_probe(void *ctx, const char *path);

#endif
