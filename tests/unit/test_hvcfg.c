/*
 * Unit tests of the hv.cfg parser and validator (lib/hvcfg/): the good
 * path, every refusal with the line it must name, and the binary
 * validation hv repeats at start-up.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hvcfg_fixture.h"

#define GOOD_CONFIG \
	"# comment\n" \
	"[hypervisor]\n" \
	"memory = 16M\n" \
	"log_level = debug  # trailing comment\n" \
	"serial = 0x2f8\n" \
	"test_exit = yes\n" \
	"\n" \
	"[partition root]\n" \
	"role = root\n" \
	"cpus = 0\n" \
	"memory = 256M\n" \
	"image = \\hv\\root.elf\n" \
	"cmdline = \"console=serial # not a comment\"\n" \
	"pci = 00:02.0, 00:1f.3\n" \
	"[partition guest-1]\n" \
	"cpus = 1-2,4\n" \
	"memory = 64M@0x40000000\n" \
	"image = /hv/testos.elf\n"

static int parse_with_line(unsigned number, const char *line)
{
	return parse_replacing(GOOD_CONFIG, number, line);
}

static void test_good_config(void **state)
{
	(void)state;
	assert_int_equal(parse(GOOD_CONFIG), 0);
	assert_memory_equal(cfg.signature, HVCFG_SIGNATURE, 8);
	assert_int_equal(cfg.revision, HVCFG_REVISION);
	assert_int_equal(cfg.hv_memory, 16 * HVCFG_MIB);
	assert_int_equal(cfg.log_level, HVCFG_LOG_DEBUG);
	assert_int_equal(cfg.serial_port, 0x2f8);
	assert_int_equal(cfg.flags, HVCFG_FLAG_TEST_EXIT);
	assert_int_equal(cfg.partition_count, 2);
	assert_string_equal(cfg.partitions[0].name, "root");
	assert_int_equal(cfg.partitions[0].role, HVCFG_ROLE_ROOT);
	assert_int_equal(cfg.partitions[0].cpu_mask, 1);
	assert_int_equal(cfg.partitions[0].memory_size, 256 * HVCFG_MIB);
	assert_string_equal(cfg.partitions[0].cmdline, "console=serial # not a comment");
	assert_int_equal(cfg.partitions[0].pci_count, 2);
	assert_int_equal(cfg.partitions[0].pci[0], 0x0010);
	assert_int_equal(cfg.partitions[0].pci[1], 0x00fb);
	assert_int_equal(cfg.partitions[0].line, 8);
	assert_int_equal(cfg.partitions[0].image_line, 12);
	assert_int_equal(cfg.partitions[0].cmdline_line, 13);
	assert_string_equal(cfg.partitions[0].initrd, "");
	assert_int_equal(cfg.partitions[0].initrd_line, 0);
	assert_string_equal(cfg.partitions[1].name, "guest-1");
	assert_int_equal(cfg.partitions[1].role, HVCFG_ROLE_GUEST);
	assert_int_equal(cfg.partitions[1].cpu_mask, 0x16);
	assert_int_equal(cfg.partitions[1].memory_base, 0x40000000);
	assert_string_equal(cfg.partitions[1].image, "\\hv\\testos.elf");
	assert_int_equal(cfg.partitions[1].cmdline_line, 0);
	assert_int_equal(hvcfg_validate(&cfg, &err), 0);
}

/* The guest's image line (18, the last) replaced by `lines`. */
static int parse_guest_image(const char *lines)
{
	return parse_with_line(18, lines);
}

