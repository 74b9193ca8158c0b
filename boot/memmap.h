/*
 * memmap: takes the final UEFI memory map, leaves boot services and
 * converts the map into boot_info's sorted, merged region list.
 */
#ifndef BOOT_MEMMAP_H
#define BOOT_MEMMAP_H

#include <efi.h>

#include <hv/boot_info.h>

/*
 * Calls ExitBootServices (retrying with a fresh map while the key is
 * stale) and fills info->mem.  On success the firmware's boot services
 * and console are gone: nothing may be printed any more.  On failure it
 * prints the error and returns the status.
 */
EFI_STATUS memmap_exit_boot_services(EFI_HANDLE image, struct boot_info *info);

#endif
