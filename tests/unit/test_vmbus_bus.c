/*
 * The client and server state machines talking to each other in process:
 * every message one produces is fed to the other until both are quiet.
 * Happy paths end to end: negotiation with fallback, offers, GPADLs of
 * every size, open/close, rescind, hot-add, modify and unload/reconnect,
 * and IC traffic on rings placed where the server says they are.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../vmbus/vmbus_client.h"
#include "../../vmbus/vmbus_err.h"
#include "../../vmbus/vmbus_ic_util.h"
#include "../../vmbus/vmbus_ring.h"
#include "../../vmbus/vmbus_server.h"

#define MAX_EVENTS 128

static struct vmbus_server srv;
static struct vmbus_gpadl slots[6];
static struct vmbus_client cli;
static struct vmbus_outbox to_srv, to_cli, batch;
static struct vmbus_srv_event sev[MAX_EVENTS];
static struct vmbus_cli_event cev[MAX_EVENTS];
static unsigned n_sev, n_cev;
static uint32_t conn_ids[MAX_EVENTS];   /* connection id of each message the server got */
static unsigned n_conn;
static bool auto_open = true;
static uint32_t open_status;
static uint64_t pfns[VMBUS_GPADL_MAX_PAGES];

static void deliver_to_server(void)
{
	batch = to_srv;
	vmbus_outbox_reset(&to_srv);
	for (uint32_t i = 0; i < batch.count; i++) {
		struct vmbus_srv_event *ev = &sev[n_sev++ % MAX_EVENTS];
		int rc;

		conn_ids[n_conn++ % MAX_EVENTS] = batch.msg[i].conn_id;
		rc = vmbus_server_handle(&srv, batch.msg[i].data, batch.msg[i].len, &to_cli, ev);
		if (rc != 0)
			fail_msg("server refused: %s (%s)", ev->reason, vmbus_strerror(rc));
		if (ev->type == VMBUS_SRV_EV_OPEN_REQUEST && auto_open)
			assert_int_equal(vmbus_server_open_done(&srv, ev->relid, open_status, &to_cli), 0);
	}
}

static void deliver_to_client(void)
{
	batch = to_cli;
	vmbus_outbox_reset(&to_cli);
	for (uint32_t i = 0; i < batch.count; i++) {
		struct vmbus_cli_event *ev = &cev[n_cev++ % MAX_EVENTS];
		int rc = vmbus_client_handle(&cli, batch.msg[i].data, batch.msg[i].len, &to_srv, ev);

		if (rc != 0 && ev->type != VMBUS_CLI_EV_VERSION_FAILED)
			fail_msg("client refused: %s (%s)", ev->reason, vmbus_strerror(rc));
	}
}

static void pump(void)
{
	while (to_srv.count || to_cli.count) {
		deliver_to_server();
		deliver_to_client();
	}
}

static unsigned count_cli(uint32_t type)
{
	unsigned n = 0;

	for (unsigned i = 0; i < n_cev; i++)
		n += cev[i].type == type;
	return n;
}

static const struct vmbus_cli_event *last_cli(uint32_t type)
{
	for (unsigned i = n_cev; i-- > 0;)
		if (cev[i].type == type)
			return &cev[i];
	fail_msg("no client event %u", type);
	return NULL;
}

static const struct vmbus_srv_event *last_srv(uint32_t type)
{
	for (unsigned i = n_sev; i-- > 0;)
		if (sev[i].type == type)
			return &sev[i];
	fail_msg("no server event %u", type);
	return NULL;
}

static uint32_t offer(const struct vmbus_guid *type, uint32_t conn)
{
	struct vmbus_offer_desc d;
	int relid;

	memset(&d, 0, sizeof(d));
	d.if_type = *type;
	d.if_instance = *type;
	d.connection_id = conn;
	relid = vmbus_server_add_channel(&srv, &d, &to_cli);
	assert_true(relid > 0);
	return (uint32_t)relid;
}

