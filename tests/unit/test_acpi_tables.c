/*
 * Unit tests of the partition's ACPI tables (hv/plat/acpi_tables.c).  The
 * tables are found the way an OS finds them: RSDP, XSDT, FADT -> DSDT;
 * every field is checked at its ACPI 6.3 offset, every checksum sums to
 * zero, and the DSDT's AML is compared with a hand encoding of its ASL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <plat/acpi_tables.h>

#define BASE 0xe0000ull

static uint8_t buf[0x10000];
static struct acpi_tables_info info;

static const uint32_t four_ids[] = { 0, 2, 4, 6 };

static struct acpi_tables_config config(const uint32_t *ids, uint32_t count)
{
	return (struct acpi_tables_config){
		.apic_ids = ids,
		.cpu_count = count,
		.oem_id = "HV",
		.oem_table_id = "PARTITN",
		.oem_revision = 7,
		.hypervisor_id = "hv",
	};
}

static int setup(void **state)
{
	(void)state;
	memset(buf, 0xcc, sizeof(buf));
	return 0;
}

static uint64_t get(const uint8_t *p, size_t off, size_t size)
{
	uint64_t v = 0;

	memcpy(&v, p + off, size);
	return v;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

/* The table at gpa (inside what was built), with its header checked. */
static const uint8_t *table(uint64_t base, uint64_t gpa, const char *sig, uint8_t revision)
{
	const uint8_t *t;
	uint32_t len;

	assert_true(gpa >= base && gpa - base + 36 <= info.size);
	assert_int_equal((gpa - base) % 16, 0);
	t = &buf[gpa - base];
	len = (uint32_t)get(t, 4, 4);
	assert_memory_equal(t, sig, 4);
	assert_true(gpa - base + len <= info.size);
	assert_int_equal(t[8], revision);
	assert_int_equal(sum(t, len), 0);
	assert_memory_equal(t + 10, "HV    ", 6);
	assert_memory_equal(t + 16, "PARTITN ", 8);
	assert_int_equal(get(t, 24, 4), 7);
	assert_memory_equal(t + 28, "HVPL", 4);
	assert_int_equal(get(t, 32, 4), 1);
	return t;
}

static const uint8_t *build(const uint32_t *ids, uint32_t count, uint64_t base)
{
	struct acpi_tables_config cfg = config(ids, count);
	const uint8_t *rsdp = buf;

	assert_int_equal(acpi_build_tables(&cfg, base, buf, sizeof(buf), &info), ACPI_OK);
	assert_int_equal(info.rsdp_gpa, base);
	assert_memory_equal(rsdp, "RSD PTR ", 8);
	assert_int_equal(sum(rsdp, 20), 0);
	assert_int_equal(sum(rsdp, 36), 0);
	assert_memory_equal(rsdp + 9, "HV    ", 6);
	assert_int_equal(rsdp[15], 2);
	assert_int_equal(get(rsdp, 16, 4), 0); /* no RSDT */
	assert_int_equal(get(rsdp, 20, 4), 36);
	assert_int_equal(buf[info.size], 0xcc); /* nothing past the reported size */
	return table(base, get(rsdp, 24, 8), "XSDT", 1);
}

static void test_xsdt(void **state)
{
	const uint8_t *xsdt = build(four_ids, 4, BASE);

	(void)state;
	assert_int_equal(get(xsdt, 4, 4), 36 + 2 * 8);
	table(BASE, get(xsdt, 36, 8), "FACP", 6);
	table(BASE, get(xsdt, 44, 8), "APIC", 5);
}

static void check_gas_io8(const uint8_t *gas, uint16_t port)
{
	assert_int_equal(gas[0], 1); /* System I/O */
	assert_int_equal(gas[1], 8); /* bit width */
	assert_int_equal(gas[2], 0); /* bit offset */
	assert_int_equal(gas[3], 1); /* byte access */
	assert_int_equal(get(gas, 4, 8), port);
}

