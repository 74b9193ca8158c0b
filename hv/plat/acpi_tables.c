/*
 * The partition's ACPI tables (see acpi_tables.h).  The build is in two
 * steps: plan the offsets (the MADT's length depends on the APIC ids,
 * the DSDT's on its AML, emitted first into a scratch buffer), check
 * the caller's buffer, then write every table and its checksum.
 */
#include <plat/acpi_tables.h>

#include <stdbool.h>

#include <lib/string.h>

#include <plat/aml.h>

/* Every table: the 36-byte System Description Table Header (ACPI 6.3, 5.2.6). */
#define HDR_SIGNATURE 0
#define HDR_LENGTH 4
#define HDR_REVISION 8
#define HDR_CHECKSUM 9
#define HDR_OEM_ID 10           /* 6 bytes */
#define HDR_OEM_TABLE_ID 16     /* 8 bytes */
#define HDR_OEM_REVISION 24
#define HDR_CREATOR_ID 28
#define HDR_CREATOR_REVISION 32
#define HDR_SIZE 36
#define OEM_ID_SIZE 6
#define OEM_TABLE_ID_SIZE 8

/* RSDP, revision 2 (5.2.5.3): 20 bytes of ACPI 1.0 fields, 36 in all. */
#define RSDP_SIGNATURE 0        /* "RSD PTR " */
#define RSDP_CHECKSUM 8         /* over the first 20 bytes */
#define RSDP_OEM_ID 9
#define RSDP_REVISION 15
#define RSDP_RSDT_ADDRESS 16    /* 0: no RSDT */
#define RSDP_LENGTH 20
#define RSDP_XSDT_ADDRESS 24
#define RSDP_EXT_CHECKSUM 32    /* over all 36 bytes */
#define RSDP_V1_SIZE 20
#define RSDP_SIZE 36

/* XSDT (5.2.8): the header, then one 64-bit table address per entry. */
#define XSDT_REVISION 1
#define XSDT_ENTRIES 2          /* FADT, MADT; the FADT points at the DSDT */

/* FADT (5.2.9), revision 6.3: 276 bytes. */
#define FADT_REVISION 6
#define FADT_MINOR_VERSION_VALUE 3
#define FADT_DSDT 40            /* 32-bit copy of X_DSDT while below 4 GiB */
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_MINOR_VERSION 131
#define FADT_X_DSDT 140
#define FADT_SLEEP_CONTROL_REG 244
#define FADT_SLEEP_STATUS_REG 256
#define FADT_HYPERVISOR_ID 268  /* 8 bytes */
#define FADT_SIZE 276
#define HYPERVISOR_ID_SIZE 8

/*
 * IAPC_BOOT_ARCH (5.2.9.3): no legacy ISA devices, no 8042, so Linux
 * probes neither; no VGA, no CMOS RTC.  MSI stays allowed: with no
 * IO-APIC, MSIs are how an assigned PCI device could interrupt.
 */
#define IAPC_VGA_NOT_PRESENT (1u << 2)
#define IAPC_CMOS_RTC_NOT_PRESENT (1u << 5)

/*
 * FADT fixed feature flags (5.2.9).  WBINVD and C1 are what any x86 CPU
 * does; the buttons are "control method" because there are none as
 * fixed hardware; physical destination mode makes Linux drive the x2APIC
 * with physical ids only (x2apic_phys), so hv's virtual x2APIC needs no
 * logical (cluster) destinations.
 */
#define FADT_WBINVD (1u << 0)
#define FADT_PROC_C1 (1u << 2)
#define FADT_PWR_BUTTON (1u << 4)
#define FADT_SLP_BUTTON (1u << 5)
#define FADT_RESET_REG_SUP (1u << 10)
#define FADT_FORCE_APIC_PHYSICAL (1u << 19)
#define FADT_HW_REDUCED_ACPI (1u << 20)

/* Generic Address Structure (5.2.3.2): 12 bytes. */
#define GAS_SPACE_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1
#define GAS_SIZE 12

