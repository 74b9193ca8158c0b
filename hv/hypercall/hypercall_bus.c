/*
 * The synthetic bus's hypercalls: the TLFS HvPostMessage and
 * HvSignalEvent for every partition, and the root's plumbing: creating
 * connections and mapping guest pages (ring buffers shared by a guest)
 * into its own guest-physical window.  Every argument is checked before
 * use; refusals are HV_STATUS codes (docs/hypercalls.md).
 */
#include <hypercall/hypercall_root.h>

#include <core/vendor.h>
#include <part/partition.h>
#include <synic/connection.h>
#include <synic/synic.h>

#include <hv/hypercall.h>
#include <lib/string.h>

#define MESSAGE_TYPE_HV_RESERVED 0x80000000u
#define SIGNAL_FLAG_SHIFT 32
#define SIGNAL_RSVD_MASK 0xffff0000ff000000ull

/* The running vCPU a connection leads to, or the status that refuses it. */
static uint16_t route_target(const struct hv_connection *c, struct vcpu **target)
{
	struct partition *p = &partitions[c->target_partition];

	if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != PARTITION_RUNNING)
		return HV_STATUS_INVALID_PARTITION_STATE;
	*target = partition_vcpu(p, c->target_vp);
	return HV_STATUS_SUCCESS;
}

uint16_t call_post_message(struct vcpu *v, uint64_t in_gpa, uint64_t unused)
{
	struct hv_post_message in;
	struct hv_connection c;
	struct vcpu *target;
	void *src;
	uint16_t status = hypercall_map(v, in_gpa, sizeof(in), &src);

	(void)unused;
	if (status != HV_STATUS_SUCCESS)
		return status;
	memcpy(&in, src, sizeof(in)); /* one snapshot: the guest may change it meanwhile */
	if (in.reserved != 0 || in.payload_size > HV_MESSAGE_PAYLOAD_SIZE ||
	    in.message_type == HV_MESSAGE_NONE || (in.message_type & MESSAGE_TYPE_HV_RESERVED))
		return HV_STATUS_INVALID_PARAMETER;
	if (!connection_find(v->partition->id, in.connection_id, HV_CONNECTION_MESSAGE, &c))
		return HV_STATUS_INVALID_CONNECTION_ID;
	status = route_target(&c, &target);
	if (status != HV_STATUS_SUCCESS)
		return status;
	return synic_post(target, c.target_sint, in.message_type, v->partition->id, in.payload,
			  in.payload_size);
}

uint16_t call_signal_event(struct vcpu *v, uint64_t input, uint64_t unused)
{
	uint32_t flag = (uint32_t)(input >> SIGNAL_FLAG_SHIFT) & 0xffffu, siefp_flag;
	struct hv_connection c;
	struct vcpu *target;
	uint16_t status;

	(void)unused;
	if (input & SIGNAL_RSVD_MASK)
		return HV_STATUS_INVALID_PARAMETER;
	if (!connection_find(v->partition->id, (uint32_t)input, HV_CONNECTION_EVENT, &c))
		return HV_STATUS_INVALID_CONNECTION_ID;
	status = connection_event_flag(&c, flag, &siefp_flag);
	if (status != HV_STATUS_SUCCESS)
		return status;
	status = route_target(&c, &target);
	if (status != HV_STATUS_SUCCESS)
		return status;
	return synic_signal(target, c.target_sint, siefp_flag);
}

uint16_t call_connection_create(struct vcpu *v, uint64_t in_gpa, uint64_t unused)
{
	struct hv_connection *c, copy;
	uint16_t status = hypercall_map(v, in_gpa, sizeof(*c), (void **)&c);

	(void)unused;
	if (status != HV_STATUS_SUCCESS)
		return status;
	copy = *c; /* validated and stored as one snapshot */
	return connection_create(&copy);
}

uint16_t call_connection_delete(struct vcpu *v, uint64_t in_gpa, uint64_t unused)
{
	struct hv_connection *c;
	uint16_t status = hypercall_map(v, in_gpa, sizeof(*c), (void **)&c);

	(void)unused;
	return status == HV_STATUS_SUCCESS ? connection_delete(c->connection_id, c->source_partition)
					   : status;
}

/* Checks a mapping request: guest and window, page-aligned, in range. */
static uint16_t map_request(struct vcpu *v, uint64_t in_gpa, struct hv_map_guest_pages **req)
{
	uint16_t status = hypercall_map(v, in_gpa, sizeof(**req), (void **)req);
	uint64_t gpa, count;

	if (status != HV_STATUS_SUCCESS)
		return status;
	gpa = (*req)->root_gpa;
	count = (*req)->count;
	if ((*req)->partition >= partition_count || &partitions[(*req)->partition] == v->partition)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (count == 0 || count > HV_MAP_MAX_PAGES || (gpa & (PAGE_SIZE - 1)) ||
	    gpa < HV_ROOT_MAP_WINDOW_BASE ||
	    gpa + count * PAGE_SIZE > HV_ROOT_MAP_WINDOW_BASE + HV_ROOT_MAP_WINDOW_SIZE)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

uint16_t call_map_guest_pages(struct vcpu *v, uint64_t in_gpa, uint64_t unused)
{
	struct hv_map_guest_pages *req;
	struct partition *guest;
	uint16_t status = map_request(v, in_gpa, &req);
	uint32_t count, i;

	(void)unused;
	if (status != HV_STATUS_SUCCESS)
		return status;
	guest = &partitions[req->partition];
	count = req->count;
	for (i = 0; i < count; i++) {
		uint64_t hpa = (uint64_t)partition_gpa_to_host(guest, req->guest_gpa[i], PAGE_SIZE);

		if (hpa == 0 || (req->guest_gpa[i] & (PAGE_SIZE - 1)) ||
		    stage2_map(&v->partition->stage2, hypercall_pool(), req->root_gpa + i * PAGE_SIZE,
			       hpa, PAGE_SIZE, STAGE2_READ | STAGE2_WRITE, STAGE2_WB) != 0)
			break;
	}
	if (i == count)
		return HV_STATUS_SUCCESS;
	stage2_unmap(&v->partition->stage2, req->root_gpa, i * PAGE_SIZE); /* all or nothing */
	vendor->stage2_flush(v);
	return HV_STATUS_INVALID_PARAMETER;
}

uint16_t call_unmap_guest_pages(struct vcpu *v, uint64_t in_gpa, uint64_t unused)
{
	struct hv_map_guest_pages *req;
	uint16_t status = map_request(v, in_gpa, &req);

	(void)unused;
	if (status != HV_STATUS_SUCCESS)
		return status;
	stage2_unmap(&v->partition->stage2, req->root_gpa, (uint64_t)req->count * PAGE_SIZE);
	vendor->stage2_flush(v);
	return HV_STATUS_SUCCESS;
}