static void test_initrd(void **state)
{
	(void)state;
	assert_int_equal(parse_guest_image("image = /hv/vmlinuz\ninitrd = /hv/initrd.img"), 0);
	assert_string_equal(cfg.partitions[1].image, "\\hv\\vmlinuz");
	assert_string_equal(cfg.partitions[1].initrd, "\\hv\\initrd.img");
	assert_int_equal(cfg.partitions[1].initrd_line, 19);
	assert_int_equal(hvcfg_validate(&cfg, &err), 0);
	assert_int_equal(parse_guest_image("image = \\a\ninitrd = \\b\ninitrd = \\c"), -1);
	expect_error(20, "duplicate key 'initrd'");
	assert_int_equal(parse_guest_image("image = \\a\ninitrd = initrd.img"), -1);
	expect_error(19, "initrd of partition 'guest-1' must be an ESP path");
	assert_int_equal(parse_guest_image("image = \\a\ninitrd = \"\""), -1);
	expect_error(19, "initrd of partition 'guest-1' must be an ESP path");
	assert_int_equal(parse_guest_image("image = \\a\ninitrd = \"\\b\tc\""), -1);
	expect_error(19, "initrd path of partition 'guest-1' has a bad character");
	assert_int_equal(parse_with_line(4, "initrd = \\a"), -1);
	expect_error(4, "unknown key 'initrd' in [hypervisor]");
}

/* A cmdline of n characters in quotes, with a comment after it. */
static const char *cmdline_line(size_t n)
{
	static char line[HVCFG_CMDLINE_LEN + 64];

	snprintf(line, sizeof(line), "cmdline = \"%0*d\"  # long", (int)n, 0);
	return line;
}

static void test_long_cmdline(void **state)
{
	(void)state;
	assert_int_equal(parse_with_line(13, cmdline_line(HVCFG_CMDLINE_LEN - 1)), 0);
	assert_int_equal(strlen(cfg.partitions[0].cmdline), HVCFG_CMDLINE_LEN - 1);
	assert_int_equal(cfg.partitions[0].cmdline_line, 13);
	assert_int_equal(hvcfg_validate(&cfg, &err), 0);
	assert_int_equal(parse_with_line(13, cmdline_line(HVCFG_CMDLINE_LEN)), -1);
	expect_error(13, "cmdline longer than 2047 characters (2048)");
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse("[partition r]\nrole=root\ncpus=0\nmemory=2M\nimage=\\a\n"), 0);
	assert_int_equal(cfg.hv_memory, HVCFG_HV_MEMORY_DEFAULT);
	assert_int_equal(cfg.log_level, HVCFG_LOG_INFO);
	assert_int_equal(cfg.serial_port, 0x3f8);
	assert_int_equal(cfg.flags, 0);
}

static void test_crlf_and_no_final_newline(void **state)
{
	(void)state;
	assert_int_equal(parse("[partition r]\r\nrole=root\r\ncpus=0\r\nmemory=2M\r\nimage=\\a"), 0);
	assert_string_equal(cfg.partitions[0].image, "\\a");
}

static void test_unknown_key(void **state)
{
	(void)state;
	assert_int_equal(parse_with_line(10, "colour = blue"), -1);
	expect_error(10, "unknown key 'colour' in [partition]");
	assert_int_equal(parse_with_line(4, "cpus = 0"), -1);
	expect_error(4, "unknown key 'cpus' in [hypervisor]");
}

static void test_unknown_section_and_syntax(void **state)
{
	(void)state;
	assert_int_equal(parse_with_line(7, "[network]"), -1);
	expect_error(7, "unknown section");
	assert_int_equal(parse_with_line(7, "[partition x"), -1);
	expect_error(7, "must end with ']'");
	assert_int_equal(parse_with_line(7, "just words"), -1);
	expect_error(7, "expected 'key = value'");
	assert_int_equal(parse("memory = 2M\n"), -1);
	expect_error(1, "outside a section");
	assert_int_equal(parse_with_line(13, "cmdline = \"open"), -1);
	expect_error(13, "missing closing quote");
	assert_int_equal(parse_with_line(13, "cmdline = \"a\" b"), -1);
	expect_error(13, "unexpected text");
}

static void test_duplicates(void **state)
{
	(void)state;
	assert_int_equal(parse_with_line(7, "memory = 16M"), -1);
	expect_error(7, "duplicate key 'memory'");
	assert_int_equal(parse_with_line(15, "[partition root]"), -1);
	expect_error(15, "partition 'root' defined twice (first on line 8)");
	assert_int_equal(parse_with_line(7, "[hypervisor]"), -1);
	expect_error(7, "[hypervisor] given twice (first on line 2)");
}

