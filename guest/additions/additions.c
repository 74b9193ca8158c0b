/*
 * Guest additions: the VMBus client (vmbus_client state machine) driven
 * by SynIC messages, one ring pair per integration channel, and the IC
 * services answering the root.  Everything runs from additions_poll().
 */
#include "additions.h"
#include "additions_int.h"
#include "os.h"

#include <lib/string.h>

#include "vmbus_client.h"
#include "vmbus_err.h"
#include "vmbus_exec.h"
#include "vmbus_guid.h"
#include "vmbus_ic.h"
#include "vmbus_ic_util.h"
#include "vmbus_kvp.h"
#include "vmbus_msg.h"
#include "vmbus_ring.h"
#include "vmbus_sessions.h"
#include "vmbus_wire.h"

#define PAGE 4096u
#define RING_PAGES 4u            /* header page + 3 data pages each way, as Linux's ICs */
#define HVMSG_TYPE_CHANNEL 1u    /* HvPostMessage type of VMBus messages */
#define SINT VMBUS_MESSAGE_SINT
#define HEARTBEAT_LOG_MS 5000u
#define STATUS_INSUFFICIENT_BUFFERS 0x13u
#define POST_RETRY_MS 1000u

enum svc { SVC_SHUTDOWN, SVC_TIMESYNC, SVC_HEARTBEAT, SVC_KVP, SVC_SESSIONS, SVC_EXEC, SVC_COUNT };

static const struct {
	const char *name;
	const struct vmbus_guid *guid;
	const struct ic_version *versions;
	uint32_t nversions;
} services[SVC_COUNT] = {
	[SVC_SHUTDOWN] = { "shutdown", &vmbus_guid_shutdown, ic_shutdown_versions, 4 },
	[SVC_TIMESYNC] = { "timesync", &vmbus_guid_timesync, ic_timesync_versions, 3 },
	[SVC_HEARTBEAT] = { "heartbeat", &vmbus_guid_heartbeat, ic_heartbeat_versions, 2 },
	[SVC_KVP] = { "kvp", &vmbus_guid_kvp, ic_kvp_versions, 3 },
	[SVC_SESSIONS] = { "sessions", &vmbus_guid_sessions, ic_own_versions, 1 },
	[SVC_EXEC] = { "exec", &vmbus_guid_exec, ic_own_versions, 1 },
};

struct chan {
	uint32_t relid;          /* 0: unused */
	int svc;
	bool open, dead, rescinded;
	uint8_t *mem;
	uint32_t gpadl;
	uint32_t conn_id;
	struct ring out, in;
	struct ic_version srv;   /* negotiated service version */
};

static struct vmbus_client client;
static struct vmbus_outbox outbox;
static struct chan chans[SVC_COUNT];
static uint8_t slot[256];
static uint8_t pkt[IC_MSG_MAX] __attribute__((aligned(8)));
static uint8_t answer[IC_MSG_MAX] __attribute__((aligned(8)));
static bool started;
static bool contact_posted;      /* INITIATE_CONTACT reached the root */
static uint64_t contact_retry_at;
static uint64_t last_heartbeat_log;
static bool heartbeat_logged;
static bool shutdown_pending;
static uint32_t shutdown_action;
static bool silent_negotiate;    /* ADDITIONS_FAULT_SILENT */

/*
 * Posts the outbox; false if a message could not be posted.  A full queue
 * at the root (INSUFFICIENT_BUFFERS) is retried for up to POST_RETRY_MS:
 * the root empties it on its next poll, about 1 ms, but a loaded host may
 * hold the root's vCPU off for far longer, and a message given up here
 * leaves its channel waiting for good.  (Linux's vmbus_post_msg also
 * retries for seconds before it gives up.)
 */
