/*
 * libFuzzer target for the ring buffer with a hostile peer: the input is
 * a ring as the other partition left it.  Both sides must stay inside the
 * data area, report bad indices or descriptors as VMBUS_E_CORRUPT and
 * never publish an invalid index.
 */

/*
 * Input: u32 write_index, read_index, interrupt_mask, pending_send_sz,
 * feature_bits; u8 producer payload size; then the data area.
 */
#include "../../vmbus/vmbus_err.h"
#include "../../vmbus/vmbus_ring.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIELDS 21u

static void consume(void *mem, size_t len, uint32_t dsize)
{
	struct ring r;
	struct ring_packet p;
	uint8_t *buf = malloc(dsize);
	bool sig;

	if (ring_attach_consumer(&r, mem, len) == 0) {
		for (int i = 0; i < 64; i++) {
			int rc = ring_read(&r, &p, buf, dsize);

			if (rc == 0 && (p.payload_len >= dsize || p.total_len > dsize))
				abort();
			if (rc != 0 && rc != -VMBUS_E_EMPTY && rc != -VMBUS_E_CORRUPT)
				abort();
			if (rc != 0)
				break;
		}
		/* Our index and the cached copy of the peer's stay valid whatever the peer wrote. */
		if (r.index >= dsize || r.index % 8 != 0 || r.peer >= dsize || r.peer % 8 != 0)
			abort();
		(void)ring_commit(&r, &sig);
		(void)ring_unmask_interrupts(&r);
	}
	free(buf);
}

static void produce(void *mem, size_t len, uint32_t dsize, uint8_t payload)
{
	const struct ring_shared *h = mem;
	uint8_t *src = calloc(1, payload + 1u);
	struct ring_sg sg = { src, payload };
	struct ring r;
	bool sig;

	if (ring_attach_producer(&r, mem, len) == 0) {
		for (int i = 0; i < 8; i++) {
			int rc = ring_send(&r, RING_PKT_DATA_INBAND, 0, (uint64_t)i, &sg, 1, &sig);

			if (rc == 0 && (h->write_index >= dsize || h->write_index % 8 != 0))
				abort();
			if (rc != 0)
				break;
		}
		(void)ring_request_space(&r, payload);
		if (r.peer >= dsize || r.peer % 8 != 0)
			abort();
	}
	free(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ring_shared hdr;
	uint32_t dsize;
	uint8_t *mem;

	if (size < FIELDS)
		return 0;
	dsize = (uint32_t)((size - FIELDS) & ~(size_t)7);
	if (dsize == 0)
		dsize = 8;
	mem = calloc(1, RING_HEADER_SIZE + dsize);   /* exact size: ASan sees any overrun */
	memset(&hdr, 0, sizeof(hdr));
	memcpy(&hdr, data, 16);
	memcpy(&hdr.feature_bits, data + 16, 4);
	memcpy(mem, &hdr, sizeof(hdr));
	memcpy(mem + RING_HEADER_SIZE, data + FIELDS,
	       size - FIELDS < dsize ? size - FIELDS : dsize);
	consume(mem, RING_HEADER_SIZE + dsize, dsize);
	memcpy(mem, &hdr, sizeof(hdr));
	produce(mem, RING_HEADER_SIZE + dsize, dsize, data[20]);
	free(mem);
	return 0;
}
