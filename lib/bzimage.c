/*
 * bzImage validation (see bzimage.h).  The file is: a 512-byte boot
 * sector whose tail holds the setup header (0x1f1..), setup_sects more
 * 512-byte sectors of real-mode setup code, then syssize * 16 bytes of
 * protected-mode kernel, possibly followed by data a signing tool
 * appended.  hv loads only the protected-mode kernel and enters it at
 * its 64-bit entry, so the real-mode setup code is never run.
 */
#include <lib/bzimage.h>

#include <lib/string.h>

#define SECTOR_SIZE 512u
#define DEFAULT_SETUP_SECTS 4u          /* boot.rst: setup_sects 0 means 4 */
#define HEADER_LENGTH_BYTE 0x201u       /* second byte of the jump at 0x200 */
#define HEADER_LENGTH_BASE 0x202u
#define VERSION_END 0x208u              /* boot_flag, jump, "HdrS" and version end here */
#define MIN_ALIGNMENT 0x1000u
#define MAX_ALIGNMENT 0x40000000u
#define LOW_MEMORY_END 0x100000ull      /* a bzImage loads at 1 MiB or above */
#define PHYS_ADDR_LIMIT (1ull << 46)    /* beyond any partition hv can build */
#define PARAGRAPH 16u

static const char *const bzimage_errors[BZIMAGE_ERR_COUNT] = {
	[BZIMAGE_OK] = "no error",
	[BZIMAGE_ERR_TOO_SMALL] = "the file is too small to hold a boot sector and a setup header",
	[BZIMAGE_ERR_BOOT_FLAG] = "no boot sector signature 0xAA55 at offset 0x1fe",
	[BZIMAGE_ERR_NO_HEADER] = "no \"HdrS\" setup header at offset 0x202",
	[BZIMAGE_ERR_OLD_PROTOCOL] = "boot protocol older than 2.12 (no 64-bit entry)",
	[BZIMAGE_ERR_HEADER_LENGTH] = "the setup header's length (byte at 0x201) is out of range",
	[BZIMAGE_ERR_NOT_BZIMAGE] = "not a bzImage (LOADED_HIGH clear)",
	[BZIMAGE_ERR_NOT_64BIT] = "the kernel has no 64-bit entry point (XLF_KERNEL_64 clear)",
	[BZIMAGE_ERR_SETUP_SIZE] = "the setup sectors extend past the end of the file",
	[BZIMAGE_ERR_KERNEL_SIZE] =
		"the protected-mode kernel (syssize) is empty, too short or past the end of the file",
	[BZIMAGE_ERR_ALIGNMENT] = "kernel_alignment is not a power of two from 4 KiB to 1 GiB",
	[BZIMAGE_ERR_INIT_SIZE] = "init_size is smaller than the protected-mode kernel",
	[BZIMAGE_ERR_PREF_ADDRESS] = "pref_address is below 1 MiB or too high",
};

const char *bzimage_strerror(enum bzimage_error err)
{
	if ((unsigned int)err >= BZIMAGE_ERR_COUNT)
		return "unknown bzImage error";
	return bzimage_errors[err];
}

/*
 * Checks the signatures, the version and the header's length, then
 * copies the header into *hdr.  Bytes past the image's own header stay
 * zero, so a 2.12 image reads kernel_info_offset as 0, not as setup code.
 */
static enum bzimage_error read_header(const uint8_t *image, size_t size,
				      struct bzimage_setup_header *hdr, size_t *header_end)
{
	size_t end;

