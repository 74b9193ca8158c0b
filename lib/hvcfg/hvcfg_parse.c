/*
 * Parser for the text form of hv.cfg (docs/configuration.md): INI-like
 * sections, `key = value` lines, `#` comments.  It fills the binary
 * description and runs each rule as soon as the key is read, so an error
 * names the line a person has to fix.  Pure code: no allocation, no I/O.
 * The values of [management] and [token NAME] are read in hvcfg_mgmt.c.
 */
#include "hvcfg_internal.h"

#include <lib/ctype.h>
#include <lib/string.h>

/* Room for the longest command line in quotes with its key and a comment. */
#define LINE_MAX_LEN (HVCFG_CMDLINE_LEN + 256u)

enum section {
	SECTION_NONE, SECTION_HYPERVISOR, SECTION_PARTITION, SECTION_MANAGEMENT, SECTION_TOKEN,
};

struct parser {
	struct hvcfg *cfg;
	struct hvcfg_error *err;
	uint32_t line;
	enum section section;
	uint32_t seen;         /* bit per key of the current section */
	bool hypervisor_seen;
	uint32_t hypervisor_line;
	uint32_t gateway_line; /* of the current [management], 0 = none */
	struct hvcfg_mgmt_lines mgmt_lines; /* its keys' lines, for the section's rules */
};

struct key {
	enum section section;
	const char *name;
	int (*apply)(struct parser *ps, const struct hvcfg_value *v);
};

static struct hvcfg_partition *current(struct parser *ps)
{
	return &ps->cfg->partitions[ps->cfg->partition_count - 1];
}

static uint32_t current_token(const struct parser *ps)
{
	return ps->cfg->mgmt.ntokens - 1u;
}

