/*
 * Unit tests of an idle CPU's wait (hv/part/partition_wait.c) against a
 * fake CPU.  The fake plays the root too: at a chosen primitive call it
 * makes its life-cycle request (changes the state, then kicks), the way
 * partition_state.c does on another CPU.  Every interleaving point is
 * tried; the wait must end in the right step and never sleep while work
 * is due.  The fake sleeps as cpu_kick_wait does (a kick counted after
 * the last acknowledgement ends it); with the sleep modelled as the old
 * plain HLT, whose NMI was lost when it landed before the HLT, the same
 * search finds the lost wake-up of qemu-lifecycle-cycles.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <part/partition.h>
#include <part/partition_wait.h>
#include <part/vcpu.h>

/*
 * The other CPU's request: from `from` to `to`, made once the state is
 * `from`; a start-up IPI (ap_to = AP_STARTING) sets ap_state instead.
 */
struct root_request {
	uint32_t from, to, ap_to;
};

struct fake_cpu {
	uint32_t state, ap_state;
	uint32_t requested, acked;   /* the kick counters of hv/core/kick.c */
	unsigned calls, act_at;      /* primitive calls so far; the root acts from act_at on */
	bool acted, plain_hlt;
	struct root_request request;
	jmp_buf asleep;              /* left when the CPU sleeps with no kick to wake it */
};

/* The root acts if its time has come and it sees the state it waits for. */
static void root_maybe_acts(struct fake_cpu *c)
{
	if (c->acted || c->calls < c->act_at || c->state != c->request.from)
		return;
	c->state = c->request.to; /* the kicker changes the state first ... */
	if (c->request.ap_to != 0)
		c->ap_state = c->request.ap_to;
	c->requested++;           /* ... then kicks */
	c->acted = true;
}

static void tick(struct fake_cpu *c)
{
	c->calls++;
	root_maybe_acts(c);
}

static void fake_kick_ack(void *cpu)
{
	struct fake_cpu *c = cpu;

	tick(c);
	c->acked = c->requested;
}

static uint32_t fake_state(void *cpu)
{
	struct fake_cpu *c = cpu;

	tick(c);
	return c->state;
}

static uint32_t fake_ap_state(void *cpu)
{
	struct fake_cpu *c = cpu;

	tick(c);
	return c->ap_state;
}

static void fake_settle_stop(void *cpu)
{
	struct fake_cpu *c = cpu;

	tick(c);
	if (c->state == PARTITION_STOPPING)
		c->state = PARTITION_OFF;
}

/*
 * cpu_kick_wait: returns at once for a kick not yet acknowledged; else the
 * CPU sleeps, and only a kick made while it sleeps wakes it.  The old
 * plain HLT lost a kick made between the last look and the HLT.
 */
static void fake_sleep(void *cpu)
{
	struct fake_cpu *c = cpu;
	uint32_t before = c->requested;

	tick(c); /* the root may act between the last look and the HLT */
	if (!c->plain_hlt && c->requested != c->acked)
		return;
	if (c->plain_hlt && c->requested != before)
		c->acked = c->requested; /* its NMI came before the HLT: gone */
	c->calls = c->act_at;      /* time passes while it sleeps */
	root_maybe_acts(c);
	if (c->requested != c->acked)
		return; /* the kick's NMI wakes the HLT */
	longjmp(c->asleep, 1);
}

static const struct partition_wait_ops fake_ops = {
	.kick_ack = fake_kick_ack,
	.state = fake_state,
	.ap_state = fake_ap_state,
	.settle_stop = fake_settle_stop,
	.sleep = fake_sleep,
};

/* Runs the wait of vCPU 0 with the root acting at act_at; -1 when it slept for good. */
static int run_boot_vcpu(uint32_t state, struct root_request request, unsigned act_at,
			 bool plain_hlt, struct fake_cpu *c)
{
	*c = (struct fake_cpu){ .state = state, .ap_state = AP_WAIT_INIT, .act_at = act_at,
				.plain_hlt = plain_hlt, .request = request };
	if (setjmp(c->asleep) != 0)
		return -1;
	return (int)partition_wait(&fake_ops, c, true, false);
}

#define MAX_ACT_AT 12u

