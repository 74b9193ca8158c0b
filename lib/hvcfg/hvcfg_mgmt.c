/*
 * The management part of hv.cfg (docs/configuration.md): `[management]`
 * (the API's address, its HTTPS and plain HTTP ports, the TLS files) and
 * `[token NAME]` (a bearer token's SHA-256 and its rights per partition).  The parser calls the value
 * readers here as it meets the keys; hvcfg_check_mgmt() holds the binary
 * record (struct hv_mgmt_config) to the same rules for hv.
 */
#include "hvcfg_internal.h"

#include <lib/ctype.h>
#include <lib/string.h>

static const char *const right_names[] = { "read", "control", "execute" };
#define RIGHT_COUNT (sizeof(right_names) / sizeof(right_names[0]))
#define RIGHTS_ALL ((1u << RIGHT_COUNT) - 1)

static uint32_t ipv4_word(const uint8_t b[4])
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void ipv4_bytes(uint32_t word, uint8_t b[4])
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(word >> (24 - 8 * i));
}

/* "A.B.C.D", each part 0-255 in at most three decimal digits. */
static bool read_ipv4(struct hvcfg_value *v, uint8_t out[4])
{
	for (int i = 0; i < 4; i++) {
		size_t before;
		uint64_t n;

		if (i > 0 && !hvcfg_read_char(v, '.'))
			return false;
		before = v->len;
		if (!hvcfg_read_number(v, 10, &n) || n > 255 || before - v->len > 3)
			return false;
		out[i] = (uint8_t)n;
	}
	return true;
}

static int fail_value(struct hvcfg_error *err, uint32_t line, const char *msg,
		      const struct hvcfg_value *v)
{
	return hvcfg_fail(err, line, "%s '%.*s'", msg, (int)v->len, v->s);
}

/* "dhcp" or "A.B.C.D/PREFIX", prefix 1-32. */
int hvcfg_mgmt_address(struct hvcfg *cfg, const struct hvcfg_value *v, uint32_t line,
		       struct hvcfg_error *err)
{
	struct hv_mgmt_config *m = &cfg->mgmt;
	struct hvcfg_value rest = *v;
	uint64_t prefix;

	memset(m->ipv4, 0, 4);
	memset(m->netmask, 0, 4);
	if (hvcfg_equals(v, "dhcp")) {
		m->flags |= HV_MGMT_DHCP;
		return 0;
	}
	if (!read_ipv4(&rest, m->ipv4) || !hvcfg_read_char(&rest, '/') ||
	    !hvcfg_read_number(&rest, 10, &prefix) || rest.len != 0)
		return fail_value(err, line, "address must be dhcp or A.B.C.D/PREFIX, not", v);
	if (prefix < 1 || prefix > 32)
		return fail_value(err, line, "address prefix must be 1-32 in", v);
	m->flags &= ~HV_MGMT_DHCP;
	ipv4_bytes((uint32_t)(0xffffffffull << (32 - prefix)), m->netmask);
	return hvcfg_check_mgmt_net(cfg, line, err);
}

int hvcfg_mgmt_gateway(struct hvcfg *cfg, const struct hvcfg_value *v, uint32_t line,
		       struct hvcfg_error *err)
{
	struct hvcfg_value rest = *v;

	if (!read_ipv4(&rest, cfg->mgmt.gateway) || rest.len != 0)
		return fail_value(err, line, "gateway must be an address A.B.C.D, not", v);
	return 0;
}

int hvcfg_mgmt_port(const char *key, uint16_t *port, const struct hvcfg_value *v, uint32_t line,
		    struct hvcfg_error *err)
{
	struct hvcfg_value rest = *v;
	uint64_t n;

	if (!hvcfg_read_integer(&rest, &n) || rest.len != 0 || n < 1 || n > 65535)
		return hvcfg_fail(err, line, "%s must be 1-65535, not '%.*s'", key, (int)v->len, v->s);
	*port = (uint16_t)n;
	return 0;
}

static const char *const file_keys[HV_MGMT_FILES] = HV_MGMT_FILE_KEYS;
static const char *const file_examples[HV_MGMT_FILES] = {
	"\\hv\\tls-cert.pem", "\\hv\\tls-key.pem", "\\hv\\client-ca.pem",
};

