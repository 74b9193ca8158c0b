/*
 * config: reads \hv\hv.cfg from the ESP, parses it with the shared hvcfg
 * parser and checks that every partition image and initrd exists,
 * reporting problems as "boot: error: \hv\hv.cfg:LINE: MESSAGE".
 */
#ifndef BOOT_CONFIG_H
#define BOOT_CONFIG_H

#include <efi.h>

#include <hv/config_desc.h>

#define CONFIG_PATH "\\hv\\hv.cfg"

EFI_STATUS config_load(EFI_FILE_HANDLE root, struct hvcfg *cfg);

/* Prints err as "\hv\hv.cfg:LINE: MESSAGE" (without LINE when it is 0). */
void config_report(const struct hvcfg_error *err);

/* Warns about partitions that name CPUs the MADT does not list. */
void config_check_cpus(const struct hvcfg *cfg, UINT32 cpu_count);

#endif
