/*
 * The AML emitter behind aml.h.  Encodings from ACPI 6.x chapter 20
 * (the AML grammar) and 6.4.2 (small resource descriptors).
 */
#include <plat/aml.h>

#include <lib/string.h>

#define AML_ZERO_OP 0x00u
#define AML_ONE_OP 0x01u
#define AML_NAME_OP 0x08u
#define AML_BYTE_PREFIX 0x0au
#define AML_WORD_PREFIX 0x0bu
#define AML_DWORD_PREFIX 0x0cu
#define AML_STRING_PREFIX 0x0du
#define AML_QWORD_PREFIX 0x0eu
#define AML_SCOPE_OP 0x10u
#define AML_BUFFER_OP 0x11u
#define AML_PACKAGE_OP 0x12u
#define AML_EXT_OP_PREFIX 0x5bu
#define AML_DEVICE_OP 0x82u         /* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR '\\'
#define AML_NAME_SEG_SIZE 4u

#define PKG_LENGTH_MAX_BYTES 4u
#define PKG_LENGTH_LIMIT (1ul << 28) /* 4 bits + 3 bytes */

#define RES_IO 0x47u                /* small item 0x08, 7 bytes follow */
#define RES_IO_DECODE16 0x01u
#define RES_END_TAG 0x79u           /* small item 0x0f, 1 byte (the checksum) follows */

void aml_init(struct aml *a, void *buf, size_t cap)
{
	*a = (struct aml){ .buf = buf, .cap = buf != NULL ? cap : 0 };
}

bool aml_ok(const struct aml *a)
{
	return !a->overflow && !a->invalid;
}

void aml_byte(struct aml *a, uint8_t b)
{
	if (a->len < a->cap)
		a->buf[a->len] = b;
	else
		a->overflow = true;
	a->len++;
}

static void aml_bytes(struct aml *a, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		aml_byte(a, p[i]);
}

