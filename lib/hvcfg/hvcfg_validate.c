/*
 * Validation of the binary configuration (struct hvcfg).  The parser runs
 * these rules as it reads each key, with that key's line; hv runs them all
 * again through hvcfg_validate() on what the loader handed over, because
 * hv trusts nothing it did not check itself.
 */
#include "hvcfg_internal.h"

#include <lib/format.h>
#include <lib/string.h>

#define HVCFG_MAX_PHYS (1ull << 46) /* highest placement we accept: 64 TiB */

int hvcfg_fail(struct hvcfg_error *err, uint32_t line, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	fmt_vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool hvcfg_name_valid(const char *name, size_t size)
{
	size_t len = strnlen(name, size);
	bool ok = len > 0 && len < size;

	for (size_t i = 0; ok && i < len; i++)
		ok = name_char_ok(name[i]);
	return ok;
}

int hvcfg_check_name(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
		     struct hvcfg_error *err)
{
	const char *name = cfg->partitions[idx].name;
	size_t len = strnlen(name, HVCFG_NAME_LEN);

	if (len == 0 || len >= HVCFG_NAME_LEN)
		return hvcfg_fail(err, line, "partition name must be 1-%u characters",
				  HVCFG_NAME_LEN - 1);
	if (!hvcfg_name_valid(name, HVCFG_NAME_LEN))
		return hvcfg_fail(err, line,
				  "partition name '%s' may hold only letters, digits, '_' and '-'",
				  name);
	for (uint32_t i = 0; i < idx; i++) {
		if (strcmp(cfg->partitions[i].name, name) == 0)
			return hvcfg_fail(err, line, "partition '%s' defined twice (first on line %u)",
					  name, cfg->partitions[i].line);
	}
	return 0;
}

int hvcfg_check_cpus(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
		     struct hvcfg_error *err)
{
	uint64_t mask = cfg->partitions[idx].cpu_mask;

	if (mask == 0)
		return hvcfg_fail(err, line, "partition '%s' has no CPUs",
				  cfg->partitions[idx].name);
	for (uint32_t i = 0; i < idx; i++) {
		uint64_t common = mask & cfg->partitions[i].cpu_mask;

		if (common != 0)
			return hvcfg_fail(err, line, "CPU %d given twice (also in partition '%s')",
					  __builtin_ctzll(common), cfg->partitions[i].name);
	}
	return 0;
}

static bool ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a < b + b_size && b < a + a_size;
}

int hvcfg_check_memory(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
		       struct hvcfg_error *err)
{
	const struct hvcfg_partition *p = &cfg->partitions[idx];

	if (p->memory_size < HVCFG_PART_MEMORY_MIN || p->memory_size > HVCFG_PART_MEMORY_MAX)
		return hvcfg_fail(err, line, "memory of partition '%s' must be 2M-64G, not %llu bytes",
				  p->name, (unsigned long long)p->memory_size);
	if (p->memory_size % HVCFG_MEMORY_ALIGN != 0 || p->memory_base % HVCFG_MEMORY_ALIGN != 0)
		return hvcfg_fail(err, line, "memory of partition '%s' must be a multiple of 2M and 2M-aligned",
				  p->name);
	if (p->memory_base != 0 && p->memory_base + p->memory_size > HVCFG_MAX_PHYS)
		return hvcfg_fail(err, line, "memory of partition '%s' ends beyond 64T", p->name);
	for (uint32_t i = 0; p->memory_base != 0 && i < idx; i++) {
		const struct hvcfg_partition *q = &cfg->partitions[i];

		if (q->memory_base != 0 &&
		    ranges_overlap(p->memory_base, p->memory_size, q->memory_base, q->memory_size))
			return hvcfg_fail(err, line, "memory of partition '%s' overlaps partition '%s'",
					  p->name, q->name);
	}
	return 0;
}

int hvcfg_check_pci(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
		    struct hvcfg_error *err)
{
	const struct hvcfg_partition *p = &cfg->partitions[idx];
	char bdf[8];

	if (p->pci_count > HVCFG_MAX_PCI)
		return hvcfg_fail(err, line, "partition '%s' has more than %u PCI devices",
				  p->name, HVCFG_MAX_PCI);
	for (uint32_t d = 0; d < p->pci_count; d++) {
		for (uint32_t i = 0; i <= idx; i++) {
			const struct hvcfg_partition *q = &cfg->partitions[i];
			uint32_t end = i == idx ? d : q->pci_count;

			for (uint32_t e = 0; e < end; e++) {
				if (q->pci[e] != p->pci[d])
					continue;
				hvcfg_format_bdf(p->pci[d], bdf);
				return hvcfg_fail(err, line, "PCI device %s given twice (also in partition '%s')",
						  bdf, q->name);
			}
		}
	}
	return 0;
}

