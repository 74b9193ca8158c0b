/*
 * memmap: the last thing the loader does with the firmware.  Between the
 * final GetMemoryMap and ExitBootServices nothing may allocate, so the
 * map buffer is sized with slack up front and the conversion to
 * boot_info's format runs only after boot services are gone.
 */
#include "memmap.h"

#include <lib/string.h>

#include "console.h"
#include "fw.h"

#define MAP_SLACK 4096     /* room for descriptors our own allocation adds */
#define MAP_TRIES 8        /* stale keys and growing maps before giving up */

struct efi_map {
	UINT8 *buf;
	UINTN cap;
	UINTN size;
	UINTN key;
	UINTN desc_size;
	UINT32 desc_version;
};

/* Fetches the map, growing the buffer (an allocation) only when needed. */
static EFI_STATUS get_map(struct efi_map *m)
{
	EFI_STATUS status = EFI_BUFFER_TOO_SMALL;
	int tries;

	for (tries = 0; tries < MAP_TRIES; tries++) {
		m->size = m->cap;
		status = uefi_call_wrapper(fw_bs->GetMemoryMap, 5, &m->size,
					   m->buf, &m->key, &m->desc_size,
					   &m->desc_version);
		if (status != EFI_BUFFER_TOO_SMALL)
			break;
		if (m->buf)
			uefi_call_wrapper(fw_bs->FreePool, 1, m->buf);
		m->cap = m->size + MAP_SLACK;
		status = uefi_call_wrapper(fw_bs->AllocatePool, 3,
					   EfiLoaderData, m->cap,
					   (void **)&m->buf);
		if (EFI_ERROR(status)) {
			m->buf = NULL;
			m->cap = 0;
			break;
		}
	}
	/* convert_map relies on descriptors being larger than regions. */
	if (!EFI_ERROR(status) && m->desc_size < sizeof(EFI_MEMORY_DESCRIPTOR))
		status = EFI_INCOMPATIBLE_VERSION;
	return status;
}

static UINT32 fold_type(UINT32 efi_type)
{
	switch (efi_type) {
	case EfiConventionalMemory:
	case EfiBootServicesCode:
	case EfiBootServicesData:
	case EfiLoaderCode: /* the loader never runs again once hv starts */
	case EfiLoaderData:
		return BOOT_MEM_FREE;
	case FW_MEM_HV:
		return BOOT_MEM_HV;
	case FW_MEM_IMAGE:
		return BOOT_MEM_IMAGE;
	case FW_MEM_TRAMPOLINE:
		return BOOT_MEM_TRAMPOLINE;
	case EfiACPIReclaimMemory:
		return BOOT_MEM_ACPI_RECLAIM;
	case EfiACPIMemoryNVS:
		return BOOT_MEM_ACPI_NVS;
	case EfiMemoryMappedIO:
	case EfiMemoryMappedIOPortSpace:
		return BOOT_MEM_MMIO;
	default:
		return BOOT_MEM_RESERVED;
	}
}

/*
 * Rewrites the descriptors as boot_mem_regions in the same buffer: region
 * j <= i never reaches descriptor i + 1 because a descriptor is at least
 * 40 bytes and a region 24, and descriptor i is read before region j is
 * written.  Returns the number of regions.
 */
static UINT32 convert_map(struct efi_map *m)
{
	struct boot_mem_region *out = (void *)m->buf;
	EFI_MEMORY_DESCRIPTOR d;
	UINTN i, n = m->size / m->desc_size;
	UINT32 count = 0;

	for (i = 0; i < n; i++) {
		memcpy(&d, m->buf + i * m->desc_size, sizeof(d));
		if (d.NumberOfPages == 0)
			continue;
		out[count].base = d.PhysicalStart;
		out[count].size = d.NumberOfPages * EFI_PAGE_SIZE;
		out[count].type = fold_type(d.Type);
		out[count].reserved = 0;
		count++;
	}
	return count;
}

/* Insertion sort by base: the map is short and usually sorted already. */
static void sort_regions(struct boot_mem_region *r, UINT32 n)
{
	struct boot_mem_region key;
	UINT32 i, j;

	for (i = 1; i < n; i++) {
		key = r[i];
		for (j = i; j > 0 && r[j - 1].base > key.base; j--)
			r[j] = r[j - 1];
		r[j] = key;
	}
}

static UINT32 merge_regions(struct boot_mem_region *r, UINT32 n)
{
	UINT32 i, count = 0;

	for (i = 0; i < n; i++) {
		if (count && r[count - 1].type == r[i].type &&
		    r[count - 1].base + r[count - 1].size == r[i].base)
			r[count - 1].size += r[i].size;
		else
			r[count++] = r[i];
	}
	return count;
}

/*
 * Shrinks the list to fit boot_info by forgetting the smallest free
 * regions first: memory hv does not hear about is merely unused, while a
 * forgotten reserved region could be handed out.
 */
static UINT32 fit_regions(struct boot_mem_region *r, UINT32 n)
{
	UINT32 i, victim;

	while (n > BOOT_MAX_MEM_REGIONS) {
		victim = n - 1;
		for (i = 0; i < n; i++)
			if (r[i].type == BOOT_MEM_FREE &&
			    (r[victim].type != BOOT_MEM_FREE ||
			     r[i].size < r[victim].size))
				victim = i;
		memmove(&r[victim], &r[victim + 1],
			(n - victim - 1) * sizeof(*r));
		n--;
	}
	return n;
}

static void fill_regions(struct efi_map *m, struct boot_info *info)
{
	struct boot_mem_region *r = (void *)m->buf;
	UINT32 n = convert_map(m);

	sort_regions(r, n);
	n = fit_regions(r, merge_regions(r, n));
	memcpy(info->mem, r, n * sizeof(*r));
	info->mem_region_count = n;
}

EFI_STATUS memmap_exit_boot_services(EFI_HANDLE image, struct boot_info *info)
{
	struct efi_map m = { 0 };
	EFI_STATUS status = EFI_INVALID_PARAMETER;
	int tries;

	/* A stale key (EFI_INVALID_PARAMETER) means the map changed: refetch. */
	for (tries = 0; tries < MAP_TRIES && status == EFI_INVALID_PARAMETER;
	     tries++) {
		status = get_map(&m);
		if (EFI_ERROR(status))
			break;
		status = uefi_call_wrapper(fw_bs->ExitBootServices, 2, image,
					   m.key);
	}
	if (EFI_ERROR(status)) {
		/* Best effort: the console may already be half shut down. */
		boot_error("cannot exit boot services: %s",
			   fw_status_name(status));
		if (m.buf)
			uefi_call_wrapper(fw_bs->FreePool, 1, m.buf);
		return status;
	}
	fill_regions(&m, info);
	return EFI_SUCCESS;
}
