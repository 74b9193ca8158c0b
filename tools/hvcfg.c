/*
 * hvcfg: host tool around the shared configuration parser.
 *   hvcfg check FILE [--esp DIR]   parse and validate; report FILE:LINE: message
 *   hvcfg dump FILE                print the binary description in readable form
 *   hvcfg hash-token TOKEN|-       print the `hash = ...` line of a [token] section
 * Image, initrd and TLS file paths are looked up under the ESP root, by
 * default the directory above FILE's own (hv.cfg sits in \hv\ on the
 * ESP); `check` reads each image and applies the rules the loader applies
 * at boot (ELF or bzImage, and the keys that go with each), and reads the
 * TLS files as the loader does and then as the root will (hvcfg_tls.c).
 */
#include <hv/config_desc.h>
#include <hv/hvcfg_image.h>
#include <lib/sha256.h>

#include "hvcfg_tls.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HVCFG_FILE_MAX (1024 * 1024)

static int read_file(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(HVCFG_FILE_MAX + 1);
	n = buf != NULL ? fread(buf, 1, HVCFG_FILE_MAX + 1, f) : 0;
	fclose(f);
	if (buf == NULL || n > HVCFG_FILE_MAX) {
		fprintf(stderr, "%s: file too large (limit %d bytes)\n", path, HVCFG_FILE_MAX);
		free(buf);
		return -1;
	}
	*text = buf;
	*len = n;
	return 0;
}

/* Maps an ESP path (\hv\x.elf) to a host path under the ESP root. */
static bool host_path(const char *esp, const char *esp_path, char *path, size_t size)
{
	int n = snprintf(path, size, "%s%s", esp, esp_path);

	if (n < 0 || (size_t)n >= size)
		return false;
	for (char *c = path + strlen(esp); *c != '\0'; c++) {
		if (*c == '\\')
			*c = '/';
	}
	return true;
}