static void test_cpus(void **state)
{
	(void)state;
	assert_int_equal(parse_with_line(16, "cpus = 1,0"), -1);
	expect_error(16, "CPU 0 given twice (also in partition 'root')");
	assert_int_equal(parse_with_line(16, "cpus = 1,2-3,3"), -1);
	expect_error(16, "CPU 3 given twice");
	assert_int_equal(parse_with_line(16, "cpus = 64"), -1);
	expect_error(16, "out of range");
	assert_int_equal(parse_with_line(16, "cpus = 3-1"), -1);
	expect_error(16, "bad CPU range");
	assert_int_equal(parse_with_line(16, "cpus = one"), -1);
	expect_error(16, "bad CPU list");
	assert_int_equal(parse_with_line(16, "cpus = 1,"), -1);
	expect_error(16, "bad CPU list");
	assert_int_equal(parse_with_line(10, "cpus = 1"), -1);
	expect_error(16, "CPU 1 given twice");
}

static void test_root_rules(void **state)
{
	(void)state;
	assert_int_equal(parse_with_line(9, "role = guest"), -1);
	expect_error(2, "exactly one partition needs 'role = root' (found 0)");
	assert_int_equal(parse_with_line(10, "cpus = 3"), -1);
	expect_error(8, "root partition 'root' must own CPU 0");
	assert_int_equal(parse_with_line(9, "role = boss"), -1);
	expect_error(9, "role must be root or guest");
	assert_int_equal(parse("[hypervisor]\n"), -1);
	expect_error(1, "no [partition] sections");
}

static void test_memory(void **state)
{
	(void)state;
	assert_int_equal(parse_with_line(17, "memory = 1M"), -1);
	expect_error(17, "must be 2M-64G");
	assert_int_equal(parse_with_line(17, "memory = 65G"), -1);
	expect_error(17, "must be 2M-64G");
	assert_int_equal(parse_with_line(17, "memory = 3M"), -1);
	expect_error(17, "multiple of 2M");
	assert_int_equal(parse_with_line(17, "memory = 64M@0x1000"), -1);
	expect_error(17, "2M-aligned");
	assert_int_equal(parse_with_line(17, "memory = 64Q"), -1);
	expect_error(17, "bad memory value '64Q'");
	assert_int_equal(parse_with_line(17, "memory = 99999999999999999999M"), -1);
	expect_error(17, "bad size");
	assert_int_equal(parse_with_line(17, "memory = 17179869184G"), -1);
	expect_error(17, "bad size");
	assert_int_equal(parse_with_line(17, "memory = 64M@0x3fffffffffe00000"), -1);
	expect_error(17, "beyond 64T");
	assert_int_equal(parse_with_line(3, "memory = 4M"), -1);
	expect_error(3, "hypervisor memory must be 8M-1G");
	assert_int_equal(parse_with_line(3, "memory = 2G"), -1);
	expect_error(3, "hypervisor memory must be 8M-1G");
}

static void test_memory_overlap(void **state)
{
	(void)state;
	assert_int_equal(parse_with_line(11, "memory = 256M@0x38000000"), -1);
	expect_error(17, "overlaps partition 'root'");
	assert_int_equal(parse_with_line(11, "memory = 256M@0x30000000"), 0); /* adjacent */
	assert_int_equal(parse_with_line(11, "memory = 256M@0x50000000"), 0);
}

static void test_missing_keys(void **state)
{
	(void)state;
	assert_int_equal(parse_with_line(18, "# image removed"), -1);
	expect_error(15, "partition 'guest-1' has no 'image' key");
	assert_int_equal(parse_with_line(11, "# memory removed"), -1);
	expect_error(8, "partition 'root' has no 'memory' key");
	assert_int_equal(parse_with_line(10, "# cpus removed"), -1);
	expect_error(8, "partition 'root' has no 'cpus' key");
}

