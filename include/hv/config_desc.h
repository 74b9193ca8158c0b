/*
 * The configuration descriptor, struct hvcfg: the binary description of
 * the machine's partitioning, and the parser that turns the text file
 * hv.cfg into it.  (The header is not called hvcfg.h so that it is not
 * taken for the host program tools/hvcfg.)
 *
 * One parser serves the UEFI loader (boot/) and the host tool
 * (tools/hvcfg); hv validates the binary form again before trusting it.
 * The description is a versioned record in the manner of Jailhouse's
 * cell descriptors (fixed layout, checked below): signature, revision and total size first,
 * fixed-size arrays after, no pointers.  See docs/configuration.md.
 */
#ifndef HV_CONFIG_DESC_H
#define HV_CONFIG_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hv/mgmtcfg.h>

#define HVCFG_SIGNATURE "HVCONFIG"
#define HVCFG_REVISION 5u

#define HVCFG_MAX_PARTITIONS 16u
#define HVCFG_MAX_CPUS 64u
#define HVCFG_MAX_PCI 8u
#define HVCFG_NAME_LEN 32u     /* including the terminating NUL */
#define HVCFG_PATH_LEN 128u
#define HVCFG_CMDLINE_LEN 2048u /* our kernels take at most START_INFO_CMDLINE_LEN */

#define HVCFG_MIB (1024ull * 1024ull)
#define HVCFG_GIB (1024ull * HVCFG_MIB)
#define HVCFG_HV_MEMORY_DEFAULT (32ull * HVCFG_MIB)
#define HVCFG_HV_MEMORY_MIN (8ull * HVCFG_MIB)
#define HVCFG_HV_MEMORY_MAX (1ull * HVCFG_GIB)
#define HVCFG_PART_MEMORY_MIN (2ull * HVCFG_MIB)
#define HVCFG_PART_MEMORY_MAX (64ull * HVCFG_GIB)
#define HVCFG_MEMORY_ALIGN (2ull * HVCFG_MIB)
#define HVCFG_HTTPS_PORT_DEFAULT 443u

enum hvcfg_log_level {
	HVCFG_LOG_ERROR = 0,
	HVCFG_LOG_WARN = 1,
	HVCFG_LOG_INFO = 2,
	HVCFG_LOG_DEBUG = 3,
};

/* Where hv logs ([hypervisor] console). */
enum hvcfg_console {
	HVCFG_CONSOLE_DEFAULT = 0, /* no key: both when there is a framebuffer, else serial */
	HVCFG_CONSOLE_SERIAL = 1,
	HVCFG_CONSOLE_SCREEN = 2,  /* serial when there is no framebuffer, with a line saying so */
	HVCFG_CONSOLE_BOTH = 3,
};

enum hvcfg_role {
	HVCFG_ROLE_GUEST = 0,
	HVCFG_ROLE_ROOT = 1,
};

/* Hypervisor option flags. */
#define HVCFG_FLAG_TEST_EXIT 1u      /* power the emulator off when start-up is done */
#define HVCFG_FLAG_TEST_EXCEPTION 2u /* raise #UD in hv after start-up (tests the dump) */

/* A PCI function, packed as bus << 8 | device << 3 | function. */
typedef uint16_t hvcfg_bdf;

struct hvcfg_partition {
	char name[HVCFG_NAME_LEN];
	uint32_t role;        /* enum hvcfg_role */
	uint32_t pci_count;
	uint64_t cpu_mask;    /* bit n: CPU index n (MADT order, 0 = BSP) */
	uint64_t memory_size; /* bytes, multiple of 2 MiB */
	uint64_t memory_base; /* host-physical placement, 0 = hv chooses */
	char image[HVCFG_PATH_LEN];     /* ESP path, backslashes: \hv\x.elf */
	char cmdline[HVCFG_CMDLINE_LEN];
	hvcfg_bdf pci[HVCFG_MAX_PCI];
	uint32_t line;        /* line of the [partition] header */
	uint32_t image_line;  /* line of the image key, for load errors */
	/* Revision 3: a bzImage partition's initial RAM disk (ESP path, "" = none). */
	char initrd[HVCFG_PATH_LEN];
	uint32_t initrd_line; /* line of the initrd key, 0 when absent */
	uint32_t cmdline_line; /* line of the cmdline key, 0 when absent */
};

