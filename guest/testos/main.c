/*
 * testos: the test guest kernel.  Command-line knobs (start_info.cmdline):
 *   bench                run the exit-cost benchmark
 *   selftest             the self-test suite, ending with the stage-2
 *                        isolation check (which must fault the partition);
 *   selftest=noisolation the suite without that last check
 *   canary               keep a 1 MiB pattern in RAM, verified each second
 *   delay=<ms>           wait before the hostile and crash knobs (lets the
 *                        root arm its canary first)
 *   hostile=<kind>[:arg] reach for others' memory, devices, CPUs (may repeat;
 *                        see hostile.c)
 *   crash=<kind>         triple | unmapped | vmx | msr | stringio | exception
 *   reset                reset the partition through port 0xCF9 at once:
 *                        every start resets again (a reset loop)
 *   additions            run the guest additions (bus client, integration
 *                        services; see additions_os.c for locked,
 *                        ignore_shutdown, hang_after=<s>, bus_corrupt_ring,
 *                        bus_malformed, bus_silent, bus_flood, bus_oversized,
 *                        bus_short, bus_foreign_flags); does not return
 *                        unless the bus cannot start
 *   poweroff             power off (ACPI S5) after the knobs above
 * They run in that order: bench, selftest, canary, delay, hostile,
 * crash, reset, additions, poweroff.  Without poweroff (or if a knob returns), it idles printing
 * "testos: alive <n>" every 2 s (and the canary's line every second).
 * Without the additions knob it also polls its media drive each second:
 * when the root attaches the additions media (HVCALL_MEDIA_ATTACH), it
 * logs "testos: additions installed from media" and runs them as that
 * knob would.
 */
#include "testos.h"

#include <kernel/canary.h>
#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/hvmgmt.h>
#include <kernel/hypercall.h>
#include <kernel/power.h>
#include <kernel/start.h>
#include <kernel/time.h>

#include <arch/x86.h>

static const char *const knobs[] = { "selftest", "bench", "canary", "delay",
				     "hostile", "crash", "poweroff", "additions", "locked",
				     "ignore_shutdown", "hang_after", "clock_offset",
				     "bus_corrupt_ring", "bus_malformed", "bus_silent",
				     "bus_flood", "bus_oversized", "bus_short",
				     "bus_foreign_flags", "reset" };

/* True once the additions media is in the drive; false for good if hypercalls fail. */
static bool additions_on_media(void)
{
	static bool no_drive;
	uint32_t media = HV_MEDIA_NONE;

	if (no_drive)
		return false;
	if (!hv_hypercall_ready() && !hv_hypercall_enable())
		no_drive = true;
	else if (hv_status(hv_media_query(&media)) != HV_STATUS_SUCCESS)
		no_drive = true;
	return media == HV_MEDIA_ADDITIONS;
}

static void warn_unknown_words(const char *cmdline)
{
	struct cmdline_word w;

	while (cmdline_next_unknown(&cmdline, knobs, sizeof(knobs) / sizeof(knobs[0]), &w))
		kprintf("testos: ignoring unknown option '%.*s'\n", (int)w.key_len, w.key);
}

void kernel_main(void *start_info)
{
	const struct start_info *si = kernel_init(start_info, "testos");
	const char *cmdline = si->cmdline;
	struct cmdline_word crash, delay;
	uint64_t ms;

	kprintf("testos: started (%s, %lu MiB)\n", si->name, si->memory_size >> 20);
	warn_unknown_words(cmdline);

	if (cmdline_has(cmdline, "bench"))
		bench_run();
	if (cmdline_has(cmdline, "selftest"))
		selftest_run(si, !cmdline_is(cmdline, "selftest", "noisolation"));
	if (cmdline_has(cmdline, "canary"))
		canary_init(si);
	if (cmdline_find(cmdline, "delay", &delay)) {
		if (delay.value != NULL && cmdline_parse_u64(delay.value, delay.value_len, 0, &ms))
			delay_ms(ms);
		else
			kputs("testos: delay needs a number of milliseconds\n");
	}
	hostile_run(cmdline);
	if (cmdline_find(cmdline, "crash", &crash))
		crash_run(si, crash.value ? crash.value : "", crash.value_len);
	if (cmdline_has(cmdline, "reset")) {
		kputs("testos: resetting\n");
		power_reset();
		kputs("testos: FAIL reset through port 0xCF9 returned\n");
	}
	if (cmdline_has(cmdline, "additions"))
		additions_run(si, cmdline);
	if (cmdline_has(cmdline, "poweroff")) {
		kputs("testos: powering off\n");
		power_off();
		kputs("testos: FAIL power-off through port 0x604 returned\n");
	}
	for (unsigned long s = 1;; s++) {
		delay_ms(1000);
		if (canary_armed())
			canary_check();
		if (!cmdline_has(cmdline, "additions") && additions_on_media()) {
			kputs("testos: additions installed from media\n");
			additions_run(si, cmdline);
		}
		if (s % 2 == 0)
			kprintf("testos: alive %lu\n", s / 2);
	}
}
