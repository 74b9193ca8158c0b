/*
 * heartbeat_ms=<ms>: the period of the VMBus server's heartbeats
 * (default 1000, 10-60000), set before the bus starts.
 */
#include "knobs.h"

#include <bus/bus.h>

#include <kernel/cmdline.h>
#include <kernel/console.h>

static void heartbeat_ms_configure(const struct knob_env *env)
{
	struct cmdline_word w;
	uint64_t v;

	if (!cmdline_find(env->cmdline, "heartbeat_ms", &w))
		return;
	if (!w.value || !cmdline_parse_u64(w.value, w.value_len, 10, &v) ||
	    !bus_ic_set_heartbeat_ms(v))
		kprintf("root: bus: heartbeat_ms wants %u..%u, keeping %u\n", BUS_HEARTBEAT_MS_MIN,
			BUS_HEARTBEAT_MS_MAX, BUS_HEARTBEAT_MS_DEFAULT);
}

static const struct root_knob heartbeat_ms_knob = {
	.name = "heartbeat_ms",
	.configure = heartbeat_ms_configure,
};
ROOT_KNOB(heartbeat_ms_knob, 30);
