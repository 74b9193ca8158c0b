/*
 * fw: the loader's handle on the firmware.  Keeps the system table and
 * boot services pointers, wraps the page allocator (typed, below a
 * limit, aligned) and names EFI status codes for error messages.
 */
#ifndef BOOT_FW_H
#define BOOT_FW_H

#include <efi.h>

/* OS-defined UEFI memory types (0x80000000 and up); memmap.c folds them. */
#define FW_MEM_HV 0x80000001u
#define FW_MEM_IMAGE 0x80000002u
#define FW_MEM_TRAMPOLINE 0x80000003u

#define FW_MIB (1024ull * 1024ull)
#define FW_ALIGN_UP(x, a) (((x) + (a) - 1) & ~((UINT64)(a) - 1))

extern EFI_SYSTEM_TABLE *fw_st;
extern EFI_BOOT_SERVICES *fw_bs;

/* A run of pages obtained from AllocatePages; count 0 = nothing held. */
struct fw_pages {
	EFI_PHYSICAL_ADDRESS phys;
	UINTN count;
};

void fw_init(EFI_SYSTEM_TABLE *st);

/* Pages of a memory type anywhere (max 0) or ending at or below max. */
EFI_STATUS fw_alloc_pages(UINT32 type, UINT64 bytes, UINT64 max,
			  struct fw_pages *out);

/* Like fw_alloc_pages, but the start is a multiple of align (a power of 2). */
EFI_STATUS fw_alloc_aligned(UINT32 type, UINT64 bytes, UINT64 align,
			    UINT64 max, struct fw_pages *out);

/* Gives the pages back (if any) and marks *p empty. */
void fw_free_pages(struct fw_pages *p);

/* "EFI_NOT_FOUND" and friends, or the number for codes it does not know. */
const char *fw_status_name(EFI_STATUS status);

void fw_stall_seconds(unsigned int seconds);

#endif