/* Like the loader's probe: a directory is not found. */
static bool image_exists(void *ctx, const char *esp_path)
{
	char path[4096];
	struct stat st;

	return host_path(ctx, esp_path, path, sizeof(path)) && stat(path, &st) == 0 &&
	       S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

/* The whole file, however large: a bzImage is several MiB. */
static int read_whole(const char *esp, const char *esp_path, void **data, uint64_t *size)
{
	char path[4096];
	struct stat st;
	void *buf = NULL;
	FILE *f;
	bool ok;

	if (!host_path(esp, esp_path, path, sizeof(path))) {
		fprintf(stderr, "%s%s: path too long\n", esp, esp_path);
		return -1;
	}
	errno = 0;
	f = fopen(path, "rb");
	ok = f != NULL && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
	     (buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1)) != NULL &&
	     fread(buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size;
	if (f != NULL)
		fclose(f);
	if (!ok) {
		fprintf(stderr, "%s: %s\n", path, errno ? strerror(errno) : "cannot read it whole");
		free(buf);
		return -1;
	}
	*data = buf;
	*size = (uint64_t)st.st_size;
	return 0;
}

/* The probe found it a readable regular file; only its size matters. */
static int initrd_size(const char *esp, const char *esp_path, uint64_t *size)
{
	char path[4096];
	struct stat st;

	if (!host_path(esp, esp_path, path, sizeof(path)) || stat(path, &st) != 0) {
		fprintf(stderr, "%s%s: cannot stat\n", esp, esp_path);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

/* The TLS files: the loader's rules, then the root's (with mbedTLS). */
static int check_tls_files(const struct hvcfg *cfg, const char *esp, struct hvcfg_error *err)
{
	struct hvcfg_tls_file files[HV_MGMT_FILES] = { 0 };
	void *data[HV_MGMT_FILES] = { 0 };
	int rc = 0;

	for (uint32_t i = 0; i < HV_MGMT_FILES && rc == 0; i++) {
		if (cfg->mgmt_files[i].path[0] == '\0')
			continue;
		if (read_whole(esp, cfg->mgmt_files[i].path, &data[i], &files[i].size) != 0)
			rc = -2;
		else
			rc = hvcfg_check_mgmt_file(cfg, i, data[i], files[i].size, err);
		files[i].data = data[i];
	}
	if (rc == 0)
		rc = hvcfg_tls_check(cfg, files, err);
	for (uint32_t i = 0; i < HV_MGMT_FILES; i++) {
		if (data[i])
			memset(data[i], 0, files[i].size);   /* the key, among them */
		free(data[i]);
	}
	return rc;
}

/*
 * The rules the loader applies to the files it reads, in the same order.
 * Returns 0, -1 with *err filled, or -2 when a file could not be read
 * (already reported).
 */
static int check_files(const struct hvcfg *cfg, const char *esp, struct hvcfg_error *err)
{
	struct hvcfg_image_file f;
	uint64_t size;
	void *data;
	int rc;

	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		const struct hvcfg_partition *p = &cfg->partitions[i];

		if (read_whole(esp, p->image, &data, &size) != 0)
			return -2;
		rc = hvcfg_check_image_file(cfg, i, data, size, &f, err);
		free(data);
		if (rc == 0 && p->initrd[0] != '\0') {
			if (initrd_size(esp, p->initrd, &size) != 0)
				return -2;
			rc = hvcfg_check_initrd_file(cfg, i, size, err);
		}
		if (rc != 0)
			return rc;
	}
	return check_tls_files(cfg, esp, err);
}

static void print_error(const char *file, const struct hvcfg_error *err)
{
	if (err->line != 0)
		fprintf(stderr, "%s:%u: %s\n", file, err->line, err->message);
	else
		fprintf(stderr, "%s: %s\n", file, err->message);
}

static void dump_rights(uint32_t rights)
{
	static const char *const names[] = { "read", "control", "execute" };
	const char *sep = "";

	for (uint32_t i = 0; i < 3; i++) {
		if (rights & (1u << i)) {
			printf("%s%s", sep, names[i]);
			sep = ",";
		}
	}
}

/* The management record; hashes stay out of the listing like in the root's log. */
static void dump_mgmt(const struct hv_mgmt_config *m)
{
	if (m->flags & HV_MGMT_DHCP) {
		printf("management: address dhcp");
	} else {
		printf("management: address %u.%u.%u.%u/%d", m->ipv4[0], m->ipv4[1], m->ipv4[2],
		       m->ipv4[3], __builtin_popcount((unsigned)m->netmask[0] << 24 |
						      (unsigned)m->netmask[1] << 16 |
						      (unsigned)m->netmask[2] << 8 | m->netmask[3]));
		if (m->gateway[0] | m->gateway[1] | m->gateway[2] | m->gateway[3])
			printf(", gateway %u.%u.%u.%u", m->gateway[0], m->gateway[1],
			       m->gateway[2], m->gateway[3]);
	}
	if (m->flags & HV_MGMT_TLS)
		printf(", https %u%s", m->https_port,
		       (m->flags & HV_MGMT_TLS_CLIENT_CA) ? " (mutual TLS)" : "");
	if (m->http_port)
		printf(", http %u%s", m->http_port,
		       (m->flags & HV_MGMT_INSECURE_HTTP) ? " (tokens allowed)" : "");
	if (m->nic_driver != HV_MGMT_NIC_ANY)
		printf(", nic %s", hvcfg_nic_driver_name(m->nic_driver));
	if (m->nic_flags & HV_MGMT_NIC_BY_ADDRESS) {
		char bdf[8];

		hvcfg_format_bdf(m->nic_bdf, bdf);
		printf("%s %s", m->nic_driver != HV_MGMT_NIC_ANY ? "" : ", nic", bdf);
	}
	printf(", %u token%s\n", m->ntokens, m->ntokens == 1 ? "" : "s");
	for (uint32_t i = 0; i < m->ntokens; i++) {
		const struct hv_mgmt_token *t = &m->tokens[i];

		printf("token %s:", t->name);
		for (uint32_t g = 0; g < t->ngrants; g++) {
			printf("%s%s:", g == 0 ? " " : "; ", t->grants[g].vm);
			dump_rights(t->grants[g].rights);
		}
		printf("\n");
	}
}

static void dump(const struct hvcfg *cfg)
{
	char bdf[8];

	printf("hypervisor: memory %llu MiB, log %s, serial 0x%x, console %s, flags 0x%x\n",
	       (unsigned long long)(cfg->hv_memory >> 20), hvcfg_log_level_name(cfg->log_level),
	       cfg->serial_port, hvcfg_console_name(cfg->console), cfg->flags);
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		const struct hvcfg_partition *p = &cfg->partitions[i];

		printf("partition %s: %s, cpus 0x%llx, memory %llu MiB", p->name,
		       p->role == HVCFG_ROLE_ROOT ? "root" : "guest",
		       (unsigned long long)p->cpu_mask, (unsigned long long)(p->memory_size >> 20));
		if (p->memory_base != 0)
			printf(" at 0x%llx", (unsigned long long)p->memory_base);
		printf(", image %s", p->image);
		if (p->initrd[0] != '\0')
			printf(", initrd %s", p->initrd);
		printf(", cmdline \"%s\"", p->cmdline);
		for (uint32_t d = 0; d < p->pci_count; d++) {
			hvcfg_format_bdf(p->pci[d], bdf);
			printf("%s%s", d == 0 ? ", pci " : ",", bdf);
		}
		printf("\n");
	}
	dump_mgmt(&cfg->mgmt);
	for (uint32_t i = 0; i < HV_MGMT_FILES; i++) {
		if (cfg->mgmt_files[i].path[0] != '\0')
			printf("%s: %s\n", hvcfg_mgmt_file_key(i), cfg->mgmt_files[i].path);
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: hvcfg check FILE [--esp DIR]\n"
			"       hvcfg dump FILE\n"
			"       hvcfg hash-token TOKEN   (or - to read the token from stdin)\n");
	return 2;
}

/*
 * The token from the command line, or with "-" the first line of stdin
 * (so it stays out of the shell history and the process list).  The hash
 * covers the token's bytes exactly: no line ending.
 */
static int hash_token(const char *arg)
{
	static char line[4096];
	const char *token = arg;
	uint8_t digest[SHA256_DIGEST_LEN];
	size_t len;

	if (strcmp(arg, "-") == 0) {
		if (fgets(line, sizeof(line), stdin) == NULL)
			line[0] = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		token = line;
	}
	len = strlen(token);
	if (len == 0) {
		fprintf(stderr, "hvcfg: hash-token: the token is empty\n");
		return 1;
	}
	sha256(token, len, digest);
	printf("hash = ");
	for (size_t i = 0; i < sizeof(digest); i++)
		printf("%02x", digest[i]);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	static struct hvcfg cfg;
	struct hvcfg_error err;
	char *text, *copy, *esp;
	size_t len;
	int rc;

	if (argc == 3 && strcmp(argv[1], "hash-token") == 0)
		return hash_token(argv[2]);
	if (argc < 3 || (strcmp(argv[1], "check") != 0 && strcmp(argv[1], "dump") != 0))
		return usage();
	if (read_file(argv[2], &text, &len) != 0)
		return 1;
	copy = strdup(argv[2]);
	esp = argc == 5 && strcmp(argv[3], "--esp") == 0 ? argv[4] : dirname(dirname(copy));
	rc = hvcfg_parse(text, len, &cfg, &err);
	if (rc == 0 && strcmp(argv[1], "check") == 0)
		rc = hvcfg_check_images(&cfg, image_exists, esp, &err);
	if (rc == 0 && strcmp(argv[1], "check") == 0)
		rc = check_files(&cfg, esp, &err);
	if (rc == -1)
		print_error(argv[2], &err);
	else if (rc == 0 && strcmp(argv[1], "dump") == 0)
		dump(&cfg);
	else if (rc == 0)
		printf("%s: ok (%u partitions)\n", argv[2], cfg.partition_count);
	free(copy);
	free(text);
	return rc == 0 ? 0 : 1;
}
