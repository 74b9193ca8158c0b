/*
 * cycles=<N>:<name>: N life cycles of one partition, each STOP (wait for
 * Off), START (wait for Running), RESET (wait for Running again), all
 * awaited through the event ring with a TSC timeout.  After each cycle
 * hv's page pool and free RAM must equal what they were before the
 * first: a restart that leaks shows up at once.  The first cycle also
 * checks the calls' refusals.  Stops at the first failed cycle.  It runs
 * last before the main loop (its start hook), keeping the root polled
 * while it waits.
 */
#include "knobs.h"

#include <events/events.h>
#include <root.h>

#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/hvmgmt.h>
#include <kernel/hypercall.h>
#include <kernel/time.h>

#define CYCLE_TIMEOUT_S 30
#define ANY_CAUSE (~0u)
#define NO_SUCH_PARTITION 99u

struct cycle {
	uint32_t id;
	unsigned int index; /* 1-based; 0 before the first cycle */
	struct hv_info base;
	uint32_t starts;    /* STATUS starts counter at the last check */
};

static uint16_t status_of(uint64_t result)
{
	return result == HV_CALL_NOT_READY ? 0xffff : hv_status(result);
}

static const char *status_state(uint32_t id)
{
	static struct hv_partition_status st;

	if (status_of(hv_partition_status(id, &st)) != HV_STATUS_SUCCESS)
		return "unavailable";
	return hv_partition_state_name(st.entry.state);
}

/* Waits for an event of `cause` after `before` events of it, ending in `state`. */
static bool wait_for(const struct cycle *c, uint32_t cause, uint32_t before, uint32_t state)
{
	uint64_t start = tsc_read(), limit = tsc_hz() * CYCLE_TIMEOUT_S;

	while ((cause != ANY_CAUSE && events_count(c->id, cause) == before) ||
	       events_state(c->id) != state) {
		if (tsc_read() - start > limit) {
			kprintf("root: cycle %u FAIL timeout (%u s) waiting for %s %s after %s: "
				"events say %s, status says %s, %u event(s) unread\n",
				c->index, CYCLE_TIMEOUT_S, events_name(c->id),
				hv_partition_state_name(state),
				cause == ANY_CAUSE ? "start-up" : hv_event_cause_name(cause),
				hv_partition_state_name(events_state(c->id)), status_state(c->id),
				events_unread());
			return false;
		}
		root_poll();
	}
	return true;
}

static bool step(const struct cycle *c, const char *what, uint64_t (*call)(uint32_t),
		 uint32_t cause, uint32_t state)
{
	uint32_t before = events_count(c->id, cause);
	uint16_t s = status_of(call(c->id));

	if (s != HV_STATUS_SUCCESS) {
		kprintf("root: cycle %u FAIL %s of %s: status 0x%x\n", c->index, what,
			events_name(c->id), s);
		return false;
	}
	return wait_for(c, cause, before, state);
}

static bool refused(const char *what, uint64_t result, uint16_t want)
{
	if (status_of(result) == want)
		return true;
	kprintf("root: cycles: FAIL %s gave status 0x%x, expected 0x%x\n", what, status_of(result),
		want);
	return false;
}

/* The refusals the ABI promises; `off`: the target is Off right now. */
static bool check_refusals(const struct cycle *c, uint32_t self, bool off)
{
	bool ok;

	if (off)
		return refused("stop of an Off partition", hv_partition_stop(c->id),
			       HV_STATUS_INVALID_PARTITION_STATE);
	ok = refused("start of a Running partition", hv_partition_start(c->id),
		     HV_STATUS_INVALID_PARTITION_STATE);
	ok &= refused("stop of the root itself", hv_partition_stop(self),
		      HV_STATUS_INVALID_PARAMETER);
	ok &= refused("reset of an unknown id", hv_partition_reset(NO_SUCH_PARTITION),
		      HV_STATUS_INVALID_PARTITION_ID);
	return ok;
}

/* STATUS agrees with the events: Running, entered Running twice more. */
static bool check_status(struct cycle *c)
{
	static struct hv_partition_status st;
	uint16_t s = status_of(hv_partition_status(c->id, &st));

	if (s != HV_STATUS_SUCCESS || st.entry.state != HV_PARTITION_RUNNING ||
	    st.starts != c->starts + 2) {
		kprintf("root: cycle %u FAIL status 0x%x: state %s, starts %u (expected Running, %u)\n",
			c->index, s, hv_partition_state_name(st.entry.state), st.starts,
			c->starts + 2);
		return false;
	}
	c->starts = st.starts;
	return true;
}

