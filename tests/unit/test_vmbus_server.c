/*
 * The server state machine against a misbehaving guest: every message in
 * the wrong state or with bad contents is refused with a reason, leaves
 * the state as it was, and answers only where the guest would otherwise
 * wait forever (GPADL_CREATED / OPENCHANNEL_RESULT with a failure status).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../vmbus/vmbus_err.h"
#include "../../vmbus/vmbus_server.h"

static struct vmbus_server srv;
static struct vmbus_gpadl slots[2];
static struct vmbus_outbox ob;
static struct vmbus_srv_event ev;

static struct vmbus_msg msg(uint32_t type)
{
	struct vmbus_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	return m;
}

/* Sends m; returns the result with the outbox holding only the replies. */
static int send(const struct vmbus_msg *m)
{
	uint8_t buf[VMBUS_HVMSG_PAYLOAD_MAX];
	int n = vmbus_msg_encode(buf, sizeof(buf), m);

	assert_true(n > 0);
	vmbus_outbox_reset(&ob);
	return vmbus_server_handle(&srv, buf, (uint32_t)n, &ob, &ev);
}

static void refused(int rc, int err)
{
	assert_int_equal(rc, err);
	assert_non_null(ev.reason);
	assert_int_equal(ev.type, VMBUS_SRV_EV_NONE);
}

/* The single reply in the outbox, decoded. */
static struct vmbus_msg reply(void)
{
	struct vmbus_msg m;

	assert_int_equal(ob.count, 1);
	assert_int_equal(vmbus_msg_parse(ob.msg[0].data, ob.msg[0].len, &m), 0);
	return m;
}

static void add_channels(void)
{
	struct vmbus_offer_desc d;

	memset(&d, 0, sizeof(d));
	d.if_type = vmbus_guid_heartbeat;
	assert_int_equal(vmbus_server_add_channel(&srv, &d, &ob), 1);
	d.if_type = vmbus_guid_kvp;
	assert_int_equal(vmbus_server_add_channel(&srv, &d, &ob), 2);
}

static int contact(uint32_t version, uint64_t sint_or_page, uint32_t vcpu)
{
	struct vmbus_msg m = msg(VMBUS_MSG_INITIATE_CONTACT);

	m.u.initiate.version_requested = version;
	m.u.initiate.interrupt_page_or_sint = sint_or_page;
	m.u.initiate.target_vcpu = vcpu;
	return send(&m);
}

static int setup(void **state)
{
	struct vmbus_server_config cfg = { .vcpu_count = 2 };

	(void)state;
	vmbus_server_init(&srv, &cfg, slots, 2);
	add_channels();
	return 0;
}

/* Connected and offered: what most tests start from. */
static void connect(void)
{
	struct vmbus_msg m = msg(VMBUS_MSG_REQUESTOFFERS);

	assert_int_equal(contact(VMBUS_VERSION_WIN10_V5_3, 2, 0), 0);
	assert_int_equal(send(&m), 0);
	assert_int_equal(ob.count, 3);
}

static int gpadl(uint32_t relid, uint32_t handle, uint32_t pages, uint16_t ranges)
{
	uint64_t w[1 + 26];
	struct vmbus_msg m = msg(VMBUS_MSG_GPADL_HEADER);

	w[0] = (uint64_t)pages * 4096;
	for (uint32_t i = 0; i < pages; i++)
		w[1 + i] = 100 + i;
	m.u.gpadl_header.child_relid = relid;
	m.u.gpadl_header.gpadl = handle;
	m.u.gpadl_header.range_count = ranges;
	m.u.gpadl_header.range_buflen = (uint16_t)(8 * (1 + pages));
	m.tail = (const uint8_t *)w;
	m.tail_len = 8 * (1 + pages);
	return send(&m);
}

static int open_channel(uint32_t relid, uint32_t handle, uint32_t offset, uint32_t vp)
{
	struct vmbus_msg m = msg(VMBUS_MSG_OPENCHANNEL);

	m.u.open.child_relid = relid;
	m.u.open.open_id = 0x77;
	m.u.open.ring_gpadl = handle;
	m.u.open.downstream_page_offset = offset;
	m.u.open.target_vp = vp;
	return send(&m);
}

static void test_before_contact(void **state)
{
	static const uint32_t types[] = { VMBUS_MSG_REQUESTOFFERS, VMBUS_MSG_OPENCHANNEL,
					  VMBUS_MSG_CLOSECHANNEL, VMBUS_MSG_GPADL_TEARDOWN,
					  VMBUS_MSG_RELID_RELEASED, VMBUS_MSG_UNLOAD };

	(void)state;
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct vmbus_msg m = msg(types[i]);

		refused(send(&m), -VMBUS_E_STATE);
		assert_int_equal(ob.count, 0);
	}
	assert_int_equal(srv.conn, VMBUS_SRV_DISCONNECTED);
}

