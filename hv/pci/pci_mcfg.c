/*
 * Finding the ECAM window (PCI Express enhanced configuration access) in
 * ACPI: RSDP -> XSDT (or RSDT) -> MCFG.  Every table is checked (signature,
 * length, checksum, reachable through hv's identity map) before it is
 * read; a bad or absent table only means "no ECAM", never a crash.
 */
#include <pci/pci_dev.h>

#include <core/console.h>

#include <lib/string.h>

#define RSDP_V1_LEN 20u
#define RSDP_V2_LEN 36u
#define SDT_HEADER_LEN 36u
#define TABLE_MAX_LEN (1u << 20)      /* sanity limit for table lengths */
#define IDENTITY_LIMIT (4ull << 30)   /* always in hv's identity map */

/*
 * RSDP (ACPI 6.x, 5.2.5.3): signature at 0, first checksum over 20 bytes,
 * revision at 15, RSDT address 16, length 20, XSDT address 24.
 */
#define RSDP_REVISION 15u
#define RSDP_RSDT 16u
#define RSDP_LENGTH 20u
#define RSDP_XSDT 24u
/* MCFG (PCI Firmware 3.x, 4.1.2): header, 8 reserved bytes, then 16-byte entries of
 * base address (8), segment group (2), start bus (1), end bus (1), reserved (4). */
#define MCFG_ENTRIES 44u
#define MCFG_ENTRY_LEN 16u

static const struct boot_info *boot;

/* Whether [addr, addr + len) can be read: in hv's identity map and not wrapping. */
static bool readable(uint64_t addr, uint64_t len)
{
	if (addr == 0 || addr + len < addr)
		return false;
	if (addr + len <= IDENTITY_LIMIT)
		return true;
	for (uint32_t i = 0; i < boot->mem_region_count && i < BOOT_MAX_MEM_REGIONS; i++) {
		const struct boot_mem_region *r = &boot->mem[i];

		if (addr >= r->base && addr + len <= r->base + r->size)
			return true;
	}
	return false;
}

static uint8_t checksum(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *p++);
	return sum;
}

static uint32_t read32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v)); /* ACPI fields are unaligned */
	return v;
}

static uint64_t read64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The table at addr if it has signature sig and checks out, else NULL. */
static const uint8_t *table_at(uint64_t addr, const char *sig)
{
	const uint8_t *t = (const uint8_t *)addr;
	uint32_t len;

	if (!readable(addr, SDT_HEADER_LEN) || memcmp(t, sig, 4) != 0)
		return NULL;
	len = read32(t + 4);
	if (len < SDT_HEADER_LEN || len > TABLE_MAX_LEN || !readable(addr, len) ||
	    checksum(t, len) != 0) {
		log_warn("pci: ACPI table %s at 0x%llx is damaged; ignored", sig,
			 (unsigned long long)addr);
		return NULL;
	}
	return t;
}

/* The MCFG listed in the XSDT (8-byte entries) or RSDT (4-byte entries). */
static const uint8_t *find_mcfg(const uint8_t *root, uint32_t width)
{
	uint32_t n = (read32(root + 4) - SDT_HEADER_LEN) / width;

	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = root + SDT_HEADER_LEN + i * width;
		uint64_t addr = width == 8 ? read64(e) : read32(e);
		const uint8_t *t = readable(addr, 4) && memcmp((const void *)addr, "MCFG", 4) == 0 ?
				   table_at(addr, "MCFG") : NULL;

		if (t != NULL)
			return t;
	}
	return NULL;
}

static const uint8_t *root_table(uint64_t rsdp_phys)
{
	const uint8_t *rsdp = (const uint8_t *)rsdp_phys;
	const uint8_t *root = NULL;

	if (!readable(rsdp_phys, RSDP_V1_LEN) || memcmp(rsdp, "RSD PTR ", 8) != 0 ||
	    checksum(rsdp, RSDP_V1_LEN) != 0)
		return NULL;
	if (rsdp[RSDP_REVISION] >= 2 && readable(rsdp_phys, RSDP_V2_LEN) &&
	    read32(rsdp + RSDP_LENGTH) >= RSDP_V2_LEN &&
	    checksum(rsdp, RSDP_V2_LEN) == 0)
		root = table_at(read64(rsdp + RSDP_XSDT), "XSDT");
	return root != NULL ? root : table_at(read32(rsdp + RSDP_RSDT), "RSDT");
}

/* Takes the first usable segment-0 entry. */
static void use_mcfg(const uint8_t *mcfg)
{
	uint32_t len = read32(mcfg + 4);

	for (uint32_t off = MCFG_ENTRIES; off + MCFG_ENTRY_LEN <= len; off += MCFG_ENTRY_LEN) {
		const uint8_t *e = mcfg + off;
		uint64_t base = read64(e);
		uint16_t segment = (uint16_t)(e[8] | e[9] << 8);

		if (segment != 0 || e[10] > e[11] || (base & ((1ull << 20) - 1)) != 0 ||
		    base + ((uint64_t)e[11] + 1) * (1ull << 20) < base)
			continue;
		pci_ecam = (struct pci_ecam){ .present = true, .base = base,
					      .start_bus = e[10], .end_bus = e[11] };
		log_info("pci: ECAM at 0x%llx for buses %02x-%02x (ACPI MCFG)",
			 (unsigned long long)(base + ((uint64_t)e[10] << 20)), e[10], e[11]);
		return;
	}
	log_warn("pci: ACPI MCFG has no usable entry for segment 0");
}

void pci_mcfg_find(const struct boot_info *bi)
{
	const uint8_t *root, *mcfg = NULL;

	boot = bi;
	pci_ecam = (struct pci_ecam){ 0 };
	root = bi->rsdp_phys != 0 ? root_table(bi->rsdp_phys) : NULL;
	if (root != NULL)
		mcfg = find_mcfg(root, root[0] == 'X' ? 8 : 4);
	if (mcfg != NULL)
		use_mcfg(mcfg);
	else
		log_info("pci: no ACPI %s; configuration space through ports 0xcf8/0xcfc only",
			 root != NULL ? "MCFG" : "RSDP/XSDT/RSDT");
}
