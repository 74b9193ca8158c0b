/*
 * The root's partition-management hypercalls (docs/hypercalls.md): list,
 * status, start, stop, reset, the state-change event ring, hv's own
 * figures, the management configuration and its TLS files.  hypercall.c
 * refuses them to any other partition with HV_STATUS_ACCESS_DENIED before
 * they get here.
 */
#include <hypercall/hypercall_root.h>

#include <core/timer.h>
#include <mem/ram.h>
#include <part/partition.h>
#include <part/root_events.h>
#include <plat/reftime.h>

#include <hv/hypercall.h>
#include <hv/start_info.h>
#include <lib/string.h>

static struct hv_info_source info_source;
static const struct hv_mgmt_config *mgmt_config;
static const struct boot_file *mgmt_files;   /* HV_MGMT_FILES of them */

void hypercall_root_set_info(const struct hv_info_source *source)
{
	info_source = *source;
}

void hypercall_root_set_mgmt(const struct hv_mgmt_config *mgmt, const struct boot_file *files)
{
	mgmt_config = mgmt;
	mgmt_files = files;
}

struct page_pool *hypercall_pool(void)
{
	return info_source.pool;
}

static void fill_entry(const struct partition *p, struct hv_partition_entry *e)
{
	*e = (struct hv_partition_entry){
		.id = p->id,
		.state = __atomic_load_n(&p->state, __ATOMIC_ACQUIRE),
		.vp_count = p->vp_count,
		.flags = p->cfg->role == HVCFG_ROLE_ROOT ? START_INFO_FLAG_ROOT : 0,
		.memory_size = p->ram_size,
	};
	lib_strlcpy(e->name, p->cfg->name, sizeof(e->name));
}

uint16_t call_partition_list(struct vcpu *v, uint64_t in, uint64_t out_gpa)
{
	struct hv_partition_list list = { .count = partition_count };
	void *out;
	uint16_t status = hypercall_map(v, out_gpa, sizeof(list), &out);

	(void)in;
	if (status != HV_STATUS_SUCCESS)
		return status;
	for (uint32_t i = 0; i < partition_count; i++)
		fill_entry(&partitions[i], &list.entries[i]);
	memcpy(out, &list, sizeof(list));
	return HV_STATUS_SUCCESS;
}

/* The partition a root call names, other than the root itself. */
static uint16_t target(struct vcpu *v, uint64_t id, struct partition **p)
{
	if (id >= partition_count)
		return HV_STATUS_INVALID_PARTITION_ID;
	*p = &partitions[id];
	return *p == v->partition ? HV_STATUS_INVALID_PARAMETER : HV_STATUS_SUCCESS;
}

uint16_t call_partition_status(struct vcpu *v, uint64_t in_gpa, uint64_t out_gpa)
{
	struct hv_partition_status st = { 0 };
	struct hv_partition_ref *ref;
	struct partition *p;
	void *out;
	uint32_t id;
	uint16_t status = hypercall_map(v, in_gpa, sizeof(*ref), (void **)&ref);

	if (status == HV_STATUS_SUCCESS)
		status = hypercall_map(v, out_gpa, sizeof(st), &out);
	if (status != HV_STATUS_SUCCESS)
		return status;
	id = __atomic_load_n(&ref->id, __ATOMIC_RELAXED); /* read once, then checked */
	if (id >= partition_count)
		return HV_STATUS_INVALID_PARTITION_ID;
	p = &partitions[id];
	fill_entry(p, &st.entry);
	st.resets = p->resets;
	st.starts = p->starts;
	st.uptime = st.entry.state == PARTITION_RUNNING ? reftime_now() - p->run_start : 0;
	st.stage2_bytes = p->stage2.table_pages * PAGE_SIZE;
	for (uint32_t r = 0; r < EXIT_REASON_COUNT && r < HV_EXIT_COUNTERS; r++)
		st.exits[r] = __atomic_load_n(&p->exits[r], __ATOMIC_RELAXED);
	lib_strlcpy(st.fault_reason, p->fault_reason, sizeof(st.fault_reason));
	memcpy(out, &st, sizeof(st));
	return HV_STATUS_SUCCESS;
}

