/*
 * The root's VMBus server as the rest of the root sees it (docs/bus.md,
 * "Plumbing in this project"): started once partition management is up,
 * polled from root_poll, and a few settings and facts for the knobs.  The
 * guest OS behind the bus is guestos.h; what the server's files share is
 * bus_int.h.
 */
#ifndef MGMT_BUS_H
#define MGMT_BUS_H

#include <stdbool.h>
#include <stdint.h>

/* relids of the channels offered to every guest */
enum bus_service {
	BUS_SHUTDOWN = 1,
	BUS_TIMESYNC,
	BUS_HEARTBEAT,
	BUS_KVP,
	BUS_SESSIONS,
	BUS_EXEC,
	BUS_SERVICES = BUS_EXEC,
};

void bus_init(void);
void bus_poll(void);
/* A SynIC vector (bus message or ring signal) arrived since bus_poll last started. */
bool bus_work_flagged(void);

/* The bus's clock: milliseconds of the TSC. */
uint64_t bus_now_ms(void);
/* When partition id's bus came up for its current run (bus_now_ms); false while it is down. */
bool bus_guest_up_since(uint32_t id, uint64_t *ms);
/* When channel relid of partition id became ready (bus_now_ms); false while it is not. */
bool bus_ic_ready_since(uint32_t id, uint32_t relid, uint64_t *ms);

#define BUS_HEARTBEAT_MS_DEFAULT 1000u
#define BUS_HEARTBEAT_MS_MIN 10u
#define BUS_HEARTBEAT_MS_MAX 60000u
/* The heartbeat period; false (and the period unchanged) outside MIN..MAX. */
bool bus_ic_set_heartbeat_ms(uint64_t ms);
/* Gets the round trip (TSC ticks) of every answered heartbeat; one watcher, NULL for none. */
typedef void (*bus_heartbeat_fn)(uint32_t id, uint64_t round_trip_tsc);
void bus_ic_watch_heartbeats(bus_heartbeat_fn fn);

#endif
