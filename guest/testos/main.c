/*
 * testos: the test guest kernel.  Command-line knobs (start_info.cmdline):
 *   bench                run the exit-cost benchmark
 *   selftest             the self-test suite, ending with the stage-2
 *                        isolation check (which must fault the partition);
 *   selftest=noisolation the suite without that last check
 *   crash=<kind>         triple | unmapped | vmx | msr | stringio | exception
 *   poweroff             power off (ACPI S5) after the knobs above
 * They run in that order: bench, selftest, crash, poweroff.  Without
 * poweroff (or if a knob returns), it idles printing "testos: alive <n>"
 * every 2 s.
 */
#include "testos.h"

#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/power.h>
#include <kernel/start.h>
#include <kernel/time.h>

#include <arch/x86.h>

static const char *const knobs[] = { "selftest", "bench", "crash", "poweroff" };

static void warn_unknown_words(const char *cmdline)
{
	struct cmdline_word w;
	bool known;

	while (cmdline_next(&cmdline, &w)) {
		known = false;
		for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
			known = known || cmdline_eq(w.key, w.key_len, knobs[i]);
		if (!known)
			kprintf("testos: ignoring unknown option '%.*s'\n", (int)w.key_len, w.key);
	}
}

void kernel_main(void *start_info)
{
	const struct start_info *si = kernel_init(start_info, "testos");
	const char *cmdline = si->cmdline;
	struct cmdline_word crash;

	kprintf("testos: started (%s, %lu MiB)\n", si->name, si->memory_size >> 20);
	warn_unknown_words(cmdline);

	if (cmdline_has(cmdline, "bench"))
		bench_run();
	if (cmdline_has(cmdline, "selftest"))
		selftest_run(si, !cmdline_is(cmdline, "selftest", "noisolation"));
	if (cmdline_find(cmdline, "crash", &crash))
		crash_run(si, crash.value ? crash.value : "", crash.value_len);
	if (cmdline_has(cmdline, "poweroff")) {
		kputs("testos: powering off\n");
		power_off();
		kputs("testos: FAIL power-off through port 0x604 returned\n");
	}
	for (unsigned long n = 1;; n++) {
		delay_ms(2000);
		kprintf("testos: alive %lu\n", n);
	}
}