/* Start, stop and reset: one target check, then the request. */
static uint16_t lifecycle(struct vcpu *v, uint64_t id, uint16_t (*request)(struct partition *))
{
	struct partition *p;
	uint16_t status = target(v, id, &p);

	return status == HV_STATUS_SUCCESS ? request(p) : status;
}

uint16_t call_partition_start(struct vcpu *v, uint64_t id, uint64_t unused)
{
	(void)unused;
	return lifecycle(v, id, partition_root_start);
}

uint16_t call_partition_stop(struct vcpu *v, uint64_t id, uint64_t unused)
{
	(void)unused;
	return lifecycle(v, id, partition_root_stop);
}

uint16_t call_partition_reset(struct vcpu *v, uint64_t id, uint64_t unused)
{
	(void)unused;
	return lifecycle(v, id, partition_root_reset);
}

uint16_t call_event_ring_set(struct vcpu *v, uint64_t gpa, uint64_t vector)
{
	return events_set_ring(v->partition, gpa, vector);
}

uint16_t call_hv_info(struct vcpu *v, uint64_t in, uint64_t out_gpa)
{
	struct hv_info info = {
		.pool_free_pages = info_source.pool->free,
		.pool_total_pages = info_source.pool->pages,
		.ram_free_bytes = ram_free_bytes(),
		.partition_count = partition_count,
		.cpu_count = info_source.cpu_count,
		.hv_image_bytes = info_source.image_bytes,
		.tsc_hz = timer_tsc_hz(),
	};
	void *out;
	uint16_t status = hypercall_map(v, out_gpa, sizeof(info), &out);

	(void)in;
	if (status == HV_STATUS_SUCCESS)
		memcpy(out, &info, sizeof(info));
	return status;
}

/* The token hashes go to the root only: the dispatcher refuses guests. */
uint16_t call_mgmt_config(struct vcpu *v, uint64_t in, uint64_t out_gpa)
{
	void *out;
	uint16_t status = hypercall_map(v, out_gpa, sizeof(*mgmt_config), &out);

	(void)in;
	if (status == HV_STATUS_SUCCESS)
		memcpy(out, mgmt_config, sizeof(*mgmt_config));
	return status;
}

/* The private key among them goes to the root only, like the hashes above. */
uint16_t call_mgmt_file(struct vcpu *v, uint64_t in_gpa, uint64_t out_gpa)
{
	struct hv_mgmt_file_read *in;
	struct hv_mgmt_file_chunk *out;
	const struct boot_file *f;
	uint64_t offset, n = 0;
	uint32_t file;
	uint16_t status = hypercall_map(v, in_gpa, sizeof(*in), (void **)&in);

	if (status == HV_STATUS_SUCCESS)
		status = hypercall_map(v, out_gpa, sizeof(*out), (void **)&out);
	if (status != HV_STATUS_SUCCESS)
		return status;
	/* Read once: the root could change them meanwhile (another vCPU, one day). */
	file = __atomic_load_n(&in->file, __ATOMIC_RELAXED);
	offset = __atomic_load_n(&in->offset, __ATOMIC_RELAXED);
	if (file >= HV_MGMT_FILES || in->reserved != 0)
		return HV_STATUS_INVALID_PARAMETER;
	f = &mgmt_files[file];
	if (offset < f->size)
		n = f->size - offset < HV_MGMT_CHUNK ? f->size - offset : HV_MGMT_CHUNK;
	out->size = f->size;
	out->length = (uint32_t)n;
	out->reserved = 0;
	if (n > 0)
		memcpy(out->data, (const uint8_t *)f->phys + offset, n);
	return HV_STATUS_SUCCESS;
}
