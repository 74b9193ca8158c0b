/*
 * main: the UEFI entry point of BOOTX64.EFI.  Runs the loading steps in
 * order (config, hv, partition images, the management API's TLS files,
 * AP trampoline, ACPI, screen, memory map), then leaves boot services and
 * jumps to hv.  Any failure frees what was
 * taken, leaves the message on screen for a while and returns to the
 * firmware; hv is entered only with every step complete.
 */
#include <efi.h>

#include "config.h"
#include "console.h"
#include "cpus.h"
#include "file.h"
#include "fw.h"
#include "hvload.h"
#include "images.h"
#include "memmap.h"
#include "mgmt_files.h"
#include "screen.h"

#define TRAMPOLINE_MAX 0x9ffffull /* below 640 KiB: SIPI vectors reach it */
#define ERROR_PAUSE_SECONDS 5

/* Everything the loader holds; static because struct hvcfg is large. */
struct loader {
	EFI_FILE_HANDLE root;
	struct hvcfg cfg;
	struct hv_loaded hv;
	struct images_loaded images;
	struct mgmt_files_loaded mgmt_files;
	struct fw_pages trampoline;
};

static struct loader ld;

static EFI_STATUS alloc_trampoline(struct fw_pages *out)
{
	struct fw_pages first = { 0, 0 };
	EFI_STATUS status;

	status = fw_alloc_pages(FW_MEM_TRAMPOLINE, EFI_PAGE_SIZE,
				TRAMPOLINE_MAX, &first);
	/* Page 0 would read as "no trampoline" in boot_info: take another. */
	if (!EFI_ERROR(status) && first.phys == 0) {
		status = fw_alloc_pages(FW_MEM_TRAMPOLINE, EFI_PAGE_SIZE,
					TRAMPOLINE_MAX, out);
		fw_free_pages(&first);
	} else if (!EFI_ERROR(status)) {
		*out = first;
	}
	if (EFI_ERROR(status))
		boot_error("cannot allocate the AP start-up page below 640 KiB: %s",
			   fw_status_name(status));
	return status;
}

static EFI_STATUS prepare(EFI_HANDLE image, struct loader *l)
{
	EFI_STATUS status;

	status = file_open_volume(image, &l->root);
	if (!EFI_ERROR(status))
		status = config_load(l->root, &l->cfg);
	if (!EFI_ERROR(status))
		status = hv_load(l->root, &l->cfg, &l->hv);
	if (!EFI_ERROR(status))
		status = images_load(l->root, &l->cfg, l->hv.info, &l->images);
	if (!EFI_ERROR(status))
		status = mgmt_files_load(l->root, &l->cfg, l->hv.info, &l->mgmt_files);
	if (!EFI_ERROR(status))
		status = alloc_trampoline(&l->trampoline);
	if (EFI_ERROR(status))
		return status;
	l->hv.info->trampoline_phys = l->trampoline.phys;
	cpus_collect(l->hv.info);
	screen_find(&l->hv.info->fb);
	config_check_cpus(&l->cfg, l->hv.info->cpu_count);
	file_close_volume(l->root);
	l->root = NULL;
	return EFI_SUCCESS;
}

static EFI_STATUS give_up(struct loader *l, EFI_STATUS status)
{
	fw_free_pages(&l->trampoline);
	mgmt_files_free(&l->mgmt_files);
	images_free(&l->images);
	fw_free_pages(&l->hv.reservation);
	file_close_volume(l->root);
	l->root = NULL;
	boot_log("returning to the firmware (%s) in %u s",
		 fw_status_name(status), ERROR_PAUSE_SECONDS);
	fw_stall_seconds(ERROR_PAUSE_SECONDS);
	return status;
}

typedef void (*hv_entry_fn)(struct boot_info *info);

static void __attribute__((noreturn)) start_hv(UINT64 entry,
					       struct boot_info *info)
{
	hv_entry_fn hv_entry = (hv_entry_fn)(UINTN)entry;

	/* The firmware's interrupt handlers went away with boot services. */
	__asm__ volatile("cli" ::: "memory");
	hv_entry(info);
	/* hv never returns, and there is no firmware left to return to. */
	for (;;)
		__asm__ volatile("cli; hlt");
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_STATUS status;

	fw_init(st);
	boot_log("hvboot %s", HVBOOT_VERSION);
	status = prepare(image, &ld);
	if (EFI_ERROR(status))
		return give_up(&ld, status);
	boot_log("starting hv at 0x%llx", (unsigned long long)ld.hv.entry);
	status = memmap_exit_boot_services(image, ld.hv.info);
	if (EFI_ERROR(status))
		return give_up(&ld, status);
	start_hv(ld.hv.entry, ld.hv.info);
}