static bool flush(void)
{
	bool ok = true;

	for (uint32_t i = 0; i < outbox.count; i++) {
		const struct vmbus_outmsg *m = &outbox.msg[i];
		uint64_t give_up = os_time_ms() + POST_RETRY_MS;
		uint16_t st;

		do
			st = os_post_message(m->conn_id, HVMSG_TYPE_CHANNEL, m->data, m->len);
		while (st == STATUS_INSUFFICIENT_BUFFERS && os_time_ms() < give_up);
		if (st != 0) {
			if (client.conn != VMBUS_CLI_CONTACTING)
				os_log("bus: HvPostMessage on connection %u failed (status 0x%x)",
				       m->conn_id, st);
			ok = false;
		}
	}
	vmbus_outbox_reset(&outbox);
	return ok;
}

/* The service's channel is offered, open and not failed: packets may go both ways. */
static bool chan_ready(int svc)
{
	return chans[svc].relid != 0 && chans[svc].open && !chans[svc].dead;
}

static struct chan *chan_by_relid(uint32_t relid)
{
	for (int i = 0; i < SVC_COUNT; i++)
		if (chans[i].relid == relid && relid != 0)
			return &chans[i];
	return NULL;
}

static struct chan *chan_by_gpadl(uint32_t gpadl)
{
	for (int i = 0; i < SVC_COUNT; i++)
		if (chans[i].relid != 0 && chans[i].gpadl == gpadl)
			return &chans[i];
	return NULL;
}

static void chan_fail(struct chan *c, const char *why)
{
	os_log("bus channel %s closed: %s", services[c->svc].name, why);
	if (c->open) {
		vmbus_outbox_reset(&outbox);
		vmbus_client_close(&client, c->relid, &outbox);
		flush();
	}
	c->open = false;
	c->dead = true;
}

static void on_offer(uint32_t relid)
{
	const struct vmbus_cli_channel *cc = vmbus_client_channel(&client, relid);
	uint64_t pfns[2 * RING_PAGES];
	struct chan *c;
	int svc, r;

	if (cc == NULL)
		return;
	for (svc = 0; svc < SVC_COUNT; svc++)
		if (vmbus_guid_equal(&cc->offer.if_type, services[svc].guid))
			break;
	if (svc == SVC_COUNT || chans[svc].relid != 0) {
		os_log("bus: offer of relid %u ignored", relid);
		return;  /* not ours, or a second one */
	}
	c = &chans[svc];
	if (c->mem == NULL)
		c->mem = os_alloc_pages(2 * RING_PAGES);
	if (c->mem == NULL) {
		os_log("bus channel %s: out of memory", services[svc].name);
		return;
	}
	memset(c->mem, 0, 2 * RING_PAGES * PAGE);
	c->relid = relid;
	c->svc = svc;
	c->open = c->dead = c->rescinded = false;
	c->conn_id = cc->offer.connection_id;
	if (ring_init_memory(c->mem, RING_PAGES * PAGE, RING_FEAT_PENDING_SEND_SZ) != 0 ||
	    ring_init_memory(c->mem + RING_PAGES * PAGE, RING_PAGES * PAGE,
			     RING_FEAT_PENDING_SEND_SZ) != 0) {
		c->dead = true;
		return;
	}
	for (uint32_t i = 0; i < 2 * RING_PAGES; i++)
		pfns[i] = os_gpa(c->mem + i * PAGE) >> 12;
	r = vmbus_client_create_gpadl(&client, relid, pfns, 2 * RING_PAGES, &outbox, &c->gpadl);
	os_log("bus channel %s (relid %u): GPADL 0x%x %s", services[svc].name, relid, c->gpadl,
	       r < 0 ? "failed" : "sent");
	if (r < 0) {
		os_log("bus channel %s: GPADL refused (%s)", services[svc].name, vmbus_strerror(r));
		c->dead = true;
	}
}

