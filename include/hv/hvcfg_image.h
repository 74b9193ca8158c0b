/*
 * The hv.cfg rules that need the files it names, not just its text:
 * what a partition's image is (an ELF64 executable of ours or a Linux
 * bzImage) and which keys and command-line lengths go with that kind;
 * whether the TLS files of [management] are PEM of the right kind.  Those who read
 * the files apply them, the loader at boot and `hvcfg check` on the host,
 * so both report the same errors with the same lines.  Pure code in
 * lib/hvcfg/hvcfg_image.c and hvcfg_pem.c (hvcfg_image_src), which need
 * lib/elf64.c and lib/bzimage.c besides hvcfg_src.
 */
#ifndef HV_HVCFG_IMAGE_H
#define HV_HVCFG_IMAGE_H

#include <stdint.h>

#include <hv/boot_info.h>
#include <hv/config_desc.h>

/* What an image file turned out to be. */
struct hvcfg_image_file {
	uint32_t kind;          /* enum boot_image_kind */
	uint16_t boot_protocol; /* a bzImage's, major << 8 | minor; 0 for an ELF */
	uint64_t entry;         /* an ELF's entry point; 0 for a bzImage */
	uint32_t cmdline_max;   /* longest command line the kernel takes, without NUL */
};

/*
 * Recognises partition idx's image file (size bytes at file, 8-byte
 * aligned) and checks the partition's keys against its kind: an initrd
 * only with a bzImage, a command line no longer than the kernel takes.
 * Returns 0 with *out filled, or -1 with *err naming the line to fix.
 */
int hvcfg_check_image_file(const struct hvcfg *cfg, uint32_t idx, const void *file,
			   uint64_t size, struct hvcfg_image_file *out,
			   struct hvcfg_error *err);

/* Partition idx's initrd file, size bytes long: not empty. */
int hvcfg_check_initrd_file(const struct hvcfg *cfg, uint32_t idx, uint64_t size,
			    struct hvcfg_error *err);

/*
 * A file of [management] (file: enum hv_mgmt_file), size bytes at data:
 * PEM text within HV_MGMT_FILE_MAX, CERTIFICATE blocks only for tls_cert
 * and tls_client_ca, one unencrypted private key for tls_key
 * (lib/hvcfg/hvcfg_pem.c).  Errors name the file's key and line.
 */
int hvcfg_check_mgmt_file(const struct hvcfg *cfg, uint32_t file, const void *data,
			  uint64_t size, struct hvcfg_error *err);

#endif