static int fail(struct parser *ps, const char *msg, const struct hvcfg_value *v)
{
	return hvcfg_fail(ps->err, ps->line, "%s '%.*s'", msg, (int)v->len, v->s);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

struct hvcfg_value hvcfg_trim(const char *s, size_t len)
{
	while (len > 0 && is_space(*s))
		s++, len--;
	while (len > 0 && is_space(s[len - 1]))
		len--;
	return (struct hvcfg_value){ s, len };
}

bool hvcfg_equals(const struct hvcfg_value *v, const char *word)
{
	return strlen(word) == v->len && strncmp(v->s, word, v->len) == 0;
}

static int digit_value(char c, unsigned base)
{
	int d = lib_hex_digit(c);

	return d >= 0 && (unsigned)d < base ? d : -1;
}

/* Reads an unsigned number in the given base; false on no digits or overflow. */
bool hvcfg_read_number(struct hvcfg_value *v, unsigned base, uint64_t *out)
{
	uint64_t n = 0;
	size_t i = 0;
	int d;

	for (; i < v->len && (d = digit_value(v->s[i], base)) >= 0; i++) {
		if (n > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		n = n * base + (uint64_t)d;
	}
	if (i == 0)
		return false;
	v->s += i, v->len -= i;
	*out = n;
	return true;
}

/* Decimal or 0x-hexadecimal. */
bool hvcfg_read_integer(struct hvcfg_value *v, uint64_t *out)
{
	if (v->len > 2 && v->s[0] == '0' && (v->s[1] == 'x' || v->s[1] == 'X')) {
		v->s += 2, v->len -= 2;
		return hvcfg_read_number(v, 16, out);
	}
	return hvcfg_read_number(v, 10, out);
}

/* An integer with an optional K, M or G (binary) suffix. */
static bool read_size(struct hvcfg_value *v, uint64_t *out)
{
	unsigned shift = 0;

	if (!hvcfg_read_integer(v, out))
		return false;
	if (v->len > 0) {
		char c = v->s[0];

		shift = c == 'K' || c == 'k' ? 10 : c == 'M' || c == 'm' ? 20 :
			c == 'G' || c == 'g' ? 30 : 0;
		if (shift != 0)
			v->s++, v->len--;
	}
	if (shift != 0 && *out > (UINT64_MAX >> shift))
		return false;
	*out <<= shift;
	return true;
}

bool hvcfg_read_char(struct hvcfg_value *v, char c)
{
	if (v->len == 0 || v->s[0] != c)
		return false;
	v->s++, v->len--;
	return true;
}

static int apply_hv_memory(struct parser *ps, const struct hvcfg_value *v)
{
	struct hvcfg_value rest = *v;

	if (!read_size(&rest, &ps->cfg->hv_memory) || rest.len != 0)
		return fail(ps, "bad size", v);
	return hvcfg_check_hv_memory(ps->cfg, ps->line, ps->err);
}

static int apply_log_level(struct parser *ps, const struct hvcfg_value *v)
{
	for (uint32_t level = 0; level <= HVCFG_LOG_DEBUG; level++) {
		if (hvcfg_equals(v, hvcfg_log_level_name(level))) {
			ps->cfg->log_level = level;
			return 0;
		}
	}
	return fail(ps, "log_level must be error, warn, info or debug, not", v);
}

static int apply_serial(struct parser *ps, const struct hvcfg_value *v)
{
	struct hvcfg_value rest = *v;
	uint64_t port;

	if (!hvcfg_read_integer(&rest, &port) || rest.len != 0 || port > 0xfff8)
		return fail(ps, "bad serial port", v);
	ps->cfg->serial_port = (uint16_t)port;
	return 0;
}

static int apply_console(struct parser *ps, const struct hvcfg_value *v)
{
	for (uint32_t c = HVCFG_CONSOLE_SERIAL; c <= HVCFG_CONSOLE_BOTH; c++) {
		if (hvcfg_equals(v, hvcfg_console_name(c))) {
			ps->cfg->console = (uint16_t)c;
			ps->cfg->console_line = ps->line;
			return 0;
		}
	}
	return fail(ps, "console must be serial, screen or both, not", v);
}

static int apply_flag(struct parser *ps, const struct hvcfg_value *v, uint32_t flag,
		      const char *key)
{
	if (hvcfg_equals(v, "yes"))
		ps->cfg->flags |= flag;
	else if (hvcfg_equals(v, "no"))
		ps->cfg->flags &= ~flag;
	else
		return hvcfg_fail(ps->err, ps->line, "%s must be yes or no, not '%.*s'", key,
				  (int)v->len, v->s);
	return 0;
}

static int apply_test_exit(struct parser *ps, const struct hvcfg_value *v)
{
	return apply_flag(ps, v, HVCFG_FLAG_TEST_EXIT, "test_exit");
}

static int apply_test_exception(struct parser *ps, const struct hvcfg_value *v)
{
	return apply_flag(ps, v, HVCFG_FLAG_TEST_EXCEPTION, "test_exception");
}

static int apply_role(struct parser *ps, const struct hvcfg_value *v)
{
	if (hvcfg_equals(v, "root"))
		current(ps)->role = HVCFG_ROLE_ROOT;
	else if (hvcfg_equals(v, "guest"))
		current(ps)->role = HVCFG_ROLE_GUEST;
	else
		return fail(ps, "role must be root or guest, not", v);
	return 0;
}

/* "0", "1-3", "0,2-3": CPU indexes in MADT order. */
static int apply_cpus(struct parser *ps, const struct hvcfg_value *v)
{
	struct hvcfg_value rest = *v;
	uint64_t mask = 0, first, last;

	do {
		rest = hvcfg_trim(rest.s, rest.len);
		if (!hvcfg_read_integer(&rest, &first))
			return fail(ps, "bad CPU list", v);
		last = first;
		rest = hvcfg_trim(rest.s, rest.len);
		if (hvcfg_read_char(&rest, '-')) {
			rest = hvcfg_trim(rest.s, rest.len);
			if (!hvcfg_read_integer(&rest, &last) || last < first)
				return fail(ps, "bad CPU range in", v);
		}
		if (last >= HVCFG_MAX_CPUS)
			return hvcfg_fail(ps->err, ps->line, "CPU index %llu out of range (0-%u)",
					  (unsigned long long)last, HVCFG_MAX_CPUS - 1);
		for (uint64_t c = first; c <= last; c++) {
			if (mask & (1ull << c))
				return hvcfg_fail(ps->err, ps->line, "CPU %llu given twice",
						  (unsigned long long)c);
			mask |= 1ull << c;
		}
		rest = hvcfg_trim(rest.s, rest.len);
	} while (hvcfg_read_char(&rest, ','));
	if (rest.len != 0)
		return fail(ps, "bad CPU list", v);
	current(ps)->cpu_mask = mask;
	return hvcfg_check_cpus(ps->cfg, ps->cfg->partition_count - 1, ps->line, ps->err);
}

/* "256M" or "256M@0x40000000" (size, optional host-physical base). */
static int apply_memory(struct parser *ps, const struct hvcfg_value *v)
{
	struct hvcfg_partition *p = current(ps);
	struct hvcfg_value rest = *v;

	if (!read_size(&rest, &p->memory_size))
		return fail(ps, "bad size", v);
	p->memory_base = 0;
	if (hvcfg_read_char(&rest, '@') && !hvcfg_read_integer(&rest, &p->memory_base))
		return fail(ps, "bad memory base in", v);
	if (rest.len != 0)
		return fail(ps, "bad memory value", v);
	return hvcfg_check_memory(ps->cfg, ps->cfg->partition_count - 1, ps->line, ps->err);
}

static int copy_text(struct parser *ps, const struct hvcfg_value *v, char *dst, size_t size,
		     const char *key)
{
	if (v->len >= size)
		return hvcfg_fail(ps->err, ps->line, "%s longer than %u characters (%zu)", key,
				  (unsigned)size - 1, v->len);
	memcpy(dst, v->s, v->len);
	dst[v->len] = '\0';
	return 0;
}

/* An ESP path into dst; '/' becomes '\', the separator of UEFI paths. */
static int copy_path(struct parser *ps, const struct hvcfg_value *v, char *dst, size_t size,
		     const char *key)
{
	if (copy_text(ps, v, dst, size, key) != 0)
		return -1;
	for (char *c = dst; *c != '\0'; c++) {
		if (*c == '/')
			*c = '\\';
	}
	return 0;
}

static int apply_image(struct parser *ps, const struct hvcfg_value *v)
{
	struct hvcfg_partition *p = current(ps);

	if (copy_path(ps, v, p->image, sizeof(p->image), "image") != 0)
		return -1;
	p->image_line = ps->line;
	return hvcfg_check_image(ps->cfg, ps->cfg->partition_count - 1, ps->line, ps->err);
}

static int apply_initrd(struct parser *ps, const struct hvcfg_value *v)
{
	struct hvcfg_partition *p = current(ps);

	if (copy_path(ps, v, p->initrd, sizeof(p->initrd), "initrd") != 0)
		return -1;
	p->initrd_line = ps->line;
	return hvcfg_check_initrd(ps->cfg, ps->cfg->partition_count - 1, ps->line, ps->err);
}

/* How long a command line may be depends on the image's kind: hvcfg_image.c. */
static int apply_cmdline(struct parser *ps, const struct hvcfg_value *v)
{
	struct hvcfg_partition *p = current(ps);

	p->cmdline_line = ps->line;
	return copy_text(ps, v, p->cmdline, sizeof(p->cmdline), "cmdline");
}

/* "bb:dd.f" in hexadecimal. */
bool hvcfg_read_bdf(struct hvcfg_value *v, hvcfg_bdf *out)
{
	uint64_t bus, dev, fn;

	if (!hvcfg_read_number(v, 16, &bus) || !hvcfg_read_char(v, ':') ||
	    !hvcfg_read_number(v, 16, &dev) || !hvcfg_read_char(v, '.') ||
	    !hvcfg_read_number(v, 16, &fn) || bus > 0xff || dev > 0x1f || fn > 7)
		return false;
	*out = (hvcfg_bdf)(bus << 8 | dev << 3 | fn);
	return true;
}

/* "bb:dd.f" in hexadecimal, comma-separated. */
static int apply_pci(struct parser *ps, const struct hvcfg_value *v)
{
	struct hvcfg_partition *p = current(ps);
	struct hvcfg_value rest = *v;
	hvcfg_bdf bdf;

	p->pci_count = 0;
	do {
		rest = hvcfg_trim(rest.s, rest.len);
		if (!hvcfg_read_bdf(&rest, &bdf))
			return fail(ps, "bad PCI address (want bb:dd.f) in", v);
		if (p->pci_count == HVCFG_MAX_PCI)
			return hvcfg_fail(ps->err, ps->line, "more than %u PCI devices", HVCFG_MAX_PCI);
		p->pci[p->pci_count++] = bdf;
		rest = hvcfg_trim(rest.s, rest.len);
	} while (hvcfg_read_char(&rest, ','));
	if (rest.len != 0)
		return fail(ps, "bad PCI list", v);
	return hvcfg_check_pci(ps->cfg, ps->cfg->partition_count - 1, ps->line, ps->err);
}

static int apply_address(struct parser *ps, const struct hvcfg_value *v)
{
	return hvcfg_mgmt_address(ps->cfg, v, ps->line, ps->err);
}

static int apply_gateway(struct parser *ps, const struct hvcfg_value *v)
{
	ps->gateway_line = ps->line;
	return hvcfg_mgmt_gateway(ps->cfg, v, ps->line, ps->err);
}

/* `port` served plain HTTP until HTTPS came: say what replaced it. */
static int apply_port(struct parser *ps, const struct hvcfg_value *v)
{
	(void)v;
	return hvcfg_fail(ps->err, ps->line,
			  "'port' is now https_port (HTTPS, default 443) or http_port (plain HTTP)");
}

static int apply_http_port(struct parser *ps, const struct hvcfg_value *v)
{
	ps->mgmt_lines.http_port = ps->line;
	return hvcfg_mgmt_port("http_port", &ps->cfg->mgmt.http_port, v, ps->line, ps->err);
}

static int apply_https_port(struct parser *ps, const struct hvcfg_value *v)
{
	ps->mgmt_lines.https_port = ps->line;
	return hvcfg_mgmt_port("https_port", &ps->cfg->mgmt.https_port, v, ps->line, ps->err);
}

static int apply_insecure_http(struct parser *ps, const struct hvcfg_value *v)
{
	ps->mgmt_lines.insecure_http = ps->line;
	if (hvcfg_equals(v, "yes"))
		ps->cfg->mgmt.flags |= HV_MGMT_INSECURE_HTTP;
	else if (!hvcfg_equals(v, "no"))
		return fail(ps, "insecure_http must be yes or no, not", v);
	return 0;
}

static int apply_tls_cert(struct parser *ps, const struct hvcfg_value *v)
{
	return hvcfg_mgmt_file(ps->cfg, HV_MGMT_FILE_TLS_CERT, v, ps->line, ps->err);
}

static int apply_tls_key(struct parser *ps, const struct hvcfg_value *v)
{
	return hvcfg_mgmt_file(ps->cfg, HV_MGMT_FILE_TLS_KEY, v, ps->line, ps->err);
}

static int apply_tls_client_ca(struct parser *ps, const struct hvcfg_value *v)
{
	return hvcfg_mgmt_file(ps->cfg, HV_MGMT_FILE_TLS_CLIENT_CA, v, ps->line, ps->err);
}

static int apply_nic(struct parser *ps, const struct hvcfg_value *v)
{
	ps->cfg->nic_line = ps->line;
	return hvcfg_mgmt_nic(ps->cfg, v, ps->line, ps->err);
}

static int apply_hash(struct parser *ps, const struct hvcfg_value *v)
{
	return hvcfg_token_hash(ps->cfg, current_token(ps), v, ps->line, ps->err);
}

static int apply_rights(struct parser *ps, const struct hvcfg_value *v)
{
	return hvcfg_token_rights(ps->cfg, current_token(ps), v, ps->line, ps->err);
}

static const struct key keys[] = {
	{ SECTION_HYPERVISOR, "memory", apply_hv_memory },
	{ SECTION_HYPERVISOR, "log_level", apply_log_level },
	{ SECTION_HYPERVISOR, "serial", apply_serial },
	{ SECTION_HYPERVISOR, "console", apply_console },
	{ SECTION_HYPERVISOR, "test_exit", apply_test_exit },
	{ SECTION_HYPERVISOR, "test_exception", apply_test_exception },
	{ SECTION_PARTITION, "role", apply_role },
	{ SECTION_PARTITION, "cpus", apply_cpus },
	{ SECTION_PARTITION, "memory", apply_memory },
	{ SECTION_PARTITION, "image", apply_image },
	{ SECTION_PARTITION, "initrd", apply_initrd },
	{ SECTION_PARTITION, "cmdline", apply_cmdline },
	{ SECTION_PARTITION, "pci", apply_pci },
	{ SECTION_MANAGEMENT, "address", apply_address },
	{ SECTION_MANAGEMENT, "gateway", apply_gateway },
	{ SECTION_MANAGEMENT, "port", apply_port },
	{ SECTION_MANAGEMENT, "http_port", apply_http_port },
	{ SECTION_MANAGEMENT, "https_port", apply_https_port },
	{ SECTION_MANAGEMENT, "insecure_http", apply_insecure_http },
	{ SECTION_MANAGEMENT, "tls_cert", apply_tls_cert },
	{ SECTION_MANAGEMENT, "tls_key", apply_tls_key },
	{ SECTION_MANAGEMENT, "tls_client_ca", apply_tls_client_ca },
	{ SECTION_MANAGEMENT, "nic", apply_nic },
	{ SECTION_TOKEN, "hash", apply_hash },
	{ SECTION_TOKEN, "rights", apply_rights },
};

static const char *section_label(const struct parser *ps)
{
	static const char *const labels[] = {
		"", "[hypervisor]", "[partition]", "[management]", "[token]",
	};

	return labels[ps->section];
}

/* A key's line, or the section's when the key was not given. */
static uint32_t key_line(const struct parser *ps, uint32_t line)
{
	return line ? line : ps->cfg->management_line;
}

/* The address with its gateway, then what the section serves. */
static int finish_management(struct parser *ps)
{
	struct hvcfg_mgmt_lines l = {
		ps->cfg->management_line, key_line(ps, ps->mgmt_lines.http_port),
		key_line(ps, ps->mgmt_lines.https_port), key_line(ps, ps->mgmt_lines.insecure_http),
	};

	if (hvcfg_check_mgmt_net(ps->cfg, ps->gateway_line ? ps->gateway_line :
				 ps->cfg->management_line, ps->err) != 0)
		return -1;
	if (ps->mgmt_lines.https_port != 0 && !(ps->cfg->mgmt.flags & HV_MGMT_TLS))
		return hvcfg_fail(ps->err, ps->mgmt_lines.https_port,
				  "https_port needs tls_cert and tls_key");
	return hvcfg_check_mgmt_serve(ps->cfg, &l, ps->err);
}

/* Rules that need the whole section: required keys, address with gateway. */
static int finish_section(struct parser *ps)
{
	switch (ps->section) {
	case SECTION_PARTITION:
		return hvcfg_check_complete(ps->cfg, ps->cfg->partition_count - 1, ps->err);
	case SECTION_MANAGEMENT:
		return finish_management(ps);
	case SECTION_TOKEN:
		return hvcfg_check_token_complete(ps->cfg, current_token(ps), ps->err);
	default:
		return 0;
	}
}

static int open_partition(struct parser *ps, const struct hvcfg_value *name)
{
	struct hvcfg *cfg = ps->cfg;
	struct hvcfg_partition *p;

	if (cfg->partition_count == HVCFG_MAX_PARTITIONS)
		return hvcfg_fail(ps->err, ps->line, "more than %u partitions",
				  HVCFG_MAX_PARTITIONS);
	if (name->len >= HVCFG_NAME_LEN)
		return fail(ps, "partition name too long:", name);
	p = &cfg->partitions[cfg->partition_count++];
	memcpy(p->name, name->s, name->len);
	p->line = ps->line;
	ps->section = SECTION_PARTITION;
	return hvcfg_check_name(cfg, cfg->partition_count - 1, ps->line, ps->err);
}

static int open_management(struct parser *ps)
{
	if (ps->cfg->management_line != 0)
		return hvcfg_fail(ps->err, ps->line, "[management] given twice (first on line %u)",
				  ps->cfg->management_line);
	ps->cfg->management_line = ps->line;
	ps->section = SECTION_MANAGEMENT;
	return 0;
}

static int open_token(struct parser *ps, const struct hvcfg_value *name)
{
	struct hv_mgmt_config *m = &ps->cfg->mgmt;

	if (m->ntokens == HV_MGMT_MAX_TOKENS)
		return hvcfg_fail(ps->err, ps->line, "more than %u tokens", HV_MGMT_MAX_TOKENS);
	if (name->len >= HV_MGMT_NAME_LEN)
		return fail(ps, "token name too long:", name);
	memcpy(m->tokens[m->ntokens].name, name->s, name->len);
	ps->cfg->token_line[m->ntokens++] = ps->line;
	ps->section = SECTION_TOKEN;
	return hvcfg_check_token_name(ps->cfg, current_token(ps), ps->line, ps->err);
}

/* Whether inner is "WORD NAME"; NAME (trimmed) goes to *name. */
static bool named_section(const struct hvcfg_value *inner, const char *word,
			  struct hvcfg_value *name)
{
	size_t n = strlen(word);

	if (inner->len <= n + 1 || strncmp(inner->s, word, n) != 0 || !is_space(inner->s[n]))
		return false;
	*name = hvcfg_trim(inner->s + n + 1, inner->len - n - 1);
	return true;
}

/* "[hypervisor]", "[partition NAME]", "[management]" or "[token NAME]". */
static int parse_section(struct parser *ps, struct hvcfg_value v)
{
	struct hvcfg_value inner, name;

	if (v.len < 2 || v.s[v.len - 1] != ']')
		return fail(ps, "section header must end with ']':", &v);
	inner = hvcfg_trim(v.s + 1, v.len - 2);
	/* A second [management] is the error to name, not how the first one ended. */
	if (hvcfg_equals(&inner, "management") && ps->cfg->management_line != 0)
		return open_management(ps);
	if (finish_section(ps) != 0)
		return -1;
	ps->seen = 0;
	if (hvcfg_equals(&inner, "hypervisor")) {
		if (ps->hypervisor_seen)
			return hvcfg_fail(ps->err, ps->line, "[hypervisor] given twice (first on line %u)",
					  ps->hypervisor_line);
		ps->hypervisor_seen = true;
		ps->hypervisor_line = ps->line;
		ps->section = SECTION_HYPERVISOR;
		return 0;
	}
	if (hvcfg_equals(&inner, "management"))
		return open_management(ps);
	if (named_section(&inner, "partition", &name))
		return open_partition(ps, &name);
	if (named_section(&inner, "token", &name))
		return open_token(ps, &name);
	return fail(ps, "unknown section", &v);
}

/* Splits "key = value # comment"; a quoted value may hold '#'. */
static int split_value(struct parser *ps, struct hvcfg_value raw, struct hvcfg_value *value)
{
	struct hvcfg_value v = hvcfg_trim(raw.s, raw.len);

	if (v.len > 0 && v.s[0] == '"') {
		size_t end = 1;

		while (end < v.len && v.s[end] != '"')
			end++;
		if (end == v.len)
			return hvcfg_fail(ps->err, ps->line, "missing closing quote");
		struct hvcfg_value after = hvcfg_trim(v.s + end + 1, v.len - end - 1);
		if (after.len != 0 && after.s[0] != '#')
			return fail(ps, "unexpected text after quoted value:", &after);
		*value = (struct hvcfg_value){ v.s + 1, end - 1 };
		return 0;
	}
	for (size_t i = 0; i < v.len; i++) {
		if (v.s[i] == '#') {
			v = hvcfg_trim(v.s, i);
			break;
		}
	}
	*value = v;
	return 0;
}

static int parse_assignment(struct parser *ps, struct hvcfg_value line)
{
	const char *eq = NULL;
	struct hvcfg_value key, value;

	for (size_t i = 0; i < line.len && eq == NULL; i++) {
		if (line.s[i] == '=')
			eq = &line.s[i];
	}
	if (eq == NULL)
		return fail(ps, "expected 'key = value' or a [section], got", &line);
	key = hvcfg_trim(line.s, (size_t)(eq - line.s));
	if (split_value(ps, (struct hvcfg_value){ eq + 1, line.len - (size_t)(eq - line.s) - 1 },
			&value) != 0)
		return -1;
	if (ps->section == SECTION_NONE)
		return fail(ps, "key outside a section:", &key);
	for (uint32_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (keys[i].section != ps->section || !hvcfg_equals(&key, keys[i].name))
			continue;
		if (ps->seen & (1u << i))
			return fail(ps, "duplicate key", &key);
		ps->seen |= 1u << i;
		return keys[i].apply(ps, &value);
	}
	return hvcfg_fail(ps->err, ps->line, "unknown key '%.*s' in %s",
			  (int)key.len, key.s, section_label(ps));
}

static int parse_line(struct parser *ps, const char *s, size_t len)
{
	struct hvcfg_value v = hvcfg_trim(s, len);

	if (len > LINE_MAX_LEN)
		return hvcfg_fail(ps->err, ps->line, "line longer than %u characters", LINE_MAX_LEN);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\0')
			return hvcfg_fail(ps->err, ps->line, "NUL byte in line");
	}
	if (v.len == 0 || v.s[0] == '#')
		return 0;
	if (v.s[0] == '[')
		return parse_section(ps, v);
	return parse_assignment(ps, v);
}

static void set_defaults(struct hvcfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->signature, HVCFG_SIGNATURE, sizeof(cfg->signature));
	cfg->revision = HVCFG_REVISION;
	cfg->size = sizeof(*cfg);
	cfg->log_level = HVCFG_LOG_INFO;
	cfg->hv_memory = HVCFG_HV_MEMORY_DEFAULT;
	cfg->serial_port = 0x3f8;
	cfg->mgmt.revision = HV_MGMT_REVISION;
	cfg->mgmt.size = sizeof(cfg->mgmt);
	cfg->mgmt.flags = HV_MGMT_DHCP;
	cfg->mgmt.https_port = HVCFG_HTTPS_PORT_DEFAULT;
}

int hvcfg_parse(const char *text, size_t len, struct hvcfg *out, struct hvcfg_error *err)
{
	struct parser ps = { .cfg = out, .err = err };
	size_t pos = 0;

	set_defaults(out);
	*err = (struct hvcfg_error){ 0 };
	while (pos < len) {
		size_t end = pos;

		while (end < len && text[end] != '\n')
			end++;
		ps.line++;
		if (parse_line(&ps, text + pos, end - pos) != 0)
			return -1;
		pos = end + 1;
	}
	if (finish_section(&ps) != 0 || hvcfg_check_global(out, ps.hypervisor_line, err) != 0)
		return -1;
	return hvcfg_validate(out, err);
}