static void start(const uint32_t *versions, uint32_t nversions)
{
	struct vmbus_server_config scfg = { .versions = versions, .version_count = nversions,
					    .msg_conn_id = 7, .vcpu_count = 2 };
	struct vmbus_client_config ccfg = { .target_vcpu = 1, .msg_sint = 2,
					    .interrupt_page = 0x5000, .monitor_page1 = 0x6000,
					    .monitor_page2 = 0x7000 };

	vmbus_server_init(&srv, &scfg, slots, 6);
	vmbus_client_init(&cli, &ccfg);
	vmbus_outbox_reset(&to_srv);
	vmbus_outbox_reset(&to_cli);
	n_sev = n_cev = n_conn = 0;
	auto_open = true;
	open_status = 0;
	for (uint32_t i = 0; i < VMBUS_GPADL_MAX_PAGES; i++)
		pfns[i] = 0x80000 + i;
	offer(&vmbus_guid_heartbeat, 0x100);
	offer(&vmbus_guid_kvp, 0x101);
	offer(&vmbus_guid_shutdown, 0x102);
	assert_int_equal(vmbus_client_connect(&cli, &to_srv), 0);
	pump();
}

static void test_connect_and_offers(void **state)
{
	(void)state;
	start(NULL, 0);
	assert_int_equal(srv.conn, VMBUS_SRV_CONNECTED);
	assert_int_equal(srv.version, VMBUS_VERSION_WIN10_V5_3);
	assert_int_equal(srv.msg_sint, 2);
	assert_int_equal(srv.target_vcpu, 1);
	assert_int_equal(srv.monitor_page2, 0x7000);
	assert_int_equal(cli.conn, VMBUS_CLI_READY);
	assert_int_equal(cli.version, VMBUS_VERSION_WIN10_V5_3);
	assert_int_equal(conn_ids[0], VMBUS_MESSAGE_CONNECTION_ID_4);  /* contact */
	assert_int_equal(conn_ids[1], 7);                              /* then the server's */
	assert_int_equal(count_cli(VMBUS_CLI_EV_OFFER), 3);
	assert_int_equal(count_cli(VMBUS_CLI_EV_ALL_OFFERS), 1);
	assert_int_equal(vmbus_client_find(&cli, &vmbus_guid_kvp), 2);
	assert_int_equal(vmbus_client_channel(&cli, 3)->offer.connection_id, 0x102);
	assert_int_equal(vmbus_client_find(&cli, &vmbus_guid_exec), 0);
}

static void test_version_fallback(void **state)
{
	static const uint32_t only_win8_1[] = { VMBUS_VERSION_WIN8_1 };

	(void)state;
	start(only_win8_1, 1);
	assert_int_equal(count_cli(VMBUS_CLI_EV_VERSION_RETRY), 6);   /* 5.2 ... 3.0 */
	assert_int_equal(cli.version, VMBUS_VERSION_WIN8_1);
	assert_int_equal(cli.conn, VMBUS_CLI_READY);
	assert_int_equal(srv.msg_sint, VMBUS_MESSAGE_SINT);
	assert_int_equal(srv.interrupt_page, 0x5000);
	assert_int_equal(cli.msg_conn_id, VMBUS_MESSAGE_CONNECTION_ID);
	assert_int_equal(conn_ids[n_conn - 1], VMBUS_MESSAGE_CONNECTION_ID);
	assert_int_equal(last_srv(VMBUS_SRV_EV_VERSION_REFUSED)->version, VMBUS_VERSION_WIN8_1 + 0x10000);
}

static void test_no_common_version(void **state)
{
	static const uint32_t only_win7[] = { VMBUS_VERSION_WIN7 };

	(void)state;
	start(only_win7, 1);
	assert_int_equal(cli.conn, VMBUS_CLI_FAILED);
	assert_int_equal(srv.conn, VMBUS_SRV_DISCONNECTED);
	assert_int_equal(count_cli(VMBUS_CLI_EV_VERSION_FAILED), 1);
	assert_int_equal(count_cli(VMBUS_CLI_EV_VERSION_RETRY), 7);
}

/* Creates a GPADL of n pages for relid and returns its handle. */
static uint32_t make_gpadl(uint32_t relid, uint32_t n)
{
	uint32_t h;

	assert_int_equal(vmbus_client_create_gpadl(&cli, relid, pfns, n, &to_srv, &h), 0);
	pump();
	assert_int_equal(last_cli(VMBUS_CLI_EV_GPADL_CREATED)->gpadl, h);
	assert_int_equal(last_cli(VMBUS_CLI_EV_GPADL_CREATED)->status, 0);
	assert_int_equal(last_srv(VMBUS_SRV_EV_GPADL_CREATED)->gpadl, h);
	assert_int_equal(vmbus_server_gpadl(&srv, h)->page_count, n);
	return h;
}

