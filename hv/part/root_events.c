/*
 * The root's state-change event ring (see events.h).  hv is the only
 * producer; CPUs that change states concurrently serialise on a lock.
 * The event is complete in the ring before write_index moves (release
 * store), so a root that reads write_index with acquire sees whole
 * events.  The vector is queued on the root's first vCPU, whose CPU is
 * kicked so the interrupt is injected even while the root idles.
 */
#include <part/root_events.h>

#include <core/kick.h>
#include <core/spinlock.h>
#include <part/partition.h>
#include <plat/reftime.h>

#include <hv/hypercall.h>

static struct hv_event_ring *ring;
static uint8_t ring_vector;
static struct partition *ring_owner;
static struct spinlock ring_lock;

uint16_t events_set_ring(struct partition *root, uint64_t gpa, uint64_t vector)
{
	struct hv_event_ring *r;

	if (vector < 32 || vector > 255)
		return HV_STATUS_INVALID_PARAMETER;
	if (gpa & (PAGE_SIZE - 1))
		return HV_STATUS_INVALID_ALIGNMENT;
	r = partition_gpa_to_host(root, gpa, PAGE_SIZE);
	if (r == NULL)
		return HV_STATUS_INVALID_PARAMETER;
	spin_lock(&ring_lock);
	r->write_index = r->read_index = r->dropped = 0;
	ring = r;
	ring_vector = (uint8_t)vector;
	ring_owner = root;
	spin_unlock(&ring_lock);
	return HV_STATUS_SUCCESS;
}

void events_reset(void)
{
	spin_lock(&ring_lock);
	ring = NULL;
	spin_unlock(&ring_lock);
}

bool events_push(const struct partition *p, uint32_t previous, uint32_t state, uint32_t cause)
{
	struct hv_event e = { p->id, state, previous, cause, reftime_now() };
	bool notify = false;

	spin_lock(&ring_lock);
	if (ring != NULL) {
		/* The root may scribble over its own indices: treat them as untrusted. */
		uint32_t w = ring->write_index, r = ring->read_index;

		if (w - r >= HV_EVENT_RING_SIZE) {
			ring->dropped++;
		} else {
			ring->events[w % HV_EVENT_RING_SIZE] = e;
			__atomic_store_n(&ring->write_index, w + 1, __ATOMIC_RELEASE);
			notify = true;
		}
	}
	spin_unlock(&ring_lock);
	return notify;
}

void events_notify(void)
{
	struct partition *owner;
	uint8_t vector;

	spin_lock(&ring_lock);
	owner = ring != NULL ? ring_owner : NULL;
	vector = ring_vector;
	spin_unlock(&ring_lock);
	if (owner == NULL)
		return;
	vcpu_raise_interrupt(partition_vcpu(owner, 0), vector);
}
