/*
 * Unit tests of the ring buffer: packet layout and trailer, wrap-around
 * of data and descriptors, full/empty accounting, both signalling rules,
 * when each side reloads the peer's index it caches, and refusal of every
 * kind of corrupt index or descriptor.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../vmbus/vmbus_err.h"
#include "../../vmbus/vmbus_ring.h"

#define DATA_SIZE 256u

static _Alignas(4096) uint8_t mem[RING_HEADER_SIZE + DATA_SIZE];
static struct ring prod, cons;

static struct ring_shared *hdr(void)
{
	return (struct ring_shared *)mem;
}

static void setup_ring(uint32_t features)
{
	memset(mem, 0xee, sizeof(mem));
	assert_int_equal(ring_init_memory(mem, sizeof(mem), features), 0);
	assert_int_equal(ring_attach_producer(&prod, mem, sizeof(mem)), 0);
	assert_int_equal(ring_attach_consumer(&cons, mem, sizeof(mem)), 0);
}

static int send(const void *data, uint32_t len, uint64_t id, bool *signal)
{
	struct ring_sg sg = { data, len };

	return ring_send(&prod, RING_PKT_DATA_INBAND, RING_PKT_FLAG_COMPLETION_REQUESTED, id,
			 &sg, 1, signal);
}

static void test_attach_checks(void **state)
{
	struct ring r;

	(void)state;
	assert_int_equal(ring_init_memory(mem, RING_HEADER_SIZE, 0), -VMBUS_E_INVAL);
	assert_int_equal(ring_init_memory(mem, RING_HEADER_SIZE + 12, 0), -VMBUS_E_INVAL);
	assert_int_equal(ring_attach_consumer(&r, NULL, sizeof(mem)), -VMBUS_E_INVAL);
	setup_ring(RING_FEAT_PENDING_SEND_SZ);
	assert_int_equal(hdr()->feature_bits, RING_FEAT_PENDING_SEND_SZ);
	hdr()->read_index = 12;
	assert_int_equal(ring_attach_consumer(&r, mem, sizeof(mem)), -VMBUS_E_CORRUPT);
	hdr()->write_index = DATA_SIZE;
	assert_int_equal(ring_attach_producer(&r, mem, sizeof(mem)), -VMBUS_E_CORRUPT);
}

static void test_packet_layout(void **state)
{
	struct ring_packet p;
	uint8_t out[64];
	uint64_t trailer;
	bool sig;

	(void)state;
	setup_ring(0);
	assert_int_equal(send("hello", 5, 0x1122334455667788ull, &sig), 0);
	assert_true(sig);
	/* descriptor 16 + payload padded to 8 + trailer 8 */
	assert_int_equal(hdr()->write_index, 32);
	assert_int_equal(ring_bytes_to_read(&cons), 32);
	assert_int_equal(mem[RING_HEADER_SIZE + 0], RING_PKT_DATA_INBAND);
	assert_int_equal(mem[RING_HEADER_SIZE + 2], 2);   /* offset8 */
	assert_int_equal(mem[RING_HEADER_SIZE + 4], 3);   /* len8 */
	memcpy(&trailer, mem + RING_HEADER_SIZE + 24, 8);
	assert_int_equal(trailer, 0);                     /* old write index 0 << 32 */
	assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), 0);
	assert_int_equal(p.type, RING_PKT_DATA_INBAND);
	assert_int_equal(p.flags, RING_PKT_FLAG_COMPLETION_REQUESTED);
	assert_int_equal(p.trans_id, 0x1122334455667788ull);
	assert_int_equal(p.payload_len, 8);               /* padding is part of the payload */
	assert_memory_equal(out, "hello\0\0\0", 8);
	assert_int_equal(hdr()->read_index, 0);           /* not yet committed */
	assert_int_equal(ring_commit(&cons, &sig), 0);
	assert_false(sig);
	assert_int_equal(hdr()->read_index, 32);
	assert_int_equal(ring_peek(&cons, &p), -VMBUS_E_EMPTY);
	assert_int_equal(send("x", 1, 2, &sig), 0);
	memcpy(&trailer, mem + RING_HEADER_SIZE + 32 + 24, 8);
	assert_int_equal(trailer, 32ull << 32);
}

