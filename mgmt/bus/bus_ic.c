/*
 * Integration services on the channels the root offers (docs/bus.md):
 * the host speaks first with NEGOTIATE on every channel, as Hyper-V does;
 * then Heartbeat sends a sequence number every heartbeat period (default
 * 1000 ms) and expects it back plus one, TimeSync sends SYNC once ready
 * and SAMPLE every 5 s while host time sync is enabled (guestos).  The
 * answers on Shutdown, KVP, Sessions and Exec belong to guestos
 * (guestos.c), which asks the questions there.  Every answer is checked;
 * a malformed one, or none within IC_ANSWER_TIMEOUT_MS (guestos's
 * requests included), closes the channel (bus_chan_fail).  Each answered
 * heartbeat's round trip (request sent -> answer parsed, TSC) goes to
 * the heartbeat watcher if one is set (the hb_stats knob).
 */
#include "bus_int.h"
#include "guestos_bus.h"

#include <kernel/console.h>
#include <kernel/reftime.h>
#include <kernel/probe.h>
#include <lib/format.h>
#include <kernel/time.h>
#include <lib/string.h>

#include "vmbus_err.h"
#include "vmbus_ic_util.h"

#define HB_LOG_MS 5000u
#define HB_LOST 3u
#define HB_WINDOW_MS 60000u
#define TS_SAMPLE_MS 5000u
/*
 * How long a guest may take to answer a request before the root closes
 * the channel.  Our additions answer within a poll, Linux from a work
 * item within milliseconds; 10 s leaves room for a guest slowed down by
 * a loaded host (QEMU TCG) without keeping a dead channel for long.
 * Heartbeats are exempt: a guest that misses them is reported lost and
 * may come back.  So is NEGOTIATE, as on Hyper-V: a guest answers it only
 * once its service runs (Linux's KVP when hv_kvp_daemon registers, which
 * may be minutes after boot), so after this long the root logs once that
 * it waits, and the service counts as absent until the answer comes.
 */
#define IC_ANSWER_TIMEOUT_MS 10000u
/* The root has no wall clock: host time is this date plus reference time. */
#define HOST_EPOCH_UNIX 1767225600ull /* 2026-01-01 00:00:00 UTC */

static uint64_t heartbeat_ms = BUS_HEARTBEAT_MS_DEFAULT;
static bus_heartbeat_fn heartbeat_watcher;
static uint8_t buf[IC_MSG_MAX] __attribute__((aligned(8)));

static void guestos_answered(struct bus_guest *g, uint32_t relid, const struct ic_msg *m);

static const char *const names[BUS_SERVICES + 1] = {
	"?", "shutdown", "timesync", "heartbeat", "kvp", "sessions", "exec",
};

const char *bus_service_name(uint32_t relid)
{
	return relid <= BUS_SERVICES ? names[relid] : "?";
}

static const struct ic_version *service_versions(uint32_t relid, uint32_t *n)
{
	switch (relid) {
	case BUS_SHUTDOWN:
		*n = 4;
		return ic_shutdown_versions;
	case BUS_TIMESYNC:
		*n = 3;
		return ic_timesync_versions;
	case BUS_HEARTBEAT:
		*n = 2;
		return ic_heartbeat_versions;
	case BUS_KVP:
		*n = 3;
		return ic_kvp_versions;
	default:
		*n = 1;
		return ic_own_versions;
	}
}

static uint16_t service_type(uint32_t relid)
{
	static const uint16_t t[BUS_SERVICES + 1] = {
		0, IC_MSGTYPE_SHUTDOWN, IC_MSGTYPE_TIMESYNC, IC_MSGTYPE_HEARTBEAT,
		IC_MSGTYPE_KVPEXCHANGE, IC_MSGTYPE_SESSIONS, IC_MSGTYPE_EXEC,
	};
	return relid <= BUS_SERVICES ? t[relid] : 0;
}

bool bus_ic_set_heartbeat_ms(uint64_t ms)
{
	if (ms < BUS_HEARTBEAT_MS_MIN || ms > BUS_HEARTBEAT_MS_MAX)
		return false;
	heartbeat_ms = ms;
	return true;
}

void bus_ic_watch_heartbeats(bus_heartbeat_fn fn)
{
	heartbeat_watcher = fn;
}

static struct ic_hdr_info request_hdr(struct bus_chan *c, uint32_t relid)
{
	return (struct ic_hdr_info){ .type = service_type(relid), .fw = c->fw, .msgver = c->srv,
				     .trans_id = ++c->ic_tid,
				     .flags = IC_FLAG_TRANSACTION | IC_FLAG_REQUEST };
}

