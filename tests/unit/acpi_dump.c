/*
 * Writes the ACPI tables of a sample partition (four vCPUs, one with an
 * x2APIC id above 254) into a directory, one file per table named as
 * acpidump/acpixtract name them (rsdp.dat, xsdt.dat, facp.dat, apic.dat,
 * dsdt.dat), for acpi_iasl.py to disassemble with iasl.  The tables are
 * found by following the pointers, as an OS would.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <plat/acpi_tables.h>

#define BASE 0xe0000ull

static uint8_t buf[0x10000];
static struct acpi_tables_info info;

static uint64_t get(uint64_t gpa, size_t off, size_t size)
{
	uint64_t v = 0;

	memcpy(&v, &buf[gpa - BASE + off], size);
	return v;
}

static int write_table(const char *dir, const char *name, uint64_t gpa, size_t len)
{
	char path[4096];
	FILE *f;

	if (gpa < BASE || gpa - BASE + len > info.size) {
		fprintf(stderr, "acpi_dump: %s lies outside the tables\n", name);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(&buf[gpa - BASE], 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		return 1;
	}
	return 0;
}

static int write_sdt(const char *dir, const char *name, uint64_t gpa)
{
	return write_table(dir, name, gpa, (size_t)get(gpa, 4, 4));
}

int main(int argc, char **argv)
{
	static const uint32_t ids[] = { 0, 1, 2, 300 };
	const struct acpi_tables_config cfg = {
		.apic_ids = ids, .cpu_count = 4, .oem_id = "HV", .oem_table_id = "PARTITN",
		.oem_revision = 1, .hypervisor_id = "hv",
	};
	enum acpi_error err;
	uint64_t xsdt, fadt;

	if (argc != 2) {
		fprintf(stderr, "usage: acpi_dump DIRECTORY\n");
		return 2;
	}
	err = acpi_build_tables(&cfg, BASE, buf, sizeof(buf), &info);
	if (err != ACPI_OK) {
		fprintf(stderr, "acpi_dump: %s\n", acpi_strerror(err));
		return 1;
	}
	xsdt = get(info.rsdp_gpa, 24, 8);
	fadt = get(xsdt, 36, 8);
	return write_table(argv[1], "rsdp", info.rsdp_gpa, 36) | write_sdt(argv[1], "xsdt", xsdt) |
	       write_sdt(argv[1], "facp", fadt) | write_sdt(argv[1], "apic", get(xsdt, 44, 8)) |
	       write_sdt(argv[1], "dsdt", get(fadt, 140, 8));
}