static void test_wrap_around(void **state)
{
	uint8_t in[200], out[200];
	struct ring_packet p;
	bool sig;

	(void)state;
	setup_ring(0);
	/* Many sizes so that data, descriptors and trailers all straddle the end. */
	for (uint32_t round = 0; round < 300; round++) {
		uint32_t len = 1 + (round * 37) % 150;

		for (uint32_t i = 0; i < len; i++)
			in[i] = (uint8_t)(round + i);
		assert_int_equal(send(in, len, round, &sig), 0);
		assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), 0);
		assert_int_equal(p.trans_id, round);
		assert_true(p.payload_len >= len && p.payload_len < len + 8);
		assert_memory_equal(out, in, len);
		assert_int_equal(ring_commit(&cons, &sig), 0);
	}
	assert_int_equal(ring_bytes_to_read(&cons), 0);
	assert_int_equal(ring_bytes_to_write(&prod), DATA_SIZE);
}

static void test_full_and_empty(void **state)
{
	uint8_t payload[40] = { 0 }, out[64];
	struct ring_packet p;
	uint32_t n = 0;
	bool sig;

	(void)state;
	setup_ring(0);
	assert_int_equal(ring_packet_space(40), 64);
	while (send(payload, 40, n, &sig) == 0)
		n++;
	/* 256 bytes hold three 64-byte packets: a fourth would fill the ring exactly. */
	assert_int_equal(n, 3);
	assert_int_equal(send(payload, 40, n, &sig), -VMBUS_E_FULL);
	assert_int_equal(ring_bytes_to_write(&prod), 64);
	assert_int_equal(send(payload, 32, n, &sig), 0);    /* 56 bytes: fits */
	assert_int_equal(ring_bytes_to_write(&prod), 8);
	assert_int_equal(send(payload, 0, n, &sig), -VMBUS_E_FULL);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), 0);
	assert_int_equal(ring_peek(&cons, &p), -VMBUS_E_EMPTY);
	assert_int_equal(ring_commit(&cons, &sig), 0);
	assert_int_equal(ring_bytes_to_write(&prod), DATA_SIZE);
}

static void test_too_big(void **state)
{
	static uint8_t big[DATA_SIZE];
	struct ring_sg sg[RING_SG_MAX];
	bool sig;

	(void)state;
	setup_ring(0);
	assert_int_equal(send(big, DATA_SIZE - 24, 1, &sig), -VMBUS_E_TOOBIG);
	assert_int_equal(send(big, DATA_SIZE - 32, 1, &sig), 0);   /* 248 < 256 */
	for (uint32_t i = 0; i < RING_SG_MAX; i++)
		sg[i] = (struct ring_sg){ big, 1 };
	assert_int_equal(ring_send(&prod, RING_PKT_DATA_INBAND, 0, 0, sg, RING_SG_MAX, &sig),
			 -VMBUS_E_INVAL);
}

static void test_gather(void **state)
{
	struct ring_sg sg[3] = { { "abc", 3 }, { "", 0 }, { "defgh", 5 } };
	struct ring_packet p;
	uint8_t out[16];
	bool sig;

	(void)state;
	setup_ring(0);
	assert_int_equal(ring_send(&prod, RING_PKT_COMP, 0, 9, sg, 3, &sig), 0);
	assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), 0);
	assert_int_equal(p.type, RING_PKT_COMP);
	assert_int_equal(p.payload_len, 8);
	assert_memory_equal(out, "abcdefgh", 8);
}

static void test_read_small_buffer(void **state)
{
	uint8_t payload[40] = { 1 }, out[64];
	struct ring_packet p;
	bool sig;

	(void)state;
	setup_ring(0);
	assert_int_equal(send(payload, 40, 5, &sig), 0);
	assert_int_equal(ring_read(&cons, &p, out, 39), -VMBUS_E_NOSPACE);
	assert_int_equal(p.payload_len, 40);
	assert_int_equal(ring_copy(&cons, &p, 30, out, 11), -VMBUS_E_INVAL);
	assert_int_equal(ring_copy(&cons, &p, 30, out, 10), 0);
	assert_int_equal(ring_read(&cons, &p, out, 40), 0);      /* still there */
	assert_int_equal(p.trans_id, 5);
}