	if (size < VERSION_END)
		return BZIMAGE_ERR_TOO_SMALL;
	memset(hdr, 0, sizeof(*hdr));
	memcpy(hdr, image + BZIMAGE_SETUP_HEADER_OFFSET, VERSION_END - BZIMAGE_SETUP_HEADER_OFFSET);
	if (hdr->boot_flag != BZIMAGE_BOOT_FLAG)
		return BZIMAGE_ERR_BOOT_FLAG;
	if (hdr->header != BZIMAGE_HDRS)
		return BZIMAGE_ERR_NO_HEADER;
	if (hdr->version < BZIMAGE_MIN_VERSION)
		return BZIMAGE_ERR_OLD_PROTOCOL;
	end = HEADER_LENGTH_BASE + image[HEADER_LENGTH_BYTE];
	if (end < BZIMAGE_SETUP_HEADER_MIN_END || end > BZIMAGE_SETUP_HEADER_LIMIT)
		return BZIMAGE_ERR_HEADER_LENGTH;
	if (end > size)
		return BZIMAGE_ERR_TOO_SMALL;
	*header_end = end;
	if (end > BZIMAGE_SETUP_HEADER_END)
		end = BZIMAGE_SETUP_HEADER_END; /* later fields are not ours to read */
	memcpy(hdr, image + BZIMAGE_SETUP_HEADER_OFFSET, end - BZIMAGE_SETUP_HEADER_OFFSET);
	return BZIMAGE_OK;
}

static enum bzimage_error check_flags(const struct bzimage_setup_header *hdr)
{
	if (!(hdr->loadflags & BZIMAGE_LOADED_HIGH))
		return BZIMAGE_ERR_NOT_BZIMAGE;
	if (!(hdr->xloadflags & BZIMAGE_XLF_KERNEL_64))
		return BZIMAGE_ERR_NOT_64BIT;
	return BZIMAGE_OK;
}

/* Finds the protected-mode kernel: after the setup sectors, syssize paragraphs long. */
static enum bzimage_error locate_kernel(const struct bzimage_setup_header *hdr, size_t size,
					size_t *offset, size_t *length)
{
	size_t sects = hdr->setup_sects != 0 ? hdr->setup_sects : DEFAULT_SETUP_SECTS;
	size_t setup = (sects + 1) * SECTOR_SIZE; /* at most 256 sectors: no overflow */
	uint64_t kernel = (uint64_t)hdr->syssize * PARAGRAPH;

	if (setup >= size)
		return BZIMAGE_ERR_SETUP_SIZE;
	if (kernel <= BZIMAGE_ENTRY64_OFFSET || kernel > size - setup)
		return BZIMAGE_ERR_KERNEL_SIZE;
	*offset = setup;
	*length = (size_t)kernel;
	return BZIMAGE_OK;
}

static enum bzimage_error check_placement(const struct bzimage_setup_header *hdr,
					  size_t kernel_size)
{
	uint32_t align = hdr->kernel_alignment;

	if (align < MIN_ALIGNMENT || align > MAX_ALIGNMENT || (align & (align - 1)) != 0)
		return BZIMAGE_ERR_ALIGNMENT;
	if (hdr->init_size < kernel_size)
		return BZIMAGE_ERR_INIT_SIZE;
	if (hdr->pref_address < LOW_MEMORY_END || hdr->pref_address >= PHYS_ADDR_LIMIT)
		return BZIMAGE_ERR_PREF_ADDRESS;
	return BZIMAGE_OK;
}

enum bzimage_error bzimage_parse(const uint8_t *image, size_t size, struct bzimage_info *info)
{
	struct bzimage_setup_header hdr;
	size_t header_end, kernel_offset, kernel_size;
	enum bzimage_error err = read_header(image, size, &hdr, &header_end);

	if (err == BZIMAGE_OK)
		err = check_flags(&hdr);
	if (err == BZIMAGE_OK)
		err = locate_kernel(&hdr, size, &kernel_offset, &kernel_size);
	if (err == BZIMAGE_OK)
		err = check_placement(&hdr, kernel_size);
	if (err != BZIMAGE_OK)
		return err;
	*info = (struct bzimage_info){
		.version = hdr.version,
		.loadflags = hdr.loadflags,
		.xloadflags = hdr.xloadflags,
		.header_end = header_end,
		.kernel_offset = kernel_offset,
		.kernel_size = kernel_size,
		.pref_address = hdr.pref_address,
		.kernel_alignment = hdr.kernel_alignment,
		.relocatable = hdr.relocatable_kernel != 0,
		.init_size = hdr.init_size,
		.cmdline_size = hdr.cmdline_size,
		.initrd_addr_max = hdr.initrd_addr_max,
	};
	return BZIMAGE_OK;
}