static void test_pci(void **state)
{
	(void)state;
	assert_int_equal(parse_with_line(14, "pci = 00:20.0"), -1);
	expect_error(14, "bad PCI address");
	assert_int_equal(parse_with_line(14, "pci = 00:02.8"), -1);
	expect_error(14, "bad PCI address");
	assert_int_equal(parse_with_line(14, "pci = 00:02.0,00:02.0"), -1);
	expect_error(14, "PCI device 00:02.0 given twice");
	assert_int_equal(parse_with_line(14, "pci = 1,2,3,4,5,6,7,8,9"), -1);
	expect_error(14, "bad PCI address");
	assert_int_equal(parse_with_line(14,
		"pci = 0:1.0,0:2.0,0:3.0,0:4.0,0:5.0,0:6.0,0:7.0,0:8.0,0:9.0"), -1);
	expect_error(14, "more than 8 PCI devices");
}

static void test_values(void **state)
{
	(void)state;
	assert_int_equal(parse_with_line(4, "log_level = loud"), -1);
	expect_error(4, "log_level must be");
	assert_int_equal(parse_with_line(5, "serial = 0x10000"), -1);
	expect_error(5, "bad serial port");
	assert_int_equal(parse_with_line(6, "test_exit = maybe"), -1);
	expect_error(6, "test_exit must be yes or no");
	assert_int_equal(parse_with_line(6, "test_exception = yes"), 0);
	assert_int_equal(cfg.flags, HVCFG_FLAG_TEST_EXCEPTION);
	assert_int_equal(parse_with_line(12, "image = hv.elf"), -1);
	expect_error(12, "must be an ESP path");
	assert_int_equal(parse_with_line(15, "[partition bad name!]"), -1);
	expect_error(15, "may hold only letters");
	assert_int_equal(parse_with_line(15, "[partition abcdefghijabcdefghijabcdefghijabc]"), -1);
	expect_error(15, "too long");
}

/* [hypervisor] console: the values, the default, the serial port it needs. */
static void test_console(void **state)
{
	(void)state;
	assert_int_equal(parse(GOOD_CONFIG), 0);
	assert_int_equal(cfg.console, HVCFG_CONSOLE_DEFAULT);
	assert_int_equal(cfg.console_line, 0);
	assert_int_equal(parse_with_line(6, "console = screen"), 0);
	assert_int_equal(cfg.console, HVCFG_CONSOLE_SCREEN);
	assert_int_equal(cfg.console_line, 6);
	assert_int_equal(parse_with_line(6, "console = serial  # the UART only"), 0);
	assert_int_equal(cfg.console, HVCFG_CONSOLE_SERIAL);
	assert_int_equal(parse_with_line(6, "console = both"), 0);
	assert_int_equal(cfg.console, HVCFG_CONSOLE_BOTH);
	assert_string_equal(hvcfg_console_name(cfg.console), "both");
	assert_int_equal(parse_with_line(6, "console = vga"), -1);
	expect_error(6, "console must be serial, screen or both, not 'vga'");
	assert_int_equal(parse_with_line(6, "console = Screen"), -1);
	expect_error(6, "console must be serial, screen or both");
	/* serial = 0 switches the UART off: only the screen may remain */
	assert_int_equal(parse_with_line(5, "serial = 0"), 0);
	assert_int_equal(parse("[hypervisor]\nconsole = both\nserial = 0\n"
			       "[partition r]\nrole=root\ncpus=0\nmemory=2M\nimage=\\a\n"), -1);
	expect_error(2, "console = both needs a serial port, and serial = 0");
	assert_int_equal(parse("[hypervisor]\nserial = 0\nconsole = screen\n"
			       "[partition r]\nrole=root\ncpus=0\nmemory=2M\nimage=\\a\n"), 0);
	/* hv's check of the binary form */
	assert_int_equal(parse(GOOD_CONFIG), 0);
	cfg.console = 4;
	assert_int_equal(hvcfg_validate(&cfg, &err), -1);
	expect_error(0, "unknown console 4");
}

static void test_long_line_and_nul(void **state)
{
	char text[4096];

	(void)state;
	memset(text, 'x', sizeof(text));
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(parse(text), -1);
	expect_error(1, "line longer than");
	assert_int_equal(hvcfg_parse("[hyper\0visor]\n", 14, &cfg, &err), -1);
	expect_error(1, "NUL byte");
}