static void test_gpadl_sizes(void **state)
{
	static const uint32_t sizes[] = { 1, 26, 27, 54, 55, 512 };

	(void)state;
	start(NULL, 0);
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t h = make_gpadl(1, sizes[i]);

		for (uint32_t p = 0; p < sizes[i]; p++)
			assert_int_equal(vmbus_gpadl_pfn(vmbus_server_gpadl(&srv, h), p), pfns[p]);
		assert_int_equal(vmbus_client_teardown_gpadl(&cli, h, &to_srv), 0);
		pump();
		assert_int_equal(last_srv(VMBUS_SRV_EV_GPADL_TORNDOWN)->gpadl, h);
		assert_int_equal(last_cli(VMBUS_CLI_EV_GPADL_TORNDOWN)->gpadl, h);
		assert_null(vmbus_server_gpadl(&srv, h));
	}
}

static void test_open_close(void **state)
{
	struct vmbus_srv_rings r;
	uint32_t h;

	(void)state;
	start(NULL, 0);
	h = make_gpadl(1, 8);
	assert_int_equal(vmbus_client_open(&cli, 1, h, 4, 1, NULL, 0, &to_srv), 0);
	pump();
	assert_int_equal(last_srv(VMBUS_SRV_EV_OPEN_REQUEST)->relid, 1);
	assert_int_equal(last_cli(VMBUS_CLI_EV_OPENED)->status, 0);
	assert_int_equal(vmbus_client_channel(&cli, 1)->open_state, VMBUS_CLI_OPEN);
	assert_int_equal(vmbus_server_channel(&srv, 1)->open_state, VMBUS_SRV_OPEN);
	assert_int_equal(vmbus_server_rings(&srv, 1, &r), 0);
	assert_int_equal(r.in_first_page, 0);
	assert_int_equal(r.in_pages, 4);
	assert_int_equal(r.out_first_page, 4);
	assert_int_equal(r.out_pages, 4);
	assert_int_equal(r.target_vp, 1);
	assert_int_equal(vmbus_client_close(&cli, 1, &to_srv), 0);
	pump();
	assert_int_equal(last_srv(VMBUS_SRV_EV_CLOSED)->relid, 1);
	assert_int_equal(vmbus_server_rings(&srv, 1, &r), -VMBUS_E_STATE);
	assert_int_equal(vmbus_client_teardown_gpadl(&cli, h, &to_srv), 0);
	pump();
	/* And again: a closed channel opens anew. */
	h = make_gpadl(1, 4);
	assert_int_equal(vmbus_client_open(&cli, 1, h, 2, 0, (const uint8_t *)"ud", 2, &to_srv), 0);
	pump();
	assert_int_equal(vmbus_server_channel(&srv, 1)->userdata[1], 'd');
	assert_int_equal(vmbus_client_channel(&cli, 1)->open_state, VMBUS_CLI_OPEN);
}

static void test_open_refused_by_owner(void **state)
{
	uint32_t h;

	(void)state;
	start(NULL, 0);
	h = make_gpadl(2, 8);
	open_status = VMBUS_STATUS_UNSUCCESSFUL;
	assert_int_equal(vmbus_client_open(&cli, 2, h, 4, 0, NULL, 0, &to_srv), 0);
	pump();
	assert_int_equal(last_cli(VMBUS_CLI_EV_OPENED)->status, VMBUS_STATUS_UNSUCCESSFUL);
	assert_int_equal(vmbus_client_channel(&cli, 2)->open_state, VMBUS_CLI_CLOSED);
	assert_int_equal(vmbus_server_channel(&srv, 2)->open_state, VMBUS_SRV_CLOSED);
	open_status = 0;
	assert_int_equal(vmbus_client_open(&cli, 2, h, 4, 0, NULL, 0, &to_srv), 0);
	pump();
	assert_int_equal(vmbus_client_channel(&cli, 2)->open_state, VMBUS_CLI_OPEN);
}

