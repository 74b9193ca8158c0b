/*
 * The partition state machine (hv/part/partition_state.c) on the fake
 * machine (hv_fake.h): every state times every request, with the status
 * the root gets, the state after, the event the root's ring receives (or
 * none) and whether the partition's CPUs were kicked.
 *
 * Requests: the root's start, stop and reset hypercalls; the run loop's
 * "vCPU 0 is about to run the guest" (Started) and "the vCPUs parked
 * after a stop" (settle); the guest's own power-off (ACPI S5) and reset
 * (0xCF9, 0x64); a fault.
 *
 * Where the truth comes from: docs/hypercalls.md "Partition management"
 * (which states each root request accepts, INVALID_PARTITION_STATE for
 * the others, the event causes; a stop is a forced turn-off) and
 * docs/architecture.md "Partitions" (S5 turns a running partition off, a
 * reset makes it Starting again, a fault parks it; a root's stop or
 * reset is not undone by what the guest does meanwhile).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hv_fake.h"

#include <part/root_events.h>

#include <hv/hypercall.h>

enum request { START, STOP, RESET, STARTED, SETTLE, POWER_OFF, GUEST_RESET, FAULT };

#define OFF PARTITION_OFF
#define STARTING PARTITION_STARTING
#define RUNNING PARTITION_RUNNING
#define STOPPING PARTITION_STOPPING
#define FAULTED PARTITION_FAULTED
#define OK HV_STATUS_SUCCESS
#define BAD_STATE HV_STATUS_INVALID_PARTITION_STATE
#define NO_STATUS 0xffffu   /* not a root request */
#define NO_EVENT 0xffffffffu

struct state_row {
	uint32_t from;
	enum request request;
	uint16_t status;     /* the root's answer */
	uint32_t to;
	uint32_t cause;      /* the event the root receives, HV_EVENT_* */
	const char *why;
};

