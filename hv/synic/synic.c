/*
 * SynIC per vCPU (see synic.h).  Ordering rules with the guest, which
 * reads the SIMP slots and SIEFP flags without exits:
 *  - a message is complete in its slot before message_type is stored
 *    (release); the guest frees a slot by storing message_type = 0 and
 *    then reads the slot's pending flag, with a full barrier between
 *    (kernel/synic.c: two sequentially consistent accesses);
 *  - when a slot is busy, hv queues the message, sets the slot's pending
 *    flag (a locked OR, a full barrier) and only then looks at the slot
 *    again.  The guest frees a slot and then reads the flag, so one of the
 *    two sees the other's store: either the guest writes EOM, or hv finds
 *    the slot free and fills it.  Looking only before setting the flag
 *    loses the race against a guest freeing the slot in between: the
 *    message then waits for the next post to this vCPU, which a bus
 *    waiting for that very message never sends;
 *  - on EOM, hv moves queued messages into free slots, in arrival order.
 * The queue is bounded (QUEUE_SLOTS per vCPU, QUEUE_PER_SENDER of them per
 * sending partition): a full queue refuses with INSUFFICIENT_BUFFERS.
 * An event flag is set with an atomic OR; the SINT is interrupted only
 * when the flag was clear, as the guest scans all flags per interrupt.
 */
#include <synic/synic.h>

#include <core/spinlock.h>
#include <part/partition.h>
#include <part/vcpu.h>

#include <lib/string.h>

#define QUEUE_SLOTS 15u
/*
 * The queue is shared by every partition posting to this vCPU: one that
 * floods may hold at most this many slots, so the others still get theirs
 * (it sees HV_STATUS_INSUFFICIENT_BUFFERS instead).
 */
#define QUEUE_PER_SENDER 8u

struct synic_queued {
	uint8_t sint;
	uint8_t reserved[7];
	struct hv_message message;
};

struct synic_queue {
	uint32_t head, count;
	struct synic_queued items[QUEUE_SLOTS];
};

_Static_assert(sizeof(struct synic_queue) <= PAGE_SIZE, "SynIC queue fits a page");

static struct page_pool *queue_pool;

void synic_init(struct page_pool *pool)
{
	queue_pool = pool;
}

static void lock(struct synic *s)
{
	spin_lock((struct spinlock *)&s->lock);
}

static void unlock(struct synic *s)
{
	spin_unlock((struct spinlock *)&s->lock);
}