/* MADT (5.2.12), revision 5 (ACPI 6.3). */
#define MADT_REVISION 5
#define MADT_LOCAL_APIC_ADDRESS 36
#define MADT_FLAGS 40           /* 0: no PCAT_COMPAT, there are no 8259s */
#define MADT_HEADER_SIZE 44
#define MADT_TYPE_LOCAL_APIC 0  /* 8 bytes: type, length, UID (8 bits), APIC id (8 bits), flags */
#define MADT_TYPE_LOCAL_X2APIC 9 /* 16 bytes: type, length, 2 reserved, x2APIC id, flags, UID */
#define MADT_LOCAL_APIC_SIZE 8
#define MADT_LOCAL_X2APIC_SIZE 16
#define MADT_ENABLED 1u
#define XAPIC_ID_LIMIT 0xffu    /* 0xff is the xAPIC broadcast id */
#define APIC_ID_INVALID 0xffffffffu

/* DSDT (5.2.11.1): revision 2 makes AML integers 64 bits wide. */
#define DSDT_REVISION 2

#define SIZE_4G (1ull << 32)

struct table_plan {
	size_t rsdp, xsdt, fadt, madt, dsdt; /* offsets in the buffer */
	size_t xsdt_len, madt_len, dsdt_len;
	size_t total;
};

/*
 * The DSDT's AML is the same for every partition (about 100 bytes); the
 * scratch buffer also holds the 3 spare bytes each open package reserves
 * until aml_pkg_end.
 */
#define DSDT_AML_MAX 256

struct dsdt_aml {
	uint8_t bytes[DSDT_AML_MAX];
	size_t len;
};

/* Writes that stay inside the buffer: the plan guarantees it, this double-checks. */
struct writer {
	uint8_t *buf;
	size_t cap;
};

static const char *const acpi_errors[ACPI_ERR_COUNT] = {
	[ACPI_OK] = "no error",
	[ACPI_ERR_BUFFER_TOO_SMALL] = "the buffer is too small for the ACPI tables",
	[ACPI_ERR_CPU_COUNT] = "the partition has no vCPU or more than the MADT builder accepts",
	[ACPI_ERR_APIC_ID] = "an APIC id is 0xffffffff or given twice",
	[ACPI_ERR_OEM_ID] = "an OEM or hypervisor id is missing or too long",
	[ACPI_ERR_ADDRESS] = "the tables' address is not 16-byte aligned or wraps",
	[ACPI_ERR_AML] = "the DSDT's AML could not be encoded",
};

const char *acpi_strerror(enum acpi_error err)
{
	if ((unsigned int)err >= ACPI_ERR_COUNT)
		return "unknown ACPI error";
	return acpi_errors[err];
}

static void put_bytes(struct writer *w, size_t off, const void *src, size_t n)
{
	if (off <= w->cap && n <= w->cap - off)
		memcpy(w->buf + off, src, n);
}

static void put_le(struct writer *w, size_t off, uint64_t v, size_t n)
{
	uint8_t b[8];

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put_bytes(w, off, b, n);
}

/* A string in a fixed-width field, padded with `pad`. */
static void put_padded(struct writer *w, size_t off, const char *s, size_t width, char pad)
{
	char field[OEM_TABLE_ID_SIZE];
	size_t len = s != NULL ? strnlen(s, width) : 0;

	memset(field, pad, sizeof(field));
	if (len > 0)
		memcpy(field, s, len);
	put_bytes(w, off, field, width);
}

static uint8_t sum_bytes(const struct writer *w, size_t off, size_t len)
{
	uint8_t sum = 0;

	if (off > w->cap || len > w->cap - off)
		return 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + w->buf[off + i]);
	return sum;
}

/* Sets the checksum byte (zero while summing) so that [off, off + len) sums to zero. */
static void put_checksum(struct writer *w, size_t off, size_t len, size_t checksum_off)
{
	put_le(w, checksum_off, 0, 1);
	put_le(w, checksum_off, (uint8_t)-sum_bytes(w, off, len), 1);
}

static void put_header(struct writer *w, size_t off, const char *signature, size_t length,
		       uint8_t revision, const struct acpi_tables_config *cfg)
{
	put_bytes(w, off + HDR_SIGNATURE, signature, 4);
	put_le(w, off + HDR_LENGTH, length, 4);
	put_le(w, off + HDR_REVISION, revision, 1);
	put_padded(w, off + HDR_OEM_ID, cfg->oem_id, OEM_ID_SIZE, ' ');
	put_padded(w, off + HDR_OEM_TABLE_ID, cfg->oem_table_id, OEM_TABLE_ID_SIZE, ' ');
	put_le(w, off + HDR_OEM_REVISION, cfg->oem_revision, 4);
	put_bytes(w, off + HDR_CREATOR_ID, ACPI_CREATOR_ID, 4);
	put_le(w, off + HDR_CREATOR_REVISION, ACPI_CREATOR_REVISION, 4);
}