static void on_gpadl(uint32_t gpadl, uint32_t status)
{
	struct chan *c = chan_by_gpadl(gpadl);
	int r;

	if (c == NULL || c->dead)
		return;
	if (status != 0) {
		os_log("bus channel %s: GPADL not created (0x%x)", services[c->svc].name, status);
		c->dead = true;
		return;
	}
	r = vmbus_client_open(&client, c->relid, gpadl, RING_PAGES, 0, NULL, 0, &outbox);
	if (r < 0) {
		os_log("bus channel %s: open refused (%s)", services[c->svc].name, vmbus_strerror(r));
		c->dead = true;
	}
}

static void on_opened(uint32_t relid, uint32_t status)
{
	struct chan *c = chan_by_relid(relid);

	if (c == NULL || c->dead)
		return;
	if (status != 0) {
		os_log("bus channel %s: open failed (0x%x)", services[c->svc].name, status);
		c->dead = true;
		return;
	}
	if (ring_attach_producer(&c->out, c->mem, RING_PAGES * PAGE) != 0 ||
	    ring_attach_consumer(&c->in, c->mem + RING_PAGES * PAGE, RING_PAGES * PAGE) != 0) {
		c->open = true;
		chan_fail(c, "ring attach failed");
		return;
	}
	c->open = true;
	os_log("bus channel %s open", services[c->svc].name);
}

static void handle_message(const uint8_t *s)
{
	struct vmbus_hvmsg_header hdr;
	struct vmbus_cli_event ev;
	const uint8_t *payload;
	int r;

	if (vmbus_hvmsg_parse(s, 256, &hdr, &payload) != 0) {
		os_log("bus: malformed SynIC message dropped");
		return;
	}
	memset(&ev, 0, sizeof(ev));
	vmbus_outbox_reset(&outbox);
	r = vmbus_client_handle(&client, payload, hdr.payload_size, &outbox, &ev);
	if (r < 0) {
		os_log("bus: message refused: %s (%s)", ev.reason ? ev.reason : "?",
		       vmbus_strerror(r));
		flush();
		if (ev.relid != 0 && chan_by_relid(ev.relid) != NULL)
			chan_fail(chan_by_relid(ev.relid), ev.reason ? ev.reason : "bad message");
		return;
	}
	switch (ev.type) {
	case VMBUS_CLI_EV_CONNECTED:
		os_log("bus connected (version %u.%u)", VMBUS_VERSION_MAJOR(ev.version),
		       VMBUS_VERSION_MINOR(ev.version));
		break;
	case VMBUS_CLI_EV_VERSION_RETRY:
		break;
	case VMBUS_CLI_EV_VERSION_FAILED:
		os_log("bus: every version refused");
		break;
	case VMBUS_CLI_EV_OFFER:
		on_offer(ev.relid);
		break;
	case VMBUS_CLI_EV_ALL_OFFERS:
		os_log("bus: all offers delivered");
		break;
	case VMBUS_CLI_EV_GPADL_CREATED:
		on_gpadl(ev.gpadl, ev.status);
		break;
	case VMBUS_CLI_EV_OPENED:
		on_opened(ev.relid, ev.status);
		break;
	case VMBUS_CLI_EV_RESCINDED: {
		struct chan *c = chan_by_relid(ev.relid);

		if (c != NULL) {
			os_log("bus channel %s rescinded", services[c->svc].name);
			if (c->open)
				vmbus_client_close(&client, ev.relid, &outbox);
			c->open = false;
			c->dead = c->rescinded = true;
			/* Tear the ring GPADL down, then release the relid (GPADL_TORNDOWN). */
			if (vmbus_client_teardown_gpadl(&client, c->gpadl, &outbox) < 0) {
				vmbus_client_release(&client, ev.relid, &outbox);
				c->relid = 0;
			}
		}
		break;
	}
	case VMBUS_CLI_EV_GPADL_TORNDOWN: {
		struct chan *c = chan_by_gpadl(ev.gpadl);

		if (c != NULL && c->rescinded) {
			vmbus_client_release(&client, c->relid, &outbox);
			c->relid = 0;  /* a new offer of the service may take the slot */
		}
		break;
	}
	default:
		break;
	}
	flush();
}