const char *hvcfg_mgmt_file_key(uint32_t file)
{
	return file < HV_MGMT_FILES ? file_keys[file] : "?";
}

/* HV_MGMT_TLS with a certificate and its key, HV_MGMT_TLS_CLIENT_CA with a client CA. */
static void set_tls_flags(struct hvcfg *cfg)
{
	const struct hvcfg_file *f = cfg->mgmt_files;

	cfg->mgmt.flags &= ~(HV_MGMT_TLS | HV_MGMT_TLS_CLIENT_CA);
	if (f[HV_MGMT_FILE_TLS_CERT].path[0] != '\0' && f[HV_MGMT_FILE_TLS_KEY].path[0] != '\0')
		cfg->mgmt.flags |= HV_MGMT_TLS;
	if (f[HV_MGMT_FILE_TLS_CLIENT_CA].path[0] != '\0')
		cfg->mgmt.flags |= HV_MGMT_TLS_CLIENT_CA;
}

int hvcfg_mgmt_file(struct hvcfg *cfg, uint32_t file, const struct hvcfg_value *v, uint32_t line,
		    struct hvcfg_error *err)
{
	struct hvcfg_file *f = &cfg->mgmt_files[file];

	if (v->len >= sizeof(f->path))
		return hvcfg_fail(err, line, "%s longer than %u characters (%zu)", file_keys[file],
				  (unsigned)sizeof(f->path) - 1, v->len);
	memcpy(f->path, v->s, v->len);
	f->path[v->len] = '\0';
	for (char *c = f->path; *c != '\0'; c++) {
		if (*c == '/')
			*c = '\\';
	}
	f->line = line;
	set_tls_flags(cfg);
	return hvcfg_check_esp_path(f->path, file_keys[file], "", file_examples[file], line, err);
}

/* Path rules of a file, and a flag that matches whether it (and its partner) is given. */
static int check_files(const struct hvcfg *cfg, uint32_t line, struct hvcfg_error *err)
{
	const struct hv_mgmt_config *m = &cfg->mgmt;
	bool cert = cfg->mgmt_files[HV_MGMT_FILE_TLS_CERT].path[0] != '\0';
	bool key = cfg->mgmt_files[HV_MGMT_FILE_TLS_KEY].path[0] != '\0';
	bool ca = cfg->mgmt_files[HV_MGMT_FILE_TLS_CLIENT_CA].path[0] != '\0';

	for (uint32_t i = 0; i < HV_MGMT_FILES; i++) {
		const struct hvcfg_file *f = &cfg->mgmt_files[i];

		if (f->reserved != 0 || strnlen(f->path, sizeof(f->path)) == sizeof(f->path))
			return hvcfg_fail(err, line, "%s is malformed", file_keys[i]);
		if (f->path[0] != '\0' && hvcfg_check_esp_path(f->path, file_keys[i], "",
								file_examples[i], f->line, err) != 0)
			return -1;
	}
	if (!(m->flags & HV_MGMT_TLS) != !(cert && key) ||
	    !(m->flags & HV_MGMT_TLS_CLIENT_CA) != !ca)
		return hvcfg_fail(err, line, "management flags 0x%x disagree with the TLS files",
				  m->flags);
	return 0;
}

int hvcfg_check_mgmt_serve(const struct hvcfg *cfg, const struct hvcfg_mgmt_lines *lines,
			   struct hvcfg_error *err)
{
	const struct hv_mgmt_config *m = &cfg->mgmt;
	const struct hvcfg_file *f = cfg->mgmt_files;
	bool cert = f[HV_MGMT_FILE_TLS_CERT].path[0] != '\0';
	bool key = f[HV_MGMT_FILE_TLS_KEY].path[0] != '\0';

