/*
 * Unit tests of hv's SynIC message delivery (hv/synic/synic.c): a message lands
 * in its SINT's slot, a busy slot queues it and sets the pending flag, EOM
 * delivers the queue in order, the queue's per-sender bound, and - with a
 * consumer thread freeing slots while a poster thread posts - that no
 * message is ever left queued behind a free slot.  Event connections
 * (hv/synic/connection.c): a connection's flag count bounds the flags its
 * caller can name, so one guest never sets another guest's flags.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <core/kick.h>
#include <part/partition.h>
#include <synic/connection.h>
#include <synic/synic.h>
#include <part/vcpu.h>

#define SINT 2u
#define VECTOR 0x60u
/* The bounds docs/hypercalls.md promises (hv/synic/synic.c's QUEUE_SLOTS and QUEUE_PER_SENDER). */
#define QUEUE_TOTAL 15u
#define QUEUE_PER_SENDER 8u

/* ---- what synic.c needs from the rest of hv ---- */

static unsigned interrupts_queued;

void vcpu_raise_interrupt(struct vcpu *v, uint8_t vector)
{
	(void)v;
	if (vector == VECTOR)
		__atomic_add_fetch(&interrupts_queued, 1, __ATOMIC_RELAXED);
}

/* hv's pages are identity mapped: an address is a pointer. */
uint64_t page_alloc(struct page_pool *pool, uint64_t count, uint64_t align)
{
	(void)pool;
	(void)align;
	return (uint64_t)(uintptr_t)aligned_alloc(4096, count * 4096);
}

void *partition_gpa_to_host(struct partition *p, uint64_t gpa, uint64_t len)
{
	(void)p;
	(void)len;
	return (void *)(uintptr_t)gpa;
}

/* connection.c routes between these */
struct partition partitions[HVCFG_MAX_PARTITIONS];
uint32_t partition_count;

/* ---- fixture: one vCPU with SIMP and SIEFP enabled, SINT routed ---- */

static struct vcpu vcpu;
static struct hv_message *simp;
static uint8_t *siefp;

static int setup(void **state)
{
	(void)state;
	memset(&vcpu, 0, sizeof(vcpu));
	simp = aligned_alloc(4096, 4096);
	siefp = aligned_alloc(4096, 4096);
	memset(simp, 0, 4096);
	memset(siefp, 0, 4096);
	interrupts_queued = 0;
	synic_reset(&vcpu);
	assert_int_equal(synic_msr_write(&vcpu, HV_X64_MSR_SIMP,
					 (uint64_t)(uintptr_t)simp | HV_SYNIC_ENABLE), 0);
	assert_int_equal(synic_msr_write(&vcpu, HV_X64_MSR_SIEFP,
					 (uint64_t)(uintptr_t)siefp | HV_SYNIC_ENABLE), 0);
	assert_int_equal(synic_msr_write(&vcpu, HV_X64_MSR_SINT0 + SINT, VECTOR), 0);
	assert_int_equal(synic_msr_write(&vcpu, HV_X64_MSR_SCONTROL, HV_SYNIC_ENABLE), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	synic_reset(&vcpu);
	free(vcpu.synic.queue);
	free(simp);
	free(siefp);
	return 0;
}

static uint16_t post(uint64_t sender, uint32_t n)
{
	return synic_post(&vcpu, SINT, 1, sender, &n, sizeof(n));
}

/* The number in the slot; 0 when the slot is free. */
static uint32_t slot_number(void)
{
	uint32_t n;

	if (__atomic_load_n(&simp[SINT].message_type, __ATOMIC_ACQUIRE) == HV_MESSAGE_NONE)
		return 0;
	memcpy(&n, simp[SINT].payload, sizeof(n));
	return n;
}

/* What a guest does with a slot it has read (kernel/synic.c). */
static void slot_done(void)
{
	__atomic_store_n(&simp[SINT].message_type, HV_MESSAGE_NONE, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&simp[SINT].message_flags, __ATOMIC_SEQ_CST) & HV_MESSAGE_FLAG_PENDING)
		assert_int_equal(synic_msr_write(&vcpu, HV_X64_MSR_EOM, 0), 0);
}

static void test_free_slot_takes_the_message(void **state)
{
	(void)state;
	assert_int_equal(post(7, 41), HV_STATUS_SUCCESS);
	assert_int_equal(simp[SINT].message_type, 1);
	assert_int_equal(simp[SINT].sender, 7);
	assert_int_equal(simp[SINT].payload_size, 4);
	assert_int_equal(simp[SINT].message_flags, 0);
	assert_int_equal(slot_number(), 41);
	assert_int_equal(interrupts_queued, 1);
}