static const struct state_row rows[] = {
	/* Off */
	{ OFF, START, OK, STARTING, HV_EVENT_ROOT_START, "start: Off -> Starting" },
	{ OFF, STOP, BAD_STATE, OFF, NO_EVENT, "stop of one that is off" },
	{ OFF, RESET, OK, STARTING, HV_EVENT_ROOT_RESET, "reset: a cold start" },
	{ OFF, STARTED, NO_STATUS, OFF, NO_EVENT, "nothing runs an Off partition" },
	{ OFF, SETTLE, NO_STATUS, OFF, NO_EVENT, "nothing to settle" },
	{ OFF, POWER_OFF, NO_STATUS, OFF, NO_EVENT, "already off" },
	{ OFF, GUEST_RESET, NO_STATUS, OFF, NO_EVENT, "an Off guest cannot restart itself" },
	{ OFF, FAULT, NO_STATUS, FAULTED, HV_EVENT_FAULTED, "a fault is always reported" },
	/* Starting */
	{ STARTING, START, BAD_STATE, STARTING, NO_EVENT, "start while starting" },
	{ STARTING, STOP, OK, STOPPING, HV_EVENT_ROOT_STOP, "stop: Starting -> Stopping" },
	{ STARTING, RESET, BAD_STATE, STARTING, NO_EVENT, "reset while starting" },
	{ STARTING, STARTED, NO_STATUS, RUNNING, HV_EVENT_STARTED, "vCPU 0 runs the guest" },
	{ STARTING, SETTLE, NO_STATUS, STARTING, NO_EVENT, "not stopping" },
	{ STARTING, POWER_OFF, NO_STATUS, STARTING, NO_EVENT, "the root's reset wins over S5" },
	{ STARTING, GUEST_RESET, NO_STATUS, STARTING, NO_EVENT, "already restarting" },
	{ STARTING, FAULT, NO_STATUS, FAULTED, HV_EVENT_FAULTED, "cannot start" },
	/* Running */
	{ RUNNING, START, BAD_STATE, RUNNING, NO_EVENT, "start of a running partition" },
	{ RUNNING, STOP, OK, STOPPING, HV_EVENT_ROOT_STOP, "stop: Running -> Stopping" },
	{ RUNNING, RESET, OK, STARTING, HV_EVENT_ROOT_RESET, "reset: Running -> Starting" },
	{ RUNNING, STARTED, NO_STATUS, RUNNING, NO_EVENT, "already running" },
	{ RUNNING, SETTLE, NO_STATUS, RUNNING, NO_EVENT, "not stopping" },
	{ RUNNING, POWER_OFF, NO_STATUS, OFF, HV_EVENT_GUEST_POWEROFF, "S5: Running -> Off" },
	{ RUNNING, GUEST_RESET, NO_STATUS, STARTING, HV_EVENT_GUEST_RESET, "reset: Running -> Starting" },
	{ RUNNING, FAULT, NO_STATUS, FAULTED, HV_EVENT_FAULTED, "fault: Running -> Faulted" },
	/* Stopping */
	{ STOPPING, START, BAD_STATE, STOPPING, NO_EVENT, "start while stopping" },
	{ STOPPING, STOP, BAD_STATE, STOPPING, NO_EVENT, "stop while stopping" },
	{ STOPPING, RESET, BAD_STATE, STOPPING, NO_EVENT, "reset while stopping" },
	{ STOPPING, STARTED, NO_STATUS, STOPPING, NO_EVENT, "a stop during start-up is not lost" },
	{ STOPPING, SETTLE, NO_STATUS, OFF, HV_EVENT_STOPPED, "parked: Stopping -> Off" },
	{ STOPPING, POWER_OFF, NO_STATUS, STOPPING, NO_EVENT, "the root's stop goes on" },
	{ STOPPING, GUEST_RESET, NO_STATUS, STOPPING, NO_EVENT, "a guest reset cannot undo a stop" },
	{ STOPPING, FAULT, NO_STATUS, FAULTED, HV_EVENT_FAULTED, "a fault is always reported" },
	/* Faulted */
	{ FAULTED, START, OK, STARTING, HV_EVENT_ROOT_START, "start: Faulted -> Starting" },
	{ FAULTED, STOP, OK, OFF, HV_EVENT_ROOT_STOP, "stop: Faulted -> Off (already parked)" },
	{ FAULTED, RESET, OK, STARTING, HV_EVENT_ROOT_RESET, "reset: Faulted -> Starting" },
	{ FAULTED, STARTED, NO_STATUS, FAULTED, NO_EVENT, "nothing runs a Faulted partition" },
	{ FAULTED, SETTLE, NO_STATUS, FAULTED, NO_EVENT, "not stopping" },
	{ FAULTED, POWER_OFF, NO_STATUS, FAULTED, NO_EVENT, "the fault stays" },
	{ FAULTED, GUEST_RESET, NO_STATUS, FAULTED, NO_EVENT, "the fault stays" },
	{ FAULTED, FAULT, NO_STATUS, FAULTED, NO_EVENT, "still faulted: no second event" },
};

static const char *const request_names[] = { "start", "stop", "reset", "started", "settle",
					     "power-off", "guest reset", "fault" };

#define RING 0x10000ull

static struct partition *root, *g;
static struct hv_event_ring *ring;
static uint32_t starts_before;
static bool count_wrong; /* Started's answer and the starts count disagree */

static void machine(uint32_t state)
{
	fake_machine_reset(&fake_vtx_ops, &fake_cpu_intel);
	root = fake_partition_add("root", HVCFG_ROLE_ROOT, PLATFORM_HV_KERNEL, 2ull << 20, 1);
	g = fake_partition_add("g", HVCFG_ROLE_GUEST, PLATFORM_PC, 2ull << 20, 2);
	g->state = state;
	assert_int_equal(events_set_ring(root, RING, 0x40), HV_STATUS_SUCCESS);
	ring = fake_ram(root, RING);
	for (uint32_t i = 0; i < BOOT_MAX_CPUS; i++)
		fake_kicks[i] = 0;
}

static uint16_t act(enum request r)
{
	switch (r) {
	case START: return partition_root_start(g);
	case STOP: return partition_root_stop(g);
	case RESET: return partition_root_reset(g);
	case STARTED:
		starts_before = g->starts;
		count_wrong = partition_started(g) != (g->starts == starts_before + 1);
		break;
	case SETTLE: partition_settle_stop(g); break;
	case POWER_OFF: partition_power_off(g, "ACPI S5"); break;
	case GUEST_RESET: partition_request_reset(g, "port 0xcf9"); break;
	case FAULT: partition_fault(g, "triple fault"); break;
	}
	return NO_STATUS;
}