static void test_fadt(void **state)
{
	const uint8_t *xsdt = build(four_ids, 4, BASE);
	const uint8_t *fadt = table(BASE, get(xsdt, 36, 8), "FACP", 6);
	uint64_t dsdt = get(fadt, 140, 8);

	(void)state;
	assert_int_equal(get(fadt, 4, 4), 276);
	assert_int_equal(get(fadt, 36, 4), 0);   /* FIRMWARE_CTRL: no FACS */
	assert_int_equal(get(fadt, 132, 8), 0);  /* X_FIRMWARE_CTRL */
	assert_int_equal(get(fadt, 40, 4), dsdt);
	assert_int_equal(get(fadt, 46, 2), 0);   /* SCI_INT: none */
	assert_int_equal(get(fadt, 48, 4), 0);   /* SMI_CMD: no ACPI enable handshake */
	for (size_t off = 56; off < 88; off += 4) /* no PM1, PM2, PM timer or GPE blocks */
		assert_int_equal(get(fadt, off, 4), 0);
	for (size_t off = 148; off < 244; off++) /* nor their X_ versions */
		assert_int_equal(fadt[off], 0);
	assert_int_equal(get(fadt, 109, 2), 0x24);       /* IAPC_BOOT_ARCH: no VGA, no RTC */
	assert_int_equal(get(fadt, 112, 4), 0x00180435); /* flags, HW_REDUCED_ACPI among them */
	check_gas_io8(fadt + 116, 0xcf9);                /* RESET_REG */
	assert_int_equal(fadt[128], 0x06);               /* RESET_VALUE */
	assert_int_equal(fadt[131], 3);                  /* FADT minor version: ACPI 6.3 */
	check_gas_io8(fadt + 244, ACPI_SLEEP_CONTROL_PORT);
	check_gas_io8(fadt + 256, ACPI_SLEEP_STATUS_PORT);
	assert_memory_equal(fadt + 268, "hv\0\0\0\0\0\0", 8);
	table(BASE, dsdt, "DSDT", 2);
}

/* The ASL in acpi_tables.c, encoded by hand from ACPI 6.3 chapter 20. */
static const uint8_t expected_aml[] = {
	0x08, '\\', '_', 'S', '5', '_',                         /* Name (\_S5_, */
	0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,    /* Package (4) {5, 5, 0, 0}) */
	0x10, 0x45, 0x05, '\\', '_', 'S', 'B', '_',              /* Scope (\_SB_): 85 bytes */
	0x5b, 0x82, 0x22, 'V', 'M', 'B', 'S',                    /* Device (VMBS): 34 bytes */
	0x08, '_', 'H', 'I', 'D', 0x0d, 'V', 'M', 'B', 'U', 'S', 0x00,
	0x08, '_', 'U', 'I', 'D', 0x00,
	0x08, '_', 'C', 'R', 'S', 0x11, 0x05, 0x0a, 0x02, 0x79, 0x00,
	0x5b, 0x82, 0x28, 'C', 'O', 'M', '1',                    /* Device (COM1): 40 bytes */
	0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01,  /* EisaId ("PNP0501") */
	0x08, '_', 'U', 'I', 'D', 0x01,
	0x08, '_', 'C', 'R', 'S', 0x11, 0x0d, 0x0a, 0x0a,
	0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,          /* IO (Decode16, 0x3f8, 0x3f8, 1, 8) */
	0x79, 0x00,                                              /* end tag, checksum 0: valid */
};

static void test_dsdt(void **state)
{
	const uint8_t *xsdt = build(four_ids, 4, BASE);
	const uint8_t *fadt = table(BASE, get(xsdt, 36, 8), "FACP", 6);
	const uint8_t *dsdt = table(BASE, get(fadt, 140, 8), "DSDT", 2);

	(void)state;
	assert_int_equal(get(dsdt, 4, 4), 36 + sizeof(expected_aml));
	assert_memory_equal(dsdt + 36, expected_aml, sizeof(expected_aml));
	/* The DSDT is last: the tables end with it. */
	assert_int_equal(get(fadt, 140, 8) - BASE + 36 + sizeof(expected_aml), info.size);
}