static void test_rescind(void **state)
{
	struct vmbus_srv_event ev;
	uint32_t h;

	(void)state;
	start(NULL, 0);
	h = make_gpadl(3, 8);
	assert_int_equal(vmbus_client_open(&cli, 3, h, 4, 0, NULL, 0, &to_srv), 0);
	pump();
	assert_int_equal(vmbus_server_rescind(&srv, 3, &to_cli, &ev), 0);
	pump();
	assert_int_equal(last_cli(VMBUS_CLI_EV_RESCINDED)->relid, 3);
	assert_int_equal(vmbus_client_find(&cli, &vmbus_guid_shutdown), 0);
	/* The guest winds down as Linux does: close, tear down, release. */
	assert_int_equal(vmbus_client_close(&cli, 3, &to_srv), 0);
	assert_int_equal(vmbus_client_teardown_gpadl(&cli, h, &to_srv), 0);
	pump();
	assert_int_equal(last_srv(VMBUS_SRV_EV_CLOSED)->relid, 3);
	assert_int_equal(last_srv(VMBUS_SRV_EV_GPADL_TORNDOWN)->gpadl, h);
	assert_int_equal(vmbus_client_release(&cli, 3, &to_srv), 0);
	pump();
	assert_int_equal(last_srv(VMBUS_SRV_EV_RELEASED)->relid, 3);
	assert_null(vmbus_server_channel(&srv, 3));
	assert_null(vmbus_client_channel(&cli, 3));
	/* The relid can be reused for a new offer, which the guest hears at once. */
	assert_int_equal(offer(&vmbus_guid_exec, 0x103), 3);
	pump();
	assert_int_equal(vmbus_client_find(&cli, &vmbus_guid_exec), 3);
}

static void test_hot_add(void **state)
{
	(void)state;
	start(NULL, 0);
	assert_int_equal(offer(&vmbus_guid_sessions, 0x104), 4);
	pump();
	assert_int_equal(last_cli(VMBUS_CLI_EV_OFFER)->relid, 4);
	assert_int_equal(vmbus_client_find(&cli, &vmbus_guid_sessions), 4);
}

static void test_modify(void **state)
{
	uint32_t h;

	(void)state;
	start(NULL, 0);
	h = make_gpadl(1, 4);
	assert_int_equal(vmbus_client_open(&cli, 1, h, 2, 0, NULL, 0, &to_srv), 0);
	pump();
	assert_int_equal(vmbus_client_modify(&cli, 1, 1, &to_srv), 0);
	pump();
	assert_int_equal(last_srv(VMBUS_SRV_EV_MODIFIED)->relid, 1);
	assert_int_equal(vmbus_server_channel(&srv, 1)->target_vp, 1);
	assert_int_equal(last_cli(VMBUS_CLI_EV_MODIFIED)->status, 0);
}

static void test_unload_and_reconnect(void **state)
{
	uint32_t h;

	(void)state;
	start(NULL, 0);
	h = make_gpadl(1, 4);
	assert_int_equal(vmbus_client_open(&cli, 1, h, 2, 0, NULL, 0, &to_srv), 0);
	pump();
	assert_int_equal(vmbus_client_unload(&cli, &to_srv), 0);
	pump();
	assert_int_equal(last_srv(VMBUS_SRV_EV_UNLOADED)->type, VMBUS_SRV_EV_UNLOADED);
	assert_int_equal(last_cli(VMBUS_CLI_EV_UNLOADED)->type, VMBUS_CLI_EV_UNLOADED);
	assert_int_equal(srv.conn, VMBUS_SRV_DISCONNECTED);
	assert_int_equal(cli.conn, VMBUS_CLI_IDLE);
	assert_null(vmbus_server_gpadl(&srv, h));
	assert_int_equal(vmbus_server_channel(&srv, 1)->open_state, VMBUS_SRV_CLOSED);
	assert_false(vmbus_server_channel(&srv, 1)->offer_sent);
	assert_int_equal(vmbus_client_connect(&cli, &to_srv), 0);
	pump();
	assert_int_equal(cli.conn, VMBUS_CLI_READY);
	assert_int_equal(count_cli(VMBUS_CLI_EV_OFFER), 6);
	assert_true(make_gpadl(1, 4) != h);   /* handles are not reused */
}

/*
 * After the open, IC traffic on the real ring layout: the guest's 8 pages
 * hold its outbound ring (pages 0-3) and inbound ring (pages 4-7) where
 * vmbus_server_rings() says; the host negotiates and sends a heartbeat,
 * the guest answers in place with the request's packet id.
 */
static _Alignas(4096) uint8_t guest_pages[8 * 4096];

static void host_to_guest(struct ring *out, struct ring *in, uint8_t *buf, int n,
			  struct ring_packet *p, uint8_t *got)
{
	struct ring_sg sg = { buf, (size_t)n };
	bool sig;

	assert_int_equal(ring_send(out, RING_PKT_DATA_INBAND, RING_PKT_FLAG_COMPLETION_REQUESTED,
				   0x42, &sg, 1, &sig), 0);
	assert_true(sig);   /* ring was empty */
	assert_int_equal(ring_read(in, p, got, 4096), 0);
	assert_int_equal(ring_commit(in, &sig), 0);
	assert_int_equal(p->trans_id, 0x42);
}

