/*
 * The client state machine against a misbehaving server and a careless
 * owner: answers nobody asked for, offers out of turn or out of range,
 * and API calls in the wrong state are refused without a state change.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../vmbus/vmbus_client.h"
#include "../../vmbus/vmbus_err.h"

static struct vmbus_client cli;
static struct vmbus_outbox ob;
static struct vmbus_cli_event ev;
static const uint64_t pfns[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static struct vmbus_msg msg(uint32_t type)
{
	struct vmbus_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	return m;
}

static int send(const struct vmbus_msg *m)
{
	uint8_t buf[VMBUS_HVMSG_PAYLOAD_MAX];
	int n = vmbus_msg_encode(buf, sizeof(buf), m);

	assert_true(n > 0);
	vmbus_outbox_reset(&ob);
	return vmbus_client_handle(&cli, buf, (uint32_t)n, &ob, &ev);
}

static void refused(int rc, int err)
{
	assert_int_equal(rc, err);
	assert_non_null(ev.reason);
	assert_int_equal(ev.type, VMBUS_CLI_EV_NONE);
}

static int offer(uint32_t relid)
{
	struct vmbus_msg m = msg(VMBUS_MSG_OFFERCHANNEL);

	m.u.offer.child_relid = relid;
	m.u.offer.if_type = vmbus_guid_kvp;
	return send(&m);
}

static int setup(void **state)
{
	(void)state;
	vmbus_client_init(&cli, NULL);
	vmbus_outbox_reset(&ob);
	return 0;
}

/* Contacted, accepted at 5.3, one channel (relid 1) offered. */
static void connect(void)
{
	struct vmbus_msg m = msg(VMBUS_MSG_VERSION_RESPONSE);

	assert_int_equal(vmbus_client_connect(&cli, &ob), 0);
	m.u.version_response.version_supported = 1;
	m.u.version_response.msg_conn_id = 9;
	assert_int_equal(send(&m), 0);
	assert_int_equal(ob.msg[0].conn_id, 9);
	assert_int_equal(offer(1), 0);
}

static void test_unsolicited_answers(void **state)
{
	static const uint32_t types[] = { VMBUS_MSG_VERSION_RESPONSE, VMBUS_MSG_ALLOFFERS_DELIVERED,
					  VMBUS_MSG_GPADL_CREATED, VMBUS_MSG_GPADL_TORNDOWN,
					  VMBUS_MSG_OPENCHANNEL_RESULT, VMBUS_MSG_UNLOAD_RESPONSE,
					  VMBUS_MSG_MODIFYCHANNEL_RESPONSE,
					  VMBUS_MSG_RESCIND_CHANNELOFFER };

	(void)state;
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct vmbus_msg m = msg(types[i]);

		refused(send(&m), -VMBUS_E_STATE);
		assert_int_equal(ob.count, 0);
	}
	refused(offer(1), -VMBUS_E_STATE);
	assert_int_equal(cli.conn, VMBUS_CLI_IDLE);
}

static void test_guest_only_types(void **state)
{
	struct vmbus_msg m = msg(VMBUS_MSG_INITIATE_CONTACT);
	uint8_t junk[3] = { 0 };

	(void)state;
	refused(send(&m), -VMBUS_E_UNKNOWN);
	m = msg(VMBUS_MSG_OPENCHANNEL);
	refused(send(&m), -VMBUS_E_UNKNOWN);
	refused(vmbus_client_handle(&cli, junk, 3, &ob, &ev), -VMBUS_E_SHORT);
}