/* An 8-bit register in System I/O space, accessed with byte accesses. */
static void put_gas_io8(struct writer *w, size_t off, uint16_t port)
{
	const uint8_t gas[4] = { GAS_SPACE_SYSTEM_IO, 8, 0, GAS_ACCESS_BYTE };

	put_bytes(w, off, gas, sizeof(gas));
	put_le(w, off + 4, port, 8);
}

static size_t align16(size_t v)
{
	return (v + ACPI_TABLES_ALIGN - 1) & ~(size_t)(ACPI_TABLES_ALIGN - 1);
}

/*
 * Processors with an id below 255 get a Processor Local APIC entry and
 * the others a Processor Local x2APIC entry, as ACPI 6.3 (5.2.12.12)
 * requires and QEMU does; Linux registers both kinds alike, in x2APIC
 * mode too.  The ACPI processor UID is the vCPU's index.
 */
static bool madt_uses_xapic_entry(uint32_t apic_id, uint32_t index)
{
	return apic_id < XAPIC_ID_LIMIT && index < XAPIC_ID_LIMIT;
}

static size_t madt_length(const struct acpi_tables_config *cfg)
{
	size_t len = MADT_HEADER_SIZE;

	for (uint32_t i = 0; i < cfg->cpu_count; i++)
		len += madt_uses_xapic_entry(cfg->apic_ids[i], i) ? MADT_LOCAL_APIC_SIZE :
								     MADT_LOCAL_X2APIC_SIZE;
	return len;
}

/*
 * The DSDT's AML, as ASL:
 *   Name (\_S5_, Package (4) { 5, 5, 0, 0 })
 *   Scope (\_SB_) {
 *     Device (VMBS) { Name (_HID, "VMBUS")  Name (_UID, 0)
 *                     Name (_CRS, ResourceTemplate () {}) }
 *     Device (COM1) { Name (_HID, EisaId ("PNP0501"))  Name (_UID, 1)
 *                     Name (_CRS, ResourceTemplate () { IO (Decode16, 0x3f8, 0x3f8, 1, 8) }) }
 *   }
 * hv_vmbus binds to _HID "VMBUS" and accepts an empty _CRS.  COM1 has no
 * IRQ: hv's UART is polled, and Linux's 8250 driver polls a port without
 * one.  \_S5_ gives SLP_TYP 5, which hv recognises in the sleep control
 * register (hardware-reduced ACPI uses only the first value).
 */
static void emit_dsdt_aml(struct aml *a)
{
	uint8_t io[AML_IO_DESC_SIZE];
	size_t scope, dev, pkg;

	aml_name(a, "\\_S5_");
	pkg = aml_package_begin(a, 4);
	aml_integer(a, ACPI_SLP_TYP_S5);
	aml_integer(a, ACPI_SLP_TYP_S5);
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_pkg_end(a, pkg);

	scope = aml_scope_begin(a, "\\_SB_");
	dev = aml_device_begin(a, "VMBS");
	aml_name(a, "_HID");
	aml_string(a, "VMBUS");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_CRS");
	aml_resource_template(a, NULL, 0);
	aml_pkg_end(a, dev);

	dev = aml_device_begin(a, "COM1");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0501");
	aml_name(a, "_UID");
	aml_integer(a, 1);
	aml_name(a, "_CRS");
	aml_io_desc(io, ACPI_COM1_PORT, ACPI_COM1_PORT, 1, 8);
	aml_resource_template(a, io, sizeof(io));
	aml_pkg_end(a, dev);
	aml_pkg_end(a, scope);
}

static enum acpi_error check_config(const struct acpi_tables_config *cfg, uint64_t base_gpa)
{
	size_t oem = cfg->oem_id != NULL ? strnlen(cfg->oem_id, OEM_ID_SIZE + 1) : 0;
	size_t table = cfg->oem_table_id != NULL ? strnlen(cfg->oem_table_id, OEM_TABLE_ID_SIZE + 1) : 0;

