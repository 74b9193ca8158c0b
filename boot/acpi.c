/*
 * acpi: reads just enough ACPI to enumerate the CPUs.  Every table is
 * checksum-verified and every MADT entry length-checked, since a bad
 * table must cost a warning, not a crash.
 */
#include "acpi.h"

#include <stddef.h>

#include <lib/string.h>

#include "console.h"
#include "cpus.h"
#include "fw.h"

struct rsdp {
	char signature[8];
	UINT8 checksum;
	char oem_id[6];
	UINT8 revision;
	UINT32 rsdt;
	UINT32 length; /* revision >= 2 from here on */
	UINT64 xsdt;
	UINT8 ext_checksum;
	UINT8 reserved[3];
} __attribute__((packed));

struct sdt_header {
	char signature[4];
	UINT32 length;
	UINT8 revision;
	UINT8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	UINT32 oem_revision;
	UINT32 creator_id;
	UINT32 creator_revision;
} __attribute__((packed));

#define MADT_ENTRIES_OFF (sizeof(struct sdt_header) + 8) /* + LAPIC addr, flags */
#define MADT_LAPIC 0
#define MADT_X2APIC 9
#define MADT_ENABLED 1u
#define RSDP_V1_LEN 20u
#define TABLE_MAX_LEN (16u * 1024u * 1024u) /* sanity limit for lengths */

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;

static UINT8 sum_bytes(const void *p, UINT64 len)
{
	const UINT8 *b = p;
	UINT8 sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

static int rsdp_valid(const struct rsdp *r)
{
	if (memcmp(r->signature, "RSD PTR ", 8) || sum_bytes(r, RSDP_V1_LEN))
		return 0;
	if (r->revision < 2)
		return 1;
	return r->length >= sizeof(*r) && r->length <= TABLE_MAX_LEN &&
	       sum_bytes(r, r->length) == 0;
}

/* The RSDP under guid in the configuration table, if it checks out. */
static const struct rsdp *find_rsdp(EFI_GUID *guid)
{
	EFI_CONFIGURATION_TABLE *t = fw_st->ConfigurationTable;
	UINTN i;

	for (i = 0; i < fw_st->NumberOfTableEntries; i++) {
		if (memcmp(&t[i].VendorGuid, guid, sizeof(*guid)))
			continue;
		if (rsdp_valid(t[i].VendorTable))
			return t[i].VendorTable;
		boot_warn("ACPI RSDP at %p fails its checksum", t[i].VendorTable);
	}
	return NULL;
}

static const struct sdt_header *table_at(UINT64 phys, const char *sig)
{
	const struct sdt_header *h = (const void *)(UINTN)phys;

	if (!h || memcmp(h->signature, sig, 4))
		return NULL;
	if (h->length < sizeof(*h) || h->length > TABLE_MAX_LEN ||
	    sum_bytes(h, h->length)) {
		boot_warn("ACPI table %.4s at %p fails its checksum", sig, h);
		return NULL;
	}
	return h;
}

/* The MADT from the XSDT (ACPI 2.0+) or else the RSDT. */
static const struct sdt_header *find_madt(const struct rsdp *r)
{
	const struct sdt_header *root = NULL;
	UINT64 entry, width = 8, i, n;

	if (r->revision >= 2 && r->xsdt)
		root = table_at(r->xsdt, "XSDT");
	if (!root) {
		root = table_at(r->rsdt, "RSDT");
		width = 4;
	}
	if (!root)
		return NULL;
	n = (root->length - sizeof(*root)) / width;
	for (i = 0; i < n; i++) {
		entry = 0; /* entries are unaligned, hence the copy */
		memcpy(&entry, (const UINT8 *)(root + 1) + i * width, width);
		if (table_at(entry, "APIC"))
			return (const void *)(UINTN)entry;
	}
	return NULL;
}

/* Adds the enabled local APIC and x2APIC entries; 0 if the MADT is bad. */
static int walk_madt(const struct sdt_header *madt, struct cpu_list *l)
{
	const UINT8 *p = (const void *)madt;
	UINT32 off = MADT_ENTRIES_OFF, id, flags;

	while (off + 2 <= madt->length) {
		if (p[off + 1] < 2 || p[off + 1] > madt->length - off)
			return 0;
		if (p[off] == MADT_LAPIC && p[off + 1] >= 8) {
			id = p[off + 3];
			memcpy(&flags, p + off + 4, 4);
		} else if (p[off] == MADT_X2APIC && p[off + 1] >= 16) {
			memcpy(&id, p + off + 4, 4);
			memcpy(&flags, p + off + 8, 4);
		} else {
			id = 0;
			flags = 0;
		}
		if (flags & MADT_ENABLED)
			cpus_add(l, id);
		off += p[off + 1];
	}
	return 1;
}

const void *acpi_find_rsdp(void)
{
	const struct rsdp *r = find_rsdp(&acpi20_guid);

	return r ? r : find_rsdp(&acpi10_guid);
}

int acpi_add_madt_cpus(const void *rsdp, struct cpu_list *l)
{
	const struct sdt_header *madt = rsdp ? find_madt(rsdp) : NULL;

	if (!madt)
		return 0;
	if (!walk_madt(madt, l))
		boot_warn("malformed MADT entry; CPU list may be incomplete");
	return 1;
}