/* The cycle that failed: the vCPU parks after a stop, the root starts it once it sees Off. */
static void test_start_after_stop_never_lost(void **state)
{
	struct root_request start = { PARTITION_OFF, PARTITION_STARTING, 0 };
	struct fake_cpu c;

	(void)state;
	for (unsigned at = 0; at <= MAX_ACT_AT; at++) {
		int next = run_boot_vcpu(PARTITION_STOPPING, start, at, false, &c);

		assert_true(c.acted);
		assert_int_equal(next, PARTITION_WAIT_START);
		assert_int_equal(c.state, PARTITION_STARTING);
	}
}

/* A reset or start of an idle partition (Off or Faulted) at any point. */
static void test_start_of_idle_partition(void **state)
{
	static const uint32_t idle[] = { PARTITION_OFF, PARTITION_FAULTED };
	struct fake_cpu c;

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		struct root_request start = { idle[i], PARTITION_STARTING, 0 };

		for (unsigned at = 0; at <= MAX_ACT_AT; at++)
			assert_int_equal(run_boot_vcpu(idle[i], start, at, false, &c),
					 PARTITION_WAIT_START);
	}
}

/* With nothing to do the CPU sleeps, and an Off partition stays Off after settling. */
static void test_idle_sleeps(void **state)
{
	struct root_request never = { PARTITION_RUNNING, PARTITION_STARTING, 0 };
	struct fake_cpu c;

	(void)state;
	assert_int_equal(run_boot_vcpu(PARTITION_STOPPING, never, 0, false, &c), -1);
	assert_int_equal(c.state, PARTITION_OFF);
	assert_int_equal(run_boot_vcpu(PARTITION_OFF, never, 0, false, &c), -1);
}

/* The old wait (a plain HLT, kicks before it lost): the search finds the lost wake-up. */
static void test_plain_hlt_loses_the_start(void **state)
{
	struct root_request start = { PARTITION_OFF, PARTITION_STARTING, 0 };
	unsigned lost = 0;
	struct fake_cpu c;

	(void)state;
	for (unsigned at = 0; at <= MAX_ACT_AT; at++)
		if (run_boot_vcpu(PARTITION_STOPPING, start, at, true, &c) == -1 &&
		    c.state == PARTITION_STARTING)
			lost++;
	assert_true(lost > 0);
}

static void test_decide(void **state)
{
	(void)state;
	assert_int_equal(partition_wait_decide(true, false, PARTITION_STOPPING, 0),
			 PARTITION_STEP_SETTLE);
	assert_int_equal(partition_wait_decide(true, false, PARTITION_STARTING, 0),
			 PARTITION_STEP_START);
	for (uint32_t s = PARTITION_OFF; s <= PARTITION_FAULTED; s++) {
		if (s != PARTITION_STOPPING && s != PARTITION_STARTING)
			assert_int_equal(partition_wait_decide(true, false, s, 0),
					 PARTITION_STEP_SLEEP);
		/* an AP of our own kernels never runs; a PC AP only in a running partition */
		assert_int_equal(partition_wait_decide(false, false, s, AP_STARTING),
				 PARTITION_STEP_SLEEP);
		assert_int_equal(partition_wait_decide(false, true, s, AP_STARTING),
				 s == PARTITION_RUNNING ? PARTITION_STEP_START_AP
							: PARTITION_STEP_SLEEP);
		assert_int_equal(partition_wait_decide(false, true, s, AP_WAIT_SIPI),
				 PARTITION_STEP_SLEEP);
	}
}

/* The AP's wait with the start-up IPI at act_at; -1 when it slept for good. */
static int run_ap(unsigned act_at, struct fake_cpu *c)
{
	*c = (struct fake_cpu){ .state = PARTITION_RUNNING, .ap_state = AP_WAIT_SIPI,
				.act_at = act_at,
				.request = { PARTITION_RUNNING, PARTITION_RUNNING, AP_STARTING } };
	if (setjmp(c->asleep) != 0)
		return -1;
	return (int)partition_wait(&fake_ops, c, false, true);
}

/* A start-up IPI to a sleeping AP (deliver_startup: ap_state, then kick) at any point. */
static void test_ap_start_never_lost(void **state)
{
	struct fake_cpu c;

	(void)state;
	for (unsigned at = 0; at <= MAX_ACT_AT; at++) {
		assert_int_equal(run_ap(at, &c), PARTITION_WAIT_START_AP);
		assert_true(c.acted);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_after_stop_never_lost),
		cmocka_unit_test(test_start_of_idle_partition),
		cmocka_unit_test(test_idle_sleeps),
		cmocka_unit_test(test_plain_hlt_loses_the_start),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_ap_start_never_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
