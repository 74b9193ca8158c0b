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

/*
 * A mapping request as read once from the caller's page: the caller may
 * change the page while hv works, so every field is loaded once, checked,
 * and only the loaded value is used (a re-read could name a partition
 * past the table or a GPA outside the window after the check).
 */
struct map_args {
	struct partition *guest;
	uint32_t count;
	uint64_t root_gpa;
	const uint64_t *guest_gpa; /* in the caller's page: load each entry once */
};

/*
 * Whether count pages from gpa lie in the root's window: page-aligned,
 * start and end inside, computed without an end that could wrap past
 * 2^64 (which would let a request map outside the window, where a root
 * restart's clearing of the window does not reach).
 */
static bool in_window(uint64_t gpa, uint64_t count)
{
	const uint64_t end = HV_ROOT_MAP_WINDOW_BASE + HV_ROOT_MAP_WINDOW_SIZE;

	return (gpa & (PAGE_SIZE - 1)) == 0 && gpa >= HV_ROOT_MAP_WINDOW_BASE && gpa < end &&
	       count <= (end - gpa) / PAGE_SIZE;
}

/* Checks a mapping request: guest and window, page-aligned, in range. */
static uint16_t map_request(struct vcpu *v, uint64_t in_gpa, struct map_args *args)
{
	struct hv_map_guest_pages *req;
	uint16_t status = hypercall_map(v, in_gpa, sizeof(*req), (void **)&req);
	uint32_t partition;
	uint64_t gpa, count;

	if (status != HV_STATUS_SUCCESS)
		return status;
	partition = __atomic_load_n(&req->partition, __ATOMIC_RELAXED);
	gpa = __atomic_load_n(&req->root_gpa, __ATOMIC_RELAXED);
	count = __atomic_load_n(&req->count, __ATOMIC_RELAXED);
	if (partition >= partition_count || &partitions[partition] == v->partition)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (count == 0 || count > HV_MAP_MAX_PAGES || !in_window(gpa, count))
		return HV_STATUS_INVALID_PARAMETER;
	*args = (struct map_args){ &partitions[partition], (uint32_t)count, gpa, req->guest_gpa };
	return HV_STATUS_SUCCESS;
}

/* Maps page i of the request; false if its guest GPA is not a page of the guest's RAM. */
static bool map_one(struct vcpu *v, const struct map_args *args, uint32_t i)
{
	uint64_t gpa = __atomic_load_n(&args->guest_gpa[i], __ATOMIC_RELAXED); /* once */
	uint64_t hpa = (uint64_t)partition_gpa_to_host(args->guest, gpa, PAGE_SIZE);

	return hpa != 0 && (gpa & (PAGE_SIZE - 1)) == 0 &&
	       stage2_map(&v->partition->stage2, hypercall_pool(), args->root_gpa + i * PAGE_SIZE,
			  hpa, PAGE_SIZE, STAGE2_READ | STAGE2_WRITE, STAGE2_WB) == 0;
}

uint16_t call_map_guest_pages(struct vcpu *v, uint64_t in_gpa, uint64_t unused)
{
	struct map_args args;
	uint16_t status = map_request(v, in_gpa, &args);
	uint32_t i;

	(void)unused;
	if (status != HV_STATUS_SUCCESS)
		return status;
	for (i = 0; i < args.count && map_one(v, &args, i); i++)
		;
	if (i == args.count)
		return HV_STATUS_SUCCESS;
	stage2_unmap(&v->partition->stage2, args.root_gpa, i * PAGE_SIZE); /* all or nothing */
	vendor->stage2_flush(v);
	return HV_STATUS_INVALID_PARAMETER;
}

uint16_t call_unmap_guest_pages(struct vcpu *v, uint64_t in_gpa, uint64_t unused)
{
	struct map_args args;
	uint16_t status = map_request(v, in_gpa, &args);

	(void)unused;
	if (status != HV_STATUS_SUCCESS)
		return status;
	stage2_unmap(&v->partition->stage2, args.root_gpa, (uint64_t)args.count * PAGE_SIZE);
	vendor->stage2_flush(v);
	return HV_STATUS_SUCCESS;
}
