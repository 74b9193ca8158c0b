/*
 * The hv.cfg rules for the files of [management] (tls_cert, tls_key,
 * tls_client_ca) that need no TLS library: each is PEM text (RFC 7468)
 * of at most HV_MGMT_FILE_MAX bytes, made of BEGIN/END blocks whose
 * labels match and whose bodies are base64; certificate files hold
 * CERTIFICATE blocks only, the key file one unencrypted private key.  The
 * loader applies them at boot and `hvcfg check` on the host, which then
 * also parses the files with mbedTLS (tools/hvcfg_tls.c); the root
 * parses them for real when it starts HTTPS.
 */
#include <hv/hvcfg_image.h>

#include <lib/string.h>

#include "hvcfg_internal.h"

#define LABEL_MAX 32u

/* One line of the file: [s, s + len), without its line end. */
struct pem_line {
	const char *s;
	size_t len;
};

/* What one file holds, as the scan found it. */
struct pem_scan {
	unsigned certs;          /* CERTIFICATE blocks */
	unsigned keys;           /* PRIVATE KEY, EC PRIVATE KEY, RSA PRIVATE KEY blocks */
	unsigned ec_params;      /* EC PARAMETERS (openssl ecparam -genkey writes one) */
	bool encrypted;          /* ENCRYPTED PRIVATE KEY, or a Proc-Type: 4,ENCRYPTED header */
	char other[LABEL_MAX];   /* the first other label, "" if none */
};

static bool starts_with(const struct pem_line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l->len >= n && memcmp(l->s, prefix, n) == 0;
}

/* "-----BEGIN LABEL-----" (kind "BEGIN ") into label; false if l is no such line. */
static bool armour(const struct pem_line *l, const char *kind, char *label)
{
	static const char dashes[] = "-----";
	size_t pre = 5 + strlen(kind), n;

	if (!starts_with(l, dashes) || l->len < pre + 5 || memcmp(l->s + 5, kind, pre - 5) != 0 ||
	    memcmp(l->s + l->len - 5, dashes, 5) != 0)
		return false;
	n = l->len - pre - 5;
	if (n == 0 || n >= LABEL_MAX)
		return false;
	memcpy(label, l->s + pre, n);
	label[n] = '\0';
	return true;
}

static bool base64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* A body line: base64, '=' padding only at its end (checked per block by the caller). */
static bool body_line_ok(const struct pem_line *l, bool *padded)
{
	for (size_t i = 0; i < l->len; i++) {
		if (l->s[i] == '=')
			*padded = true;
		else if (!base64_char(l->s[i]) || *padded)
			return false;
	}
	return true;
}

/* A header line of the old OpenSSL format inside a block ("Proc-Type: 4,ENCRYPTED"). */
static bool header_line(const struct pem_line *l)
{
	for (size_t i = 0; i < l->len; i++) {
		if (l->s[i] == ':')
			return true;
	}
	return false;
}

static void count_block(struct pem_scan *scan, const char *label, bool encrypted)
{
	if (strcmp(label, "CERTIFICATE") == 0)
		scan->certs++;
	else if (strcmp(label, "PRIVATE KEY") == 0 || strcmp(label, "EC PRIVATE KEY") == 0 ||
		 strcmp(label, "RSA PRIVATE KEY") == 0)
		scan->keys++;
	else if (strcmp(label, "EC PARAMETERS") == 0)
		scan->ec_params++;
	else if (strcmp(label, "ENCRYPTED PRIVATE KEY") == 0)
		encrypted = true;
	else if (scan->other[0] == '\0')
		memcpy(scan->other, label, strlen(label) + 1);   /* both LABEL_MAX */
	scan->encrypted |= encrypted;
}

/* Splits text into lines (LF or CRLF) and walks the blocks; NULL or why it is not PEM. */
static const char *scan_pem(const char *text, size_t size, struct pem_scan *scan)
{
	char label[LABEL_MAX], end[LABEL_MAX];
	bool in_block = false, padded = false, encrypted = false, body = false;
	size_t pos = 0;

	while (pos < size) {
		struct pem_line l = { text + pos, 0 };

		while (pos + l.len < size && text[pos + l.len] != '\n')
			l.len++;
		pos += l.len + 1;
		if (l.len > 0 && l.s[l.len - 1] == '\r')
			l.len--;
		if (!in_block && armour(&l, "BEGIN ", label)) {
			in_block = true;
			padded = encrypted = body = false;
		} else if (in_block && armour(&l, "END ", end)) {
			if (strcmp(label, end) != 0)
				return "a BEGIN line and its END line name different blocks";
			if (!body)
				return "a PEM block is empty";
			count_block(scan, label, encrypted);
			in_block = false;
		} else if (in_block && !body && header_line(&l)) {
			encrypted |= starts_with(&l, "Proc-Type: 4,ENCRYPTED");
		} else if (in_block && l.len > 0) {
			if (!body_line_ok(&l, &padded))
				return "a PEM block holds a line that is not base64";
			body = true;
		} else if (starts_with(&l, "-----")) {
			return "a BEGIN or END line is malformed or out of place";
		}
	}
	return in_block ? "a PEM block has no END line" : NULL;
}

/* The rules of one kind of file, on what the scan found. */
static const char *check_kind(uint32_t file, const struct pem_scan *scan)
{
	if (file == HV_MGMT_FILE_TLS_KEY) {
		if (scan->encrypted)
			return "the private key is encrypted; the root has no passphrase: store it "
			       "unencrypted (openssl pkey -in KEY -out KEY.plain)";
		if (scan->keys != 1 || scan->certs != 0 || scan->other[0] != '\0')
			return "must hold exactly one private key (PRIVATE KEY, EC PRIVATE KEY or "
			       "RSA PRIVATE KEY) and nothing else";
		return NULL;
	}
	if (scan->keys != 0 || scan->encrypted)
		return "holds a private key: keep it in tls_key only";
	if (scan->other[0] != '\0' || scan->ec_params != 0)
		return "holds a PEM block that is not a CERTIFICATE";
	if (scan->certs == 0)
		return "holds no CERTIFICATE block (PEM, -----BEGIN CERTIFICATE-----)";
	return NULL;
}

int hvcfg_check_mgmt_file(const struct hvcfg *cfg, uint32_t file, const void *data, uint64_t size,
			  struct hvcfg_error *err)
{
	const struct hvcfg_file *f = &cfg->mgmt_files[file];
	const char *key = hvcfg_mgmt_file_key(file), *text = data, *why;
	struct pem_scan scan = { 0 };

	if (size == 0)
		return hvcfg_fail(err, f->line, "%s %s is empty", key, f->path);
	if (size > HV_MGMT_FILE_MAX)
		return hvcfg_fail(err, f->line, "%s %s is %llu bytes, at most %u", key, f->path,
				  (unsigned long long)size, HV_MGMT_FILE_MAX);
	if (strnlen(text, (size_t)size) != size)
		return hvcfg_fail(err, f->line, "%s %s is not PEM text (it holds NUL bytes)", key,
				  f->path);
	why = scan_pem(text, (size_t)size, &scan);
	if (why == NULL)
		why = check_kind(file, &scan);
	if (why != NULL)
		return hvcfg_fail(err, f->line, "%s %s: %s", key, f->path, why);
	return 0;
}