/* ---- IC services: each fills `answer` (or answers pkt in place) and returns its length ---- */

static int svc_negotiate(struct chan *c, uint32_t len)
{
	struct ic_version fw, srv;
	bool matched = false;
	int r = ic_negotiate_answer(pkt, len, sizeof(pkt), ic_fw_versions, 2,
				    services[c->svc].versions, services[c->svc].nversions, &fw,
				    &srv, &matched);

	if (r >= 0 && matched)
		c->srv = srv;
	else if (r >= 0)
		os_log("bus channel %s: no common IC version", services[c->svc].name);
	if (r >= 0)
		memcpy(answer, pkt, (size_t)r);
	return r;
}

static int svc_shutdown(const struct ic_msg *m, uint32_t len)
{
	struct ic_shutdown_req req;
	uint32_t st;
	int r = ic_shutdown_parse(m, &req);

	if (r < 0)
		return r;
	st = os_shutdown_check(req.action, req.force);
	os_log("shutdown requested (%s%s)%s",
	       req.action == IC_SHUTDOWN_REBOOT ? "reboot" :
	       req.action == IC_SHUTDOWN_HIBERNATE ? "hibernate" : "power off",
	       req.force ? ", forced" : "", st == IC_S_OK ? "" : ": refused");
	if (st == IC_S_OK) {
		shutdown_pending = true;
		shutdown_action = req.action;
	}
	r = ic_answer_inplace(pkt, len, st);
	if (r >= 0)
		memcpy(answer, pkt, (size_t)r);
	return r;
}

static int svc_timesync(struct chan *c, const struct ic_msg *m, uint32_t len)
{
	struct ic_timesync t;
	int r = ic_timesync_parse(m, c->srv.major, &t);
	uint64_t ref = c->srv.major >= 4 ? t.ref_time : 0;

	if (r < 0)
		return r;
	if (t.flags & IC_TIMESYNC_SYNC)
		os_clock_set(t.parent_time, ref, true);
	else if (t.flags & IC_TIMESYNC_SAMPLE)
		os_clock_set(t.parent_time, ref, false);
	r = ic_answer_inplace(pkt, len, IC_S_OK);
	if (r >= 0)
		memcpy(answer, pkt, (size_t)r);
	return r;
}

static int svc_kvp(uint32_t len)
{
	int r = additions_kvp_answer(pkt, len);

	if (r >= 0)
		memcpy(answer, pkt, (size_t)r);
	return r;
}

static int svc_sessions(const struct ic_msg *m)
{
	static struct ic_sessions_user_info info[IC_SESSIONS_MAX_USERS];
	struct os_user users[IC_SESSIONS_MAX_USERS];
	struct ic_sessions_request req;
	uint32_t total, n, count = 0, st = IC_S_OK;
	int r = ic_sessions_parse_request(m, &req);

	if (r < 0)
		return r;
	switch (req.op) {
	case IC_SESSIONS_OP_LOGOFF:
		st = os_logoff(req.session_id, (req.flags & IC_SESSIONS_LOGOFF_FORCE) != 0, &count);
		os_log("sessions: logoff %u -> %u", req.session_id, count);
		return ic_sessions_build_answer(answer, sizeof(answer), m, st, count, NULL, 0);
	case IC_SESSIONS_OP_LIST:
		total = os_users(users, IC_SESSIONS_MAX_USERS);
		n = total < IC_SESSIONS_MAX_USERS ? total : IC_SESSIONS_MAX_USERS;
		for (uint32_t i = 0; i < n; i++) {
			size_t l = strlen(users[i].name);

			if (l > IC_SESSIONS_NAME_MAX)
				l = IC_SESSIONS_NAME_MAX;
			info[i].session_id = users[i].session_id;
			info[i].flags = users[i].flags;
			memcpy(info[i].name, users[i].name, l);
			info[i].name[l] = 0;
		}
		return ic_sessions_build_answer(answer, sizeof(answer), m, IC_S_OK, total, info,
						(uint16_t)n);
	case IC_SESSIONS_OP_LOCKED:
		return ic_sessions_build_answer(answer, sizeof(answer), m, IC_S_OK,
						os_locked() ? 1u : 0u, NULL, 0);
	default:
		return ic_sessions_build_answer(answer, sizeof(answer), m, IC_E_INVALIDARG, 0,
						NULL, 0);
	}
}

