/*
 * Inside the root's VMBus server (bus.h): bus.c (SynIC intake,
 * connections, GPADL window, rings, per-guest server state), bus_ic.c
 * (the integration services on the open channels) and guestos (the
 * requests on Shutdown, KVP, Sessions and Exec).
 */
#ifndef MGMT_BUS_INT_H
#define MGMT_BUS_INT_H

#include <hv/start_info.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "vmbus_ic.h"
#include "vmbus_ring.h"
#include "vmbus_server.h"

#define BUS_SINT_MSG 2u
#define BUS_SINT_EVT 3u
#define BUS_VEC_MSG 0x52u
#define BUS_VEC_EVT 0x53u
#define BUS_CONN_ROOT_MSG 0x1000u   /* + guest id: root -> guest messages */
#define BUS_CONN_GUEST_EVT 0x2000u  /* + relid: guest -> root signals */
#define BUS_CONN_ROOT_EVT 0x3000u   /* + guest id: root -> guest signals, flag = relid */
#define BUS_FLAGS_PER_GUEST 128u

enum bus_ic_state {
	BUS_IC_IDLE = 0,
	BUS_IC_NEGOTIATING,
	BUS_IC_READY,
};

struct bus_chan {
	bool open;
	struct ring in, out;          /* guest -> root (we consume), root -> guest (we produce) */
	uint8_t ic_state;
	uint8_t ic_tid;
	struct ic_version fw, srv;
	uint64_t trans_id;
	uint64_t ready_ms;
	/* service state */
	bool outstanding;
	uint64_t seq, sent_ms, last_ms;
	uint64_t sent_tsc;            /* heartbeat: the outstanding request, for its round trip */
	uint32_t missed;
	bool lost_logged;
	uint64_t ok_logged_ms;
	uint8_t history[256];         /* heartbeat: 1 per answered tick */
	uint32_t hist_pos, hist_fill;
	uint32_t beats;               /* heartbeat: answers since the channel opened */
	/* the oldest request still unanswered (heartbeats aside): bus_ic.c times it out */
	uint64_t wait_ms;             /* when it was sent; 0: none */
	uint8_t wait_tid;
	const char *wait_what;
	/* NEGOTIATE is not timed out (the guest's service may start late): */
	uint64_t negotiate_ms;        /* when it was sent, for the one "waiting" line */
	bool negotiate_late_logged;
};

struct bus_guest;

/* bus.c, for the services */
int bus_send(struct bus_guest *g, uint32_t relid, const void *buf, uint32_t len);
void bus_chan_fail(struct bus_guest *g, uint32_t relid, const char *reason);
const char *bus_guest_name(const struct bus_guest *g);
/*
 * Whether a line about something g did may go to the console now: a
 * burst, then one a second; a line that may not is counted, and the
 * count is printed before the next one that may.
 */
bool bus_guest_may_log(struct bus_guest *g);
uint32_t bus_guest_id(const struct bus_guest *g);
struct bus_chan *bus_chan_of(struct bus_guest *g, uint32_t relid);
/* The guest's bus by partition id; NULL unless it is up (the guest Running). */
struct bus_guest *bus_guest_by_id(uint32_t id);

/* bus_ic.c */
void bus_ic_opened(struct bus_guest *g, uint32_t relid);
void bus_ic_packet(struct bus_guest *g, uint32_t relid, uint8_t *buf, uint32_t len);
void bus_ic_tick(struct bus_guest *g, uint32_t relid);
const char *bus_service_name(uint32_t relid);
/* bus.c: a channel stops (closed, rescinded, guest gone); its state is cleared next. */
void bus_ic_closed(struct bus_guest *g, uint32_t relid);

/* bus_ic.c, for guestos.c (by partition id; false / negative when not ready) */
/* Header of a new request on a ready channel, with a fresh IC transaction id. */
bool bus_ic_request_hdr(uint32_t id, uint32_t relid, struct ic_hdr_info *h);
/* Sends a request with IC transaction id tid; its answer is due within IC_ANSWER_TIMEOUT_MS. */
int bus_ic_send(uint32_t id, uint32_t relid, const void *buf, uint32_t len, uint8_t tid);
struct bus_ic_heartbeat {
	bool known;                   /* answered at least once since the channel opened */
	bool beating;                 /* known and fewer than 3 missed in a row */
	uint32_t percentage;          /* answered share of the last 60 s */
};
bool bus_ic_heartbeat(uint32_t id, struct bus_ic_heartbeat *out);
/* Sends TimeSync a SYNC now if the channel is ready (time sync re-enabled). */
void bus_ic_time_sync_now(uint32_t id);

#endif
