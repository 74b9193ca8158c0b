/*
 * Split virtqueues, the driver's side (virtq.h, which states the
 * memory-ordering rules the fences below keep).  No allocation, no
 * registers, no logging: virtio_net.c owns the memory, notifies the
 * device and reports what goes wrong.
 */
#include "virtq.h"

/* Rules 1 and 3: program order is enough on x86, the compiler must keep it. */
static inline void order_stores(void)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void order_loads(void)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

/* Rule 2: a store, then a load that must see the device's view after it. */
static inline void full_fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool virtq_init(struct virtq *q, uint16_t size, volatile struct virtq_desc *desc,
		volatile struct virtq_avail *avail, volatile struct virtq_used *used)
{
	if (size == 0 || size > VIRTQ_MAX_SIZE || (size & (size - 1)) != 0)
		return false;
	q->size = size;
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	q->avail_idx = q->last_used = q->held = 0;
	for (unsigned int i = 0; i < VIRTQ_MAX_SIZE; i++) {
		desc[i].addr = 0;
		desc[i].len = 0;
		desc[i].flags = 0;
		desc[i].next = 0;
		avail->ring[i] = 0;
		used->ring[i].id = 0;
		used->ring[i].len = 0;
		q->device_holds[i] = false;
		q->buf_len[i] = 0;
		q->device_writes[i] = false;
	}
	avail->idx = 0;
	avail->used_event = 0;
	avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	used->flags = 0;
	used->idx = 0;
	used->avail_event = 0;
	return true;
}

bool virtq_give(struct virtq *q, uint16_t id, uint64_t addr, uint32_t len, bool device_writes)
{
	if (id >= q->size || q->device_holds[id])
		return false;
	q->desc[id].addr = addr;
	q->desc[id].len = len;
	q->desc[id].flags = device_writes ? VIRTQ_DESC_F_WRITE : 0;
	q->desc[id].next = 0;
	q->buf_len[id] = len;
	q->device_writes[id] = device_writes;
	q->device_holds[id] = true;
	q->held++;
	q->avail->ring[q->avail_idx % q->size] = id;
	order_stores(); /* rule 1: descriptor and ring entry before the index */
	q->avail_idx++;
	q->avail->idx = q->avail_idx;
	return true;
}

bool virtq_wants_notify(const struct virtq *q)
{
	full_fence(); /* rule 2 */
	return !(q->used->flags & VIRTQ_USED_F_NO_NOTIFY);
}

bool virtq_has_used(const struct virtq *q)
{
	return q->used->idx != q->last_used;
}

enum virtq_result virtq_get_used(struct virtq *q, uint16_t *id, uint32_t *len)
{
	uint16_t idx = q->used->idx, ready = (uint16_t)(idx - q->last_used);
	uint32_t elem_id, elem_len;

	if (ready == 0)
		return VIRTQ_EMPTY;
	if (ready > q->held)
		return VIRTQ_E_IDX;
	order_loads(); /* rule 3: the index before the entry */
	/* Read once: the device could change the entry between check and use. */
	elem_id = q->used->ring[q->last_used % q->size].id;
	elem_len = q->used->ring[q->last_used % q->size].len;
	if (elem_id >= q->size)
		return VIRTQ_E_ID;
	if (!q->device_holds[elem_id])
		return VIRTQ_E_NOT_HELD;
	/* A buffer the device only reads is written 0 bytes; its len is ignored. */
	if (q->device_writes[elem_id] && elem_len > q->buf_len[elem_id])
		return VIRTQ_E_LEN;
	q->device_holds[elem_id] = false;
	q->held--;
	q->last_used++;
	*id = (uint16_t)elem_id;
	*len = q->device_writes[elem_id] ? elem_len : 0;
	return VIRTQ_OK;
}

const char *virtq_strerror(enum virtq_result r)
{
	switch (r) {
	case VIRTQ_OK:
		return "ok";
	case VIRTQ_EMPTY:
		return "empty";
	case VIRTQ_E_IDX:
		return "used index ahead of the buffers the device holds";
	case VIRTQ_E_ID:
		return "used id beyond the queue";
	case VIRTQ_E_NOT_HELD:
		return "used id of a buffer the device does not hold";
	case VIRTQ_E_LEN:
		return "used length longer than the buffer";
	}
	return "unknown";
}
