/*
 * fw: boot services helpers shared by the loader's modules: the global
 * firmware pointers, page allocation with placement and alignment, and
 * readable names for EFI status codes.
 */
#include "fw.h"

#include <lib/format.h>

EFI_SYSTEM_TABLE *fw_st;
EFI_BOOT_SERVICES *fw_bs;

void fw_init(EFI_SYSTEM_TABLE *st)
{
	fw_st = st;
	fw_bs = st->BootServices;
}

EFI_STATUS fw_alloc_pages(UINT32 type, UINT64 bytes, UINT64 max,
			  struct fw_pages *out)
{
	UINTN count = EFI_SIZE_TO_PAGES(bytes);
	EFI_PHYSICAL_ADDRESS phys = max;
	EFI_STATUS status;

	if (count == 0)
		count = 1;
	status = uefi_call_wrapper(fw_bs->AllocatePages, 4,
				   max ? AllocateMaxAddress : AllocateAnyPages,
				   type, count, &phys);
	if (EFI_ERROR(status))
		return status;
	out->phys = phys;
	out->count = count;
	return EFI_SUCCESS;
}

/* Returns the pages in [start, end) of a larger allocation. */
static void free_range(UINT64 start, UINT64 end)
{
	if (end > start)
		uefi_call_wrapper(fw_bs->FreePages, 2, start,
				  (end - start) / EFI_PAGE_SIZE);
}

/*
 * UEFI only promises page alignment, so take align bytes more than asked
 * for and hand back the slack on both sides of the aligned block.
 */
EFI_STATUS fw_alloc_aligned(UINT32 type, UINT64 bytes, UINT64 align,
			    UINT64 max, struct fw_pages *out)
{
	UINT64 size = FW_ALIGN_UP(bytes, EFI_PAGE_SIZE);
	struct fw_pages raw;
	EFI_STATUS status;
	UINT64 start;

	status = fw_alloc_pages(type, size + align, max, &raw);
	if (EFI_ERROR(status))
		return status;
	start = FW_ALIGN_UP(raw.phys, align);
	free_range(raw.phys, start);
	free_range(start + size, raw.phys + raw.count * EFI_PAGE_SIZE);
	out->phys = start;
	out->count = size / EFI_PAGE_SIZE;
	return EFI_SUCCESS;
}

void fw_free_pages(struct fw_pages *p)
{
	if (p->count)
		uefi_call_wrapper(fw_bs->FreePages, 2, p->phys, p->count);
	p->phys = 0;
	p->count = 0;
}

#define FW_STATUS(name) case name: return #name;

const char *fw_status_name(EFI_STATUS status)
{
	static char unknown[40];

	switch (status) {
	FW_STATUS(EFI_SUCCESS)
	FW_STATUS(EFI_LOAD_ERROR)
	FW_STATUS(EFI_INVALID_PARAMETER)
	FW_STATUS(EFI_UNSUPPORTED)
	FW_STATUS(EFI_BAD_BUFFER_SIZE)
	FW_STATUS(EFI_BUFFER_TOO_SMALL)
	FW_STATUS(EFI_NOT_READY)
	FW_STATUS(EFI_DEVICE_ERROR)
	FW_STATUS(EFI_OUT_OF_RESOURCES)
	FW_STATUS(EFI_VOLUME_CORRUPTED)
	FW_STATUS(EFI_NO_MEDIA)
	FW_STATUS(EFI_MEDIA_CHANGED)
	FW_STATUS(EFI_NOT_FOUND)
	FW_STATUS(EFI_ACCESS_DENIED)
	FW_STATUS(EFI_INCOMPATIBLE_VERSION)
	FW_STATUS(EFI_END_OF_FILE)
	default:
		fmt_snprintf(unknown, sizeof(unknown), "EFI status 0x%llx",
			     (unsigned long long)status);
		return unknown;
	}
}

void fw_stall_seconds(unsigned int seconds)
{
	uefi_call_wrapper(fw_bs->Stall, 1, (UINTN)seconds * 1000000u);
}
