/*
 * Unit tests of the management part of hv.cfg (lib/hvcfg/hvcfg_mgmt.c and the
 * parser's [management] and [token NAME] sections): what is accepted and
 * what it becomes in struct hv_mgmt_config, every refusal with the line it
 * must name, and the binary checks hv repeats on the record.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hvcfg_fixture.h"

#define HASH_A "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF"
#define HASH_B "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

/* Line numbers matter: the tests below replace lines by number. */
#define MGMT_CONFIG \
	"[partition root]\n"                          /*  1 */ \
	"role = root\n"                               /*  2 */ \
	"cpus = 0\n"                                  /*  3 */ \
	"memory = 256M\n"                             /*  4 */ \
	"image = \\hv\\root.elf\n"                    /*  5 */ \
	"[management]\n"                              /*  6 */ \
	"address = 192.168.1.10/24\n"                 /*  7 */ \
	"gateway = 192.168.1.1\n"                     /*  8 */ \
	"http_port = 8080   # the API\n"              /*  9 */ \
	"[token admin]\n"                             /* 10 */ \
	"hash = " HASH_A "\n"                         /* 11 */ \
	"rights = *:read,control,execute\n"           /* 12 */ \
	"[token viewer]\n"                            /* 13 */ \
	"hash = " HASH_B "\n"                         /* 14 */ \
	"rights = guest1:read; root : read , control\n" /* 15 */ \
	"[partition guest1]\n"                        /* 16 */ \
	"cpus = 1\n"                                  /* 17 */ \
	"memory = 64M\n"                              /* 18 */ \
	"image = \\hv\\testos.elf\n"                  /* 19 */

static int parse_with_line(unsigned number, const char *line)
{
	return parse_replacing(MGMT_CONFIG, number, line);
}

static void expect_refused(unsigned number, const char *line, unsigned err_line,
			   const char *fragment)
{
	expect_refused_in(MGMT_CONFIG, number, line, err_line, fragment);
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse("[partition r]\nrole=root\ncpus=0\nmemory=2M\nimage=\\a\n"), 0);
	assert_int_equal(cfg.revision, HVCFG_REVISION);
	assert_int_equal(cfg.mgmt.revision, HV_MGMT_REVISION);
	assert_int_equal(cfg.mgmt.size, sizeof(struct hv_mgmt_config));
	assert_int_equal(cfg.mgmt.flags, HV_MGMT_DHCP);
	assert_int_equal(cfg.mgmt.http_port, 0);    /* no plain HTTP */
	assert_int_equal(cfg.mgmt.https_port, 443);
	assert_int_equal(cfg.mgmt.ntokens, 0);
	assert_int_equal(cfg.management_line, 0);
}

static void test_good(void **state)
{
	const struct hv_mgmt_config *m = &cfg.mgmt;
	static const uint8_t hash_a[32] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	};

	(void)state;
	assert_int_equal(parse(MGMT_CONFIG), 0);
	assert_int_equal(m->flags, 0);
	assert_memory_equal(m->ipv4, ((uint8_t[]){ 192, 168, 1, 10 }), 4);
	assert_memory_equal(m->netmask, ((uint8_t[]){ 255, 255, 255, 0 }), 4);
	assert_memory_equal(m->gateway, ((uint8_t[]){ 192, 168, 1, 1 }), 4);
	assert_int_equal(m->http_port, 8080);
	assert_int_equal(m->ntokens, 2);
	assert_string_equal(m->tokens[0].name, "admin");
	assert_memory_equal(m->tokens[0].sha256, hash_a, 32);
	assert_int_equal(m->tokens[0].ngrants, 1);
	assert_string_equal(m->tokens[0].grants[0].vm, "*");
	assert_int_equal(m->tokens[0].grants[0].rights,
			 HV_MGMT_RIGHT_READ | HV_MGMT_RIGHT_CONTROL | HV_MGMT_RIGHT_EXECUTE);
	assert_string_equal(m->tokens[1].name, "viewer");
	assert_int_equal(m->tokens[1].sha256[0], 0xff);
	assert_int_equal(m->tokens[1].ngrants, 2);
	assert_string_equal(m->tokens[1].grants[0].vm, "guest1");
	assert_int_equal(m->tokens[1].grants[0].rights, HV_MGMT_RIGHT_READ);
	assert_string_equal(m->tokens[1].grants[1].vm, "root");
	assert_int_equal(m->tokens[1].grants[1].rights, HV_MGMT_RIGHT_READ | HV_MGMT_RIGHT_CONTROL);
	assert_int_equal(cfg.management_line, 6);
	assert_int_equal(cfg.token_line[1], 13);
	assert_int_equal(cfg.rights_line[1], 15);
	assert_int_equal(hvcfg_validate(&cfg, &err), 0);
}

