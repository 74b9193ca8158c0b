/*
 * The state-change event ring: one page of the root's RAM that hv fills
 * and then signals with the vector events_init was given (the root's
 * ROOT_EVENT_VECTOR).  The handler drains it (and so does every
 * events_poll, should a vector go missing), logs each event (and any
 * break in a partition's sequence of states) and keeps, per partition,
 * the last state and a count per cause, which is what the bus and the
 * cycles knob wait on.  The vector was never in the local APIC (hv
 * injects it), so there is no EOI.  Each change is also posted as
 * NOTIFY_STATE (notify.h), from events_poll rather than the handler, so
 * that listeners run in the root's main loop.  The lines of a guest that
 * keeps resetting itself are rate-limited per partition (event_line_ok),
 * like hv's own lines about it.
 */
#include "events.h"

#include <common/notify.h>

#include <hv/start_info.h>
#include <kernel/console.h>
#include <kernel/hvmgmt.h>
#include <kernel/hypercall.h>
#include <kernel/interrupts.h>
#include <kernel/time.h>
#include <lib/rate_limit.h>
#include <lib/string.h>

#define PAGE_SIZE 4096
#define CAUSES (HV_EVENT_STOPPED + 1)

static union {
	struct hv_event_ring ring;
	uint8_t bytes[PAGE_SIZE];
} ring_page __attribute__((aligned(PAGE_SIZE)));

static struct tracked {
	char name[HV_NAME_LEN];
	uint32_t state;
	uint32_t causes[CAUSES];
	bool chained; /* an event was seen: the next must start from its state */
	bool guest;   /* listed, not the root */
	bool guest_reset;             /* the latest start was the guest's own reset */
	struct rate_limit lines;      /* event_line_ok */
} parts[HV_MAX_PARTITIONS];

/* A guest resetting in a loop: 30 lines at once, then one every 500 ms. */
#define RESET_LINES_BURST 30u
#define RESET_LINES_MS 500u

static uint32_t dropped_seen;

/* Changes waiting for events_poll: filled by the handler, emptied in the main loop. */
static struct {
	uint32_t id, state, cause;
} pending[HV_EVENT_RING_SIZE];
static uint32_t pending_head, pending_tail, pending_lost;

/*
 * Whether e's line may be printed: always, unless t is running again
 * through its own reset (then rate-limited; a fault, a power-off and
 * whatever the root asked for always print).
 */
static bool event_line_ok(struct tracked *t, const struct hv_event *e)
{
	bool ok = true;

	if (e->cause == HV_EVENT_GUEST_RESET)
		t->guest_reset = true;
	else if (e->cause >= HV_EVENT_ROOT_START && e->cause <= HV_EVENT_ROOT_RESET)
		t->guest_reset = false;
	if (t->guest_reset && e->state != HV_PARTITION_OFF && e->state != HV_PARTITION_FAULTED)
		ok = rate_limit_admit(&t->lines, tsc_to_ms(tsc_read()), RESET_LINES_MS,
				      RESET_LINES_BURST);
	if (ok && t->lines.dropped != 0) {
		kprintf("root: %u event lines about %s dropped (it keeps resetting itself)\n",
			t->lines.dropped, t->name[0] ? t->name : "?");
		t->lines.dropped = 0;
	}
	return ok;
}

static void record(const struct hv_event *e)
{
	struct tracked *t;

	if (e->partition_id >= HV_MAX_PARTITIONS) {
		kprintf("root: event for unknown partition %u: %s -> %s (%s)\n", e->partition_id,
			hv_partition_state_name(e->previous_state), hv_partition_state_name(e->state),
			hv_event_cause_name(e->cause));
		return;
	}
	t = &parts[e->partition_id];
	if (event_line_ok(t, e))
		kprintf("root: event %s: %s -> %s (%s)\n", t->name[0] ? t->name : "?",
			hv_partition_state_name(e->previous_state),
			hv_partition_state_name(e->state), hv_event_cause_name(e->cause));
	/*
	 * The ring must replay each partition's changes in order.  The first
	 * event may predate the listing that seeded the state, later ones not.
	 */
	if (t->chained && e->previous_state != t->state)
		kprintf("root: FAIL event out of sequence: %s was %s, this event starts from %s\n",
			t->name[0] ? t->name : "?", hv_partition_state_name(t->state),
			hv_partition_state_name(e->previous_state));
	t->chained = true;
	t->state = e->state;
	if (e->cause < CAUSES)
		t->causes[e->cause]++;
	if (pending_tail - pending_head < HV_EVENT_RING_SIZE) {
		pending[pending_tail % HV_EVENT_RING_SIZE].id = e->partition_id;
		pending[pending_tail % HV_EVENT_RING_SIZE].state = e->state;
		pending[pending_tail % HV_EVENT_RING_SIZE].cause = e->cause;
		pending_tail++;
	} else {
		pending_lost++;
	}
}