static int send_or_log(struct bus_guest *g, uint32_t relid, int len, const char *what)
{
	int rc = len < 0 ? len : bus_send(g, relid, buf, (uint32_t)len);

	if (rc < 0 && rc != -VMBUS_E_STATE)
		kprintf("root: bus %s: %s not sent: %s\n", bus_guest_name(g), what, vmbus_strerror(rc));
	return rc;
}

/* A request was sent: unless an older one waits, time its answer. */
static void await_answer(struct bus_chan *c, uint8_t tid, const char *what)
{
	if (c != NULL && c->wait_ms == 0) {
		c->wait_ms = bus_now_ms();
		c->wait_tid = tid;
		c->wait_what = what;
	}
}

/* Sends a request that must be answered within IC_ANSWER_TIMEOUT_MS (named `what` in the log). */
static void send_request(struct bus_guest *g, uint32_t relid, int len, uint8_t tid,
			 const char *what)
{
	if (send_or_log(g, relid, len, what) == 0)
		await_answer(bus_chan_of(g, relid), tid, what);
}

void bus_ic_opened(struct bus_guest *g, uint32_t relid)
{
	struct bus_chan *c = bus_chan_of(g, relid);
	uint32_t n;
	const struct ic_version *v = service_versions(relid, &n);
	int len;

	if (c == NULL)
		return;
	c->ic_state = BUS_IC_NEGOTIATING;
	len = ic_negotiate_build(buf, sizeof(buf), ++c->ic_tid, ic_fw_versions, 2, v, n);
	if (send_or_log(g, relid, len, "NEGOTIATE") == 0)
		c->negotiate_ms = bus_now_ms();
}

/* One line when a NEGOTIATE has waited IC_ANSWER_TIMEOUT_MS; the channel stays open. */
static void negotiate_tick(struct bus_guest *g, uint32_t relid, struct bus_chan *c)
{
	if (c->negotiate_late_logged || c->negotiate_ms == 0 ||
	    bus_now_ms() - c->negotiate_ms < IC_ANSWER_TIMEOUT_MS)
		return;
	c->negotiate_late_logged = true;
	kprintf("root: bus %s: %s: no answer to NEGOTIATE in %u s; waiting for the guest's "
		"service\n", bus_guest_name(g), bus_service_name(relid),
		IC_ANSWER_TIMEOUT_MS / 1000u);
}

static uint64_t host_time(uint64_t *ref)
{
	uint64_t t = 0;

	if (reftime_read_msr(&t) != PROBE_OK)
		t = bus_now_ms() * REFTIME_PER_MS;
	*ref = t;
	return IC_TIME_UNIX_EPOCH + HOST_EPOCH_UNIX * 10000000ull + t;
}

static void timesync_send(struct bus_guest *g, struct bus_chan *c, uint8_t flags)
{
	struct ic_hdr_info h = request_hdr(c, BUS_TIMESYNC);
	struct ic_timesync t = { .flags = flags, .stratum = 2 };

	t.parent_time = host_time(&t.ref_time);
	if (c->srv.major < 4)
		t.ref_time = 0;
	send_request(g, BUS_TIMESYNC, ic_timesync_build(buf, sizeof(buf), &h, &t), h.trans_id,
		     "a timesync request");
	c->last_ms = bus_now_ms();
}

static void ready(struct bus_guest *g, uint32_t relid, struct bus_chan *c)
{
	c->ic_state = BUS_IC_READY;
	c->ready_ms = bus_now_ms();
	kprintf("root: bus %s: %s ready (framework %u.%u, service %u.%u)\n", bus_guest_name(g),
		bus_service_name(relid), c->fw.major, c->fw.minor, c->srv.major, c->srv.minor);
	if (relid == BUS_TIMESYNC && guestos_time_sync_enabled(bus_guest_id(g)))
		timesync_send(g, c, IC_TIMESYNC_SYNC);
	guestos_channel_ready(bus_guest_id(g), relid);
}

static uint32_t heartbeat_percentage(const struct bus_chan *c)
{
	uint32_t ok = 0;

	if (c->hist_fill == 0)
		return 100;
	for (uint32_t i = 0; i < c->hist_fill; i++)
		ok += c->history[i];
	return ok * 100 / c->hist_fill;
}

static uint32_t hb_window(void)
{
	uint64_t n = HB_WINDOW_MS / heartbeat_ms;

	return n == 0 ? 1 : n > 256 ? 256 : (uint32_t)n;
}

static void hb_record(struct bus_chan *c, uint8_t ok)
{
	uint32_t w = hb_window();

	c->history[c->hist_pos % w] = ok;
	c->hist_pos = (c->hist_pos + 1) % w;
	if (c->hist_fill < w)
		c->hist_fill++;
}

