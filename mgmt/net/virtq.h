/*
 * A split virtqueue (virtio 1.0, section 2.4) as the driver side keeps
 * it: descriptor table, available ring (driver -> device) and used ring
 * (device -> driver), each one buffer per descriptor (no chains, no
 * indirect descriptors).  Pure memory operations, no registers: the
 * caller notifies the device; built for the host unit tests too
 * (tests/unit/test_nic_rings.c), where a fake device plays the other side.
 *
 * Everything the device writes is checked before use (virtq_get_used):
 * the used index may not run ahead of what the device holds, an id must
 * name a descriptor the device holds, and the length written back must fit
 * the buffer.  Lengths and ownership are kept in the driver's own copy
 * (struct virtq), never read back from the shared table, which a device
 * could overwrite.
 *
 * Memory-ordering rules (x86: stores are not reordered with stores, loads
 * not with loads, a load may pass an earlier store):
 * 1. Driver: descriptor, then avail->ring[slot], then avail->idx.  Release
 *    fences (compiler barriers on x86) keep the program order.
 * 2. Driver: avail->idx store, then the read of used->flags that decides
 *    whether to notify: a full fence (MFENCE), or the device's "no notify"
 *    could be read from before it saw the new index and a notification
 *    lost.
 * 3. Device: used->ring[] entries before used->idx; driver: used->idx
 *    before the entries (an acquire fence, a compiler barrier on x86).
 */
#ifndef MGMT_NET_VIRTQ_H
#define MGMT_NET_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>

#define VIRTQ_MAX_SIZE 256u

/* Descriptor table entry (16 bytes, little-endian, alignment 16). */
struct virtq_desc {
	uint64_t addr;          /* device address of the buffer */
	uint32_t len;
	uint16_t flags;         /* VIRTQ_DESC_F_* */
	uint16_t next;          /* with F_NEXT: unused here */
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtq descriptor layout");

#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u   /* the device writes the buffer (receive) */

/* Available ring: flags, idx, ring[size], used_event (alignment 2). */
struct virtq_avail {
	uint16_t flags;         /* VIRTQ_AVAIL_F_NO_INTERRUPT */
	uint16_t idx;           /* free-running: where the driver puts the next entry */
	uint16_t ring[VIRTQ_MAX_SIZE];
	uint16_t used_event;    /* only with VIRTIO_F_EVENT_IDX: unused */
};
_Static_assert(sizeof(struct virtq_avail) == 4 + 2 * VIRTQ_MAX_SIZE + 2, "virtq avail layout");

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u

struct virtq_used_elem {
	uint32_t id;            /* head descriptor of the buffer */
	uint32_t len;           /* bytes the device wrote into it */
};

/* Used ring: flags, idx, ring[size], avail_event (alignment 4). */
struct virtq_used {
	uint16_t flags;         /* VIRTQ_USED_F_NO_NOTIFY */
	uint16_t idx;           /* free-running: entries the device has written */
	struct virtq_used_elem ring[VIRTQ_MAX_SIZE];
	uint16_t avail_event;
};
_Static_assert(sizeof(struct virtq_used) == 4 + 8 * VIRTQ_MAX_SIZE + 2 + 2, "virtq used layout");

#define VIRTQ_USED_F_NO_NOTIFY 1u

struct virtq {
	uint16_t size;                  /* entries in use, <= VIRTQ_MAX_SIZE */
	volatile struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	uint16_t avail_idx;             /* our copy of avail->idx */
	uint16_t last_used;             /* the next used entry to read */
	uint16_t held;                  /* buffers the device holds now */
	bool device_holds[VIRTQ_MAX_SIZE];
	uint32_t buf_len[VIRTQ_MAX_SIZE];
	bool device_writes[VIRTQ_MAX_SIZE];
};

/* What virtq_get_used found; the negative ones mean the device misbehaved. */
enum virtq_result {
	VIRTQ_OK = 0,
	VIRTQ_EMPTY = 1,        /* nothing new */
	VIRTQ_E_IDX = -1,       /* used->idx ran ahead of the buffers the device holds */
	VIRTQ_E_ID = -2,        /* an id beyond the queue */
	VIRTQ_E_NOT_HELD = -3,  /* an id the device does not hold (twice, or never given) */
	VIRTQ_E_LEN = -4,       /* more bytes written than the buffer has */
};

/*
 * Sets q up over the three areas (zeroed here), size a power of two up to
 * VIRTQ_MAX_SIZE; false otherwise.  The device is told the areas' device
 * addresses by the caller.  Interrupts are suppressed
 * (VIRTQ_AVAIL_F_NO_INTERRUPT): the root polls.
 */
bool virtq_init(struct virtq *q, uint16_t size, volatile struct virtq_desc *desc,
		volatile struct virtq_avail *avail, volatile struct virtq_used *used);

/*
 * Gives descriptor id (< size, not held by the device) with buffer
 * [addr, addr + len) to the device and publishes it in the available ring.
 * false if id is out of range or already held.
 */
bool virtq_give(struct virtq *q, uint16_t id, uint64_t addr, uint32_t len, bool device_writes);
/* Whether the device asked to be notified of new buffers (rule 2 applies). */
bool virtq_wants_notify(const struct virtq *q);
/* A used entry waits (one read of used->idx). */
bool virtq_has_used(const struct virtq *q);
/* Takes the next used entry into *id and *len, checked; see enum virtq_result. */
enum virtq_result virtq_get_used(struct virtq *q, uint16_t *id, uint32_t *len);
/* A name for a result, for the console line of a reset. */
const char *virtq_strerror(enum virtq_result r);

#endif