static void drain(void)
{
	struct hv_event_ring *ring = &ring_page.ring;
	uint32_t w = ring->write_index, r = ring->read_index, dropped;

	/* x86 keeps loads in order; the compiler must not hoist event reads. */
	__asm__ volatile("" ::: "memory");
	if (w - r > HV_EVENT_RING_SIZE) {
		kprintf("root: event ring indexes inconsistent (write %u, read %u)\n", w, r);
		r = w - HV_EVENT_RING_SIZE;
	}
	for (; r != w; r++)
		record(&ring->events[r % HV_EVENT_RING_SIZE]);
	__asm__ volatile("" ::: "memory");
	ring->read_index = r;
	dropped = ring->dropped;
	if (dropped != dropped_seen) {
		kprintf("root: event ring dropped %u event(s)\n", dropped - dropped_seen);
		dropped_seen = dropped;
	}
}

static void on_event(struct trap_frame *frame)
{
	(void)frame;
	drain();
}

bool events_init(uint8_t vector)
{
	uint64_t gpa = hv_gpa(&ring_page), r;

	interrupt_set_handler(vector, on_event);
	r = hv_event_ring_set(gpa, vector);
	if (r == HV_CALL_NOT_READY || hv_status(r) != HV_STATUS_SUCCESS) {
		kprintf("root: event ring registration failed (status 0x%x)\n", hv_status(r));
		interrupt_set_handler(vector, NULL);
		return false;
	}
	kprintf("root: event ring at 0x%lx, vector 0x%x\n", gpa, vector);
	return true;
}

void events_track(const struct hv_partition_list *list)
{
	for (uint32_t i = 0; i < list->count && i < HV_MAX_PARTITIONS; i++) {
		const struct hv_partition_entry *e = &list->entries[i];

		if (e->id >= HV_MAX_PARTITIONS)
			continue;
		lib_strlcpy(parts[e->id].name, e->name, sizeof(parts[e->id].name));
		parts[e->id].state = e->state;
		parts[e->id].guest = !(e->flags & START_INFO_FLAG_ROOT);
	}
}

void events_poll(void)
{
	/*
	 * Runs with interrupts closed: the handler cannot add meanwhile.  The
	 * ring is read here too, so that the vector only shortens the wait:
	 * bus_poll waits for an empty ring, and must not wait for good on an
	 * interrupt that never comes.
	 */
	drain();
	while (pending_head != pending_tail) {
		uint32_t i = pending_head++ % HV_EVENT_RING_SIZE;

		notify_post(pending[i].id, NOTIFY_STATE, pending[i].state, pending[i].cause);
	}
	if (pending_lost != 0) {
		kprintf("root: %u state change(s) not notified (queue full)\n", pending_lost);
		pending_lost = 0;
	}
}

bool events_is_guest(uint32_t id)
{
	return id < HV_MAX_PARTITIONS && parts[id].guest;
}

uint32_t events_state(uint32_t id)
{
	return id < HV_MAX_PARTITIONS ? parts[id].state : HV_PARTITION_OFF;
}

uint32_t events_count(uint32_t id, uint32_t cause)
{
	return id < HV_MAX_PARTITIONS && cause < CAUSES ? parts[id].causes[cause] : 0;
}

uint32_t events_unread(void)
{
	return ring_page.ring.write_index - ring_page.ring.read_index;
}

int events_find(const char *name, size_t len)
{
	for (uint32_t i = 0; i < HV_MAX_PARTITIONS; i++) {
		if (parts[i].name[0] != '\0' && strnlen(parts[i].name, HV_NAME_LEN) == len &&
		    memcmp(parts[i].name, name, len) == 0)
			return (int)i;
	}
	return -1;
}

const char *events_name(uint32_t id)
{
	return id < HV_MAX_PARTITIONS && parts[id].name[0] ? parts[id].name : "?";
}
