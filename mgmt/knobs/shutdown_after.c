/*
 * shutdown_after=<guest>:<s> and reboot_after=<guest>:<s> (up to 4 in
 * all, kept in command-line order): s seconds after the guest's bus came
 * up, once its Shutdown channel is ready, asks the guest through guestos
 * to shut down, or to restart (the reboot flag).  One request per ready
 * channel; a reboot is asked once per root run, not per guest run.
 *   root: bus <guest>: requesting shutdown|reboot
 * The guest's answer is logged by the bus ("shutdown answered").
 */
#include "knobs.h"

#include <bus/bus.h>
#include <bus/guestos.h>
#include <events/events.h>

#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <lib/string.h>

#define SHUTDOWN_KNOBS 4u

static struct {
	char name[HV_NAME_LEN];
	uint64_t seconds;
	enum guestos_op op;     /* GUESTOS_SHUTDOWN or GUESTOS_RESTART */
	bool fired;             /* a reboot is sent once per root run, not per guest run */
} shutdowns[SHUTDOWN_KNOBS];
static uint32_t nshutdowns;
/* Per guest: when the Shutdown channel that got a request became ready (one per channel). */
static uint64_t asked_channel[HV_MAX_PARTITIONS];

/* One shutdown_after= or reboot_after= word: <guest>:<seconds>. */
static void add_shutdown(const struct cmdline_word *w, enum guestos_op op)
{
	if (nshutdowns == SHUTDOWN_KNOBS ||
	    !knob_guest_seconds(w, shutdowns[nshutdowns].name, &shutdowns[nshutdowns].seconds)) {
		kprintf("root: bus: %.*s wants <guest>:<seconds>\n", (int)w->key_len, w->key);
		return;
	}
	shutdowns[nshutdowns++].op = op;
}

/* Both words, in the order they come: they share the four entries. */
static void shutdowns_configure(const struct knob_env *env)
{
	const char *cur = env->cmdline;
	struct cmdline_word w;

	while (cmdline_next(&cur, &w)) {
		if (cmdline_eq(w.key, w.key_len, "shutdown_after"))
			add_shutdown(&w, GUESTOS_SHUTDOWN);
		else if (cmdline_eq(w.key, w.key_len, "reboot_after"))
			add_shutdown(&w, GUESTOS_RESTART);
	}
}

static void shutdown_done(void *ctx, const struct guestos_result *r)
{
	if (r->hresult != S_OK)
		kprintf("root: bus %s: shutdown request ended with 0x%x\n",
			events_name((uint32_t)(uintptr_t)ctx), r->hresult);
}

/* The first entry due for guest id (its bus up since up_ms); SHUTDOWN_KNOBS if none. */
static uint32_t due_entry(uint32_t id, uint64_t up_ms, uint64_t now_ms)
{
	for (uint32_t i = 0; i < nshutdowns; i++)
		if (!shutdowns[i].fired && strcmp(shutdowns[i].name, events_name(id)) == 0 &&
		    now_ms - up_ms >= shutdowns[i].seconds * 1000)
			return i;
	return SHUTDOWN_KNOBS;
}

static void shutdown_guest_poll(uint32_t id, uint64_t now_ms)
{
	struct guestos_args a = { .text = "shutdown requested by the root" };
	uint64_t ready_ms, up_ms;
	uint32_t i, hr;

	if (!bus_ic_ready_since(id, BUS_SHUTDOWN, &ready_ms) || asked_channel[id] == ready_ms ||
	    !bus_guest_up_since(id, &up_ms))
		return;
	i = due_entry(id, up_ms, now_ms);
	if (i == SHUTDOWN_KNOBS)
		return;
	asked_channel[id] = ready_ms;
	shutdowns[i].fired = shutdowns[i].op == GUESTOS_RESTART;
	a.op = shutdowns[i].op;
	kprintf("root: bus %s: requesting %s\n", events_name(id),
		a.op == GUESTOS_RESTART ? "reboot" : "shutdown");
	hr = guestos_request(id, &a, shutdown_done, (void *)(uintptr_t)id);
	if (hr != S_OK)
		kprintf("root: bus %s: shutdown not sent: 0x%x\n", events_name(id), hr);
}

static void shutdowns_poll(uint64_t now_ms)
{
	for (uint32_t id = 0; id < HV_MAX_PARTITIONS && nshutdowns != 0; id++)
		shutdown_guest_poll(id, now_ms);
}

static const struct root_knob shutdown_after_knob = {
	.name = "shutdown_after",
	.configure = shutdowns_configure,
	.poll = shutdowns_poll,
};
ROOT_KNOB(shutdown_after_knob, 40);

/* Read and run by shutdown_after's hooks above. */
static const struct root_knob reboot_after_knob = { .name = "reboot_after" };
ROOT_KNOB(reboot_after_knob, 41);