static bool check_resources(const struct cycle *c)
{
	struct hv_info now;
	uint16_t s = status_of(hv_info(&now));

	if (s != HV_STATUS_SUCCESS) {
		kprintf("root: cycle %u FAIL hv info: status 0x%x\n", c->index, s);
		return false;
	}
	if (now.pool_free_pages != c->base.pool_free_pages ||
	    now.ram_free_bytes != c->base.ram_free_bytes) {
		kprintf("root: cycle %u FAIL leak: pool %lu pages (was %lu), free RAM %lu KiB (was %lu)\n",
			c->index, now.pool_free_pages, c->base.pool_free_pages,
			now.ram_free_bytes >> 10, c->base.ram_free_bytes >> 10);
		return false;
	}
	kprintf("root: cycle %u ok, pool %lu pages, free RAM %lu MiB\n", c->index,
		now.pool_free_pages, now.ram_free_bytes >> 20);
	return true;
}

static bool run_cycle(struct cycle *c, uint32_t self)
{
	if (!step(c, "stop", hv_partition_stop, HV_EVENT_ROOT_STOP, HV_PARTITION_OFF))
		return false;
	if (c->index == 1 && !check_refusals(c, self, true))
		return false;
	if (!step(c, "start", hv_partition_start, HV_EVENT_ROOT_START, HV_PARTITION_RUNNING) ||
	    !step(c, "reset", hv_partition_reset, HV_EVENT_ROOT_RESET, HV_PARTITION_RUNNING))
		return false;
	return check_status(c) && check_resources(c);
}

/* Target Running, refusals right, baseline taken; false if not. */
static bool prepare(struct cycle *c, uint32_t self)
{
	static struct hv_partition_status st;

	if (!wait_for(c, ANY_CAUSE, 0, HV_PARTITION_RUNNING) || !check_refusals(c, self, false))
		return false;
	if (status_of(hv_info(&c->base)) != HV_STATUS_SUCCESS ||
	    status_of(hv_partition_status(c->id, &st)) != HV_STATUS_SUCCESS) {
		kputs("root: cycles: FAIL hv info or partition status unavailable\n");
		return false;
	}
	c->starts = st.starts;
	kprintf("root: cycles: %s (id %u), baseline pool %lu pages, free RAM %lu MiB\n",
		events_name(c->id), c->id, c->base.pool_free_pages, c->base.ram_free_bytes >> 20);
	return true;
}

/* "<N>:<name>" into a count and a partition id other than the root's. */
static bool parse(const struct start_info *si, const char *arg, size_t len, uint64_t *n,
		  uint32_t *id)
{
	const char *name;
	size_t name_len, count_len = cmdline_split(arg, len, ':', &name, &name_len);
	int found;

	if (name == NULL || !cmdline_parse_u64(arg, count_len, 10, n) || *n == 0) {
		kprintf("root: cycles: FAIL bad argument '%.*s' (cycles=<N>:<name>)\n", (int)len,
			arg);
		return false;
	}
	found = events_find(name, name_len);
	if (found < 0 || (uint32_t)found == si->partition_id) {
		kprintf("root: cycles: FAIL '%.*s' is %s\n", (int)name_len, name,
			found < 0 ? "no partition" : "the root itself");
		return false;
	}
	*id = (uint32_t)found;
	return true;
}

static void cycles_run(const struct start_info *si, const char *arg, size_t len)
{
	struct cycle c = { 0 };
	uint64_t n, passed = 0;

	if (!parse(si, arg, len, &n, &c.id))
		return;
	if (prepare(&c, si->partition_id)) {
		for (c.index = 1; c.index <= n && run_cycle(&c, si->partition_id); c.index++)
			passed++;
	}
	kprintf("root: cycles: %lu passed, %lu failed%s\n", passed, n - passed,
		passed == n ? "" : " (stopped at the first failure)");
}

static void cycles_start(const struct knob_env *env)
{
	struct cmdline_word w;

	if (!cmdline_find(env->cmdline, "cycles", &w))
		return;
	if (env->managed)
		cycles_run(env->si, w.value ? w.value : "", w.value_len);
	else
		kputs("root: cycles: FAIL partition management is unavailable\n");
}

static const struct root_knob cycles_knob = { .name = "cycles", .start = cycles_start };
/* Last to start: it returns only when every cycle ran. */
ROOT_KNOB(cycles_knob, 90);
