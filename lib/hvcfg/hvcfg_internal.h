/*
 * Rules shared by the hv.cfg parser and the binary validator, so that a
 * description is held to the same checks whether it comes from text (with
 * the offending key's line) or from the loader (with the partition's line).
 */
#ifndef LIB_HVCFG_INTERNAL_H
#define LIB_HVCFG_INTERNAL_H

#include <hv/config_desc.h>

/* A value as a bounded slice of the input line, quotes removed. */
struct hvcfg_value {
	const char *s;
	size_t len;
};

/* Lexical helpers of hvcfg_parse.c; the readers consume what they read. */
struct hvcfg_value hvcfg_trim(const char *s, size_t len);
bool hvcfg_equals(const struct hvcfg_value *v, const char *word);
/* An unsigned number in `base`; false on no digits or overflow. */
bool hvcfg_read_number(struct hvcfg_value *v, unsigned base, uint64_t *out);
/* Decimal or 0x-hexadecimal. */
bool hvcfg_read_integer(struct hvcfg_value *v, uint64_t *out);
bool hvcfg_read_char(struct hvcfg_value *v, char c);
/* A PCI address "bb:dd.f" in hexadecimal. */
bool hvcfg_read_bdf(struct hvcfg_value *v, hvcfg_bdf *out);

/* Fills *err and returns -1, so checks can `return hvcfg_fail(...)`. */
int hvcfg_fail(struct hvcfg_error *err, uint32_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * An ESP path: starts with '\', printable ASCII without '/', shorter than
 * HVCFG_PATH_LEN.  Errors read "KEY[OWNER] must be an ESP path like
 * EXAMPLE" (owner: "" or " of partition 'x'").
 */
int hvcfg_check_esp_path(const char *path, const char *key, const char *owner,
			 const char *example, uint32_t line, struct hvcfg_error *err);

/* 1 to size-1 letters, digits, '_' or '-', NUL-terminated within size. */
bool hvcfg_name_valid(const char *name, size_t size);

/* Each checks partition idx on its own and against partitions 0..idx-1. */
int hvcfg_check_name(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
		     struct hvcfg_error *err);
int hvcfg_check_cpus(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
		     struct hvcfg_error *err);
int hvcfg_check_memory(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
		       struct hvcfg_error *err);
int hvcfg_check_pci(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
		    struct hvcfg_error *err);
int hvcfg_check_image(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
		      struct hvcfg_error *err);
/* The initrd path, when there is one: the rules of image paths. */
int hvcfg_check_initrd(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
		       struct hvcfg_error *err);
/* Keys a partition must have, checked when its section ends. */
int hvcfg_check_complete(const struct hvcfg *cfg, uint32_t idx,
			 struct hvcfg_error *err);
int hvcfg_check_hv_memory(const struct hvcfg *cfg, uint32_t line,
			  struct hvcfg_error *err);
/* Whole-file rules: hv options, exactly one root owning CPU 0. */
int hvcfg_check_global(const struct hvcfg *cfg, uint32_t line,
		       struct hvcfg_error *err);

/*
 * hvcfg_mgmt.c: the values of [management] and [token NAME] (each fills
 * cfg->mgmt and checks what it can on its own) and the rules of the
 * management record as a whole.
 */
int hvcfg_mgmt_address(struct hvcfg *cfg, const struct hvcfg_value *v, uint32_t line,
		       struct hvcfg_error *err);
int hvcfg_mgmt_gateway(struct hvcfg *cfg, const struct hvcfg_value *v, uint32_t line,
		       struct hvcfg_error *err);
/* http_port or https_port (key names which), 1-65535, into *port. */
int hvcfg_mgmt_port(const char *key, uint16_t *port, const struct hvcfg_value *v, uint32_t line,
		    struct hvcfg_error *err);
/* tls_cert, tls_key or tls_client_ca: an ESP path (file: enum hv_mgmt_file). */
int hvcfg_mgmt_file(struct hvcfg *cfg, uint32_t file, const struct hvcfg_value *v, uint32_t line,
		    struct hvcfg_error *err);
/*
 * What [management] serves, once the section is read: TLS files that go
 * together, ports, insecure_http only with plain HTTP, and at least one
 * of HTTPS and plain HTTP.  The lines are those of the keys (the
 * section's line where the binary record has no better).
 */
struct hvcfg_mgmt_lines {
	uint32_t section, http_port, https_port, insecure_http;
};
int hvcfg_check_mgmt_serve(const struct hvcfg *cfg, const struct hvcfg_mgmt_lines *lines,
			   struct hvcfg_error *err);
/* "DRIVER", "bb:dd.f" or both, separated by blanks: the root's API card. */
int hvcfg_mgmt_nic(struct hvcfg *cfg, const struct hvcfg_value *v, uint32_t line,
		   struct hvcfg_error *err);
int hvcfg_token_hash(struct hvcfg *cfg, uint32_t idx, const struct hvcfg_value *v,
		     uint32_t line, struct hvcfg_error *err);
int hvcfg_token_rights(struct hvcfg *cfg, uint32_t idx, const struct hvcfg_value *v,
		       uint32_t line, struct hvcfg_error *err);
/* Address, netmask and gateway agree (gateway only with a static address). */
int hvcfg_check_mgmt_net(const struct hvcfg *cfg, uint32_t line, struct hvcfg_error *err);
/* Token idx's name: valid, and not used by tokens 0..idx-1. */
int hvcfg_check_token_name(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
			   struct hvcfg_error *err);
/* Keys a token must have, checked when its section ends. */
int hvcfg_check_token_complete(const struct hvcfg *cfg, uint32_t idx,
			       struct hvcfg_error *err);
/* Every rule of the management record, grants naming partitions included. */
int hvcfg_check_mgmt(const struct hvcfg *cfg, struct hvcfg_error *err);

#endif