static void test_busy_slot_queues_in_order(void **state)
{
	(void)state;
	for (uint32_t n = 1; n <= 5; n++)
		assert_int_equal(post(7, n), HV_STATUS_SUCCESS);
	assert_true(simp[SINT].message_flags & HV_MESSAGE_FLAG_PENDING);
	for (uint32_t n = 1; n <= 5; n++) {
		assert_int_equal(slot_number(), n);
		slot_done();
	}
	assert_int_equal(slot_number(), 0);
	assert_int_equal(interrupts_queued, 5);
}

static void test_queue_bound_per_sender(void **state)
{
	uint32_t n = 1;

	(void)state;
	/* The slot, then QUEUE_PER_SENDER queued; the next is refused. */
	for (; n <= 1 + QUEUE_PER_SENDER; n++)
		assert_int_equal(post(7, n), HV_STATUS_SUCCESS);
	assert_int_equal(post(7, n), HV_STATUS_INSUFFICIENT_BUFFERS);
	/* Another sender still gets the rest of the queue. */
	for (uint32_t i = QUEUE_PER_SENDER; i < QUEUE_TOTAL; i++)
		assert_int_equal(post(8, 100 + i), HV_STATUS_SUCCESS);
	assert_int_equal(post(8, 200), HV_STATUS_INSUFFICIENT_BUFFERS);
	/* Freeing the slot makes room again, in arrival order. */
	assert_int_equal(slot_number(), 1);
	slot_done();
	assert_int_equal(slot_number(), 2);
	assert_int_equal(post(7, n), HV_STATUS_SUCCESS);
}

static void test_disabled_synic_refuses(void **state)
{
	(void)state;
	assert_int_equal(synic_msr_write(&vcpu, HV_X64_MSR_SCONTROL, 0), 0);
	assert_int_equal(post(7, 1), HV_STATUS_INVALID_PARTITION_STATE);
	assert_int_equal(slot_number(), 0);
}

/*
 * The race of the pending flag, round after round: message k is in the
 * slot; the consumer (this thread) frees it while a poster thread posts
 * k + 1, each after a varying spin so that the two meet at every offset.
 * Once the post has returned and the consumer has freed the slot (and
 * written EOM if it saw the flag), k + 1 must be in the slot: hv either
 * found the slot free, or set the flag in time for the consumer to see.
 */
#define ROUNDS 200000u
#define BUDGET_S 5 /* a loaded host may get through fewer rounds */

static volatile uint32_t go, posted;
static uint16_t post_status; /* ORed: 0 while every post succeeded */

static void spin(uint32_t n)
{
	for (volatile uint32_t i = 0; i < n; i++)
		;
}

/*
 * Waiting for the other thread: spin while it runs on another CPU (so
 * both are hot when they meet), yield once it seems to share ours.
 */
static void pause_or_yield(uint32_t i)
{
	if (i < 2000u)
		__builtin_ia32_pause();
	else
		sched_yield();
}

/* A small pseudo-random spin length per round and side. */
static uint32_t offset(uint32_t round, uint32_t side)
{
	return ((round * 2654435761u) >> (side ? 7 : 13)) % 64u;
}