static void test_contact_checks(void **state)
{
	struct vmbus_msg r;

	(void)state;
	refused(contact(VMBUS_VERSION_WIN10_V5, 16, 0), -VMBUS_E_MALFORMED);
	r = reply();
	assert_int_equal(r.u.version_response.version_supported, 0);
	refused(contact(VMBUS_VERSION_WIN10_V5, 2 | 1 << 8, 0), -VMBUS_E_MALFORMED);  /* VTL 1 */
	refused(contact(VMBUS_VERSION_WIN10, 0x5008, 0), -VMBUS_E_MALFORMED);         /* unaligned */
	refused(contact(VMBUS_VERSION_WIN10, 0x5000, 2), -VMBUS_E_MALFORMED);         /* vCPU 2 of 2 */
	assert_int_equal(srv.conn, VMBUS_SRV_DISCONNECTED);
	assert_int_equal(contact(VMBUS_VERSION_WIN7, 0x5000, 0), 0);                   /* refused */
	assert_int_equal(ev.type, VMBUS_SRV_EV_VERSION_REFUSED);
	assert_int_equal(reply().u.version_response.version_supported, 0);
	assert_int_equal(contact(VMBUS_VERSION_WIN10, 0x5000, 1), 0);
	assert_int_equal(ev.type, VMBUS_SRV_EV_CONNECTED);
	r = reply();
	assert_int_equal(r.u.version_response.version_supported, 1);
	assert_int_equal(r.u.version_response.msg_conn_id, 0);   /* only >= 5.0 */
	refused(contact(VMBUS_VERSION_WIN10, 0x5000, 1), -VMBUS_E_STATE);
	assert_int_equal(ob.count, 0);
}

static void test_garbage(void **state)
{
	uint8_t junk[8] = { 99 };
	struct vmbus_msg m = msg(VMBUS_MSG_OFFERCHANNEL);

	(void)state;
	vmbus_outbox_reset(&ob);
	refused(vmbus_server_handle(&srv, junk, 8, &ob, &ev), -VMBUS_E_UNKNOWN);
	refused(vmbus_server_handle(&srv, junk, 4, &ob, &ev), -VMBUS_E_SHORT);
	connect();
	refused(send(&m), -VMBUS_E_UNKNOWN);         /* a server-only message */
	m = msg(VMBUS_MSG_REQUESTOFFERS);
	refused(send(&m), -VMBUS_E_STATE);           /* twice */
}

static void test_gpadl_refusals(void **state)
{
	struct vmbus_msg m;

	(void)state;
	connect();
	refused(gpadl(9, 1, 2, 1), -VMBUS_E_NOTFOUND);
	assert_int_equal(ob.count, 0);
	refused(gpadl(1, 1, 2, 2), -VMBUS_E_MALFORMED);       /* second range missing */
	m = reply();
	assert_int_equal(m.type, VMBUS_MSG_GPADL_CREATED);
	assert_int_equal(m.u.gpadl_created.creation_status, VMBUS_STATUS_UNSUCCESSFUL);
	assert_null(vmbus_server_gpadl(&srv, 1));             /* slot freed */
	assert_int_equal(gpadl(1, 1, 2, 1), 0);
	assert_int_equal(reply().u.gpadl_created.creation_status, 0);
	refused(gpadl(2, 1, 2, 1), -VMBUS_E_EXISTS);          /* handle in use */
	assert_int_equal(gpadl(2, 2, 2, 1), 0);
	refused(gpadl(2, 3, 2, 1), -VMBUS_E_LIMIT);           /* both slots taken */
	assert_int_equal(reply().u.gpadl_created.creation_status, VMBUS_STATUS_UNSUCCESSFUL);
	m = msg(VMBUS_MSG_GPADL_BODY);
	m.u.gpadl_body.gpadl = 9;
	m.tail = (const uint8_t *)"12345678";
	m.tail_len = 8;
	refused(send(&m), -VMBUS_E_NOTFOUND);
	m.u.gpadl_body.gpadl = 1;
	refused(send(&m), -VMBUS_E_STATE);                    /* already complete */
	m = msg(VMBUS_MSG_GPADL_TEARDOWN);
	m.u.gpadl_teardown.gpadl = 1;
	m.u.gpadl_teardown.child_relid = 2;
	refused(send(&m), -VMBUS_E_MALFORMED);                /* not that channel's */
	m.u.gpadl_teardown.gpadl = 5;
	refused(send(&m), -VMBUS_E_NOTFOUND);
}