static bool name_char(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

void aml_name_seg(struct aml *a, const char *seg)
{
	for (size_t i = 0; i < AML_NAME_SEG_SIZE; i++) {
		if (!name_char(seg[i], i == 0)) {
			a->invalid = true;
			return;
		}
	}
	if (seg[AML_NAME_SEG_SIZE] != '\0')
		a->invalid = true;
	aml_bytes(a, (const uint8_t *)seg, AML_NAME_SEG_SIZE);
}

void aml_name_string(struct aml *a, const char *path)
{
	if (path[0] == AML_ROOT_CHAR) {
		aml_byte(a, AML_ROOT_CHAR);
		path++;
	}
	aml_name_seg(a, path);
}

size_t aml_pkg_begin(struct aml *a)
{
	size_t start = a->len;

	for (size_t i = 0; i < PKG_LENGTH_MAX_BYTES; i++)
		aml_byte(a, 0);
	return start;
}

/* Bytes the PkgLength of `content` bytes needs; the encoded length includes them. */
static size_t pkg_length_bytes(size_t content)
{
	if (content + 1 < 64)
		return 1;
	if (content + 2 < (1ul << 12))
		return 2;
	if (content + 3 < (1ul << 20))
		return 3;
	return 4;
}

/*
 * One byte holds lengths below 64.  Longer ones: bits 7-6 of the lead
 * byte count the bytes that follow, its bits 3-0 are the length's low
 * nibble, and the following bytes hold the rest, least significant first.
 */
void aml_pkg_end(struct aml *a, size_t start)
{
	size_t content = a->len - start - PKG_LENGTH_MAX_BYTES;
	size_t n = pkg_length_bytes(content);
	size_t total = content + n;
	uint8_t enc[PKG_LENGTH_MAX_BYTES];

	if (total >= PKG_LENGTH_LIMIT) {
		a->invalid = true;
		return;
	}
	enc[0] = n == 1 ? (uint8_t)total : (uint8_t)(((n - 1) << 6) | (total & 0x0f));
	for (size_t i = 1; i < n; i++)
		enc[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	if (!a->overflow) {
		memcpy(a->buf + start, enc, n);
		memmove(a->buf + start + n, a->buf + start + PKG_LENGTH_MAX_BYTES, content);
	}
	a->len = start + n + content;
}

void aml_name(struct aml *a, const char *path)
{
	aml_byte(a, AML_NAME_OP);
	aml_name_string(a, path);
}

void aml_integer(struct aml *a, uint64_t v)
{
	size_t size;

	if (v <= AML_ONE_OP) {
		aml_byte(a, (uint8_t)v); /* ZeroOp and OneOp are the values themselves */
		return;
	}
	if (v <= 0xff) {
		aml_byte(a, AML_BYTE_PREFIX);
		size = 1;
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD_PREFIX);
		size = 2;
	} else if (v <= 0xffffffffu) {
		aml_byte(a, AML_DWORD_PREFIX);
		size = 4;
	} else {
		aml_byte(a, AML_QWORD_PREFIX);
		size = 8;
	}
	for (size_t i = 0; i < size; i++)
		aml_byte(a, (uint8_t)(v >> (8 * i)));
}

void aml_string(struct aml *a, const char *s)
{
	aml_byte(a, AML_STRING_PREFIX);
	for (; *s != '\0'; s++) {
		if ((uint8_t)*s > 0x7f)
			a->invalid = true;
		aml_byte(a, (uint8_t)*s);
	}
	aml_byte(a, 0);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The letters become 5-bit values ('A' = 1) packed into 15 bits, the
 * digits a 16-bit product number; both are stored big-endian, so
 * "PNP0501" is the bytes 41 d0 05 01, the DWord 0x0105d041.
 */
void aml_eisaid(struct aml *a, const char *id)
{
	uint32_t vendor = 0, product = 0;

	for (size_t i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z') {
			a->invalid = true;
			return;
		}
		vendor = vendor << 5 | (uint32_t)(id[i] - 'A' + 1);
	}
	for (size_t i = 3; i < 7; i++) {
		int d = hex_digit(id[i]);

		if (d < 0) {
			a->invalid = true;
			return;
		}
		product = product << 4 | (uint32_t)d;
	}
	if (id[7] != '\0')
		a->invalid = true;
	aml_integer(a, (vendor >> 8) | (vendor & 0xff) << 8 | (product >> 8) << 16 |
			       (product & 0xff) << 24);
}

size_t aml_scope_begin(struct aml *a, const char *path)
{
	size_t start;

	aml_byte(a, AML_SCOPE_OP);
	start = aml_pkg_begin(a);
	aml_name_string(a, path);
	return start;
}

size_t aml_device_begin(struct aml *a, const char *seg)
{
	size_t start;

	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	start = aml_pkg_begin(a);
	aml_name_seg(a, seg);
	return start;
}

size_t aml_package_begin(struct aml *a, uint8_t count)
{
	size_t start;

	aml_byte(a, AML_PACKAGE_OP);
	start = aml_pkg_begin(a);
	aml_byte(a, count);
	return start;
}

/*
 * The end tag's checksum byte is 0, which ACPI 6.3 (6.4.2.9) defines as
 * "treat the checksum as valid"; iasl and ACPICA write 0 too, so our
 * templates disassemble and compile back to the same bytes.
 */
void aml_resource_template(struct aml *a, const uint8_t *desc, size_t size)
{
	size_t start;

	aml_byte(a, AML_BUFFER_OP);
	start = aml_pkg_begin(a);
	aml_integer(a, size + AML_END_TAG_SIZE);
	aml_bytes(a, desc, size);
	aml_byte(a, RES_END_TAG);
	aml_byte(a, 0);
	aml_pkg_end(a, start);
}

void aml_io_desc(uint8_t *out, uint16_t min, uint16_t max, uint8_t align, uint8_t length)
{
	out[0] = RES_IO;
	out[1] = RES_IO_DECODE16;
	out[2] = (uint8_t)min;
	out[3] = (uint8_t)(min >> 8);
	out[4] = (uint8_t)max;
	out[5] = (uint8_t)(max >> 8);
	out[6] = align;
	out[7] = length;
}
