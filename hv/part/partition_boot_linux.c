/*
 * Starting a PC-platform partition from a Linux bzImage through the
 * 64-bit boot protocol (Documentation/x86/boot.rst): the protected-mode
 * kernel at its preferred address, the initrd high in RAM, the command
 * line, per-partition ACPI tables, the zero page with its e820 map, a
 * GDT with the protocol's selectors and identity page tables; then the
 * boot vCPU enters at the kernel's 64-bit entry with RSI = zero page.
 * Where each piece goes is hv/plat/boot_layout.h's plan.  Every area is
 * reached through partition_gpa_to_host, so a plan that leaves the
 * partition's RAM is an error, never a stray write.
 */
#include <part/partition_boot.h>

#include <lib/bzimage.h>
#include <lib/string.h>
#include <plat/acpi_tables.h>
#include <plat/boot_layout.h>

/* Host address of [gpa, gpa + size) in p's RAM; NULL (and *problem) if it is not. */
static void *area(struct partition *p, uint64_t gpa, uint64_t size, const char **problem)
{
	void *host = partition_gpa_to_host(p, gpa, size);

	if (host == NULL && *problem == NULL)
		*problem = "the boot layout does not fit the partition's RAM";
	return host;
}

static const char *write_acpi(struct partition *p, const struct boot_layout *l, uint64_t *rsdp)
{
	uint32_t apic_ids[HVCFG_MAX_CPUS];
	struct acpi_tables_config cfg = {
		.apic_ids = apic_ids, .cpu_count = p->vp_count, .oem_id = "HV",
		.oem_table_id = "HVPART", .oem_revision = 1, .hypervisor_id = "hv",
	};
	struct acpi_tables_info info;
	const char *problem = NULL;
	void *buf = area(p, l->acpi_gpa, l->acpi_size, &problem);
	enum acpi_error err;

	for (uint32_t i = 0; i < p->vp_count && i < HVCFG_MAX_CPUS; i++)
		apic_ids[i] = i; /* the virtual x2APIC id is the vCPU index */
	if (buf == NULL)
		return problem;
	err = acpi_build_tables(&cfg, l->acpi_gpa, buf, l->acpi_size, &info);
	if (err != ACPI_OK)
		return acpi_strerror(err);
	*rsdp = info.rsdp_gpa;
	return NULL;
}

static const char *copy_images(struct partition *p, const struct bzimage_info *info,
			       const struct boot_layout *l)
{
	const uint8_t *file = (const uint8_t *)p->image->phys;
	const char *problem = NULL;
	void *kernel = area(p, l->kernel_gpa, info->kernel_size, &problem);
	void *initrd = l->initrd_size ? area(p, l->initrd_gpa, l->initrd_size, &problem) : NULL;

	if (problem != NULL)
		return problem;
	memcpy(kernel, file + info->kernel_offset, info->kernel_size);
	if (initrd != NULL)
		memcpy(initrd, (const void *)p->image->initrd_phys, l->initrd_size);
	return NULL;
}

/* The command line, the zero page, the page tables, the GDT and the reset stub. */
static const char *write_boot_data(struct partition *p, const struct bzimage_info *info,
				   const struct boot_layout *l, const struct boot_memory *mem,
				   uint64_t rsdp)
{
	const uint8_t *file = (const uint8_t *)p->image->phys;
	const char *problem = NULL;
	void *cmdline = area(p, l->cmdline_gpa, l->cmdline_max, &problem);
	void *zero_page = area(p, l->boot_params_gpa, BOOT_PARAMS_SIZE, &problem);
	void *tables = area(p, l->page_tables_gpa, l->page_tables_size, &problem);
	void *gdt = area(p, l->gdt_gpa, BOOT_GDT_SIZE, &problem);
	void *reset = area(p, BOOT_RESET_VECTOR_GPA, BOOT_RESET_STUB_SIZE, &problem);
	struct boot_params_args args;
	enum boot_error err;

	if (problem != NULL)
		return problem;
	err = boot_cmdline_write(cmdline, l->cmdline_max, p->cfg->cmdline, info);
	if (err == BOOT_OK) {
		boot_layout_params_args(l, mem, rsdp, &args);
		err = boot_params_build(zero_page, BOOT_PARAMS_SIZE, file, p->image->size, info,
					&args);
	}
	if (err == BOOT_OK)
		err = boot_page_tables_build(mem, l->gb_pages, tables, l->page_tables_size,
					     l->page_tables_gpa);
	if (err == BOOT_OK)
		err = boot_gdt_build(gdt, BOOT_GDT_SIZE);
	if (err == BOOT_OK)
		err = boot_reset_stub_build(reset, BOOT_RESET_STUB_SIZE);
	return err == BOOT_OK ? NULL : boot_strerror(err);
}

const char *partition_boot_linux(struct partition *p, struct vcpu_boot_state *boot)
{
	const struct boot_memory mem = { p->ram_size, PARTITION_MMIO_HOLE_START,
					 PARTITION_MMIO_HOLE_END };
	struct bzimage_info info;
	struct boot_layout l;
	enum bzimage_error image_err;
	enum boot_error err;
	uint64_t rsdp = 0;
	const char *problem;

	image_err = bzimage_parse((const uint8_t *)p->image->phys, p->image->size, &info);
	if (image_err != BZIMAGE_OK)
		return bzimage_strerror(image_err);
	err = boot_layout_plan(&info, &mem, p->image->initrd_size, false, &l);
	if (err != BOOT_OK)
		return boot_strerror(err);
	memset((void *)p->ram_hpa, 0, BOOT_LOW_MEMORY_END);
	problem = copy_images(p, &info, &l);
	if (problem == NULL)
		problem = write_acpi(p, &l, &rsdp);
	if (problem == NULL)
		problem = write_boot_data(p, &info, &l, &mem, rsdp);
	if (problem != NULL)
		return problem;
	*boot = (struct vcpu_boot_state){
		.rip = l.entry_gpa,
		.rsp = l.stack_top,
		.rsi = l.boot_params_gpa,
		.cr0 = PARTITION_BOOT_CR0,
		.cr3 = l.page_tables_gpa,
		.cr4 = PARTITION_BOOT_CR4,
		.efer = PARTITION_BOOT_EFER,
		.gdt_base = l.gdt_gpa,
		.gdt_limit = BOOT_GDT_SIZE - 1,
		.code_selector = BOOT_CS,
		.data_selector = BOOT_DS,
		.wait_in_host = true,
	};
	return NULL;
}