static void test_offer_rules(void **state)
{
	struct vmbus_msg m = msg(VMBUS_MSG_ALLOFFERS_DELIVERED);

	(void)state;
	connect();
	refused(offer(0), -VMBUS_E_LIMIT);
	refused(offer(VMBUS_MAX_CHANNELS + 1), -VMBUS_E_LIMIT);
	refused(offer(1), -VMBUS_E_EXISTS);
	assert_int_equal(send(&m), 0);
	refused(send(&m), -VMBUS_E_STATE);
	assert_int_equal(offer(2), 0);            /* hot-add after ALLOFFERS */
	m = msg(VMBUS_MSG_RESCIND_CHANNELOFFER);
	m.u.relid.child_relid = 5;
	refused(send(&m), -VMBUS_E_NOTFOUND);
	m.u.relid.child_relid = 2;
	assert_int_equal(send(&m), 0);
	refused(send(&m), -VMBUS_E_STATE);
}

static void test_answers_must_match(void **state)
{
	struct vmbus_msg m;
	uint32_t h;

	(void)state;
	connect();
	assert_int_equal(vmbus_client_create_gpadl(&cli, 1, pfns, 8, &ob, &h), 0);
	m = msg(VMBUS_MSG_GPADL_CREATED);
	m.u.gpadl_created.gpadl = h + 1;
	m.u.gpadl_created.child_relid = 1;
	refused(send(&m), -VMBUS_E_STATE);
	m.u.gpadl_created.gpadl = h;
	m.u.gpadl_created.child_relid = 2;
	refused(send(&m), -VMBUS_E_MALFORMED);
	m.u.gpadl_created.child_relid = 1;
	assert_int_equal(send(&m), 0);
	refused(send(&m), -VMBUS_E_STATE);        /* only once */
	assert_int_equal(vmbus_client_open(&cli, 1, h, 4, 0, NULL, 0, &ob), 0);
	m = msg(VMBUS_MSG_OPENCHANNEL_RESULT);
	m.u.open_result.child_relid = 1;
	m.u.open_result.open_id = 99;
	refused(send(&m), -VMBUS_E_MALFORMED);
	m.u.open_result.open_id = 1;
	assert_int_equal(send(&m), 0);
	assert_int_equal(ev.type, VMBUS_CLI_EV_OPENED);
	refused(send(&m), -VMBUS_E_STATE);
	m = msg(VMBUS_MSG_GPADL_TORNDOWN);
	m.u.gpadl_torndown.gpadl = h;
	refused(send(&m), -VMBUS_E_STATE);        /* no teardown asked */
}

static void test_failed_gpadl_frees_slot(void **state)
{
	struct vmbus_msg m = msg(VMBUS_MSG_GPADL_CREATED);
	uint32_t h;

	(void)state;
	connect();
	assert_int_equal(vmbus_client_create_gpadl(&cli, 1, pfns, 8, &ob, &h), 0);
	m.u.gpadl_created.gpadl = h;
	m.u.gpadl_created.child_relid = 1;
	m.u.gpadl_created.creation_status = VMBUS_STATUS_UNSUCCESSFUL;
	assert_int_equal(send(&m), 0);
	assert_int_equal(ev.status, VMBUS_STATUS_UNSUCCESSFUL);
	assert_int_equal(vmbus_client_open(&cli, 1, h, 4, 0, NULL, 0, &ob), -VMBUS_E_NOTFOUND);
}

