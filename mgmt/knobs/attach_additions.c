/*
 * attach_additions=<guest>:<s>: inserts the additions media into a
 * guest's drive (HVCALL_MEDIA_ATTACH) s seconds after the root started,
 * as InstallAdditions does on request.  A testos guest started without
 * its additions polls its drive and installs them from the media
 * (docs/hypercalls.md, 0x8004 and 0x8018).  Before attaching, it checks that hv
 * refuses an unknown partition, an unknown medium and the root's own
 * drive (a "root: media: FAIL" line otherwise).  Read with partition
 * management up (configure hook), attached from the root's poll loop.
 */
#include "knobs.h"

#include <events/events.h>

#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/hvmgmt.h>
#include <kernel/hypercall.h>
#include <kernel/time.h>
#include <lib/string.h>

static char guest[HV_NAME_LEN];
static uint64_t attach_ms;
static bool pending;

static void attach_configure(const struct knob_env *env)
{
	struct cmdline_word w;
	uint64_t s;

	if (!cmdline_find(env->cmdline, "attach_additions", &w))
		return;
	if (!knob_guest_seconds(&w, guest, &s)) {
		kputs("root: media: attach_additions wants <guest>:<seconds>\n");
		return;
	}
	attach_ms = tsc_to_ms(tsc_read()) + s * 1000u;
	pending = true;
}

/* One attach hv must refuse with `want`; a line only when it does not. */
static void expect_refusal(uint32_t id, uint32_t media, uint16_t want, const char *what)
{
	uint16_t st = hv_status(hv_media_attach(id, media));

	if (st != want)
		kprintf("root: media: FAIL %s: status 0x%x, expected 0x%x\n", what, st, want);
}

/* Before the real attach: what hv must refuse (the ABI of docs/hypercalls.md). */
static void check_refusals(uint32_t guest_id)
{
	struct hv_self_info self;

	expect_refusal(HV_MAX_PARTITIONS, HV_MEDIA_ADDITIONS, HV_STATUS_INVALID_PARTITION_ID,
		       "attach to an unknown partition");
	expect_refusal(guest_id, HV_MEDIA_ADDITIONS + 1, HV_STATUS_INVALID_PARAMETER,
		       "attach of an unknown medium");
	if (hv_status(hv_self_info(&self)) == HV_STATUS_SUCCESS)
		expect_refusal(self.partition_id, HV_MEDIA_ADDITIONS, HV_STATUS_INVALID_PARAMETER,
			       "attach to the root itself");
}

static void attach_poll(uint64_t now_ms)
{
	int id;
	uint16_t st;

	if (!pending || now_ms < attach_ms)
		return;
	pending = false;
	id = events_find(guest, strlen(guest));
	if (id < 0) {
		kprintf("root: media: no partition %s\n", guest);
		return;
	}
	check_refusals((uint32_t)id);
	st = hv_status(hv_media_attach((uint32_t)id, HV_MEDIA_ADDITIONS));
	if (st == HV_STATUS_SUCCESS)
		kprintf("root: media: additions attached to %s\n", guest);
	else
		kprintf("root: media: attaching the additions to %s failed (status 0x%x)\n", guest,
			st);
}

static const struct root_knob attach_knob = {
	.name = "attach_additions",
	.configure = attach_configure,
	.poll = attach_poll,
};
ROOT_KNOB(attach_knob, 70);
