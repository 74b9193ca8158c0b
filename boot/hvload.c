/*
 * hvload: places hv.elf in its reservation.  hv is a static PIE, so the
 * loader applies its R_X86_64_RELATIVE relocations for the chosen base;
 * any other relocation type means hv was linked wrongly and is refused.
 */
#include "hvload.h"

#include <lib/string.h>

#include "console.h"
#include <lib/elf64.h>
#include "file.h"

#define HV_ALIGN (2 * FW_MIB)
/* Below 4 GiB, so 32-bit code such as the AP trampoline can reach hv. */
#define HV_MAX_ADDR 0xffffffffull

struct hv_layout {
	UINT64 image_end;
	UINT64 info_off;
	UINT64 config_off;
	UINT64 pool_off;
};

/* End of the highest PT_LOAD, or 0 when a segment's alignment cannot hold. */
static UINT64 image_span(const void *file)
{
	const struct elf64_ehdr *eh = file;
	const struct elf64_phdr *ph;
	UINT64 end = 0;
	unsigned int i;

	for (i = 0; i < eh->e_phnum; i++) {
		ph = elf_phdr(file, i);
		if (ph->p_type != PT_LOAD)
			continue;
		/* The base is only 2 MiB aligned; larger alignment cannot hold. */
		if (ph->p_align > HV_ALIGN || (ph->p_align & (ph->p_align - 1)))
			return 0;
		if (ph->p_vaddr + ph->p_memsz > end)
			end = ph->p_vaddr + ph->p_memsz;
	}
	return end;
}

static EFI_STATUS plan_layout(UINT64 span, UINT64 reservation,
			      struct hv_layout *lay)
{
	if (span == 0) {
		boot_error("%s: PT_LOAD alignment must be a power of 2 up to 2 MiB",
			   HV_PATH);
		return EFI_LOAD_ERROR;
	}
	if (span > reservation) {
		boot_error("%s: image (%llu KiB) does not fit the %llu MiB hv memory",
			   HV_PATH, (unsigned long long)(span / 1024),
			   (unsigned long long)(reservation / FW_MIB));
		return EFI_BUFFER_TOO_SMALL;
	}
	lay->image_end = span;
	lay->info_off = FW_ALIGN_UP(span, EFI_PAGE_SIZE);
	lay->config_off = FW_ALIGN_UP(lay->info_off + sizeof(struct boot_info),
				      EFI_PAGE_SIZE);
	lay->pool_off = FW_ALIGN_UP(lay->config_off + sizeof(struct hvcfg),
				    HV_ALIGN);
	if (lay->pool_off >= reservation) {
		boot_error("hv memory (%llu MiB) leaves no page pool: %s and boot data take %llu KiB",
			   (unsigned long long)(reservation / FW_MIB), HV_PATH,
			   (unsigned long long)((lay->config_off +
						 sizeof(struct hvcfg)) / 1024));
		return EFI_BUFFER_TOO_SMALL;
	}
	return EFI_SUCCESS;
}

static void copy_segments(const void *file, UINT8 *base, UINT64 clear)
{
	const struct elf64_ehdr *eh = file;
	const struct elf64_phdr *ph;
	unsigned int i;

	/* Zeroing everything first also zeroes each segment's bss part. */
	memset(base, 0, clear);
	for (i = 0; i < eh->e_phnum; i++) {
		ph = elf_phdr(file, i);
		if (ph->p_type == PT_LOAD)
			memcpy(base + ph->p_vaddr,
			       (const UINT8 *)file + ph->p_offset, ph->p_filesz);
	}
}

static const struct elf64_phdr *find_dynamic(const void *file)
{
	const struct elf64_ehdr *eh = file;
	unsigned int i;

	for (i = 0; i < eh->e_phnum; i++)
		if (elf_phdr(file, i)->p_type == PT_DYNAMIC)
			return elf_phdr(file, i);
	return NULL;
}

struct rela_table {
	UINT64 addr;
	UINT64 size;
	UINT64 entsize;
};

/* Relocation tables other than DT_RELA: hv was linked in a way we cannot load. */
static int unsupported_tag(const struct elf64_dyn *d)
{
	return d->d_tag == DT_REL || d->d_tag == DT_RELR ||
	       (d->d_tag == DT_PLTRELSZ && d->d_val != 0);
}

/* Reads DT_RELA* from the loaded dynamic section. */
static EFI_STATUS read_dynamic(const UINT8 *base, const struct elf64_phdr *dyn,
			       UINT64 span, struct rela_table *rt)
{
	const struct elf64_dyn *d = (const void *)(base + dyn->p_vaddr);
	UINT64 i, n = dyn->p_memsz / sizeof(*d);

	if (!elf_inside(dyn->p_vaddr, dyn->p_memsz, span) || dyn->p_vaddr % 8) {
		boot_error("%s: PT_DYNAMIC outside the loaded image", HV_PATH);
		return EFI_LOAD_ERROR;
	}
	for (i = 0; i < n && d[i].d_tag != DT_NULL; i++) {
		if (d[i].d_tag == DT_RELA)
			rt->addr = d[i].d_val;
		else if (d[i].d_tag == DT_RELASZ)
			rt->size = d[i].d_val;
		else if (d[i].d_tag == DT_RELAENT)
			rt->entsize = d[i].d_val;
		else if (unsupported_tag(&d[i])) {
			boot_error("%s: unsupported dynamic tag %lld (only DT_RELA relocations)",
				   HV_PATH, (long long)d[i].d_tag);
			return EFI_LOAD_ERROR;
		}
	}
	return EFI_SUCCESS;
}

