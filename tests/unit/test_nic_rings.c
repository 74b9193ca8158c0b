/*
 * The root's NIC drivers' checks of what a device hands back, on the host:
 * split virtqueues (mgmt/net/virtq.c) against a fake device that takes
 * buffers from the available ring and writes the used ring as it likes,
 * correct or hostile; and the e1000 family's verdict on a completed
 * receive descriptor (mgmt/net/e1000_desc.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../mgmt/net/e1000.h"
#include "../../mgmt/net/e1000_regs.h"
#include "../../mgmt/net/virtq.h"

#define QSIZE 8u
#define BUF 2048u

static struct virtq_desc desc[VIRTQ_MAX_SIZE];
static struct virtq_avail avail;
static struct virtq_used used;
static struct virtq q;

/* The fake device: what it has taken from the available ring. */
static uint16_t dev_avail_seen;

static int setup(void **state)
{
	(void)state;
	memset(&q, 0, sizeof(q));
	dev_avail_seen = 0;
	assert_true(virtq_init(&q, QSIZE, desc, &avail, &used));
	return 0;
}

/* The device takes the next available buffer; returns its head id. */
static uint16_t dev_take(void)
{
	assert_int_not_equal(avail.idx, dev_avail_seen);
	return avail.ring[dev_avail_seen++ % QSIZE];
}

/* The device writes one used entry and publishes it. */
static void dev_use(uint32_t id, uint32_t len)
{
	used.ring[used.idx % QSIZE].id = id;
	used.ring[used.idx % QSIZE].len = len;
	used.idx++;
}

static void give_rx(uint16_t id)
{
	assert_true(virtq_give(&q, id, 0x1000u * (id + 1u), BUF, true));
}

static void test_init_sizes(void **state)
{
	struct virtq other;

	(void)state;
	assert_false(virtq_init(&other, 0, desc, &avail, &used));
	assert_false(virtq_init(&other, 6, desc, &avail, &used));
	assert_false(virtq_init(&other, 512, desc, &avail, &used));
	assert_true(virtq_init(&other, 256, desc, &avail, &used));
	/* The root polls: interrupts suppressed from the start. */
	assert_int_equal(avail.flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
}

static void test_give_publishes(void **state)
{
	(void)state;
	give_rx(3);
	assert_int_equal(avail.idx, 1);
	assert_int_equal(avail.ring[0], 3);
	assert_int_equal(desc[3].len, BUF);
	assert_int_equal(desc[3].flags, VIRTQ_DESC_F_WRITE);
	assert_int_equal(desc[3].addr, 0x4000);
	/* Already held, or beyond the queue: refused. */
	assert_false(virtq_give(&q, 3, 0x4000, BUF, true));
	assert_false(virtq_give(&q, QSIZE, 0x4000, BUF, true));
}

static void test_round_trip(void **state)
{
	uint16_t id;
	uint32_t len;

	(void)state;
	for (uint16_t i = 0; i < QSIZE; i++)
		give_rx(i);
	assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_EMPTY);
	assert_false(virtq_has_used(&q));
	dev_use(dev_take(), 60);
	dev_use(dev_take(), BUF);
	assert_true(virtq_has_used(&q));
	assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_OK);
	assert_int_equal(id, 0);
	assert_int_equal(len, 60);
	assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_OK);
	assert_int_equal(id, 1);
	assert_int_equal(len, BUF);
	assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_EMPTY);
	/* Given back, the buffer can be used again. */
	give_rx(0);
	dev_use(dev_take(), 100);
	assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_OK);
	assert_int_equal(id, 2);
}

/* Out-of-order completion is allowed: any held id in any order. */
static void test_out_of_order(void **state)
{
	uint16_t id;
	uint32_t len;

	(void)state;
	give_rx(0);
	give_rx(1);
	dev_use(1, 64);
	dev_use(0, 64);
	assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_OK);
	assert_int_equal(id, 1);
	assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_OK);
	assert_int_equal(id, 0);
}

static void test_index_ahead(void **state)
{
	uint16_t id;
	uint32_t len;

	(void)state;
	give_rx(0);
	give_rx(1);
	used.idx = 3; /* three used entries for two buffers */
	assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_E_IDX);
	used.idx = 0xffff; /* or a wild jump backwards */
	assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_E_IDX);
}

static void test_id_beyond_queue(void **state)
{
	uint16_t id;
	uint32_t len;

	(void)state;
	give_rx(0);
	dev_use(QSIZE, 64);
	assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_E_ID);
	used.ring[0].id = 0xffffffffu;
	assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_E_ID);
}

