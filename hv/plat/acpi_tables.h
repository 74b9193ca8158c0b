/*
 * The ACPI tables hv gives a partition (ACPI 6.3): RSDP, XSDT, a
 * hardware-reduced FADT, a MADT listing the vCPUs' x2APICs and a DSDT
 * with the VMBus device, COM1 and \_S5.  There is no FACS (hardware-
 * reduced ACPI may omit it), no RSDT (revision 2 RSDP: the XSDT serves),
 * no IO-APIC, PIC, PIT, HPET, RTC or PM timer.  Pure code, built into
 * hv and into the host unit tests.
 *
 * What hv must emulate for these tables (all byte-wide I/O ports):
 *   ACPI_SLEEP_CONTROL_PORT  FADT SLEEP_CONTROL_REG.  Linux powers off by
 *       writing (SLP_TYP << 2) | SLP_EN with SLP_TYP from \_S5 (5):
 *       0x34.  Bits 2-4 SLP_TYP, bit 5 SLP_EN; other bits reserved.
 *   ACPI_SLEEP_STATUS_PORT   FADT SLEEP_STATUS_REG.  Linux writes 0x80
 *       (clear WAK_STS) just before the sleep write; reads should
 *       return 0 (bit 7 WAK_STS: the system woke).
 *   ACPI_RESET_PORT          FADT RESET_REG: Linux's ACPI reboot writes
 *       ACPI_RESET_VALUE, whose bit 2 (RST) hv's port 0xcf9 handles.
 */
#ifndef HV_PLAT_ACPI_TABLES_H
#define HV_PLAT_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>

/*
 * Next to hv's PM1a control port 0x604 (16 bits: 0x604-0x605, which
 * hv's own kernels use), so 0x604-0x607 is hv's power-management block.
 */
#define ACPI_SLEEP_CONTROL_PORT 0x606u
#define ACPI_SLEEP_STATUS_PORT 0x607u
#define ACPI_SLEEP_TYP_SHIFT 2u
#define ACPI_SLEEP_TYP_MASK 0x1cu
#define ACPI_SLEEP_EN 0x20u
#define ACPI_SLEEP_WAK_STS 0x80u
#define ACPI_SLP_TYP_S5 5u          /* \_S5_ = Package { 5, 5, 0, 0 } */
#define ACPI_RESET_PORT 0xcf9u
#define ACPI_RESET_VALUE 0x06u      /* SYS_RST | RST_CPU: a full reset */
#define ACPI_LOCAL_APIC_ADDRESS 0xfee00000u
#define ACPI_COM1_PORT 0x3f8u
#define ACPI_MAX_CPUS 1024u
#define ACPI_TABLES_ALIGN 16u       /* the RSDP must be 16-byte aligned */

#define ACPI_CREATOR_ID "HVPL"      /* in every table header: hv's platform layer */
#define ACPI_CREATOR_REVISION 1u

struct acpi_tables_config {
	const uint32_t *apic_ids;   /* (x2)APIC id of each vCPU, boot vCPU first */
	uint32_t cpu_count;
	const char *oem_id;         /* 1-6 characters, padded with spaces */
	const char *oem_table_id;   /* 1-8 characters, padded with spaces */
	uint32_t oem_revision;
	const char *hypervisor_id;  /* FADT Hypervisor Vendor Identity, 0-8 characters; may be NULL */
};

struct acpi_tables_info {
	uint64_t rsdp_gpa;          /* for boot_params.acpi_rsdp_addr */
	size_t size;                /* bytes used from the buffer's start, or needed */
};

enum acpi_error {
	ACPI_OK = 0,
	ACPI_ERR_BUFFER_TOO_SMALL,  /* info->size says how much is needed */
	ACPI_ERR_CPU_COUNT,         /* no vCPU, or more than ACPI_MAX_CPUS */
	ACPI_ERR_APIC_ID,           /* an id is 0xffffffff or appears twice */
	ACPI_ERR_OEM_ID,            /* an id string is missing, empty or too long */
	ACPI_ERR_ADDRESS,           /* base_gpa not 16-byte aligned, or the tables would wrap */
	ACPI_ERR_AML,               /* the DSDT's AML did not encode (a bug) */
	ACPI_ERR_COUNT
};

/*
 * Builds the tables into buf[0, buf_size), which the guest sees at
 * base_gpa: RSDP first (so base_gpa is the RSDP's address), then XSDT,
 * FADT, MADT and DSDT, each 16-byte aligned.  On ACPI_OK and on
 * ACPI_ERR_BUFFER_TOO_SMALL, *info holds the RSDP's address and the
 * size; buf == NULL with buf_size 0 only measures.
 */
enum acpi_error acpi_build_tables(const struct acpi_tables_config *cfg, uint64_t base_gpa,
				  void *buf, size_t buf_size, struct acpi_tables_info *info);

const char *acpi_strerror(enum acpi_error err);

#endif
