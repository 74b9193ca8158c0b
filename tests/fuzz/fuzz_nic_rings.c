/*
 * libFuzzer target: a hostile device against the root's NIC drivers'
 * checks.  The input scripts a fake device that writes used entries
 * (any id, any length), moves the used index anywhere and scribbles on
 * the shared descriptor table, interleaved with the driver taking used
 * entries (mgmt/net/virtq.c) and giving buffers back; and completed e1000
 * receive descriptors with any status, errors and length
 * (mgmt/net/e1000_desc.c).  Whatever the device does, the driver may only
 * accept an entry for a buffer it gave and has not taken back, with a
 * length that fits it, and an e1000 frame it delivers must fit its buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../mgmt/net/e1000.h"
#include "../../mgmt/net/e1000_regs.h"
#include "../../mgmt/net/virtq.h"
#include "fuzz_input.h"

#define BUF 2048u

static struct virtq_desc desc[VIRTQ_MAX_SIZE];
static struct virtq_avail avail;
static struct virtq_used used;
static struct virtq q;
static bool given[VIRTQ_MAX_SIZE];      /* the driver's side, kept by the harness */

/* The driver's reset: a fresh queue, every buffer given (receive, or transmit when odd). */
static void start(uint16_t size, bool device_writes)
{
	if (!virtq_init(&q, size, desc, &avail, &used))
		abort();
	for (uint16_t i = 0; i < size; i++) {
		if (!virtq_give(&q, i, 0x100000u + (uint64_t)i * BUF, BUF, device_writes))
			abort();
		given[i] = true;
	}
}

static void driver_take(bool device_writes)
{
	uint16_t id;
	uint32_t len;
	enum virtq_result r = virtq_get_used(&q, &id, &len);

	if (r == VIRTQ_OK) {
		if (id >= q.size || !given[id] || len > BUF || (!device_writes && len != 0))
			abort();
		given[id] = false;
		/* Given straight back, as the receive path does. */
		if (!virtq_give(&q, id, 0x100000u + (uint64_t)id * BUF, BUF, device_writes))
			abort();
		given[id] = true;
	} else if (r != VIRTQ_EMPTY) {
		if (virtq_strerror(r)[0] == '\0')
			abort();
		start(q.size, device_writes);
	}
	if (q.held > q.size)
		abort();
}

static void e1000_step(struct fuzz_input *in, bool *discarding)
{
	uint8_t status = (uint8_t)fuzz_take(in, 1), errors = (uint8_t)fuzz_take(in, 1);
	uint16_t length = (uint16_t)fuzz_take(in, 2);

	if (e1000_rx_check(status, errors, length, discarding) == E1000_RX_DELIVER &&
	    (length < NIC_MIN_FRAME || length > NIC_BUF_SIZE || (errors & E1000_RXD_ERR_FRAME) ||
	     !(status & E1000_RXD_STAT_EOP)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint16_t qsize = (uint16_t)(1u << (fuzz_take(&in, 1) % 9));
	bool device_writes = !(fuzz_take(&in, 1) & 1), discarding = false;

	memset(given, 0, sizeof(given));
	start(qsize, device_writes);
	while (in.left != 0) {
		switch (fuzz_take(&in, 1) % 5) {
		case 0: /* the device writes a used entry and publishes it */
			used.ring[used.idx % qsize].id = fuzz_take(&in, 2);
			used.ring[used.idx % qsize].len = fuzz_take(&in, 4);
			used.idx++;
			break;
		case 1: /* the device moves the used index anywhere */
			used.idx = (uint16_t)fuzz_take(&in, 2);
			break;
		case 2: /* the device rewrites a descriptor: the driver must not care */
			desc[fuzz_take(&in, 1) % qsize].len = fuzz_take(&in, 4);
			break;
		case 3:
			driver_take(device_writes);
			break;
		default:
			e1000_step(&in, &discarding);
			break;
		}
	}
	return 0;
}
