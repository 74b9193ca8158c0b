/*
 * libFuzzer target for the VMBus client state machine fed a server's
 * messages and the guest's own API calls: no crash, a reason for every
 * refused message, every message it asks to post decodable.
 */

/*
 * Input: records [u8 tag][u8 len][len bytes]; even tag: a message from
 * the server; odd tag: an API call chosen by tag >> 1.
 */
#include "../../vmbus/vmbus_client.h"
#include "../../vmbus/vmbus_err.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vmbus_client cli;
static struct vmbus_outbox ob;
static uint64_t pfns[64];

static void check_outbox(void)
{
	struct vmbus_msg m;

	if (ob.count > VMBUS_OUTBOX_MAX)
		abort();
	for (uint32_t i = 0; i < ob.count; i++)
		if (vmbus_msg_parse(ob.msg[i].data, ob.msg[i].len, &m) != 0)
			abort();
}

static uint32_t arg32(const uint8_t *arg, size_t len, size_t at)
{
	uint32_t v = 0;

	if (len >= at + 4)
		memcpy(&v, arg + at, 4);
	return v;
}

static void api_call(uint8_t what, const uint8_t *arg, size_t len)
{
	uint32_t relid = len ? arg[0] % (VMBUS_MAX_CHANNELS + 2) : 1;
	uint32_t handle = VMBUS_CLIENT_FIRST_GPADL + (len > 1 ? arg[1] % 40 : 0);
	uint32_t h;

	switch (what % 9) {
	case 0:
		(void)vmbus_client_connect(&cli, &ob);
		break;
	case 1:
		(void)vmbus_client_create_gpadl(&cli, relid, pfns, len > 2 ? arg[2] % 64 + 1 : 4, &ob, &h);
		break;
	case 2:
		(void)vmbus_client_open(&cli, relid, handle, arg32(arg, len, 2) % 80, 0, arg,
					(uint32_t)(len < VMBUS_USER_DEFINED_BYTES ? len : 0), &ob);
		break;
	case 3:
		(void)vmbus_client_close(&cli, relid, &ob);
		break;
	case 4:
		(void)vmbus_client_teardown_gpadl(&cli, handle, &ob);
		break;
	case 5:
		(void)vmbus_client_release(&cli, relid, &ob);
		break;
	case 6:
		(void)vmbus_client_modify(&cli, relid, arg32(arg, len, 2), &ob);
		break;
	case 7:
		(void)vmbus_client_unload(&cli, &ob);
		break;
	default:
		(void)vmbus_client_find(&cli, &vmbus_guid_kvp);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 0;

	for (uint32_t i = 0; i < 64; i++)
		pfns[i] = 0x1000 + i;
	vmbus_client_init(&cli, NULL);
	vmbus_outbox_reset(&ob);
	(void)vmbus_client_connect(&cli, &ob);
	while (pos + 2 <= size) {
		uint8_t tag = data[pos], len = data[pos + 1];
		size_t n = len <= size - pos - 2 ? len : size - pos - 2;
		uint8_t *msg = malloc(n ? n : 1);
		struct vmbus_cli_event ev;

		memcpy(msg, data + pos + 2, n);
		vmbus_outbox_reset(&ob);
		if (tag % 2 == 0) {
			if (vmbus_client_handle(&cli, msg, (uint32_t)n, &ob, &ev) != 0 && ev.reason == NULL)
				abort();
		} else {
			api_call(tag >> 1, msg, n);
		}
		check_outbox();
		free(msg);
		pos += 2 + n;
	}
	return 0;
}