static int svc_exec(const struct ic_msg *m)
{
	static char out[IC_EXEC_MAX_OUTPUT];
	struct ic_exec_req req;
	int32_t status = 0;
	uint32_t out_len = 0;
	int r = ic_exec_parse_request(m, &req);

	if (r < 0)
		return r;
	os_log("exec: %.*s", (int)req.command_len, req.command);
	if (!os_exec(req.command, req.command_len, &status, out, sizeof(out), &out_len))
		return ic_exec_build_answer(answer, sizeof(answer), m, IC_S_OK, 127,
					    IC_EXEC_NOT_FOUND, NULL, 0);
	return ic_exec_build_answer(answer, sizeof(answer), m, IC_S_OK, status, 0, out, out_len);
}

static void heartbeat_log(const uint8_t *buf, uint32_t len)
{
	struct ic_msg m;
	uint64_t seq, now = os_time_ms();

	if (ic_parse(buf, len, &m) != 0 || ic_heartbeat_parse(&m, &seq) != 0)
		return;
	if (!heartbeat_logged || now - last_heartbeat_log >= HEARTBEAT_LOG_MS) {
		heartbeat_logged = true;
		last_heartbeat_log = now;
		os_log("heartbeat %lu", (unsigned long)seq);
	}
}

static int service_packet(struct chan *c, uint32_t len)
{
	struct ic_msg m;
	int r = ic_parse(pkt, len, &m);

	if (r < 0)
		return r;
	if (m.hdr.type == IC_MSGTYPE_NEGOTIATE)
		return svc_negotiate(c, len);
	switch (c->svc) {
	case SVC_HEARTBEAT:
		if (m.hdr.type != IC_MSGTYPE_HEARTBEAT)
			return -VMBUS_E_UNKNOWN;
		r = ic_heartbeat_answer(pkt, len);
		if (r >= 0) {
			heartbeat_log(pkt, (uint32_t)r);
			memcpy(answer, pkt, (size_t)r);
		}
		return r;
	case SVC_SHUTDOWN:
		return m.hdr.type == IC_MSGTYPE_SHUTDOWN ? svc_shutdown(&m, len) : -VMBUS_E_UNKNOWN;
	case SVC_TIMESYNC:
		return m.hdr.type == IC_MSGTYPE_TIMESYNC ? svc_timesync(c, &m, len) : -VMBUS_E_UNKNOWN;
	case SVC_KVP:
		return m.hdr.type == IC_MSGTYPE_KVPEXCHANGE ? svc_kvp(len) : -VMBUS_E_UNKNOWN;
	case SVC_SESSIONS:
		return m.hdr.type == IC_MSGTYPE_SESSIONS ? svc_sessions(&m) : -VMBUS_E_UNKNOWN;
	case SVC_EXEC:
		return m.hdr.type == IC_MSGTYPE_EXEC ? svc_exec(&m) : -VMBUS_E_UNKNOWN;
	default:
		return -VMBUS_E_UNKNOWN;
	}
}

/* ADDITIONS_FAULT_SILENT: true (and logged) if the packet in pkt is a NEGOTIATE to drop. */
static bool drop_negotiate(const struct chan *c, uint32_t len)
{
	struct ic_msg m;

	if (!silent_negotiate || ic_parse(pkt, len, &m) < 0 || m.hdr.type != IC_MSGTYPE_NEGOTIATE)
		return false;
	os_log("bus channel %s: negotiate not answered (bus_silent)", services[c->svc].name);
	return true;
}

