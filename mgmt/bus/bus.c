/*
 * The root's VMBus server.  Messages from guests arrive in the SIMP slot
 * of SINT 2, ring signals as SIEF flags of SINT 3 (flag G * 128 + relid);
 * both are handled by bus_poll, called from root_poll outside interrupt
 * handlers (the vectors only wake the root).  Per guest: the connections
 * of docs/bus.md "Plumbing in this project", a vmbus_server, its GPADLs
 * mapped into window slot G at HV_ROOT_MAP_WINDOW_BASE + G GiB (2 MiB per GPADL slot), and
 * the rings of the open channels.  Everything a guest wrote is untrusted:
 * a bad message is refused by the library, a bad ring closes the channel
 * (rescind) with a logged reason; nothing here waits for a guest.
 */
#include "bus_int.h"

#include <events/events.h>

#include <arch/x86.h>
#include <kernel/console.h>
#include <kernel/hvmgmt.h>
#include <kernel/hypercall.h>
#include <kernel/interrupts.h>
#include <kernel/synic.h>
#include <kernel/time.h>
#include <lib/format.h>
#include <lib/rate_limit.h>
#include <lib/string.h>

#include "vmbus_err.h"
#include "vmbus_guid.h"
#include "vmbus_msg.h"

#define PAGE 4096ull
#define GPADL_SLOTS 8u
#define GPADL_SPAN (2ull << 20)          /* window bytes per GPADL slot (512 pages) */
#define WINDOW_GUEST_SPAN (1ull << 30)
#define WINDOW_GIB 16u
#define POSTQ 64u
#define MSGS_PER_POLL 16u
#define PKTS_PER_POLL 16u
#define PKT_MAX (IC_MSG_MAX + 64u)
#define FAIL_STATUS 0xC0000001u
/*
 * Flood limits, per guest, counted over FLOOD_WINDOW_MS.  A guest posts
 * about three messages per channel while its bus comes up (14 for our
 * six), then next to none.  A signal is needed only for data: one found
 * with nothing to read in the ring and nothing read since the previous
 * one is useless, and an honest guest sends none (our root never asks for
 * reader signals).  Under QEMU TCG a flooding guest gets only about 30
 * messages and 10 useless signals per second through to the root (it
 * polls 40-130 times a second there), on hardware thousands: the limits
 * must catch the former and never an honest guest.
 */