static void test_open_refusals(void **state)
{
	struct vmbus_msg m;

	(void)state;
	connect();
	assert_int_equal(gpadl(1, 1, 8, 1), 0);
	assert_int_equal(gpadl(2, 2, 8, 1), 0);
	refused(open_channel(9, 1, 4, 0), -VMBUS_E_NOTFOUND);
	assert_int_equal(ob.count, 0);
	refused(open_channel(1, 5, 4, 0), -VMBUS_E_MALFORMED);   /* no such GPADL */
	m = reply();
	assert_int_equal(m.type, VMBUS_MSG_OPENCHANNEL_RESULT);
	assert_int_equal(m.u.open_result.open_id, 0x77);
	assert_int_equal(m.u.open_result.status, VMBUS_STATUS_UNSUCCESSFUL);
	refused(open_channel(1, 2, 4, 0), -VMBUS_E_MALFORMED);   /* channel 2's GPADL */
	refused(open_channel(1, 1, 1, 0), -VMBUS_E_MALFORMED);   /* ring of one page */
	refused(open_channel(1, 1, 7, 0), -VMBUS_E_MALFORMED);
	refused(open_channel(1, 1, 4, 2), -VMBUS_E_MALFORMED);   /* VP beyond the count */
	assert_int_equal(vmbus_server_channel(&srv, 1)->open_state, VMBUS_SRV_CLOSED);
	assert_int_equal(vmbus_server_open_done(&srv, 1, 0, &ob), -VMBUS_E_STATE);
	assert_int_equal(open_channel(1, 1, 6, 1), 0);
	assert_int_equal(ev.type, VMBUS_SRV_EV_OPEN_REQUEST);
	assert_int_equal(ob.count, 0);                            /* the owner answers */
	refused(open_channel(1, 1, 6, 1), -VMBUS_E_STATE);
	assert_int_equal(reply().u.open_result.status, VMBUS_STATUS_UNSUCCESSFUL);
	assert_int_equal(vmbus_server_open_done(&srv, 1, 0, &ob), 0);
	assert_int_equal(vmbus_server_open_done(&srv, 1, 0, &ob), -VMBUS_E_STATE);
	m = msg(VMBUS_MSG_GPADL_TEARDOWN);
	m.u.gpadl_teardown.gpadl = 1;
	m.u.gpadl_teardown.child_relid = 1;
	refused(send(&m), -VMBUS_E_STATE);                        /* rings in use */
}

static void test_channel_refusals(void **state)
{
	struct vmbus_msg m;

	(void)state;
	connect();
	m = msg(VMBUS_MSG_CLOSECHANNEL);
	m.u.relid.child_relid = 1;
	refused(send(&m), -VMBUS_E_STATE);
	m.u.relid.child_relid = 0;
	refused(send(&m), -VMBUS_E_NOTFOUND);
	m = msg(VMBUS_MSG_RELID_RELEASED);
	m.u.relid.child_relid = 1;
	refused(send(&m), -VMBUS_E_STATE);
	m = msg(VMBUS_MSG_MODIFYCHANNEL);
	m.u.modify.child_relid = 1;
	refused(send(&m), -VMBUS_E_STATE);                        /* not open */
}

static void test_modify_needs_version(void **state)
{
	struct vmbus_msg m = msg(VMBUS_MSG_MODIFYCHANNEL);

	(void)state;
	assert_int_equal(contact(VMBUS_VERSION_WIN10, 0x5000, 0), 0);
	m.u.modify.child_relid = 1;
	refused(send(&m), -VMBUS_E_STATE);
}