static bool poll_channel(struct chan *c)
{
	struct ring_packet p;
	bool did = false;

	os_synic_event(SINT, c->relid);
	for (;;) {
		bool sig_in = false, sig_out = false;
		struct ring_sg sg;
		int r = ring_read(&c->in, &p, pkt, sizeof(pkt));

		if (r == -VMBUS_E_EMPTY)
			break;
		if (r < 0) {
			chan_fail(c, r == -VMBUS_E_NOSPACE ? "packet too big" : "corrupt ring");
			return true;
		}
		did = true;
		if (ring_commit(&c->in, &sig_in) < 0) {
			chan_fail(c, "corrupt ring");
			return true;
		}
		if (sig_in)
			os_signal_event(c->conn_id);
		if (p.type != RING_PKT_DATA_INBAND) {
			chan_fail(c, "unexpected packet type");
			return true;
		}
		if (drop_negotiate(c, p.payload_len))
			continue;
		r = service_packet(c, p.payload_len);
		if (r < 0) {
			chan_fail(c, vmbus_strerror(r));
			return true;
		}
		sg.base = answer;
		sg.len = (size_t)r;
		r = ring_send(&c->out, RING_PKT_DATA_INBAND, 0, p.trans_id, &sg, 1, &sig_out);
		if (r < 0) {
			chan_fail(c, "cannot send the answer");
			return true;
		}
		if (sig_out)
			os_signal_event(c->conn_id);
		if (shutdown_pending) {
			shutdown_pending = false;
			os_shutdown_do(shutdown_action);
		}
	}
	return did;
}

/*
 * INITIATE_CONTACT; the root may not have created our connection yet
 * (the partitions start together), so a refused post is retried.
 */
static int contact(void)
{
	struct vmbus_client_config cfg;
	int r;

	memset(&cfg, 0, sizeof(cfg));
	cfg.target_vcpu = 0;
	cfg.msg_sint = SINT;
	vmbus_client_init(&client, &cfg);
	vmbus_outbox_reset(&outbox);
	r = vmbus_client_connect(&client, &outbox);
	if (r < 0) {
		os_log("bus: connect failed (%s)", vmbus_strerror(r));
		return r;
	}
	contact_posted = flush();
	contact_retry_at = os_time_ms() + 200u;
	return 0;
}

bool additions_start(void)
{
	if (started)
		return true;
	if (!os_synic_init(SINT)) {
		os_log("bus: no SynIC");
		return false;
	}
	if (contact() < 0)
		return false;
	started = true;
	return true;
}

bool additions_poll(void)
{
	bool did = false;

	if (!started)
		return false;
	if (!contact_posted && os_time_ms() >= contact_retry_at)
		contact();
	while (os_synic_peek(SINT, slot)) {
		os_synic_done(SINT);
		handle_message(slot);
		did = true;
	}
	for (int i = 0; i < SVC_COUNT; i++)
		if (chan_ready(i))
			did |= poll_channel(&chans[i]);
	return did;
}

/* Breaks the guest->root heartbeat ring's write_index (beyond the data area). */
static void fault_corrupt_ring(struct chan *c)
{
	c->out.hdr->write_index = 0xfffffff0u;
	os_log("bus channel heartbeat: write_index corrupted (bus_corrupt_ring)");
}

/* Sends a 4-byte in-band packet: too short for an IC header. */
static void fault_malformed(struct chan *c)
{
	static const uint8_t junk[4] = { 0xde, 0xad, 0xbe, 0xef };
	struct ring_sg sg = { junk, sizeof(junk) };
	bool sig = false;

	if (ring_send(&c->out, RING_PKT_DATA_INBAND, 0, 0, &sg, 1, &sig) < 0)
		os_log("bus channel heartbeat: malformed packet not sent");
	else
		os_log("bus channel heartbeat: malformed packet sent (bus_malformed)");
}