static void test_madt_xapic_entries(void **state)
{
	const uint8_t *xsdt = build(four_ids, 4, BASE);
	const uint8_t *madt = table(BASE, get(xsdt, 44, 8), "APIC", 5);

	(void)state;
	assert_int_equal(get(madt, 4, 4), 44 + 4 * 8);
	assert_int_equal(get(madt, 36, 4), 0xfee00000);
	assert_int_equal(get(madt, 40, 4), 0); /* no PCAT_COMPAT */
	for (uint32_t i = 0; i < 4; i++) {
		const uint8_t *e = madt + 44 + i * 8;

		assert_int_equal(e[0], 0);    /* Processor Local APIC */
		assert_int_equal(e[1], 8);
		assert_int_equal(e[2], i);    /* ACPI processor UID */
		assert_int_equal(e[3], four_ids[i]);
		assert_int_equal(get(e, 4, 4), 1); /* enabled */
	}
}

static void test_madt_x2apic_entries(void **state)
{
	static const uint32_t ids[] = { 0, 255, 256, 1 };
	const uint8_t *xsdt = build(ids, 4, BASE);
	const uint8_t *madt = table(BASE, get(xsdt, 44, 8), "APIC", 5);
	const uint8_t *e = madt + 44;

	(void)state;
	assert_int_equal(get(madt, 4, 4), 44 + 8 + 16 + 16 + 8);
	assert_int_equal(e[0], 0);
	assert_int_equal(e[3], 0);
	e += 8;
	for (uint32_t uid = 1; uid <= 2; uid++, e += 16) {
		assert_int_equal(e[0], 9);    /* Processor Local x2APIC */
		assert_int_equal(e[1], 16);
		assert_int_equal(get(e, 2, 2), 0);
		assert_int_equal(get(e, 4, 4), ids[uid]);
		assert_int_equal(get(e, 8, 4), 1);
		assert_int_equal(get(e, 12, 4), uid);
	}
	assert_int_equal(e[0], 0);
	assert_int_equal(e[2], 3);
	assert_int_equal(e[3], 1);
}

/* Beyond 255 vCPUs the UID no longer fits a Local APIC entry. */
static void test_madt_many_cpus(void **state)
{
	static uint32_t ids[300];
	const uint8_t *xsdt, *madt;

	(void)state;
	for (uint32_t i = 0; i < 300; i++)
		ids[i] = i;
	xsdt = build(ids, 300, BASE);
	madt = table(BASE, get(xsdt, 44, 8), "APIC", 5);
	assert_int_equal(get(madt, 4, 4), 44 + 255 * 8 + 45 * 16);
	assert_int_equal(madt[44 + 254 * 8], 0);
	assert_int_equal(madt[44 + 255 * 8], 9);
	assert_int_equal(get(madt, 44 + 255 * 8 + 12, 4), 255);
}

static void test_above_4g(void **state)
{
	uint64_t base = 0x100000000ull + 0x10;
	const uint8_t *xsdt = build(four_ids, 4, base);
	const uint8_t *fadt = table(base, get(xsdt, 36, 8), "FACP", 6);

	(void)state;
	assert_int_equal(get(fadt, 40, 4), 0); /* DSDT: only X_DSDT can reach it */
	assert_true(get(fadt, 140, 8) > 0x100000000ull);
}