static void test_ic_over_rings(void **state)
{
	struct ring host_out, host_in, guest_out, guest_in;
	struct vmbus_srv_rings r;
	struct ring_packet p;
	struct ic_version fw, sv;
	struct ic_msg m;
	uint8_t buf[4096], got[4096];
	struct ring_sg sg;
	bool sig, matched;
	int n;

	(void)state;
	start(NULL, 0);
	assert_int_equal(vmbus_client_open(&cli, 1, make_gpadl(1, 8), 4, 0, NULL, 0, &to_srv), 0);
	pump();
	assert_int_equal(vmbus_server_rings(&srv, 1, &r), 0);
	/* The guest owns the memory and prepares both rings. */
	assert_int_equal(ring_init_memory(guest_pages, 4 * 4096, RING_FEAT_PENDING_SEND_SZ), 0);
	assert_int_equal(ring_init_memory(guest_pages + 4 * 4096, 4 * 4096, RING_FEAT_PENDING_SEND_SZ), 0);
	assert_int_equal(ring_attach_producer(&guest_out, guest_pages, 4 * 4096), 0);
	assert_int_equal(ring_attach_consumer(&guest_in, guest_pages + 4 * 4096, 4 * 4096), 0);
	/* The host maps the same pages as vmbus_server_rings() places them. */
	assert_int_equal(ring_attach_consumer(&host_in, guest_pages + r.in_first_page * 4096,
					      r.in_pages * 4096), 0);
	assert_int_equal(ring_attach_producer(&host_out, guest_pages + r.out_first_page * 4096,
					      r.out_pages * 4096), 0);
	n = ic_negotiate_build(buf, sizeof(buf), 0, ic_fw_versions, 2, ic_heartbeat_versions, 2);
	host_to_guest(&host_out, &guest_in, buf, n, &p, got);
	n = ic_negotiate_answer(got, p.payload_len, sizeof(got), ic_fw_versions, 2,
				ic_heartbeat_versions, 2, &fw, &sv, &matched);
	assert_true(matched);
	sg = (struct ring_sg){ got, (size_t)n };
	assert_int_equal(ring_send(&guest_out, RING_PKT_DATA_INBAND, 0, p.trans_id, &sg, 1, &sig), 0);
	assert_int_equal(ring_read(&host_in, &p, buf, sizeof(buf)), 0);
	assert_int_equal(p.trans_id, 0x42);
	assert_int_equal(ic_parse(buf, p.payload_len, &m), 0);
	assert_int_equal(ic_negotiate_result(&m, ic_fw_versions, 2, ic_heartbeat_versions, 2, &fw,
					     &sv), 0);
	struct ic_hdr_info h = { .type = IC_MSGTYPE_HEARTBEAT, .fw = fw, .msgver = sv,
				 .flags = IC_FLAG_TRANSACTION | IC_FLAG_REQUEST };
	uint64_t seq;

	n = ic_heartbeat_build(buf, sizeof(buf), &h, 100);
	host_to_guest(&host_out, &guest_in, buf, n, &p, got);
	/* payload_len includes the ring's padding; the answer is exactly 28 + 40. */
	n = ic_heartbeat_answer(got, p.payload_len);
	assert_int_equal(n, 68);
	sg = (struct ring_sg){ got, (size_t)n };
	assert_int_equal(ring_send(&guest_out, RING_PKT_DATA_INBAND, 0, p.trans_id, &sg, 1, &sig), 0);
	assert_int_equal(ring_read(&host_in, &p, buf, sizeof(buf)), 0);
	assert_int_equal(ic_parse(buf, p.payload_len, &m), 0);
	assert_int_equal(ic_heartbeat_parse(&m, &seq), 0);
	assert_int_equal(seq, 101);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_and_offers),
		cmocka_unit_test(test_version_fallback),
		cmocka_unit_test(test_no_common_version),
		cmocka_unit_test(test_gpadl_sizes),
		cmocka_unit_test(test_open_close),
		cmocka_unit_test(test_open_refused_by_owner),
		cmocka_unit_test(test_rescind),
		cmocka_unit_test(test_hot_add),
		cmocka_unit_test(test_modify),
		cmocka_unit_test(test_unload_and_reconnect),
		cmocka_unit_test(test_ic_over_rings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
