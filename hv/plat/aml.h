/*
 * A tiny AML emitter (ACPI 6.x, chapter 20 "ACPI Machine Language
 * Specification"): just what hv's DSDT needs, names, integers, strings,
 * packages, scopes, devices and resource templates.  The emitter writes
 * into a caller's buffer and keeps counting past its end, so one run
 * with no buffer measures the AML.  The buffer needs 3 bytes more than
 * the result for each package open at a time: aml_pkg_begin reserves
 * the longest PkgLength and aml_pkg_end gives back what it did not use.
 */
#ifndef HV_PLAT_AML_H
#define HV_PLAT_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aml {
	uint8_t *buf;
	size_t cap;
	size_t len;     /* bytes emitted so far, also those that did not fit */
	bool overflow;  /* something did not fit: buf is incomplete */
	bool invalid;   /* a name, EISA id or package was malformed */
};

/* Small resource descriptors (ACPI 6.x, 6.4.2). */
#define AML_IO_DESC_SIZE 8u          /* I/O port descriptor, type 0x08 */
#define AML_END_TAG_SIZE 2u          /* end tag, type 0x0f: 0x79, checksum */

void aml_init(struct aml *a, void *buf, size_t cap);

/* True when everything emitted so far is in buf and well formed. */
bool aml_ok(const struct aml *a);

void aml_byte(struct aml *a, uint8_t b);

/*
 * A NameSeg: exactly four characters from A-Z, 0-9 and '_', not starting
 * with a digit ("_HID", "VMBS").  AML pads shorter names with '_'; so
 * must the caller ("_S5_").
 */
void aml_name_seg(struct aml *a, const char *seg);

/* A NameString: one NameSeg, optionally after a root prefix ("\\_SB_"). */
void aml_name_string(struct aml *a, const char *path);

/*
 * PkgLength around the bytes emitted between begin and end.  begin
 * reserves the longest encoding (4 bytes); end encodes the real length,
 * which counts its own bytes, and moves the contents down behind it.
 */
size_t aml_pkg_begin(struct aml *a);
void aml_pkg_end(struct aml *a, size_t start);

/* Name (path, ...): NameOp and the name; the caller emits the value next. */
void aml_name(struct aml *a, const char *path);

/* The shortest integer encoding: ZeroOp, OneOp or a Byte/Word/DWord/QWord prefix. */
void aml_integer(struct aml *a, uint64_t v);

/* String: StringPrefix, the ASCII characters (1-0x7f), NUL. */
void aml_string(struct aml *a, const char *s);

/* EisaId ("PNP0501"): three letters and four hex digits compressed into a DWord. */
void aml_eisaid(struct aml *a, const char *id);

/* Scope (path) { ... }, Device (seg) { ... }, Package (count) { ... }: close with aml_pkg_end. */
size_t aml_scope_begin(struct aml *a, const char *path);
size_t aml_device_begin(struct aml *a, const char *seg);
size_t aml_package_begin(struct aml *a, uint8_t count);

/* ResourceTemplate () { desc }: a Buffer holding the descriptors and an end tag. */
void aml_resource_template(struct aml *a, const uint8_t *desc, size_t size);

/* IO (Decode16, min, max, align, length) into out[AML_IO_DESC_SIZE]. */
void aml_io_desc(uint8_t *out, uint16_t min, uint16_t max, uint8_t align, uint8_t length);

#endif