/* key's value: an ESP path, printable, terminated within HVCFG_PATH_LEN. */
int hvcfg_check_esp_path(const char *path, const char *key, const char *owner,
			 const char *example, uint32_t line, struct hvcfg_error *err)
{
	size_t len = strnlen(path, HVCFG_PATH_LEN);

	if (len == 0 || len >= HVCFG_PATH_LEN || path[0] != '\\')
		return hvcfg_fail(err, line, "%s%s must be an ESP path like %s (< %u characters)",
				  key, owner, example, HVCFG_PATH_LEN);
	for (size_t i = 0; i < len; i++) {
		if (path[i] < 0x20 || path[i] > 0x7e || path[i] == '/')
			return hvcfg_fail(err, line, "%s path%s has a bad character", key, owner);
	}
	return 0;
}

static int check_path(const struct hvcfg *cfg, uint32_t idx, const char *path,
		      const char *key, const char *example, uint32_t line,
		      struct hvcfg_error *err)
{
	char owner[HVCFG_NAME_LEN + 20];

	fmt_snprintf(owner, sizeof(owner), " of partition '%s'", cfg->partitions[idx].name);
	return hvcfg_check_esp_path(path, key, owner, example, line, err);
}

int hvcfg_check_image(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
		      struct hvcfg_error *err)
{
	return check_path(cfg, idx, cfg->partitions[idx].image, "image", "\\hv\\name.elf",
			  line, err);
}

/* An initrd key present (it has a line) needs a path; absent, the path is "". */
int hvcfg_check_initrd(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
		       struct hvcfg_error *err)
{
	const struct hvcfg_partition *p = &cfg->partitions[idx];

	if (p->initrd_line == 0 && p->initrd[0] == '\0')
		return 0;
	return check_path(cfg, idx, p->initrd, "initrd", "\\hv\\initrd.img", line, err);
}

int hvcfg_check_complete(const struct hvcfg *cfg, uint32_t idx, struct hvcfg_error *err)
{
	const struct hvcfg_partition *p = &cfg->partitions[idx];
	const char *missing = NULL;

	if (p->cpu_mask == 0)
		missing = "cpus";
	else if (p->memory_size == 0)
		missing = "memory";
	else if (p->image[0] == '\0')
		missing = "image";
	if (missing != NULL)
		return hvcfg_fail(err, p->line, "partition '%s' has no '%s' key", p->name, missing);
	if (p->role > HVCFG_ROLE_ROOT)
		return hvcfg_fail(err, p->line, "partition '%s' has an unknown role", p->name);
	if (strnlen(p->cmdline, HVCFG_CMDLINE_LEN) >= HVCFG_CMDLINE_LEN)
		return hvcfg_fail(err, p->line, "command line of partition '%s' is not terminated",
				  p->name);
	return 0;
}

int hvcfg_check_hv_memory(const struct hvcfg *cfg, uint32_t line, struct hvcfg_error *err)
{
	if (cfg->hv_memory < HVCFG_HV_MEMORY_MIN || cfg->hv_memory > HVCFG_HV_MEMORY_MAX ||
	    cfg->hv_memory % HVCFG_MEMORY_ALIGN != 0)
		return hvcfg_fail(err, line, "hypervisor memory must be 8M-1G in steps of 2M");
	return 0;
}

/* A console that includes serial needs a port (serial = 0 turns the UART off). */
static int check_console(const struct hvcfg *cfg, uint32_t line, struct hvcfg_error *err)
{
	uint32_t at = cfg->console_line != 0 ? cfg->console_line : line;

	if (cfg->console > HVCFG_CONSOLE_BOTH)
		return hvcfg_fail(err, at, "unknown console %u", cfg->console);
	if (cfg->serial_port == 0 &&
	    (cfg->console == HVCFG_CONSOLE_SERIAL || cfg->console == HVCFG_CONSOLE_BOTH))
		return hvcfg_fail(err, at, "console = %s needs a serial port, and serial = 0",
				  hvcfg_console_name(cfg->console));
	return 0;
}