static void test_address_forms(void **state)
{
	(void)state;
	assert_int_equal(parse_with_line(8, "# no gateway"), 0);
	/* The gateway is checked against the address when the section ends. */
	assert_int_equal(parse_with_line(7, "address = 10.0.0.1/8"), -1);
	expect_error(8, "gateway 192.168.1.1 is not another host");
	assert_int_equal(parse_with_line(7, "address = 192.168.1.1/32"), -1);
	expect_error(8, "gateway 192.168.1.1 is not another host");
	assert_int_equal(parse_with_line(7, "address = 192.168.1.10/1"), 0);
	assert_memory_equal(cfg.mgmt.netmask, ((uint8_t[]){ 128, 0, 0, 0 }), 4);
	assert_int_equal(parse_with_line(7, "address = 192.168.1.0/31"), 0); /* RFC 3021 */
	assert_int_equal(parse_with_line(8, "http_port = 1"), -1);
	expect_error(9, "duplicate key 'http_port'");
}

static void test_dhcp(void **state)
{
	(void)state;
	assert_int_equal(parse_with_line(8, "address = dhcp"), -1);
	expect_error(8, "duplicate key 'address'");
	assert_int_equal(parse_with_line(7, "address = dhcp"), -1);
	expect_error(8, "gateway needs a static address");
	/* [management] with a port only: DHCP stays. */
	assert_int_equal(parse("[partition r]\nrole=root\ncpus=0\nmemory=2M\nimage=\\a\n"
			       "[management]\nhttp_port = 0x1f90\n"), 0);
	assert_int_equal(cfg.mgmt.flags, HV_MGMT_DHCP);
	assert_int_equal(cfg.mgmt.http_port, 8080);
	/* An address alone serves nothing: neither HTTPS nor plain HTTP. */
	assert_int_equal(parse("[partition r]\nrole=root\ncpus=0\nmemory=2M\nimage=\\a\n"
			       "[management]\naddress = dhcp\n"), -1);
	expect_error(6, "[management] serves no API: give tls_cert and tls_key");
}