static void test_api_misuse(void **state)
{
	struct vmbus_msg m = msg(VMBUS_MSG_GPADL_CREATED);
	uint32_t h;

	(void)state;
	assert_int_equal(vmbus_client_create_gpadl(&cli, 1, pfns, 8, &ob, &h), -VMBUS_E_STATE);
	assert_int_equal(vmbus_client_unload(&cli, &ob), -VMBUS_E_STATE);
	connect();
	assert_int_equal(vmbus_client_connect(&cli, &ob), -VMBUS_E_STATE);
	assert_int_equal(vmbus_client_create_gpadl(&cli, 3, pfns, 8, &ob, &h), -VMBUS_E_NOTFOUND);
	assert_int_equal(vmbus_client_create_gpadl(&cli, 1, pfns, 0, &ob, &h), -VMBUS_E_INVAL);
	assert_int_equal(vmbus_client_create_gpadl(&cli, 1, pfns, 8, &ob, &h), 0);
	assert_int_equal(vmbus_client_open(&cli, 1, h, 4, 0, NULL, 0, &ob), -VMBUS_E_STATE);
	m.u.gpadl_created.gpadl = h;
	m.u.gpadl_created.child_relid = 1;
	assert_int_equal(send(&m), 0);
	assert_int_equal(vmbus_client_open(&cli, 1, h, 1, 0, NULL, 0, &ob), -VMBUS_E_INVAL);
	assert_int_equal(vmbus_client_open(&cli, 1, h + 5, 4, 0, NULL, 0, &ob), -VMBUS_E_NOTFOUND);
	assert_int_equal(vmbus_client_close(&cli, 1, &ob), -VMBUS_E_STATE);
	assert_int_equal(vmbus_client_release(&cli, 1, &ob), -VMBUS_E_STATE);
	assert_int_equal(vmbus_client_modify(&cli, 1, 0, &ob), -VMBUS_E_STATE);
	assert_int_equal(vmbus_client_open(&cli, 1, h, 4, 0, NULL, 0, &ob), 0);
	assert_int_equal(vmbus_client_teardown_gpadl(&cli, h, &ob), -VMBUS_E_STATE);
	assert_int_equal(vmbus_client_teardown_gpadl(&cli, h + 5, &ob), -VMBUS_E_NOTFOUND);
}

static void test_gpadl_table_limit(void **state)
{
	uint32_t h;

	(void)state;
	connect();
	for (uint32_t i = 0; i < VMBUS_CLIENT_MAX_GPADLS; i++) {
		vmbus_outbox_reset(&ob);
		assert_int_equal(vmbus_client_create_gpadl(&cli, 1, pfns, 1, &ob, &h), 0);
	}
	assert_int_equal(vmbus_client_create_gpadl(&cli, 1, pfns, 1, &ob, &h), -VMBUS_E_LIMIT);
}

static void test_old_version_contact(void **state)
{
	static const uint32_t v[] = { VMBUS_VERSION_WIN8 };
	struct vmbus_client_config cfg = { .versions = v, .version_count = 1,
					   .interrupt_page = 0x9000 };
	struct vmbus_msg m;

	(void)state;
	vmbus_client_init(&cli, &cfg);
	assert_int_equal(vmbus_client_connect(&cli, &ob), 0);
	assert_int_equal(ob.msg[0].conn_id, VMBUS_MESSAGE_CONNECTION_ID);
	assert_int_equal(vmbus_msg_parse(ob.msg[0].data, ob.msg[0].len, &m), 0);
	assert_int_equal(m.u.initiate.version_requested, VMBUS_VERSION_WIN8);
	assert_int_equal(m.u.initiate.interrupt_page_or_sint, 0x9000);
	m = msg(VMBUS_MSG_VERSION_RESPONSE);
	m.u.version_response.version_supported = 1;
	m.u.version_response.msg_conn_id = 9;     /* ignored before 5.0 */
	assert_int_equal(send(&m), 0);
	assert_int_equal(ob.msg[0].conn_id, VMBUS_MESSAGE_CONNECTION_ID);
	assert_int_equal(offer(1), 0);
	m = msg(VMBUS_MSG_ALLOFFERS_DELIVERED);
	assert_int_equal(send(&m), 0);
	assert_int_equal(vmbus_client_modify(&cli, 1, 0, &ob), -VMBUS_E_STATE);  /* needs 4.1 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_unsolicited_answers, setup),
		cmocka_unit_test_setup(test_guest_only_types, setup),
		cmocka_unit_test_setup(test_offer_rules, setup),
		cmocka_unit_test_setup(test_answers_must_match, setup),
		cmocka_unit_test_setup(test_failed_gpadl_frees_slot, setup),
		cmocka_unit_test_setup(test_api_misuse, setup),
		cmocka_unit_test_setup(test_gpadl_table_limit, setup),
		cmocka_unit_test_setup(test_old_version_contact, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
