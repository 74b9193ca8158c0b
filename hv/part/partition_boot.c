/*
 * Builds a partition's start-up memory (layout in include/hv/start_info.h):
 * the ELF segments at their physical addresses, start_info at 0x1000, a
 * GDT at 0x2000 and page tables from 0x3000 that identity-map the RAM with
 * 2 MiB pages.  The kernel starts in 64-bit mode with paging on, so it
 * needs no real-mode or 32-bit start-up code of its own.
 */
#include <part/partition_boot.h>

#include <arch/x86.h>
#include <hv/start_info.h>
#include <lib/elf64.h>
#include <lib/string.h>

#define GDT_GPA 0x2000ull
#define PML4_GPA 0x3000ull
#define PDPT_GPA 0x4000ull
#define PD_GPA 0x5000ull
#define KERNEL_MIN_GPA 0x200000ull /* below: hv's start-up data */
#define SIZE_2M (1ull << 21)
#define SIZE_1G (1ull << 30)
#define PTE_P 1ull
#define PTE_RW 2ull
#define PTE_PS 0x80ull

static const char *load_segments(struct partition *p)
{
	const void *file = (const void *)p->image->phys;
	const struct elf64_ehdr *eh = file;
	const char *problem = elf_check(file, p->image->size, ET_EXEC);

	if (problem != NULL)
		return problem;
	for (uint16_t i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *ph = elf_phdr(file, i);
		uint8_t *dst;

		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_paddr < KERNEL_MIN_GPA)
			return "a segment lies below 2 MiB, where hv keeps start-up data";
		dst = partition_gpa_to_host(p, ph->p_paddr, ph->p_memsz);
		if (dst == NULL)
			return "a segment lies outside the partition's RAM";
		memcpy(dst, (const uint8_t *)file + ph->p_offset, ph->p_filesz);
		memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
	}
	if (partition_gpa_to_host(p, eh->e_entry, 1) == NULL || eh->e_entry < KERNEL_MIN_GPA)
		return "the entry point lies outside the kernel's RAM";
	return NULL;
}

static void write_start_info(struct partition *p)
{
	struct start_info *si = partition_gpa_to_host(p, START_INFO_GPA, sizeof(*si));

	memset(si, 0, sizeof(*si));
	si->signature = START_INFO_SIGNATURE;
	si->revision = START_INFO_REVISION;
	si->size = sizeof(*si);
	si->flags = p->cfg->role == HVCFG_ROLE_ROOT ? START_INFO_FLAG_ROOT : 0;
	si->partition_id = p->id;
	si->memory_size = p->ram_size;
	si->vp_count = p->vp_count;
	lib_strlcpy(si->name, p->cfg->name, sizeof(si->name));
	lib_strlcpy(si->cmdline, p->cfg->cmdline, sizeof(si->cmdline));
	si->dma_base = p->cfg->pci_count > 0 ? p->ram_hpa : 0;
}

/* Identity map of [0, ram_size) with 2 MiB pages: PML4 -> PDPT -> one PD per GiB. */
static const char *write_page_tables(struct partition *p)
{
	uint64_t pds = (p->ram_size + SIZE_1G - 1) / SIZE_1G;
	uint64_t *pml4 = partition_gpa_to_host(p, PML4_GPA, PAGE_SIZE);
	uint64_t *pdpt = partition_gpa_to_host(p, PDPT_GPA, PAGE_SIZE);
	uint64_t *pd = partition_gpa_to_host(p, PD_GPA, pds * PAGE_SIZE);

	if (pd == NULL || PD_GPA + pds * PAGE_SIZE > KERNEL_MIN_GPA || pds > 512)
		return "the partition's RAM needs more page tables than fit below 2 MiB";
	memset(pml4, 0, PAGE_SIZE);
	memset(pdpt, 0, PAGE_SIZE);
	memset(pd, 0, pds * PAGE_SIZE);
	pml4[0] = PDPT_GPA | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < pds; i++)
		pdpt[i] = (PD_GPA + i * PAGE_SIZE) | PTE_P | PTE_RW;
	for (uint64_t a = 0; a < p->ram_size; a += SIZE_2M)
		pd[a / SIZE_2M] = a | PTE_P | PTE_RW | PTE_PS;
	return NULL;
}

static void write_gdt(struct partition *p)
{
	uint64_t *gdt = partition_gpa_to_host(p, GDT_GPA, 3 * sizeof(uint64_t));

	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffull; /* 0x08: 64-bit code, accessed */
	gdt[2] = 0x00cf93000000ffffull; /* 0x10: data, accessed */
}

const char *partition_boot_prepare(struct partition *p, struct vcpu_boot_state *boot)
{
	const char *problem;

	if (p->image->kind == BOOT_IMAGE_BZIMAGE)
		return partition_boot_linux(p, boot);
	memset((void *)p->ram_hpa, 0, KERNEL_MIN_GPA);
	problem = load_segments(p);
	if (problem == NULL)
		problem = write_page_tables(p);
	if (problem != NULL)
		return problem;
	write_start_info(p);
	write_gdt(p);
	*boot = (struct vcpu_boot_state){
		.rip = ((const struct elf64_ehdr *)p->image->phys)->e_entry,
		.rsp = START_INFO_GPA, /* the kernel switches to its own stack at once */
		.rdi = START_INFO_GPA,
		.cr0 = PARTITION_BOOT_CR0,
		.cr3 = PML4_GPA,
		.cr4 = PARTITION_BOOT_CR4,
		.efer = PARTITION_BOOT_EFER,
		.gdt_base = GDT_GPA,
		.gdt_limit = 3 * sizeof(uint64_t) - 1,
		.code_selector = 0x08,
		.data_selector = 0x10,
	};
	return NULL;
}