static void test_too_many_partitions(void **state)
{
	char text[8192], *p = text;

	(void)state;
	p += sprintf(p, "[partition root]\nrole=root\ncpus=0\nmemory=2M\nimage=\\a\n");
	for (int i = 1; i <= 16; i++)
		p += sprintf(p, "[partition p%d]\ncpus=%d\nmemory=2M\nimage=\\a\n", i, i);
	assert_int_equal(parse(text), -1);
	expect_error(5 + 15 * 4 + 1, "more than 16 partitions");
}

static void test_validate_binary(void **state)
{
	(void)state;
	assert_int_equal(parse(GOOD_CONFIG), 0);
	cfg.revision = 99;
	assert_int_equal(hvcfg_validate(&cfg, &err), -1);
	expect_error(0, "revision 99");
	assert_int_equal(parse(GOOD_CONFIG), 0);
	cfg.signature[0] = 'X';
	assert_int_equal(hvcfg_validate(&cfg, &err), -1);
	expect_error(0, "signature");
	assert_int_equal(parse(GOOD_CONFIG), 0);
	cfg.size--;
	assert_int_equal(hvcfg_validate(&cfg, &err), -1);
	expect_error(0, "size");
	assert_int_equal(parse(GOOD_CONFIG), 0);
	cfg.partitions[1].cpu_mask |= 1;
	assert_int_equal(hvcfg_validate(&cfg, &err), -1);
	expect_error(15, "CPU 0 given twice");
	assert_int_equal(parse(GOOD_CONFIG), 0);
	cfg.partition_count = 17;
	assert_int_equal(hvcfg_validate(&cfg, &err), -1);
	expect_error(0, "17 partitions");
	assert_int_equal(parse(GOOD_CONFIG), 0);
	memset(cfg.partitions[1].cmdline, 'a', HVCFG_CMDLINE_LEN);
	assert_int_equal(hvcfg_validate(&cfg, &err), -1);
	expect_error(15, "not terminated");
	assert_int_equal(parse(GOOD_CONFIG), 0);
	memset(cfg.partitions[1].initrd, 'a', HVCFG_PATH_LEN);
	cfg.partitions[1].initrd_line = 19;
	assert_int_equal(hvcfg_validate(&cfg, &err), -1);
	expect_error(19, "initrd of partition 'guest-1' must be an ESP path");
}

static bool probe_only_root(void *ctx, const char *path)
{
	(*(int *)ctx)++;
	return strcmp(path, "\\hv\\root.elf") == 0;
}

static bool probe_no_initrd(void *ctx, const char *path)
{
	(*(int *)ctx)++;
	return strcmp(path, "\\hv\\initrd.img") != 0;
}

static void test_check_images(void **state)
{
	int calls = 0;

	(void)state;
	assert_int_equal(parse(GOOD_CONFIG), 0);
	assert_int_equal(hvcfg_check_images(&cfg, probe_only_root, &calls, &err), -1);
	assert_int_equal(calls, 2);
	expect_error(18, "image '\\hv\\testos.elf' of partition 'guest-1' not found");
	assert_int_equal(parse_guest_image("image = \\hv\\vmlinuz\ninitrd = \\hv\\initrd.img"), 0);
	calls = 0;
	assert_int_equal(hvcfg_check_images(&cfg, probe_no_initrd, &calls, &err), -1);
	assert_int_equal(calls, 3);
	expect_error(19, "initrd '\\hv\\initrd.img' of partition 'guest-1' not found");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_config),
		cmocka_unit_test(test_initrd),
		cmocka_unit_test(test_long_cmdline),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_crlf_and_no_final_newline),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_unknown_section_and_syntax),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_root_rules),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_memory_overlap),
		cmocka_unit_test(test_missing_keys),
		cmocka_unit_test(test_pci),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_long_line_and_nul),
		cmocka_unit_test(test_too_many_partitions),
		cmocka_unit_test(test_validate_binary),
		cmocka_unit_test(test_check_images),
	};

	return cmocka_run_group_tests_name("hvcfg", tests, NULL, NULL);
}