static void *poster(void *arg)
{
	(void)arg;
	for (uint32_t k = 1; k <= ROUNDS; k++) {
		uint32_t g;

		for (uint32_t i = 0; (g = __atomic_load_n(&go, __ATOMIC_ACQUIRE)) < k; i++)
			pause_or_yield(i);
		if (g > ROUNDS)
			break; /* the consumer stopped early */
		spin(offset(k, 1));
		post_status |= post(7, k + 1);
		__atomic_store_n(&posted, k + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void test_no_message_stranded(void **state)
{
	uint32_t k, stranded = 0;
	time_t deadline;
	pthread_t t;

	(void)state;
	go = posted = post_status = 0;
	assert_int_equal(post(7, 1), HV_STATUS_SUCCESS);
	assert_int_equal(pthread_create(&t, NULL, poster, NULL), 0);
	deadline = time(NULL) + BUDGET_S;
	for (k = 1; k <= ROUNDS && time(NULL) < deadline; k++) {
		assert_int_equal(slot_number(), k);
		__atomic_store_n(&go, k, __ATOMIC_RELEASE);
		spin(offset(k, 0));
		slot_done();
		for (uint32_t i = 0; __atomic_load_n(&posted, __ATOMIC_ACQUIRE) != k + 1; i++)
			pause_or_yield(i);
		if (slot_number() != k + 1) {
			stranded = k + 1;
			break;
		}
	}
	__atomic_store_n(&go, ROUNDS + 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	assert_int_equal(post_status, HV_STATUS_SUCCESS);
	if (stranded != 0)
		fail_msg("message %u stranded behind a free slot (round %u)", stranded, stranded - 1);
	print_message("%u rounds\n", k - 1);
}

/* ---- event connections ---- */

#define BUS_FLAGS_PER_GUEST 128u /* mgmt/bus/bus_int.h: guest id * 128 + relid */

/* The root's event connection for guest `guest`'s channel relid (mgmt/bus/bus.c). */
static struct hv_connection guest_channel(uint32_t guest, uint32_t relid, uint16_t count)
{
	return (struct hv_connection){ .connection_id = 0x2000 + relid, .source_partition = guest,
				       .target_partition = 0, .target_vp = 0, .target_sint = SINT,
				       .type = HV_CONNECTION_EVENT,
				       .base_flag = (uint16_t)(guest * BUS_FLAGS_PER_GUEST + relid),
				       .flag_count = count };
}

static int setup_connections(void **state)
{
	(void)state;
	partition_count = 4;
	for (uint32_t i = 0; i < partition_count; i++)
		partitions[i].vp_count = 1;
	connection_drop_partition(0);
	return 0;
}

/* Guest 1's flag 128 on its relid-1 connection would be guest 2's relid 1: refused. */
static void test_flags_bounded_by_count(void **state)
{
	struct hv_connection c = guest_channel(1, 1, 1), found;
	uint32_t flag = 0;

	(void)state;
	assert_int_equal(connection_create(&c), HV_STATUS_SUCCESS);
	assert_true(connection_find(1, c.connection_id, HV_CONNECTION_EVENT, &found));
	assert_int_equal(connection_event_flag(&found, 0, &flag), HV_STATUS_SUCCESS);
	assert_int_equal(flag, 1 * BUS_FLAGS_PER_GUEST + 1);
	flag = 0xdead;
	for (uint32_t f = 1; f <= 0xffffu; f += f < 300 ? 1 : 977) {
		assert_int_equal(connection_event_flag(&found, f, &flag),
				 HV_STATUS_INVALID_PARAMETER);
		assert_int_equal(flag, 0xdead);
	}
}

/* A root connection with several flags (one per relid) reaches each and no more. */
static void test_flag_count_of_several(void **state)
{
	struct hv_connection c = guest_channel(0, 0, 7), found;
	uint32_t flag;

	(void)state;
	c.base_flag = 0;
	assert_int_equal(connection_create(&c), HV_STATUS_SUCCESS);
	assert_true(connection_find(0, c.connection_id, HV_CONNECTION_EVENT, &found));
	for (uint32_t f = 0; f < 7; f++) {
		assert_int_equal(connection_event_flag(&found, f, &flag), HV_STATUS_SUCCESS);
		assert_int_equal(flag, f);
	}
	assert_int_equal(connection_event_flag(&found, 7, &flag), HV_STATUS_INVALID_PARAMETER);
}

/* Creation refuses a count of 0, flags past the SINT's 2048, and counts on message routes. */
static void test_flag_count_checked_at_creation(void **state)
{
	struct hv_connection c = guest_channel(1, 1, 0);

	(void)state;
	assert_int_equal(connection_create(&c), HV_STATUS_INVALID_PARAMETER);
	c = guest_channel(1, 1, 1);
	c.base_flag = HV_EVENT_FLAGS_PER_SINT - 1;
	assert_int_equal(connection_create(&c), HV_STATUS_SUCCESS);
	c.connection_id++;
	c.flag_count = 2;
	assert_int_equal(connection_create(&c), HV_STATUS_INVALID_PARAMETER);
	c = guest_channel(1, 3, 1);
	c.type = HV_CONNECTION_MESSAGE;
	assert_int_equal(connection_create(&c), HV_STATUS_INVALID_PARAMETER);
	c.flag_count = 0;
	c.base_flag = 0;
	assert_int_equal(connection_create(&c), HV_STATUS_SUCCESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_free_slot_takes_the_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_slot_queues_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_bound_per_sender, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_synic_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_message_stranded, setup, teardown),
		cmocka_unit_test_setup(test_flags_bounded_by_count, setup_connections),
		cmocka_unit_test_setup(test_flag_count_of_several, setup_connections),
		cmocka_unit_test_setup(test_flag_count_checked_at_creation, setup_connections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