static EFI_STATUS apply_relocations(UINT8 *base, const struct rela_table *rt,
				    UINT64 span)
{
	const struct elf64_rela *r = (const void *)(base + rt->addr);
	UINT64 i, value, type;

	if (rt->size == 0)
		return EFI_SUCCESS;
	if (rt->entsize != sizeof(*r) || rt->size % sizeof(*r) ||
	    rt->addr % 8 || !elf_inside(rt->addr, rt->size, span)) {
		boot_error("%s: bad DT_RELA table", HV_PATH);
		return EFI_LOAD_ERROR;
	}
	for (i = 0; i < rt->size / sizeof(*r); i++) {
		type = r[i].r_info & 0xffffffffu;
		if (type == R_X86_64_NONE)
			continue;
		if (type != R_X86_64_RELATIVE) {
			boot_error("%s: unsupported relocation type %llu at offset 0x%llx",
				   HV_PATH, (unsigned long long)type,
				   (unsigned long long)r[i].r_offset);
			return EFI_LOAD_ERROR;
		}
		if (!elf_inside(r[i].r_offset, sizeof(value), span)) {
			boot_error("%s: relocation at 0x%llx outside the image",
				   HV_PATH, (unsigned long long)r[i].r_offset);
			return EFI_LOAD_ERROR;
		}
		value = (UINT64)(UINTN)base + (UINT64)r[i].r_addend;
		memcpy(base + r[i].r_offset, &value, sizeof(value));
	}
	return EFI_SUCCESS;
}

static EFI_STATUS relocate(const void *file, UINT8 *base, UINT64 span)
{
	const struct elf64_phdr *dyn = find_dynamic(file);
	struct rela_table rt = { 0, 0, 0 };
	EFI_STATUS status;

	if (!dyn)
		return EFI_SUCCESS; /* nothing to relocate */
	status = read_dynamic(base, dyn, span, &rt);
	if (EFI_ERROR(status))
		return status;
	return apply_relocations(base, &rt, span);
}

/* The header of boot_info and the config copy; hv's part of the record. */
static struct boot_info *place_boot_data(UINT8 *base, UINT64 size,
					 const struct hv_layout *lay,
					 const struct hvcfg *cfg)
{
	struct boot_info *info = (void *)(base + lay->info_off);

	memset(info, 0, sizeof(*info));
	info->signature = BOOT_INFO_SIGNATURE;
	info->revision = BOOT_INFO_REVISION;
	info->size = sizeof(*info);
	info->hv_phys_base = (UINT64)(UINTN)base;
	info->hv_phys_size = size;
	info->hv_image_end = lay->image_end;
	info->pool_offset = lay->pool_off;
	memcpy(base + lay->config_off, cfg, sizeof(*cfg));
	info->config_phys = (UINT64)(UINTN)base + lay->config_off;
	info->config_size = sizeof(*cfg);
	return info;
}

/* Checks, places and relocates the hv.elf file bytes in the reservation. */
static EFI_STATUS place_hv(const void *file, UINT64 file_size,
			   const struct hvcfg *cfg, struct hv_loaded *out)
{
	const char *why = elf_check(file, file_size, ET_DYN);
	struct hv_layout lay;
	EFI_STATUS status;
	UINT8 *base;

	if (why) {
		boot_error("%s: %s", HV_PATH, why);
		return EFI_LOAD_ERROR;
	}
	status = plan_layout(image_span(file), cfg->hv_memory, &lay);
	if (EFI_ERROR(status))
		return status;
	status = fw_alloc_aligned(FW_MEM_HV, cfg->hv_memory, HV_ALIGN,
				  HV_MAX_ADDR, &out->reservation);
	if (EFI_ERROR(status)) {
		boot_error("cannot reserve %llu MiB for hv below 4 GiB: %s",
			   (unsigned long long)(cfg->hv_memory / FW_MIB),
			   fw_status_name(status));
		return status;
	}
	base = (UINT8 *)(UINTN)out->reservation.phys;
	copy_segments(file, base, lay.pool_off);
	status = relocate(file, base, lay.image_end);
	if (EFI_ERROR(status)) {
		fw_free_pages(&out->reservation);
		return status;
	}
	out->info = place_boot_data(base, cfg->hv_memory, &lay, cfg);
	out->entry = (UINT64)(UINTN)base +
		     ((const struct elf64_ehdr *)file)->e_entry;
	return EFI_SUCCESS;
}

EFI_STATUS hv_load(EFI_FILE_HANDLE root, const struct hvcfg *cfg,
		   struct hv_loaded *out)
{
	struct fw_pages file;
	UINT64 size;
	EFI_STATUS status;

	status = file_load(root, HV_PATH, EfiLoaderData, &file, &size);
	if (EFI_ERROR(status))
		return status;
	status = place_hv((const void *)(UINTN)file.phys, size, cfg, out);
	fw_free_pages(&file);
	if (EFI_ERROR(status))
		return status;
	boot_log("hv: %llu KiB image, %llu MiB reserved at 0x%llx, pool at +0x%llx",
		 (unsigned long long)(out->info->hv_image_end / 1024),
		 (unsigned long long)(cfg->hv_memory / FW_MIB),
		 (unsigned long long)out->reservation.phys,
		 (unsigned long long)out->info->pool_offset);
	return EFI_SUCCESS;
}
