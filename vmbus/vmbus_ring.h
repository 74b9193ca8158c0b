/*
 * One direction of a channel: a ring buffer in the Hyper-V layout, shared
 * between two partitions: a 4 KiB header page, then a data area of 8-byte
 * aligned packets with trailers.  Each side keeps its own index privately
 * and trusts nothing it reads from the page (ordering: vmbus_ring.c).
 */
#ifndef VMBUS_RING_H
#define VMBUS_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RING_HEADER_SIZE 4096u
#define RING_FEAT_PENDING_SEND_SZ 0x1u

/*
 * The shared header page.  Indices are byte offsets into the data area
 * that follows the page.  Each field has one writer: write_index and
 * pending_send_sz the producer, read_index and interrupt_mask the
 * consumer, feature_bits whoever set the ring up.
 */
struct ring_shared {
	uint32_t write_index;
	uint32_t read_index;
	uint32_t interrupt_mask;   /* consumer: 1 = "I am polling, do not signal me" */
	uint32_t pending_send_sz;  /* producer: bytes it waits for; 0 = not waiting */
	uint32_t reserved1[12];
	uint32_t feature_bits;     /* RING_FEAT_PENDING_SEND_SZ */
	uint8_t reserved2[RING_HEADER_SIZE - 68];
};

_Static_assert(sizeof(struct ring_shared) == RING_HEADER_SIZE, "ring header page");
_Static_assert(__builtin_offsetof(struct ring_shared, interrupt_mask) == 8, "interrupt_mask");
_Static_assert(__builtin_offsetof(struct ring_shared, pending_send_sz) == 12, "pending_send_sz");
_Static_assert(__builtin_offsetof(struct ring_shared, feature_bits) == 64, "feature_bits");

/* Packet descriptor at the start of every packet (Linux's vmpacket_descriptor). */
struct ring_desc {
	uint16_t type;             /* RING_PKT_* */
	uint16_t offset8;          /* payload offset from the descriptor, in 8-byte units */
	uint16_t len8;             /* packet length without trailer, in 8-byte units */
	uint16_t flags;            /* RING_PKT_FLAG_* */
	uint64_t trans_id;         /* request id, echoed in the answer */
} __attribute__((packed));

_Static_assert(sizeof(struct ring_desc) == 16, "packet descriptor");

#define RING_PKT_DATA_INBAND 0x6u
#define RING_PKT_DATA_XFER_PAGES 0x7u
#define RING_PKT_DATA_GPA_DIRECT 0x9u
#define RING_PKT_COMP 0xbu
#define RING_PKT_FLAG_COMPLETION_REQUESTED 0x1u

#define RING_TRAILER_SIZE 8u       /* u64: the producer's old write index << 32 */
#define RING_SG_MAX 8u

/* A gather element for ring_write / ring_send. */
struct ring_sg {
	const void *base;
	size_t len;
};

/*
 * One side's view of a ring; each partition (each thread, on a host) has
 * its own, so the producer's and the consumer's private fields never share
 * a cache line unless the owner puts the two objects side by side.
 */
struct ring {
	volatile struct ring_shared *hdr;
	uint8_t *data;
	uint32_t size;             /* bytes of the data area */
	uint32_t index;            /* our private index: write (producer) or read (consumer) */
	uint32_t peer;             /* the peer's index as last read and checked (see vmbus_ring.c) */
	uint32_t published;        /* consumer: read index last stored in hdr */
	uint32_t pending;          /* producer: pending_send_sz we asked for */
};

/* A packet found by ring_peek: the descriptor as copied out, and where the payload lies. */
struct ring_packet {
	uint16_t type;
	uint16_t flags;
	uint64_t trans_id;
	uint32_t payload_offset;   /* in the data area, already wrapped */
	uint32_t payload_len;
	uint32_t total_len;        /* packet + trailer: how far the read index moves */
};

/*
 * Prepares fresh ring memory (header page + data area, len bytes):
 * indices zero, feature bits as given.  Only the side that owns the
 * memory (the guest) does this, before the channel is opened.
 */
int ring_init_memory(void *mem, size_t len, uint32_t feature_bits);

/*
 * Attaches to ring memory of len bytes as producer or consumer.  The data
 * area must be a non-zero multiple of 8 bytes below 2 GiB.  Our own index
 * is taken from the page once (it is 0 for a fresh ring) and checked.
 * Returns 0, -VMBUS_E_INVAL or -VMBUS_E_CORRUPT.
 */
int ring_attach_producer(struct ring *r, void *mem, size_t len);
int ring_attach_consumer(struct ring *r, void *mem, size_t len);

/* ---- Producer ---- */

/*
 * Writes one packet gathered from sg[0..n) (8-byte padding and the trailer
 * are added) and publishes it.  *signal says whether the consumer must be
 * interrupted: only when the ring was empty before and its interrupt_mask
 * is clear.  Returns 0, -VMBUS_E_FULL (no room now; nothing written),
 * -VMBUS_E_TOOBIG (can never fit), -VMBUS_E_CORRUPT (read_index invalid).
 */
int ring_write(struct ring *r, const struct ring_sg *sg, size_t n, bool *signal);

/* Puts the descriptor {type, flags, trans_id} before the payload sg[0..n), n < RING_SG_MAX. */
int ring_send(struct ring *r, uint16_t type, uint16_t flags, uint64_t trans_id,
	      const struct ring_sg *sg, size_t n, bool *signal);

/* Bytes a packet with payload_len bytes takes in the ring (descriptor, padding, trailer). */
uint32_t ring_packet_space(uint32_t payload_len);

/*
 * For a producer that found the ring full: asks to be signalled once more
 * than `needed` bytes are free (needed 0 withdraws the request).  Returns 1
 * if the space is already there (request withdrawn), 0 if the producer
 * should wait for the signal, -VMBUS_E_CORRUPT.
 */
int ring_request_space(struct ring *r, uint32_t needed);

/* ---- Consumer ---- */

/* Validates the next unread packet.  Returns 0, -VMBUS_E_EMPTY or -VMBUS_E_CORRUPT. */
int ring_peek(struct ring *r, struct ring_packet *p);

/* Copies len payload bytes starting skip bytes into p's payload. */
int ring_copy(const struct ring *r, const struct ring_packet *p, uint32_t skip,
	      void *dst, uint32_t len);

/*
 * ring_peek + copy of the whole payload into buf + ring_skip.  When the
 * payload exceeds cap, returns -VMBUS_E_NOSPACE and leaves the packet
 * (p->payload_len says how much room it needs).
 */
int ring_read(struct ring *r, struct ring_packet *p, void *buf, uint32_t cap);

/* Moves our private read index past p (from ring_peek); the producer sees it at ring_commit. */
void ring_skip(struct ring *r, const struct ring_packet *p);

/*
 * Publishes the read index.  *signal says whether the producer must be
 * interrupted: it asked (pending_send_sz, with the feature bit set) for
 * more free space than there was before this commit and now there is.
 * Returns 0 or -VMBUS_E_CORRUPT (write_index invalid; read index published).
 */
int ring_commit(struct ring *r, bool *signal);

/* Consumer polling: mask the producer's signals while draining. */
void ring_mask_interrupts(struct ring *r);
/* Unmasks; returns true if data arrived meanwhile (drain again, no signal will come). */
bool ring_unmask_interrupts(struct ring *r);

/* Bytes readable / free as seen now (0 if the peer's index is invalid). */
uint32_t ring_bytes_to_read(const struct ring *r);
uint32_t ring_bytes_to_write(const struct ring *r);

#endif