int hvcfg_check_global(const struct hvcfg *cfg, uint32_t line, struct hvcfg_error *err)
{
	uint32_t roots = 0, root = 0;

	if (hvcfg_check_hv_memory(cfg, line, err) != 0 || check_console(cfg, line, err) != 0)
		return -1;
	if (cfg->log_level > HVCFG_LOG_DEBUG)
		return hvcfg_fail(err, line, "unknown log level %u", cfg->log_level);
	if (cfg->partition_count == 0)
		return hvcfg_fail(err, line, "no [partition] sections");
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		if (cfg->partitions[i].role == HVCFG_ROLE_ROOT)
			roots++, root = i;
	}
	if (roots != 1)
		return hvcfg_fail(err, line, "exactly one partition needs 'role = root' (found %u)",
				  roots);
	if ((cfg->partitions[root].cpu_mask & 1) == 0)
		return hvcfg_fail(err, cfg->partitions[root].line,
				  "the root partition '%s' must own CPU 0", cfg->partitions[root].name);
	return 0;
}

static int check_partition(const struct hvcfg *cfg, uint32_t idx, struct hvcfg_error *err)
{
	uint32_t line = cfg->partitions[idx].line;

	if (hvcfg_check_name(cfg, idx, line, err) != 0 ||
	    hvcfg_check_complete(cfg, idx, err) != 0 ||
	    hvcfg_check_cpus(cfg, idx, line, err) != 0 ||
	    hvcfg_check_memory(cfg, idx, line, err) != 0 ||
	    hvcfg_check_pci(cfg, idx, line, err) != 0 ||
	    hvcfg_check_image(cfg, idx, cfg->partitions[idx].image_line, err) != 0 ||
	    hvcfg_check_initrd(cfg, idx, cfg->partitions[idx].initrd_line, err) != 0)
		return -1;
	return 0;
}

int hvcfg_validate(const struct hvcfg *cfg, struct hvcfg_error *err)
{
	if (memcmp(cfg->signature, HVCFG_SIGNATURE, sizeof(cfg->signature)) != 0)
		return hvcfg_fail(err, 0, "configuration signature is wrong");
	if (cfg->revision != HVCFG_REVISION)
		return hvcfg_fail(err, 0, "configuration revision %u, expected %u",
				  cfg->revision, HVCFG_REVISION);
	if (cfg->size != sizeof(*cfg))
		return hvcfg_fail(err, 0, "configuration size %u, expected %u",
				  cfg->size, (uint32_t)sizeof(*cfg));
	if (cfg->partition_count > HVCFG_MAX_PARTITIONS)
		return hvcfg_fail(err, 0, "%u partitions, at most %u", cfg->partition_count,
				  HVCFG_MAX_PARTITIONS);
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		if (check_partition(cfg, i, err) != 0)
			return -1;
	}
	if (hvcfg_check_global(cfg, 0, err) != 0)
		return -1;
	return hvcfg_check_mgmt(cfg, err);
}

int hvcfg_check_images(const struct hvcfg *cfg, hvcfg_image_probe probe,
		       void *ctx, struct hvcfg_error *err)
{
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		const struct hvcfg_partition *p = &cfg->partitions[i];

		if (!probe(ctx, p->image))
			return hvcfg_fail(err, p->image_line, "image '%s' of partition '%s' not found",
					  p->image, p->name);
		if (p->initrd[0] != '\0' && !probe(ctx, p->initrd))
			return hvcfg_fail(err, p->initrd_line, "initrd '%s' of partition '%s' not found",
					  p->initrd, p->name);
	}
	for (uint32_t i = 0; i < HV_MGMT_FILES; i++) {
		const struct hvcfg_file *f = &cfg->mgmt_files[i];

		if (f->path[0] != '\0' && !probe(ctx, f->path))
			return hvcfg_fail(err, f->line, "%s '%s' not found", hvcfg_mgmt_file_key(i),
					  f->path);
	}
	return 0;
}

void hvcfg_format_bdf(hvcfg_bdf bdf, char *buf)
{
	fmt_snprintf(buf, 8, "%02x:%02x.%x", bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
}

const char *hvcfg_console_name(uint32_t console)
{
	static const char *const names[] = { "default", "serial", "screen", "both" };

	return console <= HVCFG_CONSOLE_BOTH ? names[console] : "unknown";
}

const char *hvcfg_log_level_name(uint32_t level)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };

	return level <= HVCFG_LOG_DEBUG ? names[level] : "unknown";
}
