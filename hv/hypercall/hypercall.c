/*
 * The hypercall dispatcher (docs/hypercalls.md).  Calls come through the
 * page a partition enabled with HV_X64_MSR_HYPERCALL; a VMCALL/VMMCALL
 * without it, or from user mode, or outside 64-bit mode, gets #UD as on
 * a machine without a hypervisor.  The root's management calls live in
 * hypercall_root.c.  Every GPA is checked against the
 * caller's RAM before hv touches it; every refusal is an HV_STATUS.
 */
#include <emul/emulate.h>

#include <core/vendor.h>
#include <hypercall/hypercall_root.h>
#include <part/partition.h>

#include <hv/hypercall.h>
#include <hv/start_info.h>
#include <lib/string.h>

struct hypercall {
	uint16_t code;
	bool fast;      /* parameters in RDX and R8 instead of memory */
	bool root_only; /* partition management: the root's alone */
	uint16_t (*handler)(struct vcpu *v, uint64_t in, uint64_t out);
};

uint16_t hypercall_map(struct vcpu *v, uint64_t gpa, uint64_t len, void **out)
{
	if (gpa & 7)
		return HV_STATUS_INVALID_ALIGNMENT;
	*out = partition_gpa_to_host(v->partition, gpa, len);
	return *out != NULL ? HV_STATUS_SUCCESS : HV_STATUS_INVALID_PARAMETER;
}

static uint16_t call_console_write(struct vcpu *v, uint64_t in_gpa, uint64_t out_gpa)
{
	struct hv_console_write *in;
	uint32_t length;
	uint16_t status;

	(void)out_gpa;
	status = hypercall_map(v, in_gpa, 8, (void **)&in);
	if (status != HV_STATUS_SUCCESS)
		return status;
	length = __atomic_load_n(&in->length, __ATOMIC_RELAXED); /* read once: the guest may change it */
	if (length > HV_CONSOLE_WRITE_MAX)
		return HV_STATUS_INVALID_PARAMETER;
	if (length > 0 && partition_gpa_to_host(v->partition, in_gpa + 8, length) == NULL)
		return HV_STATUS_INVALID_PARAMETER;
	partition_console_write(v->partition, in->text, length);
	return HV_STATUS_SUCCESS;
}

static uint16_t call_self_info(struct vcpu *v, uint64_t in_gpa, uint64_t out_gpa)
{
	struct partition *p = v->partition;
	struct hv_self_info info = {
		.partition_id = p->id,
		.vp_index = v->vp_index,
		.vp_count = p->vp_count,
		.flags = p->cfg->role == HVCFG_ROLE_ROOT ? START_INFO_FLAG_ROOT : 0,
		.memory_size = p->ram_size,
	};
	void *out;
	uint16_t status;

	(void)in_gpa;
	status = hypercall_map(v, out_gpa, sizeof(info), &out);
	if (status != HV_STATUS_SUCCESS)
		return status;
	lib_strlcpy(info.name, p->cfg->name, sizeof(info.name));
	memcpy(out, &info, sizeof(info));
	return HV_STATUS_SUCCESS;
}

/* Queues an interrupt for the caller: how the self-tests check injection. */
static uint16_t call_test_inject(struct vcpu *v, uint64_t vector, uint64_t unused)
{
	(void)unused;
	if (vector < 32 || vector > 255)
		return HV_STATUS_INVALID_PARAMETER;
	vcpu_queue_interrupt(v, (uint8_t)vector);
	return HV_STATUS_SUCCESS;
}

static const struct hypercall hypercalls[] = {
	{ HVCALL_CONSOLE_WRITE, false, false, call_console_write },
	{ HVCALL_SELF_INFO, false, false, call_self_info },
	{ HVCALL_TEST_INJECT, true, false, call_test_inject },
	{ HVCALL_MEDIA_QUERY, false, false, call_media_query },
	{ HVCALL_PARTITION_LIST, false, true, call_partition_list },
	{ HVCALL_PARTITION_STATUS, false, true, call_partition_status },
	{ HVCALL_PARTITION_START, true, true, call_partition_start },
	{ HVCALL_PARTITION_STOP, true, true, call_partition_stop },
	{ HVCALL_PARTITION_RESET, true, true, call_partition_reset },
	{ HVCALL_EVENT_RING_SET, true, true, call_event_ring_set },
	{ HVCALL_HV_INFO, false, true, call_hv_info },
	{ HVCALL_MGMT_CONFIG, false, true, call_mgmt_config },
	{ HVCALL_MEDIA_ATTACH, true, true, call_media_attach },
	{ HVCALL_MGMT_FILE, false, true, call_mgmt_file },
	{ HVCALL_POST_MESSAGE, false, false, call_post_message },
	{ HVCALL_SIGNAL_EVENT, true, false, call_signal_event },
	{ HVCALL_CONNECTION_CREATE, false, true, call_connection_create },
	{ HVCALL_CONNECTION_DELETE, false, true, call_connection_delete },
	{ HVCALL_MAP_GUEST_PAGES, false, true, call_map_guest_pages },
	{ HVCALL_UNMAP_GUEST_PAGES, false, true, call_unmap_guest_pages },
};

static uint16_t dispatch(struct vcpu *v, uint64_t input)
{
	uint16_t code = (uint16_t)(input & HV_HYPERCALL_CODE_MASK);

	for (uint32_t i = 0; i < sizeof(hypercalls) / sizeof(hypercalls[0]); i++) {
		if (hypercalls[i].code != code)
			continue;
		if (hypercalls[i].root_only && v->partition->cfg->role != HVCFG_ROLE_ROOT)
			return HV_STATUS_ACCESS_DENIED;
		/* None of our calls is a rep call; each is either fast or not. */
		if ((input & (HV_HYPERCALL_RSVD_MASK |
			      HV_HYPERCALL_REP_MASK << HV_HYPERCALL_REP_COUNT_SHIFT |
			      HV_HYPERCALL_REP_MASK << HV_HYPERCALL_REP_START_SHIFT)) ||
		    !(input & HV_HYPERCALL_FAST) != !hypercalls[i].fast)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
		/* A fast call passes the whole RDX; HvSignalEvent packs two fields in it. */
		return hypercalls[i].handler(v, v->regs.rdx, v->regs.r8);
	}
	return HV_STATUS_INVALID_HYPERCALL_CODE;
}

enum exit_action guest_hypercall(struct vcpu *v)
{
	struct vcpu_state state;

	if (!(v->partition->hypercall_msr & HV_HYPERCALL_ENABLE))
		return ACTION_INJECT_UD;
	vendor->get_state(v, &state);
	if (state.cpl != 0 || !state.long_mode)
		return ACTION_INJECT_UD;
	v->regs.rax = dispatch(v, v->regs.rcx);
	return ACTION_NEXT;
}