static void test_measure_and_too_small(void **state)
{
	struct acpi_tables_config cfg = config(four_ids, 4);
	size_t need;

	(void)state;
	assert_int_equal(acpi_build_tables(&cfg, BASE, NULL, 0, &info), ACPI_ERR_BUFFER_TOO_SMALL);
	need = info.size;
	assert_int_equal(info.rsdp_gpa, BASE);
	assert_int_equal(acpi_build_tables(&cfg, BASE, buf, need - 1, &info),
			 ACPI_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(info.size, need);
	for (size_t i = 0; i < need; i++)
		assert_int_equal(buf[i], 0xcc); /* untouched */
	assert_int_equal(acpi_build_tables(&cfg, BASE, buf, need, &info), ACPI_OK);
	assert_int_equal(info.size, need);
}

static void test_errors(void **state)
{
	static const uint32_t dup[] = { 0, 1, 0 };
	static const uint32_t invalid[] = { 0, 0xffffffffu };
	struct acpi_tables_config cfg = config(four_ids, 4);

	(void)state;
	cfg.cpu_count = 0;
	assert_int_equal(acpi_build_tables(&cfg, BASE, buf, sizeof(buf), &info), ACPI_ERR_CPU_COUNT);
	cfg.cpu_count = ACPI_MAX_CPUS + 1;
	assert_int_equal(acpi_build_tables(&cfg, BASE, buf, sizeof(buf), &info), ACPI_ERR_CPU_COUNT);
	cfg = config(dup, 3);
	assert_int_equal(acpi_build_tables(&cfg, BASE, buf, sizeof(buf), &info), ACPI_ERR_APIC_ID);
	cfg = config(invalid, 2);
	assert_int_equal(acpi_build_tables(&cfg, BASE, buf, sizeof(buf), &info), ACPI_ERR_APIC_ID);
	cfg = config(four_ids, 4);
	cfg.oem_id = "SEVENCH";
	assert_int_equal(acpi_build_tables(&cfg, BASE, buf, sizeof(buf), &info), ACPI_ERR_OEM_ID);
	cfg.oem_id = "";
	assert_int_equal(acpi_build_tables(&cfg, BASE, buf, sizeof(buf), &info), ACPI_ERR_OEM_ID);
	cfg = config(four_ids, 4);
	cfg.oem_table_id = "NINECHARS";
	assert_int_equal(acpi_build_tables(&cfg, BASE, buf, sizeof(buf), &info), ACPI_ERR_OEM_ID);
	cfg.oem_table_id = NULL;
	assert_int_equal(acpi_build_tables(&cfg, BASE, buf, sizeof(buf), &info), ACPI_ERR_OEM_ID);
	cfg = config(four_ids, 4);
	cfg.hypervisor_id = "NINECHARS";
	assert_int_equal(acpi_build_tables(&cfg, BASE, buf, sizeof(buf), &info), ACPI_ERR_OEM_ID);
	cfg.hypervisor_id = NULL; /* allowed: zeros */
	assert_int_equal(acpi_build_tables(&cfg, BASE, buf, sizeof(buf), &info), ACPI_OK);
	assert_int_equal(acpi_build_tables(&cfg, BASE + 8, buf, sizeof(buf), &info),
			 ACPI_ERR_ADDRESS);
	assert_int_equal(acpi_build_tables(&cfg, UINT64_MAX - 0xff, buf, sizeof(buf), &info),
			 ACPI_ERR_ADDRESS);
	for (int e = 0; e < ACPI_ERR_COUNT; e++) {
		assert_non_null(acpi_strerror((enum acpi_error)e));
		for (int f = 0; f < e; f++)
			assert_string_not_equal(acpi_strerror((enum acpi_error)e),
						acpi_strerror((enum acpi_error)f));
	}
	assert_string_equal(acpi_strerror(ACPI_ERR_COUNT), "unknown ACPI error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_xsdt, setup),
		cmocka_unit_test_setup(test_fadt, setup),
		cmocka_unit_test_setup(test_dsdt, setup),
		cmocka_unit_test_setup(test_madt_xapic_entries, setup),
		cmocka_unit_test_setup(test_madt_x2apic_entries, setup),
		cmocka_unit_test_setup(test_madt_many_cpus, setup),
		cmocka_unit_test_setup(test_above_4g, setup),
		cmocka_unit_test_setup(test_measure_and_too_small, setup),
		cmocka_unit_test_setup(test_errors, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
