/*
 * Ring buffer producer and consumer (vmbus_ring.h): packet layout,
 * validation of everything read from the shared page, signalling rules.
 */
#include "vmbus_ring.h"
#include "vmbus_err.h"

#include <lib/string.h>

/*
 * Memory ordering.  The two sides run in different partitions on
 * different CPUs and share only this memory, so every index access is an
 * __atomic builtin; on x86 (TSO) acquire loads and release stores are
 * plain moves that also stop the compiler from reordering, and a
 * sequentially consistent fence is MFENCE (a locked instruction costs the
 * same on the CPUs we measured).
 *  - Producer: acquire-load read_index (the consumer's copies out of the
 *    space it freed are done before we overwrite it), write the packet,
 *    release-store write_index (the packet is visible before the index
 *    that covers it).
 *  - Consumer: acquire-load write_index (packet bytes are read after the
 *    index that published them), copy out, release-store read_index.
 *  - Signalling decisions read the other side's fields after our own
 *    store.  x86 may let a load pass an earlier store (store buffer), so a
 *    full fence sits between them; each fence pairs with the peer's, which
 *    guarantees at least one side sees the other's update and no wake-up
 *    is lost.  This is one fence per write and one per commit: the rule
 *    (signal only on empty -> non-empty) cannot be decided without it.
 *  - Cached peer index (struct ring.peer): each side keeps the last value
 *    of the peer's index that it loaded with acquire and checked, and
 *    reloads it only when that value says "full" (producer) or "empty"
 *    (consumer), and whenever a signalling decision loads it anyway.  A
 *    stale value is always safe: the peer's index only moves forward, so
 *    a stale read_index under-states the free space and a stale
 *    write_index under-states the data, and the acquire that produced the
 *    value already ordered everything it covers.  It saves a load of the
 *    header's cache line, which the peer keeps writing, per packet.
 * Every index read from the page is checked (inside the data area, 8-byte
 * aligned) and packets are copied out before they are checked, so a peer
 * rewriting the page cannot make us read or write outside it.  A peer
 * that moves its index backwards or sideways only confuses its own
 * traffic; at worst we see a packet that fails the checks (CORRUPT), and
 * then the cached index is dropped so the next call reloads it.
 */

#define RING_DATA_MAX 0x80000000u