	if (cfg->cpu_count == 0 || cfg->cpu_count > ACPI_MAX_CPUS || cfg->apic_ids == NULL)
		return ACPI_ERR_CPU_COUNT;
	for (uint32_t i = 0; i < cfg->cpu_count; i++) {
		if (cfg->apic_ids[i] == APIC_ID_INVALID)
			return ACPI_ERR_APIC_ID;
		for (uint32_t j = 0; j < i; j++) {
			if (cfg->apic_ids[i] == cfg->apic_ids[j])
				return ACPI_ERR_APIC_ID;
		}
	}
	if (oem == 0 || oem > OEM_ID_SIZE || table == 0 || table > OEM_TABLE_ID_SIZE)
		return ACPI_ERR_OEM_ID;
	if (cfg->hypervisor_id != NULL &&
	    strnlen(cfg->hypervisor_id, HYPERVISOR_ID_SIZE + 1) > HYPERVISOR_ID_SIZE)
		return ACPI_ERR_OEM_ID;
	if (base_gpa % ACPI_TABLES_ALIGN != 0)
		return ACPI_ERR_ADDRESS;
	return ACPI_OK;
}

/* The DSDT's AML, emitted once into a scratch buffer that has room for open packages. */
static enum acpi_error emit_dsdt(struct dsdt_aml *dsdt)
{
	struct aml a;

	aml_init(&a, dsdt->bytes, sizeof(dsdt->bytes));
	emit_dsdt_aml(&a);
	if (!aml_ok(&a))
		return ACPI_ERR_AML;
	dsdt->len = a.len;
	return ACPI_OK;
}

static void plan_tables(const struct acpi_tables_config *cfg, size_t dsdt_aml_len,
			struct table_plan *p)
{
	p->rsdp = 0;
	p->xsdt = align16(p->rsdp + RSDP_SIZE);
	p->xsdt_len = HDR_SIZE + XSDT_ENTRIES * sizeof(uint64_t);
	p->fadt = align16(p->xsdt + p->xsdt_len);
	p->madt = align16(p->fadt + FADT_SIZE);
	p->madt_len = madt_length(cfg);
	p->dsdt = align16(p->madt + p->madt_len);
	p->dsdt_len = HDR_SIZE + dsdt_aml_len;
	p->total = p->dsdt + p->dsdt_len;
}

static void build_rsdp(struct writer *w, const struct table_plan *p, uint64_t base,
		       const struct acpi_tables_config *cfg)
{
	put_bytes(w, p->rsdp + RSDP_SIGNATURE, "RSD PTR ", 8);
	put_padded(w, p->rsdp + RSDP_OEM_ID, cfg->oem_id, OEM_ID_SIZE, ' ');
	put_le(w, p->rsdp + RSDP_REVISION, 2, 1);
	put_le(w, p->rsdp + RSDP_RSDT_ADDRESS, 0, 4);
	put_le(w, p->rsdp + RSDP_LENGTH, RSDP_SIZE, 4);
	put_le(w, p->rsdp + RSDP_XSDT_ADDRESS, base + p->xsdt, 8);
	put_checksum(w, p->rsdp, RSDP_V1_SIZE, p->rsdp + RSDP_CHECKSUM);
	put_checksum(w, p->rsdp, RSDP_SIZE, p->rsdp + RSDP_EXT_CHECKSUM);
}

static void build_xsdt(struct writer *w, const struct table_plan *p, uint64_t base,
		       const struct acpi_tables_config *cfg)
{
	put_header(w, p->xsdt, "XSDT", p->xsdt_len, XSDT_REVISION, cfg);
	put_le(w, p->xsdt + HDR_SIZE, base + p->fadt, 8);
	put_le(w, p->xsdt + HDR_SIZE + 8, base + p->madt, 8);
	put_checksum(w, p->xsdt, p->xsdt_len, p->xsdt + HDR_CHECKSUM);
}

