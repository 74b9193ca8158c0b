/*
 * Wrappers for the management calls: memory-parameter calls go through
 * the shared input/output pages and copy the result out; life-cycle
 * calls are fast (RDX = partition id), as the ABI defines them.
 */
#include <kernel/hvmgmt.h>

#include <kernel/hypercall.h>
#include <lib/string.h>


/* Calls `code` with output to the output page; copies `size` bytes on success. */
static uint64_t call_out(uint16_t code, uint64_t in_gpa, void *out, size_t size)
{
	uint64_t result = hv_call(code, in_gpa, hv_gpa(hv_output_page()));

	if (result != HV_CALL_NOT_READY && hv_status(result) == HV_STATUS_SUCCESS)
		memcpy(out, hv_output_page(), size);
	return result;
}

uint64_t hv_partition_list(struct hv_partition_list *out)
{
	return call_out(HVCALL_PARTITION_LIST, 0, out, sizeof(*out));
}

uint64_t hv_partition_status(uint32_t id, struct hv_partition_status *out)
{
	struct hv_partition_ref *ref = hv_input_page();

	ref->id = id;
	ref->reserved = 0;
	return call_out(HVCALL_PARTITION_STATUS, hv_gpa(ref), out, sizeof(*out));
}

uint64_t hv_partition_start(uint32_t id)
{
	return hv_call(HVCALL_PARTITION_START | HV_HYPERCALL_FAST, id, 0);
}

uint64_t hv_partition_stop(uint32_t id)
{
	return hv_call(HVCALL_PARTITION_STOP | HV_HYPERCALL_FAST, id, 0);
}

uint64_t hv_partition_reset(uint32_t id)
{
	return hv_call(HVCALL_PARTITION_RESET | HV_HYPERCALL_FAST, id, 0);
}

uint64_t hv_event_ring_set(uint64_t ring_gpa, uint8_t vector)
{
	return hv_call(HVCALL_EVENT_RING_SET | HV_HYPERCALL_FAST, ring_gpa, vector);
}

uint64_t hv_info(struct hv_info *out)
{
	return call_out(HVCALL_HV_INFO, 0, out, sizeof(*out));
}

uint64_t hv_mgmt_config(struct hv_mgmt_config *out)
{
	return call_out(HVCALL_MGMT_CONFIG, 0, out, sizeof(*out));
}

uint64_t hv_mgmt_file(uint32_t file, uint64_t offset, struct hv_mgmt_file_chunk *out)
{
	struct hv_mgmt_file_read *rd = hv_input_page();

	*rd = (struct hv_mgmt_file_read){ .file = file, .offset = offset };
	return call_out(HVCALL_MGMT_FILE, hv_gpa(rd), out, sizeof(*out));
}

uint64_t hv_media_attach(uint32_t id, uint32_t media)
{
	return hv_call(HVCALL_MEDIA_ATTACH | HV_HYPERCALL_FAST, id, media);
}

uint64_t hv_media_query(uint32_t *media)
{
	struct hv_media_info info;
	uint64_t result = call_out(HVCALL_MEDIA_QUERY, 0, &info, sizeof(info));

	*media = result != HV_CALL_NOT_READY && hv_status(result) == HV_STATUS_SUCCESS ? info.media
										      : HV_MEDIA_NONE;
	return result;
}

const char *hv_partition_state_name(uint32_t state)
{
	static const char *const names[] = { "Off", "Starting", "Running", "Stopping", "Faulted" };

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

const char *hv_event_cause_name(uint32_t cause)
{
	static const char *const names[] = {
		"created",    "started",   "guest poweroff", "guest reset", "faulted",
		"root start", "root stop", "root reset",     "stopped",
	};

	return cause < sizeof(names) / sizeof(names[0]) ? names[cause] : "?";
}