static void test_writer_signals(void **state)
{
	uint8_t out[64];
	struct ring_packet p;
	bool sig;

	(void)state;
	setup_ring(0);
	assert_int_equal(send("a", 1, 1, &sig), 0);
	assert_true(sig);                     /* empty -> non-empty */
	assert_int_equal(send("b", 1, 2, &sig), 0);
	assert_false(sig);                    /* reader has work already */
	assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), 0);
	assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), 0);
	assert_int_equal(ring_commit(&cons, &sig), 0);
	ring_mask_interrupts(&cons);
	assert_int_equal(send("c", 1, 3, &sig), 0);
	assert_false(sig);                    /* reader is polling */
	assert_true(ring_unmask_interrupts(&cons));   /* and must look again */
	assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), 0);
	assert_int_equal(ring_commit(&cons, &sig), 0);
	assert_false(ring_unmask_interrupts(&cons));
	assert_int_equal(send("d", 1, 4, &sig), 0);
	assert_true(sig);
}

static void test_reader_signals(void **state)
{
	uint8_t payload[40] = { 0 }, out[64];
	struct ring_packet p;
	bool sig;

	(void)state;
	setup_ring(RING_FEAT_PENDING_SEND_SZ);
	for (int i = 0; i < 3; i++)
		assert_int_equal(send(payload, 40, (uint64_t)i, &sig), 0);
	assert_int_equal(send(payload, 40 + 64, 9, &sig), -VMBUS_E_FULL);
	/* Wants 128 bytes (a 104-byte payload packet); 64 free now. */
	assert_int_equal(ring_request_space(&prod, ring_packet_space(104)), 0);
	assert_int_equal(hdr()->pending_send_sz, 128);
	assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), 0);
	assert_int_equal(ring_commit(&cons, &sig), 0);
	assert_false(sig);                    /* 128 free: not more than 128 */
	assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), 0);
	assert_int_equal(ring_commit(&cons, &sig), 0);
	assert_true(sig);                     /* 192 free: crossed */
	assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), 0);
	assert_int_equal(ring_commit(&cons, &sig), 0);
	assert_false(sig);                    /* was already above */
	assert_int_equal(send(payload, 104, 9, &sig), 0);
	assert_int_equal(hdr()->pending_send_sz, 0);   /* request withdrawn by the write */
	assert_int_equal(ring_commit(&cons, &sig), 0);  /* nothing read: no-op */
	assert_false(sig);
}

static void test_request_space_now(void **state)
{
	uint8_t payload[40] = { 0 };
	bool sig;

	(void)state;
	setup_ring(RING_FEAT_PENDING_SEND_SZ);
	assert_int_equal(ring_request_space(&prod, 64), 1);
	assert_int_equal(hdr()->pending_send_sz, 0);
	assert_int_equal(send(payload, 40, 0, &sig), 0);
	assert_int_equal(ring_request_space(&prod, 0), 1);
	hdr()->read_index = 3;
	assert_int_equal(ring_request_space(&prod, 500), -VMBUS_E_CORRUPT);
}

static void test_no_feature_no_reader_signal(void **state)
{
	uint8_t payload[40] = { 0 }, out[64];
	struct ring_packet p;
	bool sig;

	(void)state;
	setup_ring(0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(send(payload, 40, (uint64_t)i, &sig), 0);
	hdr()->pending_send_sz = 100;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), 0);
		assert_int_equal(ring_commit(&cons, &sig), 0);
		assert_false(sig);
	}
}

static void test_corrupt_indices(void **state)
{
	uint8_t out[64];
	struct ring_packet p;
	bool sig;

	(void)state;
	setup_ring(0);
	hdr()->write_index = 12;                       /* unaligned */
	assert_int_equal(ring_peek(&cons, &p), -VMBUS_E_CORRUPT);
	assert_int_equal(ring_bytes_to_read(&cons), 0);
	assert_true(ring_unmask_interrupts(&cons));    /* makes the owner peek and see it */
	hdr()->write_index = DATA_SIZE;                /* outside */
	assert_int_equal(ring_peek(&cons, &p), -VMBUS_E_CORRUPT);
	hdr()->write_index = 16;                       /* less than descriptor + trailer */
	assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), -VMBUS_E_CORRUPT);
	hdr()->write_index = 0;
	hdr()->read_index = 0xfff8;                    /* producer side */
	assert_int_equal(send("a", 1, 1, &sig), -VMBUS_E_CORRUPT);
	assert_int_equal(ring_bytes_to_write(&prod), 0);
	hdr()->read_index = 0;
	assert_int_equal(send("a", 1, 1, &sig), 0);
	hdr()->read_index = 4;
	assert_int_equal(ring_commit(&cons, &sig), 0); /* consumer never reads its own index back */
}

