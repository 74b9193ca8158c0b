/*
 * file: ESP file access through the Simple File System protocol of the
 * device the loader was loaded from: open by ASCII path, size via
 * EFI_FILE_INFO, read the whole file into page allocations.
 */
#include "file.h"

#include "console.h"

#define PATH_MAX_CHARS 256

static EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static EFI_GUID simple_fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
static EFI_GUID file_info_guid = EFI_FILE_INFO_ID;

EFI_STATUS file_open_volume(EFI_HANDLE image, EFI_FILE_HANDLE *root)
{
	EFI_LOADED_IMAGE *loaded;
	EFI_FILE_IO_INTERFACE *fs;
	EFI_STATUS status;

	status = uefi_call_wrapper(fw_bs->HandleProtocol, 3, image,
				   &loaded_image_guid, (void **)&loaded);
	if (EFI_ERROR(status)) {
		boot_error("no loaded image protocol: %s", fw_status_name(status));
		return status;
	}
	status = uefi_call_wrapper(fw_bs->HandleProtocol, 3,
				   loaded->DeviceHandle, &simple_fs_guid,
				   (void **)&fs);
	if (!EFI_ERROR(status))
		status = uefi_call_wrapper(fs->OpenVolume, 2, fs, root);
	if (EFI_ERROR(status))
		boot_error("cannot open the boot volume: %s",
			   fw_status_name(status));
	return status;
}

void file_close_volume(EFI_FILE_HANDLE root)
{
	if (root)
		uefi_call_wrapper(root->Close, 1, root);
}

static EFI_STATUS open_path(EFI_FILE_HANDLE root, const char *path,
			    EFI_FILE_HANDLE *fh)
{
	CHAR16 wide[PATH_MAX_CHARS];
	UINTN i;

	for (i = 0; path[i]; i++) {
		if (i + 1 >= PATH_MAX_CHARS)
			return EFI_INVALID_PARAMETER;
		wide[i] = (CHAR16)(unsigned char)path[i];
	}
	wide[i] = 0;
	return uefi_call_wrapper(root->Open, 5, root, fh, wide,
				 EFI_FILE_MODE_READ, 0ull);
}

/* The file's size; directories are refused as "not found". */
static EFI_STATUS file_size(EFI_FILE_HANDLE fh, UINT64 *size)
{
	EFI_FILE_INFO *info = NULL;
	UINTN len = 0;
	EFI_STATUS status;

	status = uefi_call_wrapper(fh->GetInfo, 4, fh, &file_info_guid, &len,
				   NULL);
	if (status != EFI_BUFFER_TOO_SMALL)
		return EFI_ERROR(status) ? status : EFI_DEVICE_ERROR;
	status = uefi_call_wrapper(fw_bs->AllocatePool, 3, EfiLoaderData, len,
				   (void **)&info);
	if (EFI_ERROR(status))
		return status;
	status = uefi_call_wrapper(fh->GetInfo, 4, fh, &file_info_guid, &len,
				   info);
	if (!EFI_ERROR(status)) {
		if (info->Attribute & EFI_FILE_DIRECTORY)
			status = EFI_NOT_FOUND;
		*size = info->FileSize;
	}
	uefi_call_wrapper(fw_bs->FreePool, 1, info);
	return status;
}

/* Read may return less than asked for, so loop until the end. */
static EFI_STATUS read_all(EFI_FILE_HANDLE fh, UINT8 *buf, UINT64 size)
{
	EFI_STATUS status;
	UINTN got;

	while (size) {
		got = size;
		status = uefi_call_wrapper(fh->Read, 3, fh, &got, buf);
		if (EFI_ERROR(status))
			return status;
		if (got == 0)
			return EFI_END_OF_FILE;
		buf += got;
		size -= got;
	}
	return EFI_SUCCESS;
}

EFI_STATUS file_load(EFI_FILE_HANDLE root, const char *path, UINT32 mem_type,
		     struct fw_pages *out, UINT64 *size)
{
	EFI_FILE_HANDLE fh;
	EFI_STATUS status;

	status = open_path(root, path, &fh);
	if (EFI_ERROR(status)) {
		boot_error("cannot open %s: %s", path, fw_status_name(status));
		return status;
	}
	status = file_size(fh, size);
	if (!EFI_ERROR(status))
		status = fw_alloc_pages(mem_type, *size, 0, out);
	if (!EFI_ERROR(status)) {
		status = read_all(fh, (UINT8 *)(UINTN)out->phys, *size);
		if (EFI_ERROR(status))
			fw_free_pages(out);
	}
	uefi_call_wrapper(fh->Close, 1, fh);
	if (EFI_ERROR(status))
		boot_error("cannot read %s: %s", path, fw_status_name(status));
	return status;
}

bool file_probe(void *ctx, const char *path)
{
	EFI_FILE_HANDLE fh;
	UINT64 size;
	bool found;

	if (EFI_ERROR(open_path(ctx, path, &fh)))
		return false;
	found = !EFI_ERROR(file_size(fh, &size));
	uefi_call_wrapper(fh->Close, 1, fh);
	return found;
}