static inline uint32_t load_acquire(volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store_release(volatile uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline void full_fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline uint32_t align8(uint32_t v)
{
	return (v + 7u) & ~7u;
}

static inline bool index_valid(const struct ring *r, uint32_t idx)
{
	return idx < r->size && idx % 8 == 0;
}

/*
 * Offset back into the data area.  Callers add at most one ring size to an
 * offset already inside it (packets are smaller than the ring), so one
 * subtraction does, without a division on the fast path.
 */
static inline uint32_t wrap(const struct ring *r, uint64_t off)
{
	return (uint32_t)(off >= r->size ? off - r->size : off);
}

/* Bytes between a read and a write index (indices already checked). */
static inline uint32_t used_bytes(const struct ring *r, uint32_t write, uint32_t read)
{
	return write >= read ? write - read : r->size - read + write;
}

/* Copies in at off, wrapping at the end of the data area (one call in the common case). */
static void copy_to_ring(struct ring *r, uint32_t off, const void *src, uint32_t len)
{
	uint32_t first = r->size - off;

	if (len <= first) {
		memcpy(r->data + off, src, len);
		return;
	}
	memcpy(r->data + off, src, first);
	memcpy(r->data, (const uint8_t *)src + first, len - first);
}

static void copy_from_ring(const struct ring *r, uint32_t off, void *dst, uint32_t len)
{
	uint32_t first = r->size - off;

	if (len <= first) {
		memcpy(dst, r->data + off, len);
		return;
	}
	memcpy(dst, r->data + off, first);
	memcpy((uint8_t *)dst + first, r->data, len - first);
}

static int check_memory(void *mem, size_t len)
{
	if (mem == NULL || len <= RING_HEADER_SIZE)
		return -VMBUS_E_INVAL;
	len -= RING_HEADER_SIZE;
	if (len % 8 != 0 || len >= RING_DATA_MAX)
		return -VMBUS_E_INVAL;
	return 0;
}

int ring_init_memory(void *mem, size_t len, uint32_t feature_bits)
{
	volatile struct ring_shared *h = mem;
	int err = check_memory(mem, len);

	if (err)
		return err;
	memset(mem, 0, RING_HEADER_SIZE);
	h->feature_bits = feature_bits;
	full_fence();
	return 0;
}

static int attach(struct ring *r, void *mem, size_t len, bool producer)
{
	int err = check_memory(mem, len);

	if (err)
		return err;
	memset(r, 0, sizeof(*r));
	r->hdr = mem;
	r->data = (uint8_t *)mem + RING_HEADER_SIZE;
	r->size = (uint32_t)(len - RING_HEADER_SIZE);
	r->index = load_acquire(producer ? &r->hdr->write_index : &r->hdr->read_index);
	if (!index_valid(r, r->index))
		return -VMBUS_E_CORRUPT;
	r->published = r->index;
	/*
	 * No peer index cached yet.  For the consumer peer == index reads as
	 * "empty", for the producer a read index just past its own as "8 bytes
	 * free": either way the first peek or write loads the real one.
	 */
	r->peer = producer ? wrap(r, (uint64_t)r->index + 8u) : r->index;
	return 0;
}

int ring_attach_producer(struct ring *r, void *mem, size_t len)
{
	return attach(r, mem, len, true);
}

int ring_attach_consumer(struct ring *r, void *mem, size_t len)
{
	return attach(r, mem, len, false);
}

uint32_t ring_bytes_to_read(const struct ring *r)
{
	uint32_t write = load_acquire(&r->hdr->write_index);

	return index_valid(r, write) ? used_bytes(r, write, r->index) : 0;
}

uint32_t ring_bytes_to_write(const struct ring *r)
{
	uint32_t read = load_acquire(&r->hdr->read_index);

	return index_valid(r, read) ? r->size - used_bytes(r, r->index, read) : 0;
}

uint32_t ring_packet_space(uint32_t payload_len)
{
	return align8((uint32_t)sizeof(struct ring_desc) + payload_len) + RING_TRAILER_SIZE;
}

/* Sum of the gather list, or UINT32_MAX when it cannot be a packet. */
static uint32_t sg_total(const struct ring_sg *sg, size_t n)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += sg[i].len;
	return sum >= RING_DATA_MAX ? UINT32_MAX : (uint32_t)sum;
}

/* Loads read_index into the cache; false if it is invalid (cache left alone). */
static bool producer_refresh(struct ring *r)
{
	/* Acquire: the consumer's copies out of the space it freed are done. */
	uint32_t read = load_acquire(&r->hdr->read_index);

	if (!index_valid(r, read))
		return false;
	r->peer = read;
	return true;
}

/*
 * Room for total bytes, strictly more (a full ring would look empty).
 * The cached read index is tried first; only when it says "no room" is
 * the page read.  Returns 0, -VMBUS_E_FULL or -VMBUS_E_CORRUPT.
 */
static int producer_room(struct ring *r, uint32_t total)
{
	if (r->size - used_bytes(r, r->index, r->peer) > total)
		return 0;
	if (!producer_refresh(r))
		return -VMBUS_E_CORRUPT;
	return r->size - used_bytes(r, r->index, r->peer) > total ? 0 : -VMBUS_E_FULL;
}

/* After publishing: interrupt only a consumer that may be idle on an empty ring. */
static bool writer_must_signal(struct ring *r, uint32_t old_write)
{
	uint32_t read;

	full_fence();   /* write_index store before the interrupt_mask load (see top) */
	if (load_acquire(&r->hdr->interrupt_mask) != 0)
		return false;
	read = load_acquire(&r->hdr->read_index);
	if (index_valid(r, read))
		r->peer = read;   /* fresh anyway: saves a reload when the cache runs out */
	return read == old_write;
}

/*
 * Asks for ownership of the cache lines of the next packet of this size,
 * as far as the cached read index says they are free: the consumer is
 * done with them, and the full fence after the next write then does not
 * wait for their transfer from the consumer's cache.
 */
static void prefetch_next(const struct ring *r, uint32_t total)
{
	uint32_t start = r->index, free = r->size - used_bytes(r, r->index, r->peer);
	uint32_t len = total < free ? total : free;

	for (uint32_t i = 0; i < len; i += 64) {
		const uint8_t *line = r->data + wrap(r, (uint64_t)start + i);
#if defined(__x86_64__)
		__asm__ volatile("prefetchw %0" : : "m"(*line));
#else
		__builtin_prefetch(line, 1, 3);
#endif
	}
}

/* Copies len bytes in at *off and moves *off past them. */
static void put(struct ring *r, uint32_t *off, const void *src, uint32_t len)
{
	copy_to_ring(r, *off, src, len);
	*off = wrap(r, (uint64_t)*off + len);
}

/*
 * Writes [desc] + sg[0..n) + zero padding + trailer at our index and
 * publishes it.  len is the byte count of desc and sg together.  The
 * padding never wraps (the data area is a multiple of 8), so it and the
 * aligned 8-byte trailer are plain stores.
 */
static int ring_put(struct ring *r, const struct ring_desc *desc, uint32_t len,
		    const struct ring_sg *sg, size_t n, bool *signal)
{
	uint32_t total, old = r->index, off = old, pad;
	uint64_t trailer = (uint64_t)old << 32;
	int err;

	*signal = false;
	if (len == UINT32_MAX || (total = align8(len) + RING_TRAILER_SIZE) >= r->size)
		return -VMBUS_E_TOOBIG;
	err = producer_room(r, total);
	if (err)
		return err;
	if (desc != NULL && off + sizeof(*desc) <= r->size) {
		/* The usual case, not wrapped: a fixed-size copy the compiler inlines. */
		memcpy(r->data + off, desc, sizeof(*desc));
		off = wrap(r, (uint64_t)off + sizeof(*desc));
	} else if (desc != NULL) {
		put(r, &off, desc, (uint32_t)sizeof(*desc));
	}
	for (size_t i = 0; i < n; i++)
		put(r, &off, sg[i].base, (uint32_t)sg[i].len);
	pad = align8(off) - off;
	if (pad != 0) {
		memset(r->data + off, 0, pad);
		off = wrap(r, (uint64_t)off + pad);
	}
	memcpy(r->data + off, &trailer, sizeof(trailer));
	r->index = wrap(r, (uint64_t)off + sizeof(trailer));
	/* Release: the packet bytes above are visible before the index covering them. */
	store_release(&r->hdr->write_index, r->index);
	if (r->pending != 0) {
		/* We had asked for space; we got it, so withdraw the request. */
		store_release(&r->hdr->pending_send_sz, 0);
		r->pending = 0;
	}
	*signal = writer_must_signal(r, old);
	prefetch_next(r, total);
	return 0;
}

int ring_write(struct ring *r, const struct ring_sg *sg, size_t n, bool *signal)
{
	return ring_put(r, NULL, sg_total(sg, n), sg, n, signal);
}

int ring_send(struct ring *r, uint16_t type, uint16_t flags, uint64_t trans_id,
	      const struct ring_sg *sg, size_t n, bool *signal)
{
	struct ring_desc d;
	uint32_t len = sg_total(sg, n);

	*signal = false;
	if (n > RING_SG_MAX - 1)
		return -VMBUS_E_INVAL;
	if (len == UINT32_MAX || align8(len + (uint32_t)sizeof(d)) / 8u > UINT16_MAX)
		return -VMBUS_E_TOOBIG;
	d.type = type;
	d.offset8 = sizeof(d) / 8u;
	d.len8 = (uint16_t)(align8(len + (uint32_t)sizeof(d)) / 8u);
	d.flags = flags;
	d.trans_id = trans_id;
	return ring_put(r, &d, len + (uint32_t)sizeof(d), sg, n, signal);
}

int ring_request_space(struct ring *r, uint32_t needed)
{
	store_release(&r->hdr->pending_send_sz, needed);
	r->pending = needed;
	if (needed == 0)
		return 1;
	full_fence();   /* request visible before we re-check the consumer's progress */
	if (!producer_refresh(r))
		return -VMBUS_E_CORRUPT;
	if (r->size - used_bytes(r, r->index, r->peer) > needed) {
		store_release(&r->hdr->pending_send_sz, 0);
		r->pending = 0;
		return 1;
	}
	return 0;
}

/*
 * Bytes published and not yet read, from the cached write index; reloaded
 * only when that says the ring is empty.  Returns the count or, for an
 * invalid index, UINT32_MAX.
 */
static uint32_t consumer_avail(struct ring *r)
{
	uint32_t write;

	if (r->peer != r->index)
		return used_bytes(r, r->peer, r->index);
	/* Acquire: packet bytes are read only after the index that published them. */
	write = load_acquire(&r->hdr->write_index);
	if (!index_valid(r, write))
		return UINT32_MAX;
	r->peer = write;
	return used_bytes(r, write, r->index);
}

/* Checks the packet at our index against avail published bytes and describes it in p. */
static int parse_packet(const struct ring *r, uint32_t avail, struct ring_packet *p)
{
	struct ring_desc d;
	uint32_t len, off;

	if (avail < sizeof(d) + RING_TRAILER_SIZE)
		return -VMBUS_E_CORRUPT;
	/* Copy first, then check the copy: the peer may rewrite the ring meanwhile. */
	if (r->index + sizeof(d) <= r->size)
		memcpy(&d, r->data + r->index, sizeof(d));   /* not wrapped: inlined */
	else
		copy_from_ring(r, r->index, &d, sizeof(d));
	len = (uint32_t)d.len8 * 8u;
	off = (uint32_t)d.offset8 * 8u;
	if (len < sizeof(d) || off < sizeof(d) || off > len || len + RING_TRAILER_SIZE > avail)
		return -VMBUS_E_CORRUPT;
	p->type = d.type;
	p->flags = d.flags;
	p->trans_id = d.trans_id;
	p->payload_offset = wrap(r, (uint64_t)r->index + off);
	p->payload_len = len - off;
	p->total_len = len + RING_TRAILER_SIZE;
	return 0;
}

int ring_peek(struct ring *r, struct ring_packet *p)
{
	uint32_t avail = consumer_avail(r);
	int err;

	if (avail == UINT32_MAX)
		return -VMBUS_E_CORRUPT;
	if (avail == 0)
		return -VMBUS_E_EMPTY;
	err = parse_packet(r, avail, p);
	if (err)
		r->peer = r->index;   /* do not trust the cached index again: reload next time */
	return err;
}

int ring_copy(const struct ring *r, const struct ring_packet *p, uint32_t skip,
	      void *dst, uint32_t len)
{
	if ((uint64_t)skip + len > p->payload_len)
		return -VMBUS_E_INVAL;
	copy_from_ring(r, wrap(r, (uint64_t)p->payload_offset + skip), dst, len);
	return 0;
}

void ring_skip(struct ring *r, const struct ring_packet *p)
{
	r->index = wrap(r, (uint64_t)r->index + p->total_len);
}

int ring_read(struct ring *r, struct ring_packet *p, void *buf, uint32_t cap)
{
	int err = ring_peek(r, p);

	if (err)
		return err;
	if (p->payload_len > cap)
		return -VMBUS_E_NOSPACE;
	copy_from_ring(r, p->payload_offset, buf, p->payload_len);
	ring_skip(r, p);
	return 0;
}

int ring_commit(struct ring *r, bool *signal)
{
	uint32_t old = r->published, pending, write, free_now, freed, free_before;

	*signal = false;
	if (r->index == old)
		return 0;
	/* Release: our copies out of the packets are done before the space is handed back. */
	store_release(&r->hdr->read_index, r->index);
	r->published = r->index;
	if (!(load_acquire(&r->hdr->feature_bits) & RING_FEAT_PENDING_SEND_SZ))
		return 0;
	full_fence();   /* read_index store before the pending_send_sz load (see top) */
	pending = load_acquire(&r->hdr->pending_send_sz);
	if (pending == 0)
		return 0;
	write = load_acquire(&r->hdr->write_index);
	if (!index_valid(r, write))
		return -VMBUS_E_CORRUPT;
	free_now = r->size - used_bytes(r, write, r->index);
	freed = used_bytes(r, r->index, old);
	/* If the producer wrote meanwhile the arithmetic is ambiguous: prefer a spare signal. */
	free_before = freed < free_now ? free_now - freed : 0;
	*signal = free_before <= pending && pending < free_now;
	return 0;
}

void ring_mask_interrupts(struct ring *r)
{
	store_release(&r->hdr->interrupt_mask, 1);
}

bool ring_unmask_interrupts(struct ring *r)
{
	uint32_t write;

	store_release(&r->hdr->interrupt_mask, 0);
	full_fence();   /* unmask visible before we look for packets that raced it */
	write = load_acquire(&r->hdr->write_index);
	return !index_valid(r, write) || write != r->index;
}