void synic_reset(struct vcpu *v)
{
	struct synic *s = &v->synic;

	lock(s);
	s->scontrol = s->simp = s->siefp = 0;
	for (uint32_t i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		s->sint[i] = HV_SYNIC_SINT_MASKED;
	s->simp_page = NULL;
	s->siefp_page = NULL;
	if (s->queue != NULL)
		s->queue->count = 0;
	unlock(s);
}

/* Interrupts the guest on SINT sint unless it is masked or the SynIC is off. */
static void raise_sint(struct vcpu *v, uint8_t sint)
{
	uint64_t reg = v->synic.sint[sint];

	if (!(v->synic.scontrol & HV_SYNIC_ENABLE) || (reg & HV_SYNIC_SINT_MASKED))
		return;
	vcpu_raise_interrupt(v, (uint8_t)(reg & HV_SYNIC_SINT_VECTOR_MASK));
}

bool synic_vector_auto_eoi(const struct vcpu *v, uint8_t vector)
{
	for (uint32_t i = 0; i < HV_SYNIC_SINT_COUNT; i++) {
		uint64_t reg = __atomic_load_n(&v->synic.sint[i], __ATOMIC_RELAXED);

		if (!(reg & HV_SYNIC_SINT_MASKED) && (reg & HV_SYNIC_SINT_AUTO_EOI) &&
		    (reg & HV_SYNIC_SINT_VECTOR_MASK) == vector)
			return true;
	}
	return false;
}

/* Copies m into the slot of its SINT if free; true when delivered. */
static bool slot_fill(struct synic *s, uint8_t sint, const struct hv_message *m)
{
	struct hv_message *slot = &s->simp_page[sint];

	if (__atomic_load_n(&slot->message_type, __ATOMIC_ACQUIRE) != HV_MESSAGE_NONE)
		return false;
	slot->payload_size = m->payload_size;
	slot->message_flags = 0;
	slot->sender = m->sender;
	memcpy(slot->payload, m->payload, m->payload_size);
	__atomic_store_n(&slot->message_type, m->message_type, __ATOMIC_RELEASE);
	return true;
}

/*
 * Fills the slot, or sets its pending flag and then tries once more (the
 * ordering rule at the top of this file); true when m was delivered.
 */
static bool slot_fill_or_flag(struct synic *s, uint8_t sint, const struct hv_message *m)
{
	if (slot_fill(s, sint, m))
		return true;
	__atomic_or_fetch(&s->simp_page[sint].message_flags, HV_MESSAGE_FLAG_PENDING,
			  __ATOMIC_SEQ_CST);
	return slot_fill(s, sint, m);
}

/* Moves queued messages into free slots; returns a bitmap of SINTs filled. */
static uint32_t queue_flush(struct synic *s)
{
	struct synic_queue *q = s->queue;
	uint32_t filled = 0, blocked = 0, kept = 0;

	for (uint32_t i = 0; q != NULL && i < q->count; i++) {
		struct synic_queued *item = &q->items[(q->head + i) % QUEUE_SLOTS];

		/* Keep per-SINT order: once a SINT is blocked, later ones wait too. */
		if (!(blocked & (1u << item->sint)) && slot_fill_or_flag(s, item->sint, &item->message)) {
			filled |= 1u << item->sint;
			continue;
		}
		blocked |= 1u << item->sint;
		q->items[(q->head + kept++) % QUEUE_SLOTS] = *item;
	}
	if (q != NULL)
		q->count = kept;
	return filled;
}

static bool queue_push(struct synic *s, uint8_t sint, const struct hv_message *m)
{
	struct synic_queue *q = s->queue;

	if (q == NULL) {
		q = (struct synic_queue *)page_alloc(queue_pool, 1, 1);
		if (q == NULL)
			return false;
		q->head = q->count = 0;
		s->queue = q;
	}
	if (q->count == QUEUE_SLOTS)
		return false;
	for (uint32_t i = 0, mine = 0; i < q->count; i++)
		if (q->items[(q->head + i) % QUEUE_SLOTS].message.sender == m->sender &&
		    ++mine == QUEUE_PER_SENDER)
			return false;
	q->items[(q->head + q->count++) % QUEUE_SLOTS] = (struct synic_queued){ .sint = sint,
										.message = *m };
	return true;
}

static void raise_filled(struct vcpu *v, uint32_t filled)
{
	for (uint8_t sint = 0; sint < HV_SYNIC_SINT_COUNT; sint++) {
		if (filled & (1u << sint))
			raise_sint(v, sint);
	}
}

uint16_t synic_post(struct vcpu *v, uint8_t sint, uint32_t type, uint64_t sender,
		    const void *payload, uint32_t size)
{
	struct synic *s = &v->synic;
	struct hv_message m = { .message_type = type, .payload_size = (uint8_t)size,
				.sender = sender };
	uint16_t status = HV_STATUS_SUCCESS;
	uint32_t filled = 0;

	if (size > HV_MESSAGE_PAYLOAD_SIZE || sint >= HV_SYNIC_SINT_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	memcpy(m.payload, payload, size);
	lock(s);
	if (s->simp_page == NULL || !(s->scontrol & HV_SYNIC_ENABLE))
		status = HV_STATUS_INVALID_PARTITION_STATE;
	else if (!queue_push(s, sint, &m))
		status = HV_STATUS_INSUFFICIENT_BUFFERS;
	else
		filled = queue_flush(s);
	unlock(s);
	raise_filled(v, filled);
	return status;
}

uint16_t synic_signal(struct vcpu *v, uint8_t sint, uint32_t flag)
{
	struct synic *s = &v->synic;
	uint16_t status = HV_STATUS_INVALID_PARTITION_STATE;
	uint8_t *flags, bit;
	bool was_set = true;

	if (flag >= HV_EVENT_FLAGS_PER_SINT || sint >= HV_SYNIC_SINT_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	lock(s);
	if (s->siefp_page != NULL && (s->scontrol & HV_SYNIC_ENABLE)) {
		flags = s->siefp_page + sint * (HV_EVENT_FLAGS_PER_SINT / 8);
		bit = (uint8_t)(1u << (flag % 8));
		was_set = __atomic_fetch_or(&flags[flag / 8], bit, __ATOMIC_ACQ_REL) & bit;
		status = HV_STATUS_SUCCESS;
	}
	unlock(s);
	if (!was_set)
		raise_sint(v, sint);
	return status;
}

bool synic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *value)
{
	struct synic *s = &v->synic;

	if (msr == HV_X64_MSR_SCONTROL)
		*value = s->scontrol;
	else if (msr == HV_X64_MSR_SVERSION)
		*value = HV_SYNIC_VERSION;
	else if (msr == HV_X64_MSR_SIEFP)
		*value = s->siefp;
	else if (msr == HV_X64_MSR_SIMP)
		*value = s->simp;
	else if (msr == HV_X64_MSR_EOM)
		*value = 0;
	else if (msr >= HV_X64_MSR_SINT0 && msr <= HV_X64_MSR_SINT15)
		*value = s->sint[msr - HV_X64_MSR_SINT0];
	else
		return false;
	return true;
}

/* SIMP or SIEFP: a page of the partition's RAM, or nothing when disabled. */
static int set_page(struct vcpu *v, uint64_t value, uint64_t *reg, void **host)
{
	void *page = NULL;

	if (value & HV_SYNIC_ENABLE) {
		page = partition_gpa_to_host(v->partition, value & HV_HYPERCALL_GPA_MASK, PAGE_SIZE);
		if (page == NULL)
			return -1;
	}
	*reg = value & (HV_HYPERCALL_GPA_MASK | HV_SYNIC_ENABLE);
	*host = page;
	return 0;
}

int synic_msr_write(struct vcpu *v, uint32_t msr, uint64_t value)
{
	struct synic *s = &v->synic;
	uint32_t filled = 0;
	int rc = 0;

	if (msr != HV_X64_MSR_SCONTROL && msr != HV_X64_MSR_SIMP && msr != HV_X64_MSR_SIEFP &&
	    msr != HV_X64_MSR_EOM && (msr < HV_X64_MSR_SINT0 || msr > HV_X64_MSR_SINT15))
		return msr == HV_X64_MSR_SVERSION ? -1 : 1;
	lock(s);
	if (msr == HV_X64_MSR_SCONTROL) {
		s->scontrol = value & HV_SYNIC_ENABLE;
	} else if (msr == HV_X64_MSR_SIMP) {
		rc = set_page(v, value, &s->simp, (void **)&s->simp_page);
	} else if (msr == HV_X64_MSR_SIEFP) {
		rc = set_page(v, value, &s->siefp, (void **)&s->siefp_page);
	} else if (msr == HV_X64_MSR_EOM) {
		filled = s->simp_page != NULL ? queue_flush(s) : 0;
	} else if ((value & HV_SYNIC_SINT_VECTOR_MASK) < 16 && !(value & HV_SYNIC_SINT_MASKED)) {
		rc = -1; /* vectors 0-15 are exceptions, not interrupts */
	} else {
		s->sint[msr - HV_X64_MSR_SINT0] =
			value & (HV_SYNIC_SINT_VECTOR_MASK | HV_SYNIC_SINT_MASKED | HV_SYNIC_SINT_AUTO_EOI);
	}
	unlock(s);
	raise_filled(v, filled);
	return rc;
}
