/*
 * screen: the framebuffer for hv's screen console (boot_info revision 3).
 * The mode is the one the firmware chose; the loader does not change it.
 * GOP's PixelBltOnly has no framebuffer at all, and a bit-mask format is
 * accepted only when its masks are whole bytes of a 32-bit pixel, so hv
 * only ever draws 8 bits per colour at a byte shift.
 */
#include "screen.h"

#include <efi.h>

#include "console.h"
#include "fw.h"

static EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;

/* The GOP of the console output handle, else the first one installed. */
static EFI_GRAPHICS_OUTPUT_PROTOCOL *find_gop(void)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
	EFI_STATUS status = EFI_NOT_FOUND;

	if (fw_st->ConsoleOutHandle != NULL)
		status = uefi_call_wrapper(fw_bs->HandleProtocol, 3, fw_st->ConsoleOutHandle,
					   &gop_guid, (void **)&gop);
	if (EFI_ERROR(status) || gop == NULL)
		status = uefi_call_wrapper(fw_bs->LocateProtocol, 3, &gop_guid, NULL,
					   (void **)&gop);
	return EFI_ERROR(status) ? NULL : gop;
}

/* The bit position of an 8-bit mask on a byte boundary, or -1. */
static int byte_shift(UINT32 mask)
{
	for (int shift = 0; shift < 32; shift += 8) {
		if (mask == 0xffu << shift)
			return shift;
	}
	return -1;
}

/* The colour shifts of a GOP pixel format; the reason it is unusable otherwise. */
static const char *pixel_shifts(const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info,
				struct boot_framebuffer *fb)
{
	int r, g, b;

	switch (info->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		r = 0, g = 8, b = 16;
		break;
	case PixelBlueGreenRedReserved8BitPerColor:
		r = 16, g = 8, b = 0;
		break;
	case PixelBitMask:
		r = byte_shift(info->PixelInformation.RedMask);
		g = byte_shift(info->PixelInformation.GreenMask);
		b = byte_shift(info->PixelInformation.BlueMask);
		if (r < 0 || g < 0 || b < 0 || r == g || r == b || g == b)
			return "pixel masks that are not whole bytes";
		break;
	case PixelBltOnly:
		return "a BltOnly mode, which has no framebuffer";
	default:
		return "an unknown pixel format";
	}
	fb->red_shift = (UINT8)r;
	fb->green_shift = (UINT8)g;
	fb->blue_shift = (UINT8)b;
	return NULL;
}

/* Checks the mode and fills fb; the reason it cannot be used otherwise. */
static const char *describe(const EFI_GRAPHICS_OUTPUT_PROTOCOL_MODE *mode,
			    struct boot_framebuffer *fb)
{
	const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info = mode->Info;
	const char *why;

	if (info == NULL)
		return "no mode information";
	why = pixel_shifts(info, fb);
	if (why != NULL)
		return why;
	if (mode->FrameBufferBase == 0 || info->HorizontalResolution == 0 ||
	    info->VerticalResolution == 0 || info->PixelsPerScanLine < info->HorizontalResolution)
		return "a mode without a usable framebuffer";
	if ((UINT64)info->PixelsPerScanLine * info->VerticalResolution * 4 > mode->FrameBufferSize)
		return "a framebuffer smaller than its mode";
	fb->base = mode->FrameBufferBase;
	fb->size = mode->FrameBufferSize;
	fb->width = info->HorizontalResolution;
	fb->height = info->VerticalResolution;
	fb->stride = info->PixelsPerScanLine;
	fb->mode = mode->Mode;
	return NULL;
}

void screen_find(struct boot_framebuffer *fb)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = find_gop();
	struct boot_framebuffer found = { 0 };
	const char *why;

	*fb = found;
	if (gop == NULL || gop->Mode == NULL) {
		boot_log("screen: none (no graphics output protocol): hv logs to serial only");
		return;
	}
	why = describe(gop->Mode, &found);
	if (why != NULL) {
		boot_log("screen: GOP mode %u has %s: hv logs to serial only",
			 (unsigned)gop->Mode->Mode, why);
		return;
	}
	*fb = found;
	boot_log("screen: %ux%u, 32-bit %s, framebuffer 0x%llx (%llu KiB), stride %u, GOP mode %u",
		 fb->width, fb->height, fb->red_shift == 0 && fb->blue_shift == 16 ? "RGB" :
		 fb->red_shift == 16 && fb->blue_shift == 0 ? "BGR" : "bit mask",
		 (unsigned long long)fb->base, (unsigned long long)(fb->size >> 10), fb->stride,
		 fb->mode);
}