#define FLOOD_WINDOW_MS 2000u
#define FLOOD_MSGS 40u
#define FLOOD_SIGNALS 10u

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_LARGE (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull

struct bus_guest {
	uint32_t id;
	bool known;                       /* a guest partition (not the root, listed) */
	bool active;                      /* connections made, server running */
	uint32_t gen;                     /* HV_EVENT_STARTED count at set-up */
	uint32_t vcpus;
	uint64_t up_ms;
	uint32_t conns;                   /* bit i: guest message/event connection i created */
	bool root_msg;                    /* root -> guest message connection */
	bool root_evt;
	uint8_t msg_sint;
	uint32_t msg_vp;
	struct vmbus_server srv;
	struct vmbus_gpadl gpadls[GPADL_SLOTS];
	bool mapped[GPADL_SLOTS];
	uint32_t mapped_handle[GPADL_SLOTS];
	uint32_t mapped_pages[GPADL_SLOTS];
	struct bus_chan ch[BUS_SERVICES + 1];
	struct {
		uint32_t len;
		uint8_t data[HV_MESSAGE_PAYLOAD_SIZE];
	} q[POSTQ];
	uint32_t qhead, qtail;
	uint32_t post_drops;
	/* flood control: the current window's counts; a flooder's bus stays off until it restarts */
	uint64_t rate_ms;
	uint32_t rate_msgs;
	uint32_t rate_sigs[BUS_SERVICES + 1];  /* useless signals */
	bool read_since_flag[BUS_SERVICES + 1];
	bool banned;
	uint32_t banned_gen;
	uint32_t banned_drops;
	/* lines about what the guest did (bus_guest_may_log); kept across its restarts */
	struct rate_limit log_rate;
};

static struct bus_guest guests[HV_MAX_PARTITIONS];
static uint32_t root_id;
static bool bus_up;
static struct vmbus_outbox outbox;
static struct vmbus_srv_event sev;
static uint8_t pkt[PKT_MAX] __attribute__((aligned(8)));
static struct hv_connection conn_page __attribute__((aligned(4096)));
static struct hv_map_guest_pages map_page __attribute__((aligned(4096)));
static uint64_t win_pdpt[512] __attribute__((aligned(4096)));
static uint64_t win_pd[WINDOW_GIB][512] __attribute__((aligned(4096)));
/*
 * Set by the SynIC vectors (a message or a ring signal arrived), cleared
 * by bus_poll before it looks: root_poll ends its interrupt window early
 * when it is set.  One writer per side (the handler sets, bus_poll clears
 * with interrupts off), both on the root's single CPU: volatile suffices.
 */
static volatile bool work_flagged;

const char *bus_guest_name(const struct bus_guest *g)
{
	return events_name(g->id);
}

uint32_t bus_guest_id(const struct bus_guest *g)
{
	return g->id;
}

uint64_t bus_now_ms(void)
{
	return tsc_to_ms(tsc_read());
}

bool bus_guest_up_since(uint32_t id, uint64_t *ms)
{
	const struct bus_guest *g = bus_guest_by_id(id);

	if (g != NULL)
		*ms = g->up_ms;
	return g != NULL;
}

/*
 * Lines the guest causes (refused messages, ignored requests): a burst of
 * GUEST_LOG_BURST, then one every GUEST_LOG_MS, so a guest that repeats
 * a mistake in a loop cannot keep the root's console (hv's UART) busy.
 */
#define GUEST_LOG_BURST 20u
#define GUEST_LOG_MS 1000u

bool bus_guest_may_log(struct bus_guest *g)
{
	bool admit = rate_limit_admit(&g->log_rate, bus_now_ms(), GUEST_LOG_MS, GUEST_LOG_BURST);

	if (admit && g->log_rate.dropped != 0)
		kprintf("root: bus %s: %u lines about it dropped (more than one a second)\n",
			bus_guest_name(g), g->log_rate.dropped);
	if (admit)
		g->log_rate.dropped = 0;
	return admit;
}

struct bus_guest *bus_guest_by_id(uint32_t id)
{
	return id < HV_MAX_PARTITIONS && guests[id].active ? &guests[id] : NULL;
}

struct bus_chan *bus_chan_of(struct bus_guest *g, uint32_t relid)
{
	return relid >= 1 && relid <= BUS_SERVICES ? &g->ch[relid] : NULL;
}

/* ---- hypercalls ---- */

/*
 * An event connection's flags: a guest signals flag 0 of its connection per
 * channel (Linux's and our additions' vmbus_set_event), the root its
 * guest's flag relid (1 .. BUS_SERVICES) on its one connection to it.
 */
#define GUEST_EVT_FLAGS 1u
#define ROOT_EVT_FLAGS (BUS_SERVICES + 1u)

static uint16_t conn_call(uint16_t code, uint32_t id, uint32_t src, uint32_t dst, uint32_t vp,
			  uint8_t sint, uint8_t type, uint16_t base)
{
	uint16_t count = 0;

	if (type == HV_CONNECTION_EVENT)
		count = src == root_id ? ROOT_EVT_FLAGS : GUEST_EVT_FLAGS;
	conn_page = (struct hv_connection){ .connection_id = id, .source_partition = src,
					    .target_partition = dst, .target_vp = vp,
					    .target_sint = sint, .type = type, .base_flag = base,
					    .flag_count = count };
	return hv_status(hv_call(code, hv_gpa(&conn_page), 0));
}

static bool conn_create(uint32_t id, uint32_t src, uint32_t dst, uint32_t vp, uint8_t sint,
			uint8_t type, uint16_t base)
{
	uint16_t st = conn_call(HVCALL_CONNECTION_CREATE, id, src, dst, vp, sint, type, base);

	if (st == HV_STATUS_INVALID_CONNECTION_ID) {
		/* left over from an earlier run of this guest: replace it */
		conn_call(HVCALL_CONNECTION_DELETE, id, src, 0, 0, 0, 0, 0);
		st = conn_call(HVCALL_CONNECTION_CREATE, id, src, dst, vp, sint, type, base);
	}
	if (st != HV_STATUS_SUCCESS)
		kprintf("root: bus: connection 0x%x from %u to %u SINT %u refused (status 0x%x)\n", id,
			src, dst, sint, st);
	return st == HV_STATUS_SUCCESS;
}

static void conn_delete(uint32_t id, uint32_t src)
{
	conn_call(HVCALL_CONNECTION_DELETE, id, src, 0, 0, 0, 0, 0);
}

/* ---- the GPA window ---- */

static bool window_init(void)
{
	uint64_t *pml4 = (uint64_t *)(read_cr3() & PTE_ADDR);
	uint32_t i4 = (uint32_t)((HV_ROOT_MAP_WINDOW_BASE >> 39) & 511);
	uint32_t i3 = (uint32_t)((HV_ROOT_MAP_WINDOW_BASE >> 30) & 511);
	uint64_t *pdpt = win_pdpt;

	if (i3 + WINDOW_GIB > 512)
		return false;
	if (pml4[i4] & PTE_P) {
		if (pml4[i4] & PTE_LARGE)
			return false;
		pdpt = (uint64_t *)(pml4[i4] & PTE_ADDR);
	}
	for (uint32_t gib = 0; gib < WINDOW_GIB; gib++) {
		if (pdpt[i3 + gib] & PTE_P) {
			kputs("root: bus: the map window is already mapped\n");
			return false;
		}
	}
	for (uint32_t gib = 0; gib < WINDOW_GIB; gib++) {
		uint64_t base = HV_ROOT_MAP_WINDOW_BASE + (uint64_t)gib * WINDOW_GUEST_SPAN;

		for (uint32_t j = 0; j < 512; j++)
			win_pd[gib][j] = (base + (uint64_t)j * GPADL_SPAN) | PTE_P | PTE_W | PTE_LARGE;
		pdpt[i3 + gib] = hv_gpa(win_pd[gib]) | PTE_P | PTE_W;
	}
	if (pdpt == win_pdpt)
		pml4[i4] = hv_gpa(win_pdpt) | PTE_P | PTE_W;
	write_cr3(read_cr3());
	return true;
}

static uint64_t window_gpa(const struct bus_guest *g, uint32_t slot)
{
	return HV_ROOT_MAP_WINDOW_BASE + (uint64_t)g->id * WINDOW_GUEST_SPAN + slot * GPADL_SPAN;
}

static void gpadl_unmap(struct bus_guest *g, uint32_t slot)
{
	uint32_t done = 0;

	if (!g->mapped[slot])
		return;
	while (done < g->mapped_pages[slot]) {
		uint32_t n = g->mapped_pages[slot] - done;

		if (n > HV_MAP_MAX_PAGES)
			n = HV_MAP_MAX_PAGES;
		map_page.partition = g->id;
		map_page.count = n;
		map_page.root_gpa = window_gpa(g, slot) + done * PAGE;
		hv_call(HVCALL_UNMAP_GUEST_PAGES, hv_gpa(&map_page), 0);
		done += n;
	}
	g->mapped[slot] = false;
}

static void gpadl_map(struct bus_guest *g, uint32_t handle)
{
	const struct vmbus_gpadl *gp = vmbus_server_gpadl(&g->srv, handle);
	uint32_t slot, done = 0;

	if (gp == NULL || gp < g->gpadls || gp >= g->gpadls + GPADL_SLOTS)
		return;
	slot = (uint32_t)(gp - g->gpadls);
	gpadl_unmap(g, slot);
	if (gp->page_count == 0 || gp->page_count > GPADL_SPAN / PAGE)
		return;
	while (done < gp->page_count) {
		uint32_t n = gp->page_count - done;
		uint16_t st;

		if (n > HV_MAP_MAX_PAGES)
			n = HV_MAP_MAX_PAGES;
		map_page.partition = g->id;
		map_page.count = n;
		map_page.root_gpa = window_gpa(g, slot) + done * PAGE;
		for (uint32_t i = 0; i < n; i++)
			map_page.guest_gpa[i] = vmbus_gpadl_pfn(gp, done + i) << 12;
		st = hv_status(hv_call(HVCALL_MAP_GUEST_PAGES, hv_gpa(&map_page), 0));
		if (st != HV_STATUS_SUCCESS) {
			kprintf("root: bus %s: mapping GPADL 0x%x failed (status 0x%x)\n",
				bus_guest_name(g), handle, st);
			g->mapped[slot] = true;
			g->mapped_pages[slot] = done;
			gpadl_unmap(g, slot);
			return;
		}
		done += n;
	}
	g->mapped[slot] = true;
	g->mapped_handle[slot] = handle;
	g->mapped_pages[slot] = gp->page_count;
}

static void gpadl_unmap_handle(struct bus_guest *g, uint32_t handle)
{
	for (uint32_t i = 0; i < GPADL_SLOTS; i++)
		if (g->mapped[i] && g->mapped_handle[i] == handle)
			gpadl_unmap(g, i);
}

/* ---- posting ---- */

static void flush(struct bus_guest *g)
{
	while (g->qhead != g->qtail) {
		uint32_t i = g->qhead % POSTQ;
		uint16_t st;

		if (!g->root_msg) {
			kprintf("root: bus %s: no route for a reply yet, dropped\n", bus_guest_name(g));
			g->qhead++;
			continue;
		}
		st = synic_post_message(BUS_CONN_ROOT_MSG + g->id, VMBUS_HVMSG_TYPE_CHANNEL,
					g->q[i].data, g->q[i].len);
		if (st == HV_STATUS_INSUFFICIENT_BUFFERS)
			return; /* the guest's queue is full: retry on the next poll */
		if (st != HV_STATUS_SUCCESS)
			kprintf("root: bus %s: post failed (status 0x%x), message dropped\n",
				bus_guest_name(g), st);
		g->qhead++;
	}
}

static void post_outbox(struct bus_guest *g)
{
	for (uint32_t i = 0; i < outbox.count && i < VMBUS_OUTBOX_MAX; i++) {
		const struct vmbus_outmsg *m = &outbox.msg[i];

		if (g->qtail - g->qhead >= POSTQ) {
			if (g->post_drops++ == 0)
				kprintf("root: bus %s: reply queue full, dropping\n", bus_guest_name(g));
			continue;
		}
		g->q[g->qtail % POSTQ].len = m->len > HV_MESSAGE_PAYLOAD_SIZE ? HV_MESSAGE_PAYLOAD_SIZE
									    : m->len;
		memcpy(g->q[g->qtail % POSTQ].data, m->data, g->q[g->qtail % POSTQ].len);
		g->qtail++;
	}
	vmbus_outbox_reset(&outbox);
	flush(g);
}

/* ---- channels ---- */

static void chan_stop(struct bus_guest *g, uint32_t relid)
{
	struct bus_chan *c = bus_chan_of(g, relid);

	if (c != NULL) {
		bus_ic_closed(g, relid);
		memset(c, 0, sizeof(*c));
	}
}

void bus_chan_fail(struct bus_guest *g, uint32_t relid, const char *reason)
{
	struct vmbus_srv_event ev = { 0 };

	kprintf("root: bus %s: closing channel %u (%s): %s\n", bus_guest_name(g), relid,
		bus_service_name(relid), reason);
	chan_stop(g, relid);
	vmbus_outbox_reset(&outbox);
	if (vmbus_server_rescind(&g->srv, relid, &outbox, &ev) < 0 && bus_guest_may_log(g))
		kprintf("root: bus %s: rescind of %u refused: %s\n", bus_guest_name(g), relid,
			ev.reason ? ev.reason : "?");
	post_outbox(g);
}

int bus_send(struct bus_guest *g, uint32_t relid, const void *buf, uint32_t len)
{
	struct bus_chan *c = bus_chan_of(g, relid);
	struct ring_sg sg = { buf, len };
	bool sig = false;
	int rc;

	if (c == NULL || !c->open)
		return -VMBUS_E_STATE;
	rc = ring_send(&c->out, RING_PKT_DATA_INBAND, RING_PKT_FLAG_COMPLETION_REQUESTED,
		       ++c->trans_id, &sg, 1, &sig);
	if (rc == -VMBUS_E_CORRUPT) {
		bus_chan_fail(g, relid, "root->guest ring corrupt");
		return rc;
	}
	if (rc == 0 && sig)
		synic_signal_event(BUS_CONN_ROOT_EVT + g->id, (uint16_t)relid);
	return rc;
}

static uint32_t gpadl_slot_of(const struct bus_guest *g, const struct vmbus_gpadl *gp)
{
	if (gp < g->gpadls || gp >= g->gpadls + GPADL_SLOTS)
		return GPADL_SLOTS;
	return (uint32_t)(gp - g->gpadls);
}

static void chan_open(struct bus_guest *g, uint32_t relid)
{
	struct vmbus_srv_rings r;
	struct bus_chan *c = bus_chan_of(g, relid);
	const char *why = NULL;
	uint32_t slot = GPADL_SLOTS;
	uint8_t *base;

	if (c == NULL)
		why = "no service behind this relid";
	else if (vmbus_server_rings(&g->srv, relid, &r) < 0)
		why = "no ring placement";
	else if ((slot = gpadl_slot_of(g, r.gpadl)) == GPADL_SLOTS || !g->mapped[slot] ||
		 g->mapped_handle[slot] != r.gpadl->handle)
		why = "ring GPADL not mapped";
	else if ((uint64_t)r.in_first_page + r.in_pages > g->mapped_pages[slot] ||
		 (uint64_t)r.out_first_page + r.out_pages > g->mapped_pages[slot])
		why = "ring pages outside the GPADL";
	if (why == NULL) {
		memset(c, 0, sizeof(*c));
		base = (uint8_t *)window_gpa(g, slot);
		if (ring_attach_consumer(&c->in, base + r.in_first_page * PAGE,
					 (size_t)r.in_pages * PAGE) < 0 ||
		    ring_attach_producer(&c->out, base + r.out_first_page * PAGE,
					 (size_t)r.out_pages * PAGE) < 0)
			why = "ring headers invalid";
	}
	vmbus_outbox_reset(&outbox);
	vmbus_server_open_done(&g->srv, relid, why == NULL ? 0 : FAIL_STATUS, &outbox);
	post_outbox(g);
	if (why != NULL) {
		if (bus_guest_may_log(g))
			kprintf("root: bus %s: open of channel %u refused: %s\n", bus_guest_name(g),
				relid, why);
		if (c != NULL)
			memset(c, 0, sizeof(*c));
		return;
	}
	c->open = true;
	kprintf("root: bus %s: channel %u (%s) open, rings %u+%u pages\n", bus_guest_name(g), relid,
		bus_service_name(relid), r.in_pages, r.out_pages);
	bus_ic_opened(g, relid);
}

static void chan_drain(struct bus_guest *g, uint32_t relid)
{
	struct bus_chan *c = &g->ch[relid];
	struct ring_packet p;
	bool sig = false;
	int rc = 0;

	for (uint32_t n = 0; n < PKTS_PER_POLL && c->open; n++) {
		rc = ring_read(&c->in, &p, pkt, sizeof(pkt));
		if (rc == -VMBUS_E_EMPTY)
			break;
		if (rc == -VMBUS_E_NOSPACE) {
			bus_chan_fail(g, relid, "packet too large");
			return;
		}
		if (rc < 0) {
			bus_chan_fail(g, relid, "guest->root ring corrupt");
			return;
		}
		if (p.type != RING_PKT_DATA_INBAND) {
			bus_chan_fail(g, relid, "packet not in-band");
			return;
		}
		g->read_since_flag[relid] = true;
		bus_ic_packet(g, relid, pkt, p.payload_len);
	}
	if (!c->open)
		return;
	if (ring_commit(&c->in, &sig) < 0) {
		bus_chan_fail(g, relid, "guest->root ring corrupt");
		return;
	}
	if (sig)
		synic_signal_event(BUS_CONN_ROOT_EVT + g->id, (uint16_t)relid);
}

/* ---- guests come and go ---- */

static void guest_teardown(struct bus_guest *g, const char *why)
{
	if (!g->active)
		return;
	kprintf("root: bus %s: down (%s)\n", bus_guest_name(g), why);
	for (uint32_t r = 1; r <= BUS_SERVICES; r++)
		chan_stop(g, r);
	for (uint32_t i = 0; i < GPADL_SLOTS; i++)
		gpadl_unmap(g, i);
	if (g->conns & 1)
		conn_delete(VMBUS_MESSAGE_CONNECTION_ID, g->id);
	if (g->conns & 2)
		conn_delete(VMBUS_MESSAGE_CONNECTION_ID_4, g->id);
	for (uint32_t r = 1; r <= BUS_SERVICES; r++)
		if (g->conns & (1u << (r + 1)))
			conn_delete(BUS_CONN_GUEST_EVT + r, g->id);
	if (g->root_msg)
		conn_delete(BUS_CONN_ROOT_MSG + g->id, root_id);
	if (g->root_evt)
		conn_delete(BUS_CONN_ROOT_EVT + g->id, root_id);
	g->conns = 0;
	g->root_msg = g->root_evt = false;
	g->qhead = g->qtail = 0;
	g->active = false;
}

static const struct vmbus_guid *const service_guid[BUS_SERVICES + 1] = {
	NULL, &vmbus_guid_shutdown, &vmbus_guid_timesync, &vmbus_guid_heartbeat,
	&vmbus_guid_kvp, &vmbus_guid_sessions, &vmbus_guid_exec,
};

static void guest_setup(struct bus_guest *g)
{
	struct vmbus_server_config cfg = { .vcpu_count = g->vcpus };

	memset(&g->srv, 0, sizeof(g->srv));
	memset(g->ch, 0, sizeof(g->ch));
	memset(g->mapped, 0, sizeof(g->mapped));
	vmbus_server_init(&g->srv, &cfg, g->gpadls, GPADL_SLOTS);
	for (uint32_t r = 1; r <= BUS_SERVICES; r++) {
		struct vmbus_offer_desc d = { .if_type = *service_guid[r],
					      .connection_id = BUS_CONN_GUEST_EVT + r };
		int rel;

		/* instance: the type with the guest id and relid in its last bytes */
		d.if_instance = *service_guid[r];
		d.if_instance.b[14] ^= (uint8_t)g->id;
		d.if_instance.b[15] ^= (uint8_t)(0x80 | r);
		vmbus_outbox_reset(&outbox);
		rel = vmbus_server_add_channel(&g->srv, &d, &outbox);
		if (rel != (int)r)
			kprintf("root: bus %s: channel %s got relid %d\n", bus_guest_name(g),
				bus_service_name(r), rel);
	}
	vmbus_outbox_reset(&outbox);
	if (conn_create(VMBUS_MESSAGE_CONNECTION_ID, g->id, root_id, 0, BUS_SINT_MSG,
			HV_CONNECTION_MESSAGE, 0))
		g->conns |= 1;
	if (conn_create(VMBUS_MESSAGE_CONNECTION_ID_4, g->id, root_id, 0, BUS_SINT_MSG,
			HV_CONNECTION_MESSAGE, 0))
		g->conns |= 2;
	for (uint32_t r = 1; r <= BUS_SERVICES; r++)
		if (conn_create(BUS_CONN_GUEST_EVT + r, g->id, root_id, 0, BUS_SINT_EVT,
				HV_CONNECTION_EVENT, (uint16_t)(g->id * BUS_FLAGS_PER_GUEST + r)))
			g->conns |= 1u << (r + 1);
	g->root_evt = conn_create(BUS_CONN_ROOT_EVT + g->id, root_id, g->id, 0, BUS_SINT_MSG,
				  HV_CONNECTION_EVENT, 0);
	g->root_msg = false;
	g->qhead = g->qtail = 0;
	g->up_ms = bus_now_ms();
	g->gen = events_count(g->id, HV_EVENT_STARTED);
	g->active = true;
	kprintf("root: bus %s: up, offering %u channels\n", bus_guest_name(g), BUS_SERVICES);
}

static void guest_states(void)
{
	for (uint32_t id = 0; id < HV_MAX_PARTITIONS; id++) {
		struct bus_guest *g = &guests[id];
		uint32_t st;

		if (!g->known)
			continue;
		st = events_state(id);
		if (g->active && st != HV_PARTITION_RUNNING)
			guest_teardown(g, hv_partition_state_name(st));
		else if (g->active && events_count(id, HV_EVENT_STARTED) != g->gen)
			guest_teardown(g, "restarted");
		if (g->banned && events_count(id, HV_EVENT_STARTED) != g->banned_gen)
			g->banned = false;
		if (!g->active && !g->banned && st == HV_PARTITION_RUNNING)
			guest_setup(g);
	}
}

/* ---- flood control ---- */

/* Starts a new window when the current one is over. */
static void rate_window(struct bus_guest *g)
{
	uint64_t now = bus_now_ms();

	if (now - g->rate_ms < FLOOD_WINDOW_MS)
		return;
	g->rate_ms = now;
	g->rate_msgs = 0;
	memset(g->rate_sigs, 0, sizeof(g->rate_sigs));
}

/*
 * Too many messages: every channel is rescinded and the guest's
 * connections deleted, so hv refuses its further posts and signals
 * without involving the root, until the guest restarts.
 */
static void guest_ban(struct bus_guest *g)
{
	struct vmbus_srv_event ev;

	kprintf("root: bus %s: flooding (%u messages in %lu ms): channels closed until it restarts\n",
		bus_guest_name(g), g->rate_msgs, bus_now_ms() - g->rate_ms);
	vmbus_outbox_reset(&outbox);
	for (uint32_t r = 1; r <= BUS_SERVICES; r++) {
		chan_stop(g, r);
		vmbus_server_rescind(&g->srv, r, &outbox, &ev);
	}
	post_outbox(g);
	g->banned = true;
	g->banned_gen = g->gen;
	g->banned_drops = 0;
	guest_teardown(g, "flooding");
}

/* One message from g; true when it was one too many (g is banned). */
static bool rate_message(struct bus_guest *g)
{
	rate_window(g);
	if (++g->rate_msgs <= FLOOD_MSGS)
		return false;
	guest_ban(g);
	return true;
}

/*
 * Event flag idx of SINT 3 was set (guest idx / 128, relid idx % 128).
 * Too many useless ones: that channel is rescinded and its event
 * connection deleted, so hv refuses the guest's further signals.
 */
static void rate_signal(uint32_t idx)
{
	uint32_t id = idx / BUS_FLAGS_PER_GUEST, relid = idx % BUS_FLAGS_PER_GUEST;
	struct bus_guest *g = id < HV_MAX_PARTITIONS ? &guests[id] : NULL;
	char why[64];

	if (g == NULL || !g->active || relid < 1 || relid > BUS_SERVICES ||
	    !(g->conns & (1u << (relid + 1))))
		return;
	if (g->read_since_flag[relid] || (g->ch[relid].open && ring_bytes_to_read(&g->ch[relid].in))) {
		g->read_since_flag[relid] = false;
		return;
	}
	rate_window(g);
	if (++g->rate_sigs[relid] <= FLOOD_SIGNALS)
		return;
	fmt_snprintf(why, sizeof(why), "flooding (%u useless signals in %lu ms)", g->rate_sigs[relid],
		     bus_now_ms() - g->rate_ms);
	bus_chan_fail(g, relid, why);
	conn_delete(BUS_CONN_GUEST_EVT + relid, g->id);
	g->conns &= ~(1u << (relid + 1));
}

/* ---- messages ---- */

static void msg_route(struct bus_guest *g, const uint8_t *p, uint32_t len)
{
	uint32_t version, vp;
	uint8_t sint;

	if (len < 24 || g->srv.conn != VMBUS_SRV_DISCONNECTED)
		return;
	memcpy(&version, p + 8, 4);
	memcpy(&vp, p + 12, 4);
	sint = version >= 0x50000u ? p[16] : BUS_SINT_MSG;
	if (sint >= HV_SYNIC_SINT_COUNT || (g->vcpus != 0 && vp >= g->vcpus))
		return; /* the server refuses it; the answer has no route */
	if (g->root_msg && g->msg_sint == sint && g->msg_vp == vp)
		return;
	if (g->root_msg)
		conn_delete(BUS_CONN_ROOT_MSG + g->id, root_id);
	g->root_msg = conn_create(BUS_CONN_ROOT_MSG + g->id, root_id, g->id, vp, sint,
				  HV_CONNECTION_MESSAGE, 0);
	g->msg_sint = sint;
	g->msg_vp = vp;
}

static void msg_handle(uint32_t sender, const uint8_t *p, uint32_t len)
{
	struct bus_guest *g = sender < HV_MAX_PARTITIONS ? &guests[sender] : NULL;
	uint32_t type = 0;
	int rc;

	if (g != NULL && g->banned) {
		g->banned_drops++; /* what was queued before the ban: not worth a line each */
		return;
	}
	if (g == NULL || !g->active) {
		kprintf("root: bus: message from partition %u without a bus, dropped\n", sender);
		return;
	}
	if (rate_message(g))
		return;
	if (len >= 4)
		memcpy(&type, p, 4);
	if (type == VMBUS_MSG_INITIATE_CONTACT)
		msg_route(g, p, len);
	vmbus_outbox_reset(&outbox);
	memset(&sev, 0, sizeof(sev));
	rc = vmbus_server_handle(&g->srv, p, len, &outbox, &sev);
	if (rc < 0 && bus_guest_may_log(g))
		kprintf("root: bus %s: message type %u refused: %s (%s)\n", bus_guest_name(g), type,
			sev.reason ? sev.reason : "?", vmbus_strerror(rc));
	post_outbox(g);
	if (rc < 0)
		return;
	switch (sev.type) {
	case VMBUS_SRV_EV_CONNECTED:
		kprintf("root: bus %s: connected, version %u.%u\n", bus_guest_name(g),
			sev.version >> 16, sev.version & 0xffff);
		break;
	case VMBUS_SRV_EV_OFFERS_SENT:
		kprintf("root: bus %s: offers sent\n", bus_guest_name(g));
		break;
	case VMBUS_SRV_EV_GPADL_CREATED:
		gpadl_map(g, sev.gpadl);
		break;
	case VMBUS_SRV_EV_GPADL_TORNDOWN:
		gpadl_unmap_handle(g, sev.gpadl);
		break;
	case VMBUS_SRV_EV_OPEN_REQUEST:
		chan_open(g, sev.relid);
		break;
	case VMBUS_SRV_EV_CLOSED:
		kprintf("root: bus %s: channel %u (%s) closed by the guest\n", bus_guest_name(g),
			sev.relid, bus_service_name(sev.relid));
		chan_stop(g, sev.relid);
		break;
	case VMBUS_SRV_EV_RELEASED:
		chan_stop(g, sev.relid);
		break;
	case VMBUS_SRV_EV_UNLOADED:
		kprintf("root: bus %s: unloaded\n", bus_guest_name(g));
		for (uint32_t r = 1; r <= BUS_SERVICES; r++)
			chan_stop(g, r);
		for (uint32_t i = 0; i < GPADL_SLOTS; i++)
			gpadl_unmap(g, i);
		break;
	default:
		break;
	}
}

static void intake(void)
{
	volatile struct hv_message *slot = synic_message_slot(BUS_SINT_MSG);
	static uint8_t copy[VMBUS_HVMSG_SIZE] __attribute__((aligned(8)));

	for (uint32_t n = 0; n < MSGS_PER_POLL; n++) {
		struct vmbus_hvmsg_header hdr;
		const uint8_t *payload;
		uint32_t type = __atomic_load_n(&slot->message_type, __ATOMIC_ACQUIRE);

		if (type == HV_MESSAGE_NONE)
			return;
		memcpy(copy, (const void *)slot, sizeof(copy));
		synic_message_done(BUS_SINT_MSG);
		if (vmbus_hvmsg_parse(copy, sizeof(copy), &hdr, &payload) < 0 ||
		    hdr.message_type != VMBUS_HVMSG_TYPE_CHANNEL) {
			kprintf("root: bus: malformed SynIC message (type 0x%x), dropped\n", type);
			continue;
		}
		msg_handle((uint32_t)hdr.sender, payload, hdr.payload_size);
	}
}

/* ---- entry points ---- */

static void on_bus_vector(struct trap_frame *frame)
{
	(void)frame;
	work_flagged = true;
}

bool bus_work_flagged(void)
{
	return work_flagged;
}

void bus_poll(void)
{
	volatile uint64_t *flags;

	if (!bus_up)
		return;
	/* Before looking: whatever arrives from here on flags the next poll. */
	work_flagged = false;
	/* State first: a message must meet the server of the guest's current run. */
	if (events_unread() != 0)
		return;
	guest_states();
	intake();
	flags = synic_event_flags(BUS_SINT_EVT);
	for (uint32_t w = 0; w < HV_EVENT_FLAGS_PER_SINT / 64; w++) {
		uint64_t bits = flags[w] != 0 ? __atomic_exchange_n(&flags[w], 0, __ATOMIC_SEQ_CST) : 0;

		for (; bits != 0; bits &= bits - 1)
			rate_signal(w * 64 + (uint32_t)__builtin_ctzll(bits));
	}
	/* Every open channel is drained each poll: signals only shorten the wait. */
	for (uint32_t id = 0; id < HV_MAX_PARTITIONS; id++) {
		struct bus_guest *g = &guests[id];

		if (!g->active)
			continue;
		flush(g);
		for (uint32_t r = 1; r <= BUS_SERVICES; r++) {
			if (g->ch[r].open)
				chan_drain(g, r);
			if (g->ch[r].open)
				bus_ic_tick(g, r);
		}
	}
}

void bus_init(void)
{
	static struct hv_partition_list list;
	struct hv_self_info self;
	uint64_t r = hv_self_info(&self);

	if (r == HV_CALL_NOT_READY || hv_status(r) != HV_STATUS_SUCCESS) {
		kputs("root: bus: no self info, bus disabled\n");
		return;
	}
	root_id = self.partition_id;
	r = hv_partition_list(&list);
	if (r == HV_CALL_NOT_READY || hv_status(r) != HV_STATUS_SUCCESS) {
		kputs("root: bus: no partition list, bus disabled\n");
		return;
	}
	if (!window_init())
		return;
	interrupt_set_handler(BUS_VEC_MSG, on_bus_vector);
	interrupt_set_handler(BUS_VEC_EVT, on_bus_vector);
	if (!synic_enable() || !synic_sint_route(BUS_SINT_MSG, BUS_VEC_MSG) ||
	    !synic_sint_route(BUS_SINT_EVT, BUS_VEC_EVT)) {
		kputs("root: bus: SynIC set-up failed, bus disabled\n");
		return;
	}
	for (uint32_t i = 0; i < list.count && i < HV_MAX_PARTITIONS; i++) {
		const struct hv_partition_entry *e = &list.entries[i];

		if (e->id >= HV_MAX_PARTITIONS || e->id >= WINDOW_GIB || e->id == root_id)
			continue;
		guests[e->id].id = e->id;
		guests[e->id].vcpus = e->vp_count;
		guests[e->id].known = true;
	}
	bus_up = true;
	kprintf("root: bus: server ready (SINT %u messages, SINT %u events)\n", BUS_SINT_MSG,
		BUS_SINT_EVT);
}
