/*
 * MSR and I/O bitmaps (SDM Vol. 3, "I/O-Bitmap Addresses" and "MSR-Bitmap
 * Address"): a set bit makes the
 * access exit.  Every port exits (the core emulates or refuses); every MSR
 * exits except those the guest owns outright: its syscall and segment-base
 * MSRs, TSC_AUX, PAT and EFER (switched by the VMCS load/save controls),
 * and reads of the TSC.
 */
#include "vmcs_fields.h"
#include "vmx.h"
#include "vmx_msr.h"

#include <arch/x86.h>
#include <core/console.h>
#include <lib/string.h>

/* MSR bitmap quarters: reads of 0-0x1fff, reads of 0xc0000000-0xc0001fff, then writes. */
#define MSR_BITMAP_READ_LOW 0u
#define MSR_BITMAP_READ_HIGH 1024u
#define MSR_BITMAP_WRITE_LOW 2048u
#define MSR_BITMAP_WRITE_HIGH 3072u

static const uint32_t guest_owned_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR,
	MSR_SFMASK, MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP, MSR_TSC_AUX,
	MSR_PAT, MSR_EFER,
};

static void msr_bit_clear(uint8_t *bitmap, uint32_t msr, bool write)
{
	uint32_t offset;

	if (msr <= 0x1fff)
		offset = write ? MSR_BITMAP_WRITE_LOW : MSR_BITMAP_READ_LOW;
	else if (msr >= 0xc0000000u && msr <= 0xc0001fffu)
		offset = write ? MSR_BITMAP_WRITE_HIGH : MSR_BITMAP_READ_HIGH;
	else
		return; /* outside both ranges: always exits */
	msr &= 0x1fff;
	bitmap[offset + msr / 8] &= (uint8_t) ~(1u << (msr % 8));
}

static void msr_bitmap_fill(uint8_t *bitmap)
{
	memset(bitmap, 0xff, PAGE_SIZE);
	for (unsigned i = 0; i < sizeof(guest_owned_msrs) / sizeof(guest_owned_msrs[0]); i++) {
		msr_bit_clear(bitmap, guest_owned_msrs[i], false);
		msr_bit_clear(bitmap, guest_owned_msrs[i], true);
	}
	msr_bit_clear(bitmap, MSR_TSC, false);
}

int vmx_setup_bitmaps(struct vmx_vcpu *vv, struct page_pool *pool)
{
	if (vv->msr_bitmap == 0)
		vv->msr_bitmap = page_alloc(pool, 1, 1);
	if (vv->io_bitmap == 0)
		vv->io_bitmap = page_alloc(pool, 2, 1);
	if (vv->msr_bitmap == 0 || vv->io_bitmap == 0) {
		log_error("vmx: no pages for the MSR and I/O bitmaps");
		return -1;
	}
	msr_bitmap_fill((uint8_t *)vv->msr_bitmap);
	memset((void *)vv->io_bitmap, 0xff, 2 * PAGE_SIZE);
	vmcs_write(VMCS_MSR_BITMAP, vv->msr_bitmap);
	vmcs_write(VMCS_IO_BITMAP_A, vv->io_bitmap);
	vmcs_write(VMCS_IO_BITMAP_B, vv->io_bitmap + PAGE_SIZE);
	return 0;
}

/*
 * Lets v's guest use ports [port, port + count) directly (an assigned
 * device).  Bitmap A covers ports 0-0x7fff and bitmap B the rest; the two
 * pages are contiguous, so the port number indexes both as one bit array.
 * The CPU reads the bitmaps on every I/O instruction: no VMCS update.
 */
void vmx_io_allow(struct vcpu *v, uint16_t port, uint16_t count)
{
	uint8_t *bitmap = (uint8_t *)to_vmx(v)->io_bitmap;

	for (uint32_t p = port; p < (uint32_t)port + count && p <= 0xffff; p++)
		bitmap[p / 8] &= (uint8_t) ~(1u << (p % 8));
}