static void test_id_not_held(void **state)
{
	uint16_t id;
	uint32_t len;

	(void)state;
	give_rx(0);
	give_rx(1);
	dev_use(0, 64);
	dev_use(0, 64); /* the same buffer twice */
	assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_OK);
	assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_E_NOT_HELD);
	/* A never-given id inside the queue, too. */
	used.ring[1].id = 5;
	assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_E_NOT_HELD);
}

static void test_length_beyond_buffer(void **state)
{
	uint16_t id;
	uint32_t len;

	(void)state;
	give_rx(0);
	dev_use(0, BUF + 1);
	assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_E_LEN);
	/* The driver's own copy decides, not the shared table the device can write. */
	desc[0].len = 0xffffffffu;
	used.ring[0].len = 0x10000;
	assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_E_LEN);
}

/* A transmit buffer is only read: whatever length comes back is ignored. */
static void test_tx_length_ignored(void **state)
{
	uint16_t id;
	uint32_t len = 1;

	(void)state;
	assert_true(virtq_give(&q, 2, 0x3000, 74, false));
	assert_int_equal(desc[2].flags, 0);
	dev_use(dev_take(), 0xdeadbeefu);
	assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_OK);
	assert_int_equal(id, 2);
	assert_int_equal(len, 0);
}

static void test_notify_suppression(void **state)
{
	(void)state;
	assert_true(virtq_wants_notify(&q));
	used.flags = VIRTQ_USED_F_NO_NOTIFY;
	assert_false(virtq_wants_notify(&q));
}

/* The free-running 16-bit indexes wrap without a false alarm. */
static void test_index_wrap(void **state)
{
	uint16_t id;
	uint32_t len;

	(void)state;
	q.avail_idx = avail.idx = dev_avail_seen = 0xfffd;
	q.last_used = used.idx = 0xfffd;
	for (unsigned int round = 0; round < 3 * QSIZE; round++) {
		give_rx((uint16_t)(round % QSIZE));
		dev_use(dev_take(), 60);
		assert_int_equal(virtq_get_used(&q, &id, &len), VIRTQ_OK);
		assert_int_equal(id, round % QSIZE);
	}
	assert_int_equal(q.held, 0);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(virtq_strerror(VIRTQ_E_LEN), "used length longer than the buffer");
	assert_string_equal(virtq_strerror((enum virtq_result)42), "unknown");
}

static void test_e1000_rx_good(void **state)
{
	bool discarding = false;

	(void)state;
	assert_int_equal(e1000_rx_check(E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0, 60, &discarding),
			 E1000_RX_DELIVER);
	assert_int_equal(e1000_rx_check(E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0, 2048,
					&discarding),
			 E1000_RX_DELIVER);
	assert_int_equal(e1000_rx_check(E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0x01, 60,
					&discarding),
			 E1000_RX_ERROR);
}

static void test_e1000_rx_broken_lengths(void **state)
{
	const uint16_t lengths[] = { 0, 1, 13, 2049, 0xffff };
	bool discarding = false;

	(void)state;
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++)
		assert_int_equal(e1000_rx_check(E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0, lengths[i],
						&discarding),
				 E1000_RX_BROKEN);
	assert_false(discarding);
}

/* A frame spanning three buffers: counted once, every piece dropped. */
static void test_e1000_rx_spanning(void **state)
{
	bool discarding = false;

	(void)state;
	assert_int_equal(e1000_rx_check(E1000_RXD_STAT_DD, 0, 2048, &discarding), E1000_RX_OVERSIZE);
	assert_true(discarding);
	assert_int_equal(e1000_rx_check(E1000_RXD_STAT_DD, 0, 2048, &discarding), E1000_RX_SKIP);
	assert_int_equal(e1000_rx_check(E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0, 0, &discarding),
			 E1000_RX_SKIP);
	assert_false(discarding);
	assert_int_equal(e1000_rx_check(E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0, 60, &discarding),
			 E1000_RX_DELIVER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_sizes, setup),
		cmocka_unit_test_setup(test_give_publishes, setup),
		cmocka_unit_test_setup(test_round_trip, setup),
		cmocka_unit_test_setup(test_out_of_order, setup),
		cmocka_unit_test_setup(test_index_ahead, setup),
		cmocka_unit_test_setup(test_id_beyond_queue, setup),
		cmocka_unit_test_setup(test_id_not_held, setup),
		cmocka_unit_test_setup(test_length_beyond_buffer, setup),
		cmocka_unit_test_setup(test_tx_length_ignored, setup),
		cmocka_unit_test_setup(test_notify_suppression, setup),
		cmocka_unit_test_setup(test_index_wrap, setup),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_e1000_rx_good),
		cmocka_unit_test(test_e1000_rx_broken_lengths),
		cmocka_unit_test(test_e1000_rx_spanning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