/* Writes a raw descriptor at the consumer's position and publishes avail bytes. */
static void forge(uint16_t offset8, uint16_t len8, uint32_t avail)
{
	struct ring_desc d = { RING_PKT_DATA_INBAND, offset8, len8, 0, 1 };

	setup_ring(0);
	memcpy(mem + RING_HEADER_SIZE, &d, sizeof(d));
	hdr()->write_index = avail;
}

static void test_corrupt_descriptors(void **state)
{
	struct ring_packet p;

	(void)state;
	forge(2, 3, 32);
	assert_int_equal(ring_peek(&cons, &p), 0);
	forge(2, 0, 32);      /* zero length */
	assert_int_equal(ring_peek(&cons, &p), -VMBUS_E_CORRUPT);
	forge(1, 3, 32);      /* payload inside the descriptor */
	assert_int_equal(ring_peek(&cons, &p), -VMBUS_E_CORRUPT);
	forge(4, 3, 32);      /* payload after the packet end */
	assert_int_equal(ring_peek(&cons, &p), -VMBUS_E_CORRUPT);
	forge(2, 4, 32);      /* longer than what was published */
	assert_int_equal(ring_peek(&cons, &p), -VMBUS_E_CORRUPT);
	forge(2, 0xffff, 248);
	assert_int_equal(ring_peek(&cons, &p), -VMBUS_E_CORRUPT);
	forge(2, 1, 32);      /* 8 bytes: shorter than the descriptor */
	assert_int_equal(ring_peek(&cons, &p), -VMBUS_E_CORRUPT);
	forge(2, 2, 16);      /* half a descriptor and a trailer published */
	assert_int_equal(ring_peek(&cons, &p), -VMBUS_E_CORRUPT);
	forge(2, DATA_SIZE / 8, DATA_SIZE - 8);  /* as long as the whole ring */
	assert_int_equal(ring_peek(&cons, &p), -VMBUS_E_CORRUPT);
	forge(3, 3, 32);      /* empty payload is allowed */
	assert_int_equal(ring_peek(&cons, &p), 0);
	assert_int_equal(p.payload_len, 0);
}

static void test_wrapped_descriptor(void **state)
{
	uint8_t payload[16] = "0123456789abcdef", out[32];
	struct ring_packet p;
	bool sig;

	(void)state;
	setup_ring(0);
	/* Move both indices to 8 bytes before the end, so the descriptor straddles it. */
	hdr()->write_index = DATA_SIZE - 8;
	hdr()->read_index = DATA_SIZE - 8;
	assert_int_equal(ring_attach_producer(&prod, mem, sizeof(mem)), 0);
	assert_int_equal(ring_attach_consumer(&cons, mem, sizeof(mem)), 0);
	assert_int_equal(send(payload, 16, 77, &sig), 0);
	assert_int_equal(hdr()->write_index, 32);
	assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), 0);
	assert_int_equal(p.trans_id, 77);
	assert_memory_equal(out, payload, 16);
}

/*
 * The producer uses its cached read index until that says "no room", also
 * across the wrap; a bad read_index is therefore noticed at the reload.
 * The consumer masks interrupts so that no signalling decision reloads it.
 */
static void test_producer_cached_read_index(void **state)
{
	uint8_t payload[40] = { 0 }, out[64];
	struct ring_packet p;
	bool sig;

	(void)state;
	setup_ring(0);
	ring_mask_interrupts(&cons);
	for (int i = 0; i < 3; i++)                    /* 3 x 64 bytes: 0..192 */
		assert_int_equal(send(payload, 40, (uint64_t)i, &sig), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), 0);
	assert_int_equal(ring_commit(&cons, &sig), 0);
	assert_int_equal(hdr()->read_index, 192);
	assert_int_equal(prod.peer, 0);                /* still the value from the first write */
	assert_int_equal(send(payload, 40, 3, &sig), 0);   /* 64 free by the cache: reload */
	assert_int_equal(prod.peer, 192);
	assert_int_equal(hdr()->write_index, 0);       /* wrapped */
	hdr()->read_index = 0xfff8;                    /* not looked at while the cache has room */
	assert_int_equal(send(payload, 40, 4, &sig), 0);
	assert_int_equal(send(payload, 40, 5, &sig), 0);
	assert_int_equal(hdr()->write_index, 128);
	assert_int_equal(send(payload, 40, 6, &sig), -VMBUS_E_CORRUPT);
	hdr()->read_index = 128;                       /* the consumer caught up meanwhile */
	assert_int_equal(send(payload, 40, 6, &sig), 0);
	assert_int_equal(prod.peer, 128);
	assert_false(sig);                             /* masked */
}

