/*
 * config: turns the text configuration on the ESP into the binary
 * struct hvcfg that hv receives, and makes sure the partition images and
 * initrds it names are there before anything is loaded.
 */
#include "config.h"

#include "console.h"
#include "file.h"
#include "fw.h"

void config_report(const struct hvcfg_error *err)
{
	if (err->line)
		boot_error("%s:%u: %s", CONFIG_PATH, (unsigned)err->line,
			   err->message);
	else
		boot_error("%s: %s", CONFIG_PATH, err->message);
}

EFI_STATUS config_load(EFI_FILE_HANDLE root, struct hvcfg *cfg)
{
	struct hvcfg_error err = { 0 };
	struct fw_pages text;
	UINT64 size;
	EFI_STATUS status;
	int rc;

	status = file_load(root, CONFIG_PATH, EfiLoaderData, &text, &size);
	if (EFI_ERROR(status))
		return status;
	rc = hvcfg_parse((const char *)(UINTN)text.phys, size, cfg, &err);
	fw_free_pages(&text);
	if (rc == 0)
		rc = hvcfg_check_images(cfg, file_probe, root, &err);
	if (rc != 0) {
		config_report(&err);
		return EFI_INVALID_PARAMETER;
	}
	boot_log("%s: %u partitions, hv memory %llu MiB", CONFIG_PATH,
		 (unsigned)cfg->partition_count,
		 (unsigned long long)(cfg->hv_memory / FW_MIB));
	return EFI_SUCCESS;
}

void config_check_cpus(const struct hvcfg *cfg, UINT32 cpu_count)
{
	const struct hvcfg_partition *p;
	UINT64 present;
	UINT32 i;

	present = cpu_count >= 64 ? ~0ull : (1ull << cpu_count) - 1;
	for (i = 0; i < cfg->partition_count; i++) {
		p = &cfg->partitions[i];
		if (p->cpu_mask & ~present)
			boot_warn("%s:%u: partition %s uses CPUs beyond the %u the MADT lists",
				  CONFIG_PATH, (unsigned)p->line, p->name,
				  (unsigned)cpu_count);
	}
}