	if (cert && !key)
		return hvcfg_fail(err, f[HV_MGMT_FILE_TLS_CERT].line,
				  "tls_cert needs tls_key, the certificate's private key");
	if (key && !cert)
		return hvcfg_fail(err, f[HV_MGMT_FILE_TLS_KEY].line,
				  "tls_key needs tls_cert, the certificate it belongs to");
	if (f[HV_MGMT_FILE_TLS_CLIENT_CA].path[0] != '\0' && !cert)
		return hvcfg_fail(err, f[HV_MGMT_FILE_TLS_CLIENT_CA].line,
				  "tls_client_ca needs tls_cert and tls_key (mutual TLS is HTTPS)");
	if (check_files(cfg, lines->section, err) != 0)
		return -1;
	if (m->https_port == 0)
		return hvcfg_fail(err, lines->https_port, "https_port must be 1-65535");
	if ((m->flags & HV_MGMT_INSECURE_HTTP) && m->http_port == 0)
		return hvcfg_fail(err, lines->insecure_http,
				  "insecure_http = yes needs http_port (plain HTTP)");
	if ((m->flags & HV_MGMT_TLS) && m->http_port == m->https_port)
		return hvcfg_fail(err, lines->http_port, "http_port and https_port are both %u",
				  m->http_port);
	if (cfg->management_line != 0 && !(m->flags & HV_MGMT_TLS) && m->http_port == 0)
		return hvcfg_fail(err, lines->section,
				  "[management] serves no API: give tls_cert and tls_key (HTTPS), "
				  "or http_port (plain HTTP, for tests)");
	return 0;
}

/* The next blank-separated word of *rest. */
static struct hvcfg_value next_word(struct hvcfg_value *rest)
{
	size_t n = 0;
	struct hvcfg_value word;

	*rest = hvcfg_trim(rest->s, rest->len);
	while (n < rest->len && rest->s[n] != ' ' && rest->s[n] != '\t')
		n++;
	word = (struct hvcfg_value){ rest->s, n };
	rest->s += n, rest->len -= n;
	return word;
}

/* One word of a nic value: a driver name or a PCI address, each at most once. */
static int nic_word(struct hv_mgmt_config *m, struct hvcfg_value word, uint32_t line,
		    struct hvcfg_error *err)
{
	struct hvcfg_value rest = word;
	hvcfg_bdf bdf;

	for (uint32_t d = HV_MGMT_NIC_E1000; d <= HV_MGMT_NIC_VIRTIO; d++) {
		if (!hvcfg_equals(&word, hvcfg_nic_driver_name(d)))
			continue;
		if (m->nic_driver != HV_MGMT_NIC_ANY)
			return fail_value(err, line, "nic names two drivers:", &word);
		m->nic_driver = (uint8_t)d;
		return 0;
	}
	if (!hvcfg_read_bdf(&rest, &bdf) || rest.len != 0)
		return fail_value(err, line, "nic must be e1000, e1000e, virtio or a PCI address "
				  "bb:dd.f, not", &word);
	if (m->nic_flags & HV_MGMT_NIC_BY_ADDRESS)
		return fail_value(err, line, "nic names two PCI addresses:", &word);
	m->nic_flags |= HV_MGMT_NIC_BY_ADDRESS;
	m->nic_bdf = bdf;
	return 0;
}

int hvcfg_mgmt_nic(struct hvcfg *cfg, const struct hvcfg_value *v, uint32_t line,
		   struct hvcfg_error *err)
{
	struct hv_mgmt_config *m = &cfg->mgmt;
	struct hvcfg_value rest = *v, word;

	m->nic_driver = HV_MGMT_NIC_ANY;
	m->nic_flags = 0;
	m->nic_bdf = 0;
	while ((word = next_word(&rest)).len != 0) {
		if (nic_word(m, word, line, err) != 0)
			return -1;
	}
	if (m->nic_driver == HV_MGMT_NIC_ANY && m->nic_flags == 0)
		return hvcfg_fail(err, line, "nic needs a driver (e1000, e1000e, virtio), "
				  "a PCI address bb:dd.f, or both");
	return 0;
}

const char *hvcfg_nic_driver_name(uint32_t driver)
{
	static const char *const names[] = { "any", "e1000", "e1000e", "virtio" };

	return driver <= HV_MGMT_NIC_VIRTIO ? names[driver] : "unknown";
}