#define FLOOD_MS 6000u

struct flood_count {
	unsigned long calls, ok, full, other;
	uint16_t last_other;
};

static void flood_note(struct flood_count *n, uint16_t st)
{
	n->calls++;
	if (st == 0)
		n->ok++;
	else if (st == STATUS_INSUFFICIENT_BUFFERS)
		n->full++;
	else {
		n->other++;
		n->last_other = st;
	}
}

/*
 * ADDITIONS_FAULT_FLOOD: HvSignalEvent on the heartbeat channel, then
 * HvPostMessage of a valid but pointless MODIFYCHANNEL (the KVP channel to
 * vCPU 0) on the message connection, each as fast as possible for
 * FLOOD_MS.  The root should close the channel, then the whole bus.
 */
static void fault_flood(struct chan *hb)
{
	struct vmbus_msg_modify m = { .header = { .msgtype = VMBUS_MSG_MODIFYCHANNEL },
				      .child_relid = chans[SVC_KVP].relid };
	struct flood_count sig = { 0 }, msg = { 0 };
	uint64_t t0 = os_time_ms();

	os_log("bus flood: signalling the heartbeat channel (bus_flood)");
	while (os_time_ms() - t0 < FLOOD_MS)
		flood_note(&sig, os_signal_event(hb->conn_id));
	os_log("bus flood: %lu signals: %lu accepted, %lu refused (last status 0x%x)", sig.calls,
	       sig.ok, sig.other + sig.full, sig.last_other);
	t0 = os_time_ms();
	while (os_time_ms() - t0 < FLOOD_MS)
		flood_note(&msg, os_post_message(client.msg_conn_id, HVMSG_TYPE_CHANNEL, &m,
						 sizeof(m)));
	os_log("bus flood: %lu messages: %lu accepted, %lu insufficient buffers, %lu refused "
	       "(last status 0x%x)", msg.calls, msg.ok, msg.full, msg.other, msg.last_other);
}

#define FOREIGN_STRIDE 128u /* the root gives guest n flags n * 128 + relid */
#define FOREIGN_FLAGS 2048u /* per SINT */

/*
 * ADDITIONS_FAULT_FOREIGN_FLAGS: HvSignalEvent on the heartbeat channel's
 * connection naming flags 128, 256, ... below 2048, where the root's
 * numbering puts the heartbeat flags of the guests after this one.  hv
 * must refuse each (the connection owns flag 0 only), or the root would
 * count them against those guests and close their channels as flooding.
 * As fast as possible for FLOOD_MS, like the flood.
 */
static void fault_foreign_flags(struct chan *hb)
{
	struct flood_count sig = { 0 };
	uint64_t t0 = os_time_ms();

	os_log("bus foreign flags: signalling other guests' flags (bus_foreign_flags)");
	while (os_time_ms() - t0 < FLOOD_MS)
		for (uint32_t f = FOREIGN_STRIDE; f < FOREIGN_FLAGS; f += FOREIGN_STRIDE)
			flood_note(&sig, os_signal_event_flag(hb->conn_id, (uint16_t)f));
	os_log("bus foreign flags: %lu signals: %lu accepted, %lu refused (last status 0x%x)",
	       sig.calls, sig.ok, sig.other + sig.full, sig.last_other);
}

/* Publishes len raw bytes as a packet (ring_write adds only the trailer) and signals. */
static void fault_raw(struct chan *c, const void *bytes, uint32_t len, const char *what,
		      const char *knob)
{
	struct ring_sg sg = { bytes, len };
	bool sig;

	if (ring_write(&c->out, &sg, 1, &sig) < 0)
		os_log("bus channel %s: %s not sent", services[c->svc].name, what);
	else
		os_log("bus channel %s: %s sent (%s)", services[c->svc].name, what, knob);
	os_signal_event(c->conn_id);
}

