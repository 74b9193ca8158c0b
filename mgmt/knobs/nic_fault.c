/*
 * nic_fault: two seconds after the root's address is bound, makes its NIC
 * driver forge one broken receive hand-back (a length or descriptor id no
 * correct device writes; mgmt/net/nic.h, inject_fault), once.  The driver
 * must catch it, reset the device with a console line and carry on: the
 * system tests then reach the API through the reset card.
 *   root: net: injecting a broken receive hand-back
 *   root: net: DRIVER reset: why
 */
#include "knobs.h"

#include <net/net.h>

#include <kernel/cmdline.h>
#include <kernel/console.h>

#define FAULT_DELAY_MS 2000u

static bool wanted, fired;
static uint64_t up_since;

static void nic_fault_configure(const struct knob_env *env)
{
	const char *cur = env->cmdline;
	struct cmdline_word w;

	while (cmdline_next(&cur, &w)) {
		if (cmdline_eq(w.key, w.key_len, "nic_fault"))
			wanted = true;
	}
}

static void nic_fault_poll(uint64_t now_ms)
{
	if (!wanted || fired || !net_up())
		return;
	if (up_since == 0)
		up_since = now_ms;
	if (now_ms - up_since < FAULT_DELAY_MS)
		return;
	fired = true;
	kputs("root: net: injecting a broken receive hand-back\n");
	net_inject_fault();
}

static const struct root_knob nic_fault_knob = {
	.name = "nic_fault",
	.configure = nic_fault_configure,
	.poll = nic_fault_poll,
};
ROOT_KNOB(nic_fault_knob, 45);