static void test_address_refused(void **state)
{
	static const char *const bad[] = {
		"address = 192.168.1.10",       "address = 192.168.1/24",
		"address = 192.168.1.256/24",   "address = 192.168.1.10/",
		"address = 192.168.1.10/24x",   "address = 0192.168.1.10/24",
		"address = dhcp4",              "address = 192.168.1.10 /24",
		"address = -1.0.0.0/8",         "address =",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_refused(7, bad[i], 7, "address must be dhcp or A.B.C.D/PREFIX");
	expect_refused(7, "address = 192.168.1.10/0", 7, "prefix must be 1-32");
	expect_refused(7, "address = 192.168.1.10/33", 7, "prefix must be 1-32");
	expect_refused(7, "address = 192.168.1.0/24", 7, "192.168.1.0 is not a host address");
	expect_refused(7, "address = 192.168.1.255/24", 7, "not a host address");
	expect_refused(7, "address = 0.0.0.0/32", 7, "not a host address");
}

static void test_gateway_refused(void **state)
{
	(void)state;
	expect_refused(8, "gateway = 192.168.2.1", 8, "gateway 192.168.2.1 is not another host");
	expect_refused(8, "gateway = 192.168.1.10", 8, "is not another host");
	expect_refused(8, "gateway = 192.168.1", 8, "gateway must be an address");
	expect_refused(8, "gateway = 192.168.1.1/24", 8, "gateway must be an address");
}

static void test_port_refused(void **state)
{
	(void)state;
	expect_refused(9, "http_port = 0", 9, "http_port must be 1-65535, not '0'");
	expect_refused(9, "http_port = 65536", 9, "http_port must be 1-65535");
	expect_refused(9, "http_port = http", 9, "http_port must be 1-65535");
	expect_refused(9, "http_port = 80 80", 9, "http_port must be 1-65535");
	assert_int_equal(parse_with_line(9, "http_port = 65535"), 0);
	assert_int_equal(cfg.mgmt.http_port, 65535);
	/* The key of old: its replacements are named. */
	expect_refused(9, "port = 8080", 9, "'port' is now https_port (HTTPS, default 443) or http_port");
}

static void test_management_section(void **state)
{
	(void)state;
	expect_refused(9, "[management]", 9, "[management] given twice (first on line 6)");
	expect_refused(9, "colour = red", 9, "unknown key 'colour' in [management]");
	expect_refused(9, "hash = " HASH_A, 9, "unknown key 'hash' in [management]");
	expect_refused(12, "http_port = 80", 12, "unknown key 'http_port' in [token]");
	expect_refused(6, "[management extra]", 6, "unknown section");
}

/* [management] nic: a driver, a PCI address of the root's, or both. */
static void test_nic(void **state)
{
	static const char base[] =
		"[partition root]\nrole = root\ncpus = 0\nmemory = 64M\nimage = \\a\n"
		"pci = 00:02.0, 00:03.0\n"              /* 6 */
		"[management]\n"                        /* 7 */
		"nic = virtio\n"                        /* 8 */
		"http_port = 80\n";                     /* 9 */
	const struct hv_mgmt_config *m = &cfg.mgmt;

	(void)state;
	assert_int_equal(parse(MGMT_CONFIG), 0);
	assert_int_equal(m->nic_driver, HV_MGMT_NIC_ANY);
	assert_int_equal(m->nic_flags, 0);
	assert_int_equal(cfg.nic_line, 0);
	assert_int_equal(parse(base), 0);
	assert_int_equal(m->nic_driver, HV_MGMT_NIC_VIRTIO);
	assert_int_equal(m->nic_flags, 0);
	assert_int_equal(cfg.nic_line, 8);
	assert_int_equal(parse_replacing(base, 8, "nic = 00:03.0"), 0);
	assert_int_equal(m->nic_driver, HV_MGMT_NIC_ANY);
	assert_int_equal(m->nic_flags, HV_MGMT_NIC_BY_ADDRESS);
	assert_int_equal(m->nic_bdf, 0x18);
	assert_int_equal(parse_replacing(base, 8, "nic =  e1000e\t00:02.0  # both"), 0);
	assert_int_equal(m->nic_driver, HV_MGMT_NIC_E1000E);
	assert_int_equal(m->nic_bdf, 0x10);
	assert_int_equal(parse_replacing(base, 8, "nic = e1000"), 0);
	assert_int_equal(m->nic_driver, HV_MGMT_NIC_E1000);
	assert_string_equal(hvcfg_nic_driver_name(m->nic_driver), "e1000");
	/* refusals name the nic line */
	assert_int_equal(parse_replacing(base, 8, "nic = rtl8139"), -1);
	expect_error(8, "nic must be e1000, e1000e, virtio or a PCI address bb:dd.f, not 'rtl8139'");
	assert_int_equal(parse_replacing(base, 8, "nic = virtio e1000"), -1);
	expect_error(8, "nic names two drivers: 'e1000'");
	assert_int_equal(parse_replacing(base, 8, "nic = 00:02.0 00:03.0"), -1);
	expect_error(8, "nic names two PCI addresses: '00:03.0'");
	assert_int_equal(parse_replacing(base, 8, "nic = 00:02"), -1);
	expect_error(8, "not '00:02'");
	assert_int_equal(parse_replacing(base, 8, "nic ="), -1);
	expect_error(8, "nic needs a driver");
	assert_int_equal(parse_replacing(base, 8, "nic = 00:04.0"), -1);
	expect_error(8, "nic 00:04.0 is not among the PCI devices of the root partition 'root'");
	assert_int_equal(parse_replacing(base, 6, "# no pci"), -1);
	expect_error(8, "the root has no 'pci' key");
	/* the check runs at the end: [management] may come before the root */
	assert_int_equal(parse("[management]\nnic = 00:05.0\nhttp_port = 80\n[partition root]\nrole = root\n"
			       "cpus = 0\nmemory = 64M\nimage = \\a\npci = 00:02.0\n"), -1);
	expect_error(2, "nic 00:05.0 is not among");
	/* hv's check of the binary form */
	assert_int_equal(parse(base), 0);
	cfg.mgmt.nic_driver = 4;
	assert_int_equal(hvcfg_validate(&cfg, &err), -1);
	expect_error(8, "nic choice not understood (driver 4");
	assert_int_equal(parse(base), 0);
	cfg.mgmt.nic_bdf = 0x18; /* an address without the flag that says so */
	assert_int_equal(hvcfg_validate(&cfg, &err), -1);
	expect_error(8, "nic choice not understood");
}

static void test_token_names(void **state)
{
	(void)state;
	expect_refused(13, "[token admin]", 13, "token 'admin' defined twice (first on line 10)");
	expect_refused(13, "[token bad name]", 13, "token name must be 1-31 letters");
	expect_refused(13, "[token a.b]", 13, "token name must be");
	expect_refused(13, "[token abcdefghijabcdefghijabcdefghijab]", 13, "token name too long");
	expect_refused(13, "[token]", 13, "unknown section");
	/* A token may share a partition's name: they are different things. */
	assert_int_equal(parse_with_line(13, "[token root]"), 0);
}

static void test_token_hash(void **state)
{
	(void)state;
	expect_refused(14, "hash = " HASH_B "0", 14, "hash must be 64 hexadecimal digits");
	expect_refused(14, "hash = abc", 14, "hash must be 64 hexadecimal digits");
	expect_refused(14, "hash = 0x" HASH_B, 14, "hash must be 64");
	expect_refused(14, "hash = g" HASH_B "", 14, "hash must be 64");
	expect_refused(14, "hash = " HASH_A, 13, "token 'viewer' has the same hash as token 'admin'");
	expect_refused(14, "# no hash", 13, "token 'viewer' has no 'hash' key");
	expect_refused(14, "hash = 0000000000000000000000000000000000000000000000000000000000000000",
		       13, "has no 'hash' key");
	expect_refused(15, "hash = " HASH_B, 15, "duplicate key 'hash'");
}

static void test_token_rights(void **state)
{
	(void)state;
	expect_refused(15, "# no rights", 13, "token 'viewer' has no 'rights' key");
	expect_refused(15, "rights = guest1:write", 15, "right must be read, control or execute, not 'write'");
	expect_refused(15, "rights = guest1:read,", 15, "right must be read, control or execute, not ''");
	expect_refused(15, "rights = guest1:", 15, "right must be");
	expect_refused(15, "rights = guest1:read,read", 15, "right given twice: 'read'");
	expect_refused(15, "rights = guest1", 15, "grant must be VM:RIGHT");
	expect_refused(15, "rights = guest1:read;", 15, "grant must be VM:RIGHT");
	expect_refused(15, "rights = :read", 15, "grant needs a partition name or '*'");
	expect_refused(15, "rights =", 15, "grant must be VM:RIGHT");
	expect_refused(15, "rights = guest2:read", 15,
		       "token 'viewer' grants rights on 'guest2', which is not a partition");
	expect_refused(15, "rights = guest1:read; guest1:control", 15,
		       "token 'viewer' names 'guest1' twice");
	expect_refused(15, "rights = gu est1:read", 15, "which is not a partition");
	expect_refused(15, "rights = abcdefghijabcdefghijabcdefghijab:read", 15,
		       "grant needs a partition name");
	expect_refused(15, "rights = a:read;b:read;c:read;d:read;e:read;f:read;g:read;h:read;i:read",
		       15, "more than 8 grants");
	/* Eight grants are the limit, not an error; names are checked after the whole file. */
	expect_refused(15, "rights = a:read;b:read;c:read;d:read;e:read;f:read;g:read;h:read",
		       15, "grants rights on 'a', which is not a partition");
	assert_int_equal(parse_with_line(15, "rights=guest1:execute,read"), 0);
	assert_int_equal(cfg.mgmt.tokens[1].grants[0].rights,
			 HV_MGMT_RIGHT_READ | HV_MGMT_RIGHT_EXECUTE);
}

static void test_too_many_tokens(void **state)
{
	char text[8192], *p = text;

	(void)state;
	p += sprintf(p, "[partition root]\nrole=root\ncpus=0\nmemory=2M\nimage=\\a\n");
	for (int i = 0; i < 9; i++)
		p += sprintf(p, "[token t%d]\nhash=%064x\nrights=*:read\n", i, i + 1);
	assert_int_equal(parse(text), -1);
	expect_error(5 + 8 * 3 + 1, "more than 8 tokens");
	/* Eight are fine. */
	text[strlen(text) - strlen("[token t8]\nhash=") - 64 - strlen("\nrights=*:read\n")] = '\0';
	assert_int_equal(parse(text), 0);
	assert_int_equal(cfg.mgmt.ntokens, 8);
	assert_int_equal(cfg.mgmt.tokens[7].sha256[31], 8);
}

/* hv's view: a record that the parser would never produce is refused. */
static void expect_binary_refused(void (*spoil)(struct hvcfg *), unsigned line,
				  const char *fragment)
{
	assert_int_equal(parse(MGMT_CONFIG), 0);
	spoil(&cfg);
	assert_int_equal(hvcfg_validate(&cfg, &err), -1);
	expect_error(line, fragment);
}

static void spoil_revision(struct hvcfg *c) { c->mgmt.revision = 9; }
static void spoil_size(struct hvcfg *c) { c->mgmt.size = 4096; }
static void spoil_dhcp_gateway(struct hvcfg *c)
{
	c->mgmt.flags = HV_MGMT_DHCP;
	memset(c->mgmt.ipv4, 0, 4);
	memset(c->mgmt.netmask, 0, 4);
}
static void spoil_dhcp_address(struct hvcfg *c)
{
	c->mgmt.flags = HV_MGMT_DHCP;
	memset(c->mgmt.gateway, 0, 4);
}
static void spoil_flags(struct hvcfg *c) { c->mgmt.flags = 0x80; }
static void spoil_port(struct hvcfg *c) { c->mgmt.http_port = 0; }
static void spoil_netmask(struct hvcfg *c) { c->mgmt.netmask[3] = 0x0f; }
static void spoil_ntokens(struct hvcfg *c) { c->mgmt.ntokens = 9; }
static void spoil_ngrants(struct hvcfg *c) { c->mgmt.tokens[1].ngrants = 0; }
static void spoil_ngrants_high(struct hvcfg *c) { c->mgmt.tokens[1].ngrants = 9; }
static void spoil_rights(struct hvcfg *c) { c->mgmt.tokens[1].grants[1].rights = 8; }
static void spoil_no_rights(struct hvcfg *c) { c->mgmt.tokens[1].grants[1].rights = 0; }
static void spoil_vm_unterminated(struct hvcfg *c)
{
	memset(c->mgmt.tokens[0].grants[0].vm, 'a', HV_MGMT_NAME_LEN);
}
static void spoil_vm_name(struct hvcfg *c) { strcpy(c->mgmt.tokens[1].grants[0].vm, "nobody"); }
static void spoil_token_name(struct hvcfg *c) { memset(c->mgmt.tokens[1].name, 'x', 32); }
static void spoil_token_twice(struct hvcfg *c) { strcpy(c->mgmt.tokens[1].name, "admin"); }
static void spoil_hash(struct hvcfg *c) { memset(c->mgmt.tokens[0].sha256, 0, 32); }
static void spoil_reserved(struct hvcfg *c) { c->mgmt.tokens[0].reserved = 1; }
static void spoil_nic_flags(struct hvcfg *c) { c->mgmt.nic_flags = 2; }

static void test_validate_binary(void **state)
{
	(void)state;
	expect_binary_refused(spoil_revision, 6, "management record revision 9");
	expect_binary_refused(spoil_size, 6, "size 4096");
	expect_binary_refused(spoil_dhcp_gateway, 6, "gateway needs a static address");
	expect_binary_refused(spoil_dhcp_address, 6, "a DHCP configuration carries an address");
	expect_binary_refused(spoil_flags, 6, "unknown management flags 0x80");
	expect_binary_refused(spoil_port, 6, "[management] serves no API");
	expect_binary_refused(spoil_netmask, 6, "netmask is not a prefix");
	expect_binary_refused(spoil_ntokens, 0, "9 tokens, at most 8");
	expect_binary_refused(spoil_ngrants, 13, "token 'viewer' has no 'rights' key");
	expect_binary_refused(spoil_ngrants_high, 13, "token 'viewer' is malformed");
	expect_binary_refused(spoil_rights, 15, "bad rights 0x8 on 'root'");
	expect_binary_refused(spoil_no_rights, 15, "bad rights 0x0 on 'root'");
	expect_binary_refused(spoil_vm_unterminated, 12, "not terminated");
	expect_binary_refused(spoil_vm_name, 15, "grants rights on 'nobody'");
	expect_binary_refused(spoil_token_name, 13, "token name must be");
	expect_binary_refused(spoil_token_twice, 13, "token 'admin' defined twice");
	expect_binary_refused(spoil_hash, 10, "token 'admin' has no 'hash' key");
	expect_binary_refused(spoil_reserved, 10, "malformed");
	expect_binary_refused(spoil_nic_flags, 6, "nic choice not understood (driver 0, flags 0x2)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_address_forms),
		cmocka_unit_test(test_dhcp),
		cmocka_unit_test(test_address_refused),
		cmocka_unit_test(test_gateway_refused),
		cmocka_unit_test(test_port_refused),
		cmocka_unit_test(test_management_section),
		cmocka_unit_test(test_nic),
		cmocka_unit_test(test_token_names),
		cmocka_unit_test(test_token_hash),
		cmocka_unit_test(test_token_rights),
		cmocka_unit_test(test_too_many_tokens),
		cmocka_unit_test(test_validate_binary),
	};

	return cmocka_run_group_tests_name("hvcfg_mgmt", tests, NULL, NULL);
}