/* Exactly 64 hexadecimal digits, either case. */
int hvcfg_token_hash(struct hvcfg *cfg, uint32_t idx, const struct hvcfg_value *v,
		     uint32_t line, struct hvcfg_error *err)
{
	uint8_t *hash = cfg->mgmt.tokens[idx].sha256;
	bool ok = v->len == 64;

	for (size_t i = 0; ok && i < 64; i += 2) {
		int hi = lib_hex_digit(v->s[i]), lo = lib_hex_digit(v->s[i + 1]);

		ok = hi >= 0 && lo >= 0;
		if (ok)
			hash[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	if (!ok) {
		memset(hash, 0, 32);
		return hvcfg_fail(err, line,
				  "hash must be 64 hexadecimal digits (hvcfg hash-token TOKEN prints it)");
	}
	return 0;
}

/* One right name; 0 when unknown. */
static uint32_t right_bit(const struct hvcfg_value *name)
{
	for (uint32_t i = 0; i < RIGHT_COUNT; i++) {
		if (hvcfg_equals(name, right_names[i]))
			return 1u << i;
	}
	return 0;
}

/* "read,control" (the text after a grant's colon). */
static int parse_right_list(struct hvcfg_value list, uint32_t *rights, uint32_t line,
			    struct hvcfg_error *err)
{
	*rights = 0;
	for (;;) {
		size_t end = 0;
		struct hvcfg_value name;
		uint32_t bit;

		while (end < list.len && list.s[end] != ',')
			end++;
		name = hvcfg_trim(list.s, end);
		bit = right_bit(&name);
		if (bit == 0)
			return fail_value(err, line, "right must be read, control or execute, not", &name);
		if (*rights & bit)
			return fail_value(err, line, "right given twice:", &name);
		*rights |= bit;
		if (end == list.len)
			break;
		list = (struct hvcfg_value){ list.s + end + 1, list.len - end - 1 };
	}
	return 0;
}

/* "VM:RIGHT[,RIGHT...]": VM is a partition name (checked later) or "*". */
static int parse_grant(struct hv_mgmt_token *t, struct hvcfg_value text, uint32_t line,
		       struct hvcfg_error *err)
{
	struct hv_mgmt_grant *g;
	struct hvcfg_value vm;
	size_t colon = 0;

	while (colon < text.len && text.s[colon] != ':')
		colon++;
	if (colon == text.len)
		return fail_value(err, line, "grant must be VM:RIGHT[,RIGHT...], not", &text);
	if (t->ngrants == HV_MGMT_MAX_GRANTS)
		return hvcfg_fail(err, line, "more than %u grants", HV_MGMT_MAX_GRANTS);
	vm = hvcfg_trim(text.s, colon);
	if (vm.len == 0 || vm.len >= HV_MGMT_NAME_LEN)
		return fail_value(err, line, "grant needs a partition name or '*' before ':' in", &text);
	g = &t->grants[t->ngrants++];
	memcpy(g->vm, vm.s, vm.len);
	return parse_right_list(hvcfg_trim(text.s + colon + 1, text.len - colon - 1), &g->rights,
				line, err);
}

/* Grants separated by ';'.  The names are checked by hvcfg_check_mgmt. */
int hvcfg_token_rights(struct hvcfg *cfg, uint32_t idx, const struct hvcfg_value *v,
		       uint32_t line, struct hvcfg_error *err)
{
	struct hv_mgmt_token *t = &cfg->mgmt.tokens[idx];
	struct hvcfg_value rest = *v;

	cfg->rights_line[idx] = line;
	for (;;) {
		size_t end = 0;

		while (end < rest.len && rest.s[end] != ';')
			end++;
		if (parse_grant(t, hvcfg_trim(rest.s, end), line, err) != 0)
			return -1;
		if (end == rest.len)
			break;
		rest = (struct hvcfg_value){ rest.s + end + 1, rest.len - end - 1 };
	}
	return 0;
}

/* A network mask is contiguous ones from the top, at least one. */
static bool netmask_ok(uint32_t mask)
{
	return mask != 0 && (~mask & (~mask + 1)) == 0;
}

int hvcfg_check_mgmt_net(const struct hvcfg *cfg, uint32_t line, struct hvcfg_error *err)
{
	const struct hv_mgmt_config *m = &cfg->mgmt;
	uint32_t ip = ipv4_word(m->ipv4), mask = ipv4_word(m->netmask);
	uint32_t gw = ipv4_word(m->gateway);

	if (m->flags & ~HV_MGMT_FLAGS_ALL)
		return hvcfg_fail(err, line, "unknown management flags 0x%x", m->flags);
	if (m->flags & HV_MGMT_DHCP) {
		if (gw != 0)
			return hvcfg_fail(err, line, "gateway needs a static address (address = A.B.C.D/PREFIX)");
		if (ip != 0 || mask != 0)
			return hvcfg_fail(err, line, "a DHCP configuration carries an address");
		return 0;
	}
	if (!netmask_ok(mask))
		return hvcfg_fail(err, line, "management netmask is not a prefix");
	/* /31 and /32 have no network and broadcast addresses (RFC 3021). */
	if (ip == 0 || (mask < 0xfffffffeu && ((ip & ~mask) == 0 || (ip & ~mask) == ~mask)))
		return hvcfg_fail(err, line, "address %u.%u.%u.%u is not a host address of its network",
				  m->ipv4[0], m->ipv4[1], m->ipv4[2], m->ipv4[3]);
	if (gw != 0 && (gw == ip || (gw & mask) != (ip & mask)))
		return hvcfg_fail(err, line, "gateway %u.%u.%u.%u is not another host of the address's network",
				  m->gateway[0], m->gateway[1], m->gateway[2], m->gateway[3]);
	return 0;
}

int hvcfg_check_token_name(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
			   struct hvcfg_error *err)
{
	const char *name = cfg->mgmt.tokens[idx].name;

	if (!hvcfg_name_valid(name, HV_MGMT_NAME_LEN))
		return hvcfg_fail(err, line,
				  "token name must be 1-%u letters, digits, '_' or '-'",
				  HV_MGMT_NAME_LEN - 1);
	for (uint32_t i = 0; i < idx; i++) {
		if (strcmp(cfg->mgmt.tokens[i].name, name) == 0)
			return hvcfg_fail(err, line, "token '%s' defined twice (first on line %u)",
					  name, cfg->token_line[i]);
	}
	return 0;
}

static bool hash_set(const uint8_t hash[32])
{
	uint8_t any = 0;

	for (int i = 0; i < 32; i++)
		any |= hash[i];
	return any != 0;
}

int hvcfg_check_token_complete(const struct hvcfg *cfg, uint32_t idx, struct hvcfg_error *err)
{
	const struct hv_mgmt_token *t = &cfg->mgmt.tokens[idx];

	if (!hash_set(t->sha256))
		return hvcfg_fail(err, cfg->token_line[idx], "token '%s' has no 'hash' key", t->name);
	if (t->ngrants == 0)
		return hvcfg_fail(err, cfg->token_line[idx], "token '%s' has no 'rights' key", t->name);
	return 0;
}

static bool is_partition(const struct hvcfg *cfg, const char *name)
{
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		if (strcmp(cfg->partitions[i].name, name) == 0)
			return true;
	}
	return false;
}

/* Grant g of token idx: a known VM once per token, known rights. */
static int check_grant(const struct hvcfg *cfg, uint32_t idx, uint32_t g,
		       struct hvcfg_error *err)
{
	const struct hv_mgmt_token *t = &cfg->mgmt.tokens[idx];
	const struct hv_mgmt_grant *grant = &t->grants[g];
	uint32_t line = cfg->rights_line[idx];

	if (strnlen(grant->vm, HV_MGMT_NAME_LEN) >= HV_MGMT_NAME_LEN)
		return hvcfg_fail(err, line, "token '%s': a grant's name is not terminated", t->name);
	if (strcmp(grant->vm, "*") != 0 && !is_partition(cfg, grant->vm))
		return hvcfg_fail(err, line, "token '%s' grants rights on '%s', which is not a partition",
				  t->name, grant->vm);
	if (grant->rights == 0 || (grant->rights & ~RIGHTS_ALL) != 0)
		return hvcfg_fail(err, line, "token '%s': bad rights 0x%x on '%s'", t->name,
				  grant->rights, grant->vm);
	for (uint32_t i = 0; i < g; i++) {
		if (strcmp(t->grants[i].vm, grant->vm) == 0)
			return hvcfg_fail(err, line, "token '%s' names '%s' twice", t->name, grant->vm);
	}
	return 0;
}

static int check_token(const struct hvcfg *cfg, uint32_t idx, struct hvcfg_error *err)
{
	const struct hv_mgmt_token *t = &cfg->mgmt.tokens[idx];

	if (hvcfg_check_token_name(cfg, idx, cfg->token_line[idx], err) != 0 ||
	    hvcfg_check_token_complete(cfg, idx, err) != 0)
		return -1;
	if (t->ngrants > HV_MGMT_MAX_GRANTS || t->reserved != 0)
		return hvcfg_fail(err, cfg->token_line[idx], "token '%s' is malformed", t->name);
	for (uint32_t i = 0; i < idx; i++) {
		if (memcmp(cfg->mgmt.tokens[i].sha256, t->sha256, 32) == 0)
			return hvcfg_fail(err, cfg->token_line[idx],
					  "token '%s' has the same hash as token '%s'", t->name,
					  cfg->mgmt.tokens[i].name);
	}
	for (uint32_t g = 0; g < t->ngrants; g++) {
		if (check_grant(cfg, idx, g, err) != 0)
			return -1;
	}
	return 0;
}

/* The root partition, which the global rules make sure exists; NULL if not. */
static const struct hvcfg_partition *root_partition(const struct hvcfg *cfg)
{
	for (uint32_t i = 0; i < cfg->partition_count && i < HVCFG_MAX_PARTITIONS; i++) {
		if (cfg->partitions[i].role == HVCFG_ROLE_ROOT)
			return &cfg->partitions[i];
	}
	return NULL;
}

/* The nic choice: known values, and a card the root is given. */
static int check_nic(const struct hvcfg *cfg, struct hvcfg_error *err)
{
	const struct hv_mgmt_config *m = &cfg->mgmt;
	const struct hvcfg_partition *root = root_partition(cfg);
	uint32_t line = cfg->nic_line ? cfg->nic_line : cfg->management_line;
	char bdf[8];

	if (m->nic_driver > HV_MGMT_NIC_VIRTIO || (m->nic_flags & ~HV_MGMT_NIC_BY_ADDRESS) != 0 ||
	    (!(m->nic_flags & HV_MGMT_NIC_BY_ADDRESS) && m->nic_bdf != 0))
		return hvcfg_fail(err, line, "nic choice not understood (driver %u, flags 0x%x)",
				  m->nic_driver, m->nic_flags);
	if (m->nic_driver == HV_MGMT_NIC_ANY && m->nic_flags == 0)
		return 0;
	if (root == NULL || root->pci_count == 0)
		return hvcfg_fail(err, line, "nic chooses among the root's PCI devices, "
				  "but the root has no 'pci' key");
	if (!(m->nic_flags & HV_MGMT_NIC_BY_ADDRESS))
		return 0;
	for (uint32_t d = 0; d < root->pci_count && d < HVCFG_MAX_PCI; d++) {
		if (root->pci[d] == m->nic_bdf)
			return 0;
	}
	hvcfg_format_bdf(m->nic_bdf, bdf);
	return hvcfg_fail(err, line, "nic %s is not among the PCI devices of the root "
			  "partition '%s'", bdf, root->name);
}

int hvcfg_check_mgmt(const struct hvcfg *cfg, struct hvcfg_error *err)
{
	const struct hv_mgmt_config *m = &cfg->mgmt;
	struct hvcfg_mgmt_lines lines = { cfg->management_line, cfg->management_line,
					   cfg->management_line, cfg->management_line };

	if (m->revision != HV_MGMT_REVISION || m->size != sizeof(*m) || m->reserved != 0 ||
	    m->reserved2 != 0)
		return hvcfg_fail(err, cfg->management_line,
				  "management record revision %u size %u not understood",
				  m->revision, m->size);
	if (hvcfg_check_mgmt_net(cfg, cfg->management_line, err) != 0 || check_nic(cfg, err) != 0 ||
	    hvcfg_check_mgmt_serve(cfg, &lines, err) != 0)
		return -1;
	if (m->ntokens > HV_MGMT_MAX_TOKENS)
		return hvcfg_fail(err, 0, "%u tokens, at most %u", m->ntokens, HV_MGMT_MAX_TOKENS);
	for (uint32_t i = 0; i < m->ntokens; i++) {
		if (check_token(cfg, i, err) != 0)
			return -1;
	}
	return 0;
}
