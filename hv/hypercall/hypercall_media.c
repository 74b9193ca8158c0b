/*
 * Media (docs/hypercalls.md, 0x8004 and 0x8018): which disc is in each
 * partition's virtual drive.  The root attaches or ejects (HVCALL_MEDIA_ATTACH); a
 * partition asks about its own (HVCALL_MEDIA_QUERY), polling, since there
 * is no device to interrupt it.  The state lives here, not in the
 * partition, so it survives the partition's restarts until ejected.
 */
#include <hypercall/hypercall_root.h>

#include <part/partition.h>

#include <hv/hypercall.h>

static uint32_t media[HVCFG_MAX_PARTITIONS]; /* HV_MEDIA_*, accessed atomically */

uint16_t call_media_attach(struct vcpu *v, uint64_t id, uint64_t what)
{
	if (id >= partition_count)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (&partitions[id] == v->partition || what > HV_MEDIA_ADDITIONS)
		return HV_STATUS_INVALID_PARAMETER;
	__atomic_store_n(&media[id], (uint32_t)what, __ATOMIC_RELEASE);
	return HV_STATUS_SUCCESS;
}

uint16_t call_media_query(struct vcpu *v, uint64_t unused, uint64_t out_gpa)
{
	struct hv_media_info info = {
		.media = __atomic_load_n(&media[v->partition->id], __ATOMIC_ACQUIRE),
	};
	struct hv_media_info *out;
	uint16_t status = hypercall_map(v, out_gpa, sizeof(info), (void **)&out);

	(void)unused;
	if (status == HV_STATUS_SUCCESS)
		*out = info;
	return status;
}
