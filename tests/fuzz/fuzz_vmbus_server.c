/*
 * libFuzzer target for the VMBus server state machine fed a guest's
 * messages and owner actions: no crash, a reason for every refusal,
 * every reply decodable, descriptors and ring placements within bounds.
 */

/*
 * Input: records [u8 tag][u8 len][len bytes]; even tag: a message from
 * the guest; odd tag: an owner action chosen by tag >> 1.
 */
#include "../../vmbus/vmbus_err.h"
#include "../../vmbus/vmbus_server.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vmbus_server srv;
static struct vmbus_gpadl slots[3];
static struct vmbus_outbox ob;

static void check_outbox(void)
{
	struct vmbus_msg m;

	if (ob.count > VMBUS_OUTBOX_MAX)
		abort();
	for (uint32_t i = 0; i < ob.count; i++)
		if (vmbus_msg_parse(ob.msg[i].data, ob.msg[i].len, &m) != 0)
			abort();
}

static void check_state(void)
{
	for (uint32_t relid = 1; relid <= VMBUS_MAX_CHANNELS; relid++) {
		struct vmbus_srv_rings r;

		if (vmbus_server_rings(&srv, relid, &r) != 0)
			continue;
		if (r.in_pages < 2 || r.out_pages < 2 ||
		    r.out_first_page + r.out_pages != r.gpadl->page_count)
			abort();
		if (vmbus_gpadl_pfn(r.gpadl, r.gpadl->page_count - 1) >= VMBUS_PFN_LIMIT)
			abort();
	}
	for (uint32_t i = 0; i < 3; i++)
		if (slots[i].state == VMBUS_GPADL_CREATED &&
		    (slots[i].page_count == 0 || slots[i].page_count > VMBUS_GPADL_MAX_PAGES))
			abort();
}

/* Parsing is stable: decode, encode, decode gives the same message (padding aside). */
static void check_round_trip(const uint8_t *msg, size_t len)
{
	uint8_t again[VMBUS_HVMSG_PAYLOAD_MAX];
	struct vmbus_msg a, b;
	int n;

	if (vmbus_msg_parse(msg, len, &a) != 0)
		return;
	n = vmbus_msg_encode(again, sizeof(again), &a);
	if (n < 0 || vmbus_msg_parse(again, (size_t)n, &b) != 0 || a.type != b.type ||
	    a.tail_len != b.tail_len ||
	    memcmp((uint8_t *)&a.u + 8, (uint8_t *)&b.u + 8, vmbus_msg_fixed_size(a.type) - 8) != 0 ||
	    (a.tail_len && memcmp(a.tail, b.tail, a.tail_len) != 0))
		abort();
}

static void owner_action(uint8_t what, const uint8_t *arg, size_t len)
{
	struct vmbus_srv_event ev;
	struct vmbus_offer_desc d;
	uint32_t relid = len ? arg[0] % (VMBUS_MAX_CHANNELS + 1) : 1;

	switch (what % 4) {
	case 0:
		(void)vmbus_server_open_done(&srv, relid, len > 1 ? arg[1] : 0, &ob);
		break;
	case 1:
		(void)vmbus_server_rescind(&srv, relid, &ob, &ev);
		break;
	case 2:
		memset(&d, 0, sizeof(d));
		d.if_type = vmbus_guid_exec;
		d.user_def = arg;
		d.user_def_len = (uint32_t)(len < VMBUS_USER_DEFINED_BYTES ? len : 0);
		(void)vmbus_server_add_channel(&srv, &d, &ob);
		break;
	default:
		vmbus_server_reset(&srv);
		break;
	}
}

static void setup(void)
{
	struct vmbus_server_config cfg = { .vcpu_count = 4 };
	struct vmbus_offer_desc d;

	vmbus_server_init(&srv, &cfg, slots, 3);
	memset(&d, 0, sizeof(d));
	d.if_type = vmbus_guid_heartbeat;
	(void)vmbus_server_add_channel(&srv, &d, &ob);
	d.if_type = vmbus_guid_kvp;
	(void)vmbus_server_add_channel(&srv, &d, &ob);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 0;

	setup();
	while (pos + 2 <= size) {
		uint8_t tag = data[pos], len = data[pos + 1];
		size_t n = len <= size - pos - 2 ? len : size - pos - 2;
		uint8_t *msg = malloc(n ? n : 1);   /* exact size: ASan sees any overread */
		struct vmbus_srv_event ev;

		memcpy(msg, data + pos + 2, n);
		vmbus_outbox_reset(&ob);
		if (tag % 2 == 0) {
			check_round_trip(msg, n);
			if (vmbus_server_handle(&srv, msg, (uint32_t)n, &ob, &ev) != 0 && ev.reason == NULL)
				abort();
		} else {
			owner_action(tag >> 1, msg, n);
		}
		check_outbox();
		check_state();
		free(msg);
		pos += 2 + n;
	}
	return 0;
}