static void heartbeat_answer(struct bus_guest *g, struct bus_chan *c, const struct ic_msg *m)
{
	uint64_t seq, now = bus_now_ms(), now_tsc = tsc_read();

	if (ic_heartbeat_parse(m, &seq) < 0) {
		bus_chan_fail(g, BUS_HEARTBEAT, "malformed heartbeat answer");
		return;
	}
	if (!c->outstanding || seq != c->seq + 1) {
		kprintf("root: bus %s: heartbeat answer %lu unexpected (sent %lu)\n",
			bus_guest_name(g), seq, c->seq);
		return;
	}
	c->outstanding = false;
	c->beats++;
	c->missed = 0;
	c->lost_logged = false;
	hb_record(c, 1);
	/* A request that is never answered leaves no round trip: the next one restarts the clock. */
	if (heartbeat_watcher && c->sent_tsc != 0)
		heartbeat_watcher(bus_guest_id(g), now_tsc - c->sent_tsc);
	c->sent_tsc = 0;
	if (c->ok_logged_ms == 0 || now - c->ok_logged_ms >= HB_LOG_MS) {
		c->ok_logged_ms = now;
		kprintf("root: bus %s: heartbeat ok seq %lu (%u%% over %u s)\n", bus_guest_name(g), seq,
			heartbeat_percentage(c), (unsigned)(c->hist_fill * heartbeat_ms / 1000));
	}
}

void bus_ic_packet(struct bus_guest *g, uint32_t relid, uint8_t *pkt, uint32_t len)
{
	struct bus_chan *c = bus_chan_of(g, relid);
	struct ic_msg m;
	uint32_t n;
	const struct ic_version *v = service_versions(relid, &n);
	int rc;

	if (c == NULL)
		return;
	rc = ic_parse(pkt, len, &m);
	if (rc < 0) {
		bus_chan_fail(g, relid, "malformed IC message");
		return;
	}
	if ((m.hdr.flags & IC_FLAG_RESPONSE) && c->wait_ms != 0 && m.hdr.trans_id == c->wait_tid)
		c->wait_ms = 0;
	if (!(m.hdr.flags & IC_FLAG_RESPONSE)) {
		if (bus_guest_may_log(g))
			kprintf("root: bus %s: %s: request type %u from the guest ignored\n",
				bus_guest_name(g), bus_service_name(relid), m.hdr.type);
		return;
	}
	if (m.hdr.type == IC_MSGTYPE_NEGOTIATE) {
		if (c->ic_state != BUS_IC_NEGOTIATING) {
			if (bus_guest_may_log(g))
				kprintf("root: bus %s: %s: unexpected negotiate answer\n",
					bus_guest_name(g), bus_service_name(relid));
			return;
		}
		rc = ic_negotiate_result(&m, ic_fw_versions, 2, v, n, &c->fw, &c->srv);
		if (rc < 0) {
			bus_chan_fail(g, relid, rc == -VMBUS_E_VERSION ? "no common IC version"
								 : "malformed negotiate answer");
			return;
		}
		ready(g, relid, c);
		return;
	}
	if (c->ic_state != BUS_IC_READY || m.hdr.type != service_type(relid)) {
		bus_chan_fail(g, relid, "answer of the wrong type or before negotiation");
		return;
	}
	switch (relid) {
	case BUS_HEARTBEAT:
		heartbeat_answer(g, c, &m);
		break;
	case BUS_SHUTDOWN:
		kprintf("root: bus %s: shutdown answered, status 0x%x%s\n", bus_guest_name(g),
			m.hdr.status, m.hdr.status == IC_S_OK ? " (accepted)" : "");
		guestos_answered(g, relid, &m);
		break;
	case BUS_TIMESYNC:
		if (m.hdr.status != IC_S_OK)
			kprintf("root: bus %s: timesync answered status 0x%x\n", bus_guest_name(g),
				m.hdr.status);
		break;
	default:
		guestos_answered(g, relid, &m);
		break;
	}
}

static void heartbeat_tick(struct bus_guest *g, struct bus_chan *c)
{
	uint64_t now = bus_now_ms();
	struct ic_hdr_info h;

	if (c->last_ms != 0 && now - c->last_ms < heartbeat_ms)
		return;
	c->last_ms = now;
	if (c->outstanding) {
		hb_record(c, 0);
		if (++c->missed >= HB_LOST && !c->lost_logged) {
			c->lost_logged = true;
			kprintf("root: bus %s: heartbeat lost (%u missed, %u%% over %u s)\n",
				bus_guest_name(g), c->missed, heartbeat_percentage(c),
				(unsigned)(c->hist_fill * heartbeat_ms / 1000));
		}
	}
	h = request_hdr(c, BUS_HEARTBEAT);
	c->seq = (c->seq + 2) & ~1ull; /* even, so an echo without +1 cannot match */
	c->outstanding = true;
	c->sent_ms = now;
	c->sent_tsc = tsc_read();
	send_or_log(g, BUS_HEARTBEAT, ic_heartbeat_build(buf, sizeof(buf), &h, c->seq), "heartbeat");
}