/* A descriptor and 8 payload bytes; only the first len bytes are published. */
static void fault_desc(struct chan *c, uint16_t offset8, uint16_t len8, uint32_t len,
		       const char *what, const char *knob)
{
	struct { struct ring_desc d; uint64_t payload; } raw = {
		{ RING_PKT_DATA_INBAND, offset8, len8, 0, 1 }, 0
	};

	fault_raw(c, &raw, len, what, knob);
}

/*
 * ADDITIONS_FAULT_OVERSIZED: on heartbeat a descriptor claiming 512 KiB
 * (more than the ring holds); on kvp a well-formed 9000-byte packet, more
 * than an IC message may be (IC_MSG_MAX).
 */
static void fault_oversized(void)
{
	struct ring_sg sg[2] = { { answer, sizeof(answer) }, { pkt, 9000u - sizeof(answer) } };
	struct chan *kvp = &chans[SVC_KVP];
	bool sig;

	fault_desc(&chans[SVC_HEARTBEAT], 2, 0xffff, 16, "packet of 524280 bytes", "bus_oversized");
	if (chan_ready(SVC_KVP)) {
		memset(answer, 0, sizeof(answer));
		if (ring_send(&kvp->out, RING_PKT_DATA_INBAND, 0, 1, sg, 2, &sig) < 0)
			os_log("bus channel kvp: 9000-byte packet not sent");
		else
			os_log("bus channel kvp: 9000-byte packet sent (bus_oversized)");
		os_signal_event(kvp->conn_id);
	}
}

/*
 * ADDITIONS_FAULT_SHORT: heartbeat half a descriptor; kvp a length
 * (8 bytes) shorter than the descriptor; sessions a payload offset past
 * the packet's end; exec a payload offset inside the descriptor.
 */
static void fault_short(void)
{
	static const struct { int svc; uint16_t offset8, len8; uint32_t len; const char *what; } v[] = {
		{ SVC_HEARTBEAT, 2, 2, 8, "half a descriptor" },
		{ SVC_KVP, 2, 1, 16, "packet length 8" },
		{ SVC_SESSIONS, 4, 3, 24, "payload offset 32 in a 24-byte packet" },
		{ SVC_EXEC, 1, 3, 24, "payload offset 8 (inside the descriptor)" },
	};

	for (uint32_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (chan_ready(v[i].svc))
			fault_desc(&chans[v[i].svc], v[i].offset8, v[i].len8, v[i].len, v[i].what,
				   "bus_short");
}

bool additions_misbehave(enum additions_fault f)
{
	struct chan *c = &chans[SVC_HEARTBEAT];

	if (f == ADDITIONS_FAULT_SILENT) {
		silent_negotiate = true;
		return true;
	}
	if (!heartbeat_logged || !chan_ready(SVC_HEARTBEAT))
		return false;
	/*
	 * The bad packets go on several channels at once: wait until every one
	 * of them is open, or a slow channel would silently miss its variant.
	 */
	if ((f == ADDITIONS_FAULT_OVERSIZED && !chan_ready(SVC_KVP)) ||
	    (f == ADDITIONS_FAULT_SHORT &&
	     !(chan_ready(SVC_KVP) && chan_ready(SVC_SESSIONS) && chan_ready(SVC_EXEC))))
		return false;
	if (f == ADDITIONS_FAULT_FOREIGN_FLAGS) {
		fault_foreign_flags(c);
		return true;
	}
	if (f == ADDITIONS_FAULT_FLOOD || f == ADDITIONS_FAULT_OVERSIZED || f == ADDITIONS_FAULT_SHORT) {
		if (f == ADDITIONS_FAULT_FLOOD)
			fault_flood(c);
		else if (f == ADDITIONS_FAULT_OVERSIZED)
			fault_oversized();
		else
			fault_short();
		return true;
	}
	if (f == ADDITIONS_FAULT_CORRUPT_RING)
		fault_corrupt_ring(c);
	else
		fault_malformed(c);
	os_signal_event(c->conn_id);
	return true;
}