static void build_fadt(struct writer *w, const struct table_plan *p, uint64_t base,
		       const struct acpi_tables_config *cfg)
{
	size_t f = p->fadt;
	uint64_t dsdt = base + p->dsdt;

	put_header(w, f, "FACP", FADT_SIZE, FADT_REVISION, cfg);
	if (dsdt + p->dsdt_len <= SIZE_4G)
		put_le(w, f + FADT_DSDT, dsdt, 4);
	put_le(w, f + FADT_IAPC_BOOT_ARCH, IAPC_VGA_NOT_PRESENT | IAPC_CMOS_RTC_NOT_PRESENT, 2);
	put_le(w, f + FADT_FLAGS,
	       FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON | FADT_RESET_REG_SUP |
		       FADT_FORCE_APIC_PHYSICAL | FADT_HW_REDUCED_ACPI,
	       4);
	put_gas_io8(w, f + FADT_RESET_REG, ACPI_RESET_PORT);
	put_le(w, f + FADT_RESET_VALUE, ACPI_RESET_VALUE, 1);
	put_le(w, f + FADT_MINOR_VERSION, FADT_MINOR_VERSION_VALUE, 1);
	put_le(w, f + FADT_X_DSDT, dsdt, 8);
	put_gas_io8(w, f + FADT_SLEEP_CONTROL_REG, ACPI_SLEEP_CONTROL_PORT);
	put_gas_io8(w, f + FADT_SLEEP_STATUS_REG, ACPI_SLEEP_STATUS_PORT);
	put_padded(w, f + FADT_HYPERVISOR_ID, cfg->hypervisor_id, HYPERVISOR_ID_SIZE, '\0');
	put_checksum(w, f, FADT_SIZE, f + HDR_CHECKSUM);
}

static void build_madt(struct writer *w, const struct table_plan *p,
		       const struct acpi_tables_config *cfg)
{
	size_t e = p->madt + MADT_HEADER_SIZE;

	put_header(w, p->madt, "APIC", p->madt_len, MADT_REVISION, cfg);
	put_le(w, p->madt + MADT_LOCAL_APIC_ADDRESS, ACPI_LOCAL_APIC_ADDRESS, 4);
	put_le(w, p->madt + MADT_FLAGS, 0, 4);
	for (uint32_t i = 0; i < cfg->cpu_count; i++) {
		uint32_t id = cfg->apic_ids[i];

		if (madt_uses_xapic_entry(id, i)) {
			const uint8_t entry[4] = { MADT_TYPE_LOCAL_APIC, MADT_LOCAL_APIC_SIZE,
						   (uint8_t)i, (uint8_t)id };

			put_bytes(w, e, entry, sizeof(entry));
			put_le(w, e + 4, MADT_ENABLED, 4);
			e += MADT_LOCAL_APIC_SIZE;
		} else {
			const uint8_t entry[4] = { MADT_TYPE_LOCAL_X2APIC, MADT_LOCAL_X2APIC_SIZE };

			put_bytes(w, e, entry, sizeof(entry));
			put_le(w, e + 4, id, 4);
			put_le(w, e + 8, MADT_ENABLED, 4);
			put_le(w, e + 12, i, 4);
			e += MADT_LOCAL_X2APIC_SIZE;
		}
	}
	put_checksum(w, p->madt, p->madt_len, p->madt + HDR_CHECKSUM);
}

static void build_dsdt(struct writer *w, const struct table_plan *p,
		       const struct acpi_tables_config *cfg, const struct dsdt_aml *aml)
{
	put_header(w, p->dsdt, "DSDT", p->dsdt_len, DSDT_REVISION, cfg);
	put_bytes(w, p->dsdt + HDR_SIZE, aml->bytes, aml->len);
	put_checksum(w, p->dsdt, p->dsdt_len, p->dsdt + HDR_CHECKSUM);
}

enum acpi_error acpi_build_tables(const struct acpi_tables_config *cfg, uint64_t base_gpa,
				  void *buf, size_t buf_size, struct acpi_tables_info *info)
{
	struct table_plan p;
	struct dsdt_aml dsdt;
	struct writer w = { .buf = buf, .cap = buf != NULL ? buf_size : 0 };
	enum acpi_error err = check_config(cfg, base_gpa);

	if (err == ACPI_OK)
		err = emit_dsdt(&dsdt);
	if (err != ACPI_OK)
		return err;
	plan_tables(cfg, dsdt.len, &p);
	if (base_gpa + p.total < base_gpa)
		return ACPI_ERR_ADDRESS;
	*info = (struct acpi_tables_info){ .rsdp_gpa = base_gpa + p.rsdp, .size = p.total };
	if (p.total > w.cap)
		return ACPI_ERR_BUFFER_TOO_SMALL;
	memset(buf, 0, p.total);
	build_rsdp(&w, &p, base_gpa, cfg);
	build_xsdt(&w, &p, base_gpa, cfg);
	build_fadt(&w, &p, base_gpa, cfg);
	build_madt(&w, &p, cfg);
	build_dsdt(&w, &p, cfg, &dsdt);
	return ACPI_OK;
}
