/*
 * canary: fills the last MiB of the root's RAM with an address-dependent
 * pattern (kernel/canary.c) once everything is up, and checks it every
 * second after the alive line, so that a write into the root's RAM from
 * elsewhere shows up as "root: canary CORRUPTED ...".
 */
#include "knobs.h"

#include <kernel/canary.h>
#include <kernel/cmdline.h>

static void canary_start(const struct knob_env *env)
{
	if (cmdline_has(env->cmdline, "canary"))
		canary_init(env->si);
}

static void canary_second(void)
{
	if (canary_armed())
		canary_check();
}

static const struct root_knob canary_knob = {
	.name = "canary",
	.start = canary_start,
	.second = canary_second,
};
/* First to start: armed before the checks below poll the root. */
ROOT_KNOB(canary_knob, 10);
