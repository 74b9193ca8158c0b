/*
 * attach_additions=<guest>:<s>: inserts the additions media into a
 * guest's drive (HVCALL_MEDIA_ATTACH) s seconds after the root started,
 * as InstallAdditions does on request.  A testos guest started without
 * its additions polls its drive and installs them from the media
 * (docs/hypercalls.md, "Media").
 */
#include "root.h"

#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/hvmgmt.h>
#include <kernel/hypercall.h>
#include <kernel/time.h>
#include <lib/string.h>

static char guest[HV_NAME_LEN];
static size_t guest_len;
static uint64_t attach_ms;
static bool pending;

void media_config(const char *cmdline)
{
	struct cmdline_word w;
	const char *rest;
	size_t rest_len, n;
	uint64_t s;

	if (!cmdline_find(cmdline, "attach_additions", &w))
		return;
	n = w.value ? cmdline_split(w.value, w.value_len, ':', &rest, &rest_len) : 0;
	if (!w.value || rest == NULL || n == 0 || n >= HV_NAME_LEN ||
	    !cmdline_parse_u64(rest, rest_len, 10, &s)) {
		kputs("root: media: attach_additions wants <guest>:<seconds>\n");
		return;
	}
	memcpy(guest, w.value, n);
	guest_len = n;
	attach_ms = tsc_to_ms(tsc_read()) + s * 1000u;
	pending = true;
}

void media_poll(void)
{
	int id;
	uint16_t st;

	if (!pending || tsc_to_ms(tsc_read()) < attach_ms)
		return;
	pending = false;
	id = events_find(guest, guest_len);
	if (id < 0) {
		kprintf("root: media: no partition %.*s\n", (int)guest_len, guest);
		return;
	}
	st = hv_status(hv_media_attach((uint32_t)id, HV_MEDIA_ADDITIONS));
	if (st == HV_STATUS_SUCCESS)
		kprintf("root: media: additions attached to %.*s\n", (int)guest_len, guest);
	else
		kprintf("root: media: attaching the additions to %.*s failed (status 0x%x)\n",
			(int)guest_len, guest, st);
}