static void test_rescind_rules(void **state)
{
	struct vmbus_offer_desc d;
	struct vmbus_msg m;

	(void)state;
	assert_int_equal(vmbus_server_rescind(&srv, 1, &ob, &ev), 0);   /* never offered */
	assert_int_equal(ev.type, VMBUS_SRV_EV_RELEASED);
	assert_null(vmbus_server_channel(&srv, 1));
	assert_int_equal(vmbus_server_rescind(&srv, 1, &ob, &ev), -VMBUS_E_NOTFOUND);
	assert_int_equal(contact(VMBUS_VERSION_WIN10_V5_3, 2, 0), 0);
	m = msg(VMBUS_MSG_REQUESTOFFERS);
	assert_int_equal(send(&m), 0);
	assert_int_equal(ob.count, 2);   /* one offer, ALLOFFERS_DELIVERED */
	vmbus_outbox_reset(&ob);
	assert_int_equal(vmbus_server_rescind(&srv, 2, &ob, &ev), 0);
	assert_int_equal(reply().type, VMBUS_MSG_RESCIND_CHANNELOFFER);
	assert_int_equal(vmbus_server_rescind(&srv, 2, &ob, &ev), -VMBUS_E_STATE);
	refused(gpadl(2, 1, 2, 1), -VMBUS_E_STATE);
	assert_int_equal(reply().u.gpadl_created.creation_status, VMBUS_STATUS_UNSUCCESSFUL);
	refused(open_channel(2, 1, 4, 0), -VMBUS_E_STATE);
	assert_int_equal(vmbus_server_open_done(&srv, 2, 0, &ob), -VMBUS_E_STATE);
	m = msg(VMBUS_MSG_RELID_RELEASED);
	m.u.relid.child_relid = 2;
	assert_int_equal(send(&m), 0);
	assert_int_equal(ev.type, VMBUS_SRV_EV_RELEASED);
	memset(&d, 0, sizeof(d));
	d.user_def_len = 121;
	assert_int_equal(vmbus_server_add_channel(&srv, &d, &ob), -VMBUS_E_INVAL);
	d.user_def_len = 0;
	for (uint32_t i = 0; i < VMBUS_MAX_CHANNELS; i++) {
		vmbus_outbox_reset(&ob);
		assert_int_equal(vmbus_server_add_channel(&srv, &d, &ob), (int)i + 1);
	}
	assert_int_equal(vmbus_server_add_channel(&srv, &d, &ob), -VMBUS_E_LIMIT);
}

static void test_outbox_full(void **state)
{
	struct vmbus_msg m = msg(VMBUS_MSG_REQUESTOFFERS);
	uint8_t buf[16];
	int n = vmbus_msg_encode(buf, sizeof(buf), &m);

	(void)state;
	assert_int_equal(contact(VMBUS_VERSION_WIN10, 0x5000, 0), 0);
	vmbus_outbox_reset(&ob);
	ob.count = VMBUS_OUTBOX_MAX - 2;   /* room for 2, 3 needed */
	refused(vmbus_server_handle(&srv, buf, (uint32_t)n, &ob, &ev), -VMBUS_E_NOSPACE);
	assert_int_equal(ob.count, VMBUS_OUTBOX_MAX - 2);
	assert_false(srv.offers_requested);
	ob.count = VMBUS_OUTBOX_MAX - 3;
	assert_int_equal(vmbus_server_handle(&srv, buf, (uint32_t)n, &ob, &ev), 0);
}

static void test_rescind_while_opening(void **state)
{
	(void)state;
	connect();
	assert_int_equal(gpadl(1, 1, 8, 1), 0);
	assert_int_equal(open_channel(1, 1, 4, 0), 0);
	assert_int_equal(vmbus_server_rescind(&srv, 1, &ob, &ev), 0);
	vmbus_outbox_reset(&ob);
	assert_int_equal(vmbus_server_open_done(&srv, 1, 0, &ob), 0);
	assert_int_equal(reply().u.open_result.status, VMBUS_STATUS_UNSUCCESSFUL);
	assert_int_equal(vmbus_server_channel(&srv, 1)->open_state, VMBUS_SRV_CLOSED);
}

static void test_reset(void **state)
{
	(void)state;
	connect();
	assert_int_equal(gpadl(1, 1, 8, 1), 0);
	vmbus_server_reset(&srv);
	assert_int_equal(srv.conn, VMBUS_SRV_DISCONNECTED);
	assert_null(vmbus_server_gpadl(&srv, 1));
	assert_non_null(vmbus_server_channel(&srv, 1));
	connect();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_before_contact, setup),
		cmocka_unit_test_setup(test_contact_checks, setup),
		cmocka_unit_test_setup(test_garbage, setup),
		cmocka_unit_test_setup(test_gpadl_refusals, setup),
		cmocka_unit_test_setup(test_open_refusals, setup),
		cmocka_unit_test_setup(test_channel_refusals, setup),
		cmocka_unit_test_setup(test_modify_needs_version, setup),
		cmocka_unit_test_setup(test_rescind_rules, setup),
		cmocka_unit_test_setup(test_outbox_full, setup),
		cmocka_unit_test_setup(test_rescind_while_opening, setup),
		cmocka_unit_test_setup(test_reset, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