/* True (and the channel closed) when the guest left a request unanswered too long. */
static bool answer_overdue(struct bus_guest *g, uint32_t relid, struct bus_chan *c)
{
	char why[64];

	if (c->wait_ms == 0 || bus_now_ms() - c->wait_ms < IC_ANSWER_TIMEOUT_MS)
		return false;
	fmt_snprintf(why, sizeof(why), "no answer to %s in %u s", c->wait_what,
		     IC_ANSWER_TIMEOUT_MS / 1000u);
	bus_chan_fail(g, relid, why);
	return true;
}

void bus_ic_tick(struct bus_guest *g, uint32_t relid)
{
	struct bus_chan *c = bus_chan_of(g, relid);

	if (c == NULL || !c->open || answer_overdue(g, relid, c))
		return;
	if (c->ic_state == BUS_IC_NEGOTIATING)
		negotiate_tick(g, relid, c);
	if (c->ic_state != BUS_IC_READY)
		return;
	switch (relid) {
	case BUS_HEARTBEAT:
		heartbeat_tick(g, c);
		break;
	case BUS_TIMESYNC:
		if (guestos_time_sync_enabled(bus_guest_id(g)) &&
		    bus_now_ms() - c->last_ms >= TS_SAMPLE_MS)
			timesync_send(g, c, IC_TIMESYNC_SAMPLE);
		break;
	default:
		break;
	}
}

/* ---- for guestos.c ---- */

/* Hands an answer on Shutdown, KVP, Sessions or Exec to guestos. */
static void guestos_answered(struct bus_guest *g, uint32_t relid, const struct ic_msg *m)
{
	const char *why = guestos_answer(bus_guest_id(g), relid, m);

	if (why != NULL)
		bus_chan_fail(g, relid, why);
}

void bus_ic_closed(struct bus_guest *g, uint32_t relid)
{
	guestos_channel_down(bus_guest_id(g), relid);
}

static struct bus_chan *ready_chan(uint32_t id, uint32_t relid, struct bus_guest **gp)
{
	struct bus_guest *g = bus_guest_by_id(id);
	struct bus_chan *c = g != NULL ? bus_chan_of(g, relid) : NULL;

	if (gp != NULL)
		*gp = g;
	return c != NULL && c->open && c->ic_state == BUS_IC_READY ? c : NULL;
}

bool bus_ic_ready_since(uint32_t id, uint32_t relid, uint64_t *ms)
{
	struct bus_chan *c = ready_chan(id, relid, NULL);

	if (c != NULL)
		*ms = c->ready_ms;
	return c != NULL;
}

bool bus_ic_request_hdr(uint32_t id, uint32_t relid, struct ic_hdr_info *h)
{
	struct bus_chan *c = ready_chan(id, relid, NULL);

	if (c != NULL)
		*h = request_hdr(c, relid);
	return c != NULL;
}

int bus_ic_send(uint32_t id, uint32_t relid, const void *data, uint32_t len, uint8_t tid)
{
	static const char *const what[BUS_SERVICES + 1] = {
		[BUS_SHUTDOWN] = "the shutdown request", [BUS_KVP] = "a kvp request",
		[BUS_SESSIONS] = "a sessions request", [BUS_EXEC] = "an exec request",
	};
	struct bus_guest *g;
	struct bus_chan *c = ready_chan(id, relid, &g);
	int rc;

	if (c == NULL)
		return -VMBUS_E_STATE;
	rc = bus_send(g, relid, data, len);
	if (rc == 0)
		await_answer(c, tid, what[relid] != NULL ? what[relid] : "a request");
	return rc;
}

bool bus_ic_heartbeat(uint32_t id, struct bus_ic_heartbeat *out)
{
	struct bus_chan *c = ready_chan(id, BUS_HEARTBEAT, NULL);

	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return false;
	out->known = c->beats != 0;
	out->beating = out->known && c->missed < HB_LOST;
	out->percentage = heartbeat_percentage(c);
	return true;
}

void bus_ic_time_sync_now(uint32_t id)
{
	struct bus_guest *g;
	struct bus_chan *c = ready_chan(id, BUS_TIMESYNC, &g);

	if (c != NULL)
		timesync_send(g, c, IC_TIMESYNC_SYNC);
}