/* An unmasked consumer: the writer's signalling decision refreshes the cache for free. */
static void test_producer_signal_refreshes_cache(void **state)
{
	uint8_t out[64];
	struct ring_packet p;
	bool sig;

	(void)state;
	setup_ring(0);
	assert_int_equal(send("a", 1, 1, &sig), 0);
	assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), 0);
	assert_int_equal(ring_commit(&cons, &sig), 0);
	assert_int_equal(send("b", 1, 2, &sig), 0);
	assert_true(sig);
	assert_int_equal(prod.peer, 32);
	hdr()->read_index = 12;                        /* invalid: not cached */
	assert_int_equal(send("c", 1, 3, &sig), 0);
	assert_false(sig);
	assert_int_equal(prod.peer, 32);
}

/* The consumer reads up to its cached write index before it looks at the page again. */
static void test_consumer_cached_write_index(void **state)
{
	uint8_t payload[40] = { 0 }, out[64];
	struct ring_packet p;
	bool sig;

	(void)state;
	setup_ring(0);
	/* Start near the end so that the cached run crosses the wrap. */
	hdr()->write_index = 128;
	hdr()->read_index = 128;
	assert_int_equal(ring_attach_producer(&prod, mem, sizeof(mem)), 0);
	assert_int_equal(ring_attach_consumer(&cons, mem, sizeof(mem)), 0);
	for (int i = 0; i < 3; i++)                    /* 128..256, 0..64 */
		assert_int_equal(send(payload, 40, (uint64_t)i, &sig), 0);
	assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), 0);
	assert_int_equal(cons.peer, 64);
	hdr()->write_index = 12;                       /* not looked at while data is cached */
	for (uint64_t i = 1; i < 3; i++) {
		assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), 0);
		assert_int_equal(p.trans_id, i);
	}
	assert_int_equal(ring_peek(&cons, &p), -VMBUS_E_CORRUPT);   /* empty by the cache: reload */
	hdr()->write_index = 64;
	assert_int_equal(ring_peek(&cons, &p), -VMBUS_E_EMPTY);
	assert_int_equal(ring_commit(&cons, &sig), 0);
	assert_int_equal(send(payload, 40, 3, &sig), 0);
	assert_int_equal(ring_read(&cons, &p, out, sizeof(out)), 0);
	assert_int_equal(p.trans_id, 3);
}

/* A packet that fails the checks drops the cached write index. */
static void test_corrupt_packet_drops_cache(void **state)
{
	struct ring_packet p;

	(void)state;
	forge(2, 4, 32);      /* longer than what was published */
	assert_int_equal(ring_peek(&cons, &p), -VMBUS_E_CORRUPT);
	assert_int_equal(cons.peer, cons.index);
	hdr()->write_index = 0;
	assert_int_equal(ring_peek(&cons, &p), -VMBUS_E_EMPTY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach_checks),
		cmocka_unit_test(test_packet_layout),
		cmocka_unit_test(test_wrap_around),
		cmocka_unit_test(test_full_and_empty),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_gather),
		cmocka_unit_test(test_read_small_buffer),
		cmocka_unit_test(test_writer_signals),
		cmocka_unit_test(test_reader_signals),
		cmocka_unit_test(test_request_space_now),
		cmocka_unit_test(test_no_feature_no_reader_signal),
		cmocka_unit_test(test_corrupt_indices),
		cmocka_unit_test(test_corrupt_descriptors),
		cmocka_unit_test(test_wrapped_descriptor),
		cmocka_unit_test(test_producer_cached_read_index),
		cmocka_unit_test(test_producer_signal_refreshes_cache),
		cmocka_unit_test(test_consumer_cached_write_index),
		cmocka_unit_test(test_corrupt_packet_drops_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