/* A file of [management] (tls_cert, ...): ESP path ("" = none) and its key's line. */
struct hvcfg_file {
	char path[HVCFG_PATH_LEN];
	uint32_t line;
	uint32_t reserved;
};

struct hvcfg {
	char signature[8];  /* HVCFG_SIGNATURE, not NUL-terminated */
	uint32_t revision;  /* HVCFG_REVISION */
	uint32_t size;      /* sizeof(struct hvcfg) */
	uint32_t flags;     /* HVCFG_FLAG_* */
	uint32_t log_level; /* enum hvcfg_log_level */
	uint64_t hv_memory; /* bytes hv reserves for itself */
	uint16_t serial_port; /* 16550 base port, 0 = no serial console */
	uint16_t console;     /* enum hvcfg_console (revision 4) */
	uint32_t partition_count;
	struct hvcfg_partition partitions[HVCFG_MAX_PARTITIONS];
	/* Revision 2: the management service ([management], [token NAME]). */
	uint32_t management_line;                  /* [management] header, 0 = absent */
	uint32_t token_line[HV_MGMT_MAX_TOKENS];   /* [token NAME] headers */
	uint32_t rights_line[HV_MGMT_MAX_TOKENS];  /* their `rights` keys */
	uint32_t console_line;                     /* revision 4: the console key, 0 = absent */
	struct hv_mgmt_config mgmt;  /* handed to the root by HVCALL_MGMT_CONFIG */
	uint32_t nic_line;           /* revision 4: [management] nic, 0 = absent */
	uint32_t reserved1;
	/* Revision 5: the files of [management], indexed by enum hv_mgmt_file. */
	struct hvcfg_file mgmt_files[HV_MGMT_FILES];
};

/*
 * The layout is naturally aligned with no implicit padding, so the loader
 * and hv (and any future tool writing it) agree byte for byte.
 */
_Static_assert(sizeof(struct hvcfg_partition) == 2400, "hvcfg_partition layout");
_Static_assert(sizeof(struct hvcfg_file) == 136, "hvcfg_file layout");
_Static_assert(sizeof(struct hvcfg) == 40 + 2400 * HVCFG_MAX_PARTITIONS + 72 +
	       sizeof(struct hv_mgmt_config) + 8 + 136 * HV_MGMT_FILES, "hvcfg layout");

#define HVCFG_MESSAGE_LEN 160u

/* Where and why a configuration was refused; line 0 = not tied to a line. */
struct hvcfg_error {
	uint32_t line;
	char message[HVCFG_MESSAGE_LEN];
};

/*
 * Parses hv.cfg text (not necessarily NUL-terminated) into *out and
 * validates it.  Returns 0 on success, -1 with *err filled otherwise.
 */
int hvcfg_parse(const char *text, size_t len, struct hvcfg *out,
		struct hvcfg_error *err);

/*
 * Checks a binary description for internal consistency: signature,
 * revision, size, and every rule the parser enforces.  Used by the parser
 * on its own result and by hv on what the loader handed over.
 */
int hvcfg_validate(const struct hvcfg *cfg, struct hvcfg_error *err);

/* Answers whether the image at an ESP path exists and is readable. */
typedef bool (*hvcfg_image_probe)(void *ctx, const char *esp_path);

/*
 * Reports the first partition whose image or initrd the probe cannot
 * find, then the first missing file of [management].
 */
int hvcfg_check_images(const struct hvcfg *cfg, hvcfg_image_probe probe,
		       void *ctx, struct hvcfg_error *err);

/* hv.cfg's key for a file of [management] ("tls_cert", ...). */
const char *hvcfg_mgmt_file_key(uint32_t file);

/* Formats a BDF as "bb:dd.f" into buf (at least 8 bytes). */
void hvcfg_format_bdf(hvcfg_bdf bdf, char *buf);

const char *hvcfg_log_level_name(uint32_t level);

/* "e1000", "e1000e", "virtio" (hv.cfg's names), or "any" for HV_MGMT_NIC_ANY. */
const char *hvcfg_nic_driver_name(uint32_t driver);

/* "serial", "screen", "both", or "default" for HVCFG_CONSOLE_DEFAULT. */
const char *hvcfg_console_name(uint32_t console);

#endif