static bool row_holds(const struct state_row *r)
{
	uint16_t status;
	bool event_ok, ok;
	uint32_t kicked;

	machine(r->from);
	count_wrong = false;
	status = act(r->request);
	event_ok = r->cause == NO_EVENT ? ring->write_index == 0
		   : ring->write_index == 1 && ring->events[0].partition_id == g->id &&
		     ring->events[0].previous_state == r->from && ring->events[0].state == r->to &&
		     ring->events[0].cause == r->cause;
	ok = status == r->status && g->state == r->to && event_ok && !count_wrong;
	if (!ok)
		print_error("%s in %s (%s): status 0x%x state %s events %u (cause %u), expected "
			    "0x%x %s cause %d\n", request_names[r->request],
			    partition_state_name(r->from), r->why, status,
			    partition_state_name(g->state), ring->write_index,
			    ring->write_index ? ring->events[0].cause : 0, r->status,
			    partition_state_name(r->to), (int)r->cause);
	/* a root request that changed the state kicks both of g's CPUs */
	kicked = fake_kicks[partition_vcpu(g, 0)->cpu] + fake_kicks[partition_vcpu(g, 1)->cpu];
	if (status == OK && kicked < 2) {
		print_error("%s in %s: the partition's CPUs were not kicked\n",
			    request_names[r->request], partition_state_name(r->from));
		ok = false;
	}
	return ok;
}

static void test_every_state_and_request(void **state)
{
	(void)state;
	assert_int_equal(FAKE_FAILING_ROWS(rows, row_holds), 0);
}

/* Each of the 5 x 8 pairs has its row: the table is the whole machine. */
static void test_table_is_complete(void **state)
{
	uint32_t seen[5] = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		seen[rows[i].from] |= 1u << rows[i].request;
	for (uint32_t s = 0; s < 5; s++)
		assert_int_equal(seen[s], 0xff);
}

/* A fault keeps its reason for the root (HVCALL_PARTITION_STATUS) and the log. */
static void test_fault_reason(void **state)
{
	(void)state;
	machine(RUNNING);
	partition_fault(g, "stage-2 violation at GPA 0x%llx", 0x1234ull);
	assert_string_equal(g->fault_reason, "stage-2 violation at GPA 0x1234");
	assert_int_equal(fake_log_count("partition g faulted: stage-2 violation at GPA 0x1234"), 1);
	assert_int_equal(fake_log_count("partition g: Running -> Faulted"), 1);
}

/*
 * A full cycle as the root drives it, with the run loop's steps between:
 * every event in order, nothing dropped, the ring's indices as the root
 * left them (docs/hypercalls.md "The event ring").
 */
static void test_cycle_events_in_order(void **state)
{
	static const uint32_t causes[] = { HV_EVENT_ROOT_STOP, HV_EVENT_STOPPED, HV_EVENT_ROOT_START,
					   HV_EVENT_STARTED, HV_EVENT_GUEST_RESET, HV_EVENT_STARTED,
					   HV_EVENT_GUEST_POWEROFF };

	(void)state;
	machine(RUNNING);
	assert_int_equal(partition_root_stop(g), OK);
	partition_settle_stop(g);
	assert_int_equal(partition_root_start(g), OK);
	assert_true(partition_started(g));
	partition_request_reset(g, "port 0xcf9");
	assert_true(partition_started(g));
	partition_power_off(g, "ACPI S5");
	assert_int_equal(ring->write_index, 7);
	assert_int_equal(g->starts, 2); /* counted by each start that ran */
	for (uint32_t i = 0; i < 7; i++)
		assert_int_equal(ring->events[i].cause, causes[i]);
	assert_int_equal(g->state, OFF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_state_and_request),
		cmocka_unit_test(test_table_is_complete),
		cmocka_unit_test(test_fault_reason),
		cmocka_unit_test(test_cycle_events_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
